/** Messages between the CPU miner and its hashing workers (structured-clone friendly). */

/** Work for one worker: roll `rollLength` bytes at `rollAt` of `base` through its share of values. */
export interface WorkerJob {
  type: 'job';
  /** Increases with every new job; results of older generations are dropped. */
  generation: number;
  powHash: Uint8Array;
  /** 16-byte nonce template N; the u32 LE at `searchAt` is searched (12: EaglesongJob.search). */
  base: Uint8Array;
  searchAt: number;
  targetBE: Uint8Array;
  rollAt: number;
  rollLength: number;
  /** First roll value and stride: worker i of n rolls i, i + n, i + 2n, … */
  rollStart: number;
  rollStride: number;
}

export interface WorkerStop {
  type: 'stop';
}

/** Drop the current job and wait for the next one (no work to hash, e.g. while reconnecting). */
export interface WorkerIdle {
  type: 'idle';
}

export type ToWorker = WorkerJob | WorkerStop | WorkerIdle;

export interface WorkerFound {
  type: 'found';
  generation: number;
  /** The full 16-byte nonce N whose hash met the target. */
  nonce: Uint8Array;
}

export interface WorkerProgress {
  type: 'progress';
  hashes: number;
}

/** Answer to `idle`: the worker stopped hashing; every progress of the old job was posted before it. */
export interface WorkerIdled {
  type: 'idled';
}

export type FromWorker = WorkerFound | WorkerProgress | WorkerIdled;

/** Writes `value` little-endian into `length` (<= 4) bytes of `out` at `at`. */
export function writeRoll(out: Uint8Array, at: number, length: number, value: number): void {
  for (let i = 0; i < length; i++) out[at + i] = (value >>> (8 * i)) & 0xff;
}
