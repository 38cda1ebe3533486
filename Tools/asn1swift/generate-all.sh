#!/usr/bin/env bash
# Regenerates the Swift codecs of the three CSAE 53 message sets into Sources/CV2X/Generated/.
# The ASN.1 modules are reference data that is not in this repository: they are read from
# $TESTZONE_ASN1_DIR (default: ../shared/reference/asn1 next to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
# $TESTZONE_ASN1_DIR, else the first shared/reference/asn1 found walking up from the repository.
ASN1_DIR="${TESTZONE_ASN1_DIR:-}"
if [[ -z "$ASN1_DIR" ]]; then
    dir="$(pwd)"
    while [[ "$dir" != "/" ]]; do
        dir="$(dirname "$dir")"
        if [[ -d "$dir/shared/reference/asn1" ]]; then ASN1_DIR="$dir/shared/reference/asn1"; break; fi
    done
fi
[[ -n "$ASN1_DIR" ]] || { echo "generate-all: ASN.1 modules not found; set TESTZONE_ASN1_DIR" >&2; exit 1; }
PYTHON="${TESTZONE_PYTHON:-.venv/bin/python}"
[[ -x "$PYTHON" ]] || PYTHON=python3
for set in csae53-2020 csae53-2019 csae53-2017; do
    ns="CSAE53_${set#csae53-}"
    "$PYTHON" Tools/asn1swift/asn1swift.py --set "$set" --namespace "$ns" --top MessageFrame \
        --out "Sources/CV2X/Generated/$ns" \
        --command "Tools/asn1swift/generate-all.sh (asn1swift.py --set $set --namespace $ns --top MessageFrame <asn1>/$set)" \
        "$ASN1_DIR/$set"
done
