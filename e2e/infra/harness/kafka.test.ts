import { describe, expect, it } from 'vitest';
import { clusterId } from './kafka.js';

describe('clusterId', () => {
  it('is 22 base64url characters that never start with a dash', () => {
    // 1 in 64 raw ids starts with '-', so 2000 draws would almost surely include one if not filtered.
    for (let i = 0; i < 2000; i++) {
      const id = clusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
