/**
 * Every PromQL expression of the Grafana dashboards and the alert rules, on a real Prometheus
 * (Debian's, installed by .ci/install.d/60-dashboards.sh) scraping a running pool: `pool dev` (every
 * service's /metrics; with the harness's Kafka and Redis when exported) and the operator reconciling
 * a MiningPool on the harness's kube-apiserver. A missing or renamed metric fails:
 * - dashboard targets must return data (sparse ones, error counters, must be declared by a target);
 * - alert rules are loaded by that Prometheus, evaluate with health "ok", and every metric they
 *   name is declared by a scraped target;
 * - pending panels (if any) name metrics no running pool exports
 *   yet: the test asserts they are still absent, so it fails the day they appear (move them then).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, KIND } from '../../operator/src/api/types.js';
import { startOperator, type RunningOperator } from '../../operator/src/main.js';
import type { KubeObject } from '../../operator/src/kube/rest.js';
import { infraVar, installCrd, kubeEnv, newNamespace } from '../../operator/test/kube-env.js';
import { SAMPLE_PAYOUT } from '../../operator/test/sample.js';
import { PoolDevProcess, ROOT, waitFor } from '../../e2e/dashboard/pool-dev.js';
import { dashboards, type Target } from './dashboards.js';

const PROMETHEUS = process.env.EAGLEPOOL_PROMETHEUS ?? '/usr/bin/prometheus';
/** Fixed ports of this suite (the dashboards range, 37000-37999). */
const PROMETHEUS_PORT = 37091;
const OPERATOR_PORT = 37090;
const RULES = ['charts/eaglepool/rules/eaglepool.rules.yml'];
const api = `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1`;

let pool: PoolDevProcess;
let operator: RunningOperator;
let prometheus: ChildProcess;
let dir: string;
const prometheusLog: string[] = [];

/** Metric names an expression reads (the project's and the Node process metrics, and `up`). */
function metricNames(expr: string): string[] {
  const names = expr.match(/\b(?:eaglepool_|process_|nodejs_)[a-z0-9_]*[a-z0-9]\b|\bup\b/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

async function prom<T>(path: string): Promise<T> {
  const res = await fetch(`${api}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

const query = (expr: string) =>
  prom<{ result: unknown[] }>(`/query?query=${encodeURIComponent(expr)}`).then((d) => d.result);

let declared: Set<string>;
async function declaredMetrics(): Promise<Set<string>> {
  const meta = await prom<Record<string, unknown>>('/metadata');
  return new Set([...Object.keys(meta), 'up']);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eaglepool-prometheus-'));
  const env = kubeEnv();
  await installCrd(env.admin);
  const namespace = await newNamespace(env.admin, 'monitoring');
  operator = await startOperator({
    kubeconfig: infraVar('kubeconfig'),
    namespace,
    leaseNamespace: namespace,
    metricsPort: OPERATOR_PORT,
    leaderElection: true,
    resyncSeconds: 10,
  });
  await env.admin.create({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'observed', namespace },
    spec: { network: 'devnet', payout: { ...SAMPLE_PAYOUT } },
  } as unknown as KubeObject);

  const real = [
    ...(process.env.EAGLEPOOL_KAFKA_BROKERS ? ['--kafka', process.env.EAGLEPOOL_KAFKA_BROKERS] : []),
    ...(process.env.EAGLEPOOL_REDIS_URL ? ['--redis', process.env.EAGLEPOOL_REDIS_URL] : []),
  ];
  pool = await PoolDevProcess.start(['--block-time', '2000', ...real]);

  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: RULES.map((f) => join(ROOT, f)),
    scrape_configs: [
      { job_name: 'eaglepool-pool-dev', static_configs: [{ targets: [new URL(pool.url).host] }] },
      { job_name: 'eaglepool-operator', static_configs: [{ targets: [`127.0.0.1:${OPERATOR_PORT}`] }] },
    ],
  };
  writeFileSync(join(dir, 'prometheus.yml'), yaml.dump(config));
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr!.on('data', (c: Buffer) => prometheusLog.push(c.toString()));
  await waitFor(
    'Prometheus scraping both targets',
    async () => {
      const { activeTargets } = await prom<{ activeTargets: { health: string }[] }>('/targets');
      return activeTargets.length === 2 && activeTargets.every((t) => t.health === 'up');
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${prometheusLog.join('').slice(-2000)}`);
  });
  await waitFor('a block found by the demo miner', () => pool.acceptedBlocks().length > 0, 90_000);
  declared = await declaredMetrics();
}, 240_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await pool?.stop();
  await operator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const panels = dashboards.flatMap((d) =>
  d.rows.flatMap((r) => r.panels.map((p) => ({ ...p, dashboard: d.title }))),
);
const targets = (pending: boolean, sparse: boolean) =>
  panels
    .filter((p) => (p.pending !== undefined) === pending)
    .flatMap((p) => p.targets.filter((t) => (t.sparse === true) === sparse).map((t) => ({ ...t, panel: p })));

type Rule = { alert: string; expr: string };
const rulesOf = (files: string[]) =>
  files.flatMap((f) =>
    (yaml.load(readFileSync(join(ROOT, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
      (g) => g.rules,
    ),
  );

describe('dashboards and alerts on a real Prometheus scraping a running pool', () => {
  it('every dashboard expression returns data', async () => {
    const proven = targets(false, false);
    expect(proven.length).toBeGreaterThan(30);
    const missing = new Map<string, Target & { panel: { title: string; dashboard: string } }>(
      proven.map((t) => [t.expr, t]),
    );
    // Rates and the operator's first reconciles need a few scrapes: retry until each has data.
    await waitFor(
      'data for every dashboard expression',
      async () => {
        for (const [expr] of missing) if ((await query(expr)).length > 0) missing.delete(expr);
        return missing.size === 0;
      },
      90_000,
    ).catch(() => {
      throw new Error(
        `no data for:\n${[...missing.values()].map((t) => `  ${t.panel.dashboard} / ${t.panel.title}: ${t.expr}`).join('\n')}`,
      );
    });
  });

  it('sparse dashboard expressions (error counters) are valid and their metrics declared', async () => {
    for (const t of targets(false, true)) {
      await query(t.expr);
      for (const name of metricNames(t.expr))
        expect(declared.has(name), `${t.panel.title}: ${name}`).toBe(true);
    }
  });

  it('every alert rule evaluates on Prometheus and reads only declared metrics', async () => {
    const rules = rulesOf(RULES);
    await waitFor(
      'every alert rule evaluated with health ok',
      async () => {
        const { groups } = await prom<{
          groups: { rules: { name: string; health: string; lastError?: string }[] }[];
        }>('/rules');
        const loaded = new Map(groups.flatMap((g) => g.rules.map((r) => [r.name, r])));
        for (const r of rules) {
          const got = loaded.get(r.alert);
          if (got?.health === 'err') throw new Error(`${r.alert}: ${got.lastError}`);
          if (got?.health !== 'ok') return false;
        }
        return true;
      },
      30_000,
    );
    for (const r of rules) {
      const names = metricNames(r.expr);
      for (const name of names) expect(declared.has(name), `${r.alert}: ${name} is exported`).toBe(true);
    }
  });

  it('pending panels (if any) still name metrics no running pool exports (move them when this fails)', async () => {
    const pending = [...targets(true, false), ...targets(true, true)];
    for (const t of pending) {
      await query(t.expr);
      const names = metricNames(t.expr);
      expect(names.length).toBeGreaterThan(0);
      expect(
        names.filter((n) => declared.has(n)),
        `${t.panel.title}: now exported: prove it (drop "pending")`,
      ).toEqual([]);
    }
  });
});
