import { UsageError, type Command } from './command.js';
import { startDevnet, SECP256K1_BLAKE160_CODE_HASH } from '../devnet/index.js';
import { compactToDifficulty } from '../ckb/target.js';

function intOption(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${String(value)}'`);
  return n;
}

/** `eaglepool devnet`: runs the embedded CKB dev chain standalone until interrupted. */
export const command: Command = {
  summary: 'Run the embedded CKB devnet (JSON-RPC node for mining, Eaglesong PoW)',
  usage: [
    'Usage: eaglepool devnet [--port N] [--host ADDR] [--subscription-port N] [--block-time MS]',
    '                        [--initial-compact-target HEX] [--epoch-length N] [--lock-args HEX]',
    '',
    'Serves get_block_template / submit_block / get_tip_header / get_block_by_number / … over HTTP',
    'JSON-RPC and subscribe new_tip_header over TCP, like a CKB node with Eaglesong PoW.',
    'Prints one line per accepted block. Stop with Ctrl-C.',
    '',
    'Options:',
    '  --port N                    HTTP JSON-RPC port (default 8114)',
    '  --host ADDR                 interface to bind (default 127.0.0.1)',
    '  --subscription-port N       TCP subscription port (default 18114, 0 = any)',
    '  --block-time MS             block interval the difficulty adjusts toward (default 10000)',
    '  --initial-compact-target X  starting compact target, hex (default: difficulty 2^15)',
    '  --epoch-length N            blocks per epoch (default 10)',
    '  --lock-args HEX             block assembler lock args, secp256k1-blake160 (default 20 zero bytes)',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'subscription-port': { type: 'string' },
    'block-time': { type: 'string' },
    'initial-compact-target': { type: 'string' },
    'epoch-length': { type: 'string' },
    'lock-args': { type: 'string' },
  },
  run: async ({ values }) => {
    const compact = values['initial-compact-target'];
    if (compact !== undefined && !/^(0x)?[0-9a-fA-F]{1,8}$/.test(String(compact))) {
      throw new UsageError(`--initial-compact-target must be a u32 in hex, got '${String(compact)}'`);
    }
    const lockArgs = values['lock-args'];
    if (lockArgs !== undefined && !/^0x([0-9a-fA-F]{2})*$/.test(String(lockArgs))) {
      throw new UsageError(`--lock-args must be 0x-prefixed hex bytes, got '${String(lockArgs)}'`);
    }
    const devnet = await startDevnet({
      port: intOption(values.port, 'port') ?? 8114,
      host: typeof values.host === 'string' ? values.host : undefined,
      subscriptionPort: intOption(values['subscription-port'], 'subscription-port') ?? 18114,
      blockTimeMs: intOption(values['block-time'], 'block-time', 1),
      initialCompactTarget:
        compact === undefined ? undefined : parseInt(String(compact).replace(/^0x/, ''), 16),
      epochLength: intOption(values['epoch-length'], 'epoch-length', 1),
      lock:
        lockArgs === undefined
          ? undefined
          : {
              code_hash: SECP256K1_BLAKE160_CODE_HASH,
              hash_type: 'type',
              args: String(lockArgs).toLowerCase(),
            },
    });
    console.log(`devnet: JSON-RPC ${devnet.url}, subscriptions ${devnet.subscriptionUrl ?? 'off'}`);
    console.log(`devnet: genesis ${devnet.tip().hash}, block assembler lock args ${devnet.lock.args}`);
    devnet.on('newTip', (header, block) => {
      const interval =
        block.number > 0n
          ? Number(block.header.timestamp - devnet.blocks()[Number(block.number) - 1]!.header.timestamp)
          : 0;
      console.log(
        `devnet: block #${block.number} ${header.hash} by ${block.minerLock.args} ` +
          `difficulty ${compactToDifficulty(block.header.compactTarget)} interval ${(interval / 1000).toFixed(1)}s`,
      );
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await devnet.stop();
    return 0;
  },
};
