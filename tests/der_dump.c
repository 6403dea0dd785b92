/* der_dump.c - test tool for [1h]: what cs_cert_parse() and the iterators
 * read from each certificate, one JSON line each (tests/test_der_diff.py
 * compares them with python3-cryptography and the tiles' answer key).
 *
 *   der_dump BATCH     BATCH: records of kind (1 byte: 0 certificate,
 *                      1 TBSCertificate), length (4 bytes big-endian), DER
 *
 * Each line: {"err": null or "CS_E_...", "v", "serial", "sig", "key",
 * "nb", "na", "issuer", "subject" (the aggregated texts), "issuer_all",
 * "subject_all" ([dotted OID, RDN number, text] per attribute), "oneline",
 * "ca", "bc", "poison", "pceku", "sancrit", "san" ([kind, text]), "cn",
 * "domains"}. It also checks what needs no oracle (measuring equals
 * writing, a second all_domains pass equals the first, every SAN dNSName
 * is in all_domains) and exits 1 when that fails. */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad;

/* s[0..n) as a JSON string; bytes over 0x7F as they are when utf8, else
 * each as \u00XX (IA5 fields are bytes, taken as Latin-1) */
static void
jstr(const void *p, size_t n, int utf8)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i;

    putchar('"');
    for (i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
            printf("\\u%04x", c);
        else
            putchar((int)c);
    }
    putchar('"');
}

static void
oid(const unsigned char *o, size_t n)
{
    char t[256];
    size_t k;

    if (cs_der_oid_text(o, n, t, sizeof t, &k) != 0)
        strcpy(t, "?");
    jstr(t, strlen(t), 1);
}

static void
name_all(const unsigned char *name, size_t len)
{
    cs_name_iter it;
    cs_attr a;
    char t[70000];
    size_t k, m;
    int first = 1, r;

    putchar('[');
    cs_name_iter_init(&it, name, len);
    while (cs_name_next(&it, &a) == 1) {
        printf(first ? "[" : ",[");
        first = 0;
        oid(a.oid, a.oid_len);
        printf(",%u,", a.rdn);
        r = cs_der_text(a.tag, a.val, a.val_len, t, sizeof t, &k);
        if (r == CS_E_DER_STRING) {
            size_t i;
            k = 0;
            t[k++] = '#';
            for (i = 0; i < a.val_len && k + 3 < sizeof t; i++)
                k += (size_t)sprintf(t + k, "%02X", a.val[i]);
        } else if (cs_der_text(a.tag, a.val, a.val_len, NULL, 0, &m) < -1000
                   || m != k) {
            fprintf(stderr, "der_dump: measuring differs from writing\n");
            bad = 1;
        }
        jstr(t, k, 1);
        printf(",%u]", a.tag);
    }
    putchar(']');
}

static void
name_agg(const unsigned char *name, size_t len, int style)
{
    char t[70000];
    size_t k, m;

    if (cs_name_format(name, len, style, t, sizeof t, &k) != 0) {
        printf("null");
        return;
    }
    if (cs_name_format(name, len, style, NULL, 0, &m)
            != (k ? CS_E_BUFFER : 0) || m != k) {
        fprintf(stderr, "der_dump: measured name differs\n");
        bad = 1;
    }
    jstr(t, k, 1);
}

/* all_domains as JSON; returns the count */
static int
domains(const cs_cert *c, int print)
{
    cs_domains_iter it;
    const unsigned char *d;
    size_t n;
    static char buf[1 << 20];
    int r, count = 0;

    /* print: with the table; the check pass: quadratic */
    cs_cert_domains_init(&it, c, buf, print ? sizeof buf : 256);
    if (print)
        putchar('[');
    while ((r = cs_cert_domains_next(&it, &d, &n)) == 1) {
        if (print) {
            if (count)
                putchar(',');
            size_t m;
            jstr(d, n, cs_der_text(0x0c, d, n, NULL, 0, &m) != 1);
        }
        count++;
    }
    if (print)
        putchar(']');
    if (r != 0) {
        fprintf(stderr, "der_dump: all_domains failed: %d\n", r);
        bad = 1;
    }
    return count;
}

static void
dump(const unsigned char *der, size_t len, int kind)
{
    static const char *const kinds[8] = {"", "email", "dns", "", "", "",
                                         "uri", "ip"};
    cs_cert c;
    cs_san_iter si;
    const unsigned char *v;
    size_t n;
    char t[256];
    int r, k, first = 1, nd;

    r = cs_cert_parse(&c, der, len, kind);
    if (r != 0) {
        printf("{\"err\":\"%s\"}\n", cs_errname(r));
        return;
    }
    printf("{\"err\":null,\"v\":%u,\"serial\":", c.version);
    cs_cert_serial_hex(&c, t, sizeof t, &n);
    jstr(t, n, 1);
    printf(",\"sig\":");
    oid(c.sig_oid, c.sig_oid_len);
    printf(",\"signame\":\"%s\",\"key\":", cs_cert_sig_name(&c));
    oid(c.key_oid, c.key_oid_len);
    printf(",\"nb\":%lld,\"na\":%lld,\"issuer\":", (long long)c.not_before,
           (long long)c.not_after);
    name_agg(c.issuer, c.issuer_len, CS_NAME_AGGREGATED);
    printf(",\"subject\":");
    name_agg(c.subject, c.subject_len, CS_NAME_AGGREGATED);
    printf(",\"oneline\":");
    name_agg(c.subject, c.subject_len, CS_NAME_ONELINE);
    printf(",\"issuer_all\":");
    name_all(c.issuer, c.issuer_len);
    printf(",\"subject_all\":");
    name_all(c.subject, c.subject_len);
    printf(",\"ca\":%s,\"bc\":%s,\"poison\":%s,\"pceku\":%s,\"sancrit\":%s",
           c.flags & CS_CERT_CA ? "true" : "false",
           c.flags & CS_CERT_HAS_BC ? "true" : "false",
           c.flags & CS_CERT_POISON ? "true" : "false",
           c.flags & CS_CERT_PRECERT_EKU ? "true" : "false",
           c.flags & CS_CERT_SAN_CRITICAL ? "true" : "false");
    printf(",\"has_san\":%s,\"san\":[", c.san ? "true" : "false");
    cs_san_iter_init(&si, c.san, c.san_len);
    while (cs_san_next(&si, &k, &v, &n) == 1) {
        printf(first ? "[\"%s\"," : ",[\"%s\",", kinds[k]);
        first = 0;
        if (k == CS_GN_IP) {
            cs_ip_text(v, n, t, sizeof t, &n);
            jstr(t, n, 1);
        } else {
            size_t m;
            jstr(v, n, cs_der_text(0x0c, v, n, NULL, 0, &m) != 1);
        }
        putchar(']');
    }
    printf("],\"cn\":");
    if (c.cn == NULL) {
        printf("null");
    } else {
        static char cn[70000];
        cs_der_text(c.cn_tag, c.cn, c.cn_len, cn, sizeof cn, &n);
        jstr(cn, n, 1);
    }
    printf(",\"domains\":");
    nd = domains(&c, 1);
    if (domains(&c, 0) != nd || nd > (int)c.san_dns + 1) {
        fprintf(stderr, "der_dump: all_domains differ between passes\n");
        bad = 1;
    }
    printf("}\n");
}

int
main(int argc, char **argv)
{
    FILE *f;
    unsigned char h[5], *der;
    size_t len;

    if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: der_dump BATCH\n");
        return 2;
    }
    while (fread(h, 1, 5, f) == 5) {
        len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8
              | h[4];
        der = (unsigned char *)malloc(len ? len : 1);
        if (der == NULL || fread(der, 1, len, f) != len) {
            fprintf(stderr, "der_dump: short record\n");
            return 2;
        }
        dump(der, len, h[0]);
        free(der);
    }
    fclose(f);
    return bad;
}
