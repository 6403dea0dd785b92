#!/usr/bin/env bash
# Runs every test program and script given, each of which ends its output
# with "N passed, N failed" (and optionally ", N skipped"); prints each
# one's summary and the total. A program that crashes or prints no summary
# counts as one failure.
set -u
tp=0; tf=0; ts=0
for t in "$@"; do
    echo "== $t"
    out=$( { if [[ "$t" == *.sh ]]; then bash "$t"; elif [[ "$t" == *.py ]]; then /usr/bin/python3 "$t"; else "$t"; fi; } 2>&1 )
    rc=$?
    printf '%s\n' "$out" | tail -n 25
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "   (no summary line, exit $rc: counted as 1 failure)"
        tf=$((tf + 1)); continue
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   (exit $rc with no failure counted: counted as 1 failure)"
        f=1
    fi
    tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + s))
done
echo
if [ "$ts" -gt 0 ]; then
    echo "$tp passed, $tf failed, $ts skipped"
else
    echo "$tp passed, $tf failed"
fi
[ "$tf" -eq 0 ]
