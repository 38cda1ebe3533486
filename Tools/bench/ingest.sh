#!/usr/bin/env bash
# Live ingest throughput, in one go (Tools/bench/ingest_feed.c + testzone ingest, release):
#   1. a simulator recording of the demo mix (testzone simulate, 20 vehicles, 16 RSUs, faults) is
#      dumped to a flat frame file (ingest_frames.py, Python mcap);
#   2. raw libzmq: ingest_feed pull <- ingest_feed push, the same frames (3 parts: topic,
#      payload, 8-byte time) over tcp loopback for SECONDS;
#   3. testzone ingest --listen <- ingest_feed push, the same frames for SECONDS (threads 2, then
#      threads 1 when BOTH_LAYOUTS=1), RSS of the ingest sampled from /proc every 2 s; after the
#      sender is done, SIGINT, and the ingest's own accounting must equal the frames sent (no loss);
#   4. testzone replay --push --speed max of the recording into testzone ingest (the Swift
#      sender end to end).
# The frames repeat every loop with their gateway times shifted by the recording's span (whole
# minutes), so the feed is continuous: BSM receive times keep advancing as on a live zone. (Left
# unshifted, every loop re-sends the same times: the vehicles' reorder buffers, which hold 300 s
# of event time, then keep every copy of the last 300 s of each loop and grow without end.)
# Environment: SECONDS_RUN (default 20; 600 for the 10-minute RSS soak), RAW_SECONDS (the raw
# reference run, default SECONDS_RUN), VEHICLES, DURATION (of
# the simulated run, s), BOTH_LAYOUTS, PORT.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${SECONDS_RUN:-20}
RAW_RUN=${RAW_SECONDS:-$RUN}
VEHICLES=${VEHICLES:-20}
DURATION=${DURATION:-600}
PORT=${PORT:-5671}
OUT=.build/bench/ingest
PYTHON=${TESTZONE_PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
mkdir -p "$OUT"
swift build -c release --product testzone >/dev/null
BIN=.build/release/testzone
"${CC:-$(command -v cc || command -v clang)}" -O2 -o "$OUT/ingest_feed" Tools/bench/ingest_feed.c -lzmq

if [[ ! -f $OUT/demo-$VEHICLES-$DURATION.frames ]]; then
    "$BIN" simulate --out "$OUT/demo.mcap" --zone "$OUT/zone.toml" --duration "$DURATION" --vehicles "$VEHICLES" \
        --faults --seed 1
    "$PYTHON" Tools/bench/ingest_frames.py "$OUT/demo.mcap" "$OUT/demo-$VEHICLES-$DURATION.frames"
fi
FRAMES=$OUT/demo-$VEHICLES-$DURATION.frames
EP=tcp://127.0.0.1:$PORT

echo "== live ingest throughput: demo mix ($VEHICLES vehicles, $DURATION s simulated), ${RUN} s per run"
echo "   ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "-- raw libzmq PUSH -> PULL (C), tcp loopback:"
"$OUT/ingest_feed" pull "$EP" > "$OUT/raw.txt" &
puller=$!
sleep 0.3
"$OUT/ingest_feed" push "$EP" "$FRAMES" "$RAW_RUN" | sed 's/^/   sender: /'
wait $puller
sed 's/^/   receiver: /' "$OUT/raw.txt"
RAW=$(awk '{print $(NF-1)}' "$OUT/raw.txt")

layouts=(2)
[[ ${BOTH_LAYOUTS:-0} == 1 ]] && layouts=(2 1)
for threads in "${layouts[@]}"; do
    rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
    echo "-- testzone ingest --threads $threads <- PUSH (C), tcp loopback:"
    "$BIN" ingest --config "$OUT/zone.toml" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
        --threads "$threads" --status-seconds 5 --log-level warning 2> "$OUT/ingest-$threads.err" &
    ingest=$!
    (while kill -0 $ingest 2>/dev/null; do
        awk '/VmRSS/ {print $2}' /proc/$ingest/status 2>/dev/null
        sleep 2
    done) > "$OUT/rss-$threads.txt" &
    sampler=$!
    sleep 0.5
    "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" | tee "$OUT/push-$threads.txt" | sed 's/^/   sender: /'
    sleep 1
    kill -INT $ingest
    wait $ingest
    wait $sampler 2>/dev/null || true
    grep -E '^ingest ' "$OUT/ingest-$threads.err" | tail -3 | sed 's/^/   /'
    SENT=$(awk '{print $2}' "$OUT/push-$threads.txt")
    RATE=$(sed -E 's/.*all delivered after [0-9.]+ s: ([0-9]+) frames.*/\1/' "$OUT/push-$threads.txt")
    DONE=$(grep -E '^ingest done' "$OUT/ingest-$threads.err" | sed -E 's/.*frames ([0-9,]+) .*/\1/' | tr -d ,)
    echo "   frames sent $SENT, processed $DONE: loss $((SENT - DONE))"
    echo "   rate $RATE frames/s = $(awk -v a="$RATE" -v b="$RAW" 'BEGIN {printf "%.2f", a / b}') x raw"
    echo "   RSS kB (every 2 s): $(tr '\n' ' ' < "$OUT/rss-$threads.txt")"
    echo "   journal: $(du -sh "$OUT/journal" | cut -f1) in $(ls "$OUT/journal" | wc -l) file(s)"
done

echo "-- testzone replay --push --speed max (Swift sender) -> testzone ingest:"
rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
"$BIN" ingest --config "$OUT/zone.toml" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
    --status-seconds 0 --log-level warning 2> "$OUT/ingest-replay.err" &
ingest=$!
"$BIN" replay "$OUT/demo.mcap" --push "$EP" --speed max --quiet 2>&1 | sed 's/^/   /'
sleep 1
kill -INT $ingest
wait $ingest
grep -E '^ingest done' "$OUT/ingest-replay.err" | sed 's/^/   /'
