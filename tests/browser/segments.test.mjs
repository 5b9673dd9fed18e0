// Issue 8, segments: build a segment from conditions and watch the live count follow them (the
// same count the API gives for the written expression), save it and find it in the list; the
// expression mode shows the server's reason for a malformed expression; a role without
// segments:read has no menu entry and is refused the page. A saved segment's page: edit it and
// see the new count, take a snapshot, export its members (the file is the API's), delete one;
// the overlap of two segments is the API's; an imported tag's holders uploaded from a file, the
// counts reported and a customer carrying the tag; roles without the permissions see none of
// the actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

test('admin nests an AND/OR group in the builder; the text and the count follow it', { timeout: 60_000 }, async () => {
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  const { context, page } = await openAs('admin', '/segments', PAGES.segments.ready);
  try {
    await page.locator('[data-testid=segment-builder] [data-testid=condition-add]').click();
    await choose(page, '[data-testid=condition-0]', 'condition-attribute', 'age');
    await choose(page, '[data-testid=condition-0]', 'condition-op', '大于等于');
    await page.locator('[data-testid=condition-0] [data-testid=condition-value]').fill('30');
    await countFor(page, api, 'age >= 30');

    // A group under "all": it starts as "any", with one condition.
    await page.locator('[data-testid=group-add]').click();
    const group = page.locator('[data-testid=group-1]');
    await choose(page, '[data-testid=condition-1-0]', 'condition-attribute', 'age');
    await choose(page, '[data-testid=condition-1-0]', 'condition-op', '小于');
    await page.locator('[data-testid=condition-1-0] [data-testid=condition-value]').fill('40');
    await countFor(page, api, 'age >= 30 and age < 40');
    await group.locator('[data-testid=group-condition-add]').click();
    await choose(page, '[data-testid=condition-1-1]', 'condition-kind', '行为');
    await choose(page, '[data-testid=condition-1-1]', 'condition-event', 'login');
    const either = await countFor(page, api, 'age >= 30 and (age < 40 or did login in last 30 days)');
    await screenshot(page, 'segment-builder-groups');
    // The group's own combinator.
    await group.locator('[data-testid=group-combinator] label', { hasText: '全部条件' }).click();
    const both = await countFor(page, api, 'age >= 30 and (age < 40 and did login in last 30 days)');
    assert.ok(both <= either);

    // An incomplete condition two groups down is named by its place.
    await group.locator('[data-testid=group-group-add]').click();
    await page.locator('[data-testid=condition-1-2-0] [data-testid=condition-kind]').waitFor();
    await page.locator('[data-testid=segment-incomplete]', { hasText: '第 2.3.1 个条件' }).waitFor();
    await page.locator('[data-testid=group-1-2] [data-testid=group-remove]').first().click();
    await countFor(page, api, 'age >= 30 and (age < 40 and did login in last 30 days)');
    // The expression mode starts from the nested text.
    await page.locator('[data-testid=segment-mode-text]').click();
    assert.equal(await page.locator('[data-testid=segment-text]').inputValue(), 'age >= 30 and (age < 40 and did login in last 30 days)');
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

// A live segment saved through the API; returns it.
async function saveSegment(api, name, expression) {
  const res = await api.fetch('/api/v1/segments', { method: 'POST', json: { name, expression, kind: 'live' } });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}
async function previewCount(api, expression) {
  const res = await api.fetch('/api/v1/segments/preview', { method: 'POST', json: { expression, sample: 0 } });
  return (await res.json()).count;
}
// Logs in and opens a page by its address.
async function openAs(user, path, readySelector) {
  const { context, page } = await newPage(env);
  await login(page, env.url, user, env.password(user));
  await page.goto(`${env.url}${path}`);
  await ready(page, readySelector);
  return { context, page };
}
const DETAIL_READY = '[data-testid=segment-detail][data-loaded] [data-testid=segment-detail-count]';

test('admin edits a saved segment and sees the new count, takes a snapshot and exports the members', { timeout: 60_000 }, async () => {
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  const segment = await saveSegment(api, '年龄门槛', 'age >= 30');
  const { context, page } = await openAs('admin', '/segments', PAGES.segments.ready);
  try {
    // From the list to its page: the definition and the count in scope.
    await page.locator('[data-testid=segment-table] [data-testid=segment-name]', { hasText: '年龄门槛' }).click();
    await ready(page, DETAIL_READY);
    assert.equal(new URL(page.url()).pathname, `/segments/${segment.id}`);
    assert.equal(await page.locator('[data-testid=segment-detail-expression]').innerText(), 'age >= 30');
    const before = await previewCount(api, 'age >= 30');
    assert.equal(await page.locator('[data-testid=segment-detail-count]').innerText(), before.toLocaleString('zh-CN'));
    assert.match(await page.locator('[data-testid=segment-detail-owner]').innerText(), /#\d+/);

    // Edit the expression: the live count follows as it is typed, and the saved page shows it.
    await page.locator('[data-testid=segment-edit]').click();
    await page.locator('[data-testid=segment-edit-expression]').fill('age >= 40');
    const after = await previewCount(api, 'age >= 40');
    assert.ok(after < before, 'fewer customers are 40 or older than 30 or older');
    await page.locator('[data-testid=segment-edit-count]', { hasText: new RegExp(`^${after.toLocaleString('zh-CN')}$`) }).waitFor();
    await screenshot(page, 'segment-edit', { dialog: true });
    await page.locator('[data-testid=segment-edit-save]').click();
    await confirmBox(page);
    await expectMessage(page, '已保存人群');
    await page.locator('[data-testid=segment-detail-expression]', { hasText: 'age >= 40' }).waitFor();
    await page.locator('[data-testid=segment-detail-count]', { hasText: new RegExp(`^${after.toLocaleString('zh-CN')}$`) }).waitFor();
    const saved = await (await api.fetch(`/api/v1/segments/${segment.id}`)).json();
    assert.equal(saved.expression, 'age >= 40');
    assert.equal(saved.version, segment.version + 1);

    // A snapshot freezes the members.
    await page.locator('[data-testid=segment-snapshot]').click();
    await confirmBox(page);
    await expectMessage(page, '拍摄快照');
    await page.locator('[data-testid=snapshot-row] [data-testid=snapshot-count]', { hasText: after.toLocaleString('zh-CN') }).waitFor();

    // Export: the download is the API's file — the one_id header and a row per member.
    const downloading = page.waitForEvent('download');
    await page.locator('[data-testid=segment-export]').click();
    await confirmBox(page);
    const download = await downloading;
    await expectMessage(page, '已导出人群');
    assert.equal(download.suggestedFilename(), `segment-${segment.id}.csv`);
    const file = join(env.data.dir, 'export.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const fromApi = (await (await api.fetch(`/api/v1/segments/${segment.id}/export`)).text()).trim().split('\n');
    assert.equal(lines[0], 'one_id');
    assert.equal(lines.length - 1, after);
    assert.deepEqual(lines, fromApi);
    await page.locator('[data-testid=segment-exported]', { hasText: String(after) }).waitFor();
    await screenshot(page, 'segment-detail');
    // The export is audited.
    const audit = await (await api.fetch('/api/v1/audit?action=segment.export')).json();
    assert.ok(audit.items.some((e) => e.target_id === String(segment.id)), 'segment.export audited');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin deletes a saved segment, and the overlap of two segments is the API\'s', { timeout: 60_000 }, async () => {
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  const doomed = await saveSegment(api, '待删除', 'age < 25');
  const young = await saveSegment(api, '二十五岁以下', 'age < 25');
  const active = await saveSegment(api, '月活客户', 'did login in last 30 days');
  const { context, page } = await openAs('admin', `/segments/${doomed.id}`, DETAIL_READY);
  try {
    await page.locator('[data-testid=segment-delete]').click();
    await confirmBox(page);
    await expectMessage(page, '已删除人群');
    await page.waitForURL((u) => u.pathname === '/segments');
    await ready(page, PAGES.segments.ready);
    assert.equal((await api.fetch(`/api/v1/segments/${doomed.id}`)).status, 404);
    assert.ok(!(await page.locator('[data-testid=segment-table] [data-testid=segment-name]').allInnerTexts()).includes('待删除'));

    // Overlap: the regions' counts are the API's for the same two segments.
    await page.locator('[data-testid=overlap-pick]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '二十五岁以下' }).first().click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '月活客户' }).first().click();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=overlap-run]').click();
    await page.locator('[data-testid=overlap-result]').waitFor();
    const expected = await (await api.fetch('/api/v1/segments/overlap', { method: 'POST', json: { segments: [young.id, active.id] } })).json();
    const shown = await page.locator('[data-testid=overlap-region]').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-sets'), Number(r.getAttribute('data-count'))]));
    assert.deepEqual(
      Object.fromEntries(shown),
      Object.fromEntries(expected.regions.map((r) => [r.sets.join(','), r.count])),
    );
    assert.equal(await page.locator('[data-testid=overlap-union]').innerText(), expected.union.toLocaleString('zh-CN'));
    assert.equal(expected.regions.reduce((n, r) => n + r.count, 0), expected.union);
    await screenshot(page, 'segment-overlap');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('admin creates an imported tag, uploads its holders from a file and a customer carries it', { timeout: 60_000 }, async () => {
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  const demo = readFileSync(join(env.data.dir, 'demo-data', 'customers.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const [a, b] = [demo[3], demo[4]];
  const { context, page } = await openAs('admin', '/tags', PAGES.tags.ready);
  try {
    await page.locator('[data-testid=tag-create]').click();
    await page.locator('[data-testid=tag-kind-imported]').click();
    await page.locator('[data-testid=tag-form-name]').fill('vip_list');
    await page.locator('[data-testid=tag-form-category]').fill('名单');
    await page.locator('[data-testid=tag-form-submit]').click();
    await confirmBox(page);
    await expectMessage(page, '已创建标签');
    const row = page.locator('[data-testid=tag-table] .el-table__body tr', { hasText: 'vip_list' });
    await row.waitFor();

    // A malformed list is refused as a whole, with the server's reason (the line it names).
    const bad = join(env.data.dir, 'bad.csv');
    writeFileSync(bad, `type,value\nphone\n`);
    await row.locator('[data-testid=tag-upload]').click();
    const dialog = page.locator('[data-testid=tag-upload-dialog]');
    await dialog.locator('[data-testid=tag-upload-file]').setInputFiles(bad);
    await dialog.locator('[data-testid=tag-upload-chosen]', { hasText: 'bad.csv' }).waitFor();
    await dialog.locator('[data-testid=tag-upload-submit]').click();
    await confirmBox(page);
    await dialog.locator('[data-testid=tag-upload-error]', { hasText: 'line 2' }).waitFor();

    // Two customers by phone and a number nobody holds.
    const good = join(env.data.dir, 'holders.csv');
    writeFileSync(good, `type,value,tag_value\nphone,${a.phone},gold\nphone,${b.phone},gold\nphone,19999999999,gold\n`);
    await dialog.locator('[data-testid=tag-upload-file]').setInputFiles(good);
    await dialog.locator('[data-testid=tag-upload-chosen]', { hasText: '4' }).waitFor();
    await dialog.locator('[data-testid=tag-upload-submit]').click();
    await confirmBox(page);
    await expectMessage(page, '已导入标签');
    const report = dialog.locator('[data-testid=tag-upload-report]');
    await report.waitFor();
    assert.match(await dialog.locator('[data-testid=tag-upload-rows]').innerText(), /3$/);
    assert.match(await dialog.locator('[data-testid=tag-upload-customers]').innerText(), /2$/);
    assert.match(await dialog.locator('[data-testid=tag-upload-unmatched]').innerText(), /1$/);
    await screenshot(page, 'tag-upload', { dialog: true });
    await dialog.getByRole('button', { name: '关闭', exact: true }).click();

    // The customer carries the tag, with its value.
    const found = await (await api.fetch(`/api/v1/customers?identifier=phone:${a.phone}`)).json();
    const oneId = found.items[0].one_id;
    const tags = await (await api.fetch(`/api/v1/customers/${oneId}/tags`)).json();
    assert.ok(tags.items.some((t) => t.tag === 'vip_list' && t.value === 'gold'), JSON.stringify(tags.items));

    // Edit its description; then delete it (nothing names it).
    await row.locator('[data-testid=tag-edit]').click();
    await page.locator('[data-testid=tag-form-description]').fill('贵宾名单');
    await page.locator('[data-testid=tag-form-submit]').click();
    await confirmBox(page);
    await expectMessage(page, '已保存标签');
    await page.locator('[data-testid=tag-table] .el-table__body tr', { hasText: '贵宾名单' }).waitFor();
    await page.locator('[data-testid=tag-table] .el-table__body tr', { hasText: 'vip_list' }).locator('[data-testid=tag-delete]').click();
    await confirmBox(page);
    await expectMessage(page, '已删除标签');
    await page.locator('[data-testid=tag-table] [data-testid=tag-name]', { hasText: 'vip_list' }).waitFor({ state: 'detached' });
    // A tag a segment names cannot be deleted: the server's reason is shown.
    await saveSegment(api, '资产等级人群', 'has tag aum_tier');
    await page.locator('[data-testid=tag-table] .el-table__body tr', { hasText: 'aum_tier' }).locator('[data-testid=tag-delete]').click();
    await confirmBox(page);
    await expectMessage(page, '资产等级人群', 'error');
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('roles without the permissions see none of the segment and tag actions', { timeout: 60_000 }, async () => {
  const api = await apiLogin(env.url, 'admin', env.password('admin'));
  const segment = await saveSegment(api, '权限检查', 'age >= 50');
  // The auditor reads segments and tags, and changes nothing.
  let { context, page } = await openAs('auditor', `/segments/${segment.id}`, DETAIL_READY);
  try {
    for (const action of ['segment-edit', 'segment-delete', 'segment-export', 'segment-snapshot']) {
      assert.equal(await page.locator(`[data-testid=${action}]`).count(), 0, `auditor has no ${action}`);
    }
    await page.goto(`${env.url}/tags`);
    await ready(page, PAGES.tags.ready);
    assert.equal(await page.locator('[data-testid=tag-edit], [data-testid=tag-delete], [data-testid=tag-upload], [data-testid=tag-create]').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
  // The analyst changes segments but may not export customers.
  ({ context, page } = await openAs('analyst', `/segments/${segment.id}`, DETAIL_READY));
  try {
    await page.locator('[data-testid=segment-edit]').waitFor();
    assert.equal(await page.locator('[data-testid=segment-export]').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
