#!/usr/bin/env bash
# `make run`: the main job on the bundled sample.
# Today: a publisher on loopback feeds `testzone tap` for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/testzone}
"$BIN" --version
