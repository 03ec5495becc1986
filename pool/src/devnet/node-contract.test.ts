// The node contract against the embedded devnet; e2e/infra/ckb-node.int.test.ts runs it against a
// real ckb dev chain when the ckb tier is up.
import { SECP256K1_BLAKE160_CODE_HASH, startDevnet, type Devnet } from './index.js';
import { nodeContract } from './testing/node-contract.js';

// ckb's bundled dev.toml account (its key is in a comment there): the ckb tier's block assembler too.
const DEV_PRIVATE_KEY = '0xd00c06bfd800d27397002dca6fb0993d5ba6399b4238b2f29ee9deb97593d2bc';
const DEV_LOCK_ARGS = '0xc8328aabcd9b9e8e64fbc566c4385c3bdeb219d7';

let devnet: Devnet | undefined;
nodeContract(
  'embedded devnet',
  async () => {
    devnet = await startDevnet({
      initialCompactTarget: 0x20010000,
      blockTimeMs: 1000,
      lock: { code_hash: SECP256K1_BLAKE160_CODE_HASH, hash_type: 'type', args: DEV_LOCK_ARGS },
      cellbaseMaturity: { number: 1n, index: 0, length: 1 },
    });
    return { url: devnet.url, subscriptionUrl: devnet.subscriptionUrl!, minerKey: DEV_PRIVATE_KEY };
  },
  async () => devnet?.stop(),
);
