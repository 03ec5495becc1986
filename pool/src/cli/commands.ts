import type { CommandEntry } from './command.js';

/**
 * Every subcommand of the `eaglepool` CLI. Add one entry per command; the module
 * is imported only when the command runs.
 */
export const commands: readonly CommandEntry[] = [
];
