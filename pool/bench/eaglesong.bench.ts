/**
 * Eaglesong: WASM share check (midstate, 1 permutation) and full 48-byte hash, the same
 * Rust code built natively, the pure-JS port, and the miner search (4-lane SIMD vs scalar).
 *
 * Times are CPU time of this process (native: of the bench thread), best of several rounds,
 * so other load on a shared machine inflates them less than wall-clock time would.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EaglesongJob, ckbPowHash } from '../src/eaglesong/index.js';
import { eaglesongJs, powHashFromMidstateJs, powMidstateJs } from '../src/eaglesong/testing/reference.js';
import { eaglesongWasm } from '../src/eaglesong/wasm.js';
import { fmt, table, type BenchSection } from './measure.js';

const cpuNs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

/** Best CPU nanoseconds per operation; `fn(batch)` performs `batch` operations. */
function nsPerOp(fn: (batch: number) => void, batch: number, rounds = 7, ms = 150): number {
  const warmUntil = cpuNs() + ms * 1e6;
  while (cpuNs() < warmUntil) fn(batch);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = cpuNs();
    let ops = 0;
    while (cpuNs() - start < ms * 1e6) {
      fn(batch);
      ops += batch;
    }
    best = Math.min(best, (cpuNs() - start) / ops);
  }
  return best;
}

interface NativeFigures {
  midstate_ns: number;
  full_ns: number;
  search_ns: number;
}

/** Builds and runs pool/eaglesong/examples/bench.rs with cargo (release, baseline x86-64). */
function native(): NativeFigures | string {
  const crate = fileURLToPath(new URL('../eaglesong/', import.meta.url));
  try {
    const out = execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'bench', '--', '150'], {
      cwd: crate,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim()) as NativeFigures;
  } catch (err) {
    return `native bench unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

export default async function eaglesongBench(): Promise<BenchSection> {
  const powHash = new Uint8Array(32).map((_, i) => i * 13 + 1);
  const nonce = new Uint8Array(16);
  const out = new Uint8Array(32);
  const target = new Uint8Array(32); // nothing meets it: measures pure hashing
  const job = new EaglesongJob(powHash);
  const w = eaglesongWasm;
  const message = new Uint8Array(48);
  message.set(powHash);

  const shareCheck = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      nonce[0] = i;
      job.meets(nonce, target);
    }
  }, 1000);
  const hashOut = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      nonce[0] = i;
      job.hash(nonce, out);
    }
  }, 1000);
  const rawMidstate = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      w.nonce[0] = i;
      w.exports.es_hash_nonce();
    }
  }, 1000);
  const full = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      nonce[0] = i;
      ckbPowHash(powHash, nonce);
    }
  }, 500);
  const searchSimd = nsPerOp((n) => job.search(nonce, 0, n, target), 4000);
  const searchScalar = nsPerOp((n) => {
    job.hash(nonce, out); // make sure this job's midstate is loaded
    w.nonce.set(nonce);
    w.target.set(target);
    w.exports.es_search_scalar(0, n);
  }, 4000);

  const jsMid = powMidstateJs(powHash);
  const scratch = new Int32Array(16);
  const jsMidstate = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      nonce[0] = i;
      powHashFromMidstateJs(jsMid, nonce, scratch, out);
    }
  }, 500);
  const jsFull = nsPerOp((n) => {
    for (let i = 0; i < n; i++) {
      message[32] = i;
      eaglesongJs(message);
    }
  }, 250);

  const nat = native();
  const us = (ns: number) => fmt(ns / 1000, 3);
  const perSec = (ns: number) => fmt(1e9 / ns);
  const row = (what: string, ns: number, nativeNs?: number): string[] => [
    what,
    us(ns),
    perSec(ns),
    nativeNs === undefined ? '' : `${fmt(nativeNs / ns, 2)}×`,
  ];
  const nativeRow = (what: string, ns: number): string[] => [what, us(ns), perSec(ns), '1.00×'];
  const n = typeof nat === 'string' ? undefined : nat;
  const rows = [
    row('WASM share check `job.meets(nonce, target)` (midstate, 1 permutation)', shareCheck, n?.midstate_ns),
    row('WASM `job.hash(nonce, out)`', hashOut, n?.midstate_ns),
    row('WASM raw export `es_hash_nonce` (no JS wrapper)', rawMidstate, n?.midstate_ns),
    row('WASM full 48-byte hash `ckbPowHash` (2 permutations)', full, n?.full_ns),
    row('WASM miner `job.search`, 4-lane simd128 (per nonce)', searchSimd, n?.search_ns),
    row('WASM miner search, scalar (per nonce)', searchScalar, n?.search_ns),
    ...(n
      ? [
          nativeRow('native Rust, midstate (1 permutation)', n.midstate_ns),
          nativeRow('native Rust, full 48-byte hash', n.full_ns),
          nativeRow('native Rust, scalar search (per nonce)', n.search_ns),
        ]
      : []),
    row('pure JS port, midstate (1 permutation)', jsMidstate, n?.midstate_ns),
    row('pure JS port, full 48-byte hash', jsFull, n?.full_ns),
  ];
  const notes = [
    '',
    'Speed vs native = native time / this time (the same Rust code built with rustup cargo, release, baseline x86-64).',
    'CPU time per call, best of 7 rounds of 150 ms. WASM: Debian rustc 1.63, opt-level 3, LTO, auto-vectorisation off, hand-written simd128 only in the search kernel.',
    ...(typeof nat === 'string' ? [nat] : []),
  ];
  return {
    title: 'Eaglesong (WASM vs native vs JS)',
    markdown: `${table(['Operation', 'µs/call', 'calls/s', 'speed vs native'], rows)}\n${notes.join('\n')}`,
  };
}
