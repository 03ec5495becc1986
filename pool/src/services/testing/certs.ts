/**
 * A throwaway PKI for tests, made with openssl (an outside tool: integration tier only): a CA
 * and certificates it signs (EC P-256, one day), as the operator would mount them from Secrets.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  cert: string;
  key: string;
}

export interface TestPki {
  /** PEM file of the CA. */
  readonly ca: string;
  /** A certificate signed by this CA, for `name`, with subjectAltName `san` (default IP:127.0.0.1). */
  issue(name: string, san?: string): TestCertificate;
}

/** A new CA in `dir` named `name` (files `<name>-ca.pem`, `<name>-ca.key`). */
export function createTestPki(dir: string, name = 'services'): TestPki {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = (file: string) =>
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  const caKey = `${name}-ca.key`;
  const caPem = `${name}-ca.pem`;
  newKey(caKey);
  ssl('req', '-x509', '-new', '-key', caKey, '-days', '1', '-subj', `/CN=${name}-ca`, '-out', caPem);
  return {
    ca: join(dir, caPem),
    issue(cn, san = 'IP:127.0.0.1') {
      const base = `${name}-${cn}`;
      newKey(`${base}.key`);
      ssl('req', '-new', '-key', `${base}.key`, '-subj', `/CN=${cn}`, '-out', `${base}.csr`);
      writeFileSync(
        join(dir, `${base}.ext`),
        `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`,
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        caPem,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${base}.ext`,
        '-out',
        `${base}.pem`,
      );
      return { cert: join(dir, `${base}.pem`), key: join(dir, `${base}.key`) };
    },
  };
}
