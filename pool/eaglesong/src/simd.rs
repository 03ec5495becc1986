//! 4-lane WebAssembly `simd128` miner search: four consecutive nonces per permutation.
//!
//! The round is the shared generic one (`permutation.rs`) instantiated on `v128`, each lane
//! holding one nonce's state. WebAssembly SIMD has no rotate: rotations are shift-shift-or,
//! except rotations by whole bytes (8 and 24 in every add-rotate-add step, 8 in two
//! circulant rows), which are one byte shuffle.

use core::arch::wasm32::*;

use crate::permutation::{permute_generic, Word};
use crate::{nonce_block, state_meets, target_words};

impl Word for v128 {
    #[inline(always)]
    fn xor(self, other: v128) -> v128 {
        v128_xor(self, other)
    }
    #[inline(always)]
    fn add(self, other: v128) -> v128 {
        i32x4_add(self, other)
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> v128 {
        // `n` is a constant after inlining, so only one arm survives.
        match n {
            8 => i8x16_shuffle::<3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14>(self, self),
            16 => i8x16_shuffle::<2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13>(self, self),
            24 => i8x16_shuffle::<1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12>(self, self),
            _ => v128_or(i32x4_shl(self, n), u32x4_shr(self, 32 - n)),
        }
    }
    #[inline(always)]
    fn splat(c: u32) -> v128 {
        u32x4_splat(c)
    }
}

#[inline(always)]
fn bswap(x: v128) -> v128 {
    i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(x, x)
}

/// Same contract as [`crate::search`], four nonces at a time; the last `count % 4` nonces
/// use the scalar path.
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
    let base_word3 = u32::from_be_bytes([base[12], base[13], base[14], base[15]]);
    let end = (start as u64 + count as u64).min(1 << 32);
    let lanes = u32x4(0, 1, 2, 3);
    let target0 = u32x4_splat(target[0]);
    let mut found = 0;
    let mut n = start as u64;
    while n + 4 <= end && found < hits.len() {
        let mut s = [u32x4_splat(0); 16];
        for (v, &w) in s.iter_mut().zip(block.iter()) {
            *v = u32x4_splat(w);
        }
        // Word 3 is nonce bytes 12..16 read big-endian: byte-swapped n, n+1, n+2, n+3.
        s[3] = v128_xor(u32x4_splat(block[3] ^ base_word3), bswap(i32x4_add(u32x4_splat(n as u32), lanes)));
        permute_generic(&mut s);
        // Cheap filter on the digest's first big-endian word; full comparison per candidate.
        let first = bswap(s[0]);
        if v128_any_true(u32x4_le(first, target0)) {
            let lane_states = lanes_of(&s);
            for (lane, state) in lane_states.iter().enumerate() {
                if found < hits.len() && state_meets(state, &target) {
                    hits[found] = n as u32 + lane as u32;
                    found += 1;
                }
            }
        }
        n += 4;
    }
    if n < end && found < hits.len() {
        found += crate::search(midstate, base, n as u32, (end - n) as u32, target_be, &mut hits[found..]);
    }
    found
}

/// The four lanes as separate scalar states (only the first eight words matter).
#[inline(never)]
fn lanes_of(s: &[v128; 16]) -> [[u32; 16]; 4] {
    let mut out = [[0u32; 16]; 4];
    for (i, v) in s.iter().enumerate().take(8) {
        out[0][i] = u32x4_extract_lane::<0>(*v);
        out[1][i] = u32x4_extract_lane::<1>(*v);
        out[2][i] = u32x4_extract_lane::<2>(*v);
        out[3][i] = u32x4_extract_lane::<3>(*v);
    }
    out
}
