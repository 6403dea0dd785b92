#!/usr/bin/env bash
# fuzz/afl.sh - build the same harnesses for AFL++ and, optionally, run one.
#
#   fuzz/afl.sh                 build build/afl/fuzz_<t> for every
#                               fuzz/fuzz_<t>.c
#   AFL_SECONDS=600 fuzz/afl.sh [TARGET]   build, then run TARGET (default
#                               json) under afl-fuzz for that long
#
# The build is `afl-clang-fast -fsanitize=fuzzer`: AFL++ (Debian's afl++
# 4.x) swaps libFuzzer for its own driver, /usr/lib/afl/libAFLDriver.a,
# which calls LLVMFuzzerTestOneInput in a persistent __AFL_LOOP with shared
# memory input. So the harness, the seeds (with their control bytes) and
# the dictionaries are exactly the libFuzzer ones. AFL_USE_ASAN/UBSAN add
# the sanitizers (turn them off with AFL_NO_SAN=1 for speed).
#
# By hand, after building (one core each; -M/-S for several):
#   AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
#     afl-fuzz -i fuzz/corpus/json -o build/afl/out-json \
#              -x fuzz/json.dict -t 5000 -- build/afl/fuzz_json
# Crashes land in build/afl/out-json/default/crashes/; replay one with
#   build/regress/cc_json FILE      (after `make test`), then keep it with
#   fuzz/minimize.sh json FILE NAME
set -eu
cd "$(dirname "$0")/.."
AFLCC=${AFLCC:-afl-clang-fast}
out=build/afl
if ! command -v "$AFLCC" >/dev/null 2>&1; then
    echo "fuzz/afl.sh: $AFLCC not found (apt-get install afl++)" >&2
    exit 2
fi
mkdir -p "$out"
san=1
[ "${AFL_NO_SAN:-0}" = 1 ] && san=
for f in fuzz/fuzz_*.c; do
    t=${f#fuzz/fuzz_}
    t=${t%.c}
    AFL_USE_ASAN=$san AFL_USE_UBSAN=$san AFL_QUIET=1 \
        "$AFLCC" -std=c99 -O2 -g -I. -fsanitize=fuzzer -DCERTSTREAM_NO_TLS= \
        -o "$out/fuzz_$t" "fuzz/fuzz_$t.c" -lm
    echo "built $out/fuzz_$t"
done
[ -n "${AFL_SECONDS:-}" ] || exit 0

t=${1:-json}
dict=()
[ -f "fuzz/$t.dict" ] && dict=(-x "fuzz/$t.dict")   # (merkle, state: none)
rm -rf "$out/out-$t"
# ASan needs no memory limit (-m none); -V ends the run after AFL_SECONDS.
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=0 \
    afl-fuzz -i "fuzz/corpus/$t" -o "$out/out-$t" "${dict[@]}" -m none \
    -t 5000 -V "$AFL_SECONDS" -- "$out/fuzz_$t" >"$out/$t.log" 2>&1 || true
stats=$out/out-$t/default/fuzzer_stats
if [ -f "$stats" ]; then
    grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes)' "$stats"
    grep -E '^(saved_hangs|bitmap_cvg)' "$stats"
fi
n=$(find "$out/out-$t/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
if [ "$n" -gt 0 ]; then
    echo "fuzz/afl.sh: $n crash(es):"
    find "$out/out-$t/default/crashes" -type f -name 'id:*' | sed 's/^/    /'
    exit 1
fi
