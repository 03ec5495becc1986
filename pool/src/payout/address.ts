/**
 * Miner payout addresses (pure): the account part of a user name (`address.worker`) is the CKB
 * address paid. Decoded with @ckb-ccc/core (bech32/bech32m, checksum, format) synchronously, so
 * the stratum engine can refuse a bad one at channel open: mainnet addresses start `ckb`, testnet
 * and dev chains `ckt` (RFC 0021). Full (0x00) and the deprecated short (0x01) formats are accepted.
 */
import { cccA } from '@ckb-ccc/core/advanced';

export type CkbNetwork = 'mainnet' | 'testnet';

const PREFIX: Record<CkbNetwork, string> = { mainnet: 'ckb', testnet: 'ckt' };
const FULL = 0x00;
const SHORT = 0x01;

export interface DecodedAddress {
  /** Length in bytes of the lock's args (sizes the recipient's occupied capacity). */
  lockArgsBytes: number;
}

/** The address decoded, or why it is no payout address of `network`. */
export function decodeAddress(address: string, network: CkbNetwork): DecodedAddress | { error: string } {
  let decoded: { prefix: string; format: number; payload: number[] };
  try {
    decoded = cccA.addressPayloadFromString(address);
  } catch (err) {
    return { error: `not a CKB address (${(err as Error).message})` };
  }
  if (decoded.prefix !== PREFIX[network])
    return { error: `a ${decoded.prefix} address, the pool pays ${PREFIX[network]} (${network}) addresses` };
  if (decoded.format === FULL && decoded.payload.length >= 33)
    return { lockArgsBytes: decoded.payload.length - 33 };
  if (decoded.format === SHORT && decoded.payload.length >= 21)
    return { lockArgsBytes: decoded.payload.length - 1 };
  return { error: `unsupported address format 0x${decoded.format.toString(16)}` };
}

/** The account part of a user name: everything before the first dot. */
export function accountOf(userName: string): string {
  const dot = userName.indexOf('.');
  return dot < 0 ? userName : userName.slice(0, dot);
}

/** Why the user name's account is no payout address of `network`, or undefined if it is one. */
export function payoutAddressError(userName: string, network: CkbNetwork): string | undefined {
  const d = decodeAddress(accountOf(userName), network);
  return 'error' in d ? d.error : undefined;
}
