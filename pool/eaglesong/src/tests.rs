//! Native tests: the official vectors, an independent port of the RFC reference code
//! (loops over the bit-matrix table, three permutations for 32-byte output), CKB PoW
//! vectors, midstate and search consistency.

use super::*;
use crate::constants::INJECTION;

/// Spec table (RFC 0010 `eaglesong.c`): new[j] ^= BIT_MATRIX[k][j] * state[k].
#[rustfmt::skip]
const BIT_MATRIX: [[u32; 16]; 16] = [
    [1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1],
    [0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1],
    [0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1],
    [0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0],
    [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1],
    [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0],
    [1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1],
    [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1],
    [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1],
    [0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1],
    [1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0],
    [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0],
    [0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0],
    [1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1],
];
#[rustfmt::skip]
const COEFFICIENTS: [[u32; 3]; 16] = [
    [0, 2, 4], [0, 13, 22], [0, 4, 19], [0, 3, 14], [0, 27, 31], [0, 3, 8], [0, 17, 26], [0, 3, 12],
    [0, 18, 22], [0, 12, 18], [0, 4, 7], [0, 4, 31], [0, 12, 27], [0, 7, 17], [0, 7, 8], [0, 1, 13],
];

fn reference_permutation(state: &mut [u32; 16]) {
    for constants in INJECTION.iter() {
        let mut new = [0u32; 16];
        for j in 0..16 {
            for k in 0..16 {
                new[j] ^= BIT_MATRIX[k][j].wrapping_mul(state[k]);
            }
        }
        for j in 0..16 {
            let v = new[j];
            let [_, a, b] = COEFFICIENTS[j];
            state[j] = v ^ v.rotate_left(a) ^ v.rotate_left(b) ^ constants[j];
        }
        for j in (0..16).step_by(2) {
            state[j] = state[j].wrapping_add(state[j + 1]).rotate_left(8);
            state[j + 1] = state[j + 1].rotate_left(24);
            state[j + 1] = state[j].wrapping_add(state[j + 1]);
        }
    }
}

/// Line-by-line port of `EaglesongSponge` (rate 256, delimiter 0x06, output 32 bytes).
fn reference_eaglesong(input: &[u8]) -> [u8; 32] {
    let mut state = [0u32; 16];
    let blocks = ((input.len() + 1) * 8 + 255) / 256;
    for i in 0..blocks {
        for j in 0..8 {
            let mut integer = 0u32;
            for k in 0..4 {
                let at = i * 32 + j * 4 + k;
                if at < input.len() {
                    integer = (integer << 8) ^ input[at] as u32;
                } else if at == input.len() {
                    integer = (integer << 8) ^ 0x06;
                }
            }
            state[j] ^= integer;
        }
        reference_permutation(&mut state);
    }
    let mut out = [0u8; 32];
    for j in 0..8 {
        for k in 0..4 {
            out[j * 4 + k] = (state[j] >> (8 * k)) as u8;
        }
    }
    reference_permutation(&mut state); // the squeeze permutation the reference wastes
    out
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn arr<const N: usize>(s: &str) -> [u8; N] {
    hex(s).try_into().unwrap()
}

/// xorshift64*: deterministic pseudo-random bytes without dependencies.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn official_vectors() {
    let text = include_str!("../../src/eaglesong/vectors.txt");
    let mut input = None;
    let mut checked = 0;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("Input = ") {
            input = Some(hex(v.trim()));
        } else if let Some(v) = line.strip_prefix("Output = ") {
            let msg = input.take().expect("Output without Input");
            assert_eq!(
                eaglesong(&msg).to_vec(),
                hex(v.trim()),
                "input {:02x?}",
                msg
            );
            assert_eq!(reference_eaglesong(&msg).to_vec(), hex(v.trim()));
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
}

#[test]
fn rfc_and_crate_vectors() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"",
            "9e4452fc7aed93d7240b7b55263792befd1be09252b456401122ba71a56f62a0",
        ),
        (
            b"Hello, world!\n",
            "64867e2441d162615dc2430b6bcb4d3f4b95e4d0db529fca1eece73c077d72d6",
        ),
        (
            b"1111111111111111111111111111111111\n",
            "a50a3310f78cbaeadcffe2d46262119eeeda9d6568b4df1b636399742c867aca",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(eaglesong(input).to_vec(), hex(want));
    }
}

#[test]
fn matches_reference_for_all_lengths_and_random_inputs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for len in (0..=130).chain([255, 256, 257, 1000]) {
        for _ in 0..3 {
            let input = rng.bytes(len);
            assert_eq!(eaglesong(&input), reference_eaglesong(&input), "len {len}");
        }
    }
}

#[test]
fn streaming_equals_one_shot() {
    let mut rng = Rng(7);
    let input = rng.bytes(32 * 9 + 5);
    for split in [0, 32, 64, 32 * 9] {
        let mut sponge = Sponge::new();
        sponge.absorb_blocks(&input[..split]);
        assert_eq!(
            sponge.finish(&input[split..]),
            eaglesong(&input),
            "split {split}"
        );
    }
}

/// ckb.md §1.7: 48-byte CKB messages and real mainnet blocks (pow_hash, nonce LE, output).
#[rustfmt::skip]
const POW_VECTORS: [(&str, &str, &str); 9] = [
    ("44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e", "ffffffffffffffffffffffffffffffff",
     "db837556845149b9cc0c90e6f005bfe1863bbf69cba9526bef256f969c693933"),
    ("44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e", "00000000000000000000000000000000",
     "3e6f6bad2a301b144dec618c4e97d18bb1de05035c8db80ef236b16e5b0c8d1e"),
    ("0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000",
     "fb151fe6d11f609002c075bf5ef8f5e1e2b5961c7f1ac51777e12181c6ae8483"),
    ("bfb4ad81b21e569f3f29a5baf77241acf0da6e4c07dd36d458311b5d82f1bbdb", "00000000000000000000000000000000",
     "8e26117adfcf6aaef5da586f50923c4e68fcbc8fdbdbd845d435108cdca6a025"),
    ("4a27fabbcfb17319ca0dbffba2fd61669211eb72c09fa98b5deba48adf50eba6", "73958ab20000000000000030b49f7519",
     "0000000000001a29275a8740b896829a3d01dda52f9c89080b59bfeef284e3f5"),
    ("f5ef1543122f31e43969db37718a6b9a3c1958080f4eeabb2fe5ff22311d2934", "99324bbb0000000000000004379fe374",
     "000000000000228dd4f7f86f68b7defc13a73325806493fd88a03cae5ad6517c"),
    ("701f63f31cf6f40a4f68a570738b4516cd53f9a322607ea8b36932fca37c0472", "201303b3070000005da1a0966532ae83",
     "0000000000000008fab086f7d9c9e61eb449811e8375be1ced71abf813631e87"),
    ("2158e697879e405e38ef4b6483c602afd729b8b85cc0980af6c232619a9cb25a", "001a75c9040000000cd89ca2389382e2",
     "0000000000000005ab0bcf246ce71827a8eafad41d079218172416f6849822c5"),
    // #19804274: ckb.md gives only the output prefix; checked by prefix below.
    ("3b9780579b361eb14e0c7f445136a806bec09794b2d991097dc83ff1f43bfe41", "01004a2d08000000a40d2c3bc7ee56c7",
     "000000000000000fa00963ab"),
];

#[test]
fn ckb_pow_vectors() {
    for (pow, nonce, want) in POW_VECTORS {
        let (pow, nonce) = (arr::<32>(pow), arr::<16>(nonce));
        let digest = pow_hash(&pow, &nonce);
        assert!(digest.starts_with(&hex(want)), "pow_hash {:02x?}", pow);
        let mut message = pow.to_vec();
        message.extend_from_slice(&nonce);
        assert_eq!(eaglesong(&message), digest);
    }
}

#[test]
fn mainnet_blocks_meet_their_target() {
    // #4191, compact_target 0x1a2158d9 → target 0x2158d9 << 8*(0x1a-3).
    let mut target = [0u8; 32];
    target[32 - 0x1a..32 - 0x1a + 3].copy_from_slice(&[0x21, 0x58, 0xd9]);
    let (pow, nonce, _) = POW_VECTORS[4];
    let digest = pow_hash(&arr(pow), &arr(nonce));
    assert!(meets_target(&digest, &target));
    // The same hash against a target one below it fails; equality passes.
    assert!(meets_target(&digest, &digest));
    let mut below = digest;
    let last = below.iter().rposition(|&b| b != 0).unwrap();
    below[last] -= 1;
    assert!(!meets_target(&digest, &below));
}

#[test]
fn midstate_equals_full_hash() {
    let mut rng = Rng(42);
    for _ in 0..200 {
        let pow: [u8; 32] = rng.bytes(32).try_into().unwrap();
        let nonce: [u8; 16] = rng.bytes(16).try_into().unwrap();
        let mut message = pow.to_vec();
        message.extend_from_slice(&nonce);
        let want = reference_eaglesong(&message);
        assert_eq!(pow_hash_from_midstate(&pow_midstate(&pow), &nonce), want);
        assert_eq!(pow_hash(&pow, &nonce), want);
    }
}

fn nonce_with(base: &[u8; 16], n: u32) -> [u8; 16] {
    let mut nonce = *base;
    nonce[12..].copy_from_slice(&n.to_le_bytes());
    nonce
}

#[test]
fn search_returns_exactly_the_nonces_that_meet_the_target() {
    let mut rng = Rng(3);
    let pow: [u8; 32] = rng.bytes(32).try_into().unwrap();
    let base: [u8; 16] = rng.bytes(16).try_into().unwrap();
    let mid = pow_midstate(&pow);
    let start = 0xffff_f000u32;
    // Target such that about 1 in 16 hashes meets it, plus the edge of the u32 range.
    let mut target = [0xffu8; 32];
    target[0] = 0x0f;
    let mut hits = [0u32; 1024];
    let n = search(&mid, &base, start, u32::MAX, &target, &mut hits);
    let want: Vec<u32> = (start..=u32::MAX)
        .filter(|&i| meets_target(&pow_hash(&pow, &nonce_with(&base, i)), &target))
        .collect();
    assert!(want.len() > 100, "{} hits", want.len());
    assert_eq!(&hits[..n], &want[..]);
    // A full hits buffer stops the search at the last stored hit.
    let mut few = [0u32; 5];
    assert_eq!(search(&mid, &base, start, 4096, &target, &mut few), 5);
    assert_eq!(few, want[..5]);
}
