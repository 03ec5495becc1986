/**
 * Client for the CKB node's Subscription module over TCP (`[rpc] tcp_listen_address`): newline-delimited
 * JSON-RPC. `subscribe(topic)` answers with a subscription id; pushes look like
 * `{"jsonrpc":"2.0","method":"subscribe","params":{"subscription":"0x…","result":…}}` where the node
 * sends `result` as a JSON-encoded string (jsonrpc-utils `PublishMsg::result(&json_string)`); an object is
 * accepted too.
 */
import net from 'node:net';

export interface TcpSubscriptionOptions {
  /** tcp://host:port */
  url: string;
  topic: 'new_tip_header' | 'new_tip_block';
  /** Called once the node has confirmed the subscription. */
  onSubscribed?(): void;
  onMessage(result: unknown): void;
  /** Called once, when the subscription ends for any reason (never called after close()). */
  onClose(reason: Error): void;
  /** Give up if not subscribed within this time (default 5000 ms). */
  timeoutMs?: number;
  /** Longest accepted line (default 4 MiB; the node's codec allows 2 MiB). */
  maxLineBytes?: number;
}

export class TcpSubscription {
  private readonly socket: net.Socket;
  private buffer = '';
  private subscriptionId: string | undefined;
  private ended = false;
  private readonly subscribeTimer: NodeJS.Timeout;

  constructor(private readonly opts: TcpSubscriptionOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'tcp:') throw new TypeError(`subscription URL must be tcp://host:port: ${opts.url}`);
    this.socket = net.connect({ host: url.hostname, port: Number(url.port) });
    this.socket.setEncoding('utf8');
    this.socket.setKeepAlive(true, 10_000);
    this.subscribeTimer = setTimeout(
      () => this.fail(new Error(`not subscribed within ${opts.timeoutMs ?? 5000} ms`)),
      opts.timeoutMs ?? 5000,
    );
    this.socket.on('connect', () => {
      this.socket.write(
        JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'subscribe', params: [opts.topic] }) + '\n',
      );
    });
    this.socket.on('data', (chunk: string) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('subscription connection closed')));
  }

  /** True once the node has confirmed the subscription. */
  get subscribed(): boolean {
    return this.subscriptionId !== undefined;
  }

  close(): void {
    this.ended = true;
    clearTimeout(this.subscribeTimer);
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > (this.opts.maxLineBytes ?? 4 * 1024 * 1024)) {
      return this.fail(new Error('subscription line too long'));
    }
    let nl: number;
    while (!this.ended && (nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    // Not JSON, or JSON that is no message (`null`, a number: reading its members would throw).
    if (typeof parsed !== 'object' || parsed === null)
      return this.fail(new Error(`malformed subscription line: ${line.slice(0, 120)}`));
    const msg = parsed as {
      id?: unknown;
      result?: unknown;
      error?: { message?: unknown };
      method?: unknown;
      params?: unknown;
    };
    if (msg.id === 1) {
      if (msg.error) return this.fail(new Error(`subscribe rejected: ${String(msg.error.message)}`));
      if (typeof msg.result !== 'string') return this.fail(new Error('subscribe answered without an id'));
      this.subscriptionId = msg.result;
      clearTimeout(this.subscribeTimer);
      this.opts.onSubscribed?.();
      return;
    }
    const params = msg.params as { subscription?: unknown; result?: unknown } | undefined;
    if (msg.method !== 'subscribe' || !params || params.subscription !== this.subscriptionId) return;
    let result = params.result;
    if (typeof result === 'string') {
      try {
        result = JSON.parse(result);
      } catch {
        return this.fail(new Error('subscription result is not JSON'));
      }
    }
    this.opts.onMessage(result);
  }

  private fail(reason: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.subscribeTimer);
    this.socket.destroy();
    this.opts.onClose(reason);
  }
}

/**
 * Whether `url` is a node's TCP subscription endpoint: connects, subscribes to new_tip_header and
 * resolves true once the node confirms (then closes), false on any failure or after `timeoutMs`.
 */
export function probeSubscription(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let sub: TcpSubscription | undefined;
    try {
      sub = new TcpSubscription({
        url,
        topic: 'new_tip_header',
        timeoutMs,
        onSubscribed: () => (sub?.close(), resolve(true)),
        onMessage: () => undefined,
        onClose: () => resolve(false),
      });
    } catch {
      resolve(false);
    }
  });
}

/** ckb.toml's convention: the TCP subscription listens 10000 above the HTTP RPC port (8114 → 18114). */
export function conventionalSubscriptionUrl(rpcUrl: string): string | undefined {
  const url = new URL(rpcUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80)) + 10_000;
  return port <= 65_535 ? `tcp://${url.hostname}:${port}` : undefined;
}
