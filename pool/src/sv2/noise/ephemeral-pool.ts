import type { EllswiftKeyPair, RandomSource } from './ellswift.js';
import { generateKeyPair } from './ellswift.js';
import { defaultRandom } from './keys.js';

/**
 * Ephemeral key pairs made ahead of time. A fresh ephemeral key (k·G plus an ElligatorSwift
 * encoding) is about 30 % of a responder handshake's CPU; filling this pool while the process is
 * idle takes that off the handshake path during a reconnect burst of up to `capacity` miners.
 * Every key is handed out once and then forgotten, so forward secrecy is unchanged.
 */
export class EphemeralKeyPool {
  private readonly keys: EllswiftKeyPair[] = [];

  constructor(
    readonly capacity: number,
    private readonly random: RandomSource = defaultRandom,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  /** A never-used key pair: a prepared one if any, else one made now. */
  take(): EllswiftKeyPair {
    return this.keys.pop() ?? generateKeyPair(this.random);
  }

  /** Prepares up to `max` more key pairs without exceeding capacity; returns how many. */
  fill(max: number = this.capacity): number {
    const n = Math.max(0, Math.min(max, this.capacity - this.keys.length));
    for (let i = 0; i < n; i++) this.keys.push(generateKeyPair(this.random));
    return n;
  }
}
