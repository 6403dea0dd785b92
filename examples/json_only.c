/* json_only.c - the extractor alone, on messages saved to files.
 *
 *   cc -O2 -o json_only examples/json_only.c && ./json_only msg.json ...
 *
 * Prints each certificate's domains, one per line, the way a phishing
 * watcher would consume them. Reads each file in 4 KiB pieces to show that
 * the extractor never needs the whole message at once. */
/* The extractor alone: no network, no TLS, no POSIX. */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>

static unsigned char names[CS_JSON_DOMAIN_BUF]; /* domains of one message */
static cs_json parser;                          /* ~1.8 KB, no heap */

int
main(int argc, char **argv)
{
    unsigned char buf[4096];
    int i, status = 0;

    cs_json_init(&parser, names, sizeof names);
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        const cs_msg *m;
        size_t n, k;
        int rc;

        if (f == NULL) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        cs_json_begin(&parser);
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            cs_json_feed(&parser, buf, n);
        fclose(f);
        rc = cs_json_end(&parser);
        if (rc != 0) {
            fprintf(stderr, "%s: %s (%s) at byte %llu\n", argv[i],
                    cs_strerror(rc), cs_errname(rc),
                    (unsigned long long)cs_json_error_offset(&parser));
            status = 1;
            continue;
        }
        m = cs_json_msg(&parser);
        printf("%s: %s", argv[i],
               m->has & CS_F_TYPE ? m->type_name.buf : "(no type)");
        if (m->has & CS_F_CERT_INDEX)
            printf(" #%llu", (unsigned long long)m->cert_index);
        if (m->has & CS_F_SOURCE_NAME)
            printf(" from %s", m->source_name.buf);
        printf(", %zu domain(s)%s\n", m->domain_total,
               m->trunc & CS_F_DOMAINS ? " (some not stored)" : "");
        for (k = 0; k < m->domain_count; k++)
            printf("  %s\n", cs_msg_domain(m, k, NULL));
    }
    return status;
}
