import type { CommandEntry } from './command.js';

/**
 * Every subcommand of the `eaglepool` CLI. Add one entry per command; the module
 * is imported only when the command runs.
 */
export const commands: readonly CommandEntry[] = [
  {
    path: ['operator', 'run'],
    summary: 'Run the MiningPool operator',
    load: () => import('./operator.js').then((m) => m.run),
  },
  {
    path: ['operator', 'crd'],
    summary: 'Print or --write the MiningPool CRD',
    load: () => import('./operator.js').then((m) => m.crd),
  },
  {
    path: ['operator', 'render'],
    summary: 'Render the children of a MiningPool YAML file',
    load: () => import('./operator.js').then((m) => m.render),
  },
  {
    path: ['hash', 'eaglesong'],
    summary: 'Print the Eaglesong digest of hex input',
    load: () => import('./hash.js').then((m) => m.command),
  },
  {
    path: ['ckb', 'pow'],
    summary: "Check a CKB header's proof of work against its target",
    load: () => import('./ckb.js').then((m) => m.pow),
  },
  {
    path: ['devnet'],
    summary: 'Run the embedded CKB devnet (JSON-RPC node for mining)',
    load: () => import('./devnet.js').then((m) => m.command),
  },
  {
    path: ['miner'],
    summary: 'CPU miner: Eaglesong in worker threads over SV2 (standard or extended channel)',
    load: () => import('./miner.js').then((m) => m.command),
  },
  {
    path: ['pool', 'jobmaker'],
    summary: 'Run the job maker (CKB node → jobs over gRPC and Kafka)',
    load: () => import('./services.js').then((m) => m.jobmaker),
  },
  {
    path: ['pool', 'blockmaker'],
    summary: 'Run the block maker (solved shares → submit_block)',
    load: () => import('./services.js').then((m) => m.blockmaker),
  },
  {
    path: ['pool', 'shareprocessor'],
    summary: 'Run the share processor (shares → hashrate, PPLNS, HTTP API)',
    load: () => import('./services.js').then((m) => m.shareprocessor),
  },
  {
    path: ['pool', 'payouts'],
    summary: 'Run the payouts service (found blocks → ledger credits → payout transactions; leader-elected)',
    load: () => import('./services.js').then((m) => m.payouts),
  },
  {
    path: ['pool', 'audit'],
    summary: "Recompute a block's PPLNS allocation from the share log and compare it with the ledger",
    load: () => import('./audit.js').then((m) => m.command),
  },
  {
    path: ['keys'],
    summary: 'Generate SV2 Noise keys (authority, static key, certificate) in SRI encodings',
    load: () => import('./keys.js').then((m) => m.command),
  },
  {
    path: ['pool', 'dev'],
    summary: 'Run the whole pool locally: CKB devnet, services, SV2 stratum and a demo miner',
    load: () => import('./pool-dev.js').then((m) => m.command),
  },
  {
    path: ['pool', 'stratum'],
    summary: 'Run one SV2 stratum replica (Noise listener, shares to Kafka, blocks to the block maker)',
    load: () => import('./stratum.js').then((m) => m.command),
  },
  {
    path: ['translator'],
    summary: 'SV1 → SV2 translator: CKB Stratum V1 miners (ASICs) onto an SV2 pool over Noise',
    load: () => import('./translator.js').then((m) => m.command),
  },
  {
    path: ['loadgen'],
    summary: 'Load generator: many simulated SV2 or V1 miners over loopback TCP (shares/s, latency)',
    load: () => import('./loadgen.js').then((m) => m.command),
  },
  {
    path: ['sv2', 'decode'],
    summary: 'Decode plaintext SV2 frames (hex) into JSON lines',
    load: () => import('./sv2.js').then((m) => m.decode),
  },
];
