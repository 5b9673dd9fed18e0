#!/usr/bin/env bash
# bench/messaging: accept latency, dispatch throughput to a loopback fake provider with every
# policy rule evaluated, and timeline latency for a customer with 10,000 messages. Prints one
# line per figure for each of REPEATS runs, then the medians.
#
#   bench/messaging/run.sh [REPEATS] [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS=${1:-3}
MESSAGES=${2:-20000}
BUILD=${BUILD:-build/release}
BIN=$BUILD/bench/messaging/banyan_messaging_bench
[ -x "$BIN" ] || cmake --build "$BUILD" --target banyan_messaging_bench -j2
echo "# bench/messaging: $MESSAGES messages, $(nproc) cores, $(date -u +%F)"
out=$(mktemp)
for i in $(seq "$REPEATS"); do
  BENCH_MESSAGES=$MESSAGES BANYAN_LOG_LEVEL=warn "$BIN" 2>/dev/null | grep -E '^[a-z0-9_]+ [0-9.]+$' | tee -a "$out"
done
echo "# medians"
for key in $(cut -d' ' -f1 "$out" | sort -u); do  # POSIX awk (mawk has no asort)
  grep "^$key " "$out" | cut -d' ' -f2 | sort -g | awk -v k="$key" '{a[NR]=$1} END {print k, a[int((NR+1)/2)]}'
done
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$out"
