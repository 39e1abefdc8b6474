#!/usr/bin/env bash
# Install everything spacehub needs to build and test on Debian 12 (bookworm).
# Idempotent: a machine that already has every package skips apt entirely.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libgit2-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libcli11-dev libseccomp-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libargon2-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libkainjow-mustache-dev liblz4-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  git git-lfs curl clang-format clang-tidy
  clang libclang-rt-14-dev
  bubblewrap python3-venv
  podman runc
  # Slurm 22.05 and MUNGE: the one-machine cluster of scripts/slurm-cluster.sh (Jobs, issue #16).
  munge slurmctld slurmd slurmrestd slurm-client
  chromium fonts-dejavu-core wrk
)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
# Node may come from somewhere other than Debian (nodesource, a tarball…): only ask apt when it is absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo --preserve-env=DEBIAN_FRONTEND)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root (no sudo); install them and rerun" >&2
    exit 1
  fi
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# git-lfs hooks for the current user (harmless if already done).
git lfs install --skip-repo >/dev/null 2>&1 || true

# npm_install DIR: install DIR's npm packages exactly as its lock says (npm ci), or resolve and write
# the lock when there is none yet. A stamp newer than package.json and the lock skips the work.
npm_install() {
  local dir="$1" rel="${1#"$ROOT"/}"
  [[ -f "$dir/package.json" ]] || return 0
  local stamp="$dir/node_modules/.spacehub-installed" lock="$dir/package-lock.json"
  if [[ -f "$stamp" && -f "$lock" && "$stamp" -nt "$lock" && "$stamp" -nt "$dir/package.json" ]]; then
    echo "install-deps: $rel/node_modules up to date"
    return 0
  fi
  echo "install-deps: installing npm packages in $rel"
  if [[ -f "$lock" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  else
    (cd "$dir" && npm install --no-audit --no-fund)
  fi
  touch "$stamp"
}

# Integration test clients and the browser driver (@huggingface/hub, playwright-core, axe-core).
npm_install "$ROOT/tests/integration"
# Browser assets (Pico CSS, highlight.js) that the build embeds into the binary: before any build.
npm_install "$ROOT/web"
