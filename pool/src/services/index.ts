export { startJobmaker, JOBMAKER_LEASE, type JobmakerDeps, type JobmakerHandle } from './jobmaker.js';
export { startBlockmaker, type BlockmakerDeps, type BlockmakerHandle } from './blockmaker.js';
export { startShareprocessor, type ShareprocessorHandle } from './shareprocessor.js';
export { startPoolServices, type PoolServices } from './all.js';
export {
  connectJobStream,
  connectBlockMaker,
  JobFanout,
  type JobSource,
  type BlockSink,
  type RemoteJobSource,
  type RemoteBlockSink,
  type JobStreamOptions,
} from './clients.js';
export { type ServiceDeps, type ServiceHandle } from './runtime.js';
