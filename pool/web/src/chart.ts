/** The pool hashrate chart (uPlot: ~50 kB, canvas, fast on a phone). */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Sample } from './api.js';
import { hashrate } from './format.js';

const MAX_POINTS = 1800;

export class HashrateChart {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private readonly plot: uPlot;

  constructor(private readonly el: HTMLElement) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 220,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: 'currentColor', grid: { stroke: 'rgba(127,127,127,0.2)' } },
          {
            stroke: 'currentColor',
            grid: { stroke: 'rgba(127,127,127,0.2)' },
            size: 80,
            values: (_u, ticks) => ticks.map((t) => hashrate(t)),
          },
        ],
        series: [{}, { label: 'hashrate', stroke: '#2f7de1', fill: 'rgba(47,125,225,0.15)', width: 2 }],
      },
      [this.times, this.values],
      el,
    );
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 220 })).observe(el);
  }

  /** Merges the history with what the live feed already pushed. */
  setSamples(samples: Sample[]): void {
    const byTime = new Map<number, number>(samples.map((s) => [s.t / 1000, s.hashrate]));
    this.times.forEach((t, i) => byTime.set(t, this.values[i]!));
    const merged = [...byTime].sort((a, b) => a[0] - b[0]).slice(-MAX_POINTS);
    this.times.splice(0, Infinity, ...merged.map(([t]) => t));
    this.values.splice(0, Infinity, ...merged.map(([, v]) => v));
    this.redraw();
  }

  push(sample: Sample): void {
    if (this.times.length && sample.t / 1000 <= this.times[this.times.length - 1]!) return;
    this.add(sample);
    this.redraw();
  }

  /** Points drawn (read by the browser test). */
  get points(): number {
    return this.times.length;
  }

  private add(s: Sample): void {
    this.times.push(s.t / 1000);
    this.values.push(s.hashrate);
    if (this.times.length > MAX_POINTS) {
      this.times.shift();
      this.values.shift();
    }
  }

  private redraw(): void {
    this.plot.setData([this.times, this.values]);
    this.el.dataset.points = String(this.times.length);
  }

  private width(): number {
    return Math.max(240, this.el.clientWidth);
  }
}
