/** The shell scripts that cannot run here (kind needs a container engine; image builds are slow) are at least parsed and linted. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPTS = [
  'e2e/kind/run.sh',
  'e2e/image/build.sh',
  'e2e/image/make-base.sh',
  '.ci/install.d/50-shellcheck.sh',
];

describe('operator shell scripts', () => {
  it.each(SCRIPTS)('%s parses (bash -n) and passes shellcheck', (script) => {
    expect(() => execFileSync('bash', ['-n', script], { stdio: 'pipe' })).not.toThrow();
    // shellcheck comes from .ci/install.d/50-shellcheck.sh
    const out = execFileSync('shellcheck', ['--format=gcc', script], { encoding: 'utf8' });
    expect(out).toBe('');
  });
});
