/* bench_jtok.c - throughput of the JSON tokenizer (cs_jtok_*) on an
 * RFC 6962 get-entries body: the 4 entries of
 * ../shared/ct/rfc6962/get-entries-4.json repeated into 1000, tokenized in
 * BENCH_CHUNK-byte reads (default 16384; 0: whole) as a log follower
 * would, best of BENCH_PASSES (default 20) passes. `make bench` runs it.
 * Usage: bench_jtok [get-entries.json] */
#ifndef CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_TLS
#endif
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One pass: returns the decoded string bytes (a check value), or 0. */
static size_t
pass(const unsigned char *p, size_t len, size_t chunk, size_t *tokens)
{
    cs_jtok t;
    size_t pos = 0, strbytes = 0, ntok = 0;
    cs_jtok_init(&t);
    while (pos < len) {
        size_t n = chunk == 0 || len - pos < chunk ? len - pos : chunk;
        size_t at = 0;
        while (at < n) {
            size_t used, pl;
            int r = cs_jtok_feed(&t, p + pos + at, n - at, &used);
            at += used;
            if (r < 0)
                return 0;
            if (r == CS_JT_STR) {
                cs_jtok_piece(&t, &pl);
                strbytes += pl;
            }
            ntok += r > 0;
        }
        pos += n;
    }
    if (cs_jtok_end(&t) != CS_JT_DONE)
        return 0;
    *tokens = ntok;
    return strbytes;
}

int
main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
                                : "../shared/ct/rfc6962/get-entries-4.json";
    const char *e;
    FILE *f = fopen(path, "rb");
    char *src, *a, *b, *body;
    long n;
    size_t inner, len = 0, chunk = 16384, best_tok = 0, check = 0;
    int i, passes = 20;
    double best = 1e9;

    if (f == NULL) {
        printf("bench_jtok: SKIPPED, %s not found\n", path);
        return 0;
    }
    if ((e = getenv("BENCH_CHUNK")) != NULL)
        chunk = (size_t)strtoul(e, NULL, 10);
    if ((e = getenv("BENCH_PASSES")) != NULL)
        passes = atoi(e);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    src = (char *)malloc((size_t)n + 1);
    if (fread(src, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    src[n] = '\0';
    /* the entries' text: between the first '[' and the last ']' */
    a = strchr(src, '[');
    b = strrchr(src, ']');
    if (a == NULL || b == NULL || b < a)
        return 1;
    inner = (size_t)(b - a - 1);
    body = (char *)malloc(inner * 250 + 300);
    len = (size_t)sprintf(body, "{\"entries\":[");
    for (i = 0; i < 250; i++) {
        if (i > 0)
            body[len++] = ',';
        memcpy(body + len, a + 1, inner);
        len += inner;
    }
    len += (size_t)sprintf(body + len, "]}");
    for (i = 0; i < passes; i++) {
        size_t tok = 0;
        double t0 = now(), dt;
        size_t c = pass((const unsigned char *)body, len, chunk, &tok);
        dt = now() - t0;
        if (c == 0) {
            printf("bench_jtok: FAILED, the body did not tokenize\n");
            return 1;
        }
        check = c;
        best_tok = tok;
        if (dt < best)
            best = dt;
    }
    printf("bench_jtok: get-entries body %.2f MB (1000 entries), %lu tokens,"
           " %lu string bytes, chunk %lu: best %.0f MB/s\n",
           (double)len / 1e6, (unsigned long)best_tok, (unsigned long)check,
           (unsigned long)chunk, (double)len / 1e6 / best);
    free(body);
    free(src);
    return 0;
}
