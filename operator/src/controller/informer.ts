/**
 * A client-node informer that does not stay dead. client-node 1.4's ListWatch stops for good
 * on any watch error other than 410 and can go quiet on a half-open connection, so this
 * wrapper (1) restarts a fresh ListWatch after an error with exponential backoff 1 s -> 30 s,
 * and (2) restarts one that has shown no activity (event or reconnect) for `staleMs`.
 */
import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

export type InformerVerb = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** Watch path, e.g. /apis/apps/v1/deployments */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  onEvent: (verb: InformerVerb, obj: T) => void;
  onRestart?: (reason: string) => void;
  staleMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

export class ResilientInformer<T extends KubernetesObject> {
  private current: ListWatch<T> | undefined;
  private generation = 0;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastActivity = 0;
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly o: InformerOptions<T>) {
    this.now = o.now ?? Date.now;
  }

  /** The cached objects of the running ListWatch. */
  list(): readonly T[] {
    return this.current?.list() ?? [];
  }

  /** One cached object, if the running ListWatch has it. */
  get(name: string, namespace?: string): T | undefined {
    return this.current?.get(name, namespace);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const staleMs = this.o.staleMs ?? 600_000;
    this.watchdog = setInterval(() => this.checkStale(staleMs), Math.max(1000, staleMs / 4));
    this.watchdog.unref();
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    await this.current?.stop();
    this.current = undefined;
  }

  /** Restart when nothing (no event, no reconnect) happened for staleMs. Public for tests. */
  checkStale(staleMs: number): void {
    if (this.stopped || this.restartTimer || this.now() - this.lastActivity < staleMs) return;
    this.scheduleRestart(`no activity for ${Math.round(staleMs / 1000)} s`, 0);
  }

  private async spawn(): Promise<void> {
    const gen = ++this.generation;
    const lw = new ListWatch<T>(this.o.path, new Watch(this.o.kc), this.o.list, false, this.o.labelSelector);
    const live = () => gen === this.generation && !this.stopped;
    const activity = () => {
      if (live()) this.lastActivity = this.now();
    };
    for (const verb of ['add', 'update', 'delete'] as const) {
      lw.on(verb, (obj) => {
        if (!live()) return;
        activity();
        this.failures = 0;
        this.o.onEvent(verb, obj);
      });
    }
    lw.on('connect', activity);
    lw.on('error', (err) => {
      if (!live()) return;
      this.failures++;
      const delay = Math.min(
        this.o.maxBackoffMs ?? 30_000,
        (this.o.minBackoffMs ?? 1000) * 2 ** (this.failures - 1),
      );
      this.scheduleRestart(`watch error: ${(err as Error)?.message ?? String(err)}`, delay);
    });
    const previous = this.current;
    this.current = lw;
    this.lastActivity = this.now();
    await previous?.stop();
    await lw.start();
  }

  private scheduleRestart(reason: string, delayMs: number): void {
    if (this.restartTimer || this.stopped) return;
    this.o.onRestart?.(reason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped)
        void this.spawn().catch((e: unknown) =>
          this.scheduleRestart(`restart failed: ${(e as Error).message}`, 1000),
        );
    }, delayMs);
    this.restartTimer.unref();
  }
}
