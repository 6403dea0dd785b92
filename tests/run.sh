#!/usr/bin/env bash
# Runs every test program and script given, each of which ends its output
# with "N passed, N failed" (and optionally ", N skipped"); prints each
# one's summary and the total. A program that crashes or prints no summary
# counts as one failure.
# TEST_JOBS steps run at a time (default: nproc; most scripts spend
# their time waiting on sockets and timers). Every test picks its own free
# ports and temporary folders, so they may overlap. Outputs are printed as
# the steps end, each with its wall time; the longest are listed last.
set -u
. "$(dirname "$0")/summary.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
steps=("$@")

# one step: its output, exit status and seconds in $dir/N.{out,rc,s}
run_one() {
    local i=$1 t=$2 t0=$SECONDS rc
    { if [[ "$t" == *.sh ]]; then bash "$t"; elif [[ "$t" == *.py ]]; then /usr/bin/python3 "$t"; else "$t"; fi; } > "$dir/$i.out" 2>&1
    rc=$?
    echo $((SECONDS - t0)) > "$dir/$i.s"
    echo "$rc" > "$dir/$i.rc"
}

# print the steps that have finished, as they finish
left=" ${!steps[*]} "
times=""
flush() {
    local i t s rc
    for i in $left; do
        [ -e "$dir/$i.rc" ] || continue
        t=${steps[$i]}
        rc=$(cat "$dir/$i.rc")
        s=$(cat "$dir/$i.s")
        echo "== $t"
        tail -n 25 "$dir/$i.out"
        echo "   [$t: $s s]"
        times="$times$s s  $t
"
        if ! sum_add "$dir/$i.out" "$rc"; then
            echo "   (no summary line, exit $rc: counted as 1 failure)"
            tf=$((tf + 1))
        fi
        left=${left/ $i / }
    done
}

# The scripts first: they are the long ones, the programs fill the gaps.
order=()
for i in "${!steps[@]}"; do
    [[ "${steps[$i]}" == *.sh || "${steps[$i]}" == *.py ]] && order+=("$i")
done
for i in "${!steps[@]}"; do
    [[ "${steps[$i]}" == *.sh || "${steps[$i]}" == *.py ]] || order+=("$i")
done
for i in "${order[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n
        flush
    done
    run_one "$i" "${steps[$i]}" &
done
wait
flush
echo
echo "time per step (wall, $jobs at a time), longest first:"
printf '%s' "$times" | sort -rn | head -n 12 | sed 's/^/   /'
sum_print
