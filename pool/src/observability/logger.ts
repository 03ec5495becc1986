/**
 * Structured JSON logs: one line per event on stdout (stderr for warn/error), fields
 * `time`, `level`, `service`, `msg`, then the event's own fields. Errors become
 * `{ name, message, stack }`; bigints and byte arrays are written as strings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields`. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout for debug/info, stderr for warn/error). */
  write?: (line: string, level: LogLevel) => void;
}

function defaultWrite(line: string, level: LogLevel): void {
  (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(line + '\n');
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]; // before toJSON (Buffer.toJSON would give { type, data })
  if (typeof original === 'bigint') return original.toString();
  if (original instanceof Uint8Array)
    return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('hex');
  if (original instanceof Error)
    return { name: original.name, message: original.message, stack: original.stack };
  return value;
}

export function createLogger(service: string, opts: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const min = RANK[opts.level ?? 'info'];
  const write = opts.write ?? defaultWrite;
  const log = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const line = { time: new Date().toISOString(), level, service, msg, ...bound, ...fields };
    write(JSON.stringify(line, replacer), level);
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => createLogger(service, opts, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger('silent', { write: () => {} });
