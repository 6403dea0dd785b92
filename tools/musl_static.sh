#!/usr/bin/env bash
# The fully static musl build of the certstream command, checked.
#
#   bash tools/musl_static.sh [--suite]        (from anywhere; make musl-static)
#
# 1. Installs what it needs, only if missing, quietly (as tools/deps.sh):
#    gcc make musl-tools dpkg-dev file openssl python3 python3-websockets.
# 2. Fetches two Debian *source* packages into build/musl/src (kept: a second
#    run reuses them). deb-src is not configured on the image: a private
#    sources list is made from the machine's own Debian entries (Types: deb
#    -> deb-src), with its own lists and cache, so the system's apt state is
#    untouched.
#    - bearssl: Debian's libbearssl.a is built with _FORTIFY_SOURCE and needs
#      glibc's __memcpy_chk & co., so musl cannot link it;
#    - musl, the version of the installed musl-dev: Debian builds libc.a with
#      -O2 and hardening; rebuilt with -Os (musl's own build, the same
#      source) it is ~19 KB smaller.
#    MUSL_STATIC_LIBC=system links Debian's libc.a instead (to compare).
# 3. Builds build/musl/bearssl/libbearssl.a (musl-gcc -Os, one section per
#    function) and build/musl/libc/lib/libc.a (musl -Os); both kept, rebuilt
#    only when the compiler, the flags or the source change.
# 4. Builds build/musl/certstream from examples/certstream.c with musl-gcc:
#    -static, -Os, -ffunction-sections -fdata-sections -Wl,--gc-sections,
#    -fno-asynchronous-unwind-tables, -s, -Wl,-z,noseparate-code (no page
#    padding between the segments), and the Makefile's warning flags
#    (read from its WARN); writes build/musl/certstream.map (linker map) and
#    prints the size by origin (BearSSL, ours, musl, ...).
# 5. Checks (each one runs; the exit status is 1 if any fails):
#    - under 352 KiB (360,448 bytes): the command with both modes, server
#      and direct (the CT reader: gzip, DER, the follower with Merkle
#      proofs, the log list and its signed fetch), watchlists, gap
#      tracking, backfill and --state. 0.4.0 was 313,000 bytes under a
#      320 KiB bar; 0.5.0 is 345,768 (+33 KB for those layers); the
#      server-only command (CERTSTREAM_NO_CT) was 198 KB before
#      watchlists, failure reporting and the HTTP layer, 227 KB in 0.4.0;
#    - `file` says "statically linked";
#    - `build/musl/certstream --version` runs;
#    - BearSSL's own DRBG seeding works in a static musl program: as built
#      (RDRAND where the CPU has it) and its /dev/urandom seeder alone
#      (tools/musl_rng_probe.c); the client injects getrandom() on top;
#    - end to end over wss:// (tools/musl_tls_check.py): a test CA and an
#      ECDSA localhost certificate, Python websockets over ssl on 127.0.0.1;
#      --ca CA --once --raw prints the messages; without --ca: exit 8.
# 6. --suite (or MUSL_STATIC_SUITE=1): tests/test_tls.py, if present, with
#    the glibc build (build/certstream, made if missing) and then with the
#    static one (CS_BUILD=build/musl/tls-build, a symlink): the static build
#    must fail no test the glibc build passes. Off by default (~40 s a run).
#
# Last line, exit status 0 only when every check passed:
#   musl-static: OK, N bytes, statically linked, TLS checks passed
set -eu

suite="${MUSL_STATIC_SUITE:-0}"
for a in "$@"; do
    case "$a" in
    --suite) suite=1 ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: tools/musl_static.sh [--suite]" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT=build/musl
PY=/usr/bin/python3
MAX=360448
JOBS="$(nproc 2>/dev/null || echo 2)"
t0=$(date +%s)
failed=""

say() { echo "musl-static: $*"; }
die() { echo "musl-static: FAIL: $*" >&2; exit 1; }
fail() { echo "musl-static: FAIL: $*" >&2; failed="$failed; $*"; }
# Runs a command quietly; on failure shows its output and stops.
quiet() {
    local log
    log="$(mktemp)"
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "$(printf '%q ' "$@")"
    fi
    rm -f "$log"
}

# --- 1. packages (as tools/deps.sh: only the missing ones) -------------------
want="gcc make musl-tools dpkg-dev file openssl python3 python3-websockets"
[ "$suite" = 1 ] && want="$want libbearssl-dev"     # the glibc build
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if [ -n "$missing" ]; then
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    quiet $sudo apt-get update -qq
    # shellcheck disable=SC2086
    quiet $sudo apt-get install -y -qq --no-install-recommends $missing
fi
mkdir -p "$OUT"

# --- 2. Debian source packages ------------------------------------------------
SRCTOP="$OUT/src"
LIBC="${MUSL_STATIC_LIBC:-source}"
case "$LIBC" in source|system) ;; *) die "MUSL_STATIC_LIBC: source or system" ;; esac
musl_ver="$(dpkg-query -W -f='${Version}' musl-dev)"
musl_up="${musl_ver#*:}"; musl_up="${musl_up%-*}"

tree() {    # tree NAME FILE: the unpacked source folder of NAME holding FILE
    local d
    for d in "$SRCTOP/$1"/"$1"-*/; do
        [ -f "$d/$2" ] && { echo "${d%/}"; return 0; }
    done
    return 1
}
fetch=""
tree bearssl inc/bearssl.h >/dev/null || fetch="$fetch bearssl"
if [ "$LIBC" = source ]; then
    d="$(tree musl src/stdio/vfprintf.c)" && [ "$(basename "$d")" = "musl-$musl_up" ] \
        || fetch="$fetch musl=$musl_ver"
fi
if [ -n "$fetch" ]; then
    t=$(date +%s)
    APT="$ROOT/$OUT/apt"
    rm -rf "$APT"
    mkdir -p "$APT/sources" "$APT/lists/partial" "$APT/cache/archives/partial"
    # deb -> deb-src for the machine's own Debian entries, in both formats:
    # one-line (sources.list, *.list) and deb822 (*.sources).
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" && /debian/ { sub(/^deb/, "deb-src"); print }' "$f"
    done >"$APT/sources/debian-src.list"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
        {
            deb = 0; uri = 0; off = 0; out = ""
            for (i = 1; i <= NF; i++) {
                l = $i
                if (l ~ /^Types:/) {
                    if (l ~ /[: ]deb( |$)/) deb = 1
                    l = "Types: deb-src"
                }
                if (l ~ /^URIs:/ && l ~ /debian/) uri = 1
                if (l ~ /^Enabled:[ \t]*[Nn]o/) off = 1
                out = out l "\n"
            }
            if (deb && uri && !off) printf "%s\n", out
        }' "$f"
    done >"$APT/sources/debian-src.sources"
    for f in "$APT"/sources/*; do [ -s "$f" ] || rm -f "$f"; done
    ls "$APT"/sources/* >/dev/null 2>&1 \
        || die "no Debian entry in /etc/apt/sources.list{,.d} to make a deb-src of"
    aptopt=(-o "Dir::Etc::SourceList=/dev/null"
            -o "Dir::Etc::SourceParts=$APT/sources"
            -o "Dir::State::Lists=$APT/lists"
            -o "Dir::Cache=$APT/cache")
    # As root apt downloads as _apt, which cannot write into build/.
    [ "$(id -u)" -eq 0 ] && aptopt+=(-o "APT::Sandbox::User=root")
    quiet apt-get -qq "${aptopt[@]}" update
    for p in $fetch; do
        n="${p%%=*}"
        rm -rf "${SRCTOP:?}/$n"
        mkdir -p "$SRCTOP/$n"
        (cd "$SRCTOP/$n" && quiet apt-get -qq "${aptopt[@]}" source "$p")
    done
    rm -rf "$APT"        # 20 MB of indexes, not needed once unpacked
    say "fetched the Debian source of$fetch ($(($(date +%s) - t)) s)"
fi
BR_SRC="$(tree bearssl inc/bearssl.h)" || die "no BearSSL source tree in $SRCTOP/bearssl"
case "$(basename "$BR_SRC")" in
bearssl-0.6*) ;;
*) say "warning: $(basename "$BR_SRC") is not BearSSL 0.6" ;;
esac
if [ "$LIBC" = source ]; then
    MUSL_SRC="$(tree musl src/stdio/vfprintf.c)" || die "no musl source tree in $SRCTOP/musl"
fi

# Kept builds: the stamp names the compiler, the flags and a checksum of the
# source; a build is redone when it changes.
stamp() {   # stamp FLAGS DIR...
    local f="$1"; shift
    echo "$(gcc --version | head -1) | $f | $(find "$@" -type f \
        | LC_ALL=C sort | xargs cat | cksum)"
}

# --- 3a. libc.a: musl -Os -----------------------------------------------------
LIBC_DIR="$OUT/libc"
LIBC_CFLAGS="-Os"
libc_link=()
if [ "$LIBC" = source ]; then
    s="$(stamp "$LIBC_CFLAGS" "$MUSL_SRC/src" "$MUSL_SRC/arch" "$MUSL_SRC/include")"
    if [ -f "$LIBC_DIR/lib/libc.a" ] && [ "$(cat "$LIBC_DIR/stamp" 2>/dev/null)" = "$s" ]; then
        say "reusing $LIBC_DIR/lib/libc.a (musl $musl_ver, $LIBC_CFLAGS)"
    else
        t=$(date +%s)
        rm -rf "$LIBC_DIR"
        mkdir -p "$LIBC_DIR"
        (cd "$LIBC_DIR" \
            && quiet "$ROOT/$MUSL_SRC/configure" --disable-shared \
                     --prefix=/nonexistent CFLAGS="$LIBC_CFLAGS" \
            && quiet make -j"$JOBS" lib/libc.a)
        echo "$s" >"$LIBC_DIR/stamp"
        say "built $LIBC_DIR/lib/libc.a (musl $musl_ver, $LIBC_CFLAGS; $(($(date +%s) - t)) s)"
    fi
    # musl-gcc searches -L folders before its own: -lc is this libc.a. The
    # headers and crt*.o stay musl-dev's, the same version.
    libc_link=(-L"$LIBC_DIR/lib")
fi

# --- 3b. libbearssl.a ---------------------------------------------------------
BR_DIR="$OUT/bearssl"
LIB="$BR_DIR/libbearssl.a"
BR_CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -W -Wall"
s="$(stamp "$BR_CFLAGS" "$BR_SRC/src" "$BR_SRC/inc")"
if [ -f "$LIB" ] && [ "$(cat "$BR_DIR/stamp" 2>/dev/null)" = "$s" ]; then
    say "reusing $LIB ($(basename "$BR_SRC"))"
else
    t=$(date +%s)
    rm -rf "$BR_DIR"
    mkdir -p "$BR_DIR/obj"
    export MUSL_BR_SRC="$BR_SRC" MUSL_BR_OBJ="$BR_DIR/obj" MUSL_BR_CFLAGS="$BR_CFLAGS"
    # Every src/**/*.c (upstream's list; T0 output included), in parallel;
    # the object names are unique across the folders.
    # shellcheck disable=SC2016
    (cd "$BR_SRC" && find src -name '*.c' | LC_ALL=C sort) \
        | xargs -P "$JOBS" -n 16 sh -c '
            for f; do
                # shellcheck disable=SC2086
                musl-gcc $MUSL_BR_CFLAGS -I"$MUSL_BR_SRC/inc" -I"$MUSL_BR_SRC/src" \
                    -c -o "$MUSL_BR_OBJ/$(basename "$f" .c).o" "$MUSL_BR_SRC/$f" \
                    || exit 255
            done' sh 2>"$BR_DIR/warnings.txt" \
        || { cat "$BR_DIR/warnings.txt" >&2; die "compiling BearSSL"; }
    (cd "$BR_DIR/obj" && find . -name '*.o' | LC_ALL=C sort | xargs ar rcs ../libbearssl.a)
    echo "$s" >"$BR_DIR/stamp"
    n=$(find "$BR_DIR/obj" -name '*.o' | wc -l)
    w=$(grep -c 'warning:' "$BR_DIR/warnings.txt" || true)
    say "built $LIB ($(basename "$BR_SRC"): $n objects, $w warnings; $(($(date +%s) - t)) s)"
fi

# --- 4. build/musl/certstream -------------------------------------------------
# The Makefile's warning flags (its WARN); these if make cannot tell.
# shellcheck disable=SC2016
WARN="$(printf 'musl-print-warn:\n\t@echo $(WARN)\n' \
        | make -s --no-print-directory -f Makefile -f - musl-print-warn 2>/dev/null)" \
    || WARN=""
[ -n "$WARN" ] || WARN="-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Werror"
CFLAGS="-std=c99 -Os $WARN -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"
# -z noseparate-code: GNU ld's default on x86-64 (separate-code) pads the ELF
# headers, the code and the read-only data each to its own 4 KB page in the
# file: 4-11 KB of zeros here, varying with where the boundaries fall. The
# cost: the headers and .rodata are mapped executable along with .text.
LDFLAGS="-static -s -Wl,--gc-sections -Wl,-z,noseparate-code"
EXE="$OUT/certstream"
rm -f "$EXE" "$OUT/certstream.o" "$OUT/certstream.map"
# BearSSL's headers as system headers, as /usr/include's are for the glibc
# build (-Wconversion would flag their inline functions otherwise).
# shellcheck disable=SC2086
musl-gcc $CFLAGS -isystem "$BR_SRC/inc" -c -o "$OUT/certstream.o" examples/certstream.c \
    || die "compiling examples/certstream.c"
# shellcheck disable=SC2086
musl-gcc $LDFLAGS -Wl,-Map="$OUT/certstream.map" "${libc_link[@]}" -o "$EXE" \
    "$OUT/certstream.o" "$LIB" || die "linking $EXE"
{
    echo "musl-gcc $CFLAGS -isystem $BR_SRC/inc -c -o $OUT/certstream.o examples/certstream.c"
    echo "musl-gcc $LDFLAGS -Wl,-Map=$OUT/certstream.map ${libc_link[*]} -o $EXE $OUT/certstream.o $LIB"
} >"$OUT/certstream.cmd"

# --- 5. checks ------------------------------------------------------------------
size=$(stat -c %s "$EXE")
say "$EXE: $size bytes (bar: under $MAX; libc: $([ "$LIBC" = source ] && echo "musl $musl_ver rebuilt $LIBC_CFLAGS" || echo "Debian's libc.a"))"
"$PY" tools/musl_mapsize.py "$OUT/certstream.map" "$BR_SRC" | sed 's/^/  /' || true
[ "$size" -lt "$MAX" ] || fail "$EXE is $size bytes, not under $MAX"

ft="$(file -b "$EXE")"
say "file: $ft"
case "$ft" in
*"statically linked"*) ;;
*) fail "file does not say \"statically linked\"" ;;
esac

if ver="$("$EXE" --version 2>&1)"; then
    say "--version: $ver"
else
    fail "$EXE --version: $ver"
fi

# BearSSL's own seeding: the library as built (RDRAND where the CPU has it,
# else /dev/urandom), and its /dev/urandom seeder alone (sysrng.c again with
# BR_RDRAND=0, linked before the library).
PROBE_CFLAGS="-std=c99 -Os -Wall -Wextra -Wpedantic -Werror -isystem $BR_SRC/inc"
rng=""
# shellcheck disable=SC2086
if musl-gcc $PROBE_CFLAGS -static "${libc_link[@]}" -o "$OUT/rng-probe" \
        tools/musl_rng_probe.c "$LIB" \
    && musl-gcc -Os -DBR_RDRAND=0 -I"$BR_SRC/inc" -I"$BR_SRC/src" -c \
        -o "$OUT/sysrng-urandom.o" "$BR_SRC/src/rand/sysrng.c" \
    && musl-gcc $PROBE_CFLAGS -DEXPECT_SEEDER='"urandom"' -static "${libc_link[@]}" \
        -o "$OUT/rng-probe-urandom" tools/musl_rng_probe.c \
        "$OUT/sysrng-urandom.o" "$LIB"; then
    for p in rng-probe rng-probe-urandom; do
        if r="$("$OUT/$p" 2>&1)"; then
            rng="$rng${rng:+; }$r"
        else
            fail "BearSSL seeding ($p): $r"
        fi
    done
    [ -z "$rng" ] || say "BearSSL seeding: $rng"
else
    fail "building the BearSSL seeding probes"
fi

"$PY" tools/musl_tls_check.py "$EXE" | sed 's/^/musl-static: /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the wss:// checks (tools/musl_tls_check.py)"

if [ "$suite" = 1 ]; then
    if [ ! -f tests/test_tls.py ]; then
        say "tests/test_tls.py: not there, skipped"
    else
        quiet make build/certstream
        rm -rf "$OUT/tls-build"
        mkdir -p "$OUT/tls-build"
        ln -s ../certstream "$OUT/tls-build/certstream"
        fails() { sed -n 's/^test \([^ ]*\) .*\.\.\. FAIL.*/\1/p' "$1" | sort; }
        for b in glibc musl; do
            dir=build
            [ $b = musl ] && dir="$OUT/tls-build"
            t=$(date +%s)
            CS_BUILD="$dir" "$PY" tests/test_tls.py >"$OUT/test_tls.$b.txt" 2>&1 || true
            say "tests/test_tls.py, $b build ($dir/certstream): $(grep -E '^[0-9]+ passed' \
                "$OUT/test_tls.$b.txt" || echo 'no summary') ($(($(date +%s) - t)) s)"
            fails "$OUT/test_tls.$b.txt" >"$OUT/test_tls.$b.fail"
        done
        grep -qE '^[0-9]+ passed' "$OUT/test_tls.musl.txt" \
            || fail "tests/test_tls.py gave no summary for the static build"
        both="$(comm -12 "$OUT/test_tls.glibc.fail" "$OUT/test_tls.musl.fail" | tr '\n' ' ')"
        only="$(comm -13 "$OUT/test_tls.glibc.fail" "$OUT/test_tls.musl.fail" | tr '\n' ' ')"
        glibc_only="$(comm -23 "$OUT/test_tls.glibc.fail" "$OUT/test_tls.musl.fail" | tr '\n' ' ')"
        [ -z "$both" ] || say "  failing with both builds: $both"
        [ -z "$glibc_only" ] || say "  failing with the glibc build only: $glibc_only"
        [ -z "$only" ] || fail "tests/test_tls.py fails only with the static build: $only(see $OUT/test_tls.musl.txt)"
    fi
fi

say "$(($(date +%s) - t0)) s"
if [ -n "$failed" ]; then
    say "FAILED:${failed#;}"
    exit 1
fi
say "OK, $size bytes, statically linked, TLS checks passed"
