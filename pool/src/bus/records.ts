/**
 * Typed records on the bus: protobuf encoding (proto/gen) of shares, jobs, block
 * candidates and found blocks, and the writers stratum replicas and services use.
 */
import { FoundBlock, SolvedBlock } from '../../../proto/gen/blocks.js';
import { Job } from '../../../proto/gen/jobs.js';
import { ShareRecord } from '../../../proto/gen/shares.js';
import type { PoolTopics } from './topics.js';
import type { EventBus } from './types.js';

export { FoundBlock, Job, ShareRecord, SolvedBlock };

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

/** Appends accepted shares to the shares topic (key = user, so one user's shares stay ordered). */
export interface ShareLog {
  /** Resolves once the share is durably logged; concurrent calls are batched. */
  append(share: ShareRecord): Promise<void>;
}

export function createShareLog(bus: EventBus, topics: PoolTopics): ShareLog {
  return {
    append: (share) =>
      bus.publish(topics.shares, [{ key: share.user, value: ShareRecord.encode(share).finish() }]),
  };
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
