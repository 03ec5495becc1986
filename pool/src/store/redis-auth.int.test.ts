/**
 * The store's connection security against real Redis servers: an ACL user with a password
 * (on the harness Redis) and TLS with a private CA (a redis-server this file starts with a
 * certificate made by openssl, on a port of the operator's fixed range).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../../../e2e/infra/env.js';
import { redisAclFile } from '../../../operator/src/render/redis-auth.js';
import { loadConfig } from '../config/index.js';
import { createStore } from './create.js';

const storeFrom = (env: Record<string, string>) => createStore(loadConfig({ file: null, env }));

describe('redis ACL user and password', () => {
  const user = `eaglepool-test-${randomUUID().slice(0, 8)}`;
  const prefix = `acl:${randomUUID()}:`;
  const admin = new Redis(redisUrl());

  beforeAll(async () => {
    // The user may only touch its own key prefix.
    await admin.call('ACL', 'SETUSER', user, 'on', '>right-password', `~${prefix}*`, '+@all');
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('connects with the user and password and works inside its keys', async () => {
    const store = await storeFrom({
      EAGLEPOOL_REDIS_URL: redisUrl(),
      EAGLEPOOL_REDIS_KEY_PREFIX: prefix,
      EAGLEPOOL_REDIS_USERNAME: user,
      EAGLEPOOL_REDIS_PASSWORD: 'right-password',
    });
    try {
      expect(await store.acquireLease('l', 'me', 10_000)).toBe(true);
      expect(await admin.get(`${prefix}lease:l`)).toBe('me');
    } finally {
      await store.close();
    }
  });

  it('a wrong password fails at start, and keys outside the ACL are refused', async () => {
    await expect(
      storeFrom({
        EAGLEPOOL_REDIS_URL: redisUrl(),
        EAGLEPOOL_REDIS_USERNAME: user,
        EAGLEPOOL_REDIS_PASSWORD: 'wrong',
      }),
    ).rejects.toThrow(/WRONGPASS/);
    const store = await storeFrom({
      EAGLEPOOL_REDIS_URL: redisUrl(),
      EAGLEPOOL_REDIS_KEY_PREFIX: 'not-mine:',
      EAGLEPOOL_REDIS_USERNAME: user,
      EAGLEPOOL_REDIS_PASSWORD: 'right-password',
    });
    try {
      await expect(store.acquireLease('l', 'me', 10_000)).rejects.toThrow(/NOPERM/);
    } finally {
      await store.close();
    }
  });
});

const TLS_PORT = 36379;
const ACL_PORT = 36380;

function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
}

/** A throwaway redis-server on loopback (no persistence) with `args`, up once `port` accepts. */
async function startRedis(port: number, args: string[]): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`redis-server ${args.join(' ')} exited with ${server.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGTERM');
  throw new Error(`redis-server did not listen on 127.0.0.1:${port}`);
}

describe('redis over TLS with a private CA and AUTH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-redis-tls-'));
  let server: ChildProcess;

  beforeAll(async () => {
    makeCerts(dir);
    server = await startRedis(TLS_PORT, [
      '--port',
      '0',
      '--tls-port',
      String(TLS_PORT),
      '--tls-cert-file',
      join(dir, 'server.pem'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.pem'),
      '--tls-auth-clients',
      'no',
      '--requirepass',
      'tls-pw',
    ]);
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects over rediss:// trusting the CA file, with the password from the environment', async () => {
    const store = await storeFrom({
      EAGLEPOOL_REDIS_URL: `rediss://127.0.0.1:${TLS_PORT}`,
      EAGLEPOOL_REDIS_TLS_CA_FILE: join(dir, 'ca.pem'),
      EAGLEPOOL_REDIS_PASSWORD: 'tls-pw',
    });
    try {
      expect(await store.acquireLease('tls', 'me', 10_000)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses a server certificate from an untrusted CA, and a missing password', async () => {
    await expect(
      storeFrom({
        EAGLEPOOL_REDIS_URL: `rediss://127.0.0.1:${TLS_PORT}`,
        EAGLEPOOL_REDIS_PASSWORD: 'tls-pw',
      }),
    ).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    await expect(
      storeFrom({
        EAGLEPOOL_REDIS_URL: `rediss://127.0.0.1:${TLS_PORT}`,
        EAGLEPOOL_REDIS_TLS_CA_FILE: join(dir, 'ca.pem'),
      }),
    ).rejects.toThrow(/NOAUTH/);
  });
});

describe('the operator-managed Redis ACL file (render/redis-auth.ts) on a real redis-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-redis-acl-'));
  let server: ChildProcess;

  beforeAll(async () => {
    writeFileSync(join(dir, 'users.acl'), redisAclFile('generated-pw'));
    server = await startRedis(ACL_PORT, ['--port', String(ACL_PORT), '--aclfile', join(dir, 'users.acl')]);
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits the generated password and nothing else', async () => {
    const url = `redis://127.0.0.1:${ACL_PORT}`;
    const store = await storeFrom({ EAGLEPOOL_REDIS_URL: url, EAGLEPOOL_REDIS_PASSWORD: 'generated-pw' });
    try {
      expect(await store.acquireLease('acl', 'me', 10_000)).toBe(true);
    } finally {
      await store.close();
    }
    await expect(storeFrom({ EAGLEPOOL_REDIS_URL: url })).rejects.toThrow(/NOAUTH/);
    await expect(storeFrom({ EAGLEPOOL_REDIS_URL: url, EAGLEPOOL_REDIS_PASSWORD: 'guess' })).rejects.toThrow(
      /WRONGPASS/,
    );
  });
});
