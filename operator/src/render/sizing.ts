/**
 * Default container resources when the spec gives none, and the memory settings derived from
 * them (Kafka heap, Redis maxmemory). Figures: docs/benchmarks.md and docs/operator.md
 * "Sizing" (a stratum replica logs 124k-152k shares per CPU-second; ~4.4 KB per idle Noise
 * connection; a mainnet CKB node's RocksDB cache and the JVM heap dominate the rest). A devnet
 * pool gets a fraction so the whole pool fits a 2-core test node.
 */
import type { MiningPool, ResourceRequirements } from '../api/types.js';

export type SizedComponent =
  'ckb' | 'kafka' | 'redis' | 'jobmaker' | 'blockmaker' | 'shareprocessor' | 'stratum' | 'translator';

const r = (cpu: string, memory: string, memoryLimit: string): ResourceRequirements => ({
  requests: { cpu, memory },
  limits: { memory: memoryLimit },
});

const PRODUCTION: Record<SizedComponent, ResourceRequirements> = {
  ckb: r('1', '4Gi', '8Gi'),
  kafka: r('500m', '1536Mi', '2Gi'),
  redis: r('200m', '512Mi', '1Gi'),
  jobmaker: r('100m', '192Mi', '512Mi'),
  blockmaker: r('100m', '192Mi', '512Mi'),
  shareprocessor: r('250m', '256Mi', '768Mi'),
  // ~60k shares/s at 500m; 10k connections ~ 45 MB over the process baseline.
  stratum: r('500m', '256Mi', '1Gi'),
  translator: r('200m', '192Mi', '512Mi'),
};

const DEVNET: Record<SizedComponent, ResourceRequirements> = {
  ckb: r('100m', '256Mi', '1Gi'),
  kafka: r('100m', '768Mi', '1Gi'),
  redis: r('50m', '64Mi', '256Mi'),
  jobmaker: r('50m', '128Mi', '512Mi'),
  blockmaker: r('50m', '128Mi', '512Mi'),
  shareprocessor: r('50m', '128Mi', '512Mi'),
  stratum: r('100m', '128Mi', '512Mi'),
  translator: r('50m', '128Mi', '512Mi'),
};

/** The spec's resources, else the defaults of the pool's network class. */
export function resourcesOf(
  pool: MiningPool,
  component: SizedComponent,
  given: ResourceRequirements | undefined,
): ResourceRequirements {
  if (given && (given.requests || given.limits)) return given;
  return (pool.spec.network === 'devnet' ? DEVNET : PRODUCTION)[component];
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes of a memory quantity ("1536Mi", "2G", "1073741824"); undefined if unparsable. */
export function memoryBytes(q: string | undefined): number | undefined {
  const m = q === undefined ? null : /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  return m ? Math.floor(Number(m[1]) * UNITS[m[2] ?? '']!) : undefined;
}

/** The memory a process should plan for: the limit, else the request. */
const memoryBudget = (res: ResourceRequirements): number | undefined =>
  memoryBytes(res.limits?.memory) ?? memoryBytes(res.requests?.memory);

/** Kafka heap: half the memory budget (the rest is page cache and off-heap), 256 MiB .. 6 GiB. */
export function kafkaHeapOpts(res: ResourceRequirements): string {
  const budget = memoryBudget(res) ?? 2 * 2 ** 30;
  const mib = Math.max(256, Math.min(6144, Math.floor(budget / 2 / 2 ** 20)));
  return `-Xms${mib}m -Xmx${mib}m`;
}

/** Redis maxmemory: 75 % of the budget (fork for AOF rewrite and fragmentation need the rest). */
export function redisMaxmemory(res: ResourceRequirements): string | undefined {
  const budget = memoryBudget(res);
  return budget === undefined ? undefined : `${Math.floor((budget * 0.75) / 2 ** 20)}mb`;
}
