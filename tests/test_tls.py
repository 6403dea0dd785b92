#!/usr/bin/python3
"""The certstream command over wss:// (BearSSL) against real TLS peers.

A test PKI is made at start with the openssl CLI in a temporary directory
(tests/tlspeer.py: make_certs): a test CA and an unrelated one; localhost
leaves (SAN DNS:localhost + IP:127.0.0.1, EKU serverAuth) with ECDSA P-256
and RSA-2048 keys; an expired leaf, a not-yet-valid one, one for
other.example only, one from the unrelated CA, a P-384 one, one under an
intermediate CA, a 32 KB one (700 names). Peers: the Debian
`websockets` server over Python's ssl (PROTOCOL_TLS_SERVER, TLS 1.2
minimum), a raw TLS peer (ssl.wrap_socket by hand: exact frames, a TCP
close with no close_notify), and `openssl s_server`. The client runs as a
subprocess with --once (and --verbose) unless a test is about reconnecting;
every failure is checked by its exit status, an empty stdout and the
CS_E_TLS_... name of the "failed:" / "disconnected:" line on stderr.

  stream.ec.raw / stream.rsa.json   thousands of generated CertStream
                          messages (tests/gen_feed.py): stdout is exactly
                          the messages, in order; close 1000 echoed
  trust.cafile / trust.cadir / trust.env / trust.env.override
                          --ca FILE, --ca DIR, CERTSTREAM_CA, --ca over
                          CERTSTREAM_CA ("trusts 1 anchors from X")
  trust.cadir.hash        --ca DIR with only a c_rehash HASH.0 symlink
  trust.bundle            --ca the system bundle with the test CA last
  trust.system            no --ca: the system bundle rejects the test CA
  trust.cafile.bad        --ca: a missing path, a text file, a key: exit 8
  pin.ec / pin.rsa / pin.ip / pin.der / pin.nochecks
                          --pin the server's certificate: streams (also at
                          wss://127.0.0.1, and with an expired or
                          other-name certificate: no date or name checks)
  pin.other / pin.keytype another EC key, an RSA key: CS_E_TLS_PIN
  pin.bad                 --pin a file that is no certificate: exit 8
  insecure                --insecure, unknown CA at an IP: streams, and a
                          WARNING line per connection without --verbose
  chain                   leaf <- intermediate <- CA (the server sends
                          both; --ca the CA, or the intermediate alone);
                          the leaf without the intermediate: UNTRUSTED
  key.p384 / cert.big     a P-384 leaf; a 32 KB certificate (700 names,
                          a Certificate message over several records)
  host.case / sni         wss://LocalHost; the SNI the server sees
                          (none for wss://127.0.0.1 with --pin/--insecure)
  stream.chopped          through a relay that cuts the TCP stream into
                          1-7 byte writes (TLS records in fragments)
  stream.large            1 MB and 5 MB messages
  keepalive.load          pings both ways every 50 ms under a 40 MB
                          stream: pongs keep up (no 1011 from the server)
  sigint                  SIGINT mid-stream: close 1000, exit 0
  sigint.blocked / sigterm.blocked
                          the signal while the client is blocked writing
                          to a full stdout pipe: still exit 0, whole lines
  redirect                ws:// -> 301 -> wss://localhost streams;
                          wss:// -> 301 -> wss://127.0.0.1: IP_NAME
  cipher.KEY.SUITE        the server forces each of ECDHE-{ECDSA,RSA} with
                          AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305
  fail.unknown_ca / fail.expired / fail.future / fail.name / fail.ip
                          exit 8, no data, CS_E_TLS_UNTRUSTED / _EXPIRED /
                          _EXPIRED / _NAME / _IP_NAME (the text says to use
                          the host name or pin the key)
  fail.client_cert        the server requires a client certificate:
                          a fatal alert -> CS_E_TLS_ALERT (20 runs)
  fail.alert.flight       the alert comes with ServerHelloDone and the
                          server resets: the client's writes fail (EPIPE),
                          the alert must still be what it reports
  fail.tls13.python       ssl TLS 1.3 only (blocking wrap): it sends a
                          protocol_version alert -> CS_E_TLS_VERSION
  fail.tls13.websockets   websockets over ssl TLS 1.3 only: asyncio drops
                          TCP without sending the alert (see the test)
  fail.tls13.s_server     openssl s_server -tls1_3 -> CS_E_TLS_VERSION
  fail.stall              reads the ClientHello, answers nothing: the 10 s
                          connect timeout (CS_E_TIMEOUT, exit 3)
  fail.truncated          TCP closed with no close_notify mid-stream:
                          exit 7, CS_E_TLS_TRUNCATED, the messages before
                          it all printed; .midframe: inside a frame (the
                          cut message is not printed)
  fail.close_notify       close_notify then TCP close, no websocket close:
                          exit 7, CS_E_CLOSED (not TRUNCATED)
  fail.plain              a plain ws:// server at a wss:// URL: exit 8
  s_server.name           s_server with the other.example certificate
  s_server.www            -www (an HTTP/1.0 page): exit 4
  s_server.garbage        non-HTTP bytes after the TLS handshake: exit 4
  s_server.cleartext      "P": cleartext bytes on the socket inside the
                          TLS session (before the 101): exit 8
  s_server.close          "Q" before the 101: TCP closed, exit 3
  s_server.open.close     101, two frames, "Q": exit 7, TRUNCATED
  s_server.open.garbage   101, then a reserved opcode: exit 5
  s_server.renegotiate    HelloRequest mid-stream: renegotiated, streams on
  retry.untrusted         no --once: attempts ~1 s then ~2 s apart, each
                          CS_E_TLS_UNTRUSTED, never any data

Prints "test NAME ... PASS|FAIL (why)" per test and "N passed, N failed".
Tests run in parallel (TLS_JOBS, default 6), but the heavy streams run
alone at the end. CS_BUILD (default build) names the build folder.
Arguments, if any, are name prefixes (e.g. `test_tls.py fail. pin`).
"""
import asyncio
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W                                          # noqa: E402
from wspeer import frame, OP_TEXT                           # noqa: E402
import tlspeer as T                                         # noqa: E402
import gen_feed                                             # noqa: E402

os.environ.pop('CERTSTREAM_CA', None)       # the tests choose the trust

C = None                # the generated certificates (tlspeer.Certs)
_FEEDS = {}
_FEED_LOCK = threading.Lock()


def feed(n, seed):
    """n generated messages (str, no newline), cached."""
    with _FEED_LOCK:
        if (n, seed) not in _FEEDS:
            _FEEDS[(n, seed)] = [m[:-1] for m in gen_feed.generate(
                'mixed', 'mixed', seed, n)]
        return _FEEDS[(n, seed)]


def lines(msgs):
    return ''.join(m + '\n' for m in msgs).encode()


def json_lines(msgs):
    """What --json prints: every message but heartbeats."""
    return ''.join(m + '\n' for m in msgs
                   if json.loads(m).get('message_type') != 'heartbeat'
                   ).encode()


def expect_exit(cli, rc, want, why):
    if rc not in want:
        why.append('%s, expected exit %s; stderr %s' % (
            W.describe_rc(rc), ' or '.join(str(w) for w in want),
            W.short(cli.stderr(), 400)))


def close_code_rcvd(ws):
    return ws.close_rcvd.code if ws.close_rcvd is not None else None


DISC_RE = re.compile(rb'certstream: disconnected: (.*?) \((CS_[A-Z0-9_]+)\)'
                     rb', close (\d+)')


def disconnects(err):
    return [(m.group(1).decode('latin-1'), m.group(2).decode('latin-1'),
             int(m.group(3))) for m in DISC_RE.finditer(err)]


def expect_failure(cli, rc, want_rc, names, why, br=None, text=()):
    """A connection that failed before any data: exit want_rc, nothing on
    stdout, one "failed:" line naming one of names (the BearSSL name
    containing br, the text containing each of text), no "connected"."""
    expect_exit(cli, rc, (want_rc,), why)
    if cli.stdout():
        why.append('data printed: %s' % W.short(cli.stdout()))
    err = cli.stderr()
    fl = T.failures(err)
    if len(fl) != 1:
        why.append('%d "failed:" lines on stderr, expected 1: %s' % (
            len(fl), W.short(err, 400)))
    if fl:
        t, name, brname = fl[-1]
        if name not in names:
            why.append('error %s (%s; BearSSL: %s), expected %s' % (
                name, t, brname, ' or '.join(names)))
        if br is not None and (brname is None or br not in brname):
            why.append('BearSSL error %r, expected %r' % (brname, br))
        for s in text:
            if s not in t:
                why.append('the message %r does not say %r' % (t, s))
    if b'certstream: connected' in err:
        why.append('stderr says "connected"')
    if b'WARNING' in err:
        why.append('a WARNING on stderr: %s' % W.short(err, 300))
    return fl[-1] if fl else None


def ws_sender(msgs):
    async def h(ws, i):
        for m in msgs:
            await ws.send(m)
        await ws.close(1000)
    return h


# ---------------------------------------------------------------------------
# streaming over the websockets server

def stream(cert, key, args, msgs, mode='--raw', env=None, host='localhost',
           ciphers=None, want_cipher=None, trust_line=None):
    """msgs through TlsLive over (cert, key) to a --once client; the
    checks every good stream shares. Returns the list of problems."""
    why = []
    srv = T.TlsLive(ws_sender(msgs), T.server_ctx(cert, key, ciphers))
    try:
        cli = W.Client([mode, '--once', '--verbose'] + args +
                       ['--url', srv.url(host)], env=env)
        rc = cli.wait(30)
        expect_exit(cli, rc, (0,), why)
        want = json_lines(msgs) if mode == '--json' else lines(msgs)
        out = cli.stdout()
        if out != want:
            why.append('%d messages sent, %d lines printed (%d expected); '
                       '%s' % (len(msgs), out.count(b'\n'),
                               want.count(b'\n'), W.first_diff(out, want)))
        err = cli.stderr()
        if T.failures(err):
            why.append('stderr: %s' % W.short(err, 300))
        if trust_line is not None and trust_line.encode() not in err:
            why.append('stderr lacks %r: %s' % (trust_line,
                                                W.short(err, 300)))
        if len(srv.conns) != 1:
            why.append('%d websocket connections, expected 1' %
                       len(srv.conns))
        else:
            ws = srv.conn_done(0)
            if close_code_rcvd(ws) != 1000:
                why.append('client close echo %s, expected 1000' %
                           close_code_rcvd(ws))
            if ws.version != 'TLSv1.2':
                why.append('negotiated %s' % ws.version)
            if want_cipher is not None and ws.cipher != want_cipher:
                why.append('suite %s, expected %s' % (ws.cipher,
                                                      want_cipher))
        why += srv.errors
    finally:
        srv.stop()
    return why


def anchors_line(src):
    return 'certstream: wss:// trusts 1 anchors from %s (' % src


def t_stream_ec_raw():
    return stream(C.ec, C.ec_key, ['--ca', C.ca], feed(5000, 7),
                  want_cipher=None, trust_line=anchors_line(C.ca)) + \
        check_kind(C.ec, C.ec_key, 'ECDSA')


def t_stream_rsa_json():
    return stream(C.rsa, C.rsa_key, ['--ca', C.ca], feed(3000, 11),
                  mode='--json', trust_line=anchors_line(C.ca)) + \
        check_kind(C.rsa, C.rsa_key, 'RSA')


def check_kind(cert, key, kind):
    """The default suite choice matches the key (ECDHE-ECDSA / -RSA)."""
    why = []
    srv = T.TlsLive(ws_sender(['x']), T.server_ctx(cert, key))
    try:
        cli = W.Client(['--raw', '--once', '--ca', C.ca, '--url',
                        srv.url()])
        rc = cli.wait(10)
        expect_exit(cli, rc, (0,), why)
        if not srv.conns or ('ECDHE-%s-' % kind) not in \
                (srv.conns[0].cipher or ''):
            why.append('suite %s for an %s key' % (
                srv.conns and srv.conns[0].cipher, kind))
    finally:
        srv.stop()
    return why


def t_trust_cafile():
    return stream(C.ec, C.ec_key, ['--ca', C.ca], feed(1000, 21),
                  trust_line=anchors_line(C.ca))


def t_trust_cadir():
    return stream(C.rsa, C.rsa_key, ['--ca', C.cadir], feed(1000, 22),
                  trust_line=anchors_line(C.cadir))


def t_trust_env():
    return stream(C.ec, C.ec_key, [], feed(1000, 23),
                  env={'CERTSTREAM_CA': C.ca},
                  trust_line=anchors_line(C.ca))


def t_trust_env_override():
    # --ca wins over CERTSTREAM_CA (which names the unrelated CA)
    return stream(C.ec, C.ec_key, ['--ca', C.ca], feed(300, 24),
                  env={'CERTSTREAM_CA': C.ca2},
                  trust_line=anchors_line(C.ca))


def fail_ws(cert, key, args, want_rc, names, host='localhost', br=None,
            text=(), env=None, ctx=None, wait=15):
    """A TlsLive server that would stream messages; the client must fail
    before any of them."""
    why = []
    srv = T.TlsLive(ws_sender(['must not be printed %d' % i
                               for i in range(3)]),
                    ctx or T.server_ctx(cert, key))
    try:
        cli = W.Client(['--raw', '--once', '--verbose'] + args +
                       ['--url', srv.url(host)], env=env)
        rc = cli.wait(wait)
        expect_failure(cli, rc, want_rc, names, why, br, text)
        if srv.conns:
            why.append('the websocket opened')
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_trust_cadir_hash():
    """A c_rehash-style directory: only a HASH.0 symlink to the CA."""
    d = os.path.join(os.path.dirname(C.ca), 'hashdir')
    os.makedirs(d, exist_ok=True)
    h = subprocess.run([T.OPENSSL, 'x509', '-hash', '-noout', '-in', C.ca],
                       stdout=subprocess.PIPE, check=True, timeout=10
                       ).stdout.decode().strip()
    if not os.path.lexists(os.path.join(d, h + '.0')):
        os.symlink(C.ca, os.path.join(d, h + '.0'))
    return stream(C.ec, C.ec_key, ['--ca', d], feed(100, 25),
                  trust_line=anchors_line(d))


def t_trust_bundle():
    """A big bundle (the system's, if any) with the test CA last."""
    path = os.path.join(os.path.dirname(C.ca), 'bundle.pem')
    sysb = '/etc/ssl/certs/ca-certificates.crt'
    with open(path, 'w') as f:
        if os.path.isfile(sysb):
            with open(sysb) as g:
                f.write(g.read())
        with open(C.ca) as g:
            f.write(g.read())
    why = stream(C.ec, C.ec_key, ['--ca', path], feed(100, 26),
                 trust_line='from %s (' % path)
    return why


def t_trust_system():
    why = fail_ws(C.ec, C.ec_key, [], 8, ('CS_E_TLS_UNTRUSTED',),
                  br='unknown CA')
    # which bundle it was: the "trusts" line names it
    cli = W.Client(['--raw', '--once', '--verbose', '--url',
                    'wss://localhost:%d/' % W.free_port_closed()])
    cli.wait(10)
    m = re.search(rb'trusts (\d+) anchors from (\S+)', cli.stderr())
    if m is None or int(m.group(1)) < 1:
        why.append('no "trusts N anchors" line without --ca: %s' %
                   W.short(cli.stderr(), 300))
    return why


def t_trust_cafile_bad():
    why = []
    junk = os.path.join(os.path.dirname(C.ca), 'cadir', 'README')
    for path in ('/nonexistent/ca.pem', junk, C.ec_key,
                 os.path.join(os.path.dirname(C.ca), 'empty-dir')):
        if path.endswith('empty-dir'):
            os.makedirs(path, exist_ok=True)
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', path,
                        '--url', 'wss://localhost:%d/' %
                        W.free_port_closed()])
        rc = cli.wait(10)
        expect_exit(cli, rc, (8,), why)
        err = cli.stderr()
        if b'connecting' in err:
            why.append('--ca %s: it tried to connect' % path)
        if not re.search(rb'certstream: .*: TLS: (the CA file|no trust '
                         rb'anchor)', err):
            why.append('--ca %s: stderr %s' % (path, W.short(err, 200)))
    return why


def t_pin_ec():
    return stream(C.ec, C.ec_key, ['--pin', C.ec], feed(1000, 31),
                  trust_line='certstream: wss:// trusts the pinned key')


def t_pin_rsa():
    return stream(C.rsa, C.rsa_key, ['--pin', C.rsa], feed(1000, 32))


def t_pin_der():
    der = os.path.join(os.path.dirname(C.ca), 'rsa.der')
    subprocess.run([T.OPENSSL, 'x509', '-in', C.rsa, '-outform', 'DER',
                    '-out', der], check=True, timeout=10,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return stream(C.rsa, C.rsa_key, ['--pin', der], feed(100, 35))


def t_pin_ip():
    # the way out that CS_E_TLS_IP_NAME's message names
    return stream(C.ec, C.ec_key, ['--pin', C.ec], feed(300, 33),
                  host='127.0.0.1')


def t_pin_nochecks():
    # pinned: no date check (expired, not yet valid), no name check
    # (other.example), no CA (a leaf from the unrelated CA)
    why = []
    for cert, key in ((C.expired, C.expired_key), (C.future, C.future_key),
                      (C.other, C.other_key), (C.ec2, C.ec2_key)):
        w = stream(cert, key, ['--pin', cert], feed(100, 34))
        why += ['%s: %s' % (os.path.basename(cert), x) for x in w]
    return why


def t_pin_other():
    return fail_ws(C.ec, C.ec_key, ['--pin', C.other], 8, ('CS_E_TLS_PIN',),
                   br='bad signature')


def t_pin_keytype():
    return fail_ws(C.ec, C.ec_key, ['--pin', C.rsa], 8, ('CS_E_TLS_PIN',),
                   br='wrong key usage') + \
        fail_ws(C.rsa, C.rsa_key, ['--pin', C.ec], 8, ('CS_E_TLS_PIN',))


def t_pin_bad():
    why = []
    junk = os.path.join(C.cadir, 'README')
    cli = W.Client(['--raw', '--once', '--pin', junk, '--url',
                    'wss://localhost:%d/' % W.free_port_closed()])
    rc = cli.wait(10)
    expect_exit(cli, rc, (8,), why)
    if b'--pin' not in cli.stderr():
        why.append('stderr %s' % W.short(cli.stderr(), 200))
    return why


def t_insecure():
    """Unknown CA and an IP URL: nothing is checked. Connections end with
    close 1000, so the client (no --once) reconnects; each connection
    prints the WARNING, without --verbose."""
    why = []
    per = 50
    msgs = feed(200, 41)

    async def h(ws, i):
        for m in msgs[i * per:(i + 1) * per]:
            await ws.send(m)
        await ws.close(1000)
    srv = T.TlsLive(h, T.server_ctx(C.ec2, C.ec2_key))
    try:
        cli = W.Client(['--raw', '--insecure', '--url',
                        srv.url('127.0.0.1')])
        want2 = lines(msgs[:2 * per])
        end = time.monotonic() + 8
        while time.monotonic() < end and cli.running() and \
                len(cli.stdout()) < len(want2):
            time.sleep(0.02)
        time.sleep(0.1)
        cli.signal(signal.SIGTERM)
        rc = cli.wait(5)
        expect_exit(cli, rc, (0,), why)
        n = len(srv.conns)
        out = cli.stdout()
        want = lines(msgs[:n * per])
        if n < 2:
            why.append('%d connections in 8 s, expected 2' % n)
        if out != want:
            why.append('%d connections; stdout %s' % (
                n, W.first_diff(out, want)))
        err = cli.stderr()
        warns = re.findall(rb'certstream: WARNING: [^\n]*NOT verified'
                           rb'[^\n]*\n', err)
        if len(warns) != n:
            why.append('%d WARNING lines for %d connections: %s' % (
                len(warns), n, W.short(err, 300)))
        other = [ln for ln in err.split(b'\n')
                 if ln and not ln.startswith(b'certstream: WARNING')]
        if other:
            why.append('other stderr lines without --verbose: %s' %
                       W.short(b'\n'.join(other), 200))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_cipher(kind, suite):
    def body():
        name = T.SUITES[(kind, suite)]
        cert, key = (C.ec, C.ec_key) if kind == 'ec' else (C.rsa, C.rsa_key)
        return stream(cert, key, ['--ca', C.ca],
                      feed(1000, 50 + len(name)), ciphers=name,
                      want_cipher=name)
    return body


def t_chain():
    """leaf <- intermediate <- test CA: the server sends the leaf and the
    intermediate; the client trusts the root (or only the intermediate).
    Without the intermediate in the chain: CS_E_TLS_UNTRUSTED."""
    why = stream(C.chain, C.chain_key, ['--ca', C.ca], feed(300, 71))
    why += ['trusting the intermediate: %s' % w for w in
            stream(C.chain_leaf, C.chain_key, ['--ca', C.inter],
                   feed(100, 72))]
    why += ['leaf only: %s' % w for w in
            fail_ws(C.chain_leaf, C.chain_key, ['--ca', C.ca], 8,
                    ('CS_E_TLS_UNTRUSTED',))]
    return why


def t_key_p384():
    return stream(C.p384, C.p384_key, ['--ca', C.ca], feed(300, 73)) + \
        ['pinned: %s' % w for w in stream(C.p384, C.p384_key,
                                           ['--pin', C.p384],
                                           feed(100, 74))]


def t_cert_big():
    """A ~32 KB certificate (700 SAN names): the Certificate message
    spans several TLS records."""
    return stream(C.big, C.big_key, ['--ca', C.ca], feed(300, 75)) + \
        ['pinned: %s' % w for w in stream(C.big, C.big_key,
                                           ['--pin', C.big],
                                           feed(100, 76))]


def t_host_case():
    return stream(C.ec, C.ec_key, ['--ca', C.ca], feed(100, 77),
                  host='LocalHost')


def t_sni():
    """SNI: the host name when there is one; none for an IP literal
    (RFC 6066 3), in --pin and --insecure modes."""
    why = []
    names = []
    ctx = T.server_ctx(C.ec, C.ec_key)
    ctx.sni_callback = lambda so, name, c: names.append(name)
    srv = T.TlsLive(ws_sender(['x']), ctx)
    try:
        cases = (('localhost', ['--ca', C.ca], 'localhost'),
                 ('127.0.0.1', ['--pin', C.ec], None),
                 ('127.0.0.1', ['--insecure'], None),
                 ('localhost', ['--insecure'], 'localhost'))
        for host, args, want in cases:
            del names[:]
            cli = W.Client(['--raw', '--once'] + args +
                           ['--url', srv.url(host)])
            rc = cli.wait(10)
            expect_exit(cli, rc, (0,), why)
            if names != [want]:
                why.append('%s %s: SNI %s, expected %r' % (
                    host, ' '.join(args[:1]), names, want))
    finally:
        srv.stop()
    return why


def t_stream_chopped():
    why = []
    msgs = feed(400, 78)
    srv = T.TlsLive(ws_sender(msgs), T.server_ctx(C.rsa, C.rsa_key))
    px = T.ChopProxy(srv.port, 78)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', 'wss://localhost:%d/' % px.port])
        rc = cli.wait(30)
        expect_exit(cli, rc, (0,), why)
        if cli.stdout() != lines(msgs):
            why.append('stdout: %s' % W.first_diff(cli.stdout(),
                                                   lines(msgs)))
        why += srv.errors
    finally:
        px.stop()
        srv.stop()
    return why


def t_stream_large():
    """1 MB and 5 MB messages: hundreds of TLS records each."""
    big = ['{"message_type":"big","p":"%s"}' % (c * n) for c, n in
           (('y', 1 << 20), ('z', 5 << 20))]
    return stream(C.ec, C.ec_key, ['--ca', C.ca], big + feed(10, 79))


class FileOut:
    """The client's stdout in a file (never back-pressure from a pipe
    reader that lags: a blocked write() would hold the client's pongs)."""

    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix='cs-tls-out-')
        self.f = os.fdopen(fd, 'wb')

    def read(self):
        with open(self.path, 'rb') as f:
            return f.read()

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def close(self):
        self.f.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def t_keepalive_load():
    """Pings both ways every 50 ms while 20000 messages stream as fast
    as they go: the client's pongs and pings (TLS records out while
    records come in) must keep up: the server fails the connection if a
    pong is over 5 s late. stdout goes to a file. The server's largest
    gap between two sends is in the message if it fails."""
    why = []
    msgs = feed(5000, 80)
    sends = []

    async def h(ws, i):
        for _ in range(4):
            for m in msgs:
                await ws.send(m)
                sends.append(time.monotonic())
        await ws.close(1000)
    srv = T.TlsLive(h, T.server_ctx(C.ec, C.ec_key), ping_interval=0.05,
                    ping_timeout=5)
    fo = FileOut()
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ping-interval',
                        '0.05', '--timeout', '5', '--ca', C.ca, '--url',
                        srv.url()], stdout=fo.f)
        rc = cli.wait(60)
        expect_exit(cli, rc, (0,), why)
        want = lines(msgs) * 4
        out = fo.read()
        if out != want:
            why.append('stdout: %d of %d bytes; %s' % (
                len(out), len(want), W.first_diff(out, want)))
        ws = srv.conn_done(0)
        if ws is None or ws.close_code != 1000:
            why.append('close code %s' % (ws and ws.close_code))
        if why and len(sends) > 1:
            why.append('the server sent %d messages, at most %.2f s apart'
                       % (len(sends), max(b - a for a, b in
                                          zip(sends, sends[1:]))))
        why += srv.errors
    finally:
        fo.close()
        srv.stop()
    return why


def sigint_server(msgs):
    async def h(ws, i):
        for _ in range(100):
            for m in msgs:
                await ws.send(m)
                await asyncio.sleep(0)
        await ws.close(1000)
    return T.TlsLive(h, T.server_ctx(C.ec, C.ec_key))


def check_sigint_out(out, msgs, why):
    """Whole messages, in order, from the first (the server repeats
    msgs)."""
    if out and not out.endswith(b'\n'):
        why.append('the output ends inside a line: ...%r' % out[-60:])
    got = out.split(b'\n')[:-1]
    for i, ln in enumerate(got):
        want = msgs[i % len(msgs)].encode()
        if ln != want:
            why.append('line %d of %d: %s' % (i + 1, len(got),
                                              W.first_diff(ln, want)))
            break


def t_sigint():
    """SIGINT while streaming over TLS (stdout a file): close 1000
    through TLS, exit 0, whole lines only."""
    why = []
    msgs = feed(2000, 81)
    srv = sigint_server(msgs)
    fo = FileOut()
    try:
        cli = W.Client(['--raw', '--ca', C.ca, '--url', srv.url()],
                       stdout=fo.f)
        end = time.monotonic() + 10
        while time.monotonic() < end and fo.size() < 500000:
            time.sleep(0.02)
        cli.signal(signal.SIGINT)
        rc = cli.wait(5)
        expect_exit(cli, rc, (0,), why)
        check_sigint_out(fo.read(), msgs, why)
        ws = srv.conn_done(0)
        if ws is None or close_code_rcvd(ws) != 1000:
            why.append('client close %s, expected 1000' %
                       (ws and close_code_rcvd(ws)))
        why += srv.errors
    finally:
        fo.close()
        srv.stop()
    return why


def t_sigint_blocked(sig):
    """The signal comes while the client is blocked writing to a full
    stdout pipe (a slow consumer: `certstream | slow`): still exit 0,
    whole lines, close 1000. (Not TLS-specific: the same over ws://.)"""
    def body():
        why = []
        msgs = feed(2000, 81)
        srv = sigint_server(msgs)
        p = None
        try:
            p = subprocess.Popen([W.exe(), '--raw', '--verbose', '--ca',
                                  C.ca, '--url', srv.url()],
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            time.sleep(1.0)             # the pipe is full: write() blocks
            p.send_signal(sig)
            time.sleep(0.2)
            try:
                out, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
                why.append('did not exit within 10 s')
            if p.returncode != 0:
                why.append('%s, expected exit 0 (stopped by %s); stderr %s'
                           % (W.describe_rc(p.returncode),
                              signal.Signals(sig).name, W.short(err, 400)))
            check_sigint_out(out, msgs, why)
            ws = srv.conn_done(0)
            if ws is None or close_code_rcvd(ws) != 1000:
                why.append('client close %s, expected 1000' %
                           (ws and close_code_rcvd(ws)))
            why += srv.errors
        finally:
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
            srv.stop()
        return why
    return body


def t_redirect():
    """ws:// -> 301 -> wss://localhost (TLS chosen per attempt), and
    wss:// -> 301 -> wss://127.0.0.1 (the name check applies to the new
    host: CS_E_TLS_IP_NAME)."""
    import http
    why = []

    def redir(loc):
        async def pr(path, headers):
            return (http.HTTPStatus.MOVED_PERMANENTLY,
                    [('Location', loc)], b'')
        return pr
    msgs = feed(200, 82)
    tls = T.TlsLive(ws_sender(msgs), T.server_ctx(C.ec, C.ec_key))
    plain = T.TlsLive(ws_sender(['not here']), None,
                      process_request=redir(tls.url()))
    tls2 = T.TlsLive(ws_sender(['not here']), T.server_ctx(C.ec, C.ec_key),
                     process_request=redir(tls.url('127.0.0.1')))
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', 'ws://localhost:%d/' % plain.port])
        rc = cli.wait(15)
        expect_exit(cli, rc, (0,), why)
        if cli.stdout() != lines(msgs):
            why.append('ws->wss: stdout %s' % W.first_diff(cli.stdout(),
                                                           lines(msgs)))
        if ('redirected (301) to %s' % tls.url()).encode() not in \
                cli.stderr():
            why.append('ws->wss: stderr %s' % W.short(cli.stderr(), 300))
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', tls2.url()])
        rc = cli.wait(15)
        w = []
        expect_failure(cli, rc, 8, ('CS_E_TLS_IP_NAME',), w)
        why += ['wss->wss://127.0.0.1: %s' % x for x in w]
    finally:
        for x in (tls, plain, tls2):
            x.stop()
    return why


# ---------------------------------------------------------------------------
# failures

def t_fail_unknown_ca():
    # the server's chain is from the unrelated CA; then the other way
    return fail_ws(C.ec2, C.ec2_key, ['--ca', C.ca], 8,
                   ('CS_E_TLS_UNTRUSTED',), br='unknown CA') + \
        fail_ws(C.ec, C.ec_key, ['--ca', C.ca2], 8, ('CS_E_TLS_UNTRUSTED',))


def t_fail_expired():
    return fail_ws(C.expired, C.expired_key, ['--ca', C.ca], 8,
                   ('CS_E_TLS_EXPIRED',), br='expired')


def t_fail_future():
    return fail_ws(C.future, C.future_key, ['--ca', C.ca], 8,
                   ('CS_E_TLS_EXPIRED',), br='not yet valid')


def t_fail_name():
    return fail_ws(C.other, C.other_key, ['--ca', C.ca], 8,
                   ('CS_E_TLS_NAME',), br='hostname mismatch')


def t_fail_ip():
    # the certificate has IP:127.0.0.1, but BearSSL never matches IPs
    return fail_ws(C.ec, C.ec_key, ['--ca', C.ca], 8, ('CS_E_TLS_IP_NAME',),
                   host='127.0.0.1', text=('host name', 'pin'))


def t_fail_client_cert():
    """The server requires a client certificate (the client has none):
    OpenSSL answers the client's flight with a fatal handshake_failure
    alert and closes -> CS_E_TLS_ALERT, exit 8. Twenty runs: the alert
    can arrive while the client is still writing its flight (three
    records, three writes), and must not be lost then either."""
    import ssl
    why = []
    ctx = T.server_ctx(C.ec, C.ec_key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(C.ca)
    srv = T.RawTls(ctx, None)
    got = {}
    try:
        for _ in range(20):
            cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                            '--url', srv.url()])
            rc = cli.wait(15)
            w = []
            fl = expect_failure(cli, rc, 8, ('CS_E_TLS_ALERT',), w,
                                br='alert received')
            k = (rc, fl[1] if fl else None, fl[2] if fl else None)
            got[k] = got.get(k, 0) + 1
            if w and len(why) < 2:
                why += w
        if len(got) > 1 or why:
            why.append('20 runs: %s' % ', '.join(
                'exit %s %s (BearSSL: %s) x%d' % (k + (n,))
                for k, n in got.items()))
    finally:
        srv.stop()
    return why


def t_fail_alert_flight():
    """A server that sends its whole first flight (ServerHello ...
    ServerHelloDone) and a fatal handshake_failure alert in one write,
    then resets the connection: the alert is in the client's socket
    buffer when its own flight meets the closed connection (EPIPE /
    ECONNRESET). The alert is what ended the handshake: CS_E_TLS_ALERT,
    exit 8. Ten runs."""
    import ssl
    why = []
    ctx = T.server_ctx(C.ec, C.ec_key)

    def h(conn, i):
        inc, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inc, outb, server_side=True)
        conn.sock.settimeout(5)
        while not outb.pending:
            d = conn.sock.recv(65536)
            if not d:
                return
            inc.write(d)
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
        conn.send(outb.read() + bytes([0x15, 3, 3, 0, 2, 2, 40]))
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack('ii', 1, 0))
    srv = W.Server(h)
    got = {}
    try:
        for _ in range(10):
            cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                            '--url', 'wss://localhost:%d/' % srv.port])
            rc = cli.wait(15)
            w = []
            fl = expect_failure(cli, rc, 8, ('CS_E_TLS_ALERT',), w,
                                br='handshake_failure')
            k = (rc, fl[1] if fl else None, fl[2] if fl else None)
            got[k] = got.get(k, 0) + 1
            if w and len(why) < 2:
                why += w
        if len(got) > 1 or why:
            why.append('10 runs: %s' % ', '.join(
                'exit %s %s (BearSSL: %s) x%d' % (k + (n,))
                for k, n in got.items()))
        why += srv.errors
    finally:
        srv.stop()
    return why


def t_fail_tls13_python():
    """Python's ssl (blocking wrap_socket), TLS 1.3 only: OpenSSL answers
    the TLS 1.2 ClientHello with a protocol_version alert."""
    why = []
    srv = T.RawTls(T.server_ctx(C.ec, C.ec_key, tls13_only=True), None)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', srv.url()])
        rc = cli.wait(15)
        expect_failure(cli, rc, 8, ('CS_E_TLS_VERSION',), why,
                       br='protocol_version')
        end = time.monotonic() + 3
        while not srv.hs_errors and time.monotonic() < end:
            time.sleep(0.02)
        if not srv.hs_errors or 'UNSUPPORTED_PROTOCOL' not in \
                str(srv.hs_errors[0][1]):
            why.append('server handshake: %r' % srv.hs_errors)
    finally:
        srv.stop()
    return why


NOTES = []


def t_fail_tls13_websockets():
    """websockets over ssl, TLS 1.3 only. Python 3.11's asyncio sslproto
    closes the transport on a handshake error without flushing the
    protocol_version alert OpenSSL produced, so the client sees TCP EOF in
    the handshake: it can only say CS_E_TLS_TRUNCATED (exit 3, could not
    connect). If asyncio does send the alert: CS_E_TLS_VERSION, exit 8."""
    why = []
    ctx = T.server_ctx(C.ec, C.ec_key, tls13_only=True)
    srv = T.TlsLive(ws_sender(['must not be printed']), ctx)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', srv.url()])
        rc = cli.wait(15)
        fl = T.failures(cli.stderr())
        name = fl[-1][1] if fl else None
        want_rc = 3 if name == 'CS_E_TLS_TRUNCATED' else 8
        expect_failure(cli, rc, want_rc, ('CS_E_TLS_VERSION',
                                          'CS_E_TLS_ALERT',
                                          'CS_E_TLS_TRUNCATED'), why)
        NOTES.append('TLS 1.3-only websockets server: %s, exit %s' % (
            name, rc))
    finally:
        srv.stop()
    return why


def t_fail_tls13_s_server():
    why = []
    s = T.SServer(['-cert', C.ec, '-key', C.ec_key, '-tls1_3'])
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', s.url()])
        rc = cli.wait(15)
        expect_failure(cli, rc, 8, ('CS_E_TLS_VERSION',), why,
                       br='protocol_version')
    finally:
        s.stop()
    return why


def t_fail_stall():
    """A server that reads the ClientHello and then says nothing: the
    client's connect + handshake timeout (10 s, not settable from the
    command) ends it: CS_E_TIMEOUT, exit 3."""
    why = []
    st = {}

    def h(conn, i):
        conn.sock.settimeout(15)
        try:
            st['hello'] = conn.sock.recv(4096)
        except OSError:
            st['hello'] = b''
        st['t'] = time.monotonic()
        conn.read_until_eof(15)
        st['eof'] = time.monotonic()
    srv = T.RawTls(None, h)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', srv.url()])
        # when the "failed:" line comes (not the exit: a sanitizer's
        # exit-time work does not count)
        t_fail = None
        end = time.monotonic() + 16
        while time.monotonic() < end and cli.running():
            if b'failed:' in cli.stderr():
                t_fail = time.monotonic()
                break
            time.sleep(0.02)
        rc = cli.wait(5)
        if t_fail is None and b'failed:' in cli.stderr():
            t_fail = cli.t_exit
        expect_failure(cli, rc, 3, ('CS_E_TIMEOUT',), why)
        hello = st.get('hello', b'')
        if hello[:3] not in (b'\x16\x03\x01', b'\x16\x03\x03'):
            why.append('the server did not get a ClientHello: %s' %
                       W.short(hello, 20))
        if srv.accepts and t_fail:
            dt = t_fail - srv.accepts[0]
            if not 9.0 <= dt <= 11.5:
                why.append('gave up after %.2f s, expected ~10' % dt)
    finally:
        srv.stop()
    return why


def raw_stream_then(ending, n=200, seed=61):
    """The raw TLS peer: the websocket handshake, n messages, then ending
    (a function of the RawConn). Returns (why, client, messages)."""
    why = []
    msgs = feed(n, seed)

    def h(conn, i):
        conn.handshake(5)
        conn.send(b''.join(frame(OP_TEXT, m.encode()) for m in msgs))
        time.sleep(0.3)
        ending(conn)
        time.sleep(0.2)
    srv = T.RawTls(T.server_ctx(C.ec, C.ec_key), h)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', srv.url()])
        rc = cli.wait(10)
        why += srv.errors
        return why, cli, rc, msgs
    finally:
        srv.stop()


def expect_disconnect(cli, rc, want, why):
    expect_exit(cli, rc, (7,), why)
    d = disconnects(cli.stderr())
    if len(d) != 1 or d[0][1] != want:
        why.append('disconnect lines %s, expected one with %s' % (d, want))
    if T.failures(cli.stderr()):
        why.append('a "failed:" line: %s' % W.short(cli.stderr(), 300))


def t_fail_truncated():
    why, cli, rc, msgs = raw_stream_then(lambda c: c.drop_tcp())
    expect_disconnect(cli, rc, 'CS_E_TLS_TRUNCATED', why)
    if cli.stdout() != lines(msgs):
        why.append('stdout: %s' % W.first_diff(cli.stdout(), lines(msgs)))
    return why


def t_fail_truncated_midframe():
    cut = frame(OP_TEXT, b'{"message_type":"cut in the middle", "pad":"' +
                b'x' * 3000 + b'"}')

    def end(c):
        c.send(cut[:1500])
        time.sleep(0.2)
        c.drop_tcp()
    why, cli, rc, msgs = raw_stream_then(end, 50, 62)
    expect_disconnect(cli, rc, 'CS_E_TLS_TRUNCATED', why)
    if cli.stdout() != lines(msgs):
        why.append('stdout: %s' % W.first_diff(cli.stdout(), lines(msgs)))
    return why


def t_fail_close_notify():
    def end(c):
        try:
            c.sock.unwrap()         # close_notify
        except (OSError, ValueError):
            pass
        c.drop_tcp()
    why, cli, rc, msgs = raw_stream_then(end, 50, 63)
    expect_disconnect(cli, rc, 'CS_E_CLOSED', why)
    if cli.stdout() != lines(msgs):
        why.append('stdout: %s' % W.first_diff(cli.stdout(), lines(msgs)))
    return why


def t_fail_plain():
    """A plain ws:// websockets server at a wss:// URL: it answers the
    ClientHello with an HTTP 400, which is no TLS record."""
    why = []
    srv = T.TlsLive(ws_sender(['must not be printed']), None)
    try:
        cli = W.Client(['--raw', '--once', '--verbose', '--ca', C.ca,
                        '--url', srv.url()])
        rc = cli.wait(15)
        fl = expect_failure(cli, rc, 8, ('CS_E_TLS', 'CS_E_TLS_VERSION',
                                         'CS_E_TLS_ALERT'), why)
        if fl:
            NOTES.append('plain ws server at wss://: %s (BearSSL: %s)' %
                         (fl[1], fl[2]))
    finally:
        srv.stop()
    return why


# ---------------------------------------------------------------------------
# openssl s_server

def s_client(s, args=()):
    return W.Client(['--raw', '--once', '--verbose', '--ca', C.ca] +
                    list(args) + ['--url', s.url()])


def t_s_server_name():
    why = []
    s = T.SServer(['-cert', C.other, '-key', C.other_key])
    try:
        cli = s_client(s)
        rc = cli.wait(15)
        expect_failure(cli, rc, 8, ('CS_E_TLS_NAME',), why,
                       br='hostname mismatch')
    finally:
        s.stop()
    return why


def t_s_server_www():
    """-www answers the GET with an HTTP/1.0 status page."""
    why = []
    s = T.SServer(['-cert', C.rsa, '-key', C.rsa_key, '-www'])
    try:
        cli = s_client(s)
        rc = cli.wait(15)
        expect_failure(cli, rc, 4, ('CS_E_HS_SYNTAX', 'CS_E_HS_STATUS'),
                       why)
    finally:
        s.stop()
    return why


def s_server_after_get(after, args=(), wait=10):
    """s_server (plain mode: stdin goes to the client); once the client's
    GET has arrived, after(s, request) runs. Returns (why, cli, rc)."""
    why = []
    s = T.SServer(['-cert', C.ec, '-key', C.ec_key] + list(args))
    try:
        cli = s_client(s)
        if not s.wait_for(b'\r\n\r\n', 10):
            why.append('no request reached s_server: %s' %
                       W.short(s.output(), 300))
        else:
            out = s.output().decode('latin-1')
            m = re.search(r'Sec-WebSocket-Key: *(\S+)', out)
            after(s, m.group(1) if m else '', cli)
        rc = cli.wait(wait)
        return why, cli, rc
    finally:
        s.stop()


def t_s_server_garbage():
    def after(s, key, cli):
        s.write(b'garbage \x01\xfe garbage\r\n\r\n')
    why, cli, rc = s_server_after_get(after)
    expect_failure(cli, rc, 4, ('CS_E_HS_SYNTAX', 'CS_E_HS_STATUS'), why)
    return why


def t_s_server_cleartext():
    """'P' makes s_server write a cleartext line straight on the socket
    (no record layer) in the middle of the TLS session."""
    def after(s, key, cli):
        s.write(b'P\n')
    why, cli, rc = s_server_after_get(after)
    expect_failure(cli, rc, 8, ('CS_E_TLS', 'CS_E_TLS_VERSION'), why)
    return why


def t_s_server_close():
    """'Q' closes the socket without close_notify, before the 101: the
    websocket never opened, so it is a failed connect (exit 3)."""
    def after(s, key, cli):
        s.write(b'Q\n')
    why, cli, rc = s_server_after_get(after)
    expect_failure(cli, rc, 3, ('CS_E_TLS_TRUNCATED',), why)
    return why


def hs101(key):
    acc = W.accept_for(key)
    return ('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
            'Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n' %
            acc).encode()


def wait_out(cli, want, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end and cli.running() and \
            cli.stdout() != want:
        time.sleep(0.02)


def t_s_server_open_close():
    want = b'hello 1\nhello 2\n'

    def after(s, key, cli):
        s.write(hs101(key))
        time.sleep(0.1)
        s.write(frame(OP_TEXT, b'hello 1') + frame(OP_TEXT, b'hello 2'))
        wait_out(cli, want, 5)
        s.write(b'Q\n')
    why, cli, rc = s_server_after_get(after)
    expect_disconnect(cli, rc, 'CS_E_TLS_TRUNCATED', why)
    if cli.stdout() != want:
        why.append('stdout %s' % W.short(cli.stdout()))
    return why


def t_s_server_open_garbage():
    want = b'hello 1\n'

    def after(s, key, cli):
        s.write(hs101(key))
        time.sleep(0.1)
        s.write(frame(OP_TEXT, b'hello 1'))
        wait_out(cli, want, 5)
        s.write(b'\x83\x00')            # reserved opcode 3
    why, cli, rc = s_server_after_get(after)
    expect_exit(cli, rc, (5,), why)
    d = disconnects(cli.stderr())
    if len(d) != 1 or d[0][1] != 'CS_E_WS_OPCODE':
        why.append('disconnect lines %s, expected CS_E_WS_OPCODE' % d)
    if cli.stdout() != want:
        why.append('stdout %s' % W.short(cli.stdout()))
    return why


def t_s_server_renegotiate():
    """'r' makes s_server ask for a renegotiation (HelloRequest) in the
    middle of the stream: BearSSL renegotiates (secure renegotiation) and
    the stream goes on; then 'Q' (TCP closed, no close_notify). s_server's
    closing statistics show the second handshake."""
    want = b'before\nafter 1\nafter 2\n'
    stats = {}

    def after(s, key, cli):
        s.write(hs101(key))
        time.sleep(0.1)
        s.write(frame(OP_TEXT, b'before'))
        wait_out(cli, b'before\n', 5)
        s.write(b'r\n')
        time.sleep(0.5)
        s.write(frame(OP_TEXT, b'after 1'))
        time.sleep(0.2)
        s.write(frame(OP_TEXT, b'after 2'))
        wait_out(cli, want, 5)
        s.write(b'Q\n')
        s.wait_for(b'server accepts that finished', 5)
        m = re.search(rb'(\d+) server accepts that finished', s.output())
        stats['done'] = int(m.group(1)) if m else None
    why, cli, rc = s_server_after_get(after)
    expect_disconnect(cli, rc, 'CS_E_TLS_TRUNCATED', why)
    if cli.stdout() != want:
        why.append('stdout %s' % W.short(cli.stdout()))
    if stats.get('done') != 2:
        why.append('s_server finished %s handshakes, expected 2 (the '
                   'renegotiation)' % stats.get('done'))
    return why


# ---------------------------------------------------------------------------
# retry schedule

def t_retry_untrusted():
    """No --once, a server from the unrelated CA: the client tries again
    after ~1 s, then ~2 s (+-25%), each attempt failing the same way, and
    prints nothing. About 3 TCP connections in 4.3 s."""
    why = []
    srv = T.RawTls(T.server_ctx(C.ec2, C.ec2_key),
                   lambda conn, i: conn.send(frame(OP_TEXT, b'no')))
    try:
        cli = W.Client(['--raw', '--verbose', '--ca', C.ca, '--url',
                        srv.url()])
        time.sleep(4.3)
        running = cli.running()
        acc = list(srv.accepts)
        cli.signal(signal.SIGTERM)
        rc = cli.wait(5)
        if not running:
            why.append('the client exited (%s) instead of retrying' %
                       W.describe_rc(rc))
        else:
            expect_exit(cli, rc, (0,), why)
        gaps = [b - a for a, b in zip(acc, acc[1:])]
        if len(acc) != 3:
            why.append('%d connections in 4.3 s, expected 3' % len(acc))
        if len(gaps) >= 1 and not 0.7 <= gaps[0] <= 1.35:
            why.append('first retry after %.2f s, expected 0.75-1.25' %
                       gaps[0])
        if len(gaps) >= 2 and not 1.4 <= gaps[1] <= 2.7:
            why.append('second retry after %.2f s, expected 1.5-2.5' %
                       gaps[1])
        if cli.stdout():
            why.append('data printed: %s' % W.short(cli.stdout()))
        fl = T.failures(cli.stderr())
        names = set(f[1] for f in fl)
        if len(fl) != len(acc) or names != {'CS_E_TLS_UNTRUSTED'}:
            why.append('%d connections, failures %s' % (
                len(acc), [f[1] for f in fl]))
        nretry = len(re.findall(rb'retrying in \d+ ms', cli.stderr()))
        if nretry < len(acc) - 1:
            why.append('%d "retrying" lines for %d connections' % (
                nretry, len(acc)))
        if why:
            why.append('gaps %s' % ', '.join('%.2f' % g for g in gaps))
    finally:
        srv.stop()
    return why


TESTS = [
    # the long ones first, so that they overlap the rest
    ('fail.stall', 'ClientHello read, then silence: connect timeout '
     '(exit 3)', t_fail_stall),
    ('retry.untrusted', 'untrusted server without --once: retries ~1 s, '
     '~2 s apart, no data', t_retry_untrusted),
    ('insecure', '--insecure: unknown CA at an IP streams; a WARNING per '
     'connection without --verbose', t_insecure),
    ('stream.ec.raw', 'ECDSA, --ca file, 5000 messages, --raw',
     t_stream_ec_raw),
    ('stream.rsa.json', 'RSA, --ca file, 3000 messages, --json',
     t_stream_rsa_json),
    ('trust.cafile', '--ca FILE', t_trust_cafile),
    ('trust.cadir', '--ca DIR (with a non-certificate file in it)',
     t_trust_cadir),
    ('trust.env', 'CERTSTREAM_CA', t_trust_env),
    ('trust.env.override', '--ca wins over CERTSTREAM_CA',
     t_trust_env_override),
    ('trust.cadir.hash', '--ca DIR holding only a HASH.0 symlink',
     t_trust_cadir_hash),
    ('trust.bundle', '--ca the system bundle + the test CA last',
     t_trust_bundle),
    ('trust.system', 'no --ca: the system bundle rejects the test CA',
     t_trust_system),
    ('trust.cafile.bad', '--ca missing / text / key / empty dir: exit 8',
     t_trust_cafile_bad),
    ('pin.ec', '--pin the ECDSA server certificate', t_pin_ec),
    ('pin.rsa', '--pin the RSA server certificate', t_pin_rsa),
    ('pin.ip', '--pin at wss://127.0.0.1', t_pin_ip),
    ('pin.der', '--pin a DER certificate', t_pin_der),
    ('pin.nochecks', '--pin: expired, not yet valid, other name, other CA',
     t_pin_nochecks),
    ('pin.other', '--pin another EC key -> CS_E_TLS_PIN', t_pin_other),
    ('pin.keytype', '--pin an RSA key at an ECDSA server and back -> '
     'CS_E_TLS_PIN', t_pin_keytype),
    ('pin.bad', '--pin a file that is no certificate: exit 8', t_pin_bad),
    ('chain', 'leaf <- intermediate <- CA; leaf only -> UNTRUSTED',
     t_chain),
    ('key.p384', 'ECDSA P-384 leaf (--ca, --pin)', t_key_p384),
    ('cert.big', 'a 32 KB certificate (700 names) (--ca, --pin)',
     t_cert_big),
    ('host.case', 'wss://LocalHost matches localhost', t_host_case),
    ('sni', 'SNI is the host name; none for an IP literal', t_sni),
    ('stream.chopped', 'TLS records in 1-7 byte TCP writes (a relay)',
     t_stream_chopped),
    ('stream.large', '1 MB and 5 MB messages', t_stream_large),
    ('keepalive.load', 'pings both ways every 50 ms under a 40 MB stream',
     t_keepalive_load),
    ('sigint', 'SIGINT mid-stream: close 1000 over TLS, exit 0', t_sigint),
    ('sigint.blocked', 'SIGINT while blocked on a full stdout pipe: '
     'exit 0', t_sigint_blocked(signal.SIGINT)),
    ('sigterm.blocked', 'SIGTERM while blocked on a full stdout pipe: '
     'exit 0', t_sigint_blocked(signal.SIGTERM)),
    ('redirect', 'ws:// -> wss://localhost; wss:// -> wss://127.0.0.1',
     t_redirect),
] + [
    ('cipher.%s.%s' % (k, s), T.SUITES[(k, s)] + ' forced by the server',
     t_cipher(k, s))
    for k in ('ec', 'rsa') for s in ('aes128', 'aes256', 'chacha')
] + [
    ('fail.unknown_ca', 'chain from an unrelated CA -> CS_E_TLS_UNTRUSTED',
     t_fail_unknown_ca),
    ('fail.expired', 'expired -> CS_E_TLS_EXPIRED', t_fail_expired),
    ('fail.future', 'not yet valid -> CS_E_TLS_EXPIRED', t_fail_future),
    ('fail.name', 'certificate for other.example -> CS_E_TLS_NAME',
     t_fail_name),
    ('fail.ip', 'wss://127.0.0.1 with --ca -> CS_E_TLS_IP_NAME',
     t_fail_ip),
    ('fail.client_cert', 'the server requires a client certificate -> '
     'CS_E_TLS_ALERT (20 runs)', t_fail_client_cert),
    ('fail.alert.flight', 'a fatal alert right after ServerHelloDone, '
     'then a reset -> CS_E_TLS_ALERT (10 runs)', t_fail_alert_flight),
    ('fail.tls13.python', 'Python ssl, TLS 1.3 only -> CS_E_TLS_VERSION',
     t_fail_tls13_python),
    ('fail.tls13.websockets', 'websockets + ssl, TLS 1.3 only: no alert '
     'sent -> TRUNCATED (exit 3), or VERSION', t_fail_tls13_websockets),
    ('fail.tls13.s_server', 'openssl s_server -tls1_3 -> CS_E_TLS_VERSION',
     t_fail_tls13_s_server),
    ('fail.truncated', 'TCP closed without close_notify mid-stream -> '
     'exit 7, CS_E_TLS_TRUNCATED', t_fail_truncated),
    ('fail.truncated.midframe', 'the same inside a frame: the cut message '
     'is not printed', t_fail_truncated_midframe),
    ('fail.close_notify', 'close_notify, no websocket close -> exit 7, '
     'CS_E_CLOSED', t_fail_close_notify),
    ('fail.plain', 'plain ws:// server at a wss:// URL -> exit 8',
     t_fail_plain),
    ('s_server.name', 'other.example certificate -> CS_E_TLS_NAME',
     t_s_server_name),
    ('s_server.www', '-www: an HTTP/1.0 page -> exit 4', t_s_server_www),
    ('s_server.garbage', 'garbage instead of the 101 -> exit 4',
     t_s_server_garbage),
    ('s_server.cleartext', 'cleartext bytes in the TLS stream -> exit 8',
     t_s_server_cleartext),
    ('s_server.close', 'TCP closed before the 101 -> exit 3, '
     'CS_E_TLS_TRUNCATED', t_s_server_close),
    ('s_server.open.close', 'TCP closed after 101 + 2 frames -> exit 7, '
     'CS_E_TLS_TRUNCATED', t_s_server_open_close),
    ('s_server.open.garbage', 'a reserved opcode after the 101 -> exit 5',
     t_s_server_open_garbage),
    ('s_server.renegotiate', 'a server-asked renegotiation mid-stream: '
     'the stream goes on', t_s_server_renegotiate),
]


# tens of MB through Python servers: run alone, after the others, so
# that they do not starve the other tests' servers and timers (threads of
# this process, one GIL)
HEAVY = {'stream.ec.raw', 'stream.rsa.json', 'stream.large',
         'keepalive.load', 'sigint'}


def main():
    global C
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    if shutil.which(T.OPENSSL) is None:
        print('FAIL: no openssl command: no certificates')
        print('0 passed, 1 failed')
        return 1
    only = sys.argv[1:]
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix='cs-tls-')
    counts = {'p': 0, 'f': 0}
    failed_names = []
    dog = W.watchdog(100, lambda: (counts['p'], counts['f']))
    try:
        try:
            C = T.make_certs(tmp)
        except Exception as e:
            print('FAIL: making the test certificates: %s' % e)
            print('0 passed, 1 failed')
            return 1
        print('certificates made in %.1f s' % (time.monotonic() - t0))
        sys.stdout.flush()
        todo = [t for t in TESTS
                if not only or any(t[0].startswith(o) for o in only)]
        jobs = int(os.environ.get('TLS_JOBS', '6'))
        lock = threading.Lock()

        def run(t):
            name, desc, fn = t
            t1 = time.monotonic()
            try:
                why = [w for w in fn() if w]
            except Exception as e:
                why = ['test error: %r' % e]
            dt = time.monotonic() - t1
            with lock:
                if why:
                    counts['f'] += 1
                    failed_names.append(name)
                    print('test %s %s ... FAIL (%s) [%.1f s]' % (
                        name, desc, '; '.join(why), dt))
                else:
                    counts['p'] += 1
                    print('test %s %s ... PASS [%.1f s]' % (name, desc, dt))
                sys.stdout.flush()
        # the light tests in parallel, then the heavy ones one at a time
        with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as ex:
            list(ex.map(run, [t for t in todo if t[0] not in HEAVY]))
        for t in todo:
            if t[0] in HEAVY:
                run(t)
    finally:
        dog.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
    for n in NOTES:
        print('note: %s' % n)
    if failed_names:
        print('failed: %s' % ' '.join(sorted(failed_names)))
    print('%d tests in %.1f s' % (counts['p'] + counts['f'],
                                  time.monotonic() - t0))
    print('%d passed, %d failed' % (counts['p'], counts['f']))
    return 1 if counts['f'] else 0


if __name__ == '__main__':
    sys.exit(main())
