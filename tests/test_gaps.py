#!/usr/bin/python3
"""Gaps end to end (issue 10): a CertStream server of our own (the raw peer
of tests/wspeer.py on 127.0.0.1) sends three logs' certificate_update
messages interleaved, dropping chosen ones, reordering some inside the
window and sending some twice; the command (CS_BUILD, default
build/certstream) must report on stderr exactly the entries that were
dropped, and count the duplicates.

  gaps.exact       --gaps: the union of the gap lines is exactly the
                   dropped set, per log (URLs normalised: one log sent as
                   two spellings); every message printed (--json)
  gaps.default     without --gaps the maybe-deliberate ones (1-2 entries)
                   are not printed, the others are; --stats counts all
  gaps.off         --no-gaps: no gap line
  gaps.reconnect   the server drops the connection after entry 99 and
                   resumes at 150 (what a restart does): after the
                   reconnect the gap is exactly 100..149
  gaps.domains     a domains-only stream: with --gaps one line says gaps
                   cannot be seen; without, nothing
  gaps.backfill    the server in front of a local RFC 6962 log
                   (tests/ctlog.py; its messages carry the log's URL, the
                   right cert_index and the certificate's fingerprint),
                   dropping, reordering and
                   repeating: with --backfill --json the union of what is
                   printed is every entry of the log exactly once, the
                   backfilled ones marked and exactly the dropped ones,
                   with the log's SHA-256; a cap of 5 per gap is said on
                   stderr; the same for a static log found in a
                   --log-list (data tiles, a gap across a tile boundary;
                   its hash tiles fetched, none with --no-verify; and
                   found by its submission prefix when the server names
                   it so)
                   (skipped when python3-cryptography is missing)
  gaps.probe       logs not in the log list, read at the URL the server
                   sends: a static log (origin unlike its URL, as
                   Sunlight's) at its monitoring URL without the final
                   '/' (certstream-server-go's source.url): probed (get-sth
                   404, then the checkpoint), the union printed is every
                   entry once, the dropped ones backfilled from its tiles;
                   two URLs that are no CT log (404 everywhere; 200 HTML
                   everywhere): each one's gap given up in one stderr line
                   naming why, their messages printed, nothing else said
  gaps.dedupe      each certificate once (SHA-1 from leaf_cert.fingerprint):
                   a hole in log B whose certificate the server sent from
                   log A is backfilled but not printed; the server's late
                   copy of a backfilled entry, and another log's copy of
                   one, are not printed; gap lines and --stats say so;
                   gaps.resume's case with fingerprints: the server's
                   copies printed, the backfill's not (needs an extractor
                   that reads leaf_cert.fingerprint)
  gaps.resume      --url --backfill --state F -n 40: the server sends 0..59,
                   the command prints 0..39 and saves; restarted with F
                   while the server has moved on (85, then 80..84 out of
                   order, 86..119): 40..84 are backfilled, the server's
                   80..84 not printed, the union is every entry once; a
                   direct-mode line in F is kept; --state with --url but
                   without --backfill: exit 2, one line

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


def cert(url, idx, fp=None, sha1=False):
    """A certificate_update; fp: its leaf_cert.fingerprint ("AA:BB:..",
    as every server sends it; sha1: also as leaf_cert.sha1, as Go and
    Rust do)."""
    leaf = {'all_domains': ['e%d.example' % idx]}
    if fp is not None:
        leaf['fingerprint'] = fp
        if sha1:
            leaf['sha1'] = fp
    return json.dumps({'message_type': 'certificate_update',
                       'data': {'cert_index': idx, 'seen': 1700000000.5,
                                'source': {'url': url, 'name': 'L'},
                                'leaf_cert': leaf}},
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
    if out.count(b'\n') != len(msgs):   # repeats too (not --backfill)
        why.append('%d lines for %d messages' % (out.count(b'\n'),
                                                    len(msgs)))
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


def t_reconnect():
    why = []
    url = 'https://ct.r.example/'

    def h(conn, i):
        if conn.handshake() is None:
            return
        rng = range(0, 100) if i == 0 else range(150, 200)
        conn.send(b''.join(frame(OP_TEXT, cert(url, k).encode())
                           for k in rng))
        if i == 0:
            conn.close()                  # no close frame: a drop
        else:
            conn.read_until_close(5)
    srv = W.Server(h)
    try:
        cli = W.Client(['--domains', '-n', '150', '--url', srv.url('/')])
        rc = cli.wait(10)
        err = cli.stderr()
    finally:
        srv.stop()
    got = gaps_of(err)
    if got != {'ct.r.example': [(100, 149, 50, False)]}:
        why.append('exit %s, gaps %r, stderr %r' % (rc, got, err[-300:]))
    return why


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


def backfill_case(ctlog, kind, n, drop, cap_runs, why):
    """Serve a log of kind, the feed without drop (reordered, some sent
    twice); for each cap (None: the default) run --backfill and check."""
    import tempfile
    # a static log's checkpoint origin is its submission prefix, unlike
    # the monitoring URL it is read from (Let's Encrypt's Sycamore)
    origin = 'log.origin.test/2026h1' if kind == 'static' else None
    log = ctlog.build_log(kind, n, 1, False, None, origin, None, None)
    exp = log.expect()
    srv = ctlog.Server(log).start()
    tmp = tempfile.TemporaryDirectory()
    try:
        url = srv.url
        extra = []
        if kind == 'static':     # found in a log list: a tiled log
            lf = os.path.join(tmp.name, 'list.json')
            ent = dict(srv.log_v3(),
                       state={'usable': {'timestamp': '2025-01-01T00:00:00Z'}},
                       submission_url='https://%s/' % origin)
            with open(lf, 'w') as f:
                json.dump({'version': '1', 'operators': [
                    {'name': 'Test', 'email': [], 'logs': [],
                     'tiled_logs': [ent]}]}, f)
            extra = ['--log-list', lf]
        rng = random.Random(5)
        seq = [i for i in range(n) if i not in drop]
        msgs = []
        k = 0
        while k < len(seq):
            blk = seq[k:k + 8]
            if rng.random() < 0.3:
                blk = blk[::-1]
            for i in blk:     # with the log's certificates' SHA-1
                msgs.append(cert(url, i, exp[i]['fingerprint']))
                if rng.random() < 0.05:
                    msgs.append(cert(url, i, exp[i]['fingerprint']))
            k += 8
        # the same feed naming the log by its submission prefix (a server
        # may): the list still finds it, by its origin
        sub = 'https://%s/' % origin if origin else url
        msgs_sub = [m.replace(json.dumps(url), json.dumps(sub)) for m in msgs]
        for cap, want, given_want in cap_runs:
            args = ['--json', '--backfill', '--stats'] + extra
            if cap == 'no-verify':       # the backfill's proofs off
                args += ['--no-verify']
            elif cap in (None, 'submission'):
                pass
            else:
                args += ['--backfill-max', str(cap)]
            r0 = len(srv.requests)
            rc, out, err = run(args, msgs_sub if cap == 'submission'
                               else msgs, timeout=30)
            hashes = [r for r in srv.requests[r0:] if '/tile/0/' in r[1]]
            if kind == 'static' and bool(hashes) != (cap != 'no-verify'):
                why.append('%s %s: %d hash tiles fetched' % (
                    kind, cap or 'default', len(hashes)))
            seen = {}
            back = set()
            for line in out.splitlines():
                m = json.loads(line)
                i = m['data']['cert_index']
                seen[i] = seen.get(i, 0) + 1
                if m.get('backfilled') is True:
                    back.add(i)
                    sha = m['data']['leaf_cert']['sha256'].replace(':', '')
                    if sha.lower() != exp[i]['sha256'].lower():
                        why.append('%s %d: sha256 %s, the log %s' % (
                            kind, i, sha, exp[i]['sha256']))
                    if m['data']['source']['url'] != url:
                        why.append('%s: backfilled source.url %r' %
                                   (kind, m['data']['source']['url']))
            twice = sorted(i for i, c in seen.items() if c > 1)
            if twice:
                why.append('%s cap %s: printed twice: %s' % (kind, cap,
                                                              twice[:5]))
            given = sorted(re.findall(rb'backfill: \S+: (\d+) entries '
                                      rb'from (\d+) given up', err))
            if back != want or given != given_want:
                why.append('%s cap %s: backfilled %d (%s...), want %d; '
                           'given up %r; exit %s, stderr %r' % (
                               kind, cap, len(back), sorted(back)[:6],
                               len(want), given, rc, err[-300:]))
            if cap in (None, 'no-verify', 'submission') \
                    and set(seen) != set(range(n)):
                why.append('%s: missing %s' % (
                    kind, sorted(set(range(n)) - set(seen))[:5]))
    finally:
        srv.stop()
        tmp.cleanup()


def t_backfill():
    try:
        import ctlog
    except ImportError as e:
        print('test gaps.backfill: SKIP (%s)' % e)
        return []
    why = []
    drop = set(range(30, 45)) | {100} | set(range(200, 260)) | {398}
    capped = set()
    for a, b in ((30, 45), (100, 101), (200, 260), (398, 399)):
        capped |= set(range(a, min(b, a + 5)))
    backfill_case(ctlog, 'rfc6962', 400, drop,
                  [(None, drop, []),
                   (5, capped, [(b'10', b'35'), (b'55', b'205')])], why)
    # a static log, by its list entry: entries from the data tiles (one
    # gap across a tile boundary at 256)
    drop = set(range(250, 270)) | {3}
    backfill_case(ctlog, 'static', 300, drop,
                  [(None, drop, []), ('no-verify', drop, []),
                   ('submission', drop, [])], why)
    return why


def t_probe():
    try:
        import ctlog
    except ImportError as e:
        print('test gaps.probe: SKIP (%s)' % e)
        return []
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    class Page(BaseHTTPRequestHandler):      # a web site, not a CT log
        def do_GET(self):
            b = b'<html><body>hello</body></html>\n'
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(len(b)))
            self.end_headers()
            self.wfile.write(b)

        def log_message(self, *a):
            pass

    why = []
    n = 300
    log = ctlog.build_log('static', n, 1, False, None,
                          'log.example/2026h1')
    exp = log.expect()
    srv = ctlog.Server(log, prefix='/2026h1/').start()
    web = ThreadingHTTPServer(('127.0.0.1', 0), Page)
    threading.Thread(target=web.serve_forever, args=(0.05,),
                     daemon=True).start()
    try:
        url = srv.url.rstrip('/')            # as the Go server sends it
        nolog = [srv.base + '/nolog/',       # the same host: 404s
                 'http://127.0.0.1:%d/ct/' % web.server_address[1]]
        drop = set(range(250, 270)) | {3}
        mine = [cert(url, i, exp[i]['fingerprint'])
                for i in range(n) if i not in drop]
        other = [[cert(u, i) for i in range(40) if not 10 <= i < 15]
                 for u in nolog]
        msgs = []
        while mine or any(other):
            for q in [mine] + other:
                msgs.extend(q[:8])
                del q[:8]
        r0 = len(srv.requests)
        rc, out, err = run(['--json', '--backfill', '--stats'], msgs,
                           timeout=30)
        paths = [r[1] for r in srv.requests[r0:]]
        seen = {}
        back = set()
        for line in out.splitlines():
            m = json.loads(line)
            d = m['data']
            key = (d['source']['url'], d['cert_index'])
            seen[key] = seen.get(key, 0) + 1
            if m.get('backfilled') is True:
                back.add(key)
                sha = d['leaf_cert']['sha256'].replace(':', '').lower()
                if d['source']['url'] != url or \
                        sha != exp[d['cert_index']]['sha256'].lower():
                    why.append('backfilled %r: sha256 %s' % (key, sha))
        want = {(url, i) for i in range(n)}
        for u in nolog:
            want |= {(u, i) for i in range(40) if not 10 <= i < 15}
        if set(seen) != want or any(c > 1 for c in seen.values()):
            why.append('printed: %d missing (%s), %d twice' % (
                len(want - set(seen)), sorted(want - set(seen))[:4],
                sum(1 for c in seen.values() if c > 1)))
        if back != {(url, i) for i in drop}:
            why.append('backfilled %d, want %d' % (len(back), len(drop)))
        if '/2026h1/ct/v1/get-sth' not in paths or \
                '/2026h1/checkpoint' not in paths:
            why.append('the static log was not probed: %r' % paths[:4])
        given = re.findall(rb'backfill: (\S+): (\d+) entries from (\d+) '
                           rb'given up: (.*)', err)
        gw = sorted((u.encode(), b'5', b'10') for u in nolog)
        if sorted(g[:3] for g in given) != gw or \
                not all(b'neither' in g[3] for g in given):
            why.append('given up %r, want %r' % (given, gw))
        m = re.search(rb'backfill: (\d+) entries delivered.*\((\d+) gaps, '
                      rb'(\d+) with no known log\)', err)
        if not m or m.groups() != (str(len(drop)).encode(), b'2', b'2'):
            why.append('stats %r' % (m.group(0) if m else err[-300:]))
        if rc != 0:
            why.append('exit %s: %r' % (rc, err[-300:]))
    finally:
        srv.stop()
        web.shutdown()
        web.server_close()
    return why


def t_resume():
    try:
        import ctlog
    except ImportError as e:
        print('test gaps.resume: SKIP (%s)' % e)
        return []
    return resume_case(ctlog, False)


def resume_case(ctlog, fp):
    """fp: the server's messages carry the certificates' fingerprints;
    its copies of what the backfill brings (80..84) are then printed and
    the backfill's not, else the other way round."""
    import tempfile
    why = []
    n = 120
    log = ctlog.build_log('rfc6962', n, 1, False, None, None, None, None)
    exp = log.expect()
    srv = ctlog.Server(log).start()
    tmp = tempfile.TemporaryDirectory()
    try:
        url = srv.url
        sf = os.path.join(tmp.name, 'state')
        direct = 'log static 7 9 1700000000000 - 1700000000 https://x.example/'
        with open(sf, 'w') as f:
            f.write('certstream-state 1\n%s\nend 1\n' % direct)
        args = ['--json', '--backfill', '--state', sf]
        seen = {}
        back = set()
        # run 2 starts at 85, then 80..84 out of order (the server's
        # copies of what the backfill brings are not printed)
        for part, extra in ((list(range(0, 60)), ['-n', '40']),
                            ([85, 82, 80, 81, 83, 84] + list(range(86, n)),
                             [])):
            rc, out, err = run(args + extra, [
                cert(url, i, exp[i]['fingerprint'] if fp else None)
                for i in part])
            if rc != 0:
                why.append('exit %s: %r' % (rc, err[-300:]))
            for line in out.splitlines():
                m = json.loads(line)
                i = m['data']['cert_index']
                seen[i] = seen.get(i, 0) + 1
                if m.get('backfilled') is True:
                    back.add(i)
            if part[0] == 0:
                st = open(sf).read()
                if direct not in st or not re.search(
                        r'^log srv 40 0 0 - \d+ %s$' % re.escape(url.split(
                            '://', 1)[1].rstrip('/')), st, re.M):
                    why.append('state file after run 1: %r' % st)
        twice = sorted(i for i, c in seen.items() if c > 1)
        if twice or set(seen) != set(range(n)):
            why.append('printed twice %s, missing %s' % (
                twice[:5], sorted(set(range(n)) - set(seen))[:5]))
        if (not fp and back != set(range(40, 85))) or (
                fp and not set(range(40, 80)) <= back <= set(range(40, 85))):
            why.append('backfilled %d (%s...), want 40..%d' % (
                len(back), sorted(back)[:4], 79 if fp else 84))
        if direct not in open(sf).read():
            why.append('direct-mode line lost: %r' % open(sf).read())
    finally:
        srv.stop()
        tmp.cleanup()
    if fp:
        return why
    cli = W.Client(['--url', 'ws://127.0.0.1:1/', '--state',
                    os.path.join(tmp.name, 'x')])
    rc = cli.wait(5)
    err = cli.stderr()
    if rc != 2 or err.count(b'\n') != 1 or b'--backfill' not in err:
        why.append('--state without --backfill: exit %s, %r' % (rc, err))
    return why


def t_dedupe():
    """Each certificate once, by SHA-1 (leaf_cert.fingerprint): log A (no
    log behind it) carries certificates of log B (the local log). Before
    the hole: A's 100 is B's 5 and B's 5 is missing (what the Rust server
    does with a cross-log copy): the backfill fetches B's 5 and does not
    print it. The connection drops with B's 10 and 12 missing; they are
    backfilled; on the next connection the server's late copy of B's 10,
    and A's 101 = B's 12 are not printed. The gap lines still say what
    was missing; --stats counts both kinds. Then --state resumes with
    fingerprints: the server's copies print, the backfill's do not."""
    try:
        import ctlog
    except ImportError as e:
        print('test gaps.dedupe: SKIP (%s)' % e)
        return []
    import time
    why = []
    log = ctlog.build_log('rfc6962', 30, 1, False, None, None, None, None)
    exp = log.expect()
    ls = ctlog.Server(log).start()
    b = ls.url
    a = 'https://ct.a.example/log/'
    fp = [e['fingerprint'] for e in exp]

    def served(i):
        return any(x <= i < y for x, y in ls.served_ranges())

    def h(conn, k):
        if conn.handshake() is None:
            return
        if k == 0:
            msgs = [cert(a, 100, fp[5], True)] + [
                cert(b, i, fp[i]) for i in range(20) if i not in (5, 10, 12)]
            conn.send(b''.join(frame(OP_TEXT, m.encode()) for m in msgs))
            conn.close()                  # a drop: the holes are gaps
            return
        t = time.time() + 5               # until the backfill has them
        while not (served(10) and served(12)) and time.time() < t:
            time.sleep(0.02)
        time.sleep(0.3)
        msgs = [cert(b, 10, fp[10]), cert(a, 101, fp[12], True)] + [
            cert(b, i, fp[i]) for i in range(20, 30)]
        conn.send(b''.join(frame(OP_TEXT, m.encode()) for m in msgs))
        conn.read_until_close(5)
    srv = W.Server(h)
    try:
        cli = W.Client(['--json', '--backfill', '--gaps', '--stats',
                        '-n', '30', '--url', srv.url('/')])
        rc = cli.wait(15)
        out, err = cli.stdout(), cli.stderr()
    finally:
        srv.stop()
        ls.stop()
    got = {}
    back = set()
    for line in out.splitlines():
        m = json.loads(line)
        key = (m['data']['source']['url'], m['data']['cert_index'])
        got[key] = got.get(key, 0) + 1
        if m.get('backfilled') is True:
            back.add(m['data']['cert_index'])
    want = {(b, i) for i in range(30) if i != 5} | {(a, 100)}
    if set(got) != want or any(c != 1 for c in got.values()):
        why.append('printed %s extra, %s missing, %s twice' % (
            sorted(set(got) - want), sorted(want - set(got)),
            sorted(k for k, c in got.items() if c > 1)))
    if back != {10, 12}:
        why.append('backfilled %s, want 10 and 12' % sorted(back))
    key = b.split('://', 1)[1].rstrip('/')
    if gaps_of(err).get(key) != [(5, 5, 1, True), (10, 10, 1, True),
                                 (12, 12, 1, True)]:
        why.append('gaps %r' % gaps_of(err))
    m = re.search(rb'total: backfill: (\d+) entries delivered, (\d+) '
                  rb'duplicates, (\d+) server copies not printed', err)
    if not m or m.groups() != (b'2', b'1', b'2'):
        why.append('stats %r' % (m.group(0) if m else err[-400:]))
    if rc != 0:
        why.append('exit %s: %r' % (rc, err[-300:]))
    return why + resume_case(ctlog, True)


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
    test('gaps.reconnect', t_reconnect)
    test('gaps.domains', t_domains)
    test('gaps.backfill', t_backfill)
    test('gaps.probe', t_probe)
    test('gaps.resume', t_resume)
    test('gaps.dedupe', t_dedupe)
    print('%d passed, %d failed' % (PASSED[0], FAILED[0]))
    return 1 if FAILED[0] else 0


if __name__ == '__main__':
    sys.exit(main())
