/**
 * JSON-RPC 2.0 client for a CKB node over HTTP (node:http with a keep-alive Agent).
 *
 * - Every attempt has a timeout; a dead, slow or garbage-speaking node yields a typed CkbRpcError
 *   (errors.ts) and increments `eaglepool_ckb_rpc_errors_total{method,kind}`, never a hung caller.
 * - Idempotent calls retry transient failures (unavailable, timeout, HTTP 5xx/429) with exponential
 *   backoff. submit_block is retried only `submitRetries` times (default 0): resubmitting is safe for
 *   the node (an already-known block returns its hash) but whether it is worth it is the block maker's call.
 * - Results are the node's JSON as-is (hex strings), typed.
 */
import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { Counter, Histogram, register as defaultRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import {
  CkbNodeUnavailableError,
  CkbRpcClosedError,
  CkbRpcError,
  CkbRpcHttpError,
  CkbRpcMalformedError,
  CkbRpcRemoteError,
  CkbRpcTimeoutError,
} from '../ckb/errors.js';
import type {
  BlockTemplate,
  BlockchainInfo,
  JsonBlock,
  JsonBlockView,
  JsonHeaderView,
  LocalNodeInfo,
  SyncState,
} from '../ckb/types.js';
import { TipWatcher } from './tip-watcher.js';
import type { TipWatcherOptions } from './tip-watcher.js';

export interface CkbRpcClientOptions {
  /** Node RPC URL, e.g. http://127.0.0.1:8114 */
  url: string;
  /** Per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls on transient failures (default 2). */
  retries?: number;
  /** Extra attempts for submit_block on transient failures (default 0). */
  submitRetries?: number;
  /** First backoff delay; doubles per attempt, capped at 2 s (default 100 ms). */
  retryDelayMs?: number;
  /** Largest accepted response body (default 32 MiB). */
  maxResponseBytes?: number;
  /** prom-client registry for the client's metrics (default: prom-client's global registry). */
  registry?: Registry;
}

export interface CallOptions {
  /** Extra attempts on transient failures (default: the client's `retries`). */
  retries: number;
  /** Per-attempt timeout (default: the client's `timeoutMs`). */
  timeoutMs: number;
  /** Aborting rejects the call with CkbRpcClosedError. */
  signal: AbortSignal;
}

const MAX_BACKOFF_MS = 2000;

export class CkbRpcClient {
  readonly url: string;
  private readonly target: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly submitRetries: number;
  private readonly retryDelayMs: number;
  private readonly maxResponseBytes: number;
  private readonly metrics: CkbRpcMetrics;
  private readonly pending = new Set<http.ClientRequest>();
  private nextId = 1;
  private closed = false;

  constructor(opts: CkbRpcClientOptions) {
    this.url = opts.url;
    this.target = new URL(opts.url);
    if (this.target.protocol !== 'http:' && this.target.protocol !== 'https:') {
      throw new TypeError(`CKB RPC URL must be http(s): ${opts.url}`);
    }
    const Agent = this.target.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 16 });
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retries = opts.retries ?? 2;
    this.submitRetries = opts.submitRetries ?? 0;
    this.retryDelayMs = opts.retryDelayMs ?? 100;
    this.maxResponseBytes = opts.maxResponseBytes ?? 32 * 1024 * 1024;
    this.metrics = ckbRpcMetrics(opts.registry ?? defaultRegistry);
  }

  getBlockTemplate(
    params: { bytesLimit?: bigint; proposalsLimit?: bigint; maxVersion?: number } = {},
  ): Promise<BlockTemplate> {
    const hex = (v: bigint | number | undefined) => (v === undefined ? null : '0x' + v.toString(16));
    return this.call('get_block_template', [
      hex(params.bytesLimit),
      hex(params.proposalsLimit),
      hex(params.maxVersion),
    ]);
  }

  /** Resolves to the block hash the node computed. `workId` is passed through (the node only logs it). */
  submitBlock(workId: string, block: JsonBlock): Promise<string> {
    return this.call('submit_block', [workId, block], { retries: this.submitRetries });
  }

  getTipHeader(): Promise<JsonHeaderView> {
    return this.call('get_tip_header', []);
  }

  getBlockchainInfo(): Promise<BlockchainInfo> {
    return this.call('get_blockchain_info', []);
  }

  /** Initial block download and the best block known from peers (sync progress). */
  syncState(): Promise<SyncState> {
    return this.call('sync_state', []);
  }

  localNodeInfo(): Promise<LocalNodeInfo> {
    return this.call('local_node_info', []);
  }

  getHeaderByNumber(number: bigint): Promise<JsonHeaderView | null> {
    return this.call('get_header_by_number', ['0x' + number.toString(16)]);
  }

  getBlockByNumber(number: bigint): Promise<JsonBlockView | null> {
    return this.call('get_block_by_number', ['0x' + number.toString(16)]);
  }

  /** New tips: the node's TCP subscription when `subscriptionUrl` is given, polling otherwise or meanwhile. */
  watchTip(opts: Omit<TipWatcherOptions, 'client'> = {}): TipWatcher {
    const watcher = new TipWatcher({ ...opts, client: this });
    watcher.start();
    return watcher;
  }

  /**
   * One JSON-RPC call with this client's timeout and retry policy. Transient failures of idempotent
   * methods are retried; a node error answer (CkbRpcRemoteError) never is.
   */
  async call<T>(method: string, params: unknown[], opts: Partial<CallOptions> = {}): Promise<T> {
    const retries = opts.retries ?? this.retries;
    let staleSocketRetried = false;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const result = await this.attempt<T>(method, params, opts.timeoutMs ?? this.timeoutMs, opts.signal);
        this.metrics.duration.observe({ method }, (performance.now() - started) / 1000);
        return result;
      } catch (err) {
        const error =
          err instanceof CkbRpcError
            ? err
            : new CkbRpcMalformedError(method, this.url, String(err), { cause: err });
        this.metrics.errors.inc({ method, kind: error.kind });
        // A keep-alive socket the node closed while idle fails before the request is read: resend once
        // on a fresh socket whatever the retry budget (this must not cost submit_block its block).
        if (
          error instanceof CkbNodeUnavailableError &&
          error.staleSocket &&
          !staleSocketRetried &&
          !this.closed
        ) {
          staleSocketRetried = true;
          attempt--;
          continue;
        }
        if (!error.transient || attempt >= retries || this.closed) throw error;
        await sleep(Math.min(this.retryDelayMs * 2 ** attempt, MAX_BACKOFF_MS), opts.signal);
      }
    }
  }

  /** Aborts pending calls (they reject with CkbRpcClosedError) and closes idle keep-alive sockets. */
  close(): void {
    this.closed = true;
    for (const req of this.pending) req.destroy(new CkbRpcClosedError('close', this.url, 'client closed'));
    this.pending.clear();
    this.agent.destroy();
  }

  private attempt<T>(
    method: string,
    params: unknown[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new CkbRpcClosedError(method, this.url, 'client closed'));
    if (signal?.aborted) return Promise.reject(new CkbRpcClosedError(method, this.url, 'aborted'));
    const id = this.nextId++;
    const body = JSON.stringify({ id, jsonrpc: '2.0', method, params });
    const request = this.target.protocol === 'https:' ? https.request : http.request;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: CkbRpcError | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(req);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(value as T);
      };
      const req = request(this.target, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      this.pending.add(req);
      const timer = setTimeout(
        () => finish(new CkbRpcTimeoutError(method, this.url, `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => finish(new CkbRpcClosedError(method, this.url, 'aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      let answered = false;
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof CkbRpcError) return finish(err);
        const error = new CkbNodeUnavailableError(
          method,
          this.url,
          `${err.code ?? 'error'}: ${err.message}`,
          {
            cause: err,
          },
        );
        error.staleSocket = req.reusedSocket && !answered && err.code === 'ECONNRESET';
        finish(error);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            finish(
              new CkbRpcMalformedError(
                method,
                this.url,
                `response larger than ${this.maxResponseBytes} bytes`,
              ),
            );
          } else chunks.push(chunk);
        });
        res.on('error', (err) =>
          finish(new CkbNodeUnavailableError(method, this.url, err.message, { cause: err })),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300)
            return finish(new CkbRpcHttpError(method, this.url, status, text));
          try {
            finish(undefined, parseResponse<T>(method, this.url, id, text));
          } catch (err) {
            finish(err as CkbRpcError);
          }
        });
      });
      req.end(body);
    });
  }
}

function parseResponse<T>(method: string, url: string, id: number, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CkbRpcMalformedError(method, url, `not JSON: ${text.slice(0, 120)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CkbRpcMalformedError(method, url, `not a JSON-RPC response object: ${text.slice(0, 120)}`);
  }
  const res = json as {
    id?: unknown;
    result?: unknown;
    error?: { code?: unknown; message?: unknown; data?: unknown };
  };
  if (res.error !== undefined && res.error !== null) {
    const { code, message, data } = res.error;
    if (typeof code !== 'number' || typeof message !== 'string') {
      throw new CkbRpcMalformedError(method, url, `malformed error object: ${text.slice(0, 120)}`);
    }
    throw new CkbRpcRemoteError(method, url, code, message, data);
  }
  if (res.id !== id)
    throw new CkbRpcMalformedError(method, url, `response id ${String(res.id)} != request id ${id}`);
  if (!('result' in res))
    throw new CkbRpcMalformedError(method, url, 'response has neither result nor error');
  return res.result as T;
}

/** Resolves after `ms` or on abort; the abort listener leaves with the timer. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

export interface CkbRpcMetrics {
  errors: Counter<'method' | 'kind'>;
  duration: Histogram<'method'>;
}

/** The client's metrics in `registry`, created once per registry. */
export function ckbRpcMetrics(registry: Registry): CkbRpcMetrics {
  const errorsName = 'eaglepool_ckb_rpc_errors_total';
  const durationName = 'eaglepool_ckb_rpc_duration_seconds';
  const errors =
    (registry.getSingleMetric(errorsName) as Counter<'method' | 'kind'> | undefined) ??
    new Counter({
      name: errorsName,
      help: 'Failed CKB node RPC attempts by method and kind (unavailable, timeout, http, malformed, rpc, closed).',
      labelNames: ['method', 'kind'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(durationName) as Histogram<'method'> | undefined) ??
    new Histogram({
      name: durationName,
      help: 'Duration of successful CKB node RPC calls.',
      labelNames: ['method'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    });
  return { errors, duration };
}
