/**
 * The OpenAPI document served at /api/openapi.json against the real answers of a running
 * `pool dev`: every declared (path, status) is requested for real and its body validated with
 * Ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses); the live event stream's `pool` and `miner`
 * events are validated against the schemas named in its `x-events`.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolDevProcess, waitFor } from './pool-dev.js';

interface Doc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, unknown>; 'x-events'?: Record<string, { $ref: string }> }>
  >;
}

let pool: PoolDevProcess;
let doc: Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });

beforeAll(async () => {
  pool = await PoolDevProcess.start(['--block-time', '2000']);
  await waitFor('a block accepted by the devnet', () => pool.acceptedBlocks().length > 0, 90_000);
  await waitFor(
    'the demo miner accounted',
    async () => (await pool.get(`/api/workers/${pool.minerAccount}`)).status === 200,
  );
  const served = await pool.get<Doc>('/api/openapi.json');
  expect(served.type).toMatch(/application\/json/);
  doc = served.body;
  ajv.addSchema({ ...doc, $id: 'api' });
});

afterAll(() => pool?.stop());

function schemaOf(path: string, status: number): object {
  const response = doc.paths[path]?.get?.responses[String(status)] as
    { content?: { 'application/json'?: { schema: object } } } | undefined;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the document declares no JSON answer ${status} for GET ${path}`);
  return schema;
}

/** `#/components/...` refs resolved against the document added as `api`. */
function validate(schema: object, body: unknown, what: string): void {
  const rooted = JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/'),
  ) as object;
  const check = ajv.compile(rooted);
  if (!check(body))
    throw new Error(`${what}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(body).slice(0, 800)}`);
}

describe('the HTTP API answers as its OpenAPI document says', () => {
  it('every declared answer of every endpoint, requested for real', async () => {
    const blocks = await pool.get<{ blocks: { blockHash: string; status: string }[] }>('/api/blocks');
    // A block credited by the payouts service: its reward finalized (paid by block N + 11).
    const credited = await waitFor(
      'a found block credited in the ledger',
      async () => {
        const list = (
          await pool.get<{ blocks: { blockHash: string; lifecycle?: { state: string } }[] }>(
            '/api/blocks?limit=100',
          )
        ).body.blocks;
        return list.find((b) => ['finalized', 'matured'].includes(b.lifecycle?.state ?? ''))?.blockHash;
      },
      180_000,
    );
    const miner = pool.minerAccount;
    const unknownHash = `0x${'00'.repeat(32)}`;
    // [document path, request, expected status]
    const requests: [string, string, number][] = [
      ['/api/pool', '/api/pool', 200],
      ['/api/info', '/api/info', 200],
      ['/api/pool/hashrate', '/api/pool/hashrate', 200],
      ['/api/workers/{user}', `/api/workers/${miner}`, 200],
      ['/api/workers/{user}', '/api/workers/nobody-mines-here', 404],
      ['/api/blocks', '/api/blocks?limit=2', 200],
      ['/api/blocks/{hash}/payouts', `/api/blocks/${credited}/payouts`, 200],
      ['/api/blocks/{hash}/payouts', `/api/blocks/${unknownHash}/payouts`, 404],
      ['/api/miners/{user}/balance', `/api/miners/${miner}/balance`, 200],
      ['/api/miners/{user}/payments', `/api/miners/${miner}/payments`, 200],
      ['/api/payments', '/api/payments?limit=5', 200],
      ['/api/wallet', '/api/wallet', 200],
      ['/api/openapi.json', '/api/openapi.json', 200],
    ];
    expect(blocks.body.blocks.length).toBeGreaterThan(0);
    const covered = new Set<string>();
    for (const [path, url, status] of requests) {
      const res = await pool.get(url);
      expect(res.status, `GET ${url}`).toBe(status);
      expect(res.type, `GET ${url}`).toMatch(/^application\/json/);
      validate(schemaOf(path, status), res.body, `GET ${url} (${status})`);
      covered.add(`${path} ${status}`);
    }
    covered.add('/api/events 200'); // the next test
    // The allocation is the ledger's integer split: it sums to the reward the chain pays.
    const alloc = (
      await pool.get<{ reward: string; payouts: { amount: string }[] }>(`/api/blocks/${credited}/payouts`)
    ).body;
    expect(alloc.payouts.reduce((sum, p) => sum + BigInt(p.amount), 0n)).toBe(BigInt(alloc.reward));
    const declared = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops.get?.responses ?? {}).map((status) => `${path} ${status}`),
    );
    expect(
      declared.filter((d) => !covered.has(d)),
      'declared answers no request exercised',
    ).toEqual([]);
  });

  it('the live event stream sends documented pool and miner events', async () => {
    const events = doc.paths['/api/events']!.get!['x-events']!;
    const seen = new Map<string, unknown>();
    const res = await fetch(`${pool.url}/api/events?user=${pool.minerAccount}`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    await waitFor(
      'a pool and a miner event',
      async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        for (const block of text.split('\n\n')) {
          const event = /^event: (\w+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) seen.set(event, JSON.parse(data));
        }
        return seen.has('pool') && seen.has('miner');
      },
      30_000,
    );
    await reader.cancel();
    for (const [event, body] of seen) {
      const ref = events[event];
      expect(ref, `event ${event} is documented`).toBeDefined();
      validate(ref!, body, `event ${event}`);
    }
    expect(
      (seen.get('miner') as { user: string; workers: { worker: string }[] }).workers.map((w) => w.worker),
    ).toContain('cpu');
  });
});
