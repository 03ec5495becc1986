import { UsageError, type Command } from './command.js';
import { eaglesongHash } from '../eaglesong/index.js';

/** Parses hex (optional 0x prefix, even length); throws UsageError on anything else. */
export function parseHex(text: string): Uint8Array {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new UsageError(`not a hex byte string: '${text}' (expected an even number of hex digits)`);
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/** `eaglepool hash eaglesong HEX`: prints the Eaglesong digest of the bytes. */
export const command: Command = {
  summary: 'Print the Eaglesong digest of hex input',
  usage: [
    'Usage: eaglepool hash eaglesong HEX',
    '',
    'Prints the 32-byte Eaglesong digest (CKB proof-of-work hash function) of the bytes',
    'given as HEX (optional 0x prefix; empty string for empty input), as lowercase hex.',
    'For a CKB PoW hash pass pow_hash (32 bytes) followed by the nonce as 16 little-endian bytes.',
  ].join('\n'),
  options: {},
  run: async ({ positionals }) => {
    if (positionals.length !== 1)
      throw new UsageError(`expected exactly one HEX argument, got ${positionals.length}`);
    console.log(Buffer.from(eaglesongHash(parseHex(positionals[0]!))).toString('hex'));
    return 0;
  },
};
