/**
 * CKB Stratum V1 as real pools and miners speak it (BTCPool `src/ckb/`, the UUPool spec,
 * Antminer K7 field notes; /work/shared/docs/ckb.md §3): newline-delimited JSON-RPC.
 *
 *   → {"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}
 *   ← {"id":1,"result":[null,"<extranonce1 hex>",<extranonce2_size>],"error":null}
 *   → {"id":2,"method":"mining.authorize","params":["<user.worker>","x"]}
 *   ← {"id":null,"method":"mining.set_target","params":["<64 hex digits, big-endian>"]}
 *   ← {"id":null,"method":"mining.notify","params":["<job id hex>","<pow_hash>",<height>,"<parent_hash>",<clean>]}
 *   → {"id":102,"method":"mining.submit","params":["<user.worker>","<job id>","<extranonce2 hex>"]}
 *   ← {"id":102,"result":false,"error":[23,"low difficulty",null]}
 *
 * Pure: line framing with a length cap, request parsing with typed errors, response builders.
 */

/** Error codes of BTCPool `src/Stratum.h` (what CKB miners are used to). */
export const V1Error = {
  Unknown: 20,
  JobNotFound: 21,
  Duplicate: 22,
  LowDifficulty: 23,
  Unauthorized: 24,
  NotSubscribed: 25,
  IllegalMethod: 26,
  IllegalParams: 27,
  InvalidUsername: 29,
  Internal: 30,
} as const;
export type V1ErrorCode = (typeof V1Error)[keyof typeof V1Error];

export const V1_ERROR_MESSAGES: Record<V1ErrorCode, string> = {
  20: 'unknown',
  21: 'job not found',
  22: 'duplicate share',
  23: 'low difficulty',
  24: 'unauthorized worker',
  25: 'not subscribed',
  26: 'illegal method',
  27: 'illegal params',
  29: 'invalid username',
  30: 'internal error',
};

/** JSON-RPC ids as miners send them. `undefined` = no id member (a notification). */
export type V1Id = number | string | null | undefined;

export type V1Request =
  | { method: 'mining.subscribe'; id: V1Id; agent: string | undefined; params: unknown[] }
  | { method: 'mining.authorize'; id: V1Id; user: string }
  /** The params as sent: their shape is the miner's dialect's business (dialect.ts). */
  | { method: 'mining.submit'; id: V1Id; params: unknown[] }
  | { method: 'mining.extranonce.subscribe'; id: V1Id }
  | { method: 'mining.suggest_difficulty'; id: V1Id; difficulty: number }
  | { method: 'mining.suggest_target'; id: V1Id; targetHex: string }
  | { method: 'mining.configure'; id: V1Id; extensions: string[] };

/** A line that is not a request we can act on; `id` is echoed in the error reply. */
export interface V1BadRequest {
  bad: true;
  id: V1Id;
  code: V1ErrorCode;
  message: string;
}

const HEX_RE = /^[0-9a-fA-F]*$/;

export function isHex(s: string, bytes?: number): boolean {
  return (bytes === undefined ? s.length % 2 === 0 : s.length === bytes * 2) && HEX_RE.test(s);
}

function bad(id: V1Id, code: V1ErrorCode, message: string): V1BadRequest {
  return { bad: true, id, code, message };
}

function validId(id: unknown): id is V1Id {
  return (
    id === undefined ||
    id === null ||
    typeof id === 'string' ||
    (typeof id === 'number' && Number.isFinite(id))
  );
}

/** Parses one line (without its newline) into a request, or says why it cannot be served. */
export function parseRequest(line: string): V1Request | V1BadRequest {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return bad(null, V1Error.Unknown, 'parse error');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    return bad(null, V1Error.Unknown, 'not a JSON-RPC request object');
  const m = msg as Record<string, unknown>;
  const id = validId(m.id) ? m.id : null;
  if (typeof m.method !== 'string') return bad(id, V1Error.IllegalMethod, 'missing method');
  const params = m.params === undefined || m.params === null ? [] : m.params;
  if (!Array.isArray(params)) return bad(id, V1Error.IllegalParams, 'params must be an array');
  const p = params as unknown[];
  switch (m.method) {
    case 'mining.subscribe':
      // [agent, session id or null, …]: nested arrays or objects are no subscribe any family sends.
      if (!scalar(p[0]) || !scalar(p[1]))
        return bad(id, V1Error.IllegalParams, 'subscribe params are [agent, session id]');
      return { method: m.method, id, agent: typeof p[0] === 'string' ? p[0] : undefined, params: p };
    case 'mining.authorize':
      if (typeof p[0] !== 'string') return bad(id, V1Error.IllegalParams, 'authorize needs a user name');
      return { method: m.method, id, user: p[0] };
    case 'mining.submit':
      if (p.length < 3 || p.length > 8) return bad(id, V1Error.IllegalParams, 'submit needs 3 to 5 params');
      return { method: m.method, id, params: p };
    case 'mining.extranonce.subscribe':
      return { method: m.method, id };
    case 'mining.suggest_difficulty': {
      const d = typeof p[0] === 'string' ? Number(p[0]) : p[0];
      if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0)
        return bad(id, V1Error.IllegalParams, 'difficulty must be a positive number');
      return { method: m.method, id, difficulty: d };
    }
    case 'mining.suggest_target': {
      const t = typeof p[0] === 'string' ? strip0x(p[0]) : '';
      if (!isHex(t, 32)) return bad(id, V1Error.IllegalParams, 'target must be 64 hex digits');
      return { method: m.method, id, targetHex: t };
    }
    case 'mining.configure': {
      const ext = Array.isArray(p[0]) ? p[0].filter((e): e is string => typeof e === 'string') : [];
      return { method: m.method, id, extensions: ext };
    }
    default:
      return bad(id, V1Error.IllegalMethod, `unknown method ${m.method.slice(0, 64)}`);
  }
}

function scalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

export function strip0x(s: string): string {
  return s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
}

// ---- Builders (one line each, newline included) -------------------------------------------

function idJson(id: V1Id): string {
  return id === undefined ? 'null' : JSON.stringify(id);
}

export function resultLine(id: V1Id, result: unknown): string {
  return `{"id":${idJson(id)},"result":${JSON.stringify(result)},"error":null}\n`;
}

export function errorLine(id: V1Id, code: V1ErrorCode, message = V1_ERROR_MESSAGES[code]): string {
  // BTCPool answers rejected submits with result false; other errors with result null.
  return `{"id":${idJson(id)},"result":null,"error":${JSON.stringify([code, message, null])}}\n`;
}

export function submitRejectLine(id: V1Id, code: V1ErrorCode, message = V1_ERROR_MESSAGES[code]): string {
  return `{"id":${idJson(id)},"result":false,"error":${JSON.stringify([code, message, null])}}\n`;
}

/** NiceHash-style extranonce change, for miners that sent mining.extranonce.subscribe. */
export function setExtranonceLine(extranonce1Hex: string, extranonce2Size: number): string {
  return `{"id":null,"method":"mining.set_extranonce","params":["${extranonce1Hex}",${extranonce2Size}]}\n`;
}

/** A line a V1 pool (or the translator) sends a miner: a response or a notification. */
export interface V1PoolMessage {
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** Parses one line from a V1 pool; undefined for anything that is not a JSON object. */
export function parsePoolLine(line: string): V1PoolMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  // `null` or a bare number is valid JSON but no message (reading its members would throw).
  return typeof parsed === 'object' && parsed !== null ? (parsed as V1PoolMessage) : undefined;
}

// ---- Line framing ---------------------------------------------------------------------------

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
}

/**
 * Splits a byte stream into lines (LF, optional CR stripped). A line longer than `maxLine`
 * bytes (with or without its newline arriving yet) throws LineTooLongError: the caller closes.
 */
export class LineDecoder {
  private partial = '';

  constructor(readonly maxLine = 4096) {}

  /** Bytes of a line begun but not ended yet. */
  get pending(): number {
    return this.partial.length;
  }

  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (nl - start > this.maxLine) throw new LineTooLongError(`line longer than ${this.maxLine} bytes`);
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (end > start) lines.push(Buffer.from(text.slice(start, end), 'latin1').toString('utf8'));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    if (this.partial.length > this.maxLine)
      throw new LineTooLongError(`line longer than ${this.maxLine} bytes`);
    return lines;
  }
}
