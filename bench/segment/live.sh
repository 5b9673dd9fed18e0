#!/usr/bin/env bash
# bench/segment/live.sh: live segments under sustained ingestion (issue 5: ≥ 50,000 events/s with
# 100 live segments).
#
# A demo bank of CUSTOMERS customers; the server runs with its live-segment monitor. Twice, with
# the same load: first with no saved segment, then with SEGMENTS live ones (70 on the events the
# load sends — counts with where clauses, sums, windows —, 30 on profile attributes). Each time
# wrk (bench/ingest/ingest.lua: batches of 100 "Loan Applied" events over 16 connections, every
# batch fsync'ed before the answer) runs DURATION seconds; then live.mjs waits until the engine
# has applied everything and every live segment is consistent with its latest version, and checks
# each segment's live member count against a fresh evaluation (they must be equal).
#
#   bench/segment/live.sh [CUSTOMERS] [SEGMENTS] [DURATION]
#
# Prints per phase:
#   phase=… acked_events=… load_s=… settle_s=… events_per_s=… (acked / (load + settle))
#   live settle_s=… segments=… rounds=… rechecks=… skipped=… full=… transitions=… mismatched=0
set -euo pipefail
cd "$(dirname "$0")/../.."
CUSTOMERS=${1:-100000}
SEGMENTS=${2:-100}
DURATION=${3:-20}
BIN=${BUILD:-build/release}/src/server/banyan
[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "# bench/segment/live: $CUSTOMERS customers, $SEGMENTS live segments, ${DURATION}s of load, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
"$BIN" demo init --data-dir "$work/data" --customers "$CUSTOMERS" --days 30 >/dev/null 2>&1

phase() {
  local name=$1 segments=$2
  rm -rf "$work/run" && cp -a "$work/data" "$work/run"
  "$BIN" serve --data-dir "$work/run" --listen 127.0.0.1:0 >"$work/out" 2>"$work/log" &
  pid=$!
  local url=
  for _ in $(seq 1 600); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/out" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.2
  done
  [ -n "$url" ] || { echo "banyan did not start: $(tail -5 "$work/log")" >&2; exit 1; }
  local creds="$work/run/demo-credentials.json"
  local key auth out reqs non probe
  key=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')).write_key)" "$creds")
  auth="Basic $(printf '%s:' "$key" | base64 -w0)"
  # One event of the load's kind first: segments may name only events the bank has seen.
  probe=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $auth" -H 'content-type: application/json' \
    -d '{"batch":[{"type":"track","event":"Loan Applied","userId":"probe","messageId":"live-probe","properties":{"amount":1,"product":"credit_card","branch":"HZ-XIXI","step":0}}]}' "$url/v1/batch")
  [ "$probe" = 200 ] || { echo "banyan rejected the probe batch: HTTP $probe" >&2; exit 1; }
  [ "$segments" -gt 0 ] && node bench/segment/live.mjs setup "$url" "$creds" "$segments"
  local t0 t1 t2
  t0=$(date +%s.%N)
  out=$(wrk -t1 -c16 -d"${DURATION}s" -s bench/ingest/ingest.lua "$url" -- segment "$auth" "live-$name-$$" 100)
  t1=$(date +%s.%N)
  settle=$(node bench/segment/live.mjs settle "$url" "$creds")
  t2=$(date +%s.%N)
  reqs=$(echo "$out" | awk '/requests in/{print $1}')
  non=$(echo "$out" | awk '/Non-2xx/{print $NF}'); non=${non:-0}
  awk -v n="$name" -v r="$reqs" -v x="$non" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{
    e=(r-x)*100; printf "phase=%s acked_events=%d load_s=%.1f settle_s=%.2f events_per_s=%.0f non2xx=%d\n", n, e, b-a, c-b, e/(c-a), x}'
  echo "$settle"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

phase baseline 0
phase live "$SEGMENTS"
