import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { samplePool } from '../../test/sample.js';
import { fetchPoolStatsFrom, formatHashrate, parsePoolApi, poolApiUrl } from './pool-stats.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/pool`;
}

describe('pool stats', () => {
  it('formats hashrates with three significant digits', () => {
    expect([0, 999, 1000, 12_345_678, 4.2e12, 1e30].map(formatHashrate)).toEqual([
      '0 H/s',
      '999 H/s',
      '1 kH/s',
      '12.3 MH/s',
      '4.2 TH/s',
      '1000000000000 EH/s',
    ]);
  });

  it('reads hashrate and tip height from /api/pool (height is a decimal string there)', () => {
    expect(parsePoolApi({ hashrate: 2_500_000, network: { difficulty: 5, height: '12345' } })).toEqual({
      hashrate: '2.5 MH/s',
      tipNumber: 12345,
    });
    expect(parsePoolApi({ hashrate: 1, network: null })).toEqual({ hashrate: '1 H/s' });
    expect(parsePoolApi('garbage')).toEqual({});
    expect(parsePoolApi({ network: { height: '-1' } })).toEqual({});
  });

  it("asks the pool's share processor Service", () => {
    expect(poolApiUrl(samplePool('p', 'ns'))).toBe('http://p-shareprocessor.ns.svc:8080/api/pool');
  });

  it('fetches /api/pool, and gives up on an endless or trickling answer (undefined, bounded memory)', async () => {
    const ok = await serve((_req, res) => res.end('{"hashrate":2500000,"network":{"height":"7"}}'));
    expect(await fetchPoolStatsFrom(ok, 2000)).toEqual({ hashrate: '2.5 MH/s', tipNumber: 7 });

    let sent = 0;
    const endless = await serve((_req, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => {});
      res.write('{"hashrate":1,"pad":"');
      pump();
    });
    expect(await fetchPoolStatsFrom(endless, 60_000)).toBeUndefined();
    expect(sent).toBeLessThan(16 * 1024 * 1024);

    const trickle = await serve((_req, res) => {
      res.write('{');
      const t = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(t));
    });
    expect(await fetchPoolStatsFrom(trickle, 300)).toBeUndefined();
  });
});
