#!/usr/bin/python3
"""The CT log follower end to end: examples/ct_follow (the POSIX transport,
TLS, cs_ct_run) against local RFC 6962 and static logs (tests/ctlog.py)
with faults switched on. Every entry the log holds must come out exactly
once and in order, as a line "index domains..." with the domains the
certificate names (ctlog's expectation), or as a named error for entries
broken in transit. Runs /usr/bin/python3 (needs python3-cryptography)."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import ctlog  # noqa: E402
import util  # noqa: E402
from util import check  # noqa: E402

EXE = util.CT_FOLLOW


def fault(srv, **kw):
    """Switch one-shot faults on and wait (up to 10 s) until they were
    used, so that each hits its own request."""
    util.wait_used(srv, **kw)
    time.sleep(0.3)             # that request is over: the next is clean


def run(name, kind, n, initial=None, tls=False, real=False, faults=None,
        during=None, extra=(), timeout=60, allow_errors=(), want=None):
    """Serve a log, follow it from 0 until entry `want` (default: all n),
    check what came out."""
    log = ctlog.build_log(kind, n, 1, real, initial, None, None, None)
    exp = log.expect()
    total = len(exp) if want is None else want
    with tempfile.TemporaryDirectory() as d:
        ca = os.path.join(d, "ca.pem")
        srv = ctlog.Server(log, tls=tls, ca_out=ca if tls else None, verbose=bool(os.environ.get("V")),
                           **(faults or {})).start()
        try:
            args = [EXE, "--from", "0", "--until", str(total), "--poll",
                    "200", "--key",
                    ctlog.b64(log.spki), util.localhost(srv)] + list(extra)
            if kind == "static":
                args[1:1] = ["--static", "--origin", log.origin]
            if tls:
                args[1:1] = ["--ca", ca]
            out, err, late = util.run_files(
                args, timeout, during and (lambda: during(srv, log)))
            if late:
                check(False, "%s: timed out" % name)
        finally:
            srv.stop()
    got = [ln.split() for ln in out.decode().splitlines()]
    idx = [int(g[0]) for g in got]
    errs = {}
    for ln in err.decode().splitlines():
        if ln.startswith("error "):
            i, why = ln[6:].split(":", 1)
            errs[int(i)] = why.strip()
    check(idx == sorted(set(idx)), "%s: in order, each once" % name)
    check(not (set(idx) & set(errs)), "%s: an entry both delivered and bad"
          % name)
    check(sorted(set(idx) | set(errs)) == list(range(total)),
          "%s: every entry accounted for (missing %s)" % (
              name, sorted(set(range(total)) - set(idx) - set(errs))[:10]))
    bad = [i for i in errs if i not in allow_errors]
    check(not bad, "%s: unexpected entry errors %s" % (
        name, [(i, errs[i]) for i in bad[:5]]))
    wrong = 0
    wrongs = []
    for g in got:
        e = exp[int(g[0])]
        dom = e.get("all_domains")
        if dom is not None and dom[:len(g) - 1] != g[1:]:
            wrong += 1
            wrongs.append((g[:3], dom[:3], len(dom), len(g)))
    check(wrong == 0, "%s: %d entries with the wrong domains %s" % (name, wrong, wrongs[:3]))
    print("%s: %d entries, %d named errors" % (name, len(idx), len(errs)))
    return err.decode()


def follow(srv, log, kind, args, timeout=60, tls_ca=None):
    """Run ct_follow once against srv; returns (indices, stderr, rc)."""
    a = [EXE, "--poll", "200", "--key", ctlog.b64(log.spki)] + args + [
        util.localhost(srv)]
    if kind == "static":
        a[1:1] = ["--static", "--origin", log.origin]
    if tls_ca:
        a[1:1] = ["--ca", tls_ca]
    try:
        p = subprocess.run(a, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        check(False, "%s: timed out" % args)
        return [], "", -1
    idx = [int(ln.split()[0]) for ln in p.stdout.decode().splitlines()]
    return idx, p.stderr.decode(), p.returncode


def ranges_and_resume(kind, n, a, b, stop):
    """[a, b) as a range (exactly those, then "done b", even though the
    tree is larger); then a follow from 0 stopped after `stop` entries and
    resumed from the index it reported: every entry once."""
    log = ctlog.build_log(kind, n, 1, False, None, None, None, None)
    srv = ctlog.Server(log, batch=37).start()
    try:
        idx, err, rc = follow(srv, log, kind, ["--from", str(a), "--to",
                                               str(b)], timeout=30)
        check(idx == list(range(a, b)) and rc == 0,
              "%s range [%d, %d): got %d entries %s, rc %d" % (
                  kind, a, b, len(idx), idx[:3], rc))
        check("done %d" % b in err, "%s range: done said" % kind)
        if kind == "rfc6962":
            check(max(r[1] for r in srv.served_ranges()) <= b,
                  "rfc6962 range: nothing past %d asked %s" % (
                      b, srv.served_ranges()))
        first, err, rc = follow(srv, log, kind, ["--from", "0", "-n",
                                                 str(stop)], timeout=30)
        nxt = int(err.rsplit("next ", 1)[1].split(",")[0])
        check(first == list(range(stop)) and nxt == stop,
              "%s stopped: %d entries, next %d" % (kind, len(first), nxt))
        rest, err, rc = follow(srv, log, kind, ["--from", str(nxt), "--to",
                                                str(n)], timeout=30)
        check(first + rest == list(range(n)),
              "%s resumed at %d: every entry once (%d + %d)" % (
                  kind, nxt, len(first), len(rest)))
    finally:
        srv.stop()
    print("%s range [%d, %d) and resume at %d of %d" % (kind, a, b, stop, n))


def main():
    if not util.need(EXE, "test_follow: build %s first (make examples)"
                     % EXE):
        return 1
    real = os.path.isdir(ctlog.SHARED_CT)
    if not real:
        print("test_follow: ../shared/ct absent: the real-data runs skip")
    # RFC 6962 over TLS: short batches, a tree that grows while we read
    run("rfc6962 tls short growing", "rfc6962", 240, initial=60, tls=True,
        faults={"batch": 32, "short": 7, "grow_every": 0.1, "grow_by": 30})
    # faults one after another on get-entries
    run("rfc6962 faults", "rfc6962", 300, faults={
        "batch": 50, "close": True,
        "status": {"code": 429, "retry_after": "1", "path": "get-entries"},
    }, during=lambda s, l: (
        fault(s, cut={"after": 3000, "path": "get-entries"}),
        fault(s, status={"code": 503, "retry_after": "date",
                         "path": "get-entries"}),
        s.set(bad_entry={"index": 250, "kind": "tag"})),
        allow_errors=(250,))
    # a chunked, gzipped JSON log
    run("rfc6962 chunked gzip", "rfc6962", 120,
        faults={"chunked": True, "gzip_json": True, "batch": 40})
    # static over TLS, real tiles first, growing, faults on tiles
    if real:
        run("static tls real", "static", 300, tls=True, real=True,
            faults={"cut": {"after": 20000, "path": "tile/data"}})
    run("static faults growing", "static", 700, initial=100, faults={
        "grow_every": 0.2, "grow_by": 77,
        "status": {"code": 503, "retry_after": "1", "path": "tile/data"},
    }, during=lambda s, l: (fault(s, gzip_trunc={}), s.set(
        bad_entry={"index": 650, "kind": "trunc"})),
        allow_errors=(650,))
    # a shrinking tree and a bad signature: named, nothing redelivered
    e = run("rfc6962 shrink+bad sig", "rfc6962", 200, initial=100,
            faults={"batch": 64}, during=lambda s, l: (
                time.sleep(0.5), fault(s, shrink={"size": 10}),
                fault(s, bad_sig={}), l.grow(100)))
    check("smaller" in e, "shrink named")
    check("signature" in e, "bad signature named")
    e = run("static shrink+bad sig", "static", 300, initial=256,
            during=lambda s, l: (
                time.sleep(0.5), fault(s, shrink={"size": 10}),
                fault(s, bad_sig={}), l.grow(44)))
    check("smaller" in e, "static shrink named")
    check("signature" in e, "static bad signature named")
    # redirects over TLS: absolute, relative, absolute path, a loop (5
    # hops, then named), a downgrade to http:// (refused, named)
    e = run("rfc6962 tls redirects", "rfc6962", 100, initial=20, tls=True,
            faults={"batch": 40}, during=lambda s, l: (
                fault(s, redirect={"code": 302, "path": "get-sth"}),
                fault(s, redirect={"code": 307, "form": "relative",
                                   "path": "get-sth"}),
                fault(s, redirect={"code": 308, "form": "path",
                                   "path": "get-sth"}),
                fault(s, redirect={"code": 302, "count": 6}),
                fault(s, redirect={"code": 301, "form": "downgrade"}),
                l.grow(50),
                fault(s, redirect={"code": 302, "form": "relative",
                                   "path": "get-entries"}),
                l.grow(30)))
    check(e.count("redirect 30") >= 9, "redirects followed and said")
    check("too many redirects" in e, "a redirect loop named")
    check("refused a redirect from https" in e, "a downgrade named")
    run("static redirects", "static", 300, initial=100, during=lambda s, l: (
        fault(s, redirect={"code": 302, "form": "relative",
                           "path": "checkpoint"}),
        l.grow(200),
        fault(s, redirect={"code": 301, "form": "path",
                           "path": "tile/data", "count": 2})))
    # ranges and resume, both protocols (static: mid-tile)
    ranges_and_resume("rfc6962", 150, 30, 95, 41)
    ranges_and_resume("static", 600, 100, 300, 300)
    return util.summary()


if __name__ == "__main__":
    sys.exit(main())
