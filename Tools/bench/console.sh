#!/usr/bin/env bash
# Operations console (issue 15), release build, loopback only:
#   1. event latency: testzone simulate --publish (PUSH, real time) of VEHICLES vehicles with
#      10 Hz BSMs and 1 Hz JT/T 808 (automation hazards scaled up so events are frequent) into
#      testzone ingest --http; Tools/bench/console_sse.py reads the SSE stream and measures, per
#      event, arrival of its frame at the PULL socket (the event's receivedMicros) -> SSE delivery;
#   2. GET /api/v1/vehicles requests/s with those vehicles live (wrk, 2 threads, 8 connections);
#   3. ingest throughput with --http and 10 SSE clients vs without, same frames, alternating runs
#      (Tools/bench/ingest_feed.c pushing the demo mix for RUN seconds), RUNS pairs: median, spread.
# Environment: BIN (a testzone binary; default: the release build), VEHICLES (500), LATENCY_SECONDS (60), RUN (10), RUNS (3), PORT (5681), HTTP_PORT (8181).
set -euo pipefail
cd "$(dirname "$0")/../.."
VEHICLES=${VEHICLES:-500}
LATENCY_SECONDS=${LATENCY_SECONDS:-60}
RUN=${RUN:-10}
RUNS=${RUNS:-3}
PORT=${PORT:-5681}
HTTP_PORT=${HTTP_PORT:-8181}
OUT=.build/bench/console
PYTHON=${TESTZONE_PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
mkdir -p "$OUT"
if [[ -z ${BIN:-} ]]; then
    swift build -c release --product testzone >/dev/null
    BIN=.build/release/testzone
fi
EP=tcp://127.0.0.1:$PORT
URL=http://127.0.0.1:$HTTP_PORT

echo "== operations console ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"

# 1 + 2: latency and wrk at VEHICLES vehicles.
rm -rf "$OUT/journal" "$OUT/zone.sqlite"* "$OUT/big.mcap"
"$BIN" simulate --out "$OUT/big.mcap" --config-out "$OUT/big-zone.toml" --duration 10 --vehicles "$VEHICLES" \
    --seed 3 >/dev/null 2>&1   # the zone file of the run (same seed and size as the live feed)
"$BIN" ingest --config "$OUT/big-zone.toml" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
    --http "127.0.0.1:$HTTP_PORT" --status-interval 10 --log-level warning 2> "$OUT/ingest-latency.err" &
ingest=$!
trap 'kill -INT $ingest 2>/dev/null || true' EXIT
sleep 1
"$BIN" simulate --publish "$EP" --socket push --speed 1 --duration $((LATENCY_SECONDS + 15)) \
    --vehicles "$VEHICLES" --bsm-rate 10 --seed 3 --hazard-scale 20 > "$OUT/simulate.out" 2>&1 &
feeder=$!
sleep 5
echo "-- event latency, PULL arrival -> SSE delivery, $VEHICLES vehicles x 10 Hz BSM + 1 Hz JT/T 808, ${LATENCY_SECONDS} s:"
"$PYTHON" Tools/bench/console_sse.py "$HTTP_PORT" "$LATENCY_SECONDS" 1 "$OUT/latency.json" | sed 's/^/   /'
echo "-- GET /api/v1/vehicles ($VEHICLES vehicles live), wrk -t2 -c8 -d10s:"
wrk -t2 -c8 -d10s "$URL/api/v1/vehicles" | sed 's/^/   /'
grep -E '^ingest ' "$OUT/ingest-latency.err" | tail -2 | sed 's/^/   /'
wait $feeder || true
kill -INT $ingest
wait $ingest || true
trap - EXIT

# 3: throughput with and without the console.
"${CC:-$(command -v cc || command -v clang)}" -O2 -o "$OUT/ingest_feed" Tools/bench/ingest_feed.c -lzmq
if [[ ! -f $OUT/demo.frames ]]; then
    "$BIN" simulate --out "$OUT/demo.mcap" --config-out "$OUT/zone.toml" --duration 600 --vehicles 20 --faults --seed 1
    "$PYTHON" Tools/bench/ingest_frames.py "$OUT/demo.mcap" "$OUT/demo.frames"
fi
one_run() { # $1 = with|without; prints frames/s
    rm -rf "$OUT/journal" "$OUT/zone.sqlite"*
    local args=() clients=
    [[ $1 == with ]] && args=(--http "127.0.0.1:$HTTP_PORT")
    "$BIN" ingest --config "$OUT/zone.toml" --listen "$EP" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
        --status-interval 0 --log-level warning "${args[@]}" 2> "$OUT/ingest-$1.err" &
    local pid=$!
    sleep 1
    if [[ $1 == with ]]; then
        "$PYTHON" Tools/bench/console_sse.py "$HTTP_PORT" $((RUN + 3)) 10 "$OUT/clients.json" > /dev/null &
        clients=$!
        sleep 0.5
    fi
    "$OUT/ingest_feed" push "$EP" "$OUT/demo.frames" "$RUN" > "$OUT/push-$1.txt"
    sleep 1
    kill -INT $pid
    wait $pid
    [[ -n $clients ]] && wait $clients
    sed -E 's/.*all delivered after [0-9.]+ s: ([0-9]+) frames.*/\1/' "$OUT/push-$1.txt"
}
echo "-- ingest throughput, demo mix, ${RUN} s per run, $RUNS alternating pairs (with: --http + 10 SSE clients):"
with=() without=()
for i in $(seq "$RUNS"); do
    without+=("$(one_run without)")
    with+=("$(one_run with)")
    echo "   pair $i: without ${without[-1]} frames/s, with ${with[-1]} frames/s (load $(cut -d' ' -f1 /proc/loadavg))"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
MW=$(median "${with[@]}")
MO=$(median "${without[@]}")
echo "   median without $MO, with $MW frames/s: ratio $(awk -v a="$MW" -v b="$MO" 'BEGIN {printf "%.3f", a / b}')"
echo "   pairwise ratios: $(for i in "${!with[@]}"; do awk -v a="${with[$i]}" -v b="${without[$i]}" 'BEGIN {printf "%.3f ", a / b}'; done)"
