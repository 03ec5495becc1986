/**
 * The share log as the ledger reads it: every share of the Kafka shares topic (or the in-memory
 * bus), read from the start of each partition, committing nothing, kept in memory by share id.
 * A PPLNS window is cut from it only once it has shares accepted `latenessMs` after the block
 * share (or the log has been quiet that long), so shares of other replicas still in flight when
 * the block was found are in.
 */
import { decodeShareMessage } from '../bus/records.js';
import type { EventBus, Subscription } from '../bus/types.js';
import type { Logger } from '../observability/logger.js';
import { pplnsWindow, type LoggedShare } from '../ledger/pplns.js';

export class ShareIndex {
  private readonly shares = new Map<string, LoggedShare>();
  private newest = 0n;
  private lastMessageAt: number;
  private subscription: Subscription | undefined;

  constructor(
    private readonly latenessMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastMessageAt = now();
  }

  async follow(bus: EventBus, topic: string, groupId: string, logger: Logger): Promise<void> {
    this.subscription = await bus.subscribe({
      topic,
      groupId,
      fromBeginning: true,
      tail: Number.MAX_SAFE_INTEGER,
      handler: async (batch) => {
        for (const msg of batch) {
          try {
            this.add(decodeShareMessage(msg.value));
          } catch (err) {
            logger.error('share index: skipping a malformed share record', { offset: msg.offset, err });
          }
        }
      },
    });
  }

  add(shares: Iterable<LoggedShare>): void {
    for (const s of shares) {
      if (!this.shares.has(s.shareId))
        this.shares.set(s.shareId, {
          shareId: s.shareId,
          user: s.user,
          difficulty: s.difficulty,
          acceptedAt: s.acceptedAt,
        });
      if (s.acceptedAt > this.newest) this.newest = s.acceptedAt;
    }
    this.lastMessageAt = this.now();
  }

  has(shareId: string): boolean {
    return this.shares.has(shareId);
  }

  /** Milliseconds since the last message arrived (or since the index was made). */
  quietMs(): number {
    return this.now() - this.lastMessageAt;
  }

  /** The window of the block share, or undefined while it is not known or may still be missing shares. */
  window(blockShareId: string, weight: bigint): Map<string, bigint> | undefined {
    const block = this.shares.get(blockShareId);
    if (!block) return undefined;
    const settled =
      this.newest >= block.acceptedAt + BigInt(this.latenessMs) ||
      this.now() - this.lastMessageAt >= this.latenessMs;
    return settled ? pplnsWindow(this.shares.values(), blockShareId, weight) : undefined;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
