/* test_hs.c - unit tests of URLs and the opening handshake (cs_url_*,
 * cs_hs_*).
 *
 * Every handshake response goes through check_resp(), which feeds it to
 * a freshly prepared cs_hs whole, 1 byte at a time, split at every
 * offset into two chunks, and in random chunks: the result must be the
 * same each time (return value, bytes consumed, status, Retry-After,
 * Location) and equal to the expected one. Each call gets an exact-size
 * heap copy of its bytes, so a sanitizer build sees any read past them;
 * each call is checked against the contract (*used <= len, all consumed
 * when it returns 0, nothing past the end of the header, errors sticky).
 * The expected Sec-WebSocket-Accept is computed here, with cs_sha1() and
 * cs_base64() (tested in test_ws.c), from the key and the RFC 6455 GUID.
 *
 * URLs are parsed from exact-size copies without a terminating NUL. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#define UTIL_RNG_SEED 0x243f6a8885a308d3u
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ==== helpers ============================================================ */

/* ==== cs_url_parse ======================================================= */

static int
parse(cs_url *u, const char *s, size_t n)
{
    char *c = (char *)xmalloc(n);       /* exact size, no NUL */
    int rc;

    memcpy(c, s, n);
    rc = cs_url_parse(u, c, n);
    free(c);
    return rc;
}

/* s must parse to these fields. */
static void
url_is(const char *s, int tls, int ipv6, unsigned port, int given,
       const char *host, const char *path)
{
    cs_url u;
    int rc;

    memset(&u, 0x5a, sizeof u);
    rc = parse(&u, s, strlen(s));
    CHECKF(rc == 0, "\"%s\": %s", s, cs_errname(rc));
    if (rc != 0)
        return;
    CHECKF(u.tls == tls, "\"%s\": tls %d", s, u.tls);
    CHECKF(u.ipv6 == ipv6, "\"%s\": ipv6 %d", s, u.ipv6);
    CHECKF(u.port == port, "\"%s\": port %u", s, u.port);
    CHECKF(u.port_given == given, "\"%s\": port_given %d", s, u.port_given);
    CHECKF(memchr(u.host, 0, sizeof u.host) != NULL && ieq(u.host, host),
           "\"%s\": host \"%.40s\"", s, u.host);
    CHECKF(memchr(u.path, 0, sizeof u.path) != NULL
           && strcmp(u.path, path) == 0, "\"%s\": path \"%.60s\"", s,
           u.path);
}

static void
url_bad_n(const char *s, size_t n)
{
    cs_url u;
    int rc = parse(&u, s, n);
    CHECKF(rc == CS_E_URL, "\"%.*s\" (%lu bytes): %s", (int)(n < 80 ? n : 80),
           s, (unsigned long)n, rc == 0 ? "accepted" : cs_errname(rc));
}

static void
url_bad(const char *s)
{
    url_bad_n(s, strlen(s));
}

static char g_long[8192];

static void
test_url_parse(void)
{
    cs_url u;
    size_t n;

    url_is("ws://h", 0, 0, 80, 0, "h", "/");
    url_is("wss://h", 1, 0, 443, 0, "h", "/");
    url_is("ws://h:8080/p?q=1", 0, 0, 8080, 1, "h", "/p?q=1");
    url_is("ws://[::1]:9000/x", 0, 1, 9000, 1, "::1", "/x");
    url_is("ws://[::1]/", 0, 1, 80, 0, "::1", "/");
    url_is("wss://[2001:db8::7]", 1, 1, 443, 0, "2001:db8::7", "/");
    url_is("ws://127.0.0.1/", 0, 0, 80, 0, "127.0.0.1", "/");
    url_is("WS://EXAMPLE.COM/Path", 0, 0, 80, 0, "example.com", "/Path");
    url_is("WsS://Host.Example:443/", 1, 0, 443, 1, "host.example", "/");
    url_is("ws://h?x", 0, 0, 80, 0, "h", "/?x");
    url_is("ws://h:81?x=1&y=2", 0, 0, 81, 1, "h", "/?x=1&y=2");
    url_is("ws://h:1/", 0, 0, 1, 1, "h", "/");
    url_is("ws://h:65535/", 0, 0, 65535, 1, "h", "/");
    url_is("ws://h:80/", 0, 0, 80, 1, "h", "/");
    url_is("wss://certstream.calidog.io/full-stream", 1, 0, 443, 0,
           "certstream.calidog.io", "/full-stream");
    url_is("ws://h/a/b/c?x=%20&y=/z", 0, 0, 80, 0, "h", "/a/b/c?x=%20&y=/z");
    url_is("ws://h.example.", 0, 0, 80, 0, "h.example.", "/");

    /* only len bytes are read */
    CHECK(parse(&u, "ws://h/abcdef", 8) == 0 && strcmp(u.path, "/a") == 0);
    CHECK(parse(&u, "ws://h:80xyz", 9) == 0 && u.port == 80);

    /* the longest host and a long path */
    memcpy(g_long, "ws://", 5);
    memset(g_long + 5, 'a', 255);
    memcpy(g_long + 260, "/p", 3);
    CHECK(parse(&u, g_long, 262) == 0 && strlen(u.host) == 255
          && strcmp(u.path, "/p") == 0);
    memset(g_long + 5, 'a', 256);
    memcpy(g_long + 261, "/p", 3);
    url_bad(g_long);                            /* a 256-byte host */
    memcpy(g_long, "ws://h", 6);
    g_long[6] = '/';
    memset(g_long + 7, 'p', 999);
    g_long[7 + 999] = 0;
    CHECK(parse(&u, g_long, 1006) == 0 && strlen(u.path) == 1000);
    memset(g_long + 7, 'p', CS_URL_MAX - 1);    /* path of CS_URL_MAX */
    g_long[6 + CS_URL_MAX] = 0;
    n = strlen(g_long);
    CHECK(n == 6 + CS_URL_MAX);
    url_bad_n(g_long, n);
    memset(g_long + 7, 'p', 5000);              /* and far longer */
    url_bad_n(g_long, 7 + 5000);

    /* not ws://, wss://, http:// or https:// (test_url_schemes) */
    url_bad("ftp://h/");
    url_bad("http:/h/");
    url_bad("https:h/");
    url_bad("httpss://h/");
    url_bad("wss");
    url_bad("ws:/h");
    url_bad("ws:h");
    url_bad("ws//h");
    url_bad("w://h");
    url_bad("wsx://h");
    url_bad("");
    /* no host */
    url_bad("ws://");
    url_bad("ws:///p");
    url_bad("ws://:80/");
    url_bad("ws://?x");
    /* ports */
    url_bad("ws://h:0/");
    url_bad("ws://h:65536/");
    url_bad("ws://h:99999999999999999999/");
    url_bad("ws://h:4294967376/");              /* 2^32 + 80 */
    url_bad("ws://h:8a/");
    url_bad("ws://h:a/");
    url_bad("ws://h:/");
    url_bad("ws://h:");
    url_bad("ws://h:-1/");
    url_bad("ws://h:+80/");
    url_bad("ws://h: 80/");
    url_bad("ws://h:80:81/");
    /* userinfo, fragments */
    url_bad("ws://u@h/");
    url_bad("ws://u:p@h/");
    url_bad("ws://h/#f");
    url_bad("ws://h#f");
    url_bad("ws://h/p?q#f");
    /* spaces and control bytes */
    url_bad("ws://h/a b");
    url_bad("ws://h /");
    url_bad("ws:// h/");
    url_bad("ws://h/\t");
    url_bad("ws://h/\x01");
    url_bad("ws://h/\x1f");
    url_bad("ws://h/\x7f");
    url_bad("ws://h\r\n/");
    url_bad("ws://h/p\r\nX-Injected: 1");
    url_bad_n("ws://h/\0x", 9);
    url_bad_n("ws://h\0/", 8);
    /* brackets */
    url_bad("ws://[::1/");
    url_bad("ws://::1]/");
    url_bad("ws://[::1");
    url_bad("ws://[]/");
    url_bad("ws://[::1]x/");
    url_bad("ws://[::1]:/");
    url_bad("ws://h]/");
}

/* ==== cs_url_resolve ===================================================== */

static void
base(cs_url *u, const char *s)
{
    int rc = parse(u, s, strlen(s));
    CHECKF(rc == 0, "base \"%s\": %s", s, cs_errname(rc));
}

static int
resolve(cs_url *u, const char *loc, size_t n)
{
    char *c = (char *)xmalloc(n);
    int rc;

    memcpy(c, loc, n);
    rc = cs_url_resolve(u, c, n);
    free(c);
    return rc;
}

static void
resolves(const char *from, const char *loc, int tls, int ipv6,
         unsigned port, const char *host, const char *path)
{
    cs_url u;
    int rc;

    base(&u, from);
    rc = resolve(&u, loc, strlen(loc));
    CHECKF(rc == 0, "\"%s\" against \"%s\": %s", loc, from, cs_errname(rc));
    if (rc != 0)
        return;
    CHECKF(u.tls == tls && u.ipv6 == ipv6 && u.port == port
           && ieq(u.host, host) && strcmp(u.path, path) == 0,
           "\"%s\" against \"%s\": tls %d ipv6 %d port %u host \"%s\" "
           "path \"%s\"", loc, from, u.tls, u.ipv6, u.port, u.host, u.path);
}

static void
resolve_bad_n(const char *from, const char *loc, size_t n)
{
    cs_url u, before;
    int rc;

    base(&u, from);
    before = u;
    rc = resolve(&u, loc, n);
    CHECKF(rc == CS_E_URL, "\"%.*s\" against \"%s\": %s",
           (int)(n < 80 ? n : 80), loc, from,
           rc == 0 ? "accepted" : cs_errname(rc));
    CHECKF(memcmp(&u, &before, sizeof u) == 0,
           "\"%.*s\" against \"%s\": the url changed", (int)(n < 80 ? n : 80),
           loc, from);
}

static void
resolve_bad(const char *from, const char *loc)
{
    resolve_bad_n(from, loc, strlen(loc));
}

/* http:// and https:// parse (scheme, default ports 80/443, path and
 * query kept); resolving against an http(s) base keeps http(s) and
 * refuses ws(s); the websocket client still refuses them (CS_E_URL). */
static void
test_url_schemes(void)
{
    static const struct {
        const char *s;
        int scheme, tls;
        unsigned port;
        const char *path;
    } t[] = {
        {"ws://h/a", CS_URL_WS, 0, 80, "/a"},
        {"wss://h/a", CS_URL_WSS, 1, 443, "/a"},
        {"http://h/a?b=c", CS_URL_HTTP, 0, 80, "/a?b=c"},
        {"HTTPS://h", CS_URL_HTTPS, 1, 443, "/"},
        {"https://h:8443/ct/v1/get-sth", CS_URL_HTTPS, 1, 8443,
         "/ct/v1/get-sth"},
        {"http://[::1]:81?x", CS_URL_HTTP, 0, 81, "/?x"},
    };
    static const char *const clients[] = {"http://h/", "https://h/x"};
    size_t i;
    cs_url u;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        memset(&u, 0x5a, sizeof u);
        CHECKF(parse(&u, t[i].s, strlen(t[i].s)) == 0, "%s", t[i].s);
        CHECKF(u.scheme == t[i].scheme && u.tls == t[i].tls
                   && u.port == t[i].port && strcmp(u.path, t[i].path) == 0,
               "%s: scheme %d tls %d port %u path %s", t[i].s, u.scheme,
               u.tls, u.port, u.path);
    }
    url_bad("http://u@h/");
    url_bad("https://h/#f");
    url_bad("http://h:0/");
    url_bad("https://");
    /* against an http(s) base */
    resolves("https://a/b/c", "http://e:8/x", 0, 0, 8, "e", "/x");
    resolves("http://a/b/c", "https://f", 1, 0, 443, "f", "/");
    resolves("https://a/b/c", "d?e", 1, 0, 443, "a", "/b/d?e");
    resolves("https://a/b/c", "//g/h", 1, 0, 443, "g", "/h");
    resolve_bad("https://a/b", "ws://h/");
    resolve_bad("http://a/b", "wss://h/");
    memset(&u, 0, sizeof u);
    CHECK(parse(&u, "https://a/b", 11) == 0
          && resolve(&u, "HTTP://x/y", 10) == 0 && u.scheme == CS_URL_HTTP
          && u.tls == 0);
    CHECK(parse(&u, "http://a/b", 10) == 0 && resolve(&u, "//x", 3) == 0
          && u.scheme == CS_URL_HTTP && u.port == 80);
    /* against a ws(s) base http(s) still means ws(s) */
    CHECK(parse(&u, "wss://a/b", 9) == 0 && resolve(&u, "http://x/", 9) == 0
          && u.scheme == CS_URL_WS && u.tls == 0);
    CHECK(parse(&u, "ws://a/b", 8) == 0 && resolve(&u, "https://x/", 10) == 0
          && u.scheme == CS_URL_WSS && u.tls == 1);
    /* the websocket client refuses http(s), as before */
    for (i = 0; i < 2; i++) {
        static cs_client c;
        cs_config cfg;
        cs_transport tr;
        memset(&tr, 0, sizeof tr);
        cs_config_init(&cfg);
        cfg.url = clients[i];
        CHECKF(cs_client_init(&c, &cfg, &tr) == CS_E_URL, "%s", clients[i]);
    }
}

static void
test_url_resolve(void)
{
    static const char b[] = "wss://a.example:8443/a/b?x=1";
    cs_url u;

    /* absolute: ws, wss, http -> ws, https -> wss */
    resolves(b, "ws://c.example/p", 0, 0, 80, "c.example", "/p");
    resolves(b, "wss://d:9/q?r", 1, 0, 9, "d", "/q?r");
    resolves(b, "http://e/", 0, 0, 80, "e", "/");
    resolves(b, "https://f", 1, 0, 443, "f", "/");
    resolves(b, "HTTP://G:81/x", 0, 0, 81, "g", "/x");
    resolves(b, "https://[::2]:7/v", 1, 1, 7, "::2", "/v");
    resolves("ws://[::1]:9000/x", "ws://h/", 0, 0, 80, "h", "/");
    base(&u, b);
    CHECK(resolve(&u, "https://f", 9) == 0 && u.port_given == 0);
    /* network-path: the base's scheme, the port from the reference */
    resolves(b, "//other:1/p", 1, 0, 1, "other", "/p");
    resolves("ws://a/b", "//other:1/p", 0, 0, 1, "other", "/p");
    resolves(b, "//other/p", 1, 0, 443, "other", "/p");
    resolves("ws://a:81/b", "//other", 0, 0, 80, "other", "/");
    resolves(b, "//[::3]/", 1, 1, 443, "::3", "/");
    /* absolute path: host and port kept */
    resolves(b, "/abs?q", 1, 0, 8443, "a.example", "/abs?q");
    resolves("ws://[::1]:9000/x", "/y", 0, 1, 9000, "::1", "/y");
    base(&u, b);
    CHECK(resolve(&u, "/abs", 4) == 0 && u.port_given == 1);
    /* relative path: merged with the base's directory (RFC 3986 5.2.3) */
    resolves("ws://h/a/b", "sub", 0, 0, 80, "h", "/a/sub");
    resolves(b, "sub", 1, 0, 8443, "a.example", "/a/sub");
    resolves(b, "sub?y=2", 1, 0, 8443, "a.example", "/a/sub?y=2");
    resolves("ws://h/a/b?x=/y/z", "sub", 0, 0, 80, "h", "/a/sub");
    resolves("ws://h/", "sub", 0, 0, 80, "h", "/sub");
    resolves("ws://h?q", "sub", 0, 0, 80, "h", "/sub");
    resolves("ws://h/a/", "sub/c", 0, 0, 80, "h", "/a/sub/c");
    /* a colon is fine after the first segment and in the query
     * (RFC 3986 4.2: only a first segment "a:b" would read as a scheme) */
    resolves("ws://h/a/b", "sub?t=12:30", 0, 0, 80, "h", "/a/sub?t=12:30");
    resolves("ws://h/a/b", "x/y:z", 0, 0, 80, "h", "/a/x/y:z");

    /* invalid: CS_E_URL and the url as it was */
    resolve_bad(b, "ftp://x/");
    resolve_bad(b, "mailto:x@y");
    resolve_bad(b, "ws://");
    resolve_bad(b, "http://");
    resolve_bad(b, "ws://u@h/");
    resolve_bad(b, "http://h:0/");
    resolve_bad(b, "https://h:65536/");
    resolve_bad(b, "ws://h:x/");
    resolve_bad(b, "//");
    resolve_bad(b, "//:80/p");
    resolve_bad(b, "//u@h/");
    resolve_bad(b, "/a b");
    resolve_bad(b, "/a\r\nX: y");
    resolve_bad(b, "sub\x01");
    resolve_bad(b, "ws://[::1/");
    resolve_bad_n(b, "/a\0b", 4);
    /* too long: the location itself, or the merged path */
    g_long[0] = '/';
    memset(g_long + 1, 'p', 3000);
    resolve_bad_n(b, g_long, 3001);
    resolve_bad_n(b, g_long, CS_URL_MAX);
    memset(g_long, 'p', CS_URL_MAX - 3);        /* fits alone, not after /a/ */
    resolve_bad_n(b, g_long, CS_URL_MAX - 3);
}

/* ==== cs_hs_request ====================================================== */

static const unsigned char g_key_rfc[16] = {
    't', 'h', 'e', ' ', 's', 'a', 'm', 'p', 'l', 'e', ' ', 'n', 'o', 'n',
    'c', 'e'
};
static const unsigned char g_key2[16] = {
    0x00, 0xff, 0x10, 0xef, 0x80, 0x7f, 0x01, 0xfe, 0x55, 0xaa, 0x3c, 0xc3,
    0x99, 0x66, 0x0f, 0xf0
};

/* The accept for key, as RFC 6455 4.2.2 defines it. */
static void
accept_of(const unsigned char key[16], char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char in[24 + 36];
    unsigned char d[20];

    cs_base64(key, 16, in);
    memcpy(in + 24, guid, 36);
    cs_sha1(in, sizeof in, d);
    cs_base64(d, 20, out);
}

#define REQ_MAX 8192
static char g_req[REQ_MAX + 64];

/* A request split into lines (CRLF-ended, none with a bare CR or LF). */
typedef struct lines {
    int n;
    const char *at[64];
    size_t len[64];
    int ok;                     /* well-formed, ends with the empty line */
} lines;

static void
split_lines(lines *l, const char *s, size_t n)
{
    size_t i = 0, start = 0;

    l->n = 0;
    l->ok = 0;
    while (i < n) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            if (l->n == 64)
                return;
            l->at[l->n] = s + start;
            l->len[l->n++] = i - start;
            i += 2;
            if (i - 2 == start) {
                /* the empty line: the last, and only there */
                l->ok = l->n >= 2 && i == n;
                return;
            }
            start = i;
            continue;
        }
        if (s[i] == '\r' || s[i] == '\n' || s[i] == 0)
            return;
        i++;
    }
}

/* The value of the one header named name (leading and trailing spaces
 * dropped), or NULL when absent; *count: how many there are. */
static const char *
header(const lines *l, const char *name, int *count, size_t *vlen)
{
    static char v[REQ_MAX];
    size_t nl = strlen(name);
    const char *found = NULL;
    int i;

    *count = 0;
    for (i = 1; i < l->n; i++) {
        const char *s = l->at[i];
        size_t n = l->len[i], b = nl + 1, e = n;
        if (n <= nl || s[nl] != ':' || !ieqn(s, name, nl))
            continue;
        (*count)++;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        memcpy(v, s + b, e - b);
        v[e - b] = 0;
        *vlen = e - b;
        found = v;
    }
    return found;
}

static int
has_token(const char *v, const char *tok)
{
    size_t tl = strlen(tok);
    while (*v) {
        size_t n;
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        n = strcspn(v, ", \t");
        if (n == tl && ieqn(v, tok, tl))
            return 1;
        v += n;
    }
    return 0;
}

/* Check the request for url; extra headers, if any, must follow in
 * order. Returns the request's length, or 0. */
static int
request_ok(const char *url, const unsigned char key[16], const char *host,
           const char *path, const char *const *extra, size_t nextra)
{
    cs_hs hs;
    cs_url u;
    lines l;
    char want_key[25], first[CS_URL_MAX + 32];
    const char *v;
    int rc, c, i, last = 0;
    size_t vl, k;

    if (parse(&u, url, strlen(url)) != 0) {
        CHECKF(0, "\"%s\" does not parse", url);
        return 0;
    }
    memset(g_req, 0x5a, sizeof g_req);
    rc = cs_hs_request(&hs, g_req, REQ_MAX, &u, key, extra, nextra);
    CHECKF(rc > 0 && rc < REQ_MAX, "%s: %s", url, cs_errname(rc));
    if (rc <= 0 || rc >= REQ_MAX)
        return 0;
    split_lines(&l, g_req, (size_t)rc);
    CHECKF(l.ok, "%s: not CRLF lines ending with an empty line:\n%.*s", url,
           rc, g_req);
    if (!l.ok)
        return 0;
    sprintf(first, "GET %s HTTP/1.1", path);
    CHECKF(l.len[0] == strlen(first) && memcmp(l.at[0], first, l.len[0]) == 0,
           "%s: request line \"%.*s\"", url, (int)l.len[0], l.at[0]);
    v = header(&l, "Host", &c, &vl);
    CHECKF(c == 1 && strcmp(v, host) == 0, "%s: Host \"%s\", want \"%s\"",
           url, c ? v : "(none)", host);
    v = header(&l, "Upgrade", &c, &vl);
    CHECKF(c == 1 && ieq(v, "websocket"), "%s: Upgrade", url);
    v = header(&l, "Connection", &c, &vl);
    CHECKF(c == 1 && has_token(v, "upgrade"), "%s: Connection", url);
    cs_base64(key, 16, want_key);
    v = header(&l, "Sec-WebSocket-Key", &c, &vl);
    CHECKF(c == 1 && strcmp(v, want_key) == 0, "%s: Sec-WebSocket-Key "
           "\"%s\", want \"%s\"", url, c ? v : "", want_key);
    v = header(&l, "Sec-WebSocket-Version", &c, &vl);
    CHECKF(c == 1 && strcmp(v, "13") == 0, "%s: Sec-WebSocket-Version", url);
    v = header(&l, "User-Agent", &c, &vl);
    CHECKF(c == 1 && strstr(v, "certstream.h/") != NULL, "%s: User-Agent",
           url);
    header(&l, "Sec-WebSocket-Extensions", &c, &vl);
    CHECKF(c == 0, "%s: offers extensions", url);
    header(&l, "Sec-WebSocket-Protocol", &c, &vl);
    CHECKF(c == 0, "%s: offers a subprotocol", url);
    /* the extra lines, verbatim and in order */
    for (k = 0; k < nextra; k++) {
        size_t n = strlen(extra[k]);
        for (i = last + 1; i < l.n; i++)
            if (l.len[i] == n && memcmp(l.at[i], extra[k], n) == 0)
                break;
        CHECKF(i < l.n, "%s: extra header \"%s\" missing or out of order",
               url, extra[k]);
        last = i < l.n ? i : last;
    }
    /* nothing else but these lines: 7 + the extra + the empty line */
    CHECKF(l.n == 8 + (int)nextra, "%s: %d lines", url, l.n);
    /* nothing written past cap (REQ_MAX) */
    for (k = REQ_MAX; k < sizeof g_req; k++)
        if (g_req[k] != 0x5a)
            break;
    CHECK(k == sizeof g_req);
    return rc;
}

static void
test_request(void)
{
    static const char *const extra[] = {
        "Authorization: Bearer abc.def", "X-Trace:1", "Hostname: h2",
        "Upgrade-Insecure-Requests: 1", "Origin: https://example.com",
        "X-Empty-Looking: \"\""
    };
    static const char *const bad[] = {
        "X-A: b\r\nX-B: c", "X-A: b\n", "X-A: b\r", "X-A\r: b", "NoColon",
        ": value", " X-A: b", "X A: b", "X-A : b", "X(A): b", "",
        "Host: evil", "host: evil", "HOST: evil", "Upgrade: h2c",
        "upgrade: websocket", "Connection: close", "connection: upgrade",
        "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==",
        "Sec-WebSocket-Version: 8", "Sec-WebSocket-Extensions: x",
        "sec-websocket-protocol: chat", "Sec-WebSocket-Accept: x",
        "SEC-WEBSOCKET-FOO: x", "X-A: b\x01c", "X-A: b\x7f"
    };
    const char *two[2];
    cs_hs hs;
    cs_url u;
    size_t i, cap;
    int n, rc;

    request_ok("ws://h", g_key_rfc, "h", "/", NULL, 0);
    request_ok("wss://h", g_key2, "h", "/", NULL, 0);
    request_ok("ws://h:80/", g_key2, "h", "/", NULL, 0);
    request_ok("wss://h:443/", g_key2, "h", "/", NULL, 0);
    request_ok("ws://h:443/", g_key2, "h:443", "/", NULL, 0);
    request_ok("wss://h:80/", g_key2, "h:80", "/", NULL, 0);
    request_ok("ws://h:8080/p?q=1", g_key2, "h:8080", "/p?q=1", NULL, 0);
    request_ok("ws://[::1]:9000/x", g_key2, "[::1]:9000", "/x", NULL, 0);
    request_ok("wss://[::1]/", g_key2, "[::1]", "/", NULL, 0);
    request_ok("ws://h?x", g_key2, "h", "/?x", NULL, 0);
    request_ok("wss://certstream.calidog.io/full-stream", g_key2,
               "certstream.calidog.io", "/full-stream", NULL, 0);
    request_ok("ws://h/", g_key2, "h", "/", extra, 6);
    request_ok("ws://h/", g_key2, "h", "/", extra, 0);

    /* the RFC 6455 sample key appears as its sample base64 */
    base(&u, "ws://server.example.com/chat");
    n = cs_hs_request(&hs, g_req, REQ_MAX, &u, g_key_rfc, NULL, 0);
    CHECK(n > 0 && strstr(g_req, "dGhlIHNhbXBsZSBub25jZQ==") != NULL);

    /* bad extra headers: CS_E_ARG, alone or after a good one */
    base(&u, "ws://h/");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = cs_hs_request(&hs, g_req, REQ_MAX, &u, g_key2, &bad[i], 1);
        CHECKF(rc == CS_E_ARG, "extra header \"%s\": %s", bad[i],
               rc > 0 ? "accepted" : cs_errname(rc));
        two[0] = extra[0];
        two[1] = bad[i];
        rc = cs_hs_request(&hs, g_req, REQ_MAX, &u, g_key2, two, 2);
        CHECKF(rc == CS_E_ARG, "second extra header \"%s\": %s", bad[i],
               rc > 0 ? "accepted" : cs_errname(rc));
    }

    /* cap: every size below the request's is CS_E_BUFFER, and nothing is
     * written past cap; the exact size is enough (the contract promises
     * out[0..length), no NUL after it) */
    n = cs_hs_request(&hs, g_req, REQ_MAX, &u, g_key2, extra, 6);
    CHECK(n > 0);
    for (cap = 0; n > 0 && cap <= (size_t)n; cap++) {
        size_t k;
        memset(g_req, 0x5a, sizeof g_req);
        rc = cs_hs_request(&hs, g_req, cap, &u, g_key2, extra, 6);
        if (cap < (size_t)n)
            CHECKF(rc == CS_E_BUFFER, "cap %lu of %d: %d", (unsigned long)cap,
                   n, rc);
        else
            CHECKF(rc == n, "cap %lu of %d: %d", (unsigned long)cap, n, rc);
        for (k = cap; k < sizeof g_req && g_req[k] == 0x5a; k++)
            ;
        CHECKF(k == sizeof g_req, "cap %lu: byte %lu written",
               (unsigned long)cap, (unsigned long)k);
    }
}

/* ==== cs_hs_feed ========================================================= */

static cs_hs g_hs;
static cs_url g_url;
static const unsigned char *g_key = g_key_rfc;
static char g_acc[29];

/* A response of up to RESP_MAX bytes, built here. */
#define RESP_MAX (48 * 1024)
static char g_resp[RESP_MAX];
static size_t g_rn;

static void
r_add(const char *s)
{
    size_t n = strlen(s);
    if (g_rn + n > RESP_MAX) {
        fprintf(stderr, "response too big\n");
        exit(2);
    }
    memcpy(g_resp + g_rn, s, n);
    g_rn += n;
}

static void
r_begin(void)
{
    g_rn = 0;
}

/* The usual 101 response's header lines (without the status line). */
static void
r_good_headers(void)
{
    r_add("Upgrade: websocket\r\n");
    r_add("Connection: Upgrade\r\n");
    r_add("Sec-WebSocket-Accept: ");
    r_add(g_acc);
    r_add("\r\n");
}

/* What one feeding of a response produced. */
typedef struct hres {
    int rc;
    uint64_t consumed, reach;
    int status;
    long retry;
    char loc[CS_URL_MAX + 2];
    const char *bad;
} hres;

static hres g_hr, g_hc;
static size_t g_hcuts[RESP_MAX];

static void
prep(void)
{
    char req[REQ_MAX];
    int n = cs_hs_request(&g_hs, req, sizeof req, &g_url, g_key, NULL, 0);
    if (n <= 0) {
        fprintf(stderr, "cs_hs_request: %d\n", n);
        exit(2);
    }
}

/* Feed g_resp[0..g_rn) cut at cuts[0..ncut) to a fresh g_hs. */
static void
run_hs(hres *r, const size_t *cuts, size_t ncut)
{
    size_t i, pos = 0;
    const char *loc;

    prep();
    r->rc = 0;
    r->consumed = 0;
    r->reach = 0;
    r->bad = NULL;
    for (i = 0; i <= ncut && r->rc == 0; i++) {
        size_t end = i < ncut ? cuts[i] : g_rn, n = end - pos, used;
        unsigned char *c = (unsigned char *)xmalloc(n);
        memcpy(c, g_resp + pos, n);
        used = (size_t)-1;
        r->rc = cs_hs_feed(&g_hs, c, n, &used);
        free(c);
        if (used > n) {
            r->bad = "*used > len";
            used = 0;
        }
        if (r->rc == 0 && used != n)
            r->bad = "returned 0 (need more) with bytes left";
        pos += used;
        r->consumed += used;
        r->reach = end;
        if (r->rc == 0)
            pos = end;
    }
    r->status = cs_hs_status(&g_hs);
    r->retry = cs_hs_retry_after(&g_hs);
    loc = cs_hs_location(&g_hs);
    if (loc == NULL) {
        r->bad = "cs_hs_location() returned NULL";
        loc = "";
    }
    if (strlen(loc) > CS_URL_MAX)
        r->bad = "a location over CS_URL_MAX";
    strncpy(r->loc, loc, sizeof r->loc - 1);
    r->loc[sizeof r->loc - 1] = 0;
    if (r->rc < 0) {
        /* errors are sticky */
        size_t used = 0;
        if (cs_hs_feed(&g_hs, (const unsigned char *)"HTTP/1.1 101 x\r\n",
                       16, &used) != r->rc
                || cs_hs_feed(&g_hs, (const unsigned char *)"", 0, &used)
                   != r->rc)
            r->bad = "an error that is not sticky";
    }
}

static const char *
diff_hres(const hres *a, const hres *b)
{
    if (a->rc != b->rc)
        return "the return value";
    if (a->consumed != b->consumed)
        return "the bytes consumed";
    if (a->status != b->status)
        return "cs_hs_status()";
    if (a->retry != b->retry)
        return "cs_hs_retry_after()";
    if (strcmp(a->loc, b->loc) != 0)
        return "cs_hs_location()";
    return NULL;
}

static long g_runs;

static int
same_hs(const char *name, const char *how)
{
    const char *d;

    g_runs++;
    if (g_hc.bad != NULL) {
        CHECKF(0, "%s: %s when %s", name, g_hc.bad, how);
        return 0;
    }
    d = diff_hres(&g_hr, &g_hc);
    if (d == NULL)
        return 1;
    CHECKF(0, "%s: %s differs when %s (whole: %s, %llu bytes; this: %s, "
           "%llu bytes)", name, d, how, cs_errname(g_hr.rc),
           (unsigned long long)g_hr.consumed, cs_errname(g_hc.rc),
           (unsigned long long)g_hc.consumed);
    return 0;
}

#define ANY_STATUS (-2)   /* not specified (a malformed status line) */

/* The response in g_resp; hlen: the length of its header. The result
 * must be rc with these accessors; CS_HS_OK consumes exactly hlen bytes,
 * an error at most hlen. */
static void
check_resp(const char *name, size_t hlen, int rc, int status, long retry,
           const char *loc)
{
    size_t k, i;
    char how[80];

    run_hs(&g_hr, g_hcuts, 0);
    g_runs++;
    if (g_hr.bad != NULL) {
        CHECKF(0, "%s: %s when fed whole", name, g_hr.bad);
        return;
    }
    if (g_hr.rc != rc || (status != ANY_STATUS && g_hr.status != status)
            || g_hr.retry != retry
            || strcmp(g_hr.loc, loc) != 0
            || (rc == CS_HS_OK ? g_hr.consumed != hlen
                : g_hr.consumed > hlen)) {
        CHECKF(0, "%s: %s, %llu bytes used, status %d, retry %ld, location "
               "\"%.60s\"; want %s, %lu bytes, status %d, retry %ld, "
               "location \"%.60s\"", name, cs_errname(g_hr.rc),
               (unsigned long long)g_hr.consumed, g_hr.status, g_hr.retry,
               g_hr.loc, cs_errname(rc), (unsigned long)hlen, status, retry,
               loc);
        return;
    }
    for (k = 1; k < g_rn; k++)
        g_hcuts[k - 1] = k;
    run_hs(&g_hc, g_hcuts, g_rn - 1);
    if (!same_hs(name, "fed 1 byte at a time"))
        return;
    if (rc == CS_E_HS_TOO_BIG && g_hc.reach > CS_HS_MAX_RESPONSE) {
        CHECKF(0, "%s: fed 1 byte at a time, %s came after byte %llu", name,
               cs_errname(rc), (unsigned long long)g_hc.reach);
        return;
    }
    for (k = 1; k < g_rn; k++) {
        g_hcuts[0] = k;
        run_hs(&g_hc, g_hcuts, 1);
        sprintf(how, "split at %lu", (unsigned long)k);
        if (!same_hs(name, how))
            return;
    }
    for (i = 0; i < 16 && g_rn > 2; i++) {
        size_t at = 0, nc = 0, lim = i < 8 ? 1 + rnd_below(16) : g_rn;
        while (1) {
            at += 1 + rnd_below(lim);
            if (at >= g_rn)
                break;
            g_hcuts[nc++] = at;
        }
        run_hs(&g_hc, g_hcuts, nc);
        sprintf(how, "in %lu random chunks", (unsigned long)nc + 1);
        if (!same_hs(name, how))
            return;
    }
}

/* A 101 response: status line, then lines, then the empty line; frames
 * after it. Checked to succeed. */
static void
accepted(const char *name, const char *status_line, const char *lines_)
{
    size_t h;

    r_begin();
    r_add(status_line);
    r_add(lines_);
    r_add("\r\n");
    h = g_rn;
    r_add("\x81\x02hi\x89\x00");        /* frames in the same read */
    check_resp(name, h, CS_HS_OK, 101, -1, "");
}

/* A response refused with rc. */
static void
refused(const char *name, const char *head, int rc, int status, long retry,
        const char *loc)
{
    size_t h;

    r_begin();
    r_add(head);
    r_add("\r\n");
    h = g_rn;
    r_add("\x81\x02hi");
    check_resp(name, h, rc, status, retry, loc);
}

static char g_lines[RESP_MAX];

/* g_lines = the usual three header lines with one replaced (or dropped,
 * with ""): which is 0 Upgrade, 1 Connection, 2 Sec-WebSocket-Accept. */
static const char *
with(int which, const char *line)
{
    char acc[64];
    sprintf(acc, "Sec-WebSocket-Accept: %s\r\n", g_acc);
    sprintf(g_lines, "HTTP/1.1 101 Switching Protocols\r\n%s%s%s",
            which == 0 ? line : "Upgrade: websocket\r\n",
            which == 1 ? line : "Connection: Upgrade\r\n",
            which == 2 ? line : acc);
    return g_lines;
}

static void
use_key(const unsigned char key[16], const char *url)
{
    g_key = key;
    accept_of(key, g_acc);
    base(&g_url, url);
}

static void
test_accepted(void)
{
    static char big[RESP_MAX];
    char l[256];
    size_t at;
    int i;

    use_key(g_key_rfc, "ws://server.example.com/chat");
    CHECK(strcmp(g_acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    accepted("the RFC 6455 sample", "HTTP/1.1 101 Switching Protocols\r\n",
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");

    use_key(g_key2, "wss://certstream.calidog.io/");
    sprintf(l, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("the usual response", "HTTP/1.1 101 Switching Protocols\r\n",
             l);
    accepted("reason \"OK\"", "HTTP/1.1 101 OK\r\n", l);
    accepted("an empty reason", "HTTP/1.1 101 \r\n", l);
    accepted("a long reason", "HTTP/1.1 101 Web Socket Protocol Handshake, "
             "as nginx and others say it\r\n", l);
    sprintf(l, "upgrade: websocket\r\nCONNECTION: upgrade\r\n"
            "sec-websocket-accept: %s\r\n", g_acc);
    accepted("header names in other cases", "HTTP/1.1 101 Switching "
             "Protocols\r\n", l);
    sprintf(l, "Upgrade:websocket\r\nConnection:Upgrade\r\n"
            "Sec-WebSocket-Accept:%s\r\n", g_acc);
    accepted("no space after the colons", "HTTP/1.1 101 x\r\n", l);
    sprintf(l, "Upgrade: \t websocket \t \r\nConnection:   Upgrade   \r\n"
            "Sec-WebSocket-Accept:  %s  \t\r\n", g_acc);
    accepted("optional whitespace around values", "HTTP/1.1 101 x\r\n", l);
    sprintf(l, "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("Connection: keep-alive, Upgrade; Upgrade: WebSocket",
             "HTTP/1.1 101 x\r\n", l);
    sprintf(l, "Upgrade: websocket\r\nConnection: Upgrade, keep-alive\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("Connection: Upgrade, keep-alive", "HTTP/1.1 101 x\r\n", l);
    sprintf(l, "Upgrade: websocket\r\nConnection: keep-alive,UPGRADE\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("Connection: keep-alive,UPGRADE", "HTTP/1.1 101 x\r\n", l);
    sprintf(l, "Sec-WebSocket-Accept: %s\r\nServer: nginx\r\nDate: Mon, 01 "
            "Jan 2024 00:00:00 GMT\r\nConnection: upgrade\r\nUpgrade: "
            "websocket\r\nX-Colon: a:b:c\r\nX-Empty:\r\n", g_acc);
    accepted("other order, other headers", "HTTP/1.1 101 x\r\n", l);

    /* several KB of other headers */
    at = 0;
    for (i = 0; at < 9000; i++)
        at += (size_t)sprintf(big + at, "X-Filler-%d: %0*d\r\n", i, 40 + i % 50,
                              i);
    sprintf(big + at, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("9 KB of other headers", "HTTP/1.1 101 x\r\n", big);
    /* one header line far longer than a URL */
    memcpy(big, "Set-Cookie: ", 12);
    memset(big + 12, 'c', 6000);
    sprintf(big + 6012, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: %s\r\n", g_acc);
    accepted("a 6000-byte header line", "HTTP/1.1 101 x\r\n", big);
}

static void
test_status(void)
{
    static const int codes[] = { 200, 204, 400, 401, 403, 404, 426, 500,
                                 502 };
    static const int redirects[] = { 301, 302, 303, 307, 308 };
    char h[CS_URL_MAX + 600], name[100];
    size_t i;

    use_key(g_key2, "ws://h/");
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        sprintf(h, "HTTP/1.1 %d Whatever\r\nContent-Length: 0\r\n", codes[i]);
        sprintf(name, "status %d", codes[i]);
        refused(name, h, CS_E_HS_STATUS, codes[i], -1, "");
    }
    /* Retry-After, delta-seconds */
    refused("429 with Retry-After: 7", "HTTP/1.1 429 Too Many Requests\r\n"
            "Retry-After: 7\r\n", CS_E_HS_STATUS, 429, 7, "");
    refused("503 with Retry-After: 7", "HTTP/1.1 503 Service Unavailable\r\n"
            "Content-Type: text/plain\r\nRetry-After: 7\r\n", CS_E_HS_STATUS,
            503, 7, "");
    refused("503 with retry-after:  120 ", "HTTP/1.1 503 x\r\n"
            "retry-after:  120 \r\n", CS_E_HS_STATUS, 503, 120, "");
    refused("503 with Retry-After: 0", "HTTP/1.1 503 x\r\nRetry-After: 0\r\n",
            CS_E_HS_STATUS, 503, 0, "");
    refused("503 with Retry-After as a date", "HTTP/1.1 503 x\r\n"
            "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n", CS_E_HS_STATUS,
            503, -1, "");
    refused("429 without Retry-After", "HTTP/1.1 429 x\r\n", CS_E_HS_STATUS,
            429, -1, "");
    /* redirects */
    for (i = 0; i < sizeof redirects / sizeof redirects[0]; i++) {
        sprintf(h, "HTTP/1.1 %d Moved\r\nLocation: wss://other.example/x?y"
                "\r\nContent-Length: 0\r\n", redirects[i]);
        sprintf(name, "status %d with a Location", redirects[i]);
        refused(name, h, CS_E_HS_REDIRECT, redirects[i], -1,
                "wss://other.example/x?y");
    }
    refused("302, location: with spaces", "HTTP/1.1 302 Found\r\n"
            "location:   /relative/path  \r\n", CS_E_HS_REDIRECT, 302, -1,
            "/relative/path");
    refused("302 without Location", "HTTP/1.1 302 Found\r\n", CS_E_HS_STATUS,
            302, -1, "");
    /* a Location of CS_URL_MAX bytes is kept whole */
    strcpy(h, "HTTP/1.1 307 x\r\nLocation: /");
    memset(h + strlen(h), 'l', CS_URL_MAX - 1);
    h[27 + CS_URL_MAX - 1] = 0;
    strcat(h, "\r\n");
    {
        char want[CS_URL_MAX + 1];
        want[0] = '/';
        memset(want + 1, 'l', CS_URL_MAX - 1);
        want[CS_URL_MAX] = 0;
        refused("307 with a Location of CS_URL_MAX bytes", h,
                CS_E_HS_REDIRECT, 307, -1, want);
    }
}

/* A too long Location is never handed out cut short. */
static void
test_long_location(void)
{
    static char h[4000];
    size_t n;

    use_key(g_key2, "ws://h/");
    strcpy(h, "HTTP/1.1 301 x\r\nLocation: ws://h/");
    n = strlen(h);
    memset(h + n, 'l', 2000);
    strcpy(h + n + 2000, "\r\n\r\n");
    r_begin();
    r_add(h);
    run_hs(&g_hr, g_hcuts, 0);
    CHECK(g_hr.bad == NULL);
    CHECKF(g_hr.rc < 0 && g_hr.rc != CS_E_HS_REDIRECT,
           "a 2007-byte Location: %s, location of %lu bytes",
           cs_errname(g_hr.rc), (unsigned long)strlen(g_hr.loc));
}

static void
test_refused(void)
{
    char acc[64], other[29];
    size_t i;

    use_key(g_key2, "ws://h:8080/p");
    /* Upgrade */
    refused("no Upgrade", with(0, ""), CS_E_HS_UPGRADE, 101, -1, "");
    refused("Upgrade: h2c", with(0, "Upgrade: h2c\r\n"), CS_E_HS_UPGRADE, 101,
            -1, "");
    refused("Upgrade: websocket2", with(0, "Upgrade: websocket2\r\n"),
            CS_E_HS_UPGRADE, 101, -1, "");
    refused("Upgrade: web socket", with(0, "Upgrade: web socket\r\n"),
            CS_E_HS_UPGRADE, 101, -1, "");
    refused("empty Upgrade", with(0, "Upgrade:\r\n"), CS_E_HS_UPGRADE, 101,
            -1, "");
    /* Connection */
    refused("no Connection", with(1, ""), CS_E_HS_CONNECTION, 101, -1, "");
    refused("Connection: keep-alive", with(1, "Connection: keep-alive\r\n"),
            CS_E_HS_CONNECTION, 101, -1, "");
    refused("Connection: upgraded", with(1, "Connection: upgraded\r\n"),
            CS_E_HS_CONNECTION, 101, -1, "");
    refused("Connection: xupgrade", with(1, "Connection: xupgrade\r\n"),
            CS_E_HS_CONNECTION, 101, -1, "");
    refused("Connection: keep-alive, upgrade-x",
            with(1, "Connection: keep-alive, upgrade-x\r\n"),
            CS_E_HS_CONNECTION, 101, -1, "");
    refused("Connection: close", with(1, "Connection: close\r\n"),
            CS_E_HS_CONNECTION, 101, -1, "");
    /* Sec-WebSocket-Accept */
    refused("no Sec-WebSocket-Accept", with(2, ""), CS_E_HS_ACCEPT, 101, -1,
            "");
    accept_of(g_key_rfc, other);                /* another key's */
    sprintf(acc, "Sec-WebSocket-Accept: %s\r\n", other);
    refused("the accept of another key", with(2, acc), CS_E_HS_ACCEPT, 101,
            -1, "");
    strcpy(other, g_acc);
    for (i = 0; other[i]; i++)
        other[i] = (char)tolower((unsigned char)other[i]);
    sprintf(acc, "Sec-WebSocket-Accept: %s\r\n", other);
    refused("the accept in lower case", with(2, acc), CS_E_HS_ACCEPT, 101, -1,
            "");
    sprintf(acc, "Sec-WebSocket-Accept: %sx\r\n", g_acc);
    refused("the accept and a byte more", with(2, acc), CS_E_HS_ACCEPT, 101,
            -1, "");
    sprintf(acc, "Sec-WebSocket-Accept: %.27s\r\n", g_acc);
    refused("the accept a byte short", with(2, acc), CS_E_HS_ACCEPT, 101, -1,
            "");
    refused("empty Sec-WebSocket-Accept", with(2, "Sec-WebSocket-Accept:\r\n"),
            CS_E_HS_ACCEPT, 101, -1, "");
    cs_base64(g_key2, 16, other);               /* the key itself */
    sprintf(acc, "Sec-WebSocket-Accept: %s\r\n", other);
    refused("the key as the accept", with(2, acc), CS_E_HS_ACCEPT, 101, -1,
            "");
    /* anything we did not offer */
    sprintf(g_lines, "%sSec-WebSocket-Extensions: permessage-deflate\r\n",
            with(-1, ""));
    refused("Sec-WebSocket-Extensions: permessage-deflate", g_lines,
            CS_E_HS_EXTENSION, 101, -1, "");
    sprintf(g_lines, "%ssec-websocket-extensions: x-webkit-deflate-frame\r\n",
            with(-1, ""));
    refused("sec-websocket-extensions in lower case", g_lines,
            CS_E_HS_EXTENSION, 101, -1, "");
    sprintf(g_lines, "%sSec-WebSocket-Protocol: chat\r\n", with(-1, ""));
    refused("Sec-WebSocket-Protocol: chat", g_lines, CS_E_HS_PROTOCOL, 101,
            -1, "");
    sprintf(g_lines, "%sSEC-WEBSOCKET-PROTOCOL: v10.stomp\r\n", with(-1, ""));
    refused("SEC-WEBSOCKET-PROTOCOL in upper case", g_lines,
            CS_E_HS_PROTOCOL, 101, -1, "");
}

static void
test_syntax(void)
{
    static const char *const garbage[] = {
        "garbage\r\n",
        "HTTP/1.0 101 Switching Protocols\r\n",
        "HTTP/1.1\r\n",
        "HTTP/1.1 \r\n",
        "HTTP/1.1 abc OK\r\n",
        "HTTP/1.1 1O1 OK\r\n",
        "HTTP/1.1 10 OK\r\n",
        "HTTP/1.1 1011 OK\r\n",
        "HTTP/2 101 OK\r\n",
        "HTTP/1.11 101 OK\r\n",
        " HTTP/1.1 101 OK\r\n",
        "\r\n",
        "SSH-2.0-OpenSSH_9.6\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n",
    };
    char h[512];
    size_t i;

    use_key(g_key2, "ws://h/");
    for (i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        char name[100];
        size_t k, n = strlen(garbage[i]);
        sprintf(h, "%s%s", garbage[i],
                "Upgrade: websocket\r\nConnection: Upgrade\r\n");
        sprintf(name, "status line \"");
        for (k = 0; k < n - 2 && k < 30; k++)
            sprintf(name + strlen(name), "%c",
                    garbage[i][k] >= 32 && garbage[i][k] < 127
                    ? garbage[i][k] : '.');
        strcat(name, "\"");
        refused(name, h, CS_E_HS_SYNTAX, ANY_STATUS, -1, "");
    }
    /* a header line with no colon */
    sprintf(g_lines, "%sthis line has no colon\r\n", with(-1, ""));
    refused("a header line without a colon", g_lines, CS_E_HS_SYNTAX, 101,
            -1, "");
}

/* The status is 0 until the status line is there. */
static void
test_status_timing(void)
{
    size_t used;

    use_key(g_key2, "ws://h/");
    prep();
    CHECK(cs_hs_status(&g_hs) == 0);
    CHECK(cs_hs_retry_after(&g_hs) == -1);
    CHECK(cs_hs_location(&g_hs) != NULL && cs_hs_location(&g_hs)[0] == 0);
    CHECK(cs_hs_feed(&g_hs, (const unsigned char *)"HTTP/1.1 10", 11, &used)
          == 0 && used == 11);
    CHECK(cs_hs_status(&g_hs) == 0);
    CHECK(cs_hs_feed(&g_hs, (const unsigned char *)"1 Switching Protocols"
                     "\r\n", 23, &used) == 0 && used == 23);
    CHECK(cs_hs_status(&g_hs) == 101);
}

static void
test_too_big(void)
{
    static char big[RESP_MAX];
    size_t at, pad, n, used;
    int i;

    use_key(g_key2, "ws://h/");
    /* exactly CS_HS_MAX_RESPONSE bytes: accepted; one more: too big */
    for (i = 0; i < 2; i++) {
        r_begin();
        r_add("HTTP/1.1 101 Switching Protocols\r\n");
        r_good_headers();
        n = g_rn + strlen("X-Pad: \r\n") + 2;   /* + the empty line */
        pad = CS_HS_MAX_RESPONSE + (size_t)i - n;
        memcpy(big, "X-Pad: ", 7);
        memset(big + 7, 'p', pad);
        memcpy(big + 7 + pad, "\r\n\r\n", 5);
        r_add(big);
        CHECK(g_rn == CS_HS_MAX_RESPONSE + (size_t)i);
        at = g_rn;
        r_add("\x81\x02hi");
        if (i == 0)
            check_resp("a header of CS_HS_MAX_RESPONSE bytes", at, CS_HS_OK,
                       101, -1, "");
        else
            check_resp("a header of CS_HS_MAX_RESPONSE + 1 bytes",
                       CS_HS_MAX_RESPONSE, CS_E_HS_TOO_BIG, 101, -1, "");
    }
    /* many short lines, no end */
    r_begin();
    r_add("HTTP/1.1 101 Switching Protocols\r\n");
    while (g_rn < CS_HS_MAX_RESPONSE + 4000)
        r_add("X-A: b\r\n");
    check_resp("header lines without an end", CS_HS_MAX_RESPONSE,
               CS_E_HS_TOO_BIG, 101, -1, "");
    /* one endless line */
    r_begin();
    r_add("HTTP/1.1 101 Switching Protocols\r\nX-A: ");
    memset(big, 'a', CS_HS_MAX_RESPONSE + 10);
    big[CS_HS_MAX_RESPONSE + 10] = 0;
    r_add(big);
    check_resp("an endless header line", CS_HS_MAX_RESPONSE, CS_E_HS_TOO_BIG,
               101, -1, "");
    /* fed whole with much more behind it: nothing past the limit read */
    prep();
    CHECK(cs_hs_feed(&g_hs, (const unsigned char *)g_resp, g_rn, &used)
          == CS_E_HS_TOO_BIG && used <= CS_HS_MAX_RESPONSE);
}

/* An extra User-Agent field (the command's --user-agent) replaces the
 * default one: one field, the caller's value. */
static void
test_user_agent(void)
{
    static const char *const extra[] = {"user-agent: probe/1.0"};
    static const unsigned char key[16] = {1, 2, 3};
    cs_hs hs;
    cs_url u;
    lines l;
    const char *v;
    int rc, c;
    size_t vl;

    CHECK(cs_url_parse(&u, "wss://h.test/x", 14) == 0);
    rc = cs_hs_request(&hs, g_req, REQ_MAX, &u, key, extra, 1);
    CHECK(rc > 0);
    if (rc <= 0)
        return;
    split_lines(&l, g_req, (size_t)rc);
    v = header(&l, "User-Agent", &c, &vl);
    CHECK(c == 1 && strcmp(v, "probe/1.0") == 0);
}

int
main(void)
{
    TEST(test_url_parse);
    TEST(test_url_resolve);
    TEST(test_url_schemes);
    TEST(test_request);
    TEST(test_user_agent);
    TEST(test_accepted);
    TEST(test_status);
    TEST(test_long_location);
    TEST(test_refused);
    TEST(test_syntax);
    TEST(test_status_timing);
    TEST(test_too_big);
    printf("%ld runs compared with their reference\n", g_runs);
    return TEST_SUMMARY();
}
