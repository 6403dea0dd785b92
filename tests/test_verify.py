#!/usr/bin/python3
"""Verification in the CT follower (issue 10, "proof that the log said
it"): examples/ct_follow against local logs (tests/ctlog.py) that lie.
Static logs: every entry delivered is proven in the signed checkpoint's
tree ("v2"); an entry changed in transit is a named error, not delivered;
a checkpoint whose root the tiles do not hash to (a forked head) is named
and nothing is delivered under it. RFC 6962 logs: successive heads are
checked with get-sth-consistency ("v1": the head verified); an
inconsistent head is named and not taken; a log that does not serve
proofs is said once. --no-verify turns it all off. Runs /usr/bin/python3
(python3-cryptography); about 15 s."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import ctlog  # noqa: E402
import util  # noqa: E402
from util import check, wait_used  # noqa: E402

EXE = util.CT_FOLLOW


def run(name, kind, n, initial=None, faults=None, during=None, extra=(),
        timeout=30):
    """Follow a local log from 0 until entry n; returns (lines as
    {index: (verified, domains)}, {index: error}, stderr, requests)."""
    log = ctlog.build_log(kind, n, 1, False, initial, None, None, None)
    srv = ctlog.Server(log, **(faults or {})).start()
    try:
        args = [EXE, "--from", "0", "--until", str(n), "--poll", "150",
                "--verified", "--key", ctlog.b64(log.spki), srv.url]
        if kind == "static":
            args[1:1] = ["--static", "--origin", log.origin]
        args[1:1] = list(extra)
        out, err, late = util.run_files(
            args, timeout, during and (lambda: during(srv, log)))
        if late:
            check(False, "%s: timed out" % name)
        out, err = out.decode(), err.decode()
        reqs = [r[1] for r in srv.requests]
    finally:
        srv.stop()
    got, errs = {}, {}
    twice = []
    for ln in out.splitlines():
        g = ln.split()
        if int(g[0]) in got:
            twice.append(int(g[0]))
        got[int(g[0])] = (g[1], g[2:])
    check(not twice, "%s: delivered twice: %s" % (name, twice[:5]))
    for ln in err.splitlines():
        if ln.startswith("error "):
            i, why = ln[6:].split(":", 1)
            errs[int(i)] = why.strip()
    check(sorted(set(got) | set(errs)) == list(range(n)),
          "%s: every entry accounted for" % name)
    print("%s: %d entries, %d named errors, %d requests" % (
        name, len(got), len(errs), len(reqs)))
    return got, errs, err, reqs


def main():
    if not util.need(EXE, "test_verify: build %s first (make examples)"
                     % EXE):
        return 1

    # static, growing: every entry proven; hash tiles cost one level-0
    # tile per data tile plus the right edge per checkpoint used
    got, errs, err, reqs = run("static growing", "static", 700, initial=200,
                               faults={"grow_every": 0.1, "grow_by": 150})
    check(not errs, "static growing: no errors %s" % list(errs.items())[:3])
    check(all(v == "v2" for v, _ in got.values()),
          "static growing: all proven (v2)")
    data = [r for r in reqs if "/tile/data/" in r]
    hashes = [r for r in reqs if "/tile/0/" in r or "/tile/1/" in r]
    check(len(hashes) > 0, "static growing: hash tiles fetched")
    print("  %d data tiles, %d hash tiles" % (len(data), len(hashes)))

    # an entry changed in transit (still a valid entry): named, not
    # delivered; the rest of its tile is
    got, errs, err, reqs = run("static lie in transit", "static", 600,
                               faults={"bad_entry": {"index": 300,
                                                     "kind": "ts"}})
    check(set(errs) == {300} and "leaf hash" in errs.get(300, ""),
          "static transit: entry 300 named (%s)" % errs)
    check(301 in got and got[301][0] == "v2", "static transit: 301 proven")
    # the same without verification: delivered as if nothing happened
    got, errs, err, reqs = run("static lie, --no-verify", "static", 600,
                               faults={"bad_entry": {"index": 300,
                                                     "kind": "ts"}},
                               extra=["--no-verify"])
    check(not errs and got.get(300, ("",))[0] == "v1",
          "--no-verify: entry 300 delivered, head verified only")
    check(not [r for r in reqs if "/tile/0/" in r],
          "--no-verify: no hash tiles")

    # a forked checkpoint (signed, but not the tree's root): named, none of
    # its entries delivered; the log's next head is good
    def fork(srv, log):
        time.sleep(0.4)
        srv.set(bad_root={"path": "checkpoint"})
        log.grow(44)
        wait_used(srv)
        time.sleep(0.5)
        log.grow(100)
    got, errs, err, reqs = run("static forked head", "static", 400,
                               initial=256, during=fork)
    check("do not hash to the signed root" in err,
          "static fork: the lying head named")
    check(not errs and all(v == "v2" for v, _ in got.values()),
          "static fork: every entry delivered proven, from the good head")

    # RFC 6962: growing heads proven consistent
    got, errs, err, reqs = run("rfc6962 consistent", "rfc6962", 400,
                               initial=100, faults={"grow_every": 0.15,
                                                    "grow_by": 60,
                                                    "batch": 64})
    cons = [r for r in reqs if "get-sth-consistency" in r]
    check(not errs and all(v == "v1" for v, _ in got.values()),
          "rfc6962: all delivered, heads verified (v1)")
    check(len(cons) >= 2, "rfc6962: consistency asked (%d)" % len(cons))
    check("not consistent" not in err, "rfc6962: no false alarm")

    # an inconsistent pair of heads: the second is named and not taken
    def lie(srv, log):
        time.sleep(0.4)
        srv.set(bad_root={"path": "get-sth"})
        log.grow(50)
        wait_used(srv)
        time.sleep(0.4)
        log.grow(50)
    got, errs, err, reqs = run("rfc6962 inconsistent", "rfc6962", 200,
                               initial=100, during=lie)
    check("head error 150: Merkle: two tree heads that are not consistent"
          in err, "rfc6962: inconsistent head named")
    check(not errs, "rfc6962 inconsistent: entries all delivered after")

    # a log that does not serve proofs: said once, followed anyway
    got, errs, err, reqs = run("rfc6962 no proofs", "rfc6962", 300,
                               initial=100, faults={
                                   "grow_every": 0.15, "grow_by": 50,
                                   "status": {"code": 404, "count": -1,
                                              "path": "get-sth-consistency"}})
    check(err.count("get-sth-consistency is not served") == 1,
          "rfc6962: 'not served' said once")
    check(not errs and len(got) == 300, "rfc6962 no proofs: all delivered")
    command()
    return util.summary()


def command():
    """The command: an entry that fails its proof is not printed, one
    stderr line says why; --no-verify prints it."""
    import json
    exe = os.environ.get("CERTSTREAM", os.path.join(util.BUILD,
                                                    "certstream"))
    if not os.path.exists(exe):
        check(False, "command: build %s first" % exe)
        return
    for flags in ([], ["--no-verify"]):
        # (a log per server: the origin names its port)
        log = ctlog.build_log("static", 300, 1, False, None, None, None,
                              None)
        srv = ctlog.Server(log, bad_entry={"index": 100, "kind": "ts"}
                           ).start()
        try:
            n = 300 if flags else 299
            p = subprocess.run([exe, "--tiled-log", srv.url, "--log-key",
                                ctlog.b64(log.spki), "--from", "0", "--json",
                                "-n", str(n)] + flags, capture_output=True,
                               timeout=20)
        finally:
            srv.stop()
        idx = [json.loads(ln)["data"]["cert_index"]
               for ln in p.stdout.decode().splitlines()]
        err = p.stderr.decode()
        if flags:
            check(idx == list(range(300)) and "CS_E_MERKLE" not in err,
                  "command --no-verify: entry 100 printed")
        else:
            check(idx == [i for i in range(300) if i != 100],
                  "command: entry 100 not printed")
            check(err.count("entry 100 skipped") == 1
                  and "CS_E_MERKLE_LEAF" in err,
                  "command: one stderr line for entry 100: %r" % err[-300:])


if __name__ == "__main__":
    sys.exit(main())
