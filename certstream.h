/* certstream.h - v0.3.0 - CertStream feed client in one header.
 * License: MIT, at the end of the file.
 *
 * Do this:
 *   #define CERTSTREAM_IMPLEMENTATION
 * before you include this file in *one* C or C++ file to create the
 * implementation. Every other file includes it without the define.
 * Link with -lbearssl (TLS), or define CERTSTREAM_NO_TLS.
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
 * Or the whole client (see README.md: events, keepalive, reconnect):
 *
 *   cs_config cfg; cs_config_init(&cfg);
 *   cfg.url = "ws://127.0.0.1:4000/"; cfg.on_event = fn;
 *   cfg.dom = names; cfg.dom_cap = sizeof names;
 *   cs_listen(&client, &tcp, &cfg);      // static cs_client, cs_posix
 *
 * Switches (define the same way before EVERY include):
 *   CERTSTREAM_STATIC     every function static (private copy per file)
 *   CERTSTREAM_NO_TLS     no BearSSL: ws:// only
 *   CS_TLS_FULL_DUPLEX    33 KB TLS buffer instead of 16.7 KB half-duplex
 *   CERTSTREAM_NO_POSIX   no sockets, clock, entropy or blocking loop
 *   CS_NO_ERROR_STRINGS   cs_strerror() and cs_errname() return ""
 *   CS_NO_SIMD            no SSE2 string scanning (portable SWAR path)
 *   CS_NO_INT128          no 128-bit multiply (portable 32-bit products)
 * Limits (before EVERY include; they size the structs):
 *   CS_JSON_MAX_DEPTH     64    deepest nesting accepted (max 255)
 *   CS_JSON_STR_MAX       255   bytes kept of message_type, source url/name
 *   CS_JSON_NUM_DIGITS    800   significant digits kept for exact rounding
 *   CS_JSON_DOMAIN_BUF    256 KiB  suggested domain storage (yours to size)
 *   CS_WS_MAX_MESSAGE     64 MiB   default cs_config.max_message
 *   CS_URL_MAX 1024  CS_HS_MAX_RESPONSE 16384  CS_IO_CHUNK 16384
 *   CS_HTTP_MAX_HEAD 16384  CS_HTTP_MAX_CHUNK_LINE 4096
 *   CS_SEND_BUF 512  CS_MAX_HEADERS 8  CS_POSIX_MAX_ADDRS 8
 * Hooks (before the implementing include):
 *   CS_ASSERT(x) CS_MEMCPY(d,s,n) CS_MEMSET(d,c,n)   defaults: assert, libc
 *
 * Non-goals: this is not a general JSON library. The extractor validates
 * every byte of a message as RFC 8259 JSON but keeps only the CertStream
 * fields. It never allocates, never recurses, keeps no globals.
 *
 * Sections: [0] errors (declarations), helpers (implementation)
 *   [1] the message (cs_msg and its domain store)  [1a] decimal to double
 *   [1b] JSON field extractor  [1c] websocket frames  [1d] URLs
 *   [1e] HTTP/1.1 responses, and the websocket opening handshake over
 *   them  [1f]-[1i] CT codecs
 *   [2] transport interface  [2b] TLS transport (BearSSL)  [3] client
 *   engine  [4] POSIX transport  [5] blocking loop  [9] error strings
 *
 * History:
 *   0.3.0  wss:// over BearSSL: verified TLS, trust sources, pinning
 *   0.2.0  the websocket client over ws://: RFC 6455, keepalive, reconnect
 *   0.1.0  the streaming, allocation-free message extractor
 */
#ifndef CERTSTREAM_H
#define CERTSTREAM_H

/* The POSIX layer needs POSIX declarations, which -std=c99 hides: ask
 * for them when this header is the first include of a strict-C file
 * (otherwise define _POSIX_C_SOURCE 200809L before your first include). */
#if !defined(CERTSTREAM_NO_POSIX) && defined(__STRICT_ANSI__) \
    && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) \
    && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) \
    && !defined(_BSD_SOURCE)
#  define _POSIX_C_SOURCE 200809L
#  if defined(__APPLE__)
#    define _DARWIN_C_SOURCE 1
#  endif
#endif

#include <stddef.h>
#include <stdint.h>

#define CERTSTREAM_VERSION_MAJOR 0
#define CERTSTREAM_VERSION_MINOR 3
#define CERTSTREAM_VERSION_PATCH 0
#define CERTSTREAM_VERSION_STRING "0.3.0"

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

/* Capabilities, once the switches are resolved. */
#ifdef CERTSTREAM_NO_TLS
#  define CS_HAS_TLS 0
#else
#  define CS_HAS_TLS 1
#  include <bearssl.h>
#endif
#ifdef CERTSTREAM_NO_POSIX
#  define CS_HAS_POSIX 0
#else
#  define CS_HAS_POSIX 1
#endif
#ifdef CERTSTREAM_NO_CT
#  define CS_HAS_CT 0
#else
#  define CS_HAS_CT 1
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
 * -1..-19 API misuse and limits, -20..-39 transport, -40..-59 TLS,
 * -60..-79 websocket, -80..-89 JSON, -90..-99 the opening handshake,
 * -100..-229 the CT reader and watchlists (ranges below).
 * One list, one X(name, value, sentence) per code, makes the enum,
 * cs_strerror() and cs_errname(); the sentence is cs_strerror()'s text. */
#define CS__ERRORS(X) \
    X(CS_OK, 0, "no error") \
    /* API misuse and limits */ \
    X(CS_E_ARG, -1, "bad argument or setting") \
    X(CS_E_URL, -2, "not a usable ws:// or wss:// URL") \
    X(CS_E_BUFFER, -3, "output buffer too small") \
    X(CS_E_NO_TLS, -4, "wss:// needs TLS, which this build lacks") \
    X(CS_E_RANDOM, -5, "the entropy source failed") \
    /* transport */ \
    X(CS_E_CLOSED, -20, "the server closed the TCP connection") \
    X(CS_E_IO, -21, "socket error") \
    X(CS_E_DNS, -22, "host name did not resolve") \
    X(CS_E_CONNECT, -23, "could not connect to any address") \
    X(CS_E_TIMEOUT, -24, "connect and handshake timed out") \
    X(CS_E_DEAD, -25, "connection dead: nothing received in time") \
    /* TLS (BearSSL; its own code: cs_event.detail, cs_tls_last_error) */ \
    X(CS_E_TLS, -40, "TLS failed (see BearSSL's code)") \
    X(CS_E_TLS_UNTRUSTED, -41, "TLS: certificate from an unknown CA") \
    X(CS_E_TLS_EXPIRED, -42, "TLS: certificate expired or not yet valid") \
    X(CS_E_TLS_NAME, -43, "TLS: certificate is not for this host name") \
    X(CS_E_TLS_IP_NAME, -44, \
      "TLS: BearSSL cannot match a certificate to an IP address: connect by host name, or pin the key") \
    X(CS_E_TLS_NO_TIME, -45, "TLS: no clock to check certificate dates") \
    X(CS_E_TLS_CERT, -46, "TLS: certificate rejected") \
    X(CS_E_TLS_PIN, -47, "TLS: the server's key is not the pinned one") \
    X(CS_E_TLS_VERSION, -48, \
      "TLS: the server does not speak TLS 1.2 (or no TLS at all)") \
    X(CS_E_TLS_ALERT, -49, "TLS: the server sent a fatal alert") \
    X(CS_E_TLS_TRUNCATED, -50, "TLS: connection closed without close_notify") \
    X(CS_E_TLS_NO_ANCHORS, -51, "TLS: no trust anchor could be loaded") \
    X(CS_E_TLS_CA_FILE, -52, "TLS: the CA file or directory is unusable") \
    X(CS_E_TLS_PEM, -53, "TLS: not a PEM or DER certificate") \
    X(CS_E_TLS_DOWNGRADE, -54, "TLS: refused a redirect from wss:// to ws://") \
    /* websocket (RFC 6455) */ \
    X(CS_E_WS_RSV, -60, "websocket: reserved bits set") \
    X(CS_E_WS_OPCODE, -61, "websocket: reserved opcode") \
    X(CS_E_WS_MASKED, -62, "websocket: masked frame from the server") \
    X(CS_E_WS_CTL_LEN, -63, "websocket: control frame over 125 bytes") \
    X(CS_E_WS_CTL_FRAG, -64, "websocket: fragmented control frame") \
    X(CS_E_WS_CONT, -65, "websocket: continuation with no message open") \
    X(CS_E_WS_NESTED, -66, "websocket: new message inside a fragmented one") \
    X(CS_E_WS_LEN64, -67, "websocket: 64-bit length with the top bit set") \
    X(CS_E_WS_LEN_MINIMAL, -68, "websocket: length not in its shortest form") \
    X(CS_E_WS_UTF8, -69, "websocket: text is not valid UTF-8") \
    X(CS_E_WS_TOO_BIG, -70, "websocket: message over the size limit") \
    X(CS_E_WS_CLOSE_LEN, -71, "websocket: close frame with a 1-byte payload") \
    X(CS_E_WS_CLOSE_STATUS, -72, "websocket: invalid close code") \
    X(CS_E_WS_CLOSE_UTF8, -73, "websocket: close reason is not UTF-8") \
    X(CS_E_WS_AFTER_CLOSE, -74, "websocket: data after the close frame") \
    X(CS_E_WS_CLOSED_BY_PEER, -75, \
      "websocket: the server closed with an error code") \
    /* JSON */ \
    X(CS_E_JSON_SYNTAX, -80, "JSON: unexpected character") \
    X(CS_E_JSON_NOT_OBJECT, -81, "JSON: top-level value is not an object") \
    X(CS_E_JSON_DEPTH, -82, "JSON: nested too deeply") \
    X(CS_E_JSON_INCOMPLETE, -83, "JSON: message ended inside a value") \
    X(CS_E_JSON_TRAILING, -84, "JSON: data after the top-level value") \
    X(CS_E_JSON_CONTROL, -85, "JSON: control character in a string") \
    X(CS_E_JSON_ESCAPE, -86, "JSON: invalid escape in a string") \
    X(CS_E_JSON_UTF8, -87, "JSON: invalid UTF-8 in a string") \
    X(CS_E_JSON_NUMBER, -88, "JSON: malformed number") \
    X(CS_E_JSON_LITERAL, -89, "JSON: invalid literal") \
    /* the opening handshake (HTTP/1.1 upgrade) */ \
    X(CS_E_HS_SYNTAX, -90, "handshake: not an HTTP/1.1 response") \
    X(CS_E_HS_TOO_BIG, -91, "handshake: response header too large") \
    X(CS_E_HS_STATUS, -92, "handshake: the server refused (HTTP status)") \
    X(CS_E_HS_REDIRECT, -93, "handshake: redirected") \
    X(CS_E_HS_UPGRADE, -94, "handshake: Upgrade is not websocket") \
    X(CS_E_HS_CONNECTION, -95, "handshake: Connection lacks upgrade") \
    X(CS_E_HS_ACCEPT, -96, "handshake: wrong Sec-WebSocket-Accept") \
    X(CS_E_HS_EXTENSION, -97, "handshake: extension not offered") \
    X(CS_E_HS_PROTOCOL, -98, "handshake: subprotocol not offered") \
    X(CS_E_HS_REDIRECTS, -99, "handshake: too many redirects") \
    /* -100..-119 HTTP/1.1 responses */ \
    X(CS_E_HTTP_STATUS_LINE, -100, "HTTP: malformed status line") \
    X(CS_E_HTTP_VERSION, -101, "HTTP: not an HTTP/1.x response") \
    X(CS_E_HTTP_FIELD, -102, "HTTP: malformed header field (or obs-fold)") \
    X(CS_E_HTTP_NUL, -103, "HTTP: NUL byte in the head") \
    X(CS_E_HTTP_TOO_BIG, -104, "HTTP: response head or trailer too large") \
    X(CS_E_HTTP_LOCATION, -105, "HTTP: Location longer than CS_URL_MAX") \
    X(CS_E_HTTP_LENGTH, -106, "HTTP: invalid or conflicting Content-Length") \
    X(CS_E_HTTP_TRANSFER, -107, "HTTP: Transfer-Encoding other than chunked") \
    X(CS_E_HTTP_FRAMING, -108, \
      "HTTP: both Content-Length and Transfer-Encoding") \
    X(CS_E_HTTP_CODING, -109, \
      "HTTP: Content-Encoding other than gzip or identity") \
    X(CS_E_HTTP_CHUNK, -110, "HTTP: malformed chunk size line") \
    X(CS_E_HTTP_CHUNK_SIZE, -111, "HTTP: chunk size over 2^63") \
    X(CS_E_HTTP_CHUNK_END, -112, "HTTP: chunk data not followed by CRLF") \
    X(CS_E_HTTP_TRAILER, -113, "HTTP: malformed trailer field") \
    X(CS_E_HTTP_TRUNCATED, -114, \
      "HTTP: connection closed inside the response") \
    /* -120..-139 gzip / DEFLATE */ \
    /* -140..-149 base64 */ \
    /* -150..-169 DER / X.509 */ \
    /* -170..-189 CT records: leaves, tiles, checkpoints, tree heads */ \
    /* -190..-199 the CT log list */ \
    /* -200..-209 watchlist patterns */ \
    /* -210..-229 the CT log follower */ \
    /* end of the list */

enum {
#define CS__ERR_ENUM(name, value, text) name = value,
    CS__ERRORS(CS__ERR_ENUM)
#undef CS__ERR_ENUM
    CS__E_LAST_ = -1000    /* private: keeps the list's last comma legal */
};

/* A readable sentence for an error code ("" with CS_NO_ERROR_STRINGS). */
CSDEF const char *cs_strerror(int err);
/* The code's name, e.g. "CS_E_JSON_SYNTAX" ("" with CS_NO_ERROR_STRINGS). */
CSDEF const char *cs_errname(int err);

/* ==== [1] the message: what one CertStream message says ================== */

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
 * to cs_json_init() or cs_msg_reset(); valid as long as the cs_msg. */
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

/* Writing a cs_msg, for a producer other than the extractor (a DER walker
 * filling it from a certificate, say). The extractor uses the same store. */

/* Clear every field of m and give it the domain storage: caller-owned,
 * storage[0..cap), MUST outlive m's use, need not be aligned (names and a
 * 4-byte index entry each; caps over 4 GiB count as 4 GiB). storage may be
 * NULL with cap 0 to count domains without storing them. */
CSDEF void cs_msg_reset(cs_msg *m, void *storage, size_t cap);

/* Append one domain name[0..len) (copied, NUL added; len MUST be under
 * 4 GiB) and set CS_F_DOMAINS in m->has. Counted in domain_total always.
 * Returns 0 when stored, or CS_E_BUFFER when the storage is full: the name
 * is then counted but not stored and CS_F_DOMAINS is set in m->trunc. */
CSDEF int cs_msg_add_domain(cs_msg *m, const void *name, size_t len);

/* ==== [1b] the message extractor (JSON, RFC 8259) ========================= */

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


/* ==== [1c] core: websocket frames (RFC 6455) ============================= */

/* The largest message accepted by default (runtime: cs_ws_init()). The
 * payload streams through in slices, so this bounds time, not memory. */
#ifndef CS_WS_MAX_MESSAGE
#  define CS_WS_MAX_MESSAGE ((uint64_t)64 * 1024 * 1024)
#endif

/* Opcodes (RFC 6455 5.2). */
enum {
    CS_WS_OP_CONT = 0x0,
    CS_WS_OP_TEXT = 0x1,
    CS_WS_OP_BINARY = 0x2,
    CS_WS_OP_CLOSE = 0x8,
    CS_WS_OP_PING = 0x9,
    CS_WS_OP_PONG = 0xA
};

/* Events returned by cs_ws_feed(). */
enum {
    CS_WS_DATA = 1,  /* a slice of a data message: cs_ws_payload() */
    CS_WS_END = 2,   /* the message is complete: cs_ws_opcode() tells
                        CS_WS_OP_TEXT (valid UTF-8) or CS_WS_OP_BINARY */
    CS_WS_PING = 3,  /* cs_ws_payload(): the ping's payload (<= 125 bytes) */
    CS_WS_PONG = 4,  /* cs_ws_payload(): the pong's payload */
    CS_WS_CLOSE = 5  /* the server's close: cs_ws_close_status(), and the
                        reason (valid UTF-8) in cs_ws_payload() */
};

/* Private: an incremental UTF-8 validator (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
typedef struct cs__utf8 {
    unsigned char need, lo, hi;
} cs__utf8;

/* The frame decoder's state. Visible so that the caller can allocate it;
 * treat every field as private and use the functions. */
typedef struct cs_ws {
    int err;
    unsigned char st;        /* which header byte comes next */
    unsigned char hn;        /* extended length bytes still to read */
    unsigned char ext;       /* 2 or 8: the extended length's size */
    unsigned char op, fin;   /* the current frame */
    unsigned char msg_op;    /* the open data message, 0 if none */
    unsigned char closed;    /* a close frame arrived: nothing may follow */
    uint64_t left;           /* payload bytes left in the current frame */
    uint64_t msg_len;        /* payload bytes of the open message so far */
    uint64_t max_msg;
    uint64_t off;            /* bytes consumed since cs_ws_init() */
    cs__utf8 u8;             /* across the frames of one text message */
    unsigned char skip_utf8; /* the caller validates text (see below) */
    unsigned char check_msg; /* this message's text is checked here */
    cs__utf8 cu8;            /* a close frame's reason */
    int close_status;
    const unsigned char *data;
    size_t data_len;
    size_t ctl_len;
    unsigned char ctl[125];  /* a control frame's payload */
} cs_ws;

/* Start decoding a new connection's server-to-client byte stream.
 * max_message: the largest data message accepted (0: CS_WS_MAX_MESSAGE). */
CSDEF void cs_ws_init(cs_ws *ws, uint64_t max_message);

/* Decode bytes received from the server.
 *
 * Consumes data[0..len) until one event is complete or the input runs
 * out; *used receives the count consumed and the caller MUST resubmit the
 * rest. Input may be split at any byte. A CS_WS_DATA slice points into
 * data itself (server frames are unmasked: no copy); control payloads are
 * gathered in the decoder. Either stays valid until the next call.
 * Text is validated as UTF-8 across frames and fails at the first byte
 * that cannot start or continue a valid sequence; a failing slice is not
 * delivered.
 *
 * Returns 0 (need more bytes), an event > 0 (CS_WS_DATA, CS_WS_END,
 * CS_WS_PING, CS_WS_PONG, CS_WS_CLOSE), or a negative CS_E_WS_* code.
 * Errors are sticky until cs_ws_init(). After CS_WS_CLOSE, any further
 * byte is CS_E_WS_AFTER_CLOSE. */
CSDEF int cs_ws_feed(cs_ws *ws, const unsigned char *data, size_t len,
                     size_t *used);

/* skip = 1: text messages are NOT validated as UTF-8 here; the caller
 * MUST do it (RFC 6455 8.1), as cs_client does through the extractor,
 * which validates every byte of a JSON text anyway. It takes effect from
 * the next message. Default 0: validated here. */
CSDEF void cs_ws_skip_utf8(cs_ws *ws, int skip);

/* The payload of the last event (see the event list), and its length. */
CSDEF const unsigned char *cs_ws_payload(const cs_ws *ws, size_t *len);
/* CS_WS_OP_TEXT or CS_WS_OP_BINARY: the message that CS_WS_DATA and
 * CS_WS_END belong to. */
CSDEF int cs_ws_opcode(const cs_ws *ws);
/* The status code of a CS_WS_CLOSE (1005 when the frame carried none). */
CSDEF int cs_ws_close_status(const cs_ws *ws);
/* Bytes consumed since cs_ws_init(). After an error: the offset of the
 * byte that caused it (the bytes before it count, it does not). */
CSDEF uint64_t cs_ws_offset(const cs_ws *ws);

/* The close code to send when failing a connection with error err:
 * 1007 for invalid UTF-8, 1009 for a message over the limit, 1002 for
 * other protocol errors, 1011 otherwise. */
CSDEF int cs_ws_fail_status(int err);

/* Encode one client frame (FIN set) into out[0..cap): masked with key
 * (4 bytes, fresh and unpredictable for every frame: RFC 6455 10.3).
 * Control frames (close, ping, pong) carry at most 125 bytes. Returns the
 * frame's size, or 0 when it does not fit in cap or breaks those rules. */
CSDEF size_t cs_ws_frame(unsigned char *out, size_t cap, int opcode,
                         const void *payload, size_t len,
                         const unsigned char key[4]);

/* Encode a close frame with status (one that cs_ws_status_valid() accepts)
 * and a UTF-8 reason of at most 123 bytes (cut at a character boundary
 * when longer); status 0 sends an empty close. Returns its size or 0. */
CSDEF size_t cs_ws_close_frame(unsigned char *out, size_t cap, int status,
                               const char *reason, size_t reason_len,
                               const unsigned char key[4]);

/* 1 when the close status may appear on the wire (RFC 6455 7.4: 1000-1003,
 * 1007-1014, 3000-4999), else 0. */
CSDEF int cs_ws_status_valid(int status);

/* SHA-1 (FIPS 180-4) of data[0..len): the handshake needs it. */
CSDEF void cs_sha1(const void *data, size_t len, unsigned char out[20]);
/* Standard base64 (RFC 4648, padded) of data[0..len) into out, which MUST
 * hold 4 * ((len + 2) / 3) + 1 bytes; NUL-terminated. Returns the length. */
CSDEF size_t cs_base64(const void *data, size_t len, char *out);

/* ==== [1d] core: URLs ==================================================== */

#ifndef CS_URL_MAX
#  define CS_URL_MAX 1024     /* longest URL (and redirect Location) kept */
#endif

/* URL schemes (cs_url.scheme); the TLS ones are odd. */
enum {
    CS_URL_WS = 0,           /* ws://, default port 80 */
    CS_URL_WSS = 1,          /* wss://, 443 */
    CS_URL_HTTP = 2,         /* http://, 80 */
    CS_URL_HTTPS = 3         /* https://, 443 */
};

/* A parsed ws://, wss://, http:// or https:// URL. */
typedef struct cs_url {
    int tls;                 /* 1 for wss:// and https:// */
    int scheme;              /* CS_URL_* */
    int ipv6;                /* the host was a bracketed IPv6 literal */
    unsigned port;           /* given, or 80 / 443 */
    int port_given;          /* the URL named a port */
    char host[256];          /* name or IP literal, no brackets, NUL-ended */
    char path[CS_URL_MAX];   /* path and query, starts with '/' */
} cs_url;

/* Parse s[0..len) as ws://host[:port][/path][?query], or the same with
 * wss://, http:// or https:// (the websocket client takes only the first
 * two). The scheme and host are case-insensitive; IPv6 literals go in
 * brackets; userinfo, fragments, spaces and control bytes are refused.
 * Returns 0, or CS_E_URL with *u unspecified. */
CSDEF int cs_url_parse(cs_url *u, const char *s, size_t len);

/* Resolve a redirect's Location against *u (RFC 3986 5.2, as far as a
 * client needs): an absolute URL, a network-path "//host/...", an absolute
 * path, or a relative path. Against a ws/wss base an absolute
 * ws/wss/http/https URL is taken, http mapping to ws and https to wss
 * (RFC 6455 3); against an http/https base only http/https is.
 * Returns 0 (with *u updated) or CS_E_URL (*u unchanged). */
CSDEF int cs_url_resolve(cs_url *u, const char *loc, size_t len);

/* ==== [1e] HTTP/1.1 responses (RFC 9112) ================================= */

#ifndef CS_HTTP_MAX_HEAD
#  define CS_HTTP_MAX_HEAD 16384    /* longest response head, and trailer */
#endif
#ifndef CS_HTTP_MAX_CHUNK_LINE
#  define CS_HTTP_MAX_CHUNK_LINE 4096  /* chunk size line with extensions */
#endif

/* cs_http_init() flags. */
#define CS_HTTP_FIELDS  0x01u  /* report the status line and every field */
#define CS_HTTP_NO_BODY 0x02u  /* the head ends the response (a HEAD
                                  request, or an upgrade: the bytes after
                                  it are another protocol's) */

/* Events of cs_http_feed(). After any event the caller MUST call again
 * with the rest of its input, even when none is left: the next event
 * (e.g. CS_HTTP_DONE after the last body slice) may need no more bytes. */
enum {
    CS_HTTP_STATUS = 1,   /* the status line (with CS_HTTP_FIELDS) */
    CS_HTTP_FIELD = 2,    /* one header field (with CS_HTTP_FIELDS) */
    CS_HTTP_HEAD = 3,     /* the head is complete: framing is known */
    CS_HTTP_BODY = 4,     /* a slice of the body: cs_http_body() */
    CS_HTTP_DONE = 5      /* the response is complete */
};

/* Body framing (RFC 9112 6.3), known at CS_HTTP_HEAD. */
enum {
    CS_HTTP_NONE = 0,     /* no body: 1xx, 204, 304, or CS_HTTP_NO_BODY */
    CS_HTTP_LENGTH = 1,   /* Content-Length bytes */
    CS_HTTP_CHUNKED = 2,  /* Transfer-Encoding: chunked */
    CS_HTTP_UNTIL_CLOSE = 3 /* neither: the body ends when the link does */
};

/* Content-Encoding of the body. */
enum { CS_HTTP_IDENTITY = 0, CS_HTTP_GZIP = 1 };

/* A response parser's state. Visible so that the caller can allocate it;
 * treat every field as private and use the functions. */
typedef struct cs_http {
    int err;
    int ferr;                /* a framing field's error, raised at the
                                end of the head if a body follows */
    int status;              /* 0 until the status line arrived */
    unsigned flags;
    unsigned char st;        /* parser state */
    unsigned char minor;     /* HTTP/1.minor */
    unsigned char skip;      /* the current line is too long: start kept */
    unsigned char conn;      /* Connection tokens: 1 close, 2 keep-alive */
    unsigned char te;        /* Transfer-Encoding: chunked codings seen */
    unsigned char coding;    /* CS_HTTP_IDENTITY or CS_HTTP_GZIP */
    unsigned char framing;   /* CS_HTTP_* framing */
    unsigned char retry;     /* Retry-After: 0 none, 1 seconds, 2 date,
                                3 date with a two-digit year */
    unsigned char has_len;   /* Content-Length seen */
    unsigned char cut;       /* the last field's line was cut short */
    unsigned char retry_yy;  /* that two-digit year */
    uint32_t total;          /* bytes of the head (or trailer) so far */
    uint32_t max_head;       /* CS_HTTP_MAX_HEAD */
    uint32_t cline;          /* bytes of the chunk size line so far */
    uint64_t clen;           /* Content-Length */
    uint64_t left;           /* body bytes left in the message or chunk */
    int64_t retry_at;        /* seconds, or the date as Unix time */
    size_t ln;               /* bytes of the current line kept */
    size_t name_len, val_at, val_len;  /* the last field, in line */
    const unsigned char *body;
    size_t body_len;
    char line[CS_URL_MAX + 32];
    char location[CS_URL_MAX + 1];
} cs_http;

/* Prepare h to read one response; flags: CS_HTTP_FIELDS, CS_HTTP_NO_BODY.
 * Call it again for the next response on a kept-alive connection. */
CSDEF void cs_http_init(cs_http *h, unsigned flags);

/* Read the response, fed in pieces of any size (the result never depends
 * on where the input is split). Consumes data[0..len) up to the next
 * event; *used receives the count and the caller MUST resubmit the rest.
 * Lines end in CRLF or a bare LF (RFC 9112 2.2); a line longer than the
 * line buffer keeps its start (enough for the name), and a Location over
 * CS_URL_MAX fails. Body slices point into data (zero copy).
 *
 * Returns 0 (need more; all of data was used), an event CS_HTTP_*, or an
 * error: CS_E_HTTP_STATUS_LINE, CS_E_HTTP_VERSION, CS_E_HTTP_FIELD
 * (also obs-fold), CS_E_HTTP_NUL, CS_E_HTTP_TOO_BIG (over
 * CS_HTTP_MAX_HEAD), CS_E_HTTP_LOCATION, and once the head is complete
 * and a body follows: CS_E_HTTP_LENGTH, CS_E_HTTP_TRANSFER,
 * CS_E_HTTP_FRAMING, CS_E_HTTP_CODING; in a chunked body:
 * CS_E_HTTP_CHUNK, CS_E_HTTP_CHUNK_SIZE, CS_E_HTTP_CHUNK_END,
 * CS_E_HTTP_TRAILER. After CS_HTTP_DONE it returns CS_HTTP_DONE and uses
 * nothing: the bytes after the response belong to the next one. Errors
 * are sticky until cs_http_init(). */
CSDEF int cs_http_feed(cs_http *h, const unsigned char *data, size_t len,
                       size_t *used);

/* The link ended (EOF). Returns CS_HTTP_DONE when that ends the response
 * (an until-close body, or the response was already complete), or
 * CS_E_HTTP_TRUNCATED; errors are sticky. */
CSDEF int cs_http_eof(cs_http *h);

/* The status code (0 until the status line arrived). */
CSDEF int cs_http_status(const cs_http *h);

/* After CS_HTTP_FIELD: the field's name and its value without the
 * surrounding whitespace, pointing into h until the next call. Returns 1
 * when the line was too long and the value is only its start, else 0. */
CSDEF int cs_http_field(const cs_http *h, const char **name, size_t *nlen,
                        const char **value, size_t *vlen);

/* After CS_HTTP_BODY: the slice of the body, pointing into the data given
 * to that cs_http_feed() call; *len receives its length. */
CSDEF const unsigned char *cs_http_body(const cs_http *h, size_t *len);

/* After CS_HTTP_HEAD: the framing (CS_HTTP_NONE, _LENGTH, _CHUNKED,
 * _UNTIL_CLOSE), the Content-Length (UINT64_MAX when not framed by one),
 * and the Content-Encoding (CS_HTTP_IDENTITY or CS_HTTP_GZIP). */
CSDEF int cs_http_framing(const cs_http *h);
CSDEF uint64_t cs_http_content_length(const cs_http *h);
CSDEF int cs_http_encoding(const cs_http *h);

/* After CS_HTTP_DONE: 1 when the connection may carry another request
 * (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive";
 * never after an until-close body), else 0. */
CSDEF int cs_http_keep_alive(const cs_http *h);

/* The Location field, "" if none (the last one when repeated). */
CSDEF const char *cs_http_location(const cs_http *h);

/* Retry-After (RFC 9110 10.2.3) as a delay in seconds from now, the
 * caller's current Unix time: delta-seconds as given (saturating near
 * 10^9), an HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime
 * forms) minus now, 0 for a date in the past. -1 when absent or not
 * valid. A two-digit RFC 850 year is taken within 50 years of now. */
CSDEF long cs_http_retry_after(const cs_http *h, int64_t now);

/* ---- the websocket opening handshake (RFC 6455 4), over cs_http ---- */

#ifndef CS_HS_MAX_RESPONSE
#  define CS_HS_MAX_RESPONSE 16384  /* longest handshake response header */
#endif

/* Results of cs_hs_feed(). */
#define CS_HS_OK 1

/* The handshake's state. Visible so that the caller can allocate it;
 * treat every field as private and use the functions. */
typedef struct cs_hs {
    int err;
    unsigned char st;        /* 0 reading, 2 done */
    unsigned char seen;      /* bit set of the headers checked */
    char accept[29];         /* the expected Sec-WebSocket-Accept */
    cs_http http;            /* the response head */
} cs_hs;

/* Write the client's opening handshake for url into out[0..cap) and
 * prepare hs to check the response. key: 16 random bytes, fresh for each
 * connection (RFC 6455 4.1). headers: count extra "Name: value" lines
 * (without CRLF; e.g. "Authorization: Bearer x"), or NULL.
 * Returns the request's length, CS_E_ARG for a header that is not a
 * valid field (or names a header the handshake sets itself), or
 * CS_E_BUFFER when out is too small. */
CSDEF int cs_hs_request(cs_hs *hs, char *out, size_t cap, const cs_url *url,
                        const unsigned char key[16],
                        const char *const *headers, size_t count);

/* Check the server's response, fed in pieces of any size. Consumes
 * data[0..len) up to the end of the header; *used receives the count and
 * the bytes after it are websocket frames (the caller MUST keep them).
 * Returns 0 (need more), CS_HS_OK (switched to websocket), or an error:
 * CS_E_HS_SYNTAX, CS_E_HS_TOO_BIG (also a Location over CS_URL_MAX),
 * CS_E_HS_REDIRECT (3xx with a Location:
 * cs_hs_location()), CS_E_HS_STATUS (any other status but 101:
 * cs_hs_status(), cs_hs_retry_after()), CS_E_HS_UPGRADE,
 * CS_E_HS_CONNECTION, CS_E_HS_ACCEPT, CS_E_HS_EXTENSION,
 * CS_E_HS_PROTOCOL. Errors are sticky. */
CSDEF int cs_hs_feed(cs_hs *hs, const unsigned char *data, size_t len,
                     size_t *used);

/* The response's status code (0 until the status line arrived). */
CSDEF int cs_hs_status(const cs_hs *hs);
/* A redirect's Location value, "" if none. */
CSDEF const char *cs_hs_location(const cs_hs *hs);
/* Retry-After in seconds (delta-seconds form only), -1 if absent. */
CSDEF long cs_hs_retry_after(const cs_hs *hs);

/* ==== [1f] gzip and DEFLATE (RFC 1951, 1952) ===== off: _NO_CT =========== */

/* (decl: placeholder, filled in by its own commit) */

/* ==== [1g] CT records: base64, leaves, tiles, checkpoints == off: _NO_CT ==== */

/* (decl: placeholder, filled in by its own commit) */

/* ==== [1h] DER: what a certificate names ======== off: _NO_CT ============ */

/* (decl: placeholder, filled in by its own commit) */

/* ==== [1i] watchlists: domain patterns =================================== */

/* (decl: placeholder, filled in by its own commit) */

/* ==== [2] the transport interface ======================================== */

/* What the client waits for (cs_wait.want; transport wait()). */
#define CS_WANT_READ  1
#define CS_WANT_WRITE 2

/* The byte pipe under the client: TCP, TLS over TCP, or a firmware link.
 *
 * open:  start connecting to url's host and port; returns 0 (connected,
 *        or connecting: read and write then return 0 until it is done)
 *        or a negative CS_E_* code. It may block on name resolution.
 * read:  moves 1..len bytes into buf, or returns 0 when none can be moved
 *        now (non-blocking), or a negative CS_E_* code; EOF is
 *        CS_E_CLOSED.
 * write: moves 1..len bytes from buf, 0, or a negative code, likewise.
 *        It MUST NOT raise SIGPIPE.
 * wait:  the client wants to read and/or write (CS_WANT_* bits); returns
 *        what the link must wait for before trying again (TLS may need to
 *        write in order to read), and the file descriptor in *fd (-1 when
 *        there is none: the loop then just sleeps until the deadline).
 * close: release the connection; open may be called again afterwards.
 *        Safe to call when nothing is open.
 * Nobody passes len > CS_IO_MAX, so an int always fits. */
typedef struct cs_transport {
    int (*open)(void *ctx, const cs_url *url);
    int (*read)(void *ctx, unsigned char *buf, size_t len);
    int (*write)(void *ctx, const unsigned char *buf, size_t len);
    int (*wait)(void *ctx, int want, int *fd);
    void (*close)(void *ctx);
    void *ctx;
} cs_transport;

/* ==== [2b] TLS transport (BearSSL) ==================== off: _NO_TLS ==== */
#if CS_HAS_TLS

/* The TLS record buffer: one 16,709-byte half-duplex buffer, the least
 * that receives any 16 KB record (the websocket client sends little);
 * CS_TLS_FULL_DUPLEX: 33,178 bytes, both directions at once. */
#ifndef CS_TLS_IOBUF
#  ifdef CS_TLS_FULL_DUPLEX
#    define CS_TLS_IOBUF BR_SSL_BUFSIZE_BIDI
#  else
#    define CS_TLS_IOBUF BR_SSL_BUFSIZE_MONO
#  endif
#endif
#ifndef CS_TLS_PIN_MAX
#  define CS_TLS_PIN_MAX 528   /* a pinned key: RSA up to 4096 bits */
#endif

/* How the server's certificate is checked (cs_tls_config.mode). */
enum {
    CS_TLS_VERIFY = 0,   /* a chain to a trust anchor, the host name, dates */
    CS_TLS_PIN = 1,      /* the server's public key is the pinned one; no
                            CA, name or date checks (no clock needed) */
    CS_TLS_INSECURE = 2  /* nothing checked: for tests only; every
                            connection says so (CS_EV_WARNING) */
};

/* The TLS trust settings of a client (cs_config.tls), for any engine that
 * opens wss:// or https://. All zero (cs_config_init) means: verify
 * against the system bundle when anchor_mem is given, else the built-in
 * set, with the system clock. Trust, in this order: anchors; ca_file; the
 * system bundle (POSIX) loaded into anchor_mem; the built-in set. The
 * pointers are the caller's and MUST outlive the client. */
typedef struct cs_tls_config {
    int mode;                   /* CS_TLS_VERIFY, _PIN or _INSECURE */
    const br_x509_trust_anchor *anchors;   /* trust exactly these */
    size_t anchor_count;
    const char *ca_file;        /* a PEM file or directory (POSIX) */
    void *anchor_mem;           /* where ca_file or the system bundle */
    size_t anchor_mem_cap;      /* goes (about 72 KB for Debian's) */
    const void *pin_cert;       /* CS_TLS_PIN: the server's certificate, */
    size_t pin_cert_len;        /* PEM or DER */
    int (*unix_time)(void *ctx, int64_t *seconds); /* NULL: system clock */
    void *time_ctx;
} cs_tls_config;

/* Trust anchors loaded into caller memory: the array at the front, names
 * and keys from the back. Never allocates; what does not fit is counted
 * in skipped. */
typedef struct cs_anchors {
    br_x509_trust_anchor *ta;
    size_t count;            /* anchors loaded */
    size_t skipped;          /* certificates that did not fit, or had no
                                usable key */
    unsigned char *mem;
    size_t cap, front, back; /* in use: mem[0..front) and mem[back..cap) */
} cs_anchors;

/* Start an empty set in mem[0..cap) (any alignment). About 430 bytes per
 * anchor on average: Debian's whole bundle (144) takes about 72 KB. */
CSDEF void cs_anchors_init(cs_anchors *a, void *mem, size_t cap);

/* Add every CERTIFICATE in PEM text pem[0..len) (other objects are
 * skipped). Returns the number added, or CS_E_TLS_PEM for text that is
 * not PEM. Duplicates of anchors already in the set are not added. */
CSDEF int cs_anchors_add_pem(cs_anchors *a, const void *pem, size_t len);

/* Bytes of mem in use. */
CSDEF size_t cs_anchors_used(const cs_anchors *a);

/* The compiled-in anchors (ISRG Root X1 and X2, GTS Root R1 and R4: the
 * CAs of Let's Encrypt and Google Trust Services, which cover the public
 * CertStream servers), for devices without a bundle: written into
 * out[0..cap) (the bytes they point to are constant). Returns how many
 * there are (CS_TLS_BUILTIN). */
#define CS_TLS_BUILTIN 4
CSDEF size_t cs_tls_builtin_anchors(br_x509_trust_anchor *out, size_t cap);

/* The TLS transport's state: the BearSSL engine, the X.509 checker and
 * the record buffer. Visible so that the caller can allocate it; treat
 * every field as private. */
typedef struct cs_tls {
    cs_transport inner;       /* the link it runs over */
    br_ssl_client_context sc;
    union {
        br_x509_minimal_context minimal;
        br_x509_knownkey_context known;
        struct {
            const br_x509_class *vtable;
            br_x509_decoder_context dec;
            int certs;
        } any;
    } x;
    int mode;                 /* CS_TLS_VERIFY / PIN / INSECURE */
    const br_x509_trust_anchor *ta;
    size_t ta_count;
    br_x509_pkey pin;
    int (*random)(void *ctx, void *buf, size_t len);
    void *random_ctx;
    int (*unix_time)(void *ctx, int64_t *seconds);
    void *time_ctx;
    int host_ip;              /* the host is an IP literal */
    int started;              /* a handshake was started */
    int notified;             /* close_notify is queued */
    int wfail;                /* a handshake write failed: look for why */
    int hold_len;
    unsigned char hold[6];    /* the tail of the last read, for an alert */
    int done;                 /* the handshake completed */
    int br_err;               /* BearSSL's last error (see cs_tls_errname) */
    unsigned char pin_buf[CS_TLS_PIN_MAX];
    unsigned char buf[CS_TLS_IOBUF];
} cs_tls;

/* Set up TLS 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305: AES first when
 * the CPU has AES-NI) over inner, and fill *out with the TLS transport.
 * random: entropy for BearSSL's DRBG, 32 fresh bytes per connection (its
 * own seeder is not trusted alone). The mode is CS_TLS_VERIFY with no
 * anchor until one of the cs_tls_trust/pin/insecure calls. */
CSDEF void cs_tls_transport(cs_tls *t, const cs_transport *inner,
                            int (*random)(void *ctx, void *buf, size_t len),
                            void *random_ctx, cs_transport *out);
/* Verify against these anchors (they MUST outlive t). */
CSDEF void cs_tls_trust(cs_tls *t, const br_x509_trust_anchor *ta,
                        size_t count);
/* Pin the public key of this certificate (PEM or DER): the server must
 * prove it holds the matching private key. Returns 0 or CS_E_TLS_PEM. */
CSDEF int cs_tls_pin(cs_tls *t, const void *cert, size_t len);
/* Check nothing (tests only). */
CSDEF void cs_tls_insecure(cs_tls *t);
/* The clock for certificate dates: fills *seconds (Unix time) and
 * returns 0. NULL: the system clock (POSIX), or none: every chain then
 * fails with CS_E_TLS_NO_TIME, and only CS_TLS_PIN works. */
CSDEF void cs_tls_clock(cs_tls *t,
                        int (*unix_time)(void *ctx, int64_t *seconds),
                        void *ctx);
/* BearSSL's code for the last failure (0 if none): 1..31 TLS, 32..63
 * X.509, 256 + n an alert received, 512 + n an alert sent. */
CSDEF int cs_tls_last_error(const cs_tls *t);
/* A readable name for a BearSSL code ("certificate expired", ...). */
CSDEF const char *cs_tls_errname(int br_err);

#endif /* CS_HAS_TLS */

/* ==== [3] the client engine ============================================== */

#ifndef CS_IO_CHUNK
#  if CS_HAS_TLS
#    define CS_IO_CHUNK 2048   /* TLS keeps records in its own buffer */
#  else
#    define CS_IO_CHUNK 16384  /* receive buffer: one read at most */
#  endif
#endif
#define CS_IO_MAX 65536        /* the most any transport call moves */
#ifndef CS_SEND_BUF
#  define CS_SEND_BUF 512      /* queued control frames (pongs, close) */
#endif
#if CS_IO_CHUNK < 2048 || CS_SEND_BUF < 262
#  error "need CS_IO_CHUNK >= 2048 (it carries the request), CS_SEND_BUF >= 262"
#endif
#ifndef CS_MAX_HEADERS
#  define CS_MAX_HEADERS 8     /* extra request headers */
#endif

/* Events delivered to cs_config.on_event. */
enum {
    CS_EV_CONNECTING = 1,  /* an attempt starts: url (text, len) */
    CS_EV_CONNECTED,       /* the handshake succeeded */
    CS_EV_MESSAGE,         /* a message parsed: msg (err 0), or it did not:
                              err (CS_E_JSON_*) and offset */
    CS_EV_RAW,             /* a slice of the current message (text, len),
                              when cs_config.raw is set */
    CS_EV_RAW_END,         /* the message is complete and passed every
                              protocol check (opcode: text or binary) */
    CS_EV_REDIRECT,        /* following a redirect to text */
    CS_EV_FAILED,          /* an attempt failed before connecting: err,
                              status (HTTP status, when there was one) */
    CS_EV_DISCONNECTED,    /* a connection ended: err 0 for a close
                              handshake, else why; status: the close code
                              received or sent (1006: none), text: reason */
    CS_EV_RETRY,           /* the next attempt in delay_ms */
    CS_EV_WARNING,         /* text: something the user must know (TLS
                              certificates are not checked, ...) */
    CS_EV_TICK             /* cs_config.tick_ms passed */
};

/* One event; every pointer is valid only during the callback. */
typedef struct cs_event {
    int type;              /* CS_EV_* */
    int err;               /* 0 or a CS_E_* code */
    int status;            /* HTTP status or websocket close code */
    int opcode;            /* CS_WS_OP_TEXT / BINARY for messages */
    int64_t detail;        /* errno for transport errors, or the byte
                              offset of a message's JSON error */
    uint64_t delay_ms;     /* CS_EV_RETRY */
    const cs_msg *msg;     /* CS_EV_MESSAGE with err 0 */
    const char *text;      /* url, location, close reason, raw slice */
    size_t len;
} cs_event;

/* Counters since cs_client_init(). */
typedef struct cs_stats {
    uint64_t messages;     /* data messages received */
    uint64_t by_type[5];   /* parsed messages by CS_MSG_* */
    uint64_t bytes;        /* bytes received (after the handshake) */
    uint64_t parse_errors; /* messages that were not valid JSON objects */
    uint64_t protocol_errors; /* connections failed by us (1002/1007/1009) */
    uint64_t connects;     /* successful handshakes */
    uint64_t reconnects;   /* attempts after the first */
    uint64_t failures;     /* attempts that failed before connecting */
    uint64_t pings_sent, pongs_received, pings_answered;
} cs_stats;

/* The client's settings. cs_config_init() sets every default; change the
 * fields you need before cs_client_init(), which copies the struct. */
typedef struct cs_config {
    const char *url;       /* ws:// or wss:// */
    const char *headers[CS_MAX_HEADERS]; /* extra "Name: value" lines */
    size_t header_count;
    void (*on_event)(void *ctx, const cs_event *ev);
    void *ctx;
    /* Entropy for handshake keys and frame masks: fills buf, returns 0
     * or a negative code. NULL: the operating system's (POSIX builds). */
    int (*random)(void *ctx, void *buf, size_t len);
    void *random_ctx;
    void *dom;             /* domain storage for the extractor (may be */
    size_t dom_cap;        /* NULL/0: domains are counted, not kept) */
    int parse;             /* 1: parse messages (CS_EV_MESSAGE); default 1 */
    int raw;               /* 1: deliver CS_EV_RAW slices; default 0 */
    int reconnect;         /* 1: forever (default); 0: one connection */
    uint64_t max_message;  /* CS_WS_MAX_MESSAGE */
    uint32_t ping_interval_ms;  /* 15000; 0: never ping */
    uint32_t dead_timeout_ms;   /* 45000: nothing received for this long
                                   (pongs included) = dead; 0: never */
    uint32_t connect_timeout_ms; /* 10000: connect + handshake */
    uint32_t close_timeout_ms;  /* 2000: wait for the server's close */
    uint32_t backoff_min_ms;    /* 1000: first retry delay (with jitter) */
    uint32_t backoff_max_ms;    /* 60000: the cap */
    uint32_t healthy_ms;        /* 30000: a connection up this long
                                   resets the backoff */
    int max_redirects;          /* 3 */
    uint32_t tick_ms;           /* 0: none; else a CS_EV_TICK this often
                                   (for periodic work: statistics, ...) */
#if CS_HAS_TLS
    cs_tls_config tls;          /* wss:// trust (see [2b]) */
#endif
} cs_config;

/* Wait instructions from cs_client_step(). */
typedef struct cs_wait {
    int fd;                /* -1: no descriptor, sleep until deadline */
    int want;              /* CS_WANT_READ / CS_WANT_WRITE bits on fd */
    uint64_t deadline_ms;  /* call cs_client_step() again by then at the
                              latest (same clock as now_ms) */
} cs_wait;

/* The client. Visible so that the caller can allocate it (about 30 KB
 * with the default limits); treat every field as private. */
typedef struct cs_client {
    cs_config cfg;
    cs_transport tr;       /* this attempt's: link, or TLS over it */
    cs_transport link;     /* the caller's */
#if CS_HAS_TLS
    cs_transport tls_tr;
    cs_anchors anchors;
    const char *trust;     /* where the anchors came from */
    br_x509_trust_anchor builtin[CS_TLS_BUILTIN];
    cs_tls tls;
#endif
    cs_url url;            /* the current target (after redirects) */
    union {                /* the handshake, then the messages */
        cs_hs hs;
        cs_json json;
    } u;
    cs_ws ws;
    cs_stats stats;
    int phase;
    int result;            /* how the client ended (cs_client_result) */
    int conn_err;          /* why the current connection is ending */
    int close_sent, close_status;
    int redirects;
    int in_msg;            /* a data message is being received */
    uint64_t msg_fed;      /* its bytes so far */
    int peer_closed;       /* the server's close arrived */
    int drop;              /* closing: drop once the queue is out */
    int attempts;
    volatile int stop;     /* set by cs_client_stop() */
    int wake_fd;           /* written by cs_client_stop() when >= 0 */
    void (*wake)(int fd);  /* how (the blocking loop's pipe) */
    uint32_t backoff_ms;
    long retry_after;
    uint64_t now;
    uint64_t t_phase;      /* when the current phase began */
    uint64_t t_rx, t_ping; /* last byte received, last ping sent */
    uint64_t t_retry;      /* when to try again */
    uint64_t t_tick;       /* the last CS_EV_TICK */
    int ticking;
    uint64_t t_connected;
    size_t rlen, roff;     /* unread received bytes: rbuf[roff..rlen) */
    size_t slen, soff;     /* unsent bytes: out[soff..slen) */
    size_t pong_at, pong_len; /* an unsent pong in sbuf (pong_len 0: none) */
    unsigned char *out;    /* rbuf (the request), then sbuf */
    char reason[124];      /* the close reason received */
    size_t reason_len;
    unsigned char rbuf[CS_IO_CHUNK]; /* the request, then what arrives */
    unsigned char sbuf[CS_SEND_BUF]; /* control frames */
} cs_client;

/* Defaults for every setting (see cs_config). */
CSDEF void cs_config_init(cs_config *cfg);

/* Prepare a client. cfg is copied, but the strings it points to (url,
 * headers) and dom MUST outlive the client. t: the transport, copied.
 * Nothing happens on the network until cs_client_step() or cs_run().
 * Returns 0, CS_E_URL for a bad URL, CS_E_NO_TLS for wss:// in a build
 * without TLS, CS_E_ARG for a bad header or setting. */
CSDEF int cs_client_init(cs_client *c, const cs_config *cfg,
                         const cs_transport *t);

/* Do everything that can be done now without blocking: connect, send,
 * receive, deliver events (on_event is called from inside), keep alive,
 * time out, reconnect. now_ms: a monotonic clock in milliseconds.
 * Fills *w with what to wait for before the next call.
 * Returns 0 while running, or 1 when the client has finished (stopped,
 * or its one connection ended with cfg.reconnect 0): see
 * cs_client_result(). Call cs_client_close() after either. */
CSDEF int cs_client_step(cs_client *c, uint64_t now_ms, cs_wait *w);

/* Ask the client to stop: it sends a close (1000), waits up to
 * close_timeout_ms for the server's answer, closes, and finishes. Safe to
 * call from on_event, from another thread and from a signal handler. */
CSDEF void cs_client_stop(cs_client *c);

/* How the client finished: 0 when stopped by cs_client_stop() or when the
 * server closed with 1000; otherwise the error that ended the last
 * connection (CS_E_WS_CLOSED_BY_PEER for another close code). */
CSDEF int cs_client_result(const cs_client *c);
/* The close code of the last connection (1006 if it ended without one). */
CSDEF int cs_client_close_status(const cs_client *c);

/* Counters (messages by type, bytes, reconnects, errors). */
CSDEF const cs_stats *cs_client_stats(const cs_client *c);

/* Release the connection (the transport's close). */
CSDEF void cs_client_close(cs_client *c);

#if CS_HAS_TLS
/* What wss:// trusts: a description ("the built-in anchors", a file
 * path, ...), the number of anchors and the bytes they take in
 * anchor_mem. */
CSDEF const char *cs_client_trust(const cs_client *c, size_t *count,
                                  size_t *bytes);
#endif

/* ==== [4] POSIX: TCP transport, clock, entropy ====== off: _NO_POSIX ==== */
#if CS_HAS_POSIX

#ifndef CS_POSIX_MAX_ADDRS
#  define CS_POSIX_MAX_ADDRS 8  /* resolved addresses tried in turn */
#endif

/* The POSIX TCP transport's state. */
typedef struct cs_posix {
    int fd;
    int connecting;
    int last_errno;        /* errno of the last failure, 0 if none */
    int naddr, cur;
    unsigned char alen[CS_POSIX_MAX_ADDRS];
    unsigned char addr[CS_POSIX_MAX_ADDRS][28]; /* sockaddr_in/_in6 */
} cs_posix;

/* Set up t to use plain TCP through p: getaddrinfo (IPv4 and IPv6, each
 * address in turn on failure), non-blocking sockets, writes that never
 * raise SIGPIPE. */
CSDEF void cs_posix_transport(cs_posix *p, cs_transport *t);
/* The errno of the transport's last failure (0 if none). */
CSDEF int cs_posix_errno(const cs_posix *p);
/* Milliseconds from CLOCK_MONOTONIC. */
CSDEF uint64_t cs_now_ms(void);
/* len bytes from the kernel's CSPRNG (getrandom, arc4random_buf or
 * /dev/urandom). Returns 0 or CS_E_RANDOM. Fits cs_config.random. */
CSDEF int cs_os_random(void *ctx, void *buf, size_t len);

#if CS_HAS_TLS
/* Load the PEM certificates of a file, or of every *.pem and *.crt file
 * (and OpenSSL hash link) in a directory, into a. Returns the number
 * added (duplicates are not), CS_E_TLS_CA_FILE or CS_E_TLS_PEM. */
CSDEF int cs_anchors_load(cs_anchors *a, const char *path);
/* Load the system's CA bundle, probing the usual places of Debian,
 * Ubuntu, Alpine, Fedora/RHEL, openSUSE, the BSDs and macOS; *path (if
 * not NULL) names the file used. Returns the number added or
 * CS_E_TLS_NO_ANCHORS. */
CSDEF int cs_anchors_load_system(cs_anchors *a, const char **path);
#endif

/* ==== [5] the blocking loop ============================================== */

/* Run the client until it finishes: cs_client_step() and poll(), with a
 * wake-up pipe so that cs_client_stop() from another thread or a signal
 * handler takes effect at once. Returns cs_client_result(). */
CSDEF int cs_run(cs_client *c);

/* The same, with its own POSIX TCP transport: the common case.
 *   cs_config cfg; cs_config_init(&cfg); cfg.url = "ws://...";
 *   cfg.on_event = fn; return cs_listen(&client, &cfg);
 * c MUST stay alive until it returns (it is large: make it static). */
CSDEF int cs_listen(cs_client *c, cs_posix *p, const cs_config *cfg);

#endif /* CS_HAS_POSIX */

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

#if CS_HAS_POSIX
#  include <errno.h>
#  include <fcntl.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <poll.h>
#  include <sys/socket.h>
#  include <sys/types.h>
#  include <time.h>
#  include <unistd.h>
#  if defined(__linux__)
#    include <sys/random.h>
#  endif
#  if CS_HAS_TLS
#    include <dirent.h>
#    include <sys/stat.h>
#  endif
#  if defined(__STRICT_ANSI__) && !defined(_POSIX_C_SOURCE) \
      && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) \
      && !defined(_DEFAULT_SOURCE) && !defined(_BSD_SOURCE)
#    error "certstream.h: strict C hides POSIX: define _POSIX_C_SOURCE \
200809L before your first include, or CERTSTREAM_NO_POSIX"
#  endif
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
#  define CS__NOINLINE __attribute__((noinline))
#  define CS__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#  define CS__INLINE
#  define CS__NOINLINE
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

/* The length of a NUL-terminated string (no libc in the core). */
static size_t
cs__strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
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

/* Big-endian loads (network order: TLS, DER, RFC 6962 records). Inline
 * so that a build without their users does not warn. */
static inline uint32_t
cs__load_be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

static inline uint32_t
cs__load_be24(const unsigned char *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[2];
}

static inline uint32_t
cs__load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
         | (uint32_t)p[3];
}

static inline uint64_t
cs__load_be64(const unsigned char *p)
{
    return (uint64_t)cs__load_be32(p) << 32 | cs__load_be32(p + 4);
}

/* ASCII lower case, for the case-insensitive parts of URLs and HTTP. */
static unsigned
cs__lower(unsigned c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* s[0..n) equals the lower-case word w, ignoring case. */
static int
cs__ieq(const char *s, size_t n, const char *w)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (w[i] == '\0' || cs__lower((unsigned char)s[i]) != (unsigned)w[i])
            return 0;
    return w[n] == '\0';
}

/* s[0..n) starts with the lower-case word w, ignoring case. */
static int
cs__iprefix(const char *s, size_t n, const char *w)
{
    size_t i;
    for (i = 0; w[i] != '\0'; i++)
        if (i >= n || cs__lower((unsigned char)s[i]) != (unsigned)w[i])
            return 0;
    return 1;
}

/* Append n bytes of s to out[*o..cap); returns 0 or CS_E_BUFFER. */
static int
cs__put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (n > cap - *o)
        return CS_E_BUFFER;
    CS_MEMCPY(out + *o, s, n);
    *o += n;
    if (*o < cap)
        out[*o] = '\0';              /* a NUL when there is room */
    return 0;
}

/* Append a NUL-terminated string. */
static int
cs__puts(char *out, size_t cap, size_t *o, const char *s)
{
    return cs__put(out, cap, o, s, cs__strlen(s));
}

/* v in decimal, NUL-terminated, at the end of buf; returns its start. */
static const char *
cs__utoa(unsigned v, char buf[12])
{
    char *p = buf + 11;

    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    return p;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12):
 * the era arithmetic of H. Hinnant's days_from_civil. */
static int64_t
cs__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Days in month m (1..12) of year y. */
static int
cs__mdays(int64_t y, int m)
{
    static const unsigned char n[12] = {31, 28, 31, 30, 31, 30, 31, 31,
                                        30, 31, 30, 31};

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return n[m - 1];
}

/* ==== [1] the message: the domain store ================================== */

/* Domain storage layout: names grow up from dom[0], each NUL-terminated;
 * their 4-byte little-endian start offsets grow down from dom[dom_cap],
 * the first domain's last (cs_msg_domain() reads them). Offsets are
 * 32-bit, so dom_cap is clamped to 4 GiB. */

/* Throw away the domains gathered so far (a later list replaces them). */
static void
cs__dom_reset(cs_msg *m)
{
    m->domain_count = 0;
    m->domain_total = 0;
    m->dom_used = 0;
}

/* Room for the next name written in place at cs__dom_tail(): what is
 * left after its NUL and one more index slot; *over is set when not even
 * those fit. */
static size_t
cs__dom_room(const cs_msg *m, unsigned char *over)
{
    size_t used = m->dom_used + 4 * (m->domain_count + 1) + 1;

    *over = used > m->dom_cap;
    return used <= m->dom_cap ? m->dom_cap - used : 0;
}

/* Where the next name goes when written in place. */
static unsigned char *
cs__dom_tail(cs_msg *m)
{
    return m->dom + m->dom_used;
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

CSDEF void
cs_msg_reset(cs_msg *m, void *storage, size_t cap)
{
    CS_ASSERT(m != NULL && (storage != NULL || cap == 0));
    m->type = CS_MSG_NONE;
    m->has = m->bad = m->trunc = 0;
    m->cert_index = 0;
    m->seen = m->timestamp = 0.0;
    m->type_name.len = m->source_url.len = m->source_name.len = 0;
    m->type_name.buf[0] = m->source_url.buf[0] = m->source_name.buf[0] = 0;
    cs__dom_reset(m);
    /* Offsets into the storage are 32-bit. */
    if (cap > 0xffffffffu)
        cap = 0xffffffffu;
    m->dom = (unsigned char *)storage;
    m->dom_cap = cap;
}

CSDEF int
cs_msg_add_domain(cs_msg *m, const void *name, size_t len)
{
    size_t before;

    CS_ASSERT(m != NULL && (name != NULL || len == 0));
    m->has |= CS_F_DOMAINS;
    if (len >= m->dom_cap) {          /* never fits; no overflow below */
        m->domain_total++;
        m->trunc |= CS_F_DOMAINS;
        return CS_E_BUFFER;
    }
    before = m->domain_count;
    cs__dom_add(m, (const unsigned char *)name, len, len);
    return m->domain_count > before ? 0 : CS_E_BUFFER;
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

CSDEF void
cs_json_begin(cs_json *j)
{
    cs_msg_reset(&j->msg, j->msg.dom, j->msg.dom_cap);
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
    cs_msg_reset(&j->msg, dom, dom_cap);
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
    case CS__C_DOMAIN:
        j->cap_max = cs__dom_room(m, &j->cap_over);
        break;
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
        return cs__dom_tail(&j->msg);
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

/* ==== [1c] websocket frames (RFC 6455) ==================================== */

/* SHA-1 block function (FIPS 180-4 6.1.2) over one 64-byte block. */
static void
cs__sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80], a, b, c, d, e, t;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16
             | (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++) {
        t = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = t << 1 | t >> 31;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)
            f = (b & c) | (~b & d), k = 0x5A827999u;
        else if (i < 40)
            f = b ^ c ^ d, k = 0x6ED9EBA1u;
        else if (i < 60)
            f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
        else
            f = b ^ c ^ d, k = 0xCA62C1D6u;
        t = (a << 5 | a >> 27) + f + e + k + w[i];
        e = d, d = c, c = b << 30 | b >> 2, b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

CSDEF void
cs_sha1(const void *data, size_t len, unsigned char out[20])
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t h[5];
    unsigned char tail[128];
    uint64_t bits = (uint64_t)len * 8;
    size_t n, i;

    h[0] = 0x67452301u, h[1] = 0xEFCDAB89u, h[2] = 0x98BADCFEu;
    h[3] = 0x10325476u, h[4] = 0xC3D2E1F0u;
    for (; len >= 64; p += 64, len -= 64)
        cs__sha1_block(h, p);
    /* Padding: 0x80, zeros, then the bit length, in one or two blocks. */
    CS_MEMSET(tail, 0, sizeof tail);
    if (len > 0)
        CS_MEMCPY(tail, p, len);
    tail[len] = 0x80;
    n = len < 56 ? 64 : 128;
    for (i = 0; i < 8; i++)
        tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
    cs__sha1_block(h, tail);
    if (n == 128)
        cs__sha1_block(h, tail + 64);
    for (i = 0; i < 20; i++)
        out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

CSDEF size_t
cs_base64(const void *data, size_t len, char *out)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)data;
    size_t i, o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = a[(v >> 6) & 63];
        out[o++] = a[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)p[i + 1] << 8;
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = i + 1 < len ? a[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

/* UTF-8 (RFC 3629 section 4), one byte at a time: the allowed range of
 * the next continuation byte rules out overlongs, surrogates and values
 * above U+10FFFF at the first byte that makes them so. Returns 0 or -1. */
static int
cs__utf8_byte(cs__utf8 *u, unsigned c)
{
    if (u->need > 0) {
        if (c < u->lo || c > u->hi)
            return -1;
        u->need--;
        u->lo = 0x80, u->hi = 0xBF;
        return 0;
    }
    if (c < 0x80)
        return 0;
    if (c < 0xC2)
        return -1;                          /* continuation, or overlong */
    u->lo = 0x80, u->hi = 0xBF;
    if (c < 0xE0) {
        u->need = 1;
    } else if (c < 0xF0) {
        u->need = 2;
        if (c == 0xE0)
            u->lo = 0xA0;                   /* overlong */
        else if (c == 0xED)
            u->hi = 0x9F;                   /* surrogates */
    } else if (c < 0xF5) {
        u->need = 3;
        if (c == 0xF0)
            u->lo = 0x90;                   /* overlong */
        else if (c == 0xF4)
            u->hi = 0x8F;                   /* above U+10FFFF */
    } else {
        return -1;
    }
    return 0;
}

/* Validate p[0..n) as the continuation of a UTF-8 stream. Returns n, or
 * the index of the first byte that cannot start or continue a sequence.
 * ASCII, nearly all of the feed, goes 16 (or 8) bytes a step. */
static size_t
cs__utf8_scan(cs__utf8 *u, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (u->need == 0) {
#if CS__SSE2
            while (i + 16 <= n
                   && _mm_movemask_epi8(_mm_loadu_si128(
                          (const __m128i *)(const void *)(p + i))) == 0)
                i += 16;
#else
            uint64_t w;
            while (i + 8 <= n) {
                CS_MEMCPY(&w, p + i, 8);
                if (w & 0x8080808080808080u)
                    break;
                i += 8;
            }
#endif
            while (i < n && p[i] < 0x80)
                i++;
            if (i == n)
                break;
        }
        if (cs__utf8_byte(u, p[i]) != 0)
            return i;
        i++;
    }
    return n;
}

#if CS__SSE2
/* 1 when p[0..n) (n >= 16) is all ASCII: 64 bytes a step, then the last
 * < 64 bytes as overlapping 16-byte loads ending at n; no byte loop and
 * one data-dependent exit. */
static CS__INLINE int
cs__ascii16(const unsigned char *p, size_t n)
{
    size_t i = 0, e = n - 16, a1, a2, a3;
    __m128i v;

    for (; n - i >= 64; i += 64) {
        const __m128i *q = (const __m128i *)(const void *)(p + i);
        __m128i a = _mm_or_si128(_mm_loadu_si128(q), _mm_loadu_si128(q + 1));
        __m128i b = _mm_or_si128(_mm_loadu_si128(q + 2),
                                 _mm_loadu_si128(q + 3));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0)
            return 0;
    }
    a1 = n - i >= 16 ? i : e;
    a2 = i + 16 < e ? i + 16 : e;
    a3 = i + 32 < e ? i + 32 : e;
    v = _mm_or_si128(
        _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + a1)),
                     _mm_loadu_si128((const __m128i *)(const void *)(p + a2))),
        _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + a3)),
                     _mm_loadu_si128((const __m128i *)(const void *)(p + e))));
    return _mm_movemask_epi8(v) == 0;
}
#endif

/* Decoder states: header bytes, extended length, payload, and the END
 * owed after a message's last slice. */
enum { CS__WS_B0, CS__WS_B1, CS__WS_EXT, CS__WS_PAY, CS__WS_FIN };

/* Keep the first error; every later call reports it again. */
static int
cs__ws_fail(cs_ws *ws, int err)
{
    if (ws->err == 0)
        ws->err = err;
    return ws->err;
}

CSDEF void
cs_ws_init(cs_ws *ws, uint64_t max_message)
{
    CS_MEMSET(ws, 0, sizeof *ws);
    ws->max_msg = max_message ? max_message : CS_WS_MAX_MESSAGE;
}

CSDEF int
cs_ws_status_valid(int s)
{
    /* RFC 6455 7.4.1 and the IANA registry: 1004-1006 and 1015 are never
     * sent; 1016-2999 are unassigned; 3000-4999 are for applications. */
    return (s >= 1000 && s <= 1003) || (s >= 1007 && s <= 1014)
        || (s >= 3000 && s <= 4999);
}

/* One byte of a close frame's payload (5.5.1): the status, checked when
 * its second byte arrives, then a UTF-8 reason, checked byte by byte, so
 * that an error points at the byte that causes it. */
static int
cs__ws_close_byte(cs_ws *ws, unsigned b)
{
    if (ws->ctl_len == 1 && !cs_ws_status_valid(ws->ctl[0] << 8 | (int)b))
        return CS_E_WS_CLOSE_STATUS;
    if (ws->ctl_len >= 2 && cs__utf8_byte(&ws->cu8, b) != 0)
        return CS_E_WS_CLOSE_UTF8;
    ws->ctl[ws->ctl_len++] = (unsigned char)b;
    return 0;
}

/* A control frame's payload is complete: check it and name the event. */
static int
cs__ws_control(cs_ws *ws)
{
    ws->data = ws->ctl;
    ws->data_len = ws->ctl_len;
    if (ws->op == CS_WS_OP_PING)
        return CS_WS_PING;
    if (ws->op == CS_WS_OP_PONG)
        return CS_WS_PONG;
    /* Close (5.5.1): empty, or a 2-byte code and a UTF-8 reason. */
    if (ws->ctl_len == 1)
        return cs__ws_fail(ws, CS_E_WS_CLOSE_LEN);
    ws->close_status = 1005;
    if (ws->ctl_len >= 2) {
        if (ws->cu8.need != 0)        /* the reason ends mid-character */
            return cs__ws_fail(ws, CS_E_WS_CLOSE_UTF8);
        ws->close_status = ws->ctl[0] << 8 | ws->ctl[1];
        ws->data = ws->ctl + 2;
        ws->data_len = ws->ctl_len - 2;
    }
    ws->closed = 1;
    return CS_WS_CLOSE;
}

/* The frame header is complete (5.2): check the length, then start the
 * payload. Returns 0 or an error. */
static int
cs__ws_header_done(cs_ws *ws)
{
    if (ws->op >= 8)
        ws->ctl_len = 0, ws->cu8.need = 0;
    else if (ws->left > ws->max_msg - ws->msg_len)
        return CS_E_WS_TOO_BIG;       /* 10.4: on the header, before data */
    ws->st = CS__WS_PAY;
    return 0;
}

/* Byte 0: FIN, RSV1-3, opcode; every rule that needs only this byte. */
static int
cs__ws_byte0(cs_ws *ws, unsigned b)
{
    unsigned op = b & 0x0f;

    if (b & 0x70)
        return CS_E_WS_RSV;           /* 5.2: no extension was negotiated */
    if ((op > 2 && op < 8) || op > 10)
        return CS_E_WS_OPCODE;        /* 5.2: reserved opcodes */
    if (op >= 8 && !(b & 0x80))
        return CS_E_WS_CTL_FRAG;      /* 5.5: control frames are whole */
    if (op == CS_WS_OP_CONT && ws->msg_op == 0)
        return CS_E_WS_CONT;          /* 5.4: nothing to continue */
    if ((op == CS_WS_OP_TEXT || op == CS_WS_OP_BINARY) && ws->msg_op != 0)
        return CS_E_WS_NESTED;        /* 5.4: the open message comes first */
    ws->fin = (unsigned char)(b >> 7);
    ws->op = (unsigned char)op;
    if (op == CS_WS_OP_TEXT || op == CS_WS_OP_BINARY) {
        ws->msg_op = (unsigned char)op;
        ws->msg_len = 0;
        ws->u8.need = 0;
        ws->check_msg = (unsigned char)!ws->skip_utf8;
    }
    return 0;
}

/* Byte 1: MASK and the 7-bit length. */
static int
cs__ws_byte1(cs_ws *ws, unsigned b)
{
    if (b & 0x80)
        return CS_E_WS_MASKED;        /* 5.1: servers never mask */
    b &= 0x7f;
    if (ws->op >= 8 && b > 125)
        return CS_E_WS_CTL_LEN;       /* 5.5: control payload <= 125 */
    if (ws->op == CS_WS_OP_CLOSE && b == 1)
        return CS_E_WS_CLOSE_LEN;     /* 5.5.1: a code takes 2 bytes */
    ws->left = 0;
    ws->hn = 0;
    if (b >= 126) {
        ws->hn = ws->ext = b == 126 ? 2 : 8;
        ws->st = CS__WS_EXT;
        return 0;
    }
    ws->left = b;
    return cs__ws_header_done(ws);
}

/* A whole, valid data-frame header at p[0..n): decode it at once and
 * return its size; 0 for anything else (a control frame, a header cut by
 * the end of the input, any error), which the byte-wise path then takes,
 * so errors and their offsets stay exactly as before. */
static size_t
cs__ws_head(cs_ws *ws, const unsigned char *p, size_t n)
{
    unsigned b0, b1, op;
    uint64_t len;
    size_t h = 2;

    if (n < 2)
        return 0;
    b0 = p[0], b1 = p[1], op = b0 & 0x0f;
    if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0)
        return 0;
    if (op == CS_WS_OP_CONT ? ws->msg_op == 0
        : (op != CS_WS_OP_TEXT && op != CS_WS_OP_BINARY) || ws->msg_op != 0)
        return 0;
    len = b1;
    if (b1 == 126) {
        if (n < 4)
            return 0;
        len = (uint64_t)p[2] << 8 | p[3];
        if (len < 126)
            return 0;
        h = 4;
    } else if (b1 == 127) {
        int k;
        if (n < 10 || (p[2] & 0x80) != 0)
            return 0;
        for (len = 0, k = 2; k < 10; k++)
            len = len << 8 | p[k];
        if (len < 65536)
            return 0;
        h = 10;
    }
    if (len > ws->max_msg - (op == CS_WS_OP_CONT ? ws->msg_len : 0))
        return 0;
    ws->fin = (unsigned char)(b0 >> 7);
    ws->op = (unsigned char)op;
    if (op != CS_WS_OP_CONT) {
        ws->msg_op = (unsigned char)op;
        ws->msg_len = 0;
        ws->u8.need = 0;
        ws->check_msg = (unsigned char)!ws->skip_utf8;
    }
    ws->left = len;
    ws->hn = 0;
    ws->st = CS__WS_PAY;
    ws->off += h;
    return h;
}

/* The payload of a data frame: validate text, hand out a slice. */
static int
cs__ws_data(cs_ws *ws, const unsigned char *p, size_t n, size_t *i)
{
    size_t take = ws->left < (uint64_t)n ? (size_t)ws->left : n;

    if (ws->msg_op == CS_WS_OP_TEXT && ws->check_msg
#if CS__SSE2
        && !(ws->u8.need == 0 && take >= 16 && cs__ascii16(p, take))
#endif
       ) {
        size_t ok = cs__utf8_scan(&ws->u8, p, take);
        if (ok < take) {
            *i += ok;                 /* 8.1: fail at the first bad byte */
            ws->off += ok;
            return CS_E_WS_UTF8;
        }
    }
    ws->data = p;
    ws->data_len = take;
    ws->left -= take;
    ws->msg_len += take;
    *i += take;
    ws->off += take;
    if (ws->left == 0)
        ws->st = ws->fin ? CS__WS_FIN : CS__WS_B0;
    return take > 0 ? CS_WS_DATA : 0;
}

/* The message's last frame ended: text must end on a whole character. */
static int
cs__ws_end(cs_ws *ws)
{
    if (ws->msg_op == CS_WS_OP_TEXT && ws->check_msg && ws->u8.need != 0)
        return CS_E_WS_UTF8;
    ws->data = ws->ctl;
    ws->data_len = 0;
    ws->st = CS__WS_B0;
    ws->fin = 0;
    ws->op = ws->msg_op;              /* cs_ws_opcode() still answers */
    ws->msg_op = 0;
    return CS_WS_END;
}

/* cs_ws_feed() past its two cheap cases (kept out of line so that they
 * do not pay for this loop's registers). */
static CS__NOINLINE int
cs__ws_run(cs_ws *ws, const unsigned char *data, size_t len, size_t *used)
{
    size_t i = 0;
    int r = 0;

    while (r == 0) {
        if (ws->st == CS__WS_FIN) {
            r = cs__ws_end(ws);
            break;
        }
        if (ws->st == CS__WS_PAY && ws->left == 0) {
            if (ws->op < 8) {             /* an empty data frame */
                ws->st = ws->fin ? CS__WS_FIN : CS__WS_B0;
                continue;
            }
            ws->st = CS__WS_B0;
            r = cs__ws_control(ws);
            break;
        }
        if (i == len)
            break;
        if (ws->closed) {
            r = CS_E_WS_AFTER_CLOSE;      /* 5.5.1: close is the last */
            break;
        }
        switch (ws->st) {
        case CS__WS_B0: {
            size_t h = cs__ws_head(ws, data + i, len - i);
            if (h != 0) {
                i += h;
                break;
            }
            r = cs__ws_byte0(ws, data[i]);
            if (r == 0)
                ws->st = CS__WS_B1, i++, ws->off++;
            break;
        }
        case CS__WS_B1:
            r = cs__ws_byte1(ws, data[i]);
            if (r == 0)
                i++, ws->off++;
            break;
        case CS__WS_EXT:
            /* 5.2: big-endian length, top bit 0, in its shortest form. */
            if (ws->ext == 8 && ws->hn == 8 && (data[i] & 0x80)) {
                r = CS_E_WS_LEN64;
                break;
            }
            ws->left = ws->left << 8 | data[i];
            if (--ws->hn > 0) {
                i++, ws->off++;
                break;
            }
            /* The last length byte: an error points at it. */
            if (ws->left < (ws->ext == 2 ? 126u : 65536u))
                r = CS_E_WS_LEN_MINIMAL;
            else
                r = cs__ws_header_done(ws);
            if (r == 0)
                i++, ws->off++;
            break;
        default:                          /* CS__WS_PAY */
            if (ws->op < 8) {
                r = cs__ws_data(ws, data + i, len - i, &i);
            } else if (ws->op == CS_WS_OP_CLOSE) {
                r = cs__ws_close_byte(ws, data[i]);
                if (r == 0)
                    i++, ws->off++, ws->left--;
            } else {
                size_t take = ws->left < (uint64_t)(len - i)
                            ? (size_t)ws->left : len - i;
                CS_MEMCPY(ws->ctl + ws->ctl_len, data + i, take);
                ws->ctl_len += take;
                ws->left -= take;
                i += take;
                ws->off += take;
            }
            break;
        }
    }
    *used = i;
    return r < 0 ? cs__ws_fail(ws, r) : r;
}

CSDEF int
cs_ws_feed(cs_ws *ws, const unsigned char *data, size_t len, size_t *used)
{
    CS_ASSERT(ws != NULL && used != NULL && (data != NULL || len == 0));
    *used = 0;
    if (ws->err != 0)
        return ws->err;
    if (ws->st == CS__WS_FIN) {       /* the END owed after the last slice */
        int r = cs__ws_end(ws);
        return r < 0 ? cs__ws_fail(ws, r) : r;
    }
    return cs__ws_run(ws, data, len, used);
}

CSDEF void
cs_ws_skip_utf8(cs_ws *ws, int skip)
{
    ws->skip_utf8 = (unsigned char)(skip != 0);
}

CSDEF const unsigned char *
cs_ws_payload(const cs_ws *ws, size_t *len)
{
    if (len != NULL)
        *len = ws->data_len;
    return ws->data;
}

CSDEF int
cs_ws_opcode(const cs_ws *ws)
{
    return ws->msg_op != 0 ? ws->msg_op : ws->op;
}

CSDEF int
cs_ws_close_status(const cs_ws *ws)
{
    return ws->close_status;
}

CSDEF uint64_t
cs_ws_offset(const cs_ws *ws)
{
    return ws->off;
}

CSDEF int
cs_ws_fail_status(int err)
{
    switch (err) {
    case CS_E_WS_UTF8:
    case CS_E_WS_CLOSE_UTF8:
        return 1007;
    case CS_E_WS_TOO_BIG:
        return 1009;
    default:
        return err <= -60 && err >= -79 ? 1002 : 1011;
    }
}

/* Mask payload into out with key, 8 bytes a step (RFC 6455 5.3). */
static void
cs__ws_mask(unsigned char *out, const unsigned char *p, size_t n,
            const unsigned char key[4])
{
    size_t i = 0;
    uint64_t k, w;
    unsigned char k8[8];

    for (i = 0; i < 8; i++)
        k8[i] = key[i & 3];
    CS_MEMCPY(&k, k8, 8);
    for (i = 0; i + 8 <= n; i += 8) {
        CS_MEMCPY(&w, p + i, 8);
        w ^= k;
        CS_MEMCPY(out + i, &w, 8);
    }
    for (; i < n; i++)
        out[i] = (unsigned char)(p[i] ^ key[i & 3]);
}

CSDEF size_t
cs_ws_frame(unsigned char *out, size_t cap, int opcode, const void *payload,
            size_t len, const unsigned char key[4])
{
    size_t h = len < 126 ? 2 : len < 65536 ? 4 : 10, i;

    if ((opcode > 2 && opcode < 8) || opcode > 10 || opcode < 0
        || (opcode >= 8 && len > 125) || cap < h + 4 || cap - h - 4 < len)
        return 0;
    out[0] = (unsigned char)(0x80 | opcode);
    if (h == 2) {
        out[1] = (unsigned char)(0x80 | len);
    } else if (h == 4) {
        out[1] = 0x80 | 126;
        out[2] = (unsigned char)(len >> 8);
        out[3] = (unsigned char)len;
    } else {
        out[1] = 0x80 | 127;
        for (i = 0; i < 8; i++)
            out[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
    CS_MEMCPY(out + h, key, 4);
    if (len > 0)
        cs__ws_mask(out + h + 4, (const unsigned char *)payload, len, key);
    return h + 4 + len;
}

CSDEF size_t
cs_ws_close_frame(unsigned char *out, size_t cap, int status,
                  const char *reason, size_t reason_len,
                  const unsigned char key[4])
{
    unsigned char p[125];

    if (status == 0)
        return cs_ws_frame(out, cap, CS_WS_OP_CLOSE, NULL, 0, key);
    if (!cs_ws_status_valid(status))
        return 0;
    if (reason_len > 123) {
        /* Cut before a continuation byte: whole characters only. */
        reason_len = 123;
        while (reason_len > 0
               && ((unsigned char)reason[reason_len] & 0xC0) == 0x80)
            reason_len--;
    }
    p[0] = (unsigned char)(status >> 8);
    p[1] = (unsigned char)status;
    if (reason_len > 0)
        CS_MEMCPY(p + 2, reason, reason_len);
    return cs_ws_frame(out, cap, CS_WS_OP_CLOSE, p, reason_len + 2, key);
}

/* ==== [1d] URLs =========================================================== */

/* Bytes allowed in a path or query: visible ASCII but '#' (a fragment is
 * never sent, RFC 6455 3). Spaces, controls and raw 8-bit bytes are not
 * (they must be percent-encoded). */
static int
cs__url_pathc(unsigned c)
{
    return c > 0x20 && c < 0x7f && c != '#';
}

/* Set u's path from p[0..n): "" becomes "/", a bare "?q" gets its '/'. */
static int
cs__url_path(cs_url *u, const char *p, size_t n)
{
    size_t i, o = 0;

    if (n == 0 || p[0] != '/')
        u->path[o++] = '/';
    if (n >= sizeof u->path - o)
        return CS_E_URL;
    for (i = 0; i < n; i++) {
        if (!cs__url_pathc((unsigned char)p[i]))
            return CS_E_URL;
        u->path[o++] = p[i];
    }
    u->path[o] = '\0';
    return 0;
}

/* s[0..n) is an IPv4 dotted quad (RFC 3986 3.2.2 dec-octets). */
static int
cs__ipv4_ok(const char *s, size_t n)
{
    size_t i = 0;
    int parts = 0;

    while (parts < 4) {
        unsigned v = 0, d = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4)
            v = v * 10 + (unsigned)(s[i++] - '0'), d++;
        if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
            return 0;
        if (++parts < 4 && (i == n || s[i++] != '.'))
            return 0;
    }
    return i == n;
}

/* s[0..n) is an IPv6 address (RFC 3986 3.2.2 IPv6address): eight groups
 * of 1-4 hex digits, one "::" standing for one or more zero groups, and
 * optionally an IPv4 quad as the last two. No zone identifier. */
static int
cs__ipv6_ok(const char *s, size_t n)
{
    size_t i = 0;
    int groups = 0, gap = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':')
        gap = 1, i = 2;
    else if (n > 0 && s[0] == ':')
        return 0;
    while (i < n) {
        size_t st = i;
        unsigned d = 0;
        while (i < n && d < 5 && ((s[i] >= '0' && s[i] <= '9')
                                  || (cs__lower((unsigned char)s[i]) >= 'a'
                                      && cs__lower((unsigned char)s[i])
                                             <= 'f')))
            i++, d++;
        if (i < n && s[i] == '.') {   /* the IPv4 tail */
            if (!cs__ipv4_ok(s + st, n - st))
                return 0;
            groups += 2;
            i = n;
            break;
        }
        if (d == 0 || d > 4)
            return 0;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (gap)
                return 0;             /* one "::" at most */
            gap = 1;
            i++;
        } else if (i == n) {
            return 0;                 /* a trailing single ':' */
        }
    }
    return gap ? groups <= 7 : groups == 8;
}

/* The authority "host[:port]" or "[v6]:port" (RFC 3986 3.2), no userinfo. */
static int
cs__url_authority(cs_url *u, const char *a, size_t n)
{
    size_t hs = 0, he, i;
    unsigned long port = 0;

    u->ipv6 = 0;
    if (n > 0 && a[0] == '[') {
        for (he = 1; he < n && a[he] != ']'; he++)
            ;
        if (he == n || !cs__ipv6_ok(a + 1, he - 1))
            return CS_E_URL;
        hs = 1;
        u->ipv6 = 1;
        i = he + 1;
    } else {
        for (he = 0; he < n && a[he] != ':'; he++) {
            unsigned c = cs__lower((unsigned char)a[he]);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                  || c == '-' || c == '.' || c == '_'))
                return CS_E_URL;
        }
        if (he == 0)
            return CS_E_URL;
        i = he;
    }
    if (he - hs >= sizeof u->host)
        return CS_E_URL;
    for (u->port_given = 0; hs < he; hs++)
        u->host[u->port_given++] = (char)cs__lower((unsigned char)a[hs]);
    u->host[u->port_given] = '\0';
    u->port_given = 0;
    if (i == n)
        return 0;
    if (a[i] != ':' || i + 1 == n || n - i > 6)
        return CS_E_URL;
    for (i++; i < n; i++) {
        if (a[i] < '0' || a[i] > '9')
            return CS_E_URL;
        port = port * 10 + (unsigned long)(a[i] - '0');
    }
    if (port == 0 || port > 65535)
        return CS_E_URL;
    u->port = (unsigned)port;
    u->port_given = 1;
    return 0;
}

CSDEF int
cs_url_parse(cs_url *u, const char *s, size_t len)
{
    size_t i, a;

    CS_ASSERT(u != NULL && (s != NULL || len == 0));
    if (cs__iprefix(s, len, "ws://"))
        u->scheme = CS_URL_WS, a = 5;
    else if (cs__iprefix(s, len, "wss://"))
        u->scheme = CS_URL_WSS, a = 6;
    else if (cs__iprefix(s, len, "http://"))
        u->scheme = CS_URL_HTTP, a = 7;
    else if (cs__iprefix(s, len, "https://"))
        u->scheme = CS_URL_HTTPS, a = 8;
    else
        return CS_E_URL;
    u->tls = u->scheme & 1;
    u->port = u->tls ? 443 : 80;
    for (i = a; i < len && s[i] != '/' && s[i] != '?'; i++)
        if (s[i] == '@' || s[i] == '#')
            return CS_E_URL;          /* userinfo, fragment */
    if (cs__url_authority(u, s + a, i - a) != 0)
        return CS_E_URL;
    return cs__url_path(u, s + i, len - i);
}

CSDEF int
cs_url_resolve(cs_url *u, const char *loc, size_t len)
{
    cs_url t;
    size_t i, dir;
    char buf[CS_URL_MAX];

    CS_ASSERT(u != NULL && (loc != NULL || len == 0));
    t = *u;
    if ((cs__iprefix(loc, len, "http://") || cs__iprefix(loc, len, "https://"))
        && u->scheme >= CS_URL_HTTP) {
        if (cs_url_parse(&t, loc, len) != 0)
            return CS_E_URL;
    } else if (cs__iprefix(loc, len, "http://")
               || cs__iprefix(loc, len, "https://")) {
        /* RFC 6455 3: http(s) redirects mean ws(s). */
        if (len - 4 + 2 > sizeof buf)
            return CS_E_URL;
        buf[0] = 'w', buf[1] = 's';
        CS_MEMCPY(buf + 2, loc + 4, len - 4);
        if (cs_url_parse(&t, buf, len - 4 + 2) != 0)
            return CS_E_URL;
    } else if (cs__iprefix(loc, len, "ws://")
               || cs__iprefix(loc, len, "wss://")) {
        if (u->scheme >= CS_URL_HTTP || cs_url_parse(&t, loc, len) != 0)
            return CS_E_URL;
    } else if (len >= 2 && loc[0] == '/' && loc[1] == '/') {
        /* A network-path reference keeps the scheme. */
        for (i = 2; i < len && loc[i] != '/' && loc[i] != '?'; i++)
            if (loc[i] == '@' || loc[i] == '#')
                return CS_E_URL;
        t.port = t.tls ? 443 : 80;
        if (cs__url_authority(&t, loc + 2, i - 2) != 0
            || cs__url_path(&t, loc + i, len - i) != 0)
            return CS_E_URL;
    } else if (len > 0 && loc[0] == '/') {
        if (cs__url_path(&t, loc, len) != 0)
            return CS_E_URL;
    } else if (len > 0 && loc[0] == '?') {
        /* A new query for the same path (RFC 3986 5.2.2). */
        for (i = 0; u->path[i] != '\0' && u->path[i] != '?'; i++)
            ;
        if (i + len >= sizeof buf)
            return CS_E_URL;
        CS_MEMCPY(buf, u->path, i);
        CS_MEMCPY(buf + i, loc, len);
        if (cs__url_path(&t, buf, i + len) != 0)
            return CS_E_URL;
    } else {
        /* A relative path replaces the base's last segment. A colon in
         * its first segment would make it a scheme (RFC 3986 4.2). */
        for (i = 0; i < len && loc[i] != '/' && loc[i] != '?'; i++)
            if (loc[i] == ':')
                return CS_E_URL;
        for (dir = 0, i = 0; u->path[i] != '\0' && u->path[i] != '?'; i++)
            if (u->path[i] == '/')
                dir = i + 1;
        if (len == 0 || dir + len >= sizeof buf)
            return CS_E_URL;
        CS_MEMCPY(buf, u->path, dir);
        CS_MEMCPY(buf + dir, loc, len);
        if (cs__url_path(&t, buf, dir + len) != 0)
            return CS_E_URL;
    }
    *u = t;
    return 0;
}

/* The authority as a Host header has it (RFC 6455 4.1): the host, in
 * brackets when IPv6, and ":port" only when not the scheme's default. */
static int
cs__put_authority(char *out, size_t cap, size_t *o, const cs_url *u)
{
    char num[12];
    int r = 0;

    r |= cs__puts(out, cap, o, u->ipv6 ? "[" : "");
    r |= cs__puts(out, cap, o, u->host);
    r |= cs__puts(out, cap, o, u->ipv6 ? "]" : "");
    if (u->port != (u->tls ? 443u : 80u)) {
        r |= cs__puts(out, cap, o, ":");
        r |= cs__puts(out, cap, o, cs__utoa(u->port, num));
    }
    return r;
}

/* ==== [1e] HTTP/1.1 responses (RFC 9112) ================================= */

/* RFC 7230 3.2.6 token characters, for header names. */
static int
cs__tchar(unsigned c)
{
    const char *x = "!#$%&'*+-.^_`|~";

    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z'))
        return 1;
    for (; *x != '\0'; x++)
        if ((unsigned char)*x == c)
            return 1;
    return 0;
}

/* Parser states. The head and the trailer share the line machinery. */
enum {
    CS__H_STATUS,     /* the status line */
    CS__H_FIELDS,     /* header field lines, up to the empty line */
    CS__H_LENGTH,     /* Content-Length body bytes */
    CS__H_UNTIL,      /* body bytes until the link ends */
    CS__H_CSIZE,      /* chunk size: hex digits */
    CS__H_CEXT,       /* after the size: extensions up to the line end */
    CS__H_CLF,        /* a CR ended the chunk size line: LF must follow */
    CS__H_CDATA,      /* chunk data */
    CS__H_CDCR,       /* after the data: CR or LF */
    CS__H_CDLF,       /* after the data and a CR: LF */
    CS__H_TRAILER,    /* trailer field lines, up to the empty line */
    CS__H_DONE
};

/* Connection tokens seen (cs_http.conn). */
#define CS__HTTP_CLOSE 0x01u
#define CS__HTTP_KEEP  0x02u

/* Keep the first error; every later call reports it again. */
static int
cs__http_fail(cs_http *h, int err)
{
    if (h->err == 0)
        h->err = err;
    return h->err;
}

/* Trim optional whitespace (RFC 9110 5.6.3) off both ends of v[0..*n). */
static const char *
cs__ows(const char *v, size_t *n)
{
    while (*n > 0 && (v[0] == ' ' || v[0] == '\t'))
        v++, (*n)--;
    while (*n > 0 && (v[*n - 1] == ' ' || v[*n - 1] == '\t'))
        (*n)--;
    return v;
}

/* The next element of a comma-separated list (RFC 9110 5.6.1) at
 * v[*i..n): its bytes without surrounding whitespace in *e; *i moves past
 * the comma. */
static const char *
cs__list_next(const char *v, size_t n, size_t *i, size_t *e)
{
    size_t s = *i;

    while (*i < n && v[*i] != ',')
        (*i)++;
    *e = *i - s;
    (*i)++;
    return cs__ows(v + s, e);
}

/* Does the token list v[0..n) hold the lower-case token w? */
static int
cs__list_has(const char *v, size_t n, const char *w)
{
    size_t i = 0, e;

    while (i < n) {
        const char *t = cs__list_next(v, n, &i, &e);
        if (cs__ieq(t, e, w))
            return 1;
    }
    return 0;
}

/* Content-Length (RFC 9112 6.3 item 5): 1*DIGIT, or a list of equal
 * values; a value that disagrees with an earlier one is an error. */
static int
cs__http_clen(cs_http *h, const char *v, size_t n)
{
    size_t i = 0, e, k;

    if (n == 0 || v[n - 1] == ',')
        return CS_E_HTTP_LENGTH;      /* no empty elements in framing */
    while (i < n) {
        const char *t = cs__list_next(v, n, &i, &e);
        uint64_t x = 0;
        if (e == 0)
            return CS_E_HTTP_LENGTH;
        for (k = 0; k < e; k++) {
            if (t[k] < '0' || t[k] > '9' || x > (UINT64_MAX >> 1) / 10)
                return CS_E_HTTP_LENGTH;  /* also over 2^63 */
            x = x * 10 + (uint64_t)(t[k] - '0');
        }
        if (x > (UINT64_MAX >> 1) || (h->has_len && x != h->clen))
            return CS_E_HTTP_LENGTH;
        h->clen = x;
        h->has_len = 1;
    }
    return 0;
}

/* Transfer-Encoding (RFC 9112 6.1): we only take "chunked", once, as the
 * only coding (we never ask for others with TE). */
static int
cs__http_te(cs_http *h, const char *v, size_t n)
{
    size_t i = 0, e;

    while (i < n) {
        const char *t = cs__list_next(v, n, &i, &e);
        if (e == 0)
            continue;
        if (!cs__ieq(t, e, "chunked") || h->te != 0)
            return CS_E_HTTP_TRANSFER;
        h->te = 1;
    }
    return h->te ? 0 : CS_E_HTTP_TRANSFER;
}

/* Content-Encoding (RFC 9110 8.4): identity, or gzip once. */
static int
cs__http_ce(cs_http *h, const char *v, size_t n)
{
    size_t i = 0, e;

    while (i < n) {
        const char *t = cs__list_next(v, n, &i, &e);
        if (e == 0 || cs__ieq(t, e, "identity"))
            continue;
        if ((!cs__ieq(t, e, "gzip") && !cs__ieq(t, e, "x-gzip"))
            || h->coding == CS_HTTP_GZIP)
            return CS_E_HTTP_CODING;
        h->coding = CS_HTTP_GZIP;
    }
    return 0;
}

/* n digits at s as a number, or -1. */
static int
cs__dnum(const char *s, size_t n)
{
    int v = 0;

    while (n-- > 0) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    return v;
}

/* "Jan".."Dec" (case-sensitive, RFC 9110 5.6.7) as 1..12, else 0. */
static int
cs__month(const char *s)
{
    static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int i;

    for (i = 0; i < 12; i++)
        if (cs__eq(s, m + 3 * i, 3))
            return i + 1;
    return 0;
}

/* A day name: the three-letter form, or the long one when lng. */
static int
cs__wkday(const char *s, size_t n, int lng)
{
    static const char *const d[] = {"Monday", "Tuesday", "Wednesday",
        "Thursday", "Friday", "Saturday", "Sunday"};
    int i;

    for (i = 0; i < 7; i++) {
        size_t k = lng ? cs__strlen(d[i]) : 3;
        if (n == k && cs__eq(s, d[i], k))
            return 1;
    }
    return 0;
}

/* "HH:MM:SS" as seconds of the day (a leap second 60 allowed), or -1. */
static long
cs__hms(const char *s)
{
    int hh = cs__dnum(s, 2), mm = cs__dnum(s + 3, 2), ss = cs__dnum(s + 6, 2);

    if (s[2] != ':' || s[5] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59
        || ss < 0 || ss > 60)
        return -1;
    return (long)hh * 3600 + mm * 60 + ss;
}

/* An HTTP-date (RFC 9110 5.6.7) to Unix time: IMF-fixdate
 * "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37
 * GMT" (*yy2 = yy, the year taken as 1900 + yy; else -1), or
 * asctime "Sun Nov  6 08:49:37 1994". Returns 0 or -1. */
static int
cs__http_date(const char *v, size_t n, int64_t *t, int *yy2)
{
    int y, mo, d;
    long sec;
    size_t c;

    *yy2 = -1;
    for (c = 0; c < n && v[c] != ',' && v[c] != ' '; c++)
        ;
    if (n == 29 && c == 3 && v[3] == ',' && cs__wkday(v, 3, 0)
        && v[4] == ' ' && v[7] == ' ' && v[11] == ' ' && v[16] == ' '
        && v[25] == ' ' && cs__eq(v + 26, "GMT", 3)) {
        d = cs__dnum(v + 5, 2), mo = cs__month(v + 8);
        y = cs__dnum(v + 12, 4), sec = cs__hms(v + 17);
    } else if (c + 24 == n && v[c] == ',' && cs__wkday(v, c, 1)
               && v[c + 1] == ' ' && v[c + 4] == '-' && v[c + 8] == '-'
               && v[c + 11] == ' ' && v[c + 20] == ' '
               && cs__eq(v + c + 21, "GMT", 3)) {
        d = cs__dnum(v + c + 2, 2), mo = cs__month(v + c + 5);
        y = cs__dnum(v + c + 9, 2), sec = cs__hms(v + c + 12);
        *yy2 = y;
        y = y < 0 ? -1 : 1900 + y;
    } else if (n == 24 && c == 3 && v[3] == ' ' && cs__wkday(v, 3, 0)
               && v[7] == ' ' && v[10] == ' ' && v[19] == ' ') {
        mo = cs__month(v + 4);
        d = v[8] == ' ' ? cs__dnum(v + 9, 1) : cs__dnum(v + 8, 2);
        y = cs__dnum(v + 20, 4), sec = cs__hms(v + 11);
    } else {
        return -1;
    }
    if (y < 0 || mo == 0 || d < 1 || d > cs__mdays(y, mo) || sec < 0)
        return -1;
    *t = cs__days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + sec;
    return 0;
}

/* Retry-After: delta-seconds (saturating, as cs_hs always read it), or
 * an HTTP-date; anything else reads as absent. Last one wins. */
static void
cs__http_retry(cs_http *h, const char *v, size_t n)
{
    long s = 0;
    size_t i;
    int yy2;

    for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
        s = s < 100000000L ? s * 10 + (v[i] - '0') : s;
    if (i == n && n > 0) {
        h->retry = 1;
        h->retry_at = s;
    } else if (cs__http_date(v, n, &h->retry_at, &yy2) == 0) {
        h->retry = (unsigned char)(yy2 >= 0 ? 3 : 2);
        h->retry_yy = (unsigned char)(yy2 >= 0 ? yy2 : 0);
    } else {
        h->retry = 0;
    }
}

/* The status line (RFC 9112 4): HTTP/1.x, a space, three digits 100..599,
 * then a space and any reason, or nothing. */
static int
cs__http_status_line(cs_http *h, const char *l, size_t n)
{
    if (n >= 8 && cs__eq(l, "HTTP/", 5) && l[5] >= '0' && l[5] <= '9'
        && l[6] == '.' && l[7] >= '0' && l[7] <= '9' && l[5] != '1')
        return CS_E_HTTP_VERSION;
    if (n < 12 || !cs__eq(l, "HTTP/1.", 7) || l[7] < '0' || l[7] > '9'
        || l[8] != ' ' || l[9] < '1' || l[9] > '5' || l[10] < '0'
        || l[10] > '9' || l[11] < '0' || l[11] > '9'
        || (n > 12 && l[12] != ' '))
        return CS_E_HTTP_STATUS_LINE;
    h->minor = (unsigned char)(l[7] - '0');
    h->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    return 0;
}

/* One header field line (RFC 9112 5): name ":" OWS value OWS. A line cut
 * short (skip) still names its field; a framing field cut short is an
 * error, a Connection cut short means close. */
static int
cs__http_field(cs_http *h, const char *l, size_t n, int skip)
{
    size_t k, vn;
    const char *v;
    int r = 0;

    for (k = 0; k < n && cs__tchar((unsigned char)l[k]); k++)
        ;
    if (k == 0 || k == n || l[k] != ':')
        return CS_E_HTTP_FIELD;       /* also obs-fold: a leading space */
    vn = n - k - 1;
    v = cs__ows(l + k + 1, &vn);
    h->name_len = k;
    h->val_at = (size_t)(v - l);
    h->val_len = vn;
    if (cs__ieq(l, k, "content-length")) {
        r = skip ? CS_E_HTTP_LENGTH : cs__http_clen(h, v, vn);
    } else if (cs__ieq(l, k, "transfer-encoding")) {
        r = skip ? CS_E_HTTP_TRANSFER : cs__http_te(h, v, vn);
    } else if (cs__ieq(l, k, "content-encoding")) {
        r = skip ? CS_E_HTTP_CODING : cs__http_ce(h, v, vn);
    } else if (cs__ieq(l, k, "connection")) {
        if (skip || cs__list_has(v, vn, "close"))
            h->conn |= CS__HTTP_CLOSE;
        if (!skip && cs__list_has(v, vn, "keep-alive"))
            h->conn |= CS__HTTP_KEEP;
    } else if (cs__ieq(l, k, "location")) {
        if (skip || vn > CS_URL_MAX)
            return CS_E_HTTP_LOCATION;
        CS_MEMCPY(h->location, v, vn);
        h->location[vn] = '\0';
    } else if (cs__ieq(l, k, "retry-after") && !skip) {
        cs__http_retry(h, v, vn);
    }
    if (r != 0 && h->ferr == 0)
        h->ferr = r;                  /* raised only if a body follows */
    return 0;
}

/* The empty line ended the head: decide the framing (RFC 9112 6.3). */
static int
cs__http_head_end(cs_http *h)
{
    int s = h->status;

    if ((h->flags & CS_HTTP_NO_BODY) || s < 200 || s == 204 || s == 304) {
        h->framing = CS_HTTP_NONE;    /* 6.3 items 1-2: no body */
        h->st = CS__H_DONE;
        return CS_HTTP_HEAD;
    }
    if (h->ferr != 0)
        return h->ferr;
    if (h->te && h->has_len)
        return CS_E_HTTP_FRAMING;     /* 6.3 item 3: smuggling risk */
    if (h->te) {
        h->framing = CS_HTTP_CHUNKED;
        h->st = CS__H_CSIZE;
        h->cline = 0;
        h->left = 0;
    } else if (h->has_len) {
        h->framing = CS_HTTP_LENGTH;
        h->st = CS__H_LENGTH;
        h->left = h->clen;
    } else {
        h->framing = CS_HTTP_UNTIL_CLOSE;
        h->st = CS__H_UNTIL;
    }
    return CS_HTTP_HEAD;
}

/* A whole head or trailer line arrived (without its LF). */
static int
cs__http_line(cs_http *h)
{
    size_t n = h->ln;
    int skip = h->skip, r;

    h->ln = 0;
    h->skip = 0;
    if (n > 0 && h->line[n - 1] == '\r' && !skip)
        n--;
    if (h->st == CS__H_STATUS) {
        if (skip)
            return CS_E_HTTP_STATUS_LINE;
        r = cs__http_status_line(h, h->line, n);
        h->st = CS__H_FIELDS;
        if (r == 0 && (h->flags & CS_HTTP_FIELDS)) {
            h->name_len = h->val_at = 0;
            h->val_len = n;
            return CS_HTTP_STATUS;
        }
        return r;
    }
    if (n == 0 && !skip) {
        if (h->st == CS__H_TRAILER) {
            h->st = CS__H_DONE;
            return CS_HTTP_DONE;
        }
        return cs__http_head_end(h);
    }
    if (h->st == CS__H_TRAILER) {
        /* Trailer fields are read and dropped (RFC 9112 7.1.2). */
        size_t k;
        for (k = 0; k < n && cs__tchar((unsigned char)h->line[k]); k++)
            ;
        return k == 0 || k == n || h->line[k] != ':' ? CS_E_HTTP_TRAILER : 0;
    }
    h->cut = (unsigned char)skip;
    r = cs__http_field(h, h->line, n, skip);
    if (r == 0 && (h->flags & CS_HTTP_FIELDS))
        return CS_HTTP_FIELD;
    return r;
}

/* One byte of a head or trailer line; the size limit counts every byte
 * and fails as soon as it is reached without an end (a field event just
 * before the limit fails on the next call). */
static int
cs__http_lbyte(cs_http *h, unsigned char c)
{
    int r = 0;

    h->total++;
    if (c == '\n') {
        r = cs__http_line(h);
    } else if (c == '\0') {
        r = CS_E_HTTP_NUL;
    } else if (h->ln < sizeof h->line - 1) {
        h->line[h->ln++] = (char)c;
    } else {
        h->skip = 1;                  /* keep the start: it has the name */
    }
    if (r == 0 && h->total >= h->max_head && h->st != CS__H_DONE)
        r = CS_E_HTTP_TOO_BIG;        /* never ask for bytes past it */
    return r;
}

/* One byte of a chunk size line (RFC 9112 7.1): 1*HEXDIG, then
 * extensions, then CRLF (or LF). */
static int
cs__http_cbyte(cs_http *h, unsigned char c)
{
    unsigned x = c >= '0' && c <= '9' ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;

    if (++h->cline > CS_HTTP_MAX_CHUNK_LINE)
        return CS_E_HTTP_CHUNK;
    if (h->st == CS__H_CLF)
        return c == '\n' ? 1 : CS_E_HTTP_CHUNK;
    if (h->st == CS__H_CSIZE && x < 16) {
        if (h->left >> 59 != 0)
            return CS_E_HTTP_CHUNK_SIZE;   /* would pass 2^63 */
        h->left = h->left << 4 | x;
        return 0;
    }
    if (h->st == CS__H_CSIZE && h->cline == 1)
        return CS_E_HTTP_CHUNK;            /* no digits */
    if (c == '\n')
        return 1;
    if (c == '\r') {
        h->st = CS__H_CLF;
        return 0;
    }
    /* chunk-ext: BWS ";" ... ; its bytes are visible, SP or HTAB */
    if (h->st == CS__H_CSIZE && c != ';' && c != ' ' && c != '\t')
        return CS_E_HTTP_CHUNK;
    if (c < 0x20 && c != '\t')
        return CS_E_HTTP_CHUNK;
    h->st = CS__H_CEXT;
    return 0;
}

/* Hand out up to h->left body bytes of data[*i..len) as one slice. */
static int
cs__http_slice(cs_http *h, const unsigned char *data, size_t len, size_t *i)
{
    size_t n = len - *i;

    if (h->st != CS__H_UNTIL && (uint64_t)n > h->left)
        n = (size_t)h->left;
    h->body = data + *i;
    h->body_len = n;
    *i += n;
    if (h->st != CS__H_UNTIL)
        h->left -= n;
    return CS_HTTP_BODY;
}

CSDEF void
cs_http_init(cs_http *h, unsigned flags)
{
    CS_ASSERT(h != NULL);
    CS_MEMSET(h, 0, sizeof *h);
    h->flags = flags;
    h->max_head = CS_HTTP_MAX_HEAD;
    h->clen = UINT64_MAX;
}

CSDEF int
cs_http_feed(cs_http *h, const unsigned char *data, size_t len,
             size_t *used)
{
    size_t i = 0;
    int r = 0;

    CS_ASSERT(h != NULL && used != NULL && (data != NULL || len == 0));
    *used = 0;
    if (h->err != 0)
        return h->err;
    /* a field event at the limit: the limit fails now */
    if ((h->st <= CS__H_FIELDS || h->st == CS__H_TRAILER)
        && h->total >= h->max_head)
        return cs__http_fail(h, CS_E_HTTP_TOO_BIG);
    while (r == 0) {
        switch (h->st) {
        case CS__H_STATUS:
        case CS__H_FIELDS:
        case CS__H_TRAILER:
            /* RFC 9112 2.2: lines, CRLF or a bare LF */
            if (i == len)
                goto out;
            if (h->total >= h->max_head)
                r = CS_E_HTTP_TOO_BIG;    /* the limit, and no end */
            else
                r = cs__http_lbyte(h, data[i++]);
            break;
        case CS__H_LENGTH:
        case CS__H_CDATA:
            /* 6.2 / 7.1: exactly so many bytes */
            if (h->left == 0) {
                if (h->st == CS__H_LENGTH) {
                    h->st = CS__H_DONE;
                    r = CS_HTTP_DONE;
                } else {
                    h->st = CS__H_CDCR;
                }
                break;
            }
            if (i == len)
                goto out;
            r = cs__http_slice(h, data, len, &i);
            break;
        case CS__H_UNTIL:
            /* 6.3 item 8: everything until the link closes */
            if (i == len)
                goto out;
            r = cs__http_slice(h, data, len, &i);
            break;
        case CS__H_CSIZE:
        case CS__H_CEXT:
        case CS__H_CLF:
            if (i == len)
                goto out;
            r = cs__http_cbyte(h, data[i++]);
            if (r == 1) {             /* the size line is complete */
                r = 0;
                h->cline = 0;
                if (h->left == 0) {
                    h->st = CS__H_TRAILER;  /* the last chunk */
                    h->total = 0;
                } else {
                    h->st = CS__H_CDATA;
                }
            }
            break;
        case CS__H_CDCR:
        case CS__H_CDLF:
            /* 7.1: chunk-data CRLF */
            if (i == len)
                goto out;
            if (data[i] == '\r' && h->st == CS__H_CDCR) {
                h->st = CS__H_CDLF;
            } else if (data[i] == '\n') {
                h->st = CS__H_CSIZE;
                h->left = 0;
            } else {
                r = CS_E_HTTP_CHUNK_END;
            }
            i++;
            break;
        default:
            r = CS_HTTP_DONE;
            break;
        }
    }
out:
    *used = i;
    return r < 0 ? cs__http_fail(h, r) : r;
}

CSDEF int
cs_http_eof(cs_http *h)
{
    CS_ASSERT(h != NULL);
    if (h->err != 0)
        return h->err;
    if (h->st == CS__H_UNTIL || (h->st == CS__H_LENGTH && h->left == 0))
        h->st = CS__H_DONE;
    if (h->st == CS__H_DONE)
        return CS_HTTP_DONE;
    return cs__http_fail(h, CS_E_HTTP_TRUNCATED);
}

CSDEF int
cs_http_status(const cs_http *h)
{
    return h->status;
}

CSDEF int
cs_http_field(const cs_http *h, const char **name, size_t *nlen,
              const char **value, size_t *vlen)
{
    CS_ASSERT(h != NULL && name != NULL && nlen != NULL && value != NULL
              && vlen != NULL);
    *name = h->line;
    *nlen = h->name_len;
    *value = h->line + h->val_at;
    *vlen = h->val_len;
    return h->cut;
}

CSDEF const unsigned char *
cs_http_body(const cs_http *h, size_t *len)
{
    CS_ASSERT(h != NULL && len != NULL);
    *len = h->body_len;
    return h->body;
}

CSDEF int
cs_http_framing(const cs_http *h)
{
    return h->framing;
}

CSDEF uint64_t
cs_http_content_length(const cs_http *h)
{
    return h->framing == CS_HTTP_LENGTH ? h->clen : UINT64_MAX;
}

CSDEF int
cs_http_encoding(const cs_http *h)
{
    return h->coding;
}

CSDEF int
cs_http_keep_alive(const cs_http *h)
{
    /* RFC 9112 9.3: 1.1 persists unless "close"; 1.0 only if asked */
    return h->st == CS__H_DONE && h->err == 0
        && h->framing != CS_HTTP_UNTIL_CLOSE && !(h->conn & CS__HTTP_CLOSE)
        && (h->minor >= 1 || (h->conn & CS__HTTP_KEEP));
}

CSDEF const char *
cs_http_location(const cs_http *h)
{
    return h->location;
}

CSDEF long
cs_http_retry_after(const cs_http *h, int64_t now)
{
    int64_t t = h->retry_at, d;

    if (h->retry == 1)
        return (long)t;
    if (h->retry == 0)
        return -1;
    if (h->retry == 3) {
        /* RFC 9110 5.6.7: the year within 50 years of now, by the mean
         * Gregorian year (exact but within a day of New Year). */
        int64_t ny = 1970 + now / 31556952, y0 = 1900 + h->retry_yy;
        int64_t y = ny - ny % 100 + h->retry_yy;
        if (y > ny + 50)
            y -= 100;
        else if (y <= ny - 50)
            y += 100;
        t += (cs__days_from_civil(y, 1, 1) - cs__days_from_civil(y0, 1, 1))
           * 86400;
    }
    d = t - now;
    return d <= 0 ? 0 : d > 0x7fffffff ? 0x7fffffffL : (long)d;
}

/* ---- the websocket opening handshake (RFC 6455 4), over cs_http ---- */

/* Header bits in cs_hs.seen. */
#define CS__HS_UPGRADE   0x01u
#define CS__HS_CONN      0x02u
#define CS__HS_ACCEPT    0x04u
#define CS__HS_BADACCEPT 0x08u
#define CS__HS_EXT       0x10u
#define CS__HS_PROTO     0x20u
#define CS__HS_BADUPG    0x40u

/* An extra request header "Name: value": a token, a colon, and a value of
 * visible bytes, spaces and tabs (no CR or LF: no header injection). The
 * handshake's own headers cannot be replaced. */
static int
cs__hs_extra_ok(const char *h)
{
    size_t i, n;

    for (n = 0; cs__tchar((unsigned char)h[n]); n++)
        ;
    if (n == 0 || h[n] != ':')
        return 0;
    for (i = n + 1; h[i] != '\0'; i++) {
        unsigned c = (unsigned char)h[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return !cs__ieq(h, n, "host") && !cs__ieq(h, n, "upgrade")
        && !cs__ieq(h, n, "connection") && !cs__iprefix(h, n, "sec-websocket-")
        && !cs__ieq(h, n, "content-length")
        && !cs__ieq(h, n, "transfer-encoding");
}

CSDEF int
cs_hs_request(cs_hs *hs, char *out, size_t cap, const cs_url *url,
              const unsigned char key[16], const char *const *headers,
              size_t count)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char k64[25], buf[24 + 36];
    unsigned char sha[20];
    size_t o = 0, i;
    int r = 0;

    CS_ASSERT(hs != NULL && out != NULL && url != NULL && key != NULL);
    CS_MEMSET(hs, 0, sizeof *hs);
    cs_http_init(&hs->http, CS_HTTP_FIELDS | CS_HTTP_NO_BODY);
    hs->http.max_head = CS_HS_MAX_RESPONSE;
    for (i = 0; i < count; i++)
        if (headers[i] == NULL || !cs__hs_extra_ok(headers[i]))
            return CS_E_ARG;
    if (cap == 0)
        return CS_E_BUFFER;
    cs_base64(key, 16, k64);
    CS_MEMCPY(buf, k64, 24);
    CS_MEMCPY(buf + 24, guid, 36);
    cs_sha1(buf, sizeof buf, sha);
    cs_base64(sha, 20, hs->accept);
    r |= cs__puts(out, cap, &o, "GET ");
    r |= cs__puts(out, cap, &o, url->path);
    r |= cs__puts(out, cap, &o, " HTTP/1.1\r\nHost: ");
    r |= cs__put_authority(out, cap, &o, url);
    r |= cs__puts(out, cap, &o, "\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: ");
    r |= cs__puts(out, cap, &o, k64);
    r |= cs__puts(out, cap, &o, "\r\nSec-WebSocket-Version: 13\r\n"
                  "User-Agent: certstream.h/" CERTSTREAM_VERSION_STRING "\r\n");
    for (i = 0; i < count; i++) {
        r |= cs__puts(out, cap, &o, headers[i]);
        r |= cs__puts(out, cap, &o, "\r\n");
    }
    r |= cs__puts(out, cap, &o, "\r\n");
    if (r != 0)
        return CS_E_BUFFER;
    return (int)o;
}

/* The websocket checks on one field of the response (RFC 6455 4.1). A
 * line too long to keep (cut) is fine for any other field. */
static void
cs__hs_field(cs_hs *hs)
{
    const char *l, *v;
    size_t k, vn;
    int skip = cs_http_field(&hs->http, &l, &k, &v, &vn);

    if (cs__ieq(l, k, "upgrade")) {
        if (skip || !cs__ieq(v, vn, "websocket"))
            hs->seen |= CS__HS_BADUPG;
        else
            hs->seen |= CS__HS_UPGRADE;
    } else if (cs__ieq(l, k, "connection")) {
        if (!skip && cs__list_has(v, vn, "upgrade"))
            hs->seen |= CS__HS_CONN;
    } else if (cs__ieq(l, k, "sec-websocket-accept")) {
        if (skip || vn != 28 || !cs__eq(v, hs->accept, 28))
            hs->seen |= CS__HS_BADACCEPT;
        else
            hs->seen |= CS__HS_ACCEPT;
    } else if (cs__ieq(l, k, "sec-websocket-extensions")) {
        hs->seen |= CS__HS_EXT;       /* 4.1 (5): we offered none */
    } else if (cs__ieq(l, k, "sec-websocket-protocol")) {
        hs->seen |= CS__HS_PROTO;     /* 4.1 (6): we offered none */
    }
}

/* The blank line: decide (RFC 6455 4.1, the client's checks in order). */
static int
cs__hs_verdict(cs_hs *hs)
{
    int s = hs->http.status;

    if (s != 101) {
        if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308)
            && hs->http.location[0] != '\0')
            return CS_E_HS_REDIRECT;
        return CS_E_HS_STATUS;
    }
    if ((hs->seen & CS__HS_BADUPG) || !(hs->seen & CS__HS_UPGRADE))
        return CS_E_HS_UPGRADE;
    if (!(hs->seen & CS__HS_CONN))
        return CS_E_HS_CONNECTION;
    if ((hs->seen & CS__HS_BADACCEPT) || !(hs->seen & CS__HS_ACCEPT))
        return CS_E_HS_ACCEPT;
    if (hs->seen & CS__HS_EXT)
        return CS_E_HS_EXTENSION;
    if (hs->seen & CS__HS_PROTO)
        return CS_E_HS_PROTOCOL;
    return CS_HS_OK;
}

CSDEF int
cs_hs_feed(cs_hs *hs, const unsigned char *data, size_t len, size_t *used)
{
    size_t i = 0, u;
    int r;

    CS_ASSERT(hs != NULL && used != NULL && (data != NULL || len == 0));
    *used = 0;
    if (hs->err != 0)
        return hs->err;
    if (hs->st == 2)
        return CS_HS_OK;
    for (;;) {
        r = cs_http_feed(&hs->http, i < len ? data + i : NULL, len - i, &u);
        i += u;
        if (r == CS_HTTP_STATUS && hs->http.minor != 1)
            r = CS_E_HS_SYNTAX;       /* a 101 needs HTTP/1.1 */
        else if (r == CS_HTTP_FIELD)
            cs__hs_field(hs);
        if (r != CS_HTTP_STATUS && r != CS_HTTP_FIELD)
            break;
    }
    *used = i;
    if (r == CS_HTTP_HEAD)
        r = cs__hs_verdict(hs);
    else if (r == CS_E_HTTP_TOO_BIG || r == CS_E_HTTP_LOCATION)
        r = CS_E_HS_TOO_BIG;
    else if (r < 0)
        r = CS_E_HS_SYNTAX;
    if (r == CS_HS_OK)
        hs->st = 2;
    else if (r < 0)
        hs->err = r;
    return r;
}

CSDEF int
cs_hs_status(const cs_hs *hs)
{
    return hs->http.minor == 1 ? hs->http.status : 0;
}

CSDEF const char *
cs_hs_location(const cs_hs *hs)
{
    return hs->http.location;
}

CSDEF long
cs_hs_retry_after(const cs_hs *hs)
{
    /* delta-seconds only: the handshake has no clock for a date */
    return hs->http.retry == 1 ? (long)hs->http.retry_at : -1;
}

/* ==== [1f] gzip and DEFLATE (RFC 1951, 1952) ===== off: _NO_CT =========== */

/* (impl: placeholder, filled in by its own commit) */

/* ==== [1g] CT records: base64, leaves, tiles, checkpoints == off: _NO_CT ==== */

/* (impl: placeholder, filled in by its own commit) */

/* ==== [1h] DER: what a certificate names ======== off: _NO_CT ============ */

/* (impl: placeholder, filled in by its own commit) */

/* ==== [1i] watchlists: domain patterns =================================== */

/* (impl: placeholder, filled in by its own commit) */

/* ==== [2b] TLS transport (BearSSL) ==================== off: _NO_TLS ==== */
#if CS_HAS_TLS

/* ---- trust anchors in caller memory ---- */

CSDEF void
cs_anchors_init(cs_anchors *a, void *mem, size_t cap)
{
    size_t pad = (size_t)(-(uintptr_t)mem & (sizeof(void *) - 1));

    CS_MEMSET(a, 0, sizeof *a);
    if (cap < pad)
        pad = cap;                    /* no room at all */
    a->mem = (unsigned char *)mem + pad;
    a->cap = a->back = cap - pad;
    a->ta = (br_x509_trust_anchor *)(void *)a->mem;
}

CSDEF size_t
cs_anchors_used(const cs_anchors *a)
{
    return a->front + (a->cap - a->back);
}

/* PEM and X.509 decoding state while loading (on the caller's stack). */
typedef struct cs__pemload {
    br_pem_decoder_context pem;
    br_x509_decoder_context xd;
    cs_anchors *a;
    int in_cert;              /* inside a CERTIFICATE object */
    int overflow;             /* the DN did not fit: skip the cert */
    size_t dn_len;            /* DN bytes gathered after the array */
    int added, bad;
} cs__pemload;

/* The DN arrives in pieces: gather it just past the next array slot. */
static void
cs__pem_dn(void *ctx, const void *p, size_t n)
{
    cs__pemload *L = (cs__pemload *)ctx;
    cs_anchors *a = L->a;
    size_t at = a->front + sizeof(br_x509_trust_anchor) + L->dn_len;

    if (L->overflow || at > a->back || n > a->back - at) {
        L->overflow = 1;
        return;
    }
    CS_MEMCPY(a->mem + at, p, n);
    L->dn_len += n;
}

/* The DER of the current certificate flows into the X.509 decoder. */
static void
cs__pem_der(void *ctx, const void *p, size_t n)
{
    br_x509_decoder_push((br_x509_decoder_context *)ctx, p, n);
}

/* Copy n bytes to the back of the arena; NULL if they do not fit. */
static unsigned char *
cs__anchor_put(cs_anchors *a, size_t floor, const void *p, size_t n)
{
    if (a->back < floor || a->back - floor < n)
        return NULL;
    a->back -= n;
    CS_MEMCPY(a->mem + a->back, p, n);
    return a->mem + a->back;
}

/* Two anchors hold the same name and key. */
static int
cs__anchor_same(const br_x509_trust_anchor *x, const br_x509_trust_anchor *y)
{
    if (x->dn.len != y->dn.len || x->pkey.key_type != y->pkey.key_type
        || !cs__eq(x->dn.data, y->dn.data, x->dn.len))
        return 0;
    if (x->pkey.key_type == BR_KEYTYPE_RSA)
        return x->pkey.key.rsa.nlen == y->pkey.key.rsa.nlen
            && x->pkey.key.rsa.elen == y->pkey.key.rsa.elen
            && cs__eq(x->pkey.key.rsa.n, y->pkey.key.rsa.n,
                      x->pkey.key.rsa.nlen)
            && cs__eq(x->pkey.key.rsa.e, y->pkey.key.rsa.e,
                      x->pkey.key.rsa.elen);
    return x->pkey.key.ec.curve == y->pkey.key.ec.curve
        && x->pkey.key.ec.qlen == y->pkey.key.ec.qlen
        && cs__eq(x->pkey.key.ec.q, y->pkey.key.ec.q, x->pkey.key.ec.qlen);
}

/* A certificate ended: make it an anchor (name and key moved to the back
 * of the arena), or count it as skipped. A duplicate is neither. */
static void
cs__pem_cert_end(cs__pemload *L)
{
    cs_anchors *a = L->a;
    br_x509_pkey *pk = br_x509_decoder_get_pkey(&L->xd);
    br_x509_trust_anchor ta;
    size_t floor = a->front + sizeof ta, back = a->back, i;
    int ok;

    CS_MEMSET(&ta, 0, sizeof ta);
    ok = pk != NULL && !L->overflow && br_x509_decoder_last_error(&L->xd) == 0
      && floor <= back && L->dn_len <= back - floor
      && back - floor - L->dn_len >= L->dn_len;
    /* The DN sits at [floor, floor + dn_len): first up to the back, then
     * the key parts below it. */
    if (ok)
        ta.dn.data = cs__anchor_put(a, floor + L->dn_len, a->mem + floor,
                                    L->dn_len);
    ta.dn.len = L->dn_len;
    ta.flags = ok && br_x509_decoder_isCA(&L->xd) ? BR_X509_TA_CA : 0;
    if (ok && pk->key_type == BR_KEYTYPE_RSA) {
        ta.pkey.key_type = BR_KEYTYPE_RSA;
        ta.pkey.key.rsa.n = cs__anchor_put(a, floor, pk->key.rsa.n,
                                           pk->key.rsa.nlen);
        ta.pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta.pkey.key.rsa.e = cs__anchor_put(a, floor, pk->key.rsa.e,
                                           pk->key.rsa.elen);
        ta.pkey.key.rsa.elen = pk->key.rsa.elen;
        ok = ta.pkey.key.rsa.n != NULL && ta.pkey.key.rsa.e != NULL;
    } else if (ok && pk->key_type == BR_KEYTYPE_EC) {
        ta.pkey.key_type = BR_KEYTYPE_EC;
        ta.pkey.key.ec.curve = pk->key.ec.curve;
        ta.pkey.key.ec.q = cs__anchor_put(a, floor, pk->key.ec.q,
                                          pk->key.ec.qlen);
        ta.pkey.key.ec.qlen = pk->key.ec.qlen;
        ok = ta.pkey.key.ec.q != NULL;
    } else {
        ok = 0;
    }
    if (!ok) {
        a->back = back;               /* roll back */
        a->skipped++;
        return;
    }
    for (i = 0; i < a->count; i++)
        if (cs__anchor_same(&a->ta[i], &ta)) {
            a->back = back;           /* a duplicate */
            return;
        }
    a->ta[a->count++] = ta;
    a->front += sizeof ta;
    L->added++;
}

/* The PEM object's name is CERTIFICATE (RFC 7468), any case. */
static int
cs__pem_is_cert(const char *name)
{
    return cs__ieq(name, 11, "certificate") && name[11] == '\0';
}

/* Push PEM text through the decoders; resumable across chunks. Returns
 * 0 or CS_E_TLS_PEM. */
static int
cs__pem_feed(cs__pemload *L, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t k = br_pem_decoder_push(&L->pem, p, n);
        p += k, n -= k;
        switch (br_pem_decoder_event(&L->pem)) {
        case BR_PEM_BEGIN_OBJ:
            L->in_cert = cs__pem_is_cert(br_pem_decoder_name(&L->pem));
            L->overflow = 0;
            L->dn_len = 0;
            if (L->in_cert) {
                br_x509_decoder_init(&L->xd, cs__pem_dn, L);
                br_pem_decoder_setdest(&L->pem, cs__pem_der, &L->xd);
            } else {
                br_pem_decoder_setdest(&L->pem, NULL, NULL);
            }
            break;
        case BR_PEM_END_OBJ:
            if (L->in_cert)
                cs__pem_cert_end(L);
            L->in_cert = 0;
            break;
        case BR_PEM_ERROR:
            L->bad = 1;
            return CS_E_TLS_PEM;
        default:
            break;
        }
    }
    return 0;
}

static void
cs__pem_start(cs__pemload *L, cs_anchors *a)
{
    CS_MEMSET(L, 0, sizeof *L);
    L->a = a;
    br_pem_decoder_init(&L->pem);
}

/* The end of the text: a final newline closes a last line without one. */
static int
cs__pem_finish(cs__pemload *L)
{
    static const unsigned char nl = '\n';
    int r = cs__pem_feed(L, &nl, 1);
    return r != 0 ? r : L->added;
}

CSDEF int
cs_anchors_add_pem(cs_anchors *a, const void *pem, size_t len)
{
    cs__pemload L;
    int r;

    cs__pem_start(&L, a);
    r = cs__pem_feed(&L, (const unsigned char *)pem, len);
    return r != 0 ? r : cs__pem_finish(&L);
}

/* ---- the compiled-in anchors ---- */

/* BEGIN built-in anchors: generated by tools/gen_anchors.sh */
#ifndef CS__GEN_ANCHORS
/* From Debian's ca-certificates:
 * ISRG_Root_X1.pem, ISRG_Root_X2.pem, GTS_Root_R1.pem, GTS_Root_R4.pem. */
static const unsigned char cs__ta_bytes[] = {
    0x30, 0x4f, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13,
    0x02, 0x55, 0x53, 0x31, 0x29, 0x30, 0x27, 0x06, 0x03, 0x55, 0x04, 0x0a,
    0x13, 0x20, 0x49, 0x6e, 0x74, 0x65, 0x72, 0x6e, 0x65, 0x74, 0x20, 0x53,
    0x65, 0x63, 0x75, 0x72, 0x69, 0x74, 0x79, 0x20, 0x52, 0x65, 0x73, 0x65,
    0x61, 0x72, 0x63, 0x68, 0x20, 0x47, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x15,
    0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x0c, 0x49, 0x53, 0x52,
    0x47, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x20, 0x58, 0x31, 0xad, 0xe8, 0x24,
    0x73, 0xf4, 0x14, 0x37, 0xf3, 0x9b, 0x9e, 0x2b, 0x57, 0x28, 0x1c, 0x87,
    0xbe, 0xdc, 0xb7, 0xdf, 0x38, 0x90, 0x8c, 0x6e, 0x3c, 0xe6, 0x57, 0xa0,
    0x78, 0xf7, 0x75, 0xc2, 0xa2, 0xfe, 0xf5, 0x6a, 0x6e, 0xf6, 0x00, 0x4f,
    0x28, 0xdb, 0xde, 0x68, 0x86, 0x6c, 0x44, 0x93, 0xb6, 0xb1, 0x63, 0xfd,
    0x14, 0x12, 0x6b, 0xbf, 0x1f, 0xd2, 0xea, 0x31, 0x9b, 0x21, 0x7e, 0xd1,
    0x33, 0x3c, 0xba, 0x48, 0xf5, 0xdd, 0x79, 0xdf, 0xb3, 0xb8, 0xff, 0x12,
    0xf1, 0x21, 0x9a, 0x4b, 0xc1, 0x8a, 0x86, 0x71, 0x69, 0x4a, 0x66, 0x66,
    0x6c, 0x8f, 0x7e, 0x3c, 0x70, 0xbf, 0xad, 0x29, 0x22, 0x06, 0xf3, 0xe4,
    0xc0, 0xe6, 0x80, 0xae, 0xe2, 0x4b, 0x8f, 0xb7, 0x99, 0x7e, 0x94, 0x03,
    0x9f, 0xd3, 0x47, 0x97, 0x7c, 0x99, 0x48, 0x23, 0x53, 0xe8, 0x38, 0xae,
    0x4f, 0x0a, 0x6f, 0x83, 0x2e, 0xd1, 0x49, 0x57, 0x8c, 0x80, 0x74, 0xb6,
    0xda, 0x2f, 0xd0, 0x38, 0x8d, 0x7b, 0x03, 0x70, 0x21, 0x1b, 0x75, 0xf2,
    0x30, 0x3c, 0xfa, 0x8f, 0xae, 0xdd, 0xda, 0x63, 0xab, 0xeb, 0x16, 0x4f,
    0xc2, 0x8e, 0x11, 0x4b, 0x7e, 0xcf, 0x0b, 0xe8, 0xff, 0xb5, 0x77, 0x2e,
    0xf4, 0xb2, 0x7b, 0x4a, 0xe0, 0x4c, 0x12, 0x25, 0x0c, 0x70, 0x8d, 0x03,
    0x29, 0xa0, 0xe1, 0x53, 0x24, 0xec, 0x13, 0xd9, 0xee, 0x19, 0xbf, 0x10,
    0xb3, 0x4a, 0x8c, 0x3f, 0x89, 0xa3, 0x61, 0x51, 0xde, 0xac, 0x87, 0x07,
    0x94, 0xf4, 0x63, 0x71, 0xec, 0x2e, 0xe2, 0x6f, 0x5b, 0x98, 0x81, 0xe1,
    0x89, 0x5c, 0x34, 0x79, 0x6c, 0x76, 0xef, 0x3b, 0x90, 0x62, 0x79, 0xe6,
    0xdb, 0xa4, 0x9a, 0x2f, 0x26, 0xc5, 0xd0, 0x10, 0xe1, 0x0e, 0xde, 0xd9,
    0x10, 0x8e, 0x16, 0xfb, 0xb7, 0xf7, 0xa8, 0xf7, 0xc7, 0xe5, 0x02, 0x07,
    0x98, 0x8f, 0x36, 0x08, 0x95, 0xe7, 0xe2, 0x37, 0x96, 0x0d, 0x36, 0x75,
    0x9e, 0xfb, 0x0e, 0x72, 0xb1, 0x1d, 0x9b, 0xbc, 0x03, 0xf9, 0x49, 0x05,
    0xd8, 0x81, 0xdd, 0x05, 0xb4, 0x2a, 0xd6, 0x41, 0xe9, 0xac, 0x01, 0x76,
    0x95, 0x0a, 0x0f, 0xd8, 0xdf, 0xd5, 0xbd, 0x12, 0x1f, 0x35, 0x2f, 0x28,
    0x17, 0x6c, 0xd2, 0x98, 0xc1, 0xa8, 0x09, 0x64, 0x77, 0x6e, 0x47, 0x37,
    0xba, 0xce, 0xac, 0x59, 0x5e, 0x68, 0x9d, 0x7f, 0x72, 0xd6, 0x89, 0xc5,
    0x06, 0x41, 0x29, 0x3e, 0x59, 0x3e, 0xdd, 0x26, 0xf5, 0x24, 0xc9, 0x11,
    0xa7, 0x5a, 0xa3, 0x4c, 0x40, 0x1f, 0x46, 0xa1, 0x99, 0xb5, 0xa7, 0x3a,
    0x51, 0x6e, 0x86, 0x3b, 0x9e, 0x7d, 0x72, 0xa7, 0x12, 0x05, 0x78, 0x59,
    0xed, 0x3e, 0x51, 0x78, 0x15, 0x0b, 0x03, 0x8f, 0x8d, 0xd0, 0x2f, 0x05,
    0xb2, 0x3e, 0x7b, 0x4a, 0x1c, 0x4b, 0x73, 0x05, 0x12, 0xfc, 0xc6, 0xea,
    0xe0, 0x50, 0x13, 0x7c, 0x43, 0x93, 0x74, 0xb3, 0xca, 0x74, 0xe7, 0x8e,
    0x1f, 0x01, 0x08, 0xd0, 0x30, 0xd4, 0x5b, 0x71, 0x36, 0xb4, 0x07, 0xba,
    0xc1, 0x30, 0x30, 0x5c, 0x48, 0xb7, 0x82, 0x3b, 0x98, 0xa6, 0x7d, 0x60,
    0x8a, 0xa2, 0xa3, 0x29, 0x82, 0xcc, 0xba, 0xbd, 0x83, 0x04, 0x1b, 0xa2,
    0x83, 0x03, 0x41, 0xa1, 0xd6, 0x05, 0xf1, 0x1b, 0xc2, 0xb6, 0xf0, 0xa8,
    0x7c, 0x86, 0x3b, 0x46, 0xa8, 0x48, 0x2a, 0x88, 0xdc, 0x76, 0x9a, 0x76,
    0xbf, 0x1f, 0x6a, 0xa5, 0x3d, 0x19, 0x8f, 0xeb, 0x38, 0xf3, 0x64, 0xde,
    0xc8, 0x2b, 0x0d, 0x0a, 0x28, 0xff, 0xf7, 0xdb, 0xe2, 0x15, 0x42, 0xd4,
    0x22, 0xd0, 0x27, 0x5d, 0xe1, 0x79, 0xfe, 0x18, 0xe7, 0x70, 0x88, 0xad,
    0x4e, 0xe6, 0xd9, 0x8b, 0x3a, 0xc6, 0xdd, 0x27, 0x51, 0x6e, 0xff, 0xbc,
    0x64, 0xf5, 0x33, 0x43, 0x4f, 0x01, 0x00, 0x01, 0x30, 0x4f, 0x31, 0x0b,
    0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31,
    0x29, 0x30, 0x27, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x20, 0x49, 0x6e,
    0x74, 0x65, 0x72, 0x6e, 0x65, 0x74, 0x20, 0x53, 0x65, 0x63, 0x75, 0x72,
    0x69, 0x74, 0x79, 0x20, 0x52, 0x65, 0x73, 0x65, 0x61, 0x72, 0x63, 0x68,
    0x20, 0x47, 0x72, 0x6f, 0x75, 0x70, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03,
    0x55, 0x04, 0x03, 0x13, 0x0c, 0x49, 0x53, 0x52, 0x47, 0x20, 0x52, 0x6f,
    0x6f, 0x74, 0x20, 0x58, 0x32, 0x04, 0xcd, 0x9b, 0xd5, 0x9f, 0x80, 0x83,
    0x0a, 0xec, 0x09, 0x4a, 0xf3, 0x16, 0x4a, 0x3e, 0x5c, 0xcf, 0x77, 0xac,
    0xde, 0x67, 0x05, 0x0d, 0x1d, 0x07, 0xb6, 0xdc, 0x16, 0xfb, 0x5a, 0x8b,
    0x14, 0xdb, 0xe2, 0x71, 0x60, 0xc4, 0xba, 0x45, 0x95, 0x11, 0x89, 0x8e,
    0xea, 0x06, 0xdf, 0xf7, 0x2a, 0x16, 0x1c, 0xa4, 0xb9, 0xc5, 0xc5, 0x32,
    0xe0, 0x03, 0xe0, 0x1e, 0x82, 0x18, 0x38, 0x8b, 0xd7, 0x45, 0xd8, 0x0a,
    0x6a, 0x6e, 0xe6, 0x00, 0x77, 0xfb, 0x02, 0x51, 0x7d, 0x22, 0xd8, 0x0a,
    0x6e, 0x9a, 0x5b, 0x77, 0xdf, 0xf0, 0xfa, 0x41, 0xec, 0x39, 0xdc, 0x75,
    0xca, 0x68, 0x07, 0x0c, 0x1f, 0xea, 0x30, 0x47, 0x31, 0x0b, 0x30, 0x09,
    0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x22, 0x30,
    0x20, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x19, 0x47, 0x6f, 0x6f, 0x67,
    0x6c, 0x65, 0x20, 0x54, 0x72, 0x75, 0x73, 0x74, 0x20, 0x53, 0x65, 0x72,
    0x76, 0x69, 0x63, 0x65, 0x73, 0x20, 0x4c, 0x4c, 0x43, 0x31, 0x14, 0x30,
    0x12, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x0b, 0x47, 0x54, 0x53, 0x20,
    0x52, 0x6f, 0x6f, 0x74, 0x20, 0x52, 0x31, 0xb6, 0x11, 0x02, 0x8b, 0x1e,
    0xe3, 0xa1, 0x77, 0x9b, 0x3b, 0xdc, 0xbf, 0x94, 0x3e, 0xb7, 0x95, 0xa7,
    0x40, 0x3c, 0xa1, 0xfd, 0x82, 0xf9, 0x7d, 0x32, 0x06, 0x82, 0x71, 0xf6,
    0xf6, 0x8c, 0x7f, 0xfb, 0xe8, 0xdb, 0xbc, 0x6a, 0x2e, 0x97, 0x97, 0xa3,
    0x8c, 0x4b, 0xf9, 0x2b, 0xf6, 0xb1, 0xf9, 0xce, 0x84, 0x1d, 0xb1, 0xf9,
    0xc5, 0x97, 0xde, 0xef, 0xb9, 0xf2, 0xa3, 0xe9, 0xbc, 0x12, 0x89, 0x5e,
    0xa7, 0xaa, 0x52, 0xab, 0xf8, 0x23, 0x27, 0xcb, 0xa4, 0xb1, 0x9c, 0x63,
    0xdb, 0xd7, 0x99, 0x7e, 0xf0, 0x0a, 0x5e, 0xeb, 0x68, 0xa6, 0xf4, 0xc6,
    0x5a, 0x47, 0x0d, 0x4d, 0x10, 0x33, 0xe3, 0x4e, 0xb1, 0x13, 0xa3, 0xc8,
    0x18, 0x6c, 0x4b, 0xec, 0xfc, 0x09, 0x90, 0xdf, 0x9d, 0x64, 0x29, 0x25,
    0x23, 0x07, 0xa1, 0xb4, 0xd2, 0x3d, 0x2e, 0x60, 0xe0, 0xcf, 0xd2, 0x09,
    0x87, 0xbb, 0xcd, 0x48, 0xf0, 0x4d, 0xc2, 0xc2, 0x7a, 0x88, 0x8a, 0xbb,
    0xba, 0xcf, 0x59, 0x19, 0xd6, 0xaf, 0x8f, 0xb0, 0x07, 0xb0, 0x9e, 0x31,
    0xf1, 0x82, 0xc1, 0xc0, 0xdf, 0x2e, 0xa6, 0x6d, 0x6c, 0x19, 0x0e, 0xb5,
    0xd8, 0x7e, 0x26, 0x1a, 0x45, 0x03, 0x3d, 0xb0, 0x79, 0xa4, 0x94, 0x28,
    0xad, 0x0f, 0x7f, 0x26, 0xe5, 0xa8, 0x08, 0xfe, 0x96, 0xe8, 0x3c, 0x68,
    0x94, 0x53, 0xee, 0x83, 0x3a, 0x88, 0x2b, 0x15, 0x96, 0x09, 0xb2, 0xe0,
    0x7a, 0x8c, 0x2e, 0x75, 0xd6, 0x9c, 0xeb, 0xa7, 0x56, 0x64, 0x8f, 0x96,
    0x4f, 0x68, 0xae, 0x3d, 0x97, 0xc2, 0x84, 0x8f, 0xc0, 0xbc, 0x40, 0xc0,
    0x0b, 0x5c, 0xbd, 0xf6, 0x87, 0xb3, 0x35, 0x6c, 0xac, 0x18, 0x50, 0x7f,
    0x84, 0xe0, 0x4c, 0xcd, 0x92, 0xd3, 0x20, 0xe9, 0x33, 0xbc, 0x52, 0x99,
    0xaf, 0x32, 0xb5, 0x29, 0xb3, 0x25, 0x2a, 0xb4, 0x48, 0xf9, 0x72, 0xe1,
    0xca, 0x64, 0xf7, 0xe6, 0x82, 0x10, 0x8d, 0xe8, 0x9d, 0xc2, 0x8a, 0x88,
    0xfa, 0x38, 0x66, 0x8a, 0xfc, 0x63, 0xf9, 0x01, 0xf9, 0x78, 0xfd, 0x7b,
    0x5c, 0x77, 0xfa, 0x76, 0x87, 0xfa, 0xec, 0xdf, 0xb1, 0x0e, 0x79, 0x95,
    0x57, 0xb4, 0xbd, 0x26, 0xef, 0xd6, 0x01, 0xd1, 0xeb, 0x16, 0x0a, 0xbb,
    0x8e, 0x0b, 0xb5, 0xc5, 0xc5, 0x8a, 0x55, 0xab, 0xd3, 0xac, 0xea, 0x91,
    0x4b, 0x29, 0xcc, 0x19, 0xa4, 0x32, 0x25, 0x4e, 0x2a, 0xf1, 0x65, 0x44,
    0xd0, 0x02, 0xce, 0xaa, 0xce, 0x49, 0xb4, 0xea, 0x9f, 0x7c, 0x83, 0xb0,
    0x40, 0x7b, 0xe7, 0x43, 0xab, 0xa7, 0x6c, 0xa3, 0x8f, 0x7d, 0x89, 0x81,
    0xfa, 0x4c, 0xa5, 0xff, 0xd5, 0x8e, 0xc3, 0xce, 0x4b, 0xe0, 0xb5, 0xd8,
    0xb3, 0x8e, 0x45, 0xcf, 0x76, 0xc0, 0xed, 0x40, 0x2b, 0xfd, 0x53, 0x0f,
    0xb0, 0xa7, 0xd5, 0x3b, 0x0d, 0xb1, 0x8a, 0xa2, 0x03, 0xde, 0x31, 0xad,
    0xcc, 0x77, 0xea, 0x6f, 0x7b, 0x3e, 0xd6, 0xdf, 0x91, 0x22, 0x12, 0xe6,
    0xbe, 0xfa, 0xd8, 0x32, 0xfc, 0x10, 0x63, 0x14, 0x51, 0x72, 0xde, 0x5d,
    0xd6, 0x16, 0x93, 0xbd, 0x29, 0x68, 0x33, 0xef, 0x3a, 0x66, 0xec, 0x07,
    0x8a, 0x26, 0xdf, 0x13, 0xd7, 0x57, 0x65, 0x78, 0x27, 0xde, 0x5e, 0x49,
    0x14, 0x00, 0xa2, 0x00, 0x7f, 0x9a, 0xa8, 0x21, 0xb6, 0xa9, 0xb1, 0x95,
    0xb0, 0xa5, 0xb9, 0x0d, 0x16, 0x11, 0xda, 0xc7, 0x6c, 0x48, 0x3c, 0x40,
    0xe0, 0x7e, 0x0d, 0x5a, 0xcd, 0x56, 0x3c, 0xd1, 0x97, 0x05, 0xb9, 0xcb,
    0x4b, 0xed, 0x39, 0x4b, 0x9c, 0xc4, 0x3f, 0xd2, 0x55, 0x13, 0x6e, 0x24,
    0xb0, 0xd6, 0x71, 0xfa, 0xf4, 0xc1, 0xba, 0xcc, 0xed, 0x1b, 0xf5, 0xfe,
    0x81, 0x41, 0xd8, 0x00, 0x98, 0x3d, 0x3a, 0xc8, 0xae, 0x7a, 0x98, 0x37,
    0x18, 0x05, 0x95, 0x01, 0x00, 0x01, 0x30, 0x47, 0x31, 0x0b, 0x30, 0x09,
    0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x22, 0x30,
    0x20, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x19, 0x47, 0x6f, 0x6f, 0x67,
    0x6c, 0x65, 0x20, 0x54, 0x72, 0x75, 0x73, 0x74, 0x20, 0x53, 0x65, 0x72,
    0x76, 0x69, 0x63, 0x65, 0x73, 0x20, 0x4c, 0x4c, 0x43, 0x31, 0x14, 0x30,
    0x12, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x0b, 0x47, 0x54, 0x53, 0x20,
    0x52, 0x6f, 0x6f, 0x74, 0x20, 0x52, 0x34, 0x04, 0xf3, 0x74, 0x73, 0xa7,
    0x68, 0x8b, 0x60, 0xae, 0x43, 0xb8, 0x35, 0xc5, 0x81, 0x30, 0x7b, 0x4b,
    0x49, 0x9d, 0xfb, 0xc1, 0x61, 0xce, 0xe6, 0xde, 0x46, 0xbd, 0x6b, 0xd5,
    0x61, 0x18, 0x35, 0xae, 0x40, 0xdd, 0x73, 0xf7, 0x89, 0x91, 0x30, 0x5a,
    0xeb, 0x3c, 0xee, 0x85, 0x7c, 0xa2, 0x40, 0x76, 0x3b, 0xa9, 0xc6, 0xb8,
    0x47, 0xd8, 0x2a, 0xe7, 0x92, 0x91, 0x6a, 0x73, 0xe9, 0xb1, 0x72, 0x39,
    0x9f, 0x29, 0x9f, 0xa2, 0x98, 0xd3, 0x5f, 0x5e, 0x58, 0x86, 0x65, 0x0f,
    0xa1, 0x84, 0x65, 0x06, 0xd1, 0xdc, 0x8b, 0xc9, 0xc7, 0x73, 0xc8, 0x8c,
    0x6a, 0x2f, 0xe5, 0xc4, 0xab, 0xd1, 0x1d, 0x8a,
};
/* dn, dn length, key type, curve, n or q, its length, e, its length */
static const uint16_t cs__ta_tab[][8] = {
    { 0, 81, 1, 0, 81, 512, 593, 3 },
    { 596, 81, 2, 24, 677, 97, 0, 0 },
    { 774, 73, 1, 0, 847, 512, 1359, 3 },
    { 1362, 73, 2, 24, 1435, 97, 0, 0 },
};
#endif
/* END built-in anchors */

CSDEF size_t
cs_tls_builtin_anchors(br_x509_trust_anchor *out, size_t cap)
{
#ifdef CS__GEN_ANCHORS
    (void)out;
    (void)cap;
    return 0;                         /* the generator's own build */
#else
    size_t i, n = sizeof cs__ta_tab / sizeof cs__ta_tab[0];
    /* BearSSL reads anchors through non-const pointers, never writes. */
    unsigned char *b = (unsigned char *)(uintptr_t)cs__ta_bytes;

    for (i = 0; i < n && i < cap; i++) {
        const uint16_t *e = cs__ta_tab[i];
        br_x509_trust_anchor *t = &out[i];
        CS_MEMSET(t, 0, sizeof *t);
        t->dn.data = b + e[0];
        t->dn.len = e[1];
        t->flags = BR_X509_TA_CA;
        t->pkey.key_type = (unsigned char)e[2];
        if (e[2] == BR_KEYTYPE_RSA) {
            t->pkey.key.rsa.n = b + e[4];
            t->pkey.key.rsa.nlen = e[5];
            t->pkey.key.rsa.e = b + e[6];
            t->pkey.key.rsa.elen = e[7];
        } else {
            t->pkey.key.ec.curve = e[3];
            t->pkey.key.ec.q = b + e[4];
            t->pkey.key.ec.qlen = e[5];
        }
    }
    return n;
#endif
}

/* ---- insecure mode: take the server's key, check nothing ---- */

static void
cs__any_start_chain(const br_x509_class **ctx, const char *name)
{
    cs_tls *t = (cs_tls *)(void *)((unsigned char *)(void *)ctx
                                   - offsetof(cs_tls, x));
    (void)name;
    t->x.any.certs = 0;
}

static void
cs__any_start_cert(const br_x509_class **ctx, uint32_t len)
{
    cs_tls *t = (cs_tls *)(void *)((unsigned char *)(void *)ctx
                                   - offsetof(cs_tls, x));
    (void)len;
    if (t->x.any.certs++ == 0)
        br_x509_decoder_init(&t->x.any.dec, NULL, NULL);
}

static void
cs__any_append(const br_x509_class **ctx, const unsigned char *p, size_t n)
{
    cs_tls *t = (cs_tls *)(void *)((unsigned char *)(void *)ctx
                                   - offsetof(cs_tls, x));
    if (t->x.any.certs == 1)          /* the server's own certificate */
        br_x509_decoder_push(&t->x.any.dec, p, n);
}

static void
cs__any_end_cert(const br_x509_class **ctx)
{
    (void)ctx;
}

static unsigned
cs__any_end_chain(const br_x509_class **ctx)
{
    cs_tls *t = (cs_tls *)(void *)((unsigned char *)(void *)ctx
                                   - offsetof(cs_tls, x));
    if (t->x.any.certs == 0)
        return BR_ERR_X509_EMPTY_CHAIN;
    if (br_x509_decoder_get_pkey(&t->x.any.dec) == NULL)
        return BR_ERR_X509_INVALID_VALUE;
    return 0;
}

static const br_x509_pkey *
cs__any_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    cs_tls *t = (cs_tls *)(void *)((unsigned char *)(void *)ctx
                                   - offsetof(cs_tls, x));
    if (usages != NULL)
        *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&t->x.any.dec);
}

static const br_x509_class cs__any_vtable = {
    sizeof(((cs_tls *)0)->x), cs__any_start_chain, cs__any_start_cert,
    cs__any_append, cs__any_end_cert, cs__any_end_chain, cs__any_get_pkey
};

/* ---- the engine over the inner transport ---- */

/* TLS 1.2 suites, ECDHE and AEAD only: AES-GCM first with AES-NI. */
static const uint16_t cs__suites_aes[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
};
static const uint16_t cs__suites_chacha[] = {
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
};

/* The hashes X.509 signatures may use, for the minimal checker. */
static void
cs__tls_hashes(br_x509_minimal_context *x)
{
    br_x509_minimal_set_hash(x, br_sha1_ID, &br_sha1_vtable);
    br_x509_minimal_set_hash(x, br_sha224_ID, &br_sha224_vtable);
    br_x509_minimal_set_hash(x, br_sha256_ID, &br_sha256_vtable);
    br_x509_minimal_set_hash(x, br_sha384_ID, &br_sha384_vtable);
    br_x509_minimal_set_hash(x, br_sha512_ID, &br_sha512_vtable);
}

/* Map BearSSL's error to ours; the code itself stays in t->br_err. */
static int
cs__tls_err(cs_tls *t, int br)
{
    t->br_err = br;
    switch (br) {
    case BR_ERR_X509_NOT_TRUSTED:
        return CS_E_TLS_UNTRUSTED;
    case BR_ERR_X509_EXPIRED:
        return CS_E_TLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        return t->host_ip ? CS_E_TLS_IP_NAME : CS_E_TLS_NAME;
    case BR_ERR_X509_TIME_UNKNOWN:
        return CS_E_TLS_NO_TIME;
    case BR_ERR_UNSUPPORTED_VERSION:
    case BR_ERR_RECV_FATAL_ALERT + 70:        /* protocol_version */
        return CS_E_TLS_VERSION;
    case BR_ERR_BAD_SIGNATURE:
    case BR_ERR_WRONG_KEY_USAGE:
        return t->mode == CS_TLS_PIN ? CS_E_TLS_PIN : CS_E_TLS;
    default:
        if (br >= 32 && br < 64)
            return CS_E_TLS_CERT;
        if (br >= BR_ERR_RECV_FATAL_ALERT && br < BR_ERR_SEND_FATAL_ALERT)
            return CS_E_TLS_ALERT;
        return CS_E_TLS;
    }
}

/* The engine closed: a close_notify (a clean end) or a failure. */
static int
cs__tls_closed(cs_tls *t)
{
    int br = br_ssl_engine_last_error(&t->sc.eng);
    return br == BR_ERR_OK ? CS_E_CLOSED : cs__tls_err(t, br);
}

/* A write failed during the handshake: the server may have refused us
 * with an alert and closed. Handshake alerts are plaintext records
 * (RFC 5246 6.2: type 21, version, length 2, level, description), and
 * BearSSL cannot take input while its one buffer holds our output, so
 * read what is left on the link, in whatever pieces it comes, and look
 * for one (the connect timeout bounds the wait). Returns the alert's
 * error, the write's error once the link ends without one, or 0. */
static int
cs__tls_drain(cs_tls *t)
{
    unsigned char b[512 + 6];
    int n, k, i;

    for (;;) {
        n = t->hold_len;
        CS_MEMCPY(b, t->hold, (size_t)n);
        k = t->inner.read(t->inner.ctx, b + n, 512);
        if (k == 0)
            return 0;
        if (k < 0)
            return t->wfail;
        n += k;
        for (i = 0; i + 7 <= n; i++)
            if (b[i] == 21 && b[i + 1] == 3 && b[i + 3] == 0
                && b[i + 4] == 2 && b[i + 5] == 2)
                return cs__tls_err(t, BR_ERR_RECV_FATAL_ALERT + b[i + 6]);
        t->hold_len = n < 6 ? n : 6;  /* an alert cut between reads */
        CS_MEMCPY(t->hold, b + n - t->hold_len, (size_t)t->hold_len);
    }
}

/* Move records between the engine and the link once. Returns 1 when
 * something moved, 0 when the link would block, or an error. */
static int
cs__tls_io(cs_tls *t, unsigned st)
{
    br_ssl_engine_context *e = &t->sc.eng;
    unsigned char *p;
    size_t n;
    int r;

    if (st & BR_SSL_SENDREC) {        /* records out come first */
        p = br_ssl_engine_sendrec_buf(e, &n);
        r = t->inner.write(t->inner.ctx, p, n < CS_IO_MAX ? n : CS_IO_MAX);
        if (r < 0 && !t->done) {
            t->wfail = r;             /* see cs__tls_drain() */
            t->hold_len = 0;
            return cs__tls_drain(t);
        }
        if (r < 0)
            return r;
        if (r > 0) {
            br_ssl_engine_sendrec_ack(e, (size_t)r);
            return 1;
        }
    }
    if (st & BR_SSL_RECVREC) {
        p = br_ssl_engine_recvrec_buf(e, &n);
        /* Whole records at once: BearSSL's buffer, not rbuf, sizes it. */
        r = t->inner.read(t->inner.ctx, p, n < CS_IO_MAX ? n : CS_IO_MAX);
        if (r == CS_E_CLOSED) {
            t->br_err = BR_ERR_IO;
            return CS_E_TLS_TRUNCATED;        /* EOF, no close_notify */
        }
        if (r < 0)
            return r;
        if (r > 0) {
            br_ssl_engine_recvrec_ack(e, (size_t)r);
            return 1;
        }
    }
    return 0;
}

static int
cs__tls_read(void *ctx, unsigned char *buf, size_t len)
{
    cs_tls *t = (cs_tls *)ctx;
    br_ssl_engine_context *e = &t->sc.eng;

    if (t->wfail != 0)
        return cs__tls_drain(t);
    for (;;) {
        unsigned st = br_ssl_engine_current_state(e);
        int r;

        if (st & BR_SSL_CLOSED)
            return cs__tls_closed(t);
        if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
            t->done = 1;
        if (st & BR_SSL_RECVAPP) {
            size_t n;
            unsigned char *p = br_ssl_engine_recvapp_buf(e, &n);
            if (n > len)
                n = len;
            CS_MEMCPY(buf, p, n);
            br_ssl_engine_recvapp_ack(e, n);
            return (int)n;
        }
        r = cs__tls_io(t, st);
        if (r <= 0)
            return r;
    }
}

static int
cs__tls_write(void *ctx, const unsigned char *buf, size_t len)
{
    cs_tls *t = (cs_tls *)ctx;
    br_ssl_engine_context *e = &t->sc.eng;

    if (t->wfail != 0)
        return cs__tls_drain(t);
    for (;;) {
        unsigned st = br_ssl_engine_current_state(e);
        int r;

        if (st & BR_SSL_CLOSED)
            return cs__tls_closed(t);
        if (st & BR_SSL_SENDAPP) {
            size_t n;
            unsigned char *p = br_ssl_engine_sendapp_buf(e, &n);
            t->done = 1;
            if (n > len)
                n = len;
            CS_MEMCPY(p, buf, n);
            br_ssl_engine_sendapp_ack(e, n);
            br_ssl_engine_flush(e, 0);
            r = cs__tls_io(t, br_ssl_engine_current_state(e));
            return r < 0 ? r : (int)n;
        }
        r = cs__tls_io(t, st);
        if (r <= 0)
            return r;
    }
}

static int
cs__tls_wait(void *ctx, int want, int *fd)
{
    cs_tls *t = (cs_tls *)ctx;
    unsigned st = br_ssl_engine_current_state(&t->sc.eng);
    int w = 0;

    if (t->wfail != 0)
        return t->inner.wait(t->inner.ctx, CS_WANT_READ, fd);
    if (st & BR_SSL_SENDREC)
        w |= CS_WANT_WRITE;
    if ((st & BR_SSL_RECVREC)
        && ((want & CS_WANT_READ)
            || ((want & CS_WANT_WRITE) && !(st & BR_SSL_SENDAPP))))
        w |= CS_WANT_READ;
    if ((st & BR_SSL_RECVAPP) || ((want & CS_WANT_WRITE)
                                  && (st & BR_SSL_SENDAPP)))
        w |= CS_WANT_WRITE;           /* ready now: the link is writable */
    return t->inner.wait(t->inner.ctx, w, fd);
}

/* Unix seconds to BearSSL's days since 0000-01-01 and seconds. */
static void
cs__tls_set_time(cs_tls *t)
{
    int64_t s = 0;

    if (t->unix_time == NULL || t->unix_time(t->time_ctx, &s) != 0)
        return;                       /* BearSSL: time() or TIME_UNKNOWN */
    if (s < 0)
        s = 0;
    br_x509_minimal_set_time(&t->x.minimal, (uint32_t)(719528 + s / 86400),
                             (uint32_t)(s % 86400));
}

static int
cs__tls_open(void *ctx, const cs_url *url)
{
    cs_tls *t = (cs_tls *)ctx;
    br_ssl_engine_context *e = &t->sc.eng;
    unsigned char seed[32];
    const char *name = url->host;
    size_t i;
    int r;

    t->br_err = 0;
    t->done = 0;
    t->started = 0;
    t->notified = 0;
    t->wfail = 0;
    t->host_ip = url->ipv6;
    for (i = 0, r = 1; url->host[i] != '\0'; i++)
        if (!((url->host[i] >= '0' && url->host[i] <= '9')
              || url->host[i] == '.'))
            r = 0;
    t->host_ip |= r;
    switch (t->mode) {
    case CS_TLS_PIN:
        if (t->pin.key_type == BR_KEYTYPE_RSA)
            br_x509_knownkey_init_rsa(&t->x.known, &t->pin.key.rsa,
                                      BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
        else
            br_x509_knownkey_init_ec(&t->x.known, &t->pin.key.ec,
                                     BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
        if (t->host_ip)
            name = NULL;              /* RFC 6066 3: no SNI for an IP */
        break;
    case CS_TLS_INSECURE:
        t->x.any.vtable = &cs__any_vtable;
        if (t->host_ip)
            name = NULL;
        break;
    default:
        if (t->host_ip) {
            /* BearSSL 0.6 never matches IP addresses, and SNI may not
             * carry one (RFC 6066 3): say so before connecting. */
            t->br_err = BR_ERR_X509_BAD_SERVER_NAME;
            return CS_E_TLS_IP_NAME;
        }
        br_x509_minimal_init(&t->x.minimal, &br_sha256_vtable, t->ta,
                             t->ta_count);
        br_x509_minimal_set_rsa(&t->x.minimal, br_ssl_engine_get_rsavrfy(e));
        br_x509_minimal_set_ecdsa(&t->x.minimal, br_ssl_engine_get_ec(e),
                                  br_ssl_engine_get_ecdsa(e));
        cs__tls_hashes(&t->x.minimal);
        cs__tls_set_time(t);
        break;
    }
    br_ssl_engine_set_x509(e, &t->x.minimal.vtable);
    r = t->inner.open(t->inner.ctx, url);
    if (r < 0)
        return r;
    /* BearSSL 0.6 seeds only from RDRAND on x86: add the OS's entropy. */
    if (t->random(t->random_ctx, seed, sizeof seed) != 0)
        return CS_E_RANDOM;
    br_ssl_engine_inject_entropy(e, seed, sizeof seed);
    if (!br_ssl_client_reset(&t->sc, name, 0))
        return cs__tls_err(t, br_ssl_engine_last_error(e));
    t->started = 1;
    return 0;
}

/* Push what BearSSL holds to the link, then the close_notify. Returns 1
 * when all is out, 0 when the link would block, or an error. */
static int
cs__tls_flush(cs_tls *t)
{
    br_ssl_engine_context *e = &t->sc.eng;
    unsigned st;
    int r;

    if (!t->started)
        return 1;
    br_ssl_engine_flush(e, 0);
    for (;;) {
        st = br_ssl_engine_current_state(e);
        if (!(st & BR_SSL_SENDREC)) {
            if ((st & BR_SSL_CLOSED) || t->notified)
                return 1;
            br_ssl_engine_close(e);   /* close_notify, once */
            t->notified = 1;
            continue;
        }
        r = cs__tls_io(t, st & ~(unsigned)BR_SSL_RECVREC);
        if (r <= 0)
            return r;
    }
}

static void
cs__tls_close(void *ctx)
{
    cs_tls *t = (cs_tls *)ctx;
    br_ssl_engine_context *e = &t->sc.eng;

    if (t->started && !t->notified
        && !(br_ssl_engine_current_state(e) & BR_SSL_CLOSED)) {
        int i;
        br_ssl_engine_close(e);       /* close_notify, if it can go now */
        for (i = 0; i < 64; i++)
            if (cs__tls_io(t, br_ssl_engine_current_state(e)
                              & ~(unsigned)BR_SSL_RECVREC) <= 0)
                break;
    }
    t->started = 0;
    t->notified = 0;
    t->inner.close(t->inner.ctx);
}

CSDEF void
cs_tls_transport(cs_tls *t, const cs_transport *inner,
                 int (*random)(void *ctx, void *buf, size_t len),
                 void *random_ctx, cs_transport *out)
{
    br_ssl_engine_context *e = &t->sc.eng;

    CS_ASSERT(t != NULL && inner != NULL && random != NULL && out != NULL);
    CS_MEMSET(t, 0, sizeof *t);
    t->inner = *inner;
    t->random = random;
    t->random_ctx = random_ctx;
    br_ssl_client_zero(&t->sc);
    br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
    if (br_aes_x86ni_ctr_get_vtable() != NULL)
        br_ssl_engine_set_suites(e, cs__suites_aes,
                                 sizeof cs__suites_aes / 2);
    else
        br_ssl_engine_set_suites(e, cs__suites_chacha,
                                 sizeof cs__suites_chacha / 2);
    br_ssl_client_set_default_rsapub(&t->sc);
    br_ssl_engine_set_default_rsavrfy(e);
    br_ssl_engine_set_default_ecdsa(e);
    br_ssl_engine_set_default_ec(e);
    br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(e, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_hash(e, br_sha1_ID, &br_sha1_vtable);
    br_ssl_engine_set_hash(e, br_sha224_ID, &br_sha224_vtable);
    br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(e);
    br_ssl_engine_set_default_chapol(e);
    br_ssl_engine_set_buffer(e, t->buf, sizeof t->buf,
                             sizeof t->buf >= BR_SSL_BUFSIZE_BIDI);
    out->open = cs__tls_open;
    out->read = cs__tls_read;
    out->write = cs__tls_write;
    out->wait = cs__tls_wait;
    out->close = cs__tls_close;
    out->ctx = t;
}

CSDEF void
cs_tls_trust(cs_tls *t, const br_x509_trust_anchor *ta, size_t count)
{
    t->mode = CS_TLS_VERIFY;
    t->ta = ta;
    t->ta_count = count;
}

/* The key of the first certificate in cert (PEM or DER) into t->pin. */
CSDEF int
cs_tls_pin(cs_tls *t, const void *cert, size_t len)
{
    const unsigned char *p = (const unsigned char *)cert;
    br_x509_decoder_context xd;
    br_x509_pkey *pk;
    size_t i;

    br_x509_decoder_init(&xd, NULL, NULL);
    if (len > 0 && p[0] == 0x30) {
        br_x509_decoder_push(&xd, p, len);      /* DER */
    } else {
        br_pem_decoder_context pem;
        int in = 0, done = 0;
        br_pem_decoder_init(&pem);
        while (len > 0 && !done) {
            size_t k = br_pem_decoder_push(&pem, p, len);
            p += k, len -= k;
            switch (br_pem_decoder_event(&pem)) {
            case BR_PEM_BEGIN_OBJ:
                in = cs__pem_is_cert(br_pem_decoder_name(&pem));
                br_pem_decoder_setdest(&pem, in ? cs__pem_der : NULL, &xd);
                break;
            case BR_PEM_END_OBJ:
                done = in;
                break;
            case BR_PEM_ERROR:
                return CS_E_TLS_PEM;
            default:
                break;
            }
        }
        if (!done)
            return CS_E_TLS_PEM;
    }
    pk = br_x509_decoder_get_pkey(&xd);
    if (pk == NULL)
        return CS_E_TLS_PEM;
    t->pin = *pk;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        if (pk->key.rsa.nlen + pk->key.rsa.elen > sizeof t->pin_buf)
            return CS_E_TLS_PEM;
        CS_MEMCPY(t->pin_buf, pk->key.rsa.n, pk->key.rsa.nlen);
        CS_MEMCPY(t->pin_buf + pk->key.rsa.nlen, pk->key.rsa.e,
                  pk->key.rsa.elen);
        t->pin.key.rsa.n = t->pin_buf;
        t->pin.key.rsa.e = t->pin_buf + pk->key.rsa.nlen;
    } else {
        if (pk->key.ec.qlen > sizeof t->pin_buf)
            return CS_E_TLS_PEM;
        for (i = 0; i < pk->key.ec.qlen; i++)
            t->pin_buf[i] = pk->key.ec.q[i];
        t->pin.key.ec.q = t->pin_buf;
    }
    t->mode = CS_TLS_PIN;
    return 0;
}

CSDEF void
cs_tls_insecure(cs_tls *t)
{
    t->mode = CS_TLS_INSECURE;
}

CSDEF void
cs_tls_clock(cs_tls *t, int (*unix_time)(void *ctx, int64_t *seconds),
             void *ctx)
{
    t->unix_time = unix_time;
    t->time_ctx = ctx;
}

CSDEF int
cs_tls_last_error(const cs_tls *t)
{
    return t->br_err;
}

#endif /* CS_HAS_TLS */

/* ==== [3] the client engine =============================================== */

/* Phases of a client. */
enum {
    CS__IDLE,      /* waiting for t_retry, then a new attempt */
    CS__HANDSHAKE, /* connecting, request out, response in */
    CS__OPEN,      /* websocket open */
    CS__CLOSING,   /* our close is out (or going): wait, then drop */
    CS__DONE       /* finished: cs_client_step() returns 1 */
};

/* Reads per step before timers and writes get their turn. */
#define CS__READS_PER_STEP 64

CSDEF void
cs_config_init(cs_config *cfg)
{
    CS_MEMSET(cfg, 0, sizeof *cfg);
    cfg->parse = 1;
    cfg->reconnect = 1;
    cfg->max_message = CS_WS_MAX_MESSAGE;
    cfg->ping_interval_ms = 15000;
    cfg->dead_timeout_ms = 45000;
    cfg->connect_timeout_ms = 10000;
    cfg->close_timeout_ms = 2000;
    cfg->backoff_min_ms = 1000;
    cfg->backoff_max_ms = 60000;
    cfg->healthy_ms = 30000;
    cfg->max_redirects = 3;
}

/* Deliver one event to the caller. */
static void
cs__emit(cs_client *c, cs_event *ev)
{
    if (c->cfg.on_event != NULL)
        c->cfg.on_event(c->cfg.ctx, ev);
}

/* An event with just a type, an error and a status. */
static void
cs__emit3(cs_client *c, int type, int err, int status)
{
    cs_event ev;

    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = type;
    ev.err = err;
    ev.status = status;
    cs__emit(c, &ev);
}

/* The URL as text, for CS_EV_CONNECTING and CS_EV_REDIRECT. */
static size_t
cs__url_text(const cs_url *u, char *out, size_t cap)
{
    size_t o = 0;

    cs__puts(out, cap, &o, u->tls ? "wss://" : "ws://");
    cs__put_authority(out, cap, &o, u);
    cs__puts(out, cap, &o, u->path);
    return o;
}

/* Drop the queued pong that has not started to go out, if any: a newer
 * one replaces it (RFC 6455 5.5.3: only the most recent ping needs an
 * answer). Returns 1 if one was dropped. */
static int
cs__drop_pong(cs_client *c)
{
    size_t k, cut = c->pong_len;

    if (cut == 0 || c->pong_at < c->soff)
        return 0;
    for (k = c->pong_at; k + cut < c->slen; k++)
        c->sbuf[k] = c->sbuf[k + cut];
    c->slen -= cut;
    c->pong_len = 0;
    c->stats.pings_answered--;
    return 1;
}

/* Queue a control frame, masked with a fresh key (RFC 6455 5.3). When a
 * pong does not fit, it replaces the unsent one. Returns 0, CS_E_RANDOM,
 * or CS_E_BUFFER (no room: the frame is dropped). */
static int
cs__queue(cs_client *c, int op, int status, const void *p, size_t n)
{
    unsigned char key[4];
    size_t k;

    if (c->cfg.random(c->cfg.random_ctx, key, 4) != 0)
        return CS_E_RANDOM;
    for (;;) {
        size_t from = c->soff;
        for (k = 0; from > 0 && k < c->slen - from; k++)
            c->sbuf[k] = c->sbuf[from + k]; /* overlapping: forward copy */
        c->slen -= from;
        c->soff = 0;
        if (c->pong_len > 0)
            c->pong_at -= from;
        if (op == CS_WS_OP_CLOSE)
            k = cs_ws_close_frame(c->sbuf + c->slen, CS_SEND_BUF - c->slen,
                                  status, (const char *)p, n, key);
        else
            k = cs_ws_frame(c->sbuf + c->slen, CS_SEND_BUF - c->slen, op, p,
                            n, key);
        if (k > 0 || op != CS_WS_OP_PONG || !cs__drop_pong(c))
            break;
    }
    if (k == 0)
        return CS_E_BUFFER;
    if (op == CS_WS_OP_PONG) {
        c->pong_at = c->slen;
        c->pong_len = k;
    }
    c->slen += k;
    return 0;
}

/* Write queued bytes. Returns 1 when all are out, 0 when the transport
 * would block, or an error. */
static int
cs__flush(cs_client *c)
{
    while (c->soff < c->slen) {
        size_t n = c->slen - c->soff;
        int r = c->tr.write(c->tr.ctx, c->out + c->soff,
                            n < CS_IO_CHUNK ? n : CS_IO_CHUNK);
        if (r <= 0)
            return r;
        c->soff += (size_t)r;
        if (c->pong_len > 0 && c->out == c->sbuf && c->soff > c->pong_at)
            c->pong_len = 0;          /* on its way: keep it whole */
    }
    c->soff = c->slen = 0;
    c->pong_len = 0;
    return 1;
}

/* Schedule the next attempt, or finish (stopped, or one connection only).
 * The delay doubles up to backoff_max_ms, with +-25% jitter so that many
 * clients of one restarting server do not return in step; Retry-After
 * wins when longer. */
static void
cs__next(cs_client *c, int err)
{
    uint32_t b = c->backoff_ms, r = 0;
    uint64_t d;

    if (c->stop || !c->cfg.reconnect) {
        c->phase = CS__DONE;
        c->result = c->stop ? 0 : err;
        return;
    }
    if (c->cfg.random(c->cfg.random_ctx, &r, sizeof r) != 0)
        r = 0;
    d = (uint64_t)b * 3 / 4 + r % (b / 2 + 1);
    if (d > c->cfg.backoff_max_ms)
        d = c->cfg.backoff_max_ms;    /* the jitter stays under the cap */
    if (c->retry_after > 86400)
        c->retry_after = 86400;       /* a day at most */
    if (c->retry_after >= 0 && (uint64_t)c->retry_after * 1000 > d)
        d = (uint64_t)c->retry_after * 1000;
    c->retry_after = -1;
    c->backoff_ms = b > c->cfg.backoff_max_ms / 2 ? c->cfg.backoff_max_ms
                                                  : b * 2;
    c->t_retry = c->now + d;
    c->phase = CS__IDLE;
    {
        cs_event ev;
        CS_MEMSET(&ev, 0, sizeof ev);
        ev.type = CS_EV_RETRY;
        ev.err = err;
        ev.delay_ms = d;
        cs__emit(c, &ev);
    }
}

/* BearSSL's code behind a TLS error, for cs_event.detail. */
static int64_t
cs__detail(const cs_client *c, int err)
{
#if CS_HAS_TLS
    if (err <= -40 && err >= -59 && c->url.tls)
        return cs_tls_last_error(&c->tls);
#endif
    (void)c;
    (void)err;
    return 0;
}

/* Back to the configured URL (after redirects); it parsed at init. */
static void
cs__url_reset(cs_client *c)
{
    (void)cs_url_parse(&c->url, c->cfg.url, cs__strlen(c->cfg.url));
}

/* An attempt failed before the websocket opened. A redirect is followed
 * at once (RFC 6455 4.1 allows it); everything else backs off. */
static void
cs__attempt_fail(cs_client *c, int err)
{
    char *text = (char *)c->rbuf;     /* free now: no stack for it */
    cs_event ev;

    c->tr.close(c->tr.ctx);
    if (err == CS_E_HS_REDIRECT && c->redirects >= c->cfg.max_redirects)
        err = CS_E_HS_REDIRECTS;
    if (err == CS_E_HS_REDIRECT) {
        const char *loc = cs_hs_location(&c->u.hs);
        int was_tls = c->url.tls;
        if (cs_url_resolve(&c->url, loc, cs__strlen(loc)) != 0)
            err = CS_E_URL;
        else if (c->url.tls && !CS_HAS_TLS)
            err = CS_E_NO_TLS;
        else if (was_tls && !c->url.tls)
            err = CS_E_TLS_DOWNGRADE; /* never from wss:// to cleartext */
    }
    if (err == CS_E_HS_REDIRECT && !c->stop) {
        c->redirects++;
        CS_MEMSET(&ev, 0, sizeof ev);
        ev.type = CS_EV_REDIRECT;
        ev.status = cs_hs_status(&c->u.hs);
        ev.text = text;
        ev.len = cs__url_text(&c->url, text, CS_IO_CHUNK);
        cs__emit(c, &ev);
        c->phase = CS__IDLE;
        c->t_retry = c->now;
        return;
    }
    c->stats.failures++;
    c->redirects = 0;
    cs__url_reset(c);
    if (err == CS_E_HS_STATUS)
        c->retry_after = cs_hs_retry_after(&c->u.hs);
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_FAILED;
    ev.err = err;
    ev.status = cs_hs_status(&c->u.hs);
    ev.detail = cs__detail(c, err);
    cs__emit(c, &ev);
    cs__next(c, err);
}

/* Start an attempt: request, then open the transport. */
static void
cs__attempt(cs_client *c)
{
    char *text = (char *)c->rbuf;     /* before the request goes there */
    unsigned char key[16];
    cs_event ev;
    int r;

    if (c->attempts++ > 0)
        c->stats.reconnects++;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_CONNECTING;
    ev.text = text;
    ev.len = cs__url_text(&c->url, text, CS_IO_CHUNK);
    cs__emit(c, &ev);
    c->phase = CS__HANDSHAKE;
    c->t_phase = c->now;
#if CS_HAS_TLS
    c->tr = c->url.tls ? c->tls_tr : c->link;
#endif
    c->rlen = c->roff = c->slen = c->soff = 0;
    c->out = c->rbuf;                 /* the request goes out first */
    c->pong_len = 0;
    c->close_sent = 0;
    c->close_status = 1006;
    c->reason_len = 0;
    c->conn_err = 0;
    r = c->cfg.random(c->cfg.random_ctx, key, sizeof key) != 0
      ? CS_E_RANDOM
      : cs_hs_request(&c->u.hs, (char *)c->rbuf, CS_IO_CHUNK, &c->url, key,
                      c->cfg.headers, c->cfg.header_count);
    if (r >= 0) {
        c->slen = (size_t)r;
        r = c->tr.open(c->tr.ctx, &c->url);
    }
    if (r < 0)
        cs__attempt_fail(c, r);
}

/* The connection is over: release it, tell the caller, go on. */
static void
cs__conn_end(cs_client *c, int err)
{
    cs_event ev;
    int res;

    c->tr.close(c->tr.ctx);
    cs__url_reset(c);                 /* redirects are followed anew */
    if (c->in_msg && c->cfg.parse)
        cs_json_begin(&c->u.json);      /* a cut message is dropped */
    c->in_msg = 0;
    if (c->now - c->t_connected >= c->cfg.healthy_ms)
        c->backoff_ms = c->cfg.backoff_min_ms;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_DISCONNECTED;
    ev.err = err;
    ev.detail = cs__detail(c, err);
    ev.status = c->close_status;
    ev.text = c->reason;
    ev.len = c->reason_len;
    cs__emit(c, &ev);
    res = err;
    if (err == 0 && c->peer_closed && c->close_status != 1000)
        res = CS_E_WS_CLOSED_BY_PEER;
    cs__next(c, res);
}

/* Start closing: queue a close with status (0: none), then either drop as
 * soon as it is out (drop = 1: we failed the connection, or answered the
 * server's close) or wait up to close_timeout_ms for the server's. */
static void
cs__close(cs_client *c, int status, int err, int drop)
{
    static const char bye[] = "";

    if (!c->close_sent) {
        c->close_sent = 1;
        if (status != 0 && !c->peer_closed)
            c->close_status = status;
        if (cs__queue(c, CS_WS_OP_CLOSE, status, bye, 0) != 0)
            drop = 2;                 /* cannot even say goodbye */
    }
    if (c->conn_err == 0)
        c->conn_err = err;
    c->drop = drop;
    c->phase = CS__CLOSING;
    c->t_phase = c->now;
}

/* A message ended: tell the caller what it held. */
static void
cs__message_end(cs_client *c)
{
    cs_event ev;

    c->stats.messages++;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.opcode = cs_ws_opcode(&c->ws);
    if (c->cfg.raw) {
        ev.type = CS_EV_RAW_END;
        cs__emit(c, &ev);
    }
    if (c->cfg.parse) {
        if (!c->in_msg)
            cs_json_begin(&c->u.json);  /* an empty message */
        ev.type = CS_EV_MESSAGE;
        ev.err = cs_json_end(&c->u.json);
        if (ev.err == 0) {
            ev.msg = cs_json_msg(&c->u.json);
            c->stats.by_type[ev.msg->type]++;
        } else {
            ev.detail = (int64_t)cs_json_error_offset(&c->u.json);
            c->stats.parse_errors++;
        }
        cs__emit(c, &ev);
    }
    c->in_msg = 0;
}

/* A slice of a text message that the frame decoder left unchecked: the
 * extractor validates every byte of JSON text as UTF-8, so one pass does
 * both. A JSON UTF-8 error is the websocket's (1007). After any other
 * JSON error (the extractor then ignores the rest) the bytes before it
 * were valid and end on a character boundary: check the rest of the slice
 * here, and the decoder checks the rest of the message. Returns 0 or
 * CS_E_WS_UTF8. */
static int
cs__text_slice(cs_client *c, const unsigned char *p, size_t n)
{
    int r = cs_json_feed(&c->u.json, p, n);
    uint64_t at;
    size_t k;
    cs__utf8 u;

    if (r == 0)
        return 0;
    if (r == CS_E_JSON_UTF8)
        return CS_E_WS_UTF8;
    at = cs_json_error_offset(&c->u.json);
    k = at <= c->msg_fed ? 0 : at - c->msg_fed >= n ? n
                                                    : (size_t)(at - c->msg_fed);
    u.need = 0, u.lo = 0x80, u.hi = 0xBF;
    if (cs__utf8_scan(&u, p + k, n - k) != n - k)
        return CS_E_WS_UTF8;
    c->ws.u8 = u;
    c->ws.check_msg = 1;
    return 0;
}

/* One decoder event while the websocket is open (or closing). */
static void
cs__ws_event(cs_client *c, int e)
{
    size_t n;
    const unsigned char *p = cs_ws_payload(&c->ws, &n);
    cs_event ev;
    int r;

    if (c->phase == CS__CLOSING && e != CS_WS_CLOSE)
        return;                       /* we are leaving: no more messages */
    switch (e) {
    case CS_WS_DATA:
        if (!c->in_msg && c->cfg.parse)
            cs_json_begin(&c->u.json);
        if (!c->in_msg)
            c->msg_fed = 0;
        c->in_msg = 1;
        if (c->cfg.parse && cs_ws_opcode(&c->ws) == CS_WS_OP_TEXT
            && !c->ws.check_msg) {
            if (cs__text_slice(c, p, n) != 0) {
                c->stats.protocol_errors++;      /* 8.1: fail, 1007 */
                cs__close(c, 1007, CS_E_WS_UTF8, 1);
                break;                /* and deliver nothing of it */
            }
        } else if (c->cfg.parse) {
            cs_json_feed(&c->u.json, p, n);
        }
        c->msg_fed += n;
        if (c->cfg.raw) {
            CS_MEMSET(&ev, 0, sizeof ev);
            ev.type = CS_EV_RAW;
            ev.opcode = cs_ws_opcode(&c->ws);
            ev.text = (const char *)p;
            ev.len = n;
            cs__emit(c, &ev);
        }
        break;
    case CS_WS_END:
        if (c->cfg.parse && cs_ws_opcode(&c->ws) == CS_WS_OP_TEXT
            && !c->ws.check_msg && c->in_msg && c->u.json.u8need != 0) {
            c->stats.protocol_errors++;  /* it ends inside a character */
            cs__close(c, 1007, CS_E_WS_UTF8, 1);
            break;
        }
        cs__message_end(c);
        break;
    case CS_WS_PING:
        /* 5.5.2: a pong with the same payload, as soon as possible. */
        r = cs__queue(c, CS_WS_OP_PONG, 0, p, n);
        if (r == 0)
            c->stats.pings_answered++;
        else if (r == CS_E_RANDOM)
            cs__conn_end(c, r);       /* no mask, no pong: give up */
        break;
    case CS_WS_PONG:
        c->stats.pongs_received++;
        break;
    default:                          /* CS_WS_CLOSE */
        /* 5.5.1: echo the status (1000 when none came), then close. */
        c->peer_closed = 1;
        c->close_status = cs_ws_close_status(&c->ws);
        c->reason_len = n < sizeof c->reason ? n : sizeof c->reason - 1;
        if (c->reason_len > 0)
            CS_MEMCPY(c->reason, p, c->reason_len);
        c->reason[c->reason_len] = '\0';
        cs__close(c, c->close_status == 1005 ? 1000 : c->close_status, 0,
                  1);
        break;
    }
}

/* Decode everything received so far. */
static void
cs__ws_input(cs_client *c)
{
    while (c->phase == CS__OPEN || c->phase == CS__CLOSING) {
        size_t used;
        int e;

        if (c->stop && c->phase == CS__OPEN)
            break;                    /* deliver nothing after a stop */
        e = cs_ws_feed(&c->ws, c->rbuf + c->roff, c->rlen - c->roff, &used);
        c->roff += used;
        if (e == 0)
            break;
        if (e < 0) {
            c->roff = c->rlen;
            if (c->phase == CS__OPEN) {
                /* 7.1.7: fail the connection with the matching code. */
                c->stats.protocol_errors++;
                cs__close(c, cs_ws_fail_status(e), e, 1);
            } else if (!c->drop) {
                cs__conn_end(c, c->conn_err);  /* no second close */
            }
            break;
        }
        cs__ws_event(c, e);
        if (c->peer_closed)
            break;
    }
}

/* The handshake response: on success the rest of rbuf is frames. */
static void
cs__hs_input(cs_client *c)
{
    size_t used;
    int r = cs_hs_feed(&c->u.hs, c->rbuf + c->roff, c->rlen - c->roff, &used);

    c->roff += used;
    if (r == 0)
        return;
    if (r < 0) {
        cs__attempt_fail(c, r);
        return;
    }
    c->phase = CS__OPEN;
    c->redirects = 0;
    c->peer_closed = 0;
    c->t_connected = c->t_rx = c->t_ping = c->now;
    c->stats.connects++;
    c->stats.bytes += c->rlen - c->roff;  /* frames in the same read */
    c->out = c->sbuf;
    cs_ws_init(&c->ws, c->cfg.max_message);
    cs_ws_skip_utf8(&c->ws, c->cfg.parse);  /* the extractor checks text */
    cs_json_init(&c->u.json, c->cfg.dom, c->cfg.dom_cap);
#if CS_HAS_TLS
    if (c->url.tls && c->tls.mode == CS_TLS_INSECURE) {
        static const char w[] = "TLS certificate NOT verified "
                                "(insecure mode): anyone can pose as "
                                "this server";
        cs_event ev;
        CS_MEMSET(&ev, 0, sizeof ev);
        ev.type = CS_EV_WARNING;
        ev.text = w;
        ev.len = sizeof w - 1;
        cs__emit(c, &ev);
    }
#endif
    cs__emit3(c, CS_EV_CONNECTED, 0, 101);
}

/* Timers: connect timeout, pings, dead connection, closing timeout. */
static void
cs__timers(cs_client *c)
{
    const cs_config *g = &c->cfg;

    if (c->phase == CS__HANDSHAKE && g->connect_timeout_ms > 0
        && c->now - c->t_phase >= g->connect_timeout_ms) {
        cs__attempt_fail(c, CS_E_TIMEOUT);
    } else if (c->phase == CS__OPEN && g->dead_timeout_ms > 0
               && c->now - c->t_rx >= g->dead_timeout_ms) {
        cs__conn_end(c, CS_E_DEAD);   /* silent: no close can get through */
    } else if (c->phase == CS__CLOSING
               && c->now - c->t_phase >= g->close_timeout_ms) {
        cs__conn_end(c, c->conn_err);
    } else if (c->phase == CS__OPEN && g->ping_interval_ms > 0
               && c->now - c->t_ping >= g->ping_interval_ms) {
        /* Keepalive: Elixir drops silent clients at 60 s, Go at 65 s. */
        int r = cs__queue(c, CS_WS_OP_PING, 0, "cs", 2);
        c->t_ping = c->now;
        if (r == 0)
            c->stats.pings_sent++;
        else if (r == CS_E_RANDOM)
            cs__conn_end(c, r);
    }
}

/* The earliest time step must run again. */
static uint64_t
cs__deadline(const cs_client *c)
{
    const cs_config *g = &c->cfg;
    uint64_t d = c->now + 3600000u, t;

    switch (c->phase) {
    case CS__IDLE:
        d = c->t_retry;
        break;
    case CS__HANDSHAKE:
        if (g->connect_timeout_ms > 0)
            d = c->t_phase + g->connect_timeout_ms;
        break;
    case CS__OPEN:
        if (g->dead_timeout_ms > 0)
            d = c->t_rx + g->dead_timeout_ms;
        t = c->t_ping + g->ping_interval_ms;
        if (g->ping_interval_ms > 0 && t < d)
            d = t;
        break;
    case CS__CLOSING:
        d = c->t_phase + g->close_timeout_ms;
        break;
    default:
        d = c->now;
        break;
    }
    t = c->t_tick + g->tick_ms;
    return g->tick_ms > 0 && t < d ? t : d;
}

/* Write what is queued; a failure ends the attempt or the connection, and
 * so does the last byte of a close we were told to drop after. Returns 1
 * when everything is out, else 0. */
static int
cs__send(cs_client *c)
{
    int r = cs__flush(c);

    if (r < 0) {
        if (c->phase == CS__HANDSHAKE)
            cs__attempt_fail(c, r);
        else
            cs__conn_end(c, c->phase == CS__CLOSING && c->drop
                            ? c->conn_err : r);
        return 0;
    }
    if (r == 1 && c->phase == CS__CLOSING && c->drop) {
        /* Our close is out of our queue; TLS may still hold it in its
         * records: drain them and send close_notify first (bounded by
         * close_timeout_ms, as the whole closing is). */
#if CS_HAS_TLS
        if (c->url.tls && cs__tls_flush(&c->tls) == 0)
            return 0;
#endif
        cs__conn_end(c, c->conn_err);
        return 0;
    }
    return r;
}

/* 1 while the client has a connection (or an attempt) to work on. */
static int
cs__live(const cs_client *c)
{
    return c->phase == CS__HANDSHAKE || c->phase == CS__OPEN
        || c->phase == CS__CLOSING;
}

/* Move bytes both ways: send what is queued, read until the transport has
 * nothing more, answer pings on the way. Returns 1 when it stopped early
 * (read cap, or a stop request to act on), else 0. */
static int
cs__io(cs_client *c)
{
    int r, reads;

    cs__send(c);
    if (c->phase == CS__HANDSHAKE && c->slen > c->soff)
        return 0;                     /* rbuf still holds the request */
    for (reads = 0; reads < CS__READS_PER_STEP; reads++) {
        if (!cs__live(c))
            return 0;
        if (c->stop && c->phase == CS__OPEN)
            return 1;
        if (c->roff == c->rlen) {
            c->roff = c->rlen = 0;
            r = c->tr.read(c->tr.ctx, c->rbuf, CS_IO_CHUNK);
            if (r == 0)
                return 0;
            if (r < 0) {
                if (c->phase == CS__HANDSHAKE)
                    cs__attempt_fail(c, r);
                else if (c->phase == CS__CLOSING && c->url.tls && !c->drop
                         && r == CS_E_CLOSED)
                    c->drop = 1;      /* close_notify came: answer it */
                else if (c->phase == CS__CLOSING)
                    cs__conn_end(c, c->conn_err);  /* the server left */
                else
                    cs__conn_end(c, r);
                return 0;
            }
            c->rlen = (size_t)r;
            c->t_rx = c->now;
            if (c->phase != CS__HANDSHAKE)
                c->stats.bytes += (uint64_t)r;
        }
        if (c->phase == CS__HANDSHAKE)
            cs__hs_input(c);
        if (c->phase == CS__OPEN || c->phase == CS__CLOSING)
            cs__ws_input(c);
        if (cs__live(c) && c->slen > c->soff)
            cs__send(c);              /* a pong or close: at once */
    }
    return 1;
}

#if CS_HAS_TLS
/* The trust of t from g, in the documented order (cs_tls_config): the
 * anchors go to a (from g->anchor_mem) or builtin; *trust says where they
 * came from. Takes no cs_client, so another engine can share it. */
static int
cs__tls_setup(cs_tls *t, const cs_tls_config *g, cs_anchors *a,
              br_x509_trust_anchor *builtin, const char **trust)
{
    size_t n;

    cs_tls_clock(t, g->unix_time, g->time_ctx);
    if (g->mode == CS_TLS_INSECURE) {
        cs_tls_insecure(t);
        *trust = "nothing (insecure mode)";
        return 0;
    }
    if (g->mode == CS_TLS_PIN) {
        *trust = "the pinned key";
        return g->pin_cert == NULL ? CS_E_ARG
             : cs_tls_pin(t, g->pin_cert, g->pin_cert_len);
    }
    if (g->mode != CS_TLS_VERIFY)
        return CS_E_ARG;
    if (g->anchors != NULL && g->anchor_count > 0) {
        cs_tls_trust(t, g->anchors, g->anchor_count);
        *trust = "the caller's anchors";
        return 0;
    }
    cs_anchors_init(a, g->anchor_mem,
                    g->anchor_mem != NULL ? g->anchor_mem_cap : 0);
    if (g->ca_file != NULL) {
#if CS_HAS_POSIX
        int r = cs_anchors_load(a, g->ca_file);
        if (r <= 0)
            return r < 0 ? r : a->skipped > 0 ? CS_E_TLS_NO_ANCHORS
                                              : CS_E_TLS_CA_FILE;
        cs_tls_trust(t, a->ta, a->count);
        *trust = g->ca_file;
        return 0;
#else
        return CS_E_ARG;              /* no files without POSIX */
#endif
    }
#if CS_HAS_POSIX
    if (g->anchor_mem != NULL
        && cs_anchors_load_system(a, trust) > 0) {
        cs_tls_trust(t, a->ta, a->count);
        return 0;
    }
#endif
    n = cs_tls_builtin_anchors(builtin, CS_TLS_BUILTIN);
    cs_tls_trust(t, builtin, n);
    *trust = "the built-in anchors";
    return 0;
}

CSDEF const char *
cs_client_trust(const cs_client *c, size_t *count, size_t *bytes)
{
    if (count != NULL)
        *count = c->tls.mode == CS_TLS_VERIFY ? c->tls.ta_count : 0;
    if (bytes != NULL)
        *bytes = cs_anchors_used(&c->anchors);
    return c->trust;
}
#endif

CSDEF int
cs_client_init(cs_client *c, const cs_config *cfg, const cs_transport *t)
{
    size_t i;

    CS_ASSERT(c != NULL && cfg != NULL && t != NULL);
    CS_MEMSET(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->tr = c->link = *t;
    c->wake_fd = -1;
    c->retry_after = -1;
    c->close_status = 1006;
    if (cfg->url == NULL)
        return CS_E_URL;
    if (cs_url_parse(&c->url, cfg->url, cs__strlen(cfg->url)) != 0
        || c->url.scheme >= CS_URL_HTTP)
        return CS_E_URL;              /* the websocket client: ws, wss */
    if (c->url.tls && !CS_HAS_TLS)
        return CS_E_NO_TLS;
    if (cfg->header_count > CS_MAX_HEADERS)
        return CS_E_ARG;
    for (i = 0; i < cfg->header_count; i++)
        if (cfg->headers[i] == NULL || !cs__hs_extra_ok(cfg->headers[i]))
            return CS_E_ARG;
    if (c->cfg.random == NULL) {
#if CS_HAS_POSIX
        c->cfg.random = cs_os_random;
#else
        return CS_E_ARG;
#endif
    }
    if (c->cfg.backoff_min_ms == 0 || c->cfg.backoff_max_ms
                                          < c->cfg.backoff_min_ms
        || t->open == NULL || t->read == NULL || t->write == NULL
        || t->wait == NULL || t->close == NULL)
        return CS_E_ARG;
    c->backoff_ms = c->cfg.backoff_min_ms;
    c->phase = CS__IDLE;
#if CS_HAS_TLS
    cs_tls_transport(&c->tls, &c->link, c->cfg.random, c->cfg.random_ctx,
                     &c->tls_tr);
    return cs__tls_setup(&c->tls, &c->cfg.tls, &c->anchors, c->builtin,
                         &c->trust);
#else
    return 0;
#endif
}

CSDEF int
cs_client_step(cs_client *c, uint64_t now_ms, cs_wait *w)
{
    int more = 0, rounds;

    CS_ASSERT(c != NULL && w != NULL);
    c->now = now_ms;
    if (!c->ticking)
        c->ticking = 1, c->t_tick = now_ms;  /* the first step: the clock */
    if (c->cfg.tick_ms > 0 && now_ms - c->t_tick >= c->cfg.tick_ms
        && c->phase != CS__DONE) {
        c->t_tick = now_ms;
        cs__emit3(c, CS_EV_TICK, 0, 0);
    }
    for (rounds = 0; rounds < 8 && c->phase != CS__DONE; rounds++) {
        if (c->stop) {
            if (c->phase == CS__IDLE || c->phase == CS__HANDSHAKE) {
                c->tr.close(c->tr.ctx);
                c->phase = CS__DONE;
                c->result = 0;
                break;
            }
            if (c->phase == CS__OPEN)
                cs__close(c, 1000, 0, 0);
        }
        if (c->phase == CS__IDLE) {
            if (c->now < c->t_retry)
                break;
            cs__attempt(c);
            continue;
        }
        more = cs__io(c);
        if (cs__live(c))
            cs__timers(c);
        if (cs__live(c) && c->slen > c->soff)
            cs__send(c);              /* a ping just queued */
        if (!more)
            break;
    }
    w->fd = -1;
    w->want = 0;
    w->deadline_ms = more ? c->now : cs__deadline(c);
    if (c->phase == CS__DONE)
        return 1;
    if (cs__live(c)) {
        int want = CS_WANT_READ | (c->slen > c->soff
                                   || (c->phase == CS__CLOSING && c->drop)
                                   ? CS_WANT_WRITE : 0);
        w->want = c->tr.wait(c->tr.ctx, want, &w->fd);
    }
    return 0;
}

CSDEF void
cs_client_stop(cs_client *c)
{
    c->stop = 1;
    if (c->wake != NULL && c->wake_fd >= 0)
        c->wake(c->wake_fd);
}

CSDEF int
cs_client_result(const cs_client *c)
{
    return c->result;
}

CSDEF int
cs_client_close_status(const cs_client *c)
{
    return c->close_status;
}

CSDEF const cs_stats *
cs_client_stats(const cs_client *c)
{
    return &c->stats;
}

CSDEF void
cs_client_close(cs_client *c)
{
    c->tr.close(c->tr.ctx);
}

/* ==== [4] POSIX: TCP transport, clock, entropy ====== off: _NO_POSIX ==== */
#if CS_HAS_POSIX

/* Close the socket, if any. */
static void
cs__posix_drop(cs_posix *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->connecting = 0;
}

/* Connect to addresses from p->cur on, non-blocking, until one is under
 * way. Returns 0 (connected or connecting) or CS_E_CONNECT. */
static int
cs__posix_try(cs_posix *p)
{
    for (; p->cur < p->naddr; p->cur++) {
        const struct sockaddr *sa = (const struct sockaddr *)(const void *)
                                        p->addr[p->cur];
        int one = 1, fl;

        cs__posix_drop(p);
        p->fd = socket(sa->sa_family, SOCK_STREAM, 0);
        if (p->fd < 0) {
            p->last_errno = errno;
            continue;
        }
        fl = fcntl(p->fd, F_GETFL, 0);
        if (fl < 0 || fcntl(p->fd, F_SETFL, fl | O_NONBLOCK) < 0
            || fcntl(p->fd, F_SETFD, FD_CLOEXEC) < 0) {
            p->last_errno = errno;
            continue;
        }
#ifdef SO_NOSIGPIPE
        (void)setsockopt(p->fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        (void)setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(p->fd, sa, (socklen_t)p->alen[p->cur]) == 0)
            return 0;
        if (errno == EINPROGRESS || errno == EINTR) {
            p->connecting = 1;
            return 0;
        }
        p->last_errno = errno;
    }
    cs__posix_drop(p);
    return CS_E_CONNECT;
}

/* Resolve (blocking: getaddrinfo has no other form) and start the first
 * connect. The addresses are copied so that nothing stays allocated. */
static int
cs__posix_open(void *ctx, const cs_url *url)
{
    cs_posix *p = (cs_posix *)ctx;
    struct addrinfo hints, *res = NULL, *ai;
    char port[12];
    int r;

    cs__posix_drop(p);
    p->last_errno = 0;
    CS_MEMSET(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(url->host, cs__utoa(url->port, port), &hints, &res);
    if (r != 0) {
        p->last_errno = r == EAI_SYSTEM ? errno : 0;
        return CS_E_DNS;
    }
    p->naddr = p->cur = 0;
    for (ai = res; ai != NULL && p->naddr < CS_POSIX_MAX_ADDRS;
         ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            || ai->ai_addrlen > sizeof p->addr[0])
            continue;
        CS_MEMCPY(p->addr[p->naddr], ai->ai_addr, ai->ai_addrlen);
        p->alen[p->naddr++] = (unsigned char)ai->ai_addrlen;
    }
    freeaddrinfo(res);
    if (p->naddr == 0)
        return CS_E_DNS;
    return cs__posix_try(p);
}

/* While connecting: 1 when the socket is connected, 0 not yet, or an
 * error once every address failed. */
static int
cs__posix_ready(cs_posix *p)
{
    struct pollfd pf;
    int err = 0;
    socklen_t n = sizeof err;

    if (p->fd < 0)
        return CS_E_CLOSED;
    if (!p->connecting)
        return 1;
    pf.fd = p->fd;
    pf.events = POLLOUT;
    pf.revents = 0;
    if (poll(&pf, 1, 0) == 0)
        return 0;
    if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &n) < 0)
        err = errno;
    if (err == 0) {
        p->connecting = 0;
        return 1;
    }
    p->last_errno = err;
    p->cur++;
    return cs__posix_try(p) < 0 ? CS_E_CONNECT : 0;
}

static int
cs__posix_read(void *ctx, unsigned char *buf, size_t len)
{
    cs_posix *p = (cs_posix *)ctx;
    ssize_t n;
    int r = cs__posix_ready(p);

    if (r <= 0)
        return r;
    n = recv(p->fd, buf, len, 0);
    if (n > 0)
        return (int)n;
    if (n == 0)
        return CS_E_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    p->last_errno = errno;
    return CS_E_IO;
}

#ifndef MSG_NOSIGNAL
#  define MSG_NOSIGNAL 0      /* SO_NOSIGPIPE does it (BSD, macOS) */
#endif

static int
cs__posix_write(void *ctx, const unsigned char *buf, size_t len)
{
    cs_posix *p = (cs_posix *)ctx;
    ssize_t n;
    int r = cs__posix_ready(p);

    if (r <= 0)
        return r;
    n = send(p->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    p->last_errno = errno;
    return CS_E_IO;
}

static int
cs__posix_wait(void *ctx, int want, int *fd)
{
    cs_posix *p = (cs_posix *)ctx;

    *fd = p->fd;
    return p->connecting ? CS_WANT_WRITE : want;
}

static void
cs__posix_close(void *ctx)
{
    cs__posix_drop((cs_posix *)ctx);
}

CSDEF void
cs_posix_transport(cs_posix *p, cs_transport *t)
{
    CS_MEMSET(p, 0, sizeof *p);
    p->fd = -1;
    t->open = cs__posix_open;
    t->read = cs__posix_read;
    t->write = cs__posix_write;
    t->wait = cs__posix_wait;
    t->close = cs__posix_close;
    t->ctx = p;
}

CSDEF int
cs_posix_errno(const cs_posix *p)
{
    return p->last_errno;
}

CSDEF uint64_t
cs_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

CSDEF int
cs_os_random(void *ctx, void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;
    (void)ctx;
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) \
    || defined(__NetBSD__)
    arc4random_buf(buf, len);
    return 0;
#else
    while (len > 0) {
        ssize_t n = -1;
#  if defined(__linux__)
        n = getrandom(p, len, 0);
#  endif
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* No getrandom (old kernel, another system): the device. */
            int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return CS_E_RANDOM;
            while (len > 0) {
                n = read(fd, p, len);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0) {
                    close(fd);
                    return CS_E_RANDOM;
                }
                p += n, len -= (size_t)n;
            }
            close(fd);
            return 0;
        }
        p += n, len -= (size_t)n;
    }
    return 0;
#endif
}

#if CS_HAS_TLS
/* One PEM file through the decoders. */
static int
cs__pem_file(cs_anchors *a, const char *path)
{
    unsigned char buf[4096];
    cs__pemload L;
    int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

    if (fd < 0)
        return CS_E_TLS_CA_FILE;
    cs__pem_start(&L, a);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            r = CS_E_TLS_CA_FILE;
        if (n <= 0 || r != 0)
            break;
        r = cs__pem_feed(&L, buf, (size_t)n);
    }
    close(fd);
    return r != 0 ? r : cs__pem_finish(&L);
}

/* A directory entry worth reading: *.pem, *.crt, or a hash link
 * (8 hex digits, a dot, digits: OpenSSL's c_rehash). */
static int
cs__ca_name(const char *s)
{
    size_t n = cs__strlen(s), i;

    if (n > 4 && (cs__ieq(s + n - 4, 4, ".pem") || cs__ieq(s + n - 4, 4,
                                                              ".crt")))
        return 1;
    if (n < 10 || s[8] != '.')
        return 0;
    for (i = 0; i < n; i++)
        if (i != 8 && !((s[i] >= '0' && s[i] <= '9')
                        || (i < 8 && s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

CSDEF int
cs_anchors_load(cs_anchors *a, const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char full[4096];
    size_t pl = cs__strlen(path);
    int total = 0;

    if (stat(path, &st) != 0)
        return CS_E_TLS_CA_FILE;
    if (!S_ISDIR(st.st_mode))
        return cs__pem_file(a, path);
    if (pl + 2 >= sizeof full || (d = opendir(path)) == NULL)
        return CS_E_TLS_CA_FILE;
    CS_MEMCPY(full, path, pl);
    full[pl++] = '/';
    while ((e = readdir(d)) != NULL) {
        size_t n = cs__strlen(e->d_name);
        int r;
        if (!cs__ca_name(e->d_name) || pl + n >= sizeof full)
            continue;
        CS_MEMCPY(full + pl, e->d_name, n + 1);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        r = cs__pem_file(a, full);    /* a bad file costs only itself */
        if (r > 0)
            total += r;
    }
    closedir(d);
    return total;
}

CSDEF int
cs_anchors_load_system(cs_anchors *a, const char **path)
{
    static const char *const where[] = {
        "/etc/ssl/certs/ca-certificates.crt",   /* Debian, Ubuntu, Alpine */
        "/etc/pki/tls/certs/ca-bundle.crt",     /* Fedora, RHEL */
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/ca-bundle.pem",               /* openSUSE */
        "/etc/ssl/cert.pem",                    /* macOS, BSDs, Alpine */
        "/usr/local/etc/ssl/cert.pem",          /* FreeBSD */
        "/usr/local/share/certs/ca-root-nss.crt",
        "/etc/certs/ca-certificates.crt"
    };
    size_t i;

    for (i = 0; i < sizeof where / sizeof where[0]; i++) {
        int r = cs__pem_file(a, where[i]);
        if (r > 0) {
            if (path != NULL)
                *path = where[i];
            return r;
        }
    }
    return CS_E_TLS_NO_ANCHORS;
}
#endif

/* ==== [5] the blocking loop =============================================== */

/* cs_client_stop()'s wake-up: one byte into the loop's pipe. write() is
 * async-signal-safe, and a full pipe already means "wake up". */
static void
cs__posix_wake(int fd)
{
    unsigned char b = 1;
    ssize_t n = write(fd, &b, 1);
    (void)n;
}

CSDEF int
cs_run(cs_client *c)
{
    int pipefd[2] = { -1, -1 }, i;

    if (pipe(pipefd) == 0) {
        for (i = 0; i < 2; i++) {
            int fl = fcntl(pipefd[i], F_GETFL, 0);
            (void)fcntl(pipefd[i], F_SETFL, fl | O_NONBLOCK);
            (void)fcntl(pipefd[i], F_SETFD, FD_CLOEXEC);
        }
        c->wake = cs__posix_wake;
        c->wake_fd = pipefd[1];
    }
    for (;;) {
        struct pollfd pf[2];
        nfds_t n = 0;
        uint64_t now = cs_now_ms();
        cs_wait w;
        int ms;

        if (cs_client_step(c, now, &w) != 0)
            break;
        if (w.fd >= 0 && w.want != 0) {
            pf[n].fd = w.fd;
            pf[n].events = (short)(((w.want & CS_WANT_READ) ? POLLIN : 0)
                                   | ((w.want & CS_WANT_WRITE) ? POLLOUT
                                                               : 0));
            pf[n++].revents = 0;
        }
        if (pipefd[0] >= 0) {
            pf[n].fd = pipefd[0];
            pf[n].events = POLLIN;
            pf[n++].revents = 0;
        }
        ms = w.deadline_ms <= now ? 0
           : w.deadline_ms - now > 600000 ? 600000
           : (int)(w.deadline_ms - now);
        if (poll(pf, n, ms) > 0 && pipefd[0] >= 0) {
            unsigned char drain[64];
            while (read(pipefd[0], drain, sizeof drain) > 0)
                ;
        }
    }
    c->wake_fd = -1;
    for (i = 0; i < 2; i++)
        if (pipefd[i] >= 0)
            close(pipefd[i]);
    cs_client_close(c);
    return cs_client_result(c);
}

CSDEF int
cs_listen(cs_client *c, cs_posix *p, const cs_config *cfg)
{
    cs_transport t;
    int r;

    cs_posix_transport(p, &t);
    r = cs_client_init(c, cfg, &t);
    return r != 0 ? r : cs_run(c);
}

#endif /* CS_HAS_POSIX */

/* ==== [9] error strings =================================================== */

#ifndef CS_NO_ERROR_STRINGS
CSDEF const char *
cs_strerror(int err)
{
    switch (err) {
#define CS__ERR_TEXT(name, value, text) case name: return text;
    CS__ERRORS(CS__ERR_TEXT)
#undef CS__ERR_TEXT
    default: return "unknown error";
    }
}

CSDEF const char *
cs_errname(int err)
{
    switch (err) {
#define CS__ERR_NAME(name, value, text) case name: return #name;
    CS__ERRORS(CS__ERR_NAME)
#undef CS__ERR_NAME
    default: return "CS_E_UNKNOWN";
    }
}
#if CS_HAS_TLS
CSDEF const char *
cs_tls_errname(int e)
{
    switch (e) {
    case 0: return "no error";
    case 1: return "bad parameter";
    case 2: return "bad state";
    case 3: return "unsupported TLS version";
    case 4: return "bad TLS version";
    case 5: return "bad record length";
    case 6: return "record too large";
    case 7: return "bad record MAC";
    case 8: return "no random source";
    case 9: return "unknown record type";
    case 10: return "unexpected message";
    case 12: return "bad ChangeCipherSpec";
    case 13: return "bad alert";
    case 14: return "bad handshake message";
    case 15: return "oversized session ID";
    case 16: return "cipher suite not offered";
    case 17: return "compression not offered";
    case 18: return "bad fragment length";
    case 19: return "bad secure renegotiation";
    case 20: return "extension not offered";
    case 21: return "bad SNI";
    case 22: return "bad ServerHelloDone";
    case 23: return "limit exceeded";
    case 24: return "bad Finished";
    case 25: return "session resumption mismatch";
    case 26: return "unsupported algorithm";
    case 27: return "bad signature (server key)";
    case 28: return "wrong key usage";
    case 29: return "no client authentication";
    case 31: return "I/O error or connection closed";
    case 32: return "certificate OK";
    case 33: return "certificate: invalid value";
    case 34: return "certificate: truncated";
    case 35: return "empty certificate chain";
    case 36: return "certificate: inner truncation";
    case 37: return "certificate: bad tag class";
    case 38: return "certificate: bad tag value";
    case 39: return "certificate: indefinite length";
    case 40: return "certificate: extra element";
    case 41: return "certificate: unexpected element";
    case 42: return "certificate: not constructed";
    case 43: return "certificate: not primitive";
    case 44: return "certificate: partial byte";
    case 45: return "certificate: bad boolean";
    case 46: return "certificate: value overflow";
    case 47: return "certificate: bad DN";
    case 48: return "certificate: bad time";
    case 49: return "certificate: unsupported feature";
    case 50: return "certificate: limit exceeded";
    case 51: return "certificate: wrong key type";
    case 52: return "certificate: bad signature";
    case 53: return "certificate: no clock (time unknown)";
    case 54: return "certificate expired or not yet valid";
    case 55: return "certificate chain: DN mismatch";
    case 56: return "hostname mismatch";
    case 57: return "certificate: unknown critical extension";
    case 58: return "certificate chain: not a CA";
    case 59: return "certificate: key usage forbids this";
    case 60: return "certificate: public key too weak";
    case 62: return "unknown CA (chain not trusted)";
    case 256: return "alert received: close_notify";
    case 266: return "alert received: unexpected_message";
    case 276: return "alert received: bad_record_mac";
    case 278: return "alert received: record_overflow";
    case 296: return "alert received: handshake_failure";
    case 298: return "alert received: bad_certificate";
    case 299: return "alert received: unsupported_certificate";
    case 300: return "alert received: certificate_revoked";
    case 301: return "alert received: certificate_expired";
    case 302: return "alert received: certificate_unknown";
    case 303: return "alert received: illegal_parameter";
    case 304: return "alert received: unknown_ca";
    case 305: return "alert received: access_denied";
    case 306: return "alert received: decode_error";
    case 307: return "alert received: decrypt_error";
    case 326: return "alert received: protocol_version";
    case 327: return "alert received: insufficient_security";
    case 336: return "alert received: internal_error";
    case 342: return "alert received: inappropriate_fallback";
    case 346: return "alert received: user_canceled";
    case 365: return "alert received: missing_extension";
    case 366: return "alert received: unsupported_extension";
    case 368: return "alert received: unrecognized_name";
    case 372: return "alert received: certificate_required";
    case 376: return "alert received: no_application_protocol";
    case 512: return "alert sent: close_notify";
    case 522: return "alert sent: unexpected_message";
    case 532: return "alert sent: bad_record_mac";
    case 534: return "alert sent: record_overflow";
    case 552: return "alert sent: handshake_failure";
    case 554: return "alert sent: bad_certificate";
    case 555: return "alert sent: unsupported_certificate";
    case 556: return "alert sent: certificate_revoked";
    case 557: return "alert sent: certificate_expired";
    case 558: return "alert sent: certificate_unknown";
    case 559: return "alert sent: illegal_parameter";
    case 560: return "alert sent: unknown_ca";
    case 561: return "alert sent: access_denied";
    case 562: return "alert sent: decode_error";
    case 563: return "alert sent: decrypt_error";
    case 582: return "alert sent: protocol_version";
    case 583: return "alert sent: insufficient_security";
    case 592: return "alert sent: internal_error";
    case 598: return "alert sent: inappropriate_fallback";
    case 602: return "alert sent: user_canceled";
    case 621: return "alert sent: missing_extension";
    case 622: return "alert sent: unsupported_extension";
    case 624: return "alert sent: unrecognized_name";
    case 628: return "alert sent: certificate_required";
    case 632: return "alert sent: no_application_protocol";
    default:
        return e >= 512 ? "alert sent (other)" : e >= 256
               ? "alert received (other)" : "unknown BearSSL error";
    }
}
#endif
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

#if CS_HAS_TLS
CSDEF const char *
cs_tls_errname(int e)
{
    (void)e;
    return "";
}
#endif
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
