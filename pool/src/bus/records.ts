/**
 * Typed records on the bus: protobuf encoding (proto/gen) of shares, jobs, block
 * candidates and found blocks, and the writers stratum replicas and services use.
 */
import { FoundBlock, SolvedBlock } from '../../../proto/gen/blocks.js';
import { Job } from '../../../proto/gen/jobs.js';
import { ShareBatch, ShareRecord } from '../../../proto/gen/shares.js';
import { Histogram, type Registry } from 'prom-client';
import type { PoolTopics } from './topics.js';
import type { EventBus } from './types.js';

export { FoundBlock, Job, ShareBatch, ShareRecord, SolvedBlock };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** The share idempotency key: "<job_id>:<nonce hex>" (nonces are unique pool-wide per job). */
export function shareIdFor(jobId: number, nonce: Uint8Array): string {
  return `${jobId}:${toHex(nonce)}`;
}

/** Appends accepted shares to the shares topic. */
export interface ShareLog {
  /**
   * Resolves once the share is durably logged (Kafka: acked by all in-sync replicas). Shares
   * written in one message get the same promise object.
   */
  append(share: ShareRecord): Promise<void>;
  /** Sends what is pending now and resolves when everything appended so far is logged. */
  flush(): Promise<void>;
}

export interface ShareLogOptions {
  /** Shares per ShareBatch message at most (default 500). */
  maxShares?: number;
  /** How long the first pending share waits for others to share its message (default 2 ms). */
  lingerMs?: number;
  /** Registry for `eaglepool_stratum_share_log_write_seconds` (none when absent). */
  registry?: Registry;
}

/** The shares waiting for the next message, and the promise all their appends returned. */
interface PendingMessage {
  shares: ShareRecord[];
  written: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function pendingMessage(): PendingMessage {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const written = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Callers may drop a rejected append (they hold the same promise): never an unhandled rejection.
  written.catch(() => undefined);
  return { shares: [], written, resolve, reject };
}

/**
 * A ShareLog that packs the shares appended within `lingerMs` into one ShareBatch message
 * (key = replica id): a Kafka message per share would cap a replica at the producer's
 * per-message rate (see docs/services.md, figures). The appends that share a message get the
 * same promise (no allocation per share; callers can group acknowledgements by it).
 */
export function createShareLog(bus: EventBus, topics: PoolTopics, opts: ShareLogOptions = {}): ShareLog {
  const maxShares = opts.maxShares ?? 500;
  const lingerMs = opts.lingerMs ?? 2;
  let pending: PendingMessage | undefined;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  const writeSeconds =
    opts.registry &&
    new Histogram({
      name: 'eaglepool_stratum_share_log_write_seconds',
      help: 'Time from sending a share message to the shares topic to its acknowledgement (Kafka: acks=all).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [opts.registry],
    });
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const message = pending;
    pending = undefined;
    const value = ShareBatch.encode({ shares: message.shares }).finish();
    const written = writeSeconds?.startTimer();
    const sent = bus.publish(topics.shares, [{ key: String(message.shares[0]!.replica), value }]).then(() => {
      written?.();
      message.resolve();
    }, message.reject);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };
  return {
    append: (share) => {
      const message = (pending ??= pendingMessage());
      message.shares.push(share);
      if (message.shares.length >= maxShares) send();
      else timer ??= setTimeout(send, lingerMs);
      return message.written;
    },
    flush: async () => {
      send();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * The shares in one shares-topic message (a ShareBatch), each with its share id (derived when
 * the writer left it out, as replicas do). Throws on a malformed message.
 */
export function decodeShareMessage(value: Uint8Array): ShareRecord[] {
  const shares = ShareBatch.decode(value).shares;
  for (const share of shares) {
    if (share.shareId !== '') continue;
    if (share.nonce.length !== 16)
      throw new Error(`share record without share id has a ${share.nonce.length}-byte nonce`);
    share.shareId = shareIdFor(share.jobId, share.nonce);
  }
  return shares;
}

/** Durable log of block candidates, the backstop the block maker consumes (key = share id). */
export function logBlockCandidate(bus: EventBus, topics: PoolTopics, block: SolvedBlock): Promise<void> {
  return bus.publish(topics.blockCandidates, [
    { key: block.shareId, value: SolvedBlock.encode(block).finish() },
  ]);
}

export function publishJob(bus: EventBus, topics: PoolTopics, job: Job): Promise<void> {
  return bus.publish(topics.jobs, [{ key: String(job.jobId), value: Job.encode(job).finish() }]);
}

export function publishFoundBlock(bus: EventBus, topics: PoolTopics, block: FoundBlock): Promise<void> {
  return bus.publish(topics.blocks, [{ key: block.blockHash, value: FoundBlock.encode(block).finish() }]);
}
