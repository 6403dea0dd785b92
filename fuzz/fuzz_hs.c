/* fuzz_hs.c - libFuzzer target for the opening handshake (cs_hs_*).
 *
 * The request is built by cs_hs_request() for a fixed URL,
 * ws://certstream.example:8080/full-stream?x=1, and the fixed key of RFC
 * 6455 section 1.3 ("the sample nonce"), so the one right
 * Sec-WebSocket-Accept is known: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=. The input
 * is the server's response.
 *
 * Input layout: 4 control bytes, then the response (at most 64 KiB).
 *   [0]    chunking, as in fuzz_json.c. Bits 0-1: 0 one feed, 1 fixed
 *          chunks of ((byte >> 2) + 1) bytes, 2 one byte at a time,
 *          3 pseudo-random split points (some feeds empty).
 *   [1]    flags. 1: the first "@ACCEPT@" in the response becomes the
 *          right accept value (so the success path is reachable);
 *          2: the first "@PAD@" becomes [2] * 97 bytes of 'p' (long lines,
 *          CS_E_HS_TOO_BIG); 4: the request carries two extra headers;
 *          8: the response starts with one more extra header for the
 *          request, up to its first NUL byte (cs_hs_request() must refuse
 *          or send it intact, never inject a line).
 *   [2]    pad size (flag 2).
 *   [3]    seed for the random splits and the dirty reuse response.
 *
 * Checks; any failure prints what differed and calls abort():
 *   1. The request: its length, request line, Host with the port, the
 *      key, Upgrade/Connection/Version, CRLF line ends and the final empty
 *      line, every extra header verbatim; CS_E_BUFFER with one byte less
 *      (written to an exact-size buffer); an accepted extra header has a
 *      token name, a colon and no CR, LF.
 *   2. The response fed whole (one call) against a fresh handshake fed in
 *      the chosen chunks: the same result, the same total *used, status,
 *      location and retry-after.
 *   3. Reuse: a handshake left dirty by another response (complete or
 *      cut), then cs_hs_request() again and the response: the same.
 *   4. Invariants: *used <= len, 0 ("need more") used everything; the
 *      result is 0, CS_HS_OK or a CS_E_HS_* code; errors are sticky;
 *      CS_HS_OK means status 101, the header (<= CS_HS_MAX_RESPONSE bytes,
 *      ending in LF) holds the right accept, Upgrade: websocket, a
 *      Connection line with "upgrade", and no Sec-WebSocket-Extensions or
 *      -Protocol with a value; CS_E_HS_REDIRECT means a 301/302/303/307/308
 *      with a non-empty location taken from the header (cs_url_resolve()
 *      of it against the URL keeps the URL invariants, or fails leaving it
 *      unchanged); status = the status line's digits; a lone Retry-After
 *      of 1-9 digits is read as such, none gives -1; more than
 *      CS_HS_MAX_RESPONSE bytes without an end is CS_E_HS_TOO_BIG.
 *   5. cs_sha1() and cs_base64() of the input against the references
 *      here.
 * Build: -I<repo root>. -DFZ_LAX_IPV6: as in fuzz_url.c.
 */
/* ws:// only: no BearSSL to link (the frames, handshake and URLs are the
 * same code either way) */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_hs"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 4
#define FZ_MAX_IN ((size_t)1 << 16)
#define FZ_URL "ws://certstream.example:8080/full-stream?x=1"
#define FZ_KEY "the sample nonce"                 /* 16 bytes */
#define FZ_KEY_B64 "dGhlIHNhbXBsZSBub25jZQ=="
#define FZ_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define FZ_REQ_CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- reference SHA-1 and base64 ---------------------------------------- */

static uint32_t
fz_rol(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static void
fz_sha1(const unsigned char *p, size_t n, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                     0xc3d2e1f0u};
    uint64_t bits = (uint64_t)n * 8;
    size_t total = ((n + 8) / 64 + 1) * 64, blk, i;

    for (blk = 0; blk < total; blk += 64) {
        uint32_t w[80], a, b, c, d, e;
        for (i = 0; i < 64; i++) {
            size_t at = blk + i;
            unsigned v;
            if (at < n)
                v = p[at];
            else if (at == n)
                v = 0x80;
            else if (at >= total - 8)
                v = (unsigned)(bits >> (8 * (total - 1 - at))) & 0xffu;
            else
                v = 0;
            if (i % 4 == 0)
                w[i / 4] = 0;
            w[i / 4] |= (uint32_t)v << (24 - 8 * (i % 4));
        }
        for (i = 16; i < 80; i++)
            w[i] = fz_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        a = h[0];
        b = h[1];
        c = h[2];
        d = h[3];
        e = h[4];
        for (i = 0; i < 80; i++) {
            uint32_t f, k, t;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5a827999u;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ed9eba1u;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8f1bbcdcu;
            } else {
                f = b ^ c ^ d;
                k = 0xca62c1d6u;
            }
            t = fz_rol(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = fz_rol(b, 30);
            b = a;
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    for (i = 0; i < 20; i++)
        out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static size_t
fz_b64(const unsigned char *p, size_t n, char *out)
{
    static const char t[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;

    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = t[v >> 18];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

/* ---- small text helpers ------------------------------------------------- */

static int
fz_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive search of the NUL-free needle in h[0..n). */
static const unsigned char *
fz_ci_find(const unsigned char *h, size_t n, const char *needle)
{
    size_t k = strlen(needle), i, j;

    for (i = 0; k <= n && i <= n - k; i++) {
        for (j = 0; j < k; j++)
            if (fz_lower(h[i + j]) != fz_lower((unsigned char)needle[j]))
                break;
        if (j == k)
            return h + i;
    }
    return NULL;
}

static const unsigned char *
fz_find(const unsigned char *h, size_t n, const void *needle, size_t k)
{
    size_t i;

    for (i = 0; k <= n && i <= n - k; i++)
        if (memcmp(h + i, needle, k) == 0)
            return h + i;
    return NULL;
}

/* One header line of h[0..n): name and value (trimmed of SP/HT). */
typedef struct fz_line {
    const unsigned char *name, *val;
    size_t name_len, val_len;
} fz_line;

/* The k-th header line (k = 0 is the first after the status line) that
 * has a colon; lines end at LF, a CR before the LF is dropped. Returns 0
 * when there is none. */
static int
fz_header(const unsigned char *h, size_t n, size_t k, fz_line *l)
{
    size_t i = 0, found = 0;

    while (i < n && h[i] != '\n')
        i++; /* the status line */
    while (i < n) {
        size_t s = ++i, e, c;
        while (i < n && h[i] != '\n')
            i++;
        e = i;
        if (e > s && h[e - 1] == '\r')
            e--;
        for (c = s; c < e && h[c] != ':'; c++)
            ;
        if (c == e)
            continue;
        if (found++ != k)
            continue;
        l->name = h + s;
        l->name_len = c - s;
        s = c + 1;
        while (s < e && (h[s] == ' ' || h[s] == '\t'))
            s++;
        while (e > s && (h[e - 1] == ' ' || h[e - 1] == '\t'))
            e--;
        l->val = h + s;
        l->val_len = e - s;
        return 1;
    }
    return 0;
}

static int
fz_is(const unsigned char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit), i;
    if (n != k)
        return 0;
    for (i = 0; i < k; i++)
        if (fz_lower(s[i]) != fz_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

/* Count the header lines named name; the last one's value in *v. */
static size_t
fz_count(const unsigned char *h, size_t n, const char *name, fz_line *v)
{
    size_t k, c = 0;
    fz_line l;

    for (k = 0; fz_header(h, n, k, &l); k++)
        if (fz_is(l.name, l.name_len, name)) {
            c++;
            if (v != NULL)
                *v = l;
        }
    return c;
}

/* ---- URL invariants (as in fuzz_url.c) ---------------------------------- */

static void
fz_url_sane(const cs_url *u, const char *what)
{
    const char *z;
    size_t i, hl, pl;

    if ((u->tls != 0 && u->tls != 1) || (u->ipv6 != 0 && u->ipv6 != 1)
            || (u->port_given != 0 && u->port_given != 1))
        fz_fail("%s: tls %d ipv6 %d port_given %d", what, u->tls, u->ipv6,
                u->port_given);
    if (u->port < 1 || u->port > 65535)
        fz_fail("%s: port %u", what, u->port);
    if (!u->port_given && u->port != (u->tls ? 443u : 80u))
        fz_fail("%s: no port given but port %u (tls %d)", what, u->port,
                u->tls);
    z = (const char *)memchr(u->host, 0, sizeof u->host);
    if (z == NULL || z == u->host)
        fz_fail("%s: host empty or not NUL-terminated", what);
    hl = (size_t)(z - u->host);
    z = (const char *)memchr(u->path, 0, sizeof u->path);
    if (z == NULL || u->path[0] != '/')
        fz_fail("%s: path not NUL-terminated or not starting with '/'",
                what);
    pl = (size_t)(z - u->path);
    for (i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)u->host[i];
        if (c <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#'
                || c == '@' || c == '[' || c == ']')
            fz_fail("%s: byte %#x in the host", what, c);
    }
#ifndef FZ_LAX_IPV6
    /* every IPv6 literal has colons; a name or IPv4 address has none */
    if ((memchr(u->host, ':', hl) != NULL) != (u->ipv6 != 0))
        fz_fail("%s: host \"%s\" with ipv6 %d", what, u->host, u->ipv6);
#endif
    for (i = 0; i < pl; i++) {
        unsigned char c = (unsigned char)u->path[i];
        if (c <= 0x20 || c == 0x7f || c == '#')
            fz_fail("%s: byte %#x in the path", what, c);
    }
}

/* ---- the request -------------------------------------------------------- */

static const char *const fz_extra[2] = {"Authorization: Bearer t0k3n",
                                        "X-Client: fuzz_hs/1.0"};

static int
fz_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~",
                                                         c) != NULL);
}

/* Check a request built with hdrs[0..count). */
static void
fz_check_request(const char *req, size_t len, const char *const *hdrs,
                 size_t count)
{
    static const char *const need[] = {
        "\r\nhost: certstream.example:8080\r\n",
        "\r\nupgrade: websocket\r\n",
        "\r\nsec-websocket-key: " FZ_KEY_B64 "\r\n",
        "\r\nsec-websocket-version: 13\r\n"};
    const unsigned char *r = (const unsigned char *)req;
    const unsigned char *c;
    size_t i;
    char line[600];

    if (len < 4 || memcmp(req, "GET /full-stream?x=1 HTTP/1.1\r\n", 31) != 0
            || memcmp(req + len - 4, "\r\n\r\n", 4) != 0)
        fz_fail("request: bad request line or end:\n%.*s", (int)len, req);
    for (i = 0; i < sizeof need / sizeof *need; i++)
        if (fz_ci_find(r, len, need[i]) == NULL)
            fz_fail("request lacks %s:\n%.*s", need[i] + 2, (int)len, req);
    c = fz_ci_find(r, len, "\r\nconnection:");
    if (c == NULL || fz_ci_find(c, (size_t)(r + len - c), "upgrade") == NULL)
        fz_fail("request: no Connection: Upgrade:\n%.*s", (int)len, req);
    for (i = 0; i + 1 < len; i++)
        if ((req[i] == '\r') != (req[i + 1] == '\n') || req[i] == 0)
            fz_fail("request: bare CR/LF or NUL at byte %zu", i);
    for (i = 0; i < count; i++) {
        size_t k = strlen(hdrs[i]);
        if (k + 4 > sizeof line)
            continue;
        line[0] = '\r';
        line[1] = '\n';
        memcpy(line + 2, hdrs[i], k);
        line[k + 2] = '\r';
        line[k + 3] = '\n';
        if (fz_find(r, len, line, k + 4) == NULL)
            fz_fail("request lacks the extra header \"%s\"", hdrs[i]);
    }
}

/* A header the caller asked for and cs_hs_request() took: a field. */
static void
fz_check_field(const char *h)
{
    size_t i = 0;

    while (fz_token_char((unsigned char)h[i]))
        i++;
    if (i == 0 || h[i] != ':')
        fz_fail("cs_hs_request() accepted the header \"%s\": no token name "
                "and colon", h);
    for (; h[i] != 0; i++)
        if (h[i] == '\r' || h[i] == '\n')
            fz_fail("cs_hs_request() accepted a header with CR/LF: \"%s\"",
                    h);
}

/* cs_hs_request() into a fresh (junk-filled) or given hs; checks the
 * request. Returns its length. */
static int
fz_request(cs_hs *hs, const cs_url *url, const char *const *hdrs,
           size_t count, int check)
{
    static char out[FZ_REQ_CAP];
    int r = cs_hs_request(hs, out, sizeof out, url,
                          (const unsigned char *)FZ_KEY, hdrs, count);

    if (r <= 0 || (size_t)r >= sizeof out)
        return r;
    if (check) {
        char *small;
        int r2;
        size_t i;
        fz_check_request(out, (size_t)r, hdrs, count);
        for (i = 0; i < count; i++)
            fz_check_field(hdrs[i]);
        /* one byte short: CS_E_BUFFER, nothing written outside */
        small = (char *)malloc((size_t)r - 1);
        if (small == NULL)
            abort();
        r2 = cs_hs_request(hs, small, (size_t)r - 1, url,
                           (const unsigned char *)FZ_KEY, hdrs, count);
        free(small);
        if (r2 != CS_E_BUFFER)
            fz_fail("cs_hs_request() with cap %d (request %d bytes) "
                    "returned %d, not CS_E_BUFFER", r - 1, r, r2);
        r2 = cs_hs_request(hs, out, sizeof out, url,
                           (const unsigned char *)FZ_KEY, hdrs, count);
        if (r2 != r)
            fz_fail("cs_hs_request() again: %d, first %d", r2, r);
    }
    return r;
}

/* ---- feeding the response ----------------------------------------------- */

typedef struct fz_res {
    int ret;
    size_t used;         /* total consumed */
    int status;
    long retry;
    char location[CS_URL_MAX + 1];
} fz_res;

static int
fz_valid_ret(int r)
{
    return r == 0 || r == CS_HS_OK
           || (r <= CS_E_HS_SYNTAX && r >= CS_E_HS_PROTOCOL);
}

/* One cs_hs_feed() from an exact-size heap copy. */
static int
fz_feed1(cs_hs *hs, const unsigned char *p, size_t k, size_t *used)
{
    static unsigned char none[1];
    unsigned char *c = none;
    int r;

    if (k > 0) {
        c = (unsigned char *)malloc(k);
        if (c == NULL)
            abort();
        memcpy(c, p, k);
    }
    *used = (size_t)0x5a5a5a5a;
    r = cs_hs_feed(hs, c, k, used);
    if (!fz_valid_ret(r))
        fz_fail("cs_hs_feed() returned %d (%s)", r, cs_errname(r));
    if (*used > k)
        fz_fail("*used %zu > len %zu (returned %d)", *used, k, r);
    if (r == 0 && *used != k)
        fz_fail("returned 0 (need more) but used %zu of %zu", *used, k);
    if (k > 0) {
        memset(c, 0xdb, k);
        free(c);
    }
    return r;
}

static void
fz_result(const cs_hs *hs, int r, size_t used, fz_res *o)
{
    const char *loc = cs_hs_location(hs);
    size_t ll;

    o->ret = r;
    o->used = used;
    o->status = cs_hs_status(hs);
    o->retry = cs_hs_retry_after(hs);
    if (loc == NULL)
        fz_fail("cs_hs_location() returned NULL");
    ll = strlen(loc);
    if (ll > CS_URL_MAX)
        fz_fail("location of %zu bytes", ll);
    memcpy(o->location, loc, ll + 1);
}

/* An error must stay: any later call returns it, the results unchanged. */
static void
fz_sticky(cs_hs *hs, const fz_res *o, const unsigned char *p, size_t n)
{
    fz_res again;
    size_t used;
    int r;

    if (o->ret >= 0)
        return;
    r = fz_feed1(hs, p, n, &used);
    fz_result(hs, r, o->used, &again);
    if (r != o->ret || again.status != o->status || again.retry != o->retry
            || strcmp(again.location, o->location) != 0)
        fz_fail("error %s not sticky: now %d, status %d->%d",
                cs_errname(o->ret), r, o->status, again.status);
}

static void
fz_whole(cs_hs *hs, const unsigned char *p, size_t n, fz_res *o)
{
    size_t used;
    int r = fz_feed1(hs, p, n, &used);

    fz_result(hs, r, used, o);
    fz_sticky(hs, o, (const unsigned char *)"HTTP/1.1 101 \r\n\r\n", 17);
}

static void
fz_chunked(cs_hs *hs, const unsigned char *p, size_t n, unsigned mode,
           uint32_t seed, fz_res *o)
{
    size_t i = 0, total = 0, fixed = (size_t)(mode >> 2) + 1, used = 0;
    uint32_t rng = seed | 1u;
    int r = 0;

    if ((mode & 3) == 0) {
        r = fz_feed1(hs, p, n, &used);
        total = used;
    }
    while ((mode & 3) != 0 && i < n && r == 0) {
        size_t k;
        switch (mode & 3) {
        case 1:
            k = fixed;
            break;
        case 2:
            k = 1;
            break;
        default: {
            uint32_t x = fz_rand(&rng);
            if ((x & 15) == 0)
                k = 0;
            else if ((x & 15) == 1)
                k = (x >> 8) % 4096;
            else
                k = (x >> 8) % 24;
            break;
        }
        }
        if (k > n - i)
            k = n - i;
        r = fz_feed1(hs, p + i, k, &used);
        total += used;
        i += k;
    }
    fz_result(hs, r, total, o);
    fz_sticky(hs, o, p, n);
}

static void
fz_same(const fz_res *a, const fz_res *b, const char *what)
{
    if (a->ret != b->ret || a->used != b->used || a->status != b->status
            || a->retry != b->retry || strcmp(a->location, b->location) != 0)
        fz_fail("%s: result %s/%s, used %zu/%zu, status %d/%d, retry-after "
                "%ld/%ld, location \"%s\"/\"%s\"", what,
                a->ret == CS_HS_OK ? "CS_HS_OK" : cs_errname(a->ret),
                b->ret == CS_HS_OK ? "CS_HS_OK" : cs_errname(b->ret),
                a->used, b->used, a->status, b->status, a->retry, b->retry,
                a->location, b->location);
}

/* Invariants of the whole-feed result for the response p[0..n). */
static void
fz_sane(const fz_res *o, const unsigned char *p, size_t n, const cs_url *url)
{
    const unsigned char *h = p;
    size_t hn = o->ret == 0 ? n : o->used;
    fz_line l;
    size_t i;

    if (o->ret == 0 && n > CS_HS_MAX_RESPONSE)
        fz_fail("%zu bytes and no end of the header: not CS_E_HS_TOO_BIG",
                n);
    if (o->retry < -1)
        fz_fail("retry-after %ld", o->retry);
    if (o->status != 0 && (o->status < 100 || o->status > 999))
        fz_fail("status %d", o->status);
    /* status = the status line's three digits, once that line is read */
    if (n >= 13 && memcmp(p, "HTTP/1.1 ", 9) == 0 && p[9] >= '0'
            && p[9] <= '9' && p[10] >= '0' && p[10] <= '9' && p[11] >= '0'
            && p[11] <= '9' && (p[12] == ' ' || p[12] == '\r')
            && o->status != 0
            && o->status != (p[9] - '0') * 100 + (p[10] - '0') * 10
                                + (p[11] - '0'))
        fz_fail("status %d from the line \"%.12s\"", o->status, p);
    if (o->ret == CS_HS_OK || o->ret == CS_E_HS_REDIRECT
            || o->ret == CS_E_HS_STATUS) {
        /* the whole header was read */
        if (o->used > CS_HS_MAX_RESPONSE)
            fz_fail("%s after %zu header bytes, over CS_HS_MAX_RESPONSE",
                    cs_errname(o->ret), o->used);
        if (o->used == 0 || p[o->used - 1] != '\n')
            fz_fail("result %d: the consumed header does not end in LF",
                    o->ret);
        if (o->status < 100)
            fz_fail("result %d without a status", o->ret);
        if (memcmp(p, "HTTP/1.1 ", 9) != 0)
            fz_fail("result %d for a response not starting \"HTTP/1.1 \"",
                    o->ret);
    }
    if (o->ret == CS_HS_OK) {
        size_t k, ok = 0;
        if (o->status != 101)
            fz_fail("CS_HS_OK with status %d", o->status);
        for (k = 0; fz_header(h, hn, k, &l); k++) {
            if (fz_is(l.name, l.name_len, "sec-websocket-accept")
                    && l.val_len == 28 && memcmp(l.val, FZ_ACCEPT, 28) == 0)
                ok |= 1;
            if (fz_is(l.name, l.name_len, "upgrade")
                    && fz_is(l.val, l.val_len, "websocket"))
                ok |= 2;
            if (fz_is(l.name, l.name_len, "connection")
                    && fz_ci_find(l.val, l.val_len, "upgrade") != NULL)
                ok |= 4;
            if ((fz_is(l.name, l.name_len, "sec-websocket-extensions")
                 || fz_is(l.name, l.name_len, "sec-websocket-protocol"))
                    && l.val_len > 0)
                fz_fail("CS_HS_OK with \"%.*s: %.*s\" (not offered)",
                        (int)l.name_len, l.name, (int)l.val_len, l.val);
        }
        if (ok != 7)
            fz_fail("CS_HS_OK without the right accept (%d), Upgrade: "
                    "websocket (%d) or Connection: upgrade (%d)", ok & 1,
                    !!(ok & 2), !!(ok & 4));
    }
    if (o->ret == CS_E_HS_REDIRECT) {
        cs_url u = *url, before = *url;
        int s = o->status;
        if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308)
            fz_fail("CS_E_HS_REDIRECT with status %d", s);
        if (o->location[0] == 0)
            fz_fail("CS_E_HS_REDIRECT without a location");
        if (fz_find(h, hn, o->location, strlen(o->location)) == NULL)
            fz_fail("location \"%s\" is not in the header", o->location);
        if (fz_count(h, hn, "location", &l) == 1 && l.val_len <= CS_URL_MAX
                && (l.val_len != strlen(o->location)
                    || memcmp(l.val, o->location, l.val_len) != 0))
            fz_fail("location \"%s\", the header says \"%.*s\"",
                    o->location, (int)l.val_len, l.val);
        if (cs_url_resolve(&u, o->location, strlen(o->location)) == 0)
            fz_url_sane(&u, "cs_url_resolve(location)");
        else if (memcmp(&u, &before, sizeof u) != 0)
            fz_fail("cs_url_resolve() failed but changed the URL");
    }
    if (o->ret == CS_E_HS_STATUS && (o->status == 101 || o->status == 0))
        fz_fail("CS_E_HS_STATUS with status %d", o->status);
    if (o->retry >= 0 && fz_ci_find(h, hn, "retry-after") == NULL)
        fz_fail("retry-after %ld without a Retry-After header", o->retry);
    if (o->ret == CS_E_HS_STATUS && fz_count(h, hn, "retry-after", &l) == 1
            && l.val_len >= 1 && l.val_len <= 9) {
        long v = 0;
        for (i = 0; i < l.val_len && l.val[i] >= '0' && l.val[i] <= '9';
             i++)
            v = v * 10 + (l.val[i] - '0');
        if (i == l.val_len && o->retry != v)
            fz_fail("Retry-After: %.*s read as %ld", (int)l.val_len, l.val,
                    o->retry);
    }
    if (o->location[0] != 0 && fz_ci_find(h, hn, "location") == NULL)
        fz_fail("location \"%s\" without a Location header", o->location);
}

/* ---- cs_sha1 / cs_base64 ------------------------------------------------ */

static void
fz_hashes(const unsigned char *p, size_t n)
{
    unsigned char d1[20], d2[20];
    size_t k = n < 600 ? n : 600, want = 4 * ((k + 2) / 3), got;
    char *b1 = (char *)malloc(want + 1), b2[804];

    if (b1 == NULL)
        abort();
    cs_sha1(p, n, d1);
    fz_sha1(p, n, d2);
    if (memcmp(d1, d2, 20) != 0)
        fz_fail("cs_sha1() of %zu bytes differs from the reference", n);
    got = cs_base64(p, k, b1);
    fz_b64(p, k, b2);
    if (got != want || memcmp(b1, b2, want + 1) != 0)
        fz_fail("cs_base64() of %zu bytes: %zu \"%.40s\", expected "
                "\"%.40s\"", k, got, b1, b2);
    free(b1);
}

/* ---- the input ---------------------------------------------------------- */

/* Replace the first "@ACCEPT@" (flag 1) and "@PAD@" (flag 2). */
static unsigned char *
fz_splice(const unsigned char *p, size_t n, unsigned flags, unsigned pad,
          size_t *out_n)
{
    size_t cap = n + 64 + (size_t)pad * 97, o = 0, i = 0;
    unsigned char *r = (unsigned char *)malloc(cap ? cap : 1);
    int did_a = !(flags & 1), did_p = !(flags & 2);

    if (r == NULL)
        abort();
    while (i < n) {
        if (!did_a && n - i >= 8 && memcmp(p + i, "@ACCEPT@", 8) == 0) {
            memcpy(r + o, FZ_ACCEPT, 28);
            o += 28;
            i += 8;
            did_a = 1;
        } else if (!did_p && n - i >= 5 && memcmp(p + i, "@PAD@", 5) == 0) {
            memset(r + o, 'p', (size_t)pad * 97);
            o += (size_t)pad * 97;
            i += 5;
            did_p = 1;
        } else {
            r[o++] = p[i++];
        }
    }
    *out_n = o;
    return r;
}

/* Responses that leave a handshake dirty before it is reused. */
static const char *const fz_dirty[] = {
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Accept: " FZ_ACCEPT "\r\n\r\n",
    "HTTP/1.1 301 Moved\r\nLocation: ws://other.example/x\r\n"
    "Retry-After: 30\r\n\r\n",
    "HTTP/1.1 429 Too Many\r\nRetry-After: 120\r\nLocation: /y\r\nX-Lo",
    "HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: xxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "x\r\nConne",
    "garbage\r\n\r\n",
    "HTTP/1.1 503 Busy\r\nRetry-After: 7\r\n\r\n"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int url_ok;
    static cs_url url;
    const char *hdrs[3];
    size_t count = 0, n, rn, k;
    unsigned mode, flags;
    uint32_t seed, rng;
    unsigned char *resp;
    const unsigned char *in;
    char *own_hdr = NULL;
    cs_hs a, b, c;
    fz_res ra, rb, rc;
    int r;

    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    if (!url_ok) {
        char acc[32];
        unsigned char d[20];
        const char *s = FZ_KEY_B64 "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        if (cs_url_parse(&url, FZ_URL, strlen(FZ_URL)) != 0)
            fz_fail("cs_url_parse(\"%s\") failed", FZ_URL);
        fz_url_sane(&url, FZ_URL);
        if (url.port != 8080 || strcmp(url.host, "certstream.example") != 0
                || strcmp(url.path, "/full-stream?x=1") != 0 || url.tls)
            fz_fail("cs_url_parse(\"%s\"): %s %u %s", FZ_URL, url.host,
                    url.port, url.path);
        /* the reference accept value (RFC 6455 1.3) */
        fz_sha1((const unsigned char *)s, strlen(s), d);
        fz_b64(d, 20, acc);
        if (strcmp(acc, FZ_ACCEPT) != 0)
            fz_fail("reference SHA-1/base64 broken: %s", acc);
        url_ok = 1;
    }
    mode = data[0];
    flags = data[1];
    seed = ((uint32_t)data[3] << 8 | data[2]) * 2654435761u + 1u;
    in = data + FZ_HDR;
    n = size - FZ_HDR;

    if (flags & 4) {
        hdrs[count++] = fz_extra[0];
        hdrs[count++] = fz_extra[1];
    }
    if (flags & 8) {
        const unsigned char *z = (const unsigned char *)memchr(in, 0, n);
        k = z ? (size_t)(z - in) : n;
        own_hdr = (char *)malloc(k + 1);
        if (own_hdr == NULL)
            abort();
        memcpy(own_hdr, in, k);
        own_hdr[k] = 0;
        hdrs[count++] = own_hdr;
        in += z ? k + 1 : k;
        n -= z ? k + 1 : k;
    }

    /* 1. the request (an extra header that is refused is dropped) */
    memset(&a, 0xa5, sizeof a);
    r = fz_request(&a, &url, hdrs, count, 1);
    if (r == CS_E_ARG && own_hdr != NULL) {
        count--;
        r = fz_request(&a, &url, hdrs, count, 1);
    }
    if (r <= 0)
        fz_fail("cs_hs_request() returned %d", r);

    resp = fz_splice(in, n, flags, data[2], &rn);

    /* 5. hashes (of the input as given) */
    fz_hashes(in, n < 4096 ? n : 4096);
    n = rn;

    /* 2. whole vs chunked */
    fz_whole(&a, resp, n, &ra);
    fz_sane(&ra, resp, n, &url);
    memset(&b, 0x5a, sizeof b);
    fz_request(&b, &url, hdrs, count, 0);
    fz_chunked(&b, resp, n, mode, seed, &rb);
    fz_same(&ra, &rb, "whole vs chunked");
    if (fz_verbose())
        fprintf(stderr, "  %s: used %zu of %zu, status %d, retry-after %ld, "
                "location \"%s\" (%zu extra headers)\n",
                ra.ret == CS_HS_OK ? "CS_HS_OK"
                                   : ra.ret ? cs_errname(ra.ret) : "0",
                ra.used, n, ra.status, ra.retry, ra.location, count);

    /* 3. reuse after a dirty response */
    rng = seed | 1u;
    {
        const char *d = fz_dirty[fz_rand(&rng) % (sizeof fz_dirty
                                                  / sizeof *fz_dirty)];
        size_t used, dl = strlen(d);
        memset(&c, 0, sizeof c);
        fz_request(&c, &url, NULL, 0, 0);
        fz_feed1(&c, (const unsigned char *)d, fz_rand(&rng) % (dl + 1),
                 &used);
        fz_request(&c, &url, hdrs, count, 0);
        fz_chunked(&c, resp, n,
                   (mode & 3) == 2 ? 0u : n < 4096 ? 2u : 1u | (6u << 2),
                   seed, &rc);
        fz_same(&ra, &rc, "after a dirty response");
    }

    free(resp);
    free(own_hdr);
    return 0;
}
