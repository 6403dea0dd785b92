/* fuzz_url.c - libFuzzer target for cs_url_parse() and cs_url_resolve().
 *
 * Input layout: 1 control byte, then the text (at most 4 KiB).
 *   [0]    bits 0-1 pick the base URL that the text is resolved against
 *          as a redirect's Location (fz_bases[]).
 *
 * Checks; any failure prints what went wrong and calls abort():
 *   1. cs_url_parse() of the text (an exact-size copy, no NUL after it)
 *      returns 0 or CS_E_URL. On 0: tls/ipv6/port_given are 0 or 1, the
 *      port is in 1..65535 (80 / 443 when none was given), host and path
 *      are NUL-terminated inside their arrays, the host is not empty and
 *      has no '/', '?', '#', '@', brackets, space or control byte, and a
 *      ':' exactly when it is an IPv6 literal; the path starts with '/'
 *      and has no space, control byte or '#'. The text itself starts
 *      with ws://, wss://, http:// or https:// (any case, scheme and tls
 *      to match), has no space, control byte or '#', and no '@' before
 *      the path.
 *   2. The parsed URL written out again (scheme, [host] or host, :port if
 *      one was given, path) parses to the same fields.
 *   3. cs_url_resolve() of the text against the base: CS_E_URL leaves the
 *      struct byte for byte unchanged; 0 gives a URL with the invariants
 *      of 1. A ws:// or wss:// text that cs_url_parse() accepts
 *      resolves to exactly that URL; against these ws/wss bases, http://
 *      and https:// texts resolve like ws:// and wss://; a "//host..."
 *      text resolves like the base's scheme in front of it;
 *      an absolute path ("/x", not "//") keeps scheme, host and port.
 * Build: -I<repo root>. -DFZ_LAX_IPV6 skips the check that an IPv6 host
 * has a colon (a known bug: tests/regress/url/), to fuzz past it.
 */
/* ws:// only: no BearSSL to link (the frames, handshake and URLs are the
 * same code either way) */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_url"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_HDR 1
#define FZ_MAX_IN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fz_bases[4] = {
    "ws://certstream.example/full-stream",
    "wss://certstream.example:8443/a/b/c?q=1",
    "ws://[2001:db8::1]:9000/",
    "wss://x.example/domains-only/"};

static int
fz_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
fz_ci_prefix(const unsigned char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit), i;
    if (n < k)
        return 0;
    for (i = 0; i < k; i++)
        if (fz_lower(s[i]) != lit[i])
            return 0;
    return 1;
}

static void
fz_url_sane(const cs_url *u, const char *what)
{
    const char *z;
    size_t i, hl, pl;

    if (u->scheme < CS_URL_WS || u->scheme > CS_URL_HTTPS
        || u->tls != (u->scheme & 1))
        fz_fail("%s: scheme %d tls %d", what, u->scheme, u->tls);
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
            fz_fail("%s: byte %#x in the host \"%s\"", what, c, u->host);
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

static int
fz_url_eq(const cs_url *a, const cs_url *b)
{
    return a->scheme == b->scheme && a->tls == b->tls && a->ipv6 == b->ipv6
           && a->port == b->port
           && a->port_given == b->port_given
           && strcmp(a->host, b->host) == 0 && strcmp(a->path, b->path) == 0;
}

static void
fz_url_show(const char *name, const cs_url *u)
{
    fprintf(stderr, "  %s: tls %d ipv6 %d port %u%s host \"%s\" path \"%s\"\n",
            name, u->tls, u->ipv6, u->port, u->port_given ? " (given)" : "",
            u->host, u->path);
}

/* cs_url_parse() of an exact-size heap copy of s[0..n). */
static int
fz_parse(cs_url *u, const void *s, size_t n)
{
    char *c = (char *)malloc(n ? n : 1);
    int r;

    if (c == NULL)
        abort();
    memcpy(c, s, n);
    memset(u, 0xa5, sizeof *u);
    r = cs_url_parse(u, c, n);
    free(c);
    if (r != 0 && r != CS_E_URL)
        fz_fail("cs_url_parse() returned %d", r);
    return r;
}

/* cs_url_resolve() of an exact-size heap copy; checks the struct is
 * unchanged on failure and sane on success. */
static int
fz_resolve(cs_url *u, const void *s, size_t n)
{
    char *c = (char *)malloc(n ? n : 1);
    cs_url before = *u;
    int r;

    if (c == NULL)
        abort();
    memcpy(c, s, n);
    r = cs_url_resolve(u, c, n);
    free(c);
    if (r != 0 && r != CS_E_URL)
        fz_fail("cs_url_resolve() returned %d", r);
    if (r != 0 && memcmp(u, &before, sizeof *u) != 0) {
        fz_url_show("before", &before);
        fz_url_show("after", u);
        fz_fail("cs_url_resolve() failed but changed the URL");
    }
    if (r == 0)
        fz_url_sane(u, "cs_url_resolve()");
    return r;
}

/* The text's own rules for an accepted URL. */
static void
fz_text_rules(const unsigned char *s, size_t n, const cs_url *u)
{
    size_t i, start = 0;
    int scheme = -1;

    for (i = 0; i < n; i++)
        if (s[i] <= 0x20 || s[i] == 0x7f || s[i] == '#')
            fz_fail("cs_url_parse() accepted byte %#x at %zu", s[i], i);
    if (fz_ci_prefix(s, n, "wss://"))
        start = 6, scheme = CS_URL_WSS;
    else if (fz_ci_prefix(s, n, "ws://"))
        start = 5, scheme = CS_URL_WS;
    else if (fz_ci_prefix(s, n, "https://"))
        start = 8, scheme = CS_URL_HTTPS;
    else if (fz_ci_prefix(s, n, "http://"))
        start = 7, scheme = CS_URL_HTTP;
    else
        fz_fail("cs_url_parse() accepted a URL without ws, wss, http or "
                "https");
    if (u->scheme != scheme || u->tls != (scheme & 1))
        fz_fail("scheme %d tls %d for a %.*s URL", u->scheme, u->tls,
                (int)start, s);
    for (i = start; i < n && s[i] != '/' && s[i] != '?'; i++)
        if (s[i] == '@')
            fz_fail("cs_url_parse() accepted userinfo ('@' at %zu)", i);
}

/* Write u out as text: scheme://host[:port]path. */
static size_t
fz_write(const cs_url *u, char *out, size_t cap)
{
    static const char *const names[4] = {"ws", "wss", "http", "https"};
    int k;

    if (u->port_given)
        k = snprintf(out, cap, "%s://%s%s%s:%u%s", names[u->scheme & 3],
                     u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "",
                     u->port, u->path);
    else
        k = snprintf(out, cap, "%s://%s%s%s%s", names[u->scheme & 3],
                     u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "",
                     u->path);
    if (k < 0 || (size_t)k >= cap)
        abort();
    return (size_t)k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cs_url bases[4];
    static int ready;
    static char buf[FZ_MAX_IN + 2 * sizeof(cs_url) + 64];
    const unsigned char *s;
    size_t n, k;
    cs_url u, v, base, w;
    int pr, rr;

    if (!ready) {
        int i;
        for (i = 0; i < 4; i++) {
            if (cs_url_parse(&bases[i], fz_bases[i], strlen(fz_bases[i])))
                fz_fail("cs_url_parse(\"%s\") failed", fz_bases[i]);
            fz_url_sane(&bases[i], fz_bases[i]);
        }
        ready = 1;
    }
    if (size < FZ_HDR || size - FZ_HDR > FZ_MAX_IN)
        return 0;
    base = bases[data[0] & 3];
    s = data + FZ_HDR;
    n = size - FZ_HDR;

    /* 1. parse */
    pr = fz_parse(&u, s, n);
    if (pr == 0) {
        fz_url_sane(&u, "cs_url_parse()");
        fz_text_rules(s, n, &u);
        /* 2. written out and parsed again */
        k = fz_write(&u, buf, sizeof buf);
        if (k <= n && fz_parse(&v, buf, k) != 0)
            fz_fail("\"%s\" (written out) does not parse", buf);
        if (k <= n && !fz_url_eq(&u, &v)) {
            fz_url_show("first", &u);
            fz_url_show("again", &v);
            fz_fail("\"%s\" (written out) parses differently", buf);
        }
    }

    /* 3. resolve against the base */
    w = base;
    rr = fz_resolve(&w, s, n);
    if (pr == 0 && u.scheme < CS_URL_HTTP) {   /* ws bases: http is ws */
        if (rr != 0 || !fz_url_eq(&w, &u)) {
            fz_url_show("parse", &u);
            fz_url_show("resolve", &w);
            fz_fail("an absolute URL resolves differently (%d) than it "
                    "parses", rr);
        }
    }
    if (fz_verbose()) {
        fprintf(stderr, "  parse %d, resolve against %s: %d\n", pr,
                fz_bases[data[0] & 3], rr);
        if (pr == 0)
            fz_url_show("parsed", &u);
        if (rr == 0)
            fz_url_show("resolved", &w);
    }
    /* http(s):// is ws(s):// */
    if (fz_ci_prefix(s, n, "http://") || fz_ci_prefix(s, n, "https://")) {
        k = (size_t)snprintf(buf, sizeof buf, "ws");
        memcpy(buf + k, s + 4, n - 4);
        if (fz_parse(&v, buf, k + n - 4) == 0
                && (rr != 0 || !fz_url_eq(&w, &v))) {
            fz_url_show("as ws", &v);
            fz_url_show("resolve", &w);
            fz_fail("an http(s) Location resolves differently (%d) than "
                    "ws(s)", rr);
        }
    }
    /* "//host/..." takes the base's scheme */
    if (n >= 2 && s[0] == '/' && s[1] == '/') {
        k = (size_t)snprintf(buf, sizeof buf, "%s:", base.tls ? "wss" : "ws");
        memcpy(buf + k, s, n);
        if (fz_parse(&v, buf, k + n) == 0
                && (rr != 0 || !fz_url_eq(&w, &v))) {
            fz_url_show("with scheme", &v);
            fz_url_show("resolve", &w);
            fz_fail("a network-path Location resolves differently (%d)",
                    rr);
        }
    } else if (n >= 1 && s[0] == '/' && rr == 0) {
        if (w.tls != base.tls || w.port != base.port
                || w.port_given != base.port_given || w.ipv6 != base.ipv6
                || strcmp(w.host, base.host) != 0) {
            fz_url_show("base", &base);
            fz_url_show("resolve", &w);
            fz_fail("an absolute-path Location changed the authority");
        }
    }
    return 0;
}
