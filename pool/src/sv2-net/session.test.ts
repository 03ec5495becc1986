import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NoiseInitiator, PreparedResponderKeys } from '../sv2/noise/handshake.js';
import type { NoiseTransport } from '../sv2/noise/transport.js';
import { encodeFrame } from '../sv2/frame.js';
import { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/keys.js';
import { deterministicRandom } from '../sv2/noise/testing/util.js';
import type { Sv2Session, SessionOptions } from './session.js';
import { EphemeralKeyPool, Sv2SessionError, acceptSv2, connectSv2, refillEphemeralKeys } from './session.js';
import type { SetupConnection, Sv2Message } from '../sv2/types.js';

const random = deterministicRandom('session tests');
const authority = generateAuthorityKeys(random);
const keys = new PreparedResponderKeys(
  generateResponderKeys({ authoritySecretKey: authority.secretKey, random }),
);

const setup: SetupConnection = {
  type: 'SetupConnection',
  protocol: 0,
  minVersion: 2,
  maxVersion: 2,
  flags: 0,
  endpointHost: '127.0.0.1',
  endpointPort: 3333,
  vendor: 'eaglepool-test',
  hardwareVersion: '',
  firmware: '',
  deviceId: 'd1',
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A loopback server whose accepted sockets go through acceptSv2; resolves with its port and sessions. */
async function server(opts: SessionOptions = {}) {
  const sessions: Promise<Sv2Session>[] = [];
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => {
    sockets.push(s);
    const p = acceptSv2(s, keys, opts);
    p.catch(() => {});
    sessions.push(p);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  return { port, sessions, sockets };
}

/** A server, a client connected to it over Noise, and the server's session of that client. */
async function connectedPair(authorityPublicKey: Uint8Array | string = authority.publicKey) {
  const srv = await server();
  const client = await connectSv2({ host: '127.0.0.1', port: srv.port, authorityPublicKey });
  await until(() => srv.sessions.length === 1);
  const pool = await srv.sessions[0]!;
  return { srv, client, pool };
}

/** A raw socket that completed the handshake itself, so the test can write arbitrary bytes after it. */
async function rawHandshake(port: number): Promise<{ socket: net.Socket; transport: NoiseTransport }> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  const initiator = new NoiseInitiator({ authorityPublicKey: authority.publicKey, random });
  socket.write(initiator.writeAct1());
  let got = Buffer.alloc(0);
  await new Promise<void>((resolve) =>
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length === 234) resolve();
    }),
  );
  return { socket, transport: initiator.readAct2(got).transport };
}

const nextMessage = (s: Sv2Session) => new Promise<Sv2Message>((r) => s.onMessage(r));
const closeReason = (s: Sv2Session) => new Promise<string>((r) => s.onClose(r));
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('SV2 session over loopback TCP', () => {
  it('handshakes and exchanges SetupConnection / SetupConnectionSuccess', async () => {
    const { client, pool } = await connectedPair(authority.encoded.publicKey);
    const gotSetup = nextMessage(pool);
    client.send(setup);
    expect(await gotSetup).toEqual(setup);
    const gotReply = nextMessage(client);
    pool.send({ type: 'SetupConnectionSuccess', usedVersion: 2, flags: 0 });
    expect(await gotReply).toEqual({ type: 'SetupConnectionSuccess', usedVersion: 2, flags: 0 });
    expect(pool.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const closed = closeReason(pool);
    client.close('done');
    expect(await closed).toMatch(/peer closed|connection closed/);
  });

  it('a handler object gets the messages sent before it was attached, then the close', async () => {
    const { client, pool } = await connectedPair();
    client.send(setup);
    client.send({ type: 'CloseChannel', channelId: 7, reasonCode: 'bye' });
    await new Promise((r) => setTimeout(r, 50)); // both arrive while nothing listens
    const got: string[] = [];
    let closed!: (reason: string) => void;
    const closedReason = new Promise<string>((r) => (closed = r));
    pool.attach({ onSv2Message: (m) => got.push(m.type), onSv2Close: closed });
    expect(got).toEqual(['SetupConnection', 'CloseChannel']);
    expect(() => pool.onMessage(() => {})).toThrow(/handler object/);
    client.close('done');
    expect(await closedReason).toBe('peer closed');
    expect(pool.closed).toBe(true);
  });

  it('a handler attached after the close still hears it', async () => {
    const { client, pool } = await connectedPair();
    pool.close('server side');
    const reason = await new Promise<string>((r) => pool.attach({ onSv2Message: () => {}, onSv2Close: r }));
    expect(reason).toBe('server side');
    expect(await closeReason(client)).toMatch(/peer closed|connection closed/);
  });

  it('takes responder ephemeral keys from a pool kept filled in the background', async () => {
    const pool = new EphemeralKeyPool(4, random);
    const stop = refillEphemeralKeys(pool, { everyMs: 5, perTick: 2 });
    cleanups.push(stop);
    await until(() => pool.size === 4);
    const handedOut: string[] = [];
    const take = pool.take.bind(pool);
    pool.take = () => {
      const k = take();
      handedOut.push(Buffer.from(k.secretKey).toString('hex'));
      return k;
    };
    const srv = await server({ ephemeralKeys: pool });
    const client = await connectSv2({
      host: '127.0.0.1',
      port: srv.port,
      authorityPublicKey: authority.publicKey,
    });
    await until(() => srv.sessions.length === 1);
    const session = await srv.sessions[0]!;
    expect(handedOut.length).toBe(1);
    const got = nextMessage(session);
    client.send(setup);
    expect(await got).toEqual(setup);
    await until(() => pool.size === 4);
    client.close('done');
  });

  it('coalesces the sends of one event-loop turn into one socket write, in order', async () => {
    const { srv, client, pool } = await connectedPair();
    const sock = srv.sockets[0]!;
    let writes = 0;
    const write = sock.write.bind(sock);
    sock.write = ((...args: Parameters<typeof write>) => {
      writes++;
      return write(...args);
    }) as typeof sock.write;
    const got: Sv2Message[] = [];
    client.onMessage((m) => got.push(m));
    for (let i = 0; i < 5; i++)
      pool.send({ type: 'SetTarget', channelId: i, maximumTarget: new Uint8Array(32).fill(i) });
    await until(() => got.length === 5);
    expect(writes).toBe(1);
    expect(got.map((m) => (m.type === 'SetTarget' ? m.channelId : -1))).toEqual([0, 1, 2, 3, 4]);
    client.close('done');
  });

  it('closes only the offending connection, with a reason, on garbage after the handshake', async () => {
    const srv = await server();
    const good = await connectSv2({
      host: '127.0.0.1',
      port: srv.port,
      authorityPublicKey: authority.publicKey,
    });
    const { socket: bad } = await rawHandshake(srv.port);
    await until(() => srv.sessions.length === 2);
    const [goodPool, badPool] = await Promise.all(srv.sessions);
    const reason = closeReason(badPool!);
    bad.write(Buffer.alloc(40, 0x5a));
    expect(await reason).toMatch(/^noise: NoiseError BAD_MAC/);
    expect(badPool!.closed).toBe(true);
    const gotSetup = nextMessage(goodPool!);
    good.send(setup);
    expect(await gotSetup).toEqual(setup);
    good.close('done');
  });

  it('delivers the valid frames that precede garbage in the same packet, then closes', async () => {
    const srv = await server();
    const { socket, transport } = await rawHandshake(srv.port);
    await until(() => srv.sessions.length === 1);
    const pool = await srv.sessions[0]!;
    const got: Sv2Message[] = [];
    pool.onMessage((m) => got.push(m));
    const reason = closeReason(pool);
    socket.write(Buffer.concat([transport.encryptFrame(encodeFrame(setup)), Buffer.alloc(30, 7)]));
    expect(await reason).toMatch(/BAD_MAC/);
    expect(got).toEqual([setup]);
  });

  it('rejects an oversized frame before reading its payload', async () => {
    const srv = await server({ maxFrame: 16 });
    const client = await connectSv2({
      host: '127.0.0.1',
      port: srv.port,
      authorityPublicKey: authority.publicKey,
    });
    await until(() => srv.sessions.length === 1);
    const pool = await srv.sessions[0]!;
    const reason = closeReason(pool);
    client.send(setup);
    expect(await reason).toMatch(/FRAME_TOO_LARGE/);
  });

  it('fails the handshake with a reason when the certificate is from another authority', async () => {
    const srv = await server();
    const other = generateAuthorityKeys(random);
    const err = await connectSv2({
      host: '127.0.0.1',
      port: srv.port,
      authorityPublicKey: other.publicKey,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Sv2SessionError);
    expect((err as Sv2SessionError).reason).toMatch(/CERT_BAD_SIGNATURE/);
    await until(() => srv.sessions.length === 1);
    // The pool finished its side of the handshake; the client then hung up.
    expect(await closeReason(await srv.sessions[0]!)).toMatch(/peer closed|connection closed/);
  });

  it('times out a silent or partial handshake', async () => {
    const srv = await server({ handshakeTimeoutMs: 100 });
    const raw = net.connect(srv.port, '127.0.0.1');
    cleanups.push(() => raw.destroy());
    raw.write(Buffer.alloc(10));
    await until(() => srv.sessions.length === 1);
    await expect(srv.sessions[0]).rejects.toThrow(/handshake timeout/);
  });

  it('closes with a reason when the message handler throws, and other sessions keep working', async () => {
    const { client, pool } = await connectedPair();
    pool.onMessage(() => {
      throw new Error('boom');
    });
    const reason = closeReason(pool);
    client.send(setup);
    expect(await reason).toMatch(/handler threw on SetupConnection: Error: boom/);
  });

  it('rejects (not throws) when the responder keys are unusable, and closes the socket', async () => {
    const [a, b] = await new Promise<[net.Socket, net.Socket]>((resolve) => {
      const srv = net.createServer((s) => resolve([s, client]));
      cleanups.push(() => srv.close());
      let client: net.Socket;
      srv.listen(0, '127.0.0.1', () => {
        client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
        cleanups.push(() => client.destroy());
      });
    });
    const err = await acceptSv2(a, { staticSecretKey: new Uint8Array(32) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Sv2SessionError);
    expect((err as Sv2SessionError).reason).toMatch(/bad responder keys/);
    await new Promise((r) => b.on('close', r));
  });

  it('a client talking to a non-SV2 server gets a typed failure, not a crash', async () => {
    const srv = net.createServer((s) => s.end(Buffer.alloc(300, 1)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanups.push(() => srv.close());
    const port = (srv.address() as net.AddressInfo).port;
    const err = await connectSv2({ host: '127.0.0.1', port, authorityPublicKey: authority.publicKey }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(Sv2SessionError);
    expect((err as Sv2SessionError).reason).toMatch(/handshake failed: NoiseError BAD_MAC/);
  });

  it('random bytes from a client end in a rejected handshake or a closed session, never a throw (property)', async () => {
    const srv = await server({ handshakeTimeoutMs: 200 });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        const before = srv.sessions.length;
        const raw = net.connect(srv.port, '127.0.0.1');
        raw.on('error', () => {});
        raw.end(bytes);
        await until(() => srv.sessions.length === before + 1);
        const outcome = await srv.sessions[before]!.then(
          (s) => closeReason(s),
          (e: unknown) => (e instanceof Sv2SessionError ? e.reason : `unexpected ${String(e)}`),
        );
        expect(outcome).toMatch(/^(peer closed|connection closed|noise: NoiseError|handshake timeout)/);
        raw.destroy();
      }),
      { numRuns: 15 },
    );
  });
});
