/**
 * Issue #19 item 9: the translator's connection limits, as the stratum port has them: a per-IP
 * cap, a deadline for authorize, and a slow-sender timeout (bytes alone never keep a connection:
 * today a 1 byte/s sender reset the idle timer for ever). Real translator, real pool, loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Translator, TranslatorOptions } from './translator.js';
import { RawV1Client, translatorBehindPool, until } from './testing/util.js';

const stops: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function translator(extra: Partial<TranslatorOptions>): Promise<Translator> {
  const { tr, stop } = await translatorBehindPool({ startDifficulty: 256n, ...extra });
  stops.push(stop);
  return tr;
}

async function connect(port: number): Promise<RawV1Client> {
  const c = await RawV1Client.connect(port);
  stops.push(() => c.close());
  return c;
}

describe('translator connection limits (issue #19 item 9)', () => {
  it('refuses connections past the per-IP limit, and takes them again once one leaves', async () => {
    const tr = await translator({ maxConnectionsPerIp: 3 });
    const kept = await Promise.all([0, 1, 2].map(() => connect(tr.port)));
    await until(() => tr.stats.downstreams === 3, 'three connections open');
    const fourth = await connect(tr.port);
    await until(() => fourth.closed, 'the fourth connection from 127.0.0.1 closed');
    expect(tr.stats.downstreams).toBe(3);
    // The three still work.
    kept[0]!.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-v1/1.0",null]}');
    expect((await kept[0]!.waitReply(1)).error).toBeNull();
    kept[2]!.close();
    await until(() => tr.stats.downstreams === 2, 'one connection gone');
    const again = await connect(tr.port);
    again.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-v1/1.0",null]}');
    expect((await again.waitReply(1)).error).toBeNull();
  });

  it('closes a connection that has not authorized by the deadline; an authorized one stays', async () => {
    const tr = await translator({ authorizeTimeoutMs: 400 });
    const idle = await connect(tr.port);
    idle.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-v1/1.0",null]}');
    const miner = await connect(tr.port);
    miner.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-v1/1.0",null]}');
    miner.line('{"id":2,"method":"mining.authorize","params":["acct.rig","x"]}');
    expect((await miner.waitReply(2)).result).toBe(true);
    await until(() => idle.closed, 'the unauthorized connection closed', 10_000);
    // Well past the deadline the authorized miner is still served.
    await new Promise((r) => setTimeout(r, 800));
    miner.line('{"id":3,"method":"mining.extranonce.subscribe","params":[]}');
    expect((await miner.waitReply(3)).result).toBe(true);
    expect(miner.closed).toBe(false);
  });

  it('closes a slow sender whose line never ends, though it sends a byte every 100 ms', async () => {
    const tr = await translator({ lineTimeoutMs: 500, idleTimeoutMs: 60_000, authorizeTimeoutMs: 60_000 });
    const slow = await connect(tr.port);
    const line = '{"id":1,"method":"mining.subscribe","params":["' + 'x'.repeat(200);
    let i = 0;
    const drip = setInterval(() => {
      if (!slow.closed) slow.write(line[i++ % line.length]!);
    }, 100);
    stops.push(() => clearInterval(drip));
    await until(() => slow.closed, 'the slow sender closed', 10_000);
    expect(tr.stats.downstreams).toBe(0);
  });

  it('counts only complete lines as activity: bytes alone do not hold an idle connection', async () => {
    const tr = await translator({ idleTimeoutMs: 600, lineTimeoutMs: 60_000, authorizeTimeoutMs: 60_000 });
    const c = await connect(tr.port);
    c.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-v1/1.0",null]}');
    const drip = setInterval(() => {
      if (!c.closed) c.write(' ');
    }, 100);
    stops.push(() => clearInterval(drip));
    await until(() => c.closed, 'the idle connection closed', 10_000);
  });
});
