"""tlspeer.py - shared helpers for the TLS tests of the certstream client.

Used by tests/test_tls.py and tests/test_soak.py (run with /usr/bin/python3),
on top of tests/wspeer.py (the client subprocess, frames, the raw peer).
Everything listens on 127.0.0.1 on a port the kernel picks, and every wait
has a timeout.

  make_certs(dir)    a test PKI made with the openssl CLI at test time:
                     two unrelated CAs, localhost leaves (ECDSA P-256 and
                     RSA-2048; SAN DNS:localhost + IP:127.0.0.1, EKU
                     serverAuth), an expired one, a not-yet-valid one, one
                     for other.example only, one from the other CA
  server_ctx(...)    an ssl.SSLContext(PROTOCOL_TLS_SERVER), TLS 1.2 minimum
                     (or TLS 1.3 only), one forced cipher suite if asked
  TlsLive            the Debian `websockets` server over that context, its
                     event loop in a thread; handler(ws, index) coroutine
  RawTls             a TCP listener that wraps each accepted socket in TLS
                     by hand (ssl.SSLContext.wrap_socket) and runs
                     handler(RawConn, index) in a thread: the websocket
                     handshake and frames written over TLS, and ways to end
                     a connection that a library would not do (TCP close
                     with no close_notify)
  SServer            `openssl s_server` as a subprocess on a free port
  ChopProxy          a relay (a subprocess) that cuts the TCP stream into
                     1-7 byte writes, so TLS records arrive in pieces
  tls_failure(err)   the "failed: TEXT (CS_E_...; BearSSL: NAME)" lines
                     that --verbose prints
"""
import asyncio
import datetime
import logging
import os
import re
import select
import socket
import ssl
import subprocess
import threading
import time

import wspeer as W

import websockets
from websockets.exceptions import ConnectionClosed

OPENSSL = 'openssl'

# failed handshakes are what these tests provoke: keep the servers' logs
# (websockets, asyncio) off the test output; the tests check what matters
for _name in ('websockets', 'asyncio'):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


# ---------------------------------------------------------------------------
# certificates

_CA_EXT = """
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_CA_CNF = """
[ca]
default_ca = tca

[tca]
dir = %(dir)s
database = $dir/index-%(name)s.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial-%(name)s
certificate = $dir/%(name)s.pem
private_key = $dir/%(name)s.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no

[anything]
commonName = supplied

[leaf_localhost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1

[sub_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[leaf_big]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = %(big_san)s

[leaf_other]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
"""


def _run(args, cwd):
    p = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    if p.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (
            ' '.join(args), p.returncode,
            p.stderr.decode('latin-1', 'replace')[-500:]))
    return p.stdout


def _gendate(t):
    """An `openssl ca` date (YYYYMMDDHHMMSSZ, UTC) for a Unix time."""
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime('%Y%m%d%H%M%SZ')


class Certs:
    """Paths of the generated files (all PEM); see make_certs."""
    pass


def make_certs(d):
    """Generate the test PKI into directory d; returns a Certs whose
    attributes are file paths:
      ca, ca2                  the test CA and an unrelated one
      ec, ec_key               localhost, ECDSA P-256, from ca
      rsa, rsa_key             localhost, RSA-2048, from ca
      expired, expired_key     localhost, from ca, ended yesterday
      future, future_key       localhost, from ca, valid from tomorrow
      other, other_key         other.example only, from ca
      ec2, ec2_key             localhost, from ca2 (an unrelated CA)
      p384, p384_key           localhost, ECDSA P-384, from ca
      inter                    an intermediate CA (P-256) under ca
      chain, chain_key         localhost, from inter: chain holds the leaf
                               and the intermediate, chain_leaf the leaf
      big, big_key             localhost plus 700 more DNS names (a ~25 KB
                               certificate: a Certificate message larger
                               than one TLS record)
      cadir                    a directory holding a copy of ca as a *.pem
                               (and a file that is not a certificate)
    Takes well under a second (EC keys; one RSA key)."""
    c = Certs()
    os.makedirs(os.path.join(d, 'newcerts'), exist_ok=True)

    def p(name):
        return os.path.join(d, name)

    with open(p('ca_ext.cnf'), 'w') as f:
        f.write(_CA_EXT)
    ec_param = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
    big_san = ', '.join(['DNS:localhost'] + [
        'DNS:host-%04d.a-rather-long-test-domain.example' % i
        for i in range(700)])

    def ca_files(name):
        with open(p('ca-%s.cnf' % name), 'w') as f:
            f.write(_CA_CNF % {'dir': d, 'name': name, 'big_san': big_san})
        open(p('index-%s.txt' % name), 'w').close()
        with open(p('serial-' + name), 'w') as f:
            f.write('%x\n' % (0x1000 + len(name)))
        setattr(c, name, p(name + '.pem'))

    for name, cn in (('ca', 'certstream.h test CA'),
                     ('ca2', 'certstream.h unrelated CA')):
        _run([OPENSSL, 'req', '-x509', '-new', '-nodes'] + ec_param +
             ['-keyout', p(name + '.key'), '-out', p(name + '.pem'),
              '-days', '30', '-subj', '/CN=' + cn,
              '-config', p('ca_ext.cnf'), '-extensions', 'ca_ext'], d)
        ca_files(name)

    now = time.time()
    day = 86400
    # the intermediate CA, signed by ca
    _run([OPENSSL, 'req', '-new', '-nodes'] + ec_param +
         ['-keyout', p('inter.key'), '-out', p('inter.csr'),
          '-subj', '/CN=certstream.h test intermediate',
          '-config', p('ca_ext.cnf')], d)
    _run([OPENSSL, 'ca', '-batch', '-notext', '-config', p('ca-ca.cnf'),
          '-in', p('inter.csr'), '-out', p('inter.pem'),
          '-extfile', p('ca-ca.cnf'), '-extensions', 'sub_ca',
          '-startdate', _gendate(now - day),
          '-enddate', _gendate(now + 30 * day)], d)
    ca_files('inter')
    leaves = [
        # name, ca, key type, section, start, end
        ('ec', 'ca', 'ec', 'leaf_localhost', now - day, now + 30 * day),
        ('rsa', 'ca', 'rsa', 'leaf_localhost', now - day, now + 30 * day),
        ('expired', 'ca', 'ec', 'leaf_localhost', now - 3 * day,
         now - day),
        ('future', 'ca', 'ec', 'leaf_localhost', now + day,
         now + 30 * day),
        ('other', 'ca', 'ec', 'leaf_other', now - day, now + 30 * day),
        ('ec2', 'ca2', 'ec', 'leaf_localhost', now - day, now + 30 * day),
        ('p384', 'ca', 'p384', 'leaf_localhost', now - day, now + 30 * day),
        ('chain', 'inter', 'ec', 'leaf_localhost', now - day,
         now + 30 * day),
        ('big', 'ca', 'ec', 'leaf_big', now - day, now + 30 * day),
    ]
    for name, ca, kt, sect, start, end in leaves:
        key, csr = p(name + '.key'), p(name + '.csr')
        newkey = {'ec': ec_param, 'rsa': ['-newkey', 'rsa:2048'],
                  'p384': ['-newkey', 'ec', '-pkeyopt',
                           'ec_paramgen_curve:P-384']}[kt]
        cn = 'other.example' if sect == 'leaf_other' else 'localhost'
        _run([OPENSSL, 'req', '-new', '-nodes'] + newkey +
             ['-keyout', key, '-out', csr, '-subj', '/CN=' + cn,
              '-config', p('ca_ext.cnf')], d)
        _run([OPENSSL, 'ca', '-batch', '-notext', '-config',
              p('ca-%s.cnf' % ca), '-in', csr, '-out', p(name + '.pem'),
              '-extfile', p('ca-%s.cnf' % ca), '-extensions', sect,
              '-startdate', _gendate(start), '-enddate', _gendate(end)], d)
        setattr(c, name, p(name + '.pem'))
        setattr(c, name + '_key', key)

    c.chain_leaf = c.chain
    c.chain = p('chain-full.pem')
    with open(c.chain_leaf) as f, open(p('inter.pem')) as g, \
            open(c.chain, 'w') as h:
        h.write(f.read() + g.read())

    c.cadir = p('cadir')
    os.makedirs(c.cadir, exist_ok=True)
    with open(c.ca) as f, open(os.path.join(c.cadir, 'test-ca.pem'),
                               'w') as g:
        g.write(f.read())
    with open(os.path.join(c.cadir, 'README'), 'w') as g:
        g.write('not a certificate\n')
    return c


# ---------------------------------------------------------------------------
# server-side TLS contexts

# OpenSSL names of the TLS 1.2 suites BearSSL's client offers
SUITES = {
    ('ec', 'aes128'): 'ECDHE-ECDSA-AES128-GCM-SHA256',
    ('ec', 'aes256'): 'ECDHE-ECDSA-AES256-GCM-SHA384',
    ('ec', 'chacha'): 'ECDHE-ECDSA-CHACHA20-POLY1305',
    ('rsa', 'aes128'): 'ECDHE-RSA-AES128-GCM-SHA256',
    ('rsa', 'aes256'): 'ECDHE-RSA-AES256-GCM-SHA384',
    ('rsa', 'chacha'): 'ECDHE-RSA-CHACHA20-POLY1305',
}


def server_ctx(cert, key, ciphers=None, tls13_only=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls13_only:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


# ---------------------------------------------------------------------------
# the websockets server over TLS

class TlsLive:
    """websockets.serve(handler, ssl=ctx) on 127.0.0.1 and a free port,
    run by an event loop in a background thread. handler(ws, index) is a
    coroutine; the connections are in self.conns (each has .t_open,
    .cipher, the suite OpenSSL negotiated, and .version). ctx None: a
    plain ws:// server."""

    def __init__(self, handler, ctx, **kw):
        self.handler = handler
        self.conns = []
        self.errors = []
        self.loop_errors = []       # asyncio's, e.g. failed handshakes
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(
            lambda loop, c: self.loop_errors.append(c.get('message')))
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       daemon=True)
        self.thread.start()
        kw.setdefault('ping_interval', None)
        kw.setdefault('close_timeout', 10)
        kw.setdefault('max_size', None)
        kw.setdefault('compression', None)

        async def h(ws):
            ws.t_open = time.monotonic()
            ws.done = threading.Event()
            so = ws.transport.get_extra_info('ssl_object')
            ws.cipher = so.cipher()[0] if so is not None else None
            ws.version = so.version() if so is not None else None
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
            return await websockets.serve(h, '127.0.0.1', 0, ssl=ctx, **kw)
        self.server = self.run(start(), 5)
        self.port = self.server.sockets[0].getsockname()[1]

    def url(self, host='localhost', path='/'):
        return 'wss://%s:%d%s' % (host, self.port, path)

    def conn_done(self, i=0, timeout=3.0):
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
            if rest:
                await asyncio.wait(rest, timeout=1)
        try:
            self.run(s(), 6)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(3)
        try:
            self.loop.close()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# a raw TLS peer: one thread per connection, TLS by hand

class RawConn(W.Conn):
    """wspeer.Conn over an ssl.SSLSocket. tcp is the plain socket under it
    (for a TCP close that skips close_notify)."""

    def __init__(self, tls_sock, tcp):
        W.Conn.__init__(self, tls_sock)
        self.tcp = tcp

    def _fill(self, deadline):
        # an SSLSocket can hold decrypted bytes that select() cannot see
        if not self.eof and self.sock.pending():
            try:
                d = self.sock.recv(65536)
            except (ssl.SSLError, OSError):
                d = b''
            if d:
                self.buf += d
                return True
        try:
            return W.Conn._fill(self, deadline)
        except ssl.SSLError:
            self.eof = True
            return False

    def drop_tcp(self):
        """End TCP with no close_notify: shut the plain socket down under
        the TLS layer, then close both."""
        try:
            self.tcp.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.tcp.close()
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


class RawTls:
    """A listener on 127.0.0.1 and a free port. For every connection: the
    accept time goes to self.accepts, then (with a ctx) the TLS handshake
    is run (its error, if any, goes to self.hs_errors) and
    handler(RawConn, index) runs in a thread of its own. With ctx None the
    handler gets the plain socket (a wspeer.Conn)."""

    def __init__(self, ctx, handler, hs_timeout=5.0):
        self.ctx = ctx
        self.handler = handler
        self.hs_timeout = hs_timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepts = []
        self.hs_errors = []
        self.errors = []
        self.threads = []
        self.stopping = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def url(self, host='localhost', path='/'):
        return 'wss://%s:%d%s' % (host, self.port, path)

    def _loop(self):
        while not self.stopping:
            try:
                r, _, _ = select.select([self.sock], [], [], 0.05)
                if not r:
                    continue
                s, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                i = len(self.accepts)
                self.accepts.append(time.monotonic())
            t = threading.Thread(target=self._run, args=(s, i), daemon=True)
            self.threads.append(t)
            t.start()

    def _run(self, s, i):
        conn = None
        try:
            if self.ctx is None:
                conn = W.Conn(s)
            else:
                s.settimeout(self.hs_timeout)
                try:
                    t = self.ctx.wrap_socket(s, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    self.hs_errors.append((i, e))
                    s.close()
                    return
                t.settimeout(None)
                conn = RawConn(t, s)
            if self.handler is not None:
                self.handler(conn, i)
        except Exception as e:                  # reported by the test
            self.errors.append('connection %d: %r' % (i, e))
        finally:
            if conn is not None:
                conn.close()
            else:
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self):
        self.stopping = True
        self.thread.join(2)
        try:
            self.sock.close()
        except OSError:
            pass
        for t in self.threads:
            t.join(3)


# ---------------------------------------------------------------------------
# openssl s_server

class SServer:
    """`openssl s_server` on 127.0.0.1 and a free port, as a subprocess
    with a pipe on its stdin (closing it, or a line "Q", makes it close
    the TCP connection without close_notify) and its output collected."""

    def __init__(self, args):
        self.port = None
        self.out = bytearray()
        self.lock = threading.Lock()
        for _ in range(5):          # the port may be taken in between
            port = W.free_port_closed()
            self.p = subprocess.Popen(
                [OPENSSL, 's_server', '-accept', '127.0.0.1:%d' % port,
                 '-naccept', '1'] + list(args),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT)
            self.reader = threading.Thread(target=self._read, daemon=True)
            self.reader.start()
            if self.wait_for(b'ACCEPT', 5):
                self.port = port
                return
            self.stop()
            self.out = bytearray()
        raise RuntimeError('openssl s_server did not start')

    def _read(self):
        while True:
            d = self.p.stdout.read1(65536)
            if not d:
                return
            with self.lock:
                self.out += d

    def output(self):
        with self.lock:
            return bytes(self.out)

    def wait_for(self, what, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if what in self.output():
                return True
            if self.p.poll() is not None and what not in self.output():
                time.sleep(0.05)
                return what in self.output()
            time.sleep(0.02)
        return False

    def url(self, host='localhost', path='/'):
        return 'wss://%s:%d%s' % (host, self.port, path)

    def write(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
            return True
        except OSError:
            return False

    def close_stdin(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.reader.join(3)


# ---------------------------------------------------------------------------
# a relay that cuts the byte stream into small TCP writes

def _chop_main(dst_port, seed):
    """The relay itself (run as `tlspeer.py chop DST_PORT SEED`, a process
    of its own so that no test thread holds it up): prints its port, then
    forwards each direction of every connection in random small writes
    (TCP_NODELAY): the first 4 KB in pieces of 1-7 bytes with a short
    sleep after each, then pieces of 1-3000 bytes."""
    import random
    import sys
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', 0))
    ls.listen(8)
    print(ls.getsockname()[1], flush=True)

    def pump(src, dst, rng):
        done = 0
        try:
            while True:
                d = src.recv(65536)
                if not d:
                    break
                i = 0
                while i < len(d):
                    small = done + i < 4096
                    k = rng.randint(1, 7 if small else 3000)
                    dst.sendall(d[i:i + k])
                    i += k
                    if small or rng.random() < 0.1:
                        time.sleep(0.0005)
                done += len(d)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    n = 0
    while True:
        a, _ = ls.accept()
        try:
            b = socket.create_connection(('127.0.0.1', dst_port), 5)
        except OSError:
            a.close()
            continue
        for x in (a, b):
            x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for src, dst in ((a, b), (b, a)):
            n += 1
            threading.Thread(target=pump, daemon=True,
                             args=(src, dst, random.Random(seed + n))).start()
    sys.exit(0)


class ChopProxy:
    """The chopping relay to 127.0.0.1:dst_port, in a subprocess; .port
    is where it listens."""

    def __init__(self, dst_port, seed):
        import sys
        self.p = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), 'chop',
             str(dst_port), str(seed)], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE)
        r, _, _ = select.select([self.p.stdout], [], [], 10)
        line = self.p.stdout.readline() if r else b''
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError('the relay did not start')
        self.port = int(line)

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()


# ---------------------------------------------------------------------------
# what the client printed

FAILED_RE = re.compile(
    r'^certstream: failed: (.*?) \((CS_E_[A-Z0-9_]+)(.*)\)$')


def failures(err):
    """Every "failed:" line of a --verbose stderr: (text, CS_E name,
    BearSSL name or None), as str."""
    out = []
    for ln in err.decode('latin-1').split('\n'):
        m = FAILED_RE.match(ln)
        if m is None:
            continue
        rest = m.group(3)
        br = rest[len('; BearSSL: '):] if rest.startswith('; BearSSL: ') \
            else None
        out.append((m.group(1), m.group(2), br))
    return out


if __name__ == '__main__':
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == 'chop':
        _chop_main(int(sys.argv[2]), int(sys.argv[3]))
