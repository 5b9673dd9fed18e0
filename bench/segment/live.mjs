// bench/segment/live.mjs: the live-segment half of bench/segment/live.sh.
//
//   node live.mjs setup URL CREDENTIALS N     creates N live segments over the events wrk sends
//   node live.mjs settle URL CREDENTIALS      waits until every live segment is consistent with
//                                             the engine's latest version; prints the wait, the
//                                             monitor's counters and a check of every segment
//                                             against a fresh count
import { readFileSync } from 'node:fs';

const [mode, url, credentialsFile, n] = process.argv.slice(2);
const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
const password = credentials.logins.find((l) => l.username === 'admin').password;

async function login() {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return async (path, init = {}) => {
    const headers = { cookie, 'x-csrf-token': body.csrf_token };
    if (init.json !== undefined) { headers['content-type'] = 'application/json'; init.body = JSON.stringify(init.json); }
    const r = await fetch(`${url}${path}`, { ...init, headers });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text}`);
    return init.raw ? text : text ? JSON.parse(text) : null;
  };
}

// 100 shapes: behaviour on the events wrk sends (re-checked on every round that saw them), and
// profile conditions (skipped by rounds that only carry those events).
function expressions(count) {
  const products = ['personal_loan', 'credit_card', 'time_deposit', 'wealth_fund'];
  const out = [];
  for (let i = 0; out.length < count; i += 1) {
    const p = products[i % 4];
    switch (i % 10) {
      case 0: case 1: case 2:
        out.push(`did "Loan Applied" where product = "${p}" at least ${1 + (i % 5)} times in last ${1 + (i % 30)} days`); break;
      case 3: case 4:
        out.push(`sum("Loan Applied".amount where product = "${p}") in last ${7 + (i % 23)} days > ${50000 + 1000 * i}`); break;
      case 5:
        out.push(`did "Loan Applied" where step = ${i % 5} and amount > ${1000 * i} at least 2 times`); break;
      case 6:
        out.push(`count("Loan Applied" where branch = "HZ-XIXI") in last 3 days >= ${2 + (i % 4)}`); break;
      default:
        out.push(`aum > ${10000 * (i + 1)} and age between ${20 + (i % 10)} and ${40 + (i % 20)}`);
    }
  }
  return out;
}

const api = await login();
if (mode === 'setup') {
  for (let i = 0; ; i += 1) {
    const catalog = await api('/api/v1/segments/catalog');
    if (catalog.events.some((e) => e.name === 'Loan Applied')) break;
    if (i > 200) throw new Error('the probe event did not reach the engine');
    await new Promise((r) => setTimeout(r, 50));
  }
  const started = Date.now();
  for (const [i, expression] of expressions(Number(n)).entries()) {
    await api('/api/v1/segments', { method: 'POST', json: { name: `bench live ${i}`, expression } });
  }
  console.log(`# created ${n} live segments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else if (mode === 'settle') {
  const started = Date.now();
  const metric = async (name) => {
    const text = await api('/metrics', { raw: true });
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : NaN;
  };
  let segments;
  for (;;) {
    const lag = await metric('banyan_engine_apply_lag_seconds');
    segments = (await api('/api/v1/segments')).items.filter((s) => s.live);
    // The latest engine version: what a preview reads.
    const version = (await api('/api/v1/segments/preview', { method: 'POST', json: { expression: 'aum is set', sample: 0 } })).engine_version;
    if (lag === 0 && segments.every((s) => s.live.engine_version === version)) break;
    if (Date.now() - started > 600_000) throw new Error('live segments did not settle in 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  const settle_s = (Date.now() - started) / 1000;
  let mismatched = 0, members = 0;
  for (const s of segments) {
    const fresh = await api('/api/v1/segments/preview', { method: 'POST', json: { expression: s.expression, sample: 0 } });
    if (fresh.count !== s.live.members) {
      mismatched += 1;
      console.error(`# MISMATCH ${s.name}: live ${s.live.members}, fresh ${fresh.count}: ${s.expression}`);
    }
    members += s.live.members;
  }
  const rounds = await metric('banyan_segment_rounds_total');
  const rechecks = await metric('banyan_segment_rechecks_total');
  const skipped = await metric('banyan_segment_skipped_total');
  const full = await metric('banyan_segment_full_evaluations_total');
  const transitions = await metric('banyan_segment_transitions_total');
  console.log(`live settle_s=${settle_s.toFixed(2)} segments=${segments.length} members=${members} rounds=${rounds} rechecks=${rechecks} skipped=${skipped} full=${full} transitions=${transitions} mismatched=${mismatched}`);
  if (mismatched > 0) process.exit(1);
}
