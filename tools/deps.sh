#!/usr/bin/env bash
# Installs the Debian packages this project needs, if missing.
#   tools/deps.sh [build|demo|test|all]   (default: build)
set -eu
want="make gcc libc6-dev python3"
case "${1:-build}" in
build) want="$want libbearssl-dev" ;;
demo) want="$want libbearssl-dev python3-websockets python3-cryptography openssl" ;;
test) want="$want jq libbearssl-dev clang libclang-rt-14-dev g++ musl-tools file python3-websockets python3-cryptography openssl" ;;
all)  want="$want clang libclang-rt-14-dev g++ valgrind libsimdjson-dev libyajl-dev afl++ musl-tools libbearssl-dev python3-websockets hyperfine" ;;
*) echo "usage: tools/deps.sh [build|demo|test|all]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
