#!/usr/bin/python3
"""test_der_diff.py - [1h] the DER walk against three oracles.

1. python3-cryptography: a few thousand certificates and precertificates
   generated here (random subjects with every attribute and string type the
   walker renders, many or no SANs, IDNs, IP addresses, e-mail addresses,
   URIs and names it skips, no CN, long names, RSA/EC/Ed25519 keys, CA and
   not, dates before 1950 and after 2049). Each goes to build/der_dump as a
   Certificate, and each precert also as its bare TBS (poison removed, as a
   log has it). Compared: serial, signature and key OIDs, validity, both
   Names (every attribute, and the aggregated text), SAN entries, is_ca,
   the poison, the CN and all_domains (certstream-server-rust's rule).
2. ../shared/ct: the two navigli2025h2 data tiles (each TileLeaf's TBS and
   its pre_certificate) against tile/names/* (CN, SAN DNS and IP names),
   and the RFC 6962 get-entries responses (leaf certs and chains) against
   python3-cryptography.
3. ../shared/research/samples: the as_der of every certstream-server-rust
   message against the message itself (subject, issuer, serial, dates,
   is_ca, signature_algorithm, all_domains).
Parts 2 and 3 are skipped, visibly, when ../shared is absent.
CS_BUILD names the build folder; CS_DER_N the number of generated certs
(2500), CS_DER_SEED their seed; CS_SHARED another ../shared.
"""
import base64
import calendar
import glob
import ipaddress
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get('CS_BUILD', 'build')
DUMP = os.path.join(ROOT, BUILD, 'der_dump')
SHARED = os.environ.get('CS_SHARED') or os.path.normpath(
    os.path.join(ROOT, '..', 'shared'))
N = int(os.environ.get('CS_DER_N', '2500'))

passed = failed = skipped = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL', what)
    return ok


def run_dump(records):
    """records: [(kind, der)] -> one dict per record"""
    with tempfile.NamedTemporaryFile(suffix='.bin', delete=False) as f:
        for kind, der in records:
            f.write(struct.pack('>BI', kind, len(der)) + der)
        path = f.name
    try:
        p = subprocess.run([DUMP, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
    finally:
        os.unlink(path)
    check(p.returncode == 0, 'der_dump exit %d: %s'
          % (p.returncode, p.stderr.decode()[:300]))
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


# ---------------------------------------------------------------------------
# what python3-cryptography reads, in certstream-server-rust's terms

KEY_OIDS = {rsa.RSAPublicKey: '1.2.840.113549.1.1.1',
            ec.EllipticCurvePublicKey: '1.2.840.10045.2.1',
            ed25519.Ed25519PublicKey: '1.3.101.112'}
AGG = [('C', NameOID.COUNTRY_NAME), ('CN', NameOID.COMMON_NAME),
       ('L', NameOID.LOCALITY_NAME), ('O', NameOID.ORGANIZATION_NAME),
       ('OU', NameOID.ORGANIZATIONAL_UNIT_NAME),
       ('ST', NameOID.STATE_OR_PROVINCE_NAME)]


def attr_text(a):
    if isinstance(a.value, bytes):
        return '#' + a.value.hex().upper()
    return a.value


def last(name, oid):
    v = None
    for a in name:
        if a.oid == oid and isinstance(a.value, str):
            v = a.value
    return v


def aggregated(name):
    return ''.join('/%s=%s' % (k, last(name, oid)) for k, oid in AGG
                   if last(name, oid) is not None)


def name_all(name):
    out = []
    for i, rdn in enumerate(name.rdns, 1):
        out += sorted([a.oid.dotted_string, i, attr_text(a)] for a in rdn)
    return out


def expect(cert, poison=None):
    e = {'err': None, 'v': cert.version.value + 1}
    s = cert.serial_number
    h = '%X' % s
    e['serial'] = ('0' + h) if len(h) % 2 else h
    e['sig'] = cert.signature_algorithm_oid.dotted_string
    pk = cert.public_key()
    e['key'] = next(o for t, o in KEY_OIDS.items() if isinstance(pk, t))
    e['nb'] = calendar.timegm(cert.not_valid_before.utctimetuple())
    e['na'] = calendar.timegm(cert.not_valid_after.utctimetuple())
    e['issuer'] = aggregated(cert.issuer)
    e['subject'] = aggregated(cert.subject)
    e['issuer_all'] = name_all(cert.issuer)
    e['subject_all'] = name_all(cert.subject)
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        e['bc'], e['ca'] = True, bc.value.ca
    except x509.ExtensionNotFound:
        e['bc'], e['ca'] = False, False
    try:
        cert.extensions.get_extension_for_class(x509.PrecertPoison)
        e['poison'] = True
    except x509.ExtensionNotFound:
        e['poison'] = False
    if poison is not None:
        e['poison'] = poison
    san = []
    e['has_san'], e['sancrit'] = False, False
    try:
        ext = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName)
        e['has_san'], e['sancrit'] = True, ext.critical
        for g in ext.value:
            if isinstance(g, x509.DNSName):
                san.append(['dns', g.value])
            elif isinstance(g, x509.IPAddress):
                san.append(['ip', g.value])
            elif isinstance(g, x509.RFC822Name):
                san.append(['email', g.value])
            elif isinstance(g, x509.UniformResourceIdentifier):
                san.append(['uri', g.value])
    except x509.ExtensionNotFound:
        pass
    e['san'] = san
    e['cn'] = last(cert.subject, NameOID.COMMON_NAME)
    dom = []
    if e['cn'] and not e['ca']:
        dom.append(e['cn'])
    for k, v in san:
        if k == 'dns' and v not in dom:
            dom.append(v)
    e['domains'] = dom
    return e


def same(got, exp, what):
    bad = []
    for k, v in exp.items():
        g = got.get(k)
        if k == 'san' and g is not None and len(g) == len(v):
            g = [[a, ipaddress.ip_address(b) if a == 'ip' else b]
                 for a, b in g]
        if k in ('issuer_all', 'subject_all') and g is not None:
            gg, j = [], 0
            while j < len(g):          # sort inside each RDN, as above
                r = [x[:3] for x in g if x[1] == g[j][1]]
                gg += sorted(r)
                j += len(r)
            g = gg
        if g != v:
            bad.append('%s: got %r, want %r' % (k, g, v))
    return check(not bad, what + ': ' + '; '.join(bad)[:2000])


# ---------------------------------------------------------------------------
# 1. generated certificates

ALPHA = 'abcdefghijklmnopqrstuvwxyz'
PRINTABLE = ALPHA + ALPHA.upper() + "0123456789 '()+,-./:=?"
UNI = ('\u00e9\u00fc\u00df\u4e2d\u6587\u0436\u05d0\u0627'
       '\U0001f600\U00010348\u20ac\u00a0')
TYPES = ['UTF8String', 'PrintableString', 'IA5String', 'T61String',
         'BMPString', 'UniversalString', 'VisibleString', 'NumericString']
ATTRS = [NameOID.COMMON_NAME, NameOID.COUNTRY_NAME, NameOID.LOCALITY_NAME,
         NameOID.STATE_OR_PROVINCE_NAME, NameOID.STREET_ADDRESS,
         NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME,
         NameOID.SERIAL_NUMBER, NameOID.SURNAME, NameOID.GIVEN_NAME,
         NameOID.TITLE, NameOID.POSTAL_CODE, NameOID.EMAIL_ADDRESS,
         NameOID.DOMAIN_COMPONENT, NameOID.USER_ID,
         NameOID.BUSINESS_CATEGORY, NameOID.JURISDICTION_COUNTRY_NAME,
         NameOID.PSEUDONYM, ObjectIdentifier('2.5.4.97'),
         ObjectIdentifier('1.3.6.1.4.1.99999.7.12345')]


def rstr(rnd, alphabet, lo, hi):
    return ''.join(rnd.choice(alphabet) for _ in range(rnd.randint(lo, hi)))


def rvalue(rnd, typ, long_names):
    hi = 200 if long_names else 20
    if typ == 'PrintableString':
        return rstr(rnd, PRINTABLE, 1, hi)
    if typ == 'NumericString':
        return rstr(rnd, '0123456789 ', 1, hi)
    if typ in ('IA5String', 'VisibleString'):
        return rstr(rnd, PRINTABLE + '*@_&!~', 1, hi)
    if typ == 'T61String':
        # written as UTF-8 by cryptography, read as UTF-8 by both
        return rstr(rnd, PRINTABLE + '\u00e9\u00fc\u20ac', 1, hi)
    if typ == 'BMPString':
        return rstr(rnd, PRINTABLE + UNI[:-4] + '\U0001f600', 1, hi)
    return rstr(rnd, PRINTABLE + UNI, 1, hi)


def rattr(rnd, oid, long_names):
    if oid == NameOID.COUNTRY_NAME or oid == NameOID.JURISDICTION_COUNTRY_NAME:
        return x509.NameAttribute(oid, rstr(rnd, ALPHA.upper(), 2, 2),
                                  _type=_ASN1Type.PrintableString)
    if oid in (NameOID.EMAIL_ADDRESS, NameOID.DOMAIN_COMPONENT):
        return x509.NameAttribute(oid, rstr(rnd, ALPHA, 1, 9) + '@x.example',
                                  _type=_ASN1Type.IA5String)
    typ = rnd.choice(TYPES)
    return x509.NameAttribute(oid, rvalue(rnd, typ, long_names),
                              _type=_ASN1Type[typ])


def rname(rnd, cn=None, empty_ok=True):
    long_names = rnd.random() < 0.1
    rdns = []
    for _ in range(rnd.randint(0 if empty_ok else 1, 8)):
        oid = rnd.choice(ATTRS)
        attrs = [rattr(rnd, oid, long_names)]
        if rnd.random() < 0.1:         # multi-valued RDN (the order
            # inside is DER's sort, so no type twice: "last" is defined)
            attrs.append(rattr(rnd, rnd.choice([a for a in ATTRS[1:]
                                                if a != oid]), long_names))
        rdns.append(x509.RelativeDistinguishedName(attrs))
    if cn is not None:
        typ = rnd.choice(['UTF8String', 'PrintableString', 'IA5String',
                          'BMPString', 'UniversalString', 'T61String'])
        rdns.insert(rnd.randint(0, len(rdns)), x509.RelativeDistinguishedName(
            [x509.NameAttribute(NameOID.COMMON_NAME, cn,
                                _type=_ASN1Type[typ])]))
    return x509.Name(rdns)


def rdns_name(rnd):
    labels = []
    for _ in range(rnd.randint(1, 5)):
        r = rnd.random()
        if r < 0.15:
            labels.append('xn--' + rstr(rnd, ALPHA + '0123456789', 3, 12))
        else:
            labels.append(rstr(rnd, ALPHA + '0123456789-', 1, 20)
                          .strip('-') or 'a')
    if rnd.random() < 0.2:
        labels.insert(0, '*')
    name = '.'.join(labels) + rnd.choice(['.com', '.example', '.xn--p1ai'])
    return name.upper() if rnd.random() < 0.05 else name


def rsan(rnd):
    n = rnd.choice([0, 1, 1, 2, 3, 5, 10, 40]) if rnd.random() > 0.02 \
        else 300
    out, dns = [], []
    for _ in range(n):
        r = rnd.random()
        if r < 0.7:
            if dns and rnd.random() < 0.1:
                d = rnd.choice(dns)            # a repeat
            else:
                d = rdns_name(rnd)
            dns.append(d)
            out.append(x509.DNSName(d))
        elif r < 0.8:
            out.append(x509.IPAddress(ipaddress.ip_address(
                rnd.getrandbits(32) if rnd.random() < 0.5
                else rnd.getrandbits(128))))
        elif r < 0.87:
            out.append(x509.RFC822Name(rstr(rnd, ALPHA, 1, 8) + '@'
                                       + rdns_name(rnd)))
        elif r < 0.93:
            out.append(x509.UniformResourceIdentifier(
                'https://' + rdns_name(rnd) + '/' + rstr(rnd, ALPHA, 0, 9)))
        elif r < 0.96:
            out.append(x509.DirectoryName(rname(rnd, empty_ok=False)))
        else:
            out.append(x509.RegisteredID(ObjectIdentifier('1.2.3.4.5')))
    return out


def rtime(rnd):
    # mostly now-ish; some before 1950... after 2049 (GeneralizedTime)
    r = rnd.random()
    if r < 0.8:
        y = rnd.randint(2013, 2049)
    elif r < 0.9:
        y = rnd.randint(1950, 2012)
    else:
        y = rnd.randint(2050, 9998)
    return calendar.timegm((y, rnd.randint(1, 12), rnd.randint(1, 28),
                            rnd.randint(0, 23), rnd.randint(0, 59),
                            rnd.randint(0, 59)))


def generate(rnd, n):
    import datetime
    keys = [ec.generate_private_key(ec.SECP256R1()),
            ec.generate_private_key(ec.SECP384R1()),
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ed25519.Ed25519PrivateKey.generate()]
    records = []
    for i in range(n):
        cn = None
        if rnd.random() < 0.7:
            cn = rdns_name(rnd) if rnd.random() < 0.9 else \
                rvalue(rnd, 'UniversalString', False)
        subject = rname(rnd, cn)
        issuer = rname(rnd, 'Test CA %d' % rnd.randint(1, 9))
        key = rnd.choice(keys)
        pub = rnd.choice(keys[:3]).public_key()
        t0 = rtime(rnd)
        t1 = max(t0, rtime(rnd))
        b = (x509.CertificateBuilder().subject_name(subject)
             .issuer_name(issuer).public_key(pub)
             .serial_number(rnd.getrandbits(rnd.choice([8, 64, 128, 159]))
                            or 1)
             .not_valid_before(datetime.datetime.utcfromtimestamp(t0))
             .not_valid_after(datetime.datetime.utcfromtimestamp(t1)))
        r = rnd.random()
        if r < 0.15:
            b = b.add_extension(x509.BasicConstraints(True, None), True)
        elif r < 0.7:
            b = b.add_extension(x509.BasicConstraints(False, None), True)
        san = rsan(rnd)
        if san:
            b = b.add_extension(x509.SubjectAlternativeName(san),
                                rnd.random() < 0.2)
        if rnd.random() < 0.3:
            b = b.add_extension(x509.ExtendedKeyUsage(
                [x509.ObjectIdentifier('1.3.6.1.5.5.7.3.1')]), False)
        algo = None if isinstance(key, ed25519.Ed25519PrivateKey) \
            else hashes.SHA256()
        precert = rnd.random() < 0.35
        cert = b.sign(key, algo)
        der = cert.public_bytes(serialization.Encoding.DER)
        if precert:
            pre = b.add_extension(x509.PrecertPoison(), True).sign(key, algo)
            pder = pre.public_bytes(serialization.Encoding.DER)
            records.append((0, pder, pre, None))
            # the log's TBS: the same TBS without the poison
            records.append((1, cert.tbs_certificate_bytes, cert, None))
        else:
            records.append((0, der, cert, None))
    return records


def part_generated():
    rnd = random.Random(int(os.environ.get('CS_DER_SEED', '9')))
    recs = generate(rnd, N)
    got = run_dump([(k, d) for k, d, _, _ in recs])
    check(len(got) == len(recs), 'one line per record')
    bad = 0
    for (kind, der, cert, poison), g in zip(recs, got):
        if not same(g, expect(cert, poison), 'generated %s %s'
                    % ('TBS' if kind else 'cert', der.hex()[:40])):
            bad += 1
            if bad > 5:
                break
    print('generated: %d records (%d precert TBS)'
          % (len(recs), sum(1 for r in recs if r[0] == 1)))
    # every prefix of a few of them fails cleanly
    cuts = []
    for kind, der, _, _ in recs[:8]:
        cuts += [(kind, der[:i]) for i in range(len(der))]
    got = run_dump(cuts)
    check(all(g['err'] is not None for g in got),
          'every prefix of 8 certificates is refused')


# ---------------------------------------------------------------------------
# 2. real CT data

def tile_leaves(data):
    """the static-ct-api TileLeaf records of a data tile"""
    out, i = [], 0
    while i < len(data):
        ts, et = struct.unpack_from('>QH', data, i)
        i += 10
        if et == 1:
            i += 32                          # issuer_key_hash
        n = int.from_bytes(data[i:i + 3], 'big')
        cert = data[i + 3:i + 3 + n]
        i += 3 + n
        n = int.from_bytes(data[i:i + 2], 'big')
        i += 2 + n                           # extensions
        pre = None
        if et == 1:
            n = int.from_bytes(data[i:i + 3], 'big')
            pre = data[i + 3:i + 3 + n]
            i += 3 + n
        n = int.from_bytes(data[i:i + 2], 'big')
        i += 2 + n                           # chain fingerprints
        out.append((ts, et, cert, pre))
    return out


def part_tiles():
    global skipped
    base = os.path.join(SHARED, 'ct', 'navigli2025h2', 'tile')
    if not os.path.isdir(base):
        print('SKIP tiles: %s is absent' % base)
        skipped += 1
        return
    for t in ('000', '001'):
        leaves = tile_leaves(open(os.path.join(base, 'data', t), 'rb').read())
        key = [json.loads(line) for line in
               open(os.path.join(base, 'names', t), encoding='utf-8')]
        check(len(leaves) == 256 and len(key) == 256, 'tile %s: 256' % t)
        recs = []
        for ts, et, cert, pre in leaves:
            recs.append((1 if et == 1 else 0, cert))
            if pre is not None:
                recs.append((0, pre))
        got = iter(run_dump(recs))
        n = 0
        for (ts, et, cert, pre), k in zip(leaves, key):
            g = next(got)
            want_cn = k.get('Subject', {}).get('CommonName')
            ip = [str(ipaddress.ip_address(x)) for x in k.get('IP', [])]
            mine_ip = [v for kk, v in g.get('san', []) if kk == 'ip']
            ok = (g['err'] is None and g['cn'] == want_cn
                  and [v for kk, v in g['san'] if kk == 'dns']
                  == k.get('DNS', []) and mine_ip == ip)
            # all_domains: the key's CN (no CA here), then its DNS names
            dom = ([want_cn] if want_cn else [])
            for d in k.get('DNS', []):
                if d not in dom:
                    dom.append(d)
            ok = ok and g['domains'] == dom
            n += check(ok, 'tile %s ts %d: %r vs %r' % (t, ts, g, k))
            if pre is not None:
                p = next(got)
                c = x509.load_der_x509_certificate(pre)
                same(p, expect(c), 'tile %s ts %d pre_certificate'
                     % (t, ts))
                check(p.get('poison') and p['serial'] == g['serial']
                      and p['subject_all'] == g['subject_all'],
                      'tile %s ts %d: precert and TBS agree' % (t, ts))
        print('tile %s: %d of 256 entries match the names tile' % (t, n))


def part_rfc6962():
    global skipped
    files = sorted(glob.glob(os.path.join(SHARED, 'ct', 'rfc6962',
                                          'get-entries*.json')))
    if not files:
        print('SKIP rfc6962: no get-entries files in ../shared/ct')
        skipped += 1
        return
    recs = []
    for f in files:
        for e in json.load(open(f))['entries']:
            leaf = base64.b64decode(e['leaf_input'])
            extra = base64.b64decode(e['extra_data'])
            et = struct.unpack_from('>H', leaf, 10)[0]
            if et == 0:
                n = int.from_bytes(leaf[12:15], 'big')
                recs.append((0, leaf[15:15 + n]))
                chain, i = extra, 3
            else:
                # precert leaf: issuer_key_hash, then the TBS
                n = int.from_bytes(leaf[44:47], 'big')
                recs.append((1, leaf[47:47 + n]))
                n = int.from_bytes(extra[0:3], 'big')
                recs.append((0, extra[3:3 + n]))
                chain, i = extra, 3 + n + 3
            end = len(chain)
            while i + 3 <= end:
                n = int.from_bytes(chain[i:i + 3], 'big')
                recs.append((0, chain[i + 3:i + 3 + n]))
                i += 3 + n
    got = run_dump(recs)
    for (kind, der), g in zip(recs, got):
        if kind == 1:
            check(g['err'] is None and not g['poison'],
                  'rfc6962 precert TBS parses: %r' % g)
            continue
        c = x509.load_der_x509_certificate(der)
        same(g, expect(c), 'rfc6962 %s' % c.subject.rfc4514_string())
    print('rfc6962: %d certificates and TBSes' % len(recs))


# ---------------------------------------------------------------------------
# 3. certstream-server-rust's own messages

def part_samples():
    global skipped
    files = sorted(glob.glob(os.path.join(
        SHARED, 'research', 'samples', '*certstream-server-rust*full.json')))
    if not files:
        print('SKIP samples: no certstream-server-rust samples')
        skipped += 1
        return
    msgs = [json.load(open(f))['data']['leaf_cert'] for f in files]
    got = run_dump([(0, base64.b64decode(m['as_der'])) for m in msgs])
    n = 0
    for m, g, f in zip(msgs, got, files):
        ok = (g['err'] is None
              and g['subject'] == m['subject']['aggregated']
              and g['issuer'] == m['issuer']['aggregated']
              and g['serial'] == m['serial_number']
              and g['nb'] == m['not_before'] and g['na'] == m['not_after']
              and g['ca'] == m['is_ca']
              and g['signame'] == m['signature_algorithm']
              and g['domains'] == m['all_domains'])
        n += check(ok, '%s: %r' % (os.path.basename(f), g))
    print('samples: %d of %d server messages reproduced' % (n, len(files)))


def main():
    if not os.path.exists(DUMP) or os.path.getmtime(DUMP) < max(
            os.path.getmtime(os.path.join(ROOT, 'certstream.h')),
            os.path.getmtime(os.path.join(HERE, 'der_dump.c'))):
        subprocess.run(['make', '-s', '-C', ROOT, 'B=' + BUILD,
                        os.path.join(BUILD, 'der_dump')], check=True)
    part_generated()
    part_tiles()
    part_rfc6962()
    part_samples()
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
