//! ChaCha20-Poly1305 (RFC 8439) exports: key, nonce, AD and message in fixed buffers; one call
//! seals or opens a whole message in place.
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};

/// Largest message: one SV2 Noise chunk (65535 bytes including the MAC).
const DATA_CAP: usize = 65535 + 16;
const AD_CAP: usize = 64;
const MAC_LEN: usize = 16;

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
    if pt_len > DATA_CAP - MAC_LEN || ad_len > AD_CAP {
        return 0;
    }
    let io = io();
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&io.key));
    let (msg, rest) = io.data.split_at_mut(pt_len);
    match cipher.encrypt_in_place_detached(Nonce::from_slice(&io.nonce), &io.ad[..ad_len], msg) {
        Ok(tag) => {
            rest[..MAC_LEN].copy_from_slice(&tag);
            pt_len + MAC_LEN
        }
        Err(_) => 0,
    }
}

/// Verifies and decrypts `data[..ct_len]` (ciphertext ‖ tag) in place. Returns 1 on success,
/// 0 on a bad tag or bad lengths.
#[no_mangle]
pub extern "C" fn aead_open(ct_len: usize, ad_len: usize) -> u32 {
    if !(MAC_LEN..=DATA_CAP).contains(&ct_len) || ad_len > AD_CAP {
        return 0;
    }
    let io = io();
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&io.key));
    let (msg, tag) = io.data[..ct_len].split_at_mut(ct_len - MAC_LEN);
    let tag = Tag::clone_from_slice(tag);
    cipher.decrypt_in_place_detached(Nonce::from_slice(&io.nonce), &io.ad[..ad_len], msg, &tag).is_ok() as u32
}
