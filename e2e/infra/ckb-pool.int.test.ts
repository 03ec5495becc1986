// `pool dev --ckb-rpc` against a real ckb dev chain (opt-in ckb tier): every mining path, the SV2
// standard and extended channels and the V1 translator in each dialect, finds a block the node puts
// on its main chain. Nobody else mines on the tier's node, so the new main-chain blocks are the
// pool's; each must meet its own Eaglesong target as the pool computes it, and its cellbase must
// name the node's block assembler lock (the node builds the cellbase, the pool passes it through).
import { ccc } from '@ckb-ccc/core';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { headerFromJson } from '../../pool/src/ckb/header.js';
import { hexToUint } from '../../pool/src/ckb/hex.js';
import { checkHeaderPow } from '../../pool/src/ckb/pow.js';
import { CkbRpcClient } from '../../pool/src/ckb-node/rpc.js';
import type { JsonBlockView } from '../../pool/src/ckb/types.js';
import { main } from '../../pool/src/cli/main.js';
import { ckbRpcUrl, ckbSubscriptionUrl, INFRA_ENV_VARS } from './env.js';
import { CKB_DEV_LOCK_ARGS } from './harness/ckb.js';

const CellbaseWitness = ccc.mol.table({ lock: ccc.Script, message: ccc.mol.Bytes });
const PATHS: string[][] = [
  ['--miner', 'sv2-standard'],
  ['--miner', 'sv2-extended'],
  ...['btcpool', 'k7', 'goldshell', 'viabtc', 'nerdminer'].map((d) => ['--miner', 'v1', '--dialect', d]),
];

describe.runIf(process.env[INFRA_ENV_VARS.ckbRpc])('pool dev on a real ckb dev chain (ckb tier)', () => {
  const rpc = process.env[INFRA_ENV_VARS.ckbRpc]
    ? new CkbRpcClient({ url: ckbRpcUrl(), registry: new Registry() })
    : undefined;
  afterAll(() => rpc?.close());

  it.each(PATHS.map((p) => [p.join(' '), p]))(
    'pool dev %s: a block the node takes on its main chain',
    async (_name, path) => {
      const before = hexToUint((await rpc!.getTipHeader()).number);
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      let code: number;
      try {
        code = await main([
          'pool',
          'dev',
          ...path,
          '--ckb-rpc',
          ckbRpcUrl(),
          '--ckb-subscription',
          ckbSubscriptionUrl(),
          '--exit-after-blocks',
          '1',
          '--stratum-port',
          '0',
          '--api-port',
          '0',
          '--timeout',
          '240',
        ]);
      } finally {
        vi.restoreAllMocks();
      }
      expect(code, 'pool dev did not see a block of its own on the main chain').toBe(0);
      const tip = hexToUint((await rpc!.getTipHeader()).number);
      expect(tip).toBeGreaterThan(before);
      for (let n = before + 1n; n <= tip; n++) {
        const block = await rpc!.call<JsonBlockView>('get_block_by_number', ['0x' + n.toString(16)]);
        expect(checkHeaderPow(headerFromJson(block.header)).meets, `block ${n} meets its target`).toBe(true);
        const witness = CellbaseWitness.decode(block.transactions[0]!.witnesses[0]!);
        expect(witness.lock.args).toBe(CKB_DEV_LOCK_ARGS);
      }
    },
    300_000,
  );
});
