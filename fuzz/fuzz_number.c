/* fuzz_number.c - libFuzzer target for the decimal-to-double conversion.
 *
 * The input is the number text itself, with one escape hatch for long
 * inputs: when the first byte is 0xFF, the rest is expanded first, every
 * "*" HI LO C becoming C repeated ((HI << 8 | LO) + 1) * 4 times (so up to
 * 262144 copies; 512 KiB in all at most). That lets a few input bytes ask
 * for 100000 zeros, where digit and exponent counters saturate.
 *
 * Checks; any failure prints both sides and calls abort():
 *   1. cs_json_number() accepts exactly the texts that match the RFC 8259
 *      number grammar (checked here by fz_is_number()), and returns 0 or
 *      CS_E_JSON_NUMBER, nothing else.
 *   2. For a valid number, the result is bit-identical to strtod() in the
 *      C locale (glibc's strtod rounds correctly, ties to even).
 *   3. The same text as the value of timestamp, data.seen and
 *      data.cert_index in a message, fed whole and one byte at a time (or
 *      in odd chunks when long): seen and timestamp equal strtod(),
 *      cert_index is set exactly when the text is plain digits below 2^64.
 *   4. As the whole message, a valid number is valid JSON that is not an
 *      object (CS_E_JSON_NOT_OBJECT); text made only of number characters
 *      that fails the grammar is an error as a value of seen.
 */
#define CERTSTREAM_IMPLEMENTATION
#include "certstream.h" /* build with -I<repo root> */
#define FZ_NAME "fuzz_number"
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_RAW ((size_t)1 << 20)
#define FZ_MAX_EXPANDED ((size_t)512 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
fz_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static int
fz_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259 section 6, written out:
 *   number = [ "-" ] int [ frac ] [ exp ]
 *   int = "0" / ( digit1-9 *DIGIT ); frac = "." 1*DIGIT
 *   exp = ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT */
static int
fz_is_number(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !fz_digit(s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && fz_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !fz_digit(s[i]))
            return 0;
        while (i < n && fz_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !fz_digit(s[i]))
            return 0;
        while (i < n && fz_digit(s[i]))
            i++;
    }
    return i == n;
}

/* Plain digits below 2^64: what cert_index accepts. */
static int
fz_uint64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned d;
        if (!fz_digit(s[i]))
            return 0;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* The input as text: copied, or expanded (see the top comment). Returns a
 * malloc()ed, NUL-terminated buffer; *n gets its length. */
static char *
fz_text(const uint8_t *data, size_t size, size_t *n)
{
    size_t i, len = 0, room;
    char *t;

    if (size == 0 || data[0] != 0xff) {
        t = (char *)malloc(size + 1);
        if (t == NULL)
            abort();
        if (size > 0)
            memcpy(t, data, size);
        t[size] = 0;
        *n = size;
        return t;
    }
    room = size + 1;
    for (i = 1; i + 3 < size; i++)
        if (data[i] == '*')
            room += ((size_t)(data[i + 1] << 8 | data[i + 2]) + 1) * 4;
    if (room > FZ_MAX_EXPANDED + 1)
        room = FZ_MAX_EXPANDED + 1;
    t = (char *)malloc(room);
    if (t == NULL)
        abort();
    for (i = 1; i < size && len < FZ_MAX_EXPANDED; i++) {
        if (data[i] == '*' && i + 3 < size) {
            size_t k = ((size_t)(data[i + 1] << 8 | data[i + 2]) + 1) * 4;
            if (k > FZ_MAX_EXPANDED - len)
                k = FZ_MAX_EXPANDED - len;
            memset(t + len, data[i + 3], k);
            len += k;
            i += 3;
        } else {
            t[len++] = (char)data[i];
        }
    }
    t[len] = 0;
    *n = len;
    return t;
}

/* Feed a message whole or in chunks of `step` bytes, each from its own
 * exact-size heap copy (ASan then sees reads outside a chunk); returns
 * what cs_json_end() returned. */
static int
fz_parse(cs_json *j, const char *m, size_t n, size_t step)
{
    size_t i;

    if (step == 0)
        return cs_json_parse(j, m, n);
    cs_json_begin(j);
    for (i = 0; i < n; i += step) {
        size_t k = n - i < step ? n - i : step;
        char *c = (char *)malloc(k);
        if (c == NULL)
            abort();
        memcpy(c, m + i, k);
        cs_json_feed(j, c, k);
        free(c);
    }
    return cs_json_end(j);
}

/* Check 3: the number as seen, timestamp and cert_index. */
static void
fz_in_message(const char *s, size_t n, double want)
{
    static const char pre[] = "{\"timestamp\":", mid1[] = ",\"data\":{"
                              "\"seen\":", mid2[] = ",\"cert_index\":",
                      post[] = "}}";
    size_t len = strlen(pre) + strlen(mid1) + strlen(mid2) + strlen(post)
                 + 3 * n, pass;
    char *m = (char *)malloc(len), *w = m; /* exact size: see fz_parse */
    unsigned char dom[64];
    uint64_t ci = 0;
    int ci_ok = fz_uint64(s, n, &ci);
    cs_json j;

    if (m == NULL)
        abort();
    memcpy(w, pre, strlen(pre));
    w += strlen(pre);
    memcpy(w, s, n);
    w += n;
    memcpy(w, mid1, strlen(mid1));
    w += strlen(mid1);
    memcpy(w, s, n);
    w += n;
    memcpy(w, mid2, strlen(mid2));
    w += strlen(mid2);
    memcpy(w, s, n);
    w += n;
    memcpy(w, post, strlen(post));
    cs_json_init(&j, dom, sizeof dom);
    for (pass = 0; pass < 2; pass++) {
        size_t step = pass == 0 ? 0 : n < 4096 ? 1 : 4093;
        const cs_msg *msg;
        int r = fz_parse(&j, m, len, step);
        if (r != 0)
            fz_fail("\"%.100s\" in a message: %s at %llu", s, cs_errname(r),
                    (unsigned long long)cs_json_error_offset(&j));
        msg = cs_json_msg(&j);
        if (!(msg->has & CS_F_SEEN) || !(msg->has & CS_F_TIMESTAMP))
            fz_fail("\"%.100s\": seen/timestamp missing (has %#x)", s,
                    msg->has);
        if (fz_bits(msg->seen) != fz_bits(want)
                || fz_bits(msg->timestamp) != fz_bits(want))
            fz_fail("\"%.100s\" (step %zu): seen %.17g timestamp %.17g, strtod "
                    "%.17g", s, step, msg->seen, msg->timestamp, want);
        if (ci_ok != ((msg->has & CS_F_CERT_INDEX) != 0)
                || ci_ok == ((msg->bad & CS_F_CERT_INDEX) != 0))
            fz_fail("\"%.100s\": cert_index has/bad %#x/%#x, expected %s", s,
                    msg->has, msg->bad, ci_ok ? "has" : "bad");
        if (ci_ok && msg->cert_index != ci)
            fz_fail("\"%.100s\": cert_index %llu, expected %llu", s,
                    (unsigned long long)msg->cert_index,
                    (unsigned long long)ci);
    }
    free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n, i;
    char *s, *x;
    int valid, r, numchars = 1;
    double d = 0.0;
    cs_json j;

    if (size > FZ_MAX_RAW)
        return 0;
    s = fz_text(data, size, &n);
    valid = fz_is_number(s, n);
    /* s ends in a NUL for strtod(); the library gets an exact-size copy,
     * so ASan sees a read of s[n] */
    x = (char *)malloc(n ? n : 1);
    if (x == NULL)
        abort();
    memcpy(x, s, n);

    /* 1 + 2: the verdict, then the bits */
    r = cs_json_number(x, n, &d);
    if (r != 0 && r != CS_E_JSON_NUMBER)
        fz_fail("cs_json_number(\"%.100s\") returned %d", s, r);
    if ((r == 0) != valid)
        fz_fail("cs_json_number(\"%.100s\") says %s, the grammar says %s", s,
                r == 0 ? "number" : "not a number",
                valid ? "number" : "not a number");
    if (valid) {
        double want = strtod(s, NULL);
        if (fz_bits(d) != fz_bits(want))
            fz_fail("cs_json_number(\"%.100s\") = %.17g (%016llx), strtod "
                    "%.17g (%016llx)", s, d, (unsigned long long)fz_bits(d),
                    want, (unsigned long long)fz_bits(want));
        /* 3 */
        fz_in_message(s, n, want);
    }

    /* 4: the extractor's own grammar agrees */
    for (i = 0; i < n; i++)
        if (strchr("0123456789+-.eE", s[i]) == NULL || s[i] == 0)
            numchars = 0;
    cs_json_init(&j, NULL, 0);
    r = cs_json_parse(&j, x, n);
    if (valid && r != CS_E_JSON_NOT_OBJECT)
        fz_fail("\"%.100s\" as a message: %s, expected CS_E_JSON_NOT_OBJECT", s,
                cs_errname(r));
    if (!valid && numchars) {
        static const char pre[] = "{\"data\":{\"seen\":";
        char *m = (char *)malloc(n + sizeof pre + 1);
        if (m == NULL)
            abort();
        memcpy(m, pre, sizeof pre - 1);
        memcpy(m + sizeof pre - 1, s, n);
        memcpy(m + sizeof pre - 1 + n, "}}", 2);
        r = cs_json_parse(&j, m, n + sizeof pre + 1);
        if (r == 0 || r == CS_E_JSON_NOT_OBJECT)
            fz_fail("\"%.100s\" is no number, yet accepted as seen (%s)", s,
                    cs_errname(r));
        free(m);
    }
    free(x);
    free(s);
    return 0;
}
