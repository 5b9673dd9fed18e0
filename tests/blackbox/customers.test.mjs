// Issue 4 through the real binary: events from the SDK endpoints become customers (OneID), read
// back scoped and masked; unmask, export and erasure are audited; consent is recorded; identity
// conflicts and unmerge; the database file never holds a clear phone, id number or name; and a
// kill -9 after an acknowledged identify loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { allEvents, eventually, postSegment } from './ingest_helpers.mjs';

let data, server, admin, rm, manager, auditor, analyst, writeKey;
let seq = 0;
const mid = () => `bb-cust-${process.pid}-${++seq}`;

// Personal values that must never reach the database file in clear.
const NAME = '欧阳明月';  // a compound surname: masked as 欧阳**
const PHONE = '13912345678';
const ID_CARD = '33010619900101123X';

before(async () => {
  data = demoDataDir();
  writeKey = data.credentials.write_key;
  // Maintenance (retention, and the event log's scrub after an erasure) every second.
  server = await startServer({ dir: data.dir, env: { BANYAN_EVENTS_MAINTENANCE_INTERVAL_S: '1' } });
  const as = (u) => login(server.url, u, passwordOf(data.credentials, u));
  admin = await as('admin');
  rm = await as('rm.xixi');
  manager = await as('manager.xixi');
  auditor = await as('auditor');
  analyst = await as('analyst');
});

after(async () => {
  await server?.stop();
  cleanup(data.dir);
});

async function send(...events) {
  const batch = events.map((e) => ({ messageId: mid(), timestamp: new Date().toISOString(), ...e }));
  const res = await postSegment(server.url, '/v1/batch', { batch }, { writeKey });
  assert.equal(res.status, 200, res.text);
}

async function findOne(session, identifier) {
  const res = await session.fetch(`/api/v1/customers?identifier=${encodeURIComponent(identifier)}`);
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  return body.items;
}

function identifierValues(view, type) {
  return view.identifiers.filter((i) => i.type === type).map((i) => i.value);
}

test('an identify call makes one customer found by any of its identifiers, masked', async () => {
  await send(
    { type: 'track', event: 'app_open', anonymousId: 'anon-yue' },
    { type: 'identify', userId: 'u-yue', anonymousId: 'anon-yue',
      traits: { name: NAME, phone: PHONE, id_card: ID_CARD, gender: 'female', city: '杭州' } },
  );
  // Any spelling of the phone finds her at once; so do the app ids. Her profile is written by the
  // flusher (customers.flush_interval_ms) a moment later.
  const byPhone = await eventually(async () => {
    const items = await findOne(admin, 'phone:+86 139-1234-5678');
    return items.length === 1 && items[0].profile.name ? items : null;
  });
  assert.ok(byPhone, 'found with a profile');
  const view = byPhone[0];
  for (const id of ['app_user_id:u-yue', 'anonymous_id:anon-yue', `id_card:${ID_CARD}`]) {
    const found = await findOne(admin, id);
    assert.deepEqual(found.map((c) => c.one_id), [view.one_id], id);
  }
  assert.equal(view.profile.name.value, '欧阳**');
  assert.equal(view.profile.name.masked, true);
  assert.equal(view.profile.city.value, '杭州');
  assert.deepEqual(identifierValues(view, 'phone'), ['139****5678']);
  assert.deepEqual(identifierValues(view, 'id_card'), ['3****************X']);
  assert.ok(view.recent_events.length >= 2, JSON.stringify(view.recent_events));
  assert.equal(view.recent_events[0].type, 'identify');  // newest first
  // The event view masks the phone in the identify traits too.
  assert.equal(view.recent_events[0].traits.phone, '139****5678');
  const text = JSON.stringify(view);
  for (const secret of [NAME, PHONE, ID_CARD]) assert.ok(!text.includes(secret), secret);
});

test('scope: an RM sees their own customers, a branch manager their branch, others 404', async () => {
  await send({ type: 'identify', userId: 'u-scoped', traits: { name: '李四', home_branch: 'XIXI',
    relationship_manager: 'rm.xixi' } });
  await send({ type: 'identify', userId: 'u-other', traits: { name: '赵五' } });
  const [scoped] = await eventually(async () => {
    const items = await findOne(admin, 'app_user_id:u-scoped');
    return items.length && items[0].profile.relationship_manager ? items : null;
  });
  const [other] = await findOne(admin, 'app_user_id:u-other');
  for (const session of [rm, manager]) {
    assert.equal((await session.fetch(`/api/v1/customers/${scoped.one_id}`)).status, 200);
    const res = await session.fetch(`/api/v1/customers/${other.one_id}`);
    assert.equal(res.status, 404);  // as if it did not exist
    assert.deepEqual(await findOne(session, 'app_user_id:u-other'), []);
  }
  const list = await (await rm.fetch('/api/v1/customers?limit=200')).json();
  assert.ok(list.items.some((c) => c.one_id === scoped.one_id));
  assert.ok(!list.items.some((c) => c.one_id === other.one_id));
  // The auditor reads, masked, and may not unmask.
  const audited = await (await auditor.fetch(`/api/v1/customers/${scoped.one_id}`)).json();
  assert.equal(audited.profile.name.value, '李*');
  const denied = await auditor.fetch(`/api/v1/customers/${scoped.one_id}/unmask`,
    { method: 'POST', json: { field: 'name' } });
  assert.equal(denied.status, 403);
});

test('unmask returns one clear field and audits the field, never the value', async () => {
  const [c] = await findOne(admin, `phone:${PHONE}`);
  const res = await admin.fetch(`/api/v1/customers/${c.one_id}/unmask`, { method: 'POST', json: { field: 'name' } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).value, NAME);
  const phone = await (await admin.fetch(`/api/v1/customers/${c.one_id}/unmask`,
    { method: 'POST', json: { field: 'identifiers/phone' } })).json();
  assert.deepEqual(phone.values, [PHONE]);
  const bad = await admin.fetch(`/api/v1/customers/${c.one_id}/unmask`, { method: 'POST', json: { field: 'shoe_size' } });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).errors[0].pointer, '/field');
  const audit = await (await admin.fetch('/api/v1/audit?action=pii.unmask')).json();
  const mine = audit.items.filter((e) => e.target_id === String(c.one_id));
  assert.ok(mine.length >= 2);
  assert.ok(!JSON.stringify(audit).includes(NAME) && !JSON.stringify(audit).includes(PHONE));
});

test('consent from staff and from a $consent event; current state per purpose and channel', async () => {
  const [c] = await findOne(admin, 'app_user_id:u-scoped');
  const recorded = await rm.fetch(`/api/v1/customers/${c.one_id}/consents`, { method: 'POST',
    json: { purpose: 'marketing', channel: 'sms', granted: true, source: 'branch_form', evidence: { form: 'F-7' } } });
  assert.equal(recorded.status, 201, await recorded.clone().text());
  await send({ type: 'track', event: '$consent', userId: 'u-scoped',
    properties: { purpose: 'marketing', channel: 'wechat', granted: false } });
  const consents = await eventually(async () => {
    const body = await (await rm.fetch(`/api/v1/customers/${c.one_id}/consents`)).json();
    return body.current.length === 2 ? body : null;
  });
  assert.ok(consents, 'both consents recorded');
  const by = Object.fromEntries(consents.current.map((s) => [s.channel, s.granted]));
  assert.deepEqual(by, { sms: true, wechat: false });
  const bad = await rm.fetch(`/api/v1/customers/${c.one_id}/consents`, { method: 'POST', json: { purpose: 'spam', granted: true } });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).errors[0].pointer, '/purpose');
});

test('two customers sharing a device stay two; a second cust_no is a conflict, not a merge', async () => {
  await send({ type: 'identify', userId: 'u-dad', traits: { cust_no: 'C-DAD' }, context: { device: { id: 'family-pad' } } });
  await send({ type: 'identify', userId: 'u-kid', traits: { cust_no: 'C-KID' }, context: { device: { id: 'family-pad' } } });
  const [dad] = await findOne(admin, 'app_user_id:u-dad');
  const [kid] = await findOne(admin, 'app_user_id:u-kid');
  assert.notEqual(dad.one_id, kid.one_id);
  await send({ type: 'identify', userId: 'u-dad', traits: { cust_no: 'C-KID' } });
  const conflicts = await eventually(async () => {
    const body = await (await admin.fetch('/api/v1/identity/conflicts')).json();
    return body.items.find((x) => x.identifier_type === 'cust_no') ? body : null;
  });
  assert.ok(conflicts, 'conflict recorded');
  const [dadAgain] = await findOne(admin, 'app_user_id:u-dad');
  assert.notEqual(dadAgain.one_id, kid.one_id);
  assert.equal((await rm.fetch('/api/v1/identity/conflicts')).status, 403);
});

test('an anonymous visitor merges on login; unmerge splits them back (audited)', async () => {
  await send({ type: 'track', event: 'view_product', anonymousId: 'anon-split' });
  await send({ type: 'identify', userId: 'u-split', traits: { cust_no: 'C-SPLIT' } });
  const [anon] = await findOne(admin, 'anonymous_id:anon-split');
  await send({ type: 'track', event: 'login', userId: 'u-split', anonymousId: 'anon-split' });
  const merged = await eventually(async () => {
    const [c] = await findOne(admin, 'anonymous_id:anon-split');
    return c.merges.length ? c : null;
  });
  assert.ok(merged, 'merged');
  const [viaUser] = await findOne(admin, 'app_user_id:u-split');
  assert.equal(viaUser.one_id, merged.one_id);
  assert.ok(merged.members.includes(anon.one_id));
  const res = await admin.fetch(`/api/v1/identity/merges/${merged.merges[0].id}/unmerge`, { method: 'POST' });
  assert.equal(res.status, 200, await res.clone().text());
  const [a] = await findOne(admin, 'anonymous_id:anon-split');
  const [u] = await findOne(admin, 'app_user_id:u-split');
  assert.notEqual(a.one_id, u.one_id);
  const again = await admin.fetch(`/api/v1/identity/merges/${merged.merges[0].id}/unmerge`, { method: 'POST' });
  assert.equal(again.status, 409);  // already undone: a conflict with the current state
  const audit = await (await admin.fetch('/api/v1/audit?action=identity.unmerge')).json();
  assert.equal(audit.items.length, 1);
});

test('export holds everything in clear and is audited; erasure leaves no identifier anywhere', async () => {
  await send({ type: 'identify', userId: 'u-gone', anonymousId: 'anon-gone',
    traits: { name: '钱七七', phone: '13700001111', email: 'qian@example.cn' } });
  await send({ type: 'track', event: 'view_product', userId: 'u-gone', properties: { product: 'wealth_fund' } });
  const [c] = await findOne(admin, 'phone:13700001111');
  const exported = await admin.fetch(`/api/v1/customers/${c.one_id}/export`);
  assert.equal(exported.status, 200, await exported.clone().text());
  const dump = await exported.json();
  assert.equal(dump.profile.name.value, '钱七七');
  assert.ok(identifierValues(dump, 'phone').includes('13700001111'));
  assert.ok(dump.events.length >= 2);
  assert.equal((await analyst.fetch(`/api/v1/customers/${c.one_id}/export`)).status, 403);

  const before = (await allEvents(analyst)).length;
  const erased = await admin.fetch(`/api/v1/customers/${c.one_id}`, { method: 'DELETE' });
  assert.equal(erased.status, 200, await erased.clone().text());
  assert.equal((await admin.fetch(`/api/v1/customers/${c.one_id}`)).status, 404);
  for (const id of ['phone:13700001111', 'email:qian@example.cn', 'app_user_id:u-gone', 'anonymous_id:anon-gone']) {
    assert.deepEqual(await findOne(admin, id), [], id);
  }
  // The events stay (aggregates unchanged), detached and anonymous.
  const after = await allEvents(analyst);
  assert.equal(after.length, before);
  const text = JSON.stringify(after);
  for (const secret of ['13700001111', 'qian@example.cn', 'u-gone', 'anon-gone', '钱七七']) {
    assert.ok(!text.includes(secret), secret);
  }
  const byId = await (await analyst.fetch('/api/v1/events?identifier=app_user_id:u-gone')).json();
  assert.deepEqual(byId.items, []);
  // The next maintenance pass scrubs the event log's files too; the events stay, anonymous.
  const segments = () => readdirSync(join(data.dir, 'events')).filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(data.dir, 'events', f))).reduce((a, b) => Buffer.concat([a, b]));
  const scrubbed = await eventually(() => {
    const bytes = segments();
    return ['13700001111', 'qian@example.cn', 'u-gone', 'anon-gone', '钱七七']
      .every((secret) => bytes.indexOf(Buffer.from(secret)) === -1);
  }, 15000);
  assert.ok(scrubbed, 'the erased customer scrubbed from the event log');
  assert.ok(segments().indexOf(Buffer.from('wealth_fund')) !== -1, 'what happened stays');
  assert.equal((await allEvents(analyst)).length, before);
  const audit = await (await admin.fetch('/api/v1/audit?action=customer.*')).json();
  assert.deepEqual(audit.items.map((e) => e.action).sort(), ['customer.erase', 'customer.export']);
});

test('the database file holds no clear phone, id number or name; kill -9 loses no identify', async () => {
  await send({ type: 'identify', userId: 'u-crash', traits: { name: '孙八', phone: '13600002222' } });
  server.proc.kill('SIGKILL');
  await server.exited;
  for (const file of ['banyan.db', 'banyan.db-wal']) {
    const path = join(data.dir, file);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (const secret of [NAME, PHONE, ID_CARD, '孙八', '13600002222', '13700001111', '钱七七']) {
      assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${secret} in ${file}`);
    }
  }
  server = await startServer({ dir: data.dir });
  admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
  const [c] = await findOne(admin, 'phone:13600002222');
  assert.ok(c, 'the acknowledged identify survived the crash');
  assert.equal(c.profile.name.value, '孙*');
});
