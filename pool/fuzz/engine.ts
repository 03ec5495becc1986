/**
 * A small coverage-guided fuzzer for the decoders (no native code: Jazzer.js 4's prebuilt addon
 * needs glibc 2.38, Debian bookworm has 2.36, and 2.x downloads its addon from outside npm).
 *
 * Coverage is V8's own block coverage, read through node:inspector. Reading it costs far more
 * than running a decoder once, so inputs run in batches: after each batch the engine asks V8
 * which blocks ran; a batch that reached a new block is bisected (replaying halves) down to the
 * inputs that did, which join the corpus. Batches grow while they find nothing (up to 16,384
 * inputs), so most inputs run at full speed and every new block still lands in the corpus.
 */
import { Session } from 'node:inspector';

export interface FuzzTarget {
  name: string;
  /**
   * Feeds one input to the decoders. Returns normally or throws an error the decoder documents
   * (`isExpected`); anything else thrown is a crash.
   */
  run(input: Uint8Array): void;
  isExpected(err: unknown): boolean;
  /** Which source files count for coverage (URL substring). */
  coverageOf: string[];
}

export interface Crash {
  target: string;
  input: Uint8Array;
  error: string;
}

export interface CampaignResult {
  target: string;
  inputs: number;
  seconds: number;
  corpusSize: number;
  coveredBlocks: number;
  crashes: Crash[];
  /** Slowest single input (ms); an input over `hangMs` counts as a crash (a hang). */
  slowestMs: number;
  /** The corpus the campaign grew (seeds first). */
  corpus: Uint8Array[];
}

export interface CampaignOptions {
  runs: number;
  seconds: number;
  seed?: number;
  hangMs?: number;
  /**
   * Coverage guidance for this many seconds (default: all of `seconds`), then bulk mutation of the
   * grown corpus without coverage reads (about 8 ms each here), for volume.
   */
  guidedSeconds?: number;
  /** Stop at the first crash (CI) or keep going and collect them (campaigns). */
  stopOnCrash?: boolean;
  onProgress?: (r: CampaignResult) => void;
}

/** xorshift32: reproducible mutations from a seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20];
const INTERESTING_16 = [0, 0xffff, 0x8000, 0x7fff, 0x0100, 0x00ff];
const MAX_INPUT = 4096;
const MAX_BATCH = 1 << 14;

/** libFuzzer-like mutations: bit/byte flips, interesting values, insert, delete, splice, copy. */
export function mutate(base: Uint8Array, other: Uint8Array, next: () => number): Uint8Array {
  let b: Uint8Array = Uint8Array.from(base);
  const rounds = 1 + (next() % 4);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : next() % b.length;
    switch (next() % 10) {
      case 0:
        if (b.length) b[at]! ^= 1 << (next() % 8);
        break;
      case 1:
        if (b.length) b[at] = next() & 0xff;
        break;
      case 2:
        if (b.length) b[at] = INTERESTING[next() % INTERESTING.length]!;
        break;
      case 3:
        if (b.length > 1) {
          const v = INTERESTING_16[next() % INTERESTING_16.length]!;
          b[at] = v & 0xff;
          if (at + 1 < b.length) b[at + 1] = v >> 8;
        }
        break;
      case 4: {
        const n = 1 + (next() % 8);
        const ins = new Uint8Array(n).map(() => next() & 0xff);
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 5: {
        const n = Math.min(b.length - at, 1 + (next() % 16));
        b = concat(b.subarray(0, at), b.subarray(at + n));
        break;
      }
      case 6: {
        // Splice: our head, the other input's tail.
        const cut = other.length === 0 ? 0 : next() % other.length;
        b = concat(b.subarray(0, at), other.subarray(cut));
        break;
      }
      case 7: {
        // Duplicate a run (repeated fields, repeated frames).
        const n = Math.min(b.length - at, 1 + (next() % 64));
        b = concat(b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n));
        break;
      }
      case 8:
        if (b.length) b[at] = (b[at]! + (next() % 2 ? 1 : 255)) & 0xff;
        break;
      default:
        // ASCII digits and JSON punctuation: text formats need them.
        if (b.length) b[at] = '0123456789abcdefx",:[]{}-.eE n'.charCodeAt(next() % 30);
    }
  }
  return b.length > MAX_INPUT ? b.subarray(0, MAX_INPUT) : b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface ScriptCoverage {
  url: string;
  functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
}

/** V8 block coverage since the last call, as "url:start:end" keys of blocks that ran. */
class Coverage {
  private readonly session = new Session();

  constructor(private readonly files: string[]) {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    // A same-thread session answers synchronously.
    this.session.post(method, params, (err, res) => {
      failure = err;
      out = res;
    });
    if (failure) throw failure;
    return out;
  }

  take(): string[] {
    const res = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    const keys: string[] = [];
    for (const s of res.result) {
      if (!this.files.some((f) => s.url.includes(f))) continue;
      for (const fn of s.functions)
        for (const r of fn.ranges) if (r.count > 0) keys.push(`${s.url}:${r.startOffset}:${r.endOffset}`);
    }
    return keys;
  }

  close(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }
}

/** Runs one target from `seeds` until `runs` inputs or `seconds` have passed. */
export function campaign(target: FuzzTarget, seeds: Uint8Array[], opts: CampaignOptions): CampaignResult {
  const next = rng(opts.seed ?? 1);
  const hangMs = opts.hangMs ?? 5000;
  const guidedSeconds = opts.guidedSeconds ?? opts.seconds;
  const corpus = seeds.length ? [...seeds] : [new Uint8Array(0)];
  const seen = new Set<string>();
  const coverage = new Coverage(target.coverageOf);
  const result: CampaignResult = {
    target: target.name,
    inputs: 0,
    seconds: 0,
    corpusSize: corpus.length,
    coveredBlocks: 0,
    crashes: [],
    slowestMs: 0,
    corpus,
  };
  const started = performance.now();
  const crash = (input: Uint8Array, error: string): void => {
    result.crashes.push({ target: target.name, input: Uint8Array.from(input), error });
  };
  const runOne = (input: Uint8Array): void => {
    try {
      target.run(input);
    } catch (e) {
      if (!target.isExpected(e)) crash(input, e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
  };
  /** Marks `keys` seen; true if any was new. */
  const fresh = (keys: string[]): boolean => {
    let found = false;
    for (const k of keys)
      if (!seen.has(k)) {
        seen.add(k);
        found = true;
      }
    return found;
  };
  const unseen = (keys: string[]): boolean => keys.some((k) => !seen.has(k));
  /** Bisects a batch that reached new blocks down to the inputs that did (O(log n) coverage reads). */
  const isolate = (inputs: Uint8Array[]): void => {
    for (const input of inputs) timed(input);
    const keys = coverage.take();
    if (!unseen(keys)) return;
    if (inputs.length === 1) {
      fresh(keys);
      corpus.push(inputs[0]!);
      return;
    }
    const half = inputs.length >> 1;
    isolate(inputs.slice(0, half));
    isolate(inputs.slice(half));
  };
  const timed = (input: Uint8Array): void => {
    const t0 = performance.now();
    runOne(input);
    const ms = performance.now() - t0;
    result.slowestMs = Math.max(result.slowestMs, ms);
    if (ms > hangMs) crash(input, `hang: ${ms.toFixed(0)} ms for one input`);
  };
  try {
    // The seeds themselves, one at a time.
    coverage.take();
    for (const s of corpus) timed(s);
    fresh(coverage.take());
    result.inputs += corpus.length;
    let batchSize = 1;
    const batch: Uint8Array[] = [];
    while (result.inputs < opts.runs) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed > opts.seconds) break;
      if (opts.stopOnCrash && result.crashes.length) break;
      batch.length = 0;
      const n = Math.min(batchSize, opts.runs - result.inputs);
      for (let i = 0; i < n; i++) {
        const a = corpus[next() % corpus.length]!;
        const b = corpus[next() % corpus.length]!;
        batch.push(mutate(a, b, next));
      }
      for (const input of batch) timed(input);
      result.inputs += batch.length;
      if (elapsed > guidedSeconds) batchSize = MAX_BATCH;
      else if (unseen(coverage.take())) {
        // Some input of the batch reached new blocks: find it (them), keep them, try smaller batches.
        isolate(batch.slice());
        batchSize = Math.max(1, batchSize >> 2);
      } else batchSize = Math.min(MAX_BATCH, batchSize * 2);
      if (opts.onProgress && result.inputs % 100_000 < batch.length) {
        result.seconds = (performance.now() - started) / 1000;
        result.corpusSize = corpus.length;
        result.coveredBlocks = seen.size;
        opts.onProgress(result);
      }
    }
  } finally {
    coverage.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  result.corpusSize = corpus.length;
  result.coveredBlocks = seen.size;
  return result;
}
