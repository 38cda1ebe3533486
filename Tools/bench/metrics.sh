#!/usr/bin/env bash
# Metrics engine and end-to-end replay (Benchmarks/MetricsBenchmarks, package-benchmark, release):
#   - aggregation: 1,000,000 observations (20 vehicles, 1 Hz fixes, 10 Hz BSMs at 2 RSUs, events)
#     through a fresh ZoneAggregator; time per observation (ns) and observations/s;
#   - replay into SQLite: a 1,000,000-frame MCAP recording (JT/T 808 reports and CSAE 53 BSMs)
#     through DatabaseReplay (SHA-256, decoding, metrics, database run); time per frame and frames/s.
# No reference program: these are absolute figures (see the README's metrics section).
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
echo "== Metrics: aggregation and replay into SQLite ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
swift package --disable-sandbox benchmark --target MetricsBenchmarks --no-progress
