import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { V1Miner } from './v1-client.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/**
 * A scripted V1 pool on loopback: `answer` writes what it sends for each subscribe; every submit
 * is recorded and accepted. Returns its port, the subscribe params and submits seen, its sockets.
 */
async function fakePool(answer: (id: number, socket: net.Socket) => void) {
  const subscribes: unknown[][] = [];
  const submits: unknown[][] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    let buffered = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const req = JSON.parse(buffered.slice(0, nl)) as { id: number; method: string; params: unknown[] };
        buffered = buffered.slice(nl + 1);
        if (req.method === 'mining.subscribe') {
          subscribes.push(req.params);
          answer(req.id, socket);
        } else if (req.method === 'mining.submit') {
          submits.push(req.params);
          socket.write(`{"id":${req.id},"result":true,"error":null}\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as net.AddressInfo).port, subscribes, submits, sockets };
}

describe('V1Miner', () => {
  it.each([
    ['1', 'ignores JSON lines that are not objects (null, numbers) and keeps mining'],
    ['job:7', 'submits for a job id that contains a colon'],
  ])('job id %s: %s', async (jobId) => {
    const { port, submits } = await fakePool((id, socket) =>
      socket.write(
        'null\n7\n' +
          `{"id":${id},"result":[null,"01020304",12],"error":null}\n` +
          `{"id":null,"method":"mining.set_target","params":["${'f'.repeat(64)}"]}\n` +
          `{"id":null,"method":"mining.notify","params":["${jobId}","${'ab'.repeat(32)}",1,"${'00'.repeat(32)}",true]}\n`,
      ),
    );
    const miner = await V1Miner.start({
      host: '127.0.0.1',
      port,
      user: 'alice.rig',
      threads: 1,
    });
    stops.push(() => miner.stop());
    for (let i = 0; i < 400 && miner.stats.accepted === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(miner.stats.accepted).toBeGreaterThan(0);
    expect(submits[0]?.slice(0, 2)).toEqual(['alice.rig', jobId]);
  });
});

describe('V1Miner --dialect goldshell', () => {
  it('reads the nested subscribe, mines at set_difficulty, submits 5 fields, resumes its session', async () => {
    const sid = '0100000900000003';
    const { port, subscribes, submits, sockets } = await fakePool((id, socket) =>
      socket.write(
        `{"id":${id},"result":[[["mining.set_difficulty","${sid}"],["mining.notify","${sid}"]],"${sid}",4],"error":null}\n` +
          // A set_target the box must not use (target 0); set_difficulty 2^-30 = target 2^254.
          `{"id":null,"method":"mining.set_target","params":["${'00'.repeat(32)}"]}\n` +
          `{"id":null,"method":"mining.set_difficulty","params":[${2 ** -30}]}\n` +
          `{"id":null,"method":"mining.notify","params":["2a","${'ab'.repeat(32)}",1,"${'ff'.repeat(32)}",true]}\n`,
      ),
    );
    const miner = await V1Miner.start({
      host: '127.0.0.1',
      port,
      user: 'alice.box',
      threads: 1,
      dialect: 'goldshell',
      reconnect: true,
    });
    stops.push(() => miner.stop());
    const wait = async (cond: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!cond()) throw new Error(`timed out waiting for ${what}`);
    };
    await wait(() => miner.stats.accepted > 0, 'an accepted share');
    expect(subscribes[0]).toEqual(['intminer/1.0.0', null]);
    const [worker, job, en2, ntime, nonce] = submits[0] as string[];
    expect([worker, job]).toEqual(['alice.box', '2a']);
    expect(nonce).toMatch(/^0100000900000003[0-9a-f]{16}$/);
    expect(en2).toBe(nonce!.slice(16, 24));
    expect(ntime).toMatch(/^[0-9a-f]{8}$/);
    // The server drops it: it reconnects and names its session.
    sockets[0]!.destroy();
    await wait(() => subscribes.length === 2, 'the resubscribe');
    expect(subscribes[1]).toEqual(['intminer/1.0.0', '0100000900000003']);
  });
});
