/* custom_transport: the shape of a firmware program.
 *
 * The library is built with CERTSTREAM_NO_POSIX: it has no sockets, no
 * clock and no entropy of its own. The program brings them:
 *   - a link: five transport callbacks (open, read, write, wait, close);
 *     TLS runs over it (cs_tls inside the client), as it would over a
 *     modem, a UART or a vendor TCP/IP stack;
 *   - entropy: a hardware RNG (here /dev/urandom stands in for it);
 *   - a clock: milliseconds for timers, Unix time for certificate dates
 *     (an RTC or SNTP; without one, pin the server key instead);
 *   - trust: the built-in ISRG and GTS roots (no CA bundle on a device).
 * The host build implements the link with BSD sockets so that it runs
 * here; FIRMWARE_BOARD swaps in board_*() functions from your BSP.
 *
 *   build/examples/custom_transport wss://host:port/path
 *
 * With CS_EXAMPLE_DIRECT (examples/ct_firmware.c) the same program reads
 * one CT log itself, no server (cs_ct_follower over the same link):
 *
 *   build/examples/ct_firmware [MONITORING_URL [ORIGIN [KEY_B64 [FROM]]]]
 *
 * (default: Let's Encrypt's Sycamore2026h1, a static-ct-api log, from its
 * tree size on). */
#ifndef FIRMWARE_BOARD
#define _POSIX_C_SOURCE 200809L       /* the host stand-in uses sockets */
#endif
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <string.h>

/* ---- the board: link, entropy, clocks -------------------------------- */
#ifdef FIRMWARE_BOARD
/* Your BSP provides these (see fw/ for a Cortex-M4 build). */
int board_link_open(const char *host, unsigned port);
int board_link_read(unsigned char *buf, size_t len);   /* 0: nothing now */
int board_link_write(const unsigned char *buf, size_t len);
void board_link_close(void);
int board_rng(void *buf, size_t len);
uint64_t board_millis(void);
int64_t board_unix_time(void);
void board_idle(uint64_t until_ms);
#else
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;

static int
board_link_open(const char *host, unsigned port)
{
    struct addrinfo hints, *res, *ai;
    char p[8];

    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    snprintf(p, sizeof p, "%u", port);
    if (getaddrinfo(host, p, &hints, &res) != 0)
        return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;                     /* blocking connect: simple */
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd >= 0 ? 0 : -1;
}

static int
board_link_read(unsigned char *buf, size_t len)
{
    ssize_t n = recv(fd, buf, len, 0);
    if (n == 0)
        return -2;                     /* EOF */
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    return (int)n;
}

static int
board_link_write(const unsigned char *buf, size_t len)
{
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    return (int)n;
}

static void
board_link_close(void)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
}

static int
board_rng(void *buf, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f != NULL ? fread(buf, 1, len, f) : 0;
    if (f != NULL)
        fclose(f);
    return n == len ? 0 : -1;
}

static uint64_t
board_millis(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t
board_unix_time(void)
{
    return (int64_t)time(NULL);
}

static void
board_idle(uint64_t until_ms)
{
    struct pollfd pf;
    uint64_t now = board_millis();
    pf.fd = fd;
    pf.events = POLLIN;
    poll(&pf, fd >= 0 ? 1 : 0,
         until_ms > now ? (int)(until_ms - now < 1000 ? until_ms - now
                                                      : 1000) : 0);
}
#endif

/* ---- the transport: the library's five callbacks over the board ------ */
static int
link_open(void *ctx, const cs_url *url)
{
    (void)ctx;
    return board_link_open(url->host, url->port) == 0 ? 0 : CS_E_CONNECT;
}

static int
link_read(void *ctx, unsigned char *buf, size_t len)
{
    int n = board_link_read(buf, len);
    (void)ctx;
    return n >= 0 ? n : n == -2 ? CS_E_CLOSED : CS_E_IO;
}

static int
link_write(void *ctx, const unsigned char *buf, size_t len)
{
    int n = board_link_write(buf, len);
    (void)ctx;
    return n >= 0 ? n : CS_E_IO;
}

static int
link_wait(void *ctx, int want, int *fdp)
{
    (void)ctx;
    *fdp = -1;                 /* no descriptor: the loop polls by time */
    return want;
}

static void
link_close(void *ctx)
{
    (void)ctx;
    board_link_close();
}

/* The five callbacks as the library's transport (the board's one link). */
static void
link_init(cs_transport *t)
{
    t->open = link_open;
    t->read = link_read;
    t->write = link_write;
    t->wait = link_wait;
    t->close = link_close;
    t->ctx = NULL;
}

static int
rng(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    return board_rng(buf, len) == 0 ? 0 : CS_E_RANDOM;
}

static int
unix_time(void *ctx, int64_t *t)
{
    (void)ctx;
    *t = board_unix_time();
    return 0;
}

/* ---- the main loop ---------------------------------------------------- */
/* After the library's init (r, for url): step it until it stops, the
 * board idle in between until the deadline it asks for (a device sleeps
 * until an interrupt or that time). 2 when the init failed, else 0. */
static int
run(const char *url, int r, int (*step)(uint64_t now_ms, cs_wait *w))
{
    cs_wait w;

    if (r != 0) {
        printf("%s: %s\n", url, cs_strerror(r));
        return 2;
    }
    while (step(board_millis(), &w) == 0)
        board_idle(w.deadline_ms);
    return 0;
}

/* ---- the application ------------------------------------------------- */
#if CS_EXAMPLE_DIRECT && CS_HAS_CT
/* Direct mode: one static-ct-api log, tree heads checked with its key.
 * Memory: the follower (TLS engine, HTTP, gzip, tile parser, message) and
 * its buffers: the 32 KiB gzip window, then a fifth of the rest for the
 * domains and the rest for one tile entry (a certificate, or a
 * precertificate and its TBS, with the chain's fingerprints). */
static unsigned char mem[CS_INFLATE_WINDOW + 28 * 1024];
/* The log when no arguments come (firmware: argc is 0); -D to change. */
#ifndef CT_LOG_URL
#  define CT_LOG_URL "https://mon.sycamore.ct.letsencrypt.org/2026h1/"
#  define CT_LOG_ORIGIN "log.sycamore.ct.letsencrypt.org/2026h1"
#  define CT_LOG_KEY "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfEEe0JZknA91/c6eNl1a" \
                     "exgeKzuGQUMvRCXPXg9L227O5I4Pi++Abcpq6qxlVUKPYafAJelAnMf" \
                     "Gzv3lHCc8gA=="
#endif
static unsigned char key[128];
static cs_ct_follower follower;
static unsigned long certs;

static void
on_event(void *ctx, const cs_event *ev)
{
    size_t n;
    (void)ctx;
    if (ev->type == CS_EV_MESSAGE && ev->msg->domain_count > 0) {
        printf("%lu %s\n", (unsigned long)ev->index,
               cs_msg_domain(ev->msg, 0, &n));
        if (++certs == 20)
            cs_ct_stop(&follower);    /* a demo: stop after 20 */
    } else if (ev->type == CS_EV_CT_TREE) {
        printf("tree %lu\n", (unsigned long)ev->index);
    } else if (ev->type == CS_EV_CT_ERROR) {
        printf("%s %lu: %s\n", ev->status ? "tree head" : "entry",
               (unsigned long)ev->index, cs_strerror(ev->err));
    } else if (ev->type == CS_EV_FAILED) {
        printf("log: %s (status %d, BearSSL: %s)\n", cs_strerror(ev->err),
               ev->status, cs_tls_errname((int)ev->detail));
    }
    fflush(stdout);
}

static int
step(uint64_t now_ms, cs_wait *w)
{
    return cs_ct_step(&follower, now_ms, w);
}

int
main(int argc, char **argv)
{
    cs_ct_config cfg;
    cs_transport link;
    const char *k = argc > 3 ? argv[3] : CT_LOG_KEY;
    long n;

    link_init(&link);
    cs_ct_config_init(&cfg);
    cfg.url = argc > 1 ? argv[1] : CT_LOG_URL;
    cfg.origin = argc > 2 ? argv[2] : CT_LOG_ORIGIN;
    cfg.kind = CS_CT_STATIC;
    n = cs_b64_decode(k, strlen(k), key, sizeof key);
    cfg.key = key;
    cfg.key_len = n > 0 ? (size_t)n : 0;
    if (argc > 4) {                   /* a saved position: resume there */
        cfg.from = 0;
        for (k = argv[4]; *k >= '0' && *k <= '9'; k++)
            cfg.from = cfg.from * 10 + (uint64_t)(*k - '0');
        cfg.has_from = 1;
    }
#ifdef CT_LOG_FROM
    if (argc <= 4)
        cfg.from = CT_LOG_FROM, cfg.has_from = 1;
#endif
    cfg.on_event = on_event;
    cfg.random = rng;
    cfg.unix_time = unix_time;        /* seen, Retry-After, TLS dates */
    cfg.mem = mem;
    cfg.mem_cap = sizeof mem;
    if (run(cfg.url, cs_ct_init(&follower, &cfg, &link), step) != 0)
        return 2;                     /* (cs_ct_init: built-in roots) */
    printf("next %lu\n", (unsigned long)cs_ct_stats_get(&follower)->next);
    cs_ct_close(&follower);
    return 0;
}
#else
static unsigned char names[16 * 1024];  /* a device keeps less */
static cs_client client;
static unsigned long certs;

static void
on_event(void *ctx, const cs_event *ev)
{
    size_t n;
    (void)ctx;
    if (ev->type == CS_EV_MESSAGE && ev->err == 0
        && ev->msg->type == CS_MSG_CERT && ev->msg->domain_count > 0) {
        printf("%lu %s\n", ++certs, cs_msg_domain(ev->msg, 0, &n));
        if (certs == 20)
            cs_client_stop(&client);  /* a demo: stop after 20 */
    } else if (ev->type == CS_EV_FAILED || ev->type == CS_EV_DISCONNECTED) {
        printf("link: %s (BearSSL: %s)\n", cs_strerror(ev->err),
               cs_tls_errname((int)ev->detail));
    }
    fflush(stdout);
}

static int
step(uint64_t now_ms, cs_wait *w)
{
    return cs_client_step(&client, now_ms, w);
}

int
main(int argc, char **argv)
{
    cs_config cfg;
    cs_transport link;

    link_init(&link);
    cs_config_init(&cfg);
    cfg.url = argc > 1 ? argv[1] : "wss://certstream.calidog.io/";
    cfg.on_event = on_event;
    cfg.random = rng;
    cfg.tls.unix_time = unix_time;
    cfg.dom = names;
    cfg.dom_cap = sizeof names;
    if (run(cfg.url, cs_client_init(&client, &cfg, &link), step) != 0)
        return 2;                     /* (cs_client_init: built-in roots) */
    cs_client_close(&client);
    return cs_client_result(&client) == 0 ? 0 : 1;
}
#endif
