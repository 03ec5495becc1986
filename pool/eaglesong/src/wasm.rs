//! WebAssembly exports used by `pool/src/eaglesong/wasm.ts`.
//!
//! No allocator: all inputs and outputs go through one static [`Io`] block in linear
//! memory. JS learns the address of each field once (`es_*_ptr`), keeps typed-array views
//! on them (memory never grows), writes inputs there and calls the operations below.
//! Lengths coming from JS are clamped, so no call can index out of bounds or panic.

use crate::{pow_hash_from_midstate, pow_midstate, Sponge, RATE_BYTES};

/// Capacity of the general-purpose input buffer (a multiple of the rate).
const DATA_CAP: usize = 64 * 1024;
/// Capacity of the search hit list.
const HITS_CAP: usize = 256;

#[repr(C)]
struct Io {
    /// Midstate of the job used by `es_hash_nonce` and `es_search`.
    midstate: [u32; 16],
    /// Nonce (16 bytes, u128 LE) for `es_hash_nonce`; base nonce for `es_search`.
    nonce: [u8; 16],
    /// Big-endian 256-bit target for `es_search`.
    target: [u8; 32],
    /// Last digest.
    digest: [u8; 32],
    /// Nonces (u32, the value of nonce bytes 12..16) found by `es_search`.
    hits: [u32; HITS_CAP],
    /// General input: message bytes for the sponge, pow_hash for `es_pow_midstate`,
    /// pow_hash || nonce for `es_pow_hash`.
    data: [u8; DATA_CAP],
}

static mut IO: Io = Io {
    midstate: [0; 16],
    nonce: [0; 16],
    target: [0; 32],
    digest: [0; 32],
    hits: [0; HITS_CAP],
    data: [0; DATA_CAP],
};
static mut SPONGE: Sponge = Sponge::new();

#[inline(always)]
fn io() -> &'static mut Io {
    // SAFETY: WebAssembly instances here are single-threaded and every export runs to
    // completion before JS touches the buffers again.
    unsafe { &mut *core::ptr::addr_of_mut!(IO) }
}

#[inline(always)]
fn sponge() -> &'static mut Sponge {
    // SAFETY: as for `io`.
    unsafe { &mut *core::ptr::addr_of_mut!(SPONGE) }
}

#[no_mangle]
pub extern "C" fn es_midstate_ptr() -> *mut u32 {
    io().midstate.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_nonce_ptr() -> *mut u8 {
    io().nonce.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_target_ptr() -> *mut u8 {
    io().target.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_digest_ptr() -> *mut u8 {
    io().digest.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_hits_ptr() -> *mut u32 {
    io().hits.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_hits_cap() -> usize {
    HITS_CAP
}
#[no_mangle]
pub extern "C" fn es_data_ptr() -> *mut u8 {
    io().data.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn es_data_cap() -> usize {
    DATA_CAP
}

/// Starts a new message (arbitrary-length hashing).
#[no_mangle]
pub extern "C" fn es_sponge_reset() {
    *sponge() = Sponge::new();
}

/// Absorbs the first `len` bytes of `data`, which must be whole rate blocks (a partial
/// trailing block is ignored).
#[no_mangle]
pub extern "C" fn es_sponge_absorb(len: usize) {
    let len = len.min(DATA_CAP) / RATE_BYTES * RATE_BYTES;
    sponge().absorb_blocks(&io().data[..len]);
}

/// Absorbs the last `len` bytes of the message from `data`, pads, writes `digest`.
#[no_mangle]
pub extern "C" fn es_sponge_finish(len: usize) {
    let io = io();
    let sponge = core::mem::replace(sponge(), Sponge::new());
    io.digest = sponge.finish(&io.data[..len.min(DATA_CAP)]);
}

/// `midstate` = state after absorbing `data[0..32]` as pow_hash.
#[no_mangle]
pub extern "C" fn es_pow_midstate() {
    let io = io();
    let mut pow = [0u8; 32];
    pow.copy_from_slice(&io.data[..32]);
    io.midstate = pow_midstate(&pow);
}

/// `digest` = eaglesong(`data[0..48]`) = CKB PoW hash of pow_hash || nonce (2 permutations).
/// Leaves `midstate` untouched.
#[no_mangle]
pub extern "C" fn es_pow_hash() {
    let io = io();
    let mut pow = [0u8; 32];
    let mut nonce = [0u8; 16];
    pow.copy_from_slice(&io.data[..32]);
    nonce.copy_from_slice(&io.data[32..48]);
    io.digest = pow_hash_from_midstate(&pow_midstate(&pow), &nonce);
}

/// `digest` = PoW hash of (`midstate`'s job, `nonce`): one permutation (share check).
#[no_mangle]
pub extern "C" fn es_hash_nonce() {
    let io = io();
    io.digest = pow_hash_from_midstate(&io.midstate, &io.nonce);
}

/// Scalar miner search; see [`crate::search`]. Returns the number of hits in `hits`.
#[no_mangle]
pub extern "C" fn es_search_scalar(start: u32, count: u32) -> u32 {
    let io = io();
    crate::search(
        &io.midstate,
        &io.nonce,
        start,
        count,
        &io.target,
        &mut io.hits,
    ) as u32
}

/// Miner search used by `EaglesongJob.search`: the 4-lane SIMD kernel when the module is
/// built with simd128 (build.sh does), else the scalar loop. Same contract as
/// `es_search_scalar`.
#[no_mangle]
pub extern "C" fn es_search(start: u32, count: u32) -> u32 {
    let io = io();
    #[cfg(target_feature = "simd128")]
    let found = crate::simd::search(
        &io.midstate,
        &io.nonce,
        start,
        count,
        &io.target,
        &mut io.hits,
    );
    #[cfg(not(target_feature = "simd128"))]
    let found = crate::search(
        &io.midstate,
        &io.nonce,
        start,
        count,
        &io.target,
        &mut io.hits,
    );
    found as u32
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
