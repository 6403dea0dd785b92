/* test_client.c - the client engine (cs_client_*) against a scripted fake
 * transport: no sockets and no clock.
 *
 * The test passes now_ms itself, and cs_config.random is a seeded
 * generator whose output is logged, so the handshake key can be traced.
 * The fake plays the server. It reads the client's request and answers
 * with the Sec-WebSocket-Accept computed from the key the request carried
 * (or a scripted response), then serves scripted frames in reads of a
 * chosen size (1 byte, random, whole) with random "would block" zeros.
 * It can hold bytes back until the client has written a given frame (a
 * pong), answer pings and closes by itself, and end a connection with a
 * block, EOF or an error. Its read, write, open and the entropy source
 * can each be made to fail at their k-th call. Everything the client
 * writes is parsed: the HTTP request, then each frame (masked, a fresh
 * key, FIN, a control opcode, nothing after the client's close).
 *
 * The driver steps the client as a poll() loop would: at once while the
 * fake has what the client said it waits for, otherwise it sleeps to the
 * deadline the client returned. A late deadline therefore shows up as a
 * late ping, retry or timeout, and a missing one as a hang.
 *
 * After every test: every successful open was matched by a close, no I/O
 * happened on a closed transport and no open over an open one, and the
 * events came in a well-formed order (checked as they arrive).
 *
 * Failure injection makes read, write, open and the entropy source fail
 * at their k-th call, for every k up to the end of a scripted session,
 * under four read/write size mixes.
 *
 * CS_TEST_SCALE (default 1) scales the random split runs. */
/* The engine over a plain fake link: TLS (a transport over the link) is
 * tested against real TLS peers, in test_tls.py. */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#define UTIL_RNG_SEED 0x2545f4914f6cdd1du
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ==== helpers ============================================================ */

static double g_scale = 1.0;

static long
scaled(long n)
{
    double v = (double)n * g_scale;
    return v < 1.0 ? 1 : (long)v;
}

/* Case-insensitive search of needle in s. */
static int
icontains(const char *s, const char *needle)
{
    size_t n = strlen(needle), i, m = strlen(s);
    for (i = 0; i + n <= m; i++)
        if (ieqn(s + i, needle, n))
            return 1;
    return 0;
}

static int
b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict padded base64 decode; returns the length or -1. */
static int
b64dec(const char *s, unsigned char *out, size_t cap)
{
    size_t n = strlen(s), i, o = 0;
    if (n % 4 != 0)
        return -1;
    for (i = 0; i < n; i += 4) {
        int v[4], k, pad = 0;
        for (k = 0; k < 4; k++) {
            if (s[i + (size_t)k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else {
                if (pad)
                    return -1;
                v[k] = b64val((unsigned char)s[i + (size_t)k]);
                if (v[k] < 0)
                    return -1;
            }
        }
        if (o + 3 > cap)
            return -1;
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
        o -= (size_t)pad;
    }
    return (int)o;
}

/* The Sec-WebSocket-Accept for key (RFC 6455 4.2.2), through the
 * header's cs_sha1 and cs_base64 (checked on the RFC's example first). */
static void
accept_of(const char *key, char out[29])
{
    char buf[256];
    unsigned char h[20];
    size_t n = strlen(key);

    if (n > 200)
        n = 200;
    memcpy(buf, key, n);
    memcpy(buf + n, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    cs_sha1(buf, n + 36, h);
    cs_base64(h, 20, out);
}

/* ==== server frames ====================================================== */

/* One server frame: unmasked unless asked, any FIN/RSV/opcode, lengths in
 * their shortest form. */
static void
s_frame(bytes *b, int fin, int rsv, int op, const void *p, size_t n,
        int masked)
{
    static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    const unsigned char *s = (const unsigned char *)p;
    unsigned char h[14];
    unsigned mk = masked ? 0x80u : 0u;
    size_t k = 0, i;

    h[k++] = (unsigned char)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (op & 15));
    if (n < 126) {
        h[k++] = (unsigned char)(mk | n);
    } else if (n < 65536) {
        h[k++] = (unsigned char)(mk | 126);
        h[k++] = (unsigned char)(n >> 8);
        h[k++] = (unsigned char)n;
    } else {
        h[k++] = (unsigned char)(mk | 127);
        for (i = 0; i < 8; i++)
            h[k++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    }
    if (masked) {
        memcpy(h + k, key, 4);
        k += 4;
    }
    b_add(b, h, k);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)(masked ? s[i] ^ key[i & 3] : s[i]);
        b_add(b, &c, 1);
    }
}

static void
s_text(bytes *b, const char *s)
{
    s_frame(b, 1, 0, CS_WS_OP_TEXT, s, strlen(s), 0);
}

static void
s_ctl(bytes *b, int op, const void *p, size_t n)
{
    s_frame(b, 1, 0, op, p, n, 0);
}

/* A close frame; code 0 sends an empty one. */
static void
s_close(bytes *b, int code, const char *reason)
{
    unsigned char p[125];
    size_t n = 0, r = strlen(reason);

    if (code != 0) {
        p[0] = (unsigned char)(code >> 8);
        p[1] = (unsigned char)code;
        memcpy(p + 2, reason, r);
        n = 2 + r;
    }
    s_ctl(b, CS_WS_OP_CLOSE, p, n);
}

/* A text message in `parts` frames (text, continuations, FIN on the
 * last). */
static void
s_text_split(bytes *b, const char *s, size_t parts)
{
    size_t n = strlen(s), at = 0, i;
    for (i = 0; i < parts; i++) {
        size_t end = i + 1 == parts ? n : n * (i + 1) / parts;
        s_frame(b, i + 1 == parts, 0, i == 0 ? CS_WS_OP_TEXT : CS_WS_OP_CONT,
                s + at, end - at, 0);
        at = end;
    }
}

/* ==== messages =========================================================== */

static const char M_CERT1[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"update_type\":"
    "\"X509LogEntry\",\"leaf_cert\":{\"subject\":{\"CN\":\"a.example\"},"
    "\"all_domains\":[\"a.example\",\"*.b.example\"]},\"cert_index\":"
    "123456789,\"seen\":1700000000.25,\"source\":{\"url\":"
    "\"https://ct.example/2025/\",\"name\":\"Example 2025\"}}}";
static const char M_CERT2[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"leaf_cert\":"
    "{\"all_domains\":[\"z.example\"]},\"cert_index\":42}}";
static const char M_HB[] =
    "{\"message_type\":\"heartbeat\",\"timestamp\":1700000001.5}";
static const char M_DNS[] =
    "{\"message_type\":\"dns_entries\",\"data\":[\"c.example\","
    "\"d.example\",\"e.example\"]}";
static const char M_BAD[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"cert_index\":7,]}}";
static const char M_OTHER[] = "{\"message_type\":\"fancy\",\"data\":{}}";
static const char M_NONE[] = "{\"data\":[\"q.example\"]}";

/* A message over 64 KiB (a 64-bit length on the wire): n domains. */
static void
make_big(bytes *b, int n)
{
    char d[64];
    int i;
    b_str(b, "{\"message_type\":\"certificate_update\",\"data\":{"
             "\"cert_index\":9,\"leaf_cert\":{\"all_domains\":[");
    for (i = 0; i < n; i++) {
        snprintf(d, sizeof d, "%s\"d%05d.big.example\"", i ? "," : "", i);
        b_str(b, d);
    }
    b_str(b, "]}}}");
    b_add(b, "", 1);
    b->len--;
}

/* ==== entropy ============================================================ */

#define RNG_LOG (1 << 20)

typedef struct trng {
    uint64_t s;
    long calls, fail_at;     /* call fail_at returns CS_E_RANDOM */
    int fired, fired_conn;
    size_t log_len;
    unsigned char log[RNG_LOG];  /* every byte handed out */
} trng;

static int ft_nconn(void);

static int
trand(void *ctx, void *buf, size_t len)
{
    trng *r = (trng *)ctx;
    unsigned char *p = (unsigned char *)buf;
    size_t i;

    r->calls++;
    if (r->fail_at != 0 && r->calls == r->fail_at) {
        r->fired = 1;
        r->fired_conn = ft_nconn() - 1;
        return CS_E_RANDOM;
    }
    for (i = 0; i < len; i++) {
        r->s = r->s * 6364136223846793005u + 1442695040888963407u;
        p[i] = (unsigned char)(r->s >> 56);
        if (r->log_len < RNG_LOG)
            r->log[r->log_len++] = p[i];
    }
    return 0;
}

static int
rng_has(const trng *r, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i + n <= r->log_len; i++)
        if (memcmp(r->log + i, p, n) == 0)
            return 1;
    return 0;
}

/* ==== the fake transport ================================================= */

enum { HS_OK, HS_NONE, HS_RAW, HS_BAD_ACCEPT, HS_NO_UPGRADE };
enum { R_WHOLE, R_ONE, R_RANDOM };

#define NGATE 4

/* What the server does on one connection. */
typedef struct script {
    int open_err;            /* open() returns this */
    int hs;                  /* HS_*: how to answer the request */
    const char *resp;        /* HS_RAW: the response; HS_OK: extra header
                                lines, each ending in CRLF */
    const bytes *frames;     /* served after the response */
    int at_end;              /* then: 0 (block), or a code (CS_E_CLOSED) */
    int write_block;         /* every write returns 0 (never connects) */
    int ngate;               /* hold frames[gate_off..) until the client
                                wrote gate_n frames of opcode gate_op */
    size_t gate_off[NGATE];
    int gate_op[NGATE], gate_n[NGATE];
} script;

/* One frame the client wrote, unmasked. */
typedef struct cframe {
    int op;
    unsigned char key[4];
    unsigned char p[125];
    size_t len;
    uint64_t at;             /* fake time it was completed */
    size_t served;           /* frame bytes served to the client by then */
} cframe;

enum {
    BAD_UNMASKED = 1, BAD_RSV = 2, BAD_FIN = 4, BAD_OP = 8, BAD_LEN = 16,
    BAD_SAMEKEY = 32, BAD_ZEROKEY = 64, BAD_AFTER_CLOSE = 128,
    BAD_OVERFLOW = 256
};

#define MAXCONN 96
#define MAXFR 64

/* Everything about one connection (one open() call). */
typedef struct conn_log {
    int ok;                  /* open() succeeded */
    char host[256];
    unsigned port;
    char path[CS_URL_MAX];
    uint64_t t_open, t_close;
    int closed;
    char req[4096];          /* the request, NUL-terminated */
    size_t req_len;
    int req_done;
    size_t after_req;        /* bytes written after the request */
    cframe fr[MAXFR];
    int nfr;
    unsigned bad;            /* BAD_* */
    size_t resp_len;         /* bytes of the server's HTTP response */
    size_t served;           /* frame bytes served */
} conn_log;

typedef struct ft {
    const script *sc;
    int nsc;                 /* connection i uses sc[min(i, nsc - 1)] */
    int rmode, wmode;
    size_t rmax, wmax;       /* R_RANDOM: 1..rmax bytes per call */
    int zero_pct;            /* calls that return 0 at random, percent */
    int auto_pong;           /* answer each ping with a pong */
    int auto_close;          /* answer a close, then EOF */
    int wblock;              /* writes return 0 while set */
    long fail_read, fail_write, fail_open;  /* that call fails (0: none) */
    int fail_read_code, fail_write_code, fail_open_code;
    int fired;               /* a scheduled failure happened */
    int fired_conn, fired_ev;  /* in which connection, before which event */
    /* counters */
    long reads, writes, opens_called, waits, close_calls, data_reads;
    int opens, closes, is_open;
    int bad_open_while_open, bad_io_closed, bad_len;
    uint64_t now;
    uint64_t t_rx;           /* last read that returned bytes */
    /* the current connection */
    int nconn;
    conn_log *cur;
    const script *cs;
    size_t in_len, in_off;
    int in_ready;            /* the response was generated */
    int at_end;
    size_t out_len, parse_off;
    int close_seen;          /* the client wrote a close */
    unsigned char last_key[4];
    int have_key;
    conn_log logs[MAXCONN];
    conn_log spare;
    unsigned char in[1 << 20];
    unsigned char out[1 << 16];
} ft;

static void
in_add(ft *f, const void *p, size_t n)
{
    if (f->in_len + n > sizeof f->in) {
        fprintf(stderr, "test bug: fake input overflow\n");
        exit(2);
    }
    memcpy(f->in + f->in_len, p, n);
    f->in_len += n;
}

/* Append bytes to what the server sends on the current connection. */
static void
ft_push(ft *f, const bytes *b)
{
    in_add(f, b->p, b->len);
}

static conn_log *
ft_log(ft *f, int i)
{
    return i >= 0 && i < MAXCONN ? &f->logs[i] : &f->spare;
}

static int
cf_count(const conn_log *L, int op)
{
    int i, n = 0;
    for (i = 0; i < L->nfr; i++)
        if (L->fr[i].op == op)
            n++;
    return n;
}

/* The value of request header name (case-insensitive), or NULL. */
static const char *
req_header(const conn_log *L, const char *name, char *val, size_t cap)
{
    const char *p = strstr(L->req, "\r\n");
    size_t n = strlen(name);

    while (p != NULL && p[2] != '\r' && p[2] != 0) {
        const char *line = p + 2, *e = strstr(line, "\r\n");
        if (e == NULL)
            break;
        if ((size_t)(e - line) > n && line[n] == ':' && ieqn(line, name, n)) {
            const char *v = line + n + 1;
            size_t k;
            while (*v == ' ' || *v == '\t')
                v++;
            k = (size_t)(e - v);
            while (k > 0 && (v[k - 1] == ' ' || v[k - 1] == '\t'))
                k--;
            if (k >= cap)
                k = cap - 1;
            memcpy(val, v, k);
            val[k] = 0;
            return val;
        }
        p = e;
    }
    return NULL;
}

static void
ft_respond(ft *f)
{
    const script *s = f->cs;
    conn_log *L = f->cur;
    static char resp[65536];
    char key[128], acc[32];

    if (s->hs == HS_NONE)
        return;
    if (s->hs == HS_RAW) {
        snprintf(resp, sizeof resp, "%s", s->resp);
    } else {
        if (req_header(L, "Sec-WebSocket-Key", key, sizeof key - 2) == NULL)
            key[0] = 0;
        if (s->hs == HS_BAD_ACCEPT)
            strcat(key, "x");
        accept_of(key, acc);
        snprintf(resp, sizeof resp,
                 "HTTP/1.1 101 Switching Protocols\r\n%s"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n",
                 s->hs == HS_NO_UPGRADE ? "" : "Upgrade: websocket\r\n", acc,
                 s->resp != NULL ? s->resp : "");
    }
    L->resp_len = strlen(resp);
    in_add(f, resp, L->resp_len);
    if (s->frames != NULL)
        in_add(f, s->frames->p, s->frames->len);
    f->in_ready = 1;
}

/* Parse what the client wrote since the last call: the request, then
 * frames. The fake's own answers (pong, close) are queued here. */
static void
ft_parse(ft *f)
{
    conn_log *L = f->cur;

    if (!L->req_done) {
        size_t i, n;
        for (i = 3; i < f->out_len; i++)
            if (memcmp(f->out + i - 3, "\r\n\r\n", 4) == 0)
                break;
        if (i >= f->out_len)
            return;
        n = i + 1;
        L->req_len = n;
        if (n >= sizeof L->req)
            n = sizeof L->req - 1;
        memcpy(L->req, f->out, n);
        L->req[n] = 0;
        L->req_done = 1;
        f->parse_off = L->req_len;
        ft_respond(f);
    }
    L->after_req = f->out_len - L->req_len;
    for (;;) {
        const unsigned char *p = f->out + f->parse_off;
        size_t avail = f->out_len - f->parse_off, hl = 2, n, i;
        int op;

        if (avail < 2)
            return;
        n = p[1] & 127u;
        if (n == 126)
            hl = 4;
        else if (n == 127)
            hl = 10;
        if (p[1] & 0x80)
            hl += 4;
        if (avail < hl)
            return;
        if (n == 126) {
            n = (size_t)p[2] << 8 | p[3];
        } else if (n == 127) {
            n = 0;
            for (i = 0; i < 8; i++)
                n = n << 8 | p[2 + i];
        }
        if (n > sizeof f->out) {
            L->bad |= BAD_LEN;
            f->parse_off = f->out_len;
            return;
        }
        if (avail < hl + n)
            return;
        op = p[0] & 15;
        if (!(p[1] & 0x80))
            L->bad |= BAD_UNMASKED;
        if (p[0] & 0x70)
            L->bad |= BAD_RSV;
        if (!(p[0] & 0x80))
            L->bad |= BAD_FIN;
        if (op != CS_WS_OP_CLOSE && op != CS_WS_OP_PING
            && op != CS_WS_OP_PONG)
            L->bad |= BAD_OP;
        if (n > 125)
            L->bad |= BAD_LEN;
        if (f->close_seen)
            L->bad |= BAD_AFTER_CLOSE;
        if (p[1] & 0x80) {
            const unsigned char *k = p + hl - 4;
            if (k[0] == 0 && k[1] == 0 && k[2] == 0 && k[3] == 0)
                L->bad |= BAD_ZEROKEY;
            if (f->have_key && memcmp(k, f->last_key, 4) == 0)
                L->bad |= BAD_SAMEKEY;
            memcpy(f->last_key, k, 4);
            f->have_key = 1;
        }
        if (L->nfr < MAXFR && n <= 125) {
            cframe *c = &L->fr[L->nfr++];
            c->op = op;
            c->len = n;
            c->at = f->now;
            c->served = L->served;
            memset(c->key, 0, 4);
            if (p[1] & 0x80)
                memcpy(c->key, p + hl - 4, 4);
            for (i = 0; i < n; i++)
                c->p[i] = (unsigned char)(p[hl + i] ^ c->key[i & 3]);
            if (op == CS_WS_OP_PING && f->auto_pong && f->in_ready) {
                bytes b = {0};
                s_ctl(&b, CS_WS_OP_PONG, c->p, c->len);
                ft_push(f, &b);
                b_free(&b);
            }
            if (op == CS_WS_OP_CLOSE && f->auto_close && f->in_ready) {
                bytes b = {0};
                s_ctl(&b, CS_WS_OP_CLOSE, c->p, c->len < 2 ? c->len : 2);
                ft_push(f, &b);
                b_free(&b);
                f->at_end = CS_E_CLOSED;
            }
        }
        if (op == CS_WS_OP_CLOSE)
            f->close_seen = 1;
        f->parse_off += hl + n;
    }
}

/* Where serving stops for now: the first gate whose condition is unmet. */
static size_t
ft_gate_end(const ft *f)
{
    const script *s = f->cs;
    int g;
    for (g = 0; g < s->ngate; g++) {
        size_t at = f->cur->resp_len + s->gate_off[g];
        if (cf_count(f->cur, s->gate_op[g]) < s->gate_n[g]
            && at < f->in_len)
            return at;
    }
    return f->in_len;
}

static int
ft_readable(const ft *f)
{
    size_t end;
    if (!f->is_open || !f->in_ready)
        return 0;
    end = ft_gate_end(f);
    if (f->in_off < end)
        return 1;
    return end == f->in_len && f->at_end != 0;
}

static void ft_fire(ft *f);

static int
ft_open(void *ctx, const cs_url *url)
{
    ft *f = (ft *)ctx;
    conn_log *L;
    int i;

    f->opens_called++;
    if (f->is_open)
        f->bad_open_while_open++;
    i = f->nconn++;
    L = ft_log(f, i);
    memset(L, 0, sizeof *L);
    f->cur = L;
    f->cs = &f->sc[i < f->nsc ? i : f->nsc - 1];
    snprintf(L->host, sizeof L->host, "%s", url->host);
    snprintf(L->path, sizeof L->path, "%s", url->path);
    L->port = url->port;
    L->t_open = f->now;
    f->in_len = f->in_off = 0;
    f->in_ready = 0;
    f->at_end = f->cs->at_end;
    f->out_len = f->parse_off = 0;
    f->close_seen = 0;
    f->t_rx = f->now;
    if (f->fail_open != 0 && f->opens_called == f->fail_open) {
        ft_fire(f);
        return f->fail_open_code;
    }
    if (f->cs->open_err != 0)
        return f->cs->open_err;
    f->is_open = 1;
    f->opens++;
    L->ok = 1;
    return 0;
}

static int
ft_read(void *ctx, unsigned char *buf, size_t len)
{
    ft *f = (ft *)ctx;
    size_t end, n;

    f->reads++;
    if (!f->is_open) {
        f->bad_io_closed++;
        return CS_E_IO;
    }
    if (len == 0 || len > CS_IO_CHUNK)
        f->bad_len++;
    if (f->fail_read != 0 && f->reads == f->fail_read) {
        ft_fire(f);
        return f->fail_read_code;
    }
    if (f->zero_pct != 0 && (int)rnd_below(100) < f->zero_pct)
        return 0;
    if (!f->in_ready)
        return 0;
    end = ft_gate_end(f);
    if (f->in_off >= end)
        return end == f->in_len ? f->at_end : 0;
    n = end - f->in_off;
    if (n > len)
        n = len;
    if (f->rmode == R_ONE)
        n = 1;
    else if (f->rmode == R_RANDOM)
        n = 1 + rnd_below(n < f->rmax ? n : f->rmax);
    memcpy(buf, f->in + f->in_off, n);
    f->in_off += n;
    f->data_reads++;
    f->t_rx = f->now;
    f->cur->served = f->in_off > f->cur->resp_len
                         ? f->in_off - f->cur->resp_len : 0;
    return (int)n;
}

static int
ft_write(void *ctx, const unsigned char *buf, size_t len)
{
    ft *f = (ft *)ctx;
    size_t n = len;

    f->writes++;
    if (!f->is_open) {
        f->bad_io_closed++;
        return CS_E_IO;
    }
    if (len == 0 || len > CS_IO_CHUNK)
        f->bad_len++;
    if (f->fail_write != 0 && f->writes == f->fail_write) {
        ft_fire(f);
        return f->fail_write_code;
    }
    if (f->cs->write_block || f->wblock)
        return 0;
    if (f->zero_pct != 0 && (int)rnd_below(100) < f->zero_pct)
        return 0;
    if (f->wmode == R_ONE)
        n = 1;
    else if (f->wmode == R_RANDOM)
        n = 1 + rnd_below(len < f->wmax ? len : f->wmax);
    if (f->out_len + n > sizeof f->out) {
        f->cur->bad |= BAD_OVERFLOW;
        return (int)n;
    }
    memcpy(f->out + f->out_len, buf, n);
    f->out_len += n;
    ft_parse(f);
    return (int)n;
}

static int
ft_wait(void *ctx, int want, int *fd)
{
    ft *f = (ft *)ctx;
    f->waits++;
    *fd = f->is_open ? 100 + f->nconn - 1 : -1;
    return want;
}

static void
ft_close(void *ctx)
{
    ft *f = (ft *)ctx;
    f->close_calls++;
    if (f->is_open) {
        f->is_open = 0;
        f->closes++;
        f->cur->closed = 1;
        f->cur->t_close = f->now;
    }
}

/* ==== the test context: client, fake, recorded events =================== */

#define MAXEV 4096
#define MAXRAW 64

/* One event, copied out. Consecutive CS_EV_RAW slices merge into one. */
typedef struct rev {
    int type, err, status, opcode;
    int64_t detail;
    uint64_t delay, at;
    int conn;                /* index of the fake's current connection */
    size_t served;
    char text[256];
    size_t len;
    int has_msg, mtype;
    unsigned has;
    uint64_t cert_index;
    double seen, timestamp;
    size_t ndom;
    char doms[512];
    char tname[64];
    char surl[64], sname[64];
    long slices;             /* CS_EV_RAW */
    uint32_t hash;           /* CS_EV_RAW: FNV-1a of the merged bytes */
} rev;

enum { SQ_IDLE, SQ_ATTEMPT, SQ_REDIR, SQ_UP, SQ_DOWN };

typedef struct T {
    cs_client c;
    cs_config cfg;
    cs_transport tr;
    int inited;
    uint64_t now;
    int done;                /* cs_client_step() returned 1 */
    uint64_t t_done;
    int stuck;
    long steps;
    int in_step, in_close, ev_outside;
    /* events */
    rev ev[MAXEV];
    int nev;
    long ev_lost;
    long cnt[16];            /* events by type */
    int sq, bad_seq;
    int up;                  /* between CONNECTED and its end */
    uint64_t t_up;
    bytes raw_cur;
    bytes raws[MAXRAW];
    int raw_op[MAXRAW];
    int nraw;
    /* stop from inside on_event: the stop_nth event of type stop_on */
    int stop_on, stop_nth, stop_hits;
    uint64_t t_stop;
    /* drive() returns early once cnt[want_type] >= want_count */
    int want_type;
    long want_count;
    /* keepalive deadline checks */
    int ka_check, ka_bad, fd_bad;
    ft f;
    trng rr;
} T;

static T *tc;
static unsigned char g_dom[256 * 1024];

#define T0 ((uint64_t)0x100000000u + 777u)   /* past 32 bits of ms */

static int
ft_nconn(void)
{
    return tc != NULL ? tc->f.nconn : 0;
}

static void
ft_fire(ft *f)
{
    f->fired = 1;
    f->fired_conn = f->nconn - 1;
    f->fired_ev = tc != NULL ? tc->nev : 0;
}

static const char *
evname(int type)
{
    static const char *const n[] = {
        "?", "CONNECTING", "CONNECTED", "MESSAGE", "RAW", "RAW_END",
        "REDIRECT", "FAILED", "DISCONNECTED", "RETRY"};
    return type >= 1 && type <= 9 ? n[type] : "?";
}

static void
seq_fail(int type, const char *why)
{
    if (tc->bad_seq++ < 4)
        CHECKF(0, "event %s (#%d) in state %d: %s", evname(type), tc->nev,
               tc->sq, why);
    else
        test_cur_failed++;
}

/* The event order: CONNECTING (CONNECTED (MESSAGE|RAW|RAW_END)*
 * DISCONNECTED | FAILED | REDIRECT CONNECTING ...) RETRY, repeated. */
static void
seq_check(const cs_event *e)
{
    switch (e->type) {
    case CS_EV_CONNECTING:
        if (tc->sq != SQ_IDLE && tc->sq != SQ_REDIR)
            seq_fail(e->type, "not after RETRY/REDIRECT");
        tc->sq = SQ_ATTEMPT;
        break;
    case CS_EV_CONNECTED:
        if (tc->sq != SQ_ATTEMPT)
            seq_fail(e->type, "not after CONNECTING");
        if (!tc->f.is_open)
            seq_fail(e->type, "transport not open");
        tc->sq = SQ_UP;
        break;
    case CS_EV_REDIRECT:
        if (tc->sq != SQ_ATTEMPT)
            seq_fail(e->type, "not after CONNECTING");
        tc->sq = SQ_REDIR;
        break;
    case CS_EV_FAILED:
        if (tc->sq != SQ_ATTEMPT)
            seq_fail(e->type, "not after CONNECTING");
        if (e->err >= 0)
            seq_fail(e->type, "err >= 0");
        tc->sq = SQ_DOWN;
        break;
    case CS_EV_MESSAGE:
    case CS_EV_RAW:
    case CS_EV_RAW_END:
        if (tc->sq != SQ_UP)
            seq_fail(e->type, "not while connected");
        break;
    case CS_EV_DISCONNECTED:
        if (tc->sq != SQ_UP)
            seq_fail(e->type, "not after CONNECTED");
        if (e->err > 0)
            seq_fail(e->type, "err > 0");
        if (!(e->status == 1005 || e->status == 1006
              || cs_ws_status_valid(e->status)))
            seq_fail(e->type, "status");
        tc->sq = SQ_DOWN;
        break;
    case CS_EV_RETRY:
        if (tc->sq != SQ_DOWN)
            seq_fail(e->type, "not after FAILED/DISCONNECTED");
        tc->sq = SQ_IDLE;
        break;
    default:
        seq_fail(e->type, "unknown type");
    }
}

static void
copy_str(char *to, size_t cap, const char *s, size_t n)
{
    if (s == NULL)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    if (n != 0)
        memcpy(to, s, n);
    to[n] = 0;
}

static void
on_event(void *ctx, const cs_event *e)
{
    T *x = (T *)ctx;
    rev *r;

    if (x != tc) {
        CHECKF(0, "on_event ctx %p", ctx);
        return;
    }
    if (!tc->in_step && !tc->in_close)
        tc->ev_outside++;
    if (tc->done)
        CHECKF(0, "event %s after the client finished", evname(e->type));
    seq_check(e);
    if (e->type >= 0 && e->type < 16)
        tc->cnt[e->type]++;
    if (e->type == CS_EV_CONNECTED) {
        tc->up = 1;
        tc->t_up = tc->now;
    } else if (e->type == CS_EV_DISCONNECTED) {
        tc->up = 0;
    }
    if (e->type == CS_EV_RAW) {
        if (e->len != 0 && e->text == NULL)
            CHECKF(0, "RAW with NULL text");
        else
            b_add(&tc->raw_cur, e->text, e->len);
    }
    if (e->type == CS_EV_RAW_END) {
        if (tc->nraw < MAXRAW) {
            tc->raws[tc->nraw] = tc->raw_cur;
            tc->raw_op[tc->nraw++] = e->opcode;
            memset(&tc->raw_cur, 0, sizeof tc->raw_cur);
        } else {
            tc->raw_cur.len = 0;
        }
    }
    if (e->type == CS_EV_CONNECTING || e->type == CS_EV_REDIRECT
        || e->type == CS_EV_CONNECTED || e->type == CS_EV_DISCONNECTED
        || e->type == CS_EV_FAILED)
        tc->raw_cur.len = 0;   /* a message cut by the connection's end */

    if (e->type == CS_EV_RAW && tc->nev > 0
        && tc->ev[tc->nev - 1].type == CS_EV_RAW) {
        r = &tc->ev[tc->nev - 1];
        r->slices++;
        r->len += e->len;
        if (e->text != NULL)
            r->hash = fnv(r->hash, e->text, e->len);
    } else if (tc->nev < MAXEV) {
        r = &tc->ev[tc->nev++];
        memset(r, 0, sizeof *r);
        r->type = e->type;
        r->err = e->err;
        r->status = e->status;
        r->opcode = e->opcode;
        r->detail = e->detail;
        r->delay = e->delay_ms;
        r->at = tc->now;
        r->conn = tc->f.nconn - 1;
        r->served = tc->f.cur != NULL ? tc->f.cur->served : 0;
        r->len = e->len;
        if (e->type == CS_EV_RAW) {
            r->slices = 1;
            r->hash = fnv(2166136261u, e->text, e->text ? e->len : 0);
        } else {
            copy_str(r->text, sizeof r->text, e->text, e->len);
        }
        if (e->type == CS_EV_MESSAGE && e->err == 0) {
            const cs_msg *m = e->msg;
            if (m == NULL) {
                CHECKF(0, "MESSAGE with err 0 and no msg");
            } else {
                size_t i, at = 0;
                r->has_msg = 1;
                r->mtype = m->type;
                r->has = m->has;
                r->cert_index = m->cert_index;
                r->seen = m->seen;
                r->timestamp = m->timestamp;
                r->ndom = m->domain_count;
                copy_str(r->tname, sizeof r->tname, m->type_name.buf,
                         m->type_name.len);
                copy_str(r->surl, sizeof r->surl, m->source_url.buf,
                         m->source_url.len);
                copy_str(r->sname, sizeof r->sname, m->source_name.buf,
                         m->source_name.len);
                for (i = 0; i < m->domain_count; i++) {
                    size_t n;
                    const char *d = cs_msg_domain(m, i, &n);
                    if (at + n + 2 >= sizeof r->doms)
                        break;
                    if (i)
                        r->doms[at++] = ',';
                    memcpy(r->doms + at, d, n);
                    at += n;
                }
                r->doms[at] = 0;
            }
        }
        if (e->type == CS_EV_MESSAGE && e->err != 0
            && !(e->err <= CS_E_JSON_SYNTAX && e->err >= CS_E_JSON_LITERAL))
            CHECKF(0, "MESSAGE err %d is not a CS_E_JSON_* code", e->err);
        if (e->type == CS_EV_CONNECTING && (e->text == NULL || e->len == 0))
            CHECKF(0, "CONNECTING without url");
        if (e->type == CS_EV_RETRY && e->delay_ms == 0)
            CHECKF(0, "RETRY with delay 0");
    } else {
        tc->ev_lost++;
    }
    if (tc->stop_on != 0 && e->type == tc->stop_on
        && ++tc->stop_hits == tc->stop_nth) {
        cs_client_stop(&tc->c);
        tc->t_stop = tc->now;
    }
}

static void
setup(const char *url)
{
    tc = (T *)calloc(1, sizeof *tc);
    if (tc == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    cs_config_init(&tc->cfg);
    tc->cfg.url = url != NULL ? url : "ws://cs.example/";
    tc->cfg.on_event = on_event;
    tc->cfg.ctx = tc;
    tc->cfg.random = trand;
    tc->cfg.random_ctx = &tc->rr;
    tc->cfg.dom = g_dom;
    tc->cfg.dom_cap = sizeof g_dom;
    tc->tr.open = ft_open;
    tc->tr.read = ft_read;
    tc->tr.write = ft_write;
    tc->tr.wait = ft_wait;
    tc->tr.close = ft_close;
    tc->tr.ctx = &tc->f;
    tc->rr.s = 0x853c49e6748fea9bu;
    tc->now = T0;
    tc->f.now = T0;
    tc->f.rmax = tc->f.wmax = 1;
}

static void
set_scripts(const script *s, int n)
{
    tc->f.sc = s;
    tc->f.nsc = n;
}

static int
start(void)
{
    int r = cs_client_init(&tc->c, &tc->cfg, &tc->tr);
    tc->inited = r == 0;
    return r;
}

static void
teardown(void)
{
    int i;

    if (tc->inited) {
        tc->in_close = 1;
        cs_client_close(&tc->c);
        cs_client_close(&tc->c);   /* a second close is harmless */
        tc->in_close = 0;
    }
    CHECKF(!tc->f.is_open, "transport left open");
    CHECKF(tc->f.opens == tc->f.closes, "%d opens, %d closes", tc->f.opens,
           tc->f.closes);
    CHECKF(tc->f.bad_open_while_open == 0, "%d opens over an open one",
           tc->f.bad_open_while_open);
    CHECKF(tc->f.bad_io_closed == 0, "%d reads/writes while closed",
           tc->f.bad_io_closed);
    CHECKF(tc->f.bad_len == 0, "%d calls with len 0 or > CS_IO_CHUNK",
           tc->f.bad_len);
    for (i = 0; i < tc->f.nconn && i < MAXCONN; i++)
        CHECKF(tc->f.logs[i].bad == 0, "connection %d: client frame flags %#x",
               i, tc->f.logs[i].bad);
    CHECKF(tc->ev_outside == 0, "%d events outside cs_client_step",
           tc->ev_outside);
    CHECKF(tc->ev_lost == 0, "%ld events not recorded", tc->ev_lost);
    b_free(&tc->raw_cur);
    for (i = 0; i < tc->nraw; i++)
        b_free(&tc->raws[i]);
    free(tc);
    tc = NULL;
}

/* ==== the driver ========================================================= */

static const cframe *
last_frame(const conn_log *L, int op)
{
    int i;
    for (i = L->nfr - 1; i >= 0; i--)
        if (L->fr[i].op == op)
            return &L->fr[i];
    return NULL;
}

static void
check_wait(const cs_wait *w)
{
    ft *f = &tc->f;

    if (w->fd != -1 && !(f->is_open && w->fd == 100 + f->nconn - 1)) {
        if (tc->fd_bad++ < 3)
            CHECKF(0, "cs_wait.fd %d, transport's %d", w->fd,
                   f->is_open ? 100 + f->nconn - 1 : -1);
    }
    if (tc->up && f->is_open && !f->close_seen && w->fd == -1) {
        if (tc->fd_bad++ < 3)
            CHECKF(0, "connected but cs_wait.fd is -1 (transport has %d)",
                   100 + f->nconn - 1);
    }
    if (w->fd >= 0 && (w->want & ~(CS_WANT_READ | CS_WANT_WRITE)) != 0)
        CHECKF(0, "cs_wait.want %#x", (unsigned)w->want);
    if (tc->ka_check && tc->up && f->is_open && !f->close_seen) {
        const cframe *p = last_frame(f->cur, CS_WS_OP_PING);
        uint64_t ping = p != NULL ? p->at : tc->t_up;
        uint64_t rx = f->t_rx > tc->t_up ? f->t_rx : tc->t_up;
        if (tc->cfg.ping_interval_ms != 0
            && w->deadline_ms > ping + tc->cfg.ping_interval_ms
            && tc->ka_bad++ < 3)
            CHECKF(0, "deadline +%llu after the next ping (+%llu)",
                   (unsigned long long)(w->deadline_ms - T0),
                   (unsigned long long)(ping + tc->cfg.ping_interval_ms - T0));
        if (tc->cfg.dead_timeout_ms != 0
            && w->deadline_ms > rx + tc->cfg.dead_timeout_ms
            && tc->ka_bad++ < 3)
            CHECKF(0, "deadline +%llu after the dead time (+%llu)",
                   (unsigned long long)(w->deadline_ms - T0),
                   (unsigned long long)(rx + tc->cfg.dead_timeout_ms - T0));
    }
}

/* One step at the current time. Returns what cs_client_step() did; *w is
 * filled (ready to poll on) when it returned 0. */
static int
step1(cs_wait *w)
{
    int r;

    w->fd = -2;
    w->want = 0;
    w->deadline_ms = 0;
    tc->f.now = tc->now;
    tc->in_step = 1;
    r = cs_client_step(&tc->c, tc->now, w);
    tc->in_step = 0;
    tc->steps++;
    if (r == 1) {
        if (!tc->done)
            tc->t_done = tc->now;
        tc->done = 1;
        return 1;
    }
    if (r != 0) {
        CHECKF(0, "cs_client_step returned %d", r);
        tc->done = 1;
        tc->stuck = 1;
        return r;
    }
    if (tc->done)
        CHECKF(0, "cs_client_step returned 0 after it returned 1");
    CHECKF(w->fd != -2, "cs_wait.fd not filled");
    check_wait(w);
    return 0;
}

/* One step at time now (never going back); *w gets the wait. */
static int
step_w(uint64_t now, cs_wait *w)
{
    if (now > tc->now)
        tc->now = now;
    return step1(w);
}

static int
step_at(uint64_t now)
{
    cs_wait w;
    return step_w(now, &w);
}

static int
want_met(void)
{
    return tc->want_type != 0 && tc->cnt[tc->want_type] >= tc->want_count;
}

/* Step as a poll() loop would until the client finishes, `until` passes,
 * or the wanted event count is reached. Returns 1 when finished. */
static int
drive(uint64_t until)
{
    long spin = 0;

    while (!tc->done && !tc->stuck) {
        cs_wait w;
        int ready;
        uint64_t next;

        if (step1(&w) != 0)
            break;
        if (want_met())
            return 0;
        ready = w.fd >= 0
                && (((w.want & CS_WANT_READ) && ft_readable(&tc->f))
                    || ((w.want & CS_WANT_WRITE) && tc->f.is_open
                        && !tc->f.cs->write_block && !tc->f.wblock));
        if (ready)
            continue;           /* poll() would return at once */
        if (tc->now >= until)
            return 0;
        next = w.deadline_ms;
        if (next <= tc->now) {
            if (++spin > 1000) {
                CHECKF(0, "busy loop: deadline %llu <= now %llu, nothing "
                       "to do", (unsigned long long)w.deadline_ms,
                       (unsigned long long)tc->now);
                tc->stuck = 1;
            }
            continue;
        }
        spin = 0;
        tc->now = next < until ? next : until;
    }
    return tc->done && !tc->stuck;
}

/* Drive until count events of type have happened (at most max_ms more
 * fake time). Returns 1 when they did. */
static int
drive_ev(int type, long count, uint64_t max_ms)
{
    tc->want_type = type;
    tc->want_count = count;
    if (!want_met())
        drive(tc->now + max_ms);
    tc->want_type = 0;
    return tc->cnt[type] >= count;
}

/* The n-th (0-based) recorded event of type, or NULL. */
static const rev *
ev_nth(int type, int n)
{
    int i;
    for (i = 0; i < tc->nev; i++)
        if (tc->ev[i].type == type && n-- == 0)
            return &tc->ev[i];
    return NULL;
}

static int
ev_index(const rev *e)
{
    return e == NULL ? -1 : (int)(e - tc->ev);
}

/* The first event of type after index i, or NULL. */
static const rev *
ev_after(int i, int type)
{
    for (i++; i >= 0 && i < tc->nev; i++)
        if (tc->ev[i].type == type)
            return &tc->ev[i];
    return NULL;
}

/* Checks on a request: request line, Host, upgrade headers, a fresh key
 * that came from cfg.random. Copies the key to key[32]. */
static void
check_request(const conn_log *L, const char *path, const char *host,
              char *key)
{
    char v[256], line[1200];
    unsigned char k[32];

    snprintf(line, sizeof line, "GET %s HTTP/1.1\r\n", path);
    CHECKF(L->req_done, "no complete request");
    CHECKF(strncmp(L->req, line, strlen(line)) == 0, "request line: %.80s",
           L->req);
    CHECKF(req_header(L, "Host", v, sizeof v) && strcmp(v, host) == 0,
           "Host: want %s", host);
    CHECKF(req_header(L, "Upgrade", v, sizeof v) && ieqn(v, "websocket", 10),
           "Upgrade");
    CHECKF(req_header(L, "Connection", v, sizeof v) && icontains(v, "upgrade"),
           "Connection");
    CHECKF(req_header(L, "Sec-WebSocket-Version", v, sizeof v)
           && strcmp(v, "13") == 0, "Sec-WebSocket-Version");
    CHECKF(req_header(L, "Sec-WebSocket-Extensions", v, sizeof v) == NULL,
           "offers an extension it cannot decode: %s", v);
    key[0] = 0;
    if (req_header(L, "Sec-WebSocket-Key", v, sizeof v) == NULL) {
        CHECKF(0, "no Sec-WebSocket-Key");
        return;
    }
    snprintf(key, 32, "%s", v);
    CHECKF(b64dec(v, k, sizeof k) == 16, "key %s is not 16 bytes", v);
    CHECKF(b64dec(v, k, sizeof k) == 16 && rng_has(&tc->rr, k, 16),
           "key %s did not come from cfg.random", v);
}

/* The close code a client frame carries (0: none). */
static int
close_code(const cframe *c)
{
    return c != NULL && c->op == CS_WS_OP_CLOSE && c->len >= 2
               ? c->p[0] << 8 | c->p[1] : 0;
}

/* ==== tests ============================================================== */

static void
test_accept_vector(void)
{
    char out[32];
    unsigned char h[20];

    /* RFC 6455 1.3 */
    accept_of("dGhlIHNhbXBsZSBub25jZQ==", out);
    CHECK(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    cs_sha1("abc", 3, h);
    CHECK(memcmp(h, "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50"
                    "\xc2\x6c\x9c\xd0\xd8\x9d", 20) == 0);
}

static void
test_config(void)
{
    cs_config c;
    script s[1];

    memset(&c, 0x5a, sizeof c);
    cs_config_init(&c);
    CHECK(c.parse == 1);
    CHECK(c.raw == 0);
    CHECK(c.reconnect == 1);
    CHECK(c.header_count == 0);
    CHECK(c.max_message == CS_WS_MAX_MESSAGE || c.max_message == 0);
    CHECK(c.ping_interval_ms == 15000);
    CHECK(c.dead_timeout_ms == 45000);
    CHECK(c.connect_timeout_ms == 10000);
    CHECK(c.close_timeout_ms == 2000);
    CHECK(c.backoff_min_ms == 1000);
    CHECK(c.backoff_max_ms == 60000);
    CHECK(c.healthy_ms == 30000);
    CHECK(c.max_redirects == 3);

    memset(s, 0, sizeof s);
    setup("http://cs.example/");
    set_scripts(s, 1);
    CHECK(start() == CS_E_URL);
    teardown();
    setup("wss://cs.example/");
    set_scripts(s, 1);
    CHECK(start() == (CS_HAS_TLS ? 0 : CS_E_NO_TLS));
    teardown();
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.headers[0] = "Not a header";
    tc->cfg.header_count = 1;
    CHECK(start() == CS_E_ARG);
    teardown();
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.headers[0] = "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==";
    tc->cfg.header_count = 1;
    CHECK(start() == CS_E_ARG);
    teardown();
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.header_count = CS_MAX_HEADERS + 1;
    CHECK(start() == CS_E_ARG);
    teardown();

    /* A good config: nothing happens until the first step. */
    setup(NULL);
    set_scripts(s, 1);
    CHECK(start() == 0);
    CHECK(tc->f.opens_called == 0 && tc->nev == 0);
    CHECK(cs_client_stats(&tc->c)->connects == 0);
    teardown();
}

/* Connect, handshake, five messages (one fragmented, one malformed). */
static void
test_session(void)
{
    bytes fr = {0};
    script s[1];
    cs_json ref;
    int ref_err;
    uint64_t ref_off;
    const rev *e;
    const cs_stats *st;
    char key[32];
    static const char url[] = "ws://cs.example:8080/feed?x=1";
    int i;

    s_text(&fr, M_CERT1);
    s_text_split(&fr, M_HB, 3);
    s_text(&fr, M_DNS);
    s_text(&fr, M_BAD);
    s_text(&fr, M_CERT2);
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    cs_json_init(&ref, NULL, 0);
    ref_err = cs_json_parse(&ref, M_BAD, strlen(M_BAD));
    ref_off = cs_json_error_offset(&ref);
    CHECK(ref_err < 0);

    setup(url);
    set_scripts(s, 1);
    tc->cfg.headers[0] = "X-Token: abc";
    tc->cfg.header_count = 1;
    CHECK(start() == 0);
    drive(T0 + 1000);
    CHECK(!tc->done);
    CHECKF(tc->nev == 7, "%d events", tc->nev);
    for (i = 0; i < tc->nev && i < 7; i++)
        CHECKF(tc->ev[i].type == (i == 0   ? CS_EV_CONNECTING
                                  : i == 1 ? CS_EV_CONNECTED
                                           : CS_EV_MESSAGE),
               "event %d is %s", i, evname(tc->ev[i].type));
    e = &tc->ev[0];
    CHECK(e->len == strlen(url) && strcmp(e->text, url) == 0);
    CHECK(tc->ev[0].at == T0 && tc->ev[1].at == T0);
    e = ev_nth(CS_EV_MESSAGE, 0);
    if (e != NULL) {
        CHECK(e->err == 0 && e->has_msg && e->mtype == CS_MSG_CERT);
        CHECK(e->opcode == CS_WS_OP_TEXT);
        CHECK(e->cert_index == 123456789u);
        CHECK(e->ndom == 2 && strcmp(e->doms, "a.example,*.b.example") == 0);
        CHECK(e->seen == 1700000000.25);
        CHECK(strcmp(e->surl, "https://ct.example/2025/") == 0);
        CHECK(strcmp(e->sname, "Example 2025") == 0);
        CHECK(strcmp(e->tname, "certificate_update") == 0);
    }
    e = ev_nth(CS_EV_MESSAGE, 1);
    CHECK(e != NULL && e->err == 0 && e->mtype == CS_MSG_HEARTBEAT
          && e->timestamp == 1700000001.5 && (e->has & CS_F_TIMESTAMP));
    e = ev_nth(CS_EV_MESSAGE, 2);
    CHECK(e != NULL && e->err == 0 && e->mtype == CS_MSG_DNS
          && strcmp(e->doms, "c.example,d.example,e.example") == 0);
    e = ev_nth(CS_EV_MESSAGE, 3);
    CHECK(e != NULL && e->err == ref_err && !e->has_msg);
    CHECK(e != NULL && e->detail == (int64_t)ref_off);
    e = ev_nth(CS_EV_MESSAGE, 4);
    CHECK(e != NULL && e->err == 0 && e->mtype == CS_MSG_CERT
          && e->cert_index == 42 && strcmp(e->doms, "z.example") == 0);

    /* The request and where it went. */
    check_request(&tc->f.logs[0], "/feed?x=1", "cs.example:8080", key);
    {
        char v[64];
        CHECK(req_header(&tc->f.logs[0], "X-Token", v, sizeof v)
              && strcmp(v, "abc") == 0);
    }
    CHECK(strcmp(tc->f.logs[0].host, "cs.example") == 0);
    CHECK(tc->f.logs[0].port == 8080);
    CHECK(strcmp(tc->f.logs[0].path, "/feed?x=1") == 0);
    CHECK(tc->f.opens_called == 1);
    CHECKF(tc->f.logs[0].after_req == 0, "%zu bytes written after the "
           "request with no ping due", tc->f.logs[0].after_req);

    st = cs_client_stats(&tc->c);
    CHECK(st->messages == 5);
    CHECK(st->by_type[CS_MSG_CERT] == 2);
    CHECK(st->by_type[CS_MSG_HEARTBEAT] == 1);
    CHECK(st->by_type[CS_MSG_DNS] == 1);
    CHECK(st->by_type[CS_MSG_NONE] == 0 && st->by_type[CS_MSG_OTHER] == 0);
    CHECK(st->parse_errors == 1);
    CHECK(st->connects == 1 && st->reconnects == 0 && st->failures == 0);
    CHECKF(st->bytes == fr.len, "bytes %llu, frames %zu",
           (unsigned long long)st->bytes, fr.len);
    CHECK(st->protocol_errors == 0 && st->pings_sent == 0);
    teardown();
    b_free(&fr);
}

/* The script of the split test: every kind of frame a server sends. */
static void
matrix_script(bytes *fr, const bytes *big)
{
    static const unsigned char ping2[4] = {0, 0xff, 'p', 0x80};
    s_text(fr, M_CERT1);
    /* heartbeat in 4 frames, a ping and an empty fragment inside */
    s_frame(fr, 0, 0, CS_WS_OP_TEXT, M_HB, 10, 0);
    s_ctl(fr, CS_WS_OP_PING, "ping-1", 6);
    s_frame(fr, 0, 0, CS_WS_OP_CONT, M_HB + 10, 0, 0);
    s_frame(fr, 0, 0, CS_WS_OP_CONT, M_HB + 10, 20, 0);
    s_ctl(fr, CS_WS_OP_PING, ping2, sizeof ping2);
    s_frame(fr, 1, 0, CS_WS_OP_CONT, M_HB + 30, strlen(M_HB) - 30, 0);
    s_ctl(fr, CS_WS_OP_PONG, "unsolicited", 11);
    s_frame(fr, 1, 0, CS_WS_OP_TEXT, big->p, big->len, 0);
    s_text(fr, M_DNS);
    s_text(fr, M_BAD);
    s_text(fr, M_OTHER);
    s_ctl(fr, CS_WS_OP_PING, "", 0);
    s_text_split(fr, M_CERT2, 5);
    s_close(fr, 1000, "done");
}

/* Everything a run produced that must not depend on read sizes. */
static void
digest(bytes *d)
{
    char line[1024];
    const cs_stats *st = cs_client_stats(&tc->c);
    int i, n;

    for (i = 0; i < tc->nev; i++) {
        const rev *e = &tc->ev[i];
        n = snprintf(line, sizeof line, "%s err=%d st=%d", evname(e->type),
                     e->err, e->status);
        b_add(d, line, (size_t)n);
        if (e->type == CS_EV_MESSAGE)
            n = snprintf(line, sizeof line,
                         " op=%d det=%lld t=%d has=%x ci=%llu nd=%zu d=%.200s"
                         " tn=%s", e->opcode, (long long)e->detail, e->mtype,
                         e->has, (unsigned long long)e->cert_index, e->ndom,
                         e->doms, e->tname);
        else if (e->type == CS_EV_RAW)
            n = snprintf(line, sizeof line, " len=%zu h=%08x", e->len,
                         (unsigned)e->hash);
        else if (e->type == CS_EV_RAW_END)
            n = snprintf(line, sizeof line, " op=%d", e->opcode);
        else
            n = snprintf(line, sizeof line, " text=%.200s", e->text);
        b_add(d, line, (size_t)n);
        b_add(d, "\n", 1);
    }
    for (i = 0; i < tc->f.nconn && i < MAXCONN; i++) {
        const conn_log *L = &tc->f.logs[i];
        int k;
        for (k = 0; k < L->nfr; k++) {
            n = snprintf(line, sizeof line, "client %d op=%d len=%zu h=%08x\n",
                         i, L->fr[k].op, L->fr[k].len,
                         (unsigned)fnv(2166136261u, L->fr[k].p, L->fr[k].len));
            b_add(d, line, (size_t)n);
        }
    }
    n = snprintf(line, sizeof line,
                 "stats m=%llu t=%llu/%llu/%llu/%llu/%llu b=%llu pe=%llu "
                 "c=%llu pa=%llu pr=%llu ps=%llu result=%d cs=%d\n",
                 (unsigned long long)st->messages,
                 (unsigned long long)st->by_type[0],
                 (unsigned long long)st->by_type[1],
                 (unsigned long long)st->by_type[2],
                 (unsigned long long)st->by_type[3],
                 (unsigned long long)st->by_type[4],
                 (unsigned long long)st->bytes,
                 (unsigned long long)st->parse_errors,
                 (unsigned long long)st->connects,
                 (unsigned long long)st->pings_answered,
                 (unsigned long long)st->pongs_received,
                 (unsigned long long)st->pings_sent, cs_client_result(&tc->c),
                 cs_client_close_status(&tc->c));
    b_add(d, line, (size_t)n);
    b_add(d, "", 1);            /* NUL-terminated for strstr */
    d->len--;
}

/* One run of the matrix script; appends its digest to d. */
static void
matrix_run(const bytes *fr, int raw, int rmode, size_t rmax, int wmode,
           size_t wmax, int zero, bytes *d)
{
    script s[1];

    memset(s, 0, sizeof s);
    s[0].frames = fr;
    s[0].at_end = 0;
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.reconnect = 0;
    tc->cfg.raw = raw;
    tc->f.rmode = rmode;
    tc->f.rmax = rmax;
    tc->f.wmode = wmode;
    tc->f.wmax = wmax;
    tc->f.zero_pct = zero;
    CHECK(start() == 0);
    drive(T0 + 60000);
    CHECKF(tc->done, "not finished (rmode %d rmax %zu zero %d)", rmode, rmax,
           zero);
    digest(d);
    teardown();
}

/* Where two digests part: the first differing line of each. */
static void
first_diff(const bytes *a, const bytes *b, char *out, size_t cap)
{
    size_t i = 0, la = 0, ea, eb;
    while (i < a->len && i < b->len && a->p[i] == b->p[i]) {
        if (a->p[i] == '\n')
            la = i + 1;
        i++;
    }
    for (ea = la; ea < a->len && a->p[ea] != '\n'; ea++)
        ;
    for (eb = la; eb < b->len && b->p[eb] != '\n'; eb++)
        ;
    snprintf(out, cap, "'%.*s' vs '%.*s'", (int)(ea - la > 300 ? 300 : ea - la),
             (const char *)a->p + la, (int)(eb - la > 300 ? 300 : eb - la),
             (const char *)b->p + la);
}

static void
test_split_matrix(void)
{
    bytes fr = {0}, big = {0}, ref = {0}, d = {0};
    long i, n = scaled(8);
    int raw;
    char why[800];

    make_big(&big, 5000);
    CHECK(big.len > 65536);
    matrix_script(&fr, &big);
    for (raw = 0; raw <= 1; raw++) {
        ref.len = 0;
        matrix_run(&fr, raw, R_WHOLE, 0, R_WHOLE, 0, 0, &ref);
        {
            char want[64];
            snprintf(want, sizeof want, " b=%zu ", fr.len);
            CHECKF(strstr((const char *)ref.p, want) != NULL,
                   "stats.bytes is not the %zu frame bytes received", fr.len);
        }
        CHECK(ref.len > 0
              && strncmp((const char *)ref.p, "CONNECTING", 10) == 0);
        d.len = 0;
        matrix_run(&fr, raw, R_ONE, 1, R_WHOLE, 0, 0, &d);
        first_diff(&ref, &d, why, sizeof why);
        CHECKF(d.len == ref.len && memcmp(d.p, ref.p, d.len) == 0,
               "1-byte reads differ (raw %d): %s", raw, why);
        for (i = 0; i < n; i++) {
            size_t rmax = i % 3 == 0 ? 7 : i % 3 == 1 ? 300 : CS_IO_CHUNK;
            int zero = i % 2 == 0 ? 0 : 35;
            d.len = 0;
            matrix_run(&fr, raw, R_RANDOM, rmax, i % 2 ? R_RANDOM : R_ONE, 5,
                       zero, &d);
            first_diff(&ref, &d, why, sizeof why);
            CHECKF(d.len == ref.len && memcmp(d.p, ref.p, d.len) == 0,
                   "random reads (1..%zu, %d%% zeros, raw %d) differ: %s",
                   rmax, zero, raw, why);
        }
    }
    /* What the reference run must contain. */
    {
        const char *r = (const char *)ref.p;
        CHECK(strstr(r, "ci=9 nd=5000") != NULL);
        CHECK(strstr(r, "DISCONNECTED err=0 st=1000 text=done") != NULL);
        CHECK(strstr(r, "m=7 ") != NULL);
        CHECK(strstr(r, "pa=3 pr=1 ") != NULL);
    }
    b_free(&fr);
    b_free(&big);
    b_free(&ref);
    b_free(&d);
}

/* The 101 and the first frames in one read: nothing may be lost, and no
 * further read may be needed to deliver them. */
static void
test_first_read_bundle(void)
{
    bytes fr = {0};
    script s[1];
    int r;

    for (r = 0; r < 2; r++) {
        fr.len = 0;
        s_text(&fr, M_CERT1);
        s_text(&fr, M_HB);
        if (r == 1)
            s_frame(&fr, 0, 0, CS_WS_OP_TEXT, M_DNS, 5, 0);  /* a part */
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        setup(NULL);
        set_scripts(s, 1);
        CHECK(start() == 0);
        drive(T0 + 5000);
        CHECK(tc->f.data_reads == 1);
        CHECK(tc->cnt[CS_EV_CONNECTED] == 1);
        CHECKF(tc->cnt[CS_EV_MESSAGE] == 2, "%ld messages",
               tc->cnt[CS_EV_MESSAGE]);
        CHECK(ev_nth(CS_EV_MESSAGE, 0) != NULL
              && ev_nth(CS_EV_MESSAGE, 0)->at == T0);
        CHECK(ev_nth(CS_EV_MESSAGE, 1) != NULL
              && ev_nth(CS_EV_MESSAGE, 1)->mtype == CS_MSG_HEARTBEAT);
        if (r == 1) {
            /* the rest of the third message arrives later */
            bytes b = {0};
            s_frame(&b, 1, 0, CS_WS_OP_CONT, M_DNS + 5, strlen(M_DNS) - 5, 0);
            ft_push(&tc->f, &b);
            b_free(&b);
            drive(tc->now + 1000);
            CHECK(tc->cnt[CS_EV_MESSAGE] == 3
                  && ev_nth(CS_EV_MESSAGE, 2)->mtype == CS_MSG_DNS);
        }
        teardown();
    }
    b_free(&fr);
}

/* cfg.raw: slices whose concatenation is the message, then RAW_END. */
static void
test_raw(void)
{
    bytes fr = {0};
    script s[1];
    static const unsigned char bin[6] = {0, 1, 2, 0xff, 0xfe, 0};
    int run;

    /* raw only (parse 0): text, binary, empty text, fragmented text */
    s_text(&fr, M_CERT1);
    s_frame(&fr, 1, 0, CS_WS_OP_BINARY, bin, sizeof bin, 0);
    s_frame(&fr, 1, 0, CS_WS_OP_TEXT, "", 0, 0);
    s_text_split(&fr, M_DNS, 4);
    for (run = 0; run < 3; run++) {
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        setup(NULL);
        set_scripts(s, 1);
        tc->cfg.raw = 1;
        tc->cfg.parse = 0;
        tc->f.rmode = run == 0 ? R_WHOLE : run == 1 ? R_ONE : R_RANDOM;
        tc->f.rmax = 13;
        CHECK(start() == 0);
        drive(T0 + 5000);
        CHECK(tc->cnt[CS_EV_MESSAGE] == 0);
        CHECKF(tc->nraw == 4 && tc->cnt[CS_EV_RAW_END] == 4, "%d raw messages",
               tc->nraw);
        if (tc->nraw == 4) {
            CHECK(tc->raws[0].len == strlen(M_CERT1)
                  && memcmp(tc->raws[0].p, M_CERT1, strlen(M_CERT1)) == 0);
            CHECK(tc->raw_op[0] == CS_WS_OP_TEXT);
            CHECK(tc->raws[1].len == sizeof bin
                  && memcmp(tc->raws[1].p, bin, sizeof bin) == 0);
            CHECK(tc->raw_op[1] == CS_WS_OP_BINARY);
            CHECK(tc->raws[2].len == 0 && tc->raw_op[2] == CS_WS_OP_TEXT);
            CHECK(tc->raws[3].len == strlen(M_DNS)
                  && memcmp(tc->raws[3].p, M_DNS, strlen(M_DNS)) == 0);
        }
        CHECK(cs_client_stats(&tc->c)->messages == 4);
        teardown();
    }

    /* raw and parse: each message gives both */
    fr.len = 0;
    s_text(&fr, M_CERT1);
    s_text_split(&fr, M_HB, 2);
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.raw = 1;
    tc->f.rmode = R_RANDOM;
    tc->f.rmax = 9;
    CHECK(start() == 0);
    drive(T0 + 5000);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 2 && tc->cnt[CS_EV_RAW_END] == 2);
    CHECK(tc->nraw == 2 && tc->raws[1].len == strlen(M_HB)
          && memcmp(tc->raws[1].p, M_HB, strlen(M_HB)) == 0);
    CHECK(ev_nth(CS_EV_MESSAGE, 1) != NULL
          && ev_nth(CS_EV_MESSAGE, 1)->mtype == CS_MSG_HEARTBEAT);
    /* the message's slices come before its RAW_END and the next message */
    CHECK(ev_index(ev_nth(CS_EV_RAW_END, 0)) < ev_index(ev_nth(CS_EV_RAW, 1)));
    teardown();
    b_free(&fr);
}

/* A ping inside a fragmented message is answered at once: the server
 * sends the rest of the message only after it got the pong. */
static void
test_ping_mid_fragment(void)
{
    bytes fr = {0};
    script s[1];
    unsigned char p125[125];
    size_t n1 = 40, n2 = 90, g1, g2;
    int i, run;

    for (i = 0; i < 125; i++)
        p125[i] = (unsigned char)(i * 37 + 11);
    s_frame(&fr, 0, 0, CS_WS_OP_TEXT, M_CERT1, n1, 0);
    s_ctl(&fr, CS_WS_OP_PING, "abc", 3);
    g1 = fr.len;
    s_frame(&fr, 0, 0, CS_WS_OP_CONT, M_CERT1 + n1, n2 - n1, 0);
    s_ctl(&fr, CS_WS_OP_PING, p125, sizeof p125);
    g2 = fr.len;
    s_frame(&fr, 1, 0, CS_WS_OP_CONT, M_CERT1 + n2, strlen(M_CERT1) - n2, 0);
    s_text(&fr, M_HB);
    for (run = 0; run < 3; run++) {
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        s[0].ngate = 2;
        s[0].gate_off[0] = g1;
        s[0].gate_op[0] = CS_WS_OP_PONG;
        s[0].gate_n[0] = 1;
        s[0].gate_off[1] = g2;
        s[0].gate_op[1] = CS_WS_OP_PONG;
        s[0].gate_n[1] = 2;
        setup(NULL);
        set_scripts(s, 1);
        tc->f.rmode = run == 0 ? R_WHOLE : run == 1 ? R_ONE : R_RANDOM;
        tc->f.rmax = 17;
        tc->f.wmode = run == 2 ? R_ONE : R_WHOLE;
        CHECK(start() == 0);
        drive(T0 + 5000);
        {
            const conn_log *L = &tc->f.logs[0];
            const rev *m0 = ev_nth(CS_EV_MESSAGE, 0);
            CHECKF(tc->cnt[CS_EV_MESSAGE] == 2, "run %d: %ld messages (the "
                   "pong never came?)", run, tc->cnt[CS_EV_MESSAGE]);
            CHECK(m0 != NULL && m0->err == 0 && m0->cert_index == 123456789u);
            CHECK(L->nfr == 2);
            CHECK(L->nfr >= 1 && L->fr[0].op == CS_WS_OP_PONG
                  && L->fr[0].len == 3 && memcmp(L->fr[0].p, "abc", 3) == 0);
            CHECK(L->nfr >= 2 && L->fr[1].op == CS_WS_OP_PONG
                  && L->fr[1].len == 125
                  && memcmp(L->fr[1].p, p125, 125) == 0);
            /* each pong before the bytes after its ping */
            CHECK(L->nfr >= 2 && L->fr[0].served <= g1 && L->fr[1].served <= g2);
            CHECK(m0 != NULL && L->nfr >= 2 && m0->served > L->fr[1].served);
            CHECK(cs_client_stats(&tc->c)->pings_answered == 2);
        }
        teardown();
    }
    b_free(&fr);
}

/* ping_interval_ms: a ping every 15 s of silence; dead_timeout_ms: with
 * nothing received for 45 s the connection ends (CS_E_DEAD), then RETRY. */
static void
test_keepalive_dead(void)
{
    script s[2];
    uint64_t tu;
    const rev *e;
    const conn_log *L;

    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 2);
    tc->ka_check = 1;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    tu = tc->t_up;
    L = &tc->f.logs[0];
    drive(tu + 15000 - 1);
    CHECKF(cf_count(L, CS_WS_OP_PING) == 0, "a ping before 15 s");
    drive(tu + 15000);
    CHECKF(cf_count(L, CS_WS_OP_PING) == 1, "no ping at 15 s");
    CHECK(L->nfr >= 1 && L->fr[0].at == tu + 15000);
    CHECK(drive_ev(CS_EV_DISCONNECTED, 1, 60000));
    e = ev_nth(CS_EV_DISCONNECTED, 0);
    if (e != NULL) {
        CHECKF(e->err == CS_E_DEAD, "err %d", e->err);
        CHECKF(e->at >= tu + 45000 && e->at <= tu + 45001, "dead at +%llu",
               (unsigned long long)(e->at - tu));
    }
    CHECK(L->nfr >= 2 && L->fr[1].op == CS_WS_OP_PING
          && L->fr[1].at == tu + 30000);
    CHECK(cs_client_stats(&tc->c)->pings_sent
          == (uint64_t)cf_count(L, CS_WS_OP_PING));
    CHECK(cs_client_stats(&tc->c)->pongs_received == 0);
    CHECK(drive_ev(CS_EV_RETRY, 1, 5000));
    CHECK(L->closed);
    e = ev_nth(CS_EV_RETRY, 0);
    CHECK(e != NULL && e->delay >= 500 && e->delay <= 1500);
    teardown();

    /* reconnect 0: the client finishes with CS_E_DEAD */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.reconnect = 0;
    CHECK(start() == 0);
    CHECK(drive(T0 + 100000));
    CHECK(tc->t_done <= T0 + 45000 + tc->cfg.close_timeout_ms + 1);
    CHECK(cs_client_result(&tc->c) == CS_E_DEAD);
    CHECK(cs_client_close_status(&tc->c) == 1006
          || cs_ws_status_valid(cs_client_close_status(&tc->c)));
    CHECK(tc->cnt[CS_EV_RETRY] == 0 && tc->f.opens_called == 1);
    teardown();

    /* no pings: the dead timer alone, on its own deadline; a byte now
     * and then (a pong nobody asked for) moves it */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 2);
    tc->cfg.ping_interval_ms = 0;
    tc->cfg.dead_timeout_ms = 20000;
    tc->ka_check = 1;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    tu = tc->t_up;
    drive(tu + 12000);
    {
        bytes b = {0};
        s_ctl(&b, CS_WS_OP_PONG, "", 0);
        ft_push(&tc->f, &b);
        b_free(&b);
    }
    CHECK(drive_ev(CS_EV_DISCONNECTED, 1, 60000));
    e = ev_nth(CS_EV_DISCONNECTED, 0);
    CHECKF(e != NULL && e->err == CS_E_DEAD && e->at == tu + 32000,
           "dead at +%llu", e ? (unsigned long long)(e->at - tu) : 0ull);
    CHECK(tc->f.logs[0].nfr == 0);
    teardown();
}

/* Pongs, or any bytes, keep the connection alive. */
static void
test_keepalive_alive(void)
{
    script s[1];
    const conn_log *L;
    int k;

    /* the server answers pings */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->ka_check = 1;
    tc->f.auto_pong = 1;
    CHECK(start() == 0);
    drive(T0 + 200000);
    L = &tc->f.logs[0];
    CHECK(tc->cnt[CS_EV_DISCONNECTED] == 0 && tc->f.opens_called == 1);
    CHECKF(cf_count(L, CS_WS_OP_PING) == 13, "%d pings in 200 s",
           cf_count(L, CS_WS_OP_PING));
    for (k = 0; k < L->nfr; k++)
        CHECKF(L->fr[k].op == CS_WS_OP_PING
               && L->fr[k].at == tc->t_up + 15000 * (uint64_t)(k + 1),
               "frame %d op %d at +%llu", k, L->fr[k].op,
               (unsigned long long)(L->fr[k].at - tc->t_up));
    CHECK(cs_client_stats(&tc->c)->pings_sent == 13);
    CHECK(cs_client_stats(&tc->c)->pongs_received == 13);
    teardown();

    /* the server never answers pings but sends a heartbeat every 10 s */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->ka_check = 1;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    for (k = 1; k <= 20; k++) {
        bytes b = {0};
        drive(tc->t_up + 10000 * (uint64_t)k);
        s_text(&b, M_HB);
        ft_push(&tc->f, &b);
        b_free(&b);
    }
    drive(tc->now + 1000);
    CHECK(tc->cnt[CS_EV_DISCONNECTED] == 0 && tc->f.opens_called == 1);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 20);
    CHECK(cs_client_stats(&tc->c)->pings_sent >= 10);
    teardown();

    /* ping_interval_ms 0: never a ping; dead_timeout_ms 0: never dead */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.ping_interval_ms = 0;
    tc->cfg.dead_timeout_ms = 0;
    CHECK(start() == 0);
    drive(T0 + 300000);
    CHECK(tc->f.logs[0].nfr == 0 && tc->cnt[CS_EV_DISCONNECTED] == 0);
    CHECK(tc->cnt[CS_EV_CONNECTED] == 1 && tc->f.opens_called == 1);
    teardown();

    /* pings on, dead off: a silent server is pinged forever */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->cfg.dead_timeout_ms = 0;
    tc->cfg.ping_interval_ms = 20000;
    tc->ka_check = 1;
    CHECK(start() == 0);
    drive(T0 + 300000);
    CHECK(tc->cnt[CS_EV_DISCONNECTED] == 0);
    CHECKF(cf_count(&tc->f.logs[0], CS_WS_OP_PING) == 15, "%d pings",
           cf_count(&tc->f.logs[0], CS_WS_OP_PING));
    teardown();
}

/* EOF without a close frame: DISCONNECTED 1006, RETRY ~1 s, no open
 * before then, a new connection with a new key. */
static void
test_reconnect_eof(void)
{
    bytes f0 = {0}, f1 = {0};
    script s[2];
    const rev *d, *r;
    uint64_t due;
    char k0[32], k1[32];

    s_text(&f0, M_CERT1);
    s_text(&f1, M_HB);
    memset(s, 0, sizeof s);
    s[0].frames = &f0;
    s[0].at_end = CS_E_CLOSED;
    s[1].frames = &f1;
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_RETRY, 1, 5000));
    d = ev_nth(CS_EV_DISCONNECTED, 0);
    r = ev_nth(CS_EV_RETRY, 0);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 1);
    CHECK(d != NULL && d->err == CS_E_CLOSED && d->status == 1006);
    CHECK(r != NULL && ev_after(ev_index(d), CS_EV_RETRY) == r);
    CHECK(tc->f.logs[0].closed);
    CHECK(tc->f.logs[0].nfr == 0);
    if (r != NULL) {
        CHECKF(r->delay >= 500 && r->delay <= 1500, "delay %llu",
               (unsigned long long)r->delay);
        due = r->at + r->delay;
        step_at(r->at + r->delay / 2);
        CHECK(tc->f.opens_called == 1);
        step_at(due - 1);
        CHECKF(tc->f.opens_called == 1, "opened before the retry time");
        step_at(due);
        CHECKF(tc->f.opens_called == 2, "no open at the retry time");
        CHECK(tc->f.logs[1].t_open == due);
        CHECK(tc->cnt[CS_EV_CONNECTING] == 2);
    }
    drive(tc->now + 1000);
    CHECK(tc->cnt[CS_EV_CONNECTED] == 2 && tc->cnt[CS_EV_MESSAGE] == 2);
    CHECK(ev_nth(CS_EV_MESSAGE, 1) != NULL
          && ev_nth(CS_EV_MESSAGE, 1)->mtype == CS_MSG_HEARTBEAT);
    check_request(&tc->f.logs[0], "/", "cs.example", k0);
    check_request(&tc->f.logs[1], "/", "cs.example", k1);
    CHECKF(strcmp(k0, k1) != 0, "the same key twice: %s", k0);
    CHECK(cs_client_stats(&tc->c)->reconnects == 1);
    CHECK(cs_client_stats(&tc->c)->connects == 2);
    teardown();

    /* The same with the deadline-driven loop only. */
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 2, 5000));
    r = ev_nth(CS_EV_RETRY, 0);
    CHECK(r != NULL && tc->f.logs[1].t_open == r->at + r->delay);
    teardown();
    b_free(&f0);
    b_free(&f1);
}

/* Consecutive failures double the delay up to backoff_max_ms. */
static void
test_backoff(void)
{
    script s[13];
    int k, nfail = 12;

    memset(s, 0, sizeof s);
    for (k = 0; k < nfail; k++)
        s[k].open_err = CS_E_CONNECT;
    setup(NULL);
    set_scripts(s, 13);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 20 * 60000));
    CHECK(tc->cnt[CS_EV_FAILED] == nfail && tc->cnt[CS_EV_RETRY] == nfail);
    for (k = 0; k < nfail; k++) {
        const rev *f = ev_nth(CS_EV_FAILED, k), *r = ev_nth(CS_EV_RETRY, k);
        uint64_t nom = (uint64_t)1000 << k;
        if (nom > 60000)
            nom = 60000;
        if (f == NULL || r == NULL)
            break;
        CHECKF(f->err == CS_E_CONNECT, "attempt %d: err %d", k, f->err);
        CHECKF(r->delay >= nom / 2 && r->delay <= nom * 3 / 2
               && r->delay <= 60000, "retry %d: delay %llu, nominal %llu", k,
               (unsigned long long)r->delay, (unsigned long long)nom);
        CHECKF(tc->f.logs[k + 1].t_open == r->at + r->delay,
               "attempt %d at +%llu, due +%llu", k + 1,
               (unsigned long long)(tc->f.logs[k + 1].t_open - T0),
               (unsigned long long)(r->at + r->delay - T0));
    }
    CHECK(cs_client_stats(&tc->c)->failures == (uint64_t)nfail);
    CHECK(cs_client_stats(&tc->c)->reconnects == (uint64_t)nfail);
    CHECK(cs_client_stats(&tc->c)->connects == 1);
    teardown();

    /* small bounds: the cap holds */
    memset(s, 0, sizeof s);
    for (k = 0; k < 8; k++)
        s[k].open_err = CS_E_DNS;
    setup(NULL);
    set_scripts(s, 9);
    tc->cfg.backoff_min_ms = 100;
    tc->cfg.backoff_max_ms = 400;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
    for (k = 0; k < 8; k++) {
        const rev *r = ev_nth(CS_EV_RETRY, k);
        uint64_t nom = k == 0 ? 100 : k == 1 ? 200 : 400;
        CHECKF(r != NULL && r->delay >= nom / 2 && r->delay <= 400,
               "retry %d: delay %llu", k,
               r ? (unsigned long long)r->delay : 0ull);
    }
    CHECK(ev_nth(CS_EV_FAILED, 0) != NULL
          && ev_nth(CS_EV_FAILED, 0)->err == CS_E_DNS);
    teardown();
}

/* The fake server closes the TCP connection now (EOF after what it has
 * already queued). */
static void
ft_eof(void)
{
    tc->f.at_end = CS_E_CLOSED;
}

/* A connection up healthy_ms resets the delay; a short one does not. */
static void
test_healthy_reset(void)
{
    script s[8];
    const rev *r;
    int k;

    memset(s, 0, sizeof s);
    for (k = 0; k < 4; k++)
        s[k].open_err = CS_E_CONNECT;
    setup(NULL);
    set_scripts(s, 8);
    tc->f.auto_pong = 1;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 10 * 60000));
    r = ev_nth(CS_EV_RETRY, 3);
    CHECKF(r != NULL && r->delay >= 4000, "4th delay %llu",
           r ? (unsigned long long)r->delay : 0ull);
    drive(tc->t_up + 31000);
    ft_eof();
    CHECK(drive_ev(CS_EV_RETRY, 5, 5000));
    r = ev_nth(CS_EV_RETRY, 4);
    CHECKF(r != NULL && r->delay >= 500 && r->delay <= 1500,
           "after a healthy connection: delay %llu",
           r ? (unsigned long long)r->delay : 0ull);
    /* two short connections: the delay grows again */
    CHECK(drive_ev(CS_EV_CONNECTED, 2, 10000));
    drive(tc->t_up + 5000);
    ft_eof();
    CHECK(drive_ev(CS_EV_RETRY, 6, 5000));
    r = ev_nth(CS_EV_RETRY, 5);
    CHECKF(r != NULL && r->delay >= 1000 && r->delay <= 3000,
           "after a 5 s connection: delay %llu",
           r ? (unsigned long long)r->delay : 0ull);
    CHECK(drive_ev(CS_EV_CONNECTED, 3, 10000));
    drive(tc->t_up + 5000);
    ft_eof();
    CHECK(drive_ev(CS_EV_RETRY, 7, 5000));
    r = ev_nth(CS_EV_RETRY, 6);
    CHECKF(r != NULL && r->delay >= 2000 && r->delay <= 6000,
           "after a second 5 s connection: delay %llu",
           r ? (unsigned long long)r->delay : 0ull);
    CHECK(cs_client_stats(&tc->c)->reconnects == 6);   /* 7 attempts */
    teardown();
}

/* cfg.reconnect 0: step returns 1 after the one connection; the result
 * says why. */
static void
test_no_reconnect(void)
{
    static const struct {
        int kind;            /* 0 EOF, 1 close 1001, 2 close 1000,
                                3 404, 4 open fails */
        int at_end, result, close_status;
    } v[] = {
        {0, CS_E_CLOSED, CS_E_CLOSED, 1006},
        {1, 0, CS_E_WS_CLOSED_BY_PEER, 1001},
        {1, CS_E_CLOSED, CS_E_WS_CLOSED_BY_PEER, 1001},
        {2, 0, 0, 1000},
        {2, CS_E_CLOSED, 0, 1000},
        {3, 0, CS_E_HS_STATUS, 1006},
        {4, 0, CS_E_DNS, 1006},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        bytes fr = {0};
        script s[1];
        const rev *d;

        memset(s, 0, sizeof s);
        s_text(&fr, M_CERT1);
        if (v[i].kind == 1)
            s_close(&fr, 1001, "going away");
        if (v[i].kind == 2)
            s_close(&fr, 1000, "");
        s[0].frames = &fr;
        s[0].at_end = v[i].at_end;
        if (v[i].kind == 3) {
            s[0].hs = HS_RAW;
            s[0].resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
            s[0].frames = NULL;
        }
        if (v[i].kind == 4)
            s[0].open_err = CS_E_DNS;
        setup(NULL);
        set_scripts(s, 1);
        tc->cfg.reconnect = 0;
        CHECK(start() == 0);
        CHECKF(drive(T0 + 60000), "case %zu: not finished", i);
        CHECKF(tc->t_done <= T0 + tc->cfg.close_timeout_ms + 1,
               "case %zu: finished at +%llu", i,
               (unsigned long long)(tc->t_done - T0));
        CHECKF(cs_client_result(&tc->c) == v[i].result, "case %zu: result %d",
               i, cs_client_result(&tc->c));
        CHECKF(cs_client_close_status(&tc->c) == v[i].close_status,
               "case %zu: close status %d", i, cs_client_close_status(&tc->c));
        CHECK(tc->cnt[CS_EV_RETRY] == 0);
        CHECK(tc->f.opens_called == 1);
        CHECK(!tc->f.is_open);
        d = ev_nth(CS_EV_DISCONNECTED, 0);
        if (v[i].kind <= 2) {
            CHECKF(d != NULL && d->status == v[i].close_status,
                   "case %zu: DISCONNECTED status %d", i, d ? d->status : -1);
            CHECK(tc->cnt[CS_EV_MESSAGE] == 1);
        } else {
            CHECK(d == NULL && tc->cnt[CS_EV_FAILED] == 1);
        }
        if (v[i].kind == 0)
            CHECK(d != NULL && d->err == CS_E_CLOSED);
        if (v[i].kind == 2)
            CHECK(d != NULL && d->err == 0);
        /* finished stays finished */
        CHECK(step_at(tc->now + 100000) == 1);
        CHECK(tc->f.opens_called == 1);
        teardown();
        b_free(&fr);
    }
}

/* The server's close: answered with a close echoing the code (1000 for an
 * empty one), then the transport is closed; nothing after it counts. */
static void
test_server_close(void)
{
    static const struct {
        int code;
        const char *reason;
        int echo, at_end;
    } v[] = {
        {1000, "bye", 1000, 0},
        {1000, "bye", 1000, CS_E_CLOSED},
        {0, "", 1000, 0},
        {1001, "restarting", 1001, 0},
        {4321, "app", 4321, CS_E_CLOSED},
    };
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        bytes fr = {0};
        script s[2];
        const rev *d;
        const conn_log *L;

        s_text(&fr, M_CERT1);
        s_close(&fr, v[i].code, v[i].reason);
        s_ctl(&fr, CS_WS_OP_PING, "late", 4);
        s_text(&fr, M_HB);
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        s[0].at_end = v[i].at_end;
        setup(NULL);
        set_scripts(s, 2);
        CHECK(start() == 0);
        CHECK(drive_ev(CS_EV_RETRY, 1, 10000));
        L = &tc->f.logs[0];
        d = ev_nth(CS_EV_DISCONNECTED, 0);
        CHECKF(L->nfr == 1, "case %zu: %d client frames", i, L->nfr);
        CHECKF(L->nfr >= 1 && close_code(&L->fr[0]) == v[i].echo,
               "case %zu: echo %d", i, L->nfr ? close_code(&L->fr[0]) : -1);
        CHECK(cf_count(L, CS_WS_OP_PONG) == 0);
        CHECK(tc->cnt[CS_EV_MESSAGE] == 1);
        CHECK(L->closed && L->nfr >= 1
              && L->t_close <= L->fr[0].at + tc->cfg.close_timeout_ms);
        if (d != NULL) {
            if (v[i].code == 1000)
                CHECKF(d->err == 0, "case %zu: err %d", i, d->err);
            if (v[i].code != 0) {
                CHECKF(d->status == v[i].code, "case %zu: status %d", i,
                       d->status);
                CHECKF(strcmp(d->text, v[i].reason) == 0
                       && d->len == strlen(v[i].reason),
                       "case %zu: reason '%s'", i, d->text);
            }
        } else {
            CHECK(d != NULL);
        }
        teardown();
        b_free(&fr);
    }
}

/* Protocol errors: a close with 1002 / 1007 / 1009, then the transport
 * is closed; stats.protocol_errors counts them. */
static void
test_protocol_errors(void)
{
    static const unsigned char nonmin[] = {0x81, 0x7e, 0x00, 0x05, '"', 'a',
                                           'b', 'c', '"'};
    static const unsigned char len64[] = {0x81, 0x7f, 0x80, 0, 0, 0, 0, 0,
                                          0, 5, '"', 'a', 'b', 'c', '"'};
    static const unsigned char close1[] = {0x88, 0x01, 0x03};
    enum { RSV, OPC, MASKED, CTLLEN, CTLFRAG, CONT, NESTED, UTF8, CLEN,
           CSTATUS, CUTF8, NONMIN, LEN64, TOOBIG, NCASE };
    static const struct {
        int err, code;
    } v[NCASE] = {
        {CS_E_WS_RSV, 1002},          {CS_E_WS_OPCODE, 1002},
        {CS_E_WS_MASKED, 1002},       {CS_E_WS_CTL_LEN, 1002},
        {CS_E_WS_CTL_FRAG, 1002},     {CS_E_WS_CONT, 1002},
        {CS_E_WS_NESTED, 1002},       {CS_E_WS_UTF8, 1007},
        {CS_E_WS_CLOSE_LEN, 1002},    {CS_E_WS_CLOSE_STATUS, 1002},
        {CS_E_WS_CLOSE_UTF8, 1007},   {CS_E_WS_LEN_MINIMAL, 1002},
        {CS_E_WS_LEN64, 1002},        {CS_E_WS_TOO_BIG, 1009},
    };
    int i;
    bytes ok = {0};

    s_text(&ok, M_CERT1);
    s_text(&ok, M_HB);
    for (i = 0; i < NCASE; i++) {
        bytes fr = {0}, big = {0};
        script s[2];
        const rev *d;
        const conn_log *L;
        unsigned char p[200];

        memset(p, 'x', sizeof p);
        s_text(&fr, M_CERT1);
        switch (i) {
        case RSV:
            s_frame(&fr, 1, 4, CS_WS_OP_TEXT, M_HB, strlen(M_HB), 0);
            break;
        case OPC:
            s_frame(&fr, 1, 0, 3, "x", 1, 0);
            break;
        case MASKED:
            s_frame(&fr, 1, 0, CS_WS_OP_TEXT, M_HB, strlen(M_HB), 1);
            break;
        case CTLLEN:
            s_ctl(&fr, CS_WS_OP_PING, p, 126);
            break;
        case CTLFRAG:
            s_frame(&fr, 0, 0, CS_WS_OP_PING, "x", 1, 0);
            break;
        case CONT:
            s_frame(&fr, 1, 0, CS_WS_OP_CONT, M_HB, strlen(M_HB), 0);
            break;
        case NESTED:
            s_frame(&fr, 0, 0, CS_WS_OP_TEXT, M_HB, 5, 0);
            s_text(&fr, M_HB);
            break;
        case UTF8:
            s_text(&fr, "{\"message_type\":\"\xc3\x28\"}");
            break;
        case CLEN:
            b_add(&fr, close1, sizeof close1);
            break;
        case CSTATUS:
            s_close(&fr, 1005, "");
            break;
        case CUTF8:
            s_close(&fr, 1000, "\xff");
            break;
        case NONMIN:
            b_add(&fr, nonmin, sizeof nonmin);
            break;
        case LEN64:
            b_add(&fr, len64, sizeof len64);
            break;
        case TOOBIG:
            make_big(&big, 100);
            s_text(&fr, (const char *)big.p);
            break;
        }
        s_text(&fr, M_HB);
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        s[1].frames = &ok;
        setup(NULL);
        set_scripts(s, 2);
        if (i == TOOBIG)
            tc->cfg.max_message = 1000;
        CHECK(start() == 0);
        CHECKF(drive_ev(CS_EV_RETRY, 1, 10000), "case %d: no retry", i);
        L = &tc->f.logs[0];
        d = ev_nth(CS_EV_DISCONNECTED, 0);
        CHECKF(tc->cnt[CS_EV_MESSAGE] == 1, "case %d: %ld messages", i,
               tc->cnt[CS_EV_MESSAGE]);
        CHECKF(d != NULL && d->err == v[i].err, "case %d: err %d, want %d", i,
               d ? d->err : 1, v[i].err);
        CHECKF(d != NULL && d->status == v[i].code, "case %d: status %d", i,
               d ? d->status : -1);
        CHECKF(L->nfr == 1 && close_code(&L->fr[0]) == v[i].code,
               "case %d: %d frames, close %d", i, L->nfr,
               L->nfr ? close_code(&L->fr[0]) : -1);
        CHECK(L->closed && L->nfr >= 1
              && L->t_close <= L->fr[0].at + tc->cfg.close_timeout_ms);
        CHECK(cs_client_stats(&tc->c)->protocol_errors == 1);
        /* the next connection runs normally */
        CHECK(drive_ev(CS_EV_MESSAGE, 3, 5000));
        teardown();
        b_free(&fr);
        b_free(&big);
    }
    b_free(&ok);

    /* counted across connections, and with reconnect 0 the result */
    {
        bytes fr = {0};
        script s[1];
        s_frame(&fr, 1, 2, CS_WS_OP_TEXT, "{}", 2, 0);
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        setup(NULL);
        set_scripts(s, 1);
        CHECK(start() == 0);
        CHECK(drive_ev(CS_EV_RETRY, 3, 60000));
        CHECK(cs_client_stats(&tc->c)->protocol_errors == 3);
        teardown();
        setup(NULL);
        set_scripts(s, 1);
        tc->cfg.reconnect = 0;
        CHECK(start() == 0);
        CHECK(drive(T0 + 10000));
        CHECK(cs_client_result(&tc->c) == CS_E_WS_RSV);
        CHECK(cs_client_close_status(&tc->c) == 1002);
        teardown();
        b_free(&fr);
    }
}

/* Handshake failures: status, Retry-After, redirects, timeouts. */
static void
test_handshake_failures(void)
{
    script s[6];
    const rev *e, *r;
    int i;

    /* 404 (with a body): FAILED, no websocket frame, then a retry */
    memset(s, 0, sizeof s);
    s[0].hs = HS_RAW;
    s[0].resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 5000));
    e = ev_nth(CS_EV_FAILED, 0);
    r = ev_nth(CS_EV_RETRY, 0);
    CHECK(e != NULL && e->status == 404 && e->err == CS_E_HS_STATUS);
    CHECK(tc->f.logs[0].after_req == 0 && tc->f.logs[0].closed);
    CHECK(r != NULL && r->delay >= 500 && r->delay <= 1500);
    CHECK(cs_client_stats(&tc->c)->failures == 1);
    CHECK(cs_client_stats(&tc->c)->connects == 1);
    teardown();

    /* 503 with Retry-After: 30 */
    memset(s, 0, sizeof s);
    s[0].hs = HS_RAW;
    s[0].resp = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\n"
                "Content-Length: 0\r\n\r\n";
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_RETRY, 1, 5000));
    e = ev_nth(CS_EV_FAILED, 0);
    r = ev_nth(CS_EV_RETRY, 0);
    CHECK(e != NULL && e->status == 503 && e->err == CS_E_HS_STATUS);
    CHECKF(r != NULL && r->delay >= 30000, "delay %llu",
           r ? (unsigned long long)r->delay : 0ull);
    if (r != NULL) {
        step_at(r->at + 29999);
        CHECK(tc->f.opens_called == 1);
    }
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 120000));
    CHECK(r != NULL && tc->f.logs[1].t_open >= r->at + 30000);
    teardown();

    /* 302 to a path, then 301 to another host: followed at once */
    memset(s, 0, sizeof s);
    s[0].hs = HS_RAW;
    s[0].resp = "HTTP/1.1 302 Found\r\nLocation: /other?y=2\r\n"
                "Content-Length: 0\r\n\r\n";
    s[1].hs = HS_RAW;
    s[1].resp = "HTTP/1.1 301 Moved Permanently\r\n"
                "Location: ws://mirror.example:9000/x\r\n\r\n";
    setup("ws://cs.example/feed");
    set_scripts(s, 3);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 5000));
    CHECK(tc->cnt[CS_EV_REDIRECT] == 2 && tc->cnt[CS_EV_RETRY] == 0);
    CHECK(tc->cnt[CS_EV_CONNECTING] == 3 && tc->f.opens_called == 3);
    e = ev_nth(CS_EV_REDIRECT, 0);
    CHECK(e != NULL && strstr(e->text, "/other?y=2") != NULL);
    e = ev_nth(CS_EV_REDIRECT, 1);
    CHECK(e != NULL && strstr(e->text, "mirror.example") != NULL);
    {
        char k[32];
        check_request(&tc->f.logs[0], "/feed", "cs.example", k);
        check_request(&tc->f.logs[1], "/other?y=2", "cs.example", k);
        check_request(&tc->f.logs[2], "/x", "mirror.example:9000", k);
    }
    CHECK(strcmp(tc->f.logs[1].path, "/other?y=2") == 0);
    CHECK(strcmp(tc->f.logs[2].host, "mirror.example") == 0
          && tc->f.logs[2].port == 9000);
    CHECK(tc->f.logs[1].t_open == T0 && tc->f.logs[2].t_open == T0);
    CHECK(tc->f.logs[0].closed && tc->f.logs[1].closed);
    CHECK(tc->f.logs[0].after_req == 0 && tc->f.logs[1].after_req == 0);
    e = ev_nth(CS_EV_CONNECTING, 1);
    CHECK(e != NULL && strstr(e->text, "/other?y=2") != NULL);
    teardown();

    /* more than max_redirects redirects */
    memset(s, 0, sizeof s);
    for (i = 0; i < 5; i++) {
        s[i].hs = HS_RAW;
        s[i].resp = "HTTP/1.1 307 Temporary Redirect\r\nLocation: /loop\r\n\r\n";
    }
    setup(NULL);
    set_scripts(s, 6);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_RETRY, 1, 5000));
    CHECK(tc->cnt[CS_EV_REDIRECT] == 3 && tc->f.opens_called == 4);
    e = ev_nth(CS_EV_FAILED, 0);
    CHECK(e != NULL && e->err == CS_E_HS_REDIRECTS);
    CHECK(tc->cnt[CS_EV_FAILED] == 1);
    teardown();

    /* no answer at all: CS_E_TIMEOUT after connect_timeout_ms; the same
     * when the connect itself never completes */
    for (i = 0; i < 2; i++) {
        memset(s, 0, sizeof s);
        if (i == 0)
            s[0].hs = HS_NONE;
        else
            s[0].write_block = 1;
        setup(NULL);
        set_scripts(s, 2);
        tc->cfg.connect_timeout_ms = 3000;
        CHECK(start() == 0);
        CHECK(drive_ev(CS_EV_FAILED, 1, 20000));
        e = ev_nth(CS_EV_FAILED, 0);
        CHECK(e != NULL && e->err == CS_E_TIMEOUT);
        CHECKF(e != NULL && e->at >= T0 + 3000 && e->at <= T0 + 3001,
               "timeout at +%llu", e ? (unsigned long long)(e->at - T0) : 0);
        CHECK(tc->f.logs[0].closed && tc->f.logs[0].after_req == 0);
        CHECK(drive_ev(CS_EV_CONNECTED, 1, 5000));
        teardown();
    }

    /* wrong accept; EOF inside the response; not HTTP; no Upgrade */
    {
        static const struct {
            int hs, at_end;
            const char *resp;
            int err;
        } v[] = {
            {HS_BAD_ACCEPT, 0, NULL, CS_E_HS_ACCEPT},
            {HS_RAW, CS_E_CLOSED, "HTTP/1.1 101 Switching", CS_E_CLOSED},
            {HS_RAW, 0, "SSH-2.0-OpenSSH_9.6\r\n\r\n", CS_E_HS_SYNTAX},
            {HS_NO_UPGRADE, 0, NULL, CS_E_HS_UPGRADE},
        };
        size_t k;
        bytes fr = {0};
        s_text(&fr, M_HB);
        for (k = 0; k < sizeof v / sizeof v[0]; k++) {
            memset(s, 0, sizeof s);
            s[0].hs = v[k].hs;
            s[0].resp = v[k].resp;
            s[0].at_end = v[k].at_end;
            s[0].frames = v[k].at_end == 0 ? &fr : NULL;
            setup(NULL);
            set_scripts(s, 2);
            CHECK(start() == 0);
            CHECK(drive_ev(CS_EV_CONNECTED, 1, 5000));
            e = ev_nth(CS_EV_FAILED, 0);
            CHECKF(e != NULL && e->err == v[k].err, "case %zu: err %d", k,
                   e ? e->err : 1);
            CHECK(tc->cnt[CS_EV_MESSAGE] == 0 || ev_nth(CS_EV_MESSAGE, 0)->conn
                  == 1);
            CHECK(tc->f.logs[0].after_req == 0 && tc->f.logs[0].closed);
            teardown();
        }
        b_free(&fr);
    }
}

/* cs_client_stop(): close 1000, wait for the server's close up to
 * close_timeout_ms, close the transport, finish with result 0. */
static void
test_stop(void)
{
    bytes fr = {0};
    script s[2];
    const conn_log *L;
    const rev *d;
    int k;

    s_text(&fr, M_CERT1);
    s_text(&fr, M_HB);

    /* from inside on_event; the server answers the close */
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    setup(NULL);
    set_scripts(s, 2);
    tc->f.auto_close = 1;
    tc->stop_on = CS_EV_MESSAGE;
    tc->stop_nth = 1;
    CHECK(start() == 0);
    CHECK(drive(T0 + 60000));
    L = &tc->f.logs[0];
    CHECK(tc->t_done <= T0 + 10);
    CHECK(cs_client_result(&tc->c) == 0);
    CHECK(cs_client_close_status(&tc->c) == 1000);
    CHECK(L->nfr == 1 && close_code(&L->fr[0]) == 1000);
    CHECK(L->closed && !tc->f.is_open && tc->f.opens_called == 1);
    d = ev_nth(CS_EV_DISCONNECTED, 0);
    CHECK(d != NULL && d->err == 0 && d->status == 1000);
    CHECK(tc->cnt[CS_EV_RETRY] == 0);
    teardown();

    /* between steps; the server never answers */
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    drive(T0 + 5000);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 2);
    cs_client_stop(&tc->c);
    tc->t_stop = tc->now;
    CHECK(drive(T0 + 60000));
    L = &tc->f.logs[0];
    CHECKF(tc->t_done >= tc->t_stop + 2000 && tc->t_done <= tc->t_stop + 2001,
           "finished %llu ms after stop",
           (unsigned long long)(tc->t_done - tc->t_stop));
    CHECK(L->nfr == 1 && close_code(&L->fr[0]) == 1000
          && L->fr[0].at == tc->t_stop);
    CHECK(L->closed && L->t_close <= tc->t_done);
    CHECK(cs_client_result(&tc->c) == 0);
    CHECK(tc->cnt[CS_EV_DISCONNECTED] == 1 && tc->cnt[CS_EV_RETRY] == 0);
    teardown();

    /* while waiting to retry: finishes at once */
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    s[0].at_end = CS_E_CLOSED;
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_RETRY, 1, 5000));
    cs_client_stop(&tc->c);
    CHECK(step_at(tc->now) == 1);
    CHECK(tc->f.opens_called == 1 && !tc->f.is_open);
    CHECK(cs_client_result(&tc->c) == 0);
    teardown();

    /* from inside on_event(RETRY): no new attempt */
    memset(s, 0, sizeof s);
    s[0].open_err = CS_E_CONNECT;
    setup(NULL);
    set_scripts(s, 2);
    tc->stop_on = CS_EV_RETRY;
    tc->stop_nth = 1;
    CHECK(start() == 0);
    CHECK(drive(T0 + 60000));
    CHECK(tc->t_done == T0 && tc->f.opens_called == 1);
    CHECK(cs_client_result(&tc->c) == 0);
    teardown();

    /* during the handshake, and before the first step */
    for (k = 0; k < 2; k++) {
        memset(s, 0, sizeof s);
        s[0].hs = HS_NONE;
        setup(NULL);
        set_scripts(s, 2);
        CHECK(start() == 0);
        if (k == 0)
            drive(T0 + 100);
        cs_client_stop(&tc->c);
        tc->t_stop = tc->now;
        CHECK(drive(T0 + 60000));
        CHECK(tc->t_done <= tc->t_stop + tc->cfg.close_timeout_ms + 1);
        CHECK(cs_client_result(&tc->c) == 0);
        CHECK(tc->f.opens_called <= 1 && !tc->f.is_open);
        CHECK(tc->f.logs[0].after_req == 0);
        CHECK(tc->cnt[CS_EV_CONNECTED] == 0 && tc->cnt[CS_EV_RETRY] == 0);
        /* stop again after finishing: still finished */
        cs_client_stop(&tc->c);
        CHECK(step_at(tc->now + 1) == 1);
        teardown();
    }
    b_free(&fr);
}

/* The counters against a script. */
static void
test_counters(void)
{
    bytes fr = {0};
    script s[1];
    const cs_stats *st;

    s_text(&fr, M_CERT1);
    s_text(&fr, M_CERT2);
    s_ctl(&fr, CS_WS_OP_PING, "s1", 2);
    s_text_split(&fr, M_HB, 2);
    s_text(&fr, M_DNS);
    s_text(&fr, M_OTHER);
    s_text(&fr, M_NONE);
    s_text(&fr, M_BAD);
    s_ctl(&fr, CS_WS_OP_PONG, "u", 1);
    s_ctl(&fr, CS_WS_OP_PING, "s2", 2);
    memset(s, 0, sizeof s);
    s[0].frames = &fr;
    setup(NULL);
    set_scripts(s, 1);
    tc->f.auto_pong = 1;
    CHECK(start() == 0);
    drive(T0 + 31000);
    st = cs_client_stats(&tc->c);
    CHECK(st->messages == 7);
    CHECK(st->by_type[CS_MSG_CERT] == 2);
    CHECK(st->by_type[CS_MSG_HEARTBEAT] == 1);
    CHECK(st->by_type[CS_MSG_DNS] == 1);
    CHECK(st->by_type[CS_MSG_OTHER] == 1);
    CHECK(st->by_type[CS_MSG_NONE] == 1);
    CHECK(st->parse_errors == 1);
    CHECK(st->connects == 1 && st->reconnects == 0 && st->failures == 0);
    CHECK(st->protocol_errors == 0);
    CHECK(st->pings_sent == 2);
    CHECK(st->pings_answered == 2);
    CHECK(st->pongs_received == 3);   /* 2 answers + 1 unsolicited */
    CHECKF(st->bytes == tc->f.in_len - tc->f.logs[0].resp_len,
           "bytes %llu, served %zu", (unsigned long long)st->bytes,
           tc->f.in_len - tc->f.logs[0].resp_len);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 7);
    CHECK(ev_nth(CS_EV_MESSAGE, 4) != NULL
          && strcmp(ev_nth(CS_EV_MESSAGE, 4)->tname, "fancy") == 0);
    teardown();
    b_free(&fr);
}

/* A message cut by the connection's end (EOF, dead) is dropped; nothing
 * of it leaks into the next connection's first message. */
static void
test_cut_message(void)
{
    int run;

    for (run = 0; run < 2; run++) {
        bytes f0 = {0}, f1 = {0};
        script s[2];
        const rev *m, *d;

        s_frame(&f0, 0, 0, CS_WS_OP_TEXT, M_CERT1, 100, 0);
        s_frame(&f0, 1, 0, CS_WS_OP_CONT, M_CERT1 + 100, 60, 0);
        f0.len -= 30;                        /* inside the second frame */
        s_text(&f1, M_HB);
        memset(s, 0, sizeof s);
        s[0].frames = &f0;
        s[0].at_end = run == 0 ? CS_E_CLOSED : 0;
        s[1].frames = &f1;
        setup(NULL);
        set_scripts(s, 2);
        tc->cfg.raw = 1;
        tc->f.rmode = R_RANDOM;
        tc->f.rmax = 23;
        CHECK(start() == 0);
        CHECK(drive_ev(CS_EV_MESSAGE, 1, 60000));
        d = ev_nth(CS_EV_DISCONNECTED, 0);
        CHECK(d != NULL && d->err == (run == 0 ? CS_E_CLOSED : CS_E_DEAD));
        m = ev_nth(CS_EV_MESSAGE, 0);
        CHECK(m != NULL && m->conn == 1 && m->err == 0
              && m->mtype == CS_MSG_HEARTBEAT);
        CHECK(tc->nraw == 1 && tc->raws[0].len == strlen(M_HB)
              && memcmp(tc->raws[0].p, M_HB, strlen(M_HB)) == 0);
        CHECK(tc->cnt[CS_EV_RAW_END] == 1);
        CHECK(cs_client_stats(&tc->c)->messages == 1);
        CHECK(cs_client_stats(&tc->c)->parse_errors == 0);
        teardown();
        b_free(&f0);
        b_free(&f1);
    }
}

/* More redirects: to wss:// without TLS, to an unusable Location; the
 * count starts again after a success; a failed chain retries the URL as
 * configured. */
static void
test_redirect_more(void)
{
    script s[8];
    const rev *e;
    int i;

    memset(s, 0, sizeof s);
    s[0].hs = HS_RAW;
    s[0].resp = "HTTP/1.1 302 Found\r\nLocation: wss://secure.example/\r\n\r\n";
    s[1].hs = HS_RAW;
    s[1].resp = "HTTP/1.1 302 Found\r\nLocation: /moved\r\n\r\n";
    s[2].hs = HS_RAW;
    s[2].resp = "HTTP/1.1 302 Found\r\nLocation: ftp://x.example/\r\n\r\n";
    setup("ws://cs.example/orig");
    set_scripts(s, 4);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
    e = ev_nth(CS_EV_FAILED, 0);
    CHECK(e != NULL && e->err == (CS_HAS_TLS ? 0 : CS_E_NO_TLS));
    e = ev_nth(CS_EV_FAILED, 1);
    CHECK(e != NULL && e->err == CS_E_URL);
    CHECK(tc->cnt[CS_EV_REDIRECT] == 1);
    CHECK(strcmp(tc->f.logs[1].path, "/orig") == 0);   /* retry: as set */
    CHECK(strcmp(tc->f.logs[2].path, "/moved") == 0);
    CHECK(strcmp(tc->f.logs[3].path, "/orig") == 0);
    CHECK(tc->f.nconn == 4);
    teardown();

    /* three redirects, a connection, three more: all allowed */
    memset(s, 0, sizeof s);
    for (i = 0; i < 7; i++) {
        if (i == 3)
            continue;
        s[i].hs = HS_RAW;
        s[i].resp = "HTTP/1.1 307 Temporary Redirect\r\nLocation: /r\r\n\r\n";
    }
    s[3].at_end = CS_E_CLOSED;
    setup(NULL);
    set_scripts(s, 8);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 2, 60000));
    CHECK(tc->cnt[CS_EV_REDIRECT] == 6 && tc->cnt[CS_EV_FAILED] == 0);
    CHECK(tc->f.nconn == 8);
    teardown();

    /* a failed chain: the retry starts from the configured URL */
    memset(s, 0, sizeof s);
    for (i = 0; i < 4; i++) {
        s[i].hs = HS_RAW;
        s[i].resp = "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n";
    }
    setup("ws://cs.example/orig");
    set_scripts(s, 5);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
    CHECK(ev_nth(CS_EV_FAILED, 0) != NULL
          && ev_nth(CS_EV_FAILED, 0)->err == CS_E_HS_REDIRECTS);
    CHECK(strcmp(tc->f.logs[4].path, "/orig") == 0);
    teardown();

    /* a response header too big to keep */
    {
        static char big[24000];
        size_t n;
        memset(s, 0, sizeof s);
        n = (size_t)snprintf(big, sizeof big,
                             "HTTP/1.1 101 Switching Protocols\r\nX-Pad: ");
        while (n < sizeof big - 100)
            big[n++] = 'a';
        memcpy(big + n, "\r\n\r\n", 5);
        s[0].hs = HS_RAW;
        s[0].resp = big;
        setup(NULL);
        set_scripts(s, 2);
        CHECK(start() == 0);
        CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
        CHECK(ev_nth(CS_EV_FAILED, 0) != NULL
              && ev_nth(CS_EV_FAILED, 0)->err == CS_E_HS_TOO_BIG);
        teardown();
    }
}

/* The transport stops taking writes: the client keeps reading, waits for
 * CS_WANT_WRITE, and every timer still works. */
static void
test_write_stall(void)
{
    script s[2];
    const conn_log *L;
    const rev *d;
    cs_wait w;
    int i, k;

    /* a ping flood while writes are blocked */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    tc->f.wblock = 1;
    {
        bytes b = {0};
        unsigned char p[125];
        for (i = 0; i < 100; i++) {
            memset(p, i, sizeof p);
            s_ctl(&b, CS_WS_OP_PING, p, sizeof p);
        }
        s_text(&b, M_HB);
        ft_push(&tc->f, &b);
        b_free(&b);
    }
    drive(tc->now + 1000);
    CHECK(tc->cnt[CS_EV_MESSAGE] == 1);    /* reading went on */
    CHECK(step_w(tc->now, &w) == 0);
    CHECK((w.want & CS_WANT_WRITE) != 0 && w.fd >= 0);
    tc->f.wblock = 0;
    drive(tc->now + 1000);
    L = &tc->f.logs[0];
    k = cf_count(L, CS_WS_OP_PONG);
    CHECK(k >= 1);
    CHECK((uint64_t)k == cs_client_stats(&tc->c)->pings_answered);
    /* pongs in ping order, each the payload of its ping */
    for (i = 0, k = -1; i < L->nfr; i++) {
        int v = L->fr[i].p[0];
        CHECK(L->fr[i].op == CS_WS_OP_PONG && L->fr[i].len == 125
              && v > k && L->fr[i].p[124] == v);
        k = v;
    }
    /* RFC 6455 5.5.3: pongs may be skipped for all but the most recent
     * ping; that one must be answered */
    CHECKF(k == 99, "last pong answers ping %d of 0..99", k);
    CHECK(tc->cnt[CS_EV_DISCONNECTED] == 0);
    teardown();

    /* the server closes while writes are blocked: the echo cannot go out,
     * the connection still ends by close_timeout_ms */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    tc->f.wblock = 1;
    {
        bytes b = {0};
        s_close(&b, 1000, "bye");
        ft_push(&tc->f, &b);
        b_free(&b);
    }
    tc->t_stop = tc->now;
    CHECK(drive_ev(CS_EV_RETRY, 1, 10000));
    d = ev_nth(CS_EV_DISCONNECTED, 0);
    CHECK(d != NULL && d->status == 1000);
    CHECK(tc->f.logs[0].closed
          && tc->f.logs[0].t_close <= tc->t_stop + tc->cfg.close_timeout_ms);
    teardown();

    /* stop while writes are blocked */
    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 1000));
    tc->f.wblock = 1;
    cs_client_stop(&tc->c);
    tc->t_stop = tc->now;
    CHECK(drive(tc->now + 60000));
    CHECK(tc->t_done <= tc->t_stop + tc->cfg.close_timeout_ms + 1);
    CHECK(cs_client_result(&tc->c) == 0);
    teardown();

    /* a connect that never completes ends at connect_timeout_ms even if
     * stop is not called; the request is then sent on the next attempt */
    memset(s, 0, sizeof s);
    s[0].write_block = 1;
    setup(NULL);
    set_scripts(s, 2);
    CHECK(start() == 0);
    CHECK(step_w(tc->now, &w) == 0);
    CHECK((w.want & CS_WANT_WRITE) != 0 && w.fd == 100);
    CHECK(w.deadline_ms <= T0 + tc->cfg.connect_timeout_ms);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
    CHECK(ev_nth(CS_EV_FAILED, 0) != NULL
          && ev_nth(CS_EV_FAILED, 0)->err == CS_E_TIMEOUT);
    teardown();
}

/* ==== failure injection ================================================== */

static bytes g_fi_frames;

/* Each connection's messages must be a prefix of CERT, HB, DNS. Counts
 * the connections that delivered all three: any, and those opened after
 * connection `after`. Returns 0 when something else arrived. */
static int
fi_sessions(int after, int *n_after, int *n_any)
{
    static const int want[3] = {CS_MSG_CERT, CS_MSG_HEARTBEAT, CS_MSG_DNS};
    int i, k = 0, conn = -1, ok = 1;

    *n_after = *n_any = 0;
    for (i = 0; i < tc->nev; i++) {
        const rev *e = &tc->ev[i];
        if (e->type == CS_EV_CONNECTED) {
            k = 0;
            conn = e->conn;
        }
        if (e->type != CS_EV_MESSAGE)
            continue;
        if (k >= 3 || e->err != 0 || e->mtype != want[k])
            ok = 0;
        if (++k == 3) {
            (*n_any)++;
            if (conn > after)
                (*n_after)++;
        }
    }
    return ok;
}

/* kind: 0 read, 1 write, 2 open, 3 entropy; its k-th call fails with
 * code. Runs until a connection after the failure delivered the whole
 * script, then stops the client. Returns 1 when the failure happened. */
static int
fi_run(int kind, long k, int code, int rmode, int wmode, int zero)
{
    script s[1];
    int n_after = 0, n_any = 0, fired = 0, fconn = -1;
    uint64_t t_stop;

    memset(s, 0, sizeof s);
    s[0].frames = &g_fi_frames;
    setup(NULL);
    set_scripts(s, 1);
    tc->f.rmode = rmode;
    tc->f.rmax = 11;
    tc->f.wmode = wmode;
    tc->f.wmax = 7;
    tc->f.zero_pct = zero;
    tc->f.auto_pong = 1;
    tc->f.auto_close = 1;
    if (kind == 0) {
        tc->f.fail_read = k;
        tc->f.fail_read_code = code;
    } else if (kind == 1) {
        tc->f.fail_write = k;
        tc->f.fail_write_code = code;
    } else if (kind == 2) {
        tc->f.fail_open = k;
        tc->f.fail_open_code = code;
    } else {
        tc->rr.fail_at = k;
    }
    CHECK(start() == 0);
    for (;;) {
        drive(tc->now + 1000);
        fired = tc->f.fired || tc->rr.fired;
        fconn = tc->f.fired ? tc->f.fired_conn : tc->rr.fired_conn;
        if (!fi_sessions(fired ? fconn : -1, &n_after, &n_any)) {
            CHECKF(0, "kind %d k %ld: messages out of order", kind, k);
            break;
        }
        if (tc->done || tc->stuck)
            break;
        if (fired && n_after >= 1)
            break;
        /* entropy: a failed mask need not end the connection (see
         * test_random_failure for what it must do) */
        if (fired && kind == 3 && tc->now > T0 + 40000)
            break;
        if (!fired && n_any >= 1 && tc->now > T0 + 20000)
            break;           /* k is past the calls of a session */
        if (tc->now > T0 + 600000) {
            CHECKF(0, "kind %d k %ld: no complete session after the "
                   "failure in 10 minutes", kind, k);
            break;
        }
    }
    CHECKF(!tc->done, "kind %d k %ld: the client finished by itself", kind,
           k);
    if (fired && kind != 3) {
        /* the failure ended that attempt, with its code */
        int i;
        for (i = tc->f.fired_ev; i < tc->nev; i++) {
            const rev *e = &tc->ev[i];
            if (e->type == CS_EV_FAILED || e->type == CS_EV_DISCONNECTED) {
                CHECKF(e->err == code, "kind %d k %ld: %s err %d, not %d",
                       kind, k, evname(e->type), e->err, code);
                break;
            }
        }
        CHECKF(i < tc->nev, "kind %d k %ld: no FAILED/DISCONNECTED", kind, k);
    }
    if (fired && kind != 3)
        CHECKF(tc->cnt[CS_EV_RETRY] >= 1, "kind %d k %ld: no retry", kind, k);
    if (kind != 3)
        CHECKF(tc->cnt[CS_EV_CONNECTING] == tc->f.opens_called,
               "kind %d k %ld: %ld CONNECTING, %ld opens", kind, k,
               tc->cnt[CS_EV_CONNECTING], tc->f.opens_called);
    /* and it still stops cleanly */
    cs_client_stop(&tc->c);
    t_stop = tc->now;
    CHECKF(drive(tc->now + 60000), "kind %d k %ld: did not finish", kind, k);
    CHECKF(tc->t_done <= t_stop + tc->cfg.close_timeout_ms + 1,
           "kind %d k %ld: finished %llu ms after stop", kind, k,
           (unsigned long long)(tc->t_done - t_stop));
    CHECKF(cs_client_result(&tc->c) == 0, "kind %d k %ld: result %d", kind,
           k, cs_client_result(&tc->c));
    teardown();
    return fired;
}

static void
test_fail_injection(void)
{
    static const struct {
        int rmode, wmode, zero;
    } modes[] = {
        {R_WHOLE, R_WHOLE, 0}, {R_ONE, R_WHOLE, 0}, {R_RANDOM, R_RANDOM, 25},
        {R_RANDOM, R_ONE, 0},
    };
    static const int rcodes[2] = {CS_E_IO, CS_E_CLOSED};
    size_t m;
    long runs = 0, fired = 0;

    g_fi_frames.len = 0;
    s_text(&g_fi_frames, M_CERT1);
    s_ctl(&g_fi_frames, CS_WS_OP_PING, "p", 1);
    s_frame(&g_fi_frames, 0, 0, CS_WS_OP_TEXT, M_HB, 12, 0);
    s_ctl(&g_fi_frames, CS_WS_OP_PING, "q", 1);
    s_frame(&g_fi_frames, 1, 0, CS_WS_OP_CONT, M_HB + 12, strlen(M_HB) - 12,
            0);
    s_text(&g_fi_frames, M_DNS);

    for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        long k;
        int kind, c;
        for (kind = 0; kind < 4; kind++) {
            for (c = 0; c < (kind == 0 ? 2 : 1); c++) {
                int code = kind == 0   ? rcodes[c]
                           : kind == 1 ? CS_E_IO
                           : kind == 2 ? CS_E_CONNECT
                                       : CS_E_RANDOM;
                /* until k is past every call of a whole session */
                for (k = 1; k < 100000; k++) {
                    runs++;
                    if (!fi_run(kind, k, code, modes[m].rmode, modes[m].wmode,
                                modes[m].zero))
                        break;
                    fired++;
                    if (test_cur_failed > 20)
                        return;
                }
            }
        }
    }
    printf("failure injection: %ld runs, %ld with the failure\n", runs, fired);
    CHECK(fired > 1000);
}

/* The entropy source fails: that attempt fails with CS_E_RANDOM, and no
 * request goes out with a key that did not come from it. */
static void
test_random_failure(void)
{
    script s[1];
    int i;

    memset(s, 0, sizeof s);
    setup(NULL);
    set_scripts(s, 1);
    tc->rr.fail_at = 1;
    CHECK(start() == 0);
    CHECK(drive_ev(CS_EV_CONNECTED, 1, 60000));
    CHECK(ev_nth(CS_EV_FAILED, 0) != NULL
          && ev_nth(CS_EV_FAILED, 0)->err == CS_E_RANDOM);
    CHECK(tc->cnt[CS_EV_RETRY] >= 1);
    for (i = 0; i < tc->f.nconn && i < MAXCONN; i++) {
        char k[32];
        if (tc->f.logs[i].req_done)
            check_request(&tc->f.logs[i], "/", "cs.example", k);
    }
    teardown();

    /* It fails when a ping must be answered (call 2: the pong's mask).
     * RFC 6455 5.5.2: a ping MUST be answered, so either a pong goes out
     * anyway (another key) or the connection ends with CS_E_RANDOM; it
     * must not go on as if nothing happened. */
    {
        bytes fr = {0};
        const rev *d;
        s_ctl(&fr, CS_WS_OP_PING, "hi", 2);
        s_text(&fr, M_HB);
        memset(s, 0, sizeof s);
        s[0].frames = &fr;
        setup(NULL);
        set_scripts(s, 1);
        tc->rr.fail_at = 2;
        CHECK(start() == 0);
        drive(T0 + 1000);
        CHECK(tc->rr.fired);
        d = ev_nth(CS_EV_DISCONNECTED, 0);
        CHECKF(cf_count(&tc->f.logs[0], CS_WS_OP_PONG) == 1
               || (d != NULL && d->err == CS_E_RANDOM),
               "ping neither answered nor the connection failed: %d pongs, "
               "%ld disconnects, pings_answered %llu",
               cf_count(&tc->f.logs[0], CS_WS_OP_PONG),
               tc->cnt[CS_EV_DISCONNECTED],
               (unsigned long long)cs_client_stats(&tc->c)->pings_answered);
        teardown();
        b_free(&fr);
    }
}

int
main(void)
{
    const char *s = getenv("CS_TEST_SCALE");

    if (s != NULL && atof(s) > 0)
        g_scale = atof(s);
    TEST(test_accept_vector);
    TEST(test_config);
    TEST(test_session);
    TEST(test_split_matrix);
    TEST(test_first_read_bundle);
    TEST(test_raw);
    TEST(test_ping_mid_fragment);
    TEST(test_keepalive_dead);
    TEST(test_keepalive_alive);
    TEST(test_reconnect_eof);
    TEST(test_backoff);
    TEST(test_healthy_reset);
    TEST(test_no_reconnect);
    TEST(test_server_close);
    TEST(test_protocol_errors);
    TEST(test_handshake_failures);
    TEST(test_stop);
    TEST(test_counters);
    TEST(test_cut_message);
    TEST(test_redirect_more);
    TEST(test_write_stall);
    TEST(test_random_failure);
    TEST(test_fail_injection);
    b_free(&g_fi_frames);
    fflush(stdout);
    return TEST_SUMMARY();
}
