#!/usr/bin/env bash
# Runs every benchmark in bench/ with its defaults and prints one line per figure. See
# docs/performance.md for what each measures and the figures recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/http/run.sh
bash bench/ingest/run.sh
bash bench/import/run.sh
bash bench/customers/run.sh
bash bench/segment/run.sh
