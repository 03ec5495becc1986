import type { TopicSpec } from './types.js';

export interface PoolTopics {
  /** Jobs (key = job id), 1 partition so followers see them in order; short retention. */
  jobs: string;
  /** Accepted shares (key = user). */
  shares: string;
  /** Block candidates logged by stratum replicas before/with the gRPC submit (key = share id). */
  blockCandidates: string;
  /** Blocks the block maker recorded (key = block hash). */
  blocks: string;
}

export function poolTopics(prefix: string): PoolTopics {
  return {
    jobs: `${prefix}.jobs`,
    shares: `${prefix}.shares`,
    blockCandidates: `${prefix}.block-candidates`,
    blocks: `${prefix}.blocks`,
  };
}

const HOUR_MS = 3_600_000;

/** Topic specs the services create at start (kafkajs admin, idempotent). */
export function poolTopicSpecs(topics: PoolTopics, partitions: number): TopicSpec[] {
  return [
    { name: topics.jobs, partitions: 1, configs: { 'retention.ms': String(HOUR_MS) } },
    { name: topics.shares, partitions, configs: { 'retention.ms': String(7 * 24 * HOUR_MS) } },
    { name: topics.blockCandidates, partitions, configs: { 'retention.ms': String(30 * 24 * HOUR_MS) } },
    { name: topics.blocks, partitions: 1, configs: { 'retention.ms': '-1' } },
  ];
}
