// Helpers shared by the ingestion black-box tests (ingest_*.test.mjs): raw Segment and Sensors
// requests, and reading events back through GET /api/v1/events.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

export function basic(writeKey) {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

// POSTs `body` (an object is sent as JSON; a string or Buffer as it is) to a Segment endpoint.
// options: writeKey (Basic auth; omit for none), gzip, headers.
export async function postSegment(url, path, body, { writeKey, gzip = false, headers = {} } = {}) {
  let payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h = { 'content-type': 'application/json', ...headers };
  if (writeKey) h.authorization = basic(writeKey);
  if (gzip) { payload = gzipSync(payload); h['content-encoding'] = 'gzip'; }
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: h, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseOrNull(text) };
}

export function parseOrNull(text) {
  try { return JSON.parse(text); } catch { return null; }
}

// Sensors Data form body: data_list (or data) as base64 of (optionally gzipped) JSON.
export function sensorsForm(records, { gzip = true, field = 'data_list' } = {}) {
  const json = Buffer.from(JSON.stringify(records));
  const data = (gzip ? gzipSync(json) : json).toString('base64');
  return new URLSearchParams({ [field]: data, gzip: gzip ? '1' : '0' }).toString();
}

export async function postSensors(url, query, form) {
  const res = await fetch(`${url}/sa${query}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseOrNull(text) };
}

// Expects a 200 {"success":true} answer; the message names the request for the failure report.
export function assertAccepted(res, what) {
  assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
  assert.deepEqual(res.json, { success: true }, `${what}: body ${res.text}`);
}

// Expects an application/problem+json error with `status`; returns the problem body.
export function assertProblem(res, status, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, `${what}: content-type`);
  assert.equal(res.json?.status, status, `${what}: problem body ${res.text.slice(0, 500)}`);
  return res.json;
}

// One page of GET /api/v1/events with `params` (an object of query parameters).
export async function eventsPage(session, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
  const res = await session.fetch(`/api/v1/events?${query}`);
  const text = await res.text();
  assert.equal(res.status, 200, `GET /api/v1/events?${query}: ${res.status} ${text.slice(0, 500)}`);
  const body = JSON.parse(text);
  assert.ok(Array.isArray(body.items), `GET /api/v1/events?${query}: no items array: ${text.slice(0, 300)}`);
  return body;
}

// Every event matching `params`, following next_cursor (limit 200), newest first.
export async function allEvents(session, params = {}, { pagesMax = 5000 } = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < pagesMax; page++) {
    const body = await eventsPage(session, { ...params, limit: 200, cursor });
    items.push(...body.items);
    if (!body.next_cursor) return items;
    assert.notEqual(body.next_cursor, cursor, 'next_cursor did not advance');
    cursor = body.next_cursor;
  }
  throw new Error(`more than ${pagesMax} pages of events`);
}

// Map message_id → number of stored events with it.
export function countByMessageId(items) {
  const counts = new Map();
  for (const e of items) counts.set(e.message_id, (counts.get(e.message_id) ?? 0) + 1);
  return counts;
}

export function hasIdentifier(event, type, value) {
  return (event.identifiers ?? []).some((i) => i.type === type && i.value === value);
}

export function assertIdentifier(event, type, value, what) {
  assert.ok(hasIdentifier(event, type, value),
    `${what}: expected identifier ${type}:${value} in ${JSON.stringify(event.identifiers)}`);
}

// Milliseconds since the epoch of an RFC 3339 string, keeping sub-millisecond digits as a
// fraction (Date.parse drops them); null and undefined stay null.
export function ms(text) {
  if (text === null || text === undefined) return null;
  if (typeof text === 'number') return text;
  if (text instanceof Date) return text.valueOf();
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  assert.ok(m, `not an RFC 3339 time: ${text}`);
  const whole = Date.parse(`${m[1]}${m[3]}`);
  assert.ok(!Number.isNaN(whole), `not an RFC 3339 time: ${text}`);
  return whole + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

export const sleep = (msec) => new Promise((r) => setTimeout(r, msec));

// Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value.
export async function eventually(fn, timeoutMs = 5000, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  let value;
  do {
    value = await fn();
    if (value) return value;
    await sleep(stepMs);
  } while (Date.now() < end);
  return value;
}

// Deterministic pseudo-random numbers in [0, 1) (mulberry32), for seeded tests.
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// How the event views mask personal values (privacy/masking.h; docs/privacy.md): phone numbers
// and e-mail addresses always, and the personal profile attributes among identify traits.
export function maskPhone(phone) { return `${phone.slice(0, 3)}****${phone.slice(-4)}`; }
export function maskEmail(email) {
  const [local, domain] = email.split('@');
  return `${[...local][0]}***@${domain}`;
}
export function maskName(name) {
  const chars = [...name];
  const compound = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐'];
  const keep = chars.length > 2 && compound.includes(chars.slice(0, 2).join('')) ? 2 : 1;
  if (chars.length === 1) return '*';
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}
// The traits of an identify call as the event views show them.
export function maskedTraits(traits = {}) {
  const out = { ...traits };
  if (typeof out.phone === 'string') out.phone = maskPhone(out.phone);
  if (typeof out.email === 'string') out.email = maskEmail(out.email);
  if (typeof out.name === 'string') out.name = maskName(out.name);
  return out;
}
