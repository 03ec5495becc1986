// Child processes of the harness: each dependency runs in its own process group (so teardown
// also reaches anything it forked) with stdout+stderr in a log file whose tail explains failures.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A dependency failed to install, start or answer; the message names it and quotes its log. */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  constructor(
    readonly dependency: string,
    detail: string,
    readonly logFile?: string,
  ) {
    const tail = logFile ? logTail(logFile) : '';
    super(
      `infra: ${dependency} failed: ${detail}` +
        (logFile ? `\n--- last lines of ${logFile} ---\n${tail || '(empty log)'}\n---` : ''),
    );
  }
}

export function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface ServiceProcess {
  readonly name: string;
  /** Process id, equal to the process group id. */
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process exited (or failed to spawn). */
  exitStatus(): string | undefined;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command` detached in a new process group, output appended to `logFile`. */
export async function spawnService(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  opts: SpawnOptions = {},
): Promise<ServiceProcess> {
  const fd = openSync(logFile, 'a');
  let exit: string | undefined;
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.on('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    // A spawn failure (ENOENT, EACCES) is reported asynchronously; wait for either outcome.
    await new Promise<void>((resolvePromise, reject) => {
      child.once('spawn', resolvePromise);
      child.once('error', (err) => reject(new InfraError(name, `cannot run ${command}: ${err.message}`)));
    });
    child.unref();
    const pid = child.pid!;
    return { name, pid, logFile, exitStatus: () => exit };
  } finally {
    closeSync(fd);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves when the group is gone. */
export async function stopProcessGroup(pgid: number, graceMs = 10_000): Promise<void> {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return;
  }
  while (groupAlive(pgid)) await sleep(20);
}

/** Synchronous last resort (process 'exit' handlers cannot await). */
export function killProcessGroupNow(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Polls `probe` until it returns true. Fails fast with the log tail if the process dies, and
 * after `timeoutMs` with the last probe error.
 */
export async function waitUntilReady(
  proc: ServiceProcess,
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    const exit = proc.exitStatus();
    if (exit !== undefined) throw new InfraError(proc.name, `process ${exit} before ${what}`, proc.logFile);
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(150);
  }
  throw new InfraError(
    proc.name,
    `not ready after ${timeoutMs / 1000}s waiting for ${what} (last probe: ${lastError})`,
    proc.logFile,
  );
}

/** A currently free TCP port on 127.0.0.1 (the OS picks it; the race window is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * The processes of one harness run. Every start function spawns through it, so a failure half-way
 * (say kube-apiserver after etcd is up) still lets the caller stop everything that was started.
 */
export class ServiceGroup {
  private readonly procs: ServiceProcess[] = [];

  get processes(): readonly ServiceProcess[] {
    return this.procs;
  }

  async spawn(
    name: string,
    command: string,
    args: readonly string[],
    logFile: string,
    opts: SpawnOptions = {},
  ): Promise<ServiceProcess> {
    const proc = await spawnService(name, command, args, logFile, opts);
    this.procs.push(proc);
    return proc;
  }

  /** Runs a one-shot command (e.g. storage format) to completion, output appended to `logFile`. */
  async runStep(
    name: string,
    what: string,
    command: string,
    args: readonly string[],
    logFile: string,
    timeoutMs: number,
  ): Promise<void> {
    const proc = await this.spawn(name, command, args, logFile);
    const deadline = Date.now() + timeoutMs;
    while (proc.exitStatus() === undefined && Date.now() < deadline) await sleep(50);
    const exit = proc.exitStatus();
    if (exit === undefined)
      throw new InfraError(name, `${what} did not finish within ${timeoutMs / 1000}s`, logFile);
    if (exit !== 'exited with code 0') throw new InfraError(name, `${what} ${exit}`, logFile);
  }

  /** Stops every process group, newest first (apiserver before etcd), one group at a time. */
  async stopAll(graceMs?: number): Promise<void> {
    const procs = this.procs.splice(0).reverse();
    // A group whose leader already exited (one-shot steps) is skipped: its id may be reused.
    for (const proc of procs) if (proc.exitStatus() === undefined) await stopProcessGroup(proc.pid, graceMs);
  }

  killAllNow(): void {
    for (const proc of this.procs) if (proc.exitStatus() === undefined) killProcessGroupNow(proc.pid);
  }
}
