//! Eaglesong, the proof-of-work hash of Nervos CKB (RFC 0010), for Eaglepool.
//!
//! `no_std`, no dependencies, no allocation. Sponge: 16 × u32 state, rate 256 bits, capacity
//! 256 bits, delimiter 0x06, 256-bit output. Input bytes are absorbed as big-endian words;
//! output words are squeezed little-endian.
//!
//! CKB hashes `pow_hash (32 bytes) || nonce (u128, 16 bytes LE)`: the first rate block is
//! exactly `pow_hash`, so the state after one permutation (the *midstate*) is fixed per job
//! and each nonce costs one more permutation. The reference code permutes once more after
//! copying out the digest; a 32-byte output does not need that permutation, so it is skipped.
//!
//! Built to `wasm32-unknown-unknown` for the pool (exports in `wasm.rs`) and natively for
//! tests and the native benchmark.
#![cfg_attr(not(test), no_std)]

mod constants;
mod permutation;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use permutation::permute;

/// Bytes per rate block.
pub const RATE_BYTES: usize = 32;
/// Domain-separation byte appended after the message.
const DELIMITER: u32 = 0x06;

/// Incremental Eaglesong: absorb whole rate blocks, then [`Sponge::finish`] with the rest.
#[derive(Clone)]
pub struct Sponge {
    state: [u32; 16],
}

impl Default for Sponge {
    fn default() -> Self {
        Self::new()
    }
}

impl Sponge {
    pub const fn new() -> Self {
        Sponge { state: [0; 16] }
    }

    /// Absorbs `blocks.len() / 32` full rate blocks; a trailing partial block is ignored,
    /// so callers pass a multiple of 32 bytes.
    pub fn absorb_blocks(&mut self, blocks: &[u8]) {
        for block in blocks.chunks_exact(RATE_BYTES) {
            for (word, bytes) in self.state[..8].iter_mut().zip(block.chunks_exact(4)) {
                *word ^= u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
            permute(&mut self.state);
        }
    }

    /// Absorbs the remaining bytes (any length), the delimiter, and returns the digest.
    pub fn finish(mut self, rest: &[u8]) -> [u8; 32] {
        let full = rest.len() - rest.len() % RATE_BYTES;
        self.absorb_blocks(&rest[..full]);
        let tail = &rest[full..];
        // Last block: whole words big-endian; the word holding the end is the remaining
        // bytes followed by the delimiter, right-aligned (the reference shifts only on real
        // bytes and on the delimiter, never on padding); later words are zero.
        let mut words = [0u32; 8];
        for (i, word) in words.iter_mut().enumerate() {
            let start = i * 4;
            if start > tail.len() {
                break;
            }
            let mut w = 0u32;
            for &b in &tail[start..tail.len().min(start + 4)] {
                w = (w << 8) | b as u32;
            }
            if tail.len() < start + 4 {
                w = (w << 8) | DELIMITER;
            }
            *word = w;
        }
        for (s, w) in self.state[..8].iter_mut().zip(words) {
            *s ^= w;
        }
        permute(&mut self.state);
        squeeze(&self.state)
    }
}

/// The 32-byte digest: the first eight state words, little-endian.
#[inline(always)]
fn squeeze(state: &[u32; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Eaglesong of any input.
pub fn eaglesong(input: &[u8]) -> [u8; 32] {
    Sponge::new().finish(input)
}

/// State after absorbing `pow_hash` as the first rate block: fixed for a whole job.
pub fn pow_midstate(pow_hash: &[u8; 32]) -> [u32; 16] {
    let mut sponge = Sponge::new();
    sponge.absorb_blocks(pow_hash);
    sponge.state
}

/// The second (last) block of a CKB PoW message before permutation: `midstate` with the
/// nonce words and the delimiter (word 4 ^= 0x06) absorbed.
#[inline(always)]
pub(crate) fn nonce_block(midstate: &[u32; 16], nonce: &[u8; 16]) -> [u32; 16] {
    let mut s = *midstate;
    for (word, bytes) in s[..4].iter_mut().zip(nonce.chunks_exact(4)) {
        *word ^= u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    s[4] ^= DELIMITER;
    s
}

/// `eaglesong(pow_hash || nonce)` from the job's midstate: one permutation.
pub fn pow_hash_from_midstate(midstate: &[u32; 16], nonce: &[u8; 16]) -> [u8; 32] {
    let mut s = nonce_block(midstate, nonce);
    permute(&mut s);
    squeeze(&s)
}

/// `eaglesong(pow_hash || nonce)` (48 bytes): two permutations.
pub fn pow_hash(pow_hash: &[u8; 32], nonce: &[u8; 16]) -> [u8; 32] {
    pow_hash_from_midstate(&pow_midstate(pow_hash), nonce)
}

/// True when the digest read as a big-endian 256-bit integer is `<=` the big-endian target.
pub fn meets_target(digest: &[u8; 32], target_be: &[u8; 32]) -> bool {
    digest <= target_be
}

/// Big-endian words of a 32-byte big-endian target, for word-wise comparison with a state.
#[inline(always)]
pub(crate) fn target_words(target_be: &[u8; 32]) -> [u32; 8] {
    let mut t = [0u32; 8];
    for (word, bytes) in t.iter_mut().zip(target_be.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    t
}

/// Compares the digest of a final state (its first eight words squeezed little-endian, read
/// big-endian, i.e. `swap_bytes` of each word) with the target words. `N` is 16 (a whole
/// state) or 8 (just the digest words).
#[inline(always)]
pub(crate) fn state_meets<const N: usize>(state: &[u32; N], target: &[u32; 8]) -> bool {
    for i in 0..8 {
        let d = state[i].swap_bytes();
        if d != target[i] {
            return d < target[i];
        }
    }
    true
}

/// Miner search: hashes the nonces `base` with bytes 12..16 replaced by the little-endian
/// u32 values `start, start + 1, …` (at most `count` of them, never past `u32::MAX`) and
/// stores those whose digest meets `target_be` in `hits`, in increasing order. Stops early
/// when `hits` is full. Returns the number of hits stored.
pub fn search(
    midstate: &[u32; 16],
    base: &[u8; 16],
    start: u32,
    count: u32,
    target_be: &[u8; 32],
    hits: &mut [u32],
) -> usize {
    let target = target_words(target_be);
    let block = nonce_block(midstate, base);
    // Bytes 12..16 of the nonce are word 3; undo the base's contribution once.
    let base_word3 = u32::from_be_bytes([base[12], base[13], base[14], base[15]]);
    let end = start as u64 + count as u64;
    let end = if end > 1 << 32 { 1 << 32 } else { end };
    let mut found = 0;
    let mut n = start as u64;
    while n < end && found < hits.len() {
        let mut s = block;
        s[3] ^= base_word3 ^ (n as u32).swap_bytes();
        permute(&mut s);
        if state_meets(&s, &target) {
            hits[found] = n as u32;
            found += 1;
        }
        n += 1;
    }
    found
}

#[cfg(test)]
mod tests;
