/**
 * The one error type of the SV2 codec. Decoding (data types, messages, frame headers,
 * the streaming FrameDecoder) throws nothing else, whatever the input bytes; encoding
 * throws it for values the wire format cannot carry (a U32 out of range, a 33-byte
 * B0_32, a string longer than 255 UTF-8 bytes, …).
 */
export class Sv2ProtocolError extends Error {
  /**
   * What was being read or written when it failed: `Message.fieldName` for message
   * fields (camelCase, as in the TypeScript message types, e.g. `SubmitSharesStandard.jobId`),
   * `frame.msgLength` / `frame.msgType` for frame headers, `msgType` for unknown ids.
   */
  readonly field: string;

  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'Sv2ProtocolError';
    this.field = field;
  }
}
