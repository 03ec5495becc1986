use super::*;

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

const G_X: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const TWO_G_X: &str = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

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
    assert!(!ellswift::is_valid_x_bytes(&hex32("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")));
}

#[test]
fn ellswift_decodes_the_first_bip324_vector() {
    // ellswift_decode_test_vectors.csv row 0: u = t = 0 decodes to this x.
    let x = ellswift::decode(&[0u8; 32], &[0u8; 32]).unwrap();
    assert_eq!(x, hex32("edd1fd3e327ce90cc7a3542614289aee9682003e9cf7dcc9cf2ca9743be5aa0c"));
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
