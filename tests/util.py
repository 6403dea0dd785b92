"""util.py - what the Python tests of the certstream command and the CT
follower share (tests/test_state.py, test_verify.py, test_follow.py,
test_direct.py): the pass/fail tally and its summary line, the built
programs, a program run in the background with its output lines
collected, a program run to its end with its output in files, and
waiting until a one-shot fault of tests/ctlog.py was used, a temporary
folder removed at exit."""
import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("CS_BUILD", os.path.join(ROOT, "build"))
CERTSTREAM = os.environ.get("CERTSTREAM",
                            os.path.join(ROOT, "build", "certstream"))
CT_FOLLOW = os.path.join(BUILD, "examples", "ct_follow")

passed = failed = skipped = 0


def check(ok, what):
    """Count a check; print "FAIL what" when it failed. Returns ok."""
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)
    return ok


def skip(what):
    global skipped
    skipped += 1
    print("SKIP", what)


def summary():
    """Print the closing "N passed, N failed[, N skipped]" line; the exit
    status."""
    print("%d passed, %d failed%s" % (passed, failed, ", %d skipped"
                                      % skipped if skipped else ""))
    return 1 if failed else 0


def need(path, line):
    """False, with `line` and a summary of one failure, when the program
    at path is not built."""
    if os.access(path, os.X_OK):
        return True
    print(line)
    print("0 passed, 1 failed")
    return False


def tmpdir(prefix):
    """A new temporary folder, removed when the test exits."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def localhost(srv):
    """A ctlog server's URL by name: BearSSL checks no IP address in a
    certificate, and ctlog's is for localhost too."""
    return srv.url.replace("127.0.0.1", "localhost")


def wait_used(srv, **kw):
    """Switch one-shot faults of a ctlog server on and wait (up to 10 s)
    until they were used."""
    srv.set(**kw)
    t = time.time()
    while time.time() - t < 10 and any(srv.f[k] for k in kw):
        time.sleep(0.02)


class Run:
    """A program in the background (CERTSTREAM_CA unset, NO_COLOR=1, env
    added); its stdout lines collected in .lines (with stamp, as (time the
    line arrived, line)), its stderr lines in .err. timeout: the default
    for wait_lines() and finish()."""

    def __init__(self, cmd, env=None, stamp=False, timeout=20):
        e = dict(os.environ)
        e.pop("CERTSTREAM_CA", None)
        e["NO_COLOR"] = "1"
        if env:
            e.update(env)
        self.timeout = timeout
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        self.lines = []
        self.err = []
        self.t1 = threading.Thread(target=self._read,
                                   args=(self.p.stdout, self.lines, stamp))
        self.t2 = threading.Thread(target=self._read,
                                   args=(self.p.stderr, self.err, False))
        self.t1.start()
        self.t2.start()

    @staticmethod
    def _read(f, out, stamp):
        for line in iter(f.readline, b""):
            s = line.decode("utf-8", "replace").rstrip("\n")
            out.append((time.time(), s) if stamp else s)

    def wait_lines(self, n, timeout=None):
        """Until n stdout lines came (or the exit); whether they did."""
        end = time.time() + (self.timeout if timeout is None else timeout)
        while len(self.lines) < n and time.time() < end \
                and self.p.poll() is None:
            time.sleep(0.01)
        return len(self.lines) >= n

    def wait_err(self, needles, timeout=None):
        """Until a stderr line holds one of needles (a string or a tuple)."""
        if isinstance(needles, str):
            needles = (needles,)

        def seen():
            return any(n in x for x in self.err for n in needles)
        end = time.time() + (self.timeout if timeout is None else timeout)
        while time.time() < end:
            if seen():
                return True
            if self.p.poll() is not None:
                time.sleep(0.1)
                return seen()
            time.sleep(0.02)
        return False

    def finish(self, timeout=None):
        """Wait for the exit; stop it with SIGINT after timeout (then
        SIGKILL after 5 s more). The exit status."""
        try:
            rc = self.p.wait(self.timeout if timeout is None else timeout)
        except subprocess.TimeoutExpired:
            self.p.send_signal(signal.SIGINT)
            try:
                rc = self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                rc = self.p.wait()
        self.t1.join()
        self.t2.join()
        return rc

    def stop(self):
        """SIGINT if it still runs; the exit status."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        return self.finish(5)


def run_files(args, timeout, during=None):
    """Run args to its exit with stdout and stderr in files (not pipes: a
    full pipe would stall it while during() runs), killed after timeout
    s. Returns (stdout, stderr, timed out)."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "out"), "w+b") as fo, \
                open(os.path.join(d, "err"), "w+b") as fe:
            p = subprocess.Popen(args, stdout=fo, stderr=fe)
            if during:
                during()
            late = False
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                late = True
            fo.seek(0)
            fe.seek(0)
            return fo.read(), fe.read(), late
