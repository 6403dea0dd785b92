#!/usr/bin/env python3
"""Token-stream differential of the JSON tokenizer (cs_jtok_*) against
Python's json module, through `build/test_jtok --dump`.

Generates random JSON documents (nesting, keys and strings with every kind
of escape, lone and paired surrogates, raw UTF-8, numbers of every form,
literals, whitespace), then mutations of them (bytes flipped, inserted,
deleted, cut). For each, the expected token line comes from
json.loads(object_pairs_hook=..., parse_int/parse_float=text) in the
format test_jtok.c writes ("{ } [ ] K:<hex> S:<hex> N:<text> T F Z",
then "OK" or an error); a document Python rejects must be rejected
("E<code>@<offset>"), one it accepts must give the same tokens. Lone
surrogates, which Python keeps, are compared as U+FFFD (the tokenizer's
documented decoding). The tokenizer also checks its own split invariance
on each document (a SPLIT-MISMATCH line fails here).

CS_BUILD (default build) names the build folder; CS_DIFF_SEED the seed.
"""
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get('CS_BUILD', 'build')
EXE = os.path.join(ROOT, BUILD, 'test_jtok')
MAX_DEPTH = 64   # CS_JTOK_MAX_DEPTH
KEY_MAX = 64     # CS_JTOK_KEY_MAX


class Num:
    __slots__ = ('raw',)

    def __init__(self, raw):
        self.raw = raw


class Pairs(list):
    pass


def fix(s):
    """Python keeps lone surrogates; the tokenizer gives U+FFFD."""
    return ''.join('\ufffd' if 0xd800 <= ord(c) <= 0xdfff else c for c in s)


def cut_key(b):
    """A key cut at KEY_MAX bytes, on a character boundary."""
    if len(b) <= KEY_MAX:
        return b, False
    n = KEY_MAX
    while n > 0 and (b[n] & 0xc0) == 0x80:
        n -= 1
    return b[:n], True


def tokens(v, out):
    if isinstance(v, Pairs):
        out.append('{')
        for k, x in v:
            kb, tr = cut_key(fix(k).encode('utf-8'))
            out.append('K:' + kb.hex() + ('+' if tr else ''))
            tokens(x, out)
        out.append('}')
    elif isinstance(v, list):
        out.append('[')
        for x in v:
            tokens(x, out)
        out.append(']')
    elif isinstance(v, str):
        out.append('S:' + fix(v).encode('utf-8').hex())
    elif isinstance(v, Num):
        out.append('N:' + v.raw[:40])
    elif v is True:
        out.append('T')
    elif v is False:
        out.append('F')
    elif v is None:
        out.append('Z')
    else:
        raise ValueError(v)


def depth(v):
    if isinstance(v, Pairs):
        return 1 + max([depth(x) for _, x in v] or [0])
    if isinstance(v, list):
        return 1 + max([depth(x) for x in v] or [0])
    return 0


def bad_const(name):
    raise ValueError(name)


def expect(doc):
    """The expected line, or None when Python rejects the document."""
    try:
        text = doc.decode('utf-8')
        if text[:1] == '\ufeff':
            return None
        v = json.loads(text, object_pairs_hook=Pairs, parse_int=Num,
                       parse_float=Num, parse_constant=bad_const)
    except (ValueError, RecursionError):
        return None
    # Python's whitespace is RFC 8259's; it also accepts nothing else
    if depth(v) > MAX_DEPTH:
        return 'DEPTH'
    out = []
    tokens(v, out)
    return ' '.join(out + ['OK'])


# ---------------------------------------------------------------------------
# documents

WS = [' ', '\t', '\n', '\r', '', '', '', '  ']
PIECES = ['a', 'Z', '0', ' ', '~', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n',
          '\\r', '\\t', '\\u0000', '\\u001f', '\\u00e9', '\\u20AC',
          '\\ud83d\\ude00', '\\ud800', '\\udc00', '\\uDBFF\\uDFFF',
          '\\ud800\\u0041', '\\ud800\\n', '\u00e9', '\u20ac', '\U0001f600',
          '\u07ff', '\uffff', '\U0010ffff', 'base64+/=']


def gen_str(r):
    n = r.choice([0, 1, 2, 5, 20, 70, 300])
    return ''.join(r.choice(PIECES) for _ in range(n))


def gen_num(r):
    s = r.choice(['', '', '-'])
    s += r.choice(['0', str(r.randrange(1, 10)),
                   str(r.randrange(10 ** 25)).lstrip('0') or '1',
                   str(r.randrange(2 ** 64 - 5, 2 ** 64 + 5))])
    if r.random() < 0.3:
        s += '.' + str(r.randrange(10 ** r.randrange(1, 12)))
    if r.random() < 0.2:
        s += r.choice('eE') + r.choice(['', '+', '-']) + str(r.randrange(400))
    return s


def ws(r):
    return r.choice(WS)


def gen(r, d):
    k = r.randrange(10) if d < 12 else r.randrange(4, 10)
    if k < 2:
        items = [gen(r, d + 1) for _ in range(r.randrange(5))]
        return '[' + ws(r) + (ws(r) + ',' + ws(r)).join(items) + ws(r) + ']'
    if k < 4:
        items = ['"' + gen_str(r) + '"' + ws(r) + ':' + ws(r) + gen(r, d + 1)
                 for _ in range(r.randrange(5))]
        return '{' + ws(r) + (ws(r) + ',' + ws(r)).join(items) + ws(r) + '}'
    if k < 7:
        return '"' + gen_str(r) + '"'
    if k < 9:
        return gen_num(r)
    return r.choice(['true', 'false', 'null'])


def mutate(r, b):
    b = bytearray(b)
    for _ in range(r.randrange(1, 4)):
        op = r.randrange(4)
        i = r.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = r.randrange(256)
        elif op == 1:
            b[i:i] = bytes([r.choice(b'{}[]",:\\-+.eE0123456789tfnu \x00'
                                     b'\x1f\x80\xc3\xed\xf4\xff')])
        elif op == 2 and b:
            del b[min(i, len(b) - 1)]
        else:
            b = b[:i]
    return bytes(b)


def main():
    if not os.access(EXE, os.X_OK):
        print('FAIL: %s not found (run make first)' % EXE)
        print('0 passed, 1 failed')
        return 1
    r = random.Random(int(os.environ.get('CS_DIFF_SEED', '20261205')))
    docs = []
    for _ in range(1500):
        docs.append(ws(r) + gen(r, 0) + ws(r))
    docs = [d.encode('utf-8', 'surrogatepass') for d in docs]
    docs += [mutate(r, r.choice(docs)) for _ in range(3000)]
    docs += [b'[' * 64 + b']' * 64, b'[' * 65 + b']' * 65,
             b'{"' + b'k' * 63 + '\u00e9'.encode() + b'":1}']
    real = []
    for sub in ('rfc6962', 'loglist'):
        d = os.path.join(ROOT, '..', 'shared', 'ct', sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith('.json'):
                with open(os.path.join(d, name), 'rb') as f:
                    real.append(f.read())
    if not real:
        print('real CT files: SKIPPED, ../shared/ct not found')
    docs += real
    stdin = b''.join(b'%d\n' % len(d) + d for d in docs)
    res = subprocess.run([EXE, '--dump'], input=stdin, stdout=subprocess.PIPE,
                         check=False)
    lines = res.stdout.decode('ascii').split('\n')
    passed = failed = 0
    accepted = 0
    for d, got in zip(docs, lines):
        want = expect(d)
        if got.startswith('SPLIT-MISMATCH'):
            ok = False
        elif want is None:
            ok = not got.endswith('OK') and '@' in got
        elif want == 'DEPTH':
            ok = got.endswith('E-82@%d' % got.count('[')) or '-82@' in got
        else:
            ok = got == want
            accepted += 1
        if ok:
            passed += 1
        else:
            failed += 1
            if failed <= 10:
                print('FAIL %r\n  want %s\n  got  %s' % (d[:200], want,
                                                        got[:300]))
    if len(lines) < len(docs) or res.returncode != 0:
        print('FAIL: test_jtok --dump exit %d, %d lines for %d documents'
              % (res.returncode, len(lines), len(docs)))
        failed += 1
    print('%d documents (%d real CT responses and log lists), %d valid per '
          'Python' % (len(docs), len(real), accepted))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
