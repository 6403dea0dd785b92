/* cs-extract: the fields of recorded CertStream messages, one JSON line each.
 *
 *   cs-extract [options] FILE...   each file is one message
 *   cs-extract [options] < feed    one message per line (NDJSON)
 *
 * See README.md ("cs-extract") for the output format. Constant memory:
 * input is streamed through the extractor, never held whole. */
/* The extractor alone: no network, no TLS, no POSIX. */
#define CERTSTREAM_NO_TLS
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char g_names[CS_JSON_DOMAIN_BUF];

/* How input is cut before it reaches the extractor. */
typedef struct chunker {
    size_t fixed;       /* 0: as read */
    int random;         /* random split points */
    uint64_t rng;
} chunker;

static uint64_t
rng_next(uint64_t *s)
{
    /* xorshift64*: deterministic per seed, good enough for split points */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1du;
}

static void
feed(cs_json *j, chunker *ck, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t k = n;
        if (ck->random) {
            uint64_t r = rng_next(&ck->rng);
            /* mostly tiny pieces, sometimes large ones */
            k = (r & 7) == 0 ? (size_t)(r >> 8) % 4096 + 1
                             : (size_t)(r >> 8) % 17 + 1;
        } else if (ck->fixed > 0) {
            k = ck->fixed;
        }
        if (k > n)
            k = n;
        cs_json_feed(j, p, k);
        p += k;
        n -= k;
    }
}

/* ---- output: compact JSON, every string escaped ---- */

static void
put_str(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    putchar('"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            putchar('\\');
            putchar(c);
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", stdout); break;
            case '\r': fputs("\\r", stdout); break;
            case '\t': fputs("\\t", stdout); break;
            case '\b': fputs("\\b", stdout); break;
            case '\f': fputs("\\f", stdout); break;
            default:
                printf("\\u00%c%c", hex[c >> 4], hex[c & 15]);
            }
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

/* Shortest %g form that reads back as the same double. */
static void
put_num(double d)
{
    char buf[40];
    int prec;

    if (d != d) {
        fputs("null", stdout);
        return;
    }
    if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
        fputs(d > 0 ? "1e999" : "-1e999", stdout);
        return;
    }
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* make it look like a float, as Python prints one */
    if (strpbrk(buf, ".eEn") == NULL)
        strcat(buf, ".0");
    fputs(buf, stdout);
}

/* A digest as lowercase hex. */
static void
put_hex(const char *sep, const char *name, const unsigned char *d, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    printf("%s\"%s\":\"", sep, name);
    for (i = 0; i < n; i++) {
        putchar(hex[d[i] >> 4]);
        putchar(hex[d[i] & 15]);
    }
    putchar('"');
}

static void
put_result(cs_json *j, int rc)
{
    const cs_msg *m = cs_json_msg(j);
    static const char *const names[9] = {
        "type", "domains", "cert_index", "seen", "source_url",
        "source_name", "timestamp", "sha1", "sha256"
    };
    const char *sep = "";
    size_t i;
    int b;

    if (rc != 0) {
        printf("{\"error\":\"%s\",\"offset\":%llu}\n", cs_errname(rc),
               (unsigned long long)cs_json_error_offset(j));
        return;
    }
    putchar('{');
    if (m->has & CS_F_TYPE) {
        fputs("\"type\":", stdout);
        put_str(m->type_name.buf, m->type_name.len);
        sep = ",";
    }
    if (m->has & CS_F_CERT_INDEX) {
        printf("%s\"cert_index\":%llu", sep,
               (unsigned long long)m->cert_index);
        sep = ",";
    }
    if (m->has & CS_F_SEEN) {
        printf("%s\"seen\":", sep);
        put_num(m->seen);
        sep = ",";
    }
    if (m->has & CS_F_SOURCE_URL) {
        printf("%s\"source_url\":", sep);
        put_str(m->source_url.buf, m->source_url.len);
        sep = ",";
    }
    if (m->has & CS_F_SOURCE_NAME) {
        printf("%s\"source_name\":", sep);
        put_str(m->source_name.buf, m->source_name.len);
        sep = ",";
    }
    if (m->has & CS_F_TIMESTAMP) {
        printf("%s\"timestamp\":", sep);
        put_num(m->timestamp);
        sep = ",";
    }
    if (m->has & CS_F_SHA1) {
        put_hex(sep, "sha1", m->sha1, sizeof m->sha1);
        sep = ",";
    }
    if (m->has & CS_F_SHA256) {
        put_hex(sep, "sha256", m->sha256, sizeof m->sha256);
        sep = ",";
    }
    if (m->has & CS_F_DOMAINS) {
        printf("%s\"domains\":[", sep);
        for (i = 0; i < m->domain_count; i++) {
            size_t n;
            const char *d = cs_msg_domain(m, i, &n);
            if (i > 0)
                putchar(',');
            put_str(d, n);
        }
        printf("],\"domain_count\":%llu",
               (unsigned long long)m->domain_total);
        sep = ",";
    }
    if (m->trunc != 0) {
        printf("%s\"truncated\":[", sep);
        for (b = 0, i = 0; b < 9; b++)
            if (m->trunc & (1u << b))
                printf("%s\"%s\"", i++ ? "," : "", names[b]);
        putchar(']');
        sep = ",";
    }
    if (m->bad != 0) {
        printf("%s\"wrong_type\":[", sep);
        for (b = 0, i = 0; b < 9; b++)
            if (m->bad & (1u << b))
                printf("%s\"%s\"", i++ ? "," : "", names[b]);
        putchar(']');
    }
    fputs("}\n", stdout);
}

static void
usage(FILE *f)
{
    fputs("usage: cs-extract [--chunk N | --chunk random:SEED]"
          " [--domain-buf BYTES] [FILE...]\n"
          "  Prints the CertStream fields of each message as one JSON line.\n"
          "  FILE...   each file is one message; without files, stdin holds\n"
          "            one message per line.\n"
          "  --chunk N            feed the parser N bytes at a time\n"
          "  --chunk random:SEED  feed it at random split points\n"
          "  --domain-buf BYTES   domain storage (default 262144)\n"
          "  --version            print the library version\n", f);
}

static int
parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != 0 || v > (unsigned long long)SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

int
main(int argc, char **argv)
{
    static unsigned char buf[1 << 16];
    static cs_json j;
    chunker ck;
    size_t dom_cap = sizeof g_names;
    int i, nfiles = 0, bad = 0, opts = 1;

    memset(&ck, 0, sizeof ck);
    /* Options may come anywhere before "--"; the rest are files, kept in
     * order at the front of argv. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts || a[0] != '-' || a[1] == 0) {
            argv[1 + nfiles++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            opts = 0;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("cs-extract (certstream.h) %s\n",
                   CERTSTREAM_VERSION_STRING);
            return 0;
        }
        if (strcmp(a, "--chunk") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            size_t seed;
            if (strncmp(v, "random:", 7) == 0
                    && parse_size(v + 7, &seed) == 0) {
                ck.random = 1;
                ck.rng = (uint64_t)seed * 0x9e3779b97f4a7c15u + 1;
            } else if (parse_size(v, &ck.fixed) != 0 || ck.fixed == 0) {
                fprintf(stderr, "cs-extract: --chunk wants a positive "
                        "number or random:SEED, not '%s'\n", v);
                return 2;
            }
            continue;
        }
        if (strcmp(a, "--domain-buf") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &dom_cap) != 0
                    || dom_cap > sizeof g_names) {
                fprintf(stderr, "cs-extract: --domain-buf wants a byte "
                        "count up to %zu, not '%s'\n", sizeof g_names,
                        argv[i]);
                return 2;
            }
            continue;
        }
        fprintf(stderr, "cs-extract: unknown or incomplete option '%s'\n",
                a);
        usage(stderr);
        return 2;
    }
    cs_json_init(&j, g_names, dom_cap);

    for (i = 1; i <= nfiles; i++) {
        FILE *f = fopen(argv[i], "rb");
        size_t n;
        if (f == NULL) {
            fprintf(stderr, "cs-extract: %s: %s\n", argv[i], strerror(errno));
            bad = 1;
            continue;
        }
        cs_json_begin(&j);
        errno = 0;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            feed(&j, &ck, buf, n);
        if (ferror(f)) {
            /* (a directory, or an I/O error): no message to report */
            fprintf(stderr, "cs-extract: %s: %s\n", argv[i],
                    errno != 0 ? strerror(errno) : "read error");
            fclose(f);
            bad = 1;
            continue;
        }
        fclose(f);
        put_result(&j, cs_json_end(&j));
    }
    if (nfiles == 0) {
        /* NDJSON on stdin: a newline ends a message; blank lines (empty,
         * or only whitespace such as a CRLF file's "\r") are not
         * messages. */
        size_t n, k;
        int blank = 1;
        cs_json_begin(&j);
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
            size_t s = 0;
            for (k = 0; k < n; k++) {
                unsigned char c = buf[k];
                if (c != '\n') {
                    if (c != ' ' && c != '\t' && c != '\r')
                        blank = 0;
                    continue;
                }
                feed(&j, &ck, buf + s, k - s);
                if (!blank)
                    put_result(&j, cs_json_end(&j));
                cs_json_begin(&j);
                blank = 1;
                s = k + 1;
            }
            feed(&j, &ck, buf + s, n - s);
        }
        if (!blank)
            put_result(&j, cs_json_end(&j));
        if (ferror(stdin)) {
            fprintf(stderr, "cs-extract: stdin: read error\n");
            bad = 1;
        }
    }
    if (fflush(stdout) != 0)
        bad = 1;
    return bad;
}
