#!/usr/bin/env bash
# One-command set-up for a fresh machine: system packages (Debian) and the Python tools venv.
# Called by `make setup`; safe to run again (installs only what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries the package links against, plus the tools the tests and benchmarks use.
APT_PACKAGES=(libzmq3-dev libsqlite3-dev libzstd-dev liblz4-dev python3-venv)
# Reports: xmllint checks the HTML report in tests.
APT_PACKAGES+=(libxml2-utils)
# Reports (issue 18): a CJK font so plates (沪A0001试) render in browsers and printed PDFs, and
# headless Chromium + poppler for Tools/report-screenshot.sh (A4 screenshots of report.html).
# Operations console (issue 15): headless Chromium loads the dashboard in ServerTests; wrk
# measures GET /api/v1/vehicles in Tools/bench/console.sh.
APT_PACKAGES+=(fonts-noto-cjk chromium poppler-utils wrk)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing system packages: ${missing[*]}" >&2
        echo "setup: run as root, or install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python tools (asn1tools for the ASN.1 generator and cross-checks, mcap for interoperability).
if [[ ! -x .venv/bin/python ]] || ! cmp -s Tools/requirements.txt .venv/.requirements; then
    echo "setup: preparing .venv (Tools/requirements.txt)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r Tools/requirements.txt
    cp Tools/requirements.txt .venv/.requirements
fi
