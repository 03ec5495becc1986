/**
 * Noise transport phase as SRI codec_sv2 does it: each SV2 frame is its 6-byte header encrypted on its
 * own (22 bytes) followed by the payload in chunks of ≤ 65519 plaintext bytes, each sealed separately
 * (≤ 65535 with MAC). Every seal/open consumes one nonce; the AD is always empty; there is no rekey.
 */
import type { Aead } from './aead.js';
import { EMPTY } from './aead.js';
import { CipherState } from './cipher-state.js';
import {
  ENCRYPTED_HEADER_LEN,
  FRAME_HEADER_LEN,
  MAC_LEN,
  MAX_CHUNK_PLAINTEXT,
  MAX_PAYLOAD_LEN,
  encryptedPayloadLength,
} from './constants.js';
import { NoiseError } from './errors.js';

/** One decrypted SV2 frame (same shape as the codec's `Frame`). */
export interface DecryptedFrame {
  extensionType: number;
  msgType: number;
  channelMsg: boolean;
  payload: Uint8Array;
}

/** The two cipher states after the handshake. */
export class NoiseTransport {
  readonly sender: CipherState;
  readonly receiver: CipherState;

  constructor(aead: Aead, sendKey: Uint8Array, receiveKey: Uint8Array) {
    this.sender = new CipherState(aead, sendKey);
    this.receiver = new CipherState(aead, receiveKey);
  }

  /** Bytes on the wire for a plain frame of `plainLen` bytes (header + payload). */
  static encryptedFrameLength(plainLen: number): number {
    return ENCRYPTED_HEADER_LEN + encryptedPayloadLength(plainLen - FRAME_HEADER_LEN);
  }

  /** Encrypts a plain SV2 frame (6-byte header ‖ payload) into `out` at `off`; returns bytes written. */
  encryptFrameInto(plain: Uint8Array, out: Uint8Array, off: number): number {
    if (plain.length < FRAME_HEADER_LEN)
      throw new NoiseError('BAD_LENGTH', 'SV2 frame shorter than its header');
    const start = off;
    this.sender.encryptInto(EMPTY, plain.subarray(0, FRAME_HEADER_LEN), out, off);
    off += ENCRYPTED_HEADER_LEN;
    for (let p = FRAME_HEADER_LEN; p < plain.length; p += MAX_CHUNK_PLAINTEXT) {
      const chunk = plain.subarray(p, Math.min(plain.length, p + MAX_CHUNK_PLAINTEXT));
      this.sender.encryptInto(EMPTY, chunk, out, off);
      off += chunk.length + MAC_LEN;
    }
    return off - start;
  }

  encryptFrame(plain: Uint8Array): Uint8Array {
    const out = new Uint8Array(NoiseTransport.encryptedFrameLength(plain.length));
    this.encryptFrameInto(plain, out, 0);
    return out;
  }
}

/** Decrypted frame header scratch shared by all decoders (parsed at once, in the same call). */
const headerScratch = new Uint8Array(FRAME_HEADER_LEN);

/**
 * Streaming decoder of the encrypted byte stream into frames. Works on the incoming chunks in place
 * when a whole frame is inside one chunk; only a frame split across reads is copied into `pending`.
 * Any error (BAD_MAC, FRAME_TOO_LARGE) is final: the connection must be closed.
 */
export class EncryptedFrameDecoder {
  private readonly maxPayload: number;
  /** Bytes of a frame split across reads; the shared empty array until one is (most never are). */
  private pending: Uint8Array = EMPTY;
  private pendingLen = 0;
  /** The current frame's decrypted header fields once its header is read; -1 while waiting for one. */
  private msgLength = -1;
  private extensionType = 0;
  private msgType = 0;
  private channelMsg = false;
  private failed = false;

  constructor(
    private readonly transport: NoiseTransport,
    opts: { maxPayload?: number } = {},
  ) {
    this.maxPayload = Math.min(opts.maxPayload ?? MAX_PAYLOAD_LEN, MAX_PAYLOAD_LEN);
  }

  push(chunk: Uint8Array): DecryptedFrame[] {
    const frames: DecryptedFrame[] = [];
    this.feed(chunk, (f) => frames.push(f));
    return frames;
  }

  /**
   * Like push, but hands each frame to `onFrame` as soon as it is decrypted, so frames before a
   * bad one in the same chunk are delivered before the error is thrown (no share is lost to a
   * later garbage byte).
   */
  feed(chunk: Uint8Array, onFrame: (frame: DecryptedFrame) => void): void {
    if (this.failed) throw new NoiseError('BAD_STATE', 'decoder already failed');
    try {
      this.feedInner(chunk, onFrame);
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  private feedInner(chunk: Uint8Array, onFrame: (frame: DecryptedFrame) => void): void {
    let buf = chunk;
    let pos = 0;
    if (this.pendingLen > 0) {
      this.append(chunk);
      buf = this.pending.subarray(0, this.pendingLen);
    }
    for (;;) {
      const need = this.msgLength < 0 ? ENCRYPTED_HEADER_LEN : encryptedPayloadLength(this.msgLength);
      if (buf.length - pos < need) break;
      const part = buf.subarray(pos, pos + need);
      pos += need;
      if (this.msgLength < 0) {
        this.readHeader(part);
      } else {
        const frame = this.readPayload(part);
        this.msgLength = -1;
        onFrame(frame);
      }
    }
    const rest = buf.length - pos;
    if (buf === chunk) {
      this.pendingLen = 0;
      if (rest > 0) this.append(chunk.subarray(pos));
    } else if (rest === 0) {
      // Split frame consumed: an idle connection keeps no buffer.
      this.pending = EMPTY;
      this.pendingLen = 0;
    } else {
      this.pending.copyWithin(0, pos, this.pendingLen);
      this.pendingLen = rest;
    }
  }

  private append(bytes: Uint8Array): void {
    const len = this.pendingLen + bytes.length;
    if (len > this.pending.length) {
      const grown = new Uint8Array(Math.max(len, this.pending.length * 2, 256));
      grown.set(this.pending.subarray(0, this.pendingLen));
      this.pending = grown;
    }
    this.pending.set(bytes, this.pendingLen);
    this.pendingLen = len;
  }

  private readHeader(enc: Uint8Array): void {
    const h = headerScratch;
    this.transport.receiver.decryptInto(EMPTY, enc, h, 0);
    const ext = h[0]! | (h[1]! << 8);
    const length = h[3]! | (h[4]! << 8) | (h[5]! << 16);
    if (length > this.maxPayload) {
      throw new NoiseError(
        'FRAME_TOO_LARGE',
        `frame payload of ${length} bytes exceeds the limit of ${this.maxPayload}`,
      );
    }
    this.extensionType = ext & 0x7fff;
    this.channelMsg = (ext & 0x8000) !== 0;
    this.msgType = h[2]!;
    this.msgLength = length;
  }

  private readPayload(enc: Uint8Array): DecryptedFrame {
    const payload = new Uint8Array(this.msgLength);
    let out = 0;
    for (let p = 0; p < enc.length;) {
      const ctLen = Math.min(enc.length - p, MAX_CHUNK_PLAINTEXT + MAC_LEN);
      this.transport.receiver.decryptInto(EMPTY, enc.subarray(p, p + ctLen), payload, out);
      p += ctLen;
      out += ctLen - MAC_LEN;
    }
    return { extensionType: this.extensionType, msgType: this.msgType, channelMsg: this.channelMsg, payload };
  }
}
