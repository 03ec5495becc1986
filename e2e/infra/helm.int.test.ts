import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { helmPath } from './env.js';
import { INFRA_DIR, readVersions } from './harness/paths.js';

const exec = promisify(execFile);
const chart = join(INFRA_DIR, 'fixtures', 'tiny-chart');

describe('infra: helm', () => {
  it('is the pinned helm version', async () => {
    const { stdout } = await exec(helmPath(), ['version', '--short']);
    expect(stdout.trim()).toMatch(new RegExp(`^v${readVersions().helm.replace(/\./g, '\\.')}\\b`));
  });

  it('lints and templates a chart with value overrides', async () => {
    const helm = helmPath();
    await exec(helm, ['lint', chart]);
    const { stdout } = await exec(helm, [
      'template',
      'smoke',
      chart,
      '--set',
      'greeting=hi there',
      '--set',
      'replicas=3',
    ]);
    expect(stdout).toContain("name: 'smoke-tiny'");
    expect(stdout).toContain("greeting: 'hi there'");
    expect(stdout).toContain("replicas: '3'");
    expect(stdout).toContain("app.kubernetes.io/managed-by: 'Helm'");
  });

  it('fails on a chart error', async () => {
    await expect(exec(helmPath(), ['template', 'smoke', join(chart, 'does-not-exist')])).rejects.toThrow();
  });
});
