// A single-node Kafka broker in KRaft mode (combined broker+controller) from the cached Maven jars.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, waitUntilReady } from './process.js';
import type { ServiceGroup, ServiceProcess } from './process.js';

export interface KafkaInstance {
  brokers: string[];
  process: ServiceProcess;
}

// Small heap, serial GC and C1 only: a test broker on a shared 2-core machine starts faster
// and burns less CPU this way; throughput is not what these tests measure.
const JVM_OPTS = [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // Topics are created by the code under test (kafkajs admin), never implicitly.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    // One node: internal topics must fit on it, and groups should not wait for more members.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * Kafka cluster ids are 16 random bytes in unpadded base64url (what `kafka-storage random-uuid` prints).
 * Like Kafka's Uuid.randomUuid(), never one starting with '-': the storage tool would take it for an option.
 */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Broker answers Metadata, the group coordinator is up and an idempotent producer can initialise. */
async function brokerReady(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'eaglepool-infra-health',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return false;
    await admin.describeGroups(['eaglepool-infra-health']);
    // InitProducerId: the first idempotent producer of a run otherwise meets "coordinator is loading".
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    try {
      await producer.connect();
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafka(
  group: ServiceGroup,
  dir: string,
  java: string,
  libDir: string,
): Promise<KafkaInstance> {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const config = join(dir, 'server.properties');
  writeFileSync(config, serverProperties(dataDir, brokerPort, controllerPort));
  const classpath = join(libDir, '*');
  const logFile = join(dir, 'kafka.log');
  const logOpts = [
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
  ];

  await group.runStep(
    'kafka',
    'storage format',
    java,
    [
      ...JVM_OPTS,
      ...logOpts,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      config,
    ],
    logFile,
    60_000,
  );

  const brokers = [`127.0.0.1:${brokerPort}`];
  const proc = await group.spawn(
    'kafka',
    java,
    [...JVM_OPTS, ...logOpts, '-cp', classpath, 'kafka.Kafka', config],
    logFile,
  );
  await waitUntilReady(
    proc,
    `Metadata, group coordinator and InitProducerId on ${brokers[0]}`,
    () => brokerReady(brokers),
    90_000,
  );
  return { brokers, process: proc };
}
