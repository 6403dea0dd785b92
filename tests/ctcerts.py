"""ctcerts.py - deterministic test certificates and precertificates for the
CT log tests (run with /usr/bin/python3: needs Debian's python3-cryptography).

  pki(seed)            the test hierarchy: a root CA, an issuing CA ("ca")
                       and a Precertificate Signing Certificate ("psc",
                       EKU 1.3.6.1.4.1.11129.2.4.4) under that CA; RSA-2048
                       keys made from the seed, so every signature (PKCS#1
                       v1.5) and every byte is the same from run to run
  make_entries(n, seed=1, giant_at=None)
                       n log entries (dicts, below), x509 and precert mixed:
                       a few SANs, hundreds of SANs, 1000 SANs (every 97th),
                       no CN, a CN that is not in the SANs, IDNs (xn--),
                       wildcards, IP SANs, e-mail SANs, RSA and P-256 leaf
                       keys, precerts signed by the CA and by the PSC;
                       giant_at=i makes entry i a certificate over 64 KiB
                       (three-byte DER lengths, 0x83)

Entry dict keys:
  type            "x509" or "precert"
  timestamp       leaf timestamp, ms since the epoch
  der             the certificate as logged: the X.509 cert, or for a
                  precert the signed precertificate (with the poison)
  tbs             precert: the TBSCertificate the leaf carries (poison
                  removed; issuer and AKI rewritten to the CA's when the
                  PSC signed it); x509: None
  issuer_key_hash precert: SHA-256 of the CA's SubjectPublicKeyInfo DER
  chain           list of DER certificates after der, issuer first, root
                  last (the PSC comes first when it signed)
  cn              subject CN (str) or None
  san_dns         SAN dNSNames in certificate order (str, as encoded)
  san_ip          IP SANs as text;  san_email: rfc822Name SANs
  all_domains     CN first (when present; no leaf here is a CA), then the
                  SAN dNSNames in order, without repeats, no IPs or e-mails
  serial          int;  serial_hex: uppercase hex, no padding;
                  serial_hex_even: the same padded to an even length
  not_before, not_after   seconds since the epoch (int)
  sha1, sha256    lowercase hex of SHA-1 / SHA-256 over der;
  fingerprint     SHA-1 as "AA:BB:..." (what certstream servers send)
  key             "rsa" or "p256";  signer: "ca" or "psc"
  size            len(der)
"""
import datetime
import hashlib
import ipaddress
import math
import random

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID, ObjectIdentifier

PSC_EKU = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.4")
POISON_OID = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.3")
BASE_TIME = 1767225600          # 2026-01-01T00:00:00Z

_SMALL = 1
for _p in range(3, 2000, 2):
    if all(_p % _q for _q in range(3, int(_p ** 0.5) + 1, 2)):
        _SMALL *= _p


def _is_probable_prime(n, rnd):
    if math.gcd(n, _SMALL) != 1 or pow(2, n - 1, n) != 1:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(16):
        a = rnd.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rnd, bits):
    c = rnd.getrandbits(bits) | (3 << (bits - 2)) | 1
    while True:
        if (c - 1) % 65537 and _is_probable_prime(c, rnd):
            return c
        c += 2


_rsa_cache = {}


def rsa_key(seed, bits=2048):
    """An RSA private key made only from `seed` (same seed, same key)."""
    k = (seed, bits)
    if k not in _rsa_cache:
        rnd = random.Random("rsa-%s-%d" % (seed, bits))
        while True:
            p, q = _prime(rnd, bits // 2), _prime(rnd, bits // 2)
            if p != q:
                break
        if p < q:
            p, q = q, p
        e = 65537
        n = p * q
        d = pow(e, -1, (p - 1) * (q - 1))
        priv = rsa.RSAPrivateNumbers(
            p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
            rsa.RSAPublicNumbers(e, n))
        _rsa_cache[k] = priv.private_key()
    return _rsa_cache[k]


def p256_key(seed):
    """A P-256 private key made only from `seed`."""
    h = hashlib.sha256(("p256-%s" % (seed,)).encode()).digest()
    return ec.derive_private_key(int.from_bytes(h, "big") % (2 ** 255) + 1,
                                 ec.SECP256R1())


def spki_der(key):
    return key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)


def _dt(t):
    return datetime.datetime.utcfromtimestamp(t)


def _ca_cert(name, key, issuer_name, issuer_key, serial, psc=False):
    b = (x509.CertificateBuilder()
         .subject_name(name).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(_dt(BASE_TIME - 86400 * 365))
         .not_valid_after(_dt(BASE_TIME + 86400 * 365 * 5))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None
                                              if not psc else 0), True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(
             key.public_key()), False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             issuer_key.public_key()), False))
    if psc:
        b = b.add_extension(x509.ExtendedKeyUsage([PSC_EKU]), False)
    return b.sign(issuer_key, hashes.SHA256())


class Pki:
    """root, ca (issuer of the leaves), psc (precert signing cert)."""

    def __init__(self, seed=1):
        self.root_key = rsa_key("root-%s" % seed)
        self.ca_key = rsa_key("ca-%s" % seed)
        self.psc_key = rsa_key("psc-%s" % seed)
        self.root_name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certstream.h tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CT Test Root")])
        self.ca_name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certstream.h tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CT Test Issuing CA")])
        self.psc_name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certstream.h tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CT Test Precert Signer")])
        self.root = _ca_cert(self.root_name, self.root_key, self.root_name,
                             self.root_key, 1)
        self.ca = _ca_cert(self.ca_name, self.ca_key, self.root_name,
                           self.root_key, 2)
        self.psc = _ca_cert(self.psc_name, self.psc_key, self.ca_name,
                            self.ca_key, 3, psc=True)
        der = serialization.Encoding.DER
        self.root_der = self.root.public_bytes(der)
        self.ca_der = self.ca.public_bytes(der)
        self.psc_der = self.psc.public_bytes(der)
        self.ca_key_hash = hashlib.sha256(spki_der(self.ca_key)).digest()


_pki_cache = {}


def pki(seed=1):
    if seed not in _pki_cache:
        _pki_cache[seed] = Pki(seed)
    return _pki_cache[seed]


# ---------------------------------------------------------------------------
# names

_WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet "
          "kilo lima mike november oscar papa quebec romeo sierra tango "
          "uniform victor whiskey xray yankee zulu mail www api cdn shop "
          "static login edge node").split()
_TLDS = ("com", "net", "org", "example", "test", "de", "io", "co.uk")
_IDNS = ("xn--bcher-kva", "xn--mnchen-3ya", "xn--80ak6aa92e", "xn--fiqs8s",
         "xn--wgbh1c", "xn--caf-dma", "xn--90ae", "xn--d1acufc")


def _name(rnd, i, j):
    r = rnd.random()
    labels = [rnd.choice(_WORDS) + str(rnd.randrange(1000))]
    if r < 0.12:
        labels[0] = rnd.choice(_IDNS)
    if rnd.random() < 0.5:
        labels.insert(0, rnd.choice(_WORDS))
    if r > 0.9:
        labels.insert(0, "*")
    return ".".join(labels) + ".e%d-%d.%s" % (i, j, rnd.choice(_TLDS))


def _long_name(rnd, i, j):
    # ~60 bytes, to reach three-byte DER lengths with fewer names
    return "%s-%s-%s-%06d.%s.e%d-%d.example" % (
        rnd.choice(_WORDS), rnd.choice(_WORDS), rnd.choice(_WORDS),
        rnd.randrange(10 ** 6), rnd.choice(_WORDS), i, j)


def _profile(i, rnd, giant_at):
    """How many names and which kinds entry i gets."""
    if i == giant_at:
        return dict(ndns=1500, long=True, cn="in", ip=1, email=1)
    if i % 97 == 50:
        return dict(ndns=1000, long=False, cn="in", ip=0, email=0)
    if i % 23 == 11:
        return dict(ndns=rnd.randrange(100, 400), long=False, cn="in",
                    ip=rnd.randrange(3), email=rnd.randrange(2))
    return dict(ndns=rnd.randrange(0 if i % 5 == 3 else 1, 6), long=False,
                cn=rnd.choice(("in", "in", "none", "out", "first")),
                ip=rnd.randrange(3) if i % 4 == 1 else 0,
                email=rnd.randrange(2) if i % 6 == 2 else 0)


def _ip(rnd):
    if rnd.random() < 0.7:
        return ipaddress.IPv4Address(rnd.getrandbits(32))
    return ipaddress.IPv6Address((0x2001 << 112) | (0xdb8 << 96) |
                                 rnd.getrandbits(64))


def make_entry(i, seed=1, giant_at=None):
    p = pki(seed)
    rnd = random.Random("entry-%s-%d" % (seed, i))
    prof = _profile(i, rnd, giant_at)
    gen = _long_name if prof["long"] else _name
    dns = []
    for j in range(prof["ndns"]):
        n = gen(rnd, i, j)
        dns.append(n)
    if dns and rnd.random() < 0.1:
        dns.append(dns[0])                      # a repeated SAN
    ips = [_ip(rnd) for _ in range(prof["ip"])]
    emails = ["user%d@%s" % (k, (dns[0] if dns else "mail.example").lstrip("*."))
              for k in range(prof["email"])]
    cn = None
    if prof["cn"] in ("in", "first") and dns:
        cn = dns[rnd.randrange(len(dns))] if prof["cn"] == "in" else dns[0]
    elif prof["cn"] == "out" or (prof["cn"] in ("in", "first") and not dns):
        cn = "cn-only-%d.%s" % (i, rnd.choice(_TLDS))
    if not dns and not ips and not emails and cn is None:
        cn = "lonely-%d.example" % i
    attrs = []
    if rnd.random() < 0.5:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"))
    if rnd.random() < 0.5:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                        "Org %d" % i))
    if cn is not None:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    subject = x509.Name(attrs)

    keykind = "p256" if rnd.random() < 0.5 else "rsa"
    leaf_key = (p256_key("leaf-%s-%d" % (seed, i)) if keykind == "p256"
                else rsa_key("leaf-%s" % seed))
    serial = rnd.getrandbits(rnd.choice((64, 127, 159))) | 1
    nb = BASE_TIME + i * 60 + rnd.randrange(60)
    na = nb + 86400 * rnd.choice((7, 47, 90, 199))
    precert = rnd.random() < 0.55
    signer = "psc" if precert and rnd.random() < 0.3 else "ca"

    sans = ([x509.DNSName(n) for n in dns] + [x509.IPAddress(a) for a in ips]
            + [x509.RFC822Name(e) for e in emails])
    if rnd.random() < 0.3:
        rnd.shuffle(sans)       # IPs and e-mails between DNS names
        dns = [g.value for g in sans if isinstance(g, x509.DNSName)]
        ips = [g.value for g in sans if isinstance(g, x509.IPAddress)]
        emails = [g.value for g in sans if isinstance(g, x509.RFC822Name)]

    def build(issuer_name, issuer_key, poison):
        b = (x509.CertificateBuilder()
             .subject_name(subject).issuer_name(issuer_name)
             .public_key(leaf_key.public_key()).serial_number(serial)
             .not_valid_before(_dt(nb)).not_valid_after(_dt(na))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                            True)
             .add_extension(x509.KeyUsage(True, False, keykind == "rsa",
                                          False, False, False, False, False,
                                          False), True)
             .add_extension(x509.ExtendedKeyUsage(
                 [ExtendedKeyUsageOID.SERVER_AUTH]), False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                 issuer_key.public_key()), False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), cn is None)
        if poison:
            b = b.add_extension(x509.PrecertPoison(), True)
        return b.sign(issuer_key, hashes.SHA256())

    der_enc = serialization.Encoding.DER
    e = {"index": i, "key": keykind, "signer": signer}
    if precert:
        if signer == "psc":
            pre = build(p.psc_name, p.psc_key, True)
            chain = [p.psc_der, p.ca_der, p.root_der]
        else:
            pre = build(p.ca_name, p.ca_key, True)
            chain = [p.ca_der, p.root_der]
        final = build(p.ca_name, p.ca_key, False)
        e.update(type="precert", der=pre.public_bytes(der_enc),
                 tbs=final.tbs_certificate_bytes,
                 issuer_key_hash=p.ca_key_hash, chain=chain)
    else:
        cert = build(p.ca_name, p.ca_key, False)
        e.update(type="x509", der=cert.public_bytes(der_enc), tbs=None,
                 issuer_key_hash=None, chain=[p.ca_der, p.root_der])
    alld = []
    for n in ([cn] if cn else []) + dns:
        if n not in alld:
            alld.append(n)
    sha1 = hashlib.sha1(e["der"]).hexdigest()
    e.update(timestamp=(BASE_TIME + 3600) * 1000 + i * 1000 + rnd.randrange(1000),
             cn=cn, san_dns=dns, san_ip=[str(a) for a in ips],
             san_email=emails, all_domains=alld, serial=serial,
             serial_hex="%X" % serial,
             serial_hex_even=("%X" % serial).zfill(
                 (len("%X" % serial) + 1) // 2 * 2),
             not_before=nb, not_after=na, sha1=sha1,
             sha256=hashlib.sha256(e["der"]).hexdigest(),
             fingerprint=":".join(sha1[k:k + 2].upper()
                                  for k in range(0, 40, 2)),
             size=len(e["der"]))
    return e


def make_entries(n, seed=1, giant_at=None, start=0):
    """Entries start..start+n-1 (each one depends only on seed and index)."""
    return [make_entry(i, seed, giant_at) for i in range(start, start + n)]


if __name__ == "__main__":
    import sys
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for e in make_entries(n, giant_at=n - 1 if n > 100 else None):
        print(e["index"], e["type"], e["signer"], e["key"], e["size"],
              e["cn"], len(e["san_dns"]), e["san_ip"], e["san_email"][:1],
              e["all_domains"][:3])
