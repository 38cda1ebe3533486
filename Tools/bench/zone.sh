#!/usr/bin/env bash
# Simulator figures (map matching ns/match is the ZoneBenchmarks suite, run by run-all.sh):
# the simulator's generation
# rate in frames/s for the demo configuration (release build, `time`).
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build -c release --product testzone >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
time .build/release/testzone simulate --seed 12 --duration 1800 --vehicles 20 --bsm-rate 5 --spat-rate 1 \
    --rsm-period 2 --out "$out/demo.mcap" --truth "$out/truth.json"
