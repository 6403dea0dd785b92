/* bench/e2e_fortify_shim.c - for the musl -static build variant of
 * bench/e2e.sh only. Debian builds libbearssl.a with _FORTIFY_SOURCE, so
 * the archive calls glibc's __memcpy_chk, __memmove_chk and __memset_chk,
 * which musl lacks (the research notes, bearssl.md section 0). These
 * forward to the plain functions (no object-size check). */
#include <stddef.h>
#include <string.h>

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dn);
void *__memmove_chk(void *d, const void *s, size_t n, size_t dn);
void *__memset_chk(void *d, int c, size_t n, size_t dn);

void *
__memcpy_chk(void *d, const void *s, size_t n, size_t dn)
{
    (void)dn;
    return memcpy(d, s, n);
}

void *
__memmove_chk(void *d, const void *s, size_t n, size_t dn)
{
    (void)dn;
    return memmove(d, s, n);
}

void *
__memset_chk(void *d, int c, size_t n, size_t dn)
{
    (void)dn;
    return memset(d, c, n);
}
