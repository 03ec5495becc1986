/**
 * Benchmark child processes: forking TS children (behind taskset/chrt when asked), the IPC
 * request/answer helpers the children speak, and CPU placement of running processes.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Runs `cmd` once to see whether it works here (taskset, chrt). */
export function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Forks the TS child `script` (resolved against `base`, an import.meta.url) with tsx, behind
 * the `prefix` command (taskset, chrt) if any, with `nodeArgs` added to node's flags.
 */
export function forkTs(
  base: string,
  script: string,
  prefix: string[],
  nodeArgs: string[] = [],
): ChildProcess {
  const path = fileURLToPath(new URL(script, base));
  const node = ['--import', 'tsx', ...nodeArgs];
  return fork(path, [], {
    serialization: 'advanced', // typed arrays (traces) cross the channel as such
    stdio: 'inherit',
    ...(prefix.length === 0
      ? { execArgv: node }
      : { execPath: prefix[0], execArgv: [...prefix.slice(1), process.execPath, ...node] }),
  });
}

/** The next message from `child` that satisfies `pick`; rejects if the child reports an error or exits. */
export function next<T>(child: ChildProcess, pick: (m: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m: unknown) => {
      const msg = m as Record<string, unknown>;
      if (msg.event === 'error') {
        done();
        reject(new Error(String(msg.message)));
      } else if (pick(msg)) {
        done();
        resolve(m as T);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`benchmark child exited (${signal ?? `code ${code}`})`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Sends `req` and resolves with the child's next message. */
export async function ask<T>(child: ChildProcess, req: object): Promise<T> {
  const answer = next<T>(child, () => true);
  child.send(req);
  return answer;
}

/** Sends `req` (which makes the child exit) and waits for the exit; no-op if it is gone. */
export async function stopChild(child: ChildProcess, req: object): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send(req);
  await exited;
}

/** Marks `p` as handled now (it is awaited later, possibly after it rejected). */
export function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** `pid` and every process below it (from /proc's parent links). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return tree;
}

/**
 * Pins `pid`, every thread of it and every process below it to `cpus` (a taskset list: 1, or
 * "0-1"; taskset -a -p); threads and children started later inherit it. Returns whether
 * `pid` itself was pinned (false where taskset does not work here).
 */
export function pinTree(pid: number, cpus: number | string): boolean {
  let pinned = false;
  for (const p of processTree(pid)) {
    // A thread that exits while taskset walks them fails the call: try again (a JVM's come and go).
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        execFileSync('taskset', ['-a', '-pc', String(cpus), String(p)], { stdio: 'ignore' });
        if (p === pid) pinned = true;
        break;
      } catch {
        // exited meanwhile, or a thread did: the loop retries, the other processes still get pinned
      }
    }
  }
  return pinned;
}

/** A CFS CPU quota on one process (what a pod's `resources.limits.cpu` sets); undo with release(). */
export interface CpuLimit {
  release(): void;
}

/**
 * Puts `pid` in a new cgroup limited to `cores` of CPU (100 ms CFS period), cgroup v2 or the
 * v1 cpu controller, whichever this machine lets us write. Undefined where neither works
 * (no root, read-only cgroupfs).
 */
export function limitCpu(pid: number, cores: number): CpuLimit | undefined {
  const period = 100_000;
  const quota = Math.round(cores * period);
  const layouts = [
    {
      root: '/sys/fs/cgroup',
      ready: '/sys/fs/cgroup/cgroup.controllers',
      set: (dir: string) => {
        // cgroup v2: the cpu controller must be enabled for the root's children first.
        writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpu');
        writeFileSync(`${dir}/cpu.max`, `${quota} ${period}`);
      },
    },
    {
      root: '/sys/fs/cgroup/cpu',
      ready: '/sys/fs/cgroup/cpu/cpu.cfs_quota_us',
      set: (dir: string) => {
        writeFileSync(`${dir}/cpu.cfs_period_us`, String(period));
        writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quota));
      },
    },
  ];
  for (const layout of layouts) {
    if (!existsSync(layout.ready)) continue;
    if (layout.root === '/sys/fs/cgroup' && !readFileSync(layout.ready, 'utf8').split(/\s+/).includes('cpu'))
      continue;
    const dir = `${layout.root}/eaglepool-bench-${pid}`;
    const home = `${layout.root}${cgroupOf(pid, layout.root === '/sys/fs/cgroup' ? '' : 'cpu')}`;
    try {
      mkdirSync(dir);
      layout.set(dir);
      writeFileSync(`${dir}/cgroup.procs`, String(pid));
    } catch {
      rmSafely(dir);
      continue;
    }
    return {
      release() {
        try {
          writeFileSync(`${home}/cgroup.procs`, String(pid));
        } catch {
          // exited meanwhile
        }
        rmSafely(dir);
      },
    };
  }
  return undefined;
}

/** The cgroup path of `pid` in the v1 hierarchy with `controller`, or in v2 for ''. */
function cgroupOf(pid: number, controller: string): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controller === '' ? controllers === '' : controllers!.split(',').includes(controller))
      return path === '/' ? '' : path!;
  }
  return '';
}

function rmSafely(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not created, or still holds a process that could not be moved out
  }
}
