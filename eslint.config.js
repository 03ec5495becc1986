// ESLint flat config: typescript-eslint's recommended rules over every TS source.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const devDependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).devDependencies);

// The layers of pool/src (docs/architecture.md). Imports point one way: core ← adapters ← roles ← app.
// core: pure protocol and chain code, no I/O.
const CORE = ['sv2', 'ckb', 'eaglesong', 'mining'];
// adapters: the I/O edges (sockets, Redis, Kafka, the CKB node, config files, logs and metrics).
const ADAPTERS = ['sv2-net', 'ckb-node', 'bus', 'store', 'config', 'observability'];
// roles: what the pool's processes do, built from core and adapters (not composed here).
const ROLES = [
  'stratum',
  'translator',
  'miner',
  'loadgen',
  'devnet',
  'services',
  'api',
  'ledger',
  'blocktracker',
  'payout',
];
// app: the composition roots (commands, `pool dev`).
const APP = ['cli'];
/** Every folder of pool/src in its layer (pool/src/layers.test.ts fails on a folder in none). */
export const LAYERS = { core: CORE, adapters: ADAPTERS, roles: ROLES, app: APP };
// Modules that do I/O, or hold process-wide state (metrics): not for core code.
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'inspector',
]
  .flatMap((m) => [m, `node:${m}`])
  .concat(['ioredis', 'kafkajs', '@grpc/grpc-js', '@kubernetes/client-node', 'prom-client']);

/** An import pattern matching relative imports into any of `folders` (from a sibling folder). */
const into = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message });
const layer = (folders) => folders.map((f) => `pool/src/${f}/**/*.ts`);
const testing = {
  group: ['**/testing', '**/testing/**', '**/*.test', '**/*.test.js'],
  message: 'test-only module: product code must not import it (it is not in the build)',
};
const devDeps = {
  group: devDependencies.flatMap((name) => [name, `${name}/*`]),
  message: 'a devDependency: not installed in the image',
};
/** Product files of `folders` may not import `patterns` (plus test code and devDependencies). */
const restrict = (folders, patterns, paths = []) => ({
  files: layer(folders),
  ignores: ['**/*.test.ts', '**/testing/**'],
  rules: { 'no-restricted-imports': ['error', { paths, patterns: [testing, devDeps, ...patterns] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/target/**', 'proto/gen/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Product code (what tsconfig.build.json compiles into dist/ and the image) never imports test
    // code: *.test.ts, a testing/ folder (test-only helpers, excluded from the build) or a devDependency.
    files: ['pool/src/**/*.ts', 'operator/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing', '**/testing/**', '**/*.test', '**/*.test.js'],
              message: 'test-only module: product code must not import it (it is not in the build)',
            },
            {
              group: devDependencies.flatMap((name) => [name, `${name}/*`]),
              message: 'a devDependency: not installed in the image',
            },
          ],
        },
      ],
    },
  },
  // Layer rules, after the general rule (the last entry for a file wins; each repeats the test-code and
  // devDependency patterns).
  restrict(
    CORE,
    [
      into(
        [...ADAPTERS, ...ROLES, ...APP],
        'core code (pure protocol and chain) imports only core: pass I/O in from an adapter',
      ),
    ],
    IO_MODULES.map((name) => ({
      name,
      message: 'core code does no I/O: this belongs in an adapter (sv2-net, ckb-node, bus, store, …)',
    })),
  ),
  restrict(ADAPTERS, [
    into(
      [...ROLES, ...APP],
      'an adapter imports only core and other adapters, never a role or the app layer',
    ),
  ]),
  restrict(ROLES, [into(APP, 'the app layer (cli/) composes roles; a role never imports it')]),
  {
    // Core code loads its own WASM module's bytes (nothing else of the file system).
    files: ['pool/src/sv2/noise/wasm-load.ts', 'pool/src/eaglesong/wasm.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [testing, devDeps, into([...ADAPTERS, ...ROLES, ...APP], 'core imports only core')] },
      ],
    },
  },
);
