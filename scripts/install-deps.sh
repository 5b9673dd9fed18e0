#!/usr/bin/env bash
# Installs the Debian 12 packages Banyan needs to build, test and run, if any are missing.
# Idempotent: does nothing (and needs no network) when everything is present.
# Each package is justified in docs/dependencies.md; keep the two lists in step.
set -euo pipefail

packages=(
  # toolchain
  cmake g++ make pkg-config
  # libraries
  libboost-dev libsqlite3-dev libsodium-dev libspdlog-dev libfmt-dev libtoml11-dev
  libcctz-dev tzdata nlohmann-json3-dev zlib1g-dev libsimdjson-dev libroaring-dev
  libcurl4-openssl-dev libssl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 wrk curl ca-certificates
  # the email channel's tests: a real SMTP server (Debian's python3 with aiosmtpd)
  python3-aiosmtpd
  # the console's browser tests: Debian's Chromium, driven headless by playwright-core (no
  # browser download), and a small CJK font so screenshots show Chinese text
  chromium fonts-wqy-microhei
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js runs the console build and the black-box tests (the SDKs need Node >= 20). A Node
# installed by other means is kept; Debian 12's own is 18, so it is then upgraded below.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    if [ ${#missing[@]} -gt 0 ]; then
      echo "error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node 20 from the npm registry (the `node` package ships the official binaries) when the
# installed Node is older: Debian 12 packages Node 18.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node $(node --version 2>/dev/null || echo none) is older than 20; installing Node 20 with npm"
  $sudo npm install -g --no-audit --no-fund node@20
  hash -r
  node --version
fi
