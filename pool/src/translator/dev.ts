/**
 * The V1 path of `eaglepool pool dev --miner v1`: an in-process translator upstream to the dev
 * pool's SV2 port and the demo CPU miner speaking V1 to it over loopback TCP.
 */
import type { Logger } from '../observability/index.js';
import { V1Miner } from '../miner/v1-client.js';
import type { MinerDialectName } from '../miner/v1-dialects.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { rpcHeightLookup } from './height.js';
import { Translator } from './translator.js';

export interface DevV1Path {
  readonly translator: Translator;
  readonly miner: V1Miner;
  stop(): Promise<void>;
}

export async function startDevV1Path(opts: {
  poolPort: number;
  authorityPublicKey: string;
  threads: number;
  /** V1 listen port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** CKB JSON-RPC for block heights in mining.notify. */
  ckbRpcUrl?: string;
  /** The family the demo miner speaks; the translator recognises it by its user agent. */
  dialect?: MinerDialectName;
  /** The demo miner's user name (default dev.cpu). */
  user?: string;
  logger: Logger;
}): Promise<DevV1Path> {
  const rpc = opts.ckbRpcUrl ? new CkbRpcClient({ url: opts.ckbRpcUrl }) : undefined;
  const translator = await Translator.start({
    host: '127.0.0.1',
    port: opts.port ?? 0,
    upstream: { host: '127.0.0.1', port: opts.poolPort, authorityPublicKey: opts.authorityPublicKey },
    user: 'dev.translator',
    // ~300 kH/s per thread of WASM Eaglesong: start near a 5 s share interval.
    nominalHashRate: opts.threads * 300_000,
    heightLookup: rpc ? rpcHeightLookup(rpc) : undefined,
    logger: opts.logger.child({ part: 'translator' }),
  });
  let miner: V1Miner;
  try {
    miner = await V1Miner.start({
      host: '127.0.0.1',
      port: translator.port,
      user: opts.user ?? 'dev.cpu',
      threads: opts.threads,
      dialect: opts.dialect,
    });
  } catch (err) {
    await translator.stop();
    rpc?.close();
    throw err;
  }
  return {
    translator,
    miner,
    async stop() {
      await miner.stop();
      await translator.stop();
      rpc?.close();
    },
  };
}
