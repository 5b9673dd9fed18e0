// Issue 8: the overview dashboard and the analytics pages against the real binary with a demo
// bank — the card-application funnel by channel shows the API's step rates, survives a reload
// (the query is in the address), and saves a drop-off as a segment found on the segments page;
// the overview's cards per role and scope; the relationship manager has none of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login as apiLogin } from '../blackbox/harness.mjs';
import { PAGES, confirmBox, expectMessage, landing, login, menuEntries, newPage, ready, screenshot, startConsole } from './console.mjs';

let env;
before(async () => {
  env = await startConsole({ customers: 1000, days: 60 });
});
after(async () => {
  await env?.close();
});

const ANALYTICS = ['overview', 'funnel', 'retention', 'activity', 'trends', 'aum'];

async function post(username, path, body) {
  const session = await apiLogin(env.url, username, env.password(username));
  const res = await session.fetch(path, { method: 'POST', json: body });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

// The funnel the page shows, asked of the API: the same body, built from the page's address.
function funnelBodyFrom(url) {
  const q = new URL(url).searchParams;
  const steps = q.getAll('step').map((text) => {
    const [event, condition] = text.split('|');
    if (!condition) return { event };
    const [property, value] = condition.split('=');
    return { event, where: [{ property, op: '=', value }] };
  });
  return {
    steps,
    window: { days: Number(q.get('window')) },
    range: { from: q.get('from'), to: q.get('to') },
    ...(q.get('by') ? { group_by: { kind: q.get('by') } } : {}),
  };
}

// The step rates in the page's table: { overall: ['35.2%', …], wechat: […], … }.
async function ratesOnPage(page) {
  return page.locator('[data-testid=funnel-row]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((row) => [
      row.getAttribute('data-group'),
      [...row.querySelectorAll('[data-testid=funnel-rate]')].map((cell) => cell.textContent.trim()),
    ])));
}

const rate = (r) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

test('the card-application funnel by channel shows the API\'s step rates, also after a reload', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'admin', env.password('admin'));
    // Another funnel first, then the preset.
    await page.goto(`${env.url}/analytics/funnel?step=login&step=transfer&window=1`);
    await ready(page, PAGES.funnel.ready);
    assert.deepEqual(Object.keys(await ratesOnPage(page)), ['overall']);
    await page.locator('[data-testid=funnel-preset]').click();
    await page.waitForURL(/by=channel/);
    await page.locator('[data-testid=funnel-row][data-group=wechat]').waitFor();
    await ready(page, PAGES.funnel.ready);

    const body = funnelBodyFrom(page.url());
    assert.deepEqual(body.steps.map((s) => s.event), ['view_product', 'apply_card', 'submit_form', 'card_approved']);
    assert.deepEqual(body.group_by, { kind: 'channel' });
    const api = await post('admin', '/api/v1/analytics/funnel', body);
    const expected = Object.fromEntries([
      ['overall', api.overall.conversion_from_previous.slice(1).map(rate)],
      ...api.groups.map((g) => [g.name, g.conversion_from_previous.slice(1).map(rate)]),
    ]);
    const shown = await ratesOnPage(page);
    assert.deepEqual(shown, expected);
    assert.ok(api.groups.some((g) => g.name === 'wechat') && api.groups.some((g) => g.name === 'alipay'));
    await screenshot(page, 'funnel');

    // The query is in the address: a reload shows the same funnel.
    await page.reload();
    await ready(page, PAGES.funnel.ready);
    assert.deepEqual(await ratesOnPage(page), expected);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('a funnel drop-off saved as a segment is on the segments page', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'analyst', env.password('analyst'));
    await page.goto(`${env.url}/analytics/funnel`);
    await ready(page, PAGES.funnel.ready);
    const api = await post('analyst', '/api/v1/analytics/funnel', funnelBodyFrom(page.url()));
    const wechat = api.groups.find((g) => g.name === 'wechat');
    // The deepest step with drop-offs.
    const step = [3, 2, 1].find((i) => wechat.drop_off[i] > 0);
    assert.ok(step !== undefined, 'WeChat has drop-offs');

    const cell = page.locator(`[data-testid=funnel-row][data-group=wechat] td[data-step="${step + 1}"]`);
    await cell.locator('[data-testid=funnel-save]').click();
    const box = page.locator('.el-message-box').last();
    await box.waitFor();
    await screenshot(page, 'funnel-save', { dialog: true });
    const name = `微信流失 ${process.pid}`;
    await box.locator('input').fill(name);
    await confirmBox(page);
    await expectMessage(page, name);
    const saved = page.locator('[data-testid=funnel-saved]');
    await saved.waitFor();
    assert.match(await saved.innerText(), new RegExp(`${wechat.drop_off[step]}`));

    await saved.locator('[data-testid=funnel-saved-link]').click();
    await ready(page, PAGES.segments.ready);
    const row = page.locator('[data-testid=segment-table] .el-table__body tr', { hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /dropped at step/);
    await screenshot(page, 'funnel-saved-segment');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

for (const username of ['admin', 'manager.xixi']) {
  test(`the overview shows ${username} the cards of their scope`, { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(env);
    try {
      await login(page, env.url, username, env.password(username));
      assert.equal(landing(page), 'overview');
      await ready(page, PAGES.overview.ready);
      await ready(page, PAGES.overview.complete);
      for (const card of ['overview-mau', 'overview-new', 'overview-urr', 'overview-aum-total', 'overview-mau-trend', 'overview-aum', 'overview-lifecycle', 'overview-channels', 'overview-followers']) {
        await page.locator(`[data-testid=${card}][data-loaded]`).waitFor();
      }
      // MAU and AUM as the API answers this caller (scoped by the server).
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const activity = await post(username, '/api/v1/analytics/activity', { interval: 'day', range: { from: today, to: today } });
      const mau = activity.overall.mau.at(-1);
      const shownMau = await page.locator('[data-testid=overview-mau] [data-testid=kpi-value]').innerText();
      assert.equal(Number(shownMau.replace(/,/g, '')), mau);
      const aum = await post(username, '/api/v1/analytics/aum', { group_by: ['tier'], products: false });
      const [whole, frac] = aum.overall.total.split('.');
      assert.equal(await page.locator('[data-testid=overview-aum-total] [data-testid=kpi-value]').innerText(),
        `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(frac ?? '').padEnd(2, '0')}`);
      if (username === 'manager.xixi') {
        const all = await post('admin', '/api/v1/analytics/activity', { interval: 'day', range: { from: today, to: today } });
        assert.ok(mau < all.overall.mau.at(-1), 'the branch manager sees only Xixi');
        // Followers per branch: only the manager's own.
        const branches = await page.locator('[data-testid=followers-table] tbody tr th').allInnerTexts();
        assert.ok(branches.every((b) => /西溪|XIXI/.test(b)), JSON.stringify(branches));
      }
      await screenshot(page, `overview-${username}`);
      // Each chart links to its page.
      await page.locator('[data-testid=overview-aum] [data-testid=detail-link]').click();
      await ready(page, PAGES.aum.ready);
      assert.equal(new URL(page.url()).pathname, '/analytics/aum');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
}

test('rm.xixi has no overview or analytics, lands on the customers and is refused them', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'rm.xixi', env.password('rm.xixi'));
    assert.equal(landing(page), 'customers');
    const menu = await menuEntries(page);
    for (const name of ANALYTICS) assert.ok(!menu.includes(name), `${name} in rm.xixi's menu`);
    for (const name of ANALYTICS) {
      await page.goto(`${env.url}${PAGES[name].path}`);
      await page.locator('[data-testid=page-forbidden]').waitFor();
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('the retention, activity, trends and AUM pages draw, keep their query in the address, save a retention cell, and speak English', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'analyst', env.password('analyst'));
    for (const name of ['retention', 'activity', 'trends', 'aum']) {
      await page.goto(`${env.url}${PAGES[name].path}`);
      await ready(page, PAGES[name].ready);
      await screenshot(page, `analytics-${name}`);
    }
    // A retention cell saved as a segment: the cohort's customers who returned in that period.
    await page.goto(`${env.url}${PAGES.retention.path}`);
    await ready(page, PAGES.retention.ready);
    const cell = page.locator('[data-testid=retention-row] td.savable').first();
    const retained = await cell.getAttribute('title');
    await cell.click();
    const name = `留存 ${process.pid}`;
    await page.locator('.el-message-box input').fill(name);
    await confirmBox(page);
    await expectMessage(page, name);
    assert.match(await page.locator('[data-testid=retention-saved]').innerText(), new RegExp(`（${retained} 人）`));
    await page.locator('[data-testid=retention-saved-link]').click();
    await ready(page, PAGES.segments.ready);
    await page.locator('[data-testid=segment-table] .el-table__body tr', { hasText: name }).waitFor();

    // Activity by channel: one chart per channel, and the address says so.
    await page.goto(`${env.url}/analytics/activity?interval=week&by=channel`);
    await ready(page, PAGES.activity.ready);
    await page.locator('[data-testid=activity-wechat][data-loaded] canvas').waitFor();
    // By branch: also the WeChat followers each branch gained and lost (the overview links here).
    await page.goto(`${env.url}/analytics/activity?by=branch`);
    await ready(page, PAGES.activity.ready);
    await page.locator('[data-testid=activity-followers][data-loaded]').waitFor();
    await screenshot(page, 'analytics-activity-branch');
    // Trends: a sum of a property, from the address.
    await page.goto(`${env.url}/analytics/trends?event=transfer&measure=sum&property=amount&interval=week`);
    await ready(page, PAGES.trends.ready);
    assert.match(await page.locator('[data-testid=trend-chart]').innerText(), /transfer/);
    // AUM by branch: the table's amounts are the server's, grouped by thousands.
    await page.goto(`${env.url}/analytics/aum?by=branch`);
    await ready(page, PAGES.aum.ready);
    const amounts = await page.locator('[data-testid=aum-table] [data-testid=aum-total]').allInnerTexts();
    assert.ok(amounts.length > 1);
    for (const a of amounts) assert.match(a, /^\d{1,3}(,\d{3})*\.\d{2}$/);
    // LTV by branch, from the holdings formula the card states.
    await page.locator('[data-testid=aum-ltv][data-loaded] [data-testid=ltv-table] tbody tr').first().waitFor();
    assert.ok((await page.locator('[data-testid=ltv-table] tbody tr').count()) > 1);
    await screenshot(page, 'analytics-aum-branch');

    // English.
    await page.locator('[data-testid=locale-switch]').first().click();
    await page.locator('[data-testid=locale-switch] [role=menuitem]', { hasText: 'English' }).first().click();
    await page.locator('[data-testid=side-menu]', { hasText: 'Funnel' }).waitFor();
    await page.goto(`${env.url}/overview`);
    await ready(page, PAGES.overview.ready);
    await screenshot(page, 'overview-en');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
