// Issue 8: log in as each demo role and see only what the role allows; log-in failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login as apiLogin } from '../blackbox/harness.mjs';
import { MENU, PAGES, landing, login, menuEntries, newPage, ready, screenshot, startConsole } from './console.mjs';

let env;
before(async () => {
  env = await startConsole();
});
after(async () => {
  await env?.close();
});

const DEMO_USERS = ['admin', 'analyst', 'marketer', 'manager.xixi', 'rm.xixi', 'auditor'];

// What the roles are documented to reach (docs/security.md), as a second check on the
// permission-derived expectation below.
const ANALYTICS = ['funnel', 'retention', 'activity', 'trends', 'aum'];
const MESSAGING = ['messages', 'message-templates', 'message-stats'];
const DOCUMENTED_MENU = {
  admin: ['overview', 'account', 'customers', 'segments', 'tags', ...ANALYTICS, ...MESSAGING, 'channels', 'staff', 'roles', 'branches', 'api-keys', 'audit'],
  analyst: ['overview', 'account', 'customers', 'segments', 'tags', ...ANALYTICS, 'branches'],
  marketer: ['overview', 'account', 'customers', 'segments', 'tags', ...ANALYTICS, ...MESSAGING, 'branches'],
  'manager.xixi': ['overview', 'account', 'customers', 'segments', 'tags', ...ANALYTICS, ...MESSAGING, 'staff', 'roles', 'branches'],
  'rm.xixi': ['account', 'customers', 'tags', ...MESSAGING, 'branches'],
  auditor: ['overview', 'account', 'customers', 'segments', 'tags', ...ANALYTICS, ...MESSAGING, 'staff', 'roles', 'branches', 'audit'],
};
// Where each lands after logging in: the overview with analytics:read, else the customers.
const LANDING = { admin: 'overview', analyst: 'overview', marketer: 'overview', 'manager.xixi': 'overview', 'rm.xixi': 'customers', auditor: 'overview' };

for (const username of DEMO_USERS) {
  test(`${username} sees exactly the pages the role's permissions allow`, { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(env);
    try {
      await login(page, env.url, username, env.password(username));
      const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      const permissions = new Set(me.principal.permissions);
      const allowed = Object.entries(MENU)
        .filter(([, permission]) => permission === null || permissions.has(permission))
        .map(([name]) => name);
      const shown = await menuEntries(page);
      assert.deepEqual(shown, allowed, `${username}'s menu`);
      assert.deepEqual(shown, DOCUMENTED_MENU[username]);
      assert.equal(landing(page), LANDING[username], `${username} lands on ${LANDING[username]}`);
      await page.goto(`${env.url}/account`);
      await ready(page, PAGES.account.ready);

      // The header names the person and their role; the account page their permissions.
      assert.equal(await page.locator('[data-testid=user-name]').innerText(), me.staff.display_name);
      const permissionTags = await page.locator('[data-testid=my-permissions] [data-permission]').evaluateAll((tags) => tags.map((t) => t.getAttribute('data-permission')));
      assert.deepEqual(permissionTags.sort(), [...permissions].sort());
      await screenshot(page, `account-${username}`);

      // Pages the role may not use are refused even by typing their address.
      for (const [name, permission] of Object.entries(MENU)) {
        if (permission === null || permissions.has(permission)) continue;
        await page.goto(`${env.url}${PAGES[name].path}`);
        await page.locator('[data-testid=page-forbidden]').waitFor();
      }
      // Pages it may use open.
      for (const name of allowed) {
        await page.goto(`${env.url}${PAGES[name].path}`);
        await ready(page, PAGES[name].ready);
      }
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
}

test('the branch manager sees only their own branch and its staff', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'manager.xixi', env.password('manager.xixi'));
    await page.goto(`${env.url}/settings/branches`);
    await ready(page, PAGES.branches.ready);
    const branches = await page.locator('[data-testid=branch-table] .el-table__body tr').allInnerTexts();
    assert.equal(branches.length, 1);
    assert.match(branches[0], /西溪支行/);
    assert.match(branches[0], /XIXI/);
    await screenshot(page, 'branches-manager.xixi');

    await page.goto(`${env.url}/settings/staff`);
    await ready(page, PAGES.staff.ready);
    const usernames = await page.locator('[data-testid=staff-table] .el-table__body tr td:first-child').allInnerTexts();
    assert.deepEqual(usernames.map((u) => u.split(/\s/)[0]).sort(), ['manager.xixi', 'rm.xixi']);
    await screenshot(page, 'staff-manager.xixi');
  } finally {
    await context.close();
  }
});

test('a wrong password shows the server’s refusal; a locked account says so', { timeout: 90_000 }, async () => {
  // A throwaway account, so the lock-out does not disturb the demo logins.
  const admin = await apiLogin(env.url, 'admin', env.password('admin'));
  const created = await admin.fetch('/api/v1/staff', {
    method: 'POST',
    json: { username: 'locked.test', display_name: '锁定测试', password: 'a-long-enough-pass-1', role: 'analyst', branch_id: 1 },
  });
  assert.equal(created.status, 201);

  const { context, page } = await newPage(env);
  try {
    await page.goto(`${env.url}/login`);
    await page.locator('[data-testid=login-title]').waitFor();
    await screenshot(page, 'login');
    let last = '';
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      await page.locator('input[name=username]').fill('locked.test');
      await page.locator('input[name=password]').fill(`wrong-password-${attempt}`);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await page.locator('[data-testid=login-submit]').click();
      const response = await answered;
      const alert = page.locator('[data-testid=login-error]');
      await alert.waitFor();
      last = await alert.innerText();
      if (attempt === 1) {
        assert.equal(response.status(), 401);
        assert.match(last, /用户名或密码错误/);
        assert.match(last, /invalid username or password/);
        await screenshot(page, 'login-error');
      }
      if (response.status() === 429) break;
    }
    assert.match(last, /账户已锁定或尝试次数过多/);
    assert.match(last, /locked/i);
    await screenshot(page, 'login-locked');
    assert.equal(page.url(), `${env.url}/login`);
  } finally {
    await context.close();
  }
});
