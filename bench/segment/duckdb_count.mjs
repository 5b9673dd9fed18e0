// DuckDB, the peer of bench/segment/run.sh: loads DIR/customers.tsv and DIR/events.tsv (written by
// segment_bench --dump) into an in-memory database and times the segment count the engine answers,
//
//   age between 25 and 35 and aum > 500000 and did view_product at least 3 times in last 30 days
//
// as SQL, REPEATS times. Prints "duckdb count=… median_ms=… min_ms=… max_ms=… load_s=…".
//
//   node bench/segment/duckdb_count.mjs DIR FROM_S TO_S REPEATS
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, from, to, repeats] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const started = performance.now();
await db.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${dir}/customers.tsv', delim = '\t',
  header = false, columns = {'id': 'UINTEGER', 'age': 'UTINYINT', 'aum': 'BIGINT', 'tier': 'VARCHAR'})`);
await db.run(`CREATE TABLE events AS SELECT * FROM read_csv('${dir}/events.tsv', delim = '\t',
  header = false, columns = {'person': 'UINTEGER', 't': 'BIGINT', 'type': 'VARCHAR',
  'channel': 'UTINYINT', 'product': 'VARCHAR', 'amount': 'DOUBLE'})`);
const loadSeconds = (performance.now() - started) / 1000;
const sql = `SELECT count(*) AS n FROM customers
  WHERE age BETWEEN 25 AND 35 AND aum > 50000000
    AND id IN (SELECT person FROM events
               WHERE type = 'view_product' AND t >= ${Number(from)} AND t < ${Number(to)}
               GROUP BY person HAVING count(*) >= 3)`;
const times = [];
let count = 0;
for (let i = 0; i < Number(repeats); i++) {
  const t0 = performance.now();
  const reader = await db.runAndReadAll(sql);
  times.push(performance.now() - t0);
  count = Number(reader.getRows()[0][0]);
}
times.sort((a, b) => a - b);
console.log(`duckdb count=${count} median_ms=${times[times.length >> 1].toFixed(2)} ` +
  `min_ms=${times[0].toFixed(2)} max_ms=${times[times.length - 1].toFixed(2)} load_s=${loadSeconds.toFixed(1)}`);
