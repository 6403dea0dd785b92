/* fuzz_der.c - libFuzzer target for [1h]: cs_cert_parse() and everything
 * that reads a parsed certificate.
 *
 * Input layout: 1 control byte, then the DER (at most 256 KiB).
 *   [0]    bit 0: kind (CS_CERT_FULL / CS_CERT_TBS); bits 1-3: the size
 *          of the all_domains scratch (0, 1, 7, 64, 256, 1024, 16 KiB,
 *          1 MiB: no room for a converted CN, no table, a table).
 * The DER is copied to an exact-size heap buffer, so ASan catches any
 * read past it.
 *
 * Checks; any failure prints what went wrong and calls abort():
 *   1. cs_cert_parse() returns 0 or a CS_E_DER_* code; on 0 every slice
 *      lies inside the input and the dates are in range.
 *   2. On a parsed certificate the iterators never fail: both Names and
 *      the SANs iterate to 0; cs_name_format() (both styles) and
 *      cs_cert_serial_hex() measure what they write, and write valid
 *      UTF-8 of that length; the SAN's dNSName count is san_dns.
 *   3. all_domains, run twice, gives the same list, and that list equals
 *      a slow model built here from the iterators: the last CN as text
 *      (when not empty and not CA), then each dNSName not seen before;
 *      CS_DOMAINS_SCRATCH bytes are enough for the CN and the table.
 *   4. The iterators and cs_der_text() on the raw input (as a Name, as
 *      GeneralNames, as each string type) stay inside it and never
 *      return anything but 1, 0, or an error code.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_IN (256 * 1024)
#define FZ_MAX_DOM 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_der: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

static const unsigned char *fz_lo, *fz_hi;

static void
fz_in(const void *p, size_t n, const char *what)
{
    const unsigned char *q = (const unsigned char *)p;
    if (n == 0)
        return;
    if (q < fz_lo || q > fz_hi || n > (size_t)(fz_hi - q))
        fz_fail("%s: slice outside the input", what);
}

/* valid UTF-8 (U+0000 allowed), n bytes, a NUL after them */
static void
fz_utf8(const char *s, size_t n, const char *what)
{
    size_t m;
    if (s[n] != '\0')
        fz_fail("%s: no NUL after %zu bytes", what, n);
    if (n && cs_der_text(0x0c, (const unsigned char *)s, n, NULL, 0, &m)
                 != CS_E_BUFFER)
        fz_fail("%s: not valid UTF-8", what);
}

static void
fz_name(const unsigned char *p, size_t n, int must)
{
    static char out[8 * FZ_MAX_IN];
    cs_name_iter it;
    cs_attr a;
    size_t k, m;
    int r, s;

    cs_name_iter_init(&it, p, n);
    while ((r = cs_name_next(&it, &a)) == 1) {
        fz_in(a.oid, a.oid_len, "attribute type");
        fz_in(a.val, a.val_len, "attribute value");
    }
    if (r < -169 || r > 0 || (must && r != 0))
        fz_fail("cs_name_next: %d", r);
    for (s = 0; s < 2; s++) {
        r = cs_name_format(p, n, s, out, sizeof out, &k);
        if (r != 0) {
            if (must)
                fz_fail("cs_name_format(%d): %d", s, r);
            continue;
        }
        fz_utf8(out, k, "cs_name_format");
        if (cs_name_format(p, n, s, NULL, 0, &m) != (k ? CS_E_BUFFER : 0)
                || m != k)
            fz_fail("cs_name_format(%d) measured %zu, wrote %zu", s, m, k);
    }
}

/* the slow model of all_domains */
static size_t
fz_model(const cs_cert *c, const unsigned char **d, size_t *dn,
         char *cnbuf, size_t cap)
{
    cs_san_iter si;
    const unsigned char *v;
    size_t n, k, i, j;
    int kind;

    k = 0;
    if (c->cn != NULL && !(c->flags & CS_CERT_CA)) {
        if (cs_der_text(c->cn_tag, c->cn, c->cn_len, cnbuf, cap, &n) < 0)
            fz_fail("CN text");
        if (n > 0) {
            d[k] = (const unsigned char *)cnbuf;
            dn[k++] = n;
        }
    }
    cs_san_iter_init(&si, c->san, c->san_len);
    while (cs_san_next(&si, &kind, &v, &n) == 1) {
        if (kind != CS_GN_DNS)
            continue;
        for (i = 0, j = 0; i < k && !j; i++)
            j = dn[i] == n && memcmp(d[i], v, n) == 0;
        if (!j) {
            d[k] = v;
            dn[k++] = n;
        }
    }
    return k;
}

static void
fz_domains(const cs_cert *c, size_t cap)
{
    static const unsigned char *md[FZ_MAX_IN], *d1[FZ_MAX_IN];
    static size_t mn[FZ_MAX_IN], n1[FZ_MAX_IN];
    static char buf[1 << 20], mbuf[8 * FZ_MAX_IN];
    cs_domains_iter it;
    const unsigned char *d;
    size_t n, k = 0, mk, i;
    int r, pass;

    for (pass = 0; pass < 2; pass++) {
        cs_cert_domains_init(&it, c, cap ? buf : NULL, cap);
        if (cap >= CS_DOMAINS_SCRATCH(c) && (it.err != 0 || it.slots == 0))
            fz_fail("CS_DOMAINS_SCRATCH (%zu) is not enough",
                    CS_DOMAINS_SCRATCH(c));
        i = 0;
        while ((r = cs_cert_domains_next(&it, &d, &n)) == 1) {
            if (pass == 0) {
                if (i >= FZ_MAX_IN)
                    fz_fail("too many domains");
                d1[i] = d;
                n1[i] = n;
            } else if (i >= k || n1[i] != n || memcmp(d1[i], d, n) != 0) {
                fz_fail("all_domains differs on the second pass at %zu", i);
            }
            i++;
        }
        if (r == CS_E_BUFFER) {
            size_t need;
            if (cs_der_text(c->cn_tag, c->cn, c->cn_len, NULL, 0, &need)
                    != CS_E_BUFFER || need <= cap || i != 0)
                fz_fail("CS_E_BUFFER with a CN of %zu bytes, cap %zu", need,
                        cap);
            return;
        }
        if (r != 0)
            fz_fail("cs_cert_domains_next: %d", r);
        if (pass == 0)
            k = i;
        else if (i != k)
            fz_fail("all_domains: %zu then %zu", k, i);
    }
    mk = fz_model(c, md, mn, mbuf, sizeof mbuf);
    if (mk != k)
        fz_fail("all_domains: %zu names, the model %zu", k, mk);
    for (i = 0; i < k; i++)
        if (mn[i] != n1[i] || memcmp(md[i], d1[i], mn[i]) != 0)
            fz_fail("all_domains[%zu] differs from the model", i);
}

static void
fz_cert(const cs_cert *c, size_t cap)
{
    static char out[2 * FZ_MAX_IN + 2];
    cs_san_iter si;
    const unsigned char *v;
    size_t n, m;
    unsigned dns = 0;
    int kind, r;

    fz_in(c->tbs, c->tbs_len, "tbs");
    fz_in(c->serial, c->serial_len, "serial");
    fz_in(c->sig_oid, c->sig_oid_len, "sig_oid");
    fz_in(c->issuer, c->issuer_len, "issuer");
    fz_in(c->subject, c->subject_len, "subject");
    fz_in(c->key_oid, c->key_oid_len, "key_oid");
    fz_in(c->exts, c->exts_len, "exts");
    fz_in(c->san, c->san_len, "san");
    fz_in(c->cn, c->cn_len, "cn");
    if (c->version < 1 || c->version > 3 || c->serial_len == 0)
        fz_fail("version %u, serial %zu", c->version, c->serial_len);
    if (c->not_before < -62167219200LL || c->not_before > 253402300799LL
            || c->not_after < -62167219200LL
            || c->not_after > 253402300799LL)
        fz_fail("dates out of range");
    fz_name(c->issuer, c->issuer_len, 1);
    fz_name(c->subject, c->subject_len, 1);
    if (cs_cert_serial_hex(c, out, sizeof out, &n) != 0 || n % 2
            || cs_cert_serial_hex(c, NULL, 0, &m) != CS_E_BUFFER || m != n)
        fz_fail("serial hex");
    fz_utf8(out, n, "serial hex");
    cs_san_iter_init(&si, c->san, c->san_len);
    while ((r = cs_san_next(&si, &kind, &v, &n)) == 1) {
        fz_in(v, n, "SAN entry");
        dns += kind == CS_GN_DNS;
        if (kind == CS_GN_IP
                && (cs_ip_text(v, n, out, sizeof out, &m) != 0
                    || strlen(out) != m || m < 2))
            fz_fail("IP text");
    }
    if (r != 0 || dns != c->san_dns)
        fz_fail("SAN: %d, %u dNSNames, san_dns %u", r, dns, c->san_dns);
    fz_domains(c, cap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[8] = {0, 1, 7, 64, 256, 1024, 16384, 1 << 20};
    static char out[8 * FZ_MAX_IN];
    unsigned char *p;
    size_t n, k, m;
    cs_cert c;
    cs_san_iter si;
    const unsigned char *v;
    int r, kind, t;
    static const unsigned tags[8] = {0x0c, 0x12, 0x13, 0x14,
                                     0x16, 0x1a, 0x1c, 0x1e};

    if (size < 1 || size - 1 > FZ_MAX_IN)
        return 0;
    n = size - 1;
    p = (unsigned char *)malloc(n ? n : 1);
    if (p == NULL)
        abort();
    memcpy(p, data + 1, n);
    fz_lo = p;
    fz_hi = p + n;

    /* 1-3: the certificate */
    r = cs_cert_parse(&c, p, n, data[0] & 1);
    if (r == 0)
        fz_cert(&c, caps[(data[0] >> 1) & 7]);
    else if (r < -169 || r > -150)
        fz_fail("cs_cert_parse: %d", r);

    /* 4: the readers on raw bytes */
    fz_name(p, n, 0);
    cs_san_iter_init(&si, p, n);
    while ((r = cs_san_next(&si, &kind, &v, &k)) == 1)
        fz_in(v, k, "raw SAN entry");
    if (r > 0 || r < -169)
        fz_fail("raw cs_san_next: %d", r);
    for (t = 0; t < 8 && n <= 4096; t++) {
        r = cs_der_text(tags[t], p, n, out, sizeof out, &k);
        if (r < 0 || r > 1)
            fz_fail("cs_der_text(%#x): %d", tags[t], r);
        fz_utf8(out, k, "cs_der_text");
        if (cs_der_text(tags[t], p, n, NULL, 0, &m) != (k ? CS_E_BUFFER : r)
                || m != k)
            fz_fail("cs_der_text(%#x) measured %zu, wrote %zu", tags[t], m,
                    k);
    }
    if (n <= 64 && cs_der_oid_text(p, n, out, sizeof out, &k) == 0)
        fz_utf8(out, k, "cs_der_oid_text");
    free(p);
    return 0;
}
