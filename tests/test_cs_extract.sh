#!/usr/bin/env bash
# The command-line contract of cs-extract: options, exit status, messages,
# FILE... and NDJSON input, the shape and escaping of its output lines.
# CS_BUILD (default build) names the build folder, relative to the repo.
set -u
cd "$(dirname "$0")/.." || exit 1
EXE="${CS_BUILD:-build}/cs-extract"
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}
# check DESCRIPTION COMMAND...: one assertion (what the command printed is
# shown, last lines only, when it fails)
check() {
    local d=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok
    else
        bad "$d"
        [ -n "$out" ] && printf '%s\n' "$out" | tail -n 2 | sed 's/^/      /'
    fi
}
# run ARGS...: stdout, stderr and status of cs-extract (stdin: $T/in)
run() {
    "$EXE" "$@" <"$T/in" >"$T/out" 2>"$T/err"
    rc=$?
}
lines() { wc -l <"$1" | tr -d ' '; }
# pycheck FILE SCRIPT: run python with FILE's lines in L (parsed JSON)
pycheck() {
    "$PY" - "$1" <<EOF
import json, sys
raw = open(sys.argv[1], 'rb').read().split(b'\n')
assert raw[-1] == b'', 'output does not end with a newline'
L = [json.loads(x.decode('utf-8')) for x in raw[:-1]]
$2
EOF
}

if [ ! -x "$EXE" ]; then
    echo "FAIL: $EXE not found (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi
ABS_EXE="$(cd "$(dirname "$EXE")" && pwd)/cs-extract"
: >"$T/in"

# ---- bad options: exit 2, nothing on stdout, a message naming the option
badopt() {
    local name=$1
    shift
    run "$@"
    check "bad option [$*]: exit 2 (got $rc)" test "$rc" -eq 2
    check "bad option [$*]: stdout empty" test ! -s "$T/out"
    check "bad option [$*]: stderr names '$name'" \
        grep -qF -- "$name" "$T/err"
}
badopt --bogus --bogus
badopt -x -x
badopt --bogus --chunk 3 --bogus
badopt --chunk --chunk
badopt --chunk --chunk 0
badopt --chunk --chunk abc
badopt --chunk --chunk -3
badopt --chunk --chunk 5x
badopt --chunk --chunk random:
badopt --chunk --chunk random:x
badopt --chunk --chunk 99999999999999999999999
badopt --domain-buf --domain-buf
badopt --domain-buf --domain-buf x
badopt --domain-buf --domain-buf -1
badopt --domain-buf --domain-buf 99999999999999
# a bad option stops everything: the file after it is not read
printf '{}' >"$T/one.json"
run --nope "$T/one.json"
check "bad option before a file: exit 2, no output" \
    test "$rc" -eq 2 -a ! -s "$T/out"

# ---- --help, -h, --version
for h in --help -h; do
    run "$h"
    check "$h: exit 0 (got $rc)" test "$rc" -eq 0
    check "$h: usage on stdout" grep -q '^usage: cs-extract' "$T/out"
    for o in --chunk random:SEED --domain-buf --version FILE; do
        check "$h: mentions $o" grep -qF -- "$o" "$T/out"
    done
    check "$h: stderr empty" test ! -s "$T/err"
done
ver=$(sed -n 's/^#define CERTSTREAM_VERSION_STRING "\(.*\)"/\1/p' certstream.h)
run --version
check "--version: exit 0" test "$rc" -eq 0
check "--version: one line" test "$(lines "$T/out")" -eq 1
check "--version: says $ver" grep -qF -- "$ver" "$T/out"
run --chunk 3 --version
check "--version after another option: exit 0" test "$rc" -eq 0

# ---- FILE...: one line per file, in order; a missing file is reported,
# the others are still processed, the exit status is nonzero
printf '{"message_type":"first"}' >"$T/a.json"
printf '{"message_type":"second"}' >"$T/b.json"
run "$T/a.json" "$T/missing.json" "$T/b.json"
check "missing file: exit nonzero" test "$rc" -ne 0
check "missing file: stderr names it" grep -qF "missing.json" "$T/err"
check "missing file: the other two processed, in order" \
    pycheck "$T/out" "assert [d.get('type') for d in L] == ['first', 'second'], L"
run "$T/a.json" "$T/b.json"
check "two good files: exit 0" test "$rc" -eq 0
check "two good files: two lines" test "$(lines "$T/out")" -eq 2
mkdir "$T/dir.json"
run "$T/a.json" "$T/dir.json" "$T/b.json"
check "unreadable (directory): exit nonzero" test "$rc" -ne 0
check "unreadable (directory): stderr names it" grep -qF "dir.json" "$T/err"
check "unreadable (directory): the good files still processed" \
    pycheck "$T/out" "assert [d.get('type') for d in L if 'type' in d] == ['first', 'second'], L"
# a file is one message even with raw newlines in it (pretty-printed)
"$PY" -c 'import json; print(json.dumps({"data": {"cert_index": 7,
  "leaf_cert": {"all_domains": ["a.com", "b.org"]}},
  "message_type": "certificate_update"}, indent=2))' >"$T/pretty.json"
run "$T/pretty.json"
check "pretty-printed file: one line, its fields" pycheck "$T/out" \
    "assert L == [{'type': 'certificate_update', 'cert_index': 7, 'domains': ['a.com', 'b.org'], 'domain_count': 2}], L"
# -- ends the options: a file whose name starts with '-'
printf '{"message_type":"dash"}' >"$T/-x.json"
(cd "$T" && "$ABS_EXE" -- -x.json >out 2>err)
check "-- then a file named -x.json" pycheck "$T/out" \
    "assert L == [{'type': 'dash'}], L"

# ---- stdin NDJSON: empty lines are not messages, the last line needs no
# newline, CRLF line ends work
printf '{"message_type":"1"}\n\n\n{"message_type":"2"}\n{"message_type":"3"}' \
    >"$T/in"
run
check "NDJSON: exit 0" test "$rc" -eq 0
check "NDJSON: empty lines skipped, last line without newline read" \
    pycheck "$T/out" "assert [d.get('type') for d in L] == ['1', '2', '3'], L"
printf '{"message_type":"1"}\r\n{"message_type":"2","timestamp":5}\r\n' >"$T/in"
run
check "NDJSON CRLF: two messages" pycheck "$T/out" \
    "assert L == [{'type': '1'}, {'type': '2', 'timestamp': 5.0}], L"
printf '{"message_type":"1"}\r\n\r\n{"message_type":"2"}\r\n\r\n' >"$T/in"
run
check "NDJSON CRLF: an empty CRLF line is an empty line, not a message" \
    pycheck "$T/out" "assert [d.get('type') for d in L] == ['1', '2'], L"
printf '\n\n\n' >"$T/in"
run
check "NDJSON: only empty lines: no output, exit 0" \
    test "$rc" -eq 0 -a ! -s "$T/out"
printf ' \t\r\n{"message_type":"x"}\n  \n\t' >"$T/in"
run
check "NDJSON: blank lines (spaces, tabs, CRs) are not messages" \
    pycheck "$T/out" "assert L == [{'type': 'x'}], L"
printf ' \t ' >"$T/blank.json"
run "$T/blank.json"
check "FILE: a blank file is a message, and incomplete" pycheck "$T/out" \
    "assert L == [{'error': 'CS_E_JSON_INCOMPLETE', 'offset': 3}], L"
: >"$T/in"
run
check "NDJSON: empty input: no output, exit 0" \
    test "$rc" -eq 0 -a ! -s "$T/out"
# one line per message, good or bad; a bad one does not disturb the next
printf '{"message_type":"a"}\n{"message_type":\n[1,2]\n{"message_type":"b"}\n{"x":1}}\n{"message_type":"c"}\n' \
    >"$T/in"
run
check "NDJSON: bad lines give error lines, neighbours unaffected" \
    pycheck "$T/out" "
assert len(L) == 6, L
assert [L[i].get('type') for i in (0, 3, 5)] == ['a', 'b', 'c'], L
assert L[1] == {'error': 'CS_E_JSON_INCOMPLETE', 'offset': 16}, L[1]
assert L[2].get('error') == 'CS_E_JSON_NOT_OBJECT', L[2]
assert L[4].get('error') == 'CS_E_JSON_TRAILING', L[4]"
# a message longer than the 64 KiB read buffer, split across reads
"$PY" -c 'import json; print(json.dumps({"message_type": "dns_entries",
  "data": ["host%05d.example.com" % i for i in range(6000)]}))' >"$T/in"
printf '{"message_type":"after"}\n' >>"$T/in"
for c in "" "--chunk 1" "--chunk random:5"; do
    # shellcheck disable=SC2086
    run $c
    check "NDJSON: 150 KB line ($c)" pycheck "$T/out" "
assert len(L) == 2 and L[0]['domain_count'] == 6000, len(L)
assert L[0]['domains'][5999] == 'host05999.example.com'
assert L[1] == {'type': 'after'}"
done

# ---- output: valid JSON, one object per line, for a generated feed
"$PY" tests/gen_feed.py --kind mixed --count 400 --seed 7 >"$T/in"
run
check "generated feed: exit 0" test "$rc" -eq 0
check "generated feed: one valid JSON object per input line" \
    pycheck "$T/out" "
assert len(L) == 400, len(L)
keys = {'type', 'cert_index', 'seen', 'source_url', 'source_name',
        'timestamp', 'sha1', 'sha256', 'domains', 'domain_count',
        'truncated', 'wrong_type'}
for d in L:
    assert isinstance(d, dict) and set(d) <= keys, d
    assert 'error' not in d, d
    for k, n in (('sha1', 40), ('sha256', 64)):
        assert k not in d or (len(d[k]) == n and d[k] == d[k].lower()
                              and int(d[k], 16) >= 0), d
assert sum('sha1' in d for d in L) > 100, 'few certificates with a sha1'
assert sum('sha256' in d for d in L) > 50, 'few certificates with a sha256'"
run --chunk 3
cp "$T/out" "$T/out3"
run
check "generated feed: --chunk 3 gives the same output" cmp -s "$T/out" "$T/out3"

# ---- fingerprints: lowercase hex after timestamp, wrong ones named
printf '%s\n' '{"message_type":"certificate_update","data":{"leaf_cert":{"fingerprint":"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01","sha256":"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff","all_domains":["a.example"]}}}' \
    '{"data":{"leaf_cert":{"fingerprint":"AB:CD","sha256":5}}}' >"$T/in"
run
check "fingerprints: exact lines" cmp -s "$T/out" - <<'EOF'
{"type":"certificate_update","sha1":"abcdef0123456789abcdef0123456789abcdef01","sha256":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","domains":["a.example"],"domain_count":1}
{"wrong_type":["sha1","sha256"]}
EOF

# ---- string escaping in the output: control characters, quotes,
# backslashes, NUL, DEL, non-ASCII, U+2028, lone surrogates
"$PY" - "$T/in" <<'EOF'
import json, sys
s = ''.join(chr(c) for c in range(0x20)) + '"\\/\x7f é€😀\u2028\u2029'
msg = {'message_type': s, 'data': {'source': {'url': 'u"\\' + s[:8],
       'name': '\t\n' + s[-9:]}, 'leaf_cert': {'all_domains': [s, '"', '\\']}}}
with open(sys.argv[1], 'w') as f:
    f.write(json.dumps(msg, ensure_ascii=True) + '\n')
    f.write(json.dumps(msg, ensure_ascii=False) + '\n')
    f.write('{"message_type":"\\ud800x\\udc00","data":["\\udbff"]}\n')
EOF
run
check "escaping: output is exact" pycheck "$T/out" "
s = ''.join(chr(c) for c in range(0x20)) + '\"\\\\/\x7f é€😀\u2028\u2029'
want = {'type': s, 'source_url': 'u\"\\\\' + s[:8], 'source_name': '\t\n' + s[-9:],
        'domains': [s, '\"', '\\\\'], 'domain_count': 3}
assert L[0] == want, (L[0], want)
assert L[1] == want, L[1]
assert L[2] == {'type': '\ufffdx\ufffd', 'domains': ['\ufffd'], 'domain_count': 1}, L[2]"
check "escaping: no raw control bytes in the output" \
    "$PY" -c 'import sys; b = open(sys.argv[1], "rb").read()
sys.exit(any(c < 0x20 and c != 10 for c in b))' "$T/out"

# ---- --domain-buf: a small store keeps what fits and flags the rest
"$PY" -c 'import json; print(json.dumps({"message_type": "dns_entries",
  "data": ["name%02d.example.com" % i for i in range(50)]}))' >"$T/in"
run --domain-buf 200
check "--domain-buf 200: truncated domains, domain_count > stored" \
    pycheck "$T/out" "
d = L[0]
assert d.get('truncated') == ['domains'], d
assert d['domain_count'] == 50 and 0 < len(d['domains']) < 50, d
assert d['domains'] == ['name%02d.example.com' % i for i in range(len(d['domains']))], d"
run --domain-buf 0
check "--domain-buf 0: nothing stored, all counted" pycheck "$T/out" \
    "assert L == [{'type': 'dns_entries', 'domains': [], 'domain_count': 50, 'truncated': ['domains']}], L"
run --domain-buf 262144
check "--domain-buf at its maximum: all stored" pycheck "$T/out" \
    "assert len(L[0]['domains']) == 50 and 'truncated' not in L[0], L"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
