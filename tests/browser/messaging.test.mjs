// Issue 8, messaging: the admin configures a webhook channel pointing at a fake provider started
// here (the secret is never shown back, and the server's refusal of a bad URL appears under the
// field); a marketer writes a marketing and a service template and submits them; the admin may
// not approve a template they submitted (the server's reason is shown), the branch manager
// approves the marketer's; the admin test-sends both to a customer without marketing consent —
// the marketing one is refused for consent, the service one reaches the fake provider — and sees
// them in the message list, on the customer's message timeline and in the statistics by channel
// and by reason; roles without the permissions have no menu entries and are refused the pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { cleanup, demoDataDir, login as apiLogin, passwordOf, startServer } from '../blackbox/harness.mjs';
import { ARTIFACTS, CHROMIUM, PAGES, confirmBox, expectMessage, menuEntries, newPage, ready, screenshot } from './console.mjs';

const SECRET = 'hook-secret-7f3a9c';
const CALLBACK_TOKEN = 'cb-token-51d2e8';
const MESSAGING_MENU = ['messages', 'message-templates', 'message-stats', 'channels'];

let env;
let provider;
const received = []; // { headers, body } of every request the fake provider got
let customer; // { one_id } of a customer with a phone and no marketing consent
// Kept from one test to the next: the admin's page (logged in once) and the templates' ids.
let adminContext;
let adminPage;
let marketingId;
let serviceId;

before(async () => {
  provider = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body || '{}') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `fake-${received.length}` }));
    });
  });
  await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
  // The console's own start (console.mjs) with the one setting a fake provider on loopback needs.
  const data = demoDataDir({ customers: 20, days: 7 });
  const server = await startServer({ dir: data.dir, env: { BANYAN_MESSAGING_ALLOW_PLAIN_HTTP_LOOPBACK: 'true' } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  env = {
    url: server.url,
    browser,
    password: (username) => passwordOf(data.credentials, username),
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
      cleanup(data.dir);
    },
  };
  // A customer the dispatcher can reach by phone and who has given no marketing consent.
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  const list = await (await admin.fetch('/api/v1/customers?limit=20')).json();
  for (const item of list.items) {
    const full = await (await admin.fetch(`/api/v1/customers/${item.one_id}`)).json();
    const consents = await (await admin.fetch(`/api/v1/customers/${item.one_id}/consents`)).json();
    if (full.identifiers.some((i) => i.type === 'phone') && consents.current.length === 0) {
      customer = { one_id: item.one_id };
      break;
    }
  }
  assert.ok(customer, 'a demo customer with a phone and no consents');
});

after(async () => {
  await adminContext?.close().catch(() => {});
  await env?.close();
  provider?.close();
});

async function choose(page, select, label) {
  await page.locator(`[data-testid=${select}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
}

// Logs in straight to a page (the log-in's redirect), skipping the landing page's analytics.
async function loginTo(page, username, name) {
  await page.goto(`${env.url}/login?redirect=${encodeURIComponent(PAGES[name].path)}`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(env.password(username));
  await page.locator('[data-testid=login-submit]').click();
  await page.waitForURL((u) => u.pathname === PAGES[name].path);
  await ready(page, PAGES[name].ready);
}

async function openFromMenu(page, name) {
  await page.locator(`[data-testid=side-menu] [data-menu=${name}]`).click();
  await ready(page, PAGES[name].ready);
}

// The visible text and every input's value: where a leaked secret would be.
async function pageText(page) {
  return page.evaluate(() => document.body.innerText + [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n'));
}

test('the admin configures a webhook channel and never sees its secret again; may not approve their own template', { timeout: 60_000 }, async () => {
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  const providerUrl = `http://127.0.0.1:${provider.address().port}/send`;
  // The admin's page stays open for the test send below.
  ({ context: adminContext, page: adminPage } = await newPage(env));
  {
    const page = adminPage;
    await loginTo(page, 'admin', 'channels');
    const menu = await menuEntries(page);
    for (const name of MESSAGING_MENU) assert.ok(menu.includes(name), `admin's menu has ${name}`);
    await page.locator('[data-testid=channel-table] .el-empty').waitFor();

    // A plain-http URL off loopback: the server's reason under the URL field.
    await page.locator('[data-testid=channel-create]').click();
    const dialog = page.locator('[data-testid=channel-dialog]');
    await dialog.locator('input[name=channel-name]').fill('bad');
    await dialog.locator('input[name=config-url]').fill('http://example.com/send');
    await dialog.locator('input[name=config-address_type]').fill('phone');
    await dialog.locator('textarea[name=config-body]').fill('{"to": "{{address}}"}');
    await dialog.locator('[data-testid=channel-save]').click();
    await confirmBox(page);
    await expectMessage(page, 'loopback', 'error');
    await dialog.locator('.el-form-item__error', { hasText: 'loopback' }).waitFor();

    // The real one, at the fake provider.
    await dialog.locator('input[name=channel-name]').fill('hook');
    await dialog.locator('input[name=config-url]').fill(providerUrl);
    await dialog.locator('textarea[name=config-body]').fill('{"to": "{{address}}", "text": "{{content.text}}", "id": "{{idempotency_id}}", "sig": "{{secret}}"}');
    await dialog.locator('input[name=config-secret]').fill(SECRET);
    await dialog.locator('input[name=config-callback_token]').fill(CALLBACK_TOKEN);
    await dialog.locator('[data-testid=channel-save]').click();
    await confirmBox(page);
    await expectMessage(page, '渠道 hook 已保存');
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-testid=channel-secret-hook-secret]', { hasText: '已设置' }).waitFor();
    await page.locator('[data-testid=channel-secret-hook-callback_token]', { hasText: '已设置' }).waitFor();
    let text = await pageText(page);
    assert.ok(!text.includes(SECRET) && !text.includes(CALLBACK_TOKEN), 'no secret on the page');
    const stored = await (await admin.fetch('/api/v1/channels/hook')).json();
    assert.equal(stored.config.secret, '********');
    assert.equal(stored.config.url, providerUrl);

    // Editing shows "set" and "replace", never the value; saving without replacing a secret keeps
    // it (the mask goes back and the server keeps what it stored: the send below reaches the
    // provider with the secret).
    await page.locator('[data-testid=channel-edit-hook]').click();
    await dialog.locator('[data-testid=secret-set-secret]', { hasText: '已设置' }).waitFor();
    text = await pageText(page);
    assert.ok(!text.includes(SECRET) && !text.includes(CALLBACK_TOKEN), 'no secret in the edit form');
    await screenshot(page, 'messaging-channel-edit', { dialog: true });
    await dialog.locator('[data-testid=secret-replace-secret]').click();
    await dialog.locator('input[name=config-secret]').waitFor();
    await dialog.getByRole('button', { name: '取消更换' }).click();
    await dialog.locator('[data-testid=secret-set-secret]', { hasText: '已设置' }).waitFor();
    await dialog.locator('[data-testid=channel-save]').click();
    await confirmBox(page);
    await expectMessage(page, '渠道 hook 已保存');
    await dialog.waitFor({ state: 'hidden' });
    const changed = await (await admin.fetch('/api/v1/channels/hook')).json();
    assert.equal(changed.version, stored.version + 1);
    assert.equal(changed.config.secret, '********');
    await screenshot(page, 'messaging-channels');

    // The admin's own template cannot be approved by the admin: the server's reason is shown.
    const own = await (await admin.fetch('/api/v1/message-templates', {
      method: 'POST',
      json: { name: '管理员自审模板', channel: 'hook', purpose: 'marketing', body: { text: 'x' }, variables: [] },
    })).json();
    assert.equal((await admin.fetch(`/api/v1/message-templates/${own.id}/versions/1/submit`, { method: 'POST' })).status, 200);
    await openFromMenu(page, 'message-templates');
    await page.locator(`[data-testid=template-status-${own.id}]`, { hasText: '待审批' }).waitFor();
    await page.locator(`[data-testid=template-open-${own.id}]`).click();
    await page.locator('[data-testid=template-review-1]').click();
    await page.locator('[data-testid=review-approve]').click();
    await confirmBox(page);
    await expectMessage(page, 'reviewed by someone other than its author', 'error');
    await page.locator('[data-testid=template-review-dialog]').getByRole('button', { name: '取消' }).click();
    await page.keyboard.press('Escape');
  }
});

test('a marketer writes and submits templates; the branch manager approves the marketing one', { timeout: 60_000 }, async () => {
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  // The service template through the API: approved on submission, as the list then shows.
  const marketer = await apiLogin(env.url, 'marketer', env.password('marketer'));
  const service = await (await marketer.fetch('/api/v1/message-templates', {
    method: 'POST',
    json: { name: '交易验证码', channel: 'hook', purpose: 'service', body: { text: '您的验证码是{{code}}' }, variables: [{ name: 'code', type: 'string' }] },
  })).json();
  serviceId = service.id;
  assert.equal((await marketer.fetch(`/api/v1/message-templates/${serviceId}/versions/1/submit`, { method: 'POST' })).status, 200);
  {
    const { context, page } = await newPage(env);
    try {
      await loginTo(page, 'marketer', 'message-templates');
      await page.locator(`[data-testid=template-status-${serviceId}]`, { hasText: '已批准' }).waitFor();
      const menu = await menuEntries(page);
      for (const name of ['messages', 'message-templates', 'message-stats']) assert.ok(menu.includes(name), `marketer's menu has ${name}`);
      assert.ok(!menu.includes('channels'), 'a marketer has no channels entry');
      // The marketing template through the form: its variables follow the body's placeholders.
      const name = '理财到期提醒';
      await page.locator('[data-testid=template-create]').click();
      const dialog = page.locator('[data-testid=template-dialog]');
      await dialog.locator('input[name=template-name]').fill(name);
      await dialog.locator('input[name=template-channel]').fill('hook');
      await dialog.locator('textarea[name=template-body]').fill('{"text": "尊敬的{{name}}，您的理财将于{{date}}到期"}');
      await dialog.locator('[data-testid=variable-type-date]').waitFor();
      await choose(page, 'variable-type-date', '日期');
      await screenshot(page, 'messaging-template-editor', { dialog: true });
      await dialog.locator('[data-testid=template-save]').click();
      await confirmBox(page);
      await expectMessage(page, `模板 ${name} 已创建为草稿`);
      const drawer = page.locator('[data-testid=template-drawer]');
      await drawer.locator('[data-testid=version-status-1]', { hasText: '草稿' }).waitFor();
      await drawer.locator('[data-testid=template-submit-1]').click();
      await confirmBox(page);
      await expectMessage(page, '版本 1 已提交');
      // A marketing version waits for a second person, and its writer has no review action.
      await drawer.locator('[data-testid=version-status-1]', { hasText: '待审批' }).waitFor();
      assert.equal(await drawer.locator('[data-testid=template-review-1]').count(), 0, 'a marketer cannot review');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });
      const templates = (await (await admin.fetch('/api/v1/message-templates')).json()).items;
      marketingId = templates.find((t) => t.name === '理财到期提醒').id;
      const marketing = await (await admin.fetch(`/api/v1/message-templates/${marketingId}`)).json();
      assert.deepEqual(marketing.versions[0].variables.map((v) => [v.name, v.type]), [['name', 'string'], ['date', 'date']]);
      await screenshot(page, 'messaging-templates');
    } finally {
      await context.close();
    }
  }

  // The branch manager approves the marketer's marketing template.
  {
    const { context, page } = await newPage(env);
    try {
      await loginTo(page, 'manager.xixi', 'message-templates');
      await page.locator(`[data-testid=template-open-${marketingId}]`).click();
      await page.locator('[data-testid=template-review-1]').click();
      await page.locator('[data-testid=template-review-dialog] textarea[name=review-note]').fill('内容合规');
      await page.locator('[data-testid=review-approve]').click();
      await confirmBox(page);
      await expectMessage(page, '版本 1 已批准');
      await page.locator('[data-testid=template-drawer] [data-testid=version-status-1]', { hasText: '已批准' }).waitFor();
      await page.locator('[data-testid=template-drawer]', { hasText: '内容合规' }).waitFor();
    } finally {
      await context.close();
    }
  }

});

test('the admin test-sends both and finds them in the list, on the customer\'s timeline and in the stats', { timeout: 60_000 }, async () => {
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  {
    const context = adminContext;
    const page = adminPage;
    try {
      await openFromMenu(page, 'message-stats');
      await page.locator('[data-testid=page-message-stats][data-loaded]').waitFor();
      assert.equal(await page.locator('[data-testid=stats-total]').innerText(), '0');
      await page.locator('[data-testid=stats-channel] [data-testid=card-empty]').waitFor();

      await openFromMenu(page, 'message-templates');
      const sent = {};
      for (const [id, values] of [[marketingId, { name: '张先生', date: '2026-12-01' }], [serviceId, { code: '4711' }]]) {
        await page.locator(`[data-testid=template-open-${id}]`).click();
        const drawer = page.locator('[data-testid=template-drawer]');
        await drawer.locator('[data-testid=template-test-1]').click();
        const dialog = page.locator('[data-testid=template-send-dialog]');
        await dialog.locator('input[name=send-one-id]').fill(String(customer.one_id));
        for (const [name, value] of Object.entries(values)) await dialog.locator(`input[name=send-var-${name}]`).fill(value);
        await dialog.locator('[data-testid=send-submit]').click();
        await confirmBox(page);
        await expectMessage(page, '消息已受理');
        const messageId = Number(await dialog.locator('[data-testid=send-result-id]').innerText());
        const state = await dialog.locator('[data-testid=send-result-state]').getAttribute('data-state');
        sent[id] = { messageId, state };
        if (id === marketingId) await screenshot(page, 'messaging-test-send', { dialog: true });
        await dialog.getByRole('button', { name: '取消' }).click();
        await page.keyboard.press('Escape');
        await drawer.waitFor({ state: 'hidden' });
      }
      // The customer gave no marketing consent: refused, whatever the hour (consent comes first).
      assert.equal(sent[marketingId].state, 'refused');
      const refused = await (await admin.fetch(`/api/v1/messages/${sent[marketingId].messageId}`)).json();
      assert.match(refused.reason, /^consent:/);
      // The service message reaches the fake provider, with the secret the console never showed.
      const deadline = Date.now() + 10_000;
      while (!received.some((r) => r.body.id === `banyan-msg-${sent[serviceId].messageId}`) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const delivered = received.find((r) => r.body.id === `banyan-msg-${sent[serviceId].messageId}`);
      assert.ok(delivered, 'the fake provider got the service message');
      assert.equal(delivered.body.text, '您的验证码是4711');
      assert.equal(delivered.body.sig, SECRET);

      // The message list: both, newest first, with the API's states.
      await openFromMenu(page, 'messages');
      for (const { messageId } of Object.values(sent)) {
        const api = await (await admin.fetch(`/api/v1/messages/${messageId}`)).json();
        await page.locator(`[data-testid=message-table] .el-table__row:has([data-testid=message-row-${messageId}]) [data-state=${api.state}]`).waitFor();
      }
      await page.locator(`.el-table__row:has([data-testid=message-row-${sent[marketingId].messageId}])`, { hasText: '未获营销同意' }).waitFor();
      await page.locator(`.el-table__row:has([data-testid=message-row-${sent[marketingId].messageId}])`, { hasText: '理财到期提醒' }).waitFor();
      await choose(page, 'message-filter-state', '已拒发');
      await page.locator('[data-testid=message-query]').click();
      await page.locator(`[data-testid=message-row-${sent[serviceId].messageId}]`).waitFor({ state: 'detached' });
      await page.locator(`[data-testid=message-row-${sent[marketingId].messageId}]`).waitFor();
      await screenshot(page, 'messaging-messages');

      // The customer 360's message timeline.
      await page.goto(`${env.url}/customers/${customer.one_id}`);
      await page.locator('[data-testid=customer-messages][data-loaded]').waitFor();
      for (const { messageId } of Object.values(sent)) {
        await page.locator(`[data-testid=customer-messages] [data-testid=customer-message-${messageId}]`).waitFor();
      }
      await page.locator('[data-testid=customer-messages]', { hasText: '未获营销同意' }).waitFor();
      await page.locator('[data-testid=customer-messages]', { hasText: '模板 交易验证码 v1' }).waitFor();
      await screenshot(page, 'messaging-customer-timeline');

      // The statistics changed: two messages on hook, one refused for consent.
      await page.goto(`${env.url}/messaging/stats`);
      await ready(page, PAGES['message-stats'].ready);
      assert.equal(await page.locator('[data-testid=stats-total]').innerText(), '2');
      // The breadcrumb names the menu group the page is under.
      assert.match(await page.locator('[data-testid=breadcrumb]').innerText(), /^消息\s*\/\s*送达统计/);
      assert.equal(await page.locator('[data-testid=stats-refused]').innerText(), '1');
      await page.locator('[data-testid=stats-channel-table] .el-table__row', { hasText: 'hook' }).waitFor();
      await page.locator('[data-testid=stats-reason-table] [data-reason=consent]').waitFor();
      await page.locator('[data-testid=stats-channel] canvas').waitFor();
      await screenshot(page, 'messaging-stats');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  }
});

test('roles without the messaging permissions see no entries and are refused the pages', { timeout: 30_000 }, async () => {
  for (const [username, hidden] of [['analyst', MESSAGING_MENU], ['marketer', ['channels']]]) {
    const { context, page } = await newPage(env);
    try {
      await loginTo(page, username, 'account');
      const menu = await menuEntries(page);
      for (const name of hidden) {
        assert.ok(!menu.includes(name), `${username} has no ${name} entry`);
        await page.goto(`${env.url}${PAGES[name].path}`);
        await page.locator('[data-testid=page-forbidden]').waitFor();
      }
    } finally {
      await context.close();
    }
  }
});
