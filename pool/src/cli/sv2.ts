import { UsageError, type Command } from './command.js';
import { decodeFrame, FrameDecoder, MAX_MSG_LENGTH, messageToJson, Sv2ProtocolError } from '../sv2/index.js';

/** Parses hex that may contain whitespace (as pasted from captures); throws UsageError otherwise. */
function parseHexStream(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new UsageError('input is not hex (an even number of hex digits, whitespace allowed)');
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** `eaglepool sv2 decode [HEX…]`: decodes plaintext SV2 frames into one JSON line each. */
export const decode: Command = {
  summary: 'Decode plaintext SV2 frames (hex) into JSON lines',
  usage: [
    'Usage: eaglepool sv2 decode [HEX...]',
    '',
    'Decodes a stream of plaintext SV2 frames (6-byte header + payload, concatenated) given as',
    'hex arguments, or read from stdin when there are none; whitespace is ignored. Prints one',
    'JSON line per frame: the header fields and the decoded message (byte fields as hex, U64 as',
    'a decimal string), "message": null for frames of unknown extension or msg_type, or "error"',
    'for a malformed payload. Exits 1 if a frame is malformed or the input ends inside a frame.',
  ].join('\n'),
  options: {},
  run: async ({ positionals }) => {
    const bytes = parseHexStream(positionals.length > 0 ? positionals.join('') : await readStdin());
    const decoder = new FrameDecoder({ maxPayload: MAX_MSG_LENGTH });
    let failed = false;
    try {
      decoder.feed(bytes, (frame) => {
        const header = {
          extensionType: frame.extensionType,
          msgType: frame.msgType,
          channelMsg: frame.channelMsg,
          length: frame.payload.length,
        };
        try {
          const msg = decodeFrame(frame);
          console.log(JSON.stringify({ ...header, message: msg === undefined ? null : messageToJson(msg) }));
        } catch (e) {
          if (!(e instanceof Sv2ProtocolError)) throw e;
          failed = true;
          console.log(JSON.stringify({ ...header, error: e.message }));
        }
      });
    } catch (e) {
      if (!(e instanceof Sv2ProtocolError)) throw e;
      console.error(`eaglepool sv2 decode: ${e.message}`);
      return 1;
    }
    if (decoder.bufferedBytes > 0) {
      console.error(
        `eaglepool sv2 decode: input ends inside a frame (${decoder.bufferedBytes} byte(s) left over)`,
      );
      return 1;
    }
    return failed ? 1 : 0;
  },
};
