/**
 * Valid shares without heavy hashing: against the easy targets a load test uses, a share
 * costs `difficulty` Eaglesong hashes on average. `ShareFinder` keeps one Eaglesong midstate
 * per job (shared by every simulated miner) and, per miner, a cursor and a small queue of
 * nonces found in batches (about 8 shares' worth) with `EaglesongJob.search`, so a miner never
 * submits the same N twice and an easy target costs no more hashing than it needs.
 */
import { bytesBEToTarget, targetToDifficulty } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';

/** Nonces searched per batch: about 8 shares' worth, within these bounds. */
const MIN_BATCH = 16;
const MAX_BATCH = 65_536;

function batchFor(targetBE: Uint8Array): number {
  const target = bytesBEToTarget(targetBE);
  if (target === 0n) return MAX_BATCH;
  const want = targetToDifficulty(target) * 8n;
  return want < BigInt(MIN_BATCH) ? MIN_BATCH : want > BigInt(MAX_BATCH) ? MAX_BATCH : Number(want);
}

export class JobHashers {
  private readonly byPowHash = new Map<string, EaglesongJob>();

  get(powHashHex: string): EaglesongJob {
    let h = this.byPowHash.get(powHashHex);
    if (!h) {
      // Keep only a few jobs: the newest ones are the ones being mined.
      if (this.byPowHash.size >= 8) {
        const [oldest, job] = this.byPowHash.entries().next().value as [string, EaglesongJob];
        job.free();
        this.byPowHash.delete(oldest);
      }
      h = new EaglesongJob(Buffer.from(powHashHex, 'hex'));
      this.byPowHash.set(powHashHex, h);
    }
    return h;
  }

  free(): void {
    for (const h of this.byPowHash.values()) h.free();
    this.byPowHash.clear();
  }
}

/** One miner's share source for its current job: N = base with bytes 12..16 = u32 LE nonce. */
export class ShareFinder {
  private cursor = 0;
  private readonly queue: number[] = [];
  private hasher: EaglesongJob | undefined;
  readonly base = new Uint8Array(16);
  private targetBE: Uint8Array = new Uint8Array(32).fill(0xff);
  private batch = MIN_BATCH;

  constructor(private readonly hashers: JobHashers) {}

  /** New work: nonce template (prefix in place), job pow_hash, target (32 bytes BE). */
  reset(prefix: Uint8Array, powHashHex: string, targetBE: Uint8Array): void {
    this.base.fill(0);
    this.base.set(prefix, 0);
    this.hasher = this.hashers.get(powHashHex);
    this.targetBE = targetBE;
    this.batch = batchFor(targetBE);
    this.cursor = 0;
    this.queue.length = 0;
  }

  setTarget(targetBE: Uint8Array): void {
    this.targetBE = targetBE;
    this.batch = batchFor(targetBE);
    this.queue.length = 0;
  }

  /** The next u32 nonce whose N meets the target, or undefined without work / space. */
  next(): number | undefined {
    const h = this.hasher;
    if (!h) return undefined;
    while (this.queue.length === 0) {
      if (this.cursor >= 2 ** 32 - this.batch) return undefined;
      const found = h.search(this.base, this.cursor, this.batch, this.targetBE);
      this.cursor += this.batch;
      for (let i = found.length - 1; i >= 0; i--) this.queue.push(found[i]!);
    }
    return this.queue.pop();
  }
}
