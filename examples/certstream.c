/* certstream: print the CertStream feed, like certstream-python's command.
 *
 *   certstream --url ws://127.0.0.1:4000/          one line per certificate
 *   certstream --json | jq -r '.data.leaf_cert.all_domains[]'
 *
 * Built by `make` to build/certstream. `certstream -h` lists the options
 * and the exit statuses. */
#define CERTSTREAM_IMPLEMENTATION
/* The request is built in the receive buffer: 16 KB leave room for long
 * bearer tokens in --header (the library's default with TLS is 2 KB). */
#ifndef CS_IO_CHUNK
#  define CS_IO_CHUNK 16384
#endif
#include "../certstream.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "wss://certstream.calidog.io/"

/* In two halves: C99 promises string literals of 4095 bytes only. */
static const char usage[] =
    "usage: certstream [options]\n"
    "Print the certificates of Certificate Transparency: read from the CT\n"
    "logs directly (the default), or from a CertStream server (--url).\n"
    "\n"
    "Output (both modes):\n"
    "  --full               add every domain to the line: [a, b, ...]\n"
    "  --domains            every domain of certificate_update and\n"
    "                       dns_entries messages, one per line\n"
    "  --json               each JSON object (heartbeats aside) as one\n"
    "                       line, byte for byte when the server sent one\n"
    "                       line; in direct mode the message\n"
    "                       certstream-server-rust would send\n"
    "  -n, --count N        stop after N certificates (certificate_update\n"
    "                       or dns_entries messages)\n"
    "  --match PATTERN      only certificates with a matching domain\n"
    "                       (repeatable): keyword, name.tld (and names\n"
    "                       under it), glob (* ?), !exclusion\n"
    "  --match-file FILE    patterns, one a line (# comments)\n"
    "  --utc                times in UTC instead of local time\n"
    "  --stats              a summary line on stderr every 10 seconds\n"
    "                       (direct mode: per log, entries/s and how far\n"
    "                       behind its tree head)\n"
    "  -v, --verbose        every connection event on stderr\n"
    "  -q, --quiet          no failure reports on stderr (by default each\n"
    "                       failed attempt prints one line)\n"
    "  --disable-colors     no colors (also: NO_COLOR, or not a terminal)\n"
    "  --ca PATH            trust the CA certificates in this PEM file or\n"
    "                       directory (default: $CERTSTREAM_CA, else the\n"
    "                       system bundle, else ISRG and GTS roots)\n"
    "  --insecure           check no certificate at all (testing only)\n"
    "Direct mode (no --url): every live log of the log list, or:\n"
    "  --log URL            follow this RFC 6962 log (repeatable)\n"
    "  --tiled-log URL      follow this static-ct-api log, by its\n"
    "                       monitoring prefix (repeatable)\n"
    "  --log-key BASE64     the key of the --log / --tiled-log before it\n"
    "                       (SubjectPublicKeyInfo, as log lists carry it);\n"
    "                       without one, tree heads are not verified\n"
    "  --log-list FILE|URL  a v3 log list, taken as given (default:\n"
    "                       Google's, fetched and checked, else built in)\n"
    "  --no-fetch-list      the built-in list, no fetch (offline)\n"
    "  --list-logs          print the list's logs, then exit\n"
    "  --from N             start at entry N (default: the tree size,\n"
    "                       so new entries only)\n"
    "  --no-verify          no Merkle proofs (by default a static log's\n"
    "                       entries are proven in its signed checkpoint\n"
    "                       and RFC 6962 heads proven consistent; an\n"
    "                       entry that fails is not printed; with\n"
    "                       --url --backfill: the backfill's proofs)\n"
    "  --state FILE         keep each log's position in FILE and continue\n"
    "                       from it when restarted (saved every second\n"
    "                       and at exit; delete FILE to start afresh;\n"
    "                       with --url, needs --backfill)\n";
static const char usage_more[] =
    "Server mode:\n"
    "  --url URL            the CertStream server, e.g. " DEFAULT_URL "\n"
    "  --raw                every text message verbatim, one line each\n"
    "  --once               one connection: no reconnect; the exit status\n"
    "                       tells how it ended\n"
    "  --header 'N: v'      an extra request header (repeatable, up to 8;\n"
    "                       about 14 KB in all)\n"
    "  --pin CERT           trust only this server key (its certificate,\n"
    "                       PEM or DER): no CA, name or date checks\n"
    "  --ping-interval S    ping every S seconds (default 15; 0: never)\n"
    "  --timeout S          reconnect when nothing arrived for S seconds\n"
    "                       (default 45; 0: never)\n"
    "  --max-message BYTES  largest message accepted (default 64 MiB)\n"
    "  --gaps               also report gaps that may be deliberate\n"
    "  --no-gaps            do not track (or report) gaps in cert_index\n"
    "  --backfill           fetch each gap's entries from the log itself\n"
    "  --backfill-max N     at most N entries per gap (default 1000);\n"
    "                       logs: --log-list, else the built-in list\n"
    "Other:\n"
    "  --user-agent STR     the User-Agent sent (both modes)\n"
    "  --version            print the version\n"
    "  -h, --help           this text\n"
    "Values go as --opt VALUE or --opt=VALUE; -- ends the options.\n"
    "\n"
    "Exit status: 0 stopped (signal, --count) or closed normally by the\n"
    "server; 1 output error; 2 bad usage or URL; 3 could not connect;\n"
    "4 handshake refused; 5 the server broke the websocket protocol;\n"
    "6 the server closed with an error code; 7 the connection dropped;\n"
    "8 TLS failed (certificate not trusted, expired, wrong name, ...).\n"
    "In direct mode failures are retried per log (one line each on\n"
    "stderr): it runs until stopped or --count.\n";

static const char *user_agent;  /* --user-agent, or NULL */

enum { OUT_HUMAN, OUT_JSON, OUT_RAW, OUT_DOMAINS };

static struct {
    int out, full, verbose, color, utc, stats;
    uint64_t last_messages, last_ms;
    unsigned long long count, certs;
    cs_client *client;
    unsigned char *buf;       /* the current message, for --json / --raw */
    size_t len, cap;
    int too_big;              /* over --max-message: not printed */
    int last;                 /* CS_EV_FAILED or CS_EV_DISCONNECTED */
    int write_err;
    int dropped;              /* flush() gave up on output (stopping) */
    volatile sig_atomic_t stopping;
    long long first_signal_ms;    /* written by the handler only */
    int quiet, reconnect;
    char target[4200];        /* the URL of the current attempt, escaped */
    char fail[5000];          /* the last failure reported */
    unsigned long long repeats, shown; /* the same again, and when shown */
    int pending;              /* fail waits for its CS_EV_RETRY */
    int64_t retry_after;      /* the server's Retry-After, seconds */
    unsigned long long skipped, overflows; /* notices (see notice()) */
    size_t olen;
    char obuf[65536];         /* output batched until the client waits */
    size_t dom_bytes;         /* the domain storage of one message */
} g;

static cs_client client;
static cs_posix posix;
static unsigned char names[CS_JSON_DOMAIN_BUF]; /* 256 KB of domains */
#if CS_HAS_TLS
static unsigned char anchor_mem[256 * 1024];  /* Debian's bundle: ~72 KB */
static unsigned char pin_cert[64 * 1024];
#endif

#if CS_HAS_CT
static cs_ct_follower *followers[CS_CT_RUN_MAX]; /* direct mode's logs */
static size_t nfollowers;
#if CS_HAS_TLS
static cs_loglist_fetcher fetcher;  /* the log list's, at start */
#endif
#endif

/* Stop the client, or every follower (direct mode): safe in a signal
 * handler. */
static void
stop_all(void)
{
#if CS_HAS_CT
    size_t i;

#if CS_HAS_TLS
    cs_loglist_fetch_stop(&fetcher);  /* ends it now, or the next one */
#endif
    for (i = 0; i < nfollowers; i++)
        cs_ct_stop(followers[i]);
    if (nfollowers > 0)
        return;
#endif
    cs_client_stop(&client);
}

/* Milliseconds on the clock the signal handler reads. */
static long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A signal stops the client (a close handshake, bounded by its close
 * timeout); a second one ends the program at once, as the default action
 * (clock_gettime(), signal() and raise() are async-signal-safe). Only a
 * second one 100 ms or more after the first counts: a person pressing
 * Ctrl-C again, not timeout(1), which signals the command and then its
 * process group at once. */
static void
on_signal(int sig)
{
    long long ms = mono_ms();

    if (g.stopping) {
        if (ms - g.first_signal_ms >= 100) {
            signal(sig, SIG_DFL);
            raise(sig);               /* delivered when the handler returns */
        }
        return;
    }
    g.first_signal_ms = ms;
    g.stopping = 1;
    stop_all();
}

/* Output failed: a closed pipe ends the program quietly (status 0),
 * anything else is exit status 1. */
static void
out_failed(int err)
{
    if (g.write_err == 0)
        g.write_err = err == EPIPE ? EPIPE : (err ? err : EIO);
    g.olen = 0;
    stop_all();
}

/* Write the batched output. Lines wait in obuf until it is full or the
 * client is about to wait for the network (cs_run_idle), so a busy feed
 * costs one write() per 64 KB and a slow one still shows each line at
 * once. After a signal (which interrupts a write blocked by a slow
 * reader), output goes on while the reader takes it, in pieces a pipe
 * takes without blocking, for up to a second; then the rest is dropped:
 * a reader that stopped reading must not hold the program. */
static void
flush(void)
{
    size_t off = 0;

    while (off < g.olen && g.write_err == 0) {
        size_t k = g.olen - off;
        ssize_t n;
        if (g.stopping) {
            struct pollfd pf;
            long long left = g.first_signal_ms + 1000 - mono_ms();
            pf.fd = 1;
            pf.events = POLLOUT;
            pf.revents = 0;
            if (left <= 0 || poll(&pf, 1, (int)left) <= 0
                || (pf.revents & POLLOUT) == 0) {
                g.dropped = 1;
                break;
            }
            if (k > 4096)
                k = 4096;             /* PIPE_BUF: fits when POLLOUT */
        }
        n = write(1, g.obuf + off, k);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno == EAGAIN) {
            struct pollfd pf;         /* someone made stdout non-blocking */
            pf.fd = 1;
            pf.events = POLLOUT;
            pf.revents = 0;
            (void)poll(&pf, 1, 100);
        } else if (n < 0 && errno != EINTR)
            out_failed(errno);
        else if (n == 0)
            out_failed(EIO);
    }
    g.olen = 0;
}

#if CS_HAS_CT
static void state_idle(void);
static int state_srv(const cs_msg *m);
#endif

static void
on_idle(void *ctx)
{
    (void)ctx;
    if (g.olen > 0)
        flush();
#if CS_HAS_CT
    state_idle();                     /* server mode's --state */
#endif
}

static void
put(const void *p, size_t n)
{
    const char *s = (const char *)p;

    while (n > 0 && g.write_err == 0) {
        size_t k = sizeof g.obuf - g.olen;
        if (k == 0) {
            flush();
            continue;
        }
        if (k > n)
            k = n;
        memcpy(g.obuf + g.olen, s, k);
        g.olen += k;
        s += k;
        n -= k;
    }
}

/* Keep a slice of the current message (grown as needed). */
static void
keep(const char *p, size_t n)
{
    if (g.too_big || n == 0)
        return;
    if (g.len + n > g.cap) {
        size_t cap = g.cap ? g.cap : 65536;
        unsigned char *nb;
        while (cap < g.len + n)
            cap *= 2;
        nb = (unsigned char *)realloc(g.buf, cap);
        if (nb == NULL) {
            g.too_big = 1;            /* cannot hold it: never half-print */
            fprintf(stderr, "certstream: out of memory for a message of "
                    "%zu bytes; skipped\n", g.len + n);
            return;
        }
        g.buf = nb;
        g.cap = cap;
    }
    memcpy(g.buf + g.len, p, n);
    g.len += n;
}

/* The kept message (--raw) as it came, then a newline unless it ends
 * with one already. */
static void
print_kept(void)
{
    if (!g.too_big) {
        put(g.buf, g.len);
        if (g.len == 0 || g.buf[g.len - 1] != '\n')
            put("\n", 1);
    }
    g.len = 0;
    g.too_big = 0;
}

/* The kept message (--json, a valid JSON object) as exactly one line.
 * Byte-exact when it is one line already (a trailing CR or LF aside);
 * otherwise (pretty-printed) the whitespace between tokens is dropped,
 * which JSON allows: inside strings a raw CR or LF cannot occur. */
static void
print_json_line(void)
{
    size_t end = g.len, i, from = 0;
    int in_str = 0, esc = 0;

    while (end > 0 && (g.buf[end - 1] == '\n' || g.buf[end - 1] == '\r'))
        end--;
    if (memchr(g.buf, '\n', end) == NULL && memchr(g.buf, '\r', end) == NULL) {
        put(g.buf, end);
    } else {
        for (i = 0; i < end; i++) {
            unsigned char b = g.buf[i];
            if (in_str) {
                if (esc)
                    esc = 0;
                else if (b == '\\')
                    esc = 1;
                else if (b == '"')
                    in_str = 0;
            } else if (b == '"') {
                in_str = 1;
            } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                put(g.buf + from, i - from);
                from = i + 1;
            }
        }
        put(g.buf + from, end - from);
    }
    put("\n", 1);
}

/* Count a notice and tell whether to show it: the 1st, 2nd, 4th, 8th...
 * time, so that a hostile feed cannot flood stderr. */
static int
notice(unsigned long long *n)
{
    ++*n;
    return !g.quiet && (*n & (*n - 1)) == 0;
}

#define SEEN_MAX 1e11              /* seconds: about the year 5138 */

/* seen as local ISO-8601 time, as Python's datetime.fromtimestamp(seen)
 * .isoformat() prints it: microseconds rounded half-even, left out when
 * they are zero. Out of range (or not a number): empty. */
static void
iso_time(double seen, char *out, size_t cap)
{
    static long long cached_s = -1;   /* localtime once per second: the */
    static char cached[40];           /* feed has hundreds per second */
    static size_t cached_n;
    time_t t;
    struct tm tm;
    double x;
    long long s, us;
    size_t n;
    int k;

    if (!(seen > -SEEN_MAX && seen < SEEN_MAX)) {
        out[0] = '\0';                /* NaN, infinite, or past year 5000 */
        return;
    }
    s = (long long)seen;
    if (seen < 0 && (double)s != seen)
        s--;                          /* floor */
    x = (seen - (double)s) * 1e6;
    us = (long long)x;
    if (x - (double)us > 0.5 || (x - (double)us == 0.5 && (us & 1)))
        us++;
    if (us >= 1000000)
        s++, us -= 1000000;
    if (s != cached_s) {
        t = (time_t)s;
        if ((g.utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL) {
            snprintf(out, cap, "%.6f", seen);
            return;
        }
        cached_n = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_s = s;
    }
    n = cached_n < cap ? cached_n : 0;
    memcpy(out, cached, n);
    if (us != 0 && n + 8 <= cap) {
        out[n++] = '.';
        for (k = 5; k >= 0; k--, us /= 10)
            out[n + (size_t)k] = (char)('0' + us % 10);
        n += 6;
    }
    out[n] = '\0';
}

/* certstream-python's colors (termcolor: bold, then the color). */
#define C_TIME "\033[1m\033[36m"
#define C_URL "\033[1m\033[34m"
#define C_NAME "\033[1m\033[32m"
#define C_DOM "\033[1m\033[37m"
#define C_SEP "\033[34m"
#define C_END "\033[0m"

/* Text from the network, made safe for a terminal into out[0..cap):
 * control characters (C0, DEL, and C1 as UTF-8) become \xHH, and so
 * does a backslash, so that the escaping cannot be forged. Returns the
 * length (the text is cut to fit). */
static size_t
escape(const char *p, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0;

    for (i = 0; i < n && o + 9 < cap; i++) {
        unsigned char b = (unsigned char)p[i];
        unsigned char b2 = i + 1 < n ? (unsigned char)p[i + 1] : 0;
        if (b < 0x20 || b == 0x7f || b == '\\'
            || (b == 0xc2 && b2 >= 0x80 && b2 <= 0x9f)) {
            out[o++] = '\\', out[o++] = 'x';
            out[o++] = hex[b >> 4], out[o++] = hex[b & 15];
            if (b == 0xc2) {          /* U+0080..U+009F: a C1 control */
                out[o++] = '\\', out[o++] = 'x';
                out[o++] = hex[b2 >> 4], out[o++] = hex[b2 & 15];
                i++;
            }
        } else {
            out[o++] = (char)b;
        }
    }
    out[o] = '\0';
    return o;
}

/* Network text for the terminal: control characters escaped (see
 * escape()); clean text, the common case, goes out as it is. */
static void
put_text(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b < 0x20 || b == 0x7f || b == '\\' || b == 0xc2)
            break;
    }
    put(p, i);
    while (i < n) {
        char buf[1024];
        size_t k = n - i < 200 ? n - i : 200;
        if ((unsigned char)p[i + k - 1] == 0xc2 && i + k < n)
            k++;                      /* keep a C2 xx pair together */
        put(buf, escape(p + i, k, buf, sizeof buf));
        i += k;
    }
}

static void
put_color(const char *esc, const char *p, size_t n)
{
    if (g.color)
        put(esc, strlen(esc));
    put_text(p, n);
    if (g.color)
        put(C_END, strlen(C_END));
}

/* Domains that did not fit the storage: said on stderr, never dropped
 * silently. */
static void
check_overflow(const cs_msg *m)
{
    if ((m->trunc & CS_F_DOMAINS) && notice(&g.overflows))
        fprintf(stderr, "certstream: a message had %zu domains; %zu fit "
                "the %zu-byte storage, the rest are not shown (%llu such "
                "messages so far)\n", m->domain_total, m->domain_count,
                g.dom_bytes, g.overflows);
}

/* Every domain of a certificate_update or dns_entries message, one per
 * line (--domains, and dns_entries in the default output); other types
 * print nothing. */
static void
print_domains(const cs_msg *m)
{
    size_t i, n;

    if (m->type != CS_MSG_CERT && m->type != CS_MSG_DNS)
        return;
    check_overflow(m);
    for (i = 0; i < m->domain_count; i++) {
        const char *d = cs_msg_domain(m, i, &n);
        put_text(d, n);
        put("\n", 1);
    }
}

#if CS_HAS_CT
/* ---- direct mode: the certificate_update message of a CT entry ------------
 * The shape certstream-server-rust's lite stream has (the reference
 * server; see ../shared/research/samples in the project): message_type,
 * then data with update_type, leaf_cert {subject, issuer, serial_number,
 * not_before, not_after, fingerprint, sha1, sha256, signature_algorithm,
 * is_ca, all_domains, extensions}, cert_index, cert_link, seen,
 * submission_timestamp, source {name, url}; absent name fields left out,
 * compact, one line. */

/* What one entry is, as the writer needs it. */
typedef struct dentry {
    const cs_event *ev;           /* its hits, with --match */
    int precert;                  /* PrecertLogEntry */
    const cs_ct_update *u;        /* the engine's parse and fingerprints of
                                     the certificate or precertificate */
    uint64_t index;
    uint64_t timestamp_ms;        /* the log's timestamp */
    double seen;
    const char *log_url, *log_name;
    int log_kind;                 /* CS_CT_RFC6962 or CS_CT_STATIC */
    int backfilled;               /* --backfill: "backfilled":true */
} dentry;

static char jtext[65536];          /* one converted DER string */
static char dscratch[1 << 20];     /* all_domains: CN and repeat table */

/* UTF-8 text as the inside of a JSON string, as serde_json writes it:
 * '"', '\\' and control characters escaped, the rest as it is. */
static void
put_jraw(const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, from = 0;

    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)p[i];
        char e[8];
        size_t k = 2;
        if (b >= 0x20 && b != '"' && b != '\\')
            continue;
        put(p + from, i - from);
        from = i + 1;
        e[0] = '\\';
        switch (b) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        default:
            memcpy(e + 1, "u00", 3);
            e[4] = hex[b >> 4];
            e[5] = hex[b & 15];
            k = 6;
        }
        put(e, k);
    }
    put(p + from, n - from);
}

static void
put_jstr(const char *p, size_t n)
{
    put("\"", 1);
    put_jraw(p, n);
    put("\"", 1);
}

static void
put_s(const char *s)
{
    put(s, strlen(s));
}

/* A DER string value (any string tag) as a JSON string's inside. */
static void
put_jder(unsigned tag, const unsigned char *v, size_t len)
{
    size_t n = 0;
    int r = cs_der_text(tag, v, len, jtext, sizeof jtext, &n);

    if (r == CS_E_BUFFER)
        n = sizeof jtext - 1;         /* cut: over 64 KB of one string */
    else if (r < 0)
        r = cs_der_text(0x16, v, len, jtext, sizeof jtext, &n);
    put_jraw(jtext, r < 0 && r != CS_E_BUFFER ? 0 : n);
}

/* A double as serde_json (ryu) prints one at these magnitudes: the
 * fewest decimals that read back the same, at least one. */
static void
put_double(double v)
{
    char b[64];
    int d;

    if (!(v > -1e15 && v < 1e15))
        v = 0;
    for (d = 1; d < 17; d++) {
        snprintf(b, sizeof b, "%.*f", d, v);
        if (strtod(b, NULL) == v)
            break;
    }
    put_s(b);
}

static void
put_u64(uint64_t v)
{
    char b[24];

    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    put_s(b);
}

/* Bytes as "AA:BB:..." (upper) or "aa:bb:..." (lower). */
static void
put_hex_colons(const unsigned char *p, size_t n, int upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        char b[3];
        b[0] = hex[p[i] >> 4];
        b[1] = hex[p[i] & 15];
        b[2] = ':';
        put(b, i + 1 < n ? 3 : 2);
    }
}

/* One DER element from p[*pos..end): its tag (low-tag-number form), and
 * its contents as *v, *n. Returns 1, or 0 at the end or on bad DER. */
static int
der_next(const unsigned char *p, size_t end, size_t *pos, unsigned *tag,
         const unsigned char **v, size_t *n)
{
    size_t i = *pos, len = 0;
    unsigned k;

    if (i + 2 > end || (p[i] & 0x1f) == 0x1f)
        return 0;
    *tag = p[i++];
    if (p[i] < 0x80) {
        len = p[i++];
    } else {
        k = p[i++] & 0x7fu;
        if (k == 0 || k > 4 || i + k > end)
            return 0;
        while (k-- > 0)
            len = (len << 8) | p[i++];
    }
    if (len > end - i)
        return 0;
    *v = p + i;
    *n = len;
    *pos = i + len;
    return 1;
}

static const unsigned char oid_aia[] = { 0x2b, 6, 1, 5, 5, 7, 1, 1 };
static const unsigned char oid_kp[] = { 0x2b, 6, 1, 5, 5, 7, 3 };

/* The subject or issuer object. */
static void
put_name(const unsigned char *name, size_t len)
{
    static const struct { int id; const char *key; } keys[] = {
        { CS_ATTR_C, "C" }, { CS_ATTR_CN, "CN" }, { CS_ATTR_L, "L" },
        { CS_ATTR_O, "O" }, { CS_ATTR_OU, "OU" }, { CS_ATTR_ST, "ST" }
    };
    size_t k, n = 0;
    cs_attr a;
    int r;

    put("{", 1);
    for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (cs_name_find(name, len, keys[k].id, &a) != 1)
            continue;
        put("\"", 1);
        put_s(keys[k].key);
        put("\":\"", 3);
        put_jder(a.tag, a.val, a.val_len);
        put("\",", 2);
    }
    put_s("\"aggregated\":\"");
    r = cs_name_format(name, len, CS_NAME_AGGREGATED, jtext, sizeof jtext,
                       &n);
    put_jraw(jtext, r == 0 ? n : 0);
    put("\"", 1);
    if (cs_name_find(name, len, CS_ATTR_EMAIL, &a) == 1) {
        put_s(",\"email_address\":\"");
        put_jder(a.tag, a.val, a.val_len);
        put("\"", 1);
    }
    put("}", 1);
}

/* subjectAltName as OpenSSL-style text: "DNS:a, IP Address:1.2.3.4". */
static void
put_san(const cs_cert *c)
{
    cs_san_iter it;
    const unsigned char *v;
    size_t n;
    int kind, first = 1;

    cs_san_iter_init(&it, c->san, c->san_len);
    while (cs_san_next(&it, &kind, &v, &n) == 1) {
        char ip[64];
        size_t m;
        if (!first)
            put(", ", 2);
        first = 0;
        switch (kind) {
        case CS_GN_DNS: put_s("DNS:"); put_jder(0x16, v, n); break;
        case CS_GN_EMAIL: put_s("email:"); put_jder(0x16, v, n); break;
        case CS_GN_URI: put_s("URI:"); put_jder(0x16, v, n); break;
        default:
            put_s("IP Address:");
            if (cs_ip_text(v, n, ip, sizeof ip, &m) == 0)
                put(ip, m);
            else
                put_s("<invalid>");
        }
    }
}

/* The extensions object: the ones the reference server names, in its
 * order (each only when present), then ctlPoisonByte on precerts. */
static void
put_extensions(const cs_cert *c)
{
    enum { AIA, AKI, BC, CP, EKU, KU, SAN, SKI, NX };
    static const char *const key[NX] = {
        "authorityInfoAccess", "authorityKeyIdentifier", "basicConstraints",
        "certificatePolicies", "extendedKeyUsage", "keyUsage",
        "subjectAltName", "subjectKeyIdentifier"
    };
    static const char *const ku[9] = {
        "Digital Signature", "Non Repudiation", "Key Encipherment",
        "Data Encipherment", "Key Agreement", "Certificate Sign",
        "CRL Sign", "Encipher Only", "Decipher Only"
    };
    static const char *const kp[10] = {
        NULL, "serverAuth", "clientAuth", "codeSigning",
        "emailProtection", NULL, NULL, NULL, "timeStamping", "OCSPSigning"
    };
    const unsigned char *val[NX] = { NULL };
    size_t vlen[NX] = { 0 }, pos = 0, n, p2, n2, p3, m;
    const unsigned char *e, *v, *w, *x;
    unsigned tag;
    int i, first = 1;

    while (der_next(c->exts, c->exts_len, &pos, &tag, &e, &n)) {
        const unsigned char *oid;
        size_t olen;
        int which = -1;
        p2 = 0;
        if (!der_next(e, n, &p2, &tag, &oid, &olen) || tag != 0x06)
            continue;
        if (!der_next(e, n, &p2, &tag, &v, &n2))
            continue;
        if (tag == 0x01 && !der_next(e, n, &p2, &tag, &v, &n2))
            continue;                 /* critical: the OCTET STRING next */
        if (olen == 3 && oid[0] == 0x55 && oid[1] == 0x1d) {
            switch (oid[2]) {
            case 0x0e: which = SKI; break;
            case 0x0f: which = KU; break;
            case 0x11: which = SAN; break;
            case 0x13: which = BC; break;
            case 0x20: which = CP; break;
            case 0x23: which = AKI; break;
            case 0x25: which = EKU; break;
            default: break;
            }
        } else if (olen == sizeof oid_aia
                   && memcmp(oid, oid_aia, olen) == 0) {
            which = AIA;
        }
        if (which >= 0 && val[which] == NULL) {
            val[which] = v;
            vlen[which] = n2;
        }
    }
    put_s("\"extensions\":{");
    for (i = 0; i < NX; i++) {
        size_t pos2 = 0, q;
        int sep = 0;
        if (val[i] == NULL)
            continue;
        if (!first)
            put(",", 1);
        first = 0;
        put("\"", 1);
        put_s(key[i]);
        put("\":\"", 3);
        /* the value: one element (mostly a SEQUENCE) in the OCTET STRING */
        if (!der_next(val[i], vlen[i], &pos2, &tag, &w, &m)) {
            put("\"", 1);
            continue;
        }
        switch (i) {
        case AIA:                     /* SEQUENCE OF { method, location } */
            q = 0;
            while (der_next(w, m, &q, &tag, &x, &n2)) {
                const unsigned char *loc, *meth;
                size_t ln, ml;
                p3 = 0;
                if (!der_next(x, n2, &p3, &tag, &meth, &ml)
                    || !der_next(x, n2, &p3, &tag, &loc, &ln) || tag != 0x86)
                    continue;
                if (sep++)
                    put(", ", 2);
                put_s("URI:");
                put_jder(0x16, loc, ln);
            }
            break;
        case AKI:                     /* SEQUENCE { [0] keyIdentifier } */
            q = 0;
            while (der_next(w, m, &q, &tag, &x, &n2))
                if (tag == 0x80) {
                    put_s("keyid:");
                    put_hex_colons(x, n2, 0);
                }
            break;
        case SKI:                     /* OCTET STRING */
            put_s("keyid:");
            put_hex_colons(w, m, 0);
            break;
        case BC:
            put_s(c->flags & CS_CERT_CA ? "CA:TRUE" : "CA:FALSE");
            break;
        case CP:                      /* SEQUENCE OF { policy OID, ... } */
            q = 0;
            while (der_next(w, m, &q, &tag, &x, &n2)) {
                const unsigned char *po;
                size_t pl, dl;
                char dotted[256];
                p3 = 0;
                if (!der_next(x, n2, &p3, &tag, &po, &pl) || tag != 0x06
                    || cs_der_oid_text(po, pl, dotted, sizeof dotted, &dl)
                           != 0)
                    continue;
                put_s("Policy: ");
                put(dotted, dl);
                put("\\n", 2);
            }
            break;
        case EKU: {                   /* SEQUENCE OF OID: the known ones */
            static const unsigned char order[6] = { 1, 2, 3, 4, 8, 9 };
            unsigned seen = 0, b;     /* in the server's fixed order, */
            q = 0;                    /* then the others as they come */
            while (der_next(w, m, &q, &tag, &x, &n2))
                if (tag == 0x06 && n2 == sizeof oid_kp + 1
                    && x[n2 - 1] < 10 && kp[x[n2 - 1]] != NULL
                    && memcmp(x, oid_kp, sizeof oid_kp) == 0)
                    seen |= 1u << x[n2 - 1];
            for (b = 0; b < 6; b++)
                if (seen & (1u << order[b])) {
                    if (sep++)
                        put(", ", 2);
                    put_s(kp[order[b]]);
                }
            q = 0;
            while (der_next(w, m, &q, &tag, &x, &n2)) {
                char dotted[256];
                size_t dl;
                if (tag != 0x06 || (n2 == sizeof oid_kp + 1
                                    && x[n2 - 1] < 10 && kp[x[n2 - 1]] != NULL
                                    && memcmp(x, oid_kp, sizeof oid_kp) == 0)
                    || cs_der_oid_text(x, n2, dotted, sizeof dotted, &dl)
                           != 0)
                    continue;
                if (sep++)
                    put(", ", 2);
                put(dotted, dl);
            }
            break;
        }
        case KU: {                    /* BIT STRING */
            unsigned b;
            for (b = 0; b < 9; b++) {
                size_t byte = 1 + b / 8;
                if (byte < m && (w[byte] & (0x80u >> (b % 8)))) {
                    if (sep++)
                        put(", ", 2);
                    put_s(ku[b]);
                }
            }
            break;
        }
        case SAN:
            put_san(c);
            break;
        default:
            break;
        }
        put("\"", 1);
    }
    if (c->flags & CS_CERT_POISON)
        put_s(first ? "\"ctlPoisonByte\":true" : ",\"ctlPoisonByte\":true");
    put("}", 1);
}

/* The tile path of index's full data tile (C2SP tlog-tiles: the tile
 * number in groups of three digits, all but the last prefixed 'x'). */
static void
put_tile_path(uint64_t tile)
{
    char g3[8][4];
    int k = 0;

    do {
        snprintf(g3[k++], sizeof g3[0], "%03u", (unsigned)(tile % 1000));
        tile /= 1000;
    } while (tile > 0 && k < 8);
    while (k-- > 0) {
        if (k > 0)
            put("x", 1);
        put(g3[k], 3);
        if (k > 0)
            put("/", 1);
    }
}

static void put_match(const cs_event *e);   /* with --match (below) */

/* The whole message, one line, from what the engine parsed and hashed
 * (cs_ct_update: the certificate or precertificate, never parsed twice). */
static void
print_entry_json(const dentry *d)
{
    const cs_cert *c = d->u->cert;
    cs_domains_iter it;
    const unsigned char *dn;
    size_t n, ul;
    char serial[160];
    int first = 1;

    put_s("{\"message_type\":\"certificate_update\",\"data\":{"
          "\"update_type\":\"");
    put_s(d->precert ? "PrecertLogEntry" : "X509LogEntry");
    put_s("\",\"leaf_cert\":{\"subject\":");
    put_name(c->subject, c->subject_len);
    put_s(",\"issuer\":");
    put_name(c->issuer, c->issuer_len);
    put_s(",\"serial_number\":\"");
    if (cs_cert_serial_hex(c, serial, sizeof serial, &n) == 0)
        put(serial, n);
    put_s("\",\"not_before\":");
    snprintf(serial, sizeof serial, "%lld,\"not_after\":%lld",
             (long long)c->not_before, (long long)c->not_after);
    put_s(serial);
    put_s(",\"fingerprint\":\"");
    put_hex_colons(d->u->sha1, 20, 1);
    put_s("\",\"sha1\":\"");
    put_hex_colons(d->u->sha1, 20, 1);
    put_s("\",\"sha256\":\"");
    put_hex_colons(d->u->sha256, 32, 1);
    put_s("\",\"signature_algorithm\":\"");
    put_s(cs_cert_sig_name(c));
    put_s(c->flags & CS_CERT_CA ? "\",\"is_ca\":true,\"all_domains\":["
                               : "\",\"is_ca\":false,\"all_domains\":[");
    cs_cert_domains_init(&it, c, dscratch, sizeof dscratch);
    while (cs_cert_domains_next(&it, &dn, &n) == 1) {
        if (!first)
            put(",", 1);
        first = 0;
        put("\"", 1);
        put_jder(0x16, dn, n);
        put("\"", 1);
    }
    put_s("],");
    put_extensions(c);
    put_s("},\"cert_index\":");
    put_u64(d->index);
    put_s(",\"cert_link\":\"");
    ul = strlen(d->log_url);
    if (d->log_kind == CS_CT_STATIC) {
        put_jraw(d->log_url, ul > 0 && d->log_url[ul - 1] == '/' ? ul - 1
                                                                : ul);
        put_s("/tile/data/");
        put_tile_path(d->index / 256);
    } else {
        put_jraw(d->log_url, ul);
        if (ul == 0 || d->log_url[ul - 1] != '/')
            put("/", 1);
        put_s("ct/v1/get-entries?start=");
        put_u64(d->index);
        put_s("&end=");
        put_u64(d->index);
    }
    put_s("\",\"seen\":");
    put_double(d->seen);
    put_s(",\"submission_timestamp\":");
    put_double((double)d->timestamp_ms / 1000.0);
    put_s(",\"source\":{\"name\":");
    put_jstr(d->log_name, strlen(d->log_name));
    put_s(",\"url\":");
    put_jstr(d->log_url, ul);
    put_s("}");
    if (d->ev != NULL && d->ev->hit_count > 0)
        put_match(d->ev);
    put_s(d->backfilled ? "},\"backfilled\":true}\n" : "}}\n");
}
#endif /* CS_HAS_CT */

#if CS_HAS_CT
/* ---- direct mode: which logs ---------------------------------------------
 * The logs of a log list (Google's v3 JSON from --log-list, else the
 * snapshot built into the header) that are live now, or just the ones
 * --log / --tiled-log name. */

#define MAX_LOGS 256
#define MAX_WANTED 64

static cs_ct_log sel[MAX_LOGS];    /* the logs followed */
static size_t nsel;
static cs_ct_log list[MAX_LOGS];   /* --log-list FILE, parsed */
static size_t nlist;
static char pool[256 * 1024];      /* the strings and keys they point to */
static size_t pool_used;

static struct {
    const char *url;
    int kind;                     /* CS_CT_RFC6962 or CS_CT_STATIC */
    const char *key_b64;          /* --log-key, or NULL */
} wanted[MAX_WANTED];
static size_t nwanted;

static struct {
    const char *list_file;        /* --log-list */
    int no_fetch, list_logs;      /* --no-fetch-list, --list-logs */
    unsigned long long from;      /* --from */
    int from_given;
    size_t unverified;            /* logs followed without a key */
    const char *state_file;       /* --state */
    int no_verify;                /* --no-verify */
} dm;

/* Copy n bytes into the pool, NUL-terminated; NULL when full. */
static char *
pool_add(const char *p, size_t n)
{
    char *s;

    if (n + 1 > sizeof pool - pool_used)
        return NULL;
    s = pool + pool_used;
    memcpy(s, p, n);
    s[n] = '\0';
    pool_used += n + 1;
    return s;
}

/* Base64 into the pool; NULL when it is not base64 or the pool is full. */
static const unsigned char *
pool_b64(const char *b64, size_t n, size_t *len)
{
    long k;
    unsigned char *out = (unsigned char *)pool + pool_used;

    k = cs_b64_decode(b64, n, out, sizeof pool - pool_used);
    if (k <= 0)
        return NULL;
    pool_used += (size_t)k;
    *len = (size_t)k;
    return out;
}

/* ---- the log list, read as it arrives (cs_loglist, [8]) ----
 * Each log the parser yields is copied into list[] and the pool; what
 * does not fit makes "too many logs". */
static cs_loglist llp;
static int list_full;

static void
list_begin(void)
{
    cs_loglist_init(&llp);
    nlist = 0;
    list_full = 0;
}

/* Keep the log the parser just read. */
static void
list_keep(const cs_ct_log *l)
{
    cs_ct_log c = *l;
    char *key;

    if (nlist == MAX_LOGS) {
        list_full = 1;
        return;
    }
    c.operator_name = pool_add(l->operator_name, strlen(l->operator_name));
    c.description = pool_add(l->description, strlen(l->description));
    c.url = pool_add(l->url, strlen(l->url));
    c.origin = l->origin != NULL ? pool_add(l->origin, strlen(l->origin))
                                 : NULL;
    key = l->key_len > 0 ? pool_add((const char *)l->key, l->key_len) : NULL;
    c.key = (const unsigned char *)key;
    if (c.operator_name == NULL || c.description == NULL || c.url == NULL
        || (l->origin != NULL && c.origin == NULL)
        || (l->key_len > 0 && key == NULL)) {
        list_full = 1;
        return;
    }
    list[nlist++] = c;
}

/* Feed p[0..n) of the list. Returns 0 or the parser's error. */
static int
list_feed(const unsigned char *p, size_t n)
{
    size_t used;
    int r;

    for (;;) {
        r = cs_loglist_feed(&llp, p, n, &used);
        p += used, n -= used;
        if (r != CS_LOGLIST_LOG)
            return r;
        list_keep(cs_loglist_log(&llp));
    }
}

/* The list ended. Returns 0, or -1 after one line on stderr naming it
 * (what: "--log-list FILE" or the URL). */
static int
list_end(const char *what, int err)
{
    long r = err < 0 ? err : cs_loglist_end(&llp);

    if (r <= CS_E_JSON_SYNTAX && r >= CS_E_JSON_LITERAL) {
        fprintf(stderr, "certstream: %s: not JSON: %s (byte %llu)\n", what,
                cs_strerror((int)r),
                (unsigned long long)cs_loglist_offset(&llp));
        return -1;
    }
    if (r < 0) {
        fprintf(stderr, "certstream: %s: %s\n", what, cs_strerror((int)r));
        return -1;
    }
    if (list_full) {
        fprintf(stderr, "certstream: %s: too many logs (this "
                "command holds %d)\n", what, MAX_LOGS);
        return -1;
    }
    if (nlist == 0) {
        fprintf(stderr, "certstream: %s: no logs in it (want "
                "Google's v3 JSON: operators[].logs[] / tiled_logs[])\n",
                what);
        return -1;
    }
    return 0;
}

/* Read the list from a file, in pieces. Returns 0 or -1 after a line. */
static int
list_file(const char *path)
{
    static unsigned char b[16384];
    char what[1100];
    FILE *f = fopen(path, "rb");
    size_t k;
    int r = 0;

    snprintf(what, sizeof what, "--log-list %s", path);
    if (f == NULL) {
        fprintf(stderr, "certstream: --log-list: cannot read %s: %s\n",
                path, strerror(errno));
        return -1;
    }
    list_begin();
    while (r == 0 && (k = fread(b, 1, sizeof b, f)) > 0)
        r = list_feed(b, k);
    if (r == 0 && ferror(f)) {
        fprintf(stderr, "certstream: --log-list: cannot read %s: %s\n",
                path, strerror(errno));
        fclose(f);
        return -1;
    }
    fclose(f);
    return list_end(what, r);
}

/* A log's URL as given: http:// or https://, ending in '/' (added).
 * Returns it (maybe from the pool), or NULL after a usage line. */
static const char *
log_url(const char *opt_name_, const char *u)
{
    cs_url pu;
    size_t n = strlen(u);
    char tmp[CS_URL_MAX + 2];

    if (n == 0 || n >= CS_URL_MAX || cs_url_parse(&pu, u, n) != 0
        || (pu.scheme != CS_URL_HTTP && pu.scheme != CS_URL_HTTPS)) {
        fprintf(stderr, "certstream: %s: bad URL (want http:// or "
                "https://host[:port]/path/): %s\n", opt_name_, u);
        return NULL;
    }
#if !CS_HAS_TLS
    if (pu.tls) {
        fprintf(stderr, "certstream: %s: https:// needs TLS, which this "
                "build lacks: %s\n", opt_name_, u);
        return NULL;
    }
#endif
    if (u[n - 1] == '/')
        return u;
    snprintf(tmp, sizeof tmp, "%s/", u);
    return pool_add(tmp, strlen(tmp));
}

#if CS_HAS_TLS
/* ---- the log list over http(s) (cs_loglist_fetch, [8]) ----
 * Google's signed list at start (CERTSTREAM_LOG_LIST_URL names a mirror
 * or a test server; the signature is at the same URL with .sig for
 * .json), or --log-list URL taken as given. A signal stops the fetch
 * (stop_all()): nothing more is printed, the command ends as it does on a
 * signal elsewhere. */

static void
on_list_log(void *ctx, const cs_ct_log *l)
{
    (void)ctx;
    list_keep(l);
}

/* Fetch the list at url (checked with the signature at sig_url when not
 * NULL) into list[]. Returns 0, or -1 with why in why[0..cap). */
static int
list_fetch(const char *url, const char *sig_url, const cs_tls_config *tls,
           char *why, size_t cap)
{
    int r;

    list_begin();
    r = cs_loglist_fetch(&fetcher, url, sig_url, tls, user_agent,
                         20000, on_list_log, NULL);
    if (g.stopping)
        r = CS_E_LOGLIST_STOPPED;     /* even if it ended well: it is over */
    if (r == CS_E_LOGLIST_STOPPED)
        snprintf(why, cap, "stopped");
    else if (r > 0 && list_full)
        snprintf(why, cap, "too many logs (this command holds %d)",
                 MAX_LOGS);
    else if (r == CS_E_LOGLIST_STATUS)
        snprintf(why, cap, "HTTP status %d",
                 cs_loglist_fetch_status(&fetcher));
    else if (r < 0 && cs_loglist_fetch_tls_error(&fetcher) != 0)
        snprintf(why, cap, "%s (%s)", cs_strerror(r),
                 cs_tls_errname(cs_loglist_fetch_tls_error(&fetcher)));
    else if (r <= CS_E_JSON_SYNTAX && r >= CS_E_JSON_LITERAL)
        snprintf(why, cap, "not JSON: %s", cs_strerror(r));
    else if (r < 0)
        snprintf(why, cap, "%s", cs_strerror(r));
    else
        return 0;
    nlist = 0;
    return -1;
}

/* Google's signed list, or a line on stderr and -1. */
static int
list_fetch_signed(const cs_tls_config *tls)
{
    const char *url = getenv("CERTSTREAM_LOG_LIST_URL");
    char sig[CS_URL_MAX + 8], why[512];
    size_t n;

    if (url == NULL || *url == '\0')
        url = CS_LOGLIST_URL;
    n = strlen(url);
    if (n >= CS_URL_MAX) {
        fprintf(stderr, "certstream: CERTSTREAM_LOG_LIST_URL: too long\n");
        return -1;
    }
    if (n > 5 && strcmp(url + n - 5, ".json") == 0)
        snprintf(sig, sizeof sig, "%.*s.sig", (int)(n - 5), url);
    else
        snprintf(sig, sizeof sig, "%s.sig", url);
    if (list_fetch(url, sig, tls, why, sizeof why) == 0)
        return 0;
    if (!g.quiet && !g.stopping)
        fprintf(stderr, "certstream: log list %s: %s; using the built-in "
                "list of %s instead\n", url, why, cs_ct_snapshot_date());
    return -1;
}
#endif

static const char *
state_name(int st)
{
    static const char *const state_names[] = {
        "?", "pending", "qualified", "usable", "readonly", "retired",
        "rejected"
    };
    return st >= 0 && st <= CS_CT_REJECTED ? state_names[st] : "?";
}

/* --list-logs: the logs of the list (or those --log names), one a line:
 * kind, state, followed or not, URL, name. */
static void
print_logs(void)
{
    const cs_ct_log *v = nwanted > 0 ? sel : list;
    size_t n = nwanted > 0 ? nsel : nlist, i;
    int64_t now = (int64_t)time(NULL);

    for (i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\n",
               v[i].kind == CS_CT_STATIC ? "static" : "rfc6962",
               state_name(v[i].state),
               nwanted > 0 || cs_ct_log_live(&v[i], now) ? "follow"
                                                         : "-",
               v[i].url, v[i].description);
    fflush(stdout);
}

/* --log-list FILE|URL, taken as given: returns 0, or -1 after a line. */
static int
list_option(const cs_config *cfg)
{
    (void)cfg;
    if (strncmp(dm.list_file, "http://", 7) == 0
        || strncmp(dm.list_file, "https://", 8) == 0) {
#if CS_HAS_TLS
        char why[512];
        if (list_fetch(dm.list_file, NULL, &cfg->tls, why, sizeof why)
            != 0) {
            if (!g.stopping)
                fprintf(stderr, "certstream: --log-list %s: %s\n",
                        dm.list_file, why);
            return -1;
        }
        return 0;
#else
        fprintf(stderr, "certstream: --log-list %s: a URL needs TLS, "
                "which this build lacks\n", dm.list_file);
        return -1;
#endif
    }
    return list_file(dm.list_file);
}

/* Choose the logs: returns 0, or an exit status (2) after one line. */
static int
select_logs(const cs_config *cfg)
{
    const cs_ct_log *from = list;
    size_t nfrom, i, w;
    int snapshot = 0, have = 0;

    if (dm.list_file != NULL) {
        if (list_option(cfg) != 0)
            return g.stopping ? 0 : 2; /* a signal: direct_main ends */
        have = 1;
    }
#if CS_HAS_TLS
    /* Google's signed list when no log is named: they come with keys */
    if (!have && nwanted == 0 && !dm.no_fetch
        && list_fetch_signed(&cfg->tls) == 0) {
        have = 1;
        if (g.verbose)
            fprintf(stderr, "certstream: Google's log list: %zu logs, "
                    "signature checked\n", nlist);
    }
    if (g.stopping)                   /* a signal during the fetch: */
        return 0;                     /* direct_main ends, saying nothing */
#endif
    if (!have) {
        nlist = cs_ct_snapshot_count();
        if (nlist > MAX_LOGS)
            nlist = MAX_LOGS;
        for (i = 0; i < nlist; i++)
            cs_ct_snapshot_get(i, &list[i]);
        snapshot = 1;
    }
    nfrom = nlist;
    for (w = 0; w < nwanted; w++) {
        cs_ct_log *l = &sel[nsel++];
        memset(l, 0, sizeof *l);
        for (i = 0; i < nfrom; i++)
            if (from[i].kind == wanted[w].kind
                && strcmp(from[i].url, wanted[w].url) == 0)
                *l = from[i];
        if (l->url == NULL) {
            l->kind = wanted[w].kind;
            l->state = CS_CT_USABLE;
            l->url = wanted[w].url;
            l->description = wanted[w].url;
            l->operator_name = "";
        }
        if (wanted[w].key_b64 != NULL) {
            l->key = pool_b64(wanted[w].key_b64, strlen(wanted[w].key_b64),
                              &l->key_len);
            if (l->key == NULL) {
                fprintf(stderr, "certstream: --log-key: not base64 (want "
                        "the log's SubjectPublicKeyInfo, as log lists "
                        "carry it): %s\n", wanted[w].key_b64);
                return 2;
            }
        }
        if (l->key == NULL)
            dm.unverified++;
    }
    if (nwanted == 0) {
        int64_t now = (int64_t)time(NULL);
        for (i = 0; i < nfrom; i++)
            if (cs_ct_log_live(&from[i], now))
                sel[nsel++] = from[i];
        if (snapshot && !g.quiet && !dm.list_logs)
            fprintf(stderr, "certstream: following the %zu live logs of "
                    "the built-in log list of %s (--log-list names "
                    "another)\n", nsel, cs_ct_snapshot_date());
        if (nsel == 0) {
            fprintf(stderr, "certstream: no live log in %s\n",
                    snapshot ? "the built-in log list" : dm.list_file);
            return 2;
        }
    }
    if (dm.unverified > 0 && !g.quiet)
        fprintf(stderr, "certstream: %zu log%s without a key: %s tree "
                "heads are not verified (--log-key gives one)\n",
                dm.unverified, dm.unverified == 1 ? "" : "s",
                dm.unverified == 1 ? "its" : "their");
    return 0;
}
#endif /* CS_HAS_CT */

/* ---- watchlists: --match, --match-file ------------------------------------
 * The patterns are kept with where they came from (file and line, or the
 * option) so that a bad one is reported there; the set is compiled once,
 * before connecting, into memory sized by cs_match_size(). */
static struct {
    const char **pats;
    const char **from;        /* file name, or NULL for --match */
    unsigned long *line;
    size_t n, cap;
    cs_match *set;
    void *mem;
    const cs_event *ev;       /* the message being printed */
    int ended;                /* the raw message ended (kept bytes stale) */
} wl;

static int
match_add(const char *pat, const char *from, unsigned long line)
{
    if (wl.n == wl.cap) {
        size_t cap = wl.cap ? wl.cap * 2 : 64;
        void *a = realloc((void *)wl.pats, cap * sizeof *wl.pats);
        void *b = a ? realloc((void *)wl.from, cap * sizeof *wl.from) : NULL;
        void *c = b ? realloc(wl.line, cap * sizeof *wl.line) : NULL;
        if (a)
            wl.pats = (const char **)a;
        if (b)
            wl.from = (const char **)b;
        if (c == NULL) {
            fprintf(stderr, "certstream: out of memory for patterns\n");
            return -1;
        }
        wl.line = (unsigned long *)c;
        wl.cap = cap;
    }
    wl.pats[wl.n] = pat;
    wl.from[wl.n] = from;
    wl.line[wl.n++] = line;
    return 0;
}

/* One pattern a line; blank lines and lines starting with '#' are
 * skipped; spaces around a pattern and a CR before the newline go. */
static int
match_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL, *p, *end;
    size_t len = 0, cap = 0, r;
    unsigned long line = 0;

    if (f == NULL) {
        fprintf(stderr, "certstream: --match-file %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    do {
        if (len + 65536 + 1 > cap) {
            char *t = (char *)realloc(text, cap = (cap + 65536) * 2);
            if (t == NULL) {
                fclose(f);
                fprintf(stderr, "certstream: %s: out of memory\n", path);
                return -1;
            }
            text = t;
        }
        len += r = fread(text + len, 1, 65536, f);
    } while (r > 0);
    fclose(f);
    text[len] = '\0';
    for (p = text; p < text + len; p = end + 1) {
        char *a = p, *z;
        end = memchr(p, '\n', (size_t)(text + len - p));
        if (end == NULL)
            end = text + len;
        line++;
        *end = '\0';
        z = end;
        while (a < z && (*a == ' ' || *a == '\t'))
            a++;
        while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r'))
            *--z = '\0';
        if (a < z && *a != '#' && match_add(a, path, line) != 0)
            return -1;
    }
    return 0;                 /* text stays: the patterns point into it */
}

/* Compile the patterns into cfg->match. Returns 0, or the exit status
 * for a bad pattern (2), which is named with its file and line. */
static int
match_setup(cs_config *cfg, int out_raw)
{
    size_t size, bad = 0;
    void *mem;
    int e;

    if (wl.n == 0)
        return 0;
    if (out_raw) {
        fprintf(stderr, "certstream: --raw prints every message: use --json "
                "with --match\n");
        return 2;
    }
    e = cs_match_size(wl.pats, wl.n, 0, &size, &bad);
    if (e == 0 && (wl.mem = malloc(size)) == NULL)
        e = CS_E_MATCH_MEMORY;
    if (e == 0)
        wl.set = cs_match_compile(wl.mem, size, wl.pats, wl.n, 0, &e, &bad);
    if (wl.set == NULL) {
        if (bad < wl.n && wl.from[bad] != NULL)
            fprintf(stderr, "certstream: %s:%lu: bad pattern \"%s\": %s\n",
                    wl.from[bad], wl.line[bad], wl.pats[bad],
                    cs_strerror(e));
        else
            fprintf(stderr, "certstream: --match \"%s\": %s\n",
                    bad < wl.n ? wl.pats[bad] : "", cs_strerror(e));
        return 2;
    }
    /* Keep a tight copy: the size asked counted a state per key byte. */
    if ((mem = malloc(cs_match_used(wl.set))) != NULL) {
        wl.set = cs_match_copy(mem, cs_match_used(wl.set), wl.set);
        free(wl.mem);
        wl.mem = mem;
    }
    cfg->match = wl.set;
    return 0;
}

/* Every event passes here first: a raw message that ended without being
 * delivered (it did not match) is dropped when the next one starts. */
static void
match_on_event(const cs_event *e)
{
    /* (also without --match: the engine drops repeated entries too) */
    if (e->type == CS_EV_RAW && wl.ended) {
        g.len = 0;
        g.too_big = 0;
    }
    if (e->type == CS_EV_RAW || e->type == CS_EV_RAW_END)
        wl.ended = e->type == CS_EV_RAW_END;
    wl.ev = e;
}

#if CS_HAS_CT
/* --match in direct mode: what matched, after the server's fields (a
 * server's own bytes are never changed; this message is ours):
 * "match":[{"domain":"...","pattern":"..."}, ...]. */
static void
put_match(const cs_event *e)
{
    size_t i, n;

    put_s(",\"match\":[");
    for (i = 0; i < e->hit_count; i++) {
        const cs_match_hit *h = &e->hits[i];
        const char *dn = cs_msg_domain(e->msg, h->domain, &n);

        put_s(i == 0 ? "{\"domain\":" : ",{\"domain\":");
        put_jstr(dn, n);
        put_s(",\"pattern\":");
        put_jstr(wl.pats[h->pattern], strlen(wl.pats[h->pattern]));
        put_s("}");
    }
    put_s("]");
}
#endif

/* The human line's mark: "  <= name (pattern, ...), ..." for the domains
 * that matched, the names highlighted. */
static void
match_mark(const cs_msg *m)
{
    const cs_event *e = wl.ev;
    size_t i, n;

    if (wl.set == NULL || e == NULL || e->msg != m || e->hit_count == 0)
        return;
    put_color(C_SEP, " <=", 3);
    for (i = 0; i < e->hit_count; i++) {
        const cs_match_hit *h = &e->hits[i];
        const char *d = cs_msg_domain(m, h->domain, &n);
        if (i == 0 || h->domain != e->hits[i - 1].domain) {
            put(i == 0 ? " " : "), ", i == 0 ? 1 : 3);
            put_color(C_NAME, d, n);
            put(" (", 2);
        } else {
            put(", ", 2);
        }
        put(wl.pats[h->pattern], strlen(wl.pats[h->pattern]));
    }
    put(")", 1);
}

/* The default output: certstream-python's line for a certificate
 * ("[time] url - name " with --full adding "[a, b]"). Fields the message
 * lacks print empty: "[] " without seen (or with one out of range), no
 * url, no name. */
static void
print_human(const cs_msg *m)
{
    char ts[80] = "[";
    size_t i, n;
    const char *d;

    if (m->type == CS_MSG_DNS) {
        print_domains(m);
        return;
    }
    if (m->type != CS_MSG_CERT)
        return;
    check_overflow(m);
    if (m->has & CS_F_SEEN)
        iso_time(m->seen, ts + 1, sizeof ts - 2);
    strcat(ts, "]");
    put_color(C_TIME, ts, strlen(ts));
    put(" ", 1);
    put_color(C_URL, m->source_url.buf, m->source_url.len);
    put(" - ", 3);
    d = m->domain_count > 0 ? cs_msg_domain(m, 0, &n) : "";
    put_color(C_NAME, d, m->domain_count > 0 ? n : 0);
    put(" ", 1);
    if (g.full) {
        if (g.color)
            put(C_SEP, strlen(C_SEP));
        put("[", 1);
        for (i = 0; i < m->domain_count; i++) {
            if (i > 0)
                put_color(C_SEP, ", ", 2);
            d = cs_msg_domain(m, i, &n);
            put_color(C_DOM, d, n);
        }
        put_color(C_SEP, "]", 1);
    }
    match_mark(m);
    put("\n", 1);
}

/* Gaps (server mode, on unless --no-gaps): one line on stderr each. The
 * ones that may be deliberate only with --gaps. */
static unsigned char gap_mem[256 * 920];   /* 256 logs, window 4096 */
static struct {
    int all;                  /* --gaps */
    int off;                  /* --no-gaps */
    int backfill;             /* --backfill */
    unsigned long long max;   /* --backfill-max */
} gaps;

static void
print_gap(const cs_gap_event *gp)
{
    if (g.quiet || ((gp->flags & CS_GAP_MAYBE_DELIBERATE) && !gaps.all))
        return;
    flush();
    fprintf(stderr, "certstream: gap: %.*s: %llu entr%s missing, %llu..%llu"
            "%s\n", (int)gp->url_len, gp->url, (unsigned long long)gp->count,
            gp->count == 1 ? "y" : "ies", (unsigned long long)gp->first,
            (unsigned long long)(gp->first + gp->count - 1),
            gp->flags & CS_GAP_MAYBE_DELIBERATE
                ? " (may be deliberate: a duplicate of another log's "
                  "entry, or one the server could not parse)" : "");
}

#if CS_HAS_CT
/* --backfill (server mode): a few followers fetch the gaps' entries from
 * the logs (found in the built-in log list, else at source.url). */
static cs_backfill backfill;
static cs_ct_follower bf_f[CS_BF_SLOTS];
static unsigned char bf_mem[CS_BF_SLOTS][CS_CT_MEM];
/* the certificates delivered, so that none is printed twice: 131,072 of
 * them (3 MiB), about 2 minutes of a full stream */
static uint64_t bf_seen[CS_BF_SEEN_SIZE(1u << 17) / 8];   /* 8-aligned */
static cs_posix bf_posix[CS_BF_SLOTS];
static cs_ct_log bf_logs[256];

/* A backfilled entry: --json as direct mode prints it, marked. */
static void
print_backfilled(const cs_event *e)
{
    dentry de;

    if (g.count > 0 && g.certs >= g.count)
        return;
    if (g.out == OUT_HUMAN) {
        print_human(e->msg);
    } else if (g.out == OUT_DOMAINS) {
        print_domains(e->msg);
    } else if (e->entry != NULL) {
        de.ev = e;
        de.precert = e->entry->type == CS_CT_PRECERT;
        de.u = e->entry;
        de.index = e->entry->index;
        de.timestamp_ms = e->entry->timestamp;
        de.seen = e->msg->seen;
        de.log_url = cs_ct_url(e->log);
        de.log_name = cs_ct_name(e->log);
        de.log_kind = e->log->cfg.kind;
        de.backfilled = 1;
        print_entry_json(&de);
    }
    if (g.count > 0 && ++g.certs >= g.count)
        stop_all();
}

/* A gap's backfill ended: given-up entries are said on stderr. */
static void
print_backfill_end(const cs_event *e)
{
    if (g.quiet || (e->err == 0 && !g.verbose))
        return;
    flush();
    if (e->err == 0)
        fprintf(stderr, "certstream: backfilled: %.*s: %lld entries from "
                "%llu\n", (int)e->len, e->text, (long long)e->detail,
                (unsigned long long)e->index);
    else
        fprintf(stderr, "certstream: backfill: %.*s: %lld entries from "
                "%llu given up: %s\n", (int)e->len, e->text,
                (long long)e->detail, (unsigned long long)e->index,
                cs_strerror(e->err));
}

/* Wire the backfill to the client's settings. Returns 0 or 2. */
static int
backfill_setup(cs_config *cfg)
{
    cs_backfill_config bc;
    size_t i, n = cs_ct_snapshot_count();

    cs_backfill_config_init(&bc);
    for (i = 0; i < CS_BF_SLOTS; i++) {
        bc.slot[i] = &bf_f[i];
        bc.mem[i] = bf_mem[i];
        cs_posix_transport(&bf_posix[i], &bc.transport[i]);
    }
    bc.slots = CS_BF_SLOTS;
    bc.mem_cap = CS_CT_MEM;
    bc.seen = bf_seen;
    bc.seen_cap = sizeof bf_seen;
    bc.verify = !dm.no_verify;
    if (dm.list_file != NULL) {       /* --log-list: that list */
        if (list_option(cfg) != 0)
            return 2;
        bc.logs = list;
        bc.log_count = nlist;
    } else {                          /* the built-in one */
        for (i = 0; i < n && i < sizeof bf_logs / sizeof bf_logs[0]; i++)
            cs_ct_snapshot_get(i, &bf_logs[i]);
        bc.logs = bf_logs;
        bc.log_count = i;
    }
    bc.match = cfg->match;
    if (gaps.max > 0)
        bc.max_entries = gaps.max;
    bc.on_event = cfg->on_event;
#if CS_HAS_TLS
    bc.tls = cfg->tls;
#endif
    if (cs_backfill_init(&backfill, &bc) != 0)
        return 2;
    cs_backfill_attach(&backfill, cfg);
    return 0;
}
#else
static void print_backfilled(const cs_event *e) { (void)e; }
static void print_backfill_end(const cs_event *e) { (void)e; }
#endif

/* --stats: one line on stderr. */
static void
print_stats(const char *when)
{
    const cs_stats *st = cs_client_stats(g.client);
    uint64_t now = cs_now_ms(), dt = now - g.last_ms;

    fprintf(stderr, "certstream: %s: %.1f msg/s; %llu messages (%llu "
            "certificates, %llu dns_entries, %llu heartbeats), %.1f MB; "
            "%llu reconnects, %llu failed attempts, %llu parse errors, "
            "%llu protocol errors\n", when,
            dt > 0 ? (double)(st->messages - g.last_messages) * 1000.0
                         / (double)dt : 0.0,
            (unsigned long long)st->messages,
            (unsigned long long)st->by_type[CS_MSG_CERT],
            (unsigned long long)st->by_type[CS_MSG_DNS],
            (unsigned long long)st->by_type[CS_MSG_HEARTBEAT],
            (double)st->bytes / 1e6, (unsigned long long)st->reconnects,
            (unsigned long long)st->failures,
            (unsigned long long)st->parse_errors,
            (unsigned long long)st->protocol_errors);
    if (!gaps.off && st->by_type[CS_MSG_CERT] > st->unindexed)
        fprintf(stderr, "certstream: %s: %llu gaps, %llu entries missing "
                "(%llu gaps may be deliberate); %llu duplicates, %llu late, "
                "%llu untracked\n", when, (unsigned long long)st->gaps,
                (unsigned long long)st->gap_missing,
                (unsigned long long)st->gap_deliberate,
                (unsigned long long)st->gap_duplicates,
                (unsigned long long)st->gap_late,
                (unsigned long long)(st->gap_old + st->gap_untracked));
    else if (!gaps.off && st->unindexed > 0)
        fprintf(stderr, "certstream: %s: gaps: none can be seen: the "
                "messages carry no cert_index (domains-only)\n", when);
#if CS_HAS_CT
    if (gaps.backfill)
        fprintf(stderr, "certstream: %s: backfill: %llu entries delivered, "
                "%llu duplicates, %llu server copies not printed, %llu "
                "given up (%llu gaps, %llu with no known log); %llu failed "
                "requests\n", when,
                (unsigned long long)backfill.stats.delivered,
                (unsigned long long)backfill.stats.duplicates,
                (unsigned long long)backfill.stats.server_duplicates,
                (unsigned long long)backfill.stats.given_up,
                (unsigned long long)backfill.stats.gaps_given_up,
                (unsigned long long)backfill.stats.no_log,
                (unsigned long long)backfill.stats.failures);
#endif
    g.last_messages = st->messages;
    g.last_ms = now;
}

/* Why an attempt failed or a connection ended, in words, into out. */
static void
describe(const cs_event *e, char *out, size_t cap)
{
    char why[160] = "", reason[600];

#if CS_HAS_TLS
    if (e->detail != 0 && e->err <= -40 && e->err >= -59)
        snprintf(why, sizeof why, "; BearSSL: %s",
                 cs_tls_errname((int)e->detail));
    else
#endif
    if (e->type == CS_EV_FAILED && e->status != 0)
        snprintf(why, sizeof why, ": HTTP %d", e->status);
    else if (cs_posix_errno(&posix) != 0 && e->err <= -20 && e->err >= -39)
        snprintf(why, sizeof why, ": %s", strerror(cs_posix_errno(&posix)));
    if (e->type == CS_EV_DISCONNECTED) {
        escape(e->text, e->len, reason, sizeof reason);
        if (e->err == 0)
            snprintf(out, cap, "connection to %s closed by the server: "
                     "close %d%s%s", g.target, e->status,
                     e->len ? ": " : "", reason);
        else
            snprintf(out, cap, "connection to %s lost: %s (%s%s), close "
                     "%d%s%s", g.target, cs_strerror(e->err),
                     cs_errname(e->err), why, e->status,
                     e->len ? ": " : "", reason);
    } else {
        snprintf(out, cap, "cannot connect to %s: %s (%s%s)", g.target,
                 cs_strerror(e->err), cs_errname(e->err), why);
    }
}

/* Without --verbose, one line per failure, with when the next try comes
 * (on the CS_EV_RETRY that follows). The same failure again is counted,
 * and shown only at the 2nd, 4th, 8th, ... time in a row. */
static void
report_failure(const cs_event *e)
{
    char line[sizeof g.fail];

    describe(e, line, sizeof line);
    if (strcmp(line, g.fail) == 0) {
        g.repeats++;
    } else {
        if (g.repeats > g.shown)
            fprintf(stderr, "certstream: the failure above happened %llu "
                    "times in a row\n", g.repeats + 1);
        memcpy(g.fail, line, sizeof line);
        g.repeats = g.shown = 0;
    }
    g.pending = 1;
    if (e->type == CS_EV_FAILED && e->err == CS_E_HS_STATUS
        && e->detail > 0)
        g.retry_after = e->detail;
}

/* The pending failure line, with the retry delay when there is one. */
static void
print_failure(const cs_event *retry)
{
    char when[120] = "";

    if (!g.pending)
        return;
    g.pending = 0;
    if (g.repeats > 0 && (g.repeats & (g.repeats + 1)) != 0)
        return;                       /* not 2, 4, 8, ... times: counted */
    if (retry != NULL) {
        uint64_t ms = retry->delay_ms;
        if (g.retry_after > 0 && (uint64_t)g.retry_after * 1000 > ms)
            snprintf(when, sizeof when, "; Retry-After %lld s, capped: "
                     "retrying in %.1f s", (long long)g.retry_after,
                     (double)ms / 1000);
        else if (g.retry_after > 0)
            snprintf(when, sizeof when, "; retrying in %.1f s "
                     "(Retry-After)", (double)ms / 1000);
        else
            snprintf(when, sizeof when, "; retrying in %.1f s",
                     (double)ms / 1000);
    }
    if (g.repeats > 0)
        fprintf(stderr, "certstream: %s (%llu times in a row)%s\n", g.fail,
                g.repeats + 1, when);
    else
        fprintf(stderr, "certstream: %s%s\n", g.fail, when);
    g.shown = g.repeats;
    g.retry_after = 0;
}

/* One line on stderr for a connection event (--verbose), a line for
 * each failure otherwise (unless --quiet), and the bookkeeping for the
 * exit status. */
static void
on_conn_event(const cs_event *e)
{
    if (e->type == CS_EV_FAILED || e->type == CS_EV_DISCONNECTED)
        g.last = e->type;
    if (e->type == CS_EV_CONNECTING)
        escape(e->text, e->len, g.target, sizeof g.target);
    if (!g.verbose) {
        if (g.quiet)
            return;
        if (e->type == CS_EV_FAILED
            || (e->type == CS_EV_DISCONNECTED
                && (e->err != 0 || e->status != 1000))) {
            report_failure(e);
            if (!g.reconnect)
                print_failure(NULL);  /* no retry follows */
        } else if (e->type == CS_EV_RETRY) {
            print_failure(e);
        } else if (e->type == CS_EV_CONNECTED && g.fail[0] != '\0') {
            fprintf(stderr, "certstream: connected to %s\n", g.target);
            if (g.repeats > g.shown)
                fprintf(stderr, "certstream: (the last failure happened "
                        "%llu times in a row)\n", g.repeats + 1);
            g.fail[0] = '\0';
            g.repeats = g.shown = 0;
        }
        return;
    }
    switch (e->type) {
    case CS_EV_CONNECTING:
        fprintf(stderr, "certstream: connecting to %s\n", g.target);
        break;
    case CS_EV_CONNECTED:
        fprintf(stderr, "certstream: connected\n");
        break;
    case CS_EV_REDIRECT: {
        char to[4200];
        escape(e->text, e->len, to, sizeof to);
        fprintf(stderr, "certstream: redirected (%d) to %s\n", e->status,
                to);
        break;
    }
    case CS_EV_WARNING:
        break;                        /* always shown: see on_event */
    case CS_EV_FAILED:
#if CS_HAS_TLS
        if (e->detail != 0 && e->err <= -40 && e->err >= -59)
            fprintf(stderr, "certstream: failed: %s (%s; BearSSL: %s)\n",
                    cs_strerror(e->err), cs_errname(e->err),
                    cs_tls_errname((int)e->detail));
        else
#endif
        if (e->status != 0 && e->detail > 0)
            fprintf(stderr, "certstream: failed: %s (%s, HTTP %d, "
                    "Retry-After %lld)\n", cs_strerror(e->err),
                    cs_errname(e->err), e->status, (long long)e->detail);
        else if (e->status != 0)
            fprintf(stderr, "certstream: failed: %s (%s, HTTP %d)\n",
                    cs_strerror(e->err), cs_errname(e->err), e->status);
        else if (cs_posix_errno(&posix) != 0)
            fprintf(stderr, "certstream: failed: %s (%s: %s)\n",
                    cs_strerror(e->err), cs_errname(e->err),
                    strerror(cs_posix_errno(&posix)));
        else
            fprintf(stderr, "certstream: failed: %s (%s)\n",
                    cs_strerror(e->err), cs_errname(e->err));
        break;
    case CS_EV_DISCONNECTED: {
        char reason[600];
        escape(e->text, e->len, reason, sizeof reason);
        fprintf(stderr, "certstream: disconnected: %s (%s), close %d%s%s\n",
                e->err ? cs_strerror(e->err) : "closed",
                cs_errname(e->err), e->status, e->len ? ": " : "", reason);
        break;
    }
    case CS_EV_RETRY:
        fprintf(stderr, "certstream: retrying in %llu ms\n",
                (unsigned long long)e->delay_ms);
        break;
    default:
        break;
    }
}

static void
on_event(void *ctx, const cs_event *e)
{
    (void)ctx;
    match_on_event(e);
    switch (e->type) {
    case CS_EV_RAW:
        keep(e->text, e->len);
        break;
    case CS_EV_RAW_END:
        if (g.out == OUT_RAW) {
            if (e->opcode == CS_WS_OP_TEXT)
                print_kept();
            g.len = 0;
            g.too_big = 0;
        }
        break;
    case CS_EV_MESSAGE:
        if (e->backfilled) {
            print_backfilled(e);
            break;
        }
#if CS_HAS_CT
        if (e->err == 0 && state_srv(e->msg)) {
            g.len = 0;                /* the backfill brings it */
            g.too_big = 0;
            break;
        }
#endif
        if (e->err != 0 && g.verbose)
            fprintf(stderr, "certstream: bad message: %s (%s) at byte "
                    "%lld\n", cs_strerror(e->err), cs_errname(e->err),
                    (long long)e->detail);
        if (g.out == OUT_JSON) {
            if (e->err != 0 && notice(&g.skipped))
                fprintf(stderr, "certstream: --json: skipped a message "
                        "that is not a JSON object: %s (%s) at byte %lld "
                        "(%llu skipped so far)\n", cs_strerror(e->err),
                        cs_errname(e->err), (long long)e->detail,
                        g.skipped);
            if (e->err == 0 && e->msg->type != CS_MSG_HEARTBEAT
                && !g.too_big)
                print_json_line();
            g.len = 0;
            g.too_big = 0;
        } else if (g.out == OUT_HUMAN && e->err == 0) {
            print_human(e->msg);
        } else if (g.out == OUT_DOMAINS && e->err == 0) {
            print_domains(e->msg);
        }
        if (e->err == 0 && g.count > 0
            && (e->msg->type == CS_MSG_CERT || e->msg->type == CS_MSG_DNS)
            && ++g.certs >= g.count)
            stop_all();
        break;
    case CS_EV_DISCONNECTED:
    case CS_EV_FAILED:
        g.len = 0;                    /* a cut message is not printed */
        g.too_big = 0;
        on_conn_event(e);
        break;
    case CS_EV_WARNING:
        if (e->err == CS_E_GAP_UNINDEXED && !gaps.all)
            break;                    /* gaps were not asked for */
        if (!g.quiet)
            fprintf(stderr, "certstream: WARNING: %.*s\n", (int)e->len,
                    e->text);
        break;
    case CS_EV_TICK:
        print_stats("stats");
        break;
    case CS_EV_GAP:
        print_gap(e->gap);
        break;
    case CS_EV_BACKFILL:
        print_backfill_end(e);
        break;
    default:
        on_conn_event(e);
        break;
    }
}

#if CS_HAS_TLS
/* Read a whole (small) file into buf; returns its length or -1. */
static long
read_file(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return -1;
    n = fread(buf, 1, cap, f);
    if (ferror(f) || n == cap) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return (long)n;
}
#endif

/* A non-negative number of seconds (fractions allowed) as milliseconds. */
static int
parse_seconds(const char *s, uint32_t *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= 0)
        || v > 4000000.0)
        return -1;
    *ms = (uint32_t)(v * 1000 + 0.5);
    return 0;
}

static int
parse_count(const char *s, unsigned long long *n)
{
    char *end;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *n = strtoull(s, &end, 10);
    return end == s || *end != '\0' || errno != 0 ? -1 : 0;
}

/* A usage error in one line (the direct-mode options). */
static int
bad_line(const char *what, const char *arg)
{
    fprintf(stderr, "certstream: %s%s%s\n", what, arg ? ": " : "",
            arg ? arg : "");
    return 2;
}

static int
bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "certstream: %s%s%s\n\n%s%s", what, arg ? ": " : "",
            arg ? arg : "", usage, usage_more);
    return 2;
}

/* --help and --version: stdout must take the text (exit 1 if not). */
static int
print_and_exit(const char *text, const char *more)
{
    if (fputs(text, stdout) == EOF || fputs(more, stdout) == EOF
        || fflush(stdout) != 0
        || ferror(stdout)) {
        fprintf(stderr, "certstream: cannot write to stdout: %s\n",
                strerror(errno));
        return 1;
    }
    return 0;
}

/* The options: a table, so that adding one is one line here and one case
 * in apply_option(). */
enum {
    O_URL, O_FULL, O_DOMAINS, O_JSON, O_RAW, O_ONCE, O_VERBOSE, O_QUIET,
    O_HEADER, O_CA, O_PIN, O_INSECURE, O_PING, O_TIMEOUT, O_MAXMSG,
    O_COUNT, O_UTC, O_STATS, O_NOCOLOR, O_VERSION, O_HELP, O_MATCH,
    O_MATCH_FILE, O_LOG, O_TILED_LOG, O_LOG_KEY, O_LOG_LIST, O_FROM,
    O_NO_FETCH, O_LIST_LOGS, O_USER_AGENT, O_STATE, O_GAPS, O_NO_GAPS,
    O_BACKFILL, O_BACKFILL_MAX, O_NO_VERIFY
};
static const struct option {
    const char *name, *alias;
    int id, takes;            /* takes: 1 when it needs a value */
} options[] = {
    { "--url", NULL, O_URL, 1 },
    { "--full", NULL, O_FULL, 0 },
    { "--domains", NULL, O_DOMAINS, 0 },
    { "--json", NULL, O_JSON, 0 },
    { "--raw", NULL, O_RAW, 0 },
    { "--once", NULL, O_ONCE, 0 },
    { "--verbose", "-v", O_VERBOSE, 0 },
    { "--quiet", "-q", O_QUIET, 0 },
    { "--header", NULL, O_HEADER, 1 },
    { "--ca", NULL, O_CA, 1 },
    { "--pin", NULL, O_PIN, 1 },
    { "--insecure", NULL, O_INSECURE, 0 },
    { "--ping-interval", NULL, O_PING, 1 },
    { "--timeout", NULL, O_TIMEOUT, 1 },
    { "--max-message", NULL, O_MAXMSG, 1 },
    { "--count", "-n", O_COUNT, 1 },
    { "--utc", NULL, O_UTC, 0 },
    { "--stats", NULL, O_STATS, 0 },
    { "--disable-colors", NULL, O_NOCOLOR, 0 },
    { "--version", NULL, O_VERSION, 0 },
    { "--help", "-h", O_HELP, 0 },
    { "--match", NULL, O_MATCH, 1 },
    { "--match-file", NULL, O_MATCH_FILE, 1 },
    { "--log", NULL, O_LOG, 1 },
    { "--tiled-log", NULL, O_TILED_LOG, 1 },
    { "--log-key", NULL, O_LOG_KEY, 1 },
    { "--log-list", NULL, O_LOG_LIST, 1 },
    { "--from", NULL, O_FROM, 1 },
    { "--no-fetch-list", NULL, O_NO_FETCH, 0 },
    { "--list-logs", NULL, O_LIST_LOGS, 0 },
    { "--user-agent", NULL, O_USER_AGENT, 1 },
    { "--state", NULL, O_STATE, 1 },
    { "--gaps", NULL, O_GAPS, 0 },
    { "--no-gaps", NULL, O_NO_GAPS, 0 },
    { "--backfill", NULL, O_BACKFILL, 0 },
    { "--backfill-max", NULL, O_BACKFILL_MAX, 1 },
    { "--no-verify", NULL, O_NO_VERIFY, 0 }
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static const char *
opt_name(int id)
{
    size_t k;

    for (k = 0; k < N_OPTIONS; k++)
        if (options[k].id == id)
            return options[k].name;
    return "?";
}

static struct {
    uint64_t seen;            /* 1 << O_* for each option given */
    const char *pin;
} opt;

/* Apply one option; returns 0, or an exit status (usage errors: 2). */
static int
apply_option(cs_config *cfg, const struct option *o, const char *v)
{
    opt.seen |= (uint64_t)1 << o->id;
    switch (o->id) {
    case O_URL: cfg->url = v; break;
    case O_FULL: g.full = 1; break;
    case O_DOMAINS: g.out = OUT_DOMAINS; break;
    case O_JSON: g.out = OUT_JSON; break;
    case O_RAW: g.out = OUT_RAW; break;
    case O_ONCE: cfg->reconnect = 0; break;
    case O_VERBOSE: g.verbose = 1; break;
    case O_QUIET: g.quiet = 1; break;
    case O_UTC: g.utc = 1; break;
    case O_STATS: g.stats = 1; break;
    case O_GAPS: gaps.all = 1; break;
    case O_NO_GAPS: gaps.off = 1; break;
    case O_BACKFILL: gaps.backfill = 1; break;
    case O_BACKFILL_MAX:
        if (parse_count(v, &gaps.max) != 0 || gaps.max == 0)
            return bad_usage("bad --backfill-max (want a number > 0)", v);
        gaps.backfill = 1;
        break;
    case O_NOCOLOR: g.color = -1; break;
    case O_USER_AGENT: {
        static char ua[1024];
        if (cfg->header_count == CS_MAX_HEADERS || v[0] == '\0'
            || strlen(v) > sizeof ua - 13 || strpbrk(v, "\r\n") != NULL)
            return bad_usage("bad --user-agent (want one line of text; it "
                             "counts as a --header)", v);
        snprintf(ua, sizeof ua, "User-Agent: %s", v);
        user_agent = v;
        cfg->headers[cfg->header_count++] = ua;    /* server mode */
        break;
    }
    case O_HEADER:
        if (cfg->header_count == CS_MAX_HEADERS)
            return bad_usage("too many --header options (the most is "
                             "8)", NULL);
        cfg->headers[cfg->header_count++] = v;
        break;
#if CS_HAS_TLS
    case O_CA: cfg->tls.ca_file = v; break;
    case O_PIN: opt.pin = v; break;
    case O_INSECURE: cfg->tls.mode = CS_TLS_INSECURE; break;
#else
    case O_CA: case O_PIN: case O_INSECURE:
        return bad_usage("this build has no TLS (CERTSTREAM_NO_TLS)",
                         o->name);
#endif
    case O_PING:
        if (parse_seconds(v, &cfg->ping_interval_ms) != 0)
            return bad_usage("bad --ping-interval (want seconds)", v);
        break;
    case O_TIMEOUT:
        if (parse_seconds(v, &cfg->dead_timeout_ms) != 0)
            return bad_usage("bad --timeout (want seconds)", v);
        break;
    case O_MAXMSG: {
        unsigned long long n;
        if (parse_count(v, &n) != 0 || n == 0)
            return bad_usage("bad --max-message (want bytes, > 0)", v);
        cfg->max_message = n;
        break;
    }
    case O_COUNT:
        if (parse_count(v, &g.count) != 0 || g.count == 0)
            return bad_usage("bad --count (want a number > 0)", v);
        break;
    case O_VERSION:
        return print_and_exit("certstream (certstream.h) "
                              CERTSTREAM_VERSION_STRING "\n", "") + 256;
    case O_HELP:
        return print_and_exit(usage, usage_more) + 256;
    case O_MATCH:
        return match_add(v, NULL, 0) == 0 ? 0 : 2;
    case O_MATCH_FILE:
        return match_file(v) == 0 ? 0 : 2;
#if CS_HAS_CT
    case O_LOG: case O_TILED_LOG:
        if (nwanted == MAX_WANTED)
            return bad_line("too many --log / --tiled-log options (the "
                             "most is 64)", NULL);
        if ((wanted[nwanted].url = log_url(o->name, v)) == NULL)
            return 2;
        wanted[nwanted].kind = o->id == O_LOG ? CS_CT_RFC6962
                                              : CS_CT_STATIC;
        wanted[nwanted++].key_b64 = NULL;
        break;
    case O_LOG_KEY:
        if (nwanted == 0 || wanted[nwanted - 1].key_b64 != NULL)
            return bad_line("--log-key goes after the --log or "
                             "--tiled-log it is the key of", v);
        wanted[nwanted - 1].key_b64 = v;
        break;
    case O_LOG_LIST: dm.list_file = v; break;
    case O_NO_FETCH: dm.no_fetch = 1; break;
    case O_LIST_LOGS: dm.list_logs = 1; break;
    case O_FROM:
        if (parse_count(v, &dm.from) != 0)
            return bad_line("bad --from (want an entry number)", v);
        dm.from_given = 1;
        break;
    case O_STATE: dm.state_file = v; break;
    case O_NO_VERIFY: dm.no_verify = 1; break;
#else
    case O_LOG: case O_TILED_LOG: case O_LOG_KEY: case O_LOG_LIST:
    case O_NO_FETCH: case O_LIST_LOGS:
    case O_FROM: case O_STATE: case O_NO_VERIFY:
        return bad_line("direct mode (following CT logs) is not in this "
                         "build (CERTSTREAM_NO_CT); use --url", o->name);
#endif
    default:
        break;
    }
    return 0;
}

/* getopt_long style: --name VALUE, --name=VALUE, -n VALUE, -nVALUE, and
 * "--" ends the options (this command takes no operands). Returns 0, or
 * an exit status + 256 for --help / --version, or 2. */
static int
parse_args(cs_config *cfg, int argc, char **argv)
{
    int i, r;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL, *eq = NULL;
        size_t n, k;
        const struct option *o = NULL;
        char name[64];

        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc)
                return bad_usage("unexpected argument", argv[i + 1]);
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            return bad_usage("unexpected argument (options start with "
                             "--)", a);
        if (a[1] == '-')
            eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        for (k = 0; k < N_OPTIONS && o == NULL; k++) {
            const struct option *c = &options[k];
            if (strlen(c->name) == n && strncmp(c->name, a, n) == 0)
                o = c;
            else if (a[1] != '-' && c->alias != NULL
                     && strncmp(c->alias, a, 2) == 0)
                o = c, n = 2;         /* -n5: the value follows at once */
        }
        snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), a);
        if (o == NULL)
            return bad_usage("unknown option", name);
        if (eq != NULL)
            v = eq + 1;
        else if (a[n] != '\0')
            v = a + n;
        if (v != NULL && !o->takes)
            return bad_usage("this option takes no value", a);
        if (v == NULL && o->takes) {
            if (i + 1 >= argc)
                return bad_usage("missing value for", name);
            v = argv[++i];
        }
        if ((r = apply_option(cfg, o, v)) != 0)
            return r;
    }
    return 0;
}

#define SEEN(o) ((int)((opt.seen >> (o)) & 1u))

/* Settings that can never work fail at start, naming the option. */
static int
check_settings(const cs_config *cfg)
{
    static const int mode_id[3] = { O_JSON, O_RAW, O_DOMAINS };
    const char *first = NULL;
    int i;
    size_t h;

    for (i = 0; i < 3; i++) {
        if (!SEEN(mode_id[i]))
            continue;
        if (first != NULL) {
            fprintf(stderr, "certstream: %s and %s cannot be combined "
                    "(each chooses the output)\n", first,
                    opt_name(mode_id[i]));
            return 2;
        }
        first = opt_name(mode_id[i]);
    }
    if (SEEN(O_FULL) && first != NULL)
        return bad_usage("--full changes the default output only; it "
                         "cannot go with", first);
    if (SEEN(O_QUIET) && SEEN(O_VERBOSE))
        return bad_usage("--quiet and --verbose cannot be combined", NULL);
    if (SEEN(O_PIN) && SEEN(O_INSECURE))
        return bad_usage("--pin and --insecure cannot be combined (--pin "
                         "checks the key, --insecure nothing)", NULL);
    if (SEEN(O_CA) && (SEEN(O_PIN) || SEEN(O_INSECURE)))
        return bad_usage("--ca cannot be combined with", SEEN(O_PIN)
                         ? "--pin (which trusts only the pinned key)"
                         : "--insecure (which checks no certificate)");
    if (cfg->ping_interval_ms > 0 && cfg->ping_interval_ms < 10)
        return bad_usage("--ping-interval below 0.01 s (0 turns pings "
                         "off)", NULL);
    if (cfg->dead_timeout_ms > 0 && cfg->ping_interval_ms > 0
        && cfg->dead_timeout_ms <= cfg->ping_interval_ms) {
        fprintf(stderr, "certstream: --timeout (%.3g s) must be longer "
                "than the ping interval (%.3g s%s): a quiet connection "
                "would be dropped before a ping could be answered\n",
                cfg->dead_timeout_ms / 1000.0,
                cfg->ping_interval_ms / 1000.0,
                SEEN(O_PING) ? "" : ", the default; see --ping-interval");
        return 2;
    }
    for (h = 0; h < cfg->header_count; h++) {
        static cs_hs hs;
        static char req[CS_IO_CHUNK];
        static const unsigned char key[16];
        cs_url u;
        int n;

        if (cs_url_parse(&u, cfg->url, strlen(cfg->url)) != 0)
            break;                    /* reported by cs_client_init */
        if (cs_hs_request(&hs, req, sizeof req, &u, key, &cfg->headers[h],
                          1) == CS_E_ARG)
            return bad_usage("bad --header (want 'Name: value'; the "
                             "handshake sets Host, Upgrade, Connection, "
                             "Sec-WebSocket-*, Content-Length and "
                             "Transfer-Encoding itself)", cfg->headers[h]);
        if (h + 1 < cfg->header_count)
            continue;
        /* All of them, with room for a redirect to the longest URL. */
        n = cs_hs_request(&hs, req, sizeof req - CS_URL_MAX, &u, key,
                          cfg->headers, cfg->header_count);
        if (n < 0) {
            fprintf(stderr, "certstream: --header: the request would not "
                    "fit its buffer (%d bytes with room for a redirect); "
                    "the headers may take about %d bytes together\n",
                    CS_IO_CHUNK, CS_IO_CHUNK - CS_URL_MAX - 400);
            return 2;
        }
    }
    return 0;
}

/* Options of one mode only fail in the other, naming the option. */
static int
check_mode(void)
{
    static const int server_only[] = {
        O_RAW, O_ONCE, O_HEADER, O_PIN, O_PING, O_TIMEOUT, O_MAXMSG,
        O_GAPS, O_NO_GAPS, O_BACKFILL, O_BACKFILL_MAX
    };
    /* O_STATE: both modes; with --url, resumed through --backfill. */
    static const int direct_only[] = {
        O_LOG, O_TILED_LOG, O_LOG_KEY, O_LOG_LIST, O_FROM, O_NO_FETCH,
        O_LIST_LOGS, O_NO_VERIFY
    };
    size_t k;

    if (!SEEN(O_URL)) {
#if CS_HAS_CT
        for (k = 0; k < sizeof server_only / sizeof server_only[0]; k++)
            if (SEEN(server_only[k]))
                return bad_line("this option is for a server (--url); "
                                 "without --url certstream reads the CT "
                                 "logs itself", opt_name(server_only[k]));
#else
        (void)server_only;
        return bad_line("direct mode (following CT logs without a "
                         "server) is not in this build (CERTSTREAM_NO_CT);"
                         " name a server with --url", NULL);
#endif
    } else {
        for (k = 0; k < sizeof direct_only / sizeof direct_only[0]; k++)
            if (SEEN(direct_only[k]) && !((direct_only[k] == O_LOG_LIST
                                            || direct_only[k] == O_NO_VERIFY)
                                           && gaps.backfill))
                return bad_line("this option is for direct mode (no "
                                 "--url): it cannot go with --url",
                                 opt_name(direct_only[k]));
        if (SEEN(O_STATE) && !gaps.backfill)
            return bad_line("--state with --url needs --backfill (what "
                            "was logged while away is fetched from the "
                            "logs)", NULL);
    }
    return 0;
}

/* The exit status for how the client finished (see usage). */
static int
exit_status(int r)
{
    if (g.write_err != 0)
        return g.write_err == EPIPE ? 0 : 1;
    if (r == 0)
        return 0;
    if (r <= -40 && r >= -59 && r != CS_E_TLS_TRUNCATED)
        return 8;
    if (g.last == CS_EV_FAILED)
        return r <= -90 && r >= -99 ? 4 : 3;
    if (r == CS_E_WS_CLOSED_BY_PEER)
        return 6;
    if (r <= -60 && r >= -79)
        return 5;
    return 7;
}

#if CS_HAS_CT
/* Direct mode: follow the selected logs (see select_logs()), each with
 * its own state, connection and memory (sizes: see the README), all in
 * this thread (cs_ct_run). */

#define FAIL_MAX 1400

/* What the command keeps per log besides the follower. */
typedef struct dlog {
    cs_ct_follower f;
    cs_posix posix;
    const cs_ct_log *log;
    char fail[FAIL_MAX];          /* the last failure reported */
    unsigned long long repeats, shown;
    int pending;                  /* fail waits for its CS_EV_RETRY */
    int64_t retry_after;
    int failing;                  /* a failure since the last progress */
    uint64_t last_entries;        /* for --stats */
    struct srow *pos;             /* its --state row, or NULL */
    unsigned char mem[CS_CT_MEM];
} dlog;

static dlog *dlogs[CS_CT_RUN_MAX];
static uint64_t stats_ms;

/* ---- direct mode: --state FILE, each log's position ------------------------
 * The file, simple text lines (every field decimal unless said):
 *   certstream-state 1
 *   log KIND NEXT SIZE TREE_TIME ROOT SAVED URL     (one per log, any order)
 *   end COUNT                                       (COUNT: the log lines)
 * KIND rfc6962 or static; NEXT the next index to deliver; SIZE, TREE_TIME
 * (ms) and ROOT (64 hex digits, or -) the last verified tree head; SAVED
 * the Unix time the position last changed; URL the log's (as followed).
 * Written whole to FILE.tmp, fsynced, renamed over FILE, the directory
 * fsynced: a reader sees the old file or the new one, never a mix. Written
 * at a log's first tree head, every STATE_EVERY_MS while it changes, and at
 * exit; stdout is flushed first, so a position never covers an entry that
 * was not written out. Anything else in the file is refused (exit 2).
 * Server mode (--url --backfill) keeps lines of KIND srv: NEXT is one past
 * the highest cert_index printed of the log, URL its source.url as
 * cs_gap_url() normalises it, SIZE and TREE_TIME 0, ROOT -. Each kind's
 * lines are kept by the other mode. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

#define STATE_MAX 256                 /* logs remembered in one file */
#define STATE_EVERY_MS 1000
#define STATE_LINE (CS_URL_MAX + 160)
#define STATE_HEADER "certstream-state 1"
#define STATE_SRV 100                 /* kind of a server-mode line */

typedef struct srow {
    char url[CS_URL_MAX + 1];
    int kind;
    uint64_t next, size, time_ms;
    unsigned char root[32];
    int has_root;
    long long saved;              /* Unix seconds of the last change */
    int known;                    /* in the file (loaded, or started) */
    int started;                  /* its first tree head this run came */
    int refused;                  /* that head contradicts the saved one */
    uint64_t bf_first, bf_end;    /* server mode: handed to the backfill */
    dlog *d;                      /* followed now, or NULL */
} srow;

static struct {
    const char *file;
    char tmp[4200], dir[4200];
    srow rows[STATE_MAX];
    size_t n;
    uint64_t due_ms;                  /* the next periodic save */
    uint64_t idle_ms;                 /* server mode: see state_srv() */
    int changed, frozen, write_failed, refused;
    char text[STATE_MAX * STATE_LINE + 64];
} sv;

static int
state_bad(const char *why, size_t line)
{
    if (line > 0)
        fprintf(stderr, "certstream: --state %s: line %zu: %s; not a state "
                "file this version can continue from (to start afresh, "
                "delete it or name another file)\n", sv.file, line, why);
    else
        fprintf(stderr, "certstream: --state %s: %s; not a state file "
                "this version can continue from (to start afresh, delete "
                "it or name another file)\n", sv.file, why);
    return 2;
}

/* One space-separated field of [*p, end): its start and length. */
static const char *
state_field(const char **p, const char *end, size_t *len)
{
    const char *s = *p, *e = s;

    while (e < end && *e != ' ')
        e++;
    *len = (size_t)(e - s);
    *p = e < end ? e + 1 : e;
    return s;
}

/* Decimal digits only, no sign, at most UINT64_MAX. */
static int
state_u64(const char *s, size_t n, uint64_t *v)
{
    size_t i;

    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return -1;
    *v = 0;
    for (i = 0; i < n; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (s[i] < '0' || s[i] > '9'
            || *v > (UINT64_MAX - dgt) / 10)
            return -1;
        *v = *v * 10 + dgt;
    }
    return 0;
}

static int
state_hex(const char *s, size_t n, unsigned char out[32])
{
    size_t i;

    if (n != 64)
        return -1;
    for (i = 0; i < 64; i++) {
        int c = s[i], v = c >= '0' && c <= '9' ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)(v << 4);
        else
            out[i / 2] = (unsigned char)(out[i / 2] | v);
    }
    return 0;
}

/* One "log ..." line (without its newline) into a new row. */
static int
state_parse_log(const char *p, const char *end, size_t line)
{
    srow *r;
    const char *f;
    size_t n, i;
    uint64_t saved;

    if (sv.n == STATE_MAX)
        return state_bad("more logs than this build keeps (256)", line);
    r = &sv.rows[sv.n];
    memset(r, 0, sizeof *r);
    f = state_field(&p, end, &n);             /* "log", checked */
    f = state_field(&p, end, &n);
    if (n == 7 && memcmp(f, "rfc6962", 7) == 0)
        r->kind = CS_CT_RFC6962;
    else if (n == 6 && memcmp(f, "static", 6) == 0)
        r->kind = CS_CT_STATIC;
    else if (n == 3 && memcmp(f, "srv", 3) == 0)
        r->kind = STATE_SRV;
    else
        return state_bad("bad log kind (want rfc6962, static or srv)",
                         line);
    f = state_field(&p, end, &n);
    if (state_u64(f, n, &r->next) != 0)
        return state_bad("bad next index", line);
    f = state_field(&p, end, &n);
    if (state_u64(f, n, &r->size) != 0)
        return state_bad("bad tree size", line);
    f = state_field(&p, end, &n);
    if (state_u64(f, n, &r->time_ms) != 0)
        return state_bad("bad tree head time", line);
    f = state_field(&p, end, &n);
    if (n == 1 && f[0] == '-')
        r->has_root = 0;
    else if (state_hex(f, n, r->root) == 0)
        r->has_root = 1;
    else
        return state_bad("bad root hash (want 64 hex digits or -)", line);
    f = state_field(&p, end, &n);
    if (state_u64(f, n, &saved) != 0 || saved > (uint64_t)1 << 40)
        return state_bad("bad time saved", line);
    r->saved = (long long)saved;
    n = (size_t)(end - p);
    if (n == 0 || n > CS_URL_MAX || p[-1] != ' ')
        return state_bad("bad log URL", line);
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
            return state_bad("bad log URL", line);
    memcpy(r->url, p, n);
    r->url[n] = '\0';
    for (i = 0; i < sv.n; i++)
        if (strcmp(sv.rows[i].url, r->url) == 0)
            return state_bad("the same log twice", line);
    r->known = 1;
    sv.n++;
    return 0;
}

/* Read FILE into the rows: absent is a fresh start; anything else that
 * is not exactly what state_write() writes is refused (exit 2). */
static int
state_load(void)
{
    const char *p, *end, *nl;
    size_t line = 0, len = 0;
    uint64_t count;
    int fd, ended = 0;
    struct stat sb;

    fd = open(sv.file, O_RDONLY);
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0) {
        fprintf(stderr, "certstream: --state %s: cannot read it: %s\n",
                sv.file, strerror(errno));
        return 2;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return state_bad("not a regular file", 0);
    }
    for (;;) {
        ssize_t k = read(fd, sv.text + len, sizeof sv.text - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            fprintf(stderr, "certstream: --state %s: cannot read it: %s\n",
                    sv.file, strerror(errno));
            close(fd);
            return 2;
        }
        if (k == 0)
            break;
        len += (size_t)k;
        if (len == sizeof sv.text) {
            close(fd);
            return state_bad("too large", 0);
        }
    }
    close(fd);
    p = sv.text;
    end = sv.text + len;
    if (len == 0)
        return state_bad("empty (a state file has at least a header and "
                         "an end line)", 0);
    while (p < end) {
        nl = (const char *)memchr(p, '\n', (size_t)(end - p));
        line++;
        if (nl == NULL)
            return state_bad("cut short (no newline at the end)", line);
        if (ended)
            return state_bad("text after the end line", line);
        if (line == 1) {
            if ((size_t)(nl - p) != strlen(STATE_HEADER)
                || memcmp(p, STATE_HEADER, strlen(STATE_HEADER)) != 0)
                return state_bad("no '" STATE_HEADER "' header", line);
        } else if (nl - p > 4 && memcmp(p, "log ", 4) == 0) {
            int r = state_parse_log(p, nl, line);
            if (r != 0)
                return r;
        } else if (nl - p > 4 && memcmp(p, "end ", 4) == 0) {
            if (state_u64(p + 4, (size_t)(nl - p - 4), &count) != 0
                || count != sv.n)
                return state_bad("the end line does not count the log "
                                 "lines", line);
            ended = 1;
        } else {
            return state_bad("not a log or end line", line);
        }
        p = nl + 1;
    }
    if (!ended)
        return state_bad("cut short (no end line)", line);
    return 0;
}

/* Write every known row to FILE (see above). Returns 0 or -1 (errno). */
static int
state_write(void)
{
    size_t i, len = 0, off = 0, k, logs = 0;
    int fd, dfd, e;

    len = (size_t)snprintf(sv.text, sizeof sv.text, "%s\n", STATE_HEADER);
    for (i = 0; i < sv.n; i++) {
        const srow *r = &sv.rows[i];
        char root[65] = "-";
        if (!r->known)
            continue;
        if (r->has_root)
            for (k = 0; k < 32; k++)
                snprintf(root + 2 * k, 3, "%02x", r->root[k]);
        len += (size_t)snprintf(sv.text + len, sizeof sv.text - len,
                                "log %s %llu %llu %llu %s %lld %s\n",
                                r->kind == CS_CT_STATIC ? "static"
                                : r->kind == STATE_SRV ? "srv" : "rfc6962",
                                (unsigned long long)r->next,
                                (unsigned long long)r->size,
                                (unsigned long long)r->time_ms, root,
                                r->saved, r->url);
        logs++;
    }
    len += (size_t)snprintf(sv.text + len, sizeof sv.text - len,
                            "end %zu\n", logs);
    if (len >= sizeof sv.text) {      /* cannot happen: STATE_LINE */
        errno = ENOSPC;
        return -1;
    }
    do
        fd = open(sv.tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -1;
    while (off < len) {
        ssize_t n = write(fd, sv.text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            close(fd);
            errno = e;
            return -1;
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (close(fd) != 0 || rename(sv.tmp, sv.file) != 0)
        return -1;
    dfd = open(sv.dir, O_RDONLY);
    if (dfd >= 0) {                   /* the rename itself, on disk */
        if (fsync(dfd) != 0 && errno != EINVAL) {
            e = errno;
            close(dfd);
            errno = e;
            return -1;
        }
        close(dfd);
    }
    return 0;
}

/* Take what each started log has done since (its cursor covers entries
 * delivered, filtered out, and skipped as bad). */
static void
state_harvest(void)
{
    size_t i;

    if (sv.frozen)
        return;
    for (i = 0; i < sv.n; i++) {
        srow *r = &sv.rows[i];
        const cs_ct_stats *s;
        if (r->d == NULL || !r->started || r->refused)
            continue;
        s = cs_ct_stats_get(&r->d->f);
        if (s->next > r->next) {
            r->next = s->next;
            r->saved = (long long)time(NULL);
            sv.changed = 1;
        }
    }
}

/* Flush stdout, then write the positions (once stdout is out). */
static void
state_save(void)
{
    if (sv.file == NULL)
        return;
    flush();
    if (g.write_err != 0 || g.dropped)
        return;                       /* not all of it is out: keep the
                                         older positions */
    if (state_write() != 0) {
        if (!sv.write_failed)
            fprintf(stderr, "certstream: --state %s: cannot write it: %s "
                    "(positions not saved)\n", sv.file, strerror(errno));
        sv.write_failed = 1;
        return;
    }
    if (sv.write_failed)
        fprintf(stderr, "certstream: --state %s: written again\n", sv.file);
    sv.write_failed = 0;
    sv.changed = 0;
}

/* SIGALRM every STATE_EVERY_MS wakes cs_ct_run's poll(), so that a quiet
 * follower's last entries are saved within the interval too (the idle
 * callback then calls state_tick()). */
static void
on_alarm(int sig)
{
    (void)sig;
}

static void
state_timer(void)
{
    struct sigaction sa;
    struct itimerval it;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;         /* poll() returns EINTR all the same */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_interval.tv_sec = STATE_EVERY_MS / 1000;
    it.it_interval.tv_usec = STATE_EVERY_MS % 1000 * 1000;
    it.it_value = it.it_interval;
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Every STATE_EVERY_MS from the start (the alarm's beat, up to 100 ms
 * early so that every alarm finds it due): save what changed. An entry
 * is saved by the next beat after it was printed. */
static void
state_tick(void)
{
    uint64_t now = cs_now_ms();

    if (sv.file == NULL || now + 100 < sv.due_ms)
        return;
    sv.due_ms += STATE_EVERY_MS;
    if (sv.due_ms <= now)
        sv.due_ms = now + STATE_EVERY_MS;
    state_harvest();
    if (sv.changed)
        state_save();
}

/* An entry was written to the output (CS_EV_MESSAGE). */
static void
state_delivered(dlog *d, uint64_t index)
{
    srow *r = d->pos;

    if (r == NULL || sv.frozen)
        return;
    if (index + 1 > r->next) {
        r->next = index + 1;
        r->saved = (long long)time(NULL);
        sv.changed = 1;
    }
    if (g.count > 0 && g.certs >= g.count) {
        state_harvest();              /* the rest is not printed: --count */
        sv.frozen = 1;
    }
    state_tick();
}

/* A refused log: say why, stop it; its saved row stays as it was. */
static void
state_refuse(dlog *d, srow *r, int err, uint64_t size)
{
    fprintf(stderr, "certstream: %s: tree head of %llu entries does not "
            "continue the one saved in %s (%llu entries): %s (%s); not "
            "followed (delete its line, or the file, to start it afresh)\n",
            r->url, (unsigned long long)size, sv.file,
            (unsigned long long)r->size, cs_strerror(err), cs_errname(err));
    r->refused = 1;
    sv.refused = 1;
    cs_ct_stop(&d->f);
}

/* A verified tree head (CS_EV_CT_TREE): the first one starts the log's
 * row (checked against the saved head) and is saved at once. */
static void
state_head(dlog *d, const cs_event *e)
{
    srow *r = d->pos;
    const unsigned char *root = cs_ct_stats_get(&d->f)->tree_root;
    uint64_t size = e->index;

    if (r == NULL || r->refused)
        return;
    if (!r->started && r->known) {
        if (size < r->size) {
            state_refuse(d, r, CS_E_STATE_SHRUNK, size);
            return;
        }
        if (size == r->size && r->has_root
            && memcmp(root, r->root, 32) != 0) {
            state_refuse(d, r, CS_E_STATE_FORK, size);
            return;
        }
    }
    if (!r->started && !r->known)
        r->next = dm.from_given ? dm.from : size;
    if (r->started && size <= r->size)
        return;
    r->size = size;
    r->time_ms = e->detail > 0 ? (uint64_t)e->detail : 0;
    memcpy(r->root, root, 32);
    r->has_root = 1;
    r->saved = (long long)time(NULL);
    sv.changed = 1;
    if (!r->started) {
        r->started = r->known = 1;
        state_save();
    }
}

/* At start: load FILE, find each followed log's row (a new one for a
 * log it lacks), and write the file once, so that a file that cannot be
 * written fails now. */
static srow *selrow[MAX_LOGS];

static int
state_start(void)
{
    size_t i, j, k;
    int r;

    if ((sv.file = dm.state_file) == NULL)
        return 0;
    k = strlen(sv.file);
    if (k == 0 || k + 5 > sizeof sv.tmp)
        return bad_line("bad --state (want a file name)", sv.file);
    snprintf(sv.tmp, sizeof sv.tmp, "%s.tmp", sv.file);
    for (j = k; j > 0 && sv.file[j - 1] != '/'; j--)
        ;
    if (j == 0)
        snprintf(sv.dir, sizeof sv.dir, ".");
    else
        snprintf(sv.dir, sizeof sv.dir, "%.*s", (int)(j > 1 ? j - 1 : 1),
                 sv.file);
    if ((r = state_load()) != 0)
        return r;
    for (i = 0; i < nsel; i++) {
        srow *row = NULL;
        for (j = 0; j < sv.n && row == NULL; j++)
            if (strcmp(sv.rows[j].url, sel[i].url) == 0)
                row = &sv.rows[j];
        if (row != NULL && row->kind != sel[i].kind) {
            fprintf(stderr, "certstream: --state %s: %s is saved as %s "
                    "log, followed now as %s\n", sv.file, sel[i].url,
                    row->kind == CS_CT_STATIC ? "a static-ct-api"
                                              : "an RFC 6962",
                    sel[i].kind == CS_CT_STATIC ? "static-ct-api"
                                                : "RFC 6962");
            return 2;
        }
        if (row == NULL) {
            if (sv.n == STATE_MAX) {
                fprintf(stderr, "certstream: --state %s: more than 256 "
                        "logs\n", sv.file);
                return 2;
            }
            row = &sv.rows[sv.n++];
            memset(row, 0, sizeof *row);
            snprintf(row->url, sizeof row->url, "%s", sel[i].url);
            row->kind = sel[i].kind;
        }
        for (j = 0; j < i; j++)
            if (selrow[j] == row) {
                fprintf(stderr, "certstream: %s: followed twice\n",
                        row->url);
                return 2;
            }
        selrow[i] = row;
    }
    if (state_write() != 0) {
        fprintf(stderr, "certstream: --state %s: cannot write it: %s\n",
                sv.file, strerror(errno));
        return 2;
    }
    sv.due_ms = cs_now_ms() + STATE_EVERY_MS;
    sv.idle_ms = cs_now_ms();
    state_timer();
    return 0;
}

/* Tie sel[i]'s follower to its row: a saved log continues at its next
 * index (cc->from), a new one starts as without --state. */
static void
state_attach(dlog *d, size_t i, cs_ct_config *cc)
{
    srow *r = sv.file != NULL ? selrow[i] : NULL;

    if (r == NULL)
        return;
    r->d = d;
    d->pos = r;
    if (r->known) {
        cc->from = r->next;
        cc->has_from = 1;
    }
    if (r->known && r->has_root) {    /* the follower proves it extended */
        cc->prev_size = r->size;
        memcpy(cc->prev_root, r->root, 32);
        cc->has_prev = 1;
    }
}

/* A CS_EV_CT_ERROR: the follower refused its first head against the
 * saved one (cs_ct_config.prev_*): refuse the log as state_head does.
 * Returns 1 when it did. */
static int
state_head_error(dlog *d, const cs_event *e)
{
    srow *r = d->pos;
    int err = e->err == CS_E_CT_SHRUNK ? CS_E_STATE_SHRUNK
            : e->err == CS_E_CT_FORK ? CS_E_STATE_FORK
            : e->err == CS_E_MERKLE_INCONSISTENT ? CS_E_STATE_DIVERGED : 0;

    if (r == NULL || r->refused || r->started || !r->known || !r->has_root
        || err == 0)
        return 0;
    state_refuse(d, r, err, e->index);
    return 1;
}

/* Server mode (--url --backfill): a message about to be printed
 * (CS_EV_MESSAGE). The first one this run of a log saved in FILE hands
 * what the log gained while the command was away (saved NEXT .. its
 * index - 1) to the backfill as a gap, bounded and reported as any gap.
 * The server's own copies of those (sent out of order) are printed when
 * they carry a SHA-1 (the backfill remembers them and skips its copy),
 * else not: returns 1 for those, else 0. */
static int
state_srv(const cs_msg *m)
{
    const unsigned need = CS_F_CERT_INDEX | CS_F_SOURCE_URL;
    char key[CS_URL_MAX];
    size_t n, i;
    srow *r = NULL;

    if (sv.file == NULL || sv.frozen || m->type != CS_MSG_CERT
        || (m->has & need) != need || (g.count > 0 && g.certs >= g.count))
        return 0;
    n = cs_gap_url(key, sizeof key, m->source_url.buf, m->source_url.len);
    if (n == 0 || n > sizeof key)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
            return 0;                 /* not a line of the file */
    for (i = 0; i < sv.n && r == NULL; i++)
        if (sv.rows[i].kind == STATE_SRV && strlen(sv.rows[i].url) == n
            && memcmp(sv.rows[i].url, key, n) == 0)
            r = &sv.rows[i];
    if (r == NULL) {                  /* a new log: from this entry on */
        if (sv.n == STATE_MAX)
            return 0;
        r = &sv.rows[sv.n++];
        memset(r, 0, sizeof *r);
        memcpy(r->url, key, n);
        r->kind = STATE_SRV;
        r->known = r->started = 1;
        r->next = m->cert_index;
    }
    if (!r->started) {
        r->started = 1;
        if (m->cert_index > r->next) {
            cs_gap_event ge;
            memset(&ge, 0, sizeof ge);
            ge.url = key;
            ge.url_len = n < CS_GAP_URL_MAX ? n : CS_GAP_URL_MAX;
            ge.source = m->source_url.buf;
            ge.source_len = m->source_url.len < CS_GAP_URL_MAX
                                ? m->source_url.len : CS_GAP_URL_MAX;
            ge.first = r->next;
            ge.count = m->cert_index - r->next;
            print_gap(&ge);
            /* the loop's clock, which the backfill's age bound reads,
             * was read before this step: sv.idle_ms is not after it */
            cs_backfill_gap(&backfill, &ge, sv.idle_ms);
            r->bf_first = r->next;
            r->bf_end = m->cert_index;
        }
    }
    if (m->cert_index >= r->bf_first && m->cert_index < r->bf_end)
        return (m->has & CS_F_SHA1) == 0;
    if (m->cert_index >= r->next) {
        r->next = m->cert_index + 1;
        r->saved = (long long)time(NULL);
        sv.changed = 1;
    }
    return 0;
}

/* Server mode, before the loop waits: the time (for state_srv) and the
 * periodic save. */
static void
state_idle(void)
{
    if (sv.file == NULL)
        return;
    sv.idle_ms = cs_now_ms();
    state_tick();
}

/* A log's failure line, printed with the retry delay when it comes; the
 * same failure in a row counts and shows the 2nd, 4th, 8th... time. */
static void
dlog_fail(dlog *d, const char *line)
{
    if (strcmp(line, d->fail) == 0) {
        d->repeats++;
    } else {
        snprintf(d->fail, sizeof d->fail, "%s", line);
        d->repeats = d->shown = 0;
    }
    d->pending = 1;
    d->failing = 1;
}

static void
dlog_retry(dlog *d, const cs_event *e)
{
    char when[120] = "";
    double s = (double)e->delay_ms / 1000;

    if (!d->pending || g.quiet)
        return;
    d->pending = 0;
    if (d->repeats > 0 && (d->repeats & (d->repeats + 1)) != 0)
        return;
    if (d->retry_after > 0 && (uint64_t)d->retry_after * 1000
                                  > e->delay_ms + 1000)
        snprintf(when, sizeof when, "; Retry-After %lld s, capped: "
                 "retrying in %.1f s", (long long)d->retry_after, s);
    else if (d->retry_after > 0)
        snprintf(when, sizeof when, "; retrying in %.1f s (Retry-After)", s);
    else
        snprintf(when, sizeof when, "; retrying in %.1f s", s);
    if (d->repeats > 0)
        fprintf(stderr, "certstream: %s (%llu times in a row)%s\n", d->fail,
                d->repeats + 1, when);
    else
        fprintf(stderr, "certstream: %s%s\n", d->fail, when);
    d->shown = d->repeats;
    d->retry_after = 0;
}

/* Why a request failed, in words. */
static void
dlog_describe(dlog *d, const cs_event *e, char *out, size_t cap)
{
    char why[160] = "";
    const char *url = cs_ct_url(&d->f);

#if CS_HAS_TLS
    if (e->detail != 0 && e->err <= -40 && e->err >= -59)
        snprintf(why, sizeof why, "; BearSSL: %s",
                 cs_tls_errname((int)e->detail));
    else
#endif
    if (e->status != 0)
        snprintf(why, sizeof why, ": HTTP %d", e->status);
    else if (cs_posix_errno(&d->posix) != 0 && e->err <= -20
             && e->err >= -39)
        snprintf(why, sizeof why, ": %s",
                 strerror(cs_posix_errno(&d->posix)));
    snprintf(out, cap, "%s: %s (%s%s)", url, cs_strerror(e->err),
             cs_errname(e->err), why);
}

/* Say each distinct warning once (the same for many logs: once). */
static void
dlog_warn(dlog *d, const cs_event *e)
{
    static char said[8][200];
    static size_t nsaid;
    char text[200];
    size_t i;

    if (g.quiet)
        return;
    escape(e->text, e->len, text, sizeof text);
    if (d->log->key == NULL && strstr(text, "verif") != NULL)
        return;                       /* said once for all: select_logs */
    for (i = 0; i < nsaid; i++)
        if (strcmp(said[i], text) == 0)
            return;
    if (nsaid < 8)
        snprintf(said[nsaid++], sizeof said[0], "%s", text);
    fprintf(stderr, "certstream: WARNING: %s: %s\n", cs_ct_url(&d->f),
            text);
}

static void
print_entry(const cs_event *e, dlog *d)
{
    const cs_ct_update *u = e->entry;
    dentry de;

    match_on_event(e);
    if (g.out == OUT_HUMAN) {
        print_human(e->msg);
    } else if (g.out == OUT_DOMAINS) {
        print_domains(e->msg);
    } else if (u != NULL) {
        de.ev = e;
        de.precert = u->type == CS_CT_PRECERT;
        de.u = u;
        de.index = u->index;
        de.timestamp_ms = u->timestamp;
        de.seen = e->msg->seen;
        de.log_url = cs_ct_url(&d->f);
        de.log_name = cs_ct_name(&d->f);
        de.log_kind = d->log->kind;
        de.backfilled = 0;
        print_entry_json(&de);
    }
    if (g.count > 0 && ++g.certs >= g.count)
        stop_all();
}

/* 1 when a CS_EV_CT_ERROR is about a tree head (its index is then the
 * head's size), 0 when about an entry: the checkpoint and signature codes
 * of [1g], and the follower's rollback, fork, origin and size codes. */
static int
tree_head_error(int err)
{
    return (err <= CS_E_CT_NOTE_SYNTAX && err >= CS_E_CT_KEY)
           || err == CS_E_CT_SHRUNK || err == CS_E_CT_FORK
           || err == CS_E_CT_ORIGIN || err == CS_E_CT_BODY
           || err == CS_E_MERKLE_TILE || err == CS_E_MERKLE_INCONSISTENT;
}

static void
on_ct_event(void *ctx, const cs_event *e)
{
    dlog *d = (dlog *)ctx;
    char line[FAIL_MAX];

    switch (e->type) {
    case CS_EV_MESSAGE:
        if (g.count > 0 && g.certs >= g.count)
            break;                    /* stopping: already enough */
        if (d->failing && !g.quiet && d->fail[0] != '\0') {
            fprintf(stderr, "certstream: %s: entries arrive again\n",
                    cs_ct_url(&d->f));
            d->fail[0] = '\0';
            d->repeats = d->shown = 0;
        }
        d->failing = 0;
        print_entry(e, d);
        state_delivered(d, e->index);
        break;
    case CS_EV_CT_TREE:
        state_head(d, e);
        if (g.verbose)
            fprintf(stderr, "certstream: %s: tree head: %llu entries\n",
                    cs_ct_url(&d->f), (unsigned long long)e->index);
        break;
    case CS_EV_CT_ERROR:
        if (state_head_error(d, e) || g.quiet)
            break;
        if (tree_head_error(e->err))
            snprintf(line, sizeof line, "%s: tree head of %llu entries "
                     "refused: %s (%s)", cs_ct_url(&d->f),
                     (unsigned long long)e->index, cs_strerror(e->err),
                     cs_errname(e->err));
        else
            snprintf(line, sizeof line, "%s: entry %llu skipped: %s (%s)",
                     cs_ct_url(&d->f), (unsigned long long)e->index,
                     cs_strerror(e->err), cs_errname(e->err));
        if (strncmp(line, d->fail, sizeof d->fail) == 0) {
            d->repeats++;
            if ((d->repeats & (d->repeats + 1)) != 0)
                break;
            fprintf(stderr, "certstream: %s (%llu times in a row)\n", line,
                    d->repeats + 1);
        } else {
            fprintf(stderr, "certstream: %s\n", line);
            snprintf(d->fail, sizeof d->fail, "%s", line);
            d->repeats = 0;
        }
        break;
    case CS_EV_CONNECTING:
        if (g.verbose)
            fprintf(stderr, "certstream: %s: connecting\n",
                    cs_ct_url(&d->f));
        break;
    case CS_EV_FAILED:
        dlog_describe(d, e, line, sizeof line);
        if (g.verbose) {
            fprintf(stderr, "certstream: failed: %s\n", line);
            break;
        }
        d->retry_after = e->err == CS_E_CT_STATUS && e->detail > 0
                             ? e->detail : 0;
        dlog_fail(d, line);
        break;
    case CS_EV_RETRY:
        if (g.verbose)
            fprintf(stderr, "certstream: %s: retrying in %llu ms\n",
                    cs_ct_url(&d->f), (unsigned long long)e->delay_ms);
        else
            dlog_retry(d, e);
        break;
    case CS_EV_WARNING:
        dlog_warn(d, e);
        break;
    default:
        break;
    }
}

/* --stats in direct mode: one line per log, every 10 s. */
static void
print_ct_stats(const char *when)
{
    uint64_t now = cs_now_ms(), dt = now - stats_ms;
    size_t i;

    for (i = 0; i < nfollowers; i++) {
        const cs_ct_stats *st = cs_ct_stats_get(&dlogs[i]->f);
        fprintf(stderr, "certstream: %s: %s: %.1f entries/s, %llu behind "
                "the tree head (%llu entries); %llu delivered, %llu bad, "
                "%llu requests, %llu failed, %.1f MB\n", when,
                cs_ct_url(&dlogs[i]->f),
                dt > 0 ? (double)(st->entries - dlogs[i]->last_entries)
                             * 1000.0 / (double)dt : 0.0,
                (unsigned long long)cs_ct_behind(&dlogs[i]->f),
                (unsigned long long)st->tree_size,
                (unsigned long long)st->entries,
                (unsigned long long)st->bad_entries,
                (unsigned long long)st->requests,
                (unsigned long long)st->failures, (double)st->bytes / 1e6);
        dlogs[i]->last_entries = st->entries;
    }
    stats_ms = now;
}

static void
on_ct_idle(void *ctx)
{
    (void)ctx;
    if (g.olen > 0)
        flush();
    if (g.stats && cs_now_ms() - stats_ms >= 10000)
        print_ct_stats("stats");
    state_tick();
}

static int
direct_main(cs_config *cfg)
{
    cs_ct_config cc;
    size_t i;
    int r;
#if CS_HAS_TLS
    static cs_anchors anc;
    const char *trust = NULL;
#endif

    if ((r = select_logs(cfg)) != 0)
        return r;
    if (g.stopping)                   /* a signal during the fetch */
        return 0;
    if (dm.list_logs) {
        print_logs();
        return 0;
    }
    if (nsel > CS_CT_RUN_MAX) {
        fprintf(stderr, "certstream: %zu logs: this build follows at most "
                "%d at once (CS_CT_RUN_MAX)\n", nsel, CS_CT_RUN_MAX);
        return 2;
    }
    if ((r = state_start()) != 0)
        return r;
#if CS_HAS_TLS
    /* One set of anchors for every log: --ca, else the system's (else the
     * follower's built-in roots). */
    cs_anchors_init(&anc, anchor_mem, sizeof anchor_mem);
    if (cfg->tls.ca_file != NULL) {
        r = cs_anchors_load(&anc, cfg->tls.ca_file);
        if (r <= 0) {
            fprintf(stderr, "certstream: --ca %s: %s\n", cfg->tls.ca_file,
                    r < 0 ? cs_strerror(r) : "no certificate in it");
            return 8;
        }
        trust = cfg->tls.ca_file;
    } else if (cfg->tls.mode != CS_TLS_INSECURE
               && cs_anchors_load_system(&anc, &trust) <= 0) {
        trust = NULL;
    }
#endif
    for (i = 0; i < nsel; i++) {
        dlog *d = (dlog *)calloc(1, sizeof *d);
        cs_transport tr;
        if (d == NULL) {
            fprintf(stderr, "certstream: out of memory for %zu logs\n",
                    nsel);
            return 1;
        }
        d->log = &sel[i];
        cs_ct_config_init(&cc);
        cc.url = sel[i].url;
        cc.kind = sel[i].kind;
        cc.origin = sel[i].kind == CS_CT_STATIC ? sel[i].origin : NULL;
        cc.name = sel[i].description;
        cc.key = sel[i].key;
        cc.key_len = sel[i].key_len;
        cc.on_event = on_ct_event;
        cc.ctx = d;
        cc.mem = d->mem;
        cc.mem_cap = sizeof d->mem;
        cc.from = dm.from;
        cc.has_from = dm.from_given;
        state_attach(d, i, &cc);
        cc.verify = !dm.no_verify;
        cc.match = cfg->match;
        cc.user_agent = user_agent;
#if CS_HAS_TLS
        cc.tls.mode = cfg->tls.mode;
        if (trust != NULL && anc.count > 0) {
            cc.tls.anchors = anc.ta;
            cc.tls.anchor_count = anc.count;
        }
#endif
#if !CS_HAS_TLS
        if (strncmp(sel[i].url, "https:", 6) == 0) {
            fprintf(stderr, "certstream: %s: https:// needs TLS, which "
                    "this build lacks (CERTSTREAM_NO_TLS): follow http:// "
                    "logs with --log / --tiled-log\n", sel[i].url);
            free(d);
            return 2;
        }
#endif
        cs_posix_transport(&d->posix, &tr);
        r = cs_ct_init(&d->f, &cc, &tr);
        if (r != 0) {
            fprintf(stderr, "certstream: %s: %s (%s)\n", sel[i].url,
                    cs_strerror(r), cs_errname(r));
            return r == CS_E_URL || r == CS_E_NO_TLS || r == CS_E_CT_KEY
                       ? 2 : 1;
        }
        dlogs[i] = d;
        followers[i] = &d->f;
    }
    if (g.verbose) {
        for (i = 0; i < nsel; i++)
            fprintf(stderr, "certstream: following %s (%s, %s; %s)\n",
                    sel[i].url, sel[i].description,
                    sel[i].kind == CS_CT_STATIC ? "static-ct-api"
                                                : "RFC 6962",
                    sel[i].key ? "tree heads verified with its key"
                               : "no key: tree heads not verified");
#if CS_HAS_TLS
        fprintf(stderr, "certstream: https:// trusts %s\n",
                cfg->tls.mode == CS_TLS_INSECURE ? "anything (--insecure)"
                : trust != NULL ? trust : "the built-in anchors");
#endif
        fprintf(stderr, "certstream: memory per log: %zu bytes (follower "
                "%zu, buffers %zu, transport %zu)\n", sizeof(dlog),
                cs_ct_follower_size(), (size_t)CS_CT_MEM, sizeof(cs_posix));
    }
    stats_ms = cs_now_ms();
    g.dom_bytes = CS_CT_DOMAINS_MEM;  /* the follower's, per message */
    nfollowers = nsel;
    r = cs_ct_run(followers, nsel, on_ct_idle, NULL);
    flush();
    state_harvest();
    if (sv.changed)
        state_save();
    if (g.stats)
        print_ct_stats("total");
    for (i = 0; i < nsel; i++)
        free(dlogs[i]);
    if (g.write_err != 0 && g.write_err != EPIPE)
        fprintf(stderr, "certstream: cannot write to stdout: %s\n",
                strerror(g.write_err));
    if (g.write_err != 0)
        return g.write_err == EPIPE ? 0 : 1;
    return r == 0 && !sv.refused && !sv.write_failed ? 0 : 1;
}
#endif

int
main(int argc, char **argv)
{
    cs_config cfg;
    cs_transport tr;
    struct sigaction sa;
    int r;

    cs_config_init(&cfg);
    cfg.url = DEFAULT_URL;
    g.dom_bytes = sizeof names;
    cfg.on_event = on_event;
    cfg.dom = names;
    cfg.dom_cap = sizeof names;
    r = parse_args(&cfg, argc, argv);
    if (r == 0)
        r = check_settings(&cfg);
    if (r == 0)
        r = check_mode();
    if (r != 0)
        return r & 255;
#if CS_HAS_TLS
    if (opt.pin != NULL) {
        long n = read_file(opt.pin, pin_cert, sizeof pin_cert);
        if (n < 0) {
            fprintf(stderr, "certstream: --pin: cannot read %s: %s\n",
                    opt.pin, errno ? strerror(errno) : "too large");
            return 2;
        }
        cfg.tls.mode = CS_TLS_PIN;
        cfg.tls.pin_cert = pin_cert;
        cfg.tls.pin_cert_len = (size_t)n;
    }
#endif
    cfg.raw = g.out == OUT_JSON || g.out == OUT_RAW;
    g.reconnect = cfg.reconnect;
    if ((r = match_setup(&cfg, g.out == OUT_RAW)) != 0)
        return r;
    /* Colors as certstream-python, but only on a terminal, and never with
     * NO_COLOR set (no-color.org). */
    g.color = g.color == 0 && isatty(1) && getenv("NO_COLOR") == NULL;
    if (g.stats) {
        cfg.tick_ms = 10000;
        g.last_ms = cs_now_ms();
    }
#if CS_HAS_TLS
    if (cfg.tls.ca_file == NULL && getenv("CERTSTREAM_CA") != NULL
        && *getenv("CERTSTREAM_CA") != '\0')
        cfg.tls.ca_file = getenv("CERTSTREAM_CA");
    cfg.tls.anchor_mem = anchor_mem;
    cfg.tls.anchor_mem_cap = sizeof anchor_mem;
#endif
    g.client = &client;
    if (SEEN(O_URL) && !gaps.off) {
        cfg.gap_mem = gap_mem;
        cfg.gap_size = sizeof gap_mem;
    }
    if (gaps.backfill && gaps.off)
        return bad_usage("--backfill fetches gaps: not with", "--no-gaps");
#if CS_HAS_CT
    if (gaps.backfill && backfill_setup(&cfg) != 0)
        return 2;
    cfg.gap_drop_duplicates = gaps.backfill;   /* each entry once */
#else
    if (gaps.backfill)
        return bad_usage("--backfill reads CT logs: not in this build "
                         "(CERTSTREAM_NO_CT)", NULL);
#endif

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = 0;                 /* no SA_RESTART: a write blocked by
                                        a slow reader returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);        /* a closed pipe is an EPIPE */

#if CS_HAS_CT
    if (!SEEN(O_URL))
        return direct_main(&cfg);
    if ((r = state_start()) != 0)     /* --state (with --backfill) */
        return r;
#endif
    cs_posix_transport(&posix, &tr);
    r = cs_client_init(&client, &cfg, &tr);
    if (r != 0) {
        if (r == CS_E_NO_TLS)
            return bad_usage("wss:// needs TLS, which this build lacks",
                             cfg.url);
        if (r == CS_E_URL)
            return bad_usage("bad URL (want ws://host[:port]/path)",
                             cfg.url);
        if (r == CS_E_ARG)
            return bad_usage("bad --header (want 'Name: value')", NULL);
#if CS_HAS_TLS
        fprintf(stderr, "certstream: %s: %s\n",
                r == CS_E_TLS_PEM ? "--pin" : cfg.tls.ca_file ? cfg.tls.ca_file
                                                        : "TLS",
                cs_strerror(r));
#endif
        return 8;
    }
#if CS_HAS_TLS
    if (g.verbose) {
        size_t n, bytes;
        const char *src = cs_client_trust(&client, &n, &bytes);
        if (n > 0 && bytes > 0)
            fprintf(stderr, "certstream: wss:// trusts %zu anchors from %s "
                    "(%zu bytes)\n", n, src, bytes);
        else
            fprintf(stderr, "certstream: wss:// trusts %s\n", src);
    }
#endif
    r = cs_run_idle(&client, on_idle, NULL);
    flush();
#if CS_HAS_CT
    if (sv.changed)
        state_save();
#endif
    print_failure(NULL);
    if (g.write_err != 0 && g.write_err != EPIPE)
        fprintf(stderr, "certstream: cannot write to stdout: %s\n",
                strerror(g.write_err));
    if (g.stats)
        print_stats("total");
    free(g.buf);
    return exit_status(r);
}
