#!/usr/bin/env bash
# Runs the tests: unit and split-invariance tests, JSONTestSuite, the
# differential test against Python's json, fuzz regressions; then the same
# under ASan, UBSan and the portable (no SSE2) scanner; the C++ and
# freestanding builds; the switch matrix, the static musl and Cortex-M4
# firmware builds; and a short fuzz run. Installs what it needs.
#   tools/test.sh [make targets...]   (default: all of the above)
# Ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
bash tools/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
export MUSL_STATIC_SUITE=1   # make musl-static also runs the TLS suite
export SOAK_SECONDS=${SOAK_SECONDS:-20}  # `make soak` runs 300
export FUZZ_SECONDS=${FUZZ_SECONDS:-8}   # per target, by its share; `make fuzz`: 60
targets=${*:-test asan ubsan nosimd cxx freestanding link symbols matrix musl musl-static firmware examples fuzz-smoke}
mkdir -p build
. tests/summary.sh
for t in $targets; do
    echo "=== make $t"
    make -j"$(nproc 2>/dev/null || echo 2)" --no-print-directory "$t" > "build/log-$t.txt" 2>&1
    rc=$?
    tail -n 40 "build/log-$t.txt"
    if sum_add "build/log-$t.txt" "$rc"; then
        :
    elif [ "$rc" -eq 0 ]; then
        tp=$((tp + 1))   # a build-and-check target: one step passed
    else
        echo "make $t FAILED (exit $rc); full log: build/log-$t.txt"
        tf=$((tf + 1))
    fi
done
sum_print
