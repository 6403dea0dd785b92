#!/usr/bin/env python3
"""test_match_ref.py - the watchlist matcher (cs_match_*) against a
reference written here from the rules in certstream.h's [1i] comment, not
from its code: Python's own punycode codec, UTF-8 decoder and a bit-set
glob simulation instead of the automaton.

Generated sets of patterns of every kind (keywords, names, globs,
exclusions, Unicode, IDN, look-alikes) and names (IDNs, label boundaries,
empty labels, trailing dots, "*." forms, very long names, random bytes)
go through `$CS_BUILD/test_match --match-test`, which prints each name's
matching pattern indexes; every line must equal the reference's. Hostile
pattern files (binary lines, huge lines, deep globs) must give the same
error and index, or the same answers. Ends with "N passed, N failed".
"""
import os
import random
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("CS_BUILD", "build")
DRIVER = os.path.join(BUILD, "test_match")
PATTERN_MAX = 1024
NAME_MAX = 1024
LABEL_CHARS = 63
ERR = {"EMPTY": -200, "BYTE": -201, "LABEL": -202, "TOO_LONG": -203}

LOOK = {0xe0: 'a', 0xe1: 'a', 0xe2: 'a', 0xe3: 'a', 0xe4: 'a', 0xe5: 'a',
        0xe7: 'c', 0xe8: 'e', 0xe9: 'e', 0xea: 'e', 0xeb: 'e', 0xec: 'i',
        0xed: 'i', 0xee: 'i', 0xef: 'i', 0xf1: 'n', 0xf2: 'o', 0xf3: 'o',
        0xf4: 'o', 0xf5: 'o', 0xf6: 'o', 0xf8: 'o', 0xf9: 'u', 0xfa: 'u',
        0xfb: 'u', 0xfc: 'u', 0xfd: 'y', 0xff: 'y', 0x131: 'i', 0x251: 'a',
        0x261: 'g', 0x269: 'i', 0x3b1: 'a', 0x3b3: 'y', 0x3b9: 'i',
        0x3ba: 'k', 0x3bd: 'v', 0x3bf: 'o', 0x3c1: 'p', 0x3c4: 't',
        0x3c5: 'u', 0x3c7: 'x', 0x430: 'a', 0x435: 'e', 0x43a: 'k',
        0x43e: 'o', 0x440: 'p', 0x441: 'c', 0x443: 'y', 0x445: 'x',
        0x455: 's', 0x456: 'i', 0x457: 'i', 0x458: 'j', 0x4bb: 'h',
        0x4cf: 'l', 0x501: 'd', 0x51b: 'q', 0x51d: 'w'}


def lower_cp(c):
    if (0x41 <= c <= 0x5a or (0xc0 <= c <= 0xde and c != 0xd7)
            or (0x391 <= c <= 0x3ab and c != 0x3a2) or 0x410 <= c <= 0x42f):
        return c + 0x20
    if 0x400 <= c <= 0x40f:
        return c + 0x50
    return c


def two_byte_at(b, i):
    """The code point of a two-byte UTF-8 sequence at b[i], or None."""
    if i + 1 < len(b) and 0xc2 <= b[i] <= 0xdf and 0x80 <= b[i + 1] <= 0xbf:
        return b[i:i + 2].decode("utf-8")
    return None


def fold(b):
    out = bytearray()
    i = 0
    while i < len(b):
        ch = two_byte_at(b, i)
        if ch is not None:
            out += chr(lower_cp(ord(ch))).encode("utf-8")
            i += 2
        else:
            out += bytes([b[i] + 32]) if 0x41 <= b[i] <= 0x5a else b[i:i + 1]
            i += 1
    return bytes(out)


def punycode(label):
    try:
        s = label.decode("punycode")
        if len(s) > LABEL_CHARS:
            return None
        return "".join(chr(lower_cp(ord(c))) for c in s).encode("utf-8")
    except Exception:             # bad digits, overflow, surrogates, ...
        return None


def unicode_form(name):
    out = []
    for lab in name.split(b"."):
        if len(lab) >= 4 and lab[:4].lower() == b"xn--":
            d = punycode(lab[4:].lower())
            if d is not None:
                out.append(d)
                continue
        out.append(fold(lab))
    f = b".".join(out)
    return f if len(f) <= NAME_MAX else None


def skeleton(f):
    out = bytearray()
    i = 0
    while i < len(f):
        ch = two_byte_at(f, i)
        if ch is not None and ord(ch) in LOOK:
            out += LOOK[ord(ch)].encode()
            i += 2
        else:
            out += f[i:i + 1]
            i += 1
    return bytes(out)


def glob_match(p, s):
    """Bit-set simulation: bit k set = p[:k] matches the text so far."""
    m = len(p)
    star = sum(1 << k for k in range(m) if p[k] == 0x2a)
    any1 = sum(1 << k for k in range(m) if p[k] == 0x3f)
    by = {}
    for k in range(m):
        if p[k] not in (0x2a, 0x3f):
            by[p[k]] = by.get(p[k], 0) | 1 << k

    def close(st):
        while True:
            n = st | (st & star) << 1
            if n == st:
                return st
            st = n
    st = close(1)
    for c in s:
        st = close(((st & (any1 | by.get(c, 0))) << 1) | (st & star))
        if st == 0:
            return False
    return bool(st >> m & 1)


def parse(raw):
    """A pattern line -> (kind, excl, body) or an error name."""
    raw = raw.split(b"\0")[0]
    excl = raw[:1] == b"!"
    body = raw[1:] if excl else raw
    if not body:
        return "EMPTY"
    if len(body) > PATTERN_MAX:
        return "TOO_LONG"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "BYTE"
    if any(c <= 0x20 or c == 0x7f for c in body):
        return "BYTE"
    body = fold(body)
    if b"*" in body or b"?" in body:
        return ("glob", excl, body)
    if b"." in body:
        if body.endswith(b"."):
            body = body[:-1]
        if not body or b"" in body.split(b"."):
            return "LABEL"
        return ("name", excl, body)
    return ("keyword", excl, body)


def match_form(pats, f, kinds):
    hit, out = False, set()
    for i, (kind, excl, body) in enumerate(pats):
        if kind not in kinds:
            continue
        if kind == "keyword":
            ok = body in f
        elif kind == "name":
            ok = f == body or f.endswith(b"." + body)
        else:
            ok = glob_match(body, f)
        if ok:
            if excl:
                hit = True
            else:
                out.add(i)
    return hit, out


def reference(pats, name, confusables):
    if name[:2] == b"*.":
        name = name[2:]
    if name.endswith(b"."):
        name = name[:-1]
    forms = [(name.lower(), ("keyword", "name", "glob"))]
    u = unicode_form(name)
    if u is not None:
        forms.append((u, ("keyword", "name", "glob")))
        if confusables:
            forms.append((skeleton(u), ("keyword",)))
    got = set()
    for f, kinds in forms:
        excl, ids = match_form(pats, f, kinds)
        if excl:
            return []
        got |= ids
    return sorted(got)


# ---- generators -------------------------------------------------------------

WORDS = ["paypal", "apple", "bank", "login", "secure", "mail", "example",
         "amazon", "micro", "soft", "cloud", "api", "cdn", "shop", "a", "b",
         "xn", "co", "com", "net", "org", "uk", "de", "io", "test", "dev"]
UNI = ["bücher", "münchen", "été", "пример", "банк", "рф", "παράδειγμα",
       "日本", "ÜBER", "БАНК", "раураl", "pаypal", "pαypal", "àpple"]
TLDS = ["com", "net", "org", "co.uk", "de", "io", "xn--p1ai", "рф"]


def idn(rng, word):
    """A label: plain, its punycode, or a Unicode word."""
    r = rng.random()
    if r < 0.15:
        return "xn--" + rng.choice(UNI).lower().encode("punycode").decode()
    if r < 0.25:
        return rng.choice(UNI)
    return word


def gen_name(rng):
    n = rng.randint(1, 5)
    labels = []
    for _ in range(n):
        w = rng.choice(WORDS)
        if rng.random() < 0.4:
            w += rng.choice(["-", "", "1", "-login", ""]) + rng.choice(WORDS)
        labels.append(idn(rng, w))
    labels.append(rng.choice(TLDS))
    s = ".".join(labels)
    r = rng.random()
    if r < 0.08:
        s = "*." + s
    elif r < 0.14:
        s = s + "."
    elif r < 0.18:
        s = s.replace(".", "..", 1)
    elif r < 0.21:
        s = "." + s
    elif r < 0.25:
        s = s.upper()
    b = s.encode("utf-8")
    r = rng.random()
    if r < 0.03:
        b = bytes(rng.randrange(256) for _ in range(rng.randint(0, 30)))
        b = b.replace(b"\n", b"")
    elif r < 0.05:
        b = b * rng.randint(20, 200)          # very long
    elif r < 0.07:
        b = b"xn--" + bytes(rng.choice(b"abz019-") for _ in range(20))
    return b


def gen_pattern(rng):
    r = rng.random()
    w = rng.choice(WORDS)
    if rng.random() < 0.15:
        w = rng.choice(UNI)
    if r < 0.35:
        p = w
    elif r < 0.65:
        p = w + "." + rng.choice(TLDS)
        if rng.random() < 0.3:
            p = rng.choice(WORDS) + "." + p
        if rng.random() < 0.05:
            p += "."
    else:
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts.append(rng.choice(["*", "?", "*.", ".*", "-", "*-", w,
                                     rng.choice(WORDS), "??", "**"]))
        p = "".join(parts)
    if rng.random() < 0.1 and p.strip("*?.-"):
        p = "!" + p               # (not "!*": it would exclude everything)
    return p.encode("utf-8")


def run(pats, names, confusables):
    with tempfile.TemporaryDirectory() as d:
        pf, nf = os.path.join(d, "p"), os.path.join(d, "n")
        with open(pf, "wb") as f:
            f.write(b"".join(p + b"\n" for p in pats))
        with open(nf, "wb") as f:
            f.write(b"".join(n + b"\n" for n in names))
        args = [DRIVER, "--match-test", pf, nf]
        if confusables:
            args.append("--confusables")
        r = subprocess.run(args, stdout=subprocess.PIPE, timeout=600)
        return r.returncode, r.stdout.decode("latin-1").split("\n")[:-1]


passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def compare(label, pats, names, confusables):
    parsed = [parse(p) for p in pats]
    errs = [(i, e) for i, e in enumerate(parsed) if isinstance(e, str)]
    t0 = time.time()
    rc, out = run(pats, names, confusables)
    dt = time.time() - t0
    if errs:
        want = "ERR %d %d" % (ERR[errs[0][1]], errs[0][0])
        check(rc == 0 and out == [want],
              "%s: want %s, got %r" % (label, want, out[:1]))
        return
    if rc != 0 or len(out) != len(names):
        check(False, "%s: driver exit %d, %d lines" % (label, rc, len(out)))
        return
    bad = 0
    for n, line in zip(names, out):
        want = " ".join(map(str, reference(parsed, n, confusables)))
        if line != want:
            bad += 1
            if bad <= 5:
                print("  %s: %r: C %r, reference %r" % (label, n[:120], line,
                                                         want))
    check(bad == 0, "%s: %d of %d names differ" % (label, bad, len(names)))
    print("%s: %d patterns, %d names, C %.2f s" % (label, len(pats),
                                                    len(names), dt))


def main():
    if not os.access(DRIVER, os.X_OK):
        print("SKIP: %s not built (make %s)" % (DRIVER, DRIVER))
        print("0 passed, 0 failed, 1 skipped")
        return 0
    rng = random.Random(int(os.environ.get("MATCH_SEED", "12")))
    # Generated sets, with and without look-alikes.
    for k in range(8):
        pats = [gen_pattern(rng) for _ in range([1, 20, 150, 1000][k % 4])]
        pats = [p for p in pats if not isinstance(parse(p), str)]
        names = [gen_name(rng) for _ in range(1500 if len(pats) > 500
                                             else 3000)]
        # names built from the patterns themselves hit the boundaries
        for p in pats[:50]:
            b = p.lstrip(b"!").replace(b"*", b"x").replace(b"?", b"q")
            names += [b, b"a." + b, b"a" + b, b + b".", b"*." + b, b.upper()]
        compare("set %d" % k, pats, names, k % 2 == 1)
    # Hostile pattern files: binary lines, huge lines, deep globs.
    for k in range(40):
        pats = [bytes(rng.randrange(1, 256) for _ in range(rng.randint(0, 12)))
                .replace(b"\n", b"") for _ in range(rng.randint(1, 5))]
        compare("binary %d" % k, pats, [b"a.b", b"x"], False)
    compare("huge line", [b"a" * 1024, b"b" * 1025], [b"x"], False)
    compare("long ok", [b"!" + b"a" * 1024, b"c" * 1024], [b"c" * 2000], False)
    deep = [b"*a" * 300 + b"*b", b"?*" * 200, b"*." * 100 + b"com"]
    names = [b"a" * 5000, b"a" * 300 + b"b", b"x." * 200 + b"com", b"b"]
    t0 = time.time()
    compare("deep globs", deep, names, False)
    check(time.time() - t0 < 60, "deep globs took %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return failed != 0


if __name__ == "__main__":
    sys.exit(main())
