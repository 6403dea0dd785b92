#!/usr/bin/python3
"""Autobahn-style client conformance of the certstream command.

A raw-socket server of our own (tests/wspeer.py) answers the client's
handshake correctly (or, in the H cases, in a scripted wrong or unusual
way), then writes exactly the bytes a case scripts, whole or in tiny TCP
writes, and reads what the client sends back: every client frame must be
masked, have RSV 0 and FIN, and be a pong or a close (the client runs with
--ping-interval 0, so it has no reason to ping).

Each case runs its own client (--once, --raw unless it says --json) on its
own port and checks three things:
  - the exit status (0: server closed with 1000; 4: handshake refused;
    5: the client failed the connection; 6: other close code);
  - the frames the client sent: the pongs (payloads, in order), then
    exactly one close with the expected code (1000 echoing our close,
    1002 protocol error, 1007 bad UTF-8, 1009 too big), then nothing;
  - what it printed: --raw prints each complete, valid text message and
    "\\n"; --json each message (text or binary) that is a JSON object, as
    one line (a trailing CR/LF dropped, then "\\n"); the rest it reports on
    stderr. Nothing of a message that fails, nothing after.
Normal cases end with our close 1000; failing cases do not (the client has
to fail on its own, and we echo its close like a server). Fail-fast cases
announce a long frame, send a bad byte early and wait up to 2 s for the
client's close before sending the rest.

Sections (modeled on the Autobahn|Testsuite client cases, see
the research notes, websocket-notes.md):
  1  framing: text and binary of 0..1 MiB, every length encoding, whole
     and in tiny TCP writes
  2  pings and pongs          3  reserved bits        4  reserved opcodes
  5  fragmentation            6  UTF-8 (incl. fail-fast)
  7  closing handshake and close codes                9  --max-message
  X  masked server frames, 64-bit lengths (top bit, non-minimal forms),
     EOF inside a frame or a message (exit 7), TCP closed right after a
     close frame
  H  the opening handshake (request sent, response checks, refusals:
     exit 4 and not a single byte sent after the response)
  G  across all cases: fresh Sec-WebSocket-Key per connection and fresh
     masking keys per frame

Prints one line per case, "case ID description ... PASS" or
"... FAIL (why)", and "N passed, N failed". CS_BUILD (default build) names
the build folder; WS_JOBS (default 10) how many cases run at once.
"""
import base64
import json
import concurrent.futures
import os
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wspeer as W                                      # noqa: E402
from wspeer import frame, close_frame, OP_TEXT, OP_BINARY, OP_CONT, \
    OP_PING, OP_PONG, OP_CLOSE                          # noqa: E402

T_CLOSE = 3.0     # for the client's close frame
T_EXIT = 4.0      # for the client to exit once the exchange is over


def text(s, **kw):
    return frame(OP_TEXT, s, **kw)


def binary(b, **kw):
    return frame(OP_BINARY, b, **kw)


def cont(b, **kw):
    return frame(OP_CONT, b, **kw)


def ping(b=b'', **kw):
    return frame(OP_PING, b, **kw)


def pong(b=b'', **kw):
    return frame(OP_PONG, b, **kw)


def json_out(payloads):
    """What --json prints for these messages: the JSON objects (none of
    these is a heartbeat or spans lines), one line each."""
    out = b''
    for p in payloads:
        try:
            obj = isinstance(json.loads(p), dict)
        except ValueError:
            obj = False
        if obj:
            out += p.rstrip(b'\r\n') + b'\n'
    return out


def json_bytes(n, r):
    """A binary payload of n bytes that --json prints: a JSON object of
    random printable ASCII (not JSON below 8 bytes: then random bytes,
    which --json leaves out)."""
    if n < 8:
        return bytes(r.getrandbits(8) for _ in range(n))
    chars = [c for c in range(0x20, 0x7f) if c not in (0x22, 0x5c)]
    body = bytes(r.choice(chars) for _ in range(min(n - 8, 4096)))
    body = (body * ((n - 8) // 4096 + 1))[:n - 8]
    return b'{"b":"' + body + b'"}'


def raw_out(payloads):
    """What --raw prints for these text messages."""
    return b''.join(p + b'\n' for p in payloads)


class Chop:
    """A step: these bytes in tiny TCP writes."""

    def __init__(self, data):
        self.data = data


class Sleep:
    def __init__(self, s):
        self.s = s


class AwaitClose:
    """A step: the client must send its close within t seconds, before
    the case sends anything more (fail-fast)."""

    def __init__(self, t=2.0):
        self.t = t


class ExpectPong:
    """A step: the client's next frame, within t seconds, must be a pong
    with this payload (answered at once, before we send more)."""

    def __init__(self, payload, t=1.0):
        self.payload, self.t = payload, t


class Drop:
    """A step: close our side of the TCP connection now (no close
    frame, or none awaited); the client's close frame is not required."""


class Case:
    def __init__(self, cid, desc, steps, out=b'', close=(1000,), exit=(0,),
                 pongs=(), mode='--raw', args=(), auto_close=True,
                 echo=False, response=None, refused=False, path=None):
        self.cid, self.desc, self.steps = cid, desc, steps
        self.out, self.close, self.exit = out, tuple(close), tuple(exit)
        self.pongs = list(pongs)
        self.mode, self.args = mode, list(args)
        self.auto_close = auto_close   # we end the case with close 1000
        self.echo = echo               # we answer the client's close
        self.response = response       # fn(conn, req): our handshake answer
        self.refused = refused         # the client must refuse it (exit 4)
        self.path = path


def ok(cid, desc, steps, out, **kw):
    """A case the client must get through; we end it with close 1000."""
    return Case(cid, desc, steps, out, **kw)


def bad(cid, desc, steps, out=b'', code=1002, **kw):
    """A case where the client must fail the connection with code."""
    kw.setdefault('exit', (5,))
    return Case(cid, desc, steps, out, close=(code,), auto_close=False,
                echo=True, **kw)


def closed(cid, desc, steps, out=b'', close=(1000,), exit=(0,), **kw):
    """A case whose steps send the server's close."""
    return Case(cid, desc, steps, out, close=close, exit=exit,
                auto_close=False, **kw)


TAIL = text('after') + ping(b'after')    # must get no output, no pong

# ---------------------------------------------------------------------------
# the cases


def pattern(n):
    s = b'abcdefghijklmnopqrstuvwxyz0123456789 {}[]":,.-'
    return (s * (n // len(s) + 1))[:n]


def section1():
    cs = []
    lengths = [0, 125, 126, 127, 65535, 65536, 1 << 20]
    r = W.rng(1)
    for i, n in enumerate(lengths, 1):
        p = pattern(n)
        f = text(p)
        cs.append(ok('1.1.%d' % i, 'text, %d bytes' % n, [f], raw_out([p])))
        cs.append(ok('1.1.%d.chop' % i, 'text, %d bytes, tiny writes' % n,
                     [Chop(f)], raw_out([p])))
    for i, n in enumerate(lengths, 1):
        b = json_bytes(n, r)
        f = binary(b)
        cs.append(ok('1.2.%d' % i, 'binary, %d bytes (--json)' % n, [f],
                     json_out([b]), mode='--json'))
        cs.append(ok('1.2.%d.chop' % i, 'binary, %d bytes, tiny writes '
                     '(--json)' % n, [Chop(f)], json_out([b]),
                     mode='--json'))
    ps = [pattern(n) for n in (1, 0, 125, 126, 300, 65535, 65536, 3)]
    allf = b''.join(text(p) for p in ps)
    cs.append(ok('1.3.1', '8 texts of mixed lengths in one write', [allf],
                 raw_out(ps)))
    cs.append(ok('1.3.2', '8 texts of mixed lengths, tiny writes',
                 [Chop(allf)], raw_out(ps)))
    cs.append(ok('1.3.3', 'binary is not printed with --raw',
                 [binary(b'\x00\x01bin'), text('x')], raw_out([b'x'])))
    cs.append(ok('1.3.4', 'binary ending in \\n: no extra newline (--json)',
                 [binary(b'{"a":1}\n'), binary(b'{"b":2}')],
                 b'{"a":1}\n{"b":2}\n', mode='--json'))
    cs.append(ok('1.3.6', '1000 small texts in one write',
                 [b''.join(text(b'm%d' % i) for i in range(1000))],
                 raw_out([b'm%d' % i for i in range(1000)])))
    return cs


def section2():
    cs = []
    bin8 = bytes(range(0xF8, 0x100))
    cs.append(ok('2.1', 'ping, empty payload', [ping()], b'', pongs=[b'']))
    cs.append(ok('2.2', 'ping with text payload', [ping(b'Hello, world!')],
                 b'', pongs=[b'Hello, world!']))
    cs.append(ok('2.3', 'ping with binary payload', [ping(bin8)], b'',
                 pongs=[bin8]))
    p125 = bytes(range(125))
    cs.append(ok('2.4', 'ping with 125-byte payload', [ping(p125)], b'',
                 pongs=[p125]))
    cs.append(bad('2.5', 'ping with 126-byte payload -> 1002',
                  [ping(bytes(126)), text('after')]))
    cs.append(ok('2.6', 'ping with 125-byte payload, tiny writes',
                 [Chop(ping(p125))], b'', pongs=[p125]))
    cs.append(ok('2.7', 'unsolicited pong (empty) is ignored', [pong()],
                 b''))
    cs.append(ok('2.8', 'unsolicited pong with payload is ignored',
                 [pong(b'unsolicited pong payload')], b''))
    cs.append(ok('2.9', 'unsolicited pong, then ping',
                 [pong(b'unsolicited'), ping(b'ping payload')], b'',
                 pongs=[b'ping payload']))
    tens = [b'payload-%d' % i for i in range(10)]
    cs.append(ok('2.10', '10 pings -> 10 pongs in order',
                 [b''.join(ping(p) for p in tens)], b'', pongs=tens))
    cs.append(ok('2.11', '10 pings in tiny writes -> 10 pongs',
                 [Chop(b''.join(ping(p) for p in tens))], b'', pongs=tens))
    cs.append(ok('2.12', 'ping, text, ping',
                 [ping(b'a'), text('msg'), ping(b'b')], b'msg\n',
                 pongs=[b'a', b'b']))
    cs.append(bad('2.13', 'ping with 126 bytes in a 64-bit length -> 1002',
                  [ping(bytes(126), form=64)]))
    cs.append(closed('2.14', 'ping and close in one write: pong, then the '
                     'close echo', [ping(b'last ping') + close_frame(1000)],
                     pongs=[b'last ping']))
    cs.append(ok('2.15', 'each ping answered before the next is sent',
                 [ping(b'one'), ExpectPong(b'one'), ping(b'two'),
                  ExpectPong(b'two')], b'', pongs=[b'one', b'two']))
    return cs


def section3():
    cs = []
    cs.append(bad('3.1', 'text with RSV1 -> 1002',
                  [text('Hello', rsv=4), TAIL]))
    cs.append(bad('3.2', 'text, text with RSV2, ping -> 1002 after the '
                  'first', [text('Hello'), text('Hello', rsv=2), TAIL],
                  out=b'Hello\n'))
    cs.append(bad('3.3', 'text, text with RSV3, ping, tiny writes -> 1002',
                  [Chop(text('Hello') + text('Hello', rsv=1) + TAIL)],
                  out=b'Hello\n'))
    cs.append(bad('3.4', 'text with RSV1+RSV2 -> 1002',
                  [text('Hello'), text('Hello', rsv=6), TAIL],
                  out=b'Hello\n'))
    cs.append(bad('3.5', 'binary with RSV1+RSV3 -> 1002 (--json)',
                  [binary(b'\x00\xff' * 4, rsv=5), TAIL], mode='--json'))
    cs.append(bad('3.6', 'ping with RSV2+RSV3 -> 1002, no pong',
                  [ping(b'Hello', rsv=3), TAIL]))
    cs.append(bad('3.7', 'close with all RSV bits -> 1002',
                  [frame(OP_CLOSE, W.close_payload(1000), rsv=7), TAIL]))
    cs.append(bad('3.8', 'continuation with RSV1 -> 1002',
                  [text('frag', fin=False), cont('ment', rsv=4), TAIL]))
    return cs


def section4():
    cs = []
    for i, op in enumerate([3, 4, 5, 6, 7], 1):
        cs.append(bad('4.1.%d' % i, 'reserved data opcode %d -> 1002' % op,
                      [text('Hello'), frame(op, b'reserved'), TAIL],
                      out=b'Hello\n'))
    for i, op in enumerate([0xB, 0xC, 0xD, 0xE, 0xF], 1):
        cs.append(bad('4.2.%d' % i, 'reserved control opcode %d -> 1002'
                      % op, [text('Hello'), frame(op, b'reserved'), TAIL],
                      out=b'Hello\n'))
    cs.append(bad('4.1.6', 'reserved opcode 3, empty, tiny writes -> 1002',
                  [Chop(text('Hello') + frame(3) + TAIL)], out=b'Hello\n'))
    cs.append(bad('4.2.6', 'reserved opcode 0xB inside a fragmented text '
                  '-> 1002', [text('He', fin=False), frame(0xB, b'x'),
                              cont('llo'), TAIL]))
    return cs


def section5():
    cs = []
    cs.append(bad('5.1', 'fragmented ping -> 1002',
                  [ping(b'frag', fin=False), cont(b'ment'), TAIL]))
    cs.append(bad('5.2', 'fragmented pong -> 1002',
                  [pong(b'frag', fin=False), cont(b'ment'), TAIL]))
    two = text('frag', fin=False) + cont('ment')
    cs.append(ok('5.3', 'text in 2 fragments', [two], b'fragment\n'))
    cs.append(ok('5.4', 'text in 2 fragments, tiny writes', [Chop(two)],
                 b'fragment\n'))
    p100 = pattern(100)
    cs.append(ok('5.5', 'text in 100 one-byte fragments',
                 [W.fragments(OP_TEXT, p100, [1] * 99)], p100 + b'\n'))
    mid = text('frag', fin=False) + ping(b'ping payload') + cont('ment')
    cs.append(ok('5.6', 'text in 2 fragments, ping in between', [mid],
                 b'fragment\n', pongs=[b'ping payload']))
    cs.append(ok('5.7', 'the same, tiny writes', [Chop(mid)], b'fragment\n',
                 pongs=[b'ping payload']))
    parts = [b'f%d-' % i for i in range(10)]
    seq = text(parts[0], fin=False)
    for i in range(1, 10):
        seq += ping(b'p%d' % i) + cont(parts[i], fin=i == 9)
    cs.append(ok('5.8', '10 fragments with a ping between each two', [seq],
                 b''.join(parts) + b'\n',
                 pongs=[b'p%d' % i for i in range(1, 10)]))
    cs.append(bad('5.9', 'continuation (FIN) with nothing open -> 1002',
                  [cont('orphan'), TAIL]))
    cs.append(bad('5.10', 'continuation (no FIN) with nothing open -> 1002',
                  [cont('orphan', fin=False), cont('x'), TAIL]))
    cs.append(bad('5.11', 'the same, tiny writes -> 1002',
                  [Chop(cont('orphan', fin=False) + cont('x') + TAIL)]))
    cs.append(bad('5.12', 'continuation with nothing open, then a text '
                  '-> 1002', [cont('orphan'), text('text'), TAIL]))
    cs.append(bad('5.13', 'text inside a fragmented text -> 1002',
                  [text('a', fin=False), text('b'), cont('c'), TAIL]))
    cs.append(bad('5.14', 'binary inside a fragmented text -> 1002',
                  [text('a', fin=False), binary(b'b'), cont('c'), TAIL]))
    cs.append(bad('5.15', 'complete fragmented text, then an orphan '
                  'continuation -> 1002',
                  [text('fragment1', fin=False), cont('fragment2'),
                   cont('fragment3', fin=False), cont('fragment4'), TAIL],
                  out=b'fragment1fragment2\n'))
    cs.append(bad('5.16', 'text inside a fragmented binary -> 1002 (--json)',
                  [binary(b'a', fin=False), cont(b'b', fin=False),
                   text('c'), TAIL], mode='--json'))
    cs.append(bad('5.16.2', 'text (no FIN) inside a fragmented text -> 1002',
                  [text('a', fin=False), text('b', fin=False), cont('c'),
                   TAIL]))
    cs.append(ok('5.17', 'empty fragments around data',
                 [text('', fin=False), cont('', fin=False),
                  cont('abc', fin=False), cont('', fin=False), cont('')],
                 b'abc\n'))
    cs.append(ok('5.18', 'a message of empty fragments only',
                 [text('', fin=False), cont('', fin=False), cont('')],
                 b'\n'))
    cs.append(ok('5.19', 'fragments, pings with a pause between (5.19)',
                 [text('fragment1', fin=False), cont('fragment2', fin=False),
                  ping(b'pongme 1!'), Sleep(0.1),
                  cont('fragment3', fin=False), cont('fragment4', fin=False),
                  ping(b'pongme 2!'), Sleep(0.1), cont('fragment5')],
                 b'fragment1fragment2fragment3fragment4fragment5\n',
                 pongs=[b'pongme 1!', b'pongme 2!']))
    bb = json_bytes(1024, W.rng(520))
    cs.append(ok('5.20', 'binary in 5 fragments (--json)',
                 [W.fragments(OP_BINARY, bb, [1, 200, 0, 500])],
                 json_out([bb]), mode='--json'))
    cs.append(ok('5.21', 'fragmented text of 64 KiB + 1 in 3 frames, '
                 'tiny writes', [Chop(W.fragments(OP_TEXT, pattern(65537),
                                                  [126, 65535 - 126]))],
                 raw_out([pattern(65537)])))
    cs.append(ok('5.22', 'two fragmented messages back to back',
                 [text('a', fin=False), cont('b'), text('c', fin=False),
                  ping(b'x'), cont('d')], b'ab\ncd\n', pongs=[b'x']))
    cs.append(ok('5.23', 'pong inside a fragmented message is ignored',
                 [text('a', fin=False), pong(b'zz'), cont('b')], b'ab\n'))
    cs.append(ok('5.24', 'a ping inside a fragmented message is answered '
                 'at once, before the message ends',
                 [text('\u20ac'.encode()[:1], fin=False),
                  ping(b'in the middle'), ExpectPong(b'in the middle'),
                  cont('\u20ac'.encode()[1:])], '\u20ac\n'.encode(),
                 pongs=[b'in the middle']))
    pj = pattern(20000)
    cs.append(ok('5.25', 'text in 20000 one-byte fragments',
                 [W.fragments(OP_TEXT, pj, [1] * 19999)], pj + b'\n'))
    return cs


UTF8_VALID = [
    ('U+0000', b'\x00'), ('U+007F', b'\x7f'), ('U+0080', b'\xc2\x80'),
    ('U+07FF', b'\xdf\xbf'), ('U+0800', b'\xe0\xa0\x80'),
    ('U+D7FF', b'\xed\x9f\xbf'), ('U+E000', b'\xee\x80\x80'),
    ('U+FFFD', b'\xef\xbf\xbd'), ('U+FFFE', b'\xef\xbf\xbe'),
    ('U+FFFF', b'\xef\xbf\xbf'), ('U+10000', b'\xf0\x90\x80\x80'),
    ('U+10FFFF', b'\xf4\x8f\xbf\xbf'),
    ('kosme', 'κόσμε'.encode()),
    ('Hello-µ@ßöäüàá-UTF-8!!', 'Hello-µ@ßöäüàá-UTF-8!!'.encode()),
    ('emoji', '😀👍 ok'.encode()),
]

UTF8_INVALID = [
    ('lone continuation 80', b'\x80'), ('lone continuation bf', b'\xbf'),
    ('overlong / (c0 af)', b'\xc0\xaf'), ('overlong c1 bf', b'\xc1\xbf'),
    ('overlong e0 80 af', b'\xe0\x80\xaf'),
    ('overlong e0 9f bf', b'\xe0\x9f\xbf'),
    ('overlong f0 80 80 af', b'\xf0\x80\x80\xaf'),
    ('overlong f0 8f bf bf', b'\xf0\x8f\xbf\xbf'),
    ('5-byte f8 88 80 80 80', b'\xf8\x88\x80\x80\x80'),
    ('6-byte fc 84 80 80 80 80', b'\xfc\x84\x80\x80\x80\x80'),
    ('fe', b'\xfe'), ('ff', b'\xff'),
    ('surrogate U+D800', b'\xed\xa0\x80'),
    ('surrogate U+DFFF', b'\xed\xbf\xbf'),
    ('surrogate pair', b'\xed\xa0\x80\xed\xb0\x80'),
    ('U+110000 (f4 90 80 80)', b'\xf4\x90\x80\x80'),
    ('f5 80 80 80', b'\xf5\x80\x80\x80'),
    ('missing continuation (c2 41)', b'\xc2\x41'),
    ('missing continuation (e1 80 41)', b'\xe1\x80\x41'),
    ('truncated c2 at the end', b'\xc2'),
    ('truncated e0 a0 at the end', b'\xe0\xa0'),
    ('truncated f0 90 80 at the end', b'\xf0\x90\x80'),
    ('6.3.1 kosme + ed a0 80 + edited',
     b'\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited'),
]


def section6():
    cs = []
    cs.append(ok('6.1.1', 'empty text', [text('')], b'\n'))
    cs.append(ok('6.1.2', 'empty text in 3 empty fragments',
                 [text('', fin=False), cont('', fin=False), cont('')],
                 b'\n'))
    cs.append(ok('6.1.3', 'NUL bytes are delivered',
                 [text(b'a\x00b\x00\x00c')], b'a\x00b\x00\x00c\n'))
    for i, (name, seq) in enumerate(UTF8_VALID, 1):
        p = b'<' + seq + b'>'
        cs.append(ok('6.2.%d' % i, 'valid %s in one frame' % name,
                     [text(p)], p + b'\n'))
        cs.append(ok('6.2.%d.frag' % i, 'valid %s, one byte per fragment'
                     % name, [W.fragments(OP_TEXT, p, [1] * (len(p) - 1))],
                     p + b'\n'))
    for i, (name, seq) in enumerate(UTF8_INVALID, 1):
        p = b'ok' + seq
        if not name.startswith('truncated'):
            p += b'z'
        cs.append(bad('6.3.%d' % i, 'invalid %s -> 1007' % name,
                      [text('before'), text(p), TAIL], out=b'before\n',
                      code=1007))
        cs.append(bad('6.3.%d.frag' % i, 'invalid %s, one byte per '
                      'fragment -> 1007' % name,
                      [text('before'),
                       W.fragments(OP_TEXT, p, [1] * (len(p) - 1)), TAIL],
                      out=b'before\n', code=1007))
    inv = b'{"message_type":"certificate_update","d\xed\xa0\x80":1}'
    cs.append(bad('6.3.97', 'invalid UTF-8 (surrogate) with --json -> 1007',
                  [text('{"a":1}'), text(inv), TAIL], out=b'{"a":1}\n',
                  code=1007, mode='--json'))
    cs.append(bad('6.3.98', 'invalid UTF-8 in the default output mode '
                  '-> 1007', [text(inv), TAIL], code=1007, mode=None))
    cs.append(bad('6.3.99', 'valid fragments, then a final fragment that '
                  'ends inside a character -> 1007',
                  [text('caf\xc3\xa9 '.encode('latin-1'), fin=False),
                   cont(b'\xe2\x82'), TAIL], code=1007))
    # fail-fast: the frame announces 1000 bytes; after the bad byte we
    # wait for the client's close before sending the rest
    k = 'κόσμε'.encode()
    cs.append(bad('6.4.1', 'fail-fast: invalid f4 90 early in a 1000-byte '
                  'frame, 1007 before the rest',
                  [text(b'', length=1000) + k + b'\xf4\x90\x80\x80',
                   AwaitClose(), pattern(1000 - len(k) - 4), TAIL],
                  code=1007))
    cs.append(bad('6.4.2', 'fail-fast: surrogate ed a0 (2nd byte '
                  'decides), 1007 before the rest',
                  [text(b'', length=1000) + b'ab\xed\xa0', AwaitClose(),
                   b'\x80' + pattern(995), TAIL], code=1007))
    cs.append(bad('6.4.3', 'fail-fast: valid first fragment, invalid byte '
                  'early in the 2nd (1000 bytes announced)',
                  [text(k, fin=False) + cont(b'', length=1000) + b'\xc0',
                   AwaitClose(), pattern(999), TAIL], code=1007))
    cs.append(bad('6.4.4', 'fail-fast: f4 sent alone, then 90: 1007 '
                  'before the rest',
                  [text(b'', length=1000) + k + b'\xf4', Sleep(0.1),
                   b'\x90', AwaitClose(), pattern(1000 - len(k) - 2), TAIL],
                  code=1007))
    cs.append(bad('6.4.5', 'fail-fast: lone continuation byte first in a '
                  '64 KiB frame', [text(b'', length=65536) + b'\x80',
                                   AwaitClose(), pattern(65535), TAIL],
                  code=1007))
    return cs


VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012,
               1013, 1014, 3000, 3999, 4000, 4999]
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
                 5000, 65535]


def section7():
    cs = []
    c1000 = close_frame(1000)
    cs.append(closed('7.1.1', 'text, then close 1000',
                     [text('Hello'), c1000], b'Hello\n'))
    cs.append(closed('7.1.2', 'close 1000 twice: one answer',
                     [c1000 + c1000]))
    cs.append(closed('7.1.3', 'close, then ping: no pong',
                     [c1000 + ping(b'after close')]))
    cs.append(closed('7.1.4', 'close, then text: not printed',
                     [c1000 + text('after close')]))
    cs.append(closed('7.1.5', 'close inside a fragmented text: nothing '
                     'printed', [text('frag', fin=False), c1000,
                                 cont('ment')]))
    big = pattern(256 * 1024)
    cs.append(closed('7.1.6', '256 KiB text and close in one write',
                     [text(big) + c1000], big + b'\n'))
    cs.append(closed('7.3.1', 'close with no payload: empty close or 1000',
                     [frame(OP_CLOSE)], close=(None, 1000), exit=(0, 6)))
    cs.append(closed('7.3.2', 'close with a 1-byte payload -> 1002',
                     [frame(OP_CLOSE, b'\x03'), TAIL], close=(1002,),
                     exit=(5,)))
    cs.append(closed('7.3.3', 'close 1000, no reason', [c1000]))
    cs.append(closed('7.3.4', 'close 1000 with a reason',
                     [close_frame(1000, 'Hello World!')]))
    cs.append(closed('7.3.5', 'close 1000 with a 123-byte reason',
                     [close_frame(1000, pattern(123))]))
    cs.append(closed('7.3.6', 'close with a 124-byte reason (126-byte '
                     'payload) -> 1002', [close_frame(1000, pattern(124))],
                     close=(1002,), exit=(5,)))
    cs.append(closed('7.5.1', 'close reason with invalid UTF-8 -> 1007',
                     [close_frame(1000, b'\xce\xba\xe1\xbd\xb9\xcf\x83\xce'
                                  b'\xbc\xce\xb5\xed\xa0\x80edited')],
                     close=(1007,), exit=(5,)))
    cs.append(closed('7.5.2', 'close reason with valid multi-byte UTF-8',
                     [close_frame(1000, 'Tschüß 😀 κόσμε')]))
    cs.append(closed('7.5.3', 'close reason ending inside a character '
                     '-> 1007', [close_frame(1000, b'bye \xe2\x82')],
                     close=(1007,), exit=(5,)))
    for i, code in enumerate(VALID_CODES, 1):
        cs.append(closed('7.7.%d' % i, 'close %d is echoed' % code,
                         [close_frame(code, 'bye')], close=(code,),
                         exit=(0,) if code == 1000 else (6,)))
    for i, code in enumerate(INVALID_CODES, 1):
        cs.append(closed('7.9.%d' % i, 'invalid close code %d -> 1002'
                         % code, [frame(OP_CLOSE, struct.pack('!H', code))],
                         close=(1002,), exit=(5,)))
    cs.append(closed('7.13.1', 'close 1001 after a message, tiny writes',
                     [Chop(text('last') + close_frame(1001, 'going away'))],
                     b'last\n', close=(1001,), exit=(6,)))
    return cs


def section9():
    cs = []
    lim = ['--max-message', '1000']
    p1000, p1001 = pattern(1000), pattern(1001)
    cs.append(ok('9.1', 'limit 1000: a 1000-byte text is delivered',
                 [text(p1000)], p1000 + b'\n', args=lim))
    cs.append(bad('9.2', 'limit 1000: a 1001-byte text -> 1009, nothing '
                  'printed', [text('small'), text(p1001), TAIL],
                  out=b'small\n', code=1009, args=lim))
    cs.append(bad('9.3', 'limit 1000: a 1001-byte binary -> 1009 (--json)',
                  [binary(p1001), TAIL], code=1009, args=lim,
                  mode='--json'))
    cs.append(bad('9.4', 'limit 1000: fragments 600 + 401 -> 1009',
                  [W.fragments(OP_TEXT, p1001, [600]), TAIL], code=1009,
                  args=lim))
    cs.append(ok('9.5', 'limit 1000: fragments 500 + 0 + 500 delivered',
                 [text(p1000[:500], fin=False), cont('', fin=False),
                  cont(p1000[500:])], p1000 + b'\n', args=lim))
    cs.append(ok('9.6', 'limit 1000: 50 messages of 999 bytes (the limit '
                 'is per message)', [text(pattern(999))] * 50,
                 raw_out([pattern(999)] * 50), args=lim))
    cs.append(bad('9.7', 'limit 1000: a header announcing 1001 bytes -> '
                  '1009 at once, before any payload',
                  [text(b'', length=1001), AwaitClose(), p1001, TAIL],
                  code=1009, args=lim))
    cs.append(bad('9.8', 'limit 1000: fragments announcing 700 + 700, '
                  '1009 on the 2nd header',
                  [text(pattern(700), fin=False) + cont(b'', length=700),
                   AwaitClose(), pattern(700), TAIL], code=1009, args=lim))
    cs.append(bad('9.9', 'default limit: a header announcing 2^40 bytes -> '
                  '1009 at once', [text(b'', length=1 << 40), AwaitClose(),
                                   pattern(1000)], code=1009))
    cs.append(bad('9.11', 'limit 1000 in the default output mode: 1001 '
                  'bytes -> 1009', [text(p1001), TAIL], code=1009,
                  args=lim, mode=None))
    cs.append(ok('9.10', 'limit 1000: pings do not count toward it',
                 [text(p1000[:900], fin=False), ping(pattern(125)),
                  cont(p1000[900:])], p1000 + b'\n',
                 pongs=[pattern(125)], args=lim))
    return cs


def sectionX():
    cs = []
    m = b'\x12\x34\x56\x78'
    cs.append(bad('X.1', 'masked text from the server -> 1002',
                  [text('Hello', mask=m), TAIL]))
    cs.append(bad('X.2', 'masked ping from the server -> 1002',
                  [ping(b'Hello', mask=m), TAIL]))
    cs.append(bad('X.3', '64-bit length with the top bit set -> 1002',
                  [text('ok'), text(b'', length=(1 << 63) + 5),
                   AwaitClose(), b'hello'], out=b'ok\n'))
    cs.append(bad('X.4', 'masked close from the server -> 1002',
                  [frame(OP_CLOSE, W.close_payload(1000), mask=m)]))
    cs.append(bad('X.10', 'non-minimal length: 5 bytes in the 16-bit form '
                  '-> 1002 (RFC 6455 5.2 MUST; README: strict)',
                  [text('ok'), text(b'hello', form=16), TAIL], out=b'ok\n'))
    cs.append(bad('X.11', 'non-minimal length: 300 bytes in the 64-bit '
                  'form -> 1002', [text(pattern(300), form=64), TAIL]))
    cs.append(ok('X.12', '70000 bytes in the 64-bit form (minimal)',
                 [text(pattern(70000), form=64)],
                 raw_out([pattern(70000)])))
    cs.append(closed('X.5', 'EOF inside a frame header -> 7, the message '
                     'before is printed', [text('complete') + b'\x81',
                                           Drop()],
                     b'complete\n', exit=(7,)))
    cs.append(closed('X.6', 'EOF inside a payload -> 7',
                     [text('complete') + text(b'', length=100) + b'part',
                      Drop()], b'complete\n', exit=(7,)))
    cs.append(closed('X.7', 'EOF inside a fragmented message -> 7, the '
                     'part is not printed',
                     [text('complete') + text('frag', fin=False), Drop()],
                     b'complete\n', exit=(7,)))
    cs.append(closed('X.8', 'close 1000, then TCP closed at once -> 0',
                     [text('last') + close_frame(1000), Drop()], b'last\n'))
    cs.append(closed('X.9', 'close 1001, then TCP closed at once -> 6',
                     [text('last') + close_frame(1001), Drop()], b'last\n',
                     exit=(6,)))
    return cs


# -- handshake cases --

def resp(**kw):
    """A handshake answer built by Conn.handshake_response(req, **kw)."""
    def f(conn, req):
        conn.send(conn.handshake_response(req, **kw))
    return f


def resp_raw(build):
    """A handshake answer built by build(accept) -> bytes."""
    def f(conn, req):
        conn.send(build(W.accept_for(req.get('Sec-WebSocket-Key', ''))))
    return f


def one_byte_at_a_time(conn, req):
    for b in conn.handshake_response(req):
        if not conn.send(bytes([b])):
            return
        time.sleep(0.001)


def with_first_frames(conn, req):
    conn.send(conn.handshake_response(req) + text('first') +
              ping(b'p') + text('second'))


def split_in_crlf(conn, req):
    r = conn.handshake_response(req)
    conn.send(r[:-3])
    time.sleep(0.05)
    conn.send(r[-3:])


def refused(cid, desc, response, args=()):
    return Case(cid, desc, [], b'', close=(), exit=(4,), auto_close=False,
                response=response, refused=True, args=args)


def sectionH():
    cs = []
    cs.append(ok('H.0', 'the request: GET, path and query kept, Host, '
                 'Upgrade, Connection, a 16-byte key, version 13, '
                 'User-Agent certstream.h/', [text('hi')], b'hi\n',
                 path='/full-stream?x=1&y=%20'))
    cs.append(ok('H.0.2', 'a URL without a path: GET /', [text('hi')],
                 b'hi\n', path=''))
    for st in ['200 OK', '404 Not Found', '500 Internal Server Error',
               '403 Forbidden', '429 Too Many Requests', '302 Found']:
        cs.append(refused('H.1.%s' % st[:3], 'status %s -> 4, no frame' % st,
                          resp(status=st, headers=[('Content-Length', '0')],
                               drop=('upgrade', 'connection',
                                     'sec-websocket-accept'))))
    cs.append(refused('H.1.101nows', '101 with nothing else -> 4',
                      resp(drop=('upgrade', 'connection',
                                 'sec-websocket-accept'))))
    cs.append(ok('H.2', 'response one byte at a time', [text('hi')],
                 b'hi\n', response=one_byte_at_a_time))
    cs.append(ok('H.3', 'frames in the same TCP write as the 101 are kept',
                 [], b'first\nsecond\n', pongs=[b'p'],
                 response=with_first_frames))
    cs.append(ok('H.3.2', 'response split inside the final CRLFCRLF',
                 [text('hi')], b'hi\n', response=split_in_crlf))
    cs.append(refused('H.4', 'wrong Sec-WebSocket-Accept -> 4, no frame',
                      resp(accept='s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')))
    cs.append(refused('H.4.2', 'missing Sec-WebSocket-Accept -> 4',
                      resp(drop=('sec-websocket-accept',))))

    def lower_accept(conn, req):
        a = W.accept_for(req.get('Sec-WebSocket-Key', ''))
        b = a.lower() if a.lower() != a else a.upper()
        conn.send(conn.handshake_response(req, accept=b))
    cs.append(refused('H.4.3', 'Sec-WebSocket-Accept in another case -> 4',
                      lower_accept))

    def accept_of_sample(conn, req):
        conn.send(conn.handshake_response(
            req, accept=W.accept_for('dGhlIHNhbXBsZSBub25jZQ==')))
    cs.append(refused('H.4.4', 'accept of the RFC sample key -> 4',
                      accept_of_sample))
    cs.append(refused('H.5', 'missing Upgrade -> 4',
                      resp(drop=('upgrade',))))
    cs.append(refused('H.5.2', 'Upgrade: h2c -> 4',
                      resp(drop=('upgrade',), headers=[('Upgrade', 'h2c')])))
    cs.append(refused('H.6', 'missing Connection -> 4',
                      resp(drop=('connection',))))
    cs.append(refused('H.6.2', 'Connection: keep-alive -> 4',
                      resp(drop=('connection',),
                           headers=[('Connection', 'keep-alive')])))
    cs.append(refused('H.8', 'Sec-WebSocket-Extensions: permessage-deflate '
                      '(not offered) -> 4',
                      resp(headers=[('Sec-WebSocket-Extensions',
                                     'permessage-deflate')])))
    cs.append(refused('H.9', 'Sec-WebSocket-Protocol: chat (not offered) '
                      '-> 4', resp(headers=[('Sec-WebSocket-Protocol',
                                             'chat')])))
    filler = [('X-Filler-%d' % i, 'x' * 1000) for i in range(40)]
    cs.append(refused('H.10', 'a 40 KB response header -> 4',
                      resp(headers=filler)))
    cs.append(ok('H.11', 'lower-case names, odd reason phrase, mixed-case '
                 'values, extra spaces',
                 [text('hi')], b'hi\n', response=resp_raw(
                     lambda a: ('HTTP/1.1 101 Web Socket Protocol Handshake'
                                '\r\nupgrade:   WebSocket  \r\n'
                                'connection:UPGRADE\r\n'
                                'sec-websocket-accept: \t%s \t\r\n\r\n' % a)
                     .encode())))
    cs.append(ok('H.12', 'Connection: keep-alive, Upgrade',
                 [text('hi')], b'hi\n', response=resp(
                     drop=('connection',),
                     headers=[('Connection', 'keep-alive, Upgrade')])))
    cs.append(ok('H.13', 'extra headers (Server, Date, Set-Cookie, '
                 'empty value)', [text('hi')], b'hi\n', response=resp(
                     headers=[('Server', 'test/1.0'),
                              ('Date', 'Tue, 14 Nov 2023 22:13:20 GMT'),
                              ('Set-Cookie', 'a=b; Path=/'),
                              ('X-Empty', '')])))
    cs.append(ok('H.14', 'a status line with an empty reason phrase',
                 [text('hi')], b'hi\n', response=resp(status='101 ')))
    return cs


ALL = (section1() + section2() + section3() + section4() + section5() +
       section6() + section7() + section9() + sectionX() + sectionH())


# ---------------------------------------------------------------------------
# running a case

def check_request(req, path, port):
    """Problems with the client's HTTP request, as a list of strings."""
    bad_ = []
    if req.line != 'GET %s HTTP/1.1' % path:
        bad_.append('request line %r' % req.line)
    if req.get('Host') != '127.0.0.1:%d' % port:
        bad_.append('Host %r' % req.get('Host'))
    if (req.get('Upgrade') or '').lower() != 'websocket':
        bad_.append('Upgrade %r' % req.get('Upgrade'))
    toks = [t.strip().lower() for t in (req.get('Connection') or '')
            .split(',')]
    if 'upgrade' not in toks:
        bad_.append('Connection %r' % req.get('Connection'))
    key = req.get('Sec-WebSocket-Key') or ''
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            bad_.append('Sec-WebSocket-Key %r is not 16 bytes' % key)
    except ValueError:
        bad_.append('Sec-WebSocket-Key %r is not base64' % key)
    if req.get('Sec-WebSocket-Version') != '13':
        bad_.append('Sec-WebSocket-Version %r' %
                    req.get('Sec-WebSocket-Version'))
    if not (req.get('User-Agent') or '').startswith('certstream.h/'):
        bad_.append('User-Agent %r' % req.get('User-Agent'))
    for n, _ in req.headers:
        if len(req.all(n)) > 1:
            bad_.append('header %s sent twice' % n)
            break
    return bad_


class Result:
    def __init__(self):
        self.why = []
        self.keys = []          # Sec-WebSocket-Key
        self.masks = []         # masking keys of the client's frames


def run_case(c):
    res = Result()
    why = res.why
    lst = W.Listener()
    path = c.path if c.path is not None else '/c/%s' % c.cid
    cli = W.Client(([c.mode] if c.mode else []) +
                   ['--once', '--ping-interval', '0', '--url',
                    'ws://127.0.0.1:%d%s' % (lst.port, path)] + c.args)
    conn = None
    try:
        try:
            conn = lst.accept(5.0)
        except W.Timeout:
            why.append('the client never connected')
            return res
        req = conn.read_request(5.0)
        if req is None:
            why.append('no request (EOF)')
            return res
        res.keys.append(req.get('Sec-WebSocket-Key'))
        if c.cid.startswith('H.0'):
            why.extend(check_request(req, path or '/', lst.port))
        (c.response or resp())(conn, req)
        if c.refused:
            data, eof = conn.read_until_eof(3.0)
            if data:
                why.append('sent %s after a refused handshake (expected '
                           'nothing)' % W.short(data))
            if not eof:
                why.append('kept the connection open 3 s after the '
                           'refused handshake')
        else:
            run_steps(c, conn, res)
    except Exception as e:                  # a bug in the test itself
        why.append('test error: %r' % e)
    finally:
        if conn is not None:
            conn.close()
        lst.close()
        rc = cli.wait(T_EXIT)
    if rc not in c.exit:
        why.append('%s, expected %s' % (W.describe_rc(rc), ' or '.join(
            str(e) for e in c.exit)))
    out = cli.stdout()
    if out != c.out:
        why.append('stdout %s' % W.first_diff(out, c.out))
    return res


def run_steps(c, conn, res):
    why = res.why
    r = W.rng(zlib.crc32(c.cid.encode()))
    got = []               # the client's frames, in order
    got_close = False
    dropped = False
    ended = None
    for s in c.steps:
        if isinstance(s, bytes):
            conn.send(s)
        elif isinstance(s, Chop):
            conn.send_chopped(s.data, r)
        elif isinstance(s, Sleep):
            time.sleep(s.s)
        elif isinstance(s, Drop):
            time.sleep(0.05)
            conn.shutdown()
            dropped = True
            break
        elif isinstance(s, ExpectPong):
            try:
                f = conn.read_frame(s.t)
            except (W.Timeout, W.BadFrame) as e:
                f = e
            if isinstance(f, W.Frame):
                got.append(f)
            if not isinstance(f, W.Frame) or f.opcode != OP_PONG or \
                    f.payload != s.payload:
                why.append('expected a pong %r within %.1f s, got %r' % (
                    s.payload, s.t, f))
        elif isinstance(s, AwaitClose):
            if got_close:
                continue
            fs, got_close, ended = conn.read_until_close(s.t)
            got += fs
            if not got_close:
                why.append('no close within %.1f s of the bad data (%s): '
                           'not fail-fast' % (s.t, ended))
        else:
            raise TypeError(s)
    if c.auto_close and not dropped:
        conn.send(close_frame(1000))
    if dropped:             # whatever the client had sent already
        fs, got_close, ended = conn.read_until_close(0.5)
        got += fs
    elif not got_close and ended not in ('eof',):
        fs, got_close, ended = conn.read_until_close(T_CLOSE)
        got += fs
    if got_close and c.echo:
        cl = got[-1]
        conn.send(frame(OP_CLOSE, cl.payload[:2] if len(cl.payload) >= 2
                        else b''))
    extra, eof = conn.read_until_eof(1.0)
    conn.shutdown()
    # the client's frames
    for f in got:
        if f.masked:
            res.masks.append(f.key)
    probs = []
    for f in got:
        if not f.masked:
            probs.append('unmasked frame %r' % f)
        if f.rsv:
            probs.append('frame with RSV bits %r' % f)
        if not f.fin:
            probs.append('fragmented frame %r' % f)
        if f.opcode not in (OP_PONG, OP_CLOSE):
            probs.append('unexpected frame %r' % f)
    why.extend(probs[:3])
    pongs = [f.payload for f in got if f.opcode == OP_PONG]
    if pongs != c.pongs:
        why.append('pongs %s, expected %s' % (
            [W.short(p, 20) for p in pongs],
            [W.short(p, 20) for p in c.pongs]))
    closes = [f for f in got if f.opcode == OP_CLOSE]
    if dropped:
        pass                # we closed TCP first: no close frame needed
    elif not got_close:
        why.append('no close frame from the client (%s)' % ended)
    else:
        cl = closes[-1]
        code = cl.code()
        if code not in c.close:
            why.append('close code %s, expected %s' % (code, ' or '.join(
                str(x) for x in c.close)))
        if len(cl.payload) == 1 or len(cl.payload) > 125:
            why.append('close payload of %d bytes' % len(cl.payload))
        try:
            cl.reason().decode('utf-8')
        except UnicodeDecodeError:
            why.append('close reason is not UTF-8: %r' % cl.reason())
        if code in (1005, 1006, 1015):
            why.append('sent close code %d (never on the wire)' % code)
    if extra:
        why.append('sent %s after its close frame' % W.short(extra, 40))


def global_checks(results):
    """G cases: across every connection of the run."""
    out = []
    keys = [k for r in results for k in r.keys if k is not None]
    dup = len(keys) - len(set(keys))
    out.append(('G.1', 'a fresh Sec-WebSocket-Key on each of %d '
                'connections' % len(keys),
                [] if dup == 0 and keys else
                ['%d repeated keys' % dup if keys else 'no keys seen']))
    masks = [m for r in results for m in r.masks]
    dup = len(masks) - len(set(masks))
    zero = sum(1 for m in masks if m == b'\0\0\0\0')
    why = []
    if dup > 1:
        why.append('%d of %d masking keys repeated' % (dup, len(masks)))
    if zero > 1:
        why.append('%d all-zero masking keys' % zero)
    if not masks:
        why.append('no masked frames seen')
    out.append(('G.2', 'a fresh masking key on each of %d client frames'
                % len(masks), why))
    return out


def main():
    if W.missing_exe_summary():
        print('0 passed, 1 failed')
        return 1
    t0 = time.monotonic()
    dog = W.watchdog(120, lambda: (0, 0))
    jobs = int(os.environ.get('WS_JOBS', '10'))
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(run_case, ALL))
    passed = failed = 0
    for c, r in zip(ALL, results):
        if r.why:
            failed += 1
            print('case %s %s ... FAIL (%s)' % (c.cid, c.desc,
                                               '; '.join(r.why)))
        else:
            passed += 1
            print('case %s %s ... PASS' % (c.cid, c.desc))
    for cid, desc, why in global_checks(results):
        if why:
            failed += 1
            print('case %s %s ... FAIL (%s)' % (cid, desc, '; '.join(why)))
        else:
            passed += 1
            print('case %s %s ... PASS' % (cid, desc))
    dog.cancel()
    print('%d cases in %.1f s' % (passed + failed, time.monotonic() - t0))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
