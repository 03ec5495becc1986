/**
 * A stratum replica as its own OS process: `eaglepool pool stratum` run from the sources
 * (`node --import tsx pool/src/cli/main.ts pool stratum …`), so a test can SIGKILL or SIGTERM it.
 * Its JSON log lines are kept; the listening port and replica id come from its
 * `stratum listening` line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Replicas still running when the test process exits (vitest interrupted) are killed with it.
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

export interface ReplicaOptions {
  name: string;
  /** `--set key=value` pairs. */
  sets: Record<string, string | number>;
  noiseDir: string;
  /** Extra environment (e.g. EAGLEPOOL_VARDIFF_TARGET_SECONDS). */
  env?: Record<string, string>;
}

export class ReplicaProcess {
  readonly lines: string[] = [];
  port = 0;
  replicaId = -1;
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null | undefined;
  readonly exited: Promise<void>;
  private listening: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      }),
    );
    let onListening!: () => void;
    this.listening = new Promise((resolve) => (onListening = resolve));
    const collect = (chunk: Buffer, rest: { text: string }) => {
      rest.text += chunk.toString('utf8');
      const parts = rest.text.split('\n');
      rest.text = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        if (line.includes('"stratum listening"')) {
          const entry = JSON.parse(line) as { port: number; replicaId: number };
          this.port = entry.port;
          this.replicaId = entry.replicaId;
          onListening();
        }
      }
    };
    const out = { text: '' };
    const err = { text: '' };
    child.stdout!.on('data', (c: Buffer) => collect(c, out));
    child.stderr!.on('data', (c: Buffer) => collect(c, err));
  }

  static async start(opts: ReplicaOptions, timeoutMs = 30_000): Promise<ReplicaProcess> {
    // EAGLEPOOL_REPLICA_NODE_ARGS adds node flags to every replica (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
    const nodeArgs = (process.env.EAGLEPOOL_REPLICA_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const args = [
      ...nodeArgs,
      '--import',
      'tsx',
      'pool/src/cli/main.ts',
      'pool',
      'stratum',
      '--noise-dir',
      opts.noiseDir,
    ];
    for (const [k, v] of Object.entries(opts.sets)) args.push('--set', `${k}=${v}`);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, EAGLEPOOL_CONFIG: '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const replica = new ReplicaProcess(opts.name, child);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        replica.listening,
        replica.exited.then(() => {
          throw new Error(`replica ${opts.name} exited (${replica.exitCode}) before listening`);
        }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`replica ${opts.name} not listening in time`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      replica.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${replica.tail()}`);
    } finally {
      clearTimeout(timer);
    }
    return replica;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Stops the process if still running (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last log lines, for failure messages. */
  tail(n = 20): string {
    return this.lines
      .slice(-n)
      .map((l) => `  [${this.name}] ${l}`)
      .join('\n');
  }
}
