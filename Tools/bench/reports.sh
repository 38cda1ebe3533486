#!/usr/bin/env bash
# Monthly report generation for 500 vehicles x 30 days (target: under 2 s per report, all formats)
# and the DMV annual export over the same database (TESTZONE_BENCH_VEHICLES=N for another size).
# No reference program: the figure is absolute. The synthetic database is built once per machine
# (in the temporary directory) by the benchmark's setup.
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
swift package --disable-sandbox benchmark --target ReportsBenchmarks --no-progress
