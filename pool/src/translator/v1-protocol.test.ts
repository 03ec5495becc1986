import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetToBytesBE } from '../ckb/target.js';
import {
  LineDecoder,
  LineTooLongError,
  notifyLine,
  parseRequest,
  setTargetLine,
  subscribeResultLine,
} from './v1-protocol.js';

describe('LineDecoder', () => {
  it('splits lines across chunks, strips CR, skips empty lines', () => {
    const d = new LineDecoder(100);
    expect(d.push('{"a":1}\r\n{"b"')).toEqual(['{"a":1}']);
    expect(d.push(':2}\n\n')).toEqual(['{"b":2}']);
  });

  it('keeps multi-byte UTF-8 split between chunks intact', () => {
    const d = new LineDecoder(100);
    const bytes = Buffer.from('"é漢"\n');
    expect([...d.push(bytes.subarray(0, 2)), ...d.push(bytes.subarray(2))]).toEqual(['"é漢"']);
  });

  it('throws on a line over the cap, complete or not', () => {
    expect(() => new LineDecoder(10).push('x'.repeat(11))).toThrow(LineTooLongError);
    expect(() => new LineDecoder(10).push(`${'x'.repeat(11)}\n`)).toThrow(LineTooLongError);
    expect(new LineDecoder(10).push(`${'x'.repeat(10)}\n`)).toEqual(['x'.repeat(10)]);
  });

  it('returns the same lines however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z{}":,0-9]{1,30}$/), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const text = lines.map((l) => `${l}\n`).join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const d = new LineDecoder(64);
          const out: string[] = [];
          let at = 0;
          for (const p of [...points, text.length]) {
            out.push(...d.push(text.slice(at, p)));
            at = p;
          }
          expect(out).toEqual(lines);
        },
      ),
    );
  });
});

describe('parseRequest', () => {
  it('reads the submit of BTCPool / UUPool / K7 and the 5-field variant', () => {
    expect(
      parseRequest('{"id":102,"method":"mining.submit","params":["u.w","1611","000000000000000000114026"]}'),
    ).toEqual({
      method: 'mining.submit',
      id: 102,
      worker: 'u.w',
      jobId: '1611',
      extranonce2: '000000000000000000114026',
      fullNonce: undefined,
    });
    const five = parseRequest(
      `{"id":1,"method":"mining.submit","params":["u.w","a","0x${'1'.repeat(16)}","6925a0e0","${'2'.repeat(32)}"]}`,
    );
    expect(five).toMatchObject({ extranonce2: '1'.repeat(16), fullNonce: '2'.repeat(32) });
  });

  it('accepts suggest_difficulty as number or string, rejects nonsense', () => {
    expect(parseRequest('{"id":1,"method":"mining.suggest_difficulty","params":["512"]}')).toMatchObject({
      difficulty: 512,
    });
    expect(parseRequest('{"id":1,"method":"mining.suggest_difficulty","params":[-1]}')).toMatchObject({
      bad: true,
      code: 27,
    });
    expect(parseRequest('{"id":1,"method":"mining.suggest_target","params":["00ff"]}')).toMatchObject({
      bad: true,
      code: 27,
    });
    expect(parseRequest('{"id":{},"method":"mining.subscribe"}')).toMatchObject({
      method: 'mining.subscribe',
      id: null,
    });
  });
});

describe('builders', () => {
  it('write the exact V1 shapes', () => {
    expect(subscribeResultLine(1, '0100000900000000', 8)).toBe(
      '{"id":1,"result":[null,"0100000900000000",8],"error":null}\n',
    );
    const t = Buffer.from(targetToBytesBE(1n << 240n)).toString('hex');
    expect(setTargetLine(t)).toBe(
      `{"id":null,"method":"mining.set_target","params":["0001${'0'.repeat(60)}"]}\n`,
    );
    expect(JSON.parse(notifyLine('2a', 'aa'.repeat(32), 0, 'bb'.repeat(32), true))).toEqual({
      id: null,
      method: 'mining.notify',
      params: ['2a', 'aa'.repeat(32), 0, 'bb'.repeat(32), true],
    });
  });
});
