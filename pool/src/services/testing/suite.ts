/**
 * Service tests, run twice: with the in-memory bus and store (unit project,
 * services.test.ts) and with real Redis and Kafka (integration project,
 * services.int.test.ts). The CKB node is the embedded devnet (real HTTP JSON-RPC) or, where
 * a test scripts node answers, a fake node serving templates rebuilt from mainnet blocks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { SolvedBlock } from '../../../../proto/gen/blocks.js';
import { Job, JobStreamClient } from '../../../../proto/gen/jobs.js';
import { createShareLog, logBlockCandidate, shareIdFor } from '../../bus/records.js';
import { poolTopicSpecs, poolTopics } from '../../bus/topics.js';
import type { EventBus } from '../../bus/types.js';
import { mainnetBlockRaw, mainnetMultiTx } from '../../ckb/testing/fixtures/index.js';
import { templateFromBlock } from '../../ckb/testing/fixtures/template.js';
import { nonceToBytes } from '../../ckb/header.js';
import { bytesToHex, hexToUint } from '../../ckb/hex.js';
import { CkbRpcClient } from '../../ckb-node/rpc.js';
import type { BlockTemplate } from '../../ckb/types.js';
import { blockFromWork, workFromTemplate } from '../../ckb/work.js';
import { loadConfig } from '../../config/load.js';
import type { PoolConfig } from '../../config/schema.js';
import { startDevnet, type Devnet } from '../../devnet/index.js';
import { mine } from '../../devnet/testing/mine.js';
import { allocationEntry } from '../../ledger/ledger.js';
import { MemoryLedgerStore } from '../../ledger/memory-store.js';
import { allocate } from '../../ledger/pplns.js';
import { silentLogger } from '../../observability/logger.js';
import { share } from '../../store/testing/contract.js';
import type { PoolStore } from '../../store/types.js';
import { startBlockmaker } from '../blockmaker.js';
import { connectBlockMaker, connectJobStream, type JobSource } from '../clients.js';
import { startJobmaker } from '../jobmaker.js';
import { startShareprocessor } from '../shareprocessor.js';
import { startFakeNode, type FakeNode } from './fake-node.js';

export interface Backends {
  store: PoolStore;
  bus: EventBus;
  close(): Promise<void>;
}

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function nextJob(source: JobSource, after: (job: Job) => boolean): Promise<Job> {
  return new Promise((resolve) => {
    const off = source.subscribe((job) => {
      if (after(job)) {
        queueMicrotask(() => off());
        resolve(job);
      }
    });
  });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const jobmakerBase = { grpcListen: '127.0.0.1:0', healthPort: 0, leaseTtlMs: 1000, refreshMs: 60_000 };

export function servicesSuite(name: string, makeBackends: (topicPrefix: string) => Promise<Backends>): void {
  describe(`services: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function setup(rpcUrl: string, over: Record<string, unknown> = {}) {
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const backends = await makeBackends(prefix);
      await backends.bus.ensureTopics(poolTopicSpecs(poolTopics(prefix), 1));
      cleanups.push(() => backends.close());
      const configBase = (instanceId: string): Record<string, unknown> => ({
        instanceId,
        ckb: { rpcUrl, pollIntervalMs: 100 },
        kafka: { topicPrefix: prefix },
        jobmaker: jobmakerBase,
        blockmaker: {
          grpcListen: '127.0.0.1:0',
          healthPort: 0,
          retryIntervalMs: 20,
          submitDeadlineMs: 10_000,
        },
        shareprocessor: { httpListen: '127.0.0.1:0', healthPort: 0, pplnsMinWindow: 1e12 },
        ...over,
      });
      const config = (instanceId: string): PoolConfig =>
        loadConfig({ file: null, env: {}, base: configBase(instanceId) });
      const deps = { store: backends.store, bus: backends.bus, logger: silentLogger };
      return { ...backends, config, configBase, deps, prefix };
    }

    async function devnet(): Promise<Devnet> {
      const d = await startDevnet({
        initialCompactTarget: 0x20010000,
        blockTimeMs: 1000,
        epochLength: 4,
        finalizationDelay: 2,
      });
      cleanups.push(() => d.stop());
      return d;
    }

    async function fakeNode(template: BlockTemplate): Promise<FakeNode> {
      // The tip is the template's parent (a header of another block, renamed): the template follows it.
      const tip = {
        ...mainnetMultiTx().header,
        hash: template.parent_hash,
        number: '0x' + (BigInt(template.number) - 1n).toString(16),
      };
      const node = await startFakeNode(template, tip);
      cleanups.push(() => node.stop());
      return node;
    }

    /**
     * A block maker on a fake node serving the template of a real mainnet block, that template
     * stored as a job, and the block's own nonce: `solved()` is the winning candidate.
     */
    async function blockmakerOnMainnetBlock(rpcUrl?: string, over: Record<string, unknown> = {}) {
      const mined = mainnetBlockRaw();
      const node = await fakeNode(templateFromBlock(mined, 9));
      const s = await setup(rpcUrl ?? node.url, over);
      const rpc = rpcUrl
        ? new CkbRpcClient({ url: rpcUrl, retries: 0, registry: new Registry() })
        : undefined;
      if (rpc) cleanups.push(async () => rpc.close());
      const blocks = await startBlockmaker(s.config('bm'), { ...s.deps, rpc, healthServer: false });
      cleanups.push(() => blocks.stop());
      const jobId = await s.store.nextJobId();
      await s.store.putTemplate(jobId, JSON.stringify(node.template), 60_000);
      const work = workFromTemplate(node.template);
      const nonce = nonceToBytes(hexToUint(mined.header.nonce, 128));
      const solved = (more: Partial<SolvedBlock> = {}): SolvedBlock => ({
        jobId,
        workId: work.workId,
        nonce,
        powHash: work.powHash,
        channelId: 1,
        user: 'u',
        worker: 'w',
        foundAt: 1n,
        replica: 0,
        shareId: shareIdFor(jobId, nonce),
        ...more,
      });
      return { mined, node, s, blocks, work, solved };
    }

    it('job maker serves no job while its node is in initial block download or far behind, then catches up', async () => {
      const node = await fakeNode(templateFromBlock(mainnetMultiTx(), 9));
      const tip = BigInt(node.tip.number);
      node.sync = {
        ibd: true,
        best_known_block_number: `0x${(tip + 5000n).toString(16)}`,
        best_known_block_timestamp: node.tip.timestamp,
      };
      const s = await setup(node.url, {
        jobmaker: { ...jobmakerBase, syncCheckMs: 100, maxNodeLagBlocks: 10 },
      });
      const jm = await startJobmaker(s.config('jm-sync'), s.deps);
      cleanups.push(() => jm.stop());
      const syncing = await eventually(async () => {
        const r = await jm.ready();
        return r.reason?.includes('node-synced') ? r : undefined;
      });
      expect(syncing.ready).toBe(false);
      expect(node.calls.get('sync_state') ?? 0).toBeGreaterThan(0);
      // Out of IBD but still 50 blocks behind its peers: still no job.
      node.sync = { ...node.sync, ibd: false, best_known_block_number: `0x${(tip + 50n).toString(16)}` };
      const before = node.calls.get('sync_state')!;
      await eventually(() => ((node.calls.get('sync_state') ?? 0) > before + 1 ? true : undefined));
      expect(node.calls.get('get_block_template') ?? 0).toBe(0);
      expect(jm.jobs.current()).toBeUndefined();
      // Within the lag: jobs flow and the job maker is ready.
      node.sync = { ...node.sync, best_known_block_number: `0x${(tip + 2n).toString(16)}` };
      await eventually(() => jm.jobs.current());
      await eventually(async () => ((await jm.ready()).ready ? true : undefined));
    });

    it('job maker follows the devnet (TCP subscription): jobs, template cache, in-process and gRPC streams, found block → clean job', async () => {
      const node = await devnet();
      // Polling every minute: the clean job after the found block must come from the node's push.
      const s = await setup(node.url, {
        ckb: { rpcUrl: node.url, subscribeUrl: node.subscriptionUrl, pollIntervalMs: 60_000 },
      });
      const jm = await startJobmaker(s.config('jm-a'), s.deps);
      cleanups.push(() => jm.stop());
      const blocks = await startBlockmaker(s.config('bm-a'), s.deps);
      cleanups.push(() => blocks.stop());

      const first = await eventually(() => jm.jobs.current());
      expect(jm.isLeader()).toBe(true);
      expect(first.clean).toBe(true);
      expect(first.number).toBe(node.tipNumber() + 1n);
      const template = JSON.parse((await s.store.getTemplate(first.jobId))!) as BlockTemplate;
      const work = workFromTemplate(template);
      expect(Buffer.from(first.powHash)).toEqual(Buffer.from(work.powHash));
      expect(first.workId).toBe(work.workId);
      expect(await s.store.getNetwork()).toMatchObject({ height: first.number });

      // A new gRPC subscriber gets the current job at once.
      const remote = connectJobStream({
        url: `127.0.0.1:${jm.grpcPort}`,
        subscriber: 'test',
        logger: silentLogger,
      });
      cleanups.push(async () => remote.close());
      const viaGrpc = await nextJob(remote, () => true);
      expect(viaGrpc.jobId).toBe(jm.jobs.current()!.jobId);
      const wire = (j: Job) => Buffer.from(Job.encode(j).finish()).toString('hex');
      expect(wire(viaGrpc)).toBe(wire(jm.jobs.current()!));

      // Mine the job, submit over gRPC: the devnet accepts, the tip moves, a clean job follows.
      const job = jm.jobs.current()!;
      const jobWork = workFromTemplate(JSON.parse((await s.store.getTemplate(job.jobId))!) as BlockTemplate);
      const nonce = nonceToBytes(mine(jobWork));
      const solved: SolvedBlock = {
        jobId: job.jobId,
        workId: job.workId,
        nonce,
        powHash: job.powHash,
        channelId: 1,
        user: 'alice',
        worker: 'rig1',
        foundAt: BigInt(Date.now()),
        replica: 0,
        shareId: shareIdFor(job.jobId, nonce),
      };
      const bmClient = connectBlockMaker({ url: `127.0.0.1:${blocks.grpcPort}` });
      cleanups.push(async () => bmClient.close());
      const reply = await bmClient.submitBlock(solved);
      expect(reply).toMatchObject({ accepted: true, reason: '' });
      expect(reply.blockHash).toBe(node.tip().hash);
      const clean = await nextJob(remote, (j) => j.number === job.number + 1n);
      expect(clean.clean).toBe(true);
      expect(Buffer.from(clean.parentHash).toString('hex')).toBe(reply.blockHash.slice(2));
      expect(await s.store.blockByHash(reply.blockHash)).toMatchObject({
        status: 'accepted',
        user: 'alice',
        number: job.number,
      });

      // Health endpoints.
      const metrics = await (await fetch(`http://127.0.0.1:${jm.healthPort}/metrics`)).text();
      expect(metrics).toMatch(/eaglepool_jobmaker_jobs_total\{clean="true"\} [1-9]/);
      expect(metrics).toMatch(/nodejs_eventloop_lag_seconds/);
      expect((await fetch(`http://127.0.0.1:${jm.healthPort}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${jm.healthPort}/healthz`)).status).toBe(200);
    });

    it('job maker refetches a template that is behind the tip until it follows, without waiting for a poll', async () => {
      const mined = mainnetBlockRaw();
      const old = templateFromBlock(mined, 9);
      const node = await fakeNode(old);
      // Polls once a minute: only noteTip and the refetch loop can bring the next job within the test.
      const s = await setup(node.url, { ckb: { rpcUrl: node.url, pollIntervalMs: 60_000 } });
      const jm = await startJobmaker(s.config('jm-behind'), { ...s.deps, healthServer: false });
      cleanups.push(() => jm.stop());
      const first = await eventually(() => jm.jobs.current());
      expect(first.number).toBe(BigInt(old.number));

      // The pool's block at that height is the tip now; the node keeps serving the old template thrice.
      const tipHash = mined.header.hash;
      const next: BlockTemplate = {
        ...old,
        parent_hash: tipHash,
        number: '0x' + (BigInt(old.number) + 1n).toString(16),
        work_id: '0x' + (BigInt(old.work_id) + 1n).toString(16),
      };
      node.templateScript.push(old, old, old);
      node.template = next;
      const fetchesBefore = node.calls.get('get_block_template') ?? 0;
      jm.noteTip(tipHash, BigInt(old.number));
      const job = await eventually(() => {
        const j = jm.jobs.current();
        return j && j.jobId !== first.jobId ? j : undefined;
      }, 20_000);
      expect(bytesToHex(job.parentHash)).toBe(tipHash);
      expect(job).toMatchObject({ clean: true, number: BigInt(old.number) + 1n });
      // Three old answers refetched, then the new one (a refresh already running may add a fetch).
      expect((node.calls.get('get_block_template') ?? 0) - fetchesBefore).toBeGreaterThanOrEqual(4);
      expect(node.templateScript).toEqual([]);
      const metrics = await jm.registry.metrics();
      expect(metrics).toMatch(/eaglepool_jobmaker_templates_behind_tip_total [3-9]/);
      expect(metrics).toMatch(/eaglepool_jobmaker_template_behind_tip_seconds 0/);
    });

    it('job makers elect one leader; the follower streams the leader’s jobs and takes over when it stops', async () => {
      const node = await devnet();
      const s = await setup(node.url);
      const rpc = new CkbRpcClient({ url: node.url, registry: new Registry() });
      cleanups.push(async () => rpc.close());
      const a = await startJobmaker(s.config('jm-a'), { ...s.deps, healthServer: false });
      const aStopped = { done: false };
      cleanups.push(async () => void (aStopped.done || (await a.stop())));
      await eventually(() => a.isLeader());
      const b = await startJobmaker(s.config('jm-b'), { ...s.deps, healthServer: false });
      cleanups.push(() => b.stop());
      const followed = await eventually(() => b.jobs.current());
      expect(b.isLeader()).toBe(false);
      expect(followed.jobId).toBe(a.jobs.current()!.jobId);

      // The leader stops (releases the lease): b leads and produces the next job itself.
      await a.stop();
      aStopped.done = true;
      await eventually(() => b.isLeader());
      const work = workFromTemplate(await rpc.getBlockTemplate());
      await rpc.submitBlock(work.workId, blockFromWork(work, mine(work)));
      const next = await eventually(() => {
        const j = b.jobs.current();
        return j && j.number === work.number + 1n ? j : undefined;
      });
      expect(next.jobId).toBeGreaterThan(followed.jobId);
    });

    it('a gRPC job stream client resubscribes when its job maker restarts and gets the new current job', async () => {
      const node = await devnet();
      const s = await setup(node.url);
      const first = await startJobmaker(s.config('jm-1'), { ...s.deps, healthServer: false });
      const port = first.grpcPort!;
      const firstStopped = { done: false };
      cleanups.push(async () => void (firstStopped.done || (await first.stop())));
      const remote = connectJobStream({
        url: `127.0.0.1:${port}`,
        subscriber: 'test',
        logger: silentLogger,
        reconnectMs: 50,
      });
      cleanups.push(async () => remote.close());
      const before = await nextJob(remote, () => true);
      expect(remote.connected()).toBe(true);

      await first.stop();
      firstStopped.done = true;
      const work = workFromTemplate(JSON.parse((await s.store.getTemplate(before.jobId))!) as BlockTemplate);
      const rpc = new CkbRpcClient({ url: node.url, registry: new Registry() });
      cleanups.push(async () => rpc.close());
      await rpc.submitBlock(work.workId, blockFromWork(work, mine(work)));
      const second = await startJobmaker(
        loadConfig({
          file: null,
          env: {},
          base: { ...s.configBase('jm-2'), jobmaker: { grpcListen: `127.0.0.1:${port}`, healthPort: 0 } },
        }),
        { ...s.deps, healthServer: false },
      );
      cleanups.push(() => second.stop());
      const after = await nextJob(remote, (j) => j.number === before.number + 1n);
      expect(after.jobId).toBeGreaterThan(before.jobId);
      expect(after.clean).toBe(true);
    });

    it('block maker retries submit_block until the node accepts, records once, answers duplicates from the record', async () => {
      const mined = mainnetBlockRaw();
      const node = await fakeNode(templateFromBlock(mined, 9));
      const s = await setup(node.url);
      const blocks = await startBlockmaker(s.config('bm'), { ...s.deps, healthServer: false });
      cleanups.push(() => blocks.stop());
      const jobId = await s.store.nextJobId();
      await s.store.putTemplate(jobId, JSON.stringify(node.template), 60_000);
      const work = workFromTemplate(node.template);
      const nonce = nonceToBytes(hexToUint(mined.header.nonce, 128));
      node.submitScript.push('Internal: connection to network lost', 'accept');
      const solved: SolvedBlock = {
        jobId,
        workId: work.workId,
        nonce,
        powHash: work.powHash,
        channelId: 3,
        user: 'bob',
        worker: 'w',
        foundAt: BigInt(Date.now()),
        replica: 1,
        shareId: shareIdFor(jobId, nonce),
      };
      const [r1, r2] = await Promise.all([
        blocks.blocks.submitBlock(solved),
        blocks.blocks.submitBlock(solved),
      ]);
      expect(r1).toEqual({ accepted: true, blockHash: mined.header.hash, reason: '', status: 'accepted' });
      expect(r2).toEqual(r1);
      expect(node.submitted).toHaveLength(2);
      expect(await blocks.blocks.submitBlock(solved)).toEqual(r1);
      expect(node.submitted).toHaveLength(2);
      const found = await s.store.blockByShare(solved.shareId);
      expect(found).toMatchObject({
        blockHash: mined.header.hash,
        status: 'accepted',
        user: 'bob',
        number: work.number,
      });
      expect(BigInt(found!.reward)).toBe(BigInt(mined.transactions[0]!.outputs[0]!.capacity));
    });

    it('block maker gives up when the chain moved past the block (stale) and rejects a hash above target', async () => {
      const mined = mainnetBlockRaw();
      const node = await fakeNode(templateFromBlock(mined, 9));
      const s = await setup(node.url);
      const blocks = await startBlockmaker(s.config('bm'), { ...s.deps, healthServer: false });
      cleanups.push(() => blocks.stop());
      const jobId = await s.store.nextJobId();
      await s.store.putTemplate(jobId, JSON.stringify(node.template), 60_000);
      const work = workFromTemplate(node.template);
      const good = nonceToBytes(hexToUint(mined.header.nonce, 128));
      const base = {
        jobId,
        workId: work.workId,
        powHash: work.powHash,
        channelId: 1,
        user: 'u',
        worker: 'w',
        foundAt: 0n,
        replica: 0,
      };

      const bad = nonceToBytes(hexToUint(mined.header.nonce, 128) ^ 1n);
      const rejected = await blocks.blocks.submitBlock({
        ...base,
        nonce: bad,
        shareId: shareIdFor(jobId, bad),
      });
      expect(rejected.accepted).toBe(false);
      expect(rejected.reason).toMatch(/rejected: hash does not meet the network target/);

      const unknown = await blocks.blocks.submitBlock({
        ...base,
        jobId: jobId + 1000,
        nonce: good,
        shareId: 'x:1',
      });
      expect(unknown.reason).toMatch(/^rejected: unknown job/);
      const short = await blocks.blocks.submitBlock({ ...base, nonce: good.subarray(0, 8), shareId: 'x:2' });
      expect(short.reason).toMatch(/^rejected: nonce is 8 bytes/);
      expect(node.submitted).toHaveLength(0);

      // Another block is at our height already: every submit fails, the block is stale.
      node.tip = { ...mined.header, hash: '0x' + '11'.repeat(32) };
      node.headers.set(work.number, { ...mined.header, nonce: '0x1', hash: '0x' + '11'.repeat(32) });
      node.submitScript.push('Internal: stale', 'Internal: stale', 'Internal: stale');
      const stale = await blocks.blocks.submitBlock({
        ...base,
        nonce: good,
        shareId: shareIdFor(jobId, good),
      });
      expect(stale.accepted).toBe(false);
      expect(stale.reason).toMatch(/^stale: /);
      expect(await s.store.blockByShare(shareIdFor(jobId, good))).toMatchObject({ status: 'stale' });
    });

    it('gRPC between services: callers without the token are refused; garbage SubmitBlock calls record nothing', async () => {
      const mined = mainnetBlockRaw();
      const node = await fakeNode(templateFromBlock(mined, 9));
      const dir = mkdtempSync(join(tmpdir(), 'eaglepool-token-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const token = randomBytes(32).toString('hex');
      writeFileSync(join(dir, 'token'), `${token}\n`);
      const s = await setup(node.url, { services: { tokenFile: join(dir, 'token') } });
      const jm = await startJobmaker(s.config('jm'), { ...s.deps, healthServer: false });
      cleanups.push(() => jm.stop());
      const blocks = await startBlockmaker(s.config('bm'), { ...s.deps, healthServer: false });
      cleanups.push(() => blocks.stop());
      const jobId = await s.store.nextJobId();
      await s.store.putTemplate(jobId, JSON.stringify(node.template), 60_000);
      const work = workFromTemplate(node.template);
      const good = nonceToBytes(hexToUint(mined.header.nonce, 128));
      const solved = (over: Partial<SolvedBlock>): SolvedBlock => ({
        jobId,
        workId: work.workId,
        powHash: work.powHash,
        channelId: 1,
        user: 'alice',
        worker: 'rig1',
        foundAt: 0n,
        replica: 0,
        nonce: good,
        shareId: shareIdFor(jobId, good),
        ...over,
      });
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (err: { code?: number }) => err.code,
        );
      const url = `127.0.0.1:${blocks.grpcPort}`;

      // No token, or a wrong one: UNAUTHENTICATED (16), for both services, before any work is done.
      const anonymous = connectBlockMaker({ url });
      const wrong = connectBlockMaker({ url, token: 'f'.repeat(64) });
      cleanups.push(async () => (anonymous.close(), wrong.close()));
      expect(await code(anonymous.submitBlock(solved({})))).toBe(16);
      expect(await code(wrong.submitBlock(solved({})))).toBe(16);
      const streamError = await new Promise<number | undefined>((resolve) => {
        const client = new JobStreamClient(`127.0.0.1:${jm.grpcPort}`, credentials.createInsecure());
        const call = client.subscribe({ subscriber: 'anonymous' });
        call.on('data', () => resolve(undefined));
        call.on('error', (err: { code: number }) => (client.close(), resolve(err.code)));
      });
      expect(streamError).toBe(16);
      expect(node.submitted).toHaveLength(0);

      // With the token, garbage is INVALID_ARGUMENT (3) and leaves no block record (until
      // 2026-12-07, 1,000 such calls made 1,000 "rejected" records with made-up users).
      const client = connectBlockMaker({ url, token });
      cleanups.push(async () => client.close());
      const bad = nonceToBytes(hexToUint(mined.header.nonce, 128) ^ 1n);
      const garbage: SolvedBlock[] = [
        solved({ nonce: bad, shareId: shareIdFor(jobId, bad) }), // misses the network target
        solved({ jobId: jobId + 1000, shareId: shareIdFor(jobId + 1000, good) }), // unknown job
        solved({ nonce: good.subarray(0, 8), shareId: '' }),
        solved({ powHash: new Uint8Array(32) }),
        solved({ powHash: new Uint8Array(3) }),
        solved({ shareId: 'made-up' }),
        solved({ user: 'ev\0il', worker: '\u202erig' }),
        solved({ user: '' }),
      ];
      for (let i = 0; i < 100; i++)
        garbage.push(solved({ user: `mallory${i}`, nonce: randomBytes(16), shareId: '' }));
      for (const g of garbage) expect(await code(client.submitBlock(g))).toBe(3);
      expect(await s.store.listBlocks(1000)).toEqual([]);
      expect(node.submitted).toHaveLength(0);

      // The real block goes through.
      expect(await client.submitBlock(solved({}))).toMatchObject({ accepted: true });
      expect((await s.store.listBlocks(10)).map((b) => b.user)).toEqual(['alice']);
      const jobs = connectJobStream({
        url: `127.0.0.1:${jm.grpcPort}`,
        subscriber: 'ok',
        logger: silentLogger,
        token,
      });
      cleanups.push(async () => jobs.close());
      expect((await nextJob(jobs, () => true)).jobId).toBeGreaterThan(0);
    });

    it('block maker records a block the node keeps off the main chain as a side block, not as found', async () => {
      const { mined, node, s, blocks, work, solved } = await blockmakerOnMainnetBlock();
      // Another block holds the height on the main chain; the node answers our block with its hash.
      const other = { ...mined.header, nonce: '0x1', hash: '0x' + '22'.repeat(32) };
      node.headers.set(work.number, other);
      node.tip = other;
      node.submitScript.push('side');
      const reply = await blocks.blocks.submitBlock(solved({ user: 'dave' }));
      expect(reply).toMatchObject({ accepted: false, blockHash: mined.header.hash, status: 'side' });
      expect(reply.reason).toContain(`the main chain has ${other.hash} at ${work.number}`);
      expect(node.submitted).toHaveLength(1);
      expect(await s.store.blockByShare(solved().shareId)).toMatchObject({
        status: 'side',
        blockHash: mined.header.hash,
      });
    });

    it('block maker retries through a node outage without piling up abort listeners, then gives up', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      cleanups.push(async () => void process.off('warning', onWarning));
      // A dead node and no client retries: every round (submit + chain reads) fails at once, ~50 rounds.
      const { blocks, solved } = await blockmakerOnMainnetBlock('http://127.0.0.1:1', {
        blockmaker: { grpcListen: '127.0.0.1:0', healthPort: 0, retryIntervalMs: 10, submitDeadlineMs: 1000 },
      });
      const reply = await blocks.blocks.submitBlock(solved());
      expect(reply).toMatchObject({ accepted: false, status: 'rejected' });
      expect(reply.reason).toMatch(/gave up after 1000 ms/);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    });

    it('block maker picks up a candidate that only reached the block-candidates log (replica died after logging)', async () => {
      const mined = mainnetBlockRaw();
      const node = await fakeNode(templateFromBlock(mined, 9));
      const s = await setup(node.url);
      const jobId = await s.store.nextJobId();
      await s.store.putTemplate(jobId, JSON.stringify(node.template), 60_000);
      const work = workFromTemplate(node.template);
      const nonce = nonceToBytes(hexToUint(mined.header.nonce, 128));
      const shareId = shareIdFor(jobId, nonce);
      await logBlockCandidate(s.bus, poolTopics(s.prefix), {
        jobId,
        workId: work.workId,
        nonce,
        powHash: work.powHash,
        channelId: 1,
        user: 'carol',
        worker: 'w',
        foundAt: 1n,
        replica: 2,
        shareId,
      });
      const blocks = await startBlockmaker(s.config('bm'), { ...s.deps, healthServer: false });
      cleanups.push(() => blocks.stop());
      const found = await eventually(() => s.store.blockByShare(shareId));
      expect(found).toMatchObject({ status: 'accepted', blockHash: mined.header.hash, user: 'carol' });
    });

    it('share processor accounts logged shares exactly once and serves the API with a PPLNS split summing to the reward', async () => {
      const s = await setup('http://127.0.0.1:1');
      const log = createShareLog(s.bus, poolTopics(s.prefix));
      const now = BigInt(Date.now());
      const shares = [
        share({ shareId: '5:01', user: 'alice', worker: 'a1', difficulty: 3000, acceptedAt: now }),
        share({ shareId: '5:02', user: 'alice', worker: 'a2', difficulty: 1000, acceptedAt: now }),
        share({ shareId: '5:03', user: 'bob', worker: 'b1', difficulty: 2000, acceptedAt: now }),
        share({
          shareId: '5:04',
          user: 'bob',
          worker: 'b1',
          difficulty: 1000,
          acceptedAt: now,
          isBlock: true,
        }),
      ];
      await Promise.all(shares.map((sh) => log.append(sh)));
      const sp = await startShareprocessor(s.config('sp'), { ...s.deps, healthServer: false });
      const spStopped = { done: false };
      cleanups.push(async () => void (spStopped.done || (await sp.stop())));
      await eventually(() => sp.accounted() >= 4);
      const api = `http://127.0.0.1:${sp.httpPort}/api`;
      const pool = await eventually(async () => {
        const r = await getJson(`${api}/pool`);
        return r.body.shares === 4 ? r.body : undefined;
      });
      expect(pool).toMatchObject({ shares: 4, difficulty: 7000, users: 2, workers: 3 });

      // A restarted processor in a group that has no committed offsets at all (it would read the
      // topic from the beginning): it resumes at the position stored with the accounting.
      await sp.stop();
      spStopped.done = true;
      const ledger = new MemoryLedgerStore();
      const sp2 = await startShareprocessor(
        loadConfig({
          file: null,
          env: {},
          base: {
            ...s.configBase('sp2'),
            shareprocessor: {
              httpListen: '127.0.0.1:0',
              healthPort: 0,
              pplnsMinWindow: 1e12,
              groupId: `${s.prefix}-other-group`,
            },
          },
        }),
        { ...s.deps, ledger, healthServer: false },
      );
      cleanups.push(() => sp2.stop());
      await log.append(share({ shareId: '5:05', user: 'carol', difficulty: 500, acceptedAt: now }));
      const api2 = `http://127.0.0.1:${sp2.httpPort}/api`;
      await eventually(async () => ((await getJson(`${api2}/pool`)).body.users === 3 ? true : undefined));
      expect((await getJson(`${api2}/pool`)).body).toMatchObject({ shares: 5, difficulty: 7500 });
      expect(sp2.accounted()).toBe(1);
      // It started at the stored position: it did not even read the 4 shares again.
      const consumed = await sp2.registry.getSingleMetric('eaglepool_shareprocessor_shares_total')!.get();
      expect(consumed.values.find((v) => v.labels.result === 'duplicate')?.value ?? 0).toBe(0);

      const alice = await getJson(`${api2}/workers/alice`);
      expect(alice.status).toBe(200);
      expect(alice.body).toMatchObject({ user: 'alice', shares: 2, difficulty: 4000 });
      expect((alice.body.workers as { worker: string }[]).map((w) => w.worker)).toEqual(['a1', 'a2']);
      expect((await getJson(`${api2}/workers/nobody`)).status).toBe(404);
      expect((await getJson(`${api2}/workers/%E0%A4%A`)).status).toBe(400);

      await s.store.recordBlock({
        blockHash: '0xabc',
        number: 77n,
        jobId: 5,
        shareId: '5:04',
        user: 'bob',
        worker: 'b1',
        foundAt: now,
        reward: '100000000001',
        status: 'accepted',
        reason: '',
      });
      const listed = await getJson(`${api2}/blocks`);
      expect(listed.body.blocks).toEqual([expect.objectContaining({ blockHash: '0xabc', number: '77' })]);
      // The money routes read the payouts ledger: nothing until the block's reward is credited.
      expect((await getJson(`${api2}/blocks/0xabc/payouts`)).status).toBe(404);
      const credited = allocate(
        100000000001n,
        new Map([
          ['alice', 4000n],
          ['bob', 3000n],
        ]),
        {
          address: 'fee',
          rateBps: 100,
        },
      );
      await ledger.apply({
        entries: [allocationEntry('0xabc', credited)],
        blocks: [
          {
            hash: '0xabc',
            number: 77n,
            shareId: '5:04',
            user: 'bob',
            worker: 'b1',
            foundAt: BigInt(now),
            state: 'finalized',
            confirmations: 12n,
            reward: { primary: 100000000001n, secondary: 0n, committed: 0n, proposal: 0n },
            generation: 0,
          },
        ],
      });
      const payouts = await getJson(`${api2}/blocks/0xabc/payouts`);
      expect(payouts.status).toBe(200);
      const split = payouts.body.payouts as { user: string; amount: string }[];
      expect(split.map((p) => p.user)).toEqual(['alice', 'bob', 'fee']);
      expect(split.reduce((sum, p) => sum + BigInt(p.amount), 0n)).toBe(100000000001n);
      const withState = await getJson(`${api2}/blocks`);
      expect(withState.body.blocks).toEqual([
        expect.objectContaining({
          lifecycle: expect.objectContaining({ state: 'finalized', reward: '100000000001' }),
        }),
      ]);
      const aliceBalance = await getJson(`${api2}/miners/alice/balance`);
      expect(aliceBalance.body).toEqual({
        user: 'alice',
        immature: String(credited.credits.get('alice')),
        available: '0',
        pending: '0',
        paid: '0',
      });
      expect((await getJson(`${api2}/blocks/0xdef/payouts`)).status).toBe(404);
    });
  });
}
