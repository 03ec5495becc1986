/**
 * `eaglepool pool dev` as its own OS process, run from the sources like a user runs it
 * (`node --import tsx pool/src/cli/main.ts pool dev --api-port 0 …`): the dashboard URL comes
 * from the line it prints, the pool's blocks from its `block N HASH on the main chain` lines.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** Deadline-bounded poll: resolves with the first truthy value, else fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds pool/web into dist/web (as `npm run build` does) unless the build is newer than the sources. */
export function buildWeb(): void {
  const index = join(ROOT, 'dist/web/index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newestMtime(join(ROOT, 'pool/web'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'pool/web/vite.config.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export class PoolDevProcess {
  readonly lines: string[] = [];
  url = '';
  stratumPort = 0;
  authorityKey = '';
  /** The demo miner's account (its testnet address while payouts run, else `dev`) and the pool wallet. */
  minerAccount = 'dev';
  walletAddress = '';
  private constructor(private readonly child: ChildProcess) {
    running.add(child);
    child.once('exit', () => running.delete(child));
    let rest = '';
    const collect = (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      const parts = rest.split(/\r?\n/);
      rest = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        const m = /pool dev: dashboard (http:\/\/\S+)/.exec(line);
        if (m) this.url = m[1]!.replace(/\/$/, '');
        const s = /pool dev: stratum\+tcp:\/\/127\.0\.0\.1:(\d+) authority key (\w+)/.exec(line);
        if (s) [this.stratumPort, this.authorityKey] = [Number(s[1]), s[2]!];
        const w = /pool dev: payouts on, pool wallet (ckt1\w+) .*demo miner user (ckt1\w+)\.\w+/.exec(line);
        if (w) [this.walletAddress, this.minerAccount] = [w[1]!, w[2]!];
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
  }

  /** Starts `pool dev` with the given extra flags and waits for its dashboard URL. */
  static async start(args: string[] = []): Promise<PoolDevProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'pool/src/cli/main.ts',
        'pool',
        'dev',
        '--stratum-port',
        '0',
        '--api-port',
        '0',
        ...args,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pool = new PoolDevProcess(child);
    await waitFor('pool dev to print its dashboard URL', () => pool.url || child.exitCode !== null).catch(
      (err: Error) => {
        child.kill('SIGKILL');
        throw new Error(`${err.message}\n${pool.lines.slice(-20).join('\n')}`);
      },
    );
    if (!pool.url) throw new Error(`pool dev exited:\n${pool.lines.slice(-20).join('\n')}`);
    const payoutsOff = args.includes('--ckb-rpc') || args.join(' ').includes('--payouts off');
    if (!payoutsOff) await waitFor('pool dev to print its pool wallet', () => pool.walletAddress);
    return pool;
  }

  /** Heights of the pool's blocks on the node's main chain so far. */
  acceptedBlocks(): string[] {
    return this.lines.flatMap(
      (l) => /pool dev: block (\d+) 0x[0-9a-f]{64} on the main chain/.exec(l)?.[1] ?? [],
    );
  }

  async get<T>(path: string): Promise<{ status: number; body: T; type: string }> {
    const res = await fetch(this.url + path);
    return { status: res.status, body: (await res.json()) as T, type: res.headers.get('content-type') ?? '' };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
