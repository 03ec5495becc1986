/**
 * Transcripts of each miner family (fixtures/v1-dialects.json, sources cited there) replayed
 * against a real translator in front of a real SV2 pool over loopback TCP: the replies each
 * family expects, a real share built with the family's byte conventions accepted and at the pool
 * with the same 16 bytes, session resume, and bad dialect input answered with V1 errors.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { difficultyToTarget, targetToBytesBE } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import { nonceWith, searchNonces } from '../miner/search.js';
import type { Translator } from './translator.js';
import { RawV1Client, template, translatorBehindPool, until, type RecordingPool } from './testing/util.js';
import type { DialectName } from './dialect.js';
import { dialectForAgent } from './dialects/index.js';

type Port = 'auto' | DialectName;
interface Session {
  name: string;
  port: Port;
  dialect: DialectName;
  user: string;
  lines: string[];
  subscribeId: number;
  authorizeId: number;
  expect: { subscribe: unknown; target: string[]; notify3: 'parent' | 'targetBE' | 'targetLE' };
  extranonce2Size: number;
  submit: string;
  submitId: number;
  resume?: string;
  /** NerdMiner: extranonce1 ends N (after the device's own 8 bytes). */
  en1At?: 'tail';
}
interface Bad {
  name: string;
  port: Port;
  agent?: string;
  submit?: string;
  line?: string;
  error: unknown[];
}
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/v1-dialects.json', import.meta.url), 'utf8'),
) as {
  sessions: Session[];
  bad: Bad[];
};

const PORTS: Port[] = ['auto', 'btcpool', 'k7', 'goldshell', 'nerdminer'];
const START_DIFFICULTY = 256n;
/** The test pool's block target (testing/util template): 2^244. */
const NETWORK_TARGET = 1n << 244n;

const stops: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function setup(): Promise<{ pool: RecordingPool; tr: Translator; port: (p: Port) => number }> {
  const { pool, tr, stop } = await translatorBehindPool({
    listeners: PORTS.slice(1).map((d) => ({ host: '127.0.0.1', port: 0, dialect: d as DialectName })),
    startDifficulty: START_DIFFICULTY,
    backoff: { minMs: 50, maxMs: 500 },
  });
  stops.push(stop);
  return { pool, tr, port: (p) => tr.ports[PORTS.indexOf(p)]! };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const beHex = (t: bigint) => t.toString(16).padStart(64, '0');
const leHex = (t: bigint) => Buffer.from(beHex(t), 'hex').reverse().toString('hex');

/** A real share: the 16 bytes N = extranonce1 || rolled bytes (tail: rolled || extranonce1) meeting `target`. */
function findShare(powHashHex: string, en1Hex: string, target: bigint, tail: boolean): Buffer {
  const job = new EaglesongJob(Buffer.from(powHashHex, 'hex'));
  const n = Buffer.alloc(16);
  n.write(en1Hex, tail ? 16 - en1Hex.length / 2 : 0, 'hex');
  const at = tail ? 0 : 12;
  const [found] = searchNonces(job, n, at, 0, 1 << 16, targetToBytesBE(target));
  job.free();
  if (found === undefined) throw new Error('no share found');
  return Buffer.from(nonceWith(n, at, found));
}

function fill(line: string, v: Record<string, string>): string {
  return line.replace(/\{(\w+)\}/g, (m, k: string) => v[k] ?? m);
}

async function subscribed(c: RawV1Client, s: Session): Promise<string> {
  for (const l of s.lines) c.line(l);
  const sub = await c.waitReply(s.subscribeId);
  expect(sub.error).toBeNull();
  const en1 = (sub.result as unknown[])[1] as string;
  expect(en1).toMatch(/^[0-9a-f]{16}$/);
  expect(sub.result).toEqual(JSON.parse(fill(JSON.stringify(s.expect.subscribe), { en1 })));
  expect((await c.waitReply(s.authorizeId)).result).toBe(true);
  return en1;
}

describe('translator dialects: transcripts of each miner family', () => {
  it.each(fixtures.sessions.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const { pool, tr, port } = await setup();
    const c = await RawV1Client.connect(port(s.port));
    stops.push(() => c.close());
    const en1 = await subscribed(c, s);
    await until(() => c.notifications('mining.notify').length > 0, 'notify');

    // The share target, in the family's messages and byte order.
    const target = difficultyToTarget(START_DIFFICULTY);
    const expected: Record<string, unknown[]> = {
      'set_target:BE': ['mining.set_target', beHex(target)],
      'set_target:LE': ['mining.set_target', leHex(target)],
      // difficulty 1 = 2^224: 2^224 / 2^248
      'set_difficulty:2^224': ['mining.set_difficulty', 2 ** -24],
    };
    const targetLines = c.received
      .filter((m) => m.method === 'mining.set_target' || m.method === 'mining.set_difficulty')
      .map((m) => [m.method, (m.params as unknown[])[0]]);
    expect(targetLines).toEqual(s.expect.target.map((k) => expected[k]));

    const notify = c.notifications('mining.notify')[0] as [string, string, number, string, boolean];
    const [jobId, powHash, height, third, clean] = notify;
    expect([jobId, powHash, typeof height, clean]).toEqual([
      (101).toString(16),
      hex(template(1).powHash),
      'number',
      true,
    ]);
    expect(third).toBe(
      {
        parent: hex(template(1).parentHash),
        targetBE: beHex(NETWORK_TARGET),
        targetLE: leHex(NETWORK_TARGET),
      }[s.expect.notify3],
    );

    const n = findShare(powHash, en1, target, s.en1At === 'tail');
    const at = en1.length / 2;
    const v = {
      user: s.user,
      job: jobId,
      en1,
      counter: hex(n.subarray(0, 16 - at)),
      en2: hex(n.subarray(at, at + s.extranonce2Size)),
      own: hex(n.subarray(at + s.extranonce2Size)),
      ntime: '6925a0e0',
    };
    c.line(fill(s.submit, v));
    expect(await c.waitReply(s.submitId)).toEqual({ id: s.submitId, result: true, error: null });
    c.line(fill(s.submit, v).replace(`"id":${s.submitId}`, '"id":9001'));
    expect((await c.waitReply(9001)).error).toEqual([22, 'duplicate share', null]);
    // The pool got exactly the bytes the miner hashed, credited to the miner's name; the
    // translator credited the share at the miner's own target, not the network's.
    await until(() => pool.shares.length === 1, 'share at the pool');
    expect(hex(pool.shares[0]!.nonce)).toBe(hex(n));
    expect(pool.shares[0]!.userIdentity).toBe(s.user);
    expect(tr.stats.creditedDifficulty).toBe(START_DIFFICULTY);
    await until(() => tr.stats.upstreamAccepted === 1, 'pool acknowledgement');

    if (s.resume) {
      // A reconnecting box names its session: it gets the same extranonce1 once the slice is free.
      c.close();
      await until(() => tr.stats.downstreams === 0, 'the first connection gone');
      const again = await RawV1Client.connect(port(s.port));
      stops.push(() => again.close());
      again.line(fill(s.resume, { en1 }));
      expect(((await again.waitReply(1)).result as unknown[])[1]).toBe(en1);
      // While that session is live, another box naming it gets a slice of its own.
      const other = await RawV1Client.connect(port(s.port));
      stops.push(() => other.close());
      other.line(fill(s.resume, { en1 }));
      expect(((await other.waitReply(1)).result as unknown[])[1]).not.toBe(en1);
    }
  });
});

describe('translator dialects: bad dialect input gets the V1 error, never a crash', () => {
  it.each(fixtures.bad.map((b) => [b.name, b] as const))('%s', async (_name, b) => {
    const { tr, port } = await setup();
    const c = await RawV1Client.connect(port(b.port));
    stops.push(() => c.close());
    const user = 'ckb1qyqbaddialect000000000000000000000000000.w';
    if (b.line) {
      c.line(b.line);
      expect((await c.waitReply(1)).error).toEqual(b.error);
    } else {
      c.line(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [b.agent, null] }));
      c.line(JSON.stringify({ id: 2, method: 'mining.authorize', params: [user, 'x'] }));
      const en1 = ((await c.waitReply(1)).result as unknown[])[1] as string;
      await until(() => c.notifications('mining.notify').length > 0, 'notify');
      const jobId = (c.notifications('mining.notify')[0] as string[])[0]!;
      c.line(fill(b.submit!, { user, job: jobId, en1, ntime: '6925a0e0' }));
      const r = await c.waitReply(9);
      expect(r).toEqual({ id: 9, result: false, error: b.error });
    }
    // The connection keeps serving, and so does the translator.
    c.line('{"id":10,"method":"mining.extranonce.subscribe","params":[]}');
    expect((await c.waitReply(10)).result).toBe(true);
    expect(tr.stats.sharesAccepted).toBe(0);
  });
});

describe('translator dialects: difficulty tiers per port, suggest_difficulty in the family unit', () => {
  it('starts each port at its tier and honours suggestions within the vardiff bounds', async () => {
    const { tr, stop } = await translatorBehindPool({
      listeners: [
        { host: '127.0.0.1', port: 0, dialect: 'k7', startDifficulty: 1n << 32n },
        { host: '127.0.0.1', port: 0, dialect: 'goldshell', startDifficulty: 1n << 20n },
      ],
      startDifficulty: START_DIFFICULTY,
    });
    stops.push(stop);
    const open = async (port: number, agent: string) => {
      const c = await RawV1Client.connect(port);
      stops.push(() => c.close());
      c.line(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [agent, null] }));
      c.line('{"id":2,"method":"mining.authorize","params":["acct.rig","x"]}');
      await until(() => c.notifications('mining.notify').length > 0, `work on port ${port}`);
      return c;
    };
    const [auto, farm, small] = [
      await open(tr.ports[0]!, 'eaglepool-v1/1.0'),
      await open(tr.ports[1]!, 'ckbminer-v1.0.0'),
      await open(tr.ports[2]!, 'intminer/1.0.0'),
    ];
    expect(auto.notifications('mining.set_target')[0]).toEqual([beHex(1n << 248n)]); // 256
    expect(farm.notifications('mining.set_target')[0]).toEqual([beHex(1n << 224n)]); // 2^32
    expect(small.notifications('mining.set_target')[0]).toEqual([leHex(1n << 236n)]); // 2^20
    expect(small.notifications('mining.set_difficulty')[0]).toEqual([2 ** -12]); // 2^224 / 2^236

    // Goldshell's unit is 2^224 / target: 2^-20 means target 2^244 (Eaglepool difficulty 4096).
    small.line('{"id":3,"method":"mining.suggest_difficulty","params":[9.5367431640625e-7]}');
    expect((await small.waitReply(3)).result).toBe(true);
    await until(() => small.notifications('mining.set_difficulty').length === 2, 'the suggested difficulty');
    expect(small.notifications('mining.set_difficulty')[1]).toEqual([2 ** -20]);
    expect(small.notifications('mining.set_target')[1]).toEqual([leHex(1n << 244n)]);
    // Out of bounds: clamped to the vardiff maximum (2^64, that is 2^32 in Goldshell's unit).
    small.line('{"id":4,"method":"mining.suggest_difficulty","params":[1e30]}');
    await until(() => small.notifications('mining.set_difficulty').length === 3, 'the clamped difficulty');
    expect(small.notifications('mining.set_difficulty')[2]).toEqual([2 ** 32]);
    // A K7-port suggestion is in Eaglepool's unit; below the minimum it is clamped up (1,024).
    farm.line('{"id":3,"method":"mining.suggest_difficulty","params":[2]}');
    await until(() => farm.notifications('mining.set_target').length === 2, 'the clamped K7 target');
    expect(farm.notifications('mining.set_target')[1]).toEqual([beHex(1n << 246n)]);
    farm.line('{"id":4,"method":"mining.suggest_target","params":["zz"]}');
    expect((await farm.waitReply(4)).error).toEqual([27, 'target must be 64 hex digits', null]);
  });
});

describe('translator dialects: the choice by user agent', () => {
  it.each([
    ['ckbminer-v1.0.0', 'k7'],
    ['GodMiner', 'k7'],
    ['CkbMiner 1.2', 'k7'],
    ['intminer/1.0.0', 'goldshell'],
    ['NerdMinerCKB/CKB-V0.1.0', 'nerdminer'],
    ['nerdminer', 'nerdminer'],
    ['ckb-stratum-proxy/1.1', 'viabtc'],
    ['eaglepool-v1/1.0', 'btcpool'],
    [undefined, 'btcpool'],
  ] as const)('%s → %s', (agent, name) => {
    expect(dialectForAgent(agent).name).toBe(name);
  });
});
