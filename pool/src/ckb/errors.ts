/** Typed failures of talking to a CKB node. Every one names the method and the node URL. */

export type CkbRpcErrorKind = 'unavailable' | 'timeout' | 'http' | 'malformed' | 'rpc' | 'closed';

export abstract class CkbRpcError extends Error {
  abstract readonly kind: CkbRpcErrorKind;
  constructor(
    readonly method: string,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} @ ${url}: ${message}`, options);
  }
  /** True when repeating the same call may succeed (transport trouble, not a node verdict). */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'http';
  }
}

/** Connection refused/reset, DNS failure: the node is down or unreachable. */
export class CkbNodeUnavailableError extends CkbRpcError {
  override name = 'CkbNodeUnavailableError';
  readonly kind = 'unavailable';
  /** The connection was a reused keep-alive socket reset before any answer (the node closed it while idle). */
  staleSocket = false;
}

/** No complete answer within the per-call timeout. */
export class CkbRpcTimeoutError extends CkbRpcError {
  override name = 'CkbRpcTimeoutError';
  readonly kind = 'timeout';
}

/** The HTTP layer failed: non-2xx status. */
export class CkbRpcHttpError extends CkbRpcError {
  override name = 'CkbRpcHttpError';
  readonly kind = 'http';
  constructor(
    method: string,
    url: string,
    readonly status: number,
    body: string,
  ) {
    super(method, url, `HTTP ${status}: ${body.slice(0, 200)}`);
  }
  override get transient(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** The answer is not a JSON-RPC 2.0 response of the expected shape. */
export class CkbRpcMalformedError extends CkbRpcError {
  override name = 'CkbRpcMalformedError';
  readonly kind = 'malformed';
}

/** The node answered with a JSON-RPC error object (e.g. submit_block rejected the block). */
export class CkbRpcRemoteError extends CkbRpcError {
  override name = 'CkbRpcRemoteError';
  readonly kind = 'rpc';
  constructor(
    method: string,
    url: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(method, url, `error ${code}: ${rpcMessage}`);
  }
}

/** The client was closed while the call was pending or before it started. */
export class CkbRpcClosedError extends CkbRpcError {
  override name = 'CkbRpcClosedError';
  readonly kind = 'closed';
}
