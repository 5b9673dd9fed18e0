// Issue 8, segments: build a segment from conditions and watch the live count follow them (the
// same count the API gives for the written expression), save it and find it in the list; the
// expression mode shows the server's reason for a malformed expression; a role without
// segments:read has no menu entry and is refused the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login as apiLogin } from '../blackbox/harness.mjs';
import { PAGES, confirmBox, expectMessage, login, menuEntries, newPage, ready, screenshot, startConsole } from './console.mjs';

let env;
before(async () => {
  env = await startConsole({ customers: 300, days: 30 });
});
after(async () => {
  await env?.close();
});

// Chooses an option of the Element Plus select inside `scope`.
async function choose(page, scope, select, label) {
  await page.locator(`${scope} [data-testid=${select}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
}

// The preview's count once it shows `expression`'s answer.
async function countFor(page, api, expression) {
  await page.locator('[data-testid=segment-expression]', { hasText: expression }).waitFor();
  const answer = await (await api.fetch('/api/v1/segments/preview', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ expression, sample: 0 }),
  })).json();
  const expected = answer.count.toLocaleString('zh-CN');
  await page.locator('[data-testid=segment-preview-count]', { hasText: new RegExp(`^${expected}$`) }).waitFor();
  return answer.count;
}

test('admin builds a segment from conditions, watches the count, saves it and finds it listed', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(env);
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  try {
    await login(page, env.url, 'admin', env.password('admin'));
    await page.locator('[data-testid=side-menu] [data-menu=segments]').click();
    await ready(page, PAGES.segments.ready);
    await page.locator('[data-testid=segment-builder] [data-testid=condition-add]').waitFor();

    // age ≥ 30
    await page.locator('[data-testid=condition-add]').click();
    await choose(page, '[data-testid=condition-0]', 'condition-attribute', 'age');
    await choose(page, '[data-testid=condition-0]', 'condition-op', '大于等于');
    await page.locator('[data-testid=condition-0] [data-testid=condition-value]').fill('30');
    const older = await countFor(page, api, 'age >= 30');
    assert.ok(older > 0, 'some demo customers are 30 or older');

    // … and logged in within the last 30 days: the count follows.
    await page.locator('[data-testid=condition-add]').click();
    await choose(page, '[data-testid=condition-1]', 'condition-kind', '行为');
    await choose(page, '[data-testid=condition-1]', 'condition-event', 'login');
    const active = await countFor(page, api, 'age >= 30 and did login in last 30 days');
    assert.ok(active <= older);
    // "Any condition" widens it again.
    await page.locator('[data-testid=segment-builder] label', { hasText: '任一条件' }).click();
    const either = await countFor(page, api, 'age >= 30 or did login in last 30 days');
    assert.ok(either >= older);
    await page.locator('[data-testid=segment-builder] label', { hasText: '全部条件' }).click();
    await countFor(page, api, 'age >= 30 and did login in last 30 days');
    assert.ok((await page.locator('[data-testid=segment-sample] .el-table__body tr').count()) > 0, 'a masked sample');
    await screenshot(page, 'segment-builder');

    // An incomplete condition says which and what is missing, and asks for nothing.
    await page.locator('[data-testid=condition-add]').click();
    await page.locator('[data-testid=segment-incomplete]', { hasText: '第 3 个条件' }).waitFor();
    await page.locator('[data-testid=condition-2] [data-testid=condition-remove]').click();

    // Save it as a live segment.
    await page.locator('[data-testid=segment-save-name]').fill('三十岁以上近月登录');
    await page.locator('[data-testid=segment-save]').click();
    await confirmBox(page);
    await expectMessage(page, '已保存人群');
    await page.locator('[data-testid=segment-table] [data-testid=segment-name]', { hasText: '三十岁以上近月登录' }).waitFor();
    const saved = (await (await api.fetch('/api/v1/segments')).json()).items.find((s) => s.name === '三十岁以上近月登录');
    assert.equal(saved.expression, 'age >= 30 and did login in last 30 days');
    assert.equal(saved.kind, 'live');
    await screenshot(page, 'segments');

    // The expression mode starts from the conditions' text; a malformed one shows the reason.
    await page.locator('[data-testid=segment-mode-text]').click();
    const textarea = page.locator('[data-testid=segment-text]');
    assert.equal(await textarea.inputValue(), 'age >= 30 and did login in last 30 days');
    await textarea.fill('age >= ');
    await page.locator('[data-testid=segment-preview-error]', { hasText: 'expected a value' }).waitFor();
    await screenshot(page, 'segment-expression-error');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('a relationship manager (no segments:read) has no segments entry and is refused the page', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(env);
  try {
    await login(page, env.url, 'rm.xixi', env.password('rm.xixi'));
    assert.ok(!(await menuEntries(page)).includes('segments'));
    await page.goto(`${env.url}/segments`);
    await page.locator('[data-testid=page-forbidden]').waitFor();
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin reads the tag catalog, counts holders, creates a rule tag and recomputes it', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(env);
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  try {
    await login(page, env.url, 'admin', env.password('admin'));
    await page.locator('[data-testid=side-menu] [data-menu=tags]').click();
    await ready(page, PAGES.tags.ready);
    const names = await page.locator('[data-testid=tag-table] [data-testid=tag-name]').allInnerTexts();
    assert.ok(names.includes('aum_tier') && names.includes('lifecycle'), `built-in tags listed: ${names}`);

    // Holders of the AUM tiers, per tier by the catalog's labels, in the admin's scope (everyone).
    await page.locator('[data-testid=tag-count-aum_tier]').click();
    const holders = page.locator('[data-testid=tag-holders-aum_tier]');
    await holders.waitFor();
    assert.match(await holders.innerText(), /^300\b.*大众/);

    // A rule tag; a missing category is named under its field first.
    await page.locator('[data-testid=tag-create]').click();
    await page.locator('[data-testid=tag-form-name]').fill('young');
    await page.locator('[data-testid=tag-form-expression]').fill('age < 30');
    await page.locator('[data-testid=tag-dialog] label', { hasText: '手动' }).click();
    await page.locator('[data-testid=tag-form-submit]').click();
    await page.locator('[data-testid=tag-dialog] .el-form-item__error', { hasText: '请填写分类' }).waitFor();
    await page.locator('[data-testid=tag-form-category]').fill('年龄');
    await screenshot(page, 'tag-create-dialog', { dialog: true });
    await page.locator('[data-testid=tag-form-submit]').click();
    await confirmBox(page);
    await expectMessage(page, '已创建标签');
    await page.locator('[data-testid=tag-table] [data-testid=tag-name]', { hasText: 'young' }).waitFor();

    // Only rule tags under "rule"; its holders are who the expression matches.
    await page.locator('[data-testid=tag-kind-filter] label', { hasText: '规则标签' }).click();
    assert.deepEqual(await page.locator('[data-testid=tag-table] [data-testid=tag-name]').allInnerTexts(), ['young']);
    const expected = (await (await api.fetch('/api/v1/segments/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expression: 'age < 30', sample: 0 }),
    })).json()).count;
    await page.locator('[data-testid=tag-table] .el-table__body tr', { hasText: 'young' }).getByRole('button', { name: '立即重算' }).click();
    await confirmBox(page);
    await expectMessage(page, '已重算标签');
    assert.equal((await page.locator('[data-testid=tag-holders-young]').innerText()).trim(), expected.toLocaleString('zh-CN'));
    await screenshot(page, 'tags');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
