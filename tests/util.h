/* util.h - helpers shared by the C test programs (include after test.h).
 *
 * Everything is static inline, so a test that does not use a helper gets
 * no unused-function warning. Define UTIL_RNG_SEED before the include to
 * give a file its own deterministic random sequence. */
#ifndef CS_TEST_UTIL_H
#define CS_TEST_UTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef UTIL_RNG_SEED
#  define UTIL_RNG_SEED 0x9e3779b97f4a7c15u
#endif

static uint64_t g_rng = UTIL_RNG_SEED;

/* xorshift64*: deterministic for a given g_rng (tests may reseed it). */
static inline uint64_t
rnd(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545f4914f6cdd1du;
}

/* Uniform enough in 0..n-1; 0 when n is 0. */
static inline size_t
rnd_below(size_t n)
{
    return n == 0 ? 0 : (size_t)(rnd() % n);
}

static inline void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n == 0 ? 1 : n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* malloc of an exact size (1 for 0): a sanitizer sees any read past it. */
static inline void *
xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static inline void *
xcalloc(size_t n)
{
    void *p = calloc(1, n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* A growing byte buffer; zero-initialize, then b_add / b_free. */
typedef struct bytes {
    unsigned char *p;
    size_t len, cap;
} bytes;

static inline void
b_add(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->p = (unsigned char *)xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n != 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void
b_str(bytes *b, const char *s)
{
    b_add(b, s, strlen(s));
}

static inline void
b_free(bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* FNV-1a over p[0..n), continuing from h (start with 2166136261u). */
static inline uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

/* ASCII lower case (no locale). */
static inline int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* a[0..n) equals b[0..n), ignoring ASCII case. */
static inline int
ieqn(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* NUL-terminated a equals b, ignoring ASCII case. */
static inline int
ieq(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
        a++, b++;
    return *a == 0 && *b == 0;
}

/* ---- real CT data: ../shared/ct, or the folder CS_CT_DATA names ---- */

static inline const char *
data_dir(void)
{
    const char *d = getenv("CS_CT_DATA");
    return d != NULL && *d != 0 ? d : "../shared/ct";
}

/* The whole file data_dir()/rel, malloc'd, its length in *len; NULL
 * (and *len 0) when it cannot be read. With nul a 0 byte follows the data (for text
 * read as a string); without, the block is exactly the data, so that a
 * sanitizer sees any read past it. */
static inline unsigned char *
load_file(const char *rel, size_t *len, int nul)
{
    char path[512];
    FILE *f;
    unsigned char *p;
    long n;

    *len = 0;
    snprintf(path, sizeof path, "%s/%s", data_dir(), rel);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = (unsigned char *)malloc(n > 0 ? (size_t)n + (nul != 0) : 1);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        fclose(f);
        return NULL;
    }
    fclose(f);
    if (nul)
        p[n] = 0;
    *len = (size_t)n;
    return p;
}

/* load_file() of exactly the data / NUL-terminated. */
static inline unsigned char *
load(const char *rel, size_t *len)
{
    return load_file(rel, len, 0);
}

static inline unsigned char *
load_str(const char *rel, size_t *len)
{
    return load_file(rel, len, 1);
}
#endif
