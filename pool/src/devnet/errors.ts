/** JSON-RPC errors as the node sends them (`rpc/src/error.rs`: code, `<RPCError>: <error>` message, debug `data`). */

export class DevnetRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** RPCError::Invalid (-3) with the node's `Invalid: <error>` message. */
export function invalid(detail: string): DevnetRpcError {
  return new DevnetRpcError(-3, `Invalid: ${detail}`, detail);
}

/** The node's RPCError codes the devnet answers with (`rpc/src/error.rs`). */
export const RPC_ERRORS = {
  TransactionFailedToResolve: -301,
  TransactionFailedToVerify: -302,
  PoolRejectedTransactionByMinFeeRate: -1104,
  PoolRejectedDuplicatedTransaction: -1107,
  PoolRejectedMalformedTransaction: -1108,
  PoolRejectedRBF: -1111,
} as const;

/** `RPCError::custom_with_error(code, reject)`: message `<Name>: <reject>`. */
export function rejected(name: keyof typeof RPC_ERRORS, reject: string): DevnetRpcError {
  return new DevnetRpcError(RPC_ERRORS[name], `${name}: ${reject}`, reject);
}
