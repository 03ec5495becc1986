/**
 * The embedded CKB dev chain: an in-process chain (chain.ts) served over real HTTP JSON-RPC plus the
 * node's TCP subscription endpoint (server.ts), behaving as a CKB node with `[pow] func = "Eaglesong"`
 * does for a miner. `startDevnet()` is what `eaglepool devnet` and `eaglepool pool dev` run.
 */
import { EventEmitter } from 'node:events';
import type { JsonHeaderView, JsonScript } from '../ckb/types.js';
import { DevChain } from './chain.js';
import type { DevBlock, DevChainOptions } from './chain.js';
import { DevnetServer } from './server.js';

export { DevChain, DevnetRpcError, SECP256K1_BLAKE160_CODE_HASH } from './chain.js';
export type { DevBlock, DevChainOptions } from './chain.js';

export interface DevnetOptions extends DevChainOptions {
  /** HTTP JSON-RPC port (default 0: any free port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** TCP subscription port (default 0: any free port; `false` disables it). */
  subscriptionPort?: number | false;
}

interface DevnetEvents {
  newTip: [header: JsonHeaderView, block: DevBlock];
}

export class Devnet extends EventEmitter<DevnetEvents> {
  constructor(
    /** http://host:port for JSON-RPC. */
    readonly url: string,
    /** tcp://host:port for `subscribe`, undefined when disabled. */
    readonly subscriptionUrl: string | undefined,
    readonly chain: DevChain,
    private readonly server: DevnetServer,
  ) {
    super();
  }

  tipNumber(): bigint {
    return this.chain.tip.number;
  }

  tip(): JsonHeaderView {
    return this.chain.tipHeaderView();
  }

  blocks(): readonly DevBlock[] {
    return this.chain.blocks();
  }

  /** Blocks found per miner lock args (the lock in each block's cellbase witness). */
  blocksFoundBy(): Map<string, number> {
    return this.chain.blocksFoundBy();
  }

  /** The block assembler lock templates pay to. */
  get lock(): JsonScript {
    return this.chain.lock;
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  /** @internal called by the server for each accepted block. */
  announce(block: DevBlock): void {
    this.server.publishTip(block);
    this.emit('newTip', block.view.header, block);
  }
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const host = opts.host ?? '127.0.0.1';
  const chain = new DevChain(opts);
  const server = new DevnetServer({
    chain,
    host,
    port: opts.port ?? 0,
    tcpPort: opts.subscriptionPort === false ? undefined : (opts.subscriptionPort ?? 0),
  });
  let port: number;
  let tcpPort: number | undefined;
  try {
    ({ port, tcpPort } = await server.listen());
  } catch (err) {
    await server.close();
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const devnet = new Devnet(
    `http://${urlHost}:${port}`,
    tcpPort === undefined ? undefined : `tcp://${urlHost}:${tcpPort}`,
    chain,
    server,
  );
  server.onBlock = (block) => devnet.announce(block);
  return devnet;
}
