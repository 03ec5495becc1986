/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered manifests dynamically */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../pool/src/config/load.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { readNoiseKeys } from '../../../pool/src/stratum/service.js';
import { decodeAuthorityPublicKey } from '../../../pool/src/sv2/noise/keys.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { samplePool } from '../../test/sample.js';
import {
  prunableChildren,
  possibleChildren,
  refKey,
  refOf,
  renderChildren,
  type K8sObject,
} from './index.js';
import { HASH_ANNOTATION } from './meta.js';
import { generateNoiseKeys, noiseSecret, sriAuthorityKey } from './noise.js';
import { ckbToml } from './stateful.js';
import { redisAuthSecret } from './redis-auth.js';
import { generateServiceToken, serviceTokenSecret } from './service-token.js';
import { kafkaSecurity, redisSecurity } from '../../../pool/src/config/connections.js';

const find = (objs: K8sObject[], kind: string, name: string): K8sObject & { spec: any; data?: any } => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(`no ${kind}/${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(' ')}`);
  return o as never;
};
const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const env = (dep: any, name: string) =>
  dep.spec.template.spec.containers[0].env.find((e: any) => e.name === name);

describe('renderChildren', () => {
  it('renders every managed child of a default pool, owned by the pool, in its namespace', () => {
    const pool = samplePool('p', 'ns');
    const objs = renderChildren(pool);
    expect(names(objs)).toEqual(
      [
        'ConfigMap/p-config',
        'ConfigMap/p-ckb-config',
        'Service/p-ckb',
        'StatefulSet/p-ckb',
        'NetworkPolicy/p-ckb',
        'Service/p-kafka',
        'StatefulSet/p-kafka',
        'NetworkPolicy/p-kafka',
        'Service/p-redis',
        'Service/p-redis-headless',
        'StatefulSet/p-redis',
        'NetworkPolicy/p-redis',
        'Service/p-jobmaker',
        'Deployment/p-jobmaker',
        'NetworkPolicy/p-jobmaker',
        'Service/p-blockmaker',
        'Deployment/p-blockmaker',
        'NetworkPolicy/p-blockmaker',
        'Service/p-shareprocessor',
        'Deployment/p-shareprocessor',
        'NetworkPolicy/p-shareprocessor',
        'Service/p-stratum',
        'Service/p-stratum-metrics',
        'Deployment/p-stratum',
        'PodDisruptionBudget/p-stratum',
        'NetworkPolicy/p-stratum',
      ].sort(),
    );
    for (const o of objs) {
      expect(o.metadata.namespace).toBe('ns');
      expect(o.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'mining.eaglepool.dev/v1alpha1',
          kind: 'MiningPool',
          name: 'p',
          uid: pool.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe('p');
      expect(o.metadata.annotations?.[HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('gives each pool service up to 5 minutes to start before liveness counts', () => {
    for (const o of renderChildren(samplePool('p', 'ns')).filter((o) => o.kind === 'Deployment')) {
      const c = (o as any).spec.template.spec.containers[0];
      expect(c.startupProbe, o.metadata.name).toMatchObject({
        httpGet: { path: '/healthz', port: 'metrics' },
      });
      expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(300);
      expect(c.livenessProbe.initialDelaySeconds).toBeUndefined();
    }
  });

  it('runs each pool service with its CLI subcommand, the config file and restricted security', () => {
    const objs = renderChildren(samplePool('p', 'ns'));
    const args = (n: string) => find(objs, 'Deployment', `p-${n}`).spec.template.spec.containers[0].args;
    expect(args('jobmaker')).toEqual(['pool', 'jobmaker']);
    expect(args('blockmaker')).toEqual(['pool', 'blockmaker']);
    expect(args('shareprocessor')).toEqual(['pool', 'shareprocessor']);
    expect(args('stratum')).toEqual(['pool', 'stratum']);
    const stratum = find(objs, 'Deployment', 'p-stratum');
    const c = stratum.spec.template.spec.containers[0];
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.runAsNonRoot).toBe(true);
    expect(env(stratum, 'EAGLEPOOL_CONFIG').value).toBe('/etc/eaglepool/config.json');
    expect(env(stratum, 'EAGLEPOOL_INSTANCE_ID').valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.name' },
    });
    expect(env(stratum, 'EAGLEPOOL_KAFKA_BROKERS')).toBeUndefined(); // managed: in the file
    expect(stratum.spec.template.spec.volumes).toContainEqual({
      name: 'noise',
      secret: { secretName: 'p-noise', defaultMode: 0o400 },
    });
  });

  it("writes a config file and env that the services' own config loader accepts", () => {
    const pool = samplePool('p', 'ns', {
      stratum: { port: 4000, ackWindowMs: 2000, vardiff: { minDifficulty: 64 } },
    });
    const objs = renderChildren(pool);
    const dir = mkdtempSync(join(tmpdir(), 'op-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, find(objs, 'ConfigMap', 'p-config').data['config.json']);
    for (const c of ['jobmaker', 'blockmaker', 'shareprocessor', 'stratum']) {
      const dep = find(objs, 'Deployment', `p-${c}`);
      const vars = Object.fromEntries(
        dep.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? 'from-kubernetes']),
      );
      const config = loadConfig({ file, env: { ...vars, EAGLEPOOL_CONFIG: file } });
      expect(config.ckb.rpcUrl).toBe('http://p-ckb.ns.svc:8114');
      expect(config.ckb.subscribeUrl).toBe('tcp://p-ckb.ns.svc:18114');
      expect(config.kafka.brokers).toEqual(['p-kafka-0.p-kafka.ns.svc:9092']);
      expect(config.kafka.topicPrefix).toBe('eaglepool.ns.p');
      expect(config.redis.url).toBe('redis://p-redis.ns.svc:6379');
      expect(config.services.jobmakerUrl).toBe('p-jobmaker.ns.svc:50051');
      expect(config.stratum.listen).toBe('0.0.0.0:4000');
      expect(config.stratum.healthPort).toBe(9090);
      expect(config.stratum.ackWindowMs).toBe(2000);
      expect(config.stratum.minDifficulty).toBe(64);
      expect(config.instanceId).toBe('from-kubernetes');
    }
  });

  it('the config loader accepts external Kafka/Redis given through Secret env vars', () => {
    const pool = samplePool('p', 'ns', {
      kafka: { external: { brokersSecretRef: { name: 'k' } } },
      redis: { external: { urlSecretRef: { name: 'r' } } },
    });
    const objs = renderChildren(pool);
    const dir = mkdtempSync(join(tmpdir(), 'op-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, find(objs, 'ConfigMap', 'p-config').data['config.json']);
    const config = loadConfig({
      file,
      env: { EAGLEPOOL_KAFKA_BROKERS: 'b1:9092,b2:9092', EAGLEPOOL_REDIS_URL: 'redis://r:6379/1' },
    });
    expect(config.kafka.brokers).toEqual(['b1:9092', 'b2:9092']);
    expect(config.redis.url).toBe('redis://r:6379/1');
  });

  it('external Kafka TLS + SASL and Redis TLS + ACL user: CA files mounted, credentials only from Secrets', () => {
    const pool = samplePool('p', 'ns', {
      kafka: {
        external: {
          brokersSecretRef: { name: 'k' },
          tls: { enabled: true, caSecretRef: { name: 'k-ca' } },
          authentication: {
            type: 'scram-sha-512',
            usernameSecretRef: { name: 'k-user' },
            passwordSecretRef: { name: 'k-user', key: 'pw' },
          },
        },
      },
      redis: {
        external: {
          urlSecretRef: { name: 'r' },
          tls: { enabled: true, caSecretRef: { name: 'r-ca', key: 'root.pem' } },
          auth: { usernameSecretRef: { name: 'r-user' }, passwordSecretRef: { name: 'r-user' } },
        },
      },
    });
    const objs = renderChildren(pool);
    const configText = find(objs, 'ConfigMap', 'p-config').data['config.json'] as string;
    expect(configText).not.toMatch(/password|username/i);
    const dir = mkdtempSync(join(tmpdir(), 'op-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, configText);
    for (const c of ['jobmaker', 'blockmaker', 'shareprocessor', 'stratum']) {
      const dep = find(objs, 'Deployment', `p-${c}`);
      const ref = (name: string) => env(dep, name)?.valueFrom?.secretKeyRef;
      expect(ref('EAGLEPOOL_KAFKA_SASL_USERNAME')).toEqual({ name: 'k-user', key: 'username' });
      expect(ref('EAGLEPOOL_KAFKA_SASL_PASSWORD')).toEqual({ name: 'k-user', key: 'pw' });
      expect(ref('EAGLEPOOL_REDIS_USERNAME')).toEqual({ name: 'r-user', key: 'username' });
      expect(ref('EAGLEPOOL_REDIS_PASSWORD')).toEqual({ name: 'r-user', key: 'password' });
      const podSpec = dep.spec.template.spec;
      expect(podSpec.volumes).toContainEqual({
        name: 'kafka-ca',
        secret: { secretName: 'k-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      });
      expect(podSpec.volumes).toContainEqual({
        name: 'redis-ca',
        secret: { secretName: 'r-ca', items: [{ key: 'root.pem', path: 'ca.crt' }] },
      });
      const config = loadConfig({
        file,
        env: {
          EAGLEPOOL_KAFKA_BROKERS: 'b1:9093',
          EAGLEPOOL_KAFKA_SASL_USERNAME: 'ku',
          EAGLEPOOL_KAFKA_SASL_PASSWORD: 'kp',
          EAGLEPOOL_REDIS_URL: 'redis://r:6380',
          EAGLEPOOL_REDIS_USERNAME: 'ru',
          EAGLEPOOL_REDIS_PASSWORD: 'rp',
        },
      });
      // The deepest mount holding the path (the CA mounts sit under the config mount).
      const mounted = (path: string) => {
        const m = podSpec.containers[0].volumeMounts
          .filter((v: any) => path.startsWith(`${v.mountPath}/`))
          .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
        return `pem of ${m.name}`;
      };
      expect(kafkaSecurity(config.kafka, mounted)).toEqual({
        ssl: { ca: 'pem of kafka-ca' },
        sasl: { mechanism: 'scram-sha-512', username: 'ku', password: 'kp' },
      });
      expect(redisSecurity(config.redis, mounted)).toEqual({
        username: 'ru',
        password: 'rp',
        tls: { ca: 'pem of redis-ca' },
      });
    }
  });

  it('translator Service options as stratum; stratum spread over nodes and zones; Redis governed by a headless Service; CKB startupProbe and migrate', () => {
    const pool = samplePool('p', 'ns', {
      translator: {
        enabled: true,
        service: {
          type: 'LoadBalancer',
          annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
          loadBalancerSourceRanges: ['203.0.113.0/24'],
          externalTrafficPolicy: 'Local',
        },
      },
    });
    const objs = renderChildren(pool);
    const tr = find(objs, 'Service', 'p-translator');
    expect(tr.spec).toMatchObject({
      type: 'LoadBalancer',
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      externalTrafficPolicy: 'Local',
    });
    expect(tr.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('nlb');
    expect(tr.spec.ports.map((p: any) => p.name)).toEqual(['sv1']);
    const spread = find(objs, 'Deployment', 'p-stratum').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 1, 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'],
    ]);
    const redis = find(objs, 'StatefulSet', 'p-redis');
    expect(redis.spec.serviceName).toBe('p-redis-headless');
    expect(find(objs, 'Service', 'p-redis-headless').spec.clusterIP).toBe('None');
    expect(find(objs, 'Service', 'p-redis').spec.type).toBe('ClusterIP');
    const ckb = find(objs, 'StatefulSet', 'p-ckb').spec.template.spec;
    expect(ckb.containers[0].startupProbe).toEqual({
      tcpSocket: { port: 'rpc' },
      periodSeconds: 10,
      failureThreshold: 360,
    });
    expect(ckb.containers[0].livenessProbe.initialDelaySeconds).toBeUndefined();
    expect(ckb.initContainers.map((c: any) => c.name)).toEqual(['init-devnet-spec', 'migrate']);
    expect(ckb.initContainers[1].args[0]).toContain('ckb migrate -C /var/lib/ckb --force');
    expect(ckb.securityContext.fsGroup).toBe(1000);
  });

  it('NetworkPolicies: each component admits only its flows (miners from anywhere, gRPC from stratum, probes from the operator)', () => {
    const pool = samplePool('p', 'ns', {
      translator: { enabled: true },
      monitoring: { scrapeNamespaces: ['monitoring'] },
    });
    const objs = renderChildren(pool);
    const rules = (name: string) =>
      find(objs, 'NetworkPolicy', name).spec.ingress.map((r: any) => ({
        from: r.from?.map((f: any) =>
          f.namespaceSelector
            ? `ns:${f.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? '*'}${f.podSelector ? `/${f.podSelector.matchLabels['app.kubernetes.io/name']}` : ''}`
            : (f.podSelector.matchLabels['app.kubernetes.io/component'] ?? 'pool'),
        ),
        ports: r.ports.map((p: any) => p.port),
      }));
    const scrape = { from: ['ns:monitoring'], ports: [9090] };
    expect(rules('p-ckb')).toEqual([
      { from: ['pool', 'ns:*/eaglepool-operator'], ports: [8114, 18114] },
      { from: undefined, ports: [8115] },
    ]);
    expect(rules('p-kafka')).toEqual([
      { from: ['pool'], ports: [9092] },
      { from: ['kafka'], ports: [9093] },
    ]);
    expect(rules('p-redis')).toEqual([{ from: ['pool'], ports: [6379] }]);
    expect(rules('p-jobmaker')).toEqual([
      { from: ['stratum'], ports: [50051] },
      { from: ['ns:*/eaglepool-operator', 'ns:monitoring'], ports: [9090] },
    ]);
    expect(rules('p-blockmaker')).toEqual([{ from: ['stratum'], ports: [50052] }, scrape]);
    expect(rules('p-shareprocessor')).toEqual([
      { from: ['pool', 'ns:*/eaglepool-operator'], ports: [8080] },
      scrape,
    ]);
    expect(rules('p-stratum')).toEqual([{ from: undefined, ports: [34254] }, scrape]);
    expect(rules('p-translator')).toEqual([{ from: undefined, ports: [3333] }, scrape]);
    for (const o of objs.filter((x) => x.kind === 'NetworkPolicy'))
      expect((o as any).spec.policyTypes).toEqual(['Ingress']);
  });

  it('a config change rolls only the services that read it', () => {
    const hashes = (objs: K8sObject[]) =>
      Object.fromEntries(
        objs
          .filter((o) => o.kind === 'Deployment')
          .map((o: any) => [
            o.metadata.name,
            o.spec.template.metadata.annotations['mining.eaglepool.dev/config-hash'],
          ]),
      );
    const base = hashes(renderChildren(samplePool('p', 'ns')));
    const stratumOnly = hashes(renderChildren(samplePool('p', 'ns', { stratum: { ackWindowMs: 1500 } })));
    expect(Object.keys(base).filter((n) => base[n] !== stratumOnly[n])).toEqual(['p-stratum']);
    const shared = hashes(
      renderChildren(samplePool('p', 'ns', { ckb: { external: { rpcUrl: 'http://n:8114' } } })),
    );
    expect(Object.keys(base).filter((n) => base[n] === shared[n])).toEqual([]);
  });

  it('default resources by network, Kafka heap and Redis maxmemory from the memory budget; the spec wins', () => {
    const res = (objs: K8sObject[], kind: string, name: string) =>
      find(objs, kind, name).spec.template.spec.containers[0];
    const dev = renderChildren(samplePool('p', 'ns'));
    expect(res(dev, 'Deployment', 'p-stratum').resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '512Mi' },
    });
    const main = renderChildren(samplePool('p', 'ns', { network: 'mainnet' }));
    expect(res(main, 'Deployment', 'p-stratum').resources.requests).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(res(main, 'StatefulSet', 'p-ckb').resources.limits).toEqual({ memory: '8Gi' });
    const kafkaEnv = res(main, 'StatefulSet', 'p-kafka').env.find((e: any) => e.name === 'KAFKA_HEAP_OPTS');
    expect(kafkaEnv.value).toBe('-Xms1024m -Xmx1024m'); // half of the 2Gi limit
    const redisArgs: string[] = res(main, 'StatefulSet', 'p-redis').args;
    expect(redisArgs.slice(redisArgs.indexOf('--maxmemory'))).toEqual([
      '--maxmemory',
      '768mb',
      '--maxmemory-policy',
      'noeviction',
    ]);
    const given = renderChildren(
      samplePool('p', 'ns', {
        network: 'mainnet',
        stratum: { resources: { requests: { cpu: '2' } } },
        redis: { managed: { resources: { limits: { memory: '4Gi' } } } },
      }),
    );
    expect(res(given, 'Deployment', 'p-stratum').resources).toEqual({ requests: { cpu: '2' } });
    const args: string[] = res(given, 'StatefulSet', 'p-redis').args;
    expect(args[args.indexOf('--maxmemory') + 1]).toBe('3072mb');
  });

  it('managed Redis requires the generated password: ACL file from the Secret, no protected-mode off', () => {
    const pool = samplePool('p', 'ns');
    const objs = renderChildren(pool);
    const redis = find(objs, 'StatefulSet', 'p-redis').spec.template.spec;
    const args: string[] = redis.containers[0].args;
    expect(args).not.toContain('--protected-mode');
    expect(args.slice(args.indexOf('--aclfile'), args.indexOf('--aclfile') + 2)).toEqual([
      '--aclfile',
      '/etc/redis/auth/users.acl',
    ]);
    expect(redis.volumes).toContainEqual({
      name: 'auth',
      secret: {
        secretName: 'p-redis-auth',
        items: [{ key: 'users.acl', path: 'users.acl' }],
        defaultMode: 0o440,
      },
    });
    expect(env({ spec: { template: { spec: redis } } }, 'REDISCLI_AUTH').valueFrom.secretKeyRef).toEqual({
      name: 'p-redis-auth',
      key: 'password',
    });
    for (const c of ['jobmaker', 'blockmaker', 'shareprocessor', 'stratum'])
      expect(
        env(find(objs, 'Deployment', `p-${c}`), 'EAGLEPOOL_REDIS_PASSWORD').valueFrom.secretKeyRef,
      ).toEqual({
        name: 'p-redis-auth',
        key: 'password',
      });
    const secret = redisAuthSecret(pool, 'pw');
    expect(secret.metadata.name).toBe('p-redis-auth');
    expect((secret.stringData as Record<string, string>)['users.acl']).toBe(
      `user default on #${createHash('sha256').update('pw').digest('hex')} ~* &* +@all\n`,
    );
  });

  it('follows spec.stratum: replicas, port, Service type and annotations', () => {
    const pool = samplePool('p', 'ns', {
      stratum: {
        replicas: 5,
        port: 4444,
        service: { type: 'NodePort', annotations: { 'lb.example/x': 'y' }, externalTrafficPolicy: 'Local' },
      },
    });
    const objs = renderChildren(pool);
    expect(find(objs, 'Deployment', 'p-stratum').spec.replicas).toBe(5);
    const svc = find(objs, 'Service', 'p-stratum');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.metadata.annotations?.['lb.example/x']).toBe('y');
    expect(svc.spec.ports).toEqual([{ name: 'sv2', port: 4444, targetPort: 'sv2', protocol: 'TCP' }]);
  });

  it('services.tokenFile: the generated token Secret mounted where gRPC is served or called', () => {
    const objs = renderChildren(samplePool('p', 'ns', { translator: { enabled: true } }));
    const config = JSON.parse(find(objs, 'ConfigMap', 'p-config').data['config.json']);
    expect(config.services.tokenFile).toBe('/etc/eaglepool/service-token/token');
    for (const c of ['jobmaker', 'blockmaker', 'stratum', 'shareprocessor', 'translator']) {
      const spec = find(objs, 'Deployment', `p-${c}`).spec.template.spec;
      const mounted = spec.containers[0].volumeMounts.some(
        (m: { mountPath: string }) => m.mountPath === '/etc/eaglepool/service-token',
      );
      expect(mounted, c).toBe(['jobmaker', 'blockmaker', 'stratum'].includes(c));
      if (mounted)
        expect(spec.volumes).toContainEqual({
          name: 'service-token',
          secret: { secretName: 'p-service-token', defaultMode: 0o400 },
        });
    }
    const secret = serviceTokenSecret(samplePool('p', 'ns'), generateServiceToken());
    expect(secret).toMatchObject({ kind: 'Secret', immutable: true, metadata: { name: 'p-service-token' } });
    expect((secret as unknown as { stringData: { token: string } }).stringData.token).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('stratum drain: preStop sleep of drainDelaySeconds, then the 45 s drain within the grace period; lenient probes', () => {
    const pod = (spec: Record<string, unknown>) =>
      find(renderChildren(samplePool('p', 'ns', spec)), 'Deployment', 'p-stratum').spec.template.spec;
    const byDefault = pod({});
    expect(byDefault.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    expect(byDefault.terminationGracePeriodSeconds).toBe(60);
    const slowLb = pod({ stratum: { drainDelaySeconds: 40 } });
    expect(slowLb.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 40 } } });
    expect(slowLb.terminationGracePeriodSeconds).toBe(85);
    const none = pod({ stratum: { drainDelaySeconds: 0 } });
    expect(none.containers[0].lifecycle).toBeUndefined();
    expect(none.terminationGracePeriodSeconds).toBe(45);
    // Only stratum drains; every HTTP probe waits 5 s for an answer, liveness restarts after a minute.
    const objs = renderChildren(samplePool('p', 'ns'));
    for (const c of ['jobmaker', 'blockmaker', 'shareprocessor', 'stratum']) {
      const container = find(objs, 'Deployment', `p-${c}`).spec.template.spec.containers[0];
      if (c !== 'stratum') expect(container.lifecycle, c).toBeUndefined();
      for (const probe of ['readinessProbe', 'startupProbe', 'livenessProbe'])
        expect(container[probe].timeoutSeconds, `${c} ${probe}`).toBe(5);
      expect(container.livenessProbe.periodSeconds * container.livenessProbe.failureThreshold).toBe(60);
    }
  });

  it('uses external CKB/Kafka/Redis instead of managed ones, secrets through secretKeyRef', () => {
    const pool = samplePool('p', 'ns', {
      ckb: { external: { rpcUrl: 'http://node.example:8114' } },
      kafka: { external: { brokersSecretRef: { name: 'kafka-conn' } } },
      redis: { external: { urlSecretRef: { name: 'redis-conn', key: 'uri' } } },
    });
    const objs = renderChildren(pool);
    expect(objs.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(objs.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toEqual([
      'p-jobmaker',
      'p-blockmaker',
      'p-shareprocessor',
      'p-stratum',
    ]);
    const jm = find(objs, 'Deployment', 'p-jobmaker');
    expect(JSON.parse(find(objs, 'ConfigMap', 'p-config').data['config.json']).ckb).toEqual({
      rpcUrl: 'http://node.example:8114',
    });
    expect(env(jm, 'EAGLEPOOL_KAFKA_BROKERS').valueFrom).toEqual({
      secretKeyRef: { name: 'kafka-conn', key: 'brokers' },
    });
    expect(env(jm, 'EAGLEPOOL_REDIS_URL').valueFrom).toEqual({
      secretKeyRef: { name: 'redis-conn', key: 'uri' },
    });
    expect(prunableChildren(pool, objs).map((r) => `${r.kind}/${r.name}`)).toContain('StatefulSet/p-ckb');
  });

  it('adds the HPA (targeting the MiningPool scale subresource), translator and ServiceMonitor on demand', () => {
    const pool = samplePool('p', 'ns', {
      stratum: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 7 } },
      translator: {
        enabled: true,
        replicas: 2,
        ports: [
          { name: 'k7', port: 3334, dialect: 'k7', difficulty: 65536 },
          { name: 'small', port: 3335, difficulty: 1024 },
        ],
      },
      monitoring: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } },
    });
    const objs = renderChildren(pool);
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'p-stratum');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'mining.eaglepool.dev/v1alpha1',
      kind: 'MiningPool',
      name: 'p',
    });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 7]);
    const tr = find(objs, 'Deployment', 'p-translator');
    expect(tr.spec.replicas).toBe(2);
    expect(tr.spec.template.spec.containers[0].args).toEqual([
      'translator',
      '--listen=0.0.0.0:3333',
      '--listen=0.0.0.0:3334,dialect=k7,difficulty=65536',
      '--listen=0.0.0.0:3335,difficulty=1024',
      '--upstream=p-stratum.ns.svc:34254',
      '--authority-key=$(EAGLEPOOL_AUTHORITY_PUBLIC_KEY)',
      '--user=p.translator',
      '--metrics-port=9090',
    ]);
    expect(
      find(objs, 'Service', 'p-translator').spec.ports.map((p: { name: string; port: number }) => [
        p.name,
        p.port,
      ]),
    ).toEqual([
      ['sv1', 3333],
      ['k7', 3334],
      ['small', 3335],
    ]);
    expect(find(objs, 'Service', 'p-translator').spec.type).toBe('ClusterIP');
    expect(find(objs, 'Service', 'p-translator-metrics').spec.ports).toEqual([
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    expect(env(tr, 'EAGLEPOOL_AUTHORITY_PUBLIC_KEY').valueFrom).toEqual({
      secretKeyRef: { name: 'p-noise', key: 'authority-public-key' },
    });
    expect(find(objs, 'ServiceMonitor', 'p').metadata.labels?.release).toBe('prom');
    expect(prunableChildren(pool, objs).map((r) => r.kind)).not.toContain('HorizontalPodAutoscaler');
  });

  it('prunes exactly the optional children a default pool does not want', () => {
    const pool = samplePool('p', 'ns');
    const pruned = prunableChildren(pool, renderChildren(pool)).map((r) => `${r.kind}/${r.name}`);
    expect(pruned.sort()).toEqual(
      [
        'Deployment/p-translator',
        'HorizontalPodAutoscaler/p-stratum',
        'NetworkPolicy/p-translator',
        'Service/p-translator',
        'Service/p-translator-metrics',
        'ServiceMonitor/p',
      ].sort(),
    );
    const all = new Set(possibleChildren(pool).map(refKey));
    for (const o of renderChildren(samplePool('p', 'ns', { translator: { enabled: true } })))
      expect(all.has(refKey(refOf(o)))).toBe(true);
  });

  it('is deterministic, and the hash moves only with the intent', () => {
    const a = renderChildren(samplePool('p', 'ns'));
    const b = renderChildren(samplePool('p', 'ns'));
    expect(b).toEqual(a);
    const c = renderChildren(samplePool('p', 'ns', { stratum: { replicas: 3 } }));
    const hash = (objs: K8sObject[], kind: string, name: string) =>
      find(objs, kind, name).metadata.annotations?.[HASH_ANNOTATION];
    expect(hash(c, 'Deployment', 'p-stratum')).not.toBe(hash(a, 'Deployment', 'p-stratum'));
    expect(hash(c, 'Deployment', 'p-jobmaker')).toBe(hash(a, 'Deployment', 'p-jobmaker'));
  });

  it('retains or deletes StatefulSet PVCs per spec.pvcRetentionPolicy', () => {
    const del = renderChildren(samplePool('p', 'ns', { pvcRetentionPolicy: 'Delete' }));
    expect(find(del, 'StatefulSet', 'p-ckb').spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
    const keep = renderChildren(samplePool('p', 'ns'));
    expect(find(keep, 'StatefulSet', 'p-redis').spec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe(
      'Retain',
    );
    expect(
      find(keep, 'StatefulSet', 'p-ckb').spec.volumeClaimTemplates[0].spec.resources.requests.storage,
    ).toBe('300Gi');
  });
});

describe('ckb.toml', () => {
  it('pays the block reward to spec.payout and serves RPC to the cluster', () => {
    const toml = ckbToml(
      samplePool('p', 'ns', {
        network: 'testnet',
        payout: { codeHash: `0x${'ab'.repeat(32)}`, hashType: 'data1', args: '0x1234' },
      }),
    );
    expect(toml).toContain(
      `[block_assembler]\ncode_hash = "0x${'ab'.repeat(32)}"\nargs = "0x1234"\nhash_type = "data1"\nmessage = "0x"`,
    );
    expect(toml).toContain('spec = { bundled = "specs/testnet.toml" }');
    expect(toml).toContain('listen_address = "0.0.0.0:8114"');
    expect(toml).toMatch(/modules = \[.*"Miner".*\]/);
  });
});

describe('noise keys', () => {
  it('generates valid distinct BIP340 key pairs into an immutable Secret the stratum service can read', () => {
    const keys = generateNoiseKeys();
    const sig = schnorr.sign(new Uint8Array(32), hexToBytes(keys.authoritySecretKey));
    expect(schnorr.verify(sig, new Uint8Array(32), hexToBytes(keys.authorityPublicKey))).toBe(true);
    expect(keys.authorityPublicKey).not.toBe(keys.staticPublicKey);
    expect(generateNoiseKeys().authoritySecretKey).not.toBe(keys.authoritySecretKey);
    const secret = noiseSecret(samplePool('p', 'ns'), keys) as any;
    expect(secret.immutable).toBe(true);
    // What the kubelet writes into the stratum pod's mount, read by the stratum service itself.
    const dir = mkdtempSync(join(tmpdir(), 'op-noise-'));
    for (const [file, value] of Object.entries(secret.stringData as Record<string, string>))
      writeFileSync(join(dir, file), value);
    const read = readNoiseKeys(dir);
    expect(read.staticSecretKey).toEqual(hexToBytes(keys.staticSecretKey));
    expect(read.authoritySecretKey).toEqual(hexToBytes(keys.authoritySecretKey));
    // Miners paste the SRI encoding shown in status.
    expect(decodeAuthorityPublicKey(sriAuthorityKey(keys.authorityPublicKey)!)).toEqual(
      hexToBytes(keys.authorityPublicKey),
    );
    expect(sriAuthorityKey('zz')).toBeUndefined();
  });
});
