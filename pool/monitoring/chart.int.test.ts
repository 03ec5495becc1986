/**
 * The chart's monitoring switches with the harness's helm: off by default; `dashboards.enabled`
 * renders one ConfigMap per dashboard with Grafana's sidecar label and the JSON byte for byte;
 * `alerts.prometheusRule.enabled` renders a PrometheusRule whose groups are the plain rules file's
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { infraVar } from '../../operator/test/kube-env.js';
import { dashboards } from './dashboards.js';

const exec = promisify(execFile);
const CHART = 'charts/eaglepool';
let helm: string;

interface Obj {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data?: Record<string, string>;
  spec?: { groups: { name: string; rules: unknown[] }[] };
}

const template = async (...args: string[]) => {
  const { stdout } = await exec(helm, ['template', 'ep', CHART, '--namespace', 'ep-system', ...args]);
  return (yaml.loadAll(stdout) as Obj[]).filter(Boolean);
};
const groups = (file: string) =>
  (yaml.load(readFileSync(`${CHART}/rules/${file}`, 'utf8')) as { groups: unknown[] }).groups;

beforeAll(() => {
  helm = infraVar('helm');
});

describe('chart monitoring switches', () => {
  it('render nothing by default', async () => {
    const objs = await template();
    expect(objs.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels.grafana_dashboard)).toEqual([]);
  });

  it('dashboards.enabled: a ConfigMap per dashboard, labelled for the Grafana sidecar', async () => {
    const objs = await template(
      '--set',
      'dashboards.enabled=true',
      '--set',
      'dashboards.namespace=monitoring',
      '--set',
      'dashboards.annotations.grafana_folder=Eaglepool',
    );
    const maps = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels.grafana_dashboard === '1');
    expect(maps.map((m) => Object.keys(m.data!)[0]).sort()).toEqual(dashboards.map((d) => d.file).sort());
    for (const m of maps) {
      const [file, json] = Object.entries(m.data!)[0]!;
      expect(m.metadata.namespace).toBe('monitoring');
      expect(json.trimEnd()).toBe(readFileSync(`${CHART}/dashboards/${file}`, 'utf8').trimEnd());
      expect((JSON.parse(json) as { uid: string }).uid).toMatch(/^eaglepool-/);
    }
  });

  it('alerts.prometheusRule.enabled: the rules file as a PrometheusRule', async () => {
    const [rule] = (
      await template(
        '--set',
        'alerts.prometheusRule.enabled=true',
        '--set',
        'alerts.prometheusRule.labels.release=kps',
      )
    ).filter((o) => o.kind === 'PrometheusRule');
    expect(rule!.metadata.labels.release).toBe('kps');
    expect(rule!.spec!.groups).toEqual(groups('eaglepool.rules.yml'));
  });
});
