/* test.h - a tiny test harness, no dependencies (after jsmn's test/test.h).
 * A test is a function returning void; CHECK records a failure and goes on.
 * main() runs TEST(fn) for each and ends with TEST_SUMMARY(), which prints
 * the closing "N passed, N failed" line and returns the exit status. */
#ifndef CS_TEST_H
#define CS_TEST_H
#include <stdio.h>

static int test_passed, test_failed, test_cur_failed;
static const char *test_cur;

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            test_cur_failed++; \
            fprintf(stderr, "FAIL %s (%s:%d): %s\n", test_cur, __FILE__, \
                    __LINE__, #cond); \
        } \
    } while (0)

/* CHECK with a printf-style explanation. */
#define CHECKF(cond, ...) \
    do { \
        if (!(cond)) { \
            test_cur_failed++; \
            fprintf(stderr, "FAIL %s (%s:%d): %s: ", test_cur, __FILE__, \
                    __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

#define TEST(fn) \
    do { \
        test_cur = #fn; \
        test_cur_failed = 0; \
        fn(); \
        if (test_cur_failed) \
            test_failed++; \
        else \
            test_passed++; \
    } while (0)

#define TEST_SUMMARY() \
    (printf("%d passed, %d failed\n", test_passed, test_failed), \
     test_failed != 0)
#endif
