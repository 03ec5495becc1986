/**
 * Writes the starting corpus from the project's fixtures (`npx tsx pool/fuzz/seeds.ts`): SV2
 * frames of every message shape (the property tests' arbitraries), Noise acts of a real
 * handshake, the V1 lines of every dialect fixture, and a mainnet block as a template.
 * Campaigns then add what reaches new code (`run.ts --save`).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { templateFromBlock } from '../src/ckb/testing/fixtures/template.js';
import { mainnetBlockRaw, mainnetMultiTx } from '../src/ckb/testing/fixtures/index.js';
import { encodeFrame, encodeMessage, MESSAGE_TYPES, EXTENSION_TYPES } from '../src/sv2/index.js';
import { arbitraryMessage } from '../src/sv2/testing/arbitraries.js';
import { NoiseInitiator, NoiseResponder, PreparedResponderKeys } from '../src/sv2/noise/handshake.js';
import { encodeCertificate } from '../src/sv2/noise/certificate.js';
import { generateAuthorityKeys, generateResponderKeys } from '../src/sv2/noise/keys.js';
import { deterministicRandom } from '../src/sv2/noise/testing/util.js';
import { writeCorpus } from './corpus.js';

const messages = fc.sample(arbitraryMessage, { numRuns: 120, seed: 19 });
const frames = messages.map((m) => Uint8Array.from([0x10, ...encodeFrame(m)]));
// Two and three frames in one stream, pushed one byte at a time (first byte 0).
frames.push(Uint8Array.from([0, ...encodeFrame(messages[0]!), ...encodeFrame(messages[1]!)]));
frames.push(Uint8Array.from([3, ...messages.slice(2, 5).flatMap((m) => [...encodeFrame(m)])]));
const payloads = messages.map((m) =>
  Uint8Array.from([MESSAGE_TYPES[m.type], EXTENSION_TYPES[m.type] ? 1 : 0, ...encodeMessage(m)]),
);

const random = deterministicRandom('fuzz seeds');
const authority = generateAuthorityKeys(random);
const presigned = generateResponderKeys({ authoritySecretKey: authority.secretKey, random });
const initiator = new NoiseInitiator({ random });
const act1 = initiator.writeAct1();
const { act2 } = new NoiseResponder(new PreparedResponderKeys(presigned, { random }), { random }).respond(
  act1,
);
const noise = [
  Uint8Array.from([0, ...act1]),
  Uint8Array.from([1, ...act2]),
  Uint8Array.from([2, ...encodeCertificate(presigned.certificate!)]),
  Uint8Array.from([3, ...act2.subarray(0, 22 + 40)]),
];

const fixture = JSON.parse(
  readFileSync(new URL('../src/translator/fixtures/v1-dialects.json', import.meta.url), 'utf8'),
) as { sessions: { lines: string[]; submit: string }[]; bad: { submit?: string; lines?: string[] }[] };
const fill = (l: string): string =>
  l
    .replaceAll('{user}', 'ckb1qyq.worker1')
    .replaceAll('{job}', '1a')
    .replaceAll('{en1}', 'deadbeef')
    .replaceAll('{en2}', '0011223344556677')
    .replaceAll('{own}', '00112233')
    .replaceAll('{ntime}', '5f5e1000');
const v1 = [
  ...fixture.sessions.map((s) => [...s.lines, s.submit].map(fill).join('\n') + '\n'),
  ...fixture.bad.map((b) => [...(b.lines ?? []), b.submit ?? ''].map(fill).join('\n') + '\n'),
  '{"id":5,"method":"mining.suggest_difficulty","params":[1024]}\n{"id":6,"method":"mining.suggest_target","params":["0x00000000ffff0000000000000000000000000000000000000000000000000000"]}\n',
  '{"id":7,"method":"mining.configure","params":[["version-rolling"],{}]}\r\n{"id":8,"method":"mining.extranonce.subscribe","params":[]}\n',
].map((s) => new Uint8Array(Buffer.from(s)));

const templates = [mainnetBlockRaw(), mainnetMultiTx()].map(
  (b) => new Uint8Array(Buffer.from(JSON.stringify(templateFromBlock(b)))),
);

for (const [target, inputs] of [
  ['sv2-frame', frames],
  ['sv2-message', payloads],
  ['noise', noise],
  ['v1-line', v1],
  ['ckb-template', templates],
] as const)
  console.log(`${target}: ${writeCorpus(target, inputs)} new seeds`);
