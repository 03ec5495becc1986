//! secp256k1 exports for the handshake, all from libsecp256k1 (through the `secp256k1` crate):
//! constant-time k·G (`ec_pubkey_create`, `ellswift_create`) and x-only ECDH (`ecdh`,
//! `ellswift_xdh`, both on `ecmult_const`), BIP-324 ElligatorSwift encoding and decoding. Inputs and
//! results go through one 256-byte buffer; secret keys are wiped from it by every call.
use secp256k1::ecdh::shared_secret_point;
use secp256k1::ellswift::{ElligatorSwift, ElligatorSwiftSharedSecret, Party};
use secp256k1::{Parity, PublicKey, SecretKey, XOnlyPublicKey};

static mut IO: [u8; 256] = [0; 256];

#[inline(always)]
fn io() -> &'static mut [u8; 256] {
    // SAFETY: single-threaded instance; every export runs to completion before JS reads the buffer.
    unsafe { &mut *core::ptr::addr_of_mut!(IO) }
}

fn bytes<const N: usize>(at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&io()[at..at + N]);
    out
}

/// The secret key at io[at..at + 32], wiped from the buffer; None unless it is in [1, n).
fn take_secret(at: usize) -> Option<SecretKey> {
    let key = SecretKey::from_secret_bytes(bytes(at)).ok();
    io()[at..at + 32].fill(0);
    key
}

fn x_of(pk: &PublicKey) -> [u8; 32] {
    let mut x = [0u8; 32];
    x.copy_from_slice(&pk.serialize()[1..33]);
    x
}

/// x(k · decode(ell)), the x-only ECDH of BIP-324 before hashing.
fn ellswift_x(ell: [u8; 64], k: SecretKey) -> [u8; 32] {
    // libsecp256k1 decodes the other party's encoding: as party B that is `ell_a`; the hasher
    // returns x itself (the placeholder `ell_b` is never used).
    let theirs = ElligatorSwift::from_byte_array(ell);
    let unused = ElligatorSwift::from_byte_array([0; 64]);
    let secret = ElligatorSwift::shared_secret_with_hasher(theirs, unused, k, Party::Responder, |x, _, _| {
        ElligatorSwiftSharedSecret::from_secret_bytes(x)
    });
    secret.to_secret_bytes()
}

#[no_mangle]
pub extern "C" fn io_ptr() -> *mut u8 {
    io().as_mut_ptr()
}

/// Rerandomizes the k·G blinding of libsecp256k1's context with the 32 bytes at io[0..32].
#[no_mangle]
pub extern "C" fn randomize() {
    let seed = bytes::<32>(0);
    io()[..32].fill(0);
    secp256k1::rerandomize_global_context(&seed);
}

/// io[0..32] = k, io[32..64] = x → io[0..32] = x(k·P) for the point P with that x (either y).
/// Returns 0 when x is not on the curve or k is not in [1, n).
#[no_mangle]
pub extern "C" fn ecdh_x() -> u32 {
    let (k, p) = match (take_secret(0), XOnlyPublicKey::from_byte_array(bytes(32))) {
        (Some(k), Ok(p)) => (k, p),
        _ => return 0,
    };
    let xy = shared_secret_point(&PublicKey::from_x_only_public_key(p, Parity::Even), &k);
    io()[..32].copy_from_slice(&xy[..32]);
    1
}

/// io[0..64] = ell, io[64..96] = a, io[96..128] = b → io[0..64] = x(a·P) ‖ x(b·P), P = decode(ell):
/// the responder's two ECDHs. Returns 0 when a or b is not in [1, n).
#[no_mangle]
pub extern "C" fn ecdh2_ell() -> u32 {
    let (a, b) = match (take_secret(64), take_secret(96)) {
        (Some(a), Some(b)) => (a, b),
        _ => return 0,
    };
    let ell = bytes::<64>(0);
    let (xa, xb) = (ellswift_x(ell, a), ellswift_x(ell, b));
    io()[..32].copy_from_slice(&xa);
    io()[32..64].copy_from_slice(&xb);
    1
}

/// io[0..32] = k → io[0..32] = x(k·G). Returns 0 when k is not in [1, n).
#[no_mangle]
pub extern "C" fn pubkey_x() -> u32 {
    let k = match take_secret(0) {
        Some(k) => k,
        None => return 0,
    };
    io()[..32].copy_from_slice(&x_of(&PublicKey::from_secret_key(&k)));
    1
}

/// io[0..32] = k, io[32..64] = 32 random bytes → io[0..32] = x(k·G), io[32..96] = an
/// ElligatorSwift encoding of k·G. Returns 0 when k is not in [1, n).
#[no_mangle]
pub extern "C" fn keygen() -> u32 {
    let k = match take_secret(0) {
        Some(k) => k,
        None => return 0,
    };
    let pk = PublicKey::from_secret_key(&k);
    let ell = ElligatorSwift::from_pubkey_with_rnd(pk, bytes(32));
    io()[..32].copy_from_slice(&x_of(&pk));
    io()[32..96].copy_from_slice(&ell.to_byte_array());
    1
}

/// io[0..32] = x, io[32..64] = 32 random bytes → io[32..96] = an ElligatorSwift encoding of x.
/// Returns 0 when x is not on the curve.
#[no_mangle]
pub extern "C" fn ellswift_encode() -> u32 {
    let p = match XOnlyPublicKey::from_byte_array(bytes(0)) {
        Ok(p) => p,
        Err(_) => return 0,
    };
    let pk = PublicKey::from_x_only_public_key(p, Parity::Even);
    let ell = ElligatorSwift::from_pubkey_with_rnd(pk, bytes(32));
    io()[32..96].copy_from_slice(&ell.to_byte_array());
    1
}

/// io[0..64] = ell (u ‖ t, any 64 bytes) → io[0..32] = the x it encodes (XSwiftEC of BIP-324).
#[no_mangle]
pub extern "C" fn ellswift_decode() -> u32 {
    let pk = PublicKey::from_ellswift(ElligatorSwift::from_byte_array(bytes(0)));
    io()[..32].copy_from_slice(&x_of(&pk));
    1
}
