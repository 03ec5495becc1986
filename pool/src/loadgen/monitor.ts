/**
 * What a process and the machine did during a measurement window: CPU time, event-loop delay,
 * garbage-collection pauses (this process), and CPU busy time and CPU pressure (whole machine,
 * Linux /proc; absent elsewhere). Used around latency runs so every figure comes with the load
 * it was measured under.
 */
import { readFileSync } from 'node:fs';
import {
  PerformanceObserver,
  monitorEventLoopDelay,
  type IntervalHistogram,
  type PerformanceEntry,
} from 'node:perf_hooks';

export interface ProcessStats {
  wallSec: number;
  /** CPU seconds (user + system) of this process. */
  cpuSec: number;
  /** cpuSec / wallSec. */
  cores: number;
  /** Event-loop delay: how late a 1 ms sampling timer fired (its 1 ms period subtracted), ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Garbage-collection pauses, by kind ('minor', 'major', 'incremental', 'weakcb'). */
  gc: {
    count: number;
    totalMs: number;
    maxMs: number;
    byKind: Record<string, { count: number; totalMs: number }>;
  };
  /** Each GC pause (start on the CLOCK_MONOTONIC ms scale, duration ms), when asked for. */
  gcPauses?: { start: number[]; duration: number[] };
}

/** ms to add to performance.now() for the CLOCK_MONOTONIC scale of process.hrtime(). */
export function monotonicOffsetMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6 - performance.now();
}

/** Sampling period of the event-loop delay timer, ms (the histogram records whole intervals). */
const DELAY_RESOLUTION_MS = 1;

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/** Watches this process from `start()` until `stop()`. */
export class ProcessMonitor {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private readonly observer: PerformanceObserver;
  private gc: ProcessStats['gc'] = ProcessMonitor.emptyGc();
  private cpu0: NodeJS.CpuUsage = process.cpuUsage();
  private t0 = 0;
  private readonly keepPauses: boolean;
  private pauses: { start: number[]; duration: number[] } = { start: [], duration: [] };

  /** keepPauses: also list every GC pause (for matching against slow requests). */
  constructor(opts: { keepPauses?: boolean } = {}) {
    this.keepPauses = opts.keepPauses ?? false;
    this.observer = new PerformanceObserver((list) => this.countGc(list.getEntries()));
  }

  private countGc(entries: readonly PerformanceEntry[]): void {
    const g = this.gc;
    for (const e of entries) {
      const detail = (e as unknown as { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? 0] ?? 'other';
      g.count++;
      g.totalMs += e.duration;
      if (e.duration > g.maxMs) g.maxMs = e.duration;
      const k = (g.byKind[kind] ??= { count: 0, totalMs: 0 });
      k.count++;
      k.totalMs += e.duration;
      if (this.keepPauses && this.pauses.start.length < MAX_PAUSES) {
        this.pauses.start.push(e.startTime);
        this.pauses.duration.push(e.duration);
      }
    }
  }

  private static emptyGc(): ProcessStats['gc'] {
    return { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
  }

  start(): void {
    this.gc = ProcessMonitor.emptyGc();
    this.pauses = { start: [], duration: [] };
    this.delay.reset();
    this.delay.enable();
    this.observer.observe({ entryTypes: ['gc'] });
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
  }

  stop(): ProcessStats {
    const cpu = process.cpuUsage(this.cpu0);
    const wallSec = (performance.now() - this.t0) / 1000;
    this.delay.disable();
    // GC entries not yet delivered to the observer's callback.
    this.countGc(this.observer.takeRecords());
    this.observer.disconnect();
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS) : 0);
    return {
      wallSec,
      cpuSec,
      cores: wallSec > 0 ? cpuSec / wallSec : 0,
      eventLoopDelayMs: {
        p50: ms(this.delay.percentile(50)),
        p99: ms(this.delay.percentile(99)),
        max: ms(this.delay.max),
      },
      gc: this.gc,
      ...(this.keepPauses ? { gcPauses: this.monotonicPauses() } : {}),
    };
  }

  private monotonicPauses(): { start: number[]; duration: number[] } {
    const offset = monotonicOffsetMs();
    return { start: this.pauses.start.map((t) => t + offset), duration: this.pauses.duration };
  }
}

/** Most GC pauses listed per window. */
const MAX_PAUSES = 100_000;

export interface MachineStats {
  /** CPU cores busy on the whole machine (all processes, ours included), from /proc/stat. */
  busyCores: number;
  /** Share of the window in which at least one runnable task waited for a CPU (/proc/pressure/cpu "some"), %. */
  cpuPressurePct: number;
}

interface MachineSample {
  at: number;
  busyTicks: number;
  pressureUs: number;
}

function sampleMachine(): MachineSample | undefined {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const cpu = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const busyTicks = cpu.reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    const pressure = readFileSync('/proc/pressure/cpu', 'utf8');
    const m = /^some .*total=(\d+)/m.exec(pressure);
    return { at: performance.now(), busyTicks, pressureUs: m ? Number(m[1]) : Number.NaN };
  } catch {
    return undefined;
  }
}

/** Watches the whole machine between `start()` and `stop()`; undefined where /proc lacks the files. */
export class MachineMonitor {
  private s0: MachineSample | undefined;

  start(): void {
    this.s0 = sampleMachine();
  }

  stop(): MachineStats | undefined {
    const s1 = sampleMachine();
    const s0 = this.s0;
    if (!s0 || !s1) return undefined;
    const wallMs = s1.at - s0.at;
    // /proc/stat counts in USER_HZ ticks, 100 per second on Linux.
    const busyCores = (s1.busyTicks - s0.busyTicks) / 100 / (wallMs / 1000);
    return { busyCores, cpuPressurePct: ((s1.pressureUs - s0.pressureUs) / 1000 / wallMs) * 100 };
  }
}
