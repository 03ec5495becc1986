use crate::{block, open, seal};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

const KEY: &str = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const NONCE: &str = "070000004041424344454647";
const AD: &str = "50515253c0c1c2c3c4c5c6c7";
const PT: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
const CT: &str = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
const TAG: &str = "1ae10b594f09e26a7e902ecbd0600691";

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into().unwrap()
}

#[test]
fn rfc8439_2_8_2_seal_and_open() {
    let (key, nonce) = (arr::<32>(&unhex(KEY)), arr::<12>(&unhex(NONCE)));
    let mut data = PT.to_vec();
    let tag = seal(&key, &nonce, &unhex(AD), &mut data);
    assert_eq!(data, unhex(CT));
    assert_eq!(tag.to_vec(), unhex(TAG));
    assert!(open(&key, &nonce, &unhex(AD), &mut data, &tag));
    assert_eq!(data, PT);
}

#[test]
fn rejects_tampering_and_leaves_data_untouched() {
    let (key, nonce) = (arr::<32>(&unhex(KEY)), arr::<12>(&unhex(NONCE)));
    let tag = arr::<16>(&unhex(TAG));
    for i in [0usize, 50, 113] {
        let mut data = unhex(CT);
        data[i] ^= 1;
        let before = data.clone();
        assert!(!open(&key, &nonce, &unhex(AD), &mut data, &tag));
        assert_eq!(data, before);
    }
    let mut data = unhex(CT);
    assert!(!open(&key, &nonce, b"", &mut data, &tag));
}

#[test]
fn keystream_block_is_counter_dependent_and_round_trips_every_length() {
    let key = [7u8; 32];
    let nonce = [1u8; 12];
    assert_ne!(block(&key, 0, &nonce), block(&key, 1, &nonce));
    for len in 0..300 {
        let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut data = msg.clone();
        let tag = seal(&key, &nonce, &[9u8; 33], &mut data);
        assert!(open(&key, &nonce, &[9u8; 33], &mut data, &tag));
        assert_eq!(data, msg);
    }
}
