#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commands } from './commands.js';
import { UsageError, type CommandEntry } from './command.js';

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

function topLevelHelp(entries: readonly CommandEntry[]): string {
  const width = Math.max(...entries.map((e) => e.path.join(' ').length), 10);
  const lines = entries.map((e) => `  ${e.path.join(' ').padEnd(width)}  ${e.summary}`);
  return [
    'Usage: eaglepool <command> [options]',
    '',
    'Eaglepool: a Kubernetes-native Stratum V2 mining pool for Nervos CKB.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `eaglepool <command> --help` for the options of one command.',
  ].join('\n');
}

/** Finds the longest registered command path that prefixes argv. */
function match(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const entry of commands) {
    const fits = entry.path.every((word, i) => argv[i] === word);
    if (fits && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best ? { entry: best, rest: argv.slice(best.path.length) } : undefined;
}

/** Runs the CLI on argv (without node and script) and resolves to an exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const found = match(argv);
  if (!found) {
    const words = argv.filter((a) => !a.startsWith('-'));
    const group = commands.filter((e) => words.every((w, i) => e.path[i] === w));
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (group.length === 0) {
      // Also with --help: the general help must not pass for the help of a command that does not exist.
      console.error(`eaglepool: unknown command '${words.join(' ')}'\n\n${topLevelHelp(commands)}`);
      return 2;
    }
    // No words, or the start of a command path (`eaglepool pool`): the commands it leads to.
    console.log(topLevelHelp(group));
    return wantsHelp ? 0 : 2;
  }
  const command = await found.entry.load();
  try {
    const { values, positionals } = parseArgs({
      args: found.rest,
      options: { ...command.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(command.usage);
      return 0;
    }
    return await command.run({ values, positionals });
  } catch (err) {
    const isUsage =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (isUsage) {
      console.error(`eaglepool ${found.entry.path.join(' ')}: ${(err as Error).message}\n\n${command.usage}`);
      return 2;
    }
    throw err;
  }
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`eaglepool: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}
