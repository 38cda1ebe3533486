#!/usr/bin/env bash
# Zone and simulator figures: map matching ns/match on the demo zone (package-benchmark target
# ZoneBenchmarks, with the brute-force matcher as the reference), then the simulator's generation
# rate in frames/s for the demo configuration (release build, `time`).
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd Benchmarks && swift package --disable-sandbox benchmark --target ZoneBenchmarks)
swift build -c release --product testzone >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
time .build/release/testzone simulate --seed 12 --duration 1800 --vehicles 20 --bsm-rate 5 --spat-rate 1 \
    --rsm-period 2 --out "$out/demo.mcap" --truth "$out/truth.json"
