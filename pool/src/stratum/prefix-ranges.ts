/**
 * Extranonce counters reserved in the store (#19 item 4): a replica takes its channel counters
 * from ranges `reservePrefixes` handed out for its replica id, never from a counter that starts
 * at 0 with the process. A restarted replica (same id, the lease gives it back at once) therefore
 * never re-issues a prefix whose shares may still be in flight or credited; two processes that
 * ever held the same id draw from disjoint ranges. The next range is reserved while half of the
 * current one is left, so a store outage stops new prefixes only once the reserve is used up
 * (every counter handed out is still provably this replica's).
 */
import { COUNTER_BYTES, type CounterSource } from './extranonce.js';

const COUNTER_SPACE = 2 ** (8 * COUNTER_BYTES);

export interface PrefixRangesOptions {
  replicaId: number;
  reserve(replicaId: number, count: number, after: number): Promise<number>;
  /** Counters per reservation (default 4096). */
  block?: number;
  onError?(err: unknown): void;
}

export class PrefixRanges implements CounterSource {
  private readonly ranges: { next: number; end: number }[] = [];
  private readonly block: number;
  private reserving: Promise<void> | undefined;
  /** End of the newest range: the floor of the next reservation. */
  private lastEnd = 0;

  constructor(private readonly opts: PrefixRangesOptions) {
    this.block = opts.block ?? 4096;
  }

  /** Reserves the first range (call before serving; rejects if the store is down). */
  async start(): Promise<void> {
    await this.reserveNext();
  }

  /** Counters left in the reserved ranges. */
  available(): number {
    let n = 0;
    for (const r of this.ranges) n += r.end - r.next;
    return n;
  }

  take(): number | undefined {
    const range = this.ranges[0];
    if (!range) {
      this.refill();
      return undefined;
    }
    const counter = range.next++ % COUNTER_SPACE;
    if (range.next >= range.end) this.ranges.shift();
    if (this.available() < this.block / 2) this.refill();
    return counter;
  }

  private refill(): void {
    this.reserving ??= this.reserveNext()
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => (this.reserving = undefined));
  }

  private async reserveNext(): Promise<void> {
    const start = await this.opts.reserve(this.opts.replicaId, this.block, this.lastEnd);
    this.lastEnd = start + this.block;
    this.ranges.push({ next: start, end: start + this.block });
  }
}
