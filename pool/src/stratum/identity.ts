/**
 * Miner user names ("account.worker"), checked where a name enters the pool (channel open, the
 * per-share worker TLV) so nothing unprintable or unbounded reaches the share log, Redis and
 * the API. The account is who is credited and paid (a CKB address in production); the worker
 * is a free label. The rules (docs/stratum.md, "User names"):
 * - printable ASCII only (0x21–0x7e): no NUL, no spaces, no control or bidi characters;
 * - the account: 1–128 characters of [A-Za-z0-9_-] (a CKB address fits: bech32m is alphanumeric);
 * - the worker (after the first dot, optional): at most 64 characters.
 */

/** Longest account part (a CKB full address with long lock args is ~100–120 characters). */
export const MAX_ACCOUNT_CHARS = 128;
/** Longest worker part. */
export const MAX_WORKER_CHARS = 64;

const ACCOUNT = /^[A-Za-z0-9_-]+$/;
const PRINTABLE = /^[\x21-\x7e]*$/;

/** Why `identity` is not a valid user name, or undefined when it is. */
export function identityError(identity: string): string | undefined {
  if (identity.length === 0) return 'empty user name';
  if (!PRINTABLE.test(identity)) return 'user name must be printable ASCII without spaces';
  const dot = identity.indexOf('.');
  const account = dot < 0 ? identity : identity.slice(0, dot);
  const worker = dot < 0 ? '' : identity.slice(dot + 1);
  if (account.length === 0) return 'user name has no account before the dot';
  if (account.length > MAX_ACCOUNT_CHARS) return `account longer than ${MAX_ACCOUNT_CHARS} characters`;
  if (!ACCOUNT.test(account)) return 'account must be letters, digits, "_" or "-" (a CKB address)';
  if (worker.length > MAX_WORKER_CHARS) return `worker name longer than ${MAX_WORKER_CHARS} characters`;
  return undefined;
}
