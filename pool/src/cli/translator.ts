/** `eaglepool translator`: CKB Stratum V1 miners → one SV2 (Noise) connection to the pool. */
import { parseHostPort } from '../config/index.js';
import { createLogger, serviceRegistry, startHealthServer, type LogLevel } from '../observability/index.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { parseAuthorityPublicKey } from '../sv2/noise/index.js';
import {
  DIALECT_NAMES,
  Translator,
  isDialectName,
  rpcHeightLookup,
  type DialectName,
  type ListenerOptions,
} from '../translator/index.js';
import { UsageError, type Command } from './command.js';

export const command: Command = {
  summary: 'SV1 → SV2 translator: CKB Stratum V1 miners (ASICs) onto an SV2 pool over Noise',
  usage: `Usage: eaglepool translator --upstream HOST:PORT --authority-key KEY --user NAME [options]

Listens for CKB Stratum V1 miners and carries their shares to an SV2 pool over one Noise
connection whose certificate is checked against KEY. Each connection is spoken to in its
family's dialect (${DIALECT_NAMES.join(', ')}), chosen from the subscribe's user agent unless
its port names one; pools publish a port per family and per difficulty tier.
Miners share extended channels: each gets extranonce1 = channel prefix || its own slice and
rolls an 8-byte extranonce2. Each forwarded share names its worker (the authorized name in
mining.submit) in an SV2 user_identity TLV (extension 0x0002), so the pool's per-worker stats
are right on the shared channel. Names over 32 bytes (a CKB address + worker) do not fit a TLV:
miners that authorize first or accept mining.set_extranonce get a channel of their own worker
name; others are credited to --user.
Upstream loss: reconnect with backoff; such miners get a new extranonce1 and a clean job, the
others are disconnected so they resubscribe.

Options:
  --listen SPEC          V1 port, repeatable: HOST:PORT[,dialect=NAME][,difficulty=D]
                         (default 0.0.0.0:3333; dialect default auto, difficulty default
                         --difficulty)
  --dialect NAME         dialect of the ports that name none (default auto: by user agent)
  --upstream HOST:PORT   SV2 pool address (required)
  --authority-key KEY    pool authority public key: base58check as SRI writes it, or 64 hex
                         digits (required)
  --user NAME            user identity of the shared channel, "account.worker" (required)
  --difficulty D         initial share difficulty per miner (default: the pool channel's)
  --hashrate H           nominal hash rate advertised per upstream channel, H/s (default 0)
  --no-worker-channels   no upstream channel per worker name (names the pool cannot get from
                         a user_identity TLV are then credited to --user)
  --no-worker-tlv        do not negotiate SV2 extension 0x0002 (worker names in a TLV per share)
  --max-channels N       upstream channels at most (default 1024)
  --max-connections-per-ip N   open V1 connections per source address (default 4096)
  --authorize-timeout S  close connections that have not authorized after S seconds (default 30)
  --ckb-rpc URL          a CKB node's JSON-RPC, to put real block heights in mining.notify
                         (SV2 jobs carry none; without it heights count up from 0)
  --metrics-port PORT    serve /metrics, /healthz, /readyz on this port
  --log-level LEVEL      debug|info|warn|error (default info)`,
  options: {
    listen: { type: 'string', multiple: true },
    dialect: { type: 'string' },
    'max-connections-per-ip': { type: 'string' },
    'authorize-timeout': { type: 'string' },
    upstream: { type: 'string' },
    'authority-key': { type: 'string' },
    user: { type: 'string' },
    difficulty: { type: 'string' },
    hashrate: { type: 'string' },
    'no-worker-channels': { type: 'boolean' },
    'no-worker-tlv': { type: 'boolean' },
    'max-channels': { type: 'string' },
    'ckb-rpc': { type: 'string' },
    'metrics-port': { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run({ values }) {
    const key = values['authority-key'] as string | undefined;
    const user = values.user as string | undefined;
    if (!values.upstream || !key || !user)
      throw new UsageError('--upstream, --authority-key and --user are required');
    let authorityPublicKey: Uint8Array;
    try {
      authorityPublicKey = parseAuthorityPublicKey(key);
    } catch (err) {
      throw new UsageError(`--authority-key: ${(err as Error).message}`);
    }
    const fallback = values.dialect as string | undefined;
    if (fallback !== undefined && fallback !== 'auto' && !isDialectName(fallback))
      throw new UsageError(`--dialect must be auto or one of ${DIALECT_NAMES.join(', ')}`);
    const specs = (values.listen as string[] | undefined) ?? ['0.0.0.0:3333'];
    const listeners = specs.map((spec) => listenerSpec(spec, fallback === 'auto' ? undefined : fallback));
    const upstream = hostPort(values.upstream, '--upstream');
    const level = ((values['log-level'] as string | undefined) ?? 'info') as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new UsageError('--log-level: debug|info|warn|error');
    let difficulty: bigint | undefined;
    if (values.difficulty !== undefined) {
      try {
        difficulty = BigInt(values.difficulty as string);
      } catch {
        throw new UsageError('--difficulty must be an integer');
      }
      if (difficulty < 2n || difficulty >= 1n << 255n)
        throw new UsageError('--difficulty must be in [2, 2^255)');
    }
    const hashrate = values.hashrate === undefined ? 0 : Number(values.hashrate);
    if (!Number.isFinite(hashrate) || hashrate < 0) throw new UsageError('--hashrate must be a number >= 0');
    const maxChannels = values['max-channels'] === undefined ? 1024 : Number(values['max-channels']);
    if (!Number.isInteger(maxChannels) || maxChannels < 1)
      throw new UsageError('--max-channels must be >= 1');

    const perIp = intOption(values['max-connections-per-ip'], 4096, '--max-connections-per-ip');
    const authorizeSec = intOption(values['authorize-timeout'], 30, '--authorize-timeout');
    const logger = createLogger('translator', { level });
    const rpcUrl = values['ckb-rpc'] as string | undefined;
    const rpc = rpcUrl ? new CkbRpcClient({ url: rpcUrl }) : undefined;
    const registry = serviceRegistry();
    const [first, ...more] = listeners;
    const translator = await Translator.start({
      ...first!,
      listeners: more,
      maxConnectionsPerIp: perIp,
      authorizeTimeoutMs: authorizeSec * 1000,
      upstream: { ...upstream, authorityPublicKey },
      user,
      perWorkerChannels: values['no-worker-channels'] !== true,
      workerIdentityTlv: values['no-worker-tlv'] !== true,
      startDifficulty: first!.startDifficulty ?? difficulty,
      nominalHashRate: hashrate,
      maxChannels,
      heightLookup: rpc ? rpcHeightLookup(rpc) : undefined,
      logger,
      registry,
    });
    const health =
      values['metrics-port'] === undefined
        ? undefined
        : await startHealthServer({
            port: hostPort(`0.0.0.0:${values['metrics-port'] as string}`, '--metrics-port').port,
            registries: [registry],
            ready: () =>
              translator.upstream.connected
                ? { ready: true }
                : { ready: false, reason: 'upstream not connected' },
          });
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info('stopping', { signal });
    await translator.stop();
    await health?.stop();
    rpc?.close();
    return 0;
  },
};

function hostPort(value: unknown, name: string): { host: string; port: number } {
  try {
    return parseHostPort(String(value));
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}`);
  }
}

/** HOST:PORT[,dialect=NAME][,difficulty=D] */
export function listenerSpec(spec: string, dialect: DialectName | undefined): ListenerOptions {
  const [addr, ...attrs] = spec.split(',');
  const l: ListenerOptions = { ...hostPort(addr, '--listen'), dialect };
  for (const attr of attrs) {
    const [k, v] = attr.split('=', 2);
    if (k === 'dialect' && v !== undefined && (v === 'auto' || isDialectName(v)))
      l.dialect = v === 'auto' ? undefined : v;
    else if (
      k === 'difficulty' &&
      v !== undefined &&
      /^[0-9]+$/.test(v) &&
      BigInt(v) >= 2n &&
      BigInt(v) < 1n << 255n
    )
      l.startDifficulty = BigInt(v);
    else
      throw new UsageError(
        `--listen ${spec}: expected HOST:PORT[,dialect=auto|${DIALECT_NAMES.join('|')}][,difficulty=INTEGER >= 2]`,
      );
  }
  return l;
}

function intOption(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}
