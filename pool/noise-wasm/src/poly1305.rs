//! Poly1305 (RFC 8439 §2.5) with 26-bit limbs and 64-bit products (fast on wasm32, which has
//! 64-bit multiplies but no 128-bit ones). Only whole 16-byte blocks: the AEAD pads every part.

const MASK: u32 = 0x03ff_ffff;

pub struct Poly1305 {
    r: [u32; 5],
    s: [u32; 4],
    h: [u32; 5],
    pad: [u32; 4],
}

#[inline(always)]
fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

impl Poly1305 {
    pub fn new(key: &[u8; 32]) -> Self {
        let r = [
            le32(key, 0) & 0x03ff_ffff,
            (le32(key, 3) >> 2) & 0x03ff_ff03,
            (le32(key, 6) >> 4) & 0x03ff_c0ff,
            (le32(key, 9) >> 6) & 0x03f0_3fff,
            (le32(key, 12) >> 8) & 0x000f_ffff,
        ];
        Poly1305 {
            r,
            s: [r[1] * 5, r[2] * 5, r[3] * 5, r[4] * 5],
            h: [0; 5],
            pad: [le32(key, 16), le32(key, 20), le32(key, 24), le32(key, 28)],
        }
    }

    #[inline(always)]
    fn block(&mut self, m: &[u8]) {
        let [r0, r1, r2, r3, r4] = self.r.map(u64::from);
        let [s1, s2, s3, s4] = self.s.map(u64::from);
        let h0 = u64::from(self.h[0] + (le32(m, 0) & MASK));
        let h1 = u64::from(self.h[1] + ((le32(m, 3) >> 2) & MASK));
        let h2 = u64::from(self.h[2] + ((le32(m, 6) >> 4) & MASK));
        let h3 = u64::from(self.h[3] + ((le32(m, 9) >> 6) & MASK));
        let h4 = u64::from(self.h[4] + ((le32(m, 12) >> 8) | (1 << 24)));

        let d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
        let mut d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
        let mut d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
        let mut d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
        let mut d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

        let mut c = d0 >> 26;
        let mut n0 = (d0 as u32) & MASK;
        d1 += c;
        c = d1 >> 26;
        let mut n1 = (d1 as u32) & MASK;
        d2 += c;
        c = d2 >> 26;
        let n2 = (d2 as u32) & MASK;
        d3 += c;
        c = d3 >> 26;
        let n3 = (d3 as u32) & MASK;
        d4 += c;
        c = d4 >> 26;
        let n4 = (d4 as u32) & MASK;
        n0 += (c as u32) * 5;
        let c2 = n0 >> 26;
        n0 &= MASK;
        n1 += c2;
        self.h = [n0, n1, n2, n3, n4];
    }

    /// Absorbs `data` zero-padded to a multiple of 16 bytes.
    pub fn update_padded(&mut self, data: &[u8]) {
        let mut chunks = data.chunks_exact(16);
        for m in &mut chunks {
            self.block(m);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 16];
            last[..rest.len()].copy_from_slice(rest);
            self.block(&last);
        }
    }

    pub fn finish(self) -> [u8; 16] {
        let [mut h0, mut h1, mut h2, mut h3, mut h4] = self.h;
        let mut c = h1 >> 26;
        h1 &= MASK;
        h2 += c;
        c = h2 >> 26;
        h2 &= MASK;
        h3 += c;
        c = h3 >> 26;
        h3 &= MASK;
        h4 += c;
        c = h4 >> 26;
        h4 &= MASK;
        h0 += c * 5;
        c = h0 >> 26;
        h0 &= MASK;
        h1 += c;

        // g = h + 5 - 2^130; keep h if g is negative.
        let mut g0 = h0.wrapping_add(5);
        c = g0 >> 26;
        g0 &= MASK;
        let mut g1 = h1.wrapping_add(c);
        c = g1 >> 26;
        g1 &= MASK;
        let mut g2 = h2.wrapping_add(c);
        c = g2 >> 26;
        g2 &= MASK;
        let mut g3 = h3.wrapping_add(c);
        c = g3 >> 26;
        g3 &= MASK;
        let g4 = h4.wrapping_add(c).wrapping_sub(1 << 26);

        let select_g = (g4 >> 31).wrapping_sub(1); // all ones when g4 did not go negative
        let keep_h = !select_g;
        h0 = (h0 & keep_h) | (g0 & select_g);
        h1 = (h1 & keep_h) | (g1 & select_g);
        h2 = (h2 & keep_h) | (g2 & select_g);
        h3 = (h3 & keep_h) | (g3 & select_g);
        h4 = (h4 & keep_h) | (g4 & select_g);

        let w0 = h0 | (h1 << 26);
        let w1 = (h1 >> 6) | (h2 << 20);
        let w2 = (h2 >> 12) | (h3 << 14);
        let w3 = (h3 >> 18) | (h4 << 8);

        let mut out = [0u8; 16];
        let mut f = u64::from(w0) + u64::from(self.pad[0]);
        out[0..4].copy_from_slice(&(f as u32).to_le_bytes());
        f = u64::from(w1) + u64::from(self.pad[1]) + (f >> 32);
        out[4..8].copy_from_slice(&(f as u32).to_le_bytes());
        f = u64::from(w2) + u64::from(self.pad[2]) + (f >> 32);
        out[8..12].copy_from_slice(&(f as u32).to_le_bytes());
        f = u64::from(w3) + u64::from(self.pad[3]) + (f >> 32);
        out[12..16].copy_from_slice(&(f as u32).to_le_bytes());
        out
    }
}
