/**
 * `pool dev`'s one HTTP port: the share processor's API and dashboard, and `/metrics` with every
 * in-process service's metrics (what Prometheus scrapes from each pod in a cluster).
 */
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { closeHttp, listenHttp } from '../observability/health.js';
import { processRegistry } from '../observability/metrics.js';
import type { ShareprocessorHandle } from '../services/shareprocessor.js';

export interface DevHttp {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startDevHttp(opts: {
  host: string;
  port: number;
  shareprocessor: ShareprocessorHandle;
  /** Registries of the services in the process (metric names must not repeat across them). */
  registries: readonly Registry[];
}): Promise<DevHttp> {
  const metrics = Registry.merge([processRegistry(), ...opts.registries]);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
      return;
    }
    opts.shareprocessor.handleHttp(req, res);
  });
  const port = await listenHttp(server, opts.port, opts.host);
  return { port, stop: () => closeHttp(server) };
}
