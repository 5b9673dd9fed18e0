// DuckDB, the peer of bench/segment/run.sh: loads DIR/customers.tsv, DIR/events.tsv and
// DIR/tags.tsv (written by segment_bench --dump) into an in-memory database and times the SQL
// form of each question run.sh wrote as DIR/query_a.sql, query_b.sql, query_c.sql (the issue's
// attribute + behaviour count, the same with the haversine distance to a branch, a 5-way OR of
// tags), REPEATS times each. Prints per query
// "duckdb query=Q count=… median_ms=… min_ms=… max_ms=… load_s=…".
//
//   node bench/segment/duckdb_count.mjs DIR REPEATS
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, repeats] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const started = performance.now();
await db.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${dir}/customers.tsv', delim = '\t',
  header = false, columns = {'id': 'UINTEGER', 'age': 'UTINYINT', 'aum': 'BIGINT', 'tier': 'VARCHAR',
  'home_lat': 'DOUBLE', 'home_lon': 'DOUBLE'})`);
await db.run(`CREATE TABLE events AS SELECT * FROM read_csv('${dir}/events.tsv', delim = '\t',
  header = false, columns = {'person': 'UINTEGER', 't': 'BIGINT', 'type': 'VARCHAR',
  'channel': 'UTINYINT', 'product': 'VARCHAR', 'amount': 'DOUBLE'})`);
await db.run(`CREATE TABLE tags AS SELECT * FROM read_csv('${dir}/tags.tsv', delim = '\t',
  header = false, columns = {'tag': 'VARCHAR', 'id': 'UINTEGER'})`);
const loadSeconds = (performance.now() - started) / 1000;
for (const query of ['a', 'b', 'c']) {
  const sql = readFileSync(`${dir}/query_${query}.sql`, 'utf8');
  const times = [];
  let count = 0;
  for (let i = 0; i < Number(repeats); i++) {
    const t0 = performance.now();
    const reader = await db.runAndReadAll(sql);
    times.push(performance.now() - t0);
    count = Number(reader.getRows()[0][0]);
  }
  times.sort((a, b) => a - b);
  console.log(`duckdb query=${query} count=${count} median_ms=${times[times.length >> 1].toFixed(2)} ` +
    `min_ms=${times[0].toFixed(2)} max_ms=${times[times.length - 1].toFixed(2)} load_s=${loadSeconds.toFixed(1)}`);
}
