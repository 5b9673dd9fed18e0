#!/usr/bin/env bash
# bench/segment: the engine's segment counts against ClickHouse and DuckDB on the same data.
#
# segment_bench builds the engine from its deterministic generator (CUSTOMERS customers with home
# coordinates around Hangzhou and five tags, EVENTS events of 20 types over 180 days), times the
# issue's three questions through segment::Parse + segment::Evaluate,
#
#   a: age between 25 and 35 and aum > 500000 and did view_product at least 3 times in last 30 days
#   b: a and within 1.5 km of branch "Xixi"             (haversine, Earth radius 6371008.8 m)
#   c: has tag payroll or has tag card_holder or ... (5 tags)
#
# and dumps the data it applied as TSV; the same rows are then loaded into ClickHouse (Debian's
# clickhouse-server, MergeTree tables ordered for these queries: events by (type, person, t), tags
# by (tag, id)) and DuckDB (@duckdb/node-api from npm, in memory), which answer the same
# questions in SQL — b with the same haversine expression. The answers must be equal; each time
# is the median of REPEATS runs, loading excluded.
#
#   bench/segment/run.sh [CUSTOMERS] [EVENTS] [REPEATS]
#
# Prints the engine's lines (segment data/window/branch/apply/count/query/memory), then per query
#   clickhouse query=a count=… median_ms=… min_ms=… max_ms=…
#   duckdb query=a count=… median_ms=… min_ms=… max_ms=… load_s=…
#   ratio query=a clickhouse/banyan=… duckdb/banyan=… (target ≥ 10)
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
lat=$(sed -nE 's/^segment branch Xixi lat=([0-9.]+) .*/\1/p' "$work/banyan.out")
lon=$(sed -nE 's/^segment branch Xixi .*lon=([0-9.]+) .*/\1/p' "$work/banyan.out")
banyan_count() { sed -nE "s/^segment query=$1 count=([0-9]+) .*/\1/p" "$work/banyan.out"; }
banyan_ms() { sed -nE "s/^segment query=$1 .* median_ms=([0-9.]+) .*/\1/p" "$work/banyan.out"; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# The three questions in SQL (ClickHouse and DuckDB both take this text). Ages, AUM in fen,
# coordinates as the 6-decimal text the engine's millionths stand for.
segment_a="age BETWEEN 25 AND 35 AND aum > 50000000
  AND id IN (SELECT person FROM events WHERE type = 'view_product' AND t >= $from AND t < $to
             GROUP BY person HAVING count(*) >= 3)"
# Degrees to radians by hand: Debian's ClickHouse (18.16) has no radians().
k=0.017453292519943295
haversine="2 * 6371008.8 * asin(least(1, sqrt(
    pow(sin((home_lat * $k - $lat * $k) / 2), 2)
    + cos($lat * $k) * cos(home_lat * $k) * pow(sin((home_lon - $lon) * $k / 2), 2))))"
declare -A sql
sql[a]="SELECT count(*) FROM customers WHERE $segment_a"
sql[b]="SELECT count(*) FROM customers WHERE $segment_a AND $haversine <= 1500"
sql[c]="SELECT count(DISTINCT id) FROM tags
  WHERE tag IN ('payroll', 'card_holder', 'fund_buyer', 'mortgage', 'young_pro')"
for q in a b c; do printf '%s' "${sql[$q]}" > "$work/query_$q.sql"; done

# --- clickhouse ----------------------------------------------------------------------------
clickhouse_start "$work/clickhouse"
chq "CREATE TABLE customers (id UInt32, age UInt8, aum Int64, tier String, home_lat Float64,
     home_lon Float64) ENGINE = MergeTree() ORDER BY id"
chq "CREATE TABLE events (person UInt32, t Int64, type String, channel UInt8, product String,
     amount Nullable(Float64)) ENGINE = MergeTree() ORDER BY (type, person, t)"
chq "CREATE TABLE tags (tag String, id UInt32) ENGINE = MergeTree() ORDER BY (tag, id)"
for table in customers events tags; do
  curl -sS --fail-with-body --data-binary @"$work/$table.tsv" \
    "http://127.0.0.1:$CH_HTTP_PORT/?query=INSERT%20INTO%20$table%20FORMAT%20TabSeparated"
  chq "OPTIMIZE TABLE $table FINAL" >/dev/null
done
declare -A ch_count ch_ms
for q in a b c; do
  times=()
  for _ in $(seq 1 "$REPEATS"); do
    start=$(date +%s%N)
    ch_count[$q]=$(chq "${sql[$q]}")
    times+=("$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{printf "%.2f", (b-a)/1e6}')")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  ch_ms[$q]=$(median "${times[@]}")
  echo "clickhouse query=$q count=${ch_count[$q]} median_ms=${ch_ms[$q]} min_ms=$(echo "$sorted" | head -1) max_ms=$(echo "$sorted" | tail -1) (over HTTP, $(chq 'SELECT version()'))"
done
clickhouse_stop

# --- duckdb --------------------------------------------------------------------------------
declare -A duck_count duck_ms
duck=$(cd bench/segment && node duckdb_count.mjs "$work" "$REPEATS")
echo "$duck"
for q in a b c; do
  duck_count[$q]=$(echo "$duck" | sed -nE "s/^duckdb query=$q count=([0-9]+).*/\1/p")
  duck_ms[$q]=$(echo "$duck" | sed -nE "s/^duckdb query=$q .*median_ms=([0-9.]+).*/\1/p")
done

status=0
for q in a b c; do
  ours=$(banyan_count $q)
  if [ "${ch_count[$q]}" != "$ours" ] || [ "${duck_count[$q]}" != "$ours" ]; then
    echo "query $q: answers differ: banyan $ours, clickhouse ${ch_count[$q]}, duckdb ${duck_count[$q]}" >&2
    status=1
    continue
  fi
  echo "ratio query=$q clickhouse/banyan=$(awk -v c="${ch_ms[$q]}" -v b="$(banyan_ms $q)" 'BEGIN{printf "%.1f", c/b}')" \
    "duckdb/banyan=$(awk -v d="${duck_ms[$q]}" -v b="$(banyan_ms $q)" 'BEGIN{printf "%.1f", d/b}') (target >= 10; equal answers: $ours)"
done
exit $status
