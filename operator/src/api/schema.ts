/**
 * The MiningPool OpenAPI v3 schema: the single source of truth for field docs, defaults and
 * CEL validation. `crd.ts` wraps it into the CustomResourceDefinition committed under
 * `crds/`; `defaults.ts` applies the same defaults in-process.
 */

/** The subset of JSON-Schema-with-Kubernetes-extensions that this CRD uses. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  default?: unknown;
  enum?: readonly (string | number)[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'map' | 'set' | 'atomic';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string; reason?: string }[];
}

export const DEFAULT_POOL_IMAGE = 'ghcr.io/eaglepool/eaglepool:0.1.0';
/** Exact versions the tests run (e2e/infra/versions.env, the ckb tier, Debian's redis-server). */
export const DEFAULT_CKB_IMAGE = 'nervos/ckb:v0.210.0';
export const DEFAULT_KAFKA_IMAGE = 'apache/kafka:4.4.0';
export const DEFAULT_REDIS_IMAGE = 'redis:7.0.15-alpine';
/** Replica ids are one byte (pool/src/config/schema.ts stratum.maxReplicas): one limit, here. */
export const MAX_STRATUM_REPLICAS = 256;
/** The stratum port of the SV2 reference implementation. */
export const DEFAULT_STRATUM_PORT = 34254;

const str = (description: string, extra: Partial<Schema> = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});
const int = (description: string, extra: Partial<Schema> = {}): Schema => ({
  type: 'integer',
  description,
  ...extra,
});
const bool = (description: string, dflt: boolean): Schema => ({
  type: 'boolean',
  description,
  default: dflt,
});
const obj = (
  description: string,
  properties: Record<string, Schema>,
  extra: Partial<Schema> = {},
): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});
const stringMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

const quantity: Schema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  'x-kubernetes-int-or-string': true,
  pattern:
    '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
};

const resources = (what: string): Schema =>
  obj(`Compute resources of the ${what} container (core/v1 ResourceRequirements: requests and limits).`, {
    requests: {
      type: 'object',
      description: 'Minimum resources, e.g. cpu: 500m, memory: 256Mi.',
      additionalProperties: quantity,
    },
    limits: { type: 'object', description: 'Maximum resources.', additionalProperties: quantity },
  });

const storage = (what: string, size: string): Schema =>
  obj(
    `Persistent volume for the ${what} data.`,
    {
      size: str('Requested size of the volume (a Kubernetes quantity).', {
        default: size,
        pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi)?$',
      }),
      storageClassName: str('StorageClass of the volume; the cluster default class when omitted.'),
    },
    {
      default: {},
      'x-kubernetes-validations': [
        {
          rule: 'self == oldSelf',
          message: `${what} storage (size, storageClassName) cannot change after creation: the volumeClaimTemplates of a StatefulSet are immutable. To grow the volume, expand its PersistentVolumeClaim (data-<pool>-<component>-0) with kubectl where the StorageClass allows volume expansion`,
        },
      ],
    },
  );

const secretKeyRef = (description: string, defaultKey: string): Schema =>
  obj(
    description,
    {
      name: str('Name of a Secret in the MiningPool namespace.', { minLength: 1 }),
      key: str('Key inside the Secret.', { default: defaultKey, minLength: 1 }),
    },
    { required: ['name'] },
  );

const tlsClient = (what: string): Schema =>
  obj(`TLS to ${what}.`, {
    enabled: bool(`Connect to ${what} over TLS.`, false),
    caSecretRef: secretKeyRef(
      `Secret key holding the PEM CA bundle that signed the ${what} certificate; the system CAs when omitted.`,
      'ca.crt',
    ),
  });

const exclusive = (field: string) => ({
  rule: '!(has(self.external) && has(self.managed))',
  message: `${field}.external and ${field}.managed are mutually exclusive: use an external service or let the operator manage one`,
});

const ckb = obj(
  'The CKB full node the pool mines on: either managed by the operator (a StatefulSet) or an external node reached over JSON-RPC.',
  {
    external: obj(
      'Use an existing CKB node. Its [block_assembler] must pay to spec.payout and its RPC must enable the Miner module.',
      { rpcUrl: str('JSON-RPC URL of the node, e.g. http://ckb.example:8114.', { pattern: '^https?://.+' }) },
      { required: ['rpcUrl'] },
    ),
    managed: obj('Run a CKB node in the cluster (StatefulSet, one replica).', {
      image: str('CKB node image.', { default: DEFAULT_CKB_IMAGE }),
      storage: storage('chain', '300Gi'),
      resources: resources('CKB node'),
      bootnodes: {
        type: 'array',
        description: 'P2P bootnode multiaddrs; the operator uses the network defaults when omitted.',
        items: { type: 'string' },
      },
    }),
  },
  { default: { managed: {} }, 'x-kubernetes-validations': [exclusive('ckb')] },
);

const kafka = obj(
  'The Kafka share log: managed by the operator (single-node KRaft StatefulSet) or external.',
  {
    external: obj(
      'Use an existing Kafka cluster.',
      {
        brokersSecretRef: secretKeyRef(
          'Secret key holding the comma-separated bootstrap brokers (host:port,...).',
          'brokers',
        ),
        tls: tlsClient('the brokers'),
        authentication: obj(
          'SASL authentication (shape of Strimzi KafkaClientAuthentication; the user name comes from a Secret too, as it is an API key on Confluent Cloud).',
          {
            type: str('SASL mechanism.', { enum: ['plain', 'scram-sha-256', 'scram-sha-512'] }),
            usernameSecretRef: secretKeyRef('Secret key holding the SASL user name.', 'username'),
            passwordSecretRef: secretKeyRef('Secret key holding the SASL password.', 'password'),
          },
          { required: ['type', 'usernameSecretRef', 'passwordSecretRef'] },
        ),
      },
      { required: ['brokersSecretRef'] },
    ),
    managed: obj('Run a single-node KRaft Kafka in the cluster.', {
      image: str('Kafka image (apache/kafka layout).', { default: DEFAULT_KAFKA_IMAGE }),
      storage: storage('Kafka log', '20Gi'),
      resources: resources('Kafka'),
      partitions: int('Default partition count of the pool topics.', {
        default: 12,
        minimum: 1,
        maximum: 1000,
      }),
    }),
  },
  { default: { managed: {} }, 'x-kubernetes-validations': [exclusive('kafka')] },
);

const redis = obj(
  'The Redis store (statistics, duplicate-share guard, leases): managed by the operator or external.',
  {
    external: obj(
      'Use an existing Redis.',
      {
        urlSecretRef: secretKeyRef(
          'Secret key holding the Redis URL (redis://host:port/db, or rediss:// for TLS).',
          'url',
        ),
        tls: tlsClient('Redis'),
        auth: obj(
          'AUTH credentials: a password, and an ACL user (Redis 6+) when usernameSecretRef is given.',
          {
            usernameSecretRef: secretKeyRef('Secret key holding the ACL user name.', 'username'),
            passwordSecretRef: secretKeyRef('Secret key holding the password.', 'password'),
          },
          { required: ['passwordSecretRef'] },
        ),
      },
      { required: ['urlSecretRef'] },
    ),
    managed: obj('Run a single Redis (append-only file on a volume) in the cluster.', {
      image: str('Redis image.', { default: DEFAULT_REDIS_IMAGE }),
      storage: storage('Redis', '5Gi'),
      resources: resources('Redis'),
    }),
  },
  { default: { managed: {} }, 'x-kubernetes-validations': [exclusive('redis')] },
);

const serviceOptions = (description: string, defaultType: 'ClusterIP' | 'LoadBalancer'): Schema =>
  obj(
    description,
    {
      type: str('Service type.', {
        enum: ['ClusterIP', 'NodePort', 'LoadBalancer'],
        default: defaultType,
      }),
      annotations: stringMap('Annotations for the Service, e.g. cloud load balancer settings.'),
      loadBalancerSourceRanges: {
        type: 'array',
        description: 'CIDRs allowed to reach a LoadBalancer Service.',
        items: { type: 'string' },
      },
      externalTrafficPolicy: str('Cluster or Local (Local keeps miner source IPs).', {
        enum: ['Cluster', 'Local'],
      }),
    },
    { default: {} },
  );

const stratum = obj(
  'The horizontally scaled SV2 stratum servers miners connect to.',
  {
    replicas: int(
      'Number of stratum pods. Target of the scale subresource (kubectl scale, HPA). At most 256: one replica id (first extranonce byte) each. Owned by the HPA while autoscaling is enabled.',
      {
        default: 2,
        minimum: 0,
        maximum: MAX_STRATUM_REPLICAS,
      },
    ),
    port: int('TCP port of the SV2 (Noise) endpoint.', {
      default: DEFAULT_STRATUM_PORT,
      minimum: 1,
      maximum: 65535,
    }),
    service: serviceOptions('The Service SV2 miners connect to.', 'LoadBalancer'),
    autoscaling: obj(
      'CPU-based HorizontalPodAutoscaler targeting this MiningPool through its scale subresource.',
      {
        enabled: bool('Create the HPA.', false),
        minReplicas: int('Lower bound of replicas.', {
          default: 2,
          minimum: 1,
          maximum: MAX_STRATUM_REPLICAS,
        }),
        maxReplicas: int('Upper bound of replicas.', {
          default: 10,
          minimum: 1,
          maximum: MAX_STRATUM_REPLICAS,
        }),
        targetCPUUtilizationPercentage: int('Average CPU utilisation the HPA aims for.', {
          default: 70,
          minimum: 1,
          maximum: 100,
        }),
      },
      {
        // Spelled out: the API server checks a default against the CEL rules as written.
        default: { enabled: false, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
        'x-kubernetes-validations': [
          {
            rule: 'self.minReplicas <= self.maxReplicas',
            message: 'stratum.autoscaling.minReplicas must be less than or equal to maxReplicas',
          },
        ],
      },
    ),
    vardiff: obj(
      'Variable difficulty.',
      {
        targetShareIntervalSeconds: {
          type: 'number',
          description: 'Seconds between shares per channel that vardiff steers towards.',
          default: 10,
          minimum: 0.1,
          maximum: 3600,
        },
        minDifficulty: int('Lowest share difficulty vardiff assigns (expected hashes per share).', {
          default: 1024,
          minimum: 1,
          maximum: Number.MAX_SAFE_INTEGER,
        }),
      },
      { default: {} },
    ),
    drainDelaySeconds: int(
      'Seconds a stopping stratum pod keeps serving before it sends Reconnect to its miners (preStop), so ' +
        'kube-proxy and cloud load balancers (health checks of externalTrafficPolicy Local) stop routing new ' +
        'miners to it first. Raise it to the load balancer health check interval times its unhealthy threshold.',
      { default: 15, minimum: 0, maximum: 600 },
    ),
    ackWindowMs: int(
      'How long a partial SubmitShares.Success batch may wait for more shares (fewer bytes on the wire, ' +
        'later acknowledgements; about 2000 suits pools whose miners come through translators). 0: at the end of each read.',
      { default: 0, minimum: 0, maximum: 60_000 },
    ),
    resources: resources('stratum'),
  },
  {
    default: {},
    'x-kubernetes-validations': [
      {
        // has(): the rule is also checked against the default as written ({}).
        rule: '!has(self.autoscaling) || !self.autoscaling.enabled || (has(self.resources) && has(self.resources.requests) && has(self.resources.requests.cpu))',
        message:
          'stratum.autoscaling.enabled needs stratum.resources.requests.cpu: the HPA measures CPU utilisation against it',
      },
    ],
  },
);

const translator = obj(
  'The SV1 -> SV2 translator for legacy CKB Stratum V1 miners.',
  {
    enabled: bool('Deploy the translator.', false),
    replicas: int('Number of translator pods.', { default: 1, minimum: 0, maximum: 100 }),
    port: int('TCP port of the Stratum V1 endpoint (dialect chosen per miner from its user agent).', {
      default: 3333,
      minimum: 1,
      maximum: 65535,
    }),
    ports: {
      type: 'array',
      description:
        'More V1 ports, as pools publish one per miner family and per difficulty tier (docs/translator.md).',
      items: obj(
        'One V1 port.',
        {
          name: str('Service port name (lower case, at most 15 characters).', {
            pattern: '^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$',
          }),
          port: int('TCP port.', { minimum: 1, maximum: 65535 }),
          dialect: str('V1 dialect spoken on this port; auto: by user agent.', {
            enum: ['auto', 'btcpool', 'k7', 'goldshell', 'viabtc', 'nerdminer'],
            default: 'auto',
          }),
          difficulty: int(
            'Initial share difficulty of this port (2^256 / target); default: the pool channel.',
            {
              minimum: 2,
            },
          ),
        },
        { required: ['name', 'port'] },
      ),
    },
    service: serviceOptions(
      'The Service V1 miners connect to (the stratum Service options; ClusterIP unless set).',
      'ClusterIP',
    ),
    resources: resources('translator'),
  },
  { default: {} },
);

const payout = obj(
  'Lock script that receives the block rewards (ckb.toml [block_assembler]).',
  {
    codeHash: str('code_hash of the lock script (0x + 32 bytes hex).', { pattern: '^0x[0-9a-fA-F]{64}$' }),
    hashType: str('hash_type of the lock script.', {
      enum: ['type', 'data', 'data1', 'data2'],
      default: 'type',
    }),
    args: str('args of the lock script (0x + hex).', { pattern: '^0x([0-9a-fA-F]{2})*$' }),
    message: str('Message written into the cellbase witness (0x + hex).', {
      pattern: '^0x([0-9a-fA-F]{2})*$',
      default: '0x',
    }),
  },
  { required: ['codeHash', 'args'] },
);

export const specSchema: Schema = obj(
  'Desired state of a Stratum V2 mining pool for Nervos CKB.',
  {
    network: str('CKB network. Immutable.', {
      enum: ['mainnet', 'testnet', 'devnet'],
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'network is immutable' }],
    }),
    payout,
    ckb,
    kafka,
    redis,
    stratum,
    translator,
    images: obj(
      'Container images.',
      {
        pool: str(
          'The Eaglepool image used by every pool service (jobmaker, blockmaker, shareprocessor, stratum, translator).',
          {
            default: DEFAULT_POOL_IMAGE,
          },
        ),
        pullPolicy: str('imagePullPolicy of the pool containers.', {
          enum: ['Always', 'IfNotPresent', 'Never'],
          default: 'IfNotPresent',
        }),
      },
      { default: {} },
    ),
    resources: obj(
      'Compute resources of the pool services (stratum and translator have their own).',
      {
        jobmaker: resources('jobmaker'),
        blockmaker: resources('blockmaker'),
        shareprocessor: resources('shareprocessor'),
      },
      { default: {} },
    ),
    monitoring: obj(
      'Prometheus Operator integration.',
      {
        serviceMonitor: obj(
          'A monitoring.coreos.com/v1 ServiceMonitor scraping every pool service (needs the Prometheus Operator CRDs).',
          {
            enabled: bool('Create the ServiceMonitor.', false),
            interval: str('Scrape interval.', { default: '30s', pattern: '^[0-9]+(ms|s|m|h)$' }),
            labels: stringMap('Extra labels so a Prometheus selects the ServiceMonitor.'),
          },
          { default: {} },
        ),
        scrapeNamespaces: {
          type: 'array',
          description:
            'Namespaces whose pods may scrape the metrics port (the NetworkPolicies admit them); any namespace when empty.',
          items: { type: 'string' },
        },
      },
      { default: {} },
    ),
    pvcRetentionPolicy: str(
      'What happens to the persistent volumes (chain, Kafka, Redis) and the Noise key Secret when the MiningPool is deleted: Retain keeps them, Delete removes them.',
      { enum: ['Retain', 'Delete'], default: 'Retain' },
    ),
  },
  { required: ['network', 'payout'] },
);

const condition: Schema = obj(
  'metav1.Condition.',
  {
    type: str('Condition type in CamelCase.', {
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: int('metadata.generation the condition was computed from.', { minimum: 0 }),
    lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
    reason: str('Machine-readable CamelCase reason.', {
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: str('Human-readable details.', { maxLength: 32768 }),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

export const statusSchema: Schema = obj('Observed state, written by the operator.', {
  observedGeneration: int('metadata.generation the status was computed from.', { minimum: 0 }),
  conditions: {
    type: 'array',
    description:
      'Ready (pool serves miners), Progressing (children being created or rolled out), Degraded (something needs attention), NodeSynced (node out of initial block download and caught up, with progress), TemplateFresh, ShareLogWritable (Kafka), StoreReachable (Redis).',
    items: condition,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  },
  components: {
    type: 'array',
    description:
      'Each workload of the pool: ready replicas and, when it fails, why (reason, the pod, the message).',
    items: obj(
      'One component.',
      {
        name: str(
          'Component (ckb, kafka, redis, jobmaker, blockmaker, shareprocessor, stratum, translator).',
        ),
        ready: str('Ready and desired replicas, "ready/desired".'),
        reason: str(
          'Why it fails: CrashLoopBackOff, ImagePullBackOff, ErrImagePull, OOMKilled, Unschedulable, ProgressDeadlineExceeded, ...',
        ),
        object: str('The failing pod (pod/NAME) or workload.'),
        message: str('What the kubelet, scheduler or controller said.', { maxLength: 4096 }),
      },
      { required: ['name', 'ready'] },
    ),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  },
  stratum: obj('Stratum replicas as seen by the scale subresource.', {
    replicas: int('Current number of stratum pods (scale subresource status).', { minimum: 0 }),
    readyReplicas: int('Stratum pods ready to serve miners.', { minimum: 0 }),
    selector: str('Label selector of the stratum pods, serialized (scale subresource, HPA).'),
  }),
  endpoints: obj('Where things are reachable inside the cluster.', {
    stratum: str('host:port of the SV2 stratum Service inside the cluster.'),
    stratumExternal: str('host:port miners use from outside (load balancer ingress), once assigned.'),
    translator: str('host:port of the SV1 translator Service.'),
    ckbRpc: str('JSON-RPC URL of the CKB node in use.'),
  }),
  noiseAuthorityPublicKey: str('Hex x-only secp256k1 public key of the Noise authority; miners pin it.'),
  chain: obj('Chain observations.', {
    tipNumber: int("The node's tip block number.", { minimum: 0 }),
    bestKnownNumber: int('The best block number the node knows from its peers (sync_state).', { minimum: 0 }),
    syncProgress: str('tipNumber / bestKnownNumber, e.g. "13.3%" during initial block download.'),
  }),
  hashrate: str('Pool hashrate estimate (human readable).'),
});
