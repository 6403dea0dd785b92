/* certstream: print the CertStream feed, like certstream-python's command.
 *
 *   certstream --url ws://127.0.0.1:4000/          one line per certificate
 *   certstream --json | jq -r '.data.leaf_cert.all_domains[]'
 *
 * Built by `make` to build/certstream. `certstream -h` lists the options
 * and the exit statuses. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_URL "wss://certstream.calidog.io/"

static const char usage[] =
    "usage: certstream [options]\n"
    "Connect to a CertStream server and print the certificates it sends.\n"
    "\n"
    "  --url URL            server (default " DEFAULT_URL ")\n"
    "  --full               add every domain to the line: [a, b, ...]\n"
    "  --domains            every domain, one per line (for pipes)\n"
    "  --json               each message (heartbeats aside) exactly as the\n"
    "                       server sent it, one line each\n"
    "  --raw                every text message verbatim, one line each\n"
    "  --once               one connection: no reconnect; the exit status\n"
    "                       tells how it ended\n"
    "  --verbose            connection events on stderr\n"
    "  --header 'N: v'      an extra request header (repeatable, up to 8)\n"
    "  --ca PATH            trust the CA certificates in this PEM file or\n"
    "                       directory (default: $CERTSTREAM_CA, else the\n"
    "                       system bundle, else ISRG and GTS roots)\n"
    "  --pin CERT           trust only this server key (its certificate,\n"
    "                       PEM or DER): no CA, name or date checks\n"
    "  --insecure           check no certificate at all (testing only)\n"
    "  --ping-interval S    ping every S seconds (default 15; 0: never)\n"
    "  --timeout S          reconnect when nothing arrived for S seconds\n"
    "                       (default 45; 0: never)\n"
    "  --max-message BYTES  largest message accepted (default 64 MiB)\n"
    "  -n, --count N        stop after N certificates (certificate_update\n"
    "                       or dns_entries messages)\n"
    "  --utc                times in UTC instead of local time\n"
    "  --stats              a summary line on stderr every 10 seconds\n"
    "  --disable-colors     no colors (also: NO_COLOR, or not a terminal)\n"
    "  --version            print the version\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 stopped (signal, --count) or closed normally by the\n"
    "server; 1 output error; 2 bad usage or URL; 3 could not connect;\n"
    "4 handshake refused; 5 the server broke the websocket protocol;\n"
    "6 the server closed with an error code; 7 the connection dropped;\n"
    "8 TLS failed (certificate not trusted, expired, wrong name, ...).\n";

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
} g;

static cs_client client;
static cs_posix posix;
static unsigned char names[CS_JSON_DOMAIN_BUF];
#if CS_HAS_TLS
static unsigned char anchor_mem[256 * 1024];  /* Debian's bundle: ~72 KB */
static unsigned char pin_cert[64 * 1024];
#endif

static void
on_signal(int sig)
{
    (void)sig;
    cs_client_stop(&client);
}

/* Output failed: a closed pipe ends the program quietly (status 0),
 * anything else is exit status 1. */
static void
out_failed(void)
{
    if (g.write_err == 0)
        g.write_err = errno == EPIPE ? EPIPE : (errno ? errno : EIO);
    cs_client_stop(g.client);
}

static void
put(const void *p, size_t n)
{
    if (g.write_err == 0 && n > 0 && fwrite(p, 1, n, stdout) != n)
        out_failed();
}

static void
flush(void)
{
    if (g.write_err == 0 && fflush(stdout) != 0)
        out_failed();
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

/* The kept message as one line: its bytes, then a newline unless it ends
 * with one already. */
static void
print_kept(void)
{
    if (!g.too_big) {
        put(g.buf, g.len);
        if (g.len == 0 || g.buf[g.len - 1] != '\n')
            put("\n", 1);
        flush();
    }
    g.len = 0;
    g.too_big = 0;
}

/* seen as local ISO-8601 time, as Python's datetime.fromtimestamp(seen)
 * .isoformat() prints it: microseconds rounded half-even, left out when
 * they are zero. */
static void
iso_time(double seen, char *out, size_t cap)
{
    static long long cached_s = -1;   /* localtime once per second: the */
    static char cached[40];           /* feed has hundreds per second */
    static size_t cached_n;
    time_t t;
    struct tm tm;
    double x;
    long long s = (long long)seen, us;
    size_t n;
    int k;

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

static void
put_color(const char *esc, const char *p, size_t n)
{
    if (g.color)
        put(esc, strlen(esc));
    put(p, n);
    if (g.color)
        put(C_END, strlen(C_END));
}

/* Every domain of a message, one per line (--domains, and dns_entries
 * messages in the default output). */
static void
print_domains(const cs_msg *m)
{
    size_t i, n;

    for (i = 0; i < m->domain_count; i++) {
        const char *d = cs_msg_domain(m, i, &n);
        put(d, n);
        put("\n", 1);
    }
    flush();
}

/* The default output: certstream-python's line for a certificate
 * ("[time] url - name " with --full adding "[a, b]"). */
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
        put_color(C_SEP, "[", 1);
        for (i = 0; i < m->domain_count; i++) {
            if (i > 0)
                put_color(C_SEP, ", ", 2);
            d = cs_msg_domain(m, i, &n);
            put_color(C_DOM, d, n);
        }
        put_color(C_SEP, "]", 1);
    }
    put("\n", 1);
    flush();
}

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
    g.last_messages = st->messages;
    g.last_ms = now;
}

/* One line on stderr for a connection event (--verbose), and the
 * bookkeeping for the exit status. */
static void
on_conn_event(const cs_event *e)
{
    if (e->type == CS_EV_FAILED || e->type == CS_EV_DISCONNECTED)
        g.last = e->type;
    if (!g.verbose)
        return;
    switch (e->type) {
    case CS_EV_CONNECTING:
        fprintf(stderr, "certstream: connecting to %.*s\n", (int)e->len,
                e->text);
        break;
    case CS_EV_CONNECTED:
        fprintf(stderr, "certstream: connected\n");
        break;
    case CS_EV_REDIRECT:
        fprintf(stderr, "certstream: redirected (%d) to %.*s\n", e->status,
                (int)e->len, e->text);
        break;
    case CS_EV_WARNING:
        break;                        /* always shown: see on_event */
    case CS_EV_FAILED:
#if CS_HAS_TLS
        if (e->detail != 0)
            fprintf(stderr, "certstream: failed: %s (%s; BearSSL: %s)\n",
                    cs_strerror(e->err), cs_errname(e->err),
                    cs_tls_errname((int)e->detail));
        else
#endif
        if (e->status != 0)
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
    case CS_EV_DISCONNECTED:
        fprintf(stderr, "certstream: disconnected: %s (%s), close %d%s%.*s\n",
                e->err ? cs_strerror(e->err) : "closed",
                cs_errname(e->err), e->status, e->len ? ": " : "",
                (int)e->len, e->text);
        break;
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
        if (e->err != 0 && g.verbose)
            fprintf(stderr, "certstream: bad message: %s (%s) at byte "
                    "%lld\n", cs_strerror(e->err), cs_errname(e->err),
                    (long long)e->detail);
        if (g.out == OUT_JSON) {
            if (e->err == 0 && e->msg->type == CS_MSG_HEARTBEAT) {
                g.len = 0;
                g.too_big = 0;
            } else {
                print_kept();
            }
        } else if (g.out == OUT_HUMAN && e->err == 0) {
            print_human(e->msg);
        } else if (g.out == OUT_DOMAINS && e->err == 0) {
            print_domains(e->msg);
        }
        if (e->err == 0 && g.count > 0
            && (e->msg->type == CS_MSG_CERT || e->msg->type == CS_MSG_DNS)
            && ++g.certs >= g.count)
            cs_client_stop(g.client);
        break;
    case CS_EV_DISCONNECTED:
    case CS_EV_FAILED:
        g.len = 0;                    /* a cut message is not printed */
        g.too_big = 0;
        on_conn_event(e);
        break;
    case CS_EV_WARNING:
        fprintf(stderr, "certstream: WARNING: %.*s\n", (int)e->len, e->text);
        break;
    case CS_EV_TICK:
        print_stats("stats");
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

static int
bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "certstream: %s%s%s\n\n%s", what, arg ? ": " : "",
            arg ? arg : "", usage);
    return 2;
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

int
main(int argc, char **argv)
{
    cs_config cfg;
    cs_transport tr;
    struct sigaction sa;
    int i, r;

    cs_config_init(&cfg);
    cfg.url = DEFAULT_URL;
    cfg.on_event = on_event;
    cfg.dom = names;
    cfg.dom_cap = sizeof names;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--url") || !strcmp(a, "--header")
                 || !strcmp(a, "--ca") || !strcmp(a, "--pin")
                 || !strcmp(a, "--ping-interval") || !strcmp(a, "--timeout")
                 || !strcmp(a, "--max-message") || !strcmp(a, "-n")
                 || !strcmp(a, "--count");
        if (takes && v == NULL)
            return bad_usage("missing value for", a);
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("certstream (certstream.h) %s\n",
                   CERTSTREAM_VERSION_STRING);
            return 0;
        } else if (!strcmp(a, "--url")) {
            cfg.url = v;
        } else if (!strcmp(a, "--full")) {
            g.full = 1;
        } else if (!strcmp(a, "--domains")) {
            g.out = OUT_DOMAINS;
        } else if (!strcmp(a, "--utc")) {
            g.utc = 1;
        } else if (!strcmp(a, "--stats")) {
            g.stats = 1;
        } else if (!strcmp(a, "--json")) {
            g.out = OUT_JSON;
        } else if (!strcmp(a, "--raw")) {
            g.out = OUT_RAW;
        } else if (!strcmp(a, "--once")) {
            cfg.reconnect = 0;
        } else if (!strcmp(a, "--verbose")) {
            g.verbose = 1;
        } else if (!strcmp(a, "--disable-colors")) {
            g.color = -1;
#if CS_HAS_TLS
        } else if (!strcmp(a, "--ca")) {
            cfg.tls.ca_file = v;
        } else if (!strcmp(a, "--pin")) {
            long n = read_file(v, pin_cert, sizeof pin_cert);
            if (n < 0)
                return bad_usage("cannot read --pin file", v);
            cfg.tls.mode = CS_TLS_PIN;
            cfg.tls.pin_cert = pin_cert;
            cfg.tls.pin_cert_len = (size_t)n;
        } else if (!strcmp(a, "--insecure")) {
            cfg.tls.mode = CS_TLS_INSECURE;
#else
        } else if (!strcmp(a, "--ca") || !strcmp(a, "--pin")
                   || !strcmp(a, "--insecure")) {
            return bad_usage("this build has no TLS (CERTSTREAM_NO_TLS)", a);
#endif
        } else if (!strcmp(a, "--header")) {
            if (cfg.header_count == CS_MAX_HEADERS)
                return bad_usage("too many --header options", NULL);
            cfg.headers[cfg.header_count++] = v;
        } else if (!strcmp(a, "--ping-interval")) {
            if (parse_seconds(v, &cfg.ping_interval_ms) != 0)
                return bad_usage("bad --ping-interval", v);
        } else if (!strcmp(a, "--timeout")) {
            if (parse_seconds(v, &cfg.dead_timeout_ms) != 0)
                return bad_usage("bad --timeout", v);
        } else if (!strcmp(a, "--max-message")) {
            unsigned long long n;
            if (parse_count(v, &n) != 0 || n == 0)
                return bad_usage("bad --max-message", v);
            cfg.max_message = n;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--count")) {
            if (parse_count(v, &g.count) != 0 || g.count == 0)
                return bad_usage("bad --count", v);
        } else {
            return bad_usage("unknown option", a);
        }
        i += takes;
    }
    cfg.raw = g.out == OUT_JSON || g.out == OUT_RAW;
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

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;        /* a write to a slow pipe goes on;
                                        poll() still wakes (the pipe) */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);        /* a closed pipe is an EPIPE */

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
    r = cs_run(&client);
    fflush(stdout);
    if (g.stats)
        print_stats("total");
    free(g.buf);
    return exit_status(r);
}
