/**
 * ChaCha20-Poly1305 from RustCrypto's `chacha20poly1305` crate in the noise.wasm module built from
 * pool/noise-wasm (next to this file). Loaded once, synchronously; the module has no imports and
 * never grows its memory, so the buffer views stay valid.
 *
 * Each seal/open copies the key (skipped when the same key as last time), nonce, AD and message
 * into the module's buffers and makes one call: a few hundred nanoseconds for SV2's small frames,
 * against microseconds for node:crypto's per-call cipher objects.
 *
 * Memory: a server holds two keys per idle connection, so a key is one small object with the key
 * as eight int32 fields and its methods on the prototype (no closures, no per-key ArrayBuffer).
 */
import type { Aead, AeadKey } from './aead.js';
import { nodeAead } from './aead.js';
import { MAC_LEN } from './constants.js';
import { noiseWasm } from './wasm-load.js';

interface AeadExports {
  memory: { buffer: ArrayBuffer };
  aead_key_ptr(): number;
  aead_nonce_ptr(): number;
  aead_ad_ptr(): number;
  aead_ad_cap(): number;
  aead_data_ptr(): number;
  aead_data_cap(): number;
  aead_seal(ptLen: number, adLen: number): number;
  aead_open(ctLen: number, adLen: number): number;
}

const wasm = noiseWasm<AeadExports>();
const mem = wasm.memory.buffer;
const keyView = new DataView(mem, wasm.aead_key_ptr(), 32);
const nonceBuf = new Uint8Array(mem, wasm.aead_nonce_ptr(), 12);
const adBuf = new Uint8Array(mem, wasm.aead_ad_ptr(), wasm.aead_ad_cap());
const dataBuf = new Uint8Array(mem, wasm.aead_data_ptr(), wasm.aead_data_cap());
/** Which key object's bytes are in the module's key buffer. */
let loadedKey: WasmAeadKey | undefined;

class WasmAeadKey implements AeadKey {
  // The 32 key bytes as little-endian int32 words (small integers: stored inside the object).
  private readonly k0: number;
  private readonly k1: number;
  private readonly k2: number;
  private readonly k3: number;
  private readonly k4: number;
  private readonly k5: number;
  private readonly k6: number;
  private readonly k7: number;
  /**
   * node:crypto key for inputs beyond the module's buffers (AD > 64 bytes or message > 65535 + 16
   * bytes). SV2 framing and the Noise handshake never produce those, so it is made on first use.
   */
  private fallback: AeadKey | undefined;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`ChaCha20-Poly1305 key must be 32 bytes, got ${key.length}`);
    const v = new DataView(key.buffer, key.byteOffset, 32);
    this.k0 = v.getInt32(0, true);
    this.k1 = v.getInt32(4, true);
    this.k2 = v.getInt32(8, true);
    this.k3 = v.getInt32(12, true);
    this.k4 = v.getInt32(16, true);
    this.k5 = v.getInt32(20, true);
    this.k6 = v.getInt32(24, true);
    this.k7 = v.getInt32(28, true);
  }

  seal(nonce: Uint8Array, ad: Uint8Array, pt: Uint8Array, out: Uint8Array, outOff: number): void {
    if (ad.length > adBuf.length || pt.length + MAC_LEN > dataBuf.length) {
      this.fallbackKey().seal(nonce, ad, pt, out, outOff);
      return;
    }
    this.load();
    nonceBuf.set(nonce);
    adBuf.set(ad);
    dataBuf.set(pt);
    const n = wasm.aead_seal(pt.length, ad.length);
    out.set(dataBuf.subarray(0, n), outOff);
  }

  open(nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array, out: Uint8Array, outOff: number): boolean {
    if (ct.length < MAC_LEN) return false;
    if (ad.length > adBuf.length || ct.length > dataBuf.length)
      return this.fallbackKey().open(nonce, ad, ct, out, outOff);
    this.load();
    nonceBuf.set(nonce);
    adBuf.set(ad);
    dataBuf.set(ct);
    if (wasm.aead_open(ct.length, ad.length) !== 1) return false;
    out.set(dataBuf.subarray(0, ct.length - MAC_LEN), outOff);
    return true;
  }

  /** Puts this key into the module's key buffer unless it is already there. */
  private load(): void {
    if (loadedKey === this) return;
    keyView.setInt32(0, this.k0, true);
    keyView.setInt32(4, this.k1, true);
    keyView.setInt32(8, this.k2, true);
    keyView.setInt32(12, this.k3, true);
    keyView.setInt32(16, this.k4, true);
    keyView.setInt32(20, this.k5, true);
    keyView.setInt32(24, this.k6, true);
    keyView.setInt32(28, this.k7, true);
    // Remembered only to compare identity on the next call (not used to reach the key's fields).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    loadedKey = this;
  }

  private fallbackKey(): AeadKey {
    if (this.fallback === undefined) {
      const bytes = new Uint8Array(32);
      const v = new DataView(bytes.buffer);
      const words = [this.k0, this.k1, this.k2, this.k3, this.k4, this.k5, this.k6, this.k7];
      words.forEach((w, i) => v.setInt32(i * 4, w, true));
      this.fallback = nodeAead.key(bytes);
    }
    return this.fallback;
  }
}

export const wasmAead: Aead = {
  name: 'wasm (RustCrypto chacha20poly1305)',
  key: (key) => new WasmAeadKey(key),
};
