#!/usr/bin/env bash
# Runs every test program and script given, each of which ends its output
# with "N passed, N failed" (and optionally ", N skipped"); prints each
# one's summary and the total. A program that crashes or prints no summary
# counts as one failure.
set -u
. "$(dirname "$0")/summary.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
    echo "== $t"
    { if [[ "$t" == *.sh ]]; then bash "$t"; elif [[ "$t" == *.py ]]; then /usr/bin/python3 "$t"; else "$t"; fi; } > "$out" 2>&1
    rc=$?
    tail -n 25 "$out"
    if ! sum_add "$out" "$rc"; then
        echo "   (no summary line, exit $rc: counted as 1 failure)"
        tf=$((tf + 1))
    fi
done
sum_print
