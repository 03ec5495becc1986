// etcd + kube-apiserver on loopback, wired the way controller-runtime's envtest does it: a private CA,
// a serving cert for 127.0.0.1/localhost, an admin client cert in system:masters, a separate
// service-account signing key, RBAC authorization. No controller-manager, scheduler or kubelet.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InfraError, freePort, waitUntilReady } from './process.js';
import type { ServiceGroup, ServiceProcess } from './process.js';

const exec = promisify(execFile);

export interface KubePki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

export interface KubeInstance {
  /** https://127.0.0.1:<port> */
  server: string;
  kubeconfig: string;
  pki: KubePki;
  etcd: ServiceProcess;
  apiserver: ServiceProcess;
}

const CERT_DAYS = '7';

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await exec('openssl', args, { cwd });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new InfraError('kube-apiserver', `openssl ${args[0]} failed: ${stderr || String(err)}`);
  }
}

/** Issues a leaf certificate signed by the CA; `ext` lines go to an OpenSSL extension file. */
async function issue(dir: string, name: string, subject: string, ext: string[]): Promise<void> {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext.join('\n') + '\n');
  await openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]),
    dir,
  );
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-days',
      CERT_DAYS,
      '-extfile',
      extFile,
      '-out',
      `${name}.crt`,
    ]),
    dir,
  );
}

/** CA, apiserver serving cert, admin client cert (system:masters) and service-account key. */
export async function createPki(dir: string, extraSans: readonly string[] = []): Promise<KubePki> {
  mkdirSync(dir, { recursive: true });
  await openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
      .concat([
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        CERT_DAYS,
        '-subj',
        '/O=eaglepool/CN=eaglepool-infra-ca',
      ])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
    dir,
  );
  await issue(dir, 'apiserver', '/CN=kube-apiserver', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=' +
      ['IP:127.0.0.1', 'DNS:localhost', 'IP:10.0.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default']
        .concat(['DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'], extraSans)
        .join(','),
  ]);
  await issue(dir, 'admin', '/O=system:masters/CN=eaglepool-admin', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
  ]);
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'],
    dir,
  );
  // kube-apiserver wants the public half for verification, the private key for signing.
  await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
}

function b64(file: string): string {
  return readFileSync(file).toString('base64');
}

/** A kubeconfig with the certificates inlined (works for kubectl, helm and client-node). */
export function kubeconfigYaml(server: string, pki: KubePki): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: eaglepool',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    '- name: eaglepool-admin',
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    'contexts:',
    '- name: eaglepool',
    '  context:',
    '    cluster: eaglepool',
    '    user: eaglepool-admin',
    'current-context: eaglepool',
    '',
  ].join('\n');
}

function httpGetStatus(url: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
  });
}

function httpsGetStatus(url: string, pki: KubePki): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = https.get(
      url,
      {
        timeout: 2000,
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
      },
      (res) => {
        res.resume();
        resolvePromise(res.statusCode ?? 0);
      },
    );
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
  });
}

/**
 * How the servers run. The default is the kube tier: loopback, free ports, no controllers. The cluster
 * tier (cluster.ts) runs them inside its network namespace on the node address with the usual ports.
 */
export interface KubeOptions {
  /** Address to bind and advertise (default 127.0.0.1). */
  host?: string;
  /** Fixed ports (default: free loopback ports). */
  ports?: { etcdClient: number; etcdPeer: number; apiserver: number };
  /** Turns a command into the one to spawn (e.g. prefixed with nsenter). */
  wrap?: (command: string, args: string[]) => [string, string[]];
  /** Extra subjectAltName entries of the serving certificate (e.g. IP:10.231.1.2). */
  extraSans?: readonly string[];
  /**
   * A whole cluster runs alongside (controller-manager, kubelet): keep the ServiceAccount admission
   * and the `kubernetes` endpoint reconciler, let the apiserver reach kubelets with the admin cert.
   */
  withControllers?: boolean;
}

const noWrap = (command: string, args: string[]): [string, string[]] => [command, args];

async function startEtcd(
  group: ServiceGroup,
  dir: string,
  etcdBin: string,
  opts: KubeOptions,
): Promise<{ url: string; process: ServiceProcess }> {
  const host = opts.host ?? '127.0.0.1';
  const [clientPort, peerPort] = opts.ports
    ? [opts.ports.etcdClient, opts.ports.etcdPeer]
    : [await freePort(), await freePort()];
  const url = `http://${host}:${clientPort}`;
  const peer = `http://${host}:${peerPort}`;
  const args = [
    '--name=eaglepool',
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=eaglepool=${peer}`,
    // Test data is disposable: skipping fsync saves a lot of I/O wait on shared disks.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
  const [command, argv] = (opts.wrap ?? noWrap)(etcdBin, args);
  const proc = await group.spawn('etcd', command, argv, join(dir, 'etcd.log'), { cwd: dir });
  await waitUntilReady(
    proc,
    `GET ${url}/health`,
    async () => (await httpGetStatus(`${url}/health`)) === 200,
    30_000,
  );
  return { url, process: proc };
}

export async function startKube(
  group: ServiceGroup,
  dir: string,
  etcdBin: string,
  apiserverBin: string,
  opts: KubeOptions = {},
): Promise<KubeInstance> {
  const host = opts.host ?? '127.0.0.1';
  const pki = await createPki(join(dir, 'pki'), opts.extraSans);
  const etcd = await startEtcd(group, dir, etcdBin, opts);
  const port = opts.ports?.apiserver ?? (await freePort());
  const server = `https://${host}:${port}`;
  const args = [
    `--etcd-servers=${etcd.url}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--secure-port=${port}`,
    `--bind-address=${host}`,
    `--advertise-address=${host}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    `--service-account-issuer=${server}/`,
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // One client at a time: no APF queues.
    '--enable-priority-and-fairness=false',
  ].concat(
    opts.withControllers
      ? [
          '--service-node-port-range=31000-31999',
          `--kubelet-client-certificate=${pki.adminCert}`,
          `--kubelet-client-key=${pki.adminKey}`,
          '--kubelet-preferred-address-types=InternalIP',
        ]
      : [
          // No controller-manager: ServiceAccount admission would reject pods waiting for token controllers.
          '--disable-admission-plugins=ServiceAccount',
          // Single-client test server: no endpoint reconciliation of the `kubernetes` Service.
          '--endpoint-reconciler-type=none',
        ],
  );
  const [command, argv] = (opts.wrap ?? noWrap)(apiserverBin, args);
  const apiserver = await group.spawn('kube-apiserver', command, argv, join(dir, 'kube-apiserver.log'), {
    cwd: dir,
  });
  const ready = async (): Promise<boolean> =>
    (await httpsGetStatus(`${server}/readyz`, pki)) === 200 &&
    (await httpsGetStatus(`${server}/api/v1/namespaces/default`, pki)) === 200;
  try {
    await waitUntilReady(apiserver, `${server}/readyz and namespace default`, ready, 120_000);
  } catch (err) {
    if (etcd.process.exitStatus() !== undefined) {
      throw new InfraError('etcd', `process ${etcd.process.exitStatus()}`, etcd.process.logFile);
    }
    throw err;
  }
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(server, pki), { mode: 0o600 });
  return { server, kubeconfig, pki, etcd: etcd.process, apiserver };
}
