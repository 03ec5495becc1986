//! ChaCha20-Poly1305 AEAD (RFC 8439) for the SV2 Noise transport of Eaglepool.
//!
//! `no_std`, no dependencies, no allocation, constant-time tag comparison. The portable code is
//! here; `wasm.rs` exposes it to JavaScript through fixed buffers in linear memory so one call
//! seals or opens a whole message without any per-call allocation on either side.
#![cfg_attr(not(test), no_std)]

mod chacha20;
mod poly1305;
#[cfg(target_arch = "wasm32")]
mod wasm;

#[cfg(test)]
mod tests;

pub use chacha20::{block, xor_keystream};
pub use poly1305::Poly1305;

/// Poly1305 tag over `ad || pad16 || ct || pad16 || le64(|ad|) || le64(|ct|)`.
fn tag(key: &[u8; 32], nonce: &[u8; 12], ad: &[u8], ct: &[u8]) -> [u8; 16] {
    let otk = block(key, 0, nonce);
    let mut poly_key = [0u8; 32];
    poly_key.copy_from_slice(&otk[..32]);
    let mut mac = Poly1305::new(&poly_key);
    mac.update_padded(ad);
    mac.update_padded(ct);
    let mut lens = [0u8; 16];
    lens[..8].copy_from_slice(&(ad.len() as u64).to_le_bytes());
    lens[8..].copy_from_slice(&(ct.len() as u64).to_le_bytes());
    mac.update_padded(&lens);
    mac.finish()
}

/// Encrypts `data` in place and returns the tag.
pub fn seal(key: &[u8; 32], nonce: &[u8; 12], ad: &[u8], data: &mut [u8]) -> [u8; 16] {
    xor_keystream(key, 1, nonce, data);
    tag(key, nonce, ad, data)
}

/// Checks `expected` over the ciphertext `data`, then decrypts it in place. On a bad tag
/// returns false and leaves `data` as it was.
pub fn open(key: &[u8; 32], nonce: &[u8; 12], ad: &[u8], data: &mut [u8], expected: &[u8; 16]) -> bool {
    let computed = tag(key, nonce, ad, data);
    let mut diff = 0u8;
    for i in 0..16 {
        diff |= computed[i] ^ expected[i];
    }
    if diff != 0 {
        return false;
    }
    xor_keystream(key, 1, nonce, data);
    true
}
