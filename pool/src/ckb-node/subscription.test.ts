import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { conventionalSubscriptionUrl, probeSubscription, TcpSubscription } from './subscription.js';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A node that answers the subscribe request with `lines`. */
async function node(lines: string[]): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.write(lines.map((l) => l + '\n').join('')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function follow(url: string): Promise<{ messages: unknown[]; closed: Error }> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    const sub = new TcpSubscription({
      url,
      topic: 'new_tip_header',
      onMessage: (m) => messages.push(m),
      onClose: (closed) => resolve({ messages, closed }),
    });
    stops.push(() => sub.close());
  });
}

const subscribed = '{"jsonrpc":"2.0","id":1,"result":"0x2a"}';
const push = (result: string) =>
  JSON.stringify({ jsonrpc: '2.0', method: 'subscribe', params: { subscription: '0x2a', result } });

describe('TcpSubscription', () => {
  it('delivers pushes (JSON-encoded results) for its subscription id', async () => {
    const url = await node([subscribed, push('{"number":"0x1"}'), push('{"number":"0x2"}'), 'garbage']);
    const { messages, closed } = await follow(url);
    expect(messages).toEqual([{ number: '0x1' }, { number: '0x2' }]);
    expect(closed.message).toMatch(/malformed subscription line: garbage/);
  });

  it.each(['null', '7', '"text"'])('ends with an error, not a crash, on a line that is %s', async (line) => {
    const { messages, closed } = await follow(await node([subscribed, line]));
    expect(messages).toEqual([]);
    expect(closed.message).toBe(`malformed subscription line: ${line}`);
  });
});

describe('probeSubscription', () => {
  it('is true when the endpoint confirms a subscribe, false when it refuses, is silent or closed', async () => {
    expect(await probeSubscription(await node(['{"jsonrpc":"2.0","id":1,"result":"0x2a"}']))).toBe(true);
    expect(
      await probeSubscription(await node(['{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}}'])),
    ).toBe(false);
    expect(await probeSubscription(await node([]), 200)).toBe(false);
    const closed = await node([]);
    await stops.pop()!();
    expect(await probeSubscription(closed)).toBe(false);
  });

  it('finds the conventional port: RPC + 10000', () => {
    expect(conventionalSubscriptionUrl('http://127.0.0.1:8114')).toBe('tcp://127.0.0.1:18114');
    expect(conventionalSubscriptionUrl('http://node:60000')).toBeUndefined();
  });
});
