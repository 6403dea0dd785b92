#!/usr/bin/python3
"""Self-tests of the local CT logs (tests/ctlog.py) and the test
certificates (tests/ctcerts.py), with only http.client, ssl and
cryptography on the client side: roots recomputed here match the signed
STH and checkpoint, signatures verify with the published key, every entry
fetched through both protocols decodes back to the generated certificate,
tiles hash to the level-0 hash tiles, and every fault switch does what it
says. Parts that need ../shared/ct skip with a message when it is absent."""
import base64
import calendar
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # no tests/__pycache__ left behind
import ctcerts  # noqa: E402
import ctlog  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding  # noqa: E402

passed = failed = skipped = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)
    return ok


def H(b):
    return hashlib.sha256(b).digest()


# ---------------------------------------------------------------------------
# independent reference code (written apart from ctlog.py)

def ref_mth(hs):
    if not hs:
        return H(b"")
    if len(hs) == 1:
        return hs[0]
    k = 1
    while k * 2 < len(hs):
        k *= 2
    return H(b"\x01" + ref_mth(hs[:k]) + ref_mth(hs[k:]))


def verify_path(index, size, leaf, path, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, r1, r2, proof):
    """RFC 9162 2.1.4.2."""
    if m == n:
        return not proof and r1 == r2
    if m & (m - 1) == 0:
        proof = [r1] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = H(b"\x01" + c + fr)
            sr = H(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = H(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == r1 and sr == r2 and sn == 0


def der_elems(b, o=0, end=None):
    """[(tag, start, content_start, end)] of the DER elements in b[o:end]."""
    end = len(b) if end is None else end
    out = []
    while o < end:
        tag, ln = b[o], b[o + 1]
        cs = o + 2
        if ln & 0x80:
            n = ln & 0x7f
            ln = int.from_bytes(b[o + 2:o + 2 + n], "big")
            cs += n
        out.append((tag, o, cs, cs + ln))
        o = cs + ln
    return out


def der(tag, content):
    n = len(content)
    if n < 0x80:
        ln = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + ln + content


POISON = bytes.fromhex("060a2b06010401d679020403")
AKI = bytes.fromhex("0603551d23")


def rewrite_tbs(tbs, issuer=None, aki=None):
    """Precert TBS -> leaf TBS: poison out; issuer and AKI replaced."""
    (_, _, cs, ce), = der_elems(tbs)
    parts = []
    kids = der_elems(tbs, cs, ce)
    for k, (tag, o, c, e) in enumerate(kids):
        el = tbs[o:e]
        if tag == 0xa3:
            (_, _, c2, e2), = der_elems(tbs, c, e)
            exts = []
            for (_, eo, ec_, ee) in der_elems(tbs, c2, e2):
                x = tbs[eo:ee]
                if x[ec_ - eo:].startswith(POISON):
                    continue
                if aki and x[ec_ - eo:].startswith(AKI):
                    x = aki
                exts.append(x)
            el = der(0xa3, der(0x30, b"".join(exts)))
        elif k == 3 and issuer is not None:
            el = issuer
        parts.append(el)
    return der(0x30, b"".join(parts))


class Rd:
    def __init__(self, b):
        self.b, self.o = b, 0

    def n(self, k):
        v = int.from_bytes(self.b[self.o:self.o + k], "big")
        self.o += k
        return v

    def take(self, k):
        if self.o + k > len(self.b):
            raise ValueError("short")
        v = self.b[self.o:self.o + k]
        self.o += k
        return v

    def var(self, k):
        return self.take(self.n(k))


def ref_leaf(li, ed):
    """leaf_input + extra_data -> dict (RFC 6962 3.4, 4.6)."""
    r = Rd(li)
    assert r.n(1) == 0 and r.n(1) == 0
    d = {"ts": r.n(8), "et": r.n(2)}
    d["ikh"] = r.take(32) if d["et"] == 1 else None
    d["body"] = r.var(3)
    d["ext"] = r.var(2)
    assert r.o == len(li)
    x = Rd(ed)
    d["pre"] = x.var(3) if d["et"] == 1 else None
    c = Rd(x.var(3))
    d["chain"] = []
    while c.o < len(c.b):
        d["chain"].append(c.var(3))
    assert x.o == len(ed)
    return d


def ref_tile(data):
    r, out = Rd(data), []
    while r.o < len(data):
        s = r.o
        d = {"ts": r.n(8), "et": r.n(2)}
        d["ikh"] = r.take(32) if d["et"] == 1 else None
        d["body"] = r.var(3)
        d["ext"] = r.var(2)
        te = data[s:r.o]
        d["pre"] = r.var(3) if d["et"] == 1 else None
        fp = r.var(2)
        d["fps"] = [fp[k:k + 32] for k in range(0, len(fp), 32)]
        d["leaf_hash"] = H(b"\x00\x00\x00" + te)
        out.append(d)
    return out


def sth_ok(spki, ts, size, root, sig):
    key = serialization.load_der_public_key(spki)
    try:
        key.verify(sig, b"\x00\x01" + ts.to_bytes(8, "big") +
                   size.to_bytes(8, "big") + root, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def check_sth(spki, j):
    ds = base64.b64decode(j["tree_head_signature"])
    if ds[:2] != b"\x04\x03" or int.from_bytes(ds[2:4], "big") != len(ds) - 4:
        return False
    return sth_ok(spki, j["timestamp"], j["tree_size"],
                  base64.b64decode(j["sha256_root_hash"]), ds[4:])


def parse_checkpoint(text, origin, spki):
    """-> (size, root, ok, sig_lines) selecting the line by name + key ID."""
    body, sigs = text.split("\n\n", 1)
    lines = body.split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    kid = H(origin.encode() + b"\n\x05" + H(spki))[:4]
    ok = False
    sl = [s for s in sigs.split("\n") if s]
    for s in sl:
        dash, name, sig = s.split(" ")
        raw = base64.b64decode(sig)
        if dash != "\u2014" or name != origin or raw[:4] != kid:
            continue
        ts = int.from_bytes(raw[4:12], "big")
        if raw[12:14] != b"\x04\x03":
            continue
        ok = sth_ok(spki, ts, size, root, raw[16:16 + int.from_bytes(
            raw[14:16], "big")]) and lines[0] == origin
    return size, root, ok, sl


class Client:
    def __init__(self, url, cafile=None):
        u = url.split("/")
        self.host, self.port = u[2].split(":")
        self.tls = url.startswith("https")
        self.ctx = ssl.create_default_context(cafile=cafile) if self.tls \
            else None
        self.prefix = "/" + "/".join(u[3:])
        self.conn = None

    def get(self, path, headers=None, method="GET", body=None, raw=False):
        """(status, headers dict lowercased, body) with the prefix."""
        for attempt in range(2):
            if self.conn is None:
                if self.tls:
                    self.conn = http.client.HTTPSConnection(
                        self.host, int(self.port), context=self.ctx,
                        timeout=10)
                else:
                    self.conn = http.client.HTTPConnection(
                        self.host, int(self.port), timeout=10)
            try:
                p = path if raw else self.prefix + path
                self.conn.request(method, p, body=body, headers=headers or {})
                r = self.conn.getresponse()
                b = r.read()
                hd = {k.lower(): v for k, v in r.getheaders()}
                if hd.get("connection") == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, hd, b
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def json(self, path):
        s, h, b = self.get(path)
        if h.get("content-encoding") == "gzip":
            b = gzip.decompress(b)
        return json.loads(b) if s == 200 else (s, b)

    def control(self, **kw):
        s, h, b = self.get("/_control", method="POST", raw=True,
                           body=json.dumps(kw).encode(),
                           headers={"Content-Type": "application/json"})
        assert s == 200, b
        return json.loads(b)


def raw_get(port, path, tls_ctx=None):
    """One request on a fresh socket, the raw response bytes until EOF."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls_ctx:
        s = tls_ctx.wrap_socket(s, server_hostname="127.0.0.1")
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
               % path).encode())
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (OSError, ssl.SSLError):
        out += b"<error>"
    s.close()
    return out


# ---------------------------------------------------------------------------

def test_certs(certs, p):
    e0 = ctcerts.make_entry(3)
    check(e0["der"] == certs[3]["der"], "certs: same seed, same bytes")
    check(ctcerts.make_entry(3, seed=2)["der"] != e0["der"],
          "certs: another seed, other bytes")
    aki_ext = None
    for e in certs:
        if e["type"] == "x509":
            c = x509.load_der_x509_certificate(e["der"])
            tbs = c.tbs_certificate_bytes
            (_, _, cs, ce), = der_elems(tbs)
            ext = [k for k in der_elems(tbs, cs, ce) if k[0] == 0xa3][0]
            (_, _, c2, e2), = der_elems(tbs, ext[2], ext[3])
            for (_, o, c3, e3) in der_elems(tbs, c2, e2):
                if tbs[c3:].startswith(AKI):
                    aki_ext = tbs[o:e3]
            break
    kinds, bad = set(), []
    for e in certs:
        c = x509.load_der_x509_certificate(e["der"])
        issuer = {"ca": p.ca, "psc": p.psc}[e["signer"]]
        if e["type"] == "precert" and e["signer"] == "psc":
            check(e["chain"][0] == p.psc_der, "psc first in chain")
        try:
            issuer.public_key().verify(c.signature, c.tbs_certificate_bytes,
                                       padding.PKCS1v15(),
                                       c.signature_hash_algorithm)
        except InvalidSignature:
            bad.append((e["index"], "signature"))
        try:
            san = c.extensions.get_extension_for_class(
                x509.SubjectAlternativeName).value
            dns = san.get_values_for_type(x509.DNSName)
            ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)]
            mails = san.get_values_for_type(x509.RFC822Name)
        except x509.ExtensionNotFound:
            dns, ips, mails = [], [], []
        cns = c.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        cn = cns[0].value if cns else None
        alld = []
        for n in ([cn] if cn else []) + dns:
            if n not in alld:
                alld.append(n)
        if (dns, ips, mails, cn, alld) != (e["san_dns"], e["san_ip"],
                                           e["san_email"], e["cn"],
                                           e["all_domains"]):
            bad.append((e["index"], "names"))
        if c.serial_number != e["serial"] or "%X" % c.serial_number != \
                e["serial_hex"] or len(e["serial_hex_even"]) % 2:
            bad.append((e["index"], "serial"))
        if calendar.timegm(c.not_valid_before.timetuple()) != \
                e["not_before"] or calendar.timegm(
                    c.not_valid_after.timetuple()) != e["not_after"]:
            bad.append((e["index"], "validity"))
        if e["sha1"] != hashlib.sha1(e["der"]).hexdigest() or \
                e["sha256"] != hashlib.sha256(e["der"]).hexdigest() or \
                e["fingerprint"].replace(":", "").lower() != e["sha1"]:
            bad.append((e["index"], "hashes"))
        has_poison = POISON in c.tbs_certificate_bytes
        if has_poison != (e["type"] == "precert"):
            bad.append((e["index"], "poison"))
        if e["type"] == "precert":
            want = rewrite_tbs(c.tbs_certificate_bytes,
                               p.ca.subject.public_bytes() if e["signer"] ==
                               "psc" else None,
                               aki_ext if e["signer"] == "psc" else None)
            if want != e["tbs"] or POISON in e["tbs"]:
                bad.append((e["index"], "tbs"))
            if e["issuer_key_hash"] != H(p.ca.public_key().public_bytes(
                    serialization.Encoding.DER,
                    serialization.PublicFormat.SubjectPublicKeyInfo)):
                bad.append((e["index"], "issuer_key_hash"))
        kinds.add(e["type"])
        kinds.add(e["key"])
        kinds.add(e["signer"] + "-" + e["type"])
        if cn is None:
            kinds.add("no-cn")
        elif cn not in dns:
            kinds.add("cn-not-in-san")
        if ips:
            kinds.add("ip")
        if mails:
            kinds.add("email")
        if any(n.startswith("*.") for n in dns):
            kinds.add("wildcard")
        if any("xn--" in n for n in dns):
            kinds.add("idn")
        if len(dns) >= 1000:
            kinds.add("1000-san")
        if len(dns) != len(set(dns)):
            kinds.add("repeated-san")
        if e["der"][1] == 0x83:
            kinds.add("3-byte-length")
        if 100 <= len(dns) < 1000:
            kinds.add("hundreds")
    check(not bad, "certs: every certificate matches its entry %r" % bad[:5])
    want = {"x509", "precert", "rsa", "p256", "ca-precert", "psc-precert",
            "ca-x509", "no-cn", "cn-not-in-san", "ip", "email", "wildcard",
            "idn", "1000-san", "repeated-san", "3-byte-length", "hundreds"}
    check(want <= kinds, "certs: all kinds present, missing %s"
          % (want - kinds))


def test_tree():
    hs = [H(bytes([i & 255, i >> 8])) for i in range(300)]
    t = ctlog.Tree()
    ok = okp = okc = True
    for i, h in enumerate(hs):
        t.append(h)
        n = i + 1
        if n <= 70 or n in (127, 128, 129, 255, 256, 257, 300):
            ok &= t.root(n) == ref_mth(hs[:n])
            for m in {0, n // 3, n - 1}:
                okp &= verify_path(m, n, hs[m], t.path(m, 0, n), t.root(n))
            for m in {1, n // 2 or 1, n - 1 or 1, n}:
                okc &= verify_consistency(m, n, t.root(m), t.root(n),
                                          t.consistency(m, n))
    check(ok, "tree: roots equal the reference MTH at every size")
    check(okp, "tree: audit paths verify (RFC 9162 algorithm)")
    check(okc, "tree: consistency proofs verify (RFC 9162 algorithm)")
    check(not verify_path(5, 300, hs[6], t.path(5, 0, 300), t.root(300)),
          "tree: a wrong leaf fails the audit path")
    check(ctlog.tile_index_path(0) == "000" and
          ctlog.tile_index_path(1000) == "x001/000" and
          ctlog.tile_index_path(1234067) == "x001/x234/067" and
          ctlog.tile_index_path(1999001) == "x001/x999/001",
          "tile paths: the C2SP examples")
    check(ctlog.tile_path("data", 1234067, 17) ==
          "tile/data/x001/x234/067.p/17", "tile paths: partial")
    check(ctlog.parse_tile_index("x001/x234/067.p/17".split("/")) ==
          (1234067, 17) and ctlog.parse_tile_index(["67"]) is None and
          ctlog.parse_tile_index(["x000", "067"]) is None and
          ctlog.parse_tile_index(["067.p", "0"]) is None and
          ctlog.parse_tile_index(["067.p", "256"]) is None,
          "tile paths: parsed back, non-canonical refused")


def test_real_data_refs():
    d = ctlog.SHARED_CT
    pilot = json.load(open(os.path.join(d, "rfc6962",
                                        "get-sth-pilot-2014.json")))
    key = base64.b64decode(open(os.path.join(d, "rfc6962",
                                             "pilot-key.b64")).read())
    check(check_sth(key, pilot), "reference: the real Pilot STH verifies")
    bad = json.load(open(os.path.join(d, "rfc6962", "get-sth-4.json")))
    check(not check_sth(key, bad), "reference: the bad STH does not")
    meta = json.load(open(os.path.join(d, "skylight", "log.v3.json")))
    cp = open(os.path.join(d, "skylight", "checkpoint")).read()
    size, root, ok, _ = parse_checkpoint(cp, "rome2026h1.example.org",
                                         base64.b64decode(meta["key"]))
    check(ok and size == 300, "reference: the real checkpoint verifies")


def fetch_all_rfc6962(c, size, cap):
    got, start, over = [], 0, False
    while start < size:
        j = c.json("ct/v1/get-entries?start=%d&end=%d" % (start, size - 1))
        n = len(j["entries"])
        over |= n > cap or n == 0
        if n == 0:
            break
        got += j["entries"]
        start += n
    return got, over


def test_rfc6962(certs, real, tmp):
    entries = (ctlog.load_rfc6962_real() if real else []) + \
        ctlog.entries_from_certs(certs)
    nreal = len(entries) - len(certs)
    log = ctlog.Log("rfc6962", entries)
    ca = os.path.join(tmp, "ca6962.pem")
    srv = ctlog.Server(log, tls=True, ca_out=ca, prefix="/logs/t1/",
                       batch=32).start()
    try:
        c = Client(srv.url, ca)
        info = srv.info()
        spki = base64.b64decode(info["key"])
        check(srv.url.startswith("https://127.0.0.1:") and
              srv.url.endswith("/logs/t1/"), "rfc6962: https URL with prefix")
        sth = c.json("ct/v1/get-sth")
        check(sth["tree_size"] == len(entries), "rfc6962: STH size")
        check(check_sth(spki, sth), "rfc6962: STH signature verifies")
        got, over = fetch_all_rfc6962(c, sth["tree_size"], 32)
        check(len(got) == len(entries) and not over,
              "rfc6962: all entries in batches of at most 32")
        leaves = [H(b"\x00" + base64.b64decode(g["leaf_input"]))
                  for g in got]
        check(base64.b64encode(ref_mth(leaves)).decode() ==
              sth["sha256_root_hash"], "rfc6962: recomputed root = STH root")
        bad = []
        for i, g in enumerate(got):
            li = base64.b64decode(g["leaf_input"])
            ed = base64.b64decode(g["extra_data"])
            d = ref_leaf(li, ed)
            if i < nreal:
                if (li, ed) != entries[i].raw:
                    bad.append(i)
                continue
            e = certs[i - nreal]
            if d["ext"] or d["ts"] != e["timestamp"] or \
                    d["chain"] != e["chain"]:
                bad.append(i)
            elif e["type"] == "x509" and (d["et"] != 0 or
                                          d["body"] != e["der"]):
                bad.append(i)
            elif e["type"] == "precert" and (
                    d["et"] != 1 or d["body"] != e["tbs"] or d["pre"] !=
                    e["der"] or d["ikh"] != e["issuer_key_hash"]):
                bad.append(i)
        check(not bad, "rfc6962: every entry decodes to its certificate %r"
              % bad[:5])
        if real:
            check(nreal == 6, "rfc6962: the 6 real entries served as logged")
        s, h, b = c.get("ct/v1/get-entries?start=%d&end=%d"
                        % (len(entries), len(entries) + 5))
        check(s == 400, "rfc6962: start past the tree is 400")
        s, h, b = c.get("ct/v1/get-entries?start=5&end=4")
        check(s == 400, "rfc6962: end < start is 400")
        s, h, b = c.get("ct/v1/get-entries?start=5")
        check(s == 400, "rfc6962: missing end is 400")
        j = c.json("ct/v1/get-entries?start=%d&end=%d"
                   % (len(entries) - 3, len(entries) + 50))
        check(len(j["entries"]) == 3, "rfc6962: end past the tree is short")
        s, h, b = c.get("ct/v1/get-foo")
        check(s == 404, "rfc6962: unknown path is 404")
        srv.set(align=True)
        j = c.json("ct/v1/get-entries?start=5&end=100")
        check(len(j["entries"]) == 27, "rfc6962: aligned batches end at 32")
        srv.set(align=False, batch=1000)
        j = c.json("ct/v1/get-entries?start=0&end=%d" % (len(entries) - 1))
        check(len(j["entries"]) == len(entries), "rfc6962: batch 1000")
        n = sth["tree_size"]
        root = base64.b64decode(sth["sha256_root_hash"])
        ok = True
        for i in (0, 1, n // 2, n - 1):
            from urllib.parse import quote
            j = c.json("ct/v1/get-proof-by-hash?hash=%s&tree_size=%d"
                       % (quote(base64.b64encode(leaves[i]).decode()), n))
            ok &= j["leaf_index"] == i and verify_path(
                i, n, leaves[i], [base64.b64decode(x)
                                  for x in j["audit_path"]], root)
        check(ok, "rfc6962: get-proof-by-hash paths verify")
        j = c.json("ct/v1/get-entry-and-proof?leaf_index=7&tree_size=%d" % n)
        check(verify_path(7, n, leaves[7], [base64.b64decode(x) for x in
                                            j["audit_path"]], root),
              "rfc6962: get-entry-and-proof verifies")
        old = sth
        log.grow(0)
        check(srv.set(grow=0) and log.size == n, "rfc6962: no growth by 0")
        return srv, c, log, leaves, spki, old
    except Exception:
        srv.stop()
        raise


def test_rfc6962_faults(srv, c, log, leaves, spki):
    n = log.size
    srv.set(short=5)
    j = c.json("ct/v1/get-entries?start=0&end=20")
    check(len(j["entries"]) == 5, "fault short: 5 entries for 21 asked")
    srv.set(short=0)
    st = c.control(status={"code": 429, "retry_after": 3, "count": 2})
    check(st["faults"]["status"]["count"] == 2, "control: state echoes")
    r1 = c.get("ct/v1/get-sth")
    r2 = c.get("ct/v1/get-entries?start=0&end=0")
    r3 = c.get("ct/v1/get-sth")
    check(r1[0] == 429 and r2[0] == 429 and r1[1].get("retry-after") == "3"
          and r3[0] == 200, "fault 429: twice with Retry-After 3, then 200")
    c.get("/_control?status=%s" % json.dumps(
        {"code": 503, "retry_after": "date", "seconds": 30}).replace(
        " ", ""), raw=True)
    s, h, b = c.get("ct/v1/get-sth")
    ra = h.get("retry-after", "")
    dt = email.utils.parsedate_to_datetime(ra).timestamp() if ra else 0
    check(s == 503 and 20 < dt - time.time() < 40,
          "fault 503: Retry-After as an HTTP-date ~30 s ahead (%r)" % ra)
    srv.set(bad_entry={"index": 3})
    j = c.json("ct/v1/get-entries?start=2&end=4")
    lis = [base64.b64decode(x["leaf_input"]) for x in j["entries"]]
    ok_others = all(H(b"\x00" + lis[k]) == leaves[2 + k] for k in (0, 2))
    d = ref_leaf(lis[1], base64.b64decode(j["entries"][1]["extra_data"]))
    body = d["pre"] if d["et"] else d["body"]
    try:
        x509.load_der_x509_certificate(body)
        parses = True
    except ValueError:
        parses = False
    check(ok_others and H(b"\x00" + lis[1]) != leaves[3] and not parses,
          "fault bad_entry: entry 3 broken in transit, 2 and 4 intact")
    check(json.loads(c.get("/_served", raw=True)[2])["corrupt"] == [3],
          "/_served: lists the entry sent broken")
    j = c.json("ct/v1/get-entries?start=3&end=3")
    check(H(b"\x00" + base64.b64decode(j["entries"][0]["leaf_input"])) ==
          leaves[3], "fault bad_entry: one use, then intact")
    srv.set(shrink={"size": 10})
    j = c.json("ct/v1/get-sth")
    check(j["tree_size"] == 10 and check_sth(spki, j) and
          base64.b64decode(j["sha256_root_hash"]) == ref_mth(leaves[:10]),
          "fault shrink: a signed STH of size 10 with the right root")
    check(c.json("ct/v1/get-sth")["tree_size"] == n, "fault shrink: one use")
    srv.set(bad_sig={"count": 1})
    j = c.json("ct/v1/get-sth")
    check(j["tree_size"] == n and not check_sth(spki, j),
          "fault bad_sig: STH signature fails")
    check(check_sth(spki, c.json("ct/v1/get-sth")), "fault bad_sig: one use")
    srv.set(bad_root={})
    j = c.json("ct/v1/get-sth")
    check(j["tree_size"] == n and check_sth(spki, j) and
          base64.b64decode(j["sha256_root_hash"]) != ref_mth(leaves),
          "fault bad_root: a validly signed STH with a wrong root")
    srv.set(redirect={"code": 301})
    s, h, b = c.get("ct/v1/get-entries?start=1&end=1")
    loc = h.get("location", "")
    s2, h2, b2 = c.get(loc.split("127.0.0.1:%d" % srv.port, 1)[-1], raw=True)
    j = json.loads(b2)
    check(s == 301 and "/_moved/" in loc and s2 == 200 and
          H(b"\x00" + base64.b64decode(j["entries"][0]["leaf_input"])) ==
          leaves[1], "fault redirect 301: Location serves the same entries")
    srv.set(redirect={"code": 302, "path": "get-sth"})
    s, h, b = c.get("ct/v1/get-sth")
    check(s == 302, "fault redirect 302 on a path")
    srv.set(slow=0.3)
    t = time.time()
    c.get("ct/v1/get-sth")
    check(time.time() - t >= 0.3, "fault slow: response after 0.3 s")
    srv.set(slow=0, chunked=True)
    ctx = c.ctx
    raw = raw_get(srv.port, "/logs/t1/ct/v1/get-entries?start=0&end=40", ctx)
    head, _, rest = raw.partition(b"\r\n\r\n")
    check(b"Transfer-Encoding: chunked" in head and
          b"Content-Length" not in head and rest.endswith(b"0\r\n\r\n"),
          "switch chunked: Transfer-Encoding chunked on the wire")
    j = c.json("ct/v1/get-entries?start=0&end=40")
    check(len(j["entries"]) == 41, "switch chunked: decodes to the entries")
    srv.set(chunked=False, cut={"after": 500})
    raw = raw_get(srv.port, "/logs/t1/ct/v1/get-entries?start=0&end=40", ctx)
    head, _, rest = raw.partition(b"\r\n\r\n")
    cl = [int(x.split(b":")[1]) for x in head.split(b"\r\n")
          if x.lower().startswith(b"content-length")]
    check(cl and cl[0] > 1000 and len(rest.replace(b"<error>", b"")) == 500,
          "fault cut: 500 of %s body bytes, then the connection ends" % cl)
    srv.set(gzip_json=True)
    s, h, b = c.get("ct/v1/get-sth", {"Accept-Encoding": "gzip"})
    check(h.get("content-encoding") == "gzip" and
          json.loads(gzip.decompress(b))["tree_size"] == n,
          "switch gzip_json: gzip when accepted")
    s, h, b = c.get("ct/v1/get-sth")
    check("content-encoding" not in h, "switch gzip_json: not unasked")
    srv.set(gzip_json=False, close=True)
    s, h, b = c.get("ct/v1/get-sth")
    check(h.get("connection") == "close", "switch close: Connection: close")
    srv.set(close=False)
    c.get("ct/v1/get-sth")
    sock = c.conn.sock
    c.get("ct/v1/get-sth")
    check(c.conn is not None and c.conn.sock is sock,
          "keep-alive: two requests on one connection")
    srv.set(drip={"bytes": 200, "delay": 0.001})
    j = c.json("ct/v1/get-entries?start=0&end=5")
    check(len(j["entries"]) == 6, "switch drip: body in pieces, intact")
    srv.set(drip=None, trunc_body={"path": "get-entries"})
    s, h, b = c.get("ct/v1/get-entries?start=0&end=5")
    try:
        json.loads(b)
        parsed = True
    except ValueError:
        parsed = False
    check(s == 200 and int(h["content-length"]) == len(b) and not parsed,
          "fault trunc_body: half a JSON body, framing intact")
    srv.set(hang={"seconds": 0.4})
    t = time.time()
    raw = raw_get(srv.port, "/logs/t1/ct/v1/get-sth", ctx)
    check(raw in (b"", b"<error>") and time.time() - t >= 0.4,
          "fault hang: no answer for 0.4 s, then the connection closes")
    s, h, b = c.get("/_control?nope=1", raw=True)
    check(s == 400, "control: unknown switch is 400")
    c.control(clear_served=True)
    c.json("ct/v1/get-entries?start=3&end=9")
    c.json("ct/v1/get-entries?start=10&end=12")
    c.control(cut={"after": 10})
    raw_get(srv.port, "/logs/t1/ct/v1/get-entries?start=20&end=25", ctx)
    s, h, b = c.get("/_served", raw=True)
    j = json.loads(b)
    check(j["ranges"] == [[3, 13]] and len(j["requests"]) == 3,
          "/_served: the ranges served in full (%r)" % j["ranges"])


def test_growth(certs, tmp):
    entries = ctlog.entries_from_certs(certs[:80])
    log = ctlog.Log("rfc6962", entries, size=20)
    srv = ctlog.Server(log, grow_requests=3, grow_by=7).start()
    try:
        c = Client(srv.url)
        spki = log.spki
        s1 = c.json("ct/v1/get-sth")
        c.json("ct/v1/get-sth")
        s3 = c.json("ct/v1/get-sth")
        check(s1["tree_size"] == 20 and s3["tree_size"] == 27 and
              check_sth(spki, s3), "growth: every 3 requests, by 7")
        j = c.json("ct/v1/get-sth-consistency?first=20&second=27")
        check(verify_consistency(20, 27, base64.b64decode(
            s1["sha256_root_hash"]), base64.b64decode(s3["sha256_root_hash"]),
            [base64.b64decode(x) for x in j["consistency"]]),
            "growth: consistency proof 20 -> 27 verifies")
        srv.set(grow_requests=0, grow_every=0.1, grow_by=5)
        a = log.size
        time.sleep(0.45)
        b = log.size
        srv.set(grow_every=0)
        check(b - a >= 15 and (b - a) % 5 == 0,
              "growth: every 0.1 s by 5 (%d -> %d)" % (a, b))
        srv.set(grow=1000)
        check(log.size == 80, "growth: bounded by the pool")
        got, over = fetch_all_rfc6962(c, 80, 1000)
        leaves = [H(b"\x00" + base64.b64decode(g["leaf_input"])) for g in got]
        sth = c.json("ct/v1/get-sth")
        check(base64.b64decode(sth["sha256_root_hash"]) == ref_mth(leaves),
              "growth: root of the grown tree recomputed")
        # the tree grows while being read: every request adds entries
        log2 = ctlog.Log("rfc6962", entries, size=10)
        srv2 = ctlog.Server(log2, grow_requests=1, grow_by=4,
                            batch=8).start()
        c2 = Client(srv2.url)
        start, seen = 0, []
        for _ in range(40):
            sth = c2.json("ct/v1/get-sth")
            if start >= sth["tree_size"]:
                break
            j = c2.json("ct/v1/get-entries?start=%d&end=%d"
                        % (start, sth["tree_size"] - 1))
            seen += j["entries"]
            start += len(j["entries"])
        sth = c2.json("ct/v1/get-sth")
        lv = [H(b"\x00" + base64.b64decode(g["leaf_input"])) for g in seen]
        check(len(seen) == 80 and
              base64.b64decode(sth["sha256_root_hash"]) == ref_mth(lv),
              "growth while read: all 80, root matches")
        srv2.stop()
        # logged corruption: hashed as broken
        log3 = ctlog.Log("rfc6962", entries[:10])
        srv3 = ctlog.Server(log3).start()
        srv3.set(log_bad={"index": 4, "kind": "trunc"})
        c3 = Client(srv3.url)
        sth = c3.json("ct/v1/get-sth")
        j = c3.json("ct/v1/get-entries?start=0&end=9")
        lv = [H(b"\x00" + base64.b64decode(g["leaf_input"]))
              for g in j["entries"]]
        d = ref_leaf(base64.b64decode(j["entries"][4]["leaf_input"]),
                     base64.b64decode(j["entries"][4]["extra_data"]))
        e = certs[4]
        body = d["pre"] if d["et"] else d["body"]
        check(ref_mth(lv) == base64.b64decode(sth["sha256_root_hash"]) and
              body == e["der"][:-10],
              "log_bad: entry 4 logged broken, the root still matches")
        srv3.stop()
    finally:
        srv.stop()


def get_tile(c, path):
    s, h, b = c.get(path)
    gz = h.get("content-encoding") == "gzip"
    if s == 200 and gz:
        b = gzip.decompress(b)
    return s, gz, b


def test_static(certs, real, tmp):
    nav = ctlog.load_navigli() if real else []
    entries = nav + ctlog.entries_from_certs(certs)
    log = ctlog.Log("static", entries)
    srv = ctlog.Server(log, prefix="/2026h1/").start()
    try:
        c = Client(srv.url)
        info = srv.info()
        spki = base64.b64decode(info["key"])
        check(info["origin"] == "127.0.0.1:%d/2026h1" % srv.port,
              "static: origin is the URL without scheme and slash")
        s, h, b = c.get("checkpoint")
        text = b.decode()
        size, root, ok, sl = parse_checkpoint(text, info["origin"], spki)
        check(s == 200 and size == len(entries) and ok,
              "static: checkpoint signature verifies (name + key ID)")
        check(len(sl) == 3 and any("grease.invalid" in x for x in sl) and
              sum(x.split(" ")[1] == info["origin"] for x in sl) == 2,
              "static: a grease line and a foreign-key line with our name")
        # all data tiles, full and the partial tail
        full, w = size // 256, size % 256
        leafs, hashes0, gzs, bad = [], b"", True, []
        for n in range(full + (1 if w else 0)):
            width = 256 if n < full else w
            p = ctlog.tile_path("data", n, width)
            s, gz, data = get_tile(c, p)
            gzs &= gz
            tl = ref_tile(data)
            if len(tl) != width:
                bad.append(("count", n))
            for k, d in enumerate(tl):
                i = 256 * n + k
                if d["ext"] != b"\x00\x00\x05" + i.to_bytes(5, "big"):
                    bad.append(("leaf_index", i))
            leafs += tl
            s, gz, hb = get_tile(c, ctlog.tile_path(0, n, width))
            hashes0 += hb
            if real and n < 2:
                raw = open(os.path.join(ctlog.SHARED_CT, "navigli2025h2",
                                        "tile", "data", "%03d" % n),
                           "rb").read()
                if raw != data:
                    bad.append(("navigli data", n))
                h0 = open(os.path.join(ctlog.SHARED_CT, "navigli2025h2",
                                       "tile", "0", "%03d" % n), "rb").read()
                if h0 != hb:
                    bad.append(("navigli hashes", n))
        check(gzs, "static: data tiles gzip-compressed")
        lh = [d["leaf_hash"] for d in leafs]
        check(len(leafs) == size and b"".join(lh) == hashes0,
              "static: every leaf hashes to its level-0 hash tile entry")
        check(ref_mth(lh) == root, "static: recomputed root = checkpoint")
        if real:
            check(not [x for x in bad if x[0].startswith("navigli")],
                  "static: navigli tiles served byte for byte")
        nreal = len(nav)
        for k, d in enumerate(leafs[nreal:]):
            e = certs[k]
            if d["ts"] != e["timestamp"] or d["fps"] != [H(x) for x in
                                                         e["chain"]]:
                bad.append(("fields", k))
            elif e["type"] == "x509" and d["body"] != e["der"]:
                bad.append(("x509", k))
            elif e["type"] == "precert" and (
                    d["body"] != e["tbs"] or d["pre"] != e["der"] or
                    d["ikh"] != e["issuer_key_hash"]):
                bad.append(("precert", k))
        check(not bad, "static: every entry decodes to its certificate %r"
              % bad[:5])
        # level-1 tile and the root from tiles (C2SP reconstruction)
        s, gz, t1 = get_tile(c, ctlog.tile_path(1, 0, size // 256))
        check(s == 200 and t1 == b"".join(ref_mth(lh[256 * k:256 * k + 256])
                                          for k in range(size // 256)),
              "static: level-1 partial tile = MTH of each 256 leaves")
        s, gz, p0 = get_tile(c, ctlog.tile_path(0, full, w))
        nodes = [t1[k:k + 32] for k in range(0, len(t1), 32)]
        tail = ref_mth([p0[k:k + 32] for k in range(0, len(p0), 32)])
        check(ref_mth(nodes + ([tail] if w else [])) == root,
              "static: root from tile/1 + tile/0 partial")
        # partial tile widths and errors
        s, gz, part = get_tile(c, ctlog.tile_path("data", 0, 17))
        check(s == 200 and len(ref_tile(part)) == 17,
              "static: a partial data tile .p/17 of a full tile")
        s, _, _ = get_tile(c, ctlog.tile_path("data", full + 1))
        check(s == 404, "static: a tile past the tree is 404")
        if w:
            s, _, _ = get_tile(c, ctlog.tile_path("data", full, w + 1))
            check(s == 404, "static: a partial wider than the tree is 404")
        s, _, _ = get_tile(c, "tile/data/0")
        check(s == 404, "static: a non-canonical tile path is 404")
        srv.set(partial_gone=True)
        s, _, _ = get_tile(c, ctlog.tile_path("data", 0, 17))
        check(s == 404, "switch partial_gone: old partial tiles gone")
        srv.set(partial_gone=False, gzip="never")
        s, gz, _ = get_tile(c, ctlog.tile_path("data", 0, 3))
        check(s == 200 and not gz, "switch gzip never")
        srv.set(gzip="data")
        s, gz1, _ = get_tile(c, ctlog.tile_path("data", 0, 3))
        s, gz2, _ = get_tile(c, ctlog.tile_path(0, 0, 3))
        check(gz1 and not gz2, "switch gzip data: data tiles only")
        srv.set(gzip="accept")
        s, h, b = c.get(ctlog.tile_path("data", 0, 3),
                        {"Accept-Encoding": "gzip, identity"})
        s2, h2, b2 = c.get(ctlog.tile_path("data", 0, 3))
        check(h.get("content-encoding") == "gzip" and
              "content-encoding" not in h2, "switch gzip accept")
        srv.set(gzip="always")
        # issuers
        fps = {f for d in leafs[nreal:] for f in d["fps"]}
        ok = bool(fps)
        for f in fps:
            s, h, b = c.get("issuer/" + f.hex())
            ok &= s == 200 and H(b) == f and \
                h.get("content-type") == "application/pkix-cert"
        check(ok, "static: issuer/<sha256> serves each chain certificate")
        s, h, b = c.get("issuer/" + "00" * 32)
        check(s == 404, "static: unknown issuer is 404")
        # names tiles (always gzip) and log.v3.json
        s, h, b = c.get("tile/names/000")
        lines = gzip.decompress(b).decode().split("\n")
        ok = s == 200 and h.get("content-encoding") == "gzip" and \
            len(lines) == 257 and lines[-1] == ""
        if real:
            ok &= gzip.decompress(b) == open(os.path.join(
                ctlog.SHARED_CT, "navigli2025h2", "tile", "names", "000"),
                "rb").read()
        n1 = ctlog.tile_path("names", nreal // 256)
        s, h, b = c.get(n1)
        for k, line in enumerate(gzip.decompress(b).decode().split("\n")[
                nreal % 256:-1]):
            j, e = json.loads(line), certs[k]
            ok &= j["Timestamp"] == e["timestamp"] and \
                j.get("DNS", []) == e["san_dns"] and \
                j.get("IP", []) == e["san_ip"] and \
                j.get("Subject", {}).get("CommonName") == e["cn"]
        check(ok, "static: names tiles list each entry's CN, DNS and IP")
        j = c.json("log.v3.json")
        check(j["key"] == info["key"] and j["monitoring_url"] == srv.url,
              "static: log.v3.json carries the key and URL")
        # faults on the static side
        srv.set(gzip_trunc={"path": "tile/data"})
        s, h, b = c.get(ctlog.tile_path("data", 0))
        try:
            gzip.decompress(b)
            broken = False
        except (EOFError, zlib.error, OSError):
            broken = True
        check(s == 200 and broken and int(h["content-length"]) == len(b),
              "fault gzip_trunc: a truncated gzip body, framing intact")
        srv.set(bad_entry={"index": 5, "kind": "trunc"})
        s, gz, data = get_tile(c, ctlog.tile_path("data", 0))
        tl = ref_tile(data)
        check(tl[5]["leaf_hash"] != lh[5] and tl[4]["leaf_hash"] == lh[4] and
              tl[6]["leaf_hash"] == lh[6], "fault bad_entry in a data tile")
        srv.set(shrink={"size": 100})
        s, h, b = c.get("checkpoint")
        sz, rt, ok, _ = parse_checkpoint(b.decode(), info["origin"], spki)
        check(sz == 100 and ok and rt == ref_mth(lh[:100]),
              "fault shrink: signed checkpoint of size 100")
        srv.set(bad_sig={})
        s, h, b = c.get("checkpoint")
        sz, rt, ok, _ = parse_checkpoint(b.decode(), info["origin"], spki)
        check(sz == size and not ok, "fault bad_sig: checkpoint fails")
        srv.set(bad_root={})
        s, h, b = c.get("checkpoint")
        sz, rt, ok, _ = parse_checkpoint(b.decode(), info["origin"], spki)
        check(sz == size and ok and rt != root,
              "fault bad_root: signed checkpoint with a wrong root")
        srv.set(grease=False)
        s, h, b = c.get("checkpoint")
        sz, rt, ok, sl = parse_checkpoint(b.decode(), info["origin"], spki)
        check(ok and len(sl) == 1, "switch grease off: one signature line")
        srv.set(status={"code": 429, "retry_after": "date", "path": "tile/"})
        s1 = c.get("checkpoint")[0]
        s, h, b = c.get(ctlog.tile_path(0, 0))
        check(s1 == 200 and s == 429 and
              email.utils.parsedate_to_datetime(h["retry-after"]),
              "fault 429 on tiles only, Retry-After HTTP-date")
        srv.set(cut={"after": 4000, "path": "tile/data"})
        raw = raw_get(srv.port, "/2026h1/" + ctlog.tile_path("data", 0))
        head, _, rest = raw.partition(b"\r\n\r\n")
        check(len(rest) == 4000 and b"Content-Encoding: gzip" in head,
              "fault cut: a data tile cut after 4000 bytes")
        srv.set(chunked=True)
        s, h, b = c.get(ctlog.tile_path("data", 0))
        check(s == 200 and h.get("transfer-encoding") == "chunked" and
              len(ref_tile(gzip.decompress(b))) == 256,
              "switch chunked: tiles intact")
        srv.set(chunked=False)
        s, h, b = c.get("/_served", raw=True)
        j = json.loads(b)
        check([0, size] in j["ranges"] or j["ranges"][0][1] >= 256,
              "/_served: data tile ranges listed")
        # growth: the tail tile widens
        g = ctlog.Log("static", entries, size=250)
        sg = ctlog.Server(g).start()
        cg = Client(sg.url)
        s1, _, _ = get_tile(cg, ctlog.tile_path("data", 0))
        sg.set(grow=10)
        s2, _, d2 = get_tile(cg, ctlog.tile_path("data", 0))
        s3, _, d3 = get_tile(cg, ctlog.tile_path("data", 1, 4))
        txt = cg.get("checkpoint")[2].decode()
        sz, rt, ok, _ = parse_checkpoint(txt, g.origin, g.spki)
        lh2 = [d["leaf_hash"] for d in ref_tile(d2) + ref_tile(d3)]
        check(s1 == 404 and s2 == 200 and sz == 260 and ok and
              ref_mth(lh2) == rt, "static growth: 250 -> 260, tile 0 full")
        sg.stop()
    finally:
        srv.stop()


def test_static_big():
    """256005 tiny entries: tile index 1000 (x001/000), partial hash tiles
    at levels 0, 1 and 2, and the root rebuilt from them (C2SP)."""
    n = 256 * 1000 + 5
    es = [ctlog.Entry(1000 + i, 0, b"\x30\x03\x02\x01\x05", chain=[])
          for i in range(n)]
    log = ctlog.Log("static", es)
    srv = ctlog.Server(log).start()
    try:
        c = Client(srv.url)
        size, root, ok, _ = parse_checkpoint(c.get("checkpoint")[2].decode(),
                                             log.origin, log.spki)
        s, gz, data = get_tile(c, "tile/data/x001/000.p/5")
        tl = ref_tile(data)
        s0, _, h0 = get_tile(c, "tile/0/x001/000.p/5")
        check(s == 200 and s0 == 200 and size == n and ok and
              [d["ext"][-5:] for d in tl] ==
              [i.to_bytes(5, "big") for i in range(256000, n)] and
              b"".join(d["leaf_hash"] for d in tl) == h0,
              "static big: tile/data/x001/000.p/5 = tile/0/x001/000.p/5")
        s1, _, h1 = get_tile(c, "tile/1/003.p/232")
        s2, _, h2 = get_tile(c, "tile/2/000.p/3")
        s3, _, _ = get_tile(c, "tile/1/003")
        s4, _, _ = get_tile(c, "tile/0/x001/000.p/6")

        def split(b):
            return [b[k:k + 32] for k in range(0, len(b), 32)]

        parts = []
        for hs in (split(h2), split(h1), split(h0)):
            o = 0
            for bit in reversed(range(9)):
                if len(hs) & (1 << bit):
                    parts.append(ref_mth(hs[o:o + (1 << bit)]))
                    o += 1 << bit
        acc = parts[-1]
        for x in reversed(parts[:-1]):
            acc = H(b"\x01" + x + acc)
        check(s1 == 200 and s2 == 200 and s3 == 404 and s4 == 404 and
              acc == root, "static big: root from partial tiles at "
              "levels 2, 1, 0 = checkpoint root")
    finally:
        srv.stop()


def test_cli(tmp, real):
    ca = os.path.join(tmp, "cli-ca.pem")
    ex = os.path.join(tmp, "expect.jsonl")
    args = [sys.executable, os.path.join(HERE, "ctlog.py"), "--kind",
            "static", "--entries", "600", "--distinct", "12", "--port", "0",
            "--tls", "--ca-out",
            ca, "--expect-out", ex, "--fault", '{"grease": false}']
    if real:
        args.append("--real")
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline()
        info = json.loads(line)
        c = Client(info["url"], ca)
        s, h, b = c.get("checkpoint")
        sz, rt, ok, sl = parse_checkpoint(b.decode(), info["origin"],
                                          base64.b64decode(info["key"]))
        nreal = 512 if real else 0
        n = 600 + nreal
        check(info["url"].startswith("https://127.0.0.1:") and sz == n and
              ok and len(sl) == 1, "cli: JSON line, TLS with --ca-out, "
              "--fault applied")
        exp = [json.loads(x) for x in open(ex)]
        check(len(exp) == n and exp[-1]["index"] == n - 1 and
              "all_domains" in exp[-1] and "sha256" in exp[-1] and
              all(x["cert"] == (x["index"] - nreal) % 12
                  for x in exp[nreal:]),
              "cli: --expect-out lists every entry (--distinct 12 repeats)")
    finally:
        p.terminate()
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = -1
        p.stdout.close()
        p.stderr.close()
    check(rc == 0, "cli: exits 0 on SIGTERM")


def timed(f, *a):
    t = time.time()
    r = f(*a)
    if os.environ.get("CTLOG_TIMES"):
        print("%-22s %.2f s" % (f.__name__, time.time() - t))
    return r


def main():
    global skipped
    real = os.path.isdir(os.path.join(ctlog.SHARED_CT, "navigli2025h2"))
    if not real:
        print("SKIP test_ctlog.py real-data parts: ../shared/ct is absent")
        skipped += 1
    tmp = tempfile.mkdtemp(prefix="test-ctlog-")
    try:
        p = ctcerts.pki(1)
        certs = ctcerts.make_entries(300, giant_at=120)
        timed(test_certs, certs, p)
        timed(test_tree)
        if real:
            timed(test_real_data_refs)
        srv, c, log, leaves, spki, old = timed(test_rfc6962, certs, real,
                                               tmp)
        try:
            timed(test_rfc6962_faults, srv, c, log, leaves, spki)
        finally:
            srv.stop()
        timed(test_growth, certs, tmp)
        timed(test_static, certs, real, tmp)
        timed(test_static_big)
        timed(test_cli, tmp, real)
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    print("cpu %.1f s" % time.process_time())
    if skipped:
        print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    else:
        print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
