/**
 * CPU miner core: N worker threads searching Eaglesong nonces for one job at a time.
 *
 * The caller describes the nonce layout (a 16-byte template N and which bytes the workers
 * may roll beside the u32 nonce at 12..16); worker i of n rolls values i, i + n, … so no two
 * workers hash the same N. Found nonces come back through `onFound`, tagged with the job key
 * they were found for.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.js';

export interface MinerWork<K> {
  /** Anything that identifies the job to the caller (returned with every found nonce). */
  key: K;
  powHash: Uint8Array;
  /** 16-byte nonce template (prefix and fixed bytes in place). */
  base: Uint8Array;
  /** Share target, 32 bytes big-endian. */
  targetBE: Uint8Array;
  /** Bytes rolled per worker (e.g. the standard-channel version field 8..12). */
  rollAt: number;
  rollLength: number;
  /** Where the searched u32 sits in N (default 12, Eaglesong's batch search). */
  searchAt?: number;
}

/**
 * Starts the worker entry beside this module. From dist it is plain JS; from sources (tsx,
 * vitest) the worker first registers tsx's ESM hooks itself, since Node 20 workers do not
 * inherit hooks registered with `--import`.
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}))`;
  return new Worker(boot, { eval: true });
}

export class CpuMiner<K> {
  private readonly workers: Worker[] = [];
  private generation = 0;
  private key: K | undefined;
  private hashes = 0;
  private total = 0;
  private windowStart = performance.now();
  private rate = 0;
  /** Resolvers of `idle()` calls, each waiting for this many more `idled` answers. */
  private idleWaiters: { pending: number; resolve: () => void }[] = [];

  constructor(
    readonly threads: number,
    private readonly onFound: (key: K, nonce: Uint8Array) => void,
    onError: (err: Error) => void = () => {},
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be >= 1, got ${threads}`);
    for (let i = 0; i < threads; i++) {
      const w = spawnWorker();
      w.on('message', (msg: FromWorker) => this.onMessage(msg));
      w.on('error', onError);
      w.unref();
      this.workers.push(w);
    }
  }

  /** Replaces the job every worker is searching. */
  setWork(work: MinerWork<K>): void {
    this.generation++;
    this.key = work.key;
    this.workers.forEach((w, i) => {
      const msg: ToWorker = {
        type: 'job',
        generation: this.generation,
        powHash: work.powHash,
        base: work.base,
        targetBE: work.targetBE,
        rollAt: work.rollAt,
        rollLength: work.rollLength,
        searchAt: work.searchAt ?? 12,
        rollStart: i,
        rollStride: this.workers.length,
      };
      w.postMessage(msg);
    });
  }

  /**
   * Stops hashing until the next `setWork` (the job is gone, e.g. the connection dropped):
   * workers go idle and results of the old job still in flight are dropped. Resolves once every
   * worker stopped (its last batch counted in `totalHashes`); callers need not wait for it.
   */
  idle(): Promise<void> {
    this.generation++;
    this.key = undefined;
    for (const w of this.workers) w.postMessage({ type: 'idle' } satisfies ToWorker);
    return new Promise((resolve) => this.idleWaiters.push({ pending: this.workers.length, resolve }));
  }

  /** Hashes done since the start. */
  get totalHashes(): number {
    return this.total;
  }

  /** Hashes per second over the last completed window (about one second). */
  get hashrate(): number {
    this.roll();
    return this.rate;
  }

  /** Stops and joins every worker. */
  /** Idempotent: a second call waits for the same exits (an exited worker emits 'exit' only once). */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorkers();
    return this.stopping;
  }

  private stopping: Promise<void> | undefined;

  private async stopWorkers(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage({ type: 'stop' } satisfies ToWorker);
            setTimeout(() => void w.terminate(), 1000).unref();
          }),
      ),
    );
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'idled') {
      for (const w of this.idleWaiters) if (--w.pending === 0) w.resolve();
      this.idleWaiters = this.idleWaiters.filter((w) => w.pending > 0);
      return;
    }
    if (msg.type === 'progress') {
      this.hashes += msg.hashes;
      this.total += msg.hashes;
      this.roll();
      return;
    }
    if (msg.generation === this.generation && this.key !== undefined) this.onFound(this.key, msg.nonce);
  }

  private roll(): void {
    const now = performance.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= 1000) {
      this.rate = (this.hashes * 1000) / elapsed;
      this.hashes = 0;
      this.windowStart = now;
    }
  }
}
