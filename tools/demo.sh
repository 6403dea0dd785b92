#!/usr/bin/env bash
# The main job, offline: a local CertStream server (Debian's Python
# websockets over TLS, on 127.0.0.1, with a demo CA made here by openssl)
# streams a generated feed, and build/certstream connects to it over wss://
# and prints certificates as they arrive, as a user would run it against
# their own server. Then direct mode: a local static-ct-api CT log
# (tests/ctlog.py over TLS, generated certificates, a tree that grows) and
# build/certstream reading it with no server in between. Then the
# recorded-feed tool, cs-extract. Installs what it needs.
set -eu
cd "$(dirname "$0")/.."
bash tools/deps.sh demo
make --no-print-directory build/certstream build/cs-extract >/dev/null
d=build/demo
mkdir -p "$d"
for k in lite full domains; do
    /usr/bin/python3 tests/gen_feed.py --kind "$k" --count 3000 --seed 7 \
        --style mixed > "$d/$k.ndjson"
done
# A demo CA and a certificate for localhost (ECDSA P-256, 1 day).
openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null
openssl req -x509 -new -key "$d/ca.key" -sha256 -days 2 -subj "/CN=demo CA" \
    -out "$d/ca.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$d/srv.key" 2>/dev/null
openssl req -new -key "$d/srv.key" -subj "/CN=localhost" -out "$d/srv.csr" \
    2>/dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' \
    > "$d/ext.cnf"
openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -days 1 -sha256 -extfile "$d/ext.cnf" -out "$d/srv.pem" \
    2>/dev/null
/usr/bin/python3 tools/demo_server.py --feed-dir "$d" --rate 200 --loop \
    --cert "$d/srv.pem" --key "$d/srv.key" > "$d/server.txt" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
for _ in $(seq 300); do    # up to 30 s: slow on a busy machine
    grep -q '^port' "$d/server.txt" 2>/dev/null && break
    sleep 0.1
done
port=$(awk '/^port/ {print $2}' "$d/server.txt")
url="wss://localhost:$port"
export CERTSTREAM_CA="$d/ca.pem"
echo "A local CertStream server streams a generated feed on $url"
echo "(TLS, certificate from a demo CA: CERTSTREAM_CA=$CERTSTREAM_CA)"
echo
echo "\$ certstream --url $url/ --verbose     (3 seconds, then Ctrl-C)"
timeout -s INT 3 build/certstream --url "$url/" --verbose \
    > "$d/human.txt" 2> "$d/verbose.txt" || true
sed -n 1,3p "$d/verbose.txt"
head -n 8 "$d/human.txt" | cut -c1-150
echo "  ... $(wc -l < "$d/human.txt") certificate lines in 3 s"
tail -n 1 "$d/verbose.txt"
echo
echo "\$ certstream --url $url/domains-only -n 5"
build/certstream --url "$url/domains-only" -n 5
echo
echo "\$ certstream --url $url/full-stream --json -n 2 | cut -c1-150"
build/certstream --url "$url/full-stream" --json -n 2 | cut -c1-150
echo
echo "\$ certstream --url $url/ --once     (the system's CAs do not know the demo CA)"
CERTSTREAM_CA= build/certstream --url "$url/" --once --verbose 2>&1 | tail -n 1 \
    || true
echo "  exit status $(CERTSTREAM_CA= build/certstream --url "$url/" --once \
    >/dev/null 2>&1; echo $?)"
echo
# Direct mode: a local CT log (static-ct-api, TLS with its own CA), 300
# entries published at start and 40 more every half second.
# Reached as localhost (BearSSL checks names, not IP addresses), so the
# checkpoint names the log that way.
ctport=$(/usr/bin/python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 tests/ctlog.py --kind static --entries 2000 --initial 300 \
    --grow-every 0.5 --grow-by 40 --tls --ca-out "$d/ctca.pem" \
    --port "$ctport" --prefix /demo2026h1/ --origin "localhost:$ctport/demo2026h1" \
    > "$d/ctlog.txt" 2> "$d/ctlog.err" &
ct=$!
trap 'kill $srv $ct 2>/dev/null || true' EXIT
for _ in $(seq 600); do    # it makes 2000 certificates first
    [ -s "$d/ctlog.txt" ] && break
    sleep 0.1
done
ctjson=$(head -n 1 "$d/ctlog.txt")
field() { printf '%s' "$ctjson" | /usr/bin/python3 -c \
    "import json,sys; print(json.load(sys.stdin)['$1'])"; }
logurl=https://localhost:$ctport/demo2026h1/
logkey=$(field key)
echo "Direct mode: no server. A local static CT log grows at $logurl"
echo "(300 entries, 40 more every 0.5 s; TLS from its own CA: $d/ctca.pem)"
echo
echo "\$ certstream --tiled-log $logurl --log-key KEY --ca $d/ctca.pem -n 5"
echo "  (new entries only: it starts at the tree's size)"
build/certstream --tiled-log "$logurl" --log-key "$logkey" \
    --ca "$d/ctca.pem" -n 5 --disable-colors | cut -c1-150
echo
echo "\$ certstream --tiled-log $logurl --ca ... --from 0 --json -n 300 | jq ..."
build/certstream --tiled-log "$logurl" --log-key "$logkey" \
    --ca "$d/ctca.pem" --from 0 --json -n 300 > "$d/direct.ndjson"
echo "  $(wc -l < "$d/direct.ndjson") certificate_update lines, entries" \
     "$(head -n 1 "$d/direct.ndjson" | /usr/bin/python3 -c \
        "import json,sys; print(json.load(sys.stdin)['data']['cert_index'])")" \
     "to $(tail -n 1 "$d/direct.ndjson" | /usr/bin/python3 -c \
        "import json,sys; print(json.load(sys.stdin)['data']['cert_index'])")" \
     "in order; the first:"
head -n 1 "$d/direct.ndjson" | cut -c1-300
kill $ct 2>/dev/null || true
echo
feed=$d/mixed.ndjson
/usr/bin/python3 tests/gen_feed.py --kind mixed --count 20000 --seed 7 > "$feed"
start=$(date +%s%N)
build/cs-extract < "$feed" > "$d/extract.ndjson"
end=$(date +%s%N)
echo "\$ cs-extract < recorded.ndjson   ($(wc -l < "$feed") messages," \
     "$(du -h "$feed" | cut -f1)): $(( (end - start) / 1000000 )) ms; first 2:"
head -n 2 "$d/extract.ndjson" | cut -c1-150
