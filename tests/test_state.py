#!/usr/bin/python3
"""test_state.py - the certstream command's --state FILE (direct mode):
each log's position kept in FILE, and continued from on restart, against
local logs (tests/ctlog.py on 127.0.0.1, plain HTTP, keys given):

  - a restart continues exactly at the saved next index (nothing skipped,
    nothing repeated); the file holds the verified tree head (size, root);
    a new log starts at its head, a log not followed now stays in the file;
  - a saved tree head the log contradicts (smaller tree, another root at
    the same size): CS_E_STATE_SHRUNK / CS_E_STATE_FORK for that log, exit
    1, its line left as it was;
  - a log that forked its tree while the command was away (the same key,
    two entries below the saved size swapped, grown past it), static and
    RFC 6962: CS_E_STATE_DIVERGED in one stderr line, nothing printed,
    exit 1, the line kept; the honest log grown past the saved head (a
    partial tile and a tile boundary): continues, no alarm;
  - kill -9 at random moments while a growing log streams, restart, again
    and again: every entry delivered at least once, none skipped, each
    restart begins at the next index the file holds, and duplicates only
    among entries printed in the last write interval (1 s) before the kill;
    a reader polling the file meanwhile never sees a partial file;
  - a corrupt, truncated, foreign or unreadable file: one stderr line,
    exit 2, nothing printed, the file untouched; --state with --url but
    without --backfill: 2, one line (server mode: tests/test_gaps.py).
STATE_ROUNDS (default 10) sets the kill -9 rounds (make soak-state: 100).
Run with /usr/bin/python3 (python3-cryptography) after
`make build/certstream`. Ends with "N passed, N failed"."""
import base64
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True      # no tests/__pycache__ left behind
import ctlog  # noqa: E402
import util  # noqa: E402
from util import check  # noqa: E402

BIN = util.CERTSTREAM
ROUNDS = int(os.environ.get("STATE_ROUNDS", "10"))
WINDOW = 1.0                        # the command's write interval (s)
TMP = util.tmpdir("test_state.")


class Run(util.Run):
    """build/certstream in the background; stdout lines collected with the
    time each arrived."""

    def __init__(self, args):
        super().__init__([BIN] + args, stamp=True, timeout=15)

    def indexes(self):
        out = []
        for _, line in self.lines:
            try:
                out.append(json.loads(line)["data"]["cert_index"])
            except (ValueError, KeyError, TypeError):
                out.append(None)
        return out


def server(n, distinct=None, initial=None, **faults):
    log = ctlog.build_log("rfc6962", n, distinct=distinct, initial=initial)
    return log, ctlog.Server(log, **faults).start()


def log_args(srv):
    return ["--log", srv.url,
            "--log-key", base64.b64encode(srv.log.spki).decode()]


def read_state(path):
    """{url: (kind, next, size, time, root, saved)}, or None when the file
    is not a whole state file."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] != "certstream-state 1" or lines[-1] != "" \
            or not lines[-2].startswith("end "):
        return None
    rows = {}
    for ln in lines[1:-2]:
        p = ln.split(" ")
        if len(p) != 8 or p[0] != "log":
            return None
        rows[p[7]] = (p[1], int(p[2]), int(p[3]), int(p[4]), p[5], int(p[6]))
    if int(lines[-2][4:]) != len(rows):
        return None
    return rows


# ---------------------------------------------------------------------------

def test_restart():
    """Three runs on one file: each continues where the last stopped."""
    log, srv = server(60, distinct=20, initial=40)
    st = os.path.join(TMP, "restart.state")
    r = Run(log_args(srv) + ["--from", "0", "--state", st, "--json",
                             "-n", "15"])
    rc = r.finish()
    check(rc == 0 and r.indexes() == list(range(15)),
          "restart 1: rc %d, %s, %s" % (rc, r.indexes()[:20], r.err[-2:]))
    rows = read_state(st)
    row = rows and rows.get(srv.url)
    check(row is not None and row[1] == 15 and row[2] == 40
          and row[0] == "rfc6962",
          "restart 1: state %r" % (rows,))
    check(row is not None and row[4] == log.tree.root(40).hex(),
          "restart 1: saved root %s" % (row and row[4]))
    check(not os.path.exists(st + ".tmp"), "restart 1: no temp file left")
    # --from is for new logs only: the saved position wins
    r = Run(log_args(srv) + ["--from", "3", "--state", st, "--json",
                             "-n", "10"])
    rc = r.finish()
    check(rc == 0 and r.indexes() == list(range(15, 25)),
          "restart 2: rc %d, %s, %s" % (rc, r.indexes()[:12], r.err[-2:]))
    log.grow(20)
    r = Run(log_args(srv) + ["--state", st, "--json", "-n", "35"])
    rc = r.finish()
    check(rc == 0 and r.indexes() == list(range(25, 60)),
          "restart 3 (grown): rc %d, %s, %s" % (rc, r.indexes()[:12],
                                               r.err[-2:]))
    rows = read_state(st)
    check(rows and rows[srv.url][1] == 60 and rows[srv.url][2] == 60,
          "restart 3: state %r" % (rows,))

    # A second log: new, it starts at its head; the first is not followed
    # now and keeps its line.
    log2, srv2 = server(30, distinct=10, initial=30)
    before = rows[srv.url]
    r = Run(log_args(srv2) + ["--state", st, "--json"])
    end = time.time() + 10
    while time.time() < end:
        rows = read_state(st)
        if rows and srv2.url in rows:
            break
        time.sleep(0.02)
    r.p.send_signal(signal.SIGTERM)
    rc = r.finish()
    rows = read_state(st)
    check(rc == 0 and rows and rows.get(srv.url) == before
          and rows.get(srv2.url, (0, 0))[1] == 30 and not r.lines,
          "new log at its head, old kept: rc %d, %r, %s" % (rc, rows,
                                                           r.err[-2:]))
    srv.stop()
    srv2.stop()
    return st


def test_static():
    """A static-ct-api log: the same, tiles and checkpoints."""
    log = ctlog.build_log("static", 300, distinct=20, initial=300)
    srv = ctlog.Server(log).start()
    st = os.path.join(TMP, "static.state")
    args = ["--tiled-log", srv.url, "--log-key",
            base64.b64encode(log.spki).decode(), "--state", st, "--json"]
    r = Run(args + ["--from", "250", "-n", "20"])
    rc = r.finish()
    check(rc == 0 and r.indexes() == list(range(250, 270)),
          "static 1: rc %d, %s, %s" % (rc, r.indexes()[:5], r.err[-2:]))
    r = Run(args + ["-n", "30"])
    rc = r.finish()
    rows = read_state(st)
    check(rc == 0 and r.indexes() == list(range(270, 300)) and rows
          and rows[srv.url][:3] == ("static", 300, 300)
          and rows[srv.url][4] == log.tree.root(300).hex(),
          "static 2: rc %d, %s, %r" % (rc, r.indexes()[:5], rows))
    srv.stop()


def test_contradicted():
    """A saved head the log contradicts: named, exit 1, line kept."""
    log, srv = server(20, distinct=10, initial=20)
    st = os.path.join(TMP, "contra.state")
    root = log.tree.root(20).hex()
    for what, size, rt, code in (
            ("shrunk", 25, root, "CS_E_STATE_SHRUNK"),
            ("fork", 20, "ab" * 32, "CS_E_STATE_FORK")):
        text = ("certstream-state 1\nlog rfc6962 %d %d 1 %s 1700000000 %s\n"
                "end 1\n" % (size - 2, size, rt, srv.url))
        with open(st, "w") as f:
            f.write(text)
        r = Run(log_args(srv) + ["--state", st, "--json"])
        rc = r.finish(10)
        with open(st) as f:
            after = f.read()
        check(rc == 1 and not r.lines and any(code in x for x in r.err)
              and after == text,
              "%s: rc %d, %d lines, %s, file %r" % (what, rc, len(r.lines),
                                                   r.err[-2:], after))
    # the same size and root: continues (entry 18, then 19)
    text = ("certstream-state 1\nlog rfc6962 18 20 1 %s 1700000000 %s\n"
            "end 1\n" % (root, srv.url))
    with open(st, "w") as f:
        f.write(text)
    r = Run(log_args(srv) + ["--state", st, "--json", "-n", "2"])
    rc = r.finish(10)
    check(rc == 0 and r.indexes() == [18, 19],
          "same head: rc %d, %s, %s" % (rc, r.indexes(), r.err[-2:]))
    srv.stop()


def test_forked():
    """A restart against a log that forked its tree: refused before any
    entry; against the same log grown honestly: continued."""
    st = os.path.join(TMP, "forked.state")
    for kind, n, prevs in (("rfc6962", 40, (20,)),
                           ("static", 600, (300, 256))):
        honest = ctlog.build_log(kind, n, distinct=10)
        pool = list(honest.pool)
        pool[5], pool[6] = pool[6], pool[5]
        forked = ctlog.Log(kind, pool, key=honest.key)
        flag = "--tiled-log" if kind == "static" else "--log"
        # static: a hash tile cut once, mid-proof; RFC 6962: a log that
        # serves no proofs, followed unproven after one warning (as in a
        # run)
        odd = {"cut": {"after": 100, "path": "tile/0/"}} \
            if kind == "static" else \
            {"status": {"code": 404, "count": -1,
                        "path": "get-sth-consistency"}}
        for log, prev, lies, faults in [(forked, prevs[0], True, {})] + \
                [(honest, p, False, {}) for p in prevs] + \
                [(honest, prevs[0], False, odd)]:
            log.origin = None           # a new port: its own origin
            srv = ctlog.Server(log, **faults).start()
            text = ("certstream-state 1\nlog %s %d %d 1 %s 1700000000 %s\n"
                    "end 1\n" % (kind, prev - 2, prev,
                                  honest.tree.root(prev).hex(), srv.url))
            with open(st, "w") as f:
                f.write(text)
            r = Run([flag, srv.url, "--log-key", ctlog.b64(honest.spki),
                     "--state", st, "--json", "-n", "5"])
            rc = r.finish(10)
            with open(st) as f:
                after = f.read()
            named = [x for x in r.err if "CS_E_STATE_DIVERGED" in x]
            alarms = [x for x in r.err if "refused" in x
                      or "CS_E_STATE" in x or "CS_E_MERKLE" in x]
            what = "%s %s from %d%s" % (kind, "forked" if lies else "grown",
                                        prev, " (%s)" % list(faults)
                                        if faults else "")
            if lies:
                check(rc == 1 and not r.lines and len(named) == 1
                      and alarms == named and after == text,
                      "%s: rc %d, %d lines, %s, file %r"
                      % (what, rc, len(r.lines), r.err[-3:], after))
            else:
                check(rc == 0 and r.indexes() == list(range(prev - 2,
                                                            prev + 3))
                      and not alarms and (kind == "static" or not faults
                                          or any("is not served" in x
                                                 for x in r.err)),
                      "%s: rc %d, %s, %s" % (what, rc, r.indexes(),
                                             r.err[-3:]))
            srv.stop()


def stderr_lines(p):
    """stderr without the no-key notice (the corrupt cases name no key)."""
    return [x for x in p.stderr.decode().strip().split("\n")
            if "without a key" not in x]


def test_corrupt(good):
    with open(good) as f:
        text = f.read()
    lines = text.split("\n")
    cases = {
        "empty": "",
        "garbage": "\x00\x01garbage\n",
        "foreign": '{"version": 1}\n',
        "version 2": text.replace("certstream-state 1", "certstream-state 2"),
        "no end": "\n".join(lines[:-2]) + "\n",
        "cut mid-line": text[:len(lines[0]) + 20],
        "cut newline": text[:-1],
        "count": text.replace("end 2", "end 3"),
        "after end": text + "log rfc6962 1 1 1 - 1 http://x/\n",
        "bad number": text.replace(" 60 60 ", " 6x 60 ", 1),
        "signed": text.replace(" 60 60 ", " -60 60 ", 1),
        "bad root": text.replace(lines[1].split(" ")[5], "zz" * 32, 1),
        "bad kind": text.replace("log rfc6962", "log rfc9999", 1),
        "two spaces": text.replace(" 60 60 ", " 60  60 ", 1),
        "twice": text.replace("end 2", lines[1] + "\nend 3"),
        "crlf": text.replace("\n", "\r\n"),
    }
    for name, body in sorted(cases.items()):
        path = os.path.join(TMP, "corrupt.state")
        with open(path, "w", newline="") as f:
            f.write(body)
        p = subprocess.run([BIN, "--log", "http://127.0.0.1:1/", "--state",
                            path], capture_output=True, timeout=10)
        err = stderr_lines(p)
        with open(path, newline="") as f:
            same = f.read() == body
        check(p.returncode == 2 and len(err) == 1 and p.stdout == b""
              and err[0].startswith("certstream: --state ") and same,
              "corrupt %s: rc %d, stderr %r" % (name, p.returncode, err))
    # cut anywhere: refused (every cut with STATE_ROUNDS >= 100)
    cuts = list(range(len(text)))
    if ROUNDS < 100:
        cuts = sorted(random.Random(len(text)).sample(cuts, 40))
    bad = []
    path = os.path.join(TMP, "cut.state")
    for k in cuts:
        with open(path, "w", newline="") as f:
            f.write(text[:k])
        p = subprocess.run([BIN, "--log", "http://127.0.0.1:1/", "--state",
                            path], capture_output=True, timeout=10)
        if p.returncode != 2 or len(stderr_lines(p)) != 1:
            bad.append((k, p.returncode))
    check(not bad, "cut at %d offsets: not refused at %s" % (len(cuts),
                                                            bad[:5]))
    os.mkdir(os.path.join(TMP, "dir.state"))
    for name, path in (("directory", os.path.join(TMP, "dir.state")),
                       ("no such dir", os.path.join(TMP, "nodir", "s"))):
        p = subprocess.run([BIN, "--log", "http://127.0.0.1:1/", "--state",
                            path], capture_output=True, timeout=10)
        err = stderr_lines(p)
        check(p.returncode == 2 and len(err) == 1
              and "--state" in err[0],
              "%s: rc %d, %r" % (name, p.returncode, err))
    if os.geteuid() != 0:
        path = os.path.join(TMP, "noread.state")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0)
        p = subprocess.run([BIN, "--log", "http://127.0.0.1:1/", "--state",
                            path], capture_output=True, timeout=10)
        check(p.returncode == 2 and b"cannot read" in p.stderr,
              "unreadable: rc %d, %r" % (p.returncode, p.stderr))
    p = subprocess.run([BIN, "--url", "ws://127.0.0.1:1/", "--state",
                        good], capture_output=True, timeout=10)
    err = p.stderr.decode().strip().split("\n")
    check(p.returncode == 2 and len(err) == 1 and "--backfill" in err[0],
          "--state with --url: rc %d, %r" % (p.returncode, err))


def test_kill9():
    """Kill -9 at random moments while a growing log streams, restart."""
    log, srv = server(6000, distinct=50, initial=400, batch=16, slow=0.01,
                      grow_every=0.1, grow_by=30)
    st = os.path.join(TMP, "kill.state")
    seen = {}
    partial = []
    stop = threading.Event()

    def watch():                    # the file is always whole
        while not stop.is_set():
            if os.path.exists(st) and read_state(st) is None:
                partial.append(time.time())
            time.sleep(0.003)
    w = threading.Thread(target=watch)
    w.start()
    rng = random.Random(int(os.environ.get("STATE_SEED", "0")) or None)
    prev_next = 0
    starts_ok = True
    window_bad = []
    for rnd in range(ROUNDS):
        args = log_args(srv) + ["--state", st, "--json"]
        if rnd == 0:
            args += ["--from", "0"]
        r = Run(args)
        r.wait_lines(1, 10)
        time.sleep(rng.uniform(0.1, 1.5))
        killed = time.time()
        r.p.send_signal(signal.SIGKILL)
        r.finish()
        idx = r.indexes()
        rows = read_state(st)
        nxt = rows[srv.url][1] if rows and srv.url in rows else None
        if idx and idx[0] != prev_next:
            starts_ok = False
            print("round %d: began at %s, the file said %d"
                  % (rnd, idx[0], prev_next))
        if idx != list(range(idx[0], idx[0] + len(idx))) if idx else False:
            starts_ok = False
            print("round %d: out of order" % rnd)
        for (t, _), i in zip(r.lines, idx):
            seen.setdefault(i, []).append((rnd, t))
        # what the next run repeats: printed at or after the saved next,
        # all of it within the window before the kill
        for (t, _), i in zip(r.lines, idx):
            if nxt is not None and i is not None and i >= nxt \
                    and t < killed - WINDOW - 0.5:
                window_bad.append((rnd, i, round(killed - t, 2)))
        if nxt is not None:
            prev_next = nxt
    stop.set()
    w.join()
    # the last run catches up to a fixed point and exits cleanly
    srv.set(grow_every=0)
    size = log.size
    r = Run(log_args(srv) + ["--state", st, "--json"])
    r.wait_lines(max(0, size - prev_next), 30)
    time.sleep(0.3)
    r.p.send_signal(signal.SIGINT)
    rc = r.finish()
    idx = r.indexes()
    check(rc == 0 and (not idx or idx[0] == prev_next),
          "kill -9: last run: rc %d, began at %s, file said %d"
          % (rc, idx[:1], prev_next))
    for i in idx:
        seen.setdefault(i, []).append((ROUNDS, time.time()))
    hi = max(seen) if seen else -1
    missing = [i for i in range(hi + 1) if i not in seen]
    dups = sum(len(v) - 1 for v in seen.values())
    check(hi + 1 == size and not missing,
          "kill -9: delivered 0..%d of %d, missing %s" % (hi, size,
                                                          missing[:10]))
    check(starts_ok, "kill -9: each restart began at the saved next index")
    check(not window_bad, "kill -9: repeated entries printed long before "
          "the kill (round, index, s): %s" % window_bad[:5])
    check(not partial, "kill -9: a partial state file seen %d times"
          % len(partial))
    rows = read_state(st)
    check(rows and rows[srv.url][1] == size and rows[srv.url][2] == size,
          "kill -9: final state %r (size %d)" % (rows, size))
    print("kill -9: %d rounds, %d entries, %d delivered twice or more"
          % (ROUNDS, size, dups))
    srv.stop()


def main():
    if not util.need(BIN, "FAIL no %s (make build/certstream)" % BIN):
        return 1
    t0 = time.time()
    good = test_restart()
    test_static()
    t1 = time.time()
    test_contradicted()
    test_forked()
    test_corrupt(good)
    t2 = time.time()
    test_kill9()
    t3 = time.time()
    print("%.1f s (restart %.1f, refusals %.1f, kill -9 %.1f)"
          % (t3 - t0, t1 - t0, t2 - t1, t3 - t2))
    return util.summary()


if __name__ == "__main__":
    sys.exit(main())
