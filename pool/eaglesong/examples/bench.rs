//! Native benchmark of the same code the WASM module runs; prints one JSON line.
//! Run by pool/bench/eaglesong.bench.ts: `cargo run --release --example bench`.
use std::hint::black_box;

/// CPU time of this thread in nanoseconds (Linux `/proc/thread-self/schedstat`), so that
/// other processes on a shared machine do not inflate the figures.
fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    stat.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .expect("schedstat format")
}

/// Best CPU nanoseconds per call of `f` over 7 rounds of about `ms` CPU milliseconds each.
fn ns_per_call(ms: u64, mut f: impl FnMut(u32)) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let start = thread_cpu_ns();
        let mut calls = 0u64;
        let mut i = 0u32;
        while thread_cpu_ns() - start < ms * 1_000_000 {
            for _ in 0..1000 {
                f(i);
                i = i.wrapping_add(1);
            }
            calls += 1000;
        }
        best = best.min((thread_cpu_ns() - start) as f64 / calls as f64);
    }
    best
}

fn main() {
    let ms = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let pow = [0x5au8; 32];
    let mut nonce = [0u8; 16];
    let mid = eaglesong::pow_midstate(&pow);
    let midstate_ns = ns_per_call(ms, |i| {
        nonce[0..4].copy_from_slice(&i.to_le_bytes());
        black_box(eaglesong::pow_hash_from_midstate(black_box(&mid), &nonce));
    });
    let full_ns = ns_per_call(ms, |i| {
        nonce[0..4].copy_from_slice(&i.to_le_bytes());
        black_box(eaglesong::pow_hash(black_box(&pow), &nonce));
    });
    let target = [0u8; 32];
    let mut hits = [0u32; 16];
    let search_ns = ns_per_call(ms, |i| {
        black_box(eaglesong::search(
            &mid,
            &nonce,
            i.wrapping_mul(64),
            64,
            black_box(&target),
            &mut hits,
        ));
    }) / 64.0;
    println!(
        r#"{{"midstate_ns":{midstate_ns:.1},"full_ns":{full_ns:.1},"search_ns":{search_ns:.1}}}"#
    );
}
