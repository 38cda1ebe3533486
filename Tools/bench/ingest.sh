#!/usr/bin/env bash
# Live ingest throughput, in one go (Tools/bench/ingest_feed.c + testzone ingest, release):
#   1. a simulator recording of the demo mix (testzone simulate, 20 vehicles, 16 RSUs, faults) is
#      dumped to a flat frame file (ingest_frames.py, Python mcap);
#   2. PAIRS (default 5) alternating pairs of runs, each
#      a. raw libzmq: ingest_feed pull <- ingest_feed push, the same frames (3 parts: topic,
#         payload, 8-byte time) over tcp loopback for RAW_SECONDS;
#      b. right after it, testzone ingest --listen <- ingest_feed push, the same frames for SECONDS
#         (threads 2, then threads 1 when BOTH_LAYOUTS=1), RSS of the ingest sampled from /proc
#         every 2 s; after the sender is done, SIGINT, and the ingest's own accounting must equal
#         the frames sent (no loss);
#      then every pair's ingest/raw ratio, their median and range, and the load average;
#   3. testzone replay --push --speed max of the recording into testzone ingest (the Swift
#      sender end to end).
# The frames repeat every loop with their gateway times shifted by the recording's span (whole
# minutes), so the feed is continuous: BSM receive times keep advancing as on a live zone. (Left
# unshifted, every loop re-sends the same times: the vehicles' reorder buffers, which hold 300 s
# of event time, then keep every copy of the last 300 s of each loop and grow without end.)
# Environment: SECONDS_RUN (default 20; 600 for the 10-minute RSS soak), RAW_SECONDS (the raw
# reference run, default SECONDS_RUN), PAIRS (default 5), VEHICLES, DURATION (of
# the simulated run, s), BOTH_LAYOUTS, PORT, SCRATCH (build folder, default .build).
# STORE=postgres (issue 20): the ingest commits into PostgreSQL instead of SQLite, a fresh database
# on the server of TESTZONE_POSTGRES_URL for each run (run the script through
# Tools/postgres/with-postgres.sh to get a scratch server). Each ingest run also prints its commit
# throughput (rows written / time spent committing, from the per-commit debug log).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${SECONDS_RUN:-20}
RAW_RUN=${RAW_SECONDS:-$RUN}
PAIRS=${PAIRS:-5}
VEHICLES=${VEHICLES:-20}
DURATION=${DURATION:-600}
PORT=${PORT:-5671}
OUT=.build/bench/ingest
PYTHON=${TESTZONE_PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
mkdir -p "$OUT"
# SCRATCH: another build folder (e.g. .build-release, so that a debug build in .build can run meanwhile).
swift build -c release --product testzone ${SCRATCH:+--scratch-path "$SCRATCH"} >/dev/null
BIN=$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/testzone
"${CC:-$(command -v cc || command -v clang)}" -O2 -o "$OUT/ingest_feed" Tools/bench/ingest_feed.c -lzmq

if [[ ! -f $OUT/demo-$VEHICLES-$DURATION.frames ]]; then
    "$BIN" simulate --out "$OUT/demo.mcap" --config-out "$OUT/zone.toml" --duration "$DURATION" --vehicles "$VEHICLES" \
        --faults --seed 1
    "$PYTHON" Tools/bench/ingest_frames.py "$OUT/demo.mcap" "$OUT/demo-$VEHICLES-$DURATION.frames"
fi
FRAMES=$OUT/demo-$VEHICLES-$DURATION.frames
EP=tcp://127.0.0.1:$PORT
STORE=${STORE:-sqlite}
case $STORE in
sqlite) ;;
postgres)
    [[ -n ${TESTZONE_POSTGRES_URL:-} ]] || {
        echo "ingest.sh: STORE=postgres needs TESTZONE_POSTGRES_URL (run it through Tools/postgres/with-postgres.sh)" >&2
        exit 2
    }
    command -v psql >/dev/null || { echo "ingest.sh: STORE=postgres needs psql" >&2; exit 2; }
    ;;
*) echo "ingest.sh: STORE must be sqlite or postgres, not $STORE" >&2; exit 2 ;;
esac

fresh_store() {  # removes the previous run's store and journal; prints the --db value
    rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
    if [[ $STORE == postgres ]]; then
        psql -q "$TESTZONE_POSTGRES_URL" -c "DROP DATABASE IF EXISTS testzone_ingest_bench WITH (FORCE)" \
            -c "CREATE DATABASE testzone_ingest_bench" >&2
        echo "${TESTZONE_POSTGRES_URL%/*}/testzone_ingest_bench"
    else
        echo "$OUT/zone.sqlite"
    fi
}

commit_throughput() {  # the per-commit debug lines of an ingest log -> "rows in ms = rows/s"
    awk '/ commit$/ {
            ms = rows = ""
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^ms=/) { ms = substr($i, 4) }
                if ($i ~ /^rows=/) { rows = substr($i, 6) }
            }
            if (rows + 0 > 0) { total += rows; time += ms; commits++ }
        }
        END {
            if (time > 0) printf "%d rows in %d commits, %.0f ms committing: %.0f rows/s\n", total, commits, time, total / time * 1000
            else print "no commit wrote rows"
        }' "$1"
}

echo "== live ingest throughput into $STORE: demo mix ($VEHICLES vehicles, $DURATION s simulated), ${RUN} s per run, $PAIRS pairs"
echo "   ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"

raw_run() {  # prints the receiver's frames/s
    "$OUT/ingest_feed" pull "$EP" > "$OUT/raw.txt" &
    local puller=$!
    sleep 0.3
    "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RAW_RUN" > "$OUT/raw-push.txt"
    wait $puller
    sed 's/^/   raw sender: /' "$OUT/raw-push.txt" >&2
    sed 's/^/   raw receiver: /' "$OUT/raw.txt" >&2
    awk '{print $(NF-1)}' "$OUT/raw.txt"
}

ingest_run() {  # threads; prints "rate loss"
    local threads=$1 db
    db=$(fresh_store)
    "$BIN" ingest --config "$OUT/zone.toml" --listen "$EP" --db "$db" --journal "$OUT/journal" \
        --threads "$threads" --status-interval 5 --log-level debug 2> "$OUT/ingest-$threads.err" &
    local ingest=$!
    (while kill -0 $ingest 2>/dev/null; do
        awk '/VmRSS/ {print $2}' /proc/$ingest/status 2>/dev/null
        sleep 2
    done) > "$OUT/rss-$threads.txt" &
    local sampler=$!
    sleep 0.5
    "$OUT/ingest_feed" push "$EP" "$FRAMES" "$RUN" > "$OUT/push-$threads.txt"
    sleep 1
    kill -INT $ingest
    wait $ingest
    wait $sampler 2>/dev/null || true
    local sent rate done
    sent=$(awk '{print $2}' "$OUT/push-$threads.txt")
    rate=$(sed -E 's/.*all delivered after [0-9.]+ s: ([0-9]+) frames.*/\1/' "$OUT/push-$threads.txt")
    done=$(grep -E '^ingest done' "$OUT/ingest-$threads.err" | sed -E 's/.*frames ([0-9,]+) .*/\1/' | tr -d ,)
    {
        sed 's/^/   ingest sender: /' "$OUT/push-$threads.txt"
        grep -E '^ingest ' "$OUT/ingest-$threads.err" | tail -3 | sed 's/^/   /'
        echo "   frames sent $sent, processed $done: loss $((sent - done))"
        echo "   commits into $STORE: $(commit_throughput "$OUT/ingest-$threads.err")"
        echo "   RSS kB (every 2 s): $(tr '\n' ' ' < "$OUT/rss-$threads.txt")"
        echo "   journal: $(du -sh "$OUT/journal" | cut -f1) in $(ls "$OUT/journal" | wc -l) file(s)"
    } >&2
    echo "$rate $((sent - done))"
}

# Alternating pairs (raw, then ingest right after it): the raw reference swings with the machine's
# load as much as the ingest does, so each ingest run is compared with the raw run next to it, and
# the median of the pairs' ratios is the figure (with the range of all of them).
layouts=(2)
[[ ${BOTH_LAYOUTS:-0} == 1 ]] && layouts=(2 1)
: > "$OUT/pairs.txt"
for pair in $(seq 1 "$PAIRS"); do
    for threads in "${layouts[@]}"; do
        echo "-- pair $pair: raw libzmq PUSH -> PULL (C), then testzone ingest --threads $threads <- PUSH (C), tcp loopback"
        raw=$(raw_run)
        read -r rate loss < <(ingest_run "$threads")
        ratio=$(awk -v a="$rate" -v b="$raw" 'BEGIN {printf "%.3f", a / b}')
        echo "   pair $pair: raw $raw frames/s, ingest $rate frames/s = ${ratio} x raw, loss $loss," \
            "load $(cut -d' ' -f1 /proc/loadavg)"
        echo "$threads $pair $raw $rate $ratio $loss" >> "$OUT/pairs.txt"
    done
done
for threads in "${layouts[@]}"; do
    awk -v t="$threads" '$1 == t' "$OUT/pairs.txt" | sort -k5 -g | awk -v t="$threads" '
        { ratio[NR] = $5; raw[NR] = $3; rate[NR] = $4; loss += $6 }
        END {
            m = (NR % 2) ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
            printf "== --threads %s, %d pairs: median %.2f x raw (range %.2f-%.2f), total loss %d\n", t, NR, m, ratio[1], ratio[NR], loss
        }'
done
echo "   (load $(cut -d' ' -f1-3 /proc/loadavg))"

echo "-- testzone replay --push --speed max (Swift sender) -> testzone ingest:"
db=$(fresh_store)
"$BIN" ingest --config "$OUT/zone.toml" --listen "$EP" --db "$db" --journal "$OUT/journal" \
    --status-interval 0 --log-level warning 2> "$OUT/ingest-replay.err" &
ingest=$!
"$BIN" replay "$OUT/demo.mcap" --push "$EP" --speed max --quiet 2>&1 | sed 's/^/   /'
sleep 1
kill -INT $ingest
wait $ingest
grep -E '^ingest done' "$OUT/ingest-replay.err" | sed 's/^/   /'
