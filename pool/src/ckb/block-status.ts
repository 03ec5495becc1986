/**
 * Where a block the pool submitted stands on the node's chain. A real node answers submit_block with
 * the block's hash for a block on the main chain AND for one it keeps as a side block (its parent is
 * no longer the tip: it may become an uncle later), and for a duplicate. So the answer alone never
 * says "found": the chain does. `classifyBlock` is the pure rule; `lookUpBlock` asks the node.
 */
/** What the node's chain says about one block, read right after submit_block. */
export interface ChainFacts {
  /** The node's tip height. */
  tipNumber: bigint;
  /** get_block_hash(number): the main chain's block at the block's height; undefined above the tip. */
  mainHashAtHeight: string | undefined;
  /** get_header(hash) answered: the node stores the block (main chain or side block). */
  known: boolean;
}

/**
 * - `main`: the block is the main chain's block at its height (found; rewards follow its confirmations).
 * - `side`: the node stores it, another block holds its height on the main chain (a side block, which a
 *   later block may include as an uncle: no block reward, only the uncle's share of proposal rewards).
 * - `stale`: the node does not have it and another block holds its height (e.g. the devnet refused it).
 * - `unknown`: the node does not have it and its chain is below the height: nothing to conclude yet.
 */
export type ChainPlacement =
  | { placement: 'main' }
  | { placement: 'side'; mainHash: string }
  | { placement: 'stale'; mainHash: string }
  | { placement: 'unknown' };

export function classifyBlock(number: bigint, hash: string, facts: ChainFacts): ChainPlacement {
  const main = facts.mainHashAtHeight?.toLowerCase();
  if (main === hash.toLowerCase()) return { placement: 'main' };
  if (main === undefined || facts.tipNumber < number) return { placement: 'unknown' };
  return facts.known ? { placement: 'side', mainHash: main } : { placement: 'stale', mainHash: main };
}

/** One line for logs and records: why a block is not on the main chain. */
export function placementReason(number: bigint, p: ChainPlacement): string {
  switch (p.placement) {
    case 'main':
      return '';
    case 'side':
      return `side block: the main chain has ${p.mainHash} at ${number}`;
    case 'stale':
      return `not on the node; the main chain has ${p.mainHash} at ${number}`;
    case 'unknown':
      return `not on the node; its chain is below ${number}`;
  }
}
