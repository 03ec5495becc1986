import { describe, expect, it } from 'vitest';
import { EphemeralKeyPool } from './ephemeral-pool.js';
import { NoiseInitiator, NoiseResponder, PreparedResponderKeys } from './handshake.js';
import { generateAuthorityKeys, generateResponderKeys } from './keys.js';
import { deterministicRandom, hex } from './testing/util.js';

describe('EphemeralKeyPool', () => {
  it('fills up to capacity and hands out each key once', () => {
    const pool = new EphemeralKeyPool(3, deterministicRandom('pool'));
    expect(pool.fill(2)).toBe(2);
    expect(pool.fill()).toBe(1);
    expect(pool.fill()).toBe(0);
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()];
    expect(pool.size).toBe(0);
    expect(new Set(taken.map((k) => hex(k.secretKey))).size).toBe(4); // the 4th was made on demand
  });

  it('pooled keys complete handshakes', () => {
    const random = deterministicRandom('pool handshake');
    const authority = generateAuthorityKeys(random);
    const keys = new PreparedResponderKeys(
      generateResponderKeys({ authoritySecretKey: authority.secretKey, random }),
    );
    const pool = new EphemeralKeyPool(2, random);
    pool.fill();
    for (let i = 0; i < 2; i++) {
      const initiator = new NoiseInitiator({ authorityPublicKey: authority.publicKey, random });
      const { act2 } = new NoiseResponder(keys, { ephemeral: pool.take() }).respond(initiator.writeAct1());
      expect(() => initiator.readAct2(act2)).not.toThrow();
    }
  });
});
