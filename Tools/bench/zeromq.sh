#!/usr/bin/env bash
# ZeroMQ throughput, Swift wrapper vs libzmq from C, measured in one go:
#   1. Tools/bench/zmq_throughput.c (C, -O2): PUSH/PULL, COUNT x 60-byte messages, tcp loopback
#      and inproc, RUNS runs per transport -- once before and once after step 2, so that both
#      sides sample the same period of machine load;
#   2. Benchmarks/ZeroMQBenchmarks (package-benchmark, release): the same through the wrapper,
#      1,000,000 messages per iteration, 10 iterations;
# then prints, per transport, median and best for both and the ratios wrapper / C
# (target: >= 0.90). On a shared machine the best-run ratio is the steadier figure.
# Environment: COUNT (default 1000000; the benchmark's scaling factor is fixed at 1,000,000),
# RUNS (default 5), CC (C compiler).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-5}
OUT=.build/bench
mkdir -p "$OUT"

# Any C compiler: cc, or the clang that ships with the Swift toolchain.
"${CC:-$(command -v cc || command -v clang)}" -O2 -pthread -o "$OUT/zmq_throughput" Tools/bench/zmq_throughput.c -lzmq

echo "== ZeroMQ PUSH/PULL throughput, ${COUNT} x 60 B per run ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "-- C reference (libzmq $(pkg-config --modversion libzmq 2>/dev/null || echo '?')), before:"
"$OUT/zmq_throughput" "$COUNT" 60 "$RUNS" | tee "$OUT/zeromq-c.txt"

echo "-- Swift wrapper (Benchmarks/ZeroMQBenchmarks; package-benchmark influx CSV in $OUT/zeromq-swift.csv)"
(cd Benchmarks && swift package --disable-sandbox benchmark --target ZeroMQBenchmarks --no-progress \
    --format influx --path stdout) > "$OUT/zeromq-swift.csv" 2> "$OUT/zeromq-swift.log" || {
    tail -30 "$OUT/zeromq-swift.log" >&2
    exit 1
}

echo "-- C reference, after:"
"$OUT/zmq_throughput" "$COUNT" 60 "$RUNS" | tee -a "$OUT/zeromq-c.txt"

# C: all runs of both invocations -> "median best".
c_rates() {
    awk -v t="$1" '$1 == t { for (i = 1; i <= NF; i++) if ($i == "runs:") for (j = i + 1; j <= NF; j++) print $j }' \
        "$OUT/zeromq-c.txt" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.0f %.0f", v[int((NR + 1) / 2)], v[NR] }'
}

# Swift: influx CSV rows target,host,arch,cores,memory,kernel,metric,unit,test,percentile,value,...
# Wall clock is in nanoseconds per iteration of 1,000,000 messages; p50 -> median, p0 -> best.
swift_rates() {
    awk -F, -v test="$1" '
        $7 == "Time(wallclock)" && $9 == test && $10 == "50.0" { median = 1e6 / ($11 * 1e-9) }
        $7 == "Time(wallclock)" && $9 == test && $10 == "0.0" { best = 1e6 / ($11 * 1e-9) }
        END { if (median && best) printf "%.0f %.0f", median, best }
    ' "$OUT/zeromq-swift.csv"
}

printf '\n%-8s %12s %12s %12s %12s %8s %8s\n' transport "C median" "Swift median" "C best" "Swift best" \
    "ratio" "(best)"
for transport in tcp inproc; do
    read -r c_median c_best <<< "$(c_rates "$transport")"
    read -r s_median s_best <<< "$(swift_rates "PUSH-PULL 60 B $transport")"
    if [[ -z ${s_median:-} || -z ${c_median:-} ]]; then
        echo "zeromq.sh: missing figures for $transport (see $OUT/zeromq-c.txt, $OUT/zeromq-swift.csv)" >&2
        exit 1
    fi
    printf '%-8s %12s %12s %12s %12s %8s %8s\n' "$transport" "$c_median" "$s_median" "$c_best" "$s_best" \
        "$(awk -v s="$s_median" -v c="$c_median" 'BEGIN { printf "%.2f", s / c }')" \
        "$(awk -v s="$s_best" -v c="$c_best" 'BEGIN { printf "%.2f", s / c }')"
done
echo "Wrapper only, TestZone's 3-frame message (topic, 60 B payload, 8 B time) into a reused MultipartMessage:"
for transport in tcp inproc; do
    read -r s_median s_best <<< "$(swift_rates "PUSH-PULL topic+60 B+time $transport")"
    printf '%-8s median %s best %s msg/s\n' "$transport" "${s_median:-?}" "${s_best:-?}"
done
