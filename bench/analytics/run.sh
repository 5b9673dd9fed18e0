#!/usr/bin/env bash
# bench/analytics: funnels, retention and MAU on the engine against ClickHouse and DuckDB on the
# same data, with the answers compared (the differential test of issue 6).
#
# analytics_bench builds the engine from its deterministic generator (CUSTOMERS customers opening
# accounts over a year, EVENTS events in sessions through five channels, 8% of sessions in the
# card funnel), times the analytics functions the API calls and dumps the events and its
# answers; the same rows go into ClickHouse (Debian's clickhouse-server: windowFunnel and
# joins for retention) and DuckDB (@duckdb/node-api from npm, in memory; plain SQL), which answer
#
#   funnel             view_product(card) → apply_card → submit_form → card_approved, 7 days
#   funnel_by_channel  the same by the entry's channel
#   retention          cohorts by first open_account (30 days), return login, periods 1..30
#   mau                distinct active customers per month, 12 months
#
# Local days are Shanghai's (UTC+8, no daylight saving): intDiv(t + 28800, 86400) in the SQL.
# Where the semantics match (docs/analytics.md, "Against ClickHouse") the answers must be equal;
# each time is the median of REPEATS runs, loading excluded.
#
#   bench/analytics/run.sh [CUSTOMERS] [EVENTS] [REPEATS]
#
# Prints the engine's lines, then per query
#   clickhouse query=… median_ms=… min_ms=… max_ms=…   duckdb query=… median_ms=… …
#   ratio query=… clickhouse/banyan=… duckdb/banyan=… (equal answers: …)
# and exits 1 when an answer differs.
set -euo pipefail
cd "$(dirname "$0")/../.."
CUSTOMERS=${1:-1000000}
EVENTS=${2:-10000000}
REPEATS=${3:-11}
BIN=${BUILD:-build/release}/bench/analytics/analytics_bench
[ -x "$BIN" ] || { echo "build first: cmake --build ${BUILD:-build/release} --target analytics_bench" >&2; exit 1; }
source bench/lib/clickhouse.sh
(cd bench/analytics && (npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null))

work=$(mktemp -d)
cleanup() { clickhouse_stop; rm -rf "$work"; }
trap cleanup EXIT

echo "# bench/analytics: $CUSTOMERS customers, $EVENTS events, median of $REPEATS, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
/usr/bin/time -f 'analytics process peak_rss_kib=%M' "$BIN" --customers "$CUSTOMERS" --events "$EVENTS" \
  --repeats "$REPEATS" --dump "$work" 2>&1 | tee "$work/banyan.out"
banyan_ms() { sed -nE "s/^analytics query=$1 median_ms=([0-9.]+) .*/\1/p" "$work/banyan.out"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# Cohort days: the 30 days from 90 to 61 days before the end of the data (2026-01-01 Shanghai).
now_day=$(( (1767196800 + 28800) / 86400 ))
d1=$((now_day - 90)); d2=$((now_day - 61))
steps="'view_product', 'apply_card', 'submit_form', 'card_approved'"
day="intDiv(t + 28800, 86400)"
declare -A ch duck

# --- ClickHouse: windowFunnel and retention ------------------------------------------------
conds="type = 'apply_card', type = 'submit_form', type = 'card_approved'"
ch[funnel]="SELECT 'all', k, countIf(level >= k) FROM (
  SELECT person, windowFunnel(604800)(toUInt32(t), type = 'view_product' AND product = 'card', $conds) AS level
  FROM events WHERE type IN ($steps) GROUP BY person)
  ARRAY JOIN [1, 2, 3, 4] AS k GROUP BY k ORDER BY k FORMAT TabSeparated"
# By channel: each customer once per channel it entered through, with only those entries.
ch[funnel_by_channel]="SELECT c, k, countIf(level >= k) FROM (
  SELECT person, c, windowFunnel(604800)(toUInt32(t), type = 'view_product' AND product = 'card' AND channel = c, $conds) AS level
  FROM (SELECT person, t, type, channel, product FROM events WHERE type IN ($steps))
  ALL INNER JOIN (SELECT DISTINCT person, channel AS c FROM events WHERE type = 'view_product' AND product = 'card') USING person
  GROUP BY person, c)
  ARRAY JOIN [1, 2, 3, 4] AS k GROUP BY c, k ORDER BY c, k FORMAT TabSeparated"
# Not retention(): Debian's ClickHouse 18.16 answers it wrongly (SELECT retention(d >= 1, d = 2)
# FROM (SELECT arrayJoin([1, 2, 3]) AS d) gives [1,0], not [1,1]; docs/analytics.md), so
# the cohort table is a join of first starts with distinct login days, as in DuckDB.
ch[retention]="SELECT toString(toDate(toDateTime(d0 * 86400))) AS cohort, d - d0 AS n, count() FROM (
  SELECT DISTINCT person, $day AS d FROM events WHERE type = 'login')
  ALL INNER JOIN (SELECT person, intDiv(min(t) + 28800, 86400) AS d0 FROM events WHERE type = 'open_account'
                  GROUP BY person HAVING d0 BETWEEN $d1 AND $d2) USING person
  WHERE d - d0 BETWEEN 1 AND 30 GROUP BY cohort, n ORDER BY cohort, n FORMAT TabSeparated"
ch[mau]="SELECT substring(toString(toDate(toDateTime($day * 86400))), 1, 7) AS m, uniqExact(person)
  FROM events GROUP BY m ORDER BY m FORMAT TabSeparated"

# --- DuckDB: the same questions in plain SQL -----------------------------------------------
# A funnel per entry, greedily: the earliest next step at or after the previous one within the
# window of the entry (the earliest leaves the most room, so this finds the deepest step).
funnel_cte="WITH f AS (SELECT person, t, type, channel, product FROM events WHERE type IN ($steps)),
  s1 AS (SELECT person, channel, t AS t1 FROM f WHERE type = 'view_product' AND product = 'card'),
  s2 AS (SELECT s1.person, s1.channel, s1.t1, min(f.t) AS t2 FROM s1 JOIN f ON f.person = s1.person
         AND f.type = 'apply_card' AND f.t >= s1.t1 AND f.t <= s1.t1 + 604800 GROUP BY ALL),
  s3 AS (SELECT s2.person, s2.channel, s2.t1, min(f.t) AS t3 FROM s2 JOIN f ON f.person = s2.person
         AND f.type = 'submit_form' AND f.t >= s2.t2 AND f.t <= s2.t1 + 604800 GROUP BY ALL),
  s4 AS (SELECT s3.person, s3.channel FROM s3 JOIN f ON f.person = s3.person
         AND f.type = 'card_approved' AND f.t >= s3.t3 AND f.t <= s3.t1 + 604800),
  reached AS (SELECT 1 AS k, person, channel FROM s1 UNION ALL SELECT 2, person, channel FROM s2
              UNION ALL SELECT 3, person, channel FROM s3 UNION ALL SELECT 4, person, channel FROM s4)"
duck[funnel]="$funnel_cte SELECT 'all', k, count(DISTINCT person) FROM reached GROUP BY k ORDER BY k"
duck[funnel_by_channel]="$funnel_cte SELECT channel, k, count(DISTINCT person) FROM reached GROUP BY ALL ORDER BY 1, 2"
duck[retention]="WITH firsts AS (SELECT person, (min(t) + 28800) // 86400 AS d0 FROM events
    WHERE type = 'open_account' GROUP BY person HAVING d0 BETWEEN $d1 AND $d2),
  logins AS (SELECT DISTINCT person, (t + 28800) // 86400 AS d FROM events WHERE type = 'login')
  SELECT strftime(DATE '1970-01-01' + CAST(d0 AS INTEGER), '%Y-%m-%d') AS cohort, d - d0 AS n, count(*)
  FROM firsts JOIN logins USING (person) WHERE d - d0 BETWEEN 1 AND 30 GROUP BY ALL ORDER BY 1, 2"
duck[mau]="SELECT strftime(DATE '1970-01-01' + CAST((t + 28800) // 86400 AS INTEGER), '%Y-%m') AS m,
  count(DISTINCT person) FROM events GROUP BY m ORDER BY m"
queries=(funnel funnel_by_channel retention mau)
for q in "${queries[@]}"; do printf '%s' "${duck[$q]}" > "$work/$q.sql"; done

clickhouse_start "$work/clickhouse"
chq "CREATE TABLE events (person UInt32, t Int64, type String, channel String, product String)
     ENGINE = MergeTree() ORDER BY (type, person, t)"
curl -sS --fail-with-body --data-binary @"$work/events.tsv" \
  "http://127.0.0.1:$CH_HTTP_PORT/?query=INSERT%20INTO%20events%20FORMAT%20TabSeparated"
chq "OPTIMIZE TABLE events FINAL" >/dev/null
declare -A ch_ms
for q in "${queries[@]}"; do
  times=()
  for _ in $(seq 1 "$REPEATS"); do
    start=$(date +%s%N)
    chq "${ch[$q]}" > "$work/clickhouse_$q.tsv"
    times+=("$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{printf "%.2f", (b-a)/1e6}')")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  ch_ms[$q]=$(median "${times[@]}")
  echo "clickhouse query=$q median_ms=${ch_ms[$q]} min_ms=$(echo "$sorted" | head -1) max_ms=$(echo "$sorted" | tail -1) rows=$(wc -l < "$work/clickhouse_$q.tsv")"
done
echo "clickhouse server peak_rss_mb=$(awk '/VmHWM/{printf "%.0f", $2/1024}' /proc/"$CH_PID"/status) ($(chq 'SELECT version()'), over HTTP)"
clickhouse_stop

duck_out=$(cd bench/analytics && node duckdb_queries.mjs "$work" "$REPEATS" "${queries[@]}")
echo "$duck_out"

# The engine's answers in the peers' form (zero cells left out, as SQL has no row for them).
awk -F'\t' '$3 > 0' "$work/banyan_retention.tsv" > "$work/banyan_retention_nonzero.tsv"
status=0
for q in "${queries[@]}"; do
  ours="$work/banyan_$q.tsv"
  case $q in
    funnel) grep -P '^all\t' "$work/banyan_funnel.tsv" > "$work/ours_$q.tsv" ;;
    funnel_by_channel) grep -vP '^all\t' "$work/banyan_funnel.tsv" | sort > "$work/ours_$q.tsv" ;;
    retention) sort "$work/banyan_retention_nonzero.tsv" > "$work/ours_$q.tsv" ;;
    mau) sort "$work/banyan_mau.tsv" > "$work/ours_$q.tsv" ;;
  esac
  for peer in clickhouse duckdb; do
    sort "$work/${peer}_$q.tsv" | sed '/^$/d' > "$work/${peer}_$q.sorted"
    if ! diff -q <(sort "$work/ours_$q.tsv") "$work/${peer}_$q.sorted" >/dev/null; then
      echo "query $q: banyan and $peer differ:" >&2
      diff <(sort "$work/ours_$q.tsv") "$work/${peer}_$q.sorted" | head -10 >&2
      status=1
    fi
  done
  duck_ms=$(echo "$duck_out" | sed -nE "s/^duckdb query=$q median_ms=([0-9.]+).*/\1/p")
  echo "ratio query=$q clickhouse/banyan=$(awk -v c="${ch_ms[$q]}" -v b="$(banyan_ms $q)" 'BEGIN{printf "%.1f", c/b}')" \
    "duckdb/banyan=$(awk -v d="$duck_ms" -v b="$(banyan_ms $q)" 'BEGIN{printf "%.1f", d/b}')" \
    "(rows compared: $(wc -l < "$work/ours_$q.tsv"))"
done
[ $status = 0 ] && echo "answers: equal for every query on all three"
exit $status
