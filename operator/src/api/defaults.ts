/**
 * Structural defaulting exactly as the API server does it from the CRD schema: a missing
 * property with a `default` gets a copy of it, then defaulting recurses into it. The
 * operator applies it again to what it reads so objects stored before a default was added
 * still render.
 */
import type { Schema } from './schema.js';
import { specSchema } from './schema.js';
import type { MiningPool, MiningPoolSpec } from './types.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function applyDefaults(schema: Schema, value: unknown): unknown {
  if (Array.isArray(value) && schema.items) return value.map((v) => applyDefaults(schema.items!, v));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && child.default !== undefined) out[key] = structuredClone(child.default);
    if (out[key] !== undefined) out[key] = applyDefaults(child, out[key]);
  }
  if (schema.additionalProperties) {
    for (const key of Object.keys(out)) {
      if (!(key in (schema.properties ?? {})))
        out[key] = applyDefaults(schema.additionalProperties, out[key]);
    }
  }
  return out;
}

/** Defaults the spec; a backing service given as `{}` (neither external nor managed) means managed. */
export function withDefaults(pool: MiningPool): MiningPool {
  const spec = applyDefaults(specSchema, pool.spec) as MiningPoolSpec;
  for (const key of ['ckb', 'kafka', 'redis'] as const) {
    const part = spec[key] as { external?: unknown; managed?: unknown };
    if (!part.external && !part.managed) {
      const managedSchema = specSchema.properties![key]!.properties!.managed!;
      spec[key] = { managed: applyDefaults(managedSchema, {}) } as never;
    }
  }
  return { ...pool, spec };
}
