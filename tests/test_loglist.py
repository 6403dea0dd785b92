#!/usr/bin/env python3
"""The log list built into certstream.h against the signed list it came
from (../shared/ct/loglist): the same logs, kinds, states, URLs, keys and
intervals, selected by the rule the header documents; and the generated
block is what tools/gen_loglist.py makes of that list today."""
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
            want.append((kind, {"qualified": 2, "usable": 3, "readonly": 4}[state],
                         op["name"], lg["description"], url, lg["mmd"],
                         t(ti["start_inclusive"]) if ti else 0,
                         t(ti["end_exclusive"]) if ti else 0,
                         base64.b64decode(lg["key"]).hex(), lg["log_id"]))

out = subprocess.run([os.path.join(build, "test_loglist"), "--dump"],
                     capture_output=True, text=True, check=True).stdout
got = [l.split("\t") for l in out.splitlines()]
check(len(got) == len(want), "count: %d built in, %d in the list" % (len(got), len(want)))
for g, w in zip(got, want):
    row = (int(g[0]), int(g[1]), g[2], g[3], g[4], int(g[5]), int(g[6]), int(g[7]), g[8])
    check(row == w[:9], "entry %s: %r != %r" % (w[3], row, w[:9]))
    # the key is the one whose SHA-256 is the log ID the list states
    import hashlib
    check(base64.b64encode(hashlib.sha256(bytes.fromhex(g[8])).digest()).decode() == w[9],
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
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
