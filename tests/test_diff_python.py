#!/usr/bin/python3
"""Differential test: build/cs-extract against Python's json module.

The corpus, one message per NDJSON line:
  valid      gen_feed.py messages: 3000 mixed, then 500 of each kind spread
             over the four server styles
  rewrite    valid messages respelled: string characters turned into
             \\uXXXX / \\/ escapes (keys too), whitespace between tokens,
             seen / cert_index / timestamp written as other numbers
  synth      random objects built around the CertStream keys: duplicates,
             nulls, wrong types, escaped and near-miss keys, lone
             surrogates, long text fields, deep nesting, non-object tops
  special    hand-picked cases where Python's json is not RFC 8259 strict
             (NaN/Infinity, raw UTF-8 surrogates, BOM) or that sit on a
             limit (depth 64/65, 2^64, 255-byte text, huge numbers)
  trunc      valid messages cut short (a strict prefix of a valid message
             must give CS_E_JSON_INCOMPLETE at offset = its length)
  flip/ins/del  one byte changed, inserted or deleted

Each message's expected line is computed from json.loads with the same
semantics as the tool (see expect()); Python's non-strict corners are
turned off or handled: NaN/Infinity rejected (parse_constant), the bytes
decoded as strict UTF-8 first (json.loads(bytes) would let raw surrogates
through), lone surrogates become U+FFFD, depth > 64 is an error.

cs-extract reads the corpus as NDJSON: plain, --chunk 1, --chunk 7,
--chunk random:1..3 (every line must also equal the plain run's line,
error offsets included), and twice with a small --domain-buf. One
assertion per message per run, plus exit status and line count per run.

The real server messages in ${CS_SAMPLES:-../shared/research/samples}
(relative to the repo; read in place, never copied) are run too, as
FILE... (some are pretty-printed): whole, --chunk 1, --chunk random:4.
Without that folder this part counts as 1 skipped.

CS_BUILD (default build) names the build folder, relative to the repo.
CS_DIFF_SEED picks another corpus of rewrites, synthetic messages and
mutations (the generated valid messages stay the same).
A failing message is saved under $TMPDIR/cs_diff_python/ so that
`build/cs-extract FILE` reproduces it.
"""
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_feed  # noqa: E402

BUILD = os.environ.get('CS_BUILD', 'build')
EXE = os.path.join(ROOT, BUILD, 'cs-extract')
SAMPLES = os.environ.get('CS_SAMPLES', '../shared/research/samples')
if not os.path.isabs(SAMPLES):
    SAMPLES = os.path.normpath(os.path.join(ROOT, SAMPLES))

MAX_DEPTH = 64          # CS_JSON_MAX_DEPTH
STR_MAX = 255           # CS_JSON_STR_MAX
DOM_CAP = 256 * 1024    # cs-extract's default --domain-buf
FIELD_ORDER = ['type', 'domains', 'cert_index', 'seen', 'source_url',
               'source_name', 'timestamp', 'sha1', 'sha256']
HEXDIGITS = frozenset('0123456789abcdefABCDEF')

# ---------------------------------------------------------------------------
# the oracle


class IntTok:
    """An integer as written (json.loads parse_int hook): keeps the text,
    so -0 stays negative and 5000-digit numbers need no int()."""
    __slots__ = ('raw',)

    def __init__(self, raw):
        self.raw = raw


def _reject_constant(name):
    raise ValueError('non-JSON constant ' + name)


def _depth(v):
    """Nesting depth: a scalar is 0, {} or [] is 1."""
    best = 0
    stack = [(v, 1)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, dict):
            best = max(best, d)
            stack.extend((y, d + 1) for y in x.values())
        elif isinstance(x, list):
            best = max(best, d)
            stack.extend((y, d + 1) for y in x)
    return best


_SURR = re.compile('[\ud800-\udfff]')


def _fix(s):
    """Lone surrogates (the only ones json.loads leaves) -> U+FFFD."""
    return _SURR.sub('\ufffd', s)


def _num(v):
    """A JSON number as the double the tool must give, or None if v is
    not a number."""
    if isinstance(v, IntTok):
        return float(v.raw)
    if type(v) is float:
        return v
    return None


def parse(raw):
    """('ok', obj) | ('notobj', None) | ('err', reason)."""
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        return 'err', 'utf-8: %s' % e.reason
    try:
        obj = json.loads(text, parse_int=IntTok,
                         parse_constant=_reject_constant)
    except RecursionError:
        return 'err', 'too deep for Python'
    except ValueError as e:
        return 'err', str(e)
    if _depth(obj) > MAX_DEPTH:
        return 'err', 'deeper than %d' % MAX_DEPTH
    if not isinstance(obj, dict):
        return 'notobj', None
    return 'ok', obj


def digest(v, n):
    """A leaf_cert digest string as bytes: 2n hex digits or n hex pairs
    joined by ':' (either case). None when absent (null), 'bad' for any
    other value."""
    if v is None:
        return None
    if not isinstance(v, str):
        return 'bad'
    if len(v) == 3 * n - 1 and all(v[i] == ':' for i in range(2, len(v), 3)):
        v = v.replace(':', '')
    if len(v) != 2 * n or not set(v) <= HEXDIGITS:
        return 'bad'
    return bytes.fromhex(v)


def expect(obj, dom_cap=DOM_CAP):
    """The line cs-extract must print for a parsed top-level object."""
    out = {}
    bad = set()
    trunc = set()

    def text(name, v):
        if v is None:
            return
        if not isinstance(v, str):
            bad.add(name)
            return
        b = _fix(v).encode('utf-8')
        if len(b) > STR_MAX:
            b = b[:STR_MAX]
            trunc.add(name)
        out[name] = b.decode('utf-8', 'ignore')  # drops a cut sequence

    def number(name, v):
        if v is None:
            return
        x = _num(v)
        if x is None:
            bad.add(name)
        else:
            out[name] = x

    def domains(lst):
        used = count = total = 0
        names = []
        for v in lst:
            if not isinstance(v, str):
                bad.add('domains')
                continue
            total += 1
            b = _fix(v).encode('utf-8')
            # room for the name, its NUL and one more 4-byte index slot
            need = used + 4 * (count + 1) + 1
            if need <= dom_cap and len(b) <= dom_cap - need:
                names.append(b.decode('utf-8'))
                used += len(b) + 1
                count += 1
            else:
                trunc.add('domains')
        out['domains'] = names
        out['domain_count'] = total

    text('type', obj.get('message_type'))
    number('timestamp', obj.get('timestamp'))
    data = obj.get('data')
    if isinstance(data, list):
        domains(data)
    elif isinstance(data, dict):
        ci = data.get('cert_index')
        if ci is not None:
            if isinstance(ci, IntTok) and not ci.raw.startswith('-') \
                    and len(ci.raw) <= 20 and int(ci.raw) < 1 << 64:
                out['cert_index'] = int(ci.raw)
            else:
                bad.add('cert_index')
        number('seen', data.get('seen'))
        src = data.get('source')
        if isinstance(src, dict):
            text('source_url', src.get('url'))
            text('source_name', src.get('name'))
        elif src is not None:
            bad.update(('source_url', 'source_name'))
        leaf = data.get('leaf_cert')
        if isinstance(leaf, dict):
            ad = leaf.get('all_domains')
            if isinstance(ad, list):
                domains(ad)
            elif ad is not None:
                bad.add('domains')
            # sha1 from "sha1" when good, else from "fingerprint"
            s1 = digest(leaf.get('sha1'), 20)
            if not isinstance(s1, bytes):
                fp = digest(leaf.get('fingerprint'), 20)
                if isinstance(fp, bytes) or s1 is None:
                    s1 = fp
            for name, d in (('sha1', s1),
                            ('sha256', digest(leaf.get('sha256'), 32))):
                if isinstance(d, bytes):
                    out[name] = d.hex()
                elif d == 'bad':
                    bad.add(name)
        elif leaf is not None:
            bad.update(('domains', 'sha1', 'sha256'))
    elif data is not None:
        bad.update(('domains', 'cert_index', 'seen', 'source_url',
                    'source_name', 'sha1', 'sha256'))
    if trunc:
        out['truncated'] = sorted(trunc, key=FIELD_ORDER.index)
    if bad:
        out['wrong_type'] = sorted(bad, key=FIELD_ORDER.index)
    return out


def _canon(d):
    """Floats compared bit for bit (so -0.0 != 0.0), lists as given."""
    c = {}
    for k, v in d.items():
        if k in ('seen', 'timestamp') and isinstance(v, (int, float)):
            v = struct.pack('<d', float(v)).hex()
        elif k in ('truncated', 'wrong_type') and isinstance(v, list):
            v = sorted(v, key=lambda x: (FIELD_ORDER.index(x)
                                         if x in FIELD_ORDER else 99, x))
        c[k] = v
    return c


def check_line(raw, line, want, dom_cap=DOM_CAP):
    """None if the tool's output line is right for message raw, else a
    description. want is parse(raw) (computed once)."""
    try:
        got = json.loads(line.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        return 'output is not JSON (%s): %r' % (e, line[:200])
    if not isinstance(got, dict):
        return 'output is not an object: %r' % line[:200]
    verdict, obj = want
    if 'error' in got:
        err, off = got.get('error'), got.get('offset')
        if set(got) != {'error', 'offset'} or not isinstance(err, str) \
                or type(off) is not int or not err.startswith('CS_E_JSON_'):
            return 'malformed error line %r' % line[:200]
        if not 0 <= off <= len(raw):
            return '%s offset %d outside 0..%d' % (err, off, len(raw))
        if err == 'CS_E_JSON_INCOMPLETE' and off != len(raw):
            return 'CS_E_JSON_INCOMPLETE at %d, not at the end (%d)' % (
                off, len(raw))
        if verdict == 'ok':
            return 'tool says %s at %d, Python accepts' % (err, off)
        if verdict == 'notobj':
            if err != 'CS_E_JSON_NOT_OBJECT':
                return 'tool says %s, want CS_E_JSON_NOT_OBJECT' % err
            return None
        if err == 'CS_E_JSON_NOT_OBJECT':
            return 'tool says NOT_OBJECT for invalid JSON (%s)' % obj
        return None
    if verdict != 'ok':
        return 'tool accepts; expected %s (%s)' % (
            'CS_E_JSON_NOT_OBJECT' if verdict == 'notobj' else 'an error',
            obj)
    exp = expect(obj, dom_cap)
    if _canon(got) != _canon(exp):
        keys = sorted(set(got) | set(exp))
        diff = ['%s: got %s want %s' % (
            k, json.dumps(got.get(k, '<absent>'))[:150],
            json.dumps(exp.get(k, '<absent>'))[:150])
            for k in keys if _canon({k: got.get(k)}) != _canon({k: exp.get(k)})]
        return 'fields differ: ' + '; '.join(diff)
    return None


# ---------------------------------------------------------------------------
# corpus: valid messages and their respellings

def valid_messages():
    out = []
    for line in gen_feed.generate('mixed', 'mixed', 11, count=3000):
        out.append(('valid/mixed', line.rstrip('\n').encode()))
    seed = 100
    for kind in ('full', 'lite', 'domains', 'heartbeat'):
        for style in ('elixir', 'go', 'rust', 'python'):
            seed += 1
            for line in gen_feed.generate(kind, style, seed, count=125):
                out.append(('valid/%s/%s' % (kind, style),
                            line.rstrip('\n').encode()))
    return out


WS = ' \t\r'


def _esc_char(r, c):
    cp = ord(c)
    if c == '/' and r.random() < 0.7:
        return '\\/'
    fmt = '\\u%04x' if r.random() < 0.5 else '\\u%04X'
    if cp >= 0x10000:
        cp -= 0x10000
        return fmt % (0xd800 + (cp >> 10)) + fmt % (0xdc00 + (cp & 0x3ff))
    return fmt % cp


def respell(r, text, p_esc, p_ws):
    """Rewrite a valid JSON text without changing its meaning: escape
    string characters with probability p_esc, add whitespace after
    structural characters with probability p_ws."""
    out = []
    i, n = 0, len(text)
    in_str = False
    if r.random() < p_ws:
        out.append(r.choice(WS))
    while i < n:
        c = text[i]
        if in_str:
            if c == '\\':
                k = 6 if text[i + 1] == 'u' else 2
                out.append(text[i:i + k])
                i += k
                continue
            if c == '"':
                in_str = False
                out.append(c)
            elif r.random() < p_esc:
                out.append(_esc_char(r, c))
            else:
                out.append(c)
            i += 1
            continue
        out.append(c)
        if c == '"':
            in_str = True
        elif c in ',:{}[]' and r.random() < p_ws:
            out.append(''.join(r.choice(WS) for _ in range(r.randrange(1, 4))))
        i += 1
    return ''.join(out)


def rand_number(r, kind='any'):
    """A JSON number text: exact halfway cases, long mantissas, extreme
    exponents, and the shapes the servers send."""
    k = r.random()
    if kind == 'index':
        return r.choice([
            '0', '1', '4294967295', '4294967296', '18446744073709551615',
            '18446744073709551616', '99999999999999999999', '-1', '-0',
            '1.0', '1e3', '1E+2', '0.5', '123456789012345678901234567890',
            str(r.randrange(0, 1 << 64)), str(r.randrange(0, 1 << 33)),
            str(r.randrange(0, 1 << 64)) + '.0', '-' + str(r.randrange(1, 9999))])
    if k < 0.15:
        return r.choice([
            '0', '-0', '0.0', '-0.0', '0e0', '0E+0', '-0e-0', '1e-400',
            '-1e-400', '1e400', '-1e400', '1e308', '1.7976931348623157e308',
            '1.7976931348623158e308', '1.7976931348623159e308',
            '2.2250738585072011e-308', '2.2250738585072012e-308',
            '4.9406564584124654e-324', '2.4703282292062327e-324',
            '2.4703282292062328e-324', '9007199254740993',
            '9007199254740992.5', '9007199254740993.0000000000000001',
            '1.00000000000000011102230246251565404236316680908203125',
            '1.00000000000000011102230246251565404236316680908203124',
            '1.00000000000000011102230246251565404236316680908203126',
            '0.1', '0.3', '123456789012345678', '1700000000', '1.7e9',
            '1779329147.469711', '1779329147469711e-6',
            '0.1779329147469711E10', '1779329147.4697110000000000000',
            '5e-324', '1e23', '8.41e21', '4503599627370496.5',
            '4503599627370497.5'])
    if k < 0.3:
        # seen-like with a respelled exponent
        t = 1_600_000_000 + r.random() * 2e8
        d = repr(round(t, r.randrange(0, 8)))
        ip, _, fp = d.partition('.')
        m = ip + fp
        e = -len(fp)
        sh = r.randrange(-12, 12)
        if sh > 0:
            m = m + '0' * sh
            e -= sh
        return '%s%s%s' % (m.lstrip('0') or '0', r.choice('eE'),
                           r.choice(['', '+']) + str(e) if e >= 0 else str(e))
    if k < 0.4:
        # huge digit strings: beyond 19 and beyond 800 significant digits
        nd = r.choice([20, 25, 40, 100, 799, 800, 801, 900, 2000])
        digits = str(r.randrange(1, 10)) + ''.join(
            r.choice('0123456789') for _ in range(nd - 1))
        dp = r.randrange(1, nd + 1)
        s = digits[:dp] + ('.' + digits[dp:] if dp < nd else '')
        if r.random() < 0.5:
            s += 'e' + str(r.randrange(-340, 310))
        return ('-' if r.random() < 0.2 else '') + s
    # random shape
    ip = '0' if r.random() < 0.2 else str(r.randrange(1, 10)) + ''.join(
        r.choice('0123456789') for _ in range(r.randrange(0, 22)))
    s = ('-' if r.random() < 0.2 else '') + ip
    if r.random() < 0.6:
        s += '.' + ''.join(r.choice('0123456789')
                           for _ in range(r.randrange(1, 25)))
    if r.random() < 0.5:
        s += r.choice('eE') + r.choice(['', '+', '-']) + str(
            r.randrange(0, 400))
    return s


_NUMFIELD = re.compile(r'("(?:seen|cert_index|timestamp)"\s*:\s*)'
                       r'(-?\d[\d.eE+\-]*)')


def renumber(r, text):
    def sub(m):
        kind = 'index' if 'cert_index' in m.group(1) else 'any'
        return m.group(1) + rand_number(r, kind)
    return _NUMFIELD.sub(sub, text)


def rewrites(r, valid, n):
    out = []
    for _ in range(n):
        label, raw = r.choice(valid)
        text = raw.decode()
        k = r.random()
        if k < 0.35:
            new, tag = respell(r, text, r.choice([0.02, 0.2, 1.0]), 0.0), 'esc'
        elif k < 0.55:
            new, tag = respell(r, text, 0.0, r.choice([0.1, 1.0])), 'ws'
        elif k < 0.85:
            new, tag = renumber(r, text), 'num'
        else:
            new, tag = respell(r, renumber(r, text), 0.3, 0.3), 'mix'
        out.append(('rewrite/%s/%s' % (tag, label.split('/', 1)[1]),
                    new.encode()))
    return out


# ---------------------------------------------------------------------------
# corpus: synthetic adversarial objects

KEYS = ['message_type', 'data', 'timestamp', 'cert_index', 'seen', 'source',
        'url', 'name', 'leaf_cert', 'all_domains', 'fingerprint', 'sha1',
        'sha256']
NEAR_KEYS = ['Seen', 'seen ', ' seen', 'seen\\u0000', 'data_', 'dat',
             'messagetype', 'message_type_and_more_than_16', 'url\\u0000',
             'all_domain', 'leaf-cert', 'timestamp\\u0000', 'seenseen',
             'source_url', '\\u0000', '', 'sha', 'sha2', 'sha1 ', 'SHA1',
             'sha256\\u0000', 'fingerprints', 'Fingerprint']


def rand_digest(r, n):
    """The JSON string (with quotes) of an n-byte digest-like text: good
    ones of either form and case, and near misses of every kind."""
    if r.random() < 0.3:
        n = r.choice([20, 32, 19, 21, 31, 33, 0])
    pairs = ['%02x' % r.randrange(256) for _ in range(n)]
    case = r.random()
    if case < 0.4:
        pairs = [p.upper() for p in pairs]
    elif case < 0.5:
        pairs = [''.join(c.upper() if r.random() < 0.5 else c for c in p)
                 for p in pairs]
    text = (':' if r.random() < 0.6 else '').join(pairs)
    k = r.random()
    if k < 0.35 and text:
        i = r.randrange(len(text))
        text = text[:i] + r.choice([
            'g', 'G', ' ', '-', ':', '::', '0', '', 'x', '\\u0041',
            '\\u003a', '\\u003A', '\\u0000', 'é', '０', '\\/',
            '\\ud800']) + text[i + 1:]
    elif k < 0.45:
        # escapes that decode to the same text
        text = ''.join('\\u%04x' % ord(c) if r.random() < 0.3 else c
                       for c in text)
    elif k < 0.5:
        text = r.choice([':', '', ':' + text, text + ':', text + ' '])
    return '"' + text + '"'


def rand_str_body(r, short=False):
    """JSON string body (escaped form) of many kinds."""
    k = r.random()
    if short and 0.45 <= k < 0.7:
        k = 0.3
    if k < 0.25:
        return r.choice(['example.com', '*.example.org', 'xn--mnchen-3ya.de',
                         'certificate_update', 'dns_entries', 'heartbeat',
                         'https://ct.example/log/', "Google 'Argon' log",
                         ''])
    if k < 0.45:
        pieces = []
        for _ in range(r.randrange(1, 12)):
            pieces.append(r.choice([
                'a', 'Z', ' ', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n',
                '\\r', '\\t', '\\u0000', '\\u001f', '\\u007f', 'é', '€',
                '😀', '\\u00e9', '\\u20AC', '\\ud83d\\ude00', '\\ud800',
                '\\udc00', '\\ud800\\ud800\\udc00', '\\udbff\\udfff',
                '\\uDBFF', '\u2028', '\\u2028', '\x7f', '中', 'ç', '/']))
        return ''.join(pieces)
    if k < 0.6:
        # long: over the 255-byte text limit, multibyte near the cut
        unit = r.choice(['a', 'é', '€', '😀', 'ab€', '\\u00e9', '\\ud83d\\ude00'])
        return 'x' * r.randrange(240, 256) + unit * r.randrange(1, 40)
    if k < 0.7:
        return 'y' * r.choice([253, 254, 255, 256, 257]) + \
            r.choice(['', 'é', '€', '😀'])
    return ''.join(r.choice('abcdefghijklmnopqrstuvwxyz.-*')
                   for _ in range(r.randrange(0, 30)))


def rand_key(r):
    k = r.random()
    if k < 0.65:
        key = r.choice(KEYS)
        if r.random() < 0.15:   # spell it with escapes
            key = ''.join('\\u%04x' % ord(c) if r.random() < 0.4 else c
                          for c in key)
        return key
    if k < 0.85:
        return r.choice(NEAR_KEYS)
    return rand_str_body(r, short=True)


def ws(r, p=0.2):
    return ''.join(r.choice(WS) for _ in range(r.randrange(1, 3))) \
        if r.random() < p else ''


def rand_scalar(r):
    k = r.random()
    if k < 0.15:
        return 'null'
    if k < 0.25:
        return r.choice(['true', 'false'])
    if k < 0.6:
        return rand_number(r)
    return '"' + rand_str_body(r) + '"'


def rand_value(r, depth, hint=None):
    """Some JSON value; hint (a key) makes the likely shapes likelier."""
    if depth > 6:
        return rand_scalar(r)
    k = r.random()
    if hint == 'data' and k < 0.6:
        if r.random() < 0.3:
            return rand_array(r, depth, 'domains')
        return rand_object(r, depth, ['cert_index', 'seen', 'source',
                                      'leaf_cert', 'update_type'])
    if hint == 'source' and k < 0.6:
        return rand_object(r, depth, ['url', 'name'])
    if hint == 'leaf_cert' and k < 0.6:
        return rand_object(r, depth, ['all_domains', 'subject', 'fingerprint',
                                      'sha1', 'sha256'])
    if hint in ('fingerprint', 'sha1', 'sha256') and k < 0.7:
        return rand_digest(r, 32 if hint == 'sha256' else 20)
    if hint == 'all_domains' and k < 0.6:
        return rand_array(r, depth, 'domains')
    if hint in ('seen', 'timestamp') and k < 0.6:
        return rand_number(r)
    if hint == 'cert_index' and k < 0.6:
        return rand_number(r, 'index')
    if hint in ('message_type', 'url', 'name') and k < 0.6:
        return '"' + rand_str_body(r) + '"'
    if k < 0.7:
        return rand_scalar(r)
    if k < 0.85:
        return rand_array(r, depth, None)
    return rand_object(r, depth, None)


def rand_array(r, depth, hint):
    n = r.choice([0, 1, 2, 3, 5, 10]) if hint != 'domains' else \
        r.randrange(0, 30)
    items = []
    for _ in range(n):
        if hint == 'domains' and r.random() < 0.85:
            items.append('"' + rand_str_body(r) + '"')
        else:
            items.append(rand_value(r, depth + 1))
    return '[' + ws(r) + (ws(r) + ',' + ws(r)).join(items) + ws(r) + ']'


def rand_object(r, depth, likely):
    n = r.choice([0, 1, 2, 3, 4, 6])
    members = []
    for _ in range(n):
        if likely and r.random() < 0.7:
            key = r.choice(likely)
        else:
            key = rand_key(r)
        members.append('"%s"%s:%s%s' % (key, ws(r), ws(r),
                                        rand_value(r, depth + 1, key)))
    if members and r.random() < 0.25:      # a duplicate key
        members.append(r.choice(members))
    r.shuffle(members)
    return '{' + ws(r) + (ws(r) + ',' + ws(r)).join(members) + ws(r) + '}'


def synth_messages(r, n):
    out = []
    for _ in range(n):
        k = r.random()
        if k < 0.03:
            text = ws(r) + rand_value(r, 5) + ws(r)        # any top value
            tag = 'top'
        elif k < 0.08:
            # nesting near the limit, inside a wanted field or not
            d = r.randrange(MAX_DEPTH - 4, MAX_DEPTH + 3)
            opens = ''.join(r.choice(['[', '{"k":']) for _ in range(d - 1))
            closes = ''.join(']' if o == '[' else '}'
                             for o in reversed(re.findall(r'\[|\{"k":',
                                                          opens)))
            text = '{"data":' + opens + '1' + closes + '}'
            tag = 'deep'
        else:
            text = rand_object(r, 0, ['message_type', 'data', 'timestamp'])
            tag = 'obj'
        out.append(('synth/' + tag, text.encode()))
    return out


def special_messages():
    s = []

    def add(tag, b):
        s.append(('special/' + tag, b if isinstance(b, bytes)
                  else b.encode()))
    # Python accepts these, RFC 8259 does not
    for c in ('NaN', 'Infinity', '-Infinity'):
        add('py-constant', '{"data":{"seen":%s}}' % c)
        add('py-constant', '{"timestamp":%s}' % c)
        add('py-constant', '{"x":[%s]}' % c)
    add('raw-surrogate', b'{"message_type":"\xed\xa0\x80"}')
    add('raw-surrogate', b'{"data":["\xed\xbf\xbf.com"]}')
    add('bom', b'\xef\xbb\xbf{"message_type":"heartbeat"}')
    add('overlong', b'{"message_type":"\xc0\xaf"}')
    add('beyond-10ffff', b'{"message_type":"\xf4\x90\x80\x80"}')
    add('f5', b'{"message_type":"\xf5\x80\x80\x80"}')
    add('cont', b'{"data":["\x80"]}')
    add('truncated-utf8', b'{"data":["\xe2\x82"]}')
    # lone surrogates: U+FFFD
    for e in ('\\ud800', '\\udc00', '\\ud800\\u0041', '\\ud800\\ud800\\udc00',
              '\\udc00\\ud800\\udc00', '\\ud83d', 'a\\udfffb',
              '\\ud800\\\\'):
        add('lone-surrogate', '{"message_type":"%s","data":["%s"]}' % (e, e))
    # limits
    add('depth64', '{"data":' + '[' * 63 + ']' * 63 + '}')
    add('depth65', '{"data":' + '[' * 64 + ']' * 64 + '}')
    add('depth65-skip', '{"zzz":' + '{"a":' * 64 + '1' + '}' * 64 + '}')
    for v in ('18446744073709551615', '18446744073709551616', '0', '-0',
              '00', '1.0', '1e0', '-1', '4294967296'):
        add('index', '{"data":{"cert_index":%s}}' % v)
    add('huge-int', '{"data":{"seen":%s}}' % ('1' * 5000))
    add('huge-int', '{"data":{"seen":-%s}}' % ('9' * 5000))
    add('huge-frac', '{"timestamp":0.%s1}' % ('0' * 5000))
    add('tiny', '{"timestamp":1e-400,"data":{"seen":-1e-400}}')
    for n in (254, 255, 256):
        for u in ('é', '€', '😀'):
            add('text-limit', '{"message_type":"%s%s","data":{"source":'
                '{"url":"%s%s","name":"%s%s"}}}' % ('a' * (n - 1), u,
                                                    'b' * (n - 2), u,
                                                    'c' * (n - 3), u))
    add('nul', '{"message_type":"a\\u0000b","data":["x\\u0000y"]}')
    add('ctl-escapes', '{"message_type":"\\b\\f\\n\\r\\t\\"\\\\\\/\\u0001"}')
    add('raw-ctl', b'{"message_type":"a\x01b"}')
    add('raw-tab', b'{"message_type":"a\tb"}')
    add('del', b'{"message_type":"a\x7fb"}')
    add('trailing', '{} {}')
    add('trailing', '{}x')
    add('trailing-ws', '{}\r \t')
    add('empty-obj', '{}')
    add('not-object', '[]')
    add('not-object', '"certificate_update"')
    add('not-object', '123')
    add('not-object', 'null')
    add('dup-data', '{"data":{"seen":1,"source":{"url":"u","name":"n"}},'
        '"data":{"leaf_cert":{"all_domains":["a"]}}}')
    add('dup-data', '{"data":["a","b"],"data":5}')
    add('dup-data', '{"data":5,"data":null}')
    add('dup-source', '{"data":{"source":{"url":"u","name":"n"},'
        '"source":{"url":"v"}}}')
    add('wrong-types', '{"message_type":1,"timestamp":"1","data":{'
        '"cert_index":"1","seen":true,"source":[],"leaf_cert":{'
        '"all_domains":"a"}}}')
    add('wrong-types', '{"data":{"source":{"url":1,"name":null},'
        '"leaf_cert":[]}}')
    add('domain-elems', '{"data":["a",null,1,["b"],{"c":"d"},true,"e"]}')
    add('nested-timestamp', '{"data":{"source":{"timestamp":5},'
        '"timestamp":6},"x":{"timestamp":7}}')
    add('key-escapes', '{"\\u006d\\u0065ssage_type":"x","d\\u0061ta":'
        '{"s\\u0065en":1.5,"cert\\u005findex":7}}')
    # fingerprints: precedence, duplicates, shapes, replaced containers
    h1, h2 = '0123456789ABCDEFabcd' * 2, 'fedcba9876543210FEDC' * 2
    c1 = ':'.join(h1[i:i + 2] for i in range(0, 40, 2))
    c2 = ':'.join(h2[i:i + 2] for i in range(0, 40, 2))
    h3 = ('00ff' * 16)
    c3 = ':'.join(h3[i:i + 2] for i in range(0, 64, 2))
    for leaf in (
            '{"fingerprint":"%s","sha1":"%s","sha256":"%s"}' % (c1, c2, c3),
            '{"sha1":"%s","fingerprint":"%s"}' % (h2, c1),
            '{"fingerprint":"%s","sha1":null}' % c1,
            '{"fingerprint":"%s","sha1":"%s"}' % (c1, c2[:-1]),
            '{"fingerprint":"x","sha1":"%s"}' % h1,
            '{"fingerprint":"x","sha1":5}',
            '{"fingerprint":null,"sha1":[]}',
            '{"sha1":"%s","sha1":"%s"}' % (h1, c1 + ':'),
            '{"sha1":"%s","sha1":null}' % h1,
            '{"sha256":"%s","sha256":"%s"}' % (c3, h3),
            '{"sha256":"%s"}' % c3.replace(':', '-'),
            '{"sha256":"%s"}' % h3[:-1],
            '{"sha256":"%s"}' % c3.replace(':', '::', 1),
            '{"sha256":"%s","sha256":{}}' % h3,
            '{"fingerprint":"\\u0030%s"}' % c1[1:],
            '{"fingerprint":"%s\\u003a%s"}' % (c1[:2], c1[3:]),
            '{"fingerprint":"%s"}' % ('ab:' * 19 + 'a'),
            '{"fingerprint":"%s"}' % ('a' * 200),
            '{"fingerprint":"%s"}' % (c1[:-1] + '\\u00e9')):
        add('digest', '{"data":{"leaf_cert":%s}}' % leaf)
    add('digest-replaced', '{"data":{"leaf_cert":{"sha1":"%s"},'
        '"leaf_cert":{"all_domains":[]}}}' % h1)
    add('digest-replaced', '{"data":{"leaf_cert":{"sha1":"%s"}},'
        '"data":5}' % h1)
    add('digest-replaced', '{"data":{"leaf_cert":{"sha1":"%s"}},'
        '"data":["a"]}' % h1)
    add('digest-replaced', '{"data":{"leaf_cert":{"sha256":"%s"},'
        '"leaf_cert":"x"}}' % h3)
    add('digest-elsewhere', '{"sha1":"%s","data":{"sha1":"%s","chain":[{'
        '"sha1":"%s"}],"leaf_cert":{"x":{"sha1":"%s"}}}}' % (h1, h1, h1, h1))
    return s


# ---------------------------------------------------------------------------
# corpus: malformed

def mutations(r, pool, n_trunc, n_flip, n_ins, n_del):
    out = []
    for _ in range(n_trunc):
        label, raw = r.choice(pool)
        if len(raw) < 2:
            continue
        cut = r.randrange(1, len(raw))
        out.append(('trunc/' + label.split('/', 1)[1], raw[:cut], True))
    for tag, count in (('flip', n_flip), ('ins', n_ins), ('del', n_del)):
        for _ in range(count):
            label, raw = r.choice(pool)
            b = bytearray(raw)
            pos = r.randrange(len(b))
            v = r.choice([r.randrange(256), ord(r.choice('{}[],:"\\ 0e.-+tfnu'))])
            if v == 0x0a:
                v = 0x0b
            if tag == 'flip':
                b[pos] = v
            elif tag == 'ins':
                b.insert(pos, v)
            else:
                del b[pos]
            if not b:
                continue
            out.append(('%s/%s' % (tag, label.split('/', 1)[1]), bytes(b),
                        False))
    return out


# ---------------------------------------------------------------------------
# running

def run_tool(args, data):
    p = subprocess.run([EXE] + args, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    lines = p.stdout.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return p.returncode, lines, p.stderr


def main():
    passed = failed = 0
    if not os.access(EXE, os.X_OK):
        print('FAIL: %s not found (run make first)' % EXE)
        print('0 passed, 1 failed')
        return 1
    seed = int(os.environ.get('CS_DIFF_SEED', '20240601'))
    r = random.Random(seed)
    valid = valid_messages()
    corpus = [(l, m, False) for l, m in valid]
    corpus += [(l, m, False) for l, m in rewrites(r, valid, 2000)]
    corpus += [(l, m, False) for l, m in synth_messages(r, 2500)]
    corpus += [(l, m, False) for l, m in special_messages()]
    good = [(l, m) for l, m, _ in corpus if parse(m)[0] == 'ok'
            and len(m) < 20000]
    corpus += mutations(r, good, 1000, 1000, 300, 300)
    # NDJSON cannot hold a raw newline, and a blank line (nothing, or only
    # spaces, tabs and CRs) is not a message
    corpus = [c for c in corpus if c[1].strip(b' \t\r')
              and b'\n' not in c[1]]
    labels = [c[0] for c in corpus]
    msgs = [c[1] for c in corpus]
    prefixes = [c[2] for c in corpus]
    wants = [parse(m) for m in msgs]
    data = b'\n'.join(msgs) + b'\n'
    kinds = {}
    for l, w in zip(labels, wants):
        g = l.split('/')[0]
        kinds.setdefault(g, [0, 0, 0])
        kinds[g][{'ok': 0, 'notobj': 1, 'err': 2}[w[0]]] += 1
    print('corpus: %d messages, %.1f MB (%s)' % (
        len(msgs), len(data) / 1e6, ', '.join(
            '%s %d ok/%d notobj/%d err' % (g, *v) for g, v in kinds.items())))

    faildir = os.path.join(tempfile.gettempdir(), 'cs_diff_python')
    shown = [0]

    def report(run, i, why):
        if shown[0] >= 25:
            return
        shown[0] += 1
        os.makedirs(faildir, exist_ok=True)
        path = os.path.join(faildir, 'msg%05d.json' % i)
        with open(path, 'wb') as f:
            f.write(msgs[i])
        print('FAIL [%s] #%d %s: %s' % (run, i, labels[i], why))
        print('     message (%d B): %r%s' % (len(msgs[i]), msgs[i][:160],
                                             '...' if len(msgs[i]) > 160
                                             else ''))
        print('     reproduce: %s %s' % (EXE, path))

    runs = [('plain', []), ('chunk1', ['--chunk', '1']),
            ('chunk7', ['--chunk', '7']),
            ('random1', ['--chunk', 'random:1']),
            ('random2', ['--chunk', 'random:2']),
            ('random3', ['--chunk', 'random:3'])]
    plain = None
    for name, args in runs:
        rc, lines, err = run_tool(args, data)
        bad = 0
        ok_rc = rc == 0
        ok_n = len(lines) == len(msgs)
        for cond, what in ((ok_rc, 'exit status %d, stderr %r' % (rc,
                                                                   err[:200])),
                           (ok_n, '%d output lines for %d messages' % (
                               len(lines), len(msgs)))):
            if cond:
                passed += 1
            else:
                failed += 1
                print('FAIL [%s] %s' % (name, what))
        for i in range(min(len(lines), len(msgs))):
            why = check_line(msgs[i], lines[i], wants[i])
            if why is None and prefixes[i] and wants[i][0] == 'err':
                if b'CS_E_JSON_INCOMPLETE' not in lines[i]:
                    why = 'a strict prefix of a valid message must be ' \
                          'CS_E_JSON_INCOMPLETE: %r' % lines[i]
            if why is None and plain is not None and i < len(plain) \
                    and lines[i] != plain[i]:
                why = 'differs from the unsplit run: %r vs %r' % (
                    lines[i][:200], plain[i][:200])
            if why is None:
                passed += 1
            else:
                failed += 1
                bad += 1
                report(name, i, why)
        if ok_n and name == 'plain':
            plain = lines
        print('run %-8s %d lines, %d mismatches' % (name, len(lines), bad))

    # small domain storage: which names fit, and the truncated flag
    for cap in (2000, 100):
        rc, lines, err = run_tool(['--domain-buf', str(cap),
                                   '--chunk', 'random:9'], data)
        bad = 0
        if rc == 0 and len(lines) == len(msgs):
            passed += 1
        else:
            failed += 1
            print('FAIL [dombuf%d] exit %d, %d lines for %d messages' % (
                cap, rc, len(lines), len(msgs)))
        for i in range(min(len(lines), len(msgs))):
            why = check_line(msgs[i], lines[i], wants[i], cap)
            if why is None:
                passed += 1
            else:
                failed += 1
                bad += 1
                report('dombuf%d' % cap, i, why)
        print('run dombuf%-4d %d lines, %d mismatches' % (cap, len(lines),
                                                          bad))
    # every small --domain-buf from 0 to 64 on short lists: the exact
    # boundary of "fits" (name + NUL + 4-byte slot)
    few = [i for i, l in enumerate(labels)
           if wants[i][0] == 'ok' and len(msgs[i]) < 400 and (
               l.startswith('valid/domains') or l.startswith('synth'))][:300]
    sweep = b'\n'.join(msgs[i] for i in few) + b'\n'
    bad = 0
    for cap in range(0, 65):
        rc, lines, err = run_tool(['--domain-buf', str(cap)], sweep)
        if rc != 0 or len(lines) != len(few):
            failed += 1
            bad += 1
            print('FAIL [dombuf%d] exit %d, %d lines for %d messages' % (
                cap, rc, len(lines), len(few)))
            continue
        for i, line in zip(few, lines):
            why = check_line(msgs[i], line, wants[i], cap)
            if why is None:
                passed += 1
            else:
                failed += 1
                bad += 1
                report('dombuf%d' % cap, i, why)
    print('run dombuf0..64: %d messages each, %d mismatches' % (len(few), bad))

    p, f, skipped = check_samples()
    passed += p
    failed += f
    if skipped:
        print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    else:
        print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def check_samples():
    """The saved real messages, one file each: (passed, failed, skipped)."""
    if not os.path.isdir(SAMPLES):
        print('samples: SKIPPED, not found at %s' % SAMPLES)
        return 0, 0, 1
    paths = sorted(os.path.join(SAMPLES, n) for n in os.listdir(SAMPLES)
                   if n.endswith('.json'))
    raws = []
    for path in paths:
        with open(path, 'rb') as fh:
            raws.append(fh.read())
    wants = [parse(b) for b in raws]
    passed = failed = 0
    for name, args in (('whole', []), ('chunk1', ['--chunk', '1']),
                       ('random4', ['--chunk', 'random:4'])):
        p = subprocess.run([EXE] + args + ['--'] + paths,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
        lines = p.stdout.split(b'\n')[:-1]
        if p.returncode != 0 or len(lines) != len(paths):
            failed += 1
            print('FAIL [samples %s] exit %d, %d lines for %d files' % (
                name, p.returncode, len(lines), len(paths)))
            continue
        passed += 1
        bad = 0
        for path, raw, line, want in zip(paths, raws, lines, wants):
            why = check_line(raw, line, want)
            if why is None and want[0] != 'ok':
                why = 'Python rejects this real message (%s)' % want[1]
            if why is None:
                passed += 1
            else:
                failed += 1
                bad += 1
                print('FAIL [samples %s] %s: %s' % (
                    name, os.path.basename(path), why))
        print('samples %-7s %d real messages, %d mismatches' % (
            name, len(paths), bad))
    return passed, failed, 0


if __name__ == '__main__':
    sys.exit(main())
