// Developer CLI for the infra harness:
//   npx tsx e2e/infra/cli.ts up [redis,kafka,kube,helm,ckb]   start (detached) and print `export` lines (ckb: opt-in)
//   npx tsx e2e/infra/cli.ts up cluster                    a single-node Kubernetes cluster that runs pods
//                                                          (root; docs/infrastructure.md#the-cluster-tier)
//   npx tsx e2e/infra/cli.ts env                           print the `export` lines again
//   npx tsx e2e/infra/cli.ts status                        which servers are alive
//   npx tsx e2e/infra/cli.ts down                          stop them and delete the run's temp dir
// With the variables exported (eval "$(npx tsx e2e/infra/cli.ts env)"), `npx vitest run --project
// integration` reuses the running servers instead of starting its own.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTeardown, startInfra } from './harness/index.js';
import { parseDependencies } from './harness/paths.js';
import { stopProcessGroup } from './harness/process.js';
import { readState, STATE_FILE, type InfraState } from './harness/state.js';

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => `export ${key}='${value}'`)
    .join('\n');
}

async function up(spec: string | undefined): Promise<void> {
  const existing = readState();
  if (existing && existing.processes.some((p) => alive(p.pid))) {
    throw new Error(`the harness is already running (state ${STATE_FILE}); run \`down\` first`);
  }
  const infra = await startInfra({ deps: parseDependencies(spec), killOnExit: false });
  const state: InfraState = {
    dir: infra.dir,
    env: infra.env,
    processes: infra.processes.map(({ name, pid, logFile }) => ({ name, pid, logFile })),
    teardown: infra.teardown,
  };
  mkdirSync(join(STATE_FILE, '..'), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + '\n');
  process.stderr.write(
    `infra up: ${infra.deps.join(', ')} (logs in ${infra.dir}); stop with: npx tsx e2e/infra/cli.ts down\n`,
  );
  process.stdout.write(exportLines(infra.env) + '\n');
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    process.stderr.write('infra: nothing to stop\n');
    return;
  }
  for (const proc of [...state.processes].reverse()) {
    await stopProcessGroup(proc.pid);
    process.stderr.write(`infra: stopped ${proc.name} (pid ${proc.pid})\n`);
  }
  if (state.teardown) {
    runTeardown(state.teardown);
    process.stderr.write(`infra: ran ${state.teardown.join(' ')}\n`);
  }
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(STATE_FILE, { force: true });
}

function status(): void {
  const state = readState();
  if (!state) {
    process.stdout.write('infra: not running\n');
    return;
  }
  for (const proc of state.processes) {
    process.stdout.write(
      `${proc.name}\tpid ${proc.pid}\t${alive(proc.pid) ? 'running' : 'DEAD'}\t${proc.logFile}\n`,
    );
  }
  process.stdout.write(exportLines(state.env) + '\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'up':
      return up(arg ?? process.env.EAGLEPOOL_INFRA);
    case 'down':
      return down();
    case 'status':
      return status();
    case 'env': {
      const state = readState();
      if (!state) throw new Error('the harness is not running; start it with `npx tsx e2e/infra/cli.ts up`');
      process.stdout.write(exportLines(state.env) + '\n');
      return;
    }
    default:
      process.stderr.write(
        'usage: npx tsx e2e/infra/cli.ts up [redis,kafka,kube,helm,ckb|cluster] | env | status | down\n',
      );
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
