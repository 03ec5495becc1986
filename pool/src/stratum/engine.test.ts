import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  bytesBEToTarget,
  difficultyToTarget,
  targetToDifficulty,
  targetToU256LE,
  u256LEToTarget,
} from '../ckb/target.js';
import type { MessageOf, Sv2Message } from '../sv2/index.js';
import { FrameDecoder, decodeFrame } from '../sv2/index.js';
import {
  SHARE_NOT_LOGGED,
  StratumEngine,
  type AcceptedShare,
  type BlockCandidate,
  type Confirmation,
} from './engine.js';
import type { JobTemplate, PowHasher } from './jobs.js';
import { extendedNonce, nonceToU128, standardNonce } from '../mining/nonce.js';

/** Stand-in PoW: the channel logic does not depend on which 256-bit hash is used. */
class FakeHasher implements PowHasher {
  freed = false;
  constructor(private readonly powHash: Uint8Array) {}
  hash(nonce: Uint8Array, out?: Uint8Array): Uint8Array {
    const input = new Uint8Array(48);
    input.set(this.powHash);
    input.set(nonce, 32);
    const h = blake2b(input, { dkLen: 32 });
    if (out) {
      out.set(h);
      return out;
    }
    return h;
  }
  free(): void {
    this.freed = true;
  }
}

const MAX = (1n << 256n) - 1n;
type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

function template(n: number, parent: number, target = 1n << 200n): JobTemplate {
  return {
    workId: `w${n}`,
    number: BigInt(n),
    parentHash: new Uint8Array(32).fill(parent),
    timestamp: 1_700_000_000_123n + BigInt(n) * 1000n,
    compactTarget: 0x20010000,
    target,
    powHash: new Uint8Array(32).fill(n),
    version: 0,
  };
}

interface SetupOptions {
  batch?: number;
  ackWindowMs?: number;
  /** Confirmation returned for each accepted share (default: durable at once). */
  confirmShare?: (share: AcceptedShare) => Confirmation;
  confirmBlock?: (block: BlockCandidate) => Confirmation;
  userCheck?: (userIdentity: string) => string | undefined;
}

function setup(opts: SetupOptions = {}) {
  let clock = 1_000_000;
  const shares: AcceptedShare[] = [];
  const blocks: BlockCandidate[] = [];
  const rejects: string[] = [];
  const engine = new StratumEngine(
    {
      replicaId: Uint8Array.of(3),
      makeHasher: (p) => new FakeHasher(p),
      shareBatchSize: opts.batch ?? 10,
      ackWindowMs: opts.ackWindowMs,
      userCheck: opts.userCheck,
      vardiff: {
        targetIntervalSec: 10,
        retargetMs: 60_000,
        maxStep: 4,
        minDifficulty: 2n,
        maxDifficulty: 1n << 60n,
      },
      now: () => clock,
    },
    {
      onShare: (s) => (shares.push(s), opts.confirmShare?.(s)),
      onBlock: (b) => (blocks.push(b), opts.confirmBlock?.(b)),
      onReject: (c) => void rejects.push(c),
    },
  );
  const sent: Sv2Message[] = [];
  const conn = engine.connect((m) => sent.push(m));
  const of = <T extends Sv2Message['type']>(type: T) => sent.filter((m): m is Of<T> => m.type === type);
  return { engine, conn, sent, of, shares, blocks, rejects, advance: (ms: number) => (clock += ms) };
}

function openStandard(h: ReturnType<typeof setup>, maxTarget = MAX, hashRate = 0) {
  h.conn.handle({
    type: 'OpenStandardMiningChannel',
    requestId: 7,
    userIdentity: 'alice.rig1',
    nominalHashRate: hashRate,
    maxTarget: targetToU256LE(maxTarget),
  });
  const ok = h.of('OpenStandardMiningChannelSuccess').at(-1)!;
  return ok;
}

/** Finds (version, nonce) whose hash for the job meets `target` and, if given, misses `above`. */
function findShare(powHash: Uint8Array, prefix: Uint8Array, target: bigint, start = 0, above?: bigint) {
  const hasher = new FakeHasher(powHash);
  for (let nonce = start; ; nonce++) {
    const h = bytesBEToTarget(hasher.hash(standardNonce(prefix, 0, nonce)));
    if (h <= target && (above === undefined || h > above)) return nonce;
  }
}

const submit = (channelId: number, seq: number, jobId: number, nonce: number, ntime: number): Sv2Message => ({
  type: 'SubmitSharesStandard',
  channelId,
  sequenceNumber: seq,
  jobId,
  nonce,
  ntime,
  version: 0,
});

describe('StratumEngine channels', () => {
  it('opens a standard channel with a prefix, the group id, and a future job activated by SetNewPrevHash', () => {
    const h = setup();
    h.engine.newJob(template(1, 0xaa));
    const ok = openStandard(h, MAX, 1000);
    expect(ok.requestId).toBe(7);
    expect(ok.extranoncePrefix.length).toBe(8);
    expect(ok.extranoncePrefix[0]).toBe(3);
    expect(ok.groupChannelId).toBe(1);
    expect(targetToDifficulty(u256LEToTarget(ok.target))).toBe(10_000n);
    const [job] = h.of('NewMiningJob');
    expect(job).toMatchObject({ channelId: ok.channelId, jobId: 1, minNtime: undefined, version: 0 });
    expect([...job!.merkleRoot]).toEqual([...template(1, 0xaa).powHash]);
    const [prev] = h.of('SetNewPrevHash');
    expect(prev).toMatchObject({
      channelId: ok.channelId,
      jobId: 1,
      minNtime: 1_700_000_001,
      nbits: 0x20010000,
    });
    expect(h.sent.map((m) => m.type)).toEqual([
      'OpenStandardMiningChannelSuccess',
      'NewMiningJob',
      'SetNewPrevHash',
    ]);
  });

  it('gives extended channels prefix + extranonce + 4 = 16 and pow_hash as coinbase_tx_prefix', () => {
    const h = setup();
    h.engine.newJob(template(1, 0xaa));
    h.conn.handle({
      type: 'OpenExtendedMiningChannel',
      requestId: 1,
      userIdentity: 'farm',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
      minExtranonceSize: 4,
    });
    const ok = h.of('OpenExtendedMiningChannelSuccess')[0]!;
    expect(ok.extranoncePrefix.length + ok.extranonceSize + 4).toBe(16);
    const job = h.of('NewExtendedMiningJob')[0]!;
    expect([...job.coinbaseTxPrefix]).toEqual([...template(1, 0xaa).powHash]);
    expect(job.coinbaseTxSuffix.length).toBe(0);
    expect(job.merklePath).toEqual([]);
    h.conn.handle({
      type: 'OpenExtendedMiningChannel',
      requestId: 2,
      userIdentity: 'farm',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
      minExtranonceSize: 13,
    });
    expect(h.of('OpenMiningChannelError')[0]).toMatchObject({
      requestId: 2,
      errorCode: 'min-extranonce-size-too-large',
    });
  });

  it('refuses extended channels to connections that require standard jobs, and bad hash rates', () => {
    const h = setup();
    const sent: Sv2Message[] = [];
    const conn = h.engine.connect((m) => sent.push(m), { requiresStandardJobs: true });
    const base = { requestId: 4, userIdentity: 'x', maxTarget: targetToU256LE(MAX), minExtranonceSize: 0 };
    conn.handle({ type: 'OpenExtendedMiningChannel', nominalHashRate: 0, ...base });
    conn.handle({ type: 'OpenStandardMiningChannel', ...base, nominalHashRate: -1 });
    conn.handle({ type: 'OpenStandardMiningChannel', ...base, nominalHashRate: 0, userIdentity: '' });
    // A NUL and a right-to-left override (U+202E) were accepted and credited until 2026-12-07.
    conn.handle({
      type: 'OpenStandardMiningChannel',
      ...base,
      nominalHashRate: 0,
      userIdentity: 'ev\0il.\u202erig',
    });
    conn.handle({
      type: 'OpenStandardMiningChannel',
      ...base,
      nominalHashRate: 0,
      userIdentity: 'a'.repeat(200),
    });
    expect(sent.map((m) => (m as Of<'OpenMiningChannelError'>).errorCode)).toEqual([
      'extended-channels-not-supported-for-standard-jobs',
      'invalid-nominal-hashrate',
      'invalid-user-identity',
      'invalid-user-identity',
      'invalid-user-identity',
    ]);
  });

  it('refuses a channel whose account is not a CKB address of the pool network (userCheck)', async () => {
    const { payoutAddressError } = await import('../payout/address.js');
    const h = setup({ userCheck: (u) => payoutAddressError(u, 'testnet') });
    const base = { requestId: 1, maxTarget: targetToU256LE(MAX), minExtranonceSize: 0, nominalHashRate: 0 };
    const testnet =
      'ckt1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsq0efx5ueqldalx4sr4n7rem4cv8cngq3kcyk4ydl';
    const mainnet =
      'ckb1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsq0efx5ueqldalx4sr4n7rem4cv8cngq3kc2y7t88';
    h.conn.handle({ type: 'OpenStandardMiningChannel', ...base, userIdentity: 'alice.rig1' });
    h.conn.handle({ type: 'OpenStandardMiningChannel', ...base, userIdentity: `${mainnet}.rig1` });
    h.conn.handle({
      type: 'OpenStandardMiningChannel',
      ...base,
      userIdentity: `${testnet.slice(0, -1)}x.rig1`,
    });
    h.conn.handle({ type: 'OpenStandardMiningChannel', ...base, userIdentity: `${testnet}.rig1` });
    expect(h.sent.map((m) => m.type)).toEqual([
      'OpenMiningChannelError',
      'OpenMiningChannelError',
      'OpenMiningChannelError',
      'OpenStandardMiningChannelSuccess',
    ]);
  });

  it('releases prefixes when channels or connections close', () => {
    const h = setup();
    const ok = openStandard(h);
    openStandard(h);
    expect(h.engine.channelCount).toBe(2);
    h.conn.handle({ type: 'CloseChannel', channelId: ok.channelId, reasonCode: 'bye' });
    expect(h.engine.channelCount).toBe(1);
    h.conn.close();
    expect(h.engine.channelCount).toBe(0);
    expect(h.engine.connections.size).toBe(0);
  });
});

describe('StratumEngine shares', () => {
  it('accepts a valid share, logs it, and batches SubmitShares.Success after the turn', async () => {
    const h = setup();
    const t = template(1, 0xaa, 1n);
    h.engine.newJob(t);
    const shareTarget = 1n << 254n;
    const ok = openStandard(h, shareTarget);
    const n1 = findShare(t.powHash, ok.extranoncePrefix, shareTarget);
    const n2 = findShare(t.powHash, ok.extranoncePrefix, shareTarget, n1 + 1);
    h.conn.handle(submit(ok.channelId, 10, 1, n1, 1_700_000_001));
    h.conn.handle(submit(ok.channelId, 11, 1, n2, 1_700_000_001));
    expect(h.of('SubmitSharesSuccess')).toHaveLength(0);
    await Promise.resolve();
    expect(h.of('SubmitSharesSuccess')).toEqual([
      {
        type: 'SubmitSharesSuccess',
        channelId: ok.channelId,
        lastSequenceNumber: 11,
        newSubmitsAcceptedCount: 2,
        newSharesSum: 2n * targetToDifficulty(shareTarget),
      },
    ]);
    expect(h.shares.map((s) => s.userIdentity)).toEqual(['alice.rig1', 'alice.rig1']);
    expect(h.shares[0]!.nonce).toEqual(standardNonce(ok.extranoncePrefix, 0, n1));
    expect(h.blocks).toHaveLength(0);
  });

  it('acknowledges at once when the batch is full', () => {
    const h = setup({ batch: 1 });
    const t = template(1, 0xaa, 1n);
    h.engine.newJob(t);
    const ok = openStandard(h, 1n << 255n);
    h.conn.handle(
      submit(ok.channelId, 1, 1, findShare(t.powHash, ok.extranoncePrefix, 1n << 255n), 1_700_000_001),
    );
    expect(h.of('SubmitSharesSuccess')).toHaveLength(1);
  });

  it('rejects with the SV2 error codes', () => {
    const h = setup();
    const t = template(1, 0xaa, 1n);
    h.engine.newJob(t);
    const target = 1n << 250n;
    const ok = openStandard(h, target);
    const good = findShare(t.powHash, ok.extranoncePrefix, target);
    const low = findShare(t.powHash, ok.extranoncePrefix, MAX, 0, target);
    h.conn.handle(submit(99, 1, 1, good, 1_700_000_001));
    h.conn.handle(submit(ok.channelId, 2, 42, good, 1_700_000_001));
    h.conn.handle(submit(ok.channelId, 3, 1, good, 1_700_000_002));
    h.conn.handle(submit(ok.channelId, 4, 1, low, 1_700_000_001));
    h.conn.handle(submit(ok.channelId, 5, 1, good, 1_700_000_001));
    h.conn.handle(submit(ok.channelId, 6, 1, good, 1_700_000_001));
    h.engine.newJob(template(2, 0xbb, 1n));
    h.conn.handle(submit(ok.channelId, 7, 1, good + 1, 1_700_000_001));
    expect(h.of('SubmitSharesError').map((e) => [e.sequenceNumber, e.errorCode])).toEqual([
      [1, 'invalid-channel-id'],
      [2, 'invalid-job-id'],
      [3, 'invalid-share'],
      [4, 'difficulty-too-low'],
      [6, 'duplicate-share'],
      [7, 'stale-share'],
    ]);
    expect(h.shares).toHaveLength(1);
    expect(h.rejects).toHaveLength(6);
  });

  it('reports a block candidate with the u128 nonce when the hash meets the network target', () => {
    const h = setup();
    const net = 1n << 252n;
    const t = template(5, 0xaa, net);
    h.engine.newJob(t);
    const ok = openStandard(h, MAX);
    const n = findShare(t.powHash, ok.extranoncePrefix, net);
    h.conn.handle(submit(ok.channelId, 1, 1, n, Number(t.timestamp / 1000n)));
    expect(h.blocks).toHaveLength(1);
    expect(h.blocks[0]).toMatchObject({ workId: 'w5', height: 5n, userIdentity: 'alice.rig1' });
    expect(h.blocks[0]!.nonce).toBe(nonceToU128(standardNonce(ok.extranoncePrefix, 0, n)));
    expect(h.shares[0]!.isBlock).toBe(true);
  });

  it('never sets a share target harder than the network target, so every block is a share', () => {
    const h = setup();
    const t = template(5, 0xaa, 1n << 255n);
    h.engine.newJob(t);
    const ok = openStandard(h, MAX, 1e12);
    expect(u256LEToTarget(ok.target)).toBe(1n << 255n);
    const n = findShare(t.powHash, ok.extranoncePrefix, 1n << 255n, 0, 1n << 240n);
    h.conn.handle(submit(ok.channelId, 1, 1, n, Number(t.timestamp / 1000n)));
    expect(h.blocks).toHaveLength(1);
    expect(h.of('SubmitSharesError')).toHaveLength(0);
  });
});

/** A confirmation the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a message no share went into may fail unobserved
  return { promise, resolve, reject };
}

/** Lets every settled promise's handlers (and queued microtasks) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const SHARE_TARGET = 1n << 255n;
const NTIME = 1_700_000_001;

/**
 * A channel on job 1 (no blocks: network target 1) and `count` distinct valid nonces; each
 * accepted share's confirmation comes from `confirm` (the fake share log).
 */
function ackSetup(count: number, confirm: (share: AcceptedShare) => Confirmation) {
  const h = setup({ confirmShare: confirm });
  const t = template(1, 0xaa, 1n);
  h.engine.newJob(t);
  const ok = openStandard(h, SHARE_TARGET);
  const nonces: number[] = [];
  for (let i = 0; i < count; i++) {
    nonces.push(findShare(t.powHash, ok.extranoncePrefix, SHARE_TARGET, (nonces.at(-1) ?? -1) + 1));
  }
  const low = findShare(t.powHash, ok.extranoncePrefix, MAX, 0, SHARE_TARGET);
  const verdicts = () =>
    h.sent
      .filter((m) => m.type === 'SubmitSharesSuccess' || m.type === 'SubmitSharesError')
      .map((m) =>
        m.type === 'SubmitSharesSuccess'
          ? `ok<=${m.lastSequenceNumber}x${m.newSubmitsAcceptedCount}`
          : `err${m.sequenceNumber}:${m.errorCode}`,
      );
  return {
    h,
    channelId: ok.channelId,
    verdicts,
    /** Submits share `i` (a valid nonce) with sequence number `seq`. */
    share: (seq: number, i: number) => h.conn.handle(submit(ok.channelId, seq, 1, nonces[i]!, NTIME)),
    invalid: (seq: number) => h.conn.handle(submit(ok.channelId, seq, 1, low, NTIME)),
  };
}

describe('StratumEngine durable acknowledgements', () => {
  it('sends SubmitShares.Success only once the shares it covers are confirmed; errors go out at once', async () => {
    const message = deferred();
    const a = ackSetup(3, () => message.promise);
    a.share(1, 0);
    a.share(2, 1);
    a.invalid(3);
    a.share(4, 2);
    await settle();
    expect(a.verdicts()).toEqual(['err3:difficulty-too-low']);
    message.resolve();
    await settle();
    expect(a.verdicts()).toEqual(['err3:difficulty-too-low', 'ok<=4x3']);
    expect(a.h.of('SubmitSharesSuccess')[0]!.newSharesSum).toBe(3n * targetToDifficulty(SHARE_TARGET));
  });

  it('never acknowledges past an unconfirmed share: a later message confirmed first waits', async () => {
    const first = deferred();
    const second = deferred();
    let current = first;
    const a = ackSetup(4, () => current.promise);
    a.share(1, 0);
    a.share(2, 1);
    current = second;
    a.share(3, 2);
    a.share(4, 3);
    second.resolve();
    await settle();
    expect(a.verdicts()).toEqual([]);
    first.resolve();
    await settle();
    expect(a.verdicts()).toEqual(['ok<=4x4']);
  });

  it('answers shares whose write failed with share-not-logged, in order around the Successes', async () => {
    const msgs = [deferred(), deferred(), deferred()];
    let current = 0;
    const notLogged: number[] = [];
    const a = ackSetup(6, () => msgs[current]!.promise);
    a.h.engine.events.onNotLogged = (count) => void notLogged.push(count);
    a.share(1, 0);
    a.share(2, 1);
    current = 1;
    a.share(3, 2);
    a.share(4, 3);
    current = 2;
    a.share(5, 4);
    msgs[2]!.resolve();
    msgs[1]!.reject(new Error('broker down'));
    await settle();
    expect(a.verdicts()).toEqual([]);
    msgs[0]!.resolve();
    await settle();
    // Success for 1–2, then the errors for 3–4, then the Success for 5 (it does not cover 3–4).
    expect(a.verdicts()).toEqual([
      'ok<=2x2',
      `err3:${SHARE_NOT_LOGGED}`,
      `err4:${SHARE_NOT_LOGGED}`,
      'ok<=5x1',
    ]);
    expect(notLogged).toEqual([2]);
  });

  it('queues shares confirmed at once behind pending ones', async () => {
    const message = deferred();
    let confirmation: Confirmation = message.promise;
    const a = ackSetup(3, () => confirmation);
    a.share(1, 0);
    confirmation = undefined;
    a.share(2, 1);
    await settle();
    expect(a.verdicts()).toEqual([]);
    message.resolve();
    await settle();
    expect(a.verdicts()).toEqual(['ok<=2x2']);
    a.share(3, 2); // nothing pending any more: the fast path, acknowledged after the turn
    await Promise.resolve();
    expect(a.verdicts()).toEqual(['ok<=2x2', 'ok<=3x1']);
  });

  it('acknowledges a block share only once both its share and its candidate are confirmed', async () => {
    const shareLogged = deferred();
    const candidateLogged = deferred();
    const h = setup({ confirmShare: () => shareLogged.promise, confirmBlock: () => candidateLogged.promise });
    const net = 1n << 252n;
    const t = template(5, 0xaa, net);
    h.engine.newJob(t);
    const ok = openStandard(h, MAX);
    h.conn.handle(submit(ok.channelId, 1, 1, findShare(t.powHash, ok.extranoncePrefix, net), NTIME + 4));
    expect(h.blocks).toHaveLength(1);
    shareLogged.resolve();
    await settle();
    expect(h.of('SubmitSharesSuccess')).toHaveLength(0);
    candidateLogged.resolve();
    await settle();
    expect(h.of('SubmitSharesSuccess')).toMatchObject([
      { lastSequenceNumber: 1, newSubmitsAcceptedCount: 1 },
    ]);
  });

  it('confirmed() resolves once the pending acknowledgements are sent; closed connections get none', async () => {
    const message = deferred();
    const a = ackSetup(2, () => message.promise);
    a.share(1, 0);
    const other = a.h.engine.connect(() => {
      throw new Error('a closed connection must not be written to');
    });
    other.close();
    let drained = false;
    const done = a.h.engine.confirmed().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    message.resolve();
    await done;
    expect(a.verdicts()).toEqual(['ok<=1x1']);

    const later = deferred();
    const b = ackSetup(1, () => later.promise);
    b.share(1, 0);
    b.h.conn.close();
    later.resolve();
    await settle();
    expect(b.verdicts()).toEqual([]);
  });

  it('property: every share gets exactly one verdict, and a Success only covers confirmed shares', async () => {
    // Each step submits a valid share into the current message, an invalid one, or starts a new
    // message; then the messages settle in a random order, some failing.
    const step = fc.constantFrom('share', 'invalid', 'next');
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 40 }),
        async (steps, settleOrder) => {
          const messages = [deferred()];
          const fate: ('ok' | 'failed' | undefined)[] = [undefined];
          const messageOf = new Map<number, number>(); // seq -> message index
          const a = ackSetup(
            steps.filter((s) => s === 'share').length,
            () => messages[messages.length - 1]!.promise,
          );
          let seq = 0;
          let valid = 0;
          const invalid = new Set<number>();
          for (const s of steps) {
            if (s === 'next') {
              messages.push(deferred());
              fate.push(undefined);
            } else if (s === 'share') {
              messageOf.set(++seq, messages.length - 1);
              a.share(seq, valid++);
            } else {
              invalid.add(++seq);
              a.invalid(seq);
            }
          }
          const unsettled = messages.map((_, i) => i);
          for (const [pick, fails] of [...settleOrder, ...messages.map(() => [0, false] as const)]) {
            if (unsettled.length === 0) break;
            const i = unsettled.splice(pick % unsettled.length, 1)[0]!;
            fate[i] = fails ? 'failed' : 'ok';
            if (fails) messages[i]!.reject(new Error('write failed'));
            else messages[i]!.resolve();
            await settle();
          }
          // Replay the verdicts as a miner does: a Success covers the unanswered shares up to its number.
          const unanswered = new Set<number>(Array.from({ length: seq }, (_, i) => i + 1));
          for (const m of a.h.sent) {
            if (m.type === 'SubmitSharesError') {
              expect(unanswered.delete(m.sequenceNumber)).toBe(true);
              const expected = invalid.has(m.sequenceNumber) ? 'difficulty-too-low' : SHARE_NOT_LOGGED;
              expect(m.errorCode).toBe(expected);
              if (expected === SHARE_NOT_LOGGED)
                expect(fate[messageOf.get(m.sequenceNumber)!]).toBe('failed');
            } else if (m.type === 'SubmitSharesSuccess') {
              const covered = [...unanswered].filter((s) => s <= m.lastSequenceNumber);
              expect(covered).toHaveLength(m.newSubmitsAcceptedCount);
              for (const s of covered) {
                expect(fate[messageOf.get(s)!]).toBe('ok');
                unanswered.delete(s);
              }
            }
          }
          expect([...unanswered]).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('StratumEngine jobs and vardiff', () => {
  it('sends new-tip jobs as future + SetNewPrevHash, same-tip jobs with min_ntime, and frees stale midstates', () => {
    const hashers: FakeHasher[] = [];
    const engine = new StratumEngine(
      { replicaId: Uint8Array.of(1), makeHasher: (p) => (hashers.push(new FakeHasher(p)), hashers.at(-1)!) },
      { onShare: () => undefined, onBlock: () => undefined },
    );
    const sent: Sv2Message[] = [];
    const conn = engine.connect((m) => sent.push(m));
    conn.handle({
      type: 'OpenStandardMiningChannel',
      requestId: 1,
      userIdentity: 'u',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
    });
    const a = engine.newJob(template(1, 0xaa));
    conn.sendJob(a.job);
    const b = engine.newJob(template(2, 0xaa));
    conn.sendJob(b.job);
    const c = engine.newJob(template(3, 0xbb));
    conn.sendJob(c.job);
    expect(sent.slice(1).map((m) => [m.type, (m as Of<'NewMiningJob'>).minNtime])).toEqual([
      ['NewMiningJob', undefined],
      ['SetNewPrevHash', 1_700_000_001],
      ['NewMiningJob', 1_700_000_002],
      ['NewMiningJob', undefined],
      ['SetNewPrevHash', 1_700_000_003],
    ]);
    expect(hashers.map((x) => x.freed)).toEqual([true, true, false]);
    expect(engine.jobs.lookup(2)).toBe('stale');
  });

  it('sends jobs as pre-encoded frames with channel_id patched, equal to the encoded messages', () => {
    const engine = new StratumEngine(
      { replicaId: Uint8Array.of(1), makeHasher: (p) => new FakeHasher(p) },
      { onShare: () => undefined, onBlock: () => undefined },
    );
    const open = (conn: ReturnType<typeof engine.connect>) => {
      for (const requestId of [1, 2, 3]) {
        conn.handle({
          type: 'OpenStandardMiningChannel',
          requestId,
          userIdentity: 'u',
          nominalHashRate: 0,
          maxTarget: targetToU256LE(MAX),
        });
      }
      conn.handle({
        type: 'OpenExtendedMiningChannel',
        requestId: 4,
        userIdentity: 'u',
        nominalHashRate: 0,
        maxTarget: targetToU256LE(MAX),
        minExtranonceSize: 4,
      });
    };
    const reference: Sv2Message[] = [];
    const plain = engine.connect((m) => reference.push(m));
    const framed: Sv2Message[] = [];
    const decoder = new FrameDecoder();
    const viaFrames = engine.connect(() => {}, {
      frames: {
        // Copy: the engine reuses its frame buffers for the next channel.
        sendFrame: (f) => void framed.push(...decoder.push(f.slice()).map((fr) => decodeFrame(fr)!)),
      },
    });
    open(plain);
    open(viaFrames);
    for (const [n, parent] of [
      [1, 0xaa],
      [2, 0xaa],
      [3, 0xbb],
    ] as const) {
      const { job } = engine.newJob(template(n, parent));
      plain.sendJob(job);
      viaFrames.sendJob(job);
    }
    const jobTypes = ['NewMiningJob', 'NewExtendedMiningJob', 'SetNewPrevHash'];
    const expected = reference.filter((m) => jobTypes.includes(m.type));
    expect(expected.length).toBe(4 * 2 + 4 + 4 * 2);
    expect(framed).toEqual(expected);
  });

  it('raises the difficulty of a fast channel with SetTarget applying to later jobs', async () => {
    const h = setup();
    const t = template(1, 0xaa, 1n);
    h.engine.newJob(t);
    const start = difficultyToTarget(4n);
    const ok = openStandard(h, start);
    let nonce = 0;
    for (let seq = 0; seq < 40; seq++) {
      nonce = findShare(t.powHash, ok.extranoncePrefix, start, nonce) + 1;
      h.conn.handle(submit(ok.channelId, seq, 1, nonce - 1, 1_700_000_001));
    }
    await Promise.resolve();
    h.advance(60_000);
    h.engine.tick();
    const [set] = h.of('SetTarget');
    expect(set!.channelId).toBe(ok.channelId);
    expect(u256LEToTarget(set!.maximumTarget)).toBeLessThan(start);
    // The current job keeps the old target for shares already in flight.
    nonce = findShare(t.powHash, ok.extranoncePrefix, start, nonce, u256LEToTarget(set!.maximumTarget));
    h.conn.handle(submit(ok.channelId, 100, 1, nonce, 1_700_000_001));
    expect(h.of('SubmitSharesError')).toHaveLength(0);
  });

  it('answers UpdateChannel for an unknown channel with invalid-channel-id', () => {
    const h = setup();
    h.conn.handle({
      type: 'UpdateChannel',
      channelId: 5,
      nominalHashRate: 1,
      maximumTarget: targetToU256LE(MAX),
    });
    expect(h.of('UpdateChannelError')[0]).toMatchObject({ channelId: 5, errorCode: 'invalid-channel-id' });
  });

  it('applies a lower maximum target from UpdateChannel with SetTarget', () => {
    const h = setup();
    const ok = openStandard(h, MAX);
    const max = difficultyToTarget(1n << 40n);
    h.conn.handle({
      type: 'UpdateChannel',
      channelId: ok.channelId,
      nominalHashRate: 0,
      maximumTarget: targetToU256LE(max),
    });
    expect(u256LEToTarget(h.of('SetTarget')[0]!.maximumTarget)).toBe(max);
  });
});

/** An engine hashing with the real Eaglesong, one connection, and a job on network target 2^248. */
async function eaglesongEngine(powHashStep: number) {
  const { EaglesongJob, ckbPowHash } = await import('../eaglesong/index.js');
  const blocks: BlockCandidate[] = [];
  const engine = new StratumEngine(
    { replicaId: Uint8Array.of(2), makeHasher: (p) => new EaglesongJob(p) },
    { onShare: () => undefined, onBlock: (b) => void blocks.push(b) },
  );
  const sent: Sv2Message[] = [];
  const conn = engine.connect((m) => sent.push(m));
  const net = 1n << 248n;
  const powHash = Uint8Array.from({ length: 32 }, (_, i) => i * powHashStep);
  const t = { ...template(9, 0x11, net), powHash };
  engine.newJob(t);
  return { EaglesongJob, ckbPowHash, blocks, sent, conn, net, t };
}

describe('StratumEngine with the job maker and Eaglesong', () => {
  it('uses the job maker job id and does not resend a job a new channel already got', () => {
    const h = setup();
    const { job } = h.engine.newJob({ ...template(1, 0xaa), jobId: 500 });
    expect(job.id).toBe(500);
    openStandard(h);
    h.conn.sendJob(job);
    expect(h.of('NewMiningJob').map((m) => m.jobId)).toEqual([500]);
    const next = h.engine.newJob({ ...template(2, 0xaa), jobId: 501 }).job;
    h.conn.sendJob(next);
    expect(h.of('NewMiningJob').map((m) => [m.jobId, m.minNtime])).toEqual([
      [500, undefined],
      [501, 1_700_000_002],
    ]);
  });

  it('accepts a nonce found by EaglesongJob.search and reports a block that ckbPowHash confirms', async () => {
    const { EaglesongJob, ckbPowHash, blocks, sent, conn, net, t } = await eaglesongEngine(7);
    conn.handle({
      type: 'OpenStandardMiningChannel',
      requestId: 1,
      userIdentity: 'u',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
    });
    const ok = sent[0] as Of<'OpenStandardMiningChannelSuccess'>;
    const base = standardNonce(ok.extranoncePrefix, 0x55, 0);
    const targetBE = Uint8Array.from(targetToU256LE(net)).reverse();
    const searcher = new EaglesongJob(t.powHash);
    const [nonce] = searcher.search(base, 0, 4096, targetBE);
    expect(nonce).toBeDefined();
    conn.handle({
      ...submit(ok.channelId, 1, 1, nonce!, Number(t.timestamp / 1000n)),
      version: 0x55,
    } as Sv2Message);
    expect(sent.filter((m) => m.type === 'SubmitSharesError')).toEqual([]);
    expect(blocks).toHaveLength(1);
    const n = standardNonce(ok.extranoncePrefix, 0x55, nonce!);
    expect(nonceToU128(n)).toBe(blocks[0]!.nonce);
    expect(bytesBEToTarget(ckbPowHash(t.powHash, n)) <= net).toBe(true);
  });
});

/** Opens an extended channel (every share meets its 2^255 target about half the time). */
function openExtended(h: ReturnType<typeof setup>, userIdentity = 'farm.proxy') {
  h.conn.handle({
    type: 'OpenExtendedMiningChannel',
    requestId: 9,
    userIdentity,
    nominalHashRate: 0,
    maxTarget: targetToU256LE(MAX),
    minExtranonceSize: 8,
  });
  return h.of('OpenExtendedMiningChannelSuccess').at(-1)!;
}

/** Extended-channel nonces (extranonce all zero) whose hash meets `target`. */
function findExtended(powHash: Uint8Array, prefix: Uint8Array, size: number, target: bigint, count: number) {
  const hasher = new FakeHasher(powHash);
  const extranonce = new Uint8Array(size);
  const found: number[] = [];
  for (let nonce = 0; found.length < count; nonce++) {
    if (bytesBEToTarget(hasher.hash(extendedNonce(prefix, extranonce, nonce))) <= target) found.push(nonce);
  }
  return { extranonce, nonces: found };
}

/** A job on which every share is accepted, an extended channel on it, and `count` share nonces. */
function extendedShares(h: ReturnType<typeof setup>, count: number) {
  const t = template(1, 0xaa, 1n);
  h.engine.newJob(t);
  const ok = openExtended(h);
  return { ok, ...findExtended(t.powHash, ok.extranoncePrefix, ok.extranonceSize, 1n << 255n, count) };
}

const submitExtended = (
  channelId: number,
  seq: number,
  extranonce: Uint8Array,
  nonce: number,
  userIdentity?: string,
): Sv2Message => ({
  type: 'SubmitSharesExtended',
  channelId,
  sequenceNumber: seq,
  jobId: 1,
  nonce,
  ntime: 1_700_000_001,
  version: 0,
  extranonce,
  userIdentity,
});

describe('StratumEngine extension 0x0002 (worker-specific hashrate tracking)', () => {
  it('negotiates: Success with the supported subset, Error when none is supported', () => {
    const h = setup();
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [0x4001] });
    expect(h.sent.at(-1)).toEqual({
      type: 'RequestExtensionsError',
      requestId: 1,
      unsupportedExtensions: [0x4001],
      requiredExtensions: [],
    });
    expect(h.conn.workerTracking).toBe(false);
    h.conn.handle({ type: 'RequestExtensions', requestId: 2, requestedExtensions: [0x4001, 0x0002] });
    expect(h.sent.at(-1)).toEqual({
      type: 'RequestExtensionsSuccess',
      requestId: 2,
      supportedExtensions: [2],
    });
    expect(h.conn.workerTracking).toBe(true);
  });

  it('credits a share to its user_identity TLV once negotiated, else to the channel', async () => {
    const h = setup();
    const { ok, extranonce, nonces } = extendedShares(h, 5);
    // Not negotiated: the TLV is ignored (SRI parses TLVs only for negotiated extensions).
    h.conn.handle(submitExtended(ok.channelId, 1, extranonce, nonces[0]!, 'bob.rig7'));
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [2] });
    h.conn.handle(submitExtended(ok.channelId, 2, extranonce, nonces[1]!, 'bob.rig7'));
    h.conn.handle(submitExtended(ok.channelId, 3, extranonce, nonces[2]!));
    h.conn.handle(submitExtended(ok.channelId, 4, extranonce, nonces[3]!, ''));
    // Not a valid user name: credited to the channel, as an empty one.
    h.conn.handle(submitExtended(ok.channelId, 5, extranonce, nonces[4]!, 'bob.\u202erig'));
    expect(h.shares.map((s) => s.userIdentity)).toEqual([
      'farm.proxy',
      'bob.rig7',
      'farm.proxy',
      'farm.proxy',
      'farm.proxy',
    ]);
    await Promise.resolve();
    expect(h.of('SubmitSharesSuccess').at(-1)).toMatchObject({
      lastSequenceNumber: 5,
      newSubmitsAcceptedCount: 5,
    });
  });

  it("credits Eaglepool's long TLV (0x4e01) only once that extension is negotiated; it wins over 0x0002", () => {
    const h = setup();
    const { ok, extranonce, nonces } = extendedShares(h, 3);
    const long = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig9';
    const withLong = (seq: number, nonce: number, short?: string): Sv2Message => ({
      ...(submitExtended(ok.channelId, seq, extranonce, nonce, short) as MessageOf<'SubmitSharesExtended'>),
      longUserIdentity: long,
    });
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [2] });
    h.conn.handle(withLong(1, nonces[0]!)); // 0x4e01 not negotiated: ignored
    h.conn.handle({ type: 'RequestExtensions', requestId: 2, requestedExtensions: [2, 0x4e01] });
    expect(h.sent.at(-1)).toEqual({
      type: 'RequestExtensionsSuccess',
      requestId: 2,
      supportedExtensions: [2, 0x4e01],
    });
    h.conn.handle(withLong(2, nonces[1]!));
    h.conn.handle(withLong(3, nonces[2]!, 'bob.rig7'));
    expect(h.shares.map((s) => s.userIdentity)).toEqual(['farm.proxy', long, long]);
  });

  it('names the TLV worker in block candidates', () => {
    const h = setup();
    const t = template(1, 0xaa, MAX);
    h.engine.newJob(t);
    const ok = openExtended(h);
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [2] });
    h.conn.handle(submitExtended(ok.channelId, 1, new Uint8Array(ok.extranonceSize), 5, 'bob.rig7'));
    expect(h.blocks.map((b) => b.userIdentity)).toEqual(['bob.rig7']);
  });
});

describe('StratumEngine ack window', () => {
  afterEach(() => void vi.useRealTimers());

  it('holds a partial batch up to ackWindowMs, sends a full one at once', async () => {
    vi.useFakeTimers();
    const h = setup({ ackWindowMs: 20, batch: 3 });
    const { ok, extranonce, nonces } = extendedShares(h, 5);
    h.conn.handle(submitExtended(ok.channelId, 1, extranonce, nonces[0]!));
    await Promise.resolve();
    expect(h.of('SubmitSharesSuccess')).toHaveLength(0); // would have gone out at the end of the turn
    vi.advanceTimersByTime(10);
    h.conn.handle(submitExtended(ok.channelId, 2, extranonce, nonces[1]!));
    h.conn.handle(submitExtended(ok.channelId, 3, extranonce, nonces[2]!));
    expect(h.of('SubmitSharesSuccess').map((m) => m.newSubmitsAcceptedCount)).toEqual([3]); // full batch
    h.conn.handle(submitExtended(ok.channelId, 4, extranonce, nonces[3]!));
    vi.advanceTimersByTime(9);
    expect(h.of('SubmitSharesSuccess')).toHaveLength(1);
    vi.advanceTimersByTime(1); // the window armed by share 1 ends: share 4 waited 10 ms
    expect(h.of('SubmitSharesSuccess').map((m) => [m.lastSequenceNumber, m.newSubmitsAcceptedCount])).toEqual(
      [
        [3, 3],
        [4, 1],
      ],
    );
    h.conn.handle(submitExtended(ok.channelId, 5, extranonce, nonces[4]!));
    h.conn.close();
    vi.advanceTimersByTime(50);
    expect(h.of('SubmitSharesSuccess')).toHaveLength(2); // a closed connection is not answered
  });

  it('with a window, confirmed shares still wait for their confirmation', async () => {
    vi.useFakeTimers();
    let confirm!: () => void;
    const pending = new Promise<void>((r) => (confirm = r));
    const h = setup({ ackWindowMs: 5, confirmShare: () => pending });
    const { ok, extranonce, nonces } = extendedShares(h, 2);
    h.conn.handle(submitExtended(ok.channelId, 1, extranonce, nonces[0]!));
    h.conn.handle(submitExtended(ok.channelId, 2, extranonce, nonces[1]!));
    vi.advanceTimersByTime(50);
    expect(h.of('SubmitSharesSuccess')).toHaveLength(0);
    confirm();
    await pending;
    await Promise.resolve();
    expect(h.of('SubmitSharesSuccess')).toHaveLength(0); // confirmed: now in the window
    vi.advanceTimersByTime(5);
    expect(h.of('SubmitSharesSuccess').map((m) => m.newSubmitsAcceptedCount)).toEqual([2]);
  });
});

describe("StratumEngine extension 0x4e02 (Eaglepool's prefix-last nonce layout)", () => {
  const openLast = (h: ReturnType<typeof setup>, nonceLayout = 1) => {
    h.conn.handle({
      type: 'OpenStandardMiningChannel',
      requestId: 11,
      userIdentity: 'nerd.rig',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
      nonceLayout,
    });
    return h.of('OpenStandardMiningChannelSuccess').at(-1)!;
  };
  const openLastExtended = (h: ReturnType<typeof setup>, nonceLayout = 1) => {
    h.conn.handle({
      type: 'OpenExtendedMiningChannel',
      requestId: 12,
      userIdentity: 'nerd.proxy',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
      minExtranonceSize: 8,
      nonceLayout,
    });
    return h.of('OpenExtendedMiningChannelSuccess').at(-1)!;
  };

  it('is negotiated like the other extensions and ignored (SV2 layout) without negotiation', () => {
    const h = setup();
    h.engine.newJob(template(1, 0xaa, 1n));
    const plain = openLast(h);
    // Not negotiated: the TLV is ignored, the prefix leads N as SV2 has it.
    expect(Buffer.from(plain.extranoncePrefix).toString('hex')).toBe('0300000000000000');
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [0x4e02] });
    expect(h.of('RequestExtensionsSuccess').at(-1)!.supportedExtensions).toEqual([0x4e02]);
    const last = openLast(h);
    // The core prefix (replica 03, counter 000001) at the end of the 8-byte prefix: N[12..16].
    expect(Buffer.from(last.extranoncePrefix).toString('hex')).toBe('0000000003000001');
    const first = openLast(h, 0);
    expect(Buffer.from(first.extranoncePrefix).toString('hex')).toBe('0300000200000000');
  });

  it('rebuilds N = miner_part || prefix and credits the share', () => {
    const h = setup();
    const t = template(1, 0xaa, 1n);
    h.engine.newJob(t);
    h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [0x4e02] });
    const ok = openLastExtended(h);
    expect(ok.extranonceSize).toBe(8);
    const hasher = new FakeHasher(t.powHash);
    const extranonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    let nonce = 0;
    const nOf = (x: number) => extendedNonce(ok.extranoncePrefix, extranonce, x, undefined, 'prefix-last');
    while (bytesBEToTarget(hasher.hash(nOf(nonce))) > 1n << 255n) nonce++;
    h.conn.handle(submitExtended(ok.channelId, 1, extranonce, nonce));
    expect(h.of('SubmitSharesError')).toEqual([]);
    const n = h.shares.at(-1)!.nonce;
    expect(Buffer.from(n).toString('hex')).toBe(
      '0102030405060708' + Buffer.from(Uint32Array.of(nonce).buffer).toString('hex') + '03000000',
    );
    expect(n).toEqual(nOf(nonce));
  });

  it('reports a block whose u128 nonce is N read little-endian, checked by the real Eaglesong PoW', async () => {
    const { EaglesongJob, ckbPowHash, blocks, sent, conn, net, t } = await eaglesongEngine(5);
    conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [0x4e02] });
    conn.handle({
      type: 'OpenStandardMiningChannel',
      requestId: 2,
      userIdentity: 'u',
      nominalHashRate: 0,
      maxTarget: targetToU256LE(MAX),
      nonceLayout: 1,
    });
    const ok = sent.find(
      (m): m is Of<'OpenStandardMiningChannelSuccess'> => m.type === 'OpenStandardMiningChannelSuccess',
    )!;
    const hasher = new EaglesongJob(t.powHash);
    let nonce = 0;
    while (
      bytesBEToTarget(hasher.hash(standardNonce(ok.extranoncePrefix, 7, nonce, undefined, 'prefix-last'))) >
      net
    )
      nonce++;
    conn.handle({
      ...submit(ok.channelId, 1, 1, nonce, Number(t.timestamp / 1000n)),
      version: 7,
    } as Sv2Message);
    expect(sent.filter((m) => m.type === 'SubmitSharesError')).toEqual([]);
    expect(blocks).toHaveLength(1);
    const n = standardNonce(ok.extranoncePrefix, 7, nonce, undefined, 'prefix-last');
    expect(Buffer.from(n.subarray(8)).toString('hex')).toBe('0000000002000000');
    expect(blocks[0]!.nonce).toBe(nonceToU128(n));
    expect(bytesBEToTarget(ckbPowHash(t.powHash, n)) <= net).toBe(true);
  });

  it('property: prefixes of open channels of both layouts never repeat, and each channel owns its core', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1 })), { maxLength: 40 }),
        (opens) => {
          const h = setup();
          h.engine.newJob(template(1, 0xaa, 1n));
          h.conn.handle({ type: 'RequestExtensions', requestId: 1, requestedExtensions: [0x4e02] });
          const cores = new Set<string>();
          for (const [standard, layout] of opens) {
            const ok = standard ? openLast(h, layout) : openLastExtended(h, layout);
            const p = Buffer.from(ok.extranoncePrefix);
            const core = standard ? (layout === 1 ? p.subarray(4) : p.subarray(0, 4)) : p;
            expect(core[0]).toBe(3); // the replica id
            expect(cores.has(core.toString('hex'))).toBe(false);
            cores.add(core.toString('hex'));
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
