/**
 * Hashing worker (worker_threads entry): searches the u32 nonce field (`searchAt`) in batches, rolling its share of the roll field when the 2^32 nonces are exhausted. Between
 * batches it yields to the event loop so a new job replaces the old one within one batch.
 */
import { parentPort } from 'node:worker_threads';
import { EaglesongJob } from '../eaglesong/index.js';
import { writeRoll, type FromWorker, type ToWorker, type WorkerJob } from './protocol.js';
import { nonceWith, searchNonces } from './search.js';

const BATCH = 8192;
const NONCE_SPACE = 2 ** 32;

if (!parentPort) throw new Error('miner worker must run in a worker thread');
const port = parentPort;

let current:
  { job: WorkerJob; hasher: EaglesongJob; base: Uint8Array; roll: number; next: number } | undefined;
let scheduled = false;

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

function step(): void {
  scheduled = false;
  const c = current;
  if (!c) return;
  const count = Math.min(BATCH, NONCE_SPACE - c.next);
  const at = c.job.searchAt;
  const found = searchNonces(c.hasher, c.base, at, c.next, count, c.job.targetBE);
  for (const x of found)
    post({ type: 'found', generation: c.job.generation, nonce: nonceWith(c.base, at, x) });
  post({ type: 'progress', hashes: count });
  c.next += count;
  if (c.next >= NONCE_SPACE) {
    c.roll += c.job.rollStride;
    writeRoll(c.base, c.job.rollAt, c.job.rollLength, c.roll);
    c.next = 0;
  }
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(step);
}

port.on('message', (msg: ToWorker) => {
  current?.hasher.free();
  current = undefined;
  if (msg.type === 'stop') {
    port.close();
    return;
  }
  if (msg.type === 'idle') return post({ type: 'idled' });
  const base = Uint8Array.from(msg.base);
  writeRoll(base, msg.rollAt, msg.rollLength, msg.rollStart);
  current = { job: msg, hasher: new EaglesongJob(msg.powHash), base, roll: msg.rollStart, next: 0 };
  schedule();
});
