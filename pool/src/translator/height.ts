/**
 * Block heights for `mining.notify`. SV2 jobs carry no block number, so the translator
 * derives it: the job on parent P has height(P) + 1. Without a lookup the first height is 0
 * and each new parent counts one up from the previous one; with a lookup (a CKB node's
 * `get_header`), every new parent is resolved in the background and later jobs use the node's
 * answer. Notifies are never delayed for a lookup.
 */

/** Height of the block whose hash is given (hex, no 0x), or undefined when unknown. */
export type HeightLookup = (blockHashHex: string) => Promise<number | undefined>;

const REMEMBERED = 64;

export class HeightTracker {
  /** Parent hash → height of the job on it. */
  private readonly known = new Map<string, number>();
  private last: number | undefined;

  constructor(private readonly lookup?: HeightLookup) {}

  /** Height of the job mined on `parentHashHex`. */
  heightFor(parentHashHex: string): number {
    const k = this.known.get(parentHashHex);
    if (k !== undefined) return (this.last = k);
    const guess = this.last === undefined ? 0 : this.last + 1;
    this.remember(parentHashHex, guess);
    if (this.lookup) {
      void this.lookup(parentHashHex).then(
        (h) => {
          if (h !== undefined) {
            this.remember(parentHashHex, h + 1);
            if (this.last === guess) this.last = h + 1;
          }
        },
        () => {},
      );
    }
    return (this.last = guess);
  }

  /** The current best height for `parentHashHex` (no lookup started), 0 if never seen. */
  peek(parentHashHex: string): number {
    return this.known.get(parentHashHex) ?? 0;
  }

  private remember(parent: string, height: number): void {
    this.known.delete(parent);
    this.known.set(parent, height);
    if (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value as string);
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
