/**
 * UTF-8 helpers for STR0_255. Most SV2 strings are short ASCII (error codes, user
 * identities), so both directions take a byte loop for ASCII and fall back to
 * TextEncoder/TextDecoder otherwise.
 */

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: keep a leading U+FEFF so
// decode(encode(s)) === s.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Number of UTF-8 bytes `s` encodes to, or -1 if `s` holds a lone surrogate (which
 * has no UTF-8 form; TextEncoder would silently substitute U+FFFD).
 */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes `s` (of `byteLength` UTF-8 bytes, from utf8ByteLength) at `out[pos]`. */
export function writeUtf8(s: string, byteLength: number, out: Uint8Array, pos: number): void {
  if (byteLength === s.length) {
    for (let i = 0; i < byteLength; i++) out[pos + i] = s.charCodeAt(i);
  } else {
    encoder.encodeInto(s, out.subarray(pos, pos + byteLength));
  }
}

/** Decodes `bytes[start..end)`; returns undefined if they are not valid UTF-8. */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  try {
    return decoder.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}
