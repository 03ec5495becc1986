/**
 * `eaglepool pool audit BLOCK_HASH`: recomputes a found block's PPLNS allocation from the Kafka
 * share log and compares it with the ledger's entry. Exit 0 when they agree, 1 when they differ
 * or the block is not allocated, 2 on bad usage.
 */
import { createBus } from '../bus/create.js';
import { poolTopics } from '../bus/topics.js';
import { ShareIndex } from '../blocktracker/share-index.js';
import { ConfigError, loadConfig, requireDistributed } from '../config/index.js';
import { auditAllocation } from '../ledger/audit.js';
import { createLedgerStore } from '../ledger/create.js';
import { entryId } from '../ledger/ledger.js';
import { createLogger } from '../observability/logger.js';
import type { Command } from './command.js';

const QUIET_MS = 3000;

export const command: Command = {
  summary: 'Recompute a block allocation from the share log and compare it with the ledger',
  usage: [
    'Usage: eaglepool pool audit BLOCK_HASH [--config FILE] [--set key=value]...',
    '',
    'Reads the shares topic from the start, cuts the block window as the payouts service did',
    '(its recorded window size, fee address and rate) and compares user by user. Exit 0: equal.',
  ].join('\n'),
  options: { config: { type: 'string', short: 'c' }, set: { type: 'string', multiple: true } },
  async run(args) {
    const hash = args.positionals[0];
    if (!hash || !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
      console.error('eaglepool pool audit: give the block hash (0x + 64 hex)');
      return 2;
    }
    let config;
    try {
      config = loadConfig({
        file: args.values.config as string | undefined,
        sets: args.values.set as string[] | undefined,
      });
      requireDistributed(config, 'pool audit');
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`eaglepool pool audit: ${err.message}`);
      return 2;
    }
    const logger = createLogger('audit', { level: 'warn' });
    const ledger = await createLedgerStore(config);
    const bus = await createBus(config, logger);
    const shares = new ShareIndex(QUIET_MS);
    try {
      const b = await ledger.block(hash.toLowerCase());
      if (!b) {
        console.error(`block ${hash} is not tracked`);
        return 1;
      }
      if (!b.reward || !b.allocation) {
        console.log(JSON.stringify({ block: b.hash, state: b.state, allocated: false }));
        return 1;
      }
      await shares.follow(
        bus,
        poolTopics(config.kafka.topicPrefix).shares,
        `${config.kafka.topicPrefix}-audit`,
        logger,
      );
      // Read until the log has been quiet for QUIET_MS (the whole topic is consumed by then).
      let weights;
      while (!(weights = shares.window(b.shareId, b.allocation.windowWeight))) {
        if (shares.quietMs() >= QUIET_MS && !shares.has(b.shareId)) {
          console.error(`the block share ${b.shareId} is not in the share log (retention?)`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const result = auditAllocation(
        { ...b, reward: b.reward, allocation: b.allocation },
        weights,
        await ledger.entry(entryId('allocate', b.hash, b.generation)),
      );
      console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
      return result.match ? 0 : 1;
    } finally {
      await shares.stop();
      await bus.close();
      await ledger.close();
    }
  },
};
