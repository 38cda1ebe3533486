#!/usr/bin/env bash
# ZeroMQ throughput, Swift wrapper vs libzmq from C, measured in one go:
#   1. Tools/bench/zmq_throughput.c (cc -O2): PUSH/PULL, COUNT x 60-byte messages, tcp loopback
#      and inproc, median of RUNS runs;
#   2. Benchmarks/ZeroMQBenchmarks (package-benchmark, release): the same through the wrapper
#      (1,000,000 messages per iteration), median (p50) of its iterations;
# then prints both figures and the ratio wrapper / C per transport (target: >= 0.90).
# Environment: COUNT (default 1000000, must match the benchmark's scaling factor), RUNS (5).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-5}
OUT=.build/bench
mkdir -p "$OUT"

# Any C compiler: cc, or the clang that ships with the Swift toolchain.
"${CC:-$(command -v cc || command -v clang)}" -O2 -pthread -o "$OUT/zmq_throughput" Tools/bench/zmq_throughput.c -lzmq

echo "== ZeroMQ PUSH/PULL throughput, ${COUNT} x 60 B per run"
echo "-- C reference (libzmq $(pkg-config --modversion libzmq 2>/dev/null || echo '?'), cc -O2):"
"$OUT/zmq_throughput" "$COUNT" 60 "$RUNS" | tee "$OUT/zeromq-c.txt"

echo "-- Swift wrapper (Benchmarks/ZeroMQBenchmarks):"
(cd Benchmarks && swift package --disable-sandbox benchmark --target ZeroMQBenchmarks --no-progress \
    --format influx --path stdout) > "$OUT/zeromq-swift.csv"

# Influx CSV rows: target,host,...,metric,unit,test,percentile,value,... ; wall clock p50 in ns
# per iteration of COUNT messages -> messages per second.
swift_rate() {
    awk -F, -v test="$1" -v count="$COUNT" '
        $7 == "Time (wall clock)" && $9 == test && $10 == "50.0" {
            unit = $8; value = $11
            scale = (unit == "ns") ? 1e-9 : (unit == "μs" || unit == "us") ? 1e-6 : (unit == "ms") ? 1e-3 : 1
            printf "%.0f", count / (value * scale); exit
        }' "$OUT/zeromq-swift.csv"
}

printf '\n%-8s %14s %14s %8s\n' transport "C msg/s" "Swift msg/s" ratio
for transport in tcp inproc; do
    c=$(awk -v t="$transport" '$1 == t { print $2 }' "$OUT/zeromq-c.txt")
    s=$(swift_rate "PUSH-PULL-60-B-$transport")
    if [[ -z $s ]]; then
        echo "zeromq.sh: no wall-clock p50 for PUSH-PULL 60 B $transport in $OUT/zeromq-swift.csv" >&2
        exit 1
    fi
    printf '%-8s %14s %14s %8s\n' "$transport" "$c" "$s" "$(awk -v s="$s" -v c="$c" 'BEGIN { printf "%.2f", s / c }')"
done
for transport in tcp inproc; do
    s=$(swift_rate "PUSH-PULL-topic+60-B+time-$transport")
    [[ -n $s ]] && printf '%-8s %14s %14s   (3 frames: topic, 60 B, time; wrapper only)\n' "$transport" "" "$s"
done
