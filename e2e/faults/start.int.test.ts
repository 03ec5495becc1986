/**
 * #19 items 8 and 11: every service started while Redis is down prints one clear line per
 * attempt (no stack trace, no password), keeps retrying with backoff, answers /readyz 503 until
 * connected, and comes up by itself once Redis is there, with no process restart.
 * Until 2026-12-07 `pool stratum` died with a raw stack trace, and the other services exited 1
 * after logging the Redis URL with its password.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers } from '../infra/env.js';
import { makeNoiseDir } from '../pool/noise-dir.js';
import { PoolProcess, startPrivateRedis, waitFor, type PrivateRedis } from './processes.js';

const PASSWORD = 'hunter2-not-for-logs';
// Fixed ports of this suite (the faults range, 35000-35999): Redis must come up on the port the
// service was told about before it existed.
const REDIS_PORT = 35101;
const HEALTH_PORT = 35102;

// Item 10: health and metrics bind `healthHost` (another loopback address here), not 0.0.0.0.
const HEALTH_HOST = '127.0.0.2';

async function readyz(port: number, host = HEALTH_HOST): Promise<number | undefined> {
  try {
    return (await fetch(`http://${host}:${port}/readyz`)).status;
  } catch {
    return undefined;
  }
}

describe('a service started while Redis is down', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  for (const service of ['stratum', 'shareprocessor', 'jobmaker', 'blockmaker'] as const) {
    it(`pool ${service}: one line per attempt without the password, /readyz 503, up once Redis is`, async () => {
      const noise = makeNoiseDir();
      cleanups.push(() => noise.remove());
      const prefix = `faults-start-${service}-${Date.now()}`;
      const sets: Record<string, string> = {
        'redis.url': `redis://:${PASSWORD}@127.0.0.1:${REDIS_PORT}`,
        'redis.keyPrefix': `${prefix}:`,
        'kafka.brokers': kafkaBrokers().join(','),
        'kafka.topicPrefix': prefix,
        instanceId: `${service}-0`,
        healthHost: HEALTH_HOST,
        [`${service}.healthPort`]: String(HEALTH_PORT),
        'ckb.rpcUrl': 'http://127.0.0.1:35109', // nothing there: not what this test is about
        'services.jobmakerUrl': '127.0.0.1:35110',
        'services.blockmakerUrl': '127.0.0.1:35111',
        'jobmaker.grpcListen': '127.0.0.1:0',
        'blockmaker.grpcListen': '127.0.0.1:0',
        'shareprocessor.httpListen': '127.0.0.1:0',
        'stratum.listen': '127.0.0.1:0',
      };
      const args = [service, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
      if (service === 'stratum') args.push('--noise-dir', noise.dir);
      const proc = new PoolProcess(service, args);
      cleanups.push(() => proc.stop());

      const first = await proc.line('cannot connect to Redis');
      expect(JSON.parse(first)).toMatchObject({ level: 'warn', msg: expect.stringMatching(/retrying in/) });
      expect(first).toContain(`redis://:***@127.0.0.1:${REDIS_PORT}`);
      expect(
        await waitFor('/readyz 503 while connecting', async () => (await readyz(HEALTH_PORT)) === 503),
      ).toBe(true);
      // Retried with backoff: a second attempt, still alive.
      await waitFor(
        'a second attempt',
        () => proc.lines.filter((l) => l.includes('cannot connect to Redis')).length >= 2,
      );
      expect(proc.alive).toBe(true);

      let redis: PrivateRedis | undefined = await startPrivateRedis(REDIS_PORT, PASSWORD);
      cleanups.push(() => redis?.stop());
      await proc.line(service === 'stratum' ? 'stratum listening' : `${service} started`);
      expect(proc.alive).toBe(true);
      // The service's own health server, on healthHost only.
      expect(await waitFor('/readyz of the started service', () => readyz(HEALTH_PORT))).toBeGreaterThan(0);
      expect(await readyz(HEALTH_PORT, '127.0.0.1')).toBeUndefined();
      const logged = proc.lines.join('\n');
      expect(logged).not.toContain(PASSWORD);
      expect(logged).not.toMatch(/\n\s+at /); // no stack trace
      await proc.stop();
      expect(proc.exitCode).toBe(0);
      await redis.stop();
      redis = undefined;
    });
  }
});
