/* certstream.h - v0.1.0 - CertStream feed client in one header.
 * License: MIT, at the end of the file.
 *
 * Do this:
 *   #define CERTSTREAM_IMPLEMENTATION
 * before you include this file in *one* C or C++ file to create the
 * implementation. Every other file includes it without the define.
 *
 * Usage (the extractor: one websocket text message in, its fields out):
 *
 *   static unsigned char names[CS_JSON_DOMAIN_BUF];  // domain storage
 *   static cs_json j;                                 // ~1.8 KB, all state
 *   cs_json_init(&j, names, sizeof names);
 *   for (each message) {
 *       cs_json_feed(&j, chunk1, len1);          // any number of chunks,
 *       cs_json_feed(&j, chunk2, len2);          // split at any byte
 *       if (cs_json_end(&j) == 0) {
 *           const cs_msg *m = cs_json_msg(&j);
 *           size_t i, n;
 *           for (i = 0; i < m->domain_count; i++)
 *               puts(cs_msg_domain(m, i, &n));
 *       } else {
 *           fprintf(stderr, "bad message: %s at byte %llu\n",
 *                   cs_strerror(cs_json_error(&j)),
 *                   (unsigned long long)cs_json_error_offset(&j));
 *       }
 *   }
 *
 * Switches (define the same way before EVERY include):
 *   CERTSTREAM_STATIC     every function static (private copy per file)
 *   CS_NO_ERROR_STRINGS   cs_strerror() and cs_errname() return ""
 *   CS_NO_SIMD            no SSE2 string scanning (portable SWAR path)
 *   CS_NO_INT128          no 128-bit multiply (portable 32-bit products)
 * Limits (before EVERY include; they size the structs):
 *   CS_JSON_MAX_DEPTH     64    deepest nesting accepted (max 255)
 *   CS_JSON_STR_MAX       255   bytes kept of message_type, source url/name
 *   CS_JSON_NUM_DIGITS    800   significant digits kept for exact rounding
 *   CS_JSON_DOMAIN_BUF    256 KiB  suggested domain storage (yours to size)
 * Hooks (before the implementing include):
 *   CS_ASSERT(x) CS_MEMCPY(d,s,n) CS_MEMSET(d,c,n)   defaults: assert, libc
 *
 * Non-goals: this is not a general JSON library. The extractor validates
 * every byte of a message as RFC 8259 JSON but keeps only the CertStream
 * fields. It never allocates, never recurses, keeps no globals.
 *
 * Sections: [0] helpers  [1] core: JSON field extractor  [9] error strings
 *
 * History:
 *   0.1.0  the streaming, allocation-free message extractor
 */
#ifndef CERTSTREAM_H
#define CERTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define CERTSTREAM_VERSION_MAJOR 0
#define CERTSTREAM_VERSION_MINOR 1
#define CERTSTREAM_VERSION_PATCH 0
#define CERTSTREAM_VERSION_STRING "0.1.0"

#ifndef CSDEF
#  if defined(CERTSTREAM_STATIC) && (defined(__GNUC__) || defined(__clang__))
#    define CSDEF static __attribute__((unused)) /* a private copy may not
                                                    use every function */
#  elif defined(CERTSTREAM_STATIC)
#    define CSDEF static
#  else
#    define CSDEF extern
#  endif
#endif

#ifndef CS_JSON_MAX_DEPTH
#  define CS_JSON_MAX_DEPTH 64
#endif
#ifndef CS_JSON_STR_MAX
#  define CS_JSON_STR_MAX 255
#endif
#ifndef CS_JSON_NUM_DIGITS
#  define CS_JSON_NUM_DIGITS 800
#endif
#ifndef CS_JSON_DOMAIN_BUF
#  define CS_JSON_DOMAIN_BUF (256 * 1024)
#endif

#if CS_JSON_MAX_DEPTH < 5 || CS_JSON_MAX_DEPTH > 255
#  error "CS_JSON_MAX_DEPTH must be in 5..255"
#endif
#if CS_JSON_NUM_DIGITS < 40
#  error "CS_JSON_NUM_DIGITS must be at least 40"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==== [0] errors ========================================================= */

/* Every function returns 0 (OK, or "need more"), a positive count or event,
 * or one of these negative codes. Codes are grouped by layer:
 * -1..-19 API misuse and limits, -80..-89 JSON. */
enum {
    CS_OK = 0,
    CS_E_JSON_SYNTAX = -80,     /* a byte that the JSON grammar forbids here */
    CS_E_JSON_NOT_OBJECT = -81, /* valid JSON, but the top value is not {} */
    CS_E_JSON_DEPTH = -82,      /* nested deeper than CS_JSON_MAX_DEPTH */
    CS_E_JSON_INCOMPLETE = -83, /* the message ended inside a value */
    CS_E_JSON_TRAILING = -84,   /* more than one value in the message */
    CS_E_JSON_CONTROL = -85,    /* raw control character inside a string */
    CS_E_JSON_ESCAPE = -86,     /* bad backslash escape */
    CS_E_JSON_UTF8 = -87,       /* invalid UTF-8 inside a string */
    CS_E_JSON_NUMBER = -88,     /* malformed number */
    CS_E_JSON_LITERAL = -89     /* misspelled true / false / null */
};

/* A readable sentence for an error code ("" with CS_NO_ERROR_STRINGS). */
CSDEF const char *cs_strerror(int err);
/* The code's name, e.g. "CS_E_JSON_SYNTAX" ("" with CS_NO_ERROR_STRINGS). */
CSDEF const char *cs_errname(int err);

/* ==== [1] core: the message extractor ==================================== */

/* Message types (cs_msg.type). */
enum {
    CS_MSG_NONE = 0,      /* no (string) message_type */
    CS_MSG_CERT = 1,      /* "certificate_update" */
    CS_MSG_HEARTBEAT = 2, /* "heartbeat" */
    CS_MSG_DNS = 3,       /* "dns_entries" */
    CS_MSG_OTHER = 4      /* any other name: see cs_msg.type_name */
};

/* Field bits, for cs_msg.has / .bad / .trunc. */
#define CS_F_TYPE        0x01u /* message_type */
#define CS_F_DOMAINS     0x02u /* data.leaf_cert.all_domains, or data[] */
#define CS_F_CERT_INDEX  0x04u /* data.cert_index */
#define CS_F_SEEN        0x08u /* data.seen */
#define CS_F_SOURCE_URL  0x10u /* data.source.url */
#define CS_F_SOURCE_NAME 0x20u /* data.source.name */
#define CS_F_TIMESTAMP   0x40u /* timestamp (heartbeats) */

/* A decoded string: UTF-8, NUL-terminated, len excludes the NUL. A JSON
 * "\u0000" decodes to a NUL byte inside the string: trust len. */
typedef struct cs_text {
    size_t len;
    char buf[CS_JSON_STR_MAX + 1];
} cs_text;

/* The fields of one message. Read it after cs_json_end() returned 0; it
 * stays valid until the next cs_json_feed(), cs_json_begin() or
 * cs_json_end() on the same extractor.
 *
 * has:   fields present (absent or null: bit clear, not an error).
 * bad:   fields that had the wrong JSON type (treated as absent), or for
 *        CS_F_DOMAINS, list elements that were not strings (skipped), or
 *        for CS_F_CERT_INDEX a number not written as an integer in
 *        0..2^64-1 (a fraction or exponent, even "1.0", does not count).
 * trunc: CS_F_DOMAINS when some domains did not fit the storage (they are
 *        counted in domain_total but not stored); a text field's bit when
 *        it was cut to CS_JSON_STR_MAX bytes (at a character boundary).
 *
 * Duplicate keys: the last occurrence wins, field by field, as in Python's
 * json module (a later "data" replaces everything under the earlier one).
 * Domains come from `data` when it is an array (dns_entries), otherwise
 * from data.leaf_cert.all_domains. Lone UTF-16 surrogates in \u escapes
 * decode to U+FFFD. */
typedef struct cs_msg {
    int type;              /* CS_MSG_* */
    unsigned has, bad, trunc;
    uint64_t cert_index;
    double seen;
    double timestamp;
    cs_text type_name;     /* the message_type string as sent */
    cs_text source_url;
    cs_text source_name;
    size_t domain_count;   /* domains stored; read with cs_msg_domain() */
    size_t domain_total;   /* domains in the message, stored or not */
    /* private: the caller's domain storage */
    unsigned char *dom;
    size_t dom_cap, dom_used;
} cs_msg;

/* Domain i (0 <= i < domain_count), decoded UTF-8 and NUL-terminated;
 * *len (if not NULL) receives its length. Points into the storage given
 * to cs_json_init(); valid as long as the cs_msg itself. */
static inline const char *cs_msg_domain(const cs_msg *m, size_t i,
                                        size_t *len);

/* (cs_msg_domain is inline: one call per domain is a large share of the
 * work on domains-only messages.) Offsets are 4-byte little-endian
 * entries at the back of the storage, the first domain's last. */
static inline uint32_t
cs__load_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
         | (uint32_t)p[3] << 24;
}

static inline const char *
cs_msg_domain(const cs_msg *m, size_t i, size_t *len)
{
    const unsigned char *x = m->dom + m->dom_cap - 4 * (i + 1);
    uint32_t at = cs__load_le32(x);
    uint32_t next = i + 1 < m->domain_count ? cs__load_le32(x - 4)
                                            : (uint32_t)m->dom_used;

    if (len != NULL)
        *len = (size_t)(next - at - 1);
    return (const char *)m->dom + at;
}

/* Private: a decimal number being read (see cs_json). */
typedef struct cs__num {
    unsigned char neg, frac, exp, eneg, trunc, ovf;
    unsigned char fast;    /* value is w * 10^q, w exact */
    int q;
    int nd;                /* significant digits stored in d */
    int sig;               /* significant digits seen (saturates) */
    int dp;                /* decimal point: value = 0.d * 10^dp */
    int e;                 /* explicit exponent (saturates) */
    uint64_t w;            /* first 19 significant digits */
    uint64_t ival;         /* integer value, for cert_index */
    unsigned char d[CS_JSON_NUM_DIGITS];
} cs__num;

/* The extractor's state. Visible so that the caller can allocate it;
 * treat every field as private and use the functions. */
typedef struct cs_json {
    cs_msg msg;
    uint64_t off;          /* bytes consumed in this message */
    uint64_t top_off;      /* where the top value starts */
    uint64_t err_off;
    int err;
    unsigned char st;      /* grammar state */
    unsigned char ret;     /* state to return to (after a number, string) */
    unsigned char depth;
    unsigned char node;    /* what the current container is to us */
    unsigned char field;   /* which field the pending value is */
    unsigned char cap;     /* where string bytes go */
    unsigned char cap_over;
    unsigned char is_key;
    unsigned char root;    /* 1 once the top value is known to be {} */
    unsigned char lit;     /* literal being matched, and position */
    unsigned char lit_pos;
    unsigned char u8need, u8lo, u8hi;
    unsigned char ucnt;    /* \u hex digits read */
    unsigned uacc;         /* \u code unit being read */
    unsigned hisur;        /* pending high surrogate, 0 if none */
    size_t cap_len, cap_max;
    unsigned char key[16];
    unsigned char nodes[5];
    unsigned char stack[CS_JSON_MAX_DEPTH / 8 + 1]; /* bit set: array */
    cs__num num;           /* the number being captured */
} cs_json;

/* Prepare an extractor and start the first message.
 *
 * dom/dom_cap: caller-owned storage for the domains of one message (names
 * and a 4-byte index entry each); it MUST outlive the extractor's use and
 * need not be aligned. CS_JSON_DOMAIN_BUF bytes hold any certificate seen
 * in the feed so far (thousands of names); less is fine, overflowing
 * domains are counted and flagged, never written past dom_cap. dom may be
 * NULL with dom_cap 0 to count domains without storing them. */
CSDEF void cs_json_init(cs_json *j, void *dom, size_t dom_cap);

/* Forget the current message and start a new one. cs_json_feed() after a
 * cs_json_end() does this by itself. */
CSDEF void cs_json_begin(cs_json *j);

/* Push the next len bytes of the current message. Input may be split at
 * any byte; the result never depends on where. The bytes are not kept:
 * the caller may reuse data as soon as the call returns.
 *
 * Returns 0, or a negative CS_E_JSON_* code when the message is malformed
 * (the error is sticky until the message ends; later bytes are ignored). */
CSDEF int cs_json_feed(cs_json *j, const void *data, size_t len);

/* End the current message. Returns 0 when it was one valid JSON object
 * (its fields are then in cs_json_msg()), CS_E_JSON_NOT_OBJECT for valid
 * JSON whose top value is not an object (offset: where that value
 * starts), or another CS_E_JSON_* code. Each call ends one message: a call
 * with no cs_json_feed() since the last one ends an empty message
 * (CS_E_JSON_INCOMPLETE at offset 0), never the previous one again. */
CSDEF int cs_json_end(cs_json *j);

/* One whole message in one call: begin, feed, end. */
CSDEF int cs_json_parse(cs_json *j, const void *data, size_t len);

/* The fields of the last message that ended with 0. */
CSDEF const cs_msg *cs_json_msg(const cs_json *j);
/* The current message's error (0 if none) and the byte offset, counted
 * from the start of the message, of the byte that caused it (for
 * CS_E_JSON_INCOMPLETE: the message length). */
CSDEF int cs_json_error(const cs_json *j);
CSDEF uint64_t cs_json_error_offset(const cs_json *j);

/* Exact decimal-to-double conversion as used for seen/timestamp, exposed
 * for tests: s[0..len) MUST match the JSON number grammar. Rounds to
 * nearest-even like strtod() in the C locale. Returns 0, or
 * CS_E_JSON_NUMBER if s is not a JSON number. */
CSDEF int cs_json_number(const char *s, size_t len, double *out);

#ifdef __cplusplus
}
#endif
#endif /* CERTSTREAM_H */

/* ======================================================================= */
/*                             IMPLEMENTATION                              */
/* ======================================================================= */

#if defined(CERTSTREAM_IMPLEMENTATION) \
    && !defined(CERTSTREAM_IMPLEMENTATION_ONCE)
#define CERTSTREAM_IMPLEMENTATION_ONCE

#ifndef CS_ASSERT
#  include <assert.h>
#  define CS_ASSERT(x) assert(x)
#endif
#if !defined(CS_MEMCPY) || !defined(CS_MEMSET)
#  include <string.h>
#endif
#ifndef CS_MEMCPY
#  define CS_MEMCPY(d, s, n) memcpy((d), (s), (n))
#endif
#ifndef CS_MEMSET
#  define CS_MEMSET(d, c, n) memset((d), (c), (n))
#endif

#if !defined(CS_NO_SIMD) && defined(__SSE2__)
#  define CS__SSE2 1
#  include <emmintrin.h>
#else
#  define CS__SSE2 0
#endif

/* ==== [0] helpers ========================================================= */

#if defined(__GNUC__) || defined(__clang__)
#  define CS__INLINE inline __attribute__((always_inline))
#  define CS__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#  define CS__INLINE
#  define CS__LIKELY(x) (x)
#endif

#if CS__SSE2
/* Count trailing zero bits of a nonzero 32-bit value. */
static int
cs__ctz32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctz(x);
#else
    int n = 0;
    while ((x & 1u) == 0) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* Count trailing zero bits of a nonzero 64-bit value. */
static int
cs__ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    while ((x & 1u) == 0) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}
#endif

/* Count leading zero bits of a nonzero 64-bit value. */
static int
cs__clz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while ((x & ((uint64_t)1 << 63)) == 0) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* 64x64 -> 128-bit product: one instruction where the compiler has a
 * 128-bit type, else four 32-bit partial products. */
static CS__INLINE void
cs__mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__) && (defined(__GNUC__) || defined(__clang__)) \
    && !defined(CS_NO_INT128)
    __extension__ typedef unsigned __int128 cs__u128;
    cs__u128 r = (cs__u128)a * b;
    *hi = (uint64_t)(r >> 64);
    *lo = (uint64_t)r;
#else
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);

    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* Raw bits to double, without aliasing trouble. */
static double
cs__f64(uint64_t bits)
{
    double d;
    CS_MEMCPY(&d, &bits, sizeof d);
    return d;
}

/* a[0..n) == b[0..n), for short keys and names: whole words at a time
 * (overlapping at the end), a byte loop only below 4 bytes. */
static CS__INLINE int
cs__eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    if (n >= 8) {
        uint64_t u, v, d = 0;
        size_t i;
        for (i = 0; i + 8 < n; i += 8) {
            CS_MEMCPY(&u, x + i, 8);
            CS_MEMCPY(&v, y + i, 8);
            d |= u ^ v;
        }
        CS_MEMCPY(&u, x + n - 8, 8);
        CS_MEMCPY(&v, y + n - 8, 8);
        return (d | (u ^ v)) == 0;
    }
    if (n >= 4) {
        uint32_t u0, u1, v0, v1;
        CS_MEMCPY(&u0, x, 4);
        CS_MEMCPY(&v0, y, 4);
        CS_MEMCPY(&u1, x + n - 4, 4);
        CS_MEMCPY(&v1, y + n - 4, 4);
        return ((u0 ^ v0) | (u1 ^ v1)) == 0;
    }
    while (n-- > 0)
        if (*x++ != *y++)
            return 0;
    return 1;
}

/* ==== [1a] decimal to double: exact, locale-free ========================= */
/*
 * Two paths. The fast one (Eisel-Lemire, "Number Parsing at a Gigabyte per
 * Second", with the 128-bit table that Mushtak and Lemire proved needs no
 * fallback) takes up to 19 significant digits and a decimal exponent in
 * -27..27: every `seen` and `timestamp` the servers send. The slow one
 * works on the decimal digits themselves (up to CS_JSON_NUM_DIGITS, plus a
 * sticky "more nonzero digits" flag), shifting by powers of two until the
 * binary exponent is known: exact for every input, and slow only for
 * numbers no server sends.
 */

/* 5^q for q in -27..27, normalized to 128 bits: truncated for q >= 0,
 * floor(2^b / 5^-q) + 1 for q < 0 (the table of fast_float; generated by
 * tests/gen_pow5.py). */
static const uint64_t cs__pow5[55][2] = {
    {0x9e74d1b791e07e48u, 0x775ea264cf55347eu}, /* 5^-27 */
    {0xc612062576589ddau, 0x95364afe032a819eu}, /* 5^-26 */
    {0xf79687aed3eec551u, 0x3a83ddbd83f52205u}, /* 5^-25 */
    {0x9abe14cd44753b52u, 0xc4926a9672793543u}, /* 5^-24 */
    {0xc16d9a0095928a27u, 0x75b7053c0f178294u}, /* 5^-23 */
    {0xf1c90080baf72cb1u, 0x5324c68b12dd6339u}, /* 5^-22 */
    {0x971da05074da7beeu, 0xd3f6fc16ebca5e04u}, /* 5^-21 */
    {0xbce5086492111aeau, 0x88f4bb1ca6bcf585u}, /* 5^-20 */
    {0xec1e4a7db69561a5u, 0x2b31e9e3d06c32e6u}, /* 5^-19 */
    {0x9392ee8e921d5d07u, 0x3aff322e62439fd0u}, /* 5^-18 */
    {0xb877aa3236a4b449u, 0x09befeb9fad487c3u}, /* 5^-17 */
    {0xe69594bec44de15bu, 0x4c2ebe687989a9b4u}, /* 5^-16 */
    {0x901d7cf73ab0acd9u, 0x0f9d37014bf60a11u}, /* 5^-15 */
    {0xb424dc35095cd80fu, 0x538484c19ef38c95u}, /* 5^-14 */
    {0xe12e13424bb40e13u, 0x2865a5f206b06fbau}, /* 5^-13 */
    {0x8cbccc096f5088cbu, 0xf93f87b7442e45d4u}, /* 5^-12 */
    {0xafebff0bcb24aafeu, 0xf78f69a51539d749u}, /* 5^-11 */
    {0xdbe6fecebdedd5beu, 0xb573440e5a884d1cu}, /* 5^-10 */
    {0x89705f4136b4a597u, 0x31680a88f8953031u}, /* 5^-9 */
    {0xabcc77118461cefcu, 0xfdc20d2b36ba7c3eu}, /* 5^-8 */
    {0xd6bf94d5e57a42bcu, 0x3d32907604691b4du}, /* 5^-7 */
    {0x8637bd05af6c69b5u, 0xa63f9a49c2c1b110u}, /* 5^-6 */
    {0xa7c5ac471b478423u, 0x0fcf80dc33721d54u}, /* 5^-5 */
    {0xd1b71758e219652bu, 0xd3c36113404ea4a9u}, /* 5^-4 */
    {0x83126e978d4fdf3bu, 0x645a1cac083126eau}, /* 5^-3 */
    {0xa3d70a3d70a3d70au, 0x3d70a3d70a3d70a4u}, /* 5^-2 */
    {0xccccccccccccccccu, 0xcccccccccccccccdu}, /* 5^-1 */
    {0x8000000000000000u, 0x0000000000000000u}, /* 5^0 */
    {0xa000000000000000u, 0x0000000000000000u}, /* 5^1 */
    {0xc800000000000000u, 0x0000000000000000u}, /* 5^2 */
    {0xfa00000000000000u, 0x0000000000000000u}, /* 5^3 */
    {0x9c40000000000000u, 0x0000000000000000u}, /* 5^4 */
    {0xc350000000000000u, 0x0000000000000000u}, /* 5^5 */
    {0xf424000000000000u, 0x0000000000000000u}, /* 5^6 */
    {0x9896800000000000u, 0x0000000000000000u}, /* 5^7 */
    {0xbebc200000000000u, 0x0000000000000000u}, /* 5^8 */
    {0xee6b280000000000u, 0x0000000000000000u}, /* 5^9 */
    {0x9502f90000000000u, 0x0000000000000000u}, /* 5^10 */
    {0xba43b74000000000u, 0x0000000000000000u}, /* 5^11 */
    {0xe8d4a51000000000u, 0x0000000000000000u}, /* 5^12 */
    {0x9184e72a00000000u, 0x0000000000000000u}, /* 5^13 */
    {0xb5e620f480000000u, 0x0000000000000000u}, /* 5^14 */
    {0xe35fa931a0000000u, 0x0000000000000000u}, /* 5^15 */
    {0x8e1bc9bf04000000u, 0x0000000000000000u}, /* 5^16 */
    {0xb1a2bc2ec5000000u, 0x0000000000000000u}, /* 5^17 */
    {0xde0b6b3a76400000u, 0x0000000000000000u}, /* 5^18 */
    {0x8ac7230489e80000u, 0x0000000000000000u}, /* 5^19 */
    {0xad78ebc5ac620000u, 0x0000000000000000u}, /* 5^20 */
    {0xd8d726b7177a8000u, 0x0000000000000000u}, /* 5^21 */
    {0x878678326eac9000u, 0x0000000000000000u}, /* 5^22 */
    {0xa968163f0a57b400u, 0x0000000000000000u}, /* 5^23 */
    {0xd3c21bcecceda100u, 0x0000000000000000u}, /* 5^24 */
    {0x84595161401484a0u, 0x0000000000000000u}, /* 5^25 */
    {0xa56fa5b99019a5c8u, 0x0000000000000000u}, /* 5^26 */
    {0xcecb8f27f4200f3au, 0x0000000000000000u}  /* 5^27 */
};

/* w * 10^q, w != 0, q in -27..27, w exact: the correctly rounded double's
 * bits (sign excluded). No result here is subnormal or infinite. */
static uint64_t
cs__eisel_lemire(uint64_t w, int q)
{
    const uint64_t *t = cs__pow5[q + 27];
    int lz = cs__clz64(w), upper, shift;
    uint64_t hi, lo, mant;
    int64_t e2;

    w <<= lz;
    cs__mul64(w, t[0], &hi, &lo);
    /* Low 9 bits all ones: the truncated table may hide a carry, so take
     * the second half of the product too (Lemire, section 5). */
    if ((hi & 0x1ff) == 0x1ff) {
        uint64_t h2, l2;
        cs__mul64(w, t[1], &h2, &l2);
        lo += h2;
        if (lo < h2)
            hi++;
    }
    upper = (int)(hi >> 63);
    shift = upper + 9;
    mant = hi >> shift;
    /* floor(q * log2(10)) + 63, plus the normalization, minus the bias. */
    e2 = (int64_t)((((152170 + 65536) * q) >> 16) + 63) + upper - lz + 1023;
    /* Exactly halfway between two doubles: only possible when 5^q fits a
     * word (q in -4..23) and every dropped bit is zero; round to even. */
    if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1
            && (mant << shift) == hi)
        mant &= ~(uint64_t)1;
    mant += mant & 1;
    mant >>= 1;
    if (mant >= ((uint64_t)2 << 52)) {
        mant = (uint64_t)1 << 52;
        e2++;
    }
    mant &= ~((uint64_t)1 << 52);
    return ((uint64_t)e2 << 52) | mant;
}

/* The slow path works on a decimal: digits d[0..nd) (no leading zeros),
 * value 0.d[0]d[1]... * 10^dp, trunc set when nonzero digits were dropped
 * past CS_JSON_NUM_DIGITS. Shifting it by k bits is exact long
 * multiplication or division in base 10. */
typedef struct cs__dec {
    unsigned char *d;
    int nd, dp, trunc;
} cs__dec;

/* d /= 2^k, k <= 60: long division from the most significant digit. */
static void
cs__dec_shr(cs__dec *x, int k)
{
    int r = 0, w = 0;
    uint64_t n = 0, mask = ((uint64_t)1 << k) - 1;

    /* Pull in digits until the running value reaches 2^k. */
    for (; (n >> k) == 0; r++) {
        if (r >= x->nd) {
            if (n == 0) {
                x->nd = 0;
                return;
            }
            while ((n >> k) == 0) {
                n *= 10;
                r++;
            }
            break;
        }
        n = n * 10 + x->d[r];
    }
    x->dp -= r - 1;
    /* Each output digit is the quotient; the remainder carries on. */
    for (; r < x->nd; r++) {
        unsigned char c = x->d[r];
        x->d[w++] = (unsigned char)(n >> k);
        n = (n & mask) * 10 + c;
    }
    while (n > 0) {
        unsigned char dig = (unsigned char)(n >> k);
        n = (n & mask) * 10;
        if (w < CS_JSON_NUM_DIGITS)
            x->d[w++] = dig;
        else if (dig > 0)
            x->trunc = 1;
    }
    x->nd = w;
    while (x->nd > 0 && x->d[x->nd - 1] == 0)
        x->nd--;
}

/* d *= 2^k, k <= 60: multiply from the least significant digit. The
 * product has at most floor(k * log10 2) + 1 more digits; write with that
 * headroom, then drop the leading zeros it left. */
static void
cs__dec_shl(cs__dec *x, int k)
{
    int grow = (k * 30103) / 100000 + 1;
    int r = x->nd - 1, w = x->nd - 1 + grow, lead = 0;
    uint64_t n = 0;

    for (; r >= 0; r--, w--) {
        n += (uint64_t)x->d[r] << k;
        if (w < CS_JSON_NUM_DIGITS)
            x->d[w] = (unsigned char)(n % 10);
        else if (n % 10 != 0)
            x->trunc = 1;
        n /= 10;
    }
    for (; w >= 0; w--) { /* w < grow <= 19: always inside d[] */
        x->d[w] = (unsigned char)(n % 10);
        n /= 10;
    }
    x->nd += grow;
    if (x->nd > CS_JSON_NUM_DIGITS)
        x->nd = CS_JSON_NUM_DIGITS;
    x->dp += grow;
    while (lead < x->nd && x->d[lead] == 0)
        lead++;
    if (lead > 0) {
        int i;
        for (i = lead; i < x->nd; i++)
            x->d[i - lead] = x->d[i];
        x->nd -= lead;
        x->dp -= lead;
    }
    while (x->nd > 0 && x->d[x->nd - 1] == 0)
        x->nd--;
}

/* The integer part of the decimal, rounded half to even (any dropped
 * nonzero digit breaks a tie upward). The caller keeps it below 2^54. */
static uint64_t
cs__dec_round(const cs__dec *x)
{
    uint64_t n = 0;
    int i, up = 0;

    if (x->dp < 0)
        return 0;
    for (i = 0; i < x->dp; i++)
        n = n * 10 + (uint64_t)(i < x->nd ? x->d[i] : 0);
    if (x->dp < x->nd) {
        int dig = x->d[x->dp];
        if (dig > 5)
            up = 1;
        else if (dig == 5)
            up = (x->dp + 1 < x->nd) || x->trunc || (n & 1);
    }
    return n + (uint64_t)up;
}

/* How far to shift a decimal whose point is dp digits from where it
 * should be: at most 2^27 (8-9 digits) at a time, so that a step never
 * carries the point past its target (as in Go's strconv). */
static int
cs__dec_step(int dp)
{
    static const unsigned char tab[9] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
    return dp < 9 ? tab[dp] : 27;
}

/* The exact slow path: the bits of the double nearest to x (sign
 * excluded). x is consumed. */
static uint64_t
cs__dec_to_f64(cs__dec *x)
{
    int e2 = 0;
    uint64_t mant;

    if (x->nd == 0 || x->dp < -330)
        return 0;
    if (x->dp > 310)
        return (uint64_t)0x7ff << 52;
    /* Scale into [1/2, 1), counting the binary exponent. */
    while (x->dp > 0) {
        int k = cs__dec_step(x->dp);
        cs__dec_shr(x, k);
        e2 += k;
    }
    while (x->nd > 0 && (x->dp < 0 || (x->dp == 0 && x->d[0] < 5))) {
        int k = cs__dec_step(-x->dp);
        cs__dec_shl(x, k);
        e2 -= k;
    }
    if (x->nd == 0)
        return 0;
    /* Now value = x * 2^e2 with x in [1/2, 1); as [1, 2) that is e2 - 1. */
    e2--;
    if (e2 < -1022) {
        /* Subnormal: fix the exponent and lose precision instead. */
        int k = -1022 - e2;
        while (k > 0) {
            int s = k > 60 ? 60 : k;
            cs__dec_shr(x, s);
            k -= s;
        }
        e2 = -1022;
    }
    if (e2 > 1023)
        return (uint64_t)0x7ff << 52;
    cs__dec_shl(x, 53);
    mant = cs__dec_round(x);
    if (mant == (uint64_t)1 << 53) {
        mant >>= 1;
        e2++;
        if (e2 > 1023)
            return (uint64_t)0x7ff << 52;
    }
    if ((mant & ((uint64_t)1 << 52)) == 0)
        return mant; /* subnormal (or zero): biased exponent 0 */
    return ((uint64_t)(e2 + 1023) << 52) | (mant & (((uint64_t)1 << 52) - 1));
}

/* ==== [1b] the extractor ================================================== */

/* Grammar states. The S__NUM states must stay contiguous (range test). */
enum {
    CS__S_VALUE,      /* a value must come */
    CS__S_ARR_FIRST,  /* after '[': a value or ']' */
    CS__S_OBJ_FIRST,  /* after '{': a key or '}' */
    CS__S_KEY,        /* after ',' in an object: a key */
    CS__S_COLON,      /* after a key */
    CS__S_AFTER,      /* after a value: ',' or the closer */
    CS__S_DONE,       /* after the top value: only whitespace */
    CS__S_STR,        /* inside a string */
    CS__S_ESC,        /* after a backslash */
    CS__S_UHEX,       /* inside \uXXXX */
    CS__S_LOWBS,      /* after a high surrogate: '\' may start its pair */
    CS__S_LOWU,       /* after that '\': 'u' continues the pair */
    CS__S_UTF8,       /* inside a multi-byte UTF-8 sequence */
    CS__S_LIT,        /* inside true / false / null */
    CS__S_MINUS,      /* number: after '-' */
    CS__S_ZERO,       /* number: after a leading 0 */
    CS__S_INT,        /* number: integer digits */
    CS__S_DOT,        /* number: after '.' */
    CS__S_FRAC,       /* number: fraction digits */
    CS__S_E,          /* number: after 'e' */
    CS__S_ESIGN,      /* number: after the exponent sign */
    CS__S_EXP,        /* number: exponent digits */
    CS__S_ENDED       /* cs_json_end() was called */
};

/* What a container is to us: only these paths hold wanted fields. */
enum {
    CS__N_SKIP,       /* nothing wanted below */
    CS__N_ROOT,       /* {message_type, data, timestamp} */
    CS__N_DATA,       /* data: {cert_index, seen, source, leaf_cert} */
    CS__N_SOURCE,     /* data.source: {url, name} */
    CS__N_LEAF,       /* data.leaf_cert: {all_domains} */
    CS__N_DOMAINS     /* a list of domain strings */
};

/* Which field the pending value is. */
enum {
    CS__F_NONE, CS__F_TYPE, CS__F_DATA, CS__F_TIMESTAMP, CS__F_CERT_INDEX,
    CS__F_SEEN, CS__F_SOURCE, CS__F_LEAF, CS__F_URL, CS__F_NAME,
    CS__F_ALL_DOMAINS, CS__F_DOMAIN
};

/* Where string bytes go. */
enum {
    CS__C_NONE, CS__C_KEY, CS__C_TYPE, CS__C_URL, CS__C_NAME, CS__C_DOMAIN
};

/* The result bits that a value of each field replaces (last one wins). */
static const unsigned char cs__fmask[12] = {
    0, CS_F_TYPE,
    CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN | CS_F_SOURCE_URL
        | CS_F_SOURCE_NAME,
    CS_F_TIMESTAMP, CS_F_CERT_INDEX, CS_F_SEEN,
    CS_F_SOURCE_URL | CS_F_SOURCE_NAME, CS_F_DOMAINS, CS_F_SOURCE_URL,
    CS_F_SOURCE_NAME, CS_F_DOMAINS, CS_F_DOMAINS
};

/* Byte classes outside strings: 1 whitespace, 2 value start. */
static const unsigned char cs__ws[256] = {
    0,0,0,0,0,0,0,0,0,1,1,0,0,1,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
};

static const char cs__lits[3][6] = {"true", "false", "null"};

/* What each one-letter escape stands for (RFC 8259 7); 0: not one. */
static const unsigned char cs__unesc[128] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,'"',0,0,0,0,0,0,0,0,0,0,0,0,'/', 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,'\\',0,0,0,
    0,0,'\b',0,0,0,'\f',0,0,0,0,0,0,0,'\n',0,
    0,0,'\r',0,'\t',0,0,0,0,0,0,0,0,0,0,0
};

/* Bytes that stop the plain part of a string: '"', '\\', controls and
 * every non-ASCII byte (UTF-8 is checked on the slow path). */
static const unsigned char cs__sstop[256] = {
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
};

/* Record the first error and where it happened; later calls return it. */
static int
cs__fail(cs_json *j, int err, uint64_t at)
{
    if (j->err == 0) {
        j->err = err;
        j->err_off = at;
    }
    return j->err;
}

static void
cs__set_bit(cs_json *j, int depth, int on)
{
    unsigned char m = (unsigned char)(1u << (depth & 7));
    if (on)
        j->stack[depth >> 3] |= m;
    else
        j->stack[depth >> 3] &= (unsigned char)~m;
}

static int
cs__is_array(const cs_json *j)
{
    return (j->stack[j->depth >> 3] >> (j->depth & 7)) & 1;
}

/* Throw away the domains gathered so far (a later list replaces them). */
static void
cs__dom_reset(cs_msg *m)
{
    m->domain_count = 0;
    m->domain_total = 0;
    m->dom_used = 0;
}

CSDEF void
cs_json_begin(cs_json *j)
{
    cs_msg *m = &j->msg;

    m->type = CS_MSG_NONE;
    m->has = m->bad = m->trunc = 0;
    m->cert_index = 0;
    m->seen = m->timestamp = 0.0;
    m->type_name.len = m->source_url.len = m->source_name.len = 0;
    m->type_name.buf[0] = m->source_url.buf[0] = m->source_name.buf[0] = 0;
    cs__dom_reset(m);
    j->off = j->top_off = 0;
    j->err = 0;
    j->err_off = 0;
    j->st = CS__S_VALUE;
    j->depth = 0;
    j->node = CS__N_SKIP;
    j->field = CS__F_NONE;
    j->cap = CS__C_NONE;
    j->root = 0;
    j->hisur = 0;
}

CSDEF void
cs_json_init(cs_json *j, void *dom, size_t dom_cap)
{
    CS_ASSERT(j != NULL && (dom != NULL || dom_cap == 0));
    CS_MEMSET(j, 0, sizeof *j);
    /* Offsets into the storage are 32-bit. */
    if (dom_cap > 0xffffffffu)
        dom_cap = 0xffffffffu;
    j->msg.dom = (unsigned char *)dom;
    j->msg.dom_cap = dom_cap;
    cs_json_begin(j);
}

/* ---- string capture ---- */

/* Start sending string bytes to target c. */
static void
cs__cap_start(cs_json *j, int c)
{
    cs_msg *m = &j->msg;

    j->cap = (unsigned char)c;
    j->cap_len = 0;
    j->cap_over = 0;
    switch (c) {
    case CS__C_KEY:
        j->cap_max = sizeof j->key;
        break;
    case CS__C_DOMAIN: {
        /* Room for the name, its NUL and one more 4-byte index slot. */
        size_t used = m->dom_used + 4 * (m->domain_count + 1) + 1;
        j->cap_max = used <= m->dom_cap ? m->dom_cap - used : 0;
        j->cap_over = used > m->dom_cap;
        break;
    }
    default:
        j->cap_max = CS_JSON_STR_MAX;
        break;
    }
}

static unsigned char *
cs__cap_base(cs_json *j)
{
    switch (j->cap) {
    case CS__C_KEY:
        return j->key;
    case CS__C_TYPE:
        return (unsigned char *)j->msg.type_name.buf;
    case CS__C_URL:
        return (unsigned char *)j->msg.source_url.buf;
    case CS__C_NAME:
        return (unsigned char *)j->msg.source_name.buf;
    default:
        return j->msg.dom + j->msg.dom_used;
    }
}

/* Append decoded bytes to the capture target; on overflow keep what fits
 * and remember it. */
static void
cs__cap_put(cs_json *j, const unsigned char *s, size_t n)
{
    size_t room;

    if (j->cap_over)
        return;
    room = j->cap_max - j->cap_len;
    if (n > room) {
        n = room;
        j->cap_over = 1;
    }
    CS_MEMCPY(cs__cap_base(j) + j->cap_len, s, n);
    j->cap_len += n;
}

/* Append a code point as UTF-8 (RFC 3629). */
static void
cs__cap_cp(cs_json *j, unsigned cp)
{
    unsigned char b[4];
    size_t n;

    if (j->cap == CS__C_NONE)
        return;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    cs__cap_put(j, b, n);
}

/* Keep a cut text field valid UTF-8: drop a partial trailing sequence. */
static size_t
cs__utf8_trim(const unsigned char *s, size_t n)
{
    size_t i = n, k = 0;

    while (i > 0 && k < 4 && (s[i - 1] & 0xc0) == 0x80) {
        i--;
        k++;
    }
    if (i > 0 && s[i - 1] >= 0xc0) {
        unsigned char b = s[i - 1];
        size_t need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
        if (need != k)
            return i - 1;
    }
    return n;
}

/* Which wanted field does key[0..len) name inside a node? Length first:
 * most keys are rejected without reading a byte. */
static CS__INLINE int
cs__match_key(int node, const unsigned char *k, size_t len)
{
#define CS__KEY(s, fld) \
    case sizeof(s) - 1: return cs__eq(k, s, len) ? (fld) : CS__F_NONE
    switch (node) {
    case CS__N_ROOT:
        switch (len) {
        CS__KEY("message_type", CS__F_TYPE);
        CS__KEY("data", CS__F_DATA);
        CS__KEY("timestamp", CS__F_TIMESTAMP);
        default: break;
        }
        break;
    case CS__N_DATA:
        switch (len) {
        CS__KEY("cert_index", CS__F_CERT_INDEX);
        CS__KEY("seen", CS__F_SEEN);
        CS__KEY("source", CS__F_SOURCE);
        CS__KEY("leaf_cert", CS__F_LEAF);
        default: break;
        }
        break;
    case CS__N_SOURCE:
        switch (len) {
        CS__KEY("url", CS__F_URL);
        CS__KEY("name", CS__F_NAME);
        default: break;
        }
        break;
    case CS__N_LEAF:
        if (len == 11 && cs__eq(k, "all_domains", 11))
            return CS__F_ALL_DOMAINS;
        break;
    default:
        break;
    }
    return CS__F_NONE;
#undef CS__KEY
}

/* The domain whose n bytes are already at dom + dom_used is complete. */
static CS__INLINE void
cs__dom_commit(cs_msg *m, size_t n)
{
    uint32_t at = (uint32_t)m->dom_used;
    unsigned char *x = m->dom + m->dom_cap - 4 * (m->domain_count + 1);

    m->dom[at + n] = 0;
    x[0] = (unsigned char)at;
    x[1] = (unsigned char)(at >> 8);
    x[2] = (unsigned char)(at >> 16);
    x[3] = (unsigned char)(at >> 24);
    m->dom_used += n + 1;
    m->domain_count++;
}

/* One more domain, n bytes at s (avail bytes readable there): stored if
 * it fits, counted always. Most names are under 32 bytes: with room on
 * both sides they move as two 16-byte words (the bytes past n are spare
 * storage, overwritten by the NUL and the next name), no memcpy call. */
static CS__INLINE void
cs__dom_add(cs_msg *m, const unsigned char *s, size_t n, size_t avail)
{
    /* the storage state in locals: the stores into dom below may alias
     * *m as far as the compiler knows, which would reload every field */
    unsigned char *dom = m->dom;
    size_t used = m->dom_used, cnt = m->domain_count, cap = m->dom_cap;
    size_t left = cap - used - 4 * cnt;   /* never negative */
    uint32_t at = (uint32_t)used;

    m->domain_total++;
    if (left < n + 1 + 4) {
        m->trunc |= CS_F_DOMAINS;
        return;
    }
#if CS__SSE2
    if (n <= 32 && avail >= 32 && left >= 32 + 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
        _mm_storeu_si128((__m128i *)(void *)(dom + used), a);
        _mm_storeu_si128((__m128i *)(void *)(dom + used + 16), b);
    } else
#endif
    {
        (void)avail;
        CS_MEMCPY(dom + used, s, n);
    }
    dom[used + n] = 0;
    dom[cap - 4 * (cnt + 1)] = (unsigned char)at;
    dom[cap - 4 * (cnt + 1) + 1] = (unsigned char)(at >> 8);
    dom[cap - 4 * (cnt + 1) + 2] = (unsigned char)(at >> 16);
    dom[cap - 4 * (cnt + 1) + 3] = (unsigned char)(at >> 24);
    m->dom_used = used + n + 1;
    m->domain_count = cnt + 1;
}

/* Set text field f (TYPE, URL or NAME) from n plain bytes at s, cut at a
 * character boundary when too long. A later duplicate replaces it. */
static void
cs__text_set(cs_msg *m, int f, const unsigned char *s, size_t n)
{
    cs_text *t = f == CS__F_TYPE ? &m->type_name
               : f == CS__F_URL ? &m->source_url : &m->source_name;
    unsigned bit = cs__fmask[f];

    m->bad &= ~bit;
    m->trunc &= ~bit;
    if (n > CS_JSON_STR_MAX) {
        CS_MEMCPY(t->buf, s, CS_JSON_STR_MAX);
        n = cs__utf8_trim((const unsigned char *)t->buf, CS_JSON_STR_MAX);
        m->trunc |= bit;
    } else {
        CS_MEMCPY(t->buf, s, n);
    }
    t->buf[n] = 0;
    t->len = n;
    m->has |= bit;
}

/* A string just ended (its closing quote was consumed). */
static void
cs__str_done(cs_json *j)
{
    cs_msg *m = &j->msg;
    cs_text *t = NULL;
    unsigned bit = 0;

    switch (j->cap) {
    case CS__C_KEY:
        j->field = (unsigned char)(j->cap_over ? CS__F_NONE
                : cs__match_key(j->node, j->key, j->cap_len));
        break;
    case CS__C_DOMAIN:
        m->domain_total++;
        if (j->cap_over)
            m->trunc |= CS_F_DOMAINS;
        else
            cs__dom_commit(m, j->cap_len); /* the bytes are in place */
        break;
    case CS__C_TYPE:
        t = &m->type_name;
        bit = CS_F_TYPE;
        break;
    case CS__C_URL:
        t = &m->source_url;
        bit = CS_F_SOURCE_URL;
        break;
    case CS__C_NAME:
        t = &m->source_name;
        bit = CS_F_SOURCE_NAME;
        break;
    default:
        break;
    }
    if (t != NULL) {
        t->len = j->cap_len;
        if (j->cap_over) {
            t->len = cs__utf8_trim((const unsigned char *)t->buf, t->len);
            m->trunc |= bit;
        }
        t->buf[t->len] = 0;
        m->has |= bit;
    }
    j->cap = CS__C_NONE;
}

/* ---- numbers ---- */

static void
cs__num_start(cs__num *n)
{
    n->neg = n->frac = n->exp = n->eneg = n->trunc = n->ovf = n->fast = 0;
    n->nd = n->sig = n->dp = n->e = 0;
    n->w = n->ival = 0;
}

/* One more mantissa digit (n->frac tells which side of the point). */
static void
cs__num_digit(cs__num *n, int dig)
{
    if (!n->frac) {
        /* integer part: every significant digit moves the point */
        if (n->ival > (UINT64_MAX - (uint64_t)dig) / 10)
            n->ovf = 1;
        n->ival = n->ival * 10 + (uint64_t)dig;
        if (n->sig == 0 && dig == 0)
            return;
        if (n->dp < 1000000000)
            n->dp++;
    } else if (n->sig == 0 && dig == 0) {
        if (n->dp > -1000000000)
            n->dp--;     /* 0.00ddd: zeros before the first digit */
        return;
    }
    if (n->sig < 19)
        n->w = n->w * 10 + (uint64_t)dig;
    if (n->sig < 100000)
        n->sig++;
    if (n->nd < CS_JSON_NUM_DIGITS)
        n->d[n->nd++] = (unsigned char)dig;
    else if (dig != 0)
        n->trunc = 1;
}

/* One more exponent digit. */
static void
cs__num_edigit(cs__num *n, int dig)
{
    if (n->e < 100000000) /* past 1e8 the value is 0 or inf anyway */
        n->e = n->e * 10 + dig;
}

/* The double nearest to the number read. */
static double
cs__num_f64(cs__num *n)
{
    int64_t e = n->eneg ? -(int64_t)n->e : n->e;
    int64_t q = e + n->dp - n->sig, dp = e + n->dp;
    uint64_t bits;
    cs__dec x;

    if (n->fast) {
        if (n->w == 0) {
            bits = 0;
        } else if (n->q >= -27 && n->q <= 27) {
            bits = cs__eisel_lemire(n->w, n->q);
        } else {
            /* rare: spell w out as digits for the exact path */
            uint64_t w = n->w;
            int len = 0, i;
            while (w > 0) {
                n->d[len++] = (unsigned char)(w % 10);
                w /= 10;
            }
            for (i = 0; i < len / 2; i++) {
                unsigned char t = n->d[i];
                n->d[i] = n->d[len - 1 - i];
                n->d[len - 1 - i] = t;
            }
            x.d = n->d;
            x.nd = len;
            x.dp = len + n->q;
            x.trunc = 0;
            while (x.d[x.nd - 1] == 0)
                x.nd--;
            bits = cs__dec_to_f64(&x);
        }
    } else if (n->sig == 0) {
        bits = 0;
    } else if (n->sig <= 19 && q >= -27 && q <= 27) {
        bits = cs__eisel_lemire(n->w, (int)q);
    } else {
        x.d = n->d;
        x.nd = n->nd;
        /* beyond +-400 the result is 0 or inf: clamp, keep int range */
        x.dp = (int)(dp < -100000 ? -100000 : dp > 100000 ? 100000 : dp);
        x.trunc = n->trunc;
        while (x.nd > 0 && x.d[x.nd - 1] == 0)
            x.nd--;
        bits = cs__dec_to_f64(&x);
    }
    if (n->neg)
        bits |= (uint64_t)1 << 63;
    return cs__f64(bits);
}

#define CS__DIGIT(c) ((unsigned)((c) - '0') < 10u)

/* The first byte from p (before end) that is not a digit: eight bytes
 * per test while eight remain (SWAR: every byte in 0x30-0x39; a carry out
 * of a lane only comes from a lane that already failed). */
static CS__INLINE const unsigned char *
cs__digits(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8) {
        uint64_t v;
        CS_MEMCPY(&v, p, 8);
        if (((v & 0xf0f0f0f0f0f0f0f0u)
             | ((v + 0x0606060606060606u) & 0xf0f0f0f0f0f0f0f0u) >> 4)
                != 0x3333333333333333u)
            break;
        p += 8;
    }
    while (p < end && CS__DIGIT(*p))
        p++;
    return p;
}

/* The end of the JSON number that starts at p (RFC 8259 6), or NULL when
 * the text breaks the grammar (including "0" followed by a digit). */
static CS__INLINE const unsigned char *
cs__num_scan(const unsigned char *p, const unsigned char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0') {
        if (++p < end && CS__DIGIT(*p))
            return NULL;
    } else if (p < end && CS__DIGIT(*p)) {
        p = cs__digits(p + 1, end);
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        if (++p == end || !CS__DIGIT(*p))
            return NULL;
        p = cs__digits(p + 1, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !CS__DIGIT(*p))
            return NULL;
        while (++p < end && CS__DIGIT(*p))
            ;
    }
    return p;
}

/* Read the number text s..e, already checked by cs__num_scan. Up to 19
 * digits (all feed values) go straight to w and q; longer ones take the
 * digit-by-digit path that keeps every significant digit. */
static void
cs__num_parse(cs__num *n, const unsigned char *s, const unsigned char *e)
{
    const unsigned char *t = s, *d0;
    uint64_t w = 0;
    size_t nd;
    int ex = 0, nfrac = 0;

    cs__num_start(n);
    if (*t == '-') {
        n->neg = 1;
        t++;
    }
    for (d0 = t; t < e && CS__DIGIT(*t); t++)
        w = w * 10 + (uint64_t)(*t - '0');
    nd = (size_t)(t - d0);
    if (t < e && *t == '.') {
        n->frac = 1;
        for (d0 = ++t; t < e && CS__DIGIT(*t); t++)
            w = w * 10 + (uint64_t)(*t - '0');
        nd += (size_t)(t - d0);
        nfrac = (int)(t - d0);
    }
    if (t < e) {
        n->exp = 1;
        if (*++t == '+' || *t == '-')
            n->eneg = *t++ == '-';
        for (; t < e; t++)
            cs__num_edigit(n, *t - '0');
        ex = n->eneg ? -n->e : n->e;
    }
    if (nd <= 19) {
        n->fast = 1;
        n->w = n->ival = w;
        n->q = ex - nfrac;
        return;
    }
    /* long: every digit, as the resumable path does */
    n->frac = 0;
    for (t = s + n->neg; t < e && *t != 'e' && *t != 'E'; t++) {
        if (*t == '.')
            n->frac = 1;
        else
            cs__num_digit(n, *t - '0');
    }
}

/* A captured number ended: store it in its field. */
static void
cs__num_done(cs_json *j)
{
    cs_msg *m = &j->msg;
    cs__num *n = &j->num;

    switch (j->field) {
    case CS__F_CERT_INDEX:
        if (n->neg || n->frac || n->exp || n->ovf) {
            m->bad |= CS_F_CERT_INDEX;
        } else {
            m->cert_index = n->ival;
            m->has |= CS_F_CERT_INDEX;
        }
        break;
    case CS__F_SEEN:
        m->seen = cs__num_f64(n);
        m->has |= CS_F_SEEN;
        break;
    case CS__F_TIMESTAMP:
        m->timestamp = cs__num_f64(n);
        m->has |= CS_F_TIMESTAMP;
        break;
    default:
        break;
    }
    j->field = CS__F_NONE;
}

/* A value starts with byte c; f is the field it belongs to. Clears what
 * an earlier duplicate left, flags a wrong type, picks the capture. */
static void
cs__value_start(cs_json *j, int c, int f)
{
    /* the kinds each field takes, a bit per kind: 0 null, 1 string,
     * 2 object, 3 array, 4 true/false, 5 number (a table, not a switch:
     * the switch compiled to an indirect jump that mispredicts) */
    static const unsigned char takes[12] = {
        0, 1u << 1, (1u << 2) | (1u << 3), 1u << 5, 1u << 5, 1u << 5,
        1u << 2, 1u << 2, 1u << 1, 1u << 1, 1u << 3, 1u << 1
    };
    cs_msg *m = &j->msg;
    unsigned mask = cs__fmask[f];
    int kind = c == '"' ? 1 : c == '{' ? 2 : c == '[' ? 3
             : c == 'n' ? 0 : (c == 't' || c == 'f') ? 4 : 5;

    if (mask == 0)
        return;
    if (f != CS__F_DOMAIN) {
        m->has &= ~mask;
        m->bad &= ~mask;
        m->trunc &= ~mask;
        if (mask & CS_F_DOMAINS)
            cs__dom_reset(m);
    }
    if (kind == 0 && f != CS__F_DOMAIN)
        return; /* null: absent */
    if (!((takes[f] >> kind) & 1)) {
        m->bad |= mask;
        return;
    }
    if (kind == 1)
        cs__cap_start(j, f == CS__F_TYPE ? CS__C_TYPE
                         : f == CS__F_URL ? CS__C_URL
                         : f == CS__F_NAME ? CS__C_NAME : CS__C_DOMAIN);
    else if (kind == 5)
        cs__num_start(&j->num);
}

/* The value that just ended was the top one, or one inside a container. */
#define CS__AFTER_VALUE(j) ((j)->depth == 0 ? CS__S_DONE : CS__S_AFTER)

/* ---- the string scanner ---- */

/* Index of the first byte in p[0..n) that is '"', '\\', below 0x20 or
 * above 0x7f; n if none. This is where the time goes: most of a message
 * is string bodies (base64 certificates), skipped 16-32 bytes at a time.
 * back: how many bytes before p may be read (the tail of a chunk is then
 * tested with one load that ends at p + n, never past it). */
static CS__INLINE size_t
cs__scan_str(const unsigned char *p, size_t n, size_t back)
{
    size_t i = 0;
#if CS__SSE2
    const __m128i x2 = _mm_set1_epi8(2), lim = _mm_set1_epi8(0x21);
    const __m128i bs = _mm_set1_epi8('\\');
    /* v ^ 2 moves '"' (0x22) to 0x20, keeps 0x00-0x1f below 0x20 and
     * 0x80-0xff negative, and leaves every other byte at 0x21 or above:
     * one signed compare finds '"', control bytes and non-ASCII. */
#  define CS__HITS(v) _mm_or_si128( \
        _mm_cmplt_epi8(_mm_xor_si128((v), x2), lim), _mm_cmpeq_epi8((v), bs))
    if (i + 16 <= n) {
        uint32_t mask = (uint32_t)_mm_movemask_epi8(CS__HITS(
            _mm_loadu_si128((const __m128i *)(const void *)p)));
        if (mask != 0)
            return (size_t)cs__ctz32(mask);
        /* longer strings: 32 bytes per test, one mask for both halves */
        i = 16;
        if (i + 32 <= n) {
            const __m128i *v = (const __m128i *)(const void *)(p + i);
            mask = (uint32_t)_mm_movemask_epi8(CS__HITS(_mm_loadu_si128(v)))
                 | (uint32_t)_mm_movemask_epi8(
                       CS__HITS(_mm_loadu_si128(v + 1))) << 16;
            if (mask != 0)
                return i + (size_t)cs__ctz32(mask);
            i += 32;
        }
        /* long ones (base64 certificates): 64 bytes per test, the four
         * masks only taken apart once something is found */
        for (; i + 64 <= n; i += 64) {
            const __m128i *v = (const __m128i *)(const void *)(p + i);
            __m128i h0 = CS__HITS(_mm_loadu_si128(v));
            __m128i h1 = CS__HITS(_mm_loadu_si128(v + 1));
            __m128i h2 = CS__HITS(_mm_loadu_si128(v + 2));
            __m128i h3 = CS__HITS(_mm_loadu_si128(v + 3));
            if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(h0, h1),
                                               _mm_or_si128(h2, h3)))) {
                uint64_t m = (uint64_t)(uint32_t)_mm_movemask_epi8(h0)
                    | (uint64_t)(uint32_t)_mm_movemask_epi8(h1) << 16
                    | (uint64_t)(uint32_t)_mm_movemask_epi8(h2) << 32
                    | (uint64_t)(uint32_t)_mm_movemask_epi8(h3) << 48;
                return i + (size_t)cs__ctz64(m);
            }
        }
        for (; i + 32 <= n; i += 32) {
            const __m128i *v = (const __m128i *)(const void *)(p + i);
            mask = (uint32_t)_mm_movemask_epi8(CS__HITS(_mm_loadu_si128(v)))
                 | (uint32_t)_mm_movemask_epi8(
                       CS__HITS(_mm_loadu_si128(v + 1))) << 16;
            if (mask != 0)
                return i + (size_t)cs__ctz32(mask);
        }
        if (i + 16 <= n) {
            mask = (uint32_t)_mm_movemask_epi8(CS__HITS(
                _mm_loadu_si128((const __m128i *)(const void *)(p + i))));
            if (mask != 0)
                return i + (size_t)cs__ctz32(mask);
            i += 16;
        }
    }
    if (i < n && n - i < 16 && back + i >= 16 - (n - i)) {
        /* the last n - i bytes: a load that ends exactly at p + n */
        size_t r = n - i;
        uint32_t mask = (uint32_t)_mm_movemask_epi8(CS__HITS(
            _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16))));
        mask >>= 16 - r;
        return mask != 0 ? i + (size_t)cs__ctz32(mask) : n;
    }
#  undef CS__HITS
#else
    (void)back;
    /* SWAR: skip 8 clean bytes at a time, endian-neutral. */
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;

    for (; i + 8 <= n; i += 8) {
        uint64_t v, a, b, c;
        CS_MEMCPY(&v, p + i, 8);
        a = v ^ (ones * '"');
        b = v ^ (ones * '\\');
        c = ((a - ones) & ~a) | ((b - ones) & ~b) | (v - ones * 0x20) | v;
        if ((c & high) != 0)
            break;
    }
#endif
    while (i < n && !cs__sstop[p[i]])
        i++;
    return i;
}

/* RFC 3629 section 4: the range the second byte of a sequence must fall
 * in, set from its lead byte; 0 if the lead byte is invalid. */
static int
cs__utf8_lead(cs_json *j, unsigned char c)
{
    j->u8lo = 0x80;
    j->u8hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        j->u8need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        j->u8need = 2;
        if (c == 0xe0)
            j->u8lo = 0xa0;   /* no overlong forms */
        else if (c == 0xed)
            j->u8hi = 0x9f;   /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        j->u8need = 3;
        if (c == 0xf0)
            j->u8lo = 0x90;
        else if (c == 0xf4)
            j->u8hi = 0x8f;   /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    return 1;
}

static int
cs__hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Length of the escape (p[0] == '\\') or UTF-8 sequence (p[0] >= 0x80)
 * at p when it lies whole before end and is valid (RFC 8259 7, RFC 3629
 * 4); 0 otherwise: the resumable path then takes over and reports the
 * error, if any. Only for strings that are not kept, where surrogates
 * need no pairing (a lone one is not an error). */
static CS__INLINE size_t
cs__skip_seq(const unsigned char *p, const unsigned char *end)
{
    size_t n = (size_t)(end - p);
    unsigned c = p[0];

    if (c == '\\') {
        if (n < 2)
            return 0;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n':
        case 'r': case 't':
            return 2;
        case 'u':
            return n >= 6 && (cs__hexval(p[2]) | cs__hexval(p[3])
                              | cs__hexval(p[4]) | cs__hexval(p[5])) >= 0
                   ? 6 : 0;
        default:
            return 0;
        }
    }
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80
               ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80
               && (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* The body of a string that is not kept, from p: the index of its closing
 * quote when it is whole in the chunk (escapes and UTF-8 checked here),
 * else where the resumable path must take over. */
static CS__INLINE size_t
cs__skip_body(const unsigned char *p, const unsigned char *end,
              const unsigned char *base)
{
    size_t k = cs__scan_str(p, (size_t)(end - p), (size_t)(p - base)), e;

    while (p + k < end && p[k] != '"'
           && (e = cs__skip_seq(p + k, end)) != 0) {
        k += e;
        k += cs__scan_str(p + k, (size_t)(end - p) - k,
                          (size_t)(p + k - base));
    }
    return k;
}

/* A \u code unit is complete: pair surrogates, else emit it. Returns the
 * next state. */
static int
cs__ucode(cs_json *j)
{
    unsigned u = j->uacc;

    if (j->hisur != 0) {
        unsigned hi = j->hisur;
        j->hisur = 0;
        if (u >= 0xdc00 && u <= 0xdfff) {
            cs__cap_cp(j, 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00));
            return CS__S_STR;
        }
        cs__cap_cp(j, 0xfffd);    /* the high half was alone */
    }
    if (u >= 0xd800 && u <= 0xdbff) {
        j->hisur = u;
        return CS__S_LOWBS;
    }
    cs__cap_cp(j, (u >= 0xdc00 && u <= 0xdfff) ? 0xfffd : u);
    return CS__S_STR;
}

/* The string state machine, from p: returns bytes consumed; sets *err.
 * Stays in the fast scanner while it can. */
static size_t
cs__string(cs_json *j, const unsigned char *p, size_t n, int *err)
{
    size_t i = 0;

    while (i < n) {
        switch (j->st) {
        case CS__S_STR: {
            /* RFC 8259 7: unescaped chars are 0x20-0x21, 0x23-0x5b, 0x5d+ */
            size_t k = i + cs__scan_str(p + i, n - i, i);
            unsigned char c;
            if (j->cap != CS__C_NONE && k > i)
                cs__cap_put(j, p + i, k - i);
            i = k;
            if (i == n)
                return i;
            c = p[i++];
            if (c == '"') {
                j->st = j->is_key ? (unsigned char)CS__S_COLON : j->ret;
                if (j->cap != CS__C_NONE)
                    cs__str_done(j);
                return i;
            }
            if (c == '\\') {
                j->st = CS__S_ESC;
            } else if (c < 0x20) {
                *err = CS_E_JSON_CONTROL;
                return i - 1;
            } else {
                if (!cs__utf8_lead(j, c)) {
                    *err = CS_E_JSON_UTF8;
                    return i - 1;
                }
                if (j->cap != CS__C_NONE)
                    cs__cap_put(j, &c, 1);
                j->st = CS__S_UTF8;
            }
            break;
        }
        case CS__S_UTF8: {
            /* RFC 3629 4: continuation bytes, the first one range-checked */
            unsigned char c = p[i];
            if (c < j->u8lo || c > j->u8hi) {
                *err = CS_E_JSON_UTF8;
                return i;
            }
            i++;
            if (j->cap != CS__C_NONE)
                cs__cap_put(j, &c, 1);
            j->u8lo = 0x80;
            j->u8hi = 0xbf;
            if (--j->u8need == 0)
                j->st = CS__S_STR;
            break;
        }
        case CS__S_ESC: {
            /* RFC 8259 7: \" \\ \/ \b \f \n \r \t \uXXXX, nothing else */
            unsigned char c = p[i], to;
            if (c == 'u') {
                j->st = CS__S_UHEX;
                j->ucnt = 0;
                j->uacc = 0;
                i++;
                break;
            }
            to = c < 128 ? cs__unesc[c] : 0;
            if (to == 0) {
                *err = CS_E_JSON_ESCAPE;
                return i;
            }
            i++;
            if (j->hisur != 0) {
                j->hisur = 0;
                cs__cap_cp(j, 0xfffd);
            }
            cs__cap_cp(j, to);
            j->st = CS__S_STR;
            break;
        }
        case CS__S_UHEX: {
            /* four hex digits, either case */
            int h = cs__hexval(p[i]);
            if (h < 0) {
                *err = CS_E_JSON_ESCAPE;
                return i;
            }
            i++;
            j->uacc = (j->uacc << 4) | (unsigned)h;
            if (++j->ucnt == 4)
                j->st = (unsigned char)cs__ucode(j);
            break;
        }
        case CS__S_LOWBS:
            /* RFC 8259 7: a high surrogate wants "\uDC00".."\uDFFF" next */
            if (p[i] == '\\') {
                i++;
                j->st = CS__S_LOWU;
            } else {
                j->hisur = 0;
                cs__cap_cp(j, 0xfffd);
                j->st = CS__S_STR;
            }
            break;
        case CS__S_LOWU:
            /* "\u": maybe the low half; any other escape ends the pair */
            if (p[i] == 'u') {
                i++;
                j->st = CS__S_UHEX;
                j->ucnt = 0;
                j->uacc = 0;
            } else {
                j->st = CS__S_ESC; /* reports the lone high half there */
            }
            break;
        default:
            return i;
        }
    }
    return i;
}

/* ---- the number scanner ---- */

/* Number states from p: returns bytes consumed. When a byte ends the
 * number, the number is finished (and stored, if captured) and that byte
 * is left for the caller; the state is then CS__S_AFTER or CS__S_DONE. */
static size_t
cs__number(cs_json *j, const unsigned char *p, size_t n, int *err)
{
    size_t i = 0;
    int cap = j->field == CS__F_CERT_INDEX || j->field == CS__F_SEEN
              || j->field == CS__F_TIMESTAMP;

    while (i < n) {
        unsigned char c = p[i];
        int dig = (unsigned)(c - '0') < 10u;
        switch (j->st) {
        case CS__S_MINUS:
            /* RFC 8259 6: int = zero / ( digit1-9 *DIGIT ) */
            if (!dig) {
                *err = CS_E_JSON_NUMBER;
                return i;
            }
            j->st = c == '0' ? CS__S_ZERO : CS__S_INT;
            break;
        case CS__S_ZERO:
            /* no leading zeros: "0" then only '.', 'e' or the end */
            if (dig) {
                *err = CS_E_JSON_NUMBER;
                return i;
            }
            goto frac_or_exp;
        case CS__S_INT:
            if (dig) {
                if (!cap) { /* a tight loop for the digits we skip */
                    while (++i < n && (unsigned)(p[i] - '0') < 10u)
                        ;
                    continue;
                }
                break;
            }
        frac_or_exp:
            if (c == '.') {
                j->st = CS__S_DOT;
                j->num.frac = 1;
            } else if (c == 'e' || c == 'E') {
                j->st = CS__S_E;
                j->num.exp = 1;
            } else {
                goto ended;
            }
            i++;
            continue;
        case CS__S_DOT:
            /* frac = decimal-point 1*DIGIT */
            if (!dig) {
                *err = CS_E_JSON_NUMBER;
                return i;
            }
            j->st = CS__S_FRAC;
            break;
        case CS__S_FRAC:
            if (dig) {
                if (!cap) {
                    while (++i < n && (unsigned)(p[i] - '0') < 10u)
                        ;
                    continue;
                }
                break;
            }
            if (c == 'e' || c == 'E') {
                j->st = CS__S_E;
                j->num.exp = 1;
                i++;
                continue;
            }
            goto ended;
        case CS__S_E:
            /* exp = e [ minus / plus ] 1*DIGIT */
            if (c == '+' || c == '-') {
                j->num.eneg = c == '-';
                j->st = CS__S_ESIGN;
                i++;
                continue;
            }
            /* fall through */
        case CS__S_ESIGN:
            if (!dig) {
                *err = CS_E_JSON_NUMBER;
                return i;
            }
            j->st = CS__S_EXP;
            break;
        default: /* CS__S_EXP */
            if (!dig)
                goto ended;
            break;
        }
        /* c is a digit of the mantissa or the exponent */
        if (cap) {
            if (j->num.exp)
                cs__num_edigit(&j->num, c - '0');
            else
                cs__num_digit(&j->num, c - '0');
        }
        i++;
    }
    return i;
ended:
    if (cap)
        cs__num_done(j);
    j->st = (unsigned char)CS__AFTER_VALUE(j);
    return i;
}

/* ---- the structural loop ---- */

/* The node of a container opened at depth d (1 = the top) by a value of
 * field f. */
static CS__INLINE int
cs__child_node(cs_json *j, unsigned d, int is_array, int f)
{
    if (d == 1) {
        j->root = (unsigned char)!is_array;
        return is_array ? CS__N_SKIP : CS__N_ROOT;
    }
    if (is_array) {
        if (f == CS__F_ALL_DOMAINS || f == CS__F_DATA) {
            j->msg.has |= CS_F_DOMAINS;
            return CS__N_DOMAINS;
        }
        return CS__N_SKIP;
    }
    return f == CS__F_DATA ? CS__N_DATA : f == CS__F_SOURCE ? CS__N_SOURCE
         : f == CS__F_LEAF ? CS__N_LEAF : CS__N_SKIP;
}

/* The literal that starts with c ('t', 'f' or 'n') at p, whole before
 * the chunk end: spelled right? One 4-byte compare ("true", "null", or
 * "alse" after the 'f'). */
static CS__INLINE int
cs__lit_ok(const unsigned char *p, int c)
{
    uint32_t w, want;

    CS_MEMCPY(&w, p + (c == 'f'), 4);
    CS_MEMCPY(&want, c == 't' ? "true" : c == 'n' ? "null" : "alse", 4);
    return w == want;
}

/* Is the node one whose keys we read? */
#define CS__KEYED(node) ((node) >= CS__N_ROOT && (node) <= CS__N_LEAF)

/*
 * One label per grammar state; each looks at one byte and jumps to the
 * next state. When the input runs out, the state is stored and the call
 * returns: the next call resumes at the same label. Strings, keys and
 * numbers that lie wholly inside the chunk take a fast path that never
 * stores a state; the rest goes through cs__string / cs__number, which can
 * stop and resume at any byte. depth, node, field and "inside an array"
 * live in registers here and in the struct between calls (CS__SYNC).
 */
CSDEF int
cs_json_feed(cs_json *j, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    const unsigned char *base, *end;
    unsigned depth;
    int node, field, arr, err = 0, f;
    unsigned char c;
    size_t k;

    CS_ASSERT(j != NULL && (data != NULL || len == 0));
    if (j->st == CS__S_ENDED)
        cs_json_begin(j);
    if (j->err != 0 || len == 0)
        return j->err;   /* (data may be NULL when len is 0) */
    base = p;
    end = p + len;
    depth = j->depth;
    node = j->node;
    field = j->field;
    arr = cs__is_array(j);
#define CS__SYNC() \
    (j->depth = (unsigned char)depth, j->node = (unsigned char)node, \
     j->field = (unsigned char)field)
    switch (j->st) {
    case CS__S_VALUE: goto s_value;
    case CS__S_ARR_FIRST: goto s_arr_first;
    case CS__S_OBJ_FIRST: goto s_obj_first;
    case CS__S_KEY: goto s_key;
    case CS__S_COLON: goto s_colon;
    case CS__S_AFTER: goto s_after;
    case CS__S_DONE: goto s_done;
    case CS__S_LIT: goto s_lit;
    case CS__S_STR: case CS__S_ESC: case CS__S_UHEX: case CS__S_LOWBS:
    case CS__S_LOWU: case CS__S_UTF8:
        goto s_string;
    default:
        goto s_number;
    }

s_arr_first:
    /* RFC 8259 5: begin-array [ value *( value-separator value ) ] */
    if (p == end) {
        j->st = CS__S_ARR_FIRST;
        goto out;
    }
    if (*p == ']') {
        p++;
        goto pop;
    }
    if (cs__ws[*p]) {
        p++;
        goto s_arr_first;
    }
    goto value;
s_value:
    /* RFC 8259 3: value = false / null / true / object / array / number
     * / string */
    if (p == end) {
        j->st = CS__S_VALUE;
        goto out;
    }
    if (cs__ws[*p]) {
        p++;
        goto s_value;
    }
value:
    c = *p;
    if (depth == 0)
        j->top_off = j->off + (uint64_t)(p - base);
    if (node == CS__N_DOMAINS) {
        /* domains, whole in this chunk and plain: straight to storage,
         * one after another while they are separated by bare commas */
        while (c == '"') {
            k = cs__scan_str(p + 1, (size_t)(end - p - 1),
                             (size_t)(p + 1 - base));
            if (!CS__LIKELY(p + 1 + k < end && p[1 + k] == '"'))
                break;
            cs__dom_add(&j->msg, p + 1, k, (size_t)(end - p - 1));
            p += k + 2;
            if (p + 1 >= end || *p != ',')
                goto s_after;
            if (p[1] != '"') {
                p++;
                goto s_value;
            }
            c = *++p;
        }
        field = CS__F_DOMAIN;
    }
    f = field;
    if (f != CS__F_NONE)
        cs__value_start(j, c, f);
    switch (c) {
    case '"':
        p++;
        k = j->cap == CS__C_NONE ? cs__skip_body(p, end, base)
                                 : cs__scan_str(p, (size_t)(end - p),
                                                (size_t)(p - base));
        if (CS__LIKELY(p + k < end && p[k] == '"')) {
            /* the whole string is here, with nothing to decode */
            if (j->cap != CS__C_NONE) {
                cs__cap_put(j, p, k);
                cs__str_done(j);
            }
            p += k + 1;
            goto after_value;
        }
        j->is_key = 0;
        j->ret = (unsigned char)(depth == 0 ? CS__S_DONE : CS__S_AFTER);
        j->st = CS__S_STR;
        goto s_string;
    case '{': case '[':
        /* RFC 8259 9: "An implementation may set limits on ... depth" */
        if (depth >= CS_JSON_MAX_DEPTH)
            goto depth_error;
        depth++;
        arr = c == '[';
        cs__set_bit(j, (int)depth, arr);
        node = cs__child_node(j, depth, arr, f);
        if (depth < 5)
            j->nodes[depth] = (unsigned char)node;
        field = CS__F_NONE;
        p++;
        if (arr)
            goto s_arr_first;
        goto s_obj_first;
    case 't': case 'f': case 'n':
        j->lit = (unsigned char)(c == 't' ? 0 : c == 'f' ? 1 : 2);
        j->lit_pos = 1;
        field = CS__F_NONE;
        k = j->lit == 1 ? 5 : 4;
        if ((size_t)(end - p) >= k && cs__lit_ok(p, c)) {
            p += k;
            goto after_value;
        }
        p++;
        goto s_lit;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5':
    case '6': case '7': case '8': case '9': {
        /* only timestamp, cert_index and seen are converted */
        const unsigned char *q = cs__num_scan(p, end);
        field = f >= CS__F_TIMESTAMP && f <= CS__F_SEEN ? f : CS__F_NONE;
        if (CS__LIKELY(q != NULL && q < end)) {
            /* whole and well-formed here: no per-digit state */
            if (field != CS__F_NONE) {
                cs__num_parse(&j->num, p, q);
                j->field = (unsigned char)field;
                cs__num_done(j);
                field = CS__F_NONE;
            }
            p = q;
            goto after_value;
        }
        if (field != CS__F_NONE && c == '-')
            j->num.neg = 1;
        else if (field != CS__F_NONE)
            cs__num_digit(&j->num, c - '0');
        j->st = c == '-' ? CS__S_MINUS : c == '0' ? CS__S_ZERO : CS__S_INT;
        p++;
        goto s_number;
    }
    default:
        err = CS_E_JSON_SYNTAX;
        goto fail;
    }

pop:
    /* the container at depth closed: back to its parent */
    depth--;
    arr = (j->stack[depth >> 3] >> (depth & 7)) & 1;
    node = depth < 5 ? (int)j->nodes[depth] : (int)CS__N_SKIP;
after_value:
    if (depth == 0)
        goto s_done;
s_after:
    /* RFC 8259 4, 5: value-separator, or the closer of this container */
    if (p == end) {
        j->st = CS__S_AFTER;
        goto out;
    }
    c = *p++;
    if (c == ',') {
        field = CS__F_NONE;
        if (arr)
            goto s_value;
        goto s_key;
    }
    if (c == (arr ? ']' : '}'))
        goto pop;
    if (cs__ws[c])
        goto s_after;
    p--;
    err = CS_E_JSON_SYNTAX;
    goto fail;

s_obj_first:
    /* RFC 8259 4: begin-object [ member *( value-separator member ) ] */
    if (p == end) {
        j->st = CS__S_OBJ_FIRST;
        goto out;
    }
    if (*p == '}') {
        p++;
        goto pop;
    }
    if (cs__ws[*p]) {
        p++;
        goto s_obj_first;
    }
    goto key;
s_key:
    /* member = string name-separator value */
    if (p == end) {
        j->st = CS__S_KEY;
        goto out;
    }
    if (cs__ws[*p]) {
        p++;
        goto s_key;
    }
key:
    if (*p != '"') {
        err = CS_E_JSON_SYNTAX;
        goto fail;
    }
    p++;
    k = cs__scan_str(p, (size_t)(end - p), (size_t)(p - base));
    if (CS__LIKELY(p + k < end && p[k] == '"')) {
        /* the whole key is here, plain: match it in place */
        field = CS__KEYED(node) ? cs__match_key(node, p, k) : CS__F_NONE;
        p += k + 1;
        if (CS__LIKELY(p + 1 < end && *p == ':')) {
            /* compact "key":"value", the commonest member: when the value
             * is a plain string we do not want, skip it here and go on to
             * the next key without a trip through the dispatch. Unwanted
             * keys (most of them) are tested first: one branch on the
             * field, then one on the value's first byte. */
            if (field == CS__F_NONE) {
                const unsigned char *q = NULL;
                c = p[1];
                if (c == '"') {
                    k = cs__skip_body(p + 2, end, base);
                    if (CS__LIKELY(p + 2 + k < end && p[2 + k] == '"'))
                        q = p + k + 3;
                } else if (c == 'n' || c == 't' || c == 'f') {
                    k = c == 'f' ? 5 : 4;
                    if ((size_t)(end - p - 1) >= k && cs__lit_ok(p + 1, c))
                        q = p + 1 + k;
                } else if (c == '-' || CS__DIGIT(c)) {
                    q = cs__num_scan(p + 1, end);
                    if (q == end)
                        q = NULL;
                }
                if (q != NULL) {
                    p = q;
                    if (p + 1 < end && p[0] == ',' && p[1] == '"') {
                        p++;
                        goto key;
                    }
                    goto s_after;
                }
            } else if (p[1] == '"' && (field == CS__F_TYPE
                                        || field == CS__F_URL
                                        || field == CS__F_NAME)) {
                /* a wanted text, whole and plain: straight into place */
                k = cs__scan_str(p + 2, (size_t)(end - p - 2),
                                 (size_t)(p + 2 - base));
                if (CS__LIKELY(p + 2 + k < end && p[2 + k] == '"')) {
                    cs__text_set(&j->msg, field, p + 2, k);
                    p += k + 3;
                    goto s_after;
                }
            }
            p++;
            goto s_value;
        }
        goto s_colon;
    }
    field = CS__F_NONE;
    j->is_key = 1;
    if (CS__KEYED(node))
        cs__cap_start(j, CS__C_KEY);
    j->st = CS__S_STR;
    goto s_string;
s_colon:
    /* name-separator */
    if (p == end) {
        j->st = CS__S_COLON;
        goto out;
    }
    c = *p++;
    if (c == ':')
        goto s_value;
    if (cs__ws[c])
        goto s_colon;
    p--;
    err = CS_E_JSON_SYNTAX;
    goto fail;

s_done:
    /* RFC 8259 2: JSON-text = ws value ws, one value per message */
    while (p < end && cs__ws[*p])
        p++;
    j->st = CS__S_DONE;
    if (p == end)
        goto out;
    err = CS_E_JSON_TRAILING;
    goto fail;

s_lit:
    /* true / false / null, spelled exactly */
    while (p < end) {
        const char *l = cs__lits[j->lit];
        if ((char)*p != l[j->lit_pos]) {
            err = CS_E_JSON_LITERAL;
            goto fail;
        }
        p++;
        if (l[++j->lit_pos] == 0)
            goto after_value;
    }
    j->st = CS__S_LIT;
    goto out;

s_string:
    /* escapes, UTF-8 and strings cut by the chunk end */
    CS__SYNC();
    p += cs__string(j, p, (size_t)(end - p), &err);
    field = j->field;     /* a key's field, matched at its end */
    if (err != 0)
        goto fail;
    if (j->st == CS__S_COLON)
        goto s_colon;
    if (j->st == CS__S_AFTER)
        goto s_after;
    if (j->st == CS__S_DONE)
        goto s_done;
    goto out; /* the input ended inside the string */

s_number:
    CS__SYNC();
    p += cs__number(j, p, (size_t)(end - p), &err);
    field = j->field;
    if (err != 0)
        goto fail;
    if (p < end || j->st == CS__S_AFTER || j->st == CS__S_DONE)
        goto after_value;
    goto out; /* the input ended inside the number */

depth_error:
    err = CS_E_JSON_DEPTH;
fail:
    CS__SYNC();
    j->off += (uint64_t)(p - base);
    cs__fail(j, err, j->off);
    j->off += (uint64_t)(end - p);
    return j->err;
out:
    CS__SYNC();
    j->off += len;
    return 0;
#undef CS__SYNC
}

CSDEF int
cs_json_end(cs_json *j)
{
    cs_msg *m = &j->msg;
    int st = j->st;

    CS_ASSERT(j != NULL);
    if (st == CS__S_ENDED) {
        /* no bytes since the last end: an empty message, not that one */
        cs_json_begin(j);
        st = j->st;
    }
    j->st = CS__S_ENDED;
    if (j->err != 0)
        return j->err;
    /* A number at the very end is complete once the input is. */
    if (st == CS__S_ZERO || st == CS__S_INT || st == CS__S_FRAC
            || st == CS__S_EXP) {
        j->st = (unsigned char)st;
        cs__number(j, (const unsigned char *)" ", 1, &j->err);
        st = j->st;
        j->st = CS__S_ENDED;
    }
    if (st != CS__S_DONE)
        return cs__fail(j, CS_E_JSON_INCOMPLETE, j->off);
    if (!j->root)
        return cs__fail(j, CS_E_JSON_NOT_OBJECT, j->top_off);
    /* Name the type. */
    if (m->has & CS_F_TYPE) {
        const cs_text *t = &m->type_name;
        m->type = CS_MSG_OTHER;
        if (t->len == 18 && cs__eq(t->buf, "certificate_update", 18))
            m->type = CS_MSG_CERT;
        else if (t->len == 9 && cs__eq(t->buf, "heartbeat", 9))
            m->type = CS_MSG_HEARTBEAT;
        else if (t->len == 11 && cs__eq(t->buf, "dns_entries", 11))
            m->type = CS_MSG_DNS;
    }
    return 0;
}

CSDEF int
cs_json_parse(cs_json *j, const void *data, size_t len)
{
    cs_json_begin(j);
    cs_json_feed(j, data, len);
    return cs_json_end(j);
}

CSDEF const cs_msg *
cs_json_msg(const cs_json *j)
{
    return &j->msg;
}

CSDEF int
cs_json_error(const cs_json *j)
{
    return j->err;
}

CSDEF uint64_t
cs_json_error_offset(const cs_json *j)
{
    return j->err_off;
}

CSDEF int
cs_json_number(const char *s, size_t len, double *out)
{
    const unsigned char *p = (const unsigned char *)s;
    cs__num n;

    CS_ASSERT(s != NULL && out != NULL);
    if (cs__num_scan(p, p + len) != p + len)
        return CS_E_JSON_NUMBER;
    cs__num_parse(&n, p, p + len);
    *out = cs__num_f64(&n);
    return 0;
}

/* ==== [9] error strings =================================================== */

#ifndef CS_NO_ERROR_STRINGS
CSDEF const char *
cs_strerror(int err)
{
    switch (err) {
    case CS_OK: return "no error";
    case CS_E_JSON_SYNTAX: return "JSON: unexpected character";
    case CS_E_JSON_NOT_OBJECT: return "JSON: top-level value is not an object";
    case CS_E_JSON_DEPTH: return "JSON: nested too deeply";
    case CS_E_JSON_INCOMPLETE: return "JSON: message ended inside a value";
    case CS_E_JSON_TRAILING: return "JSON: data after the top-level value";
    case CS_E_JSON_CONTROL: return "JSON: control character in a string";
    case CS_E_JSON_ESCAPE: return "JSON: invalid escape in a string";
    case CS_E_JSON_UTF8: return "JSON: invalid UTF-8 in a string";
    case CS_E_JSON_NUMBER: return "JSON: malformed number";
    case CS_E_JSON_LITERAL: return "JSON: invalid literal";
    default: return "unknown error";
    }
}

CSDEF const char *
cs_errname(int err)
{
    switch (err) {
    case CS_OK: return "CS_OK";
    case CS_E_JSON_SYNTAX: return "CS_E_JSON_SYNTAX";
    case CS_E_JSON_NOT_OBJECT: return "CS_E_JSON_NOT_OBJECT";
    case CS_E_JSON_DEPTH: return "CS_E_JSON_DEPTH";
    case CS_E_JSON_INCOMPLETE: return "CS_E_JSON_INCOMPLETE";
    case CS_E_JSON_TRAILING: return "CS_E_JSON_TRAILING";
    case CS_E_JSON_CONTROL: return "CS_E_JSON_CONTROL";
    case CS_E_JSON_ESCAPE: return "CS_E_JSON_ESCAPE";
    case CS_E_JSON_UTF8: return "CS_E_JSON_UTF8";
    case CS_E_JSON_NUMBER: return "CS_E_JSON_NUMBER";
    case CS_E_JSON_LITERAL: return "CS_E_JSON_LITERAL";
    default: return "CS_E_UNKNOWN";
    }
}
#else
CSDEF const char *
cs_strerror(int err)
{
    (void)err;
    return "";
}

CSDEF const char *
cs_errname(int err)
{
    (void)err;
    return "";
}
#endif

#endif /* CERTSTREAM_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
MIT License

Copyright (c) 2026 the certstream.h authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
*/
