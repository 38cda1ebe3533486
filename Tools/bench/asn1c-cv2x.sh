#!/usr/bin/env bash
# asn1c comparator for C-V2X MessageFrame decoding (issue 3): generates Debian asn1c's C decoder
# for a CSAE 53 module set into a temp dir at bench time, builds Tools/bench/asn1c_bench.c against
# it, and prints ns per frame for the three example frames of ../shared/reference/README.md plus
# the frames of an optional hex file (one per line, optionally "name hex"; '#' comments).
#
#   Tools/bench/asn1c-cv2x.sh [ASN1_DIR] [FRAMES_FILE]
#     ASN1_DIR     modules of one set (default: ../shared/reference/asn1/csae53-2020 from the repo
#                  root, or $TESTZONE_ASN1_DIR/csae53-2020)
#     FRAMES_FILE  extra frames (e.g. RSM with 5 participants, MAP with 4 nodes)
#   ASN1C_ITERATIONS (default 200000) and ASN1C_REPEATS (default 5, best taken) tune the timing;
#   ASN1C_BENCH_COPY=PATH keeps a copy of the built asn1c_bench program.
#
# Installs the `asn1c` package when it is missing and we are root (only the benchmarks need it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

default_dir="$root/../shared/reference/asn1/csae53-2020"
if [[ ! -d "$default_dir" ]]; then
    # In a git worktree, also look beside the main checkout.
    common="$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
    [[ -n "$common" ]] && default_dir="$(dirname "$common")/../shared/reference/asn1/csae53-2020"
fi
[[ -n "${TESTZONE_ASN1_DIR:-}" ]] && default_dir="$TESTZONE_ASN1_DIR/csae53-2020"
asn1_dir="${1:-$default_dir}"
frames="${2:-}"

if [[ ! -d "$asn1_dir" ]] || ! ls "$asn1_dir"/*.asn >/dev/null 2>&1; then
    echo "asn1c-cv2x: no ASN.1 modules in $asn1_dir (pass the module directory as the first argument)" >&2
    exit 1
fi
if [[ -n "$frames" && ! -r "$frames" ]]; then
    echo "asn1c-cv2x: cannot read frames file $frames" >&2
    exit 1
fi
frames="${frames:+$(cd "$(dirname "$frames")" && pwd)/$(basename "$frames")}"

if ! command -v asn1c >/dev/null 2>&1; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "asn1c-cv2x: asn1c is not installed; run as root or: sudo apt-get install -y asn1c" >&2
        exit 1
    fi
    echo "asn1c-cv2x: installing asn1c"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq asn1c >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/asn1c-cv2x.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
asn1c -fcompound-names -gen-PER -pdu=MessageFrame "$asn1_dir"/*.asn >asn1c.log 2>&1 || {
    cat asn1c.log >&2
    echo "asn1c-cv2x: asn1c failed on $asn1_dir" >&2
    exit 1
}
rm -f converter-sample.c
cp "$root/Tools/bench/asn1c_bench.c" .
# Compile in parallel (2 cores are shared), then link.
ls *.c | xargs -P "$(nproc)" -n 16 cc -O2 -DNDEBUG -I. -w -c
cc -O2 -o asn1c_bench *.o -lm
# ASN1C_BENCH_COPY=PATH keeps a copy of the built program (cv2x-instructions.sh counts its instructions).
[[ -n "${ASN1C_BENCH_COPY:-}" ]] && cp asn1c_bench "$ASN1C_BENCH_COPY"
echo "asn1c-cv2x: asn1c $(asn1c -v 2>&1 | head -1 | grep -Eo 'v[0-9.]+') on $asn1_dir"
./asn1c_bench -n "${ASN1C_ITERATIONS:-200000}" -r "${ASN1C_REPEATS:-5}" ${frames:+"$frames"}
