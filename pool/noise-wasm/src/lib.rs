//! The cryptography of Eaglepool's SV2 Noise handshake and transport, for WebAssembly: secp256k1
//! (ElligatorSwift encoding and decoding, x-only ECDH, k·G) from libsecp256k1 through the
//! `secp256k1` crate, and ChaCha20-Poly1305 from RustCrypto's `chacha20poly1305`. This crate only
//! moves bytes between JavaScript and those libraries: JS writes inputs into fixed buffers in
//! linear memory, calls one export and reads the result from the same buffer. Nothing allocates,
//! so the memory never grows and JS's views on it stay valid. Lengths from JS are checked, so no
//! call can index out of bounds or panic.
#![no_std]

mod aead;
mod secp;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
