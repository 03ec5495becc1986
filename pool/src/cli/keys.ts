import { UsageError, type Command } from './command.js';
import {
  encodeAuthorityPublicKey,
  encodeCertificate,
  encodeSecretKey,
  generateAuthorityKeys,
  generateResponderKeys,
  parseSecretKey,
  NoiseError,
} from '../sv2/noise/index.js';
import { schnorr } from '@noble/curves/secp256k1.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const YEAR_S = 365 * 24 * 3600;

/** `eaglepool keys`: SV2 Noise authority key pair, pool static key and a signed certificate. */
export const command: Command = {
  summary: 'Generate SV2 Noise keys (authority, static key, certificate) in SRI encodings',
  usage: [
    'Usage: eaglepool keys [--authority-secret KEY] [--validity SECONDS] [--valid-from UNIX] [--json]',
    '',
    'Generates a Noise authority key pair (unless --authority-secret is given), a pool static key,',
    'and a certificate (SIGNATURE_NOISE_MESSAGE) in which the authority signs the static key.',
    'Keys are printed as SRI configs write them (base58check: authority public key with the',
    '[0x01, 0x00] version prefix, secret keys without) and as hex.',
    '',
    'Miners pin authority_public_key (SRI: authority_public_key / --pubkey-pool). The pool needs',
    'static_secret_key plus either the certificate (authority secret kept offline) or',
    'authority_secret_key (a fresh certificate per handshake, as SRI does).',
    '',
    'Options:',
    '  --authority-secret KEY  existing authority secret key (base58check or 64 hex digits)',
    '  --validity SECONDS      certificate lifetime (default one year)',
    '  --valid-from UNIX       certificate start (default now)',
    '  --json                  print one JSON object instead of TOML lines',
  ].join('\n'),
  options: {
    'authority-secret': { type: 'string' },
    validity: { type: 'string' },
    'valid-from': { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const int = (name: string, fallback: number) => {
      const v = values[name];
      if (v === undefined) return fallback;
      if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) > 0xffffffff)
        throw new UsageError(`--${name} must be a whole number of seconds`);
      return Number(v);
    };
    const validFrom = int('valid-from', Math.floor(Date.now() / 1000));
    const validity = int('validity', YEAR_S);
    if (validFrom + validity > 0xffffffff)
      throw new UsageError('certificate would end after 2106 (u32 seconds)');

    let authoritySecretKey: Uint8Array;
    const given = values['authority-secret'];
    if (typeof given === 'string') {
      try {
        authoritySecretKey = parseSecretKey(given);
      } catch (e) {
        if (e instanceof NoiseError) throw new UsageError(`--authority-secret: ${e.message}`);
        throw e;
      }
    } else {
      authoritySecretKey = generateAuthorityKeys().secretKey;
    }
    const authorityPublicKey = schnorr.getPublicKey(authoritySecretKey);
    const { staticSecretKey, certificate } = generateResponderKeys({
      authoritySecretKey,
      validFrom,
      validitySeconds: validity,
    });
    const out = {
      authority_public_key: encodeAuthorityPublicKey(authorityPublicKey),
      authority_secret_key: encodeSecretKey(authoritySecretKey),
      authority_public_key_hex: hex(authorityPublicKey),
      authority_secret_key_hex: hex(authoritySecretKey),
      static_secret_key: encodeSecretKey(staticSecretKey),
      static_secret_key_hex: hex(staticSecretKey),
      static_public_key_hex: hex(schnorr.getPublicKey(staticSecretKey)),
      certificate_hex: hex(encodeCertificate(certificate)),
      certificate_valid_from: certificate.validFrom,
      certificate_not_valid_after: certificate.notValidAfter,
    };
    if (values.json) {
      console.log(JSON.stringify(out, null, 2));
    } else {
      for (const [k, v] of Object.entries(out))
        console.log(`${k} = ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    }
    return 0;
  },
};
