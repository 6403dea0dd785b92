#!/usr/bin/env bash
# The C code blocks of README.md compile, warning-free, as C99 and C++11.
set -u
cd "$(dirname "$0")/.."
out=${CS_BUILD:-build}/readme
mkdir -p "$out"
pass=0; fail=0
awk -v dir="$out" '/^```c$/ {n++; f=1; next} /^```$/ {f=0} f {print > (dir "/block" n ".c")}' README.md
for b in "$out"/block*.c; do
    [ -e "$b" ] || { echo "FAIL: no C block in README.md"; fail=$((fail + 1)); break; }
    if cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. -c -o "$b.o" "$b" 2>"$b.err"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $b (C99)"; cat "$b.err"; fail=$((fail + 1))
    fi
    if c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -I. -x c++ -c -o "$b.cxx.o" "$b" 2>"$b.err"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $b (C++11)"; cat "$b.err"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
