import type { MessageCodec } from './codecs.js';
import { Sv2ProtocolError } from './error.js';
import { codecOf, decodeKnown, writeWith } from './message.js';
import type { Sv2Message } from './types.js';

/**
 * SV2 frame header ([SPEC] 03-Protocol-Overview.md §3.2): extension_type U16 (bit 15 =
 * channel_msg), msg_type U8, msg_length U24, all little-endian; then msg_length payload bytes.
 */
export const FRAME_HEADER_SIZE = 6;
/** The channel_msg bit of extension_type (on the wire a channel message starts `xx 80`). */
export const CHANNEL_MSG_BIT = 0x8000;
/** Largest msg_length a U24 can carry. */
export const MAX_MSG_LENGTH = 0xffffff;
/**
 * FrameDecoder's default payload limit: 1 MiB. The largest Common/Mining message is a
 * SetGroupChannel with 65,535 ids (262,146 bytes); a NewExtendedMiningJob is at most 139,236.
 */
export const DEFAULT_MAX_PAYLOAD = 1 << 20;

/** One frame as read off the wire (plaintext). */
export interface Frame {
  /** extension_type without the channel_msg bit: 0 for Common/Mining/JD/TDP messages. */
  extensionType: number;
  msgType: number;
  channelMsg: boolean;
  payload: Uint8Array;
}

export interface FrameHeader {
  extensionType: number;
  msgType: number;
  channelMsg: boolean;
  msgLength: number;
}

/** Writes a 6-byte frame header at `out[offset]`. */
export function writeFrameHeader(out: Uint8Array, offset: number, h: FrameHeader): void {
  if (!fits(h.extensionType, 0x7fff)) {
    throw new Sv2ProtocolError('frame.extensionType', `${String(h.extensionType)} does not fit 15 bits`);
  }
  if (!fits(h.msgType, 0xff)) throw new Sv2ProtocolError('frame.msgType', `${String(h.msgType)} is not a U8`);
  if (!fits(h.msgLength, MAX_MSG_LENGTH)) {
    throw new Sv2ProtocolError('frame.msgLength', `${String(h.msgLength)} is not a U24`);
  }
  putHeader(
    out,
    offset,
    h.channelMsg ? h.extensionType | CHANNEL_MSG_BIT : h.extensionType,
    h.msgType,
    h.msgLength,
  );
}

/** Whether `v` is an integer in 0..mask (mask = 2^n − 1). */
const fits = (v: number, mask: number): boolean => typeof v === 'number' && (v & mask) === v;

function putHeader(out: Uint8Array, offset: number, ext: number, msgType: number, msgLength: number): void {
  out[offset] = ext;
  out[offset + 1] = ext >>> 8;
  out[offset + 2] = msgType;
  out[offset + 3] = msgLength;
  out[offset + 4] = msgLength >>> 8;
  out[offset + 5] = msgLength >>> 16;
}

/** Reads a 6-byte frame header at `bytes[offset]`. */
export function readFrameHeader(bytes: Uint8Array, offset = 0): FrameHeader {
  if (bytes.length - offset < FRAME_HEADER_SIZE) {
    throw new Sv2ProtocolError(
      'frame.header',
      `truncated: needs 6 bytes, ${Math.max(0, bytes.length - offset)} left`,
    );
  }
  const ext = bytes[offset]! | (bytes[offset + 1]! << 8);
  return {
    extensionType: ext & 0x7fff,
    msgType: bytes[offset + 2]!,
    channelMsg: (ext & CHANNEL_MSG_BIT) !== 0,
    msgLength: bytes[offset + 3]! | (bytes[offset + 4]! << 8) | (bytes[offset + 5]! << 16),
  };
}

/** Size of `msg` as a frame: header + payload. */
export function frameSize(msg: Sv2Message): number {
  return FRAME_HEADER_SIZE + codecOf(msg).size(msg);
}

/**
 * Writes `msg` as a frame (header with the message's channel_msg bit, then payload) at
 * `out[offset]` and returns the offset after it; `out` needs `frameSize(msg)` bytes there.
 * Lets a sender coalesce several frames into one buffer.
 */
export function writeFrame(msg: Sv2Message, out: Uint8Array, offset = 0): number {
  const codec = codecOf(msg);
  return writeFrameWith(codec, msg, codec.size(msg), out, offset);
}

/** `msg` as one plaintext frame, in one exactly-sized allocation. */
export function encodeFrame(msg: Sv2Message): Uint8Array {
  const codec = codecOf(msg);
  const size = codec.size(msg);
  const out = new Uint8Array(FRAME_HEADER_SIZE + size);
  writeFrameWith(codec, msg, size, out, 0);
  return out;
}

function writeFrameWith(
  codec: MessageCodec<Sv2Message>,
  msg: Sv2Message,
  msgLength: number,
  out: Uint8Array,
  offset: number,
): number {
  if (msgLength > MAX_MSG_LENGTH) throw new Sv2ProtocolError('frame.msgLength', `${msgLength} is not a U24`);
  putHeader(
    out,
    offset,
    codec.channelMsg ? codec.extensionType | CHANNEL_MSG_BIT : codec.extensionType,
    codec.msgType,
    msgLength,
  );
  return writeWith(codec, msg, out, offset + FRAME_HEADER_SIZE);
}

/**
 * Decodes a frame's payload if it is a message this codec knows (Common, Mining, Extensions
 * Negotiation); returns undefined for frames to ignore: any other extension_type ([SPEC] §3.4.1:
 * unknown extension messages processed locally "MUST be discarded and ignored") or an unknown
 * msg_type (Job Declaration, Template Distribution, reserved ids). The channel_msg bit is not
 * checked against the message type: the layout is defined by (extension_type, msg_type) alone.
 * Throws Sv2ProtocolError if a known message is malformed.
 */
export function decodeFrame(frame: Frame): Sv2Message | undefined {
  return decodeKnown(frame.msgType, frame.payload, frame.extensionType);
}

const EMPTY = new Uint8Array(0);
const SMALL_CHUNK = 64;
/** Payloads that straddle chunks get storage that grows with the bytes actually received. */
const INITIAL_BODY_CAPACITY = 64 * 1024;

/** Copies `n` bytes; a loop for short runs avoids creating a view of a small (on-heap) chunk. */
function copyBytes(src: Uint8Array, from: number, n: number, dst: Uint8Array, to: number): void {
  if (n <= SMALL_CHUNK) {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

/**
 * Streaming frame splitter for a plaintext SV2 byte stream (after Noise decryption, or an
 * unencrypted connection). Accepts chunks of any size, from one byte to many frames.
 *
 * Memory and lifetime:
 * - A frame that lies entirely inside one pushed chunk is returned as a view of that chunk
 *   (zero copy). Chunks of at most 64 bytes are copied instead: V8 keeps typed arrays that
 *   small on its heap, and taking a view of one first moves its storage off-heap (measured
 *   ~250 ns per frame with a view, ~110 ns with the copy).
 * - A frame that straddles chunks is assembled in a buffer allocated for that frame alone
 *   and handed to the caller; the decoder never writes to it again.
 * - The decoder keeps no reference to a chunk after `push` returns and never reuses memory
 *   it handed out, so a payload stays valid for as long as the caller does not itself
 *   modify the chunks it pushed. Messages decoded from a payload own their bytes (Reader
 *   copies byte fields), so they may be kept however the payload is later treated.
 * - A header announcing more than `maxPayload` bytes is an error before anything is
 *   allocated; storage for a straddling payload grows with the bytes actually received
 *   (at most 64 KiB ahead), so a forged length cannot reserve memory by itself.
 *
 * After an error the stream cannot be resynchronised: every later push throws the same error.
 */
export class FrameDecoder {
  readonly maxPayload: number;
  private readonly header = new Uint8Array(FRAME_HEADER_SIZE);
  private headerFill = 0;
  // The frame whose payload is being assembled across chunks (body !== undefined).
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private bodyLength = 0;
  private extensionType = 0;
  private msgType = 0;
  private channelMsg = false;
  private failure: Sv2ProtocolError | undefined;

  constructor(opts: { maxPayload?: number } = {}) {
    const max = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    if (!Number.isInteger(max) || max < 0 || max > MAX_MSG_LENGTH) {
      throw new RangeError(`maxPayload must be an integer in 0..${MAX_MSG_LENGTH}, got ${max}`);
    }
    this.maxPayload = max;
  }

  /** Bytes of an incomplete frame (header included) held from earlier chunks. */
  get bufferedBytes(): number {
    return this.body !== undefined ? FRAME_HEADER_SIZE + this.bodyFill : this.headerFill;
  }

  /** Splits `chunk` (plus what earlier chunks left) into the frames it completes. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    this.feed(chunk, (f) => frames.push(f));
    return frames;
  }

  /**
   * Like push, but hands each frame to `onFrame` as soon as it is complete, so frames that
   * precede a malformed header in the same chunk are delivered before the error is thrown.
   * If `onFrame` throws, the exception propagates and the rest of the chunk is lost, so the
   * decoder fails (later pushes throw Sv2ProtocolError `frame`).
   */
  feed(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      this.split(chunk, onFrame);
    } catch (e) {
      this.failure ??= new Sv2ProtocolError('frame', 'frame handler threw; the stream position is lost');
      throw e;
    }
  }

  private split(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.body !== undefined) {
        const n = Math.min(this.bodyLength - this.bodyFill, end - pos);
        this.reserve(this.bodyFill + n);
        copyBytes(chunk, pos, n, this.body, this.bodyFill);
        this.bodyFill += n;
        pos += n;
        if (this.bodyFill === this.bodyLength) {
          const payload = this.body;
          this.body = undefined;
          this.bodyFill = 0;
          onFrame(this.frame(payload));
        }
      } else if (this.headerFill === 0 && end - pos >= FRAME_HEADER_SIZE) {
        // Fast path: the whole header, and usually the whole payload, is in this chunk.
        const length = this.startFrame(chunk, pos);
        pos += FRAME_HEADER_SIZE;
        if (end - pos >= length) {
          // Copy out of small chunks (see the class comment), view into larger ones.
          const payload =
            end <= SMALL_CHUNK ? chunk.slice(pos, pos + length) : chunk.subarray(pos, pos + length);
          onFrame(this.frame(payload));
          pos += length;
        } else {
          this.startBody(length, end - pos);
        }
      } else {
        const n = Math.min(FRAME_HEADER_SIZE - this.headerFill, end - pos);
        copyBytes(chunk, pos, n, this.header, this.headerFill);
        this.headerFill += n;
        pos += n;
        if (this.headerFill === FRAME_HEADER_SIZE) {
          this.headerFill = 0;
          const length = this.startFrame(this.header, 0);
          if (length === 0) onFrame(this.frame(EMPTY));
          else this.startBody(length, end - pos);
        }
      }
    }
  }

  /** Reads the header at `bytes[at]`, checks the length, remembers the fields; returns the length. */
  private startFrame(bytes: Uint8Array, at: number): number {
    const ext = bytes[at]! | (bytes[at + 1]! << 8);
    const length = bytes[at + 3]! | (bytes[at + 4]! << 8) | (bytes[at + 5]! << 16);
    if (length > this.maxPayload) {
      this.failure = new Sv2ProtocolError(
        'frame.msgLength',
        `payload of ${length} bytes exceeds the limit of ${this.maxPayload} (msg_type 0x${bytes[at + 2]!.toString(16)})`,
      );
      throw this.failure;
    }
    this.extensionType = ext & 0x7fff;
    this.channelMsg = (ext & CHANNEL_MSG_BIT) !== 0;
    this.msgType = bytes[at + 2]!;
    return length;
  }

  private startBody(length: number, available: number): void {
    this.bodyLength = length;
    this.bodyFill = 0;
    this.body = new Uint8Array(Math.min(length, Math.max(available, INITIAL_BODY_CAPACITY)));
  }

  /** Grows the body buffer (doubling, capped at the frame length) to hold `n` bytes. */
  private reserve(n: number): void {
    const body = this.body!;
    if (body.length >= n) return;
    const grown = new Uint8Array(Math.min(this.bodyLength, Math.max(n, body.length * 2)));
    grown.set(body.subarray(0, this.bodyFill));
    this.body = grown;
  }

  private frame(payload: Uint8Array): Frame {
    return { extensionType: this.extensionType, msgType: this.msgType, channelMsg: this.channelMsg, payload };
  }
}
