/** The V1 dialects by name, and the choice by user agent for listeners in `auto` mode. */
import { DIALECT_NAMES, type Dialect, type DialectName } from '../dialect.js';
import { btcpool } from './btcpool.js';
import { goldshell } from './goldshell.js';
import { k7 } from './k7.js';
import { viabtc } from './viabtc.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { btcpool, k7, goldshell, viabtc };

/**
 * User agents of each family (first match wins; anything else speaks btcpool). K7 / GodMiner
 * and "ckbminer" agents as ckb-interim-pool classifies them; Goldshell's intminer; NerdMiner_CKB
 * firmware and ckb-stratum-proxy (its upstream agent) speak the ViaBTC shape (docs/translator.md:
 * why NerdMiner_CKB shares still fail).
 */
const AGENTS: readonly [RegExp, DialectName][] = [
  [/godminer|ckbminer/i, 'k7'],
  [/intminer|goldshell/i, 'goldshell'],
  [/nerdminer|viabtc|ckb-stratum-proxy/i, 'viabtc'],
];

export function dialectForAgent(agent: string | undefined): Dialect {
  for (const [re, name] of AGENTS) if (agent !== undefined && re.test(agent)) return DIALECTS[name];
  return btcpool;
}

export function isDialectName(s: string): s is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(s);
}
