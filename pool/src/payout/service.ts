/**
 * `eaglepool pool payouts`: the money path's singleton. While it holds the `payouts-leader` lease
 * (Redis, like the job maker's) it follows every found block on the chain (BlockTracker: ledger
 * allocation, maturity, reversal) and drives payouts (PayoutMachine), one step per turn, every
 * `payouts.intervalMs`. Without `payouts.keyFile` it tracks blocks and credits but pays nothing.
 * The key is read once from the file and never logged.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { poolTopics } from '../bus/topics.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import { ChainReader } from '../blocktracker/chain.js';
import { ShareIndex } from '../blocktracker/share-index.js';
import { blockMetrics, BlockTracker } from '../blocktracker/tracker.js';
import { owedByBucket } from '../ledger/ledger.js';
import { shareWeight } from '../ledger/pplns.js';
import type { LedgerStore } from '../ledger/store.js';
import type { PoolConfig } from '../config/schema.js';
import { serviceRegistry } from '../observability/metrics.js';
import {
  dependencyChecks,
  dependencyGauge,
  maybeHealthServer,
  nodeClient,
  readiness,
  type ServiceDeps,
  type ServiceHandle,
} from '../services/runtime.js';
import { holdLease } from '../store/leases.js';
import { decodeAddress } from './address.js';
import { CccPayoutChain } from './ccc-chain.js';
import { CHANGE_RESERVE, PayoutMachine } from './machine.js';

export interface PayoutsDeps extends ServiceDeps {
  ledger: LedgerStore;
  rpc?: CkbRpcClient;
}

export interface PayoutsHandle extends ServiceHandle {
  /** True while this instance holds the lease. */
  leader(): boolean;
  /** Runs one turn now (tests). */
  turn(): Promise<void>;
}

/** The wallet key from `payouts.keyFile`: 0x + 64 hex digits (whitespace trimmed). */
export function readKeyFile(path: string): string {
  const key = readFileSync(path, 'utf8').trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`${path}: not a 0x-prefixed 32-byte hex private key`);
  return key;
}

function payoutMetrics(registry: Registry, ledger: LedgerStore) {
  new Gauge({
    name: 'eaglepool_payouts_by_state',
    help: 'Payout transactions by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const c = new Map<string, number>();
      for (const p of await ledger.payouts()) c.set(p.state, (c.get(p.state) ?? 0) + 1);
      for (const s of ['built', 'signed', 'broadcast', 'committed', 'failed', 'cancelled'])
        this.set({ state: s }, c.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'eaglepool_payout_wallet_balance_shannons',
    help: "The pool wallet's live capacity as last read from the chain, by state (spendable now, immature cellbase outputs).",
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const w = await ledger.wallet();
      if (!w) return;
      this.set({ state: 'spendable' }, Number(w.spendable));
      this.set({ state: 'immature' }, Number(w.immature));
    },
  });
  new Gauge({
    name: 'eaglepool_payout_owed_shannons',
    help: "What the ledger owes the pool's users, by bucket (immature, available, pending, paid).",
    labelNames: ['bucket'],
    registers: [registry],
    async collect() {
      for (const [bucket, sum] of Object.entries(owedByBucket(await ledger.balances())))
        this.set({ bucket }, Number(sum));
    },
  });
  return {
    errors: new Counter({
      name: 'eaglepool_payouts_errors_total',
      help: 'Turns that failed (node or store unreachable), by part.',
      labelNames: ['part'],
      registers: [registry],
    }),
  };
}

export async function startPayouts(config: PoolConfig, deps: PayoutsDeps): Promise<PayoutsHandle> {
  const cfg = config.payouts;
  const logger = deps.logger.child({ component: 'payouts' });
  const registry = serviceRegistry();
  dependencyGauge('payouts', registry, deps);
  blockMetrics(registry, deps.ledger);
  const m = payoutMetrics(registry, deps.ledger);
  const node = nodeClient(config, deps.rpc, registry);
  const feeAddress = cfg.feeAddress ?? '';
  if (cfg.feeBps > 0 && !feeAddress) throw new Error('payouts.feeBps > 0 needs payouts.feeAddress');
  if (feeAddress) {
    const d = decodeAddress(feeAddress, cfg.network);
    if ('error' in d) throw new Error(`payouts.feeAddress: ${d.error}`);
  }
  const chain = cfg.keyFile
    ? new CccPayoutChain({
        rpc: node.rpc,
        network: cfg.network,
        privateKey: readKeyFile(cfg.keyFile),
        feeRate: BigInt(cfg.feeRate),
      })
    : undefined;
  const poolLock = chain && (await chain.poolLock());
  const shares = new ShareIndex(cfg.shareLatenessMs);
  await shares.follow(
    deps.bus,
    poolTopics(config.kafka.topicPrefix).shares,
    `${config.kafka.topicPrefix}-payouts`,
    logger,
  );
  const tracker = new BlockTracker({
    chain: new ChainReader(node.rpc),
    store: deps.store,
    ledger: deps.ledger,
    shares,
    fee: { address: feeAddress, rateBps: cfg.feeBps },
    pplns: {
      factorPermille: Math.round(config.shareprocessor.pplnsFactor * 1000),
      minWeight: shareWeight(config.shareprocessor.pplnsMinWindow),
    },
    orphanDepth: BigInt(cfg.orphanDepth),
    ...(poolLock
      ? { poolLock: { code_hash: poolLock.codeHash, hash_type: poolLock.hashType, args: poolLock.args } }
      : {}),
    logger,
  });
  const machine =
    chain &&
    new PayoutMachine({
      ledger: deps.ledger,
      chain,
      threshold: BigInt(cfg.thresholdShannons),
      maxOutputs: cfg.maxOutputs,
      feeUser: feeAddress,
      feeReserve: CHANGE_RESERVE,
      logger,
    });
  if (!machine) logger.warn('payouts.keyFile is not set: blocks are tracked and credited, nothing is paid');

  const lease = holdLease(deps.store, {
    name: 'payouts-leader',
    holder: config.instanceId,
    ttlMs: cfg.leaseTtlMs,
    onChange: (held) => logger.info(held ? 'payouts leader' : 'payouts lease lost'),
    onError: (err) => logger.warn('payouts lease renewal failed', { err }),
  });

  let running: Promise<void> = Promise.resolve();
  let stopping = false;
  const turn = () =>
    (running = running.then(async () => {
      if (!lease.held() || stopping) return;
      try {
        await tracker.tick();
      } catch (err) {
        m.errors.inc({ part: 'tracker' });
        logger.warn('block tracking turn failed', { error: (err as Error).message });
      }
      if (!machine || !chain || stopping) return;
      try {
        await deps.ledger.putWallet({ ...(await chain.walletSummary()), updatedAt: Date.now() });
      } catch (err) {
        m.errors.inc({ part: 'wallet' });
        logger.warn('reading the pool wallet failed', { error: (err as Error).message });
      }
      try {
        // Drive the open payout as far as it goes now (each step is recorded before the next).
        for (let i = 0; i < 8 && lease.held() && !stopping; i++) {
          const before = (await machine.open())?.state;
          const state = await machine.step();
          if (state === 'idle' || state === before) break;
        }
      } catch (err) {
        m.errors.inc({ part: 'payout' });
        logger.warn('payout turn failed', { error: (err as Error).message });
      }
    }));
  const timer = setInterval(() => void turn(), cfg.intervalMs);

  const ready = () => readiness(dependencyChecks(deps));
  const health = await maybeHealthServer(
    deps,
    { host: config.healthHost, port: cfg.healthPort },
    registry,
    ready,
  );
  const wallet = chain && (await chain.signer.getRecommendedAddressObj()).toString();
  logger.info('payouts started', { paying: Boolean(machine), wallet, healthPort: health?.port });
  return {
    registry,
    healthPort: health?.port,
    ready,
    leader: () => lease.held(),
    turn: () => turn(),
    stop: async () => {
      clearInterval(timer);
      stopping = true; // the turn under way ends at its next step (each step is recorded: safe to leave)
      await running;
      await lease.release();
      await shares.stop();
      await health?.stop();
      node.release();
      logger.info('payouts stopped');
    },
  };
}
