#!/usr/bin/env bash
# bench/segment: the engine's segment count against ClickHouse and DuckDB on the same data.
#
# segment_bench builds the engine from its deterministic generator (CUSTOMERS customers, EVENTS
# events of 20 types over 180 days), times the count of
#
#   age between 25 and 35 and aum > 500000 and did view_product at least 3 times in last 30 days
#
# and dumps the data it applied as TSV; the same rows are then loaded into ClickHouse (Debian's
# clickhouse-server, MergeTree tables ordered for this query: events by (type, person, t)) and
# DuckDB (@duckdb/node-api from npm, in memory), which answer the same question in SQL. The
# answers must be equal; each time is the median of REPEATS runs, loading excluded.
#
#   bench/segment/run.sh [CUSTOMERS] [EVENTS] [REPEATS]
#
# Prints the engine's lines (segment data/window/apply/count/memory), then
#   clickhouse count=… median_ms=… min_ms=… max_ms=…
#   duckdb count=… median_ms=… min_ms=… max_ms=… load_s=…
#   ratio clickhouse/banyan=… duckdb/banyan=… (target ≥ 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
CUSTOMERS=${1:-1000000}
EVENTS=${2:-10000000}
REPEATS=${3:-21}
BIN=${BUILD:-build/release}/bench/segment/segment_bench
[ -x "$BIN" ] || { echo "build first: cmake --build ${BUILD:-build/release} --target segment_bench" >&2; exit 1; }
source bench/lib/clickhouse.sh
(cd bench/segment && (npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null))

work=$(mktemp -d)
cleanup() { clickhouse_stop; rm -rf "$work"; }
trap cleanup EXIT

echo "# bench/segment: $CUSTOMERS customers, $EVENTS events, median of $REPEATS, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
"$BIN" --customers "$CUSTOMERS" --events "$EVENTS" --repeats "$REPEATS" --dump "$work" | tee "$work/banyan.out"
from=$(sed -nE 's/^segment window from_s=([0-9]+) .*/\1/p' "$work/banyan.out")
to=$(sed -nE 's/^segment window .*to_s=([0-9]+).*/\1/p' "$work/banyan.out")
banyan_count=$(sed -nE 's/^segment count=([0-9]+) .*/\1/p' "$work/banyan.out")
banyan_ms=$(sed -nE 's/^segment count=.* median_ms=([0-9.]+) .*/\1/p' "$work/banyan.out")

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# --- clickhouse ----------------------------------------------------------------------------
clickhouse_start "$work/clickhouse"
chq "CREATE TABLE customers (id UInt32, age UInt8, aum Int64, tier String)
     ENGINE = MergeTree() ORDER BY id"
chq "CREATE TABLE events (person UInt32, t Int64, type String, channel UInt8, product String,
     amount Nullable(Float64)) ENGINE = MergeTree() ORDER BY (type, person, t)"
curl -sS --fail-with-body --data-binary @"$work/customers.tsv" \
  "http://127.0.0.1:$CH_HTTP_PORT/?query=INSERT%20INTO%20customers%20FORMAT%20TabSeparated"
curl -sS --fail-with-body --data-binary @"$work/events.tsv" \
  "http://127.0.0.1:$CH_HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20TabSeparated"
chq 'OPTIMIZE TABLE customers FINAL' >/dev/null
chq 'OPTIMIZE TABLE events FINAL' >/dev/null
sql="SELECT count() FROM customers WHERE age BETWEEN 25 AND 35 AND aum > 50000000
     AND id IN (SELECT person FROM events WHERE type = 'view_product' AND t >= $from AND t < $to
                GROUP BY person HAVING count() >= 3)"
ch_times=()
ch_count=
for _ in $(seq 1 "$REPEATS"); do
  start=$(date +%s%N)
  ch_count=$(chq "$sql")
  ch_times+=("$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{printf "%.2f", (b-a)/1e6}')")
done
sorted=$(printf '%s\n' "${ch_times[@]}" | sort -g)
echo "clickhouse $(chq 'SELECT version()') count=$ch_count median_ms=$(median "${ch_times[@]}") min_ms=$(echo "$sorted" | head -1) max_ms=$(echo "$sorted" | tail -1) (over HTTP)"
clickhouse_stop

# --- duckdb --------------------------------------------------------------------------------
duck=$(cd bench/segment && node duckdb_count.mjs "$work" "$from" "$to" "$REPEATS")
echo "$duck"
duck_count=$(echo "$duck" | sed -nE 's/.*count=([0-9]+).*/\1/p')
duck_ms=$(echo "$duck" | sed -nE 's/.*median_ms=([0-9.]+).*/\1/p')

if [ "$ch_count" != "$banyan_count" ] || [ "$duck_count" != "$banyan_count" ]; then
  echo "answers differ: banyan $banyan_count, clickhouse $ch_count, duckdb $duck_count" >&2
  exit 1
fi
echo "ratio clickhouse/banyan=$(awk -v c="$(median "${ch_times[@]}")" -v b="$banyan_ms" 'BEGIN{printf "%.1f", c/b}')" \
  "duckdb/banyan=$(awk -v d="$duck_ms" -v b="$banyan_ms" 'BEGIN{printf "%.1f", d/b}') (target >= 10; equal answers: $banyan_count)"
