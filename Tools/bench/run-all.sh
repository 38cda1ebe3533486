#!/usr/bin/env bash
# `make bench`: every benchmark suite together with its reference program, one part per line.
# Each script builds what it needs, prints its figures and the ratio to the reference.
set -euo pipefail
cd "$(dirname "$0")"

./zeromq.sh   # ZeroMQ wrapper vs libzmq from C: PUSH/PULL 60 B over tcp loopback and inproc
./asn1c-cv2x.sh "" "$([[ -f cv2x-frames.hex ]] && echo "$PWD/cv2x-frames.hex")"   # C-V2X: asn1c decoder on the example frames (+ cv2x-frames.hex)
./zone.sh     # Zone: map matching ns/match (grid vs brute force) on the demo zone; simulator frames/s
./cv2x.sh     # C-V2X: generated Swift codec vs asn1c (runs asn1c-cv2x.sh itself), table with ratios
./ingest.sh   # live ingest: testzone ingest vs raw libzmq PUSH/PULL with the demo frames, RSS, no loss

# Suites without an external reference program: figures (time, throughput, allocations) only.
for suite in JT808Benchmarks RecordingBenchmarks ZoneBenchmarks MetricsBenchmarks ReportsBenchmarks; do
    (cd ../../Benchmarks && swift package --disable-sandbox benchmark --target "$suite")
done
./reports.sh  # Reports: monthly report of 500 vehicles x 30 days (read, build, render, write all formats) and the DMV annual export; target < 2 s
