/** Operator process entry: kubeconfig, manager, and the /metrics + /healthz + /readyz server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from './controller/manager.js';

export interface OperatorOptions {
  /** Path of a kubeconfig; default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  kubeconfig?: string;
  namespace?: string;
  leaseNamespace: string;
  metricsPort: number;
  leaderElection: boolean;
  resyncSeconds: number;
  identity?: string;
  log?: ConstructorParameters<typeof Manager>[0]['log'];
}

export interface RunningOperator {
  manager: Manager;
  /** Port of the health/metrics server (0 when disabled). */
  port: number;
  stop(): Promise<void>;
}

export async function startOperator(o: OperatorOptions): Promise<RunningOperator> {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  const manager = new Manager({ kc, ...o });
  const server = o.metricsPort > 0 ? await serveHealth(manager, o.metricsPort) : undefined;
  await manager.start();
  return {
    manager,
    port: server ? (server.address() as AddressInfo).port : 0,
    async stop() {
      await manager.stop();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    },
  };
}

function serveHealth(manager: Manager, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    if (url === '/readyz') {
      const ok = manager.ready;
      return void res
        .writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' })
        .end(ok ? 'ok\n' : 'informers not synced\n');
    }
    if (url === '/metrics') {
      manager.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': manager.metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
