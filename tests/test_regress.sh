#!/usr/bin/env bash
# test_regress.sh - replay the fuzz seeds and the minimized crashers.
#
# Builds fuzz/main.c with each harness (fuzz/fuzz_<target>.c) and replays
# fuzz/corpus/<target>/ and tests/regress/<target>/ through it; every file
# is one test. Builds, into ${CS_BUILD:-build}/regress/:
#   - ${CC:-cc} with the strict test flags (plus $SAN and $OPT when `make
#     asan` / `make ubsan` pass them down);
#   - the same with -DCS_NO_SIMD -DCS_NO_INT128 (the portable string
#     scanner and 64x64 multiply);
#   - the same with tiny limits (CS_JSON_MAX_DEPTH=5, CS_JSON_STR_MAX=7;
#     for ws/hs/url CS_WS_MAX_MESSAGE=1000, CS_HS_MAX_RESPONSE=512,
#     CS_URL_MAX=64; for jtok CS_JTOK_MAX_DEPTH=5, CS_JTOK_KEY_MAX=7; for
#     loglist CS_LOGLIST_STR_MAX=8, CS_LOGLIST_KEY_MAX=16, CS_URL_MAX=64);
#   - when no sanitizer was asked for and clang can: clang with
#     -fsanitize=address,undefined.
# A replay that dies is restarted after the file that killed it, so one
# bad input costs one failure, not the rest of the run.
set -u
cd "$(dirname "$0")/.."
CC=${CC:-cc}
out=${CS_BUILD:-build}/regress
warn="-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
 -Wmissing-prototypes -Wconversion -Werror"
opt=${OPT:--O2 -g}
san=${SAN:-}
pass=0
fail=0
skip=0
mkdir -p "$out"
# every fuzz/fuzz_<t>.c; corpus/<t>/ and regress/<t>/ are replayed
targets=""
for f in fuzz/fuzz_*.c; do
    f=${f#fuzz/fuzz_}
    targets="$targets ${f%.c}"
done

# build NAME COMPILER FLAGS...: one replay binary per target, compiled
# $jobs at a time (each compile is the whole header: serial, the four
# variants of every target took minutes).
jobs=$(nproc 2>/dev/null || echo 2)
build_one() {
    local name=$1 cc=$2 t=$3 extra=""
    shift 3
    [ "$name" = small ] && case $t in ws | hs | url | http)
        extra="-DCS_WS_MAX_MESSAGE=1000 -DCS_HS_MAX_RESPONSE=512"
        extra="$extra -DCS_HTTP_MAX_HEAD=512"
        extra="$extra -DCS_URL_MAX=64" ;;
    jtok) extra="-DCS_JTOK_MAX_DEPTH=5 -DCS_JTOK_KEY_MAX=7" ;;
    loglist) extra="-DCS_LOGLIST_STR_MAX=8 -DCS_LOGLIST_KEY_MAX=16"
        extra="$extra -DCS_URL_MAX=64" ;;
    esac
    # no harness needs TLS: no BearSSL to link (empty value: a harness
    # may #define CERTSTREAM_NO_TLS as well); CERTSTREAM_STATIC: the
    # compiler skips the functions a harness never calls (2-7x faster
    # builds; every function is compiled whole by the tests' own builds)
    # shellcheck disable=SC2086,SC2068
    $cc -std=c99 $warn -I. -DCERTSTREAM_NO_TLS= -DCERTSTREAM_STATIC= $@ $extra \
        -o "$out/${name}_$t" fuzz/main.c "fuzz/fuzz_$t.c" -lm \
        2>"$out/${name}_$t.err" || : >"$out/${name}_$t.failed"
}
build() {
    local name=$1 cc=$2 t n=0
    shift 2
    for t in $targets; do
        # the --state loader (the whole command) neither scans JSON nor
        # has small limits: built plain and with the sanitizers only
        case $name/$t in nosimd/state | small/state) continue ;; esac
        rm -f "$out/${name}_$t.failed"
        build_one "$name" "$cc" "$t" "$@" &
        n=$((n + 1))
        [ $((n % jobs)) -eq 0 ] && wait
    done
    wait
    for t in $targets; do
        if [ -e "$out/${name}_$t.failed" ]; then
            echo "FAIL build $name/$t:"
            sed 's/^/    /' "$out/${name}_$t.err" | head -n 20
            fail=$((fail + 1))
            rm -f "$out/${name}_$t" "$out/${name}_$t.failed"
        fi
    done
}
# replay BIN FILES...: one test per file; restart after a crash.
replay() {
    local bin=$1 log rc n i
    shift
    local files=("$@")
    [ -x "$bin" ] || return 0
    [ ${#files[@]} -gt 0 ] || return 0
    log=$out/replay.log
    i=0
    while [ "$i" -lt "${#files[@]}" ]; do
        "$bin" "${files[@]:$i}" >"$log" 2>&1
        rc=$?
        n=$(grep -c '^ok ' "$log")
        pass=$((pass + n))
        i=$((i + n))
        [ "$rc" -eq 0 ] && break
        if [ "$i" -lt "${#files[@]}" ]; then
            echo "FAIL $(basename "$bin") ${files[$i]} (exit $rc):"
            grep -v '^ok ' "$log" | head -n 12 | cut -c1-300 | sed 's/^/    /'
            echo "    reproduce: $bin ${files[$i]}"
            fail=$((fail + 1))
            i=$((i + 1))
        else
            echo "FAIL $(basename "$bin"): exit $rc after the last file"
            fail=$((fail + 1))
        fi
    done
}

variants="cc nosimd small"
# shellcheck disable=SC2086
build cc "$CC" $opt $san
# shellcheck disable=SC2086
build nosimd "$CC" $opt $san -DCS_NO_SIMD -DCS_NO_INT128
# shellcheck disable=SC2086
build small "$CC" $opt $san -DCS_JSON_MAX_DEPTH=5 -DCS_JSON_STR_MAX=7
if [ -z "$san" ] && command -v clang >/dev/null 2>&1 &&
        echo 'int main(void){return 0;}' |
        clang -x c -fsanitize=address,undefined -o "$out/.probe" - \
        2>/dev/null; then
    build asan clang -O1 -g -fno-omit-frame-pointer \
        -fsanitize=address,undefined -fno-sanitize-recover=all
    variants="$variants asan"
else
    [ -z "$san" ] && { echo "skip: no clang with ASan/UBSan"; skip=1; }
fi
rm -f "$out/.probe"

for v in $variants; do
    for t in $targets; do
        files=()
        for d in "fuzz/corpus/$t" "tests/regress/$t"; do
            [ -d "$d" ] || continue
            while IFS= read -r f; do
                files+=("$f")
            done < <(find "$d" -maxdepth 1 -type f ! -name '.*' \
                     ! -name 'README*' | LC_ALL=C sort)
        done
        before_p=$pass
        before_f=$fail
        replay "$out/${v}_$t" "${files[@]}"
        echo "$v/$t: $((pass - before_p)) passed, $((fail - before_f)) failed"
    done
done
echo
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
