#!/usr/bin/env bash
# `make run`: the main job on the bundled sample. `testzone ingest` listens on loopback with the
# demo zone, `testzone replay --push` sends the demo recording into it at full speed, the ingest
# is stopped cleanly (SIGINT) and `testzone metrics` prints the run. Output in out/demo/.
# --map: the road network (link and grid coverage) from the MAP frames of the demo recording.
# The demo recording is Replays/demo/demo.mcap with its zone.toml when present; otherwise a
# simulated test day (testzone simulate, deterministic for the seed) is generated into out/demo/.
# DEMO_HTTP=127.0.0.1:8080: the ingest also serves the operations console there (dashboard at
# http://127.0.0.1:8080/), the recording is replayed at DEMO_SPEED (default 10x real time) and the
# console stays up after the replay until Ctrl-C.
# DEMO_CURVE=1: CURVE on. Keys for the ingest server and one demo gateway are made in
# out/demo/keys (testzone keys generate), the gateway is listed in a copy of the zone
# ([[sources]], topics cv2x/ and jt808/), ingest runs with --curve-secret-key and the replay
# authenticates as the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/testzone}
ENDPOINT=${DEMO_ENDPOINT:-tcp://127.0.0.1:5599}
OUT=out/demo
SAMPLE=out/demo-sample   # the simulated sample, generated once and kept

"$BIN" --version
rm -rf "$OUT"
mkdir -p "$OUT"
RECORDING=Replays/demo/demo.mcap
ZONE=Replays/demo/zone.toml
if [[ ! -f $RECORDING || ! -f $ZONE ]]; then
    RECORDING=$SAMPLE/demo.mcap
    ZONE=$SAMPLE/zone.toml
    if [[ ! -f $RECORDING || ! -f $ZONE ]]; then
        mkdir -p "$SAMPLE"
        echo "demo: simulating a test morning (20 vehicles, 20 min, 16 RSUs, faults) into $RECORDING (once)"
        "$BIN" simulate --out "$RECORDING.tmp" --config-out "$ZONE" --truth "$SAMPLE/truth.json" --duration 1200 \
            --vehicles 20 --faults --seed 1
        mv "$RECORDING.tmp" "$RECORDING"
    fi
fi

CURVE_INGEST=()
CURVE_REPLAY=()
if [[ -n ${DEMO_CURVE:-} ]]; then
    KEYS=$OUT/keys
    "$BIN" keys generate ingest --dir "$KEYS" >/dev/null
    "$BIN" keys generate demo-gateway --dir "$KEYS" >/dev/null
    cp "$ZONE" "$OUT/zone-curve.toml"
    cat >> "$OUT/zone-curve.toml" <<TOML

[[sources]]
name = "demo-gateway"
public_key = "$("$BIN" keys show "$KEYS/demo-gateway.key")"
topics = ["cv2x/", "jt808/"]
TOML
    ZONE=$OUT/zone-curve.toml
    CURVE_INGEST=(--curve-secret-key "$KEYS/ingest.key_secret")
    CURVE_REPLAY=(--curve-secret-key "$KEYS/demo-gateway.key_secret" --curve-server-key "$KEYS/ingest.key")
    echo "demo: CURVE on (keys in $KEYS, source 'demo-gateway' listed in $ZONE)"
fi

HTTP_ARGS=()
SPEED=max
if [[ -n ${DEMO_HTTP:-} ]]; then
    HTTP_ARGS=(--http "$DEMO_HTTP")
    SPEED=${DEMO_SPEED:-10}
fi
echo "demo: testzone ingest --listen $ENDPOINT (journal $OUT/journal, database $OUT/zone.sqlite)"
"$BIN" ingest --config "$ZONE" --listen "$ENDPOINT" --db "$OUT/zone.sqlite" --journal "$OUT/journal" \
    --map "$RECORDING" --status-interval 2 --log-level notice "${HTTP_ARGS[@]}" "${CURVE_INGEST[@]}" &
ingest=$!
trap 'kill -INT $ingest 2>/dev/null || true' EXIT

[[ -n ${DEMO_HTTP:-} ]] && echo "demo: operations console at http://$DEMO_HTTP/ (open it in a browser)"
echo "demo: testzone replay $RECORDING --push $ENDPOINT --speed $SPEED"
"$BIN" replay "$RECORDING" --push "$ENDPOINT" --speed "$SPEED" --quiet "${CURVE_REPLAY[@]}"
sleep 1
if [[ -n ${DEMO_HTTP:-} ]]; then
    echo "demo: replay done; the console stays up at http://$DEMO_HTTP/ until Ctrl-C"
    stopped=0
    trap 'stopped=1' INT
    while [[ $stopped == 0 ]] && kill -0 $ingest 2>/dev/null; do sleep 1; done
    trap - INT
fi
echo "demo: stopping the ingest (SIGINT)"
kill -INT $ingest 2>/dev/null || true
wait $ingest
trap - EXIT

echo "demo: testzone metrics --db $OUT/zone.sqlite"
"$BIN" metrics --db "$OUT/zone.sqlite"
echo "demo: journal files:"
ls -l "$OUT/journal"
