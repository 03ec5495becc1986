import { CODECS, type MessageCodec } from './codecs.js';
import { Sv2ProtocolError } from './error.js';
import { Reader } from './reader.js';
import type { Sv2Message, Sv2MessageType } from './types.js';
import { Writer } from './writer.js';

const TYPE_NAMES = Object.keys(CODECS) as Sv2MessageType[];

/** msg_type id of every message ([SPEC] 08-Message-Types.md, equal to SRI's MESSAGE_TYPE_* constants). */
export const MESSAGE_TYPES: Readonly<Record<Sv2MessageType, number>> = Object.freeze(
  Object.fromEntries(TYPE_NAMES.map((t) => [t, CODECS[t].msgType])) as Record<Sv2MessageType, number>,
);

/**
 * extension_type of every message's frames: 0 for Common/Mining, 0x0001 for Extensions
 * Negotiation. A message is identified by (extension_type, msg_type): RequestExtensions and
 * SetupConnection share msg_type 0.
 */
export const EXTENSION_TYPES: Readonly<Record<Sv2MessageType, number>> = Object.freeze(
  Object.fromEntries(TYPE_NAMES.map((t) => [t, CODECS[t].extensionType])) as Record<Sv2MessageType, number>,
);

/** Whether a message's frames set the channel_msg bit ([SPEC] 08-Message-Types.md; SRI CHANNEL_BIT_*). */
export const CHANNEL_MSG: Readonly<Record<Sv2MessageType, boolean>> = Object.freeze(
  Object.fromEntries(TYPE_NAMES.map((t) => [t, CODECS[t].channelMsg])) as Record<Sv2MessageType, boolean>,
);

interface Entry {
  readonly name: Sv2MessageType;
  readonly codec: MessageCodec<Sv2Message>;
}
// extension_type 0 (every hot message) is an array lookup; extension messages go through a Map.
const CORE: (Entry | undefined)[] = new Array(256).fill(undefined);
const EXTENSIONS = new Map<number, Entry>();
for (const name of TYPE_NAMES) {
  const codec = CODECS[name] as MessageCodec<Sv2Message>;
  if (codec.extensionType === 0) CORE[codec.msgType] = { name, codec };
  else EXTENSIONS.set(codec.extensionType * 256 + codec.msgType, { name, codec });
}

function lookup(msgType: number, extensionType: number): Entry | undefined {
  return extensionType === 0 ? CORE[msgType] : EXTENSIONS.get(extensionType * 256 + msgType);
}

/** The message name for (msg_type, extension_type), or undefined if this codec does not know it. */
export function messageTypeName(msgType: number, extensionType = 0): Sv2MessageType | undefined {
  return lookup(msgType, extensionType)?.name;
}

// One Reader and one Writer for the whole module: encode/decode are synchronous and never
// re-entered, so the hot path allocates only the output buffer / message object.
const writer = new Writer(new Uint8Array(0));
const reader = new Reader(new Uint8Array(0));

/** The codec of `msg.type` (internal to the sv2 module). */
export function codecOf(msg: Sv2Message): MessageCodec<Sv2Message> {
  const type = msg?.type;
  if (typeof type !== 'string' || !Object.hasOwn(CODECS, type)) {
    throw new Sv2ProtocolError('type', `unknown message type ${String(type)}`);
  }
  return CODECS[type] as MessageCodec<Sv2Message>;
}

/** Exact payload size of `msg` in bytes (frame header excluded). */
export function messageSize(msg: Sv2Message): number {
  return codecOf(msg).size(msg);
}

/**
 * Writes `msg`'s payload into `out` at `offset` and returns the offset after it. `out` must
 * have `messageSize(msg)` bytes free there.
 */
export function writeMessage(msg: Sv2Message, out: Uint8Array, offset = 0): number {
  return writeWith(codecOf(msg), msg, out, offset);
}

/** Writes `msg` with an already looked-up codec; returns the offset after it (internal). */
export function writeWith(
  codec: MessageCodec<Sv2Message>,
  msg: Sv2Message,
  out: Uint8Array,
  offset: number,
): number {
  codec.write(writer.reset(out, offset, msg.type), msg);
  return writer.pos;
}

/** The payload of `msg` (no frame header), in one exactly-sized allocation. */
export function encodeMessage(msg: Sv2Message): Uint8Array {
  const codec = codecOf(msg);
  const out = new Uint8Array(codec.size(msg));
  writeWith(codec, msg, out, 0);
  return out;
}

/**
 * Decodes a payload of the message identified by (`msgType`, `extensionType`, default 0 =
 * Common/Mining). Throws only Sv2ProtocolError: unknown id, a truncated or out-of-bounds field,
 * or trailing bytes. Byte fields of the result are copies: they do not alias `payload` (see Reader).
 */
export function decodeMessage(msgType: number, payload: Uint8Array, extensionType = 0): Sv2Message {
  const msg = decodeKnown(msgType, payload, extensionType);
  if (msg === undefined) {
    const id = `0x${msgType.toString(16).padStart(2, '0')}`;
    const ext = extensionType === 0 ? '' : ` of extension 0x${extensionType.toString(16).padStart(4, '0')}`;
    throw new Sv2ProtocolError('msgType', `unknown msg_type ${id}${ext}`);
  }
  return msg;
}

/** Like decodeMessage, but returns undefined for an id this codec does not know (internal). */
export function decodeKnown(
  msgType: number,
  payload: Uint8Array,
  extensionType: number,
): Sv2Message | undefined {
  const entry = lookup(msgType, extensionType);
  if (entry === undefined) return undefined;
  reader.reset(payload, entry.name);
  const msg = entry.codec.read(reader);
  reader.finish();
  return msg;
}
