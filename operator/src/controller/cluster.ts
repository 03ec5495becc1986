/** The slice of the API the reconciler needs: KubeRest implements it, tests use an in-memory fake. */
import type { KubeRest } from '../kube/rest.js';

export type Cluster = Pick<KubeRest, 'get' | 'list' | 'apply' | 'create' | 'mergePatch' | 'delete'>;
