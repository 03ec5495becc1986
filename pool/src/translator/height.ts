/**
 * Block heights for `mining.notify`. SV2 jobs carry no block number, so the translator
 * derives it: the job on parent P has height(P) + 1. Without a lookup the first height is 0
 * and each new parent counts one up from the previous one; with a lookup (a CKB node's
 * `get_header`), every new parent is resolved in the background, and an answer corrects that
 * parent and every guess made after it. Notifies are never delayed for a lookup, so the first
 * notifies after a start (or a reorg) may carry a guess.
 */

/** Height of the block whose hash is given (hex, no 0x), or undefined when unknown. */
export type HeightLookup = (blockHashHex: string) => Promise<number | undefined>;

const REMEMBERED = 64;

interface Entry {
  height: number;
  confirmed: boolean;
}

export class HeightTracker {
  /** Parent hash → height of the job on it, in the order the parents were seen. */
  private readonly known = new Map<string, Entry>();
  private last: Entry | undefined;

  constructor(private readonly lookup?: HeightLookup) {}

  /** Height of the job mined on `parentHashHex` (a new parent starts a lookup). */
  heightFor(parentHashHex: string): number {
    const k = this.known.get(parentHashHex);
    if (k !== undefined) {
      this.last = k;
      return k.height;
    }
    const entry: Entry = { height: this.last === undefined ? 0 : this.last.height + 1, confirmed: false };
    this.known.set(parentHashHex, entry);
    if (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    this.last = entry;
    if (this.lookup) {
      void this.lookup(parentHashHex).then(
        (h) => {
          if (h !== undefined) this.confirm(parentHashHex, h + 1);
        },
        () => {},
      );
    }
    return entry.height;
  }

  /** The current best height for `parentHashHex` (no lookup started), 0 if never seen. */
  peek(parentHashHex: string): number {
    return this.known.get(parentHashHex)?.height ?? 0;
  }

  /** The node's answer for one parent: fix it and shift the unconfirmed guesses made after it. */
  private confirm(parent: string, height: number): void {
    const entry = this.known.get(parent);
    if (!entry) return;
    const delta = height - entry.height;
    entry.height = height;
    entry.confirmed = true;
    if (delta === 0) return;
    let after = false;
    for (const [key, e] of this.known) {
      if (key === parent) after = true;
      else if (after && !e.confirmed) e.height += delta;
    }
  }
}

/** A HeightLookup over a CKB node's JSON-RPC (`get_header`); failures resolve to undefined. */
export function rpcHeightLookup(client: {
  call<T>(method: string, params: unknown[], opts?: { timeoutMs?: number; retries?: number }): Promise<T>;
}): HeightLookup {
  return async (hashHex) => {
    try {
      const header = await client.call<{ number: string } | null>('get_header', [`0x${hashHex}`], {
        timeoutMs: 2000,
        retries: 0,
      });
      return header ? Number(BigInt(header.number)) : undefined;
    } catch {
      return undefined;
    }
  };
}
