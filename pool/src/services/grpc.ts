/**
 * gRPC server lifecycle shared by the job maker and the block maker, and the authentication
 * of every call between services (docs/services.md): mutual TLS (`services.tls*Files`: each
 * side presents a certificate of the services' CA) and/or a shared token (`services.tokenFile`).
 */
import { timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ChannelCredentials,
  type ChannelOptions,
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

/** The services' mutual TLS material: the CA every peer's certificate must chain to, and our own. */
export interface ServiceTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Name the servers' certificates are checked against instead of the host of the URL. */
  serverName?: string;
}

export interface ServiceTlsFiles {
  tlsCaFile?: string | undefined;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  tlsServerName?: string | undefined;
}

/**
 * The mutual TLS material from `services.tlsCaFile`, `tlsCertFile`, `tlsKeyFile` (a Secret
 * mounted as files, PEM), or undefined when none is set. Some but not all set, an unreadable
 * file or a certificate that does not parse: ConfigError.
 */
export function readServiceTls(cfg: ServiceTlsFiles): ServiceTls | undefined {
  const files = { tlsCaFile: cfg.tlsCaFile, tlsCertFile: cfg.tlsCertFile, tlsKeyFile: cfg.tlsKeyFile };
  const set = Object.entries(files).filter(([, f]) => f !== undefined);
  if (set.length === 0) return undefined;
  if (set.length < 3) {
    const missing = Object.keys(files).filter((k) => files[k as keyof typeof files] === undefined);
    throw new ConfigError(
      `mutual TLS needs services.tlsCaFile, tlsCertFile and tlsKeyFile; missing ${missing.join(', ')}`,
    );
  }
  const read = (key: keyof typeof files) => {
    try {
      return readFileSync(files[key]!);
    } catch (err) {
      throw new ConfigError(`cannot read services.${key} ${files[key]}: ${(err as Error).message}`);
    }
  };
  const tls: ServiceTls = { ca: read('tlsCaFile'), cert: read('tlsCertFile'), key: read('tlsKeyFile') };
  if (cfg.tlsServerName !== undefined) tls.serverName = cfg.tlsServerName;
  try {
    // Parses the PEM now, so a bad Secret is a config error at start, not a failed handshake later.
    serverCredentials(tls);
    new X509Certificate(tls.cert);
    new X509Certificate(tls.ca);
  } catch (err) {
    throw new ConfigError(`services TLS material does not load: ${(err as Error).message}`);
  }
  return tls;
}

/** Server side: TLS with our certificate, and a client certificate of the CA required. */
function serverCredentials(tls: ServiceTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** Client side: the credentials and channel options for calling another service. */
export function clientCredentials(tls: ServiceTls | undefined): {
  creds: ChannelCredentials;
  options: ChannelOptions;
} {
  if (!tls) return { creds: credentials.createInsecure(), options: {} };
  return {
    creds: credentials.createSsl(tls.ca, tls.key, tls.cert),
    options: tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName } : {},
  };
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

/**
 * Serves `impl`; with `tls`, over mutual TLS only (a client without a certificate of the CA
 * fails its handshake); with a `token`, only to callers that send it (see `authMetadata`).
 */
export async function startGrpcServer(
  listen: string,
  service: ServiceDefinition,
  impl: UntypedServiceImplementation,
  auth: { token: string | undefined; tls?: ServiceTls | undefined; logger: Logger },
): Promise<GrpcServer> {
  const { host, port } = parseHostPort(listen);
  const server = new Server();
  const { token } = auth;
  if (token === undefined && !auth.tls)
    auth.logger.warn(
      'gRPC is unauthenticated: set services.tlsCaFile/tlsCertFile/tlsKeyFile or services.tokenFile (anyone reaching the port may call it)',
      { listen },
    );
  server.addService(service, token === undefined ? impl : requireToken(service, impl, token));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      serverCredentials(auth.tls),
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
