import { describe, expect, it, vi } from 'vitest';
import yaml from 'js-yaml';
import { main } from './main.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const l = vi
    .spyOn(console, 'log')
    .mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  const e = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`));
  try {
    return { code: await main(argv), out, err };
  } finally {
    w.mockRestore();
    l.mockRestore();
    e.mockRestore();
  }
}

describe('eaglepool operator', () => {
  it('crd prints the MiningPool CRD', async () => {
    const { code, out } = await capture(['operator', 'crd']);
    expect(code).toBe(0);
    const crd = yaml.load(out) as { kind: string; metadata: { name: string } };
    expect(crd).toMatchObject({
      kind: 'CustomResourceDefinition',
      metadata: { name: 'miningpools.mining.eaglepool.dev' },
    });
  });

  it('render prints the children of a MiningPool file', async () => {
    const { code, out } = await capture(['operator', 'render', 'e2e/kind/miningpool-devnet.yaml']);
    expect(code).toBe(0);
    const docs = yaml.loadAll(out) as { kind: string; metadata: { name: string; namespace: string } }[];
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toContain('Deployment/devnet-stratum');
    expect(docs.every((d) => d.metadata.namespace === 'default')).toBe(true);
  });

  it('render without a file is a usage error', async () => {
    const { code, err } = await capture(['operator', 'render']);
    expect(code).toBe(2);
    expect(err).toContain('missing FILE');
  });

  it('run rejects a bad --resync before touching any cluster', async () => {
    for (const bad of ['soon', '0']) {
      const { code, err } = await capture(['operator', 'run', '--resync', bad]);
      expect(code).toBe(2);
      expect(err).toContain('--resync must be an integer >= 10');
    }
  });
});
