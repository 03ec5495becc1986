/**
 * A connection's unacknowledged shares, by sequence number: a ring of send times instead of a
 * Map, so submitting and acknowledging a share allocates nothing. Sequence numbers are handed
 * out consecutively (u32, wrapping); SV2 acknowledges them cumulatively (SubmitShares.Success:
 * up to `count` shares with sequence ≤ last, oldest first) or one by one (SubmitShares.Error,
 * a V1 reply).
 */
export interface SettledSink {
  /** `intended` and `sent` are the share's scheduled and actual send times (ms). */
  settled(intended: number, sent: number, accepted: boolean, reason: string | undefined): void;
}

export class InFlight {
  private readonly intendedAt: Float64Array;
  /** NaN marks a settled slot. */
  private readonly sentAt: Float64Array;
  private readonly mask: number;
  /** Oldest sequence number that may be unsettled (monotonic, not wrapped). */
  private oldest = 0;
  private nextSeq = 0;
  private pending = 0;

  constructor(
    capacity: number,
    private readonly sink: SettledSink,
  ) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.intendedAt = new Float64Array(size);
    this.sentAt = new Float64Array(size).fill(Number.NaN);
    this.mask = size - 1;
  }

  /** Most shares the ring can track at once. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Sequence numbers from the oldest unsettled one to the next (settled gaps included). */
  get span(): number {
    return this.nextSeq - this.oldest;
  }

  /** Unsettled shares. */
  get size(): number {
    return this.pending;
  }

  /** Registers the next share (the caller keeps `span < capacity`); returns its u32 sequence number. */
  add(intended: number, sent: number): number {
    if (this.span >= this.capacity) throw new RangeError('in-flight window full');
    const slot = this.nextSeq & this.mask;
    this.intendedAt[slot] = intended;
    this.sentAt[slot] = sent;
    this.pending++;
    return this.nextSeq++ >>> 0;
  }

  /** Corrects the send time of a share still in flight (stamped once its bytes were written). */
  setSent(seq: number, sent: number): void {
    const slot = seq & this.mask;
    if (this.offset(seq) < this.span && !Number.isNaN(this.sentAt[slot]!)) this.sentAt[slot] = sent;
  }

  /** SV2 SubmitShares.Success: settles up to `count` unsettled shares with sequence ≤ `last`. */
  acceptUpTo(last: number, count: number): void {
    const end = this.offset(last);
    if (end >= this.span) return; // nothing of ours (already settled, or never sent)
    for (let i = 0; i <= end && count > 0; i++) {
      if (this.settle(this.oldest + i, true, undefined)) count--;
    }
    this.advance();
  }

  /** One share's answer (SV2 SubmitShares.Error, a V1 reply); false when it was not in flight. */
  answer(seq: number, accepted: boolean, reason?: string): boolean {
    if (this.offset(seq) >= this.span) return false;
    const ok = this.settle(this.oldest + this.offset(seq), accepted, reason);
    this.advance();
    return ok;
  }

  /** Distance of u32 `seq` from the oldest tracked sequence number. */
  private offset(seq: number): number {
    return (seq - this.oldest) >>> 0;
  }

  private settle(n: number, accepted: boolean, reason: string | undefined): boolean {
    const slot = n & this.mask;
    const sent = this.sentAt[slot]!;
    if (Number.isNaN(sent)) return false;
    this.sentAt[slot] = Number.NaN;
    this.pending--;
    this.sink.settled(this.intendedAt[slot]!, sent, accepted, reason);
    return true;
  }

  private advance(): void {
    while (this.oldest < this.nextSeq && Number.isNaN(this.sentAt[this.oldest & this.mask]!)) this.oldest++;
  }
}
