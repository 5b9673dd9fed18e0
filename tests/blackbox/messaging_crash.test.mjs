// Issue 7 through the real binary: messages accepted by the send API survive kill -9. A webhook
// channel points at a fake provider on loopback that honours the Idempotency-Key header (as a
// provider honouring our idempotency id does); the server is killed while messages are in flight
// and restarted; afterwards every accepted message has been sent and the provider delivered each
// exactly once. Requests it saw twice (at-least-once: a send whose answer the killed server never
// recorded) carried the same key, which is what makes them harmless.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { eventually, postSegment, sleep } from './ingest_helpers.mjs';

const MESSAGES = 150;
const PHONE = '13700001111';
let data, provider, providerUrl, server;
const requests = [];           // every Idempotency-Key received, in order
const delivered = new Map();   // key -> body, first delivery only

before(async () => {
  data = demoDataDir();
  provider = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      requests.push(key);
      if (!delivered.has(key)) delivered.set(key, body);
      // Slow enough that a kill lands with sends in flight.
      setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"id":"${key}"}`); }, 20);
    });
  });
  await new Promise((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${provider.address().port}/send`;
});

after(async () => {
  // A failed assertion leaves the restarted server running: stop it, or the file never ends.
  await server?.stop().catch(() => {});
  provider?.close();
  cleanup(data.dir);
});

const ENV = {
  BANYAN_MESSAGING_ALLOW_PLAIN_HTTP_LOOPBACK: 'true',
  BANYAN_MESSAGING_RETRY_BACKOFF_INITIAL_MS: '100',
  BANYAN_MESSAGING_DISPATCH_THREADS: '2',
  BANYAN_MESSAGING_DISPATCH_BATCH: '10',
};

test('kill -9 with messages in flight: after restart every accepted message is sent, none twice', async () => {
  server = await startServer({ dir: data.dir, env: ENV });
  const admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
  const identify = await postSegment(server.url, '/v1/identify',
    { userId: 'bb-msg-1', messageId: 'bb-msg-identify', traits: { phone: PHONE } },
    { writeKey: data.credentials.write_key });
  assert.equal(identify.status, 200);
  const oneId = await eventually(async () => {
    const res = await admin.fetch(`/api/v1/customers?identifier=phone:${PHONE}`);
    const body = await res.json();
    return body.items?.length === 1 ? body.items[0].one_id : null;
  });
  assert.ok(oneId, 'the customer is found');
  const put = await admin.fetch('/api/v1/channels/hook', {
    method: 'PUT',
    json: { kind: 'webhook', config: { url: providerUrl, address_type: 'phone', secret: 'hook-secret',
                                        body: { to: '{{address}}', text: '{{content.text}}' } } },
  });
  assert.equal(put.status, 200, await put.clone().text());
  const shown = await put.json();
  assert.equal(shown.config.secret, '********', 'secrets are write-only');

  const accepted = [];
  for (let i = 0; i < MESSAGES; i++) {
    const res = await admin.fetch('/api/v1/messages', {
      method: 'POST', headers: { 'idempotency-key': `crash-${i}` },
      json: { recipient: { one_id: oneId }, purpose: 'service', channel: 'hook', content: `第${i}条` },
    });
    assert.equal(res.status, 201, await res.clone().text());
    accepted.push((await res.json()).id);
    if (i === MESSAGES / 2) {
      // Some are sent, some in flight, some still queued: kill now.
      assert.ok(await eventually(() => requests.length > 0, 5000, 5));
    }
  }
  server.proc.kill('SIGKILL');
  await server.exited;
  const beforeRestart = requests.length;
  assert.ok(beforeRestart < MESSAGES, `the kill landed before everything was sent (${beforeRestart})`);

  server = await startServer({ dir: data.dir, env: ENV });
  const again = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
  await eventually(() => delivered.size === MESSAGES, 30_000, 100);
  assert.equal(delivered.size, MESSAGES, `${delivered.size} of ${MESSAGES} delivered`);
  // Every accepted message comes to read "sent", and the provider saw each one's key. A message
  // the old process handed over just before the kill is sent again after the restart (the
  // provider already has it, so `delivered` was full early): wait for its outcome too.
  for (const id of accepted) {
    let message;
    await eventually(async () => {
      message = await (await again.fetch(`/api/v1/messages/${id}`)).json();
      return message.state === 'sent';
    }, 30_000, 50);
    assert.equal(message.state, 'sent', JSON.stringify(message));
    assert.ok(delivered.has(`banyan-msg-${id}`));
  }
  // Delivered once each: duplicates, if any, were retries with the same key.
  assert.equal(new Set(requests).size, MESSAGES);
  assert.deepEqual([...delivered.values()].filter((b) => JSON.parse(b).to !== PHONE), []);
  // The send API is idempotent across the restart too.
  const replay = await again.fetch('/api/v1/messages', {
    method: 'POST', headers: { 'idempotency-key': 'crash-0' },
    json: { recipient: { one_id: oneId }, purpose: 'service', channel: 'hook', content: '第0条' },
  });
  assert.equal(replay.status, 200);
  assert.equal((await replay.json()).id, accepted[0]);
  await server.stop();
});
