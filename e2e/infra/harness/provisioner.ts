// The cluster tier's dynamic volume provisioner (StorageClass eaglepool-hostpath, the default):
//   tsx e2e/infra/harness/provisioner.ts KUBECONFIG PV_DIR
// A pending claim of the class gets a directory PV_DIR/<pv> and a hostPath PersistentVolume bound to
// it; a Released volume whose reclaim policy is Delete loses both. The directory is mode 0777 because
// hostPath volumes get no fsGroup ownership change: the non-root children (redis 999, kafka and ckb
// 1000) must be able to write their data directory, as they can on a CSI volume with fsGroup.
// kube-controller-manager's own hostpath provisioner is not used: it makes root-owned 0750 directories
// in /tmp/hostpath_pv, which non-root pods cannot write.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';

const PROVISIONER = 'eaglepool.dev/hostpath';
const CLASS = 'eaglepool-hostpath';

const [kubeconfigPath, pvDir] = process.argv.slice(2);
if (!kubeconfigPath || !pvDir) {
  process.stderr.write('usage: provisioner.ts KUBECONFIG PV_DIR\n');
  process.exit(2);
}
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(k8s.CoreV1Api);

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

async function provision(claim: k8s.V1PersistentVolumeClaim): Promise<void> {
  const meta = claim.metadata!;
  const name = `pvc-${meta.uid}`;
  const path = join(pvDir!, name);
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  await core.createPersistentVolume({
    body: {
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: CLASS,
        hostPath: { path, type: 'Directory' },
        claimRef: { namespace: meta.namespace, name: meta.name, uid: meta.uid },
      },
    },
  });
  log(`provisioned ${name} at ${path} for ${meta.namespace}/${meta.name}`);
}

async function reclaim(volume: k8s.V1PersistentVolume): Promise<void> {
  const name = volume.metadata!.name!;
  const path = volume.spec?.hostPath?.path;
  if (path?.startsWith(pvDir! + '/')) rmSync(path, { recursive: true, force: true });
  await core.deletePersistentVolume({ name });
  log(`deleted ${name} (released, reclaim policy Delete)`);
}

async function pass(): Promise<void> {
  const [claims, volumes] = await Promise.all([
    core.listPersistentVolumeClaimForAllNamespaces(),
    core.listPersistentVolume(),
  ]);
  const bound = new Set(volumes.items.map((v) => v.spec?.claimRef?.uid).filter(Boolean));
  for (const claim of claims.items) {
    const pending = claim.status?.phase === 'Pending' && !claim.spec?.volumeName;
    if (pending && claim.spec?.storageClassName === CLASS && !bound.has(claim.metadata?.uid)) {
      await provision(claim);
    }
  }
  for (const volume of volumes.items) {
    const ours = volume.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] === PROVISIONER;
    const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed';
    if (ours && released && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') await reclaim(volume);
  }
}

let stopping = false;
process.once('SIGTERM', () => (stopping = true));
process.once('SIGINT', () => (stopping = true));
log(`provisioner for StorageClass ${CLASS} (${PROVISIONER}), volumes under ${pvDir}`);
while (!stopping) {
  try {
    await pass();
  } catch (err) {
    log(`pass failed (retrying): ${err instanceof Error ? err.message : String(err)}`);
  }
  await sleep(1000);
}
