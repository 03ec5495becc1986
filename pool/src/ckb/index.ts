/** CKB chain layer: header/PoW/target code, template → work → block, and the node RPC client. */
export * from './block.js';
export * from './errors.js';
export * from './hash.js';
export * from './header.js';
export * from './hex.js';
export * from './inspect.js';
export * from './merkle.js';
export * from './pow.js';
export * from './rpc.js';
export * from './subscription.js';
export * from './target.js';
export * from './tip-watcher.js';
export type * from './types.js';
export * from './work.js';
