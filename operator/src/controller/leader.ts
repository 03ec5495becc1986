/**
 * Leader election on a coordination.k8s.io/v1 Lease with controller-runtime's defaults
 * (lease 15 s, renew deadline 10 s, retry 2 s). Optimistic concurrency on resourceVersion
 * decides races; a leader that cannot renew within the deadline steps down.
 */
import { isConflict, type KubeObject } from '../kube/rest.js';
import type { KubeRest } from '../kube/rest.js';
import { microTime } from './events.js';

export type LeaseClient = Pick<KubeRest, 'get' | 'create' | 'replace'>;

export interface LeaderOptions {
  client: LeaseClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  now?: () => number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;

  constructor(private readonly o: LeaderOptions) {
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
    this.now = o.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  /** Stops campaigning; a leader releases the Lease so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.leading = false;
      await this.release().catch((e) => this.o.onError?.(e));
    }
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.tick();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.retryPeriodMs);
    this.timer.unref();
  }

  /** One acquire-or-renew attempt; exposed for tests. */
  async tick(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      if (!isConflict(err)) this.o.onError?.(err);
    }
    const t = this.now();
    if (ok) {
      this.lastRenew = t;
      if (!this.leading) {
        this.leading = true;
        this.o.onStartedLeading();
      }
    } else if (this.leading && (t - this.lastRenew >= this.renewDeadlineMs || !(await this.stillHeld()))) {
      this.leading = false;
      this.o.onStoppedLeading();
    }
  }

  private ref() {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: this.o.namespace,
      name: this.o.name,
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowMs = this.now();
    const now = microTime(new Date(nowMs));
    const durationS = Math.round(this.leaseDurationMs / 1000);
    const lease = await this.o.client.get<Lease>(this.ref());
    if (!lease) {
      const created = await this.o.client.create({
        ...this.ref(),
        metadata: { name: this.o.name, namespace: this.o.namespace },
        spec: {
          holderIdentity: this.o.identity,
          leaseDurationSeconds: durationS,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      } as KubeObject);
      return created !== undefined;
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.o.identity;
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired =
      !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? durationS) * 1000 <= nowMs;
    if (!mine && !expired) return false;
    await this.o.client.replace({
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.o.identity,
        leaseDurationSeconds: durationS,
        renewTime: now,
        acquireTime: mine ? spec.acquireTime : now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    });
    return true;
  }

  private async stillHeld(): Promise<boolean> {
    const lease = await this.o.client.get<Lease>(this.ref()).catch(() => undefined);
    return lease?.spec?.holderIdentity === this.o.identity;
  }

  private async release(): Promise<void> {
    const lease = await this.o.client.get<Lease>(this.ref());
    if (lease?.spec?.holderIdentity !== this.o.identity) return;
    await this.o.client.replace({
      ...lease,
      spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1 },
    });
  }
}
