#!/usr/bin/env bash
# Monthly report generation for 100 vehicles (target: under 2 s per report, all formats).
# No reference program: the figure is absolute. The synthetic database is built once per machine
# (in the temporary directory) by the benchmark's setup.
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
swift package --disable-sandbox benchmark --target ReportsBenchmarks --no-progress
