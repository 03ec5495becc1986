/**
 * gRPC server lifecycle shared by the job maker and the block maker, and the shared-token
 * authentication of every call between services (`services.tokenFile`, docs/services.md).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ConfigError, parseHostPort } from '../config/fields.js';
import type { Logger } from '../observability/logger.js';

export interface GrpcServer {
  readonly port: number;
  /** Graceful shutdown (in-flight calls finish), forced after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Shortest accepted token: 128 bits as hex. */
const MIN_TOKEN_CHARS = 32;
const AUTH_HEADER = 'authorization';

/**
 * The shared service token from `services.tokenFile` (a Secret mounted as a file), or undefined
 * when none is configured (calls are then unauthenticated: development only).
 */
export function readServiceToken(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`cannot read services.tokenFile ${file}: ${(err as Error).message}`);
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token))
    throw new ConfigError(
      `services.tokenFile ${file} must hold one token of at least ${MIN_TOKEN_CHARS} characters`,
    );
  return token;
}

/** Call metadata carrying the token (empty without one). */
export function authMetadata(token: string | undefined): Metadata {
  const md = new Metadata();
  if (token !== undefined) md.set(AUTH_HEADER, `Bearer ${token}`);
  return md;
}

function authorized(md: Metadata, expected: Buffer): boolean {
  const [value] = md.get(AUTH_HEADER);
  if (typeof value !== 'string' || !value.startsWith('Bearer ')) return false;
  const got = Buffer.from(value.slice('Bearer '.length));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

interface AnyCall {
  metadata: Metadata;
  emit(event: 'error', err: unknown): boolean;
}
type Callback = (err: { code: number; details: string } | null) => void;
type Handler = (call: AnyCall, callback?: Callback) => void;

/** Every method of `impl` refusing calls without the token (UNAUTHENTICATED), before the handler runs. */
function requireToken(
  service: ServiceDefinition,
  impl: UntypedServiceImplementation,
  token: string,
): UntypedServiceImplementation {
  const expected = Buffer.from(token);
  const refusal = { code: status.UNAUTHENTICATED, details: 'missing or wrong service token' };
  const guarded: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(impl) as [string, Handler][]) {
    const unaryReply = !service[name]?.responseStream;
    guarded[name] = ((call: AnyCall, callback?: Callback) => {
      if (authorized(call.metadata, expected)) return handler(call, callback);
      if (unaryReply) callback?.(refusal);
      else call.emit('error', refusal);
    }) as UntypedServiceImplementation[string];
  }
  return guarded;
}

/** Serves `impl`; with a `token`, only to callers that send it (see `authMetadata`). */
export async function startGrpcServer(
  listen: string,
  service: ServiceDefinition,
  impl: UntypedServiceImplementation,
  auth: { token: string | undefined; logger: Logger },
): Promise<GrpcServer> {
  const { host, port } = parseHostPort(listen);
  const server = new Server();
  const { token } = auth;
  if (token === undefined)
    auth.logger.warn(
      'gRPC is unauthenticated: set services.tokenFile (anyone reaching the port may call it)',
      {
        listen,
      },
    );
  server.addService(service, token === undefined ? impl : requireToken(service, impl, token));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    port: bound,
    stop: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
