/**
 * SV2 Noise: sealed+opened small frames per second per core for each AEAD implementation, and
 * handshakes per second (responder with a pre-signed certificate, responder signing per second
 * like SRI, and the initiator side).
 */
import type { Aead } from '../src/sv2/noise/index.js';
import {
  EncryptedFrameDecoder,
  NoiseInitiator,
  NoiseResponder,
  NoiseTransport,
  PreparedResponderKeys,
  generateAuthorityKeys,
  generateKeyPair,
  generateResponderKeys,
  nobleAead,
  nodeAead,
  defaultRandom,
} from '../src/sv2/noise/index.js';
import { wasmAead } from '../src/sv2/noise/wasm-aead.js';
import { type BenchSection, fmt, measureRate, type Rate, table } from './measure.js';

/** A CKB SubmitSharesStandard-sized frame: 6-byte header + 28-byte payload (66 bytes encrypted). */
const SHARE_FRAME = Uint8Array.from({ length: 34 }, (_, i) => (i < 6 ? [0, 0, 0x1a, 28, 0, 0][i]! : i));

function frameRate(aead: Aead): Rate {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);
  const tx = new NoiseTransport(aead, k1, k2);
  const rx = new NoiseTransport(aead, k2, k1);
  const dec = new EncryptedFrameDecoder(rx);
  const out = new Uint8Array(NoiseTransport.encryptedFrameLength(SHARE_FRAME.length));
  return measureRate(
    (n) => {
      for (let i = 0; i < n; i++) {
        tx.encryptFrameInto(SHARE_FRAME, out, 0);
        if (dec.push(out).length !== 1) throw new Error('frame lost');
      }
    },
    { batch: 2000, ms: 400, rounds: 3 },
  );
}

function handshakeRates(): string[][] {
  const authority = generateAuthorityKeys();
  const presigned = new PreparedResponderKeys(
    generateResponderKeys({ authoritySecretKey: authority.secretKey }),
  );
  const signing = new PreparedResponderKeys({
    staticSecretKey: generateKeyPair(defaultRandom).secretKey,
    authoritySecretKey: authority.secretKey,
  });
  // Act 1 messages made up front so only the responder's work is timed.
  const act1s = Array.from({ length: 64 }, () => new NoiseInitiator().writeAct1());
  let j = 0;
  const responder = (keys: PreparedResponderKeys) =>
    measureRate(
      (n) => {
        for (let i = 0; i < n; i++) new NoiseResponder(keys).respond(act1s[j++ % act1s.length]!);
      },
      { batch: 20, ms: 1500, rounds: 2 },
    );
  const pair = measureRate(
    (n) => {
      for (let k = 0; k < n; k++) {
        const i = new NoiseInitiator({ authorityPublicKey: authority.publicKey });
        i.readAct2(new NoiseResponder(presigned).respond(i.writeAct1()).act2);
      }
    },
    { batch: 10, ms: 1500, rounds: 2 },
  );
  const r1 = responder(presigned);
  const r2 = responder(signing);
  return [
    ['responder, pre-signed certificate', fmt(r1.perSecond), fmt(r1.nsPerOp / 1000, 0)],
    ['responder, signs one certificate per second (SRI mode)', fmt(r2.perSecond), fmt(r2.nsPerOp / 1000, 0)],
    [
      'initiator + responder pair in memory (incl. certificate check)',
      fmt(pair.perSecond),
      fmt(pair.nsPerOp / 1000, 0),
    ],
  ];
}

export default async function bench(): Promise<BenchSection> {
  const rows = [wasmAead, nodeAead, nobleAead].map((a) => {
    const r = frameRate(a);
    return [a.name, fmt(r.perSecond), fmt(r.nsPerOp / 1000, 2)];
  });
  const hs = handshakeRates();
  return {
    title: 'SV2 Noise transport and handshake',
    markdown: [
      'Small frame = 6-byte header + 28-byte payload (a CKB share), sealed (2 AEAD ops) then opened (2 AEAD ops,',
      'through EncryptedFrameDecoder), one core.',
      '',
      table(['AEAD', 'frames sealed+opened / s', 'µs / frame'], rows),
      '',
      table(['handshake', 'per second', 'µs each'], hs),
    ].join('\n'),
  };
}
