/* ref_json.h - a slow reference model of the cs_json extractor, for the
 * fuzzers only.
 *
 * Written from the contract in certstream.h (the cs_msg comment, the
 * CS_E_JSON_* list, RFC 8259 and RFC 3629), not from the implementation:
 * a plain recursive-descent parser over the whole message, which decodes
 * every string in full and converts numbers with strtod(). fuzz_json.c
 * compares the extractor against it; a difference is a bug in one of the
 * two, so read both before blaming certstream.h.
 *
 * The error rules it encodes (first offending byte, as a streaming parser
 * sees it; offsets count from the start of the message):
 *   CS_E_JSON_SYNTAX      a byte that cannot start/continue the structure
 *   CS_E_JSON_TRAILING    a non-whitespace byte after the top value
 *   CS_E_JSON_DEPTH       the '{' or '[' that would open level MAX_DEPTH+1
 *   CS_E_JSON_CONTROL     a raw byte < 0x20 inside a string
 *   CS_E_JSON_ESCAPE      the byte after '\' (or inside \uXXXX) that is wrong
 *   CS_E_JSON_UTF8        the first byte that breaks RFC 3629 UTF-8
 *   CS_E_JSON_NUMBER      the byte where the number grammar fails
 *   CS_E_JSON_LITERAL     the first misspelled byte of true/false/null
 *   CS_E_JSON_INCOMPLETE  at the message length: input ended inside a value
 *   CS_E_JSON_NOT_OBJECT  valid JSON whose top value is not {}: at the
 *                         top value's first byte (since 9b2e97a; was 0)
 * Fields, when the message is valid (documented in cs_msg):
 *   - a field's value replaces the earlier one: its has/bad/trunc bits are
 *     cleared first (for "data": every field under it; for anything that
 *     holds the domain list: the list too);
 *   - null is absent; a wrong JSON type sets the bad bit(s);
 *   - list elements that are not strings set bad CS_F_DOMAINS;
 *   - cert_index: digits only (no '-', fraction or exponent), < 2^64;
 *   - texts cut to CS_JSON_STR_MAX bytes at a character boundary;
 *   - a domain is stored when its name, its NUL and one more 4-byte index
 *     entry still fit the storage, else only counted (trunc bit);
 *   - leaf_cert.fingerprint, .sha1, .sha256: each last value is a digest
 *     (2n hex digits, or n hex pairs joined by single ':', either case),
 *     absent (null) or bad; sha1 is .sha1 when good, else .fingerprint,
 *     bad when neither is good and one was not absent.
 */
#ifndef REF_JSON_H
#define REF_JSON_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { REF_SKIP, REF_ROOT, REF_DATA, REF_SOURCE, REF_LEAF };
enum {
    RF_NONE, RF_TOP, RF_TYPE, RF_DATA, RF_TIMESTAMP, RF_CERT_INDEX, RF_SEEN,
    RF_SOURCE, RF_LEAF, RF_URL, RF_NAME, RF_ALL_DOMAINS, RF_DOMAIN,
    RF_FP, RF_SHA1, RF_SHA256
};
enum { RK_NULL, RK_BOOL, RK_NUM, RK_STR, RK_OBJ, RK_ARR };

typedef struct ref_text {
    size_t len;
    unsigned char buf[CS_JSON_STR_MAX + 1];
} ref_text;

typedef struct ref_json {
    const unsigned char *p;
    size_t n, i;
    int err;
    uint64_t err_off;
    int root_is_object;
    /* results */
    int type;
    unsigned has, bad, trunc;
    uint64_t cert_index;
    double seen, timestamp;
    ref_text type_name, url, name;
    int dg[3];                /* fingerprint, sha1, sha256: 0 absent,
                                 1 good (in dv), -1 bad */
    unsigned char dv[3][32];
    unsigned char sha1[20], sha256[32];
    size_t dom_cap;           /* the extractor's storage size */
    unsigned char *dbuf;      /* stored names, each followed by NUL */
    size_t *doff;             /* offset of name k in dbuf */
    size_t dmax;              /* room in doff */
    size_t dused, dcount, dtotal;
    /* one decoded string */
    unsigned char *s;
    size_t slen;
} ref_json;

static int
ref_fail(ref_json *r, int err, size_t at)
{
    if (r->err == 0) {
        r->err = err;
        r->err_off = (uint64_t)at;
    }
    return r->err;
}

static int
ref_is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
ref_skip_ws(ref_json *r)
{
    while (r->i < r->n && ref_is_ws(r->p[r->i]))
        r->i++;
}

static int
ref_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void
ref_put(ref_json *r, unsigned char c)
{
    r->s[r->slen++] = c;
}

static void
ref_put_cp(ref_json *r, unsigned long cp)
{
    if (cp < 0x80) {
        ref_put(r, (unsigned char)cp);
    } else if (cp < 0x800) {
        ref_put(r, (unsigned char)(0xc0 | (cp >> 6)));
        ref_put(r, (unsigned char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        ref_put(r, (unsigned char)(0xe0 | (cp >> 12)));
        ref_put(r, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
        ref_put(r, (unsigned char)(0x80 | (cp & 0x3f)));
    } else {
        ref_put(r, (unsigned char)(0xf0 | (cp >> 18)));
        ref_put(r, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
        ref_put(r, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
        ref_put(r, (unsigned char)(0x80 | (cp & 0x3f)));
    }
}

/* Four hex digits after "\u"; r->i at the first. */
static int
ref_hex4(ref_json *r, unsigned long *u)
{
    int k;

    *u = 0;
    for (k = 0; k < 4; k++) {
        int h;
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        h = ref_hex(r->p[r->i]);
        if (h < 0)
            return ref_fail(r, CS_E_JSON_ESCAPE, r->i);
        *u = (*u << 4) | (unsigned long)h;
        r->i++;
    }
    return 0;
}

/* A string; r->i at the opening quote. Decoded into r->s[0..slen). */
static int
ref_string(ref_json *r)
{
    unsigned long hi = 0; /* pending high surrogate */

    r->slen = 0;
    r->i++;
    for (;;) {
        unsigned char c;
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        c = r->p[r->i];
        if (c == '\\') {
            r->i++;
            if (r->i >= r->n)
                return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
            c = r->p[r->i];
            if (c == 'u') {
                unsigned long u;
                r->i++;
                if (ref_hex4(r, &u) != 0)
                    return r->err;
                if (hi != 0) {
                    if (u >= 0xdc00 && u <= 0xdfff) {
                        ref_put_cp(r, 0x10000 + ((hi - 0xd800) << 10)
                                          + (u - 0xdc00));
                        hi = 0;
                        continue;
                    }
                    ref_put_cp(r, 0xfffd);
                    hi = 0;
                }
                if (u >= 0xd800 && u <= 0xdbff)
                    hi = u;
                else if (u >= 0xdc00 && u <= 0xdfff)
                    ref_put_cp(r, 0xfffd);
                else
                    ref_put_cp(r, u);
                continue;
            }
            if (hi != 0) {
                ref_put_cp(r, 0xfffd);
                hi = 0;
            }
            switch (c) {
            case '"': ref_put(r, '"'); break;
            case '\\': ref_put(r, '\\'); break;
            case '/': ref_put(r, '/'); break;
            case 'b': ref_put(r, '\b'); break;
            case 'f': ref_put(r, '\f'); break;
            case 'n': ref_put(r, '\n'); break;
            case 'r': ref_put(r, '\r'); break;
            case 't': ref_put(r, '\t'); break;
            default: return ref_fail(r, CS_E_JSON_ESCAPE, r->i);
            }
            r->i++;
            continue;
        }
        if (hi != 0) {
            ref_put_cp(r, 0xfffd);
            hi = 0;
        }
        if (c == '"') {
            r->i++;
            return 0;
        }
        if (c < 0x20)
            return ref_fail(r, CS_E_JSON_CONTROL, r->i);
        if (c < 0x80) {
            ref_put(r, c);
            r->i++;
            continue;
        }
        {
            /* RFC 3629 section 4, Table 3-7 of Unicode */
            unsigned char lo = 0x80, hi8 = 0xbf;
            int need, k;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                if (c == 0xe0)
                    lo = 0xa0;
                if (c == 0xed)
                    hi8 = 0x9f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                if (c == 0xf0)
                    lo = 0x90;
                if (c == 0xf4)
                    hi8 = 0x8f;
            } else {
                return ref_fail(r, CS_E_JSON_UTF8, r->i);
            }
            ref_put(r, c);
            r->i++;
            for (k = 0; k < need; k++) {
                unsigned char b;
                if (r->i >= r->n)
                    return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
                b = r->p[r->i];
                if (b < lo || b > hi8)
                    return ref_fail(r, CS_E_JSON_UTF8, r->i);
                ref_put(r, b);
                r->i++;
                lo = 0x80;
                hi8 = 0xbf;
            }
        }
    }
}

static int
ref_digit(const ref_json *r)
{
    return r->i < r->n && r->p[r->i] >= '0' && r->p[r->i] <= '9';
}

/* A number per RFC 8259 section 6; r->i at its first byte. */
static int
ref_number(ref_json *r)
{
    if (r->p[r->i] == '-')
        r->i++;
    if (r->i >= r->n)
        return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
    if (r->p[r->i] == '0') {
        r->i++;
        if (ref_digit(r))
            return ref_fail(r, CS_E_JSON_NUMBER, r->i);
    } else if (ref_digit(r)) {
        while (ref_digit(r))
            r->i++;
    } else {
        return ref_fail(r, CS_E_JSON_NUMBER, r->i);
    }
    if (r->i < r->n && r->p[r->i] == '.') {
        r->i++;
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        if (!ref_digit(r))
            return ref_fail(r, CS_E_JSON_NUMBER, r->i);
        while (ref_digit(r))
            r->i++;
    }
    if (r->i < r->n && (r->p[r->i] == 'e' || r->p[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->p[r->i] == '+' || r->p[r->i] == '-'))
            r->i++;
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        if (!ref_digit(r))
            return ref_fail(r, CS_E_JSON_NUMBER, r->i);
        while (ref_digit(r))
            r->i++;
    }
    return 0;
}

static double
ref_strtod(const unsigned char *s, size_t len)
{
    char *t = (char *)malloc(len + 1);
    double d;

    if (t == NULL)
        abort();
    memcpy(t, s, len);
    t[len] = 0;
    d = strtod(t, NULL);
    free(t);
    return d;
}

/* cert_index: plain digits below 2^64, or bad. */
static int
ref_uint64(const unsigned char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t k;

    for (k = 0; k < len; k++) {
        unsigned d;
        if (s[k] < '0' || s[k] > '9')
            return 0;
        d = (unsigned)(s[k] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* The bits a value of field f replaces. */
static unsigned
ref_mask(int f)
{
    switch (f) {
    case RF_TYPE: return CS_F_TYPE;
    case RF_DATA:
        return CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN | CS_F_SOURCE_URL
               | CS_F_SOURCE_NAME | CS_F_SHA1 | CS_F_SHA256;
    case RF_TIMESTAMP: return CS_F_TIMESTAMP;
    case RF_CERT_INDEX: return CS_F_CERT_INDEX;
    case RF_SEEN: return CS_F_SEEN;
    case RF_SOURCE: return CS_F_SOURCE_URL | CS_F_SOURCE_NAME;
    case RF_URL: return CS_F_SOURCE_URL;
    case RF_NAME: return CS_F_SOURCE_NAME;
    case RF_LEAF: return CS_F_DOMAINS | CS_F_SHA1 | CS_F_SHA256;
    case RF_ALL_DOMAINS: case RF_DOMAIN: return CS_F_DOMAINS;
    default: return 0;
    }
}

/* Which JSON kinds field f accepts. */
static int
ref_kind_ok(int f, int kind)
{
    switch (f) {
    case RF_TYPE: case RF_URL: case RF_NAME: case RF_DOMAIN:
    case RF_FP: case RF_SHA1: case RF_SHA256:
        return kind == RK_STR;
    case RF_DATA: return kind == RK_OBJ || kind == RK_ARR;
    case RF_SOURCE: case RF_LEAF: return kind == RK_OBJ;
    case RF_ALL_DOMAINS: return kind == RK_ARR;
    case RF_TIMESTAMP: case RF_CERT_INDEX: case RF_SEEN:
        return kind == RK_NUM;
    default: return 1;
    }
}

static int
ref_key_is(const ref_json *r, const char *k)
{
    size_t l = strlen(k);
    return r->slen == l && memcmp(r->s, k, l) == 0;
}

static int
ref_match_key(const ref_json *r, int node)
{
    switch (node) {
    case REF_ROOT:
        if (ref_key_is(r, "message_type")) return RF_TYPE;
        if (ref_key_is(r, "data")) return RF_DATA;
        if (ref_key_is(r, "timestamp")) return RF_TIMESTAMP;
        break;
    case REF_DATA:
        if (ref_key_is(r, "cert_index")) return RF_CERT_INDEX;
        if (ref_key_is(r, "seen")) return RF_SEEN;
        if (ref_key_is(r, "source")) return RF_SOURCE;
        if (ref_key_is(r, "leaf_cert")) return RF_LEAF;
        break;
    case REF_SOURCE:
        if (ref_key_is(r, "url")) return RF_URL;
        if (ref_key_is(r, "name")) return RF_NAME;
        break;
    case REF_LEAF:
        if (ref_key_is(r, "all_domains")) return RF_ALL_DOMAINS;
        if (ref_key_is(r, "fingerprint")) return RF_FP;
        if (ref_key_is(r, "sha1")) return RF_SHA1;
        if (ref_key_is(r, "sha256")) return RF_SHA256;
        break;
    default:
        break;
    }
    return RF_NONE;
}

/* Store the decoded string as a text field, cut at a char boundary. */
static void
ref_set_text(ref_json *r, ref_text *t, unsigned bit)
{
    size_t len = r->slen;

    if (len > CS_JSON_STR_MAX) {
        len = CS_JSON_STR_MAX;
        /* back off continuation bytes of a cut character */
        while (len > 0 && (r->s[len] & 0xc0) == 0x80)
            len--;
        r->trunc |= bit;
    }
    memcpy(t->buf, r->s, len);
    t->buf[len] = 0;
    t->len = len;
    r->has |= bit;
}

static void
ref_add_domain(ref_json *r)
{
    size_t need = r->dused + r->slen + 1 + 4 * (r->dcount + 1);

    r->dtotal++;
    if (need > r->dom_cap) {
        r->trunc |= CS_F_DOMAINS;
        return;
    }
    if (r->dcount >= r->dmax)
        abort(); /* cannot happen: each entry takes >= 5 bytes of dom_cap */
    r->doff[r->dcount++] = r->dused;
    memcpy(r->dbuf + r->dused, r->s, r->slen);
    r->dbuf[r->dused + r->slen] = 0;
    r->dused += r->slen + 1;
}

/* The decoded string as an n-byte digest into out: 1 good, -1 bad. */
static int
ref_digest(const ref_json *r, size_t n, unsigned char *out)
{
    size_t i, step;

    if (r->slen == 2 * n)
        step = 2;
    else if (r->slen == 3 * n - 1)
        step = 3;
    else
        return -1;
    for (i = 0; i < n; i++) {
        const unsigned char *q = r->s + i * step;
        int hi = ref_hex(q[0]), lo = ref_hex(q[1]);
        if (hi < 0 || lo < 0)
            return -1;
        if (step == 3 && i + 1 < n && q[2] != ':')
            return -1;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 1;
}

static int ref_value(ref_json *r, int f, int depth);

/* An object; r->i at '{'. node says which keys are wanted. */
static int
ref_object(ref_json *r, int node, int depth)
{
    r->i++;
    ref_skip_ws(r);
    if (r->i >= r->n)
        return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
    if (r->p[r->i] == '}') {
        r->i++;
        return 0;
    }
    for (;;) {
        int f;
        if (r->p[r->i] != '"')
            return ref_fail(r, CS_E_JSON_SYNTAX, r->i);
        if (ref_string(r) != 0)
            return r->err;
        f = ref_match_key(r, node);
        ref_skip_ws(r);
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        if (r->p[r->i] != ':')
            return ref_fail(r, CS_E_JSON_SYNTAX, r->i);
        r->i++;
        if (ref_value(r, f, depth) != 0)
            return r->err;
        ref_skip_ws(r);
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        if (r->p[r->i] == '}') {
            r->i++;
            return 0;
        }
        if (r->p[r->i] != ',')
            return ref_fail(r, CS_E_JSON_SYNTAX, r->i);
        r->i++;
        ref_skip_ws(r);
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
    }
}

/* An array; r->i at '['. Elements get field ef. */
static int
ref_array(ref_json *r, int ef, int depth)
{
    r->i++;
    ref_skip_ws(r);
    if (r->i >= r->n)
        return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
    if (r->p[r->i] == ']') {
        r->i++;
        return 0;
    }
    for (;;) {
        if (ref_value(r, ef, depth) != 0)
            return r->err;
        ref_skip_ws(r);
        if (r->i >= r->n)
            return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
        if (r->p[r->i] == ']') {
            r->i++;
            return 0;
        }
        if (r->p[r->i] != ',')
            return ref_fail(r, CS_E_JSON_SYNTAX, r->i);
        r->i++;
    }
}

/* A value for field f; depth = containers open around it. */
static int
ref_value(ref_json *r, int f, int depth)
{
    unsigned char c;
    int kind, take = 0;
    size_t start;

    ref_skip_ws(r);
    if (r->i >= r->n)
        return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
    c = r->p[r->i];
    if (c == '"')
        kind = RK_STR;
    else if (c == '{')
        kind = RK_OBJ;
    else if (c == '[')
        kind = RK_ARR;
    else if (c == 'n')
        kind = RK_NULL;
    else if (c == 't' || c == 'f')
        kind = RK_BOOL;
    else if (c == '-' || (c >= '0' && c <= '9'))
        kind = RK_NUM;
    else
        return ref_fail(r, CS_E_JSON_SYNTAX, r->i);

    if (f == RF_DOMAIN) {
        take = kind == RK_STR;
        if (!take)
            r->bad |= CS_F_DOMAINS;
    } else if (f == RF_TOP) {
        take = 1;
    } else if (f == RF_FP || f == RF_SHA1 || f == RF_SHA256) {
        /* kept per key, merged at the end */
        r->dg[f - RF_FP] = kind == RK_NULL ? 0 : -1;
        take = kind == RK_STR;
    } else if (f != RF_NONE) {
        unsigned m = ref_mask(f);
        r->has &= ~m;
        r->bad &= ~m;
        r->trunc &= ~m;
        if (m & CS_F_DOMAINS)
            r->dused = r->dcount = r->dtotal = 0;
        if (m & CS_F_SHA1)
            r->dg[0] = r->dg[1] = r->dg[2] = 0;
        if (kind != RK_NULL) {
            take = ref_kind_ok(f, kind);
            if (!take)
                r->bad |= m;
        }
    }

    switch (kind) {
    case RK_OBJ: {
        int node = REF_SKIP;
        if (depth >= CS_JSON_MAX_DEPTH)
            return ref_fail(r, CS_E_JSON_DEPTH, r->i);
        if (take)
            node = f == RF_TOP ? REF_ROOT : f == RF_DATA ? REF_DATA
                 : f == RF_SOURCE ? REF_SOURCE : f == RF_LEAF ? REF_LEAF
                 : REF_SKIP;
        if (f == RF_TOP)
            r->root_is_object = 1;
        return ref_object(r, node, depth + 1);
    }
    case RK_ARR: {
        int ef = RF_NONE;
        if (depth >= CS_JSON_MAX_DEPTH)
            return ref_fail(r, CS_E_JSON_DEPTH, r->i);
        if (take && (f == RF_DATA || f == RF_ALL_DOMAINS)) {
            ef = RF_DOMAIN;
            r->has |= CS_F_DOMAINS;
        }
        return ref_array(r, ef, depth + 1);
    }
    case RK_STR:
        if (ref_string(r) != 0)
            return r->err;
        if (!take)
            return 0;
        if (f == RF_TYPE)
            ref_set_text(r, &r->type_name, CS_F_TYPE);
        else if (f == RF_URL)
            ref_set_text(r, &r->url, CS_F_SOURCE_URL);
        else if (f == RF_NAME)
            ref_set_text(r, &r->name, CS_F_SOURCE_NAME);
        else if (f == RF_DOMAIN)
            ref_add_domain(r);
        else if (f >= RF_FP)
            r->dg[f - RF_FP] = ref_digest(r, f == RF_SHA256 ? 32 : 20,
                                          r->dv[f - RF_FP]);
        return 0;
    case RK_NUM:
        start = r->i;
        if (ref_number(r) != 0)
            return r->err;
        if (!take)
            return 0;
        if (f == RF_SEEN) {
            r->seen = ref_strtod(r->p + start, r->i - start);
            r->has |= CS_F_SEEN;
        } else if (f == RF_TIMESTAMP) {
            r->timestamp = ref_strtod(r->p + start, r->i - start);
            r->has |= CS_F_TIMESTAMP;
        } else if (f == RF_CERT_INDEX) {
            if (ref_uint64(r->p + start, r->i - start, &r->cert_index))
                r->has |= CS_F_CERT_INDEX;
            else
                r->bad |= CS_F_CERT_INDEX;
        }
        return 0;
    default: {
        const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t k;
        for (k = 0; lit[k] != 0; k++, r->i++) {
            if (r->i >= r->n)
                return ref_fail(r, CS_E_JSON_INCOMPLETE, r->n);
            if (r->p[r->i] != (unsigned char)lit[k])
                return ref_fail(r, CS_E_JSON_LITERAL, r->i);
        }
        return 0;
    }
    }
}

/* Parse p[0..n) with dom_cap bytes of domain storage. Returns r->err.
 * Free with ref_free(). */
static int
ref_parse(ref_json *r, const unsigned char *p, size_t n, size_t dom_cap)
{
    size_t top;

    memset(r, 0, sizeof *r);
    r->p = p;
    r->n = n;
    if (dom_cap > 0xffffffffu)
        dom_cap = 0xffffffffu;
    r->dom_cap = dom_cap;
    r->s = (unsigned char *)malloc(n + 4);
    r->dmax = dom_cap / 5 + 1;
    r->doff = (size_t *)malloc(r->dmax * sizeof *r->doff);
    r->dbuf = (unsigned char *)malloc(dom_cap + 1);
    if (r->s == NULL || r->doff == NULL || r->dbuf == NULL)
        abort();
    ref_skip_ws(r);
    top = r->i;
    if (ref_value(r, RF_TOP, 0) != 0)
        return r->err;
    ref_skip_ws(r);
    if (r->i < r->n)
        return ref_fail(r, CS_E_JSON_TRAILING, r->i);
    if (!r->root_is_object)
        return ref_fail(r, CS_E_JSON_NOT_OBJECT, top);
    if (r->dg[2] > 0) {
        memcpy(r->sha256, r->dv[2], 32);
        r->has |= CS_F_SHA256;
    } else if (r->dg[2] < 0) {
        r->bad |= CS_F_SHA256;
    }
    if (r->dg[1] > 0 || r->dg[0] > 0) {
        memcpy(r->sha1, r->dv[r->dg[1] > 0 ? 1 : 0], 20);
        r->has |= CS_F_SHA1;
    } else if (r->dg[1] < 0 || r->dg[0] < 0) {
        r->bad |= CS_F_SHA1;
    }
    if (r->has & CS_F_TYPE) {
        const ref_text *t = &r->type_name;
        if (t->len == 18 && memcmp(t->buf, "certificate_update", 18) == 0)
            r->type = CS_MSG_CERT;
        else if (t->len == 9 && memcmp(t->buf, "heartbeat", 9) == 0)
            r->type = CS_MSG_HEARTBEAT;
        else if (t->len == 11 && memcmp(t->buf, "dns_entries", 11) == 0)
            r->type = CS_MSG_DNS;
        else
            r->type = CS_MSG_OTHER;
    }
    return 0;
}

static void
ref_free(ref_json *r)
{
    free(r->s);
    free(r->doff);
    free(r->dbuf);
}

#endif /* REF_JSON_H */
