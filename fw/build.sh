#!/usr/bin/env bash
# fw/build.sh - the firmware build: examples/custom_transport.c with
# -DFIRMWARE_BOARD (certstream.h with CERTSTREAM_NO_POSIX and
# CERTSTREAM_NO_CT, TLS on: the websocket client) and, beside it,
# examples/ct_firmware.c (the same program in direct mode: one CT log read
# itself, CT on), each with the board support in fw/, for a Cortex-M4
# (STM32F412ZG: 1 MiB flash,
# 256 KiB RAM), with Debian's gcc-arm-none-eabi, newlib-nano and BearSSL
# 0.6 built for the target from Debian's source package. Prints
# arm-none-eabi-size, flash and RAM, what takes them (BearSSL,
# certstream.h, newlib, ...), sizeof(cs_client) and a stack estimate.
#
#   bash fw/build.sh            (make firmware runs this)
#
# Installs what it needs (as root, or with sudo). Everything goes under
# build/fw/ (FW_OUT); BearSSL's source and library are cached there, so a
# second run only recompiles our four files. Environment:
#   FW_OUT=dir      output folder (default build/fw)
#   FW_ASSERT=1     keep assert() (default: -DNDEBUG, a release build)
#   FW_CFLAGS=...   more flags for our files (-DCS_NO_ERROR_STRINGS, ...)
#   FW_JOBS=n       parallel compiles (default: nproc)
# shellcheck disable=SC2012,SC2086  # ls of one known folder; flag lists split on purpose
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${FW_OUT:-build/fw}
JOBS=${FW_JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
t0=$(date +%s)
say() { echo "fw: $*"; }

# ---- 1. the toolchain ------------------------------------------------------
# --no-install-recommends: gcc-arm-none-eabi would otherwise pull in the
# C++ library (300 MB download, 1.5 GB installed) that a C build never uses.
want="gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi dpkg-dev python3 xz-utils"
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { $sudo apt-get update -qq \
           && $sudo apt-get install -y -qq --no-install-recommends $missing; \
         } > "$OUT/apt.log" 2>&1; then
        cat "$OUT/apt.log" >&2
        say "installing the toolchain failed"; exit 1
    fi
fi
CC=arm-none-eabi-gcc

# ---- 2. BearSSL 0.6 source, from Debian's source package -------------------
# deb-src is not configured here: a private sources list made from the
# machine's own Debian entries (Types deb -> deb-src), with its own lists
# and cache so that the system's apt state is not touched.
srcdir=$(ls -d "$OUT"/src/bearssl-0.6*/ 2>/dev/null | head -n 1 || true)
if [ -z "$srcdir" ] || [ ! -f "$srcdir/src/ssl/ssl_hs_client.c" ]; then
    say "fetching BearSSL's Debian source package"
    A=$OUT/apt
    rm -rf "$A" "$OUT/src"
    mkdir -p "$A/sources.list.d" "$A/lists/partial" "$A/cache/archives/partial" \
             "$OUT/src"
    for f in /etc/apt/sources.list.d/*.sources; do   # deb822
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /URIs:[^\n]*debian/ && /Types:[^\n]*deb/ {
                 sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
    done > "$A/sources.list.d/debian-src.sources"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do # one-line
        [ -f "$f" ] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]\(.*debian.*\)$/deb-src \1/p' "$f"
    done > "$A/sources.list.d/debian-src.list"
    if [ ! -s "$A/sources.list.d/debian-src.sources" ] \
       && [ ! -s "$A/sources.list.d/debian-src.list" ]; then
        say "no Debian entry in /etc/apt to make deb-src from"; exit 1
    fi
    apt_src=(apt-get -q -o Dir::Etc::SourceList=/dev/null
             -o "Dir::Etc::SourceParts=$A/sources.list.d"
             -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache"
             -o APT::Sandbox::User=root)
    if ! { "${apt_src[@]}" update \
           && (cd "$OUT/src" && "${apt_src[@]}" source bearssl); \
         } > "$OUT/apt-src.log" 2>&1; then
        cat "$OUT/apt-src.log" >&2
        say "apt-get source bearssl failed"; exit 1
    fi
    srcdir=$(ls -d "$OUT"/src/bearssl-0.6*/ 2>/dev/null | head -n 1 || true)
    if [ -z "$srcdir" ]; then
        say "no bearssl-0.6 in the source package:"; ls "$OUT/src" >&2; exit 1
    fi
fi
srcdir=${srcdir%/}
BRVER=$(basename "$srcdir")

# ---- 3. BearSSL for the Cortex-M4 -------------------------------------------
# Soft-float ABI: runs on any M4, with or without its single-precision FPU;
# neither BearSSL nor certstream.h does floating-point arithmetic.
ARCH="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"
# BearSSL's 32-bit choices (src/config.h, src/inner.h):
#   BR_LOMUL=1            32x32->32 multiplies are the fast ones: the
#                         defaults become i15/m15 (RSA, EC) and ctmul32
#                         (GHASH), and ChaCha20's Poly1305 ctmul32
#   BR_ARMEL_CORTEXM_GCC  Thumb-2 inline assembly for i15 Montgomery
#                         multiplication (little-endian Thumb, GCC: true)
#   no OS: no /dev/urandom seeder (entropy comes from board_rng through
#   certstream.h), no time() (the RTC through cs_config.tls.unix_time), and
#   no x86 or POWER code.
BRDEFS="-DBR_LOMUL=1 -DBR_ARMEL_CORTEXM_GCC=1 -DBR_64=0 -DBR_INT128=0 \
-DBR_UMUL128=0 -DBR_USE_URANDOM=0 -DBR_USE_WIN32_RAND=0 -DBR_USE_UNIX_TIME=0 \
-DBR_USE_WIN32_TIME=0 -DBR_RDRAND=0 -DBR_AES_X86NI=0 -DBR_SSE2=0 -DBR_POWER8=0"
OPTS="-Os -ffunction-sections -fdata-sections"
BRFLAGS="$ARCH $OPTS $BRDEFS"
key=$( { echo "$BRVER $BRFLAGS"; $CC --version | head -n 1; } | sha1sum | cut -c1-12)
BR=$OUT/bearssl-$key
if [ ! -f "$BR/libbearssl.a" ]; then
    say "building $BRVER for the Cortex-M4 ($JOBS jobs)"
    tb=$(date +%s)
    rm -rf "$BR.tmp"
    mkdir -p "$BR.tmp/obj"
    export CC BRFLAGS srcdir OBJ="$BR.tmp/obj"
    # shellcheck disable=SC2016
    (cd "$srcdir" && find src -name '*.c' | sort) \
        | xargs -P "$JOBS" -n 8 sh -c '
            for f; do
                o=$OBJ/$(basename "$f" .c).o
                $CC $BRFLAGS -I"$srcdir/inc" -I"$srcdir/src" -fstack-usage \
                    -c "$srcdir/$f" -o "$o" || exit 255
            done' sh 2> "$BR.tmp/warnings.txt" \
        || { cat "$BR.tmp/warnings.txt" >&2; say "BearSSL failed to build"; exit 1; }
    arm-none-eabi-ar rcsD "$BR.tmp/libbearssl.a" "$BR.tmp"/obj/*.o
    echo "$BRFLAGS" > "$BR.tmp/flags.txt"
    rm -rf "$BR" && mv "$BR.tmp" "$BR"
    say "BearSSL: $(ls "$BR"/obj/*.o | wc -l) objects in $(( $(date +%s) - tb )) s"
fi

# ---- 4. the program ----------------------------------------------------------
# The project's warning set (Makefile WARN), fatal. BearSSL's headers are
# system headers here, as they are on the host (/usr/include).
WARN="-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
-Wmissing-prototypes -Wconversion -Werror"
DEFS="-DFIRMWARE_BOARD"
[ "${FW_ASSERT:-0}" = 1 ] || DEFS="$DEFS -DNDEBUG"
CFLAGS="-std=c99 $ARCH $OPTS -g $WARN $DEFS -isystem $srcdir/inc -Ifw ${FW_CFLAGS:-}"
O=$OUT/obj
rm -rf "$O"
mkdir -p "$O"
OC=$OUT/obj-ct                           # the direct-mode program's
rm -rf "$OC"
mkdir -p "$OC"
pids=""
for src in examples/custom_transport.c fw/board.c fw/startup.c fw/syscalls.c \
           fw/sizes.c examples/ct_firmware.c; do
    o=$O/$(basename "$src" .c).o
    more=""
    case $src in
        */custom_transport.c) more=-DCERTSTREAM_NO_CT ;;
        */ct_firmware.c) o=$OC/ct_firmware.o ;;
    esac
    $CC $CFLAGS $more -fstack-usage -c "$src" -o "$o" 2> "$o.log" &
    pids="$pids $!"
done
fail=0
for p in $pids; do wait "$p" || fail=1; done
for l in "$O"/*.log "$OC"/*.log; do
    if [ -s "$l" ]; then echo "--- $(basename "$l" .o.log):"; cat "$l"; fi
done
[ "$fail" = 0 ] || { say "compile failed (warnings are errors)"; exit 1; }

echo "$CFLAGS" > "$OUT/cflags.txt"       # for fw/qemu.sh
ELF=$OUT/certstream-fw.elf
$CC $ARCH -Os -nostartfiles --specs=nano.specs -T fw/stm32f412zg.ld \
    -Wl,--gc-sections -Wl,--fatal-warnings -Wl,-Map="$OUT/certstream-fw.map" \
    -o "$ELF" "$O/custom_transport.o" "$O/board.o" "$O/startup.o" \
    "$O/syscalls.o" "$BR/libbearssl.a"
arm-none-eabi-objcopy -O binary "$ELF" "$OUT/certstream-fw.bin"
# direct mode: its own object, the same board, BearSSL and probes
for f in board startup syscalls sizes; do cp "$O/$f.o" "$O/$f.su" "$OC/"; done
CELF=$OUT/certstream-ct-fw.elf
$CC $ARCH -Os -nostartfiles --specs=nano.specs -T fw/stm32f412zg.ld \
    -Wl,--gc-sections -Wl,--fatal-warnings -Wl,-Map="$OUT/certstream-ct-fw.map" \
    -o "$CELF" "$OC/ct_firmware.o" "$OC/board.o" "$OC/startup.o" \
    "$OC/syscalls.o" "$BR/libbearssl.a"

# ---- 5. the numbers --------------------------------------------------------
echo
arm-none-eabi-size "$ELF" | tee "$OUT/size.txt"
echo
python3 fw/report.py --elf "$ELF" --map "$OUT/certstream-fw.map" \
    --objdir "$O" --bearssl "$BR" --bearssl-src "$srcdir" --flags "$BRFLAGS | $CFLAGS" \
    --out "$OUT/report.txt"
echo
echo "== direct mode (examples/ct_firmware.c: one CT log, no server; CT on)"
arm-none-eabi-size "$CELF" | tee "$OUT/size-ct.txt"
python3 fw/report.py --elf "$CELF" --map "$OUT/certstream-ct-fw.map" \
    --objdir "$OC" --bearssl "$BR" --bearssl-src "$srcdir" --flags "$BRFLAGS | $CFLAGS" \
    --out "$OUT/report-ct.txt" | sed -n '2,/^$/p;/^   part/,/^   total/p'
say "done in $(( $(date +%s) - t0 )) s; ELF $ELF, report $OUT/report.txt;" \
    "direct mode $CELF, $OUT/report-ct.txt"
