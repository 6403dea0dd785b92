"""wspeer.py - shared helpers for the network tests of the certstream client.

Used by tests/test_ws_conformance.py and tests/test_ws_live.py (run with
/usr/bin/python3). Everything listens on 127.0.0.1, on a port the kernel
picks (bind to port 0, keep the socket), and every wait has a timeout.

  exe()              path of the client: $CS_BUILD/certstream (default build)
  frame(...)         one server-to-client frame, any flags, any length form
  close_payload()    a close frame's payload from a code and a reason
  Listener           a listening socket; accept(timeout) -> Conn
  Conn               the server side of one TCP connection: read the HTTP
                     request, answer the handshake, write bytes (whole or in
                     tiny TCP writes), read the client's frames (checking
                     the mask), read until EOF
  Client             the client as a subprocess: stdout and stderr read by
                     threads, wait(timeout) kills it when the time is up
  watchdog(s, fn)    a last resort: after s seconds, kill every client,
                     print fn()'s counts plus one failure, exit 1
"""
import base64
import hashlib
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
OP_NAMES = {0: 'cont', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping',
            10: 'pong'}


def exe():
    """The client under test."""
    b = os.environ.get('CS_BUILD', 'build')
    if not os.path.isabs(b):
        b = os.path.join(ROOT, b)
    return os.path.join(b, 'certstream')


def missing_exe_summary():
    """If the client is not built: print why and return True (the caller
    then prints "0 passed, 1 failed")."""
    if os.path.isfile(exe()) and os.access(exe(), os.X_OK):
        return False
    print('FAIL: %s does not exist (build it with `make`); '
          'nothing could be tested' % exe())
    return True


def accept_for(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (str)."""
    return base64.b64encode(hashlib.sha1(key.encode('latin-1') + GUID)
                            .digest()).decode()


# ---------------------------------------------------------------------------
# frames

def frame(opcode, payload=b'', fin=True, rsv=0, mask=None, length=None,
          form=None):
    """A frame as a server would send it.

    rsv: the three RSV bits as a number 0..7 (4 = RSV1, 2 = RSV2, 1 = RSV3).
    mask: 4 bytes to mask with (sets the MASK bit; servers must not).
    length: the declared payload length (default len(payload)); lets a case
    send a header that announces more than follows.
    form: 7, 16 or 64 forces the length encoding (default: minimal)."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0F)
    mbit = 0x80 if mask is not None else 0
    if form is None:
        form = 7 if n <= 125 else 16 if n <= 0xFFFF else 64
    if form == 7:
        hdr = struct.pack('!BB', b0, mbit | n)
    elif form == 16:
        hdr = struct.pack('!BBH', b0, mbit | 126, n)
    else:
        hdr = struct.pack('!BBQ', b0, mbit | 127, n)
    if mask is not None:
        hdr += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return hdr + payload


def close_payload(code=None, reason=b''):
    if isinstance(reason, str):
        reason = reason.encode()
    if code is None:
        return b''
    return struct.pack('!H', code) + reason


def close_frame(code=None, reason=b''):
    return frame(OP_CLOSE, close_payload(code, reason))


def fragments(opcode, payload, sizes):
    """payload split into frames of the given sizes (the last one takes
    the rest): opcode, then continuations, FIN on the last."""
    parts = []
    pos = 0
    for s in sizes:
        parts.append(payload[pos:pos + s])
        pos += s
    parts.append(payload[pos:])
    out = b''
    for i, p in enumerate(parts):
        out += frame(opcode if i == 0 else OP_CONT, p,
                     fin=i == len(parts) - 1)
    return out


class Frame:
    """A frame received from the client (already unmasked)."""

    def __init__(self, fin, rsv, opcode, masked, key, payload):
        self.fin, self.rsv, self.opcode = fin, rsv, opcode
        self.masked, self.key, self.payload = masked, key, payload

    def code(self):
        """The close code, None when the payload is empty."""
        if len(self.payload) >= 2:
            return struct.unpack('!H', self.payload[:2])[0]
        return None

    def reason(self):
        return self.payload[2:]

    def __repr__(self):
        s = OP_NAMES.get(self.opcode, 'op%d' % self.opcode)
        if self.opcode == OP_CLOSE:
            s += ' %s' % self.code()
        s += ' %r' % self.payload[:40]
        if not self.fin:
            s += ' !fin'
        if self.rsv:
            s += ' rsv=%d' % self.rsv
        if not self.masked:
            s += ' UNMASKED'
        return s


class Timeout(Exception):
    pass


class BadFrame(Exception):
    pass


# ---------------------------------------------------------------------------
# the server side of a connection

class Request:
    def __init__(self, raw):
        self.raw = raw
        text = raw.decode('latin-1')
        lines = text.split('\r\n')
        self.line = lines[0]
        parts = self.line.split(' ')
        self.method = parts[0] if parts else ''
        self.path = parts[1] if len(parts) > 1 else ''
        self.version = parts[2] if len(parts) > 2 else ''
        self.headers = []           # (name, value) in order
        for ln in lines[1:]:
            if not ln:
                continue
            name, _, value = ln.partition(':')
            self.headers.append((name.strip(), value.strip()))

    def get(self, name, default=None):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b''
        self.eof = False
        self.t_accept = time.monotonic()
        self.frames = []            # every frame read from the client
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- reading --

    def _fill(self, deadline):
        """Read more bytes into buf; False on EOF. Raises Timeout."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            raise Timeout()
        try:
            d = self.sock.recv(65536)
        except (ConnectionResetError, OSError):
            d = b''
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def read_request(self, timeout=5.0):
        """The client's HTTP request (Request), or None on EOF."""
        deadline = time.monotonic() + timeout
        while b'\r\n\r\n' not in self.buf:
            if len(self.buf) > 65536:
                raise BadFrame('request header over 64 KiB')
            if not self._fill(deadline):
                return None
        raw, _, self.buf = self.buf.partition(b'\r\n\r\n')
        return Request(raw)

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def read_frame(self, timeout=5.0):
        """The client's next frame, or None on EOF (a clean EOF between
        frames; a cut frame raises BadFrame). Raises Timeout."""
        deadline = time.monotonic() + timeout
        if not self.buf and not self._fill(deadline):
            return None
        h = self.read_exact(2, deadline)
        if h is None:
            raise BadFrame('EOF inside a frame header')
        fin = bool(h[0] & 0x80)
        rsv = (h[0] >> 4) & 7
        op = h[0] & 0x0F
        masked = bool(h[1] & 0x80)
        n = h[1] & 0x7F
        if n == 126:
            e = self.read_exact(2, deadline)
            if e is None:
                raise BadFrame('EOF inside a frame header')
            n = struct.unpack('!H', e)[0]
        elif n == 127:
            e = self.read_exact(8, deadline)
            if e is None:
                raise BadFrame('EOF inside a frame header')
            n = struct.unpack('!Q', e)[0]
        if n > 1 << 24:
            raise BadFrame('client frame declares %d bytes' % n)
        key = None
        if masked:
            key = self.read_exact(4, deadline)
            if key is None:
                raise BadFrame('EOF inside a frame header')
        p = self.read_exact(n, deadline)
        if p is None:
            raise BadFrame('EOF inside a frame payload')
        if masked:
            p = bytes(b ^ key[i % 4] for i, b in enumerate(p))
        f = Frame(fin, rsv, op, masked, key, p)
        self.frames.append(f)
        return f

    def read_until_close(self, timeout=3.0):
        """Frames until (and with) the client's close frame or EOF.
        Returns (frames, got_close, why) where why is None, 'eof' or
        'timeout' or a BadFrame message."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            try:
                f = self.read_frame(max(0.0, deadline - time.monotonic()))
            except Timeout:
                return out, False, 'timeout'
            except BadFrame as e:
                return out, False, str(e)
            if f is None:
                return out, False, 'eof'
            out.append(f)
            if f.opcode == OP_CLOSE:
                return out, True, None

    def read_until_eof(self, timeout=3.0):
        """All bytes until EOF. Returns (bytes, got_eof)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except Timeout:
            d, self.buf = self.buf, b''
            return d, False
        d, self.buf = self.buf, b''
        return d, True

    # -- writing --

    def send(self, data):
        """Write everything; False if the client has gone (reset/EPIPE)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def send_chopped(self, data, rng, small=7, big=4096, delay=0.001,
                     small_upto=512):
        """data in many tiny TCP writes (TCP_NODELAY is on): pieces of
        1..small bytes for the first small_upto bytes, then 1..big, with a
        short sleep between pieces (every 8th piece in the big part)."""
        pos = 0
        n = 0
        while pos < len(data):
            lim = small if pos < small_upto else big
            k = rng.randint(1, lim)
            if not self.send(data[pos:pos + k]):
                return False
            pos += k
            n += 1
            if pos < small_upto or n % 8 == 0:
                time.sleep(delay)
        return True

    def handshake_response(self, req, status='101 Switching Protocols',
                           accept=None, headers=None, drop=()):
        """The bytes of a handshake answer to req. headers: extra
        (name, value) pairs; drop: lower-case names to leave out of the
        default ones (upgrade, connection, sec-websocket-accept)."""
        key = req.get('Sec-WebSocket-Key', '') if req else ''
        lines = ['HTTP/1.1 ' + status]
        defaults = [('Upgrade', 'websocket'), ('Connection', 'Upgrade'),
                    ('Sec-WebSocket-Accept',
                     accept if accept is not None else accept_for(key))]
        for n, v in defaults:
            if n.lower() not in drop:
                lines.append('%s: %s' % (n, v))
        for n, v in headers or ():
            lines.append('%s: %s' % (n, v))
        return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')

    def handshake(self, timeout=5.0, **kw):
        """Read the request, answer 101. Returns the Request (None on EOF)."""
        req = self.read_request(timeout)
        if req is None:
            return None
        self.send(self.handshake_response(req, **kw))
        return req

    def shutdown(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Listener:
    """A listening socket on 127.0.0.1 and a free port."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def url(self, path='/'):
        return 'ws://127.0.0.1:%d%s' % (self.port, path)

    def accept(self, timeout=5.0):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            raise Timeout()
        s, _ = self.sock.accept()
        return Conn(s)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Server(Listener):
    """A Listener that runs handler(conn, index) in a thread for every
    connection, recording accept times (conn.t_accept) in self.conns."""

    def __init__(self, handler):
        Listener.__init__(self)
        self.handler = handler
        self.conns = []
        self.done = []              # one Event per connection
        self.errors = []
        self.stopping = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping:
            try:
                c = self.accept(0.1)
            except Timeout:
                continue
            except OSError:
                return
            with self.lock:
                i = len(self.conns)
                self.conns.append(c)
                self.done.append(threading.Event())
            threading.Thread(target=self._run, args=(c, i),
                             daemon=True).start()

    def _run(self, c, i):
        try:
            self.handler(c, i)
        except Exception as e:          # reported by the test
            self.errors.append('connection %d: %r' % (i, e))
        finally:
            c.close()
            self.done[i].set()

    def wait_done(self, i=0, timeout=3.0):
        """Wait until the handler of connection i has returned; False if
        there is no such connection or it is still running."""
        with self.lock:
            ev = self.done[i] if i < len(self.done) else None
        return ev is not None and ev.wait(timeout)

    def stop(self):
        self.stopping = True
        self.thread.join(2)
        self.close()
        with self.lock:
            for c in self.conns:
                c.close()


def free_port_closed():
    """A port on 127.0.0.1 where nothing listens (bound, then closed)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------------------
# the client process

CLIENTS = []            # every Client started, for the watchdog


def watchdog(seconds, counts):
    """Start a timer: if the suite is still running after seconds, kill
    every client process, print the summary (counts() -> (passed, failed),
    plus this failure) and exit 1. Returns the timer (cancel() it)."""
    def fire():
        for c in list(CLIENTS):
            try:
                c.p.kill()
            except OSError:
                pass
        p, f = counts()
        print('FAIL: watchdog: the suite ran for over %d s' % seconds)
        print('%d passed, %d failed' % (p, f + 1))
        sys.stdout.flush()
        os._exit(1)
    t = threading.Timer(seconds, fire)
    t.daemon = True
    t.start()
    return t


class Client:
    """The certstream command as a subprocess."""

    def __init__(self, args, env=None, stdout=None):
        """stdout: a file to write to instead of a pipe we read."""
        e = dict(os.environ)
        if env:
            e.update(env)
        self.args = [exe()] + list(args)
        self.t_start = time.monotonic()
        self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                  stdout=stdout or subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        CLIENTS.append(self)
        self.out = bytearray()
        self.err = bytearray()
        self.lock = threading.Lock()
        self.t_exit = None
        self.killed = False
        self.readers = [
            threading.Thread(target=self._read, args=(self.p.stderr,
                                                      self.err), daemon=True)]
        if stdout is None:
            self.readers.append(threading.Thread(
                target=self._read, args=(self.p.stdout, self.out),
                daemon=True))
        for t in self.readers:
            t.start()

    def _read(self, f, into):
        while True:
            d = f.read1(65536) if hasattr(f, 'read1') else f.read(65536)
            if not d:
                return
            with self.lock:
                into += d

    def stdout(self):
        with self.lock:
            return bytes(self.out)

    def stderr(self):
        with self.lock:
            return bytes(self.err)

    def signal(self, sig):
        if self.p.poll() is None:
            self.p.send_signal(sig)

    def running(self):
        return self.p.poll() is None

    def wait(self, timeout):
        """The exit status, or None when it had to be killed (timeout)."""
        try:
            rc = self.p.wait(timeout)
            if self.t_exit is None:
                self.t_exit = time.monotonic()
        except subprocess.TimeoutExpired:
            self.killed = True
            self.p.kill()
            self.p.wait()
            rc = None
        for t in self.readers:
            t.join(5)
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.killed = True
            self.p.kill()
        self.p.wait()
        for t in self.readers:
            t.join(5)


def describe_rc(rc):
    if rc is None:
        return 'did not exit (killed)'
    if rc < 0:
        try:
            return 'killed by %s' % signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return 'exit %d' % rc


def short(b, n=120):
    """A bytes value for a message, cut to n bytes."""
    if len(b) <= n:
        return repr(b)
    return '%r...(%d bytes)' % (b[:n], len(b))


def first_diff(a, b):
    """Where two byte strings start to differ, for messages."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    if i == n and len(a) == len(b):
        return 'equal'
    return ('differ at byte %d of %d/%d: got %r, expected %r' %
            (i, len(a), len(b), a[max(0, i - 20):i + 40],
             b[max(0, i - 20):i + 40]))


def rng(seed):
    return random.Random(seed)
