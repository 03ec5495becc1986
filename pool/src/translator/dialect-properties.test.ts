/**
 * For every family: a share built with that family's byte conventions (the miner side of
 * pool/src/miner/v1-dialects.ts, written apart from the translator's dialects) is accepted and
 * credited at the miner's vardiff target, never the network target; and the block built from a
 * network-target share passes the node's own check (pool/src/ckb/pow.ts `verifyPow` on the u128
 * nonce the block maker submits, rebuilt from the SubmitSharesExtended the pool receives).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyPow } from '../ckb/pow.js';
import { difficultyToTarget, targetToBytesBE, targetToCompact } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import { searchNonces, nonceWith } from '../miner/search.js';
import { MINER_DIALECT, nonceFill, targetBEFromDifficulty2p224 } from '../miner/v1-dialects.js';
import { extendedNonce, nonceToU128, prefixAt } from '../mining/nonce.js';
import type { ChannelJob } from './channel.js';
import { DIALECT_NAMES, type DialectName } from './dialect.js';
import { DIALECTS } from './dialects/index.js';
import { V1Downstream } from './downstream.js';
import { channelWithJob, hubFor } from './testing/hub.js';

const MINER_DIFFICULTY = 16n; // target 2^252: a share every 16 hashes
const NETWORK_TARGET = 1n << 249n; // a block every 128 hashes

interface Forwarded {
  n: Uint8Array;
  block: boolean;
  job: ChannelJob;
}

function session(name: DialectName, prefix: Uint8Array, powHash: Uint8Array) {
  const ch = channelWithJob({
    prefix,
    powHash,
    nbits: targetToCompact(NETWORK_TARGET),
    target: 1n << 252n,
    layout: DIALECTS[name].nonceLayout,
  });
  const lines: unknown[] = [];
  const credited: bigint[] = [];
  const forwarded: Forwarded[] = [];
  const hub = hubFor(ch, {
    forward: (_ds, _ch, job, n, block) => forwarded.push({ n, block, job }),
    onShare: (_ds, result, c) => {
      if (result === 'accepted') credited.push(c!);
    },
    startDifficulty: MINER_DIFFICULTY,
    dialect: DIALECTS[name],
  });
  const ds = new V1Downstream(
    1,
    hub,
    (text) => {
      for (const l of text.split('\n')) if (l) lines.push(JSON.parse(l));
    },
    () => {},
  );
  return { ch, ds, lines, credited, forwarded };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Msg = { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

describe.each(DIALECT_NAMES.map((d) => [d]))('dialect %s: shares in its byte conventions', (name) => {
  const miner = MINER_DIALECT[name];
  it('are accepted and credited at the vardiff target; a block share passes the node check', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(1 << 20),
        (powHash, prefix, start) => {
          const s = session(name, prefix, powHash);
          s.ds.handleLine(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [miner.agent, null] }));
          s.ds.handleLine('{"id":2,"method":"mining.authorize","params":["acct.rig","x"]}');
          const msgs = s.lines as Msg[];
          // The miner's reading of our lines, as the hardware reads them.
          const sub = msgs.find((m) => m.id === 1)!.result as unknown[];
          const en1 = Buffer.from(sub[1] as string, 'hex');
          const en2Size = sub[2] as number;
          expect(en1.length + en2Size + miner.ownNonceBytes).toBe(16);
          const tmsg = msgs.find((m) => m.method === `mining.${miner.targetFrom}`)!;
          const targetBE =
            miner.targetFrom === 'set_target'
              ? Buffer.from(tmsg.params![0] as string, 'hex')
              : targetBEFromDifficulty2p224(tmsg.params![0] as number)!;
          expect(
            Buffer.from(targetBE).equals(Buffer.from(targetToBytesBE(difficultyToTarget(MINER_DIFFICULTY)))),
          ).toBe(true);
          const jobId = msgs.find((m) => m.method === 'mining.notify')!.params![0] as string;

          // One share at the miner's target that is no block, one that is a block.
          // N as the device fills it: extranonce1 at its head or (NerdMiner) its tail.
          const fill = nonceFill(miner, en1.length);
          const job = new EaglesongJob(powHash);
          const base = Buffer.alloc(16);
          en1.copy(base, fill.en1At);
          const search = (t: Uint8Array) => searchNonces(job, base, fill.searchAt, start, 4096, t);
          const netBE = targetToBytesBE(NETWORK_TARGET);
          const nonceAt = (x: number) => Buffer.from(nonceWith(base, fill.searchAt, x));
          const plain = search(targetBE)
            .map(nonceAt)
            .find((n) => !job.meets(n, netBE));
          const block = search(netBE).map(nonceAt)[0];
          job.free();
          let id = 100;
          for (const n of [plain, block]) {
            if (n === undefined) continue;
            const params = miner.submitParams('acct.rig', jobId, n, en1.length, en2Size);
            s.ds.handleLine(JSON.stringify({ id: ++id, method: 'mining.submit', params }));
            expect(msgs.find((m) => m.id === id)).toEqual({ id, result: true, error: null });
          }
          const expected = [plain, block].filter((n) => n !== undefined);
          // Credited at the miner's own target (16), never the network's (2^256 / 2^249 = 128).
          expect(s.credited).toEqual(expected.map(() => MINER_DIFFICULTY));
          expect(s.forwarded.map((f) => Buffer.from(f.n).toString('hex'))).toEqual(
            expected.map((n) => n.toString('hex')),
          );
          for (const f of s.forwarded) {
            // What the pool rebuilds from SubmitSharesExtended, and the nonce the block maker sends.
            const msg = s.ch.submission(f.job, f.n);
            const n = extendedNonce(prefix, msg.extranonce, msg.nonce, undefined, s.ch.layout);
            expect(Buffer.from(n).equals(Buffer.from(f.n))).toBe(true);
            // The channel's prefix is where its layout puts it: N's head, or (NerdMiner) its tail.
            const at = prefixAt(prefix.length, s.ch.layout);
            expect(hex(f.n.subarray(at, at + prefix.length))).toBe(hex(prefix));
            expect(verifyPow(powHash, nonceToU128(n), NETWORK_TARGET)).toBe(f.block);
          }
          if (block) expect(s.forwarded.at(-1)!.block).toBe(true);
          s.ds.dispose();
          s.ch.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });
});
