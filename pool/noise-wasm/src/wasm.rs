//! WebAssembly exports: JS writes the key, nonce, AD and message into fixed buffers, calls
//! `aead_seal` / `aead_open`, and reads the result from the same data buffer. Lengths from JS
//! are clamped to the buffers, so no call can index out of bounds or panic.

/// Largest message: one SV2 Noise chunk (65535 bytes including the MAC).
const DATA_CAP: usize = 65535 + 16;
const AD_CAP: usize = 64;

#[repr(C)]
struct Io {
    key: [u8; 32],
    nonce: [u8; 12],
    ad: [u8; AD_CAP],
    data: [u8; DATA_CAP],
}

static mut IO: Io = Io { key: [0; 32], nonce: [0; 12], ad: [0; AD_CAP], data: [0; DATA_CAP] };

#[inline(always)]
fn io() -> &'static mut Io {
    // SAFETY: a WebAssembly instance here is single-threaded and every export runs to
    // completion before JS touches the buffers again.
    unsafe { &mut *core::ptr::addr_of_mut!(IO) }
}

#[no_mangle]
pub extern "C" fn aead_key_ptr() -> *mut u8 {
    io().key.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn aead_nonce_ptr() -> *mut u8 {
    io().nonce.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn aead_ad_ptr() -> *mut u8 {
    io().ad.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn aead_ad_cap() -> usize {
    AD_CAP
}
#[no_mangle]
pub extern "C" fn aead_data_ptr() -> *mut u8 {
    io().data.as_mut_ptr()
}
#[no_mangle]
pub extern "C" fn aead_data_cap() -> usize {
    DATA_CAP
}

/// Encrypts `data[..pt_len]` in place and writes the tag after it. Returns the ciphertext length
/// (pt_len + 16), or 0 if the lengths do not fit.
#[no_mangle]
pub extern "C" fn aead_seal(pt_len: usize, ad_len: usize) -> usize {
    if pt_len > DATA_CAP - 16 || ad_len > AD_CAP {
        return 0;
    }
    let io = io();
    let tag = crate::seal(&io.key, &io.nonce, &io.ad[..ad_len], &mut io.data[..pt_len]);
    io.data[pt_len..pt_len + 16].copy_from_slice(&tag);
    pt_len + 16
}

/// Verifies and decrypts `data[..ct_len]` (ciphertext ‖ tag) in place. Returns 1 on success,
/// 0 on a bad tag or bad lengths.
#[no_mangle]
pub extern "C" fn aead_open(ct_len: usize, ad_len: usize) -> u32 {
    if !(16..=DATA_CAP).contains(&ct_len) || ad_len > AD_CAP {
        return 0;
    }
    let io = io();
    let pt_len = ct_len - 16;
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&io.data[pt_len..ct_len]);
    crate::open(&io.key, &io.nonce, &io.ad[..ad_len], &mut io.data[..pt_len], &tag) as u32
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
