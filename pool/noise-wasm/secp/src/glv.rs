//! Scalar recoding for `ecmult.rs`: the GLV split of libsecp256k1 / k256 (k = r1 + λ·r2 with
//! |r1|, |r2| < 2^128) combined with the all-odd signed digits of libsecp256k1's
//! `secp256k1_ecmult_const` (Hamburg, "Fast and compact elliptic-curve cryptography", §3.3).
//!
//! Read the L bits of v as signs (bit 1 = +, bit 0 = −): C_L(v, A) = Σ (2·v[i] − 1)·2^i·A =
//! (2v + 1 − 2^L)·A. Taken 5 bits at a time, each group is one of ±A, ±3A, …, ±31A: never
//! infinity, and the index into a table of 16 odd multiples comes from the bits without a
//! branch. With s = (q + K)/2 mod n, K = (2^L − 2^129 − 1)(1 + λ), L = 130, (r1, r2) the split
//! of s and v_i = r_i + 2^128 (in [0, 2^129)): C_L(v1, A) + C_L(v2, λA) = q·A.
//! Every step is constant time in q (fixed shifts, no secret-dependent branch or index).

use k256::elliptic_curve::bigint::U256;
use k256::elliptic_curve::ops::Reduce;
use k256::Scalar;

/// Bits per signed digit group, and groups covering the 130 bits of v1, v2.
pub const GROUP_BITS: usize = 5;
pub const GROUPS: usize = 26;
/// Odd multiples per table (A, 3A, …, 31A).
pub const TABLE_LEN: usize = 1 << (GROUP_BITS - 1);

pub fn scalar_from_be(bytes: &[u8; 32]) -> Scalar {
    Scalar::from_uint_reduced(U256::from_be_slice(bytes))
}

fn scalar(c: U256) -> Scalar {
    Scalar::from_uint_reduced(c)
}

/// λ with λ·(x, y) = (β·x, y).
pub const LAMBDA: U256 =
    U256::from_be_hex("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72");
const MINUS_LAMBDA: U256 =
    U256::from_be_hex("ac9c52b33fa3cf1f5ad9e3fd77ed9ba4a880b9fc8ec739c2e0cfc810b51283cf");
const MINUS_B1: U256 = U256::from_be_hex("00000000000000000000000000000000e4437ed6010e88286f547fa90abfe4c3");
const MINUS_B2: U256 = U256::from_be_hex("fffffffffffffffffffffffffffffffe8a280ac50774346dd765cda83db1562c");
/// (n + 1)/2 = 1/2 mod n.
pub const HALF: U256 = U256::from_be_hex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1");
/// K = (2^130 − 2^129 − 1)(1 + λ) mod n (libsecp256k1's `secp256k1_ecmult_const_K`).
const K: U256 = U256::from_be_hex("a4e88a7dcb13034ec2bdd6bf7c118d6b589ae84826ba29e4b5c2c1dcde9798d9");
const TWO_128: U256 = U256::from_be_hex("0000000000000000000000000000000100000000000000000000000000000000");
/// round(2^384·b2/n) and round(2^384·(−b1)/n).
const G1: [u32; 8] = limbs("3086d221a7d46bcde86c90e49284eb153daa8a1471e8ca7fe893209a45dbb031");
const G2: [u32; 8] = limbs("e4437ed6010e88286f547fa90abfe4c4221208ac9df506c61571b4ae8ac47f71");

/// Little-endian 32-bit limbs of a 64-digit hex number, at compile time.
const fn limbs(hex: &str) -> [u32; 8] {
    let h = hex.as_bytes();
    let mut out = [0u32; 8];
    let mut i = 0;
    while i < 64 {
        let c = h[i];
        let d = if c >= b'a' { c - b'a' + 10 } else { c - b'0' } as u32;
        let limb = 7 - i / 8;
        out[limb] |= d << (4 * (7 - i % 8));
        i += 1;
    }
    out
}

fn to_limbs(s: &Scalar) -> [u32; 8] {
    let b = s.to_bytes();
    let mut out = [0u32; 8];
    for (i, o) in out.iter_mut().enumerate() {
        let k = 28 - 4 * i;
        *o = u32::from_be_bytes([b[k], b[k + 1], b[k + 2], b[k + 3]]);
    }
    out
}

/// round(a·g / 2^384) for 256-bit a, g, in constant time (schoolbook 8×8 limbs).
fn mul_shift_384(a: &[u32; 8], g: &[u32; 8]) -> Scalar {
    let mut wide = [0u32; 16];
    for i in 0..8 {
        let mut carry = 0u64;
        for j in 0..8 {
            let t = wide[i + j] as u64 + (a[i] as u64) * (g[j] as u64) + carry;
            wide[i + j] = t as u32;
            carry = t >> 32;
        }
        wide[i + 8] = carry as u32;
    }
    // Bits 384.. plus the rounding bit 383 (the sum stays below 2^129: no overflow).
    let mut out = [0u8; 32];
    let mut carry = (wide[11] >> 31) as u64;
    for i in 0..4 {
        let t = wide[12 + i] as u64 + carry;
        let k = 28 - 4 * i;
        out[k..k + 4].copy_from_slice(&(t as u32).to_be_bytes());
        carry = t >> 32;
    }
    out[12..16].copy_from_slice(&(carry as u32).to_be_bytes());
    scalar_from_be(&out)
}

/// (r1, r2) with r1 + λ·r2 = k mod n and |r1|, |r2| < 2^128 (as residues mod n); k256 0.11's
/// `decompose_scalar`, whose bound proof is in its arithmetic/mul.rs.
pub fn split_lambda(k: &Scalar) -> (Scalar, Scalar) {
    let kl = to_limbs(k);
    let c1 = mul_shift_384(&kl, &G1) * scalar(MINUS_B1);
    let c2 = mul_shift_384(&kl, &G2) * scalar(MINUS_B2);
    let r2 = c1 + c2;
    let r1 = *k + r2 * scalar(MINUS_LAMBDA);
    (r1, r2)
}

/// The two 130-bit sign strings (big-endian bytes of v1, v2) for q: see the module comment.
pub fn recode(q: &Scalar) -> ([u8; 32], [u8; 32]) {
    let s = (*q + scalar(K)) * scalar(HALF);
    let (r1, r2) = split_lambda(&s);
    let offset = scalar(TWO_128);
    ((r1 + offset).to_bytes().into(), (r2 + offset).to_bytes().into())
}

/// `count` (≤ 8) bits of the big-endian number `v` starting at bit `offset`; offsets are public.
pub fn bits(v: &[u8; 32], offset: usize, count: usize) -> u32 {
    let byte = 31 - offset / 8;
    let lo = v[byte] as u32;
    let hi = if byte > 0 { v[byte - 1] as u32 } else { 0 };
    ((lo | (hi << 8)) >> (offset % 8)) & ((1 << count) - 1)
}

/// The table index and sign of the group value b: C_5(b) = (2b + 1 − 32) = ±(2·index + 1).
#[inline]
pub fn digit(b: u32) -> (u32, u8) {
    let negative = ((b >> (GROUP_BITS - 1)) ^ 1) & 1;
    let index = (negative.wrapping_neg() ^ b) & (TABLE_LEN as u32 - 1);
    (index, negative as u8)
}
