// Records a real ckb node's answers as a committed fixture for unit tests (where the node is not
// built): a get_block_template, the nonce mined for it, submit_block's answer, the node's tip after it,
// and its answers to a duplicate, a bad nonce and a sibling of the tip (off the main chain).
//   npx tsx e2e/infra/cli.ts up ckb && eval "$(npx tsx e2e/infra/cli.ts env)"
//   npx tsx e2e/infra/record-ckb-fixtures.ts   # writes pool/src/ckb/testing/fixtures/ckb-dev-node.json
import { writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { CkbRpcRemoteError } from '../../pool/src/ckb/errors.js';
import { CkbRpcClient } from '../../pool/src/ckb-node/rpc.js';
import { blockFromWork, verifyPow, workFromTemplate } from '../../pool/src/ckb/work.js';
import { badNonce, mine } from '../../pool/src/devnet/testing/mine.js';
import { ckbRpcUrl } from './env.js';

const rpc = new CkbRpcClient({ url: ckbRpcUrl(), registry: new Registry() });
const answer = (p: Promise<unknown>) =>
  p.then(
    (result) => ({ result }),
    (e: unknown) =>
      e instanceof CkbRpcRemoteError
        ? { error: { code: e.code, message: e.rpcMessage, data: e.data } }
        : { thrown: String(e) },
  );
try {
  const version = await rpc.call<{ version: string }>('local_node_info', []);
  const template = await rpc.getBlockTemplate();
  const work = workFromTemplate(template);
  const nonce = mine(work);
  const sibling = mine(work);
  const block = blockFromWork(work, nonce);
  const submitted = await answer(rpc.submitBlock(work.workId, block));
  const tip = await rpc.getTipHeader();
  const duplicate = await answer(rpc.submitBlock(work.workId, block));
  const side = await answer(rpc.submitBlock(work.workId, blockFromWork(work, sibling)));
  const nextTemplate = await rpc.getBlockTemplate();
  const next = workFromTemplate(nextTemplate);
  const bad = badNonce(next, (n) => verifyPow(next.powHash, n, next.target));
  const badNonceAnswer = await answer(rpc.submitBlock(next.workId, blockFromWork(next, bad)));
  const fixture = {
    recordedAt: new Date().toISOString(),
    node: version.version,
    template,
    nonce: '0x' + nonce.toString(16),
    submitted,
    tipAfter: tip,
    duplicate,
    sibling: { nonce: '0x' + sibling.toString(16), answer: side },
    badNonce: { template: nextTemplate, nonce: '0x' + bad.toString(16), answer: badNonceAnswer },
  };
  const out = new URL('../../pool/src/ckb/testing/fixtures/ckb-dev-node.json', import.meta.url);
  writeFileSync(out, JSON.stringify(fixture, null, 2) + '\n');
  process.stdout.write(`recorded ${out.pathname} from ${version.version}\n`);
} finally {
  rpc.close();
}
