// Issue 3 crash test: four clients send batches while the server is killed with SIGKILL at a
// random (seeded) moment, three times over on one data directory. Every batch the server
// acknowledged must be stored exactly once after the restart; a batch it did not acknowledge
// at most once — and exactly once after the client retries it.
//
//   BANYAN_CRASH_SEED=123 node --test tests/blackbox/ingest_crash.test.mjs   # replay a run
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { allEvents, basic, countByMessageId, seededRandom, sleep } from './ingest_helpers.mjs';

const SEED = Number(process.env.BANYAN_CRASH_SEED ?? Date.now() % 1_000_000);
const ROUNDS = 3;
const CLIENTS = 4;
const BATCH_EVENTS = 25;
const RUN_FOR_MS = [1000, 2500]; // each round kills the server after a delay in this range

function batchOf(round, client, n) {
  const ids = Array.from({ length: BATCH_EVENTS }, (_, i) => `crash-r${round}-c${client}-b${n}-e${i}`);
  const sentAt = new Date().toISOString();
  return {
    ids,
    body: JSON.stringify({
      batch: ids.map((messageId, i) => ({
        type: 'track', event: 'Crash Probe', userId: `crash-c${client}`, messageId, timestamp: sentAt,
        properties: { round, client, batch: n, i, note: '崩溃测试' },
      })),
      sentAt,
    }),
  };
}

async function send(url, writeKey, body) {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(writeKey) }, body,
  });
  const text = await res.text();
  return { status: res.status, text };
}

// Checks the stored events against what the clients know; returns the counts by message id.
async function verify(url, credentials, batches, label) {
  const analyst = await login(url, 'analyst', passwordOf(credentials, 'analyst'));
  const counts = countByMessageId((await allEvents(analyst, { name: 'Crash Probe' })));
  const known = new Set();
  const problems = [];
  for (const b of batches) {
    for (const id of b.ids) {
      known.add(id);
      const n = counts.get(id) ?? 0;
      if (b.acked && n !== 1) problems.push(`${id} acknowledged, stored ${n} times`);
      if (!b.acked && n > 1) problems.push(`${id} not acknowledged, stored ${n} times`);
    }
  }
  for (const id of counts.keys()) if (!known.has(id)) problems.push(`${id} stored but never sent`);
  assert.deepEqual(problems.slice(0, 20), [], `${label} (seed ${SEED}): ${problems.length} problems`);
  return counts;
}

test(`acknowledged batches survive SIGKILL exactly once (${ROUNDS} rounds, seed ${SEED})`, async (t) => {
  const random = seededRandom(SEED);
  const { dir, credentials } = demoDataDir();
  const writeKey = credentials.write_key;
  const batches = []; // { ids, body, acked }
  let server;
  // Torn tails cut off at start-up (a kill that landed mid-write), for the record.
  const quarantined = (ctx) => {
    const q = join(dir, 'events', 'quarantine');
    ctx.diagnostic(`quarantine: ${existsSync(q) ? readdirSync(q).join(', ') || 'empty' : 'none'}`);
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      server = await startServer({ dir }); // after a kill: recovery must cope with whatever the kill left
      if (round > 0) quarantined(t);
      let stopped = false;
      const roundBatches = [];
      const client = async (c) => {
        for (let n = 0; !stopped; n++) {
          const b = { ...batchOf(round, c, n), acked: false };
          batches.push(b);
          roundBatches.push(b);
          try {
            const res = await send(server.url, writeKey, b.body);
            if (res.status === 200 && JSON.parse(res.text).success === true) b.acked = true;
            else if (res.status === 429 || res.status === 503) await sleep(20);
            else throw new Error(`unexpected ${res.status}: ${res.text}`);
          } catch (e) {
            if (!stopped) throw e; // errors are expected only once the server is being killed
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
      const delay = RUN_FOR_MS[0] + random() * (RUN_FOR_MS[1] - RUN_FOR_MS[0]);
      await sleep(delay);
      stopped = true;
      server.proc.kill('SIGKILL');
      await Promise.all(clients);
      const { signal } = await server.exited;
      assert.equal(signal, 'SIGKILL');
      const acked = roundBatches.filter((b) => b.acked).length;
      t.diagnostic(`round ${round}: killed after ${delay.toFixed(0)} ms, ${acked}/${roundBatches.length} batches acknowledged`);
      assert.ok(acked >= 10, `round ${round}: only ${acked} batches acknowledged before the kill — the test proves nothing`);
    }

    // Final restart: everything checks out, and retrying every unacknowledged batch (and a few
    // acknowledged ones) leaves each event stored exactly once.
    server = await startServer({ dir });
    quarantined(t);
    await verify(server.url, credentials, batches, `after ${ROUNDS} kills`);
    const retries = [...batches.filter((b) => !b.acked), ...batches.filter((b) => b.acked).slice(0, 5)];
    for (const b of retries) {
      const res = await send(server.url, writeKey, b.body);
      assert.equal(res.status, 200, `retry: ${res.status} ${res.text}`);
      b.acked = true;
    }
    const counts = await verify(server.url, credentials, batches, 'after retries');
    assert.equal(counts.size, batches.length * BATCH_EVENTS);
    assert.equal((await server.stop()).code, 0, server.stderr());
    server = null;
  } finally {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
    cleanup(dir);
  }
});
