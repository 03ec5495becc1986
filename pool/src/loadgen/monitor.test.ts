import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MachineMonitor, ProcessMonitor } from './monitor.js';

describe('ProcessMonitor', () => {
  it('reports the CPU time spent and garbage collections between start and stop', async () => {
    const m = new ProcessMonitor();
    m.start();
    let keep: unknown[] = [];
    const until = process.cpuUsage().user + 30_000; // 30 ms of CPU
    while (process.cpuUsage().user < until) keep = Array.from({ length: 1000 }, (_, i) => ({ i }));
    await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered asynchronously
    const s = m.stop();
    expect(keep.length).toBe(1000);
    expect(s.cpuSec).toBeGreaterThanOrEqual(0.03);
    expect(s.wallSec).toBeGreaterThan(0);
    expect(s.gc.count).toBeGreaterThan(0);
    expect(s.gc.maxMs).toBeLessThanOrEqual(s.gc.totalMs);
    const byKind = Object.values(s.gc.byKind).reduce((a, k) => a + k.count, 0);
    expect(byKind).toBe(s.gc.count);
    expect(s.eventLoopDelayMs.max).toBeGreaterThanOrEqual(s.eventLoopDelayMs.p50);
  });
});

describe.runIf(existsSync('/proc/pressure/cpu'))('MachineMonitor', () => {
  it('reports busy cores and CPU pressure over the window', async () => {
    const m = new MachineMonitor();
    m.start();
    await new Promise((r) => setTimeout(r, 50));
    const s = m.stop()!;
    expect(s.busyCores).toBeGreaterThanOrEqual(0);
    expect(s.cpuPressurePct).toBeGreaterThanOrEqual(0);
  });
});
