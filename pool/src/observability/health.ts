/**
 * HTTP endpoints every service serves: `/metrics` (Prometheus text), `/healthz` (the
 * process is alive and its event loop turns), `/readyz` (ready() says the service can do
 * its job: dependencies connected, current job known, ...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { processRegistry } from './metrics.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready (shown in the /readyz body). */
  reason?: string;
}

export interface HealthServerOptions {
  port: number;
  /** Bind address (default 0.0.0.0; the services pass `healthHost`). */
  host?: string;
  /** Registries to expose besides the process registry. */
  registries?: readonly Registry[];
  ready(): Readiness | Promise<Readiness>;
}

export interface HealthServer {
  readonly port: number;
  stop(): Promise<void>;
}

export function listenHttp(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const registry = Registry.merge([processRegistry(), ...(opts.registries ?? [])]);
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const r = await opts.ready();
      res
        .writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(r.ready ? 'ready\n' : `not ready: ${r.reason ?? ''}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
  const port = await listenHttp(server, opts.port, opts.host ?? '0.0.0.0');
  return { port, stop: () => closeHttp(server) };
}
