import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { listenerSpec } from './translator.js';

describe('eaglepool translator --listen', () => {
  it('reads HOST:PORT[,dialect=NAME][,difficulty=D] as the operator renders it', () => {
    expect(listenerSpec('0.0.0.0:3334,dialect=k7,difficulty=65536', undefined)).toEqual({
      host: '0.0.0.0',
      port: 3334,
      dialect: 'k7',
      startDifficulty: 65536n,
    });
    expect(listenerSpec('127.0.0.1:3333', 'goldshell')).toEqual({
      host: '127.0.0.1',
      port: 3333,
      dialect: 'goldshell',
    });
    expect(listenerSpec('127.0.0.1:3333,dialect=auto', 'goldshell').dialect).toBeUndefined();
  });

  it('refuses unknown dialects, bad difficulties and unknown attributes with a usage error', () => {
    for (const bad of [
      '0.0.0.0:1,dialect=nerd',
      '0.0.0.0:1,difficulty=1',
      '0.0.0.0:1,difficulty=x',
      '0.0.0.0:1,tier=2',
    ])
      expect(() => listenerSpec(bad, undefined)).toThrow(UsageError);
  });
});
