/**
 * Mutual TLS between services (#19 item 7) with real certificates made by openssl: the job
 * maker and block maker serve gRPC only to clients presenting a certificate of the services'
 * CA; a plaintext client, a TLS client without a certificate and one whose certificate comes
 * from another CA are all refused before any handler runs, with an error that says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockMakerClient, type SolvedBlock } from '../../../proto/gen/blocks.js';
import { MemoryBus } from '../bus/memory.js';
import { poolTopicSpecs, poolTopics } from '../bus/topics.js';
import { ConfigError } from '../config/fields.js';
import { loadConfig } from '../config/load.js';
import { startDevnet, type Devnet } from '../devnet/index.js';
import { silentLogger } from '../observability/logger.js';
import { MemoryStore } from '../store/memory.js';
import { startBlockmaker, type BlockmakerHandle } from './blockmaker.js';
import { connectBlockMaker, connectJobStream } from './clients.js';
import { readServiceTls } from './grpc.js';
import { startJobmaker, type JobmakerHandle } from './jobmaker.js';
import { createTestPki, type TestCertificate } from './testing/certs.js';

const garbage: SolvedBlock = {
  jobId: 1,
  workId: '1',
  nonce: new Uint8Array(16),
  powHash: new Uint8Array(32),
  channelId: 1,
  user: 'alice',
  worker: 'rig1',
  foundAt: 0n,
  replica: 0,
  shareId: '',
};

function failure(p: Promise<unknown>): Promise<ServiceError | undefined> {
  return p.then(
    () => undefined,
    (err: ServiceError) => err,
  );
}

describe('mutual TLS between services', () => {
  let dir: string;
  let devnet: Devnet;
  let jobmaker: JobmakerHandle;
  let blockmaker: BlockmakerHandle;
  let ca: string;
  let stratum: TestCertificate;
  let rogue: TestCertificate & { ca: string };
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eaglepool-mtls-'));
    const pki = createTestPki(dir);
    ca = pki.ca;
    const server = pki.issue('services');
    stratum = pki.issue('stratum-0');
    const other = createTestPki(dir, 'rogue');
    rogue = { ...other.issue('intruder'), ca: other.ca };
    devnet = await startDevnet({ initialCompactTarget: 0x20010000, blockTimeMs: 60_000 });
    const bus = new MemoryBus({ retryMs: 10 });
    const store = new MemoryStore();
    await bus.ensureTopics(poolTopicSpecs(poolTopics('mtls'), 1));
    const config = loadConfig({
      file: null,
      env: {},
      base: {
        instanceId: 'services',
        ckb: { rpcUrl: devnet.url, pollIntervalMs: 100 },
        kafka: { topicPrefix: 'mtls' },
        services: { tlsCaFile: ca, tlsCertFile: server.cert, tlsKeyFile: server.key },
        jobmaker: { grpcListen: '127.0.0.1:0', healthPort: 0 },
        blockmaker: { grpcListen: '127.0.0.1:0', healthPort: 0 },
      },
    });
    const deps = { store, bus, logger: silentLogger, healthServer: false };
    jobmaker = await startJobmaker(config, deps);
    blockmaker = await startBlockmaker(config, deps);
    cleanups.push(
      () => blockmaker.stop(),
      () => jobmaker.stop(),
      () => devnet.stop(),
      () => bus.close(),
    );
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsOf = (c: TestCertificate, caFile = ca) =>
    readServiceTls({ tlsCaFile: caFile, tlsCertFile: c.cert, tlsKeyFile: c.key });

  it('serves a client with a certificate of the CA: jobs stream, SubmitBlock reaches its checks', async () => {
    const tls = tlsOf(stratum);
    const jobs = connectJobStream({
      url: `127.0.0.1:${jobmaker.grpcPort}`,
      subscriber: 'stratum-0',
      logger: silentLogger,
      tls,
    });
    cleanups.push(() => jobs.close());
    const job = await new Promise((resolve) => jobs.subscribe(resolve));
    expect(job).toMatchObject({ number: expect.any(BigInt) });
    const blocks = connectBlockMaker({ url: `127.0.0.1:${blockmaker.grpcPort}`, tls });
    cleanups.push(() => blocks.close());
    // Through TLS to the handler, whose input check refuses garbage: INVALID_ARGUMENT.
    expect((await failure(blocks.submitBlock(garbage)))?.code).toBe(3);
  });

  it('refuses a plaintext client, one without a certificate, and one of another CA', async () => {
    const url = `127.0.0.1:${blockmaker.grpcPort}`;
    const plaintext = connectBlockMaker({ url, timeoutMs: 20_000 });
    const noCert = new BlockMakerClient(
      url,
      credentials.createSsl(
        readServiceTls({ tlsCaFile: ca, tlsCertFile: stratum.cert, tlsKeyFile: stratum.key })!.ca,
      ),
    );
    // The intruder trusts our CA (it may know it) but holds a certificate of its own CA.
    const intruder = connectBlockMaker({
      url,
      timeoutMs: 20_000,
      tls: { ...tlsOf(rogue, rogue.ca)!, ca: tlsOf(stratum)!.ca },
    });
    cleanups.push(
      () => plaintext.close(),
      () => noCert.close(),
      () => intruder.close(),
    );
    const noCertCall = failure(
      new Promise<void>((resolve, reject) =>
        noCert.submitBlock(garbage, new Metadata(), { deadline: Date.now() + 20_000 }, (err) =>
          err ? reject(err) : resolve(),
        ),
      ),
    );
    const results = [
      ['plaintext', await failure(plaintext.submitBlock(garbage))],
      ['no certificate', await noCertCall],
      ['another CA', await failure(intruder.submitBlock(garbage))],
    ] as const;
    for (const [who, err] of results) {
      expect(err, who).toBeDefined();
      expect(err!.code, `${who}: ${err!.message}`).toBe(14); // UNAVAILABLE: no connection
      console.info(`[mtls] ${who}: ${err!.message}`);
    }
    // Our own clients say what to fix; the bare TLS client sees the server's alert.
    expect((await noCertCall)!.message).toMatch(/certificate required/);
    expect(results[0][1]!.message).toMatch(/plaintext gRPC: a server that runs mutual TLS refuses it/);
    expect(results[2][1]!.message).toMatch(
      /mutual TLS: the server refuses a certificate not signed by its CA/,
    );
  });

  it('a half-configured or unreadable TLS setting is a config error naming what is wrong', () => {
    expect(() => readServiceTls({ tlsCaFile: ca })).toThrow(ConfigError);
    expect(() => readServiceTls({ tlsCaFile: ca })).toThrow(/missing tlsCertFile, tlsKeyFile/);
    expect(() =>
      readServiceTls({ tlsCaFile: ca, tlsCertFile: join(dir, 'nope.pem'), tlsKeyFile: stratum.key }),
    ).toThrow(/cannot read services.tlsCertFile/);
    writeFileSync(join(dir, 'bad.pem'), 'not a certificate\n');
    expect(() =>
      readServiceTls({ tlsCaFile: ca, tlsCertFile: join(dir, 'bad.pem'), tlsKeyFile: stratum.key }),
    ).toThrow(/services TLS material does not load/);
  });
});
