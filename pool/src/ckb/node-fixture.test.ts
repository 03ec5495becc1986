// Recorded answers of a real ckb dev chain (Eaglesong; e2e/infra/record-ckb-fixtures.ts against the
// ckb tier): the pool's block assembly and PoW against what the node accepted, and the devnet held to
// the node's template fields and its bad-nonce answer, where the node is not built.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DevChain } from '../devnet/index.js';
import { mine, badNonce } from '../devnet/testing/mine.js';
import { headerHashOf } from './header.js';
import { bytesToHex } from './hex.js';
import type { BlockTemplate, JsonHeaderView } from './types.js';
import { blockFromWork, verifyPow, workFromTemplate } from './work.js';

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: string };
}
interface Fixture {
  node: string;
  template: BlockTemplate;
  nonce: string;
  submitted: Answer;
  tipAfter: JsonHeaderView;
  duplicate: Answer;
  sibling: { nonce: string; answer: Answer };
  badNonce: { template: BlockTemplate; nonce: string; answer: Answer };
}

const f = JSON.parse(
  readFileSync(new URL('./testing/fixtures/ckb-dev-node.json', import.meta.url), 'utf8'),
) as Fixture;

describe(`recorded real-node answers (${f.node})`, () => {
  const work = workFromTemplate(f.template);
  const hashWith = (nonce: bigint) => bytesToHex(headerHashOf({ ...work.header, nonce }));

  it('the block the pool built from the node’s template meets its target and has the hash the node answered', () => {
    const nonce = BigInt(f.nonce);
    expect(verifyPow(work.powHash, nonce, work.target)).toBe(true);
    expect(f.submitted.result).toBe(hashWith(nonce));
    expect(f.tipAfter).toMatchObject({ hash: f.submitted.result, nonce: f.nonce, number: f.template.number });
  });

  it('the node answers a duplicate and a sibling of the tip with their hashes', () => {
    expect(f.duplicate.result).toBe(f.submitted.result);
    expect(f.sibling.answer.result).toBe(hashWith(BigInt(f.sibling.nonce)));
  });

  it('the devnet’s template has the node’s fields, and its bad-nonce answer is the node’s', () => {
    const chain = new DevChain({ initialCompactTarget: 0x20010000 });
    const t = chain.template();
    expect(Object.keys(t).sort()).toEqual(Object.keys(f.template).sort());
    const ours = workFromTemplate(t);
    const bad = badNonce(ours, (n) => verifyPow(ours.powHash, n, ours.target));
    let devnetError: { code: number; message: string } | undefined;
    try {
      chain.submit(blockFromWork(ours, bad));
    } catch (err) {
      devnetError = err as { code: number; message: string };
    }
    expect({ code: devnetError?.code, message: devnetError?.message }).toEqual({
      code: f.badNonce.answer.error?.code,
      message: f.badNonce.answer.error?.message,
    });
    // The devnet still accepts a good nonce of its own template (the check above is not vacuous).
    expect(chain.submit(blockFromWork(ours, mine(ours))).isNew).toBe(true);
  });
});
