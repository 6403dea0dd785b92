/* bench_memchr.c - reference pass: one memchr('\n') over every message,
 * i.e. the cost of touching each byte once with glibc's SIMD memchr plus
 * one call per message. Its CHECK line only counts messages. */
#define _POSIX_C_SOURCE 200809L
#include "bench_common.h"

static const char *
bench_name(void)
{
    return "memchr('\\n') reference";
}

static void
bench_pass(const bench_msg *m, size_t nm, bench_acc *a, int full)
{
    size_t k;

    (void)full;
    for (k = 0; k < nm; k++) {
        const void *q = memchr(m[k].p, '\n', m[k].n);
        a->msgs++;
        a->ok += q == NULL;
    }
}

int
main(int argc, char **argv)
{
    return bench_main(argc, argv);
}
