/**
 * SV2 Noise: sealed+opened small frames per second per core for each AEAD implementation, and
 * handshakes per second (responder with a pre-signed certificate, responder signing one
 * certificate per second like SRI, and a full initiator+responder pair).
 *
 * Besides wall-clock rates (measureRate) each row gives the process CPU time per operation:
 * on a shared machine wall time includes waiting for a core, CPU time does not, so
 * 1e6 / (CPU µs) is the better per-core estimate there.
 */
import type { Aead } from '../src/sv2/noise/index.js';
import {
  EncryptedFrameDecoder,
  EphemeralKeyPool,
  NoiseInitiator,
  NoiseResponder,
  NoiseTransport,
  PreparedResponderKeys,
  defaultRandom,
  ellswiftDecode,
  generateAuthorityKeys,
  generateKeyPair,
  generateResponderKeys,
  nobleAead,
  nodeAead,
  responderEcdh,
  wasmAead,
} from '../src/sv2/noise/index.js';
import { type BenchSection, fmt, measureRate, table } from './measure.js';

/** A CKB SubmitSharesStandard-sized frame: 6-byte header + 28-byte payload (66 bytes encrypted). */
const SHARE_FRAME = Uint8Array.from({ length: 34 }, (_, i) => (i < 6 ? [0, 0, 0x1a, 28, 0, 0][i]! : i));

/** Wall-clock rate plus CPU µs per operation over a separate timed run of `cpuOps` operations. */
function measure(fn: (n: number) => void, batch: number, ms: number, cpuOps: number): string[] {
  const wall = measureRate(fn, { batch, ms, rounds: 3 });
  const c0 = process.cpuUsage();
  fn(cpuOps);
  const c = process.cpuUsage(c0);
  const cpuUs = (c.user + c.system) / cpuOps;
  return [fmt(wall.perSecond), fmt(wall.nsPerOp / 1000, 2), fmt(cpuUs, 2), fmt(1e6 / cpuUs)];
}

function frames(aead: Aead): string[] {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);
  const tx = new NoiseTransport(aead, k1, k2);
  const dec = new EncryptedFrameDecoder(new NoiseTransport(aead, k2, k1));
  const out = new Uint8Array(NoiseTransport.encryptedFrameLength(SHARE_FRAME.length));
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      tx.encryptFrameInto(SHARE_FRAME, out, 0);
      if (dec.push(out).length !== 1) throw new Error('frame lost');
    }
  };
  return [aead.name, ...measure(run, 2000, 400, 50_000)];
}

function handshakes(): string[][] {
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
  const responder = (keys: PreparedResponderKeys) => (n: number) => {
    for (let i = 0; i < n; i++) new NoiseResponder(keys).respond(act1s[j++ % act1s.length]!);
  };
  const pair = (n: number) => {
    for (let k = 0; k < n; k++) {
      const i = new NoiseInitiator({ authorityPublicKey: authority.publicKey });
      i.readAct2(new NoiseResponder(presigned).respond(i.writeAct1()).act2);
    }
  };
  // Keys prepared beforehand (EphemeralKeyPool filled while idle): only the handshake itself is timed.
  const pooled = (n: number): string[] => {
    const pool = new EphemeralKeyPool(n);
    pool.fill();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < n; i++)
      new NoiseResponder(presigned, { ephemeral: pool.take() }).respond(act1s[i % act1s.length]!);
    const wallUs = ((performance.now() - w0) * 1000) / n;
    const c = process.cpuUsage(c0);
    const cpuUs = (c.user + c.system) / n;
    return [fmt(1e6 / wallUs), fmt(wallUs, 2), fmt(cpuUs, 2), fmt(1e6 / cpuUs)];
  };
  return [
    ['responder, pre-signed certificate', ...measure(responder(presigned), 20, 1500, 300)],
    ['responder, ephemeral key from a warm EphemeralKeyPool', ...pooled(300)],
    [
      'responder, one certificate signed per second (SRI mode)',
      ...measure(responder(signing), 20, 1500, 300),
    ],
    ['initiator + responder in memory (incl. certificate check)', ...measure(pair, 10, 1500, 100)],
  ];
}

/** The secp256k1 work inside a responder handshake (libsecp256k1 in noise.wasm). */
function keyOperations(): string[][] {
  const e = generateKeyPair(defaultRandom);
  const s = generateKeyPair(defaultRandom);
  const theirs = Array.from({ length: 64 }, () => generateKeyPair(defaultRandom).ellswift);
  let j = 0;
  const keygen = (n: number) => {
    for (let i = 0; i < n; i++) generateKeyPair(defaultRandom);
  };
  const ecdhPair = (n: number) => {
    for (let i = 0; i < n; i++) responderEcdh(e, s, theirs[j++ % theirs.length]!);
  };
  const decode = (n: number) => {
    for (let i = 0; i < n; i++) ellswiftDecode(theirs[j++ % theirs.length]!);
  };
  return [
    ['ephemeral key: k·G + ElligatorSwift encoding (generateKeyPair)', ...measure(keygen, 50, 1000, 1000)],
    [
      'responder ECDH pair: decode + ee + es, both hashed (responderEcdh)',
      ...measure(ecdhPair, 20, 1000, 500),
    ],
    ['ElligatorSwift decode alone (ellswiftDecode)', ...measure(decode, 200, 500, 5000)],
  ];
}

export default async function bench(): Promise<BenchSection> {
  const rows = [wasmAead, nodeAead, nobleAead].map(frames);
  const hs = handshakes();
  const ops = keyOperations();
  const head = ['per second (wall)', 'µs (wall)', 'µs CPU', 'per core-second (CPU)'];
  return {
    title: 'SV2 Noise transport and handshake',
    markdown: [
      'Small frame = 6-byte header + 28-byte payload (a CKB share, 66 bytes encrypted): sealed (2 AEAD',
      'operations) then opened through EncryptedFrameDecoder (2 more), on one core.',
      '',
      table(['AEAD', ...head], rows),
      '',
      table(['handshake', ...head], hs),
      '',
      table(['secp256k1 operation (WebAssembly)', ...head], ops),
    ].join('\n'),
  };
}
