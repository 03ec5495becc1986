import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UpstreamChannel } from './channel.js';
import { DEFAULT_DOWNSTREAM_LIMITS, V1Downstream, type DownstreamLimits } from './downstream.js';
import { channelWithJob, hubFor } from './testing/hub.js';

function channel(): UpstreamChannel {
  return channelWithJob({
    prefix: Uint8Array.of(1, 0, 0, 9),
    powHash: new Uint8Array(32).fill(3),
    nbits: 0x1f100000,
    target: 1n << 250n,
  });
}

function harness(limits: Partial<DownstreamLimits> = {}) {
  const ch = channel();
  let now = 1_000_000;
  const lines: string[] = [];
  const closes: string[] = [];
  const forwarded: Uint8Array[] = [];
  const workers: string[] = [];
  const hub = hubFor(ch, {
    forward: (_ds, _ch, _job, n, _block, worker) => {
      forwarded.push(n);
      workers.push(worker);
    },
    limits: { ...DEFAULT_DOWNSTREAM_LIMITS, ...limits },
    now: () => now,
  });
  const ds = new V1Downstream(
    1,
    hub,
    (l) => lines.push(l),
    (r) => closes.push(r),
  );
  const replies = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ds, ch, lines, closes, forwarded, workers, replies, advance: (ms: number) => (now += ms) };
}

const reply = (lines: string[], id: unknown) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.id === id && !('method' in m));

describe('V1Downstream: bad input', () => {
  it('answers garbage, unknown methods and bad params with JSON-RPC errors', () => {
    const h = harness();
    h.ds.handleLine('this is not json');
    h.ds.handleLine('[1,2,3]');
    h.ds.handleLine('{"id":5,"method":"mining.get_transactions","params":[]}');
    h.ds.handleLine('{"id":6,"method":"mining.authorize","params":[42]}');
    h.ds.handleLine('{"id":7,"method":"mining.submit","params":["w","2a","00"]}');
    h.ds.handleLine('{"id":8,"method":"mining.authorize","params":["bad user\\u0000","x"]}');
    const r = h.replies();
    expect(r[0]).toEqual({ id: null, result: null, error: [20, 'parse error', null] });
    expect(r[1]!.error).toEqual([20, 'not a JSON-RPC request object', null]);
    expect(reply(h.lines, 5)!.error).toEqual([26, 'unknown method mining.get_transactions', null]);
    expect(reply(h.lines, 6)!.error).toEqual([27, 'authorize needs a user name', null]);
    expect(reply(h.lines, 7)).toEqual({ id: 7, result: false, error: [25, 'not subscribed', null] });
    expect(reply(h.lines, 8)!.error).toEqual([29, 'invalid username', null]);
    expect(h.closes).toEqual([]);
  });

  it('rejects malformed and unknown-job submissions, then closes after too many bad lines', () => {
    const h = harness({ maxBadLines: 3 });
    h.ds.handleLine('{"id":1,"method":"mining.subscribe","params":[]}');
    h.ds.handleLine('{"id":2,"method":"mining.authorize","params":["a.b","x"]}');
    h.ds.handleLine('{"id":3,"method":"mining.submit","params":["a.b","2b","0000000000000000"]}');
    h.ds.handleLine('{"id":4,"method":"mining.submit","params":["a.b","2a","zz00000000000000"]}');
    h.ds.handleLine('{"id":5,"method":"mining.submit","params":["a.b","2a","00"]}');
    expect(reply(h.lines, 3)!.error).toEqual([21, 'job not found', null]);
    expect(reply(h.lines, 4)!.error).toEqual([27, 'extranonce2 must be 8 bytes of hex', null]);
    expect(h.closes).toEqual([]);
    h.ds.handleLine('nonsense');
    h.ds.handleLine('nonsense');
    expect(h.closes).toEqual(['too many bad requests (last: parse error)']);
    const n = h.lines.length;
    h.ds.handleLine('{"id":9,"method":"mining.subscribe","params":[]}');
    expect(h.lines.length).toBe(n); // closed: nothing more
  });

  it('closes a request flood', () => {
    const h = harness({ requestBurst: 50, requestsPerSecond: 10 });
    for (let i = 0; i < 60; i++)
      h.ds.handleLine(`{"id":${i},"method":"mining.extranonce.subscribe","params":[]}`);
    expect(h.closes).toEqual(['request flood']);
  });

  it('never throws and only writes JSON lines, whatever the miner sends', () => {
    const methods = [
      'mining.subscribe',
      'mining.authorize',
      'mining.submit',
      'mining.suggest_difficulty',
      'mining.suggest_target',
      'mining.configure',
      'mining.extranonce.subscribe',
      'x',
    ];
    const request = fc.record({
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined)),
      method: fc.constantFrom(...methods),
      params: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 6 }), fc.jsonValue()),
    });
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      request.map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (ls) => {
        const h = harness({ maxBadLines: 1000 });
        h.ds.handleLine('{"id":1,"method":"mining.subscribe","params":[]}');
        for (const l of ls) h.ds.handleLine(l);
        for (const out of h.lines) expect(() => JSON.parse(out) as unknown).not.toThrow();
        h.ds.dispose();
        expect(h.ch.slices.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('V1Downstream: shares', () => {
  it('accepts a share meeting its own target and forwards only those meeting the channel target', () => {
    const h = harness();
    h.ds.handleLine('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    h.ds.handleLine('{"id":2,"method":"mining.authorize","params":["a.b","x"]}');
    const en1 = (reply(h.lines, 1)!.result as [null, string, number])[1];
    expect(en1.slice(0, 8)).toBe('01000009'); // channel prefix first, then the miner's slice
    const job = h.ch.current!;
    const base = new Uint8Array(16);
    base.set(Buffer.from(en1, 'hex'));
    const t16 = Buffer.from(h.ds.target!.toString(16).padStart(64, '0'), 'hex');
    const found = job.hasher.search(base, 0, 20_000, t16);
    expect(found.length).toBeGreaterThan(100);
    let forwardedExpected = 0;
    for (const [i, nonce] of found.slice(0, 50).entries()) {
      const n = Uint8Array.from(base);
      new DataView(n.buffer).setUint32(12, nonce, true);
      const en2 = Buffer.from(n.subarray(8)).toString('hex');
      h.ds.handleLine(`{"id":${100 + i},"method":"mining.submit","params":["a.b","2a","${en2}"]}`);
      expect(reply(h.lines, 100 + i)).toEqual({ id: 100 + i, result: true, error: null });
      if (job.hasher.meets(n, h.ch.targetBE)) forwardedExpected++;
    }
    expect(h.forwarded.length).toBe(forwardedExpected);
    expect(forwardedExpected).toBeLessThan(50);
    expect(forwardedExpected).toBeGreaterThan(0); // else the loop below checks nothing
    // Forwarded N are extranonce1 || extranonce2 exactly.
    for (const n of h.forwarded) expect(Buffer.from(n.subarray(0, 8)).toString('hex')).toBe(en1);
  });

  it('credits each share to the authorized worker it names; unauthorized names get error 24', () => {
    const h = harness();
    h.ds.handleLine('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    h.ds.handleLine('{"id":2,"method":"mining.authorize","params":["acct.rig1","x"]}');
    h.ds.handleLine('{"id":3,"method":"mining.authorize","params":["acct.rig2","x"]}');
    h.ds.handleLine('{"id":4,"method":"mining.authorize","params":["acct.rig1","x"]}'); // again: fine
    expect(h.ds.workers).toEqual(['acct.rig1', 'acct.rig2']);
    const en1 = (reply(h.lines, 1)!.result as [null, string, number])[1];
    const job = h.ch.current!;
    const base = new Uint8Array(16);
    base.set(Buffer.from(en1, 'hex'));
    // Shares that meet the channel target, so every accepted one is forwarded.
    const found = job.hasher.search(base, 0, 200_000, h.ch.targetBE).slice(0, 4);
    expect(found).toHaveLength(4);
    const en2 = found.map((nonce) => {
      const n = Uint8Array.from(base);
      new DataView(n.buffer).setUint32(12, nonce, true);
      return Buffer.from(n.subarray(8)).toString('hex');
    });
    const submit = (id: number, worker: string, e: string) =>
      h.ds.handleLine(JSON.stringify({ id, method: 'mining.submit', params: [worker, '2a', e] }));
    submit(10, 'acct.rig2', en2[0]!);
    submit(11, 'acct.rig1', en2[1]!);
    submit(12, 'acct.rig3', en2[2]!);
    submit(13, 'rig1', en2[3]!);
    expect([10, 11].map((id) => reply(h.lines, id))).toEqual([
      { id: 10, result: true, error: null },
      { id: 11, result: true, error: null },
    ]);
    for (const id of [12, 13])
      expect(reply(h.lines, id)).toEqual({ id, result: false, error: [24, 'unauthorized worker', null] });
    expect(h.workers).toEqual(['acct.rig2', 'acct.rig1']);
    // The rejected shares were not consumed: their authorized worker can still submit them.
    submit(14, 'acct.rig2', en2[2]!);
    expect(reply(h.lines, 14)).toEqual({ id: 14, result: true, error: null });
    expect(h.ds.stats).toMatchObject({ accepted: 3, rejected: 2 });
  });

  it('caps the worker names one connection may authorize', () => {
    const h = harness();
    for (let i = 0; i < 65; i++)
      h.ds.handleLine(`{"id":${i},"method":"mining.authorize","params":["acct.w${i}","x"]}`);
    expect(reply(h.lines, 63)).toEqual({ id: 63, result: true, error: null });
    expect(reply(h.lines, 64)!.error).toEqual([24, 'too many workers on one connection', null]);
    expect(h.ds.workers).toHaveLength(64);
  });

  it('retargets each miner with vardiff: set_target, then the current job again', () => {
    const h = harness();
    h.ds.handleLine('{"id":1,"method":"mining.subscribe","params":[]}');
    h.ds.handleLine('{"id":2,"method":"mining.authorize","params":["a.b","x"]}');
    const en1 = (reply(h.lines, 1)!.result as [null, string, number])[1];
    const job = h.ch.current!;
    const base = new Uint8Array(16);
    base.set(Buffer.from(en1, 'hex'));
    const t = Buffer.from(h.ds.target!.toString(16).padStart(64, '0'), 'hex');
    for (const [i, nonce] of job.hasher.search(base, 0, 4000, t).slice(0, 40).entries()) {
      const n = Uint8Array.from(base);
      new DataView(n.buffer).setUint32(12, nonce, true);
      h.ds.handleLine(
        `{"id":${100 + i},"method":"mining.submit","params":["a.b","2a","${Buffer.from(n.subarray(8)).toString('hex')}"]}`,
      );
    }
    const before = h.ds.target!;
    const n = h.lines.length;
    h.advance(3_100);
    h.ds.tick(1_000_000 + 3_100);
    // Warm-up: 40 shares in 3.1 s at a 5 s goal → as hard as one step allows (×16), announced.
    expect(h.ds.target).toBe(before / 16n);
    const out = h.lines.slice(n).map((l) => JSON.parse(l) as { method: string; params: unknown[] });
    expect(out.map((m) => m.method)).toEqual(['mining.set_target', 'mining.notify']);
    expect(BigInt(`0x${out[0]!.params[0] as string}`)).toBe(before / 16n);
    expect(out[1]!.params[4]).toBe(false);
    // A share found before the miner saw the new target still counts (easier, old target).
    const late = job.hasher
      .search(base, 4000, 200_000, t)
      .map((nonce) => {
        const n = Uint8Array.from(base);
        new DataView(n.buffer).setUint32(12, nonce, true);
        return n;
      })
      .find((n) => !job.hasher.meets(n, Buffer.from((before / 16n).toString(16).padStart(64, '0'), 'hex')))!;
    h.ds.handleLine(
      `{"id":999,"method":"mining.submit","params":["a.b","2a","${Buffer.from(late.subarray(8)).toString('hex')}"]}`,
    );
    expect(reply(h.lines, 999)).toEqual({ id: 999, result: true, error: null });
    // No share for a while during the warm-up: never eased.
    h.advance(6_000);
    h.ds.tick(1_000_000 + 9_100);
    expect(h.ds.target).toBe(before / 16n);
    // After the warm-up the normal controller (30 s windows, ×4 steps) eases a silent miner.
    h.advance(30_000);
    h.ds.tick(1_000_000 + 39_100);
    h.advance(31_000);
    h.ds.tick(1_000_000 + 70_100);
    expect(h.ds.target).toBe((before / 16n) * 4n);
  });
});
