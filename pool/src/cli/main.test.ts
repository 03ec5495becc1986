import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

describe('eaglepool command dispatch', () => {
  afterEach(() => vi.restoreAllMocks());

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('names an unknown command and exits 2, with or without --help', async () => {
    for (const argv of [['pool', 'nosuch'], ['pool', 'nosuch', '--help'], ['nosuch', '-h'], ['nosuch']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`unknown command '${argv.filter((a) => !a.startsWith('-')).join(' ')}'`);
    }
  });

  it('prints the general help for no command or --help alone (exit 0)', async () => {
    for (const argv of [[], ['--help'], ['-h']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: eaglepool <command>');
      expect(r.out).toContain('pool stratum');
    }
  });

  it('lists the commands under a group prefix (exit 0 with --help, 2 without)', async () => {
    const help = await run('pool', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('pool stratum');
    expect(help.out).not.toContain('translator');
    expect((await run('pool')).code).toBe(2);
  });
});
