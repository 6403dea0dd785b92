#!/usr/bin/env bash
# bench/run.sh - `make bench`: certstream.h against simdjson On-Demand, yajl
# and a memchr('\n') reference, each doing the same CertStream extraction
# (message_type, all_domains / data[], cert_index, seen, source.url/name,
# timestamp) on every message of a corpus held in memory. One more
# certstream.h row, ws+json (bench/bench_ws.c), first encodes the corpus as
# server websocket frames (some fragmented, a ping every 100 messages) and
# then decodes that stream in BENCH_CHUNK-byte reads with cs_ws_feed()
# (frames + UTF-8 validation) before extracting: the report gives its
# speed as a share of the json-only rows (the bar: >= 85 %).
#
# Method (the project's research notes, json-notes.md): every peer loads the
# corpus, splits it at '\n', parses each message separately, runs one
# untimed check pass and PASSES timed passes; the peers run in ROUNDS
# interleaved rounds (the order rotates each round), and the table shows
# the median and best pass. Every peer must print the same CHECK line, or
# the run fails. Then callgrind counts instructions per byte on the first
# BENCH_CG_MB of each corpus, only around the parse loop (load-independent).
#
# Environment (defaults in brackets):
#   BENCH_MB_FULL [100] BENCH_MB_LITE [50] BENCH_MB_DOMAINS [25]  corpus MB
#   BENCH_SEED [1]  BENCH_ROUNDS [5]  BENCH_PASSES [3]
#   BENCH_CG_MB [20] (0: skip callgrind)   BENCH_CHUNK [4096]
#   BENCH_CORPORA ["full lite domains"]    BENCH_CPU [unset: no pinning]
#   BENCH_HEADER [certstream.h]  the header under test (e.g. a patched copy)
#   BENCH_CT_E2E [1]: the direct mode e2e rows (bench/e2e_ct.py)
#   CC [cc]  CXX [c++]  B [build]  results go to $B/bench/
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-cc}
CXX=${CXX:-c++}
PY=${PY:-/usr/bin/python3}
OUT=${B:-build}/bench
CORPUS_DIR=bench/corpus
SEED=${BENCH_SEED:-1}
ROUNDS=${BENCH_ROUNDS:-5}
PASSES=${BENCH_PASSES:-3}
CG_MB=${BENCH_CG_MB:-20}
CHUNK=${BENCH_CHUNK:-4096}
CORPORA=${BENCH_CORPORA:-full lite domains}
HEADER=${BENCH_HEADER:-certstream.h}
OPT="-O2 -g"        # plain -O2, x86-64 baseline: no -march, as the notes
WARN="-Wall -Wextra"

mkdir -p "$OUT" "$CORPUS_DIR"
rm -rf "$OUT/results"
mkdir -p "$OUT/results"

pin=()
if [ -n "${BENCH_CPU:-}" ] && command -v taskset >/dev/null; then
    pin=(taskset -c "$BENCH_CPU")
fi

# ---- build -----------------------------------------------------------------
# The header under test is copied next to a private bench_cs.c so that
# BENCH_HEADER can point at an experimental copy without editing sources.
echo "== build ($CC / $CXX, $OPT, no -march)"
# The peers use only the core (extractor, frame decoder): the TLS layer
# and its library stay out of the build.
core="-DCERTSTREAM_NO_TLS"
cg_def=""
if [ -f /usr/include/valgrind/callgrind.h ]; then
    cg_def="-DBENCH_HAVE_CALLGRIND"
fi
mkdir -p "$OUT/src"
cp "$HEADER" "$OUT/src/certstream.h"
sed 's|#include "../certstream.h"|#include "certstream.h"|' bench/bench_cs.c \
    > "$OUT/src/bench_cs.c"
$CC -std=c99 $OPT $WARN $cg_def $core -Ibench -o "$OUT/bench_cs" \
    "$OUT/src/bench_cs.c"
sed 's|#include "../certstream.h"|#include "certstream.h"|' bench/bench_ws.c \
    > "$OUT/src/bench_ws.c"
$CC -std=c99 $OPT $WARN $cg_def $core -Ibench -o "$OUT/bench_ws" \
    "$OUT/src/bench_ws.c"
$CC -std=c99 $OPT $WARN $cg_def -o "$OUT/bench_memchr" bench/bench_memchr.c
peers=(cs cs_chunk cs_ws)
skipped=()
if echo '#include <simdjson.h>' \
       | $CXX -x c++ -std=c++17 -fsyntax-only - 2>/dev/null \
   && $CXX -std=c++17 $OPT $WARN $cg_def -o "$OUT/bench_simdjson" \
          bench/bench_simdjson.cpp -lsimdjson 2>"$OUT/simdjson.build.log"; then
    peers+=(simdjson)
else
    why="libsimdjson-dev missing? see $OUT/simdjson.build.log"
    skipped+=("simdjson: not built ($why)")
fi
if echo '#include <yajl/yajl_parse.h>' | $CC -x c -fsyntax-only - 2>/dev/null \
   && $CC -std=c99 $OPT $WARN $cg_def -o "$OUT/bench_yajl" bench/bench_yajl.c \
          -lyajl 2>"$OUT/yajl.build.log"; then
    peers+=(yajl)
else
    why="libyajl-dev missing? see $OUT/yajl.build.log"
    skipped+=("yajl: not built ($why)")
fi
peers+=(memchr)
for s in ${skipped[@]+"${skipped[@]}"}; do echo "   SKIPPED $s"; done

# peer -> command (without the corpus argument)
cmd() {
    case $1 in
    cs)       echo "$OUT/bench_cs" ;;
    cs_chunk) echo "$OUT/bench_cs -c $CHUNK" ;;
    cs_ws)    echo "$OUT/bench_ws -c $CHUNK" ;;
    simdjson) echo "$OUT/bench_simdjson" ;;
    yajl)     echo "$OUT/bench_yajl" ;;
    memchr)   echo "$OUT/bench_memchr" ;;
    esac
}

# ---- corpora ---------------------------------------------------------------
gen=tests/gen_feed.py
if [ ! -f "$gen" ]; then
    echo "bench: $gen (the corpus generator) is missing" >&2
    exit 1
fi
# The cache key names the generator's content: a changed generator gives
# new corpora, and the stale ones of the same kind are removed.
gen_id="$(basename "$gen" .py)-$(sha1sum "$gen" | cut -c1-8)"

corpus_file() {
    local kind=$1 mb
    case $kind in
    full) mb=${BENCH_MB_FULL:-100} ;;
    lite) mb=${BENCH_MB_LITE:-50} ;;
    domains) mb=${BENCH_MB_DOMAINS:-25} ;;
    esac
    local f="$CORPUS_DIR/$kind-${mb}MB-s$SEED-$gen_id.ndjson"
    if [ ! -s "$f" ]; then
        find "$CORPUS_DIR" -maxdepth 1 -name "$kind-*.ndjson" \
            ! -name "*-$gen_id.ndjson" -delete
        echo "== generating $f ($gen --kind $kind" \
             "--bytes $((mb * 1000000)) --seed $SEED)" >&2
        "$PY" "$gen" --kind "$kind" --bytes $((mb * 1000000)) \
            --seed "$SEED" > "$f.tmp.$$"
        mv "$f.tmp.$$" "$f"
    fi
    echo "$f"
}

# ---- timed rounds ----------------------------------------------------------
fail=0
for kind in $CORPORA; do
    f=$(corpus_file "$kind")
    dir="$OUT/results/$kind"
    mkdir -p "$dir"
    echo "$f" > "$dir/corpus"
    echo "$gen" > "$dir/generator"
    n=${#peers[@]}
    for ((r = 0; r < ROUNDS; r++)); do
        # rotate the order each round so no peer always runs first
        for ((i = 0; i < n; i++)); do
            p=${peers[$(((i + r) % n))]}
            # shellcheck disable=SC2046
            if ! ${pin[@]+"${pin[@]}"} $(cmd "$p") "$f" -p "$PASSES" \
                    > "$dir/$p.r$r.out" 2> "$dir/$p.r$r.err"; then
                echo "FAIL: $p on $kind exited non-zero:" >&2
                cat "$dir/$p.r$r.err" >&2
                fail=1
            fi
        done
    done
    # every peer (but the memchr reference) must have done the same work
    ref=$(grep -h '^CHECK' "$dir/cs.r0.out" | head -1)
    for p in "${peers[@]}"; do
        [ "$p" = memchr ] && continue
        for ((r = 0; r < ROUNDS; r++)); do
            c=$(grep -h '^CHECK' "$dir/$p.r$r.out" | head -1 || true)
            if [ "$c" != "$ref" ]; then
                echo "FAIL: CHECK differs on $kind: $p (round $r)" >&2
                echo "  certstream.h: $ref" >&2
                echo "  $p: $c" >&2
                fail=1
            fi
        done
    done
    "$PY" bench/report.py table "$dir" "${peers[@]}"
    for s in ${skipped[@]+"${skipped[@]}"}; do echo "   SKIPPED $s"; done
done

# ---- callgrind: instructions per byte ---------------------------------------
if [ "$CG_MB" != 0 ]; then
    if command -v valgrind >/dev/null && [ -n "$cg_def" ]; then
        echo
        echo "== callgrind: instructions per input byte, first ${CG_MB} MB" \
             "of each corpus, parse loop only"
        for kind in $CORPORA; do
            f=$(cat "$OUT/results/$kind/corpus")
            dir="$OUT/results/$kind"
            for p in "${peers[@]}"; do
                [ "$p" = memchr ] && continue
                # shellcheck disable=SC2046
                valgrind --tool=callgrind --collect-atstart=no \
                    --callgrind-out-file="$dir/$p.callgrind" \
                    $(cmd "$p") "$f" -m callgrind -l $((CG_MB * 1000000)) \
                    > "$dir/$p.cg.out" 2> "$dir/$p.cg.err" || {
                        echo "FAIL: callgrind $p on $kind" >&2; fail=1; }
            done
        done
        "$PY" bench/report.py callgrind "$OUT/results" $CORPORA -- "${peers[@]}"
    else
        echo "== callgrind: SKIPPED (valgrind or valgrind/callgrind.h" \
             "not installed)"
    fi
fi

# ---- direct mode: CPU per entry end to end over TLS (bench/e2e_ct.py) -------
# The command follows local logs (tests/ctlog.py, responses pre-generated)
# of both protocols; its own rusage gives CPU per entry. BENCH_CT_E2E=0
# skips it; BENCH_CT_N, BENCH_CT_RUNS, BENCH_CT_CASES: see e2e_ct.py.
if [ "${BENCH_CT_E2E:-1}" != 0 ]; then
    make --no-print-directory -s B="${B:-build}" "${B:-build}/certstream"
    $CC -std=c99 -O2 -o "$OUT/e2e_ct_rusage" bench/e2e_rusage.c
    if "$PY" bench/e2e_ct.py "${B:-build}/certstream" "$OUT/e2e_ct_rusage" \
            "$OUT/results/ct"; then
        [ -f "$OUT/results/ct/ct.jsonl" ] &&
            "$PY" bench/report.py ct "$OUT/results/ct"
    else
        echo "FAIL: direct mode e2e (bench/e2e_ct.py)" >&2
        fail=1
    fi
fi

for s in ${skipped[@]+"${skipped[@]}"}; do echo "SKIPPED $s"; done
if [ "$fail" -ne 0 ]; then
    echo "bench: FAILED (see above)"
    exit 1
fi
echo "bench: OK (raw results in $OUT/results)"
