/**
 * The set of 16-byte nonces a job has accepted (the duplicate-share guard). An open-addressing
 * hash table over one Uint32Array (four words per nonce, linear probing), so a share adds no
 * JS object: a `Set<string>` of the same nonces cost a string per share and, at 100k shares/s
 * on one job, most of the server's garbage collection.
 */
import { randomBytes } from 'node:crypto';

const WORDS = 4;
// A per-process seed: nonces that collide in the table cannot be prepared in advance (they must
// also meet the share target to get this far).
const SEED = randomBytes(4).readUInt32LE(0);
const INITIAL_SLOTS = 1024;

export class NonceSet {
  // No table until the first nonce: a job that gets no share (or is retired) costs nothing.
  private slots = 0;
  private keys = new Uint32Array(0);
  private used = new Uint8Array(0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the 16-byte nonce at `n[off..off+16]`; false if it was already there. */
  add(n: Uint8Array, off = 0): boolean {
    const a = readU32(n, off);
    const b = readU32(n, off + 4);
    const c = readU32(n, off + 8);
    const d = readU32(n, off + 12);
    if ((this.count + 1) * 2 > this.slots) this.grow();
    return this.insert(a, b, c, d);
  }

  /** Forgets every nonce and releases the table. */
  clear(): void {
    this.slots = 0;
    this.keys = new Uint32Array(0);
    this.used = new Uint8Array(0);
    this.count = 0;
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    const mask = this.slots - 1;
    const keys = this.keys;
    const used = this.used;
    for (let i = hash(a, b, c, d) & mask; ; i = (i + 1) & mask) {
      if (used[i] === 0) {
        used[i] = 1;
        const k = i * WORDS;
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        keys[k + 3] = d;
        this.count++;
        return true;
      }
      const k = i * WORDS;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return false;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldUsed = this.used;
    this.slots = this.slots === 0 ? INITIAL_SLOTS : this.slots * 2;
    this.keys = new Uint32Array(this.slots * WORDS);
    this.used = new Uint8Array(this.slots);
    this.count = 0;
    for (let i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i] === 0) continue;
      const k = i * WORDS;
      this.insert(oldKeys[k]!, oldKeys[k + 1]!, oldKeys[k + 2]!, oldKeys[k + 3]!);
    }
  }
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** Mixes all four words (miners vary different parts of the nonce: prefix, roll field, counter). */
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ SEED, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
