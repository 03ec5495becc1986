/** `eaglepool pool stratum`: one SV2 stratum replica (shared Redis, Kafka, job maker, block maker). */
import { ConfigError, loadConfig, type PoolConfig } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import { connectDependencies } from '../services/connect.js';
import { readNoiseKeys, startStratumService } from '../stratum/service.js';
import { UsageError, type Command } from './command.js';

export const command: Command = {
  summary: 'Run one SV2 stratum replica (Noise listener → shares to Kafka, blocks to the block maker)',
  usage: `Usage: eaglepool pool stratum [--config FILE] [--set key=value]... [--noise-dir DIR]

Serves SV2 over Noise on stratum.listen: jobs from the job maker (services.jobmakerUrl, gRPC),
accepted shares to the Kafka shares topic, block candidates to the block maker
(services.blockmakerUrl) and the block-candidates topic. The replica id (first extranonce byte)
is stratum.replicaId or leased in Redis. /metrics, /healthz, /readyz on stratum.healthPort.
SIGTERM drains: Reconnect to every miner, then exit.

Options:
  -c, --config FILE   JSON config file (default $EAGLEPOOL_CONFIG, else /etc/eaglepool/config.json)
  --set key=value     Override one config key (repeatable)
  --noise-dir DIR     Noise keys (hex files static-secret-key, authority-secret-key);
                      default $EAGLEPOOL_NOISE_DIR (the operator mounts its Secret there)

Environment written by the operator: EAGLEPOOL_STRATUM_PORT (listen port),
EAGLEPOOL_VARDIFF_TARGET_SECONDS (target seconds between shares).`,
  options: {
    config: { type: 'string', short: 'c' },
    set: { type: 'string', multiple: true },
    'noise-dir': { type: 'string' },
  },
  async run({ values }) {
    const noiseDir = (values['noise-dir'] as string | undefined) ?? process.env.EAGLEPOOL_NOISE_DIR;
    if (!noiseDir) throw new UsageError('--noise-dir (or EAGLEPOOL_NOISE_DIR) is required');
    const port = optionalNumber(process.env.EAGLEPOOL_STRATUM_PORT, 'EAGLEPOOL_STRATUM_PORT');
    const vardiffTargetSec = optionalNumber(
      process.env.EAGLEPOOL_VARDIFF_TARGET_SECONDS,
      'EAGLEPOOL_VARDIFF_TARGET_SECONDS',
    );
    let config: PoolConfig;
    try {
      config = loadConfig({
        file: values.config as string | undefined,
        sets: values.set as string[] | undefined,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`eaglepool pool stratum: ${err.message}`);
      return 2;
    }
    const logger = createLogger('stratum', { level: config.logLevel }, { instance: config.instanceId });
    const stopping = new AbortController();
    const signal = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    }).finally(() => stopping.abort());
    let service;
    try {
      readNoiseKeys(noiseDir); // a missing key is a config error: say so before waiting for Redis
      const deps = await connectDependencies(config, logger, {
        healthPort: config.stratum.healthPort,
        signal: stopping.signal,
      });
      if (!deps) return 0;
      service = await startStratumService(config, { noiseDir, port, vardiffTargetSec, logger, deps });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`eaglepool pool stratum: ${err.message}`);
      return 2;
    }
    logger.info('draining', { signal: await signal });
    await service.stop();
    logger.info('stopped');
    return 0;
  },
};

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number`);
  return n;
}
