#!/usr/bin/env python3
"""test_match_cmd.py - the certstream command's watchlist options against a
local websocket server (tests/wspeer.py): --match and --match-file print
only the matching certificates; the human line marks the names and the
patterns; --json prints the server's bytes of exactly those messages (and
of no other), --count counts matches; a bad pattern is an error naming the
file, the line and the reason (exit status 2). Ends with "N passed, N
failed"."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def cert(*domains):
    return json.dumps({"message_type": "certificate_update", "data": {
        "seen": 1700000000.5, "source": {"url": "ct.example/log",
                                          "name": "Log"},
        "leaf_cert": {"all_domains": list(domains)}}})


MSGS = [cert("a.other.org", "login.paypal.example"),
        cert("nothing.here"),
        json.dumps({"message_type": "heartbeat", "timestamp": 1.0}),
        cert("www.example.com", "safe.example.com"),
        cert("safe.example.com"),
        json.dumps({"message_type": "dns_entries",
                    "data": ["x.xn--bcher-kva.de"]})]


def serve(args):
    def h(c, i):
        c.handshake()
        for m in MSGS:
            c.send(W.frame(1, m.encode()))
        c.send(W.close_frame(1000))
        c.read_until_close()
    srv = W.Server(h)
    try:
        cli = W.Client(args + ["--once", "--disable-colors", "--url",
                               srv.url("/")])
        rc = cli.wait(20)
        return rc, cli.stdout().decode(), cli.stderr().decode()
    finally:
        srv.stop()


def main():
    if not os.access(W.exe(), os.X_OK):
        print("SKIP: %s not built" % W.exe())
        print("0 passed, 0 failed, 1 skipped")
        return 0
    d = tempfile.mkdtemp()
    pf = os.path.join(d, "watch.txt")
    with open(pf, "w") as f:
        f.write("# my watchlist\n\npaypal\n  example.com  \r\n"
                "!safe.example.com\nbücher\n")
    m = ["--match-file", pf]

    rc, out, err = serve(m)
    lines = out.splitlines()
    check(rc == 0, "human: exit %r %s" % (rc, err))
    check(len(lines) == 3, "human: 3 lines, got %r" % lines)
    check(len(lines) == 3 and lines[0].endswith(
        "login.paypal.example (paypal)") and " <= " in lines[0]
        and lines[1].endswith("<= www.example.com (example.com)")
        and lines[2] == "x.xn--bcher-kva.de",
        "human: marks %r" % lines)

    rc, out, err = serve(m + ["--json"])
    want = "".join(MSGS[i] + "\n" for i in (0, 3, 5))
    check(rc == 0 and out == want, "json: %r" % out)

    rc, out, err = serve(["--match", "*.other.org", "--match", "nothing",
                          "--json", "-n", "1"])
    check(rc == 0 and out == MSGS[0] + "\n", "count: %r" % out)

    rc, out, err = serve(["--match", "nomatch", "--domains"])
    check(rc == 0 and out == "", "none: %r" % out)

    with open(pf, "a") as f:
        f.write("good\nbad..label.com\n")
    rc, out, err = serve(m)
    check(rc == 2 and "watch.txt:8:" in err and "bad..label.com" in err
          and "empty label" in err, "bad file: %r %r" % (rc, err))
    rc, out, err = serve(["--match", "a b"])
    check(rc == 2 and '--match "a b"' in err and "control" in err,
          "bad option: %r %r" % (rc, err))
    rc, out, err = serve(["--match-file", os.path.join(d, "missing")])
    check(rc == 2 and "missing" in err, "missing file: %r" % err)
    rc, out, err = serve(["--match", "x", "--raw"])
    check(rc == 2 and "--raw" in err, "raw: %r" % err)
    print("%d passed, %d failed" % (passed, failed))
    return failed != 0


if __name__ == "__main__":
    sys.exit(main())
