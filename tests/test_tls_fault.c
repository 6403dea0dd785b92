/* test_tls_fault.c - the client over wss:// against BearSSL's own TLS
 * server, in one process, through an in-memory pipe, with faults injected
 * at the transport seam.
 *
 * The server is br_ssl_server_init_full_ec (or _rsa) with the chains and
 * keys in tests/vectors/tls (see its README), its engine driven here (a
 * plain HTTP server instead when the client opens a ws:// URL). It reads
 * the websocket request from the application data and answers the 101
 * with the Sec-WebSocket-Accept of the key it got (cs_sha1 + cs_base64)
 * (or a 302, when told), then sends websocket frames carrying CertStream
 * messages, pings, and a close 1000; or it ends the stream with a bare
 * close_notify, or with EOF and no close_notify (after a whole record or
 * inside one). It logs what the client sends: the request, the pongs,
 * the close frame, the close_notify.
 *
 * The pipe is two byte queues: server to client bounded by a window like
 * TCP's; client to server optionally by a send buffer that the server
 * empties between two cs_client_step calls. The client's transport is a
 * wrapper over it that injects faults: reads and writes of 1..k bytes,
 * random "would block" zeros, and at the i-th call (open, read or write)
 * either an error (CS_E_IO; CS_E_CONNECT or CS_E_DNS for open) or EOF
 * (CS_E_CLOSED) after which that connection stays broken, or a link
 * that goes silent, or one flipped bit in the bytes read. It counts
 * opens and closes and every call on a closed transport.
 *
 * A run steps the client as a poll() loop would (now_ms is fake time and
 * only moves when nothing at all can happen) and pumps the server after
 * every step. A busy loop (ready or due, and nothing moves) or a stall
 * while a connection is open (time would have to pass) fails the test.
 *
 * The reference is one session over a perfect pipe; every other run
 * must deliver the same events (messages field by field, raw bytes as
 * length + FNV-1a, the close) in its complete session, its cut sessions
 * a prefix of them, the server must get a pong for every ping, the
 * client's close and its close_notify, and a run must end with as many
 * closes as opens.
 *
 * Environment: CS_SLOW (any value) fewer random runs and strided sweeps,
 * for valgrind; CS_TLS_ONLY=test_name runs that test alone (after the
 * reference); CS_TLS_TRACE prints every transport call and server record;
 * CS_TLS_PROGRESS prints how far each sweep went; CS_TLS_VECTORS is the
 * vector directory when not run from the repository root. BearSSL mixes
 * its own entropy in, so handshake sizes, and with them which protocol
 * step the i-th call falls on, can vary by a call between runs. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ==== helpers ============================================================ */

static int g_slow;
static int g_trace;

/* The value of header name in the request req (NUL-terminated), trimmed,
 * into val; NULL when absent. */
static const char *
req_header(const char *req, const char *name, char *val, size_t cap)
{
    const char *p = strstr(req, "\r\n");
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

/* The Sec-WebSocket-Accept for key (RFC 6455 4.2.2), through the
 * header's cs_sha1 and cs_base64. */
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

/* One server frame: unmasked, lengths in their shortest form. */
static void
s_frame(bytes *b, int fin, int op, const void *p, size_t n)
{
    unsigned char h[10];
    size_t k = 0, i;

    h[k++] = (unsigned char)((fin ? 0x80 : 0) | (op & 15));
    if (n < 126) {
        h[k++] = (unsigned char)n;
    } else if (n < 65536) {
        h[k++] = 126;
        h[k++] = (unsigned char)(n >> 8);
        h[k++] = (unsigned char)n;
    } else {
        h[k++] = 127;
        for (i = 0; i < 8; i++)
            h[k++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    }
    b_add(b, h, k);
    b_add(b, p, n);
}

/* ==== test vectors (tests/vectors/tls) =================================== */

typedef struct vecs {
    int ok;
    bytes ca, other_ca, ec_pem, rsa_pem;
    bytes ec_der[2], rsa_der[2];
    br_x509_certificate ec_chain[2], rsa_chain[2];
    size_t ec_n, rsa_n;
    br_skey_decoder_context ec_sk, rsa_sk;
    /* anchors, decoded with cs_anchors_add_pem */
    cs_anchors ta_ca, ta_other;
    unsigned char mem_ca[2048], mem_other[2048];
} vecs;

static vecs *V;

static int
read_file(const char *name, bytes *out)
{
    char path[1024];
    const char *dir = getenv("CS_TLS_VECTORS");
    FILE *f;
    unsigned char buf[4096];
    size_t n;

    if (dir != NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, name);
    } else {
        /* next to this file: tests/vectors/tls/ */
        const char *src = __FILE__, *slash = strrchr(src, '/');
        int d = slash != NULL ? (int)(slash - src + 1) : 0;
        snprintf(path, sizeof path, "%.*svectors/tls/%s", d, src, name);
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root, or "
                "set CS_TLS_VECTORS)\n", path);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        b_add(out, buf, n);
    fclose(f);
    return 0;
}

static void
pem_sink(void *ctx, const void *p, size_t n)
{
    b_add((bytes *)ctx, p, n);
}

/* The DER of each PEM object in pem, in order, into objs[0..max); the
 * objects' names into names. Returns the count, or -1. */
static int
pem_objects(const bytes *pem, bytes *objs, char (*names)[64], int max)
{
    br_pem_decoder_context pc;
    const unsigned char *p = pem->p;
    size_t n = pem->len;
    int k = 0, in = 0;

    br_pem_decoder_init(&pc);
    while (n > 0) {
        size_t used = br_pem_decoder_push(&pc, p, n);
        p += used;
        n -= used;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            if (k < max) {
                snprintf(names[k], 64, "%.63s", br_pem_decoder_name(&pc));
                br_pem_decoder_setdest(&pc, pem_sink, &objs[k]);
                in = 1;
            } else {
                br_pem_decoder_setdest(&pc, NULL, NULL);
            }
            break;
        case BR_PEM_END_OBJ:
            if (in)
                k++;
            in = 0;
            break;
        case BR_PEM_ERROR:
            return -1;
        default:
            break;
        }
    }
    return k;
}

static int
load_chain(const char *name, bytes *pem, bytes *der, br_x509_certificate *ch,
           size_t *n)
{
    char names[2][64];
    int k, i;

    if (read_file(name, pem) != 0)
        return -1;
    k = pem_objects(pem, der, names, 2);
    if (k != 2)
        return -1;
    for (i = 0; i < k; i++) {
        if (strcmp(names[i], "CERTIFICATE") != 0)
            return -1;
        ch[i].data = der[i].p;
        ch[i].data_len = der[i].len;
    }
    *n = (size_t)k;
    return 0;
}

static int
load_key(const char *name, br_skey_decoder_context *sk, int type)
{
    bytes pem = {0}, der[1];
    char names[1][64];
    int k;

    memset(der, 0, sizeof der);
    if (read_file(name, &pem) != 0)
        return -1;
    k = pem_objects(&pem, der, names, 1);
    br_skey_decoder_init(sk);
    if (k == 1)
        br_skey_decoder_push(sk, der[0].p, der[0].len);
    b_free(&pem);
    /* the decoded key points into sk, not into der */
    b_free(&der[0]);
    return k == 1 && br_skey_decoder_key_type(sk) == type ? 0 : -1;
}

static int
vecs_load(void)
{
    int r = 0;

    V = (vecs *)xcalloc(sizeof *V);
    r |= read_file("ca.pem", &V->ca);
    r |= read_file("other-ca.pem", &V->other_ca);
    r |= load_chain("server-ec.pem", &V->ec_pem, V->ec_der, V->ec_chain,
                    &V->ec_n);
    r |= load_chain("server-rsa.pem", &V->rsa_pem, V->rsa_der, V->rsa_chain,
                    &V->rsa_n);
    r |= load_key("server-ec.key", &V->ec_sk, BR_KEYTYPE_EC);
    r |= load_key("server-rsa.key", &V->rsa_sk, BR_KEYTYPE_RSA);
    if (r != 0)
        return -1;
    cs_anchors_init(&V->ta_ca, V->mem_ca, sizeof V->mem_ca);
    cs_anchors_init(&V->ta_other, V->mem_other, sizeof V->mem_other);
    if (cs_anchors_add_pem(&V->ta_ca, V->ca.p, V->ca.len) != 1
        || cs_anchors_add_pem(&V->ta_other, V->other_ca.p, V->other_ca.len)
               != 1)
        return -1;
    V->ok = 1;
    return 0;
}

static void
vecs_free(void)
{
    int i;
    if (V == NULL)
        return;
    b_free(&V->ca);
    b_free(&V->other_ca);
    b_free(&V->ec_pem);
    b_free(&V->rsa_pem);
    for (i = 0; i < 2; i++) {
        b_free(&V->ec_der[i]);
        b_free(&V->rsa_der[i]);
    }
    free(V);
    V = NULL;
}

/* ==== what the server sends ============================================== */

static const char M_CERT1[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"update_type\":"
    "\"X509LogEntry\",\"leaf_cert\":{\"subject\":{\"CN\":\"a.example\"},"
    "\"all_domains\":[\"a.example\",\"*.b.example\"]},\"cert_index\":"
    "123456789,\"seen\":1700000000.25,\"source\":{\"url\":"
    "\"https://ct.example/2025/\",\"name\":\"Example 2025\"}}}";
static const char M_CERT2[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"leaf_cert\":"
    "{\"all_domains\":[\"z.example\",\"y.example\",\"x.example\"]},"
    "\"cert_index\":42}}";
static const char M_HB[] =
    "{\"message_type\":\"heartbeat\",\"timestamp\":1700000001.5}";
static const char M_DNS[] =
    "{\"message_type\":\"dns_entries\",\"data\":[\"c.example\","
    "\"d.example\",\"e.example\"]}";
static const char M_BAD[] =
    "{\"message_type\":\"certificate_update\",\"data\":{\"cert_index\":7,]}}";
static const char M_OTHER[] = "{\"message_type\":\"fancy\",\"data\":{}}";
static const char M_NONE[] = "{\"data\":[\"q.example\"]}";

enum { END_CLOSE, END_NOTIFY, END_EOF };

/* A server's script. The feed: 11 fixed messages (a 34 KB one, a 70 KB
 * one with a 64-bit length, one in 3 fragments with a ping between the
 * first two, a bad one, an empty one) and 2 pings. The stream: nmsg
 * generated messages (every 97th 15 KB), a ping after every ping_every
 * of them. */
typedef struct plan {
    int feed;
    int nmsg;
    int ping_every;
    int flush_every;         /* flush the TLS record after every n-th */
    int end;                 /* END_*: after the last message, or cut */
    int cut_after;           /* END_NOTIFY / END_EOF: after this many */
    int truncate;            /* END_EOF: drop the last record's tail */
    size_t win;              /* server-to-client bytes in flight (0: any) */
    int rsa;                 /* the RSA server key */
    size_t cwin;             /* client-to-server bytes a client step may
                                write before the server reads (0: any),
                                like a full socket send buffer */
    const char *redirect;    /* the first connection answers 302 with
                                this Location */
    size_t alert_at;         /* during the handshake, after this many
                                bytes from the client, the server refuses:
                                a plaintext fatal alert (handshake_failure),
                                then a reset (writes fail, reads end) */
} plan;

#define FEED_N 11
#define SMALL_N 5

/* The feed message unit i carries (the small feed skips the big ones). */
static int
feed_id(const plan *pl, int i)
{
    static const int small[SMALL_N] = {0, 1, 2, 4, 5};
    return pl->feed == 2 && i >= 0 && i < SMALL_N ? small[i] : i;
}

/* A certificate_update with n domains, tag in each name. */
static void
make_cert(bytes *b, const char *tag, int idx, int n)
{
    char d[160];
    int i;

    snprintf(d, sizeof d, "{\"message_type\":\"certificate_update\",\"data\""
             ":{\"cert_index\":%d,\"seen\":%d.5,\"leaf_cert\":{\"all_domains"
             "\":[", idx, 1700000000 + idx);
    b_str(b, d);
    for (i = 0; i < n; i++) {
        snprintf(d, sizeof d, "%s\"d%05d.%s.example\"", i ? "," : "", i, tag);
        b_str(b, d);
    }
    b_str(b, "]},\"source\":{\"url\":\"https://ct.example/log/\",\"name\":"
             "\"Test log\"}}}");
}

/* Message i's text. */
static void
msg_text(const plan *pl, int i, bytes *b)
{
    char t[160];

    b->len = 0;
    if (pl->feed) {
        switch (feed_id(pl, i)) {
        case 0: b_str(b, M_CERT1); break;
        case 1: b_str(b, M_HB); break;
        case 2: b_str(b, M_DNS); break;
        case 3: make_cert(b, "big", 3, 1500); break;
        case 4: b_str(b, M_CERT2); break;
        case 5: b_str(b, M_BAD); break;
        case 6: b_str(b, M_OTHER); break;
        case 7: b_str(b, M_NONE); break;
        case 8: break;                        /* empty */
        case 9: make_cert(b, "huge", 9, 3000); break;
        default: b_str(b, M_CERT1); break;
        }
        return;
    }
    if (i % 97 == 96) {
        make_cert(b, "s", i, 600);
        return;
    }
    switch (i % 3) {
    case 0:
        make_cert(b, i % 2 ? "odd" : "even", i, 1 + i % 5);
        break;
    case 1:
        snprintf(t, sizeof t, "{\"message_type\":\"heartbeat\",\"timestamp\""
                 ":%d.25}", 1700000000 + i);
        b_str(b, t);
        break;
    default:
        snprintf(t, sizeof t, "{\"message_type\":\"dns_entries\",\"data\":["
                 "\"n%d.example\",\"m%d.example\"]}", i, i);
        b_str(b, t);
        break;
    }
}

/* The frames of unit i (message i and the pings that go with it); the
 * ping payloads into pings (NUL-separated, counted in *np). */
static void
unit_frames(const plan *pl, int i, bytes *out, char (*pings)[32], int *np)
{
    bytes m = {0};
    int id = feed_id(pl, i);

    msg_text(pl, i, &m);
    if (pl->feed && id == 4) {
        size_t a = m.len / 3, c = 2 * m.len / 3;
        s_frame(out, 0, CS_WS_OP_TEXT, m.p, a);
        s_frame(out, 1, CS_WS_OP_PING, "mid", 3);
        snprintf(pings[(*np)++], 32, "mid");
        s_frame(out, 0, CS_WS_OP_CONT, m.p + a, c - a);
        s_frame(out, 1, CS_WS_OP_CONT, m.p + c, m.len - c);
    } else {
        s_frame(out, 1, CS_WS_OP_TEXT, m.p, m.len);
    }
    if (pl->feed && id == 2) {
        s_frame(out, 1, CS_WS_OP_PING, "hello", 5);
        snprintf(pings[(*np)++], 32, "hello");
    }
    if (!pl->feed && pl->ping_every > 0 && (i + 1) % pl->ping_every == 0) {
        char p[32];
        int n = snprintf(p, sizeof p, "ping-%d", i + 1);
        s_frame(out, 1, CS_WS_OP_PING, p, (size_t)n);
        snprintf(pings[(*np)++], 32, "%s", p);
    }
    b_free(&m);
}

/* ==== the server ========================================================= */

#define MAXCONN 64
#define MAXPING 128

/* What one connection's server saw. */
typedef struct slog {
    int tls;                 /* the client spoke TLS (else plain HTTP) */
    int tls_up;              /* SENDAPP offered: the handshake is done */
    int requested;           /* the request arrived */
    int upgraded;            /* the 101 went out */
    char path[64], host[64];
    int units;               /* messages sent */
    int nping, npong;
    char ping[MAXPING][32], pong[MAXPING][32];
    int close_code;          /* the client's close (-1: none; 0: empty) */
    unsigned bad;            /* 1 unmasked, 2 rsv, 4 opcode, 8 length,
                                16 after close, 32 not FIN */
    int eng_err;             /* BearSSL error when the engine closed */
    int closed;
    unsigned end_state;      /* the engine's state when the run ended */
    size_t end_c2s, end_s2c; /* bytes left in the pipe then */
} slog;

typedef struct pipe_ pipe_t;

typedef struct srv {
    br_ssl_server_context sc;
    const plan *pl;
    int active;              /* this connection is being served */
    int plain;               /* ws://: no TLS on this connection */
    bytes in, out;           /* application data in, and to send */
    size_t in_off, out_off;
    int next;                /* next unit */
    int flush_now;           /* flush once out is written */
    int sent_close, want_tls_close, tls_close_called, cutting, cut_flushed;
    size_t rx;               /* bytes taken from the client */
    int conn;
    slog *lg;
    slog logs[MAXCONN + 1];
    unsigned char buf[BR_SSL_BUFSIZE_BIDI];
} srv;

struct pipe_ {
    bytes s2c, c2s;          /* server to client, client to server */
    size_t s2c_off, c2s_off;
    int s2c_eof;             /* the server closed its end */
    int reset;               /* and reset the connection: writes fail */
    int open;                /* the client side */
    int nconn;
    uint64_t moved;          /* bytes moved by anyone */
    srv *sv;
};

static void
sv_begin(srv *s, int conn, int tls)
{
    br_ssl_engine_context *e = &s->sc.eng;
    unsigned char seed[32];
    size_t i;

    s->in.len = s->out.len = s->in_off = s->out_off = 0;
    s->next = 0;
    s->flush_now = 0;
    s->sent_close = s->want_tls_close = s->tls_close_called = 0;
    s->cutting = s->cut_flushed = 0;
    s->rx = 0;
    s->conn = conn;
    s->lg = &s->logs[conn < MAXCONN ? conn : MAXCONN];
    memset(s->lg, 0, sizeof *s->lg);
    s->lg->close_code = -1;
    s->lg->tls = tls;
    s->plain = !tls;
    if (s->plain) {
        s->active = 1;
        return;
    }
    if (s->pl->rsa)
        br_ssl_server_init_full_rsa(&s->sc, V->rsa_chain, V->rsa_n,
                                    br_skey_decoder_get_rsa(&V->rsa_sk));
    else
        br_ssl_server_init_full_ec(&s->sc, V->ec_chain, V->ec_n,
                                   BR_KEYTYPE_EC,
                                   br_skey_decoder_get_ec(&V->ec_sk));
    br_ssl_engine_set_buffer(e, s->buf, sizeof s->buf, 1);
    for (i = 0; i < sizeof seed; i++)
        seed[i] = (unsigned char)rnd();
    br_ssl_engine_inject_entropy(e, seed, sizeof seed);
    s->active = br_ssl_server_reset(&s->sc) != 0;
    if (!s->active)
        fprintf(stderr, "server reset failed: %d\n",
                br_ssl_engine_last_error(e));
}

/* Queue the next unit (or the close) into out. */
static void
sv_refill(srv *s)
{
    const plan *pl = s->pl;
    slog *L = s->lg;

    if (s->sent_close || s->cutting)
        return;
    if (pl->end != END_CLOSE && s->next >= pl->cut_after) {
        s->cutting = 1;
        return;
    }
    if (s->next < pl->nmsg) {
        int np = L->nping;
        unit_frames(pl, s->next, &s->out, L->ping, &np);
        s->next++;
        L->units++;
        s->flush_now = s->next % pl->flush_every == 0 || np > L->nping
                    || s->next == pl->nmsg
                    || (pl->end != END_CLOSE && s->next >= pl->cut_after);
        L->nping = np;
        return;
    }
    {
        unsigned char p[5] = {0x03, 0xe8, 'b', 'y', 'e'};  /* 1000 bye */
        s_frame(&s->out, 1, CS_WS_OP_CLOSE, p, sizeof p);
        if (g_trace)
            fprintf(stderr, "  S: queue close\n");
        s->sent_close = 1;
        s->flush_now = 1;
    }
}

/* Parse the application data: the request, then the client's frames. */
static void
sv_input(srv *s)
{
    slog *L = s->lg;

    if (!L->requested) {
        size_t i;
        char req[4096], key[64], acc[29], resp[1200];
        for (i = 3; i < s->in.len; i++)
            if (memcmp(s->in.p + i - 3, "\r\n\r\n", 4) == 0)
                break;
        if (i >= s->in.len)
            return;
        i++;
        memcpy(req, s->in.p, i < sizeof req ? i : sizeof req - 1);
        req[i < sizeof req ? i : sizeof req - 1] = 0;
        s->in_off = i;
        if (sscanf(req, "GET %63s HTTP/1.1", L->path) != 1)
            L->path[0] = 0;
        if (req_header(req, "Host", L->host, sizeof L->host) == NULL)
            L->host[0] = 0;
        if (req_header(req, "Sec-WebSocket-Key", key, sizeof key) == NULL)
            key[0] = 0;
        L->requested = 1;
        if (s->pl->redirect != NULL && s->conn == 0) {
            snprintf(resp, sizeof resp, "HTTP/1.1 302 Found\r\nLocation: "
                     "%.1000s\r\nContent-Length: 0\r\n\r\n", s->pl->redirect);
            b_str(&s->out, resp);
            s->flush_now = 1;
            s->want_tls_close = 1;   /* then close the connection */
            return;
        }
        accept_of(key, acc);
        snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\n"
                 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
        b_str(&s->out, resp);
        s->flush_now = 0;    /* the first message may share its record */
        L->upgraded = 1;
    }
    if (!L->upgraded)
        return;
    for (;;) {
        const unsigned char *p = s->in.p + s->in_off;
        size_t avail = s->in.len - s->in_off, hl = 2, n, i;
        unsigned char pl[126];
        int op;

        if (avail < 2)
            break;
        n = p[1] & 127u;
        hl += n == 126 ? 2 : n == 127 ? 8 : 0;
        hl += (p[1] & 0x80) ? 4 : 0;
        if (avail < hl)
            break;
        if (n == 126)
            n = (size_t)p[2] << 8 | p[3];
        else if (n == 127)
            n = 1u << 20;            /* never from this client */
        if (n > 125) {
            L->bad |= 8;
            s->in_off = s->in.len;
            break;
        }
        if (avail < hl + n)
            break;
        op = p[0] & 15;
        if (!(p[1] & 0x80))
            L->bad |= 1;
        if (p[0] & 0x70)
            L->bad |= 2;
        if (!(p[0] & 0x80))
            L->bad |= 32;
        if (L->close_code != -1)
            L->bad |= 16;
        for (i = 0; i < n; i++)
            pl[i] = (unsigned char)(p[hl + i]
                                    ^ ((p[1] & 0x80) ? p[hl - 4 + (i & 3)]
                                                     : 0));
        pl[n] = 0;
        if (op == CS_WS_OP_PONG) {
            if (L->npong < MAXPING)
                snprintf(L->pong[L->npong], 32, "%.31s", (char *)pl);
            L->npong++;
        } else if (op == CS_WS_OP_PING) {
            s_frame(&s->out, 1, CS_WS_OP_PONG, pl, n);
            s->flush_now = 1;
        } else if (op == CS_WS_OP_CLOSE) {
            if (g_trace)
                fprintf(stderr, "  S: got close\n");
            L->close_code = n >= 2 ? pl[0] << 8 | pl[1] : 0;
            if (!s->sent_close) {                /* echo it */
                s_frame(&s->out, 1, CS_WS_OP_CLOSE, pl, n < 2 ? n : 2);
                s->sent_close = 1;
                s->flush_now = 1;
            }
            s->want_tls_close = 1;
        } else {
            L->bad |= 4;
        }
        s->in_off += hl + n;
    }
    if (s->in_off == s->in.len)
        s->in.len = s->in_off = 0;
}

static size_t
pipe_room(const pipe_t *p, const plan *pl)
{
    size_t used = p->s2c.len - p->s2c_off;
    if (pl->win == 0)
        return (size_t)1 << 30;
    return used >= pl->win ? 0 : pl->win - used;
}

/* Move everything that can move on the server's side. Returns 1 when
 * something moved. */
/* ws://: the same server without TLS. */
static int
sv_pump_plain(srv *s, pipe_t *p)
{
    int any = 0;

    while (s->active) {
        size_t k;
        int did = 0;

        if (p->c2s.len > p->c2s_off) {
            k = p->c2s.len - p->c2s_off;
            b_add(&s->in, p->c2s.p + p->c2s_off, k);
            p->c2s.len = p->c2s_off = 0;
            p->moved += k;
            sv_input(s);
            did = 1;
        }
        if (s->lg->upgraded && s->out_off == s->out.len) {
            s->out.len = s->out_off = 0;
            sv_refill(s);
        }
        k = pipe_room(p, s->pl);
        if (k > s->out.len - s->out_off)
            k = s->out.len - s->out_off;
        if (k > 0) {
            b_add(&p->s2c, s->out.p + s->out_off, k);
            s->out_off += k;
            p->moved += k;
            did = 1;
        }
        if (s->out_off == s->out.len && (s->cutting || s->want_tls_close)) {
            p->s2c_eof = 1;          /* the server closes the socket */
            s->active = 0;
            s->lg->closed = 1;
            return 1;
        }
        if (!did)
            break;
        any = 1;
    }
    return any;
}

static int
sv_pump(srv *s, pipe_t *p)
{
    br_ssl_engine_context *e = &s->sc.eng;
    int any = 0;

    if (s->plain)
        return sv_pump_plain(s, p);

    while (s->active) {
        unsigned st = br_ssl_engine_current_state(e);
        unsigned char *buf;
        size_t n, k;

        if (st & BR_SSL_CLOSED) {
            s->lg->closed = 1;
            s->lg->eng_err = br_ssl_engine_last_error(e);
            s->active = 0;
            p->s2c_eof = 1;              /* and it closes the socket */
            return 1;
        }
        if (st & BR_SSL_SENDREC) {
            buf = br_ssl_engine_sendrec_buf(e, &n);
            k = pipe_room(p, s->pl);
            if (k > n)
                k = n;
            if (k > 0) {
                if (g_trace)
                    fprintf(stderr, "  S: record bytes %zu (state %#x)\n",
                            k, st);
                b_add(&p->s2c, buf, k);
                br_ssl_engine_sendrec_ack(e, k);
                p->moved += k;
                any = 1;
                continue;
            }
        }
        if (st & BR_SSL_RECVAPP) {
            buf = br_ssl_engine_recvapp_buf(e, &n);
            b_add(&s->in, buf, n);
            br_ssl_engine_recvapp_ack(e, n);
            sv_input(s);
            any = 1;
            continue;
        }
        if ((st & BR_SSL_RECVREC) && p->c2s.len > p->c2s_off) {
            buf = br_ssl_engine_recvrec_buf(e, &n);
            k = p->c2s.len - p->c2s_off;
            if (k > n)
                k = n;
            if (s->pl->alert_at != 0 && !s->lg->tls_up
                && s->rx + k >= s->pl->alert_at) {
                /* refuse: handshake_failure, in clear, then a reset */
                static const unsigned char al[7] = {21, 3, 3, 0, 2, 2, 40};
                p->c2s.len = p->c2s_off = 0;
                b_add(&p->s2c, al, sizeof al);
                p->s2c_eof = 1;
                p->reset = 1;
                s->active = 0;
                s->lg->closed = 1;
                return 1;
            }
            s->rx += k;
            memcpy(buf, p->c2s.p + p->c2s_off, k);
            p->c2s_off += k;
            if (p->c2s_off == p->c2s.len)
                p->c2s.len = p->c2s_off = 0;
            br_ssl_engine_recvrec_ack(e, k);
            p->moved += k;
            any = 1;
            continue;
        }
        if (st & BR_SSL_SENDAPP) {
            s->lg->tls_up = 1;
            if (s->lg->upgraded && s->out_off == s->out.len) {
                s->out.len = s->out_off = 0;
                sv_refill(s);
            }
            if (s->out_off < s->out.len) {
                buf = br_ssl_engine_sendapp_buf(e, &n);
                k = s->out.len - s->out_off;
                if (k > n)
                    k = n;
                memcpy(buf, s->out.p + s->out_off, k);
                br_ssl_engine_sendapp_ack(e, k);
                s->out_off += k;
                if (s->out_off == s->out.len && s->flush_now)
                    br_ssl_engine_flush(e, 0);
                any = 1;
                continue;
            }
            if (s->want_tls_close && !s->tls_close_called) {
                if (g_trace)
                    fprintf(stderr, "  S: close_notify\n");
                s->tls_close_called = 1;
                br_ssl_engine_close(e);
                any = 1;
                continue;
            }
        }
        /* a cut: all is out, then close_notify or just EOF */
        if (s->cutting && s->out_off == s->out.len && !(st & BR_SSL_SENDREC)) {
            if (!s->cut_flushed) {
                s->cut_flushed = 1;      /* what is written goes first */
                br_ssl_engine_flush(e, 0);
                any = 1;
                continue;
            }
            if (s->pl->end == END_NOTIFY && !s->tls_close_called) {
                s->tls_close_called = 1;
                br_ssl_engine_close(e);
                any = 1;
                continue;
            }
            if (s->pl->end == END_EOF && s->pl->truncate
                && p->s2c.len - p->s2c_off >= 10)
                p->s2c.len -= 10;
            p->s2c_eof = 1;              /* the socket closes */
            s->active = 0;
            s->lg->closed = 1;
            return 1;
        }
        break;
    }
    return any;
}

/* ==== the pipe: the client's end ========================================= */

static int
pipe_open(pipe_t *p, int tls)
{
    p->s2c.len = p->c2s.len = p->s2c_off = p->c2s_off = 0;
    p->s2c_eof = p->reset = 0;
    p->open = 1;
    sv_begin(p->sv, p->nconn++, tls);
    return 0;
}

static int
pipe_read(pipe_t *p, unsigned char *buf, size_t len)
{
    size_t n = p->s2c.len - p->s2c_off;

    if (n == 0)
        return p->s2c_eof ? CS_E_CLOSED : 0;
    if (n > len)
        n = len;
    memcpy(buf, p->s2c.p + p->s2c_off, n);
    p->s2c_off += n;
    p->moved += n;
    if (p->s2c_off == p->s2c.len)
        p->s2c.len = p->s2c_off = 0;
    return (int)n;
}

static size_t
pipe_wroom(const pipe_t *p)
{
    size_t used = p->c2s.len - p->c2s_off, w = p->sv->pl->cwin;
    if (w == 0)
        return (size_t)1 << 30;
    return used >= w ? 0 : w - used;
}

static int
pipe_write(pipe_t *p, const unsigned char *buf, size_t len)
{
    size_t room = pipe_wroom(p);
    if (p->reset)
        return CS_E_IO;          /* ECONNRESET, EPIPE */
    if (room == 0)
        return 0;                /* the send buffer is full */
    if (len > room)
        len = room;
    b_add(&p->c2s, buf, len);
    p->moved += len;
    return (int)len;
}

static int
pipe_readable(const pipe_t *p)
{
    return p->open && (p->s2c.len > p->s2c_off || p->s2c_eof);
}

/* ==== the fault-injecting transport ====================================== */

enum { K_OPEN = 1, K_READ, K_WRITE };

/* What happens at call fail_at: it fails with an error and the
 * connection stays failed (F_FAIL); the link goes silent, every later
 * call of that connection moving nothing (F_HOLE); or one bit of the
 * next bytes read is flipped (F_FLIP). */
enum { F_FAIL, F_HOLE, F_FLIP };

typedef struct fw {
    pipe_t *p;
    size_t rmax, wmax;       /* reads/writes of 1..max bytes (0: whole) */
    int zero_pct;            /* reads and writes that return 0, percent */
    int mode;                /* F_* */
    long fail_at;            /* this call (0: none) */
    int code;                /* F_FAIL: with this (read/write) */
    int open_code;           /* or this (open) */
    long calls;
    int fired, fired_kind, fired_conn, fired_nev;
    int broken;              /* F_FAIL: this connection stays failed */
    int hole;                /* F_HOLE: this connection is silent */
    int flip;                /* F_FLIP: corrupt the next bytes read */
    int is_open, opens, closes, attempts;
    int pconn[MAXCONN + 2];  /* attempt (1-based) -> pipe connection */
    long bad_closed_io, bad_open_over, bad_len;
    int *nev;                /* the run's event count */
    const cs_client *cl;     /* for CS_TLS_TRACE */
} fw;

static void
trace(const fw *w, const char *op, size_t len, int r)
{
    if (g_trace && w->cl != NULL)
        fprintf(stderr, "  [%ld] %s %zu -> %d  client engine %#x\n",
                w->calls, op, len, r,
                br_ssl_engine_current_state(&w->cl->tls.sc.eng));
}

static void
fw_mark(fw *w, int kind)
{
    w->fired = 1;
    w->fired_kind = kind;
    w->fired_conn = w->attempts;
    w->fired_nev = *w->nev;
}

/* Counts a call; 1 when it is the one that fails (F_FAIL), goes silent
 * (F_HOLE: sets hole) or arms the flip (F_FLIP). */
static int
fw_fire(fw *w, int kind)
{
    w->calls++;
    if (w->fail_at == 0 || w->calls != w->fail_at)
        return 0;
    if (w->mode == F_FLIP) {
        w->flip = 1;             /* marked when it happens */
        return 0;
    }
    fw_mark(w, kind);
    if (w->mode == F_HOLE) {
        w->hole = 1;
        return 0;
    }
    w->broken = 1;
    return 1;
}

static int
fw_open(void *ctx, const cs_url *url)
{
    fw *w = (fw *)ctx;

    if (w->is_open)
        w->bad_open_over++;
    w->attempts++;
    w->broken = w->hole = 0;
    if (fw_fire(w, K_OPEN))
        return w->open_code;
    pipe_open(w->p, url->tls);
    if (w->attempts <= MAXCONN)
        w->pconn[w->attempts] = w->p->nconn - 1;
    w->is_open = 1;
    w->opens++;
    return 0;
}

static int
fw_read(void *ctx, unsigned char *buf, size_t len)
{
    fw *w = (fw *)ctx;
    int r;

    if (!w->is_open) {
        w->bad_closed_io++;
        return CS_E_IO;
    }
    if (len == 0 || len > CS_IO_MAX)
        w->bad_len++;
    if (w->broken)
        return w->code;
    if (fw_fire(w, K_READ))
        return w->code;
    if (w->hole)
        return 0;
    if (w->zero_pct > 0 && (int)rnd_below(100) < w->zero_pct)
        return 0;
    if (w->rmax > 0)
        len = 1 + rnd_below(len < w->rmax ? len : w->rmax);
    r = pipe_read(w->p, buf, len);
    if (r > 0 && w->flip) {
        w->flip = 0;
        fw_mark(w, K_READ);
        buf[rnd_below((size_t)r)] ^= (unsigned char)(1u << rnd_below(8));
    }
    trace(w, "read", len, r);
    return r;
}

static int
fw_write(void *ctx, const unsigned char *buf, size_t len)
{
    fw *w = (fw *)ctx;
    int r;

    if (!w->is_open) {
        w->bad_closed_io++;
        return CS_E_IO;
    }
    if (len == 0 || len > CS_IO_MAX)
        w->bad_len++;
    if (w->broken)
        return w->code;
    if (fw_fire(w, K_WRITE))
        return w->code;
    if (w->hole)
        return 0;
    if (w->zero_pct > 0 && (int)rnd_below(100) < w->zero_pct)
        return 0;
    if (w->wmax > 0)
        len = 1 + rnd_below(len < w->wmax ? len : w->wmax);
    r = pipe_write(w->p, buf, len);
    trace(w, "write", len, r);
    return r;
}

static int
fw_wait(void *ctx, int want, int *fd)
{
    fw *w = (fw *)ctx;
    *fd = w->is_open ? 100 + w->attempts : -1;
    return want;
}

static void
fw_close(void *ctx)
{
    fw *w = (fw *)ctx;
    trace(w, "close", 0, 0);
    if (w->is_open) {
        w->is_open = 0;
        w->closes++;
        w->p->open = 0;
    }
}

/* ==== a run: client, wrapper, pipe, server, events ======================= */

#define LINE 400

/* One event as a line; consecutive CS_EV_RAW slices merge into one. */
typedef struct evrec {
    int type, err, status, conn;
    int64_t detail;
    size_t rawlen;
    uint32_t rawh;
    char s[LINE];
} evrec;

typedef struct run {
    cs_client c;
    cs_config cfg;
    cs_transport tr;
    fw w;
    pipe_t p;
    srv *sv;
    plan pl;
    int64_t unix_time;
    uint64_t rng;            /* cfg.random */
    uint64_t now;
    int done, stuck, inited;
    int stop_on_complete;
    int allow_stall;         /* time may pass with a connection open */
    long steps, stop_at_step; /* cs_client_stop() after that step */
    uint64_t t_stop, t_done;
    long stalls;             /* time had to pass with a connection open */
    evrec *ev;
    int nev, cap;
} run;

#define T0 ((uint64_t)0x100000000u + 777u)

#define T_INSIDE 1893456000      /* 2030-01-01, inside every validity */
#define T_LEAF_END 2379888000    /* 2045-06-01 00:00:00, leaf notAfter */
#define T_LEAF_START 1748736000  /* 2025-06-01 00:00:00, leaf notBefore */

static int
trand(void *ctx, void *buf, size_t len)
{
    uint64_t *s = (uint64_t *)ctx;
    unsigned char *p = (unsigned char *)buf;
    size_t i;
    for (i = 0; i < len; i++) {
        *s = *s * 6364136223846793005u + 1442695040888963407u;
        p[i] = (unsigned char)(*s >> 56);
    }
    return 0;
}

static int
fixed_time(void *ctx, int64_t *s)
{
    *s = *(const int64_t *)ctx;
    return 0;
}

static const char *
evname(int type)
{
    static const char *const n[] = {
        "?", "CONNECTING", "CONNECTED", "MESSAGE", "RAW", "RAW_END",
        "REDIRECT", "FAILED", "DISCONNECTED", "RETRY", "WARNING"};
    return type >= 1 && type <= 10 ? n[type] : "?";
}

static evrec *
ev_push(run *r)
{
    if (r->nev == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->ev = (evrec *)xrealloc(r->ev, (size_t)r->cap * sizeof *r->ev);
    }
    memset(&r->ev[r->nev], 0, sizeof r->ev[0]);
    return &r->ev[r->nev++];
}

static void
fmt_msg(evrec *x, const cs_event *e)
{
    const cs_msg *m = e->msg;
    uint32_t h = 2166136261u;
    size_t i;
    char first[64];

    if (e->err != 0 || m == NULL) {
        snprintf(x->s, sizeof x->s, "MESSAGE err %d at %lld msg %p", e->err,
                 (long long)e->detail, (const void *)m);
        return;
    }
    first[0] = 0;
    for (i = 0; i < m->domain_count; i++) {
        size_t n;
        const char *d = cs_msg_domain(m, i, &n);
        h = fnv(h, d, n + 1);
        if (i == 0)
            snprintf(first, sizeof first, "%.*s", (int)n, d);
    }
    snprintf(x->s, sizeof x->s, "MESSAGE type %d has %x bad %x idx %llu "
             "seen %.17g ts %.17g name %.30s src %.30s|%.20s doms %zu/%zu %08x "
             "%.40s", m->type, m->has, m->bad,
             (unsigned long long)m->cert_index, m->seen, m->timestamp,
             m->type_name.buf, m->source_url.buf, m->source_name.buf,
             m->domain_count, m->domain_total, (unsigned)h, first);
}

static void
on_event(void *ctx, const cs_event *e)
{
    run *r = (run *)ctx;
    evrec *x;

    if (e->type == CS_EV_RAW && r->nev > 0
        && r->ev[r->nev - 1].type == CS_EV_RAW) {
        x = &r->ev[r->nev - 1];
    } else {
        x = ev_push(r);
        x->type = e->type;
        x->err = e->err;
        x->status = e->status;
        x->detail = e->detail;
        x->conn = r->w.attempts;
        x->rawh = 2166136261u;
    }
    switch (e->type) {
    case CS_EV_CONNECTING:
        snprintf(x->s, sizeof x->s, "CONNECTING %.*s", (int)e->len, e->text);
        break;
    case CS_EV_CONNECTED:
        snprintf(x->s, sizeof x->s, "CONNECTED %d", e->status);
        break;
    case CS_EV_MESSAGE:
        fmt_msg(x, e);
        break;
    case CS_EV_RAW:
        x->rawlen += e->len;
        if (e->len > 0)
            x->rawh = fnv(x->rawh, e->text, e->len);
        snprintf(x->s, sizeof x->s, "RAW %zu %08x", x->rawlen,
                 (unsigned)x->rawh);
        break;
    case CS_EV_RAW_END:
        snprintf(x->s, sizeof x->s, "RAW_END op %d", e->opcode);
        break;
    case CS_EV_FAILED:
        snprintf(x->s, sizeof x->s, "FAILED err %d status %d detail %lld",
                 e->err, e->status, (long long)e->detail);
        break;
    case CS_EV_DISCONNECTED:
        snprintf(x->s, sizeof x->s, "DISCONNECTED err %d status %d detail "
                 "%lld reason '%.*s'", e->err, e->status,
                 (long long)e->detail, (int)(e->len < 60 ? e->len : 60),
                 e->text != NULL ? e->text : "");
        if (e->err == 0 && r->stop_on_complete)
            cs_client_stop(&r->c);
        break;
    case CS_EV_RETRY:
        snprintf(x->s, sizeof x->s, "RETRY err %d", e->err);
        break;
    default:
        snprintf(x->s, sizeof x->s, "%s err %d", evname(e->type), e->err);
        break;
    }
}

/* A run with the config every test starts from: wss://localhost/feed,
 * verified against the test CA at 2030-01-01, raw slices on, reconnect
 * on; the perfect pipe. */
static run *
run_new(const plan *pl)
{
    run *r = (run *)xcalloc(sizeof *r);

    r->sv = (srv *)xcalloc(sizeof *r->sv);
    r->pl = *pl;
    r->sv->pl = &r->pl;
    r->p.sv = r->sv;
    r->w.p = &r->p;
    r->w.nev = &r->nev;
    r->w.cl = &r->c;
    r->w.code = CS_E_IO;
    r->w.open_code = CS_E_CONNECT;
    r->unix_time = T_INSIDE;
    r->rng = 0x853c49e6748fea9bu;
    r->now = T0;
    r->stop_on_complete = 1;
    cs_config_init(&r->cfg);
    r->cfg.url = "wss://localhost/feed";
    r->cfg.on_event = on_event;
    r->cfg.ctx = r;
    r->cfg.random = trand;
    r->cfg.random_ctx = &r->rng;
    r->cfg.raw = 1;
    r->cfg.tls.mode = CS_TLS_VERIFY;
    r->cfg.tls.anchors = V->ta_ca.ta;
    r->cfg.tls.anchor_count = V->ta_ca.count;
    r->cfg.tls.unix_time = fixed_time;
    r->cfg.tls.time_ctx = &r->unix_time;
    r->tr.open = fw_open;
    r->tr.read = fw_read;
    r->tr.write = fw_write;
    r->tr.wait = fw_wait;
    r->tr.close = fw_close;
    r->tr.ctx = &r->w;
    return r;
}

static unsigned char g_dom[256 * 1024];

static int
run_start(run *r)
{
    int rc;
    r->cfg.dom = g_dom;
    r->cfg.dom_cap = sizeof g_dom;
    rc = cs_client_init(&r->c, &r->cfg, &r->tr);
    r->inited = rc == 0;
    return rc;
}

/* Step and pump until the client finishes (or fails to). */
static void
run_drive(run *r, const char *what)
{
    long idle = 0, iters = 0;
    int stall_reported = 0;

    if (g_trace)
        fprintf(stderr, "RUN %s\n", what);
    while (!r->done) {
        cs_wait w;
        uint64_t before = r->p.moved;
        int nev = r->nev, rc, ready, pumped;

        if (++iters > 50000000L) {
            CHECKF(0, "%s: no end after %ld iterations", what, iters);
            r->stuck = 1;
            break;
        }
        rc = cs_client_step(&r->c, r->now, &w);
        if (rc == 1) {
            r->done = 1;
            r->t_done = r->now;
            break;
        }
        if (rc != 0) {
            CHECKF(0, "%s: cs_client_step returned %d", what, rc);
            r->stuck = 1;
            break;
        }
        if (++r->steps == r->stop_at_step) {
            cs_client_stop(&r->c);
            r->t_stop = r->now;
            continue;
        }
        pumped = sv_pump(r->sv, &r->p);
        if (pumped || r->p.moved != before || r->nev != nev) {
            idle = 0;
            continue;
        }
        ready = w.fd >= 0 && !r->w.hole
             && (((w.want & CS_WANT_READ) && pipe_readable(&r->p))
                 || ((w.want & CS_WANT_WRITE) && r->p.open
                     && pipe_wroom(&r->p) > 0));
        if (ready || w.deadline_ms <= r->now) {
            /* poll() would return at once: something must move soon */
            if (++idle > 20000) {
                CHECKF(0, "%s: busy loop: want %d fd %d deadline %+lld ms, "
                       "%zu bytes readable, nothing moves", what, w.want,
                       w.fd, (long long)(w.deadline_ms - r->now),
                       r->p.s2c.len - r->p.s2c_off);
                r->stuck = 1;
                break;
            }
            continue;
        }
        idle = 0;
        if (r->w.is_open && !r->allow_stall) {
            /* the peer has sent everything, the client waits for more */
            r->stalls++;
            if (!stall_reported++)
                CHECKF(0, "%s: stall with the connection open: want %d, "
                       "%zu bytes readable, eof %d, waits %llu ms (at event "
                       "%d: %s)", what, w.want, r->p.s2c.len - r->p.s2c_off,
                       r->p.s2c_eof,
                       (unsigned long long)(w.deadline_ms - r->now), r->nev,
                       r->nev > 0 ? r->ev[r->nev - 1].s : "-");
        }
        r->now = w.deadline_ms;
        if (r->now > T0 + 3600000u) {
            CHECKF(0, "%s: not done after an hour of fake time", what);
            r->stuck = 1;
            break;
        }
    }
    /* the server takes what is still in the pipe (the close, pongs) */
    while (sv_pump(r->sv, &r->p))
        ;
    if (r->sv->lg != NULL) {
        r->sv->lg->end_state = br_ssl_engine_current_state(&r->sv->sc.eng);
        r->sv->lg->end_c2s = r->p.c2s.len - r->p.c2s_off;
        r->sv->lg->end_s2c = r->p.s2c.len - r->p.s2c_off;
    }
}

/* Release the client; the wrapper's bookkeeping must balance. */
static void
run_end(run *r, const char *what)
{
    if (r->inited) {
        cs_client_close(&r->c);
        cs_client_close(&r->c);
    }
    CHECKF(!r->w.is_open, "%s: transport left open", what);
    CHECKF(r->w.opens == r->w.closes, "%s: %d opens, %d closes", what,
           r->w.opens, r->w.closes);
    CHECKF(r->w.bad_closed_io == 0, "%s: %ld reads/writes while closed",
           what, r->w.bad_closed_io);
    CHECKF(r->w.bad_open_over == 0, "%s: %ld opens over an open transport",
           what, r->w.bad_open_over);
    CHECKF(r->w.bad_len == 0, "%s: %ld calls with len 0 or > CS_IO_MAX",
           what, r->w.bad_len);
}

static void
run_free(run *r)
{
    b_free(&r->p.s2c);
    b_free(&r->p.c2s);
    b_free(&r->sv->in);
    b_free(&r->sv->out);
    free(r->sv);
    free(r->ev);
    free(r);
}

static void
dump_events(const run *r, int from, int to)
{
    int i;
    for (i = from < 0 ? 0 : from; i < r->nev && i < to; i++)
        fprintf(stderr, "    #%d c%d %s\n", i, r->ev[i].conn, r->ev[i].s);
}

/* ==== the reference ====================================================== */

/* One complete session: CONNECTED .. DISCONNECTED, and what the server
 * got. */
typedef struct sess {
    char (*line)[LINE];
    int n;
    int npong;
    char pong[MAXPING][32];
    int nping;
    char ping[MAXPING][32];
    int close_code;
} sess;

static sess g_ref_feed, g_ref_small, g_ref_stream;

static const slog *conn_log(const run *r, int conn);

static void
sess_free(sess *s)
{
    free(s->line);
    memset(s, 0, sizeof *s);
}

/* The session from event index at (CONNECTED) to its DISCONNECTED. */
static int
sess_end(const run *r, int at)
{
    int i;
    for (i = at; i < r->nev; i++)
        if (r->ev[i].type == CS_EV_DISCONNECTED)
            return i;
    return -1;
}

static void
sess_take(sess *s, const run *r, int at, int end)
{
    const slog *L;
    int i, conn = r->ev[at].conn;

    s->n = end - at + 1;
    s->line = (char (*)[LINE])xrealloc(NULL, (size_t)s->n * LINE);
    for (i = 0; i < s->n; i++)
        memcpy(s->line[i], r->ev[at + i].s, LINE);
    L = conn_log(r, conn);
    s->npong = L->npong;
    memcpy(s->pong, L->pong, sizeof s->pong);
    s->nping = L->nping;
    memcpy(s->ping, L->ping, sizeof s->ping);
    s->close_code = L->close_code;
}

/* The server's log of attempt conn (1-based, the wrapper's count; the
 * server counts successful opens only). */
static const slog *
conn_log(const run *r, int conn)
{
    int i = conn >= 1 && conn <= MAXCONN ? r->w.pconn[conn] : MAXCONN;
    return &r->sv->logs[i < MAXCONN ? i : MAXCONN];
}

/* The pongs the server got must be its pings, in order. */
static void
check_pongs(const slog *L, const char *what)
{
    int i;

    CHECKF(L->npong == L->nping, "%s: %d pings sent, %d pongs back", what,
           L->nping, L->npong);
    for (i = 0; i < L->npong && i < L->nping && i < MAXPING; i++)
        if (strcmp(L->pong[i], L->ping[i]) != 0) {
            CHECKF(0, "%s: pong %d is '%s', ping was '%s'", what, i,
                   L->pong[i], L->ping[i]);
            break;
        }
    CHECKF(L->bad == 0, "%s: client frame flags %#x", what, L->bad);
}

/* The end of a complete session as the server saw it: the client's
 * close frame (1000) and then its close_notify (RFC 5246 7.2.1: each
 * party sends one before closing its write side). Lost ones are tallied
 * (a failure, reported once per test with the first run that lost one). */
typedef struct tally {
    long n;
    char first[240];
} tally;

static tally g_lost_close, g_lost_notify;

static void
tally_add(tally *t, const char *what)
{
    if (t->n++ == 0)
        snprintf(t->first, sizeof t->first, "%s", what);
}

static void
check_close(const slog *L, const char *what)
{
    char d[200];

    snprintf(d, sizeof d, "%.100s (server: close %d, engine %s, error %d, "
             "state %#x, pipe c2s %zu s2c %zu)", what, L->close_code,
             L->closed ? "closed" : "open", L->eng_err, L->end_state,
             L->end_c2s, L->end_s2c);
    if (L->close_code != 1000)
        tally_add(&g_lost_close, d);
    else if (!(L->closed && L->eng_err == 0))
        tally_add(&g_lost_notify, d);
}

/* strict_notify 0 (the stop sweep): a stop may end on close_timeout_ms
 * with the link refusing bytes; RFC 5246 7.2.1 lets the closing side go
 * without the peer's reply, and the client's close_notify is then sent
 * best effort. Lost notifies are reported, not failed, there. */
static void
tally_report2(long runs, int strict_notify)
{
    CHECKF(g_lost_close.n == 0, "the server never got the client's close "
           "frame in %ld of %ld runs; first: %s", g_lost_close.n, runs,
           g_lost_close.first);
    if (strict_notify)
        CHECKF(g_lost_notify.n == 0, "the server got the close frame but "
               "no close_notify in %ld of %ld runs; first: %s",
               g_lost_notify.n, runs, g_lost_notify.first);
    else if (g_lost_notify.n > 0)
        printf("  (close_notify not complete at the server in %ld of %ld "
               "stop runs: best effort at close_timeout_ms)\n",
               g_lost_notify.n, runs);
    memset(&g_lost_close, 0, sizeof g_lost_close);
    memset(&g_lost_notify, 0, sizeof g_lost_notify);
}

static void
tally_report(long runs)
{
    tally_report2(runs, 1);
}

/* ==== a perfect run and its reference ==================================== */

/* The first session of a run: *at its CONNECTED, *end its DISCONNECTED. */
static int
one_session(const run *r, int *at, int *end)
{
    int i;
    *at = *end = -1;
    for (i = 0; i < r->nev; i++)
        if (r->ev[i].type == CS_EV_CONNECTED) {
            *at = i;
            break;
        }
    if (*at < 0)
        return 0;
    *end = sess_end(r, *at);
    return *end >= 0;
}

/* Compare the session at r->ev[at..end] with the reference. Returns 1 if
 * equal; reports the first difference. */
static int
sess_equal(const sess *ref, const run *r, int at, int end, const char *what)
{
    int i, n = end - at + 1;

    for (i = 0; i < n && i < ref->n; i++)
        if (strcmp(ref->line[i], r->ev[at + i].s) != 0) {
            CHECKF(0, "%s: event %d of the session differs:\n    got  %s\n"
                   "    want %s", what, i, r->ev[at + i].s, ref->line[i]);
            return 0;
        }
    if (n != ref->n) {
        CHECKF(0, "%s: session has %d events, reference %d (next: %s)", what,
               n, ref->n, n > ref->n ? r->ev[at + ref->n].s
                                     : ref->line[n]);
        return 0;
    }
    return 1;
}

/* Is r->ev[at..at+n) a prefix of the reference (without its last)? */
static int
sess_prefix(const sess *ref, const run *r, int at, int n, const char *what)
{
    int i;
    if (n > ref->n - 1) {
        CHECKF(0, "%s: cut session has %d events, more than the reference",
               what, n);
        return 0;
    }
    for (i = 0; i < n; i++) {
        /* the RAW slices of a cut message may be a prefix of its line */
        if (strcmp(ref->line[i], r->ev[at + i].s) != 0
            && !(i == n - 1 && r->ev[at + i].type == CS_EV_RAW
                 && strncmp(ref->line[i], "RAW ", 4) == 0)) {
            CHECKF(0, "%s: cut session event %d differs:\n    got  %s\n"
                   "    want %s", what, i, r->ev[at + i].s, ref->line[i]);
            return 0;
        }
    }
    return 1;
}

/* Checks of the feed's reference against what the server sent. */
static void
check_feed_ref(const run *r, int at, int end)
{
    bytes m = {0};
    int i, k = 0, msgs = 0;

    for (i = at; i <= end; i++) {
        const evrec *e = &r->ev[i];
        if (e->type == CS_EV_RAW) {
            msg_text(&r->pl, k, &m);
            CHECKF(e->rawlen == m.len
                   && e->rawh == fnv(2166136261u, m.p, m.len),
                   "raw message %d: %zu bytes %08x, sent %zu %08x", k,
                   e->rawlen, (unsigned)e->rawh, m.len,
                   (unsigned)fnv(2166136261u, m.p, m.len));
        }
        if (e->type == CS_EV_RAW_END)
            k++;
        if (e->type == CS_EV_MESSAGE)
            msgs++;
    }
    CHECKF(k == r->pl.nmsg && msgs == r->pl.nmsg,
           "%d raw ends, %d messages, sent %d", k, msgs, r->pl.nmsg);
    /* a few fields, to know the reference is not garbage */
    for (i = at, k = 0; i <= end; i++) {
        const evrec *e = &r->ev[i];
        int id = feed_id(&r->pl, k);
        if (e->type != CS_EV_MESSAGE)
            continue;
        k++;
        if (id == 0)
            CHECKF(strstr(e->s, "type 1 ") && strstr(e->s, "idx 123456789")
                   && strstr(e->s, "doms 2/2"), "message 0: %s", e->s);
        if (id == 3)
            CHECKF(strstr(e->s, "doms 1500/1500"), "message 3: %s", e->s);
        if (id == 4)
            CHECKF(strstr(e->s, "idx 42") && strstr(e->s, "doms 3/3"),
                   "message 4: %s", e->s);
        if (id == 5)
            CHECKF(e->err == CS_E_JSON_SYNTAX, "message 5: %s", e->s);
        if (id == 9)
            CHECKF(strstr(e->s, "doms 3000/3000"), "message 9: %s", e->s);
    }
    CHECKF(strcmp(r->ev[end].s, "DISCONNECTED err 0 status 1000 detail 0 "
                  "reason 'bye'") == 0, "end: %s", r->ev[end].s);
    b_free(&m);
}

static const plan P_FEED = {1, FEED_N, 0, 1, END_CLOSE, 0, 0, 0, 0, 0, NULL,
                             0};

static const plan P_SMALL = {2, SMALL_N, 0, 1, END_CLOSE, 0, 0, 0, 0, 0,
                              NULL, 0};

/* A reference: the plan over a perfect pipe. */
static void
reference(const plan *pl, sess *ref, const char *what)
{
    run *r;
    int at, end;
    const slog *L;

    r = run_new(pl);
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    CHECK(r->done && !r->stuck);
    CHECK(cs_client_result(&r->c) == 0);
    if (!one_session(r, &at, &end)) {
        CHECKF(0, "%s: no complete session", what);
        dump_events(r, 0, 40);
    } else {
        check_feed_ref(r, at, end);
        sess_take(ref, r, at, end);
        CHECKF(r->nev == end + 1, "%s: %d events after the session", what,
               r->nev - end - 1);
    }
    CHECK(r->w.attempts == 1 && r->stalls == 0);
    L = conn_log(r, 1);
    CHECK(L->upgraded && strcmp(L->path, "/feed") == 0
          && strcmp(L->host, "localhost") == 0);
    CHECK(L->close_code == 1000 && L->closed && L->eng_err == 0);
    check_pongs(L, what);
    CHECK(L->nping == 2);
    CHECK(cs_client_stats(&r->c)->messages == (uint64_t)pl->nmsg);
    CHECK(cs_client_stats(&r->c)->pings_answered == 2);
    {
        size_t n = 0;
        const char *t = cs_client_trust(&r->c, &n, NULL);
        CHECK(n == 1 && t != NULL && strstr(t, "caller") != NULL);
    }
    CHECK(cs_tls_last_error(&r->c.tls) == 0);
    if (test_cur_failed)
        dump_events(r, 0, 40);
    run_end(r, what);
    run_free(r);
}

static void
test_reference(void)
{
    reference(&P_FEED, &g_ref_feed, "reference");
    reference(&P_SMALL, &g_ref_small, "small reference");
}

/* ==== split invariance =================================================== */

/* One run with reads/writes of 1..rmax/wmax bytes and zero_pct would-
 * blocks, against the reference sess. */
static void
split_run(const plan *pl, const sess *ref, size_t rmax, size_t wmax,
          int zero, uint64_t seed, const char *tag)
{
    char what[128];
    run *r;
    int at, end;

    snprintf(what, sizeof what, "%s rmax %zu wmax %zu zero %d seed %llu",
             tag, rmax, wmax, zero, (unsigned long long)seed);
    g_rng = seed;
    r = run_new(pl);
    r->w.rmax = rmax;
    r->w.wmax = wmax;
    r->w.zero_pct = zero;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    CHECKF(r->done && cs_client_result(&r->c) == 0, "%s: done %d result %d",
           what, r->done, cs_client_result(&r->c));
    CHECKF(r->w.attempts == 1, "%s: %d attempts", what, r->w.attempts);
    if (one_session(r, &at, &end)) {
        const slog *L = conn_log(r, 1);
        sess_equal(ref, r, at, end, what);
        check_pongs(L, what);
        CHECKF(L->npong == ref->npong, "%s: %d pongs (ref %d)", what,
               L->npong, ref->npong);
        check_close(L, what);
    } else {
        CHECKF(0, "%s: no complete session", what);
        dump_events(r, r->nev - 10, r->nev);
    }
    run_end(r, what);
    run_free(r);
}

static void
test_split(void)
{
    static const size_t ks[] = {1, 2, 3, 5, 13, 64, 700, 0};
    static const int zs[] = {0, 30, 70};
    size_t i, j;
    int n = 0, seeds = g_slow ? 1 : 3, s;

    for (i = 0; i < sizeof ks / sizeof ks[0]; i++)
        for (j = 0; j < sizeof zs / sizeof zs[0]; j++)
            for (s = 0; s < seeds && test_cur_failed <= 10; s++) {
                size_t wk = ks[(i + j + (size_t)s) % 8];
                split_run(&P_FEED, &g_ref_feed, ks[i], wk, zs[j],
                          1000u + 17u * i + 5u * j + (uint64_t)s, "split");
                n++;
            }
    printf("split: %d runs\n", n);
    tally_report(n);
}

/* ==== the fault sweep ==================================================== */

/* The error that the fault may end an attempt or a connection with. */
static int
fault_err_ok(const run *r, int err)
{
    const fw *w = &r->w;

    switch (w->mode) {
    case F_FAIL:
        if (w->fired_kind == K_OPEN)
            return err == w->open_code;
        if (w->fired_kind == K_READ && w->code == CS_E_CLOSED)
            return err == CS_E_TLS_TRUNCATED;
        return err == w->code;
    case F_HOLE:
        return err == CS_E_TIMEOUT || err == CS_E_DEAD;
    default:
        /* a flipped bit: BearSSL notices (the record MAC, the handshake
         * hash, the certificate), or the record got longer and never
         * completes */
        return (err <= CS_E_TLS && err >= -59) || err == CS_E_TIMEOUT
            || err == CS_E_DEAD;
    }
}

static const char *const fmode_name[] = {"fail", "hole", "flip"};

/* The k-th transport call meets the fault; runs until a complete
 * session. Returns 1 when the fault happened. */
static int
fault_run(int mode, long k, int code, int open_code, size_t rmax, int zero,
          long *failures)
{
    char what[160];
    run *r;
    int i, complete = 0, fails = 0;

    snprintf(what, sizeof what, "%s: call %ld code %d/%d rmax %zu zero %d",
             fmode_name[mode], k, code, open_code, rmax, zero);
    g_rng = 7777u + (uint64_t)k * 31u + (uint64_t)(-code) + rmax
          + (uint64_t)mode * 1000003u;
    r = run_new(&P_SMALL);
    r->w.mode = mode;
    r->w.fail_at = k;
    r->w.code = code;
    r->w.open_code = open_code;
    r->w.rmax = rmax;
    r->w.wmax = rmax;
    r->w.zero_pct = zero;
    r->allow_stall = mode != F_FAIL;
    CHECK(run_start(r) == 0);
    run_drive(r, what);

    for (i = 0; i < r->nev; i++) {
        const evrec *e = &r->ev[i];
        if (e->type == CS_EV_FAILED) {
            fails++;
            CHECKF(r->w.fired && e->conn == r->w.fired_conn
                   && fault_err_ok(r, e->err),
                   "%s: %s (attempt %d; fault %s in attempt %d, call kind "
                   "%d)", what, e->s, e->conn,
                   r->w.fired ? "fired" : "not fired", r->w.fired_conn,
                   r->w.fired_kind);
        } else if (e->type == CS_EV_CONNECTED) {
            int end = sess_end(r, i);
            if (end < 0) {
                CHECKF(0, "%s: a session with no end", what);
                break;
            }
            if (r->ev[end].err == 0) {
                const slog *L = conn_log(r, e->conn);
                complete++;
                sess_equal(&g_ref_small, r, i, end, what);
                check_pongs(L, what);
                /* a fault in this session: only once it was all
                 * delivered (the close echo, or the TLS close) */
                if (r->w.fired && r->w.fired_conn == e->conn)
                    CHECKF(r->w.fired_nev >= end, "%s: the fault (at event "
                           "%d) left no trace in a session that ended at "
                           "%d", what, r->w.fired_nev, end);
                else
                    check_close(L, what);
            } else {
                fails++;
                sess_prefix(&g_ref_small, r, i, end - i, what);
                CHECKF(r->w.fired && e->conn == r->w.fired_conn
                       && fault_err_ok(r, r->ev[end].err),
                       "%s: %s (attempt %d; fault in attempt %d, call kind "
                       "%d)", what, r->ev[end].s, e->conn, r->w.fired_conn,
                       r->w.fired_kind);
            }
            i = end;
        }
    }
    CHECKF(fails <= 1, "%s: %d failures from one fault", what, fails);
    CHECKF(complete == 1, "%s: %d complete sessions", what, complete);
    CHECKF(r->done && cs_client_result(&r->c) == 0, "%s: done %d result %d",
           what, r->done, cs_client_result(&r->c));
    if (test_cur_failed)
        dump_events(r, 0, r->nev < 60 ? r->nev : 60);
    run_end(r, what);
    *failures += fails;
    i = r->w.fired;
    run_free(r);
    return i;
}

typedef struct smode {
    size_t rmax;
    int zero;
    long stride, slow_stride;
} smode;

/* For k = 1, 1 + stride, ... until k is past every call of a session. */
static void
sweep(int mode, const smode *modes, size_t nmodes, long min_fired)
{
    static const int codes[2][2] = {{CS_E_IO, CS_E_CONNECT},
                                    {CS_E_CLOSED, CS_E_DNS}};
    size_t m;
    long runs = 0, fired = 0, failures = 0;
    int c;

    for (m = 0; m < nmodes; m++)
        for (c = 0; c < (mode == F_FAIL ? 2 : 1); c++) {
            long k, step = g_slow ? modes[m].slow_stride : modes[m].stride;
            for (k = 1; k < 1000000 && test_cur_failed <= 10; k += step) {
                runs++;
                if (!fault_run(mode, k, codes[c][0], codes[c][1],
                               modes[m].rmax, modes[m].zero, &failures))
                    break;
                fired++;
            }
            if (g_trace || getenv("CS_TLS_PROGRESS"))
                fprintf(stderr, "%s sweep: rmax %zu zero %d code %d: k up "
                        "to %ld\n", fmode_name[mode], modes[m].rmax,
                        modes[m].zero, codes[c][0], k);
        }
    printf("%s sweep: %ld runs, %ld with the fault, which ended %ld "
           "attempts or connections\n", fmode_name[mode], runs, fired,
           failures);
    CHECK(fired >= min_fired);
    tally_report(runs);
}

/* Every call fails in turn, with an error (CS_E_IO; CS_E_CONNECT for
 * open) or EOF (CS_E_CLOSED; CS_E_DNS for open). */
static void
test_fault_sweep(void)
{
    static const smode modes[] = {
        {0, 0, 1, 1}, {17, 20, 2, 5}, {3, 0, 4, 16}};
    sweep(F_FAIL, modes, sizeof modes / sizeof modes[0], 400);
}

/* The link goes silent at every call in turn: the attempt times out or
 * the connection is found dead, and the next one works. */
static void
test_hole_sweep(void)
{
    static const smode modes[] = {{0, 0, 1, 1}, {17, 20, 5, 20}};
    sweep(F_HOLE, modes, sizeof modes / sizeof modes[0], 50);
}

/* One bit flips in what is read at every call in turn: never a wrong
 * event, the connection fails, the next one works. */
static void
test_flip_sweep(void)
{
    static const smode modes[] = {{0, 0, 1, 1}, {17, 20, 2, 10}};
    sweep(F_FLIP, modes, sizeof modes / sizeof modes[0], 50);
}

/* ==== the mono buffer under load ========================================= */

static const plan P_STREAM = {0, 2000, 50, 7, END_CLOSE, 0, 0, 24000, 0,
                               0, NULL, 0};

static void
stream_run(size_t rmax, int zero, size_t cwin, uint64_t seed, int ref)
{
    char what[128];
    plan pl = P_STREAM;
    run *r;
    int at, end;
    const slog *L;

    snprintf(what, sizeof what, "stream rmax %zu zero %d cwin %zu seed %llu",
             rmax, zero, cwin, (unsigned long long)seed);
    g_rng = seed;
    pl.cwin = cwin;
    r = run_new(&pl);
    r->cfg.raw = 0;
    r->w.rmax = rmax;
    r->w.wmax = rmax;
    r->w.zero_pct = zero;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    CHECKF(r->done && cs_client_result(&r->c) == 0 && r->w.attempts == 1,
           "%s: done %d result %d attempts %d", what, r->done,
           cs_client_result(&r->c), r->w.attempts);
    L = conn_log(r, 1);
    CHECKF(L->units == P_STREAM.nmsg && L->nping == 40,
           "%s: %d messages, %d pings sent", what, L->units, L->nping);
    check_pongs(L, what);
    check_close(L, what);
    CHECKF(cs_client_stats(&r->c)->messages == (uint64_t)P_STREAM.nmsg,
           "%s: %llu messages", what,
           (unsigned long long)cs_client_stats(&r->c)->messages);
    CHECKF(cs_client_stats(&r->c)->pings_answered == 40,
           "%s: %llu pings answered", what,
           (unsigned long long)cs_client_stats(&r->c)->pings_answered);
    if (one_session(r, &at, &end)) {
        if (ref)
            sess_take(&g_ref_stream, r, at, end);
        else
            sess_equal(&g_ref_stream, r, at, end, what);
    } else {
        CHECKF(0, "%s: no complete session", what);
    }
    run_end(r, what);
    run_free(r);
}

static void
test_mono_load(void)
{
    int n = 0;

    stream_run(0, 0, 0, 1, 1);
    stream_run(1500, 0, 0, 2, 0);
    stream_run(100, 25, 0, 3, 0);
    stream_run(0, 0, 10, 4, 0);
    n = 4;
    if (!g_slow) {
        stream_run(7, 10, 0, 5, 0);
        stream_run(5000, 50, 0, 6, 0);
        stream_run(300, 20, 50, 7, 0);
        n += 3;
    }
    printf("mono buffer under load: %d runs of %d messages, 40 pings\n", n,
           P_STREAM.nmsg);
    tally_report(n);
}

/* ==== the end of a session on a slow link ============================== */

/* The server closes (1000); the client's echo and its close_notify must
 * reach the server even when the link takes few bytes per call: writes
 * of 1 byte, or a send buffer that holds 16 bytes until the server reads
 * (which it does between two cs_client_step calls). The client reports
 * a clean close (DISCONNECTED err 0, status 1000) either way. */
static void
close_run(size_t wmax, size_t cwin, const char *what)
{
    plan pl = P_SMALL;
    run *r;
    const slog *L;

    pl.cwin = cwin;
    g_rng = 4242u;
    r = run_new(&pl);
    r->w.wmax = wmax;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    CHECKF(r->done && cs_client_result(&r->c) == 0 && r->w.attempts == 1,
           "%s: done %d result %d attempts %d", what, r->done,
           cs_client_result(&r->c), r->w.attempts);
    CHECKF(r->nev > 0 && strcmp(r->ev[r->nev - 1].s, "DISCONNECTED err 0 "
                                "status 1000 detail 0 reason 'bye'") == 0,
           "%s: last event %s", what, r->nev > 0 ? r->ev[r->nev - 1].s : "-");
    L = conn_log(r, 1);
    check_pongs(L, what);
    CHECKF(L->close_code == 1000, "%s: the server got no close frame (%d)",
           what, L->close_code);
    CHECKF(L->closed && L->eng_err == 0, "%s: the server got no "
           "close_notify (engine %s, error %d, state %#x)", what,
           L->closed ? "closed" : "open", L->eng_err, L->end_state);
    run_end(r, what);
    run_free(r);
}

static void
test_close_flush(void)
{
    close_run(0, 0, "whole writes");
    close_run(1, 0, "1-byte writes");
    close_run(0, 16, "16-byte send buffer");
    close_run(0, 40, "40-byte send buffer");
}

/* ==== stop at every step ================================================ */

/* cs_client_stop() after step n: the client says goodbye (a close 1000
 * the server echoes) if it was connected, finishes within
 * close_timeout_ms, and leaves nothing open. Returns 0 once the session
 * completed before step n. */
static int
stop_run(long n, size_t rmax, int zero)
{
    char what[96];
    run *r;
    int i, connected = -1, ended = -1, complete = 0;

    snprintf(what, sizeof what, "stop after step %ld rmax %zu zero %d", n,
             rmax, zero);
    g_rng = 5150u + (uint64_t)n + rmax;
    r = run_new(&P_SMALL);
    r->stop_at_step = n;
    r->w.rmax = r->w.wmax = rmax;
    r->w.zero_pct = zero;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    for (i = 0; i < r->nev; i++) {
        if (r->ev[i].type == CS_EV_CONNECTED)
            connected = i;
        if (r->ev[i].type == CS_EV_DISCONNECTED)
            ended = i;
    }
    complete = r->t_stop == 0;
    CHECKF(r->done && cs_client_result(&r->c) == 0 && r->w.attempts == 1,
           "%s: done %d result %d attempts %d", what, r->done,
           cs_client_result(&r->c), r->w.attempts);
    if (!complete)
        CHECKF(r->t_done <= r->t_stop + r->cfg.close_timeout_ms,
               "%s: finished %llu ms after the stop", what,
               (unsigned long long)(r->t_done - r->t_stop));
    if (connected >= 0) {
        const slog *L = conn_log(r, 1);
        CHECKF(ended > connected
               && r->ev[ended].err == 0 && r->ev[ended].status == 1000
               && ended == r->nev - 1, "%s: ended with %s", what,
               ended >= 0 ? r->ev[ended].s : "nothing");
        if (ended > connected)
            sess_prefix(&g_ref_small, r, connected,
                        ended - connected, what);
        if (complete)
            sess_equal(&g_ref_small, r, connected, ended, what);
        check_close(L, what);
    } else {
        CHECKF(r->nev <= 1, "%s: %d events, no connection", what, r->nev);
    }
    if (test_cur_failed)
        dump_events(r, 0, r->nev);
    run_end(r, what);
    run_free(r);
    return !complete;
}

static void
test_stop_sweep(void)
{
    static const struct {
        size_t rmax;
        int zero;
        long stride;
    } modes[] = {{0, 0, 1}, {17, 20, 3}, {1, 0, 7}};
    size_t m;
    long runs = 0, n;

    for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        long step = modes[m].stride * (g_slow ? 3 : 1);
        for (n = 1; n < 100000 && test_cur_failed <= 10; n += step) {
            runs++;
            if (!stop_run(n, modes[m].rmax, modes[m].zero))
                break;
        }
    }
    printf("stop sweep: %ld runs\n", runs);
    tally_report2(runs, 0);
}

/* ==== redirects: TLS is chosen per attempt =============================== */

/* A 302 to loc on the first connection; then the session on the second.
 * want_err: what the second attempt fails with (0: it works); tls2 -1:
 * the redirect itself is refused with want_err. */
static void
redirect_run(const char *url, const char *loc, int tls1, int tls2,
             const char *path2, int want_err, int want_br)
{
    char what[160];
    plan pl = P_SMALL;
    run *r;
    const slog *L1, *L2;
    int at, end;

    snprintf(what, sizeof what, "%s -> 302 %s", url, loc);
    pl.redirect = loc;
    g_rng = 31337u;
    r = run_new(&pl);
    r->cfg.url = url;
    r->cfg.reconnect = 0;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    L1 = conn_log(r, 1);
    L2 = conn_log(r, 2);
    if (tls2 < 0) {
        /* refused: no second attempt */
        const evrec *f = &r->ev[r->nev - 1];
        CHECKF(r->w.attempts == 1 && r->nev == 2 && f->type == CS_EV_FAILED
               && f->err == want_err && f->status == 302,
               "%s: %d attempts, want FAILED %d status 302, got %s", what,
               r->w.attempts, want_err, f->s);
        CHECKF(L1->tls == tls1 && L1->requested, "%s: first connection",
               what);
        run_end(r, what);
        run_free(r);
        return;
    }
    CHECKF(r->w.attempts == 2 && r->nev >= 3
           && r->ev[1].type == CS_EV_REDIRECT
           && r->ev[2].type == CS_EV_CONNECTING,
           "%s: %d attempts, events %s / %s", what, r->w.attempts,
           r->nev > 1 ? r->ev[1].s : "-", r->nev > 2 ? r->ev[2].s : "-");
    CHECKF(L1->tls == tls1 && L1->requested && !L1->upgraded,
           "%s: first connection tls %d requested %d", what, L1->tls,
           L1->requested);
    CHECKF(L2->tls == tls2, "%s: second connection tls %d", what, L2->tls);
    if (want_err == 0) {
        CHECKF(strcmp(L2->path, path2) == 0, "%s: path %s", what, L2->path);
        if (one_session(r, &at, &end)) {
            sess_equal(&g_ref_small, r, at, end, what);
            check_pongs(L2, what);
            check_close(L2, what);
        } else {
            CHECKF(0, "%s: no session", what);
        }
        CHECKF(r->done && cs_client_result(&r->c) == 0, "%s: result %d",
               what, cs_client_result(&r->c));
    } else {
        const evrec *f = &r->ev[r->nev - 1];
        CHECKF(f->type == CS_EV_FAILED && f->err == want_err
               && f->detail == want_br, "%s: want FAILED %d detail %d, got "
               "%s", what, want_err, want_br, f->s);
        CHECKF(!L2->requested, "%s: the request went out", what);
    }
    if (test_cur_failed)
        dump_events(r, 0, r->nev);
    run_end(r, what);
    run_free(r);
}

static void
test_redirect(void)
{
    redirect_run("ws://localhost/feed", "wss://localhost/feed", 0, 1,
                 "/feed", 0, 0);
    /* never from wss:// to cleartext */
    redirect_run("wss://localhost/feed", "ws://localhost/plain", 1, -1, "",
                 CS_E_TLS_DOWNGRADE, 0);
    redirect_run("wss://localhost/feed", "http://localhost/plain", 1, -1, "",
                 CS_E_TLS_DOWNGRADE, 0);
    redirect_run("wss://localhost/feed", "/moved", 1, 1, "/moved", 0, 0);
    redirect_run("wss://localhost/feed", "https://LOCALHOST/up", 1, 1, "/up",
                 0, 0);
    redirect_run("wss://localhost/feed", "wss://other.example/x", 1, 1, "",
                 CS_E_TLS_NAME, BR_ERR_X509_BAD_SERVER_NAME);
    tally_report(6);
}

/* ==== the server refuses during the handshake ============================ */

/* After n bytes of the client's handshake the server sends a fatal
 * handshake_failure alert in clear and resets the connection (the next
 * write fails): the attempt fails with CS_E_TLS_ALERT whether the client
 * was reading (BearSSL decodes the alert) or writing (the header looks
 * for an alert in what is left to read). Returns 0 once n is past the
 * client's handshake (the session then completes). */
static tally g_alert_whole, g_alert_split;

static int
alert_run(size_t n, size_t rmax, int zero)
{
    char what[96];
    plan pl = P_SMALL;
    run *r;
    const evrec *f;
    int refused;

    snprintf(what, sizeof what, "alert after %zu bytes rmax %zu zero %d", n,
             rmax, zero);
    pl.alert_at = n;
    g_rng = 8080u + n + rmax;
    r = run_new(&pl);
    r->cfg.reconnect = 0;
    r->w.rmax = r->w.wmax = rmax;
    r->w.zero_pct = zero;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    refused = !r->sv->logs[0].tls_up;
    f = r->nev > 0 ? &r->ev[r->nev - 1] : NULL;
    if (refused && !(f != NULL && f->type == CS_EV_FAILED
                     && f->err == CS_E_TLS_ALERT
                     && f->detail == BR_ERR_RECV_FATAL_ALERT + 40)) {
        char d[200];
        snprintf(d, sizeof d, "%.60s: %.100s", what,
                 f != NULL ? f->s : "nothing");
        tally_add(rmax == 0 && zero == 0 ? &g_alert_whole : &g_alert_split,
                  d);
    }
    if (refused)
        CHECKF(f != NULL && f->type == CS_EV_FAILED && r->nev == 2,
               "%s: %s", what, f != NULL ? f->s : "nothing");
    else
        CHECKF(r->done && cs_client_result(&r->c) == 0, "%s: result %d",
               what, cs_client_result(&r->c));
    if (test_cur_failed && g_trace)
        dump_events(r, 0, r->nev);
    run_end(r, what);
    run_free(r);
    return refused;
}

static void
test_alert(void)
{
    static const struct {
        size_t rmax;
        int zero;
        size_t stride;
    } modes[] = {{0, 0, 1}, {17, 20, 3}, {2, 0, 5}};
    size_t m, n;
    long runs[3] = {0, 0, 0};

    for (m = 0; m < sizeof modes / sizeof modes[0]; m++)
        for (n = 1; n < 100000 && test_cur_failed <= 10;
             n += modes[m].stride * (g_slow ? 3 : 1)) {
            runs[m]++;
            if (!alert_run(n, modes[m].rmax, modes[m].zero))
                break;
        }
    printf("alert sweep: %ld runs with whole reads, %ld with short ones\n",
           runs[0], runs[1] + runs[2]);
    CHECKF(g_alert_whole.n == 0, "whole reads: %ld of %ld refusals not "
           "reported as the alert; first: %s", g_alert_whole.n, runs[0],
           g_alert_whole.first);
    /* the same refusal, read in pieces or after a "would block" */
    CHECKF(g_alert_split.n == 0, "short reads: %ld of %ld refusals not "
           "reported as the alert; first: %s", g_alert_split.n,
           runs[1] + runs[2], g_alert_split.first);
}

/* ==== certificate checks ================================================= */

/* One attempt that must fail with err (BearSSL code br), reconnect off. */
static void
expect_fail(run *r, int err, int br, const char *what)
{
    const evrec *f = NULL;
    int i;

    r->cfg.reconnect = 0;
    CHECKF(run_start(r) == 0, "%s: init", what);
    run_drive(r, what);
    for (i = 0; i < r->nev; i++)
        if (r->ev[i].type == CS_EV_FAILED)
            f = &r->ev[i];
    CHECKF(f != NULL && f->err == err && f->detail == br,
           "%s: want FAILED err %d detail %d, got %s", what, err, br,
           f != NULL ? f->s : "none");
    CHECKF(r->nev == 2 && r->ev[0].type == CS_EV_CONNECTING,
           "%s: %d events", what, r->nev);
    CHECKF(cs_client_result(&r->c) == err, "%s: result %d", what,
           cs_client_result(&r->c));
    CHECKF(cs_tls_last_error(&r->c.tls) == br, "%s: cs_tls_last_error %d",
           what, cs_tls_last_error(&r->c.tls));
    CHECKF(r->sv->logs[0].upgraded == 0, "%s: the request went out", what);
    CHECKF(r->stalls == 0, "%s: stalled", what);
    run_end(r, what);
    run_free(r);
}

/* One complete session equal to the reference. */
static void
expect_ok(run *r, const char *what)
{
    int at, end;

    CHECKF(run_start(r) == 0, "%s: init", what);
    run_drive(r, what);
    CHECKF(r->done && cs_client_result(&r->c) == 0 && r->w.attempts == 1,
           "%s: done %d result %d attempts %d", what, r->done,
           cs_client_result(&r->c), r->w.attempts);
    if (one_session(r, &at, &end)) {
        sess_equal(&g_ref_feed, r, at, end, what);
        check_pongs(conn_log(r, 1), what);
        check_close(conn_log(r, 1), what);
    } else {
        CHECKF(0, "%s: no session", what);
        dump_events(r, 0, 10);
    }
    run_end(r, what);
    run_free(r);
}

static void
test_untrusted(void)
{
    run *r = run_new(&P_FEED);
    r->cfg.tls.anchors = V->ta_other.ta;
    r->cfg.tls.anchor_count = V->ta_other.count;
    expect_fail(r, CS_E_TLS_UNTRUSTED, BR_ERR_X509_NOT_TRUSTED, "other CA");
    CHECK(BR_ERR_X509_NOT_TRUSTED == 62);

    /* with reconnect on: it keeps trying, one connection at a time */
    r = run_new(&P_FEED);
    r->cfg.tls.anchors = V->ta_other.ta;
    r->cfg.tls.anchor_count = V->ta_other.count;
    r->stop_at_step = 40;
    CHECK(run_start(r) == 0);
    run_drive(r, "other CA, reconnecting");
    CHECKF(r->done && r->w.attempts >= 3 && r->nev >= 9,
           "reconnecting: done %d, %d attempts", r->done, r->w.attempts);
    {
        int i, f = 0;
        for (i = 0; i < r->nev; i++)
            if (r->ev[i].type == CS_EV_FAILED) {
                f++;
                CHECKF(r->ev[i].err == CS_E_TLS_UNTRUSTED
                       && r->ev[i].detail == 62, "reconnecting: %s",
                       r->ev[i].s);
            }
        /* the stop may come during the last attempt: no event for it */
        CHECKF(f == r->w.attempts
               || (f == r->w.attempts - 1
                   && r->ev[r->nev - 1].type == CS_EV_CONNECTING),
               "%d FAILED, %d attempts", f, r->w.attempts);
    }
    run_end(r, "other CA, reconnecting");
    run_free(r);
}

static void
test_name(void)
{
    run *r = run_new(&P_FEED);
    r->cfg.url = "wss://other.example/feed";
    expect_fail(r, CS_E_TLS_NAME, BR_ERR_X509_BAD_SERVER_NAME, "other name");

    /* an IP SAN is never matched by BearSSL: the IP error says so */
    r = run_new(&P_FEED);
    r->cfg.url = "wss://127.0.0.1/feed";
    expect_fail(r, CS_E_TLS_IP_NAME, BR_ERR_X509_BAD_SERVER_NAME, "IP host");

    /* names compare case-insensitively */
    r = run_new(&P_FEED);
    r->cfg.url = "wss://LocalHost/feed";
    CHECK(run_start(r) == 0);
    run_drive(r, "LocalHost");
    CHECK(r->done && cs_client_result(&r->c) == 0 && r->w.attempts == 1);
    run_end(r, "LocalHost");
    run_free(r);
}

static void
test_dates(void)
{
    run *r = run_new(&P_FEED);
    r->unix_time = (int64_t)2382480000;          /* 2045-07-01 */
    expect_fail(r, CS_E_TLS_EXPIRED, BR_ERR_X509_EXPIRED, "after expiry");

    r = run_new(&P_FEED);
    r->unix_time = (int64_t)1740787200;          /* 2025-03-01 */
    expect_fail(r, CS_E_TLS_EXPIRED, BR_ERR_X509_EXPIRED,
                "before notBefore");

    /* to the second: the clock's seconds reach BearSSL too */
    r = run_new(&P_FEED);
    r->unix_time = (int64_t)T_LEAF_END + 60;
    expect_fail(r, CS_E_TLS_EXPIRED, BR_ERR_X509_EXPIRED,
                "a minute after notAfter");
    r = run_new(&P_FEED);
    r->unix_time = (int64_t)T_LEAF_END - 60;
    expect_ok(r, "a minute before notAfter");
    r = run_new(&P_FEED);
    r->unix_time = (int64_t)T_LEAF_START - 60;
    expect_fail(r, CS_E_TLS_EXPIRED, BR_ERR_X509_EXPIRED,
                "a minute before notBefore");
    r = run_new(&P_FEED);
    r->unix_time = (int64_t)T_LEAF_START + 60;
    expect_ok(r, "a minute after notBefore");
    tally_report(2);
}

static void
test_pin(void)
{
    run *r = run_new(&P_FEED);

    /* the right certificate: no CA, no clock needed */
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.anchors = NULL;
    r->cfg.tls.anchor_count = 0;
    r->cfg.tls.pin_cert = V->ec_pem.p;
    r->cfg.tls.pin_cert_len = V->ec_pem.len;
    r->unix_time = 0;                            /* 1970 */
    expect_ok(r, "pin: right key");

    /* DER works as well */
    r = run_new(&P_FEED);
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.pin_cert = V->ec_der[0].p;
    r->cfg.tls.pin_cert_len = V->ec_der[0].len;
    expect_ok(r, "pin: right key, DER");

    /* another EC key: the ServerKeyExchange signature fails */
    r = run_new(&P_FEED);
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.pin_cert = V->other_ca.p;
    r->cfg.tls.pin_cert_len = V->other_ca.len;
    expect_fail(r, CS_E_TLS_PIN, BR_ERR_BAD_SIGNATURE, "pin: other EC key");

    /* an RSA key for an EC server */
    r = run_new(&P_FEED);
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.pin_cert = V->rsa_pem.p;
    r->cfg.tls.pin_cert_len = V->rsa_pem.len;
    expect_fail(r, CS_E_TLS_PIN, BR_ERR_WRONG_KEY_USAGE, "pin: RSA key");
    tally_report(2);
}

static void
test_rsa_server(void)
{
    plan pl = P_FEED;
    run *r;

    pl.rsa = 1;
    r = run_new(&pl);
    expect_ok(r, "RSA server");
    r = run_new(&pl);
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.pin_cert = V->rsa_pem.p;
    r->cfg.tls.pin_cert_len = V->rsa_pem.len;
    expect_ok(r, "RSA server, pinned");
    r = run_new(&pl);
    r->cfg.tls.mode = CS_TLS_PIN;
    r->cfg.tls.pin_cert = V->ec_pem.p;
    r->cfg.tls.pin_cert_len = V->ec_pem.len;
    expect_fail(r, CS_E_TLS_PIN, BR_ERR_WRONG_KEY_USAGE,
                "RSA server, EC pin");
    tally_report(2);
}

static void
test_insecure(void)
{
    run *r = run_new(&P_FEED);
    int at, end;

    r->cfg.tls.mode = CS_TLS_INSECURE;
    r->cfg.tls.anchors = V->ta_other.ta;             /* ignored */
    r->cfg.tls.anchor_count = V->ta_other.count;
    r->cfg.url = "wss://other.example/feed";     /* not checked either */
    CHECK(run_start(r) == 0);
    run_drive(r, "insecure");
    CHECK(r->done && cs_client_result(&r->c) == 0);
    CHECKF(r->nev > 3 && r->ev[1].type == CS_EV_WARNING
           && r->ev[2].type == CS_EV_CONNECTED, "insecure: %s, %s",
           r->nev > 1 ? r->ev[1].s : "-", r->nev > 2 ? r->ev[2].s : "-");
    if (one_session(r, &at, &end))
        sess_equal(&g_ref_feed, r, at, end, "insecure");
    run_end(r, "insecure");
    run_free(r);
}

/* ==== how a connection ends ============================================== */

/* The server ends the stream after `after` messages: close_notify, or
 * EOF (truncated: in the middle of the last record). */
static void
end_run(int end, int after, int trunc, size_t rmax, int zero)
{
    char what[96];
    plan pl = P_FEED;
    run *r;
    int i, at = -1, msgs = 0, want_err, want_msgs;
    const evrec *d = NULL;

    snprintf(what, sizeof what, "%s after %d%s rmax %zu zero %d",
             end == END_NOTIFY ? "close_notify" : "EOF", after,
             trunc ? " mid-record" : "", rmax, zero);
    pl.end = end;
    pl.cut_after = after;
    pl.truncate = trunc;
    g_rng = 99u + (uint64_t)after + rmax;
    r = run_new(&pl);
    r->cfg.reconnect = 0;
    r->w.rmax = r->w.wmax = rmax;
    r->w.zero_pct = zero;
    CHECK(run_start(r) == 0);
    run_drive(r, what);
    want_err = end == END_NOTIFY ? CS_E_CLOSED : CS_E_TLS_TRUNCATED;
    want_msgs = trunc ? after - 1 : after;
    for (i = 0; i < r->nev; i++) {
        if (r->ev[i].type == CS_EV_CONNECTED && at < 0)
            at = i;
        if (r->ev[i].type == CS_EV_MESSAGE)
            msgs++;
        if (r->ev[i].type == CS_EV_DISCONNECTED)
            d = &r->ev[i];
    }
    CHECKF(d != NULL && d->err == want_err && d->status == 1006
           && d->detail == (end == END_NOTIFY ? 0 : BR_ERR_IO),
           "%s: want DISCONNECTED err %d status 1006, got %s", what, want_err,
           d != NULL ? d->s : "none");
    CHECKF(msgs == want_msgs, "%s: %d messages, want %d", what, msgs,
           want_msgs);
    if (at >= 0 && d != NULL)
        sess_prefix(&g_ref_feed, r, at, (int)(d - r->ev) - at, what);
    CHECKF(r->done && cs_client_result(&r->c) == want_err,
           "%s: done %d result %d", what, r->done, cs_client_result(&r->c));
    CHECKF(cs_tls_last_error(&r->c.tls) == (end == END_NOTIFY ? 0 : BR_ERR_IO),
           "%s: cs_tls_last_error %d", what, cs_tls_last_error(&r->c.tls));
    if (test_cur_failed)
        dump_events(r, 0, r->nev);
    run_end(r, what);
    run_free(r);
}

static void
test_truncated(void)
{
    static const size_t rm[] = {0, 1, 9};
    size_t i;
    for (i = 0; i < 3; i++) {
        end_run(END_EOF, 0, 0, rm[i], 0);
        end_run(END_EOF, 1, 0, rm[i], 0);
        end_run(END_EOF, 4, 0, rm[i], 20);
        end_run(END_EOF, 10, 0, rm[i], 0);
        end_run(END_EOF, 4, 1, rm[i], 0);
        end_run(END_EOF, 10, 1, rm[i], 20);
    }
}

static void
test_close_notify(void)
{
    static const size_t rm[] = {0, 1, 9};
    size_t i;
    for (i = 0; i < 3; i++) {
        end_run(END_NOTIFY, 0, 0, rm[i], 0);
        end_run(END_NOTIFY, 1, 0, rm[i], 0);
        end_run(END_NOTIFY, 4, 0, rm[i], 20);
        end_run(END_NOTIFY, 10, 0, rm[i], 0);
    }
}

/* TEST, and its CPU time when it took a while; CS_TLS_ONLY=name runs
 * that test alone (after the reference). */
#define TIMED(fn) \
    do { \
        const char *only_ = getenv("CS_TLS_ONLY"); \
        clock_t t_ = clock(); \
        if (only_ != NULL && strcmp(#fn, "test_reference") != 0 \
            && strcmp(only_, #fn) != 0) \
            break; \
        TEST(fn); \
        t_ = clock() - t_; \
        if (t_ > CLOCKS_PER_SEC / 2) \
            printf("  %s: %.1f s\n", #fn, (double)t_ / CLOCKS_PER_SEC); \
    } while (0)

int
main(void)
{
    g_slow = getenv("CS_SLOW") != NULL;
    g_trace = getenv("CS_TLS_TRACE") != NULL;
    if (vecs_load() != 0) {
        fprintf(stderr, "test vectors missing or unreadable\n");
        vecs_free();
        printf("0 passed, 1 failed\n");
        return 1;
    }
    TIMED(test_reference);
    TIMED(test_split);
    TIMED(test_untrusted);
    TIMED(test_name);
    TIMED(test_dates);
    TIMED(test_pin);
    TIMED(test_rsa_server);
    TIMED(test_insecure);
    TIMED(test_truncated);
    TIMED(test_close_notify);
    TIMED(test_mono_load);
    TIMED(test_close_flush);
    TIMED(test_redirect);
    TIMED(test_alert);
    TIMED(test_stop_sweep);
    TIMED(test_fault_sweep);
    TIMED(test_hole_sweep);
    TIMED(test_flip_sweep);
    sess_free(&g_ref_feed);
    sess_free(&g_ref_small);
    sess_free(&g_ref_stream);
    vecs_free();
    fflush(stdout);
    return TEST_SUMMARY();
}
