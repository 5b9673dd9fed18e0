// Issue 3: `banyan import events` (NDJSON and gzip CSV, rejects with line numbers, idempotent)
// and `banyan events repair` against damage in the middle of a segment (docs/formats/event_log.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { banyan, cleanup, demoDataDir, login, passwordOf, startServer } from './harness.mjs';
import { allEvents, assertAccepted, countByMessageId, ms, postSegment } from './ingest_helpers.mjs';

async function storedEvents(dir, credentials, params = {}) {
  const server = await startServer({ dir });
  try {
    const analyst = await login(server.url, 'analyst', passwordOf(credentials, 'analyst'));
    return await allEvents(analyst, params);
  } finally {
    assert.equal((await server.stop()).code, 0, server.stderr());
  }
}

const output = (run) => `${run.stdout}\n${run.stderr}`;

test('import NDJSON and gzip CSV with rejects; importing again stores nothing twice', async () => {
  const { dir, credentials } = demoDataDir();
  try {
    // NDJSON: 40 events of several types, Chinese text, a blank line and CRLF endings.
    const base = Date.parse('2025-03-01T09:00:00Z');
    const lines = [];
    for (let i = 0; i < 40; i++) {
      const kind = ['track', 'identify', 'page', 'track'][i % 4];
      const e = { type: kind, userId: `imp-u${i % 7}`, messageId: `imp-nd-${i}`, timestamp: new Date(base + i * 60_000).toISOString() };
      if (kind === 'track') Object.assign(e, { event: '存款到期', properties: { amount: 1000 + i, channel: 'branch' } });
      if (kind === 'identify') Object.assign(e, { traits: { name: `客户${i}`, email: `c${i}@example.com` } });
      if (kind === 'page') Object.assign(e, { name: 'Statement', properties: { month: '2025-02' } });
      lines.push(JSON.stringify(e));
      if (i === 10) lines.push('');
    }
    const ndjson = join(dir, 'events.ndjson');
    writeFileSync(ndjson, `${lines.join('\r\n')}\r\n`);

    let run = banyan(['import', 'events', ndjson, '--format', 'ndjson', '--data-dir', dir]);
    assert.equal(run.status, 0, output(run));
    assert.match(output(run), /\b40\b/, `the summary should count 40 accepted events:\n${output(run)}`);

    // CSV, gzip-compressed: 12 records, three of them bad (lines 4, 8 and 11 of the file: the
    // record on line 9 has a quoted field with a line break, so it also takes line 10).
    const csv = [
      'message_id,type,event,user_id,anonymous_id,timestamp,channel,properties.amount:number,properties.branch,properties.vip:boolean',
      'imp-csv-1,track,Loan Applied,csv-u1,,2025-04-01T10:00:00Z,app,50000,西溪支行,true',
      'imp-csv-2,track,Loan Applied,csv-u2,,1743501600000,,20000,"城西, 支行",false',
      'imp-csv-3,track,Loan Applied,,,2025-04-01T10:02:00Z,,1,x,true', // line 4: no user id
      'imp-csv-4,page,Home,,csv-anon4,2025-04-01T10:03:00Z,web,,,',
      'imp-csv-5,identify,,csv-u5,,2025-04-01T10:04:00Z,,,"总行",true',
      ',track,No Id Given,csv-u6,,2025-04-01T10:05:00Z,wechat,6,,',
      'imp-csv-7,track,Loan Applied,csv-u7,,2025-04-01T10:06:00Z,,not-a-number,,', // line 8: bad number
      'imp-csv-8,track,Multi Line,csv-u8,,2025-04-01T10:07:00Z,,8,"第一行\n第二行",',
      'imp-csv-9,track,Loan Applied,csv-u9,,,,9,,', // line 11: no timestamp
      'imp-csv-10,screen,Detail,csv-u10,,2025-04-01T10:09:00Z,app,,,',
      ',track,No Id Given,csv-u11,,2025-04-01T10:10:00Z,,11,,',
      'imp-csv-12,track,Loan Applied,csv-u12,,2025-04-01T10:11:00Z,,12,,',
    ].join('\n');
    const csvPath = join(dir, 'events.csv.gz');
    writeFileSync(csvPath, gzipSync(`${csv}\n`));
    run = banyan(['import', 'events', csvPath, '--format', 'csv', '--data-dir', dir]);
    assert.equal(run.status, 1, `some records were rejected, so exit 1:\n${output(run)}`);
    for (const line of [4, 8, 11]) assert.match(output(run), new RegExp(`line ${line}\\b`, 'i'), `reject on line ${line} named:\n${output(run)}`);
    assert.doesNotMatch(output(run), /line (2|3|5|6|7|9|12|13|14)\b/i, `only the bad lines are rejects:\n${output(run)}`);
    assert.match(output(run), /\b9\b/, `the summary should count 9 accepted:\n${output(run)}`);
    assert.match(output(run), /\b3\b/, `the summary should count 3 rejected:\n${output(run)}`);

    // The same two files again: nothing new.
    run = banyan(['import', 'events', ndjson, '--data-dir', dir, '--format', 'ndjson']);
    assert.equal(run.status, 0, output(run));
    run = banyan(['import', 'events', csvPath, '--data-dir', dir, '--format', 'csv']);
    assert.equal(run.status, 1, output(run));

    const events = await storedEvents(dir, credentials);
    const imported = events.filter((e) => e.source === 'import');
    assert.equal(imported.length, 49, `40 NDJSON + 9 CSV events, each once; got ${imported.length}`);
    const counts = countByMessageId(imported);
    assert.deepEqual([...counts].filter(([, n]) => n !== 1), [], 'each imported event once');
    for (let i = 0; i < 40; i++) assert.ok(counts.has(`imp-nd-${i}`), `imp-nd-${i}`);
    for (const bad of ['imp-csv-3', 'imp-csv-7', 'imp-csv-9']) assert.ok(!counts.has(bad), `${bad} was rejected`);

    const nd5 = imported.find((e) => e.message_id === 'imp-nd-5');
    assert.equal(nd5.type, 'identify');
    assert.equal(nd5.traits.name, '客**');  // personal: masked in event views
    assert.ok(nd5.identifiers.some((i) => i.type === 'email' && i.value === 'c***@example.com'));
    assert.equal(ms(nd5.event_time), base + 5 * 60_000, 'imported events keep their timestamp');
    const nd0 = imported.find((e) => e.message_id === 'imp-nd-0');
    assert.equal(nd0.name, '存款到期');
    assert.equal(nd0.channel, 'branch');
    assert.deepEqual(nd0.properties, { amount: 1000, channel: 'branch' });

    const c1 = imported.find((e) => e.message_id === 'imp-csv-1');
    assert.deepEqual(c1.properties, { amount: 50000, branch: '西溪支行', vip: true });
    assert.equal(c1.channel, 'app');
    assert.equal(ms(c1.event_time), Date.parse('2025-04-01T10:00:00Z'));
    const c2 = imported.find((e) => e.message_id === 'imp-csv-2');
    assert.equal(ms(c2.event_time), 1743501600000, 'millisecond timestamps');
    assert.equal(c2.properties.branch, '城西, 支行');
    assert.equal(imported.find((e) => e.message_id === 'imp-csv-8').properties.branch, '第一行\n第二行');
    assert.equal(imported.find((e) => e.message_id === 'imp-csv-5').traits.branch, '总行');
    const derived = imported.filter((e) => e.name === 'No Id Given');
    assert.equal(derived.length, 2, 'rows without message_id are stored once each, even imported twice');
    for (const e of derived) assert.match(e.message_id, /^import-/);
  } finally {
    cleanup(dir);
  }
});

test('import refuses a data directory a running server owns, and a missing file', async () => {
  const { dir } = demoDataDir();
  try {
    const file = join(dir, 'one.ndjson');
    writeFileSync(file, `${JSON.stringify({ type: 'track', event: 'E', userId: 'u', timestamp: '2025-01-01T00:00:00Z' })}\n`);
    const server = await startServer({ dir });
    const run = banyan(['import', 'events', file, '--data-dir', dir]);
    await server.stop();
    assert.notEqual(run.status, 0, 'import while serving must fail');
    assert.match(output(run), /in use|running|lock/i, output(run));
    const missing = banyan(['import', 'events', join(dir, 'nope.ndjson'), '--data-dir', dir]);
    assert.notEqual(missing.status, 0, output(missing));
    assert.match(output(missing), /nope\.ndjson/, `the error names the file:\n${output(missing)}`);
  } finally {
    cleanup(dir);
  }
});

// The batches of a segment file: [{ offset, bytes, records }] (docs/formats/event_log.md).
function batchesOf(file) {
  const buf = readFileSync(file);
  const out = [];
  for (let off = 0; off + 40 <= buf.length;) {
    assert.deepEqual([...buf.subarray(off, off + 4)], [0x9b, 0x4c, 0x4f, 0x47], `magic at ${off} of ${file}`);
    const bytes = buf.readUInt32LE(off + 8);
    out.push({ offset: off, bytes, records: buf.readUInt32LE(off + 12), text: buf.subarray(off + 40, off + bytes).toString('latin1') });
    off += bytes;
  }
  return out;
}

test('a damaged batch in the middle of a segment stops start-up; repair quarantines it', async () => {
  const { dir, credentials } = demoDataDir();
  try {
    // Five requests of ten events: five batches in the newest segment.
    let server = await startServer({ dir });
    for (let b = 0; b < 5; b++) {
      const body = { batch: Array.from({ length: 10 }, (_, i) => ({ type: 'track', event: 'Repair Probe', userId: 'rep-u', messageId: `rep-b${b}-e${i}` })) };
      assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey: credentials.write_key }), `batch ${b}`);
    }
    assert.equal((await server.stop()).code, 0, server.stderr());

    const eventsDir = join(dir, 'events');
    const segments = readdirSync(eventsDir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
    assert.ok(segments.length >= 1, `segments: ${readdirSync(eventsDir)}`);
    const segment = join(eventsDir, segments.at(-1));
    const batches = batchesOf(segment);
    const probes = batches.filter((b) => b.text.includes('rep-b'));
    assert.equal(probes.length, 5, `one batch per request: ${batches.map((b) => b.records)}`);
    const victim = probes[2];
    assert.ok(victim.offset > 0);
    assert.ok(victim.text.includes('rep-b2-e0'), 'the third batch holds the third request');

    // Flip one payload byte of the third batch: damage followed by valid batches.
    const buf = readFileSync(segment);
    buf[victim.offset + 40 + Math.floor((victim.bytes - 40) / 2)] ^= 0x5a;
    writeFileSync(segment, buf);

    const refused = banyan(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0'], { timeout: 20_000 });
    assert.notEqual(refused.status, 0, `serve must refuse to start:\n${output(refused)}`);
    assert.ok(output(refused).includes(segments.at(-1)), `the message names the segment ${segments.at(-1)}:\n${output(refused)}`);
    assert.match(output(refused), new RegExp(`\\b${victim.offset}\\b`), `the message names offset ${victim.offset}:\n${output(refused)}`);
    assert.match(output(refused), /repair/, `the message tells the operator to repair:\n${output(refused)}`);

    const repair = banyan(['events', 'repair', '--data-dir', dir]);
    assert.equal(repair.status, 0, output(repair));
    assert.match(output(repair), new RegExp(`\\b${victim.offset}\\b`), `the report names the quarantined range:\n${output(repair)}`);
    const quarantined = join(eventsDir, 'quarantine', `${segments.at(-1)}.${victim.offset}.bad`);
    assert.ok(existsSync(quarantined), `quarantine file ${quarantined}: ${readdirSync(join(eventsDir, 'quarantine'))}`);
    assert.equal(readFileSync(quarantined).length, victim.bytes, 'exactly the damaged batch is quarantined');

    const again = banyan(['events', 'repair', '--data-dir', dir]);
    assert.equal(again.status, 0, `repairing a healthy log changes nothing:\n${output(again)}`);

    const stored = (await storedEvents(dir, credentials, { name: 'Repair Probe' })).map((e) => e.message_id);
    const expected = [0, 1, 3, 4].flatMap((b) => Array.from({ length: 10 }, (_, i) => `rep-b${b}-e${i}`));
    assert.deepEqual(stored.sort(), expected.sort(), 'the undamaged batches are all there, the damaged one is gone');
  } finally {
    cleanup(dir);
  }
});

test('a torn tail is cut off at start-up and kept in quarantine', async () => {
  const { dir, credentials } = demoDataDir();
  try {
    let server = await startServer({ dir });
    const body = { batch: Array.from({ length: 3 }, (_, i) => ({ type: 'track', event: 'Torn Probe', userId: 'torn-u', messageId: `torn-${i}` })) };
    assertAccepted(await postSegment(server.url, '/v1/batch', body, { writeKey: credentials.write_key }), 'batch');
    assert.equal((await server.stop()).code, 0, server.stderr());

    const eventsDir = join(dir, 'events');
    const segment = readdirSync(eventsDir).filter((f) => /^\d{20}\.log$/.test(f)).sort().at(-1);
    const path = join(eventsDir, segment);
    const good = readFileSync(path);
    const last = batchesOf(path).at(-1);
    // Half of a copy of the last batch, as if the machine died during the write.
    writeFileSync(path, Buffer.concat([good, good.subarray(last.offset, last.offset + Math.floor(last.bytes / 2))]));

    const stored = await storedEvents(dir, credentials, { name: 'Torn Probe' });
    assert.equal(stored.length, 3);
    assert.equal(readFileSync(path).length, good.length, 'the segment is truncated back to its last whole batch');
    assert.ok(existsSync(join(eventsDir, 'quarantine', `${segment}.${good.length}.torn`)), readdirSync(join(eventsDir, 'quarantine')).join());
  } finally {
    cleanup(dir);
  }
});
