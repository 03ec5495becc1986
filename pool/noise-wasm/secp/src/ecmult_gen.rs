//! Constant-time k·G with a table of the odd multiples of G computed once (66 KiB, 3–7 ms CPU in
//! WebAssembly): window i holds (2j + 1)·32^i·G, j < 16, as affine points. With
//! v = (k + 2^260 − 1)/2 mod n read as 52 groups of 5 sign bits (see `glv.rs`),
//! k·G = Σ_i ±(2·index_i + 1)·32^i·G: 51 additions, no doublings, every entry read with a
//! constant-time scan and every addition done with the complete constant-time formula.

use crate::glv::{bits, digit, HALF, TABLE_LEN};
use crate::point::{odd_multiples, select, x_of, Affine, Jacobian};
use k256::elliptic_curve::bigint::U256;
use k256::elliptic_curve::ops::Reduce;
use k256::elliptic_curve::subtle::Choice;
use k256::{FieldElement as Fe, Scalar};

const WINDOW_BITS: usize = 5;
/// 52 windows of 5 bits cover 260 ≥ 256 bits.
pub const WINDOWS: usize = 52;
/// (2^260 − 1) mod n.
const OFFSET: U256 = U256::from_be_hex("00000000000000000000000000000014551231950b75fc4402da1732fc9bebef");

const G_X: [u8; 32] = [
    0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02,
    0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98,
];
const G_Y: [u8; 32] = [
    0x48, 0x3a, 0xda, 0x77, 0x26, 0xa3, 0xc4, 0x65, 0x5d, 0xa4, 0xfb, 0xfc, 0x0e, 0x11, 0x08, 0xa8, 0xfd,
    0x17, 0xb4, 0x48, 0xa6, 0x85, 0x54, 0x19, 0x9c, 0x47, 0xd0, 0x8f, 0xfb, 0x10, 0xd4, 0xb8,
];

pub fn generator() -> Affine {
    let fe = |b: &[u8; 32]| Option::from(Fe::from_bytes(&(*b).into())).unwrap_or(Fe::ZERO);
    Affine {
        x: fe(&G_X),
        y: fe(&G_Y),
    }
}

fn to_affine(p: &Jacobian) -> Affine {
    let zinv: Fe = Option::from(p.z.invert()).unwrap_or(Fe::ZERO);
    let zinv2 = zinv.square();
    Affine {
        x: (p.x * &zinv2).normalize_weak(),
        y: ((p.y * &zinv2) * &zinv).normalize_weak(),
    }
}

pub struct GenTable {
    windows: [[Affine; TABLE_LEN]; WINDOWS],
}

impl GenTable {
    pub const EMPTY: GenTable = GenTable {
        windows: [[Affine::PLACEHOLDER; TABLE_LEN]; WINDOWS],
    };

    /// Fills the table (public data: variable time is fine).
    pub fn fill(&mut self) {
        let mut base = generator();
        let mut ratios = [Fe::ZERO; TABLE_LEN];
        for w in 0..WINDOWS {
            let window = &mut self.windows[w];
            let global_z = odd_multiples(&base, window, &mut ratios);
            // Undo the isomorphism: (x, y) of the common-Z representation over Z = global_z.
            let zinv: Fe = Option::from(global_z.invert()).unwrap_or(Fe::ZERO);
            let zinv2 = zinv.square();
            let zinv3 = zinv2 * &zinv;
            for p in window.iter_mut() {
                *p = Affine {
                    x: (p.x * &zinv2).normalize_weak(),
                    y: (p.y * &zinv3).normalize_weak(),
                };
            }
            let mut next = base.to_jacobian();
            for _ in 0..WINDOW_BITS {
                next = next.double();
            }
            base = to_affine(&next);
        }
    }

    /// k·G in Jacobian coordinates; infinity for k = 0.
    pub fn multiply(&self, k: &Scalar) -> Jacobian {
        let v: [u8; 32] = ((*k + Scalar::from_uint_reduced(OFFSET)) * Scalar::from_uint_reduced(HALF))
            .to_bytes()
            .into();
        let entry = |w: usize| {
            let (index, negative) = digit(bits(&v, w * WINDOW_BITS, WINDOW_BITS));
            select(&self.windows[w], index).conditional_negate(Choice::from(negative))
        };
        let mut r = entry(0).to_jacobian();
        for w in 1..WINDOWS {
            r = r.add_affine(&entry(w));
        }
        r
    }

    /// x(k·G) for a secret key k (big-endian) in [1, n); `None` otherwise.
    pub fn x_only_public_key(&self, k: &[u8; 32]) -> Option<Fe> {
        let k = scalar_checked(k)?;
        Some(x_of(&self.multiply(&k), &Fe::ONE))
    }
}

/// The scalar k (big-endian) if 0 < k < n. Constant time in k apart from the final verdict.
pub fn scalar_checked(k: &[u8; 32]) -> Option<Scalar> {
    use k256::elliptic_curve::PrimeField;
    let s: Scalar = Option::from(Scalar::from_repr((*k).into()))?;
    if bool::from(s.is_zero()) {
        return None;
    }
    Some(s)
}
