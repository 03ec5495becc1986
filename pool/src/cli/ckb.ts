import { readFileSync } from 'node:fs';
import { UsageError, type Command } from './command.js';
import { HeaderInputError, inspectPow } from '../ckb/inspect.js';

/** `eaglepool ckb pow --header FILE`: recomputes a header's PoW as the node checks it. */
export const pow: Command = {
  summary: "Check a CKB header's proof of work (pow_hash, hash, Eaglesong output vs target)",
  usage: [
    'Usage: eaglepool ckb pow --header FILE [--testnet] [--json]',
    '',
    'Reads a CKB header in RPC JSON from FILE ("-" for stdin): a header, a full block, or a',
    'JSON-RPC response wrapping either (e.g. the output of get_tip_header or get_block).',
    'Prints pow_hash, the block hash (and whether it equals the hash in the JSON), the Eaglesong',
    'output for the nonce, the target from compact_target, and whether the output meets it.',
    'Exit code 0 when the PoW is valid, 1 when it is not.',
    '',
    'Options:',
    '  --header FILE  the JSON file to read',
    "  --testnet      use testnet's EaglesongBlake2b PoW (ckbhash of the Eaglesong output)",
    '  --json         print the result as JSON',
  ].join('\n'),
  options: { header: { type: 'string' }, json: { type: 'boolean' }, testnet: { type: 'boolean' } },
  run: async ({ values }) => {
    const file = values.header;
    if (typeof file !== 'string') throw new UsageError('--header FILE is required');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read JSON from ${file}: ${(err as Error).message}`);
    }
    let report;
    try {
      report = inspectPow(json, values.testnet ? 'EaglesongBlake2b' : 'Eaglesong');
    } catch (err) {
      if (err instanceof HeaderInputError) throw new UsageError(err.message);
      throw err;
    }
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      const hashNote =
        report.statedHash === undefined
          ? ''
          : report.statedHash.toLowerCase() === report.blockHash
            ? '  (matches the JSON hash)'
            : `  (DIFFERS from the JSON hash ${report.statedHash})`;
      const rows: [string, string][] = [
        ['number', report.number],
        ['pow_hash', report.powHash],
        ['block hash', report.blockHash + hashNote],
        ['nonce', report.nonce],
        ['eaglesong', report.eaglesong],
        ['compact_target', report.compactTarget],
        ['target', report.target + (report.invalidTarget ? '  (INVALID: zero or overflow)' : '')],
        ['difficulty', report.difficulty],
        ['meets target', report.meets ? 'yes' : 'no'],
      ];
      for (const [k, v] of rows) console.log(`${k.padEnd(15)} ${v}`);
    }
    return report.meets ? 0 : 1;
  },
};
