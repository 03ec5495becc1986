/**
 * A scripted CKB node for service tests: a real HTTP JSON-RPC server answering
 * get_block_template, get_tip_header, sync_state, get_header_by_number, get_block_hash, get_header,
 * get_fork_block and submit_block from state the test controls (templates rebuilt from real mainnet blocks by
 * pool/src/ckb/testing/fixtures). An accepted block becomes the main chain's block at its height (and the
 * tip when it is the highest); a `side` verdict stores it off the main chain, as a node does with a
 * block whose parent is no longer the tip.
 */
import { createServer, type Server } from 'node:http';
import { headerFromJson, headerHashOf } from '../../ckb/header.js';
import { bytesToHex } from '../../ckb/hex.js';
import type { BlockTemplate, JsonBlock, JsonHeaderView, SyncState } from '../../ckb/types.js';
import { closeHttp, listenHttp } from '../../observability/health.js';

export interface FakeNode {
  readonly url: string;
  template: BlockTemplate;
  tip: JsonHeaderView;
  /** sync_state answer; undefined: the method is not found (a node without the Net module). */
  sync?: SyncState;
  /** The main chain's headers by number (get_header_by_number, get_block_hash). */
  readonly headers: Map<bigint, JsonHeaderView>;
  /** Side blocks' headers by hash (get_fork_block finds these; get_header only the main chain's, as ckb does). */
  readonly sideHeaders: Map<string, JsonHeaderView>;
  /** Answers of the next get_block_template calls (then `template`). */
  readonly templateScript: BlockTemplate[];
  /** Answers of the next submit_block calls: an error message, 'accept' or 'side'. Empty: accept. */
  readonly submitScript: ('accept' | 'side' | string)[];
  /** Every submit_block call's block, in order. */
  readonly submitted: JsonBlock[];
  /** Calls per method. */
  readonly calls: Map<string, number>;
  stop(): Promise<void>;
}

export async function startFakeNode(template: BlockTemplate, tip: JsonHeaderView): Promise<FakeNode> {
  const state = {
    template,
    tip,
    sync: {
      ibd: false,
      best_known_block_number: tip.number,
      best_known_block_timestamp: tip.timestamp,
    } as SyncState | undefined,
    headers: new Map<bigint, JsonHeaderView>(),
    sideHeaders: new Map<string, JsonHeaderView>(),
    templateScript: [] as BlockTemplate[],
    submitScript: [] as string[],
    submitted: [] as JsonBlock[],
    calls: new Map<string, number>(),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      state.calls.set(method, (state.calls.get(method) ?? 0) + 1);
      const answer = (result: unknown) => ({ jsonrpc: '2.0', id, result });
      const fail = (message: string) => ({ jsonrpc: '2.0', id, error: { code: -32000, message } });
      let out: unknown;
      if (method === 'get_block_template') out = answer(state.templateScript.shift() ?? state.template);
      else if (method === 'get_tip_header') out = answer(state.tip);
      else if (method === 'sync_state' && state.sync) out = answer(state.sync);
      else if (method === 'get_header_by_number')
        out = answer(state.headers.get(BigInt(params[0] as string)) ?? null);
      else if (method === 'get_block_hash')
        out = answer(state.headers.get(BigInt(params[0] as string))?.hash ?? null);
      else if (method === 'get_header') {
        const hash = params[0] as string;
        out = answer([...state.headers.values()].find((h) => h.hash === hash) ?? null);
      } else if (method === 'get_fork_block') {
        const side = state.sideHeaders.get(params[0] as string);
        out = answer(side ? { header: side, uncles: [], transactions: [], proposals: [] } : null);
      } else if (method === 'submit_block') {
        const block = params[1] as JsonBlock;
        state.submitted.push(block);
        const verdict = state.submitScript.shift() ?? 'accept';
        const view = { ...block.header, hash: bytesToHex(headerHashOf(headerFromJson(block.header))) };
        if (verdict === 'accept') {
          state.headers.set(BigInt(view.number), view);
          if (BigInt(view.number) >= BigInt(state.tip.number)) state.tip = view;
        } else if (verdict === 'side') state.sideHeaders.set(view.hash, view);
        out = verdict === 'accept' || verdict === 'side' ? answer(view.hash) : fail(verdict);
      } else out = fail(`method not found: ${method}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  const port = await listenHttp(server, 0, '127.0.0.1');
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () => closeHttp(server),
  }) as FakeNode;
}
