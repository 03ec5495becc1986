// The node contract against the embedded devnet; e2e/infra/ckb-node.int.test.ts runs it against a
// real ckb dev chain when the ckb tier is up.
import { startDevnet, type Devnet } from './index.js';
import { nodeContract } from './testing/node-contract.js';

let devnet: Devnet | undefined;
nodeContract(
  'embedded devnet',
  async () => {
    devnet = await startDevnet({ initialCompactTarget: 0x20010000, blockTimeMs: 1000 });
    return { url: devnet.url, subscriptionUrl: devnet.subscriptionUrl! };
  },
  async () => devnet?.stop(),
);
