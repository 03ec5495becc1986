/**
 * A stratum replica as its own process (`eaglepool pool stratum`, one pod of the stratum
 * Deployment): jobs from the job maker's gRPC JobStream, blocks to the block maker over gRPC,
 * shares and block candidates to Kafka, the replica id leased in Redis, Noise keys from the
 * operator's Secret, /metrics /healthz /readyz, drain on stop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBus, createShareLog, poolTopics } from '../bus/index.js';
import { ConfigError, parseHostPort, requireDistributed, type PoolConfig } from '../config/index.js';
import { startHealthServer, type Logger } from '../observability/index.js';
import { serviceRegistry } from '../observability/metrics.js';
import { payoutAddressError } from '../payout/address.js';
import { connectBlockMaker, connectJobStream } from '../services/clients.js';
import type { Dependencies } from '../services/connect.js';
import { readServiceTls, readServiceToken } from '../services/grpc.js';
import { createStore, holdLease, leaseReplicaId, replicaLeaseName } from '../store/index.js';
import type { ResponderKeys } from '../sv2/noise/index.js';
import { PrefixRanges } from './prefix-ranges.js';
import { StratumServer } from './server.js';
import { createPoolSink, jobTemplateFromProto } from './sink.js';
import { DEFAULT_VARDIFF, type VardiffConfig } from '../mining/vardiff.js';

export interface StratumServiceOptions {
  /** Directory with the operator's Noise Secret files (hex): static-secret-key, authority-secret-key. */
  noiseDir: string;
  /** Overrides the port of `stratum.listen`. */
  port?: number;
  /** Vardiff target seconds between shares. */
  vardiffTargetSec?: number;
  /** Redis and Kafka already connected (`connectDependencies`); closed by stop(). Default: connect here. */
  deps?: Dependencies;
  logger: Logger;
}

export interface StratumService {
  readonly server: StratumServer;
  readonly replicaId: number;
  /** What /readyz answers: false from the start of a drain, or while a dependency is missing. */
  ready(): { ready: boolean; reason?: string };
  /** Drains (Reconnect to every miner), then releases everything. */
  stop(): Promise<void>;
}

function readHexKey(dir: string, name: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(join(dir, name), 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`cannot read Noise key ${join(dir, name)}: ${(err as Error).message}`);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new ConfigError(`${join(dir, name)} must hold 64 hex digits`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** Responder keys from the Secret: the static key and the authority key that signs its certificates. */
export function readNoiseKeys(dir: string): ResponderKeys {
  return {
    staticSecretKey: readHexKey(dir, 'static-secret-key'),
    authoritySecretKey: readHexKey(dir, 'authority-secret-key'),
  };
}

export async function startStratumService(
  config: PoolConfig,
  opts: StratumServiceOptions,
): Promise<StratumService> {
  requireDistributed(config, 'stratum');
  const log = opts.logger.child({ component: 'stratum' });
  const keys = readNoiseKeys(opts.noiseDir);
  const token = readServiceToken(config.services.tokenFile);
  const tls = readServiceTls(config.services);
  const listen = parseHostPort(config.stratum.listen);
  const store = opts.deps?.store ?? (await createStore(config));
  const bus = opts.deps?.bus ?? (await createBus(config, log));
  const holder = config.instanceId;
  const ttl = config.stratum.replicaLeaseTtlMs;
  const replicaId =
    config.stratum.replicaId ?? (await leaseReplicaId(store, holder, config.stratum.maxReplicas, ttl));
  if (replicaId === undefined) {
    await Promise.all([store.close(), bus.close()]);
    throw new ConfigError(`no free stratum replica id below ${config.stratum.maxReplicas}`);
  }
  const registry = serviceRegistry();
  const topics = poolTopics(config.kafka.topicPrefix);
  const blockmaker = connectBlockMaker({ url: config.services.blockmakerUrl, token, tls });
  const sink = createPoolSink({
    shareLog: createShareLog(bus, topics, { registry }),
    bus,
    topics,
    submitBlock: (b) => blockmaker.submitBlock(b),
    replica: replicaId,
    logger: log,
  });
  const vardiff: VardiffConfig = {
    ...DEFAULT_VARDIFF,
    minDifficulty: BigInt(config.stratum.minDifficulty),
    ...(opts.vardiffTargetSec ? { targetIntervalSec: opts.vardiffTargetSec } : {}),
  };
  // Channel counters from ranges reserved in Redis for this id: never re-issued after a restart.
  const prefixes = new PrefixRanges({
    replicaId,
    reserve: (id, count, after) => store.reservePrefixes(id, count, after),
    onError: (err) => log.warn('extranonce range reservation failed (retried on the next channel)', { err }),
  });
  try {
    await prefixes.start();
  } catch (err) {
    await Promise.all([store.close(), bus.close()]);
    throw err;
  }
  const server = await StratumServer.start({
    host: listen.host,
    port: opts.port ?? listen.port,
    keys,
    replicaId: Uint8Array.of(replicaId),
    counters: prefixes,
    sink,
    vardiff,
    ackWindowMs: config.stratum.ackWindowMs,
    limits: {
      maxConnectionsPerIp: config.stratum.maxConnectionsPerIp,
      maxConnections: config.stratum.maxConnections,
    },
    ...(config.payouts.requireAddress
      ? { userCheck: (user: string) => payoutAddressError(user, config.payouts.network) }
      : {}),
    logger: log,
    registry,
  });
  // Without the lease (Redis stalled or unreachable past its TTL) the replica keeps serving: its
  // miners' prefixes, and new ones from the reserved ranges, are its own whoever holds the id
  // (ranges never overlap). It only reports not ready, so new miners go elsewhere, and is ready
  // again by itself once a renewal succeeds. Until 2026-12-07 it drained for good.
  const lease =
    config.stratum.replicaId === undefined
      ? holdLease(store, {
          name: replicaLeaseName(replicaId),
          holder,
          ttlMs: ttl,
          onChange: (held) =>
            held
              ? log.info('replica id lease held', { replicaId })
              : log.warn('replica id lease not renewed in time; serving on, not ready', { replicaId }),
          onError: (err) => log.warn('replica lease renewal failed', { err }),
        })
      : undefined;
  const jobs = connectJobStream({
    url: config.services.jobmakerUrl,
    subscriber: holder,
    logger: log,
    token,
    tls,
  });
  const unsubscribe = jobs.subscribe((job) => void server.pushJob(jobTemplateFromProto(job)));
  const ready = (): { ready: boolean; reason?: string } => {
    const failing = [
      // Not ready from the first moment of a drain, so endpoints and load balancers drop it first.
      server.isDraining ? 'draining' : undefined,
      jobs.current() ? undefined : 'no job yet',
      bus.healthy() ? undefined : 'bus',
      lease === undefined || lease.held() ? undefined : 'replica id lease',
      prefixes.available() > 0 ? undefined : 'no reserved extranonce prefixes',
    ].filter(Boolean);
    return failing.length === 0 ? { ready: true } : { ready: false, reason: failing.join(', ') };
  };
  const health = await startHealthServer({
    host: config.healthHost,
    port: config.stratum.healthPort,
    registries: [registry],
    ready,
  });
  log.info('stratum listening', { port: server.port, replicaId });
  return {
    server,
    replicaId,
    ready,
    async stop() {
      await server.drain();
      unsubscribe();
      jobs.close();
      await sink.settle();
      blockmaker.close();
      await lease?.release();
      await health.stop();
      await bus.close();
      await store.close();
    },
  };
}
