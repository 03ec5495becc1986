/**
 * Block maker: turns a solved share into a CKB block and gets it accepted.
 *
 * Two inputs, handled identically and idempotently (key: share id = job id + nonce):
 * - gRPC BlockMaker.SubmitBlock from a stratum replica (fast path);
 * - the block-candidates topic, which every replica writes before/with that call
 *   (backstop: a replica dying right after finding a block loses nothing).
 * The template comes from the PoolStore (stored by the job maker under the job id). The
 * block is submitted with retries until the node accepts it, the chain provably moved past
 * it (stale), the node rejected it three times, or `blockmaker.submitDeadlineMs` passed.
 * Every outcome is recorded once (PoolStore + blocks topic).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import {
  BlockMakerService,
  SolvedBlock,
  type FoundBlock,
  type SubmitBlockReply,
} from '../../../proto/gen/blocks.js';
import { publishFoundBlock, shareIdFor } from '../bus/records.js';
import { poolTopics } from '../bus/topics.js';
import { CkbRpcRemoteError } from '../ckb/errors.js';
import { classifyBlock, placementReason, type ChainPlacement } from '../ckb/block-status.js';
import { lookUpBlock } from '../ckb-node/look-up-block.js';
import { headerHashOf, nonceFromBytes } from '../ckb/header.js';
import { bytesToHex } from '../ckb/hex.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import type { BlockTemplate, JsonBlock } from '../ckb/types.js';
import { blockFromWork, verifyPow, workFromTemplate, type Work } from '../ckb/work.js';
import type { PoolConfig } from '../config/schema.js';
import type { PoolStore } from '../store/types.js';
import { serviceRegistry } from '../observability/metrics.js';
import { identityError } from '../stratum/identity.js';
import type { BlockSink } from './clients.js';
import { readServiceTls, readServiceToken, startGrpcServer, type GrpcServer } from './grpc.js';
import {
  dependencyChecks,
  dependencyGauge,
  maybeHealthServer,
  nodeClient,
  readiness,
  type ServiceDeps,
  type ServiceHandle,
} from './runtime.js';

export interface BlockmakerDeps extends ServiceDeps {
  /** CKB node client (default: one built from `ckb.*`). */
  rpc?: CkbRpcClient;
}

export interface BlockmakerHandle extends ServiceHandle {
  /** In-process block submission (what the gRPC BlockMaker serves). */
  readonly blocks: BlockSink;
  readonly grpcPort: number | undefined;
}

/** How many node verdicts (JSON-RPC errors) make a block rejected rather than retried. */
const MAX_NODE_REJECTIONS = 3;

/** FoundBlock.status values the block maker records; see docs/services.md ("Block outcomes"). */
export type BlockOutcomeStatus = 'accepted' | 'side' | 'submitted' | 'stale' | 'rejected';

type Outcome =
  | { status: 'accepted'; hash: string }
  | { status: 'side' | 'submitted'; hash: string; reason: string }
  | { status: 'stale' | 'rejected'; reason: string };

/** Estimated reward: the cellbase capacity of the template, in shannons. */
function cellbaseCapacity(t: BlockTemplate): bigint {
  return t.cellbase.data.outputs.reduce((sum, o) => sum + BigInt(o.capacity), 0n);
}

function blockMetrics(registry: Registry) {
  return {
    blocks: new Counter({
      name: 'eaglepool_blockmaker_blocks_total',
      help: 'Block candidates by outcome (accepted, stale, rejected).',
      labelNames: ['status'],
      registers: [registry],
    }),
    candidates: new Counter({
      name: 'eaglepool_blockmaker_candidates_total',
      help: 'Block candidates received, by source (grpc, log) and whether already handled.',
      labelNames: ['source', 'duplicate'],
      registers: [registry],
    }),
    invalid: new Counter({
      name: 'eaglepool_blockmaker_invalid_candidates_total',
      help: 'SubmitBlock calls refused as not a block candidate (nothing recorded).',
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'eaglepool_blockmaker_submit_attempts_total',
      help: 'submit_block calls by result (ok, node-error, transport-error).',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

function reply(found: FoundBlock): SubmitBlockReply {
  return {
    accepted: found.status === 'accepted',
    blockHash: found.blockHash,
    reason: found.status === 'accepted' ? '' : `${found.status}: ${found.reason}`,
    status: found.status,
  };
}

/** The block's work and nonce, or why the candidate cannot be a block (never throws). */
function check(
  solved: SolvedBlock,
  templateJson: string,
): { work: Work; template: BlockTemplate; nonce: bigint } | { reason: string } {
  if (solved.nonce.length !== 16) return { reason: `nonce is ${solved.nonce.length} bytes, not 16` };
  let template: BlockTemplate;
  let work: Work;
  try {
    template = JSON.parse(templateJson) as BlockTemplate;
    work = workFromTemplate(template);
  } catch (err) {
    return { reason: `cached template for job ${solved.jobId} is unusable: ${(err as Error).message}` };
  }
  if (Buffer.compare(work.powHash, solved.powHash) !== 0)
    return { reason: 'pow_hash does not match the job' };
  const nonce = nonceFromBytes(solved.nonce);
  if (!verifyPow(work.powHash, nonce, work.target))
    return { reason: 'hash does not meet the network target' };
  return { work, template, nonce };
}

/**
 * Why a SubmitBlock call is not a block candidate of this pool, or undefined: a caller's garbage
 * (wrong sizes, a share id not derived from job and nonce, a bad user name, an unknown job, a
 * hash that misses the network target) is refused before anything is recorded.
 */
async function candidateError(store: PoolStore, solved: SolvedBlock): Promise<string | undefined> {
  if (solved.nonce.length !== 16) return `nonce is ${solved.nonce.length} bytes, not 16`;
  if (solved.powHash.length !== 32) return `pow_hash is ${solved.powHash.length} bytes, not 32`;
  if (solved.shareId !== '' && solved.shareId !== shareIdFor(solved.jobId, solved.nonce))
    return 'share_id is not <job_id>:<nonce hex>';
  const user = identityError(solved.worker ? `${solved.user}.${solved.worker}` : solved.user);
  if (user !== undefined) return user;
  const templateJson = await store.getTemplate(solved.jobId);
  if (templateJson === undefined) return `unknown job ${solved.jobId}`;
  const checked = check(solved, templateJson);
  return 'reason' in checked ? checked.reason : undefined;
}

export async function startBlockmaker(config: PoolConfig, deps: BlockmakerDeps): Promise<BlockmakerHandle> {
  const { store, bus } = deps;
  const logger = deps.logger.child({ component: 'blockmaker' });
  const topics = poolTopics(config.kafka.topicPrefix);
  const registry = serviceRegistry();
  const m = blockMetrics(registry);
  const node = nodeClient(config, deps.rpc, registry);
  const rpc = node.rpc;
  const inflight = new Map<string, Promise<SubmitBlockReply>>();
  const abort = new AbortController();
  dependencyGauge('blockmaker', registry, deps);

  // The timer's abort listener goes away with the timer (a listener per retry warned during outages).
  const sleep = (ms: number) => delay(ms, undefined, { signal: abort.signal }).catch(() => undefined);

  /** Where the block stands on the node's chain; undefined while the node cannot be read. */
  async function place(work: Work, hash: string): Promise<ChainPlacement | undefined> {
    try {
      return classifyBlock(work.number, hash, await lookUpBlock(rpc, work.number, hash));
    } catch (err) {
      logger.warn('cannot read the chain after submit_block', { number: work.number, error: String(err) });
      return undefined;
    }
  }

  /**
   * Submits until the chain places the block: `accepted` (main chain) or `side` (the node keeps it off
   * the main chain) from the chain's own answer, `stale` when the node does not have it and another
   * block holds the height, `rejected` after three node verdicts, or the deadline.
   */
  async function submitWithRetries(work: Work, block: JsonBlock, nonce: bigint): Promise<Outcome> {
    const deadline = Date.now() + config.blockmaker.submitDeadlineMs;
    const hash = bytesToHex(headerHashOf({ ...work.header, nonce }));
    let rejections = 0;
    let answered = false;
    for (;;) {
      let failure: Error | undefined;
      try {
        const returned = await rpc.submitBlock(work.workId, block);
        m.attempts.inc({ result: 'ok' });
        answered = true;
        if (returned.toLowerCase() !== hash)
          logger.error('submit_block returned another hash', { number: work.number, hash, returned });
      } catch (err) {
        failure = err as Error;
        m.attempts.inc({ result: err instanceof CkbRpcRemoteError ? 'node-error' : 'transport-error' });
        logger.warn('submit_block failed', { number: work.number, error: failure.message });
      }
      const placed = await place(work, hash);
      if (placed?.placement === 'main') return { status: 'accepted', hash };
      if (placed?.placement === 'side')
        return { status: 'side', hash, reason: placementReason(work.number, placed) };
      if (placed?.placement === 'stale')
        return { status: 'stale', reason: placementReason(work.number, placed) };
      if (failure instanceof CkbRpcRemoteError && ++rejections >= MAX_NODE_REJECTIONS) {
        return { status: 'rejected', reason: failure.rpcMessage };
      }
      // Stopping: leave it unrecorded; the candidate log redelivers it to the next block maker.
      if (abort.signal.aborted) throw new Error('block maker stopping', { cause: failure });
      if (Date.now() >= deadline) {
        const why = failure?.message ?? (placed ? placementReason(work.number, placed) : 'chain unreadable');
        // The node took it at least once: only the chain can settle it now (the block tracker reads it).
        if (answered) return { status: 'submitted', hash, reason: `chain not read in time: ${why}` };
        return {
          status: 'rejected',
          reason: `gave up after ${config.blockmaker.submitDeadlineMs} ms: ${why}`,
        };
      }
      await sleep(config.blockmaker.retryIntervalMs);
    }
  }

  async function handle(solved: SolvedBlock, shareId: string): Promise<SubmitBlockReply> {
    const known = await store.blockByShare(shareId);
    if (known) return reply(known);
    const found: FoundBlock = {
      blockHash: '',
      number: 0n,
      jobId: solved.jobId,
      shareId,
      user: solved.user,
      worker: solved.worker,
      foundAt: solved.foundAt,
      reward: '0',
      status: 'rejected',
      reason: '',
    };
    const templateJson = await store.getTemplate(solved.jobId);
    let outcome: Outcome;
    if (templateJson === undefined) {
      outcome = {
        status: 'rejected',
        reason: `unknown job ${solved.jobId} (template expired or never stored)`,
      };
    } else {
      const checked = check(solved, templateJson);
      if ('reason' in checked) outcome = { status: 'rejected', reason: checked.reason };
      else {
        const { work, template, nonce } = checked;
        found.number = work.number;
        found.reward = cellbaseCapacity(template).toString();
        outcome = await submitWithRetries(work, blockFromWork(work, nonce), nonce);
      }
    }
    if ('hash' in outcome) found.blockHash = outcome.hash;
    if ('reason' in outcome) found.reason = outcome.reason;
    found.status = outcome.status;
    // Published before it is recorded: if either fails the candidate is handled again (at-least-once
    // on the blocks topic, keyed by block hash), never recorded yet missing from the topic.
    await publishFoundBlock(bus, topics, found);
    if (await store.recordBlock(found)) {
      m.blocks.inc({ status: found.status });
      const log = found.status === 'accepted' ? logger.info : logger.warn;
      log(`block ${found.status}`, { ...found });
    }
    return reply((await store.blockByShare(shareId)) ?? found);
  }

  /** Idempotent entry point for both sources. Rejects only on infrastructure failure (store/bus). */
  function submit(solved: SolvedBlock, source: 'grpc' | 'log' | 'local'): Promise<SubmitBlockReply> {
    const shareId = solved.shareId || shareIdFor(solved.jobId, solved.nonce);
    const running = inflight.get(shareId);
    m.candidates.inc({ source, duplicate: String(running !== undefined) });
    if (running) return running;
    const p = handle(solved, shareId).finally(() => inflight.delete(shareId));
    inflight.set(shareId, p);
    return p;
  }

  const backstop = await bus.subscribe({
    topic: topics.blockCandidates,
    groupId: `${config.kafka.topicPrefix}-blockmaker`,
    fromBeginning: true,
    handler: async (batch) => {
      for (const msg of batch) {
        let solved: SolvedBlock;
        try {
          solved = SolvedBlock.decode(msg.value);
        } catch (err) {
          logger.error('skipping malformed block candidate record', { offset: msg.offset, err });
          continue;
        }
        await submit(solved, 'log');
      }
    },
  });

  let grpc: GrpcServer | undefined;
  if (deps.listen !== false) {
    grpc = await startGrpcServer(
      config.blockmaker.grpcListen,
      BlockMakerService,
      {
        submitBlock: (
          call: ServerUnaryCall<SolvedBlock, SubmitBlockReply>,
          callback: sendUnaryData<SubmitBlockReply>,
        ) => {
          candidateError(store, call.request)
            .then((invalid) => {
              if (invalid === undefined) return submit(call.request, 'grpc').then((r) => callback(null, r));
              m.invalid.inc();
              callback({ code: grpcStatus.INVALID_ARGUMENT, details: `not a block candidate: ${invalid}` });
            })
            .catch((err: Error) => callback({ code: grpcStatus.UNAVAILABLE, details: err.message }));
        },
      },
      { token: readServiceToken(config.services.tokenFile), tls: readServiceTls(config.services), logger },
    );
  }

  const ready = () => readiness(dependencyChecks(deps));
  const health = await maybeHealthServer(
    deps,
    { host: config.healthHost, port: config.blockmaker.healthPort },
    registry,
    ready,
  );
  logger.info('blockmaker started', { grpcPort: grpc?.port, healthPort: health?.port });

  return {
    registry,
    blocks: { submitBlock: (block) => submit(block, 'local') },
    grpcPort: grpc?.port,
    healthPort: health?.port,
    ready,
    stop: async () => {
      await grpc?.stop();
      await backstop.stop();
      // In-flight blocks finish their current attempt; retries stop unrecorded (the log redelivers them).
      abort.abort();
      await Promise.allSettled([...inflight.values()]);
      await health?.stop();
      node.release();
      logger.info('blockmaker stopped');
    },
  };
}
