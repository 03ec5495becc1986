export { createLogger, silentLogger, type Logger, type LogLevel, type LogFields } from './logger.js';
export { processRegistry, serviceRegistry } from './metrics.js';
export {
  startHealthServer,
  listenHttp,
  closeHttp,
  type HealthServer,
  type HealthServerOptions,
  type Readiness,
} from './health.js';
