#!/usr/bin/env bash
# Soak benchmark of `testzone ingest` (issue 16): a simulated month of test days pushed at full
# speed through one ingest session, one day after the other. Per simulated day it prints the
# duration p50/p99 of the commits that wrote rows ("busy", while the day's frames arrive) and
# their rows, the p50 of the commits that wrote nothing ("idle", while the next day is being
# simulated), from the ingest's per-commit debug log, and the ingest's RSS at the end of the day. At the end the session's database is compared with
# `testzone replay --db` of its journal (every derived table, row for row).
#
#   Tools/bench/soak.sh                        # defaults below (release build)
#   DAYS=30 VEHICLES=100 HOURS=8 Tools/bench/soak.sh   # the issue's month (needs hours and ~1 TB)
#
# Every day is the same simulated drive (same seed) started on the next calendar day at 09:00
# Asia/Shanghai, so each day adds the same amount of data and the run grows linearly: what the
# benchmark shows is whether commit cost and memory grow with the run's length.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/testzone}
DAYS=${DAYS:-30}
VEHICLES=${VEHICLES:-10}
HOURS=${HOURS:-1}
COMMIT=${COMMIT:-0.1}
PORT=${PORT:-5617}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/testzone-soak.XXXXXX")}
ENDPOINT=tcp://127.0.0.1:$PORT
KEEP=${KEEP:-0}
SIM_ARGS=${SIM_ARGS:-}   # more `testzone simulate` options, e.g. "--columns 2 --rows 2"
mkdir -p "$OUT"
cleanup() {
    [[ -n ${ingest:-} ]] && kill -INT "$ingest" 2>/dev/null || true
    [[ $KEEP == 1 ]] || rm -rf "$OUT"
}
trap cleanup EXIT

echo "soak: $DAYS days x $VEHICLES vehicles x $HOURS h, commit every $COMMIT s; $BIN; load: $(cut -d' ' -f1-3 /proc/loadavg)"
seconds=$(python3 -c "print(int($HOURS * 3600))")
# shellcheck disable=SC2086
"$BIN" simulate --out "$OUT/day.mcap" --config-out "$OUT/zone.toml" --duration "$seconds" --vehicles "$VEHICLES" \
    --seed 7 --start 2026-11-01T09:00:00+08:00 $SIM_ARGS 2>"$OUT/simulate.log"
"$BIN" ingest --config "$OUT/zone.toml" --listen "$ENDPOINT" --db "$OUT/soak.sqlite" --journal "$OUT/journal" \
    --map "$OUT/day.mcap" --commit-interval "$COMMIT" --status-interval 3600 --log-level debug 2>"$OUT/ingest.log" &
ingest=$!
sleep 1
frames_of() { grep -o '[0-9]* frames' "$1" | head -1 | cut -d' ' -f1; }
printf '%4s %10s %14s %14s %12s %14s %10s\n' day frames "busy p50" "busy p99" "rows/busy" "idle p50" "RSS MB"
lines=0
want=0
for day in $(seq 1 "$DAYS"); do
    # The same drive (same seed) on the next calendar day.
    if [[ $day -gt 1 ]]; then
        start=$(python3 -c "import datetime;print((datetime.datetime(2026,11,1,9)+datetime.timedelta(days=$day-1)).strftime('%Y-%m-%dT%H:%M:%S+08:00'))")
        # shellcheck disable=SC2086
        "$BIN" simulate --out "$OUT/day.mcap" --duration "$seconds" --vehicles "$VEHICLES" --seed 7 \
            --start "$start" $SIM_ARGS 2>"$OUT/simulate.log"
    fi
    "$BIN" replay "$OUT/day.mcap" --push "$ENDPOINT" --speed max --quiet 2>>"$OUT/replay.log"
    want=$((want + $(frames_of "$OUT/simulate.log")))
    for _ in $(seq 1 600); do
        got=$(python3 -c "
import sqlite3
try:
    print(sqlite3.connect('file:$OUT/soak.sqlite?mode=ro', uri=True).execute(\"SELECT MAX(frames) FROM runs WHERE kind='live'\").fetchone()[0] or 0)
except Exception:
    print(0)")
        [[ $got -ge $want ]] && break
        sleep 0.5
    done
    sleep 1
    rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$ingest/status")
    total=$(wc -l <"$OUT/ingest.log")
    python3 - "$OUT/ingest.log" "$lines" "$total" "$day" "$got" "$rss" <<'EOF'
import re, sys
path, first, last, day, frames, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
busy, idle, rows = [], [], []
with open(path, errors="replace") as f:
    for number, line in enumerate(f):
        if first <= number < last and line.rstrip().endswith(" commit"):
            m = re.search(r"ms=([0-9.]+)", line)
            r = re.search(r"rows=([0-9]+)", line)
            if not m or not r:
                continue
            if int(r.group(1)) > 0:
                busy.append(float(m.group(1)))
                rows.append(int(r.group(1)))
            else:
                idle.append(float(m.group(1)))
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else float("nan")
with open(path.rsplit("/", 1)[0] + "/days.tsv", "a") as table:
    table.write(f"{day}\t{pct(busy, 0.99)}\t{rss}\n")
print(f"{day:>4} {frames:>10} {pct(busy, 0.5):>11.2f} ms {pct(busy, 0.99):>11.2f} ms "
      f"{(sum(rows) / len(rows) if rows else 0):>12.1f} {pct(idle, 0.5):>11.2f} ms {rss:>10}  "
      f"({len(busy)} busy, {len(idle)} idle commits)")
EOF
    lines=$total
done
kill -INT "$ingest"
wait "$ingest" || true
ingest=
python3 - "$OUT/days.tsv" <<'EOF'
import sys
days = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
first, last = days[0], days[-1]
ratio = float(last[1]) / float(first[1])
print(f"soak: busy commit p99 day {first[0]} {float(first[1]):.2f} ms, day {last[0]} {float(last[1]):.2f} ms: "
      f"{ratio:.2f}x (issue 16: within 1.5x)")
if len(days) > 2:
    rss = [float(d[2]) for d in days[1:]]
    print(f"soak: RSS from day 2 to day {last[0]}: {min(rss):.1f} to {max(rss):.1f} MB "
          f"(day 2 {rss[0]:.1f} MB, day {last[0]} {rss[-1]:.1f} MB)")
EOF
echo "soak: replaying the journal into a fresh database"
"$BIN" replay "$OUT"/journal/*.mcap --db "$OUT/replay.sqlite" --config "$OUT/zone.toml" --quiet 2>>"$OUT/replay.log"
python3 - "$OUT/soak.sqlite" "$OUT/replay.sqlite" <<'EOF'
import sqlite3, sys
tables = ["vehicle_runs", "vehicle_daily", "mode_segments", "events", "link_coverage", "grid_coverage",
          "v2x_reception", "data_health", "rejected_reasons", "sequence_health", "unattributed"]
def rows(path, table):
    db = sqlite3.connect(path)
    cursor = db.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cursor.description]
    keep = [i for i, n in enumerate(names) if n not in ("run_id", "id")]
    return sorted(tuple(r[i] for i in keep) for r in cursor)
bad = [t for t in tables if rows(sys.argv[1], t) != rows(sys.argv[2], t)]
print("soak: live database equals the replay of its journal (11 derived tables, row for row)" if not bad
      else f"soak: DIFFERENT tables: {bad}")
sys.exit(1 if bad else 0)
EOF
"$BIN" metrics --db "$OUT/soak.sqlite" --json >"$OUT/live-metrics.json"
"$BIN" metrics --db "$OUT/replay.sqlite" --json >"$OUT/replay-metrics.json"
if cmp -s "$OUT/live-metrics.json" "$OUT/replay-metrics.json"; then
    echo "soak: testzone metrics --json of the live database equals that of the replay"
else
    echo "soak: testzone metrics --json DIFFERS between the live database and the replay"
    exit 1
fi
