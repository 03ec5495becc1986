//! Constant-time q·A for a variable point A (x-only ECDH): libsecp256k1's `secp256k1_ecmult_const`
//! on k256's field. One table of the odd multiples A … 31A (and their λ images) serves any
//! number of scalars, so the responder's two ECDHs with the initiator's ephemeral key (ee with
//! our ephemeral secret, es with our static secret) share it.
//!
//! Per scalar: 125 doublings and 52 additions of table entries read with a constant-time scan
//! (`point::select`, 26 scans: the λ·A entries are derived from the A entries). Nothing depends
//! on a secret scalar's value but the data flowing through the field arithmetic: no branch, no
//! memory index. The point A is public (the peer's key), so the table may be built in variable
//! time. A 5-bit group is the cheapest here: 4 bits add 12 additions and save less in scans,
//! 6 bits double the scan cost for 8 fewer additions.

use crate::glv::{bits, digit, recode, GROUPS, GROUP_BITS, TABLE_LEN};
use crate::point::{odd_multiples, select, x_of, x_of_two, Affine, Jacobian};
use k256::elliptic_curve::subtle::Choice;
use k256::{FieldElement as Fe, Scalar};

/// β, the cube root of unity with λ·(x, y) = (β·x, y).
pub fn beta() -> Fe {
    const BETA: [u8; 32] = [
        0x7a, 0xe9, 0x6a, 0x2b, 0x65, 0x7c, 0x07, 0x10, 0x6e, 0x64, 0x47, 0x9e, 0xac, 0x34, 0x34, 0xe9, 0x9c,
        0xf0, 0x49, 0x75, 0x12, 0xf5, 0x89, 0x95, 0xc1, 0x39, 0x6c, 0x28, 0x71, 0x95, 0x01, 0xee,
    ];
    Option::from(Fe::from_bytes(&BETA.into())).unwrap_or(Fe::ONE)
}

/// The odd multiples of a public point A, on a curve isomorphic by `global_z`. Those of λ·A
/// are (β·x, y) of the same entries: one lookup and one multiplication by β instead of a
/// second table scan (the isomorphism commutes with λ).
pub struct PointTable {
    pre: [Affine; TABLE_LEN],
    beta: Fe,
    global_z: Fe,
}

impl PointTable {
    pub fn new(a: &Affine) -> PointTable {
        let mut pre = [Affine::PLACEHOLDER; TABLE_LEN];
        let mut ratios = [Fe::ZERO; TABLE_LEN];
        let global_z = odd_multiples(a, &mut pre, &mut ratios);
        PointTable {
            pre,
            beta: beta(),
            global_z,
        }
    }

    /// The table of a point given in Jacobian coordinates (Z ≠ 0): (X, Y) is affine on the curve
    /// isomorphic by Z, so no inversion is needed; Z joins `global_z`.
    pub fn from_jacobian(a: &Jacobian) -> PointTable {
        let mut table = PointTable::new(&Affine { x: a.x, y: a.y });
        table.global_z = table.global_z * &a.z;
        table
    }

    /// C_5(group_value)·A.
    fn lookup(&self, group_value: u32) -> Affine {
        let (index, negative) = digit(group_value);
        select(&self.pre, index).conditional_negate(Choice::from(negative))
    }

    /// C_5(group_value)·λA.
    fn lookup_lambda(&self, group_value: u32) -> Affine {
        let p = self.lookup(group_value);
        Affine {
            x: p.x * &self.beta,
            y: p.y,
        }
    }

    /// q·A, on the table's isomorphic curve (multiply Z by `global_z` to map it back).
    fn multiply(&self, q: &Scalar) -> Jacobian {
        let (v1, v2) = recode(q);
        let top = (GROUPS - 1) * GROUP_BITS;
        let mut r = self.lookup(bits(&v1, top, GROUP_BITS)).to_jacobian();
        r = r.add_affine(&self.lookup_lambda(bits(&v2, top, GROUP_BITS)));
        for group in (0..GROUPS - 1).rev() {
            for _ in 0..GROUP_BITS {
                r = r.double();
            }
            let offset = group * GROUP_BITS;
            r = r.add_affine(&self.lookup(bits(&v1, offset, GROUP_BITS)));
            r = r.add_affine(&self.lookup_lambda(bits(&v2, offset, GROUP_BITS)));
        }
        r
    }

    /// x(q·A), fully normalized; zero when q = 0 (q·A = infinity).
    pub fn x_of_multiple(&self, q: &Scalar) -> Fe {
        x_of(&self.multiply(q), &self.global_z)
    }

    /// (x(a·A), x(b·A)) with one inversion; a and b must be non-zero (else both are zero).
    pub fn x_of_multiples(&self, a: &Scalar, b: &Scalar) -> (Fe, Fe) {
        x_of_two(&self.multiply(a), &self.multiply(b), &self.global_z)
    }
}
