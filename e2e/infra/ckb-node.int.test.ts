// The CKB node contract (pool/src/devnet/testing/node-contract.ts) against a real ckb dev chain:
// runs only when the opt-in ckb tier is up (EAGLEPOOL_INFRA=...,ckb, or `cli.ts up ckb` exported),
// because the node's build is too long for every CI run (docs/infrastructure.md, "CKB node").
import { describe } from 'vitest';
import { nodeContract } from '../../pool/src/devnet/testing/node-contract.js';
import { ckbRpcUrl, ckbSubscriptionUrl, INFRA_ENV_VARS } from './env.js';
import { CKB_DEV_PRIVATE_KEY } from './harness/ckb.js';

describe.runIf(process.env[INFRA_ENV_VARS.ckbRpc])('real ckb node (ckb tier)', () => {
  nodeContract('ckb dev chain, Eaglesong', async () => ({
    url: ckbRpcUrl(),
    subscriptionUrl: ckbSubscriptionUrl(),
    minerKey: CKB_DEV_PRIVATE_KEY,
  }));
});
