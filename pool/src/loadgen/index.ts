export {
  runLoad,
  LoadError,
  isLoopback,
  MAX_CONNECTIONS,
  MAX_DURATION_SEC,
  type LoadOptions,
  type LoadReport,
  type LoadTrace,
} from './loadgen.js';
export { LatencyHistogram, type LatencySummary } from './histogram.js';
export { InFlight, type SettledSink } from './in-flight.js';
export {
  MachineMonitor,
  ProcessMonitor,
  monotonicOffsetMs,
  type MachineStats,
  type ProcessStats,
} from './monitor.js';
export { Pacer } from './pacer.js';
export { splitPhases, type PhaseReport, type ServerTrace } from './phases.js';
export { JobHashers, ShareFinder } from './nonces.js';
