/* The CT log list built into the header: the table reads back whole and
 * consistent; the selection rule; and, with --dump, every entry as one
 * line for tests/test_loglist.py to compare with the signed list. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"
#include <stdio.h>
#include <string.h>

static int
ends_with_slash(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '/';
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

static void
dump(void)
{
    size_t i, k;
    cs_ct_log l;

    for (i = 0; i < cs_ct_snapshot_count(); i++) {
        if (cs_ct_snapshot_get(i, &l) != 0)
            return;
        printf("%d\t%d\t%s\t%s\t%s\t%lu\t%lld\t%lld\t", l.kind, l.state,
               l.operator_name, l.description, l.url, (unsigned long)l.mmd,
               (long long)l.start, (long long)l.end);
        for (k = 0; k < l.key_len; k++)
            printf("%02x", l.key[k]);
        printf("\n");
    }
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
        dump();
        return 0;
    }
    TEST(snapshot_reads_back);
    TEST(live_rule);
    return TEST_SUMMARY();
}
