/* fuzz.h - helpers shared by the fuzz harnesses (fuzz/fuzz_<name>.c).
 *
 * Define FZ_NAME (e.g. "fuzz_hs") before the include: fz_fail() starts
 * its message with it. Everything is static inline, so a harness that
 * does not use a helper gets no unused-function warning. */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FZ_NAME
#  error "define FZ_NAME (the harness's name) before including fuzz.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FZ_VERBOSE=1 in the environment: one line per input (what it did). */
static inline int
fz_verbose(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("FZ_VERBOSE");
        v = e != NULL && *e != 0 && *e != '0';
    }
    return v;
}

/* Print what went wrong and abort(): the fuzzer keeps the input. */
static inline void
fz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs(FZ_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* xorshift32, for split points; the state is never 0. */
static inline uint32_t
fz_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}
#endif
