/**
 * The miners' dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core,
 * against a running `pool dev` (built dashboard, demo miner). Proves the pool page renders with the
 * stratum URL and authority key, a found block appears, live updates arrive without a reload, a
 * new miner's worker appears on its miner page after it starts mining, the pool wallet and the demo
 * miner's credited balance show, and both pages fit a phone.
 * EAGLEPOOL_SCREENSHOTS=docs/images writes the README's screenshots (otherwise a temp dir).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, PoolDevProcess, ROOT, waitFor } from './pool-dev.js';

const CHROMIUM = process.env.EAGLEPOOL_CHROMIUM ?? '/usr/bin/chromium';
/** Headless and quiet: no background traffic off the loopback (closed network). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

let pool: PoolDevProcess;
let browser: BrowserContext;
let profile: string;
let miner: ChildProcess | undefined;
const shots = resolve(
  ROOT,
  process.env.EAGLEPOOL_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'eaglepool-shots-')),
);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run bash .ci/install.d/60-dashboards.sh`);
  buildWeb();
  mkdirSync(shots, { recursive: true });
  pool = await PoolDevProcess.start(['--block-time', '3000']);
  profile = mkdtempSync(join(tmpdir(), 'eaglepool-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  miner?.kill('SIGTERM');
  await browser?.close();
  await pool?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const text = (page: Page, testId: string) => page.getByTestId(testId).first().textContent();

async function fitsWidth(page: Page): Promise<boolean> {
  // A string: the page's DOM types are not in this (Node) project's lib.
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
}

describe("the miners' dashboard in Chromium", () => {
  it('pool page: stats, how to connect, a found block, live updates', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${pool.url}/`);
    expect(await page.title()).toBe('Eaglepool');
    expect(await text(page, 'authority-key')).toBe(pool.authorityKey);
    expect(await text(page, 'stratum-url')).toBe(`stratum+tcp://127.0.0.1:${pool.stratumPort}`);
    expect(await text(page, 'payout-rules')).toMatch(/PPLNS/);

    // A found block appears (pushed by the live feed; the page is not reloaded).
    await page.locator('#blocks tr[data-block]').first().waitFor({ timeout: 90_000 });
    const firstBlock = await page.locator('#blocks tr[data-block]').first().getAttribute('data-block');
    expect(pool.lines.join('\n')).toContain(firstBlock!);
    await waitFor('the pool hashrate on the page', async () =>
      /[1-9]/.test((await text(page, 'pool-hashrate')) ?? ''),
    );

    // Live: more `pool` events arrive and the chart grows, without a reload.
    const live = page.getByTestId('live');
    const updates = Number(await live.getAttribute('data-updates'));
    const points = Number(await page.getByTestId('chart').getAttribute('data-points'));
    await waitFor(
      'two more live updates and chart points',
      async () =>
        Number(await live.getAttribute('data-updates')) >= updates + 2 &&
        Number(await page.getByTestId('chart').getAttribute('data-points')) > points,
      30_000,
    );
    expect(await live.getAttribute('data-state')).toBe('open');
    await page.screenshot({ path: join(shots, 'dashboard-pool.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("miner page: a new miner's worker appears after it mines", async () => {
    const page = await browser.newPage();
    await page.goto(`${pool.url}/miner/alice`);
    expect(await text(page, 'miner-address')).toBe('alice');
    await page.locator('#workers tr.empty').waitFor();
    expect(await page.locator('#workers tr[data-worker]').count()).toBe(0);

    miner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'pool/src/cli/main.ts',
        'miner',
        '--url',
        `127.0.0.1:${pool.stratumPort}`,
        '--authority-key',
        pool.authorityKey,
        '--user',
        'alice.rig1',
      ],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const row = page.locator('#workers tr[data-worker="rig1"]');
    await row.waitFor({ timeout: 90_000 });
    expect(await text(page, 'miner-workers')).toBe('1');
    expect(Number((await text(page, 'miner-shares'))?.replace(/,/g, ''))).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'dashboard-miner.png'), fullPage: true });
    await page.close();
  });

  it("money: the pool wallet on the pool page, the demo miner's balance on its page", async () => {
    const page = await browser.newPage();
    await page.goto(`${pool.url}/`);
    await waitFor(
      'the pool wallet address on the pool page',
      async () => (await text(page, 'wallet-address')) === pool.walletAddress,
      60_000,
    );
    // A block the chain has paid (finalized at N + 11) shows the chain's reward, not an estimate.
    await page.locator('#blocks [data-state="finalized"], #blocks [data-state="matured"]').first().waitFor({
      timeout: 180_000,
    });
    await page.goto(`${pool.url}/miner/${pool.minerAccount}`);
    const credited = (id: string) => async () => /[1-9]/.test((await text(page, id)) ?? '');
    await waitFor(
      'a credited balance on the miner page',
      async () => (await credited('balance-immature')()) || (await credited('balance-available')()),
    );
    const api = await pool.get<{ immature: string; available: string }>(
      `/api/miners/${pool.minerAccount}/balance`,
    );
    expect(BigInt(api.body.immature) + BigInt(api.body.available)).toBeGreaterThan(0n);
    await page.close();
  });

  it('both pages fit a phone screen', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${pool.url}/`);
    await page.locator('#blocks tr[data-block]').first().waitFor({ timeout: 60_000 });
    expect(await fitsWidth(page), 'pool page wider than the phone').toBe(true);
    await page.screenshot({ path: join(shots, 'dashboard-phone.png'), fullPage: true });
    await page.goto(`${pool.url}/miner/${pool.minerAccount}`);
    await page.locator('#workers tr[data-worker="cpu"]').waitFor({ timeout: 60_000 });
    expect(await fitsWidth(page), 'miner page wider than the phone').toBe(true);
    await page.close();
  });
});
