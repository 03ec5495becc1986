/**
 * OpenAPI 3.1 description of the share processor's HTTP API (served at /api/openapi.json).
 * `pool/src/api/openapi.int.test.ts` checks every endpoint's real answers against it, so a field
 * added to or renamed in an answer must be described here too.
 */

const int = { type: 'integer', minimum: 0 } as const;
const num = { type: 'number', minimum: 0 } as const;
/** bigints travel as decimal strings. */
const decimal = { type: 'string', pattern: '^[0-9]+$' } as const;
const hash = { type: 'string', pattern: '^0x[0-9a-f]{64}$' } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const totals = {
  shares: { ...int, description: 'Accepted shares ever accounted.' },
  difficulty: { ...num, description: 'Sum of their difficulty.' },
  lastShareAt: { ...int, description: 'Unix ms of the newest share, 0 if none.' },
  hashrate: { ...num, description: 'Average hashes per second over the window.' },
};
const totalsRequired = ['shares', 'difficulty', 'lastShareAt', 'hashrate'];

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string' } },
  },
  Network: {
    type: 'object',
    required: ['difficulty', 'height'],
    additionalProperties: false,
    properties: { difficulty: num, height: decimal },
  },
  PoolStats: {
    type: 'object',
    required: [...totalsRequired, 'users', 'workers', 'pplnsWindowDifficulty', 'windowSec'],
    properties: {
      ...totals,
      users: { ...int, description: 'Users (payout addresses) seen.' },
      workers: { ...int, description: 'Workers seen.' },
      pplnsWindowDifficulty: { ...num, description: 'Summed difficulty currently in the PPLNS window.' },
      windowSec: { ...int, description: 'Hashrate averaging window.' },
    },
  },
  Pool: {
    allOf: [
      ref('PoolStats'),
      {
        type: 'object',
        required: ['pplnsWindow', 'network'],
        properties: {
          pplnsWindow: { ...num, description: 'PPLNS window N (summed share difficulty).' },
          network: { oneOf: [ref('Network'), { type: 'null' }] },
        },
      },
    ],
  },
  Worker: {
    type: 'object',
    required: ['worker', ...totalsRequired],
    additionalProperties: false,
    properties: { worker: { type: 'string' }, ...totals },
  },
  User: {
    type: 'object',
    required: ['user', ...totalsRequired, 'workers'],
    properties: {
      user: { type: 'string' },
      ...totals,
      workers: { type: 'array', items: ref('Worker') },
      windowSec: int,
    },
  },
  Block: {
    type: 'object',
    required: ['blockHash', 'number', 'jobId', 'shareId', 'user', 'worker', 'foundAt', 'reward', 'status'],
    properties: {
      blockHash: {
        type: 'string',
        pattern: '^(0x[0-9a-f]{64})?$',
        description: 'Empty for a candidate the node did not take (stale, rejected).',
      },
      number: decimal,
      jobId: int,
      shareId: { type: 'string' },
      user: { type: 'string' },
      worker: { type: 'string' },
      foundAt: { ...decimal, description: 'Unix ms.' },
      reward: { ...decimal, description: 'Reward in shannons.' },
      status: {
        type: 'string',
        description:
          'accepted (on the main chain) | side (the node keeps it off the main chain) | submitted | stale | rejected, or the block lifecycle state.',
      },
      reason: { type: 'string' },
    },
  },
  Blocks: {
    type: 'object',
    required: ['blocks'],
    properties: { blocks: { type: 'array', items: ref('Block') } },
  },
  BlockPayouts: {
    type: 'object',
    required: ['blockHash', 'number', 'scheme', 'reward', 'payouts'],
    properties: {
      blockHash: hash,
      number: decimal,
      scheme: { const: 'PPLNS' },
      reward: decimal,
      payouts: {
        type: 'array',
        items: {
          type: 'object',
          required: ['user', 'weight', 'amount'],
          properties: { user: { type: 'string' }, weight: num, amount: decimal },
        },
      },
    },
  },
  Info: {
    type: 'object',
    required: ['poolName', 'stratumUrls', 'authorityPublicKey', 'scheme', 'pplnsFactor', 'windowSec'],
    additionalProperties: false,
    properties: {
      poolName: { type: 'string' },
      stratumUrls: { type: 'array', items: { type: 'string' } },
      authorityPublicKey: { type: ['string', 'null'] },
      scheme: { const: 'PPLNS' },
      pplnsFactor: { ...num, description: 'PPLNS window = factor x network difficulty.' },
      windowSec: int,
    },
  },
  Sample: {
    type: 'object',
    required: ['t', 'hashrate'],
    additionalProperties: false,
    properties: { t: { ...int, description: 'Unix ms.' }, hashrate: num },
  },
  LiveSnapshot: {
    type: 'object',
    required: ['at', 'pool', 'network', 'blocks', 'sample'],
    additionalProperties: false,
    properties: {
      at: int,
      pool: ref('PoolStats'),
      network: { oneOf: [ref('Network'), { type: 'null' }] },
      blocks: { type: 'array', items: ref('Block') },
      sample: ref('Sample'),
    },
  },
  MinerEvent: {
    oneOf: [
      ref('User'),
      {
        type: 'object',
        required: ['user', 'unknown'],
        additionalProperties: false,
        properties: { user: { type: 'string' }, unknown: { const: true } },
      },
    ],
  },
  HashrateHistory: {
    type: 'object',
    required: ['intervalMs', 'samples'],
    additionalProperties: false,
    properties: {
      intervalMs: int,
      samples: { type: 'array', items: ref('Sample') },
    },
  },
};

const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Eaglepool pool API',
    version: '1',
    description:
      "The share processor's HTTP API: pool and miner statistics, found blocks, the PPLNS split, " +
      "and the live event stream of the miners' dashboard. Big integers are decimal strings.",
  },
  paths: {
    '/api/pool': {
      get: {
        summary: 'Pool totals, hashrate, network, PPLNS window',
        responses: { 200: json(ref('Pool'), 'ok') },
      },
    },
    '/api/info': {
      get: {
        summary: 'How to mine on the pool: stratum URLs, authority key, payout scheme',
        responses: { 200: json(ref('Info'), 'ok') },
      },
    },
    '/api/pool/hashrate': {
      get: {
        summary: "Recent pool hashrate samples (this process's memory; Prometheus keeps the long history)",
        responses: { 200: json(ref('HashrateHistory'), 'ok') },
      },
    },
    '/api/workers/{user}': {
      get: {
        summary: "One user's totals and workers",
        parameters: [{ name: 'user', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: json(ref('User'), 'ok'), 404: error('unknown user') },
      },
    },
    '/api/blocks': {
      get: {
        summary: 'Found blocks, newest first',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }],
        responses: { 200: json(ref('Blocks'), 'ok') },
      },
    },
    '/api/blocks/{hash}/payouts': {
      get: {
        summary: "PPLNS split of the block's reward",
        parameters: [
          { name: 'hash', in: 'path', required: true, schema: hash },
          { name: 'reward', in: 'query', schema: decimal },
        ],
        responses: {
          200: json(ref('BlockPayouts'), 'ok'),
          400: error('reward is not a whole number of shannons'),
          404: error('unknown block, or its share not accounted yet'),
        },
      },
    },
    '/api/events': {
      get: {
        summary:
          'Server-sent events: `pool` (LiveSnapshot) every interval, and `miner` (MinerEvent) with ?user=',
        parameters: [{ name: 'user', in: 'query', schema: { type: 'string' } }],
        responses: { 200: { description: 'event stream', content: { 'text/event-stream': {} } } },
        'x-events': { pool: ref('LiveSnapshot'), miner: ref('MinerEvent') },
      },
    },
    '/api/openapi.json': {
      get: { summary: 'This document', responses: { 200: json({ type: 'object' }, 'ok') } },
    },
  },
  components: { schemas },
} as const;
