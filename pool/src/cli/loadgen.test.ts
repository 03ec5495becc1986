import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authority, startPool, template } from '../translator/testing/util.js';
import { UsageError } from './command.js';
import { command } from './loadgen.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('eaglepool loadgen', () => {
  it('rejects bad flags with a usage error', async () => {
    const run = (values: Record<string, string | boolean>) => command.run({ values, positionals: [] });
    await expect(run({})).rejects.toThrow(UsageError);
    await expect(run({ url: '127.0.0.1:1' })).rejects.toThrow(/authority-key/);
    await expect(run({ url: '127.0.0.1:1', mode: 'v3' })).rejects.toThrow(/mode/);
    await expect(run({ url: '127.0.0.1:1', mode: 'v1', warmup: '-1' })).rejects.toThrow(/warmup/);
    await expect(run({ url: '10.1.2.3:1', mode: 'v1' })).rejects.toThrow(/loopback/);
  });

  it('runs with a warm-up and prints the report, generator figures included', async () => {
    const pool = await startPool();
    stops.push(() => pool.server.close());
    await pool.server.pushJob(template(1, { blockTarget: 1n }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await command.run({
        values: {
          url: `127.0.0.1:${pool.server.port}`,
          'authority-key': authority.encoded.publicKey,
          connections: '4',
          rate: '200',
          duration: '0.5',
          warmup: '0.2',
          json: true,
        },
        positionals: [],
      });
      expect(code).toBe(0);
      const report = JSON.parse(String(log.mock.calls[0]![0])) as {
        submitted: number;
        accepted: number;
        latencyMs: { count: number; p999: number };
        client: { cpuSec: number };
        machine?: { busyCores: number };
      };
      expect(report.accepted).toBe(report.submitted);
      expect(report.latencyMs.count).toBe(report.accepted);
      expect(report.client.cpuSec).toBeGreaterThan(0);
      if (existsSync('/proc/pressure/cpu')) expect(report.machine!.busyCores).toBeGreaterThan(0);
      expect(pool.shares.length).toBeGreaterThan(report.accepted); // warm-up shares were sent too
    } finally {
      log.mockRestore();
    }
  });
});
