/**
 * `eaglepool pool jobmaker|blockmaker|shareprocessor`: one pool service per process, with
 * shared Redis and Kafka. Configuration: /etc/eaglepool/config.json (or --config /
 * $EAGLEPOOL_CONFIG), EAGLEPOOL_* variables, --set key=value (see docs/services.md).
 */
import { ConfigError, loadConfig, requireDistributed, type PoolConfig } from '../config/index.js';
import { createLedgerStore } from '../ledger/create.js';
import type { LedgerStore } from '../ledger/store.js';
import { startPayouts } from '../payout/service.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startBlockmaker } from '../services/blockmaker.js';
import { startJobmaker } from '../services/jobmaker.js';
import { connectDependencies } from '../services/connect.js';
import type { ServiceDeps, ServiceHandle } from '../services/runtime.js';
import { startShareprocessor } from '../services/shareprocessor.js';
import type { Command, CommandOptions, ParsedArgs } from './command.js';

const options: CommandOptions = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  'print-config': { type: 'boolean' },
};

function usage(name: string, what: string): string {
  return [
    `Usage: eaglepool pool ${name} [--config FILE] [--set key=value]... [--print-config]`,
    '',
    what,
    '',
    'Options:',
    '  -c, --config FILE   JSON config file (default $EAGLEPOOL_CONFIG, else /etc/eaglepool/config.json if present)',
    '  --set key=value     Override one config key, e.g. --set ckb.rpcUrl=http://ckb:8114 (repeatable)',
    '  --print-config      Print the effective configuration as JSON and exit',
    '',
    'Every key can also be set as an EAGLEPOOL_* environment variable (ckb.rpcUrl → EAGLEPOOL_CKB_RPC_URL).',
    'Needs redis.url and kafka.brokers. Serves /metrics, /healthz, /readyz on <service>.healthPort.',
    'Stops gracefully on SIGTERM/SIGINT. Reference: docs/services.md.',
  ].join('\n');
}

function waitForSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      // A second signal while stopping exits at once.
      process.once(signal, () => {
        logger.warn('second signal: exiting without a graceful stop', { signal });
        process.exit(1);
      });
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** `<name>.healthPort` of the service (0, any port, for a service without one). */
function healthPort(config: PoolConfig, name: string): number {
  const section = (config as unknown as Record<string, { healthPort?: unknown } | undefined>)[name];
  return typeof section?.healthPort === 'number' ? section.healthPort : 0;
}

async function runService(
  name: string,
  args: ParsedArgs,
  start: (config: PoolConfig, deps: ServiceDeps) => Promise<ServiceHandle>,
): Promise<number> {
  let config: PoolConfig;
  try {
    config = loadConfig({
      file: args.values.config as string | undefined,
      sets: args.values.set as string[] | undefined,
    });
    if (args.values['print-config']) {
      console.log(JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
      return 0;
    }
    requireDistributed(config, `pool ${name}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`eaglepool pool ${name}: ${err.message}`);
    return 2;
  }
  const logger = createLogger(name, { level: config.logLevel }, { instance: config.instanceId });
  const stopping = new AbortController();
  const signal = waitForSignal(logger).finally(() => stopping.abort());
  const deps = await connectDependencies(config, logger, {
    healthPort: healthPort(config, name),
    signal: stopping.signal,
  });
  if (!deps) {
    logger.info('stopped before the dependencies were reachable', { signal: await signal });
    return 0;
  }
  const { store, bus } = deps;
  const handle = await start(config, { store, bus, logger });
  logger.info('stopping', { signal: await signal });
  await handle.stop();
  await bus.close();
  await store.close();
  logger.info('stopped');
  return 0;
}

/** Starts a service with the ledger store (Redis), closed after the service stops. */
function withLedger(
  start: (config: PoolConfig, deps: ServiceDeps & { ledger: LedgerStore }) => Promise<ServiceHandle>,
): (config: PoolConfig, deps: ServiceDeps) => Promise<ServiceHandle> {
  return async (config, deps) => {
    const ledger = await createLedgerStore(config);
    const handle = await start(config, { ...deps, ledger }).catch(async (err: unknown) => {
      await ledger.close();
      throw err;
    });
    return { ...handle, stop: () => handle.stop().finally(() => ledger.close()) };
  };
}

function serviceCommand(
  name: string,
  summary: string,
  what: string,
  start: (config: PoolConfig, deps: ServiceDeps) => Promise<ServiceHandle>,
): Command {
  return { summary, usage: usage(name, what), options, run: (args) => runService(name, args, start) };
}

export const jobmaker = serviceCommand(
  'jobmaker',
  'Run the job maker (CKB node → jobs: gRPC JobStream + Kafka)',
  'Follows the CKB node, builds jobs, caches templates in Redis, streams jobs over gRPC\n' +
    '(jobmaker.grpcListen) and to Kafka. Replicas elect a leader with a Redis lease.',
  startJobmaker,
);

export const blockmaker = serviceCommand(
  'blockmaker',
  'Run the block maker (solved shares → submit_block)',
  'Serves gRPC BlockMaker.SubmitBlock (blockmaker.grpcListen) and consumes the block-candidates\n' +
    'topic; assembles blocks from cached templates and submits them with retries.',
  startBlockmaker,
);

export const shareprocessor = serviceCommand(
  'shareprocessor',
  'Run the share processor (shares topic → hashrate, PPLNS, HTTP API)',
  'Consumes the shares topic, accounts each share once in Redis, serves /api/pool,\n' +
    '/api/workers/:user, /api/blocks, /api/miners/:user/balance|payments, /api/payments, /api/wallet\n' +
    '(read from the payouts ledger in Redis) and the dashboard on shareprocessor.httpListen.',
  withLedger(startShareprocessor),
);

export const payouts = serviceCommand(
  'payouts',
  'Run the payouts service (found blocks → ledger → payout transactions)',
  'Follows every found block on the chain (main, side, uncle, orphaned, finalized, matured), credits\n' +
    'rewards by integer PPLNS in the Redis ledger and pays matured balances in CKB transactions\n' +
    'signed with the key in payouts.keyFile. One instance acts at a time (Redis lease).',
  withLedger(startPayouts),
);
