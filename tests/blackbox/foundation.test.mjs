// Issue 2's acceptance checks, against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { banyan, cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';

let data, server, admin;

before(async () => {
  data = demoDataDir();
  server = await startServer({ dir: data.dir });
  admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
});

after(async () => {
  await server?.stop();
  cleanup(data.dir);
});

async function problem(res, status) {
  assert.equal(res.status, status, `expected ${status}`);
  assert.match(res.headers.get('content-type'), /application\/problem\+json/);
  const body = await res.json();
  assert.equal(body.status, status);
  assert.ok(body.title);
  assert.ok(body.request_id);
  return body;
}

test('health, readiness and the OpenAPI document are public', async () => {
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  const ready = await fetch(`${server.url}/readyz`);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/v1/staff']);
});

test('unauthenticated requests get 401 problem+json', async () => {
  for (const path of ['/api/v1/me', '/api/v1/staff', '/api/v1/audit', '/metrics']) {
    const body = await problem(await fetch(`${server.url}${path}`), 401);
    assert.match(body.detail, /authentication required/);
  }
  await problem(await fetch(`${server.url}/api/v1/me`, { headers: { cookie: 'banyan_session=forged' } }), 401);
  await problem(await fetch(`${server.url}/api/v1/me`, { headers: { authorization: 'Bearer bk_forged' } }), 401);
});

test('login sets an HttpOnly SameSite=Strict cookie and /me describes the caller', async () => {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst', password: passwordOf(data.credentials, 'analyst') }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /banyan_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict/);
  const me = await (await fetch(`${server.url}/api/v1/me`, { headers: { cookie: cookie.split(';')[0] } })).json();
  assert.equal(me.staff.username, 'analyst');
  assert.equal(me.principal.role, 'analyst');
  assert.ok(me.principal.permissions.includes('analytics:read'));
  assert.ok(me.csrf_token);
});

test('state-changing session requests without the CSRF token get 403', async () => {
  const res = await fetch(`${server.url}/api/v1/branches`, {
    method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'NEW', name: 'x', kind: 'sub_branch', address: 'a', latitude: 30, longitude: 120, parent_id: 2 }),
  });
  const body = await problem(res, 403);
  assert.match(body.detail, /CSRF/);
  const wrong = await admin.fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': 'nope' } });
  await problem(wrong, 403);
});

test('missing permission is 403; out-of-scope objects are 404 without leaking existence', async () => {
  const rm = await login(server.url, 'rm.xixi', passwordOf(data.credentials, 'rm.xixi'));
  const denied = await problem(await rm.fetch('/api/v1/staff'), 403);
  assert.match(denied.detail, /staff:read/);
  const auditor = await login(server.url, 'auditor', passwordOf(data.credentials, 'auditor'));
  await problem(await auditor.fetch('/api/v1/staff', { method: 'POST', json: {} }), 403);

  const manager = await login(server.url, 'manager.xixi', passwordOf(data.credentials, 'manager.xixi'));
  const staff = await (await admin.fetch('/api/v1/staff?limit=200')).json();
  const hqAnalyst = staff.items.find((s) => s.username === 'analyst');
  const notFound = await problem(await manager.fetch(`/api/v1/staff/${hqAnalyst.id}`), 404);
  const missing = await problem(await manager.fetch('/api/v1/staff/999999'), 404);
  assert.equal(notFound.detail, missing.detail, 'an out-of-scope id must look exactly like a missing one');

  const visible = await (await manager.fetch('/api/v1/staff?limit=200')).json();
  assert.deepEqual(visible.items.map((s) => s.username).sort(), ['manager.xixi', 'rm.xixi']);
  const branches = await (await manager.fetch('/api/v1/branches?limit=200')).json();
  assert.deepEqual(branches.items.map((b) => b.code), ['XIXI']);
});

test('a branch manager cannot create an account above their own role', async () => {
  const manager = await login(server.url, 'manager.xixi', passwordOf(data.credentials, 'manager.xixi'));
  const branches = await (await manager.fetch('/api/v1/branches')).json();
  const res = await manager.fetch('/api/v1/staff', {
    method: 'POST',
    json: { username: 'sneaky', display_name: 'x', password: 'a-long-password-1', role: 'admin', branch_id: branches.items[0].id },
  });
  await problem(res, 403);
  const ok = await manager.fetch('/api/v1/staff', {
    method: 'POST',
    json: { username: 'rm2.xixi', display_name: '客户经理 二', password: 'another-long-pass-2', role: 'relationship_manager', branch_id: branches.items[0].id },
  });
  const okText = await ok.text();
  assert.equal(ok.status, 201, okText);
});

test('malformed JSON and wrong field types are 400 with where', async () => {
  const malformed = await problem(await admin.fetch('/api/v1/staff', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username": ',
  }), 400);
  assert.match(malformed.detail, /malformed JSON/);
  const typed = await problem(await admin.fetch('/api/v1/staff', {
    method: 'POST', json: { username: 42, display_name: 'x', password: 'long-enough-pass', role: 'analyst', branch_id: 1 },
  }), 400);
  assert.equal(typed.errors[0].pointer, '/username');
  const unknown = await problem(await admin.fetch('/api/v1/branches/2', { method: 'PATCH', json: { colour: 'red' } }), 400);
  assert.equal(unknown.errors[0].pointer, '/colour');
  const limit = await problem(await admin.fetch('/api/v1/staff?limit=100000'), 400);
  assert.equal(limit.errors[0].parameter, 'limit');
});

test('oversize bodies get 413, before and after gzip', async () => {
  const big = JSON.stringify({ username: 'x'.repeat(2 << 20) });
  await problem(await admin.fetch('/api/v1/staff', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 413);
  const bomb = gzipSync(Buffer.alloc(8 << 20, 0x20));
  assert.ok(bomb.length < 1 << 20);
  await problem(await admin.fetch('/api/v1/staff', {
    method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb,
  }), 413);
});

test('gzip request bodies are accepted', async () => {
  const body = gzipSync(JSON.stringify({ display_name: '系统管理员', locale: 'en' }));
  const res = await admin.fetch('/api/v1/me', {
    method: 'PATCH', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(JSON.parse(text).locale, 'en');
});

test('cursor pagination walks every staff member once', async () => {
  const seen = [];
  let cursor = null;
  do {
    const res = await admin.fetch(`/api/v1/staff?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((s) => s.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(seen.length >= 6);
  await problem(await admin.fetch('/api/v1/staff?cursor=%%%garbage'), 400);
  await problem(await admin.fetch('/api/v1/staff?cursor=not-a-cursor'), 400);
});

test('API keys: shown once, scoped, usable as Bearer, revocable; write keys cannot use the API', async () => {
  const created = await admin.fetch('/api/v1/api-keys', {
    method: 'POST', json: { name: 'CRM sync', kind: 'api', permissions: ['staff:read', 'metrics:read'] },
  });
  const createdText = await created.text();
  assert.equal(created.status, 201, createdText);
  const key = JSON.parse(createdText);
  assert.match(key.secret, /^bk_/);
  const listed = await (await admin.fetch('/api/v1/api-keys')).json();
  assert.ok(!JSON.stringify(listed).includes(key.secret), 'a secret is never shown twice');

  const bearer = { authorization: `Bearer ${key.secret}` };
  assert.equal((await fetch(`${server.url}/api/v1/staff`, { headers: bearer })).status, 200);
  assert.equal((await fetch(`${server.url}/metrics`, { headers: bearer })).status, 200);
  await problem(await fetch(`${server.url}/api/v1/audit`, { headers: bearer }), 403);

  assert.equal((await admin.fetch(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status, 204);
  await problem(await fetch(`${server.url}/api/v1/staff`, { headers: bearer }), 401);

  const writeKey = data.credentials.write_key;
  assert.match(writeKey, /^wk_/);
  await problem(await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${writeKey}` } }), 401);
});

test('metrics are Prometheus text with per-route counts and latency histograms', async () => {
  const text = await (await admin.fetch('/metrics')).text();
  assert.match(text, /# TYPE banyan_http_requests_total counter/);
  assert.match(text, /banyan_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(text, /banyan_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/staff",le="[0-9.]+"\} \d+/);
});

test('repeated failed logins lock the account, even against the right password', async () => {
  const attempt = (password) => fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'marketer', password }),
  });
  // auth.login_failures_max is 5: four failures are plain 401s, the fifth locks the account.
  for (let i = 0; i < 4; i++) await problem(await attempt(`wrong-${i}`), 401);
  assert.match((await problem(await attempt('wrong-4'), 429)).detail, /locked/);
  const locked = await problem(await attempt(passwordOf(data.credentials, 'marketer')), 429);
  assert.match(locked.detail, /locked/);
  const audit = await (await admin.fetch('/api/v1/audit?action=auth.*&limit=200')).json();
  assert.ok(audit.items.some((e) => e.action.startsWith('auth.lock') || e.outcome === 'denied'));
});

test('the audit log records staff writes and logins and its chain verifies', async () => {
  const auditor = await login(server.url, 'auditor', passwordOf(data.credentials, 'auditor'));
  const entries = await (await auditor.fetch('/api/v1/audit?limit=200')).json();
  const actions = new Set(entries.items.map((e) => e.action));
  for (const a of ['auth.login', 'staff.create', 'api_key.create', 'api_key.revoke']) assert.ok(actions.has(a), a);
  for (const e of entries.items) assert.doesNotMatch(JSON.stringify(e), /password|secret|bk_[A-Za-z0-9_-]{20}/i);
  const verify = await (await auditor.fetch('/api/v1/audit/verify')).json();
  assert.equal(verify.ok, true);
  assert.ok(verify.entries >= entries.items.length);
});
