#!/usr/bin/python3
"""gen_feed.py - deterministic generator of realistic CertStream messages.

Writes NDJSON (one message per line) on stdout:

  gen_feed.py --kind full|lite|domains|heartbeat|mixed
              [--count N | --bytes N] [--seed S]
              [--style elixir|go|rust|python|mixed]

Defaults: --count 1000, --seed 1, --style mixed. The same arguments give
the same bytes (on the same Python: random.Random is seeded with S).
--bytes N stops at the first message that brings the total to N bytes or
more (newlines included), so a corpus lands within one message of N.

Kinds (sizes of 5000 messages, --style mixed, --seed 1: p10/median/p90):
  full       leaf_cert.as_der (base64 of 1-2 KB of random bytes) and a chain
             of 1-3 CA certs; 4.6/5.9/8.6 KB (Rust style, whose chain has no
             as_der, is smaller), mean 6.5 KB
  lite       no as_der, no chain; 1.41/1.53/1.84 KB, mean 1.7 KB
  domains    {"message_type":"dns_entries","data":[...]}; 54/71/138 B
  heartbeat  the heartbeat forms (below)
  mixed      40% lite, 20% full, 35% domains, 5% heartbeat

Styles: how each server shapes its JSON (see the ecosystem notes, 3.2/3.3).
  elixir  CaliDog/certstream-server (Jason): keys in alphabetical order at
          every level, nulls present in subject/issuer (emailAddress too),
          OpenSSL-style extension texts, seen = microseconds / 1e6, floats
          in Erlang's shortest form (io_lib_format:fwrite_g picks the
          shorter of fixed and scientific, so a whole second prints as
          1.7e9), chain entries with as_der and no all_domains.
  go      d-Rickyy-b/certstream-server-go (encoding/json): struct order
          (data, message_type outside; cert_index, cert_link, chain,
          leaf_cert, seen, source, update_type inside), nulls present,
          email_address always null, seen with millisecond precision, Go's
          float format (a whole number prints without ".0"), source with
          timestamp and type, cert_link "" for tiled logs, ctlPoisonByte on
          precerts, chain entries are full leaf structs ("all_domains":[]).
          U+2028/U+2029 are escaped; dns_entries go through json.Marshal,
          which also escapes < > & as \\u003c \\u003e \\u0026.
          Full and lite frames end with "\\n" (json.Encoder). NDJSON cannot
          carry a newline inside a message, so that trailing whitespace is
          written as a trailing space instead (same meaning to a parser).
  rust    reloading01/certstream-server-rust (serde): message_type first,
          null subject/issuer fields omitted, submission_timestamp,
          "serverAuth"-style extension texts, chain entries without as_der,
          heartbeat {"message_type":"heartbeat"} with no timestamp.
  python  CaliDog/certstream-server-python (legacy, json.dumps): ", " and
          ": " separators, ensure_ascii (every non-ASCII character is a
          \\uXXXX escape, astral ones as surrogate pairs), update_type
          PreCertEntry, floats for not_before/not_after, lowercase serials,
          source {url, name} with no scheme, no cert_link, no issuer.
          Heartbeat {"message_type": "heartbeat", "timestamp": <float>}.
          (The legacy server only had a full stream; lite and dns_entries
          in this style are the same shape with fields removed.)
  mixed   per message: 25% elixir, 35% go, 30% rust, 10% python.

Heartbeats: only the Rust and legacy Python servers send them. For the
elixir and go styles the generator writes the shape shown on the CaliDog
front page ({"message_type":"heartbeat","timestamp":<ms float>}), with Go
number formatting (sometimes a bare integer) and trailing space for go.

Escapes: no server escapes "/" (Jason, encoding/json, serde_json and
Python's json all leave it alone), so no "\\/" is generated; the
differential test rewrites strings into escaped spellings itself.

Content: domains with wildcards, IDN punycode (made with Python's idna
codec), cPanel and Cloudflare-style multi-name certificates, 1-100 names
and about one certificate in 1500 with 1000+ names; about 1% raw Unicode
names and some Unicode in subject O/L/ST; quotes in a few subject fields;
cert_index up to 6e9 (half above 2^32); about 1 in 200 `seen` values on a
whole second.

Speed: pools of random base64, CA certificates (encoded once per style)
and domain names are made up front, and messages go through the json
module's C encoder. CPU time for 100 MB: full ~1.4 s, mixed ~2 s, lite
~2.8 s, domains ~3.2 s (30-70 MB/s).
"""
import argparse
import base64
import bisect
import itertools
import json
import os
import random
import sys

# ---------------------------------------------------------------------------
# number formatting per server

def fmt_float_py(x):
    """Python repr (shortest round-trip), as json.dumps, serde (ryu)."""
    return repr(x)


def fmt_float_go(x):
    """Go strconv.FormatFloat(x, 'f', -1, 64) for 1e-6 <= |x| < 1e21."""
    s = repr(x)
    if s.endswith('.0'):
        s = s[:-2]
    return s


def fmt_float_erlang(x):
    """Erlang io_lib_format:fwrite_g: the shorter of fixed and scientific
    notation of the shortest round-trip digits (fixed wins ties)."""
    fixed = repr(x)
    if 'e' in fixed or 'n' in fixed or 'i' in fixed:
        return fixed
    neg = fixed.startswith('-')
    body = fixed[1:] if neg else fixed
    ip, _, fp = body.partition('.')
    digits = (ip + fp).lstrip('0')
    exp = len(ip) - 1 if ip != '0' else -(len(fp) - len(fp.lstrip('0')) + 1)
    digits = digits.rstrip('0') or '0'
    sci = digits[0] + '.' + (digits[1:] or '0') + 'e' + str(exp)
    if neg:
        sci = '-' + sci
    return sci if len(sci) < len(fixed) else fixed


# ---------------------------------------------------------------------------
# JSON writing per server

_enc_plain = json.encoder.encode_basestring   # raw UTF-8, C speed
FLOAT_MARK = 8765432109876543210     # stands for the one custom float


class Style:
    """How one server writes JSON. dumps() runs the C encoder of the json
    module with the server's separators, escaping and key order; the two
    things it cannot do are patched into its output: pre-encoded chain
    entries (placeholders "#RAWn#") and the one float whose format differs
    from Python's repr (an integer marker)."""

    def __init__(self, name):
        self.name = name
        py = name == 'python'
        self.encoder = json.JSONEncoder(
            ensure_ascii=py, check_circular=False, sort_keys=name == 'elixir',
            separators=(', ', ': ') if py else (',', ':'))
        self.ffmt = {'elixir': fmt_float_erlang, 'go': fmt_float_go,
                     'rust': fmt_float_py, 'python': fmt_float_py}[name]

    def dumps(self, obj, raws=(), fl=None, html=False):
        out = self.encoder.encode(obj)
        for i, r in enumerate(raws):
            out = out.replace('"#RAW%d#"' % i, r, 1)
        if fl is not None:
            out = out.replace(str(FLOAT_MARK), self.ffmt(fl), 1)
        if self.name == 'go':
            if not out.isascii() and ('\u2028' in out or '\u2029' in out):
                out = out.replace('\u2028', '\\u2028').replace(
                    '\u2029', '\\u2029')
            if html and ('<' in out or '>' in out or '&' in out):
                out = out.replace('<', '\\u003c').replace(
                    '>', '\\u003e').replace('&', '\\u0026')
        return out

    def seen(self, x):
        """The value to put in the object for float x."""
        return FLOAT_MARK if self.name in ('go', 'elixir') else x


STYLES = {n: Style(n) for n in ('elixir', 'go', 'rust', 'python')}
STYLE_NAMES = ['elixir', 'go', 'rust', 'python']
STYLE_WEIGHTS = [25, 35, 30, 10]
STYLE_CUM = list(itertools.accumulate(STYLE_WEIGHTS))

# ---------------------------------------------------------------------------
# vocabulary

WORDS = """
alpha apex app arc atlas aurora auto bay beacon berry bio bit blue bold
box bridge bright byte cafe camp canyon cap care cart cedar cell central
cloud coast code core craft crest cube data delta dental design dev digital
direct dock dream drive eco edge elite ember energy engine euro event
express fab farm fast fiber field film first fit flex flow fox fresh fusion
game garden gate geo glass global gold green grid group harbor health hill
home hub hyper ideal infra iron jet key lab lake land law leaf legal level
life light line link local logic loop lumen lux magic main maple market
media medical mesh metro mind mint mobile mode motion mountain nano net
next nexus nord north nova oak ocean omni one open orbit pacific park peak
pixel planet plus point polar port prime pro pulse quantum quick rapid red
river rock root route sage scale sea secure shop signal silver simple sky
smart snap solar solid sonic spark sphere spring star stone storm studio
sun swift sync tech terra tide top town track trade trail true trust union
unit urban valley vault vector venture verde vista wave web west wild wind
wise works xpress yard zen zone
""".split()

TLDS = (['com'] * 40 + ['net'] * 6 + ['org'] * 5 + ['de'] * 5 + ['io'] * 3
        + ['co.uk'] * 3 + ['fr'] * 2 + ['ru'] * 3 + ['com.br'] * 2
        + ['jp'] * 2 + ['nl'] * 2 + ['com.au'] * 2 + ['xyz'] * 2
        + ['app', 'dev', 'cloud', 'shop', 'online', 'site', 'top', 'info',
           'pl', 'it', 'es', 'ca', 'ch', 'se', 'in', 'us', 'eu', 'cz',
           'co', 'me', 'tv', 'store', 'tech', 'club', 'vip', 'cn', 'kr'])

SUBS = (['www'] * 10 + ['mail', 'api', 'dev', 'staging', 'shop', 'blog',
                         'app', 'portal', 'admin', 'cdn', 'static', 'vpn',
                         'remote', 'm', 'test', 'beta', 'auth', 'login',
                         'status', 'git', 'ftp', 'smtp', 'owa', 'mx'])

CPANEL = ['', 'www.', 'mail.', 'cpanel.', 'webmail.', 'webdisk.',
          'cpcalendars.', 'cpcontacts.', 'autodiscover.']

# unicode labels, turned into punycode with the idna codec
IDN_LABELS = ['münchen', 'bücher', 'müller', 'straße', 'café', 'köln',
              'zürich', 'español', 'façade', 'über', 'ärzte', 'grün',
              'пример', 'москва', 'магазин', 'россия', 'тест', 'καλημέρα',
              'δοκιμή', '例子', '测试', '中国', '网络', 'テスト', '日本語',
              'ドメイン', '한국', '도메인', 'مثال', 'ไทย', 'भारत', 'ευρώ']

# raw unicode names (seen in CN fields of odd certificates)
UNICODE_NAMES = ['bücher.example', 'münchen.de', 'пример.рф', '例子.中国',
                 'テスト.jp', 'café.fr', 'ευρώ.eu', '😀.ws', 'i❤️.ws',
                 'smörgås.se', 'ñandú.com.ar', 'çay.com.tr']

WEIRD_NAMES = ['_dmarc.example.com', 'foo_bar.internal.example.net',
               '*.*.example.org', 'localhost', 'server01', '192.0.2.10',
               'user@example.com', 'a&b.example.com', 'x<y>.example',
               'EXAMPLE.COM', 'trailing-dot.example.com.']

ORGS = ['Amazon.com, Inc.', 'Cloudflare, Inc.', 'Google LLC',
        'Microsoft Corporation', 'Müller & Söhne GmbH', 'Société Générale',
        'Telefónica de España', 'ООО "Ромашка"', '株式会社サンプル',
        'Zürcher Kantonalbank', 'ACME "Widgets" Inc.', 'Åland Data Ab',
        'Banco do Brasil S.A.', 'Fédération Française', 'Österreichische Post AG',
        'Example\\Backslash Ltd', 'São Paulo Transportes', '北京网络科技有限公司']
LOCALITIES = [('US', 'California', 'San Francisco'), ('US', 'Washington',
              'Redmond'), ('DE', 'Bayern', 'München'), ('CH', 'Zürich',
              'Zürich'), ('FR', 'Île-de-France', 'Paris'), ('JP', '東京都',
              '千代田区'), ('RU', 'Москва', 'Москва'), ('BR', 'São Paulo',
              'São Paulo'), ('GB', 'England', 'London'), ('AT', 'Wien',
              'Wien'), ('ES', 'Madrid', 'Madrid'), ('CN', '北京', '北京')]

# (C, O, CN, key type) of issuing CAs
ISSUERS = [
    ('US', "Let's Encrypt", 'R10', 'rsa'), ('US', "Let's Encrypt", 'R11',
     'rsa'), ('US', "Let's Encrypt", 'R12', 'rsa'), ('US', "Let's Encrypt",
     'R13', 'rsa'), ('US', "Let's Encrypt", 'E5', 'ec'),
    ('US', "Let's Encrypt", 'E6', 'ec'), ('US', "Let's Encrypt", 'E7', 'ec'),
    ('US', "Let's Encrypt", 'E8', 'ec'),
    ('AT', 'ZeroSSL', 'ZeroSSL ECC Domain Secure Site CA', 'ec'),
    ('AT', 'ZeroSSL', 'ZeroSSL RSA Domain Secure Site CA', 'rsa'),
    ('GB', 'Sectigo Limited', 'Sectigo RSA Domain Validation Secure Server CA',
     'rsa'),
    ('US', 'Google Trust Services', 'WR1', 'rsa'),
    ('US', 'Google Trust Services', 'WE1', 'ec'),
    ('US', 'DigiCert Inc', 'DigiCert Global G2 TLS RSA SHA256 2020 CA1',
     'rsa'),
    ('US', 'Amazon', 'Amazon RSA 2048 M02', 'rsa'),
    ('US', 'Cloudflare, Inc.', 'Cloudflare TLS Issuing ECC CA 3', 'ec'),
]
ISSUER_WEIGHTS = [12, 12, 10, 10, 8, 8, 8, 6, 5, 3, 4, 4, 3, 2, 2, 2]
ISSUER_IDX = list(range(len(ISSUER_WEIGHTS)))
ISSUER_CUM = list(itertools.accumulate(ISSUER_WEIGHTS))
ROOTS = [('US', 'Internet Security Research Group', 'ISRG Root X1'),
         ('US', 'Internet Security Research Group', 'ISRG Root X2'),
         ('US', 'The USERTRUST Network', 'USERTrust RSA Certification Authority'),
         ('US', 'Google Trust Services LLC', 'GTS Root R4'),
         ('US', 'DigiCert Inc', 'DigiCert Global Root G2')]

def aia_host(ca_cn):
    """(CA issuers host, OCSP host) of a CA, by its common name."""
    w = ca_cn.split()[0]
    if len(w) <= 3:                         # Let's Encrypt R10, E7, ...
        return ('%s.i.lencr.org' % w.lower(), '%s.o.lencr.org' % w.lower())
    return {'ZeroSSL': ('zerossl.crt.sectigo.com', 'zerossl.ocsp.sectigo.com'),
            'Sectigo': ('crt.sectigo.com', 'ocsp.sectigo.com'),
            'DigiCert': ('cacerts.digicert.com', 'ocsp.digicert.com'),
            'Amazon': ('crt.r2m02.amazontrust.com', 'ocsp.r2m02.amazontrust.com'),
            'Cloudflare': ('crt.cloudflare.com', 'ocsp.cloudflare.com'),
            }.get(w, ('i.pki.goog', 'o.pki.goog'))


# (name, url, tiled)
LOGS = [
    ("Google 'Argon2026h1' log", 'https://ct.googleapis.com/logs/us1/argon2026h1/', False),
    ("Google 'Argon2026h2' log", 'https://ct.googleapis.com/logs/us1/argon2026h2/', False),
    ("Google 'Xenon2026h1' log", 'https://ct.googleapis.com/logs/eu1/xenon2026h1/', False),
    ("Google 'Xenon2026h2' log", 'https://ct.googleapis.com/logs/eu1/xenon2026h2/', False),
    ("Cloudflare 'Nimbus2026'", 'https://ct.cloudflare.com/logs/nimbus2026/', False),
    ("DigiCert 'Wyvern2026h1'", 'https://wyvern.ct.digicert.com/2026h1/', False),
    ("DigiCert 'Sphinx2026h2'", 'https://sphinx.ct.digicert.com/2026h2/', False),
    ("Sectigo 'Mammoth2026h1'", 'https://mammoth2026h1.ct.sectigo.com/', False),
    ("Sectigo 'Sabre2026h2'", 'https://sabre2026h2.ct.sectigo.com/', False),
    ("Let's Encrypt 'Oak2026h1'", 'https://oak.ct.letsencrypt.org/2026h1/', False),
    ("TrustAsia Log2026a", 'https://ct2026-a.trustasia.com/log2026a/', False),
    ("Let's Encrypt 'Willow2026h1'", 'https://willow.ct.letsencrypt.org/2026h1b/', True),
    ("Sectigo 'Elephant2026h1'", 'https://elephant2026h1.ct.sectigo.com/', True),
]

POLICY_PY = ('Policy: 2.23.140.1.2.1\nPolicy: 1.3.6.1.4.1.44947.1.1.1\n'
             '  CPS: http://cps.letsencrypt.org\n  User Notice:\n'
             '    Explicit Text: This Certificate may only be relied upon by '
             'Relying Parties and only in accordance with the Certificate '
             'Policy found at https://letsencrypt.org/repository/\n')

# ---------------------------------------------------------------------------
# the generator


class FastRandom(random.Random):
    """random.Random with cheaper choice/randrange (one random() call each;
    the tiny bias of int(random() * n) does not matter here)."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, a, b=None):
        if b is None:
            a, b = 0, a
        return a + int(self.random() * (b - a))

    def wpick(self, seq, cum):
        return seq[bisect.bisect(cum, self.random() * cum[-1])]


class Gen:
    def __init__(self, seed):
        self.r = r = FastRandom(seed)
        # random base64 pool; as_der values are slices of it
        self.b64 = base64.b64encode(r.randbytes(192 * 1024)).decode()
        self.b64url = self.b64.replace('+', '-').replace('/', '_')
        self.t = 1779300000.0 + r.random() * 86400
        self.idn = [l.encode('idna').decode() for l in IDN_LABELS]
        # per log: where its index is (half of them above 2^32)
        self.log_idx = [r.randrange(10_000_000, 6_000_000_000) for _ in LOGS]
        self.cas = self._make_cas()
        self.chain_cache = {}
        self.iss_cache = {}
        self.letters = ''.join(chr(97 + b % 26) for b in r.randbytes(65536))
        self.name_pool = [self._base_domain() for _ in range(4096)]

    # -- small random pieces --

    def hexcolon(self, n, upper=True):
        h = self.r.getrandbits(8 * n).to_bytes(n, 'big').hex(':')
        return h.upper() if upper else h

    def der(self, n):
        """Base64 of n random bytes, starting like DER (MII...)."""
        r = self.r
        q, rem = divmod(n, 3)
        off = r.randrange(0, (len(self.b64) - 4 * q - 8) // 4) * 4
        s = 'MII' + self.b64[off + 3: off + 4 * q]
        if rem == 1:
            s += self.b64[off + 4 * q] + r.choice('AQgw') + '=='
        elif rem == 2:
            s += self.b64[off + 4 * q: off + 4 * q + 2] + r.choice(
                'AEIMQUYcgkosw048') + '='
        return s

    def serial(self, style):
        r = self.r
        n = r.choice((16, 16, 18, 18, 18, 19, 20))
        v = r.getrandbits(8 * n) | (1 << (8 * n - 8))
        h = '%X' % v
        if style == 'go' and len(h) % 2:
            h = '0' + h
        elif style == 'elixir':
            h = h.lstrip('0')
        elif style == 'python':
            h = h.lower()
        return h

    def pool_slice(self, n):
        """n names from the pool (a random run of it: the pool is random)."""
        off = self.r.randrange(0, len(self.name_pool) - n)
        return self.name_pool[off:off + n]

    def _base_domain(self):
        r = self.r
        k = r.random()
        if k < 0.45:
            label = r.choice(WORDS) + r.choice(WORDS)
        elif k < 0.65:
            label = r.choice(WORDS) + '-' + r.choice(WORDS)
        elif k < 0.75:
            label = r.choice(WORDS) + str(r.randrange(1, 999))
        elif k < 0.85:
            n = r.randrange(5, 14)
            off = r.randrange(0, len(self.letters) - n)
            label = self.letters[off:off + n]
        elif k < 0.93:
            label = r.choice(self.idn)
        else:
            label = r.choice(WORDS) + r.choice(WORDS) + r.choice(WORDS)
        return label + '.' + r.choice(TLDS)

    def domains(self):
        """The all_domains list of one certificate."""
        r = self.r
        base = r.choice(self.name_pool) if r.random() < 0.5 \
            else self._base_domain()
        k = r.random()
        if k < 0.0007:
            n = r.randrange(1000, 1600)
            w = r.randrange(0, len(WORDS))
            return [base] + ['%s%d.%s' % (WORDS[(w + 7 * i) % len(WORDS)], i,
                                          base) for i in range(n - 1)]
        if k < 0.33:
            names = [base]
        elif k < 0.45:
            names = ['*.' + base]
        elif k < 0.80:
            names = [base, 'www.' + base] if r.random() < 0.8 \
                else ['*.' + base, base]
        elif k < 0.86:
            names = [p + base for p in CPANEL[:r.randrange(3, 10)]]
        elif k < 0.92:
            names = [base] + [r.choice(SUBS) + '.' + base
                              for _ in range(r.randrange(1, 6))]
        elif k < 0.955:
            names = ['i-%016x.%s.%s' % (r.getrandbits(64),
                                        r.choice(('prd', 'stg', 'dev')), base)]
        elif k < 0.985:
            # Cloudflare / hosting: many unrelated names
            names = ['sni%d.cloudflaressl.com' % r.randrange(10000, 999999)]
            names += self.pool_slice(r.randrange(2, 40))
        else:
            names = [base] + self.pool_slice(r.randrange(20, 100))
        if r.random() < 0.01:
            names[r.randrange(len(names))] = r.choice(UNICODE_NAMES)
        if r.random() < 0.004:
            names.append(r.choice(WEIRD_NAMES))
        return names

    def subject(self, cn, style):
        """(C, CN, L, O, OU, ST) for a leaf certificate."""
        r = self.r
        c = o = l = st = ou = None
        k = r.random()
        if k < 0.18:
            cn = None           # empty subject (ZeroSSL, LE short-lived)
        elif k < 0.30:
            c, st, l = r.choice(LOCALITIES)
            o = r.choice(ORGS)
            if r.random() < 0.3:
                ou = r.choice(('IT', 'Domain Control Validated',
                               'Technology', 'Sécurité'))
        return (c, cn, l, o, ou, st)

    # -- subjects as each server writes them --

    @staticmethod
    def name_obj(sub, style):
        c, cn, l, o, ou, st = sub
        if style == 'python':
            agg = ''.join('/%s=%s' % (k, v) for k, v in (
                ('C', c), ('ST', st), ('L', l), ('O', o), ('OU', ou),
                ('CN', cn)) if v is not None)
            return {'aggregated': agg, 'C': c, 'ST': st, 'L': l, 'O': o,
                    'OU': ou, 'CN': cn}
        agg = ''.join('/%s=%s' % (k, v) for k, v in (
            ('C', c), ('CN', cn), ('L', l), ('O', o), ('OU', ou),
            ('ST', st)) if v is not None)
        if style == 'rust':
            d = {k: v for k, v in (('C', c), ('CN', cn), ('L', l), ('O', o),
                                   ('OU', ou), ('ST', st)) if v is not None}
            d['aggregated'] = agg
            return d
        d = {'C': c, 'CN': cn, 'L': l, 'O': o, 'OU': ou, 'ST': st,
             'aggregated': agg}
        if style == 'go':
            d['email_address'] = None
        else:
            d['emailAddress'] = None
        return d

    @staticmethod
    def sigalg(kt, style, strong=False):
        if kt == 'rsa':
            return 'sha256, rsa'
        h = 'sha384' if strong else 'sha256'
        return ('ecdsa, ' + h) if style in ('go', 'rust') else (h + ', ecdsa')

    # -- extensions --

    def extensions(self, style, names, ca_cn, precert, is_ca=False):
        r = self.r
        host = aia_host(ca_cn)
        san = ', '.join('DNS:' + n for n in names) if names else None
        if style == 'python':
            return {
                'keyUsage': 'Digital Signature, Key Encipherment',
                'extendedKeyUsage': 'TLS Web Server Authentication, '
                                    'TLS Web Client Authentication',
                'basicConstraints': 'CA:TRUE' if is_ca else 'CA:FALSE',
                'subjectKeyIdentifier': self.hexcolon(20),
                'authorityKeyIdentifier': 'keyid:' + self.hexcolon(20) + '\n',
                'authorityInfoAccess': 'OCSP - URI:http://%s\n'
                                       'CA Issuers - URI:http://%s/\n'
                                       % (host[1], host[0]),
                'subjectAltName': san,
                'certificatePolicies': POLICY_PY,
            }
        if style == 'elixir':
            d = {
                'authorityInfoAccess': 'CA Issuers - URI:http://%s/\n'
                                       'OCSP - URI:http://%s\n'
                                       % (host[0], host[1]),
                'authorityKeyIdentifier': 'keyid:' + self.hexcolon(20) + '\n',
                'basicConstraints': 'CA:TRUE' if is_ca else 'CA:FALSE',
                'certificatePolicies': 'Policy: 2.23.140.1.2.1',
                'extendedKeyUsage': 'TLS Web server authentication, '
                                    'TLS Web client authentication',
                'keyUsage': 'Digital Signature, Key Encipherment',
                'subjectKeyIdentifier': self.hexcolon(20),
            }
            if san:
                d['subjectAltName'] = san
            if not precert and not is_ca:
                d['ctlSignedCertificateTimestamp'] = self.b64url[
                    r.randrange(0, 100000):][:r.choice((228, 320, 332))]
            return d
        # go and rust: Go's ct-parser / x509-parser texts
        d = {
            'authorityInfoAccess': 'URI:http://%s/' % host[0]
            if style == 'rust' else
            'URI:http://%s/, URI:http://%s' % host,
            'authorityKeyIdentifier': 'keyid:' + self.hexcolon(20, False),
            'basicConstraints': 'CA:TRUE' if is_ca else 'CA:FALSE',
        }
        if style == 'rust' or r.random() < 0.5:
            d['certificatePolicies'] = 'Policy: 2.23.140.1.2.1\n'
        if style == 'rust':
            d['extendedKeyUsage'] = 'serverAuth, clientAuth' if is_ca \
                else 'serverAuth'
        d['keyUsage'] = 'Digital Signature, Key Encipherment' \
            if r.random() < 0.6 else 'Digital Signature'
        if san:
            d['subjectAltName'] = san
        d['subjectKeyIdentifier'] = 'keyid:' + self.hexcolon(20, False)
        if precert:
            d['ctlPoisonByte'] = True
        return d

    # -- CA certificates (chain entries), encoded once per style --

    def _make_cas(self):
        r = self.r
        cas = []
        for c, o, cn, kt in ISSUERS:
            cas.append({'sub': (c, cn, None, o, None, None),
                        'kt': kt, 'root': r.randrange(len(ROOTS)),
                        'der_len': r.randrange(700, 1000)})
        for c, o, cn in ROOTS:
            cas.append({'sub': (c, cn, None, o, None, None),
                        'kt': 'rsa', 'root': None,
                        'der_len': r.randrange(800, 1100)})
        return cas

    def _chain_entry(self, idx, style):
        key = (idx, style)
        hit = self.chain_cache.get(key)
        if hit is not None:
            return hit
        r = self.r
        ca = self.cas[idx]
        issuer = self.cas[len(ISSUERS) + ca['root']]['sub'] \
            if ca['root'] is not None else ca['sub']
        ext = self.extensions(style, None, issuer[1], False, True)
        der = self.der(ca['der_len'])
        nb = r.randrange(1_600_000_000, 1_730_000_000)
        na = nb + r.randrange(3, 20) * 31_536_000
        fp = self.hexcolon(20)
        sub = self.name_obj(ca['sub'], style)
        iss = self.name_obj(issuer, style)
        sig = self.sigalg(ca['kt'], style)
        ser = self.serial(style)
        if style == 'python':
            d = {'subject': sub, 'extensions': ext, 'not_before': float(nb),
                 'not_after': float(na), 'serial_number': ser,
                 'fingerprint': fp, 'as_der': der}
        elif style == 'elixir':
            d = {'as_der': der, 'extensions': ext, 'fingerprint': fp,
                 'issuer': iss, 'not_after': na, 'not_before': nb,
                 'serial_number': ser, 'signature_algorithm': sig,
                 'subject': sub}
        elif style == 'go':
            d = {'all_domains': [], 'as_der': der, 'extensions': ext,
                 'fingerprint': fp, 'sha1': fp, 'sha256': self.hexcolon(32),
                 'not_after': na, 'not_before': nb, 'serial_number': ser,
                 'signature_algorithm': sig, 'subject': sub, 'issuer': iss,
                 'is_ca': True}
        else:
            d = {'subject': sub, 'issuer': iss, 'serial_number': ser,
                 'not_before': nb, 'not_after': na, 'fingerprint': fp,
                 'sha1': fp, 'sha256': self.hexcolon(32),
                 'signature_algorithm': sig, 'is_ca': True,
                 'extensions': ext}
        enc = STYLES[style].dumps(d)
        self.chain_cache[key] = enc
        return enc

    def chain(self, issuer_idx, style):
        r = self.r
        root = len(ISSUERS) + self.cas[issuer_idx]['root']
        k = r.random()
        if k < 0.55:
            idxs = [issuer_idx]
        elif k < 0.95:
            idxs = [issuer_idx, root]
        else:
            idxs = [issuer_idx, root, len(ISSUERS) + r.randrange(len(ROOTS))]
        return [self._chain_entry(i, style) for i in idxs]

    # -- messages --

    def seen(self, style):
        r = self.r
        self.t += r.expovariate(300.0)
        t = self.t
        if r.random() < 0.005:
            return float(int(t))
        if style == 'elixir':
            return round(t * 1e6) / 1e6
        if style == 'go':
            return round(t * 1e3) / 1e3
        if style == 'python':
            return round(t * 1e5) / 1e5 if r.random() < 0.5 else t
        return t

    def cert(self, style, full):
        r = self.r
        st = STYLES[style]
        names = self.domains()
        ii = r.wpick(ISSUER_IDX, ISSUER_CUM)
        ic, io, icn, kt = ISSUERS[ii]
        sub = self.subject(names[0], style)
        if style == 'go' and sub[1] is not None and sub[1] not in names:
            names = names + [sub[1]]
        if style == 'elixir':
            all_domains = sorted(set(names))
        else:
            all_domains = names
        precert = r.random() < 0.35
        log = r.randrange(len(LOGS))
        lname, lurl, tiled = LOGS[log]
        r.randrange(1, 40)        # (kept: the rest of the stream stays
        self.log_idx[log] += 1    # as it was) a full feed has no holes
        idx = self.log_idx[log]
        seen = self.seen(style)
        nb = int(seen) - r.randrange(0, 7200)
        na = nb + (7_775_999 if ic == 'US' and io.startswith("Let") or
                   ic == 'AT' else r.choice((7_775_999, 31_535_999,
                                             34_127_999)))
        fp = self.hexcolon(20)
        ser = self.serial(style)
        subj = self.name_obj(sub, style)
        ext = self.extensions(style, names, icn, precert)
        der = self.der(1000 + int(1000 * r.random() ** 2)) \
            if full else None
        raws = self.chain(ii, style) if full else ()
        chain = ['#RAW%d#' % i for i in range(len(raws))]
        sv = st.seen(seen)
        link = '%sct/v1/get-entries?start=%d&end=%d' % (lurl, idx, idx)
        if style == 'python':
            leaf = {'subject': subj, 'extensions': ext,
                    'not_before': float(nb), 'not_after': float(na),
                    'serial_number': ser, 'fingerprint': fp}
            if full:
                leaf['as_der'] = der
            leaf['all_domains'] = all_domains
            data = {'update_type': 'PreCertEntry' if precert
                    else 'X509LogEntry', 'leaf_cert': leaf}
            if full:
                data['chain'] = chain
            data['cert_index'] = idx
            data['seen'] = sv
            data['source'] = {'url': lurl.split('://', 1)[1], 'name': lname}
            return st.dumps({'message_type': 'certificate_update',
                             'data': data}, raws, seen)
        utype = 'PrecertLogEntry' if precert else 'X509LogEntry'
        iss = self.iss_cache.get((ii, style))
        if iss is None:
            iss = self.name_obj((ic, icn, None, io, None, None), style)
            self.iss_cache[(ii, style)] = iss
        sig = self.sigalg(kt, style, strong=kt == 'ec' and r.random() < 0.5)
        if style == 'elixir':
            leaf = {'all_domains': all_domains, 'extensions': ext,
                    'fingerprint': fp, 'issuer': iss, 'not_after': na,
                    'not_before': nb, 'serial_number': ser,
                    'signature_algorithm': sig, 'subject': subj}
            if full:
                leaf['as_der'] = der
            data = {'cert_index': idx, 'cert_link': link, 'leaf_cert': leaf,
                    'seen': sv, 'source': {'name': lname, 'url': lurl},
                    'update_type': utype}
            if full:
                data['chain'] = chain
            return st.dumps({'data': data,
                             'message_type': 'certificate_update'},
                            raws, seen)
        sha256 = self.hexcolon(32)
        if style == 'go':
            leaf = {'all_domains': all_domains}
            if full:
                leaf['as_der'] = der
            leaf.update({'extensions': ext, 'fingerprint': fp, 'sha1': fp,
                         'sha256': sha256, 'not_after': na, 'not_before': nb,
                         'serial_number': ser, 'signature_algorithm': sig,
                         'subject': subj, 'issuer': iss, 'is_ca': False})
            data = {'cert_index': idx, 'cert_link': '' if tiled else link}
            if full:
                data['chain'] = chain
            data.update({
                'leaf_cert': leaf, 'seen': sv,
                'source': {'name': lname, 'url': lurl,
                           'timestamp': int(seen * 1000) - r.randrange(
                               1000, 90000),
                           'type': 'tiled' if tiled else 'rfc6962'},
                'update_type': utype})
            return st.dumps({'data': data,
                             'message_type': 'certificate_update'},
                            raws, seen) + ' '
        # rust
        leaf = {'subject': subj, 'issuer': iss, 'serial_number': ser,
                'not_before': nb, 'not_after': na, 'fingerprint': fp,
                'sha1': fp, 'sha256': sha256, 'signature_algorithm': sig,
                'is_ca': False, 'all_domains': all_domains}
        if full:
            leaf['as_der'] = der
        leaf['extensions'] = ext
        data = {'update_type': utype, 'leaf_cert': leaf}
        if full:
            data['chain'] = chain
        data.update({'cert_index': idx, 'cert_link': link, 'seen': sv,
                     'submission_timestamp':
                         round(seen - r.uniform(1, 90), 2),
                     'source': {'name': lname, 'url': lurl}})
        return st.dumps({'message_type': 'certificate_update', 'data': data},
                        raws, seen)

    def dns(self, style):
        st = STYLES[style]
        names = self.domains()
        if style == 'elixir':
            names = sorted(set(names))
        if style == 'python':
            return st.dumps({'message_type': 'dns_entries', 'data': names})
        # compact: build it directly (this kind is small and numerous)
        body = ','.join([_enc_plain(n) for n in names])
        if style == 'rust':
            return '{"message_type":"dns_entries","data":[' + body + ']}'
        if style == 'go' and not (body.isascii() and '<' not in body and
                                  '>' not in body and '&' not in body):
            return st.dumps({'data': names, 'message_type': 'dns_entries'},
                            html=True)
        return '{"data":[' + body + '],"message_type":"dns_entries"}'

    def heartbeat(self, style):
        r = self.r
        self.t += r.expovariate(300.0)
        if style == 'rust':
            return '{"message_type":"heartbeat"}'
        if style == 'python':
            return STYLES['python'].dumps({'message_type': 'heartbeat',
                                           'timestamp': self.t})
        ts = round(self.t * 1000) / 1000
        if style == 'go':
            if r.random() < 0.25:
                ts = float(int(ts))
            return '{"message_type":"heartbeat","timestamp":%s} ' % \
                fmt_float_go(ts)
        return '{"message_type":"heartbeat","timestamp":%s}' % \
            fmt_float_erlang(ts)


KINDS = ['lite', 'full', 'domains', 'heartbeat']
KIND_WEIGHTS = [40, 20, 35, 5]
KIND_CUM = list(itertools.accumulate(KIND_WEIGHTS))


def generate(kind, style, seed, count=None, nbytes=None):
    """Yield NDJSON lines (str, with the newline)."""
    g = Gen(seed)
    r = g.r
    n = 0
    total = 0
    while True:
        if count is not None and n >= count:
            return
        if nbytes is not None and total >= nbytes:
            return
        k = kind if kind != 'mixed' else r.wpick(KINDS, KIND_CUM)
        s = style if style != 'mixed' else \
            r.wpick(STYLE_NAMES, STYLE_CUM)
        if k == 'lite':
            m = g.cert(s, False)
        elif k == 'full':
            m = g.cert(s, True)
        elif k == 'domains':
            m = g.dns(s)
        else:
            m = g.heartbeat(s)
        line = m + '\n'
        n += 1
        if nbytes is not None:
            total += len(line) if line.isascii() else len(line.encode())
        yield line


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--kind', required=True,
                    choices=['full', 'lite', 'domains', 'heartbeat', 'mixed'])
    grp = ap.add_mutually_exclusive_group()
    grp.add_argument('--count', type=int, help='messages (default 1000)')
    grp.add_argument('--bytes', type=int, help='stop after about N bytes')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--style', default='mixed',
                    choices=['elixir', 'go', 'rust', 'python', 'mixed'])
    a = ap.parse_args(argv)
    if a.count is None and a.bytes is None:
        a.count = 1000
    if (a.count is not None and a.count < 0) or \
            (a.bytes is not None and a.bytes < 0):
        ap.error('--count/--bytes must not be negative')
    out = sys.stdout.buffer
    buf = []
    size = 0
    try:
        for line in generate(a.kind, a.style, a.seed, a.count, a.bytes):
            buf.append(line)
            size += len(line)
            if size >= 1 << 20:
                out.write(''.join(buf).encode())
                buf = []
                size = 0
        out.write(''.join(buf).encode())
        out.flush()
    except BrokenPipeError:
        # a reader such as `head` went away: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
