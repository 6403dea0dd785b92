#!/usr/bin/env bash
# bench/profile.sh - where certstream.h spends its instructions.
#
#   bash bench/profile.sh [KIND...]        KIND: full lite domains (default all)
#
# Runs bench_cs once under callgrind (--dump-instr=yes, collection only
# around the parse loop) on the first BENCH_CG_MB (20) MB of each corpus
# made by `make bench`, then prints per message and per byte:
#   1. instructions by source region of certstream.h: every function, and
#      every label of the structural loop in cs_json_feed (feed:value,
#      feed:key, ...), counted where the code is written, so inlined
#      helpers (cs__scan_str, cs__dom_add, ...) keep their own rows;
#   2. the hottest source lines.
# With BENCH_BRANCH=1 it also simulates branches (--branch-sim=yes) and
# lists the lines with the most mispredicted branches (valgrind's simple
# predictor: a pessimistic but useful pointer; perf counters are not
# available on this VM). BENCH_HEADER profiles another copy of the header.
# Outputs stay in $B/bench/profile/ for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-cc}
PY=${PY:-/usr/bin/python3}
OUT=${B:-build}/bench/profile
HEADER=${BENCH_HEADER:-certstream.h}
CG_MB=${BENCH_CG_MB:-20}
KINDS=${*:-full lite domains}

command -v valgrind >/dev/null ||
    { echo "profile: valgrind missing" >&2; exit 1; }
[ -f /usr/include/valgrind/callgrind.h ] ||
    { echo "profile: valgrind/callgrind.h missing" >&2; exit 1; }
mkdir -p "$OUT"
cp "$HEADER" "$OUT/certstream.h"
sed 's|#include "../certstream.h"|#include "certstream.h"|' bench/bench_cs.c \
    > "$OUT/bench_cs.c"
$CC -std=c99 -O2 -g -DBENCH_HAVE_CALLGRIND -Ibench -o "$OUT/bench_cs" \
    "$OUT/bench_cs.c"

for kind in $KINDS; do
    f=$(ls -S bench/corpus/"$kind"-*.ndjson 2>/dev/null | head -1 || true)
    if [ -z "$f" ]; then
        echo "profile: no $kind corpus in bench/corpus (run make bench)" >&2
        exit 1
    fi
    extra=()
    [ -n "${BENCH_BRANCH:-}" ] && extra=(--branch-sim=yes)
    valgrind --tool=callgrind --collect-atstart=no --dump-instr=yes \
        ${extra[@]+"${extra[@]}"} \
        --callgrind-out-file="$OUT/$kind.callgrind" \
        "$OUT/bench_cs" "$f" -m callgrind -l $((CG_MB * 1000000)) \
        > "$OUT/$kind.out" 2> "$OUT/$kind.err"
    ev=Ir
    [ -n "${BENCH_BRANCH:-}" ] && ev=Ir,Bcm,Bim
    callgrind_annotate --auto=yes --show-percs=no --show=$ev \
        --include="$PWD/$OUT" "$OUT/$kind.callgrind" \
        > "$OUT/$kind.annotated" 2>/dev/null
    echo
    echo "== $kind: $f"
    "$PY" bench/lineprof.py "$OUT/$kind.annotated" "$OUT/certstream.h" \
        "$OUT/$kind.out"
done
