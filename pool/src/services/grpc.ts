/** gRPC server lifecycle shared by the job maker and the block maker. */
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { parseHostPort } from '../config/fields.js';

export interface GrpcServer {
  readonly port: number;
  /** Graceful shutdown (in-flight calls finish), forced after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startGrpcServer(
  listen: string,
  service: ServiceDefinition,
  impl: UntypedServiceImplementation,
): Promise<GrpcServer> {
  const { host, port } = parseHostPort(listen);
  const server = new Server();
  server.addService(service, impl);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    port: bound,
    stop: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
