/**
 * ChaCha20-Poly1305 from our own no_std Rust crate (pool/noise-wasm), compiled to WebAssembly and
 * committed as chacha20poly1305.wasm next to this file. Loaded once, synchronously; the module has
 * no imports and never grows its memory, so the buffer views stay valid.
 *
 * Each seal/open copies the key (skipped when the same key as last time), nonce, AD and message
 * into the module's buffers and makes one call: a few hundred nanoseconds for SV2's small frames,
 * against microseconds for node:crypto's per-call cipher objects.
 */
import type { Aead, AeadKey } from './aead.js';
import { nodeAead } from './aead.js';
import { MAC_LEN } from './constants.js';
import { instantiateWasm } from './wasm-load.js';

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

const wasm = instantiateWasm<AeadExports>('chacha20poly1305.wasm');
const mem = wasm.memory.buffer;
const keyBuf = new Uint8Array(mem, wasm.aead_key_ptr(), 32);
const nonceBuf = new Uint8Array(mem, wasm.aead_nonce_ptr(), 12);
const adBuf = new Uint8Array(mem, wasm.aead_ad_ptr(), wasm.aead_ad_cap());
const dataBuf = new Uint8Array(mem, wasm.aead_data_ptr(), wasm.aead_data_cap());
/** Which key object's bytes are in keyBuf. */
let loadedKey: object | undefined;

export const wasmAead: Aead = {
  name: 'wasm (pool/noise-wasm)',
  key(key: Uint8Array): AeadKey {
    const k = Uint8Array.from(key);
    // Inputs beyond the module's buffers (never produced by SV2 framing) go to node:crypto.
    const fallback = nodeAead.key(k);
    const self: AeadKey = {
      seal(nonce, ad, pt, out, outOff) {
        if (ad.length > adBuf.length || pt.length + MAC_LEN > dataBuf.length) {
          fallback.seal(nonce, ad, pt, out, outOff);
          return;
        }
        if (loadedKey !== self) {
          keyBuf.set(k);
          loadedKey = self;
        }
        nonceBuf.set(nonce);
        adBuf.set(ad);
        dataBuf.set(pt);
        const n = wasm.aead_seal(pt.length, ad.length);
        out.set(dataBuf.subarray(0, n), outOff);
      },
      open(nonce, ad, ct, out, outOff) {
        if (ct.length < MAC_LEN) return false;
        if (ad.length > adBuf.length || ct.length > dataBuf.length)
          return fallback.open(nonce, ad, ct, out, outOff);
        if (loadedKey !== self) {
          keyBuf.set(k);
          loadedKey = self;
        }
        nonceBuf.set(nonce);
        adBuf.set(ad);
        dataBuf.set(ct);
        if (wasm.aead_open(ct.length, ad.length) !== 1) return false;
        out.set(dataBuf.subarray(0, ct.length - MAC_LEN), outOff);
        return true;
      },
    };
    return self;
  },
};
