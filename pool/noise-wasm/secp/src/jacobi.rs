//! Variable-time quadratic-residue test mod p by the binary Jacobi-symbol algorithm, for public
//! values only (ElligatorSwift): a few µs in wasm32 against ~10 µs for an exponentiation.

use k256::FieldElement as Fe;

/// p as little-endian 64-bit limbs.
const P: [u64; 4] = [0xffff_fffe_ffff_fc2f, u64::MAX, u64::MAX, u64::MAX];

fn limbs(a: &Fe) -> [u64; 4] {
    let b = a.normalize().to_bytes();
    let mut out = [0u64; 4];
    for (i, o) in out.iter_mut().enumerate() {
        let k = 24 - 8 * i;
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[k..k + 8]);
        *o = u64::from_be_bytes(w);
    }
    out
}

fn is_zero(a: &[u64; 4]) -> bool {
    (a[0] | a[1] | a[2] | a[3]) == 0
}

fn less(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// a −= b (a ≥ b).
fn sub_assign(a: &mut [u64; 4], b: &[u64; 4]) {
    let mut borrow = 0u64;
    for i in 0..4 {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (o1 | o2) as u64;
    }
}

/// Shifts a (≠ 0) right past its trailing zero bits; returns how many there were.
fn strip_twos(a: &mut [u64; 4]) -> u32 {
    let mut total = 0;
    while a[0] == 0 {
        *a = [a[1], a[2], a[3], 0];
        total += 64;
    }
    let tz = a[0].trailing_zeros();
    if tz > 0 {
        for i in 0..3 {
            a[i] = (a[i] >> tz) | (a[i + 1] << (64 - tz));
        }
        a[3] >>= tz;
    }
    total + tz
}

/// Whether a is a square mod p (0 counts as a square, as for k256's `sqrt`).
pub fn is_square(a: &Fe) -> bool {
    let mut a = limbs(a);
    let mut n = P;
    let mut negative = false;
    loop {
        if is_zero(&a) {
            // gcd(a, p) = n: 1 unless a ≡ 0, which is a square.
            return !negative || n != [1, 0, 0, 0];
        }
        // (2/n) = −1 exactly when n ≡ 3, 5 (mod 8).
        if strip_twos(&mut a) % 2 == 1 && matches!(n[0] & 7, 3 | 5) {
            negative = !negative;
        }
        if less(&a, &n) {
            core::mem::swap(&mut a, &mut n);
            // Reciprocity for odd a, n: a sign change when both are ≡ 3 (mod 4).
            if a[0] & 3 == 3 && n[0] & 3 == 3 {
                negative = !negative;
            }
        }
        sub_assign(&mut a, &n);
    }
}
