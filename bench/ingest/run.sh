#!/usr/bin/env bash
# bench/ingest: sustained event ingestion over loopback HTTP, with fsync, against ClickHouse.
#
# wrk with ingest.lua sends batches of BATCH track events (~300 bytes each, every message id
# unique) over CONNS keep-alive connections to the real banyan binary (POST /v1/batch, answered
# only once the batch is fdatasync'ed to the event log) and, in the same run, to ClickHouse
# (Debian's clickhouse-server, started here on loopback ports with a temporary config and data
# directory) as INSERT INTO t FORMAT JSONEachRow into a MergeTree table — same batch size, same
# connections, same fields. Each figure is the median of REPEATS runs of DURATION seconds.
# wrk, the server under test and the disk share the machine (2 cores on the reference host).
#
#   bench/ingest/run.sh [REPEATS] [DURATION] [CONNS] [BATCH]
#
# Prints one line per figure:
#   banyan events_per_s=… p50_ms=… p99_ms=… non2xx=…
#   banyan bytes_per_event=… (events=…, du of <data_dir>/events)
#   clickhouse events_per_s=… p50_ms=… p99_ms=… non2xx=…
#   clickhouse bytes_per_event=… (rows=…, active parts after OPTIMIZE FINAL)
#   ratio banyan/clickhouse events_per_s=… p99=… bytes_per_event=…
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS=${1:-3}
DURATION=${2:-10}
CONNS=${3:-16}
BATCH=${4:-100}
THREADS=1  # one wrk thread generates ~800,000 events/s (ingest.lua), far above the target
BIN=build/release/src/server/banyan
LUA=bench/ingest/ingest.lua
[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }
source bench/lib/clickhouse.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }

# load NAME URL MODE AUTH → "NAME events_per_s=<median> p50_ms=<median> p99_ms=<median> non2xx=<sum>"
load() {
  local name=$1 url=$2 mode=$3 auth=$4
  local eps=() p50=() p99=() bad=0
  for i in $(seq 1 "$REPEATS"); do
    sync  # each run starts with no dirty pages left by the one before
    out=$(wrk -t$THREADS -c"$CONNS" -d"${DURATION}s" --latency -s "$LUA" "$url" -- "$mode" "$auth" "$mode-$$-$i" "$BATCH")
    echo "$out" >>"$work/$mode.wrk"
    reqs=$(echo "$out" | awk '/requests in/{print $1}')
    secs=$(echo "$out" | awk '/requests in/{v=$4; sub(/,$/,"",v); print v}' | to_ms)
    non=$(echo "$out" | awk '/Non-2xx/{print $NF}'); non=${non:-0}
    errs=$(echo "$out" | awk '/Socket errors/{gsub(/,/,""); print $4+$6+$8+$10}'); errs=${errs:-0}
    bad=$((bad + non + errs))
    eps+=("$(awk -v r="$reqs" -v n="$non" -v s="$secs" -v b="$BATCH" 'BEGIN{printf "%.0f", (r-n)*b/(s/1000)}')")
    p50+=("$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)")
    p99+=("$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)")
  done
  echo "# $name runs: events_per_s ${eps[*]}; p99_ms ${p99[*]}" >&2
  echo "$name events_per_s=$(median "${eps[@]}") p50_ms=$(median "${p50[@]}") p99_ms=$(median "${p99[@]}") non2xx=$bad"
}

# --- banyan --------------------------------------------------------------------------------
"$BIN" demo init --data-dir "$work/data" --customers 0 >/dev/null 2>&1
"$BIN" serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/banyan.out" 2>"$work/banyan.log" &
banyan_pid=$!
pids+=("$banyan_pid")
url=
for _ in $(seq 1 100); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/banyan.out" 2>/dev/null | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "banyan did not start: $(cat "$work/banyan.log")" >&2; exit 1; }
key=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')).write_key)" "$work/data/demo-credentials.json")
auth="Basic $(printf '%s:' "$key" | base64 -w0)"
# One batch by curl first: a wrong setup fails here, loudly, instead of as a wall of non-2xx.
probe=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $auth" -H 'content-type: application/json' \
  -d '{"batch":[{"type":"track","event":"Bench Probe","userId":"probe","messageId":"bench-probe"}]}' "$url/v1/batch")
[ "$probe" = 200 ] || { echo "banyan rejected the probe batch: HTTP $probe" >&2; exit 1; }

echo "# bench/ingest: wrk -t$THREADS -c$CONNS -d${DURATION}s, batches of $BATCH events, median of $REPEATS, $(nproc) cores, $(date -u +%F)"
b=$(load banyan "$url" segment "$auth"); echo "$b"
kill -TERM "$banyan_pid"; wait "$banyan_pid" 2>/dev/null || true
events=$(node bench/ingest/count_events.mjs "$work/data/events")
bytes=$(du -s --block-size=1 "$work/data/events" | cut -f1)
bpe_b=$(awk -v b="$bytes" -v e="$events" 'BEGIN{printf "%.1f", b/e}')
echo "banyan bytes_per_event=$bpe_b (events=$events, du of <data_dir>/events)"
rm -rf "$work/data"  # free the disk before the peer runs

# --- clickhouse ----------------------------------------------------------------------------
clickhouse_start "$work/clickhouse"
pids+=("$CH_PID")
http_port=$CH_HTTP_PORT
chq "CREATE TABLE t (message_id String, type String, event String, user_id String, ts DateTime,
     sent_at DateTime, channel String, library String, properties String)
     ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (event, ts)"
c=$(load "clickhouse $(chq 'SELECT version()')" "http://127.0.0.1:$http_port" clickhouse -); echo "$c"
chq 'OPTIMIZE TABLE t FINAL' >/dev/null
rows=$(chq 'SELECT count() FROM t')
chbytes=$(chq "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'default' AND table = 't' AND active")
bpe_c=$(awk -v b="$chbytes" -v e="$rows" 'BEGIN{printf "%.1f", b/e}')
echo "clickhouse bytes_per_event=$bpe_c (rows=$rows, active parts after OPTIMIZE FINAL)"

field() { echo "$1" | sed -E "s/.*$2=([0-9.]+).*/\1/"; }
echo "ratio banyan/clickhouse events_per_s=$(awk -v a="$(field "$b" events_per_s)" -v c="$(field "$c" events_per_s)" 'BEGIN{printf "%.3f", a/c}')" \
  "p99=$(awk -v a="$(field "$b" p99_ms)" -v c="$(field "$c" p99_ms)" 'BEGIN{printf "%.3f", a/c}')" \
  "bytes_per_event=$(awk -v a="$bpe_b" -v c="$bpe_c" 'BEGIN{printf "%.3f", a/c}')"
