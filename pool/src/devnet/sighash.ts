/**
 * The secp256k1-blake160 sighash-all lock, checked natively: what the genesis script
 * `secp256k1_blake160_sighash_all` (nervosnetwork/ckb-system-scripts, c/secp256k1_blake160_sighash_all.c)
 * computes for a script group, with its exit codes. The devnet runs no CKB-VM; this is the only lock
 * it can verify (docs/ckb.md, "Devnet simplifications").
 */
import { ccc } from '@ckb-ccc/core';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '../ckb/hex.js';

/** Exit codes of the script (`ERROR_*` in its C source). */
export const SIGHASH_ERRORS = {
  argumentsLen: -1,
  encoding: -2,
  syscall: -3,
  recoverPubkey: -11,
  parseSignature: -14,
  witnessSize: -22,
  pubkeyBlake160Hash: -31,
} as const;

const SIGNATURE_SIZE = 65;
const MAX_WITNESS_SIZE = 32_768;

/**
 * Verifies one script group: `args` the lock's args, `groupIndices` the input indices using the
 * lock (first one carries the signature), `witnesses` all of the transaction's witnesses (hex).
 * Returns 0 when the signature recovers to the key whose blake160 is `args`, else the exit code.
 */
export function verifySighashAll(
  txHash: string,
  args: string,
  groupIndices: readonly number[],
  witnesses: readonly string[],
  inputCount: number,
): number {
  const argsBytes = hexToBytes(args);
  if (argsBytes.length !== 20) return SIGHASH_ERRORS.argumentsLen;
  const first = witnesses[groupIndices[0]!];
  // ckb_load_witness of the group's first input fails: the script returns ERROR_SYSCALL.
  if (first === undefined) return SIGHASH_ERRORS.syscall;
  const firstBytes = hexToBytes(first);
  if (firstBytes.length > MAX_WITNESS_SIZE) return SIGHASH_ERRORS.witnessSize;
  let witnessArgs: ccc.WitnessArgs;
  try {
    witnessArgs = ccc.WitnessArgs.fromBytes(firstBytes);
  } catch {
    return SIGHASH_ERRORS.encoding;
  }
  const signature = witnessArgs.lock === undefined ? undefined : hexToBytes(witnessArgs.lock);
  if (!signature || signature.length !== SIGNATURE_SIZE) return SIGHASH_ERRORS.argumentsLen;

  const zeroed = ccc.WitnessArgs.from({ ...witnessArgs, lock: '0x' + '00'.repeat(SIGNATURE_SIZE) }).toBytes();
  const hasher = new ccc.HasherCkb();
  hasher.update(txHash);
  const absorb = (bytes: Uint8Array) => {
    hasher.update(ccc.numLeToBytes(bytes.length, 8));
    hasher.update(bytes);
  };
  absorb(zeroed);
  // The script loads the group's further witnesses until one is out of bound (a missing one ends it).
  for (const i of groupIndices.slice(1)) {
    if (witnesses[i] === undefined) break;
    absorb(hexToBytes(witnesses[i]));
  }
  for (let i = inputCount; i < witnesses.length; i++) absorb(hexToBytes(witnesses[i]!));
  const message = hexToBytes(hasher.digest());

  let pubkey: Uint8Array;
  try {
    // noble's "recovered" format puts the recovery id first; CKB's signature has it last.
    const recovered = new Uint8Array(SIGNATURE_SIZE);
    recovered[0] = signature[64]!;
    recovered.set(signature.subarray(0, 64), 1);
    pubkey = secp256k1.recoverPublicKey(recovered, message, { prehash: false });
  } catch {
    return SIGHASH_ERRORS.recoverPubkey;
  }
  const blake160 = hexToBytes(ccc.hashCkb(pubkey)).subarray(0, 20);
  return Buffer.compare(blake160, argsBytes) === 0 ? 0 : SIGHASH_ERRORS.pubkeyBlake160Hash;
}
