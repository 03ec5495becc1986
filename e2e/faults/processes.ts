/**
 * Processes of the fault tests: an `eaglepool pool <service>` child run from the sources (its
 * log lines kept, waited on by content) and a private redis-server on a port the test chooses,
 * so the test can stop, freeze (SIGSTOP) and resume it without touching the shared servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafka } from '../infra/harness/kafka.js';
import { infraBinaries } from '../infra/harness/paths.js';
import { ServiceGroup, waitUntilReady } from '../infra/harness/process.js';
import net from 'node:net';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** Polls `probe` every 50 ms until it returns a value (not undefined/false); throws naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class PoolProcess {
  readonly lines: string[] = [];
  exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Record<string, string> = {},
  ) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'pool/src/cli/main.ts', 'pool', ...args], {
      cwd: ROOT,
      env: { ...process.env, EAGLEPOOL_CONFIG: '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        running.delete(child);
        this.exitCode = code;
        resolve();
      }),
    );
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop()!;
        this.lines.push(...parts);
      });
    }
  }

  private readonly child: ChildProcess;

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The first log line containing `text`, once it was printed (fails if the process exits first). */
  line(text: string, timeoutMs = 60_000): Promise<string> {
    return waitFor(
      `${this.name} to log "${text}"\n${this.tail()}`,
      () => {
        const found = this.lines.find((l) => l.includes(text));
        if (found) return found;
        if (!this.alive)
          throw new Error(`${this.name} exited (${this.exitCode}) before "${text}"\n${this.tail()}`);
        return undefined;
      },
      timeoutMs,
    );
  }

  /** Sends `signal` (e.g. SIGKILL: a crash, nothing flushed). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  tail(n = 20): string {
    return this.lines
      .slice(-n)
      .map((l) => `  [${this.name}] ${l}`)
      .join('\n');
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString('latin1')));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

export interface PrivateRedis {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A redis-server of its own on 127.0.0.1:`port` (optionally with a password), as the harness runs them. */
export async function startPrivateRedis(port: number, password?: string): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-faults-redis-'));
  const group = new ServiceGroup();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  if (password) args.push('--requirepass', password);
  const proc = await group.spawn('redis', infraBinaries().redisServer, args, join(dir, 'redis.log'), {
    cwd: dir,
  });
  await waitUntilReady(proc, `PING on 127.0.0.1:${port}`, () => ping(port), 15_000);
  return {
    url: password ? `redis://:${password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    pid: proc.pid,
    stop: async () => {
      await group.stopAll(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateKafka {
  readonly brokers: string[];
  readonly pid: number;
  stop(): Promise<void>;
}

/** A Kafka broker of its own (the harness's KRaft single node), for tests that freeze it. */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-faults-kafka-'));
  const group = new ServiceGroup();
  const bins = infraBinaries();
  try {
    const kafka = await startKafka(group, dir, bins.java, bins.kafkaLibDir);
    return {
      brokers: kafka.brokers,
      pid: kafka.process.pid,
      stop: async () => {
        await group.stopAll(5000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await group.stopAll(2000);
    throw err;
  }
}

/** Freezes (SIGSTOP) or resumes (SIGCONT) a harness process group: a stall, not a crash. */
export function freeze(pid: number, frozen: boolean): void {
  process.kill(-pid, frozen ? 'SIGSTOP' : 'SIGCONT');
}
