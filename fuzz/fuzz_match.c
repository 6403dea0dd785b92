/* fuzz_match.c - libFuzzer target for the watchlist compiler and matcher
 * (cs_match_size, cs_match_compile, cs_match_name).
 *
 * Input layout: 1 control byte, then patterns and names (at most 8 KiB):
 *   [0]    bit 0: CS_MATCH_CONFUSABLES; bit 1: names get ids with room
 *          for 1 id only (the count must not change); bits 2-4: the
 *          misalignment of the set's memory (0..7).
 *   rest   patterns, one a line, up to the first 0x00 byte; then names,
 *          one a line. (A pattern holding 0x00 cannot be written: the API
 *          takes C strings.)
 *
 * Checks; any failure prints what went wrong and calls abort():
 *   1. cs_match_size() and cs_match_compile() agree: both fail with the
 *      same code and index, or the set compiles into exactly the size.
 *      The first bad pattern is the first one that fails alone.
 *   2. Every name's answer equals a slow reference written here: each
 *      pattern tried on its own against each form of the name (the name
 *      with "*." and a trailing dot dropped, folded; its Unicode form;
 *      its look-alike skeleton, keywords only) with memmem-style keyword
 *      search, a suffix test on label boundaries and a dynamic-programming
 *      glob matcher; any exclusion hit makes it no match. (The forms are
 *      the library's own, cs__municode and cs__mskeleton: the Python
 *      reference, tests/test_match_ref.py, checks those independently.)
 *   3. The same name asked twice, with a small ids array, and against a
 *      tight copy (cs_match_copy) at another alignment: the same.
 * Build: -I<repo root>.
 */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 1
#define FZ_MAX_IN 8192
#define FZ_MAX_PATS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_fail(const char *what, size_t i)
{
    fprintf(stderr, "fuzz_match: %s (%zu)\n", what, i);
    abort();
}

/* Reference glob: row DP over the pattern, O(pn * sn), no shortcuts. */
static int
ref_glob(const unsigned char *p, size_t pn, const unsigned char *s,
         size_t sn)
{
    static unsigned char row[CS_MATCH_PATTERN_MAX + 2],
        nrow[CS_MATCH_PATTERN_MAX + 2];
    size_t i, k;

    memset(row, 0, pn + 1);
    row[0] = 1;
    for (k = 0; k < pn && p[k] == '*'; k++)
        row[k + 1] = 1;
    for (i = 0; i < sn; i++) {
        unsigned char c = s[i] >= 'A' && s[i] <= 'Z' ? (unsigned char)(s[i]
                                                                  + 32)
                                                     : s[i];
        memset(nrow, 0, pn + 1);
        for (k = 1; k <= pn; k++) {
            if (p[k - 1] == '*')
                nrow[k] = (unsigned char)(nrow[k - 1] | row[k]);
            else if (p[k - 1] == '?' || p[k - 1] == c)
                nrow[k] = row[k - 1];
        }
        memcpy(row, nrow, pn + 1);
    }
    return row[pn];
}

static int
ref_has(const unsigned char *s, size_t sn, const unsigned char *k, size_t kn)
{
    size_t i, j;

    for (i = 0; i + kn <= sn; i++) {
        for (j = 0; j < kn; j++) {
            unsigned char c = s[i + j];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            if (c != k[j])
                break;
        }
        if (j == kn)
            return 1;
    }
    return 0;
}

typedef struct ref_pat {
    int kind, excl;
    size_t len;
    unsigned char body[CS_MATCH_PATTERN_MAX + 1];
} ref_pat;

static ref_pat fz_pats[FZ_MAX_PATS];

static int
ref_one(const ref_pat *p, const unsigned char *s, size_t sn, int pass)
{
    if (pass == 2 && p->kind != CS_MATCH_KEYWORD)
        return 0;
    if (p->kind == CS_MATCH_KEYWORD)
        return ref_has(s, sn, p->body, p->len);
    if (p->kind == CS_MATCH_NAME) {
        /* s == body, or s ends with "." + body */
        if (sn < p->len || !ref_has(s + sn - p->len, p->len, p->body, p->len))
            return 0;
        return sn == p->len || s[sn - p->len - 1] == '.';
    }
    return ref_glob(p->body, p->len, s, sn);
}

/* The reference answer: a bit per pattern in want[]; returns the count,
 * or 0 when an exclusion hit. */
static int
ref_match(size_t np, const unsigned char *s, size_t sn, unsigned flags,
          unsigned char *want)
{
    static unsigned char form[CS_MATCH_NAME_MAX], skel[CS_MATCH_NAME_MAX];
    const unsigned char *forms[3];
    size_t fl[3], nf = 1, f, i;
    int n = 0;

    if (sn >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        sn -= 2;
    }
    if (sn > 0 && s[sn - 1] == '.')
        sn--;
    forms[0] = s;
    fl[0] = sn;
    if ((fl[1] = cs__municode(s, sn, form)) > 0) {
        forms[nf++] = form;
        if (flags & CS_MATCH_CONFUSABLES) {
            fl[2] = cs__mskeleton(form, fl[1], skel);
            forms[nf++] = skel;
        }
    }
    memset(want, 0, np);
    for (f = 0; f < nf; f++)
        for (i = 0; i < np; i++)
            if (!want[i] && ref_one(&fz_pats[i], forms[f], fl[f], (int)f)) {
                if (fz_pats[i].excl) {
                    memset(want, 0, np);
                    return 0;
                }
                want[i] = 1;
            }
    for (i = 0; i < np; i++)
        n += want[i];
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[FZ_MAX_IN + 1];
    static const char *pats[FZ_MAX_PATS];
    static cs__mkey k;
    static unsigned char want[FZ_MAX_PATS];
    uint32_t ids[FZ_MAX_PATS], ids2[FZ_MAX_PATS];
    unsigned flags;
    size_t n, np = 0, i, sz = 0, bad = 0, bad2 = 0, a, b, shift;
    unsigned char *mem, *mem2;
    cs_match *m, *m2;
    int e, e2, c, c2, r;
    char *p, *names, *end;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    flags = data[0] & 1 ? CS_MATCH_CONFUSABLES : 0;
    shift = (size_t)(data[0] >> 2 & 7);
    n = size - FZ_HDR;
    memcpy(text, data + FZ_HDR, n);
    text[n] = 0;
    names = text + strlen(text);            /* the first 0x00, or the end */
    end = text + n;
    for (p = text; p < names && np < FZ_MAX_PATS;) {
        char *nl = strchr(p, '\n');
        if (nl != NULL && nl < names)
            *nl = 0;
        pats[np++] = p;
        if (nl == NULL || nl >= names)
            break;
        p = nl + 1;
    }

    /* 1. sizing, compiling, the first bad pattern */
    e = cs_match_size(pats, np, flags, &sz, &bad);
    for (i = 0; i < np; i++)
        if ((e2 = cs__mkey_scan(pats[i], &k)) != 0)
            break;
    if (e != 0 && (i == np || e2 != e || bad != i))
        fz_fail("cs_match_size: not the first bad pattern", bad);
    if (e == 0 && i != np)
        fz_fail("cs_match_size: a bad pattern passed", i);
    mem = (unsigned char *)malloc(sz + 16);
    mem2 = (unsigned char *)malloc(sz + 16);
    if (mem == NULL || mem2 == NULL)
        abort();
    m = cs_match_compile(mem + shift, sz, pats, np, flags, &e2, &bad2);
    if (e != 0) {
        if (m != NULL || e2 != e || bad2 != bad)
            fz_fail("cs_match_compile disagrees with cs_match_size", bad2);
        free(mem);
        free(mem2);
        return 0;
    }
    if (m == NULL || e2 != 0)
        fz_fail("cs_match_compile failed in the size given", (size_t)-e2);
    if (cs_match_used(m) > sz)
        fz_fail("cs_match_used() over cs_match_size()", cs_match_used(m));
    m2 = cs_match_copy(mem2 + 7 - shift, cs_match_used(m), m);
    if (m2 == NULL)
        fz_fail("cs_match_copy failed in cs_match_used() bytes", 0);
    for (i = 0; i < np; i++) {
        (void)cs__mkey_scan(pats[i], &k);
        fz_pats[i].kind = k.kind;
        fz_pats[i].excl = k.excl;
        fz_pats[i].len = k.blen;          /* the folded body */
        memcpy(fz_pats[i].body, k.buf + 1, k.blen);
    }

    /* 2, 3. every name */
    for (p = names < end ? names + 1 : end; p <= end;) {
        char *nl = (char *)memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        c = cs_match_name(m, p, len, ids, FZ_MAX_PATS);
        r = ref_match(np, (const unsigned char *)p, len, flags, want);
        if (c != r)
            fz_fail("count differs from the reference", (size_t)c);
        for (a = 0, b = 0; a < np; a++)
            if (want[a]) {
                if (ids[b] != a)
                    fz_fail("ids differ from the reference", a);
                b++;
            }
        c2 = cs_match_name(m, p, len, ids2, FZ_MAX_PATS);
        if (c2 != c || memcmp(ids, ids2, (size_t)c * sizeof *ids) != 0)
            fz_fail("asked twice, answered differently", 0);
        c2 = cs_match_name(m2, p, len, ids2, data[0] & 2 ? 1 : FZ_MAX_PATS);
        if (c2 != c || (c > 0 && ids2[0] != ids[0]))
            fz_fail("the second copy answers differently", 0);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    free(mem);
    free(mem2);
    return 0;
}
