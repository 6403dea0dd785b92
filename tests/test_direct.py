#!/usr/bin/python3
"""test_direct.py - the certstream command's direct mode (no --url: it reads
the CT logs itself) against local logs (tests/ctlog.py, RFC 6962 and
static-ct-api, over TLS with the CA it writes):

  - every entry arrives exactly once and in index order, with the
    all_domains, serial, hashes and validity that tests/ctcerts.py made;
  - --json lines are certstream-server-rust's lite certificate_update
    messages (keys in its order, its formats), cert_link and source right;
  - --from, the default start (the tree size: new entries only), --log and
    --tiled-log repeatable (two logs at once), --count, --domains, --match,
    the human line;
  - faults (short batches, 429/503 with Retry-After in seconds and as a
    date, cut bodies, truncated gzip, a bad entry among good ones, a
    shrinking tree, a bad signature, a growing tree) give the right
    output and one clear stderr line naming the log;
  - bad options and URLs exit 2 with one line; --log-list files.
The real entries of ../shared/ct are followed too (skipped, visibly, when
it is absent). Run with /usr/bin/python3 (python3-cryptography) after
`make build/certstream`. Ends with "N passed, N failed"."""
import base64
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True      # no tests/__pycache__ left behind
import ctcerts  # noqa: E402
import ctlog  # noqa: E402
import util  # noqa: E402
from util import check, skip  # noqa: E402

KIND = os.environ.get("KIND")      # rfc6962 or static: only that kind
ROOT = util.ROOT
BIN = util.CERTSTREAM
SHARED_CT = os.path.join(ROOT, "..", "shared", "ct")
TMP = util.tmpdir("test_direct.")
CA = os.path.join(TMP, "ca.pem")


# certstream-server-rust's lite message, key by key (../shared/research/
# samples): the shape every --json line must have.
DATA_KEYS = ["update_type", "leaf_cert", "cert_index", "cert_link", "seen",
             "submission_timestamp", "source"]
LEAF_KEYS = ["subject", "issuer", "serial_number", "not_before", "not_after",
             "fingerprint", "sha1", "sha256", "signature_algorithm", "is_ca",
             "all_domains", "extensions"]
NAME_ORDER = ["C", "CN", "L", "O", "OU", "ST", "aggregated", "email_address"]


def colons(hexstr):
    h = hexstr.upper()
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def tile_path(n):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n > 0:
        s = "x%03d/%s" % (n % 1000, s)
        n //= 1000
    return s


class Run(util.Run):
    """build/certstream in the background; stdout lines collected."""

    def __init__(self, args, env=None):
        super().__init__([BIN] + args, env)


def server(kind, n=None, entries=None, size=None, ca=CA, **faults):
    if entries is None:
        entries = ctlog.entries_from_certs(ctcerts.make_entries(n))
    log = ctlog.Log(kind, entries, size=size)
    srv = ctlog.Server(log, tls=True, ca_out=ca, **faults)
    log.origin = url(srv).split("://", 1)[1].rstrip("/")  # as followed
    return log, srv.start()


url = util.localhost                # the log's URL by name


def log_args(srv, key=True):
    flag = "--log" if srv.log.kind == "rfc6962" else "--tiled-log"
    a = [flag, url(srv)]
    if key:
        a += ["--log-key", base64.b64encode(srv.log.spki).decode()]
    return a


def json_lines(run):
    out = []
    for line in run.lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(None)
    return out


def check_entries(msgs, log, srv, lo, hi, what):
    """msgs must be entries lo..hi-1 of log, in order, each as expected."""
    exp = log.expect()
    idx = [m["data"]["cert_index"] if m else None for m in msgs]
    if not check(idx == list(range(lo, hi)),
                 "%s: indexes %s.. want %d..%d" % (what, idx[:8], lo, hi)):
        return
    bad = []
    for m in msgs:
        d = m["data"]
        lc = d["leaf_cert"]
        e = exp[d["cert_index"]]
        want_type = "PrecertLogEntry" if e["type"] == "precert" \
            else "X509LogEntry"
        probs = []
        if d["update_type"] != want_type:
            probs.append("update_type")
        if "all_domains" in e and lc["all_domains"] != e["all_domains"]:
            probs.append("all_domains %s / %s" % (lc["all_domains"],
                                                  e["all_domains"]))
        if "serial_hex_even" in e and lc["serial_number"] != e[
                "serial_hex_even"]:
            probs.append("serial")
        if "sha256" in e and lc["sha256"] != colons(e["sha256"]):
            probs.append("sha256")
        if "sha1" in e and (lc["sha1"] != colons(e["sha1"])
                            or lc["fingerprint"] != lc["sha1"]):
            probs.append("sha1")
        for k in ("not_before", "not_after"):
            if k in e and lc[k] != e[k]:
                probs.append(k)
        if abs(d["submission_timestamp"] - e["timestamp"] / 1000) > 1e-6:
            probs.append("submission_timestamp")
        if d["source"]["url"] != url(srv):
            probs.append("source.url")
        if srv.log.kind == "rfc6962":
            link = "%sct/v1/get-entries?start=%d&end=%d" % (
                url(srv), d["cert_index"], d["cert_index"])
        else:
            link = "%s/tile/data/%s" % (url(srv).rstrip("/"),
                                        tile_path(d["cert_index"] // 256))
        if d["cert_link"] != link:
            probs.append("cert_link %s" % d["cert_link"])
        if not (abs(d["seen"] - time.time()) < 120):
            probs.append("seen")
        if probs:
            bad.append((d["cert_index"], probs))
    check(not bad, "%s: fields: %s" % (what, bad[:3]))


def check_shape(msgs, what):
    bad = 0
    for m in msgs:
        if m is None or list(m) != ["message_type", "data"] \
                or m["message_type"] != "certificate_update":
            bad += 1
            continue
        d = m["data"]
        lc = d["leaf_cert"]
        if list(d) != DATA_KEYS or list(lc) != LEAF_KEYS \
                or list(d["source"]) != ["name", "url"]:
            bad += 1
            continue
        for nm in (lc["subject"], lc["issuer"]):
            ks = list(nm)
            if "aggregated" not in ks or ks != sorted(
                    ks, key=NAME_ORDER.index):
                bad += 1
        if not isinstance(lc["is_ca"], bool) \
                or not isinstance(d["seen"], float) \
                or not isinstance(d["cert_index"], int):
            bad += 1
    check(bad == 0 and msgs, "%s: %d of %d lines lack the rust lite shape"
          % (what, bad, len(msgs)))


# ---------------------------------------------------------------------------

def test_usage():
    cases = [
        ["--log", "ftp://x/"],
        ["--log", "http://"],
        ["--tiled-log", ""],
        ["--from", "abc"],
        ["--from", "-1"],
        ["--log-key", "AAAA"],
        ["--log", "http://127.0.0.1:1/", "--log-key", "!!notbase64"],
        ["--url", "ws://127.0.0.1:1/", "--log", "http://127.0.0.1:1/"],
        ["--url", "ws://127.0.0.1:1/", "--from", "5"],
        ["--raw", "--log", "http://127.0.0.1:1/"],
        ["--once", "--log", "http://127.0.0.1:1/"],
        ["--log-list", os.path.join(TMP, "absent.json")],
        ["--log-list", os.path.join(TMP, "bad.json")],
        ["--log-list", os.path.join(TMP, "empty.json")],
    ]
    with open(os.path.join(TMP, "bad.json"), "w") as f:
        f.write('{"operators": [')
    with open(os.path.join(TMP, "empty.json"), "w") as f:
        f.write('{"operators": []}')
    for a in cases:
        p = subprocess.run([BIN] + a, capture_output=True, timeout=10)
        err = p.stderr.decode().strip().split("\n")
        check(p.returncode == 2 and len(err) == 1 and p.stdout == b""
              and err[0].startswith("certstream: "),
              "usage %s: rc %d, stderr %r" % (a, p.returncode, err[:3]))


def test_log_list():
    """--log-list: a v3 list whose only live log is the local one; the log
    list's description names the source."""
    log, srv = server("rfc6962", 12)
    spki = base64.b64encode(log.spki).decode()
    lst = {"version": "1", "log_list_timestamp": "2026-01-01T00:00:00Z",
           "operators": [{"name": "Test", "email": [], "logs": [
               {"description": "Test 'Local' log", "log_id": "x",
                "key": spki, "url": url(srv), "mmd": 86400,
                "state": {"usable": {"timestamp": "2025-01-01T00:00:00Z"}},
                "temporal_interval": {
                    "start_inclusive": "2020-01-01T00:00:00Z",
                    "end_exclusive": "2099-01-01T00:00:00Z"}},
               {"description": "Ended", "log_id": "y", "key": spki,
                "url": "https://127.0.0.1:1/ended/", "mmd": 86400,
                "state": {"usable": {"timestamp": "2025-01-01T00:00:00Z"}},
                "temporal_interval": {
                    "start_inclusive": "2020-01-01T00:00:00Z",
                    "end_exclusive": "2021-01-01T00:00:00Z"}},
               {"description": "Retired", "log_id": "z", "key": spki,
                "url": "https://127.0.0.1:1/retired/", "mmd": 86400,
                "state": {"retired": {"timestamp": "2025-01-01T00:00:00Z"}}}],
               "tiled_logs": []}]}
    path = os.path.join(TMP, "list.json")
    with open(path, "w") as f:
        json.dump(lst, f)
    r = Run(["--log-list", path, "--ca", CA, "--from", "0", "--json",
             "-n", "12"])
    rc = r.finish(30)
    msgs = json_lines(r)
    check(rc == 0, "log-list: exit %d: %s" % (rc, r.err[-3:]))
    check_entries(msgs, log, srv, 0, 12, "log-list")
    check(all(m and m["data"]["source"]["name"] == "Test 'Local' log"
              for m in msgs), "log-list: source.name from the list")
    check(not any("127.0.0.1:1/" in x for x in r.err),
          "log-list: ended and retired logs not followed: %s" % r.err)
    srv.stop()


def test_list_origin():
    """--log-list with a static log whose checkpoint origin is its
    submission prefix (submission_url without scheme and '/'), not the
    monitoring URL it is read from (Let's Encrypt's Sycamore, Geomys'
    Tuscolo, IPng): followed, not refused for its origin."""
    log, srv = server("static", 12)
    log.origin = "log.origin.test/2026h1"
    spki = base64.b64encode(log.spki).decode()
    lst = {"version": "1", "log_list_timestamp": "2026-01-01T00:00:00Z",
           "operators": [{"name": "Test", "email": [], "logs": [],
                          "tiled_logs": [
               {"description": "Test 'Tiled' log", "log_id": "x",
                "key": spki, "monitoring_url": url(srv),
                "submission_url": "https://log.origin.test/2026h1/",
                "mmd": 60,
                "state": {"usable": {"timestamp": "2025-01-01T00:00:00Z"}},
                "temporal_interval": {
                    "start_inclusive": "2020-01-01T00:00:00Z",
                    "end_exclusive": "2099-01-01T00:00:00Z"}}]}]}
    path = os.path.join(TMP, "list_origin.json")
    with open(path, "w") as f:
        json.dump(lst, f)
    r = Run(["--log-list", path, "--ca", CA, "--from", "0", "--json",
             "-n", "12"])
    rc = r.finish(10)
    msgs = json_lines(r)
    check(rc == 0, "list origin: exit %d: %s" % (rc, r.err[-3:]))
    check_entries(msgs, log, srv, 0, 12, "list origin")
    srv.stop()


def test_follow(kind):
    n = 300 if kind == "static" else 120
    log, srv = server(kind, n, batch=50)
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                             str(n)])
    rc = r.finish(30)
    msgs = json_lines(r)
    check(rc == 0, "%s: exit %d: %s" % (kind, rc, r.err[-3:]))
    check_shape(msgs, kind)
    check_entries(msgs, log, srv, 0, n, kind)
    check(r.err == [], "%s: quiet stderr: %s" % (kind, r.err[:3]))
    # --from N, and the human line / --domains / --match on the same log
    r = Run(log_args(srv) + ["--ca", CA, "--from", "37", "--json", "-n",
                             "5"])
    r.finish(30)
    check_entries(json_lines(r), log, srv, 37, 42, kind + " --from 37")
    exp = log.expect()
    r = Run(log_args(srv) + ["--ca", CA, "--from", "3", "-n", "2",
                             "--utc"])
    r.finish(30)
    want = ["%s - %s " % (url(srv), exp[i]["all_domains"][0]
                          if exp[i]["all_domains"] else "")
            for i in (3, 4)]
    check(len(r.lines) == 2 and all(
        line.startswith("[") and line.split("] ", 1)[1] == w
        for line, w in zip(r.lines, want)),
        "%s human: %s want %s" % (kind, r.lines, want))
    r = Run(log_args(srv) + ["--ca", CA, "--from", "10", "-n", "4",
                             "--domains"])
    r.finish(30)
    want = [d for i in range(10, 14) for d in exp[i]["all_domains"]]
    check(r.lines == want, "%s --domains: %s want %s" % (kind, r.lines[:5],
                                                        want[:5]))
    target = exp[20]["all_domains"][-1]
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "-n", "1", "--json",
                             "--match", target])
    r.finish(30)
    m = json_lines(r)
    check(len(m) == 1 and m[0] and target in
          m[0]["data"]["leaf_cert"]["all_domains"],
          "%s --match %s: %s" % (kind, target, r.lines[:1]))
    # direct mode's --json carries the match: every matching domain with
    # the pattern it matched, after the server's fields
    hits = m[0]["data"].get("match") if len(m) == 1 and m[0] else None
    check(isinstance(hits, list) and hits
          and all(h.get("pattern") == target for h in hits)
          and target in [h.get("domain") for h in hits]
          and list(m[0]["data"].keys())[-1] == "match",
          "%s --json --match carries the match: %s" % (kind, hits))
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "-n", "1",
                             "--json"])
    r.finish(30)
    m = json_lines(r)
    check(len(m) == 1 and m[0] and "match" not in m[0]["data"],
          "%s --json without --match adds no match: %s" % (kind, r.lines[:1]))
    srv.stop()


def test_default_start_and_growth(kind):
    """No --from: only entries after the tree size at start; a tree that
    grows while being read arrives whole."""
    log, srv = server(kind, 400, size=100)
    r = Run(log_args(srv) + ["--ca", CA, "--json", "-n", "300"])
    time.sleep(1.5)
    for _ in range(6):
        srv.set(grow=50)
        time.sleep(0.2)
    rc = r.finish(30)
    check(rc == 0, "%s growth: exit %d %s" % (kind, rc, r.err[-3:]))
    check_entries(json_lines(r), log, srv, 100, 400, kind + " growth")
    srv.stop()


def test_two_logs():
    cadir = os.path.join(TMP, "cas")        # each log has its own CA:
    os.makedirs(cadir, exist_ok=True)       # --ca takes a directory
    la, sa = server("rfc6962", 60, ca=os.path.join(cadir, "a.pem"))
    lb, sb = server("static", 300, ca=os.path.join(cadir, "b.pem"))
    r = Run(log_args(sa) + log_args(sb) + ["--ca", cadir, "--from", "0",
                                           "--json", "-n", "360"])
    rc = r.finish(30)
    msgs = json_lines(r)
    check(rc == 0, "two logs: exit %d %s" % (rc, r.err[-3:]))
    check_entries([m for m in msgs if m and m["data"]["source"]["url"]
                   == url(sa)], la, sa, 0, 60, "two logs: rfc6962")
    check_entries([m for m in msgs if m and m["data"]["source"]["url"]
                   == url(sb)], lb, sb, 0, 300, "two logs: static")
    sa.stop()
    sb.stop()


FAULTS = [
    # (kind, faults at start, stderr needle or None, what)
    ("rfc6962", {"short": 7}, None, "short batches"),
    ("rfc6962", {"status": {"code": 429, "retry_after": "1", "count": 2,
                            "path": "get-entries"}}, "429", "429 seconds"),
    ("rfc6962", {"status": {"code": 503, "retry_after": "date", "count": 1,
                            "path": "get-entries"}}, "503", "503 date"),
    ("static", {"status": {"code": 429, "retry_after": "1", "count": 1,
                           "path": "tile/data"}}, "429", "static 429"),
    ("static", {"status": {"code": 503, "retry_after": "date", "count": 1,
                           "path": "checkpoint"}}, "503", "static 503"),
    ("rfc6962", {"cut": {"after": 3000, "path": "get-entries"}}, None,
     "cut body"),
    ("static", {"cut": {"after": 2000, "path": "tile/data"}}, None,
     "static cut body"),
    ("static", {"gzip_trunc": {"path": "tile/data"}}, None,
     "truncated gzip"),
    ("rfc6962", {"chunked": True, "close": True}, None, "chunked, close"),
]


def test_faults():
    for kind, faults, needle, what in FAULTS:
        if KIND and kind != KIND:
            continue
        n = 260 if kind == "static" else 80
        log, srv = server(kind, n, batch=30, **faults)
        r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                                 str(n)])
        rc = r.finish(30)
        check(rc == 0, "%s: exit %d %s" % (what, rc, r.err[-3:]))
        check_entries(json_lines(r), log, srv, 0, n, what)
        if needle is not None:
            lines = [x for x in r.err if needle in x]
            check(lines and url(srv) in lines[0] and "retry" in lines[0],
                  "%s: a stderr line naming the log and the retry: %s"
                  % (what, r.err[:3]))
        check(len(r.err) <= 4, "%s: few stderr lines: %s" % (what, r.err))
        srv.stop()


def test_bad_entry(kind):
    n = 260 if kind == "static" else 40
    log, srv = server(kind, n, batch=1000)
    srv.set(log_bad={"index": 7})
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                             str(n - 1)])
    rc = r.finish(30)
    msgs = json_lines(r)
    idx = [m["data"]["cert_index"] for m in msgs if m]
    check(rc == 0 and idx == [i for i in range(n) if i != 7],
          "%s bad entry: every other entry, in order: %s" % (kind, idx[:10]))
    check(any("7" in x and url(srv) in x for x in r.err),
          "%s bad entry: one line naming the log and the index: %s"
          % (kind, r.err[:3]))
    srv.stop()


def test_tree_faults(kind):
    # a shrinking tree: an error for that log, nothing delivered again
    log, srv = server(kind, 60)
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json"])
    ok = r.wait_lines(60, 30)
    srv.set(shrink={"size": 10, "count": -1})
    # either word, in one wait (waiting for "shr" first cost 15 s: the
    # line says "smaller")
    check(r.wait_err(("shr", "smaller"), 15),
          "%s shrink: stderr says so: %s" % (kind, r.err[:3]))
    time.sleep(1)
    r.stop()
    check(ok and len(r.lines) == 60, "%s shrink: no entry twice (%d)"
          % (kind, len(r.lines)))
    srv.stop()
    # a bad signature on the tree head: refused, said, then it recovers
    log, srv = server(kind, 30)
    srv.set(bad_sig={"count": 2})
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                             "30"])
    rc = r.finish(30)
    check(rc == 0 and len(r.lines) == 30,
          "%s bad sig: recovers (%d, %s)" % (kind, len(r.lines), r.err[:3]))
    check(any("signature" in x and url(srv) in x for x in r.err),
          "%s bad sig: one line naming the log: %s" % (kind, r.err[:3]))
    srv.stop()


def test_real():
    if not os.path.isdir(os.path.join(SHARED_CT, "navigli2025h2")):
        skip("real CT data: ../shared/ct is absent")
        return
    for kind, n in (("static", 512), ("rfc6962", 6)):
        entries = ctlog.load_navigli() if kind == "static" \
            else ctlog.load_rfc6962_real()
        log, srv = server(kind, entries=entries)
        r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                                 str(n)])
        rc = r.finish(30)
        msgs = json_lines(r)
        check(rc == 0, "real %s: exit %d %s" % (kind, rc, r.err[-3:]))
        check_shape(msgs, "real " + kind)
        check_entries(msgs, log, srv, 0, n, "real " + kind)
        srv.stop()


def test_samples():
    """certstream-server-rust's own lite messages (its 40 live fixtures in
    ../shared/research/samples): the same certificates served by a local
    log come out byte for byte the same, but for seen, cert_link and
    source (this log's) and cert_index (its place here)."""
    import glob
    from cryptography import x509
    sdir = os.path.join(ROOT, "..", "shared", "research", "samples")
    fulls = sorted(glob.glob(os.path.join(sdir, "*certstream-server-rust*"
                                                "__full.json")))
    if not fulls:
        skip("rust lite samples: ../shared/research/samples is absent")
        return
    entries, want = [], []
    for f in fulls:
        with open(f) as fh:
            full = json.load(fh)
        with open(f.replace("__full.json", "__lite.json")) as fh:
            want.append(json.loads(fh.read()))
        d = full["data"]
        der = base64.b64decode(d["leaf_cert"]["as_der"])
        ts = int(round(d["submission_timestamp"] * 1000))
        if d["update_type"] == "PrecertLogEntry":
            # the TBS as issued (poison kept): only the precertificate
            # is parsed for the message, as servers do
            tbs = x509.load_der_x509_certificate(der).tbs_certificate_bytes
            entries.append(ctlog.Entry(ts, 1, tbs, b"\x11" * 32, der, []))
        else:
            entries.append(ctlog.Entry(ts, 0, der, chain=[]))
    log, srv = server("rfc6962", entries=entries)
    r = Run(log_args(srv) + ["--ca", CA, "--from", "0", "--json", "-n",
                             str(len(entries))])
    r.finish(30)
    same = 0
    for i, (line, w) in enumerate(zip(r.lines, want)):
        w["data"]["cert_index"] = i
        w["data"]["cert_link"] = "%sct/v1/get-entries?start=%d&end=%d" % (
            url(srv), i, i)
        w["data"]["source"] = {"name": url(srv), "url": url(srv)}
        try:
            w["data"]["seen"] = json.loads(line)["data"]["seen"]
        except (ValueError, KeyError, TypeError):
            pass
        text = json.dumps(w, separators=(",", ":"), ensure_ascii=False)
        if check(line == text, "sample %d: ours %s\n  want %s" % (
                i, line[:300], text[:300])):
            same += 1
    check(len(r.lines) == len(want), "samples: %d of %d lines"
          % (len(r.lines), len(want)))
    srv.stop()


KINDS = [KIND] if KIND else ["rfc6962", "static"]


def main():
    if not util.need(BIN, "SKIP: %s not built (make build/certstream)"
                     % BIN):
        return 1
    only = sys.argv[1:]
    tests = [("usage", test_usage), ("log_list", test_log_list),
             ("list_origin", test_list_origin),
             ("rfc6962", lambda: test_follow("rfc6962")),
             ("static", lambda: test_follow("static")),
             ("growth", lambda: [test_default_start_and_growth(k)
                                 for k in KINDS]),
             ("two", test_two_logs), ("faults", test_faults),
             ("bad_entry", lambda: [test_bad_entry(k) for k in KINDS]),
             ("tree", lambda: [test_tree_faults(k) for k in KINDS]),
             ("real", test_real), ("samples", test_samples)]
    for name, fn in tests:
        if only and name not in only:
            continue
        if KIND and name in ("rfc6962", "static", "two") and name != KIND:
            continue                  # "two" needs both kinds
        t = time.time()
        fn()
        if os.environ.get("VERBOSE"):
            print("  %s: %.1f s" % (name, time.time() - t))
    return util.summary()


if __name__ == "__main__":
    sys.exit(main())
