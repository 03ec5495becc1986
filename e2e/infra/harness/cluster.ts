// The cluster tier: a single-node Kubernetes cluster the way hack/local-up-cluster.sh runs one, every
// component a process of the harness inside a network namespace of its own (cluster-node.sh): etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (iptables), CoreDNS,
// containerd + runc with the bridge CNI, and a hostPath provisioner behind the default StorageClass.
// The host reaches the node (apiserver, NodePorts) at 10.231.<n>.2 over a veth pair; see
// docs/infrastructure.md#the-cluster-tier for what it changes on the machine.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startKube } from './kube.js';
import type { KubeInstance } from './kube.js';
import { INFRA_DIR, REPO_DIR } from './paths.js';
import { InfraError, waitUntilReady } from './process.js';
import type { ServiceGroup, ServiceProcess } from './process.js';

const exec = promisify(execFile);

export const NODE_NAME = 'eaglepool-node';
export const STORAGE_CLASS = 'eaglepool-hostpath';
export const POD_CIDR = '10.244.0.0/24';
const NODE_SCRIPT = join(INFRA_DIR, 'harness', 'cluster-node.sh');
const IMAGES_SCRIPT = join(REPO_DIR, 'e2e', 'image', 'cluster-images.sh');

export interface ClusterBinaries {
  etcd: string;
  kubeApiserver: string;
  /** Directory with kubelet, kube-controller-manager, kube-scheduler, kube-proxy, kubectl, pause. */
  kubernetesDir: string;
  coredns: string;
}

export interface ClusterImage {
  image: string;
  archive: string;
}

/** Local images loaded into the node (e2e/image/cluster-images.sh): pause, pool, ckb, redis, kafka. */
export type ClusterImages = Record<'pause' | 'pool' | 'ckb' | 'redis' | 'kafka', ClusterImage>;

export interface ClusterInstance {
  kube: KubeInstance;
  kubectl: string;
  /** The node's address, reachable from the host (apiserver :6443, NodePorts 31000-31999). */
  nodeIp: string;
  images: ClusterImages;
  /** `cluster-node.sh down DIR`: what stop() (and the CLI's down, and the reaper) must run last. */
  teardown: string[];
}

async function run(what: string, command: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new InfraError('cluster', `${what} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * Builds (or finds cached) every image the cluster's pods run; the script's JSON manifest.
 * EAGLEPOOL_CLUSTER_IMAGE_MANIFEST=file loads a manifest written earlier instead (no build check).
 */
export async function clusterImages(): Promise<ClusterImages> {
  const manifest = process.env.EAGLEPOOL_CLUSTER_IMAGE_MANIFEST;
  if (manifest) return readImages(manifest);
  const out = await run('e2e/image/cluster-images.sh', 'bash', [IMAGES_SCRIPT], 60 * 60_000);
  return JSON.parse(out) as ClusterImages;
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
  });
}

function yamlJson(value: unknown): string {
  // JSON is YAML: component configs are written as JSON documents.
  return JSON.stringify(value, null, 2) + '\n';
}

function containerdConfig(dir: string, images: ClusterImages): string {
  const c = join(dir, 'containerd');
  return [
    'version = 2',
    `root = "${c}/root"`,
    `state = "${c}/state"`,
    // Snapshotters this node does not use would only log errors at start.
    'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
    '[grpc]',
    `  address = "${c}/containerd.sock"`,
    '[ttrpc]',
    `  address = "${c}/containerd.sock.ttrpc"`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${c}/opt"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = "${images.pause.image}"`,
    // The VM lacks CAP_SYS_RESOURCE: a negative oom_score_adj is refused and RunPodSandbox fails.
    '  restrict_oom_score_adj = true',
    // Sandbox network namespaces under DIR, not as shared mounts in /run/netns.
    '  netns_mounts_under_state_dir = true',
    '  enable_selinux = false',
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '      runtime_type = "io.containerd.runc.v2"',
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '        BinaryName = "/usr/sbin/runc"',
    '        SystemdCgroup = false',
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    '    bin_dir = "/usr/lib/cni"',
    `    conf_dir = "${dir}/cni/net.d"`,
    '',
  ].join('\n');
}

function cniConfig(dir: string): string {
  return yamlJson({
    cniVersion: '0.4.0',
    name: 'eaglepool',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        // Nothing to masquerade to: the namespace has no route out.
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: POD_CIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: join(dir, 'cni', 'ipam'),
        },
      },
    ],
  });
}

function kubeletConfig(dir: string, nodeIp: string, cgroupRoot: string, caCert: string): string {
  return yamlJson({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The VM is cgroup v1 (hybrid); containerd 1.6 has no RuntimeConfig call to tell the driver.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot,
    // false: the kubelet sets vm.overcommit_memory=1, kernel.panic=10, kernel.panic_on_oops=1 (true would
    // refuse to start on this VM, which boots with panic=1); cluster-node.sh restores them at down.
    protectKernelDefaults: false,
    containerRuntimeEndpoint: `unix://${dir}/containerd/containerd.sock`,
    address: nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: false },
      x509: { clientCAFile: caCert },
    },
    // Only the apiserver (admin certificate) can reach the kubelet: it is inside the namespace.
    authorization: { mode: 'AlwaysAllow' },
    clusterDNS: [nodeIp],
    clusterDomain: 'cluster.local',
    // Pods get no resolver of the machine: names outside the cluster do not resolve.
    resolvConf: '',
    failSwapOn: false,
    podLogsDir: join(dir, 'pod-logs'),
    // A shared test disk: evict only when truly full; never garbage-collect the imported images.
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 110,
  });
}

function kubeProxyConfig(kubeconfig: string, nodeIp: string): string {
  return yamlJson({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    clusterCIDR: POD_CIDR,
    hostnameOverride: NODE_NAME,
    nodePortAddresses: ['primary'],
    healthzBindAddress: `${nodeIp}:10256`,
    metricsBindAddress: '127.0.0.1:10249',
    // 0 = leave the machine-wide conntrack table size and timeouts alone.
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
  });
}

function corefile(nodeIp: string, kubeconfig: string): string {
  return [
    '.:53 {',
    `  bind ${nodeIp}`,
    '  errors',
    `  health ${nodeIp}:8080`,
    `  ready ${nodeIp}:8181`,
    '  kubernetes cluster.local in-addr.arpa ip6.arpa {',
    `    kubeconfig ${kubeconfig}`,
    '    pods insecure',
    '    fallthrough in-addr.arpa ip6.arpa',
    '  }',
    // No `forward`: nothing outside the cluster is resolved (the namespace has no route out anyway).
    '  cache 30',
    '}',
    '',
  ].join('\n');
}

const STORAGE_CLASS_YAML = yamlJson({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name: STORAGE_CLASS,
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
  },
  provisioner: 'eaglepool.dev/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
});

export async function startCluster(
  group: ServiceGroup,
  dir: string,
  bins: ClusterBinaries,
): Promise<ClusterInstance> {
  const images = await clusterImages();
  const nodeDir = join(dir, 'node');
  const teardown = ['bash', NODE_SCRIPT, 'down', nodeDir];
  const index = (await run('cluster-node.sh up', 'bash', [NODE_SCRIPT, 'up', nodeDir])).trim();
  try {
    return await startComponents(group, dir, nodeDir, index, bins, images, teardown);
  } catch (err) {
    await group.stopAll(5_000);
    await run('cluster-node.sh down', teardown[0]!, teardown.slice(1)).catch(() => undefined);
    throw err;
  }
}

async function startComponents(
  group: ServiceGroup,
  dir: string,
  nodeDir: string,
  index: string,
  bins: ClusterBinaries,
  images: ClusterImages,
  teardown: string[],
): Promise<ClusterInstance> {
  const nodeIp = `10.231.${index}.2`;
  const netns = join(nodeDir, 'netns');
  const wrap = (command: string, args: string[]): [string, string[]] => [
    'nsenter',
    [`--net=${netns}`, '--', command, ...args],
  ];
  const spawnIn = (name: string, command: string, args: string[]): Promise<ServiceProcess> => {
    const [cmd, argv] = wrap(command, args);
    return group.spawn(name, cmd, argv, join(dir, `${name}.log`), { cwd: dir });
  };
  const bin = (name: string): string => join(bins.kubernetesDir, name);
  const kubectl = bin('kubectl');

  // containerd first: image import runs while the control plane starts.
  for (const sub of ['containerd', 'cni/net.d', 'cni/ipam', 'pod-logs', 'kubelet', 'pv']) {
    mkdirSync(join(nodeDir, sub), { recursive: true });
  }
  writeFileSync(join(nodeDir, 'containerd', 'config.toml'), containerdConfig(nodeDir, images));
  writeFileSync(join(nodeDir, 'cni', 'net.d', '10-eaglepool.conflist'), cniConfig(nodeDir));
  const sock = join(nodeDir, 'containerd', 'containerd.sock');
  const containerd = await spawnIn('containerd', 'containerd', [
    '--config',
    join(nodeDir, 'containerd', 'config.toml'),
  ]);
  const ctr = (args: string[], timeoutMs?: number): Promise<string> =>
    run(
      `ctr ${args.slice(0, 2).join(' ')}`,
      'ctr',
      ['--address', sock, '--namespace', 'k8s.io', ...args],
      timeoutMs,
    );
  await waitUntilReady(containerd, 'ctr version', async () => (await ctr(['version'], 5000)) !== '', 60_000);
  const imported = Promise.all(
    Object.values(images).map((img) => ctr(['images', 'import', '--all-platforms', img.archive], 600_000)),
  );

  const kube = await startKube(group, join(dir, 'control-plane'), bins.etcd, bins.kubeApiserver, {
    host: nodeIp,
    ports: { etcdClient: 2379, etcdPeer: 2380, apiserver: 6443 },
    wrap,
    extraSans: [`IP:${nodeIp}`],
    withControllers: true,
  });
  const { pki, kubeconfig } = kube;
  const k = (args: string[], timeoutMs?: number): Promise<string> =>
    run(`kubectl ${args.slice(0, 2).join(' ')}`, kubectl, ['--kubeconfig', kubeconfig, ...args], timeoutMs);

  await spawnIn('kube-controller-manager', bin('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allocate-node-cidrs=false',
    '--use-service-account-credentials=false',
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--controllers=*',
  ]);
  await spawnIn('kube-scheduler', bin('kube-scheduler'), [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
  ]);
  const corefilePath = join(nodeDir, 'Corefile');
  writeFileSync(corefilePath, corefile(nodeIp, kubeconfig));
  const coredns = await spawnIn('coredns', bins.coredns, ['-conf', corefilePath]);
  await imported;
  const cgroupRoot = `/eaglepool-${index}`;
  const kubeletConfigPath = join(nodeDir, 'kubelet.yaml');
  writeFileSync(kubeletConfigPath, kubeletConfig(nodeDir, nodeIp, cgroupRoot, pki.caCert));
  const kubelet = await spawnIn('kubelet', bin('kubelet'), [
    `--config=${kubeletConfigPath}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${join(nodeDir, 'kubelet')}`,
    `--cert-dir=${join(nodeDir, 'kubelet', 'pki')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${nodeIp}`,
    '--v=1',
  ]);
  // kube-proxy reads the node's addresses from its Node object (and restarts when they change).
  await waitUntilReady(
    kubelet,
    `node ${NODE_NAME} registered with InternalIP ${nodeIp}`,
    async () =>
      (await k([
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
      ])) === nodeIp,
    120_000,
  );
  const proxyConfig = join(nodeDir, 'kube-proxy.yaml');
  writeFileSync(proxyConfig, kubeProxyConfig(kubeconfig, nodeIp));
  const proxy = await spawnIn('kube-proxy', bin('kube-proxy'), [`--config=${proxyConfig}`]);
  const provisioner = await group.spawn(
    'provisioner',
    process.execPath,
    ['--import', 'tsx', join(INFRA_DIR, 'harness', 'provisioner.ts'), kubeconfig, join(nodeDir, 'pv')],
    join(dir, 'provisioner.log'),
    { cwd: REPO_DIR },
  );

  await waitUntilReady(
    coredns,
    `CoreDNS ready on ${nodeIp}:8181`,
    () => httpOk(`http://${nodeIp}:8181/ready`),
    60_000,
  );
  await waitUntilReady(
    proxy,
    `kube-proxy healthz on ${nodeIp}:10256`,
    () => httpOk(`http://${nodeIp}:10256/healthz`),
    60_000,
  );
  await waitUntilReady(
    kubelet,
    `node ${NODE_NAME} Ready`,
    async () =>
      (await k([
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ])) === 'True',
    180_000,
  );
  await waitUntilReady(
    provisioner,
    'the default ServiceAccount (token controllers up)',
    async () => (await k(['get', 'serviceaccount', 'default', '-o', 'name'])).trim() !== '',
    120_000,
  );
  const scFile = join(nodeDir, 'storageclass.json');
  writeFileSync(scFile, STORAGE_CLASS_YAML);
  await k(['apply', '-f', scFile]);
  return { kube, kubectl, nodeIp, images, teardown };
}

/** The image manifest of a running cluster (what the suites set as MiningPool image overrides). */
export function readImages(file: string): ClusterImages {
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterImages;
}
