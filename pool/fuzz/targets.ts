/**
 * Fuzz targets: what one input means for each decoder, and which errors the decoder documents.
 * Anything else thrown (TypeError, RangeError, a failed oracle below) is a crash.
 */
import { isDeepStrictEqual } from 'node:util';
import { CkbTemplateError, blockFromWork, workFromTemplate } from '../src/ckb/work.js';
import { CkbHexError } from '../src/ckb/hex.js';
import {
  FrameDecoder,
  Sv2ProtocolError,
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  type Sv2Message,
} from '../src/sv2/index.js';
import { NoiseInitiator, NoiseResponder, PreparedResponderKeys } from '../src/sv2/noise/handshake.js';
import { decodeCertificate } from '../src/sv2/noise/certificate.js';
import { NoiseError } from '../src/sv2/noise/errors.js';
import { generateAuthorityKeys, generateResponderKeys } from '../src/sv2/noise/keys.js';
import { EncryptedFrameDecoder } from '../src/sv2/noise/transport.js';
import { deterministicRandom } from '../src/sv2/noise/testing/util.js';
import { DIALECTS } from '../src/translator/dialects/index.js';
import { LineDecoder, LineTooLongError, parsePoolLine, parseRequest } from '../src/mining/v1-wire.js';
import type { FuzzTarget } from './engine.js';

/** Frames and lines the targets decoded (the issue counts these, not just inputs). */
export const counters = { frames: 0, v1Lines: 0 };

/** A decoded message must re-encode, and the re-encoding must decode to the same message. */
function roundTrip(msg: Sv2Message, decodeAgain: (bytes: Uint8Array) => Sv2Message | undefined): void {
  let again: Sv2Message | undefined;
  try {
    again = decodeAgain(encodeFrame(msg));
  } catch (e) {
    throw new Error(`decoded ${msg.type} does not re-encode: ${String(e)}`);
  }
  if (!isDeepStrictEqual(again, msg)) throw new Error(`decoded ${msg.type} changes on re-encoding`);
}

function redecode(bytes: Uint8Array): Sv2Message | undefined {
  const frames = new FrameDecoder().push(bytes);
  if (frames.length !== 1) throw new Error(`re-encoding gave ${frames.length} frames`);
  return decodeFrame(frames[0]!);
}

const isSv2Error = (e: unknown): boolean => e instanceof Sv2ProtocolError;

/** A byte stream of plaintext frames, pushed in chunks whose sizes the first byte chooses. */
export const sv2Frames: FuzzTarget = {
  name: 'sv2-frame',
  coverageOf: ['/pool/src/sv2/'],
  isExpected: isSv2Error,
  run(input) {
    const step = input.length ? (input[0]! % 17) + 1 : 1;
    const decoder = new FrameDecoder({ maxPayload: 1 << 16 });
    const body = input.subarray(1);
    for (let at = 0; at < body.length; at += step) {
      const chunk = step === 17 ? body : body.subarray(at, at + step);
      for (const frame of decoder.push(chunk)) {
        counters.frames++;
        const msg = decodeFrame(frame);
        if (msg) roundTrip(msg, redecode);
      }
      if (step === 17) break;
    }
  },
};

/** One message payload: byte 0 picks the message type, byte 1 the extension, the rest is the payload. */
export const sv2Messages: FuzzTarget = {
  name: 'sv2-message',
  coverageOf: ['/pool/src/sv2/'],
  isExpected: isSv2Error,
  run(input) {
    if (input.length < 2) return;
    const extension = input[1]! & 1 ? 1 : 0;
    counters.frames++;
    const msg = decodeMessage(input[0]!, input.subarray(2), extension);
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(msg);
    } catch (e) {
      throw new Error(`decoded ${msg.type} does not re-encode: ${String(e)}`);
    }
    if (!isDeepStrictEqual(decodeMessage(input[0]!, bytes, extension), msg))
      throw new Error(`decoded ${msg.type} changes on re-encoding`);
  },
};

const NOW = 1_800_000_000;
const random = deterministicRandom('fuzz noise');
const authority = generateAuthorityKeys(random);
const responderKeys = new PreparedResponderKeys(
  generateResponderKeys({ authoritySecretKey: authority.secretKey, validFrom: NOW - 100, random }),
  { random },
);
// One real session: its receiving side reads the fuzzed ciphertext.
const sessionInitiator = new NoiseInitiator({ random, now: () => NOW });
const { act2 } = new NoiseResponder(responderKeys, { random, now: () => NOW }).respond(
  sessionInitiator.writeAct1(),
);
const session = sessionInitiator.readAct2(act2).transport;

/**
 * Byte 0 picks the message: act 1 to a responder, act 2 to an initiator that sent act 1, a
 * certificate, or ciphertext to an established session's frame decoder.
 */
export const noise: FuzzTarget = {
  name: 'noise',
  coverageOf: ['/pool/src/sv2/noise/'],
  isExpected: (e) => e instanceof NoiseError || e instanceof Sv2ProtocolError,
  run(input) {
    if (input.length === 0) return;
    const rest = input.subarray(1);
    switch (input[0]! % 4) {
      case 0:
        new NoiseResponder(responderKeys, { random, now: () => NOW }).respond(rest);
        break;
      case 1: {
        const i = new NoiseInitiator({
          random,
          now: () => NOW,
          authorityPublicKey: authority.publicKey,
        });
        i.writeAct1();
        i.readAct2(rest);
        break;
      }
      case 2:
        decodeCertificate(rest);
        break;
      default: {
        // A copy of the session keys: every input starts at nonce 0.
        const d = new EncryptedFrameDecoder(structuredCloneTransport(), { maxPayload: 1 << 16 });
        d.push(rest);
      }
    }
  },
};

function structuredCloneTransport(): typeof session {
  const t = Object.create(Object.getPrototypeOf(session) as object) as typeof session;
  for (const k of ['sender', 'receiver'] as const) {
    const c = session[k];
    Object.assign(t, { [k]: Object.assign(Object.create(Object.getPrototypeOf(c) as object), c) });
  }
  return t;
}

const EN1 = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);

/**
 * A miner's byte stream: lines through LineDecoder, each parsed as a request; a submit goes
 * through every dialect's parser, a target/difficulty through every dialect's decoder.
 */
export const v1Lines: FuzzTarget = {
  name: 'v1-line',
  coverageOf: ['/pool/src/translator/'],
  isExpected: (e) => e instanceof LineTooLongError,
  run(input) {
    const lines = new LineDecoder(1024).push(Buffer.from(input.buffer, input.byteOffset, input.length));
    for (const line of lines) {
      counters.v1Lines++;
      parsePoolLine(line);
      const req = parseRequest(line);
      if ('bad' in req) continue;
      for (const d of Object.values(DIALECTS)) {
        if (req.method === 'mining.submit') {
          const n = Buffer.alloc(16);
          n.set(EN1);
          d.parseSubmit(req.params, EN1, n);
        } else if (req.method === 'mining.suggest_target') d.decodeTarget(req.targetHex);
        else if (req.method === 'mining.suggest_difficulty') d.suggestedTarget(req.difficulty);
        else if (req.method === 'mining.subscribe') d.resumeExtranonce1(req.params);
      }
    }
  },
};

/** get_block_template's result as JSON text: the header it builds and the block it would submit. */
export const ckbTemplate: FuzzTarget = {
  name: 'ckb-template',
  coverageOf: ['/pool/src/ckb/'],
  isExpected: (e) => e instanceof CkbHexError || e instanceof CkbTemplateError,
  run(input) {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(input).toString('utf8'));
    } catch {
      return; // CkbRpcClient answers CkbRpcMalformedError before any template code runs
    }
    const work = workFromTemplate(json as Parameters<typeof workFromTemplate>[0]);
    blockFromWork(work, 0n);
  },
};

export const TARGETS: readonly FuzzTarget[] = [sv2Frames, sv2Messages, noise, v1Lines, ckbTemplate];
