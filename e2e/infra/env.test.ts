import { describe, expect, it } from 'vitest';
import { InfraEnvError, helmPath, infraEnv, kafkaBrokers, kubeconfigPath, redisUrl } from './env.js';

const full = {
  EAGLEPOOL_REDIS_URL: 'redis://127.0.0.1:1234',
  EAGLEPOOL_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093,',
  EAGLEPOOL_KUBECONFIG: '/tmp/x/kubeconfig',
  EAGLEPOOL_HELM: '/cache/helm',
};

describe('infraEnv', () => {
  it('reads every variable and splits the broker list', () => {
    expect(infraEnv(full)).toEqual({
      redisUrl: 'redis://127.0.0.1:1234',
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      kubeconfig: '/tmp/x/kubeconfig',
      helm: '/cache/helm',
    });
  });

  it.each(Object.keys(full))('names %s when it is missing or blank', (name) => {
    expect(() => infraEnv({ ...full, [name]: undefined })).toThrow(InfraEnvError);
    expect(() => infraEnv({ ...full, [name]: '  ' })).toThrow(new RegExp(`^${name} is not set`));
  });
});

describe('per-dependency accessors', () => {
  it('read one variable each and ignore the others', () => {
    const onlyKafka = { EAGLEPOOL_KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(kafkaBrokers(onlyKafka)).toEqual(['127.0.0.1:9092']);
    expect(() => redisUrl(onlyKafka)).toThrow(/^EAGLEPOOL_REDIS_URL is not set/);
    expect(redisUrl(full)).toBe(full.EAGLEPOOL_REDIS_URL);
    expect(kubeconfigPath(full)).toBe(full.EAGLEPOOL_KUBECONFIG);
    expect(helmPath(full)).toBe(full.EAGLEPOOL_HELM);
  });
});
