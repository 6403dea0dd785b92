#!/usr/bin/env bash
# Every command in README.md's ```sh blocks runs and prints something
# sensible (the C blocks are compiled by test_readme.sh).
#
# - `bash tools/demo.sh` runs for real: exit 0 and certificate lines.
# - `bash tools/test.sh` is what CI runs: skipped here.
# - `build/certstream ...` lines run against a local CertStream server
#   (tools/demo_server.py over wss:// with a demo CA, --loop, a free port):
#   `localhost:8443` becomes `localhost:PORT`, `build/` becomes
#   `$CS_BUILD/`, and each certstream is stopped by SIGINT after 3 s (the
#   feed never ends). Passing: exit 0 or 124 (the time limit; with
#   pipefail), at least one non-empty line on stdout (or a --stats line on
#   stderr, counting messages, when stdout goes elsewhere), and nothing on
#   stderr but connection events (so no jq error, no certstream failure).
# - Other lines (`make ...`) run as written from the repository root, with
#   a time limit, and must exit 0; the long ones (make bench, fuzz, afl,
#   soak, check) are skipped: CI and the bench run them.
# Needs jq (installed with apt-get when running as root).
set -u
cd "$(dirname "$0")/.." || exit 1
B=${CS_BUILD:-build}
readme=${CS_README:-README.md}   # another file, to test this test
d=$B/readme_cmds
rm -rf "$d"
mkdir -p "$d"
pass=0; fail=0; skip=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
skipped() { echo "skipped: $*"; skip=$((skip + 1)); }
finish() {
    if [ "$skip" -gt 0 ]; then
        echo "$pass passed, $fail failed, $skip skipped"
    else
        echo "$pass passed, $fail failed"
    fi
    [ "$fail" -eq 0 ]
    exit
}

# jq, for the README's `--json | jq ...` line.
if ! command -v jq >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq \
            >/dev/null 2>&1 || true
    fi
    if ! command -v jq >/dev/null 2>&1; then
        bad "jq is not installed (apt-get install jq; tools/deps.sh test)"
        finish
    fi
fi

# The command lines: every non-blank line of every ```sh block, with its
# comment (an unquoted # at the start of a word) cut off.
awk '/^```sh[[:space:]]*$/ {f = 1; next} /^```/ {f = 0} f' "$readme" \
| awk '{
    out = ""; q = ""; prev = " "
    for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (q != "") { if (c == q) q = "" }
        else if (c == "\047" || c == "\"") q = c
        else if (c == "#" && prev ~ /[ \t]/) break
        out = out c; prev = c
    }
    sub(/[ \t]+$/, "", out)
    if (out != "") print out
}' > "$d/commands.txt"
[ -s "$d/commands.txt" ] || { bad "no command in $readme's sh blocks"; finish; }
echo "$readme: $(wc -l < "$d/commands.txt") commands in sh blocks"

# The local server, started at the first certstream command.
srv=""
port=""
start_server() {
    local k
    [ -n "$port" ] && return 0
    for k in lite full domains; do
        /usr/bin/python3 tests/gen_feed.py --kind "$k" --count 300 --seed 11 \
            --style mixed > "$d/$k.ndjson" || return 1
    done
    # A demo CA and a certificate for localhost, as tools/demo.sh makes them.
    openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" \
        2>/dev/null || return 1
    openssl req -x509 -new -key "$d/ca.key" -sha256 -days 2 \
        -subj "/CN=readme test CA" -out "$d/ca.pem" 2>/dev/null || return 1
    openssl ecparam -name prime256v1 -genkey -noout -out "$d/srv.key" \
        2>/dev/null || return 1
    openssl req -new -key "$d/srv.key" -subj "/CN=localhost" \
        -out "$d/srv.csr" 2>/dev/null || return 1
    printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' \
        > "$d/ext.cnf"
    openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
        -CAcreateserial -days 1 -sha256 -extfile "$d/ext.cnf" \
        -out "$d/srv.pem" 2>/dev/null || return 1
    /usr/bin/python3 tools/demo_server.py --feed-dir "$d" --rate 300 --loop \
        --cert "$d/srv.pem" --key "$d/srv.key" > "$d/server.txt" 2>&1 &
    srv=$!
    for _ in $(seq 300); do
        grep -q '^port' "$d/server.txt" 2>/dev/null && break
        kill -0 "$srv" 2>/dev/null || break
        sleep 0.1
    done
    port=$(awk '/^port/ {print $2}' "$d/server.txt")
    [ -n "$port" ] || { cat "$d/server.txt"; kill "$srv" 2>/dev/null; srv=""; return 1; }
    export CERTSTREAM_CA=$d/ca.pem
    echo "local server: wss://localhost:$port (CERTSTREAM_CA=$CERTSTREAM_CA)"
}

# The local CT log (static-ct-api over TLS, growing) for the direct-mode
# lines, which name it as localhost:8444; started at the first of them.
ct=""
ctport=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; [ -n "$ct" ] && kill "$ct" 2>/dev/null; true' EXIT
start_ctlog() {
    [ -n "$ctport" ] && return 0
    # named localhost (BearSSL checks no IP address), the checkpoint too
    local p
    p=$(/usr/bin/python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    /usr/bin/python3 tests/ctlog.py --kind static --entries 3000 \
        --initial 300 --grow-every 0.2 --grow-by 20 --tls \
        --ca-out "$d/ctca.pem" --port "$p" --prefix /2026h1/ \
        --origin "localhost:$p/2026h1" > "$d/ctlog.txt" 2> "$d/ctlog.err" &
    ct=$!
    # (it makes 3000 certificates first: slow on a busy machine)
    for _ in $(seq 600); do
        [ -s "$d/ctlog.txt" ] && break
        kill -0 "$ct" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$d/ctlog.txt" ] || { cat "$d/ctlog.err"; kill "$ct" 2>/dev/null; ct=""; return 1; }
    ctport=$p
    echo "local CT log: https://localhost:$ctport/2026h1/"
}

# show NAME: a failed command's output.
show() {
    echo "  --- stdout (first 10 lines):"
    head -n 10 "$d/$1.out" | cut -c1-200 | sed 's/^/  /'
    echo "  --- stderr (first 10 lines):"
    head -n 10 "$d/$1.err" | cut -c1-200 | sed 's/^/  /'
}

# The connection events that --verbose prints; anything else on stderr is
# an error.
events='^certstream: (connecting to |connected$|wss:// trusts |redirected |disconnected: closed |retrying in |stats: |total: |WARNING: https://localhost:[0-9]+/2026h1/: |1 log without a key|a message had [0-9]+ domains; [0-9]+ fit )'

is_cs='(^|[[:space:]|;&(])build/certstream([[:space:]]|$)'
n=0
while IFS= read -r cmd <&3; do
    n=$((n + 1))
    case "$cmd" in
    "bash tools/test.sh")
        skipped "$cmd (what CI runs; it runs this test too)"
        continue ;;
    "bash tools/demo.sh")
        start=$(date +%s)
        timeout -k 5 120 bash tools/demo.sh > "$d/$n.out" 2> "$d/$n.err"
        rc=$?
        lines=$(sed -nE 's/^  \.\.\. ([0-9]+) certificate lines in.*/\1/p' \
                "$d/$n.out")
        human=$(grep -cE '^\[[0-9T:.-]+\] .+ - ' "$d/$n.out")
        if [ "$rc" -eq 0 ] && [ "${lines:-0}" -gt 0 ] && [ "$human" -gt 0 ]
        then
            ok "$cmd ($((  $(date +%s) - start )) s; ${lines} certificate" \
               "lines in 3 s)"
        else
            bad "$cmd: exit $rc, ${lines:-no} certificate lines counted," \
                "$human shown"
            show "$n"
        fi
        continue ;;
    "make bench"*|"make fuzz"|"make fuzz "*|"make afl"*|"make soak"*|\
    "make check"*)
        skipped "$cmd: run by CI/bench"
        continue ;;
    esac
    if ! [[ "$cmd" =~ $is_cs ]]; then
        # Not a certstream command: as written, from the repository root.
        timeout -k 5 120 bash -o pipefail -c "$cmd" > "$d/$n.out" \
            2> "$d/$n.err"
        rc=$?
        if [ "$rc" -eq 0 ]; then ok "$cmd"; else bad "$cmd: exit $rc"; show "$n"; fi
        continue
    fi
    if [[ "$cmd" == *--url* && "$cmd" != *localhost:8443* ]]; then
        bad "$cmd: its URL is not on localhost:8443, so it cannot be run" \
            "against the local server (and would need the network)"
        continue
    fi
    if ! start_server; then
        bad "$cmd: the local CertStream server did not start"
        continue
    fi
    ca=$d/ca.pem
    if [[ "$cmd" == *localhost:8444* ]]; then
        if ! start_ctlog; then
            bad "$cmd: the local CT log did not start"
            continue
        fi
        ca=$d/ctca.pem
    fi
    run=$(printf '%s\n' "$cmd" | sed -E \
        -e "s#localhost:8443#localhost:$port#g" \
        -e "s#localhost:8444#localhost:$ctport#g" \
        -e "s#(^|[[:space:]|;&(])build/certstream([[:space:]]|\$)#\\1@CERTSTREAM@\\2#g" \
        -e "s#(^|[[:space:]|;&(=])build/#\\1$B/#g" \
        -e "s#@CERTSTREAM@#timeout -k 2 -s INT 3 $B/certstream#g")
    CERTSTREAM_CA=$ca timeout -k 2 15 bash -o pipefail -c "$run" \
        > "$d/$n.out" 2> "$d/$n.err"
    rc=$?
    # What it printed: the lines on stdout, or on stderr the --stats lines
    # (for a command that sends stdout elsewhere); a --stats line that
    # counted no message is an error.
    lines=$(( $(grep -c . "$d/$n.out") \
              + $(grep -cE '^certstream: (stats|total): ' "$d/$n.err") ))
    errs=$(( $(grep -vcE "$events" "$d/$n.err") \
             + $(grep -cE '^certstream: (stats|total): .*; 0 messages' \
                 "$d/$n.err") ))
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; } && [ "$lines" -gt 0 ] \
        && [ "$errs" -eq 0 ]; then
        ok "$cmd ($lines lines)"
    else
        bad "$cmd: exit $rc, $lines lines on stdout, $errs unexpected" \
            "lines on stderr (ran: $run)"
        show "$n"
    fi
done 3< "$d/commands.txt"
finish
