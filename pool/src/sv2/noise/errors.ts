/** Why a Noise handshake or transport operation failed. */
export type NoiseErrorCode =
  | 'BAD_LENGTH' // a handshake act or encrypted frame of the wrong size
  | 'BAD_MAC' // AEAD authentication failed (tampered bytes or wrong keys)
  | 'BAD_KEY' // a public key that does not decode to a curve point / secret key out of range
  | 'BAD_STATE' // a method called out of order (e.g. act 2 read twice)
  | 'CERT_NOT_YET_VALID'
  | 'CERT_EXPIRED'
  | 'CERT_BAD_SIGNATURE'
  | 'FRAME_TOO_LARGE'
  | 'NONCE_EXHAUSTED'
  | 'KEY_ENCODING'; // base58check authority/secret key strings

/** The only error the Noise layer throws on bad input. */
export class NoiseError extends Error {
  override readonly name = 'NoiseError';
  constructor(
    readonly code: NoiseErrorCode,
    message: string,
  ) {
    super(message);
  }
}
