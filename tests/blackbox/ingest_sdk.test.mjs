// Issue 3: the real Segment, RudderStack and Sensors Data SDKs (from npm) send to the real binary;
// every event must come back from GET /api/v1/events exactly once with the fields that were sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import SensorsAnalytics from 'sa-sdk-node';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import {
  allEvents, assertAccepted, assertIdentifier, countByMessageId, eventsPage, eventually, hasIdentifier,
  maskEmail, maskedTraits, maskPhone, ms, postSegment, postSensors, sensorsForm, sleep,
} from './ingest_helpers.mjs';

let data, server, analyst, writeKey;
// Each SDK leaves timers behind until it is closed; these close them even when a test fails
// half-way, so the test process can exit.
const disposers = [];

before(async () => {
  data = demoDataDir();
  writeKey = data.credentials.write_key;
  server = await startServer({ dir: data.dir });
  analyst = await login(server.url, 'analyst', passwordOf(data.credentials, 'analyst'));
});

after(async () => {
  for (const dispose of disposers) await dispose();
  await server?.stop();
  cleanup(data.dir);
});

const HOUR = 3600_000;

// What Banyan must make of a Segment/RudderStack event it accepted (see
// src/events/segment_protocol.h and normalize.h): `sent` is the event as the SDK put it on the wire
// with `batchSentAt` the batch's sentAt.
function checkSegmentShaped(stored, sent, batchSentAt, what) {
  const label = `${what} ${sent.type} ${sent.messageId}`;
  assert.equal(stored.message_id, sent.messageId, label);
  assert.equal(stored.source, 'segment', `${label}: source`);
  assert.equal(stored.type, sent.type, `${label}: type`);
  if (sent.type === 'track') assert.equal(stored.name, sent.event, `${label}: name`);
  else if (sent.type === 'page' || sent.type === 'screen') assert.equal(stored.name, sent.name, `${label}: name`);
  else assert.ok(!stored.name, `${label}: name should be empty, is ${JSON.stringify(stored.name)}`);

  if (sent.userId) assertIdentifier(stored, 'app_user_id', String(sent.userId), label);
  if (sent.anonymousId) assertIdentifier(stored, 'anonymous_id', String(sent.anonymousId), label);
  if (sent.previousId) assertIdentifier(stored, 'previous_id', String(sent.previousId), label);
  // Phone numbers and e-mail addresses name a person: the event views mask them.
  if (sent.type === 'identify' && sent.traits?.email) assertIdentifier(stored, 'email', maskEmail(sent.traits.email), label);
  if (sent.type === 'identify' && sent.traits?.phone) assertIdentifier(stored, 'phone', maskPhone(sent.traits.phone), label);
  const expectedIds = [sent.userId, sent.anonymousId, sent.previousId].filter(Boolean).length +
    (sent.type === 'identify' ? ['email', 'phone'].filter((k) => sent.traits?.[k]).length : 0);
  assert.equal(stored.identifiers.length, expectedIds, `${label}: identifiers ${JSON.stringify(stored.identifiers)}`);

  assert.deepEqual(stored.properties, sent.properties ?? {}, `${label}: properties`);
  if (sent.type === 'identify') {
    assert.deepEqual(stored.traits, maskedTraits(sent.traits), `${label}: traits`);
  } else if (sent.type === 'group') {
    assert.deepEqual(stored.traits, sent.traits ?? {}, `${label}: traits`);
  }
  assert.equal(stored.context?.library?.name, sent.context.library.name, `${label}: context.library`);

  const expectedChannel = { wechat: 'wechat', weixin: 'wechat', mini_program: 'mini_program', app: 'app' }[sent.properties?.channel] ?? 'unknown';
  assert.equal(stored.channel, expectedChannel, `${label}: channel (properties.channel=${sent.properties?.channel})`);

  // Clock skew: event_time = received_at − (sent_at − original), never after received_at.
  const sentAt = sent.sentAt ?? batchSentAt;
  const original = sent.originalTimestamp ?? sent.timestamp;
  assert.ok(Math.abs(ms(stored.sent_at) - ms(sentAt)) <= 1, `${label}: sent_at ${stored.sent_at} vs ${sentAt}`);
  const received = ms(stored.received_at);
  assert.ok(received >= ms(sentAt) - 5 && received <= Date.now() + 5, `${label}: received_at ${stored.received_at}`);
  const expected = Math.min(received, received - (ms(sentAt) - ms(original)));
  assert.ok(Math.abs(ms(stored.event_time) - expected) <= 1,
    `${label}: event_time ${stored.event_time}, expected ${new Date(expected).toISOString()} ` +
    `(received ${stored.received_at}, sentAt ${sentAt}, original ${original})`);
}

// The stored events with these message ids; asserts each is there exactly once.
async function exactlyOnce(messageIds, what) {
  const wanted = new Set(messageIds);
  const items = (await allEvents(analyst)).filter((e) => wanted.has(e.message_id));
  const counts = countByMessageId(items);
  const missing = messageIds.filter((id) => !counts.has(id));
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(missing, [], `${what}: events never stored`);
  assert.deepEqual(twice, [], `${what}: events stored more than once`);
  return new Map(items.map((e) => [e.message_id, e]));
}

test('Segment analytics-node: a realistic mix arrives exactly once with the fields sent', async () => {
  const run = randomUUID().slice(0, 8);
  const user = `seg-${run}-u1`;
  const anon = `seg-${run}-anon1`;
  const requests = [];
  const statuses = [];
  const errors = [];
  const analytics = new SegmentAnalytics({
    writeKey, host: server.url, flushAt: 4, flushInterval: 100, maxRetries: 0, httpRequestTimeout: 10_000,
  });
  disposers.push(() => analytics.closeAndFlush({ timeout: 1000 }));
  analytics.on('http_request', (r) => requests.push(JSON.parse(r.body)));
  analytics.on('http_response', (r) => statuses.push(r.status));
  analytics.on('error', (e) => errors.push(e));

  const past = new Date(Date.now() - 2 * HOUR);
  analytics.track({
    userId: user, event: 'Loan Applied', timestamp: past,
    properties: {
      amount: 50000, currency: 'CNY', product: '个人消费贷', branch: '杭州西溪支行', tags: ['首贷', '线上'],
      detail: { term_months: 12, rate: 0.0435, approved: false, note: null }, channel: 'wechat',
    },
  });
  analytics.track({ anonymousId: anon, event: 'Card Viewed', properties: { card: '白金信用卡', position: 3 } });
  analytics.identify({
    userId: user, anonymousId: anon,
    traits: { name: '张三', email: `zhang.${run}@example.com`, phone: '13800138000', city: '杭州', vip: true },
  });
  analytics.page({ userId: user, name: 'Home', category: 'Marketing', properties: { url: 'https://bank.example/', title: '首页' } });
  analytics.screen({ userId: user, name: 'LoanDetail', properties: { loan_id: 'L-0001', channel: 'app' } });
  analytics.alias({ userId: user, previousId: anon });
  analytics.group({ userId: user, groupId: `corp-${run}`, traits: { name: '杭州某科技有限公司', employees: 120 } });
  for (let i = 0; i < 13; i++) {
    analytics.track({ userId: user, event: 'Fund Viewed', properties: { fund_code: `00${1000 + i}`, 名称: `稳健理财${i}号`, rank: i } });
  }
  await analytics.closeAndFlush({ timeout: 15_000 });

  assert.deepEqual(errors.map((e) => String(e.reason ?? e.code ?? e)), [], 'delivery errors');
  assert.ok(requests.length >= 5, `expected several batches, got ${requests.length}`);
  assert.equal(statuses.length, requests.length);
  assert.deepEqual(statuses, statuses.map(() => 200), 'every batch answered 200');

  const sent = requests.flatMap((b) => b.batch.map((e) => ({ event: e, sentAt: b.sentAt })));
  assert.equal(sent.length, 20);
  const stored = await exactlyOnce(sent.map((s) => s.event.messageId), 'Segment');
  for (const { event, sentAt } of sent) checkSegmentShaped(stored.get(event.messageId), event, sentAt, 'Segment');

  // The identifier filter finds this user's events and nothing else.
  const byUser = await allEvents(analyst, { identifier: `app_user_id:${user}` });
  assert.equal(byUser.length, sent.filter((s) => s.event.userId === user).length, 'identifier filter');
  const tracks = await allEvents(analyst, { identifier: `app_user_id:${user}`, name: 'Fund Viewed' });
  assert.equal(tracks.length, 13, 'name filter');
  for (let i = 1; i < byUser.length; i++) {
    assert.ok(byUser[i - 1].sequence > byUser[i].sequence, 'newest first');
  }

  // A retry of the same batch (same messageIds) is acknowledged and stored once.
  const again = await postSegment(server.url, '/v1/batch', requests[0], { writeKey });
  assertAccepted(again, 'retried Segment batch');
  const gz = await postSegment(server.url, '/v1/batch', requests[1], { writeKey, gzip: true });
  assertAccepted(gz, 'retried Segment batch, gzip');
  await exactlyOnce(sent.map((s) => s.event.messageId), 'Segment after retry');
});

test('RudderStack rudder-sdk-node (gzip): a realistic mix arrives exactly once with the fields sent', async () => {
  const run = randomUUID().slice(0, 8);
  const user = `rs-${run}-u1`;
  const anon = `rs-${run}-anon1`;
  const sent = [];
  const statuses = [];
  const errors = [];
  const rudder = new RudderAnalytics(writeKey, {
    dataPlaneUrl: server.url, flushAt: 4, flushInterval: 100, retryCount: 0, gzip: true, logLevel: 'error',
    errorHandler: (e) => errors.push(e),
  });
  disposers.push(() => { clearTimeout(rudder.flushTimer); clearTimeout(rudder.timer); rudder.queue.length = 0; });
  rudder.axiosInstance.interceptors.request.use((config) => {
    assert.equal(config.headers['Content-Encoding'] ?? config.headers['content-encoding'], 'gzip');
    sent.push(JSON.parse(gunzipSync(config.data).toString('utf8')));
    return config;
  });
  rudder.axiosInstance.interceptors.response.use((res) => { statuses.push(res.status); return res; },
    (err) => { statuses.push(err.response?.status ?? String(err.code)); throw err; });

  const past = new Date(Date.now() - 3 * HOUR);
  rudder.track({ userId: user, event: 'Deposit Opened', originalTimestamp: past, properties: { amount: 10000, 产品: '定期存款', term: '1y', channel: 'mini_program' } });
  rudder.identify({ userId: user, anonymousId: anon, traits: { name: '王五', email: `wang.${run}@example.com`, risk_level: 'C3' } });
  rudder.page({ userId: user, name: 'Wealth', properties: { url: 'https://bank.example/wealth', title: '财富' } });
  rudder.screen({ anonymousId: anon, name: 'FundList', properties: { tab: '热门' } });
  rudder.alias({ userId: user, previousId: anon });
  rudder.group({ userId: user, groupId: `family-${run}`, traits: { members: 3 } });
  for (let i = 0; i < 10; i++) rudder.track({ anonymousId: anon, event: 'Article Read', properties: { article: `理财课堂 第${i}讲`, channel: 'weixin', i } });
  // The SDK flushes on its own (the first event at once, then every 4 or 100 ms); flush the rest
  // and wait until every request it sent has its answer.
  for (let guard = 0; guard < 50 && rudder.queue.length; guard++) await rudder.flush().catch(() => {});
  await eventually(() => !rudder.queue.length && statuses.length === sent.length, 10_000);

  assert.deepEqual(errors.map(String), [], 'delivery errors');
  assert.deepEqual(statuses, sent.map(() => 200), 'every batch answered 200');
  const events = sent.flatMap((b) => b.batch.map((e) => ({ event: e, sentAt: b.sentAt })));
  assert.equal(events.length, 16);
  const stored = await exactlyOnce(events.map((s) => s.event.messageId), 'RudderStack');
  for (const { event, sentAt } of events) checkSegmentShaped(stored.get(event.messageId), event, sentAt, 'RudderStack');
});

test('Sensors sa-sdk-node (gzip, batched): a realistic mix arrives exactly once with the fields sent', async () => {
  const run = randomUUID().slice(0, 8);
  const anon = `sa-${run}-anon`;
  const loginId = `sa-${run}-login`;
  const sa = new SensorsAnalytics();
  const submitter = sa.submitTo(
    { url: `${server.url}/sa?project=default&token=${writeKey}`, gzip: true, mode: 'track', timeout: 10_000 },
    { count: 3, timeSpan: 100 },
  );
  assert.ok(submitter, 'submitTo returns the submitter (it works once per process)');
  disposers.push(() => sa.onCompleted());
  const envelopes = [];
  let batches = 0;
  let batchesOk = 0;
  const errors = [];
  const consume = submitter.dataQueue.consumeData;
  submitter.dataQueue.consumeData = (messages) => { envelopes.push(...messages); batches++; return consume(messages); };
  submitter.subscribe(() => { batchesOk++; }, (e) => errors.push(e));

  const past = new Date(Date.now() - 5 * HOUR);
  sa.track(anon, 'ViewProduct', { product_name: '白金信用卡', price: 99.5, $time: past, $utm_source: 'weixin' });
  sa.track(anon, '$pageview', { $url: 'https://bank.example/loan', $title: '贷款首页' });
  sa.track(anon, '$AppViewScreen', { $screen_name: 'LoanDetail', channel: 'app' });
  sa.trackSignup(loginId, anon, { register_branch: '西溪支行' });
  sa.profileSet(loginId, { name: '李四', city: '杭州', $is_login_id: true });
  sa.profileSetOnce(loginId, { first_branch: '西溪支行', $is_login_id: true });
  sa.profileIncrement(loginId, { login_count: 1 });
  sa.track(loginId, 'LoanApply', { amount: 20000, term_months: 12, $is_login_id: true });

  const expected = [
    { type: 'track', name: 'ViewProduct', id: ['anonymous_id', anon], props: { product_name: '白金信用卡', price: 99.5 }, channel: 'wechat', time: past.valueOf() },
    { type: 'page', name: '$pageview', id: ['anonymous_id', anon], props: { url: 'https://bank.example/loan', title: '贷款首页' } },
    { type: 'screen', name: '$AppViewScreen', id: ['anonymous_id', anon], props: { screen_name: 'LoanDetail' }, channel: 'app' },
    { type: 'alias', id: ['app_user_id', loginId], id2: ['anonymous_id', anon], props: { register_branch: '西溪支行' } },
    { type: 'identify', id: ['app_user_id', loginId], traits: { name: '李四', city: '杭州' } },
    { type: 'profile_set_once', id: ['app_user_id', loginId], traits: { first_branch: '西溪支行' } },
    { type: 'profile_increment', id: ['anonymous_id', loginId], traits: { login_count: 1 } },
    { type: 'track', name: 'LoanApply', id: ['app_user_id', loginId], props: { amount: 20000, term_months: 12 } },
  ];
  const done = await eventually(() => errors.length > 0 || (envelopes.length === expected.length && batchesOk === batches), 10_000);
  assert.deepEqual(errors.map(String), [], 'Sensors submit errors');
  assert.ok(done, `sent ${envelopes.length} records, ${batchesOk} of ${batches} batches acknowledged`);
  assert.ok(batches >= 3, `the SDK batched: ${batches} requests`);

  const mine = async () => (await allEvents(analyst))
    .filter((e) => hasIdentifier(e, 'anonymous_id', anon) || hasIdentifier(e, 'app_user_id', loginId) || hasIdentifier(e, 'anonymous_id', loginId));
  const stored = await mine();
  assert.equal(stored.length, expected.length, `stored ${JSON.stringify(stored.map((e) => [e.type, e.name]))}`);
  for (const [i, want] of expected.entries()) {
    const label = `Sensors #${i} ${want.type} ${want.name ?? ''}`;
    const matches = stored.filter((e) => e.type === want.type && (want.name === undefined || e.name === want.name));
    assert.equal(matches.length, 1, `${label}: stored ${matches.length} times`);
    const e = matches[0];
    assert.equal(e.source, 'sensors', label);
    assert.match(e.message_id, /^sa-/, `${label}: message_id`);
    assertIdentifier(e, ...want.id, label);
    if (want.id2) assertIdentifier(e, ...want.id2, label);
    for (const [k, v] of Object.entries(want.props ?? {})) assert.deepEqual(e.properties[k], v, `${label}: properties.${k} in ${JSON.stringify(e.properties)}`);
    for (const [k, v] of Object.entries(maskedTraits(want.traits))) assert.deepEqual(e.traits[k], v, `${label}: traits.${k} in ${JSON.stringify(e.traits)}`);
    assert.equal(e.channel, want.channel ?? 'unknown', `${label}: channel`);
    // The SDK sends `time` and no `_flush_time`: the event time is the client's time. Records
    // go out in call order, so envelopes[i] is the record of expected[i].
    const wireType = { page: 'track', screen: 'track', alias: 'track_signup', identify: 'profile_set' }[want.type] ?? want.type;
    assert.equal(envelopes[i].type, wireType, `${label}: envelope order`);
    assert.ok(Math.abs(ms(e.event_time) - envelopes[i].time) <= 1, `${label}: event_time ${e.event_time} vs time ${new Date(envelopes[i].time).toISOString()}`);
    if (want.time) assert.ok(Math.abs(ms(e.event_time) - want.time) <= 1, `${label}: event_time from $time`);
  }

  // The same records again (a retry) are acknowledged and not stored twice.
  const retry = await postSensors(server.url, `?project=default&token=${writeKey}`, sensorsForm(envelopes));
  assertAccepted(retry, 'Sensors retry');
  assert.equal((await mine()).length, expected.length, 'Sensors retry stored again');
});

test('Sensors GET beacon /sa.gif is stored once however often it is repeated', async () => {
  const distinct = `gif-${randomUUID().slice(0, 8)}`;
  const record = {
    type: 'track', event: 'BannerClick', distinct_id: distinct, time: Date.now() - 60_000, _track_id: 123456789,
    properties: { $lib: 'js', $lib_version: '1.26.0', banner: '春季理财节', $url: 'https://bank.example/' },
    lib: { $lib: 'js', $lib_method: 'code', $lib_version: '1.26.0' },
  };
  const data = Buffer.from(JSON.stringify(record)).toString('base64');
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${server.url}/sa.gif?project=default&token=${writeKey}&data=${encodeURIComponent(data)}`);
    assert.equal(res.status, 200, `GET /sa.gif: ${res.status} ${await res.text()}`);
  }
  const items = await allEvents(analyst, { identifier: `anonymous_id:${distinct}` });
  assert.equal(items.length, 1, JSON.stringify(items));
  assert.equal(items[0].name, 'BannerClick');
  assert.equal(items[0].channel, 'web', 'the js SDK means web');
  assert.equal(items[0].properties.banner, '春季理财节');
});

test('every Segment endpoint and short path stores its type; writeKey in the body authenticates', async () => {
  const run = randomUUID().slice(0, 8);
  const user = `ep-${run}`;
  const cases = [
    ['/v1/track', { event: 'Long Track', properties: { a: 1 } }, 'track'],
    ['/v1/t', { event: 'Short Track' }, 'track'],
    ['/v1/identify', { traits: { level: 1 } }, 'identify'],
    ['/v1/i', { traits: { level: 2 } }, 'identify'],
    ['/v1/alias', { previousId: `${user}-old` }, 'alias'],
    ['/v1/a', { previousId: `${user}-old2` }, 'alias'],
    ['/v1/group', { groupId: 'g1' }, 'group'],
    ['/v1/g', { groupId: 'g2' }, 'group'],
    ['/v1/page', { name: 'Long Page' }, 'page'],
    ['/v1/p', { name: 'Short Page' }, 'page'],
    ['/v1/screen', { name: 'Long Screen' }, 'screen'],
    ['/v1/s', { name: 'Short Screen' }, 'screen'],
  ];
  const ids = [];
  for (const [i, [path, extra, type]] of cases.entries()) {
    const messageId = `${user}-${i}`;
    ids.push([messageId, type, path]);
    const body = { userId: user, messageId, timestamp: new Date().toISOString(), ...extra };
    // Half by Basic auth, half by "writeKey" in the body.
    const res = i % 2 === 0
      ? await postSegment(server.url, path, body, { writeKey })
      : await postSegment(server.url, path, { ...body, writeKey });
    assertAccepted(res, `POST ${path}`);
  }
  const batchBody = { batch: [{ type: 'track', event: 'From Batch', userId: user, messageId: `${user}-b` }], writeKey };
  assertAccepted(await postSegment(server.url, '/v1/b', batchBody), 'POST /v1/b');
  const importBody = { batch: [{ type: 'track', event: 'From Import', userId: user, messageId: `${user}-imp`, timestamp: '2025-06-01T08:00:00Z' }] };
  assertAccepted(await postSegment(server.url, '/v1/import', importBody, { writeKey }), 'POST /v1/import');
  ids.push([`${user}-b`, 'track', '/v1/b'], [`${user}-imp`, 'track', '/v1/import']);

  for (const [messageId, type, path] of ids) {
    const page = await eventsPage(analyst, { message_id: messageId });
    assert.equal(page.items.length, 1, `${path}: message_id filter found ${page.items.length}`);
    assert.equal(page.items[0].type, type, `${path}: type`);
  }
  const imported = (await eventsPage(analyst, { message_id: `${user}-imp` })).items[0];
  assert.equal(ms(imported.event_time), Date.parse('2025-06-01T08:00:00Z'), 'a timestamp without sentAt is kept as sent');
});

test('clock skew: event_time = received_at − (sentAt − timestamp), also for a client clock far ahead', async () => {
  const run = randomUUID().slice(0, 8);
  const now = Date.now();
  // The client's clock is 3 hours fast: it stamps the event 10 minutes before it sends.
  const clientNow = now + 3 * HOUR;
  const body = {
    batch: [
      { type: 'track', event: 'Skewed', userId: `skew-${run}`, messageId: `skew-${run}-1`, timestamp: new Date(clientNow - 10 * 60_000).toISOString() },
      { type: 'track', event: 'Skewed', userId: `skew-${run}`, messageId: `skew-${run}-2`, originalTimestamp: new Date(clientNow - 60_000).toISOString(), sentAt: new Date(clientNow).toISOString() },
      { type: 'track', event: 'Future', userId: `skew-${run}`, messageId: `skew-${run}-3`, timestamp: new Date(now + 5 * HOUR).toISOString(), sentAt: new Date(now).toISOString() },
    ],
    sentAt: new Date(clientNow).toISOString(),
  };
  assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey }), 'skewed batch');
  const got = new Map((await allEvents(analyst, { identifier: `app_user_id:skew-${run}` })).map((e) => [e.message_id, e]));
  assert.equal(got.size, 3);
  const e1 = got.get(`skew-${run}-1`);
  assert.ok(Math.abs(ms(e1.event_time) - (ms(e1.received_at) - 10 * 60_000)) <= 1, `skewed timestamp: ${JSON.stringify(e1)}`);
  const e2 = got.get(`skew-${run}-2`);
  assert.ok(Math.abs(ms(e2.event_time) - (ms(e2.received_at) - 60_000)) <= 1, `originalTimestamp + event sentAt: ${JSON.stringify(e2)}`);
  const e3 = got.get(`skew-${run}-3`);
  assert.ok(ms(e3.event_time) <= ms(e3.received_at), `an event cannot happen after it was received: ${JSON.stringify(e3)}`);
  // from/to select by event time.
  const windowed = await allEvents(analyst, {
    identifier: `app_user_id:skew-${run}`,
    from: new Date(ms(e1.event_time) - 1000).toISOString(), to: new Date(ms(e1.event_time) + 1000).toISOString(),
  });
  assert.deepEqual(windowed.map((e) => e.message_id), [`skew-${run}-1`], 'from/to');
});

test('analytics.js settings are served for the write key and point the browser SDK back here', async () => {
  const res = await fetch(`${server.url}/v1/projects/${writeKey}/settings`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const segmentIo = JSON.parse(text).integrations?.['Segment.io'];
  assert.equal(typeof segmentIo, 'object', text);
  assert.equal(segmentIo.apiKey, writeKey, text);
  // analytics.js sends to `${protocol}://${apiHost}/…`; without these it would go to Segment.
  assert.equal(segmentIo.apiHost, `${new URL(server.url).host}/v1`, text);
  assert.equal(segmentIo.protocol, 'http', text);
  const unknown = await fetch(`${server.url}/v1/projects/wk_not_a_key/settings`);
  assert.ok(unknown.status >= 400 && unknown.status < 500, `unknown write key: ${unknown.status}`);
});

test('browsers may send from any origin: CORS preflight and response headers on the ingestion endpoints', async () => {
  const origin = 'https://www.bank.example';
  for (const path of ['/v1/batch', '/v1/t', '/sa', '/sa.gif']) {
    const pre = await fetch(`${server.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,content-encoding' },
    });
    assert.ok(pre.status === 200 || pre.status === 204, `OPTIONS ${path}: ${pre.status}`);
    assert.ok(['*', origin].includes(pre.headers.get('access-control-allow-origin')), `OPTIONS ${path}: allow-origin`);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/, `OPTIONS ${path}: allow-methods`);
    const allowHeaders = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['content-type', 'authorization', 'content-encoding']) assert.ok(allowHeaders.includes(h), `OPTIONS ${path}: ${h} in ${allowHeaders}`);
  }
  const res = await postSegment(server.url, '/v1/t', { userId: `cors-${randomUUID()}`, event: 'From A Browser' },
    { writeKey, headers: { origin, 'content-type': 'text/plain' } });
  assertAccepted(res, 'cross-origin POST');
  assert.ok(['*', origin].includes(res.headers.get('access-control-allow-origin')), 'POST: allow-origin');
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/i, 'SDKs must be able to read Retry-After');
});

test('dedup survives a restart: a batch resent after SIGTERM and start is stored once', async () => {
  const run = randomUUID().slice(0, 8);
  const body = {
    batch: Array.from({ length: 5 }, (_, i) => ({ type: 'track', event: 'Before Restart', userId: `rst-${run}`, messageId: `rst-${run}-${i}` })),
    sentAt: new Date().toISOString(),
  };
  assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey }), 'first send');
  const { code } = await server.stop();
  assert.equal(code, 0, server.stderr());
  server = await startServer({ dir: data.dir });
  analyst = await login(server.url, 'analyst', passwordOf(data.credentials, 'analyst'));
  assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey }), 'resend after restart');
  await sleep(10);
  const items = await allEvents(analyst, { identifier: `app_user_id:rst-${run}` });
  assert.equal(items.length, 5, `stored ${items.length}: ${JSON.stringify(items.map((e) => e.message_id))}`);
});
