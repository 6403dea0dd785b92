#!/usr/bin/env bash
# fw/qemu.sh - run the firmware build on an emulated Cortex-M4 (QEMU's
# mps2-an386): the objects of fw/build.sh (the example with certstream.h,
# BearSSL for the M4, startup, syscalls) linked with fw/qemu/board_mps2.c,
# whose link is a UART that QEMU connects to `openssl s_server` on
# 127.0.0.1. Each case runs one TLS handshake up to the certificate check
# and prints the stack's measured high-water mark:
#   ecdsa   P-256 leaf signed by a P-384 CA: verified on the M4 (ECDSA
#           P-384, i15), then refused: the CA is not a built-in root
#   rsa     RSA-2048 leaf signed by an RSA-4096 CA: the same with RSA i15
#   forged  a CA with the same name and another key: bad signature
#   ct      direct mode (examples/ct_firmware.c): the M4 follows a local
#           static CT log (tests/ctlog.py, plain HTTP over the UART link,
#           gzip tiles, the signed checkpoint verified with ECDSA P-256)
#           and prints entries 0..19 with their domains, as the host does
# The example trusts only the built-in roots (ISRG, GTS), so no local
# server can complete the handshake; refusing with the right reason is
# the pass. Optional: not part of `make firmware`.
#
#   bash fw/qemu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${FW_OUT:-build/fw}
Q=$OUT/qemu
say() { echo "fw-qemu: $*"; }

missing=""
for p in qemu-system-arm openssl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # shellcheck disable=SC2086
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        $sudo apt-get install -y -qq --no-install-recommends $missing; } \
        > /dev/null 2>&1 || { say "installing$missing failed"; exit 1; }
fi
[ -f "$OUT/cflags.txt" ] || bash fw/build.sh > /dev/null
rm -rf "$Q"
mkdir -p "$Q"

# The same program with the QEMU board: code at 0, RAM at 0x20000000.
CFLAGS=$(cat "$OUT/cflags.txt")
# shellcheck disable=SC2086
arm-none-eabi-gcc $CFLAGS -c fw/qemu/board_mps2.c -o "$Q/board_mps2.o"
sed -e 's/ORIGIN = 0x08000000, LENGTH = 1024K/ORIGIN = 0x00000000, LENGTH = 4096K/' \
    fw/stm32f412zg.ld > "$Q/mps2-an386.ld"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -nostartfiles \
    --specs=nano.specs -T "$Q/mps2-an386.ld" -Wl,--gc-sections \
    -Wl,--fatal-warnings -o "$Q/certstream-fw-qemu.elf" \
    "$OUT/obj/custom_transport.o" "$Q/board_mps2.o" "$OUT/obj/startup.o" \
    "$OUT/obj/syscalls.o" "$OUT"/bearssl-*/libbearssl.a

# A throwaway PKI for the name the example dials (its default URL).
P=$Q/pki
mkdir -p "$P"
ext="subjectAltName=DNS:certstream.calidog.io
extendedKeyUsage=serverAuth"
echo "$ext" > "$P/leaf.ext"
ca() {  # name keyspec subject
    openssl req -x509 -new -newkey "$2" -nodes -keyout "$P/$1.key" \
        -subj "/CN=$3" -days 30 -out "$P/$1.pem" \
        -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign 2> /dev/null
}
leaf() {  # name keyspec ca
    openssl req -new -newkey "$2" -nodes -keyout "$P/$1.key" \
        -subj "/CN=certstream.calidog.io" -out "$P/$1.csr" 2> /dev/null
    openssl x509 -req -in "$P/$1.csr" -CA "$P/$3.pem" -CAkey "$P/$3.key" \
        -CAcreateserial -days 30 -out "$P/$1.pem" -extfile "$P/leaf.ext" \
        2> /dev/null
}
openssl ecparam -name secp384r1 -out "$P/p384.param"
openssl ecparam -name prime256v1 -out "$P/p256.param"
ca ec-ca "ec:$P/p384.param" "fw demo CA (P-384)"
ca ec-forged "ec:$P/p384.param" "fw demo CA (P-384)"
leaf ec-leaf "ec:$P/p256.param" ec-ca
ca rsa-ca rsa:4096 "fw demo CA (RSA-4096)"
leaf rsa-leaf rsa:2048 rsa-ca

pass=0
fail=0
run() {  # case leaf chain expected-text
    local port log srv
    port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log=$Q/$1.server.log
    : > "$log"
    openssl s_server -accept "127.0.0.1:$port" -cert "$P/$2.pem" \
        -key "$P/$2.key" -cert_chain "$P/$3.pem" -tls1_2 -www \
        < /dev/null > "$log" 2>&1 &
    srv=$!
    for _ in $(seq 50); do
        grep -q ACCEPT "$log" && break
        sleep 0.1
    done
    timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none \
        -semihosting-config enable=on,target=native \
        -chardev "socket,id=link,host=127.0.0.1,port=$port" \
        -serial chardev:link -kernel "$Q/certstream-fw-qemu.elf" \
        > "$Q/$1.out" 2>&1 || true
    kill "$srv" 2> /dev/null || true
    wait "$srv" 2> /dev/null || true
    if grep -q "$4" "$Q/$1.out" && grep -q "high-water" "$Q/$1.out"; then
        pass=$((pass + 1))
        say "$1: ok: $(grep -v '^$' "$Q/$1.out" | tr '\n' ' ')"
    else
        fail=$((fail + 1))
        say "$1: FAILED (wanted \"$4\"):"
        cat "$Q/$1.out"
    fi
}
run ecdsa ec-leaf ec-ca "unknown CA"
run rsa rsa-leaf rsa-ca "unknown CA"
run forged ec-leaf ec-forged "bad signature"

# Direct mode: a local static log, its key and origin built in (argc is 0
# on the board), from entry 0; the board exits when the example closes
# its link (it stops after 20 entries).
ct_run() {
    local info port key want
    /usr/bin/python3 tests/ctlog.py --kind static --entries 300 \
        --origin fw.example --expect-out "$Q/ct.expect" --stdin-eof-exits \
        < <(sleep 300) > "$Q/ct.info" 2> "$Q/ct.server.log" &
    srv=$!
    for _ in $(seq 100); do [ -s "$Q/ct.info" ] && break; sleep 0.1; done
    info=$(head -n 1 "$Q/ct.info")
    port=$(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["port"])')
    key=$(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $CFLAGS -DCT_LOG_URL='"http://fw.example/"' \
        -DCT_LOG_ORIGIN='"fw.example"' -DCT_LOG_KEY="\"$key\"" \
        -DCT_LOG_FROM=0 -c examples/ct_firmware.c -o "$Q/ct_firmware.o"
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $CFLAGS -DQEMU_EXIT_ON_CLOSE -c fw/qemu/board_mps2.c \
        -o "$Q/board_mps2_ct.o"
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os \
        -nostartfiles --specs=nano.specs -T "$Q/mps2-an386.ld" \
        -Wl,--gc-sections -Wl,--fatal-warnings -o "$Q/ct-fw-qemu.elf" \
        "$Q/ct_firmware.o" "$Q/board_mps2_ct.o" "$OUT/obj/startup.o" \
        "$OUT/obj/syscalls.o" "$OUT"/bearssl-*/libbearssl.a
    timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none \
        -semihosting-config enable=on,target=native \
        -chardev "socket,id=link,host=127.0.0.1,port=$port" \
        -serial chardev:link -kernel "$Q/ct-fw-qemu.elf" \
        > "$Q/ct.out" 2>&1 || true
    kill "$srv" 2> /dev/null || true
    wait "$srv" 2> /dev/null || true
    # the host's view of entries 0..19: "index first-domain"
    want=$(python3 -c 'import json, sys
for ln in list(open(sys.argv[1]))[:20]:
    e = json.loads(ln)
    print(e["index"], e["all_domains"][0])' "$Q/ct.expect")
    if grep -q "^tree 300" "$Q/ct.out" && grep -q "high-water" "$Q/ct.out" \
       && [ "$(grep -E '^[0-9]+ ' "$Q/ct.out")" = "$want" ]; then
        pass=$((pass + 1))
        say "ct: ok: tree 300, entries 0..19 as logged," \
            "$(grep high-water "$Q/ct.out")"
    else
        fail=$((fail + 1))
        say "ct: FAILED (wanted tree 300 and entries 0..19):"
        cat "$Q/ct.out"
    fi
}
ct_run
echo "fw-qemu: $pass passed, $fail failed"
[ "$fail" = 0 ]
