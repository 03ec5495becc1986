/** Shared helpers for benchmark modules (pool/bench/*.bench.ts). */

export interface Rate {
  /** Operations per second. */
  perSecond: number;
  /** Mean nanoseconds per operation. */
  nsPerOp: number;
  ops: number;
}

/**
 * Runs `fn(batch)` repeatedly for about `ms` milliseconds after a warm-up, where one
 * call performs `batch` operations, and reports the best of `rounds` rounds.
 */
export function measureRate(
  fn: (batch: number) => void,
  opts: { batch?: number; ms?: number; rounds?: number } = {},
): Rate {
  const batch = opts.batch ?? 1000;
  const ms = opts.ms ?? 400;
  const rounds = opts.rounds ?? 5;
  const warmUntil = performance.now() + ms / 2;
  while (performance.now() < warmUntil) fn(batch);
  let best: Rate | undefined;
  for (let r = 0; r < rounds; r++) {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      fn(batch);
      ops += batch;
      now = performance.now();
    }
    const seconds = (now - start) / 1000;
    const rate = { perSecond: ops / seconds, nsPerOp: (seconds * 1e9) / ops, ops };
    if (!best || rate.perSecond > best.perSecond) best = rate;
  }
  return best!;
}

/** Formats a number with thousands separators and a fixed number of decimals. */
export function fmt(n: number, decimals = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A markdown table from a header row and data rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What each benchmark module's default export returns: one section of docs/benchmarks.md. */
export interface BenchSection {
  title: string;
  markdown: string;
}
