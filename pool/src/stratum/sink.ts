/**
 * Adapters between the stratum server and the pool services:
 * - `jobTemplateFromProto`: a job maker `Job` (proto/jobs.proto) as the engine's JobTemplate;
 * - `createPoolSink`: accepted shares → share log (Kafka or in-memory bus); block candidates
 *   → block maker (at once) and the durable block-candidates log, in parallel.
 * Publishing is asynchronous; failures are retried with backoff and logged, never thrown
 * into the share path.
 */
import { bytesBEToTarget } from '../ckb/target.js';
import type { EventBus, PoolTopics, ShareLog } from '../bus/index.js';
import { logBlockCandidate, shareIdFor, type Job, type ShareRecord, type SolvedBlock } from '../bus/index.js';
import type { Logger } from '../observability/index.js';
import type { AcceptedShare, BlockCandidate } from './engine.js';
import type { JobTemplate } from './jobs.js';
import type { StratumSink } from './server.js';
import { u128ToNonce } from './nonce.js';

export function jobTemplateFromProto(job: Job): JobTemplate {
  return {
    jobId: job.jobId,
    workId: job.workId,
    number: job.number,
    parentHash: job.parentHash,
    timestamp: job.timestamp,
    compactTarget: job.compactTarget,
    target: bytesBEToTarget(job.target),
    powHash: job.powHash,
    version: job.version,
  };
}

/** "user.worker" → { user, worker } (worker empty when there is no dot). */
export function splitIdentity(identity: string): { user: string; worker: string } {
  const dot = identity.indexOf('.');
  return dot < 0
    ? { user: identity, worker: '' }
    : { user: identity.slice(0, dot), worker: identity.slice(dot + 1) };
}

export interface PoolSinkOptions {
  shareLog: ShareLog;
  bus: EventBus;
  topics: PoolTopics;
  /** Block maker (gRPC BlockMaker.SubmitBlock or in-process); resolves with its verdict. */
  submitBlock(block: SolvedBlock): Promise<{ accepted: boolean; blockHash: string; reason: string }>;
  /** Replica id as a number (the first extranonce byte). */
  replica: number;
  logger: Logger;
  /** Attempts per publish before giving up (default 5). */
  attempts?: number;
}

export interface PoolSink extends StratumSink {
  /** Publishes still in flight. */
  readonly inFlight: number;
  /** Resolves when every publish started so far has settled. */
  settle(): Promise<void>;
}

export function createPoolSink(opts: PoolSinkOptions): PoolSink {
  const attempts = opts.attempts ?? 5;
  const pending = new Set<Promise<unknown>>();
  const track = (what: string, fields: Record<string, unknown>, run: () => Promise<unknown>) => {
    const p = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run();
        } catch (err) {
          if (attempt >= attempts) {
            opts.logger.error(`${what} failed`, { ...fields, attempts: attempt, err });
            return undefined;
          }
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        }
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  return {
    get inFlight() {
      return pending.size;
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    onShare(share: AcceptedShare) {
      const { user, worker } = splitIdentity(share.userIdentity);
      const record: ShareRecord = {
        shareId: shareIdFor(share.jobId, share.nonce),
        user,
        worker,
        jobId: share.jobId,
        difficulty: Number(share.difficulty),
        isBlock: share.isBlock,
        acceptedAt: BigInt(share.timestamp),
        replica: opts.replica,
        channelId: share.channelId,
        nonce: share.nonce,
      };
      void track('share log append', { shareId: record.shareId }, () => opts.shareLog.append(record));
    },
    onBlock(block: BlockCandidate) {
      const { user, worker } = splitIdentity(block.userIdentity);
      const nonce = u128ToNonce(block.nonce);
      const solved: SolvedBlock = {
        jobId: block.jobId,
        workId: block.workId,
        nonce,
        powHash: block.powHash,
        channelId: block.channelId,
        user,
        worker,
        foundAt: BigInt(Date.now()),
        replica: opts.replica,
        shareId: shareIdFor(block.jobId, nonce),
      };
      const fields = { shareId: solved.shareId, height: block.height };
      void track('block candidate log', fields, () => logBlockCandidate(opts.bus, opts.topics, solved));
      void track('block submit', fields, async () => {
        const reply = await opts.submitBlock(solved);
        opts.logger.info(reply.accepted ? 'block accepted' : 'block not accepted', { ...fields, ...reply });
        return reply;
      });
    },
  };
}
