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
fn sqrt_squares_back() {
    let mut four = [0u8; 32];
    four[31] = 4;
    let r = sqrt_bytes(&four).unwrap();
    let mut two = [0u8; 32];
    two[31] = 2;
    let minus_two = hex32("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2d");
    assert!(r == two || r == minus_two);
    // 3 is not a square mod p; p itself is not reduced.
    let mut three = [0u8; 32];
    three[31] = 3;
    assert_eq!(sqrt_bytes(&three), None);
    assert_eq!(sqrt_bytes(&hex32("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")), None);
}
