# Sourced by tests/run.sh and tools/test.sh: adding up the
# "N passed, N failed[, N skipped]" lines that every test ends with.
tp=0; tf=0; ts=0

# sum_add OUTPUT_FILE EXIT_STATUS: add the file's last summary line to the
# totals (a nonzero exit with no failure counted is one failure). Returns 1
# when the file has no summary line, adding nothing.
sum_add() {
    local line p f s
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    [ -n "$line" ] || return 1
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   (exit $2 with no failure counted: counted as 1 failure)"
        f=1
    fi
    tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + ${s:-0}))
}

# sum_print: the closing line; the status is 0 when nothing failed.
sum_print() {
    echo
    if [ "$ts" -gt 0 ]; then
        echo "$tp passed, $tf failed, $ts skipped"
    else
        echo "$tp passed, $tf failed"
    fi
    [ "$tf" -eq 0 ]
}
