import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import {
  CkbNodeUnavailableError,
  CkbRpcClosedError,
  CkbRpcHttpError,
  CkbRpcMalformedError,
  CkbRpcRemoteError,
  CkbRpcTimeoutError,
} from '../ckb/errors.js';
import { CkbRpcClient } from './rpc.js';

type Handler = (body: { id: number; method: string; params: unknown[] }, res: http.ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A JSON-RPC server whose answers the test scripts; counts requests. */
async function server(handler: Handler): Promise<{ url: string; requests: () => number }> {
  let count = 0;
  const srv = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      count++;
      handler(JSON.parse(text) as Parameters<Handler>[0], res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    srv.closeAllConnections();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`, requests: () => count };
}

function client(url: string, opts: Partial<ConstructorParameters<typeof CkbRpcClient>[0]> = {}) {
  const registry = new Registry();
  const c = new CkbRpcClient({ url, registry, retryDelayMs: 5, timeoutMs: 1000, ...opts });
  cleanups.push(() => c.close());
  const errors = async (kind: string) => {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'eaglepool_ckb_rpc_errors_total',
    );
    return (metric?.values ?? []).filter((v) => v.labels.kind === kind).reduce((sum, v) => sum + v.value, 0);
  };
  return { c, errors };
}

const reply = (res: http.ServerResponse, body: unknown, status = 200) =>
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(typeof body === 'string' ? body : JSON.stringify(body));

describe('CkbRpcClient', () => {
  it('returns typed results', async () => {
    const s = await server((b, res) =>
      reply(res, { jsonrpc: '2.0', id: b.id, result: { hash: '0xab', number: '0x1' } }),
    );
    const { c } = client(s.url);
    await expect(c.getTipHeader()).resolves.toEqual({ hash: '0xab', number: '0x1' });
  });

  it('node down: connection refused → CkbNodeUnavailableError after bounded retries, counted', async () => {
    const s = await server(() => {});
    const url = s.url;
    await cleanups.pop()!(); // close the server: the port now refuses connections
    const { c, errors } = client(url, { retries: 2 });
    const err = await c.getTipHeader().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CkbNodeUnavailableError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(await errors('unavailable')).toBe(3);
  });

  it('a server that never answers → CkbRpcTimeoutError, not a hung caller', async () => {
    const s = await server(() => {}); // accepts, never responds
    const { c, errors } = client(s.url, { timeoutMs: 50, retries: 1 });
    await expect(c.getBlockTemplate()).rejects.toBeInstanceOf(CkbRpcTimeoutError);
    expect(s.requests()).toBe(2);
    expect(await errors('timeout')).toBe(2);
  });

  it('a per-call timeout overrides the client default', async () => {
    const s = await server(() => {});
    const { c } = client(s.url, { timeoutMs: 60_000 });
    await expect(c.call('get_tip_header', [], { timeoutMs: 30, retries: 0 })).rejects.toBeInstanceOf(
      CkbRpcTimeoutError,
    );
  });

  it('submit_block is not retried unless configured', async () => {
    const s = await server(() => {});
    const { c } = client(s.url, { timeoutMs: 50, retries: 3 });
    await expect(c.submitBlock('1', {} as never)).rejects.toBeInstanceOf(CkbRpcTimeoutError);
    expect(s.requests()).toBe(1);
    const s2 = await server(() => {});
    const { c: c2 } = client(s2.url, { timeoutMs: 50, submitRetries: 2 });
    await expect(c2.submitBlock('1', {} as never)).rejects.toBeInstanceOf(CkbRpcTimeoutError);
    expect(s2.requests()).toBe(3);
  });

  it('malformed JSON → CkbRpcMalformedError without retry', async () => {
    const s = await server((_b, res) => reply(res, '<html>not json'));
    const { c, errors } = client(s.url, { retries: 3 });
    await expect(c.getTipHeader()).rejects.toBeInstanceOf(CkbRpcMalformedError);
    expect(s.requests()).toBe(1);
    expect(await errors('malformed')).toBe(1);
  });

  it('wrong shapes are malformed too (mismatched id, no result)', async () => {
    const s = await server((b, res) => reply(res, { jsonrpc: '2.0', id: b.id + 1, result: 1 }));
    await expect(client(s.url).c.getTipHeader()).rejects.toBeInstanceOf(CkbRpcMalformedError);
    const s2 = await server((b, res) => reply(res, { jsonrpc: '2.0', id: b.id }));
    await expect(client(s2.url).c.getTipHeader()).rejects.toBeInstanceOf(CkbRpcMalformedError);
  });

  it('node RPC errors → CkbRpcRemoteError with code and message, never retried', async () => {
    const s = await server((b, res) =>
      reply(res, {
        jsonrpc: '2.0',
        id: b.id,
        error: { code: -3, message: 'Invalid: Block(TransactionsRoot)', data: 'x' },
      }),
    );
    const { c, errors } = client(s.url, { retries: 3, submitRetries: 3 });
    const err = (await c.submitBlock('7', {} as never).catch((e: unknown) => e)) as CkbRpcRemoteError;
    expect(err).toBeInstanceOf(CkbRpcRemoteError);
    expect(err).toMatchObject({
      code: -3,
      rpcMessage: 'Invalid: Block(TransactionsRoot)',
      data: 'x',
      method: 'submit_block',
    });
    expect(err.transient).toBe(false);
    expect(s.requests()).toBe(1);
    expect(await errors('rpc')).toBe(1);
  });

  it('HTTP 5xx is retried and recovers', async () => {
    let n = 0;
    const s = await server((b, res) =>
      ++n < 3 ? reply(res, 'busy', 503) : reply(res, { jsonrpc: '2.0', id: b.id, result: '0x5' }),
    );
    const { c, errors } = client(s.url, { retries: 2 });
    await expect(c.call('get_tip_block_number', [])).resolves.toBe('0x5');
    expect(await errors('http')).toBe(2);
    const s2 = await server((_b, res) => reply(res, 'nope', 404));
    await expect(client(s2.url, { retries: 2 }).c.getTipHeader()).rejects.toBeInstanceOf(CkbRpcHttpError);
  });

  it('resends once when a reused keep-alive socket is reset, even without retries', async () => {
    let n = 0;
    const s = await server((b, res) => {
      // 2nd request arrives on the kept-alive socket: drop it unanswered, as a node closing an idle socket would.
      if (++n === 2) return void res.socket?.destroy();
      reply(res, { jsonrpc: '2.0', id: b.id, result: '0x' + n });
    });
    const { c, errors } = client(s.url, { submitRetries: 0 });
    await expect(c.submitBlock('1', {} as never)).resolves.toBe('0x1');
    await expect(c.submitBlock('2', {} as never)).resolves.toBe('0x3');
    expect(await errors('unavailable')).toBe(1);
  });

  it('close() rejects pending calls with CkbRpcClosedError', async () => {
    const s = await server(() => {});
    const { c } = client(s.url, { timeoutMs: 10_000 });
    const pending = c.getTipHeader();
    setTimeout(() => c.close(), 20);
    await expect(pending).rejects.toBeInstanceOf(CkbRpcClosedError);
    await expect(c.getTipHeader()).rejects.toBeInstanceOf(CkbRpcClosedError);
  });

  it('sends get_block_template params as the node expects', async () => {
    let seen: unknown;
    const s = await server((b, res) => ((seen = b), reply(res, { jsonrpc: '2.0', id: b.id, result: {} })));
    await client(s.url).c.getBlockTemplate({ proposalsLimit: 10n });
    expect(seen).toMatchObject({ jsonrpc: '2.0', method: 'get_block_template', params: [null, '0xa', null] });
  });
});
