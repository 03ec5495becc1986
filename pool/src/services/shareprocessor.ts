/**
 * Share processor: consumes the shares topic (consumer group; several processors share its
 * partitions) and accounts every logged share exactly once in the PoolStore: each partition's
 * position (the next offset) is stored in the same atomic update as the accounting it derived
 * from, and an assigned partition resumes from it; keeping per-user and per-worker hashrate windows and the PPLNS window. Serves
 * the pool's HTTP JSON API:
 *   GET /api/pool                    pool totals, hashrate, network, PPLNS window
 *   GET /api/workers/:user           one user's totals and workers
 *   GET /api/blocks[?limit=N]        found blocks, newest first
 * the money routes of api/money.ts (balances, payments, wallet, a block's PPLNS allocation; read
 * from the payouts ledger) and the miners' web dashboard with its live event stream and /api/openapi.json (api/dashboard.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createDashboard, type Dashboard } from '../api/dashboard.js';
import { moneyRoute, withLifecycle } from '../api/money.js';
import type { LedgerStore } from '../ledger/store.js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ShareRecord } from '../../../proto/gen/shares.js';
import { decodeShareMessage } from '../bus/records.js';
import { poolTopics } from '../bus/topics.js';
import { parseHostPort } from '../config/fields.js';
import type { PoolConfig } from '../config/schema.js';
import { closeHttp, listenHttp } from '../observability/health.js';
import { serviceRegistry } from '../observability/metrics.js';
import { shareLogPartition, type AccountingOptions, type ShareLogRun } from '../store/types.js';
import type { BusMessage } from '../bus/types.js';
import {
  dependencyChecks,
  dependencyGauge,
  maybeHealthServer,
  readiness,
  type ServiceDeps,
  type ServiceHandle,
} from './runtime.js';

export interface ShareprocessorDeps extends ServiceDeps {
  /** The payouts ledger the money routes read (balances, payments, wallet, block lifecycle). */
  ledger?: LedgerStore;
}

export interface ShareprocessorHandle extends ServiceHandle {
  /** Port of the HTTP API, when listening. */
  readonly httpPort: number | undefined;
  /** Shares newly accounted by this instance (duplicates excluded). */
  accounted(): number;
  /** The HTTP API and dashboard as a request handler (`pool dev` serves it on its own port). */
  handleHttp(req: IncomingMessage, res: ServerResponse): void;
  readonly dashboard: Dashboard;
}

/** Shares per atomic accounting call (one Lua script run in Redis), at message boundaries. */
const CHUNK = 500;

/**
 * Splits a batch of one partition into runs of whole messages of about CHUNK shares (a message
 * is never split: the store's position is a message offset). A message that does not decode
 * stays in its run with no shares, so the position still moves past it.
 */
function shareLogRuns(
  batch: readonly BusMessage[],
  onMalformed: (msg: BusMessage, err: unknown) => void,
): ShareLogRun[] {
  const runs: ShareLogRun[] = [];
  let run: ShareLogRun['messages'][number][] = [];
  let size = 0;
  const flush = () => {
    if (run.length > 0)
      runs.push({ partition: shareLogPartition(batch[0]!.topic, batch[0]!.partition), messages: run });
    run = [];
    size = 0;
  };
  for (const msg of batch) {
    let shares: ShareRecord[] = [];
    try {
      shares = decodeShareMessage(msg.value);
    } catch (err) {
      onMalformed(msg, err);
    }
    if (size > 0 && size + shares.length > CHUNK) flush();
    run.push({ offset: Number(msg.offset), shares });
    size += shares.length;
  }
  flush();
  return runs;
}
const NETWORK_REFRESH_MS = 10_000;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json' }).end(text);
}

function shareMetrics(registry: Registry) {
  return {
    accounted: new Counter({
      name: 'eaglepool_shareprocessor_shares_total',
      help: 'Shares consumed, by result (accounted, duplicate, malformed).',
      labelNames: ['result'],
      registers: [registry],
    }),
    blocks: new Counter({
      name: 'eaglepool_shareprocessor_block_shares_total',
      help: 'Block shares accounted.',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'eaglepool_shareprocessor_accounting_seconds',
      help: 'Duration of one atomic accounting call.',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    lagMs: new Gauge({
      name: 'eaglepool_shareprocessor_share_age_ms',
      help: 'Age of the newest share of the last batch when it was accounted (consumer lag).',
      registers: [registry],
    }),
  };
}

export async function startShareprocessor(
  config: PoolConfig,
  deps: ShareprocessorDeps,
): Promise<ShareprocessorHandle> {
  const { store, bus, ledger } = deps;
  const logger = deps.logger.child({ component: 'shareprocessor' });
  const cfg = config.shareprocessor;
  const topics = poolTopics(config.kafka.topicPrefix);
  const registry = serviceRegistry();
  const m = shareMetrics(registry);
  let accounted = 0;
  dependencyGauge('shareprocessor', registry, deps);
  new Gauge({
    name: 'eaglepool_shareprocessor_pool_hashrate',
    help: 'Pool hashrate over shareprocessor.hashrateWindowSec (hashes/s).',
    registers: [registry],
    async collect() {
      this.set((await store.poolStats(Date.now(), cfg.hashrateWindowSec)).hashrate);
    },
  });

  new Gauge({
    name: 'eaglepool_shareprocessor_network_difficulty',
    help: 'Network difficulty the share processor last recorded (expected hashes per block); 0 if unknown.',
    registers: [registry],
    async collect() {
      this.set((await store.getNetwork())?.difficulty ?? 0);
    },
  });

  let window = { value: cfg.pplnsMinWindow, at: 0 };
  const pplnsWindow = async (): Promise<number> => {
    if (Date.now() - window.at > NETWORK_REFRESH_MS) {
      const network = await store.getNetwork();
      const value = network
        ? Math.max(cfg.pplnsMinWindow, cfg.pplnsFactor * network.difficulty)
        : cfg.pplnsMinWindow;
      window = { value, at: Date.now() };
    }
    return window.value;
  };

  const subscription = await bus.subscribe({
    topic: topics.shares,
    groupId: cfg.groupId ?? `${config.kafka.topicPrefix}-shareprocessor`,
    fromBeginning: true,
    // Exactly once: each partition resumes where the accounting in the store says, not where
    // the group's Kafka offsets say (they are a lag gauge only).
    startOffsets: async (partitions) => {
      const positions = new Map<number, number>();
      for (const p of partitions) {
        const at = await store.shareLogPosition(shareLogPartition(topics.shares, p));
        if (at !== undefined) positions.set(p, at);
      }
      return positions;
    },
    handler: async (batch) => {
      const runs = shareLogRuns(batch, (msg, err) => {
        m.accounted.inc({ result: 'malformed' });
        logger.error('skipping malformed share record', {
          partition: msg.partition,
          offset: msg.offset,
          err,
        });
      });
      const opts: AccountingOptions = {
        pplnsWindow: await pplnsWindow(),
        hashrateWindowSec: cfg.hashrateWindowSec,
      };
      let newest = 0n;
      for (const run of runs) {
        const end = m.batchSeconds.startTimer();
        const fresh = await store.accountShares(run, opts);
        end();
        accounted += fresh;
        let shares = 0;
        let blocks = 0;
        for (const msg of run.messages) {
          shares += msg.shares.length;
          for (const s of msg.shares) {
            if (s.isBlock) blocks++;
            if (s.acceptedAt > newest) newest = s.acceptedAt;
          }
        }
        m.accounted.inc({ result: 'accounted' }, fresh);
        m.accounted.inc({ result: 'duplicate' }, shares - fresh);
        if (blocks > 0) m.blocks.inc(blocks);
      }
      if (newest > 0n) m.lagMs.set(Date.now() - Number(newest));
    },
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return json(res, 405, { error: 'only GET' });
    let url: URL;
    let parts: string[];
    try {
      url = new URL(req.url ?? '/', 'http://api');
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      // e.g. a bad %-escape: the client's mistake, not an internal error worth a log line
      return json(res, 400, { error: 'malformed URL' });
    }
    if (parts[0] !== 'api') return json(res, 404, { error: 'not found' });
    const now = Date.now();
    if (parts.length === 2 && parts[1] === 'pool') {
      const [stats, network] = await Promise.all([
        store.poolStats(now, cfg.hashrateWindowSec),
        store.getNetwork(),
      ]);
      return json(res, 200, {
        ...stats,
        windowSec: cfg.hashrateWindowSec,
        pplnsWindow: await pplnsWindow(),
        network: network ?? null,
      });
    }
    if (parts.length === 3 && parts[1] === 'workers') {
      const stats = await store.userStats(parts[2]!, now, cfg.hashrateWindowSec);
      return stats
        ? json(res, 200, { ...stats, windowSec: cfg.hashrateWindowSec })
        : json(res, 404, { error: `unknown user ${parts[2]}` });
    }
    if (parts.length === 2 && parts[1] === 'blocks') {
      const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
      return json(res, 200, { blocks: await withLifecycle(await store.listBlocks(limit), ledger) });
    }
    const money = ledger && (await moneyRoute(ledger, parts.slice(1), url));
    if (money) return json(res, money.status, money.body);
    return json(res, 404, { error: 'not found' });
  }

  const dashboard = createDashboard({ store, ledger, config, logger });
  const handleHttp = (req: IncomingMessage, res: ServerResponse) => {
    if (dashboard.handle(req, res)) return;
    route(req, res).catch((err: unknown) => {
      logger.error('api request failed', { url: req.url, err });
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
    });
  };
  let api: Server | undefined;
  let httpPort: number | undefined;
  if (deps.listen !== false) {
    api = createServer(handleHttp);
    const { host, port } = parseHostPort(cfg.httpListen);
    httpPort = await listenHttp(api, port, host);
  }

  const ready = () => readiness(dependencyChecks(deps));
  const health = await maybeHealthServer(
    deps,
    { host: config.healthHost, port: cfg.healthPort },
    registry,
    ready,
  );
  logger.info('shareprocessor started', { httpPort, healthPort: health?.port });

  let stopped: Promise<void> | undefined;
  return {
    registry,
    httpPort,
    healthPort: health?.port,
    ready,
    accounted: () => accounted,
    handleHttp,
    dashboard,
    stop: () =>
      (stopped ??= (async () => {
        await subscription.stop();
        dashboard.close();
        if (api) await closeHttp(api);
        await health?.stop();
        logger.info('shareprocessor stopped');
      })()),
  };
}
