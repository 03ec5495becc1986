import { describe, expect, it } from 'vitest';
import { samplePool } from '../../test/sample.js';
import { formatHashrate, parsePoolApi, poolApiUrl } from './pool-stats.js';

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
});
