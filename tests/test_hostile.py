#!/usr/bin/python3
"""A hostile CT log against the follower's verification (issue 10, "a log
that lies"): examples/ct_follow against local logs (tests/ctlog.py) that
lie in ways test_verify.py does not try. Each case says what the log does
and what the follower must (not) deliver:
  - static: a precert entry whose leaf hash is right but whose
    pre_certificate (not covered by the leaf hash) is another
    certificate: its names must not be delivered as proven (the names
    and SHA-256 are its TBS's); honest precerts, also those signed by a
    precertificate signing certificate, keep the precertificate's;
  - static: a data tile with more entries than asked for (past the
    signed tree): none of them delivered before they are logged;
  - static: a second checkpoint that forks the tree the first one signed
    (old entries logged differently): named, nothing delivered under it;
  - RFC 6962: a 429 on get-sth-consistency is a rate limit, not "proofs
    are not served": the next inconsistent head is still caught;
  - RFC 6962: a consistency proof with one hash too many or too few: the
    head is not taken;
  - RFC 6962: a signed head of size 2^64 - 1: no request loop without a
    pause;
  - both kinds: trees of 0, 1, 2 entries growing past a tile: every
    entry, proven, no false alarm.
Runs /usr/bin/python3 (python3-cryptography); about 6 s (cases at once)."""
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import ctlog  # noqa: E402

B = os.environ.get("CS_BUILD", os.path.join(HERE, "..", "build"))
EXE = os.path.join(B, "examples", "ct_follow")
passed = failed = 0
LOCK = threading.Lock()


def check(ok, what):
    global passed, failed
    with LOCK:
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL", what)
    return ok


def served(srv, n, limit=6):
    """Wait until entries [0, n) were served (or limit seconds)."""
    t = time.time()
    while time.time() - t < limit:
        r = srv.served_ranges()
        if r and r[0][0] == 0 and r[0][1] >= n:
            return True
        time.sleep(0.02)
    return check(False, "entries up to %d never served" % n)


def follow(name, log, srv, n, during=None, extra=(), timeout=10,
           start=0, wait_for=()):
    """ct_follow from `start` until entry n, or until `timeout` seconds
    after during(srv, log) returned, or (wait_for) until its stderr holds
    one of those strings (then 0.2 s more); returns
    ({index: (verified, domains)}, {index: error}, stderr, requests)."""
    with tempfile.TemporaryDirectory() as d:
        try:
            args = [EXE, "--from", str(start), "--until", str(n), "--poll",
                    "100", "--verified", "--key", ctlog.b64(log.spki)]
            if log.kind == "static":
                args += ["--static", "--origin", log.origin]
            args += list(extra) + [srv.url]
            fo = open(os.path.join(d, "out"), "w+b")
            fe = open(os.path.join(d, "err"), "w+b")
            p = subprocess.Popen(args, stdout=fo, stderr=fe)
            if during:
                during(srv, log)
            t = time.time()
            while p.poll() is None and time.time() - t < timeout:
                time.sleep(0.05)
                fe.seek(0)
                e = fe.read().decode(errors="replace")
                if any(w in e for w in wait_for):
                    time.sleep(0.2)
                    break
            if p.poll() is None:
                p.kill()
            p.wait()
            fo.seek(0)
            fe.seek(0)
            out, err = fo.read().decode(), fe.read().decode()
            fo.close()
            fe.close()
            reqs = [r[1] for r in srv.requests]
        finally:
            srv.stop()
    got, errs = {}, {}
    for ln in out.splitlines():
        g = ln.split()
        got[int(g[0])] = (g[1], g[2:])
    for ln in err.splitlines():
        if ln.startswith("error "):
            i, why = ln[6:].split(":", 1)
            errs[int(i)] = why.strip()
    print("%s: %d entries, %d named errors, %d requests" % (
        name, len(got), len(errs), len(reqs)))
    return got, errs, err, reqs


POOL = []


def entries(n):
    """The first n of one pool of generated entries (made once)."""
    return list(POOL[:n])


def rfc_log(n, initial):
    return ctlog.Log("rfc6962", entries(n), size=initial,
                     key=ctlog.log_key(1))


def precert_swap():
    """The pre_certificate of a static tile entry is not in its leaf hash:
    a log can put any certificate there. What is delivered as proven (v2)
    must be what the leaf hash covers: the TBS's names."""
    pool = entries(300)
    pre = [i for i, e in enumerate(pool) if e.etype == 1]
    i = next(k for k in pre if k >= 10)
    j = next(k for k in pre if set(pool[k].info["all_domains"])
             != set(pool[i].info["all_domains"]))
    real = pool[i].info["all_domains"]
    fake = pool[j].info["all_domains"]
    e = pool[i]
    pool[i] = ctlog.Entry(e.ts, e.etype, e.body, e.ikh, pool[j].precert,
                          e.chain, e.fps, e.info)
    log = ctlog.Log("static", pool, key=ctlog.log_key(1))
    srv = ctlog.Server(log).start()
    got, errs, err, _ = follow("static precert swapped", log, srv, 300)
    v, doms = got.get(i, (None, []))
    check(i in got or i in errs, "precert swap: entry %d accounted for" % i)
    check(not (v == "v2" and set(doms) == set(fake) != set(real)),
          "precert swap: entry %d delivered proven with the swapped "
          "precertificate's names %s (its leaf says %s)" % (i, fake, real))
    check(i in errs or set(doms) == set(real),
          "precert swap: entry %d names are its TBS's (%s, got %s %s)" % (
              i, real, v, doms))
    check(all(got[k][0] == "v2" for k in got if k != i),
          "precert swap: the others proven")


def precert_sha():
    """The command on a static log where entry i's pre_certificate is
    swapped: every honest precert (signed by the CA, or by a
    precertificate signing certificate: another issuer and AKI) keeps the
    precertificate's SHA-256 as servers give it; entry i gets its TBS's,
    never the swapped-in certificate's."""
    import hashlib
    import json
    exe = os.environ.get("CERTSTREAM", os.path.join(B, "certstream"))
    if not check(os.path.exists(exe), "precert sha: build %s" % exe):
        return
    pool = entries(40)
    pre = [k for k, e in enumerate(pool) if e.etype == 1]
    i, j = pre[2], pre[3]
    e = pool[i]
    pool[i] = ctlog.Entry(e.ts, e.etype, e.body, e.ikh, pool[j].precert,
                          e.chain, e.fps, e.info)
    log = ctlog.Log("static", pool, key=ctlog.log_key(1))
    srv = ctlog.Server(log).start()
    try:
        p = subprocess.run([exe, "--tiled-log", srv.url, "--log-key",
                            ctlog.b64(log.spki), "--from", "0", "--json",
                            "-n", "40"], capture_output=True, timeout=20)
    finally:
        srv.stop()
    sha = {}
    for ln in p.stdout.decode().splitlines():
        d = json.loads(ln)["data"]
        sha[d["cert_index"]] = d["leaf_cert"]["sha256"].replace(":", "")
    want = {k: hashlib.sha256(pool[k].precert).hexdigest().upper()
            for k in pre if k != i}
    bad = [k for k in want if sha.get(k) != want[k]]
    check(not bad, "precert sha: honest precerts %s (signers %s) not "
          "the precertificate's SHA-256" % (
              bad, [pool[k].info.get("signer") for k in bad]))
    check(len([k for k in want if pool[k].info.get("signer") == "psc"]) > 0,
          "precert sha: a precert signing certificate among them")
    tbs = hashlib.sha256(e.body).hexdigest().upper()
    check(sha.get(i) == tbs, "precert sha: entry %d is its TBS's (%s)" % (
        i, sha.get(i)))


class OverServe(ctlog.Server):
    """Static: a partial data tile is answered with the whole 256 entries,
    those past the tree broken ("tag"): none may be delivered."""

    def _static(self, h, rel):
        parts = rel.split("/")
        if parts[:2] == ["tile", "data"] and ".p" in rel:
            n, w = ctlog.parse_tile_index(parts[2:])
            with self.log.lock:
                size = self.log.size
            body = b""
            for x in range(256 * n, 256 * n + 256):
                e = self.log.entry(x)
                if x >= size:
                    e = e.corrupted("tag")
                body += e.tile_leaf(x)
            return self.send(h, 200, body, "application/octet-stream",
                             gz=True, rel=rel,
                             entries=(256 * n, min(256 * n + 256, size)))
        return ctlog.Server._static(self, h, rel)


def over_serve():
    log = ctlog.Log("static", entries(512), size=300, key=ctlog.log_key(1))
    srv = OverServe(log).start()

    def grow(srv, log):
        served(srv, 300)
        log.grow(212)
    got, errs, err, _ = follow("static tile past the tree", log, srv, 512,
                               during=grow)
    check(not errs, "over-serve: nothing past the tree taken (%s)"
          % sorted(errs)[:5])
    check(sorted(got) == list(range(512))
          and all(v == "v2" for v, _ in got.values()),
          "over-serve: every entry once, proven, after it was logged")


def static_fork():
    """A checkpoint of a bigger tree whose old entries differ from those
    the first checkpoint signed (a split view): the entries past the first
    checkpoint must not be delivered as proven under it."""
    pool = entries(700)
    log = ctlog.Log("static", pool, size=300, key=ctlog.log_key(1))
    srv = ctlog.Server(log).start()

    def fork(srv, log):
        served(srv, 300)
        # the log rewrites entry 5 (and everything after it is signed
        # over a tree the first checkpoint does not extend)
        with log.lock:
            log.logged[5] = log.pool[5].corrupted("ts")
            log.tree = ctlog.Tree()
            for x in range(600):
                log.tree.append(log.leaf_hash(x))
            log.ts += 1
    got, errs, err, _ = follow("static forked checkpoint", log, srv, 600,
                               during=fork, timeout=5, wait_for=(
                                   "not consistent",
                                   "do not hash to the signed root"))
    check(set(got) >= set(range(300)), "static fork: the first 300 came")
    late = sorted(k for k in got if k >= 300)
    check(not late, "static fork: %d entries past the first checkpoint "
          "delivered under a checkpoint that forks it (%s...)" % (
              len(late), late[:3]))
    check("not consistent" in err or "do not hash to the signed root" in err,
          "static fork: the fork named")


def sth_429():
    """A rate limit on get-sth-consistency must not turn proofs off."""
    log = rfc_log(300, 100)
    srv = ctlog.Server(log, status={"code": 429, "count": 1,
                                    "path": "get-sth-consistency"}).start()

    def lie(srv, log):
        served(srv, 100)
        log.grow(50)           # proven after the 429 and a backoff, taken
        served(srv, 150)
        srv.set(bad_root={"path": "get-sth", "count": -1})
        log.grow(50)
    got, errs, err, _ = follow("rfc6962 429 on consistency", log, srv, 200,
                               during=lie, timeout=5,
                               wait_for=("not consistent",))
    check("not served" not in err, "429: proofs still asked for")
    check("not consistent" in err, "429: the inconsistent head named")
    check(not [k for k in got if k >= 150],
          "429: nothing delivered under the forked head")


class BadProof(ctlog.Server):
    """get-sth-consistency with the proof changed by `mode`."""
    mode = "extra"

    def _rfc6962(self, h, rel, q):
        if rel == "ct/v1/get-sth-consistency":
            a, b = self._int(q, "first"), self._int(q, "second")
            with self.log.lock:
                proof = self.log.tree.consistency(a, b)
            if self.mode == "extra":
                proof = proof + [proof[-1]]
            elif self.mode == "short":
                proof = proof[:-1]
            elif self.mode == "old_root":     # RFC 9162 says leave it out
                proof = [self.log.tree.root(a)] + proof
            return self._json(h, {"consistency": [ctlog.b64(x)
                                                  for x in proof]}, rel)
        return ctlog.Server._rfc6962(self, h, rel, q)


def bad_proof(mode, first):
    log = rfc_log(200, first)
    srv = BadProof(log)
    srv.mode = mode
    srv.start()

    def grow(srv, log):
        served(srv, first)
        log.grow(50)
    got, errs, err, _ = follow("rfc6962 proof %s" % mode, log, srv, 200,
                               during=grow, timeout=5,
                               wait_for=("not consistent",))
    check("not consistent" in err, "proof %s: named" % mode)
    check(not [k for k in got if k >= first],
          "proof %s: nothing delivered under the head" % mode)


def tiny(kind):
    """Trees of 0, 1 and 2 entries, then past a tile: every entry, proven
    as far as the kind proves (the edge cases of proofs and tiles)."""
    log = ctlog.Log(kind, entries(260), size=0 if kind == "rfc6962" else 1,
                    key=ctlog.log_key(1))
    srv = ctlog.Server(log).start()

    def grow(srv, log):
        for to in (1, 2, 256, 257, 260):
            if log.size < to:
                served(srv, log.size) if log.size else time.sleep(0.3)
                log.grow_to(to)
    got, errs, err, _ = follow("%s from 0 entries up" % kind, log, srv, 260,
                               during=grow, timeout=8)
    v = "v2" if kind == "static" else "v1"
    check(sorted(got) == list(range(260)) and not errs
          and all(x == v for x, _ in got.values()),
          "%s tiny: every entry, %s (%d, errors %s)" % (
              kind, v, len(got), sorted(errs.items())[:3]))
    check("not consistent" not in err and "do not hash" not in err,
          "%s tiny: no false alarm" % kind)


class HugeHead(ctlog.Server):
    """A validly signed head of size 2^64 - 1 over a 10-entry log; entries
    are answered for any start."""

    def _rfc6962(self, h, rel, q):
        log = self.log
        if rel == "ct/v1/get-sth":
            size = 2 ** 64 - 1
            root = bytes(32)
            sig = log.sign(log.ts, size, root)
            return self._json(h, {
                "tree_size": size, "timestamp": log.ts,
                "sha256_root_hash": ctlog.b64(root),
                "tree_head_signature": ctlog.b64(
                    ctlog.digitally_signed(sig))}, rel)
        if rel == "ct/v1/get-entries":
            e = log.entry(0)
            out = [{"leaf_input": ctlog.b64(e.leaf_input()),
                    "extra_data": ctlog.b64(e.extra_data())}] * 4
            return self._json(h, {"entries": out}, rel)
        return ctlog.Server._rfc6962(self, h, rel, q)


def huge_head():
    log = rfc_log(10, None)
    srv = HugeHead(log).start()
    start = 2 ** 64 - 100
    got, errs, err, reqs = follow("rfc6962 head of 2^64-1", log, srv,
                                  2 ** 64 - 1, start=start, timeout=1.2,
                                  extra=["--no-verify"])
    n = len([r for r in reqs if "get-entries" in r])
    check(sorted(got) == list(range(start, start + len(got))) and got,
          "huge head: entries delivered from %d on (%d)" % (start, len(got)))
    check(n <= len(got) // 4 + 3, "huge head: %d get-entries requests for "
          "%d entries (requests that deliver nothing, without a pause)"
          % (n, len(got)))


def main():
    if not os.path.exists(EXE):
        print("test_hostile: build %s first (make examples)" % EXE)
        print("0 passed, 1 failed")
        return 1
    import ctcerts
    POOL.extend(ctlog.entries_from_certs(ctcerts.make_entries(
        700, seed=1, start=0)))
    only = sys.argv[1:]
    cases = [(precert_swap, ()), (precert_sha, ()), (over_serve, ()),
             (static_fork, ()),
             (sth_429, ()), (bad_proof, ("extra", 100)),
             (bad_proof, ("short", 100)), (bad_proof, ("old_root", 128)),
             (huge_head, ()), (tiny, ("static",)), (tiny, ("rfc6962",))]
    # each case has its own log and follower: all at once
    ts = [threading.Thread(target=f, args=a) for f, a in cases
          if not only or f.__name__ in only]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
