#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints one line per figure. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/http/run.sh "$@"
bash bench/ingest/run.sh "$@"
