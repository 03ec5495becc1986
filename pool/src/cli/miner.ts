/** `eaglepool miner`: the CPU miner (Eaglesong WASM in worker threads) over SV2 + Noise. */
import { availableParallelism } from 'node:os';
import { UsageError, type Command } from './command.js';
import { parseHostPort } from '../config/index.js';
import { Sv2Miner, type MinerMode } from '../miner/sv2-miner.js';
import { V1Miner } from '../miner/v1-client.js';
import { MINER_DIALECTS, type MinerDialectName } from '../miner/v1-dialects.js';
import { formatHashrate } from '../miner/format.js';

const MODES: readonly (MinerMode | 'v1')[] = ['sv2-standard', 'sv2-extended', 'v1'];

export const command: Command = {
  summary: 'CPU miner: Eaglesong in worker threads over SV2 (standard or extended channel)',
  usage: `Usage: eaglepool miner --url HOST:PORT --authority-key KEY --user NAME [options]

Connects to an Eaglepool (or any CKB SV2 pool) over Noise, opens one mining channel and
mines with Eaglesong WASM in worker threads. Prints one status line every --interval seconds.

Options:
  --url HOST:PORT        pool address (required)
  --authority-key KEY    pool authority public key, base58check as SRI writes it (required for SV2)
  --user NAME            user identity, "account.worker" (required)
  --threads N            hashing threads (default: CPU count - 1, at least 1)
  --mode MODE            sv2-standard (default), sv2-extended, or v1 (CKB Stratum V1, e.g. to
                         'eaglepool translator'; reconnects when the connection drops)
  --dialect NAME         with --mode v1: speak as this miner family does (${MINER_DIALECTS.join(', ')};
                         default btcpool; see docs/translator.md)
  --hashrate H           nominal hash rate to advertise in H/s (default 0: the pool starts low)
  --interval SECONDS     status line interval (default 5)`,
  options: {
    url: { type: 'string' },
    'authority-key': { type: 'string' },
    user: { type: 'string' },
    threads: { type: 'string' },
    mode: { type: 'string' },
    dialect: { type: 'string' },
    hashrate: { type: 'string' },
    interval: { type: 'string' },
  },
  async run({ values }) {
    const url = values.url as string | undefined;
    const key = values['authority-key'] as string | undefined;
    const user = values.user as string | undefined;
    const mode = (values.mode as string | undefined) ?? 'sv2-standard';
    if (!url || !user || (!key && mode !== 'v1'))
      throw new UsageError('--url, --authority-key (SV2 modes) and --user are required');
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseHostPort(url));
    } catch (err) {
      throw new UsageError(`--url: ${(err as Error).message}`);
    }
    if (!MODES.includes(mode as MinerMode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
    const dialect = (values.dialect as string | undefined) ?? 'btcpool';
    if (!(MINER_DIALECTS as readonly string[]).includes(dialect))
      throw new UsageError(`--dialect must be one of ${MINER_DIALECTS.join(', ')}`);
    if (values.dialect !== undefined && mode !== 'v1') throw new UsageError('--dialect needs --mode v1');
    const threads = positiveInt(values.threads, Math.max(1, availableParallelism() - 1), '--threads');
    const interval = positiveInt(values.interval, 5, '--interval');
    const nominal = values.hashrate === undefined ? 0 : Number(values.hashrate);
    if (!Number.isFinite(nominal) || nominal < 0) throw new UsageError('--hashrate must be a number >= 0');

    const miner =
      mode === 'v1'
        ? await V1Miner.start({
            host,
            port,
            user,
            threads,
            reconnect: true,
            dialect: dialect as MinerDialectName,
          })
        : await Sv2Miner.start({
            host,
            port,
            authorityPublicKey: key!,
            user,
            threads,
            mode: mode as MinerMode,
            nominalHashRate: nominal,
          });
    console.log(
      `miner: connected to ${host}:${port}${miner instanceof Sv2Miner ? `, channel ${miner.channelId}` : ''}, ${threads} thread(s), ${mode}${mode === 'v1' ? ` (${dialect})` : ''}`,
    );
    return await new Promise<number>((resolve) => {
      const timer = setInterval(() => {
        const s = miner.snapshot();
        console.log(
          `miner: ${formatHashrate(s.hashrate)} submitted ${s.submitted} accepted ${s.accepted} ` +
            `rejected ${s.rejected}${s.lastError ? ` (${s.lastError})` : ''} blocks ${s.blocks} jobs ${s.jobs}`,
        );
      }, interval * 1000);
      const finish = (code: number) => {
        clearInterval(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        void miner.stop().then(() => resolve(code));
      };
      const onSignal = () => finish(0);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      miner.onClose((reason) => {
        console.error(`miner: connection closed: ${reason}`);
        finish(1);
      });
    });
  },
};

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}
