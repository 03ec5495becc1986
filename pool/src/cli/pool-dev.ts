/** `eaglepool pool dev`: the whole pool in one process with embedded defaults and a demo miner. */
import { availableParallelism } from 'node:os';
import { UsageError, type Command } from './command.js';
import { createLogger, type LogLevel } from '../observability/index.js';
import { formatHashrate } from '../miner/format.js';
import type { MinerMode } from '../miner/sv2-miner.js';
import { MINER_DIALECTS, type MinerDialectName } from '../miner/v1-dialects.js';
import { startDevPool, type DevPool, type DevPoolStatus } from '../stratum/dev-pool.js';
import { startDevV1Path } from '../translator/dev.js';

/** Demo miner choices; `v1` speaks CKB Stratum V1 through an in-process translator. */
const MINERS = ['sv2-standard', 'sv2-extended', 'v1', 'none'] as const;

export const command: Command = {
  summary: 'Run the whole pool locally: CKB devnet, services, SV2 stratum and a demo miner',
  usage: `Usage: eaglepool pool dev [options]

Starts, in one process: an embedded CKB devnet (Eaglesong PoW), the job maker, block maker and
share processor on an in-memory bus and store, the SV2 stratum server (Noise) on 127.0.0.1, and
a demo CPU miner (Eaglesong WASM in worker threads) connected to it over SV2. Prints a status
line every second. Other miners can connect with the printed URL and authority key.

Options:
  --miner MODE             demo miner: sv2-standard (default), sv2-extended, v1 (through an
                           in-process SV1 translator) or none
  --dialect NAME           with --miner v1: the V1 family the demo miner speaks (${MINER_DIALECTS.join(', ')};
                           default btcpool); the translator picks it from the user agent
  --threads N              demo miner threads (default 1)
  --stratum-port PORT      stratum listen port on 127.0.0.1 (default 34255, 0 = any free port)
  --api-port PORT          port on 127.0.0.1 of the miners' dashboard, the HTTP API and /metrics
                           of every service (default 8080, 0 = any free port)
  --exit-after-blocks N    exit 0 once N blocks of the pool are on the node's main chain (side
                           blocks, which the node also answers with their hash, do not count)
  --timeout SECONDS        with --exit-after-blocks: give up (exit 1) after this long (default 120)
  --kafka BROKERS          use Kafka (host:port,...) instead of the in-memory bus
  --redis URL              use Redis (redis://host:port) instead of the in-memory store
  --ckb-rpc URL            use a CKB node's JSON-RPC instead of the embedded devnet
  --ckb-subscription URL   with --ckb-rpc: the node's TCP subscription (tcp://host:port, its
                           [rpc] tcp_listen_address) for new tips, or \`off\` to poll only;
                           default: the RPC port + 10000 when the node answers a subscribe there
  --block-time MS          devnet target block interval (default 10000)
  --payouts on|off         with the embedded devnet (default on): run the payouts service on a
                           fresh pool wallet the devnet pays; the demo miner mines under a
                           fresh testnet address (ckt1...), so blocks mature and are paid out
  --cellbase-maturity N    devnet cellbase maturity in epochs of 10 blocks (default 1)
  --exit-after-payouts N   exit 0 once N payout transactions are committed on the devnet
                           (each block's reward followed to maturity and paid; with --timeout,
                           default 600 s)
  --log-level LEVEL        JSON log level of the services (default warn)`,
  options: {
    miner: { type: 'string' },
    dialect: { type: 'string' },
    threads: { type: 'string' },
    'stratum-port': { type: 'string' },
    'api-port': { type: 'string' },
    'exit-after-blocks': { type: 'string' },
    timeout: { type: 'string' },
    kafka: { type: 'string' },
    redis: { type: 'string' },
    'ckb-rpc': { type: 'string' },
    'ckb-subscription': { type: 'string' },
    'block-time': { type: 'string' },
    payouts: { type: 'string' },
    'cellbase-maturity': { type: 'string' },
    'exit-after-payouts': { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run({ values }) {
    const minerChoice = (values.miner as string | undefined) ?? 'sv2-standard';
    if (!(MINERS as readonly string[]).includes(minerChoice)) {
      throw new UsageError(`--miner must be one of ${MINERS.join(', ')}`);
    }
    const dialect = (values.dialect as string | undefined) ?? 'btcpool';
    if (!(MINER_DIALECTS as readonly string[]).includes(dialect))
      throw new UsageError(`--dialect must be one of ${MINER_DIALECTS.join(', ')}`);
    if (values.dialect !== undefined && minerChoice !== 'v1')
      throw new UsageError('--dialect needs --miner v1');
    const threads = intOption(values.threads, 1, 1, availableParallelism(), '--threads');
    const stratumPort = intOption(values['stratum-port'], 34255, 0, 65535, '--stratum-port');
    const apiPort = intOption(values['api-port'], 8080, 0, 65535, '--api-port');
    const exitAfter =
      values['exit-after-blocks'] === undefined
        ? undefined
        : intOption(values['exit-after-blocks'], 1, 1, 1_000_000, '--exit-after-blocks');
    const exitAfterPayouts =
      values['exit-after-payouts'] === undefined
        ? undefined
        : intOption(values['exit-after-payouts'], 1, 1, 1_000_000, '--exit-after-payouts');
    if (exitAfter !== undefined && exitAfterPayouts !== undefined)
      throw new UsageError('--exit-after-blocks and --exit-after-payouts exclude each other');
    const payoutsFlag = (values.payouts as string | undefined) ?? (values['ckb-rpc'] ? 'off' : 'on');
    if (payoutsFlag !== 'on' && payoutsFlag !== 'off') throw new UsageError('--payouts must be on or off');
    if (payoutsFlag === 'on' && values['ckb-rpc'] !== undefined)
      throw new UsageError('--payouts on needs the embedded devnet (not --ckb-rpc)');
    if (exitAfterPayouts !== undefined && payoutsFlag === 'off')
      throw new UsageError('--exit-after-payouts needs --payouts on');
    const maturity = intOption(values['cellbase-maturity'], 1, 0, 1000, '--cellbase-maturity');
    const timeoutSec = intOption(
      values.timeout,
      exitAfterPayouts === undefined ? 120 : 600,
      1,
      86_400,
      '--timeout',
    );
    const blockTimeMs = intOption(values['block-time'], 10_000, 100, 600_000, '--block-time');
    const level = ((values['log-level'] as string | undefined) ?? 'warn') as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new UsageError('--log-level: debug|info|warn|error');
    const kafka = (values.kafka as string | undefined)
      ?.split(',')
      .map((b) => b.trim())
      .filter(Boolean);

    const subscription = values['ckb-subscription'] as string | undefined;
    if (subscription !== undefined && values['ckb-rpc'] === undefined)
      throw new UsageError('--ckb-subscription needs --ckb-rpc');
    if (subscription !== undefined && subscription !== 'off' && !subscription.startsWith('tcp://'))
      throw new UsageError('--ckb-subscription must be tcp://host:port or off');

    const started = Date.now();
    const tty = process.stdout.isTTY === true;
    let pool: DevPool;
    try {
      pool = await startDevPool({
        kafka,
        redis: values.redis as string | undefined,
        ckbRpc: values['ckb-rpc'] as string | undefined,
        ckbSubscription: subscription === 'off' ? false : subscription,
        miner: minerChoice === 'none' || minerChoice === 'v1' ? undefined : (minerChoice as MinerMode),
        minerThreads: threads,
        stratumPort,
        apiPort,
        blockTimeMs,
        payouts: payoutsFlag === 'on',
        cellbaseMaturityEpochs: maturity,
        logger: createLogger('pool-dev', { level }),
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
      console.error(
        `eaglepool pool dev: ${(err as Error).message}; choose another --stratum-port or --api-port (0 = any free port)`,
      );
      return 1;
    }
    const say = (line: string) => process.stdout.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    say(
      `pool dev: stratum+tcp://127.0.0.1:${pool.stratumPort} authority key ${pool.authorityPublicKey}` +
        (pool.devnet ? `, devnet ${pool.devnet.url}` : ''),
    );
    say(
      `pool dev: dashboard http://127.0.0.1:${pool.apiPort}/ (API /api/pool, /api/openapi.json; metrics /metrics)`,
    );
    const v1 =
      minerChoice === 'v1'
        ? await startDevV1Path({
            poolPort: pool.stratumPort,
            authorityPublicKey: pool.authorityPublicKey,
            ckbRpcUrl: pool.devnet?.url ?? (values['ckb-rpc'] as string | undefined),
            threads,
            dialect: dialect as MinerDialectName,
            user: pool.minerUser,
            logger: createLogger('translator', { level }),
          }).catch(async (err: unknown) => {
            await pool.stop();
            throw err;
          })
        : undefined;
    if (pool.wallet)
      say(
        `pool dev: payouts on, pool wallet ${pool.wallet.address} (GET /api/wallet); demo miner user ${pool.minerUser}`,
      );
    if (v1) say(`pool dev: V1 translator stratum+tcp://127.0.0.1:${v1.translator.port}`);
    if (pool.miner || v1)
      say(`pool dev: demo miner ${minerChoice}${v1 ? ` (${dialect} dialect)` : ''}, ${threads} thread(s)`);

    return await new Promise<number>((resolve) => {
      let done = false;
      const finish = async (code: number, reason?: string) => {
        if (done) return;
        done = true;
        clearInterval(ticker);
        clearTimeout(deadline);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (reason) (code === 0 ? say : (l: string) => process.stderr.write(`${l}\n`))(`pool dev: ${reason}`);
        await v1?.stop();
        await pool.stop();
        resolve(code);
      };
      pool.onBlockAccepted((hash, height, accepted) => {
        const s = ((Date.now() - started) / 1000).toFixed(1);
        say(`pool dev: block ${height} ${hash} on the main chain (${s} s after start)`);
        if (exitAfter !== undefined && accepted >= exitAfter)
          void finish(0, `${accepted} block(s) on the main chain in ${s} s`);
      });
      pool.onSideBlock((hash, height, reason) =>
        say(`pool dev: block ${height} ${hash} is a side block, not counted (${reason})`),
      );
      pool.onMinerClosed((reason) => void finish(1, `demo miner disconnected: ${reason}`));
      v1?.miner.onClose((reason) => void finish(1, `demo V1 miner disconnected: ${reason}`));
      const ticker = setInterval(() => {
        void pool.status().then((s) => {
          const line = statusLine(v1 ? { ...s, minerHashrate: v1.miner.hashrate } : s, Boolean(pool.wallet));
          if (!done) process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
          if (exitAfterPayouts !== undefined && s.payoutsCommitted >= exitAfterPayouts) {
            const sec = ((Date.now() - started) / 1000).toFixed(1);
            void finish(
              0,
              `${s.payoutsCommitted} payout transaction(s) committed on the devnet in ${sec} s ` +
                `(${s.blocksAccepted} blocks found, ${s.blocksMatured} matured)`,
            );
          }
        });
      }, 1000);
      const deadline =
        exitAfter === undefined && exitAfterPayouts === undefined
          ? undefined
          : setTimeout(
              () =>
                void finish(
                  1,
                  exitAfter !== undefined
                    ? `timeout: fewer than ${exitAfter} block(s) on the main chain within ${timeoutSec} s`
                    : `timeout: fewer than ${exitAfterPayouts} payout transaction(s) committed within ${timeoutSec} s`,
                ),
              timeoutSec * 1000,
            );
      const onSignal = () => void finish(0, 'stopping');
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  },
};

function statusLine(s: DevPoolStatus, payouts: boolean): string {
  return (
    `height ${s.height} | blocks ${s.blocksAccepted}` +
    (s.blocksSide > 0 ? ` (+${s.blocksSide} side)` : '') +
    (s.blocksNotAccepted > 0 ? ` (+${s.blocksNotAccepted} stale/rejected)` : '') +
    ` | pool ${formatHashrate(s.poolHashrate)} | miner ${formatHashrate(s.minerHashrate)}` +
    ` | shares ${s.sharesAccepted} accepted ${s.sharesRejected} rejected | miners ${s.miners}` +
    (payouts ? ` | matured ${s.blocksMatured} | payouts ${s.payoutsCommitted} committed` : '')
  );
}

function intOption(value: unknown, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer in [${min}, ${max}]`);
  return n;
}
