/**
 * Even pacing for the load generator: share k of the run is due at `start + k / rate` and
 * belongs to connection `k mod connections`, so every connection submits on its own evenly
 * spaced schedule (period connections / rate) and the connections are staggered across it.
 * The generator wakes at most once per timer tick and sends every share that has come due;
 * each share keeps its intended time, so lateness of the generator itself is measurable
 * (`sent − intended`) instead of hiding inside the latency.
 */
export class Pacer {
  private taken = 0;
  private readonly intervalMs: number;

  constructor(
    ratePerSec: number,
    readonly connections: number,
    private readonly startMs: number,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError('rate must be > 0');
    if (!Number.isInteger(connections) || connections < 1) throw new RangeError('connections must be ≥ 1');
    this.intervalMs = 1000 / ratePerSec;
  }

  /** Intended send time (ms, same clock as `startMs`) of share `k`. */
  dueAt(k: number): number {
    return this.startMs + k * this.intervalMs;
  }

  /** When the next share not yet taken is due. */
  nextDue(): number {
    return this.dueAt(this.taken);
  }

  /** Shares handed out so far. */
  get count(): number {
    return this.taken;
  }

  /**
   * Takes the next share if it is due at `now` (returns its index k; its connection is
   * `k % connections`), else -1.
   */
  take(now: number): number {
    if (this.dueAt(this.taken) > now) return -1;
    return this.taken++;
  }

  connectionOf(k: number): number {
    return k % this.connections;
  }
}
