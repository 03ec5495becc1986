/** The V1 dialects by name, and the choice by user agent for listeners in `auto` mode. */
import { DIALECT_NAMES, type Dialect, type DialectName } from '../dialect.js';
import { btcpool } from './btcpool.js';
import { goldshell } from './goldshell.js';
import { k7 } from './k7.js';
import { nerdminer } from './nerdminer.js';
import { viabtc } from './viabtc.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  btcpool,
  k7,
  goldshell,
  viabtc,
  nerdminer,
};

/**
 * User agents of each family (first match wins; anything else speaks btcpool). K7 / GodMiner
 * and "ckbminer" agents as ckb-interim-pool classifies them; Goldshell's intminer; NerdMiner_CKB
 * firmware (agent "NerdMinerCKB/<version>") its own; ckb-stratum-proxy (the agent it gives
 * ViaBTC) the ViaBTC shape.
 */
const AGENTS: readonly [RegExp, DialectName][] = [
  [/godminer|ckbminer/i, 'k7'],
  [/intminer|goldshell/i, 'goldshell'],
  [/nerdminer/i, 'nerdminer'],
  [/viabtc|ckb-stratum-proxy/i, 'viabtc'],
];

export function dialectForAgent(agent: string | undefined): Dialect {
  for (const [re, name] of AGENTS) if (agent !== undefined && re.test(agent)) return DIALECTS[name];
  return btcpool;
}

export function isDialectName(s: string): s is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(s);
}
