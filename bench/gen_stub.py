#!/usr/bin/python3
"""Stand-in CertStream feed generator for the benchmark (bench/gen_stub.py).

    gen_stub.py --kind full|lite|domains --bytes N --seed S  > feed.ndjson

Same command line as tests/gen_feed.py; bench/run.sh uses that one when it
exists and falls back to this stub otherwise. Output is NDJSON: one message
per line, deterministic for a given (kind, bytes, seed), at most N bytes
(at least one message).

Message shapes follow the servers described in
/work/shared/research/certstream-ecosystem.md, section 3.2:
  go      {"data":{...},"message_type":...}   data first, struct order
  elixir  keys in alphabetical order at every level (data first)
  rust    {"message_type":...,"data":{...}}   compact, nulls omitted
  python  json.dumps defaults: ", " / ": " separators, ensure_ascii
plus heartbeats (python style with a timestamp, rust style without) in the
full and lite streams. Sizes: full ~5-8 KB, lite ~1.5-2 KB, domains-only
~60-200 B per message. About 12 % of messages escape '/' as '\\/'.
"""
import argparse
import base64
import json
import random
import sys

TLDS = ["com", "net", "org", "de", "io", "co.uk", "fr", "nl", "ru", "br",
        "com.au", "jp", "xyz", "app", "dev", "my", "info", "online", "shop"]
WORDS = ["mail", "shop", "cloud", "api", "static", "secure", "portal", "web",
         "dev", "staging", "cdn", "login", "vpn", "app", "blog", "media",
         "auth", "status", "admin", "test", "m", "img", "files", "support"]
ISSUERS = [
    ("US", "Let's Encrypt", "R3"), ("US", "Let's Encrypt", "R10"),
    ("US", "Let's Encrypt", "E5"), ("US", "Google Trust Services", "WE1"),
    ("US", "Google Trust Services", "WR1"), ("GB", "Sectigo Limited",
    "Sectigo RSA Domain Validation Secure Server CA"),
    ("US", "DigiCert Inc", "DigiCert Global G2 TLS RSA SHA256 2020 CA1"),
    ("AT", "ZeroSSL", "ZeroSSL RSA Domain Secure Site CA"),
]
LOGS = [
    ("Cloudflare 'Nimbus2026'", "https://ct.cloudflare.com/logs/nimbus2026/"),
    ("Google 'Argon2026h2' log", "https://ct.googleapis.com/logs/us1/argon2026h2/"),
    ("Google 'Xenon2026h1' log", "https://ct.googleapis.com/logs/eu1/xenon2026h1/"),
    ("DigiCert Yeti2026 Log", "https://yeti2026.ct.digicert.com/log/"),
    ("Sectigo 'Elephant2026h1'", "https://elephant2026h1.ct.sectigo.com/"),
    ("Let's Encrypt 'Oak2026h1'", "https://oak.ct.letsencrypt.org/2026h1/"),
]
ORGS = ["Example Corp", "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale",
        "M\u00fcller & S\u00f6hne GmbH", "\u682a\u5f0f\u4f1a\u793e\u30c6\u30b9\u30c8",
        "ACME \"Widgets\" Ltd", "Bank of Nowhere"]


def hexpairs(r, n, upper=True):
    s = ":".join("%02X" % b for b in r.randbytes(n))
    return s if upper else s.lower()


def domain(r):
    n = r.randint(1, 3)
    labels = []
    for _ in range(n):
        if r.random() < 0.5:
            labels.append(r.choice(WORDS))
        else:
            k = r.randint(3, 14)
            labels.append("".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                  for _ in range(k)))
    if r.random() < 0.05:
        labels[-1] = "xn--" + labels[-1] + "-" + "".join(
            r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4))
    return ".".join(labels) + "." + r.choice(TLDS)


def domain_list(r):
    base = domain(r)
    x = r.random()
    if x < 0.45:
        doms = [base, "www." + base]
    elif x < 0.70:
        doms = [base, "*." + base]
    elif x < 0.85:
        doms = [base]
    else:
        doms = [base] + [r.choice(WORDS) + "." + base
                         for _ in range(r.randint(2, 12))]
    seen = set()
    out = []
    for d in doms:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def subject(r, cn, style, org=None):
    s = {"C": None, "CN": cn, "L": None, "O": org, "OU": None, "ST": None,
         "aggregated": "/CN=" + cn if org is None else "/CN=%s/O=%s" % (cn, org),
         "email_address": None}
    if style == "rust":
        s = {k: v for k, v in s.items() if v is not None and k != "email_address"}
    elif style == "python":
        s.pop("email_address")
    return s


def cert(r, style, doms, full, ca=None):
    """One leaf (ca is None) or chain certificate as a dict."""
    if ca is None:
        cn = doms[0]
        org = r.choice(ORGS) if r.random() < 0.1 else None
        iss = r.choice(ISSUERS)
    else:
        cn, org, iss = ca[2], ca[1], ca
    nb = r.randint(1_700_000_000, 1_790_000_000)
    c = {
        "subject": subject(r, cn, style, org),
        "issuer": {"C": iss[0], "CN": iss[2], "O": iss[1],
                   "aggregated": "/C=%s/CN=%s/O=%s" % iss},
        "serial_number": "%X" % r.getrandbits(128),
        "not_before": float(nb) if style == "python" else nb,
        "not_after": float(nb + 7776000) if style == "python" else nb + 7776000,
        "fingerprint": hexpairs(r, 20),
    }
    if style in ("go", "rust"):
        c["sha1"] = c["fingerprint"]
        c["sha256"] = hexpairs(r, 32)
        c["is_ca"] = ca is not None
    c["signature_algorithm"] = r.choice(["sha256, rsa", "ecdsa, sha256",
                                         "ecdsa, sha384"])
    ext = {
        "authorityInfoAccess": "URI:http://r%d.o.lencr.org, URI:http://r%d.i.lencr.org/"
                               % (r.randint(3, 13), r.randint(3, 13)),
        "authorityKeyIdentifier": "keyid:" + hexpairs(r, 20, False) + "\n",
        "basicConstraints": "CA:TRUE" if ca else "CA:FALSE",
        "certificatePolicies": "Policy: 2.23.140.1.2.1\n",
        "keyUsage": "Digital Signature, Key Encipherment",
        "subjectKeyIdentifier": "keyid:" + hexpairs(r, 20, False),
    }
    if ca is None:
        ext["extendedKeyUsage"] = "TLS Web Server Authentication, TLS Web Client Authentication"
        ext["subjectAltName"] = ", ".join("DNS:" + d for d in doms)
    c["extensions"] = ext
    if ca is None:
        c["all_domains"] = doms
    if full and not (style == "rust" and ca is not None):
        der = r.randbytes(r.randint(900, 1500) if ca is None else r.randint(850, 1250))
        c["as_der"] = base64.b64encode(der).decode("ascii")
    return c


def sort_keys(o):
    if isinstance(o, dict):
        return {k: sort_keys(o[k]) for k in sorted(o)}
    if isinstance(o, list):
        return [sort_keys(v) for v in o]
    return o


def encode(style, msg, slash):
    if style == "python":
        s = json.dumps(msg)
    else:
        s = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    if slash:
        s = s.replace("/", "\\/")
    return s


def cert_message(r, kind, idx):
    style = r.choices(["go", "elixir", "rust", "python"], [4, 3, 2, 1])[0]
    full = kind == "full"
    doms = domain_list(r)
    name, url = r.choice(LOGS)
    leaf = cert(r, style, doms, full)
    data = {"update_type": r.choice(["X509LogEntry", "PrecertLogEntry"]),
            "leaf_cert": leaf}
    if full:
        chain = []
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            chain.append(cert(r, style, doms, full, ca=r.choice(ISSUERS)))
        data["chain"] = chain
    data["cert_index"] = idx
    if style != "python":
        data["cert_link"] = "%sct/v1/get-entries?start=%d&end=%d" % (url, idx, idx)
    t = 1_760_000_000 + r.random() * 10_000_000
    if style == "python":
        data["seen"] = t                      # repr: up to 17 digits
    elif style == "go":
        data["seen"] = round(t, 3)
    else:
        data["seen"] = round(t, 6)
    data["source"] = {"name": name, "url": url} if style != "python" else \
        {"url": url.split("//")[1].rstrip("/"), "name": name}
    if style in ("go", "elixir"):
        if style == "elixir":
            data = sort_keys(data)
        msg = {"data": data, "message_type": "certificate_update"}
    else:
        msg = {"message_type": "certificate_update", "data": data}
    return encode(style, msg, r.random() < 0.12)


def heartbeat(r):
    if r.random() < 0.5:
        return json.dumps({"message_type": "heartbeat",
                           "timestamp": 1_760_000_000 + r.random() * 1e7})
    return '{"message_type":"heartbeat"}'


def dns_message(r):
    doms = domain_list(r)
    if len(doms) > 6:
        doms = doms[:6]
    if r.random() < 0.7:
        msg = {"data": doms, "message_type": "dns_entries"}
    else:
        msg = {"message_type": "dns_entries", "data": doms}
    return json.dumps(msg, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=["full", "lite", "domains"], required=True)
    ap.add_argument("--bytes", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random("%s/%d" % (a.kind, a.seed))
    out = sys.stdout.buffer
    total = 0
    idx = r.randint(1_000_000_000, 4_000_000_000)
    buf = []
    while True:
        if a.kind == "domains":
            line = dns_message(r)
        elif r.random() < 0.005:
            line = heartbeat(r)
        else:
            idx += r.randint(1, 40)
            line = cert_message(r, a.kind, idx)
        b = line.encode("utf-8") + b"\n"
        if total + len(b) > a.bytes and total > 0:
            break
        buf.append(b)
        total += len(b)
        if len(buf) >= 4096:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))


if __name__ == "__main__":
    main()
