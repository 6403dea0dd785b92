/* test_jtok.c - the streaming JSON tokenizer (cs_jtok_*).
 *
 * Every input goes through tok_run(), which feeds it in chunks (each call
 * gets an exact-size heap copy of the bytes it is given, so a sanitizer
 * build sees any read past them) and writes the token stream as one line
 * of text: "{ } [ ] K:<hex> S:<hex> N:<text> T F Z", then "OK" or
 * "E<code>@<offset>"; the pieces of a string are joined. Whole, 1 byte at
 * a time, split at every offset (or at random offsets for big inputs),
 * the lines must be identical. Every call is checked against the
 * contract: *used <= len, all of it consumed when 0 is returned, depth
 * as counted here, pieces non-empty and whole UTF-8 characters, a slice
 * inside the bytes given.
 *
 * Also: JSONTestSuite (../shared/JSONTestSuite/test_parsing), real CT
 * responses (../shared/ct/rfc6962), limits, and `--dump` (documents on
 * stdin, "<len>\n<bytes>" each; one line out each) for test_jtok_diff.py. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void
sb_put(sbuf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = (char *)realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void
sb_hex(sbuf *b, const unsigned char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        char two[2];
        two[0] = hx[s[i] >> 4];
        two[1] = hx[s[i] & 15];
        sb_put(b, two, 2);
    }
}

static int contract_bad;

/* Tokenize in[0..len) in chunks of the sizes cuts[] gives (a chunk of 0
 * means the rest); out gets the token line. */
static void
tok_run(const unsigned char *in, size_t len, const size_t *cuts,
        size_t ncuts, sbuf *out)
{
    cs_jtok t;
    sbuf str = {NULL, 0, 0};
    size_t pos = 0, ci = 0;
    int depth = 0, r = 0, in_str = 0;
    char tmp[64];

    out->len = 0;
    sb_str(out, "");
    cs_jtok_init(&t);
    while (pos < len && r >= 0) {
        size_t clen = ci < ncuts && cuts[ci] != 0 ? cuts[ci] : len - pos;
        unsigned char *c;
        size_t at = 0;
        if (clen > len - pos)
            clen = len - pos;
        ci++;
        c = (unsigned char *)malloc(clen ? clen : 1);
        memcpy(c, in + pos, clen);
        while (at < clen) {
            size_t used = 99999;
            r = cs_jtok_feed(&t, c + at, clen - at, &used);
            if (used > clen - at || (r == 0 && used != clen - at)) {
                contract_bad++;
                break;
            }
            at += used;
            if (r < 0)
                break;
            if (r > 0 && r != CS_JT_STR && r != CS_JT_STR_END && in_str) {
                contract_bad++;
            }
            switch (r) {
            case 0:
                break;
            case CS_JT_OBJ: case CS_JT_ARR:
                if (cs_jtok_depth(&t) != depth)
                    contract_bad++;
                depth++;
                sb_str(out, r == CS_JT_OBJ ? "{ " : "[ ");
                break;
            case CS_JT_OBJ_END: case CS_JT_ARR_END:
                depth--;
                if (cs_jtok_depth(&t) != depth)
                    contract_bad++;
                sb_str(out, r == CS_JT_OBJ_END ? "} " : "] ");
                break;
            case CS_JT_KEY: {
                size_t kl;
                int tr;
                const char *k = cs_jtok_key(&t, &kl, &tr);
                if (cs_jtok_depth(&t) != depth || k[kl] != '\0'
                    || kl > CS_JTOK_KEY_MAX)
                    contract_bad++;
                sb_str(out, "K:");
                sb_hex(out, (const unsigned char *)k, kl);
                sb_str(out, tr ? "+ " : " ");
                break;
            }
            case CS_JT_STR: {
                size_t pl;
                const unsigned char *pc = cs_jtok_piece(&t, &pl);
                cs__utf8 u = {0, 0x80, 0xbf};
                if (pl == 0 || cs__utf8_scan(&u, pc, pl) != pl || u.need
                    || cs_jtok_depth(&t) != depth)
                    contract_bad++;
                if (!((pc >= c && pc + pl <= c + at)
                      || (pc >= t.buf && pc + pl <= t.buf + CS_JTOK_BUF)))
                    contract_bad++;
                in_str = 1;
                sb_put(&str, pc, pl);
                break;
            }
            case CS_JT_STR_END:
                if (cs_jtok_depth(&t) != depth)
                    contract_bad++;
                sb_str(out, "S:");
                sb_hex(out, (const unsigned char *)str.p, str.len);
                sb_str(out, " ");
                str.len = 0;
                in_str = 0;
                break;
            case CS_JT_NUM: {
                size_t nl;
                const char *nt = cs_jtok_num(&t, &nl);
                sb_str(out, "N:");
                sb_str(out, nt);
                sb_str(out, " ");
                break;
            }
            case CS_JT_TRUE: sb_str(out, "T "); break;
            case CS_JT_FALSE: sb_str(out, "F "); break;
            case CS_JT_NULL: sb_str(out, "Z "); break;
            default:
                contract_bad++;
            }
        }
        free(c);
        pos += clen;
    }
    if (r >= 0) {
        r = cs_jtok_end(&t);
        if (r == CS_JT_NUM) {
            sb_str(out, "N:");
            sb_str(out, cs_jtok_num(&t, NULL));
            sb_str(out, " ");
            r = cs_jtok_end(&t);
        }
    }
    if (r == CS_JT_DONE) {
        sb_str(out, "OK");
    } else {
        sprintf(tmp, "E%d@%lu", r, (unsigned long)cs_jtok_offset(&t));
        sb_str(out, tmp);
        if (r >= 0)
            contract_bad++;
    }
    free(str.p);
}

static unsigned long rng = 12345;
static size_t
rnd(size_t n)
{
    rng = rng * 6364136223846793005ul + 1442695040888963407ul;
    return (size_t)((rng >> 33) % n);
}

/* Tokenize whole, by 1 byte, at every split (or 64 random ones for big
 * inputs) and in random chunks: all lines equal. Returns the whole-run
 * line in *whole (caller frees). Returns 1 when all agree. */
static int
tok_all(const unsigned char *in, size_t len, sbuf *whole, const char *name)
{
    sbuf o = {NULL, 0, 0};
    size_t *ones = (size_t *)calloc(len + 1, sizeof *ones), i, cut[2];
    int ok = 1, bad0 = contract_bad;

    tok_run(in, len, NULL, 0, whole);
    for (i = 0; i < len; i++)
        ones[i] = 1;
    tok_run(in, len, ones, len, &o);
    if (strcmp(o.p, whole->p) != 0)
        ok = 0, fprintf(stderr, "%s: by 1 byte: %s\n  vs %s\n", name,
                        o.p, whole->p);
    for (i = 1; ok && i < len; i++) {
        size_t at = len > 2048 ? 1 + rnd(len - 1) : i;
        if (len > 2048 && i > 64)
            break;
        cut[0] = at;
        cut[1] = 0;
        tok_run(in, len, cut, 2, &o);
        if (strcmp(o.p, whole->p) != 0)
            ok = 0, fprintf(stderr, "%s: split %lu differs\n", name,
                            (unsigned long)at);
    }
    for (i = 0; ok && i < 8; i++) {
        size_t k;
        for (k = 0; k < len; k++)
            ones[k] = 1 + rnd(i < 4 ? 8 : 300);
        tok_run(in, len, ones, len, &o);
        if (strcmp(o.p, whole->p) != 0)
            ok = 0, fprintf(stderr, "%s: random chunks differ\n", name);
    }
    free(ones);
    free(o.p);
    if (contract_bad != bad0) {
        fprintf(stderr, "%s: contract broken\n", name);
        ok = 0;
    }
    return ok;
}

static const char *
tok_line(const char *s, sbuf *o)
{
    tok_all((const unsigned char *)s, strlen(s), o, s);
    return o->p;
}

/* expected lines for small inputs */
static void
t_basic(void)
{
    static const char *v[][2] = {
        {"{}", "{ } OK"},
        {" [ ] ", "[ ] OK"},
        {"{\"a\":1}", "{ K:61 N:1 } OK"},
        {"[1,-2.5e+3,0,true,false,null,\"x\"]",
         "[ N:1 N:-2.5e+3 N:0 T F Z S:78 ] OK"},
        {"123", "N:123 OK"},
        {"\"\"", "S: OK"},
        {"\"\\u00e9\\ud83d\\ude00\\n\"", "S:c3a9f09f98800a OK"},
        {"\"\\ud800x\"", "S:efbfbd78 OK"},
        {"\"\\udc00\\ud800\"", "S:efbfbdefbfbd OK"},
        {"\"\\ud800\\n\"", "S:efbfbd0a OK"},
        {"\"\\ud800\\ud800\\udc00\"", "S:efbfbdf0908080 OK"},
        {"\"\\u0000\"", "S:00 OK"},
        {"{\"\\u00e9\":[]}", "{ K:c3a9 [ ] } OK"},
        {"[1,]", "[ N:1 E-80@3"},
        {"{\"a\" 1}", "{ K:61 E-80@5"},
        {"[1 2]", "[ N:1 E-80@3"},
        {"[] []", "[ ] E-84@3"},
        {"[tru]", "[ E-89@4"},
        {"[01]", "[ E-88@2"},
        {"[1.]", "[ E-88@3"},
        {"[-]", "[ E-88@2"},
        {"[1e]", "[ E-88@3"},
        {"\"a\tb\"", "E-85@2"},
        {"\"\\x\"", "E-86@2"},
        {"\"\\u12g4\"", "E-86@5"},
        {"\"\xc0\x80\"", "E-87@1"},
        {"\"\xed\xa0\x80\"", "E-87@2"},
        {"\"\xf4\x90\x80\x80\"", "E-87@2"},
        {"\"\xe2\x82\"", "E-87@3"},
        {"[", "[ E-83@1"},
        {"", "E-83@0"},
        {"  ", "E-83@2"},
        {"-", "E-83@1"},
        {"\"abc", "E-83@4"},
        {"{\"a\":\"b\",}", "{ K:61 S:62 E-80@9"},
    };
    size_t i;
    sbuf o = {NULL, 0, 0};
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *got = tok_line(v[i][0], &o);
        CHECKF(strcmp(got, v[i][1]) == 0, "%s: got %s want %s", v[i][0],
               got, v[i][1]);
    }
    free(o.p);
}

static void
t_numbers(void)
{
    cs_jtok t;
    size_t used;
    uint64_t v = 7;
    static const char *ok[] = {"0 ", "18446744073709551615 "};
    static const uint64_t okv[] = {0, UINT64_MAX};
    static const char *bad[] = {"18446744073709551616 ", "-0 ", "1.0 ",
                                "1e2 ", "-1 ",
                                "123456789012345678901234567890123456789012 "};
    size_t i, l;
    for (i = 0; i < 2; i++) {
        cs_jtok_init(&t);
        CHECK(cs_jtok_feed(&t, (const unsigned char *)ok[i], strlen(ok[i]),
                           &used) == CS_JT_NUM);
        CHECK(cs_jtok_u64(&t, &v) == 0 && v == okv[i]);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cs_jtok_init(&t);
        CHECK(cs_jtok_feed(&t, (const unsigned char *)bad[i],
                           strlen(bad[i]), &used) == CS_JT_NUM);
        v = 7;
        CHECK(cs_jtok_u64(&t, &v) == CS_E_JSON_NUMBER && v == 7);
        cs_jtok_num(&t, &l);
        CHECK(l == (i == 5 ? CS_JTOK_NUM_MAX + 1 : strlen(bad[i]) - 1));
    }
}

/* nesting: CS_JTOK_MAX_DEPTH levels pass, one more fails */
static void
t_depth(void)
{
    char s[2 * CS_JTOK_MAX_DEPTH + 8];
    sbuf o = {NULL, 0, 0};
    int d;
    for (d = CS_JTOK_MAX_DEPTH; d <= CS_JTOK_MAX_DEPTH + 1; d++) {
        int i;
        char want[32];
        for (i = 0; i < d; i++) {
            s[i] = i & 1 ? '{' : '[';
            s[2 * d - 1 - i] = i & 1 ? '}' : ']';
        }
        /* odd levels are objects: they need keys, so use arrays only */
        for (i = 0; i < d; i++) {
            s[i] = '[';
            s[2 * d - 1 - i] = ']';
        }
        s[2 * d] = '\0';
        tok_line(s, &o);
        sprintf(want, "E%d@%d", CS_E_JSON_DEPTH, CS_JTOK_MAX_DEPTH);
        if (d == CS_JTOK_MAX_DEPTH)
            CHECK(strcmp(o.p + o.len - 2, "OK") == 0);
        else
            CHECKF(strstr(o.p, want) != NULL, "%s", o.p);
    }
    free(o.p);
}

/* keys: whole up to CS_JTOK_KEY_MAX bytes, cut at a character */
static void
t_keys(void)
{
    char s[400], want[800];
    sbuf o = {NULL, 0, 0};
    size_t i;
    /* exactly the limit: not cut */
    strcpy(s, "{\"");
    for (i = 0; i < CS_JTOK_KEY_MAX; i++)
        strcat(s, "a");
    strcat(s, "\":0}");
    tok_line(s, &o);
    strcpy(want, "{ K:");
    for (i = 0; i < CS_JTOK_KEY_MAX; i++)
        strcat(want, "61");
    strcat(want, " N:0 } OK");
    CHECKF(strcmp(o.p, want) == 0, "%s", o.p);
    /* one 2-byte character over the limit (escaped): dropped whole */
    strcpy(s, "{\"");
    for (i = 0; i + 1 < CS_JTOK_KEY_MAX; i++)
        strcat(s, "a");
    strcat(s, "\\u00e9b\":0}");
    tok_line(s, &o);
    strcpy(want, "{ K:");
    for (i = 0; i + 1 < CS_JTOK_KEY_MAX; i++)
        strcat(want, "61");
    strcat(want, "+ N:0 } OK");
    CHECKF(strcmp(o.p, want) == 0, "%s", o.p);
    free(o.p);
}

/* a long string with escapes everywhere, so escapes straddle chunk ends */
static void
t_long_strings(void)
{
    sbuf in = {NULL, 0, 0}, want = {NULL, 0, 0}, o = {NULL, 0, 0};
    int i;
    sb_str(&in, "[\"");
    for (i = 0; i < 3000; i++) {
        static const char *e[] = {"ab", "\\n", "\\u00e9", "\\ud83d\\ude00",
                                  "\xc3\xa9", "\\/", "\xf0\x9f\x98\x80",
                                  "xyzXYZ0123456789+/"};
        static const char *d[] = {"ab", "\n", "\xc3\xa9",
                                  "\xf0\x9f\x98\x80", "\xc3\xa9", "/",
                                  "\xf0\x9f\x98\x80", "xyzXYZ0123456789+/"};
        size_t k = rnd(8);
        sb_str(&in, e[k]);
        sb_str(&want, d[k]);
    }
    sb_str(&in, "\"]");
    {
        sbuf w = {NULL, 0, 0};
        sb_str(&w, "[ S:");
        sb_hex(&w, (const unsigned char *)want.p, want.len);
        sb_str(&w, " ] OK");
        CHECK(tok_all((const unsigned char *)in.p, in.len, &o, "long"));
        CHECK(strcmp(o.p, w.p) == 0);
        free(w.p);
    }
    free(in.p);
    free(want.p);
    free(o.p);
}

/* a plain value comes out in place, whole; an escaped one in pieces */
static void
t_zero_copy(void)
{
    static const unsigned char in[] = "[\"AAAA+/\xc3\xa9" "BBBB\", \"x\\ny\"]";
    cs_jtok t;
    size_t used, at = 0, pl;
    const unsigned char *pc;
    cs_jtok_init(&t);
    CHECK(cs_jtok_feed(&t, in, sizeof in - 1, &used) == CS_JT_ARR);
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) == CS_JT_STR);
    pc = cs_jtok_piece(&t, &pl);
    CHECK(pc == in + 2 && pl == 12 && used == 13);
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) ==
          CS_JT_STR_END && used == 1 && cs_jtok_depth(&t) == 1);
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) == CS_JT_STR);
    pc = cs_jtok_piece(&t, &pl);
    CHECK(pl == 1 && pc == in + at + 3);        /* "x" in place */
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) == CS_JT_STR);
    pc = cs_jtok_piece(&t, &pl);
    CHECK(pl == 2 && memcmp(pc, "\ny", 2) == 0 && pc == t.buf);
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) ==
          CS_JT_STR_END);
    at += used;
    CHECK(cs_jtok_feed(&t, in + at, sizeof in - 1 - at, &used) ==
          CS_JT_ARR_END && at + used == sizeof in - 1);
    CHECK(cs_jtok_end(&t) == CS_JT_DONE && cs_jtok_end(&t) == CS_JT_DONE);
    CHECK(cs_jtok_offset(&t) == sizeof in - 1);
    /* sticky errors: same code, nothing consumed, offset of the byte */
    cs_jtok_init(&t);
    CHECK(cs_jtok_feed(&t, (const unsigned char *)"[1,]", 4, &used) ==
          CS_JT_ARR);
    CHECK(cs_jtok_feed(&t, (const unsigned char *)"1,]", 3, &used) ==
          CS_JT_NUM && used == 1);
    CHECK(cs_jtok_feed(&t, (const unsigned char *)",]", 2, &used) ==
          CS_E_JSON_SYNTAX && used == 1 && cs_jtok_offset(&t) == 3);
    CHECK(cs_jtok_feed(&t, (const unsigned char *)"]", 1, &used) ==
          CS_E_JSON_SYNTAX && used == 0 && cs_jtok_offset(&t) == 3);
    CHECK(cs_jtok_end(&t) == CS_E_JSON_SYNTAX);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = (unsigned char *)malloc((size_t)n + 1);
    *len = fread(p, 1, (size_t)n, f);
    fclose(f);
    return p;
}

static int skipped;

static void
t_suite(void)
{
    const char *dir = getenv("JSONTESTSUITE");
    DIR *d;
    struct dirent *e;
    int n = 0, y = 0, no = 0, ii = 0;
    if (dir == NULL)
        dir = "../shared/JSONTestSuite/test_parsing";
    d = opendir(dir);
    if (d == NULL) {
        printf("JSONTestSuite: SKIPPED, not found at %s\n", dir);
        skipped++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t len;
        unsigned char *p;
        sbuf o = {NULL, 0, 0};
        int ok;
        if (e->d_name[0] == '.' || e->d_name[1] != '_')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        p = slurp(path, &len);
        if (p == NULL)
            continue;
        n++;
        CHECKF(tok_all(p, len, &o, e->d_name), "%s splits", e->d_name);
        ok = strcmp(o.p + o.len - 2, "OK") == 0;
        if (e->d_name[0] == 'y') {
            y++;
            CHECKF(ok, "%s rejected: %s", e->d_name, o.p);
        } else if (e->d_name[0] == 'n') {
            no++;
            CHECKF(!ok, "%s accepted", e->d_name);
        } else {
            ii++;
        }
        free(o.p);
        free(p);
    }
    closedir(d);
    printf("JSONTestSuite: %d files (%d y_, %d n_, %d i_)\n", n, y, no, ii);
    CHECK(n > 300);
}

/* real CT responses: the fields come out as expected */
static void
t_ct(void)
{
    const char *dir = "../shared/ct/rfc6962";
    char path[256];
    size_t len;
    unsigned char *p;
    sbuf o = {NULL, 0, 0};
    snprintf(path, sizeof path, "%s/get-sth-4.json", dir);
    p = slurp(path, &len);
    if (p == NULL) {
        printf("CT files: SKIPPED, not found at %s\n", dir);
        skipped++;
        return;
    }
    CHECK(tok_all(p, len, &o, "get-sth-4"));
    /* keys in order, number, two strings */
    CHECKF(strncmp(o.p, "{ K:", 4) == 0 && strstr(o.p, "N:") != NULL
           && strcmp(o.p + o.len - 4, "} OK") == 0, "%s", o.p);
    {
        /* the tree size as a u64 */
        cs_jtok t;
        size_t at = 0, used;
        int r, got = 0;
        uint64_t v = 0;
        cs_jtok_init(&t);
        while ((r = cs_jtok_feed(&t, p + at, len - at, &used)) >= 0
               && at < len) {
            size_t kl;
            at += used;
            if (r == CS_JT_KEY
                && (cs_jtok_key(&t, &kl, NULL), kl == 9 || kl == 7)
                && memcmp(cs_jtok_key(&t, NULL, NULL), "tree_size",
                          kl) == 0) {
                r = cs_jtok_feed(&t, p + at, len - at, &used);
                at += used;
                CHECK(r == CS_JT_NUM && cs_jtok_u64(&t, &v) == 0);
                got = 1;
            }
            if (r == 0)
                break;
        }
        CHECK(got && v > 0);
    }
    free(p);
    snprintf(path, sizeof path, "%s/get-entries-4.json", dir);
    p = slurp(path, &len);
    if (p != NULL) {
        const char *q;
        int leaf = 0, extra = 0;
        CHECK(tok_all(p, len, &o, "get-entries-4"));
        for (q = o.p; (q = strstr(q, "K:")) != NULL; q += 2) {
            if (strncmp(q, "K:6c6561665f696e707574 S:", 25) == 0)
                leaf++;   /* leaf_input */
            if (strncmp(q, "K:65787472615f64617461 S:", 25) == 0)
                extra++;  /* extra_data */
        }
        CHECKF(leaf == 4 && extra == 4, "%d %d", leaf, extra);
        CHECK(strcmp(o.p + o.len - 4, "} OK") == 0);
        free(p);
    }
    /* the other real files: valid, split-invariant */
    {
        static const char *more[] = {
            "rfc6962/get-entries-precert-and-cert.json",
            "rfc6962/get-sth-pilot-2014.json", "loglist/log_list.json",
            "loglist/synthetic_all_states.json"};
        size_t i;
        for (i = 0; i < sizeof more / sizeof more[0]; i++) {
            snprintf(path, sizeof path, "%s/../%s", dir, more[i]);
            p = slurp(path, &len);
            if (p == NULL) {
                printf("CT file %s: SKIPPED, not found\n", more[i]);
                skipped++;
                continue;
            }
            CHECKF(tok_all(p, len, &o, more[i]), "%s", more[i]);
            CHECKF(strcmp(o.p + o.len - 4, "} OK") == 0, "%s", more[i]);
            free(p);
        }
    }
    free(o.p);
}

/* --dump: "<len>\n<bytes>" documents on stdin, a token line each */
static int
dump(void)
{
    unsigned long n;
    sbuf o = {NULL, 0, 0};
    while (scanf("%lu", &n) == 1) {
        unsigned char *p = (unsigned char *)malloc(n + 1);
        if (getchar() != '\n' || fread(p, 1, n, stdin) != n)
            return 2;
        if (!tok_all(p, n, &o, "dump"))
            printf("SPLIT-MISMATCH ");
        printf("%s\n", o.p);
        free(p);
    }
    free(o.p);
    return contract_bad != 0;
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0)
        return dump();
    TEST(t_basic);
    TEST(t_numbers);
    TEST(t_depth);
    TEST(t_keys);
    TEST(t_long_strings);
    TEST(t_zero_copy);
    TEST(t_suite);
    TEST(t_ct);
    CHECK(contract_bad == 0);
    if (skipped) {
        printf("%d passed, %d failed, %d skipped\n", test_passed,
               test_failed, skipped);
        return test_failed != 0;
    }
    return TEST_SUMMARY();
}
