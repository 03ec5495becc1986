/**
 * Hashing worker (worker_threads entry): runs `EaglesongJob.search` in batches over the u32
 * nonce field, rolling its share of the roll field when the 2^32 nonces are exhausted. Between
 * batches it yields to the event loop so a new job replaces the old one within one batch.
 */
import { parentPort } from 'node:worker_threads';
import { EaglesongJob } from '../eaglesong/index.js';
import { writeRoll, type FromWorker, type ToWorker, type WorkerJob } from './protocol.js';

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
  const found = c.hasher.search(c.base, c.next, count, c.job.targetBE);
  for (const nonce of found) {
    const n = Uint8Array.from(c.base);
    new DataView(n.buffer).setUint32(12, nonce, true);
    post({ type: 'found', generation: c.job.generation, nonce: n });
  }
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
