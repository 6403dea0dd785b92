#!/usr/bin/python3
"""The certstream command as people meet it: told what is wrong, safe
output, prompt output and prompt exits (issue 11).

Runs the command (CS_BUILD, default build/certstream) against peers on
127.0.0.1: the raw peer of tests/wspeer.py for exact bytes and hostile
servers, TLS servers of tests/tlspeer.py for certificate failures and a
CRLF CA file, and a pseudo-terminal (python's pty) where a terminal
matters.

  fail.*        one stderr line per failed attempt without --verbose
                (refused, DNS, HTTP status, Retry-After capped, a dead
                connection, an untrusted certificate), repeats summarized,
                --quiet silent, --once exits 3 with the line
  usage.*       settings that can never work: exit 2 naming the option;
                --url=URL and -- work; --ca for ws:// is no error; a
                9 KB bearer token reaches the server
  output.*      --help to /dev/full or a closed stdout: exit 1
  json.*        one line per JSON object: pretty-printed and CR-ended
                messages joined, compact ones byte-exact
  escape.*      control characters from the network escaped in human,
                --domains and --verbose output, with and without a TTY
  human.*       lines for certificates lacking fields; seen out of range;
                --domains on heartbeats and unknown types
  overflow      domains over the storage reported on stderr
  signal.*      SIGTERM with stdout blocked by a reader that stopped; a
                second SIGINT ends at once
  batch.*       a line on a slow feed appears at once (pipe and TTY)
  tls.crlf      a CA file with CRLF line ends loads

Prints "test NAME ... PASS|FAIL (why)" per test and "N passed, N failed".
Arguments, if any, are name prefixes: only those tests run.
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W                                          # noqa: E402
from wspeer import frame, close_frame, OP_TEXT             # noqa: E402

PASSED = [0]
FAILED = [0]


def ws_server(msgs, close=True, hold=0.0, code=1000, reason=b''):
    """A raw server: the handshake, msgs (str or bytes) as text frames,
    then a close (or nothing, holding the connection hold seconds)."""
    def h(conn, i):
        if conn.handshake() is None:
            return
        for m in msgs:
            conn.send(frame(OP_TEXT, m.encode() if isinstance(m, str)
                            else m))
        if hold:
            time.sleep(hold)
        if close:
            conn.send(close_frame(code, reason))
            conn.read_until_close(3)
    return W.Server(h)


def run(args, msgs=(), timeout=5, **kw):
    """The client with args against a server sending msgs; returns
    (rc, stdout, stderr)."""
    srv = ws_server(msgs, **kw)
    try:
        cli = W.Client(list(args) + ['--url', srv.url('/')])
        rc = cli.wait(timeout)
        return rc, cli.stdout(), cli.stderr()
    finally:
        srv.stop()


def cert(domains=None, seen=1700000000.5, url='https://ct.example/log/',
         extra=None):
    d = {'message_type': 'certificate_update',
         'data': {'cert_index': 1, 'seen': seen,
                  'source': {'url': url, 'name': 'Example log'},
                  'leaf_cert': {'all_domains': domains or ['a.example']}}}
    if seen is None:
        del d['data']['seen']
    if url is None:
        del d['data']['source']
    if extra:
        d['data'].update(extra)
    return json.dumps(d)


def check(why, cond, msg):
    if not cond:
        why.append(msg)


def hostile(b):
    """True if b holds a byte a terminal would act on."""
    return re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]',
                     b) is not None


# ---------------------------------------------------------------------------
# told what is wrong

def t_fail_refused_once():
    why = []
    port = W.free_port_closed()
    cli = W.Client(['--once', '--url', 'ws://127.0.0.1:%d/' % port])
    rc = cli.wait(5)
    err = cli.stderr()
    check(why, rc == 3, 'exit %s, expected 3' % rc)
    check(why, err.count(b'\n') == 1 and b'cannot connect to ws://127.0.0.1'
          in err and b'Connection refused' in err and b'CS_E_CONNECT' in err,
          'stderr %r: expected one line naming the URL and the refusal' %
          err)
    check(why, b'retrying' not in err, '--once says it retries: %r' % err)
    cli = W.Client(['--once', '--quiet', '--url',
                    'ws://127.0.0.1:%d/' % port])
    rc = cli.wait(5)
    check(why, rc == 3 and cli.stderr() == b'',
          '--quiet: exit %s, stderr %r' % (rc, cli.stderr()))
    return why


def t_fail_refused_repeat():
    """Retries forever: each line says when the next try comes; the same
    failure is shown at the 1st, 2nd, 4th... time with its count."""
    why = []
    port = W.free_port_closed()
    cli = W.Client(['--url', 'ws://127.0.0.1:%d/' % port])
    time.sleep(4.5)                  # attempts at ~0, 1, 3, (7) s
    cli.signal(signal.SIGTERM)
    rc = cli.wait(4)
    lines = cli.stderr().splitlines()
    check(why, rc == 0, 'exit %s after SIGTERM' % rc)
    check(why, 2 <= len(lines) <= 3, '%d lines: %r' % (len(lines), lines))
    check(why, all(re.search(rb'; retrying in \d+\.\d s$', x)
                   for x in lines), 'lines without the retry delay: %r'
          % lines)
    check(why, len(lines) > 1 and b'(2 times in a row)' in lines[1],
          'the second line does not count the repeat: %r' % lines)
    return why


def t_fail_dns():
    why = []
    cli = W.Client(['--once', '--url', 'ws://no-such-host.invalid/'])
    rc = cli.wait(10)
    err = cli.stderr()
    check(why, rc == 3 and b'host name did not resolve' in err
          and b'no-such-host.invalid' in err, 'exit %s, stderr %r' %
          (rc, err))
    return why


def t_fail_http(status, retry_after, capped):
    def body():
        why = []

        def h(conn, i):
            if conn.read_request(5) is None:
                return
            conn.send(('HTTP/1.1 %s\r\nRetry-After: %d\r\n'
                       'Content-Length: 0\r\n\r\n' % (status, retry_after))
                      .encode())
            time.sleep(0.05)
        srv = W.Server(h)
        try:
            cli = W.Client(['--url', srv.url('/')])
            end = time.monotonic() + 3
            while b'\n' not in cli.stderr() and time.monotonic() < end:
                time.sleep(0.02)
            cli.signal(signal.SIGINT)
            rc = cli.wait(4)
            err = cli.stderr()
            check(why, rc == 0, 'exit %s after SIGINT' % rc)
            check(why, ('HTTP %s' % status[:3]).encode() in err,
                  'stderr does not name the status: %r' % err)
            if capped:
                check(why, b'Retry-After %d s, capped: retrying in 86400.0 s'
                      % retry_after in err, 'the cap is not said: %r' % err)
            else:
                check(why, b'retrying in %d.0 s (Retry-After)' % retry_after
                      in err, 'Retry-After not shown: %r' % err)
        finally:
            srv.stop()
        return why
    return body


def t_fail_dead():
    """A connection that goes silent: --timeout ends it, and without
    --verbose one line says it was lost and why."""
    why = []
    rc, out, err = run(['--once', '--ping-interval', '0.2', '--timeout',
                        '0.6'], msgs=[cert()], close=False, hold=3)
    check(why, rc == 7, 'exit %s, expected 7' % rc)
    check(why, b'lost' in err and b'CS_E_DEAD' in err and
          err.count(b'\n') == 1, 'stderr %r' % err)
    return why


def t_fail_untrusted():
    why = []
    try:
        import tlspeer as T
    except ImportError as e:
        print('SKIP: tls.untrusted (%s)' % e)
        return why
    with tempfile.TemporaryDirectory() as d:
        C = T.make_certs(d)

        async def h(ws, i):
            await ws.send('x')
            await ws.close(1000)
        srv = T.TlsLive(h, T.server_ctx(C.ec2, C.ec2_key))
        try:
            cli = W.Client(['--once', '--ca', C.ca, '--url', srv.url()])
            rc = cli.wait(10)
            err = cli.stderr()
            check(why, rc == 8, 'exit %s, expected 8' % rc)
            check(why, err.count(b'\n') == 1 and b'CS_E_TLS_UNTRUSTED' in err
                  and b'BearSSL' in err, 'stderr %r' % err)
        finally:
            srv.stop()
    return why


def t_tls_crlf():
    why = []
    try:
        import tlspeer as T
    except ImportError as e:
        print('SKIP: tls.crlf (%s)' % e)
        return why
    with tempfile.TemporaryDirectory() as d:
        C = T.make_certs(d)
        crlf = os.path.join(d, 'ca-crlf.pem')
        with open(C.ca, 'rb') as f, open(crlf, 'wb') as g:
            g.write(f.read().replace(b'\n', b'\r\n'))
        pin = os.path.join(d, 'pin-crlf.pem')
        with open(C.ec, 'rb') as f, open(pin, 'wb') as g:
            g.write(f.read().replace(b'\n', b'\r\n'))

        async def h(ws, i):
            await ws.send('{"message_type":"dns_entries","data":["x.example"]}')
            await ws.close(1000)
        srv = T.TlsLive(h, T.server_ctx(C.ec, C.ec_key))
        try:
            for opt in (['--ca', crlf], ['--pin', pin]):
                cli = W.Client(['--once', '--domains'] + opt +
                               ['--url', srv.url()])
                rc = cli.wait(10)
                check(why, rc == 0 and cli.stdout() == b'x.example\n',
                      '%s CRLF: exit %s, stdout %r, stderr %r' % (
                          opt[0], rc, cli.stdout(), cli.stderr()))
        finally:
            srv.stop()
    return why


# ---------------------------------------------------------------------------
# settings that can never work

USAGE = [
    (['--json', '--raw'], b'--json and --raw'),
    (['--raw', '--domains'], b'--raw and --domains'),
    (['--full', '--json'], b'--full'),
    (['--pin', '/dev/null', '--insecure'], b'--pin and --insecure'),
    (['--ca', '/dev/null', '--insecure'], b'--ca'),
    (['--timeout', '5'], b'--timeout'),
    (['--timeout', '2', '--ping-interval', '3'], b'--timeout'),
    (['--ping-interval', '0.001'], b'--ping-interval'),
    (['--header', 'Host: evil'], b'--header'),
    (['--header', 'Sec-WebSocket-Key: x'], b'--header'),
    (['--header', 'no colon'], b'--header'),
    (['--header', 'X-Big: ' + 'a' * 20000], b'--header'),
    (['--quiet', '--verbose'], b'--quiet'),
    (['--once=yes'], b'--once'),
    (['--url'], b'--url'),
    (['--', 'extra'], b'extra'),
    (['stray'], b'stray'),
    (['--count=0'], b'--count'),
]


def t_usage():
    why = []
    for args, name in USAGE:
        p = subprocess.run([W.exe()] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=5)
        first = p.stderr.split(b'\n', 1)[0]
        if p.returncode != 2 or name not in first or p.stdout:
            why.append('%s: exit %d, first line %r' % (
                ' '.join(a[:30] for a in args), p.returncode, first))
    return why


def t_usage_forms():
    """--url=URL, -nN, -- and --ca with a ws:// URL all work."""
    why = []
    msgs = ['{"message_type":"dns_entries","data":["a.example"]}',
            '{"message_type":"dns_entries","data":["b.example"]}']
    srv = ws_server(msgs)
    try:
        for args in (['--domains', '--once', '--url=' + srv.url('/')],
                     ['--domains', '-n1', '--url', srv.url('/'), '--'],
                     ['--domains', '--once', '--ca',
                      '/etc/ssl/certs/ca-certificates.crt', '--url',
                      srv.url('/')]):
            if '--ca' in args and not os.path.exists(args[4]):
                continue
            cli = W.Client(args)
            rc = cli.wait(5)
            want = b'a.example\n' if '-n1' in args else \
                b'a.example\nb.example\n'
            check(why, rc == 0 and cli.stdout() == want,
                  '%s: exit %s, stdout %r, stderr %r' % (
                      ' '.join(args), rc, cli.stdout(), cli.stderr()))
    finally:
        srv.stop()
    return why


def t_usage_bearer():
    """A 9 KB bearer token fits the request and reaches the server."""
    why = []
    token = 'Bearer ' + 'x' * 9000
    got = {}

    def h(conn, i):
        req = conn.read_request(5)
        if req is None:
            return
        got['auth'] = dict((n.lower(), v) for n, v in req.headers) \
            .get('authorization')
        conn.send(conn.handshake_response(req))
        conn.send(close_frame(1000))
        conn.read_until_close(3)
    srv = W.Server(h)
    try:
        cli = W.Client(['--once', '--header', 'Authorization: ' + token,
                        '--url', srv.url('/')])
        rc = cli.wait(5)
        check(why, rc == 0, 'exit %s, stderr %r' % (rc, cli.stderr()))
        check(why, got.get('auth') == token, 'the server got %r' %
              (got.get('auth') or '')[:40])
    finally:
        srv.stop()
    return why


def t_output_help():
    why = []
    with open('/dev/full', 'wb') as full:
        for args in (['--help'], ['--version']):
            p = subprocess.run([W.exe()] + args, stdout=full,
                               stderr=subprocess.PIPE, timeout=5)
            check(why, p.returncode == 1 and b'stdout' in p.stderr,
                  '%s > /dev/full: exit %d, stderr %r' % (
                      args[0], p.returncode, p.stderr))
    p = subprocess.run('exec %s --help >&-' % W.exe(), shell=True,
                       stderr=subprocess.PIPE, timeout=5)
    check(why, p.returncode == 1, '--help with stdout closed: exit %d' %
          p.returncode)
    # streaming into /dev/full and into a closed stdout
    srv = ws_server(['{"message_type":"dns_entries","data":["x.example"]}'],
                    close=False, hold=2)
    try:
        for how in ('>/dev/full', '>&-'):
            p = subprocess.run('exec %s --domains --once --url %s %s' %
                               (W.exe(), srv.url('/'), how), shell=True,
                               stderr=subprocess.PIPE, timeout=10)
            check(why, p.returncode == 1 and b'cannot write to stdout'
                  in p.stderr, 'streaming %s: exit %d, stderr %r' %
                  (how, p.returncode, p.stderr))
    finally:
        srv.stop()
    return why


# ---------------------------------------------------------------------------
# safe output

def t_json_lines():
    why = []
    compact = cert()
    spaced = '{"message_type": "certificate_update", "data": {"x": 1}}'
    pretty = json.dumps(json.loads(cert(['a "q" b.example'])), indent=2)
    msgs = [compact, spaced, pretty, compact + '\r\n', spaced + '\n',
            '{"s": "a\\nb \\r c"}\r\n', '{\n "s": "a b\\"  c",\n "t": 1\n}',
            '[1, 2]', 'not json', '{"a": 1', '{"message_type":"heartbeat"}']
    rc, out, err = run(['--json', '--once'], msgs)
    want = [compact, spaced,
            json.dumps(json.loads(pretty), separators=(',', ':')),
            compact, spaced, '{"s": "a\\nb \\r c"}', '{"s":"a b\\"  c","t":1}']
    check(why, rc == 0, 'exit %s' % rc)
    got = out.decode().split('\n')
    check(why, got[-1] == '' and got[:-1] == want,
          'stdout %r, expected %r' % (got, want))
    for line in got[:-1]:
        try:
            json.loads(line)
        except ValueError:
            why.append('not JSON: %r' % line)
    check(why, err.count(b'skipped a message that is not a JSON object')
          == 2 and b'3 skipped so far' not in err and
          b'4 skipped' not in err, 'stderr %r (want the 1st and 2nd of 3 '
          'shown)' % err)
    return why


EVIL = ['a\nforged.example', 'b\x1b[2J\x1b]0;title\x07.example',
        'c\x7f\u009b31m.example', 'back\\x0a.example']


def t_escape():
    why = []
    msg = cert(EVIL, url='https://log.example/\x1b[31mred')
    dns = json.dumps({'message_type': 'dns_entries', 'data': EVIL})
    for args in (['--full'], ['--domains'], []):
        rc, out, err = run(['--once'] + args, [msg, dns])
        check(why, rc == 0, '%s: exit %s' % (args, rc))
        check(why, not hostile(out), '%s: control bytes in %r' %
              (args, out))
        n = out.count(b'\n')
        want = 1 + len(EVIL) if args != ['--domains'] else 2 * len(EVIL)
        check(why, n == want, '%s: %d lines, expected %d: %r' %
              (args, n, want, out))
        check(why, b'a\\x0aforged.example' in out and b'back\\x5cx0a' in
              out, '%s: escapes missing in %r' % (args, out))
    # --verbose and the default failure line: a hostile close reason
    for args in (['--verbose'], []):
        rc, out, err = run(['--once'] + args, [], code=4000,
                           reason=b'bye\x1b]0;pwned\x07\nforged: line')
        check(why, rc == 6, '%s close 4000: exit %s' % (args, rc))
        check(why, not hostile(err) and b'bye\\x1b]0;pwned\\x07\\x0aforged'
              in err, '%s: stderr %r' % (args, err))
    return why


def t_escape_tty():
    """On a terminal (colors on): still escaped, and the line shows at
    once although the connection stays open."""
    why = []
    srv = ws_server([cert(['tty\x1b[31m.example'])], close=False, hold=3)
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(W.exe(), [W.exe(), '--once', '--url', srv.url('/')])
    out = b''
    end = time.monotonic() + 2
    try:
        while b'\n' not in out and time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    break
        check(why, b'tty\\x1b[31m.example' in out, 'tty output %r' % out)
        check(why, b'\x1b[1m\x1b[36m[' in out, 'no colors on a tty: %r' %
              out)
        check(why, b'\x1b[31m.example' not in out, 'raw ESC: %r' % out)
    finally:
        os.kill(pid, signal.SIGTERM)
        _, st = os.waitpid(pid, 0)
        os.close(fd)
        srv.stop()
    check(why, os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0,
          'tty run: status %r' % st)
    return why


def t_human_fields():
    why = []
    msgs = [cert(seen=None, url=None), cert(seen=1e300), cert(seen=-1e20),
            json.dumps({'message_type': 'certificate_update'}),
            json.dumps({'message_type': 'certificate_update',
                        'data': {'seen': 'soon', 'leaf_cert': {}}}),
            json.dumps({'message_type': 'heartbeat', 'data': ['h.example']}),
            json.dumps({'message_type': 'other', 'data': ['o.example']})]
    rc, out, err = run(['--once', '--full'], msgs)
    want = (b'[]  - a.example [a.example]\n'
            b'[] https://ct.example/log/ - a.example [a.example]\n'
            b'[] https://ct.example/log/ - a.example [a.example]\n'
            b'[]  -  []\n'
            b'[]  -  []\n')
    check(why, rc == 0 and out == want, 'exit %s, stdout %r, expected %r'
          % (rc, out, want))
    rc, out, err = run(['--once', '--domains'], msgs[5:])
    check(why, rc == 0 and out == b'', '--domains on heartbeat/other: '
          'exit %s, stdout %r' % (rc, out))
    return why


def t_overflow():
    why = []
    doms = ['host-%06d.overflow-test.example' % i for i in range(12000)]
    rc, out, err = run(['--once', '--domains'], [cert(doms)])
    n = out.count(b'\n')
    check(why, rc == 0 and 0 < n < len(doms), 'exit %s, %d lines' % (rc, n))
    check(why, b'had 12000 domains; %d fit' % n in err,
          'stderr %r' % err)
    return why


# ---------------------------------------------------------------------------
# prompt exits and prompt output

def t_signal_blocked():
    """stdout is a pipe whose reader stopped: SIGTERM still ends the
    command within a few seconds, exit 0."""
    why = []
    msgs = [cert(['blocked-%d.example' % i]) for i in range(20000)]
    srv = ws_server(msgs, close=False, hold=10)
    r, w = os.pipe()
    try:
        p = subprocess.Popen([W.exe(), '--once', '--url', srv.url('/')],
                             stdout=w, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        os.close(w)
        time.sleep(1.0)              # the pipe (64 KB) is full by now
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            why.append('still running 5 s after SIGTERM')
        dt = time.monotonic() - t0
        check(why, rc == 0, 'exit %s' % rc)
        check(why, dt < 3.5, 'took %.1f s to end' % dt)
    finally:
        os.close(r)
        srv.stop()
    return why


def t_signal_twice():
    """A server that never answers the close: the first SIGINT waits for
    it (up to 2 s), the second ends the command at once."""
    why = []

    def h(conn, i):
        if conn.handshake() is None:
            return
        time.sleep(6)
    srv = W.Server(h)
    try:
        cli = W.Client(['--once', '--url', srv.url('/')])
        time.sleep(0.5)
        cli.signal(signal.SIGINT)
        time.sleep(0.2)
        t0 = time.monotonic()
        cli.signal(signal.SIGINT)
        rc = cli.wait(5)
        dt = time.monotonic() - t0
        check(why, rc == -signal.SIGINT, 'second SIGINT: %s' %
              W.describe_rc(rc))
        check(why, dt < 1.0, 'ended %.2f s after the second SIGINT' % dt)
    finally:
        srv.stop()
    return why


def t_batch_slow():
    """Output is batched, but flushed whenever the client waits: on a
    slow feed each line shows at once."""
    why = []
    gate = threading.Event()

    def h(conn, i):
        if conn.handshake() is None:
            return
        conn.send(frame(OP_TEXT, b'{"message_type":"dns_entries",'
                        b'"data":["first.example"]}'))
        gate.wait(5)
        conn.send(frame(OP_TEXT, b'{"message_type":"dns_entries",'
                        b'"data":["second.example"]}'))
        conn.send(close_frame(1000))
        conn.read_until_close(3)
    srv = W.Server(h)
    try:
        cli = W.Client(['--once', '--domains', '--url', srv.url('/')])
        end = time.monotonic() + 2
        while cli.stdout() != b'first.example\n' and \
                time.monotonic() < end:
            time.sleep(0.01)
        check(why, cli.stdout() == b'first.example\n',
              'the first line did not show while the feed waited: %r' %
              cli.stdout())
        gate.set()
        rc = cli.wait(5)
        check(why, rc == 0 and cli.stdout() ==
              b'first.example\nsecond.example\n', 'exit %s, stdout %r' %
              (rc, cli.stdout()))
    finally:
        gate.set()
        srv.stop()
    return why


TESTS = [
    ('fail.refused.once', t_fail_refused_once),
    ('fail.refused.repeat', t_fail_refused_repeat),
    ('fail.dns', t_fail_dns),
    ('fail.http.503', t_fail_http('503 Service Unavailable', 2, False)),
    ('fail.http.429.capped', t_fail_http('429 Too Many Requests', 999999,
                                         True)),
    ('fail.dead', t_fail_dead),
    ('fail.untrusted', t_fail_untrusted),
    ('tls.crlf', t_tls_crlf),
    ('usage.invalid', t_usage),
    ('usage.forms', t_usage_forms),
    ('usage.bearer', t_usage_bearer),
    ('output.help', t_output_help),
    ('json.lines', t_json_lines),
    ('escape', t_escape),
    ('escape.tty', t_escape_tty),
    ('human.fields', t_human_fields),
    ('overflow', t_overflow),
    ('signal.blocked', t_signal_blocked),
    ('signal.twice', t_signal_twice),
    ('batch.slow', t_batch_slow),
]


def main():
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    W.watchdog(240, lambda: (PASSED[0], FAILED[0]))
    only = sys.argv[1:]
    for name, fn in TESTS:
        if only and not any(name.startswith(o) for o in only):
            continue
        t0 = time.monotonic()
        try:
            why = fn()
        except Exception as e:      # a broken test is a failure
            why = ['exception %r' % e]
        dt = time.monotonic() - t0
        if why:
            FAILED[0] += 1
            print('test %s ... FAIL (%s) [%.1f s]' % (name, '; '.join(why),
                                                     dt))
        else:
            PASSED[0] += 1
            print('test %s ... PASS [%.1f s]' % (name, dt))
        sys.stdout.flush()
    print('%d passed, %d failed' % (PASSED[0], FAILED[0]))
    return 1 if FAILED[0] else 0


if __name__ == '__main__':
    sys.exit(main())
