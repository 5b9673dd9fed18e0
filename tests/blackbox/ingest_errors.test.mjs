// Issue 3: what the ingestion endpoints do with bad input, wrong credentials and C3 data. Every
// rejected request must store nothing, not even its good events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import {
  allEvents, assertAccepted, assertProblem, basic, eventsPage, postSegment, postSensors, sensorsForm, sleep,
} from './ingest_helpers.mjs';

let data, server, analyst, writeKey;

before(async () => {
  data = demoDataDir();
  writeKey = data.credentials.write_key;
  server = await startServer({ dir: data.dir });
  analyst = await login(server.url, 'analyst', passwordOf(data.credentials, 'analyst'));
});

after(async () => {
  await server?.stop();
  cleanup(data.dir);
});

const tag = () => `err-${randomUUID().slice(0, 8)}`;
const track = (user, i, extra = {}) => ({ type: 'track', event: 'Bad Input Probe', userId: user, messageId: `${user}-${i}`, ...extra });

async function totalEvents() { return (await allEvents(analyst)).length; }
async function storedFor(user) { return (await allEvents(analyst, { identifier: `app_user_id:${user}` })).length; }

// Runs `send` (which must be rejected with `status`) and checks that nothing at all was stored.
async function rejectedWhole(what, status, user, send) {
  const before = await totalEvents();
  const res = await send();
  const problem = assertProblem(res, status, what);
  assert.ok(problem.title, `${what}: problem title`);
  assert.equal(await storedFor(user), 0, `${what}: events of the rejected request were stored`);
  assert.equal(await totalEvents(), before, `${what}: the event count changed`);
  return problem;
}

test('malformed bodies are 400 problem+json and store nothing', async () => {
  const user = tag();
  const good = JSON.stringify({ batch: [track(user, 0), track(user, 1)] });
  await rejectedWhole('invalid JSON', 400, user, () => postSegment(server.url, '/v1/batch', `${good.slice(0, -3)}`, { writeKey }));
  await rejectedWhole('not an object', 400, user, () => postSegment(server.url, '/v1/batch', '[1,2,3]', { writeKey }));
  const gz = gzipSync(good);
  await rejectedWhole('truncated gzip', 400, user, () => postSegment(server.url, '/v1/batch', gz.subarray(0, gz.length - 12),
    { writeKey, headers: { 'content-encoding': 'gzip' } }));
  await rejectedWhole('gzip header on plain text', 400, user, () => postSegment(server.url, '/v1/batch', good,
    { writeKey, headers: { 'content-encoding': 'gzip' } }));
  const empty = await postSegment(server.url, '/v1/batch', '', { writeKey });
  assertProblem(empty, 400, 'empty body');
});

test('event rules: unknown type, missing ids, missing event name are 400 naming the event', async () => {
  const user = tag();
  let p = await rejectedWhole('unknown type', 400, user, () => postSegment(server.url, '/v1/batch',
    { batch: [track(user, 0), { ...track(user, 1), type: 'purchase' }] }, { writeKey }));
  assert.match(JSON.stringify(p), /\/batch\/1/, `unknown type: the problem should point at /batch/1: ${JSON.stringify(p)}`);
  p = await rejectedWhole('no userId or anonymousId', 400, user, () => postSegment(server.url, '/v1/batch',
    { batch: [track(user, 0), { type: 'track', event: 'Anonymous', messageId: `${user}-x` }] }, { writeKey }));
  assert.match(JSON.stringify(p), /\/batch\/1/, `missing ids: ${JSON.stringify(p)}`);
  await rejectedWhole('track without event', 400, user, () => postSegment(server.url, '/v1/track',
    { userId: user, messageId: `${user}-noevent`, properties: {} }, { writeKey }));
  await rejectedWhole('properties not an object', 400, user, () => postSegment(server.url, '/v1/batch',
    { batch: [track(user, 0, { properties: 'amount=5' })] }, { writeKey }));
  await rejectedWhole('bad timestamp', 400, user, () => postSegment(server.url, '/v1/batch',
    { batch: [track(user, 0, { timestamp: 'yesterday' })] }, { writeKey }));
});

test('size limits: 32 KB per event, 500 KB per request, 2,500 events, 1 MiB body, nesting', async () => {
  const user = tag();
  // Just under the per-event limit is fine; just over is not.
  const ok = await postSegment(server.url, '/v1/batch', { batch: [track(user, 'big-ok', { properties: { blob: 'x'.repeat(31 * 1024) } })] }, { writeKey });
  assertAccepted(ok, '31 KB event');
  assert.equal(await storedFor(user), 1);

  const u2 = tag();
  await rejectedWhole('33 KB event', 400, u2, () => postSegment(server.url, '/v1/batch',
    { batch: [track(u2, 0), track(u2, 1, { properties: { blob: 'x'.repeat(33 * 1024) } })] }, { writeKey }));

  // 21 events of 24 KB: every event is fine, the request (~504 KB) is not, and it is under 1 MiB.
  const u3 = tag();
  const big = { batch: Array.from({ length: 21 }, (_, i) => track(u3, i, { properties: { blob: 'y'.repeat(24 * 1024) } })) };
  const bigText = JSON.stringify(big);
  assert.ok(bigText.length > 501 * 1024 && bigText.length < 1 << 20, `request is ${bigText.length} bytes`);
  await rejectedWhole('501 KB request', 400, u3, () => postSegment(server.url, '/v1/batch', bigText, { writeKey }));

  // 2,500 small events are one valid batch; 2,501 are not.
  const u4 = tag();
  const many = (n, user) => ({ batch: Array.from({ length: n }, (_, i) => ({ type: 'track', event: 'E', userId: user, messageId: `${user}-${i}` })) });
  await rejectedWhole('2,501 events', 400, u4, () => postSegment(server.url, '/v1/batch', many(2501, u4), { writeKey }));
  const u5 = tag();
  assertAccepted(await postSegment(server.url, '/v1/batch', many(2500, u5), { writeKey }), '2,500 events');
  assert.equal(await storedFor(u5), 2500);

  // Over 1 MiB decoded: 413, plain or as a small gzip body.
  const u6 = tag();
  const huge = JSON.stringify({ batch: [track(u6, 0)], pad: 'z'.repeat(1100 * 1024) });
  await rejectedWhole('1.1 MiB body', 413, u6, () => postSegment(server.url, '/v1/batch', huge, { writeKey }));
  await rejectedWhole('gzip bomb', 413, u6, () => postSegment(server.url, '/v1/batch', huge, { writeKey, gzip: true }));

  // Deep nesting: 10 levels are fine, 40 are not.
  const nest = (depth) => { let v = { leaf: 1 }; for (let i = 0; i < depth; i++) v = { n: v }; return v; };
  const u7 = tag();
  assertAccepted(await postSegment(server.url, '/v1/batch', { batch: [track(u7, 0, { properties: nest(10) })] }, { writeKey }), 'nesting 10');
  const stored = (await allEvents(analyst, { identifier: `app_user_id:${u7}` }))[0];
  assert.deepEqual(stored.properties, nest(10));
  const u8 = tag();
  await rejectedWhole('nesting 40', 400, u8, () => postSegment(server.url, '/v1/batch',
    { batch: [track(u8, 0), track(u8, 1, { properties: nest(40) })] }, { writeKey }));
});

test('write keys: wrong or missing is 401 problem+json and stores nothing', async () => {
  const user = tag();
  const body = { batch: [track(user, 0)] };
  await rejectedWhole('no write key', 401, user, () => postSegment(server.url, '/v1/batch', body));
  await rejectedWhole('wrong write key (Basic)', 401, user, () => postSegment(server.url, '/v1/batch', body, { writeKey: 'wk_wrong' }));
  await rejectedWhole('wrong write key (body)', 401, user, () => postSegment(server.url, '/v1/batch', { ...body, writeKey: 'wk_wrong' }));
  await rejectedWhole('an API key is not a write key', 401, user, () => postSegment(server.url, '/v1/batch', body,
    { headers: { authorization: 'Bearer bk_something' } }));
  await rejectedWhole('write key as password', 401, user, () => postSegment(server.url, '/v1/batch', body,
    { headers: { authorization: `Basic ${Buffer.from(`x:${writeKey}`).toString('base64')}` } }));
  await rejectedWhole('Sensors without token', 401, user, () => postSensors(server.url, '?project=default',
    sensorsForm([{ type: 'track', event: 'E', distinct_id: user, time: Date.now(), properties: { $is_login_id: true } }])));
  await rejectedWhole('Sensors wrong token', 401, user, () => postSensors(server.url, '?project=default&token=wk_wrong',
    sensorsForm([{ type: 'track', event: 'E', distinct_id: user, time: Date.now(), properties: { $is_login_id: true } }])));
});

test('the body is JSON whatever the content type (text/plain, form-urlencoded, none)', async () => {
  const user = tag();
  const send = (i, headers) => postSegment(server.url, '/v1/batch', { batch: [track(user, i)] }, { writeKey, headers });
  assertAccepted(await send(0, { 'content-type': 'text/plain' }), 'text/plain');
  assertAccepted(await send(1, { 'content-type': 'application/x-www-form-urlencoded' }), 'form-urlencoded');
  assertAccepted(await send(2, { 'content-type': 'application/octet-stream' }), 'octet-stream');
  const res = await fetch(`${server.url}/v1/track`, {
    method: 'POST', headers: { authorization: basic(writeKey) },
    body: new Blob([JSON.stringify(track(user, 3))]), // no content type at all
  });
  assert.equal(res.status, 200, await res.text());
  assert.equal(await storedFor(user), 4);
});

test('C3 data (passwords, PINs, CVVs, track data) is stripped before storage', async () => {
  const user = tag();
  const trackData = ';4000123412341234=25121010000000000000?';
  const body = {
    batch: [
      track(user, 'c3-track', {
        properties: {
          amount: 100, password: 'hunter2', cvv: '123', pin: '0000', card_track: trackData, Card_CVV2: '999',
          memo: trackData, nested: { loginPassword: 'p@ss', keep: '保留', list: [{ otp: '654321', ok: 1 }] },
        },
        context: { device: { pin: '1234', model: 'iPhone' } },
      }),
      { type: 'identify', userId: user, messageId: `${user}-c3-identify`, traits: { name: '赵六', password: 'x', sms_code: '8888' } },
    ],
  };
  assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey }), 'C3 batch');
  const stored = new Map((await allEvents(analyst, { identifier: `app_user_id:${user}` })).map((e) => [e.message_id, e]));
  const t = stored.get(`${user}-c3-track`);
  assert.ok(t, 'track stored');
  assert.deepEqual(t.properties, { amount: 100, nested: { keep: '保留', list: [{ ok: 1 }] } }, JSON.stringify(t.properties));
  assert.deepEqual(t.context.device, { model: 'iPhone' }, JSON.stringify(t.context));
  const i = stored.get(`${user}-c3-identify`);
  assert.deepEqual(i.traits, { name: '赵*' }, JSON.stringify(i.traits));  // C3 gone; the name masked in event views
  for (const e of stored.values()) {
    assert.doesNotMatch(JSON.stringify(e), /hunter2|p@ss|654321|4000123412341234|8888/, 'C3 value leaked');
  }

  // Sensors too.
  const distinct = tag();
  const res = await postSensors(server.url, `?project=default&token=${writeKey}`, sensorsForm([{
    type: 'track', event: 'CardBound', distinct_id: distinct, time: Date.now(), _track_id: 42,
    properties: { $lib: 'Node', card_last4: '1234', cvv2: '321', trade_password: '112233' },
  }]));
  assertAccepted(res, 'Sensors C3');
  const [s] = await allEvents(analyst, { identifier: `anonymous_id:${distinct}` });
  assert.ok(s, 'Sensors event stored');
  assert.equal(s.properties.card_last4, '1234');
  assert.ok(!('cvv2' in s.properties) && !('trade_password' in s.properties), JSON.stringify(s.properties));
});

test('Sensors: bad base64, truncated gzip, unknown type and encrypted payloads are 400 and store nothing', async () => {
  const distinct = tag();
  const q = `?project=default&token=${writeKey}`;
  const record = (i) => ({ type: 'track', event: 'SensorsProbe', distinct_id: distinct, time: Date.now(), _track_id: i, properties: { i } });
  const byDistinct = async () => (await allEvents(analyst, { identifier: `anonymous_id:${distinct}` })).length;
  const check = async (what, form) => {
    const before = await byDistinct();
    assertProblem(await postSensors(server.url, q, form), 400, what);
    assert.equal(await byDistinct(), before, `${what}: stored something`);
  };
  await check('bad base64', 'data_list=%%%not-base64***&gzip=0');
  const gz = gzipSync(JSON.stringify([record(1), record(2)]));
  await check('truncated gzip', new URLSearchParams({ data_list: gz.subarray(0, gz.length - 10).toString('base64'), gzip: '1' }).toString());
  await check('not JSON inside', new URLSearchParams({ data: Buffer.from('{"type":').toString('base64'), gzip: '0' }).toString());
  await check('unknown type in a list', sensorsForm([record(3), { ...record(4), type: 'item_set' }]));
  await check('encrypted (gzip=9)', new URLSearchParams({ data_list: gz.toString('base64'), gzip: '9' }).toString());
  await check('no data at all', 'gzip=1');
  const gif = await fetch(`${server.url}/sa.gif${q}&data=%%%garbage`);
  assert.equal(gif.status, 400, 'GET /sa.gif with bad data');

  // The good records on their own are accepted, both as data_list and as one data record.
  assertAccepted(await postSensors(server.url, q, sensorsForm([record(5), record(6)])), 'good data_list');
  assertAccepted(await postSensors(server.url, q, sensorsForm(record(7), { field: 'data', gzip: false })), 'good data');
  assert.equal(await byDistinct(), 3);
});

test('GET /api/v1/events: needs events:read, validates its parameters', async () => {
  assertProblem(await (async () => {
    const res = await fetch(`${server.url}/api/v1/events`);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: JSON.parse(text) };
  })(), 401, 'anonymous read');
  const rm = await login(server.url, 'rm.xixi', passwordOf(data.credentials, 'rm.xixi'));
  const denied = await rm.fetch('/api/v1/events');
  assert.equal(denied.status, 403, 'a relationship manager has no events:read');
  const wk = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: basic(writeKey) } });
  assert.equal(wk.status, 401, 'a write key cannot read events');
  for (const bad of ['limit=201', 'limit=0', 'from=yesterday', 'cursor=garbage', 'identifier=nocolon']) {
    const res = await analyst.fetch(`/api/v1/events?${bad}`);
    assert.equal(res.status, 400, `?${bad}: ${res.status}`);
  }
  const page = await eventsPage(analyst, { limit: 1 });
  assert.ok(page.items.length <= 1);
});

// Sends `body` until it is accepted, honouring 429/503 + Retry-After as an SDK does.
async function sendUntilAccepted(url, body, writeKey, what) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await postSegment(url, '/v1/batch', body, { writeKey });
    if (res.status === 200) return assertAccepted(res, what);
    assert.ok(res.status === 429 || res.status === 503, `${what}: ${res.status} ${res.text}`);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter >= 1, `${what}: ${res.status} without a usable Retry-After (${res.headers.get('retry-after')})`);
    await sleep(Math.min(retryAfter, 2) * 1000 * (0.5 + Math.random() / 2));
  }
  assert.fail(`${what}: never accepted`);
}

test('overload: a full queue and concurrent duplicates answer 429 + Retry-After; retries store each event once', async () => {
  const { dir, credentials } = demoDataDir();
  const busy = await startServer({ dir, env: { BANYAN_EVENTS_QUEUE_BYTES_MAX: String(1 << 20) } });
  try {
    const wk = credentials.write_key;
    const reader = await login(busy.url, 'analyst', passwordOf(credentials, 'analyst'));
    const count = async (name) => (await allEvents(reader, { name })).length;

    // The same batch twenty times at once: one request writes it, the others are duplicates
    // (200) or race the writer (429); either way it is stored once.
    const race = { batch: Array.from({ length: 50 }, (_, i) => ({ type: 'track', event: 'Race', userId: 'race', messageId: `race-${i}` })) };
    const raced = await Promise.all(Array.from({ length: 20 }, () => postSegment(busy.url, '/v1/batch', race, { writeKey: wk })));
    for (const r of raced) {
      if (r.status === 429) { assertProblem(r, 429, 'raced duplicate'); assert.ok(Number(r.headers.get('retry-after')) >= 1); }
      else assertAccepted(r, 'raced duplicate');
    }
    assert.ok(raced.some((r) => r.status === 200), 'one of the racing requests must win');
    await sendUntilAccepted(busy.url, race, wk, 'race retry');
    assert.equal(await count('Race'), 50);

    // ~450 KB batches, many at once, against a 1 MiB queue: some must be turned away with 429.
    let n = 0;
    const flood = () => ({ batch: Array.from({ length: 20 }, () => ({ type: 'track', event: 'Flood', userId: 'flood', messageId: `flood-${n++}`, properties: { blob: 'x'.repeat(22 * 1024) } })) });
    const refused = [];
    let accepted = 0;
    for (let wave = 0; wave < 5 && refused.length === 0; wave++) {
      const bodies = Array.from({ length: 40 }, flood);
      const answers = await Promise.all(bodies.map((b) => postSegment(busy.url, '/v1/batch', b, { writeKey: wk })));
      for (const [i, r] of answers.entries()) {
        if (r.status === 200) { assertAccepted(r, 'flood'); accepted++; continue; }
        const p = assertProblem(r, 429, 'flood');
        assert.match(p.detail, /queue/, 'the 429 says why');
        assert.ok(Number(r.headers.get('retry-after')) >= 1, `Retry-After: ${r.headers.get('retry-after')}`);
        refused.push(bodies[i]);
      }
    }
    assert.ok(refused.length > 0, 'a 1 MiB queue never filled under 40 concurrent 450 KB batches');
    assert.equal(await count('Flood'), accepted * 20, 'a refused batch stores nothing');
    for (const b of refused) await sendUntilAccepted(busy.url, b, wk, 'flood retry');
    assert.equal(await count('Flood'), n, 'after the retries every event is stored once');
  } finally {
    await busy.stop();
    cleanup(dir);
  }
});

test('dedup is per write key and within a batch; a revoked write key is 401', async () => {
  const admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
  const created = await admin.fetch('/api/v1/api-keys', { method: 'POST', json: { name: 'mini-program', kind: 'write' } });
  const createdText = await created.text();
  assert.equal(created.status, 201, createdText);
  const second = JSON.parse(createdText);
  assert.match(second.secret, /^wk_/);

  const user = tag();
  const one = { batch: [track(user, 'shared'), track(user, 'shared'), track(user, 'other')] };
  assertAccepted(await postSegment(server.url, '/v1/batch', one, { writeKey }), 'first key');
  assert.equal(await storedFor(user), 2, 'a message id repeated inside one batch is stored once');
  assertAccepted(await postSegment(server.url, '/v1/batch', one, { writeKey: second.secret }), 'second key');
  assert.equal(await storedFor(user), 4, 'the same message id from another write key is another event');
  assertAccepted(await postSegment(server.url, '/v1/batch', one, { writeKey: second.secret }), 'second key again');
  assert.equal(await storedFor(user), 4);

  assert.equal((await admin.fetch(`/api/v1/api-keys/${second.id}`, { method: 'DELETE' })).status, 204);
  const u2 = tag();
  await rejectedWhole('revoked write key', 401, u2, () => postSegment(server.url, '/v1/batch', { batch: [track(u2, 0)] }, { writeKey: second.secret }));
  const p = await rejectedWhole('message id over 200 bytes', 400, u2, () => postSegment(server.url, '/v1/batch',
    { batch: [track(u2, 0), { ...track(u2, 1), messageId: 'm'.repeat(201) }] }, { writeKey }));
  assert.equal(p.errors?.[0]?.pointer, '/batch/1/messageId', JSON.stringify(p));
  await rejectedWhole('invalid UTF-8', 400, u2, () => postSegment(server.url, '/v1/batch', Buffer.concat([
    Buffer.from(`{"batch":[{"type":"track","userId":"${u2}","event":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]), { writeKey }));
});
