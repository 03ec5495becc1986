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
    // (column j of the RFC's table, i.e. the transpose of the RFC pseudocode); each line
    // lists the k with a 1 in column j. LLVM shares common sub-sums itself (73 xors);
    // factoring them by hand (59 xors) measured slower in V8 (register pressure).
    let t0 = xor!(s[0], s[4], s[5], s[6], s[7], s[12], s[15]);
    let t1 = xor!(s[0], s[1], s[4], s[8], s[12], s[13], s[15]);
    let t2 = xor!(s[0], s[1], s[2], s[4], s[6], s[7], s[9], s[12], s[13], s[14], s[15]);
    let t3 = xor!(s[0], s[1], s[2], s[3], s[4], s[6], s[8], s[10], s[12], s[13], s[14]);
    let t4 = xor!(s[1], s[2], s[3], s[4], s[5], s[7], s[9], s[11], s[13], s[14], s[15]);
    let t5 = xor!(s[0], s[2], s[3], s[7], s[8], s[10], s[14]);
    let t6 = xor!(s[1], s[3], s[4], s[8], s[9], s[11], s[15]);
    let t7 = xor!(s[0], s[2], s[6], s[7], s[9], s[10], s[15]);
    let t8 = xor!(s[0], s[1], s[3], s[4], s[5], s[6], s[8], s[10], s[11], s[12], s[15]);
    let t9 = xor!(s[0], s[1], s[2], s[9], s[11], s[13], s[15]);
    let t10 = xor!(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[10], s[14], s[15]);
    let t11 = xor!(s[0], s[1], s[2], s[3], s[8], s[11], s[12]);
    let t12 = xor!(s[1], s[2], s[3], s[4], s[9], s[12], s[13]);
    let t13 = xor!(s[2], s[3], s[4], s[5], s[10], s[13], s[14]);
    let t14 = xor!(s[3], s[4], s[5], s[6], s[11], s[14], s[15]);
    let t15 = xor!(s[0], s[1], s[2], s[3], s[5], s[7], s[8], s[9], s[10], s[11], s[15]);

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
