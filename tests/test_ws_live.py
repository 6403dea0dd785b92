#!/usr/bin/python3
"""The certstream command against real peers on 127.0.0.1.

Most tests use the Debian `websockets` library (10.4) as the server, with
a frame-recording subclass of its server protocol so that the pings,
pongs and close frames the client sends can be checked; a few need exact
control (a server that stalls, drops TCP, answers 429 or redirects) and
use the raw peer of tests/wspeer.py. The client runs as a subprocess,
with --once unless a test is about reconnecting.

  stream.raw / stream.json   thousands of generated CertStream messages
                             (tests/gen_feed.py) sent as fast as possible:
                             stdout is exactly the messages, in order
  fragments                  send(iterable) with empty fragments, UTF-8
                             split inside characters, server pings inside
                             a fragmented message (pongs with the payload)
  large                      1 MB and 10 MB messages, whole and exact
  close.CODE                 1000 -> exit 0, 1001/1011/3000/4999 -> exit 6,
                             and the client's close echoes the code
  stall / drop / reset       --timeout detection, EOF and RST: exit 7
  reconnect                  backoff between attempts, later connections
                             still delivered, --verbose lines on stderr
  reconnect.refused          retries until the server is up
  keepalive                  --ping-interval 0.2 pings; answered pings keep
                             a silent connection alive past --timeout
  keepalive.data             unanswered pings, but data keeps it alive
  headers / auth             --header lines; 401 without the token: exit 4
  redirect.*                 301/302/307/308, chains, relative Location,
                             a loop (exit 4), Retry-After on 429/503
  sigint / sigterm           close 1000 to the server, exit 0, whole lines
  human*                     the default output line and --full, compared
                             with Python's fromtimestamp().isoformat()
                             under TZ=UTC, Asia/Kolkata, America/St_Johns
  count / count.burst        -n 2, messages apart or in one TCP write
  json.filter                --json leaves out heartbeats and what is not
                             a JSON object (reported on stderr)
  sigint.noanswer            no answer to the close: exit 0 after ~2 s
  sigint.handshake           SIGINT before the 101: exit 0, no frame
  header.crlf                a --header with a line break: exit 2
  output                     stdout is /dev/full: exit 1
  refused / dns / usage      exit 3, exit 3, exit 2

Prints "test NAME ... PASS|FAIL (why)" per test and "N passed, N failed".
CS_BUILD (default build) names the build folder. Arguments, if any, are
name prefixes: only those tests run (e.g. `test_ws_live.py redirect`).
"""
import asyncio
import datetime
import http
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W                                          # noqa: E402
from wspeer import frame, close_frame, OP_TEXT, OP_PING, \
    OP_PONG                                                 # noqa: E402
import gen_feed                                             # noqa: E402

import websockets                                           # noqa: E402
from websockets.server import WebSocketServerProtocol       # noqa: E402
from websockets.exceptions import ConnectionClosed          # noqa: E402


# ---------------------------------------------------------------------------
# the websockets server, in a thread of its own

class RecProto(WebSocketServerProtocol):
    """Records every frame the client sends: (time, Frame)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.rx = []

    async def read_frame(self, max_size):
        f = await super().read_frame(max_size)
        self.rx.append((time.monotonic(), f))
        return f


class Live:
    """websockets.serve(handler) on 127.0.0.1 and a free port, run by an
    event loop in a background thread. handler(ws, index) is a coroutine;
    the connections are in self.conns (each has .t_open)."""

    def __init__(self, handler, **kw):
        self.handler = handler
        self.conns = []
        self.errors = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       daemon=True)
        self.thread.start()
        kw.setdefault('ping_interval', None)
        kw.setdefault('close_timeout', 2)
        kw.setdefault('max_size', None)
        kw.setdefault('compression', None)

        async def h(ws):
            ws.t_open = time.monotonic()
            ws.done = threading.Event()
            i = len(self.conns)
            self.conns.append(ws)
            try:
                await self.handler(ws, i)
                await asyncio.wait_for(ws.wait_closed(), 3)
            except (ConnectionClosed, asyncio.TimeoutError):
                pass
            except Exception as e:                      # reported
                self.errors.append('handler %d: %r' % (i, e))
            finally:
                ws.done.set()

        async def start():
            return await websockets.serve(h, '127.0.0.1', 0,
                                          create_protocol=RecProto, **kw)
        self.server = self.run(start(), 5)
        self.port = self.server.sockets[0].getsockname()[1]

    def url(self, path='/'):
        return 'ws://127.0.0.1:%d%s' % (self.port, path)

    def conn_done(self, i=0, timeout=3.0):
        """Connection i, once its handler has finished and the connection
        is closed (None if there is no such connection)."""
        if i >= len(self.conns):
            return None
        self.conns[i].done.wait(timeout)
        return self.conns[i]

    def run(self, coro, timeout):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(
            timeout)

    def stop(self):
        async def s():
            self.server.close()
            try:
                await asyncio.wait_for(self.server.wait_closed(), 3)
            except asyncio.TimeoutError:
                pass
            rest = [t for t in asyncio.all_tasks()
                    if t is not asyncio.current_task()]
            for t in rest:
                t.cancel()
            await asyncio.wait(rest, timeout=1) if rest else None
        try:
            self.run(s(), 6)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(3)


def client_frames(ws, op=None):
    return [f for _, f in ws.rx if op is None or f.opcode == op]


def close_code_rcvd(ws):
    """The code of the client's close frame (1005: empty; None: none)."""
    return ws.close_rcvd.code if ws.close_rcvd is not None else None


# ---------------------------------------------------------------------------
# test bodies: each returns a list of problems (empty: PASS)

FEED = None


def feed(n=5000, seed=7):
    """n generated messages (str, without the newline)."""
    return [m[:-1] for m in gen_feed.generate('mixed', 'mixed', seed, n)]


def expect_exit(cli, rc, want, why):
    if rc not in want:
        why.append('%s, expected %s; stderr %s' % (
            W.describe_rc(rc), ' or '.join(str(w) for w in want),
            W.short(cli.stderr(), 200)))


def t_stream_raw():
    why = []
    msgs = feed(5000, 7)

    async def h(ws, i):
        for m in msgs:
            await ws.send(m)
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
        rc = cli.wait(30)
        expect_exit(cli, rc, (0,), why)
        want = ''.join(m + '\n' for m in msgs).encode()
        out = cli.stdout()
        if out != want:
            why.append('%d messages sent, %d lines printed; %s' % (
                len(msgs), out.count(b'\n'), W.first_diff(out, want)))
        ws = srv.conn_done(0)
        if ws is None or close_code_rcvd(ws) != 1000:
            why.append('client close echo %s, expected 1000' %
                       (ws and close_code_rcvd(ws)))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_stream_json():
    why = []
    msgs = feed(3000, 11)
    # Go servers end full/lite frames with "\n": no extra newline then
    msgs = [m[:-1] + '\n' if m.endswith(' ') and i % 2 else m
            for i, m in enumerate(msgs)]
    nhb = sum(1 for m in msgs
              if json.loads(m).get('message_type') == 'heartbeat')

    async def h(ws, i):
        for m in msgs:
            await ws.send(m)
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--json', '--once', '--url', srv.url('/')])
        rc = cli.wait(30)
        expect_exit(cli, rc, (0,), why)
        want = ''.join(m if m.endswith('\n') else m + '\n' for m in msgs
                       if json.loads(m).get('message_type') != 'heartbeat')
        out = cli.stdout()
        if out != want.encode():
            why.append('%d messages (%d heartbeats) sent; %s' % (
                len(msgs), nhb, W.first_diff(out, want.encode())))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_fragments():
    why = []
    pays = [b'ping-1', b'', bytes(range(125)), b'\xff\x00\xfe']
    big = ''.join('%07d,' % i for i in range(125000))        # 1 MB
    got_pongs = []

    async def h(ws, i):
        await ws.send(['', 'frag', '', '', 'ment', ''])
        await ws.send(big[j:j + 997] for j in range(0, len(big), 997))
        await ws.send([b'\x00\x01', b'', b'\xff'])          # binary
        # UTF-8 split inside characters, across (empty) fragments
        await ws.write_frame(False, OP_TEXT, b'caf\xc3')
        await ws.write_frame(False, 0, b'')
        await ws.write_frame(False, 0, b'\xa9 \xf0\x9f')
        await ws.write_frame(False, 0, b'\x98')
        await ws.write_frame(True, 0, b'\x80!')
        # server pings between the fragments of a message
        waiters = []

        async def gen():
            yield 'A'
            for p in pays:
                waiters.append(await ws.ping(p))
                yield 'B'
        await ws.send(gen())
        try:
            await asyncio.wait_for(asyncio.gather(*waiters), 3)
        except asyncio.TimeoutError:
            why.append('not every ping was answered within 3 s')
        got_pongs.extend(f.data for f in client_frames(ws, OP_PONG))
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
        rc = cli.wait(15)
        expect_exit(cli, rc, (0,), why)
        want = ('fragment\n' + big + '\n' + 'caf\u00e9 \U0001F600!\n' +
                'ABBBB\n').encode()
        out = cli.stdout()
        if out != want:
            why.append('stdout ' + W.first_diff(out, want))
        if got_pongs != pays:
            why.append('pongs %r, expected %r' % (
                [W.short(p, 16) for p in got_pongs],
                [W.short(p, 16) for p in pays]))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_ping_mid_fragment_raw():
    """Exact interleaving with the raw peer: a ping split across TCP writes
    in the middle of a fragmented text, before the UTF-8 character that
    the fragments split is complete."""
    why = []
    lst = W.Listener()
    cli = W.Client(['--raw', '--once', '--ping-interval', '0', '--url',
                    lst.url('/')])
    try:
        conn = lst.accept(5)
        conn.handshake(5)
        conn.send(frame(OP_TEXT, b'\xe2\x82', fin=False))
        p = frame(OP_PING, b'mid-message ping')
        conn.send(p[:3])
        time.sleep(0.05)
        conn.send(p[3:])
        f = conn.read_frame(2)
        if f is None or f.opcode != OP_PONG or \
                f.payload != b'mid-message ping':
            why.append('expected a pong "mid-message ping" at once, got %r'
                       % f)
        conn.send(frame(0, b'\xac=euro'))
        conn.send(close_frame(1000))
        fs, got, ended = conn.read_until_close(3)
        if not got or fs[-1].code() != 1000:
            why.append('close echo: %r (%s)' % (fs, ended))
        conn.close()
    except W.Timeout:
        why.append('timeout waiting for the client')
    finally:
        lst.close()
        rc = cli.wait(5)
    expect_exit(cli, rc, (0,), why)
    if cli.stdout() != '\u20ac=euro\n'.encode():
        why.append('stdout %s' % W.short(cli.stdout()))
    return why


def t_large():
    why = []
    head = '{"message_type":"certificate_update","data":{"leaf_cert":' \
           '{"all_domains":['

    def cert(n):
        doms = []
        size = len(head) + 4
        i = 0
        while size < n:
            d = '"d%d.example.com",' % i
            doms.append(d)
            size += len(d)
            i += 1
        s = head + ''.join(doms)[:-1] + ']}}}'
        return s
    m1, m10 = cert(1 << 20), cert(10 << 20)
    b10 = os.urandom(10 << 20)

    async def h(ws, i):
        if ws.path == '/json':
            await ws.send(b10)
            await ws.send(m10)
        else:
            await ws.send(m1)
            await ws.send(m10)
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/raw')])
        rc = cli.wait(20)
        expect_exit(cli, rc, (0,), why)
        want = (m1 + '\n' + m10 + '\n').encode()
        if cli.stdout() != want:
            why.append('text 1 MB + 10 MB: ' +
                       W.first_diff(cli.stdout(), want))
        cli = W.Client(['--json', '--once', '--url', srv.url('/json')])
        rc = cli.wait(20)
        expect_exit(cli, rc, (0,), why)
        want = (m10 + '\n').encode()  # binary is no JSON object: skipped
        if cli.stdout() != want:
            why.append('binary 10 MB, then text 10 MB (--json): ' +
                       W.first_diff(cli.stdout(), want))
        if b'skipped a message' not in cli.stderr():
            why.append('the skipped binary message is not reported: %r'
                       % cli.stderr()[:200])
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_close(code):
    def body():
        why = []

        async def h(ws, i):
            await ws.send('before close')
            await ws.close(code, 'bye')
        srv = Live(h)
        try:
            cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
            rc = cli.wait(6)
            expect_exit(cli, rc, (0,) if code == 1000 else (6,), why)
            if cli.stdout() != b'before close\n':
                why.append('stdout %s' % W.short(cli.stdout()))
            ws = srv.conn_done(0)
            if ws is None:
                why.append('no connection')
            else:
                got = close_code_rcvd(ws)
                if got != code:
                    why.append('the client answered close %s, expected %d'
                               % (got, code))
            why += srv.errors
        finally:
            srv.stop()
        return why
    return body


def t_stall():
    why = []
    st = {}

    def h(conn, i):
        conn.handshake(5)
        conn.send(frame(OP_TEXT, b'then silence'))
        st['t0'] = time.monotonic()
        # read (and count) whatever comes, never write
        fs, got, ended = conn.read_until_close(5)
        st['frames'] = fs
        st['ended'] = ended
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--once', '--ping-interval', '0.3',
                        '--timeout', '1', '--url', srv.url('/')])
        rc = cli.wait(6)
        t1 = cli.t_exit or time.monotonic()
        expect_exit(cli, rc, (7,), why)
        if 't0' in st:
            dt = t1 - st['t0']
            if not 0.8 <= dt <= 2.5:
                why.append('gave up after %.2f s of silence, expected '
                           '1-2.5 s with --timeout 1' % dt)
        else:
            why.append('no connection')
        if cli.stdout() != b'then silence\n':
            why.append('stdout %s' % W.short(cli.stdout()))
        srv.wait_done(0)
        pings = [f for f in st.get('frames', []) if f.opcode == OP_PING]
        if len(pings) < 2:
            why.append('the server saw %d pings (--ping-interval 0.3), '
                       'expected >= 2' % len(pings))
        if any(not f.masked for f in st.get('frames', [])):
            why.append('unmasked frame')
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_drop(reset):
    def body():
        why = []

        def h(conn, i):
            conn.handshake(5)
            conn.send(frame(OP_TEXT, b'before drop'))
            time.sleep(0.1)
            if reset:
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack('ii', 1, 0))
            conn.close()
        srv = W.Server(h)
        try:
            cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
            rc = cli.wait(5)
            expect_exit(cli, rc, (7,), why)
            if cli.stdout() != b'before drop\n':
                why.append('stdout %s' % W.short(cli.stdout()))
            why += srv.errors
        finally:
            srv.stop()
        return why
    return body


def t_reconnect():
    why = []
    drops = {}
    keys = []

    def h(conn, i):
        req = conn.handshake(5)
        if req is not None:
            keys.append(req.get('Sec-WebSocket-Key'))
        conn.send(frame(OP_TEXT, b'conn-%d' % i))
        time.sleep(0.05)
        drops[i] = time.monotonic()
        conn.close()
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--verbose', '--url', srv.url('/')])
        end = time.monotonic() + 6.5
        while len(srv.conns) < 3 and time.monotonic() < end and \
                cli.running():
            time.sleep(0.02)
        time.sleep(0.3)
        n = len(srv.conns)
        ts = time.monotonic()
        cli.signal(signal.SIGTERM)
        rc = cli.wait(3)
        if cli.t_exit and cli.t_exit - ts > 2.0:
            why.append('took %.2f s to exit after SIGTERM' %
                       (cli.t_exit - ts))
        expect_exit(cli, rc, (0,), why)
        if n < 3:
            why.append('only %d connections in 6.5 s' % n)
        gaps = []
        for i in range(1, n):
            if i - 1 in drops:
                gaps.append(srv.conns[i].t_accept - drops[i - 1])
        if len(gaps) >= 1 and not 0.5 <= gaps[0] <= 1.6:
            why.append('first retry after %.2f s, expected 0.5-1.5' %
                       gaps[0])
        if len(gaps) >= 2 and not 1.0 <= gaps[1] <= 3.2:
            why.append('second retry after %.2f s, expected about 2 '
                       '(doubling)' % gaps[1])
        want = b''.join(b'conn-%d\n' % i for i in range(n))
        if cli.stdout() != want:
            why.append('stdout %s, expected %s' % (W.short(cli.stdout()),
                                                   W.short(want)))
        if len(set(keys)) != len(keys):
            why.append('Sec-WebSocket-Key reused across connections')
        lines = [ln for ln in cli.stderr().split(b'\n') if ln.strip()]
        if len(lines) < n:
            why.append('--verbose: %d stderr lines for %d connections' %
                       (len(lines), n))
        if why:
            why.append('gaps %s' % ', '.join('%.2f' % g for g in gaps))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_keepalive():
    why = []

    async def h(ws, i):
        await asyncio.sleep(2.5)
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--raw', '--once', '--ping-interval', '0.2',
                        '--timeout', '1', '--url', srv.url('/')])
        rc = cli.wait(6)
        expect_exit(cli, rc, (0,), why)
        if len(srv.conns) != 1:
            why.append('%d connections' % len(srv.conns))
        ws = srv.conn_done(0)
        if ws is not None:
            ts = [t for t, f in ws.rx if f.opcode == OP_PING]
            if not 8 <= len(ts) <= 16:
                why.append('%d pings in 2.5 s with --ping-interval 0.2' %
                           len(ts))
            gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
            if gaps:
                med = gaps[len(gaps) // 2]
                if not 0.12 <= med <= 0.32 or gaps[-1] > 0.7:
                    why.append('ping spacing: median %.3f s, max %.3f s' %
                               (med, gaps[-1]))
            if close_code_rcvd(ws) != 1000:
                why.append('close echo %s' % close_code_rcvd(ws))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_headers():
    why = []
    seen = []

    async def pr(path, headers):
        seen.append(headers)
        if headers.get('Authorization') != 'Bearer x':
            return (http.HTTPStatus.UNAUTHORIZED,
                    [('WWW-Authenticate', 'Bearer')], b'no\n')
        return None

    async def h(ws, i):
        await ws.send('authorized')
        await ws.close(1000)
    srv = Live(h, process_request=pr)
    try:
        cli = W.Client(['--raw', '--once', '--header',
                        'Authorization: Bearer x', '--header',
                        'X-Test-Header: a value, with: colons',
                        '--url', srv.url('/auth')])
        rc = cli.wait(5)
        expect_exit(cli, rc, (0,), why)
        if cli.stdout() != b'authorized\n':
            why.append('stdout %s' % W.short(cli.stdout()))
        if seen:
            hd = seen[0]
            if hd.get('X-Test-Header') != 'a value, with: colons':
                why.append('X-Test-Header %r' % hd.get('X-Test-Header'))
            if not (hd.get('User-Agent') or '').startswith('certstream.h/'):
                why.append('User-Agent %r' % hd.get('User-Agent'))
        cli = W.Client(['--raw', '--once', '--url', srv.url('/auth')])
        rc = cli.wait(5)
        if rc != 4:
            why.append('without the header (401): %s, expected exit 4' %
                       W.describe_rc(rc))
        if cli.stdout():
            why.append('printed %s after a 401' % W.short(cli.stdout()))
        why += srv.errors
    finally:
        srv.stop()
    return why


def http_responder(answer):
    """A raw server answering each request with answer(req, i) (bytes) and
    closing; records the requests in .reqs."""
    reqs = []

    def h(conn, i):
        req = conn.read_request(5)
        reqs.append(req)
        if req is not None:
            a = answer(req, i)
            if a is not None:
                conn.send(a)
        time.sleep(0.05)
    s = W.Server(h)
    s.reqs = reqs
    return s


def redirect(status, location):
    body = '<html><body>Moved to %s</body></html>\n' % location
    return ('HTTP/1.1 %s\r\nLocation: %s\r\nContent-Type: text/html\r\n'
            'Content-Length: %d\r\nConnection: close\r\n\r\n%s' % (
                status, location, len(body), body)).encode()


def live_echo_path():
    async def h(ws, i):
        await ws.send('hello via %s' % ws.path)
        await ws.close(1000)
    return Live(h)


def t_redirect(status):
    def body():
        why = []
        srv = live_echo_path()
        rs = http_responder(lambda req, i: redirect(
            status, srv.url('/target-%s' % status[:3])))
        try:
            cli = W.Client(['--raw', '--once', '--url', rs.url('/start')])
            rc = cli.wait(6)
            expect_exit(cli, rc, (0,), why)
            want = b'hello via /target-%s\n' % status[:3].encode()
            if cli.stdout() != want:
                why.append('stdout %s, expected %s' % (
                    W.short(cli.stdout()), W.short(want)))
            if srv.conns and srv.conns[0].request_headers.get('Host') != \
                    '127.0.0.1:%d' % srv.port:
                why.append('Host after the redirect: %r' %
                           srv.conns[0].request_headers.get('Host'))
            why += srv.errors + rs.errors
        finally:
            rs.stop()
            srv.stop()
        return why
    return body


def t_redirect_chain():
    why = []
    srv = live_echo_path()
    b = http_responder(lambda req, i: redirect(
        '307 Temporary Redirect', srv.url('/chain')))
    a = http_responder(lambda req, i: redirect(
        '302 Found', 'http://127.0.0.1:%d/b' % b.port))
    try:
        cli = W.Client(['--raw', '--once', '--url', a.url('/a')])
        rc = cli.wait(6)
        expect_exit(cli, rc, (0,), why)
        if cli.stdout() != b'hello via /chain\n':
            why.append('stdout %s' % W.short(cli.stdout()))
        if not b.reqs or b.reqs[0] is None or b.reqs[0].path != '/b':
            why.append('second hop (http:// Location) not requested as /b')
        why += srv.errors + a.errors + b.errors
    finally:
        a.stop()
        b.stop()
        srv.stop()
    return why


def t_redirect_relative():
    why = []

    def h(conn, i):
        req = conn.read_request(5)
        if req is None:
            return
        if req.path == '/start':
            conn.send(redirect('308 Permanent Redirect', '/moved?x=1'))
            time.sleep(0.05)
            return
        conn.send(conn.handshake_response(req))
        conn.send(frame(OP_TEXT, ('at ' + req.path).encode()))
        conn.send(close_frame(1000))
        conn.read_until_close(3)
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/start')])
        rc = cli.wait(6)
        expect_exit(cli, rc, (0,), why)
        if cli.stdout() != b'at /moved?x=1\n':
            why.append('stdout %s' % W.short(cli.stdout()))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_redirect_loop():
    why = []
    rs = http_responder(lambda req, i: redirect(
        '302 Found', 'ws://127.0.0.1:%d/loop%d' % (rs.port, i + 1)))
    try:
        cli = W.Client(['--raw', '--once', '--url', rs.url('/loop0')])
        rc = cli.wait(6)
        expect_exit(cli, rc, (4,), why)
        time.sleep(0.1)
        if len(rs.reqs) != 4:
            why.append('%d requests, expected 4 (the first + 3 redirects)'
                       % len(rs.reqs))
        why += rs.errors
    finally:
        rs.stop()
    return why


def t_retry_after(status, secs):
    def body():
        why = []
        st = {}

        def h(conn, i):
            req = conn.read_request(5)
            if req is None:
                return
            if i == 0:
                conn.send(('HTTP/1.1 %s\r\nRetry-After: %d\r\n'
                           'Content-Length: 0\r\n\r\n' % (status, secs))
                          .encode())
                time.sleep(0.02)
                st['drop'] = time.monotonic()
                return
            conn.send(conn.handshake_response(req))
            conn.send(frame(OP_TEXT, b'after %s' % status[:3].encode()))
            conn.read_until_close(5)
        srv = W.Server(h)
        try:
            cli = W.Client(['--raw', '--url', srv.url('/')])
            end = time.monotonic() + secs + 3.5
            while len(srv.conns) < 2 and time.monotonic() < end:
                time.sleep(0.02)
            time.sleep(0.2)
            cli.signal(signal.SIGTERM)
            rc = cli.wait(4)
            expect_exit(cli, rc, (0,), why)
            if len(srv.conns) < 2:
                why.append('no second attempt within %.1f s' %
                           (secs + 3.5))
            else:
                gap = srv.conns[1].t_accept - st['drop']
                if gap < secs - 0.1:
                    why.append('retried after %.2f s despite Retry-After: '
                               '%d' % (gap, secs))
                if gap > secs + 2.5:
                    why.append('retried only after %.2f s' % gap)
            want = b'after %s\n' % status[:3].encode()
            if cli.stdout() != want:
                why.append('stdout %s' % W.short(cli.stdout()))
            why += srv.errors
        finally:
            srv.stop()
        return why
    return body


def t_signal(sig, mode):
    def body():
        why = []
        msgs = feed(4000, 23)
        msgs = [m for m in msgs
                if json.loads(m).get('message_type') != 'heartbeat']
        st = {'sent': 0}

        async def h(ws, i):
            try:
                for k, m in enumerate(msgs):
                    await ws.send(m)
                    st['sent'] = k + 1
                    await asyncio.sleep(0.0005)
                await asyncio.sleep(5)
            except ConnectionClosed:
                pass
            st['code'] = close_code_rcvd(ws)
        srv = Live(h)
        try:
            cli = W.Client([mode, '--once', '--url', srv.url('/')])
            end = time.monotonic() + 5
            while cli.stdout().count(b'\n') < 200 and \
                    time.monotonic() < end and cli.running():
                time.sleep(0.01)
            ts = time.monotonic()
            cli.signal(sig)
            rc = cli.wait(4)
            expect_exit(cli, rc, (0,), why)
            if cli.t_exit and cli.t_exit - ts > 2.2:
                why.append('exited %.2f s after the signal' %
                           (cli.t_exit - ts))
            srv.conn_done(0)
            if st.get('code') != 1000:
                why.append('the server got close %s, expected 1000' %
                           st.get('code'))
            out = cli.stdout()
            lines = out.split(b'\n')
            if lines[-1] != b'':
                why.append('stdout ends with a partial line %s' %
                           W.short(lines[-1]))
            lines = lines[:-1]
            if len(lines) < 200:
                why.append('only %d lines before the signal' % len(lines))
            for k, ln in enumerate(lines):
                if k >= len(msgs) or ln != msgs[k].rstrip('\n').encode():
                    why.append('line %d differs: %s' % (k, W.short(ln)))
                    break
            why += srv.errors
        finally:
            srv.stop()
        return why
    return body


def human_msgs():
    def cert(seen, url, doms, cn=True):
        leaf = {'all_domains': doms, 'subject': {'CN': doms[0]} if cn and
                doms else {'aggregated': ''}}
        return json.dumps({'message_type': 'certificate_update', 'data': {
            'cert_index': 1, 'leaf_cert': leaf, 'seen': seen,
            'source': {'name': 'Test log', 'url': url},
            'update_type': 'X509LogEntry'}}, separators=(',', ':'))
    return [
        ('{"message_type":"heartbeat","timestamp":1700000000.123}', None),
        (cert(1700000000.5, 'https://ct.example.com/log/',
              ['a.example.com', 'b.example.com']),
         (1700000000.5, 'https://ct.example.com/log/',
          ['a.example.com', 'b.example.com'])),
        (cert(1700000001.0, 'https://ct.example.net/2026h1/',
              ['only.example.net'], cn=False),
         (1700000001.0, 'https://ct.example.net/2026h1/',
          ['only.example.net'])),
        ('{"data":["x.example","y.example"],"message_type":"dns_entries"}',
         'dns'),
        (cert(1700000002.123, 'https://ct.example.org/', ['*.w.example',
                                                         'w.example',
                                                         'xn--mnchen-3ya.de']),
         (1700000002.123, 'https://ct.example.org/',
          ['*.w.example', 'w.example', 'xn--mnchen-3ya.de'])),
        (cert(1700000003.25, 'https://ct.example.org/', ['m\u00fcnchen.de']),
         (1700000003.25, 'https://ct.example.org/', ['m\u00fcnchen.de'])),
    ]


def t_human(full, tz='UTC'):
    def body():
        why = []
        msgs = human_msgs()

        async def h(ws, i):
            for m, _ in msgs:
                await ws.send(m)
            await ws.close(1000)
        srv = Live(h)
        try:
            args = ['--once', '--url', srv.url('/')] + \
                (['--full'] if full else [])
            cli = W.Client(args, env={'TZ': tz})
            rc = cli.wait(5)
            expect_exit(cli, rc, (0,), why)
            old = os.environ.get('TZ')
            os.environ['TZ'] = tz
            time.tzset()
            want = []
            for _, e in msgs:
                if isinstance(e, tuple):
                    seen, url, doms = e
                    ln = '[%s] %s - %s ' % (
                        datetime.datetime.fromtimestamp(seen).isoformat(),
                        url, doms[0])
                    if full:
                        ln += '[%s]' % ', '.join(doms)
                    want.append(ln)
            if old is None:
                del os.environ['TZ']
            else:
                os.environ['TZ'] = old
            time.tzset()
            lines = cli.stdout().decode('utf-8', 'replace').split('\n')
            if lines[-1] != '':
                why.append('output does not end with a newline')
            lines = lines[:-1]
            certl = [ln for ln in lines if ln.startswith('[20')]
            other = '\n'.join(ln for ln in lines if not ln.startswith('[20'))
            if certl != want:
                for k in range(max(len(certl), len(want))):
                    g = certl[k] if k < len(certl) else None
                    w = want[k] if k < len(want) else None
                    if g != w:
                        why.append('line %d: %r, expected %r' % (k, g, w))
            for d in ('x.example', 'y.example'):
                if d not in other:
                    why.append('dns_entries domain %s not printed' % d)
            if 'heartbeat' in other or '1700000000.123' in other:
                why.append('heartbeat printed')
            why += srv.errors
        finally:
            srv.stop()
        return why
    return body


def t_count():
    why = []
    msgs = [m for m, _ in human_msgs()]

    async def h(ws, i):
        try:
            for m in msgs:
                await ws.send(m)
                await asyncio.sleep(0.05)
            await asyncio.wait_for(ws.wait_closed(), 5)
        except ConnectionClosed:
            pass
        st['code'] = close_code_rcvd(ws)
    st = {}
    srv = Live(h)
    try:
        cli = W.Client(['--raw', '-n', '2', '--url', srv.url('/')])
        rc = cli.wait(4)
        expect_exit(cli, rc, (0,), why)
        want = ''.join(m + '\n' for m in msgs[:3]).encode()
        # heartbeat, cert, cert: the 2nd certificate_update is msgs[2]
        if cli.stdout() != want:
            why.append('stdout %s' % W.first_diff(cli.stdout(), want))
        srv.conn_done(0)
        if st.get('code') != 1000:
            why.append('the server got close %s, expected 1000' %
                       st.get('code'))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_count_burst():
    """The messages after the N-th certificate arrive in the same TCP
    segment: they must not be printed either."""
    why = []
    msgs = [m.encode() for m, _ in human_msgs()]
    st = {}

    def h(conn, i):
        conn.handshake(5)
        conn.send(b''.join(frame(OP_TEXT, m) for m in msgs))
        fs, got, ended = conn.read_until_close(3)
        st['close'] = fs[-1].code() if got else ended
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '-n', '2', '--url', srv.url('/')])
        rc = cli.wait(4)
        expect_exit(cli, rc, (0,), why)
        want = b''.join(m + b'\n' for m in msgs[:3])
        if cli.stdout() != want:
            why.append('printed %d messages, expected 3 (heartbeat, 2 '
                       'certificates): %s' % (cli.stdout().count(b'\n'),
                                              W.first_diff(cli.stdout(),
                                                           want)))
        srv.wait_done(0)
        if st.get('close') != 1000:
            why.append('the server got close %s, expected 1000' %
                       st.get('close'))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_keepalive_data():
    """Pings never answered, but data keeps arriving: alive."""
    why = []
    st = {}

    def h(conn, i):
        conn.handshake(5)
        for k in range(8):
            conn.send(frame(OP_TEXT, b'tick %d' % k))
            time.sleep(0.3)
        conn.send(close_frame(1000))
        fs, got, ended = conn.read_until_close(3)
        st['pings'] = sum(1 for f in conn.frames if f.opcode == OP_PING)
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--once', '--ping-interval', '0.2',
                        '--timeout', '1', '--url', srv.url('/')])
        rc = cli.wait(6)
        expect_exit(cli, rc, (0,), why)
        want = b''.join(b'tick %d\n' % k for k in range(8))
        if cli.stdout() != want:
            why.append('stdout %s' % W.first_diff(cli.stdout(), want))
        srv.wait_done(0)
        if st.get('pings', 0) < 5:
            why.append('%s pings in 2.4 s with --ping-interval 0.2' %
                       st.get('pings'))
        if len(srv.conns) != 1:
            why.append('%d connections' % len(srv.conns))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_sigint_noanswer():
    """SIGINT, and the server never answers the close: the client gives
    up after about 2 s, exit 0."""
    why = []
    st = {}

    def h(conn, i):
        conn.handshake(5)
        conn.send(frame(OP_TEXT, b'one'))
        fs, got, ended = conn.read_until_close(5)
        st['close'] = fs[-1].code() if got else ended
        st['t'] = time.monotonic()
        conn.read_until_eof(5)
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
        end = time.monotonic() + 3
        while not cli.stdout() and time.monotonic() < end:
            time.sleep(0.01)
        ts = time.monotonic()
        cli.signal(signal.SIGINT)
        rc = cli.wait(5)
        expect_exit(cli, rc, (0,), why)
        dt = (cli.t_exit or time.monotonic()) - ts
        if not 1.5 <= dt <= 3.0:
            why.append('exited %.2f s after SIGINT, expected about 2 s '
                       '(waiting for the close answer)' % dt)
        if cli.stdout() != b'one\n':
            why.append('stdout %s' % W.short(cli.stdout()))
        srv.wait_done(0)
        if st.get('close') != 1000:
            why.append('the server got close %s, expected 1000' %
                       st.get('close'))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_output_error():
    """stdout is /dev/full: exit 1."""
    why = []

    def h(conn, i):
        conn.handshake(5)
        for k in range(20):
            if not conn.send(frame(OP_TEXT, b'x' * 5000)):
                break
        conn.read_until_close(4)
    srv = W.Server(h)
    try:
        with open('/dev/full', 'wb') as full:
            cli = W.Client(['--raw', '--once', '--url', srv.url('/')],
                           stdout=full)
            rc = cli.wait(4)
        expect_exit(cli, rc, (1,), why)
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_dns():
    why = []
    cli = W.Client(['--raw', '--once', '--url',
                    'ws://no-such-host.invalid/'])
    rc = cli.wait(15)
    expect_exit(cli, rc, (3,), why)
    return why


def t_json_filter():
    """--json: heartbeats are left out, whatever their spelling, and so
    is what is not a JSON object (not JSON, an array, binary, empty:
    reported on stderr instead); a trailing CRLF becomes one newline."""
    why = []
    msgs = [
        ('hello, not JSON', False),
        ('{"message_type":"heartbeat"}', False),
        ('{"message_type": "heartbeat", "timestamp": 1700000000.5}', False),
        (' {"timestamp":1700000000123,"message_type":"heartbeat"} ', False),
        ('{"data":{"message_type":"heartbeat"},'
         '"message_type":"certificate_update"}', True),
        ('{"message_type":"heartbeats"}', True),
        ('[1,2]', False),
        ('{"message_type":"dns_entries","data":["a.example"]}\r\n', True),
        (b'\x00binary\xff', False),
        ('', False),
    ]

    async def h(ws, i):
        for m, _ in msgs:
            await ws.send(m)
        await ws.close(1000)
    srv = Live(h)
    try:
        cli = W.Client(['--json', '--once', '--url', srv.url('/')])
        rc = cli.wait(5)
        expect_exit(cli, rc, (0,), why)
        want = b''
        for m, shown in msgs:
            if shown:
                b = m if isinstance(m, bytes) else m.encode()
                want += b.rstrip(b'\r\n') + b'\n'
        if cli.stdout() != want:
            why.append('stdout %r, expected %r' % (cli.stdout(), want))
        if cli.stderr().count(b'skipped a message') != 3:
            why.append('expected 3 skip reports (1st, 2nd, 4th of 4), '
                       'stderr %r' % cli.stderr())
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_reconnect_refused():
    """Nothing listens at first (connection refused): the client keeps
    trying and gets through once the server is up."""
    why = []
    port = W.free_port_closed()
    cli = W.Client(['--raw', '--url', 'ws://127.0.0.1:%d/' % port])
    time.sleep(0.5)
    early = cli.running()
    try:
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(('127.0.0.1', port))
        lst.listen(4)
        lst.settimeout(5)
        try:
            s, _ = lst.accept()
            conn = W.Conn(s)
            conn.handshake(5)
            conn.send(frame(OP_TEXT, b'up again'))
            end = time.monotonic() + 3
            while not cli.stdout() and time.monotonic() < end:
                time.sleep(0.02)
            cli.signal(signal.SIGTERM)
            conn.read_until_close(3)
            conn.close()
        except socket.timeout:
            why.append('no new attempt within 5 s after the server came up')
        lst.close()
    finally:
        rc = cli.wait(4)
    if not early:
        why.append('the client exited after a refused connection without '
                   '--once (%s)' % W.describe_rc(rc))
    else:
        expect_exit(cli, rc, (0,), why)
    if cli.stdout() != b'up again\n':
        why.append('stdout %s' % W.short(cli.stdout()))
    return why


def t_sigint_handshake():
    """SIGINT while the server has not answered the handshake yet: exit 0
    at once, no frame sent."""
    why = []
    st = {}

    def h(conn, i):
        st['req'] = conn.read_request(5)
        st['after'] = conn.read_until_eof(4)
    srv = W.Server(h)
    try:
        cli = W.Client(['--raw', '--once', '--url', srv.url('/')])
        end = time.monotonic() + 3
        while 'req' not in st and time.monotonic() < end:
            time.sleep(0.01)
        ts = time.monotonic()
        cli.signal(signal.SIGINT)
        rc = cli.wait(4)
        expect_exit(cli, rc, (0,), why)
        if cli.t_exit and cli.t_exit - ts > 1.0:
            why.append('exited %.2f s after SIGINT' % (cli.t_exit - ts))
        srv.wait_done(0)
        data, eof = st.get('after', (b'', False))
        if data:
            why.append('sent %s before the handshake completed' %
                       W.short(data))
        if not eof:
            why.append('did not close the TCP connection')
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_header_crlf():
    """A --header value with CR LF inside must not inject a header:
    refused as a usage error (exit 2), or at least never sent."""
    why = []
    seen = []

    async def pr(path, headers):
        seen.append(headers)
        return None

    async def h(ws, i):
        await ws.send('x')
        await ws.close(1000)
    srv = Live(h, process_request=pr)
    try:
        for hv in ('X-A: 1\r\nX-Injected: yes', 'X-A: 1\nX-Injected: yes',
                   'X-A: 1\rX-Injected: yes'):
            cli = W.Client(['--raw', '--once', '--header', hv, '--url',
                            srv.url('/')])
            rc = cli.wait(5)
            if rc != 2 and any('X-Injected' in hd for hd in seen):
                why.append('%r: the server received X-Injected' % hv)
            elif rc not in (0, 2):
                why.append('%r: %s, expected exit 2 (or 0 with the line '
                           'break removed)' % (hv, W.describe_rc(rc)))
            del seen[:]
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_refused():
    why = []
    port = W.free_port_closed()
    cli = W.Client(['--raw', '--once', '--url',
                    'ws://127.0.0.1:%d/' % port])
    rc = cli.wait(5)
    expect_exit(cli, rc, (3,), why)
    return why


def t_usage():
    why = []
    for args in (['--no-such-flag'], ['--url', 'ftp://127.0.0.1:1/'],
                 ['--url', 'ws://'], ['--ping-interval', 'abc'],
                 ['-n']):
        cli = W.Client(args)
        rc = cli.wait(5)
        err = cli.stderr()
        if rc != 2:
            why.append('%s: %s, expected exit 2' % (' '.join(args),
                                                    W.describe_rc(rc)))
        elif len(err.strip().split(b'\n')) < 2 or \
                b'usage' not in err.lower():
            why.append('%s: stderr %s (expected an error line and the '
                       'usage)' % (' '.join(args), W.short(err)))
        if cli.stdout():
            why.append('%s: printed %s on stdout' % (
                ' '.join(args), W.short(cli.stdout())))
    return why


TESTS = [
    ('stream.raw', '5000 generated messages, --raw', t_stream_raw),
    ('stream.json', '3000 generated messages, --json (no heartbeats, no '
     'doubled newline)', t_stream_json),
    ('fragments', 'fragmented messages, empty fragments, split UTF-8, '
     'server pings between fragments', t_fragments),
    ('fragments.raw', 'ping split over TCP writes inside a fragmented '
     'text (raw peer)', t_ping_mid_fragment_raw),
    ('large', '1 MB and 10 MB texts, 10 MB binary (skipped by '
     '--json)', t_large),
] + [('close.%d' % c, 'server close %d' % c, t_close(c))
     for c in (1000, 1001, 1011, 3000, 4999)] + [
    ('stall', 'silent server, unanswered pings: --timeout 1 -> exit 7',
     t_stall),
    ('drop', 'TCP closed without a close frame -> exit 7', t_drop(False)),
    ('reset', 'TCP reset -> exit 7', t_drop(True)),
    ('reconnect', 'dropped connections: backoff, later messages '
     'delivered, --verbose', t_reconnect),
    ('keepalive', '--ping-interval 0.2: regular pings, answered pings '
     'keep a silent connection past --timeout 1', t_keepalive),
    ('headers', '--header lines; 401 without Authorization -> exit 4',
     t_headers),
] + [('redirect.%s' % s[:3], 'redirect %s' % s, t_redirect(s))
     for s in ('301 Moved Permanently', '302 Found', '307 Temporary Redirect',
               '308 Permanent Redirect')] + [
    ('redirect.chain', 'two redirects (an http:// Location)',
     t_redirect_chain),
    ('redirect.relative', 'a relative Location', t_redirect_relative),
    ('redirect.loop', 'a redirect loop -> exit 4 after 3 redirects',
     t_redirect_loop),
    ('retry.429', '429 with Retry-After: 2',
     t_retry_after('429 Too Many Requests', 2)),
    ('retry.503', '503 with Retry-After: 1',
     t_retry_after('503 Service Unavailable', 1)),
    ('sigint', 'SIGINT while streaming (--raw)',
     t_signal(signal.SIGINT, '--raw')),
    ('sigterm', 'SIGTERM while streaming (--json)',
     t_signal(signal.SIGTERM, '--json')),
    ('human', 'default output line (TZ=UTC)', t_human(False)),
    ('human.full', '--full output line (TZ=UTC)', t_human(True)),
    ('human.tz', 'local time, TZ=Asia/Kolkata (+05:30)',
     t_human(False, 'Asia/Kolkata')),
    ('human.tz2', 'local time, TZ=America/St_Johns (-03:30 in November)',
     t_human(True, 'America/St_Johns')),
    ('count', '-n 2 stops after 2 certificate_update messages (50 ms '
     'apart)', t_count),
    ('count.burst', '-n 2 with all messages in one TCP write',
     t_count_burst),
    ('keepalive.data', 'unanswered pings, but data every 0.3 s: alive '
     'past --timeout 1', t_keepalive_data),
    ('sigint.noanswer', 'SIGINT, the server never answers the close: '
     'exit 0 after about 2 s', t_sigint_noanswer),
    ('output', 'stdout is /dev/full -> exit 1', t_output_error),
    ('json.filter', '--json leaves out heartbeats (any spelling) and '
     'what is not a JSON object', t_json_filter),
    ('reconnect.refused', 'refused connections: retried until the server '
     'is up', t_reconnect_refused),
    ('sigint.handshake', 'SIGINT before the server answers the handshake',
     t_sigint_handshake),
    ('header.crlf', '--header with a line break cannot inject a header',
     t_header_crlf),
    ('refused', 'connection refused -> exit 3', t_refused),
    ('dns', 'unknown host (.invalid) -> exit 3', t_dns),
    ('usage', 'usage errors -> exit 2', t_usage),
]


def main():
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    only = sys.argv[1:]
    t0 = time.monotonic()
    passed = failed = 0
    counts = {'p': 0, 'f': 0}
    dog = W.watchdog(150, lambda: (counts['p'], counts['f']))
    for name, desc, fn in TESTS:
        if only and not any(name.startswith(o) for o in only):
            continue
        t1 = time.monotonic()
        try:
            why = [w for w in fn() if w]
        except Exception as e:
            why = ['test error: %r' % e]
        dt = time.monotonic() - t1
        if why:
            failed += 1
            print('test %s %s ... FAIL (%s) [%.1f s]' % (
                name, desc, '; '.join(why), dt))
        else:
            passed += 1
            print('test %s %s ... PASS [%.1f s]' % (name, desc, dt))
        counts['p'], counts['f'] = passed, failed
        sys.stdout.flush()
    dog.cancel()
    print('%d tests in %.1f s' % (passed + failed, time.monotonic() - t0))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
