#!/usr/bin/env bash
# `make run`: the main job on the bundled sample.
# Today: a publisher on loopback (Tools/demo/feed_publisher.c, a stand-in gateway sending
# TestZone-shaped cv2x/... and jt808/... messages) feeds `testzone tap` for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/testzone}
SECONDS_TO_RUN=${DEMO_SECONDS:-4}
ENDPOINT=${DEMO_ENDPOINT:-tcp://127.0.0.1:5599}

"$BIN" --version

mkdir -p .build/demo
PUBLISHER=.build/demo/feed_publisher
if [[ ! -x $PUBLISHER || Tools/demo/feed_publisher.c -nt $PUBLISHER ]]; then
    # Any C compiler: cc, or the clang that ships with the Swift toolchain.
    "${CC:-$(command -v cc || command -v clang)}" -O2 -o "$PUBLISHER" Tools/demo/feed_publisher.c -lzmq
fi

echo "demo: feed_publisher on $ENDPOINT -> testzone tap, ${SECONDS_TO_RUN} s"
"$PUBLISHER" "$ENDPOINT" $((SECONDS_TO_RUN + 5)) &
publisher=$!
trap 'kill $publisher 2>/dev/null || true' EXIT
"$BIN" tap --duration "$SECONDS_TO_RUN" "$ENDPOINT"
echo "demo: only C-V2X, per roadside unit (--topic cv2x/ --by-topic), 2 s:"
"$BIN" tap --duration 2 --topic cv2x/ --by-topic "$ENDPOINT"
echo "demo: the same feed as JSON lines (--json), 2 s:"
"$BIN" tap --duration 2 --json "$ENDPOINT"
wait $publisher 2>/dev/null || true
trap - EXIT
