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
      lifecycle: ref('BlockLifecycle'),
    },
  },
  BlockLifecycle: {
    type: 'object',
    description:
      'The block as the payouts service tracks it on the chain (absent until tracked, and when no payouts ledger is in reach).',
    required: ['state', 'confirmations', 'reward', 'rewardParts', 'finalizedAt', 'reason'],
    additionalProperties: false,
    properties: {
      state: {
        enum: ['submitted', 'main', 'side', 'uncle', 'orphaned', 'finalized', 'matured'],
        description:
          'submitted -> main | side -> uncle | orphaned; main -> finalized (reward known, paid by block N+11) -> matured (the reward cell is spendable).',
      },
      confirmations: { ...decimal, description: 'Main-chain blocks from this one to the tip (0 off it).' },
      reward: {
        oneOf: [decimal, { type: 'null' }],
        description: 'Shannons the chain pays for it (get_block_economic_state), once finalized.',
      },
      rewardParts: {
        oneOf: [
          {
            type: 'object',
            required: ['primary', 'secondary', 'committed', 'proposal'],
            additionalProperties: false,
            properties: { primary: decimal, secondary: decimal, committed: decimal, proposal: decimal },
          },
          { type: 'null' },
        ],
      },
      finalizedAt: { oneOf: [hash, { type: 'null' }], description: 'The block whose cellbase pays it.' },
      reason: { type: ['string', 'null'] },
    },
  },
  Balance: {
    type: 'object',
    required: ['user', 'immature', 'available', 'pending', 'paid'],
    additionalProperties: false,
    properties: {
      user: { type: 'string' },
      immature: {
        ...decimal,
        description: 'Credited from finalized blocks whose reward has not matured yet.',
      },
      available: { ...decimal, description: 'Matured (confirmed), owed, not in a payout yet.' },
      pending: { ...decimal, description: 'In a payout transaction not committed yet.' },
      paid: { ...decimal, description: 'Paid by committed payout transactions.' },
    },
  },
  PayoutState: { enum: ['built', 'signed', 'broadcast', 'committed', 'failed', 'cancelled'] },
  MinerPayments: {
    type: 'object',
    required: ['user', 'payments'],
    additionalProperties: false,
    properties: {
      user: { type: 'string' },
      payments: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'state', 'amount', 'address', 'txHash', 'blockHash', 'createdAt', 'updatedAt'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            state: ref('PayoutState'),
            amount: { ...decimal, description: 'Shannons this transaction pays the user.' },
            address: { type: 'string', description: 'The CKB address paid.' },
            txHash: {
              oneOf: [hash, { type: 'null' }],
              description: 'Known before broadcast; the committed one once committed.',
            },
            blockHash: { oneOf: [hash, { type: 'null' }], description: 'The block that committed it.' },
            createdAt: { ...int, description: 'Unix ms.' },
            updatedAt: { ...int, description: 'Unix ms.' },
          },
        },
      },
    },
  },
  Payment: {
    type: 'object',
    required: [
      'id',
      'state',
      'total',
      'outputs',
      'fee',
      'txHash',
      'blockHash',
      'attempts',
      'createdAt',
      'updatedAt',
      'reason',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      state: ref('PayoutState'),
      total: { ...decimal, description: 'Shannons paid to the users.' },
      outputs: { ...int, description: 'Users paid.' },
      fee: { ...decimal, description: 'Transaction fee of the current attempt.' },
      txHash: { oneOf: [hash, { type: 'null' }] },
      blockHash: { oneOf: [hash, { type: 'null' }] },
      attempts: {
        ...int,
        description: 'Transactions built for it (a refused one is rebuilt on the same inputs).',
      },
      createdAt: int,
      updatedAt: int,
      reason: { type: ['string', 'null'] },
    },
  },
  Payments: {
    type: 'object',
    required: ['payments'],
    additionalProperties: false,
    properties: { payments: { type: 'array', items: ref('Payment') } },
  },
  Wallet: {
    type: 'object',
    required: [
      'configured',
      'address',
      'spendable',
      'immature',
      'cells',
      'tip',
      'updatedAt',
      'owed',
      'openPayouts',
    ],
    additionalProperties: false,
    properties: {
      configured: {
        type: 'boolean',
        description: 'False until a payouts service with a key (payouts.keyFile) has read the wallet.',
      },
      address: {
        type: ['string', 'null'],
        description: "The pool wallet's CKB address: fund or inspect it.",
      },
      spendable: { oneOf: [decimal, { type: 'null' }], description: 'Live capacity spendable now.' },
      immature: {
        oneOf: [decimal, { type: 'null' }],
        description: 'Live capacity in unmatured cellbase outputs.',
      },
      cells: { type: ['integer', 'null'], minimum: 0 },
      tip: { oneOf: [decimal, { type: 'null' }], description: 'Tip number when it was read.' },
      updatedAt: { type: ['integer', 'null'], description: 'Unix ms when it was read.' },
      owed: {
        type: 'object',
        required: ['immature', 'available', 'pending', 'paid'],
        additionalProperties: false,
        description: "The ledger's totals over all users.",
        properties: { immature: decimal, available: decimal, pending: decimal, paid: decimal },
      },
      openPayouts: { type: 'array', items: ref('Payment') },
    },
  },
  Blocks: {
    type: 'object',
    required: ['blocks'],
    properties: { blocks: { type: 'array', items: ref('Block') } },
  },
  BlockPayouts: {
    type: 'object',
    required: [
      'blockHash',
      'number',
      'scheme',
      'state',
      'reward',
      'generation',
      'windowWeight',
      'feeAddress',
      'feeBps',
      'payouts',
    ],
    additionalProperties: false,
    properties: {
      blockHash: hash,
      number: decimal,
      scheme: { const: 'PPLNS' },
      state: { enum: ['finalized', 'matured'] },
      reward: { ...decimal, description: 'The reward the chain pays for the block, shannons.' },
      generation: { ...int, description: 'Times the block left the main chain and came back.' },
      windowWeight: {
        oneOf: [decimal, { type: 'null' }],
        description: 'PPLNS window N in weight units (difficulty x 1000).',
      },
      feeAddress: { type: ['string', 'null'] },
      feeBps: { type: ['integer', 'null'] },
      payouts: {
        type: 'array',
        description: 'Exact integer credits, largest first; they sum to the reward.',
        items: {
          type: 'object',
          required: ['user', 'amount'],
          additionalProperties: false,
          properties: { user: { type: 'string' }, amount: decimal },
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
      "The share processor's HTTP API: pool and miner statistics, found blocks with their lifecycle, " +
      "miners' balances and payments, the pool wallet, the PPLNS split, and the live event stream of " +
      "the miners' dashboard. Amounts are shannons; big integers are decimal strings.",
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
        summary: "The block's PPLNS allocation as the ledger credited it (integer shannons)",
        parameters: [{ name: 'hash', in: 'path', required: true, schema: hash }],
        responses: {
          200: json(ref('BlockPayouts'), 'ok'),
          404: error('not tracked, or not credited (reward not finalized, or reversed)'),
        },
      },
    },
    '/api/miners/{user}/balance': {
      get: {
        summary: "A user's ledger balance: immature, available (matured), pending, paid",
        parameters: [{ name: 'user', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: json(ref('Balance'), 'ok (zeros for a user the ledger does not know)') },
      },
    },
    '/api/miners/{user}/payments': {
      get: {
        summary: 'Payout transactions that pay the user, newest first, with their transaction hashes',
        parameters: [
          { name: 'user', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: { 200: json(ref('MinerPayments'), 'ok') },
      },
    },
    '/api/payments': {
      get: {
        summary: 'Every payout transaction, newest first',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }],
        responses: { 200: json(ref('Payments'), 'ok') },
      },
    },
    '/api/wallet': {
      get: {
        summary:
          'The pool wallet (address, spendable and immature capacity), what the ledger owes, open payouts',
        responses: { 200: json(ref('Wallet'), 'ok') },
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
