/**
 * Loads the configuration: defaults < JSON file < EAGLEPOOL_* environment < `--set key=value`
 * flags, validating every value and rejecting unknown keys with errors that name the key
 * and where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, FieldError, type Field, type Source } from './fields.js';
import { configSchema, type PoolConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = '/etc/eaglepool/config.json';

export interface ConfigKey {
  /** Dotted path, e.g. `ckb.rpcUrl`. */
  path: string;
  /** Environment variable, e.g. `EAGLEPOOL_CKB_RPC_URL`. */
  env: string;
  field: Field<unknown>;
}

function isField(v: unknown): v is Field<unknown> {
  return typeof v === 'object' && v !== null && 'parse' in v && 'doc' in v;
}

/** `ckb.rpcUrl` → `EAGLEPOOL_CKB_RPC_URL`. */
export function envName(path: string): string {
  return (
    'EAGLEPOOL_' +
    path
      .replace(/\./g, '_')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toUpperCase()
  );
}

/** Every key of the schema, in declaration order. */
export function configKeys(): ConfigKey[] {
  const out: ConfigKey[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const path = prefix + name;
      if (isField(value)) out.push({ path, env: envName(path), field: value });
      else walk(value as Record<string, unknown>, path + '.');
    }
  };
  walk(configSchema, '');
  return out;
}

export interface LoadOptions {
  /** Config file path; null = none. Default: $EAGLEPOOL_CONFIG, else /etc/eaglepool/config.json if it exists. */
  file?: string | null;
  /** Environment to read EAGLEPOOL_* from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** `key=value` overrides from repeated `--set` flags. */
  sets?: readonly string[];
  /** Values set by code (e.g. `pool dev` defaults), applied over defaults, under file/env/flags. */
  base?: Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/** Flattens a parsed JSON file into dotted keys, reporting unknown keys. */
function flattenFile(json: unknown, keys: Map<string, ConfigKey>, file: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: unknown, prefix: string) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw new ConfigError(
        `${file}: ${prefix ? `"${prefix.slice(0, -1)}"` : 'top level'} must be an object`,
      );
    }
    for (const [name, value] of Object.entries(node)) {
      const path = prefix + name;
      if (keys.has(path)) out.set(path, value);
      else if ([...keys.keys()].some((k) => k.startsWith(path + '.'))) walk(value, path + '.');
      else throw new ConfigError(`${file}: unknown key "${path}"${suggest(path, keys)}`);
    }
  };
  walk(json, '');
  return out;
}

function suggest(path: string, keys: Map<string, ConfigKey>): string {
  const last = path.split('.').pop()!.toLowerCase();
  const near = [...keys.keys()].filter(
    (k) => k.toLowerCase().endsWith('.' + last) || k.toLowerCase() === last,
  );
  return near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
}

function readFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Loads and validates the configuration; throws ConfigError listing every problem found. */
export function loadConfig(opts: LoadOptions = {}): PoolConfig {
  const env = opts.env ?? process.env;
  const keys = new Map(configKeys().map((k) => [k.path, k]));
  const layers: { source: Source; where: string; values: Map<string, unknown>; fromString: boolean }[] = [];

  if (opts.base)
    layers.push({
      source: 'default',
      where: 'code',
      values: flattenFile(opts.base, keys, 'base'),
      fromString: false,
    });
  const file =
    opts.file === null
      ? undefined
      : (opts.file ??
        env.EAGLEPOOL_CONFIG ??
        (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined));
  if (file)
    layers.push({
      source: 'file',
      where: file,
      values: flattenFile(readFile(file), keys, file),
      fromString: false,
    });

  const fromEnv = new Map<string, unknown>();
  for (const key of keys.values()) if (env[key.env] !== undefined) fromEnv.set(key.path, env[key.env]);
  layers.push({ source: 'env', where: 'environment', values: fromEnv, fromString: true });

  const fromFlags = new Map<string, unknown>();
  for (const set of opts.sets ?? []) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${JSON.stringify(set)}: expected key=value`);
    const path = set.slice(0, eq);
    if (!keys.has(path)) throw new ConfigError(`--set: unknown key "${path}"${suggest(path, keys)}`);
    fromFlags.set(path, set.slice(eq + 1));
  }
  layers.push({ source: 'flag', where: '--set', values: fromFlags, fromString: true });

  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys.values()) {
    let value = key.field.fallback;
    for (const layer of layers) {
      if (!layer.values.has(key.path)) continue;
      const raw = layer.values.get(key.path);
      try {
        value = key.field.parse(raw, layer.fromString);
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        const name = layer.source === 'env' ? key.env : key.path;
        problems.push(`${name} (${layer.where}): ${err.message}`);
      }
    }
    setPath(config, key.path, value);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as PoolConfig;
}

/** Throws a ConfigError unless the shared backends a standalone (multi-process) service needs are set. */
export function requireDistributed(config: PoolConfig, service: string): void {
  const missing: string[] = [];
  if (!config.redis.url) missing.push('redis.url (EAGLEPOOL_REDIS_URL)');
  if (config.kafka.brokers.length === 0) missing.push('kafka.brokers (EAGLEPOOL_KAFKA_BROKERS)');
  if (missing.length > 0) {
    throw new ConfigError(
      `${service} runs as its own process and needs shared Redis and Kafka; missing ${missing.join(' and ')}. ` +
        'Use `eaglepool pool dev` for the single-process in-memory mode.',
    );
  }
}
