// Issue 7's read APIs for the console through the real binary: the message list (newest first,
// paged, filtered), the stats (by channel, reason and day), each parameter validated with a
// problem naming it, the scope rule (a relationship manager and a branch manager see only
// messages to customers of their scope at acceptance), and WeChat's URL verification (GET with
// echostr answered only for a wechat_mp channel and a valid signature), and the WeCom
// result-poll keys' bounds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { banyan, cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { eventually, postSegment } from './ingest_helpers.mjs';

const PHONE = '13700002222';
let data, provider, providerUrl, server, admin;
const ids = [];

before(async () => {
  data = demoDataDir();
  provider = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":"p"}'); });
  });
  await new Promise((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${provider.address().port}`;
  server = await startServer({ dir: data.dir, env: { BANYAN_MESSAGING_ALLOW_PLAIN_HTTP_LOOPBACK: 'true' } });
  admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
  const identify = await postSegment(server.url, '/v1/identify',
    { userId: 'bb-api-1', messageId: 'bb-api-identify', traits: { phone: PHONE } },
    { writeKey: data.credentials.write_key });
  assert.equal(identify.status, 200);
  const oneId = await eventually(async () => {
    const res = await admin.fetch(`/api/v1/customers?identifier=phone:${PHONE}`);
    const body = await res.json();
    return body.items?.length === 1 ? body.items[0].one_id : null;
  });
  const put = await admin.fetch('/api/v1/channels/hook', {
    method: 'PUT',
    json: { kind: 'webhook', config: { url: `${providerUrl}/send`, address_type: 'phone',
                                        body: { to: '{{address}}', text: '{{content.text}}' } } },
  });
  assert.equal(put.status, 200, await put.clone().text());
  for (let i = 0; i < 3; i++) {
    const res = await admin.fetch('/api/v1/messages', {
      method: 'POST', headers: { 'idempotency-key': `api-${i}` },
      json: { recipient: { one_id: oneId }, purpose: 'service', channel: 'hook', content: `第${i}条` },
    });
    assert.equal(res.status, 201, await res.clone().text());
    ids.push((await res.json()).id);
  }
});

after(async () => {
  await server?.stop().catch(() => {});
  provider?.close();
  cleanup(data.dir);
});

async function getJson(session, path, status = 200) {
  const res = await session.fetch(path);
  const text = await res.text();
  assert.equal(res.status, status, `${path}: ${text}`);
  return JSON.parse(text);
}

test('the message list is newest first, paged with a cursor and filtered', async () => {
  const first = await getJson(admin, '/api/v1/messages?limit=2');
  assert.deepEqual(first.items.map((m) => m.id), [ids[2], ids[1]]);
  assert.equal(typeof first.next_cursor, 'string');
  const second = await getJson(admin, `/api/v1/messages?limit=2&cursor=${first.next_cursor}`);
  assert.deepEqual(second.items.map((m) => m.id), [ids[0]]);
  assert.equal(second.next_cursor, null);
  const item = first.items[0];
  assert.equal(item.channel, 'hook');
  assert.deepEqual(Object.keys(item.recipient), ['one_id'], 'the recipient as OneID, no address');
  assert.equal(item.attempts, undefined);
  const none = await getJson(admin, '/api/v1/messages?state=dead&purpose=marketing');
  assert.deepEqual(none.items, []);
  const from = new Date(Date.now() - 3600_000).toISOString();
  const inRange = await getJson(admin, `/api/v1/messages?channel=hook&from=${from}`);
  assert.equal(inRange.items.length, 3);
});

test('stats count messages by state per channel, by reason and by day', async () => {
  const byChannel = await getJson(admin, '/api/v1/messaging/stats?group_by=channel');
  assert.equal(byChannel.total, 3);
  assert.equal(byChannel.groups[0].channel, 'hook');
  assert.equal(byChannel.groups[0].total, 3);
  const byDay = await getJson(admin, '/api/v1/messaging/stats?group_by=day');
  assert.equal(byDay.groups.reduce((n, d) => n + d.total, 0), 3);
  const byReason = await getJson(admin, '/api/v1/messaging/stats?group_by=reason');
  assert.deepEqual(byReason.groups, []);
});

test('every bad parameter is a problem naming it', async () => {
  const cases = [
    ['/api/v1/messages?state=nope', 'state'],
    ['/api/v1/messages?purpose=spam', 'purpose'],
    ['/api/v1/messages?template_id=x', 'template_id'],
    ['/api/v1/messages?from=yesterday', 'from'],
    ['/api/v1/messages?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
    ['/api/v1/messages?limit=0', 'limit'],
    ['/api/v1/messages?cursor=abc', 'cursor'],
    ['/api/v1/messages?colour=red', 'colour'],
    ['/api/v1/messaging/stats?group_by=week', 'group_by'],
    ['/api/v1/messaging/stats?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/api/v1/messaging/stats?to=nope', 'to'],
  ];
  for (const [path, parameter] of cases) {
    const res = await admin.fetch(path);
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get('content-type'), /application\/problem\+json/);
    const problem = await res.json();
    assert.equal(problem.errors?.[0]?.parameter, parameter, `${path}: ${JSON.stringify(problem)}`);
  }
});

test('branch callers see only messages to customers of their scope', async () => {
  // The customer has no home branch or relationship manager: outside every branch scope.
  for (const username of ['rm.xixi', 'manager.xixi']) {
    const session = await login(server.url, username, passwordOf(data.credentials, username));
    const list = await getJson(session, '/api/v1/messages');
    assert.deepEqual(list.items, [], username);
    const stats = await getJson(session, '/api/v1/messaging/stats');
    assert.equal(stats.total, 0, username);
  }
});

test('WeChat URL verification answers the echostr only for a valid signature', async () => {
  const put = await admin.fetch('/api/v1/channels/wx', {
    method: 'PUT',
    json: { kind: 'wechat_mp', config: { app_id: 'wx1', app_secret: 's', api_base: providerUrl,
                                          callback_token: 'wxtoken' } },
  });
  assert.equal(put.status, 200, await put.clone().text());
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'n42';
  const signature = createHash('sha1').update(['wxtoken', timestamp, nonce].sort().join('')).digest('hex');
  const query = (sig) => `signature=${sig}&timestamp=${timestamp}&nonce=${nonce}&echostr=7311`;
  const ok = await fetch(`${server.url}/api/v1/messaging/inbound/wx?${query(signature)}`);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), '7311');
  const wrong = await fetch(`${server.url}/api/v1/messaging/inbound/wx?${query('0'.repeat(40))}`);
  assert.equal(wrong.status, 401);
  const other = await fetch(`${server.url}/api/v1/messaging/inbound/hook?${query(signature)}`);
  assert.equal(other.status, 404, 'only wechat_mp channels answer');
  // A signed push in plaintext mode is answered "success".
  const xml = '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><MsgType><![CDATA[event]]></MsgType>' +
    '<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>1</MsgID><Status><![CDATA[success]]></Status></xml>';
  const push = await fetch(`${server.url}/api/v1/messaging/inbound/wx?${query(signature)}`,
    { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
  assert.equal(push.status, 200);
  assert.equal(await push.text(), 'success');
});

test('the result-poll keys are read and bounded', () => {
  const env = (extra) => ({ env: { PATH: process.env.PATH, ...extra } });
  const shown = banyan(['config', 'show'], env({ BANYAN_MESSAGING_RESULT_POLL_WINDOW_HOURS: '48' }));
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /result_poll_window_hours = 48/);
  assert.match(shown.stdout, /result_poll_interval_s = 60/);
  for (const [name, value] of [['RESULT_POLL_INTERVAL_S', '4'], ['RESULT_POLL_INTERVAL_S', '3601'],
    ['RESULT_POLL_WINDOW_HOURS', '0'], ['RESULT_POLL_WINDOW_HOURS', '721']]) {
    const refused = banyan(['config', 'show'], env({ [`BANYAN_MESSAGING_${name}`]: value }));
    assert.notEqual(refused.status, 0, `${name}=${value}`);
    assert.match(refused.stderr, new RegExp(`messaging\\.${name.toLowerCase()}: ${value} is out of range`));
  }
});
