#!/usr/bin/env bash
# The main job, offline: a generated CertStream feed (all three stream
# kinds, every server's style) through build/cs-extract, as a user who
# records the feed would run it. Installs what it needs.
set -eu
cd "$(dirname "$0")/.."
bash tools/deps.sh build
make --no-print-directory build/cs-extract >/dev/null
feed=build/demo-feed.ndjson
/usr/bin/python3 tests/gen_feed.py --kind mixed --count 20000 --seed 7 > "$feed"
echo "A recorded feed: $(wc -l < "$feed") messages, $(du -h "$feed" | cut -f1)."
echo "First message (truncated to 300 bytes):"
head -n 1 "$feed" | cut -c1-300
echo
echo "cs-extract, first 8 results:"
build/cs-extract < "$feed" | head -n 8 | cut -c1-240
echo
start=$(date +%s%N)
build/cs-extract < "$feed" > build/demo-out.ndjson
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
echo "Extracted $(wc -l < build/demo-out.ndjson) messages in ${ms} ms (including output);"
echo "  by type:"
grep -o '"type":"[a-z_]*"' build/demo-out.ndjson | sort | uniq -c | sed 's/^/    /'
echo "  domains seen: $(grep -o '"domain_count":[0-9]*' build/demo-out.ndjson | awk -F: '{s+=$2} END {print s+0}')"
echo "  rejected messages: $(grep -c '"error"' build/demo-out.ndjson || true)"
echo
echo "A malformed message between two good ones costs only itself:"
{ head -n 1 "$feed"; echo '{"message_type":"certificate_update","data":{"cert_index":12,}}'; sed -n 2p "$feed"; } \
    | build/cs-extract | cut -c1-160
