/**
 * Throwaway CKB accounts for `pool dev`: a fresh secp256k1 key per run and its testnet
 * (`ckt1…`) secp256k1-blake160 address and lock, derived with @ckb-ccc/core (no node needed).
 * The devnet's block assembler pays the pool wallet's lock, the demo miner mines under its own
 * address, so the whole money path runs on keys nobody else has.
 */
import { ccc } from '@ckb-ccc/core';
import { bytesToHex } from '../ckb/hex.js';
import type { JsonScript } from '../ckb/types.js';
import { defaultRandom, randomSecretKey } from '../sv2/noise/index.js';

export interface DevAccount {
  /** 0x + 64 hex. */
  privateKey: string;
  /** Testnet full address of the secp256k1-blake160 lock. */
  address: string;
  lock: JsonScript;
}

export async function devAccount(): Promise<DevAccount> {
  const privateKey = bytesToHex(randomSecretKey(defaultRandom));
  const signer = new ccc.SignerCkbPrivateKey(
    new ccc.ClientPublicTestnet({ url: 'http://127.0.0.1:1', fallbacks: [] }),
    privateKey,
  );
  const address = await signer.getRecommendedAddressObj();
  const s = address.script;
  return {
    privateKey,
    address: address.toString(),
    lock: { code_hash: s.codeHash, hash_type: s.hashType, args: s.args },
  };
}
