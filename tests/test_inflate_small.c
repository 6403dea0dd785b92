/* test_inflate_small.c - tests/test_inflate.c with CS_CRC32_SMALL (gzip's
 * CRC-32 from the 1 KB table, as the firmware builds it), its quick part:
 * test_crc32 checks that path against the bitwise reference at every
 * length and split, and every gzip vector (whole, split, in the least
 * window) checks its CRC-32 through it. */
#define CS_CRC32_SMALL 1
#define TEST_INFLATE_QUICK 1
#include "test_inflate.c"
