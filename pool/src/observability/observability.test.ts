import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startHealthServer } from './health.js';
import { createLogger, type LogLevel } from './logger.js';
import { serviceRegistry } from './metrics.js';

describe('createLogger', () => {
  it('writes one JSON object per line with service, level, bound and event fields', () => {
    const lines: [string, LogLevel][] = [];
    const log = createLogger('jobmaker', {
      level: 'info',
      write: (line, level) => lines.push([line, level]),
    });
    log.debug('hidden');
    log.child({ instance: 'jm-0' }).warn('lease lost', {
      height: 12n,
      powHash: Uint8Array.of(0xab, 0xcd),
      buf: Buffer.from([1, 2]),
      err: new TypeError('boom'),
    });
    expect(lines).toHaveLength(1);
    const [line, level] = lines[0]!;
    expect(level).toBe('warn');
    const obj = JSON.parse(line) as Record<string, unknown>;
    expect(obj).toMatchObject({
      level: 'warn',
      service: 'jobmaker',
      msg: 'lease lost',
      instance: 'jm-0',
      height: '12',
      powHash: 'abcd',
      buf: '0102',
    });
    expect(obj.err).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(Number.isNaN(Date.parse(obj.time as string))).toBe(false);
  });
});

describe('startHealthServer', () => {
  it('serves /metrics, /healthz and /readyz', async () => {
    const registry = serviceRegistry();
    new Counter({ name: 'eaglepool_test_things_total', help: 'test', registers: [registry] }).inc(3);
    let ready = false;
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registries: [registry],
      ready: () => (ready ? { ready: true } : { ready: false, reason: 'no job yet' }),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('eaglepool_test_things_total 3');
      expect(metrics).toContain('nodejs_eventloop_lag_seconds');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain('no job yet');
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
