import type { ParseArgsConfig } from 'node:util';

/** Options accepted by a subcommand, in node:util parseArgs form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A leaf subcommand such as `eaglepool hash eaglesong`. */
export interface Command {
  /** One line shown in `eaglepool --help`. */
  summary: string;
  /** Full help text for `eaglepool <path> --help` (usage line, arguments, options). */
  usage: string;
  options: CommandOptions;
  /** Runs the command; resolves to the process exit code. */
  run(args: ParsedArgs): Promise<number>;
}

/** Registry entry: loaded lazily so `--help` and small commands do not import every service. */
export interface CommandEntry {
  path: readonly string[];
  summary: string;
  load(): Promise<Command>;
}

/** Error that the CLI prints as `eaglepool: <message>` and turns into exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
