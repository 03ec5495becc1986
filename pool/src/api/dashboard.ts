/**
 * What the share processor's HTTP API serves besides its JSON routes: the miners' web dashboard
 * (the Vite build of pool/web, loaded into memory at start: `/`, `/miner/ADDRESS`, `/assets/*`),
 * `/api/info`, `/api/pool/hashrate`, the live event stream `/api/events` and `/api/openapi.json`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { LedgerStore } from '../ledger/store.js';
import type { PoolStore } from '../store/types.js';
import { LiveFeed, toJson } from './live.js';
import { openApiDocument } from './openapi.js';

export interface DashboardOptions {
  store: PoolStore;
  /** The payouts ledger: the blocks of the live feed carry their lifecycle from it. */
  ledger?: LedgerStore;
  config: PoolConfig;
  logger: Logger;
  /** Live feed sampling interval (default 2000 ms). */
  liveIntervalMs?: number;
  /** Directory of the built dashboard (default: dist/web next to the compiled code). */
  webDir?: string;
}

export interface Dashboard {
  /** Answers the request and returns true if it is one of the dashboard's routes. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Overrides the configured stratum URLs and authority key (`pool dev` knows them only later). */
  setConnectInfo(info: { stratumUrls: string[]; authorityPublicKey: string }): void;
  close(): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/**
 * dist/web: from dist/pool/src/api (compiled) it is ../../../web; from pool/src/api (tsx, tests)
 * it is ../../../dist/web.
 */
export function defaultWebDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '../../../web'), join(here, '../../../dist/web')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

interface Asset {
  type: string;
  body: Buffer;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (TYPES[extname(entry.name)])
        assets.set(path, { type: TYPES[extname(entry.name)]!, body: readFileSync(join(dir, path)) });
    }
  };
  walk('');
  return assets;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': cache }).end(body);
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const { config, store } = opts;
  const windowSec = config.shareprocessor.hashrateWindowSec;
  const enabled = config.dashboard.enabled;
  const assets = enabled ? loadAssets(opts.webDir ?? defaultWebDir()) : new Map<string, Asset>();
  if (enabled && assets.size === 0)
    opts.logger.warn('dashboard not built (run npm run build): serving the JSON API only', {
      webDir: opts.webDir ?? defaultWebDir(),
    });
  const live = new LiveFeed({
    store,
    ledger: opts.ledger,
    windowSec,
    intervalMs: opts.liveIntervalMs ?? 2000,
    historyLength: 1800,
    blocks: 20,
    logger: opts.logger,
  });
  const infoOf = (stratumUrls: string[], authorityPublicKey: string | undefined) =>
    toJson({
      poolName: config.dashboard.poolName,
      stratumUrls,
      authorityPublicKey: authorityPublicKey ?? null,
      scheme: 'PPLNS',
      pplnsFactor: config.shareprocessor.pplnsFactor,
      windowSec,
    });
  let info = infoOf(config.dashboard.stratumUrls, config.dashboard.authorityPublicKey);
  const openapi = toJson(openApiDocument);
  const jsonType = 'application/json';

  function page(res: ServerResponse): void {
    const index = assets.get('/index.html');
    if (index) send(res, 200, index.type, index.body, 'no-cache');
    else send(res, 503, 'text/plain', 'dashboard not built: run npm run build\n', 'no-store');
  }

  return {
    handle(req, res) {
      if (req.method !== 'GET') return false;
      const q = (req.url ?? '/').indexOf('?');
      const path = q < 0 ? (req.url ?? '/') : req.url!.slice(0, q);
      switch (path) {
        case '/api/openapi.json':
          send(res, 200, jsonType, openapi, 'no-cache');
          return true;
        case '/api/info':
          send(res, 200, jsonType, info, 'no-cache');
          return true;
        case '/api/pool/hashrate':
          send(
            res,
            200,
            jsonType,
            toJson({ intervalMs: live.intervalMs, samples: live.history() }),
            'no-store',
          );
          return true;
        case '/api/events': {
          const user = new URL(req.url ?? '/', 'http://api').searchParams.get('user') || undefined;
          live.attach(res, user);
          return true;
        }
      }
      if (!enabled) return false;
      if (path === '/' || path === '/index.html' || /^\/miner\/[^/]+$/.test(path)) {
        page(res);
        return true;
      }
      const asset = assets.get(path);
      if (!asset) return false;
      send(
        res,
        200,
        asset.type,
        asset.body,
        path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      return true;
    },
    setConnectInfo: (c) => void (info = infoOf(c.stratumUrls, c.authorityPublicKey)),
    close: () => live.close(),
  };
}
