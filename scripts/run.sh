#!/usr/bin/env bash
# Quick start: install dependencies, build, and start a hub.
# It prints HF_ENDPOINT=... and (on the first start of a data dir) HF_TOKEN=... to paste into your shell.
#   SPACEHUB_DATA_DIR (default ~/.spacehub; /var/lib/spacehub as root, since each Space runs as its
#   own host uid and must reach its directories, which root's 0700 home would hide),
#   HOST (default 127.0.0.1), PORT (default 8080)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/install-deps.sh
scripts/build.sh

if [[ $(id -u) -eq 0 ]]; then
  DATA_DIR="${SPACEHUB_DATA_DIR:-/var/lib/spacehub}"
else
  DATA_DIR="${SPACEHUB_DATA_DIR:-$HOME/.spacehub}"
fi
mkdir -p "$DATA_DIR"
exec build/src/cli/spacehub serve --data-dir "$DATA_DIR" --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
