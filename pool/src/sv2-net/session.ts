/**
 * Socket edge of SV2 over Noise: runs the handshake on a `net.Socket`, then encrypts/decrypts SV2
 * frames. Used by the stratum server (`acceptSv2`), miners, the translator and the load generator
 * (`connectSv2`).
 *
 * - Writes are coalesced: every `send` in one event-loop turn is encrypted into one buffer and
 *   written with a single `socket.write` on `process.nextTick`.
 * - Reads are decrypted from the received chunks in place (see EncryptedFrameDecoder).
 * - Any failure (handshake timeout, bad MAC, failed certificate, oversized or malformed frame,
 *   socket error, slow reader) destroys only this socket and reports one reason string through
 *   the handshake promise's rejection (Sv2SessionError) or `onClose`. Nothing is thrown elsewhere.
 */
import net from 'node:net';
import type { Frame } from '../sv2/frame.js';
import { DEFAULT_MAX_PAYLOAD, decodeFrame, frameSize, writeFrame } from '../sv2/frame.js';
import type { Sv2Message } from '../sv2/types.js';
import type { Aead } from '../sv2/noise/aead.js';
import { ACT1_LEN, ACT2_LEN } from '../sv2/noise/constants.js';
import type { RandomSource } from '../sv2/noise/ellswift.js';
import type { Clock, PreparedResponderKeys } from '../sv2/noise/handshake.js';
import { NoiseInitiator, NoiseResponder } from '../sv2/noise/handshake.js';
import type { ResponderKeys } from '../sv2/noise/keys.js';
import { EncryptedFrameDecoder, NoiseTransport } from '../sv2/noise/transport.js';
import type { EphemeralKeyPool } from '../sv2/noise/ephemeral-pool.js';

export { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/keys.js';
export { EphemeralKeyPool } from '../sv2/noise/ephemeral-pool.js';
export type { ResponderKeys } from '../sv2/noise/keys.js';

/** One Noise-encrypted SV2 connection. */
export interface Sv2Session {
  /** Encodes, encrypts, and queues `msg`; all sends of one event-loop turn leave in one write. */
  send(msg: Sv2Message): void;
  /**
   * Queues an already-encoded plain SV2 frame (6-byte header ‖ payload), e.g. one payload built
   * once and sent to many connections. The bytes are encrypted before this returns, so the caller
   * may reuse the buffer at once.
   */
  sendFrame(frame: Uint8Array): void;
  onMessage(handler: (msg: Sv2Message, frame: Frame) => void): void;
  /** Called once, with the reason, when the connection ends for any reason. */
  onClose(handler: (reason: string) => void): void;
  /**
   * `onMessage` and `onClose` in one: messages and the close go to the methods of `handler`, so a
   * server with many connections needs no closure per connection.
   */
  attach(handler: Sv2SessionHandler): void;
  /** Flushes queued messages and closes the connection. */
  close(reason: string): void;
  readonly remoteAddress: string;
  readonly closed: boolean;
}

/** Receives a session's messages and its close (see `Sv2Session.attach`). */
export interface Sv2SessionHandler {
  onSv2Message(msg: Sv2Message, frame: Frame): void;
  onSv2Close(reason: string): void;
}

export interface SessionOptions {
  /** Whole handshake deadline; default 10 s. */
  handshakeTimeoutMs?: number;
  /** Largest accepted frame payload; default 1 MiB (the codec's DEFAULT_MAX_PAYLOAD). */
  maxFrame?: number;
  /** Close when this many bytes wait unsent in the socket (peer not reading); default 8 MiB. */
  maxBufferedBytes?: number;
  aead?: Aead;
  random?: RandomSource;
  now?: Clock;
  /** Responder only: take ephemeral keys from this pool (see refillEphemeralKeys). */
  ephemeralKeys?: EphemeralKeyPool;
}

/** Why a handshake did not produce a session. */
export class Sv2SessionError extends Error {
  override readonly name = 'Sv2SessionError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;

function describe(e: unknown): string {
  if (e instanceof Error)
    return `${e.name}${'code' in e && typeof e.code === 'string' ? ` ${e.code}` : ''}: ${e.message}`;
  return String(e);
}

function addressOf(socket: net.Socket): string {
  return socket.remoteAddress === undefined ? 'unknown' : `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * Reads exactly `len` handshake bytes, then calls `onAct` once with them and whatever followed.
 * Resolves with `onAct`'s result; rejects on timeout, close, error or if `onAct` throws.
 */
function handshake<T>(
  socket: net.Socket,
  len: number,
  timeoutMs: number,
  onAct: (act: Uint8Array, rest: Uint8Array) => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const fail = (reason: string) => {
      cleanup();
      ignoreLateErrors();
      socket.destroy();
      reject(new Sv2SessionError(reason));
    };
    // After a failure the socket is dead; a late 'error' must not become an uncaught exception.
    const ignoreLateErrors = () => socket.on('error', () => {});
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (buf.length < len) return;
      cleanup();
      try {
        resolve(onAct(buf.subarray(0, len), buf.subarray(len)));
      } catch (e) {
        ignoreLateErrors();
        socket.destroy();
        reject(new Sv2SessionError(`handshake failed: ${describe(e)}`));
      }
    };
    const onEnd = () => fail('peer closed during handshake');
    const onError = (e: Error) => fail(`socket error during handshake: ${e.message}`);
    const timer = setTimeout(() => fail(`handshake timeout after ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

/** Responder side: runs the handshake on an accepted socket. */
export function acceptSv2(
  socket: net.Socket,
  keys: ResponderKeys | PreparedResponderKeys,
  opts: SessionOptions = {},
): Promise<Sv2Session> {
  socket.setNoDelay(true);
  let responder: NoiseResponder;
  try {
    responder = new NoiseResponder(keys, { ...opts, ephemeral: opts.ephemeralKeys?.take() });
  } catch (e) {
    socket.destroy();
    return Promise.reject(new Sv2SessionError(`bad responder keys: ${describe(e)}`));
  }
  return handshake(
    socket,
    ACT1_LEN,
    opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    (act1, rest) => {
      const { act2, transport } = responder.respond(act1);
      socket.write(act2);
      return new NoiseSession(socket, transport, rest, opts);
    },
  );
}

export interface ConnectOptions extends SessionOptions {
  host: string;
  port: number;
  /** The pool's authority key (base58check as in SRI configs, or 32 raw x-only bytes). */
  authorityPublicKey: Uint8Array | string;
  /** Use this (already connecting/connected) socket instead of opening one. */
  socket?: net.Socket;
}

/** Initiator side: connects, authenticates the pool's certificate, and returns the session. */
export function connectSv2(opts: ConnectOptions): Promise<Sv2Session> {
  let initiator: NoiseInitiator;
  try {
    initiator = new NoiseInitiator({ ...opts, authorityPublicKey: opts.authorityPublicKey });
  } catch (e) {
    return Promise.reject(new Sv2SessionError(`bad authority key: ${describe(e)}`));
  }
  const socket = opts.socket ?? net.connect({ host: opts.host, port: opts.port });
  socket.setNoDelay(true);
  const act1 = initiator.writeAct1();
  socket.write(act1);
  return handshake(
    socket,
    ACT2_LEN,
    opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    (act2, rest) => {
      const { transport } = initiator.readAct2(act2);
      return new NoiseSession(socket, transport, rest, opts);
    },
  );
}

/**
 * Keeps `pool` topped up in the background: every `everyMs` it prepares up to `perTick` keys
 * (≈ 0.5 ms of CPU each), so an idle server has keys ready for the next reconnect burst.
 * The timer does not keep the process alive. Returns a stop function.
 */
export function refillEphemeralKeys(
  pool: EphemeralKeyPool,
  opts: { everyMs?: number; perTick?: number } = {},
): () => void {
  const timer = setInterval(() => pool.fill(opts.perTick ?? 8), opts.everyMs ?? 20);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Plain-frame scratch shared by all sessions: `send` encodes into it and encrypts out of it in
 * the same synchronous call, so one buffer serves every connection (no per-connection copy).
 */
let plainScratch = new Uint8Array(256);

/** Sessions with output queued this event-loop turn; flushed by one shared nextTick. */
let flushQueue: NoiseSession[] = [];

function flushQueued(): void {
  const queue = flushQueue;
  flushQueue = [];
  for (const session of queue) session.flush();
}

/** The session a socket belongs to, for the listeners shared by every session. */
const kSession = Symbol('sv2Session');
type SessionSocket = net.Socket & { [kSession]?: NoiseSession };

// One set of socket listeners for all sessions (per-connection closures cost memory per idle
// connection); `this` is the socket.
function onSocketData(this: SessionSocket, chunk: Buffer): void {
  this[kSession]?.receive(chunk);
}
function onSocketClose(this: SessionSocket): void {
  // Without allowHalfOpen the socket closes right after the peer's FIN: say which it was.
  this[kSession]?.fail(this.readableEnded ? 'peer closed' : 'connection closed');
}
function onSocketError(this: SessionSocket, e: Error): void {
  this[kSession]?.fail(`socket error: ${e.message}`);
}

/** Adapts the `onMessage`/`onClose` callbacks to a handler object. */
class CallbackHandler implements Sv2SessionHandler {
  message: ((msg: Sv2Message, frame: Frame) => void) | undefined;
  readonly close: ((reason: string) => void)[] = [];

  onSv2Message(msg: Sv2Message, frame: Frame): void {
    this.message?.(msg, frame);
  }

  onSv2Close(reason: string): void {
    for (const h of this.close) {
      try {
        h(reason);
      } catch {
        // One close handler's failure must not keep the others from running.
      }
    }
  }
}

class NoiseSession implements Sv2Session {
  private readonly decoder: EncryptedFrameDecoder;
  private readonly maxBuffered: number;
  private handler: Sv2SessionHandler | undefined;
  /** Messages decoded before anyone listened (allocated only if that happens). */
  private early: [Sv2Message, Frame][] | undefined;
  private closeReason: string | undefined;
  // Outgoing bytes of the current event-loop turn.
  private out: Buffer | undefined;
  private outLen = 0;
  private flushScheduled = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly transport: NoiseTransport,
    rest: Uint8Array,
    opts: SessionOptions,
  ) {
    this.maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.decoder = new EncryptedFrameDecoder(transport, { maxPayload: opts.maxFrame ?? DEFAULT_MAX_PAYLOAD });
    (socket as SessionSocket)[kSession] = this;
    socket.on('data', onSocketData);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    if (rest.length > 0) process.nextTick(receiveRest, this, rest);
  }

  /** "address:port" of the peer (computed when asked: most sessions never are). */
  get remoteAddress(): string {
    return addressOf(this.socket);
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  send(msg: Sv2Message): void {
    if (this.closeReason !== undefined) return;
    const size = frameSize(msg);
    if (plainScratch.length < size) plainScratch = new Uint8Array(Math.max(size, plainScratch.length * 2));
    writeFrame(msg, plainScratch, 0);
    this.queue(plainScratch.subarray(0, size));
  }

  sendFrame(frame: Uint8Array): void {
    if (this.closeReason !== undefined) return;
    this.queue(frame);
  }

  /** Encrypts one plain frame into this turn's output and schedules the write. */
  private queue(plain: Uint8Array): void {
    this.reserve(NoiseTransport.encryptedFrameLength(plain.length));
    this.outLen += this.transport.encryptFrameInto(plain, this.out!, this.outLen);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      if (flushQueue.length === 0) process.nextTick(flushQueued);
      flushQueue.push(this);
    }
  }

  onMessage(handler: (msg: Sv2Message, frame: Frame) => void): void {
    this.callbacks().message = handler;
    this.deliverEarly();
  }

  onClose(handler: (reason: string) => void): void {
    if (this.closeReason !== undefined) {
      process.nextTick(handler, this.closeReason);
      return;
    }
    this.callbacks().close.push(handler);
  }

  attach(handler: Sv2SessionHandler): void {
    if (this.handler !== undefined) throw new Error('session already has a handler');
    this.handler = handler;
    if (this.closeReason !== undefined) process.nextTick(notifyClose, handler, this.closeReason);
    else this.deliverEarly();
  }

  private callbacks(): CallbackHandler {
    if (this.handler === undefined) this.handler = new CallbackHandler();
    if (!(this.handler instanceof CallbackHandler))
      throw new Error('session has a handler object: use it instead of onMessage/onClose');
    return this.handler;
  }

  private deliverEarly(): void {
    const early = this.early;
    this.early = undefined;
    if (early) for (const [msg, frame] of early) this.deliver(msg, frame);
  }

  close(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.flush();
    this.finish(reason);
    this.socket.end();
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private reserve(need: number): void {
    if (this.out === undefined) {
      this.out = Buffer.allocUnsafe(Math.max(need, 512));
      this.outLen = 0;
    } else if (this.out.length - this.outLen < need) {
      const grown = Buffer.allocUnsafe(Math.max(this.outLen + need, this.out.length * 2));
      this.out.copy(grown, 0, 0, this.outLen);
      this.out = grown;
    }
  }

  /** Writes the queued output (called from `flushQueued` or before a close). */
  flush(): void {
    this.flushScheduled = false;
    if (this.out === undefined || this.outLen === 0 || this.closeReason !== undefined) return;
    const bytes = this.out.subarray(0, this.outLen);
    this.out = undefined;
    this.outLen = 0;
    this.socket.write(bytes);
    if (this.socket.writableLength > this.maxBuffered) {
      this.fail(`peer not reading: ${this.socket.writableLength} bytes queued`);
    }
  }

  /** @internal bytes from the socket (shared listener) */
  receive(chunk: Uint8Array): void {
    if (this.closeReason !== undefined) return;
    try {
      // Frames before a bad one in the same chunk are still delivered.
      this.decoder.feed(chunk, (frame) => this.receiveFrame(frame));
    } catch (e) {
      this.fail(`noise: ${describe(e)}`);
    }
  }

  private receiveFrame(frame: Frame): void {
    if (this.closeReason !== undefined) return;
    let msg: Sv2Message | undefined;
    try {
      msg = decodeFrame(frame);
    } catch (e) {
      this.fail(`protocol: ${describe(e)}`);
      return;
    }
    if (msg === undefined) return; // extension or unknown message type: ignored as the spec says
    if (this.listening()) this.deliver(msg, frame);
    else (this.early ??= []).push([msg, frame]);
  }

  /** Whether decoded messages have somewhere to go (else they wait in `early`). */
  private listening(): boolean {
    const h = this.handler;
    return h !== undefined && (!(h instanceof CallbackHandler) || h.message !== undefined);
  }

  private deliver(msg: Sv2Message, frame: Frame): void {
    try {
      this.handler!.onSv2Message(msg, frame);
    } catch (e) {
      this.fail(`message handler threw on ${msg.type}: ${describe(e)}`);
    }
  }

  /** Closes immediately (bad input or dead peer): pending output is dropped. */
  fail(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.out = undefined;
    this.outLen = 0;
    this.finish(reason);
    this.socket.destroy();
  }

  private finish(reason: string): void {
    this.closeReason = reason;
    if (this.handler !== undefined) notifyClose(this.handler, reason);
  }
}

function receiveRest(session: NoiseSession, rest: Uint8Array): void {
  session.receive(rest);
}

function notifyClose(handler: Sv2SessionHandler, reason: string): void {
  try {
    handler.onSv2Close(reason);
  } catch {
    // A close handler's failure must not escape into the socket's event emitter.
  }
}
