/**
 * SV2 codec: encode/decode rates of the per-share and per-job messages, and FrameDecoder
 * throughput on a stream of share frames cut into TCP-sized chunks.
 */
import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  MESSAGE_TYPES,
  type NewMiningJob,
  type SetNewPrevHash,
  type SetTarget,
  type SubmitSharesStandard,
  type SubmitSharesSuccess,
  type Sv2Message,
} from '../src/sv2/index.js';
import { type BenchSection, fmt, measureRate, type Rate, table } from './measure.js';

const share: SubmitSharesStandard = {
  type: 'SubmitSharesStandard',
  channelId: 7,
  sequenceNumber: 123456,
  jobId: 42,
  nonce: 0xdeadbeef,
  ntime: 1_700_000_000,
  version: 0x20000000,
};
const job: NewMiningJob = {
  type: 'NewMiningJob',
  channelId: 7,
  jobId: 43,
  minNtime: undefined,
  version: 0,
  merkleRoot: new Uint8Array(32).fill(0xab),
};
const setTarget: SetTarget = {
  type: 'SetTarget',
  channelId: 7,
  maximumTarget: new Uint8Array(32).fill(0x0f),
};
const prevHash: SetNewPrevHash = {
  type: 'SetNewPrevHash',
  channelId: 7,
  jobId: 43,
  prevHash: new Uint8Array(32).fill(0x5a),
  minNtime: 1_700_000_000,
  nbits: 0x1a08a97e,
};
const ack: SubmitSharesSuccess = {
  type: 'SubmitSharesSuccess',
  channelId: 7,
  lastSequenceNumber: 123456,
  newSubmitsAcceptedCount: 10,
  newSharesSum: 10_000_000_000n,
};
/** The messages sent per share and per job. */
const HOT: Sv2Message[] = [share, ack, job, prevHash, setTarget];

let sink = 0;

/** The payload as FrameDecoder hands it over from a socket read: a view into a larger chunk. */
function payloadInChunk(msg: Sv2Message): Uint8Array {
  const frame = encodeFrame(msg);
  const chunk = new Uint8Array(4096);
  chunk.set(frame, 100);
  return chunk.subarray(106, 100 + frame.length);
}

/** Runs every measured message through the codec first, so call sites are as polymorphic as in a server. */
function warmUp(msgs: Sv2Message[]): void {
  for (let i = 0; i < 20_000; i++) {
    for (const m of msgs) sink += decodeMessage(MESSAGE_TYPES[m.type], encodeMessage(m)).type.length;
  }
}

function messageRows(msg: Sv2Message): string[][] {
  const id = MESSAGE_TYPES[msg.type];
  const payload = payloadInChunk(msg);
  const encode = measureRate((n) => {
    for (let i = 0; i < n; i++) sink += encodeFrame(msg).length;
  });
  const decode = measureRate((n) => {
    for (let i = 0; i < n; i++) sink += decodeMessage(id, payload).type.length;
  });
  const both = measureRate((n) => {
    for (let i = 0; i < n; i++) sink += decodeMessage(id, encodeMessage(msg)).type.length;
  });
  const row = (op: string, r: Rate) => [msg.type, op, fmt(r.perSecond), fmt(r.nsPerOp)];
  return [row('encodeFrame', encode), row('decodeMessage', decode), row('encode + decode', both)];
}

function decoderRows(): string[][] {
  const frameCount = 10_000;
  const frame = encodeFrame(share);
  const stream = new Uint8Array(frame.length * frameCount);
  for (let i = 0; i < frameCount; i++) stream.set(frame, i * frame.length);
  const rows: string[][] = [];
  for (const [label, chunkSize, decode] of [
    ['split only, 64 KiB chunks', 65536, false],
    ['split only, 1460 B chunks', 1460, false],
    ['split + decodeFrame, 64 KiB chunks', 65536, true],
    ['split + decodeFrame, 1460 B chunks', 1460, true],
  ] as const) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < stream.length; at += chunkSize) chunks.push(stream.subarray(at, at + chunkSize));
    const d = new FrameDecoder();
    // One op = one pass over the whole stream.
    const r = measureRate(
      (n) => {
        for (let i = 0; i < n; i++) {
          for (const c of chunks) {
            if (decode) d.feed(c, (f) => (sink += decodeFrame(f)!.type.length));
            else d.feed(c, (f) => (sink += f.payload.length));
          }
        }
      },
      { batch: 1 },
    );
    const framesPerSecond = r.perSecond * frameCount;
    const mbPerSecond = (r.perSecond * stream.length) / 1e6;
    rows.push([label, fmt(framesPerSecond), fmt(mbPerSecond, 1)]);
  }
  return rows;
}

export default async function bench(): Promise<BenchSection> {
  warmUp(HOT);
  const messages = table(['message', 'operation', 'per second', 'ns/op'], HOT.flatMap(messageRows));
  const decoder = table(
    ['FrameDecoder (SubmitSharesStandard frames, 30 B each)', 'frames/s', 'MB/s'],
    decoderRows(),
  );
  if (sink === 0) throw new Error('benchmark produced nothing');
  return {
    title: 'SV2 codec',
    markdown:
      'Single thread, plaintext (no Noise). `encodeFrame` = header + payload in one allocation; ' +
      '`decodeMessage` input is a payload view inside a 4 KiB chunk, as FrameDecoder delivers it; ' +
      '`decodeMessage` copies byte fields out of the payload.\n\n' +
      messages +
      '\n\n' +
      decoder,
  };
}
