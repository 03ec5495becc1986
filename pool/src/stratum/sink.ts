/**
 * Adapters between the stratum server and the pool services:
 * - `jobTemplateFromProto`: a job maker `Job` (proto/jobs.proto) as the engine's JobTemplate;
 * - `createPoolSink`: accepted shares → share log (Kafka or in-memory bus); block candidates
 *   → block maker (at once) and the durable block-candidates log, in parallel.
 * Publishing is asynchronous: `onShare` / `onBlock` return the confirmation the engine
 * waits for before acknowledging; failures are retried with backoff and logged, never thrown
 * into the share path.
 */
import { bytesBEToTarget } from '../ckb/target.js';
import type { EventBus, PoolTopics, ShareLog } from '../bus/index.js';
import { PublishRefusedError } from '../bus/publish-queue.js';
import { logBlockCandidate, shareIdFor, type Job, type ShareRecord, type SolvedBlock } from '../bus/index.js';
import type { Logger } from '../observability/index.js';
import type { AcceptedShare, BlockCandidate, Confirmation } from './engine.js';
import type { JobTemplate } from './jobs.js';
import type { StratumSink } from './server.js';
import { u128ToNonce } from '../mining/nonce.js';

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
  /** First retry pause, doubled per attempt (default 200 ms). */
  retryMs?: number;
}

export interface PoolSink extends StratumSink {
  onShare(share: AcceptedShare): Confirmation;
  onBlock(block: BlockCandidate): Confirmation;
  /** Publishes still in flight. */
  readonly inFlight: number;
  /** Resolves when every publish started so far has settled. */
  settle(): Promise<void>;
}

/**
 * The returned confirmations (what the engine waits for before acknowledging):
 * - a share: its share-log message is durable (Kafka acks=all). Shares that share a message
 *   share one confirmation (one retry loop per message, re-appending its shares on failure);
 *   with an in-memory bus (`bus.local`) the share is as durable as it gets at once: undefined.
 * - a block: the candidate is in the block-candidates log (the block maker's backstop); if
 *   that write fails for good, a block the block maker accepted still counts as confirmed.
 *   `submitBlock` starts at once, in parallel.
 * A confirmation rejects only after `attempts` failures (logged here); the engine then answers
 * SubmitShares.Error `share-not-logged`.
 */
export function createPoolSink(opts: PoolSinkOptions): PoolSink {
  const attempts = opts.attempts ?? 5;
  const retryMs = opts.retryMs ?? 200;
  const local = opts.bus.local === true;
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    const settled = p.then(noop, noop);
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return p;
  };
  // Refusals during an outage come in thousands a second: one log line per 5 s says how many.
  let refusedSinceLog = 0;
  let refusalLoggedAt = 0;
  const logRefusal = (what: string, fields: Record<string, unknown>, err: unknown) => {
    refusedSinceLog++;
    const now = Date.now();
    if (now - refusalLoggedAt < 5000) return;
    opts.logger.error(`${what} refused by the bus`, { ...fields, refusals: refusedSinceLog, err });
    refusalLoggedAt = now;
    refusedSinceLog = 0;
  };
  /**
   * Runs `run` up to `attempts` times with backoff; the last failure is logged and thrown. A
   * refusal of the bus (its wait bound or memory bound hit) is final at once: the wait is bounded there.
   */
  const retrying = async <T>(
    what: string,
    fields: Record<string, unknown>,
    run: () => Promise<T>,
    firstError?: unknown,
  ): Promise<T> => {
    if (firstError instanceof PublishRefusedError) {
      logRefusal(what, fields, firstError);
      throw firstError;
    }
    for (let attempt = firstError === undefined ? 1 : 2; ; attempt++) {
      if (attempt > 1) await sleep(retryMs * 2 ** (attempt - 2));
      try {
        return await run();
      } catch (err) {
        if (err instanceof PublishRefusedError) {
          logRefusal(what, fields, err);
          throw err;
        }
        if (attempt >= attempts) {
          opts.logger.error(`${what} failed`, { ...fields, attempts: attempt, err });
          throw err;
        }
      }
    }
  };

  // Per-share values that repeat: a connection's shares name the same worker, and a read's
  // shares the same millisecond. Reusing them spares a split and a BigInt per share.
  let lastIdentity = '';
  let lastSplit = splitIdentity('');
  let lastTimestamp = -1;
  let lastAcceptedAt = 0n;

  // The share-log message the newest shares went into, and the confirmation built on it.
  let lastLogged: Promise<void> | undefined;
  let lastConfirmation: Promise<void> | undefined;
  let lastRecords: ShareRecord[] = [];

  return {
    get inFlight() {
      return pending.size;
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    onShare(share: AcceptedShare): Confirmation {
      if (share.userIdentity !== lastIdentity) {
        lastIdentity = share.userIdentity;
        lastSplit = splitIdentity(lastIdentity);
      }
      if (share.timestamp !== lastTimestamp) {
        lastTimestamp = share.timestamp;
        lastAcceptedAt = BigInt(lastTimestamp);
      }
      const record: ShareRecord = {
        shareId: '', // derived from jobId and nonce by readers (decodeShareMessage)
        user: lastSplit.user,
        worker: lastSplit.worker,
        jobId: share.jobId,
        difficulty: Number(share.difficulty),
        isBlock: share.isBlock,
        acceptedAt: lastAcceptedAt,
        replica: opts.replica,
        channelId: share.channelId,
        nonce: share.nonce,
      };
      const logged = opts.shareLog.append(record);
      if (logged !== lastLogged) {
        // A new share-log message: one confirmation (and retry loop) for all its shares.
        const records: ShareRecord[] = (lastRecords = []);
        lastLogged = logged;
        lastConfirmation = track(
          logged.catch((err: unknown) =>
            retrying(
              'share log append',
              {
                shares: records.length,
                firstShareId: records[0] && shareIdFor(records[0].jobId, records[0].nonce),
              },
              () => Promise.all(records.map((r) => opts.shareLog.append(r))).then(noop),
              err,
            ),
          ),
        );
        if (local) void lastConfirmation.catch(noop);
      }
      lastRecords.push(record);
      return local ? undefined : lastConfirmation;
    },
    onBlock(block: BlockCandidate): Confirmation {
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
      const submitted = track(
        retrying('block submit', fields, async () => {
          const reply = await opts.submitBlock(solved);
          opts.logger.info(reply.accepted ? 'block accepted' : 'block not accepted', { ...fields, ...reply });
          return reply;
        }),
      );
      const logged = track(
        retrying('block candidate log', fields, () => logBlockCandidate(opts.bus, opts.topics, solved)),
      );
      const confirmation = logged.catch(async (err: unknown) => {
        const reply = await submitted.catch(() => undefined);
        if (!reply?.accepted) throw err;
      });
      void submitted.catch(noop);
      if (local) {
        void confirmation.catch(noop);
        return undefined;
      }
      return confirmation;
    },
  };
}

function noop(): void {}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
