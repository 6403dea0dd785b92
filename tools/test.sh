#!/usr/bin/env bash
# Runs the tests: unit and split-invariance tests, JSONTestSuite, the
# differential test against Python's json, fuzz regressions; then the same
# under ASan, UBSan and the portable (no SSE2) scanner; the C++ and
# freestanding builds; and a short fuzz run. Installs what it needs.
#   tools/test.sh [make targets...]   (default: all of the above)
# Ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
bash tools/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
targets=${*:-test asan ubsan nosimd cxx freestanding link symbols musl examples fuzz-smoke}
mkdir -p build
tp=0; tf=0; ts=0
for t in $targets; do
    echo "=== make $t"
    make --no-print-directory "$t" > "build/log-$t.txt" 2>&1
    rc=$?
    tail -n 40 "build/log-$t.txt"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "build/log-$t.txt" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
        f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
        s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
        tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + ${s:-0}))
    elif [ "$rc" -eq 0 ]; then
        tp=$((tp + 1))
    else
        echo "make $t FAILED (exit $rc); full log: build/log-$t.txt"
        tf=$((tf + 1))
    fi
done
echo
if [ "$ts" -gt 0 ]; then
    echo "$tp passed, $tf failed, $ts skipped"
else
    echo "$tp passed, $tf failed"
fi
[ "$tf" -eq 0 ]
