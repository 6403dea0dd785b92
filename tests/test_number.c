/* test_number.c - cs_json_number() against strtod() in the C locale,
 * bit for bit: hand-picked hard cases, then millions of random inputs
 * from several generators, then malformed numbers. A subset also goes
 * through the streaming extractor (data.seen) to check that both paths
 * agree.
 *
 * CS_TEST_SCALE (a positive number, default 1) scales the random counts;
 * CS_TEST_SEED picks another random sequence. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "test.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static double g_scale = 1.0;
static uint64_t g_seed = 0x9e3779b97f4a7c15u;
static long g_checked;          /* numbers compared, all tests */
static int g_shown;             /* mismatches printed in this test */

static uint64_t
rnd(void)
{
    /* splitmix64: deterministic per seed */
    uint64_t z = (g_seed += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n > 0; the bias is irrelevant here). */
static unsigned
rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static long
scaled(long n)
{
    double v = (double)n * g_scale;
    return v < 1.0 ? 1 : (long)v;
}

static uint64_t
bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double
double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Print s, shortened in the middle when long. */
static void
show(const char *s, size_t len)
{
    if (len <= 120)
        fprintf(stderr, "%.*s", (int)len, s);
    else
        fprintf(stderr, "%.60s...(%lu chars)...%.50s", s,
                (unsigned long)len, s + len - 50);
}

/* The double strtod() gives for s[0..len) (s need not be terminated). */
static double
oracle(const char *s, size_t len)
{
    static char *buf;
    static size_t cap;
    if (len + 1 > cap) {
        free(buf);
        cap = len + 1 < 4096 ? 4096 : len + 1;
        buf = (char *)malloc(cap);
        if (buf == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    return strtod(buf, NULL);
}

/* One comparison; returns 1 if cs_json_number agrees with strtod. */
static int
agree(const char *s, size_t len)
{
    double want = oracle(s, len), got = -12345.0;
    int rc = cs_json_number(s, len, &got);

    g_checked++;
    if (rc == 0 && bits_of(got) == bits_of(want))
        return 1;
    if (g_shown++ < 12) {
        fprintf(stderr, "  mismatch: \"");
        show(s, len);
        fprintf(stderr, "\": rc %d got %.17g (%016llx) want %.17g "
                "(%016llx)\n", rc, got, (unsigned long long)bits_of(got),
                want, (unsigned long long)bits_of(want));
    }
    return 0;
}

static int
agree_z(const char *s)
{
    return agree(s, strlen(s));
}

/* Run a generator n times; every input must agree. */
static void
run_gen(const char *name, size_t (*gen)(char *buf), long n)
{
    static char buf[4096];
    long i, bad = 0;

    g_shown = 0;
    for (i = 0; i < n; i++) {
        size_t len = gen(buf);
        if (!agree(buf, len))
            bad++;
    }
    CHECKF(bad == 0, "%s: %ld of %ld inputs differ from strtod", name, bad,
           n);
}

/* ---- hand-picked hard cases ---- */

static const char *const hard[] = {
    /* zeros, signs, exponent forms */
    "0", "-0", "0.0", "-0.0", "0e0", "0E+0", "-0e-0", "0e999999999",
    "-0e999999999", "0e-999999999", "0.000e5", "0.0000000000000000000000",
    "1", "-1", "1E+2", "1e-0", "1e+0", "1E2", "10e-1", "100e-2",
    "1e0000000000000000000000000000000000000002", "1e-000000000000000001",
    /* 2^53 neighbourhood: halfway cases round to even */
    "9007199254740992", "9007199254740993", "9007199254740994",
    "9007199254740995", "9007199254740996", "9007199254740997",
    "9007199254740993.0000000000000000001", "9007199254740992.9999999999999",
    "9007199254740993e0", "900719925474099.3e1", "90071992547409930e-1",
    "18014398509481985", "18014398509481986", "18014398509481987",
    /* 1 + 2^-53 exactly (halfway between 1 and 1 + 2^-52), and around */
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
    "1.0000000000000002220446049250313080847263336181640625",
    "0.99999999999999994448884876874217297882", /* 1 - 2^-54 */
    /* subnormals and the bottom of the range */
    "4.9e-324", "5e-324", "4.9406564584124654e-324", "3e-324", "2e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324",
    "2.47032822920623272088e-324", "2.47032822920623272089e-324",
    "7.4109846876186982e-324", "1e-323", "2.2250738585072009e-308",
    "2.2250738585072011e-308", "2.2250738585072012e-308",
    "2.2250738585072013e-308", "2.2250738585072014e-308",
    "2.225073858507201136057409796709131975934819546351645648e-308",
    "2.2250738585072008890245868760858598876504231122409594654935248"
    "025624400092282356951787758888037591552642309780950434312085877"
    "3870e-308",
    "4.4501477170144022721148195934182639518696390927032912960468522"
    "19e-308",
    "1e-400", "-1e-400", "1e-2147483649", "-1e-99999999999999999999",
    /* the top of the range */
    "1.7976931348623157e308", "1.7976931348623158e308",
    "1.7976931348623159e308", "-1.7976931348623157e308",
    "1.797693134862315807937289714053e308",  /* just below the halfway */
    "1.797693134862315807937289714054e308",  /* just above: infinity */
    "8.98846567431158e307", "1e308", "1e309", "-1e309", "1e2147483648",
    "179769313486231570814527423731704356798070567525844996598917476803"
    "157260780028538760589558632766878171540458953514382464234321326889"
    "464182768467546703537516986049910576551282076245490090389328944075"
    "868508455133942304583236903222948165808559332123348274797826204144"
    "723168738177180919299881250404026184124858368",
    /* classic decimal troublemakers */
    "0.1", "0.2", "0.3", "1e23", "8.589973e9", "1.448997445238699",
    "3.14159265358979323846264338327950288419716939937510582097494459",
    "2.718281828459045235360287471352662497757247093699959574966967627",
    "7.038531e-26", "9.109e-31", "6.02214076e23", "1.602176634e-19",
    "123456789012345678901234567890", "0.000001", "1e-7", "1e21", "1e22",
    "4294967295", "4294967296", "18446744073709551615",
    "18446744073709551616", "9999999999999999999", "99999999999999999999",
    "12345678901234567890123", "1.2345678901234567e-300",
    /* the fast path's edges: q = +-27, 19 digits */
    "1e27", "1e-27", "1e28", "1e-28", "9999999999999999999e27",
    "9999999999999999999e-27", "1234567890123456789e-27",
    "1000000000000000000e27", "5e-27", "4.5e-27",
    "0.000000000000000000000000001",
    "1.000000000000000000", "10000000000000000000",
    /* leading zeros after the point, long zero runs */
    "0.000000000000000000000000000001", "0.0000000000000000000000000000000"
    "000001e30", "1.0000000000000000000000000000000", "0.00000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000001", "1000000000000000000000000000000000000e-36",
    /* feed-like values */
    "1508483726.8601687", "1692227600.123456", "1700000000.0",
    "1509908649.0", "1700000000", "1692227600.123", "1767225599.999999",
    NULL
};

static void
test_hard_cases(void)
{
    int i, bad = 0;

    g_shown = 0;
    for (i = 0; hard[i] != NULL; i++)
        if (!agree_z(hard[i]))
            bad++;
    CHECKF(bad == 0, "%d hard cases differ", bad);
}

/* Values the test asserts directly (strtod is not the only judge). */
static void
test_known_values(void)
{
    double d = -1.0;

    CHECK(cs_json_number("-0", 2, &d) == 0 && d == 0.0 && signbit(d));
    CHECK(cs_json_number("-0.0", 4, &d) == 0 && d == 0.0 && signbit(d));
    CHECK(cs_json_number("0", 1, &d) == 0 && d == 0.0 && !signbit(d));
    CHECK(cs_json_number("1e309", 5, &d) == 0 && isinf(d) && d > 0);
    CHECK(cs_json_number("-1e309", 6, &d) == 0 && isinf(d) && d < 0);
    CHECK(cs_json_number("1e-400", 6, &d) == 0 && d == 0.0 && !signbit(d));
    CHECK(cs_json_number("-1e-400", 7, &d) == 0 && d == 0.0 && signbit(d));
    CHECK(cs_json_number("4.9e-324", 8, &d) == 0
          && bits_of(d) == 1);
    CHECK(cs_json_number("2.4703282292062327e-324", 23, &d) == 0
          && bits_of(d) == 0);
    CHECK(cs_json_number("2.4703282292062328e-324", 23, &d) == 0
          && bits_of(d) == 1);
    CHECK(cs_json_number("9007199254740993", 16, &d) == 0
          && d == 9007199254740992.0);
    CHECK(cs_json_number("9007199254740995", 16, &d) == 0
          && d == 9007199254740996.0);
    CHECK(cs_json_number("1.7976931348623157e308", 22, &d) == 0
          && d == DBL_MAX);
    CHECK(cs_json_number("2.2250738585072014e-308", 23, &d) == 0
          && d == DBL_MIN);
    CHECK(cs_json_number("1E+2", 4, &d) == 0 && d == 100.0);
    CHECK(cs_json_number("1e-0", 4, &d) == 0 && d == 1.0);
    CHECK(cs_json_number("0e999999999", 11, &d) == 0 && d == 0.0);
    CHECK(cs_json_number("1508483726.8601687", 18, &d) == 0
          && d == 1508483726.8601687);
    /* len bounds the input: bytes after it are not read */
    CHECK(cs_json_number("12345", 2, &d) == 0 && d == 12.0);
    CHECK(cs_json_number("1.5e3xyz", 5, &d) == 0 && d == 1500.0);
}

/* The exact value of 2^-1075 (half the smallest subnormal) and the
 * numbers just around it, all with 750+ significant digits. */
static void
test_long_halfway(void)
{
    static const char half[] =
        "2.470328229206232720882843964341106861825299013071623822127928412503"
        "377536351043759326499181808179961898982823477228588654633283551779"
        "698981993873980053909390631503565951557022639229085839244910518443"
        "593180284993653615250031937045767824921936562366986365848075700158"
        "576926990370631192827955855133292783433840935197801553124659726357"
        "957462276646527282722005637400648549997709659947045402082816622623"
        "785739345073633900796776193057750674017632467360096895134053553745"
        "851666113422376667860416215968046191446729184030053005753084904876"
        "539171138659164623952491262365388187963623937328042389101867234849"
        "766823508986338858792562830275599565752445550725518931369083625477"
        "918694866799496832404970582102851318545139621383772282614543769341"
        "253209859132766723632812";
    static char buf[2400];
    size_t n = sizeof half - 1;
    double d = -1;
    int k;

    g_shown = 0;
    /* exactly halfway: ties to even, 0 */
    memcpy(buf, half, n);
    memcpy(buf + n, "5e-324", 6);
    CHECK(agree(buf, n + 6));
    CHECK(cs_json_number(buf, n + 6, &d) == 0 && bits_of(d) == 0);
    /* one more digit far out: above halfway, the smallest subnormal */
    memcpy(buf + n, "50000000000000000000000000000001e-324", 37);
    CHECK(agree(buf, n + 37));
    CHECK(cs_json_number(buf, n + 37, &d) == 0 && bits_of(d) == 1);
    /* one less: 0 */
    memcpy(buf + n, "4999999999999999999999999999e-324", 33);
    CHECK(agree(buf, n + 33));
    CHECK(cs_json_number(buf, n + 33, &d) == 0 && bits_of(d) == 0);
    /* a nonzero digit past CS_JSON_NUM_DIGITS must still break the tie:
     * 9007199254740993.000...0001 rounds up, ...000 rounds to even */
    for (k = 700; k <= 1200; k += 100) {
        size_t m = 0;
        int z;
        memcpy(buf, "9007199254740993.", 17);
        m = 17;
        for (z = 0; z < k; z++)
            buf[m++] = '0';
        CHECK(agree(buf, m));
        CHECK(cs_json_number(buf, m, &d) == 0 && d == 9007199254740992.0);
        buf[m++] = '1';
        CHECK(agree(buf, m));
        CHECK(cs_json_number(buf, m, &d) == 0 && d == 9007199254740994.0);
    }
    /* 1 + 2^-53 written out, then a far nonzero digit */
    for (k = 790; k <= 1000; k += 3) {
        static const char one[] =
            "1.00000000000000011102230246251565404236316680908203125";
        size_t m = sizeof one - 1;
        memcpy(buf, one, m);
        while ((int)m < k)
            buf[m++] = '0';
        CHECK(agree(buf, m));
        buf[m++] = '1';
        CHECK(agree(buf, m));
        buf[m - 1] = '0';
        memcpy(buf + m, "e-1", 3);
        CHECK(agree(buf, m + 3));
    }
}

/* Exponent saturation must not change the value when the digit count
 * compensates for the exponent (1 followed by 10^6 zeros, times
 * 10^-1000000, is 1). */
static void
test_huge_compensated(void)
{
    size_t z = 1000000, m = 0;
    char *buf = (char *)malloc(z + 64);
    double d = -1;

    if (buf == NULL)
        return;
    g_shown = 0;
    buf[m++] = '1';
    memset(buf + m, '0', z);
    m += z;
    memcpy(buf + m, "e-1000000", 9);
    CHECKF(agree(buf, m + 9), "1 + 1e6 zeros + e-1000000 should be 1.0");
    CHECK(cs_json_number(buf, m + 9, &d) == 0);
    m = 0;
    memcpy(buf, "0.", 2);
    m = 2;
    memset(buf + m, '0', z - 1);
    m += z - 1;
    memcpy(buf + m, "1e1000000", 9);
    CHECKF(agree(buf, m + 9), "0.(1e6-1 zeros)1e1000000 should be 1.0");
    /* a modest version that must work: 1e5 zeros and e-100000 */
    m = 0;
    buf[m++] = '3';
    memset(buf + m, '0', 100000);
    m += 100000;
    memcpy(buf + m, "e-100000", 8);
    CHECK(agree(buf, m + 8));
    CHECK(cs_json_number(buf, m + 8, &d) == 0 && d == 3.0);
    free(buf);
}

/* ---- generators ---- */

static size_t
put_digits(char *p, int n, int first_nonzero)
{
    int i;
    for (i = 0; i < n; i++)
        p[i] = (char)('0' + (i == 0 && first_nonzero ? 1 + rnd_below(9)
                                                     : rnd_below(10)));
    return (size_t)n;
}

static size_t
put_exp(char *p, int e)
{
    static const char *const forms[4] = {"e%d", "E%d", "e+%d", "E+%d"};
    const char *f = e < 0 ? (rnd() & 1 ? "e%d" : "E%d") : forms[rnd() & 3];
    return (size_t)sprintf(p, f, e);
}

/* seen as the servers send it: 10 integer digits, 0..9 fraction digits */
static size_t
gen_feed(char *b)
{
    size_t n = put_digits(b, 10, 1);
    int f = (int)rnd_below(10);
    if (f > 0) {
        b[n++] = '.';
        n += put_digits(b + n, f, 0);
    }
    return n;
}

/* 1..19 digit mantissa, point anywhere, exponent -30..30 */
static size_t
gen_short(char *b)
{
    int nd = 1 + (int)rnd_below(19), pt = (int)rnd_below((unsigned)nd + 1);
    size_t n = 0;
    if (rnd() & 1)
        b[n++] = '-';
    if (pt == 0) {
        b[n++] = '0';
        b[n++] = '.';
        n += put_digits(b + n, nd, 0);
    } else {
        n += put_digits(b + n, pt, 1);
        if (pt < nd) {
            b[n++] = '.';
            n += put_digits(b + n, nd - pt, 0);
        }
    }
    if (rnd_below(4) != 0)
        n += put_exp(b + n, (int)rnd_below(61) - 30);
    return n;
}

/* 17..20 significant digits, exponent over the whole double range */
static size_t
gen_17_20(char *b)
{
    int nd = 17 + (int)rnd_below(4);
    size_t n = 0;
    if (rnd() & 1)
        b[n++] = '-';
    n += put_digits(b + n, 1, 1);
    b[n++] = '.';
    n += put_digits(b + n, nd - 1, 0);
    /* mostly near the fast path's range, a quarter anywhere */
    if (rnd_below(4) == 0)
        n += put_exp(b + n, (int)rnd_below(650) - 330);
    else
        n += put_exp(b + n, (int)rnd_below(61) - 30);
    return n;
}

/* A random finite double (uniform bit pattern, so every binade and the
 * subnormals), printed with %.17g, %.16g or %.15g. */
static double
rnd_double(void)
{
    for (;;) {
        double d = double_of(rnd());
        if (isfinite(d))
            return d;
    }
}

static size_t
gen_g(char *b)
{
    static const int prec[3] = {17, 16, 15};
    return (size_t)sprintf(b, "%.*g", prec[rnd_below(3)], rnd_double());
}

/* Doubles near the interesting places: powers of ten and two, the
 * subnormal boundary, DBL_MAX; printed with 15..21 digits */
static size_t
gen_edges(char *b)
{
    double d;
    switch (rnd_below(5)) {
    case 0: d = pow(10.0, (double)((int)rnd_below(616) - 307)); break;
    case 1: d = ldexp(1.0, (int)rnd_below(2098) - 1074); break;
    case 2: d = double_of(rnd() % 0x0020000000000000u); break; /* tiny */
    case 3: d = double_of(0x7fefffffffffffffu - rnd_below(1u << 20)); break;
    default: d = double_of(0x0010000000000000u + rnd_below(1u << 20)
                           - (1u << 19)); break;
    }
    if (rnd() & 1)
        d = nextafter(d, rnd() & 1 ? HUGE_VAL : 0.0);
    return (size_t)sprintf(b, "%.*e", 14 + (int)rnd_below(7), d);
}

/* Exact halfway points that the fast path must round to even: n + 1/2
 * ulp for doubles in [2^(52-s), 2^(53-s)), s in 0..4 (up to 5 fraction
 * digits), and big integers 2^(53+t) .. 2^63 with their ulp's half set;
 * sometimes nudged by one in the last digit. */
static size_t
gen_halfway_fast(char *b)
{
    size_t n;
    if (rnd() & 1) {
        int s = (int)rnd_below(5), f;
        uint64_t ip = ((uint64_t)1 << (52 - s)) + (rnd() >> (12 + s));
        uint64_t num = 2 * (rnd() % ((uint64_t)1 << s)) + 1; /* of 2^(s+1) */
        /* num / 2^(s+1) as s+1 decimals: num * 5^(s+1) / 10^(s+1) */
        uint64_t frac = num;
        for (f = 0; f <= s; f++)
            frac *= 5;
        n = (size_t)sprintf(b, "%llu.%0*llu", (unsigned long long)ip, s + 1,
                            (unsigned long long)frac);
    } else {
        int t = (int)rnd_below(10);                 /* 2^(53+t) <= v < 2^63 */
        uint64_t v = ((uint64_t)1 << (53 + t)) | (rnd() >> (11 - t));
        v &= ~(((uint64_t)1 << (t + 1)) - 1);       /* a double */
        v |= (uint64_t)1 << t;                      /* plus half an ulp */
        n = (size_t)sprintf(b, "%llu", (unsigned long long)v);
    }
    if (rnd_below(3) == 0) {
        char *q = b + n - 1;
        if (*q < '9')
            (*q)++;
        else if (*q > '0')
            (*q)--;
    }
    return n;
}

/* long digit strings: 20..1100 digits, point anywhere, any exponent */
static size_t
gen_long(char *b)
{
    int nd = 20 + (int)rnd_below(1081), pt = 1 + (int)rnd_below((unsigned)nd);
    size_t n = 0;
    if (rnd() & 1)
        b[n++] = '-';
    if (rnd_below(4) == 0) {
        /* 0.000ddd: leading zeros after the point */
        int z = (int)rnd_below(400);
        b[n++] = '0';
        b[n++] = '.';
        memset(b + n, '0', (size_t)z);
        n += (size_t)z;
        n += put_digits(b + n, nd, 1);
    } else {
        n += put_digits(b + n, pt, 1);
        if (pt < nd) {
            b[n++] = '.';
            n += put_digits(b + n, nd - pt, 0);
        }
    }
    if (rnd() & 1)
        n += put_exp(b + n, (int)rnd_below(700) - 350 - pt);
    return n;
}

/* The exact decimal value of a random double (glibc prints it in full,
 * up to 767 significant digits), trailing zeros dropped: must read back
 * as that double. Like a %a round trip, in decimal. */
static double g_last_exact;

static size_t
gen_exact(char *b)
{
    char *e, *p;
    size_t n;

    g_last_exact = rnd_double();
    sprintf(b, "%.770e", g_last_exact);
    e = strchr(b, 'e');
    p = e;
    while (p[-1] == '0')
        p--;
    if (p[-1] == '.')
        p--;
    n = strlen(e);
    memmove(p, e, n + 1);
    return (size_t)(p - b) + n;
}

static void
test_exact_expansions(void)
{
    static char b[4096];
    long i, n = scaled(15000), bad = 0;

    for (i = 0; i < n; i++) {
        size_t len = gen_exact(b);
        double got = 0;
        g_checked++;
        if (cs_json_number(b, len, &got) != 0
                || bits_of(got) != bits_of(g_last_exact)) {
            if (bad++ < 5) {
                fprintf(stderr, "  exact expansion of %.17g read as %.17g: ",
                        g_last_exact, got);
                show(b, len);
                fputc('\n', stderr);
            }
        }
    }
    CHECKF(bad == 0, "%ld of %ld exact expansions read back wrong", bad, n);
}

/* Exact midpoints between adjacent doubles, written out in full (up to
 * ~770 significant digits), then nudged by one unit in the last place
 * or in a digit far past CS_JSON_NUM_DIGITS. Needs a long double that
 * holds the midpoint exactly. */
static size_t
gen_midpoint(char *b)
{
#if LDBL_MANT_DIG >= 54 && LDBL_MAX_EXP > DBL_MAX_EXP
    double d = fabs(rnd_double());
    long double m;
    size_t n;
    char *e, *p;
    int k;

    if (d == DBL_MAX)
        d = 1.0;
    m = ((long double)d + (long double)nextafter(d, HUGE_VAL)) / 2;
    n = (size_t)sprintf(b, "%.780Le", m);
    /* drop the trailing zeros of the mantissa */
    e = strchr(b, 'e');
    p = e;
    while (p[-1] == '0')
        p--;
    if (p[-1] == '.')
        p--;
    k = (int)rnd_below(4);
    if (k == 1 || k == 2) {
        /* nudge the last digit (skip when it is the leading one) */
        char *q = p - 1;
        if (q > b + 1) {
            if (k == 1 && *q < '9')
                (*q)++;
            else if (k == 2 && *q > '0')
                (*q)--;
        }
    } else if (k == 3 && p - b < 2000) {
        /* a nonzero digit 900 places further: just above halfway */
        char tail[16];
        size_t tl = strlen(e);
        memcpy(tail, e, tl);
        if (memchr(b, '.', (size_t)(p - b)) == NULL)
            *p++ = '.';
        memset(p, '0', 900);
        p += 900;
        *p++ = '1';
        e = tail;
        memcpy(p, e, tl);
        return (size_t)(p - b) + tl;
    }
    n = strlen(e);
    memmove(p, e, n);
    return (size_t)(p - b) + n;
#else
    return (size_t)sprintf(b, "%.17g", rnd_double());
#endif
}

static void
test_random(void)
{
    /* Counts are set by cost: inputs outside the fast path (exponent
     * beyond +-27 or more than 19 digits) take ~10 us each. */
    run_gen("feed-like seen", gen_feed, scaled(1500000));
    run_gen("1..19 digits, exp -30..30", gen_short, scaled(1500000));
    run_gen("17..20 digits", gen_17_20, scaled(200000));
    run_gen("exact halfway, fast path", gen_halfway_fast, scaled(300000));
    run_gen("%.17g/%.16g/%.15g doubles", gen_g, scaled(80000));
    run_gen("edges of the range", gen_edges, scaled(40000));
    run_gen("long digit strings", gen_long, scaled(15000));
    run_gen("exact midpoints, nudged", gen_midpoint, scaled(15000));
}

/* %.17g of any double reads back as that very double (a check that
 * does not rely on strtod). */
static void
test_roundtrip(void)
{
    static char b[64];
    long i, n = scaled(80000), bad = 0;

    for (i = 0; i < n; i++) {
        double d = rnd_double(), got = 0;
        int len = sprintf(b, "%.17g", d);
        g_checked++;
        if (cs_json_number(b, (size_t)len, &got) != 0
                || bits_of(got) != bits_of(d)) {
            if (bad++ < 10)
                fprintf(stderr, "  round trip: %s -> %.17g\n", b, got);
        }
    }
    CHECKF(bad == 0, "%ld of %ld doubles do not round-trip", bad, n);
}

/* ---- malformed numbers ---- */

/* An independent reading of RFC 8259 section 6:
 * number = [ minus ] int [ frac ] [ exp ] */
static int
json_number_ok(const char *s, size_t len)
{
    size_t i = 0, k;

    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0') {
        i++;
    } else {
        for (k = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == k)
            return 0;
    }
    if (i < len && s[i] == '.') {
        for (k = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == k)
            return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (k = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == k)
            return 0;
    }
    return i == len;
}

static void
test_invalid(void)
{
    static const char *const bad[] = {
        "", "-", "+", "+1", "+0", ".5", "-.5", "1.", "-1.", "0.", "01",
        "-01", "00", "-00", "007", "1e", "1E", "1e+", "1e-", "1E+", "-e1",
        "e5", "--1", "-+1", "1.5.5", "1e5e5", "1e5.0", "1.e5", "1.E5",
        " 1", "1 ", "\t1", "1\n", "0x10", "0X1", "Infinity", "-Infinity",
        "inf", "NaN", "nan", "1,5", "1_000", "1.0f", "1d", "1L", "1e1.5",
        "١", "\xe2\x88\x92" "1", "0.5.", "1ee5", "1e++5", "1e+-5",
        ".", "-0-", "0e", "0.e1", "1.5e", "12a", "a12", "1-2", "1/2",
        NULL
    };
    int i;

    for (i = 0; bad[i] != NULL; i++) {
        double d = 0;
        int rc = cs_json_number(bad[i], strlen(bad[i]), &d);
        CHECKF(rc == CS_E_JSON_NUMBER, "\"%s\" gave %d", bad[i], rc);
    }
    /* embedded NUL: len covers it */
    {
        double d = 0;
        CHECK(cs_json_number("1\0", 2, &d) == CS_E_JSON_NUMBER);
        CHECK(cs_json_number("1.\0" "5", 4, &d) == CS_E_JSON_NUMBER);
    }
    /* random garbage around valid numbers: whatever strtod thinks, the
     * JSON grammar decides */
    {
        static const char alpha[] = "0123456789.eE+- x";
        long n = scaled(200000), k, wrong = 0;
        for (k = 0; k < n; k++) {
            char b[12];
            size_t len = 1 + rnd_below(10), q;
            double d = 0;
            int rc, valid;
            for (q = 0; q < len; q++)
                b[q] = alpha[rnd_below(sizeof alpha - 1)];
            rc = cs_json_number(b, len, &d);
            valid = json_number_ok(b, len);
            if ((rc == 0) != valid || (rc != 0 && rc != CS_E_JSON_NUMBER)
                    || (rc == 0 && bits_of(d) != bits_of(oracle(b, len)))) {
                if (wrong++ < 10)
                    fprintf(stderr, "  \"%.*s\": rc %d, grammar says %d, "
                            "value %.17g, strtod %.17g\n", (int)len, b, rc,
                            valid, d, oracle(b, len));
            }
        }
        CHECKF(wrong == 0, "%ld random strings misjudged", wrong);
    }
}

/* ---- the streaming path ---- */

static unsigned char g_names[4096];

/* {"data":{"seen":NUM}} through the extractor, whole and in pieces of
 * `step` bytes: seen must equal cs_json_number's result. */
static int
stream_agrees(cs_json *j, const char *num, size_t len, size_t step)
{
    static char msg[4200];
    size_t n = 0, off;
    double want = 0;
    const cs_msg *m;

    static const char head[] = "{\"data\":{\"seen\":";
    memcpy(msg, head, sizeof head - 1);
    n = sizeof head - 1;
    memcpy(msg + n, num, len);
    n += len;
    /* the number sometimes ends the value with '}', sometimes with ws */
    if (len & 1)
        msg[n++] = ' ';
    msg[n++] = '}';
    msg[n++] = '}';
    if (cs_json_number(num, len, &want) != 0)
        return 0;
    cs_json_begin(j);
    for (off = 0; off < n; off += step)
        cs_json_feed(j, msg + off, n - off < step ? n - off : step);
    if (cs_json_end(j) != 0)
        return 0;
    m = cs_json_msg(j);
    return (m->has & CS_F_SEEN) && bits_of(m->seen) == bits_of(want);
}

static void
test_stream_path(void)
{
    static char b[4096];
    static size_t (*const gens[])(char *) = {
        gen_feed, gen_short, gen_17_20, gen_g, gen_edges, gen_long,
        gen_midpoint, gen_halfway_fast
    };
    cs_json j;
    long i, n = scaled(30000), bad = 0;
    int h;

    cs_json_init(&j, g_names, sizeof g_names);
    for (h = 0; hard[h] != NULL; h++) {
        size_t len = strlen(hard[h]);
        if (!stream_agrees(&j, hard[h], len, len + 40)
                || !stream_agrees(&j, hard[h], len, 1))
            if (bad++ < 10)
                fprintf(stderr, "  stream differs: %s\n", hard[h]);
    }
    for (i = 0; i < n; i++) {
        size_t (*g)(char *) = gens[i % 8];
        size_t len = g(b);
        size_t step = i % 3 == 0 ? 1 : 1 + rnd_below(40);
        g_checked++;
        if (!stream_agrees(&j, b, len, step)) {
            if (bad++ < 10) {
                fprintf(stderr, "  stream differs (step %lu): ",
                        (unsigned long)step);
                show(b, len);
                fputc('\n', stderr);
            }
        }
    }
    CHECKF(bad == 0, "%ld numbers differ between the two paths", bad);
}

int
main(void)
{
    const char *s = getenv("CS_TEST_SCALE"), *seed = getenv("CS_TEST_SEED");

    if (s != NULL && atof(s) > 0)
        g_scale = atof(s);
    if (seed != NULL)
        g_seed = strtoull(seed, NULL, 0);
    TEST(test_hard_cases);
    TEST(test_known_values);
    TEST(test_long_halfway);
    TEST(test_huge_compensated);
    TEST(test_random);
    TEST(test_roundtrip);
    TEST(test_exact_expansions);
    TEST(test_invalid);
    TEST(test_stream_path);
    printf("%ld numbers compared (scale %g)\n", g_checked, g_scale);
    return TEST_SUMMARY();
}
