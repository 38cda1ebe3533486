#!/bin/bash
# Instructions, allocations and wall-clock time per decode of csae53-2020 MessageFrames. Builds UPER
# and CV2X the way a release SwiftPM build does (-O -wmo, one module each, cross-module calls as in
# the benchmarks) plus a tiny decode loop (Tools/bench/cv2x-instructions/main.swift), then for each
# frame and mode:
#   - ns/frame: wall clock of ITERATIONS decodes (default 200,000; noisy on a loaded machine);
#   - instructions: callgrind, SMALL (100) and SMALL+COUNT (1,000) decodes, the difference / COUNT (the cost of
#     one decode without start-up; stable on a loaded machine);
#   - allocations: memcheck's heap block count, the same difference / COUNT.
# Modes: "fresh" is `MessageFrame(uper:)`, a new value per frame; "in-place" is one
# `MessageFrameDecoder` for every decode (REUSE=1), the pipeline's path. A last row "mix-of-all"
# decodes every frame in turn with one decoder (the figures are means per decode).
# ASN1C=1 first runs Tools/bench/asn1c-cv2x.sh on the same frames (asn1c generated and built at
# bench time) and adds asn1c's ns/frame and the speed-up (asn1c ns / Swift ns) of each mode, and,
# with valgrind, asn1c's callgrind instructions per decode (same SMALL/LARGE difference) and the
# instruction ratio (asn1c instructions / Swift instructions): a load-independent comparison for
# a busy machine, where the ns of both sides swing (it is not a time ratio: the two programs run
# at different instructions per cycle).
# Usage: Tools/bench/cv2x-instructions.sh [repo-root]   (the build takes a few minutes)
#        FRAME_HEX=<hex> FRAME_NAME=<name> ... for one frame only; otherwise the typical BSM, the
#        mandatory BSM, the SPAT example, then Tools/bench/cv2x-frames.hex (FRAMES=<file> for
#        another list of "name hex" lines). MODES="in-place" for one mode only; VALGRIND=0 skips
#        the instruction and allocation counts. DECODE_LOOP=<program> uses a decode loop built
#        earlier the same way instead of building one (e.g. to measure one build several times).
set -euo pipefail
ROOT=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
if [[ -n ${DECODE_LOOP:-} ]]; then  # a decode loop built earlier the same way (skips the build)
    cp "$DECODE_LOOP" "$OUT/decode-loop"
else
    swiftc -O -wmo -parse-as-library -module-name UPER -emit-module -emit-module-path "$OUT/UPER.swiftmodule" \
        -emit-library -static -o "$OUT/libUPER.a" "$ROOT"/Sources/UPER/*.swift
    swiftc -O -wmo -parse-as-library -module-name CV2X -I "$OUT" -emit-module -emit-module-path "$OUT/CV2X.swiftmodule" \
        -emit-library -static -o "$OUT/libCV2X.a" $(find "$ROOT/Sources/CV2X" -name '*.swift')
    swiftc -O -I "$OUT" -L "$OUT" -lCV2X -lUPER "$ROOT/Tools/bench/cv2x-instructions/main.swift" -o "$OUT/decode-loop"
fi

if [[ -n ${FRAME_HEX:-} ]]; then
    echo "${FRAME_NAME:-frame} $FRAME_HEX" > "$OUT/frames"
else
    {
        echo "bsm-mandatory-38B 000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"
        echo "bsm-typical-51B 07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808"
        echo "spat-4-phases-54B 3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600"
        grep -v '^#' "${FRAMES:-$ROOT/Tools/bench/cv2x-frames.hex}"
    } > "$OUT/frames"
fi
: > "$OUT/asn1c.txt"
if [[ ${ASN1C:-0} == 1 ]]; then
    # asn1c_bench has the three example frames built in; give it the others.
    grep -v -E '^(bsm-mandatory-38B|bsm-typical-51B|spat-4-phases-54B) ' "$OUT/frames" > "$OUT/asn1c-frames"
    ASN1C_BENCH_COPY="$OUT/asn1c_bench" "$ROOT/Tools/bench/asn1c-cv2x.sh" "" "$OUT/asn1c-frames" \
        | tee "$OUT/asn1c.txt" >&2
fi
asn1c_instructions() {  # name hex: asn1c's instructions per decode of one frame (asn1c_bench runs its
    # three built-in frames first, so a run without an extra frame is subtracted)
    [[ ${ASN1C:-0} == 1 && ${VALGRIND:-1} == 1 && -x $OUT/asn1c_bench && $1 != mix-of-all ]] || { echo -; return; }
    echo "$1 $2" > "$OUT/asn1c-one"
    local counts=() file n
    for file in /dev/null "$OUT/asn1c-one"; do
        for n in $SMALL $LARGE; do
            counts+=("$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OUT/asn1c_bench" -n "$n" -r 1 "$file" 2>&1 \
                | sed -n 's/.*I *refs: *//p' | tr -d ,)")
        done
    done
    echo $((((counts[3] - counts[2]) - (counts[1] - counts[0])) / COUNT))
}
MIX=$(cut -d' ' -f2 "$OUT/frames" | paste -sd,)
[[ -n ${FRAME_HEX:-} ]] || echo "mix-of-all $MIX" >> "$OUT/frames"

SMALL=${SMALL:-100}
COUNT=${COUNT:-1000}
LARGE=$((SMALL + COUNT))
reuse() { [[ $1 == in-place ]] && echo 1 || echo 0; }
nanoseconds() {  # mode
    REUSE=$(reuse "$1") "$OUT/decode-loop" "${ITERATIONS:-200000}" | awk '{printf "%.0f", $2}'
}
instructions() {  # mode count
    REUSE=$(reuse "$1") valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$OUT/decode-loop" "$2" 2>&1 \
        | sed -n 's/.*I *refs: *//p' | tr -d ,
}
allocations() {  # mode count
    REUSE=$(reuse "$1") valgrind --tool=memcheck "$OUT/decode-loop" "$2" 2>&1 \
        | sed -n 's/.*total heap usage: *\([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M) UTC"
printf '%-26s %-9s %10s %10s %8s %13s %12s %12s %11s\n' frame mode asn1c-ns ns speed-up instructions allocations \
    asn1c-instr instr-ratio
while read -r name hex; do
    [[ -n $name ]] || continue
    asn1c=$(awk -v n="$name" '$1 == n && $3 ~ /^[0-9.]+$/ {print $3}' "$OUT/asn1c.txt")
    if [[ $name == mix-of-all ]]; then  # asn1c: the mean over the frames
        asn1c=$(awk '!/^#/ && $3 ~ /^[0-9.]+$/ {s += $3; n++} END {if (n) printf "%.1f", s / n}' "$OUT/asn1c.txt")
    fi
    asn1c_i=$(asn1c_instructions "$name" "$hex")
    for mode in ${MODES:-fresh in-place}; do
        export FRAME_HEX=$hex
        ns=$(nanoseconds "$mode")
        ratio=$([[ -n $asn1c ]] && awk -v a="$asn1c" -v b="$ns" 'BEGIN {printf "%.1fx", a / b}' || echo -)
        i=- a=-
        if [[ ${VALGRIND:-1} == 1 ]]; then
            i=$((($(instructions "$mode" $LARGE) - $(instructions "$mode" $SMALL)) / COUNT))
            a=$(awk -v c=$COUNT -v l="$(allocations "$mode" $LARGE)" -v s="$(allocations "$mode" $SMALL)" \
                'BEGIN {printf "%.2f", (l - s) / c}')
        fi
        iratio=$([[ $asn1c_i != - && $i != - ]] && awk -v a="$asn1c_i" -v b="$i" 'BEGIN {printf "%.1fx", a / b}' || echo -)
        printf '%-26s %-9s %10s %10s %8s %13s %12s %12s %11s\n' "$name" "$mode" "${asn1c:--}" "$ns" "$ratio" "$i" "$a" \
            "$asn1c_i" "$iratio"
    done
done < "$OUT/frames"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M) UTC"
