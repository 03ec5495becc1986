/**
 * The miners' dashboard: the pool page (/) and a miner page (/miner/ADDRESS), kept live by the
 * API's server-sent events (/api/events). Plain DOM code: two pages do not need a framework.
 */
import './style.css';
import {
  getJson,
  type Balance,
  type Block,
  type MinerPayment,
  type Wallet,
  type Info,
  type LiveSnapshot,
  type MinerEvent,
  type Sample,
  type User,
} from './api.js';
import { HashrateChart } from './chart.js';
import { ago, ckb, count, hashrate, shortHash } from './format.js';

type Child = Node | string;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

function stat(id: string, label: string): HTMLElement {
  return h(
    'div',
    { class: 'stat' },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value', id, 'data-testid': id }, '–'),
  );
}

function table(id: string, head: string[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id, 'data-testid': id },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
      h('tbody'),
    ),
  );
}

function fillTable(id: string, rows: HTMLElement[], empty: string, columns: number): void {
  const body = document.querySelector(`#${id} tbody`);
  if (!body) return;
  body.replaceChildren(
    ...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: String(columns) }, empty))]),
  );
}

function copyButton(text: string): HTMLElement {
  const b = h('button', { type: 'button', class: 'copy' }, 'copy');
  b.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text).then(() => (b.textContent = 'copied'));
  });
  return b;
}

function minerHref(user: string): string {
  return `/miner/${encodeURIComponent(user)}`;
}

const app = document.getElementById('app')!;
const route = /^\/miner\/([^/]+)$/.exec(location.pathname);
const address = route ? decodeURIComponent(route[1]!) : undefined;
let lastSnapshot: LiveSnapshot | undefined;
let lastMiner: MinerEvent | undefined;
let refreshMoney: (() => void) | undefined;

// ----- pool page -----

function poolPage(): HashrateChart {
  app.replaceChildren(
    h(
      'section',
      { class: 'stats', 'aria-label': 'Pool' },
      stat('pool-hashrate', 'Pool hashrate'),
      stat('pool-workers', 'Workers'),
      stat('pool-users', 'Miners'),
      stat('pool-last-block', 'Last block'),
      stat('net-height', 'Network height'),
      stat('net-difficulty', 'Network difficulty'),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Pool hashrate'),
      h('div', { id: 'chart', 'data-testid': 'chart' }),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Blocks'),
      table('blocks', ['Height', 'Block', 'Found by', 'Status', 'Reward', 'Found']),
    ),
    h(
      'section',
      { class: 'card', id: 'wallet', 'data-testid': 'wallet' },
      h('h2', {}, 'Pool wallet'),
      h(
        'div',
        { class: 'mono-row' },
        h('code', { id: 'wallet-address', 'data-testid': 'wallet-address' }, '–'),
      ),
      h(
        'div',
        { class: 'stats' },
        stat('wallet-spendable', 'Spendable'),
        stat('wallet-immature', 'Immature rewards'),
        stat('wallet-owed', 'Owed to miners'),
        stat('wallet-paid', 'Paid to miners'),
        stat('wallet-open', 'Payouts in flight'),
      ),
    ),
    h(
      'section',
      { class: 'card', id: 'connect', 'data-testid': 'connect' },
      h('h2', {}, 'Mine on this pool'),
    ),
  );
  const chart = new HashrateChart(document.getElementById('chart')!);
  void getJson<{ samples: Sample[] }>('/api/pool/hashrate').then((r) => chart.setSamples(r.samples));
  void getJson<Info>('/api/info').then(renderConnect);
  return chart;
}

function renderConnect(info: Info): void {
  document.title = info.poolName;
  setText('brand', info.poolName);
  const urls = info.stratumUrls.length
    ? info.stratumUrls.map((u) =>
        h('div', { class: 'mono-row' }, h('code', { 'data-testid': 'stratum-url' }, u), copyButton(u)),
      )
    : [h('p', {}, 'The operator has not published stratum URLs (dashboard.stratumUrls).')];
  const key = info.authorityPublicKey
    ? h(
        'div',
        { class: 'mono-row' },
        h('code', { 'data-testid': 'authority-key' }, info.authorityPublicKey),
        copyButton(info.authorityPublicKey),
      )
    : h('p', {}, 'Not published (dashboard.authorityPublicKey).');
  document
    .getElementById('connect')!
    .append(
      h('h3', {}, 'Stratum V2 URL'),
      ...urls,
      h('h3', {}, 'Authority public key'),
      key,
      h('h3', {}, 'User name'),
      h(
        'p',
        {},
        h('code', {}, 'CKB_ADDRESS.WORKER'),
        ': payouts go to the address, each worker is shown on your miner page.',
      ),
      h('h3', {}, 'Payouts'),
      h(
        'p',
        { 'data-testid': 'payout-rules' },
        `${info.scheme}: a block's reward is split by share difficulty over the last ${info.pplnsFactor} × network difficulty of shares. ` +
          `Hashrate is averaged over ${Math.round(info.windowSec / 60)} min.`,
      ),
    );
}

function blockRow(b: Block, now: number): HTMLElement {
  const l = b.lifecycle;
  const state = l?.state ?? b.status;
  const status = l && BigInt(l.confirmations) > 0n ? `${state} (${l.confirmations} conf.)` : state;
  // Until finalized the reward is the template's estimate; then it is what the chain pays.
  const reward = l?.reward ? ckb(l.reward) : `~${ckb(b.reward)}`;
  return h(
    'tr',
    { 'data-block': b.blockHash },
    h('td', {}, b.number),
    h('td', { class: 'mono', title: b.blockHash }, shortHash(b.blockHash)),
    h('td', {}, h('a', { href: minerHref(b.user) }, shortHash(b.user, 8)), `.${b.worker}`),
    h('td', {}, h('span', { class: `badge ${state}`, 'data-state': state }, status)),
    h('td', { 'data-testid': 'block-reward' }, reward),
    h('td', {}, ago(Number(b.foundAt), now)),
  );
}

function renderPool(s: LiveSnapshot): void {
  setText('pool-hashrate', hashrate(s.pool.hashrate));
  setText('pool-workers', count(s.pool.workers));
  setText('pool-users', count(s.pool.users));
  setText('pool-last-block', s.blocks[0] ? ago(Number(s.blocks[0].foundAt), s.at) : 'none yet');
  setText('net-height', s.network ? count(Number(s.network.height)) : '–');
  setText('net-difficulty', s.network ? count(s.network.difficulty) : '–');
  fillTable(
    'blocks',
    s.blocks.map((b) => blockRow(b, s.at)),
    'No block found yet.',
    6,
  );
}

function renderWallet(w: Wallet): void {
  const address = document.getElementById('wallet-address');
  if (address && w.address && address.textContent !== w.address) {
    address.textContent = w.address;
    address.after(copyButton(w.address));
  } else if (address && !w.address) address.textContent = 'not read yet (no payouts service with a key)';
  setText('wallet-spendable', w.spendable === null ? '–' : ckb(w.spendable));
  setText('wallet-immature', w.immature === null ? '–' : ckb(w.immature));
  setText('wallet-owed', ckb((BigInt(w.owed.available) + BigInt(w.owed.pending)).toString()));
  setText('wallet-paid', ckb(w.owed.paid));
  setText('wallet-open', count(w.openPayouts.length));
}

/** Calls `load` at most every `ms` (the money views need not follow every 2 s event). */
function throttled(ms: number, load: () => Promise<void>): () => void {
  let last = 0;
  return () => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    load().catch(() => (last = 0));
  };
}

const refreshWallet = throttled(5000, async () => renderWallet(await getJson<Wallet>('/api/wallet')));

// ----- miner page -----

function minerPage(user: string): void {
  app.replaceChildren(
    h('h1', { class: 'miner-title' }, 'Miner ', h('code', { 'data-testid': 'miner-address' }, user)),
    h(
      'section',
      { class: 'stats', 'aria-label': 'Miner' },
      stat('miner-hashrate', 'Hashrate'),
      stat('miner-workers', 'Workers'),
      stat('miner-shares', 'Shares accepted'),
      stat('miner-last', 'Last share'),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Workers'),
      table('workers', ['Worker', 'Hashrate', 'Shares', 'Last share']),
    ),
    h(
      'section',
      { class: 'card', id: 'payouts', 'data-testid': 'payouts' },
      h('h2', {}, 'Balance and payments'),
      h(
        'div',
        { class: 'stats' },
        stat('balance-immature', 'Immature'),
        stat('balance-available', 'Confirmed, unpaid'),
        stat('balance-pending', 'Being paid'),
        stat('balance-paid', 'Paid'),
      ),
      h(
        'p',
        { class: 'muted' },
        'Immature: credited from blocks whose reward the chain has fixed but not yet released (cellbase maturity). ' +
          'Confirmed: matured, paid once it reaches the payout threshold.',
      ),
      table('payments', ['Sent', 'Amount', 'Status', 'Transaction']),
    ),
  );
  const input = document.getElementById('lookup-address') as HTMLInputElement;
  input.value = user;
}

function renderMoney(b: Balance, payments: MinerPayment[], now: number): void {
  setText('balance-immature', ckb(b.immature));
  setText('balance-available', ckb(b.available));
  setText('balance-pending', ckb(b.pending));
  setText('balance-paid', ckb(b.paid));
  fillTable(
    'payments',
    payments.map((p) =>
      h(
        'tr',
        { 'data-payment': p.id, 'data-state': p.state },
        h('td', {}, ago(p.createdAt, now)),
        h('td', {}, ckb(p.amount)),
        h('td', {}, h('span', { class: `badge ${p.state}` }, p.state)),
        h(
          'td',
          { class: 'mono' },
          ...(p.txHash
            ? [
                h('code', { title: p.txHash, 'data-testid': 'payment-tx' }, shortHash(p.txHash, 10)),
                copyButton(p.txHash),
              ]
            : ['–']),
        ),
      ),
    ),
    'No payment yet.',
    4,
  );
}

function refreshMoneyOf(user: string): () => void {
  const q = encodeURIComponent(user);
  return throttled(5000, async () => {
    const [b, p] = await Promise.all([
      getJson<Balance>(`/api/miners/${q}/balance`),
      getJson<{ payments: MinerPayment[] }>(`/api/miners/${q}/payments`),
    ]);
    renderMoney(b, p.payments, Date.now());
  });
}

function renderMiner(m: MinerEvent, now: number): void {
  if ('unknown' in m) {
    setText('miner-hashrate', hashrate(0));
    setText('miner-workers', '0');
    setText('miner-shares', '0');
    setText('miner-last', 'never');
    fillTable(
      'workers',
      [],
      'No share from this address yet: point a miner at the pool with it as user name.',
      4,
    );
    return;
  }
  const u: User = m;
  setText('miner-hashrate', hashrate(u.hashrate));
  setText('miner-workers', count(u.workers.length));
  setText('miner-shares', count(u.shares));
  setText('miner-last', ago(u.lastShareAt, now));
  fillTable(
    'workers',
    u.workers.map((w) =>
      h(
        'tr',
        { 'data-worker': w.worker },
        h('td', {}, w.worker),
        h('td', {}, hashrate(w.hashrate)),
        h('td', {}, count(w.shares)),
        h('td', {}, ago(w.lastShareAt, now)),
      ),
    ),
    'No worker yet.',
    4,
  );
}

// ----- live updates -----

function connect(chart: HashrateChart | undefined): void {
  const live = document.getElementById('live')!;
  const state = (s: string, text: string) => {
    live.dataset.state = s;
    live.textContent = text;
  };
  const events = new EventSource(address ? `/api/events?user=${encodeURIComponent(address)}` : '/api/events');
  let updates = 0;
  events.addEventListener('open', () => state('open', 'live'));
  events.addEventListener('error', () => state('reconnecting', 'reconnecting…'));
  events.addEventListener('pool', (e) => {
    lastSnapshot = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
    live.dataset.updates = String(++updates);
    state('open', `live · ${new Date(lastSnapshot.at).toLocaleTimeString()}`);
    if (chart) {
      chart.push(lastSnapshot.sample);
      renderPool(lastSnapshot);
      refreshWallet();
    } else if (lastMiner) renderMiner(lastMiner, lastSnapshot.at);
    refreshMoney?.();
  });
  events.addEventListener('miner', (e) => {
    lastMiner = JSON.parse((e as MessageEvent<string>).data) as MinerEvent;
    renderMiner(lastMiner, lastSnapshot?.at ?? Date.now());
  });
}

document.getElementById('lookup')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = (document.getElementById('lookup-address') as HTMLInputElement).value.trim();
  if (value) location.assign(minerHref(value));
});

if (address) {
  minerPage(address);
  refreshMoney = refreshMoneyOf(address);
  refreshMoney();
  connect(undefined);
} else {
  const chart = poolPage();
  refreshWallet();
  connect(chart);
}
