#!/usr/bin/env bash
# Proves the installed C++ client package links on its own: installs the `client` component of a
# build into a temporary prefix, builds examples/ out of tree against it with
# find_package(spacehub-client), and checks that library_tour (which uploads and downloads, so it
# needs the Xet code the archive must carry) really contains the Xet symbols. A dependency that only
# the build tree provides (a $<BUILD_INTERFACE:...> library, a missing find_dependency) fails here,
# where the in-tree examples would still link.
#   scripts/check-client-install.sh [build dir, default build]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/spacehub-client-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cmake --install "$BUILD" --component client --prefix "$tmp/prefix" >/dev/null
# A fresh configure that sees only the install prefix, never the source tree's src/.
cmake -S "$ROOT/examples" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g0 >/dev/null
cmake --build "$tmp/build" -j2

# (grep reads all of nm's output: an early exit would SIGPIPE nm and fail the pipeline.)
if [[ "$(nm -C "$tmp/build/library_tour" | grep -c ' spacehub::xet::')" == 0 ]]; then
  echo "check-client-install: library_tour linked without the Xet code" >&2
  exit 1
fi
# The exported interface must not point into the source tree.
if grep -q "$ROOT/src" "$tmp/prefix"/lib*/cmake/spacehub-client/*.cmake; then
  echo "check-client-install: the installed package names $ROOT/src" >&2
  exit 1
fi
echo "check-client-install: ok (examples built against the installed spacehub-client, Xet linked)"
