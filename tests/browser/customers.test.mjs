// Issue 8, customers: find a customer by any identifier, open the 360 and see masked personal
// data; reveal a value as a role allowed to (audited: the audit page shows the entry); no reveal
// for roles without pii:unmask; each role sees only its scope; tags; the timeline pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { login as apiLogin } from '../blackbox/harness.mjs';
import { PAGES, SUBPAGES, confirmBox, expectMessage, login, newPage, ready, screenshot, startConsole } from './console.mjs';

let env;
let demo; // the generated customers, as imported (demo-data/customers.ndjson), in clear
before(async () => {
  env = await startConsole({ customers: 300, days: 30 });
  demo = readFileSync(join(env.data.dir, 'demo-data', 'customers.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
});
after(async () => {
  await env?.close();
});

async function openAs(username) {
  const { context, page } = await newPage(env);
  await login(page, env.url, username, env.password(username));
  return { context, page };
}

// Searches the customer list by one identifier; resolves when the list has answered.
async function search(page, value, type) {
  await page.locator('[data-testid=side-menu] [data-menu=customers]').click();
  await ready(page, PAGES.customers.ready);
  // The identifier type: as named, or recognised from the value.
  await page.locator('[data-testid=customer-search-type]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: type ?? '自动识别' }).click();
  await page.locator('input[name=identifier]').fill(value);
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/customers?identifier='));
  await page.locator('[data-testid=customer-search]').click();
  await answered;
  await ready(page, `${PAGES.customers.ready}, [data-testid=page-customers] [data-testid=error-state]`);
}

const rowsOf = (page) => page.locator('[data-testid=customer-table] .el-table__body tr.el-table__row');

test('admin finds a customer by phone, sees it masked, reveals the phone and finds the audit entry', { timeout: 120_000 }, async () => {
  const { context, page } = await openAs('admin');
  try {
    // The list: masked names, server-paged.
    await page.locator('[data-testid=side-menu] [data-menu=customers]').click();
    await ready(page, PAGES.customers.ready);
    assert.equal(await rowsOf(page).count(), 20);
    const names = await rowsOf(page).locator('td:nth-child(2)').allInnerTexts();
    for (const name of names) assert.match(name, /\*/, 'names are masked');
    await screenshot(page, 'customers');
    const firstPage = await rowsOf(page).locator('td:first-child').allInnerTexts();
    await page.locator('[data-testid=pager-next]').click();
    await page.locator('[data-testid=pager-page]', { hasText: '2' }).waitFor();
    await ready(page, PAGES.customers.ready);
    const secondPage = await rowsOf(page).locator('td:first-child').allInnerTexts();
    assert.equal(secondPage.length, 20);
    assert.equal(secondPage.filter((id) => firstPage.includes(id)).length, 0, 'page 2 holds other customers');

    // Found by phone, the type recognised from the value.
    const customer = demo[0];
    await search(page, customer.phone);
    assert.equal(await rowsOf(page).count(), 1);
    await screenshot(page, 'customers-found');
    await rowsOf(page).first().locator('[data-testid=customer-link]').click();
    await ready(page, SUBPAGES.customer.ready);
    const oneId = Number(new URL(page.url()).pathname.split('/').pop());

    // Masked: the phone, the name, the amounts; the clear values nowhere on the page.
    const phone = page.locator('[data-testid=identifier-phone]');
    assert.match(await phone.innerText(), /^\d{3}\*{4}\d{4}$/);
    assert.match(await page.locator('[data-testid=attr-name]').innerText(), /\*/);
    assert.equal(await page.locator('[data-testid=attr-aum]').innerText(), '***');
    let text = await page.locator('[data-testid=page-customer]').innerText();
    assert.ok(!text.includes(customer.phone) && !text.includes(customer.name), 'no clear value before a reveal');
    await page.locator('[data-testid=timeline-table] .el-table__body tr.el-table__row').first().waitFor();
    await page.locator('[data-testid=aum-chart] canvas').waitFor();
    // Tags the customer holds, bucket values by the catalog's labels; segments marked as coming.
    const tier = page.locator('[data-testid=customer-tags] [data-tag=aum_tier]');
    await tier.waitFor();
    assert.match(await tier.innerText(), /aum_tier.*(大众|金卡|金葵花|私人银行)/);
    await page.locator('[data-testid=customer-segments-coming]').waitFor();
    await screenshot(page, 'customer-360');

    // Reveal the phone: asks first, shows it, says it was audited.
    await page.locator('[data-testid=reveal-identifier-phone]').click();
    await screenshot(page, 'customer-reveal-confirm', { dialog: true });
    await confirmBox(page);
    await expectMessage(page, '已记入审计日志');
    await page.locator('[data-testid=identifier-phone]', { hasText: customer.phone }).waitFor();
    assert.equal(await page.locator('[data-testid=reveal-identifier-phone]').count(), 0);
    await screenshot(page, 'customer-revealed');
    // Cancelling a reveal shows nothing.
    await page.locator('[data-testid=reveal-attr-name]').click();
    await page.locator('.el-message-box__btns button', { hasText: '取消' }).click();
    text = await page.locator('[data-testid=page-customer]').innerText();
    assert.ok(!text.includes(customer.name));

    // The audit log has the reveal: who, which customer, which field — never the value.
    await page.locator('[data-testid=side-menu] [data-menu=audit]').click();
    await ready(page, PAGES.audit.ready);
    await page.locator('input[data-testid=audit-filter-action]').fill('pii.unmask');
    await page.locator('[data-testid=audit-search]').click();
    await page.locator('[data-testid=audit-table] .el-table__body tr.el-table__row', { hasText: `customer:${oneId}` }).first().waitFor();
    const row = page.locator('[data-testid=audit-table] .el-table__body tr.el-table__row').first();
    assert.match(await row.innerText(), /pii\.unmask/);
    assert.match(await row.innerText(), /admin/);
    await row.locator('.el-table__expand-icon').click();
    const details = page.locator('[data-testid=audit-table] pre.details').first();
    assert.match(await details.innerText(), /identifiers\/phone/);
    assert.ok(!(await page.locator('[data-testid=page-audit]').innerText()).includes(customer.phone));
    await screenshot(page, 'customer-reveal-audited');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('the search takes any identifier type and says why a value is refused or not found', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin');
  try {
    const customer = demo[1];
    // By core customer number, type chosen; by id number, type recognised.
    await search(page, customer.cust_no, '核心客户号');
    assert.equal(await rowsOf(page).count(), 1);
    await search(page, customer.id_card);
    assert.equal(await rowsOf(page).count(), 1);
    assert.match(await page.locator('[data-testid=customer-search-count]').innerText(), /1/);
    // Nobody holds it: the empty state says so.
    await search(page, '19999999999');
    await page.locator('[data-testid=customer-table] .el-empty', { hasText: '没有客户持有这个标识' }).waitFor();
    // A value whose type cannot be told: asked to choose, without a request.
    await page.locator('input[name=identifier]').fill('dev-1');
    await page.locator('[data-testid=customer-search]').click();
    await page.locator('.el-form-item__error', { hasText: '请选择类型' }).waitFor();
    // The server's reason for a malformed value, under the field.
    await search(page, 'abc', '手机号');
    await page.locator('.el-form-item__error', { hasText: '11 digits' }).waitFor();
    await screenshot(page, 'customers-search-refused');
    // The search is in the address: a reload shows the same result.
    await search(page, customer.phone);
    await page.reload();
    await ready(page, PAGES.customers.ready);
    assert.equal(await rowsOf(page).count(), 1);
    assert.equal(await page.locator('input[name=identifier]').inputValue(), customer.phone);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('roles without pii:unmask see masked data and no reveal; each role sees only its scope', { timeout: 120_000 }, async () => {
  const xixi = demo.find((c) => c.home_branch === 'XIXI');
  const other = demo.find((c) => c.home_branch !== 'XIXI');
  for (const username of ['analyst', 'rm.xixi', 'auditor']) {
    const { context, page } = await openAs(username);
    try {
      await page.locator('[data-testid=side-menu] [data-menu=customers]').click();
      await ready(page, PAGES.customers.ready);
      if (username === 'rm.xixi') {
        // A relationship manager's list holds their own customers only.
        const rms = await rowsOf(page).locator('td:nth-child(8)').allInnerTexts();
        assert.ok(rms.length > 0);
        for (const rm of rms) assert.equal(rm.trim(), 'rm.xixi');
      }
      await rowsOf(page).first().locator('[data-testid=customer-link]').click();
      // Every section drawn (identifiers included), so "no reveal" means none anywhere.
      await ready(page, SUBPAGES.customer.complete);
      await page.locator('[data-testid=customer-aum] .hint', { hasText: 'pii:unmask' }).waitFor();
      assert.equal(await page.locator('[data-testid^=reveal-]').count(), 0, `${username} has no reveal`);
      assert.match(await page.locator('[data-testid=identifier-phone]').innerText(), /\*{4}/);
      await screenshot(page, `customer-360-${username}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  }

  // The branch manager may reveal, within the Xixi sub-branch only.
  const { context, page } = await openAs('manager.xixi');
  try {
    await search(page, other.phone);
    await page.locator('[data-testid=customer-table] .el-empty').waitFor();
    await search(page, xixi.phone);
    await rowsOf(page).first().locator('[data-testid=customer-link]').click();
    await ready(page, SUBPAGES.customer.complete);
    assert.ok(await page.locator('[data-testid=reveal-identifier-phone]').isVisible());
    // A customer outside the scope answers like one that does not exist.
    const outside = await apiLogin(env.url, 'admin', env.password('admin'));
    const found = await (await outside.fetch(`/api/v1/customers?identifier=phone:${other.phone}`)).json();
    await page.goto(`${env.url}/customers/${found.items[0].one_id}`);
    await page.locator('[data-testid=error-state]').waitFor();
    await screenshot(page, 'customer-out-of-scope');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('the timeline pages through the events, newest first', { timeout: 90_000 }, async () => {
  // A customer with more than a page of events.
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  let busy = null;
  for (let cursor = null, tries = 0; busy === null && tries < 5; tries += 1) {
    const page = await (await admin.fetch(`/api/v1/customers?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json();
    for (const c of page.items) {
      const events = await (await admin.fetch(`/api/v1/customers/${c.one_id}/events?limit=20`)).json();
      if (events.next_cursor) { busy = c.one_id; break; }
    }
    cursor = page.next_cursor;
  }
  assert.ok(busy !== null, 'the demo data has a customer with more than 20 events');
  const { context, page } = await openAs('analyst');
  try {
    await page.goto(`${env.url}/customers/${busy}`);
    await ready(page, SUBPAGES.customer.ready);
    const rows = page.locator('[data-testid=timeline-table] .el-table__body tr.el-table__row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);
    const firstTimes = await rows.locator('td:nth-child(2)').allInnerTexts();
    const timeline = page.locator('[data-testid=customer-timeline]');
    await timeline.locator('[data-testid=pager-next]').click();
    await timeline.locator('[data-testid=pager-page]', { hasText: '2' }).waitFor();
    await ready(page, SUBPAGES.customer.ready);
    const secondTimes = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.ok(secondTimes.length > 0);
    assert.ok(secondTimes[0] <= firstTimes[firstTimes.length - 1], 'older events on page 2');
    await rows.first().locator('.el-table__expand-icon').click();
    await page.locator('[data-testid=customer-timeline] .event-details').first().waitFor();
    await screenshot(page, 'customer-timeline');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
