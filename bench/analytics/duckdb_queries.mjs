// DuckDB, the peer of bench/analytics/run.sh: loads DIR/events.tsv (written by analytics_bench
// --dump) into an in-memory database and times each DIR/NAME.sql run.sh wrote (funnel,
// funnel_by_channel, retention, mau), REPEATS times. Writes the last answer of each as
// DIR/duckdb_NAME.tsv and prints
// "duckdb query=NAME median_ms=… min_ms=… max_ms=… rows=… load_s=… peak_rss_mb=…".
//
//   node bench/analytics/duckdb_queries.mjs DIR REPEATS NAME...
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, repeats, ...names] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const started = performance.now();
await db.run(`CREATE TABLE events AS SELECT * FROM read_csv('${dir}/events.tsv', delim = '\t',
  header = false, quote = '', columns = {'person': 'UINTEGER', 't': 'BIGINT', 'type': 'VARCHAR',
  'channel': 'VARCHAR', 'product': 'VARCHAR'})`);
const loadSeconds = (performance.now() - started) / 1000;

function peakRssMb() {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return (parseInt(line.slice(6), 10) / 1024).toFixed(0);
}

for (const name of names) {
  const sql = readFileSync(`${dir}/${name}.sql`, 'utf8');
  const times = [];
  let rows = [];
  for (let i = 0; i < Number(repeats); i++) {
    const t0 = performance.now();
    const reader = await db.runAndReadAll(sql);
    times.push(performance.now() - t0);
    rows = reader.getRows();
  }
  writeFileSync(`${dir}/duckdb_${name}.tsv`, rows.map((r) => r.map(String).join('\t')).join('\n') + '\n');
  times.sort((a, b) => a - b);
  console.log(`duckdb query=${name} median_ms=${times[times.length >> 1].toFixed(2)} ` +
    `min_ms=${times[0].toFixed(2)} max_ms=${times[times.length - 1].toFixed(2)} rows=${rows.length} ` +
    `load_s=${loadSeconds.toFixed(1)} peak_rss_mb=${peakRssMb()}`);
}
