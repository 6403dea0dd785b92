#!/usr/bin/env bash
# fuzz/run.sh - build the libFuzzer targets and run them.
#
#   fuzz/run.sh build                  build build/fuzz/fuzz_<target> only
#   fuzz/run.sh fuzz SECONDS [TARGET]  run every target its share of
#                                      SECONDS, or TARGET all of SECONDS
#
# Targets: json (fuzz_json.c, the extractor: chunking, reuse, reference
# model), number (fuzz_number.c: cs_json_number vs strtod) and
# json_nosimd (fuzz_json.c built with -DCS_NO_SIMD -DCS_NO_INT128: the
# portable SWAR string scanner and 64-bit multiply that non-x86 builds
# use; same seeds and dictionary) and
# json_small (fuzz_json.c with CS_JSON_MAX_DEPTH=5, CS_JSON_STR_MAX=7:
# every text is cut, at every UTF-8 position, and nesting hits the limit);
# ws (fuzz_ws.c: the frame decoder whole vs chunked, against a reference,
# and the frame encoders), hs (fuzz_hs.c: the handshake response whole vs
# chunked, the request), url (fuzz_url.c: cs_url_parse/resolve), http
# (fuzz_http.c: HTTP/1.1 response heads and bodies whole vs chunked),
# inflate (fuzz_inflate.c: gzip/zlib/raw whole vs chunked, and vs zlib),
# ctrec (fuzz_ctrec.c: the CT records: base64, leaves, tiles, checkpoints),
# der (fuzz_der.c: cs_cert_parse and every reader of a parsed certificate),
# jtok (fuzz_jtok.c: the JSON tokenizer whole vs chunked, against the
# extractor's verdict), match (fuzz_match.c: the watchlist compiler and
# matcher against a slow one), follow (fuzz_follow.c: the CT log
# follower over scripted responses, whole vs chunked reads), loglist
# (fuzz_loglist.c: the log list parser whole vs chunked) and gap
# (fuzz_gap.c: the gap tracker against a slow one), merkle (fuzz_merkle.c:
# proofs and the tile verifier, its advance path, against a naive
# reference) and state (fuzz_state.c: the command's --state file loader,
# and its writer's round trip); any other
# fuzz/fuzz_<name>.c is found by its name.
# Shares of SECONDS when every target runs (`make fuzz`, `make
# fuzz-smoke`): 100% each for the json family, number and ctrec, 50% for
# ws, inflate, der, jtok and loglist, 25% each for hs, url, http, match,
# follow, gap and merkle
# (small state machines that saturate quickly), 100% for any other, so
# FUZZ_SECONDS=20 is 165 s of fuzzing for these, run FUZZ_JOBS (default
# nproc) targets at a time. FUZZ_SHARE=100 gives every target all of SECONDS.
# Each run reads the committed seeds (fuzz/corpus/<target>/) and the
# regression inputs (tests/regress/<target>/) read-only and writes what it
# finds to a working corpus, build/fuzz/work/<target>/, which persists
# between runs but is never committed. Crashes go to
# build/fuzz/crashes/<target>/; the script prints their paths and exits 1.
# Logs: build/fuzz/<target>.log.
# To keep a crasher: fuzz/minimize.sh TARGET CRASH-FILE NAME.
#
# Environment:
#   CLANG          compiler (default clang)
#   FUZZ_HEADER    directory holding the certstream.h to fuzz (default:
#                  the repo root), e.g. a snapshot of one commit:
#                    mkdir -p build/snap && git show HEAD:certstream.h \
#                        > build/snap/certstream.h
#                    FUZZ_HEADER=build/snap fuzz/run.sh fuzz 600 json
#   FUZZ_CFLAGS    extra compiler flags, e.g. -DFZ_NO_NULL_FEED to step
#                  over a known bug while looking for others
#   FUZZ_KEEP_GOING=1  libFuzzer -fork=1 -ignore_crashes=1: keep fuzzing
#                  after a crash (each crash still lands in crashes/)
#   FUZZ_ARGS      extra libFuzzer flags
#   FUZZ_OUT       output directory instead of build/fuzz (binaries, logs,
#                  work corpus, crashes): give a long campaign its own, so a
#                  concurrent `make fuzz-smoke` cannot rebuild its binary
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
CLANG=${CLANG:-clang}
out=${FUZZ_OUT:-build/fuzz}
hdr=${FUZZ_HEADER:-$root}
# every fuzz/fuzz_<target>.c is a target (other branches add theirs), plus
# two builds of fuzz_json.c with other switches
targets_all=""
for f in fuzz/fuzz_*.c; do
    f=${f#fuzz/fuzz_}
    targets_all="$targets_all ${f%.c}"
done
targets_all="$targets_all json_nosimd json_small"

# -O1 keeps the sanitizers fast; the integer checks mirror `make ubsan`.
# No target needs TLS: CERTSTREAM_NO_TLS (empty, so that a harness may
# #define it too) spares linking BearSSL. CERTSTREAM_STATIC: what a
# harness never calls is not compiled (builds 2-7x faster).
flags="-std=c99 -O1 -g -fno-omit-frame-pointer \
 -fsanitize=fuzzer,address,undefined,integer \
 -fno-sanitize=unsigned-integer-overflow,unsigned-shift-base \
 -fno-sanitize-recover=all -DCERTSTREAM_NO_TLS= -DCERTSTREAM_STATIC= \
 -I$hdr ${FUZZ_CFLAGS:-}"

# json_nosimd, json_small -> json: harness, seeds, dictionary, regress dir.
base() { echo "${1%%_*}"; }

build_one() {
    local t=$1 extra="" libs=""
    rm -f "$out/fuzz_$t.failed"
    [ "$t" = json_nosimd ] && extra="-DCS_NO_SIMD -DCS_NO_INT128"
    # inflate: zlib as a reference decoder, when it is installed
    [ "$t" = inflate ] && [ -f /usr/include/zlib.h ] &&
        extra="-DFZ_ZLIB" libs="-lz"
    # fuzz/<target>.cov-ignore: functions left out of coverage (merkle:
    # SHA-256, 3x the speed)
    [ -f "fuzz/$(base "$t").cov-ignore" ] && extra="$extra \
        -fsanitize-coverage-ignorelist=fuzz/$(base "$t").cov-ignore"
    [ "$t" = json_small ] &&
        extra="-DCS_JSON_MAX_DEPTH=5 -DCS_JSON_STR_MAX=7"
    # shellcheck disable=SC2086
    "$CLANG" $flags $extra -o "$out/fuzz_$t" "fuzz/fuzz_$(base "$t").c" \
        -lm $libs || : >"$out/fuzz_$t.failed"
}

build() {
    local t n=0 jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    mkdir -p "$out"
    # each harness compiles the whole header: $jobs at a time
    for t in $targets_all; do
        build_one "$t" &
        n=$((n + 1))
        [ $((n % jobs)) -eq 0 ] && wait
    done
    wait
    for t in $targets_all; do
        if [ -e "$out/fuzz_$t.failed" ]; then
            rm -f "$out/fuzz_$t.failed"
            echo "fuzz/run.sh: building fuzz_$t failed" >&2
            exit 2
        fi
    done
}

# max_len per target: whole certificate messages (a few KB) for json;
# numbers: room for the ~800-digit halfway seeds (longer still through
# the 0xFF expansion); ws: a few frames of certificate size (the 64-bit
# length seed is cut, a truncated frame is a case of its own); hs: the
# @PAD@ flag makes the long headers, so a short response is enough; url:
# past CS_URL_MAX (1024).
max_len() {
    case "$(base "$1")" in
    json) echo 16384 ;;
    number) echo 1024 ;;
    ws) echo 4096 ;;
    hs) echo 4096 ;;
    url) echo 2048 ;;
    http) echo 4096 ;;
    inflate) echo 8192 ;;
    ctrec) echo 16384 ;;
    der) echo 65536 ;;
    jtok) echo 16384 ;;
    match) echo 2048 ;;
    follow) echo 16384 ;;
    loglist) echo 8192 ;;
    gap) echo 4096 ;;
    merkle) echo 512 ;;
    state) echo 4096 ;;
    *) echo 4096 ;;
    esac
}

# Percent of SECONDS a target gets when every target runs.
share() {
    case "$1" in
    ws | inflate | der | jtok | loglist) echo "${FUZZ_SHARE:-50}" ;;
    hs | url | http | match | follow | gap | merkle | state)
        echo "${FUZZ_SHARE:-25}" ;;
    *) echo 100 ;;
    esac
}

run_one() {
    local t=$1 secs=$2 work=$out/work/$1 crashes=$out/crashes/$1 log
    local b dict extra=() rc before after
    b=$(base "$t")
    dict=fuzz/$b.dict
    mkdir -p "$work" "$crashes"
    log=$out/$t.log
    [ -f "$dict" ] && extra+=("-dict=$dict")
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && extra+=(-fork=1 -ignore_crashes=1)
    before=$(ls "$crashes" | wc -l)
    echo "== fuzz_$t: ${secs}s, log $log"
    # shellcheck disable=SC2086
    "$out/fuzz_$t" "${extra[@]}" -max_total_time="$secs" \
        -max_len="$(max_len "$t")" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" \
        ${FUZZ_ARGS:-} "$work" "fuzz/corpus/$b" \
        $( [ -d "tests/regress/$b" ] && echo "tests/regress/$b" ) \
        >"$log" 2>&1
    rc=$?
    # the last status line: coverage, features, corpus, exec/s
    grep -E '^#[0-9]+' "$log" | tail -n 1
    grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss)' \
        "$log"
    after=$(ls "$crashes" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        echo "fuzz_$t: FAILED (exit $rc); new crash files:"
        ls -t "$crashes" |
            head -n $((after - before > 0 ? after - before : 1)) |
            sed "s|^|    $crashes/|"
        grep -E 'ERROR|fuzz_[a-z]+:|runtime error|SUMMARY' "$log" |
            head -n 5 | sed 's/^/    /'
        return 1
    fi
    return 0
}

case "${1:-}" in
build)
    build
    ;;
fuzz)
    secs=${2:-60}
    build
    fail=0
    if [ -n "${3:-}" ]; then
        run_one "$3" "$secs" || fail=1
    else
        # FUZZ_JOBS targets at a time (default nproc), each on a core of
        # its own for its whole share; reports in the usual order
        jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
        for t in $targets_all; do
            s=$((secs * $(share "$t") / 100))
            [ "$s" -lt 1 ] && s=1
            while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
            { run_one "$t" "$s" >"$out/$t.report" 2>&1
              echo $? >"$out/$t.rc"; } &
        done
        wait
        for t in $targets_all; do
            cat "$out/$t.report"
            [ "$(cat "$out/$t.rc")" = 0 ] || fail=1
            rm -f "$out/$t.report" "$out/$t.rc"
        done
    fi
    exit $fail
    ;;
*)
    sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
