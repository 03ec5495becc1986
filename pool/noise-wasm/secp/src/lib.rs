//! secp256k1 operations for the SV2 Noise handshake on RustCrypto `k256`'s constant-time field
//! (and scalar) arithmetic, exported to JavaScript as a WebAssembly module without imports:
//!
//! * `ecdh2_ell`: the responder's two x-only ECDHs (BIP-324) against one ElligatorSwift-encoded
//!   key, sharing its decoding and one table of multiples (`ecmult.rs`);
//! * `ecdh_x`: x(k · P) for the curve point P with a given x coordinate (either y: the result's
//!   x is the same);
//! * `keygen`: x(k·G) (`ecmult_gen.rs`) and an ElligatorSwift encoding of it, in one call;
//!   `pubkey_x`: x(k·G) alone;
//! * `ellswift_decode` / `ellswift_inv`: BIP-324's XSwiftEC and XSwiftECInv (`ellswift.rs`);
//! * `x_is_valid`: whether x < p is the x coordinate of a curve point.
//!
//! Multiplications by secret scalars are constant time (no secret-dependent branch or memory
//! index; see `point.rs`, `glv.rs`, `ecmult.rs`, `ecmult_gen.rs`); ElligatorSwift work handles
//! public values only and is variable time, as in libsecp256k1.
//!
//! JavaScript writes the inputs into `io()` (1024 bytes), calls, and reads the results from the
//! start of the same buffer. Calls return 1 on success, 0 when the input has no answer.
#![cfg_attr(not(test), no_std)]

pub mod ecmult;
pub mod ecmult_gen;
pub mod ellswift;
pub mod glv;
pub mod jacobi;
pub mod point;

use ecmult::PointTable;
use ecmult_gen::{scalar_checked, GenTable};

/// x coordinate (big-endian) of k · P, P the point with x coordinate `x`; None when x is not on
/// the curve or k is not in [1, n).
pub fn ecdh_x_bytes(k: &[u8; 32], x: &[u8; 32]) -> Option<[u8; 32]> {
    let k = scalar_checked(k)?;
    let p = ellswift::lift_x_bytes(x)?;
    Some(PointTable::new(&p).x_of_multiple(&k).to_bytes().into())
}

/// For the point P that the 64-byte ElligatorSwift encoding `ell` stands for (u and t reduced
/// mod p): (x(a·P), x(b·P)). None when a or b is not in [1, n).
pub fn ecdh2_ell(ell: &[u8; 64], a: &[u8; 32], b: &[u8; 32]) -> Option<[[u8; 32]; 2]> {
    let a = scalar_checked(a)?;
    let b = scalar_checked(b)?;
    let mut half = [0u8; 32];
    half.copy_from_slice(&ell[..32]);
    let u = ellswift::fe_reduced(&half);
    half.copy_from_slice(&ell[32..]);
    let t = ellswift::fe_reduced(&half);
    let p = ellswift::decode_jacobian(&u, &t)?;
    let (xa, xb) = PointTable::from_jacobian(&p).x_of_multiples(&a, &b);
    Some([xa.to_bytes().into(), xb.to_bytes().into()])
}

/// What `keygen` made: x(k·G) and an ElligatorSwift encoding of it.
pub enum KeyGen {
    Done([u8; 32], [u8; 64]),
    /// The random bytes ran out before an encoding was found (x(k·G) given): encode it with
    /// fresh ones.
    NeedRandom([u8; 32]),
    BadSecret,
}

/// x(k·G) for the secret key k and its ElligatorSwift encoding with u values from `random`
/// (33 bytes per try, see `ellswift::encode`).
pub fn keygen(gen: &GenTable, k: &[u8; 32], random: &[u8]) -> KeyGen {
    let x = match gen.x_only_public_key(k) {
        Some(x) => x,
        None => return KeyGen::BadSecret,
    };
    match ellswift::encode(&x, random) {
        Some(ell) => KeyGen::Done(x.to_bytes().into(), ell),
        None => KeyGen::NeedRandom(x.to_bytes().into()),
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::ecmult_gen::GenTable;
    use crate::KeyGen;

    const IO_LEN: usize = 1024;
    static mut IO: [u8; IO_LEN] = [0; IO_LEN];
    static mut GEN: GenTable = GenTable::EMPTY;
    static mut GEN_READY: bool = false;

    fn io() -> &'static mut [u8; IO_LEN] {
        // Safety: wasm32 here is single-threaded and each export uses the buffer only for one call.
        unsafe { &mut IO }
    }

    /// The k·G table, filled on first use.
    fn gen() -> &'static GenTable {
        // Safety: single-threaded; filled once before the first shared reference is handed out.
        unsafe {
            if !GEN_READY {
                GEN.fill();
                GEN_READY = true;
            }
            &GEN
        }
    }

    fn bytes32(b: &[u8], at: usize) -> [u8; 32] {
        let mut a = [0u8; 32];
        a.copy_from_slice(&b[at..at + 32]);
        a
    }

    /// Writes the 32-byte results at the start of the buffer and zeroes the rest (secret inputs
    /// included); everything is zeroed when there is no result.
    fn answer<const N: usize>(r: Option<[[u8; 32]; N]>) -> u32 {
        let b = io();
        b.fill(0);
        match r {
            Some(values) => {
                for (i, v) in values.iter().enumerate() {
                    b[32 * i..32 * i + 32].copy_from_slice(v);
                }
                1
            }
            None => 0,
        }
    }

    /// The 1024-byte buffer calls read their inputs from and write their results to.
    #[no_mangle]
    pub extern "C" fn io_ptr() -> *mut u8 {
        io().as_mut_ptr()
    }

    /// 1 when io[0..32] (< p) is the x coordinate of a curve point, else 0.
    #[no_mangle]
    pub extern "C" fn x_is_valid() -> u32 {
        crate::ellswift::is_valid_x_bytes(&bytes32(io(), 0)) as u32
    }

    /// io[0..32] = x(io[0..32] · lift_x(io[32..64])).
    #[no_mangle]
    pub extern "C" fn ecdh_x() -> u32 {
        let b = io();
        answer(crate::ecdh_x_bytes(&bytes32(b, 0), &bytes32(b, 32)).map(|x| [x]))
    }

    /// With P = XSwiftEC(io[0..64]), a = io[64..96], b = io[96..128]:
    /// io[0..32] = x(a·P), io[32..64] = x(b·P).
    #[no_mangle]
    pub extern "C" fn ecdh2_ell() -> u32 {
        let b = io();
        let mut ell = [0u8; 64];
        ell.copy_from_slice(&b[..64]);
        answer(crate::ecdh2_ell(&ell, &bytes32(b, 64), &bytes32(b, 96)))
    }

    /// io[0..32] = x(io[0..32] · G).
    #[no_mangle]
    pub extern "C" fn pubkey_x() -> u32 {
        let x = gen().x_only_public_key(&bytes32(io(), 0));
        answer(x.map(|x| [x.to_bytes().into()]))
    }

    /// Secret key io[0..32], `tries` × 33 random bytes from io[32]: io[0..32] = x(k·G),
    /// io[32..96] = its ElligatorSwift encoding; returns 1, 0 for a bad secret key, or 2 when
    /// the random bytes ran out: then io[0..32] = x(k·G) and `ellswift_encode` goes on.
    #[no_mangle]
    pub extern "C" fn keygen(tries: u32) -> u32 {
        let b = io();
        let n = (tries as usize).min((IO_LEN - 32) / 33);
        let result = crate::keygen(gen(), &bytes32(b, 0), &b[32..32 + 33 * n]);
        b.fill(0);
        match result {
            KeyGen::Done(x, ell) => {
                b[..32].copy_from_slice(&x);
                b[32..96].copy_from_slice(&ell);
                1
            }
            KeyGen::NeedRandom(x) => {
                b[..32].copy_from_slice(&x);
                2
            }
            KeyGen::BadSecret => 0,
        }
    }

    /// x = io[0..32] (a valid x coordinate), `tries` × 33 random bytes from io[32]: io[32..96] =
    /// an ElligatorSwift encoding of x; returns 1, 2 when the random bytes ran out (x kept),
    /// 0 when x is not on the curve.
    #[no_mangle]
    pub extern "C" fn ellswift_encode(tries: u32) -> u32 {
        let b = io();
        let n = (tries as usize).min((IO_LEN - 32) / 33);
        let x = match crate::ellswift::lift_x_bytes(&bytes32(b, 0)) {
            Some(p) => p.x,
            None => return answer::<0>(None),
        };
        let ell = crate::ellswift::encode(&x, &b[32..32 + 33 * n]);
        b[32..].fill(0);
        match ell {
            Some(ell) => {
                b[32..96].copy_from_slice(&ell);
                1
            }
            None => 2,
        }
    }

    /// io[0..32] = XSwiftEC(u = io[0..32], t = io[32..64]) (u, t < p).
    #[no_mangle]
    pub extern "C" fn ellswift_decode() -> u32 {
        let b = io();
        answer(crate::ellswift::decode(&bytes32(b, 0), &bytes32(b, 32)).map(|x| [x]))
    }

    /// io[0..32] = XSwiftECInv(x = io[0..32], u = io[32..64], case) (x, u < p); 0 when none.
    #[no_mangle]
    pub extern "C" fn ellswift_inv(case: u32) -> u32 {
        let b = io();
        answer(crate::ellswift::inverse(&bytes32(b, 0), &bytes32(b, 32), (case & 7) as u8).map(|x| [x]))
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[cfg(test)]
mod tests;
