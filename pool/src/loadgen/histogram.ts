/**
 * Fixed-memory latency histogram (HDR-style log-linear buckets): exact below 256 µs, then 128
 * buckets per power of two, so any percentile is within 0.8 % of the true value. Recording is
 * one array increment: no allocation per sample, whatever the run length.
 */

/** Sub-buckets per power of two (2^SUB_BITS). */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
/** Values below this many µs have a bucket each. */
const EXACT = SUB * 2;
/** Enough buckets for values up to 2^31 µs (about 36 minutes); larger ones land in the last. */
const BUCKETS = EXACT + (31 - SUB_BITS - 1) * SUB;

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function bucketOf(us: number): number {
  const v = us >= 2 ** 31 ? 2 ** 31 - 1 : us < 0 ? 0 : Math.floor(us);
  if (v < EXACT) return v;
  const e = 31 - Math.clz32(v); // v in [2^e, 2^(e+1)), e >= SUB_BITS + 1
  const shift = e - SUB_BITS;
  return EXACT + (e - SUB_BITS - 1) * SUB + ((v >>> shift) - SUB);
}

/** Lowest µs value that lands in bucket `i`. */
function bucketLow(i: number): number {
  if (i < EXACT) return i;
  const octave = Math.floor((i - EXACT) / SUB);
  const shift = octave + 1;
  return ((i - EXACT - octave * SUB + SUB) * 2 ** shift) >>> 0;
}

function bucketWidth(i: number): number {
  return i < EXACT ? 1 : 2 ** (Math.floor((i - EXACT) / SUB) + 1);
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private sumMs = 0;
  private maxMs = 0;

  /** Records one latency in milliseconds (negative values count as 0). */
  record(ms: number): void {
    this.counts[bucketOf(ms * 1000)]!++;
    this.n++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The p-quantile (0 < p ≤ 1) in ms, by nearest rank, at its bucket's midpoint; 0 when empty. */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.n));
    if (rank >= this.n) return this.maxMs;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const mid = bucketLow(i) + bucketWidth(i) / 2;
        return Math.min(mid / 1000, this.maxMs);
      }
    }
    return this.maxMs;
  }

  /** Adds another histogram's samples into this one. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.n += other.n;
    this.sumMs += other.sumMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      mean: this.n ? this.sumMs / this.n : 0,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      p999: this.percentile(0.999),
      max: this.maxMs,
    };
  }
}
