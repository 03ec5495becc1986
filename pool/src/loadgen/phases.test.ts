import { describe, expect, it } from 'vitest';
import type { LoadTrace } from './loadgen.js';
import { splitPhases, type ServerTrace } from './phases.js';

/** Builds traces for shares given as [port, clientSent, serverRead, serverWrite, clientAck]. */
function traces(shares: [number, number, number, number, number][]): {
  client: LoadTrace;
  server: ServerTrace;
} {
  const events = shares
    .flatMap(([port, , read, write]) => [
      { port, at: read, kind: 0 },
      { port, at: write, kind: 1 },
    ])
    .sort((a, b) => a.at - b.at);
  return {
    client: {
      port: Uint16Array.from(shares.map((s) => s[0])),
      sentAt: Float64Array.from(shares.map((s) => s[1])),
      ackAt: Float64Array.from(shares.map((s) => s[4])),
    },
    server: {
      port: Uint16Array.from(events.map((e) => e.port)),
      at: Float64Array.from(events.map((e) => e.at)),
      kind: Uint8Array.from(events.map((e) => e.kind)),
    },
  };
}

describe('splitPhases', () => {
  it('attributes each share to the server read and write on its own connection', () => {
    // Two connections interleaved; the share on port 2 waits 5 ms for the server to read it.
    const { client, server } = traces([
      [1, 0, 0.05, 0.07, 0.1],
      [2, 0.5, 5.5, 5.52, 5.6],
      [1, 10, 10.05, 10.06, 12],
    ]);
    const r = splitPhases(client, server);
    expect(r.matched).toBe(3);
    expect(r.toServer.max).toBeCloseTo(5, 6);
    expect(r.inServer.max).toBeCloseTo(0.02, 6);
    expect(r.toClient.max).toBeCloseTo(1.94, 6);
    // The slowest 1 % (one share): the 5 ms wait for the server to read.
    expect(r.tail.count).toBe(1);
    expect(r.tail.toServerMean).toBeCloseTo(5, 6);
    expect(r.tail.inServerMean + r.tail.toClientMean).toBeCloseTo(0.1, 6);
  });

  it('counts the shares that waited on a GC pause of the server or of the client', () => {
    const { client, server } = traces([
      [1, 0, 0.05, 0.07, 0.1],
      [1, 10, 13, 13.02, 13.1], // server paused 10.5–12.9
      [2, 20, 20.05, 20.06, 24], // client paused 21–23.5
      [2, 30, 30.05, 30.06, 30.1],
    ]);
    const r = splitPhases(client, server, {
      server: { start: [10.5], duration: [2.4] },
      client: { start: [21], duration: [2.5] },
    });
    expect(r.all).toEqual({ serverGc: 0.25, clientGc: 0.25 });
    // The slowest 1 % is the one slowest share (the client pause, 4 ms).
    expect(r.tail.clientGc).toBe(1);
    expect(r.tail.serverGc).toBe(0);
    expect(splitPhases(client, server).all).toEqual({ serverGc: 0, clientGc: 0 });
  });

  it('leaves shares unmatched when their connection has no server events before the ack', () => {
    const { client } = traces([[3, 0, 0.1, 0.2, 0.3]]);
    const { server } = traces([[4, 0, 0.1, 0.2, 0.3]]);
    expect(splitPhases(client, server).matched).toBe(0);
  });
});
