/**
 * The load generator in its own process for stratum-latency.bench.ts (optionally pinned to a
 * core by the parent), so its event loop, encryption and GC do not share a process with the
 * benchmark's bookkeeping. IPC: { cmd: 'run', options } → LoadReport (with its trace); while
 * running it announces { event: 'window-start' } and waits for { cmd: 'go' }, so the parent can
 * start server-side tracing first, then { event: 'measure-start' } when the measurement window
 * begins (after the warm-up) and { event: 'window-end' } after it.
 */
import { runLoad, type LoadOptions } from '../src/loadgen/index.js';

type Request = { cmd: 'run'; options: LoadOptions } | { cmd: 'go' } | { cmd: 'exit' };

let go: (() => void) | undefined;

process.on('message', (req: Request) => {
  switch (req.cmd) {
    case 'run':
      void runLoad({
        ...req.options,
        onWindowStart: () =>
          new Promise<void>((resolve) => {
            go = resolve;
            process.send!({ event: 'window-start' });
          }),
        onMeasureStart: () => void process.send!({ event: 'measure-start' }),
        onWindowEnd: () => void process.send!({ event: 'window-end' }),
      }).then(
        (report) => process.send!({ event: 'report', report }),
        (err: unknown) => process.send!({ event: 'error', message: String(err) }),
      );
      break;
    case 'go':
      go?.();
      go = undefined;
      break;
    case 'exit':
      process.exit(0);
  }
});
