#!/usr/bin/env bash
# Renders a report.html with headless Chromium, as a person would see it:
#   Tools/report-screenshot.sh path/to/report.html [OUTDIR]
# Writes OUTDIR/report.png (first screen, A4-sized window at 150 dpi), OUTDIR/report.pdf (printed
# on A4 through the page's @page rules) and, when pdftoppm is installed, OUTDIR/report-page-N.png
# for every printed page. Needs `chromium` (apt-get install -y chromium; poppler-utils for pdftoppm).
set -euo pipefail
html=${1:?usage: Tools/report-screenshot.sh report.html [outdir]}
out=${2:-$(dirname "$html")/screenshots}
mkdir -p "$out"
html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "report-screenshot: chromium not found (apt-get install -y chromium)" >&2
    exit 1
fi
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-dev-shm-usage
    --user-data-dir="$(mktemp -d)")
timeout 120 "$browser" "${flags[@]}" --window-size=1240,1754 --screenshot="$out/report.png" "file://$html" 2>/dev/null
timeout 120 "$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$html" 2>/dev/null
if command -v pdftoppm >/dev/null; then
    rm -f "$out"/report-page-*.png
    pdftoppm -r 80 -png "$out/report.pdf" "$out/report-page"
fi
ls -1 "$out"
