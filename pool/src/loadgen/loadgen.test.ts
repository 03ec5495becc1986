import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Translator } from '../translator/translator.js';
import { authority, startPool, template, until } from '../translator/testing/util.js';
import { runLoad } from './loadgen.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('loadgen', () => {
  it('refuses non-loopback targets and unbounded runs', async () => {
    const base = { port: 1, mode: 'v1' as const, connections: 1, rate: 1, durationSec: 1 };
    await expect(runLoad({ ...base, host: '10.0.0.1' })).rejects.toThrow(/loopback/);
    await expect(runLoad({ ...base, host: '127.0.0.1', connections: 1e6 })).rejects.toThrow(/connections/);
    await expect(runLoad({ ...base, host: '127.0.0.1', durationSec: 1e5 })).rejects.toThrow(/duration/);
  });

  it('drives SV2 miners against the pool and V1 miners through the translator, every share valid', async () => {
    const pool = await startPool();
    stops.push(() => pool.server.close());
    await pool.server.pushJob(template(1, { blockTarget: 1n }));
    const sv2 = await runLoad({
      host: '127.0.0.1',
      port: pool.server.port,
      mode: 'sv2',
      authorityPublicKey: authority.encoded.publicKey,
      connections: 20,
      rate: 300,
      durationSec: 1,
    });
    expect(sv2.connections).toBe(20);
    expect(sv2.submitted).toBeGreaterThan(0); // how many fit the window depends on the machine's load
    expect(sv2.rejected).toBe(0);
    expect(sv2.accepted).toBe(sv2.submitted);
    expect(pool.shares.length).toBe(sv2.accepted);
    expect(sv2.bytesWritten).toBeGreaterThan(0);
    expect(sv2.latencyMs.count).toBe(sv2.accepted);
    expect(sv2.fromScheduleMs.count).toBe(sv2.accepted);
    expect(sv2.latencyMs.p99).toBeLessThanOrEqual(sv2.latencyMs.max);
    expect(sv2.client.cpuSec).toBeGreaterThan(0);
    expect(sv2.trace).toBeUndefined();

    const tr = await Translator.start({
      host: '127.0.0.1',
      port: 0,
      upstream: {
        host: '127.0.0.1',
        port: pool.server.port,
        authorityPublicKey: authority.encoded.publicKey,
      },
      user: 'proxy.load',
      startDifficulty: 256n,
    });
    stops.push(() => tr.stop());
    const v1 = await runLoad({
      host: '127.0.0.1',
      port: tr.port,
      mode: 'v1',
      connections: 20,
      rate: 300,
      durationSec: 1,
    });
    expect(v1.submitted).toBeGreaterThan(0);
    expect(v1.rejected).toBe(0);
    expect(v1.accepted).toBe(v1.submitted);
    expect(tr.stats.sharesAccepted).toBe(v1.accepted);
  });

  it('counts only the shares scheduled in the window (not the warm-up) and traces each of them', async () => {
    const pool = await startPool();
    stops.push(() => pool.server.close());
    await pool.server.pushJob(template(1, { blockTarget: 1n }));
    const r = await runLoad({
      host: '127.0.0.1',
      port: pool.server.port,
      mode: 'sv2',
      authorityPublicKey: authority.encoded.publicKey,
      connections: 4,
      rate: 400,
      warmupSec: 0.25,
      durationSec: 0.5,
      trace: true,
    });
    // The schedule bounds the window's shares at rate × duration = 200; a loaded machine may close the
    // window (on time) before all of them fell due, so only the bound is exact.
    expect(r.submitted).toBeGreaterThan(0);
    expect(r.submitted + r.skipped).toBeLessThanOrEqual(201);
    expect(r.accepted).toBe(r.submitted);
    // The share due at the start (k = 0) falls in the warm-up, is sent and accepted, and is not counted.
    await until(() => pool.shares.length > r.accepted, 'a warm-up share accepted by the pool');
    const t = r.trace!;
    expect(t.sentAt.length).toBe(r.accepted);
    // Shares go round-robin over the 4 connections.
    const ports = new Set(t.port);
    expect(ports.size).toBeLessThanOrEqual(4);
    if (r.skipped === 0) expect(ports.size).toBe(Math.min(4, r.accepted));
    for (let i = 0; i < t.sentAt.length; i++) expect(t.ackAt[i]!).toBeGreaterThanOrEqual(t.sentAt[i]!);
  });

  it('ignores JSON lines that are not objects (null, numbers) from a V1 server', async () => {
    // A V1 "pool" that sends null and 7 before a valid subscribe reply, target and job.
    const server = net.createServer((socket) => {
      let buffered = '';
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const req = JSON.parse(buffered.slice(0, nl)) as { id: number; method: string };
          buffered = buffered.slice(nl + 1);
          if (req.method === 'mining.subscribe') {
            socket.write(
              'null\n7\n' +
                `{"id":${req.id},"result":[null,"01020304",12],"error":null}\n` +
                `{"id":null,"method":"mining.set_target","params":["${'f'.repeat(64)}"]}\n` +
                `{"id":null,"method":"mining.notify","params":["1","${'ab'.repeat(32)}",1,"${'00'.repeat(32)}",true]}\n`,
            );
          } else if (req.method === 'mining.submit') {
            socket.write(`{"id":${req.id},"result":true,"error":null}\n`);
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    const report = await runLoad({
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
      mode: 'v1',
      connections: 1,
      rate: 50,
      durationSec: 0.3,
    });
    expect(report.submitted).toBeGreaterThan(0);
    expect(report.accepted).toBe(report.submitted);
  });
});
