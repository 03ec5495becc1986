import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers } from './env.js';

// kafkajs 2.2.4 against the harness's KRaft broker: topic admin, idempotent producer, consumer group.
describe('infra: Kafka', () => {
  const kafka = new Kafka({
    clientId: 'infra-smoke',
    brokers: kafkaBrokers(),
    logLevel: logLevel.WARN,
  });
  const suffix = `${process.pid}-${Date.now()}`;
  const topic = `infra-smoke-${suffix}`;
  const groupId = `infra-smoke-group-${suffix}`;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin.disconnect();
  });

  it('does not create topics implicitly', async () => {
    const { controller, brokers } = await admin.describeCluster();
    expect(brokers).toHaveLength(1);
    expect(controller).not.toBeNull();
    const configs = await admin.describeConfigs({
      resources: [
        {
          type: 4 /* BROKER */,
          name: String(brokers[0]!.nodeId),
          configNames: ['auto.create.topics.enable'],
        },
      ],
      includeSynonyms: false,
    });
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('false');
  });

  it('produces idempotently and consumes in a group with committed offsets', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
      true,
    );

    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `share-${i}` }));
    const acks = await producer.send({ topic, acks: -1, messages: sent });
    expect(acks.every((a) => a.errorCode === 0)).toBe(true);

    consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message.value!.toString());
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    expect(received.sort()).toEqual(sent.map((m) => m.value).sort());

    await consumer.stop(); // commits the consumed offsets
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(sent.length);
  });
});
