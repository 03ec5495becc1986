/**
 * `pool dev` in one process: the embedded CKB devnet (or a real node), the job maker, block
 * maker and share processor on an in-memory bus and store (or Kafka / Redis), the SV2 stratum
 * server over Noise on loopback TCP, and a demo CPU miner connected to it like any other miner.
 * With the embedded devnet it also runs the money path: the payouts service (block tracker,
 * ledger, payout transactions) with a fresh pool wallet key the devnet's block assembler pays,
 * and the demo miner mines under a fresh testnet address of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevHttp } from '../api/dev-http.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { serviceRegistry } from '../observability/metrics.js';
import { defaultRandom, generateAuthorityKeys, randomSecretKey } from '../sv2/noise/index.js';
import { createBus, poolTopics, createShareLog, type EventBus } from '../bus/index.js';
import { conventionalSubscriptionUrl, probeSubscription } from '../ckb-node/subscription.js';
import { difficultyToCompact } from '../ckb/target.js';
import { loadConfig } from '../config/index.js';
import { startDevnet, type Devnet } from '../devnet/index.js';
import type { Logger } from '../observability/index.js';
import { startPoolServices } from '../services/all.js';
import { createLedgerStore } from '../ledger/create.js';
import type { LedgerStore } from '../ledger/store.js';
import { devAccount, type DevAccount } from '../payout/dev-accounts.js';
import { startPayouts, type PayoutsHandle } from '../payout/service.js';
import { createStore, type PoolStore } from '../store/index.js';
import { Sv2Miner, type MinerMode } from '../miner/sv2-miner.js';
import { StratumServer } from './server.js';
import { createPoolSink, jobTemplateFromProto, type PoolSink } from './sink.js';

export interface DevPoolOptions {
  /** Kafka brokers instead of the in-memory bus. */
  kafka?: string[];
  /** Redis URL instead of the in-memory store. */
  redis?: string;
  /** A CKB node's JSON-RPC URL instead of the embedded devnet. */
  ckbRpc?: string;
  /**
   * With `ckbRpc`: the node's TCP subscription (tcp://host:port) for new tips; `false` polls only.
   * Default: the conventional port (RPC port + 10000) when the node answers a subscribe there.
   */
  ckbSubscription?: string | false;
  /** Demo miner protocol; undefined runs no miner. */
  miner?: MinerMode;
  minerThreads?: number;
  /** Stratum listen address (default 127.0.0.1, port 34255; 0 = any free port). */
  stratumHost?: string;
  stratumPort?: number;
  /** Devnet target block interval. */
  blockTimeMs?: number;
  /**
   * Run the payouts service (block lifecycle, ledger, payout transactions) on a fresh pool
   * wallet; default true with the embedded devnet, impossible with `ckbRpc` (the node's block
   * assembler pays a lock whose key this process does not have).
   */
  payouts?: boolean;
  /** Devnet `cellbase_maturity` in epochs of 10 blocks (default 1: a reward is spendable ~21 blocks on). */
  cellbaseMaturityEpochs?: number;
  /**
   * HTTP port (on stratumHost) of the API, the miners' dashboard and /metrics of every service;
   * undefined serves none, 0 = any free port.
   */
  apiPort?: number;
  logger: Logger;
}

export interface DevPoolStatus {
  height: bigint;
  /** Blocks found by this pool that are the main chain's block at their height (as checked on the chain). */
  blocksAccepted: number;
  /** Blocks the node keeps off the main chain (side blocks: their parent was no longer the tip). */
  blocksSide: number;
  /** Other block candidates (stale, rejected, or not settled before the submit deadline). */
  blocksNotAccepted: number;
  /** Pool hash rate from the share processor's accounting window (H/s). */
  poolHashrate: number;
  /** Demo miner hash rate (H/s), 0 without a miner. */
  minerHashrate: number;
  sharesAccepted: number;
  sharesRejected: number;
  miners: number;
  /** With payouts: found blocks whose reward cell matured, and payout transactions committed on chain. */
  blocksMatured: number;
  payoutsCommitted: number;
}

export interface DevPool {
  readonly stratumPort: number;
  /** Authority public key miners pin (base58check). */
  readonly authorityPublicKey: string;
  readonly devnet: Devnet | undefined;
  /** The TCP subscription the job maker follows (devnet's or the node's), undefined when polling. */
  readonly ckbSubscription: string | undefined;
  readonly server: StratumServer;
  readonly miner: Sv2Miner | undefined;
  /** Port of the API, dashboard and /metrics, when `apiPort` was given. */
  readonly apiPort: number | undefined;
  /** The demo miner's user name (`<address>.cpu` with payouts, else `dev.cpu`). */
  readonly minerUser: string;
  /** The pool wallet the devnet pays and payouts spend from, when payouts run. */
  readonly wallet: DevAccount | undefined;
  readonly ledger: LedgerStore;
  readonly payouts: PayoutsHandle | undefined;
  status(): Promise<DevPoolStatus>;
  /** Called for each block of this pool on the main chain, with the total so far. */
  onBlockAccepted(handler: (hash: string, height: bigint, total: number) => void): void;
  /** Called for each block of this pool the node keeps as a side block (not found). */
  onSideBlock(handler: (hash: string, height: bigint, reason: string) => void): void;
  /** Called when the demo miner's connection ends unexpectedly. */
  onMinerClosed(handler: (reason: string) => void): void;
  stop(): Promise<void>;
}

const HASHRATE_WINDOW_SEC = 60;

/** The real node's subscription endpoint to use, if any (see DevPoolOptions.ckbSubscription). */
async function nodeSubscription(opts: DevPoolOptions, log: Logger): Promise<string | undefined> {
  if (opts.ckbSubscription === false) return undefined;
  if (opts.ckbSubscription) return opts.ckbSubscription;
  const url = conventionalSubscriptionUrl(opts.ckbRpc!);
  const offered = url !== undefined && (await probeSubscription(url));
  log.info(offered ? 'node offers a TCP subscription' : 'no TCP subscription found: polling', { url });
  return offered ? url : undefined;
}

export async function startDevPool(opts: DevPoolOptions): Promise<DevPool> {
  const log = opts.logger;
  const stops: (() => Promise<unknown> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn('stop failed', { err });
      }
    }
  };
  try {
    if (opts.payouts && opts.ckbRpc)
      throw new Error(
        'pool dev runs payouts with the embedded devnet only (its block assembler pays the dev wallet)',
      );
    let devnet: Devnet | undefined;
    let wallet: DevAccount | undefined;
    if (!opts.ckbRpc) {
      // Start near a few seconds per block for the demo miner (~300 kH/s per thread); the
      // devnet's difficulty adjustment takes over from there.
      const threads = BigInt(opts.minerThreads ?? 1);
      wallet = opts.payouts === false ? undefined : await devAccount();
      devnet = await startDevnet({
        blockTimeMs: opts.blockTimeMs,
        initialCompactTarget: difficultyToCompact(threads << 20n),
        ...(wallet ? { lock: wallet.lock } : {}),
        cellbaseMaturity: { number: BigInt(opts.cellbaseMaturityEpochs ?? 1), index: 0, length: 1 },
      });
      const d = devnet;
      stops.push(() => d.stop());
      log.info('devnet started', { url: devnet.url });
    }
    const subscribeUrl = devnet ? devnet.subscriptionUrl : await nodeSubscription(opts, log);
    const config = loadConfig({
      env: {},
      base: {
        logLevel: 'warn',
        instanceId: 'pool-dev',
        ckb: {
          rpcUrl: opts.ckbRpc ?? devnet!.url,
          ...(subscribeUrl ? { subscribeUrl } : {}),
          pollIntervalMs: 500,
        },
        ...(opts.redis ? { redis: { url: opts.redis } } : {}),
        kafka: { brokers: opts.kafka ?? [], topicPrefix: `eaglepool-dev-${process.pid}` },
        jobmaker: { refreshMs: 2000 },
        stratum: { replicaId: 0 },
        ...(wallet ? { payouts: await devPayoutsConfig(wallet, stops) } : {}),
      },
    });
    const store: PoolStore = await createStore(config);
    stops.push(() => store.close());
    const bus: EventBus = await createBus(config, log);
    stops.push(() => bus.close());
    // One node client for the job and block makers, so its metrics are registered once.
    const nodeRegistry = serviceRegistry();
    const rpc = new CkbRpcClient({
      url: config.ckb.rpcUrl,
      timeoutMs: config.ckb.timeoutMs,
      registry: nodeRegistry,
    });
    stops.push(() => rpc.close());
    const ledger = await createLedgerStore(config);
    stops.push(() => ledger.close());
    const deps = { store, bus, rpc, ledger, logger: log, healthServer: false, listen: false };
    const services = await startPoolServices(config, deps);
    const { blockmaker, jobmaker, stop: stopServices } = services;
    stops.push(stopServices);

    const accepted: ((hash: string, height: bigint, total: number) => void)[] = [];
    const sideHandlers: ((hash: string, height: bigint, reason: string) => void)[] = [];
    /** Block number of recent jobs, to name accepted blocks. */
    const jobHeights = new Map<number, bigint>();
    let blocksAccepted = 0;
    let blocksSide = 0;
    let blocksNotAccepted = 0;
    const topics = poolTopics(config.kafka.topicPrefix);
    const stratumRegistry = serviceRegistry();
    const sink: PoolSink = createPoolSink({
      shareLog: createShareLog(bus, topics, { registry: stratumRegistry }),
      bus,
      topics,
      replica: 0,
      logger: log,
      submitBlock: async (block) => {
        const reply = await blockmaker.blocks.submitBlock(block);
        const height = jobHeights.get(block.jobId) ?? 0n;
        if (reply.accepted) {
          blocksAccepted++;
          // Our block is the tip: the job on its parent is stale now, whatever the template cache says.
          jobmaker.noteTip(reply.blockHash, height);
          for (const h of accepted) h(reply.blockHash, height, blocksAccepted);
        } else if (reply.status === 'side') {
          blocksSide++;
          for (const h of sideHandlers) h(reply.blockHash, height, reply.reason);
        } else {
          blocksNotAccepted++;
        }
        return reply;
      },
    });
    stops.push(() => sink.settle());

    const authority = generateAuthorityKeys();
    const server = await StratumServer.start({
      host: opts.stratumHost ?? '127.0.0.1',
      port: opts.stratumPort ?? 34255,
      keys: { staticSecretKey: randomSecretKey(defaultRandom), authoritySecretKey: authority.secretKey },
      replicaId: Uint8Array.of(0),
      sink,
      logger: log,
      registry: stratumRegistry,
    });
    stops.push(() => server.drain(1000));
    const stratumHost = opts.stratumHost ?? '127.0.0.1';
    services.shareprocessor.dashboard.setConnectInfo({
      stratumUrls: [`stratum+tcp://${stratumHost}:${server.port}`],
      authorityPublicKey: authority.encoded.publicKey,
    });
    const payouts = wallet ? await startPayouts(config, deps) : undefined;
    const http =
      opts.apiPort === undefined
        ? undefined
        : await startDevHttp({
            host: stratumHost,
            port: opts.apiPort,
            shareprocessor: services.shareprocessor,
            registries: [
              nodeRegistry,
              stratumRegistry,
              ...[blockmaker, services.shareprocessor, jobmaker, ...(payouts ? [payouts] : [])].map(
                (s) => s.registry,
              ),
            ],
          });
    if (http) stops.push(() => http.stop());
    if (payouts) stops.push(() => payouts.stop());
    const unsubscribe = jobmaker.jobs.subscribe((job) => {
      jobHeights.set(job.jobId, job.number);
      if (jobHeights.size > 64) jobHeights.delete(jobHeights.keys().next().value as number);
      void server.pushJob(jobTemplateFromProto(job));
    });
    stops.push(unsubscribe);
    if (devnet) {
      const refresh = () =>
        void jobmaker.refresh().catch((err: unknown) => log.warn('refresh failed', { err }));
      devnet.on('newTip', refresh);
      const d = devnet;
      stops.push(() => void d.off('newTip', refresh));
    }

    const minerUser = wallet ? `${(await devAccount()).address}.cpu` : 'dev.cpu';
    const minerClosed: ((reason: string) => void)[] = [];
    let miner: Sv2Miner | undefined;
    if (opts.miner) {
      const threads = opts.minerThreads ?? 1;
      miner = await Sv2Miner.start({
        host: '127.0.0.1',
        port: server.port,
        authorityPublicKey: authority.encoded.publicKey,
        user: minerUser,
        threads,
        mode: opts.miner,
        // ~300 kH/s per thread of WASM Eaglesong: start near a 5 s share interval.
        nominalHashRate: threads * 300_000,
        // A lost demo miner ends `pool dev` (onMinerClosed), so it does not reconnect.
        reconnect: false,
      });
      const m = miner;
      let stopping = false;
      m.onClose((reason) => {
        if (!stopping) for (const h of minerClosed) h(reason);
      });
      stops.push(() => {
        stopping = true;
        return m.stop();
      });
    }

    return {
      stratumPort: server.port,
      authorityPublicKey: authority.encoded.publicKey,
      devnet,
      ckbSubscription: subscribeUrl,
      server,
      miner,
      apiPort: http?.port,
      minerUser,
      wallet,
      ledger,
      payouts,
      async status() {
        const [stats, tracked, paid] = await Promise.all([
          store.poolStats(Date.now(), HASHRATE_WINDOW_SEC),
          ledger.blocks(),
          ledger.payouts(),
        ]);
        const job = jobmaker.jobs.current();
        return {
          height: devnet?.tipNumber() ?? (job ? job.number - 1n : 0n),
          blocksAccepted,
          blocksSide,
          blocksNotAccepted,
          poolHashrate: stats.hashrate,
          minerHashrate: miner?.hashrate ?? 0,
          sharesAccepted: server.stats.sharesAccepted,
          sharesRejected: server.stats.sharesRejected,
          miners: server.stats.connections,
          blocksMatured: tracked.filter((b) => b.state === 'matured').length,
          payoutsCommitted: paid.filter((p) => p.state === 'committed').length,
        };
      },
      onBlockAccepted: (handler) => void accepted.push(handler),
      onSideBlock: (handler) => void sideHandlers.push(handler),
      onMinerClosed: (handler) => void minerClosed.push(handler),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The payouts settings of `pool dev`: the wallet key in a file only this user can read (removed
 * at stop), testnet addresses, a 1 % pool fee to a fresh operator address, a 100 CKB threshold,
 * and turns every second so blocks move through their lifecycle as the devnet mines them.
 */
async function devPayoutsConfig(wallet: DevAccount, stops: (() => unknown)[]) {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-dev-wallet-'));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, `${wallet.privateKey}\n`, { mode: 0o600 });
  return {
    network: 'testnet' as const,
    keyFile,
    feeAddress: (await devAccount()).address,
    feeBps: 100,
    thresholdShannons: 100_00000000,
    intervalMs: 1000,
    shareLatenessMs: 2000,
  };
}
