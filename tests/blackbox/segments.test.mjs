// Issue 5 through the real binary with a small demo bank: the tag catalog (the AUM tiers ship,
// an imported tag takes a CSV), previews as the user types with parse errors that say where,
// saved live segments that follow new events (entered transitions), overlap, the audited
// export, scope (a branch manager counts only their branch), and `banyan segment count`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { banyan, cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { eventually, postSegment } from './ingest_helpers.mjs';

let data, server, admin, manager, analyst, auditor, writeKey;
let seq = 0;
const mid = () => `bb-seg-${process.pid}-${++seq}`;

before(async () => {
  data = demoDataDir({ customers: 400, days: 14 });
  writeKey = data.credentials.write_key;
  server = await startServer({ dir: data.dir, env: { BANYAN_SEGMENTS_POLL_INTERVAL_MS: '20' } });
  const as = (u) => login(server.url, u, passwordOf(data.credentials, u));
  admin = await as('admin');
  manager = await as('manager.xixi');
  analyst = await as('analyst');
  auditor = await as('auditor');
});

after(async () => {
  await server?.stop();
  cleanup(data.dir);
});

async function json(res, status = 200) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return text ? JSON.parse(text) : null;
}

// A problem+json answer with `status`, naming what was sent wrong.
async function expectProblem(res, status, what) {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, what);
  return JSON.parse(text);
}

async function preview(session, expression, sample = 0) {
  return json(await session.fetch('/api/v1/segments/preview', { method: 'POST', json: { expression, sample } }));
}

test('the AUM tiers ship as a bucket tag, and the catalog names what expressions may use', async () => {
  const tags = await json(await admin.fetch('/api/v1/tags'));
  const tiers = tags.items.find((t) => t.name === 'aum_tier');
  assert.deepEqual(tiers.definition.buckets.map((b) => b.label), ['大众', '金卡', '金葵花', '私人银行']);
  const one = await json(await admin.fetch(`/api/v1/tags/${tiers.id}`));
  const total = one.counts.values.reduce((n, v) => n + v.count, 0);
  assert.equal(total, one.counts.total);
  assert.ok(total > 300, `most demo customers have an AUM tier (${total})`);
  const catalog = await json(await admin.fetch('/api/v1/segments/catalog'));
  assert.ok(catalog.attributes.some((a) => a.name === 'aum' && a.type === 'decimal'));
  assert.ok(catalog.branches.includes('XIXI'));
  assert.ok(catalog.tags.some((t) => t.name === 'lifecycle' && t.values.includes('growth')));
});

test('a preview counts and samples masked customers; a bad expression says where', async () => {
  const all = await preview(admin, 'aum is set', 3);
  assert.ok(all.count > 300);
  assert.equal(all.sample.length, 3);
  for (const row of all.sample) assert.doesNotMatch(JSON.stringify(row.profile), /1[3-9]\d{9}/);
  const rich = await preview(admin, 'aum > 500000 or has tag aum_tier = "wealth"');
  assert.ok(rich.count > 0 && rich.count < all.count);
  // The same question as a JSON tree gives the same answer.
  const tree = await json(await admin.fetch('/api/v1/segments/preview', { method: 'POST', json: { tree: rich.tree } }));
  assert.equal(tree.count, rich.count);
  assert.equal(tree.expression, rich.expression);

  await expectProblem(await admin.fetch('/api/v1/segments/preview', { method: 'POST', json: { expression: 'aum >' } }), 400, 'truncated');
  const res = await admin.fetch('/api/v1/segments/preview', { method: 'POST', json: { expression: 'agee > 30' } });
  const problem = await json(res, 400);
  assert.match(problem.detail, /1:1/);
  assert.match(problem.detail, /agee/);
  assert.equal(problem.errors[0].pointer, '/expression');
  const big = await admin.fetch('/api/v1/segments/preview', { method: 'POST', json: { expression: 'aum > 1', sample: 51 } });
  assert.equal(big.status, 400);
});

test('a saved live segment follows new events and records who entered', async () => {
  // An event nobody has sent yet is refused (a typo, most likely): send one first.
  const unknown = await admin.fetch('/api/v1/segments', { method: 'POST', json: { name: 'x', expression: 'did watch_live_demo' } });
  assert.match((await expectProblem(unknown, 400, 'unknown event')).detail, /unknown event "watch_live_demo"/);
  const first = await postSegment(server.url, '/v1/batch', { batch: [{ type: 'track', event: 'watch_live_demo', userId: 'bb-seg-early', messageId: mid() }] }, { writeKey });
  assert.equal(first.status, 200, first.text);
  assert.ok(await eventually(async () => {
    const catalog = await json(await admin.fetch('/api/v1/segments/catalog'));
    return catalog.events.some((e) => e.name === 'watch_live_demo');
  }), 'the new event reaches the catalog');
  const created = await json(await admin.fetch('/api/v1/segments', {
    method: 'POST', json: { name: '试驾直播观众', expression: 'did watch_live_demo at least 2 times in last 7 days' },
  }), 201);
  assert.equal(created.live.members, 0);
  const now = new Date().toISOString();
  const batch = [1, 2].map(() => ({ type: 'track', event: 'watch_live_demo', userId: 'bb-seg-viewer', messageId: mid(), timestamp: now }));
  const sent = await postSegment(server.url, '/v1/batch', { batch }, { writeKey });
  assert.equal(sent.status, 200, sent.text);
  const transitions = await eventually(async () => {
    const t = await json(await admin.fetch(`/api/v1/segments/${created.id}/transitions`));
    return t.items.length > 0 ? t : null;
  });
  assert.equal(transitions.items[0].change, 'entered');
  const one = await json(await admin.fetch(`/api/v1/segments/${created.id}`));
  assert.equal(one.live.members, 1);
  assert.ok(Date.parse(one.live.consistent_at) >= Date.parse(now) - 1000);
});

test('overlap, the audited export, snapshots and scope', async () => {
  const make = async (name, expression) =>
    json(await admin.fetch('/api/v1/segments', { method: 'POST', json: { name, expression } }), 201);
  const rich = await make('bb rich', 'aum > 500000');
  const xixi = await make('bb xixi', 'home_branch = "XIXI"');
  const overlap = await json(await admin.fetch('/api/v1/segments/overlap', { method: 'POST', json: { segments: [rich.id, xixi.id] } }));
  const [onlyRich, onlyXixi, both] = overlap.regions.map((r) => r.count);
  assert.equal(onlyRich + both, overlap.segments[0].count);
  assert.equal(onlyXixi + both, overlap.segments[1].count);
  await expectProblem(await admin.fetch('/api/v1/segments/overlap', { method: 'POST', json: { segments: [rich.id] } }), 400, 'one segment');

  const exported = await admin.fetch(`/api/v1/segments/${rich.id}/export`);
  assert.equal(exported.status, 200);
  assert.match(exported.headers.get('content-type'), /text\/csv/);
  const lines = (await exported.text()).trim().split('\n');
  assert.equal(lines[0], 'one_id');
  assert.equal(lines.length - 1, overlap.segments[0].count);
  const audit = await json(await admin.fetch('/api/v1/audit?action=segment.export'));
  assert.ok(audit.items.some((e) => e.target_id === String(rich.id)));
  // An analyst may read segments but not export customers.
  assert.equal((await analyst.fetch(`/api/v1/segments/${rich.id}/export`)).status, 403);

  const snapshot = await json(await admin.fetch(`/api/v1/segments/${rich.id}/snapshots`, { method: 'POST' }), 201);
  assert.equal(snapshot.member_count, overlap.segments[0].count);

  // A branch manager counts only their branch's customers.
  const theirs = await json(await manager.fetch(`/api/v1/segments/${xixi.id}/preview?sample=50`));
  assert.equal(theirs.count, overlap.segments[1].count);
  const richTheirs = await json(await manager.fetch(`/api/v1/segments/${rich.id}/preview`));
  assert.equal(richTheirs.count, both);
  assert.equal((await preview(manager, 'home_branch != "XIXI"')).count, 0);
});

test('tags: an imported CSV list, a rule tag, and refusals', async () => {
  const guests = await json(await admin.fetch('/api/v1/tags', {
    method: 'POST', json: { name: 'bb_guests', category: '活动', kind: 'imported' },
  }), 201);
  const res = await admin.fetch(`/api/v1/tags/${guests.id}/members`, {
    method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'type,value\napp_user_id,bb-seg-viewer\nphone,13000000000\n',
  });
  const report = await json(res);
  assert.equal(report.customers, 1);
  assert.equal(report.unmatched, 1);
  assert.equal((await preview(admin, 'has tag bb_guests')).count, 1);
  await expectProblem(await admin.fetch(`/api/v1/tags/${guests.id}/members`, {
    method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'phone\n',
  }), 400, 'a row without a value');

  const rule = await json(await admin.fetch('/api/v1/tags', {
    method: 'POST', json: { name: 'bb_active_rich', category: '价值', kind: 'rule', definition: { expression: 'aum > 100000 and did login in last 14 days' } },
  }), 201);
  assert.equal(rule.refresh, 'live');
  await expectProblem(await admin.fetch('/api/v1/tags', {
    method: 'POST', json: { name: 'bb_bad', category: 'x', kind: 'bucket', definition: { attribute: 'aum', buckets: [{ value: 'a', max: 10 }, { value: 'b', min: 5 }] } },
  }), 400, 'overlapping buckets');
  // An auditor reads the audit log, not the tag catalog.
  assert.equal((await auditor.fetch('/api/v1/tags', { method: 'POST', json: { name: 'x', category: 'x', kind: 'imported' } })).status, 403);
});

test('banyan segment count answers at the shell once the server is stopped', async () => {
  const live = await preview(admin, 'has tag aum_tier = "gold" and did login in last 14 days');
  await server.stop();
  const out = banyan(['segment', 'count', 'has tag aum_tier = "gold" and did login in last 14 days', '--json', '--data-dir', data.dir]);
  assert.equal(out.status, 0, out.stderr);
  const answer = JSON.parse(out.stdout);
  assert.equal(answer.count, live.count);
  const bad = banyan(['segment', 'count', 'aum > 5 and did', '--data-dir', data.dir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /1:16/);
  assert.match(bad.stderr, /\^/);
  server = await startServer({ dir: data.dir });
});
