/* test_der.c - [1h] the DER walk: hand-made certificates and TBSes with
 * every edge the walker must refuse or accept, each cut at every offset.
 * The real-data and python3-cryptography checks are test_der_diff.py. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

#if CS_HAS_CT

/* ---- a tiny DER builder ------------------------------------------------ */

typedef struct buf {
    unsigned char b[140000];
    size_t n;
} buf;

static void
put(buf *B, const void *p, size_t n)
{
    if (B->n + n > sizeof B->b)
        abort();
    memcpy(B->b + B->n, p, n);
    B->n += n;
}

/* tag + minimal length + contents */
static void
tlv(buf *B, unsigned tag, const void *c, size_t n)
{
    unsigned char h[6];
    size_t k = 0;

    h[k++] = (unsigned char)tag;
    if (n < 0x80) {
        h[k++] = (unsigned char)n;
    } else if (n < 0x100) {
        h[k++] = 0x81, h[k++] = (unsigned char)n;
    } else if (n < 0x10000) {
        h[k++] = 0x82, h[k++] = (unsigned char)(n >> 8);
        h[k++] = (unsigned char)n;
    } else {
        h[k++] = 0x83, h[k++] = (unsigned char)(n >> 16);
        h[k++] = (unsigned char)(n >> 8), h[k++] = (unsigned char)n;
    }
    put(B, h, k);
    put(B, c, n);
}

static void
wrap(buf *B, unsigned tag, const buf *in)
{
    tlv(B, tag, in->b, in->n);
}

static const unsigned char OID_CN[] = {0x55, 4, 3}, OID_C[] = {0x55, 4, 6},
                           OID_O[] = {0x55, 4, 10}, OID_ST[] = {0x55, 4, 8},
                           OID_L[] = {0x55, 4, 7}, OID_OU[] = {0x55, 4, 11};
static const unsigned char OID_EMAIL[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                          0x0d, 1,    9,    1};
static const unsigned char OID_X[] = {0x2b, 6, 1, 4, 1, 0x82, 0x37, 99};
static const unsigned char OID_ECDSA256[] = {0x2a, 0x86, 0x48, 0xce,
                                             0x3d, 4,    3,    2};
static const unsigned char OID_ECKEY[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 2, 1};

/* one RDN with one attribute, appended to a Name's contents */
static void
rdn(buf *name, const unsigned char *oid, size_t on, unsigned tag,
    const void *v, size_t vn)
{
    static buf a, s;
    a.n = 0;
    s.n = 0;
    tlv(&a, 0x06, oid, on);
    tlv(&a, tag, v, vn);
    wrap(&s, 0x30, &a);
    wrap(name, 0x31, &s);
}
#define RDN(name, oid, tag, str) \
    rdn(name, oid, sizeof oid, tag, str, strlen(str))

/* What a test certificate holds; zeroed fields take defaults. */
typedef struct spec {
    int version;              /* 0: v3 */
    const unsigned char *serial;
    size_t serial_len;
    const buf *issuer, *subject;
    unsigned nb_tag, na_tag;
    const char *nb, *na;
    const buf *exts;          /* contents of the Extensions SEQUENCE */
    int no_exts;
} spec;

static void
mk_tbs(buf *out, const spec *s)
{
    static buf t, x, y, dflt_issuer, dflt_subject;
    static const unsigned char one[] = {0x01};
    static const unsigned char key[] = {0x00, 0x04, 1, 2, 3};
    const buf *iss = s->issuer, *sub = s->subject;

    t.n = 0;
    if (s->version != 1) {
        unsigned char v[3] = {0x02, 0x01, 2};
        if (s->version)
            v[2] = (unsigned char)(s->version - 1);
        tlv(&t, 0xa0, v, 3);
    }
    if (s->serial)
        tlv(&t, 0x02, s->serial, s->serial_len);
    else
        tlv(&t, 0x02, one, 1);
    x.n = 0;
    tlv(&x, 0x06, OID_ECDSA256, sizeof OID_ECDSA256);
    wrap(&t, 0x30, &x);
    if (iss == NULL) {
        dflt_issuer.n = 0;
        RDN(&dflt_issuer, OID_C, 0x13, "US");
        RDN(&dflt_issuer, OID_O, 0x13, "Let's Encrypt");
        RDN(&dflt_issuer, OID_CN, 0x13, "R3");
        iss = &dflt_issuer;
    }
    wrap(&t, 0x30, iss);
    x.n = 0;
    tlv(&x, s->nb_tag ? s->nb_tag : 0x17, s->nb ? s->nb : "250503171319Z",
        strlen(s->nb ? s->nb : "250503171319Z"));
    tlv(&x, s->na_tag ? s->na_tag : 0x17, s->na ? s->na : "250801171318Z",
        strlen(s->na ? s->na : "250801171318Z"));
    wrap(&t, 0x30, &x);
    if (sub == NULL) {
        dflt_subject.n = 0;
        RDN(&dflt_subject, OID_CN, 0x13, "example.com");
        sub = &dflt_subject;
    }
    wrap(&t, 0x30, sub);
    x.n = 0;
    y.n = 0;
    tlv(&y, 0x06, OID_ECKEY, sizeof OID_ECKEY);
    wrap(&x, 0x30, &y);
    tlv(&x, 0x03, key, sizeof key);
    wrap(&t, 0x30, &x);
    if (!s->no_exts && s->exts != NULL) {
        x.n = 0;
        wrap(&x, 0x30, s->exts);
        wrap(&t, 0xa3, &x);
    }
    out->n = 0;
    wrap(out, 0x30, &t);
}

static void
mk_cert(buf *out, const spec *s)
{
    static buf tbs, c, a;
    static const unsigned char sig[] = {0x00, 0x30, 0x00};

    mk_tbs(&tbs, s);
    c.n = 0;
    put(&c, tbs.b, tbs.n);
    a.n = 0;
    tlv(&a, 0x06, OID_ECDSA256, sizeof OID_ECDSA256);
    wrap(&c, 0x30, &a);
    tlv(&c, 0x03, sig, sizeof sig);
    out->n = 0;
    wrap(out, 0x30, &c);
}

/* one Extension appended to an Extensions SEQUENCE's contents */
static void
ext(buf *exts, const unsigned char *oid, size_t on, int critical,
    const buf *value)
{
    static buf e;
    static const unsigned char t[] = {0xff};
    e.n = 0;
    tlv(&e, 0x06, oid, on);
    if (critical)
        tlv(&e, 0x01, t, 1);
    wrap(&e, 0x04, value);
    wrap(exts, 0x30, &e);
}

static const unsigned char OID_SAN[] = {0x55, 0x1d, 0x11},
                           OID_BC[] = {0x55, 0x1d, 0x13},
                           OID_EKU[] = {0x55, 0x1d, 0x25},
                           OID_POISON[] = {0x2b, 6, 1, 4, 1, 0xd6, 0x79, 2,
                                           4, 3},
                           OID_PCEKU[] = {0x2b, 6, 1, 4, 1, 0xd6, 0x79, 2,
                                          4, 4};

/* a SAN extension from GeneralNames contents */
static void
ext_san(buf *exts, const buf *names, int critical)
{
    static buf v;
    v.n = 0;
    wrap(&v, 0x30, names);
    ext(exts, OID_SAN, sizeof OID_SAN, critical, &v);
}

static void
ext_bc(buf *exts, int ca)
{
    static buf v, s;
    static const unsigned char t[] = {0xff};
    s.n = 0;
    v.n = 0;
    if (ca)
        tlv(&s, 0x01, t, 1);
    wrap(&v, 0x30, &s);
    ext(exts, OID_BC, sizeof OID_BC, 1, &v);
}

#define DNS(names, s) tlv(names, 0x82, s, strlen(s))

/* ---- helpers ------------------------------------------------------------ */

/* parse from an exact-size heap copy, so ASan sees any overread */
static int
parse(cs_cert *c, const unsigned char *p, size_t n, int kind)
{
    static unsigned char *keep;
    free(keep);
    keep = (unsigned char *)malloc(n ? n : 1);
    memcpy(keep, p, n);
    return cs_cert_parse(c, keep, n, kind);
}

/* all_domains joined with ',' into out */
static int
domains(const cs_cert *c, char *out, size_t cap, char *buf_, size_t bcap)
{
    cs_domains_iter it;
    const unsigned char *d;
    size_t n, o = 0;
    int r, count = 0;

    out[0] = 0;
    cs_cert_domains_init(&it, c, buf_, bcap);
    while ((r = cs_cert_domains_next(&it, &d, &n)) == 1) {
        if (o + n + 2 > cap)
            return -1000;
        if (count++)
            out[o++] = ',';
        memcpy(out + o, d, n);
        o += n;
        out[o] = 0;
    }
    return r < 0 ? r : count;
}

static int
name_text(const unsigned char *p, size_t n, int style, char *out, size_t cap)
{
    size_t k;
    return cs_name_format(p, n, style, out, cap, &k);
}

/* ---- tests -------------------------------------------------------------- */

static buf g_der, g_exts, g_names, g_sub;

static void
test_basic(void)
{
    spec s;
    cs_cert c;
    char t[512], b[64];
    size_t n;
    static const unsigned char ser[] = {0x00, 0x9a, 0x01};

    memset(&s, 0, sizeof s);
    g_names.n = 0;
    DNS(&g_names, "example.com");
    DNS(&g_names, "www.example.com");
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    ext_bc(&g_exts, 0);
    s.exts = &g_exts;
    s.serial = ser;
    s.serial_len = sizeof ser;
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(c.version == 3);
    CHECK(c.not_before == 1746292399); /* 2025-05-03T17:13:19Z */
    CHECK(c.not_after == 1754068398);
    CHECK(c.flags == CS_CERT_HAS_BC);
    CHECK(c.san_dns == 2);
    CHECK(cs_cert_serial_hex(&c, t, sizeof t, &n) == 0 && n == 4
          && strcmp(t, "9A01") == 0);
    CHECK(cs_cert_serial_hex(&c, t, 4, &n) == 0 && n == 4);
    CHECK(cs_cert_serial_hex(&c, t, 3, &n) == CS_E_BUFFER && n == 4);
    CHECK(name_text(c.issuer, c.issuer_len, CS_NAME_AGGREGATED, t, sizeof t)
              == 0
          && strcmp(t, "/C=US/CN=R3/O=Let's Encrypt") == 0);
    CHECK(name_text(c.issuer, c.issuer_len, CS_NAME_ONELINE, t, sizeof t)
              == 0
          && strcmp(t, "/C=US/O=Let's Encrypt/CN=R3") == 0);
    CHECK(cs_der_oid_text(c.sig_oid, c.sig_oid_len, t, sizeof t, &n) == 0
          && strcmp(t, "1.2.840.10045.4.3.2") == 0);
    CHECK(cs_der_oid_text(c.key_oid, c.key_oid_len, t, sizeof t, &n) == 0
          && strcmp(t, "1.2.840.10045.2.1") == 0);
    CHECK(strcmp(cs_cert_sig_name(&c), "ecdsa, sha256") == 0);
    c.sig_oid_len--;
    CHECK(strcmp(cs_cert_sig_name(&c), "unknown") == 0);
    c.sig_oid_len++;
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 2
          && strcmp(t, "example.com,www.example.com") == 0);
    /* the same TBS alone */
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(c.tbs == g_der.b || c.tbs_len == g_der.n);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == CS_E_DER_TAG);
    CHECK(parse(&c, g_der.b, g_der.n, 7) == CS_E_ARG);
}

/* every prefix fails (never reads past it), and so does every append */
static void
cut_everywhere(const buf *d, int kind)
{
    cs_cert c;
    size_t k;
    int bad = 0;
    static buf more;

    for (k = 0; k < d->n; k++)
        if (parse(&c, d->b, k, kind) == 0)
            bad++;
    CHECKF(bad == 0, "%d prefixes parsed", bad);
    more.n = 0;
    put(&more, d->b, d->n);
    put(&more, "\0", 1);
    CHECK(parse(&c, more.b, more.n, kind) == CS_E_DER_TRAILING);
}

static void
test_truncated(void)
{
    spec s;
    memset(&s, 0, sizeof s);
    g_names.n = 0;
    DNS(&g_names, "a.example");
    tlv(&g_names, 0x87, "\x0a\0\0\x01", 4);
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 1);
    ext_bc(&g_exts, 0);
    s.exts = &g_exts;
    mk_cert(&g_der, &s);
    cut_everywhere(&g_der, CS_CERT_FULL);
    mk_tbs(&g_der, &s);
    cut_everywhere(&g_der, CS_CERT_TBS);
}

static void
test_lengths(void)
{
    cs_cert c;
    spec s;
    static buf d;
    size_t i;

    memset(&s, 0, sizeof s);
    mk_tbs(&g_der, &s);
    /* the serial's 02 01 01 with its length spelled long: 02 81 01 01 */
    for (i = 0; i + 2 < g_der.n; i++)
        if (g_der.b[i] == 0x02 && g_der.b[i + 1] == 1 && g_der.b[i + 2] == 1
                && g_der.b[i - 1] != 0xa0 && g_der.b[i - 1] != 3)
            break;
    CHECK(i + 2 < g_der.n);
    d.n = 0;
    put(&d, g_der.b, i + 1);
    put(&d, "\x81\x01\x01", 3);
    put(&d, g_der.b + i + 3, g_der.n - i - 3);
    CHECK(g_der.b[1] == 0x81 && g_der.b[2] < 0xff);
    d.b[2]++;                   /* the outer length grows by one */
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_LEN_MINIMAL);
    d.b[i + 1] = 0x80;          /* indefinite */
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_INDEFINITE);
    d.b[i + 1] = 0x85;          /* five length bytes */
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_LEN_BIG);
    d.b[i + 1] = 0xff;
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_LEN_BIG);
    /* 82 00 xx: a leading zero length byte */
    d.n = 0;
    put(&d, "\x30\x82\x00\x05\x02\x01\x01\x02\x00", 9);
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_LEN_MINIMAL);
    /* the serial claims more than its parent holds */
    d.n = 0;
    put(&d, "\x30\x06\x02\x07\x01\x02\x03\x04\x05\x06\x07\x08", 12);
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_TRUNCATED);
    /* a child longer than its parent but inside the buffer */
    d.n = 0;
    put(&d, "\x30\x03\x30\x03\x02\x01\x01", 7);
    CHECK(parse(&c, d.b, d.n, CS_CERT_TBS) == CS_E_DER_TRUNCATED);
    /* high tag number form, and an empty input */
    CHECK(parse(&c, (const unsigned char *)"\x1f\x01\x00", 3, CS_CERT_TBS)
          == CS_E_DER_HIGH_TAG);
    CHECK(parse(&c, d.b, 0, CS_CERT_FULL) == CS_E_DER_TRUNCATED);
    CHECK(cs_cert_parse(&c, NULL, 0, CS_CERT_TBS) == CS_E_DER_TRUNCATED);
}

static int
time_case(unsigned tag, const char *t, int64_t *out)
{
    spec s;
    cs_cert c;
    int r;

    memset(&s, 0, sizeof s);
    s.nb_tag = tag;
    s.nb = t;
    mk_tbs(&g_der, &s);
    r = parse(&c, g_der.b, g_der.n, CS_CERT_TBS);
    *out = c.not_before;
    return r;
}

static void
test_times(void)
{
    int64_t t;

    CHECK(time_case(0x17, "700101000000Z", &t) == 0 && t == 0);
    CHECK(time_case(0x17, "500101000000Z", &t) == 0 && t == -631152000);
    CHECK(time_case(0x17, "491231235959Z", &t) == 0 && t == 2524607999);
    CHECK(time_case(0x18, "20500101000000Z", &t) == 0 && t == 2524608000);
    CHECK(time_case(0x18, "19000101000000Z", &t) == 0 && t == -2208988800);
    CHECK(time_case(0x18, "99991231235959Z", &t) == 0
          && t == 253402300799);
    CHECK(time_case(0x17, "240229120000Z", &t) == 0 && t == 1709208000);
    CHECK(time_case(0x18, "20000229000000Z", &t) == 0 && t == 951782400);
    CHECK(time_case(0x17, "230229120000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x18, "21000229000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250230000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250431000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "251301000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250001000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250100000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250101240000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250101006000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250101000060Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "2501010000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250101000000+0100", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "250101000000z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "2501010000 0Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x18, "20250101000000.5Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x18, "250101000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x17, "20250101000000Z", &t) == CS_E_DER_TIME);
    CHECK(time_case(0x13, "250101000000Z", &t) == CS_E_DER_TAG);
}

static void
test_names(void)
{
    spec s;
    cs_cert c;
    char t[512], b[64];
    cs_name_iter it;
    cs_attr a;
    static const unsigned char bmp[] = {0, 'b', 0, 'm', 0, 'p', 0x00, 0xe9,
                                        0xd8, 0x3d, 0xde, 0x00};
    static const unsigned char uni[] = {0, 0, 0, 'u', 0, 1, 0xf6, 0x00};
    static const unsigned char tel[] = {'t', 0xe9, 'l'};
    static buf s1, s2;

    /* every attribute, two CNs (the last counts), a multi-valued RDN */
    memset(&s, 0, sizeof s);
    g_sub.n = 0;
    RDN(&g_sub, OID_C, 0x13, "DE");
    RDN(&g_sub, OID_ST, 0x0c, "Bayern");
    RDN(&g_sub, OID_L, 0x0c, "M\xc3\xbcnchen");
    RDN(&g_sub, OID_O, 0x0c, "Org");
    RDN(&g_sub, OID_OU, 0x13, "Unit");
    RDN(&g_sub, OID_CN, 0x13, "first.example");
    RDN(&g_sub, OID_EMAIL, 0x16, "a@b.example");
    RDN(&g_sub, OID_X, 0x0c, "x");
    s1.n = 0;
    tlv(&s1, 0x06, OID_CN, sizeof OID_CN);
    tlv(&s1, 0x13, "last.example", 12);
    s2.n = 0;
    wrap(&s2, 0x30, &s1);
    s1.n = 0;
    tlv(&s1, 0x06, OID_O, sizeof OID_O);
    tlv(&s1, 0x02, "\x05", 1);       /* not a string */
    wrap(&s2, 0x30, &s1);
    wrap(&g_sub, 0x31, &s2);
    s.subject = &g_sub;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(name_text(c.subject, c.subject_len, CS_NAME_AGGREGATED, t,
                    sizeof t) == 0);
    CHECKF(strcmp(t, "/C=DE/CN=last.example/L=M\xc3\xbcnchen/O=Org/OU=Unit"
                     "/ST=Bayern") == 0, "%s", t);
    CHECK(name_text(c.subject, c.subject_len, CS_NAME_ONELINE, t, sizeof t)
          == 0);
    CHECKF(strcmp(t, "/C=DE/ST=Bayern/L=M\xc3\xbcnchen/O=Org/OU=Unit"
                     "/CN=first.example/emailAddress=a@b.example"
                     "/1.3.6.1.4.1.311.99=x/CN=last.example+O=#020105")
               == 0, "%s", t);
    CHECK(name_text(c.subject, c.subject_len, 9, t, sizeof t) == CS_E_ARG);
    CHECK(name_text(c.subject, c.subject_len, CS_NAME_ONELINE, t, 10)
          == CS_E_BUFFER);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 1
          && strcmp(t, "last.example") == 0);
    cs_name_iter_init(&it, c.subject, c.subject_len);
    while (cs_name_next(&it, &a) == 1 && a.id != CS_ATTR_EMAIL)
        ;
    CHECK(a.id == CS_ATTR_EMAIL && strcmp(a.name, "emailAddress") == 0
          && a.rdn == 7 && a.tag == 0x16);
    CHECK(cs_name_next(&it, &a) == 1 && a.name == NULL && a.rdn == 8);
    CHECK(cs_name_next(&it, &a) == 1 && a.id == CS_ATTR_CN && a.rdn == 9);
    CHECK(cs_name_next(&it, &a) == 1 && a.id == CS_ATTR_O && a.rdn == 9);
    CHECK(cs_name_next(&it, &a) == 0);

    /* empty subject, no SAN: nothing at all */
    g_sub.n = 0;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(c.subject_len == 0 && c.cn == NULL && c.san == NULL);
    CHECK(name_text(c.subject, c.subject_len, CS_NAME_AGGREGATED, t,
                    sizeof t) == 0 && t[0] == 0);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 0);

    /* an empty RDN SET */
    tlv(&g_sub, 0x31, "", 0);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_NAME);

    /* CN in BMPString (with a surrogate pair), Universal, Teletex */
    g_sub.n = 0;
    rdn(&g_sub, OID_CN, sizeof OID_CN, 0x1e, bmp, sizeof bmp);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 1
          && strcmp(t, "bmp\xc3\xa9\xf0\x9f\x98\x80") == 0);
    CHECK(domains(&c, t, sizeof t, b, 4) == CS_E_BUFFER);
    CHECK(domains(&c, t, sizeof t, NULL, 0) == CS_E_BUFFER);
    g_sub.n = 0;
    rdn(&g_sub, OID_CN, sizeof OID_CN, 0x1c, uni, sizeof uni);
    rdn(&g_sub, OID_O, sizeof OID_O, 0x14, tel, sizeof tel);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(name_text(c.subject, c.subject_len, CS_NAME_AGGREGATED, t,
                    sizeof t) == 0
          && strcmp(t, "/CN=u\xf0\x9f\x98\x80/O=t\xc3\xa9l") == 0);
}

static void
test_text(void)
{
    char o[64];
    size_t n;

    /* invalid UTF-8: each bad byte is U+FFFD */
    CHECK(cs_der_text(0x0c, (const unsigned char *)"a\xc0\xafz", 4, o,
                      sizeof o, &n) == 1
          && strcmp(o, "a\xef\xbf\xbd\xef\xbf\xbdz") == 0);
    CHECK(cs_der_text(0x0c, (const unsigned char *)"\xed\xa0\x80", 3, o,
                      sizeof o, &n) == 1 && n == 9);
    CHECK(cs_der_text(0x0c, (const unsigned char *)"\xf4\x90\x80\x80", 4, o,
                      sizeof o, &n) == 1);
    CHECK(cs_der_text(0x0c, (const unsigned char *)"\xe2\x82", 2, o,
                      sizeof o, &n) == 1 && n == 6);
    CHECK(cs_der_text(0x0c, (const unsigned char *)"\xf0\x9f\x98\x80", 4, o,
                      sizeof o, &n) == 0 && n == 4);
    /* PrintableString with a high byte; BMP odd and lone surrogate */
    CHECK(cs_der_text(0x13, (const unsigned char *)"a\xff", 2, o, sizeof o,
                      &n) == 1 && strcmp(o, "a\xef\xbf\xbd") == 0);
    CHECK(cs_der_text(0x1e, (const unsigned char *)"\0a\0", 3, o, sizeof o,
                      &n) == 1 && strcmp(o, "a\xef\xbf\xbd") == 0);
    CHECK(cs_der_text(0x1e, (const unsigned char *)"\xdc\x00\0b", 4, o,
                      sizeof o, &n) == 1 && strcmp(o, "\xef\xbf\xbd" "b")
          == 0);
    CHECK(cs_der_text(0x1e, (const unsigned char *)"\xd8\x00\0b", 4, o,
                      sizeof o, &n) == 1);
    CHECK(cs_der_text(0x1c, (const unsigned char *)"\0\x11\0\0", 4, o,
                      sizeof o, &n) == 1);
    CHECK(cs_der_text(0x1c, (const unsigned char *)"\0\0\0a\0", 5, o,
                      sizeof o, &n) == 1 && n == 4);
    CHECK(cs_der_text(0x14, (const unsigned char *)"\xc3\xa9", 2, o, sizeof o,
                      &n) == 0 && strcmp(o, "\xc3\xa9") == 0);
    CHECK(cs_der_text(0x14, (const unsigned char *)"\xff", 1, o, sizeof o,
                      &n) == 0 && strcmp(o, "\xc3\xbf") == 0);
    CHECK(cs_der_text(0x02, (const unsigned char *)"\x01", 1, o, sizeof o,
                      &n) == CS_E_DER_STRING);
    /* measuring, and a buffer one short */
    CHECK(cs_der_text(0x14, (const unsigned char *)"\xe9\xe9", 2, NULL, 0,
                      &n) == CS_E_BUFFER && n == 4);
    CHECK(cs_der_text(0x14, (const unsigned char *)"\xe9\xe9", 2, o, 4, &n)
          == 0 && n == 4);
    CHECK(cs_der_text(0x14, (const unsigned char *)"\xe9\xe9", 2, o, 3, &n)
          == CS_E_BUFFER && n == 4);
    /* OIDs */
    CHECK(cs_der_oid_text((const unsigned char *)"\x55\x04\x03", 3, o,
                          sizeof o, &n) == 0 && strcmp(o, "2.5.4.3") == 0);
    CHECK(cs_der_oid_text((const unsigned char *)"\x88\x37\x01", 3, o,
                          sizeof o, &n) == 0 && strcmp(o, "2.999.1") == 0);
    CHECK(cs_der_oid_text((const unsigned char *)"\x00", 1, o, sizeof o, &n)
          == 0 && strcmp(o, "0.0") == 0);
    CHECK(cs_der_oid_text((const unsigned char *)"\x55\x80\x03", 3, o,
                          sizeof o, &n) == CS_E_DER_OID);
    CHECK(cs_der_oid_text((const unsigned char *)"\x55\x84", 2, o, sizeof o,
                          &n) == CS_E_DER_OID);
    CHECK(cs_der_oid_text((const unsigned char *)"", 0, o, sizeof o, &n)
          == CS_E_DER_OID);
    CHECK(cs_der_oid_text((const unsigned char *)"\x2a\xff\xff\xff\xff\xff"
                          "\xff\xff\xff\xff\x7f", 11, o, sizeof o, &n)
          == CS_E_DER_OID);
    CHECK(cs_der_oid_text((const unsigned char *)"\x2a\x81\x80\x80\x80\x80"
                          "\x80\x80\x80\x7f", 10, o, sizeof o, &n) == 0
          && strcmp(o, "1.2.72057594037928063") == 0);
}

static void
test_san(void)
{
    spec s;
    cs_cert c;
    char t[70000], b[64];
    static char big[4096];
    cs_san_iter it;
    const unsigned char *v;
    size_t n;
    int kind, r, i;
    static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                         0,    0,    0,    0,    0, 0, 0, 1};

    memset(&s, 0, sizeof s);
    g_sub.n = 0;
    RDN(&g_sub, OID_CN, 0x13, "b.example");
    s.subject = &g_sub;
    g_names.n = 0;
    DNS(&g_names, "a.example");
    DNS(&g_names, "b.example");                   /* the CN again */
    tlv(&g_names, 0x87, "\xc0\xa8\x00\x01", 4);
    tlv(&g_names, 0x87, v6, 16);
    tlv(&g_names, 0x81, "me@a.example", 12);
    tlv(&g_names, 0x86, "https://a.example/", 18);
    tlv(&g_names, 0x88, "\x2a\x03", 2);            /* registeredID */
    DNS(&g_names, "xn--bcher-kva.example");
    DNS(&g_names, "A.example");                    /* case kept */
    DNS(&g_names, "a.example");                    /* repeat */
    DNS(&g_names, "*.a.example");
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 1);
    s.exts = &g_exts;
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(c.flags == CS_CERT_SAN_CRITICAL && c.san_dns == 6);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 5);
    CHECKF(strcmp(t, "b.example,a.example,xn--bcher-kva.example,A.example,"
                     "*.a.example") == 0, "%s", t);
    CHECK(domains(&c, t, sizeof t, NULL, 0) == 5);
    CHECK(strcmp(t, "b.example,a.example,xn--bcher-kva.example,A.example,"
                    "*.a.example") == 0);
    CHECK(domains(&c, t, sizeof t, big, sizeof big) == 5);  /* the table */
    CHECK(strcmp(t, "b.example,a.example,xn--bcher-kva.example,A.example,"
                    "*.a.example") == 0);
    cs_san_iter_init(&it, c.san, c.san_len);
    i = 0;
    while ((r = cs_san_next(&it, &kind, &v, &n)) == 1) {
        i++;
        if (i == 3) {
            CHECK(kind == CS_GN_IP && n == 4);
            CHECK(cs_ip_text(v, n, t, sizeof t, &n) == 0
                  && strcmp(t, "192.168.0.1") == 0);
        } else if (i == 4) {
            CHECK(kind == CS_GN_IP && n == 16);
            CHECK(cs_ip_text(v, n, t, sizeof t, &n) == 0
                  && strcmp(t, "2001:db8::1") == 0);
        } else if (i == 5) {
            CHECK(kind == CS_GN_EMAIL && n == 12);
        } else if (i == 6) {
            CHECK(kind == CS_GN_URI && n == 18);
        }
    }
    CHECK(r == 0 && i == 10);
    CHECK(cs_ip_text((const unsigned char *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                     "\0", 16, t, sizeof t, &n) == 0 && strcmp(t, "::") == 0);
    CHECK(cs_ip_text((const unsigned char *)"\0\1\0\0\0\1\0\0\0\0\0\0\0\1\0"
                     "\1", 16, t, sizeof t, &n) == 0
          && strcmp(t, "1:0:1::1:1") == 0);
    CHECK(cs_ip_text((const unsigned char *)"\xfe\x80\0\0\0\0\0\0\0\0\0\0\0"
                     "\0\0\0", 16, t, sizeof t, &n) == 0
          && strcmp(t, "fe80::") == 0);
    CHECK(cs_ip_text((const unsigned char *)"\1\2\3", 3, t, sizeof t, &n)
          == CS_E_ARG);

    /* a CA: the CN is not a domain */
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    ext_bc(&g_exts, 1);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(c.flags == (CS_CERT_CA | CS_CERT_HAS_BC));
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 5
          && strncmp(t, "a.example,b.example,", 20) == 0);

    /* bad entries: a 5-byte address, an unknown tag, primitive [0] */
    g_names.n = 0;
    tlv(&g_names, 0x87, "\1\2\3\4\5", 5);
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == CS_E_DER_SAN);
    g_names.n = 0;
    tlv(&g_names, 0x80, "x", 1);
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == CS_E_DER_SAN);
    /* a SAN twice */
    g_names.n = 0;
    DNS(&g_names, "a.example");
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    ext_san(&g_exts, &g_names, 0);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == CS_E_DER_EXT_DUP);
    /* an empty SAN is no error, and gives the CN only */
    g_names.n = 0;
    g_exts.n = 0;
    ext_san(&g_exts, &g_names, 0);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0 && c.san_len == 0);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 1);
}

/* 200 SANs (and 2,000), with repeats, in a certificate over 60 KB */
static void
test_huge(void)
{
    static buf names;
    spec s;
    cs_cert c;
    static char t[200000], t2[200000], big[70000];
    char b[8], d[300];
    int i, k;

    memset(&s, 0, sizeof s);
    names.n = 0;
    for (i = 0; i < 200; i++) {
        memset(d, 'a' + i % 190 % 26, 250);
        k = sprintf(d + 250, ".%d.example", i % 190);   /* 10 repeats */
        tlv(&names, 0x82, d, (size_t)(250 + k));
    }
    g_exts.n = 0;
    ext_san(&g_exts, &names, 0);
    s.exts = &g_exts;
    mk_cert(&g_der, &s);
    CHECK(g_der.n > 50000 && g_der.b[1] == 0x82);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(c.san_dns == 200);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 1 + 190);
    CHECK(sizeof big >= CS_DOMAINS_SCRATCH(&c));
    CHECK(domains(&c, t2, sizeof t2, big, sizeof big) == 1 + 190);
    CHECK(strcmp(t, t2) == 0);
    /* one byte short of the table: quadratic, the same names */
    CHECK(domains(&c, t2, sizeof t2, big, CS_DOMAINS_SCRATCH(&c) - 1)
          == 1 + 190 && strcmp(t, t2) == 0);
    names.n = 0;
    for (i = 0; i < 2000; i++) {
        k = sprintf(d, "h%d.example", i);
        tlv(&names, 0x82, d, (size_t)k);
    }
    g_exts.n = 0;
    ext_san(&g_exts, &names, 0);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 2001);
    CHECK(domains(&c, t2, sizeof t2, big, sizeof big) == 2001);
    CHECK(strcmp(t, t2) == 0);
    /* over 64 KiB: a three-byte length */
    names.n = 0;
    for (i = 0; i < 300; i++) {
        memset(d, 'q', 250);
        k = sprintf(d + 250, ".%d.example", i);
        tlv(&names, 0x82, d, (size_t)(250 + k));
    }
    g_exts.n = 0;
    ext_san(&g_exts, &names, 0);
    mk_cert(&g_der, &s);
    CHECK(g_der.n > 65536 && g_der.b[1] == 0x83);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(domains(&c, t, sizeof t, b, sizeof b) == 301);
}

static void
test_fields(void)
{
    spec s;
    cs_cert c;
    char t[64];
    size_t n;
    static buf v;

    memset(&s, 0, sizeof s);
    /* serials: zero, negative, non-minimal */
    s.serial = (const unsigned char *)"\x00";
    s.serial_len = 1;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(cs_cert_serial_hex(&c, t, sizeof t, &n) == 0
          && strcmp(t, "00") == 0);
    s.serial = (const unsigned char *)"\xff\x01";
    s.serial_len = 2;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0);
    CHECK(cs_cert_serial_hex(&c, t, sizeof t, &n) == 0
          && strcmp(t, "FF01") == 0);
    s.serial = (const unsigned char *)"\x00\x01";
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_INTEGER);
    s.serial = (const unsigned char *)"\xff\x81";
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_INTEGER);
    s.serial_len = 0;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_INTEGER);
    s.serial = NULL;
    /* versions: v1 (absent), a bad one, extensions in v1 */
    s.version = 1;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0 && c.version == 1);
    g_exts.n = 0;
    ext_bc(&g_exts, 0);
    s.exts = &g_exts;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_VERSION);
    s.version = 4;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_VERSION);
    s.version = 2;
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_VERSION);
    s.version = 0;
    /* poison and the precert-signing EKU */
    v.n = 0;
    put(&v, "\x05\x00", 2);
    g_exts.n = 0;
    ext(&g_exts, OID_POISON, sizeof OID_POISON, 1, &v);
    v.n = 0;
    put(&v, "\x30\x16\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01", 12);
    tlv(&v, 0x06, OID_PCEKU, sizeof OID_PCEKU);
    ext(&g_exts, OID_EKU, sizeof OID_EKU, 0, &v);
    mk_cert(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_FULL) == 0);
    CHECK(c.flags == (CS_CERT_POISON | CS_CERT_PRECERT_EKU));
    /* a bad BOOLEAN, a bad OID in the EKU, a BC with junk */
    v.n = 0;
    put(&v, "\x30\x03\x01\x01\x01", 5);
    g_exts.n = 0;
    ext(&g_exts, OID_BC, sizeof OID_BC, 0, &v);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_BOOLEAN);
    v.n = 0;
    put(&v, "\x30\x03\x06\x01\x80", 5);
    g_exts.n = 0;
    ext(&g_exts, OID_EKU, sizeof OID_EKU, 0, &v);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_OID);
    v.n = 0;
    put(&v, "\x30\x03\x04\x01\x00", 5);
    g_exts.n = 0;
    ext(&g_exts, OID_BC, sizeof OID_BC, 0, &v);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == CS_E_DER_EXT);
    v.n = 0;
    put(&v, "\x30\x06\x01\x01\xff\x02\x01\x00", 8);   /* CA, pathlen 0 */
    g_exts.n = 0;
    ext(&g_exts, OID_BC, sizeof OID_BC, 0, &v);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0
          && c.flags == (CS_CERT_CA | CS_CERT_HAS_BC));
    /* an unknown critical extension is kept out of the way */
    v.n = 0;
    put(&v, "\x01\x02", 2);
    g_exts.n = 0;
    ext(&g_exts, OID_X, sizeof OID_X, 1, &v);
    ext(&g_exts, OID_X, sizeof OID_X, 1, &v);
    mk_tbs(&g_der, &s);
    CHECK(parse(&c, g_der.b, g_der.n, CS_CERT_TBS) == 0 && c.exts_len > 0);
}

/* iterators given junk fail cleanly and stay failed or finished */
static void
test_iter_junk(void)
{
    cs_name_iter it;
    cs_san_iter si;
    cs_attr a;
    const unsigned char *v;
    size_t n;
    int kind;
    static const unsigned char junk[] = {0x31, 0x05, 0x30, 0x03, 0x06,
                                         0x01, 0x55};

    cs_name_iter_init(&it, junk, sizeof junk);
    CHECK(cs_name_next(&it, &a) == CS_E_DER_TRUNCATED);
    cs_name_iter_init(&it, junk + 2, 5);
    CHECK(cs_name_next(&it, &a) == CS_E_DER_TAG);
    cs_san_iter_init(&si, junk, sizeof junk);
    CHECK(cs_san_next(&si, &kind, &v, &n) == CS_E_DER_SAN);
    CHECK(cs_san_next(&si, &kind, &v, &n) == 0);
    CHECK(cs_name_find(junk, sizeof junk, CS_ATTR_CN, &a) < 0);
}

int
main(void)
{
    TEST(test_basic);
    TEST(test_truncated);
    TEST(test_lengths);
    TEST(test_times);
    TEST(test_names);
    TEST(test_text);
    TEST(test_san);
    TEST(test_huge);
    TEST(test_fields);
    TEST(test_iter_junk);
    return TEST_SUMMARY();
}
#else
int
main(void)
{
    puts("test_der: skipped (CERTSTREAM_NO_CT)");
    (void)test_cur;
    (void)test_cur_failed;
    return TEST_SUMMARY();
}
#endif
