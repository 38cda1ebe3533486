#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (a separate package, -sanitize=fuzzer,address) and runs
# each one, or the ones named, for FUZZ_SECONDS seconds (default 600).
#
#   Tools/fuzz.sh                      # every target under Fuzz/Targets/
#   Tools/fuzz.sh FuzzUPER             # one target
#   FUZZ_SECONDS=60 Tools/fuzz.sh      # shorter runs (CI); also: make fuzz FUZZ_SECONDS=60 FUZZ_TARGET=FuzzUPER
#
# Seeds are read from Fuzz/Corpus/<Target>/ (committed, small). New corpus units, crash artifacts
# and logs go to Fuzz/artifacts/<Target>/ (git-ignored). Prints the number of runs per target and
# exits non-zero if any target crashed (the reproducer's path is printed; rerun it with
# `Fuzz/.build/release/<Target> <file>`). FUZZ_ARGS adds libFuzzer options.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
if ((${#targets[@]} == 0)) && [[ -n "${FUZZ_TARGET:-}" ]]; then targets=($FUZZ_TARGET); fi
if ((${#targets[@]} == 0)); then
    for dir in Fuzz/Targets/*/; do targets+=("$(basename "$dir")"); done
fi
if ((${#targets[@]} == 0)); then
    echo "fuzz: no targets under Fuzz/Targets" >&2
    exit 1
fi

# Instrument every module (the decoders under test too), not only the target's own sources.
# (`swift build` honours only the last --product, so one build per target.)
# A target whose build fails is not run: its binary from an earlier build would fuzz old code.
failed=()
for target in "${targets[@]}"; do
    echo "fuzz: building $target"
    set +e
    swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address --product "$target" 2>&1 |
        grep -v "ld.gold: warning: Cannot export local symbol"
    built=${PIPESTATUS[0]}
    set -e
    if ((built != 0)); then failed+=("$target"); fi
done
bin="$(swift build --package-path Fuzz -c release --show-bin-path)"

status=0
for target in "${targets[@]}"; do
    if [[ ! -x "$bin/$target" || " ${failed[*]} " == *" $target "* ]]; then
        echo "fuzz: $target did not build" >&2
        status=1
        continue
    fi
    out="Fuzz/artifacts/$target"
    mkdir -p "$out/corpus" "Fuzz/Corpus/$target"
    echo "fuzz: running $target for ${seconds}s (seeds: Fuzz/Corpus/$target, output: $out)"
    set +e
    # The first corpus directory receives new units; the committed seeds are only read.
    "$bin/$target" "$out/corpus" "Fuzz/Corpus/$target" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/" ${FUZZ_ARGS:-} >"$out/fuzz.log" 2>&1
    code=$?
    set -e
    runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$out/fuzz.log" | grep -Eo '[0-9]+$' | tail -1 || true)"
    if [[ -z "$runs" ]]; then
        runs="$(grep -Eo '^#[0-9]+' "$out/fuzz.log" | tail -1 | tr -d '#' || true)"
    fi
    if ((code == 0)); then
        echo "fuzz: $target: ${runs:-0} runs in ${seconds}s, no crash"
    else
        echo "fuzz: $target: CRASH after ${runs:-?} runs (exit $code); log: $out/fuzz.log" >&2
        grep -E "ERROR|Fatal error|Test unit written to|panic|SUMMARY" "$out/fuzz.log" | head -20 >&2 || true
        status=1
    fi
done
exit "$status"
