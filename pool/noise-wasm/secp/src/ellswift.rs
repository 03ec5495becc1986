//! BIP-324 XSwiftEC (decode) and XSwiftECInv (one encoding attempt) on k256's field, the same
//! steps as BIP-324's reference.py (and pool/src/sv2/noise/ellswift.ts before it moved here).
//! Every helper returns a weakly normalized element (magnitude 1), so k256's magnitude limits
//! never need tracking; zero tests and comparisons use full normalization.

use k256::FieldElement;

type Fe = FieldElement;

fn fe(bytes: &[u8; 32]) -> Option<Fe> {
    Option::from(Fe::from_bytes(&(*bytes).into()))
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
fn is_square(a: &Fe) -> bool {
    bool::from(a.sqrt().is_some())
}
/// 1/a, with 1/0 = 0 as in BIP-324's reference.
fn inv(a: &Fe) -> Fe {
    Option::from(a.invert()).unwrap_or(Fe::ZERO)
}

/// √−3 (the root BIP-324's reference and libsecp256k1 use).
const MINUS_3_SQRT: [u8; 32] = [
    0x0a, 0x2d, 0x2b, 0xa9, 0x35, 0x07, 0xf1, 0xdf, 0x23, 0x37, 0x70, 0xc2, 0xa7, 0x97, 0x96, 0x2c,
    0xc6, 0x1f, 0x6d, 0x15, 0xda, 0x14, 0xec, 0xd4, 0x7d, 0x8d, 0x27, 0xae, 0x1c, 0xd5, 0xf8, 0x52,
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
        half: inv(&small(2)),
    }
}

fn is_valid_x(c: &Consts, x: &Fe) -> bool {
    is_square(&add(&mul(&x.square(), x), &c.seven))
}

/// Whether x (big-endian, < p) is the x coordinate of a curve point.
pub fn is_valid_x_bytes(x: &[u8; 32]) -> bool {
    fe(x).map_or(false, |x| is_valid_x(&consts(), &x))
}

/// XSwiftEC(u, t) for u, t < p: the x coordinate (big-endian) the encoding u ‖ t stands for.
pub fn decode(u: &[u8; 32], t: &[u8; 32]) -> Option<[u8; 32]> {
    let c = consts();
    let mut u = fe(u)?;
    let mut t = fe(t)?;
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
    // With X = num / 2t: Y = Ynum / D and X / Y = num·√−3·u / Ynum, Ynum = num + 2t², D = 2t·√−3·u.
    let num = sub(&u3plus7, &t.square());
    let two_t = add(&t, &t);
    let den = mul(&c.minus_3_sqrt, &u);
    let d = mul(&two_t, &den);
    let y_num = add(&num, &mul(&two_t, &t));
    let inv_both = inv(&mul(&d, &y_num));
    let y = mul(&y_num.square(), &inv_both);
    let mut x = add(&u, &mul(&small(4), &y.square()));
    if !is_valid_x(&c, &x) {
        let x_div_y = mul(&mul(&mul(&num, &den), &d), &inv_both);
        x = mul(&sub(&neg(&x_div_y), &u), &c.half);
        if !is_valid_x(&c, &x) {
            x = mul(&sub(&x_div_y, &u), &c.half);
        }
    }
    Some(x.normalize().to_bytes().into())
}

/// XSwiftECInv(x, u, case) for x, u < p: the t with XSwiftEC(u, t) = x in this case, if any.
pub fn inverse(x: &[u8; 32], u: &[u8; 32], case: u8) -> Option<[u8; 32]> {
    let c = consts();
    let x = fe(x)?;
    let u = fe(u)?;
    let u2 = u.square();
    let (s, v);
    if (case & 2) == 0 {
        if is_valid_x(&c, &sub(&neg(&x), &u)) {
            return None;
        }
        v = x;
        // s = num / den is a square iff num·den is: test before paying for the inversion.
        let num = neg(&add(&mul(&u2, &u), &c.seven));
        let den = add(&add(&u2, &mul(&u, &v)), &v.square());
        if !is_square(&mul(&num, &den)) {
            return None;
        }
        s = mul(&num, &inv(&den));
    } else {
        s = sub(&x, &u);
        if is_zero(&s) || !is_square(&s) {
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
