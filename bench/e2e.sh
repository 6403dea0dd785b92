#!/usr/bin/env bash
# bench/e2e.sh - `make bench`, second part: certstream end to end over TLS
# on loopback, against what a user would pick instead (a Python client made
# of websocket-client and json.loads, as certstream-python is). See
# bench/E2E.md for the method and the numbers.
#
# A local sender (bench/e2e_sender.py: Python ssl = OpenSSL, the corpus
# pre-framed in memory) streams the generated lite and full corpora
# (tests/gen_feed.py --count N --seed S) over TLS 1.2
# ECDHE-ECDSA-AES128-GCM-SHA256 (a test CA and a P-256 localhost
# certificate made with the openssl CLI here), then closes with 1000. Each
# corpus goes out three ways:
#   KIND         as real servers send: each message in its own TLS record
#                (an OpenSSL write() per message through ssl.SSLObject and
#                a MemoryBIO; a message over 16 KB in as many records as it
#                needs), all encrypted before the first byte goes out, then
#                sent in 256 KB sendall()s of ciphertext, so that the
#                client, not the Python sender, is the bottleneck
#                (BENCH_E2E_SEND=sendfile: one sendfile(), see E2E.md);
#                the sender counts the records in its ciphertext and the
#                run fails unless every message is its own record(s);
#   KIND.paced   the same records in bursts, like a live feed
#                (BENCH_E2E_PACED=RATE:BURST:N, certstream only; 0: none);
#   KIND.packed  sendall() of 256 KB pieces: full 16 KB records, the
#                cheapest case for a client (BENCH_E2E_PACKED=0: none).
# The clients:
#   cs       build/certstream --once, its default human output > /dev/null
#            (the extraction: domains, seen, source url, one line each)
#   cs_raw   the same with --raw (every message verbatim) > /dev/null
#   py       bench/e2e_py_client.py: websocket.create_connection +
#            json.loads + the same fields, websocket-client defaults: what
#            certstream-python does per message (certstream-python itself
#            is not installable here: no PyPI; Debian's python3-websocket
#            is the same library it uses)
#   py_skip  the same with skip_utf8_validation=True
# bench/e2e.py runs them in ROUNDS interleaved rounds (the order rotates),
# each under the small launcher bench/e2e_rusage.c, whose wait4() gives the
# client's own CPU and peak RSS; the tables give medians: messages/s,
# CPU-seconds per million messages, peak RSS. The Python peers get fewer
# messages (CPU per message normalises).
#
# Checks: before the rounds each certstream mode runs once with its output
# kept (human: one line per message; --raw: the corpus' first N_PY lines
# byte for byte); every timed run must exit 0, and the sender must see
# every message go out and the close come back; the Python peers must
# count the expected messages, domains and cert_index sum. After the
# rounds a /proc/PID/smaps snapshot of a running certstream shows where its
# RSS is, and three untimed runs of each client count its system calls
# per message (the median; bar: certstream under 0.5) with `perf stat -e
# raw_syscalls:sys_enter` (strace -f -c when perf may not: it slows the
# client, which then finds more records per read, so it counts fewer).
# With BENCH_E2E_VARIANTS=1, four other builds of examples/certstream.c
# (build/e2e/variants/: bearssl-static = BearSSL linked statically,
# glibc-static, musl-static, no-readahead = -DCS_POSIX_READAHEAD=0) run in
# the same rounds on the per-record rows (human output, half the messages)
# and get the same snapshot; BENCH_E2E_VARIANTS="glibc-static musl-static"
# picks some. musl-static is Debian's libbearssl.a with musl-gcc and the
# shims of bench/e2e_fortify_shim.c; build/musl/certstream (`make
# musl-static`) joins as "musl-static (make)" when it exists.
#
# Exit status 1 only when a client missed or mangled messages; missing a
# bar is reported in the table ("bar met" / "bar NOT met").
#
# Environment (defaults in brackets):
#   BENCH_E2E_LITE [50000] BENCH_E2E_FULL [12000]   messages for certstream
#   BENCH_E2E_PY_LITE [2000] BENCH_E2E_PY_FULL [600]      python defaults
#   BENCH_E2E_PYSKIP_LITE [10000] BENCH_E2E_PYSKIP_FULL [4000]  skip_utf8
#   BENCH_E2E_ROUNDS [3]  BENCH_SEED [1]  BENCH_E2E_CORPORA ["lite full"]
#   BENCH_E2E_VARIANTS [1] (0: none; or names, see above)
#   BENCH_E2E_PACKED [1]  BENCH_E2E_PACED [5000:10:10000]
#   BENCH_E2E_SEND [sendall] (or sendfile)
#   CC [cc]  PY [/usr/bin/python3]  B [build]   results go to $B/e2e/
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-cc}
PY=${PY:-/usr/bin/python3}
B=${B:-build}
OUT=$B/e2e
SEED=${BENCH_SEED:-1}
ROUNDS=${BENCH_E2E_ROUNDS:-3}
CORPORA=${BENCH_E2E_CORPORA:-lite full}
VARIANTS=${BENCH_E2E_VARIANTS:-1}
CORPUS_DIR=bench/corpus

echo
echo "== e2e: certstream over TLS on loopback vs websocket-client + json"
mkdir -p "$OUT" "$CORPUS_DIR"
rm -rf "$OUT/results"
mkdir -p "$OUT/results"

for tool in openssl "$PY"; do
    if ! command -v "$tool" >/dev/null; then
        echo "e2e: SKIPPED ($tool is missing)"
        exit 0
    fi
done

# ---- the client under test (as make builds it) -----------------------------
make --no-print-directory -s B="$B" "$B/certstream"
client=$B/certstream

pyflag=()
[ "${BENCH_E2E_PACKED:-1}" = 0 ] && pyflag+=(--no-packed)
if ! "$PY" -c 'import websocket, json' 2>/dev/null; then
    echo "   SKIPPED the Python peers: no websocket module for $PY" \
         "(apt-get install python3-websocket)"
    pyflag+=(--no-python)
else
    echo "   python: $("$PY" -c 'import sys, websocket, ssl
print(sys.version.split()[0], "websocket-client", websocket.__version__,
      ssl.OPENSSL_VERSION)')"
fi

# ---- the launcher that measures each client (see bench/e2e_rusage.c) -------
launcher=$OUT/e2e_rusage
if ! { command -v musl-gcc >/dev/null \
       && musl-gcc -std=c99 -O2 -static -o "$launcher" bench/e2e_rusage.c; } \
   && ! $CC -std=c99 -O2 -static -o "$launcher" bench/e2e_rusage.c \
        2>/dev/null; then
    $CC -std=c99 -O2 -o "$launcher" bench/e2e_rusage.c
fi

# ---- certificates: a test CA and an ECDSA P-256 localhost leaf -------------
certs=$OUT/certs
rm -rf "$certs"
mkdir -p "$certs"
(
    cd "$certs"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 7 \
        -subj "/CN=certstream.h e2e bench CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
    openssl ecparam -name prime256v1 -genkey -noout -out server.key
    openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
    printf '%s\n' "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:localhost,IP:127.0.0.1" > leaf.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
        -CAcreateserial -days 7 -sha256 -extfile leaf.ext -out server.pem
    openssl verify -CAfile ca.pem server.pem
) > "$certs/openssl.log" 2>&1 || {
    cat "$certs/openssl.log" >&2
    echo "e2e: FAILED to make the test certificates" >&2
    exit 1
}

# ---- corpora (cached like bench/run.sh's, keyed by the generator) ----------
gen=tests/gen_feed.py
gen_id="$(basename "$gen" .py)-$(sha1sum "$gen" | cut -c1-8)"
corpus_args=()
for kind in $CORPORA; do
    case $kind in
    lite) n=${BENCH_E2E_LITE:-50000} npy=${BENCH_E2E_PY_LITE:-2000}
          nskip=${BENCH_E2E_PYSKIP_LITE:-10000} ;;
    full) n=${BENCH_E2E_FULL:-12000} npy=${BENCH_E2E_PY_FULL:-600}
          nskip=${BENCH_E2E_PYSKIP_FULL:-4000} ;;
    *) echo "e2e: unknown corpus $kind" >&2; exit 2 ;;
    esac
    f="$CORPUS_DIR/e2e-$kind-$n-s$SEED-$gen_id.ndjson"
    if [ ! -s "$f" ]; then
        find "$CORPUS_DIR" -maxdepth 1 -name "e2e-$kind-*.ndjson" \
            ! -name "*-$gen_id.ndjson" -delete
        echo "   generating $f ($gen --kind $kind --count $n --seed $SEED)"
        "$PY" "$gen" --kind "$kind" --count "$n" --seed "$SEED" \
            > "$f.tmp.$$"
        mv "$f.tmp.$$" "$f"
    fi
    corpus_args+=(--corpus "$kind=$f:$n:$npy:$nskip")
done

# ---- build variants: the same examples/certstream.c, built differently -----
# (for the RSS breakdown; the sources are not touched)
variant_args=()
want() {   # is build variant $1 asked for?
    [ "$VARIANTS" = 1 ] || case " $VARIANTS " in *" $1 "*) ;; *) false ;; esac
}
if [ "$VARIANTS" != 0 ]; then
    vd=$OUT/variants
    mkdir -p "$vd"
    vflags="-std=c99 -O2 -g"
    # without the POSIX transport's read-ahead: two recv() per TLS record
    # (its header, then its body), cs_posix 16 KB smaller
    if want no-readahead && $CC $vflags -DCS_POSIX_READAHEAD=0 -o "$vd/no-readahead" \
           examples/certstream.c -lbearssl 2>"$vd/no-readahead.log"; then
        variant_args+=("--variant=CS_POSIX_READAHEAD=0=$vd/no-readahead")
    fi
    a=$(find /usr/lib /usr/local/lib -name libbearssl.a 2>/dev/null | head -1)
    if [ -n "$a" ]; then
        if want bearssl-static && \
           $CC $vflags -o "$vd/bearssl-static" examples/certstream.c "$a" \
               2>"$vd/bearssl-static.log"; then
            variant_args+=("--variant=glibc dyn, BearSSL .a=$vd/bearssl-static")
        fi
        if want glibc-static && \
           $CC $vflags -static -o "$vd/glibc-static" examples/certstream.c \
               "$a" 2>"$vd/glibc-static.log"; then
            variant_args+=("--variant=glibc -static=$vd/glibc-static")
        fi
        # musl: Debian's .a is built with _FORTIFY_SOURCE, hence the shims
        # (bearssl.md section 0); bearssl.h from a private include dir so
        # that musl's headers are not mixed with glibc's
        if want musl-static && command -v musl-gcc >/dev/null \
           && [ -f /usr/include/bearssl.h ]; then
            mkdir -p "$vd/inc"
            cp -r /usr/include/bearssl* "$vd/inc/"
            if musl-gcc $vflags -static -I"$vd/inc" -o "$vd/musl-static" \
                   examples/certstream.c bench/e2e_fortify_shim.c "$a" \
                   2>"$vd/musl-static.log"; then
                variant_args+=("--variant=musl -static=$vd/musl-static")
            fi
        fi
    fi
    if want musl-static && [ -x "$B/musl/certstream" ]; then
        variant_args+=("--variant=musl-static (make)=$B/musl/certstream")
    fi
    if [ ${#variant_args[@]} -eq 0 ]; then
        echo "   SKIPPED the build variants (no libbearssl.a / musl-gcc)"
    fi
fi

# ---- run --------------------------------------------------------------------
exec "$PY" bench/e2e.py --out "$OUT/results" --client "$client" \
    --launcher "$launcher" \
    --cert "$certs/server.pem" --key "$certs/server.key" \
    --ca "$certs/ca.pem" --rounds "$ROUNDS" \
    --paced "${BENCH_E2E_PACED:-5000:10:10000}" \
    --send "${BENCH_E2E_SEND:-sendall}" \
    "${corpus_args[@]}" ${variant_args[@]+"${variant_args[@]}"} \
    ${pyflag[@]+"${pyflag[@]}"}
