// Issue 5, the engine's wiring, through the real binary: `banyan serve` rebuilds the analytic
// engine from a demo bank at start, keeps it current as events arrive, forgets an erased customer,
// and reports it all in /metrics (banyan_engine_*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { eventually, postSegment } from './ingest_helpers.mjs';

let data, server, admin;
let seq = 0;
const mid = () => `bb-engine-${process.pid}-${++seq}`;

before(async () => {
  data = demoDataDir({ customers: 40, days: 7 });
  server = await startServer({ dir: data.dir });
  admin = await login(server.url, 'admin', passwordOf(data.credentials, 'admin'));
});

after(async () => {
  await server?.stop();
  cleanup(data.dir);
});

async function metrics() {
  const text = await (await admin.fetch('/metrics')).text();
  const value = (name) => {
    const m = text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'));
    assert.ok(m, `${name} in /metrics`);
    return Number(m[1]);
  };
  return {
    customers: value('banyan_engine_customers'),
    events: value('banyan_engine_events'),
    memory: value('banyan_engine_memory_bytes'),
    lag: value('banyan_engine_apply_lag_seconds'),
    queueFull: value('banyan_engine_queue_full_total'),
  };
}

async function send(...events) {
  const batch = events.map((e) => ({ messageId: mid(), timestamp: new Date().toISOString(), ...e }));
  const res = await postSegment(server.url, '/v1/batch', { batch }, { writeKey: data.credentials.write_key });
  assert.equal(res.status, 200, res.text);
}

test('the engine starts with the demo bank and follows new events and an erasure', async () => {
  const start = await metrics();
  assert.ok(start.customers >= 40, `customers ${start.customers}`);
  assert.ok(start.events > 0, `events ${start.events}`);
  assert.ok(start.memory > 0);
  assert.equal(start.queueFull, 0);

  await send(
    { type: 'identify', userId: 'bb-engine-u1', traits: { city: '杭州', phone: '13700001111' } },
    { type: 'track', event: 'view_product', userId: 'bb-engine-u1', properties: { product: 'fund' } },
    { type: 'track', event: 'view_product', userId: 'bb-engine-u1', properties: { product: 'card' } },
  );
  const grown = await eventually(async () => {
    const m = await metrics();
    return m.customers === start.customers + 1 && m.events === start.events + 3 ? m : null;
  });
  assert.ok(grown, 'one more customer with three more events');

  const found = await (await admin.fetch('/api/v1/customers?identifier=app_user_id:bb-engine-u1')).json();
  const erased = await admin.fetch(`/api/v1/customers/${found.items[0].one_id}`, { method: 'DELETE' });
  assert.equal(erased.status, 200, await erased.clone().text());
  const after = await eventually(async () => {
    const m = await metrics();
    return m.customers === start.customers && m.events === start.events ? m : null;
  });
  assert.ok(after, 'the erased customer and its events are gone from the engine');
});
