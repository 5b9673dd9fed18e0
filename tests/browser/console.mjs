// Shared by the console's browser tests: the real banyan binary with the demo data set (via the
// black-box harness), Debian's Chromium driven by playwright-core, screenshots into
// tests/artifacts/, and timings of pages and API calls.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cleanup, demoDataDir, passwordOf, startServer } from '../blackbox/harness.mjs';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
export const CHROMIUM = process.env.BANYAN_CHROMIUM ?? '/usr/bin/chromium';
const WEB_DIST = new URL('../../web/dist/index.html', import.meta.url).pathname;

// Every menu entry and the permission it needs (the console's src/router/routes.ts).
export const MENU = {
  overview: 'analytics:read',
  account: null,
  customers: 'customers:read',
  segments: 'segments:read',
  tags: 'tags:read',
  funnel: 'analytics:read',
  retention: 'analytics:read',
  activity: 'analytics:read',
  trends: 'analytics:read',
  aum: 'analytics:read',
  messages: 'messages:read',
  'message-templates': 'messages:read',
  'message-stats': 'messages:read',
  channels: 'channels:manage',
  staff: 'staff:read',
  roles: 'staff:read',
  branches: 'branches:read',
  'api-keys': 'api_keys:manage',
  audit: 'audit:read',
};
// A card or chart of the analytics pages has answered: drawn, or its empty state.
const drawn = (card) => `${card}[data-loaded] canvas, ${card}[data-loaded] [data-testid=card-empty]`;
export const PAGES = {
  // Every card has answered, and the MAU trend is drawn.
  // Interactive: every card has answered (the figures are shown) and the MAU trend is drawn; the
  // other charts are drawn one per idle period after it — `complete` (reported, not budgeted).
  overview: {
    path: '/overview',
    ready: '[data-testid=page-overview][data-loaded] [data-testid=overview-mau-trend] [data-testid=trend-line] svg',
    complete: '[data-testid=page-overview][data-complete]',
  },
  funnel: { path: '/analytics/funnel', ready: drawn('[data-testid=funnel-chart]') },
  retention: {
    path: '/analytics/retention',
    ready: '[data-testid=retention-heatmap][data-loaded] [data-testid=retention-row], [data-testid=retention-heatmap][data-loaded] [data-testid=card-empty]',
  },
  activity: { path: '/analytics/activity', ready: drawn('[data-testid=activity-overall]') },
  trends: { path: '/analytics/trends', ready: drawn('[data-testid=trend-chart]') },
  aum: { path: '/analytics/aum', ready: `[data-testid=page-aum][data-loaded] ${drawn('[data-testid=aum-series]').replace(', ', ', [data-testid=page-aum][data-loaded] ')}` },
  account: { path: '/account', ready: '[data-testid=page-account] [data-testid=profile]' },
  // The list has answered (rows, or the empty state when the data set has no customers).
  customers: { path: '/customers', ready: '[data-testid=customer-table][data-loaded] .el-table__inner-wrapper' },
  // The saved segments have answered (rows, or the empty state: the demo bank has none).
  segments: { path: '/segments', ready: '[data-testid=segment-table][data-loaded] .el-table__inner-wrapper' },
  tags: { path: '/tags', ready: '[data-testid=tag-table][data-loaded] .el-table__body tr' },
  staff: { path: '/settings/staff', ready: '[data-testid=staff-table] .el-table__body tr' },
  roles: { path: '/settings/roles', ready: '[data-testid=roles-table] .el-table__body tr' },
  branches: { path: '/settings/branches', ready: '[data-testid=branch-map] canvas' },
  'api-keys': { path: '/settings/api-keys', ready: '[data-testid=key-table] .el-table__body tr' },
  audit: { path: '/settings/audit', ready: '[data-testid=audit-table] .el-table__body tr' },
  // Messaging: the list has answered (rows, or the empty state); the stats when both calls have
  // answered and the by-channel chart is drawn (or empty).
  messages: { path: '/messaging/messages', ready: '[data-testid=message-table][data-loaded] .el-table__inner-wrapper' },
  'message-templates': { path: '/messaging/templates', ready: '[data-testid=template-table][data-loaded] .el-table__inner-wrapper' },
  'message-stats': { path: '/messaging/stats', ready: drawn('[data-testid=page-message-stats][data-loaded] [data-testid=stats-channel]') },
  channels: { path: '/messaging/channels', ready: '[data-testid=channel-table][data-loaded] .el-table__inner-wrapper' },
};

// Pages without a menu entry, each opened from a page that has one by clicking `link`.
export const SUBPAGES = {
  customer: {
    path: '/customers/1',
    // Interactive: the header and the masked profile with its reveal actions are shown. The
    // other sections (identifiers, consents, the AUM chart, the timeline) fill in after it,
    // each with its own loading state; `complete` is when every one has answered (the AUM chart
    // draws once its chunk, ECharts, is loaded) — timed and reported, not held to the budget.
    ready: '[data-testid=page-customer] [data-testid=customer-profile] .el-descriptions',
    complete: '[data-testid=page-customer][data-loaded] [data-testid=customer-profile] .el-descriptions',
    from: 'customers',
    link: '[data-testid=customer-link]',
  },
};

// `customers` (and `days`): the demo bank's customers and behaviour (banyan demo init); without
// them the data set is the organisation and its logins only.
export async function startConsole({ customers = 0, days = 30 } = {}) {
  if (!existsSync(WEB_DIST)) throw new Error(`${WEB_DIST} is missing: build the console first (make web)`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/install-deps.sh)`);
  const data = demoDataDir({ customers, days });
  const server = await startServer({ dir: data.dir });
  const shell = await (await fetch(`${server.url}/`)).text();
  if (!shell.includes('<div id="app">')) throw new Error('banyan does not serve the console from web/dist');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url: server.url,
    data,
    server,
    browser,
    password: (username) => passwordOf(data.credentials, username),
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
      cleanup(data.dir);
    },
  };
}

// "GET /api/v1/staff/12?x=1" → "GET /api/v1/staff/{id}".
export function apiKey(method, url) {
  const path = new URL(url).pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
  return `${method} ${path}`;
}

export class Timings {
  constructor() {
    this.api = new Map(); // "GET /api/v1/staff" → [ms]
    this.pages = new Map(); // "staff (load)" → [ms]
  }
  addApi(key, ms) {
    if (!this.api.has(key)) this.api.set(key, []);
    this.api.get(key).push(ms);
  }
  addPage(key, ms) {
    if (!this.pages.has(key)) this.pages.set(key, []);
    this.pages.get(key).push(ms);
  }
  static percentile(values, p) {
    const sorted = [...values].sort((a, b) => a - b);
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
  summary() {
    const rows = (map) =>
      [...map.entries()]
        .map(([key, values]) => ({
          key,
          n: values.length,
          p50: Math.round(Timings.percentile(values, 50)),
          p95: Math.round(Timings.percentile(values, 95)),
          max: Math.round(Math.max(...values)),
        }))
        .sort((a, b) => a.key.localeCompare(b.key));
    return { pages: rows(this.pages), api: rows(this.api) };
  }
  print(title) {
    const { pages, api } = this.summary();
    const table = (rows) =>
      rows.map((r) => `  ${r.key.padEnd(34)} n=${String(r.n).padStart(3)}  p50=${String(r.p50).padStart(4)} ms  p95=${String(r.p95).padStart(4)} ms  max=${String(r.max).padStart(4)} ms`).join('\n');
    console.log(`\n${title}\nPage time to interactive:\n${table(pages)}\nAPI calls (browser-measured, request start to response end):\n${table(api)}\n`);
  }
  write(name) {
    writeFileSync(`${ARTIFACTS}${name}`, `${JSON.stringify(this.summary(), null, 2)}\n`);
  }
}

// A fresh browser context (its own cookies) whose API calls are timed.
export async function newPage(env, timings, { locale = 'zh-CN' } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale });
  return { context, page: await openTab(context, timings) };
}

// Another tab of a context (sharing its cookies and cache), watched like newPage's.
export async function openTab(context, timings) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The server's Content-Security-Policy must hold: no inline script, eval or outside resource.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  // Vue's own warnings (unknown components, bad props) mean a broken page.
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().startsWith('[Vue warn]')) errors.push(m.text());
  });
  page.on('requestfinished', (request) => {
    if (!request.url().includes('/api/')) return;
    const t = request.timing();
    if (t.responseEnd > 0 && t.requestStart >= 0) {
      timings?.addApi(apiKey(request.method(), request.url()), t.responseEnd - t.requestStart);
    }
  });
  page.errors = errors;
  return page;
}

// The moment, on the page's own clock, a page became interactive as `ready` defines it (the
// selector's first element visible, no loading mask left): checked after every change of the
// document and confirmed in the next animation frame — the frame that paints it. Measured in the
// page because the harness's own work is not the page's: Playwright injects its scripts into
// every new document and polls for the selector, 60 ms and more per load on this machine, all
// of which `performance.now()` read after `ready` counted. `pairs`: [path, selector] for every
// address whose loads are timed; install before the loads (it runs in each new document).
export async function watchReady(context, pairs) {
  await context.addInitScript((list) => {
    if (window.top !== window) return;
    const mine = list.filter(([path]) => path === location.pathname).map(([, selector]) => selector);
    if (mine.length === 0) return;
    const times = (window.__banyanReady = {});
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const masksGone = () =>
      [...document.querySelectorAll('.el-loading-mask')].every((m) => getComputedStyle(m).display === 'none' || m.offsetParent === null);
    const isReady = (selector) => {
      const el = document.querySelector(selector);
      return el !== null && visible(el) && masksGone();
    };
    let frame = false;
    const check = () => {
      const waiting = mine.filter((selector) => !(selector in times));
      if (waiting.length === 0) {
        observer.disconnect();
        clearInterval(timer);
        return;
      }
      if (frame || !waiting.some(isReady)) return;
      frame = true;
      requestAnimationFrame(() => {
        frame = false;
        const now = performance.now();
        for (const selector of waiting) if (isReady(selector)) times[selector] = now;
        check();
      });
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    // A change that reaches the selector without touching the document (a style sheet arriving).
    const timer = setInterval(check, 50);
  }, pairs);
}

// The time watchReady recorded for the selector on this page (after `ready` has seen it).
export async function readyAt(page, selector) {
  const handle = await page.waitForFunction((s) => window.__banyanReady?.[s], selector, { timeout: 5_000 });
  return handle.jsonValue();
}

// Waits until the selector is visible and no loading mask is left on the page.
// On failure the page is saved as tests/artifacts/console-failure-*.png.
export async function ready(page, selector, timeout = 10_000) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
    await page.waitForFunction(
      () => [...document.querySelectorAll('.el-loading-mask')].every((m) => getComputedStyle(m).display === 'none' || m.offsetParent === null),
      null,
      { timeout },
    );
  } catch (error) {
    await page.screenshot({ path: `${ARTIFACTS}console-failure-${Date.now()}.png`, fullPage: true }).catch(() => {});
    throw new Error(`${error.message}\n(at ${page.url()}; page errors: ${JSON.stringify(page.errors ?? [])})`);
  }
}

export async function login(page, url, username, password) {
  await page.goto(`${url}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=login-submit]').click();
  await page.waitForURL((u) => u.pathname !== '/login' && u.pathname !== '/');
  await ready(page, PAGES[landing(page)].ready);
}

// The page a log-in lands on: the overview (analytics:read), the customers (a relationship
// manager) or the account.
export function landing(page) {
  const path = new URL(page.url()).pathname;
  return path === '/overview' ? 'overview' : path === '/customers' ? 'customers' : 'account';
}

// The side menu's entries, by route name.
export async function menuEntries(page) {
  return page.locator('[data-testid=side-menu] [data-menu]').evaluateAll((items) => items.map((i) => i.getAttribute('data-menu')));
}

// The whole page, or with { dialog: true } the window as seen (a modal covers the window only).
export async function screenshot(page, name, { dialog = false } = {}) {
  await page.waitForTimeout(150); // let transitions settle
  await page.screenshot({ path: `${ARTIFACTS}console-${name}.png`, fullPage: !dialog });
}

// Element Plus message boxes: the confirm button of the open one.
export async function confirmBox(page) {
  const box = page.locator('.el-message-box').last();
  await box.waitFor({ state: 'visible' });
  await box.locator('.el-message-box__btns .el-button--primary, .el-message-box__btns .el-button--danger').last().click();
  await box.waitFor({ state: 'hidden' });
}

// Waits for an Element Plus message of this type saying `pattern`; returns its text.
export async function expectMessage(page, pattern, type = 'success') {
  const message = page.locator(`.el-message--${type}`, { hasText: pattern }).last();
  await message.waitFor({ state: 'visible' });
  return message.innerText();
}
