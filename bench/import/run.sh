#!/usr/bin/env bash
# bench/import: `banyan import customers` of ROWS core-banking customers (default 1,000,000).
#
# import_bench generates a deterministic CSV (cust_no, an id number with a valid check digit, a
# mobile number, a Chinese name and 14 attributes: gender, birth date, city, occupation, home
# branch, relationship manager, risk level, AUM, deposit/loan/wealth balances, products,
# customer since, channel preference) into a fresh temporary data directory and imports it
# through profile::ImportCustomers — OneID resolution, sealed identifiers and profiles, batches
# of 5,000 rows per transaction with fsync — timing the import only. REPEATS runs; the last line
# is the median of rows_per_s and seconds.
#
#   bench/import/run.sh [ROWS] [REPEATS]
#
# Prints, per run:
#   import rows=… seconds=… rows_per_s=… rejected=… persons=…
#   import db_bytes_per_customer=… (banyan.db … MB after close) written_mb=…
#   import rss_mb=… peak_rss_mb=… graph_bytes_per_customer=…
#   import cpu user_s=… sys_s=…
# and finally:
#   import median rows_per_s=… seconds=… (REPEATS runs of ROWS rows)
#
# BUILD selects the build directory (default build/release; any RelWithDebInfo build with
# BANYAN_BUILD_BENCH=ON, e.g. BUILD=build/profile-release).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
REPEATS=${2:-3}
BUILD=${BUILD:-build/release}
BIN=$BUILD/bench/import/import_bench
[ -x "$BIN" ] || { echo "build first: cmake --build $BUILD --target import_bench" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in $(seq 1 "$REPEATS"); do
  sync
  "$BIN" --rows "$ROWS" | tee -a "$out"
done
grep -oE 'rows_per_s=[0-9]+' "$out" | cut -d= -f2 | sort -n |
  awk -v n="$REPEATS" -v rows="$ROWS" '{v[NR]=$1} END {m=v[int((NR+1)/2)];
    printf "import median rows_per_s=%d seconds=%.1f (%d runs of %d rows)\n", m, rows/m, n, rows}'
