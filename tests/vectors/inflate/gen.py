#!/usr/bin/python3
"""Vectors for tests/test_inflate.c, written to stdout as records:
  u32 name length, name, u8 mode (0 raw, 1 zlib, 2 gzip),
  u32 expected-result length, expected result ("OK" or a CS_E_GZ_* name),
  u32 stream length, stream, u32 output length, output
(lengths little-endian). The output is what must be delivered: all of it
for "OK", a prefix that the decoder must deliver before an error.

Streams come from Python's zlib (every level, strategy and window size,
raw, zlib and gzip wrappers) and from a small DEFLATE writer below for
what zlib never emits: distance 32768, codes 30/31 and 286/287, single
and empty distance codes, repeat codes across the literal/distance
boundary, incomplete and over-subscribed codes, gzip header fields.
Real CT data (a static-ct-api data tile) when ../shared/ct is present;
otherwise a line "SKIP ..." on stderr. Deterministic (seeded)."""
import os
import random
import struct
import sys
import zlib

RAW, ZLIB, GZIP = 0, 1, 2
out = sys.stdout.buffer
rng = random.Random(1951)


def rec(name, mode, data, stream, expect='OK', output=None):
    if output is None:
        output = data if expect == 'OK' else b''
    out.write(struct.pack('<I', len(name)) + name.encode() + bytes([mode]))
    for part in (expect.encode(), stream, output):
        out.write(struct.pack('<I', len(part)) + part)


def compress(data, level=6, wbits=15, mem=8, strategy=0):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, mem, strategy)
    return c.compress(data) + c.flush()


def gz_member(data, level=6, header=None):
    raw = compress(data, level, -15)
    if header is None:
        header = b'\x1f\x8b\x08\x00' + b'\x00' * 4 + b'\x00\xff'
    return header + raw + struct.pack('<II', zlib.crc32(data),
                                      len(data) & 0xffffffff)


# ---- inputs ------------------------------------------------------------
texts = {
    'empty': b'',
    'one': b'a',
    'bytes256': bytes(range(256)),
    'bytes256x40': bytes(range(256)) * 40,
    'zeros100k': bytes(100000),
    'random70k': bytes(rng.getrandbits(8) for _ in range(70000)),
    'text': b''.join(b'%d the quick brown fox %d jumps; ' % (i, i * i % 97)
                     for i in range(4000)),
    'json': b'[' + b','.join(b'{"domain":"host%d.example.com","index":%d,'
                             b'"seen":%d.%03d}' % (i % 313, i, 1700000000 + i,
                                                   i % 1000)
                             for i in range(3000)) + b']',
}
blk = bytes(rng.getrandbits(8) for _ in range(40000))
texts['far'] = blk + blk[:5000] + blk    # matches ~40 KB back fail in 32K
tile = '../shared/ct/navigli2025h2/tile/data/000'
if os.path.exists(tile):
    texts['ct_tile000'] = open(tile, 'rb').read()
else:
    sys.stderr.write('SKIP ct_tile000: ../shared/ct is absent\n')
for name, file in (('loglist', '../shared/ct/loglist/log_list.json'),):
    if os.path.exists(file):
        texts[name] = open(file, 'rb').read()[:200000]

# ---- zlib's streams: levels, strategies, windows, wrappers -------------
for name, data in texts.items():
    for level in range(10):
        rec('%s/gzip%d' % (name, level), GZIP, data, gz_member(data, level))
    rec(name + '/zlib', ZLIB, data, compress(data))
    rec(name + '/raw', RAW, data, compress(data, 6, -15))
    for strategy, sname in ((zlib.Z_FILTERED, 'filtered'),
                            (zlib.Z_HUFFMAN_ONLY, 'huffman'),
                            (zlib.Z_RLE, 'rle'), (zlib.Z_FIXED, 'fixed')):
        rec('%s/raw-%s' % (name, sname), RAW, data,
            compress(data, 9, -15, 9, strategy))
    if len(data) < 120000:
        for wbits in (9, 10, 12, 14):
            rec('%s/zlib-w%d' % (name, wbits), ZLIB, data,
                compress(data, 9, wbits))
            rec('%s/raw-w%d-mem1' % (name, wbits), RAW, data,
                compress(data, 1, -wbits, 1))

# Python's gzip module (FNAME, MTIME) and multi-member streams.
import gzip
import io
b = io.BytesIO()
with gzip.GzipFile('name.txt', 'wb', 6, b, 1700000000) as f:
    f.write(texts['text'])
rec('gzip-module-fname', GZIP, texts['text'], b.getvalue())
multi = gz_member(b'first member ') + gz_member(b'') + \
    gz_member(texts['json'], 9)
rec('multi-member', GZIP, b'first member ' + texts['json'], multi)


def gz_header(flags, extra=b'', name=b'', comment=b'', hcrc=True,
              badcrc=False):
    h = b'\x1f\x8b\x08' + bytes([flags]) + b'\x01\x02\x03\x04\x02\x03'
    if flags & 4:
        h += struct.pack('<H', len(extra)) + extra
    if flags & 8:
        h += name + b'\x00'
    if flags & 16:
        h += comment + b'\x00'
    if flags & 2:
        c = zlib.crc32(h) & 0xffff
        h += struct.pack('<H', c ^ (1 if badcrc else 0))
    return h


d = texts['text'][:5000]
rec('gzip-all-fields', GZIP, d, gz_member(d, 6, gz_header(
    4 | 8 | 16 | 2, b'AB\x04\x00abcd' + bytes(300), b'file.der',
    b'a comment')))
rec('gzip-fextra-empty', GZIP, d, gz_member(d, 6, gz_header(4)))
rec('gzip-ftext', GZIP, d, gz_member(d, 6, gz_header(1)))
rec('gzip-bad-hcrc', GZIP, d, gz_member(d, 6, gz_header(
    8 | 2, name=b'x', badcrc=True)), 'CS_E_GZ_HEADER_CRC')
for bit in (0x20, 0x40, 0x80):
    rec('gzip-reserved-flag-%x' % bit, GZIP, d,
        gz_member(d, 6, gz_header(bit)), 'CS_E_GZ_FLAGS')
g = gz_member(d)
rec('gzip-bad-id1', GZIP, d, b'\x1e' + g[1:], 'CS_E_GZ_HEADER')
rec('gzip-bad-id2', GZIP, d, g[:1] + b'\x8c' + g[2:], 'CS_E_GZ_HEADER')
rec('gzip-bad-cm', GZIP, d, g[:2] + b'\x07' + g[3:], 'CS_E_GZ_HEADER')
rec('gzip-bad-crc', GZIP, d, g[:-8] + bytes([g[-8] ^ 1]) + g[-7:],
    'CS_E_GZ_CRC', d)
rec('gzip-bad-isize', GZIP, d, g[:-1] + bytes([g[-1] ^ 0x80]),
    'CS_E_GZ_SIZE', d)
rec('gzip-trailing-garbage', GZIP, d, g + b'\x00\x00',
    'CS_E_GZ_HEADER', d)
z = compress(d)
rec('zlib-bad-adler', ZLIB, d, z[:-1] + bytes([z[-1] ^ 1]),
    'CS_E_GZ_ADLER', d)
rec('zlib-trailing', ZLIB, d, z + b'x', 'CS_E_GZ_TRAILING', d)
rec('zlib-fdict', ZLIB, d, b'\x78\xbb' + z[2:], 'CS_E_GZ_FLAGS')
rec('zlib-bad-fcheck', ZLIB, d, b'\x78\x9d' + z[2:], 'CS_E_GZ_HEADER')
rec('zlib-cm7', ZLIB, d, b'\x77' + z[1:], 'CS_E_GZ_HEADER')
rec('zlib-cinfo8', ZLIB, d, b'\x88\x1d' + z[2:], 'CS_E_GZ_HEADER')
r = compress(d, 6, -15)
rec('raw-trailing', RAW, d, r + b'\x00', 'CS_E_GZ_TRAILING', d)


# ---- a small DEFLATE writer for hand-made blocks -----------------------
class Bits:
    def __init__(self):
        self.v = 0
        self.n = 0

    def put(self, val, n):
        self.v |= (val & ((1 << n) - 1)) << self.n
        self.n += n

    def code(self, c, n):          # Huffman codes go MSB first
        for i in range(n - 1, -1, -1):
            self.put(c >> i & 1, 1)

    def align(self):
        self.n = (self.n + 7) // 8 * 8

    def bytes(self):
        return self.v.to_bytes((self.n + 7) // 8, 'little')


def canon(lens):
    """Canonical codes (RFC 1951 3.2.2) of a list of lengths."""
    codes, code = {}, 0
    for l in range(1, 16):
        for s, sl in enumerate(lens):
            if sl == l:
                codes[s] = (code, l)
                code += 1
        code <<= 1
    return codes


FIXED_LIT = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43,
         51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
LEXT = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257,
         385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
         16385, 24577, 32769, 49153]
DEXT = [0, 0, 0, 0] + [i // 2 for i in range(2, 30)] + [14, 14]


def put_syms(bw, syms, lit, dist):
    """syms: ints (literal/length symbols 0..287), ('L', len) and
    ('D', dist) for a match, or ('d', symbol, extra) for a raw distance
    symbol."""
    for s in syms:
        if isinstance(s, int):
            if s in lit:               # (a broken code may lack it)
                bw.code(*lit[s])
        elif s[0] == 'B':
            bw.put(s[1], s[2])
        elif s[0] == 'L':
            i = max(i for i in range(29) if LBASE[i] <= s[1])
            if s[1] == 258:
                i = 28
            bw.code(*lit[257 + i])
            bw.put(s[1] - LBASE[i], LEXT[i])
        elif s[0] == 'D':
            i = max(i for i in range(30) if DBASE[i] <= s[1])
            bw.code(*dist[i])
            bw.put(s[1] - DBASE[i], DEXT[i])
        else:
            bw.code(*dist[s[1]])
            bw.put(s[2], DEXT[s[1]])


def fixed_block(bw, final, syms):
    bw.put(final, 1)
    bw.put(1, 2)
    put_syms(bw, syms + [256], canon(FIXED_LIT), canon([5] * 32))


def stored_block(bw, final, data, nlen=None):
    bw.put(final, 1)
    bw.put(0, 2)
    bw.align()
    n = len(data)
    bw.put(n, 16)
    bw.put((~n & 0xffff) if nlen is None else nlen, 16)
    for c in data:
        bw.put(c, 8)


CLORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]


def dyn_block(bw, final, litlens, distlens, syms, cl=None, prelens=None,
              hlit=None, hdist=None):
    """A dynamic block. cl: the code length symbols as (sym, extra) pairs
    (default: the lengths written plainly)."""
    if cl is None:
        cl = [(l, 0) for l in litlens + distlens]
    if prelens is None:
        prelens = [0] * 19
        used = sorted(set(s for s, _ in cl))
        # a complete code over the used symbols: lengths from a simple
        # balanced split
        k = max(1, (len(used) - 1).bit_length())
        nfull = 2 ** k - len(used)     # symbols one bit shorter
        for i, s in enumerate(used):
            prelens[s] = k - 1 if i < nfull else k
        if len(used) == 1:
            prelens[used[0]] = 1       # incomplete, on purpose refused
    ncl = max(i for i in range(19) if prelens[CLORDER[i]] or i < 4) + 1
    bw.put(final, 1)
    bw.put(2, 2)
    bw.put((len(litlens) if hlit is None else hlit) - 257, 5)
    bw.put((len(distlens) if hdist is None else hdist) - 1, 5)
    bw.put(ncl - 4, 4)
    for i in range(ncl):
        bw.put(prelens[CLORDER[i]], 3)
    pc = canon(prelens)
    for s, x in cl:
        bw.code(*pc[s])
        if s >= 16:
            bw.put(x, {16: 2, 17: 3, 18: 7}[s])
    put_syms(bw, syms + [256], canon(litlens), canon(distlens))


def lits(data):
    return list(data)


def raw_rec(name, build, data, expect='OK', output=None):
    bw = Bits()
    build(bw)
    rec(name, RAW, data, bw.bytes(), expect, output)


# distance 32768 and length 258 (zlib's deflate never reaches 32768)
big = bytes(rng.getrandbits(8) for _ in range(32768))
raw_rec('dist-32768', lambda bw: (stored_block(bw, 0, big),
        fixed_block(bw, 1, [('L', 258), ('D', 32768), ('L', 3),
                            ('D', 32768)])),
        big + big[:258] + big[258:261])
raw_rec('dist-32769', lambda bw: (stored_block(bw, 0, big + b'x'),
        fixed_block(bw, 1, [('L', 3), ('d', 29, 8191)])),
        big + b'x' + big[1:4])
def expand(out, ops):
    """LZ77 by hand: ops are bytes (literals) or (length, distance)."""
    out = bytearray(out)
    for op in ops:
        if isinstance(op, int):
            out.append(op)
        else:
            for _ in range(op[0]):
                out.append(out[-op[1]])
    return bytes(out)


# a short match right after the window wrapped, then a reference to the
# bytes just past it, 32766 back: a decoder that copies past a match's end
# must not do it when the window is under 32768 + 8 bytes
big2 = bytes(rng.getrandbits(8) for _ in range(33000))
ops = [(10, 100), (20, 32766)] + list(b'literals follow') * 4
raw_rec('dist-32766-after-short-match', lambda bw: (
        stored_block(bw, 0, big2), fixed_block(bw, 1, [
            x if isinstance(x, int) else ('L', x[0]) for x in ops[:1]] +
            [('D', 100), ('L', 20), ('D', 32766)] + list(ops[2:]))),
        expand(big2, ops))
raw_rec('dist-too-far', lambda bw: fixed_block(bw, 1, lits(b'ab') + [
        ('L', 3), ('D', 3)]), b'', 'CS_E_GZ_DISTANCE', b'ab')
raw_rec('dist-first', lambda bw: fixed_block(bw, 1, [('L', 3), ('D', 1)]),
        b'', 'CS_E_GZ_DISTANCE')
raw_rec('dist-code-30', lambda bw: fixed_block(bw, 1, lits(b'abc') + [
        ('L', 3), ('d', 30, 0)]), b'', 'CS_E_GZ_SYMBOL', b'abc')
raw_rec('dist-code-31', lambda bw: fixed_block(bw, 1, lits(b'abc') + [
        ('L', 3), ('d', 31, 0)]), b'', 'CS_E_GZ_SYMBOL', b'abc')
raw_rec('lit-286', lambda bw: fixed_block(bw, 1, [65, 286]), b'',
        'CS_E_GZ_SYMBOL', b'A')
raw_rec('lit-287', lambda bw: fixed_block(bw, 1, [65, 287]), b'',
        'CS_E_GZ_SYMBOL', b'A')
raw_rec('len-258-overlap', lambda bw: fixed_block(bw, 1, [120, ('L', 258),
        ('D', 1), 121, ('L', 258), ('D', 260)]), b'x' * 259 + b'y'
        + b'x' * 258)
raw_rec('reserved-btype', lambda bw: (bw.put(1, 1), bw.put(3, 2),
        bw.put(0, 16)), b'', 'CS_E_GZ_BLOCK')
raw_rec('stored-nlen', lambda bw: stored_block(bw, 1, b'abc', 0x1234),
        b'', 'CS_E_GZ_STORED')
raw_rec('stored-empty', lambda bw: (stored_block(bw, 0, b''),
        stored_block(bw, 1, b'z')), b'z')
raw_rec('many-blocks', lambda bw: [fixed_block(bw, 0, lits(b'%d,' % i))
        for i in range(300)] + [stored_block(bw, 1, b'end')],
        b''.join(b'%d,' % i for i in range(300)) + b'end')

# dynamic blocks
L = [0] * 286
for c in b'abc':
    L[c] = 2
L[256] = 2                       # a, b, c, EOB: four 2-bit codes
raw_rec('dyn-no-dist', lambda bw: dyn_block(bw, 1, L[:257], [0],
        lits(b'abcabc')), b'abcabc')
L2 = list(L)
L2[257] = 3
L2[256] = 3                      # a b c: 2 bits; EOB, len3: 3 bits
raw_rec('dyn-one-dist', lambda bw: dyn_block(bw, 1, L2[:258], [1],
        lits(b'abc') + [('L', 3), ('D', 1)]), b'abcccc')
raw_rec('dyn-one-dist-unused-code', lambda bw: dyn_block(
        bw, 1, L2[:258], [1], lits(b'abc') + [257, ('B', 1, 1)]), b'',
        'CS_E_GZ_SYMBOL', b'abc')
raw_rec('dyn-lit-only-incomplete', lambda bw: dyn_block(
        bw, 1, [0] * 256 + [1], [0], []), b'')
# a repeat code (16) runs from the last literal/length length into the
# distance lengths; 17/18 zero runs too
Lr = [0] * 259
Lr[97] = Lr[256] = Lr[257] = Lr[258] = 2
Dr = [2, 2, 2, 2]
# 97 zeros, a: 2, 158 zeros, EOB: 2, then 16 repeats that 2 six times:
# lengths 257 and 258 and all four distances
cl = [(18, 97 - 11), (2, 0), (18, 138 - 11), (18, 20 - 11), (2, 0),
      (16, 6 - 3)]
raw_rec('dyn-repeat-crosses', lambda bw: dyn_block(
        bw, 1, Lr, Dr, lits(b'a') + [('L', 4), ('D', 1)], cl), b'aaaaa')
raw_rec('dyn-repeat-first', lambda bw: dyn_block(
        bw, 1, Lr, Dr, lits(b'a'), [(16, 0)] + cl), b'', 'CS_E_GZ_CODES')
raw_rec('dyn-repeat-overrun', lambda bw: dyn_block(
        bw, 1, Lr, Dr, lits(b'a'), cl[:-1] + [(17, 7)]), b'',
        'CS_E_GZ_CODES')
Lo = list(L[:257])
Lo[100] = 1                      # over-subscribed
raw_rec('dyn-oversubscribed', lambda bw: dyn_block(bw, 1, Lo, [0], []),
        b'', 'CS_E_GZ_CODES')
Li = list(L[:257])
Li[99] = 0                       # a, b, EOB: 3 of 4 2-bit codes
raw_rec('dyn-incomplete', lambda bw: dyn_block(bw, 1, Li, [0], []),
        b'', 'CS_E_GZ_CODES')
raw_rec('dyn-dist-incomplete', lambda bw: dyn_block(bw, 1, L[:257],
        [2, 2, 2], lits(b'a')), b'', 'CS_E_GZ_CODES')
raw_rec('dyn-dist-two-1bit', lambda bw: dyn_block(bw, 1, L2[:258],
        [1, 1], lits(b'abc') + [('L', 3), ('D', 2)]), b'abcbcb')
Le = list(L[:257])
Le[256] = 0
Le[100] = 2
raw_rec('dyn-no-eob', lambda bw: dyn_block(bw, 1, Le, [0], []), b'',
        'CS_E_GZ_CODES')
raw_rec('dyn-hlit-287', lambda bw: dyn_block(bw, 1, L[:257] + [0] * 30,
        [0], []), b'', 'CS_E_GZ_CODES')
raw_rec('dyn-hdist-31', lambda bw: dyn_block(bw, 1, L[:257], [0] * 31, []),
        b'', 'CS_E_GZ_CODES')
# all 15-bit codes in use: the deepest subtables
deep = [0] * 286
lens = list(range(1, 15)) + [15, 15]   # a complete code: 1..14, 15, 15
syms = list(range(200, 216))
for s, l in zip(syms, lens):
    deep[s] = l
deep[199] = 0
deep[256] = lens[-1]
deep[syms[-1]] = 0
deep[216] = 0
# EOB takes the last 15-bit code
raw_rec('dyn-15-bit-codes', lambda bw: dyn_block(bw, 1, deep[:257], [0],
        syms[:-1] * 3), bytes(syms[:-1] * 3))
