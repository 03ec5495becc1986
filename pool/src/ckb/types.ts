/**
 * CKB JSON-RPC shapes as the node sends and accepts them (`util/jsonrpc-types`): snake_case fields,
 * numbers as `0x` hex strings, byte strings as `0x` hex in byte order.
 */

export type Hex = string;

export interface JsonScript {
  code_hash: Hex;
  hash_type: 'data' | 'type' | 'data1' | 'data2';
  args: Hex;
}

export interface JsonOutPoint {
  tx_hash: Hex;
  index: Hex;
}

export interface JsonCellInput {
  previous_output: JsonOutPoint;
  since: Hex;
}

export interface JsonCellOutput {
  capacity: Hex;
  lock: JsonScript;
  type: JsonScript | null;
}

export interface JsonCellDep {
  out_point: JsonOutPoint;
  dep_type: 'code' | 'dep_group';
}

/** `Transaction` as `submit_block` accepts it (no `hash`: the node denies unknown fields). */
export interface JsonTransaction {
  version: Hex;
  cell_deps: JsonCellDep[];
  header_deps: Hex[];
  inputs: JsonCellInput[];
  outputs: JsonCellOutput[];
  outputs_data: Hex[];
  witnesses: Hex[];
}

/** `Header` (without `hash`): what `submit_block` takes. */
export interface JsonHeader {
  version: Hex;
  compact_target: Hex;
  timestamp: Hex;
  number: Hex;
  epoch: Hex;
  parent_hash: Hex;
  transactions_root: Hex;
  proposals_hash: Hex;
  extra_hash: Hex;
  dao: Hex;
  nonce: Hex;
}

/** `HeaderView`: a header plus its hash, as `get_tip_header` and subscriptions return it. */
export interface JsonHeaderView extends JsonHeader {
  hash: Hex;
}

export interface JsonUncleBlock {
  header: JsonHeader;
  proposals: Hex[];
}

/** `Block` as `submit_block` accepts it. */
export interface JsonBlock {
  header: JsonHeader;
  uncles: JsonUncleBlock[];
  transactions: JsonTransaction[];
  proposals: Hex[];
  extension?: Hex;
}

/** `BlockView` as `get_block`/`get_block_by_number` return it (hashes included). */
export interface JsonBlockView {
  header: JsonHeaderView;
  uncles: { header: JsonHeaderView; proposals: Hex[] }[];
  transactions: (JsonTransaction & { hash: Hex })[];
  proposals: Hex[];
  extension?: Hex;
}

export interface UncleTemplate {
  hash: Hex;
  required: boolean;
  proposals: Hex[];
  header: JsonHeader;
}

export interface TransactionTemplate {
  hash: Hex;
  required: boolean;
  cycles?: Hex | null;
  depends?: Hex[] | null;
  data: JsonTransaction;
}

export interface CellbaseTemplate {
  hash: Hex;
  cycles?: Hex | null;
  data: JsonTransaction;
}

/** Result of `get_block_template` (`util/jsonrpc-types/src/block_template.rs`). */
export interface BlockTemplate {
  version: Hex;
  compact_target: Hex;
  current_time: Hex;
  number: Hex;
  epoch: Hex;
  parent_hash: Hex;
  cycles_limit: Hex;
  bytes_limit: Hex;
  uncles_count_limit: Hex;
  uncles: UncleTemplate[];
  transactions: TransactionTemplate[];
  proposals: Hex[];
  cellbase: CellbaseTemplate;
  work_id: Hex;
  dao: Hex;
  extension?: Hex | null;
}

/** Result of `get_blockchain_info` (the fields a pool reads; the node sends more). */
export interface BlockchainInfo {
  chain: string;
  median_time: Hex;
  epoch: Hex;
  difficulty: Hex;
  is_initial_block_download: boolean;
  alerts: unknown[];
}

/** Result of `sync_state` (Net module; the fields a pool reads). */
export interface SyncState {
  /** Initial block download: the node's tip is far behind the wall clock. */
  ibd: boolean;
  /** Best block number the node knows of from its peers (tip / best = sync progress). */
  best_known_block_number: Hex;
  best_known_block_timestamp: Hex;
}

/** Result of `local_node_info` (the fields a pool reads; the node sends more). */
export interface LocalNodeInfo {
  version: string;
  node_id: string;
  active: boolean;
  addresses: { address: string; score: Hex }[];
  protocols?: unknown[];
  connections: Hex;
}
