import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Job } from '../../../proto/gen/jobs.js';
import { ShareRecord } from '../../../proto/gen/shares.js';
import { shareIdFor } from './records.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('proto/gen', () => {
  // proto/gen is committed (no protoc needed to build or run); this regenerates it with
  // the same script into a temp dir and fails if anything differs. Needs protoc
  // (.ci/install.d/40-protoc.sh).
  it('is what `bash proto/generate.sh` produces from proto/*.proto', () => {
    const out = mkdtempSync(join(tmpdir(), 'eaglepool-proto-'));
    execFileSync('bash', [join(root, 'proto/generate.sh'), out], { stdio: 'pipe' });
    const committed = readdirSync(join(root, 'proto/gen')).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const f of committed) {
      expect(readFileSync(join(out, f), 'utf8'), `proto/gen/${f} is stale: run bash proto/generate.sh`).toBe(
        readFileSync(join(root, 'proto/gen', f), 'utf8'),
      );
    }
  });

  it('round-trips a job and a share record', () => {
    const job: Job = {
      jobId: 42,
      workId: '7',
      powHash: new Uint8Array(32).fill(1),
      target: new Uint8Array(32).fill(2),
      compactTarget: 0x1a08a97e,
      parentHash: new Uint8Array(32).fill(3),
      number: 19_804_416n,
      timestamp: 1_760_000_000_000n,
      version: 0,
      createdAt: 1_760_000_000_123n,
      clean: true,
    };
    expect(Job.decode(Job.encode(job).finish())).toEqual(job);
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => i);
    const share: ShareRecord = {
      shareId: shareIdFor(42, nonce),
      user: 'alice',
      worker: 'rig1',
      jobId: 42,
      difficulty: 1.5e12,
      isBlock: false,
      acceptedAt: 1_760_000_000_456n,
      replica: 3,
      channelId: 9,
      nonce,
    };
    expect(share.shareId).toBe('42:000102030405060708090a0b0c0d0e0f');
    expect(ShareRecord.decode(ShareRecord.encode(share).finish())).toEqual(share);
  });
});
