#!/bin/bash
# Instructions per decode of the 51-byte typical BSM MessageFrame (csae53-2020), measured with
# callgrind (stable on a loaded machine, unlike wall-clock). Builds UPER and CV2X the way a release
# SwiftPM build does (-O -wmo, one module each, cross-module calls as in the benchmarks) plus a
# tiny decode loop, then runs 1,000 and 11,000 decodes: the difference / 10,000 is the cost of
# one decode without start-up. Also prints wall-clock ns/frame for 2,000,000 decodes.
# Usage: Tools/bench/cv2x-instructions.sh [repo-root]   (build takes about a minute)
#        FRAME_HEX=<hex> FRAME_NAME=<name> ... for another csae53-2020 frame (default: the typical BSM)
set -euo pipefail
ROOT=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
swiftc -O -wmo -parse-as-library -module-name UPER -emit-module -emit-module-path "$OUT/UPER.swiftmodule" \
    -emit-library -static -o "$OUT/libUPER.a" "$ROOT"/Sources/UPER/*.swift
swiftc -O -wmo -parse-as-library -module-name CV2X -I "$OUT" -emit-module -emit-module-path "$OUT/CV2X.swiftmodule" \
    -emit-library -static -o "$OUT/libCV2X.a" $(find "$ROOT/Sources/CV2X" -name '*.swift')
swiftc -O -I "$OUT" -L "$OUT" -lCV2X -lUPER "$ROOT/Tools/bench/cv2x-instructions/main.swift" -o "$OUT/decode-loop"
"$OUT/decode-loop" 2000000
count() {
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1" "$OUT/decode-loop" "$1" 2>&1 \
        | sed -n 's/.*I *refs: *//p' | tr -d ,
}
small=$(count 1000)
large=$(count 11000)
echo "instructions per decode (${FRAME_NAME:-bsm-typical-51B}): $(((large - small) / 10000))"
