#!/usr/bin/env bash
# C-V2X decoding speed, generated Swift codec vs Debian's asn1c, measured in the same run.
#
# Frames: the three example frames of ../shared/reference/README.md (BSM mandatory 38 B, BSM
# typical 51 B, SPAT 54 B) plus Tools/bench/cv2x-frames.hex (RSM with 5 participants, MAP with 4
# nodes, and the roadside-unit-like frames of Tools/bench/make-cv2x-frames.py: BSMs with path
# histories of 1, 4 and 15 points, SPAT 8x3, MAP 4 links x 3 lanes, RSM 1 and 10, RSI alert path),
# and a last row for all of them decoded in turn by one decoder ("mix"). Runs Tools/bench/asn1c-cv2x.sh (asn1c generated + built at bench time) and
# Benchmarks/CV2XBenchmarks (package-benchmark; timed without its malloc interposer, allocations
# counted in a second run with it), then prints one table: ns per frame (median), allocations
# per frame, and the asn1c/Swift ratio, for a fresh value per frame and for decoding in place.
# Targets (issue 22): every frame in place with 0 allocations and >= 15x asn1c; fresh >= 10x.
#
#   Tools/bench/cv2x.sh            (ASN.1 modules: $TESTZONE_ASN1_DIR or ../shared/reference/asn1)
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$bench/../.." && pwd)"
frames="$bench/cv2x-frames.hex"
work="$(mktemp -d "${TMPDIR:-/tmp}/cv2x-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [[ -x "$bench/asn1c-cv2x.sh" ]]; then
    "$bench/asn1c-cv2x.sh" "" "$frames" | tee "$work/asn1c.txt" || {
        echo "cv2x: asn1c reference failed; the table has no ratios" >&2
        : >"$work/asn1c.txt"
    }
else
    echo "cv2x: Tools/bench/asn1c-cv2x.sh not present; the table has no ratios" >&2
    : >"$work/asn1c.txt"
fi

# Two runs: wall clock without package-benchmark's malloc interposer (it wraps every malloc/free,
# which asn1c's loop does not pay), then allocation counts with it. Each
# setting has its own build folder (the first build of each takes a few minutes).
(cd "$root/Benchmarks" && TESTZONE_BENCH_TIME_ONLY=1 swift package --scratch-path .build-time-only \
    --disable-sandbox benchmark --target CV2XBenchmarks --no-progress --time-units nanoseconds) \
    | tee "$work/swift.txt"
(cd "$root/Benchmarks" && swift package --disable-sandbox benchmark --target CV2XBenchmarks \
    --no-progress --time-units nanoseconds) | tee "$work/swift-allocations.txt"

python3 - "$work/asn1c.txt" "$work/swift.txt" "$work/swift-allocations.txt" <<'PY'
import re, sys
asn1c = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 4 and not line.startswith('#') and re.match(r'^[0-9.]+$', parts[2]):
        asn1c[parts[0]] = (int(parts[1]), float(parts[2]))
swift = {}  # (frame, mode) -> {'ns': ..., 'allocs': ...}; mode 'fresh' or 'in place'
for path, wanted in ((sys.argv[2], 'ns'), (sys.argv[3], 'allocs')):
    current = None
    for line in open(path):
        m = re.match(r'^CV2X decode (in place )?(\S+)\s*$', line)
        if m:
            current = (m.group(2), 'in place' if m.group(1) else 'fresh')
            swift.setdefault(current, {})
            continue
        if line.startswith('CV2X '):
            current = None  # another benchmark (the JER one)
        if current and '│' in line:
            cells = [c.strip() for c in line.split('│')][1:]  # metric, p0, p25, p50, ...
            if len(cells) < 4:
                continue
            label = cells[0]
            if wanted == 'ns' and label.startswith('Time (wall clock)'):
                scale = 1000.0 if '(μs)' in label or '(us)' in label else 1.0
                swift[current]['ns'] = float(cells[3]) * scale  # p50
            elif wanted == 'allocs' and label.startswith('Malloc (total)'):
                swift[current]['allocs'] = int(float(cells[3]))
print()
print('Fresh: `MessageFrame(uper:)`, a new value per frame. In place: `MessageFrameDecoder.decode(uper:)`')
print('into the value it keeps for the alternative (the pipeline\'s CV2XFrameDecoder). Speed-up = asn1c ns / Swift ns.')
print()
print('| frame | bytes | asn1c ns/frame | fresh ns (p50) | fresh allocations | fresh speed-up '
      '| in place ns (p50) | in place allocations | in place speed-up |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for name in list(asn1c) or sorted({frame for frame, _ in swift if frame != 'mix'}):
    a = asn1c.get(name)
    cells = []
    for mode in ('fresh', 'in place'):
        s = swift.get((name, mode), {})
        ns = s.get('ns')
        cells += ['%.0f' % ns if ns else '-', str(s.get('allocs', '-')),
                  '%.1fx' % (a[1] / ns) if a and ns else '-']
    print('| %s | %s | %s | %s |' % (
        name, a[0] if a else re.sub(r'.*-(\d+)B$', r'\1', name), '%.0f' % a[1] if a else '-',
        ' | '.join(cells)))
# The mix: every frame in turn through one decoder (one iteration decodes each frame once).
mix = swift.get(('mix', 'in place'), {})
if mix.get('ns'):
    total = sum(a[1] for a in asn1c.values())
    print('| mix of all %d frames, in place, per round | | %s | | | | %.0f | %s | %s |' % (
        len(asn1c), '%.0f' % total if asn1c else '-', mix['ns'], mix.get('allocs', '-'),
        '%.1fx' % (total / mix['ns']) if asn1c else '-'))
PY
