export {
  runLoad,
  LoadError,
  isLoopback,
  MAX_CONNECTIONS,
  MAX_DURATION_SEC,
  type LoadOptions,
  type LoadReport,
} from './loadgen.js';
export { JobHashers, ShareFinder } from './nonces.js';
