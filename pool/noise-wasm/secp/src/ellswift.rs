//! BIP-324 XSwiftEC (decode) and XSwiftECInv (one encoding attempt) on k256's field, the same
//! steps as BIP-324's reference.py (and pool/src/sv2/noise/ellswift.ts before it moved here).
//! Every helper returns a weakly normalized element (magnitude 1), so k256's magnitude limits
//! never need tracking; zero tests and comparisons use full normalization.
//! Variable time: every input here is public (the peer's or our own encoded public key, random
//! u values that end up in the encoding).

use crate::jacobi::is_square;
use crate::point::{Affine, Jacobian};
use k256::FieldElement;

type Fe = FieldElement;

fn fe(bytes: &[u8; 32]) -> Option<Fe> {
    Option::from(Fe::from_bytes(&(*bytes).into()))
}

/// p, big-endian.
const P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f,
];

/// The 32-byte big-endian number mod p (values ≥ p, which BIP-324 encodings may hold, lose p).
pub fn fe_reduced(bytes: &[u8; 32]) -> Fe {
    if let Some(v) = fe(bytes) {
        return v;
    }
    let mut r = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = bytes[i] as i16 - P[i] as i16 - borrow;
        borrow = (d < 0) as i16;
        r[i] = d as u8;
    }
    fe(&r).unwrap_or(Fe::ZERO)
}

fn small(v: u8) -> Fe {
    let mut b = [0u8; 32];
    b[31] = v;
    fe(&b).unwrap()
}

fn add(a: &Fe, b: &Fe) -> Fe {
    (*a + b).normalize_weak()
}
fn neg(a: &Fe) -> Fe {
    a.negate(1).normalize_weak()
}
fn sub(a: &Fe, b: &Fe) -> Fe {
    add(a, &neg(b))
}
fn mul(a: &Fe, b: &Fe) -> Fe {
    *a * b
}
fn is_zero(a: &Fe) -> bool {
    bool::from(a.normalizes_to_zero())
}
#[cfg(test)]
pub(crate) fn is_square_by_root(a: &Fe) -> bool {
    bool::from(a.sqrt().is_some())
}
#[cfg(test)]
fn is_valid_x_by_root(c: &Consts, x: &Fe) -> bool {
    is_square_by_root(&add(&mul(&x.square(), x), &c.seven))
}
/// 1/a, with 1/0 = 0 as in BIP-324's reference.
fn inv(a: &Fe) -> Fe {
    Option::from(a.invert()).unwrap_or(Fe::ZERO)
}

/// (p + 1)/2 = 1/2 mod p.
const HALF: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xfe, 0x18,
];

/// √−3 (the root BIP-324's reference and libsecp256k1 use).
const MINUS_3_SQRT: [u8; 32] = [
    0x0a, 0x2d, 0x2b, 0xa9, 0x35, 0x07, 0xf1, 0xdf, 0x23, 0x37, 0x70, 0xc2, 0xa7, 0x97, 0x96, 0x2c, 0xc6,
    0x1f, 0x6d, 0x15, 0xda, 0x14, 0xec, 0xd4, 0x7d, 0x8d, 0x27, 0xae, 0x1c, 0xd5, 0xf8, 0x52,
];

struct Consts {
    seven: Fe,
    minus_3_sqrt: Fe,
    half: Fe,
}

fn consts() -> Consts {
    Consts {
        seven: small(7),
        minus_3_sqrt: fe(&MINUS_3_SQRT).unwrap(),
        half: fe(&HALF).unwrap(),
    }
}

fn is_valid_x(c: &Consts, x: &Fe) -> bool {
    is_square(&add(&mul(&x.square(), x), &c.seven))
}

/// The point (x, y) with this x and some y, if x is on the curve.
fn lift_x(c: &Consts, x: &Fe) -> Option<Affine> {
    let rhs = add(&mul(&x.square(), x), &c.seven);
    // The cheap test first: about half the candidates XSwiftEC tries are not on the curve.
    if !is_square(&rhs) {
        return None;
    }
    let y: Fe = Option::from(rhs.sqrt())?;
    Some(Affine {
        x: x.normalize_weak(),
        y: y.normalize_weak(),
    })
}

/// The point with x coordinate x (big-endian, < p) and either y, if x is on the curve.
pub fn lift_x_bytes(x: &[u8; 32]) -> Option<Affine> {
    lift_x(&consts(), &fe(x)?)
}

/// Whether x (big-endian, < p) is the x coordinate of a curve point.
pub fn is_valid_x_bytes(x: &[u8; 32]) -> bool {
    fe(x).map_or(false, |x| is_valid_x(&consts(), &x))
}

/// The shared start of XSwiftEC: u and t after BIP-324's substitutions (u = 0 → 1, t = 0 → 1,
/// u³ + 7 + t² = 0 → t = 2t) and, with X = num / 2t: Y = Ynum / D and X / Y = num·√−3·u / Ynum,
/// where Ynum = num + 2t² and D = 2t·√−3·u (`d`; `den` = √−3·u).
struct Terms {
    u: Fe,
    num: Fe,
    den: Fe,
    d: Fe,
    y_num: Fe,
}

fn terms(c: &Consts, u: &Fe, t: &Fe) -> Terms {
    let mut u = *u;
    let mut t = *t;
    if is_zero(&u) {
        u = Fe::ONE;
    }
    if is_zero(&t) {
        t = Fe::ONE;
    }
    let u3plus7 = add(&mul(&u.square(), &u), &c.seven);
    if is_zero(&add(&u3plus7, &t.square())) {
        t = add(&t, &t);
    }
    let num = sub(&u3plus7, &t.square());
    let two_t = add(&t, &t);
    let den = mul(&c.minus_3_sqrt, &u);
    let d = mul(&two_t, &den);
    let y_num = add(&num, &mul(&two_t, &t));
    Terms { u, num, den, d, y_num }
}

/// XSwiftEC(u, t) for u, t < p: the x coordinate (big-endian) the encoding u ‖ t stands for.
pub fn decode(u: &[u8; 32], t: &[u8; 32]) -> Option<[u8; 32]> {
    let p = decode_point(&fe(u)?, &fe(t)?)?;
    Some(p.x.normalize().to_bytes().into())
}

/// XSwiftEC(u, t) as a curve point (with one of its two y). `None` cannot happen for field
/// elements u, t (XSwiftEC maps every pair to a valid x); it is kept instead of a panic.
pub fn decode_point(u: &Fe, t: &Fe) -> Option<Affine> {
    let c = consts();
    let Terms { u, num, den, d, y_num } = terms(&c, u, t);
    let inv_both = inv(&mul(&d, &y_num));
    let y = mul(&y_num.square(), &inv_both);
    let x = add(&u, &mul(&small(4), &y.square()));
    if let Some(p) = lift_x(&c, &x) {
        return Some(p);
    }
    let x_div_y = mul(&mul(&mul(&num, &den), &d), &inv_both);
    let x = mul(&sub(&neg(&x_div_y), &u), &c.half);
    if let Some(p) = lift_x(&c, &x) {
        return Some(p);
    }
    lift_x(&c, &mul(&sub(&x_div_y, &u), &c.half))
}

/// XSwiftEC(u, t) as a Jacobian point (X, Y, Z) (with one of its two y), without an inversion:
/// each candidate x = N/D of `decode_point` is tested as Y² = (N³ + 7D³)·D³ with X = N·D, Z = D
/// (one square root per candidate instead of an inversion plus a square root). D ≠ 0: d = 2t·√−3·u
/// with t, u ≠ 0, and Ynum = u³ + 7 + t² ≠ 0 after the t → 2t adjustment.
pub fn decode_jacobian(u: &Fe, t: &Fe) -> Option<Jacobian> {
    let c = consts();
    let Terms { u, num, den, d, y_num } = terms(&c, u, t);
    let candidate = |n: &Fe, dd: &Fe| -> Option<Jacobian> {
        let d3 = mul(&dd.square(), dd);
        let rhs = mul(&add(&mul(&n.square(), n), &mul(&c.seven, &d3)), &d3);
        if !is_square(&rhs) {
            return None;
        }
        let y: Fe = Option::from(rhs.sqrt())?;
        Some(Jacobian {
            x: mul(n, dd),
            y: y.normalize_weak(),
            z: *dd,
        })
    };
    // x1 = u + 4·(Ynum/D)² = (u·d² + 4·Ynum²)/d².
    let d2 = d.square();
    if let Some(p) = candidate(&add(&mul(&u, &d2), &mul(&small(4), &y_num.square())), &d2) {
        return Some(p);
    }
    // X/Y = num·den/Ynum; x2 = (−X/Y − u)/2, x3 = (X/Y − u)/2, over 2·Ynum.
    let nd = mul(&num, &den);
    let u_ynum = mul(&u, &y_num);
    let two_ynum = add(&y_num, &y_num);
    if let Some(p) = candidate(&sub(&neg(&nd), &u_ynum), &two_ynum) {
        return Some(p);
    }
    candidate(&sub(&nd, &u_ynum), &two_ynum)
}

/// XSwiftECInv(x, u, case) for x, u < p: the t with XSwiftEC(u, t) = x in this case, if any.
pub fn inverse(x: &[u8; 32], u: &[u8; 32], case: u8) -> Option<[u8; 32]> {
    inverse_fe(&consts(), &fe(x)?, &fe(u)?, case)
}

/// a^((p−3)/4). For a square a ≠ 0 and r = a^((p−3)/4): a·r = a^((p+1)/4) is the square root
/// k256's `sqrt` (and BIP-324's reference) returns, and r² = a^((p−1)/2)/a = 1/a. One
/// exponentiation then stands for a square root, its check and an inversion.
fn pow_p_minus_3_over_4(a: &Fe) -> Fe {
    let pow2k = |x: &Fe, k: usize| {
        let mut x = *x;
        for _ in 0..k {
            x = x.square();
        }
        x
    };
    // 2^n − 1 powers as in k256's sqrt: [1], [2], 3, 6, 9, 11, [22], 44, 88, 176, 220, [223].
    let x2 = pow2k(a, 1) * a;
    let x3 = pow2k(&x2, 1) * a;
    let x6 = pow2k(&x3, 3) * &x3;
    let x9 = pow2k(&x6, 3) * &x3;
    let x11 = pow2k(&x9, 2) * &x2;
    let x22 = pow2k(&x11, 11) * &x11;
    let x44 = pow2k(&x22, 22) * &x22;
    let x88 = pow2k(&x44, 44) * &x44;
    let x176 = pow2k(&x88, 88) * &x88;
    let x220 = pow2k(&x176, 44) * &x44;
    let x223 = pow2k(&x220, 3) * &x3;
    // (p − 3)/4 = 1^223 0 1^22 0000 1 0 11 in binary.
    pow2k(&(pow2k(&(pow2k(&x223, 23) * &x22), 5) * a), 3) * &x2
}

/// XSwiftECInv with the reference's steps: squareness tested first with the cheap Jacobi symbol
/// (`jacobi.rs`), then each "square root / inverse" group done with one exponentiation
/// (`pow_p_minus_3_over_4`) instead of two; exponentiations only on the way to a result.
fn inverse_fe(c: &Consts, x: &Fe, u: &Fe, case: u8) -> Option<[u8; 32]> {
    let (x, u) = (*x, *u);
    let u2 = u.square();
    let (w, v);
    if (case & 2) == 0 {
        if is_valid_x(c, &sub(&neg(&x), &u)) {
            return None;
        }
        v = x;
        // s = num / den; w = √s = num·den·(num·den³)^((p−3)/4).
        let num = neg(&add(&mul(&u2, &u), &c.seven));
        let den = add(&add(&u2, &mul(&u, &v)), &v.square());
        if is_zero(&den) {
            // The reference divides by zero as multiplying by 0⁻¹ = 0: s = 0, w = 0.
            w = Fe::ZERO;
        } else {
            let nd = mul(&num, &den);
            // s = num/den is a square iff num·den is (Jacobi test, before the exponentiation).
            if !is_square(&nd) {
                return None;
            }
            let root = mul(&nd, &pow_p_minus_3_over_4(&mul(&nd, &den.square())));
            // s is a square iff root² = s, i.e. root²·den = num.
            if !is_zero(&sub(&mul(&root.square(), &den), &num)) {
                return None;
            }
            w = root;
        }
    } else {
        let s = sub(&x, &u);
        if is_zero(&s) || !is_square(&s) {
            return None;
        }
        let four_u3_7 = mul(&small(4), &add(&mul(&u2, &u), &c.seven));
        let q = mul(&neg(&s), &add(&four_u3_7, &mul(&mul(&small(3), &s), &u2)));
        if !is_square(&q) {
            return None;
        }
        let r_s = pow_p_minus_3_over_4(&s);
        let root = mul(&s, &r_s);
        if !is_zero(&sub(&root.square(), &s)) {
            return None;
        }
        w = root;
        let r: Fe = Option::from(q.sqrt())?;
        if (case & 1) == 1 && is_zero(&r) {
            return None;
        }
        // 1/s = r_s² since s is a non-zero square.
        v = mul(&add(&neg(&u), &mul(&r, &r_s.square())), &c.half);
    }
    let last = case & 5;
    let m = if (last & 1) == 1 {
        add(&Fe::ONE, &c.minus_3_sqrt)
    } else {
        sub(&Fe::ONE, &c.minus_3_sqrt)
    };
    let t = mul(&w, &add(&mul(&mul(&u, &m), &c.half), &v));
    let t = if last == 0 || last == 5 { neg(&t) } else { t };
    Some(t.normalize().to_bytes().into())
}

/// BIP-324 reference.py's XSwiftECInv step by step (square roots and inversions separately),
/// to test `inverse_fe` against.
#[cfg(test)]
pub(crate) fn inverse_reference(x: &[u8; 32], u: &[u8; 32], case: u8) -> Option<[u8; 32]> {
    let c = &consts();
    let (x, u) = (fe(x)?, fe(u)?);
    let u2 = u.square();
    let (s, v);
    if (case & 2) == 0 {
        if is_valid_x_by_root(c, &sub(&neg(&x), &u)) {
            return None;
        }
        v = x;
        // s = num / den is a square iff num·den is: test before paying for the inversion.
        let num = neg(&add(&mul(&u2, &u), &c.seven));
        let den = add(&add(&u2, &mul(&u, &v)), &v.square());
        if !is_square_by_root(&mul(&num, &den)) {
            return None;
        }
        s = mul(&num, &inv(&den));
    } else {
        s = sub(&x, &u);
        if is_zero(&s) || !is_square_by_root(&s) {
            return None;
        }
        let four_u3_7 = mul(&small(4), &add(&mul(&u2, &u), &c.seven));
        let q = mul(&neg(&s), &add(&four_u3_7, &mul(&mul(&small(3), &s), &u2)));
        let r: Fe = Option::from(q.sqrt())?;
        if (case & 1) == 1 && is_zero(&r) {
            return None;
        }
        v = mul(&add(&neg(&u), &mul(&r, &inv(&s))), &c.half);
    }
    let w: Fe = Option::from(s.sqrt())?;
    let last = case & 5;
    let m = if (last & 1) == 1 {
        add(&Fe::ONE, &c.minus_3_sqrt)
    } else {
        sub(&Fe::ONE, &c.minus_3_sqrt)
    };
    let t = mul(&w, &add(&mul(&mul(&u, &m), &c.half), &v));
    let t = if last == 0 || last == 5 { neg(&t) } else { t };
    Some(t.normalize().to_bytes().into())
}

/// XElligatorSwift(x) (BIP-324): u ‖ t with XSwiftEC(u, t) = x, u taken from `random` 33 bytes
/// per try (32 for u, reduced mod p, one for the case). `None` when `random` runs out first
/// (each try succeeds with probability about 1/4). x must be on the curve.
pub fn encode(x: &Fe, random: &[u8]) -> Option<[u8; 64]> {
    let c = consts();
    for chunk in random.chunks_exact(33) {
        let mut u_bytes = [0u8; 32];
        u_bytes.copy_from_slice(&chunk[..32]);
        let u = fe_reduced(&u_bytes);
        if is_zero(&u) {
            continue;
        }
        if let Some(t) = inverse_fe(&c, x, &u, chunk[32] & 7) {
            let mut out = [0u8; 64];
            out[..32].copy_from_slice(&u.normalize().to_bytes());
            out[32..].copy_from_slice(&t);
            return Some(out);
        }
    }
    None
}
