/**
 * The Grafana dashboards, structurally (Grafana itself is not installable here): the committed JSON
 * is what dashboards.ts generates, uids and panel ids are unique, panels sit on the 24-column grid
 * without overlapping, every target has an expression and a datasource. That the expressions return
 * data is proven on a real Prometheus (prometheus.int.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dashboardJson, dashboards } from './dashboards.js';

const dir = new URL('../../charts/eaglepool/dashboards/', import.meta.url);

interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource: { uid: string } }[];
}
interface GrafanaDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: GrafanaPanel[];
}

describe('Grafana dashboards', () => {
  it('the committed JSON is what dashboards.ts generates (npx tsx pool/monitoring/generate.ts)', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(dashboards.map((d) => d.file).sort());
    for (const d of dashboards)
      expect(readFileSync(new URL(d.file, dir), 'utf8'), d.file).toBe(dashboardJson(d));
  });

  it('are well-formed Grafana dashboards', () => {
    const uids = new Set<string>();
    for (const d of dashboards) {
      const json = JSON.parse(dashboardJson(d)) as GrafanaDashboard;
      expect(uids.has(json.uid), `duplicate uid ${json.uid}`).toBe(false);
      uids.add(json.uid);
      expect(json.uid.length).toBeLessThanOrEqual(40); // Grafana's uid limit
      expect(json.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(json.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      const ids = json.panels.map((p) => p.id);
      expect(new Set(ids).size, `${d.file}: panel ids unique`).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of json.panels) {
        const { h, w, x, y } = p.gridPos;
        expect(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, `${d.file} ${p.title}: on the grid`).toBe(
          true,
        );
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${d.file} ${p.title}: overlaps another panel`).toBe(false);
            cells.add(`${i},${j}`);
          }
        if (p.type === 'row') continue;
        expect(['timeseries', 'stat']).toContain(p.type);
        expect(p.datasource?.uid).toBe('${datasource}');
        expect(p.targets?.length, `${d.file} ${p.title}: has targets`).toBeGreaterThan(0);
        const refIds = p.targets!.map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const t of p.targets!) {
          expect(t.expr.trim(), `${d.file} ${p.title}`).not.toBe('');
          expect(t.datasource.uid).toBe('${datasource}');
          // Balanced brackets: a cheap syntax check (the real parse is Prometheus', in the integration test).
          for (const [open, close] of ['()', '[]', '{}'])
            expect(t.expr.split(open!).length, `${t.expr}: ${open}${close} balanced`).toBe(
              t.expr.split(close!).length,
            );
        }
      }
    }
  });

  it('pending panels name why their metric is not there yet', () => {
    for (const d of dashboards)
      for (const row of d.rows)
        for (const p of row.panels) if (p.pending !== undefined) expect(p.pending.length).toBeGreaterThan(10);
  });
});
