/**
 * How a stratum replica talks to the job maker and the block maker. Two implementations of
 * the same small interfaces: in-process (the service handles of `pool dev`, one process,
 * no gRPC) and gRPC over the network (`connectJobStream`, `connectBlockMaker`).
 */
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { BlockMakerClient, type SolvedBlock, type SubmitBlockReply } from '../../../proto/gen/blocks.js';
import { JobStreamClient, type Job } from '../../../proto/gen/jobs.js';
import type { Logger } from '../observability/logger.js';
import { authMetadata, clientCredentials, type ServiceTls } from './grpc.js';

/** A stream of mining jobs. */
export interface JobSource {
  /** Calls `onJob` with the current job at once (if there is one), then with every new job. Returns unsubscribe. */
  subscribe(onJob: (job: Job) => void): () => void;
  /** The newest job, if any. */
  current(): Job | undefined;
}

/** Where solved blocks go. Never rejects for a node verdict: `accepted` and `reason` say it. */
export interface BlockSink {
  submitBlock(block: SolvedBlock): Promise<SubmitBlockReply>;
}

/** A fan-out of jobs to listeners, newest job kept for new subscribers. */
export class JobFanout implements JobSource {
  private latest: Job | undefined;
  private readonly listeners = new Set<(job: Job) => void>();

  constructor(private readonly logger?: Logger) {}

  publish(job: Job): void {
    this.latest = job;
    for (const listener of [...this.listeners]) {
      try {
        listener(job);
      } catch (err) {
        this.logger?.error('job listener failed', { err, jobId: job.jobId });
      }
    }
  }

  subscribe(onJob: (job: Job) => void): () => void {
    this.listeners.add(onJob);
    if (this.latest) onJob(this.latest);
    return () => void this.listeners.delete(onJob);
  }

  current(): Job | undefined {
    return this.latest;
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
};

export interface RemoteJobSource extends JobSource {
  /** The Subscribe stream is open. */
  connected(): boolean;
  close(): void;
}

export interface JobStreamOptions {
  /** host:port of the job maker. */
  url: string;
  /** Name shown in the job maker's logs. */
  subscriber: string;
  logger: Logger;
  /** First resubscribe delay, doubling up to 10 s (default 500 ms). */
  reconnectMs?: number;
  /** Shared service token (`services.tokenFile`); sent with every call. */
  token?: string;
  /** Mutual TLS (`services.tls*`); plaintext without. */
  tls?: ServiceTls | undefined;
}

const UNAVAILABLE = 14;

/**
 * A connection failure says why it may be ours to fix: the servers refuse plaintext clients
 * when they run mutual TLS, and clients whose certificate is not of the services' CA.
 */
function explained<E extends ServiceError>(err: E, tls: ServiceTls | undefined): E {
  if (err.code !== UNAVAILABLE) return err;
  err.message += tls
    ? ' (mutual TLS: the server refuses a certificate not signed by its CA, and ours is checked against services.tlsCaFile and the host or services.tlsServerName)'
    : ' (plaintext gRPC: a server that runs mutual TLS refuses it; set services.tlsCaFile, tlsCertFile and tlsKeyFile)';
  return err;
}

/** Subscribes to the job maker's JobStream over gRPC and keeps resubscribing when the stream ends. */
export function connectJobStream(opts: JobStreamOptions): RemoteJobSource {
  const { creds, options } = clientCredentials(opts.tls);
  const client = new JobStreamClient(opts.url, creds, { ...CHANNEL_OPTIONS, ...options });
  const fanout = new JobFanout(opts.logger);
  const firstDelay = opts.reconnectMs ?? 500;
  let delay = firstDelay;
  let stream: ClientReadableStream<Job> | undefined;
  let open = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const start = () => {
    const s = client.subscribe({ subscriber: opts.subscriber }, authMetadata(opts.token));
    stream = s;
    let ended = false;
    const retry = (why: string) => {
      if (ended) return;
      ended = true;
      open = false;
      if (closed) return;
      opts.logger.warn('job stream lost, resubscribing', { url: opts.url, why, inMs: delay });
      timer = setTimeout(start, delay);
      delay = Math.min(delay * 2, 10_000);
    };
    s.on('metadata', () => (open = true));
    s.on('data', (job: Job) => {
      open = true;
      delay = firstDelay;
      const current = fanout.current();
      if (!current || job.jobId !== current.jobId) fanout.publish(job);
    });
    s.on('error', (err: ServiceError) => retry(explained(err, opts.tls).message));
    s.on('end', () => retry('stream ended'));
  };
  start();

  return {
    subscribe: (onJob) => fanout.subscribe(onJob),
    current: () => fanout.current(),
    connected: () => open,
    close: () => {
      closed = true;
      clearTimeout(timer);
      stream?.cancel();
      client.close();
    },
  };
}

export interface RemoteBlockSink extends BlockSink {
  close(): void;
}

/** BlockMaker.SubmitBlock over gRPC. Rejects on transport failure (the replica also logged the candidate to Kafka). */
export function connectBlockMaker(opts: {
  url: string;
  timeoutMs?: number;
  token?: string;
  tls?: ServiceTls | undefined;
}): RemoteBlockSink {
  const { creds, options } = clientCredentials(opts.tls);
  const client = new BlockMakerClient(opts.url, creds, { ...CHANNEL_OPTIONS, ...options });
  const timeoutMs = opts.timeoutMs ?? 180_000;
  return {
    submitBlock: (block) =>
      new Promise((resolve, reject) => {
        client.submitBlock(
          block,
          authMetadata(opts.token),
          { deadline: Date.now() + timeoutMs },
          (err, reply) => (err ? reject(explained(err, opts.tls)) : resolve(reply)),
        );
      }),
    close: () => client.close(),
  };
}
