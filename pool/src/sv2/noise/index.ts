export * from './errors.js';
export * from './constants.js';
export type { Aead, AeadKey } from './aead.js';
export { nodeAead, nobleAead } from './aead.js';
export { wasmAead } from './wasm-aead.js';
export { CipherState } from './cipher-state.js';
export { SymmetricState, hkdf2, hmacSha256, sha256, INITIAL_CK } from './symmetric-state.js';
export type { EllswiftKeyPair, RandomSource } from './ellswift.js';
export {
  ellswiftEncode,
  ellswiftDecode,
  keyPairFromSecret,
  generateKeyPair,
  randomSecretKey,
  xOnlyEcdh,
  bip324Ecdh,
  responderEcdh,
} from './ellswift.js';
export type { Certificate } from './certificate.js';
export {
  encodeCertificate,
  decodeCertificate,
  certificateDigest,
  signCertificate,
  verifyCertificate,
} from './certificate.js';
export type { AuthorityKeys, ResponderKeys } from './keys.js';
export {
  encodeAuthorityPublicKey,
  decodeAuthorityPublicKey,
  encodeSecretKey,
  decodeSecretKey,
  authorityKeyBytes,
  parseAuthorityPublicKey,
  parseSecretKey,
  generateAuthorityKeys,
  generateResponderKeys,
  defaultRandom,
} from './keys.js';
export type { Clock, HandshakeOptions } from './handshake.js';
export {
  NoiseInitiator,
  NoiseResponder,
  PreparedResponderKeys,
  prepareResponderKeys,
  systemClock,
} from './handshake.js';
export type { DecryptedFrame } from './transport.js';
export { NoiseTransport, EncryptedFrameDecoder } from './transport.js';
export { EphemeralKeyPool } from './ephemeral-pool.js';
