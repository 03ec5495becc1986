import type { Sv2Message } from './types.js';

/** A JSON-safe view of a message for logs and tools: byte fields as lowercase hex, U64 as a decimal string. */
export function messageToJson(msg: Sv2Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(msg)) out[key] = jsonValue(value);
  return out;
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}
