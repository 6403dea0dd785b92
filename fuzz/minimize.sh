#!/usr/bin/env bash
# fuzz/minimize.sh - shrink a crasher and keep it as a regression input.
#
#   fuzz/minimize.sh TARGET CRASH-FILE NAME [RUNS]
#
# Runs the libFuzzer build (build/fuzz/fuzz_TARGET, made by fuzz/run.sh)
# with -minimize_crash=1 for RUNS attempts (default 20000), which keeps
# any smaller input that still crashes (an abort() from a mismatch counts).
# Then replays the result once to show the failure and copies it to
# tests/regress/TARGET/NAME. Use a NAME that says what breaks, e.g.
# split-inside-surrogate-pair or seen-rounding-halfway. `make test` replays
# it from then on (tests/test_regress.sh); regress files are never deleted.
# (After simdjson's fuzz/minimize_and_cleanse.sh.)
set -u
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
t=$1 crash=$2 name=$3 runs=${4:-20000}
bin=${FUZZ_BIN:-build/fuzz/fuzz_$t}   # FUZZ_BIN: another build
dest=tests/regress/$t/$name
[ -x "$bin" ] || bash fuzz/run.sh build || exit 2
[ -f "$crash" ] || { echo "no such file: $crash" >&2; exit 2; }
crash=$(cd "$(dirname "$crash")" && pwd)/$(basename "$crash")
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -e "$dest" ] && { echo "$dest exists; pick another name" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minimize.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if "$bin" "$crash" >"$tmp/first.log" 2>&1; then
    echo "$crash does not crash $bin; nothing to minimize" >&2
    exit 1
fi
( cd "$tmp" && "$bin" -minimize_crash=1 -runs="$runs" \
    -exact_artifact_path="$tmp/min" "$crash" >"$tmp/min.log" 2>&1 )
if [ ! -s "$tmp/min" ] || "$bin" "$tmp/min" >/dev/null 2>&1; then
    echo "minimizing found nothing smaller; keeping the original"
    cp "$crash" "$tmp/min"
fi
mkdir -p "tests/regress/$t"
cp "$tmp/min" "$dest"
echo "kept $dest ($(wc -c <"$dest") bytes, was $(wc -c <"$crash")):"
"$bin" "$dest" 2>&1 | grep -E 'fuzz_|ERROR|runtime error|SUMMARY' |
    head -n 5 | sed 's/^/    /'
echo "hex:"
xxd "$dest" | head -n 8 | sed 's/^/    /'
