export { configSchema, type PoolConfig } from './schema.js';
export {
  loadConfig,
  configKeys,
  envName,
  requireDistributed,
  DEFAULT_CONFIG_FILE,
  type LoadOptions,
  type ConfigKey,
} from './load.js';
export { ConfigError, parseHostPort } from './fields.js';
