#!/usr/bin/env bash
# bench/http: loopback HTTP throughput of an authenticated small JSON endpoint.
#
# Runs wrk (2 threads, 64 connections) against GET /api/v1/me on the real banyan binary —
# authenticated by API key (Bearer) and by console session (cookie) — and, in the same run,
# against beast_baseline, a bare Beast server with no routing, auth, logging or metrics.
# Each figure is the median of REPEATS runs of DURATION seconds. wrk and the server share
# the machine's cores, as they would on a 2-core host.
#
#   bench/http/run.sh [REPEATS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS=${1:-3}
DURATION=${2:-10}
BIN=build/release/src/server/banyan
BASE=build/release/bench/http/beast_baseline
[ -x "$BIN" ] && [ -x "$BASE" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
# start runs inside $(...), a subshell, so the pids go to files the cleanup can read.
cleanup() {
  for f in "$work"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start() {  # start NAME CMD... → prints the URL once listening
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  echo $! >"$work/$name.pid"
  for _ in $(seq 1 100); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/$name.out" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  echo "$name did not start: $(cat "$work/$name.log")" >&2; exit 1
}

"$BIN" demo init --data-dir "$work/data" --customers 0 >/dev/null
url=$(start banyan "$BIN" serve --data-dir "$work/data" --listen 127.0.0.1:0)
base=$(start baseline "$BASE" 0 "$(nproc)")

json() { node -e "const d=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log($1)"; }
password=$(json 'd.logins.find(l => l.username === "admin").password' <"$work/data/demo-credentials.json")
curl -s -c "$work/jar" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/auth/login" >"$work/login.json"
csrf=$(json 'd.csrf_token' <"$work/login.json")
cookie=$(awk '$6=="banyan_session"{print "banyan_session="$7}' "$work/jar")
key=$(curl -s -b "$work/jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"bench","kind":"api","permissions":["staff:read"]}' "$url/api/v1/api-keys" |
  json 'd.secret')

# run NAME URL [HEADER] → "NAME rps=<median> p99_ms=<median>"
run() {
  local name=$1 target=$2 header=${3:-}
  local rps=() p99=()
  for _ in $(seq 1 "$REPEATS"); do
    if [ -n "$header" ]; then
      out=$(wrk -t2 -c64 -d"${DURATION}s" --latency -H "$header" "$target")
    else
      out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$target")
    fi
    if echo "$out" | grep -q 'Non-2xx'; then echo "$name: non-2xx responses" >&2; echo "$out" >&2; exit 1; fi
    rps+=("$(echo "$out" | awk '/Requests\/sec/{print $2}')")
    p99+=("$(echo "$out" | awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
  echo "$name rps=$(median "${rps[@]}") p99_ms=$(median "${p99[@]}")"
}

echo "# bench/http: wrk -t2 -c64 -d${DURATION}s, median of $REPEATS, $(nproc) cores, $(date -u +%F)"
a=$(run "banyan GET /api/v1/me (API key)" "$url/api/v1/me" "Authorization: Bearer $key"); echo "$a"
b=$(run "banyan GET /api/v1/me (session)" "$url/api/v1/me" "Cookie: $cookie"); echo "$b"
c=$(run "beast_baseline (peer)" "$base/"); echo "$c"
ra=$(echo "$a" | sed -E 's/.*rps=([0-9.]+).*/\1/'); rc=$(echo "$c" | sed -E 's/.*rps=([0-9.]+).*/\1/')
echo "ratio banyan(API key)/beast_baseline = $(node -e "console.log(($ra/$rc).toFixed(3))")"
