import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet } from './index.js';
import type { Devnet } from './index.js';

let devnet: Devnet;
beforeAll(async () => {
  devnet = await startDevnet({ initialCompactTarget: 0x20010000 });
});
afterAll(() => devnet.stop());

async function post(body: string): Promise<unknown> {
  const res = await fetch(devnet.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return res.json();
}

/** Sends lines over the TCP endpoint and collects `count` answer lines. */
function tcp(lines: string[], count: number): Promise<unknown[]> {
  const url = new URL(devnet.subscriptionUrl!);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    let buffer = '';
    const out: unknown[] = [];
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(lines.map((l) => l + '\n').join('')));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        out.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
      if (out.length >= count) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('error', reject);
  });
}

describe('devnet JSON-RPC edge', () => {
  it('answers parse errors, invalid requests and batches like a JSON-RPC 2.0 node', async () => {
    expect(await post('{oops')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
    expect(await post('{"id":1,"method":"get_tip_header"}')).toMatchObject({ error: { code: -32600 } });
    const batch = (await post(
      JSON.stringify([
        { id: 1, jsonrpc: '2.0', method: 'get_tip_block_number', params: [] },
        { id: 2, jsonrpc: '2.0', method: 'get_block_hash', params: ['0x0'] },
        { id: 3, jsonrpc: '2.0', method: 'get_header_by_number', params: ['0x99'] },
        { id: 4, jsonrpc: '2.0', method: 'get_block_hash', params: ['nope'] },
      ]),
    )) as { id: number; result?: unknown; error?: { code: number } }[];
    expect(batch.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(batch[0]!.result).toBe('0x0');
    expect(batch[1]!.result).toBe(devnet.tip().hash);
    expect(batch[2]!.result).toBeNull();
    expect(batch[3]!.error?.code).toBe(-32602);
  });

  it('serves methods and subscriptions over newline-delimited TCP', async () => {
    const answers = (await tcp(
      [
        JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'get_tip_header', params: [] }),
        JSON.stringify({ id: 2, jsonrpc: '2.0', method: 'subscribe', params: ['no_such_topic'] }),
        JSON.stringify({ id: 3, jsonrpc: '2.0', method: 'subscribe', params: ['new_tip_block'] }),
      ],
      3,
    )) as { id: number; result?: unknown; error?: { code: number; message: string } }[];
    expect((answers[0]!.result as { hash: string }).hash).toBe(devnet.tip().hash);
    expect(answers[1]!.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/unknown variant/),
    });
    expect(answers[2]!.result).toMatch(/^0x[0-9a-f]{32}$/);
  });
});
