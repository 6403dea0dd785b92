#!/usr/bin/env bash
# The main job, offline: a local CertStream server (Debian's Python
# websockets, on 127.0.0.1) streams a generated feed, and build/certstream
# connects to it and prints certificates as they arrive, as a user would
# run it against their own server. Then the recorded-feed tool, cs-extract.
# Installs what it needs.
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
/usr/bin/python3 tools/demo_server.py --feed-dir "$d" --rate 200 --loop \
    > "$d/server.txt" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    grep -q '^port' "$d/server.txt" 2>/dev/null && break
    sleep 0.1
done
port=$(awk '/^port/ {print $2}' "$d/server.txt")
url="ws://127.0.0.1:$port"
echo "A local CertStream server streams a generated feed on $url"
echo
echo "\$ certstream --url $url/ --verbose     (3 seconds, then Ctrl-C)"
timeout -s INT 3 build/certstream --url "$url/" --verbose \
    > "$d/human.txt" 2> "$d/verbose.txt" || true
sed -n 1,2p "$d/verbose.txt"
head -n 8 "$d/human.txt" | cut -c1-150
echo "  ... $(wc -l < "$d/human.txt") certificate lines in 3 s"
tail -n 1 "$d/verbose.txt"
echo
echo "\$ certstream --url $url/domains-only -n 5 --full"
build/certstream --url "$url/domains-only" -n 5 --full | head -n 5
echo
echo "\$ certstream --url $url/full-stream --json -n 2 | cut -c1-150"
build/certstream --url "$url/full-stream" --json -n 2 | cut -c1-150
echo
feed=$d/mixed.ndjson
/usr/bin/python3 tests/gen_feed.py --kind mixed --count 20000 --seed 7 > "$feed"
start=$(date +%s%N)
build/cs-extract < "$feed" > "$d/extract.ndjson"
end=$(date +%s%N)
echo "\$ cs-extract < recorded.ndjson   ($(wc -l < "$feed") messages," \
     "$(du -h "$feed" | cut -f1)): $(( (end - start) / 1000000 )) ms; first 2:"
head -n 2 "$d/extract.ndjson" | cut -c1-150
