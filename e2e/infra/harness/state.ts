/**
 * The state file of a harness started by `e2e/infra/cli.ts up`: its temp dir, exported
 * variables and server processes, so later commands (and benchmarks placing processes on
 * cores) can find them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from './paths.js';

// Several harnesses can run side by side with different state files (EAGLEPOOL_INFRA_STATE).
export const STATE_FILE =
  process.env.EAGLEPOOL_INFRA_STATE || join(REPO_DIR, '.eaglepool', 'infra', 'state.json');

export interface InfraState {
  dir: string;
  env: Record<string, string>;
  processes: { name: string; pid: number; logFile: string }[];
  /** Run after the processes are stopped (the cluster tier's machine-level cleanup). */
  teardown?: string[];
}

export function readState(): InfraState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as InfraState;
}
