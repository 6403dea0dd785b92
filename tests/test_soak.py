#!/usr/bin/python3
"""Soak: the certstream command over wss:// for SOAK_SECONDS (default 90)
against a TLS websockets server that misbehaves at random.

The server is this file run with --serve, in a subprocess of its own: the
Debian `websockets` library over Python's ssl (TLS 1.2 minimum, the test
CA's ECDSA localhost certificate, made with the openssl CLI at start). On
every connection it streams generated CertStream messages (tests/gen_feed
.py) at about RATE per second, each prefixed with a sequence number, the
connection's id and its pool index, and logs every message id before
writing it (unbuffered, so a SIGKILL loses no log line of a message that
could have reached the client). Each connection starts with the pool's
largest message, so the client's buffers reach their final size at once.

The client runs the whole time: --raw --verbose --timeout 1.5
--ping-interval 0.5 (no --once). At random times (SOAK_SEED, default 1),
always on a live connection, the controller:
  restart  kills the server (SIGKILL) and starts a new one on the same port
  stall    SIGSTOPs the server for 2-4 s (the client's dead-connection
           timeout fires: CS_E_DEAD), then SIGCONT
  drop     makes the server abort its connections (TCP closed, no TLS
           close_notify: CS_E_TLS_TRUNCATED)
The last seconds are quiet; then the server sends a burst of BURST
messages as fast as it can, which must all arrive; then SIGTERM.

Checks:
  * the client is still running at the end, got the final burst, and
    exits 0 on SIGTERM (closing with 1000);
  * every line it printed is byte for byte a message the server sent,
    none twice; the lines of a connection are contiguous and connections
    come in order;
  * per connection, what it printed is a prefix of what the server sent
    on it: messages are lost only at the end of a connection (in flight
    when it broke), at most LOSS_MAX per connection;
  * its stderr (--verbose) shows a "connected" per server-side
    connection and a "disconnected" with the right error per event;
  * its memory: VmRSS (sampled every 0.25 s from /proc/PID/status) in the
    last third of the run is at most 64 KB above the first third's, and
    VmHWM stays under 4 MB (skipped for an AddressSanitizer build).

Prints what it did and "N passed, N failed" (one test per check group).
CS_BUILD (default build) names the build folder.
"""
import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

RATE = 250                  # messages per second, per connection
TICK = 0.02                 # the server sends RATE * TICK messages a tick
BURST = 3000                # the final burst
POOL = 1500                 # distinct message bodies (gen_feed, seed 5)
LOSS_MAX = 400              # messages a broken connection may lose
HEALTHY = 31                # > healthy_ms (30 s): the backoff resets
RSS_SLACK_KB = 64
HWM_MAX_KB = 4096
PREFIX_RE = re.compile(rb'^\{"seq":(\d+),"conn":"(\d+\.\d+)","i":(\d+),')


def make_pool():
    import gen_feed
    return [m[:-1] for m in gen_feed.generate('mixed', 'mixed', 5, POOL)]


def message(pool, seq, conn, i):
    return '{"seq":%d,"conn":"%s","i":%d,%s' % (seq, conn, i, pool[i][1:])


# ---------------------------------------------------------------------------
# the server (this file with --serve)

def serve(port, cert, key, logpath, instance):
    import ssl
    import websockets
    from websockets.exceptions import ConnectionClosed

    pool = make_pool()
    biggest = max(range(len(pool)), key=lambda i: len(pool[i]))
    logfd = os.open(logpath, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    state = {'seq': instance * 10 ** 8, 'conn': 0, 'burst': False}
    conns = set()

    def log(text):
        os.write(logfd, text.encode())

    async def handler(ws):
        state['conn'] += 1
        cid = '%d.%d' % (instance, state['conn'])
        log('O %s\n' % cid)
        conns.add(ws)
        k = 0
        try:
            while True:
                n = max(1, int(RATE * TICK))
                burst = state['burst']
                if burst:
                    state['burst'] = False
                    n = BURST
                batch, lines = [], []
                for _ in range(n):
                    state['seq'] += 1
                    seq = state['seq']
                    i = biggest if k == 0 else seq % len(pool)
                    k += 1
                    batch.append(message(pool, seq, cid, i))
                    lines.append('S %s %d\n' % (cid, seq))
                if burst:
                    lines.append('B %s %d\n' % (cid, state['seq']))
                log(''.join(lines))
                for m in batch:
                    await ws.send(m)
                await asyncio.sleep(TICK)
        except ConnectionClosed:
            pass
        finally:
            conns.discard(ws)
            log('E %s %s\n' % (cid, ws.close_code))

    def on_burst():
        state['burst'] = True

    def on_drop():
        for ws in list(conns):
            ws.transport.abort()

    async def main():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda lp, c: None)
        loop.add_signal_handler(signal.SIGUSR1, on_burst)
        loop.add_signal_handler(signal.SIGUSR2, on_drop)
        stop = loop.create_future()
        loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
        async with websockets.serve(handler, '127.0.0.1', port, ssl=ctx,
                                    ping_interval=None, compression=None,
                                    max_size=None, close_timeout=1):
            print('READY', flush=True)
            await stop
    import logging
    logging.getLogger('websockets').addHandler(logging.NullHandler())
    logging.getLogger('websockets').propagate = False
    asyncio.run(main())


# ---------------------------------------------------------------------------
# the controller

class ServerProc:
    def __init__(self, port, certs, logdir, instance):
        self.log = os.path.join(logdir, 'server-%d.log' % instance)
        self.p = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--serve', str(port),
             certs.ec, certs.ec_key, self.log, str(instance)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=open(os.path.join(logdir, 'server-%d.err' % instance),
                        'wb'))
        self.ready = threading.Event()
        threading.Thread(target=self._wait_ready, daemon=True).start()

    def _wait_ready(self):
        for ln in self.p.stdout:
            if ln.strip() == b'READY':
                self.ready.set()

    def signal(self, sig):
        if self.p.poll() is None:
            self.p.send_signal(sig)

    def kill(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGCONT)
            self.p.kill()
        self.p.wait()


def asan_build():
    """True when the client under test is built with AddressSanitizer."""
    import wspeer as W
    try:
        with open(W.exe(), 'rb') as f:
            return b'AddressSanitizer' in f.read()
    except OSError:
        return False


def read_status(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            s = f.read()
    except OSError:
        return None
    rss = re.search(r'VmRSS:\s+(\d+) kB', s)
    hwm = re.search(r'VmHWM:\s+(\d+) kB', s)
    if rss is None or hwm is None:
        return None
    return int(rss.group(1)), int(hwm.group(1))


def parse_logs(logdir):
    """{conn: [seq...]} in send order, the opened connections in order,
    {conn: close code}, and the bursts [(conn, last seq)]."""
    sent, opened, ended, bursts = {}, [], {}, []
    names = sorted((f for f in os.listdir(logdir)
                    if re.match(r'server-\d+\.log$', f)),
                   key=lambda f: int(re.findall(r'\d+', f)[0]))
    for name in names:
        with open(os.path.join(logdir, name), 'rb') as f:
            for ln in f:
                p = ln.split()
                if not p:
                    continue
                c = p[1].decode()
                if p[0] == b'S':
                    sent.setdefault(c, []).append(int(p[2]))
                elif p[0] == b'O':
                    opened.append(c)
                    sent.setdefault(c, [])
                elif p[0] == b'E':
                    ended[c] = p[2].decode()
                elif p[0] == b'B':
                    bursts.append((c, int(p[2])))
    return sent, opened, ended, bursts


def last_line_seq(path):
    """The sequence number of the last whole line of the client's output
    (None if there is none)."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 300000))
            tail = f.read()
    except OSError:
        return None
    ls = tail.split(b'\n')[:-1]
    for ln in reversed(ls):
        m = PREFIX_RE.match(ln)
        if m:
            return int(m.group(1))
    return None


def main():
    import wspeer as W
    import tlspeer as T

    seconds = float(os.environ.get('SOAK_SECONDS', '90'))
    seed = int(os.environ.get('SOAK_SEED', '1'))
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    results = []                # (name, [problems])
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix='cs-soak-')
    servers = []
    cli = None
    dog = W.watchdog(seconds + 60, lambda: (0, 0))
    try:
        certs = T.make_certs(os.path.join(tmp, 'pki'))
        pool = make_pool()
        port = W.free_port_closed()
        instance = [1]
        srv = ServerProc(port, certs, tmp, 1)
        servers.append(srv)
        if not srv.ready.wait(15):
            print('FAIL: the server did not start')
            print('0 passed, 1 failed')
            return 1
        outpath = os.path.join(tmp, 'client.out')
        outf = open(outpath, 'wb')
        cli = W.Client(['--raw', '--verbose', '--timeout', '1.5',
                        '--ping-interval', '0.5', '--ca', certs.ca,
                        '--url', 'wss://localhost:%d/' % port], stdout=outf)
        t0 = time.monotonic()
        samples = []            # (t, rss, hwm)
        sampling = [True]

        def sampler():
            while sampling[0]:
                s = read_status(cli.p.pid)
                if s is not None and cli.running():
                    samples.append((time.monotonic() - t0,) + s)
                time.sleep(0.25)
        st = threading.Thread(target=sampler, daemon=True)
        st.start()

        def opened_count():
            n = 0
            for s in servers:
                try:
                    with open(s.log, 'rb') as f:
                        n += sum(1 for ln in f if ln.startswith(b'O '))
                except OSError:
                    pass
            return n

        def wait_connected(before, timeout):
            """Until the server side has a connection after `before`."""
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if opened_count() > before:
                    return True
                time.sleep(0.05)
            return False

        rng = random.Random(seed)
        events = []             # (t, kind, detail)
        problems = []
        healthy = {}            # the connection left alone for HEALTHY s
        bag = []
        wait_connected(0, 10)
        quiet = 6.0
        while True:
            now = time.monotonic() - t0
            # the client's next retry delay, from its last announced one
            # (the backoff doubles after every connection shorter than
            # healthy_ms, 30 s; 1 s at first and after a healthy one)
            ds = re.findall(rb'retrying in (\d+) ms', cli.stderr())
            if healthy.get('reset'):
                ds = ds[healthy['retries']:]
            est = min(60.0, 2 * int(ds[-1]) / 1000.0) if ds else 1.0
            # once the backoff has grown, one connection lives past
            # healthy_ms: the backoff must start again from 1 s
            if not healthy and est >= 4 and \
                    now + HEALTHY + 12 <= seconds - quiet:
                healthy['conn'] = len(re.findall(
                    rb'^certstream: connected$', cli.stderr(), re.M))
                healthy['t'] = now
                events.append((now, 'healthy', '%d s' % HEALTHY))
                time.sleep(HEALTHY)
                healthy['reset'] = True
                healthy['retries'] = len(ds)
                continue
            gap = rng.uniform(2.5, 4.5)
            if not bag:         # every kind once per three events
                bag = ['restart', 'stall', 'drop']
                rng.shuffle(bag)
            kind = bag.pop()
            d = rng.uniform(2.0, 4.0) if kind == 'stall' else 0.0
            need = gap + d + 1.5 + 1.25 * est + 1.5
            if now + need > seconds - quiet:
                break
            time.sleep(gap)
            before = opened_count()
            t = time.monotonic() - t0
            if kind == 'restart':
                servers[-1].kill()
                instance[0] += 1
                srv = ServerProc(port, certs, tmp, instance[0])
                servers.append(srv)
                if not srv.ready.wait(15):
                    problems.append('server %d did not start' % instance[0])
                    break
                events.append((t, kind, ''))
            elif kind == 'stall':
                servers[-1].signal(signal.SIGSTOP)
                time.sleep(d)
                servers[-1].signal(signal.SIGCONT)
                events.append((t, kind, '%.1f s' % d))
            else:
                servers[-1].signal(signal.SIGUSR2)
                events.append((t, kind, ''))
            if not wait_connected(before, 4 * est + 10):
                problems.append('no reconnect within %.0f s after the %s '
                                'at %.1f s' % (4 * est + 10, kind, t))
                break
        # the quiet end, then the final burst
        left = seconds - (time.monotonic() - t0) - 2.0
        if left > 0:
            time.sleep(left)
        servers[-1].signal(signal.SIGUSR1)
        burst_seq = None
        end = time.monotonic() + 5
        while burst_seq is None and time.monotonic() < end:
            _, _, _, bursts = parse_logs(tmp)
            if bursts:
                burst_seq = bursts[-1][1]
            time.sleep(0.05)
        got_burst = False
        end = time.monotonic() + 10
        while burst_seq is not None and time.monotonic() < end:
            outf.flush()
            s = last_line_seq(outpath)
            if s is not None and s >= burst_seq:
                got_burst = True
                break
            time.sleep(0.05)
        running = cli.running()
        t_run = time.monotonic() - t0
        sampling[0] = False
        st.join(2)
        cli.signal(signal.SIGTERM)
        rc = cli.wait(5)
        time.sleep(0.3)         # the server logs the close
        servers[-1].signal(signal.SIGTERM)
        try:
            servers[-1].p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for s in servers:
            s.kill()
        outf.close()

        print('soak: %.0f s, seed %d, port %d; events:' % (t_run, seed,
                                                           port))
        for t, k, d in events:
            print('  %6.1f s  %s %s' % (t, k, d))

        # -- the client's lifetime --
        why = list(problems)
        if not running:
            why.append('the client had exited (%s) before the end' %
                       W.describe_rc(rc))
        elif rc != 0:
            why.append('%s after SIGTERM, expected exit 0' %
                       W.describe_rc(rc))
        if burst_seq is None:
            why.append('the server logged no final burst')
        elif not got_burst:
            why.append('the final burst (up to seq %d) did not arrive' %
                       burst_seq)
        sent, opened, ended, bursts = parse_logs(tmp)
        if opened and ended.get(opened[-1]) != '1000':
            why.append('the last connection ended with %s, expected the '
                       'client\'s close 1000' % ended.get(opened[-1]))
        faults = [e for e in events if e[1] != 'healthy']
        if len(faults) < max(1, int(seconds / 20)):
            why.append('only %d events' % len(faults))
        results.append(('alive', why))

        # -- the output --
        why = []
        with open(outpath, 'rb') as f:
            out = f.read()
        if out and not out.endswith(b'\n'):
            why.append('the output ends inside a line')
        printed = {}            # conn -> [seq]
        order = []              # conns in output order
        seen = set()
        bad = dup = 0
        for ln in out.split(b'\n')[:-1] if out else []:
            m = PREFIX_RE.match(ln)
            if m is None:
                bad += 1
                if bad <= 3:
                    why.append('a line that is no message: %s' %
                               W.short(ln, 80))
                continue
            seq, conn, i = int(m.group(1)), m.group(2).decode(), \
                int(m.group(3))
            if i >= len(pool) or ln != message(pool, seq, conn, i).encode():
                bad += 1
                if bad <= 3:
                    why.append('line for seq %d is not what was sent: %s' %
                               (seq, W.short(ln, 80)))
                continue
            if seq in seen:
                dup += 1
                if dup <= 3:
                    why.append('seq %d printed twice' % seq)
            seen.add(seq)
            if not order or order[-1] != conn:
                if conn in order:
                    why.append('connection %s again after %s' % (
                        conn, order[-1]))
                order.append(conn)
            printed.setdefault(conn, []).append(seq)
        if bad > 3 or dup > 3:
            why.append('%d bad lines, %d duplicates in all' % (bad, dup))
        total_sent = total_printed = 0
        losses = []
        for conn, seqs in printed.items():
            if conn not in sent:
                why.append('connection %s printed but not in the server '
                           'log' % conn)
        for conn in opened:
            s = sent.get(conn, [])
            p = printed.get(conn, [])
            total_sent += len(s)
            total_printed += len(p)
            if s[:len(p)] != p:
                k = next((j for j in range(min(len(p), len(s)))
                          if p[j] != s[j]), min(len(p), len(s)))
                why.append('connection %s: printed %d of %d sent, not a '
                           'prefix: at %d printed %s, sent %s' % (
                               conn, len(p), len(s), k,
                               p[k] if k < len(p) else None,
                               s[k] if k < len(s) else None))
            lost = len(s) - len(p)
            losses.append(lost)
            if lost > LOSS_MAX:
                why.append('connection %s lost %d messages (of %d), more '
                           'than can be in flight' % (conn, lost, len(s)))
        results.append(('output', why))
        print('output: %d lines, %d of %d messages sent on %d connections '
              '(lost at connection ends: %s)' % (
                  out.count(b'\n'), total_printed, total_sent, len(opened),
                  ', '.join(str(x) for x in losses)))

        # -- stderr --
        why = []
        err = cli.stderr()
        nconn = len(re.findall(rb'^certstream: connected$', err, re.M))
        disc = [m.decode() for m in re.findall(
            rb'^certstream: disconnected: .*?\((CS_[A-Z0-9_]+)\)', err,
            re.M)]
        fails = [f[1] for f in T.failures(err)]
        restarts = sum(1 for e in faults if e[1] == 'restart')
        if not len(opened) <= nconn <= len(opened) + restarts:
            why.append('%d "connected" lines, %d connections on the server '
                       'side' % (nconn, len(opened)))
        # the connections before the last one each ended in a disconnect
        if len(disc) != nconn:
            why.append('%d "disconnected" lines for %d connections' % (
                len(disc), nconn))
        want = {'stall': ('CS_E_DEAD',),
                'drop': ('CS_E_TLS_TRUNCATED',),
                'restart': ('CS_E_TLS_TRUNCATED', 'CS_E_IO')}
        for j, (t, kind, _) in enumerate(faults):
            if j >= len(disc):
                why.append('no disconnect for the %s at %.1f s' % (kind, t))
                continue
            if disc[j] not in want[kind]:
                why.append('the %s at %.1f s: disconnected with %s, '
                           'expected %s' % (kind, t, disc[j],
                                            ' or '.join(want[kind])))
        nretry = len(re.findall(rb'^certstream: retrying in \d+ ms$', err,
                                re.M))
        if nretry < len(faults):
            why.append('%d "retrying" lines for %d events' % (nretry,
                                                            len(faults)))
        why += check_backoff(err, healthy.get('conn'))
        results.append(('stderr', why))
        print('stderr: %d connected, disconnects %s, failed attempts %s, '
              'retries (ms) %s' % (nconn, summary(disc), summary(fails),
                                   ' '.join(x.decode() for x in re.findall(
                                       rb'retrying in (\d+) ms', err))))

        # -- memory --
        why = []
        first = [s for s in samples if s[0] <= seconds / 3]
        last = [s for s in samples if s[0] >= 2 * seconds / 3]
        if asan_build():
            print('memory: not checked: the client is built with '
                  'AddressSanitizer (shadow memory, quarantine)')
            results.append(('memory', None))
        elif len(first) < 4 or len(last) < 4:
            why.append('too few memory samples (%d, %d)' % (len(first),
                                                            len(last)))
            results.append(('memory', why))
        else:
            r1 = max(s[1] for s in first)
            r3 = max(s[1] for s in last)
            hwm = max(s[2] for s in samples)
            print('memory: VmRSS max %d kB in the first third, %d kB in '
                  'the last; VmHWM %d kB' % (r1, r3, hwm))
            if r3 > r1 + RSS_SLACK_KB:
                why.append('VmRSS grew from %d kB to %d kB' % (r1, r3))
            if hwm >= HWM_MAX_KB:
                why.append('VmHWM %d kB, limit %d kB' % (hwm, HWM_MAX_KB))
            results.append(('memory', why))
    except Exception as e:
        import traceback
        traceback.print_exc()
        results.append(('soak', ['test error: %r' % e]))
    finally:
        dog.cancel()
        if cli is not None:
            cli.kill()
        for s in servers:
            s.kill()
        if os.environ.get('SOAK_KEEP'):
            print('kept %s' % tmp)
            if cli is not None:
                with open(os.path.join(tmp, 'client.err'), 'wb') as f:
                    f.write(cli.stderr())
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    passed = failed = skipped = 0
    for name, why in results:
        if why is None:
            skipped += 1
            print('test soak.%s ... SKIP' % name)
        elif why:
            failed += 1
            print('test soak.%s ... FAIL (%s)' % (name, '; '.join(why)))
        else:
            passed += 1
            print('test soak.%s ... PASS' % name)
    print('soak took %.1f s' % (time.monotonic() - t_start))
    if skipped:
        print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    else:
        print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def check_backoff(err, healthy_conn):
    """The "retrying in D ms" lines follow the schedule: D within +-25% of
    b (at most 60 s), b = 1 s at first, doubling after each retry, and
    back to 1 s when the connection that ends lived past healthy_ms (the
    healthy_conn-th "connected", 1-based)."""
    why = []
    b, conn, cap = 1000, 0, 60000
    ds = []
    for ln in err.split(b'\n'):
        if ln == b'certstream: connected':
            conn += 1
        elif ln.startswith(b'certstream: disconnected:'):
            if healthy_conn is not None and conn == healthy_conn:
                b = 1000
        else:
            m = re.match(rb'certstream: retrying in (\d+) ms$', ln)
            if m:
                d = int(m.group(1))
                ds.append(d)
                lo, hi = min(b * 3 // 4, cap), min(b * 5 // 4, cap)
                if not lo - 1 <= d <= hi + 1:
                    why.append('retry %d: %d ms, expected %d-%d' % (
                        len(ds), d, lo, hi))
                b = cap if b > cap // 2 else 2 * b
    if healthy_conn is not None and healthy_conn == 0:
        why.append('no connection before the healthy phase')
    return why


def summary(names):
    c = {}
    for n in names:
        c[n] = c.get(n, 0) + 1
    return '{%s}' % ', '.join('%s: %d' % kv for kv in sorted(c.items()))


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--serve':
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5],
              int(sys.argv[6]))
        sys.exit(0)
    sys.exit(main())
