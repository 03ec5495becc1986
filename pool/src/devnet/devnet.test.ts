import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { CkbRpcRemoteError } from '../ckb/errors.js';
import { blockFromWork, verifyPow, workFromTemplate } from '../ckb/work.js';
import { unpackEpoch } from '../ckb/header.js';
import { hexToUint } from '../ckb/hex.js';
import { Registry } from 'prom-client';
import { startDevnet } from './index.js';
import type { Devnet } from './index.js';
import { badNonce, mine } from './testing/mine.js';

let devnet: Devnet;
let client: CkbRpcClient;

beforeAll(async () => {
  devnet = await startDevnet({
    initialCompactTarget: 0x20010000,
    blockTimeMs: 1000,
    epochLength: 4,
    finalizationDelay: 2,
  });
  client = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
});

afterAll(async () => {
  client.close();
  await devnet.stop();
});

async function mineOne(): Promise<string> {
  const work = workFromTemplate(await client.getBlockTemplate());
  return client.submitBlock(work.workId, blockFromWork(work, mine(work)));
}

describe('devnet over real HTTP', () => {
  it('serves a template for the child of the tip', async () => {
    const tip = await client.getTipHeader();
    const t = await client.getBlockTemplate();
    expect(t.parent_hash).toBe(tip.hash);
    expect(hexToUint(t.number)).toBe(hexToUint(tip.number) + 1n);
    expect(t.compact_target).toBe('0x20010000');
    expect(t.cellbase.data.inputs[0]!.since).toBe(t.number);
    expect(t.extension).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('accepts a block mined with EaglesongJob.search and announces the new tip', async () => {
    const before = devnet.tipNumber();
    const announced = new Promise((resolve) => devnet.once('newTip', resolve));
    const work = workFromTemplate(await client.getBlockTemplate());
    const nonce = mine(work);
    expect(verifyPow(work.powHash, nonce, work.target)).toBe(true);
    const hash = await client.submitBlock(work.workId, blockFromWork(work, nonce));
    expect(devnet.tipNumber()).toBe(before + 1n);
    expect((await client.getTipHeader()).hash).toBe(hash);
    expect(((await announced) as { hash: string }).hash).toBe(hash);
    const stored = await client.getBlockByNumber(before + 1n);
    expect(stored?.header.hash).toBe(hash);
    expect(devnet.blocksFoundBy().get(devnet.lock.args)).toBeGreaterThanOrEqual(1);
  });

  it('resubmitting the same block returns its hash, as the node does', async () => {
    const work = workFromTemplate(await client.getBlockTemplate());
    const block = blockFromWork(work, mine(work));
    const hash = await client.submitBlock(work.workId, block);
    await expect(client.submitBlock(work.workId, block)).resolves.toBe(hash);
  });

  it('rejects a bad nonce with the node PoW error', async () => {
    const work = workFromTemplate(await client.getBlockTemplate());
    const nonce = badNonce(work, (n) => verifyPow(work.powHash, n, work.target));
    const err = await client.submitBlock(work.workId, blockFromWork(work, nonce)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CkbRpcRemoteError);
    expect(err).toMatchObject({ code: -3 });
    expect((err as CkbRpcRemoteError).rpcMessage).toMatch(/^Invalid: Header\(Pow\(InvalidNonce/);
  });

  it('keeps a block whose parent is no longer the tip as a side block and returns its hash, as the node does', async () => {
    const staleWork = workFromTemplate(await client.getBlockTemplate());
    const staleNonce = mine(staleWork);
    await mineOne();
    const tip = await client.getTipHeader();
    const hash = await client.submitBlock(staleWork.workId, blockFromWork(staleWork, staleNonce));
    expect(await client.getTipHeader()).toEqual(tip);
    expect(await client.call('get_block_hash', ['0x' + staleWork.number.toString(16)])).toBe(tip.hash);
    // Like the node: off the main chain, get_header answers null and get_fork_block has it.
    expect(await client.call('get_header', [hash])).toBeNull();
    expect(await client.call('get_fork_block', [hash])).toMatchObject({
      header: { hash, number: tip.number },
    });
    expect(await client.call('get_fork_block', [tip.hash])).toBeNull();
    expect(devnet.chain.sideBlocks().map((b) => b.hash)).toContain(hash);

    // A child of that side block: refused (the devnet's forks are one block deep).
    const sideChild = workFromTemplate({
      ...(await client.getBlockTemplate()),
      parent_hash: hash,
    });
    const err = await client
      .submitBlock(sideChild.workId, blockFromWork(sideChild, mine(sideChild)))
      .catch((e: unknown) => e);
    expect((err as CkbRpcRemoteError).rpcMessage).toMatch(/side blocks only on main-chain parents/);
  });

  it('rejects an unknown parent, a tampered body and unknown fields', async () => {
    const work = workFromTemplate(await client.getBlockTemplate());
    const nonce = mine(work);
    const block = blockFromWork(work, nonce);

    const orphanWork = workFromTemplate({
      ...(await client.getBlockTemplate()),
      parent_hash: '0x' + '11'.repeat(32),
    });
    const orphan = blockFromWork(orphanWork, mine(orphanWork));
    const orphanErr = (await client
      .submitBlock(work.workId, orphan)
      .catch((e: unknown) => e)) as CkbRpcRemoteError;
    expect(orphanErr.rpcMessage).toBe(
      `Invalid: Block(UnknownParent(UnknownParentError(parent_hash: Byte32(0x${'11'.repeat(32)}))))`,
    );

    const withHash = { ...block, header: { ...block.header, hash: '0x' + '00'.repeat(32) } };
    const fieldErr = (await client
      .submitBlock(work.workId, withHash)
      .catch((e: unknown) => e)) as CkbRpcRemoteError;
    expect(fieldErr.code).toBe(-32602);
    expect(fieldErr.rpcMessage).toMatch(/unknown field `hash`/);

    const padded = { ...block, header: { ...block.header, number: '0x0' + block.header.number.slice(2) } };
    const padErr = (await client
      .submitBlock(work.workId, padded)
      .catch((e: unknown) => e)) as CkbRpcRemoteError;
    expect(padErr.code).toBe(-32602);

    const tampered = structuredClone(block);
    tampered.transactions[0]!.witnesses = ['0x00'];
    // transactions_root no longer matches the header the PoW was done on.
    const bodyErr = (await client
      .submitBlock(work.workId, tampered)
      .catch((e: unknown) => e)) as CkbRpcRemoteError;
    expect(bodyErr.rpcMessage).toBe('Invalid: Block(TransactionsRoot)');

    await expect(client.submitBlock(work.workId, block)).resolves.toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('encodes epochs and pays finalized rewards to the miner lock', async () => {
    while (devnet.tipNumber() < 6n) await mineOne();
    const blocks = devnet.blocks();
    for (const b of blocks) {
      const e = unpackEpoch(b.header.epoch);
      expect(e).toEqual({ number: b.number / 4n, index: Number(b.number % 4n), length: 4 });
    }
    const t = await client.getBlockTemplate();
    const [reward] = t.cellbase.data.outputs;
    expect(reward?.lock).toEqual(devnet.lock);
    expect(hexToUint(reward!.capacity)).toBeGreaterThan(0n);
    // DAO total issuance grows block by block.
    const c = (b: (typeof blocks)[number]) => b.dao.c;
    expect(c(blocks[6]!)).toBeGreaterThan(c(blocks[5]!));
  });

  it('answers unknown methods and HTTP subscribe like the node', async () => {
    await expect(client.call('no_such_method', [])).rejects.toMatchObject({ code: -32601 });
    await expect(client.call('subscribe', ['new_tip_header'])).rejects.toMatchObject({ code: -32601 });
    const info = await client.getBlockchainInfo();
    expect(info.chain).toBe('ckb_dev');
    expect((await client.localNodeInfo()).active).toBe(true);
  });
});
