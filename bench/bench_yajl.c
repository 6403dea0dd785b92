/* bench_yajl.c - yajl (SAX) peer of the extraction benchmark.
 *
 * One yajl handle with yajl_allow_multiple_values, reused for every
 * message: each message is its own yajl_parse() call and ends at the '}'
 * that closes its top object (a fresh handle only after an error). UTF-8
 * validation stays on (yajl's default), as certstream.h validates too.
 * Numbers arrive as text (yajl_number) and only the wanted ones are
 * converted: cert_index to uint64, seen / timestamp with strtod(), as
 * certstream.h converts only those. Same paths and last-wins rule as
 * certstream.h; fields are committed when the message ends cleanly. */
#define _POSIX_C_SOURCE 200809L
#include <yajl/yajl_parse.h>

#include "bench_common.h"

enum { N_SKIP, N_ROOT, N_DATA, N_SOURCE, N_LEAF, N_DOMAINS };
enum { F_NONE, F_TYPE, F_DATA, F_TS, F_CIDX, F_SEEN, F_SOURCE, F_LEAF,
       F_URL, F_NAME, F_ALL };

typedef struct one {
    int has_type, has_url, has_name, has_cidx, has_seen, has_ts, type;
    uint64_t cidx, doms, dom_bytes, dom_hash, type_hash, url_hash, name_hash;
    size_t url_len, name_len;
    double seen, ts;
} one;

typedef struct ctx {
    int depth, field, done, bad, full;
    unsigned char node[256];
    uint64_t h0;        /* dom_hash before this message */
    one o;
} ctx;

static const char *
bench_name(void)
{
    return "yajl 2.1 (SAX, per message)";
}

#define KEY_IS(s) (n == sizeof(s) - 1 && memcmp(k, s, n) == 0)

static int
cb_key(void *u, const unsigned char *k, size_t n)
{
    ctx *c = (ctx *)u;
    one *o = &c->o;
    int f = F_NONE;

    switch (c->node[c->depth]) {
    case N_ROOT:
        if (KEY_IS("message_type")) {
            f = F_TYPE;
            o->has_type = 0;
        } else if (KEY_IS("data")) {
            f = F_DATA;
            o->has_cidx = o->has_seen = o->has_url = o->has_name = 0;
            o->doms = o->dom_bytes = 0;
            o->dom_hash = c->h0;
        } else if (KEY_IS("timestamp")) {
            f = F_TS;
            o->has_ts = 0;
        }
        break;
    case N_DATA:
        if (KEY_IS("cert_index")) {
            f = F_CIDX;
            o->has_cidx = 0;
        } else if (KEY_IS("seen")) {
            f = F_SEEN;
            o->has_seen = 0;
        } else if (KEY_IS("source")) {
            f = F_SOURCE;
            o->has_url = o->has_name = 0;
        } else if (KEY_IS("leaf_cert")) {
            f = F_LEAF;
            o->doms = o->dom_bytes = 0;
            o->dom_hash = c->h0;
        }
        break;
    case N_SOURCE:
        if (KEY_IS("url")) {
            f = F_URL;
            o->has_url = 0;
        } else if (KEY_IS("name")) {
            f = F_NAME;
            o->has_name = 0;
        }
        break;
    case N_LEAF:
        if (KEY_IS("all_domains")) {
            f = F_ALL;
            o->doms = o->dom_bytes = 0;
            o->dom_hash = c->h0;
        }
        break;
    default:
        break;
    }
    c->field = f;
    return 1;
}

static int
push(ctx *c, int node)
{
    if (c->depth + 1 >= (int)sizeof c->node)
        return 0;
    c->node[++c->depth] = (unsigned char)node;
    c->field = F_NONE;
    return 1;
}

static int
cb_start_map(void *u)
{
    ctx *c = (ctx *)u;
    int f = c->field;

    return push(c, c->depth == 0 ? N_ROOT : f == F_DATA ? N_DATA
                   : f == F_SOURCE ? N_SOURCE : f == F_LEAF ? N_LEAF
                   : N_SKIP);
}

static int
cb_start_array(void *u)
{
    ctx *c = (ctx *)u;

    if (c->depth == 0)
        c->bad = 1;     /* not an object */
    return push(c, c->field == F_DATA || c->field == F_ALL ? N_DOMAINS
                                                           : N_SKIP);
}

static int
cb_end(void *u)
{
    ctx *c = (ctx *)u;

    c->field = F_NONE;
    if (--c->depth == 0)
        c->done = 1;
    return 1;
}

static int
cb_string(void *u, const unsigned char *s, size_t n)
{
    ctx *c = (ctx *)u;
    one *o = &c->o;

    if (c->depth == 0)
        c->bad = c->done = 1;
    if (c->node[c->depth] == N_DOMAINS) {
        o->doms++;
        o->dom_bytes += n;
        if (c->full)
            bench_hash(&o->dom_hash, s, n);
        return 1;
    }
    switch (c->field) {
    case F_TYPE:
        o->has_type = 1;
        o->type = bench_type((const char *)s, n);
        if (c->full) {
            o->type_hash = 0;
            bench_hash(&o->type_hash, s, n);
        }
        break;
    case F_URL:
        o->has_url = 1;
        o->url_len = n;
        if (c->full) {
            o->url_hash = 0;
            bench_hash(&o->url_hash, s, n);
        }
        break;
    case F_NAME:
        o->has_name = 1;
        o->name_len = n;
        if (c->full) {
            o->name_hash = 0;
            bench_hash(&o->name_hash, s, n);
        }
        break;
    default:
        break;
    }
    c->field = F_NONE;
    return 1;
}

static int
cb_number(void *u, const char *s, size_t n)
{
    ctx *c = (ctx *)u;
    one *o = &c->o;
    char tmp[64];
    size_t i;

    if (c->depth == 0)
        c->bad = c->done = 1;
    switch (c->field) {
    case F_CIDX: {
        uint64_t v = 0;
        for (i = 0; i < n; i++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (d > 9 || v > (UINT64_MAX - d) / 10)
                break;
            v = v * 10 + d;
        }
        if (i == n) {
            o->cidx = v;
            o->has_cidx = 1;
        }
        break;
    }
    case F_SEEN: case F_TS:
        if (n >= sizeof tmp)
            break;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if (c->field == F_SEEN) {
            o->seen = strtod(tmp, NULL);
            o->has_seen = 1;
        } else {
            o->ts = strtod(tmp, NULL);
            o->has_ts = 1;
        }
        break;
    default:
        break;
    }
    c->field = F_NONE;
    return 1;
}

static int
cb_scalar(void *u)
{
    ctx *c = (ctx *)u;

    if (c->depth == 0)
        c->bad = c->done = 1;
    c->field = F_NONE;
    return 1;
}

static int
cb_bool(void *u, int b)
{
    (void)b;
    return cb_scalar(u);
}

static const yajl_callbacks g_cb = {
    cb_scalar, cb_bool, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_key, cb_end, cb_start_array, cb_end
};

static ctx g_ctx;

static yajl_handle
new_handle(void)
{
    yajl_handle h = yajl_alloc(&g_cb, NULL, &g_ctx);
    yajl_config(h, yajl_allow_multiple_values, 1);
    return h;
}

static void
bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full)
{
    static yajl_handle h;
    ctx *c = &g_ctx;
    size_t k;

    if (h == NULL)
        h = new_handle();
    c->full = full;
    for (k = 0; k < nm; k++) {
        one *o = &c->o;
        yajl_status st;

        memset(o, 0, sizeof *o);
        c->depth = 0;
        c->field = F_NONE;
        c->done = c->bad = 0;
        c->h0 = o->dom_hash = a->dom_hash;
        a->msgs++;
        st = yajl_parse(h, (const unsigned char *)m[k].p, m[k].n);
        if (st != yajl_status_ok || !c->done || c->bad) {
            /* errors are sticky in yajl, and an unfinished message would
             * run into the next one: start over with a new handle */
            yajl_free(h);
            h = new_handle();
            continue;
        }
        a->ok++;
        a->types[o->has_type ? o->type : BT_NONE]++;
        a->doms += o->doms;
        a->dom_bytes += o->dom_bytes;
        a->dom_hash = o->dom_hash;
        if (o->has_cidx)
            a->cidx_sum += o->cidx;
        if (o->has_seen)
            a->seen_xor ^= bench_bits(o->seen);
        if (o->has_ts)
            a->ts_xor ^= bench_bits(o->ts);
        if (o->has_url) {
            a->url_bytes += o->url_len;
            if (full)
                a->url_hash = (a->url_hash * 0x9e3779b97f4a7c15u)
                            ^ o->url_hash;
        }
        if (o->has_name) {
            a->name_bytes += o->name_len;
            if (full)
                a->name_hash = (a->name_hash * 0x9e3779b97f4a7c15u)
                             ^ o->name_hash;
        }
        if (full && o->has_type)
            a->type_hash = (a->type_hash * 0x9e3779b97f4a7c15u)
                         ^ o->type_hash;
    }
}

int
main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
