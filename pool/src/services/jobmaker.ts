/**
 * Job maker: follows the CKB node and turns block templates into mining jobs.
 *
 * Leadership: several replicas may run; the one holding the Redis lease `jobmaker-leader`
 * (SET PX, renewed every TTL/3) polls the node and produces jobs. Every replica, leader
 * included, also consumes the jobs topic and serves the newest job to its own gRPC
 * subscribers, so stratum replicas can connect to any job maker pod (hot standby).
 *
 * For each job the leader stores the template in the PoolStore (key job_id, TTL
 * `jobmaker.templateTtlMs`) BEFORE publishing the job, so the block maker can always
 * build a block for a job a miner has seen.
 *
 * The pool's own blocks retire the job at once: the leader follows the blocks topic and takes each
 * block the block maker recorded as on the main chain (`accepted`) for the new tip, as the in-process
 * `pool dev` does through `noteTip`, without waiting for the node's push or the next poll.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Job, JobStreamService, type SubscribeRequest } from '../../../proto/gen/jobs.js';
import { FoundBlock, publishJob } from '../bus/records.js';
import { poolTopics } from '../bus/topics.js';
import { bytesToHex } from '../ckb/hex.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import { targetToBytesBE, targetToDifficulty } from '../ckb/target.js';
import type { TipWatcher } from '../ckb-node/tip-watcher.js';
import type { BlockTemplate } from '../ckb/types.js';
import { workFromTemplate } from '../ckb/work.js';
import type { PoolConfig } from '../config/schema.js';
import { serviceRegistry } from '../observability/metrics.js';
import { holdLease } from '../store/leases.js';
import { JobFanout, type JobSource } from './clients.js';
import { readServiceTls, readServiceToken, startGrpcServer, type GrpcServer } from './grpc.js';
import { nodeSyncChecker } from './node-sync.js';
import {
  dependencyChecks,
  dependencyGauge,
  maybeHealthServer,
  nodeClient,
  readiness,
  type ServiceDeps,
  type ServiceHandle,
} from './runtime.js';

export const JOBMAKER_LEASE = 'jobmaker-leader';

export interface JobmakerDeps extends ServiceDeps {
  /** CKB node client (default: one built from `ckb.*`, its metrics in the service registry). */
  rpc?: CkbRpcClient;
}

export interface JobmakerHandle extends ServiceHandle {
  /** In-process job stream (what the gRPC JobStream serves). */
  readonly jobs: JobSource;
  /** Port of the gRPC JobStream server, when listening. */
  readonly grpcPort: number | undefined;
  isLeader(): boolean;
  /** Leader only: fetch a template now and publish a job if it is new work (tests, tip events). */
  refresh(): Promise<void>;
  /**
   * A new tip learnt outside the tip watcher (the pool's own block on the main chain): the current
   * job is stale at once, and templates are refetched until one builds on this tip.
   */
  noteTip(hash: string, number: bigint): void;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** The newest tip the job maker knows of. */
export interface KnownTip {
  hash: string;
  number: bigint;
}

/**
 * Whether a template is older than the tip: it builds on another block and is not for a later
 * height. The node can answer a template for the previous tip for a while after a new one (ckb resets
 * its template cache asynchronously after the push; after a restart, until its next tip).
 */
export function templateBehindTip(template: BlockTemplate, tip: KnownTip | undefined): boolean {
  if (!tip || template.parent_hash.toLowerCase() === tip.hash) return false;
  return BigInt(template.number) <= tip.number + 1n;
}

/** Refetch delays while the template is behind the tip: 10 ms doubling to 500 ms. */
const BEHIND_FIRST_MS = 10;
const BEHIND_MAX_MS = 500;
/** After this long behind the tip the job maker warns (a node restart race, see docs/services.md). */
const BEHIND_WARN_MS = 3000;

function jobMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'eaglepool_jobmaker_jobs_total',
      help: 'Jobs produced (leader).',
      labelNames: ['clean'],
      registers: [registry],
    }),
    templateErrors: new Counter({
      name: 'eaglepool_jobmaker_template_errors_total',
      help: 'Failed get_block_template rounds.',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'eaglepool_jobmaker_leader',
      help: '1 while this replica holds the leader lease.',
      registers: [registry],
    }),
    nodeUp: new Gauge({
      name: 'eaglepool_jobmaker_node_up',
      help: '1 if the last template fetch succeeded.',
      registers: [registry],
    }),
    height: new Gauge({
      name: 'eaglepool_jobmaker_height',
      help: 'Block number of the current job.',
      registers: [registry],
    }),
    nodeSynced: new Gauge({
      name: 'eaglepool_jobmaker_node_synced',
      help: '1 if the node is out of initial block download and within jobmaker.maxNodeLagBlocks of its peers (leader).',
      registers: [registry],
    }),
    nodeTip: new Gauge({
      name: 'eaglepool_jobmaker_node_tip_number',
      help: "The node's tip block number (leader).",
      registers: [registry],
    }),
    nodeBest: new Gauge({
      name: 'eaglepool_jobmaker_node_best_known_number',
      help: 'The best block number the node knows from its peers (leader).',
      registers: [registry],
    }),
    behind: new Counter({
      name: 'eaglepool_jobmaker_templates_behind_tip_total',
      help: 'Templates fetched that did not build on the known tip (refetched).',
      registers: [registry],
    }),
    behindSince: new Gauge({
      name: 'eaglepool_jobmaker_template_behind_tip_seconds',
      help: 'How long the node has been answering templates older than its tip (0 when it follows).',
      registers: [registry],
    }),
  };
}

export async function startJobmaker(config: PoolConfig, deps: JobmakerDeps): Promise<JobmakerHandle> {
  const { store, bus } = deps;
  const logger = deps.logger.child({ component: 'jobmaker' });
  const topics = poolTopics(config.kafka.topicPrefix);
  const registry = serviceRegistry();
  const m = jobMetrics(registry);
  const node = nodeClient(config, deps.rpc, registry);
  const rpc = node.rpc;
  const nodeSync = nodeSyncChecker(rpc, config.jobmaker.maxNodeLagBlocks, config.jobmaker.syncCheckMs);
  let syncProblem: string | undefined;
  let lastTemplateAt: number | undefined;
  const fanout = new JobFanout(logger);
  let stopping = false;

  new Gauge({
    name: 'eaglepool_jobmaker_job_age_seconds',
    help: 'Age of the current job.',
    registers: [registry],
    collect() {
      const job = fanout.current();
      this.set(job ? (Date.now() - Number(job.createdAt)) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'eaglepool_jobmaker_subscribers',
    help: 'Open JobStream subscriptions (gRPC and in-process).',
    registers: [registry],
    collect() {
      this.set(fanout.subscribers);
    },
  });
  new Gauge({
    name: 'eaglepool_jobmaker_template_age_seconds',
    help: 'Seconds since the last successful get_block_template (leader; 0 before the first).',
    registers: [registry],
    collect() {
      this.set(lastTemplateAt === undefined ? 0 : (Date.now() - lastTemplateAt) / 1000);
    },
  });
  dependencyGauge('jobmaker', registry, deps);

  const accept = (job: Job) => {
    const current = fanout.current();
    if (current && job.jobId <= current.jobId) return;
    m.height.set(Number(job.number));
    fanout.publish(job);
  };

  // --- leader: template → job ---------------------------------------------------------
  let lastWorkId: string | undefined;
  let refreshing: Promise<void> | undefined;
  let again = false;
  let tip: KnownTip | undefined;
  let behindSince: number | undefined;
  let warnedBehind = false;

  /** False (and logged once per episode) while the node must not be mined on. */
  const nodeServable = async (): Promise<boolean> => {
    const sync = await nodeSync();
    m.nodeSynced.set(sync.serve ? 1 : 0);
    m.nodeTip.set(Number(sync.tip));
    m.nodeBest.set(Number(sync.best));
    if (!sync.serve && syncProblem === undefined)
      logger.warn('node not synced: serving no jobs from it', { reason: sync.reason });
    if (sync.serve && syncProblem !== undefined) logger.info('node synced: serving jobs', { tip: sync.tip });
    syncProblem = sync.serve ? undefined : sync.reason;
    return sync.serve;
  };

  const noteTip = (hash: string, number: bigint, fromWatcher: boolean) => {
    hash = hash.toLowerCase();
    if (tip?.hash === hash) return;
    // The watcher reports the node's tip as it is (a reorg may lower it); a found block only raises it.
    if (!fromWatcher && tip && number <= tip.number) return;
    tip = { hash, number };
    const current = fanout.current();
    if (current && bytesToHex(current.parentHash) !== hash)
      logger.debug('tip moved: current job is stale', { jobId: current.jobId, tip: hash, number });
    void refresh();
  };

  /** One template → job round; 'behind' when the template did not build on the known tip. */
  const produce = async (): Promise<'done' | 'behind'> => {
    let template: BlockTemplate;
    try {
      if (!(await nodeServable())) return 'done';
      template = await rpc.getBlockTemplate();
      lastTemplateAt = Date.now();
      m.nodeUp.set(1);
    } catch (err) {
      m.nodeUp.set(0);
      m.templateErrors.inc();
      logger.warn('get_block_template failed', { err });
      return 'done';
    }
    if (templateBehindTip(template, tip)) {
      m.behind.inc();
      behindSince ??= Date.now();
      const behindMs = Date.now() - behindSince;
      m.behindSince.set(behindMs / 1000);
      if (behindMs >= BEHIND_WARN_MS && !warnedBehind) {
        warnedBehind = true;
        logger.warn('the node keeps answering a template older than its tip (restart race?): refetching', {
          tip,
          templateParent: template.parent_hash,
          templateNumber: template.number,
        });
      }
      return 'behind';
    }
    if (behindSince !== undefined) {
      logger.info('template follows the tip again', { tip, behindMs: Date.now() - behindSince });
      behindSince = undefined;
      warnedBehind = false;
      m.behindSince.set(0);
    }
    const work = workFromTemplate(template);
    const current = fanout.current();
    const clean =
      !current || !sameBytes(current.parentHash, work.parentHash) || current.number !== work.number;
    if (!clean) {
      if (work.workId === lastWorkId) return 'done';
      if (Date.now() - Number(current.createdAt) < config.jobmaker.refreshMs) return 'done';
    }
    if (!lease.held() || stopping) return 'done';
    const jobId = await store.nextJobId(current?.jobId);
    await store.putTemplate(jobId, JSON.stringify(template), config.jobmaker.templateTtlMs);
    const job: Job = {
      jobId,
      workId: work.workId,
      powHash: work.powHash,
      target: targetToBytesBE(work.target),
      compactTarget: work.compactTarget,
      parentHash: work.parentHash,
      number: work.number,
      timestamp: work.timestamp,
      version: work.version,
      createdAt: BigInt(Date.now()),
      clean,
    };
    lastWorkId = work.workId;
    accept(job);
    m.jobs.inc({ clean: String(clean) });
    logger.info('new job', { jobId, number: work.number, workId: work.workId, clean });
    await Promise.all([
      publishJob(bus, topics, job),
      store.setNetwork({ difficulty: Number(targetToDifficulty(work.target)), height: work.number }),
    ]);
    return 'done';
  };

  /**
   * Runs produce() once at a time; a request during a run triggers one more run after it. While the
   * template is behind the tip it refetches (10 ms doubling to 500 ms) until one builds on the tip.
   */
  const refresh = (): Promise<void> => {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      let wait = BEHIND_FIRST_MS;
      do {
        again = false;
        let result: 'done' | 'behind' = 'done';
        try {
          result = await produce();
        } catch (err) {
          logger.error('job production failed', { err });
        }
        if (result === 'behind' && lease.held() && !stopping) {
          await delay(wait);
          wait = Math.min(wait * 2, BEHIND_MAX_MS);
          again = true;
        }
      } while (again && !stopping);
    })().finally(() => (refreshing = undefined));
    return refreshing;
  };

  let watcher: TipWatcher | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  const lead = (leading: boolean) => {
    m.leader.set(leading ? 1 : 0);
    logger.info(
      leading ? 'leader lease acquired: producing jobs' : 'not the leader: following the jobs topic',
      {
        instance: config.instanceId,
      },
    );
    if (leading) {
      watcher = rpc.watchTip({
        subscriptionUrl: config.ckb.subscribeUrl,
        pollIntervalMs: config.ckb.pollIntervalMs,
      });
      watcher.on('tip', (header) => noteTip(header.hash, BigInt(header.number), true));
      watcher.on('error', (err) => logger.debug('tip watcher error', { err }));
      pollTimer = setInterval(() => void refresh(), config.ckb.pollIntervalMs);
      void refresh();
    } else {
      watcher?.stop();
      watcher = undefined;
      clearInterval(pollTimer);
    }
  };
  const lease = holdLease(store, {
    name: JOBMAKER_LEASE,
    holder: config.instanceId,
    ttlMs: config.jobmaker.leaseTtlMs,
    onChange: lead,
    onError: (err) => logger.warn('leader lease renewal failed', { err }),
  });

  // --- every replica: follow the jobs topic ---------------------------------------------
  const follow = await bus.subscribe({
    topic: topics.jobs,
    groupId: `${config.kafka.topicPrefix}-jobmaker-${config.instanceId}`,
    fromBeginning: false,
    tail: 1, // only the newest job matters: no replay of the topic after a restart

    handler: async (batch) => {
      let newest: Job | undefined;
      for (const msg of batch) {
        let job: Job;
        try {
          job = Job.decode(msg.value);
        } catch (err) {
          logger.warn('skipping malformed job record', { offset: msg.offset, err });
          continue;
        }
        if (!newest || job.jobId > newest.jobId) newest = job;
      }
      // Jobs older than the template TTL cannot become blocks any more (replayed history).
      if (newest && Date.now() - Number(newest.createdAt) < config.jobmaker.templateTtlMs) accept(newest);
    },
  });

  // --- the pool's own blocks: the block maker's main-chain outcomes move the tip ----------
  const ownBlocks = await bus.subscribe({
    topic: topics.blocks,
    groupId: `${config.kafka.topicPrefix}-jobmaker-blocks-${config.instanceId}`,
    fromBeginning: false,
    tail: 1, // only the newest block matters, as for jobs
    handler: async (batch) => {
      for (const msg of batch) {
        let block: FoundBlock;
        try {
          block = FoundBlock.decode(msg.value);
        } catch (err) {
          logger.warn('skipping malformed block record', { offset: msg.offset, err });
          continue;
        }
        const fresh = Date.now() - Number(block.foundAt) < config.jobmaker.templateTtlMs;
        if (block.status === 'accepted' && block.blockHash && fresh && lease.held())
          noteTip(block.blockHash, block.number, false);
      }
    },
  });

  // --- gRPC JobStream -----------------------------------------------------------------
  const calls = new Set<ServerWritableStream<SubscribeRequest, Job>>();
  let grpc: GrpcServer | undefined;
  if (deps.listen !== false) {
    grpc = await startGrpcServer(
      config.jobmaker.grpcListen,
      JobStreamService,
      {
        subscribe: (call: ServerWritableStream<SubscribeRequest, Job>) => {
          calls.add(call);
          logger.info('job stream subscriber', { subscriber: call.request.subscriber, peer: call.getPeer() });
          const off = fanout.subscribe((job) => call.write(job));
          const done = () => {
            off();
            calls.delete(call);
          };
          call.on('cancelled', done);
          call.on('close', done);
          call.on('error', done);
        },
      },
      { token: readServiceToken(config.services.tokenFile), tls: readServiceTls(config.services), logger },
    );
  }

  const ready = () =>
    readiness({
      job: fanout.current() !== undefined,
      'node-synced': syncProblem === undefined,
      ...dependencyChecks(deps),
    });
  const health = await maybeHealthServer(
    deps,
    { host: config.healthHost, port: config.jobmaker.healthPort },
    registry,
    ready,
  );
  logger.info('jobmaker started', { grpcPort: grpc?.port, healthPort: health?.port });

  return {
    registry,
    jobs: fanout,
    grpcPort: grpc?.port,
    healthPort: health?.port,
    ready,
    isLeader: () => lease.held(),
    refresh,
    noteTip: (hash, number) => noteTip(hash, number, false),
    stop: async () => {
      stopping = true;
      await lease.release(); // stops producing (onChange(false)) and frees the lease for a standby
      await refreshing;
      for (const call of calls) call.end();
      await grpc?.stop();
      await follow.stop();
      await ownBlocks.stop();
      await health?.stop();
      node.release();
      logger.info('jobmaker stopped');
    },
  };
}
