/* The CT log list built into the header: the table reads back whole and
 * consistent; the selection rule; the streaming parser (cs_loglist) on
 * the real signed list (../shared/ct/loglist) whole, a byte at a time and
 * split at many offsets, equal to the snapshot generated from it; and,
 * with --dump (the snapshot) or --parse FILE (the parser), every entry as
 * one line for tests/test_loglist.py to compare with the signed list;
 * cs_loglist_fetch_stop() ends a fetch that waits on a mute server. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
ends_with_slash(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '/';
}

/* A static log's origin is its submission prefix, not its monitoring
 * URL's (Let's Encrypt's Sycamore: mon.sycamore... vs log.sycamore...). */
static void
snapshot_origin(void)
{
    size_t i, n = cs_ct_snapshot_count(), found = 0;
    cs_ct_log l;

    for (i = 0; i < n; i++) {
        CHECK(cs_ct_snapshot_get(i, &l) == 0);
        CHECK((l.kind == CS_CT_STATIC) == (l.origin != NULL));
        if (strcmp(l.url, "https://mon.sycamore.ct.letsencrypt.org/2026h1/")
            == 0) {
            found++;
            CHECK(l.origin != NULL && strcmp(l.origin,
                  "log.sycamore.ct.letsencrypt.org/2026h1") == 0);
        }
    }
    CHECK(found == 1);
}

static void
snapshot_reads_back(void)
{
    size_t i, n = cs_ct_snapshot_count();
    cs_ct_log l;

    CHECK(n > 0);
    for (i = 0; i < n; i++) {
        CHECK(cs_ct_snapshot_get(i, &l) == 0);
        CHECK(l.kind == CS_CT_RFC6962 || l.kind == CS_CT_STATIC);
        CHECK(l.state == CS_CT_USABLE || l.state == CS_CT_QUALIFIED
              || l.state == CS_CT_READONLY);
        CHECK(strncmp(l.url, "https://", 8) == 0 && ends_with_slash(l.url));
        CHECK(strstr(l.url, "example.com") == NULL);
        CHECK(l.operator_name[0] != '\0' && l.description[0] != '\0');
        /* a DER SEQUENCE that spans the key exactly */
        CHECK(l.key_len > 2 && l.key[0] == 0x30);
        CHECK(l.end == 0 || l.end > l.start);
        CHECK(l.mmd > 0);
    }
    CHECK(cs_ct_snapshot_get(n, &l) == CS_E_ARG);
    CHECK(strlen(cs_ct_snapshot_version()) > 0);
    CHECK(strlen(cs_ct_snapshot_date()) == 20); /* 2026-05-29T13:42:48Z */
}

static void
live_rule(void)
{
    cs_ct_log l;

    memset(&l, 0, sizeof l);
    l.state = CS_CT_USABLE;
    l.start = 1000;
    l.end = 2000;
    CHECK(cs_ct_log_live(&l, 500) == 1);   /* before start: still live */
    CHECK(cs_ct_log_live(&l, 1999) == 1);
    CHECK(cs_ct_log_live(&l, 2000) == 0);  /* end is exclusive */
    l.state = CS_CT_QUALIFIED;
    CHECK(cs_ct_log_live(&l, 1500) == 1);
    l.state = CS_CT_READONLY;
    CHECK(cs_ct_log_live(&l, 1500) == 0);
    l.state = CS_CT_RETIRED;
    CHECK(cs_ct_log_live(&l, 1500) == 0);
    l.state = CS_CT_PENDING;
    CHECK(cs_ct_log_live(&l, 1500) == 0);
    l.state = CS_CT_USABLE;
    l.start = l.end = 0;                   /* no interval: never ends */
    CHECK(cs_ct_log_live(&l, 4000000000LL) == 1);
}

/* One log as a line (the --dump format), appended to out. */
static void
log_line(const cs_ct_log *l, char *out, size_t cap)
{
    size_t n = strlen(out), k;

    n += (size_t)snprintf(out + n, cap - n, "%d\t%d\t%s\t%s\t%s\t%lu\t%lld\t"
                          "%lld\t%s\t", l->kind, l->state, l->operator_name,
                          l->description, l->url, (unsigned long)l->mmd,
                          (long long)l->start, (long long)l->end,
                          l->origin != NULL ? l->origin : "-");
    for (k = 0; k < l->key_len && n + 3 < cap; k++)
        n += (size_t)snprintf(out + n, cap - n, "%02x", l->key[k]);
    if (n + 1 < cap)
        out[n++] = '\n', out[n] = '\0';
}

static char got[256 * 1024], want[256 * 1024];
static cs_loglist ll;

/* Parse p[0..len) in pieces cut at cuts[0..ncuts) (ascending), every log
 * as a line into out. Returns cs_loglist_end()'s result. */
static long
parse_split(const unsigned char *p, size_t len, const size_t *cuts,
            size_t ncuts, char *out, size_t cap)
{
    size_t at = 0, c, end, used;
    int r;

    out[0] = '\0';
    cs_loglist_init(&ll);
    for (c = 0; c <= ncuts; c++) {
        end = c < ncuts ? cuts[c] : len;
        while (at < end) {
            r = cs_loglist_feed(&ll, p + at, end - at, &used);
            at += used;
            if (r == CS_LOGLIST_LOG)
                log_line(cs_loglist_log(&ll), out, cap);
            else if (r < 0)
                return r;
            else if (used == 0)
                break;
        }
        /* after a log, the rest may be empty: the contract says call */
        r = cs_loglist_feed(&ll, p + at, 0, &used);
        if (r < 0)
            return r;
    }
    return cs_loglist_end(&ll);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = (unsigned char *)malloc((size_t)n + 1);
    if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

#define LIST "../shared/ct/loglist/log_list.json"

static void
parser_on_real_list(void)
{
    size_t len, i, cuts[64], n;
    unsigned char *p = slurp(LIST, &len);
    cs_ct_log l;
    unsigned seed = 12345;
    long r;

    if (p == NULL) {
        printf("parser_on_real_list: SKIPPED, %s not found\n", LIST);
        return;
    }
    want[0] = '\0';
    for (i = 0; i < cs_ct_snapshot_count(); i++) {
        cs_ct_snapshot_get(i, &l);
        log_line(&l, want, sizeof want);
    }
    /* whole: the same logs as the snapshot made from this list */
    r = parse_split(p, len, NULL, 0, got, sizeof got);
    CHECK(r == (long)cs_ct_snapshot_count());
    CHECK(strcmp(got, want) == 0);
    /* one cut at each of 500 offsets spread over the text */
    for (i = 0; i < 500; i++) {
        cuts[0] = 1 + i * (len - 1) / 500;
        r = parse_split(p, len, cuts, 1, got, sizeof got);
        if (r != (long)cs_ct_snapshot_count() || strcmp(got, want) != 0) {
            CHECK(0 && "a cut changed the logs");
            printf("  cut at %zu\n", cuts[0]);
            break;
        }
    }
    /* random splits, 64 cuts each */
    for (i = 0; i < 50; i++) {
        size_t k;
        for (k = 0; k < 64; k++) {
            seed = seed * 1103515245u + 12345u;
            cuts[k] = (seed >> 8) % len;
        }
        for (k = 1; k < 64; k++) {          /* insertion sort */
            size_t v = cuts[k], j = k;
            for (; j > 0 && cuts[j - 1] > v; j--)
                cuts[j] = cuts[j - 1];
            cuts[j] = v;
        }
        r = parse_split(p, len, cuts, 64, got, sizeof got);
        CHECK(r == (long)cs_ct_snapshot_count() && strcmp(got, want) == 0);
    }
    /* a byte at a time */
    {
        static size_t all[64 * 1024];
        n = len - 1 < 64 * 1024 ? len - 1 : 64 * 1024;
        for (i = 0; i < n; i++)
            all[i] = i + 1;
        r = parse_split(p, len, all, n, got, sizeof got);
        CHECK(r == (long)cs_ct_snapshot_count());
        CHECK(strcmp(got, want) == 0);
    }
    /* truncated: incomplete, never a crash */
    CHECK(parse_split(p, len / 2, NULL, 0, got, sizeof got)
          == CS_E_JSON_INCOMPLETE);
    free(p);
}

static void
parser_rules(void)
{
    static const char doc[] =
        "{\"version\":\"1\",\"operators\":[{\"name\":\"Op\\u00e9\","
        "\"logs\":[{\"description\":\"a\",\"key\":\"MAEC\",\"url\":"
        "\"https://a.test/x\",\"mmd\":86400,\"state\":{\"usable\":"
        "{\"timestamp\":\"2020-01-01T00:00:00Z\"}},\"temporal_interval\":"
        "{\"start_inclusive\":\"2026-01-01T00:00:00Z\",\"end_exclusive\":"
        "\"2026-07-01T00:00:00.5+02:00\"}},"
        "{\"url\":\"https://ct.example.com/bogus/\",\"state\":{\"usable\":{}}},"
        "{\"url\":\"https://r.test/\",\"state\":{\"retired\":{}}},"
        "{\"url\":\"https://p.test/\",\"state\":{\"pending\":{}}},"
        "{\"url\":\"https://d.test/\",\"state\":{\"usable\":{}},"
        "\"temporal_interval\":{\"start_inclusive\":\"2026-13-01T00:00:00Z\"}},"
        "{\"url\":\"https://k.test/\",\"key\":\"!!\",\"state\":{\"readonly\":{}}}"
        "],\"tiled_logs\":[{\"description\":\"t\",\"submission_url\":"
        "\"https://s.test/\",\"monitoring_url\":\"https://m.test\","
        "\"state\":{\"qualified\":{}}}]}],\"logs\":[{\"url\":\"https://no/\"}]}";
    long r = parse_split((const unsigned char *)doc, sizeof doc - 1, NULL, 0,
                         got, sizeof got);

    CHECK(r == 3);
    CHECK(strcmp(got,
                 "1\t3\tOp\xc3\xa9\ta\thttps://a.test/x/\t86400\t1767225600\t"
                 "1782856800\t-\t300102\n"
                 "1\t4\tOp\xc3\xa9\thttps://k.test/\thttps://k.test/\t0\t0\t"
                 "0\t-\t\n"
                 "2\t2\tOp\xc3\xa9\tt\thttps://m.test/\t0\t0\t0\ts.test\t\n")
          == 0);
    if (r != 3)
        printf("%s", got);
    {   /* a description over CS_LOGLIST_STR_MAX: a defined error, sticky */
        static char big[CS_LOGLIST_STR_MAX + 200];
        size_t used;
        int k = snprintf(big, sizeof big, "{\"operators\":[{\"logs\":"
                         "[{\"description\":\"");
        memset(big + k, 'x', CS_LOGLIST_STR_MAX + 1);
        cs_loglist_init(&ll);
        CHECK(cs_loglist_feed(&ll, (const unsigned char *)big,
                              (size_t)k + CS_LOGLIST_STR_MAX + 1, &used)
              == 0);                    /* known at the string's end */
        CHECK(cs_loglist_feed(&ll, (const unsigned char *)"\"", 1, &used)
              == CS_E_LOGLIST_LONG && used == 1);
        CHECK(cs_loglist_feed(&ll, (const unsigned char *)"\"", 1, &used)
              == CS_E_LOGLIST_LONG && used == 0);
        CHECK(cs_loglist_end(&ll) == CS_E_LOGLIST_LONG);
    }
    CHECK(parse_split((const unsigned char *)"{\"operators\":[{\"logs\":"
                      "[{\"url\":\"https://a\\u0000b/\"}]}]}", 54, NULL, 0,
                      got, sizeof got) == CS_E_LOGLIST_NUL);
    CHECK(parse_split((const unsigned char *)"[1,", 3, NULL, 0, got,
                      sizeof got) == CS_E_JSON_INCOMPLETE);
    CHECK(parse_split((const unsigned char *)"{\"operators\":[]}x", 17,
                      NULL, 0, got, sizeof got) < 0);
    CHECK(parse_split((const unsigned char *)"{}", 2, NULL, 0, got,
                      sizeof got) == 0);
}

/* The built-in Google key checks the real list's signature, fed hashed
 * in pieces; one changed byte of the list or the signature fails. */
static void
signature(void)
{
    size_t len, slen, klen;
    unsigned char *p = slurp(LIST, &len);
    unsigned char *sig = slurp("../shared/ct/loglist/log_list.sig", &slen);
    unsigned char hash[32];
    const unsigned char *key = cs_loglist_google_key(&klen);
    cs_sha256_ctx h;

    CHECK(klen > 500 && key[0] == 0x30);
    if (p == NULL || sig == NULL) {
        printf("signature: SKIPPED, %s not found\n", LIST);
        free(p);
        free(sig);
        return;
    }
    cs_sha256_init(&h);
    cs_sha256_update(&h, p, 1000);
    cs_sha256_update(&h, p + 1000, len - 1000);
    cs_sha256_final(&h, hash);
    CHECK(cs_loglist_verify(hash, sig, slen) == 0);
    sig[7] ^= 0x40;
    CHECK(cs_loglist_verify(hash, sig, slen) == CS_E_LOGLIST_SIG);
    sig[7] ^= 0x40;
    p[len / 2] ^= 1;
    cs_sha256(p, len, hash);
    CHECK(cs_loglist_verify(hash, sig, slen) == CS_E_LOGLIST_SIG);
    CHECK(cs_loglist_verify(hash, sig, 0) == CS_E_LOGLIST_SIG);
    free(p);
    free(sig);
}

/* --parse FILE: the parser's logs, as --dump prints the snapshot's. */
static int
parse_file(const char *path)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    long r;

    if (p == NULL)
        return 2;
    r = parse_split(p, len, NULL, 0, got, sizeof got);
    free(p);
    fputs(got, stdout);
    return r < 0 ? 1 : 0;
}

static void
dump(void)
{
    size_t i, k;
    cs_ct_log l;

    for (i = 0; i < cs_ct_snapshot_count(); i++) {
        if (cs_ct_snapshot_get(i, &l) != 0)
            return;
        printf("%d\t%d\t%s\t%s\t%s\t%lu\t%lld\t%lld\t%s\t", l.kind,
               l.state, l.operator_name, l.description, l.url,
               (unsigned long)l.mmd, (long long)l.start, (long long)l.end,
               l.origin != NULL ? l.origin : "-");
        for (k = 0; k < l.key_len; k++)
            printf("%02x", l.key[k]);
        printf("\n");
    }
}

#if CS_HAS_POSIX && CS_HAS_TLS
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

static cs_loglist_fetcher g_fetcher;   /* zeroed, as the contract wants */

static void
on_alarm(int sig)
{
    (void)sig;
    cs_loglist_fetch_stop(&g_fetcher);
}

/* cs_loglist_fetch_stop(): before a fetch, it ends that fetch at once
 * (and is cleared); from a signal handler while the fetch waits on a
 * server that accepts and never answers, it ends the fetch at once,
 * long before its 20 s timeout. */
static void
fetch_stop(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    cs_config cfg;
    char url[64];
    uint64_t t0;
    int fd = socket(AF_INET, SOCK_STREAM, 0), r;

    cs_config_init(&cfg);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0
          && listen(fd, 4) == 0
          && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
    snprintf(url, sizeof url, "https://localhost:%u/log_list.json",
             (unsigned)ntohs(sa.sin_port));
    cs_loglist_fetch_stop(&g_fetcher);
    t0 = cs_now_ms();
    r = cs_loglist_fetch(&g_fetcher, url, NULL, &cfg.tls, NULL, 20000,
                         NULL, NULL);
    CHECKF(r == CS_E_LOGLIST_STOPPED, "stopped before: %d", r);
    CHECK(cs_now_ms() - t0 < 500);
    signal(SIGALRM, on_alarm);
    alarm(1);
    t0 = cs_now_ms();
    r = cs_loglist_fetch(&g_fetcher, url, NULL, &cfg.tls, NULL, 20000,
                         NULL, NULL);
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    CHECKF(r == CS_E_LOGLIST_STOPPED, "stopped while waiting: %d", r);
    CHECKF(cs_now_ms() - t0 < 1500, "the fetch took %llu ms",
           (unsigned long long)(cs_now_ms() - t0));
    close(fd);
}
#endif

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
        dump();
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--parse") == 0)
        return parse_file(argv[2]);
    TEST(snapshot_reads_back);
    TEST(snapshot_origin);
    TEST(live_rule);
    TEST(parser_rules);
    TEST(parser_on_real_list);
    TEST(signature);
#if CS_HAS_POSIX && CS_HAS_TLS
    TEST(fetch_stop);
#endif
    return TEST_SUMMARY();
}
