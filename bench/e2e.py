#!/usr/bin/python3
"""bench/e2e.py - the driver of bench/e2e.sh (read that file first).

    e2e.py --out DIR --cert C --key K --ca CA --client BIN --launcher RU
           --corpus KIND=FILE:N:N_PY:N_PYSKIP [...] [--rounds R]
           [--variant NAME=BIN ...] [--no-python]

Starts bench/e2e_sender.py (one process, all corpora framed in memory),
checks every client once (untimed), runs the peers in R interleaved rounds
per corpus, measures each client process alone with wait4() in the small
launcher bench/e2e_rusage.c (elapsed, user+sys CPU, peak RSS = ru_maxrss,
context switches), takes a
/proc/PID/smaps snapshot of a running certstream, and prints the tables.
Exit status 1 only when a client missed or mangled messages (or the sender
failed); a missed bar is reported, not an error.
"""
import argparse
import json
import os
import re
import select
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
BAR_CPU_RATIO = 50.0      # Python CPU per message / certstream's, at least
BAR_RSS_KB = 2048         # certstream peak RSS, below
BAR_SYSCALLS = 0.5        # certstream system calls per message, below

NAMES = {
    "cs": "certstream (human -> /dev/null)",
    "cs_raw": "certstream --raw (-> /dev/null)",
    "py": "python websocket-client+json",
    "py_skip": "python, skip_utf8_validation",
}


class Lines:
    """Lines from a pipe, with a timeout (select on the raw fd)."""

    def __init__(self, f):
        self.fd = f.fileno()
        self.buf = b""

    def get(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return None
            d = os.read(self.fd, 65536)
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


class Sender:
    def __init__(self, a, corpora, out):
        cmd = [PY, os.path.join(HERE, "e2e_sender.py"), "--cert", a.cert,
               "--key", a.key]
        for c in corpora:
            if c["kind"] == c["name"]:    # each corpus once; rec is per URL
                cmd += ["--corpus", "%s=%s" % (c["name"], c["file"])]
        self.err = open(os.path.join(out, "sender.err"), "w")
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=self.err)
        self.lines = Lines(self.p.stdout)
        line = self.lines.get(300)
        if line is None or not line.startswith("PORT "):
            die("the sender did not start (see %s/sender.err)" % out)
        self.port = int(line.split()[1])

    def next(self, timeout=120):
        line = self.lines.get(timeout)
        return json.loads(line) if line else None

    def stop(self):
        self.p.terminate()
        self.p.wait()


def die(msg):
    print("e2e: " + msg, file=sys.stderr)
    sys.exit(1)


def run(launcher, cmd, stdout_path, err_path):
    """Run one client under bench/e2e_rusage (its own wait4 rusage; see
    there why not os.wait4 from here)."""
    ru_path = err_path[:-4] + ".rusage"
    with open(stdout_path, "wb") as o, open(err_path, "wb") as e:
        rc = subprocess.call([launcher, ru_path, "--"] + cmd, stdout=o,
                             stderr=e)
    if rc != 0:
        die("%s failed (%d) on %s" % (launcher, rc, " ".join(cmd)))
    f = open(ru_path).read().split()
    return {"rc": int(f[1]), "wall": float(f[2]), "user": float(f[3]),
            "sys": float(f[4]), "cpu": float(f[3]) + float(f[4]),
            "rss": int(f[5]), "nvcsw": int(f[6]), "nivcsw": int(f[7]),
            "floor": int(f[8])}


def expected(path, n):
    """What the Python peers must count on the first n messages."""
    msgs = certs = dns = ndom = idx = 0
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            m = json.loads(line)
            msgs += 1
            t = m.get("message_type")
            if t == "certificate_update":
                certs += 1
                ndom += len(m["data"]["leaf_cert"]["all_domains"])
                idx += m["data"]["cert_index"]
            elif t == "dns_entries":
                dns += 1
                ndom += len(m["data"])
    return (msgs, certs, dns, ndom, idx)


def prefix_bytes(path, n):
    out = []
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.append(line if line.endswith(b"\n") else line + b"\n")
    return b"".join(out)


class Bench:
    def __init__(self, a):
        self.a = a
        self.fail = []
        self.out = a.out
        self.corpora = []
        self.variants = [v.rpartition("=")[::2] for v in a.variant]
        for c in a.corpus:
            kind, _, rest = c.partition("=")
            f, n, npy, npys = rest.rsplit(":", 3)
            nlines = sum(1 for _ in open(f, "rb"))
            n = min(int(n), nlines)
            base = {"name": kind, "file": f, "n": n,
                    "bytes": os.path.getsize(f), "lines": nlines,
                    "n_py": min(int(npy), n), "n_pyskip": min(int(npys), n)}
            # as servers send (one TLS record per message, encrypted ahead
            # and sent in 256 KB slices: the client is the bottleneck);
            # then paced like a live feed (the same records in bursts, only
            # certstream); then packed (256 KB writes, full 16 KB records)
            py = [] if a.no_python else ["py"]
            self.corpora.append(dict(
                base, kind=kind, rec="msg", peers=["cs", "cs_raw"] + py +
                (["py_skip"] if py else []) + [v[0] for v in self.variants]))
            if a.paced and a.paced != "0":
                rate, burst, npaced = a.paced.split(":")
                self.corpora.append(dict(
                    base, kind=kind + ".paced", rec="msg", peers=["cs"],
                    n=min(int(npaced), n), rate=float(rate),
                    burst=int(burst)))
            if not a.no_packed:
                self.corpora.append(dict(base, kind=kind + ".packed",
                                         rec="packed", peers=["cs"] + py))
        self.peers = ["cs", "cs_raw"] + ([] if a.no_python else
                                         ["py", "py_skip"])
        self.sender = Sender(a, self.corpora, self.out)
        self.send = a.send    # how the per-record rows go out (see url)
        self.res = {}         # (kind, peer) -> list of run dicts

    def url(self, c, n, hold=0):
        u = "wss://localhost:%d/%s?n=%d&rec=%s" % (self.sender.port,
                                                   c["name"], n, c["rec"])
        if c.get("rate"):
            u += "&rate=%g&burst=%d" % (c["rate"], c["burst"])
        elif c["rec"] == "msg" and self.send != "sendall":
            u += "&send=" + self.send
        return u + ("&hold=%g" % hold if hold else "")

    def cmd(self, peer, c, n, hold=0):
        url = self.url(c, n, hold)
        if peer == "cs":
            return [self.a.client, "--url", url, "--ca", self.a.ca, "--once"]
        if peer == "cs_raw":
            return [self.a.client, "--url", url, "--ca", self.a.ca, "--once",
                    "--raw"]
        if peer == "py":
            return [PY, os.path.join(HERE, "e2e_py_client.py"), url,
                    self.a.ca]
        if peer == "py_skip":
            return [PY, os.path.join(HERE, "e2e_py_client.py"), url,
                    self.a.ca, "--skip-utf8"]
        for name, path in self.variants:
            if peer == name:
                return [path, "--url", url, "--ca", self.a.ca, "--once"]
        raise KeyError(peer)

    def n_for(self, peer, c):
        if peer in ("cs", "cs_raw"):
            return c["n"]
        if peer in ("py", "py_skip"):
            return c["n_py" if peer == "py" else "n_pyskip"]
        return max(1, c["n"] // 2)       # build variants: half, for time

    def one(self, peer, c, tag, stdout=None, n=None):
        """One timed run of a peer, checked; returns its record."""
        n = self.n_for(peer, c) if n is None else n
        base = os.path.join(self.out, "%s.%s.%s" % (c["kind"], peer, tag))
        r = run(self.a.launcher, self.cmd(peer, c, n), stdout or "/dev/null",
                base + ".err")
        st = self.sender.next()
        r.update(peer=peer, kind=c["kind"], n=n, sender=st)
        what = "%s on %s (%s)" % (peer, c["kind"], tag)
        if st is None:
            self.fail.append("%s: no report from the sender" % what)
            return r
        if st.get("error") or st.get("messages") != n \
                or not st.get("close_reply"):
            self.fail.append("%s: sender: %s" % (what, json.dumps(st)))
        # one TLS record per message (more only for a frame > 16 KB): the
        # sender counted the records of its ciphertext (e2e_sender.py)
        if c["rec"] == "msg" and not st.get("error") and \
                st.get("records") != n + st.get("extra_records", -1):
            self.fail.append("%s: %s TLS records for %d messages (%s more "
                             "for the messages > 16 KB)"
                             % (what, st.get("records"), n,
                                st.get("extra_records")))
        if r["rc"] != 0:
            self.fail.append("%s: exit status %d (%s.err)"
                             % (what, r["rc"], base))
        if peer.startswith("py"):
            got = None
            if stdout:
                for line in open(stdout):
                    if line.startswith("PYCOUNT "):
                        f = line.split()
                        got = tuple(int(x) for x in f[1:6])
                        r["loop_cpu"] = float(f[6])
                        r["loop_wall"] = float(f[7])
            exp = self.expect[(c["kind"], n)]
            if got != exp:
                self.fail.append("%s: counted %s, expected %s"
                                 % (what, got, exp))
        return r

    # ---- untimed checks of the output -------------------------------------
    def check(self, c):
        kind = c["kind"]
        # human: one line per certificate (lite/full hold nothing else)
        o = os.path.join(self.out, "%s.cs.check.out" % kind)
        self.one("cs", c, "check", stdout=o)
        nl = sum(1 for _ in open(o, "rb"))
        ok = nl == c["n"]
        if not ok:
            self.fail.append("cs on %s: %d output lines, expected %d"
                             % (kind, nl, c["n"]))
        # --raw: byte-for-byte the corpus' first n_py lines
        o2 = os.path.join(self.out, "%s.cs_raw.check.out" % kind)
        self.one("cs_raw", c, "check", stdout=o2, n=c["n_py"])
        same = open(o2, "rb").read() == prefix_bytes(c["file"], c["n_py"])
        if not same:
            self.fail.append("cs --raw on %s: output differs from the "
                             "corpus' first %d lines" % (kind, c["n_py"]))
        os.unlink(o)
        return ok and same, nl

    # ---- RSS breakdown ---------------------------------------------------
    def smaps(self, c, binary, extra=()):
        """Run a certstream binary on a prefix of c; snapshot
        /proc/PID/smaps while the sender holds the close. Returns the
        mapping groups and VmHWM (KB), or (None, None)."""
        n = min(c["n"], 20000)
        cmd = [binary, "--url", self.url(c, n, hold=1.0), "--ca",
               self.a.ca, "--once"] + list(extra)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        ev = self.sender.next(60)
        snap, status = None, None
        if ev and ev.get("event") == "hold":
            time.sleep(0.4)      # the last frames still in socket buffers
            try:
                snap = open("/proc/%d/smaps" % p.pid).read()
                status = open("/proc/%d/status" % p.pid).read()
            except OSError:
                pass
            p.wait()
            self.sender.next()   # the connection's report
        else:
            p.wait()             # it failed before the hold
            self.fail.append("%s on %s: no smaps snapshot (exit status %d,"
                             " sender: %s)" % (binary, c["kind"],
                                               p.returncode, ev))
        hwm = re.search(r"VmHWM:\s+(\d+)", status or "")
        if snap is None or hwm is None:
            return None, None
        return group_smaps(snap, os.path.realpath(binary)), int(hwm.group(1))

    def snapshots(self):
        """smaps of certstream (human and --raw) on every corpus, of each
        variant on the first."""
        self.snap = {}
        for i, c in enumerate(self.corpora):
            k = c["kind"]
            if k != c["name"]:
                continue
            self.snap[(k, "cs")] = self.smaps(c, self.a.client)
            self.snap[(k, "cs_raw")] = self.smaps(c, self.a.client,
                                                  ["--raw"])
            for name, path in self.variants if i == 0 else ():
                self.snap[(k, name)] = self.smaps(c, path)

    # ---- system calls per message ----------------------------------------
    def syscalls(self, c, peer):
        """One untimed run counting every system call of the client
        process (start-up included), per message: `perf stat -e
        raw_syscalls:sys_enter` (a kernel counter that leaves the timing
        alone) when perf may, else strace -f -c (which slows the client,
        so that it finds more data per read: an undercount)."""
        runs = [self.syscalls1(c, peer, i) for i in range(self.a.sc_runs)]
        runs = [x for x in runs if x is not None]
        return statistics.median(runs) if runs else None

    def syscalls1(self, c, peer, i):
        n = self.n_for(peer, c)
        path = os.path.join(self.out, "%s.%s.%s%d" % (c["kind"], peer,
                                                      self.sc_tool, i))
        if self.sc_tool == "perf":
            pre = ["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter",
                   "-o", path, "--"]
        else:
            pre = ["strace", "-f", "-c", "-o", path]
        with open(os.devnull, "wb") as dn:
            rc = subprocess.call(pre + self.cmd(peer, c, n), stdout=dn,
                                 stderr=dn)
        st = self.sender.next()
        if rc != 0 or st is None or st.get("messages") != n:
            self.fail.append("%s on %s, system calls counted: exit %d, "
                             "sender %s" % (peer, c["kind"], rc, st))
            return None
        calls = 0
        for line in open(path):
            f = line.split(",") if self.sc_tool == "perf" else line.split()
            if self.sc_tool == "perf":
                if len(f) > 2 and "raw_syscalls" in f[2] and f[0].isdigit():
                    calls += int(f[0])
            elif len(f) >= 5 and f[-1] != "total" and f[0][0].isdigit():
                calls += int(f[3])
        return calls / n

    def count_syscalls(self):
        self.sc = {}
        self.sc_tool = None
        with open(os.devnull, "wb") as dn:
            if subprocess.call(["perf", "stat", "-e",
                                "raw_syscalls:sys_enter", "true"],
                               stdout=dn, stderr=dn) == 0:
                self.sc_tool = "perf"
            elif subprocess.call(["strace", "-c", "-o", os.devnull,
                                  "true"], stdout=dn, stderr=dn) == 0:
                self.sc_tool = "strace"
        if self.sc_tool is None:
            print("   (neither perf nor strace: system calls per message "
                  "not counted)")
            return
        # the per-record streams go out in one sendfile() here: the whole
        # stream is queued at once, so the client never finds the socket
        # empty because the sender fell behind (with 256 KB sendall()s it
        # did at times on full, when the sender lost its CPU: up to 0.76
        # calls per message instead of 0.42); the count of calls does not
        # care who is charged for the loopback sending (see E2E.md)
        self.send = "sendfile"
        for c in self.corpora:
            for p in c["peers"]:
                self.sc[(c["kind"], p)] = self.syscalls(c, p)
        self.send = self.a.send

    # ---- the rounds ------------------------------------------------------
    def main(self):
        a = self.a
        self.expect = {}
        for c in self.corpora:
            for n in (c["n_py"], c["n_pyskip"]):
                self.expect[(c["kind"], n)] = expected(c["file"], n)
        print("   load average before the runs: %s (%d CPUs)"
              % (" ".join(open("/proc/loadavg").read().split()[:3]),
                 os.cpu_count()))
        for c in self.corpora:
            if c["kind"] != c["name"]:
                continue
            ok, nl = self.check(c)
            print("   check %s: certstream human %s lines (want %s), --raw "
                  "first %s messages byte-identical: %s"
                  % (c["kind"], fmt(nl), fmt(c["n"]), fmt(c["n_py"]),
                     "OK" if ok else "FAILED"))
        for c in self.corpora:
            peers = c["peers"]
            for r in range(a.rounds):
                k = len(peers)
                for i in range(k):
                    p = peers[(i + r) % k]
                    so = None
                    if p.startswith("py"):
                        so = os.path.join(self.out, "%s.%s.r%d.out"
                                          % (c["kind"], p, r))
                    rec = self.one(p, c, "r%d" % r, stdout=so)
                    self.res.setdefault((c["kind"], p), []).append(rec)
        with open(os.path.join(self.out, "runs.json"), "w") as f:
            json.dump({"%s/%s" % k: v for k, v in self.res.items()}, f,
                      indent=1)
        self.snapshots()
        self.count_syscalls()
        verdicts = []
        for c in self.corpora:
            verdicts += self.table(c)
        self.rss_report()
        print()
        print("== bars")
        for v in verdicts:
            print("   " + v)
        self.sender.stop()
        if self.fail:
            print()
            for f in self.fail:
                print("FAIL: " + f)
            print("e2e: FAILED (a client missed or mangled messages)")
            return 1
        print("e2e: OK (raw results in %s)" % self.out)
        return 0

    def stats(self, kind, peer):
        rs = self.res.get((kind, peer))
        if not rs:
            return None
        med = statistics.median
        s = {"n": rs[0]["n"], "runs": len(rs)}
        # the client's wall time, less the wait while the sender encrypted
        # the per-record stream ahead
        def wall(r):
            return r["wall"] - ((r.get("sender") or {}).get("encrypt_s")
                                or 0.0)
        s["wall"] = med(wall(r) for r in rs)
        s["msgs"] = med(r["n"] / wall(r) for r in rs)
        s["cpu_m"] = med(r["cpu"] / r["n"] * 1e6 for r in rs)
        s["user_m"] = med(r["user"] / r["n"] * 1e6 for r in rs)
        s["sys_m"] = med(r["sys"] / r["n"] * 1e6 for r in rs)
        s["rss"] = med(r["rss"] for r in rs)
        s["rss_max"] = max(r["rss"] for r in rs)
        s["busy"] = med(r["cpu"] / wall(r) for r in rs)
        s["vcsw"] = med(r["nvcsw"] for r in rs)
        s["ivcsw"] = med(r["nivcsw"] for r in rs)
        snd = [r["sender"] for r in rs if r.get("sender")
               and r["sender"].get("send_s")]
        s["snd_busy"] = med(x["send_cpu_s"] / x["send_s"] for x in snd) \
            if snd else None
        s["mbps"] = med(x["bytes"] / x["send_s"] / 1e6 for x in snd) \
            if snd else None
        s["cipher"] = snd[0]["version"] + " " + snd[0]["cipher"] \
            if snd else "?"
        if all("loop_cpu" in r for r in rs):
            s["loop_m"] = med(r["loop_cpu"] / r["n"] * 1e6 for r in rs)
            s["msgs"] = med(r["n"] / r["loop_wall"] for r in rs)
        return s

    def table(self, c):
        kind = c["kind"]
        rows = c["peers"]
        S = {p: self.stats(kind, p) for p in rows}
        cs = S["cs"]
        rs = [r["sender"] for r in self.res.get((kind, "cs"), [])
              if r.get("sender")]
        print()
        print("== %s: %s messages for certstream, %s B/message, %s;"
              % (kind, fmt(c["n"]), fmt(round(c["bytes"] / c["lines"])),
                 cs["cipher"]))
        if c["rec"] == "msg":
            rec = rs[0] if rs else {}
            print("   sent as servers do: each message in its own TLS record"
                  " (OpenSSL write() per message), encrypted\n"
                  "   ahead, then %s" % (
                      "in bursts of %d messages at %s messages/s, like a "
                      "live feed" % (c["burst"], fmt(round(c["rate"])))
                      if c.get("rate") else "sent in %s: the client, not "
                      "the sender, is the bottleneck"
                      % ("256 KB sendall()s" if self.a.send == "sendall"
                         else "one sendfile()")))
            print("   record check (certstream's run): %s TLS records for %s"
                  " messages, %s of them > 16 KB and split\n"
                  "   (each message one frame in exactly ceil(frame/16 KB) "
                  "records, plaintext lengths = frame\n"
                  "   lengths) + 1 close: %s"
                  % (fmt(rec.get("records", 0)), fmt(rec.get("messages", 0)),
                     fmt(rec.get("split_messages", 0)),
                     "OK" if rec and rec.get("records") ==
                     rec["messages"] + rec["extra_records"] else "FAILED"))
        else:
            print("   sent packed: 256 KB writes, full 16 KB TLS records")
        print("   corpus %s; medians of %d interleaved rounds"
              % (c["file"], cs["runs"]))
        hdr = ("%-36s %7s %8s %10s %7s %7s %8s %5s %8s %5s %7s"
               % ("peer", "msgs", "msg/s", "CPU s/M", "user", "sys",
                  "loop s/M", "busy", "peak RSS", "snd", "sc/msg"))
        print(hdr)
        print("-" * len(hdr))
        for p in rows:
            s = S[p]
            if s is None:
                continue
            if self.variants and p == self.variants[0][0] and \
                    p in rows:
                print("  build variants of examples/certstream.c, human "
                      "output, half the messages (not what make builds):")
            snd = "-"
            if not p.startswith("py") and s["snd_busy"] is not None:
                snd = "%.0f%%" % (100 * s["snd_busy"])
            sc = self.sc.get((kind, p))
            print("%-36s %7s %8s %10.2f %7.2f %7.2f %8s %4.0f%% %6s K %5s"
                  " %7s"
                  % (NAMES.get(p, "  " + p), fmt(s["n"]),
                     fmt(round(s["msgs"])), s["cpu_m"], s["user_m"],
                     s["sys_m"],
                     "%.2f" % s["loop_m"] if "loop_m" in s else "-",
                     100 * s["busy"], fmt(round(s["rss"])), snd,
                     "%.3f" % sc if sc is not None else "-"))
        floor = max(r["floor"] for rs in self.res.values() for r in rs)
        print("   CPU s/M: user+sys CPU-seconds of the client process per "
              "million messages; loop s/M: Python's\n"
              "   own CPU from connect to close (no interpreter start or "
              "imports); msg/s: messages / process wall\n"
              "   time (Python: / loop wall time; both less the sender's "
              "encryption ahead); busy: client CPU / wall; "
              "peak RSS: ru_maxrss (launcher floor\n"
              "   %s K); snd: sender CPU / its streaming time (well below "
              "100%%: it waits for the client)\n"
              "   sc/msg: system calls of the client process per message "
              "(%s, median of %d untimed\n"
              "   runs, start-up included, the per-record stream sent by one "
              "sendfile(); it grows with\n"
              "   every wake-up on an empty socket)"
              % (fmt(floor), "perf stat -e raw_syscalls:sys_enter"
                 if self.sc_tool == "perf" else "strace -f -c",
                 self.a.sc_runs))
        print("   certstream (human): %s voluntary / %s involuntary context "
              "switches per run (voluntary: it\n"
              "   found the socket empty); the sender streamed %.0f MB/s "
              "(plaintext)"
              % (fmt(round(cs["vcsw"])), fmt(round(cs["ivcsw"])),
                 cs["mbps"] or 0))
        v = []
        if "py" not in self.peers:
            v.append("%s: CPU bar NOT MEASURED (no Python peer: install "
                     "python3-websocket)" % kind)
        for p in ("py", "py_skip"):
            s = S.get(p)
            vs = ""
            if s is None and c.get("rate"):
                # paced: against Python on the same records, unpaced
                s = self.stats(c["name"], p)
                vs = " (Python on %s)" % c["name"]
            if p not in self.peers or (s is None and p == "py_skip"):
                continue
            if not s or "loop_m" not in s or not cs["cpu_m"]:
                v.append("%s: %s: no ratio (a run failed)" % (kind, p))
                continue
            r_loop = s["loop_m"] / cs["cpu_m"]
            r_proc = s["cpu_m"] / cs["cpu_m"]
            line = ("%s: Python CPU/msg over certstream's%s: %.1fx (with "
                    "Python's start-up: %.1fx"
                    % (kind, vs, r_loop, r_proc))
            if S.get("cs_raw"):
                line += "; over --raw: %.1fx" % (s["loop_m"] /
                                                S["cs_raw"]["cpu_m"])
            line += ")"
            if p == "py":
                for name, _ in self.variants:
                    if S.get(name):
                        line += ("\n      over %s: %.1fx"
                                 % (name, s["loop_m"] / S[name]["cpu_m"]))
            if p == "py":
                line += ("\n      websocket-client defaults (as in "
                         "certstream-python) -> bar >= %.0fx: %s"
                         % (BAR_CPU_RATIO, "bar met" if r_loop >=
                            BAR_CPU_RATIO else "bar NOT met"))
            else:
                line += ("\n      skip_utf8_validation=True (no pure-Python "
                         "UTF-8 check) -> %s"
                         % ("also >= %.0fx" % BAR_CPU_RATIO
                            if r_loop >= BAR_CPU_RATIO
                            else "below %.0fx (information)"
                            % BAR_CPU_RATIO))
            v.append(line)
        sc = self.sc.get((kind, "cs"))
        if sc is not None:
            v.append("%s: certstream %.3f system calls per message -> bar "
                     "< %.1f: %s" % (kind, sc, BAR_SYSCALLS, "bar met"
                                     if sc < BAR_SYSCALLS
                                     else "bar NOT met"))
        for p in ["cs", "cs_raw"] + [x[0] for x in self.variants]:
            s = S.get(p)
            if s is None or (kind, p) not in self.snap:
                continue
            name = {"cs": "certstream", "cs_raw": "certstream --raw"}.get(
                p, "variant " + p)
            hwm = self.snap.get((kind, p), (None, None))[1]
            peak = max(s["rss_max"], hwm or 0)
            ok = peak < BAR_RSS_KB
            v.append("%s: %s peak RSS %s K (ru_maxrss max of %d runs %s K, "
                     "smaps VmHWM %s) -> bar < %d K: %s"
                     % (kind, name, fmt(peak), s["runs"], fmt(s["rss_max"]),
                        fmt(hwm) + " K" if hwm else "-", BAR_RSS_KB,
                             ("bar met" if ok else "bar NOT met")
                             if p in ("cs", "cs_raw")
                             else ("would meet it" if ok else
                                   "would not meet it")))
        return v

    def rss_report(self):
        c = self.corpora[0]
        print()
        print("== where certstream's RSS is: /proc/PID/smaps of %s on %s, "
              "after the last message"
              % (self.a.client, c["kind"]))
        for p in ("cs", "cs_raw"):
            groups, hwm = self.snap[(c["kind"], p)]
            if groups is None:
                print("   (%s: no snapshot, the client ended too early)" % p)
                continue
            print("-- %s output; VmHWM %s KB" %
                  ("human" if p == "cs" else "--raw", fmt(hwm)))
            tot = {k: sum(g[k] for g in groups.values())
                   for k in ("size", "rss", "pss", "priv", "shared", "anon")}
            hdr = "%-24s %8s %8s %8s %8s %8s %8s" % (
                "mapping", "size", "Rss", "Pss", "Private", "Shared", "Anon")
            print(hdr)
            print("-" * len(hdr))
            rows = sorted(groups.items(), key=lambda x: -x[1]["rss"])
            for name, g in rows + [("total", tot)]:
                if g["rss"] == 0:
                    continue
                print("%-24s %7sK %7sK %7sK %7sK %7sK %7sK"
                      % (name, fmt(g["size"]), fmt(g["rss"]), fmt(g["pss"]),
                         fmt(g["priv"]), fmt(g["shared"]), fmt(g["anon"])))
        bss = bss_symbols(self.a.client)
        if bss:
            print("   largest static objects of %s: %s"
                  % (os.path.basename(self.a.client),
                     ", ".join("%s %s KB" % (n, fmt(s // 1024))
                               for n, s in bss[:5])))
        for c2 in self.corpora[1:]:
            if (c2["kind"], "cs") not in self.snap:
                continue                  # packed rows: no snapshot
            print("   on %s: VmHWM %s KB human, %s KB --raw" % (
                c2["kind"],
                fmt(self.snap[(c2["kind"], "cs")][1] or 0),
                fmt(self.snap[(c2["kind"], "cs_raw")][1] or 0)))
        print("   Rss counts every page mapped, shared or not; Pss divides "
              "shared pages among the processes\n"
              "   that map them; Private/Anon are this process' own.")
        if not self.variants:
            return
        print("   build variants, human output (Rss / Private / Anon KB; "
              "largest mappings by Rss):")
        for name, path in self.variants:
            g, hwm = self.snap[(c["kind"], name)]
            if g is None:
                continue
            rss = sum(x["rss"] for x in g.values())
            priv = sum(x["priv"] for x in g.values())
            anon = sum(x["anon"] for x in g.values())
            top = sorted(g.items(), key=lambda x: -x[1]["rss"])[:3]
            print("   %-22s %5s / %5s / %4s   %s"
                  % (name, fmt(rss), fmt(priv), fmt(anon),
                     ", ".join("%s %s" % (n, fmt(x["rss"])) for n, x in top)))


def group_smaps(text, exe):
    """Rss/Pss/Private/Shared/Anonymous per mapping group, KB."""
    groups = {}
    cur = None
    last_path = None        # the file of the closest mapping above
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$",
                     line)
        if m:
            lo, hi = int(m.group(1), 16), int(m.group(2), 16)
            perms, path = m.group(3), m.group(4).strip()
            if path == exe:
                name = "binary " + ("text" if "x" in perms else
                                    "data" if "w" in perms else "rodata")
            elif path.startswith("/"):
                name = re.sub(r"\.so[.\d]*$", ".so", os.path.basename(path))
            elif path:
                name = path                 # [heap] [stack] [vdso] ...
            elif last_path == exe and "w" in perms:
                name = "binary BSS (anon)"
            else:
                name = "anon (TLS, mmap)"
            last_path = path
            cur = groups.setdefault(name, {"size": 0, "rss": 0, "pss": 0,
                                           "priv": 0, "shared": 0,
                                           "anon": 0})
            cur["size"] += (hi - lo) // 1024
            continue
        m = re.match(r"^(\w+):\s+(\d+) kB", line)
        if m and cur is not None:
            k, v = m.group(1), int(m.group(2))
            if k == "Rss":
                cur["rss"] += v
            elif k == "Pss":
                cur["pss"] += v
            elif k in ("Private_Clean", "Private_Dirty"):
                cur["priv"] += v
            elif k in ("Shared_Clean", "Shared_Dirty"):
                cur["shared"] += v
            elif k == "Anonymous":
                cur["anon"] += v
    return groups


def bss_symbols(path):
    try:
        out = subprocess.run(["nm", "-S", "--size-sort", path],
                             capture_output=True, text=True).stdout
    except OSError:
        return []
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "bBdD":
            syms.append((f[3], int(f[1], 16)))
    return sorted(syms, key=lambda x: -x[1])


def fmt(x):
    return format(x, ",") if isinstance(x, int) else str(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--launcher", required=True)
    ap.add_argument("--corpus", action="append", required=True)
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sc-runs", type=int, default=3,
                    help="untimed runs counting system calls (median)")
    ap.add_argument("--no-python", action="store_true")
    ap.add_argument("--send", default="sendall",
                    choices=("sendall", "sendfile"),
                    help="how the per-record ciphertext goes out")
    ap.add_argument("--paced", default="",
                    help="RATE:BURST:N: a row where the sender sends the "
                         "per-message records in bursts of BURST messages "
                         "at RATE messages/s, N messages, certstream only")
    ap.add_argument("--no-packed", action="store_true",
                    help="only the one-record-per-message rows")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    b = Bench(a)
    try:
        rc = b.main()
    finally:
        if b.sender.p.poll() is None:
            b.sender.stop()
    sys.exit(rc)


if __name__ == "__main__":
    main()
