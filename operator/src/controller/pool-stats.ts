/**
 * Chain height and pool hashrate for the status (printer columns Height and Hashrate), read from
 * the share processor's HTTP API (`GET /api/pool`, pool/src/services/shareprocessor.ts). Best
 * effort: any failure leaves the previous values. The hashrate is rounded to three significant
 * digits so noise does not rewrite the status on every pass.
 */
import type { MiningPool } from '../api/types.js';
import { SHAREPROCESSOR_HTTP_PORT, serviceHost } from '../render/config.js';
import { getBounded } from './http-get.js';

export interface PoolStats {
  tipNumber?: number;
  hashrate?: string;
}

const UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];

/** 12345678 -> "12.3 MH/s" */
export function formatHashrate(hps: number): string {
  if (!Number.isFinite(hps) || hps <= 0) return '0 H/s';
  let i = 0;
  let v = hps;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))} ${UNITS[i]}`;
}

/** The interesting part of /api/pool; undefined fields when absent or malformed. */
export function parsePoolApi(body: unknown): PoolStats {
  const b = (body ?? {}) as { hashrate?: unknown; network?: { height?: unknown } | null };
  const out: PoolStats = {};
  if (typeof b.hashrate === 'number') out.hashrate = formatHashrate(b.hashrate);
  const height = Number(b.network?.height);
  if (b.network?.height !== undefined && Number.isSafeInteger(height) && height >= 0) out.tipNumber = height;
  return out;
}

export const poolApiUrl = (pool: MiningPool): string =>
  `http://${serviceHost(pool, 'shareprocessor')}:${SHAREPROCESSOR_HTTP_PORT}/api/pool`;

/** Fetches /api/pool of the pool's share processor; undefined on any error. */
export function fetchPoolStats(pool: MiningPool, timeoutMs = 2000): Promise<PoolStats | undefined> {
  return fetchPoolStatsFrom(poolApiUrl(pool), timeoutMs);
}

/** Larger than any /api/pool answer; the share processor runs the pool owner's image. */
const MAX_BODY_BYTES = 64 * 1024;

/** GET `url` and parse it as /api/pool; undefined on any error (getBounded's limits). */
export async function fetchPoolStatsFrom(url: string, timeoutMs: number): Promise<PoolStats | undefined> {
  const body = await getBounded(url, timeoutMs, MAX_BODY_BYTES);
  if (body === undefined) return undefined;
  try {
    return parsePoolApi(JSON.parse(body));
  } catch {
    return undefined;
  }
}
