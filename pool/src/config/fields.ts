/**
 * Typed config field descriptors: each knows its documentation, its default and how to
 * parse a raw value (from JSON, or a string from the environment / a CLI flag).
 */

/** Where a raw value came from, for error messages. */
export type Source = 'default' | 'file' | 'env' | 'flag';

/** A configuration problem, reported at start with the key and the source that set it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A value a field cannot parse; the loader wraps it into a ConfigError naming key and source. */
export class FieldError extends Error {
  override name = 'FieldError';
}

export interface Field<T> {
  readonly kind: string;
  readonly doc: string;
  /** Value when no source sets the key; `undefined` for optional keys. */
  readonly fallback: T;
  /** Parses a JSON value or (env/flag) a string; throws FieldError on bad input. */
  parse(raw: unknown, fromString: boolean): T;
}

interface Common {
  doc: string;
}

function field<T>(kind: string, doc: string, fallback: T, parse: Field<T>['parse']): Field<T> {
  return { kind, doc, fallback, parse };
}

export function str(o: Common & { default: string }): Field<string> {
  return field('string', o.doc, o.default, (raw) => {
    if (typeof raw !== 'string') throw new FieldError('expected a string');
    return raw;
  });
}

export function optStr(o: Common): Field<string | undefined> {
  return field('string', o.doc, undefined, (raw) => {
    if (typeof raw !== 'string') throw new FieldError('expected a string');
    return raw === '' ? undefined : raw;
  });
}

export function oneOf<const V extends string>(o: Common & { values: readonly V[]; default: V }): Field<V> {
  return field(o.values.join('|'), o.doc, o.default, (raw) => {
    if (typeof raw !== 'string' || !(o.values as readonly string[]).includes(raw)) {
      throw new FieldError(`expected one of ${o.values.join(', ')}`);
    }
    return raw as V;
  });
}

function parseInteger(raw: unknown, fromString: boolean, min: number, max: number): number {
  const n = fromString && typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new FieldError('expected an integer');
  if (n < min || n > max) throw new FieldError(`expected an integer in [${min}, ${max}]`);
  return n;
}

export function int(o: Common & { default: number; min: number; max: number }): Field<number> {
  return field('integer', o.doc, o.default, (raw, s) => parseInteger(raw, s, o.min, o.max));
}

export function optInt(o: Common & { min: number; max: number }): Field<number | undefined> {
  return field('integer', o.doc, undefined, (raw, s) =>
    s && raw === '' ? undefined : parseInteger(raw, s, o.min, o.max),
  );
}

export function num(o: Common & { default: number; min: number }): Field<number> {
  return field('number', o.doc, o.default, (raw, s) => {
    const n = s && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new FieldError('expected a number');
    if (n < o.min) throw new FieldError(`expected a number >= ${o.min}`);
    return n;
  });
}

function parseUrl(raw: unknown, protocols: readonly string[]): string {
  if (typeof raw !== 'string') throw new FieldError('expected a URL string');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FieldError(`not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new FieldError(
      `URL scheme must be one of ${protocols.map((p) => p + '://').join(', ')}, got ${url.protocol}//`,
    );
  }
  if (!url.hostname) throw new FieldError(`URL has no host: ${JSON.stringify(raw)}`);
  return raw;
}

export function url(o: Common & { protocols: readonly string[]; default: string }): Field<string> {
  return field('url', o.doc, o.default, (raw) => parseUrl(raw, o.protocols));
}

export function optUrl(o: Common & { protocols: readonly string[] }): Field<string | undefined> {
  return field('url', o.doc, undefined, (raw, s) =>
    s && raw === '' ? undefined : parseUrl(raw, o.protocols),
  );
}

/** `host:port` (host may be empty or `[v6]`); port 0 means "any free port". */
export function listen(o: Common & { default: string }): Field<string> {
  return field('host:port', o.doc, o.default, (raw) => {
    if (typeof raw !== 'string') throw new FieldError('expected "host:port"');
    parseHostPort(raw);
    return raw;
  });
}

export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new FieldError(`expected "host:port", got ${JSON.stringify(value)}`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

export function strList(o: Common): Field<string[]> {
  return field('list', o.doc, [], (raw, s) => {
    const list = s && typeof raw === 'string' ? raw.split(',').map((x) => x.trim()) : raw;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
      throw new FieldError('expected a list of strings');
    return list.filter((x) => x !== '');
  });
}

export function bool(o: Common & { default: boolean }): Field<boolean> {
  return field('boolean', o.doc, o.default, (raw, s) => {
    if (typeof raw === 'boolean') return raw;
    if (s && (raw === 'true' || raw === '1')) return true;
    if (s && (raw === 'false' || raw === '0')) return false;
    throw new FieldError('expected true or false');
  });
}
