// Issue 8: what changes data — staff, keys, branches — confirms and reports; the auditor verifies
// the chain; the language switch is remembered per user; an ended session returns to log-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PAGES, confirmBox, login, menuEntries, expectMessage, newPage, ready, screenshot, startConsole } from './console.mjs';

let env;
before(async () => {
  env = await startConsole();
});
after(async () => {
  await env?.close();
});

async function openAs(username, path) {
  const { context, page } = await newPage(env);
  await login(page, env.url, username, env.password(username));
  if (path) {
    const name = Object.keys(PAGES).find((n) => PAGES[n].path === path);
    await page.goto(`${env.url}${path}`);
    await ready(page, PAGES[name].ready);
  }
  return { context, page };
}

test('admin creates a staff member, sees field errors from the server, then sees them listed', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin', '/settings/staff');
  try {
    await screenshot(page, 'staff');
    await page.locator('[data-testid=staff-create]').click();
    const dialog = page.locator('[data-testid=staff-create-dialog]');
    await dialog.waitFor();
    // A username the server refuses: its problem+json pointer (/username) lands on the field.
    await dialog.locator('input[name=new-username]').fill('Bad Name');
    await dialog.locator('input[name=new-display-name]').fill('客户经理 周杰');
    await dialog.locator('[data-testid=staff-create-role]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '客户经理' }).click();
    await dialog.locator('input[name=new-password]').fill('西溪支行新员工足够长的密码短句');
    await dialog.locator('input[name=new-password-repeat]').fill('西溪支行新员工足够长的密码短句');
    await screenshot(page, 'staff-create-dialog', { dialog: true });
    await dialog.locator('[data-testid=staff-create-submit]').click();
    await confirmBox(page);
    const fieldError = dialog.locator('.el-form-item.is-error .el-form-item__error').first();
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /a-z/);
    await expectMessage(page, /请求内容有误/, 'error');
    await screenshot(page, 'staff-create-field-error', { dialog: true });

    await dialog.locator('input[name=new-username]').fill('zhou.jie');
    await dialog.locator('[data-testid=staff-create-submit]').click();
    await confirmBox(page);
    await expectMessage(page, /员工 客户经理 周杰 已创建/);
    await dialog.waitFor({ state: 'hidden' });
    await ready(page, PAGES.staff.ready);
    const rows = await page.locator('[data-testid=staff-table] .el-table__body tr').allInnerTexts();
    assert.equal(rows.length, 1, 'the list is filtered to the new username');
    assert.match(rows[0], /zhou\.jie/);
    assert.match(rows[0], /客户经理 周杰/);

    // Cleared filter: the new member is among everyone.
    await page.locator('input[data-testid=staff-filter-q]').fill('');
    await page.locator('[data-testid=staff-search]').click();
    await ready(page, PAGES.staff.ready);
    const all = await page.locator('[data-testid=staff-table] .el-table__body tr').count();
    assert.equal(all, 7);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin creates a write key and sees its secret once', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin', '/settings/api-keys');
  try {
    await screenshot(page, 'api-keys');
    await page.locator('[data-testid=key-create]').click();
    const dialog = page.locator('[data-testid=key-create-dialog]');
    await dialog.waitFor();
    await dialog.locator('input[name=key-name]').fill('手机银行 App 埋点');
    await dialog.locator('[data-testid=key-kind-write]').click();
    await screenshot(page, 'api-key-create-dialog', { dialog: true });
    await dialog.locator('[data-testid=key-create-submit]').click();
    await confirmBox(page);
    const secretDialog = page.locator('[data-testid=key-secret-dialog]');
    await secretDialog.waitFor();
    const secret = await secretDialog.locator('input[data-testid=key-secret]').inputValue();
    assert.match(secret, /^wk_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, 'api-key-secret', { dialog: true });
    await secretDialog.locator('[data-testid=key-secret-close]').click();
    await secretDialog.waitFor({ state: 'hidden' });
    await ready(page, PAGES['api-keys'].ready);

    // Listed by prefix; the secret itself is nowhere in the page any more.
    const rows = await page.locator('[data-testid=key-table] .el-table__body tr').allInnerTexts();
    const row = rows.find((r) => r.includes('手机银行 App 埋点'));
    assert.ok(row, 'the new key is listed');
    assert.ok(row.includes(secret.slice(0, 11)));
    assert.equal((await page.content()).includes(secret), false);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.equal(stored.includes(secret), false);

    // It authenticates nothing but event writes, and revoking it asks first.
    const revoke = page.locator('[data-testid^=key-revoke-]').first();
    await revoke.click();
    await confirmBox(page);
    await expectMessage(page, /已吊销/);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin sees every page, with branches and the outlet map', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin');
  try {
    for (const name of Object.keys(PAGES)) {
      await page.locator(`[data-testid=side-menu] [data-menu=${name}]`).click();
      await ready(page, PAGES[name].ready);
      await screenshot(page, name);
      if (name === 'branches') {
        assert.equal(await page.locator('[data-testid=branch-table] .el-table__body tr').count(), 16);
      }
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin adds a sub-branch below a branch; it joins the table and the map', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin', '/settings/branches');
  try {
    await page.locator('[data-testid=branch-add-child-XH]').click();
    const dialog = page.locator('[data-testid=branch-dialog]');
    await dialog.waitFor();
    await dialog.locator('input[name=branch-code]').fill('ZJG');
    await dialog.locator('input[name=branch-name]').fill('紫金港支行');
    await dialog.locator('input[name=branch-address]').fill('浙江省杭州市西湖区余杭塘路866号');
    await dialog.locator('input[name=branch-latitude]').fill('30.3075');
    await dialog.locator('input[name=branch-longitude]').fill('120.0863');
    await screenshot(page, 'branch-create-dialog', { dialog: true });
    await dialog.locator('[data-testid=branch-submit]').click();
    await confirmBox(page);
    await expectMessage(page, /机构 紫金港支行 已创建/);
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-testid=branch-table] .el-table__body tr', { hasText: '紫金港支行' }).waitFor();
    assert.equal(await page.locator('[data-testid=branch-table] .el-table__body tr').count(), 17);

    // The same code again: the server's 409 is reported and the dialog stays open.
    await page.locator('[data-testid=branch-add-child-XH]').click();
    await dialog.waitFor();
    await dialog.locator('input[name=branch-code]').fill('ZJG');
    await dialog.locator('input[name=branch-name]').fill('重复代码');
    await dialog.locator('input[name=branch-address]').fill('同上');
    await dialog.locator('input[name=branch-latitude]').fill('30.3');
    await dialog.locator('input[name=branch-longitude]').fill('120.1');
    await dialog.locator('[data-testid=branch-submit]').click();
    await confirmBox(page);
    await expectMessage(page, /已存在|当前状态/, 'error');
    assert.ok(await dialog.isVisible());
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('anyone changes their own password from My account', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('marketer', '/account');
  try {
    const form = page.locator('[data-testid=password-form]');
    await form.locator('input[name=current-password]').fill('not-my-password');
    await form.locator('input[name=new-password]').fill('营销部门新的足够长的密码');
    await form.locator('input[name=repeat-password]').fill('营销部门新的足够长的密码');
    await form.locator('[data-testid=password-submit]').click();
    await confirmBox(page);
    // The server names /current_password; the console shows it under the current password.
    const error = form.locator('.el-form-item.is-error .el-form-item__error').first();
    await error.waitFor();
    assert.match(await error.innerText(), /current password/);
    await screenshot(page, 'account-password-error');

    await form.locator('input[name=current-password]').fill(env.password('marketer'));
    await form.locator('[data-testid=password-submit]').click();
    await confirmBox(page);
    await expectMessage(page, /密码已修改/);

    const fresh = await newPage(env);
    await login(fresh.page, env.url, 'marketer', '营销部门新的足够长的密码');
    await fresh.context.close();
  } finally {
    await context.close();
  }
});

test('the auditor opens the audit log, filters it and verifies the chain', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('auditor', '/settings/audit');
  try {
    await page.locator('[data-testid=audit-verify]').click();
    const result = page.locator('[data-testid=audit-verify-result]');
    await result.waitFor();
    assert.match(await result.innerText(), /哈希链完整：共 \d+ 条记录/);
    await screenshot(page, 'audit-verified');

    await page.locator('input[data-testid=audit-filter-action]').fill('auth.*');
    await page.locator('[data-testid=audit-search]').click();
    await ready(page, PAGES.audit.ready);
    const actions = await page.locator('[data-testid=audit-table] .el-table__body tr.el-table__row td:nth-child(5)').allInnerTexts();
    assert.ok(actions.length > 0);
    for (const action of actions) assert.match(action, /^auth\./);

    // A filter the server refuses shows its reason next to the field.
    await page.locator('input[data-testid=audit-filter-action]').fill('bad action!');
    await page.locator('[data-testid=audit-search]').click();
    await page.locator('[data-testid=error-state]').waitFor();
    await screenshot(page, 'audit-filter-error');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('the language switch is remembered per user, across reloads and browsers', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('analyst', '/account');
  try {
    const switchTo = async (label) => {
      await page.locator('[data-testid=locale-switch]').first().click();
      const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
      await page.locator('[data-testid=locale-switch] [role=menuitem]', { hasText: label }).first().click();
      assert.equal((await saved).status(), 200);
    };
    await switchTo('English');
    await page.locator('[data-testid=side-menu]', { hasText: 'My account' }).waitFor();
    assert.equal(await page.locator('[data-testid=app-title]').innerText(), 'Banyan Customer Operations Platform');
    await page.reload();
    await ready(page, PAGES.account.ready);
    assert.equal(await page.locator('[data-testid=user-role]').innerText(), 'Analyst');
    await screenshot(page, 'account-en');
    await page.goto(`${env.url}/settings/branches`);
    await ready(page, PAGES.branches.ready);
    await screenshot(page, 'branches-en');

    // Another browser: the server remembered the choice for this user.
    const other = await newPage(env);
    await login(other.page, env.url, 'analyst', env.password('analyst'));
    assert.equal(await other.page.locator('[data-testid=app-title]').innerText(), 'Banyan Customer Operations Platform');
    await other.context.close();

    // …but not for anyone else.
    const admin = await newPage(env);
    await login(admin.page, env.url, 'admin', env.password('admin'));
    assert.equal(await admin.page.locator('[data-testid=app-title]').innerText(), '榕树 Banyan 客户运营平台');
    await admin.context.close();

    await switchTo('中文');
    await page.locator('[data-testid=side-menu]', { hasText: '我的账户' }).waitFor();
    await page.reload();
    await ready(page, PAGES.branches.ready);
    assert.equal(await page.locator('[data-testid=app-title]').innerText(), '榕树 Banyan 客户运营平台');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('an ended session sends the next action to log-in, and back afterwards', { timeout: 90_000 }, async () => {
  const { context, page } = await openAs('admin', '/settings/staff');
  try {
    await context.clearCookies();
    await page.locator('[data-testid=side-menu] [data-menu=audit]').click();
    await page.waitForURL(/\/login\?redirect=/);
    await expectMessage(page, /会话已过期/, 'warning');
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/settings/audit');
    await screenshot(page, 'session-expired');
    // Nothing of the old session is left in the page.
    assert.deepEqual(await menuEntries(page), []);

    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(env.password('admin'));
    await page.locator('[data-testid=login-submit]').click();
    await ready(page, PAGES.audit.ready);
    assert.equal(new URL(page.url()).pathname, '/settings/audit');

    // Log-out asks first, then ends the session on the server.
    await page.locator('[data-testid=user-menu]').click();
    await page.locator('[data-testid=logout]').click();
    await confirmBox(page);
    await page.waitForURL(/\/login$/);
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401);
  } finally {
    await context.close();
  }
});
