import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore } from './redis.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** Complete RESP commands (arrays of bulk strings) at the start of `buf`, and the rest. */
function parseCommands(buf: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let pos = 0;
  for (;;) {
    const m = /^\*(\d+)\r\n/.exec(buf.slice(pos));
    if (!m) break;
    let p = pos + m[0].length;
    const args: string[] = [];
    for (let i = 0; i < Number(m[1]); i++) {
      const b = /^\$(\d+)\r\n/.exec(buf.slice(p));
      if (!b || buf.length < p + b[0].length + Number(b[1]) + 2) return { commands, rest: buf.slice(pos) };
      args.push(buf.slice(p + b[0].length, p + b[0].length + Number(b[1])));
      p += b[0].length + Number(b[1]) + 2;
    }
    commands.push(args);
    pos = p;
  }
  return { commands, rest: buf.slice(pos) };
}

describe('RedisStore against a Redis that goes silent', () => {
  it('rejects a command the server never answers instead of waiting for ever', async () => {
    // Completes the client's connection handshake (RESP2), then answers nothing, as a peer
    // behind a network partition does.
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let buffered = '';
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        const { commands, rest } = parseCommands(buffered + chunk.toString('latin1'));
        buffered = rest;
        for (const [name] of commands) {
          const cmd = name?.toLowerCase();
          if (cmd === 'hello') socket.write("-ERR unknown command 'HELLO'\r\n");
          else if (cmd === 'client') socket.write('+OK\r\n');
          else if (cmd === 'info') {
            const info = '# Server\r\nloading:0\r\n';
            socket.write(`$${info.length}\r\n${info}\r\n`);
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(
      () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(resolve);
        }),
    );
    const port = (server.address() as net.AddressInfo).port;
    const store = new RedisStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: 't:',
      commandTimeoutMs: 200,
    });
    await store.connect();
    stops.push(() => store.close());
    await expect(store.acquireLease('leader', 'me', 1000)).rejects.toThrow(/timed out/i);
    await expect(store.getTemplate(1)).rejects.toThrow(/timed out/i);
  });
});
