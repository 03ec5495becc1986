/**
 * The encoder, decoder and size of every message, derived from its field list in ./schema.ts.
 *
 * Each message's three functions are generated once, at module load, as specialised code (what
 * one would write by hand: `w.u32(m.channelId, 'channelId'); …`, `({ type, channelId: r.u32(…), … })`),
 * so the hot path runs no interpreter over the field list and keeps the speed of hand-written
 * codecs (measured: docs/sv2-codec.md). Field names are checked to be plain identifiers before
 * they go into the generated source.
 */
import type { Reader } from './reader.js';
import { MESSAGES, type FieldType, type MessageSpec } from './schema.js';
import {
  identityTlvsSize,
  nonceLayoutTlvSize,
  readIdentityTlvs,
  readNonceLayoutTlv,
  writeIdentityTlvs,
  writeNonceLayoutTlv,
} from './tlv.js';
import type { MessageOf, Sv2Message, Sv2MessageType } from './types.js';
import { sizeOf, type Writer } from './writer.js';

/** How one message type is laid out on the wire. */
export interface MessageCodec<M extends Sv2Message> {
  /** extension_type of its frames (without the channel_msg bit): 0 for core messages. */
  readonly extensionType: number;
  /** msg_type byte ([SPEC] 08-Message-Types.md; [SRI] MESSAGE_TYPE_* constants). */
  readonly msgType: number;
  /** Whether frames of this message set the channel_msg bit ([SRI] CHANNEL_BIT_* constants). */
  readonly channelMsg: boolean;
  /** Exact payload size in bytes. */
  size(m: M): number;
  /** Writes the payload; the writer validates every value. */
  write(w: Writer, m: M): void;
  /** Reads the payload fields in wire order (the caller checks for trailing bytes). */
  read(r: Reader): M;
}

export type CodecTable = { readonly [K in Sv2MessageType]: MessageCodec<MessageOf<K>> };

/** Size of a SEQ0_255[U256] / SEQ0_64K[U32] / SEQ0_64K[U16]; `Array.isArray` guard so the writer reports bad values. */
const seqSize = (prefix: number, items: readonly unknown[], itemSize: number): number =>
  prefix + (Array.isArray(items) ? items.length * itemSize : 0);

/** What the generated code may call (its only free variables). */
const HELPERS = {
  sizeOf,
  seqSize,
  identityTlvsSize,
  readIdentityTlvs,
  writeIdentityTlvs,
  nonceLayoutTlvSize,
  readNonceLayoutTlv,
  writeNonceLayoutTlv,
};

const FIXED_SIZE: Partial<Record<FieldType, number>> = {
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  f32: 4,
  bool: 1,
  u256: 32,
};

/** The item type, its size and the count prefix of a sequence or option type. */
const CONTAINERS: Partial<Record<FieldType, { item: FieldType; itemSize: number; prefix: number }>> = {
  'option<u32>': { item: 'u32', itemSize: 4, prefix: 1 },
  'seq0_255<u256>': { item: 'u256', itemSize: 32, prefix: 1 },
  'seq0_64k<u32>': { item: 'u32', itemSize: 4, prefix: 2 },
  'seq0_64k<u16>': { item: 'u16', itemSize: 2, prefix: 2 },
};

/** The Writer/Reader method of a container type ('option', 'seq0_255', 'seq0_64k'). */
const containerMethod = (type: FieldType): string => type.slice(0, type.indexOf('<'));

/** JS source of the three functions of one message. */
function codecSource(name: string, spec: MessageSpec): string {
  const prelude: string[] = [];
  let fixed = 0;
  const sizes: string[] = [];
  const writes: string[] = [];
  const reads: string[] = [`type: ${JSON.stringify(name)}`];
  for (const [field, type] of Object.entries(spec.fields)) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(field)) throw new Error(`sv2 schema: bad field name ${name}.${field}`);
    const f = `'${field}'`;
    const container = CONTAINERS[type];
    if (FIXED_SIZE[type] !== undefined) {
      fixed += FIXED_SIZE[type];
      writes.push(`w.${type}(m.${field}, ${f});`);
      reads.push(`${field}: r.${type}(${f})`);
    } else if (container !== undefined) {
      const method = containerMethod(type);
      prelude.push(`const write_${field} = (w, v) => w.${container.item}(v, ${f});`);
      prelude.push(`const read_${field} = (r) => r.${container.item}(${f});`);
      sizes.push(
        method === 'option'
          ? `h.sizeOf.option(m.${field}, ${container.itemSize})`
          : `h.seqSize(${container.prefix}, m.${field}, ${container.itemSize})`,
      );
      writes.push(`w.${method}(m.${field}, ${f}, write_${field});`);
      reads.push(
        method === 'option'
          ? `${field}: r.option(${f}, read_${field})`
          : `${field}: r.${method}(${f}, ${container.itemSize}, read_${field})`,
      );
    } else {
      sizes.push(`h.sizeOf.${type}(m.${field})`);
      writes.push(`w.${type}(m.${field}, ${f});`);
      reads.push(`${field}: r.${type}(${f})`);
    }
  }
  let read = `(r) => ({ ${reads.join(', ')} })`;
  if (spec.identityTlvs) {
    sizes.push('h.identityTlvsSize(m)');
    writes.push('h.writeIdentityTlvs(w, m);');
    // The TLVs fill the rest of the payload (so there are never trailing bytes here).
    read = `(r) => {
      const msg = { ${reads.join(', ')}, userIdentity: undefined, longUserIdentity: undefined };
      const tlvs = h.readIdentityTlvs(r);
      msg.userIdentity = tlvs.userIdentity;
      msg.longUserIdentity = tlvs.longUserIdentity;
      return msg;
    }`;
  }
  if (spec.nonceLayoutTlv) {
    sizes.push('h.nonceLayoutTlvSize(m)');
    writes.push('h.writeNonceLayoutTlv(w, m);');
    read = `(r) => {
      const msg = { ${reads.join(', ')}, nonceLayout: undefined };
      msg.nonceLayout = h.readNonceLayoutTlv(r);
      return msg;
    }`;
  }
  return `'use strict';
    ${prelude.join('\n')}
    return {
      size: (m) => ${[String(fixed), ...sizes].join(' + ')},
      write: (w, m) => { ${writes.join(' ')} },
      read: ${read},
    };`;
}

type Generated = Pick<MessageCodec<Sv2Message>, 'size' | 'write' | 'read'>;

function compile(name: string, spec: MessageSpec): MessageCodec<Sv2Message> {
  const make = new Function('h', codecSource(name, spec)) as (h: typeof HELPERS) => Generated;
  return {
    extensionType: spec.extensionType,
    msgType: spec.msgType,
    channelMsg: spec.channelMsg,
    ...make(HELPERS),
  };
}

/**
 * Every Common Protocol and Mining Protocol message ([SPEC] §3.6, §5.3), and Extensions
 * Negotiation (extension 0x0001).
 */
export const CODECS: CodecTable = Object.freeze(
  Object.fromEntries(Object.entries(MESSAGES).map(([name, spec]) => [name, compile(name, spec)])),
) as unknown as CodecTable;
