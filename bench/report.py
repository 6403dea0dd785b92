#!/usr/bin/python3
"""Tables for bench/run.sh (reads the raw peer outputs it saved).

    report.py table DIR PEER...                   one corpus, timed rounds
    report.py callgrind RESULTS KIND... -- PEER...   instructions per byte
    report.py ct DIR                              direct mode e2e (e2e_ct.py)

The cs_ws peer (bench_ws.c: websocket frames + UTF-8 + extraction) is also
reported as a share of the json-only certstream.h rows, against the bar
BAR_WS_KEEP.
"""
import glob
import json
import os
import statistics
import sys

NAMES = {
    "cs": "certstream.h, whole message",
    "cs_chunk": "certstream.h, 4 KiB chunks",
    "cs_ws": "certstream.h ws+json, 4 KiB",
    "simdjson": "simdjson On-Demand, per msg",
    "yajl": "yajl SAX, per msg",
    "memchr": "ref: memchr('\\n') per msg",
}
# The bar (json-notes.md, goal; the task's acceptance figures).
BAR_RATIO = {"full": 1.0, "lite": 1.0, "domains": 2.5}
BAR_IPB = {"full": 4.0, "lite": 8.0, "domains": 10.0}
# ws+json (frames + UTF-8 + extraction) against json-only (the extractor on
# whole messages), every corpus: the bar.
BAR_WS_KEEP = 0.85


def parse(path):
    d = {"pass": [], "rss": None}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            if k == "PASS":
                d["pass"].append(float(v))
            elif k == "RSS":
                d["rss"] = int(v)
            elif k in ("BYTES", "MSGS"):
                d[k.lower()] = int(v)
            elif k in ("PEER", "CHECK", "LIGHT"):
                d[k.lower()] = v
            elif k == "WS":
                d["ws"] = dict(x.split("=", 1) for x in v.split())
    return d


CHUNK = None    # the read size, from bench_ws's WS line (run.sh -c)


def chunk_name(c):
    c = int(c)
    return "%d KiB" % (c // 1024) if c % 1024 == 0 else "%d B" % c


def name(p, chunk=None):
    n = NAMES.get(p, p)
    chunk = chunk or CHUNK
    if p in ("cs_chunk", "cs_ws") and chunk:
        n = n.replace("4 KiB", chunk)
    return n


def note_chunk(dirname):
    """Read the chunk size from the ws peer's WS line, if it ran."""
    global CHUNK
    for f in sorted(glob.glob(os.path.join(dirname, "cs_ws.r*.out"))):
        ws = parse(f).get("ws")
        if ws and "chunk" in ws:
            CHUNK = chunk_name(ws["chunk"])
            return ws
    return None


def table(dirname, peers):
    kind = os.path.basename(dirname.rstrip("/"))
    corpus = open(os.path.join(dirname, "corpus")).read().strip()
    gen = open(os.path.join(dirname, "generator")).read().strip()
    ws = note_chunk(dirname)
    runs = {}
    for p in peers:
        files = sorted(glob.glob(os.path.join(dirname, p + ".r*.out")))
        ds = [parse(f) for f in files]
        ds = [d for d in ds if d["pass"]]
        if not ds:
            continue
        runs[p] = {"pass": [t for d in ds for t in d["pass"]],
                   "round_best": [min(d["pass"]) for d in ds],
                   "rss": max(d["rss"] or 0 for d in ds),
                   "bytes": ds[0]["bytes"], "msgs": ds[0]["msgs"],
                   "peer": ds[0].get("peer", p)}
    if "cs" not in runs:
        print("== %s: no certstream.h results" % kind)
        return
    nbytes, nmsgs = runs["cs"]["bytes"], runs["cs"]["msgs"]
    npass = len(runs["cs"]["pass"])
    print()
    print("== %s: %.1f MB, %s messages, %s B/message  (%s; %s)"
          % (kind, nbytes / 1e6, format(nmsgs, ","),
             format(round(nbytes / nmsgs), ","), corpus, gen))
    print("   median and best of %d timed passes per peer (interleaved "
          "rounds); MB = 10^6 B" % npass)
    for p, r in runs.items():
        t = sorted(r["pass"])
        r["med"], r["best"] = statistics.median(t), t[0]
    base_rss = runs["memchr"]["rss"] if "memchr" in runs else None
    hdr = ("%-30s %9s %9s %10s %8s %13s %13s %8s"
           % ("peer", "MB/s med", "MB/s best", "msg/s med", "ns/msg",
              "x simdjson", "x yajl", "RSS+MiB"))
    print(hdr)
    print("-" * len(hdr))

    def ratio(p, q):
        if q not in runs or p not in runs:
            return "-"
        return "%.2f (%.2f)" % (runs[q]["med"] / runs[p]["med"],
                                runs[q]["best"] / runs[p]["best"])

    for p in peers:
        if p not in runs:
            print("%-30s   SKIPPED (not built)" % name(p))
            continue
        r = runs[p]
        rss = "-"
        if base_rss is not None and p != "memchr":
            rss = "%.1f" % ((r["rss"] - base_rss) / 1024.0)
        isc = p in ("cs", "cs_chunk", "cs_ws")
        print("%-30s %9.0f %9.0f %10s %8.0f %13s %13s %8s"
              % (name(p), nbytes / 1e6 / r["med"], nbytes / 1e6 / r["best"],
                 "%.2fM" % (nmsgs / r["med"] / 1e6), r["med"] / nmsgs * 1e9,
                 ratio(p, "simdjson") if isc else "",
                 ratio(p, "yajl") if isc else "", rss))
    print("   x simdjson / x yajl: certstream.h speed over the peer's, from "
          "medians (from best passes)")
    if "simdjson" not in runs and kind in BAR_RATIO:
        print("   bar: x simdjson NOT MEASURED (the simdjson peer was not "
              "built)")
    if "simdjson" in runs and kind in BAR_RATIO:
        want = BAR_RATIO[kind]
        got = runs["simdjson"]["med"] / runs["cs"]["med"]
        gotb = runs["simdjson"]["best"] / runs["cs"]["best"]
        pairs = [s_ / c_ for s_, c_ in zip(runs["simdjson"]["round_best"],
                                            runs["cs"]["round_best"])]
        gotp = statistics.median(pairs)
        print("   bar: certstream.h >= %.1fx simdjson on %s: %.2fx median, "
              "%.2fx best, %.2fx paired -> %s"
              % (want, kind, got, gotb, gotp,
                 "MET" if min(got, gotb, gotp) >= want else "NOT MET"))
        print("   (paired: median over rounds of the ratio of the two "
              "peers' best passes in that round)")
    if "cs_ws" in runs:
        ws_keep(kind, runs, ws)


def ws_keep(kind, runs, ws):
    """ws+json's throughput as a share of the json-only rows."""
    w = runs["cs_ws"]

    def keep(q):
        r = runs[q]
        pairs = [a / b for a, b in zip(r["round_best"], w["round_best"])]
        return (r["med"] / w["med"], r["best"] / w["best"],
                statistics.median(pairs))

    if ws:
        # the payload is the corpus less its newlines, one per message
        pay = runs["cs"]["bytes"] - runs["cs"]["msgs"]
        print("   ws+json: %s frames (%s messages in 3 fragments, %s pings);"
              " headers and pings add %.2f %% to the payload;\n"
              "   its MB/s counts the corpus bytes as every row does; its "
              "RSS+ includes the frame stream"
              % (format(int(ws["frames"]), ","),
                 format(int(ws["fragmented"]), ","),
                 format(int(ws["pings"]), ","),
                 (int(ws["stream"]) - pay) * 100.0 / pay))
    m, b, pr = keep("cs")
    line = ("   ws+json keeps %.0f%% of json-only (whole message; "
            "median %.1f%%, best %.1f%%, paired %.1f%%)"
            % (100 * min(m, b, pr), 100 * m, 100 * b, 100 * pr))
    if "cs_chunk" in runs:
        cm, cb, cp = keep("cs_chunk")
        line += (";\n   %.0f%% of the %s-chunk row (median %.1f%%, best "
                 "%.1f%%, paired %.1f%%)"
                 % (100 * min(cm, cb, cp), CHUNK or "4 KiB", 100 * cm,
                    100 * cb, 100 * cp))
    print(line)
    print("   (keeps: the lowest of the three; paired as above)")
    print("   bar: ws+json >= %.0f%% of json-only on %s: %.1f%% -> %s"
          % (100 * BAR_WS_KEEP, kind, 100 * min(m, b, pr),
             "MET" if min(m, b, pr) >= BAR_WS_KEEP else "NOT MET"))


def callgrind(results, kinds, peers):
    rows = {}
    for kind in kinds:
        dirname = os.path.join(results, kind)
        note_chunk(dirname)
        for p in peers:
            cg = os.path.join(dirname, p + ".callgrind")
            out = os.path.join(dirname, p + ".cg.out")
            if not (os.path.exists(cg) and os.path.exists(out)):
                continue
            ir = None
            with open(cg) as f:
                for line in f:
                    if line.startswith(("summary:", "totals:")):
                        ir = int(line.split()[1])
            d = parse(out)
            if ir is None or not d.get("bytes"):
                continue
            rows.setdefault(p, {})[kind] = (ir, d["bytes"], d["msgs"])
    hdr = "%-30s" % "peer" + "".join(
        "%12s %10s" % (k + " I/B", "I/msg") for k in kinds)
    print(hdr)
    print("-" * len(hdr))
    for p in peers:
        if p not in rows:
            continue
        line = "%-30s" % name(p)
        for k in kinds:
            if k in rows[p]:
                ir, b, m = rows[p][k]
                line += "%12.2f %10.0f" % (ir / b, ir / m)
            else:
                line += "%12s %10s" % ("-", "-")
        print(line)
    if "cs" in rows:
        some = next(iter(rows["cs"].values()))
        print("   (slice: first %.1f MB of each corpus, whole messages; "
              "I = instructions counted by callgrind inside the parse loop)"
              % (some[1] / 1e6))
        for k in kinds:
            if k in rows["cs"] and k in BAR_IPB:
                ir, b, m = rows["cs"][k]
                v = ir / b
                print("   bar: certstream.h <= %g instr/byte on %s: %.2f -> %s"
                      % (BAR_IPB[k], k, v,
                         "MET" if v <= BAR_IPB[k] else "NOT MET"))
    if "cs" in rows and "cs_ws" in rows:
        for k in kinds:
            if k in rows["cs"] and k in rows["cs_ws"]:
                base = rows["cs"][k][0] / rows["cs"][k][1]
                v = rows["cs_ws"][k][0] / rows["cs_ws"][k][1]
                extra = ""
                if "cs_chunk" in rows and k in rows["cs_chunk"]:
                    c = rows["cs_chunk"][k][0] / rows["cs_chunk"][k][1]
                    extra = ", %+.2f over the chunked row" % (v - c)
                print("   ws+json on %s: %.2f I/B = json-only %.2f %+.2f "
                      "(%+.1f %%)%s" % (k, v, base, v - base,
                                        (v / base - 1) * 100, extra))


# Issue 9's goal: every current log at the real rate (about 1,000
# entries/s in all) under 3 % of one core, i.e. 30 us of CPU per entry.
BAR_CT_US = 30.0


def ct(dirname):
    """The direct mode e2e table: median over the runs of the client's own
    CPU (user + sys, from wait4) per entry, per case and output."""
    rows = {}
    with open(os.path.join(dirname, "ct.jsonl")) as f:
        for line in f:
            m = json.loads(line)
            rows.setdefault((m["case"], m["output"]), []).append(m)
    print()
    print("== direct mode e2e: the command following a local log over TLS "
          "(client CPU from rusage)")
    print("   %-43s %-7s %8s %8s %8s %7s %8s %7s" % (
        "log", "output", "entries", "us/entry", "(user", "sys)",
        "@1000/s", "RSS KB"))
    for (case, out), ms in rows.items():
        cpu = sorted((m["user_s"] + m["sys_s"]) / m["entries"] * 1e6
                     for m in ms)
        med = statistics.median(cpu)
        usr = statistics.median(m["user_s"] / m["entries"] * 1e6 for m in ms)
        sy = statistics.median(m["sys_s"] / m["entries"] * 1e6 for m in ms)
        rss = max(m["maxrss_kb"] for m in ms)
        flag = "" if med < BAR_CT_US else "  over the bar"
        print("   %-43s %-7s %8d %8.1f %8.1f %7.1f %7.2f%% %7d%s" % (
            ms[0]["desc"], out, ms[0]["entries"], med, usr, sy,
            med * 1000 / 1e6 * 100, rss, flag))
    print("   (median of %d runs; %% of one core at 1,000 entries/s; the "
          "bar: under %.0f us/entry = 3 %%; JSON/tile bytes per entry as "
          "served: %s)" % (
              len(ms), BAR_CT_US, ", ".join(
                  "%s %.0f" % (c, v[0]["bytes_per_entry"])
                  for (c, o), v in rows.items() if o == "line")))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "callgrind":
        rest = sys.argv[3:]
        i = rest.index("--")
        callgrind(sys.argv[2], rest[:i], rest[i + 1:])
    elif len(sys.argv) == 3 and sys.argv[1] == "ct":
        ct(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
