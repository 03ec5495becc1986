//! secp256k1 operations for the SV2 Noise handshake, on RustCrypto's `k256` (constant-time field
//! and scalar arithmetic), exported to JavaScript as a WebAssembly module without imports:
//!
//! * `ecdh_x`: x(k · P) for the curve point P with a given x coordinate (either y: the result's
//!   x is the same), BIP-324's x-only ECDH;
//! * `ellswift_decode` / `ellswift_inv`: BIP-324's XSwiftEC and XSwiftECInv (`ellswift.rs`);
//! * `x_is_valid`: whether x < p is the x coordinate of a curve point.
//!
//! JavaScript writes the inputs into `io()` (64 bytes), calls, and reads the 32-byte result from
//! the start of the same buffer. Calls return 1 on success, 0 when the input has no answer.
#![cfg_attr(not(test), no_std)]

use k256::elliptic_curve::DecompressPoint;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::elliptic_curve::subtle::Choice;
use k256::elliptic_curve::PrimeField;
use k256::{AffinePoint, ProjectivePoint, Scalar};

/// x coordinate (big-endian) of k · P, P the point with x coordinate `x`; None when x is not on
/// the curve, k is not in [1, n) or the result is the point at infinity.
pub fn ecdh_x_bytes(k: &[u8; 32], x: &[u8; 32]) -> Option<[u8; 32]> {
    let k: Scalar = Option::from(Scalar::from_repr((*k).into()))?;
    if bool::from(k.is_zero()) {
        return None;
    }
    let p: AffinePoint = Option::from(AffinePoint::decompress(&(*x).into(), Choice::from(0)))?;
    let r = (ProjectivePoint::from(p) * k).to_affine();
    let enc = r.to_encoded_point(true);
    let mut out = [0u8; 32];
    out.copy_from_slice(enc.x()?);
    Some(out)
}

pub mod ellswift;

#[cfg(target_arch = "wasm32")]
mod wasm {
    static mut IO: [u8; 64] = [0; 64];

    fn io() -> &'static mut [u8; 64] {
        // Safety: wasm32 here is single-threaded and each export uses the buffer only for one call.
        unsafe { &mut IO }
    }

    fn first(b: &[u8; 64]) -> [u8; 32] {
        let mut a = [0u8; 32];
        a.copy_from_slice(&b[..32]);
        a
    }

    fn second(b: &[u8; 64]) -> [u8; 32] {
        let mut a = [0u8; 32];
        a.copy_from_slice(&b[32..]);
        a
    }

    fn answer(r: Option<[u8; 32]>) -> u32 {
        let b = io();
        match r {
            Some(v) => {
                b[..32].copy_from_slice(&v);
                b[32..].fill(0);
                1
            }
            None => {
                b.fill(0);
                0
            }
        }
    }

    /// The 64-byte buffer calls read their inputs from and write their result to.
    #[no_mangle]
    pub extern "C" fn io_ptr() -> *mut u8 {
        io().as_mut_ptr()
    }

    /// 1 when io[0..32] (< p) is the x coordinate of a curve point, else 0.
    #[no_mangle]
    pub extern "C" fn x_is_valid() -> u32 {
        crate::ellswift::is_valid_x_bytes(&first(io())) as u32
    }

    /// io[0..32] = x(io[0..32] · lift_x(io[32..64])); the secret scalar is wiped either way.
    #[no_mangle]
    pub extern "C" fn ecdh_x() -> u32 {
        let b = io();
        answer(super::ecdh_x_bytes(&first(b), &second(b)))
    }

    /// io[0..32] = XSwiftEC(u = io[0..32], t = io[32..64]) (u, t < p).
    #[no_mangle]
    pub extern "C" fn ellswift_decode() -> u32 {
        let b = io();
        answer(crate::ellswift::decode(&first(b), &second(b)))
    }

    /// io[0..32] = XSwiftECInv(x = io[0..32], u = io[32..64], case) (x, u < p); 0 when none.
    #[no_mangle]
    pub extern "C" fn ellswift_inv(case: u32) -> u32 {
        let b = io();
        answer(crate::ellswift::inverse(&first(b), &second(b), (case & 7) as u8))
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[cfg(test)]
mod tests;
