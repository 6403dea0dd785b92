/* bench_match.c - `make bench-match` (part of `make bench`): the watchlist
 * matcher's speed in names per second against 1, 100, 10,000 and 100,000
 * patterns of each kind (keywords, names, half of each, globs, and all
 * three), every tenth (or so) an exclusion, with the compile time, the
 * automaton's states and byte classes, and the bytes per pattern: what
 * cs_match_size() asks for, and what a cs_match_copy() keeps.
 *
 * Names: BENCH_MATCH_NAMES (default 1,000,000) generated domains shaped
 * like the feed's (1-4 labels of syllables and digits, a TLD, some "*."
 * and "xn--" labels), matched BENCH_MATCH_PASSES (3) times; the best pass
 * is shown. Patterns are drawn from the same syllables, so a share of the
 * names match (the "hits" column: names with a match, per million).
 * One core, one thread; x86-64 baseline -O2 like bench/run.sh.
 *
 *   bench_match [-n NAMES] [-p PASSES] [-k KINDS] [-c COUNTS]
 * e.g. -k keyword,name -c 10000 */
#define _POSIX_C_SOURCE 200809L  /* clock_gettime */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 33) % n;
}

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);  /* CPU time: shared box */
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *const syl[] = {
    "pay", "pal", "ban", "log", "in", "sec", "ure", "mail", "ex", "am",
    "ple", "cloud", "api", "cdn", "shop", "net", "web", "app", "dev", "my",
    "go", "on", "line", "ser", "vice", "data", "hub", "lab", "ops", "pro",
    "zen", "max", "nova", "tek", "co", "soft", "ware", "store", "host",
    "site", "book", "trip", "fin", "tech", "home", "kit"};
static const char *const tld[] = {"com", "net", "org", "io", "de", "co.uk",
                                  "fr", "nl", "app", "dev", "ru", "xyz"};
#define NSYL (sizeof syl / sizeof syl[0])
#define NTLD (sizeof tld / sizeof tld[0])

static size_t
word(char *o, int parts)
{
    size_t n = 0;
    int i;

    for (i = 0; i < parts; i++) {
        const char *s = syl[rnd(NSYL)];
        memcpy(o + n, s, strlen(s));
        n += strlen(s);
    }
    if (rnd(4) == 0)
        o[n++] = (char)('0' + rnd(10));
    return n;
}

/* One feed-like domain into o; returns its length. */
static size_t
gen_name(char *o)
{
    size_t n = 0;
    int labels = 1 + (int)rnd(3), i;
    const char *t;

    if (rnd(5) == 0) {
        memcpy(o, "*.", 2);
        n = 2;
    }
    for (i = 0; i < labels; i++) {
        if (rnd(50) == 0) {
            memcpy(o + n, "xn--", 4);
            n += 4;
        }
        n += word(o + n, 1 + (int)rnd(3));
        if (rnd(6) == 0) {
            o[n++] = '-';
            n += word(o + n, 1);
        }
        o[n++] = '.';
    }
    t = tld[rnd(NTLD)];
    memcpy(o + n, t, strlen(t));
    return n + strlen(t);
}

/* One pattern of a kind: keyword ("paysec"), name ("cloudpal.com") or
 * glob ("*pay*-login.*", "shop?.*"). */
static void
gen_pattern(char *o, const char *kind, int i)
{
    char w[64];
    size_t n;

    if (!strcmp(kind, "mix"))
        kind = i % 3 == 0 ? "keyword" : i % 3 == 1 ? "name" : "glob";
    else if (!strcmp(kind, "kw+name"))
        kind = i % 2 == 0 ? "keyword" : "name";
    /* keywords of 3 syllables (2 match most names: nobody watches "pay") */
    n = word(w, !strcmp(kind, "keyword") ? 3 : 2 + (int)rnd(2));
    w[n] = 0;
    if (!strcmp(kind, "keyword"))
        sprintf(o, "%s", w);
    else if (!strcmp(kind, "name"))
        sprintf(o, "%s.%s", w, tld[rnd(NTLD)]);
    else if (rnd(2))
        sprintf(o, "*%s*.%s", w, tld[rnd(NTLD)]);
    else
        sprintf(o, "%s?-*", w);
    if (i % 10 == 9 && rng_state & 1)
        memmove(o + 1, o, strlen(o) + 1), o[0] = '!';
}

static int
listed(const char *list, const char *item)
{
    size_t n = strlen(item);
    const char *p = list;

    while ((p = strstr(p, item)) != NULL) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
            return 1;
        p += n;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const char *const kinds[] = {"keyword", "name", "kw+name",
                                        "glob", "mix"};
    static const size_t counts[] = {1, 100, 10000, 100000};
    size_t nnames = 1000000, passes = 3, i, k, c, total = 0;
    const char *want_kinds = "keyword,name,kw+name,glob,mix";
    const char *want_counts = "1,100,10000,100000";
    char *text, **names, *ptext;
    size_t *lens;
    const char **pats;

    for (i = 1; i + 1 < (size_t)argc; i += 2) {
        if (!strcmp(argv[i], "-n"))
            nnames = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "-p"))
            passes = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "-k"))
            want_kinds = argv[i + 1];
        else if (!strcmp(argv[i], "-c"))
            want_counts = argv[i + 1];
    }
    if (getenv("BENCH_MATCH_NAMES"))
        nnames = strtoul(getenv("BENCH_MATCH_NAMES"), NULL, 10);
    if (getenv("BENCH_MATCH_PASSES"))
        passes = strtoul(getenv("BENCH_MATCH_PASSES"), NULL, 10);
    if (nnames == 0 || passes == 0)
        return 2;
    text = (char *)malloc(nnames * 96);
    names = (char **)malloc(nnames * sizeof *names);
    lens = (size_t *)malloc(nnames * sizeof *lens);
    ptext = (char *)malloc(100000 * 64);
    pats = (const char **)malloc(100000 * sizeof *pats);
    if (!text || !names || !lens || !ptext || !pats)
        return 2;
    for (i = 0; i < nnames; i++) {
        names[i] = text + total;
        lens[i] = gen_name(names[i]);
        total += lens[i];
    }
    printf("== bench_match: %zu names (%.1f bytes on average), best of %zu "
           "passes, one core\n", nnames, (double)total / (double)nnames,
           passes);
    printf("%-8s %8s %12s %10s %10s %8s %8s %10s %10s\n", "kind",
           "patterns", "names/s", "ns/name", "compile", "states", "classes",
           "bytes/pat", "copy B/pat");
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!listed(want_kinds, kinds[k]))
            continue;
        for (c = 0; c < 4; c++) {
            size_t n = counts[c], size, bad, hits = 0, p;
            double t0, tc, best = 1e30;
            unsigned char *mem;
            cs_match *m;
            char buf[24];
            int err;

            snprintf(buf, sizeof buf, "%zu", n);
            if (!listed(want_counts, buf))
                continue;
            rng_state = 0x9e3779b97f4a7c15u + c;
            for (i = 0; i < n; i++) {
                gen_pattern(ptext + i * 64, kinds[k], (int)i);
                pats[i] = ptext + i * 64;
            }
            t0 = now();
            if (cs_match_size(pats, n, 0, &size, &bad) != 0)
                return 3;
            mem = (unsigned char *)malloc(size);
            if (mem == NULL)
                return 2;
            m = cs_match_compile(mem, size, pats, n, 0, &err, &bad);
            tc = now() - t0;
            if (m == NULL)
                return 3;
            for (p = 0; p < passes; p++) {
                size_t h = 0;
                uint32_t ids[8];
                double t1 = now(), dt;
                for (i = 0; i < nnames; i++)
                    h += cs_match_name(m, names[i], lens[i], ids, 8) > 0;
                dt = now() - t1;
                if (dt < best)
                    best = dt;
                hits = h;
            }
            printf("%-8s %8zu %12.0f %10.1f %8.1fms %8u %8u %10.0f %10.0f"
                   "   hits %zu/M\n", kinds[k], n, (double)nnames / best,
                   best * 1e9 / (double)nnames, tc * 1e3, m->nodes, m->ncls,
                   (double)size / (double)n,
                   (double)cs_match_used(m) / (double)n,
                   (size_t)((double)hits * 1e6 / (double)nnames));
            fflush(stdout);
            free(mem);
        }
    }
    free(text);
    free(names);
    free(lens);
    free(ptext);
    free((void *)pats);
    return 0;
}
