/** The shapes the pool's HTTP API answers (pool/src/api/openapi.ts describes them). */

export interface Totals {
  shares: number;
  difficulty: number;
  lastShareAt: number;
  hashrate: number;
}

export interface PoolStats extends Totals {
  users: number;
  workers: number;
  pplnsWindowDifficulty: number;
  windowSec: number;
}

export interface Network {
  difficulty: number;
  height: string;
}

export interface Block {
  blockHash: string;
  number: string;
  user: string;
  worker: string;
  foundAt: string;
  reward: string;
  status: string;
  /** Present once the payouts service tracks the block on the chain. */
  lifecycle?: BlockLifecycle;
}

export interface BlockLifecycle {
  state: 'submitted' | 'main' | 'side' | 'uncle' | 'orphaned' | 'finalized' | 'matured';
  confirmations: string;
  /** Shannons the chain pays, once finalized. */
  reward: string | null;
  reason: string | null;
}

export interface Balance {
  user: string;
  immature: string;
  available: string;
  pending: string;
  paid: string;
}

export interface MinerPayment {
  id: string;
  state: string;
  amount: string;
  txHash: string | null;
  blockHash: string | null;
  createdAt: number;
}

export interface Payment {
  id: string;
  state: string;
  total: string;
  outputs: number;
  txHash: string | null;
  createdAt: number;
}

export interface Wallet {
  configured: boolean;
  address: string | null;
  spendable: string | null;
  immature: string | null;
  updatedAt: number | null;
  owed: { immature: string; available: string; pending: string; paid: string };
  openPayouts: Payment[];
}

export interface Sample {
  t: number;
  hashrate: number;
}

export interface LiveSnapshot {
  at: number;
  pool: PoolStats;
  network: Network | null;
  blocks: Block[];
  sample: Sample;
}

export interface Worker extends Totals {
  worker: string;
}

export interface User extends Totals {
  user: string;
  workers: Worker[];
}

export type MinerEvent = User | { user: string; unknown: true };

export interface Info {
  poolName: string;
  stratumUrls: string[];
  authorityPublicKey: string | null;
  scheme: string;
  pplnsFactor: number;
  windowSec: number;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
