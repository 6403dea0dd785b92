#!/usr/bin/python3
"""The CPU cost of verification in the CT follower, per entry: ct_follow
(build/examples/ct_follow) reads a local static log (tests/ctlog.py) of
N entries from 0, with verification (the default) and with --no-verify;
the follower's own user+sys time is compared (the Python log's is not
counted). Usage: bench/verify_cost.py [N] [RUNS] (default 4096, 3)."""
import os
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.dont_write_bytecode = True
import ctlog  # noqa: E402

B = os.environ.get("CS_BUILD", os.path.join(HERE, "..", "build"))
EXE = os.path.join(B, "examples", "ct_follow")


def cpu_of(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime
            + after.ru_stime - before.ru_stime)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    log = ctlog.build_log("static", n, 1, False, None, None, None, 256)
    srv = ctlog.Server(log).start()
    try:
        base = [EXE, "--static", "--origin", log.origin, "--key",
                ctlog.b64(log.spki), "--from", "0", "--until", str(n),
                "--poll", "100000"]
        best = {}
        for _ in range(runs):
            for name, extra in (("verified", []),
                                ("unverified", ["--no-verify"])):
                t = cpu_of(base[:1] + extra + base[1:] + [srv.url])
                best[name] = min(best.get(name, t), t)
    finally:
        srv.stop()
    v, u = best["verified"], best["unverified"]
    print("verify_cost: %d entries: %.0f ns/entry verified, %.0f "
          "unverified: +%.1f%% (best of %d, follower CPU)" % (
              n, v / n * 1e9, u / n * 1e9, 100.0 * (v - u) / u, runs))


if __name__ == "__main__":
    main()
