/**
 * A toy UTXO chain for the payout machine's unit tests: a pool of sent transactions, blocks that
 * commit the pooled ones whose inputs are live, drops (a node forgetting a pooled transaction).
 * Transactions are JSON {inputs, outputs, fee}; the hash is a counter.
 */
import type { PayoutChain, TxStatus } from '../machine.js';
import { SendRefused } from '../machine.js';
import type { PayoutInput, PayoutOutput } from '../record.js';

interface FakeTx {
  hash: string;
  inputs: PayoutInput[];
  outputs: PayoutOutput[];
  fee: string;
  signed?: boolean;
}

const key = (i: PayoutInput) => `${i.txHash}:${i.index}`;

export class FakeChain implements PayoutChain {
  readonly live_ = new Map<string, PayoutInput>();
  readonly pool = new Map<string, FakeTx>();
  readonly committed = new Map<string, FakeTx>();
  /** address → capacity received in committed transactions. */
  readonly received = new Map<string, bigint>();
  private n = 0;

  fund(capacity: bigint): void {
    const c = { txHash: `0xfund${++this.n}`, index: 0, capacity };
    this.live_.set(key(c), c);
  }

  async spendableCells(): Promise<PayoutInput[]> {
    return [...this.live_.values()];
  }

  async build(inputs: readonly PayoutInput[], outputs: readonly PayoutOutput[]) {
    const fee = 1000n + BigInt(outputs.length) * 100n;
    const hash = `0xtx${++this.n}`;
    const tx: FakeTx = { hash, inputs: [...inputs], outputs: [...outputs], fee: fee.toString() };
    return { txHash: hash, tx: JSON.stringify(tx, big), fee };
  }

  async sign(tx: string): Promise<string> {
    return JSON.stringify({ ...JSON.parse(tx), signed: true });
  }

  async send(text: string): Promise<void> {
    const tx = parse(text);
    if (!tx.signed) throw new SendRefused(-302, 'TransactionFailedToVerify: unsigned');
    if (this.committed.has(tx.hash) || this.pool.has(tx.hash))
      throw new SendRefused(-1107, 'PoolRejectedDuplicatedTransaction');
    if (!tx.inputs.every((i) => this.live_.has(key(i))))
      throw new SendRefused(-301, 'TransactionFailedToResolve: Unknown(OutPoint)');
    this.pool.set(tx.hash, tx);
  }

  async status(hash: string): Promise<{ status: TxStatus; blockHash?: string }> {
    if (this.committed.has(hash)) return { status: 'committed', blockHash: '0xblock' };
    return { status: this.pool.has(hash) ? 'pending' : 'unknown' };
  }

  async live(i: PayoutInput): Promise<boolean> {
    return this.live_.has(key(i));
  }

  lockArgsBytes(address: string): number | undefined {
    return address.startsWith('bad') ? undefined : 20;
  }

  /** Commits every pooled transaction whose inputs are still live (in pool order). */
  mine(): void {
    for (const tx of this.pool.values()) {
      this.pool.delete(tx.hash);
      if (!tx.inputs.every((i) => this.live_.has(key(i)))) continue;
      for (const i of tx.inputs) this.live_.delete(key(i));
      let out = 0n;
      for (const o of tx.outputs) {
        this.received.set(o.address, (this.received.get(o.address) ?? 0n) + o.amount);
        out += o.amount;
      }
      const inSum = tx.inputs.reduce((s, i) => s + i.capacity, 0n);
      const change = inSum - out - BigInt(tx.fee);
      if (change > 0n) this.live_.set(`${tx.hash}:0`, { txHash: tx.hash, index: 0, capacity: change });
      this.committed.set(tx.hash, tx);
    }
  }

  /** The node forgets its pooled transactions (restart, eviction). */
  drop(): void {
    this.pool.clear();
  }
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? { $big: v.toString() } : v);

function parse(text: string): FakeTx {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && '$big' in v ? BigInt((v as { $big: string }).$big) : v,
  ) as FakeTx;
}
