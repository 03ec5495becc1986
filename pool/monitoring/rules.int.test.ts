/**
 * The alert rules with Debian's promtool (installed by .ci/install.d/60-dashboards.sh): `check
 * rules` on every rules file, `test rules` on pool/monitoring/rules.test.yml; every alert has a unit
 * test there, a runbook section in docs/operations.md and a runbook_url pointing at it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROMTOOL = process.env.EAGLEPOOL_PROMTOOL ?? '/usr/bin/promtool';
const RULES = 'charts/eaglepool/rules';
const ruleFiles = readdirSync(`${ROOT}/${RULES}`)
  .filter((f) => f.endsWith('.rules.yml'))
  .map((f) => `${RULES}/${f}`);

interface Rule {
  alert: string;
  annotations: { runbook_url: string };
}
const alerts = ruleFiles.flatMap((f) =>
  (yaml.load(readFileSync(`${ROOT}/${f}`, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
);

const promtool = (...args: string[]) =>
  execFileSync(PROMTOOL, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const out = promtool('check', 'rules', ...ruleFiles);
    expect(out.match(/SUCCESS/g)?.length).toBe(ruleFiles.length);
  });

  it('pass their promtool unit tests, and every alert has one', () => {
    const out = promtool('test', 'rules', 'pool/monitoring/rules.test.yml');
    expect(out).toMatch(/SUCCESS/);
    const tests = yaml.load(readFileSync(`${ROOT}/pool/monitoring/rules.test.yml`, 'utf8')) as {
      rule_files: string[];
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    expect(tests.rule_files.map((f) => f.replace('../../', '')).sort()).toEqual([...ruleFiles].sort());
    const firing = new Set(
      tests.tests.flatMap((t) =>
        t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const silent = new Set(
      tests.tests.flatMap((t) =>
        t.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname),
      ),
    );
    for (const { alert } of alerts) {
      expect(firing.has(alert), `${alert}: a test where it fires`).toBe(true);
      expect(silent.has(alert), `${alert}: a test where it stays silent`).toBe(true);
    }
  });

  it('each have a runbook section in docs/operations.md', () => {
    const doc = readFileSync(`${ROOT}/docs/operations.md`, 'utf8');
    for (const { alert, annotations } of alerts) {
      expect(doc, `### ${alert} in docs/operations.md`).toMatch(new RegExp(`^### ${alert}$`, 'm'));
      expect(annotations.runbook_url).toMatch(new RegExp(`/docs/operations\\.md#${alert.toLowerCase()}$`));
    }
  });
});
