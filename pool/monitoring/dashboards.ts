/**
 * The Grafana dashboards, defined compactly here and written as JSON to
 * charts/eaglepool/dashboards/ (`npx tsx pool/monitoring/generate.ts`; a test fails when the
 * committed JSON differs). Every expression is proven on a real Prometheus scraping a running
 * pool (prometheus.int.test.ts): it must return data, except targets marked `sparse` (error
 * counters: their metric must be declared by a scraped target, data comes with the first error)
 * and panels marked `pending` (metrics another part of the pool does not export yet: the test
 * asserts that they are still absent, so they move out of `pending` the day they appear).
 */

export interface Target {
  expr: string;
  legend?: string;
  /** Data only once something went wrong (error counters). */
  sparse?: boolean;
}

export interface Panel {
  title: string;
  type?: 'timeseries' | 'stat';
  unit?: string;
  description?: string;
  targets: Target[];
  /** Why the metric is not exported by a running pool yet (e.g. "#15 block tracker"). */
  pending?: string;
}

export interface Row {
  title: string;
  panels: Panel[];
}

export interface DashboardDef {
  uid: string;
  title: string;
  file: string;
  description: string;
  rows: Row[];
}

const q = (p: number, metric: string, by = '') =>
  `histogram_quantile(${p}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket[5m])))`;
/** p99 and p50 of a histogram, as two targets. */
const quantiles = (metric: string, prefix = ''): Target[] => [
  { expr: q(0.99, metric), legend: `${prefix}p99` },
  { expr: q(0.5, metric), legend: `${prefix}p50` },
];
/** Restricts a process metric to the instances that run a given service. */
const on = (expr: string, serviceMetric: string) => `${expr} and on (instance) ${serviceMetric}`;
const stat = (title: string, expr: string, unit = 'short', description?: string): Panel => ({
  title,
  type: 'stat',
  unit,
  description,
  targets: [{ expr }],
});

const overview: DashboardDef = {
  uid: 'eaglepool-overview',
  title: 'Eaglepool / Pool overview',
  file: 'pool-overview.json',
  description: 'Is the pool earning: hashrate, shares, jobs, blocks, the node.',
  rows: [
    {
      title: 'Pool',
      panels: [
        stat(
          'Pool hashrate',
          'sum(eaglepool_shareprocessor_pool_hashrate)',
          'short',
          'Hashes/s over the hashrate window.',
        ),
        stat('Connections', 'sum(eaglepool_stratum_connections)'),
        stat('Job age', 'max(eaglepool_jobmaker_job_age_seconds)', 's'),
        stat('Node height', 'max(eaglepool_jobmaker_height)'),
        {
          title: 'Pool hashrate (H/s)',
          description:
            'Per-user hashrate is on the miners\u2019 dashboard (/miner/ADDRESS): a per-user metric would be unbounded cardinality.',
          targets: [{ expr: 'sum(eaglepool_shareprocessor_pool_hashrate)', legend: 'pool' }],
        },
        {
          title: 'Shares by result (/s)',
          targets: [
            { expr: 'sum by (result) (rate(eaglepool_stratum_shares_total[5m]))', legend: '{{result}}' },
          ],
        },
        {
          title: 'Connections and channels',
          targets: [
            { expr: 'sum(eaglepool_stratum_connections)', legend: 'connections' },
            { expr: 'sum(eaglepool_stratum_channels)', legend: 'channels' },
          ],
        },
        {
          title: 'Job age and new-tip fan-out',
          unit: 's',
          targets: [
            { expr: 'max(eaglepool_jobmaker_job_age_seconds)', legend: 'job age' },
            ...quantiles('eaglepool_stratum_job_fanout_seconds', 'fan-out '),
          ],
        },
        {
          title: 'Blocks submitted by outcome (per hour)',
          targets: [
            {
              expr: 'sum by (status) (increase(eaglepool_blockmaker_blocks_total[1h]))',
              legend: '{{status}}',
            },
          ],
        },
        {
          title: 'Node height against the network',
          targets: [
            { expr: 'max(eaglepool_jobmaker_node_tip_number)', legend: 'node tip' },
            { expr: 'max(eaglepool_jobmaker_node_best_known_number)', legend: 'best known from peers' },
            { expr: 'max(eaglepool_jobmaker_height)', legend: 'template height' },
          ],
        },
        {
          title: 'Node reachable and synced',
          targets: [
            { expr: 'min(eaglepool_jobmaker_node_up)', legend: 'node up' },
            { expr: 'max(eaglepool_jobmaker_node_synced)', legend: 'synced (leader)' },
            {
              expr: 'max(eaglepool_jobmaker_node_best_known_number - eaglepool_jobmaker_node_tip_number)',
              legend: 'blocks behind',
            },
          ],
        },
      ],
    },
    {
      title: 'Found blocks and payouts (pool payouts)',
      panels: [
        {
          title: 'Found blocks by state',
          targets: [{ expr: 'sum by (state) (eaglepool_blocks_state)', legend: '{{state}}' }],
        },
        {
          title: 'Found / confirmed / orphaned',
          targets: [
            { expr: 'max(eaglepool_blocks_found)', legend: 'found' },
            { expr: 'max(eaglepool_blocks_confirmed)', legend: 'confirmed' },
            { expr: 'max(eaglepool_blocks_orphaned)', legend: 'orphaned' },
          ],
        },
        {
          title: 'Pool wallet and what the ledger owes',
          unit: 'short',
          targets: [
            {
              expr: 'max by (state) (eaglepool_payout_wallet_balance_shannons) / 1e8',
              legend: 'wallet {{state}} (CKB)',
            },
            {
              expr: 'max by (bucket) (eaglepool_payout_owed_shannons) / 1e8',
              legend: 'owed {{bucket}} (CKB)',
            },
          ],
        },
        {
          title: 'Payout transactions by state',
          targets: [{ expr: 'max by (state) (eaglepool_payouts_by_state)', legend: '{{state}}' }],
        },
      ],
    },
  ],
};

const stratum: DashboardDef = {
  uid: 'eaglepool-stratum',
  title: 'Eaglepool / Stratum replicas',
  file: 'stratum.json',
  description: 'One line per stratum replica (instance).',
  rows: [
    {
      title: 'Replicas',
      panels: [
        stat('Replicas up', 'count(eaglepool_stratum_connections)'),
        {
          title: 'Connections per replica',
          targets: [{ expr: 'sum by (instance) (eaglepool_stratum_connections)', legend: '{{instance}}' }],
        },
        {
          title: 'Accepted shares per replica (/s)',
          targets: [
            {
              expr: 'sum by (instance) (rate(eaglepool_stratum_shares_total{result="accepted"}[5m]))',
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Rejected shares per replica (/s)',
          targets: [
            {
              expr: 'sum by (instance, result) (rate(eaglepool_stratum_shares_total{result!="accepted"}[5m]))',
              legend: '{{instance}} {{result}}',
              sparse: true,
            },
          ],
        },
        {
          title: 'Fan-out p99 per replica',
          unit: 's',
          targets: [
            { expr: q(0.99, 'eaglepool_stratum_job_fanout_seconds', 'instance'), legend: '{{instance}}' },
          ],
        },
        {
          title: 'Refused connections (/s)',
          targets: [
            {
              expr: 'sum by (instance, reason) (rate(eaglepool_stratum_refused_connections_total[5m]))',
              legend: '{{instance}} {{reason}}',
              sparse: true,
            },
          ],
        },
        {
          title: 'CPU per replica (cores)',
          targets: [
            {
              expr: on('rate(process_cpu_seconds_total[5m])', 'eaglepool_stratum_connections'),
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Event-loop lag p99 per replica',
          unit: 's',
          targets: [
            {
              expr: on('nodejs_eventloop_lag_p99_seconds', 'eaglepool_stratum_connections'),
              legend: '{{instance}}',
            },
          ],
        },
      ],
    },
  ],
};

const sharePath: DashboardDef = {
  uid: 'eaglepool-share-path',
  title: 'Eaglepool / Share path',
  file: 'share-path.json',
  description: 'From a share accepted by a replica to its accounting in Redis.',
  rows: [
    {
      title: 'Kafka and accounting',
      panels: [
        stat('Consumer lag', 'max(eaglepool_shareprocessor_share_age_ms) / 1000', 's'),
        {
          title: 'Kafka produce latency (share log write to ack)',
          unit: 's',
          targets: quantiles('eaglepool_stratum_share_log_write_seconds'),
        },
        {
          title: 'Accepted by replicas vs accounted (/s)',
          targets: [
            { expr: 'sum(rate(eaglepool_stratum_shares_total{result="accepted"}[5m]))', legend: 'accepted' },
            {
              expr: 'sum by (result) (rate(eaglepool_shareprocessor_shares_total[5m]))',
              legend: 'share processor {{result}}',
            },
          ],
        },
        {
          title: 'Consumer lag (age of the newest accounted share)',
          unit: 's',
          targets: [{ expr: 'max(eaglepool_shareprocessor_share_age_ms) / 1000', legend: 'lag' }],
        },
        {
          title: 'Accounting call duration',
          unit: 's',
          targets: quantiles('eaglepool_shareprocessor_accounting_seconds'),
        },
        {
          title: 'Shares not logged (Kafka write failed, /s)',
          description: 'Shares answered share-not-logged: the share log write to Kafka failed.',
          targets: [
            {
              expr: 'sum by (instance) (rate(eaglepool_stratum_shares_total{result="share-not-logged"}[5m]))',
              legend: '{{instance}}',
              sparse: true,
            },
          ],
        },
        {
          title: 'Block candidates by source (/s)',
          targets: [
            {
              expr: 'sum by (source, duplicate) (rate(eaglepool_blockmaker_candidates_total[5m]))',
              legend: '{{source}} duplicate={{duplicate}}',
            },
          ],
        },
      ],
    },
  ],
};

const dependencies: DashboardDef = {
  uid: 'eaglepool-dependencies',
  title: 'Eaglepool / Dependencies',
  file: 'dependencies.json',
  description: 'Kafka, Redis and the CKB node as the services see them.',
  rows: [
    {
      title: 'Kafka and Redis',
      panels: [
        {
          title: 'Dependency up (min over instances)',
          targets: [
            {
              expr: 'min by (dependency) (eaglepool_jobmaker_dependency_up)',
              legend: 'jobmaker {{dependency}}',
            },
            {
              expr: 'min by (dependency) (eaglepool_blockmaker_dependency_up)',
              legend: 'blockmaker {{dependency}}',
            },
            {
              expr: 'min by (dependency) (eaglepool_shareprocessor_dependency_up)',
              legend: 'shareprocessor {{dependency}}',
            },
          ],
        },
      ],
    },
    {
      title: 'CKB node',
      panels: [
        stat('Node up', 'min(eaglepool_jobmaker_node_up)'),
        {
          title: 'Node RPC latency p99 by method',
          unit: 's',
          targets: [{ expr: q(0.99, 'eaglepool_ckb_rpc_duration_seconds', 'method'), legend: '{{method}}' }],
        },
        {
          title: 'Node RPC errors (/s)',
          targets: [
            {
              expr: 'sum by (method, kind) (rate(eaglepool_ckb_rpc_errors_total[5m]))',
              legend: '{{method}} {{kind}}',
              sparse: true,
            },
          ],
        },
        {
          title: 'Template errors and submit attempts (/s)',
          targets: [
            { expr: 'sum(rate(eaglepool_jobmaker_template_errors_total[5m]))', legend: 'template errors' },
            {
              expr: 'sum by (result) (rate(eaglepool_blockmaker_submit_attempts_total[5m]))',
              legend: 'submit {{result}}',
            },
          ],
        },
      ],
    },
  ],
};

const operator: DashboardDef = {
  uid: 'eaglepool-operator',
  title: 'Eaglepool / Operator',
  file: 'operator.json',
  description: 'The MiningPool operator: reconciles, errors, work queue.',
  rows: [
    {
      title: 'Operator',
      panels: [
        stat('Leader', 'max(eaglepool_operator_leader)'),
        stat('Queue depth', 'sum(eaglepool_operator_queue_depth)'),
        {
          title: 'Reconciles by result (/s)',
          targets: [
            { expr: 'sum by (result) (rate(eaglepool_operator_reconciles_total[5m]))', legend: '{{result}}' },
          ],
        },
        {
          title: 'Reconcile duration',
          unit: 's',
          targets: quantiles('eaglepool_operator_reconcile_duration_seconds'),
        },
        {
          title: 'Errors by source (/s)',
          targets: [
            {
              expr: 'sum by (source) (rate(eaglepool_operator_errors_total[5m]))',
              legend: '{{source}}',
              sparse: true,
            },
          ],
        },
        {
          title: 'Child syncs by action (/s)',
          targets: [
            {
              expr: 'sum by (kind, action) (rate(eaglepool_operator_child_syncs_total[5m]))',
              legend: '{{kind}} {{action}}',
            },
          ],
        },
        {
          title: 'Informer restarts (/s)',
          targets: [
            {
              expr: 'sum by (resource) (rate(eaglepool_operator_informer_restarts_total[5m]))',
              legend: '{{resource}}',
              sparse: true,
            },
          ],
        },
      ],
    },
  ],
};

export const dashboards: DashboardDef[] = [overview, stratum, sharePath, dependencies, operator];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Grafana dashboard JSON (schema 39): rows of panels laid out 24 columns wide. */
export function toGrafana(d: DashboardDef): object {
  const panels: object[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const type = p.type ?? 'timeseries';
      const [w, h] = type === 'stat' ? [6, 4] : [12, 8];
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const description = [p.description, p.pending && `Pending: ${p.pending}.`].filter(Boolean).join(' ');
      panels.push({
        id: id++,
        type,
        title: p.title,
        ...(description ? { description } : {}),
        datasource: DATASOURCE,
        gridPos: { h, w, x, y },
        fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
        options:
          type === 'stat'
            ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' }
            : {
                legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
                tooltip: { mode: 'multi' },
              },
        targets: p.targets.map((t, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DATASOURCE,
          expr: t.expr,
          ...(t.legend ? { legendFormat: t.legend } : {}),
        })),
      });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['eaglepool'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

export function dashboardJson(d: DashboardDef): string {
  return `${JSON.stringify(toGrafana(d), null, 2)}\n`;
}
