/* The core with no libc at all: hooks given, -ffreestanding -nostdlib.
 * Compiled only (make freestanding); nm must show no undefined symbol. */
#define CS_NO_SIMD
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_IMPLEMENTATION
#define CS_ASSERT(x) ((void)0)
#define CS_MEMCPY(d, s, n) fs_memcpy((d), (s), (n))
#define CS_MEMSET(d, c, n) fs_memset((d), (c), (n))
#include <stddef.h>
static void *
fs_memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = (volatile unsigned char *)d;
    while (n-- > 0)
        *p++ = (unsigned char)c;
    return d;
}
static void *
fs_memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = (volatile unsigned char *)d;
    const unsigned char *q = (const unsigned char *)s;
    while (n-- > 0)
        *p++ = *q++;
    return d;
}
#include "../certstream.h"

int fs_entry(const unsigned char *p, size_t n, unsigned char *names,
             size_t cap);
int
fs_entry(const unsigned char *p, size_t n, unsigned char *names, size_t cap)
{
    static cs_json j;
    cs_json_init(&j, names, cap);
    return cs_json_parse(&j, p, n);
}
