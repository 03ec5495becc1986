/**
 * EventBus contract tests, run against the in-memory bus (unit project, memory.test.ts) and
 * Kafka (integration project, kafka.int.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusMessage, EventBus } from '../types.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Resolves when `check()` is true, polling; rejects after `ms`. */
export async function eventually(check: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function busContract(name: string, makeBus: () => Promise<EventBus>): void {
  describe(`EventBus contract: ${name}`, () => {
    const open: EventBus[] = [];
    const bus = async () => {
      const b = await makeBus();
      open.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });
    const topic = () => `contract-${randomUUID()}`;

    it('delivers published messages in order with their keys', async () => {
      const b = await bus();
      const t = topic();
      await b.ensureTopics([{ name: t, partitions: 1 }]);
      await b.ensureTopics([{ name: t, partitions: 1 }]); // idempotent
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => b.publish(t, [{ key: `k${i % 3}`, value: enc(`m${i}`) }])),
      );
      const got: BusMessage[] = [];
      const sub = await b.subscribe({
        topic: t,
        groupId: `g-${randomUUID()}`,
        fromBeginning: true,
        handler: async (batch) => void got.push(...batch),
      });
      await eventually(() => got.length >= 50);
      await sub.stop();
      expect(got.map((m) => dec(m.value))).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(got[4]!.key).toBe('k1');
      expect(got.every((m) => m.topic === t)).toBe(true);
    });

    it('redelivers a batch whose handler failed (at-least-once)', async () => {
      const b = await bus();
      const t = topic();
      await b.ensureTopics([{ name: t, partitions: 1 }]);
      await b.publish(t, [
        { key: 'a', value: enc('one') },
        { key: 'a', value: enc('two') },
      ]);
      const seen: string[] = [];
      let failures = 0;
      const sub = await b.subscribe({
        topic: t,
        groupId: `g-${randomUUID()}`,
        fromBeginning: true,
        handler: async (batch) => {
          seen.push(...batch.map((m) => dec(m.value)));
          if (failures++ === 0) throw new Error('transient failure');
        },
      });
      await eventually(
        () => failures >= 2 && seen.includes('two') && seen.filter((s) => s === 'one').length >= 2,
      );
      await sub.stop();
      expect(seen[0]).toBe('one');
    });

    it('resumes a group from its committed offset; a new group from the end when not fromBeginning', async () => {
      const b = await bus();
      const t = topic();
      const group = `g-${randomUUID()}`;
      await b.ensureTopics([{ name: t, partitions: 1 }]);
      await b.publish(t, [{ key: 'x', value: enc('first') }]);
      const first: string[] = [];
      let sub = await b.subscribe({
        topic: t,
        groupId: group,
        fromBeginning: true,
        handler: async (batch) => void first.push(...batch.map((m) => dec(m.value))),
      });
      await eventually(() => first.length === 1);
      await sub.stop();

      await b.publish(t, [{ key: 'x', value: enc('second') }]);
      const again: string[] = [];
      sub = await b.subscribe({
        topic: t,
        groupId: group,
        fromBeginning: true,
        handler: async (batch) => void again.push(...batch.map((m) => dec(m.value))),
      });
      await eventually(() => again.includes('second'));
      await sub.stop();
      expect(again).toEqual(['second']);

      const fresh: string[] = [];
      sub = await b.subscribe({
        topic: t,
        groupId: `g-${randomUUID()}`,
        fromBeginning: false,
        handler: async (batch) => void fresh.push(...batch.map((m) => dec(m.value))),
      });
      // Kafka assigns partitions asynchronously: keep publishing until the new group sees one.
      for (let i = 0; !fresh.includes('third'); i++) {
        await b.publish(t, [{ key: 'x', value: enc('third') }]);
        await new Promise((r) => setTimeout(r, i < 10 ? 50 : 500));
        if (i > 120) throw new Error('new group never received a new message');
      }
      await sub.stop();
      expect(fresh).not.toContain('first');
      expect(fresh).not.toContain('second');
    });

    it('a tail reader starts at the newest messages whatever its group committed, and commits nothing', async () => {
      const b = await bus();
      const t = topic();
      await b.ensureTopics([{ name: t, partitions: 1 }]);
      await b.publish(
        t,
        ['one', 'two', 'three'].map((v) => ({ key: 'x', value: enc(v) })),
      );
      const read = async (groupId: string, tail: number | undefined, count: number): Promise<string[]> => {
        const seen: string[] = [];
        const sub = await b.subscribe({
          topic: t,
          groupId,
          fromBeginning: true,
          tail,
          handler: async (batch) => void seen.push(...batch.map((m) => dec(m.value))),
        });
        await eventually(() => seen.length >= count);
        await sub.stop();
        return seen;
      };
      const consumed = `g-${randomUUID()}`;
      expect(await read(consumed, undefined, 3)).toEqual(['one', 'two', 'three']);
      // That group committed past 'three'; a tail reader of it still gets the newest message.
      expect(await read(consumed, 1, 1)).toEqual(['three']);
      expect(await read(consumed, 2, 2)).toEqual(['two', 'three']);
      // A tail reader commits nothing: its group afterwards starts from the beginning.
      const tailOnly = `g-${randomUUID()}`;
      expect(await read(tailOnly, 1, 1)).toEqual(['three']);
      expect(await read(tailOnly, undefined, 3)).toEqual(['one', 'two', 'three']);
    });
  });
}
