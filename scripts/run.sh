#!/usr/bin/env bash
# Quick start: install dependencies, build, and start a hub.
# It prints HF_ENDPOINT=... and (on the first start of a data dir) HF_TOKEN=... to paste into your shell.
#   SPACEHUB_DATA_DIR (default ~/.spacehub), HOST (default 127.0.0.1), PORT (default 8080)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/install-deps.sh
scripts/build.sh

DATA_DIR="${SPACEHUB_DATA_DIR:-$HOME/.spacehub}"
mkdir -p "$DATA_DIR"
exec build/src/cli/spacehub serve --data-dir "$DATA_DIR" --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
