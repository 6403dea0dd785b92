/* bench_ws.c - certstream.h "ws+json" peer of the extraction benchmark:
 * the websocket frame decoder (cs_ws_feed) and the extractor (cs_json_*)
 * together, as cs_client runs them reading a socket (the extractor
 * validates text as UTF-8; the decoder's own pass is skipped, as in the
 * client: BENCH_WS_UTF8=1 keeps it).
 *
 * Before timing, every message of the corpus is encoded as server-to-
 * client websocket frames (RFC 6455: unmasked, opcode text, the shortest
 * length form) into one contiguous byte stream:
 *   - one frame per message, as every CertStream server sends them;
 *     with BENCH_WS_FRAG=N (a stress case) every Nth message is sent in
 *     WS_FRAG_PARTS (3) frames (text without FIN, continuation,
 *     continuation with FIN), cut at n/3 and 2n/3 whatever the bytes
 *     there (UTF-8 sequences included);
 *   - a server ping (WS_PING_LEN-byte payload) goes before every
 *     100th message (BENCH_WS_PING; far more often than real servers).
 * A timed pass then starts a fresh decoder and feeds the stream in
 * BENCH_CHUNK-byte pieces (-c, default 4096), as socket reads of that
 * size would arrive, through cs_ws_feed(); each CS_WS_DATA slice goes to
 * cs_json_feed() and each CS_WS_END to cs_json_end() followed by the same
 * extraction as bench_cs.c, so the CHECK line is the same. Pings are only
 * counted. Throughput is over the corpus bytes, like every other peer: the
 * frame overhead (headers, pings) is work done, not bytes credited.
 *
 * The stream is built on the first bench_pass() call: the untimed check
 * pass in time mode, and in callgrind mode with collection switched off
 * around it, so only the decode + extract loop is counted. */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "bench_common.h"

#define WS_FRAG_PARTS 3
#define WS_PING_LEN 8

static size_t g_frag_every = 0, g_ping_every = 100;

static unsigned char g_names[CS_JSON_DOMAIN_BUF];
static cs_json g_j;
static cs_ws g_ws;
static unsigned char *g_stream;
static size_t g_stream_len;
static uint64_t g_pings_sent;

static const char *
bench_name(void)
{
    return "certstream.h ws+json (chunked)";
}

/* One unmasked server frame header; returns its size. */
static size_t
ws_header(unsigned char *o, int fin, int op, size_t n)
{
    int i;

    o[0] = (unsigned char)((fin ? 0x80 : 0) | op);
    if (n < 126) {
        o[1] = (unsigned char)n;
        return 2;
    }
    if (n < 65536) {
        o[1] = 126;
        o[2] = (unsigned char)(n >> 8);
        o[3] = (unsigned char)n;
        return 4;
    }
    o[1] = 127;
    for (i = 0; i < 8; i++)
        o[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    return 10;
}

static void
ws_build(const bench_msg *m, size_t nm)
{
    size_t k, cap = 0, o = 0, frames = 0, fragged = 0, pings = 0;
    const char *env;

    if ((env = getenv("BENCH_WS_FRAG")) != NULL)
        g_frag_every = (size_t)strtoull(env, NULL, 10);
    if ((env = getenv("BENCH_WS_PING")) != NULL)
        g_ping_every = (size_t)strtoull(env, NULL, 10);
    for (k = 0; k < nm; k++)
        cap += m[k].n + 10 * WS_FRAG_PARTS + 2 + WS_PING_LEN;
    g_stream = (unsigned char *)malloc(cap > 0 ? cap : 1);
    if (g_stream == NULL) {
        fprintf(stderr, "bench_ws: out of memory\n");
        exit(2);
    }
    for (k = 0; k < nm; k++) {
        const unsigned char *p = (const unsigned char *)m[k].p;
        size_t n = m[k].n;

        if (g_ping_every != 0 && k % g_ping_every == g_ping_every - 1) {
            uint64_t t = (uint64_t)k * 2654435761u;
            o += ws_header(g_stream + o, 1, CS_WS_OP_PING, WS_PING_LEN);
            memcpy(g_stream + o, &t, WS_PING_LEN);
            o += WS_PING_LEN;
            frames++;
            pings++;
        }
        if (g_frag_every != 0 && k % g_frag_every == g_frag_every - 1) {
            size_t at = 0, i;
            for (i = 0; i < WS_FRAG_PARTS; i++) {
                size_t e = n * (i + 1) / WS_FRAG_PARTS;
                o += ws_header(g_stream + o, i + 1 == WS_FRAG_PARTS,
                               i == 0 ? CS_WS_OP_TEXT : CS_WS_OP_CONT,
                               e - at);
                memcpy(g_stream + o, p + at, e - at);
                o += e - at;
                at = e;
                frames++;
            }
            fragged++;
        } else {
            o += ws_header(g_stream + o, 1, CS_WS_OP_TEXT, n);
            memcpy(g_stream + o, p, n);
            o += n;
            frames++;
        }
    }
    g_stream_len = o;
    g_pings_sent = pings;
    printf("WS stream=%llu frames=%llu fragmented=%llu pings=%llu "
           "chunk=%llu\n",
           (unsigned long long)o, (unsigned long long)frames,
           (unsigned long long)fragged, (unsigned long long)pings,
           (unsigned long long)bench_chunk);
}

static void
ws_fail(int ev)
{
    fprintf(stderr, "bench_ws: cs_ws_feed: error %d at stream offset %llu\n",
            ev, (unsigned long long)cs_ws_offset(&g_ws));
    exit(1);
}

/* One complete message: the same extraction as bench_cs.c. */
static void
ws_message(bench_acc *a, int full)
{
    const cs_msg *r;
    size_t i;
    int rc = cs_json_end(&g_j);

    a->msgs++;
    if (rc != 0)
        return;
    a->ok++;
    r = cs_json_msg(&g_j);
    a->types[r->type]++;
    a->doms += r->domain_count;
    for (i = 0; i < r->domain_count; i++) {
        size_t n;
        const char *d = cs_msg_domain(r, i, &n);
        a->dom_bytes += n;
        if (full)
            bench_hash(&a->dom_hash, d, n);
    }
    if (r->has & CS_F_CERT_INDEX)
        a->cidx_sum += r->cert_index;
    if (r->has & CS_F_SEEN)
        a->seen_xor ^= bench_bits(r->seen);
    if (r->has & CS_F_TIMESTAMP)
        a->ts_xor ^= bench_bits(r->timestamp);
    if (r->has & CS_F_SOURCE_URL) {
        a->url_bytes += r->source_url.len;
        if (full)
            bench_hash(&a->url_hash, r->source_url.buf, r->source_url.len);
    }
    if (r->has & CS_F_SOURCE_NAME) {
        a->name_bytes += r->source_name.len;
        if (full)
            bench_hash(&a->name_hash, r->source_name.buf,
                       r->source_name.len);
    }
    if (full && (r->has & CS_F_TYPE))
        bench_hash(&a->type_hash, r->type_name.buf, r->type_name.len);
}

static void
bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full)
{
    static int ready;
    size_t off, chunk;
    uint64_t pings = 0;

    if (!ready) {
        /* In callgrind mode the first pass (full == 0) runs with
         * collection on: keep the encoding out of the count. */
        if (!full)
            CALLGRIND_TOGGLE_COLLECT;
        if (bench_chunk == 0)
            bench_chunk = 4096;
        ws_build(m, nm);
        cs_json_init(&g_j, g_names, sizeof g_names);
        ready = 1;
        if (!full)
            CALLGRIND_TOGGLE_COLLECT;
    }
    chunk = bench_chunk;
    cs_ws_init(&g_ws, 0);               /* a fresh connection per pass */
    /* As cs_client does: the extractor validates text as UTF-8 while it
     * parses, so the frame decoder skips its own pass (the client falls
     * back to the decoder's check after a JSON error; the corpora have
     * none). BENCH_WS_UTF8=1 keeps the decoder's pass, for comparison. */
    cs_ws_skip_utf8(&g_ws, getenv("BENCH_WS_UTF8") == NULL);
    for (off = 0; off < g_stream_len; off += chunk) {
        const unsigned char *p = g_stream + off;
        size_t n = g_stream_len - off < chunk ? g_stream_len - off : chunk;

        for (;;) {
            size_t used;
            int ev = cs_ws_feed(&g_ws, p, n, &used);
            p += used;
            n -= used;
            if (ev == CS_WS_DATA) {
                size_t len;
                const unsigned char *d = cs_ws_payload(&g_ws, &len);
                cs_json_feed(&g_j, d, len);
            } else if (ev == CS_WS_END) {
                ws_message(a, full);
            } else if (ev == 0) {
                break;
            } else if (ev == CS_WS_PING) {
                pings++;
            } else {
                ws_fail(ev);
            }
        }
    }
    /* The stream ends on a message boundary: nothing may be pending. */
    if (a->msgs != nm || pings != g_pings_sent) {
        fprintf(stderr, "bench_ws: %llu messages and %llu pings decoded, "
                        "%llu and %llu sent\n",
                (unsigned long long)a->msgs, (unsigned long long)pings,
                (unsigned long long)nm, (unsigned long long)g_pings_sent);
        exit(1);
    }
}

int
main(int argc, char **argv)
{
    int rc = bench_main(argc, argv);
    free(g_stream);
    return rc;
}
