import type { PoolConfig } from '../config/schema.js';
import { startBlockmaker, type BlockmakerDeps, type BlockmakerHandle } from './blockmaker.js';
import { startJobmaker, type JobmakerDeps, type JobmakerHandle } from './jobmaker.js';
import { startShareprocessor, type ShareprocessorDeps, type ShareprocessorHandle } from './shareprocessor.js';

export interface PoolServices {
  blockmaker: BlockmakerHandle;
  shareprocessor: ShareprocessorHandle;
  jobmaker: JobmakerHandle;
  /** Stops all three, the job maker first. */
  stop(): Promise<void>;
}

/**
 * The three backend services in one process (`pool dev`, end-to-end tests). The block maker and
 * share processor start first so the job maker's first job finds them ready; if one fails to
 * start, those already started are stopped before the error is rethrown.
 */
export async function startPoolServices(
  config: PoolConfig,
  deps: BlockmakerDeps & JobmakerDeps & ShareprocessorDeps,
): Promise<PoolServices> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const service of started.splice(0).reverse()) await service.stop();
  };
  try {
    const blockmaker = await startBlockmaker(config, deps);
    started.push(blockmaker);
    const shareprocessor = await startShareprocessor(config, deps);
    started.push(shareprocessor);
    const jobmaker = await startJobmaker(config, deps);
    started.push(jobmaker);
    return { blockmaker, shareprocessor, jobmaker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
