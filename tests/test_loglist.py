#!/usr/bin/env python3
"""The log list built into certstream.h against the signed list it came
from (../shared/ct/loglist): the same logs, kinds, states, URLs, keys and
intervals, selected by the rule the header documents; the streaming
parser (test_loglist --parse) yields the same; the generated block is what
tools/gen_loglist.py makes of that list today. Then the command's fetch
(build/certstream, when built): the real signed list and signature from a
local HTTPS server (CERTSTREAM_LOG_LIST_URL, --ca), plain and gzip +
chunked, is accepted; a tampered list or signature, or a missing .sig,
gives one stderr line and the built-in list; --log-list http://URL is
taken as given; --no-fetch-list fetches nothing; --user-agent is sent;
SIGINT or SIGTERM while the server says nothing ends it within 1 s."""
import base64, calendar, json, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
build = os.environ.get("CS_BUILD", os.path.join(root, "build"))
lst = os.path.join(root, "..", "shared", "ct", "loglist", "log_list.json")
passed = failed = 0

def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)

if not os.path.exists(lst):
    print("SKIP test_loglist.py: ../shared/ct/loglist is absent")
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(0)

def t(ts):
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))

want = []
for op in json.load(open(lst, encoding="utf-8"))["operators"]:
    for kind, key in ((1, "logs"), (2, "tiled_logs")):
        for lg in op.get(key, []):
            (state,) = lg["state"]
            url = lg.get("url") or lg["monitoring_url"]
            if state not in ("usable", "qualified", "readonly") or "/bogus/" in url:
                continue
            ti = lg.get("temporal_interval")
            # a static log's checkpoint origin: submission_url without
            # scheme and trailing '/'
            sub = lg.get("submission_url", "").split("://", 1)[-1].rstrip("/")
            want.append((kind, {"qualified": 2, "usable": 3, "readonly": 4}[state],
                         op["name"], lg["description"], url, lg["mmd"],
                         t(ti["start_inclusive"]) if ti else 0,
                         t(ti["end_exclusive"]) if ti else 0,
                         (sub or "-") if kind == 2 else "-",
                         base64.b64decode(lg["key"]).hex(), lg["log_id"]))

out = subprocess.run([os.path.join(build, "test_loglist"), "--dump"],
                     capture_output=True, text=True, check=True).stdout
got = [l.split("\t") for l in out.splitlines()]
check(len(got) == len(want), "count: %d built in, %d in the list" % (len(got), len(want)))
for g, w in zip(got, want):
    row = (int(g[0]), int(g[1]), g[2], g[3], g[4], int(g[5]), int(g[6]), int(g[7]), g[8], g[9])
    check(row == w[:10], "entry %s: %r != %r" % (w[3], row, w[:10]))
    # the key is the one whose SHA-256 is the log ID the list states
    import hashlib
    check(base64.b64encode(hashlib.sha256(bytes.fromhex(g[9])).digest()).decode() == w[10],
          "log ID of %s" % w[3])
# the streaming parser (cs_loglist) on the same list: the same rows
out = subprocess.run([os.path.join(build, "test_loglist"), "--parse", lst],
                     capture_output=True, text=True, check=True).stdout
parsed = [l.split("\t") for l in out.splitlines()]
check(parsed == got, "cs_loglist on %s: %d logs, the snapshot %d" % (lst, len(parsed), len(got)))
# and on the synthetic list with every state: the kept states only
syn = os.path.join(os.path.dirname(lst), "synthetic_all_states.json")
if os.path.exists(syn):
    out = subprocess.run([os.path.join(build, "test_loglist"), "--parse", syn],
                         capture_output=True, text=True, check=True).stdout
    sw = []
    for op in json.load(open(syn, encoding="utf-8"))["operators"]:
        for kind, key in ((1, "logs"), (2, "tiled_logs")):
            for lg in op.get(key, []):
                states = list(lg.get("state", {}))
                if states and states[0] in ("usable", "qualified", "readonly"):
                    sw.append((kind, lg.get("url") or lg["monitoring_url"]))
    sg = [(int(l.split("\t")[0]), l.split("\t")[4]) for l in out.splitlines()]
    check(sg == [(k, u if u.endswith("/") else u + "/") for k, u in sw],
          "synthetic list: %r != %r" % (sg, sw))
r = subprocess.run([sys.executable, os.path.join(root, "tools", "gen_loglist.py"), "--check"],
                   capture_output=True, text=True)
check(r.returncode == 0, "generated block up to date: " + r.stdout + r.stderr)

# ---------------------------------------------------------------------------
# The command's fetch, against local servers.

BIN = os.environ.get("CERTSTREAM", os.path.join(build, "certstream"))


def fetch_tests():
    import gzip, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    sys.path.insert(0, here)
    sys.dont_write_bytecode = True
    import tempfile
    import ctlog
    d = os.path.dirname(lst)
    body = open(lst, "rb").read()
    sig = open(os.path.join(d, "log_list.sig"), "rb").read()
    bad_body = body.replace(b"Argon2026h2", b"Argon2026h3", 1)
    bad_sig = sig[:100] + bytes([sig[100] ^ 1]) + sig[101:]
    small = json.dumps({"version": "1", "operators": [{"name": "T", "logs": [
        {"description": "Local", "key": "MAEC", "url": "http://127.0.0.1:1/x",
         "mmd": 1, "state": {"usable": {}}}], "tiled_logs": []}]}).encode()
    files = {"/ok/log_list.json": body, "/ok/log_list.sig": sig,
             "/gz/log_list.json": body, "/gz/log_list.sig": sig,
             "/badlist/log_list.json": bad_body, "/badlist/log_list.sig": sig,
             "/badsig/log_list.json": body, "/badsig/log_list.sig": bad_sig,
             "/nosig/log_list.json": body, "/small.json": small}
    seen = []

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("User-Agent")))
            b = files.get(self.path)
            if self.path.startswith("/redir/"):
                self.send_response(302)
                self.send_header("Location", self.path.replace("/redir/", "/ok/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/loop.json":
                self.send_response(301)
                self.send_header("Location", "/loop.json")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if b is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            if self.path.startswith("/gz/"):
                z = gzip.compress(b)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(z), 5000):
                    c = z[i:i + 5000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
                self.wfile.write(b"0\r\n\r\n")
                return
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

    tmp = tempfile.mkdtemp(prefix="test_loglist.")
    ca = os.path.join(tmp, "ca.pem")
    tls_ctx = ctlog.make_tls(ca_out=ca)

    class S(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            sock, addr = self.socket.accept()
            if self.tls:
                sock = tls_ctx.wrap_socket(sock, server_side=True)
            return sock, addr

    servers = []
    for tls in (True, False):
        srv = S(("127.0.0.1", 0), H)
        srv.tls = tls
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    https = "https://localhost:%d" % servers[0].server_address[1]
    http = "http://127.0.0.1:%d" % servers[1].server_address[1]

    def run(args, url=None):
        env = dict(os.environ)
        env.pop("CERTSTREAM_LOG_LIST_URL", None)
        if url:
            env["CERTSTREAM_LOG_LIST_URL"] = url
        del seen[:]
        p = subprocess.run([BIN, "--ca", ca] + args, capture_output=True,
                           text=True, env=env, timeout=60)
        return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()

    n_snap = len(got)
    for sub in ("ok", "gz"):
        rc, out, err = run(["--list-logs", "-v", "--user-agent", "t/1"],
                           https + "/%s/log_list.json" % sub)
        check(rc == 0 and len(out) == n_snap == 52,
              "%s: rc %d, %d logs: %s" % (sub, rc, len(out), err))
        check(any("signature checked" in e for e in err)
              and not any("built-in" in e for e in err),
              "%s: the fetched list was used: %s" % (sub, err))
        check(sorted(seen) == [("/%s/log_list.json" % sub, "t/1"),
                               ("/%s/log_list.sig" % sub, "t/1")],
              "%s: requests %r" % (sub, seen))
        check(out[1].split("\t")[:4] == ["rfc6962", "usable", "follow",
                                          "https://ct.googleapis.com/logs/us1/argon2026h2/"]
              or "argon2026h2" not in out[1], "%s: row %r" % (sub, out[1]))
    for sub, why in (("badlist", "signature does not verify"),
                     ("badsig", "signature does not verify"),
                     ("nosig", "HTTP status 404")):
        rc, out, err = run(["--list-logs"], https + "/%s/log_list.json" % sub)
        lines = [e for e in err if "log list" in e]
        check(rc == 0 and len(out) == n_snap and len(lines) == 1
              and why in lines[0] and "using the built-in list of "
              + "2026-05-29" in lines[0] and not any("Argon2026h3" in o for o in out),
              "%s: rc %d, %d logs, stderr %r" % (sub, rc, len(out), err))
    # not TLS where TLS is wanted, and a host that refuses: the fallback
    rc, out, err = run(["--list-logs"], "https://localhost:%d/ok/log_list.json"
                       % servers[1].server_address[1])
    check(rc == 0 and len(out) == n_snap and len(err) == 1,
          "plain server for https: rc %d, %r" % (rc, err))
    # --log-list URL: as given, no signature, plain HTTP
    rc, out, err = run(["--list-logs", "--log-list", http + "/small.json"],
                       https + "/ok/log_list.json")
    check(rc == 0 and out == ["rfc6962\tusable\tfollow\thttp://127.0.0.1:1/x/\tLocal"]
          and seen == [("/small.json", "certstream.h/" + version())],
          "--log-list URL: rc %d, %r %r %r" % (rc, out, err, seen))
    # redirects are followed (the signed fetch), a loop is not
    rc, out, err = run(["--list-logs", "-v"], https + "/redir/log_list.json")
    check(rc == 0 and len(out) == n_snap
          and any("signature checked" in e for e in err)
          and [p for p, _ in seen] == ["/redir/log_list.sig", "/ok/log_list.sig",
                                       "/redir/log_list.json", "/ok/log_list.json"],
          "redirect: rc %d %r %r" % (rc, err, seen))
    rc, out, err = run(["--list-logs", "--log-list", http + "/loop.json"])
    check(rc == 2 and len(err) == 1 and "HTTP status 301" in err[0]
          and len(seen) == 5, "redirect loop: rc %d %r %d" % (rc, err, len(seen)))
    rc, out, err = run(["--list-logs", "--log-list", http + "/absent.json"])
    check(rc == 2 and len(err) == 1 and "HTTP status 404" in err[0],
          "--log-list URL 404: rc %d %r" % (rc, err))
    # --no-fetch-list: nothing fetched, the built-in list
    rc, out, err = run(["--list-logs", "--no-fetch-list"],
                       https + "/ok/log_list.json")
    check(rc == 0 and len(out) == n_snap and seen == [] and err == [],
          "--no-fetch-list: rc %d %r %r" % (rc, err, seen))
    # --user-agent reaches the log follower's requests too
    del seen[:]
    p = subprocess.Popen([BIN, "--log", http + "/ua-log/", "--user-agent",
                          "t/2", "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    t0 = time.time()
    while not seen and time.time() - t0 < 10:
        time.sleep(0.05)
    p.send_signal(2)
    p.communicate(timeout=10)
    check(seen and seen[0] == ("/ua-log/ct/v1/get-sth", "t/2"),
          "--user-agent in direct mode: %r" % seen[:2])
    # a signal during the fetch (a server that accepts and never answers)
    # stops the command at once: exit 0 as on any signal, nothing printed
    import signal, socket
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(4)
    mute.settimeout(10)
    for sig, args in ((signal.SIGINT, ["-v"]),
                      (signal.SIGTERM, ["--list-logs"])):
        env = dict(os.environ, CERTSTREAM_LOG_LIST_URL="https://localhost:%d"
                   "/log_list.json" % mute.getsockname()[1])
        p = subprocess.Popen([BIN, "--ca", ca] + args, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            conn = mute.accept()[0]
        except socket.timeout:
            conn = None
        time.sleep(0.5)
        t0 = time.time()
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=1)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        took = time.time() - t0
        check(conn is not None and p.returncode == 0 and took < 1
              and out == b"" and err == b"",
              "%s during the fetch: connected %s, rc %d in %.2f s, %r %r"
              % (sig.name, conn is not None, p.returncode, took, out,
                 err[:200]))
        if conn is not None:
            conn.close()
    mute.close()
    for srv in servers:
        srv.shutdown()


def version():
    out = subprocess.run([BIN, "--version"], capture_output=True,
                         text=True).stdout
    return out.split()[-1]


if os.access(BIN, os.X_OK):
    fetch_tests()
else:
    print("SKIP the fetch tests: %s not built" % BIN)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
