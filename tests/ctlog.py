#!/usr/bin/python3
"""ctlog.py - local Certificate Transparency logs for the CT follower tests.

Run with /usr/bin/python3 (stdlib + Debian's python3-cryptography). Serves
one log on 127.0.0.1, over HTTP/1.1 (keep-alive) or HTTPS, with faults
that can be switched at any time:
  rfc6962  ct/v1/get-sth, get-entries (cap: batch), get-sth-consistency,
           get-proof-by-hash, get-entry-and-proof, get-roots, log.v3.json
  static   checkpoint (RFC 6962 note signature + a grease line + a line
           with our name and a foreign key ID, shuffled), tile/data/<N>,
           tile/<L>/<N>, tile/names/<N> (each [.p/<W>], C2SP paths),
           issuer/<sha256 hex>, log.v3.json; tiles gzip by default
Both sign with an ECDSA P-256 key derived from --seed (same key each run).

Driving it from a C follower test (a Python test script, or fork/exec):

  1. Start:  /usr/bin/python3 tests/ctlog.py --kind static --entries 600 \
                 [--tls --ca-out DIR/ca.pem] [--prefix /2026h1/] \
                 [--initial 300 --grow-every 0.5 --grow-by 50] \
                 [--batch 32] [--real] [--expect-out DIR/expect.jsonl] \
                 [--fault '{"chunked": true}'] [--verbose]
     --entries N makes N certificates with tests/ctcerts.py (seed --seed;
     about 2 s to start, plus ~1 ms per certificate); --distinct K makes
     only K and repeats them (100000 entries start in ~5 s);
     --real puts the real data of ../shared/ct first (static: the 512
     navigli2025h2 entries, served byte for byte as the data and names
     tiles hold them; rfc6962: the 6 entries of rfc6962/get-entries-*.json).
     --initial M publishes M entries at start (default all); the rest come
     with growth (--grow-every SEC, --grow-requests K, --grow-by COUNT).
     --verbose logs every request on stderr.
  2. Read the first line of stdout, one JSON object:
       {"url": "https://127.0.0.1:PORT/2026h1/", "kind": "static",
        "key": "<base64 SPKI DER>", "log_id": "<base64>", "origin": "...",
        "size": M, "pool": N, "control": "https://127.0.0.1:PORT/_control",
        "ca": "<path>"}
     `url` is the log's URL (RFC 6962 `url`, or static monitoring prefix);
     `key` is what a log list would carry; `origin` is the checkpoint's
     key name (default: the URL without scheme and trailing slash).
  3. Flip faults: POST /_control with a JSON object, or
     GET /_control?name=value (value parsed as JSON when it parses). The
     reply is the whole state. Names and meanings: Server.DEFAULTS below.
     Dict-valued faults are one-shot by default: they apply to the next
     "count" requests (default 1, -1 = forever) whose path relative to the
     prefix contains "path" (default: any), e.g.
       {"status": {"code": 429, "retry_after": "date", "count": 2}}
       {"status": {"code": 503, "retry_after": 1, "path": "get-entries"}}
       {"cut": {"after": 1000, "path": "tile/data"}}   {"gzip_trunc": {}}
       {"bad_entry": {"index": 7, "kind": "tag"}}  (broken in transit;
        kinds "tag", "trunc", "ts")
       {"short": 7}  {"shrink": {"size": 10}}  {"bad_sig": {}}
       {"bad_root": {"count": -1}}
       {"redirect": {"code": 301}}  (to /_moved/<same path>, served alike;
         "form": "absolute" (default) | "path" (Location: /_moved/...) |
         "relative" (Location: _m_<last segment>, served as that segment)
         | "downgrade" (http://, even when serving https); with
         "count": -1 the moved path is redirected again: a loop)
       {"slow": 0.5}  {"drip": {"bytes": 64, "delay": 0.01}}
       {"hang": {"seconds": 3}}  {"trunc_body": {"path": "get-entries"}}
       {"chunked": true}  {"close": true}  {"gzip": "never"}
     Actions: {"grow": 100} publishes 100 more entries now;
       {"log_bad": {"index": 7}} logs entry 7 broken (hashed that way; set
       it before the entry is published); {"reset": true} puts every fault
       back to its default; {"clear_served": true} empties /_served.
     Control and inspection paths are never faulted and need no prefix.
  4. Check what was served: GET /_served returns
       {"ranges": [[a, b], ...],   entries whose response was sent in
                                   full (half-open, merged), by get-entries,
                                   get-entry-and-proof or data tiles
        "corrupt": [i, ...],       entries sent broken by bad_entry
        "requests": [[method, path, status], ...],  (status 0: hang)
        "size": M}
     GET /_state returns the current size, timestamp, root and faults.
  5. Stop it with SIGTERM (or close its stdin with --stdin-eof-exits).
  --expect-out FILE writes one JSON line per entry (index, type,
  timestamp, cn, all_domains, san_dns, san_ip, serial_hex, sha1, sha256,
  fingerprint, not_before, not_after, cert = the ctcerts index, ...):
  what the follower should report. For precerts der/sha1/sha256 are those
  of the precertificate (as certstream servers hash it); for the real
  entries only type, timestamp, sha256 and (navigli) the names are known.

From Python: log = Log("rfc6962", entries_from_certs(ctcerts.make_entries(
100)), size=50); srv = Server(log, tls=True, ca_out=path, batch=32).start();
srv.url; srv.set(short=5); log.grow(10); srv.served_ranges(); srv.stop().
"""
import base64
import email.utils
import gzip
import hashlib
import json
import os
import random
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_CT = os.path.join(HERE, "..", "..", "shared", "ct")


def u16(n):
    return n.to_bytes(2, "big")


def u24(n):
    return n.to_bytes(3, "big")


def u64(n):
    return n.to_bytes(8, "big")


def sha256(b):
    return hashlib.sha256(b).digest()


def b64(b):
    return base64.b64encode(b).decode()


# ---------------------------------------------------------------------------
# entries and their encodings

class Entry:
    """One log entry, protocol-neutral.
    etype 0 (x509: body = certificate DER) or 1 (precert: body = TBS,
    ikh = issuer key hash, precert = the signed precertificate DER).
    chain: DER certificates, issuer first (None when only fingerprints are
    known, as for the navigli tiles: fps then holds them)."""

    def __init__(self, ts, etype, body, ikh=None, precert=None, chain=None,
                 fps=None, info=None):
        self.ts, self.etype, self.body = ts, etype, body
        self.ikh, self.precert, self.chain = ikh, precert, chain
        self.fps = fps if fps is not None else [sha256(c) for c in chain or []]
        self.info = info or {}

    def timestamped_entry(self, ext=b""):
        out = u64(self.ts) + u16(self.etype)
        if self.etype == 1:
            out += self.ikh
        return out + u24(len(self.body)) + self.body + u16(len(ext)) + ext

    def leaf_input(self):
        """RFC 6962 MerkleTreeLeaf (v1, timestamped_entry), no extensions."""
        return b"\0\0" + self.timestamped_entry()

    def extra_data(self):
        chain = b"".join(u24(len(c)) + c for c in self.chain or [])
        chain = u24(len(chain)) + chain
        if self.etype == 1:
            return u24(len(self.precert)) + self.precert + chain
        return chain

    @staticmethod
    def index_ext(index):
        return b"\0" + u16(5) + index.to_bytes(5, "big")

    def tile_leaf(self, index):
        """static-ct-api TileLeaf with the leaf_index extension."""
        out = self.timestamped_entry(self.index_ext(index))
        if self.etype == 1:
            out += u24(len(self.precert)) + self.precert
        fps = b"".join(self.fps)
        return out + u16(len(fps)) + fps

    def names_line(self):
        """Its line of a names tile (Sunlight's names-tiles.md): JSON with
        Timestamp, Subject.CommonName, DNS, IP; empty fields omitted."""
        if getattr(self, "raw_names", None):
            return self.raw_names
        d = {"Timestamp": self.ts}
        if self.info.get("cn"):
            d["Subject"] = {"CommonName": self.info["cn"]}
        if self.info.get("san_dns"):
            d["DNS"] = self.info["san_dns"]
        if self.info.get("san_ip"):
            d["IP"] = self.info["san_ip"]
        return json.dumps(d, separators=(",", ":"))

    def corrupted(self, kind="tag"):
        """The same entry with broken certificate DER: "tag" makes the
        outer tag 0x31 (lengths still frame), "trunc" cuts 10 bytes off the
        end (the DER length then says more than there is); or "ts": the
        timestamp 1 ms later, a whole entry that only a Merkle proof
        tells from the logged one."""
        if kind == "ts":
            return Entry(self.ts + 1, self.etype, self.body, self.ikh,
                         self.precert, self.chain, self.fps,
                         dict(self.info, corrupt=kind))
        body = (b"\x31" + self.body[1:] if kind == "tag" else self.body[:-10])
        pre = self.precert
        if pre is not None:
            pre = b"\x31" + pre[1:] if kind == "tag" else pre[:-10]
        return Entry(self.ts, self.etype, body, self.ikh, pre, self.chain,
                     self.fps, dict(self.info, corrupt=kind))


def entry_from_cert(e):
    """An Entry from a ctcerts.make_entry() dict (kept as .info)."""
    if e["type"] == "precert":
        return Entry(e["timestamp"], 1, e["tbs"], e["issuer_key_hash"],
                     e["der"], e["chain"], info=e)
    return Entry(e["timestamp"], 0, e["der"], chain=e["chain"], info=e)


def entries_from_certs(certs):
    return [entry_from_cert(e) for e in certs]


class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, n):
        if self.o + n > len(self.b):
            raise ValueError("short input at %d (+%d)" % (self.o, n))
        r = self.b[self.o:self.o + n]
        self.o += n
        return r

    def int(self, n):
        return int.from_bytes(self.take(n), "big")

    def var(self, n):
        return self.take(self.int(n))

    def done(self):
        return self.o == len(self.b)


def parse_timestamped_entry(r):
    ts = r.int(8)
    et = r.int(2)
    ikh = r.take(32) if et == 1 else None
    body = r.var(3)
    ext = r.var(2)
    return ts, et, ikh, body, ext


def parse_tile(data):
    """TileLeafs of a data tile -> [(Entry, leaf_index_ext_bytes, raw)]."""
    r, out = Reader(data), []
    while not r.done():
        start = r.o
        ts, et, ikh, body, ext = parse_timestamped_entry(r)
        pre = r.var(3) if et == 1 else None
        fpb = r.var(2)
        fps = [fpb[k:k + 32] for k in range(0, len(fpb), 32)]
        out.append((Entry(ts, et, body, ikh, pre, None, fps), ext,
                    data[start:r.o]))
    return out


def parse_leaf_input(leaf, extra):
    """RFC 6962 leaf_input + extra_data -> Entry (raises on bad framing)."""
    r = Reader(leaf)
    if r.int(1) != 0 or r.int(1) != 0:
        raise ValueError("not a v1 timestamped_entry")
    ts, et, ikh, body, ext = parse_timestamped_entry(r)
    if not r.done():
        raise ValueError("trailing bytes in leaf_input")
    x = Reader(extra)
    pre = x.var(3) if et == 1 else None
    cr = Reader(x.var(3))
    chain = []
    while not cr.done():
        chain.append(cr.var(3))
    if not x.done():
        raise ValueError("trailing bytes in extra_data")
    return Entry(ts, et, body, ikh, pre, chain)


def load_navigli(root=SHARED_CT):
    """The 512 real entries of navigli2025h2 (entries carry .info names
    from the names tiles, and .raw = the tile bytes)."""
    out = []
    d = os.path.join(root, "navigli2025h2", "tile")
    for n in ("000", "001"):
        with open(os.path.join(d, "data", n), "rb") as f:
            tile = parse_tile(f.read())
        with open(os.path.join(d, "names", n), encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
        for (e, ext, raw), line in zip(tile, lines):
            nm = json.loads(line)
            cn = nm.get("Subject", {}).get("CommonName")
            alld = []
            for x in ([cn] if cn else []) + nm.get("DNS", []):
                if x not in alld:
                    alld.append(x)
            e.info = {"type": "precert" if e.etype else "x509", "cn": cn,
                      "san_dns": nm.get("DNS", []), "san_ip": nm.get("IP", []),
                      "all_domains": alld, "timestamp": e.ts, "real": "navigli",
                      "sha256": hashlib.sha256(e.precert or e.body).hexdigest()}
            e.raw = raw
            e.raw_names = line
            out.append(e)
    return out


def load_rfc6962_real(root=SHARED_CT):
    """The 6 real entries of rfc6962/get-entries-*.json (.raw = the
    (leaf_input, extra_data) pair as logged)."""
    out = []
    for n in ("get-entries-4.json", "get-entries-precert-and-cert.json"):
        with open(os.path.join(root, "rfc6962", n)) as f:
            for j in json.load(f)["entries"]:
                li = base64.b64decode(j["leaf_input"])
                ed = base64.b64decode(j["extra_data"])
                e = parse_leaf_input(li, ed)
                e.raw = (li, ed)
                der = e.precert or e.body
                e.info = {"type": "precert" if e.etype else "x509",
                          "timestamp": e.ts, "real": "rfc6962",
                          "sha256": hashlib.sha256(der).hexdigest()}
                out.append(e)
    return out


# ---------------------------------------------------------------------------
# Merkle tree (RFC 6962 section 2.1)

def node(l, r):
    return sha256(b"\x01" + l + r)


class Tree:
    """levels[h][j] = hash of the perfect subtree of 2^h leaves that
    starts at leaf j*2^h; grows by appending leaf hashes."""

    def __init__(self):
        self.levels = [[]]

    def append(self, h):
        self.levels[0].append(h)
        lv = 0
        while len(self.levels[lv]) % 2 == 0:
            if len(self.levels) == lv + 1:
                self.levels.append([])
            a = self.levels[lv]
            self.levels[lv + 1].append(node(a[-2], a[-1]))
            lv += 1

    @property
    def size(self):
        return len(self.levels[0])

    def mth(self, a, b):
        """MTH of leaves [a, b), b <= size."""
        n = b - a
        if n == 0:
            return sha256(b"")
        if n & (n - 1) == 0 and a % n == 0:
            return self.levels[n.bit_length() - 1][a // n]
        k = 1 << ((n - 1).bit_length() - 1)
        return node(self.mth(a, a + k), self.mth(a + k, b))

    def root(self, n):
        return self.mth(0, n)

    def path(self, m, a, b):
        """Audit path of leaf m within the subtree [a, b)."""
        n = b - a
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m - a < k:
            return self.path(m, a, a + k) + [self.mth(a + k, b)]
        return self.path(m, a + k, b) + [self.mth(a, a + k)]

    def subproof(self, m, a, b, whole):
        n = b - a
        if m == n:
            return [] if whole else [self.mth(a, b)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return self.subproof(m, a, a + k, whole) + [self.mth(a + k, b)]
        return self.subproof(m - k, a + k, b, False) + [self.mth(a, a + k)]

    def consistency(self, m, n):
        if m == 0 or m == n:
            return []
        return self.subproof(m, 0, n, True)


# ---------------------------------------------------------------------------
# tile paths (C2SP tlog-tiles)

def tile_index_path(n):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n:
        s = "x%03d/" % (n % 1000) + s
        n //= 1000
    return s


def tile_path(level, n, w=None):
    """"tile/<level>/<N>[.p/<W>]" with level "data" or an int."""
    p = "tile/%s/%s" % (level, tile_index_path(n))
    return p + (".p/%d" % w if w is not None and w != 256 else "")


def parse_tile_index(parts):
    """['x001', 'x234', '067.p', '17'] -> (1234067, 17); None if not
    canonical. Width None means a full tile."""
    w = None
    if len(parts) >= 2 and parts[-2].endswith(".p"):
        ws = parts[-1]
        if not ws.isdigit() or ws[0] == "0" or not 1 <= int(ws) <= 255:
            return None
        w = int(ws)
        parts = parts[:-2] + [parts[-2][:-2]]
    n = 0
    for i, g in enumerate(parts):
        last = i == len(parts) - 1
        if not last:
            if not g.startswith("x"):
                return None
            g = g[1:]
        if len(g) != 3 or not g.isdigit():
            return None
        n = n * 1000 + int(g)
    if not parts or (len(parts) > 1 and parts[0] == "x000"):
        return None
    return n, w


# ---------------------------------------------------------------------------
# the log

def log_key(seed="ctlog"):
    h = sha256(("log-key-%s" % seed).encode())
    return ec.derive_private_key(int.from_bytes(h, "big") % (2 ** 255) + 1,
                                 ec.SECP256R1())


def tree_head_struct(ts, size, root):
    """RFC 6962 section 3.5 TreeHeadSignature, signature_type tree_hash."""
    return b"\x00\x01" + u64(ts) + u64(size) + root


def digitally_signed(sig):
    return b"\x04\x03" + u16(len(sig)) + sig


class Log:
    """One log: a pool of entries, the first `size` of them published.
    kind "rfc6962" or "static" decides the leaf hashes (static leaves carry
    the leaf_index extension, so the two trees differ)."""

    def __init__(self, kind, entries, size=None, key=None, origin=None):
        assert kind in ("rfc6962", "static")
        self.kind = kind
        self.pool = list(entries)
        self.key = key or log_key()
        self.spki = self.key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.log_id = sha256(self.spki)
        self.origin = origin
        self.lock = threading.RLock()
        self.tree = Tree()
        self.logged = {}        # index -> Entry replacing the pool's one
        self.ts = 0
        self._sigs = {}
        self.issuers = {}
        for e in self.pool:
            for c in e.chain or []:
                self.issuers[sha256(c).hex()] = c
        self.grow_to(len(self.pool) if size is None else size)

    def entry(self, i):
        return self.logged.get(i) or self.pool[i]

    def leaf_hash(self, i):
        e = self.entry(i)
        if self.kind == "rfc6962":
            return sha256(b"\0" + e.leaf_input())
        return sha256(b"\0\0\0" + e.timestamped_entry(Entry.index_ext(i)))

    @property
    def size(self):
        return self.tree.size

    def grow_to(self, n):
        with self.lock:
            n = min(n, len(self.pool))
            if n <= self.tree.size and self.ts:
                return 0
            old = self.tree.size
            for i in range(old, n):
                self.tree.append(self.leaf_hash(i))
            self.ts = max(int(time.time() * 1000), self.ts + 1)
            return n - old

    def grow(self, k):
        return self.grow_to(self.size + k)

    def log_corrupt(self, index, kind="tag"):
        """Make entry `index` corrupt *in the log* (hashed as corrupt): set
        it before the entry is published, or the tree is rebuilt."""
        with self.lock:
            self.logged[index] = self.pool[index].corrupted(kind)
            if index < self.tree.size:
                n = self.tree.size
                self.tree = Tree()
                for i in range(n):
                    self.tree.append(self.leaf_hash(i))

    def sign(self, ts, size, root, key=None):
        k = (ts, size, root, key is None)
        if k not in self._sigs:
            self._sigs[k] = (key or self.key).sign(
                tree_head_struct(ts, size, root), ec.ECDSA(hashes.SHA256()))
        return self._sigs[k]

    def head(self, size=None, bad_sig=False, bad_root=False):
        """(size, ts, root, der_signature) of the current tree head, or of
        a smaller size (a rollback) with a fresh timestamp; bad_root signs
        a root that is not the tree's (a fork)."""
        with self.lock:
            ts = self.ts
            if size is None or size >= self.size:
                size = self.size
            else:
                ts = self.ts + 1
            root = self.tree.root(size)
            if bad_root:
                root = bytes([root[0] ^ 0x80]) + root[1:]
            sig = self.sign(ts, size, root, log_key("foreign")
                            if bad_sig else None)
            return size, ts, root, sig

    def sth_json(self, size=None, bad_sig=False, bad_root=False):
        size, ts, root, sig = self.head(size, bad_sig, bad_root)
        return {"tree_size": size, "timestamp": ts,
                "sha256_root_hash": b64(root),
                "tree_head_signature": b64(digitally_signed(sig))}

    def key_id(self):
        return sha256(self.origin.encode() + b"\n\x05" + self.log_id)[:4]

    def checkpoint(self, size=None, bad_sig=False, grease=True,
                   bad_root=False):
        size, ts, root, sig = self.head(size, bad_sig, bad_root)
        body = "%s\n%d\n%s\n" % (self.origin, size, b64(root))
        lines = ["\u2014 %s %s\n" % (self.origin, b64(
            self.key_id() + u64(ts) + digitally_signed(sig)))]
        if grease:
            rnd = random.Random("%d-%d" % (size, ts))
            kid = bytes(rnd.getrandbits(8) for _ in range(4))
            if kid == self.key_id():
                kid = bytes([kid[0] ^ 1]) + kid[1:]
            junk = bytes(rnd.getrandbits(8) for _ in range(80))
            lines.append("\u2014 %s %s\n" % (self.origin, b64(kid + junk)))
            lines.append("\u2014 grease.invalid %s\n" % b64(
                bytes(rnd.getrandbits(8) for _ in range(68))))
            rnd.shuffle(lines)
        return (body + "\n" + "".join(lines)).encode()

    def data_tile(self, n, w):
        return b"".join(self.entry(i).tile_leaf(i)
                        for i in range(256 * n, 256 * n + w))

    def tile_width(self, level, n):
        """How many hashes tile (level, n) has at the current size."""
        if level < 0:
            avail = self.size - 256 * n
        else:
            avail = (self.size >> (8 * level)) - 256 * n
        return max(0, min(256, avail))

    def hash_tile(self, level, n, w):
        lv = self.tree.levels[8 * level]
        return b"".join(lv[256 * n:256 * n + w])

    def expect(self):
        out = []
        for i, e in enumerate(self.pool):
            d = {k: v for k, v in e.info.items()
                 if isinstance(v, (str, int, type(None))) or
                 (isinstance(v, list) and
                  all(isinstance(x, str) for x in v))}
            d["cert"] = d.get("index")
            d["index"] = i
            d.setdefault("type", "precert" if e.etype else "x509")
            d.setdefault("timestamp", e.ts)
            out.append(d)
        return out


# ---------------------------------------------------------------------------
# TLS

def make_tls(ca_out=None):
    """A throwaway CA and a 127.0.0.1/localhost server certificate (P-256);
    the CA PEM goes to ca_out when given. Returns an SSLContext."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    ca_key = ec.generate_private_key(ec.SECP256R1())
    srv_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                            "ctlog test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                         True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        "localhost")]))
            .issuer_name(ca_name).public_key(srv_key.public_key())
            .serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                           True)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    ca_pem = ca.public_bytes(pem)
    if ca_out:
        with open(ca_out, "wb") as f:
            f.write(ca_pem)
    d = tempfile.mkdtemp(prefix="ctlog-tls-")
    cf, kf = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    with open(cf, "wb") as f:
        f.write(leaf.public_bytes(pem) + ca_pem)
    with open(kf, "wb") as f:
        f.write(srv_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cf, kf)
    os.unlink(cf)
    os.unlink(kf)
    os.rmdir(d)
    ctx.ca_pem = ca_pem
    return ctx


# ---------------------------------------------------------------------------
# HTTP

class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.owner.tls_ctx is not None:
            sock = self.owner.tls_ctx.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.owner.verbose:
            ThreadingHTTPServer.handle_error(self, request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ctlog/1"
    timeout = 60

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, fmt, *args):
        if self.server.owner.verbose:
            sys.stderr.write("ctlog: %s\n" % (fmt % args))

    def do_GET(self):
        self.server.owner.handle(self, "GET")

    def do_POST(self):
        self.server.owner.handle(self, "POST")


class _Reply(Exception):
    def __init__(self, code, body, ctype="text/plain; charset=utf-8",
                 headers=()):
        Exception.__init__(self, code)
        self.code, self.body, self.ctype = code, body, ctype
        self.headers = list(headers)


class Server:
    """Serves one Log. Faults and switches (self.f) are those of DEFAULTS;
    the dict-valued ones are off when None and, when set, apply to the next
    `count` (default 1, -1 = forever) log requests whose path (relative to
    the prefix, e.g. "ct/v1/get-entries" or "tile/data/000") contains
    `path` (default "": any)."""

    DEFAULTS = {
        "batch": 1000,        # get-entries: most entries per response
        "align": False,       # get-entries: end at the next multiple of batch
        "short": 0,           # >0: get-entries returns at most this many
        "chunked": False,     # Transfer-Encoding: chunked, not Content-Length
        "gzip": "always",     # tiles: always | data (data tiles only) |
                              # accept (when Accept-Encoding has gzip) | never
        "gzip_json": False,   # RFC 6962 JSON gzipped when the client accepts
        "close": False,       # Connection: close on every response
        "grease": True,       # checkpoint: foreign and grease signature lines
        "names": True,        # serve tile/names/<N> (always gzip)
        "partial_gone": False,  # 404 on a partial tile once the full exists
        "slow": 0,            # seconds to wait before each log response
        "drip": None,         # {"bytes": 100, "delay": 0.01}: body in pieces
        "status": None,       # {"code": 429|503, "retry_after": "3"|"date"
                              #  |null, "seconds": 2}: that status instead
        "cut": None,          # {"after": 100}: headers with the full length,
                              # then `after` bytes of body, then a TCP cut
        "gzip_trunc": None,   # {}: the gzip body cut in half (length of the
                              # half, so HTTP framing is intact)
        "trunc_body": None,   # {"bytes": n}: any 200 body cut to n bytes
                              # (default half) before framing: bad content
        "hang": None,         # {"seconds": 5}: no answer for that long, then
                              # the connection closes with nothing sent
        "bad_entry": None,    # {"index": i, "kind": "tag"|"trunc"|"ts"}: entry i
                              # sent with broken DER (not as logged/hashed)
        "shrink": None,       # {"size": n}: STH/checkpoint of size n < size,
                              # validly signed (a rollback)
        "bad_sig": None,      # {}: STH/checkpoint signed by a foreign key
        "bad_root": None,     # {}: STH/checkpoint with a wrong root, validly
                              # signed (a fork: only the entries tell)
        "redirect": None,     # {"code": 301|302, "form": ...}: Location
                              # /_moved/<path> (served like <path>)
        "grow_requests": 0,   # publish grow_by entries every K log requests
        "grow_every": 0,      # ... every T seconds
        "grow_by": 1,
    }
    ACTIONS = ("grow", "reset", "clear_served", "log_bad")

    def __init__(self, log, tls=False, ca_out=None, port=0, prefix="/",
                 verbose=False, **faults):
        self.log = log
        self.verbose = verbose
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") \
            else "/"
        self.tls_ctx = make_tls(ca_out) if tls else None
        self.lock = threading.RLock()
        self.f = dict(self.DEFAULTS)
        self.requests = []
        self.ranges = []
        self.corrupt_sent = []
        self.nreq = 0
        self._leaf_index = None
        self.httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.base = "%s://127.0.0.1:%d" % ("https" if tls else "http",
                                           self.port)
        self.url = self.base + self.prefix
        if log.origin is None:
            log.origin = ("127.0.0.1:%d%s" % (self.port, self.prefix)).rstrip(
                "/")
        self._stop = threading.Event()
        self.set(**faults)

    # -- life

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                         daemon=True).start()
        threading.Thread(target=self._grower, daemon=True).start()
        return self

    def stop(self):
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _grower(self):
        last = time.time()
        while not self._stop.wait(0.02):
            t = self.f["grow_every"]
            if t and time.time() - last >= t:
                last = time.time()
                self.log.grow(self.f["grow_by"])
            elif not t:
                last = time.time()

    def info(self):
        return {"url": self.url, "port": self.port, "kind": self.log.kind,
                "key": b64(self.log.spki), "log_id": b64(self.log.log_id),
                "origin": self.log.origin, "size": self.log.size,
                "pool": len(self.log.pool), "control": self.base + "/_control"}

    # -- switches

    def set(self, **kw):
        with self.lock:
            for k, v in kw.items():
                if k == "grow":
                    self.log.grow(int(v))
                elif k == "reset":
                    if v:
                        self.f = dict(self.DEFAULTS)
                elif k == "clear_served":
                    if v:
                        self.requests, self.ranges = [], []
                        self.corrupt_sent = []
                elif k == "log_bad":
                    self.log.log_corrupt(v["index"], v.get("kind", "tag"))
                    self._leaf_index = None
                elif k in self.DEFAULTS:
                    if isinstance(v, dict):
                        v = dict(v)
                        v.setdefault("count", 1)
                        v.setdefault("path", "")
                    self.f[k] = v
                else:
                    raise KeyError(k)
        return self

    def _take(self, name, rel):
        """The fault `name` if it is on and matches rel (one use spent)."""
        with self.lock:
            v = self.f[name]
            if not v or v["path"] not in rel:
                return None
            if v["count"] > 0:
                v["count"] -= 1
                if v["count"] == 0:
                    self.f[name] = None
            if self.verbose:
                sys.stderr.write("ctlog: fault %s on %s\n" % (name, rel))
            return v

    def state(self):
        with self.lock:
            return {"size": self.log.size, "timestamp": self.log.ts,
                    "root": b64(self.log.tree.root(self.log.size)),
                    "pool": len(self.log.pool), "requests": self.nreq,
                    "faults": {k: dict(v) if isinstance(v, dict) else v
                               for k, v in self.f.items()}}

    def served_ranges(self):
        with self.lock:
            out = []
            for a, b in sorted(self.ranges):
                if out and a <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], b)
                else:
                    out.append([a, b])
            return out

    # -- requests

    def handle(self, h, method):
        u = urllib.parse.urlsplit(h.path)
        path = u.path
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
        body = b""
        n = int(h.headers.get("Content-Length") or 0)
        if n:
            body = h.rfile.read(n)
        if path in ("/_control", "/_served", "/_state"):
            return self._control(h, method, path, q, body)
        if path.startswith("/_moved/"):
            path = path[len("/_moved"):]
        head, _, seg = path.rpartition("/")
        if seg.startswith("_m_"):
            path = head + "/" + seg[3:]
        with self.lock:
            self.nreq += 1
            k = self.f["grow_requests"]
            if k and self.nreq % k == 0:
                self.log.grow(self.f["grow_by"])
        rel = path[len(self.prefix):] if path.startswith(self.prefix) \
            else None
        try:
            if rel is None or method != "GET":
                raise _Reply(404, b"not found\n")
            if self.f["slow"]:
                time.sleep(self.f["slow"])
            hg = self._take("hang", rel)
            if hg:
                time.sleep(hg.get("seconds", 5))
                h.close_connection = True
                with self.lock:
                    self.requests.append([h.command, h.path, 0])
                return
            r = self._take("redirect", rel)
            if r:
                qs = "?" + u.query if u.query else ""
                form = r.get("form", "absolute")
                if form == "path":
                    loc = "/_moved" + path + qs
                elif form == "relative":
                    loc = "_m_" + path.rpartition("/")[2] + qs
                elif form == "downgrade":
                    loc = "http://" + (h.headers.get("Host") or
                                       self.base.split("/")[2]) \
                        + "/_moved" + path + qs
                else:       # the host the client named (a TLS name)
                    loc = self.base.split(":")[0] + "://" + (
                        h.headers.get("Host") or self.base.split("/")[2]) \
                        + "/_moved" + path + qs
                raise _Reply(r.get("code", 302), b"moved\n",
                             headers=[("Location", loc)])
            s = self._take("status", rel)
            if s:
                hd = []
                ra = s.get("retry_after")
                if ra == "date":
                    hd.append(("Retry-After", email.utils.formatdate(
                        time.time() + s.get("seconds", 2), usegmt=True)))
                elif ra is not None:
                    hd.append(("Retry-After", str(ra)))
                raise _Reply(s.get("code", 429), s.get("body", "").encode(),
                             headers=hd)
            if self.log.kind == "rfc6962":
                self._rfc6962(h, rel, q)
            else:
                self._static(h, rel)
        except _Reply as r:
            self.send(h, r.code, r.body, r.ctype, r.headers, rel=rel or "")
        except (OSError, ssl.SSLError):
            h.close_connection = True
        except Exception:       # a bug here: say so, loudly
            import traceback
            traceback.print_exc()
            self.send(h, 500, b"ctlog internal error\n",
                      "text/plain; charset=utf-8")

    def _accepts_gzip(self, h):
        return "gzip" in (h.headers.get("Accept-Encoding") or "")

    def send(self, h, code, body, ctype, headers=(), gz=False, entries=None,
             rel=""):
        tb = self._take("trunc_body", rel) if code == 200 else None
        if tb:
            body = body[:tb.get("bytes", len(body) // 2)]
            entries = None
        if gz:
            body = gzip.compress(body, 6, mtime=0)
            headers = list(headers) + [("Content-Encoding", "gzip")]
            if self._take("gzip_trunc", rel):
                body = body[:len(body) // 2]
                entries = None
        cut = self._take("cut", rel) if code == 200 else None
        chunked = self.f["chunked"]
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        for k, v in headers:
            h.send_header(k, v)
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
            rnd = random.Random(len(body))
            out, o = [], 0
            while o < len(body):
                k = rnd.randrange(1, 5000)
                out.append(b"%x\r\n" % len(body[o:o + k]) + body[o:o + k]
                           + b"\r\n")
                o += k
            payload = b"".join(out) + b"0\r\n\r\n"
        else:
            h.send_header("Content-Length", str(len(body)))
            payload = body
        if self.f["close"] or cut:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        if cut:
            payload = payload[:cut.get("after", len(payload) // 2)]
            entries = None
        drip = self.f["drip"]
        try:
            if drip:
                step = max(1, drip.get("bytes", 100))
                for o in range(0, len(payload), step):
                    h.wfile.write(payload[o:o + step])
                    h.wfile.flush()
                    time.sleep(drip.get("delay", 0.01))
            else:
                h.wfile.write(payload)
            h.wfile.flush()
            if cut:
                h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            h.close_connection = True
            entries = None
        with self.lock:
            self.requests.append([h.command, h.path, code])
            if entries and entries[1] > entries[0]:
                self.ranges.append(list(entries))

    def _json(self, h, obj, rel, entries=None):
        body = json.dumps(obj, separators=(",", ":")).encode()
        gz = self.f["gzip_json"] and self._accepts_gzip(h)
        self.send(h, 200, body, "application/json", gz=gz, entries=entries,
                  rel=rel)

    def _entry_out(self, i):
        """Entry i as sent: the logged one, or broken in transit."""
        e = self.log.entry(i)
        with self.lock:
            b = self.f["bad_entry"]
            if b and b.get("index") == i:
                if b["count"] > 0:
                    b["count"] -= 1
                    if b["count"] == 0:
                        self.f["bad_entry"] = None
                self.corrupt_sent.append(i)
                if self.verbose:
                    sys.stderr.write("ctlog: fault bad_entry on %d\n" % i)
                return e.corrupted(b.get("kind", "tag"))
        return e

    def _control(self, h, method, path, q, body):
        try:
            if path == "/_control":
                kw = {}
                if method == "POST" and body:
                    kw = json.loads(body)
                for k, v in q.items():
                    try:
                        kw[k] = json.loads(v)
                    except ValueError:
                        kw[k] = v
                self.set(**kw)
                out = self.state()
            elif path == "/_served":
                out = {"ranges": self.served_ranges(),
                       "requests": list(self.requests), "size": self.log.size,
                       "corrupt": list(self.corrupt_sent)}
            else:
                out = self.state()
            code, body = 200, json.dumps(out).encode()
        except (KeyError, ValueError, TypeError) as e:
            code, body = 400, ("bad control: %r\n" % (e,)).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    # -- RFC 6962

    @staticmethod
    def _int(q, name):
        v = q.get(name)
        if v is None or not v.isdigit():
            raise _Reply(400, ("%s: missing or not a number\n" % name).encode())
        return int(v)

    def _rfc6962(self, h, rel, q):
        log = self.log
        if rel == "ct/v1/get-sth":
            s = self._take("shrink", rel)
            bad = self._take("bad_sig", rel)
            br = self._take("bad_root", rel)
            return self._json(h, log.sth_json(s["size"] if s else None,
                                              bool(bad), bool(br)), rel)
        if rel == "ct/v1/get-entries":
            start, end = self._int(q, "start"), self._int(q, "end")
            with log.lock:
                size = log.size
            if end < start:
                raise _Reply(400, b"start > end\n")
            if start >= size:
                raise _Reply(400, ("need tree size: %d to get leaves but "
                                   "only got: %d\n" % (start + 1, size)
                                   ).encode())
            end = min(end, size - 1)
            batch = max(1, self.f["batch"])
            if self.f["align"]:
                end = min(end, (start // batch + 1) * batch - 1)
            else:
                end = min(end, start + batch - 1)
            if self.f["short"] > 0:
                end = min(end, start + self.f["short"] - 1)
            out = []
            for i in range(start, end + 1):
                e = self._entry_out(i)
                out.append({"leaf_input": b64(e.leaf_input()),
                            "extra_data": b64(e.extra_data())})
            return self._json(h, {"entries": out}, rel, (start, end + 1))
        if rel == "ct/v1/get-sth-consistency":
            a, b = self._int(q, "first"), self._int(q, "second")
            with log.lock:
                if not 0 < a <= b <= log.size:
                    raise _Reply(400, b"bad first/second\n")
                proof = log.tree.consistency(a, b)
            return self._json(h, {"consistency": [b64(x) for x in proof]},
                              rel)
        if rel == "ct/v1/get-proof-by-hash":
            n = self._int(q, "tree_size")
            try:
                hh = base64.b64decode(q.get("hash", ""), validate=True)
            except ValueError:
                raise _Reply(400, b"bad hash\n")
            with log.lock:
                if not 0 < n <= log.size:
                    raise _Reply(400, b"bad tree_size\n")
                if self._leaf_index is None or \
                        len(self._leaf_index) < log.size:
                    self._leaf_index = {x: i for i, x in
                                        enumerate(log.tree.levels[0])}
                i = self._leaf_index.get(hh)
                if i is None or i >= n:
                    raise _Reply(404, b"no such leaf\n")
                path = log.tree.path(i, 0, n)
            return self._json(h, {"leaf_index": i,
                                  "audit_path": [b64(x) for x in path]}, rel)
        if rel == "ct/v1/get-entry-and-proof":
            i, n = self._int(q, "leaf_index"), self._int(q, "tree_size")
            with log.lock:
                if not i < n <= log.size:
                    raise _Reply(400, b"bad leaf_index/tree_size\n")
                path = log.tree.path(i, 0, n)
            e = self._entry_out(i)
            return self._json(h, {"leaf_input": b64(e.leaf_input()),
                                  "extra_data": b64(e.extra_data()),
                                  "audit_path": [b64(x) for x in path]}, rel,
                              (i, i + 1))
        if rel == "log.v3.json":
            return self._json(h, self.log_v3(), rel)
        if rel == "ct/v1/get-roots":
            return self._json(h, {"certificates": [
                b64(c) for c in log.issuers.values()]}, rel)
        raise _Reply(404, b"404 page not found\n")

    # -- static-ct-api

    def _gz_tile(self, h, data_tile):
        g = self.f["gzip"]
        return (g == "always" or (g == "data" and data_tile) or
                (g == "accept" and self._accepts_gzip(h)))

    def _static(self, h, rel):
        log = self.log
        if rel == "checkpoint":
            s = self._take("shrink", rel)
            bad = self._take("bad_sig", rel)
            br = self._take("bad_root", rel)
            body = log.checkpoint(s["size"] if s else None, bool(bad),
                                  self.f["grease"], bool(br))
            return self.send(h, 200, body, "text/plain; charset=utf-8",
                             [("Cache-Control", "no-store")], rel=rel)
        if rel == "log.v3.json":
            return self._json(h, self.log_v3(), rel)
        parts = rel.split("/")
        if parts[0] == "issuer" and len(parts) == 2:
            c = log.issuers.get(parts[1])
            if c is None or parts[1] != parts[1].lower():
                raise _Reply(404, b"no such issuer\n")
            return self.send(h, 200, c, "application/pkix-cert",
                             [("Cache-Control", "public, max-age=604800, "
                               "immutable")], rel=rel)
        if parts[0] != "tile" or len(parts) < 3:
            raise _Reply(404, b"not found\n")
        if parts[1] == "data":
            level = -1
        elif parts[1] == "names" and self.f["names"]:
            level = -2
        elif parts[1].isdigit() and len(parts[1]) == 1 and int(parts[1]) <= 5:
            level = int(parts[1])
        else:
            raise _Reply(404, b"no such level\n")
        nw = parse_tile_index(parts[2:])
        if nw is None:
            raise _Reply(404, b"bad tile path\n")
        n, w = nw
        with log.lock:
            have = log.tile_width(level, n)
            want = w or 256
            if want > have or (w and self.f["partial_gone"] and have == 256):
                raise _Reply(404, b"no such tile\n")
            if level == -1:
                body = b"".join(self._entry_out(i).tile_leaf(i) for i in
                                range(256 * n, 256 * n + want))
                entries = (256 * n, 256 * n + want)
            elif level == -2:
                body = "".join(log.entry(i).names_line() + "\n" for i in
                               range(256 * n, 256 * n + want)).encode()
                entries = None
            else:
                body = log.hash_tile(level, n, want)
                entries = None
        hd = [("Cache-Control", "public, max-age=604800, immutable")]
        if level == -2:     # names tiles: always gzip (names-tiles.md)
            return self.send(h, 200, body,
                             "application/jsonl; charset=utf-8", hd, gz=True,
                             rel=rel)
        self.send(h, 200, body, "application/octet-stream", hd,
                  gz=self._gz_tile(h, level < 0), entries=entries, rel=rel)

    def log_v3(self):
        """This log's entry in log-list (v3) form, as Sunlight serves it."""
        d = {"description": "ctlog test log (%s)" % self.log.kind,
             "key": b64(self.log.spki), "log_id": b64(self.log.log_id),
             "mmd": 60 if self.log.kind == "static" else 86400}
        if self.log.kind == "static":
            d.update(monitoring_url=self.url, submission_url=self.url,
                     log_spec="static-ct-api")
        else:
            d["url"] = self.url
        return d


# ---------------------------------------------------------------------------
# command line

def build_log(kind, n, seed=1, real=False, initial=None, origin=None,
              giant_at=None, distinct=None):
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True
    import ctcerts
    entries = []
    if real:
        entries = load_navigli() if kind == "static" else load_rfc6962_real()
    k = min(n, distinct or n)
    made = entries_from_certs(ctcerts.make_entries(
        k, seed=seed, giant_at=giant_at, start=0))
    entries += [made[i % k] for i in range(n)]
    return Log(kind, entries, initial, key=log_key(seed), origin=origin)


def main(argv):
    import argparse
    import signal
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=("rfc6962", "static"), default="rfc6962")
    ap.add_argument("--entries", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", action="store_true",
                    help="put the real entries of ../shared/ct first")
    ap.add_argument("--distinct", type=int, default=None,
                    help="make only this many certificates and repeat them "
                    "(big logs quickly); entry i is certificate i %% K")
    ap.add_argument("--giant-at", type=int, default=None,
                    help="make this generated entry a >64 KiB certificate")
    ap.add_argument("--initial", type=int, default=None)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--prefix", default="/")
    ap.add_argument("--origin", default=None)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--ca-out", default=None)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--align", action="store_true")
    ap.add_argument("--chunked", action="store_true")
    ap.add_argument("--gzip", choices=("always", "data", "accept", "never"),
                    default=None)
    ap.add_argument("--grow-every", type=float, default=0)
    ap.add_argument("--grow-requests", type=int, default=0)
    ap.add_argument("--grow-by", type=int, default=1)
    ap.add_argument("--fault", action="append", default=[],
                    help="a JSON object of switches (repeatable)")
    ap.add_argument("--expect-out", default=None)
    ap.add_argument("--stdin-eof-exits", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.real and not os.path.isdir(SHARED_CT):
        sys.stderr.write("ctlog: --real needs ../shared/ct, absent\n")
        return 2
    log = build_log(a.kind, a.entries, a.seed, a.real, a.initial, a.origin,
                    a.giant_at, a.distinct)
    kw = dict(grow_every=a.grow_every, grow_requests=a.grow_requests,
              grow_by=a.grow_by, chunked=a.chunked, align=a.align)
    if a.batch:
        kw["batch"] = a.batch
    if a.gzip:
        kw["gzip"] = a.gzip
    for f in a.fault:
        kw.update(json.loads(f))
    srv = Server(log, tls=a.tls, ca_out=a.ca_out, port=a.port,
                 prefix=a.prefix, verbose=a.verbose, **kw)
    if a.expect_out:
        with open(a.expect_out, "w") as f:
            for d in log.expect():
                f.write(json.dumps(d) + "\n")
    srv.start()
    out = srv.info()
    out["ca"] = a.ca_out
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: done.set())
    signal.signal(signal.SIGINT, lambda *x: done.set())
    if a.stdin_eof_exits:
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()),
                         daemon=True).start()
    while not done.wait(0.5):
        pass
    srv.stop()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main(sys.argv[1:]))
