#!/usr/bin/python3
"""Instruction counts of certstream.h by source region, for bench/profile.sh.

    lineprof.py ANNOTATED HEADER PEER_OUTPUT [TOP_LINES]

ANNOTATED is `callgrind_annotate --auto=yes --show-percs=no` output (events
Ir, or Ir,Bcm,Bim); HEADER the header that was profiled; PEER_OUTPUT the
bench_cs output (its BYTES and MSGS lines give the divisors). Counts are
attributed to the source lines where the code is written, so an inlined
helper keeps its own row; cs_json_feed is split at its labels.
"""
import re
import sys


def regions(header):
    """(first line, name) of every function and every feed label."""
    starts = []
    with open(header) as f:
        for i, line in enumerate(f, 1):
            m = re.match(r'^([a-z_][a-z0-9_]*)\(', line)
            if m:
                starts.append((i - 1, m.group(1)))  # its type line is above
            m = re.match(r'^([a-z_]+):\s*$', line)
            if m and m.group(1) not in ("default", "public", "private"):
                starts.append((i, "feed:" + m.group(1)))
    starts.sort()
    return starts


def region_of(starts, ln):
    name = "(file scope)"
    for s, n in starts:
        if s > ln:
            break
        name = n
    return name


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    ann, header, peer = sys.argv[1:4]
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    msgs = nbytes = 0
    with open(peer) as f:
        for line in f:
            if line.startswith("MSGS "):
                msgs = int(line.split()[1])
            elif line.startswith("BYTES "):
                nbytes = int(line.split()[1])
    starts = regions(header)
    cur = None
    ln = 0
    nev = 1
    by_region = {}
    lines = []
    row = re.compile(r'^\s*((?:(?:[\d,]+|\.)\s+)+)\s(.*)$')
    with open(ann) as f:
        for raw in f:
            m = re.match(r'-- Auto-annotated source: (.*)', raw)
            if m:
                cur = m.group(1).strip()
                ln = 0
                continue
            m = re.match(r'^Events shown:\s+(.*)$', raw)
            if m:
                nev = len(m.group(1).split())
                continue
            m = re.match(r'-- line (\d+) ---', raw)
            if m:
                ln = int(m.group(1)) - 1
                continue
            if cur is None:
                continue
            m = row.match(raw.rstrip('\n'))
            if not m:
                continue
            cols = m.group(1).split()
            if len(cols) != nev:
                continue
            ln += 1
            text = m.group(2).strip()
            if text.startswith("=>") or "events annotated" in raw:
                continue
            vals = [0 if c == "." else int(c.replace(",", "")) for c in cols]
            if not any(vals):
                continue
            if cur.endswith("certstream.h"):
                key = region_of(starts, ln)
                where = "certstream.h:%d" % ln
            else:
                key = "[" + cur.split("/")[-1] + "]"
                where = "%s:%d" % (cur.split("/")[-1], ln)
            acc = by_region.setdefault(key, [0] * nev)
            for i, v in enumerate(vals):
                acc[i] += v
            lines.append((vals, where, text))
    if not msgs or not nbytes:
        sys.exit("lineprof: no MSGS/BYTES in " + peer)
    total = sum(v[0] for v in by_region.values())
    print("%d messages, %d bytes: %.1f instructions/message, %.2f/byte"
          % (msgs, nbytes, total / msgs, total / nbytes))
    print("%-26s %9s %8s %6s" % ("region", "I/msg", "I/byte", "share")
          + ("  %9s %9s" % ("Bcm/msg", "Bim/msg") if nev == 3 else ""))
    for key, v in sorted(by_region.items(), key=lambda kv: -kv[1][0]):
        if v[0] / msgs < 0.5:
            continue
        extra = ""
        if nev == 3:
            extra = "  %9.1f %9.1f" % (v[1] / msgs, v[2] / msgs)
        print("%-26s %9.1f %8.3f %5.1f%%%s"
              % (key, v[0] / msgs, v[0] / nbytes, 100.0 * v[0] / total,
                 extra))
    print("hottest lines (instructions per message):")
    for vals, where, text in sorted(lines, key=lambda r: -r[0][0])[:top]:
        print("  %8.1f  %-22s %s" % (vals[0] / msgs, where, text[:70]))
    if nev == 3:
        print("most mispredicted branches (per message, simulated):")
        worst = sorted(lines, key=lambda r: -(r[0][1] + r[0][2]))
        for vals, where, text in worst[:top]:
            print("  %8.1f  %-22s %s" % ((vals[1] + vals[2]) / msgs, where,
                                          text[:70]))


if __name__ == "__main__":
    main()
