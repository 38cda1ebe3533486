#!/usr/bin/env bash
# CURVE cost on live ingest, in one run (release build, tcp loopback):
#   1. raw libzmq PUSH -> PULL in C, plain and with CURVE: what libzmq's CURVE allows here;
#   2. testzone ingest fed by ingest_feed push, PAIRS alternating pairs of a plain run and a run
#      with --curve-secret-key (the feeder a listed CURVE source): frames/s of each, the ratio
#      per pair, its median and range; the ingest's own accounting must equal the frames sent;
#   3. handshake cost: SOURCES listed sources (zone.toml [[sources]]) connect at once, one
#      message each, into a CURVE ingest, against the same number of plain connections.
# The frames are those of Tools/bench/ingest.sh (demo mix, 20 vehicles, 600 s simulated).
# Environment: SECONDS_RUN (per run, default 10), PAIRS (default 5), SOURCES (default 1000), PORT.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${SECONDS_RUN:-10}
PAIRS=${PAIRS:-5}
SOURCES=${SOURCES:-1000}
PORT=${PORT:-5681}
OUT=.build/bench/curve
FRAMES_DIR=.build/bench/ingest
PYTHON=${TESTZONE_PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
mkdir -p "$OUT" "$FRAMES_DIR"
swift build -c release --product testzone >/dev/null
BIN=.build/release/testzone
"${CC:-$(command -v cc || command -v clang)}" -O2 -o "$OUT/ingest_feed" Tools/bench/ingest_feed.c -lzmq
FRAMES=$FRAMES_DIR/demo-20-600.frames
if [[ ! -f $FRAMES ]]; then
    "$BIN" simulate --out "$FRAMES_DIR/demo.mcap" --config-out "$FRAMES_DIR/zone.toml" --duration 600 --vehicles 20 \
        --faults --seed 1
    "$PYTHON" Tools/bench/ingest_frames.py "$FRAMES_DIR/demo.mcap" "$FRAMES"
fi
EP=tcp://127.0.0.1:$PORT

# Keys: the server's, one feeder source, SOURCES more for the handshakes.
rm -rf "$OUT/keys"
"$BIN" keys generate ingest --dir "$OUT/keys" >/dev/null
"$BIN" keys generate feeder --dir "$OUT/keys" >/dev/null
"$OUT/ingest_feed" keys "$SOURCES" "$OUT/keys/sources.txt" "$OUT/keys/sources.toml"
key() { sed -n "s/.*$1 = \"\(.*\)\"/\1/p" "$2" | sed 's/\\"/"/g; s/\\\\/\\/g'; }
SERVER_PUBLIC=$(key public-key "$OUT/keys/ingest.key")
SERVER_SECRET=$(key secret-key "$OUT/keys/ingest.key_secret")
FEEDER_PUBLIC=$(key public-key "$OUT/keys/feeder.key")
FEEDER_SECRET=$(key secret-key "$OUT/keys/feeder.key_secret")
PLAIN_ZONE=$FRAMES_DIR/zone.toml
CURVE_ZONE=$OUT/zone-curve.toml
{
    cat "$PLAIN_ZONE"
    printf '\n[[sources]]\nname = "feeder"\npublic_key = "%s"\ntopics = ["cv2x/", "jt808/"]\n' \
        "$(printf '%s' "$FEEDER_PUBLIC" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    cat "$OUT/keys/sources.toml"
} > "$CURVE_ZONE"

echo "== CURVE on live ingest: ${RUN} s per run, $PAIRS pairs, $SOURCES sources for the handshakes"
echo "   ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), libzmq $(pkg-config --modversion libzmq 2>/dev/null || echo '?'))"

raw() { # raw libzmq, plain or CURVE ($1)
    if [[ $1 == curve ]]; then
        CURVE_SERVER_SECRET=$SERVER_SECRET "$OUT/ingest_feed" pull "$EP" > "$OUT/raw-$1.txt" &
    else
        "$OUT/ingest_feed" pull "$EP" > "$OUT/raw-$1.txt" &
    fi
    local puller=$!
    sleep 0.3
    if [[ $1 == curve ]]; then
        CURVE_SERVER_KEY=$SERVER_PUBLIC CURVE_PUBLIC_KEY=$FEEDER_PUBLIC CURVE_SECRET_KEY=$FEEDER_SECRET \
            "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" > /dev/null
    else
        "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" > /dev/null
    fi
    wait $puller
    awk '{print $(NF-1)}' "$OUT/raw-$1.txt"
}
RAW_PLAIN=$(raw plain)
RAW_CURVE=$(raw curve)
echo "-- raw libzmq PUSH -> PULL (C): plain $RAW_PLAIN frames/s, CURVE $RAW_CURVE frames/s = $(awk -v a="$RAW_CURVE" -v b="$RAW_PLAIN" 'BEGIN {printf "%.2f", a / b}') x"

ingest_run() { # $1 plain|curve; prints frames/s delivered into ingest; checks the accounting
    rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
    local extra=() zone=$PLAIN_ZONE
    if [[ $1 == curve ]]; then extra=(--curve-secret-key "$OUT/keys/ingest.key_secret"); zone=$CURVE_ZONE; fi
    "$BIN" ingest --config "$zone" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
        --status-interval 0 --log-level error --min-free-space 0 "${extra[@]}" 2> "$OUT/ingest-$1.err" &
    local ingest=$!
    sleep 0.7
    if [[ $1 == curve ]]; then
        CURVE_SERVER_KEY=$SERVER_PUBLIC CURVE_PUBLIC_KEY=$FEEDER_PUBLIC CURVE_SECRET_KEY=$FEEDER_SECRET \
            "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" > "$OUT/push-$1.txt"
    else
        "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" > "$OUT/push-$1.txt"
    fi
    sleep 1
    kill -INT $ingest
    wait $ingest
    local sent done
    sent=$(awk '{print $2}' "$OUT/push-$1.txt")
    done=$(grep -E '^ingest done' "$OUT/ingest-$1.err" | sed -E 's/.*frames ([0-9,]+) .*/\1/' | tr -d ,)
    if [[ $sent != "$done" ]]; then echo "   LOSS in $1 run: sent $sent, processed $done" >&2; fi
    sed -E 's/.*all delivered after [0-9.]+ s: ([0-9]+) frames.*/\1/' "$OUT/push-$1.txt"
}
ratios=()
for pair in $(seq 1 "$PAIRS"); do
    plain=$(ingest_run plain)
    curve=$(ingest_run curve)
    ratio=$(awk -v a="$curve" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')
    ratios+=("$ratio")
    echo "   pair $pair: plain $plain frames/s, CURVE $curve frames/s = ${ratio} x"
done
sorted=$(printf '%s\n' "${ratios[@]}" | sort -n)
median=$(printf '%s\n' "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "-- testzone ingest CURVE / plain: median ${median} x, range $(printf '%s\n' "$sorted" | head -1) .. $(printf '%s\n' "$sorted" | tail -1) over $PAIRS pairs"

# Handshakes: SOURCES connections at once, one message each, into a plain and a CURVE ingest.
ulimit -n 65536 2>/dev/null || true
handshakes() { # $1 plain|curve
    rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
    local extra=() zone=$PLAIN_ZONE
    if [[ $1 == curve ]]; then extra=(--curve-secret-key "$OUT/keys/ingest.key_secret"); zone=$CURVE_ZONE; fi
    "$BIN" ingest --config "$zone" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
        --status-interval 0 --log-level error --min-free-space 0 "${extra[@]}" 2> "$OUT/ingest-handshakes-$1.err" &
    local ingest=$!
    sleep 0.7
    if [[ $1 == curve ]]; then
        CURVE_SERVER_KEY=$SERVER_PUBLIC "$OUT/ingest_feed" handshakes "$EP" "$OUT/keys/sources.txt"
    else
        "$OUT/ingest_feed" handshakes "$EP" "$OUT/keys/sources.txt"
    fi
    kill -INT $ingest
    wait $ingest || true
}
echo "-- $(handshakes plain)"
echo "-- $(handshakes curve)"
rm -rf "$OUT/journal" "$OUT/zone.sqlite"* "$OUT/keys"
