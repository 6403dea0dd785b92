/* bench_cs.c - certstream.h peer of the extraction benchmark.
 *
 * Each message is one cs_json_parse() call (begin, feed, end), or, with
 * -c N, cs_json_begin() + cs_json_feed() in N-byte pieces + cs_json_end(),
 * as a websocket reader that receives 4 KiB reads would drive it. See
 * bench_common.h for the command line and the CHECK line. */
#define _POSIX_C_SOURCE 200809L
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "bench_common.h"

static unsigned char g_names[CS_JSON_DOMAIN_BUF];
static cs_json g_j;

static const char *
bench_name(void)
{
    return bench_chunk ? "certstream.h (chunked)" : "certstream.h";
}

static void
bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full)
{
    static int ready;
    size_t k;

    if (!ready) {
        cs_json_init(&g_j, g_names, sizeof g_names);
        ready = 1;
    }
    for (k = 0; k < nm; k++) {
        const cs_msg *r;
        size_t i;
        int rc;

        if (bench_chunk == 0) {
            rc = cs_json_parse(&g_j, m[k].p, m[k].n);
        } else {
            const char *p = m[k].p;
            size_t left = m[k].n;
            cs_json_begin(&g_j);
            while (left > 0) {
                size_t c = left < bench_chunk ? left : bench_chunk;
                cs_json_feed(&g_j, p, c);
                p += c;
                left -= c;
            }
            rc = cs_json_end(&g_j);
        }
        a->msgs++;
        if (rc != 0)
            continue;
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
                bench_hash(&a->url_hash, r->source_url.buf,
                           r->source_url.len);
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
}

int
main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
