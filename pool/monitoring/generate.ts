/** Writes the Grafana dashboards of dashboards.ts to charts/eaglepool/dashboards/ (committed). */
import { writeFileSync } from 'node:fs';
import { dashboardJson, dashboards } from './dashboards.js';

const dir = new URL('../../charts/eaglepool/dashboards/', import.meta.url);
for (const d of dashboards) writeFileSync(new URL(d.file, dir), dashboardJson(d));
console.log(`wrote ${dashboards.length} dashboards to charts/eaglepool/dashboards/`);
