/**
 * The stratum server under test for stratum-latency.bench.ts, in its own process (optionally
 * pinned to a core by the parent). Same server set-up as the stratum benchmark's child (every
 * share accepted, no blocks, the share sink only counts), plus, while tracing, a stamp of every
 * socket 'data' event and socket write per remote port (CLOCK_MONOTONIC ms) and the process's
 * CPU, event-loop delay and GC pauses (from monitor-start). IPC commands: start, trace-start,
 * monitor-start, trace-stop, stop.
 */
import { benchJob, startAcceptAllServer } from './accept-all-server.js';
import { subscribe } from 'node:diagnostics_channel';
import type net from 'node:net';
import { ProcessMonitor, monotonicOffsetMs } from '../src/loadgen/monitor.js';
import type { StratumServer } from '../src/stratum/server.js';

type Request =
  | { cmd: 'start'; authoritySecretKey: string; shareBatchSize?: number }
  | { cmd: 'trace-start'; capacity: number }
  | { cmd: 'monitor-start' }
  | { cmd: 'trace-stop' }
  | { cmd: 'stop' };

let server: StratumServer | undefined;
let accepted = 0;
const monitor = new ProcessMonitor({ keepPauses: true });

/** Socket events while tracing: remote port, time (performance.now() ms), 0 = read / 1 = write. */
let ports = new Uint16Array(0);
let times = new Float64Array(0);
let kinds = new Uint8Array(0);
let events = 0;
let tracing = false;

function stamp(port: number, kind: number): void {
  if (!tracing || events >= times.length) return;
  ports[events] = port;
  times[events] = performance.now();
  kinds[events] = kind;
  events++;
}

function onData(this: net.Socket): void {
  stamp(this.remotePort ?? 0, 0);
}

// Every accepted connection: a read stamp ahead of the session's own 'data' listener, and a
// write stamp in front of socket.write (the session writes each turn's output in one call).
subscribe('net.server.socket', (message) => {
  const socket = (message as { socket: net.Socket }).socket;
  socket.prependListener('data', onData);
  const write = socket.write as (
    this: net.Socket,
    chunk: unknown,
    encoding?: unknown,
    cb?: unknown,
  ) => boolean;
  // Fixed arity (no rest array): the stamp itself must not add garbage to the measured server.
  socket.write = function (this: net.Socket, chunk: unknown, encoding?: unknown, cb?: unknown) {
    stamp(this.remotePort ?? 0, 1);
    return write.call(this, chunk, encoding, cb);
  } as typeof socket.write;
});

function reply(msg: unknown): void {
  process.send!(msg);
}

process.on('message', (req: Request) => {
  void (async () => {
    switch (req.cmd) {
      case 'start':
        server = await startAcceptAllServer(Buffer.from(req.authoritySecretKey, 'hex'), {
          sink: { onShare: () => void accepted++, onBlock: () => {} },
          shareBatchSize: req.shareBatchSize,
        });
        await server.pushJob(benchJob(1));
        reply({ port: server.port });
        break;
      case 'trace-start':
        ports = new Uint16Array(req.capacity);
        times = new Float64Array(req.capacity);
        kinds = new Uint8Array(req.capacity);
        events = 0;
        accepted = 0;
        tracing = true;
        monitor.start();
        reply({ ok: true });
        break;
      case 'monitor-start': // the measurement window begins: CPU, event loop and GC from here
        monitor.start();
        accepted = 0;
        reply({ ok: true });
        break;
      case 'trace-stop': {
        tracing = false;
        const stats = monitor.stop();
        const offset = monotonicOffsetMs();
        const at = times.slice(0, events);
        for (let i = 0; i < at.length; i++) at[i]! += offset;
        reply({
          stats,
          accepted,
          rejected: server!.stats.sharesRejected,
          trace: { port: ports.slice(0, events), at, kind: kinds.slice(0, events) },
        });
        break;
      }
      case 'stop':
        await server?.close();
        process.send!({ stopped: true }, () => process.exit(0));
    }
  })();
});
