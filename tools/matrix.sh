#!/usr/bin/env bash
# The switch matrix: the implementation compiles warning-free with every
# combination of CERTSTREAM_NO_TLS, CERTSTREAM_NO_POSIX and
# CERTSTREAM_STATIC, as C99 with gcc and clang and as C++11 with g++.
# (The core alone with -ffreestanding is `make freestanding`.)
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mkdir -p build/matrix
warn="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
pass=0; fail=0
for tls in "" "-DCERTSTREAM_NO_TLS"; do
  for posix in "" "-DCERTSTREAM_NO_POSIX"; do
    for st in "" "-DCERTSTREAM_STATIC"; do
      for cc in "gcc -std=c99 -Wstrict-prototypes -Wmissing-prototypes" \
                "clang -std=c99 -Wstrict-prototypes -Wmissing-prototypes" \
                "g++ -std=c++11 -x c++"; do
        what="${cc%% *} $tls $posix $st"
        if $cc $warn -O1 $tls $posix $st -c -o build/matrix/impl.o \
            tests/impl.c 2> build/matrix/err.txt; then
          pass=$((pass + 1))
        else
          echo "FAIL: $what"; head -20 build/matrix/err.txt
          fail=$((fail + 1))
        fi
      done
    done
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
