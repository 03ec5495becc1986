//! secp256k1 group arithmetic in Jacobian coordinates on k256's exposed field (the a = 0 formulas
//! libsecp256k1 uses), for the constant-time multiplications in `ecmult.rs` and `ecmult_gen.rs`.
//!
//! (X, Y, Z) stands for the affine point (X/Z², Y/Z³); Z = 0 is the point at infinity. The
//! formulas never use the curve constant b, so they work unchanged on the isomorphic curves
//! y² = x³ + 7c⁶ that the odd-multiples tables live on (see `odd_multiples`).
//!
//! Magnitudes (k256's bound on unreduced limbs): every stored coordinate has magnitude 1; the
//! comments give the magnitude of intermediate values; `mul`/`square` inputs stay ≤ 8.

use k256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use k256::FieldElement as Fe;

/// An affine point (never infinity).
#[derive(Clone, Copy, Debug)]
pub struct Affine {
    pub x: Fe,
    pub y: Fe,
}

/// A Jacobian point; Z = 0 is infinity.
#[derive(Clone, Copy, Debug)]
pub struct Jacobian {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
}

impl Affine {
    pub const PLACEHOLDER: Affine = Affine {
        x: Fe::ZERO,
        y: Fe::ZERO,
    };

    pub fn to_jacobian(&self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: self.y,
            z: Fe::ONE,
        }
    }

    /// -self when `negate` is set, in constant time.
    pub fn conditional_negate(&self, negate: Choice) -> Affine {
        let neg_y = self.y.negate(1).normalize_weak();
        Affine {
            x: self.x,
            y: Fe::conditional_select(&self.y, &neg_y, negate),
        }
    }
}

/// Constant-time table lookup: `table[index]` read by touching every entry.
pub fn select(table: &[Affine], index: u32) -> Affine {
    let mut out = table[0];
    for (j, entry) in table.iter().enumerate().skip(1) {
        let hit = (j as u32).ct_eq(&index);
        out.x.conditional_assign(&entry.x, hit);
        out.y.conditional_assign(&entry.y, hit);
    }
    out
}

impl Jacobian {
    /// 2·self (3M + 4S). Infinity stays infinity (Z3 = 2·Y·Z = 0); no point of secp256k1 (or of
    /// its isomorphic curves) has y = 0, so no other input gives Z3 = 0.
    pub fn double(&self) -> Jacobian {
        let z3 = (self.y * &self.z).double().normalize_weak(); // 2YZ
        let y2 = self.y.square(); // Y²
        let s = (self.x * &y2).mul_single(4); // S = 4XY² (4)
        let m = self.x.square().mul_single(3); // M = 3X² (3)
        let x3 = (m.square() + &s.double().negate(8)).normalize_weak(); // M² − 2S (1 + 9)
        let t = s + &x3.negate(1); // S − X3 (4 + 2)
        let y4_8 = y2.square().mul_single(8); // 8Y⁴ (8)
        let y3 = ((m * &t) + &y4_8.negate(8)).normalize_weak(); // M(S − X3) − 8Y⁴ (1 + 9)
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// self + b in constant time for every self (infinity, b, −b, and the points sharing b's y
    /// whose x differs by a cube root of unity included); b must not be infinity.
    /// libsecp256k1's `secp256k1_gej_add_ge` (Brier–Joye unified addition with its
    /// degenerate-case fallback), in the form before `fe_half` existed: the result is scaled by
    /// 2 (X·4, Y·8, Z·2), which is the same Jacobian point. 8M + 3S.
    pub fn add_affine(&self, b: &Affine) -> Jacobian {
        let zz = self.z.square(); // Z1²
        let u1 = self.x; // U1 = X1 (1)
        let u2 = b.x * &zz; // U2 = x2·Z1² (1)
        let s1 = self.y; // S1 = Y1 (1)
        let s2 = (b.y * &zz) * &self.z; // S2 = y2·Z1³ (1)
        let t = u1 + &u2; // T = U1 + U2 (2)
        let m = s1 + &s2; // M = S1 + S2 (2)
        let mut m_alt = u2.negate(1); // −U2 (2)
        let rr = t.square() + &(u1 * &m_alt); // R = T² − U1·U2 (2)
                                              // M = 0 with R/M undefined: y1 = −y2 with x1 ≠ x2 (x1³ = x2³) or a = −b. Then
                                              // λ = (y1 − y2)/(x1 − x2) = 2·S1 / (U1 − U2) instead.
        let degenerate = m.normalizes_to_zero();
        let mut rr_alt = s1.double(); // 2·S1 (2)
        m_alt = m_alt + &u1; // U1 − U2 (3)
        rr_alt.conditional_assign(&rr, !degenerate); // (2)
        m_alt.conditional_assign(&m, !degenerate); // (3)
        let mut n = m_alt.square(); // Malt² (1)
        let q = t.negate(2) * &n; // Q = −T·Malt² (1)
        n = n.square(); // Malt⁴ (1)
                        // Either M = Malt (then M³·Malt = Malt⁴) or M = 0 (then it is 0).
        n.conditional_assign(&m, degenerate); // (2)
        let x3 = rr_alt.square() + &q; // X3 = Ralt² + Q (2)
        let t = x3.double() + &q; // 2·X3 + Q (5)
        let t = (t * &rr_alt) + &n; // Ralt·(2·X3 + Q) + M³·Malt (3)
        let y3 = t.negate(3).normalize_weak(); // −(…) = 2·Y3 (1)
        let z3 = self.z * &m_alt; // Z3 = Z1·Malt (1)
        let mut r = Jacobian {
            x: x3.mul_single(4).normalize_weak(),
            y: y3.mul_single(4).normalize_weak(),
            z: z3.double().normalize_weak(),
        };
        // self = infinity: the result is b.
        let a_infinite = self.z.normalizes_to_zero();
        r.x.conditional_assign(&b.x, a_infinite);
        r.y.conditional_assign(&b.y, a_infinite);
        r.z.conditional_assign(&Fe::ONE, a_infinite);
        // a = −b gives Z3 = Z1·(U1 − U2) = 0: infinity, as it should be.
        r
    }

    /// self + b for public inputs known not to be exceptional (self ≠ ±b, neither infinity), and
    /// the ratio h = Z3/Z1, which `odd_multiples` uses to bring a table to one common Z. 8M + 3S.
    pub fn add_affine_with_ratio(&self, b: &Affine) -> (Jacobian, Fe) {
        let zz = self.z.square();
        let u2 = b.x * &zz;
        let s2 = (b.y * &zz) * &self.z;
        let h = (u2 + &self.x.negate(1)).normalize_weak(); // U2 − U1
        let r = (s2 + &self.y.negate(1)).normalize_weak(); // S2 − S1
        let h2 = h.square();
        let h3 = h * &h2;
        let u1h2 = self.x * &h2;
        let x3 = (r.square() + &h3.negate(1) + &u1h2.double().negate(2)).normalize_weak(); // R² − H³ − 2·U1·H²
        let y3 = ((r * &(u1h2 + &x3.negate(1))) + &(self.y * &h3).negate(1)).normalize_weak(); // R(U1H² − X3) − S1H³
        (
            Jacobian {
                x: x3,
                y: y3,
                z: self.z * &h,
            },
            h,
        )
    }

    pub fn is_infinity(&self) -> Choice {
        self.z.normalizes_to_zero()
    }
}

/// The odd multiples A, 3A, …, (2·len − 1)A of the affine point A, all with one common Jacobian Z
/// (`global_z`), stored as the x and y of that representation: points of the isomorphic curve
/// on which they are affine. Sums of them computed with this module's formulas are correct
/// points of that curve; multiplying the final Z by `global_z` maps them back.
/// libsecp256k1's `secp256k1_ecmult_odd_multiples_table` + `secp256k1_ge_table_set_globalz`.
/// Variable time in A only (public); no exceptional case: (2i + 1)A = ±2A would need a
/// multiplier ≡ 0 mod n, and they are all below 2·len + 1 < n.
pub fn odd_multiples(a: &Affine, out: &mut [Affine], ratios: &mut [Fe]) -> Fe {
    let len = out.len();
    let d = a.to_jacobian().double();
    // On the curve isomorphic by c = d.z, 2A is affine (d.x, d.y) and A is (x·c², y·c³).
    let c2 = d.z.square();
    let d_affine = Affine { x: d.x, y: d.y };
    out[0] = Affine {
        x: a.x * &c2,
        y: (a.y * &c2) * &d.z,
    };
    let mut acc = out[0].to_jacobian();
    for i in 1..len {
        let (next, ratio) = acc.add_affine_with_ratio(&d_affine);
        ratios[i] = ratio;
        out[i] = Affine { x: next.x, y: next.y };
        acc = next;
    }
    // Entry i has Z_i = Z_last / (ratios[i+1]·…·ratios[len−1]): rescale it to Z_last.
    let mut scale = Fe::ONE;
    for i in (0..len - 1).rev() {
        scale = scale * &ratios[i + 1];
        let s2 = scale.square();
        out[i] = Affine {
            x: out[i].x * &s2,
            y: (out[i].y * &s2) * &scale,
        };
    }
    acc.z * &d.z
}

/// Affine x (fully normalized) of the Jacobian point p whose Z is multiplied by `z_factor`;
/// zero for infinity. Constant time.
pub fn x_of(p: &Jacobian, z_factor: &Fe) -> Fe {
    let z = p.z * z_factor;
    let zinv = Option::from(z.invert()).unwrap_or(Fe::ZERO);
    (p.x * &zinv.square()).normalize()
}

/// Affine x of two points with one field inversion (Montgomery's trick). Constant time. Both are
/// zero if either point is infinity (never the case for scalars in [1, n) and a curve point).
pub fn x_of_two(p: &Jacobian, q: &Jacobian, z_factor: &Fe) -> (Fe, Fe) {
    let zp = p.z * z_factor;
    let zq = q.z * z_factor;
    let inv_both = Option::from((zp * &zq).invert()).unwrap_or(Fe::ZERO);
    let zp_inv = inv_both * &zq;
    let zq_inv = inv_both * &zp;
    (
        (p.x * &zp_inv.square()).normalize(),
        (q.x * &zq_inv.square()).normalize(),
    )
}
