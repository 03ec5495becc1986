//! The Eaglesong permutation F: 43 rounds over a state of 16 words.
//!
//! The round is written once, generically over [`Word`], so that the scalar path (`u32`)
//! and the 4-lane SIMD path (`v128`, see `simd.rs`) share the same, single source of truth.

use crate::constants::INJECTION;

/// A 32-bit word, or several independent 32-bit lanes processed at once.
pub(crate) trait Word: Copy {
    fn xor(self, other: Self) -> Self;
    fn add(self, other: Self) -> Self;
    /// Rotate left by `n` (1..=31); `n` is a constant after inlining.
    fn rotl(self, n: u32) -> Self;
    fn splat(c: u32) -> Self;
}

impl Word for u32 {
    #[inline(always)]
    fn xor(self, other: u32) -> u32 {
        self ^ other
    }
    #[inline(always)]
    fn add(self, other: u32) -> u32 {
        self.wrapping_add(other)
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> u32 {
        self.rotate_left(n)
    }
    #[inline(always)]
    fn splat(c: u32) -> u32 {
        c
    }
}

/// `xor!(a, b, c, …)` = `a ^ b ^ c ^ …` through [`Word::xor`].
macro_rules! xor {
    ($first:expr $(, $rest:expr)* $(,)?) => { $first $(.xor($rest))* };
}

/// One round: bit matrix, circulant multiplication, constant injection, add-rotate-add.
#[inline(always)]
pub(crate) fn round<W: Word>(s: &mut [W; 16], c: &[u32; 16]) {
    // Bit matrix. The reference code computes new[j] ^= bit_matrix[k*16 + j] * s[k]
    // (column j of the RFC's table, i.e. the transpose of the RFC pseudocode); the
    // rows below list, for each j, the k with a 1 in that column.
    // Shared sub-sums (found with Paar's greedy pairing) cut the xors from 120 to 59.
    let x0 = s[3].xor(s[4]);
    let x1 = s[0].xor(s[1]);
    let x2 = s[2].xor(s[10]);
    let x3 = s[11].xor(s[15]);
    let x4 = s[5].xor(x0);
    let x5 = s[8].xor(x1);
    let x6 = s[14].xor(x2);
    let x7 = s[12].xor(x5);
    let x8 = s[6].xor(s[15]);
    let x9 = s[7].xor(x8);
    let x10 = s[9].xor(s[13]);
    let x11 = s[2].xor(x10);
    let x12 = x3.xor(x4);
    let x13 = s[1].xor(x11);
    let x14 = x4.xor(x6);
    let x15 = x1.xor(x9);
    let x16 = s[13].xor(x7);
    let x17 = s[9].xor(x2);
    let x18 = s[3].xor(s[7]);
    let x19 = s[14].xor(x12);
    let x20 = s[0].xor(x9);
    let x21 = s[4].xor(s[12]);
    let t0 = xor!(s[5], x20, x21); // s0 s4 s5 s6 s7 s12 s15
    let t1 = xor!(s[4], s[15], x16); // s0 s1 s4 s8 s12 s13 s15
    let t2 = xor!(s[14], x11, x15, x21); // s0 s1 s2 s4 s6 s7 s9 s12 s13 s14 s15
    let t3 = xor!(s[6], x0, x6, x16); // s0 s1 s2 s3 s4 s6 s8 s10 s12 s13 s14
    let t4 = xor!(s[7], x13, x19); // s1 s2 s3 s4 s5 s7 s9 s11 s13 s14 s15
    let t5 = xor!(s[0], s[8], x6, x18); // s0 s2 s3 s7 s8 s10 s14
    let t6 = xor!(s[1], s[8], s[9], x0, x3); // s1 s3 s4 s8 s9 s11 s15
    let t7 = xor!(x17, x20); // s0 s2 s6 s7 s9 s10 s15
    let t8 = xor!(s[6], s[10], x7, x12); // s0 s1 s3 s4 s5 s6 s8 s10 s11 s12 s15
    let t9 = xor!(x1, x3, x11); // s0 s1 s2 s9 s11 s13 s15
    let t10 = xor!(x14, x15); // s0 s1 s2 s3 s4 s5 s6 s7 s10 s14 s15
    let t11 = xor!(s[2], s[3], s[11], x7); // s0 s1 s2 s3 s8 s11 s12
    let t12 = xor!(s[12], x0, x13); // s1 s2 s3 s4 s9 s12 s13
    let t13 = xor!(s[13], x14); // s2 s3 s4 s5 s10 s13 s14
    let t14 = xor!(s[6], x19); // s3 s4 s5 s6 s11 s14 s15
    let t15 = xor!(s[5], x3, x5, x17, x18); // s0 s1 s2 s3 s5 s7 s8 s9 s10 s11 s15

    // Circulant multiplication t ^ rotl(t, a_j) ^ rotl(t, b_j) (RFC coefficient rows
    // [0, a_j, b_j]), then constant injection. Written out so that every index is a
    // constant and the state stays in locals.
    macro_rules! circulant {
        ($t:expr, $a:literal, $b:literal, $j:literal) => {
            xor!($t, $t.rotl($a), $t.rotl($b), W::splat(c[$j]))
        };
    }
    let u0 = circulant!(t0, 2, 4, 0);
    let u1 = circulant!(t1, 13, 22, 1);
    let u2 = circulant!(t2, 4, 19, 2);
    let u3 = circulant!(t3, 3, 14, 3);
    let u4 = circulant!(t4, 27, 31, 4);
    let u5 = circulant!(t5, 3, 8, 5);
    let u6 = circulant!(t6, 17, 26, 6);
    let u7 = circulant!(t7, 3, 12, 7);
    let u8 = circulant!(t8, 18, 22, 8);
    let u9 = circulant!(t9, 12, 18, 9);
    let u10 = circulant!(t10, 4, 7, 10);
    let u11 = circulant!(t11, 4, 31, 11);
    let u12 = circulant!(t12, 12, 27, 12);
    let u13 = circulant!(t13, 7, 17, 13);
    let u14 = circulant!(t14, 7, 8, 14);
    let u15 = circulant!(t15, 1, 13, 15);

    // Addition, rotation, addition on each pair (2i, 2i+1).
    macro_rules! ara {
        ($x:expr, $y:expr, $i:literal) => {{
            let a = $x.add($y).rotl(8);
            s[$i] = a;
            s[$i + 1] = a.add($y.rotl(24));
        }};
    }
    ara!(u0, u1, 0);
    ara!(u2, u3, 2);
    ara!(u4, u5, 4);
    ara!(u6, u7, 6);
    ara!(u8, u9, 8);
    ara!(u10, u11, 10);
    ara!(u12, u13, 12);
    ara!(u14, u15, 14);
}

/// The full permutation F (43 rounds).
#[inline(always)]
pub(crate) fn permute_generic<W: Word>(s: &mut [W; 16]) {
    for c in INJECTION.iter() {
        round(s, c);
    }
}

/// The full permutation F on a scalar state.
#[inline(never)]
pub fn permute(state: &mut [u32; 16]) {
    permute_generic(state);
}
