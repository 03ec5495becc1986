/** Test helpers: an in-process SV2 stratum server with a recording sink, and a raw V1 client. */
import net from 'node:net';
import type { AcceptedShare, BlockCandidate } from '../../stratum/engine.js';
import type { JobTemplate } from '../../stratum/jobs.js';
import { StratumServer } from '../../stratum/server.js';
import { generateAuthorityKeys, generateResponderKeys } from '../../sv2/noise/index.js';
import { Translator, type TranslatorOptions } from '../translator.js';

export const authority = generateAuthorityKeys();
export const poolKeys = generateResponderKeys({ authoritySecretKey: authority.secretKey });

export function template(n: number, opts: { blockTarget?: bigint } = {}): JobTemplate {
  return {
    jobId: 100 + n,
    workId: `${n}`,
    number: BigInt(n),
    parentHash: new Uint8Array(32).fill(n & 0xff),
    timestamp: 1_764_069_600_000n + BigInt(n) * 1000n,
    compactTarget: 0x1f100000,
    target: opts.blockTarget ?? 1n << 244n, // a block every ~4096 hashes
    powHash: Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 0xff),
    version: 0,
  };
}

export interface RecordingPool {
  server: StratumServer;
  shares: AcceptedShare[];
  blocks: BlockCandidate[];
}

export async function startPool(port = 0): Promise<RecordingPool> {
  const shares: AcceptedShare[] = [];
  const blocks: BlockCandidate[] = [];
  const server = await StratumServer.start({
    host: '127.0.0.1',
    port,
    keys: poolKeys,
    replicaId: Uint8Array.of(1),
    sink: { onShare: (s) => shares.push(s), onBlock: (b) => blocks.push(b) },
    vardiff: {
      targetIntervalSec: 1,
      retargetMs: 600_000,
      maxStep: 4,
      minDifficulty: 256n,
      maxDifficulty: 1n << 40n,
    },
  });
  return { server, shares, blocks };
}

/**
 * A recording pool with job 1 and a translator (user `proxy.default`, on 127.0.0.1) in front of
 * it; `stop` closes both.
 */
export async function translatorBehindPool(
  opts: Partial<TranslatorOptions> = {},
): Promise<{ pool: RecordingPool; tr: Translator; stop: () => Promise<void> }> {
  const pool = await startPool();
  await pool.server.pushJob(template(1));
  const tr = await Translator.start({
    host: '127.0.0.1',
    port: 0,
    upstream: { host: '127.0.0.1', port: pool.server.port, authorityPublicKey: authority.encoded.publicKey },
    user: 'proxy.default',
    ...opts,
  }).catch(async (err: unknown) => {
    await pool.server.close();
    throw err;
  });
  return {
    pool,
    tr,
    async stop() {
      await tr.stop();
      await pool.server.close();
    },
  };
}

export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw line-oriented TCP client that records every JSON line received. */
export class RawV1Client {
  readonly received: Record<string, unknown>[] = [];
  readonly rawLines: string[] = [];
  closed = false;
  private buf = '';

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.rawLines.push(line);
        this.received.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static connect(port: number): Promise<RawV1Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawV1Client(s)));
      s.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  line(text: string): void {
    this.socket.write(`${text}\n`);
  }

  reply(id: unknown): Record<string, unknown> | undefined {
    return this.received.find((m) => m.id === id && !('method' in m));
  }

  notifications(method: string): unknown[][] {
    return this.received.filter((m) => m.method === method).map((m) => m.params as unknown[]);
  }

  async waitReply(id: unknown, ms = 10_000): Promise<Record<string, unknown>> {
    await until(() => this.reply(id) !== undefined || this.closed, `reply ${String(id)}`, ms);
    const r = this.reply(id);
    if (!r) throw new Error(`connection closed before reply ${String(id)}`);
    return r;
  }

  close(): void {
    this.socket.destroy();
  }
}
