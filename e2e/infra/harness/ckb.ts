// A real CKB node on a throwaway dev chain: `ckb init --chain dev` in the run's dir, the spec switched
// to Eaglesong proof of work at a difficulty a CPU meets in well under a second, RPC (HTTP + TCP
// subscription) and P2P on free loopback ports, the built-in indexer on. Opt-in tier: see
// docs/infrastructure.md ("CKB node").
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, InfraError, waitUntilReady } from './process.js';
import type { ServiceGroup, ServiceProcess } from './process.js';

/**
 * The block assembler's lock args: the dev chain's well-known secp256k1 account (the one ckb's
 * bundled dev.toml issues 20 billion CKB to), so payout tests can spend what the node's blocks pay.
 */
export const CKB_DEV_LOCK_ARGS = '0xc8328aabcd9b9e8e64fbc566c4385c3bdeb219d7';
/** Its private key, as the comment in ckb's bundled specs/dev.toml gives it (a public dev-chain key). */
export const CKB_DEV_PRIVATE_KEY = '0xd00c06bfd800d27397002dca6fb0993d5ba6399b4238b2f29ee9deb97593d2bc';
/** Genesis compact_target: difficulty 2^16 (target 2^240), ~0.2 s for one CPU thread of WASM Eaglesong. */
export const CKB_DEV_COMPACT_TARGET = '0x1f010000';
/** RPC modules: what the pool (Miner, Chain, Subscription), ccc and the payouts (Pool, Indexer) call. */
export const CKB_RPC_MODULES = [
  'Net',
  'Pool',
  'Miner',
  'Chain',
  'Stats',
  'Subscription',
  'Experiment',
  'Indexer',
];

export interface CkbInstance {
  rpcUrl: string;
  subscriptionUrl: string;
  lockArgs: string;
  process: ServiceProcess;
}

/** Replaces `pattern` in `text`, failing loudly when the file no longer has it (a ckb version bump). */
function edit(file: string, text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new InfraError('ckb', `${file} has no ${String(pattern)} to edit`);
  return text.replace(pattern, replacement);
}

/**
 * Cellbase maturity, an EpochNumberWithFraction (number | index << 24 | length << 40): 1/30 epoch.
 * Not "1" (one epoch): after the 10-block genesis epoch the dev chain's epochs are 300 blocks long
 * (seen on ckb 0.210.0), so one epoch would be 300 blocks; 1/30 is 10 blocks.
 */
export const CKB_DEV_CELLBASE_MATURITY = '0x1e0001000000';

/** Edits what `ckb init --chain dev` wrote: Eaglesong, a low genesis difficulty, a short cellbase maturity. */
function editSpec(dir: string): void {
  const file = join(dir, 'specs', 'dev.toml');
  let spec = readFileSync(file, 'utf8');
  spec = edit(file, spec, /^func = "Dummy"$/m, 'func = "Eaglesong"');
  spec = edit(file, spec, /^compact_target = 0x[0-9a-fA-F]+$/m, `compact_target = ${CKB_DEV_COMPACT_TARGET}`);
  spec = edit(file, spec, /^cellbase_maturity = \d+$/m, `cellbase_maturity = ${CKB_DEV_CELLBASE_MATURITY}`);
  spec = edit(file, spec, /^genesis_epoch_length = \d+$/m, 'genesis_epoch_length = 10');
  writeFileSync(file, spec);
}

function editConfig(dir: string, tcpPort: number): void {
  const file = join(dir, 'ckb.toml');
  let config = readFileSync(file, 'utf8');
  config = edit(file, config, /^modules = \[.*\].*$/m, `modules = ${JSON.stringify(CKB_RPC_MODULES)}`);
  config = edit(file, config, /^# tcp_listen_address = .*$/m, `tcp_listen_address = "127.0.0.1:${tcpPort}"`);
  config = edit(file, config, /\/ip4\/0\.0\.0\.0\/tcp\//, '/ip4/127.0.0.1/tcp/');
  writeFileSync(file, config);
}

async function rpc(url: string, method: string): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params: [] }),
    signal: AbortSignal.timeout(2000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export async function startCkb(group: ServiceGroup, dir: string, ckb: string): Promise<CkbInstance> {
  const [rpcPort, tcpPort, p2pPort] = [await freePort(), await freePort(), await freePort()];
  const log = join(dir, 'ckb.log');
  await group.runStep(
    'ckb',
    'ckb init --chain dev',
    ckb,
    [
      'init',
      '-C',
      dir,
      '--chain',
      'dev',
      '--ba-arg',
      CKB_DEV_LOCK_ARGS,
      '--rpc-port',
      String(rpcPort),
      '--p2p-port',
      String(p2pPort),
      '--force',
    ],
    log,
    30_000,
  );
  editSpec(dir);
  editConfig(dir, tcpPort);
  const proc = await group.spawn('ckb', ckb, ['run', '-C', dir, '--indexer'], log, { cwd: dir });
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  // The node answers the chain before its tx-pool follows it: wait for a template on the tip.
  await waitUntilReady(
    proc,
    `a block template on the tip at ${rpcUrl}`,
    async () => {
      const tip = (await rpc(rpcUrl, 'get_tip_header')) as { hash: string };
      const template = (await rpc(rpcUrl, 'get_block_template')) as { parent_hash: string };
      return template.parent_hash === tip.hash;
    },
    60_000,
  );
  return {
    rpcUrl,
    subscriptionUrl: `tcp://127.0.0.1:${tcpPort}`,
    lockArgs: CKB_DEV_LOCK_ARGS,
    process: proc,
  };
}
