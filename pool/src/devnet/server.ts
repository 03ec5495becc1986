/**
 * The devnet's network edge: JSON-RPC 2.0 over HTTP (single and batch requests) and the node's TCP
 * endpoint (newline-delimited JSON-RPC, the same methods plus `subscribe`/`unsubscribe` for
 * `new_tip_header` and `new_tip_block`). Method results and errors mirror the node's.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { packEpoch } from '../ckb/header.js';
import { hexToUint, uintToHex } from '../ckb/hex.js';
import { compactToDifficulty } from '../ckb/target.js';
import type { JsonOutPoint } from '../ckb/types.js';
import type { DevBlock, DevChain } from './chain.js';
import { DevnetRpcError } from './errors.js';

type Topic = 'new_tip_header' | 'new_tip_block';
const TOPICS: readonly string[] = [
  'new_tip_header',
  'new_tip_block',
  'new_transaction',
  'proposed_transaction',
  'rejected_transaction',
  'logs',
];
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_LINE_BYTES = 2 * 1024 * 1024; // the node's LinesCodec limit

interface Session {
  subscriptions: Map<string, Topic>;
  write(line: string): void;
}

interface JsonRpcRequest {
  id?: unknown;
  jsonrpc?: unknown;
  method?: unknown;
  params?: unknown;
}

export interface DevnetServerOptions {
  chain: DevChain;
  host: string;
  port: number;
  /** TCP subscription port; undefined disables the TCP endpoint. */
  tcpPort?: number;
}

export class DevnetServer {
  private readonly http: http.Server;
  private readonly tcp: net.Server | undefined;
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<net.Socket>();
  /** Called after each block that became the new tip. */
  onBlock: (block: DevBlock) => void = () => {};

  constructor(private readonly opts: DevnetServerOptions) {
    this.http = http.createServer((req, res) => this.onHttp(req, res));
    this.http.keepAliveTimeout = 30_000;
    this.tcp = opts.tcpPort === undefined ? undefined : net.createServer((socket) => this.onTcp(socket));
  }

  async listen(): Promise<{ port: number; tcpPort?: number }> {
    const port = await listen(this.http, this.opts.host, this.opts.port);
    const tcpPort = this.tcp ? await listen(this.tcp, this.opts.host, this.opts.tcpPort!) : undefined;
    return { port, tcpPort };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.http.closeAllConnections();
    await Promise.all([closeServer(this.http), this.tcp ? closeServer(this.tcp) : Promise.resolve()]);
  }

  /** Pushes a new tip to every subscriber, as the node does (result is a JSON-encoded string). */
  publishTip(block: DevBlock): void {
    for (const session of this.sessions) {
      for (const [id, topic] of session.subscriptions) {
        const payload = topic === 'new_tip_header' ? block.view.header : block.view;
        session.write(
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'subscribe',
            params: { subscription: id, result: JSON.stringify(payload) },
          }),
        );
      }
    }
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const answer = this.handleText(Buffer.concat(chunks).toString('utf8'), undefined);
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer ?? '');
    });
  }

  private onTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    const session: Session = { subscriptions: new Map(), write: (line) => socket.write(line + '\n') };
    this.sessions.add(session);
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE_BYTES) return socket.destroy();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const answer = this.handleText(line, session);
        if (answer !== undefined) session.write(answer);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sessions.delete(session);
      this.sockets.delete(socket);
    });
  }

  /** One HTTP body or TCP line → the response text (undefined for notifications only). */
  private handleText(text: string, session: Session | undefined): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0)
        return JSON.stringify(errorResponse(null, new DevnetRpcError(-32600, 'Invalid request')));
      const answers = parsed
        .map((r) => this.handleRequest(r as JsonRpcRequest, session))
        .filter((a) => a !== undefined);
      return answers.length > 0 ? JSON.stringify(answers) : undefined;
    }
    const answer = this.handleRequest(parsed as JsonRpcRequest, session);
    return answer === undefined ? undefined : JSON.stringify(answer);
  }

  private handleRequest(req: JsonRpcRequest, session: Session | undefined): object | undefined {
    if (typeof req !== 'object' || req === null || req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
      return errorResponse(null, new DevnetRpcError(-32600, 'Invalid request'));
    }
    const id = req.id ?? null;
    const params = req.params === undefined ? [] : req.params;
    try {
      if (!Array.isArray(params))
        throw new DevnetRpcError(-32602, 'Invalid params: expected an array of positional params');
      const result = this.dispatch(req.method, params, session);
      return req.id === undefined ? undefined : { jsonrpc: '2.0', result, id };
    } catch (err) {
      const error =
        err instanceof DevnetRpcError
          ? err
          : new DevnetRpcError(-1, `CKBInternalError: ${(err as Error).message}`);
      return errorResponse(id, error);
    }
  }

  private dispatch(method: string, params: unknown[], session: Session | undefined): unknown {
    const chain = this.opts.chain;
    switch (method) {
      case 'get_block_template':
        return chain.template();
      case 'submit_block': {
        if (params.length !== 2 || typeof params[0] !== 'string') {
          throw new DevnetRpcError(-32602, 'Invalid params: expected [work_id: string, block: Block]');
        }
        const before = chain.tip;
        const { hash } = chain.submit(params[1]);
        if (chain.tip !== before) this.onBlock(chain.tip);
        return hash;
      }
      case 'get_tip_header':
        return chain.tipHeaderView();
      case 'get_tip_block_number':
        return uintToHex(chain.tip.number);
      case 'get_block_hash':
        return chain.blockByNumber(numberParam(params))?.hash ?? null;
      case 'get_header_by_number':
        return chain.blockByNumber(numberParam(params))?.view.header ?? null;
      case 'get_block_by_number':
        return chain.blockByNumber(numberParam(params))?.view ?? null;
      // Like the node: get_header/get_block answer main-chain blocks only, get_fork_block the others.
      case 'get_header':
        return mainBlock(chain, hashParam(params))?.view.header ?? null;
      case 'get_block':
        return mainBlock(chain, hashParam(params))?.view ?? null;
      case 'get_fork_block': {
        const b = chain.blockByHash(hashParam(params));
        return b && !mainBlock(chain, b.hash) ? b.view : null;
      }
      case 'get_block_economic_state':
        return chain.economicState(hashParam(params));
      case 'send_transaction':
        return chain.sendTransaction(params[0], params[1]);
      case 'get_transaction':
        return chain.transactionStatus(hashParam(params));
      case 'get_live_cell':
        if (typeof params[1] !== 'boolean')
          throw new DevnetRpcError(-32602, 'Invalid params: expected [out_point, with_data: bool]');
        return chain.cells.liveCell(outPointParam(params[0]), params[1]);
      case 'get_indexer_tip':
        return { block_hash: chain.tip.hash, block_number: uintToHex(chain.tip.number) };
      case 'get_cells':
        return chain.cells.findCells(params[0], params[1], params[2], params[3]);
      case 'get_cells_capacity':
        return {
          capacity: uintToHex(chain.cells.cellsCapacity(params[0])),
          block_hash: chain.tip.hash,
          block_number: uintToHex(chain.tip.number),
        };
      case 'get_consensus':
        return consensusOf(chain);
      case 'get_blockchain_info':
        return {
          chain: 'ckb_dev',
          median_time: uintToHex(chain.medianTime()),
          epoch: chain.tip.view.header.epoch,
          difficulty: uintToHex(compactToDifficulty(chain.tip.header.compactTarget)),
          is_initial_block_download: false,
          alerts: [],
        };
      case 'sync_state':
        // A devnet has no peers: it is always caught up with itself.
        return {
          ibd: false,
          best_known_block_number: uintToHex(chain.tip.number),
          best_known_block_timestamp: chain.tip.view.header.timestamp,
        };
      case 'local_node_info':
        return {
          version: 'eaglepool-devnet',
          node_id: 'QmEaglepoolDevnet',
          active: true,
          addresses: [],
          protocols: [],
          connections: '0x0',
        };
      case 'subscribe': {
        // Like the node: subscriptions need a session (TCP/WebSocket), HTTP gets "Method not found".
        if (!session) throw new DevnetRpcError(-32601, 'Method not found');
        const topic = params[0];
        if (typeof topic !== 'string' || !TOPICS.includes(topic)) {
          throw new DevnetRpcError(
            -32602,
            `Invalid params: unknown variant \`${String(topic)}\`, expected one of ${TOPICS.map((t) => `\`${t}\``).join(', ')}`,
          );
        }
        const id = '0x' + randomBytes(16).toString('hex');
        // Topics other than tips are accepted but never fire: the devnet has no transaction pool.
        session.subscriptions.set(id, topic as Topic);
        return id;
      }
      case 'unsubscribe':
        if (!session) throw new DevnetRpcError(-32601, 'Method not found');
        return session.subscriptions.delete(String(params[0]));
      default:
        throw new DevnetRpcError(-32601, 'Method not found');
    }
  }
}

/** The `get_consensus` fields the devnet has (a subset of the node's answer, same names and encodings). */
function consensusOf(chain: DevChain): object {
  return {
    id: 'ckb_dev',
    genesis_hash: chain.blockByNumber(0n)!.hash,
    cellbase_maturity: uintToHex(packEpoch(chain.cellbaseMaturity)),
    max_uncles_num: '0x2',
    tx_proposal_window: { closest: '0x2', farthest: '0xa' },
    proposer_reward_ratio: { numer: '0x4', denom: '0xa' },
    block_version: '0x0',
  };
}

function errorResponse(id: unknown, err: DevnetRpcError): object {
  const error: { code: number; message: string; data?: string } = { code: err.code, message: err.message };
  if (err.data !== undefined) error.data = err.data;
  return { jsonrpc: '2.0', error, id };
}

function numberParam(params: unknown[]): bigint {
  try {
    return hexToUint(params[0] as string);
  } catch (err) {
    throw new DevnetRpcError(-32602, `Invalid params: ${(err as Error).message}`);
  }
}

function mainBlock(chain: DevChain, hash: string): DevBlock | undefined {
  const b = chain.blockByHash(hash);
  return b && chain.blockByNumber(b.number) === b ? b : undefined;
}

function outPointParam(o: unknown): JsonOutPoint {
  const p = o as JsonOutPoint | null;
  if (
    !p ||
    typeof p.tx_hash !== 'string' ||
    !/^0x[0-9a-fA-F]{64}$/.test(p.tx_hash) ||
    typeof p.index !== 'string'
  )
    throw new DevnetRpcError(-32602, 'Invalid params: expected an OutPoint {tx_hash, index}');
  numberParam([p.index]);
  return p;
}

function hashParam(params: unknown[]): string {
  const h = params[0];
  if (typeof h !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(h))
    throw new DevnetRpcError(-32602, 'Invalid params: expected an H256');
  return h;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
