/**
 * Lease helpers on PoolStore.acquireLease (a Redis `SET PX` lock renewed by its holder):
 * leader election for the job maker and unique stratum replica ids. A holder renews every
 * TTL/3; if it cannot renew before the TTL runs out it must assume the lease is lost.
 */
import type { PoolStore } from './types.js';

export const replicaLeaseName = (id: number): string => `replica:${id}`;

/** Leases the lowest free replica id in [0, maxReplicas); undefined when all are taken. */
export async function leaseReplicaId(
  store: PoolStore,
  holder: string,
  maxReplicas: number,
  ttlMs: number,
): Promise<number | undefined> {
  for (let id = 0; id < maxReplicas; id++) {
    if (await store.acquireLease(replicaLeaseName(id), holder, ttlMs)) return id;
  }
  return undefined;
}

export interface HeldLease {
  /** True while the last renewal succeeded within the TTL. */
  held(): boolean;
  /** Stops renewing and releases the lease. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  name: string;
  holder: string;
  ttlMs: number;
  /** Called when the lease is gained (true) or lost (false). */
  onChange?(held: boolean): void;
  onError?(err: unknown): void;
}

/**
 * Keeps trying to acquire (and then renew) a lease every TTL/3. Used for the job maker
 * leader lock and to keep a stratum replica id leased.
 */
export function holdLease(store: PoolStore, opts: LeaseOptions): HeldLease {
  let held = false;
  let validUntil = 0;
  let stopped = false;
  const period = Math.max(100, Math.floor(opts.ttlMs / 3));
  const set = (now: boolean) => {
    if (now !== held) {
      held = now;
      opts.onChange?.(now);
    }
  };
  const tick = async () => {
    const started = Date.now();
    try {
      const ok = await store.acquireLease(opts.name, opts.holder, opts.ttlMs);
      if (stopped) return;
      if (ok) validUntil = started + opts.ttlMs;
      set(ok);
    } catch (err) {
      opts.onError?.(err);
      if (Date.now() >= validUntil) set(false);
    }
  };
  let running = tick();
  const timer = setInterval(() => {
    running = running.then(tick);
  }, period);
  return {
    held: () => held && Date.now() < validUntil,
    release: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      if (held) await store.releaseLease(opts.name, opts.holder).catch(() => undefined);
      set(false);
    },
  };
}
