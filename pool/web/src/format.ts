/** Display helpers of the dashboard (pure: unit-tested in format.test.ts). */

const UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];

export function hashrate(hs: number): string {
  let v = hs;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(2) : v < 100 && i > 0 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for 0. */
export function ago(unixMs: number, now: number): string {
  if (!unixMs) return 'never';
  const s = Math.max(0, Math.round((now - unixMs) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Shannons (decimal string) as CKB with up to 8 decimals, e.g. "1,234.5 CKB". */
export function ckb(shannons: string): string {
  const n = BigInt(shannons);
  const whole = n / 100_000_000n;
  const frac = (n % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  return `${whole.toLocaleString('en-US')}${frac ? `.${frac}` : ''} CKB`;
}

/** 0x1234…cdef */
export function shortHash(hash: string, keep = 6): string {
  return hash.length <= keep * 2 + 2 ? hash : `${hash.slice(0, keep + 2)}…${hash.slice(-keep)}`;
}

/** Compact count: 1234 → "1,234"; 1.2e6 → "1.2 M"; 3.4e9 → "3.4 G". */
export function count(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)} T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return Math.round(n).toLocaleString('en-US');
}
