//! Native tests: every group operation and multiplication against k256's own (complete-formula)
//! arithmetic, on random and edge inputs. `build.sh --test` runs them optimized; plain
//! `cargo test` (debug) also checks k256's field magnitude bounds on every operation.
use super::*;
use crate::ecmult_gen::{generator, GenTable};
use crate::glv::{recode, scalar_from_be, split_lambda, LAMBDA};
use crate::point::{x_of, Affine, Jacobian};
use k256::elliptic_curve::bigint::U256;
use k256::elliptic_curve::ops::Reduce;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::elliptic_curve::subtle::Choice;
use k256::{AffinePoint, FieldElement as Fe, ProjectivePoint, Scalar};

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

const G_X: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const TWO_G_X: &str = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
const N_MINUS_1: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";

/// splitmix64: deterministic test randomness without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_be_bytes());
        }
        b
    }
    fn scalar(&mut self) -> Scalar {
        scalar_from_be(&self.bytes32())
    }
}

fn s(hex: &str) -> Scalar {
    Scalar::from_uint_reduced(U256::from_be_hex(hex))
}

fn lambda() -> Scalar {
    Scalar::from_uint_reduced(LAMBDA)
}

/// Edge scalars: 1, 2, n−1, n−2, λ, −λ, 2^128 ± 1, and ones whose GLV halves are 0 or small.
fn edge_scalars() -> Vec<Scalar> {
    let one = Scalar::ONE;
    let two_128 = s("0000000000000000000000000000000100000000000000000000000000000000");
    let mut v = vec![
        one,
        one + one,
        s(N_MINUS_1),
        s(N_MINUS_1) - one,
        lambda(),
        -lambda(),
        lambda() + one,
        two_128,
        two_128 - one,
        two_128 + one,
        s("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"),
        s("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"),
    ];
    for small in [1u32, 2, 3, 31, 32, 33, 1000] {
        let k = Scalar::from(small);
        v.push(k * lambda()); // r1 = 0
        v.push(-(k * lambda()));
        v.push(k + k * lambda());
        v.push(k - two_128 * lambda());
    }
    v
}

fn affine_bytes(p: &ProjectivePoint) -> Option<([u8; 32], [u8; 32])> {
    let e = p.to_affine().to_encoded_point(false);
    Some((
        e.x()?.as_slice().try_into().unwrap(),
        e.y()?.as_slice().try_into().unwrap(),
    ))
}

fn to_k256(p: &Affine) -> ProjectivePoint {
    let x = p.x.normalize().to_bytes();
    let y = p.y.normalize().to_bytes();
    let enc = k256::EncodedPoint::from_affine_coordinates(&x, &y, false);
    let a: AffinePoint = Option::from(AffinePoint::try_from(&enc).ok()).unwrap();
    ProjectivePoint::from(a)
}

fn from_k256(p: &ProjectivePoint) -> Affine {
    let (x, y) = affine_bytes(p).unwrap();
    Affine {
        x: Fe::from_bytes(&x.into()).unwrap(),
        y: Fe::from_bytes(&y.into()).unwrap(),
    }
}

/// The Jacobian point with affine value p and Z = z.
fn jacobian(p: &Affine, z: &Fe) -> Jacobian {
    let z2 = z.square();
    Jacobian {
        x: p.x * &z2,
        y: (p.y * &z2) * z,
        z: *z,
    }
}

fn jacobian_to_k256(p: &Jacobian) -> ProjectivePoint {
    if bool::from(p.is_infinity()) {
        return ProjectivePoint::IDENTITY;
    }
    let zinv = p.z.invert().unwrap();
    let zinv2 = zinv.square();
    to_k256(&Affine {
        x: (p.x * &zinv2).normalize(),
        y: ((p.y * &zinv2) * &zinv).normalize(),
    })
}

fn random_point(rng: &mut Rng) -> ProjectivePoint {
    ProjectivePoint::GENERATOR * rng.scalar()
}

fn random_z(rng: &mut Rng) -> Fe {
    Fe::from_bytes(&scalar_from_be(&rng.bytes32()).to_bytes()).unwrap()
}

#[test]
fn double_matches_k256() {
    let mut rng = Rng(1);
    for _ in 0..200 {
        let p = random_point(&mut rng);
        let j = jacobian(&from_k256(&p), &random_z(&mut rng));
        assert_eq!(jacobian_to_k256(&j.double()), p.double());
    }
    let inf = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };
    assert!(bool::from(inf.double().is_infinity()));
}

#[test]
fn add_affine_matches_k256_including_every_exceptional_case() {
    let mut rng = Rng(2);
    let beta = ecmult::beta();
    for _ in 0..200 {
        let a = random_point(&mut rng);
        let b = random_point(&mut rng);
        let ja = jacobian(&from_k256(&a), &random_z(&mut rng));
        let bb = from_k256(&b);
        // Distinct points.
        assert_eq!(jacobian_to_k256(&ja.add_affine(&bb)), a + b);
        // Doubling inside addition: a = b.
        assert_eq!(jacobian_to_k256(&ja.add_affine(&from_k256(&a))), a.double());
        // a = −b: infinity.
        let neg_a = from_k256(&a).conditional_negate(Choice::from(1));
        assert!(bool::from(ja.add_affine(&neg_a).is_infinity()));
        // y1 = −y2 with x2 = β·x1 (b = −λ·a): the degenerate branch.
        let aa = from_k256(&a);
        let other = Affine {
            x: (aa.x * &beta).normalize_weak(),
            y: aa.y.negate(1).normalize_weak(),
        };
        let expected = a + to_k256(&other);
        assert_eq!(jacobian_to_k256(&ja.add_affine(&other)), expected);
        // Infinity + b = b.
        let inf = Jacobian {
            x: Fe::ONE,
            y: Fe::ONE,
            z: Fe::ZERO,
        };
        assert_eq!(jacobian_to_k256(&inf.add_affine(&bb)), b);
    }
}

#[test]
fn split_lambda_gives_halves_below_2_128() {
    let mut rng = Rng(3);
    let mut ks = edge_scalars();
    ks.extend((0..500).map(|_| rng.scalar()));
    let small = |r: &Scalar| {
        let b = r.to_bytes();
        let nb = (-*r).to_bytes();
        b[..16].iter().all(|&x| x == 0) || nb[..16].iter().all(|&x| x == 0)
    };
    for k in ks {
        let (r1, r2) = split_lambda(&k);
        assert_eq!(r1 + r2 * lambda(), k);
        assert!(small(&r1) && small(&r2));
    }
}

#[test]
fn recode_sign_strings_sum_to_the_scalar() {
    let mut rng = Rng(4);
    let mut ks = edge_scalars();
    ks.extend((0..500).map(|_| rng.scalar()));
    // C_130(v) = 2v + 1 − 2^130.
    let c = |v: &[u8; 32]| {
        assert!(
            v[..15].iter().all(|&x| x == 0) && v[15] < 2,
            "v must be below 2^129"
        );
        let v = scalar_from_be(v);
        let two_130 = s("0000000000000000000000000000000400000000000000000000000000000000");
        v + v + Scalar::ONE - two_130
    };
    for q in ks {
        let (v1, v2) = recode(&q);
        assert_eq!(c(&v1) + lambda() * c(&v2), q);
    }
}

#[test]
fn variable_base_multiplication_matches_k256() {
    let mut rng = Rng(5);
    let mut ks = edge_scalars();
    ks.extend((0..100).map(|_| rng.scalar()));
    for (i, k) in ks.iter().enumerate() {
        let p = if i % 3 == 0 {
            ProjectivePoint::GENERATOR
        } else {
            random_point(&mut rng)
        };
        let table = ecmult::PointTable::new(&from_k256(&p));
        let expected = affine_bytes(&(p * k)).unwrap().0;
        assert_eq!(<[u8; 32]>::from(table.x_of_multiple(k).to_bytes()), expected);
        let other = rng.scalar();
        let (xa, xb) = table.x_of_multiples(k, &other);
        assert_eq!(<[u8; 32]>::from(xa.to_bytes()), expected);
        assert_eq!(
            <[u8; 32]>::from(xb.to_bytes()),
            affine_bytes(&(p * other)).unwrap().0
        );
    }
    // q = 0: infinity, reported as x = 0.
    let table = ecmult::PointTable::new(&generator());
    assert!(bool::from(
        table.x_of_multiple(&Scalar::ZERO).normalizes_to_zero()
    ));
}

#[test]
fn fixed_base_multiplication_matches_k256() {
    let mut gen = Box::new(GenTable::EMPTY);
    gen.fill();
    let mut rng = Rng(6);
    let mut ks = edge_scalars();
    ks.extend((0..200).map(|_| rng.scalar()));
    for k in ks {
        let expected = ProjectivePoint::GENERATOR * k;
        assert_eq!(jacobian_to_k256(&gen.multiply(&k)), expected);
        let x = gen.x_only_public_key(&k.to_bytes().into()).unwrap();
        assert_eq!(<[u8; 32]>::from(x.to_bytes()), affine_bytes(&expected).unwrap().0);
    }
    assert!(bool::from(gen.multiply(&Scalar::ZERO).is_infinity()));
    assert!(gen.x_only_public_key(&[0u8; 32]).is_none());
    assert!(gen
        .x_only_public_key(&hex32(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
        ))
        .is_none());
    assert!(bool::from(
        x_of(&gen.multiply(&Scalar::ONE), &Fe::ONE).ct_eq_bytes(&hex32(G_X))
    ));
}

trait CtEqBytes {
    fn ct_eq_bytes(&self, b: &[u8; 32]) -> Choice;
}
impl CtEqBytes for Fe {
    fn ct_eq_bytes(&self, b: &[u8; 32]) -> Choice {
        Choice::from((<[u8; 32]>::from(self.normalize().to_bytes()) == *b) as u8)
    }
}

#[test]
fn ecdh2_ell_matches_decode_then_multiply() {
    let mut rng = Rng(7);
    for _ in 0..50 {
        let mut ell = [0u8; 64];
        ell[..32].copy_from_slice(&rng.bytes32());
        ell[32..].copy_from_slice(&rng.bytes32());
        let (a, b) = (rng.bytes32(), rng.bytes32());
        let [xa, xb] = ecdh2_ell(&ell, &a, &b).unwrap();
        let mut u = [0u8; 32];
        u.copy_from_slice(&ell[..32]);
        let mut t = [0u8; 32];
        t.copy_from_slice(&ell[32..]);
        let x = ellswift::decode(
            &ellswift::fe_reduced(&u).to_bytes().into(),
            &ellswift::fe_reduced(&t).to_bytes().into(),
        )
        .unwrap();
        let p: AffinePoint = Option::from(k256::elliptic_curve::DecompressPoint::decompress(
            &x.into(),
            Choice::from(0),
        ))
        .unwrap();
        let p = ProjectivePoint::from(p);
        assert_eq!(Some(xa), affine_bytes(&(p * scalar_from_be(&a))).map(|v| v.0));
        assert_eq!(Some(xb), affine_bytes(&(p * scalar_from_be(&b))).map(|v| v.0));
    }
    // u, t ≥ p are reduced, as BIP-324 says.
    let ell = [0xffu8; 64];
    let one = hex32("0000000000000000000000000000000000000000000000000000000000000001");
    assert!(ecdh2_ell(&ell, &one, &one).is_some());
    assert!(ecdh2_ell(&ell, &[0u8; 32], &one).is_none());
    assert!(ecdh2_ell(
        &ell,
        &one,
        &hex32("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    )
    .is_none());
}

#[test]
fn keygen_encodes_the_public_key() {
    let mut gen = Box::new(GenTable::EMPTY);
    gen.fill();
    let mut rng = Rng(8);
    let mut tries_used = 0usize;
    for _ in 0..100 {
        let k = rng.bytes32();
        let random: Vec<u8> = (0..33 * 40).map(|_| rng.next() as u8).collect();
        match keygen(&gen, &k, &random) {
            KeyGen::Done(x, ell) => {
                let expected = affine_bytes(&(ProjectivePoint::GENERATOR * scalar_from_be(&k)))
                    .unwrap()
                    .0;
                assert_eq!(x, expected);
                let (u, t) = ell.split_at(32);
                assert_eq!(
                    ellswift::decode(&u.try_into().unwrap(), &t.try_into().unwrap()),
                    Some(x)
                );
                tries_used += random.chunks(33).position(|c| c[..32] == ell[..32]).unwrap() + 1;
            }
            _ => panic!("40 tries should be plenty"),
        }
    }
    // About 4 tries per key on average (each succeeds with probability ~1/4).
    println!("keygen: {} ElligatorSwift tries for 100 keys", tries_used);
    assert!(tries_used < 100 * 8, "{} tries for 100 keys", tries_used);
    assert!(matches!(keygen(&gen, &rng.bytes32(), &[]), KeyGen::NeedRandom(_)));
    assert!(matches!(keygen(&gen, &[0u8; 32], &[0u8; 33]), KeyGen::BadSecret));
}

#[test]
fn ecdh_x_doubles_the_generator() {
    let mut two = [0u8; 32];
    two[31] = 2;
    assert_eq!(ecdh_x_bytes(&two, &hex32(G_X)), Some(hex32(TWO_G_X)));
}

#[test]
fn ecdh_x_rejects_bad_inputs() {
    let mut one = [0u8; 32];
    one[31] = 1;
    // x = 5 is not on secp256k1 (5³ + 7 = 132 is not a square mod p).
    let mut five = [0u8; 32];
    five[31] = 5;
    assert_eq!(ecdh_x_bytes(&one, &five), None);
    assert_eq!(ecdh_x_bytes(&[0u8; 32], &hex32(G_X)), None);
    assert_eq!(ecdh_x_bytes(&[0xff; 32], &hex32(G_X)), None);
}

#[test]
fn valid_x() {
    assert!(ellswift::is_valid_x_bytes(&hex32(G_X)));
    let mut five = [0u8; 32];
    five[31] = 5;
    assert!(!ellswift::is_valid_x_bytes(&five));
    // p itself is not a reduced element.
    assert!(!ellswift::is_valid_x_bytes(&hex32(
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
    )));
}

#[test]
fn ellswift_decodes_the_first_bip324_vector() {
    // ellswift_decode_test_vectors.csv row 0: u = t = 0 decodes to this x.
    let x = ellswift::decode(&[0u8; 32], &[0u8; 32]).unwrap();
    assert_eq!(
        x,
        hex32("edd1fd3e327ce90cc7a3542614289aee9682003e9cf7dcc9cf2ca9743be5aa0c")
    );
}

#[test]
fn ellswift_inverse_round_trips() {
    let x = hex32(TWO_G_X);
    let mut found = 0;
    for i in 1u8..40 {
        let mut u = [0u8; 32];
        u[0] = i;
        u[31] = i.wrapping_mul(37);
        for case in 0..8 {
            if let Some(t) = ellswift::inverse(&x, &u, case) {
                assert_eq!(ellswift::decode(&u, &t), Some(x));
                found += 1;
            }
        }
    }
    assert!(found > 0);
}

#[test]
fn ellswift_inverse_matches_the_reference_steps() {
    let mut rng = Rng(9);
    let beta = ecmult::beta();
    let mut found = 0;
    for i in 0..300 {
        let p = random_point(&mut rng);
        let x: [u8; 32] = affine_bytes(&p).unwrap().0;
        let xf = Fe::from_bytes(&x.into()).unwrap();
        // Random u, then the edge cases u = x (s = 0) and u = β·x, β²·x (u² + u·x + x² = 0).
        let u: [u8; 32] = match i % 10 {
            0 => x,
            1 => (xf * &beta).normalize().to_bytes().into(),
            2 => (xf * &beta * &beta).normalize().to_bytes().into(),
            _ => ellswift::fe_reduced(&rng.bytes32()).normalize().to_bytes().into(),
        };
        for case in 0..8 {
            let t = ellswift::inverse(&x, &u, case);
            assert_eq!(
                t,
                ellswift::inverse_reference(&x, &u, case),
                "x {:?} u {:?} case {}",
                x,
                u,
                case
            );
            found += t.is_some() as u32;
        }
    }
    assert!(found > 300);
}

/// BIP-324's ellswift_decode_test_vectors.csv (committed for the TS tests): the Jacobian decoding
/// used by `ecdh2_ell` gives the published x for every row, and x(1·P) = x through `ecdh2_ell`.
#[test]
fn decode_jacobian_matches_the_bip324_vectors() {
    let csv = include_str!("../../../src/sv2/noise/fixtures/bip324/ellswift_decode_test_vectors.csv");
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    };
    let one = hex32("0000000000000000000000000000000000000000000000000000000000000001");
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let mut cols = line.split(',');
        let ell: [u8; 64] = unhex(cols.next().unwrap()).try_into().unwrap();
        let x = hex32(cols.next().unwrap());
        let half = |i: usize| -> [u8; 32] { ell[i..i + 32].try_into().unwrap() };
        let p = ellswift::decode_jacobian(&ellswift::fe_reduced(&half(0)), &ellswift::fe_reduced(&half(32)))
            .unwrap();
        let zinv = p.z.invert().unwrap();
        assert_eq!(
            <[u8; 32]>::from((p.x * &zinv.square()).normalize().to_bytes()),
            x,
            "{}",
            line
        );
        // Y² = X³ + 7·Z⁶: the point is on the curve.
        let z6 = p.z.square() * &p.z.square() * &p.z.square();
        let lhs = p.y.square();
        let seven =
            Fe::from_bytes(&hex32("0000000000000000000000000000000000000000000000000000000000000007").into())
                .unwrap();
        let rhs = p.x.square() * &p.x + &(z6 * &seven);
        assert!(
            bool::from((lhs.negate(1) + &rhs).normalizes_to_zero()),
            "{}",
            line
        );
        assert_eq!(ecdh2_ell(&ell, &one, &one).unwrap(), [x, x]);
        rows += 1;
    }
    assert!(rows > 70);
}

#[test]
fn jacobi_square_test_matches_the_square_root() {
    let mut rng = Rng(10);
    let fe = |b: [u8; 32]| ellswift::fe_reduced(&b);
    let mut squares = 0;
    let mut edge: Vec<Fe> = vec![Fe::ZERO, Fe::ONE, Fe::ONE.negate(1).normalize()];
    edge.push(fe(hex32(
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e",
    ))); // p − 1
    edge.push(fe(hex32(
        "0000000000000000000000000000000000000000000000000000000000000002",
    )));
    edge.push(fe(hex32(
        "0000000000000000000000000000000100000000000000000000000000000000",
    )));
    edge.push(fe(hex32(
        "8000000000000000000000000000000000000000000000000000000000000000",
    )));
    for i in 0..2000 {
        let a = if i < edge.len() {
            edge[i]
        } else {
            fe(rng.bytes32())
        };
        // Also a known square, and its negation (a non-square: −1 is not a square mod p).
        let sq = a.square().normalize();
        assert!(jacobi::is_square(&sq));
        assert_eq!(
            jacobi::is_square(&sq.negate(1).normalize()),
            bool::from(sq.normalizes_to_zero())
        );
        let expected = ellswift::is_square_by_root(&a);
        assert_eq!(jacobi::is_square(&a), expected, "{:?}", a.normalize().to_bytes());
        squares += expected as u32;
    }
    assert!(squares > 800 && squares < 1200);
}
