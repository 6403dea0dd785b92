#!/usr/bin/python3
"""e2e_ct.py - `make bench`: the command's CPU per entry in direct mode, end
to end over TLS from a local log (tests/ctlog.py on 127.0.0.1).

  /usr/bin/python3 bench/e2e_ct.py CLIENT LAUNCHER OUTDIR

CLIENT is the certstream command, LAUNCHER bench/e2e_rusage (its wait4()
gives the client's own user+sys time and peak RSS). For each case (an RFC
6962 log that caps get-entries at 32 as Google's do, one at 256 as DigiCert
and Sectigo do, a static-ct-api log of full gzip data tiles) and each output
(the default line, --json) the client follows the log from entry 0 until it
has printed N entries (-n N), writing to a file whose lines are counted.

The log is not what gets measured: the client's CPU comes from its own
rusage, and every response is pre-generated (one warm-up run fills a cache
keyed by request path; the timed runs are served byte for byte from it), so
the Python server only copies bytes. Entries: the real ones of ../shared/ct
first (6 RFC 6962 entries; the 512 navigli2025h2 tile entries), then
certificates and precertificates made by tests/ctcerts.py, repeated.

Writes OUTDIR/ct.jsonl, one line per timed run: case, output, entries,
user_s, sys_s, maxrss_kb; bench/report.py ct OUTDIR prints the table
(median of the runs, CPU per entry, % of one core at 1,000 entries/s).
Environment: BENCH_CT_N [20000] entries per run, BENCH_CT_RUNS [3],
BENCH_CT_DISTINCT [400] generated certificates, BENCH_CT_CASES (names).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.dont_write_bytecode = True
import ctlog  # noqa: E402

# name, log kind, get-entries cap (0: tiles), description
CASES = [
    ("rfc6962-32", "rfc6962", 32, "RFC 6962, 32 per get-entries (Google)"),
    ("rfc6962-256", "rfc6962", 256,
     "RFC 6962, 256 per get-entries (DigiCert, Sectigo)"),
    ("static", "static", 0, "static-ct-api, full 256-entry gzip tiles"),
]
OUTPUTS = [("line", []), ("json", ["--json"])]


class CachedServer(ctlog.Server):
    """A ctlog.Server whose 200 answers for entries (get-entries, tiles)
    are made once and then replayed, gzip already done."""

    def __init__(self, *a, **kw):
        self.cache = {}
        ctlog.Server.__init__(self, *a, **kw)

    def send(self, h, code, body, ctype, headers=(), gz=False, entries=None,
             rel=""):
        if code == 200 and ("get-entries" in rel or rel.startswith("tile/")):
            if gz:
                body = ctlog.gzip.compress(body, 6, mtime=0)
                headers = list(headers) + [("Content-Encoding", "gzip")]
                gz = False
            self.cache[h.path] = (body, ctype, list(headers))
        ctlog.Server.send(self, h, code, body, ctype, headers, gz, entries,
                          rel)

    def _replay(self, h, rel):
        c = self.cache.get(h.path)
        if c is None:
            return False
        ctlog.Server.send(self, h, 200, c[0], c[1], c[2], rel=rel)
        return True

    def _rfc6962(self, h, rel, q):
        if not self._replay(h, rel):
            ctlog.Server._rfc6962(self, h, rel, q)

    def _static(self, h, rel):
        if not self._replay(h, rel):
            ctlog.Server._static(self, h, rel)


def run_client(client, launcher, url, kind, ca, n, extra, tmp):
    out = os.path.join(tmp, "out")
    ru = os.path.join(tmp, "rusage")
    opt = "--log" if kind == "rfc6962" else "--tiled-log"
    # BearSSL matches names, not IP addresses: the test certificate names
    # localhost too
    url = url.replace("//127.0.0.1:", "//localhost:")
    cmd = [launcher, ru, "--", client, opt, url, "--ca", ca, "--from", "0",
           "-n", str(n)] + extra
    with open(out, "wb") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE,
                           timeout=120)
    with open(ru) as f:
        fields = f.read().split()
    status = int(fields[1])
    with open(out, "rb") as f:
        lines = sum(1 for _ in f)
    if p.returncode != 0 or status != 0 or lines != n:
        raise SystemExit("e2e_ct: %s exited %d with %d of %d lines: %s"
                         % (" ".join(cmd[3:]), status, lines, n,
                            p.stderr.decode(errors="replace")[-500:]))
    return {"wall_s": float(fields[2]), "user_s": float(fields[3]),
            "sys_s": float(fields[4]), "maxrss_kb": int(fields[5])}


def main(argv):
    client, launcher, outdir = argv[:3]
    n = int(os.environ.get("BENCH_CT_N", "20000"))
    runs = int(os.environ.get("BENCH_CT_RUNS", "3"))
    distinct = int(os.environ.get("BENCH_CT_DISTINCT", "400"))
    want = os.environ.get("BENCH_CT_CASES", "").split()
    if not os.path.isdir(ctlog.SHARED_CT):
        print("   SKIPPED direct mode e2e: ../shared/ct is absent")
        return 0
    os.makedirs(outdir, exist_ok=True)
    res = open(os.path.join(outdir, "ct.jsonl"), "w")
    tmp = tempfile.mkdtemp(prefix="e2e-ct-")
    ca = os.path.join(tmp, "ca.pem")
    logs = {}
    for name, kind, cap, desc in CASES:
        if want and name not in want:
            continue
        if kind not in logs:
            logs[kind] = ctlog.build_log(kind, n, seed=1, real=True,
                                         distinct=distinct)
        log = logs[kind]
        kw = {"batch": cap} if cap else {}
        log.origin = None
        srv = CachedServer(log, tls=True, ca_out=ca, **kw)
        log.origin = "localhost:%d" % srv.port    # the URL we follow
        srv.start()
        try:
            run_client(client, launcher, srv.url, kind, ca, n, [], tmp)
            raw = sum(len(b[0]) for b in srv.cache.values())
            for r in range(runs):
                for oname, extra in OUTPUTS:
                    m = run_client(client, launcher, srv.url, kind, ca, n,
                                   extra, tmp)
                    m.update(case=name, desc=desc, output=oname, entries=n,
                             run=r, bytes_per_entry=raw / n)
                    res.write(json.dumps(m) + "\n")
                    res.flush()
        finally:
            srv.stop()
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
