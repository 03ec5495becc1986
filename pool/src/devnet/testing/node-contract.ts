/**
 * The CKB node contract: what the pool relies on from a node, as one suite that runs against the
 * embedded devnet (pool/src/devnet/node-contract.test.ts) and against a real `ckb` dev chain with
 * `[pow] func = "Eaglesong"` (the ckb tier of e2e/infra), so the devnet cannot drift from the node.
 * Only RPC is used. The node must be a fresh or idle dev chain whose difficulty a CPU meets in
 * well under a second (the devnet's 0x20010000; the ckb tier's genesis compact_target).
 */
import { ccc } from '@ckb-ccc/core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyBlock } from '../../ckb/block-status.js';
import { lookUpBlock } from '../../ckb-node/look-up-block.js';
import { CkbRpcRemoteError } from '../../ckb/errors.js';
import { headerHashOf } from '../../ckb/header.js';
import { bytesToHex } from '../../ckb/hex.js';
import { CkbRpcClient } from '../../ckb-node/rpc.js';
import { TcpSubscription } from '../../ckb-node/subscription.js';
import type { BlockTemplate, JsonHeaderView } from '../../ckb/types.js';
import { blockFromWork, verifyPow, workFromTemplate, type Work } from '../../ckb/work.js';
import { badNonce, mine, mineBlocks } from './mine.js';
import { payoutContract } from './payout-contract.js';

export interface ContractNode {
  url: string;
  /** tcp://host:port of the node's TCP subscription. */
  subscriptionUrl: string;
  /** Private key of the block assembler's secp256k1-blake160 lock: the blocks' rewards are its to spend. */
  minerKey: string;
}

const HEX = /^0x(0|[1-9a-f][0-9a-f]*)$/;
const H256 = /^0x[0-9a-f]{64}$/;
const CellbaseWitness = ccc.mol.table({ lock: ccc.Script, message: ccc.mol.Bytes });

const hashOf = (work: Work, nonce: bigint) => bytesToHex(headerHashOf({ ...work.header, nonce }));

export function nodeContract(name: string, start: () => Promise<ContractNode>, stop?: () => Promise<void>) {
  describe(`CKB node contract: ${name}`, () => {
    let node: ContractNode;
    let rpc: CkbRpcClient;
    beforeAll(async () => {
      node = await start();
      rpc = new CkbRpcClient({ url: node.url, registry: new Registry() });
    });
    afterAll(async () => {
      rpc?.close();
      await stop?.();
    });

    const template = () => rpc.getBlockTemplate();
    const mineOn = async (t?: BlockTemplate) => {
      const work = workFromTemplate(t ?? (await template()));
      return { work, nonce: mine(work) };
    };

    it('get_block_template: the fields the pool reads, minimal hex, for the child of the tip', async () => {
      const tip = await rpc.getTipHeader();
      const t = await template();
      for (const key of ['version', 'compact_target', 'current_time', 'number', 'epoch', 'work_id'] as const)
        expect(t[key], key).toMatch(HEX);
      for (const key of ['cycles_limit', 'bytes_limit', 'uncles_count_limit'] as const)
        expect(t[key], key).toMatch(HEX);
      expect(t.parent_hash).toBe(tip.hash);
      expect(BigInt(t.number)).toBe(BigInt(tip.number) + 1n);
      expect(BigInt(t.current_time)).toBeGreaterThan(BigInt(tip.timestamp));
      expect(t.dao).toMatch(H256);
      expect(
        t.extension === null || t.extension === undefined || /^0x([0-9a-f]{2})*$/.test(t.extension),
      ).toBe(true);
      expect(Array.isArray(t.uncles) && Array.isArray(t.transactions) && Array.isArray(t.proposals)).toBe(
        true,
      );
      // The cellbase: one input of the null out point with since = the block number, the witness
      // a CellbaseWitness naming the block assembler's lock.
      expect(t.cellbase.hash).toMatch(H256);
      const cellbase = t.cellbase.data;
      expect(cellbase.inputs).toEqual([
        { previous_output: { tx_hash: '0x' + '00'.repeat(32), index: '0xffffffff' }, since: t.number },
      ]);
      expect(cellbase.witnesses).toHaveLength(1);
      const witness = CellbaseWitness.decode(cellbase.witnesses[0]!);
      expect(witness.lock.codeHash).toMatch(H256);
    });

    it('submit_block: a mined block becomes the tip; its hash is the one the pool computes', async () => {
      const { work, nonce } = await mineOn();
      expect(verifyPow(work.powHash, nonce, work.target)).toBe(true);
      const hash = await rpc.submitBlock(work.workId, blockFromWork(work, nonce));
      expect(hash).toBe(hashOf(work, nonce));
      const tip = await rpc.getTipHeader();
      expect(tip).toMatchObject({
        hash,
        number: '0x' + work.number.toString(16),
        nonce: '0x' + nonce.toString(16),
      });
      expect(classifyBlock(work.number, hash, await lookUpBlock(rpc, work.number, hash))).toEqual({
        placement: 'main',
      });
      // Duplicate: the same hash again, nothing changes.
      expect(await rpc.submitBlock(work.workId, blockFromWork(work, nonce))).toBe(hash);
      expect((await rpc.getTipHeader()).hash).toBe(hash);
    });

    it('submit_block: a block whose parent is no longer the tip is answered with its hash, off the main chain', async () => {
      const t = await template();
      const first = await mineOn(t);
      let second = await mineOn(t);
      while (second.nonce === first.nonce) second = await mineOn(t);
      const mainHash = await rpc.submitBlock(first.work.workId, blockFromWork(first.work, first.nonce));
      const sideHash = await rpc.submitBlock(second.work.workId, blockFromWork(second.work, second.nonce));
      expect(sideHash).toBe(hashOf(second.work, second.nonce));
      expect((await rpc.getTipHeader()).hash).toBe(mainHash);
      const facts = await lookUpBlock(rpc, second.work.number, sideHash);
      expect(facts).toEqual({ tipNumber: second.work.number, mainHashAtHeight: mainHash, known: true });
      expect(classifyBlock(second.work.number, sideHash, facts)).toEqual({ placement: 'side', mainHash });
    });

    it('submit_block errors: a bad nonce (-3 InvalidNonce) and an unknown parent', async () => {
      const work = workFromTemplate(await template());
      const nonce = badNonce(work, (n) => verifyPow(work.powHash, n, work.target));
      const err = await rpc.submitBlock(work.workId, blockFromWork(work, nonce)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CkbRpcRemoteError);
      expect(err).toMatchObject({ code: -3 });
      expect((err as CkbRpcRemoteError).rpcMessage).toMatch(/^Invalid: Header\(Pow\(InvalidNonce/);

      const orphan = await mineOn({ ...(await template()), parent_hash: '0x' + '11'.repeat(32) });
      const orphanErr = (await rpc
        .submitBlock(orphan.work.workId, blockFromWork(orphan.work, orphan.nonce))
        .catch((e: unknown) => e)) as CkbRpcRemoteError;
      expect(orphanErr).toBeInstanceOf(CkbRpcRemoteError);
      expect(orphanErr.rpcMessage).toBe(
        `Invalid: Block(UnknownParent(UnknownParentError(parent_hash: Byte32(0x${'11'.repeat(32)}))))`,
      );
    });

    it('subscription: new_tip_header pushes the header of each new tip over TCP', async () => {
      const pushes: JsonHeaderView[] = [];
      let subscribed!: () => void;
      const ready = new Promise<void>((resolve) => (subscribed = resolve));
      const sub = new TcpSubscription({
        url: node.subscriptionUrl,
        topic: 'new_tip_header',
        onSubscribed: () => subscribed(),
        onMessage: (h) => void pushes.push(h as JsonHeaderView),
        onClose: () => undefined,
      });
      try {
        await ready;
        const { work, nonce } = await mineOn();
        const hash = await rpc.submitBlock(work.workId, blockFromWork(work, nonce));
        const until = Date.now() + 10_000;
        while (!pushes.some((h) => h.hash === hash) && Date.now() < until)
          await new Promise((r) => setTimeout(r, 20));
        const pushed = pushes.find((h) => h.hash === hash);
        expect(pushed, 'no new_tip_header push for the mined block within 10 s').toBeDefined();
        expect(pushed).toMatchObject({
          number: '0x' + work.number.toString(16),
          nonce: '0x' + nonce.toString(16),
        });
      } finally {
        sub.close();
      }
    });

    it('get_block_economic_state: null for the tip (its reward is not finalized yet)', async () => {
      const tip = await rpc.getTipHeader();
      expect(await rpc.call('get_block_economic_state', [tip.hash])).toBeNull();
    });

    payoutContract(() => ({ node, rpc }), mineBlocks);
  });
}
