import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder, LineTooLongError, parseRequest } from './v1-wire.js';

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
  it('hands a submit its params as sent (the dialect reads them) and bounds their count', () => {
    const params = ['u.w', 'a', `0x${'1'.repeat(16)}`, '6925a0e0', '2'.repeat(32)];
    expect(parseRequest(JSON.stringify({ id: 1, method: 'mining.submit', params }))).toEqual({
      method: 'mining.submit',
      id: 1,
      params,
    });
    expect(parseRequest('{"id":2,"method":"mining.submit","params":["u.w","a"]}')).toMatchObject({
      code: 27,
    });
  });

  it('refuses a subscribe with nested params (no family sends one), keeps its session id', () => {
    expect(
      parseRequest('{"id":1,"method":"mining.subscribe","params":[["mining.notify","ab"],"x"]}'),
    ).toMatchObject({
      bad: true,
      code: 27,
    });
    expect(
      parseRequest('{"id":1,"method":"mining.subscribe","params":["intminer/1.0","0100000900000003"]}'),
    ).toMatchObject({
      agent: 'intminer/1.0',
      params: ['intminer/1.0', '0100000900000003'],
    });
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
