#!/usr/bin/python3
"""Gaps end to end (issue 10): a CertStream server of our own (the raw peer
of tests/wspeer.py on 127.0.0.1) sends three logs' certificate_update
messages interleaved, dropping chosen ones, reordering some inside the
window and sending some twice; the command (CS_BUILD, default
build/certstream) must report on stderr exactly the entries that were
dropped, and count the duplicates.

  gaps.exact       --gaps: the union of the gap lines is exactly the
                   dropped set, per log (URLs normalised: one log sent as
                   two spellings); every message printed once (--json)
  gaps.default     without --gaps the maybe-deliberate ones (1-2 entries)
                   are not printed, the others are; --stats counts all
  gaps.off         --no-gaps: no gap line
  gaps.domains     a domains-only stream: with --gaps one line says gaps
                   cannot be seen; without, nothing

Prints "test NAME ... PASS|FAIL (why)" per test and "N passed, N failed".
"""
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W                                          # noqa: E402
from wspeer import frame, close_frame, OP_TEXT             # noqa: E402

PASSED = [0]
FAILED = [0]

LOGS = {
    # key (normalised): (spellings sent, first index, count, dropped)
    'ct.a.example/log': (['https://ct.a.example/log/'], 1000, 1000,
                         set(range(1100, 1150)) | {1500}
                         | set(range(1700, 1703)) | {1998}),
    'ct.b.example': (['HTTPS://CT.B.Example/', 'ct.b.example'],
                     5000000000, 500,
                     set(range(5000000010, 5000000020))
                     | {5000000100, 5000000101}),
    'ct.c.example/2026': (['https://ct.c.example/2026'], 7, 300, set()),
}


def cert(url, idx):
    return json.dumps({'message_type': 'certificate_update',
                       'data': {'cert_index': idx, 'seen': 1700000000.5,
                                'source': {'url': url, 'name': 'L'},
                                'leaf_cert': {'all_domains':
                                              ['e%d.example' % idx]}}},
                      separators=(',', ':'))


def feed(seed=1):
    """The messages as sent: per log in order, blocks of 10 reversed now
    and then (reordering inside the window), a few sent twice; logs
    interleaved at random. Returns (messages, duplicates sent)."""
    rng = random.Random(seed)
    per = []
    dups = 0
    for key, (urls, first, n, drop) in LOGS.items():
        seq = [i for i in range(first, first + n) if i not in drop]
        out = []
        k = 0
        while k < len(seq):
            blk = seq[k:k + 10]
            if rng.random() < 0.3 and k > 0:
                blk = blk[::-1]
            out.extend(blk)
            k += 10
        msgs = []
        for j, i in enumerate(out):
            msgs.append(cert(urls[j % len(urls)], i))
            if j > 0 and j % 97 == 0:
                msgs.append(cert(urls[0], i))
                dups += 1
        per.append(msgs)
    allm = []
    while any(per):
        q = rng.choice([p for p in per if p])
        allm.append(q.pop(0))
    return allm, dups


def server(msgs):
    def h(conn, i):
        if conn.handshake() is None:
            return
        conn.send(b''.join(frame(OP_TEXT, m.encode()) for m in msgs))
        conn.send(close_frame(1000))
        conn.read_until_close(3)
    return W.Server(h)


def run(args, msgs, timeout=10):
    srv = server(msgs)
    try:
        cli = W.Client(list(args) + ['--once', '--url', srv.url('/')])
        rc = cli.wait(timeout)
        return rc, cli.stdout(), cli.stderr()
    finally:
        srv.stop()


GAP = re.compile(rb'^certstream: gap: (\S+): (\d+) entr(?:y|ies) missing, '
                 rb'(\d+)\.\.(\d+)( \(may be deliberate.*\))?$')


def gaps_of(err):
    got = {}
    for line in err.splitlines():
        m = GAP.match(line)
        if m:
            key = m.group(1).decode()
            a, b, n = int(m.group(3)), int(m.group(4)), int(m.group(2))
            s = got.setdefault(key, [])
            s.append((a, b, n, m.group(5) is not None))
    return got


def t_exact():
    why = []
    msgs, dups = feed()
    rc, out, err = run(['--json', '--gaps', '--stats'], msgs)
    got = gaps_of(err)
    if rc != 0:
        why.append('exit %s' % rc)
    if out.count(b'\n') != len(msgs) - dups:   # repeats not printed
        why.append('%d lines for %d messages, %d repeated' % (
            out.count(b'\n'), len(msgs), dups))
    for key, (urls, first, n, drop) in LOGS.items():
        miss = set()
        for a, b, c, maybe in got.get(key, []):
            rng = set(range(a, b + 1))
            if len(rng) != c or miss & rng:
                why.append('%s: bad or overlapping line %d..%d' %
                           (key, a, b))
            if maybe != (c <= 2):
                why.append('%s: %d..%d deliberate mark %s' %
                           (key, a, b, maybe))
            miss |= rng
        if miss != drop:
            why.append('%s: reported %s, dropped %s' %
                       (key, sorted(miss - drop)[:5],
                        sorted(drop - miss)[:5]))
    if set(got) - set(LOGS):
        why.append('gaps of unknown logs %s' % (set(got) - set(LOGS)))
    m = re.search(rb'total: (\d+) gaps, (\d+) entries missing \((\d+) gaps '
                  rb'may be deliberate\); (\d+) duplicates', err)
    total = sum(len(v[3]) for v in LOGS.values())
    if not m or int(m.group(2)) != total or int(m.group(4)) != dups:
        why.append('stats: %r (want %d missing, %d duplicates)' %
                   (m.group(0) if m else err[-300:], total, dups))
    return why


def t_default():
    why = []
    msgs, dups = feed(2)
    rc, out, err = run(['--domains', '--stats'], msgs)
    got = gaps_of(err)
    lines = [g for v in got.values() for g in v]
    if any(g[3] for g in lines):
        why.append('a maybe-deliberate gap printed without --gaps')
    if len(lines) != 3:    # a.1100-1149, a.1700-1702, b.10-19; the rest <= 2
        why.append('%d gap lines: %r' % (len(lines), got))
    if b'total: 6 gaps, 67 entries missing (3 gaps' not in err:
        why.append('stats: %r' % err[-400:])
    return why


def t_off():
    msgs, dups = feed(3)
    rc, out, err = run(['--no-gaps', '--stats'], msgs)
    return ['gap output: %r' % err[-300:]] if b'gap' in err else []


def t_domains():
    why = []
    msgs = ['{"message_type":"dns_entries","data":["a.example"]}'] * 5
    rc, out, err = run(['--gaps', '--stats'], msgs)
    if err.count(b'domains-only') != 2:   # the warning and the stats line
        why.append('with --gaps: %r' % err)
    rc, out, err = run([], msgs)
    if b'gap' in err:
        why.append('without --gaps: %r' % err)
    return why


def test(name, fn):
    why = fn()
    if why:
        FAILED[0] += 1
        print('test %s ... FAIL (%s)' % (name, '; '.join(why)))
    else:
        PASSED[0] += 1
        print('test %s ... PASS' % name)


def main():
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    test('gaps.exact', t_exact)
    test('gaps.default', t_default)
    test('gaps.off', t_off)
    test('gaps.domains', t_domains)
    print('%d passed, %d failed' % (PASSED[0], FAILED[0]))
    return 1 if FAILED[0] else 0


if __name__ == '__main__':
    sys.exit(main())
