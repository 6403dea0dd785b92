#!/usr/bin/env bash
# Regenerates the TLS test vectors of tests/test_tls_fault.c (run once;
# the files are committed): openssl ca, so that the dates are fixed.
#   ca.pem         test CA, ECDSA P-256, 2025-01-01 .. 2045-12-31
#   server-ec.pem  leaf for localhost (ECDSA P-256), then ca.pem
#   server-ec.key  its key (SEC1 "EC PRIVATE KEY")
#   server-rsa.pem leaf for localhost (RSA 2048) signed by the same CA,
#   server-rsa.key then ca.pem; its key (PKCS#1 "RSA PRIVATE KEY")
#   other-ca.pem   an unrelated CA (ECDSA P-256), same dates
# Leaves: 2025-06-01 .. 2045-06-01, SAN DNS:localhost, IP:127.0.0.1,
# EKU serverAuth.
set -eu
cd "$(dirname "$0")"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
cat > "$w/ca.cnf" <<CNF
[ ca ]
default_ca = c
[ c ]
dir = $w
database = $w/index.txt
new_certs_dir = $w
serial = $w/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[ p ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_ec ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ v3_rsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
CNF
ca() {   # name key subject ext signer-cert signer-key start end
    : > "$w/index.txt"
    openssl rand -hex 8 > "$w/serial"
    openssl req -new -key "$2" -subj "$3" -out "$w/$1.csr" 2>/dev/null
    if [ "$5" = self ]; then
        openssl ca -batch -config "$w/ca.cnf" -selfsign -keyfile "$2" \
            -extensions "$4" -startdate "$7" -enddate "$8" \
            -in "$w/$1.csr" -out "$w/$1.crt" 2>/dev/null
    else
        openssl ca -batch -config "$w/ca.cnf" -cert "$5" -keyfile "$6" \
            -extensions "$4" -startdate "$7" -enddate "$8" \
            -in "$w/$1.csr" -out "$w/$1.crt" 2>/dev/null
    fi
    openssl x509 -in "$w/$1.crt" -out "$w/$1.pem"
}
openssl ecparam -name prime256v1 -genkey -noout -out "$w/ca.key"
openssl ecparam -name prime256v1 -genkey -noout -out "$w/other.key"
openssl ecparam -name prime256v1 -genkey -noout -out server-ec.key
openssl genrsa -traditional -out server-rsa.key 2048 2>/dev/null
ca ca "$w/ca.key" "/CN=certstream.h test CA" v3_ca self - \
    20250101000000Z 20451231235959Z
ca other "$w/other.key" "/CN=certstream.h other CA" v3_ca self - \
    20250101000000Z 20451231235959Z
ca ec server-ec.key "/CN=localhost" v3_ec "$w/ca.pem" "$w/ca.key" \
    20250601000000Z 20450601000000Z
ca rsa server-rsa.key "/CN=localhost" v3_rsa "$w/ca.pem" "$w/ca.key" \
    20250601000000Z 20450601000000Z
cp "$w/ca.pem" ca.pem
cp "$w/other.pem" other-ca.pem
cat "$w/ec.pem" ca.pem > server-ec.pem
cat "$w/rsa.pem" ca.pem > server-rsa.pem
for f in server-ec.pem server-rsa.pem; do
    openssl verify -CAfile ca.pem -attime 1893456000 "$f"   # 2030-01-01
done
