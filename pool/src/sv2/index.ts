/**
 * Stratum V2 binary codec and framing: data types, every Common and Mining Protocol
 * message (plus Extensions Negotiation and the 0x0002 user_identity TLV), frame headers and a streaming frame decoder. Pure and I/O-free; Noise
 * encryption (./noise/) and sockets (./session.ts) sit on top. See docs/sv2-codec.md.
 */
export { Sv2ProtocolError } from './error.js';
export type * from './types.js';
export { Reader } from './reader.js';
export { Writer, sizeOf } from './writer.js';
export {
  MESSAGE_TYPES,
  EXTENSION_TYPES,
  CHANNEL_MSG,
  messageTypeName,
  messageSize,
  encodeMessage,
  writeMessage,
  decodeMessage,
} from './message.js';
export {
  FRAME_HEADER_SIZE,
  CHANNEL_MSG_BIT,
  MAX_MSG_LENGTH,
  DEFAULT_MAX_PAYLOAD,
  type Frame,
  type FrameHeader,
  writeFrameHeader,
  readFrameHeader,
  frameSize,
  writeFrame,
  encodeFrame,
  decodeFrame,
  FrameDecoder,
} from './frame.js';
export { messageToJson } from './inspect.js';
export { miningSetupConnection, type MiningSetupOptions } from './setup.js';
export {
  EXTENSION_TYPE_WORKER_HASHRATE_TRACKING,
  TLV_FIELD_TYPE_USER_IDENTITY,
  MAX_TLV_USER_IDENTITY_BYTES,
  EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY,
  MAX_TLV_LONG_USER_IDENTITY_BYTES,
  EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT,
  NONCE_LAYOUT_PREFIX_FIRST,
  NONCE_LAYOUT_PREFIX_LAST,
} from './tlv.js';
export {
  Sv2Protocol,
  SV2_PROTOCOL_VERSION,
  EXTENSION_TYPE_EXTENSIONS_NEGOTIATION,
  MiningSetupFlags,
  MiningSetupSuccessFlags,
  ErrorCodes,
  type ErrorCodeOf,
  type ErrorMessageType,
  type Sv2ErrorCode,
} from './constants.js';
