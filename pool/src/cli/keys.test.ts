import { describe, expect, it, vi } from 'vitest';
import { command } from './keys.js';
import { UsageError } from './command.js';
import {
  decodeCertificate,
  parseAuthorityPublicKey,
  parseSecretKey,
  verifyCertificate,
} from '../sv2/noise/index.js';

async function runJson(values: Record<string, string | boolean>): Promise<Record<string, string | number>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    expect(await command.run({ values: { ...values, json: true }, positionals: [] })).toBe(0);
    return JSON.parse(String(log.mock.calls[0]![0]));
  } finally {
    log.mockRestore();
  }
}

describe('eaglepool keys', () => {
  it('prints SRI-encoded keys and a certificate the authority key verifies', async () => {
    const out = await runJson({ 'valid-from': '1800000000', validity: '600' });
    const authority = parseAuthorityPublicKey(String(out.authority_public_key));
    expect(Buffer.from(authority).toString('hex')).toBe(out.authority_public_key_hex);
    expect(Buffer.from(parseSecretKey(String(out.static_secret_key))).toString('hex')).toBe(
      out.static_secret_key_hex,
    );
    const cert = decodeCertificate(Uint8Array.from(Buffer.from(String(out.certificate_hex), 'hex')));
    expect([cert.version, cert.validFrom, cert.notValidAfter]).toEqual([0, 1800000000, 1800000600]);
    const staticKey = Uint8Array.from(Buffer.from(String(out.static_public_key_hex), 'hex'));
    expect(() => verifyCertificate(cert, staticKey, authority, 1800000300)).not.toThrow();
    expect(() => verifyCertificate(cert, staticKey, authority, 1800000700)).toThrow(/expired/);
  });

  it('reuses a given authority secret (the SRI example key)', async () => {
    const out = await runJson({ 'authority-secret': 'mkDLTBBRxdBv998612qipDYoTK3YUrqLe8uWw7gu3iXbSrn2n' });
    expect(out.authority_public_key).toBe('9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72');
  });

  it('rejects bad options with a usage error', async () => {
    await expect(command.run({ values: { 'authority-secret': 'xyz' }, positionals: [] })).rejects.toThrow(
      UsageError,
    );
    await expect(command.run({ values: { validity: '-1' }, positionals: [] })).rejects.toThrow(UsageError);
    await expect(command.run({ values: {}, positionals: ['extra'] })).rejects.toThrow(UsageError);
  });
});
