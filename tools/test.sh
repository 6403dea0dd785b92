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
targets=${*:-test sanitize nosimd cxx freestanding link symbols matrix musl musl-static firmware examples fuzz-smoke}
# The build-only targets (no timers, no sockets) run beside the others at a
# lower priority, on what the test runs leave idle; CI_SERIAL=1 runs all in
# order. firmware first: it may apt-get, as musl-static does later.
side="firmware cxx freestanding link symbols matrix musl"
[ "${CI_SERIAL:-0}" = 1 ] && side=""
mkdir -p build
. tests/summary.sh
times=""
jobs=$(nproc 2>/dev/null || echo 2)
is_side() { case " $side " in *" $1 "*) return 0 ;; esac; return 1; }
# make_one TARGET: its log, exit status and seconds in build/
make_one() {
    local t0=$SECONDS
    ${prio:-} make -j"$jobs" --no-print-directory "$1" > "build/log-$1.txt" 2>&1
    echo $? > "build/rc-$1.txt"
    echo $((SECONDS - t0)) > "build/s-$1.txt"
}
# report TARGET: its tail, time and summary, into the totals
report() {
    local t=$1 rc s
    rc=$(cat "build/rc-$t.txt")
    s=$(cat "build/s-$t.txt")
    echo "=== make $t"
    tail -n 40 "build/log-$t.txt"
    echo "=== make $t: $s s"
    times="$times $t ${s}s"
    if sum_add "build/log-$t.txt" "$rc"; then
        :
    elif [ "$rc" -eq 0 ]; then
        tp=$((tp + 1))   # a build-and-check target: one step passed
    else
        echo "make $t FAILED (exit $rc); full log: build/log-$t.txt"
        tf=$((tf + 1))
    fi
    rm -f "build/rc-$t.txt" "build/s-$t.txt"
}
rm -f build/rc-*.txt build/s-*.txt
sides=""
for t in $side; do
    case " $targets " in *" $t "*) sides="$sides $t" ;; esac
done
if [ -n "$sides" ]; then
    ( prio="nice -n 10"; for t in $sides; do make_one "$t"; done ) &
fi
# the side targets that are done, as they come
report_sides() {
    local t
    for t in $sides; do
        [ -e "build/rc-$t.txt" ] || continue
        report "$t"
        sides=${sides/ $t/}
    done
}
for t in $targets; do
    is_side "$t" && continue
    make_one "$t"
    report "$t"
    report_sides
done
wait
report_sides
echo
echo "time per target (s):$times; total $SECONDS s"
sum_print
