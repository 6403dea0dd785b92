/* certstream.h - v0.6.0 - CertStream feed client in one header.
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
 * Or no server at all: follow CT logs directly ([3b]; the same events,
 * a cs_msg per entry plus cs_event.entry), one cs_ct_follower per log:
 *
 *   cs_ct_config c; cs_ct_config_init(&c);
 *   c.url = "https://ct.example/2026h1/"; c.kind = CS_CT_RFC6962;
 *   c.mem = mem; c.mem_cap = CS_CT_MEM; c.on_event = fn;
 *   cs_ct_init(&f, &c, &transport);      // then cs_ct_step / cs_ct_run
 *
 * Switches (define the same way before EVERY include):
 *   CERTSTREAM_STATIC     every function static (private copy per file)
 *   CERTSTREAM_NO_TLS     no BearSSL: ws:// only
 *   CS_TLS_FULL_DUPLEX    33 KB TLS buffer instead of 16.7 KB half-duplex
 *   CERTSTREAM_NO_POSIX   no sockets, clock, entropy or blocking loop
 *   CERTSTREAM_NO_CT      no CT log reader (gzip, CT records, DER, the
 *                         follower, the built-in log list)
 *   CS_NO_ERROR_STRINGS   cs_strerror() and cs_errname() return ""
 *   CS_NO_SIMD            no SSE2 string scanning (portable SWAR path),
 *                         and no SHA instructions
 *   CS_NO_SHANI           no SHA instructions (x86 SHA-NI, for SHA-1 and
 *                         SHA-256, used with TLS on GCC 11+ when the CPU
 *                         has them)
 *   CS_NO_INT128          no 128-bit multiply (portable 32-bit products)
 *   CS_CRC32_SMALL        gzip's CRC-32 with a 1 KB table, a byte a step,
 *                         for flash (default: 16 KB, 16 bytes a step; on
 *                         x86-64 7x the CRC speed, 2x gzip decoding's)
 * Limits (before EVERY include; they size the structs):
 *   CS_JSON_MAX_DEPTH     64    deepest nesting accepted (max 255)
 *   CS_JSON_STR_MAX       255   bytes kept of message_type, source url/name
 *   CS_JSON_NUM_DIGITS    800   significant digits kept for exact rounding
 *   CS_JSON_DOMAIN_BUF    256 KiB  suggested domain storage (yours to size)
 *   CS_WS_MAX_MESSAGE     64 MiB   default cs_config.max_message
 *   CS_URL_MAX 1024  CS_HS_MAX_RESPONSE 16384  CS_IO_CHUNK 16384
 *   CS_HTTP_MAX_HEAD 16384  CS_HTTP_MAX_CHUNK_LINE 4096
 *   CS_SEND_BUF 512  CS_MAX_HEADERS 8  CS_POSIX_MAX_ADDRS 8
 *   CS_POSIX_READAHEAD 16384
 *   CS_CT_MAX_ENTRY 65536  CS_CT_MAX_SIG 600  CS_CT_NOTE_MAX_LINES 64
 *   CS_CT_DOMAINS_MEM 16384  CS_JTOK_MAX_DEPTH 64  CS_JTOK_KEY_MAX 64
 *   CS_MATCH_PATTERN_MAX 1024  CS_MATCH_NAME_MAX 1024  CS_MATCH_IDS 16
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
 *   them  [1f] gzip  [1g] CT records: SHA-256, base64, leaves, tiles,
 *   checkpoints, signatures  [1h] DER: what a certificate names
 *   [1i] watchlists  [1j] JSON tokens  [1k] Merkle trees  [1l] gaps
 *   [2] transport interface  [2b] TLS transport (BearSSL)
 *   [3] client engine  [3b] CT log follower  [3c] backfill
 *   [4] POSIX transport  [5] blocking loops  [8] the built-in CT log list
 *   [9] error strings
 *
 * History:
 *   0.6.0  each certificate once across a server and its backfill (server
 *          messages' fingerprints); static logs' origins from the list
 *          (Let's Encrypt, Geomys and IPng logs were refused); forks
 *          across a restart refused; logs of unknown kind probed
 *   0.5.0  lossless: gaps in a server's stream, backfill from the logs,
 *          Merkle proofs of what a log serves; Google's signed log list
 *          fetched; redirects and ranges in the follower
 *   0.4.0  the CT log reader (no server needed), watchlists, clearer
 *          failures, read-ahead and batched output
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
#define CERTSTREAM_VERSION_MINOR 6
#define CERTSTREAM_VERSION_PATCH 0
#define CERTSTREAM_VERSION_STRING "0.6.0"

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
    X(CS_E_GZ_HEADER, -120, "gzip: not a gzip or zlib header") \
    X(CS_E_GZ_FLAGS, -121, \
      "gzip: reserved header flag (or a zlib preset dictionary)") \
    X(CS_E_GZ_HEADER_CRC, -122, "gzip: header CRC mismatch") \
    X(CS_E_GZ_BLOCK, -123, "DEFLATE: reserved block type") \
    X(CS_E_GZ_STORED, -124, "DEFLATE: stored block length check failed") \
    X(CS_E_GZ_CODES, -125, \
      "DEFLATE: bad code lengths (over-subscribed, incomplete or too many)") \
    X(CS_E_GZ_SYMBOL, -126, "DEFLATE: invalid or unused code") \
    X(CS_E_GZ_DISTANCE, -127, "DEFLATE: distance too far back") \
    X(CS_E_GZ_CRC, -128, "gzip: CRC-32 mismatch") \
    X(CS_E_GZ_SIZE, -129, "gzip: length (ISIZE) mismatch") \
    X(CS_E_GZ_ADLER, -130, "zlib: Adler-32 mismatch") \
    X(CS_E_GZ_TRUNCATED, -131, "gzip: the stream ended early") \
    X(CS_E_GZ_TRAILING, -132, "gzip: data after the end of the stream") \
    X(CS_E_GZ_TOO_BIG, -133, "gzip: output over the limit") \
    /* -140..-149 base64 */ \
    X(CS_E_B64_CHAR, -140, "base64: character outside the standard alphabet") \
    X(CS_E_B64_SPACE, -141, "base64: whitespace inside the text") \
    X(CS_E_B64_PAD, -142, "base64: misplaced '=' or text after the padding") \
    X(CS_E_B64_BITS, -143, \
      "base64: nonzero unused bits in the last character") \
    X(CS_E_B64_TRUNCATED, -144, \
      "base64: text is not a whole number of 4-character groups") \
    X(CS_E_B64_TOO_BIG, -145, "base64: decoded data larger than the buffer") \
    /* -150..-169 DER / X.509 */ \
    X(CS_E_DER_TRUNCATED, -150, \
      "DER: an element runs past its parent or the buffer") \
    X(CS_E_DER_INDEFINITE, -151, "DER: indefinite length (BER, not DER)") \
    X(CS_E_DER_LEN_MINIMAL, -152, "DER: length not in its shortest form") \
    X(CS_E_DER_LEN_BIG, -153, "DER: length field over 4 bytes") \
    X(CS_E_DER_TAG, -154, "DER: unexpected tag") \
    X(CS_E_DER_HIGH_TAG, -155, "DER: multi-byte tag where X.509 has none") \
    X(CS_E_DER_TRAILING, -156, "DER: bytes left over inside an element") \
    X(CS_E_DER_INTEGER, -157, "DER: empty or non-minimal INTEGER") \
    X(CS_E_DER_BOOLEAN, -158, "DER: BOOLEAN other than 00 or FF") \
    X(CS_E_DER_OID, -159, "DER: malformed OBJECT IDENTIFIER") \
    X(CS_E_DER_TIME, -160, "X.509: malformed or impossible validity time") \
    X(CS_E_DER_VERSION, -161, \
      "X.509: bad version, or a field it does not allow") \
    X(CS_E_DER_NAME, -162, "X.509: empty RDN in a Name") \
    X(CS_E_DER_SAN, -163, "X.509: bad subjectAltName entry") \
    X(CS_E_DER_EXT_DUP, -164, "X.509: an extension appears twice") \
    X(CS_E_DER_EXT, -165, "X.509: malformed basicConstraints or extKeyUsage") \
    X(CS_E_DER_STRING, -166, "X.509: value is not a string type") \
    /* -170..-189 CT records: leaves, tiles, checkpoints, tree heads */ \
    X(CS_E_CT_TRUNCATED, -170, "CT: record ends inside a field") \
    X(CS_E_CT_TRAILING, -171, "CT: bytes after the end of the record") \
    X(CS_E_CT_VERSION, -172, "CT: leaf is not a v1 timestamped_entry") \
    X(CS_E_CT_ENTRY_TYPE, -173, "CT: entry type is neither x509 nor precert") \
    X(CS_E_CT_LENGTH, -174, "CT: empty certificate") \
    X(CS_E_CT_EXTENSIONS, -175, "CT: malformed CtExtensions") \
    X(CS_E_CT_CHAIN, -176, "CT: malformed certificate chain in extra_data") \
    X(CS_E_CT_FINGERPRINTS, -177, \
      "CT: chain fingerprints are not a multiple of 32 bytes") \
    X(CS_E_CT_ENTRY_TOO_BIG, -178, \
      "CT: tile entry larger than the buffer (skipped, leaf hash kept)") \
    X(CS_E_CT_NOTE_SYNTAX, -179, \
      "CT: checkpoint is not a well-formed signed note") \
    X(CS_E_CT_NOTE_SIZE, -180, \
      "CT: checkpoint tree size is not a canonical decimal") \
    X(CS_E_CT_NOTE_ROOT, -181, \
      "CT: checkpoint root hash is not 32 bytes of base64") \
    X(CS_E_CT_NOTE_SIGLINE, -182, "CT: malformed checkpoint signature line") \
    X(CS_E_CT_NOTE_LIMIT, -183, "CT: checkpoint has too many lines") \
    X(CS_E_CT_NO_SIGNATURE, -184, \
      "CT: no signature by this log's name and key ID") \
    X(CS_E_CT_SIG_FORMAT, -185, \
      "CT: signature is not SHA-256 with the key's algorithm") \
    X(CS_E_CT_BAD_SIGNATURE, -186, "CT: signature does not verify") \
    X(CS_E_CT_KEY, -187, \
      "CT: log key is not a P-256 or RSA SubjectPublicKeyInfo") \
    /* -190..-199 the CT log list */ \
    X(CS_E_LOGLIST_LONG, -190, \
      "log list: a name, URL or key longer than the parser keeps") \
    X(CS_E_LOGLIST_STATUS, -191, "log list: the server did not answer 200") \
    X(CS_E_LOGLIST_SIG, -192, \
      "log list: the signature does not verify with Google's key") \
    X(CS_E_LOGLIST_SIG_SIZE, -193, \
      "log list: the signature file is too long") \
    X(CS_E_LOGLIST_TIMEOUT, -194, "log list: the fetch took too long") \
    X(CS_E_LOGLIST_EMPTY, -195, "log list: no log in it") \
    X(CS_E_LOGLIST_NUL, -196, \
      "log list: a NUL byte (\\u0000) in a name, URL, key or date") \
    X(CS_E_LOGLIST_STOPPED, -197, \
      "log list: the fetch was stopped (cs_loglist_fetch_stop)") \
    /* -200..-209 watchlist patterns */ \
    X(CS_E_MATCH_EMPTY, -200, "watchlist: empty pattern") \
    X(CS_E_MATCH_BYTE, -201, \
      "watchlist: a space, control byte or invalid UTF-8 in a pattern") \
    X(CS_E_MATCH_LABEL, -202, "watchlist: empty label in a name pattern") \
    X(CS_E_MATCH_TOO_LONG, -203, \
      "watchlist: pattern longer than CS_MATCH_PATTERN_MAX bytes") \
    X(CS_E_MATCH_TOO_MANY, -204, \
      "watchlist: too many patterns or pattern bytes") \
    X(CS_E_MATCH_MEMORY, -205, \
      "watchlist: less memory than cs_match_size() asked for") \
    /* -210..-229 the CT log follower */ \
    X(CS_E_CT_SHRUNK, -210, "CT log: the tree head is smaller than one seen") \
    X(CS_E_CT_FORK, -211, \
      "CT log: the tree head's root changed at the same size") \
    X(CS_E_CT_ORIGIN, -212, "CT log: the checkpoint names another log") \
    X(CS_E_CT_RESPONSE, -213, "CT log: a response of the wrong shape") \
    X(CS_E_CT_STATUS, -214, "CT log: an HTTP status other than 200") \
    X(CS_E_CT_TIMEOUT, -215, "CT log: a request made no progress in time") \
    X(CS_E_CT_SHORT, -216, "CT log: a tile or batch ended early") \
    X(CS_E_CT_INDEX, -217, "CT log: an entry's leaf_index is not its index") \
    X(CS_E_CT_TOO_BIG, -218, "CT log: an entry larger than the entry buffer") \
    X(CS_E_CT_BODY, -219, "CT log: a tree head larger than the entry buffer") \
    X(CS_E_CT_REDIRECTS, -220, "CT log: too many redirects for one request") \
    X(CS_E_CT_DOWNGRADE, -221, \
      "CT log: refused a redirect from https:// to http://") \
    X(CS_E_CT_NOT_A_LOG, -229, \
      "CT log: the URL serves neither get-sth nor a checkpoint") \
    /* -230..-239 Merkle trees: proofs and tiles */ \
    X(CS_E_MERKLE_PROOF, -230, "Merkle: a proof does not verify") \
    X(CS_E_MERKLE_RANGE, -231, \
      "Merkle: a size or index outside the tree") \
    X(CS_E_MERKLE_ALIGN, -232, \
      "Merkle: a subtree pushed at an unaligned position") \
    X(CS_E_MERKLE_TILE_SIZE, -233, \
      "Merkle: a hash tile of the wrong length") \
    X(CS_E_MERKLE_TILE, -234, \
      "Merkle: hash tiles that do not hash to the signed root") \
    X(CS_E_MERKLE_STATE, -235, "Merkle: a tile fed when none was asked") \
    X(CS_E_MERKLE_LEAF, -236, \
      "Merkle: an entry whose leaf hash is not in the verified tree") \
    X(CS_E_MERKLE_INCONSISTENT, -237, \
      "Merkle: two tree heads that are not consistent") \
    /* -240..-249 gaps and backfill */ \
    X(CS_E_GAP_ARG, -240, "gaps: a window out of range") \
    X(CS_E_GAP_MEMORY, -241, "gaps: less memory than one log needs") \
    X(CS_E_GAP_UNINDEXED, -242, \
      "gaps: messages without cert_index and source.url: not tracked") \
    X(CS_E_BF_GAVE_UP, -243, \
      "backfill: entries given up (per-gap cap, age, full queue)") \
    X(CS_E_BF_NO_LOG, -244, "backfill: the gap's log is not known") \
    /* -250..-259 saved positions (state) */ \
    X(CS_E_STATE_SHRUNK, -250, \
      "state: the log's tree is smaller than the saved tree head") \
    X(CS_E_STATE_FORK, -251, \
      "state: the log's tree head differs from the saved one of its size") \
    X(CS_E_STATE_DIVERGED, -252, \
      "state: the log's tree does not extend the saved tree head") \
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
#define CS_F_SHA1        0x80u /* data.leaf_cert.fingerprint or .sha1 */
#define CS_F_SHA256     0x100u /* data.leaf_cert.sha256 */

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
 * decode to U+FFFD.
 *
 * Fingerprints: a digest string is 2n hex digits or n colon-separated
 * pairs ("AA:BB:..", what every server sends), either case. CS_F_SHA1 is
 * data.leaf_cert.sha1 when that is one, else .fingerprint (servers send
 * the same SHA-1 in both; key order does not matter); its bad bit means
 * neither is, and one of them was not null. CS_F_SHA256 is .sha256. */
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
    int verified;          /* direct mode: what the log proved of this
                              entry, CS_CT_VERIFIED_* (0: nothing; always
                              0 for a server's message) */
    unsigned char sha1[20];   /* CS_F_SHA1: the certificate's SHA-1 (the
                                 DER servers hash: a precert's
                                 precertificate), from "AA:BB:.." or hex */
    unsigned char sha256[32]; /* CS_F_SHA256: its SHA-256 (Go and Rust
                                 servers, and direct mode) */
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
    unsigned char dgst;    /* digest texts present: bit i for dtxt[i] */
    unsigned char dlen[3]; /* their lengths; 0xff: not a string */
    unsigned char dtxt[3][96]; /* fingerprint, sha1, sha256 as sent
                              (decoded when the message ends) */
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

/* ==== [1f] gzip and DEFLATE (RFC 1951, 1952) ============= off: _NO_CT ==== */

#if CS_HAS_CT

/* A streaming DEFLATE decoder (RFC 1951) for raw, zlib (RFC 1950) and
 * gzip (RFC 1952) streams: static-ct-api logs serve their tiles gzipped.
 * Decoded bytes are written into a history window in caller memory and
 * handed out as slices of it, so there is no second output buffer.
 *
 *   static unsigned char win[2 * CS_INFLATE_WINDOW];  // 64 KiB: faster
 *   cs_inflate_init(&z, win, sizeof win, CS_INFLATE_GZIP);
 *   for (each piece p[0..len) of the body) {
 *       do {
 *           r = cs_inflate_feed(&z, p, len, &used);
 *           p += used, len -= used;
 *           if (r == CS_INFLATE_DATA)
 *               use(cs_inflate_data(&z, &n), n);   // valid until next call
 *       } while (r > 0);                           // 0: piece used up
 *       if (r < 0) fail(r);
 *   }
 *   if (cs_inflate_finish(&z) != 0) fail(...);     // truncated? */

#define CS_INFLATE_WINDOW 32768u  /* the window that decodes any stream */

/* Stream formats (cs_inflate_init()). Telling gzip from identity (the
 * Content-Encoding) is the caller's job. */
enum {
    CS_INFLATE_RAW = 0,   /* bare DEFLATE blocks */
    CS_INFLATE_ZLIB = 1,  /* RFC 1950: 2-byte header, Adler-32 trailer */
    CS_INFLATE_GZIP = 2   /* RFC 1952 members, one after another */
};

/* Events returned by cs_inflate_feed(). */
enum {
    CS_INFLATE_DATA = 1,  /* decoded bytes: cs_inflate_data() */
    CS_INFLATE_END = 2    /* the stream (gzip: one member) ended and its
                             check values matched */
};

/* Private sizes of the decode tables: the most entries any valid code
 * needs with 10 (lengths) and 8 (distances) bits of first-level index
 * (zlib's "enough" counts: 1334 for 288 symbols, 402 for 32). */
#define CS__INF_LIT_BITS 10
#define CS__INF_DIST_BITS 8
#define CS__INF_LIT_ENOUGH 1334
#define CS__INF_DIST_ENOUGH 402

/* The decoder's state: 7,416 bytes on x86-64, 6,944 of them the decode
 * tables (tests/test_inflate.c prints sizeof). Visible so that the
 * caller can allocate it; treat every field as private. */
typedef struct cs_inflate {
    int err;
    unsigned char mode;      /* CS_INFLATE_* */
    unsigned char st;        /* what comes next (CS__INF_*) */
    unsigned char last;      /* the current block is the final one */
    unsigned char fixed;     /* the tables hold the fixed code */
    unsigned char full;      /* the window wrapped: all of it is history */
    unsigned char flg;       /* gzip header flags */
    unsigned nbits;          /* bits held in bits */
    uint64_t bits;           /* input bits not yet used, LSB first */
    unsigned char *win;
    size_t cap;              /* window size */
    size_t wpos;             /* where the next byte is written */
    size_t out0;             /* start of the bytes not yet handed out */
    const unsigned char *slice;
    size_t slice_len;
    uint64_t limit;          /* cs_inflate_limit(), per member */
    uint64_t left;           /* output allowed before CS_E_GZ_TOO_BIG */
    uint64_t members;        /* gzip members ended */
    uint32_t check;          /* CRC-32 (gzip) or Adler-32 (zlib) so far */
    uint32_t size;           /* output of this member, mod 2^32 */
    uint32_t hcrc;           /* CRC-32 of the gzip header so far */
    uint32_t acc;            /* header and trailer bytes being read */
    unsigned cnt;            /* bytes or lengths read in this state */
    unsigned len, dist;      /* the match being copied */
    unsigned hlit, hdist, hclen;
    unsigned char lens[286 + 30];
    unsigned char pre[19];   /* code length code lengths */
    uint32_t lit[CS__INF_LIT_ENOUGH];
    uint32_t dst[CS__INF_DIST_ENOUGH]; /* also the code length code */
} cs_inflate;

/* Start decoding one stream of the given format (CS_INFLATE_*) into the
 * caller's window[0..window_cap). The window MUST stay valid and
 * untouched while the decoder is used, and SHOULD hold at least
 * CS_INFLATE_WINDOW bytes: a smaller one decodes only streams whose
 * back-references reach no further (others fail with CS_E_GZ_DISTANCE);
 * a larger one gives longer slices. window_cap MUST be >= 1. No limit on
 * the output until cs_inflate_limit(). Call it again to reuse the
 * decoder for another stream. */
CSDEF void cs_inflate_init(cs_inflate *z, void *window, size_t window_cap,
                           int mode);

/* Fail with CS_E_GZ_TOO_BIG when one stream (gzip: each member) would
 * decode to more than max bytes (a bound on the work a small input can
 * cause); exactly max bytes are delivered first. 0 removes the limit.
 * Call it after cs_inflate_init(), before the first cs_inflate_feed(). */
CSDEF void cs_inflate_limit(cs_inflate *z, uint64_t max);

/* Decode compressed bytes.
 *
 * Consumes in[0..len) until an event is ready or the input runs out;
 * *used receives the count consumed and the caller MUST resubmit the
 * rest. Input may be split at any byte: the bytes delivered, their
 * order and the events are the same for any split (only the slices'
 * sizes differ). The decoder may hold up to 8 consumed bytes that it has
 * not decoded yet; they are part of its state.
 *
 * CS_INFLATE_DATA: cs_inflate_data() gives the next decoded bytes, a
 * slice of the window valid until the next call. Bytes come out when
 * the window's end is reached, when the input runs out, and before an
 * error or a trailer is checked: every byte decoded before an error is
 * delivered (the error comes on the next call), but nothing is verified
 * before CS_INFLATE_END.
 * CS_INFLATE_END: the stream ended and checked out (gzip: CRC-32, ISIZE
 * and the optional header CRC; zlib: Adler-32). For gzip, bytes after it
 * start the next member (RFC 1952 2.2); for raw and zlib they are
 * CS_E_GZ_TRAILING.
 *
 * Returns 0 when all of in[0..len) is consumed and nothing more can be
 * decoded from it (after an event, call again with the rest, even none:
 * held bits may still decode), an event, or a negative CS_E_GZ_* code;
 * errors are sticky until cs_inflate_init(). */
CSDEF int cs_inflate_feed(cs_inflate *z, const unsigned char *in, size_t len,
                          size_t *used);

/* The bytes of the last CS_INFLATE_DATA event and their count. */
CSDEF const unsigned char *cs_inflate_data(const cs_inflate *z, size_t *len);

/* The input has ended: 0 when the last event was CS_INFLATE_END (and
 * nothing followed it), else CS_E_GZ_TRUNCATED, or the sticky error.
 * A gzip stream with no member at all is truncated too. */
CSDEF int cs_inflate_finish(cs_inflate *z);

/* CRC-32 (ISO 3309, as in gzip) of data[0..len), continuing from crc
 * (0 to start). Slice-by-16 over constant tables (16 KiB). */
CSDEF uint32_t cs_crc32(uint32_t crc, const void *data, size_t len);

#endif /* CS_HAS_CT */

/* ==== [1g] CT records: base64, leaves, tiles, checkpoints  off: _NO_CT ==== */

/* SHA-256 (FIPS 180-4) is on in every build, CT or not: leaf hashes and
 * certificate fingerprints (sha256 in a certstream message) need it, and it
 * must not depend on BearSSL. Incremental: init, update any number of
 * times with pieces of any size, final. */
typedef struct cs_sha256_ctx {
    uint32_t h[8];
    uint64_t len;               /* bytes hashed so far */
    unsigned char buf[64];      /* the partial block */
} cs_sha256_ctx;

/* Start a SHA-256 computation in *s (caller-owned, 104 bytes). */
CSDEF void cs_sha256_init(cs_sha256_ctx *s);
/* Hash data[0..len) into *s; the pieces may be split at any byte. */
CSDEF void cs_sha256_update(cs_sha256_ctx *s, const void *data, size_t len);
/* Write the digest to out; *s must be initialized again before reuse. */
CSDEF void cs_sha256_final(cs_sha256_ctx *s, unsigned char out[32]);
/* SHA-256 of data[0..len) in one call. */
CSDEF void cs_sha256(const void *data, size_t len, unsigned char out[32]);

#if CS_HAS_CT

/* ---- base64 (RFC 4648 section 4: standard alphabet, padded) ---- */

/* A streaming base64 decoder. Strict: only A-Z a-z 0-9 + / and final '='
 * padding; no whitespace, no line breaks, no missing padding, and the
 * unused bits of the last character must be zero (one text per value).
 * Visible so the caller can allocate it; use the functions. */
typedef struct cs_b64 {
    int err;
    uint32_t acc;               /* bits of the current quantum */
    unsigned char n;            /* characters in the current quantum */
    unsigned char pad;          /* '=' seen in the current quantum */
    unsigned char done;         /* a padded quantum ended the text */
    unsigned char *out;
    size_t cap, len;            /* caller's buffer, bytes written */
} cs_b64;

/* Start decoding into out[0..cap) (caller-owned; it must outlive *b). */
CSDEF void cs_b64_init(cs_b64 *b, unsigned char *out, size_t cap);
/* Decode the text in[0..len), split anywhere, appending to the buffer.
 * Returns 0, or a sticky error: CS_E_B64_CHAR (outside the alphabet),
 * CS_E_B64_SPACE (whitespace), CS_E_B64_PAD (misplaced '=' or text
 * after the padding), CS_E_B64_BITS (nonzero unused bits),
 * CS_E_B64_TOO_BIG (out is full). */
CSDEF int cs_b64_feed(cs_b64 *b, const char *in, size_t len);
/* Finish: returns the decoded length (>= 0), the sticky error, or
 * CS_E_B64_TRUNCATED when the text was not a whole number of quanta. */
CSDEF long cs_b64_end(cs_b64 *b);
/* One-shot: decode in[0..len) into out[0..cap); returns as cs_b64_end. */
CSDEF long cs_b64_decode(const char *in, size_t len, unsigned char *out,
                         size_t cap);

/* ---- RFC 6962 entries: MerkleTreeLeaf, extra_data, static-ct TileLeaf -- */

#ifndef CS_CT_MAX_ENTRY
#  define CS_CT_MAX_ENTRY (64 * 1024) /* suggested tile entry buffer */
#endif

/* Entry types (RFC 6962 3.4 LogEntryType). */
#define CS_CT_X509 0
#define CS_CT_PRECERT 1
/* What cs_ct_entry.chain holds. */
#define CS_CT_CHAIN_NONE 0      /* not known (a leaf without extra_data) */
#define CS_CT_CHAIN_DER 1       /* RFC 6962: (uint24 length, DER) items */
#define CS_CT_CHAIN_SHA256 2    /* static-ct: 32-byte SHA-256 fingerprints */
/* cs_ct_tile_feed(): one entry is complete. */
#define CS_CT_ENTRY 1

/* One log entry, as slices into the caller's bytes (the decoded
 * leaf_input and extra_data, or the tile parser's entry buffer). */
typedef struct cs_ct_entry {
    uint64_t timestamp;         /* ms since the epoch (the SCT's) */
    int type;                   /* CS_CT_X509 or CS_CT_PRECERT */
    const unsigned char *issuer_key_hash;   /* 32 bytes; precert only */
    const unsigned char *cert;  /* x509: the certificate DER;         */
    size_t cert_len;            /* precert: the TBSCertificate DER   */
    const unsigned char *ext;   /* CtExtensions bytes (may be empty) */
    size_t ext_len;
    uint64_t leaf_index;        /* static-ct leaf_index extension, */
    int has_leaf_index;         /* when has_leaf_index is 1        */
    const unsigned char *precert;   /* precert: the full precertificate */
    size_t precert_len;             /* DER (with poison), else NULL/0  */
    const unsigned char *chain; /* the chain's items (chain_kind) */
    size_t chain_len, chain_count;
    int chain_kind;             /* CS_CT_CHAIN_* */
    unsigned char leaf_hash[32];    /* SHA-256(0x00 || MerkleTreeLeaf) */
} cs_ct_entry;

/* Parse a decoded leaf_input (RFC 6962 3.4 MerkleTreeLeaf, v1
 * timestamped_entry) of len bytes; fills *e with slices into leaf (which
 * must outlive them) and its leaf hash; the chain stays CS_CT_CHAIN_NONE.
 * Returns 0 or CS_E_CT_TRUNCATED, CS_E_CT_TRAILING, CS_E_CT_VERSION,
 * CS_E_CT_ENTRY_TYPE, CS_E_CT_LENGTH, CS_E_CT_EXTENSIONS. */
CSDEF int cs_ct_leaf_parse(cs_ct_entry *e, const unsigned char *leaf,
                           size_t len);
/* Parse a decoded extra_data for the entry e that cs_ct_leaf_parse()
 * filled (its type chooses the layout, RFC 6962 3.1/4.6): x509 gives the
 * certificate_chain, precert the pre_certificate and its chain. Slices
 * point into extra. Returns 0 or CS_E_CT_TRUNCATED, CS_E_CT_TRAILING,
 * CS_E_CT_LENGTH, CS_E_CT_CHAIN. */
CSDEF int cs_ct_extra_parse(cs_ct_entry *e, const unsigned char *extra,
                            size_t len);
/* The i-th chain item of e (issuer first): a DER certificate or a 32-byte
 * fingerprint, per e->chain_kind; NULL when i >= e->chain_count. */
CSDEF const unsigned char *cs_ct_chain_item(const cs_ct_entry *e, size_t i,
                                            size_t *len);
/* The RFC 6962 leaf hash SHA-256(0x00 || leaf[0..len)). */
CSDEF void cs_ct_leaf_hash(const unsigned char *leaf, size_t len,
                           unsigned char out[32]);

/* A static-ct-api data tile parser (C2SP static-ct-api: TileLeaf). The
 * tile is pushed in pieces of any size; each entry is gathered into the
 * caller's buffer and its leaf hash computed on the fly, so a tile of any
 * length needs only one entry's worth of memory. */
typedef struct cs_ct_tile {
    int err;
    int state;                  /* the field being read */
    size_t need;                /* its bytes still to come */
    uint64_t val;               /* a length or number being read */
    unsigned char *buf;
    size_t cap, n;              /* the entry buffer, bytes gathered */
    int skip;                   /* this entry outgrew buf */
    uint64_t count;             /* entries completed */
    size_t off[6];              /* field offsets in buf */
    cs_sha256_ctx h;            /* the running leaf hash */
    cs_ct_entry e;
} cs_ct_tile;

/* Start parsing a tile; buf[0..cap) (caller-owned, CS_CT_MAX_ENTRY is a
 * safe size) holds one entry at a time. */
CSDEF void cs_ct_tile_init(cs_ct_tile *t, unsigned char *buf, size_t cap);
/* Consume data[0..len) up to the end of the next entry; *used receives
 * the count and the caller MUST resubmit the rest. Returns 0 (all used,
 * need more), CS_CT_ENTRY (cs_ct_tile_entry() is valid until the next
 * call), CS_E_CT_ENTRY_TOO_BIG (not sticky: the entry was skipped, but
 * its timestamp, type and leaf hash are in cs_ct_tile_entry(), its slices
 * NULL), or a sticky error: CS_E_CT_ENTRY_TYPE, CS_E_CT_LENGTH,
 * CS_E_CT_EXTENSIONS, CS_E_CT_FINGERPRINTS. */
CSDEF int cs_ct_tile_feed(cs_ct_tile *t, const unsigned char *data,
                          size_t len, size_t *used);
/* The entry just completed (chain_kind CS_CT_CHAIN_SHA256). */
CSDEF const cs_ct_entry *cs_ct_tile_entry(const cs_ct_tile *t);
/* End of the tile: returns the number of entries (>= 0), the sticky
 * error, or CS_E_CT_TRUNCATED when it ended inside an entry. */
CSDEF long cs_ct_tile_end(cs_ct_tile *t);

/* ---- log keys, checkpoints and tree heads ---- */

#define CS_CT_KEY_EC_P256 1
#define CS_CT_KEY_RSA 2
#ifndef CS_CT_MAX_SIG
#  define CS_CT_MAX_SIG 600     /* longest DER signature kept (RSA-4096) */
#endif
#ifndef CS_CT_NOTE_MAX_LINES
#  define CS_CT_NOTE_MAX_LINES 64   /* extension + signature lines */
#endif

/* A log's public key, parsed from its DER SubjectPublicKeyInfo (the log
 * list's base64 "key", decoded): slices into that DER. */
typedef struct cs_ct_key {
    int type;                   /* CS_CT_KEY_EC_P256 or CS_CT_KEY_RSA */
    const unsigned char *q;     /* EC: the uncompressed point (65 bytes) */
    size_t q_len;
    const unsigned char *n, *e; /* RSA: modulus and exponent, unsigned */
    size_t n_len, e_len;        /* big-endian without leading zeros */
    unsigned char log_id[32];   /* SHA-256 of the SPKI DER (RFC 6962 3.2) */
} cs_ct_key;

/* Parse spki[0..len) (DER SubjectPublicKeyInfo: id-ecPublicKey on
 * prime256v1, or rsaEncryption); spki MUST outlive *k. Returns 0 or
 * CS_E_CT_KEY. */
CSDEF int cs_ct_key_parse(cs_ct_key *k, const unsigned char *spki,
                          size_t len);

/* A parsed checkpoint (C2SP tlog-checkpoint + signed-note). */
typedef struct cs_ct_checkpoint {
    const char *origin;         /* the first line, a slice of the text */
    size_t origin_len;
    uint64_t tree_size;
    unsigned char root[32];
    size_t body_len;            /* the note text: text[0..body_len) */
    size_t ext_lines, sig_lines;    /* extension and signature lines */
    int has_sig;                /* the log's RFC 6962 signature was found */
    uint64_t timestamp;         /* its STH timestamp (ms) */
    size_t sig_len;             /* its DigitallySigned, hash alg first */
    unsigned char sig[CS_CT_MAX_SIG + 4];
} cs_ct_checkpoint;

/* Parse the checkpoint text[0..len) (the whole response body). With key
 * non-NULL, also find the log's signature line: the name equal to the
 * origin and the key ID SHA-256(origin || 0x0A || 0x05 || log_id)[0..4];
 * other lines (grease, witnesses, cosignatures) are skipped. The caller
 * MUST check the origin against the log's own (it is not signed).
 * Returns 0 or CS_E_CT_NOTE_SYNTAX, CS_E_CT_NOTE_SIZE, CS_E_CT_NOTE_ROOT,
 * CS_E_CT_NOTE_SIGLINE, CS_E_CT_NOTE_LIMIT, CS_E_CT_NO_SIGNATURE (key
 * given but no matching line), CS_E_CT_SIG_FORMAT. */
CSDEF int cs_ct_checkpoint_parse(cs_ct_checkpoint *c, const char *text,
                                 size_t len, const cs_ct_key *key);

#if CS_HAS_TLS
/* Verify sig[0..sig_len), a DER ECDSA or PKCS#1 v1.5 signature, over
 * SHA-256(msg[0..len)) with key (BearSSL's default implementations).
 * Returns 0 or CS_E_CT_BAD_SIGNATURE. */
CSDEF int cs_ct_verify(const cs_ct_key *key, const unsigned char *msg,
                       size_t len, const unsigned char *sig,
                       size_t sig_len);
/* Verify an RFC 6962 tree head (get-sth): dsig[0..dsig_len) is the
 * decoded tree_head_signature, a DigitallySigned over version 0,
 * tree_hash, timestamp, tree_size and root (RFC 6962 3.5). Returns 0 or
 * CS_E_CT_SIG_FORMAT (not SHA-256 with the key's algorithm),
 * CS_E_CT_BAD_SIGNATURE. */
CSDEF int cs_ct_sth_verify(const cs_ct_key *key, uint64_t timestamp,
                           uint64_t tree_size, const unsigned char root[32],
                           const unsigned char *dsig, size_t dsig_len);
/* Verify the checkpoint's RFC 6962 note signature (type 0x05) that
 * cs_ct_checkpoint_parse() found with the same key. Returns 0 or
 * CS_E_CT_NO_SIGNATURE, CS_E_CT_SIG_FORMAT, CS_E_CT_BAD_SIGNATURE. */
CSDEF int cs_ct_checkpoint_verify(const cs_ct_checkpoint *c,
                                  const cs_ct_key *key);
#endif /* CS_HAS_TLS */

#endif /* CS_HAS_CT */

/* ==== [1h] DER: what a certificate names ================= off: _NO_CT ==== */

#if CS_HAS_CT
/* A strict DER walk over ONE whole certificate (or TBSCertificate) held in
 * the caller's buffer (random access, not a push parser: gather the
 * entry first, see [1g]). It keeps slices into that buffer, never
 * copies, never allocates, reads nothing outside der[0..len).
 * Strict DER: definite lengths only, each in its shortest form, at most
 * 4 length bytes, every element inside its parent, every tag checked,
 * nothing left over; one named CS_E_DER_* code per violation. Left to
 * the issuer's linter, as the reference servers leave them: the text of
 * names and dNSNames (see cs_der_text; a dNSName slice is raw IA5 bytes),
 * the sort order of SET OF, a DEFAULT FALSE written out, GeneralizedTime
 * before 2050, an empty SAN, unknown critical extensions, and whether
 * the outer signature algorithm equals the TBS's.
 * Order of names, as certstream-server-rust (the reference server) does:
 * the CN used for all_domains is the LAST CN of the subject (Rust and Go
 * both overwrite earlier ones); all_domains is that CN (when not empty
 * and the certificate is not a CA), then the SAN dNSNames in certificate
 * order, each dropped when byte-for-byte equal (case-sensitive) to one
 * already given; IP addresses and e-mail addresses are not domains. */

/* cs_cert_parse() kinds: a signed Certificate (RFC 5280 4.1), or a bare
 * TBSCertificate (the precert entry of an RFC 6962 leaf or a static-ct
 * tile: the issuer's TBS with the poison extension removed). */
#define CS_CERT_FULL 0
#define CS_CERT_TBS  1

/* cs_cert.flags */
#define CS_CERT_CA           0x01u  /* basicConstraints cA TRUE */
#define CS_CERT_HAS_BC       0x02u  /* basicConstraints present */
#define CS_CERT_SAN_CRITICAL 0x04u  /* the SAN extension is critical */
#define CS_CERT_POISON       0x08u  /* CT poison 1.3.6.1.4.1.11129.2.4.3 */
#define CS_CERT_PRECERT_EKU  0x10u  /* EKU has 1.3.6.1.4.1.11129.2.4.4:
                                       a precertificate signing CA */

/* What a certificate names. Every pointer is into the buffer given to
 * cs_cert_parse() and lives as long as it does; OIDs and INTEGERs are
 * the contents octets (no tag, no length). */
typedef struct cs_cert {
    const unsigned char *tbs;      /* the TBSCertificate, tag to end */
    size_t tbs_len;
    const unsigned char *serial;   /* INTEGER contents, as encoded */
    size_t serial_len;
    const unsigned char *sig_oid;  /* TBS signature algorithm OID */
    size_t sig_oid_len;
    const unsigned char *issuer;   /* Name: the SEQUENCE's contents */
    size_t issuer_len;
    const unsigned char *subject;  /* Name: the SEQUENCE's contents */
    size_t subject_len;
    const unsigned char *key_oid;  /* subjectPublicKeyInfo algorithm */
    size_t key_oid_len;
    const unsigned char *exts;     /* Extensions: the SEQUENCE's contents */
    size_t exts_len;
    const unsigned char *san;      /* GeneralNames contents, NULL if none */
    size_t san_len;
    const unsigned char *cn;       /* the subject's last CN value, NULL if */
    size_t cn_len;                 /* none; its tag in cn_tag */
    int64_t not_before;            /* Unix seconds */
    int64_t not_after;
    unsigned version;              /* 1, 2 or 3 */
    unsigned flags;                /* CS_CERT_* */
    unsigned cn_tag;
    unsigned san_dns;              /* dNSName entries (repeats counted) */
} cs_cert;

/* Walk der[0..len) as a Certificate (kind CS_CERT_FULL) or as a bare
 * TBSCertificate (CS_CERT_TBS) and fill *c with slices into der.
 * Checks the whole structure strictly (see the section comment),
 * including every RDN of both Names and every SAN entry, so that the
 * iterators below cannot fail on a parsed certificate.
 * Returns 0, CS_E_ARG (unknown kind), or CS_E_DER_*: TRUNCATED,
 * INDEFINITE, LEN_MINIMAL, LEN_BIG, TAG, HIGH_TAG, TRAILING, INTEGER,
 * BOOLEAN, OID, TIME, VERSION, NAME, SAN, EXT_DUP, EXT. *c is undefined
 * after an error. */
CSDEF int cs_cert_parse(cs_cert *c, const unsigned char *der, size_t len,
                        int kind);

/* The serial number as certstream-server-rust prints it: uppercase hex of
 * the value's bytes without leading zero bytes ("00" for zero), so even
 * length; a negative serial prints its two's complement bytes. Writes a
 * NUL when there is room; *n gets the length. Returns 0 or CS_E_BUFFER. */
CSDEF int cs_cert_serial_hex(const cs_cert *c, char *out, size_t cap,
                             size_t *n);

/* The signature algorithm as certstream-server-rust names it in
 * "signature_algorithm": "sha256, rsa", "ecdsa, sha256", "ed25519", ...,
 * or "unknown". A static string. (Taken from the TBS's signature field,
 * which RFC 5280 4.1.1.2 makes equal to the outer one.) */
CSDEF const char *cs_cert_sig_name(const cs_cert *c);

/* One attribute of a Name. */
typedef struct cs_attr {
    const unsigned char *oid;   /* attribute type, OID contents */
    size_t oid_len;
    const unsigned char *val;   /* value contents */
    size_t val_len;
    unsigned tag;               /* value tag: 0x0C UTF8String, 0x13 ... */
    unsigned rdn;               /* 1-based RDN number (multi-valued RDNs
                                   give several attributes one number) */
    int id;                     /* CS_ATTR_*, CS_ATTR_OTHER if unknown */
    const char *name;           /* short name ("CN", "emailAddress"), or
                                   NULL when the OID is not known */
} cs_attr;

/* Attribute ids (cs_attr.id), OpenSSL's short names in the comments. */
enum {
    CS_ATTR_OTHER = 0,
    CS_ATTR_CN,        /* CN 2.5.4.3 */
    CS_ATTR_SN,        /* SN (surname) 2.5.4.4 */
    CS_ATTR_SERIAL,    /* serialNumber 2.5.4.5 */
    CS_ATTR_C,         /* C 2.5.4.6 */
    CS_ATTR_L,         /* L 2.5.4.7 */
    CS_ATTR_ST,        /* ST 2.5.4.8 */
    CS_ATTR_STREET,    /* street 2.5.4.9 */
    CS_ATTR_O,         /* O 2.5.4.10 */
    CS_ATTR_OU,        /* OU 2.5.4.11 */
    CS_ATTR_TITLE,     /* title 2.5.4.12 */
    CS_ATTR_BUSINESS,  /* businessCategory 2.5.4.15 */
    CS_ATTR_POSTAL,    /* postalCode 2.5.4.17 */
    CS_ATTR_GN,        /* GN 2.5.4.42 */
    CS_ATTR_INITIALS,  /* initials 2.5.4.43 */
    CS_ATTR_GENQ,      /* generationQualifier 2.5.4.44 */
    CS_ATTR_DNQ,       /* dnQualifier 2.5.4.46 */
    CS_ATTR_PSEUDONYM, /* pseudonym 2.5.4.65 */
    CS_ATTR_ORGID,     /* organizationIdentifier 2.5.4.97 */
    CS_ATTR_EMAIL,     /* emailAddress 1.2.840.113549.1.9.1 */
    CS_ATTR_DC,        /* DC 0.9.2342.19200300.100.1.25 */
    CS_ATTR_UID,       /* UID 0.9.2342.19200300.100.1.1 */
    CS_ATTR_JUR_L,     /* jurisdictionL 1.3.6.1.4.1.311.60.2.1.1 */
    CS_ATTR_JUR_ST,    /* jurisdictionST 1.3.6.1.4.1.311.60.2.1.2 */
    CS_ATTR_JUR_C      /* jurisdictionC 1.3.6.1.4.1.311.60.2.1.3 */
};

/* Iterator over the attributes of a Name, in certificate order. */
typedef struct cs_name_iter {
    const unsigned char *p;
    size_t end, pos, set_end;
    unsigned rdn;
} cs_name_iter;

/* Start iterating the Name contents name[0..len) (cs_cert.subject or
 * .issuer, or any Name's SEQUENCE contents). */
CSDEF void cs_name_iter_init(cs_name_iter *it, const unsigned char *name,
                             size_t len);
/* The next attribute into *a. Returns 1 (an attribute), 0 (no more), or
 * CS_E_DER_* for a malformed Name (never on a Name that cs_cert_parse()
 * accepted). */
CSDEF int cs_name_next(cs_name_iter *it, cs_attr *a);
/* The LAST attribute with this CS_ATTR_* id whose value is a string type
 * (how the reference servers pick one value per key: the subject and
 * issuer objects of a certstream message). Returns 1 (found, *a filled),
 * 0 (none, or id CS_ATTR_OTHER), or CS_E_DER_*. */
CSDEF int cs_name_find(const unsigned char *name, size_t len, int id,
                       cs_attr *a);

/* Styles for cs_name_format(). */
#define CS_NAME_AGGREGATED 0  /* certstream-server-rust's "aggregated":
                                 "/C=../CN=../L=../O=../OU=../ST=..", in
                                 that fixed order, the last value of each,
                                 others left out; "" for an empty Name */
#define CS_NAME_ONELINE    1  /* every attribute in certificate order,
                                 "/C=US/O=Let's Encrypt/CN=R3": short name
                                 or dotted OID, '+' inside a multi-valued
                                 RDN, a value that is no string type as
                                 '#' and the hex of its DER (RFC 4514) */

/* Render a Name as text: UTF-8 (every string type converted as
 * cs_der_text does, nothing escaped), NUL-terminated when there is room,
 * length in *n. Returns 0, CS_E_BUFFER (cap too small; *n gets the
 * length needed), CS_E_ARG (style), or CS_E_DER_* for a malformed Name.
 * Every function here that writes text counts this way. */
CSDEF int cs_name_format(const unsigned char *name, size_t len, int style,
                         char *out, size_t cap, size_t *n);

/* A string value (tag and contents) as UTF-8 into out[0..cap), with a NUL
 * when there is room and the length in *n:
 *   UTF8String 0x0C      checked; each invalid byte becomes U+FFFD
 *   PrintableString 0x13, IA5String 0x16, NumericString 0x12,
 *   VisibleString 0x1A, TeletexString 0x14: their character sets are
 *                        not policed (real CAs put '*', '@', '_' and
 *                        UTF-8 in them); bytes that are valid UTF-8 are
 *                        taken as UTF-8 (as certstream-server-rust and
 *                        python3-cryptography read them); otherwise a
 *                        byte over 0x7F becomes U+FFFD, except in
 *                        Teletex, read as Latin-1 then (as OpenSSL
 *                        does; T.61 proper is not decoded)
 *   BMPString 0x1E       UCS-2 big-endian (surrogate pairs joined); a
 *                        lone surrogate or odd last byte becomes U+FFFD
 *   UniversalString 0x1C UCS-4 big-endian; a code point past U+10FFFF, a
 *                        surrogate, or a short tail becomes U+FFFD
 * Returns 0 (clean), 1 (something was replaced by U+FFFD), CS_E_BUFFER
 * (*n gets the length needed), or CS_E_DER_STRING (tag is none of these).
 * out == NULL with cap 0 measures: *n gets the full length. */
CSDEF int cs_der_text(unsigned tag, const unsigned char *v, size_t len,
                      char *out, size_t cap, size_t *n);

/* An OID's contents in dotted decimal ("2.5.4.3"); NUL when there is
 * room, *n the length. Returns 0, CS_E_BUFFER, or CS_E_DER_OID (arcs
 * over 64 bits count as malformed). */
CSDEF int cs_der_oid_text(const unsigned char *oid, size_t len, char *out,
                          size_t cap, size_t *n);

/* subjectAltName GeneralName kinds that cs_san_next() yields. */
#define CS_GN_EMAIL 1  /* rfc822Name, IA5 bytes */
#define CS_GN_DNS   2  /* dNSName, IA5 bytes ("xn--" labels as they are) */
#define CS_GN_URI   6  /* uniformResourceIdentifier, IA5 bytes */
#define CS_GN_IP    7  /* iPAddress: 4 or 16 raw bytes */

/* Iterator over the SAN GeneralNames (cs_cert.san). */
typedef struct cs_san_iter {
    const unsigned char *p;
    size_t end, pos;
} cs_san_iter;

/* Start iterating GeneralNames contents san[0..len) (san may be NULL
 * with len 0: no SAN). */
CSDEF void cs_san_iter_init(cs_san_iter *it, const unsigned char *san,
                            size_t len);
/* The next dNSName, iPAddress, rfc822Name or URI: *kind gets CS_GN_*,
 * *v and *n its contents (a slice). Other GeneralName kinds are skipped.
 * Returns 1, 0 (no more), or CS_E_DER_* (never after cs_cert_parse()). */
CSDEF int cs_san_next(cs_san_iter *it, int *kind, const unsigned char **v,
                      size_t *n);

/* An iPAddress (4 or 16 bytes) as text: dotted quad, or IPv6 in RFC 5952
 * form (lowercase, longest zero run as "::"). Returns 0, CS_E_BUFFER, or
 * CS_E_ARG (another length). */
CSDEF int cs_ip_text(const unsigned char *ip, size_t len, char *out,
                     size_t cap, size_t *n);

/* Iterator over all_domains (rule: section comment above). */
typedef struct cs_domains_iter {
    const cs_cert *c;
    cs_san_iter san;
    const unsigned char *cn;    /* the CN as text (slice or caller buf) */
    size_t cn_len;
    unsigned char *seen;        /* hash table of 4-byte SAN offsets + 1 */
    size_t slots;               /* a power of two, or 0: no table */
    int stage;                  /* 0 CN, 1 SAN names */
    int err;
} cs_domains_iter;

/* Start all_domains of a parsed certificate, with buf[0..cap) as scratch
 * (it MUST outlive the iteration; buf may be NULL with cap 0):
 *  - a CN whose string type is not UTF-8 already (BMP, Universal,
 *    Latin-1 Teletex, or text needing U+FFFD) is converted into it; 256
 *    bytes is plenty for real CNs (RFC 5280: ub-common-name is 64
 *    characters); when it does not fit, the first next gives CS_E_BUFFER;
 *  - what is left, if it holds CS_DOMAINS_SCRATCH(c) bytes (16 a SAN
 *    dNSName, and 16), becomes a hash table that finds repeats in
 *    constant time. With less, each name is compared with every earlier
 *    one: quadratic, about 10 ms at 2,000 names and 1.3 s at 20,000 (a
 *    320 KB SAN), so give hostile input the room. */
CSDEF void cs_cert_domains_init(cs_domains_iter *it, const cs_cert *c,
                                char *buf, size_t cap);
/* Scratch enough for both: the longest converted CN (3 bytes of UTF-8 a
 * DER byte at most, and a NUL) and the table (a power of two of 4-byte
 * slots, at least twice the names). */
#define CS_DOMAINS_SCRATCH(c) \
    ((c)->cn_len * 3 + 1 + 16 * ((size_t)(c)->san_dns + 1))
/* The next domain: *d and *n, a slice into the DER (or into buf for a
 * converted CN), not NUL-terminated. Returns 1, 0 (no more), or
 * CS_E_BUFFER (the converted CN does not fit; sticky). */
CSDEF int cs_cert_domains_next(cs_domains_iter *it, const unsigned char **d,
                               size_t *n);
#endif /* CS_HAS_CT */

/* ==== [1i] watchlists: domain patterns =================================== */

/* A watchlist: domain patterns compiled once into caller memory, then
 * matched against every domain of the feed in one pass per name, at a cost
 * that barely depends on how many patterns there are. No I/O, no heap.
 *
 * Patterns (ASCII case-insensitive; see cs_match_name for the name side):
 *   glob     has '*' or '?': the whole name, '*' any run of bytes (dots
 *            too), '?' exactly one byte: "paypal*.com", "*-login.*"
 *   name     else has a dot: that name and every name under it, on label
 *            boundaries: "example.com" matches "a.b.example.com", not
 *            "badexample.com"; one trailing dot is dropped; empty labels
 *            are an error
 *   keyword  else: anywhere in the name ("paypal")
 *   '!' before any of these makes an exclusion: a name that matches an
 *   exclusion matches nothing.
 * Pattern bytes: printable ASCII and valid UTF-8 (no space, no control
 * bytes), at most CS_MATCH_PATTERN_MAX after the '!'.
 *
 * Case: ASCII letters fold to lower case. Text beyond ASCII is compared as
 * UTF-8 after a simple lower case of the two-byte letters of Latin-1,
 * Greek and Cyrillic (U+00C0..U+00DE but U+00D7, U+0391..U+03AB, U+0400..
 * U+042F), the same on patterns and names; nothing else is normalized.
 *
 * IDN: a name whose labels start "xn--" (or that holds UTF-8) is matched a
 * second time in its Unicode form, each such label punycode-decoded (RFC
 * 3492; a label that does not decode, or decodes to more than
 * CS_MATCH_LABEL_CHARS characters, stays as written), so "bücher" finds
 * "xn--bcher-kva.de". With CS_MATCH_CONFUSABLES, keywords are also
 * matched a third time against that form with the look-alike letters of
 * Latin, Greek and Cyrillic (accented Latin, "а" U+0430, "ο" U+03BF, ...)
 * replaced by the ASCII letter they imitate: "paypal" finds "раураl".
 *
 * Design: keywords, names (as "." + name, which must end the "." + domain
 * scanned) and each glob's longest literal run share one Aho-Corasick
 * automaton, built as a full DFA over the byte classes the patterns use:
 * one table load per byte, the match flag in the state word. A glob is
 * verified (linear star-restart algorithm, no backtracking) only when its
 * literal run was seen, once per name; globs made only of '*' and '?' are
 * tried on every name. Hash tables or a reversed-label trie would serve
 * names alone; the DFA handles all three kinds in the same single pass.
 * Work per name: its length, plus each matching pattern once (a state's
 * outputs are walked once per pass), plus each candidate glob's check,
 * O(glob x name) at worst; the states are numbered breadth first so the
 * shallow ones, where scans spend their steps, share a few cache lines.
 *
 * Memory: cs_match_size() computes it from the patterns alone, before
 * anything is built, so it counts one automaton state per key byte (a
 * bound: keys that share a prefix share states) at 4 x (classes + 5)
 * bytes each, classes being the distinct bytes in the keys plus one
 * (about 37 for DNS names: 168 bytes a state); plus 20 bytes per pattern
 * and each glob's text. A keyword or name costs about 170 bytes per
 * character: 10,000 ten-letter keywords take 17 MB (1.7 KB a pattern).
 * cs_match_used() then gives the bytes of the states actually built, and
 * cs_match_copy() moves the set there: 6 MB (600 bytes a pattern) for the
 * same list. Compiling takes about 5 microseconds per pattern. */
#ifndef CS_MATCH_PATTERN_MAX
#  define CS_MATCH_PATTERN_MAX 1024 /* bytes in one pattern */
#endif
#ifndef CS_MATCH_NAME_MAX
#  define CS_MATCH_NAME_MAX 1024    /* longest Unicode form matched */
#endif
#ifndef CS_MATCH_LABEL_CHARS
#  define CS_MATCH_LABEL_CHARS 63   /* characters in a decoded label */
#endif
#ifndef CS_MATCH_IDS
#  define CS_MATCH_IDS 16           /* pattern ids kept per domain */
#endif
#define CS_MATCH_MAX_PATTERNS 0x1000000u /* 16 M */
#ifndef CS_MATCH_HITS
#  define CS_MATCH_HITS 32          /* hits a client event carries */
#endif
#define CS_MATCH_CONFUSABLES 0x1u   /* flag: keywords also on look-alikes */

/* Pattern kinds (cs_match_kind). */
enum { CS_MATCH_KEYWORD = 1, CS_MATCH_NAME = 2, CS_MATCH_GLOB = 3 };

/* A compiled pattern set, at the start of the memory given to
 * cs_match_compile(). Treat every field as private. */
typedef struct cs_match {
    uint32_t count;        /* patterns */
    uint32_t nodes;        /* automaton states */
    uint32_t ncls;         /* byte classes */
    uint32_t start;        /* the state after the leading "." */
    uint32_t serial;       /* names matched so far (dedup stamps) */
    uint32_t nalways;      /* globs with no literal run */
    unsigned flags;
    size_t size;           /* bytes used from the memory given */
    size_t textlen;        /* bytes of glob text */
    uint32_t *delta;       /* [nodes * ncls] next row | CS__MATCH_OUT */
    uint32_t *term;        /* [nodes] first pattern ending here, + 1 */
    uint32_t *dict;        /* [nodes] nearest suffix state with output */
    uint32_t *seen;        /* [nodes] the pass that walked its outputs */
    struct cs__mpat *pat;  /* [count] */
    uint32_t *always;      /* [nalways] */
    unsigned char *text;   /* glob texts, folded */
    unsigned char cls[256];
} cs_match;

/* One matching (domain, pattern) pair of a message. */
typedef struct cs_match_hit {
    uint32_t domain;       /* index for cs_msg_domain() */
    uint32_t pattern;      /* index in the patterns compiled */
} cs_match_hit;

/* Check patterns[0..count) (NUL-terminated strings) and compute the bytes
 * cs_match_compile() needs for them into *size. flags: CS_MATCH_*.
 * Returns 0, or the first bad pattern's error (its index in *bad, when bad
 * is not NULL): CS_E_MATCH_EMPTY, _BYTE, _LABEL, _TOO_LONG, or
 * CS_E_MATCH_TOO_MANY for a set over CS_MATCH_MAX_PATTERNS patterns or
 * 2^28 key bytes. */
CSDEF int cs_match_size(const char *const *patterns, size_t count,
                        unsigned flags, size_t *size, size_t *bad);

/* Compile patterns into mem[0..cap) (any alignment; cap at least what
 * cs_match_size() said). The set lives there, self-contained: the
 * patterns may be freed afterwards; mem MUST outlive the set's use.
 * Returns the set, or NULL with *err (when not NULL) set to the error of
 * cs_match_size(), or CS_E_MATCH_MEMORY when cap is too small. */
CSDEF cs_match *cs_match_compile(void *mem, size_t cap,
                                 const char *const *patterns, size_t count,
                                 unsigned flags, int *err, size_t *bad);

/* Which patterns the domain name[0..len) matches. The name is taken as
 * the feed sends it: one leading "*." and one trailing "." are dropped,
 * ASCII and the letters above fold to lower case; any bytes are safe.
 * Writes the cap smallest matching pattern indexes to ids (all of them
 * when they fit), in increasing order, each once. Returns how many positive patterns match (may exceed cap), or 0
 * when none does or an exclusion matches. Not reentrant on one set: it
 * keeps a per-name mark in the set (use one set per thread). */
CSDEF int cs_match_name(cs_match *m, const char *name, size_t len,
                        uint32_t *ids, size_t cap);

/* cs_match_name() over every stored domain of a message (a certificate,
 * or a domains-only message): writes up to cap (domain, pattern) pairs to
 * hits (at most CS_MATCH_IDS per domain), their number to *nhits, and
 * returns the number of domains that match. */
CSDEF size_t cs_match_msg(cs_match *m, const cs_msg *msg,
                          cs_match_hit *hits, size_t cap, size_t *nhits);

/* The bytes a copy of the set needs: the states actually built (where
 * cs_match_size() had to count one per key byte), without the build's
 * scratch. Typically 40% of cs_match_size() for real keyword lists. */
CSDEF size_t cs_match_used(const cs_match *m);

/* Copy the set into mem[0..cap) (any alignment, cap >= cs_match_used(),
 * not overlapping m): compile into a large temporary buffer, copy into a
 * tight one, free the first. Returns the copy, or NULL if cap is short. */
CSDEF cs_match *cs_match_copy(void *mem, size_t cap, const cs_match *m);

/* The kind of pattern i (CS_MATCH_KEYWORD, _NAME, _GLOB), negated for an
 * exclusion; 0 when i is out of range. */
CSDEF int cs_match_kind(const cs_match *m, uint32_t i);

/* ==== [1j] JSON tokens: streaming, validating ============================ */

/* A push tokenizer for any JSON text (RFC 8259), for the CT codecs: it
 * stops at each token, keeps no input, and validates everything the
 * extractor does (grammar, UTF-8, escapes, control bytes, numbers,
 * literals, one top value). Feed bytes; each call returns at most one
 * token:
 *
 *     cs_jtok t; size_t used; int r;
 *     cs_jtok_init(&t);
 *     while (len > 0) {              (for each chunk that arrives)
 *         r = cs_jtok_feed(&t, p, len, &used);
 *         p += used, len -= used;
 *         if (r < 0) fail(r);  else if (r > 0) handle(r);
 *     }
 *     ... at the end of the input: cs_jtok_end(&t) until CS_JT_DONE
 *
 * Strings: a key comes whole as one CS_JT_KEY (cut at CS_JTOK_KEY_MAX
 * bytes); a string value comes as zero or more CS_JT_STR pieces of its
 * decoded bytes then CS_JT_STR_END, so a value of any length passes
 * through. Where the pieces split depends on the chunks; their
 * concatenation does not, and no piece splits a UTF-8 character. Escapes
 * decode to UTF-8, surrogate pairs to one character; a lone surrogate
 * decodes to U+FFFD, as in the extractor. A "\u0000" is a NUL byte. */

#ifndef CS_JTOK_MAX_DEPTH
#  define CS_JTOK_MAX_DEPTH 64   /* containers open at once (1..255) */
#endif
#ifndef CS_JTOK_KEY_MAX
#  define CS_JTOK_KEY_MAX 64     /* bytes of a key kept (1..255) */
#endif
#define CS_JTOK_NUM_MAX 40       /* bytes of a number's text kept */
#define CS_JTOK_BUF 128          /* bytes of decoded escapes per piece */

/* Tokens (cs_jtok_feed / cs_jtok_end return values above 0). */
enum {
    CS_JT_OBJ = 1,   /* '{' */
    CS_JT_OBJ_END,   /* '}' */
    CS_JT_ARR,       /* '[' */
    CS_JT_ARR_END,   /* ']' */
    CS_JT_KEY,       /* an object key, whole: cs_jtok_key() */
    CS_JT_STR,       /* a piece of a string value: cs_jtok_piece() */
    CS_JT_STR_END,   /* the string value ended */
    CS_JT_NUM,       /* a number: cs_jtok_num(), cs_jtok_u64() */
    CS_JT_TRUE,
    CS_JT_FALSE,
    CS_JT_NULL,
    CS_JT_DONE       /* cs_jtok_end(): the one top value was complete */
};

/* The tokenizer's state (about 300 bytes with the defaults). Visible so
 * that the caller can allocate it; treat every field as private. */
typedef struct cs_jtok {
    uint64_t off;          /* bytes consumed */
    uint64_t err_off;
    const unsigned char *piece;
    size_t piece_len;
    int err;
    unsigned uacc;         /* \u code unit being read */
    unsigned hisur;        /* pending high surrogate, 0 if none */
    cs__utf8 u8;
    unsigned char st;      /* grammar state */
    unsigned char sst;     /* state inside a string */
    unsigned char depth, tdepth, is_key, lit, lit_pos, ucnt;
    unsigned char u8n, ktrunc, kfull, nlen, ntrunc, nint;
    unsigned char klen, blen;
    unsigned char u8p[4];  /* a UTF-8 character cut by the chunk end */
    unsigned char buf[CS_JTOK_BUF];
    char key[CS_JTOK_KEY_MAX + 1];
    char num[CS_JTOK_NUM_MAX + 1];
    unsigned char stack[(CS_JTOK_MAX_DEPTH + 7) / 8]; /* bit set: array */
} cs_jtok;

/* Start (or restart) a tokenizer on a new JSON text. */
CSDEF void cs_jtok_init(cs_jtok *t);

/* Consume in[0..len) until one token is complete or the input runs out.
 * *used receives the bytes consumed; the caller passes the rest again
 * (with more appended, or alone) on the next call. Input may be split at
 * any byte: the token sequence never depends on where (but for where
 * CS_JT_STR pieces split). A number ends at the byte after it, so its
 * token comes when that byte (or cs_jtok_end) arrives.
 *
 * Returns 0 (all len bytes consumed, no token yet), a CS_JT_* token, or a
 * negative CS_E_JSON_* code (SYNTAX, DEPTH, TRAILING, CONTROL, ESCAPE,
 * UTF8, NUMBER, LITERAL). Errors are sticky: later calls return the
 * same code and consume nothing. The accessors below describe the token
 * just returned and stay valid until the next call; a CS_JT_STR piece
 * may point into in[], so keep that memory until then. */
CSDEF int cs_jtok_feed(cs_jtok *t, const unsigned char *in, size_t len,
                       size_t *used);

/* The input ended. Returns CS_JT_DONE when exactly one complete top value
 * was read (again on each later call), CS_JT_NUM first when that value is
 * a number still open (call again for CS_JT_DONE), the sticky error if
 * there was one, else CS_E_JSON_INCOMPLETE (sticky). */
CSDEF int cs_jtok_end(cs_jtok *t);

/* The nesting depth of the token just returned: the containers around
 * it, not counting its own (a top '{' and its '}' are at 0, its keys and
 * their values at 1). */
CSDEF int cs_jtok_depth(const cs_jtok *t);

/* CS_JT_KEY: the decoded key, NUL-terminated, at most CS_JTOK_KEY_MAX
 * bytes, cut at a character boundary; *trunc (if not NULL) is set to 1
 * when the key was longer, else 0. *len (if not NULL): its length. */
CSDEF const char *cs_jtok_key(const cs_jtok *t, size_t *len, int *trunc);

/* CS_JT_STR: the piece's decoded bytes (*len of them, at least 1): a
 * slice of the input given to the last cs_jtok_feed() when the string
 * holds no escape there, else the tokenizer's own buffer. */
CSDEF const unsigned char *cs_jtok_piece(const cs_jtok *t, size_t *len);

/* CS_JT_NUM: the number's text as written, NUL-terminated, cut to
 * CS_JTOK_NUM_MAX bytes (*len is then CS_JTOK_NUM_MAX + 1 to say so). */
CSDEF const char *cs_jtok_num(const cs_jtok *t, size_t *len);

/* CS_JT_NUM: its value when it is written as an integer in 0..2^64-1 (no
 * sign, fraction or exponent): returns 0 and sets *v; else returns
 * CS_E_JSON_NUMBER and leaves *v alone. */
CSDEF int cs_jtok_u64(const cs_jtok *t, uint64_t *v);

/* Bytes consumed so far; after an error, the offset of the byte that
 * caused it (for CS_E_JSON_INCOMPLETE: the input's length). */
CSDEF uint64_t cs_jtok_offset(const cs_jtok *t);

/* ==== [1k] Merkle trees: hashes, proofs, tiles ========= off: _NO_CT ==== */
#if CS_HAS_CT

/* RFC 6962 / RFC 9162 Merkle tree hashing with O(log n) memory: node
 * hashes, the compact range from leaf 0 ("edge"), consistency and
 * inclusion proofs, and static-ct-api hash tiles. Hashes are 32 bytes;
 * leaf hashes are SHA-256(0x00 || leaf) (cs_ct_leaf_hash), nodes
 * SHA-256(0x01 || left || right). No recursion, no allocation. */

/* SHA-256(0x01 || l || r) into out (out may alias l or r). */
CSDEF void cs_merkle_node(const unsigned char l[32], const unsigned char r[32],
                          unsigned char out[32]);
/* The root of the empty tree, SHA-256 of nothing. */
CSDEF void cs_merkle_empty_root(unsigned char out[32]);

/* The edge of a tree of `size` leaves: the roots of the maximal full
 * subtrees covering [0, size), one per set bit of size; h[b] is the
 * subtree of 2^b leaves when bit b of size is set (other rows are
 * stale). 2 KB plus the size; caller-owned. */
typedef struct cs_merkle_edge {
    uint64_t size;
    unsigned char h[64][32];
} cs_merkle_edge;

/* Start the edge of the empty tree. */
CSDEF void cs_merkle_edge_init(cs_merkle_edge *e);
/* Append one leaf hash. Returns 0 or CS_E_MERKLE_RANGE (2^64-1 leaves). */
CSDEF int cs_merkle_edge_push(cs_merkle_edge *e, const unsigned char hash[32]);
/* Append the root of a full subtree of 2^height leaves (height 0..63),
 * which must start at an aligned position (size a multiple of 2^height).
 * Returns 0, CS_E_MERKLE_ALIGN, or CS_E_MERKLE_RANGE; *e is unchanged
 * on error. */
CSDEF int cs_merkle_edge_push_subtree(cs_merkle_edge *e,
                                      const unsigned char hash[32],
                                      unsigned height);
/* The Merkle tree hash of the e->size leaves pushed so far. */
CSDEF void cs_merkle_edge_root(const cs_merkle_edge *e, unsigned char out[32]);

/* The Merkle tree hash (RFC 6962 2.1 split rule) of count consecutive
 * hashes hashes[0..32*count), taken as leaves; count 0 gives the empty
 * root. Uses 2 KB of stack. */
CSDEF void cs_merkle_root(const unsigned char *hashes, size_t count,
                          unsigned char out[32]);

/* Verify an RFC 9162 2.1.4.2 consistency proof (RFC 6962
 * get-sth-consistency): proof[0..32*count) shows that the tree of size m
 * with root old_root is a prefix of the tree of size n with new_root.
 * m == n needs an empty proof and equal roots; m == 0 needs an empty
 * proof. With old_edge non-NULL, on success it receives the edge of size
 * m (the proof's nodes that make the old root), so a follower can push
 * leaves m, m+1, ... and compare roots; except when m == n and m is not a
 * power of two (the empty proof does not hold the edge): then
 * old_edge->size is set to UINT64_MAX, an edge not to use. Returns 0,
 * CS_E_MERKLE_RANGE (m > n), CS_E_MERKLE_PROOF (does not verify). */
CSDEF int cs_merkle_verify_consistency(uint64_t m, uint64_t n,
                                       const unsigned char old_root[32],
                                       const unsigned char new_root[32],
                                       const unsigned char *proof,
                                       size_t count,
                                       cs_merkle_edge *old_edge);
/* Verify an RFC 9162 2.1.3.2 inclusion proof (RFC 6962
 * get-proof-by-hash): leaf_hash is leaf `index` of the tree of `size`
 * leaves with root. Returns 0, CS_E_MERKLE_RANGE (index >= size),
 * CS_E_MERKLE_PROOF. */
CSDEF int cs_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                     const unsigned char leaf_hash[32],
                                     const unsigned char root[32],
                                     const unsigned char *proof,
                                     size_t count);

/* ---- static-ct-api hash tiles (C2SP tlog-tiles) ---- */

/* A tile verifier: proves that the level-0 hash tile tile/0/<k>[.p/<w>]
 * holds leaves [256k, 256k+w) of the tree of a verified checkpoint (size,
 * root), asking for the tiles it needs one at a time. Tile level L holds
 * the roots of subtrees of 256^L leaves (8 tree levels per tile level).
 * It keeps, per checkpoint, the checkpoint's verified edge and the last
 * verified level-1 tile, so successive data tiles under one checkpoint
 * cost one level-0 tile each (the first one: every partial tile on the
 * right edge plus the full tiles on the path; after
 * cs_merkle_tiles_advance(), only the right-edge tiles that changed).
 * Memory: sizeof, about 12.8 KB; the caller keeps the level-0 tile's bytes
 * (8 KB) itself. */
typedef struct cs_merkle_tiles {
    uint64_t size;              /* the checkpoint */
    unsigned char root[32];
    uint64_t k;                 /* the level-0 tile being verified */
    int err;                    /* sticky for this tile's verification */
    int phase;                  /* what is being fetched */
    int level, top, p;          /* current level, top level, edge level */
    uint64_t index;             /* the tile being fed */
    unsigned width, got;        /* its hashes: expected, complete */
    unsigned char part[32];     /* a hash split across feeds */
    unsigned part_n;
    unsigned char want[32];     /* what the current full tile must hash to */
    unsigned char next[32];     /* what the tile below must hash to */
    int edge_ok;                /* edge holds the checkpoint's verified edge */
    cs_merkle_edge edge;
    int prev_ok, l1_fed;        /* prev: a verified edge of prev_size */
    uint64_t prev_size;
    cs_merkle_edge prev;
    int prev_by_root;           /* prev is known by prev_root only */
    unsigned char prev_root[32];
    uint64_t small_size;        /* the edge of the tile being fed */
    unsigned char small[9][32];
    int l1_ok;                  /* l1 is verified for this checkpoint */
    uint64_t l1_index;
    unsigned l1_width;
    unsigned char l1[256][32];  /* a level-1 tile */
    /* prev (prev_size) is consistent with the checkpoint: tile levels
     * still to check, and those that matched / did not in this run */
    unsigned cons_need, cons_seen, cons_bad;
} cs_merkle_tiles;

/* Set the checkpoint (a verified tree head: size >= 1, root). What was
 * verified for another checkpoint is dropped; the same one keeps it. */
CSDEF void cs_merkle_tiles_init(cs_merkle_tiles *v, uint64_t size,
                                const unsigned char root[32]);
/* Move to a newer checkpoint (size >= the current one), keeping the
 * current verified edge: right-edge tiles that did not change between the
 * two sizes are not asked for again (their subtrees come from the kept
 * edge, and the new root still checks them). Otherwise as init.
 * The kept edge must also be in the new tree (the two checkpoints
 * consistent: a log that signs a fork is caught): the verification of
 * tile old_size / 256 (the old tree's last tile, or the first past it)
 * checks that, on the tiles it asks for anyway, and fails with
 * CS_E_MERKLE_INCONSISTENT if they prove the old edge is not there.
 * Until a verification of that tile succeeds, the old edge stays the one
 * to check against (through further advances too), and every
 * verification asks for the whole right edge again. */
CSDEF void cs_merkle_tiles_advance(cs_merkle_tiles *v, uint64_t size,
                                   const unsigned char root[32]);
/* Set the checkpoint (size, root) as init does, to be proven to extend a
 * trusted earlier tree head (prev_size, prev_root) known by its root only
 * (0 < prev_size < size: a resumed follower's saved head). The
 * verification of tile prev_size / 256 (as after an advance) then reads
 * the old tree's right edge from the first hashes of the tiles it proves
 * in the new tree and fails with CS_E_MERKLE_INCONSISTENT unless they hash
 * to prev_root; once it succeeds, the two trees are proven consistent and
 * the verifier goes on as after cs_merkle_tiles_init(). A verification of
 * another tile proves nothing of prev and leaves it to be proven. */
CSDEF void cs_merkle_tiles_resume(cs_merkle_tiles *v, uint64_t prev_size,
                                  const unsigned char prev_root[32],
                                  uint64_t size,
                                  const unsigned char root[32]);
/* Begin verifying level-0 tile k: full when 256(k+1) <= size, else the
 * partial right-edge tile of width size mod 256. Returns 0 or
 * CS_E_MERKLE_RANGE (no such tile in this tree). */
CSDEF int cs_merkle_tiles_start(cs_merkle_tiles *v, uint64_t k);
/* What to fetch next: returns 1 with *level, *index, *width (1..256;
 * below 256 means the partial tile tile/L/<index>.p/<width>), 0 when
 * tile k is verified, or the sticky error. The level-0 tile with index k
 * is the one to keep; another level-0 tile (the partial right edge) may be
 * asked for too. */
CSDEF int cs_merkle_tiles_next(cs_merkle_tiles *v, int *level,
                               uint64_t *index, unsigned *width);
/* Feed the asked tile's bytes data[0..len), split anywhere. Returns 0 or
 * the sticky error (CS_E_MERKLE_TILE_SIZE: too long). */
CSDEF int cs_merkle_tiles_feed(cs_merkle_tiles *v, const unsigned char *data,
                               size_t len);
/* The asked tile ended. Returns 0, CS_E_MERKLE_TILE_SIZE (not 32*width
 * bytes), CS_E_MERKLE_TILE (the tiles do not hash to the checkpoint's
 * root, or disagree with each other), CS_E_MERKLE_INCONSISTENT (they do,
 * and prove the checkpoint does not extend the one before the last
 * cs_merkle_tiles_advance()), CS_E_MERKLE_STATE (no tile was asked).
 * Errors are sticky until the next cs_merkle_tiles_start(). */
CSDEF int cs_merkle_tiles_end(cs_merkle_tiles *v);

#endif /* CS_HAS_CT */

/* ==== [1l] gaps: what a stream did not deliver ========================== */

/* A gap tracker: per CT log, which cert_index values a server-mode stream
 * delivered, and which it did not. Pure and allocation-free: the caller
 * gives the memory and the clock; no I/O.
 *
 * Logs are keyed on source.url normalised by cs_gap_url() (scheme dropped,
 * host lowercased, trailing '/' dropped), so "https://CT.example/log/" and
 * "ct.example/log" are one log. Per log the tracker keeps a window: the
 * lowest index not yet settled (base) and a bitmap of `window` indices
 * above it. An index above a missing one is not a gap yet (the Elixir
 * server delivers a log's batches out of order); a missing index becomes
 * a gap (one event per run: log, first missing index, count) when
 * - an index `window` or more above it arrives (the entries bound), or
 * - it has been missing for window_ms (the time bound: declared between
 *   window_ms and 1.75 * window_ms after the index above it arrived,
 *   when cs_gap_poll() is called at least every window_ms / 4).
 * The first index seen of a log starts it: what came before is not a gap.
 *
 * Maybe deliberate (CS_GAP_MAYBE_DELIBERATE): a run of at most
 * CS_GAP_DELIBERATE_MAX indices. The Rust server drops an entry whose
 * certificate another log delivered in the last 15 minutes, and skips
 * entries it cannot parse: isolated holes of one or two, no certificate
 * lost. Its skip to the head after an HTTP 400, a server restart, a slow
 * client's drops (every server) are losses and carry no flag.
 *
 * The bitmap also remembers the window indices below the highest one, so
 * an index seen before is a duplicate and one inside a declared gap is
 * late (counted, and then remembered as seen). Further down (or below
 * the log's first index) the two cannot be told apart: `old`.
 *
 * A full table: a new log takes the slot of the log idle longest if that
 * one has been idle for CS_GAP_IDLE_MS (its pending holes are declared
 * first; counted in `evicted`); otherwise the new log is not tracked and
 * its arrivals are counted in `untracked` (cs_gap_add returns
 * CS_GAP_UNTRACKED). */

#ifndef CS_GAP_URL_MAX
#  define CS_GAP_URL_MAX 120     /* normalised URL bytes kept per log */
#endif
#ifndef CS_GAP_DELIBERATE_MAX
#  define CS_GAP_DELIBERATE_MAX 2
#endif
#ifndef CS_GAP_IDLE_MS
#  define CS_GAP_IDLE_MS 600000u /* a log this quiet may give up its slot */
#endif

#define CS_GAP_MAYBE_DELIBERATE 0x01u /* cs_gap_event.flags: see above */
#define CS_GAP_TIMED            0x02u /* declared by the time bound */
#define CS_GAP_EVICTED          0x04u /* declared as its log left the table */
#define CS_GAP_FLUSHED          0x08u /* declared by cs_gap_flush() */

/* cs_gap_add() results. */
enum {
    CS_GAP_NEW = 0,        /* first arrival of the index */
    CS_GAP_DUPLICATE = 1,  /* seen before (within window of the top) */
    CS_GAP_LATE = 2,       /* inside a gap already declared */
    CS_GAP_OLD = 3,        /* more than window below the highest index,
                              or below the first: duplicate or late;
                              and 2^64 - 1, never tracked */
    CS_GAP_UNTRACKED = 4   /* the table is full: log not tracked */
};

/* One declared gap: [first, first + count) of the log url[0..url_len)
 * (normalised; cut at CS_GAP_URL_MAX bytes, not NUL-terminated). Valid
 * during the callback only. */
typedef struct cs_gap_event {
    const char *url;
    size_t url_len;
    const char *source;    /* source.url as its first message spelled it */
    size_t source_len;     /* (cut at CS_GAP_URL_MAX bytes) */
    uint64_t first, count;
    unsigned flags;        /* CS_GAP_* bits */
} cs_gap_event;

/* Counters since cs_gap_init(). */
typedef struct cs_gap_counts {
    uint64_t arrivals;     /* indices offered (tracked or not) */
    uint64_t reordered;    /* arrived below a higher index: a hole filled */
    uint64_t duplicates;   /* seen before */
    uint64_t late;         /* inside a gap already declared */
    uint64_t old;          /* too far down to tell */
    uint64_t gaps;         /* gaps declared */
    uint64_t missing;      /* indices in them */
    uint64_t deliberate;   /* gaps flagged CS_GAP_MAYBE_DELIBERATE */
    uint64_t untracked;    /* arrivals of logs with no slot */
    uint64_t evicted;      /* logs that gave their slot to another */
    uint64_t logs;         /* logs tracked now */
} cs_gap_counts;

/* The tracker. Visible so that the caller can allocate it; private. */
typedef struct cs_gap {
    unsigned char *mem;    /* slots, 8-aligned inside the caller's memory */
    size_t slots, used, slot_size;
    uint32_t window, window_ms;
    uint64_t t_poll;       /* no poll work before this */
    void (*on_gap)(void *ctx, const cs_gap_event *ev);
    void *ctx;
    cs_gap_counts counts;
} cs_gap;

/* Bytes of memory for `logs` logs with a window of `window` entries. */
CSDEF size_t cs_gap_size(size_t logs, uint32_t window);

/* Prepare g in mem[0..size) (caller-owned, any alignment, MUST outlive g):
 * as many logs as fit (see cs_gap_size). window: entries, 8..2^24;
 * window_ms: the time bound, 0 for none. on_gap(ctx, ev) is called for
 * every declared gap, from inside cs_gap_add/poll/flush (it MUST NOT call
 * them). Returns 0, CS_E_GAP_ARG for a bad window, CS_E_GAP_MEMORY when
 * not even one log fits. */
CSDEF int cs_gap_init(cs_gap *g, void *mem, size_t size, uint32_t window,
                      uint32_t window_ms,
                      void (*on_gap)(void *ctx, const cs_gap_event *ev),
                      void *ctx);

/* One arrival: index of the log url[0..len) (as sent: normalised here) at
 * now_ms (a monotonic clock, never going back). May declare gaps of this
 * log first. Returns CS_GAP_NEW, _DUPLICATE, _OLD or _UNTRACKED. */
CSDEF int cs_gap_add(cs_gap *g, const char *url, size_t len, uint64_t index,
                     uint64_t now_ms);

/* The time bound: declare every hole missing for window_ms. Cheap to call
 * often (it does work at most every window_ms / 8). Returns when to call
 * it next (ms, same clock), or UINT64_MAX when no log has a hole. */
CSDEF uint64_t cs_gap_poll(cs_gap *g, uint64_t now_ms);

/* Declare every hole now (at the end of a stream, say): the holes below
 * each log's highest index (flag CS_GAP_FLUSHED). */
CSDEF void cs_gap_flush(cs_gap *g);

/* The counters. */
CSDEF const cs_gap_counts *cs_gap_stats(const cs_gap *g);

/* Normalise a log URL: drop "scheme://", lowercase the host (up to the
 * first '/'), drop trailing '/'s. Writes at most cap bytes (no NUL) to
 * out and returns the full normalised length (may exceed cap). */
CSDEF size_t cs_gap_url(char *out, size_t cap, const char *url, size_t len);

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
    CS_EV_TICK,            /* cs_config.tick_ms passed */
    CS_EV_CT_TREE,         /* [3b]: a new tree head (verified when the
                              log's key is known): index = its size,
                              detail = its timestamp (ms) */
    CS_EV_CT_ERROR,        /* [3b]: a bad entry (status 0, index, err; the
                              next one goes on) or a bad tree head (status
                              1, index = its size, err: CS_E_CT_SHRUNK,
                              signature, ...) */
    CS_EV_CT_DONE,         /* [3b]: the range [from, to) is delivered
                              (cs_ct_config.to): index = to */
    CS_EV_GAP,             /* with cs_config.gap_mem: entries of a log the
                              stream did not deliver ([1l]): gap (log,
                              first, count, flags); also text/len = the
                              log (normalised), index = first */
    CS_EV_BACKFILL         /* [3c]: a gap's fetch ended: text/len = the
                              log, index = first, detail = count; err 0:
                              fetched, else given up (CS_E_BF_*) */
};

struct cs_ct_update;       /* [3b] */
struct cs_ct_follower;
struct cs_wait;            /* below: the backfill hook's */

/* One event; every pointer is valid only during the callback. */
typedef struct cs_event {
    int type;              /* CS_EV_* */
    int err;               /* 0 or a CS_E_* code */
    int status;            /* HTTP status or websocket close code */
    int opcode;            /* CS_WS_OP_TEXT / BINARY for messages */
    int64_t detail;        /* errno for transport errors, the byte
                              offset of a message's JSON error, BearSSL's
                              code (TLS), or the Retry-After seconds sent
                              with an HTTP status (CS_EV_FAILED; the delay
                              honours at most a day of it) */
    uint64_t delay_ms;     /* CS_EV_RETRY */
    const cs_msg *msg;     /* CS_EV_MESSAGE with err 0 */
    const char *text;      /* url, location, close reason, raw slice */
    size_t len;
    const cs_match_hit *hits; /* with cs_config.match: the matching */
    size_t hit_count;      /* (domain, pattern) pairs (CS_MATCH_HITS max) */
    /* [3b] the CT log follower (NULL/0 from the client): */
    const struct cs_ct_update *entry; /* CS_EV_MESSAGE: the entry */
    const struct cs_ct_follower *log; /* every event: the log it is from */
    uint64_t index;        /* the entry's index (CS_EV_MESSAGE,
                              CS_EV_CT_ERROR), or the tree size */
    const cs_gap_event *gap; /* CS_EV_GAP */
    int backfilled;        /* CS_EV_MESSAGE: 1 for an entry a backfill
                              ([3c]) fetched from the log itself */
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
    /* with cs_config.gap_mem ([1l]; see cs_gap_counts): */
    uint64_t gaps, gap_missing; /* gaps declared, entries in them */
    uint64_t gap_deliberate;    /* gaps that may be deliberate */
    uint64_t gap_duplicates, gap_late, gap_old, gap_untracked;
    uint64_t unindexed;    /* messages with no cert_index + source.url
                              (domains-only streams): not tracked */
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
    cs_match *match;       /* NULL, or a watchlist: certificate and dns
                              messages with no matching domain are not
                              delivered (cs_stats counts them); the rest
                              carry their hits (see cs_match_msg) */
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
    /* Gap tracking ([1l]): NULL (default) for none, or memory for the
     * tracker (cs_gap_size(logs, gap_window) bytes for `logs` logs; MUST
     * outlive the client). Each certificate_update with cert_index and
     * source.url is tracked (before cfg.match filters it); gaps arrive
     * as CS_EV_GAP. When a connection ends, its open holes are declared
     * (CS_GAP_FLUSHED: no server resends them after a reconnect); what
     * was logged while disconnected is the first gap after it. A stream
     * without them (domains-only) gets one CS_EV_WARNING (err
     * CS_E_GAP_UNINDEXED). */
    void *gap_mem;
    size_t gap_size;
    uint32_t gap_window;        /* 4096 entries per log */
    uint32_t gap_window_ms;     /* 10000: a hole this old is a gap */
    int gap_drop_duplicates;    /* 1: a message for a (log, index)
                                   already delivered is not delivered
                                   again (counted in cs_stats; seen only
                                   within gap_window of the log's highest
                                   index: see [1l]); 0 (default): it is */
    /* A backfill ([3c]), set by cs_backfill_attach(): each gap goes to
     * backfill_gap() after its CS_EV_GAP, each certificate_update with a
     * SHA-1 about to be delivered to backfill_msg() (1: a backfill
     * delivered that certificate, this message is not), and cs_run()
     * steps it. */
    void *backfill;
    void (*backfill_gap)(void *bf, const cs_gap_event *g, uint64_t now);
    size_t (*backfill_step)(void *bf, uint64_t now, struct cs_wait *w,
                            size_t cap);
    int (*backfill_msg)(void *bf, const cs_msg *m);
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
    cs_gap gap;            /* with cfg.gap_mem */
    int gap_warned;        /* the domains-only warning went out */
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
 * without TLS, CS_E_ARG for a bad header or setting, CS_E_GAP_ARG or
 * CS_E_GAP_MEMORY for gap_window or gap_size (see cs_gap_init). */
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

/* ==== [3b] the CT log follower ========== off: _NO_CT ==== */
#if CS_HAS_CT

/* Reads one Certificate Transparency log itself (no CertStream server):
 * polls its tree head, checks it (signature with the log's key, a tree
 * never shrinks), fetches the new entries (RFC 6962 get-entries, or
 * static-ct-api data tiles) and delivers each exactly once, in index
 * order, as the CS_EV_MESSAGE a server would have sent, plus the richer
 * cs_ct_update (cs_event.entry). A step engine like the client: no I/O
 * but through the transport, no blocking, no allocation.
 *
 *   static cs_ct_follower f;              // 64 KB (with TLS)
 *   static unsigned char mem[CS_CT_MEM];  // 112 KiB: window, entry, domains
 *   cs_ct_config_init(&cfg);
 *   cfg.url = "https://ct.example/2026h1/"; cfg.kind = CS_CT_RFC6962;
 *   cfg.key = der; cfg.key_len = n;  cfg.mem = mem; cfg.mem_cap = sizeof mem;
 *   cfg.on_event = fn;
 *   cs_ct_init(&f, &cfg, &transport);  then cs_ct_step() or cs_ct_run().
 *
 * Memory per followed log: sizeof(cs_ct_follower) (cs_ct_follower_size()
 * says it; it holds the TLS engine, the HTTP parser, the gzip decoder, the
 * JSON tokenizer, the message, the Merkle tile verifier (12,840) and the
 * proven level-0 hash tile (8,192): 64,808 bytes on x86-64 with TLS,
 * 24,312 of them cs_tls; 54,384 without TLS, where the receive buffer is
 * 16 KB)
 * plus cfg.mem (CS_CT_MEM by default, 114,688 bytes: the 32 KiB gzip
 * window, 16 KiB of domain storage, the 64 KiB entry buffer) plus the
 * transport's own state (cs_posix: about 16.5 KB with its read-ahead):
 * about 195 KB per log in all with the defaults. */

/* Log kinds (cs_ct_config.kind): CS_CT_RFC6962 and CS_CT_STATIC, the
 * values of cs_ct_log.kind ([8]); or CS_CT_ANY, a log of either kind:
 * until its first head the follower probes, get-sth first, and when that
 * answers 404 or with no tree head (not JSON, ...), the checkpoint at
 * once; the first that answers as a CT log decides the kind for good
 * (poll_ms 0 is 5000 either way). A checkpoint that answers 404 or does
 * not parse as one makes a CS_EV_FAILED (CS_E_CT_NOT_A_LOG, status: its
 * HTTP status) and the probe starts again from get-sth after the backoff;
 * other failures are retried as usual. Without cfg.origin, the first
 * checkpoint's origin line names the log (a log's monitoring URL is not
 * its origin; the line is not signed, so a key would not check it either)
 * and later ones must repeat it. */
#define CS_CT_ANY 3

#ifndef CS_CT_DOMAINS_MEM
#  define CS_CT_DOMAINS_MEM 16384  /* domain storage of one message */
#endif
/* The memory a follower needs by default: the gzip window, the domain
 * storage and an entry buffer (RFC 6962: leaf_input and extra_data
 * decoded, one after the other; static: one tile entry). */
#define CS_CT_MEM (CS_INFLATE_WINDOW + CS_CT_DOMAINS_MEM + CS_CT_MAX_ENTRY)
/* The least cfg.mem accepted. */
#define CS_CT_MEM_MIN (CS_INFLATE_WINDOW + 1024 + 8192)
#ifndef CS_CT_REQ_MAX
#  define CS_CT_REQ_MAX (CS_URL_MAX + 512) /* one HTTP request */
#endif

/* One log entry as delivered (cs_event.entry with CS_EV_MESSAGE): what a
 * server's certificate_update says beyond cs_msg. Every pointer is valid
 * only during the callback. */
typedef struct cs_ct_update {
    uint64_t index;            /* the entry's index in its log */
    uint64_t timestamp;        /* the log's timestamp (ms since the epoch) */
    int type;                  /* CS_CT_X509 or CS_CT_PRECERT */
    const char *update_type;   /* "X509LogEntry" or "PrecertLogEntry" */
    const cs_ct_entry *leaf;   /* the parsed leaf (and extra_data/chain) */
    const cs_cert *cert;       /* the certificate parsed ([1h]): for a
                                  precert the precertificate when the log
                                  gave it, else the leaf's TBSCertificate */
    const unsigned char *der;  /* the DER hashed below: the certificate, */
    size_t der_len;            /* or the precertificate (or the TBS when
                                  there is none, or, static logs with
                                  cfg.verify, when it is not the one the
                                  proven TBS came from) */
    unsigned char sha1[20];    /* fingerprints of der, as servers give */
    unsigned char sha256[32];
    unsigned char leaf_hash[32]; /* RFC 6962 leaf hash */
    int verified;              /* what was checked (cfg.verify): */
} cs_ct_update;

/* cs_ct_update.verified: CS_CT_VERIFIED_ENTRY (static logs, cfg.verify) the
 * entry's leaf hash is proven in the tree of a checkpoint whose signature
 * verified (its data tile's level-0 hash tile hashes up to the signed root,
 * [1k]), a tree that extends the one proven before; a precert's der is its
 * pre_certificate only when that matches the proven TBS (but for the issuer
 * and authorityKeyIdentifier a precertificate signing certificate changes),
 * else the TBS; CS_CT_VERIFIED_HEAD (RFC 6962 logs, or cfg.verify 0) the
 * signed tree head it was fetched under verified (RFC 6962 with cfg.verify:
 * and was proven consistent with the previous one where the log serves
 * get-sth-consistency), the entry itself is not proven; CS_CT_VERIFIED_NONE:
 * no key (or no TLS build), nothing signed checked. */
#define CS_CT_VERIFIED_NONE 0
#define CS_CT_VERIFIED_HEAD 1
#define CS_CT_VERIFIED_ENTRY 2

/* The follower's settings. cs_ct_config_init() sets every default. */
typedef struct cs_ct_config {
    const char *url;           /* the log: RFC 6962 URL, or the static
                                  log's monitoring prefix (https://...) */
    int kind;                  /* CS_CT_RFC6962 (default), CS_CT_STATIC
                                  or CS_CT_ANY (see above) */
    const char *name;          /* its description (cs_msg source_name);
                                  NULL: the URL */
    const unsigned char *key;  /* the log's key, DER SubjectPublicKeyInfo */
    size_t key_len;            /* (NULL: tree heads are not verified, and
                                  a CS_EV_WARNING says so) */
    const char *origin;        /* static: the checkpoint origin; NULL: the
                                  URL without scheme and final '/' */
    void (*on_event)(void *ctx, const cs_event *ev);
    void *ctx;
    /* Entropy for jitter and TLS; NULL: the OS's (POSIX builds). */
    int (*random)(void *ctx, void *buf, size_t len);
    void *random_ctx;
    /* Unix time for seen and Retry-After dates (and TLS certificate
     * dates): fills *seconds, returns 0. NULL: the system clock (POSIX),
     * or none (seen 0, Retry-After dates ignored). */
    int (*unix_time)(void *ctx, int64_t *seconds);
    void *time_ctx;
    void *mem;                 /* the gzip window, domain storage, entry */
    size_t mem_cap;            /* buffer: CS_CT_MEM (>= CS_CT_MEM_MIN) */
    uint64_t from;             /* with has_from: the first index to */
    int has_from;              /* deliver; else the tree size at start */
    uint64_t to;               /* with has_to: deliver [from, to) only, */
    int has_to;                /* then CS_EV_CT_DONE and cs_ct_step()
                                  returns 2 (a range: a gap's backfill).
                                  Entries at to and past it are never
                                  delivered; a tree that already covers
                                  to is not waited on, a shorter one is */
    int max_redirects;         /* hops one request follows: 5 */
    uint32_t poll_ms;          /* tree head poll; 0: 5000 (RFC 6962),
                                  2000 (static) */
    uint32_t batch;            /* get-entries batch: 256 */
    uint32_t timeout_ms;       /* a request with no progress: 30000 */
    uint32_t backoff_min_ms;   /* 1000: first retry delay (with jitter) */
    uint32_t backoff_max_ms;   /* 60000 */
    const char *user_agent;    /* NULL: "certstream.h/<version>" */
    cs_match *match;           /* NULL, or a watchlist: entries with no
                                  matching domain are not delivered */
    int verify;                /* 1 (default): static logs: prove each
                                  data tile's entries in the checkpoint's
                                  tree (one level-0 hash tile per data
                                  tile, plus the right edge's tiles per
                                  checkpoint); an entry whose leaf hash
                                  differs is a CS_EV_CT_ERROR
                                  (CS_E_MERKLE_LEAF), tiles that do not
                                  hash to the root a CS_EV_CT_ERROR
                                  (CS_E_MERKLE_TILE, status 1) and no entry
                                  of that tile is delivered under that
                                  checkpoint; a checkpoint whose tiles
                                  show it does not extend the last one
                                  proven (a fork) is a CS_EV_CT_ERROR
                                  (CS_E_MERKLE_INCONSISTENT, or
                                  CS_E_MERKLE_TILE, status 1) and nothing
                                  is delivered until a head extends it.
                                  A precert's names come from its proven
                                  TBS when its pre_certificate is not
                                  the one that TBS came from.
                                  RFC 6962 logs: each new head
                                  is proven consistent with the last
                                  (get-sth-consistency); an inconsistent
                                  one is a CS_EV_CT_ERROR
                                  (CS_E_MERKLE_INCONSISTENT, status 1) and
                                  is not taken; a log that does not serve
                                  proofs (4xx but 408 and 429, which are
                                  retried) gets one CS_EV_WARNING.
                                  0: none of this */
    uint64_t prev_size;        /* with has_prev: a tree head of the log */
    unsigned char prev_root[32]; /* trusted from before (a saved state's),
                                  taken as the head proven last: the first
                                  head must not be smaller (else a
                                  CS_EV_CT_ERROR, CS_E_CT_SHRUNK) nor
                                  another root at its size (CS_E_CT_FORK);
                                  with verify, a larger one is taken only
                                  once proven to extend it (RFC 6962:
                                  get-sth-consistency from prev_size,
                                  as above; static: the hash tiles on the
                                  old tree's right edge, proven in the new
                                  tree, hash to prev_root, then that edge
                                  is the verifier's start), else it is a
                                  CS_EV_CT_ERROR (CS_E_MERKLE_INCONSISTENT
                                  or, tiles that do not hash to the new
                                  root, CS_E_MERKLE_TILE; status 1, index
                                  its size), nothing is delivered, and the
                                  head is polled for again. 0: none */
    int has_prev;
#if CS_HAS_TLS
    cs_tls_config tls;         /* https:// trust (as cs_config's) */
#endif
} cs_ct_config;

/* Counters since cs_ct_init(). entries/s: the caller's difference of
 * entries over time; behind: tree_size - next (cs_ct_behind()). */
typedef struct cs_ct_stats {
    uint64_t entries;          /* delivered (CS_EV_MESSAGE), or filtered */
    uint64_t filtered;         /* not delivered: no watchlist match */
    uint64_t bad_entries;      /* CS_EV_CT_ERROR for an entry */
    uint64_t requests;         /* HTTP requests answered */
    uint64_t failures;         /* requests that failed (then a backoff) */
    uint64_t connects;         /* connections opened */
    uint64_t bytes;            /* response bytes received */
    uint64_t redirects;        /* redirects followed (CS_EV_REDIRECT) */
    uint64_t tree_size;        /* the verified tree head's size */
    uint64_t tree_time;        /* its timestamp (ms) */
    unsigned char tree_root[32]; /* its root hash (tree_size > 0 or the
                                  first head seen: see have_tree) */
    int have_tree;             /* a head was taken: the fields above and
                                  next are the position to resume from */
    uint64_t next;             /* the next index to deliver; current in
                                  every callback (during entry i's
                                  CS_EV_MESSAGE or CS_EV_CT_ERROR it is
                                  already i + 1).
                                  Saved and given back as cfg.from (with
                                  has_from), it resumes with nothing
                                  skipped or repeated */
} cs_ct_stats;

/* The follower. Visible so that the caller can allocate it (see
 * cs_ct_follower_size()); treat every field as private. */
typedef struct cs_ct_follower {
    cs_ct_config cfg;
    cs_transport tr, link;
#if CS_HAS_TLS
    cs_transport tls_tr;
    cs_anchors anchors;
    const char *trust;
    br_x509_trust_anchor builtin[CS_TLS_BUILTIN];
    cs_tls tls;
#endif
    cs_url url;                /* the log's base URL */
    cs_url target;             /* the request's URL after redirects */
    int redirects;             /* hops this request followed */
    int conn_away;             /* the connection is to another endpoint */
    size_t path_len;           /* the request path: sbuf + 4, this long */
    cs_ct_key key;
    int has_key;
    int any;                   /* cfg.kind CS_CT_ANY: probing until the
                                  first head (cfg.kind: the one tried) */
    size_t origin_len;
    char origin[256];
    cs_ct_stats stats;
    int phase, req, conn_open, result;
    volatile int stop;
    int wake_fd;
    void (*wake)(int fd);
    uint64_t now, t_next, t_poll, t_io;
    uint64_t next;             /* the next index to deliver */
    uint64_t tree_size, tree_time;
    int have_tree;
    unsigned char root[32];
    uint64_t req_start, req_end; /* the entries asked for [start, end) */
    uint64_t got;              /* entries of this response seen */
    uint32_t backoff_ms;
    long retry_after;
    int started;               /* a response of this request arrived */
    int reused;                /* it went over a kept-alive connection */
    int started_clock;         /* the first step happened */
    uint64_t hold_until;       /* "not yet" from get-entries: wait */
    int gz_err;
    cs_http http;
    int gz, body_err;
    cs_inflate z;
    union {
        cs_jtok j;
        cs_ct_tile tile;
    } u;
    cs_b64 b64;
    int jf;                    /* JSON field being decoded */
    size_t leaf_at, leaf_len, extra_at, extra_len;
    int have_leaf, have_extra, entry_bad;
    uint64_t sth_size, sth_time;
    int sth_fields;
    unsigned char sth_root[32];
    unsigned char sth_sig[CS_CT_MAX_SIG + 4];
    size_t sth_sig_len;
    unsigned char *win, *dom, *ebuf;
    size_t win_cap, dom_cap, ebuf_cap, blen;
    cs_msg msg;
    size_t rlen, roff, slen, soff;
    /* verification (cfg.verify), with [1k] */
    int vt_busy, vt_ok;        /* tile vt_index: being proven, proven */
    uint64_t vt_index;
    unsigned vt_width;         /* its entries proven */
    int mt_init;               /* mt holds a checkpoint */
    int h_level;               /* the hash tile asked for */
    uint64_t h_index;
    unsigned h_width;
    int cons_pending;          /* RFC 6962: sth_* waits for its proof */
    int cons_unserved;         /* the log does not serve proofs */
    size_t cons_n;             /* proof hashes decoded into ebuf */
    int cons_in;               /* inside one of its strings */
    int prev_pending;          /* static: sth_* waits for its proof that
                                  it extends cfg.prev_* (in mt) */
    cs_merkle_tiles mt;        /* 12.8 KB */
    unsigned char l0[256][32]; /* the proven level-0 tile */
    unsigned char rbuf[CS_IO_CHUNK];
    char sbuf[CS_CT_REQ_MAX];
} cs_ct_follower;

/* Defaults for every setting (see cs_ct_config). */
CSDEF void cs_ct_config_init(cs_ct_config *cfg);

/* Prepare a follower. cfg is copied; the strings, key and mem it points
 * to MUST outlive f. t: the transport, copied (TLS goes over it for
 * https://). Nothing happens on the network until cs_ct_step().
 * Returns 0, CS_E_URL (not http(s)://), CS_E_NO_TLS (https:// without
 * TLS), CS_E_CT_KEY (a key that does not parse), CS_E_ARG (a bad setting,
 * mem under CS_CT_MEM_MIN, no random source). */
CSDEF int cs_ct_init(cs_ct_follower *f, const cs_ct_config *cfg,
                     const cs_transport *t);

/* Do what can be done now without blocking: poll the tree head, fetch
 * entries, deliver events (on_event is called from inside: CS_EV_MESSAGE
 * with msg and entry for each entry; CS_EV_CT_TREE for each new verified
 * head (status 1 for the first: following starts, stats.next is the first
 * index it will deliver); CS_EV_CT_ERROR for a bad entry (index, err) or
 * a bad head; CS_EV_CONNECTING, CS_EV_REDIRECT (status, text: the URL
 * redirected to), CS_EV_FAILED (err, status, detail: Retry-After),
 * CS_EV_RETRY (delay_ms), CS_EV_WARNING, CS_EV_CT_DONE), back off,
 * reconnect. Every event has log = f. now_ms: a monotonic clock in ms.
 * Fills *w.
 * Redirects (301, 302, 303, 307, 308 with a Location, absolute or
 * relative) are followed for the one request they answer, up to
 * cfg.max_redirects hops (then CS_E_CT_REDIRECTS); never from https:// to
 * http:// (CS_E_CT_DOWNGRADE). The log's URL never changes, not even for
 * 301 and 308: every request starts from it, source.url stays it, and a
 * moved log is followed at one extra round trip per request.
 * Returns 0 while running, 1 when stopped (cs_ct_stop()), 2 when the
 * range [from, to) is delivered (cfg.has_to; the connection is closed). */
CSDEF int cs_ct_step(cs_ct_follower *f, uint64_t now_ms, cs_wait *w);

/* Ask the follower to stop: it closes its connection and finishes at the
 * next step; from the call on no entry is delivered (stats.next stays).
 * Safe from on_event, another thread or a signal handler. */
CSDEF void cs_ct_stop(cs_ct_follower *f);

/* Counters, cursor and tree head. */
CSDEF const cs_ct_stats *cs_ct_stats_get(const cs_ct_follower *f);
/* Entries not yet delivered: tree size - next index (0 before a head). */
CSDEF uint64_t cs_ct_behind(const cs_ct_follower *f);
/* The log's URL and description (as configured). */
CSDEF const char *cs_ct_url(const cs_ct_follower *f);
CSDEF const char *cs_ct_name(const cs_ct_follower *f);
/* sizeof(cs_ct_follower), for the memory tables. */
CSDEF size_t cs_ct_follower_size(void);

/* Release the connection (the transport's close). */
CSDEF void cs_ct_close(cs_ct_follower *f);

#endif /* CS_HAS_CT */

/* ==== [3c] backfill: fetching what a stream missed ===== off: _NO_CT ==== */
#if CS_HAS_CT

/* Backfill: the entries a server-mode stream's gaps ([1l]) miss, fetched
 * from the logs themselves with a few followers ([3b], from = the gap's
 * first index, to = its end) held in caller memory and driven in the
 * same loop as the client, and delivered through the same callback as
 * CS_EV_MESSAGE with cs_event.backfilled = 1 (msg and entry as the
 * follower gives them: source.url is the log's URL).
 *
 *   static cs_backfill bf;  cs_backfill_config bc;
 *   cs_backfill_config_init(&bc);
 *   bc.slot[0] = &follower0; bc.mem[0] = mem0; bc.mem_cap = CS_CT_MEM;
 *   cs_posix_transport(&posix0, &bc.transport[0]); bc.slots = 1;
 *   bc.logs = list; bc.log_count = n;   // where to find a gap's log
 *   bc.on_event = fn;                   // the client's callback
 *   cs_backfill_init(&bf, &bc);
 *   cs_backfill_attach(&bf, &cfg);      // before cs_client_init()
 *   cs_listen(...) or cs_run(...)       // the loop steps it too
 *
 * A gap's log: the log of `logs` whose URL (RFC 6962 url, or a static
 * log's monitoring prefix, or its submission prefix: its origin)
 * normalises (cs_gap_url) to the gap's; else,
 * with cfg.direct, source.url itself (http/https) as a log of either kind
 * without a key (nothing signed is checked: tree heads unverified,
 * entries CS_CT_VERIFIED_NONE): its first gap's follower probes it
 * (CS_CT_ANY: get-sth, then the checkpoint, whose origin line is taken
 * as the log's) and the answer is remembered for later gaps of the URL
 * (CS_BF_PROBED URLs, the oldest answer forgotten first). A URL that
 * answers as neither has that gap and its later ones given up with
 * CS_E_CT_NOT_A_LOG; else the gap is given up with CS_E_BF_NO_LOG. Both
 * count in no_log.
 * Bounds: a gap's first max_entries entries are fetched, the rest given
 * up; a gap not finished max_age_ms after it was declared is stopped and
 * its rest given up; a full queue (CS_BF_QUEUE gaps) gives the new gap
 * up. Every give-up is a CS_EV_BACKFILL (err CS_E_BF_GAVE_UP) and
 * counted.
 *
 * Each certificate once: the backfill remembers the certificates the client
 * delivered, by SHA-1 (of the DER servers hash: a precert's precertificate; 8
 * bytes of it kept), both the server's certificate_update messages that carry
 * one (data.leaf_cert.fingerprint or .sha1: every server sends it) and the
 * backfilled entries, each marked with where it came from. A backfilled entry
 * whose certificate is remembered is not delivered (stats.duplicates): another
 * log's copy the server delivered (certstream-server-rust leaves such holes on
 * purpose, for copies up to 15 minutes apart) or another backfill's. A server
 * message whose certificate a backfill delivered is not delivered either
 * (stats.server_duplicates): the server's late copy of a gap's entry
 * (CS_GAP_LATE, after a reconnect, ...), or another log's copy that came
 * after. The server's own repeats (the Elixir and Go servers send a
 * precertificate once per log) are delivered as the server sends them. A
 * server message is remembered as it goes to on_event (after cfg.match and the
 * gap tracker's drops): one the caller then discards will not come again from
 * a backfill either. The window is exact, in certificates: one is found until
 * stats.window others were remembered after it, then forgotten; that is n with
 * CS_BF_SEEN_SIZE(n) bytes of cfg.seen (seen_cap / 32 to seen_cap / 19 for
 * other sizes: a table of a power of two slots at most 3/4 full, and a ring),
 * or CS_BF_RECENT without cfg.seen. At 1,000 messages/s, 3 MiB (131,072
 * certificates) remember about 2 minutes. Messages without a SHA-1
 * (domains-only, dns_entries) are neither remembered nor compared, and the
 * SHA-1 of nothing (da39a3ee..., which certstream-server-go sends for static
 * logs' precertificates) names no certificate and is ignored. Cost: O(1) per
 * message, a lookup and an insertion in one probe run of the table, and when
 * full a deletion in another. */

#ifndef CS_BF_SLOTS
#  define CS_BF_SLOTS 4        /* followers at most */
#endif
#if CS_BF_SLOTS < 1 || CS_BF_SLOTS > 8
#  error "CS_BF_SLOTS: 1..8 (cs_run() polls at most 8 backfill followers)"
#endif
#ifndef CS_BF_QUEUE
#  define CS_BF_QUEUE 64       /* gaps waiting for a follower */
#endif
#ifndef CS_BF_RECENT
#  define CS_BF_RECENT 2048    /* certificates remembered without
                                  cfg.seen (24 bytes each, in b) */
#endif
/* Bytes of cfg.seen that remember n certificates, n a power of two
 * (alignment slack included). */
#define CS_BF_SEEN_SIZE(n) ((size_t)(n) * 24 + 7)
#define CS_BF_URL_MAX (CS_GAP_URL_MAX + 8)
#ifndef CS_BF_PROBED
#  define CS_BF_PROBED 8       /* URLs whose probed kind is remembered */
#endif

struct cs_ct_log;          /* [8] */

typedef struct cs_backfill_config {
    cs_ct_follower *slot[CS_BF_SLOTS]; /* the followers: slots of them */
    void *mem[CS_BF_SLOTS];    /* each one's cs_ct_config.mem */
    size_t mem_cap;            /* bytes each (CS_CT_MEM) */
    cs_transport transport[CS_BF_SLOTS]; /* each one's transport */
    size_t slots;
    const struct cs_ct_log *logs; /* where to find a gap's log ([8]; may
                                  be NULL) */
    size_t log_count;
    int direct;                /* 1 (default): a log not in logs is read
                                  at source.url (http/https), its kind
                                  probed (see above) */
    uint64_t max_entries;      /* per gap: 1000 */
    uint32_t max_age_ms;       /* 300000 */
    int verify;                /* 1 (default): the followers prove what
                                  they fetch (cs_ct_config.verify); 0:
                                  they do not */
    cs_match *match;           /* NULL, or the client's watchlist: entries
                                  with no matching domain are dropped */
    void *seen;                /* NULL, or memory (any alignment; MUST
                                  outlive b) for the certificates
                                  remembered: CS_BF_SEEN_SIZE(n) bytes
                                  for n of them (see above) */
    size_t seen_cap;
    void (*on_event)(void *ctx, const cs_event *ev);
    void *ctx;
#if CS_HAS_TLS
    cs_tls_config tls;         /* https:// trust of the followers */
#endif
} cs_backfill_config;

/* Counters since cs_backfill_init(), and the window. */
typedef struct cs_backfill_stats {
    uint64_t gaps;             /* gaps handed over */
    uint64_t delivered;        /* entries delivered (backfilled = 1) */
    uint64_t duplicates;       /* entries not delivered: their certificate
                                  was delivered in the window */
    uint64_t server_duplicates; /* server messages not delivered: a
                                  backfill had delivered their certificate
                                  in the window */
    uint64_t window;           /* certificates remembered (constant) */
    uint64_t bad;              /* entries the log served badly */
    uint64_t given_up;         /* entries given up (caps, age, no log) */
    uint64_t gaps_given_up;    /* gaps of which something was given up */
    uint64_t no_log;           /* gaps whose log was not found */
    uint64_t done;             /* gaps finished */
    uint64_t failures;         /* requests of the followers that failed
                                  (they retry with backoff until the age
                                  bound) */
} cs_backfill_stats;

/* Private: one gap to fetch. */
typedef struct cs__bf_job {
    char url[CS_BF_URL_MAX];   /* the log's URL for the follower */
    const char *name;
    const char *origin;        /* the list's (cs_ct_log.origin), or NULL */
    int kind;
    const unsigned char *key;
    size_t key_len;
    uint64_t first, count;     /* the part fetched: [first, first+count) */
    uint64_t t;                /* when the gap was declared */
    int probe;                 /* kind CS_CT_ANY: its answer to remember */
    int err;                   /* it ends so (CS_E_CT_NOT_A_LOG) */
} cs__bf_job;

/* Private: what probing a URL not in the log list found. */
typedef struct cs__bf_probed {
    char url[CS_GAP_URL_MAX];  /* normalised (cs_gap_url) */
    size_t url_len;            /* 0: unused */
    int kind;                  /* CS_CT_RFC6962, CS_CT_STATIC, 0: neither */
    char origin[CS_BF_URL_MAX]; /* static: the checkpoint's origin */
} cs__bf_probed;

/* Private: the certificates remembered. Keys (8 bytes of the SHA-1,
 * bit 0 replaced by the origin: 1 backfill, 0 server) in a table, linear
 * probing, at most 3/4 full (0: empty), and in a ring in the order they
 * came, the oldest forgotten first. */
typedef struct cs__bf_seen {
    uint64_t *slot;
    uint64_t *ring;
    size_t n, mask;            /* ring entries; table slots - 1 */
    size_t at, used;           /* the next ring position; entries held */
} cs__bf_seen;

/* The engine. Visible so that the caller can allocate it; private. */
typedef struct cs_backfill {
    cs_backfill_config cfg;
    cs__bf_job queue[CS_BF_QUEUE];
    size_t qhead, qlen;
    cs__bf_job run[CS_BF_SLOTS];  /* the gap each busy slot fetches */
    int busy[CS_BF_SLOTS];
    char origin[CS_BF_SLOTS][CS_BF_URL_MAX]; /* each one's cfg.origin */
    cs__bf_probed probed[CS_BF_PROBED];
    size_t probed_at;          /* the next one to replace */
    cs__bf_seen seen;
    uint64_t seen_mem[CS_BF_RECENT * 3]; /* without cfg.seen */
    cs_backfill_stats stats;
    uint64_t now;
} cs_backfill;

/* Defaults: direct 1, verify 1, max_entries 1000, max_age_ms 300000, no
 * slot. */
CSDEF void cs_backfill_config_init(cs_backfill_config *cfg);

/* Prepare b: cfg is copied; the followers, memory, transports, logs and
 * seen memory it points to MUST outlive b. Returns 0, or CS_E_ARG (no
 * slot, more than CS_BF_SLOTS, a NULL follower or memory, mem_cap under
 * CS_CT_MEM_MIN, seen_cap under CS_BF_SEEN_SIZE(2)). */
CSDEF int cs_backfill_init(cs_backfill *b, const cs_backfill_config *cfg);

/* Hand one gap over (from CS_EV_GAP): it is queued, or given up at once
 * (CS_EV_BACKFILL; no log, a full queue). now_ms: the client's clock. */
CSDEF void cs_backfill_gap(cs_backfill *b, const cs_gap_event *g,
                           uint64_t now_ms);

/* Step every busy follower and start queued gaps on free ones; fills
 * w[0..cap) with what each busy follower waits for and returns how many
 * (a deadline only: fd -1). */
CSDEF size_t cs_backfill_step(cs_backfill *b, uint64_t now_ms, cs_wait *w,
                              size_t cap);

/* Hook b to a client's settings (before cs_client_init): its gaps go to
 * cs_backfill_gap() after their CS_EV_GAP, its certificate_update
 * messages are remembered (or, when a backfill delivered their
 * certificate, not delivered: see above), and cs_run()/cs_listen() step
 * it in the same loop. Gap tracking needs cfg->gap_mem set too (without
 * a tracker there are no gaps). */
CSDEF void cs_backfill_attach(cs_backfill *b, cs_config *cfg);

/* Gaps waiting or being fetched. */
CSDEF size_t cs_backfill_pending(const cs_backfill *b);

/* Counters. */
CSDEF const cs_backfill_stats *cs_backfill_stats_get(const cs_backfill *b);

/* Close every follower's connection. */
CSDEF void cs_backfill_close(cs_backfill *b);

#endif /* CS_HAS_CT */

/* ==== [4] POSIX: TCP transport, clock, entropy ====== off: _NO_POSIX ==== */
#if CS_HAS_POSIX

#ifndef CS_POSIX_MAX_ADDRS
#  define CS_POSIX_MAX_ADDRS 8  /* resolved addresses tried in turn */
#endif
/* Read-ahead: one recv() brings in what the socket holds, up to this many
 * bytes, and reads are served from it (TLS asks for a record's 5-byte
 * header, then its body: two system calls per record without it). It
 * adds its size to cs_posix; 0 turns it off. */
#ifndef CS_POSIX_READAHEAD
#  define CS_POSIX_READAHEAD 16384
#endif

/* The POSIX TCP transport's state. */
typedef struct cs_posix {
    int fd;
    int connecting;
    int last_errno;        /* errno of the last failure, 0 if none */
    int naddr, cur;
    unsigned char alen[CS_POSIX_MAX_ADDRS];
    unsigned char addr[CS_POSIX_MAX_ADDRS][28]; /* sockaddr_in/_in6 */
#if CS_POSIX_READAHEAD > 0
    size_t ra_off, ra_len;  /* unread: ra[ra_off..ra_len) */
    unsigned char ra[CS_POSIX_READAHEAD];
#endif
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

/* cs_run(), calling idle(ctx) whenever the loop is about to wait for the
 * network or a timer (not between steps that have more to do): the
 * moment to flush output batched from on_event. idle may be NULL. */
CSDEF int cs_run_idle(cs_client *c, void (*idle)(void *ctx), void *ctx);

/* The same, with its own POSIX TCP transport: the common case.
 *   cs_config cfg; cs_config_init(&cfg); cfg.url = "ws://...";
 *   cfg.on_event = fn; return cs_listen(&client, &cfg);
 * c MUST stay alive until it returns (it is large: make it static). */
CSDEF int cs_listen(cs_client *c, cs_posix *p, const cs_config *cfg);

#if CS_HAS_CT
/* Follow n logs at once in this thread: cs_ct_step() on each and one
 * poll() over their connections, with a wake-up pipe so that cs_ct_stop()
 * from another thread or a signal handler takes effect at once. Calls
 * idle(ctx) (may be NULL) whenever the loop is about to wait. Returns
 * when every follower has stopped: 0, or CS_E_ARG (n is 0 or over
 * CS_CT_RUN_MAX). Closes their connections. */
#ifndef CS_CT_RUN_MAX
#  define CS_CT_RUN_MAX 128
#endif
CSDEF int cs_ct_run(cs_ct_follower *const *f, size_t n,
                    void (*idle)(void *ctx), void *ctx);
#endif

#endif /* CS_HAS_POSIX */

/* ==== [8] the CT log list built in ===================== off: _NO_CT ==== */
#if CS_HAS_CT

/* Log kinds (cs_ct_log.kind). */
enum {
    CS_CT_RFC6962 = 1,  /* get-sth / get-entries (RFC 6962) */
    CS_CT_STATIC = 2    /* checkpoint / tiles (C2SP static-ct-api) */
};

/* Log states, as Google's v3 log list names them (cs_ct_log.state). */
enum {
    CS_CT_PENDING = 1,
    CS_CT_QUALIFIED = 2,
    CS_CT_USABLE = 3,
    CS_CT_READONLY = 4, /* frozen: readable, but nothing new arrives */
    CS_CT_RETIRED = 5,
    CS_CT_REJECTED = 6
};

/* One CT log, as a log list describes it. The strings and the key point
 * into read-only data (the built-in snapshot) or the caller's memory. */
typedef struct cs_ct_log {
    int kind;                  /* CS_CT_RFC6962 or CS_CT_STATIC */
    int state;                 /* CS_CT_* state */
    const char *operator_name; /* e.g. "Google" */
    const char *description;   /* e.g. "Google 'Argon2026h2' log" */
    const char *url;           /* the RFC 6962 base URL, or the static
                                  log's monitoring prefix; ends in '/' */
    const unsigned char *key;  /* DER SubjectPublicKeyInfo */
    size_t key_len;
    uint32_t mmd;              /* maximum merge delay, seconds */
    int64_t start;             /* temporal interval (certificates whose */
    int64_t end;               /*   notAfter is in [start, end)), Unix
                                  seconds; both 0 when the log has none */
    const char *origin;        /* static: the checkpoint's origin line, its
                                  submission prefix without scheme and
                                  final '/' (not the monitoring URL's);
                                  NULL: none given (RFC 6962 logs) */
} cs_ct_log;

/* The log list built into the header: Google's v3 list, signature
 * checked when tools/gen_loglist.py generated it. It holds the logs in
 * states usable, qualified and readonly, placeholders left out. For when
 * no fresher list can be had: say cs_ct_snapshot_date() when you use it.
 * cs_ct_snapshot_get() fills *log with entry i (0 <= i < count) and
 * returns 0, or CS_E_ARG when i is out of range. */
CSDEF size_t cs_ct_snapshot_count(void);
CSDEF int cs_ct_snapshot_get(size_t i, cs_ct_log *log);
/* The list's version ("85.92") and timestamp (RFC 3339), static strings. */
CSDEF const char *cs_ct_snapshot_version(void);
CSDEF const char *cs_ct_snapshot_date(void);

/* 1 when a follower reading new entries should follow the log at Unix
 * time now: usable or qualified, and its temporal interval not ended
 * (end > now; a log with no interval has not ended). 0 otherwise:
 * pending, readonly, retired and rejected logs get no new entries
 * (readonly logs can still be read for entries they already have). */
CSDEF int cs_ct_log_live(const cs_ct_log *log, int64_t now);

/* ---- a log list read as it arrives ----
 *
 * Google's v3 log list (operators[].logs[] and .tiled_logs[]), streamed
 * through the tokenizer [1j] in pieces of any size (the logs found never
 * depend on where the input is split). It yields the logs a follower may
 * read, by the rule of the built-in snapshot: states usable, qualified
 * and readonly (never pending, retired or rejected), no placeholder
 * (a URL on example.com), a URL (static logs: monitoring_url) and dates
 * that parse. Which of them to follow now is cs_ct_log_live().
 *
 *   cs_loglist l; const cs_ct_log *log; size_t used; int r;
 *   cs_loglist_init(&l);
 *   for (each piece p[0..len)) {
 *       while ((r = cs_loglist_feed(&l, p, len, &used)) > 0) {
 *           p += used, len -= used;
 *           keep(cs_loglist_log(&l));     // copy what you need
 *       }
 *       if (r < 0) fail(r);
 *   }
 *   r = cs_loglist_end(&l);             // the count, or an error */

#ifndef CS_LOGLIST_STR_MAX
#  define CS_LOGLIST_STR_MAX 512   /* bytes of an operator name or a
                                      description */
#endif
#ifndef CS_LOGLIST_KEY_MAX
#  define CS_LOGLIST_KEY_MAX 1024  /* bytes of a DER key (RSA-4096: 550) */
#endif

/* cs_loglist_feed(): a log is ready (cs_loglist_log()). */
#define CS_LOGLIST_LOG 1

/* The parser's state (about 7 KB with the defaults). Visible so that the
 * caller can allocate it; treat every field as private. */
typedef struct cs_loglist {
    cs_jtok t;
    int err;
    int kind;             /* the array being read: CS_CT_* or 0 */
    int in_ops;           /* inside the top-level "operators" */
    int k1, k3, k5, k6;   /* the last key at depths 1, 3, 5, 6 (ids) */
    int has_url, has_mon, has_desc, bad_key, has_sub;
    int str_err;          /* the string being read failed (at its end) */
    size_t slen, op_len, desc_len, url_len, mon_len, sub_len;
    uint64_t count;       /* logs yielded */
    cs_ct_log log;        /* the log being read, then yielded */
    char op[CS_LOGLIST_STR_MAX + 1];
    char desc[CS_LOGLIST_STR_MAX + 1];
    char url[CS_URL_MAX + 2];   /* room for the '/' added */
    char mon[CS_URL_MAX + 2];
    char sub[CS_URL_MAX + 2];   /* submission_url, then the origin */
    char str[(CS_LOGLIST_KEY_MAX + 2) / 3 * 4 + 1]; /* base64, dates */
    unsigned char key[CS_LOGLIST_KEY_MAX];
} cs_loglist;

/* Start (or restart) reading a log list. */
CSDEF void cs_loglist_init(cs_loglist *l);

/* Consume data[0..len) up to the end of the next log; *used receives the
 * count and the caller MUST resubmit the rest (after CS_LOGLIST_LOG,
 * call again even with nothing left). Returns 0 (all used, need more),
 * CS_LOGLIST_LOG (cs_loglist_log() is valid until the next call), or a
 * sticky error: a CS_E_JSON_* code from the tokenizer
 * (cs_loglist_offset() says where), CS_E_LOGLIST_LONG (an operator name
 * or description over CS_LOGLIST_STR_MAX bytes, a URL over CS_URL_MAX,
 * a key over CS_LOGLIST_KEY_MAX), CS_E_LOGLIST_NUL (a "\u0000" in one
 * of them). A key that is not base64 is not an error: that log comes
 * without a key (key NULL, key_len 0). */
CSDEF int cs_loglist_feed(cs_loglist *l, const unsigned char *data,
                          size_t len, size_t *used);

/* The log just read: its strings and key point into l (valid until the
 * next call: copy them). A missing description is the URL; URLs end in
 * '/' (added); dates absent are 0; a static log's origin is its
 * submission_url without scheme and final '/' (NULL without one). */
CSDEF const cs_ct_log *cs_loglist_log(const cs_loglist *l);

/* The input ended: returns the number of logs yielded (>= 0) when it
 * held one complete JSON value, else the sticky error (an incomplete
 * text is CS_E_JSON_INCOMPLETE). */
CSDEF long cs_loglist_end(cs_loglist *l);

/* Bytes consumed; after a JSON error, where it was found. */
CSDEF uint64_t cs_loglist_offset(const cs_loglist *l);

/* Google's key for its log list's signature (DER SubjectPublicKeyInfo,
 * RSA-4096), built in by tools/gen_loglist.py: static bytes, *len set. */
CSDEF const unsigned char *cs_loglist_google_key(size_t *len);

#if CS_HAS_TLS
/* Check the signature of a log list (log_list.sig: RSA PKCS#1 v1.5)
 * against Google's key, given the SHA-256 of the list's bytes (hash them
 * as they arrive, cs_sha256_update()). Returns 0 or CS_E_LOGLIST_SIG. */
CSDEF int cs_loglist_verify(const unsigned char hash[32],
                            const unsigned char *sig, size_t sig_len);
#endif

#if CS_HAS_POSIX && CS_HAS_TLS
/* ---- fetching a log list (blocking, POSIX) ---- */

/* Where Google publishes the list; its signature is at the same URL with
 * ".sig" for ".json" (RSA PKCS#1 v1.5 SHA-256 over the JSON bytes). */
#define CS_LOGLIST_URL "https://www.gstatic.com/ct/log_list/v3/log_list.json"
#ifndef CS_LOGLIST_SIG_MAX
#  define CS_LOGLIST_SIG_MAX 1024  /* bytes of a signature file */
#endif
#ifndef CS_LOGLIST_MAX_BYTES
#  define CS_LOGLIST_MAX_BYTES (64u << 20) /* gzip: decoded bytes at most */
#endif

/* A fetch's state: TCP, TLS, the HTTP response, gzip and the parser
 * (about 96 KB). Visible so that the caller can allocate it (static
 * storage, not the stack), zeroed before its first fetch (static storage
 * is); treat every field as private. */
typedef struct cs_loglist_fetcher {
    volatile int stop;        /* set by cs_loglist_fetch_stop() */
    cs_posix posix;
    cs_transport tcp, tr;
    cs_tls tls;
    cs_anchors anchors;
    br_x509_trust_anchor builtin[CS_TLS_BUILTIN];
    cs_url url;
    cs_http http;
    cs_inflate z;
    cs_loglist list;
    cs_sha256_ctx sha;
    uint64_t deadline;
    int status;               /* the last response's HTTP status */
    int br_err;               /* BearSSL's code when TLS failed */
    int gz, is_sig;
    void (*on_log)(void *ctx, const cs_ct_log *log);
    void *ctx;
    size_t sig_len;
    unsigned char sig[CS_LOGLIST_SIG_MAX];
    unsigned char win[CS_INFLATE_WINDOW];
    unsigned char buf[CS_IO_CHUNK];
    char req[CS_URL_MAX + 1024];
} cs_loglist_fetcher;

/* GET a log list from url (http:// or https://) and read it as it
 * arrives (gzip when served so), calling on_log(ctx, log) for each log
 * cs_loglist_feed() yields (the log as cs_loglist_log() gives it: copy
 * what you keep). With sig_url non-NULL, first GET the signature from
 * it, then check it over the list's bytes with Google's key (built in,
 * from the same copy as the snapshot): the logs reported before that
 * check MUST be discarded unless the call returns > 0. tls: the trust
 * settings for https:// (as cs_config.tls; its memory is g's until the
 * call returns). user_agent: NULL for "certstream.h/<version>". The
 * whole fetch gets timeout_ms. Blocks; one connection per URL, closed
 * before returning; up to 4 redirects (301, 302, 303, 307, 308) are
 * followed, a fifth is CS_E_LOGLIST_STATUS.
 *
 * Returns the number of logs (> 0), or CS_E_URL, a transport or TLS
 * error (cs_loglist_fetch_tls_error()), a CS_E_HTTP_* or CS_E_GZ_*
 * error, CS_E_LOGLIST_STATUS (not 200: cs_loglist_fetch_status()),
 * CS_E_LOGLIST_TIMEOUT, CS_E_LOGLIST_STOPPED (cs_loglist_fetch_stop()),
 * CS_E_LOGLIST_SIG_SIZE, a CS_E_JSON_* error or
 * CS_E_LOGLIST_LONG from the parser, CS_E_LOGLIST_EMPTY (no log in it),
 * CS_E_LOGLIST_SIG (the signature does not verify). */
CSDEF int cs_loglist_fetch(cs_loglist_fetcher *g, const char *url,
                           const char *sig_url, const cs_tls_config *tls,
                           const char *user_agent, uint32_t timeout_ms,
                           void (*on_log)(void *ctx, const cs_ct_log *log),
                           void *ctx);
/* Ask the fetch running in g to end: it closes its connection and
 * returns CS_E_LOGLIST_STOPPED within 100 ms (at once when the call comes
 * from a signal handler on the fetching thread: poll() is interrupted).
 * Only sets a flag, so it is safe in a signal handler or from another
 * thread. A stop when no fetch runs ends the next one at once (a signal
 * just before the call is not lost); every return of cs_loglist_fetch()
 * clears it. Name resolution (getaddrinfo) cannot be interrupted. */
CSDEF void cs_loglist_fetch_stop(cs_loglist_fetcher *g);
/* The last response's HTTP status (0 if none arrived). */
CSDEF int cs_loglist_fetch_status(const cs_loglist_fetcher *g);
/* BearSSL's code for a TLS failure (0 if none; cs_tls_errname()). */
CSDEF int cs_loglist_fetch_tls_error(const cs_loglist_fetcher *g);
#endif /* CS_HAS_POSIX && CS_HAS_TLS */

#endif /* CS_HAS_CT */

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
    m->verified = 0;
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
    CS__N_LEAF,       /* data.leaf_cert: {all_domains, fingerprint, sha1,
                         sha256} */
    CS__N_DOMAINS     /* a list of domain strings */
};

/* Which field the pending value is. */
enum {
    CS__F_NONE, CS__F_TYPE, CS__F_DATA, CS__F_TIMESTAMP, CS__F_CERT_INDEX,
    CS__F_SEEN, CS__F_SOURCE, CS__F_LEAF, CS__F_URL, CS__F_NAME,
    CS__F_ALL_DOMAINS, CS__F_DOMAIN,
    CS__F_FP, CS__F_SHA1, CS__F_SHA256  /* digests: last, in dtxt order */
};

/* Where string bytes go. */
enum {
    CS__C_NONE, CS__C_KEY, CS__C_TYPE, CS__C_URL, CS__C_NAME, CS__C_DOMAIN,
    CS__C_FP, CS__C_SHA1, CS__C_SHA256   /* into dtxt[], same order */
};

/* The result bits that a value of each field replaces (last one wins). */
static const unsigned short cs__fmask[15] = {
    0, CS_F_TYPE,
    CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN | CS_F_SOURCE_URL
        | CS_F_SOURCE_NAME | CS_F_SHA1 | CS_F_SHA256,
    CS_F_TIMESTAMP, CS_F_CERT_INDEX, CS_F_SEEN,
    CS_F_SOURCE_URL | CS_F_SOURCE_NAME,
    CS_F_DOMAINS | CS_F_SHA1 | CS_F_SHA256, CS_F_SOURCE_URL,
    CS_F_SOURCE_NAME, CS_F_DOMAINS, CS_F_DOMAINS,
    CS_F_SHA1, CS_F_SHA1, CS_F_SHA256
};

/* Hex digits: 0x10 | value; 0 for any other byte. */
static const unsigned char cs__hexd[256] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17,0x18,0x19,0,0,0,0,0,0,
    0,0x1a,0x1b,0x1c,0x1d,0x1e,0x1f,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0x1a,0x1b,0x1c,0x1d,0x1e,0x1f
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
    j->dgst = 0;
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
    case CS__C_FP: case CS__C_SHA1: case CS__C_SHA256:
        j->cap_max = sizeof j->dtxt[0];
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
    case CS__C_FP: case CS__C_SHA1: case CS__C_SHA256:
        return j->dtxt[j->cap - CS__C_FP];
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

/* A code point as UTF-8 (RFC 3629 3) in b[]: returns its length. (Shared
 * with the DER text reader [1h] and the tokenizer [1j].) */
static size_t
cs__utf8_enc(unsigned cp, unsigned char b[4])
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (unsigned char)(0xf0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    b[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Append a code point as UTF-8 (RFC 3629). */
static void
cs__cap_cp(cs_json *j, unsigned cp)
{
    unsigned char b[4];

    if (j->cap == CS__C_NONE)
        return;
    cs__cap_put(j, b, cs__utf8_enc(cp, b));
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
        /* tests, not a switch: a leaf has a dozen keys, and a jump table
         * would mispredict on most */
        if (len == 11)
            return cs__eq(k, "all_domains", 11) ? CS__F_ALL_DOMAINS
                 : cs__eq(k, "fingerprint", 11) ? CS__F_FP : CS__F_NONE;
        if (len == 4)
            return cs__eq(k, "sha1", 4) ? CS__F_SHA1 : CS__F_NONE;
        if (len == 6)
            return cs__eq(k, "sha256", 6) ? CS__F_SHA256 : CS__F_NONE;
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

/* s[0..len) as an n-byte digest: 2n hex digits, or n hex pairs separated
 * by single colons; either case. Returns 1 and fills out[0..n), or 0
 * (out is then clobbered). One table lookup per digit: the and of the
 * looked-up values keeps bit 4 only if every one was a digit. */
static int
cs__hex_digest(unsigned char *out, size_t n, const unsigned char *s,
               size_t len)
{
    unsigned ok = 0x10, sep = 0, a, b;
    size_t i;

    if (len == 3 * n - 1) {
        /* "AB:CD:..": what every server sends */
        for (i = 0;; i++, s += 3) {
            a = cs__hexd[s[0]];
            b = cs__hexd[s[1]];
            ok &= a & b;
            out[i] = (unsigned char)(a << 4 | (b & 15));
            if (i + 1 == n)
                break;
            sep |= (unsigned)(s[2] ^ ':');
        }
        return ok != 0 && sep == 0;
    }
    if (len != 2 * n)
        return 0;
    for (i = 0; i < n; i++, s += 2) {
        a = cs__hexd[s[0]];
        b = cs__hexd[s[1]];
        ok &= a & b;
        out[i] = (unsigned char)(a << 4 | (b & 15));
    }
    return ok != 0;
}

#if CS__SSE2
/* 16 bytes of "AB:CD:.." at s: the digits as nibbles to nib (the other
 * bytes: junk); returns the bytes among `live` that are not what they
 * should be: a colon where `col` has a bit, a hex digit elsewhere. */
static CS__INLINE unsigned
cs__hex16(const unsigned char *s, __m128i *nib, unsigned col, unsigned live)
{
    /* x in lo..hi as one signed compare: x + (0x80 - lo) moves lo..hi to
     * -128..hi-lo-128 and everything else above (mod 256) */
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    const __m128i dig = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 10),
        _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))));
    const __m128i let = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 6),
        _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), /* A-F: a-f */
                     _mm_set1_epi8((char)(0x80 - 'a'))));
    unsigned hex = (unsigned)_mm_movemask_epi8(_mm_or_si128(dig, let));
    unsigned c = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));

    *nib = _mm_add_epi8(_mm_and_si128(v, _mm_set1_epi8(0x0f)),
                        _mm_and_si128(let, _mm_set1_epi8(9)));
    return ((c ^ col) | (hex ^ (~col & 0xffffu))) & live;
}

/* The bytes at 3i (i < 16) of the 48 bytes p0 p1 p2, in order. As
 * dwords d0..d11, output dword m is d[3m] byte 0, d[3m] byte 3,
 * d[3m + 1] byte 2, d[3m + 2] byte 1: shuffles gather those dwords, then
 * shifts and masks pick the bytes. */
static CS__INLINE __m128i
cs__pick3(__m128i p0, __m128i p1, __m128i p2)
{
#define CS__SHUF(v, w, l0, l1, l2, l3) _mm_castps_si128(_mm_shuffle_ps( \
    _mm_castsi128_ps(v), _mm_castsi128_ps(w), _MM_SHUFFLE(l3, l2, l1, l0)))
    __m128i a = CS__SHUF(p0, CS__SHUF(p1, p2, 2, 2, 1, 1), 0, 3, 0, 2);
    __m128i b = CS__SHUF(CS__SHUF(p0, p1, 1, 1, 0, 0),
                         CS__SHUF(p1, p2, 3, 3, 2, 2), 0, 2, 0, 2);
    __m128i c = CS__SHUF(CS__SHUF(p0, p1, 2, 2, 1, 1), p2, 0, 2, 0, 3);
#undef CS__SHUF
    return _mm_or_si128(
        _mm_or_si128(_mm_and_si128(a, _mm_set1_epi32(0xff)),
                     _mm_slli_epi32(_mm_srli_epi32(a, 24), 8)),
        _mm_or_si128(_mm_and_si128(b, _mm_set1_epi32(0xff0000)),
                     _mm_slli_epi32(_mm_srli_epi32(c, 8), 24)));
}

/* The colon form of a 20- or 32-byte digest (59 or 95 bytes) with 64 or
 * 96 bytes readable at s, 16 at a time: cs__hex16 checks and converts,
 * then each pair becomes a byte at 3i (nibbles are < 16: the 16-bit
 * shift spills nothing into the next byte) and cs__pick3 gathers them.
 * Colons sit where position % 3 == 2: 0x4924, 0x2492, 0x9249 for the
 * three 16-byte blocks of every 48. All in registers (a load across two
 * fresh stores would stall). */
static CS__INLINE int
cs__hex_colons(unsigned char *out, size_t n, const unsigned char *s)
{
    unsigned char o[32];
    __m128i nb[7], pv[6];
    unsigned bad;
    size_t k, nv = n == 20 ? 4 : 6;

    bad = cs__hex16(s, &nb[0], 0x4924, 0xffff)
        | cs__hex16(s + 16, &nb[1], 0x2492, 0xffff)
        | cs__hex16(s + 32, &nb[2], 0x9249, 0xffff);
    if (n == 20) {
        bad |= cs__hex16(s + 48, &nb[3], 0x4924, 0x07ff);
    } else {
        bad |= cs__hex16(s + 48, &nb[3], 0x4924, 0xffff)
             | cs__hex16(s + 64, &nb[4], 0x2492, 0xffff)
             | cs__hex16(s + 80, &nb[5], 0x9249, 0x7fff);
    }
    if (bad != 0)
        return 0;
    nb[nv] = _mm_setzero_si128();
    for (k = 0; k < nv; k++) {
        /* byte i: nibble i << 4 | nibble i + 1 */
        __m128i next = _mm_or_si128(_mm_srli_si128(nb[k], 1),
                                    _mm_slli_si128(nb[k + 1], 15));
        pv[k] = _mm_or_si128(_mm_slli_epi16(nb[k], 4), next);
    }
    if (n == 20)
        pv[4] = pv[5] = _mm_setzero_si128();
    _mm_storeu_si128((__m128i *)(void *)o, cs__pick3(pv[0], pv[1], pv[2]));
    _mm_storeu_si128((__m128i *)(void *)(o + 16),
                     cs__pick3(pv[3], pv[4], pv[5]));
    CS_MEMCPY(out, o, n);
    return 1;
}
#endif

/* A digest of n bytes from s[0..len), avail bytes readable at s. */
static CS__INLINE int
cs__digest_dec(unsigned char *out, size_t n, const unsigned char *s,
               size_t len, size_t avail)
{
#if CS__SSE2
    if (len == 3 * n - 1 && avail >= (n == 20 ? 64u : 96u))
        return cs__hex_colons(out, n, s);
#else
    (void)avail;
#endif
    return cs__hex_digest(out, n, s, len);
}

/* Digest string i (0 fingerprint, 1 sha1, 2 sha256) is s[0..n); a later
 * duplicate replaces it. sha1 and sha256 are decoded now (dlen 1: good);
 * the fingerprint is only kept, and decoded at the end if sha1 is not
 * good (servers send both, with the same SHA-1). dlen 0xff: bad. */
static void
cs__digest_set(cs_json *j, int i, const unsigned char *s, size_t n,
               size_t avail)
{
    cs_msg *m = &j->msg;

    j->dgst |= (unsigned char)(1u << i);
    j->dlen[i] = 0xff;
    if (i == 0) {
        if (n <= sizeof j->dtxt[0]) {
            /* "AB:..:EF" fits one fixed-size copy (no call); the
             * slow path captured it in place already */
            if (s == j->dtxt[0])
                ;
            else if (n <= 64 && avail >= 64)
                CS_MEMCPY(j->dtxt[0], s, 64);
            else
                CS_MEMCPY(j->dtxt[0], s, n);
            j->dlen[0] = (unsigned char)n;
        }
    } else if (i == 1) {
        if (cs__digest_dec(m->sha1, 20, s, n, avail))
            j->dlen[1] = 1;
    } else if (cs__digest_dec(m->sha256, 32, s, n, avail)) {
        j->dlen[2] = 1;
    }
}

/* The message ended: set the digests' bits, SHA-1 from leaf_cert.sha1
 * when good, else from .fingerprint. */
static void
cs__digests_done(cs_json *j)
{
    cs_msg *m = &j->msg;
    unsigned g = j->dgst;
    int r = 0;

    if (g & 4)
        *(j->dlen[2] == 1 ? &m->has : &m->bad) |= CS_F_SHA256;
    if (g & 2)
        r = j->dlen[1] == 1 ? 1 : -1;
    if (r <= 0 && (g & 1))
        r = j->dlen[0] != 0xff
            && cs__digest_dec(m->sha1, 20, j->dtxt[0], j->dlen[0],
                              sizeof j->dtxt[0]) ? 1 : -1;
    if (r != 0)
        *(r > 0 ? &m->has : &m->bad) |= CS_F_SHA1;
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
    case CS__C_FP: case CS__C_SHA1: case CS__C_SHA256:
        /* (too long: no digest is that long) */
        cs__digest_set(j, j->cap - CS__C_FP, j->dtxt[j->cap - CS__C_FP],
                       j->cap_over ? (size_t)-1 : j->cap_len,
                       sizeof j->dtxt[0]);
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
    static const unsigned char takes[15] = {
        0, 1u << 1, (1u << 2) | (1u << 3), 1u << 5, 1u << 5, 1u << 5,
        1u << 2, 1u << 2, 1u << 1, 1u << 1, 1u << 3, 1u << 1,
        1u << 1, 1u << 1, 1u << 1
    };
    cs_msg *m = &j->msg;
    unsigned mask = cs__fmask[f];
    int kind = c == '"' ? 1 : c == '{' ? 2 : c == '[' ? 3
             : c == 'n' ? 0 : (c == 't' || c == 'f') ? 4 : 5;

    if (mask == 0)
        return;
    if (f >= CS__F_FP) {
        /* a digest: its text is kept, cs_json_end() decodes it */
        int i = f - CS__F_FP;
        j->dgst &= (unsigned char)~(1u << i);
        if (kind == 0)
            return; /* null: absent */
        j->dgst |= (unsigned char)(1u << i);
        j->dlen[i] = 0xff;
        if (kind == 1)
            cs__cap_start(j, CS__C_FP + i);
        return;
    }
    if (f != CS__F_DOMAIN) {
        m->has &= ~mask;
        m->bad &= ~mask;
        m->trunc &= ~mask;
        if (mask & CS_F_DOMAINS)
            cs__dom_reset(m);
        if (mask & CS_F_SHA1)
            j->dgst = 0; /* a new data or leaf_cert: none kept */
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

/* A \u code unit u is complete: pair it with the pending high surrogate
 * *hisur (0 if none), or keep it there when it is a high one. Writes the
 * code points it completes (0-2) to cp[] and returns their count; a lone
 * half becomes U+FFFD. (Shared with the tokenizer, [1j].) */
static int
cs__upair(unsigned *hisur, unsigned u, unsigned cp[2])
{
    int n = 0;

    if (*hisur != 0) {
        unsigned hi = *hisur;
        *hisur = 0;
        if (u >= 0xdc00 && u <= 0xdfff) {
            cp[0] = 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00);
            return 1;
        }
        cp[n++] = 0xfffd;         /* the high half was alone */
    }
    if (u >= 0xd800 && u <= 0xdbff) {
        *hisur = u;
        return n;
    }
    cp[n++] = (u >= 0xdc00 && u <= 0xdfff) ? 0xfffd : u;
    return n;
}

/* A \u code unit is complete: pair surrogates, else emit it. Returns the
 * next state. */
static int
cs__ucode(cs_json *j)
{
    unsigned cp[2];
    int i, n = cs__upair(&j->hisur, j->uacc, cp);

    for (i = 0; i < n; i++)
        cs__cap_cp(j, cp[i]);
    return j->hisur != 0 ? CS__S_LOWBS : CS__S_STR;
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
                                        || field == CS__F_NAME
                                        || field >= CS__F_FP)) {
                /* a wanted text, whole and plain: straight into place */
                k = cs__scan_str(p + 2, (size_t)(end - p - 2),
                                 (size_t)(p + 2 - base));
                if (CS__LIKELY(p + 2 + k < end && p[2 + k] == '"')) {
                    if (field >= CS__F_FP)
                        cs__digest_set(j, field - CS__F_FP, p + 2, k,
                                       (size_t)(end - p - 2));
                    else
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
    if (j->dgst != 0)
        cs__digests_done(j);
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

/* The SHA extensions of x86-64 (SHA-NI), for SHA-1 here and SHA-256 in
 * [1g]: only where TLS is on (a hosted build), with GCC 11 or later,
 * whose __builtin_cpu_supports("sha") reads the CPU's features once for
 * the whole program (libgcc), so we keep no state of our own; CS_NO_SIMD
 * or CS_NO_SHANI turn them off. */
#if CS_HAS_TLS && !defined(CS_NO_SIMD) && !defined(CS_NO_SHANI)            \
    && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)      \
    && __GNUC__ >= 11
#  define CS__SHANI 1
#  include <immintrin.h>
#else
#  define CS__SHANI 0
#endif

#if CS_HAS_TLS && !CS__SHANI
/* With BearSSL linked in, its unrolled SHA-1 (twice as fast as the block
 * function below on x86-64; direct mode hashes every certificate). */
CSDEF void
cs_sha1(const void *data, size_t len, unsigned char out[20])
{
    br_sha1_context c;

    br_sha1_init(&c);
    br_sha1_update(&c, data, len);
    br_sha1_out(&c, out);
}
#else

#if CS__SHANI
/* Blocks of 64 bytes through SHA-NI, about 3.5 times BearSSL's C (which
 * runs where the CPU lacks them). A, B, C, D sit in one register, A in
 * the top lane; sha1rnds4 does four rounds with the stage's function
 * (its immediate), sha1nexte adds rotl(A, 30) of four rounds before (the
 * next E) to the next four words, and message group g (words 4g..4g+3)
 * comes from groups g-4..g-1: sha1msg1 XORs in w[i-14], the XOR w[i-8],
 * sha1msg2 w[i-3] and the rotation (FIPS 180-4 6.1.2 step 1). */
__attribute__((target("sha,sse4.1"))) static void
cs__sha1_ni(uint32_t h[5], const unsigned char *p, size_t blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0001020304050607LL,
                                         0x08090a0b0c0d0e0fLL);
    __m128i abcd, e, abcd0, e0, t, m[4];
    int g;

    abcd = _mm_shuffle_epi32(
        _mm_loadu_si128((const __m128i *)(const void *)h), 0x1B);
    e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
    for (; blocks > 0; blocks--, p += 64) {
        abcd0 = abcd, e = e0;
#define CS__SHA1_NI_4(F)                                                   \
        do {                                                               \
            __m128i *w = &m[g & 3];         /* W[g-4], becomes W[g] */     \
            if (g < 4)                                                     \
                *w = _mm_shuffle_epi8(_mm_loadu_si128(                     \
                         (const __m128i *)(const void *)(p + 16 * g)),     \
                     bswap);                                               \
            else                                                           \
                *w = _mm_sha1msg2_epu32(                                   \
                    _mm_xor_si128(_mm_sha1msg1_epu32(*w, m[(g + 1) & 3]),  \
                                  m[(g + 2) & 3]),                         \
                    m[(g + 3) & 3]);                                       \
            e = g == 0 ? _mm_add_epi32(e, *w) : _mm_sha1nexte_epu32(e, *w); \
            t = abcd;                                                      \
            abcd = _mm_sha1rnds4_epu32(abcd, e, F);                        \
            e = t;                                                         \
        } while (0)
        for (g = 0; g < 5; g++)
            CS__SHA1_NI_4(0);
        for (; g < 10; g++)
            CS__SHA1_NI_4(1);
        for (; g < 15; g++)
            CS__SHA1_NI_4(2);
        for (; g < 20; g++)
            CS__SHA1_NI_4(3);
#undef CS__SHA1_NI_4
        e0 = _mm_sha1nexte_epu32(e, e0);
        abcd = _mm_add_epi32(abcd, abcd0);
    }
    _mm_storeu_si128((__m128i *)(void *)h, _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#define CS__SHA1_BLOCKS(h, p, n) cs__sha1_ni(h, p, n)
#else

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
    /* Five rounds at a time with the roles of a..e rotating instead of
     * the values moving (after five they are back in place); the four
     * stages as four loops, so no round branches on its index; Ch and Maj
     * in their two-operation forms. */
#define CS__ROL32(x, n) ((x) << (n) | (x) >> (32 - (n)))
#define CS__SHA1_5(F, K)                                                   \
    do {                                                                   \
        e += CS__ROL32(a, 5) + F(b, c, d) + (K) + w[i];                    \
        b = CS__ROL32(b, 30);                                              \
        d += CS__ROL32(e, 5) + F(a, b, c) + (K) + w[i + 1];                \
        a = CS__ROL32(a, 30);                                              \
        c += CS__ROL32(d, 5) + F(e, a, b) + (K) + w[i + 2];                \
        e = CS__ROL32(e, 30);                                              \
        b += CS__ROL32(c, 5) + F(d, e, a) + (K) + w[i + 3];                \
        d = CS__ROL32(d, 30);                                              \
        a += CS__ROL32(b, 5) + F(c, d, e) + (K) + w[i + 4];                \
        c = CS__ROL32(c, 30);                                              \
    } while (0)
#define CS__SHA1_CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define CS__SHA1_PAR(x, y, z) ((x) ^ (y) ^ (z))
#define CS__SHA1_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
    for (i = 0; i < 20; i += 5)
        CS__SHA1_5(CS__SHA1_CH, 0x5A827999u);
    for (; i < 40; i += 5)
        CS__SHA1_5(CS__SHA1_PAR, 0x6ED9EBA1u);
    for (; i < 60; i += 5)
        CS__SHA1_5(CS__SHA1_MAJ, 0x8F1BBCDCu);
    for (; i < 80; i += 5)
        CS__SHA1_5(CS__SHA1_PAR, 0xCA62C1D6u);
#undef CS__SHA1_5
#undef CS__SHA1_CH
#undef CS__SHA1_PAR
#undef CS__SHA1_MAJ
#undef CS__ROL32
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static void
cs__sha1_blocks(uint32_t h[5], const unsigned char *p, size_t blocks)
{
    for (; blocks > 0; blocks--, p += 64)
        cs__sha1_block(h, p);
}
#define CS__SHA1_BLOCKS(h, p, n) cs__sha1_blocks(h, p, n)
#endif /* CS__SHANI */

CSDEF void
cs_sha1(const void *data, size_t len, unsigned char out[20])
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t h[5];
    unsigned char tail[128];
    uint64_t bits = (uint64_t)len * 8;
    size_t n, i;

#if CS__SHANI
    if (!__builtin_cpu_supports("sha")) {
        br_sha1_context c;

        br_sha1_init(&c);
        br_sha1_update(&c, data, len);
        br_sha1_out(&c, out);
        return;
    }
#endif
    h[0] = 0x67452301u, h[1] = 0xEFCDAB89u, h[2] = 0x98BADCFEu;
    h[3] = 0x10325476u, h[4] = 0xC3D2E1F0u;
    if (len >= 64) {
        CS__SHA1_BLOCKS(h, p, len / 64);
        p += len & ~(size_t)63, len &= 63;
    }
    /* Padding: 0x80, zeros, then the bit length, in one or two blocks. */
    CS_MEMSET(tail, 0, sizeof tail);
    if (len > 0)
        CS_MEMCPY(tail, p, len);
    tail[len] = 0x80;
    n = len < 56 ? 64 : 128;
    for (i = 0; i < 8; i++)
        tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
    CS__SHA1_BLOCKS(h, tail, n / 64);
    for (i = 0; i < 20; i++)
        out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}
#undef CS__SHA1_BLOCKS

#endif /* CS_HAS_TLS && !CS__SHANI */

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
    r |= cs__puts(out, cap, &o, "\r\nSec-WebSocket-Version: 13\r\n");
    for (i = 0; i < count && !cs__ieq(headers[i], 11, "user-agent:"); i++)
        ;
    if (i == count)                 /* an extra User-Agent replaces ours */
        r |= cs__puts(out, cap, &o, "User-Agent: certstream.h/"
                      CERTSTREAM_VERSION_STRING "\r\n");
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

/* ==== [1f] gzip and DEFLATE (RFC 1951, 1952) ============= off: _NO_CT ==== */

#if CS_HAS_CT
/*
 * Design. The decoder writes into the caller's window and hands out the
 * new bytes as slices of it: the window is the history DEFLATE needs
 * anyway, so there is no output buffer and no copy (zlib copies every
 * byte once more, between its window and the caller's buffer). A slice
 * ends where the window wraps, where the input runs out, before a
 * trailer is checked and before an error. CRC-32 / Adler-32 are summed
 * over each slice as it goes out, while it is in cache.
 * Huffman codes decode through one table lookup (10 bits for
 * literal/length codes, 8 for distances; longer codes through a second
 * level), each entry carrying the symbol's kind, base value and extra
 * bit count. A fast loop runs while 8 input bytes and room for a whole
 * match remain; everything else (chunk ends, the window's end, headers,
 * stored blocks, code lengths) is a byte-at-a-time state machine that
 * stops anywhere and resumes with the next call.
 */

/* ---- CRC-32 and Adler-32 ---- */

/* The slice-by-16 tables as constant expressions. CRC-32 is linear over
 * GF(2): entry n of table k (the CRC of byte n followed by k zero bytes)
 * is the XOR of the entries of n's set bits, the eight constants per
 * table below. No code fills them, so they live in read-only data. */
#define CS__CRC_ENT(n, a, b, c, d, e, f, g, h) \
    (((n) & 1 ? a : 0u) ^ ((n) & 2 ? b : 0u) ^ ((n) & 4 ? c : 0u) \
     ^ ((n) & 8 ? d : 0u) ^ ((n) & 16 ? e : 0u) ^ ((n) & 32 ? f : 0u) \
     ^ ((n) & 64 ? g : 0u) ^ ((n) & 128 ? h : 0u))
#define CS__CRC_T0(n) CS__CRC_ENT(n, 0x77073096u, 0xee0e612cu, 0x076dc419u, \
    0x0edb8832u, 0x1db71064u, 0x3b6e20c8u, 0x76dc4190u, 0xedb88320u)
#define CS__CRC_T1(n) CS__CRC_ENT(n, 0x191b3141u, 0x32366282u, 0x646cc504u, \
    0xc8d98a08u, 0x4ac21251u, 0x958424a2u, 0xf0794f05u, 0x3b83984bu)
#define CS__CRC_T2(n) CS__CRC_ENT(n, 0x01c26a37u, 0x0384d46eu, 0x0709a8dcu, \
    0x0e1351b8u, 0x1c26a370u, 0x384d46e0u, 0x709a8dc0u, 0xe1351b80u)
#define CS__CRC_T3(n) CS__CRC_ENT(n, 0xb8bc6765u, 0xaa09c88bu, 0x8f629757u, \
    0xc5b428efu, 0x5019579fu, 0xa032af3eu, 0x9b14583du, 0xed59b63bu)
#define CS__CRC_T4(n) CS__CRC_ENT(n, 0x3d6029b0u, 0x7ac05360u, 0xf580a6c0u, \
    0x30704bc1u, 0x60e09782u, 0xc1c12f04u, 0x58f35849u, 0xb1e6b092u)
#define CS__CRC_T5(n) CS__CRC_ENT(n, 0xcb5cd3a5u, 0x4dc8a10bu, 0x9b914216u, \
    0xec53826du, 0x03d6029bu, 0x07ac0536u, 0x0f580a6cu, 0x1eb014d8u)
#define CS__CRC_T6(n) CS__CRC_ENT(n, 0xa6770bb4u, 0x979f1129u, 0xf44f2413u, \
    0x33ef4e67u, 0x67de9cceu, 0xcfbd399cu, 0x440b7579u, 0x8816eaf2u)
#define CS__CRC_T7(n) CS__CRC_ENT(n, 0xccaa009eu, 0x4225077du, 0x844a0efau, \
    0xd3e51bb5u, 0x7cbb312bu, 0xf9766256u, 0x299dc2edu, 0x533b85dau)
#define CS__CRC_T8(n) CS__CRC_ENT(n, 0x177b1443u, 0x2ef62886u, 0x5dec510cu, \
    0xbbd8a218u, 0xacc04271u, 0x82f182a3u, 0xde920307u, 0x6655004fu)
#define CS__CRC_T9(n) CS__CRC_ENT(n, 0xefc26b3eu, 0x04f5d03du, 0x09eba07au, \
    0x13d740f4u, 0x27ae81e8u, 0x4f5d03d0u, 0x9eba07a0u, 0xe6050901u)
#define CS__CRC_T10(n) CS__CRC_ENT(n, 0xc18edfc0u, 0x586cb9c1u, 0xb0d97382u, \
    0xbac3e145u, 0xaef6c4cbu, 0x869c8fd7u, 0xd64819efu, 0x77e1359fu)
#define CS__CRC_T11(n) CS__CRC_ENT(n, 0x9ba54c6fu, 0xec3b9e9fu, 0x03063b7fu, \
    0x060c76feu, 0x0c18edfcu, 0x1831dbf8u, 0x3063b7f0u, 0x60c76fe0u)
#define CS__CRC_T12(n) CS__CRC_ENT(n, 0xdd96d985u, 0x605cb54bu, 0xc0b96a96u, \
    0x5a03d36du, 0xb407a6dau, 0xb37e4bf5u, 0xbd8d91abu, 0xa06a2517u)
#define CS__CRC_T13(n) CS__CRC_ENT(n, 0x9d0fe176u, 0xe16ec4adu, 0x19ac8f1bu, \
    0x33591e36u, 0x66b23c6cu, 0xcd6478d8u, 0x41b9f7f1u, 0x8373efe2u)
#define CS__CRC_T14(n) CS__CRC_ENT(n, 0xb9fbdbe8u, 0xa886b191u, 0x8a7c6563u, \
    0xcf89cc87u, 0x44629f4fu, 0x88c53e9eu, 0xcafb7b7du, 0x4e87f0bbu)
#define CS__CRC_T15(n) CS__CRC_ENT(n, 0xae689191u, 0x87a02563u, 0xd4314c87u, \
    0x73139f4fu, 0xe6273e9eu, 0x173f7b7du, 0x2e7ef6fau, 0x5cfdedf4u)
#define CS__CRC_R4(T, n) T(n), T((n) + 1), T((n) + 2), T((n) + 3)
#define CS__CRC_R16(T, n) CS__CRC_R4(T, n), CS__CRC_R4(T, (n) + 4), \
    CS__CRC_R4(T, (n) + 8), CS__CRC_R4(T, (n) + 12)
#define CS__CRC_R64(T, n) CS__CRC_R16(T, n), CS__CRC_R16(T, (n) + 16), \
    CS__CRC_R16(T, (n) + 32), CS__CRC_R16(T, (n) + 48)
#define CS__CRC_R256(T) { CS__CRC_R64(T, 0), CS__CRC_R64(T, 64), \
    CS__CRC_R64(T, 128), CS__CRC_R64(T, 192) }

#ifdef CS_CRC32_SMALL
/* One 1 KB table, a byte per step (the flash-sized choice). */
static const uint32_t cs__crc_tab[1][256] = { CS__CRC_R256(CS__CRC_T0) };

CSDEF uint32_t
cs_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t c = ~crc;

    while (len-- > 0)
        c = (c >> 8) ^ cs__crc_tab[0][(c ^ *p++) & 0xff];
    return ~c;
}
#else
static const uint32_t cs__crc_tab[16][256] = {
    CS__CRC_R256(CS__CRC_T0), CS__CRC_R256(CS__CRC_T1),
    CS__CRC_R256(CS__CRC_T2), CS__CRC_R256(CS__CRC_T3),
    CS__CRC_R256(CS__CRC_T4), CS__CRC_R256(CS__CRC_T5),
    CS__CRC_R256(CS__CRC_T6), CS__CRC_R256(CS__CRC_T7),
    CS__CRC_R256(CS__CRC_T8), CS__CRC_R256(CS__CRC_T9),
    CS__CRC_R256(CS__CRC_T10), CS__CRC_R256(CS__CRC_T11),
    CS__CRC_R256(CS__CRC_T12), CS__CRC_R256(CS__CRC_T13),
    CS__CRC_R256(CS__CRC_T14), CS__CRC_R256(CS__CRC_T15)
};

CSDEF uint32_t
cs_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    const uint32_t (*t)[256] = cs__crc_tab;
    uint32_t c = ~crc;

    /* 16 bytes per step: 16 independent lookups, one dependency (c)
     * per step; slice-by-8 ran at half the speed, bound by that chain */
    for (; len >= 16; p += 16, len -= 16) {
        uint32_t a = cs__load_le32(p) ^ c, b = cs__load_le32(p + 4);
        uint32_t d = cs__load_le32(p + 8), e = cs__load_le32(p + 12);
        c = t[15][a & 0xff] ^ t[14][(a >> 8) & 0xff]
          ^ t[13][(a >> 16) & 0xff] ^ t[12][a >> 24]
          ^ t[11][b & 0xff] ^ t[10][(b >> 8) & 0xff]
          ^ t[9][(b >> 16) & 0xff] ^ t[8][b >> 24]
          ^ t[7][d & 0xff] ^ t[6][(d >> 8) & 0xff]
          ^ t[5][(d >> 16) & 0xff] ^ t[4][d >> 24]
          ^ t[3][e & 0xff] ^ t[2][(e >> 8) & 0xff]
          ^ t[1][(e >> 16) & 0xff] ^ t[0][e >> 24];
    }
    while (len-- > 0)
        c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
    return ~c;
}
#endif /* CS_CRC32_SMALL */

/* Adler-32 (RFC 1950 8.2): 5552 bytes is the most that can be summed
 * before the 32-bit sums must be reduced mod 65521. */
static uint32_t
cs__adler32(uint32_t adler, const unsigned char *p, size_t len)
{
    uint32_t a = adler & 0xffff, b = adler >> 16;

    while (len > 0) {
        size_t n = len < 5552 ? len : 5552;
        len -= n;
        while (n-- > 0) {
            a += *p++;
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return b << 16 | a;
}

/* ---- Huffman decode tables ---- */

/* A table entry: value << 16 | kind << 12 | extra << 8 | bits. bits is
 * the whole code's length (in a subtable too). value: the literal, the
 * base length or distance, or a subtable's offset (extra is then the
 * subtable's index width). BAD marks unused codes and the symbols that
 * may not appear (286, 287; distances 30, 31). */
enum { CS__HLIT = 0, CS__HLEN = 1, CS__HEOB = 2, CS__HSUB = 3, CS__HBAD = 4 };
#define CS__HE(value, kind, extra, bits) \
    ((uint32_t)(value) << 16 | (uint32_t)(kind) << 12 \
     | (uint32_t)(extra) << 8 | (uint32_t)(bits))
#define CS__HKIND(e) ((e) >> 12 & 15)
#define CS__HBITS(e) ((e) & 0xff)

/* RFC 1951 3.2.5: lengths 257..285 and distances 0..29. */
static const unsigned short cs__inf_lbase[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
    67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const unsigned char cs__inf_lext[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
    5, 5, 5, 5, 0 };
static const unsigned short cs__inf_dbase[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
    513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
/* RFC 1951 3.2.7: the order of the code length code's lengths. */
static const unsigned char cs__inf_clorder[19] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* Which table is built: the code length code, lengths, distances. */
enum { CS__TPRE = 0, CS__TLIT = 1, CS__TDIST = 2 };

/* The entry of symbol s of a code of the given type and length. */
static uint32_t
cs__inf_entry(int type, unsigned s, unsigned bits)
{
    if (type == CS__TPRE)
        return CS__HE(s, CS__HLIT, 0, bits);
    if (type == CS__TDIST)
        return s < 30 ? CS__HE(cs__inf_dbase[s], CS__HLEN,
                               s < 4 ? 0 : (s >> 1) - 1, bits)
                      : CS__HE(0, CS__HBAD, 0, bits);
    if (s < 256)
        return CS__HE(s, CS__HLIT, 0, bits);
    if (s == 256)
        return CS__HE(0, CS__HEOB, 0, bits);
    if (s < 286)
        return CS__HE(cs__inf_lbase[s - 257], CS__HLEN,
                      cs__inf_lext[s - 257], bits);
    return CS__HE(0, CS__HBAD, 0, bits);
}

/* Build the decode table t[0..cap) for the canonical code (RFC 1951
 * 3.2.2) given by lens[0..n), with root index bits. A code may be
 * incomplete only when it has no code (distances: a block of literals)
 * or one code of one bit (3.2.7, one distance code); the unused codes
 * decode to BAD. Returns 0 or CS_E_GZ_CODES. */
static int
cs__inf_build(uint32_t *t, size_t cap, unsigned root, const unsigned char *lens,
              unsigned n, int type)
{
    unsigned count[16], offs[16], s, l, i, rev = 0;
    unsigned short sorted[288];
    size_t next = (size_t)1 << root, sub = 0, subbits = 0;
    unsigned prefix = ~0u;
    long left = 1;

    for (l = 0; l < 16; l++)
        count[l] = 0;
    for (s = 0; s < n; s++)
        count[lens[s]]++;
    count[0] = 0;
    for (l = 1; l < 16; l++) {
        left = left * 2 - (long)count[l];
        if (left < 0)
            return CS_E_GZ_CODES;       /* over-subscribed */
    }
    if (left > 0) {
        /* incomplete: only none or one 1-bit code, never the code
         * length code */
        if (type == CS__TPRE
            || (left != 32768 && (left != 16384 || count[1] != 1)))
            return CS_E_GZ_CODES;
        for (i = 0; i < next; i++)
            t[i] = CS__HE(0, CS__HBAD, 0, 1);
    }
    offs[1] = 0;
    for (l = 1; l < 15; l++)
        offs[l + 1] = offs[l] + count[l];
    for (s = 0; s < n; s++)
        if (lens[s] != 0)
            sorted[offs[lens[s]]++] = (unsigned short)s;
    /* codes in canonical order: by length, then symbol */
    for (i = 0; i < offs[15]; i++) {
        unsigned r = rev, k;
        uint32_t e;
        s = sorted[i];
        l = lens[s];
        /* DEFLATE sends codes MSB first, so tables are indexed by the
         * reversed code: add 1 to the code as seen from its reverse
         * (a longer code appends zeros, which leaves the reverse as is) */
        for (k = 1u << (l - 1); rev & k; k >>= 1)
            ;
        rev = k != 0 ? (rev & (k - 1)) + k : 0;
        count[l]--;
        e = cs__inf_entry(type, s, l);
        if (l <= root) {
            for (k = r; k < next; k += 1u << l)
                t[k] = e;
            continue;
        }
        if ((r & ((1u << root) - 1)) != prefix) {
            /* a new subtable: as wide as the longest code under this
             * prefix (the code is complete, so they fill it) */
            unsigned used;
            prefix = r & ((1u << root) - 1);
            sub = next;
            subbits = l - root;
            used = count[l] + 1;
            while (used < (1u << subbits) && root + subbits < 15) {
                subbits++;
                used = used * 2 + count[root + subbits];
            }
            next += (size_t)1 << subbits;
            if (next > cap)
                return CS_E_GZ_CODES;   /* cannot happen: "enough" */
            t[prefix] = CS__HE(sub, CS__HSUB, subbits, root);
        }
        for (k = r >> root; k < (1u << subbits); k += 1u << (l - root))
            t[sub + k] = e;
    }
    return 0;
}

/* ---- the decoder ---- */

/* States, in stream order. */
enum {
    CS__INF_GZHEAD,   /* gzip: the 10 fixed header bytes */
    CS__INF_GZXLEN,   /* gzip: FEXTRA's length */
    CS__INF_GZEXTRA,  /* gzip: FEXTRA's bytes */
    CS__INF_GZNAME,   /* gzip: FNAME, up to its NUL */
    CS__INF_GZCOMM,   /* gzip: FCOMMENT, up to its NUL */
    CS__INF_GZHCRC,   /* gzip: FHCRC */
    CS__INF_ZHEAD,    /* zlib: CMF and FLG */
    CS__INF_BLOCK,    /* a block header: BFINAL, BTYPE */
    CS__INF_STORED,   /* a stored block's LEN, NLEN */
    CS__INF_RAW,      /* a stored block's bytes */
    CS__INF_TABLE,    /* HLIT, HDIST, HCLEN */
    CS__INF_CLENS,    /* the code length code's lengths */
    CS__INF_LENS,     /* the literal/length and distance code lengths */
    CS__INF_CODES,    /* Huffman-coded symbols */
    CS__INF_DIST,     /* a match's distance */
    CS__INF_COPY,     /* a match's bytes */
    CS__INF_CHECK,    /* the trailer (gzip: CRC-32, ISIZE; zlib: Adler) */
    CS__INF_DONE      /* nothing may follow */
};
#define CS__INF_FLUSH 1   /* hand out the new bytes first */
#define CS__INF_EOS 2     /* the stream (member) ended and checked out */

static CS__INLINE uint64_t
cs__load_le64(const unsigned char *p)
{
    return (uint64_t)cs__load_le32(p) | (uint64_t)cs__load_le32(p + 4) << 32;
}

/* Make n (<= 32) bits available, from the input as far as it goes. */
static int
cs__inf_need(cs_inflate *z, const unsigned char **in, const unsigned char *end,
             unsigned n)
{
    while (z->nbits < n) {
        if (*in == end)
            return 0;
        z->bits |= (uint64_t)*(*in)++ << z->nbits;
        z->nbits += 8;
    }
    return 1;
}

/* Take n available bits. */
static unsigned
cs__inf_take(cs_inflate *z, unsigned n)
{
    unsigned v = (unsigned)(z->bits & (((uint64_t)1 << n) - 1));

    z->bits >>= n;
    z->nbits -= n;
    return v;
}

/* The next byte at a byte boundary (held bits first), or -1. */
static int
cs__inf_byte(cs_inflate *z, const unsigned char **in, const unsigned char *end)
{
    if (z->nbits >= 8)
        return (int)cs__inf_take(z, 8);
    if (*in == end)
        return -1;
    return *(*in)++;
}

/* Look up the next symbol of table t; succeeds when its code and extra
 * bits are all available (a missing bit reads as 0, but the entry found
 * then is only trusted when its length says the bit was not needed). */
static int
cs__inf_sym(cs_inflate *z, const uint32_t *t, unsigned root,
            const unsigned char **in, const unsigned char *end, uint32_t *out)
{
    for (;;) {
        uint32_t e = t[z->bits & ((1u << root) - 1)];
        if (CS__HKIND(e) == CS__HSUB)
            e = t[(e >> 16) + ((z->bits >> root)
                               & ((1u << (e >> 8 & 15)) - 1))];
        if (CS__HBITS(e) + (e >> 8 & 15) <= z->nbits) {
            *out = e;
            return 1;
        }
        if (*in == end)
            return 0;
        z->bits |= (uint64_t)*(*in)++ << z->nbits;
        z->nbits += 8;
    }
}

/* Bytes that may still be written before the window's end or the limit
 * (the bytes not handed out yet count against the limit already). */
static size_t
cs__inf_room(const cs_inflate *z)
{
    size_t r = z->cap - z->wpos;
    uint64_t l = z->left - (z->wpos - z->out0);

    return l < r ? (size_t)l : r;
}

/* No room: the window's end (hand out, then wrap) or the limit. */
static int
cs__inf_no_room(const cs_inflate *z)
{
    return z->left == z->wpos - z->out0 ? CS_E_GZ_TOO_BIG : CS__INF_FLUSH;
}

/* Copy len bytes from dist back (dist <= bytes written, len may exceed
 * dist: the copy then repeats itself, RFC 1951 3.2.3). */
static CS__INLINE void
cs__inf_copy(unsigned char *d, size_t dist, unsigned len)
{
    const unsigned char *s = d - dist;

    if (dist >= 8) {
        for (; len >= 8; len -= 8, d += 8, s += 8)
            CS_MEMCPY(d, s, 8);
    } else if (dist == 1) {
        CS_MEMSET(d, *s, len);
        return;
    }
    while (len-- > 0)
        *d++ = *s++;
}

/* Copy n bytes of the current match, its source maybe across the
 * window's end. */
static void
cs__inf_copy_wrap(cs_inflate *z, size_t n)
{
    size_t s, k, i;

    if (z->dist <= z->wpos) {
        cs__inf_copy(z->win + z->wpos, z->dist, (unsigned)n);
        z->wpos += n;
        return;
    }
    /* the source starts before the window's end: copy up to there (the
     * destination lies below the source, so a forward copy is safe),
     * then on from the window's start, now dist back as usual */
    s = z->wpos + z->cap - z->dist;
    k = z->cap - s < n ? z->cap - s : n;
    if (s - z->wpos >= k) {
        CS_MEMCPY(z->win + z->wpos, z->win + s, k);
    } else {
        for (i = 0; i < k; i++)
            z->win[z->wpos + i] = z->win[s + i];
    }
    z->wpos += k;
    if (n > k) {
        cs__inf_copy(z->win + z->wpos, z->dist, (unsigned)(n - k));
        z->wpos += n - k;
    }
}

/* After a block: the next block, or the trailer at a byte boundary. */
static void
cs__inf_block_end(cs_inflate *z)
{
    if (z->last) {
        cs__inf_take(z, z->nbits & 7);
        z->cnt = 0;
        z->acc = 0;
        z->st = CS__INF_CHECK;
    } else {
        z->st = CS__INF_BLOCK;
    }
}

/* RFC 1951 3.2.6: the fixed code (built once, kept while unchanged). */
static void
cs__inf_fixed(cs_inflate *z)
{
    unsigned i;
    unsigned char l[288];

    if (z->fixed)
        return;
    for (i = 0; i < 288; i++)
        l[i] = (unsigned char)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    cs__inf_build(z->lit, CS__INF_LIT_ENOUGH, CS__INF_LIT_BITS, l, 288,
                  CS__TLIT);
    for (i = 0; i < 32; i++)
        l[i] = 5;
    cs__inf_build(z->dst, CS__INF_DIST_ENOUGH, CS__INF_DIST_BITS, l, 32,
                  CS__TDIST);
    z->fixed = 1;
}

/* The fast loop (after zlib's inflate_fast): while 8 input bytes and
 * room for the longest match remain, one refill of the bit buffer
 * covers a whole literal or length/distance pair (at most 48 bits), so
 * no symbol checks for input or room. Returns 0 or an error. */
static int
cs__inf_fast(cs_inflate *z, const unsigned char **pin, const unsigned char *end)
{
    const unsigned char *in = *pin, *inlim;
    const uint32_t *lit = z->lit, *dst = z->dst;
    unsigned char *win = z->win;
    uint64_t bits = z->bits;
    unsigned nbits = z->nbits, x;
    size_t wpos = z->wpos, wend = wpos + cs__inf_room(z), wlim;
    size_t maxd = z->full ? z->cap : 0;
    int ret = 0;
    /* A match may be copied 8 bytes at a time past its end when the
     * window has 8 bytes more than the longest distance: what it
     * overwrites there is older than any distance can reach, and is
     * written again before it is handed out. */
    int over = z->cap >= 32768 + 8 && z->cap - 8 - 258 >= wpos;

    if (over && wend > z->cap - 8)
        wend = z->cap - 8;
    wlim = wend - 258;
    inlim = end - 8;

    while (wpos <= wlim && in <= inlim) {
        uint32_t e;
        unsigned len;
        size_t dist;

        /* whole bytes up to 56..63 bits; the partial byte's bits above
         * nbits are the same bits the next refill brings again */
        bits |= cs__load_le64(in) << nbits;
        in += (63 - nbits) >> 3;
        nbits |= 56;
        e = lit[bits & ((1u << CS__INF_LIT_BITS) - 1)];
        if (CS__HKIND(e) == CS__HSUB)
            e = lit[(e >> 16) + ((bits >> CS__INF_LIT_BITS)
                                 & ((1u << (e >> 8 & 15)) - 1))];
        bits >>= CS__HBITS(e);
        nbits -= CS__HBITS(e);
        if (CS__HKIND(e) == CS__HLIT) {
            /* up to two more literals on the same refill (>= 41, then
             * >= 26 bits left; a code has at most 15); anything else
             * is looked up again after the next refill */
            win[wpos++] = (unsigned char)(e >> 16);
            e = lit[bits & ((1u << CS__INF_LIT_BITS) - 1)];
            if (CS__HKIND(e) != CS__HLIT)
                continue;
            bits >>= CS__HBITS(e);
            nbits -= CS__HBITS(e);
            win[wpos++] = (unsigned char)(e >> 16);
            e = lit[bits & ((1u << CS__INF_LIT_BITS) - 1)];
            if (CS__HKIND(e) != CS__HLIT)
                continue;
            bits >>= CS__HBITS(e);
            nbits -= CS__HBITS(e);
            win[wpos++] = (unsigned char)(e >> 16);
            continue;
        }
        if (CS__HKIND(e) != CS__HLEN) {
            if (CS__HKIND(e) == CS__HEOB) {
                z->bits = bits;
                z->nbits = nbits;
                cs__inf_block_end(z);
                bits = z->bits;
                nbits = z->nbits;
            } else {
                ret = CS_E_GZ_SYMBOL;
            }
            break;
        }
        x = e >> 8 & 15;
        len = (e >> 16) + (unsigned)(bits & ((1u << x) - 1));
        bits >>= x;
        nbits -= x;
        e = dst[bits & ((1u << CS__INF_DIST_BITS) - 1)];
        if (CS__HKIND(e) == CS__HSUB)
            e = dst[(e >> 16) + ((bits >> CS__INF_DIST_BITS)
                                 & ((1u << (e >> 8 & 15)) - 1))];
        if (CS__HKIND(e) != CS__HLEN) {
            ret = CS_E_GZ_SYMBOL;
            break;
        }
        bits >>= CS__HBITS(e);
        nbits -= CS__HBITS(e);
        x = e >> 8 & 15;
        dist = (e >> 16) + (size_t)(bits & ((1u << x) - 1));
        bits >>= x;
        nbits -= x;
        if (dist <= wpos) {
            unsigned char *d = win + wpos, *de = d + len;
            const unsigned char *src = d - dist;
            wpos += len;
            if (over && dist >= 8) {
                do {
                    CS_MEMCPY(d, src, 8);
                    d += 8;
                    src += 8;
                } while (d < de);
            } else {
                cs__inf_copy(d, dist, len);
            }
            continue;
        }
        /* RFC 1951 3.2.5: never before the stream's first byte */
        if (dist > maxd) {
            ret = CS_E_GZ_DISTANCE;
            break;
        }
        z->wpos = wpos;
        z->dist = (unsigned)dist;
        cs__inf_copy_wrap(z, len);
        wpos = z->wpos;
    }
    /* clear the stale bits above nbits: the slow path reads them as 0 */
    z->bits = bits & (((uint64_t)1 << nbits) - 1);
    z->nbits = nbits;
    z->wpos = wpos;
    *pin = in;
    return ret;
}

/* One step of the gzip header (RFC 1952 2.3) after its fixed part:
 * each optional field in the order of the format, while its flag is
 * set (flags are cleared as their fields are read). */
static void
cs__inf_gz_next(cs_inflate *z)
{
    z->cnt = 0;
    z->acc = 0;
    if (z->flg & 4)
        z->st = CS__INF_GZXLEN;
    else if (z->flg & 8)
        z->st = CS__INF_GZNAME;
    else if (z->flg & 16)
        z->st = CS__INF_GZCOMM;
    else if (z->flg & 2)
        z->st = CS__INF_GZHCRC;
    else
        z->st = CS__INF_BLOCK;
}

/* The gzip and zlib headers, byte by byte. Returns 1 when the byte was
 * taken, 0 when none is left, or an error. */
static int
cs__inf_header(cs_inflate *z, const unsigned char **in,
               const unsigned char *end)
{
    int b = cs__inf_byte(z, in, end);
    unsigned char c = (unsigned char)b;

    if (b < 0)
        return 0;
    if (z->st == CS__INF_ZHEAD) {
        /* RFC 1950 2.2: CM 8, CINFO <= 7, FCHECK, no preset dictionary */
        if (z->cnt++ == 0) {
            z->acc = c;
            return (c & 15) == 8 && c >> 4 <= 7 ? 1 : CS_E_GZ_HEADER;
        }
        if ((z->acc << 8 | c) % 31 != 0)
            return CS_E_GZ_HEADER;
        if (c & 0x20)
            return CS_E_GZ_FLAGS;
        z->st = CS__INF_BLOCK;
        return 1;
    }
    if (z->st != CS__INF_GZHCRC)
        z->hcrc = cs_crc32(z->hcrc, &c, 1);
    switch (z->st) {
    case CS__INF_GZHEAD:
        /* ID1 ID2 CM=8 FLG (reserved bits 5-7 zero) MTIME XFL OS */
        if ((z->cnt == 0 && c != 0x1f) || (z->cnt == 1 && c != 0x8b)
            || (z->cnt == 2 && c != 8))
            return CS_E_GZ_HEADER;
        if (z->cnt == 3 && (c & 0xe0) != 0)
            return CS_E_GZ_FLAGS;
        if (z->cnt == 3)
            z->flg = c;
        if (++z->cnt == 10)
            cs__inf_gz_next(z);
        return 1;
    case CS__INF_GZXLEN:
        z->acc |= (uint32_t)c << (8 * z->cnt);
        if (++z->cnt == 2) {
            z->len = (unsigned)z->acc;
            z->st = CS__INF_GZEXTRA;
            if (z->len == 0) {
                z->flg &= 0xfb;
                cs__inf_gz_next(z);
            }
        }
        return 1;
    case CS__INF_GZEXTRA:
        if (--z->len == 0) {
            z->flg &= 0xfb;
            cs__inf_gz_next(z);
        }
        return 1;
    case CS__INF_GZNAME:
    case CS__INF_GZCOMM:
        if (c == 0) {
            z->flg &= z->st == CS__INF_GZNAME ? 0xf7 : 0xef;
            cs__inf_gz_next(z);
        }
        return 1;
    default: /* CS__INF_GZHCRC: the low 16 bits of the header's CRC-32 */
        z->acc |= (uint32_t)c << (8 * z->cnt);
        if (++z->cnt == 2) {
            if (z->acc != (z->hcrc & 0xffff))
                return CS_E_GZ_HEADER_CRC;
            z->flg = 0;
            cs__inf_gz_next(z);
        }
        return 1;
    }
}

/* Read the code lengths (RFC 1951 3.2.7) and build both tables. */
static int
cs__inf_lens(cs_inflate *z, const unsigned char **in, const unsigned char *end)
{
    unsigned n = z->hlit + z->hdist;
    int err;

    while (z->cnt < n) {
        uint32_t e;
        unsigned sym, x, rep;
        unsigned char v = 0;

        if (!cs__inf_sym(z, z->dst, 7, in, end, &e))
            return 0;
        sym = e >> 16;
        if (sym < 16) {
            cs__inf_take(z, CS__HBITS(e));
            z->lens[z->cnt++] = (unsigned char)sym;
            continue;
        }
        /* 16: repeat the previous 3-6 times; 17, 18: 3-10, 11-138 zeros;
         * a run may cross from the lengths into the distances */
        x = sym == 16 ? 2 : sym == 17 ? 3 : 7;
        if (!cs__inf_need(z, in, end, CS__HBITS(e) + x))
            return 0;
        cs__inf_take(z, CS__HBITS(e));
        rep = cs__inf_take(z, x) + (sym == 18 ? 11 : 3);
        if (sym == 16) {
            if (z->cnt == 0)
                return CS_E_GZ_CODES;
            v = z->lens[z->cnt - 1];
        }
        if (rep > n - z->cnt)
            return CS_E_GZ_CODES;
        while (rep-- > 0)
            z->lens[z->cnt++] = v;
    }
    /* a block needs its end-of-block code */
    if (z->lens[256] == 0)
        return CS_E_GZ_CODES;
    err = cs__inf_build(z->lit, CS__INF_LIT_ENOUGH, CS__INF_LIT_BITS,
                        z->lens, z->hlit, CS__TLIT);
    if (err == 0)
        err = cs__inf_build(z->dst, CS__INF_DIST_ENOUGH, CS__INF_DIST_BITS,
                            z->lens + z->hlit, z->hdist, CS__TDIST);
    if (err != 0)
        return err;
    z->st = CS__INF_CODES;
    return 1;
}

/* The trailer: gzip's CRC-32 and ISIZE (little-endian, RFC 1952 2.3.1),
 * zlib's Adler-32 (big-endian, RFC 1950 2.2); raw has none. Every byte
 * decoded has been handed out (and summed) before this runs. */
static int
cs__inf_trailer(cs_inflate *z, const unsigned char **in,
                const unsigned char *end)
{
    unsigned want = z->mode == CS_INFLATE_GZIP ? 8
                    : z->mode == CS_INFLATE_ZLIB ? 4 : 0;

    while (z->cnt < want) {
        int b = cs__inf_byte(z, in, end);
        if (b < 0)
            return 0;
        if (z->mode == CS_INFLATE_ZLIB)
            z->acc = z->acc << 8 | (uint32_t)b;
        else
            z->acc |= (uint32_t)b << (8 * (z->cnt & 3));
        if (++z->cnt == 4 && z->acc != z->check)
            return z->mode == CS_INFLATE_ZLIB ? CS_E_GZ_ADLER : CS_E_GZ_CRC;
        if (z->cnt == 4)
            z->acc = 0;
        if (z->cnt == 8 && z->acc != z->size)
            return CS_E_GZ_SIZE;
    }
    z->members++;
    if (z->mode != CS_INFLATE_GZIP) {
        z->st = CS__INF_DONE;
        return CS__INF_EOS;
    }
    /* RFC 1952 2.2: another member may follow, a stream of its own */
    z->st = CS__INF_GZHEAD;
    z->cnt = 0;
    z->wpos = z->out0 = 0;
    z->full = 0;
    z->check = z->size = z->hcrc = 0;
    z->left = z->limit;
    return CS__INF_EOS;
}

/* Run the decoder over in[0..end): 0 when the input ran out, FLUSH,
 * EOS, or an error. */
static int
cs__inf_run(cs_inflate *z, const unsigned char **in, const unsigned char *end)
{
    for (;;) {
        int r = 1;
        uint32_t e;
        size_t room, n;

        switch (z->st) {
        default: /* the gzip and zlib headers */
            r = cs__inf_header(z, in, end);
            break;
        case CS__INF_BLOCK:
            /* 3.2.3: BFINAL, then BTYPE 00 stored, 01 fixed, 10 dynamic */
            if (!cs__inf_need(z, in, end, 3))
                return 0;
            z->last = (unsigned char)cs__inf_take(z, 1);
            switch (cs__inf_take(z, 2)) {
            case 0:
                cs__inf_take(z, z->nbits & 7);
                z->cnt = 0;
                z->acc = 0;
                z->st = CS__INF_STORED;
                break;
            case 1:
                cs__inf_fixed(z);
                z->st = CS__INF_CODES;
                break;
            case 2:
                z->st = CS__INF_TABLE;
                break;
            default:
                return CS_E_GZ_BLOCK;
            }
            break;
        case CS__INF_STORED: {
            /* 3.2.4: LEN, then NLEN its one's complement */
            int b = cs__inf_byte(z, in, end);
            if (b < 0)
                return 0;
            z->acc |= (uint32_t)b << (8 * z->cnt);
            if (++z->cnt < 4)
                break;
            if ((z->acc & 0xffff) != (~z->acc >> 16 & 0xffff))
                return CS_E_GZ_STORED;
            z->len = z->acc & 0xffff;
            z->st = CS__INF_RAW;
            if (z->len == 0)
                cs__inf_block_end(z);
            break;
        }
        case CS__INF_RAW:
            room = cs__inf_room(z);
            if (room == 0)
                return cs__inf_no_room(z);
            n = room < z->len ? room : z->len;
            if (z->nbits >= 8) {
                z->win[z->wpos++] = (unsigned char)cs__inf_take(z, 8);
                n = 1;
            } else {
                if (*in == end)
                    return 0;
                if (n > (size_t)(end - *in))
                    n = (size_t)(end - *in);
                CS_MEMCPY(z->win + z->wpos, *in, n);
                z->wpos += n;
                *in += n;
            }
            z->len -= (unsigned)n;
            if (z->len == 0)
                cs__inf_block_end(z);
            break;
        case CS__INF_TABLE:
            /* 3.2.7: HLIT 257..286, HDIST 1..30 (31, 32 name no code) */
            if (!cs__inf_need(z, in, end, 14))
                return 0;
            z->hlit = cs__inf_take(z, 5) + 257;
            z->hdist = cs__inf_take(z, 5) + 1;
            z->hclen = cs__inf_take(z, 4) + 4;
            if (z->hlit > 286 || z->hdist > 30)
                return CS_E_GZ_CODES;
            CS_MEMSET(z->pre, 0, sizeof z->pre);
            z->fixed = 0;
            z->cnt = 0;
            z->st = CS__INF_CLENS;
            break;
        case CS__INF_CLENS:
            while (z->cnt < z->hclen) {
                if (!cs__inf_need(z, in, end, 3))
                    return 0;
                z->pre[cs__inf_clorder[z->cnt++]] =
                    (unsigned char)cs__inf_take(z, 3);
            }
            r = cs__inf_build(z->dst, 128, 7, z->pre, 19, CS__TPRE);
            if (r != 0)
                return r;
            r = 1;
            z->cnt = 0;
            z->st = CS__INF_LENS;
            break;
        case CS__INF_LENS:
            r = cs__inf_lens(z, in, end);
            break;
        case CS__INF_CODES:
            if (end - *in >= 8 && cs__inf_room(z) >= 258) {
                r = cs__inf_fast(z, in, end);
                if (r != 0)
                    return r;
                r = 1;
                if (z->st != CS__INF_CODES)
                    break;
            }
            if (!cs__inf_sym(z, z->lit, CS__INF_LIT_BITS, in, end, &e))
                return 0;
            if (CS__HKIND(e) == CS__HLIT) {
                if (cs__inf_room(z) == 0)
                    return cs__inf_no_room(z);
                z->win[z->wpos++] = (unsigned char)(e >> 16);
                cs__inf_take(z, CS__HBITS(e));
            } else if (CS__HKIND(e) == CS__HLEN) {
                cs__inf_take(z, CS__HBITS(e));
                z->len = (e >> 16) + cs__inf_take(z, e >> 8 & 15);
                z->st = CS__INF_DIST;
            } else if (CS__HKIND(e) == CS__HEOB) {
                cs__inf_take(z, CS__HBITS(e));
                cs__inf_block_end(z);
            } else {
                return CS_E_GZ_SYMBOL;
            }
            break;
        case CS__INF_DIST:
            if (!cs__inf_sym(z, z->dst, CS__INF_DIST_BITS, in, end, &e))
                return 0;
            if (CS__HKIND(e) != CS__HLEN)
                return CS_E_GZ_SYMBOL;
            cs__inf_take(z, CS__HBITS(e));
            z->dist = (e >> 16) + cs__inf_take(z, e >> 8 & 15);
            if (z->dist > (z->full ? z->cap : z->wpos))
                return CS_E_GZ_DISTANCE;
            z->st = CS__INF_COPY;
            break;
        case CS__INF_COPY:
            room = cs__inf_room(z);
            if (room == 0)
                return cs__inf_no_room(z);
            n = room < z->len ? room : z->len;
            cs__inf_copy_wrap(z, n);
            z->len -= (unsigned)n;
            if (z->len == 0)
                z->st = CS__INF_CODES;
            break;
        case CS__INF_CHECK:
            if (z->wpos != z->out0)
                return CS__INF_FLUSH;
            return cs__inf_trailer(z, in, end);
        case CS__INF_DONE:
            if (*in != end || z->nbits > 0)
                return CS_E_GZ_TRAILING;
            return 0;
        }
        if (r <= 0)
            return r;
    }
}

CSDEF void
cs_inflate_init(cs_inflate *z, void *window, size_t window_cap, int mode)
{
    CS_ASSERT(z != NULL && window != NULL && window_cap > 0);
    CS_ASSERT(mode >= CS_INFLATE_RAW && mode <= CS_INFLATE_GZIP);
    CS_MEMSET(z, 0, offsetof(cs_inflate, lens));
    z->mode = (unsigned char)mode;
    z->st = mode == CS_INFLATE_GZIP ? CS__INF_GZHEAD
            : mode == CS_INFLATE_ZLIB ? CS__INF_ZHEAD : CS__INF_BLOCK;
    z->win = (unsigned char *)window;
    z->cap = window_cap;
    z->limit = z->left = ~(uint64_t)0;
    z->check = mode == CS_INFLATE_ZLIB ? 1 : 0;
}

CSDEF void
cs_inflate_limit(cs_inflate *z, uint64_t max)
{
    z->limit = z->left = max != 0 ? max : ~(uint64_t)0;
}

CSDEF int
cs_inflate_feed(cs_inflate *z, const unsigned char *in, size_t len,
                size_t *used)
{
    const unsigned char *p = in, *end = len > 0 ? in + len : in;
    int r;

    CS_ASSERT(z != NULL && used != NULL && (in != NULL || len == 0));
    *used = 0;
    z->slice_len = 0;
    if (z->err != 0)
        return z->err;
    if (z->wpos == z->cap) {
        /* the previous call handed out the window's last bytes */
        z->wpos = z->out0 = 0;
        z->full = 1;
    }
    r = cs__inf_run(z, &p, end);
    *used = (size_t)(p - in);
    if (r < 0)
        z->err = r;
    if (z->wpos != z->out0) {
        /* hand out what was decoded, the error (if any) next time */
        size_t n = z->wpos - z->out0;
        z->slice = z->win + z->out0;
        z->slice_len = n;
        if (z->mode == CS_INFLATE_GZIP)
            z->check = cs_crc32(z->check, z->slice, n);
        else if (z->mode == CS_INFLATE_ZLIB)
            z->check = cs__adler32(z->check, z->slice, n);
        z->size += (uint32_t)n;
        z->left -= n;
        z->out0 = z->wpos;
        return CS_INFLATE_DATA;
    }
    if (r < 0)
        return r;
    return r == CS__INF_EOS ? CS_INFLATE_END : 0;
}

CSDEF const unsigned char *
cs_inflate_data(const cs_inflate *z, size_t *len)
{
    *len = z->slice_len;
    return z->slice;
}

CSDEF int
cs_inflate_finish(cs_inflate *z)
{
    if (z->err != 0)
        return z->err;
    if (z->st == CS__INF_DONE && z->nbits > 0)
        z->err = CS_E_GZ_TRAILING;
    else if (z->st == CS__INF_DONE
             || (z->st == CS__INF_GZHEAD && z->cnt == 0 && z->members > 0
                 && z->nbits == 0))
        return 0;
    else
        z->err = CS_E_GZ_TRUNCATED;
    return z->err;
}

#endif /* CS_HAS_CT */

/* ==== [1g] CT records: base64, leaves, tiles, checkpoints  off: _NO_CT ==== */

/* SHA-256 is on in every build (see the declarations); the rest of the
 * section is CT-only. */

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t cs__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu,
    0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u, 0xd807aa98u, 0x12835b01u,
    0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u,
    0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
    0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u,
    0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u,
    0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u,
    0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u, 0x1e376c08u,
    0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu,
    0x682e6ff3u, 0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

#define CS__ROR32(x, n) ((x) >> (n) | (x) << (32 - (n)))

/* SHA-256 compression (FIPS 180-4 6.2.2) over one 64-byte block. */
static void
cs__sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16
             | (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = CS__ROR32(w[i - 15], 7) ^ CS__ROR32(w[i - 15], 18)
                    ^ (w[i - 15] >> 3);
        uint32_t s1 = CS__ROR32(w[i - 2], 17) ^ CS__ROR32(w[i - 2], 19)
                    ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3];
    e = h[4], f = h[5], g = h[6], k = h[7];
    for (i = 0; i < 64; i++) {
        t1 = k + (CS__ROR32(e, 6) ^ CS__ROR32(e, 11) ^ CS__ROR32(e, 25))
           + ((e & f) ^ (~e & g)) + cs__sha256_k[i] + w[i];
        t2 = (CS__ROR32(a, 2) ^ CS__ROR32(a, 13) ^ CS__ROR32(a, 22))
           + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1;
        d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
    h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

/* The SHA extensions of x86-64 (SHA-NI: sha256rnds2 does two rounds,
 * sha256msg1/2 the message schedule), about five times the C above,
 * where CS__SHANI (see [1c]) and the CPU allow. Other builds use the C
 * above. */
#if CS__SHANI /* (its conditions: [1c], before cs_sha1) */

/* Blocks of 64 bytes through SHA-NI. The state goes into the two lanes
 * sha256rnds2 wants (ABEF, CDGH) and back; message group g (words 4g..
 * 4g+3) comes from groups g-4..g-1 (FIPS 180-4 6.2.2 step 1). */
__attribute__((target("sha,sse4.1"))) static void
cs__sha256_ni(uint32_t h[8], const unsigned char *p, size_t blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
                                         0x0405060700010203LL);
    __m128i st0, st1, t, a0, c0, msg, m[4];
    int g;

    t = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
    st1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
    t = _mm_shuffle_epi32(t, 0xB1);                 /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);             /* EFGH */
    st0 = _mm_alignr_epi8(t, st1, 8);               /* ABEF */
    st1 = _mm_blend_epi16(st1, t, 0xF0);            /* CDGH */
    for (; blocks > 0; blocks--, p += 64) {
        a0 = st0, c0 = st1;
        for (g = 0; g < 16; g++) {
            __m128i *w = &m[g & 3];             /* W[g-4], becomes W[g] */
            if (g < 4)
                *w = _mm_shuffle_epi8(_mm_loadu_si128(
                         (const __m128i *)(const void *)(p + 16 * g)),
                     bswap);
            else
                *w = _mm_sha256msg2_epu32(
                    _mm_add_epi32(
                        _mm_sha256msg1_epu32(*w, m[(g + 1) & 3]),
                        _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3],
                                        4)),
                    m[(g + 3) & 3]);
            msg = _mm_add_epi32(*w, _mm_loadu_si128(
                      (const __m128i *)(const void *)&cs__sha256_k[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            st0 = _mm_sha256rnds2_epu32(st0, st1,
                                        _mm_shuffle_epi32(msg, 0x0E));
        }
        st0 = _mm_add_epi32(st0, a0);
        st1 = _mm_add_epi32(st1, c0);
    }
    t = _mm_shuffle_epi32(st0, 0x1B);               /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);             /* DCHG */
    st0 = _mm_blend_epi16(t, st1, 0xF0);            /* DCBA */
    st1 = _mm_alignr_epi8(st1, t, 8);               /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)&h[0], st0);
    _mm_storeu_si128((__m128i *)(void *)&h[4], st1);
}
#endif /* CS__SHANI */

/* Whole 64-byte blocks, through SHA-NI when the CPU has it. */
static void
cs__sha256_blocks(uint32_t h[8], const unsigned char *p, size_t blocks)
{
#if CS__SHANI
    if (__builtin_cpu_supports("sha")) {
        cs__sha256_ni(h, p, blocks);
        return;
    }
#endif
    for (; blocks > 0; blocks--, p += 64)
        cs__sha256_block(h, p);
}

CSDEF void
cs_sha256_init(cs_sha256_ctx *s)
{
    /* FIPS 180-4 5.3.3: square roots of the first 8 primes. */
    s->h[0] = 0x6a09e667u, s->h[1] = 0xbb67ae85u;
    s->h[2] = 0x3c6ef372u, s->h[3] = 0xa54ff53au;
    s->h[4] = 0x510e527fu, s->h[5] = 0x9b05688cu;
    s->h[6] = 0x1f83d9abu, s->h[7] = 0x5be0cd19u;
    s->len = 0;
}

CSDEF void
cs_sha256_update(cs_sha256_ctx *s, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t have = (size_t)(s->len & 63);

    s->len += len;
    if (have > 0) {
        size_t k = 64 - have < len ? 64 - have : len;
        CS_MEMCPY(s->buf + have, p, k);
        p += k, len -= k, have += k;
        if (have < 64)
            return;
        cs__sha256_blocks(s->h, s->buf, 1);
    }
    cs__sha256_blocks(s->h, p, len / 64);
    p += len & ~(size_t)63, len &= 63;
    if (len > 0)
        CS_MEMCPY(s->buf, p, len);
}

CSDEF void
cs_sha256_final(cs_sha256_ctx *s, unsigned char out[32])
{
    uint64_t bits = s->len * 8;
    size_t have = (size_t)(s->len & 63), i;

    /* Padding (FIPS 180-4 5.1.1): 0x80, zeros, the 64-bit bit length. */
    s->buf[have++] = 0x80;
    if (have > 56) {
        CS_MEMSET(s->buf + have, 0, 64 - have);
        cs__sha256_blocks(s->h, s->buf, 1);
        have = 0;
    }
    CS_MEMSET(s->buf + have, 0, 56 - have);
    for (i = 0; i < 8; i++)
        s->buf[63 - i] = (unsigned char)(bits >> (8 * i));
    cs__sha256_blocks(s->h, s->buf, 1);
    for (i = 0; i < 32; i++)
        out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

CSDEF void
cs_sha256(const void *data, size_t len, unsigned char out[32])
{
    cs_sha256_ctx s;

    cs_sha256_init(&s);
    cs_sha256_update(&s, data, len);
    cs_sha256_final(&s, out);
}

#if CS_HAS_CT

/* ---- base64 ---- */

#define CS__B64_PADC 64
#define CS__B64_SPACE 65
#define CS__B64_BAD 66

/* The value of one base64 character (RFC 4648 table 1), or a class:
 * 64 '=', 65 white space, 66 anything else. A table, not a chain of
 * ranges: get-entries is mostly base64, and this is its inner loop. */
static const unsigned char cs__b64_tab[256] = {
    66, 66, 66, 66, 66, 66, 66, 66, 66, 65, 65, 65, 65, 65, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    65, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 62, 66, 66, 66, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 66, 66, 64, 66, 66,
    66,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 66, 66, 66, 66, 66,
    66, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66};

static CS__INLINE unsigned
cs__b64_val(unsigned char c)
{
    return cs__b64_tab[c];
}

/* Decode whole quanta of alphabet characters from in[i..len) while the
 * output has room for them; stops at the first quantum holding anything
 * else (the careful loop in cs_b64_feed takes it from there). Returns
 * the new i. Call only at a quantum boundary (b->n == 0, !b->done). */
static size_t
cs__b64_run(cs_b64 *b, const char *in, size_t len, size_t i)
{
    const unsigned char *s = (const unsigned char *)in + i;
    unsigned char *o = b->out + b->len;
    size_t q = (len - i) / 4, room = (b->cap - b->len) / 3;

    for (q = q < room ? q : room; q > 0; q--, s += 4, o += 3) {
        uint32_t c0 = cs__b64_tab[s[0]], c1 = cs__b64_tab[s[1]];
        uint32_t c2 = cs__b64_tab[s[2]], c3 = cs__b64_tab[s[3]];
        uint32_t v = c0 << 18 | c1 << 12 | c2 << 6 | c3;
        if ((c0 | c1 | c2 | c3) >= 64)  /* values < 64: so is their OR */
            break;
        o[0] = (unsigned char)(v >> 16);
        o[1] = (unsigned char)(v >> 8);
        o[2] = (unsigned char)v;
    }
    b->len = (size_t)(o - b->out);
    return (size_t)(s - (const unsigned char *)in);
}

static int
cs__b64_fail(cs_b64 *b, int err)
{
    if (b->err == 0)
        b->err = err;
    return b->err;
}

/* Append k bytes of acc's top (after shifting) to the output. A NULL
 * output only counts (syntax checks of lines we do not keep). */
static int
cs__b64_put(cs_b64 *b, uint32_t v, unsigned k)
{
    unsigned j;

    if (k > b->cap - b->len)
        return cs__b64_fail(b, CS_E_B64_TOO_BIG);
    if (b->out != NULL)
        for (j = 0; j < k; j++)
            b->out[b->len + j] = (unsigned char)(v >> (8 * (k - 1 - j)));
    b->len += k;
    return 0;
}

CSDEF void
cs_b64_init(cs_b64 *b, unsigned char *out, size_t cap)
{
    CS_MEMSET(b, 0, sizeof *b);
    b->out = out;
    b->cap = cap;
}

CSDEF int
cs_b64_feed(cs_b64 *b, const char *in, size_t len)
{
    size_t i;

    if (b->err != 0)
        return b->err;
    for (i = 0; i < len; i++) {
        unsigned v;

        /* Fast path: whole quanta of alphabet characters between
         * quantum boundaries. */
        if (b->n == 0 && !b->done && b->out != NULL)
            i = cs__b64_run(b, in, len, i);
        if (i >= len)
            break;
        v = cs__b64_val((unsigned char)in[i]);

        /* RFC 4648 3.3: nothing but the alphabet, and padding only at
         * the very end. */
        if (b->done)
            return cs__b64_fail(b, v >= CS__B64_SPACE
                                   ? (v == CS__B64_SPACE ? CS_E_B64_SPACE
                                                         : CS_E_B64_CHAR)
                                   : CS_E_B64_PAD);
        if (v == CS__B64_SPACE)
            return cs__b64_fail(b, CS_E_B64_SPACE);
        if (v == CS__B64_BAD)
            return cs__b64_fail(b, CS_E_B64_CHAR);
        if (v == CS__B64_PADC) {
            /* '=' may fill only the last one or two places. */
            if (b->n < 2)
                return cs__b64_fail(b, CS_E_B64_PAD);
            b->pad++;
        } else {
            if (b->pad > 0)
                return cs__b64_fail(b, CS_E_B64_PAD);
            b->acc = b->acc << 6 | v;
        }
        if (++b->n < 4)
            continue;
        if (b->pad == 0) {
            if (cs__b64_put(b, b->acc, 3) != 0)
                return b->err;
        } else {
            /* RFC 4648 3.5: the unused bits must be zero, or two texts
             * would decode to the same bytes. */
            uint32_t mask = b->pad == 1 ? 3u : 15u;
            if ((b->acc & mask) != 0)
                return cs__b64_fail(b, CS_E_B64_BITS);
            if (cs__b64_put(b, b->pad == 1 ? b->acc >> 2 : b->acc >> 4,
                            b->pad == 1 ? 2u : 1u) != 0)
                return b->err;
            b->done = 1;
        }
        b->n = 0;
        b->acc = 0;
    }
    return 0;
}

CSDEF long
cs_b64_end(cs_b64 *b)
{
    if (b->err != 0)
        return b->err;
    if (b->n != 0)
        return cs__b64_fail(b, CS_E_B64_TRUNCATED);
    return (long)b->len;
}

CSDEF long
cs_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    cs_b64 b;

    cs_b64_init(&b, out, cap);
    cs_b64_feed(&b, in, len);
    return cs_b64_end(&b);
}

/* ---- RFC 6962 entries ---- */

/* A big-endian number of k bytes (k <= 8) at p. */
static uint64_t
cs__ct_be(const unsigned char *p, size_t k)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < k; i++)
        v = v << 8 | p[i];
    return v;
}

/* Read a k-byte big-endian length at p[*i..n) and check that that many
 * bytes follow; returns 0 with *i past the length, or CS_E_CT_TRUNCATED. */
static int
cs__ct_len(const unsigned char *p, size_t n, size_t *i, size_t k,
           size_t *len)
{
    uint64_t v;

    if (n - *i < k)
        return CS_E_CT_TRUNCATED;
    v = cs__ct_be(p + *i, k);
    *i += k;
    if (v > n - *i)
        return CS_E_CT_TRUNCATED;
    *len = (size_t)v;
    return 0;
}

/* CtExtensions (RFC 6962 3.4 leaves them opaque; static-ct-api defines
 * extension 0, leaf_index, a 40-bit big-endian index): a list of
 * (uint8 type, uint16 length, data). */
static int
cs__ct_ext(cs_ct_entry *e)
{
    size_t i = 0, n = e->ext_len, k;

    while (i < n) {
        int type = e->ext[i++];
        if (cs__ct_len(e->ext, n, &i, 2, &k) != 0)
            return CS_E_CT_EXTENSIONS;
        if (type == 0) {
            if (k != 5 || e->has_leaf_index)
                return CS_E_CT_EXTENSIONS;
            e->leaf_index = cs__ct_be(e->ext + i, 5);
            e->has_leaf_index = 1;
        }
        i += k;
    }
    return 0;
}

CSDEF void
cs_ct_leaf_hash(const unsigned char *leaf, size_t len, unsigned char out[32])
{
    cs_sha256_ctx s;
    unsigned char z = 0;

    /* RFC 6962 2.1: leaves are hashed with a 0x00 prefix, nodes 0x01. */
    cs_sha256_init(&s);
    cs_sha256_update(&s, &z, 1);
    cs_sha256_update(&s, leaf, len);
    cs_sha256_final(&s, out);
}

CSDEF int
cs_ct_leaf_parse(cs_ct_entry *e, const unsigned char *leaf, size_t len)
{
    size_t i = 12;
    int rc;

    CS_MEMSET(e, 0, sizeof *e);
    /* MerkleTreeLeaf: version v1(0), leaf_type timestamped_entry(0),
     * then TimestampedEntry: uint64 timestamp, uint16 entry_type. */
    if (len < 2)
        return CS_E_CT_TRUNCATED;
    if (leaf[0] != 0 || leaf[1] != 0)
        return CS_E_CT_VERSION;
    if (len < 12)
        return CS_E_CT_TRUNCATED;
    e->timestamp = cs__ct_be(leaf + 2, 8);
    if (leaf[10] != 0 || leaf[11] > 1)
        return CS_E_CT_ENTRY_TYPE;
    e->type = leaf[11];
    if (e->type == CS_CT_PRECERT) {
        /* PreCert: issuer_key_hash[32], TBSCertificate<1..2^24-1> */
        if (len - i < 32)
            return CS_E_CT_TRUNCATED;
        e->issuer_key_hash = leaf + i;
        i += 32;
    }
    if ((rc = cs__ct_len(leaf, len, &i, 3, &e->cert_len)) != 0)
        return rc;
    if (e->cert_len == 0)
        return CS_E_CT_LENGTH;
    e->cert = leaf + i;
    i += e->cert_len;
    if ((rc = cs__ct_len(leaf, len, &i, 2, &e->ext_len)) != 0)
        return rc;
    e->ext = leaf + i;
    i += e->ext_len;
    if (i != len)
        return CS_E_CT_TRAILING;
    if ((rc = cs__ct_ext(e)) != 0)
        return rc;
    cs_ct_leaf_hash(leaf, len, e->leaf_hash);
    return 0;
}

CSDEF int
cs_ct_extra_parse(cs_ct_entry *e, const unsigned char *extra, size_t len)
{
    size_t i = 0, total, end, k;
    int rc;

    e->precert = NULL, e->precert_len = 0;
    e->chain = NULL, e->chain_len = 0, e->chain_count = 0;
    e->chain_kind = CS_CT_CHAIN_NONE;
    if (e->type == CS_CT_PRECERT) {
        /* PrecertChainEntry: ASN.1Cert pre_certificate, then the chain */
        if ((rc = cs__ct_len(extra, len, &i, 3, &e->precert_len)) != 0)
            return rc;
        if (e->precert_len == 0)
            return CS_E_CT_LENGTH;
        e->precert = extra + i;
        i += e->precert_len;
    }
    /* ASN.1Cert certificate_chain<0..2^24-1>: each ASN.1Cert<1..2^24-1> */
    if ((rc = cs__ct_len(extra, len, &i, 3, &total)) != 0)
        return rc;
    e->chain = extra + i;
    e->chain_len = total;
    end = i + total;
    while (i < end) {
        if (cs__ct_len(extra, end, &i, 3, &k) != 0 || k == 0)
            return CS_E_CT_CHAIN;
        i += k;
        e->chain_count++;
    }
    if (end != len)
        return CS_E_CT_TRAILING;
    e->chain_kind = CS_CT_CHAIN_DER;
    return 0;
}

CSDEF const unsigned char *
cs_ct_chain_item(const cs_ct_entry *e, size_t i, size_t *len)
{
    size_t at = 0, k;

    *len = 0;
    if (i >= e->chain_count)
        return NULL;
    if (e->chain_kind == CS_CT_CHAIN_SHA256) {
        *len = 32;
        return e->chain + 32 * i;
    }
    /* DER items were checked by cs_ct_extra_parse(): walk to the i-th. */
    for (;;) {
        k = (size_t)cs__ct_be(e->chain + at, 3);
        if (i-- == 0)
            break;
        at += 3 + k;
    }
    *len = k;
    return e->chain + at + 3;
}

/* ---- static-ct-api data tiles ---- */

/* TileLeaf fields, in wire order (C2SP static-ct-api "Log Entries").
 * Everything up to EXT is the RFC 6962 TimestampedEntry, which the leaf
 * hash covers. */
enum {
    CS__TL_TS,          /* uint64 timestamp */
    CS__TL_TYPE,        /* uint16 entry_type */
    CS__TL_IKH,         /* precert: issuer_key_hash[32] */
    CS__TL_CLEN,        /* uint24 certificate / TBS length */
    CS__TL_CERT,
    CS__TL_XLEN,        /* uint16 extensions length */
    CS__TL_EXT,
    CS__TL_PLEN,        /* precert: uint24 pre_certificate length */
    CS__TL_PRE,
    CS__TL_FLEN,        /* uint16 fingerprints length, in bytes */
    CS__TL_FP
};

static int
cs__tile_fail(cs_ct_tile *t, int err)
{
    if (t->err == 0)
        t->err = err;
    return t->err;
}

/* Begin the next field: st, its size, a fresh number. */
static void
cs__tile_field(cs_ct_tile *t, int st, size_t need)
{
    t->state = st;
    t->need = need;
    t->val = 0;
}

/* Begin a new entry: the leaf hash starts with the 0x00 leaf prefix and
 * the MerkleTreeLeaf header (version v1, timestamped_entry), which tiles
 * leave out. */
static void
cs__tile_start(cs_ct_tile *t)
{
    static const unsigned char head[3] = {0, 0, 0};

    t->n = 0;
    t->skip = 0;
    cs_sha256_init(&t->h);
    cs_sha256_update(&t->h, head, 3);
    cs__tile_field(t, CS__TL_TS, 8);
}

/* The entry is complete: give its slices into buf, or report a skip. */
static int
cs__tile_done(cs_ct_tile *t)
{
    cs_ct_entry *e = &t->e;
    int rc = CS_CT_ENTRY;

    t->count++;
    e->chain_kind = CS_CT_CHAIN_SHA256;
    if (t->skip) {
        rc = CS_E_CT_ENTRY_TOO_BIG;
    } else {
        e->issuer_key_hash = e->type == CS_CT_PRECERT ? t->buf + t->off[0]
                                                      : NULL;
        e->cert = t->buf + t->off[1];
        e->ext = t->buf + t->off[2];
        e->precert = e->type == CS_CT_PRECERT ? t->buf + t->off[3] : NULL;
        e->chain = t->buf + t->off[4];
        if (cs__ct_ext(e) != 0)
            return cs__tile_fail(t, CS_E_CT_EXTENSIONS);
    }
    cs__tile_start(t);
    return rc;
}

/* The current field is complete: check it and move to the next. Returns
 * 0, CS_CT_ENTRY / CS_E_CT_ENTRY_TOO_BIG at the end of an entry, or a
 * sticky error. */
static int
cs__tile_next(cs_ct_tile *t)
{
    cs_ct_entry *e = &t->e;
    int precert = e->type == CS_CT_PRECERT;

    switch (t->state) {
    case CS__TL_TS:
        CS_MEMSET(e, 0, sizeof *e);
        e->timestamp = t->val;
        cs__tile_field(t, CS__TL_TYPE, 2);
        return 0;
    case CS__TL_TYPE:
        /* RFC 6962 3.1 LogEntryType: x509_entry(0), precert_entry(1) */
        if (t->val > 1)
            return cs__tile_fail(t, CS_E_CT_ENTRY_TYPE);
        e->type = (int)t->val;
        t->off[0] = t->n;
        if (e->type == CS_CT_PRECERT)
            cs__tile_field(t, CS__TL_IKH, 32);
        else
            cs__tile_field(t, CS__TL_CLEN, 3);
        return 0;
    case CS__TL_IKH:
        cs__tile_field(t, CS__TL_CLEN, 3);
        return 0;
    case CS__TL_CLEN:
        /* ASN.1Cert and TBSCertificate are <1..2^24-1> */
        if (t->val == 0)
            return cs__tile_fail(t, CS_E_CT_LENGTH);
        e->cert_len = (size_t)t->val;
        t->off[1] = t->n;
        cs__tile_field(t, CS__TL_CERT, e->cert_len);
        return 0;
    case CS__TL_CERT:
        cs__tile_field(t, CS__TL_XLEN, 2);
        return 0;
    case CS__TL_XLEN:
        e->ext_len = (size_t)t->val;
        t->off[2] = t->n;
        cs__tile_field(t, CS__TL_EXT, e->ext_len);
        return 0;
    case CS__TL_EXT:
        /* The TimestampedEntry ends here, and so does the leaf hash. */
        cs_sha256_final(&t->h, e->leaf_hash);
        cs__tile_field(t, precert ? CS__TL_PLEN : CS__TL_FLEN,
                       precert ? 3u : 2u);
        return 0;
    case CS__TL_PLEN:
        if (t->val == 0)
            return cs__tile_fail(t, CS_E_CT_LENGTH);
        e->precert_len = (size_t)t->val;
        t->off[3] = t->n;
        cs__tile_field(t, CS__TL_PRE, e->precert_len);
        return 0;
    case CS__TL_PRE:
        cs__tile_field(t, CS__TL_FLEN, 2);
        return 0;
    case CS__TL_FLEN:
        /* Fingerprint<0..2^16-1> is a byte length: 32 per issuer. */
        if (t->val % 32 != 0)
            return cs__tile_fail(t, CS_E_CT_FINGERPRINTS);
        e->chain_len = (size_t)t->val;
        e->chain_count = e->chain_len / 32;
        t->off[4] = t->n;
        cs__tile_field(t, CS__TL_FP, e->chain_len);
        return 0;
    default: /* CS__TL_FP */
        return cs__tile_done(t);
    }
}

CSDEF void
cs_ct_tile_init(cs_ct_tile *t, unsigned char *buf, size_t cap)
{
    CS_MEMSET(t, 0, sizeof *t);
    t->buf = buf;
    t->cap = cap;
    cs__tile_start(t);
}

CSDEF int
cs_ct_tile_feed(cs_ct_tile *t, const unsigned char *data, size_t len,
                size_t *used)
{
    size_t i = 0;
    int rc;

    CS_ASSERT(t != NULL && used != NULL);
    *used = 0;
    if (t->err != 0)
        return t->err;
    for (;;) {
        size_t take;
        const unsigned char *p;

        /* Empty fields end without input (and may end the entry). */
        while (t->need == 0)
            if ((rc = cs__tile_next(t)) != 0) {
                *used = i;
                return rc;
            }
        if (i >= len)
            break;
        take = t->need < len - i ? t->need : len - i;
        p = data + i;
        if (t->state <= CS__TL_EXT)
            cs_sha256_update(&t->h, p, take);
        if (!t->skip) {
            if (take > t->cap - t->n) {
                t->skip = 1;
            } else {
                CS_MEMCPY(t->buf + t->n, p, take);
                t->n += take;
            }
        }
        if (t->state == CS__TL_TS || t->state == CS__TL_TYPE
            || t->state == CS__TL_CLEN || t->state == CS__TL_XLEN
            || t->state == CS__TL_PLEN || t->state == CS__TL_FLEN) {
            size_t j;
            for (j = 0; j < take; j++)
                t->val = t->val << 8 | p[j];
        }
        t->need -= take;
        i += take;
    }
    *used = i;
    return 0;
}

CSDEF const cs_ct_entry *
cs_ct_tile_entry(const cs_ct_tile *t)
{
    return &t->e;
}

CSDEF long
cs_ct_tile_end(cs_ct_tile *t)
{
    if (t->err != 0)
        return t->err;
    if (t->state != CS__TL_TS || t->need != 8)
        return cs__tile_fail(t, CS_E_CT_TRUNCATED);
    return (long)t->count;
}

/* ---- log keys ---- */

/* One DER TLV (X.690 8.1) at p[*i..n) with tag want: *i moves to its
 * content, *len is the content length. Definite lengths up to 3 bytes,
 * in their shortest form. Returns 0 or -1. */
static int
cs__ct_tlv(const unsigned char *p, size_t n, size_t *i, unsigned want,
           size_t *len)
{
    size_t k, v = 0;

    if (n - *i < 2 || p[*i] != want)
        return -1;
    k = p[*i + 1];
    *i += 2;
    if (k >= 0x80) {
        k -= 0x80;
        if (k == 0 || k > 3 || n - *i < k || p[*i] == 0)
            return -1;
        v = (size_t)cs__ct_be(p + *i, k);
        *i += k;
        if (v < 0x80)
            return -1;
        k = v;
    }
    if (k > n - *i)
        return -1;
    *len = k;
    return 0;
}

/* A DER INTEGER at p[*i..n) that must be positive: its magnitude without
 * leading zeros. */
static int
cs__ct_uint(const unsigned char *p, size_t n, size_t *i,
            const unsigned char **v, size_t *vlen)
{
    size_t k;

    if (cs__ct_tlv(p, n, i, 0x02, &k) != 0 || k == 0 || (p[*i] & 0x80))
        return -1;
    *v = p + *i;
    *vlen = k;
    *i += k;
    while (*vlen > 1 && **v == 0)
        (*v)++, (*vlen)--;
    return **v == 0 ? -1 : 0;
}

CSDEF int
cs_ct_key_parse(cs_ct_key *k, const unsigned char *spki, size_t len)
{
    /* OIDs (content bytes): id-ecPublicKey 1.2.840.10045.2.1,
     * prime256v1 1.2.840.10045.3.1.7, rsaEncryption 1.2.840.113549.1.1.1 */
    static const unsigned char ec_oid[7] = {0x2a, 0x86, 0x48, 0xce,
                                            0x3d, 0x02, 0x01};
    static const unsigned char p256_oid[8] = {0x2a, 0x86, 0x48, 0xce,
                                              0x3d, 0x03, 0x01, 0x07};
    static const unsigned char rsa_oid[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x0d, 0x01, 0x01, 0x01};
    size_t i = 0, l, aend, oid;

    CS_MEMSET(k, 0, sizeof *k);
    /* RFC 5280 4.1: SubjectPublicKeyInfo ::= SEQUENCE { algorithm
     * AlgorithmIdentifier, subjectPublicKey BIT STRING } */
    if (cs__ct_tlv(spki, len, &i, 0x30, &l) != 0 || i + l != len
        || cs__ct_tlv(spki, len, &i, 0x30, &l) != 0)
        return CS_E_CT_KEY;
    aend = i + l;
    if (cs__ct_tlv(spki, aend, &i, 0x06, &l) != 0)
        return CS_E_CT_KEY;
    oid = i;
    i += l;
    if (l == 7 && cs__eq(spki + oid, ec_oid, 7)) {
        /* RFC 5480 2.1.1: the curve is a namedCurve OID parameter. */
        if (cs__ct_tlv(spki, aend, &i, 0x06, &l) != 0 || l != 8
            || !cs__eq(spki + i, p256_oid, 8) || i + l != aend)
            return CS_E_CT_KEY;
        i = aend;
        /* RFC 5480 2.2: an uncompressed point, 0x04 || X || Y */
        if (cs__ct_tlv(spki, len, &i, 0x03, &l) != 0 || l != 66
            || spki[i] != 0 || spki[i + 1] != 0x04 || i + l != len)
            return CS_E_CT_KEY;
        k->type = CS_CT_KEY_EC_P256;
        k->q = spki + i + 1;
        k->q_len = 65;
    } else if (l == 9 && cs__eq(spki + oid, rsa_oid, 9)) {
        size_t end;
        /* RFC 3279 2.3.1: NULL parameters (tolerated when absent) */
        if (i != aend && (aend - i != 2 || spki[i] != 0x05 || spki[i + 1]))
            return CS_E_CT_KEY;
        i = aend;
        /* RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
        if (cs__ct_tlv(spki, len, &i, 0x03, &l) != 0 || i + l != len
            || l < 1 || spki[i] != 0)
            return CS_E_CT_KEY;
        i++;
        if (cs__ct_tlv(spki, len, &i, 0x30, &l) != 0 || i + l != len)
            return CS_E_CT_KEY;
        end = i + l;
        if (cs__ct_uint(spki, end, &i, &k->n, &k->n_len) != 0
            || cs__ct_uint(spki, end, &i, &k->e, &k->e_len) != 0
            || i != end || k->n_len > 512 || k->e_len > 8)
            return CS_E_CT_KEY;
        k->type = CS_CT_KEY_RSA;
    } else {
        return CS_E_CT_KEY;
    }
    cs_sha256(spki, len, k->log_id);
    return 0;
}

/* ---- checkpoints (C2SP tlog-checkpoint, signed-note) ---- */

/* The length of the line at text[at..len), without its '\n'; *nl is 1
 * when a '\n' ends it. Control bytes other than '\n' are refused (-1). */
static long
cs__note_line(const char *text, size_t len, size_t at, int *nl)
{
    size_t i;

    *nl = 0;
    for (i = at; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            *nl = 1;
            break;
        }
        if (c < 0x20 || c == 0x7f)
            return -1;
    }
    return (long)(i - at);
}

/* One signature line "— <name> <base64>" at s[0..n) (C2SP signed-note):
 * check it, and when key is given and the name is the origin, see if
 * the key ID is the log's RFC 6962 one (type 0x05) and keep it. */
static int
cs__note_sig(cs_ct_checkpoint *c, const char *s, size_t n,
             const cs_ct_key *key, const unsigned char kid[4])
{
    unsigned char raw[16 + CS_CT_MAX_SIG];
    size_t i, name;
    long got;

    /* U+2014 EM DASH (E2 80 94), a space, a name without spaces or '+' */
    if (n < 4 || (unsigned char)s[0] != 0xe2 || (unsigned char)s[1] != 0x80
        || (unsigned char)s[2] != 0x94 || s[3] != ' ')
        return CS_E_CT_NOTE_SIGLINE;
    for (i = 4; i < n && s[i] != ' '; i++)
        if (s[i] == '+')
            return CS_E_CT_NOTE_SIGLINE;
    name = i - 4;
    if (name == 0 || i == n)
        return CS_E_CT_NOTE_SIGLINE;
    i++;
    /* base64(key ID[4] || signature), at least one signature byte */
    got = cs_b64_decode(s + i, n - i, NULL, (size_t)-1);
    if (got < 5)
        return CS_E_CT_NOTE_SIGLINE;
    if (key == NULL || c->has_sig || name != c->origin_len
        || !cs__eq(s + 4, c->origin, name))
        return 0;
    /* The key ID is in the first 8 characters (6 bytes). */
    if (cs_b64_decode(s + i, 8, raw, sizeof raw) < 4
        || !cs__eq(raw, kid, 4))
        return 0;       /* grease, or another key of the same name */
    /* RFC6962NoteSignature: key ID, uint64 timestamp, DigitallySigned */
    got = cs_b64_decode(s + i, n - i, raw, sizeof raw);
    if (got < 16 || (size_t)got - 16 != cs__ct_be(raw + 14, 2))
        return CS_E_CT_SIG_FORMAT;
    c->timestamp = cs__ct_be(raw + 4, 8);
    c->sig_len = (size_t)got - 12;
    CS_MEMCPY(c->sig, raw + 12, c->sig_len);
    c->has_sig = 1;
    return 0;
}

CSDEF int
cs_ct_checkpoint_parse(cs_ct_checkpoint *c, const char *text, size_t len,
                       const cs_ct_key *key)
{
    unsigned char kid[32];
    size_t at = 0, j;
    cs__utf8 u;
    long n;
    int nl, rc;

    CS_MEMSET(c, 0, sizeof *c);
    CS_MEMSET(kid, 0, sizeof kid);
    /* C2SP signed-note: the note is UTF-8 text */
    CS_MEMSET(&u, 0, sizeof u);
    if (cs__utf8_scan(&u, (const unsigned char *)text, len) != len
        || u.need != 0)
        return CS_E_CT_NOTE_SYNTAX;
    /* Line 1: the origin, not empty. */
    n = cs__note_line(text, len, at, &nl);
    if (n <= 0 || !nl)
        return CS_E_CT_NOTE_SYNTAX;
    c->origin = text;
    c->origin_len = (size_t)n;
    at += (size_t)n + 1;
    /* Line 2: the tree size, decimal without leading zeros. */
    n = cs__note_line(text, len, at, &nl);
    if (n < 0 || !nl)
        return CS_E_CT_NOTE_SYNTAX;
    if (n == 0 || n > 20 || (n > 1 && text[at] == '0'))
        return CS_E_CT_NOTE_SIZE;
    for (j = 0; j < (size_t)n; j++) {
        unsigned d = (unsigned)(unsigned char)text[at + j] - '0';
        if (d > 9 || c->tree_size > (UINT64_MAX - d) / 10)
            return CS_E_CT_NOTE_SIZE;
        c->tree_size = c->tree_size * 10 + d;
    }
    at += (size_t)n + 1;
    /* Line 3: the root hash, base64 of 32 bytes. */
    n = cs__note_line(text, len, at, &nl);
    if (n < 0 || !nl)
        return CS_E_CT_NOTE_SYNTAX;
    if (cs_b64_decode(text + at, (size_t)n, c->root, 32) != 32)
        return CS_E_CT_NOTE_ROOT;
    at += (size_t)n + 1;
    /* Extension lines, then the empty line that ends the note text. */
    for (;;) {
        n = cs__note_line(text, len, at, &nl);
        if (n < 0 || !nl)
            return CS_E_CT_NOTE_SYNTAX;
        if (n == 0)
            break;
        if (++c->ext_lines > CS_CT_NOTE_MAX_LINES)
            return CS_E_CT_NOTE_LIMIT;
        at += (size_t)n + 1;
    }
    c->body_len = at;
    at++;
    /* Signature lines, each ending in '\n', at least one. */
    if (key != NULL) {
        /* The RFC 6962 note key ID (C2SP static-ct-api "Checkpoints"). */
        cs_sha256_ctx h;
        unsigned char t[2] = {0x0a, 0x05};
        cs_sha256_init(&h);
        cs_sha256_update(&h, c->origin, c->origin_len);
        cs_sha256_update(&h, t, 2);
        cs_sha256_update(&h, key->log_id, 32);
        cs_sha256_final(&h, kid);
    }
    while (at < len) {
        n = cs__note_line(text, len, at, &nl);
        if (n < 0 || !nl)
            return CS_E_CT_NOTE_SYNTAX;
        if (++c->sig_lines + c->ext_lines > CS_CT_NOTE_MAX_LINES)
            return CS_E_CT_NOTE_LIMIT;
        rc = cs__note_sig(c, text + at, (size_t)n, key, kid);
        if (rc != 0)
            return rc;
        at += (size_t)n + 1;
    }
    if (c->sig_lines == 0)
        return CS_E_CT_NOTE_SYNTAX;
    if (key != NULL && !c->has_sig)
        return CS_E_CT_NO_SIGNATURE;
    return 0;
}

#if CS_HAS_TLS

/* cs_ct_verify() over a SHA-256 already computed (the log list [8]
 * hashes its bytes as they stream). */
static int
cs__ct_verify_hash(const cs_ct_key *key, const unsigned char hash[32],
                   const unsigned char *sig, size_t sig_len)
{
    if (key->type == CS_CT_KEY_EC_P256) {
        br_ec_public_key pk;
        br_ecdsa_vrfy vrfy = br_ecdsa_vrfy_asn1_get_default();
        pk.curve = BR_EC_secp256r1;
        pk.q = (unsigned char *)(uintptr_t)key->q;     /* BearSSL's */
        pk.qlen = key->q_len;                          /* API is not const */
        if (vrfy(br_ec_get_default(), hash, 32, &pk, sig, sig_len) == 1)
            return 0;
    } else if (key->type == CS_CT_KEY_RSA) {
        br_rsa_public_key pk;
        br_rsa_pkcs1_vrfy vrfy = br_rsa_pkcs1_vrfy_get_default();
        unsigned char got[32];
        pk.n = (unsigned char *)(uintptr_t)key->n;
        pk.nlen = key->n_len;
        pk.e = (unsigned char *)(uintptr_t)key->e;
        pk.elen = key->e_len;
        /* PKCS#1 v1.5 (RFC 8017 8.2.2): BearSSL recovers the hash. */
        if (vrfy(sig, sig_len, BR_HASH_OID_SHA256, 32, &pk, got) == 1
            && cs__eq(got, hash, 32))
            return 0;
    }
    return CS_E_CT_BAD_SIGNATURE;
}

CSDEF int
cs_ct_verify(const cs_ct_key *key, const unsigned char *msg, size_t len,
             const unsigned char *sig, size_t sig_len)
{
    unsigned char hash[32];

    cs_sha256(msg, len, hash);
    return cs__ct_verify_hash(key, hash, sig, sig_len);
}

/* Check an RFC 5246 4.7 DigitallySigned (hash 4 = SHA-256, signature
 * 3 = ECDSA or 1 = RSA to match the key, uint16 length) over msg. */
static int
cs__ct_dsig(const cs_ct_key *key, const unsigned char *msg, size_t len,
            const unsigned char *dsig, size_t dsig_len)
{
    int alg = key->type == CS_CT_KEY_EC_P256 ? 3 : 1;

    if (dsig_len < 4 || dsig[0] != 4 || dsig[1] != alg
        || cs__ct_be(dsig + 2, 2) != dsig_len - 4)
        return CS_E_CT_SIG_FORMAT;
    return cs_ct_verify(key, msg, len, dsig + 4, dsig_len - 4);
}

CSDEF int
cs_ct_sth_verify(const cs_ct_key *key, uint64_t timestamp,
                 uint64_t tree_size, const unsigned char root[32],
                 const unsigned char *dsig, size_t dsig_len)
{
    unsigned char m[50];
    int i;

    /* RFC 6962 3.5 TreeHeadSignature: version v1(0), signature_type
     * tree_hash(1), uint64 timestamp, uint64 tree_size, root[32] */
    m[0] = 0;
    m[1] = 1;
    for (i = 0; i < 8; i++) {
        m[2 + i] = (unsigned char)(timestamp >> (56 - 8 * i));
        m[10 + i] = (unsigned char)(tree_size >> (56 - 8 * i));
    }
    CS_MEMCPY(m + 18, root, 32);
    return cs__ct_dsig(key, m, sizeof m, dsig, dsig_len);
}

CSDEF int
cs_ct_checkpoint_verify(const cs_ct_checkpoint *c, const cs_ct_key *key)
{
    if (!c->has_sig)
        return CS_E_CT_NO_SIGNATURE;
    /* The note signature is the get-sth one (C2SP static-ct-api): the
     * checkpoint text itself is not what is signed. */
    return cs_ct_sth_verify(key, c->timestamp, c->tree_size, c->root,
                            c->sig, c->sig_len);
}

#endif /* CS_HAS_TLS */

#endif /* CS_HAS_CT */

/* ==== [1h] DER: what a certificate names ================= off: _NO_CT ==== */

#if CS_HAS_CT
/* One DER walker with random access over a whole buffer (no resumable
 * state: the caller gathers the entry first). Every reader takes the
 * buffer p, a cursor *pos and the end of the enclosing element, and
 * checks that what it reads ends inside that end: nothing reads past a
 * parent, so nothing reads past the buffer. */

/* One TLV header at p[*pos..end) (X.690 8.1.2-8.1.3 with the DER rules of
 * 10.1): a one-byte tag, a definite length in its shortest form of at
 * most 4 bytes, and contents inside end. *pos moves to the contents. */
static int
cs__der_hdr(const unsigned char *p, size_t end, size_t *pos, unsigned *tag,
            size_t *len)
{
    size_t i = *pos, n, k;

    if (i > end || end - i < 2)
        return CS_E_DER_TRUNCATED;
    if ((p[i] & 0x1fu) == 0x1fu)             /* high-tag-number form */
        return CS_E_DER_HIGH_TAG;
    *tag = p[i];
    n = p[i + 1];
    i += 2;
    if (n >= 0x80) {
        k = n & 0x7fu;
        if (k == 0)
            return CS_E_DER_INDEFINITE;      /* BER only (X.690 10.1) */
        if (k > 4)
            return CS_E_DER_LEN_BIG;         /* and 0xFF, reserved */
        if (end - i < k)
            return CS_E_DER_TRUNCATED;
        if (p[i] == 0)
            return CS_E_DER_LEN_MINIMAL;     /* leading zero byte */
        for (n = 0; k > 0; k--)
            n = (n << 8) | p[i++];
        if (n < 0x80)
            return CS_E_DER_LEN_MINIMAL;     /* fits the short form */
    }
    if (n > end - i)
        return CS_E_DER_TRUNCATED;
    *pos = i;
    *len = n;
    return 0;
}

/* cs__der_hdr() for an element that must carry this tag. */
static int
cs__der_get(const unsigned char *p, size_t end, size_t *pos, unsigned want,
            size_t *len)
{
    unsigned tag;
    int r = cs__der_hdr(p, end, pos, &tag, len);

    if (r != 0)
        return r;
    return tag == want ? 0 : CS_E_DER_TAG;
}

/* OID contents (X.690 8.19): not empty, the last subidentifier complete,
 * no subidentifier opening with a 0x80 padding byte. */
static int
cs__der_oid_ok(const unsigned char *o, size_t n)
{
    size_t i;

    if (n == 0 || (o[n - 1] & 0x80u) != 0)
        return 0;
    for (i = 0; i < n; i++)
        if (o[i] == 0x80 && (i == 0 || (o[i - 1] & 0x80u) == 0))
            return 0;
    return 1;
}

/* An OID element; *oid and *n get its contents. */
static int
cs__der_oid(const unsigned char *p, size_t end, size_t *pos,
            const unsigned char **oid, size_t *n)
{
    int r = cs__der_get(p, end, pos, 0x06, n);

    if (r != 0)
        return r;
    if (!cs__der_oid_ok(p + *pos, *n))
        return CS_E_DER_OID;
    *oid = p + *pos;
    *pos += *n;
    return 0;
}

/* INTEGER contents (X.690 8.3.2): at least one byte, and no leading 00
 * or FF byte that the next byte's sign bit makes redundant. */
static int
cs__der_int_ok(const unsigned char *v, size_t n)
{
    if (n == 0)
        return 0;
    if (n >= 2 && ((v[0] == 0x00 && (v[1] & 0x80u) == 0)
                   || (v[0] == 0xff && (v[1] & 0x80u) != 0)))
        return 0;
    return 1;
}

/* A BOOLEAN: one byte, 00 or FF (X.690 11.1). */
static int
cs__der_bool(const unsigned char *p, size_t end, size_t *pos, int *v)
{
    size_t n;
    int r = cs__der_get(p, end, pos, 0x01, &n);

    if (r != 0)
        return r;
    if (n != 1 || (p[*pos] != 0x00 && p[*pos] != 0xff))
        return CS_E_DER_BOOLEAN;
    *v = p[*pos] != 0;
    *pos += 1;
    return 0;
}

/* AlgorithmIdentifier (RFC 5280 4.1.1.2): SEQUENCE { OID, parameters
 * ANY OPTIONAL }; *oid and *n get the algorithm. */
static int
cs__der_alg(const unsigned char *p, size_t end, size_t *pos,
            const unsigned char **oid, size_t *n)
{
    size_t len, e, plen;
    unsigned tag;
    int r = cs__der_get(p, end, pos, 0x30, &len);

    if (r != 0)
        return r;
    e = *pos + len;
    if ((r = cs__der_oid(p, e, pos, oid, n)) != 0)
        return r;
    if (*pos < e) {
        if ((r = cs__der_hdr(p, e, pos, &tag, &plen)) != 0)
            return r;
        *pos += plen;
    }
    return *pos == e ? 0 : CS_E_DER_TRAILING;
}

/* Two decimal digits at s, or -1. */
static int
cs__dd(const unsigned char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* A validity time (RFC 5280 4.1.2.5) to Unix seconds: UTCTime
 * YYMMDDHHMMSSZ (YY >= 50 is 19YY, else 20YY) or GeneralizedTime
 * YYYYMMDDHHMMSSZ, seconds present, no fraction, Z only, and a date
 * that exists (no Feb 30, Feb 29 only in leap years, no second 60). */
static int
cs__der_time(const unsigned char *p, size_t end, size_t *pos, int64_t *t)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30,
                                            31, 31, 30, 31, 30, 31};
    const unsigned char *s;
    size_t n;
    unsigned tag;
    int f[7], i, k, y;
    int r = cs__der_hdr(p, end, pos, &tag, &n);

    if (r != 0)
        return r;
    if (tag != 0x17 && tag != 0x18)
        return CS_E_DER_TAG;
    k = tag == 0x17 ? 6 : 7;               /* two-digit fields before Z */
    if (n != (size_t)(2 * k + 1) || p[*pos + n - 1] != 'Z')
        return CS_E_DER_TIME;
    s = p + *pos;
    for (i = 0; i < k; i++)
        if ((f[i] = cs__dd(s + 2 * i)) < 0)
            return CS_E_DER_TIME;
    if (k == 6)
        y = f[0] >= 50 ? 1900 + f[0] : 2000 + f[0];
    else
        y = f[0] * 100 + f[1];
    i = k - 5;                              /* index of the month */
    if (f[i] < 1 || f[i] > 12 || f[i + 1] < 1 || f[i + 1] > mdays[f[i] - 1]
            || f[i + 2] > 23 || f[i + 3] > 59 || f[i + 4] > 59)
        return CS_E_DER_TIME;
    if (f[i] == 2 && f[i + 1] == 29
            && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return CS_E_DER_TIME;
    *t = cs__days_from_civil(y, (unsigned)f[i], (unsigned)f[i + 1]) * 86400
         + f[i + 2] * 3600 + f[i + 3] * 60 + f[i + 4];
    *pos += n;
    return 0;
}

/* Known attribute types: OID contents, CS_ATTR_* id, short name. */
static const struct cs__attr_def {
    unsigned char len, id, oid[10];
    char name[24];
} cs__attr_defs[] = {
    {3, CS_ATTR_CN, {0x55, 4, 3}, "CN"},
    {3, CS_ATTR_SN, {0x55, 4, 4}, "SN"},
    {3, CS_ATTR_SERIAL, {0x55, 4, 5}, "serialNumber"},
    {3, CS_ATTR_C, {0x55, 4, 6}, "C"},
    {3, CS_ATTR_L, {0x55, 4, 7}, "L"},
    {3, CS_ATTR_ST, {0x55, 4, 8}, "ST"},
    {3, CS_ATTR_STREET, {0x55, 4, 9}, "street"},
    {3, CS_ATTR_O, {0x55, 4, 10}, "O"},
    {3, CS_ATTR_OU, {0x55, 4, 11}, "OU"},
    {3, CS_ATTR_TITLE, {0x55, 4, 12}, "title"},
    {3, CS_ATTR_BUSINESS, {0x55, 4, 15}, "businessCategory"},
    {3, CS_ATTR_POSTAL, {0x55, 4, 17}, "postalCode"},
    {3, CS_ATTR_GN, {0x55, 4, 42}, "GN"},
    {3, CS_ATTR_INITIALS, {0x55, 4, 43}, "initials"},
    {3, CS_ATTR_GENQ, {0x55, 4, 44}, "generationQualifier"},
    {3, CS_ATTR_DNQ, {0x55, 4, 46}, "dnQualifier"},
    {3, CS_ATTR_PSEUDONYM, {0x55, 4, 65}, "pseudonym"},
    {3, CS_ATTR_ORGID, {0x55, 4, 97}, "organizationIdentifier"},
    {9, CS_ATTR_EMAIL, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 9, 1},
     "emailAddress"},
    {10, CS_ATTR_DC, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 1, 25},
     "DC"},
    {10, CS_ATTR_UID, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 1, 1},
     "UID"},
    {10, CS_ATTR_JUR_L, {0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x3c, 2, 1},
     "jurisdictionL"},
    {10, CS_ATTR_JUR_ST, {0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x3c, 2, 2},
     "jurisdictionST"},
    {10, CS_ATTR_JUR_C, {0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x3c, 2, 3},
     "jurisdictionC"}};

CSDEF void
cs_name_iter_init(cs_name_iter *it, const unsigned char *name, size_t len)
{
    CS_ASSERT(it != NULL && (name != NULL || len == 0));
    it->p = name;
    it->end = len;
    it->pos = 0;
    it->set_end = 0;
    it->rdn = 0;
}

CSDEF int
cs_name_next(cs_name_iter *it, cs_attr *a)
{
    const unsigned char *p = it->p;
    size_t pos = it->pos, len, e, k;
    int r;

    if (pos >= it->set_end) {
        /* Name = SEQUENCE OF RelativeDistinguishedName, each a SET OF
         * one or more AttributeTypeAndValue (RFC 5280 4.1.2.4). */
        if (pos == it->end)
            return 0;
        if ((r = cs__der_get(p, it->end, &pos, 0x31, &len)) != 0)
            return r;
        if (len == 0)
            return CS_E_DER_NAME;
        it->set_end = pos + len;
        it->rdn++;
    }
    /* AttributeTypeAndValue = SEQUENCE { type OID, value ANY } */
    if ((r = cs__der_get(p, it->set_end, &pos, 0x30, &len)) != 0)
        return r;
    e = pos + len;
    if ((r = cs__der_oid(p, e, &pos, &a->oid, &a->oid_len)) != 0)
        return r;
    if ((r = cs__der_hdr(p, e, &pos, &a->tag, &a->val_len)) != 0)
        return r;
    a->val = p + pos;
    if (pos + a->val_len != e)
        return CS_E_DER_TRAILING;
    it->pos = e;
    a->rdn = it->rdn;
    a->id = CS_ATTR_OTHER;
    a->name = NULL;
    for (k = 0; k < sizeof cs__attr_defs / sizeof cs__attr_defs[0]; k++)
        if (cs__attr_defs[k].len == a->oid_len
                && cs__eq(cs__attr_defs[k].oid, a->oid, a->oid_len)) {
            a->id = cs__attr_defs[k].id;
            a->name = cs__attr_defs[k].name;
            break;
        }
    return 1;
}

/* The string types cs_der_text() reads. */
static int
cs__der_is_text(unsigned tag)
{
    return tag == 0x0c || tag == 0x12 || tag == 0x13 || tag == 0x14
           || tag == 0x16 || tag == 0x1a || tag == 0x1c || tag == 0x1e;
}

CSDEF int
cs_name_find(const unsigned char *name, size_t len, int id, cs_attr *a)
{
    cs_name_iter it;
    cs_attr x;
    int r, found = 0;

    CS_ASSERT(a != NULL);
    cs_name_iter_init(&it, name, len);
    while ((r = cs_name_next(&it, &x)) == 1)
        if (x.id == id && id != CS_ATTR_OTHER && cs__der_is_text(x.tag)) {
            *a = x;
            found = 1;
        }
    return r < 0 ? r : found;
}

/* Output that counts past its capacity: bytes land only while they fit,
 * o keeps growing, so the caller learns the length needed. */
typedef struct cs__dw {
    char *out;
    size_t cap, o;
} cs__dw;

static void
cs__dw_put(cs__dw *w, const void *s, size_t n)
{
    if (n > 0 && w->o <= w->cap && n <= w->cap - w->o)
        CS_MEMCPY(w->out + w->o, s, n);
    w->o += n;
}

/* Finish: a NUL when there is room, the length, CS_E_BUFFER if it did
 * not fit. */
static int
cs__dw_end(cs__dw *w, size_t *n)
{
    *n = w->o;
    if (w->o > w->cap)
        return CS_E_BUFFER;
    if (w->o < w->cap)
        w->out[w->o] = '\0';
    return 0;
}

/* Decode one UTF-8 sequence at s[*i..n) (RFC 3629: no overlong form, no
 * surrogate, nothing past U+10FFFF); 0xFFFFFFFF and one byte consumed
 * when invalid. */
static uint32_t
cs__der_utf8(const unsigned char *s, size_t n, size_t *i)
{
    uint32_t c = s[*i], min;
    size_t k, j;

    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        k = 1, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 2, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 3, c &= 0x07, min = 0x10000;
    } else {
        *i += 1;
        return 0xffffffffu;
    }
    if (n - *i <= k) {
        *i += 1;
        return 0xffffffffu;
    }
    for (j = 1; j <= k; j++) {
        if ((s[*i + j] & 0xc0) != 0x80) {
            *i += 1;
            return 0xffffffffu;
        }
        c = (c << 6) | (s[*i + j] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        *i += 1;
        return 0xffffffffu;
    }
    *i += k + 1;
    return c;
}

/* How many bytes below 0x80 run from v[i]: in UTF-8 and in every 8-bit
 * string type each is one character, written out as it is, so names copy
 * a run at a time (most names are all ASCII). */
static size_t
cs__der_ascii(const unsigned char *v, size_t n, size_t i)
{
    size_t j = i;

    while (j < n && v[j] < 0x80)
        j++;
    return j - i;
}

/* Whether a string value already is its own UTF-8 text (a slice can be
 * used as it is). */
static int
cs__der_text_raw(unsigned tag, const unsigned char *v, size_t n)
{
    size_t i = 0;

    if (tag == 0x1c || tag == 0x1e || !cs__der_is_text(tag))
        return 0;
    while (i < n) {                        /* the 8-bit types: if UTF-8 */
        i += cs__der_ascii(v, n, i);
        if (i < n && cs__der_utf8(v, n, &i) == 0xffffffffu)
            return 0;
    }
    return 1;
}

/* One BMPString character at v[*i..n): UTF-16BE (surrogate pairs
 * joined, though UCS-2 has none); 0xFFFFFFFF when invalid. */
static uint32_t
cs__der_bmp(const unsigned char *v, size_t n, size_t *i)
{
    uint32_t c, d;

    if (n - *i < 2) {
        *i = n;
        return 0xffffffffu;                /* an odd last byte */
    }
    c = (uint32_t)v[*i] << 8 | v[*i + 1];
    *i += 2;
    if (c < 0xd800 || c > 0xdfff)
        return c;
    if (c > 0xdbff || n - *i < 2)
        return 0xffffffffu;
    d = (uint32_t)v[*i] << 8 | v[*i + 1];
    if (d < 0xdc00 || d > 0xdfff)
        return 0xffffffffu;                /* a lone high surrogate */
    *i += 2;
    return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
}

/* One UniversalString character at v[*i..n): UCS-4BE, a Unicode scalar
 * value; 0xFFFFFFFF when invalid. */
static uint32_t
cs__der_ucs4(const unsigned char *v, size_t n, size_t *i)
{
    uint32_t c;

    if (n - *i < 4) {
        *i = n;
        return 0xffffffffu;                /* a short tail */
    }
    c = (uint32_t)v[*i] << 24 | (uint32_t)v[*i + 1] << 16
        | (uint32_t)v[*i + 2] << 8 | v[*i + 3];
    *i += 4;
    return c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0xffffffffu : c;
}

/* The text into w (see cs_der_text); returns 0, 1 (replaced) or
 * CS_E_DER_STRING. */
static int
cs__der_text(cs__dw *w, unsigned tag, const unsigned char *v, size_t n)
{
    unsigned char b[4];
    size_t i = 0;
    uint32_t c;
    int bad = 0;

    if (!cs__der_is_text(tag))
        return CS_E_DER_STRING;
    if (tag != 0x1c && tag != 0x1e && cs__der_text_raw(0x0c, v, n))
        tag = 0x0c;                        /* 8-bit text holding UTF-8 */
    while (i < n) {
        size_t k = tag != 0x1c && tag != 0x1e ? cs__der_ascii(v, n, i) : 0;
        if (k > 0) {                       /* a run of ASCII, as it is */
            cs__dw_put(w, v + i, k);
            i += k;
            continue;
        }
        if (tag == 0x0c) {
            c = cs__der_utf8(v, n, &i);
        } else if (tag == 0x1e) {
            c = cs__der_bmp(v, n, &i);
        } else if (tag == 0x1c) {
            c = cs__der_ucs4(v, n, &i);
        } else {                           /* one byte a character */
            c = v[i++];
            if (c >= 0x80 && tag != 0x14)  /* Teletex: Latin-1 */
                c = 0xffffffffu;
        }
        if (c == 0xffffffffu) {
            c = 0xfffd;
            bad = 1;
        }
        cs__dw_put(w, b, cs__utf8_enc(c, b));
    }
    return bad;
}

CSDEF int
cs_der_text(unsigned tag, const unsigned char *v, size_t len, char *out,
            size_t cap, size_t *n)
{
    cs__dw w;
    int r, e;

    CS_ASSERT(n != NULL && (out != NULL || cap == 0));
    w.out = out, w.cap = cap, w.o = 0;
    r = cs__der_text(&w, tag, v, len);
    if (r < 0) {
        *n = 0;
        return r;
    }
    e = cs__dw_end(&w, n);
    return e != 0 ? e : r;
}

/* Dotted decimal of OID contents into w; CS_E_DER_OID when malformed or
 * an arc needs more than 64 bits. */
static int
cs__der_oid_put(cs__dw *w, const unsigned char *o, size_t n)
{
    char d[24];
    size_t i, k;
    uint64_t v = 0;
    int first = 1;

    if (!cs__der_oid_ok(o, n))
        return CS_E_DER_OID;
    for (i = 0; i < n; i++) {
        if (v >> 57)
            return CS_E_DER_OID;
        v = v << 7 | (o[i] & 0x7fu);
        if (o[i] & 0x80u)
            continue;
        if (first) {                       /* X.690 8.19.4: 40*X + Y */
            unsigned x = v < 40 ? 0 : v < 80 ? 1 : 2;
            cs__dw_put(w, x == 0 ? "0." : x == 1 ? "1." : "2.", 2);
            v -= 40u * x;
            first = 0;
        } else {
            cs__dw_put(w, ".", 1);
        }
        k = sizeof d;
        do
            d[--k] = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        cs__dw_put(w, d + k, sizeof d - k);
    }
    return 0;
}

CSDEF int
cs_der_oid_text(const unsigned char *oid, size_t len, char *out, size_t cap,
                size_t *n)
{
    cs__dw w;
    int r;

    CS_ASSERT(n != NULL && (out != NULL || cap == 0));
    w.out = out, w.cap = cap, w.o = 0;
    if ((r = cs__der_oid_put(&w, oid, len)) != 0) {
        *n = 0;
        return r;
    }
    return cs__dw_end(&w, n);
}

/* One attribute as "/NAME=value" (or "+NAME=value" inside an RDN). */
static void
cs__name_attr(cs__dw *w, const cs_attr *a, int plus)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *t;

    cs__dw_put(w, plus ? "+" : "/", 1);
    if (a->name != NULL)
        cs__dw_put(w, a->name, cs__strlen(a->name));
    else
        (void)cs__der_oid_put(w, a->oid, a->oid_len);  /* checked by next */
    cs__dw_put(w, "=", 1);
    if (cs__der_is_text(a->tag)) {
        (void)cs__der_text(w, a->tag, a->val, a->val_len);
        return;
    }
    /* RFC 4514 2.4: '#' and the hex of the whole BER/DER value; the
     * header is rebuilt from the contents (DER has one form). */
    cs__dw_put(w, "#", 1);
    for (t = a->oid + a->oid_len; t < a->val + a->val_len; t++) {
        cs__dw_put(w, &hex[*t >> 4], 1);
        cs__dw_put(w, &hex[*t & 15], 1);
    }
}

CSDEF int
cs_name_format(const unsigned char *name, size_t len, int style, char *out,
               size_t cap, size_t *n)
{
    /* certstream-server-rust's Subject::build_aggregated order */
    static const unsigned char agg[6] = {CS_ATTR_C,  CS_ATTR_CN, CS_ATTR_L,
                                         CS_ATTR_O,  CS_ATTR_OU, CS_ATTR_ST};
    cs_name_iter it;
    cs_attr a;
    cs__dw w;
    unsigned last = 0;
    int r, k;

    CS_ASSERT(n != NULL && (out != NULL || cap == 0));
    w.out = out, w.cap = cap, w.o = 0;
    *n = 0;
    if (style == CS_NAME_AGGREGATED) {
        cs_attr pick[6];                   /* the last of each, one pass */
        for (k = 0; k < 6; k++)
            pick[k].val = NULL;
        cs_name_iter_init(&it, name, len);
        while ((r = cs_name_next(&it, &a)) == 1)
            for (k = 0; k < 6; k++)
                if (a.id == agg[k] && cs__der_is_text(a.tag))
                    pick[k] = a;
        if (r < 0)
            return r;
        for (k = 0; k < 6; k++)
            if (pick[k].val != NULL)
                cs__name_attr(&w, &pick[k], 0);
    } else if (style == CS_NAME_ONELINE) {
        cs_name_iter_init(&it, name, len);
        while ((r = cs_name_next(&it, &a)) == 1) {
            cs__name_attr(&w, &a, a.rdn == last);
            last = a.rdn;
        }
        if (r < 0)
            return r;
    } else {
        return CS_E_ARG;
    }
    return cs__dw_end(&w, n);
}

/* subjectAltName GeneralNames (RFC 5280 4.2.1.6): the next entry of any
 * kind at it->pos; *tag gets the context tag. Primitive kinds must be
 * primitive and constructed ones constructed; an iPAddress is 4 or 16
 * bytes. */
static int
cs__san_entry(cs_san_iter *it, unsigned *tag, size_t *start, size_t *n)
{
    int r;

    if ((r = cs__der_hdr(it->p, it->end, &it->pos, tag, n)) != 0)
        return r;
    *start = it->pos;
    it->pos += *n;
    switch (*tag) {
    case 0x81: case 0x82: case 0x86: case 0x88:      /* IA5 names, OID */
    case 0xa0: case 0xa3: case 0xa4: case 0xa5:      /* structured ones */
        return 0;
    case 0x87:
        return *n == 4 || *n == 16 ? 0 : CS_E_DER_SAN;
    default:
        return CS_E_DER_SAN;
    }
}

CSDEF void
cs_san_iter_init(cs_san_iter *it, const unsigned char *san, size_t len)
{
    CS_ASSERT(it != NULL && (san != NULL || len == 0));
    it->p = san;
    it->end = len;
    it->pos = 0;
}

CSDEF int
cs_san_next(cs_san_iter *it, int *kind, const unsigned char **v, size_t *n)
{
    unsigned tag;
    size_t start;
    int r;

    while (it->pos < it->end) {
        if ((r = cs__san_entry(it, &tag, &start, n)) != 0) {
            it->pos = it->end;             /* stop; no half-read state */
            return r;
        }
        if (tag == 0x81 || tag == 0x82 || tag == 0x86 || tag == 0x87) {
            *kind = (int)(tag & 0x1fu);
            *v = it->p + start;
            return 1;
        }
    }
    return 0;
}

/* An IPv6 address as RFC 5952 4 text: lowercase hex groups without
 * leading zeros, the longest run of two or more zero groups (the first
 * of equal ones) as "::". */
static void
cs__ipv6_put(cs__dw *w, const unsigned char *ip)
{
    static const char hex[] = "0123456789abcdef";
    int i, best = -1, bestn = 1, run = 0, shift, any;

    for (i = 0; i < 8; i++) {
        run = (ip[2 * i] | ip[2 * i + 1]) == 0 ? run + 1 : 0;
        if (run > bestn) {
            bestn = run;
            best = i - run + 1;
        }
    }
    for (i = 0; i < 8; i++) {
        unsigned g = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
        if (i == best) {
            cs__dw_put(w, "::", 2);
            i += bestn - 1;
            continue;
        }
        if (i > 0 && i != best + bestn)
            cs__dw_put(w, ":", 1);
        for (shift = 12, any = 0; shift >= 0; shift -= 4)
            if (any || ((g >> shift) & 15) != 0 || shift == 0) {
                cs__dw_put(w, &hex[(g >> shift) & 15], 1);
                any = 1;
            }
    }
}

CSDEF int
cs_ip_text(const unsigned char *ip, size_t len, char *out, size_t cap,
           size_t *n)
{
    cs__dw w;
    char d[12];
    const char *s;
    int i;

    CS_ASSERT(n != NULL && (out != NULL || cap == 0));
    w.out = out, w.cap = cap, w.o = 0;
    *n = 0;
    if (len == 16) {
        cs__ipv6_put(&w, ip);
        return cs__dw_end(&w, n);
    }
    if (len != 4)
        return CS_E_ARG;
    for (i = 0; i < 4; i++) {
        if (i > 0)
            cs__dw_put(&w, ".", 1);
        s = cs__utoa(ip[i], d);
        cs__dw_put(&w, s, cs__strlen(s));
    }
    return cs__dw_end(&w, n);
}

/* The arc under which CT's OIDs sit: 1.3.6.1.4.1.11129.2.4 (RFC 6962 3.1:
 * .3 the poison, .4 the precertificate signing key purpose). */
static const unsigned char cs__ct_arc[9] = {0x2b, 6, 1, 4, 1, 0xd6, 0x79,
                                            2, 4};

/* subjectAltName contents v[0..n) (4.2.1.6): every entry checked. */
static int
cs__der_san(cs_cert *c, const unsigned char *v, size_t n, int critical)
{
    cs_san_iter it;
    size_t start, k;
    unsigned tag;
    int r;

    c->san = v;
    c->san_len = n;
    if (critical)
        c->flags |= CS_CERT_SAN_CRITICAL;
    cs_san_iter_init(&it, v, n);
    while (it.pos < it.end) {
        if ((r = cs__san_entry(&it, &tag, &start, &k)) != 0)
            return r;
        c->san_dns += tag == 0x82;
    }
    return 0;
}

/* BasicConstraints contents v[0..n) (4.2.1.9): { cA BOOLEAN DEFAULT
 * FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
static int
cs__der_bc(cs_cert *c, const unsigned char *v, size_t n)
{
    size_t pos = 0, len;
    int r, b;

    c->flags |= CS_CERT_HAS_BC;
    if (pos < n && v[pos] == 0x01) {
        if ((r = cs__der_bool(v, n, &pos, &b)) != 0)
            return r;
        if (b)
            c->flags |= CS_CERT_CA;
    }
    if (pos < n) {
        if ((r = cs__der_get(v, n, &pos, 0x02, &len)) != 0)
            return r == CS_E_DER_TAG ? CS_E_DER_EXT : r;
        if (!cs__der_int_ok(v + pos, len))
            return CS_E_DER_INTEGER;
        if (v[pos] & 0x80u)
            return CS_E_DER_EXT;           /* negative path length */
        pos += len;
    }
    return pos == n ? 0 : CS_E_DER_TRAILING;
}

/* ExtKeyUsageSyntax contents v[0..n) (4.2.1.12): SEQUENCE SIZE (1..MAX)
 * OF KeyPurposeId; notes CT's precertificate signing purpose. */
static int
cs__der_eku(cs_cert *c, const unsigned char *v, size_t n)
{
    const unsigned char *k;
    size_t pos = 0, kn;
    int r;

    if (n == 0)
        return CS_E_DER_EXT;
    while (pos < n) {
        if ((r = cs__der_oid(v, n, &pos, &k, &kn)) != 0)
            return r == CS_E_DER_TAG ? CS_E_DER_EXT : r;
        if (kn == 10 && cs__eq(k, cs__ct_arc, 9) && k[9] == 4)
            c->flags |= CS_CERT_PRECERT_EKU;
    }
    return 0;
}

/* One Extension (RFC 5280 4.1.2.9) whose extnValue is v[0..n): the
 * ones certstream reads; seen collects their bits, for repeats (4.2: at
 * most one instance of an extension). */
#define CS__SEEN_SAN 0x100u
#define CS__SEEN_EKU 0x200u
static int
cs__der_ext(cs_cert *c, const unsigned char *oid, size_t oid_len,
            int critical, const unsigned char *v, size_t n, unsigned *seen)
{
    size_t pos = 0, len;
    unsigned bit = 0;
    int r;

    if (oid_len == 3 && oid[0] == 0x55 && oid[1] == 0x1d)
        bit = oid[2] == 0x11 ? CS__SEEN_SAN : oid[2] == 0x13 ? CS_CERT_HAS_BC
              : oid[2] == 0x25 ? CS__SEEN_EKU : 0;
    else if (oid_len == 10 && cs__eq(oid, cs__ct_arc, 9) && oid[9] == 3)
        bit = CS_CERT_POISON;
    if (bit == 0)
        return 0;                          /* not one we read */
    if (*seen & bit)
        return CS_E_DER_EXT_DUP;
    *seen |= bit;
    if (bit == CS_CERT_POISON) {           /* its value is NULL: unread */
        c->flags |= CS_CERT_POISON;
        return 0;
    }
    /* each of the others is one SEQUENCE filling extnValue */
    if ((r = cs__der_get(v, n, &pos, 0x30, &len)) != 0)
        return r == CS_E_DER_TAG ? CS_E_DER_EXT : r;
    if (pos + len != n)
        return CS_E_DER_TRAILING;
    if (bit == CS__SEEN_SAN)
        return cs__der_san(c, v + pos, len, critical);
    if (bit == CS_CERT_HAS_BC)
        return cs__der_bc(c, v + pos, len);
    return cs__der_eku(c, v + pos, len);
}

/* Extensions = SEQUENCE SIZE (1..MAX) OF Extension, each SEQUENCE {
 * extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
static int
cs__der_exts(cs_cert *c, const unsigned char *p, size_t end, size_t *pos)
{
    const unsigned char *oid;
    size_t len, e, on, vn;
    unsigned seen = 0;
    int r, crit;

    if ((r = cs__der_get(p, end, pos, 0x30, &len)) != 0)
        return r;
    if (*pos + len != end)
        return CS_E_DER_TRAILING;
    c->exts = p + *pos;
    c->exts_len = len;
    while (*pos < end) {
        if ((r = cs__der_get(p, end, pos, 0x30, &len)) != 0)
            return r;
        e = *pos + len;
        if ((r = cs__der_oid(p, e, pos, &oid, &on)) != 0)
            return r;
        crit = 0;
        if (*pos < e && p[*pos] == 0x01
                && (r = cs__der_bool(p, e, pos, &crit)) != 0)
            return r;
        if ((r = cs__der_get(p, e, pos, 0x04, &vn)) != 0)
            return r;
        if (*pos + vn != e)
            return CS_E_DER_TRAILING;
        if ((r = cs__der_ext(c, oid, on, crit, p + *pos, vn, &seen)) != 0)
            return r;
        *pos = e;
    }
    return 0;
}

/* A Name element: SEQUENCE, its contents kept, every RDN checked; when
 * cn is not NULL it gets the last CN with a string value (cn->val NULL
 * if none), as cs_name_find() would, without another pass. */
static int
cs__der_name(const unsigned char *p, size_t end, size_t *pos,
             const unsigned char **name, size_t *n, cs_attr *cn)
{
    cs_name_iter it;
    cs_attr a;
    int r = cs__der_get(p, end, pos, 0x30, n);

    if (r != 0)
        return r;
    *name = p + *pos;
    *pos += *n;
    cs_name_iter_init(&it, *name, *n);
    while ((r = cs_name_next(&it, &a)) == 1)
        if (cn != NULL && a.id == CS_ATTR_CN && cs__der_is_text(a.tag))
            *cn = a;
    return r;
}

/* [0] EXPLICIT Version DEFAULT v1: INTEGER 0, 1 or 2 (4.1.2.1). */
static int
cs__der_version(cs_cert *c, const unsigned char *p, size_t end,
                size_t *pos)
{
    size_t len, e;
    int r;

    c->version = 1;
    if (*pos >= end || p[*pos] != 0xa0)
        return 0;
    if ((r = cs__der_get(p, end, pos, 0xa0, &len)) != 0)
        return r;
    e = *pos + len;
    if ((r = cs__der_get(p, e, pos, 0x02, &len)) != 0)
        return r;
    if (len != 1 || p[*pos] > 2 || *pos + 1 != e)
        return CS_E_DER_VERSION;
    c->version = p[*pos] + 1u;
    *pos += 1;
    return 0;
}

/* Validity = SEQUENCE { notBefore Time, notAfter Time } (4.1.2.5) */
static int
cs__der_validity(cs_cert *c, const unsigned char *p, size_t end,
                 size_t *pos)
{
    size_t len, e;
    int r = cs__der_get(p, end, pos, 0x30, &len);

    if (r != 0)
        return r;
    e = *pos + len;
    if ((r = cs__der_time(p, e, pos, &c->not_before)) != 0
            || (r = cs__der_time(p, e, pos, &c->not_after)) != 0)
        return r;
    return *pos == e ? 0 : CS_E_DER_TRAILING;
}

/* SubjectPublicKeyInfo = SEQUENCE { algorithm AlgorithmIdentifier,
 * subjectPublicKey BIT STRING } (4.1.2.7); the key itself is skipped. */
static int
cs__der_spki(cs_cert *c, const unsigned char *p, size_t end, size_t *pos)
{
    size_t len, e;
    int r = cs__der_get(p, end, pos, 0x30, &len);

    if (r != 0)
        return r;
    e = *pos + len;
    if ((r = cs__der_alg(p, e, pos, &c->key_oid, &c->key_oid_len)) != 0
            || (r = cs__der_get(p, e, pos, 0x03, &len)) != 0)
        return r;
    if (len == 0)
        return CS_E_DER_TRUNCATED;         /* no unused-bits byte */
    *pos += len;
    return *pos == e ? 0 : CS_E_DER_TRAILING;
}

/* TBSCertificate (RFC 5280 4.1), every field in order. */
static int
cs__der_tbs(cs_cert *c, const unsigned char *p, size_t end, size_t *pos)
{
    size_t len, e, k = *pos;
    cs_attr cn;
    int r;

    if ((r = cs__der_get(p, end, pos, 0x30, &len)) != 0)
        return r;
    e = *pos + len;
    c->tbs = p + k;
    c->tbs_len = e - k;
    if ((r = cs__der_version(c, p, e, pos)) != 0
            || (r = cs__der_get(p, e, pos, 0x02, &c->serial_len)) != 0)
        return r;
    c->serial = p + *pos;
    if (!cs__der_int_ok(c->serial, c->serial_len))
        return CS_E_DER_INTEGER;
    *pos += c->serial_len;
    cn.val = NULL;
    if ((r = cs__der_alg(p, e, pos, &c->sig_oid, &c->sig_oid_len)) != 0
            || (r = cs__der_name(p, e, pos, &c->issuer, &c->issuer_len,
                                 NULL)) != 0
            || (r = cs__der_validity(c, p, e, pos)) != 0
            || (r = cs__der_name(p, e, pos, &c->subject, &c->subject_len,
                                 &cn)) != 0
            || (r = cs__der_spki(c, p, e, pos)) != 0)
        return r;
    /* [1] issuerUniqueID, [2] subjectUniqueID: v2 and v3 only */
    for (k = 0x81; k <= 0x82; k++)
        if (*pos < e && p[*pos] == k) {
            if (c->version < 2)
                return CS_E_DER_VERSION;
            if ((r = cs__der_get(p, e, pos, (unsigned)k, &len)) != 0)
                return r;
            *pos += len;
        }
    if (*pos < e) {                        /* [3] EXPLICIT Extensions */
        if (c->version < 3)
            return p[*pos] == 0xa3 ? CS_E_DER_VERSION : CS_E_DER_TAG;
        if ((r = cs__der_get(p, e, pos, 0xa3, &len)) != 0
                || (r = cs__der_exts(c, p, *pos + len, pos)) != 0)
            return r;
    }
    if (cn.val != NULL) {
        c->cn = cn.val;
        c->cn_len = cn.val_len;
        c->cn_tag = cn.tag;
    }
    return *pos == e ? 0 : CS_E_DER_TRAILING;
}

CSDEF int
cs_cert_parse(cs_cert *c, const unsigned char *der, size_t len, int kind)
{
    const unsigned char *o;
    size_t pos = 0, n, e, on;
    int r;

    CS_ASSERT(c != NULL && (der != NULL || len == 0));
    CS_MEMSET(c, 0, sizeof *c);
    if (kind == CS_CERT_TBS) {
        if ((r = cs__der_tbs(c, der, len, &pos)) != 0)
            return r;
        return pos == len ? 0 : CS_E_DER_TRAILING;
    }
    if (kind != CS_CERT_FULL)
        return CS_E_ARG;
    /* Certificate = SEQUENCE { tbsCertificate, signatureAlgorithm,
     * signatureValue BIT STRING } */
    if ((r = cs__der_get(der, len, &pos, 0x30, &n)) != 0)
        return r;
    e = pos + n;
    if ((r = cs__der_tbs(c, der, e, &pos)) != 0
            || (r = cs__der_alg(der, e, &pos, &o, &on)) != 0
            || (r = cs__der_get(der, e, &pos, 0x03, &n)) != 0)
        return r;
    if (n == 0)
        return CS_E_DER_TRUNCATED;
    pos += n;
    return pos == e && e == len ? 0 : CS_E_DER_TRAILING;
}

CSDEF int
cs_cert_serial_hex(const cs_cert *c, char *out, size_t cap, size_t *n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = c->serial;
    size_t k = c->serial_len;
    cs__dw w;

    CS_ASSERT(n != NULL && (out != NULL || cap == 0));
    w.out = out, w.cap = cap, w.o = 0;
    while (k > 1 && s[0] == 0)             /* the magnitude's bytes */
        s++, k--;
    for (; k > 0; s++, k--) {
        cs__dw_put(&w, &hex[*s >> 4], 1);
        cs__dw_put(&w, &hex[*s & 15], 1);
    }
    return cs__dw_end(&w, n);
}

CSDEF const char *
cs_cert_sig_name(const cs_cert *c)
{
    /* certstream-server-rust's parse_signature_algorithm table */
    static const struct cs__sig_def {
        unsigned char len, oid[9];
        char name[16];
    } defs[] = {
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11}, "sha256, rsa"},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 2}, "ecdsa, sha256"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 12}, "sha384, rsa"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 13}, "sha512, rsa"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 5}, "sha1, rsa"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 10},
         "sha256, rsa-pss"},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 3}, "ecdsa, sha384"},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 4}, "ecdsa, sha512"},
        {7, {0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 1}, "ecdsa, sha1"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 4}, "md5, rsa"},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 2}, "md2, rsa"},
        {7, {0x2a, 0x86, 0x48, 0xce, 0x38, 4, 3}, "dsa, sha1"},
        {9, {0x60, 0x86, 0x48, 1, 0x65, 3, 4, 3, 2}, "dsa, sha256"},
        {3, {0x2b, 0x65, 0x70}, "ed25519"}};
    size_t k;

    CS_ASSERT(c != NULL);
    for (k = 0; k < sizeof defs / sizeof defs[0]; k++)
        if (defs[k].len == c->sig_oid_len
                && cs__eq(defs[k].oid, c->sig_oid, c->sig_oid_len))
            return defs[k].name;
    return "unknown";
}

CSDEF void
cs_cert_domains_init(cs_domains_iter *it, const cs_cert *c, char *buf,
                     size_t cap)
{
    size_t n, used = 0, want = 2;
    int r;

    CS_ASSERT(it != NULL && c != NULL && (buf != NULL || cap == 0));
    it->c = c;
    cs_san_iter_init(&it->san, c->san, c->san_len);
    it->cn = NULL;
    it->cn_len = 0;
    it->seen = NULL;
    it->slots = 0;
    it->stage = 0;
    it->err = 0;
    /* certstream-server-rust: the CN when not empty and not a CA */
    if (c->cn != NULL && c->cn_len > 0 && !(c->flags & CS_CERT_CA)) {
        if (cs__der_text_raw(c->cn_tag, c->cn, c->cn_len)) {
            it->cn = c->cn;
            it->cn_len = c->cn_len;
        } else if ((r = cs_der_text(c->cn_tag, c->cn, c->cn_len, buf, cap,
                                    &n)) < 0) {
            it->err = r;
            return;
        } else {
            it->cn = (const unsigned char *)buf;
            it->cn_len = n;
            used = n + 1;
        }
    }
    /* the table: 4-byte slots, at most half of them ever used */
    while (want < 2 * ((size_t)c->san_dns + 1))
        want *= 2;
    if (c->san_len < 0xffffffffu && used <= cap && (cap - used) / 4 >= want) {
        it->seen = (unsigned char *)buf + used;
        it->slots = want;
        CS_MEMSET(it->seen, 0, 4 * want);
    }
}

/* FNV-1a, for the table of names seen. */
static size_t
cs__fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;

    while (n-- > 0)
        h = (h ^ *p++) * 16777619u;
    return h;
}

/* Whether the dNSName v[0..n) whose header is at SAN offset at repeats an
 * earlier one (then 1); records it when not (then 0). The table holds
 * each recorded name's header offset + 1, big-endian; 0 is free. */
static int
cs__dom_seen(cs_domains_iter *it, size_t at, const unsigned char *v,
             size_t n)
{
    const unsigned char *p = it->san.p;
    size_t mask = it->slots - 1, i = cs__fnv1a(v, n) & mask, o, wn;
    unsigned char *s;
    unsigned tag;

    if (it->slots == 0) {                  /* no table: look again */
        cs_san_iter j;
        const unsigned char *w;
        int kind;

        cs_san_iter_init(&j, p, at);
        while (cs_san_next(&j, &kind, &w, &wn) == 1)
            if (kind == CS_GN_DNS && wn == n && cs__eq(w, v, n))
                return 1;
        return 0;
    }
    for (;; i = (i + 1) & mask) {          /* linear probing, half full */
        s = it->seen + 4 * i;
        o = (size_t)s[0] << 24 | (size_t)s[1] << 16 | (size_t)s[2] << 8
            | s[3];
        if (o == 0) {
            s[0] = (unsigned char)((at + 1) >> 24);
            s[1] = (unsigned char)((at + 1) >> 16);
            s[2] = (unsigned char)((at + 1) >> 8);
            s[3] = (unsigned char)(at + 1);
            return 0;
        }
        o--;                               /* read before: cannot fail */
        if (cs__der_hdr(p, it->san.end, &o, &tag, &wn) == 0 && wn == n
                && cs__eq(p + o, v, n))
            return 1;
    }
}

CSDEF int
cs_cert_domains_next(cs_domains_iter *it, const unsigned char **d, size_t *n)
{
    const unsigned char *v;
    size_t at;
    int kind, r;

    CS_ASSERT(it != NULL && d != NULL && n != NULL);
    if (it->err != 0)
        return it->err;
    if (it->stage == 0) {
        it->stage = 1;
        if (it->cn_len > 0) {
            *d = it->cn;
            *n = it->cn_len;
            return 1;
        }
    }
    for (;;) {
        if ((r = cs_san_next(&it->san, &kind, &v, n)) <= 0)
            return r < 0 ? (it->err = r) : 0;
        /* the entry's header offset (DER: one length form per length) */
        at = (size_t)(v - it->san.p) - 2
             - (*n >= 0x80) - (*n >= 0x100) - (*n >= 0x10000)
             - (*n >= 0x1000000);
        /* a dNSName, unless the CN or an earlier dNSName, byte for byte
         * (certstream-server-rust's set of &str) */
        if (kind != CS_GN_DNS
                || (*n == it->cn_len && it->cn_len > 0
                    && cs__eq(v, it->cn, *n)))
            continue;
        if (!cs__dom_seen(it, at, v, *n)) {
            *d = v;
            return 1;
        }
    }
}
#endif /* CS_HAS_CT */

/* ==== [1i] watchlists: domain patterns =================================== */

/* The automaton's state words: the low 31 bits are the next state (while
 * building: its number; once built: where its row starts, number x
 * classes), the top bit says that state ends a key (its own or through a
 * suffix). */
#define CS__MATCH_OUT 0x80000000u
#define CS__MATCH_STATE 0x7fffffffu
#define CS__MATCH_KEY_MAX 0x10000000u  /* 2^28 key bytes in a set */

/* One compiled pattern. */
struct cs__mpat {
    uint32_t next;         /* next pattern with the same key, + 1 */
    uint32_t stamp;        /* the name it was last decided for */
    uint32_t off, len;     /* glob: its folded text in cs_match.text */
    unsigned char kind;    /* CS_MATCH_* */
    unsigned char excl;    /* 1: an exclusion ('!') */
};

/* The plan of a set: what cs_match_size() and cs_match_compile() derive
 * from the patterns before placing anything. */
typedef struct cs__mplan {
    size_t nodes;          /* states, an upper bound */
    size_t keybytes, textbytes, nalways;
    unsigned ncls;
    unsigned char cls[256];
    size_t off_delta, off_term, off_dict, off_seen, off_pat, off_always,
        off_text, off_scratch, size;
} cs__mplan;

/* The simple lower case of a code point: ASCII, Latin-1, Greek and
 * Cyrillic capitals (all map to code points of the same UTF-8 length). */
static uint32_t
cs__mlower(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7)
        || (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
        || (c >= 0x410 && c <= 0x42f))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    return c;
}

/* Fold n bytes into dst: ASCII capitals, and two-byte UTF-8 sequences
 * through cs__mlower(); every other byte is copied (names may hold any
 * bytes: a lead byte C2..DF is never inside another valid sequence). */
static void
cs__mfold(const unsigned char *s, size_t n, unsigned char *dst)
{
    size_t i = 0;

    while (i < n) {
        unsigned char b = s[i];
        if (b >= 0xc2 && b <= 0xdf && i + 1 < n && (s[i + 1] & 0xc0) == 0x80) {
            uint32_t c = cs__mlower((uint32_t)(b & 0x1f) << 6
                                    | (uint32_t)(s[i + 1] & 0x3f));
            dst[i] = (unsigned char)(0xc0 | c >> 6);
            dst[i + 1] = (unsigned char)(0x80 | (c & 0x3f));
            i += 2;
        } else {
            dst[i++] = (unsigned char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
    }
}

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0. */
static size_t
cs__mutf8(const unsigned char *s, size_t n)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xbf;
    size_t need, i;

    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        need = 1;
    else if (b >= 0xe0 && b <= 0xef)
        need = 2;
    else if (b >= 0xf0 && b <= 0xf4)
        need = 3;
    else
        return 0;
    if (b == 0xe0)
        lo = 0xa0;
    else if (b == 0xed)
        hi = 0x9f;
    else if (b == 0xf0)
        lo = 0x90;
    else if (b == 0xf4)
        hi = 0x8f;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i <= need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need + 1;
}

/* A pattern, checked and folded: buf[0] is '.', the body follows at
 * buf[1]; the automaton's key is buf[*koff .. *koff + *klen). */
typedef struct cs__mkey {
    int kind, excl;
    size_t blen, koff, klen;
    unsigned char buf[CS_MATCH_PATTERN_MAX + 2];
} cs__mkey;

static int
cs__mkey_scan(const char *pattern, cs__mkey *k)
{
    const unsigned char *p = (const unsigned char *)pattern;
    size_t n = 0, i, run = 0;
    int star = 0, dot = 0;

    k->excl = p[0] == '!';
    p += k->excl;
    while (p[n] != 0 && n <= CS_MATCH_PATTERN_MAX)
        n++;
    if (n == 0)
        return CS_E_MATCH_EMPTY;
    if (n > CS_MATCH_PATTERN_MAX)
        return CS_E_MATCH_TOO_LONG;
    for (i = 0; i < n;) {
        size_t l = cs__mutf8(p + i, n - i);
        /* Names have no spaces or control bytes: a pattern with one is a
         * broken file, not a watchlist entry. */
        if (l == 0 || p[i] <= 0x20 || p[i] == 0x7f)
            return CS_E_MATCH_BYTE;
        star |= p[i] == '*' || p[i] == '?';
        dot |= p[i] == '.';
        i += l;
    }
    k->buf[0] = '.';
    cs__mfold(p, n, k->buf + 1);
    k->blen = n;
    k->koff = 1;
    k->klen = n;
    if (star) {
        /* The key of a glob: its longest literal run (any one will do:
         * every name the glob matches contains each of them). */
        k->kind = CS_MATCH_GLOB;
        k->klen = 0;
        for (i = 1; i <= n + 1; i++) {
            if (i <= n && k->buf[i] != '*' && k->buf[i] != '?') {
                run++;
                continue;
            }
            if (run > k->klen) {
                k->klen = run;
                k->koff = i - run;
            }
            run = 0;
        }
    } else if (dot) {
        /* A name: "." + name must end the "." + domain scanned. */
        k->kind = CS_MATCH_NAME;
        if (k->buf[n] == '.')
            n--;
        if (n == 0 || k->buf[1] == '.')
            return CS_E_MATCH_LABEL;
        for (i = 2; i <= n; i++)
            if (k->buf[i] == '.' && k->buf[i - 1] == '.')
                return CS_E_MATCH_LABEL;
        k->blen = n;
        k->koff = 0;
        k->klen = n + 1;
    } else {
        k->kind = CS_MATCH_KEYWORD;
    }
    return 0;
}

/* a += b, a *= b with a saturating failure: 0 on overflow. */
static int
cs__madd(size_t *a, size_t b)
{
    if (*a > (size_t)-1 - b)
        return 0;
    *a += b;
    return 1;
}

/* Check every pattern, and lay the set out (offsets from an 8-aligned
 * base). Returns 0 or the first error, its index in *bad. */
static int
cs__match_plan(const char *const *patterns, size_t count, cs__mplan *pl,
               cs__mkey *k, size_t *bad)
{
    unsigned char used[256];
    size_t i, x;
    int e;

    CS_MEMSET(pl, 0, sizeof *pl);
    CS_MEMSET(used, 0, sizeof used);
    if (bad != NULL)
        *bad = 0;
    if (count > CS_MATCH_MAX_PATTERNS)
        return CS_E_MATCH_TOO_MANY;
    for (i = 0; i < count; i++) {
        if ((e = cs__mkey_scan(patterns[i], k)) != 0) {
            if (bad != NULL)
                *bad = i;
            return e;
        }
        for (x = 0; x < k->klen; x++)
            used[k->buf[k->koff + x]] = 1;
        pl->keybytes += k->klen;
        if (k->kind == CS_MATCH_GLOB) {
            pl->textbytes += k->blen;
            pl->nalways += k->klen == 0;
        }
        if (pl->keybytes > CS__MATCH_KEY_MAX) {
            if (bad != NULL)
                *bad = i;
            return CS_E_MATCH_TOO_MANY;
        }
    }
    /* Class 0 is every byte no key uses; capitals share their letter's
     * class, so names fold as they are scanned. */
    pl->ncls = 1;
    for (x = 0; x < 256; x++)
        if (used[x])
            pl->cls[x] = (unsigned char)pl->ncls++;
    for (x = 'A'; x <= 'Z'; x++)
        pl->cls[x] = pl->cls[x + 32];
    pl->nodes = pl->keybytes + 1;
    /* Layout: header, delta, term, dict, seen, patterns, always, text, the
     * build's scratch (failure links and the BFS queue). */
    x = (sizeof(cs_match) + 7) & ~(size_t)7;
    pl->off_delta = x;
    /* Rows are addressed by 31-bit word offsets: 2^31 words at most. */
    e = pl->nodes <= CS__MATCH_STATE / pl->ncls
        && pl->nodes * pl->ncls <= (size_t)-1 / 4
        && cs__madd(&x, pl->nodes * pl->ncls * 4);
    pl->off_term = x;
    e = e && cs__madd(&x, pl->nodes * 4);
    pl->off_dict = x;
    e = e && cs__madd(&x, pl->nodes * 4);
    pl->off_seen = x;
    e = e && cs__madd(&x, pl->nodes * 4);
    pl->off_pat = x;
    e = e && cs__madd(&x, count * sizeof(struct cs__mpat));
    pl->off_always = x;
    e = e && cs__madd(&x, pl->nalways * 4);
    pl->off_text = x;
    e = e && cs__madd(&x, (pl->textbytes + 7) & ~(size_t)7);
    pl->off_scratch = x;
    e = e && cs__madd(&x, pl->nodes * 8);
    pl->size = x;
    e = e && cs__madd(&pl->size, 8);  /* room to align the base */
    return e ? 0 : CS_E_MATCH_TOO_MANY;
}

CSDEF int
cs_match_size(const char *const *patterns, size_t count, unsigned flags,
              size_t *size, size_t *bad)
{
    cs__mplan pl;
    cs__mkey k;
    int e;

    CS_ASSERT(size != NULL && (patterns != NULL || count == 0));
    (void)flags;
    e = cs__match_plan(patterns, count, &pl, &k, bad);
    *size = e == 0 ? pl.size : 0;
    return e;
}

/* Number the states in breadth-first order (queue), so that the shallow
 * states, where a scan spends nearly all its steps, share a few cache
 * lines at the front of the table: 2-3 times faster on large sets. The
 * rows move in place, cycle by cycle (newid's top bit: moved). */
static void
cs__match_renumber(cs_match *m, uint32_t *newid, const uint32_t *queue)
{
    uint32_t row[256], t, dl, s, pos, dst, x, ncls = m->ncls, n = m->nodes;
    uint32_t *d = m->delta;
    size_t i, total = (size_t)n * ncls;

    newid[0] = 0;
    for (s = 1; s < n; s++)
        newid[queue[s - 1]] = s;
    for (i = 0; i < total; i++)
        d[i] = newid[d[i]];
    for (s = 0; s < n; s++)
        m->dict[s] = newid[m->dict[s]];
    for (s = 0; s < n; s++) {
        if ((newid[s] & CS__MATCH_OUT) || newid[s] == s)
            continue;
        CS_MEMCPY(row, d + (size_t)s * ncls, ncls * 4);
        t = m->term[s];
        dl = m->dict[s];
        pos = s;
        do {
            dst = newid[pos] & CS__MATCH_STATE;
            for (x = 0; x < ncls; x++) {
                uint32_t v = d[(size_t)dst * ncls + x];
                d[(size_t)dst * ncls + x] = row[x];
                row[x] = v;
            }
            x = m->term[dst];
            m->term[dst] = t;
            t = x;
            x = m->dict[dst];
            m->dict[dst] = dl;
            dl = x;
            newid[pos] |= CS__MATCH_OUT;
            pos = dst;
        } while (pos != s);
    }
}

/* Turn the trie in delta into the automaton, breadth first: a missing
 * edge of state u takes the edge of u's failure state (the longest
 * proper suffix of u's path that is a trie state), and dict[v] is the
 * nearest failure ancestor that ends a key. Then every state word that
 * leads to a state with output gets the flag. */
static void
cs__match_link(cs_match *m, uint32_t *fail, uint32_t *queue)
{
    uint32_t *d = m->delta, head = 0, tail = 0, c, u, v, f;
    size_t i, n;

    for (c = 0; c < m->ncls; c++)
        if ((v = d[c]) != 0) {
            fail[v] = 0;
            m->dict[v] = 0;
            queue[tail++] = v;
        }
    while (head < tail) {
        u = queue[head++];
        for (c = 0; c < m->ncls; c++) {
            v = d[(size_t)u * m->ncls + c];
            f = d[(size_t)fail[u] * m->ncls + c];
            if (v == 0) {
                d[(size_t)u * m->ncls + c] = f;
                continue;
            }
            fail[v] = f;
            m->dict[v] = m->term[f] != 0 ? f : m->dict[f];
            queue[tail++] = v;
        }
    }
    cs__match_renumber(m, fail, queue);
    /* Words hold the next state's row (state x classes), which saves a
     * multiply on the scan's critical path, and the output flag. */
    n = (size_t)m->nodes * m->ncls;
    for (i = 0; i < n; i++)
        d[i] = (m->term[d[i]] != 0 || m->dict[d[i]] != 0 ? CS__MATCH_OUT : 0)
             | d[i] * m->ncls;
}

CSDEF cs_match *
cs_match_compile(void *mem, size_t cap, const char *const *patterns,
                 size_t count, unsigned flags, int *err, size_t *bad)
{
    cs__mplan pl;
    cs__mkey k;
    cs_match *m;
    unsigned char *base;
    size_t i, x, text = 0, nalways = 0;
    uint32_t node, next = 1;
    int e;

    CS_ASSERT(mem != NULL && (patterns != NULL || count == 0));
    e = cs__match_plan(patterns, count, &pl, &k, bad);
    if (e == 0 && cap < pl.size)
        e = CS_E_MATCH_MEMORY;
    if (err != NULL)
        *err = e;
    if (e != 0)
        return NULL;
    base = (unsigned char *)mem + ((8 - ((uintptr_t)mem & 7)) & 7);
    m = (cs_match *)(void *)base;
    CS_MEMSET(base, 0, pl.off_pat);
    m->count = (uint32_t)count;
    m->ncls = pl.ncls;
    m->flags = flags;
    m->size = pl.size;
    m->nalways = (uint32_t)pl.nalways;
    CS_MEMCPY(m->cls, pl.cls, sizeof m->cls);
    m->delta = (uint32_t *)(void *)(base + pl.off_delta);
    m->term = (uint32_t *)(void *)(base + pl.off_term);
    m->dict = (uint32_t *)(void *)(base + pl.off_dict);
    m->seen = (uint32_t *)(void *)(base + pl.off_seen);
    m->pat = (struct cs__mpat *)(void *)(base + pl.off_pat);
    m->always = (uint32_t *)(void *)(base + pl.off_always);
    m->text = base + pl.off_text;
    for (i = 0; i < count; i++) {
        struct cs__mpat *p = &m->pat[i];
        (void)cs__mkey_scan(patterns[i], &k);     /* checked by the plan */
        CS_MEMSET(p, 0, sizeof *p);
        p->kind = (unsigned char)k.kind;
        p->excl = (unsigned char)k.excl;
        if (k.kind == CS_MATCH_GLOB) {
            p->off = (uint32_t)text;
            p->len = (uint32_t)k.blen;
            CS_MEMCPY(m->text + text, k.buf + 1, k.blen);
            text += k.blen;
            m->textlen = text;
            if (k.klen == 0) {
                m->always[nalways++] = (uint32_t)i;
                continue;
            }
        }
        /* Into the trie (state 0 is the root, never a child: 0 in delta
         * means no edge yet). */
        node = 0;
        for (x = 0; x < k.klen; x++) {
            uint32_t *edge = &m->delta[(size_t)node * pl.ncls
                                       + pl.cls[k.buf[k.koff + x]]];
            if (*edge == 0)
                *edge = next++;
            node = *edge;
        }
        p->next = m->term[node];
        m->term[node] = (uint32_t)i + 1;
    }
    m->nodes = next;
    cs__match_link(m, (uint32_t *)(void *)(base + pl.off_scratch),
                   (uint32_t *)(void *)(base + pl.off_scratch
                                        + pl.nodes * 4));
    m->start = m->delta[m->cls['.']];
    return m;
}

/* Where a compact copy puts each array (offsets from an 8-aligned base);
 * returns the bytes it needs, alignment slack included. */
static size_t
cs__match_compact(const cs_match *m, size_t off[7])
{
    size_t x = (sizeof(cs_match) + 7) & ~(size_t)7;

    off[0] = x;
    x += (size_t)m->nodes * m->ncls * 4;
    off[1] = x;
    x += (size_t)m->nodes * 4;
    off[2] = x;
    x += (size_t)m->nodes * 4;
    off[3] = x;
    x += (size_t)m->nodes * 4;
    off[4] = x;
    x += (size_t)m->count * sizeof(struct cs__mpat);
    off[5] = x;
    x += (size_t)m->nalways * 4;
    off[6] = x;
    return x + m->textlen + 8;
}

CSDEF size_t
cs_match_used(const cs_match *m)
{
    size_t off[7];

    return cs__match_compact(m, off);
}

CSDEF cs_match *
cs_match_copy(void *mem, size_t cap, const cs_match *src)
{
    size_t off[7], need = cs__match_compact(src, off);
    unsigned char *base;
    cs_match *m;

    CS_ASSERT(mem != NULL && src != NULL);
    if (cap < need)
        return NULL;
    base = (unsigned char *)mem + ((8 - ((uintptr_t)mem & 7)) & 7);
    m = (cs_match *)(void *)base;
    CS_MEMCPY(m, src, sizeof *m);
    m->size = need;
    m->delta = (uint32_t *)(void *)(base + off[0]);
    m->term = (uint32_t *)(void *)(base + off[1]);
    m->dict = (uint32_t *)(void *)(base + off[2]);
    m->seen = (uint32_t *)(void *)(base + off[3]);
    m->pat = (struct cs__mpat *)(void *)(base + off[4]);
    m->always = (uint32_t *)(void *)(base + off[5]);
    m->text = base + off[6];
    CS_MEMCPY(m->delta, src->delta, off[1] - off[0]);
    CS_MEMCPY(m->term, src->term, off[2] - off[1]);
    CS_MEMCPY(m->dict, src->dict, off[3] - off[2]);
    CS_MEMCPY(m->seen, src->seen, off[4] - off[3]);
    CS_MEMCPY(m->pat, src->pat, off[5] - off[4]);
    CS_MEMCPY(m->always, src->always, off[6] - off[5]);
    CS_MEMCPY(m->text, src->text, src->textlen);
    return m;
}

CSDEF int
cs_match_kind(const cs_match *m, uint32_t i)
{
    if (i >= m->count)
        return 0;
    return m->pat[i].excl ? -(int)m->pat[i].kind : (int)m->pat[i].kind;
}

/* Does the folded glob p[0..pn) match all of s[0..sn)? Two pointers and
 * the last star: on a mismatch the last '*' takes one more byte and the
 * rest is tried again. Exact for '*' and '?' alone, O(pn * sn) at worst,
 * no recursion, no backtracking stack. */
static int
cs__mglob(const unsigned char *p, size_t pn, const unsigned char *s,
          size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

    while (si < sn) {
        unsigned char c = s[si];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && (p[pi] == '?' || p[pi] == c)) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

/* One name being matched. Pattern stamps: base + 3 once a pattern has
 * matched this name, base + pass once a glob failed in that pass (a glob
 * is tried once per form of the name). */
typedef struct cs__mrun {
    cs_match *m;
    uint32_t *ids;
    size_t cap, n;
    uint32_t base;
    int excl;
} cs__mrun;

static void
cs__mhit(cs__mrun *r, uint32_t id)
{
    r->m->pat[id].stamp = r->base + 3;
    if (r->m->pat[id].excl) {
        r->excl = 1;
    } else if (r->n++ < r->cap) {
        r->ids[r->n - 1] = id;
    } else if (r->cap > 0) {
        /* Full: keep the cap smallest ids (the largest kept goes). */
        size_t i, big = 0;
        for (i = 1; i < r->cap; i++)
            if (r->ids[i] > r->ids[big])
                big = i;
        if (id < r->ids[big])
            r->ids[big] = id;
    }
}

/* Decide pattern id on the form s[0..sn) in pass (0 the name, 1 its
 * Unicode form, 2 its look-alike skeleton: keywords only). */
static void
cs__mtry(cs__mrun *r, uint32_t id, const unsigned char *s, size_t sn,
         int at_end, uint32_t pass)
{
    struct cs__mpat *p = &r->m->pat[id];

    if (p->stamp == r->base + 3 || (pass == 2 && p->kind != CS_MATCH_KEYWORD))
        return;
    if (p->kind == CS_MATCH_KEYWORD || (p->kind == CS_MATCH_NAME && at_end)) {
        cs__mhit(r, id);
    } else if (p->kind == CS_MATCH_GLOB && p->stamp != r->base + pass) {
        p->stamp = r->base + pass;
        if (cs__mglob(r->m->text + p->off, p->len, s, sn))
            cs__mhit(r, id);
    }
}

/* Run "." + s[0..sn) through the automaton. */
static void
cs__mscan(cs__mrun *r, const unsigned char *s, size_t sn, uint32_t pass)
{
    const cs_match *m = r->m;
    const uint32_t *d = m->delta;
    const unsigned char *cls = m->cls;
    uint32_t st = m->start, ncls = m->ncls, node, p;
    size_t i = 0;

    for (;;) {
        if (st & CS__MATCH_OUT) {
            /* Every key ending here: this state's, then its suffixes'.
             * Before the end, a state walked once in this pass is done
             * (keywords and globs do not depend on where they end), and
             * so is the rest of its chain: nested keywords ("a", "aa",
             * ...) cost their number once per name, not at every byte. */
            node = (st & CS__MATCH_STATE) / ncls;
            if (m->term[node] == 0)
                node = m->dict[node];
            for (; node != 0; node = m->dict[node]) {
                if (i < sn) {
                    if (m->seen[node] == r->base + pass)
                        break;
                    m->seen[node] = r->base + pass;
                }
                for (p = m->term[node]; p != 0; p = m->pat[p - 1].next)
                    cs__mtry(r, p - 1, s, sn, i == sn, pass);
            }
        }
        if (i == sn)
            break;
        st = d[(st & CS__MATCH_STATE) + cls[s[i++]]];
    }
    for (i = 0; i < m->nalways; i++)
        cs__mtry(r, m->always[i], s, sn, 0, pass);
}

/* Decode one punycode label (RFC 3492 6.2, the part after "xn--") into
 * cp[0..*n) (at most CS_MATCH_LABEL_CHARS). The basic code points are
 * those before the last '-'. Returns 0, or -1 if it does not decode. */
static int
cs__mpuny(const unsigned char *s, size_t len, uint32_t *cp, size_t *n)
{
    size_t b = 0, in, k, j, out;
    uint64_t i = 0, oldi, w, t, digit, nn = 128, bias = 72, delta;

    for (k = 0; k < len; k++)
        if (s[k] == '-')
            b = k + 1;
    out = b > 0 ? b - 1 : 0;
    if (out > CS_MATCH_LABEL_CHARS)
        return -1;
    for (k = 0; k < out; k++) {
        if (s[k] >= 0x80)
            return -1;
        cp[k] = s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32u : s[k];
    }
    for (in = b; in < len;) {
        oldi = i;
        w = 1;
        for (k = 36;; k += 36) {
            unsigned char c;
            if (in >= len)
                return -1;
            c = s[in++];
            if (c >= 'a' && c <= 'z')
                digit = (uint64_t)(c - 'a');
            else if (c >= 'A' && c <= 'Z')
                digit = (uint64_t)(c - 'A');
            else if (c >= '0' && c <= '9')
                digit = (uint64_t)(c - '0' + 26);
            else
                return -1;
            i += digit * w;
            if (i > 0x7fffffffu)
                return -1;          /* then n > U+10FFFF anyway */
            t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
            if (digit < t)
                break;
            w *= 36 - t;
            if (w > 0x100000000u)
                w = 0x100000001u;   /* saturate: any digit > 0 fails */
        }
        /* adapt(delta, numpoints, firsttime): RFC 3492 6.1 */
        delta = oldi == 0 ? (i - oldi) / 700 : (i - oldi) / 2;
        delta += delta / (out + 1);
        for (j = 0; delta > ((36 - 1) * 26) / 2; j += 36)
            delta /= 36 - 1;
        bias = j + (36 * delta) / (delta + 38);
        nn += i / (out + 1);
        i %= out + 1;
        if (nn > 0x10ffff || (nn >= 0xd800 && nn <= 0xdfff)
            || out >= CS_MATCH_LABEL_CHARS)
            return -1;
        for (k = out; k > (size_t)i; k--)
            cp[k] = cp[k - 1];
        cp[i++] = cs__mlower((uint32_t)nn);
        out++;
    }
    *n = out;
    return 0;
}

/* Append code point c as UTF-8 to out[*o..cap); 0 when it does not fit. */
static int
cs__mput(unsigned char *out, size_t *o, size_t cap, uint32_t c)
{
    size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, i;

    if (cap - *o < n)
        return 0;
    if (n == 1) {
        out[(*o)++] = (unsigned char)c;
        return 1;
    }
    out[*o] = (unsigned char)((0xf00u >> n) | (c >> (6 * (n - 1))));
    for (i = 1; i < n; i++)
        out[*o + i] = (unsigned char)(0x80 | ((c >> (6 * (n - 1 - i))) & 0x3f));
    *o += n;
    return 1;
}

/* The Unicode form of s[0..n): labels "xn--..." decoded, everything
 * folded. Returns its length, or 0 when it does not fit out. */
static size_t
cs__municode(const unsigned char *s, size_t n, unsigned char *out)
{
    uint32_t cp[CS_MATCH_LABEL_CHARS];
    size_t a = 0, b, o = 0, nc, i;

    for (;;) {
        for (b = a; b < n && s[b] != '.'; b++)
            ;
        if (b - a >= 4 && (s[a] | 0x20) == 'x' && (s[a + 1] | 0x20) == 'n'
            && s[a + 2] == '-' && s[a + 3] == '-'
            && cs__mpuny(s + a + 4, b - a - 4, cp, &nc) == 0) {
            for (i = 0; i < nc; i++)
                if (!cs__mput(out, &o, CS_MATCH_NAME_MAX, cp[i]))
                    return 0;
        } else {
            if (CS_MATCH_NAME_MAX - o < b - a)
                return 0;
            cs__mfold(s + a, b - a, out + o);
            o += b - a;
        }
        if (b == n)
            return o;
        if (o == CS_MATCH_NAME_MAX)
            return 0;
        out[o++] = '.';
        a = b + 1;
    }
}

/* Look-alike letters and the ASCII letter each imitates (lower case:
 * the Unicode form is folded first). Sorted by code point. */
static const uint16_t cs__mlook[][2] = {
    {0xe0, 'a'}, {0xe1, 'a'}, {0xe2, 'a'}, {0xe3, 'a'}, {0xe4, 'a'},
    {0xe5, 'a'}, {0xe7, 'c'}, {0xe8, 'e'}, {0xe9, 'e'}, {0xea, 'e'},
    {0xeb, 'e'}, {0xec, 'i'}, {0xed, 'i'}, {0xee, 'i'}, {0xef, 'i'},
    {0xf1, 'n'}, {0xf2, 'o'}, {0xf3, 'o'}, {0xf4, 'o'}, {0xf5, 'o'},
    {0xf6, 'o'}, {0xf8, 'o'}, {0xf9, 'u'}, {0xfa, 'u'}, {0xfb, 'u'},
    {0xfc, 'u'}, {0xfd, 'y'}, {0xff, 'y'}, {0x131, 'i'}, {0x251, 'a'},
    {0x261, 'g'}, {0x269, 'i'}, {0x3b1, 'a'}, {0x3b3, 'y'}, {0x3b9, 'i'},
    {0x3ba, 'k'}, {0x3bd, 'v'}, {0x3bf, 'o'}, {0x3c1, 'p'}, {0x3c4, 't'},
    {0x3c5, 'u'}, {0x3c7, 'x'}, {0x430, 'a'}, {0x435, 'e'}, {0x43a, 'k'},
    {0x43e, 'o'}, {0x440, 'p'}, {0x441, 'c'}, {0x443, 'y'}, {0x445, 'x'},
    {0x455, 's'}, {0x456, 'i'}, {0x457, 'i'}, {0x458, 'j'}, {0x4bb, 'h'},
    {0x4cf, 'l'}, {0x501, 'd'}, {0x51b, 'q'}, {0x51d, 'w'}
};

/* The skeleton of a folded form: every two-byte look-alike replaced by
 * its ASCII letter (all of them are two-byte). Returns the new length. */
static size_t
cs__mskeleton(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t i = 0, o = 0, lo, hi, mid;

    while (i < n) {
        if (s[i] >= 0xc2 && s[i] <= 0xdf && i + 1 < n
            && (s[i + 1] & 0xc0) == 0x80) {
            uint32_t c = (uint32_t)(s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f);
            lo = 0;
            hi = sizeof cs__mlook / sizeof cs__mlook[0];
            while (lo < hi) {
                mid = (lo + hi) / 2;
                if (cs__mlook[mid][0] < c)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < sizeof cs__mlook / sizeof cs__mlook[0]
                && cs__mlook[lo][0] == c) {
                out[o++] = (unsigned char)cs__mlook[lo][1];
                i += 2;
                continue;
            }
        }
        out[o++] = s[i++];
    }
    return o;
}

CSDEF int
cs_match_name(cs_match *m, const char *name, size_t len, uint32_t *ids,
              size_t cap)
{
    const unsigned char *s = (const unsigned char *)name;
    unsigned char form[CS_MATCH_NAME_MAX], skel[CS_MATCH_NAME_MAX];
    cs__mrun r;
    size_t i, j, fn, other = 0;

    CS_ASSERT(m != NULL && (name != NULL || len == 0));
    if (len >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        len -= 2;
    }
    if (len > 0 && s[len - 1] == '.')
        len--;
    m->serial += 4;
    if (m->serial == 0) {             /* wrapped: forget every stamp */
        for (i = 0; i < m->count; i++)
            m->pat[i].stamp = 0;
        for (i = 0; i < m->nodes; i++)
            m->seen[i] = 0;
        m->serial = 4;
    }
    r.m = m;
    r.ids = ids;
    r.cap = ids != NULL ? cap : 0;
    r.n = 0;
    r.base = m->serial;
    r.excl = 0;
    cs__mscan(&r, s, len, 0);
    /* The Unicode form, for a name with "xn--" labels or UTF-8. */
    for (i = 0; i < len && !other; i++)
        other = s[i] >= 0x80
             || (s[i] == '-' && i >= 3 && s[i - 1] == '-'
                 && (s[i - 2] | 0x20) == 'n' && (s[i - 3] | 0x20) == 'x'
                 && (i == 3 || s[i - 4] == '.'));
    if (other && !r.excl && (fn = cs__municode(s, len, form)) > 0) {
        cs__mscan(&r, form, fn, 1);
        if ((m->flags & CS_MATCH_CONFUSABLES) && !r.excl) {
            size_t sn = cs__mskeleton(form, fn, skel);
            if (sn != fn)
                cs__mscan(&r, skel, sn, 2);
        }
    }
    if (r.excl)
        return 0;
    /* Increasing order (few ids: insertion sort). */
    for (i = 1; i < r.n && i < r.cap; i++) {
        uint32_t v = ids[i];
        for (j = i; j > 0 && ids[j - 1] > v; j--)
            ids[j] = ids[j - 1];
        ids[j] = v;
    }
    return (int)r.n;
}

CSDEF size_t
cs_match_msg(cs_match *m, const cs_msg *msg, cs_match_hit *hits,
             size_t cap, size_t *nhits)
{
    uint32_t ids[CS_MATCH_IDS];
    size_t i, k, n, got = 0, domains = 0;
    int c;

    for (i = 0; i < msg->domain_count; i++) {
        const char *d = cs_msg_domain(msg, i, &n);
        c = cs_match_name(m, d, n, ids, CS_MATCH_IDS);
        if (c <= 0)
            continue;
        domains++;
        for (k = 0; k < (size_t)c && k < CS_MATCH_IDS && got < cap; k++) {
            hits[got].domain = (uint32_t)i;
            hits[got].pattern = ids[k];
            got++;
        }
    }
    if (nhits != NULL)
        *nhits = got;
    return domains;
}

/* ==== [1j] JSON tokens: streaming, validating ============================ */

#if CS_JTOK_MAX_DEPTH < 1 || CS_JTOK_MAX_DEPTH > 255
#  error "CS_JTOK_MAX_DEPTH must be 1..255"
#endif
#if CS_JTOK_KEY_MAX < 1 || CS_JTOK_KEY_MAX > 255
#  error "CS_JTOK_KEY_MAX must be 1..255"
#endif

/* The grammar and string states are the extractor's (CS__S_*): st holds
 * VALUE..DONE, STR (inside a key or string), LIT or a number state; sst,
 * inside a string, STR (plain bytes), UTF8, ESC, UHEX, LOWBS or LOWU. */

CSDEF void
cs_jtok_init(cs_jtok *t)
{
    CS_MEMSET(t, 0, sizeof *t);
    t->st = CS__S_VALUE;
}

/* Decoded bytes of a string: a key keeps what fits (whole: all or
 * nothing, for one character) and stops at the first cut; a value's
 * bytes go to the piece buffer, which the caller keeps room in. */
static void
cs__jt_put(cs_jtok *t, const unsigned char *s, size_t n, int whole)
{
    if (t->is_key) {
        size_t room = (size_t)CS_JTOK_KEY_MAX - t->klen;
        if (t->kfull)
            return;
        if (n > room) {
            t->ktrunc = 1;
            t->kfull = 1;
            if (whole)
                return;
            n = room;
        }
        CS_MEMCPY(t->key + t->klen, s, n);
        t->klen = (unsigned char)(t->klen + n);
    } else {
        CS_MEMCPY(t->buf + t->blen, s, n);
        t->blen = (unsigned char)(t->blen + n);
    }
}

/* One code point to the string's bytes, whole. */
static void
cs__jt_cp(cs_jtok *t, unsigned cp)
{
    unsigned char b[4];

    cs__jt_put(t, b, cs__utf8_enc(cp, b), 1);
}

/* A \u code unit is complete: pair surrogates (cs__upair), emit what
 * that completes, and set the next string state. */
static void
cs__jt_ucode(cs_jtok *t)
{
    unsigned cp[2];
    int i, n = cs__upair(&t->hisur, t->uacc, cp);

    for (i = 0; i < n; i++)
        cs__jt_cp(t, cp[i]);
    t->sst = t->hisur != 0 ? CS__S_LOWBS : CS__S_STR;
}

/* The value that just ended was the top one, or one inside a container. */
#define CS__JT_AFTER(t) ((t)->depth == 0 ? CS__S_DONE : CS__S_AFTER)

/* Inside a string, from p[*ip]: returns a token, 0 when p[0..n) ran out,
 * or an error (*ip then at the bad byte). A value's plain run with no
 * bytes decoded before it in this call comes out as a slice of p. */
static int
cs__jt_string(cs_jtok *t, const unsigned char *p, size_t n, size_t *ip)
{
    size_t i = *ip, k, e;
    int r = 0;

    t->blen = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (!t->is_key && t->blen > CS_JTOK_BUF - 8) {
            r = CS_JT_STR;           /* the buffer is full: a piece */
            break;
        }
        switch (t->sst) {
        case CS__S_STR:
            /* RFC 8259 7: unescaped chars are 0x20-0x21, 0x23-0x5b, 0x5d+ */
            if (c == '"') {
                if (!t->is_key && t->blen > 0) {
                    r = CS_JT_STR;   /* the quote comes next call */
                    goto out;
                }
                i++;
                if (t->is_key) {
                    t->key[t->klen] = '\0';
                    t->st = CS__S_COLON;
                    r = CS_JT_KEY;
                } else {
                    t->st = (unsigned char)CS__JT_AFTER(t);
                    r = CS_JT_STR_END;
                }
                goto out;
            }
            if (c == '\\') {
                t->sst = CS__S_ESC;
                i++;
                break;
            }
            if (c < 0x20) {
                r = CS_E_JSON_CONTROL;
                goto out;
            }
            if (!t->is_key && t->blen == 0) {
                /* the fast path: whole UTF-8 characters and plain bytes,
                 * handed out in place */
                k = i;
                for (;;) {
                    k += cs__scan_str(p + k, n - k, k);
                    if (k == n || p[k] < 0x80
                        || (e = cs__skip_seq(p + k, p + n)) == 0)
                        break;
                    k += e;
                }
                if (k > i) {
                    t->piece = p + i;
                    t->piece_len = k - i;
                    *ip = k;
                    return CS_JT_STR;
                }
            }
            if (c >= 0x80) {
                /* RFC 3629 4, a byte at a time (cut, or about to fail) */
                if (cs__utf8_byte(&t->u8, c) != 0) {
                    r = CS_E_JSON_UTF8;
                    goto out;
                }
                t->u8p[0] = c;
                t->u8n = 1;
                t->sst = CS__S_UTF8;
                i++;
                break;
            }
            k = cs__scan_str(p + i, n - i, i);
            if (!t->is_key && k > (size_t)(CS_JTOK_BUF - t->blen))
                k = (size_t)(CS_JTOK_BUF - t->blen);
            cs__jt_put(t, p + i, k, 0);
            i += k;
            break;
        case CS__S_UTF8:
            if (cs__utf8_byte(&t->u8, c) != 0) {
                r = CS_E_JSON_UTF8;
                goto out;
            }
            t->u8p[t->u8n++] = c;
            i++;
            if (t->u8.need == 0) {
                cs__jt_put(t, t->u8p, t->u8n, 1);
                t->sst = CS__S_STR;
            }
            break;
        case CS__S_ESC: {
            /* RFC 8259 7: \" \\ \/ \b \f \n \r \t \uXXXX, nothing else */
            unsigned char to = c < 128 ? cs__unesc[c] : 0;
            if (c == 'u') {
                t->sst = CS__S_UHEX;
                t->ucnt = 0;
                t->uacc = 0;
                i++;
                break;
            }
            if (to == 0) {
                r = CS_E_JSON_ESCAPE;
                goto out;
            }
            i++;
            if (t->hisur != 0) {
                t->hisur = 0;
                cs__jt_cp(t, 0xfffd);
            }
            cs__jt_put(t, &to, 1, 1);
            t->sst = CS__S_STR;
            break;
        }
        case CS__S_UHEX: {
            int h = cs__hexval(c);
            if (h < 0) {
                r = CS_E_JSON_ESCAPE;
                goto out;
            }
            i++;
            t->uacc = (t->uacc << 4) | (unsigned)h;
            if (++t->ucnt == 4)
                cs__jt_ucode(t);
            break;
        }
        case CS__S_LOWBS:
            /* a high surrogate wants "\uDC00".."\uDFFF" next */
            if (c == '\\') {
                t->sst = CS__S_LOWU;
                i++;
            } else {
                t->hisur = 0;
                cs__jt_cp(t, 0xfffd);
                t->sst = CS__S_STR;
            }
            break;
        default: /* CS__S_LOWU */
            if (c == 'u') {
                t->sst = CS__S_UHEX;
                t->ucnt = 0;
                t->uacc = 0;
                i++;
            } else {
                t->sst = CS__S_ESC; /* reports the lone high half there */
            }
            break;
        }
    }
    if (r == 0 && !t->is_key && t->blen > 0)
        r = CS_JT_STR;               /* the input ran out: a piece */
out:
    if (r == CS_JT_STR) {
        t->piece = t->buf;
        t->piece_len = t->blen;
    }
    *ip = i;
    return r;
}

/* Inside a number, from p[*ip]: RFC 8259 6. Returns CS_JT_NUM when the
 * byte at *ip ends it (left unconsumed), 0 when p ran out, or an error. */
static int
cs__jt_number(cs_jtok *t, const unsigned char *p, size_t n, size_t *ip)
{
    size_t i = *ip, i0 = i;
    int r = 0;

    for (; i < n; i++) {
        unsigned char c = p[i];
        int dig = (unsigned)(c - '0') < 10u;
        unsigned st = t->st;
        switch (st) {
        case CS__S_MINUS: /* int = zero / ( digit1-9 *DIGIT ) */
            st = !dig ? 0 : c == '0' ? CS__S_ZERO : CS__S_INT;
            break;
        case CS__S_ZERO:
        case CS__S_INT:
            st = dig ? (st == CS__S_ZERO ? 0 : CS__S_INT)
               : c == '.' ? CS__S_DOT
               : (c == 'e' || c == 'E') ? CS__S_E : CS__S_AFTER;
            break;
        case CS__S_DOT:   /* frac = decimal-point 1*DIGIT */
        case CS__S_FRAC:
            st = dig ? CS__S_FRAC
               : st == CS__S_DOT ? 0
               : (c == 'e' || c == 'E') ? CS__S_E : CS__S_AFTER;
            break;
        case CS__S_E:     /* exp = e [ minus / plus ] 1*DIGIT */
            st = (c == '+' || c == '-') ? CS__S_ESIGN
               : dig ? CS__S_EXP : 0;
            break;
        case CS__S_ESIGN:
            st = dig ? CS__S_EXP : 0;
            break;
        default:          /* CS__S_EXP */
            st = dig ? CS__S_EXP : CS__S_AFTER;
            break;
        }
        if (st == 0) {
            r = CS_E_JSON_NUMBER;
            break;
        }
        if (st == CS__S_AFTER) {
            t->st = (unsigned char)CS__JT_AFTER(t);
            r = CS_JT_NUM;
            break;
        }
        if (st != CS__S_INT && st != CS__S_ZERO)
            t->nint = 0;
        t->st = (unsigned char)st;
    }
    /* keep the text */
    {
        size_t m = i - i0, room = (size_t)CS_JTOK_NUM_MAX - t->nlen;
        if (m > room) {
            t->ntrunc = 1;
            m = room;
        }
        CS_MEMCPY(t->num + t->nlen, p + i0, m);
        t->nlen = (unsigned char)(t->nlen + m);
        t->num[t->nlen] = '\0';
    }
    *ip = i;
    return r;
}

/* Open a container (c is '{' or '['): returns its token or an error. */
static int
cs__jt_open(cs_jtok *t, unsigned char c)
{
    unsigned d = t->depth;
    unsigned char bit = (unsigned char)(1u << (d & 7));

    if (d >= CS_JTOK_MAX_DEPTH)
        return CS_E_JSON_DEPTH;
    t->tdepth = t->depth;
    t->depth = (unsigned char)(d + 1);
    if (c == '[') {
        t->stack[d >> 3] = (unsigned char)(t->stack[d >> 3] | bit);
        t->st = CS__S_ARR_FIRST;
        return CS_JT_ARR;
    }
    t->stack[d >> 3] = (unsigned char)(t->stack[d >> 3] & ~bit);
    t->st = CS__S_OBJ_FIRST;
    return CS_JT_OBJ;
}

/* 1 if the innermost open container is an array. */
static int
cs__jt_in_arr(const cs_jtok *t)
{
    unsigned d = (unsigned)t->depth - 1u;
    return (t->stack[d >> 3] >> (d & 7)) & 1;
}

/* Start a string: a key or a value. */
static void
cs__jt_str_start(cs_jtok *t, int key)
{
    t->st = CS__S_STR;
    t->sst = CS__S_STR;
    t->is_key = (unsigned char)key;
    t->klen = 0;
    t->ktrunc = 0;
    t->kfull = 0;
}

CSDEF int
cs_jtok_feed(cs_jtok *t, const unsigned char *in, size_t len, size_t *used)
{
    size_t i = 0;
    int r = 0;

    *used = 0;
    if (t->err != 0)
        return t->err;
    while (i < len && r == 0) {
        unsigned char c = in[i];
        unsigned char st = t->st;
        if (st == CS__S_STR) {
            t->tdepth = t->depth;
            r = cs__jt_string(t, in, len, &i);
            continue;
        }
        if (st >= CS__S_MINUS && st <= CS__S_EXP) {
            t->tdepth = t->depth;
            r = cs__jt_number(t, in, len, &i);
            continue;
        }
        if (st == CS__S_LIT) {
            /* RFC 8259 3: the three literal names, lowercase */
            if (c != (unsigned char)cs__lits[t->lit][t->lit_pos]) {
                r = CS_E_JSON_LITERAL;
                break;
            }
            i++;
            if (cs__lits[t->lit][++t->lit_pos] == '\0') {
                t->st = (unsigned char)CS__JT_AFTER(t);
                t->tdepth = t->depth;
                r = CS_JT_TRUE + t->lit;
            }
            continue;
        }
        if (cs__ws[c] == 1) {        /* RFC 8259 2: ws between tokens */
            i++;
            continue;
        }
        switch (st) {
        case CS__S_VALUE:
        case CS__S_ARR_FIRST:
            t->tdepth = t->depth;
            if (c == '{' || c == '[') {
                r = cs__jt_open(t, c);
                if (r > 0)
                    i++;
            } else if (c == '"') {
                cs__jt_str_start(t, 0);
                i++;
            } else if (c == 't' || c == 'f' || c == 'n') {
                t->st = CS__S_LIT;
                t->lit = (unsigned char)(c == 't' ? 0 : c == 'f' ? 1 : 2);
                t->lit_pos = 1;
                i++;
            } else if (c == '-' || (unsigned)(c - '0') < 10u) {
                t->st = (unsigned char)(c == '-' ? CS__S_MINUS
                                        : c == '0' ? CS__S_ZERO : CS__S_INT);
                t->nint = (unsigned char)(c != '-');
                t->ntrunc = 0;
                t->num[0] = (char)c;
                t->nlen = 1;
                i++;
            } else if (c == ']' && st == CS__S_ARR_FIRST) {
                goto close;
            } else {
                r = CS_E_JSON_SYNTAX;
            }
            break;
        case CS__S_OBJ_FIRST:
        case CS__S_KEY:
            if (c == '"') {
                cs__jt_str_start(t, 1);
                i++;
            } else if (c == '}' && st == CS__S_OBJ_FIRST) {
                goto close;
            } else {
                r = CS_E_JSON_SYNTAX;
            }
            break;
        case CS__S_COLON:
            if (c == ':') {
                t->st = CS__S_VALUE;
                i++;
            } else {
                r = CS_E_JSON_SYNTAX;
            }
            break;
        case CS__S_AFTER:
            if (c == ',') {
                t->st = cs__jt_in_arr(t) ? CS__S_VALUE : CS__S_KEY;
                i++;
            } else if (c == (cs__jt_in_arr(t) ? ']' : '}')) {
                goto close;
            } else {
                r = CS_E_JSON_SYNTAX;
            }
            break;
        default: /* CS__S_DONE */
            r = CS_E_JSON_TRAILING;
            break;
        }
        continue;
    close:
        t->depth--;
        t->tdepth = t->depth;
        t->st = (unsigned char)CS__JT_AFTER(t);
        r = c == ']' ? CS_JT_ARR_END : CS_JT_OBJ_END;
        i++;
    }
    t->off += i;
    *used = i;
    if (r < 0) {
        t->err = r;
        t->err_off = t->off;
    }
    return r;
}

CSDEF int
cs_jtok_end(cs_jtok *t)
{
    if (t->err != 0)
        return t->err;
    if (t->st == CS__S_DONE)
        return CS_JT_DONE;
    if (t->depth == 0 && (t->st == CS__S_ZERO || t->st == CS__S_INT
                          || t->st == CS__S_FRAC || t->st == CS__S_EXP)) {
        t->st = CS__S_DONE;
        t->tdepth = 0;
        return CS_JT_NUM;
    }
    t->err = CS_E_JSON_INCOMPLETE;
    t->err_off = t->off;
    return t->err;
}

CSDEF int
cs_jtok_depth(const cs_jtok *t)
{
    return t->tdepth;
}

CSDEF const char *
cs_jtok_key(const cs_jtok *t, size_t *len, int *trunc)
{
    if (len != NULL)
        *len = t->klen;
    if (trunc != NULL)
        *trunc = t->ktrunc;
    return t->key;
}

CSDEF const unsigned char *
cs_jtok_piece(const cs_jtok *t, size_t *len)
{
    if (len != NULL)
        *len = t->piece_len;
    return t->piece;
}

CSDEF const char *
cs_jtok_num(const cs_jtok *t, size_t *len)
{
    if (len != NULL)
        *len = t->ntrunc ? (size_t)CS_JTOK_NUM_MAX + 1 : t->nlen;
    return t->num;
}

CSDEF int
cs_jtok_u64(const cs_jtok *t, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    if (!t->nint || t->ntrunc)
        return CS_E_JSON_NUMBER;
    for (i = 0; i < t->nlen; i++) {
        unsigned d = (unsigned)(t->num[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return CS_E_JSON_NUMBER;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

CSDEF uint64_t
cs_jtok_offset(const cs_jtok *t)
{
    return t->err != 0 ? t->err_off : t->off;
}

/* ==== [1k] Merkle trees: hashes, proofs, tiles ========= off: _NO_CT ==== */
#if CS_HAS_CT

CSDEF void
cs_merkle_node(const unsigned char l[32], const unsigned char r[32],
               unsigned char out[32])
{
    cs_sha256_ctx s;
    unsigned char one = 1;

    cs_sha256_init(&s);
    cs_sha256_update(&s, &one, 1);
    cs_sha256_update(&s, l, 32);
    cs_sha256_update(&s, r, 32);
    cs_sha256_final(&s, out);
}

CSDEF void
cs_merkle_empty_root(unsigned char out[32])
{
    cs_sha256_ctx s;

    cs_sha256_init(&s);
    cs_sha256_final(&s, out);
}

CSDEF void
cs_merkle_edge_init(cs_merkle_edge *e)
{
    e->size = 0;
}

CSDEF int
cs_merkle_edge_push_subtree(cs_merkle_edge *e, const unsigned char hash[32],
                            unsigned height)
{
    uint64_t unit;
    unsigned char cur[32];
    unsigned b;

    if (height > 63)
        return CS_E_MERKLE_RANGE;
    unit = (uint64_t)1 << height;
    if ((e->size & (unit - 1)) != 0)
        return CS_E_MERKLE_ALIGN;
    if (e->size > UINT64_MAX - unit)
        return CS_E_MERKLE_RANGE;
    /* Binary addition of 2^height: each carry merges two equal subtrees. */
    CS_MEMCPY(cur, hash, 32);
    for (b = height; b < 64 && ((e->size >> b) & 1) != 0; b++)
        cs_merkle_node(e->h[b], cur, cur);
    CS_MEMCPY(e->h[b], cur, 32);
    e->size += unit;
    return 0;
}

CSDEF int
cs_merkle_edge_push(cs_merkle_edge *e, const unsigned char hash[32])
{
    return cs_merkle_edge_push_subtree(e, hash, 0);
}

CSDEF void
cs_merkle_edge_root(const cs_merkle_edge *e, unsigned char out[32])
{
    unsigned b;
    int have = 0;

    /* Fold from the smallest (rightmost) subtree leftwards. */
    for (b = 0; b < 64; b++) {
        if (((e->size >> b) & 1) == 0)
            continue;
        if (!have)
            CS_MEMCPY(out, e->h[b], 32);
        else
            cs_merkle_node(e->h[b], out, out);
        have = 1;
    }
    if (!have)
        cs_merkle_empty_root(out);
}

CSDEF void
cs_merkle_root(const unsigned char *hashes, size_t count,
               unsigned char out[32])
{
    cs_merkle_edge e;
    size_t i;

    cs_merkle_edge_init(&e);
    for (i = 0; i < count; i++)
        (void)cs_merkle_edge_push(&e, hashes + 32 * i);
    cs_merkle_edge_root(&e, out);
}

CSDEF int
cs_merkle_verify_consistency(uint64_t m, uint64_t n,
                             const unsigned char old_root[32],
                             const unsigned char new_root[32],
                             const unsigned char *proof, size_t count,
                             cs_merkle_edge *old_edge)
{
    unsigned char fr[32], sr[32];
    const unsigned char *c;
    uint64_t fn, sn, mask = 0;
    unsigned level = 0;
    size_t i;

    if (m > n)
        return CS_E_MERKLE_RANGE;
    if (m == 0) {
        if (old_edge != NULL)
            cs_merkle_edge_init(old_edge);
        return count == 0 ? 0 : CS_E_MERKLE_PROOF;
    }
    if (m == n) {
        if (count != 0 || !cs__eq(old_root, new_root, 32))
            return CS_E_MERKLE_PROOF;
        if (old_edge != NULL && (m & (m - 1)) == 0) {
            for (level = 0; (m >> level) != 1; level++)
                ;
            CS_MEMCPY(old_edge->h[level], old_root, 32);
            old_edge->size = m;
        } else if (old_edge != NULL) {
            old_edge->size = UINT64_MAX;  /* not known: see above */
        }
        return 0;
    }
    /* RFC 9162 2.1.4.2; a power-of-two old tree is its own first node. */
    if ((m & (m - 1)) == 0) {
        c = old_root;
        i = 0;
    } else {
        if (count == 0)
            return CS_E_MERKLE_PROOF;
        c = proof;
        i = 1;
    }
    fn = m - 1;
    sn = n - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
        level++;
    }
    CS_MEMCPY(fr, c, 32);
    CS_MEMCPY(sr, c, 32);
    /* The old root is made of exactly the nodes folded into fr: the edge
     * of m, each at the height where it joins. */
    if (old_edge != NULL)
        CS_MEMCPY(old_edge->h[level], c, 32);
    mask |= (uint64_t)1 << level;
    for (; i < count; i++) {
        c = proof + 32 * i;
        if (sn == 0)
            return CS_E_MERKLE_PROOF;
        if ((fn & 1) != 0 || fn == sn) {
            cs_merkle_node(c, fr, fr);
            cs_merkle_node(c, sr, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
                level++;
            }
            if (level > 63 || (mask >> level & 1) != 0)
                return CS_E_MERKLE_PROOF;
            if (old_edge != NULL)
                CS_MEMCPY(old_edge->h[level], c, 32);
            mask |= (uint64_t)1 << level;
        } else {
            cs_merkle_node(sr, c, sr);
        }
        fn >>= 1;
        sn >>= 1;
        level++;
    }
    if (sn != 0 || !cs__eq(fr, old_root, 32)
        || !cs__eq(sr, new_root, 32) || mask != m)
        return CS_E_MERKLE_PROOF;
    if (old_edge != NULL)
        old_edge->size = m;
    return 0;
}

CSDEF int
cs_merkle_verify_inclusion(uint64_t index, uint64_t size,
                           const unsigned char leaf_hash[32],
                           const unsigned char root[32],
                           const unsigned char *proof, size_t count)
{
    unsigned char r[32];
    const unsigned char *p;
    uint64_t fn = index, sn;
    size_t i;

    if (index >= size)
        return CS_E_MERKLE_RANGE;
    sn = size - 1;
    CS_MEMCPY(r, leaf_hash, 32);
    /* RFC 9162 2.1.3.2 */
    for (i = 0; i < count; i++) {
        p = proof + 32 * i;
        if (sn == 0)
            return CS_E_MERKLE_PROOF;
        if ((fn & 1) != 0 || fn == sn) {
            cs_merkle_node(p, r, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            cs_merkle_node(r, p, r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || !cs__eq(r, root, 32))
        return CS_E_MERKLE_PROOF;
    return 0;
}

/* ---- the tile verifier ---- */

/* Its phases: every partial tile on the right edge, top level first,
 * pushed into the checkpoint's edge and checked against the root; the
 * one edge tile the path needs, checked against a verified edge; the
 * full tiles down the path, each checked against its parent's entry. */
#define CS__MT_IDLE 0
#define CS__MT_EDGE_ALL 1
#define CS__MT_EDGE_ONE 2
#define CS__MT_CHAIN 3
#define CS__MT_DONE 4

static uint64_t
cs__mt_shr(uint64_t x, unsigned s)
{
    return s >= 64 ? 0 : x >> s;
}

/* The width of the right-edge tile at level l (0: none). */
static unsigned
cs__mt_edge_width(const cs_merkle_tiles *v, int l)
{
    return (unsigned)(cs__mt_shr(v->size, 8u * (unsigned)l) & 255);
}

/* Enter the tile of the current phase and level. */
static void
cs__mt_enter(cs_merkle_tiles *v)
{
    unsigned l = (unsigned)v->level;

    if (v->phase == CS__MT_CHAIN) {
        v->index = cs__mt_shr(v->k, 8 * l);
        v->width = 256;
    } else {
        v->index = cs__mt_shr(v->size, 8 * (l + 1));
        v->width = cs__mt_edge_width(v, v->level);
    }
    v->got = 0;
    v->part_n = 0;
    v->small_size = 0;
    if (l == 1)
        v->l1_ok = 0;
}

CSDEF void
cs_merkle_tiles_init(cs_merkle_tiles *v, uint64_t size,
                     const unsigned char root[32])
{
    v->size = size;
    CS_MEMCPY(v->root, root, 32);
    v->k = 0;
    v->err = 0;
    v->phase = CS__MT_IDLE;
    v->level = v->top = v->p = 0;
    v->index = 0;
    v->width = v->got = v->part_n = 0;
    v->edge_ok = 0;
    v->prev_ok = 0;
    v->l1_fed = 0;
    v->prev_size = 0;
    v->prev_by_root = 0;
    v->l1_ok = 0;
    v->l1_index = 0;
    v->l1_width = 0;
    v->small_size = 0;
    v->cons_need = v->cons_seen = v->cons_bad = 0;
    cs_merkle_edge_init(&v->edge);
}

/* Go down the path to the full tile at level l, or finish: every tile
 * fed is proven then, and what they said of prev's edge holds. */
static int
cs__mt_down(cs_merkle_tiles *v, int l)
{
    unsigned char r[32];

    if (l < 0) {
        v->phase = CS__MT_DONE;
        if (v->cons_bad != 0)
            return v->err = CS_E_MERKLE_INCONSISTENT;
        if (v->prev_by_root) {
            /* every row of prev read (all at once, or none proven): the
             * old tree's edge, in the new tree, must hash to its root */
            if ((v->cons_need & ~v->cons_seen) != 0)
                return 0;
            cs_merkle_edge_root(&v->prev, r);
            if (!cs__eq(r, v->prev_root, 32))
                return v->err = CS_E_MERKLE_INCONSISTENT;
            v->prev_by_root = 0;
        }
        v->cons_need &= ~v->cons_seen;
        return 0;
    }
    CS_MEMCPY(v->want, v->next, 32);
    v->phase = CS__MT_CHAIN;
    v->level = l;
    cs__mt_enter(v);
    return 0;
}

CSDEF void
cs_merkle_tiles_advance(cs_merkle_tiles *v, uint64_t size,
                        const unsigned char root[32])
{
    /* an edge not yet proven in the newer tree stays the one to prove */
    int pending = v->prev_ok && v->cons_need != 0;
    int byroot = v->prev_by_root;
    int keep = (pending || v->edge_ok) && size >= v->size;
    uint64_t was = pending ? v->prev_size : v->size;
    unsigned l, need = 0;

    if (keep && !pending)
        CS_MEMCPY(&v->prev, &v->edge, sizeof v->edge);
    cs_merkle_tiles_init(v, size, root);
    v->prev_ok = keep;
    v->prev_size = was;
    /* the levels where the old tree has a right-edge tile */
    for (l = 0; keep && l < 8; l++)
        if ((cs__mt_shr(was, 8u * l) & 255) != 0)
            need |= 1u << l;
    v->cons_need = need;
    v->prev_by_root = pending && byroot;
}

CSDEF void
cs_merkle_tiles_resume(cs_merkle_tiles *v, uint64_t prev_size,
                       const unsigned char prev_root[32], uint64_t size,
                       const unsigned char root[32])
{
    unsigned l, need = 0;

    CS_ASSERT(prev_size > 0 && prev_size < size);
    cs_merkle_tiles_init(v, size, root);
    cs_merkle_edge_init(&v->prev);
    v->prev.size = prev_size;         /* rows filled as they are proven */
    v->prev_size = prev_size;
    CS_MEMCPY(v->prev_root, prev_root, 32);
    v->prev_ok = v->prev_by_root = 1;
    for (l = 0; l < 8; l++)
        if ((cs__mt_shr(prev_size, 8u * l) & 255) != 0)
            need |= 1u << l;
    v->cons_need = need;
}

/* All right-edge tiles are in the edge: check the root, go down. */
static int
cs__mt_edge_done(cs_merkle_tiles *v)
{
    unsigned char r[32];

    cs_merkle_edge_root(&v->edge, r);
    if (v->edge.size != v->size || !cs__eq(r, v->root, 32))
        return v->err = CS_E_MERKLE_TILE;
    v->edge_ok = 1;
    /* The level-1 edge tile, if it was fed, is verified now. */
    v->l1_ok = v->l1_fed && cs__mt_edge_width(v, 1) != 0;
    if (v->l1_ok) {
        v->l1_index = cs__mt_shr(v->size, 16);
        v->l1_width = cs__mt_edge_width(v, 1);
    }
    return cs__mt_down(v, v->p - 1);
}

/* The next right-edge tile to ask for, from level l down; a tile that is
 * the same at the kept edge's size (not the one on k's path) is taken
 * from the kept edge. None left: cs__mt_edge_done(). */
static int
cs__mt_edge_walk(cs_merkle_tiles *v, int l)
{
    unsigned w, sh;
    int b;

    for (; l >= 0; l--) {
        w = cs__mt_edge_width(v, l);
        if (w == 0)
            continue;
        sh = 8u * (unsigned)l;
        if (v->prev_ok && !v->prev_by_root && l != v->p
            && cs__mt_shr(v->prev_size, sh + 8) == cs__mt_shr(v->size, sh + 8)
            && (cs__mt_shr(v->prev_size, sh) & 255) == w) {
            for (b = 7; b >= 0; b--)
                if (((w >> b) & 1) != 0
                    && cs_merkle_edge_push_subtree(&v->edge,
                           v->prev.h[sh + (unsigned)b], sh + (unsigned)b)
                       != 0)
                    return v->err = CS_E_MERKLE_TILE;
            v->cons_seen |= 1u << l;  /* prev's own tile: in the tree
                                         when the root checks */
            continue;
        }
        v->level = l;
        if (l == 1)
            v->l1_fed = 1;
        cs__mt_enter(v);
        return 0;
    }
    return cs__mt_edge_done(v);
}

CSDEF int
cs_merkle_tiles_start(cs_merkle_tiles *v, uint64_t k)
{
    uint64_t full = v->size >> 8;
    int l;

    v->err = 0;
    v->phase = CS__MT_IDLE;
    v->cons_seen = v->cons_bad = 0;
    if (k < full) {
        /* p: the lowest level whose tile on k's path is the edge tile. */
        for (l = 1; l < 8; l++)
            if (cs__mt_shr(k, 8u * (unsigned)l)
                == cs__mt_shr(v->size, 8u * (unsigned)l + 8))
                break;
        v->p = l;
    } else if (k == full && (v->size & 255) != 0) {
        v->p = 0;
    } else {
        return CS_E_MERKLE_RANGE;
    }
    v->k = k;
    for (l = 7; l > 0 && cs__mt_shr(v->size, 8u * (unsigned)l) == 0; l--)
        ;
    v->top = l;
    /* (consistency to prove: every right-edge tile is fed again) */
    if (v->cons_need == 0 && v->p >= 1 && v->l1_ok
        && v->l1_index == (k >> 8) && (k & 255) < v->l1_width) {
        CS_MEMCPY(v->want, v->l1[k & 255], 32);
        v->phase = CS__MT_CHAIN;
        v->level = 0;
    } else if (v->cons_need == 0 && v->edge_ok) {
        v->phase = CS__MT_EDGE_ONE;
        v->level = v->p;
    } else {
        v->phase = CS__MT_EDGE_ALL;
        v->edge_ok = 0;
        v->l1_fed = 0;
        cs_merkle_edge_init(&v->edge);
        (void)cs__mt_edge_walk(v, v->top); /* an error stays in v->err */
        return 0;
    }
    cs__mt_enter(v);
    return 0;
}

CSDEF int
cs_merkle_tiles_next(cs_merkle_tiles *v, int *level, uint64_t *index,
                     unsigned *width)
{
    if (v->err != 0)
        return v->err;
    if (v->phase == CS__MT_DONE)
        return 0;
    if (v->phase == CS__MT_IDLE)
        return v->err = CS_E_MERKLE_STATE;
    *level = v->level;
    *index = v->index;
    *width = v->width;
    return 1;
}

/* The tile being fed is the one that held prev's right edge at this
 * level, and it has now reached prev's width there: its subtrees so far
 * (in the edge, or the tile's own small edge) must be prev's rows. */
static void
cs__mt_prev_check(cs_merkle_tiles *v)
{
    unsigned sh = 8u * (unsigned)v->level, bit = 1u << v->level, b;
    unsigned w = (unsigned)(cs__mt_shr(v->prev_size, sh) & 255);
    const unsigned char *h;

    if ((v->cons_need & bit) == 0 || v->got != w
        || v->index != cs__mt_shr(v->prev_size, sh + 8))
        return;
    for (b = 0; b < 8; b++) {
        if (((w >> b) & 1) == 0)
            continue;
        h = v->phase == CS__MT_EDGE_ALL ? v->edge.h[sh + b] : v->small[b];
        if (v->prev_by_root)          /* read: checked at the end */
            CS_MEMCPY(v->prev.h[sh + b], h, 32);
        else if (!cs__eq(h, v->prev.h[sh + b], 32)) {
            v->cons_bad |= bit;
            return;
        }
    }
    v->cons_seen |= bit;
}

/* One whole hash of the tile being fed. */
static void
cs__mt_hash(cs_merkle_tiles *v, const unsigned char *h)
{
    unsigned j = v->got++;
    unsigned char cur[32];
    unsigned b;

    if (v->phase == CS__MT_EDGE_ALL) {
        if (cs_merkle_edge_push_subtree(&v->edge, h, 8u * (unsigned)v->level)
            != 0)
            v->err = CS_E_MERKLE_TILE;
    } else {
        CS_MEMCPY(cur, h, 32);
        for (b = 0; ((v->small_size >> b) & 1) != 0; b++)
            cs_merkle_node(v->small[b], cur, cur);
        CS_MEMCPY(v->small[b], cur, 32);
        v->small_size++;
    }
    /* The entry that the next tile down must hash to. */
    if (v->level >= 1 && (v->phase == CS__MT_CHAIN || v->level == v->p)
        && j == (unsigned)(cs__mt_shr(v->k, 8u * (unsigned)v->level - 8)
                           & 255))
        CS_MEMCPY(v->next, h, 32);
    if (v->level == 1)
        CS_MEMCPY(v->l1[j], h, 32);
    cs__mt_prev_check(v);
}

CSDEF int
cs_merkle_tiles_feed(cs_merkle_tiles *v, const unsigned char *data,
                     size_t len)
{
    size_t take;

    if (v->err != 0)
        return v->err;
    if (v->phase == CS__MT_IDLE || v->phase == CS__MT_DONE)
        return v->err = CS_E_MERKLE_STATE;
    while (len > 0) {
        if (v->got >= v->width)
            return v->err = CS_E_MERKLE_TILE_SIZE;
        if (v->part_n == 0 && len >= 32) {
            cs__mt_hash(v, data);
            data += 32;
            len -= 32;
        } else {
            take = 32 - v->part_n;
            if (take > len)
                take = len;
            CS_MEMCPY(v->part + v->part_n, data, take);
            v->part_n += (unsigned)take;
            data += take;
            len -= take;
            if (v->part_n == 32) {
                v->part_n = 0;
                cs__mt_hash(v, v->part);
            }
        }
        if (v->err != 0)
            return v->err;
    }
    return 0;
}

CSDEF int
cs_merkle_tiles_end(cs_merkle_tiles *v)
{
    unsigned b;

    if (v->err != 0)
        return v->err;
    if (v->phase == CS__MT_IDLE || v->phase == CS__MT_DONE)
        return v->err = CS_E_MERKLE_STATE;
    if (v->part_n != 0 || v->got != v->width)
        return v->err = CS_E_MERKLE_TILE_SIZE;
    if (v->level == 1) {
        v->l1_index = v->index;
        v->l1_width = v->width;
    }
    if (v->phase == CS__MT_EDGE_ALL) {
        return cs__mt_edge_walk(v, v->level - 1);
    } else if (v->phase == CS__MT_EDGE_ONE) {
        /* Its subtrees must be the edge's rows at this tile level. */
        for (b = 0; b < 8; b++)
            if (((v->width >> b) & 1) != 0
                && !cs__eq(v->small[b], v->edge.h[8 * v->level + (int)b],
                           32))
                return v->err = CS_E_MERKLE_TILE;
        if (v->level == 1)
            v->l1_ok = 1;
        return cs__mt_down(v, v->p - 1);
    }
    if (!cs__eq(v->small[8], v->want, 32))
        return v->err = CS_E_MERKLE_TILE;
    if (v->level == 1)
        v->l1_ok = 1;
    return cs__mt_down(v, v->level - 1);
}

#endif /* CS_HAS_CT */

/* ==== [1l] gaps: what a stream did not deliver ========================== */

#define CS__GAP_MARKS 5     /* ceil(window_ms / 4) apart: 4 are younger */

/* One log's slot; its bitmap (window bits, bit i % window for index i in
 * [top - window, top): 1 arrived, 0 missing) follows it in the slot.
 * Invariants: first <= base <= top <= base + window; when top > base, the
 * bit of base is clear and the bit of top - 1 set; below base every index
 * arrived or was declared missing. */
typedef struct cs__gap_log {
    uint64_t hash;         /* FNV-1a of the whole normalised URL */
    uint64_t first;        /* the first index seen */
    uint64_t base;         /* every index below is settled */
    uint64_t top;          /* highest index seen + 1 */
    uint64_t m[CS__GAP_MARKS], t[CS__GAP_MARKS]; /* checkpoints, oldest
                              first: top was m[k] at t[k], so the holes
                              below m[k] are at least that old */
    int marks;
    uint64_t t_last;       /* the last arrival */
    size_t full_len;       /* the normalised URL's length */
    size_t url_len;        /* its bytes kept in url */
    int in_use;
    size_t src_len;
    char url[CS_GAP_URL_MAX];
    char src[CS_GAP_URL_MAX]; /* as first sent */
} cs__gap_log;

#define CS__GAP_HEAD ((sizeof(cs__gap_log) + 7) & ~(size_t)7)

static size_t
cs__gap_slot_size(uint32_t window)
{
    return CS__GAP_HEAD + (((size_t)window + 63) / 64) * 8;
}

CSDEF size_t
cs_gap_size(size_t logs, uint32_t window)
{
    return 8 + logs * cs__gap_slot_size(window);   /* 8: alignment */
}

/* The normaliser, with the FNV-1a hash of everything it produced. */
static size_t
cs__gap_norm(char *out, size_t cap, const char *url, size_t len,
             uint64_t *hash)
{
    uint64_t h = 0xcbf29ce484222325u;
    size_t i = 0, o = 0, k;
    int host = 1;

    while (len > 0 && url[len - 1] == '/')
        len--;
    for (k = 0; k < len; k++) {            /* "scheme://" (RFC 3986 3.1) */
        char ch = url[k];
        if (ch == ':' && k > 0 && len - k >= 3 && url[k + 1] == '/'
            && url[k + 2] == '/') {
            i = k + 3;
            break;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'
              || ch == '.'))
            break;
    }
    for (; i < len; i++, o++) {
        char ch = url[i];
        if (ch == '/')
            host = 0;
        if (host && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (o < cap)
            out[o] = ch;
        h = (h ^ (unsigned char)ch) * 0x100000001b3u;
    }
    *hash = h;
    return o;
}

CSDEF size_t
cs_gap_url(char *out, size_t cap, const char *url, size_t len)
{
    uint64_t h;

    return cs__gap_norm(out, cap, url, len, &h);
}

CSDEF int
cs_gap_init(cs_gap *g, void *mem, size_t size, uint32_t window,
            uint32_t window_ms,
            void (*on_gap)(void *ctx, const cs_gap_event *ev), void *ctx)
{
    unsigned char *p = (unsigned char *)mem;
    size_t skip;

    CS_ASSERT(g != NULL && (mem != NULL || size == 0));
    CS_MEMSET(g, 0, sizeof *g);
    if (window < 8 || window > (1u << 24))
        return CS_E_GAP_ARG;
    skip = (size_t)((8 - (uintptr_t)p % 8) % 8);
    g->slot_size = cs__gap_slot_size(window);
    g->slots = size < skip ? 0 : (size - skip) / g->slot_size;
    if (g->slots == 0)
        return CS_E_GAP_MEMORY;
    g->mem = p + skip;
    g->window = window;
    g->window_ms = window_ms;
    g->on_gap = on_gap;
    g->ctx = ctx;
    CS_MEMSET(g->mem, 0, g->slots * g->slot_size);
    return 0;
}

static cs__gap_log *
cs__gap_slot(const cs_gap *g, size_t i)
{
    return (cs__gap_log *)(void *)(g->mem + i * g->slot_size);
}

static unsigned char *
cs__gap_bits(cs__gap_log *l)
{
    return (unsigned char *)l + CS__GAP_HEAD;
}

static int
cs__gap_bit(const cs_gap *g, cs__gap_log *l, uint64_t i)
{
    uint64_t b = i % g->window;

    return cs__gap_bits(l)[b / 8] >> (b % 8) & 1;
}

static void
cs__gap_set(const cs_gap *g, cs__gap_log *l, uint64_t i, int on)
{
    uint64_t b = i % g->window;
    unsigned char m = (unsigned char)(1u << (b % 8));

    if (on)
        cs__gap_bits(l)[b / 8] |= m;
    else
        cs__gap_bits(l)[b / 8] &= (unsigned char)~m;
}

/* Move base over the indices that arrived. */
static void
cs__gap_advance(const cs_gap *g, cs__gap_log *l)
{
    while (l->base < l->top && cs__gap_bit(g, l, l->base))
        l->base++;
}

/* Raise top: the bits of the indices that enter [top - window, top) are
 * those of the ones that leave it; clear them. */
static void
cs__gap_raise(const cs_gap *g, cs__gap_log *l, uint64_t top)
{
    uint64_t i;

    if (top - l->top >= g->window)
        CS_MEMSET(cs__gap_bits(l), 0, ((size_t)g->window + 7) / 8);
    else
        for (i = l->top; i < top; i++)
            cs__gap_set(g, l, i, 0);
    l->top = top;
}

static void
cs__gap_declare(cs_gap *g, cs__gap_log *l, uint64_t first, uint64_t count,
                unsigned flags)
{
    cs_gap_event ev;

    if (count <= CS_GAP_DELIBERATE_MAX) {
        flags |= CS_GAP_MAYBE_DELIBERATE;
        g->counts.deliberate++;
    }
    g->counts.gaps++;
    g->counts.missing += count;
    ev.url = l->url;
    ev.url_len = l->url_len;
    ev.source = l->src;
    ev.source_len = l->src_len;
    ev.first = first;
    ev.count = count;
    ev.flags = flags;
    if (g->on_gap != NULL)
        g->on_gap(g->ctx, &ev);
}

/* Settle everything below limit: each run of missing indices that starts
 * below it is declared whole (up to the next index that arrived; indices
 * in [top, hi) count as missing). O(window). */
static void
cs__gap_settle(cs_gap *g, cs__gap_log *l, uint64_t limit, uint64_t hi,
               unsigned flags)
{
    uint64_t p = l->base, q;

    while (p < limit) {
        if (p < l->top && cs__gap_bit(g, l, p)) {
            p++;
            continue;
        }
        for (q = p; q < l->top && !cs__gap_bit(g, l, q); q++)
            ;
        if (q == l->top && hi > q)
            q = hi;
        if (q == p)
            break;
        cs__gap_declare(g, l, p, q - p, flags);
        p = q;
    }
    l->base = p;
    if (l->top < p)
        cs__gap_raise(g, l, p);
    cs__gap_advance(g, l);
}

/* The time bound for one log: settle the holes at least window_ms old
 * (below the newest checkpoint that old), drop the checkpoints that no
 * longer cover a hole, and take one when there are holes, the newest is
 * ceil(window_ms / 4) old and something arrived since. A hole that
 * appears at a gets a checkpoint by a + window_ms / 4 (+ the poll's
 * delay), hence declared by a + 1.5 * window_ms. */
static void
cs__gap_clock(cs_gap *g, cs__gap_log *l, uint64_t now)
{
    uint64_t every = ((uint64_t)g->window_ms + 3) / 4;
    int k = l->marks, d, j;

    if (g->window_ms == 0)
        return;
    while (k > 0 && now - l->t[k - 1] < g->window_ms)
        k--;                          /* marks [0, k) are old enough */
    if (k > 0 && l->m[k - 1] > l->base)
        cs__gap_settle(g, l, l->m[k - 1], l->top, CS_GAP_TIMED);
    for (d = 0; d < l->marks && l->m[d] <= l->base; d++)
        ;
    for (j = d; j < l->marks; j++)
        l->m[j - d] = l->m[j], l->t[j - d] = l->t[j];
    l->marks -= d;
    k = l->marks;
    if (l->top > l->base && k < CS__GAP_MARKS
        && (k == 0 || (now - l->t[k - 1] >= every && l->top > l->m[k - 1])))
        l->m[k] = l->top, l->t[k] = now, l->marks++;
}

/* The slot of a log: found, new, a stale one reused, or NULL. */
static cs__gap_log *
cs__gap_find(cs_gap *g, const char *url, size_t len, uint64_t index,
             uint64_t now)
{
    char norm[CS_GAP_URL_MAX];
    uint64_t h;
    size_t n = cs__gap_norm(norm, sizeof norm, url, len, &h), i;
    size_t keep = n < sizeof norm ? n : sizeof norm;
    cs__gap_log *l, *free_slot = NULL, *idle = NULL;

    for (i = 0; i < g->slots; i++) {
        l = cs__gap_slot(g, i);
        if (!l->in_use) {
            if (free_slot == NULL)
                free_slot = l;
            continue;
        }
        if (l->hash == h && l->full_len == n
            && cs__eq(l->url, norm, keep))
            return l;
        if (idle == NULL || l->t_last < idle->t_last)
            idle = l;
    }
    if (free_slot == NULL) {
        if (idle == NULL || now - idle->t_last < CS_GAP_IDLE_MS)
            return NULL;
        cs__gap_settle(g, idle, idle->top, idle->top, CS_GAP_EVICTED);
        g->counts.evicted++;
        g->used--;
        free_slot = idle;
    }
    l = free_slot;
    CS_MEMSET(l, 0, g->slot_size);
    l->in_use = 1;
    l->hash = h;
    l->full_len = n;
    l->url_len = keep;
    CS_MEMCPY(l->url, norm, keep);
    l->src_len = len < sizeof l->src ? len : sizeof l->src;
    if (l->src_len > 0)
        CS_MEMCPY(l->src, url, l->src_len);
    l->first = l->base = l->top = index;
    g->used++;
    return l;
}

CSDEF int
cs_gap_add(cs_gap *g, const char *url, size_t len, uint64_t index,
           uint64_t now_ms)
{
    cs__gap_log *l;

    CS_ASSERT(g != NULL && (url != NULL || len == 0));
    g->counts.arrivals++;
    if (index == UINT64_MAX) {        /* top = index + 1 would wrap */
        g->counts.old++;
        return CS_GAP_OLD;
    }
    l = cs__gap_find(g, url, len, index, now_ms);
    g->counts.logs = g->used;
    if (l == NULL) {
        g->counts.untracked++;
        return CS_GAP_UNTRACKED;
    }
    l->t_last = now_ms;
    cs__gap_clock(g, l, now_ms);
    if (index < l->base) {
        if (index < l->first || l->top - index > g->window) {
            g->counts.old++;
            return CS_GAP_OLD;
        }
        if (cs__gap_bit(g, l, index)) {
            g->counts.duplicates++;
            return CS_GAP_DUPLICATE;
        }
        cs__gap_set(g, l, index, 1);
        g->counts.late++;
        return CS_GAP_LATE;
    }
    if (index - l->base >= g->window)   /* the entries bound */
        cs__gap_settle(g, l, index - g->window + 1, index, 0);
    if (index < l->top && cs__gap_bit(g, l, index)) {
        g->counts.duplicates++;
        return CS_GAP_DUPLICATE;
    }
    if (index < l->top)
        g->counts.reordered++;
    else
        cs__gap_raise(g, l, index + 1);
    cs__gap_set(g, l, index, 1);
    cs__gap_advance(g, l);
    return CS_GAP_NEW;
}

CSDEF uint64_t
cs_gap_poll(cs_gap *g, uint64_t now_ms)
{
    size_t i;
    int holes = 0;

    CS_ASSERT(g != NULL);
    if (g->window_ms == 0)
        return UINT64_MAX;
    if (now_ms >= g->t_poll) {
        for (i = 0; i < g->slots; i++)
            if (cs__gap_slot(g, i)->in_use)
                cs__gap_clock(g, cs__gap_slot(g, i), now_ms);
        g->t_poll = now_ms + (g->window_ms / 8 > 0 ? g->window_ms / 8 : 1);
    }
    for (i = 0; i < g->slots && !holes; i++) {
        cs__gap_log *l = cs__gap_slot(g, i);
        holes = l->in_use && l->top > l->base;
    }
    return holes ? g->t_poll : UINT64_MAX;
}

CSDEF void
cs_gap_flush(cs_gap *g)
{
    size_t i;

    CS_ASSERT(g != NULL);
    for (i = 0; i < g->slots; i++) {
        cs__gap_log *l = cs__gap_slot(g, i);
        if (l->in_use)
            cs__gap_settle(g, l, l->top, l->top, CS_GAP_FLUSHED);
    }
}

CSDEF const cs_gap_counts *
cs_gap_stats(const cs_gap *g)
{
    return &g->counts;
}

/* ==== [2b] TLS transport (BearSSL) ==================== off: _NO_TLS ==== */
#if CS_HAS_TLS

/* ---- trust anchors in caller memory ---- */

CSDEF void
cs_anchors_init(cs_anchors *a, void *mem, size_t cap)
{
    size_t pad = (size_t)(-(uintptr_t)mem & (sizeof(void *) - 1));

    CS_MEMSET(a, 0, sizeof *a);
    if (mem == NULL)
        return;                       /* no arena: NULL + 0 is undefined */
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

/* br_pem_decoder_push() for text with CRLF line ends (Windows tools,
 * many CA downloads): BearSSL 0.6 takes LF only, so CRs are skipped.
 * Returns the bytes consumed, CRs included. */
static size_t
cs__pem_push(br_pem_decoder_context *pem, const unsigned char *p, size_t n)
{
    size_t run = 0, k;

    while (run < n && p[run] != '\r')
        run++;
    if (run == 0)
        return 1;                     /* a CR: dropped */
    k = br_pem_decoder_push(pem, p, run);
    return k == run && run < n ? k + 1 : k;
}

/* Push PEM text through the decoders; resumable across chunks. Returns
 * 0 or CS_E_TLS_PEM. */
static int
cs__pem_feed(cs__pemload *L, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t k = cs__pem_push(&L->pem, p, n);
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
            size_t k = cs__pem_push(&pem, p, len);
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
    cfg->gap_window = 4096;
    cfg->gap_window_ms = 10000;
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

/* The next retry delay (ms): *backoff_ms with +-25% jitter (so that many
 * clients of one restarting server do not return in step), under max_ms;
 * Retry-After (*retry_after seconds, -1 none; a day at most) wins when
 * longer. Doubles *backoff_ms up to max_ms and clears *retry_after.
 * Shared by the client and the CT log follower. */
static uint64_t
cs__backoff(uint32_t *backoff_ms, long *retry_after, uint32_t max_ms,
            int (*random)(void *ctx, void *buf, size_t len), void *rctx)
{
    uint32_t b = *backoff_ms, r = 0;
    uint64_t d;

    if (random(rctx, &r, sizeof r) != 0)
        r = 0;
    d = (uint64_t)b * 3 / 4 + r % (b / 2 + 1);
    if (d > max_ms)
        d = max_ms;                   /* the jitter stays under the cap */
    if (*retry_after > 86400)
        *retry_after = 86400;         /* a day at most */
    if (*retry_after >= 0 && (uint64_t)*retry_after * 1000 > d)
        d = (uint64_t)*retry_after * 1000;
    *retry_after = -1;
    *backoff_ms = b > max_ms / 2 ? max_ms : b * 2;
    return d;
}

/* Schedule the next attempt (cs__backoff), or finish (stopped, or one
 * connection only). */
static void
cs__next(cs_client *c, int err)
{
    uint64_t d;

    if (c->stop || !c->cfg.reconnect) {
        c->phase = CS__DONE;
        c->result = c->stop ? 0 : err;
        return;
    }
    d = cs__backoff(&c->backoff_ms, &c->retry_after, c->cfg.backoff_max_ms,
                    c->cfg.random, c->cfg.random_ctx);
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
    ev.detail = err == CS_E_HS_STATUS && c->retry_after > 0
              ? c->retry_after : cs__detail(c, err);  /* before the cap */
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

static void cs__gap_sync(cs_client *c);

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
    if (c->cfg.gap_mem != NULL) {     /* no server resends: holes stay */
        cs_gap_flush(&c->gap);
        cs__gap_sync(c);
    }
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

/* cfg.match: does a message with domains match? (Other messages do.) */
static int
cs__client_match(cs_client *c, cs_event *ev, cs_match_hit *hits)
{
    if (ev->msg->type != CS_MSG_CERT && ev->msg->type != CS_MSG_DNS)
        return 1;
    ev->hits = hits;
    return cs_match_msg(c->cfg.match, ev->msg, hits, CS_MATCH_HITS,
                        &ev->hit_count) > 0;
}

/* The tracker's counters into cs_stats. */
static void
cs__gap_sync(cs_client *c)
{
    const cs_gap_counts *k = cs_gap_stats(&c->gap);

    c->stats.gaps = k->gaps;
    c->stats.gap_missing = k->missing;
    c->stats.gap_deliberate = k->deliberate;
    c->stats.gap_duplicates = k->duplicates;
    c->stats.gap_late = k->late;
    c->stats.gap_old = k->old;
    c->stats.gap_untracked = k->untracked;
}

/* The tracker's callback: a CS_EV_GAP. */
static void
cs__client_gap(void *ctx, const cs_gap_event *g)
{
    cs_client *c = (cs_client *)ctx;
    cs_event ev;

    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_GAP;
    ev.gap = g;
    ev.text = g->url;
    ev.len = g->url_len;
    ev.index = g->first;
    cs__emit(c, &ev);
    if (c->cfg.backfill_gap != NULL)
        c->cfg.backfill_gap(c->cfg.backfill, g, c->now);
}

/* cfg.gap_mem: track a message's (source.url, cert_index). Returns 1
 * to drop it: a duplicate, with cfg.gap_drop_duplicates. */
static int
cs__client_track(cs_client *c, const cs_msg *m)
{
    const unsigned need = CS_F_CERT_INDEX | CS_F_SOURCE_URL;
    int r;

    if (m->type != CS_MSG_CERT && m->type != CS_MSG_DNS)
        return 0;
    if (m->type == CS_MSG_DNS || (m->has & need) != need) {
        c->stats.unindexed++;
        if (!c->gap_warned) {
            cs_event ev;
            c->gap_warned = 1;
            CS_MEMSET(&ev, 0, sizeof ev);
            ev.type = CS_EV_WARNING;
            ev.err = CS_E_GAP_UNINDEXED;
            ev.text = m->type == CS_MSG_DNS
                ? "gaps: domains-only messages carry no cert_index or "
                  "source: gaps cannot be seen on this stream"
                : "gaps: a certificate_update without cert_index or "
                  "source.url: such messages are not tracked";
            ev.len = cs__strlen(ev.text);
            cs__emit(c, &ev);
        }
        return 0;
    }
    r = cs_gap_add(&c->gap, m->source_url.buf, m->source_url.len,
                   m->cert_index, c->now);
    cs__gap_sync(c);
    return r == CS_GAP_DUPLICATE && c->cfg.gap_drop_duplicates;
}

/* A message ended: tell the caller what it held. */
static void
cs__message_end(cs_client *c)
{
    cs_match_hit hits[CS_MATCH_HITS];
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
            if (c->cfg.gap_mem != NULL && cs__client_track(c, ev.msg)) {
                c->in_msg = 0;
                return;               /* the same entry again */
            }
            if (c->cfg.match != NULL && !cs__client_match(c, &ev, hits)) {
                c->in_msg = 0;
                return;
            }
            if (c->cfg.backfill_msg != NULL && ev.msg->type == CS_MSG_CERT
                && (ev.msg->has & CS_F_SHA1) != 0
                && c->cfg.backfill_msg(c->cfg.backfill, ev.msg)) {
                c->in_msg = 0;
                return;               /* a backfill delivered it */
            }
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

/* TLS over link into *out, trusting what g says (shared by the client's
 * and the CT log follower's connections). */
static int
cs__tls_apply(cs_tls *tls, const cs_transport *link, cs_transport *out,
              const cs_tls_config *g,
              int (*random)(void *ctx, void *buf, size_t len),
              void *random_ctx, cs_anchors *anchors,
              br_x509_trust_anchor *builtin, const char **trust)
{
    cs_tls_transport(tls, link, random, random_ctx, out);
    return cs__tls_setup(tls, g, anchors, builtin, trust);
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
    if (cfg->gap_mem != NULL) {
        int r = cs_gap_init(&c->gap, cfg->gap_mem, cfg->gap_size,
                            cfg->gap_window, cfg->gap_window_ms,
                            cs__client_gap, c);
        if (r != 0)
            return r;
    }
#if CS_HAS_TLS
    return cs__tls_apply(&c->tls, &c->link, &c->tls_tr, &c->cfg.tls,
                         c->cfg.random, c->cfg.random_ctx, &c->anchors,
                         c->builtin, &c->trust);
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
    if (c->cfg.gap_mem != NULL && c->phase != CS__DONE) {
        uint64_t t = cs_gap_poll(&c->gap, c->now);   /* the time bound */
        cs__gap_sync(c);
        if (t < w->deadline_ms)
            w->deadline_ms = t;
    }
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

/* ==== [3b] the CT log follower ========== off: _NO_CT ==== */
#if CS_HAS_CT

/* Phases and requests of a follower. */
enum { CS__CT_IDLE, CS__CT_BUSY, CS__CT_DONE };
enum { CS__CT_STH = 1, CS__CT_ENTRIES, CS__CT_CHECKPOINT, CS__CT_TILE,
       CS__CT_HASHTILE, CS__CT_CONSISTENCY };
/* The get-sth fields (bits of sth_fields) and the get-entries ones. */
enum { CS__CT_F_SIZE = 1, CS__CT_F_TIME = 2, CS__CT_F_ROOT = 4,
       CS__CT_F_SIG = 8 };
enum { CS__CT_J_NONE, CS__CT_J_SIZE, CS__CT_J_TIME, CS__CT_J_ROOT,
       CS__CT_J_SIG, CS__CT_J_LEAF, CS__CT_J_EXTRA, CS__CT_J_CONS };

CSDEF void
cs_ct_config_init(cs_ct_config *cfg)
{
    CS_MEMSET(cfg, 0, sizeof *cfg);
    cfg->kind = CS_CT_RFC6962;
    cfg->batch = 256;
    cfg->timeout_ms = 30000;
    cfg->backoff_min_ms = 1000;
    cfg->backoff_max_ms = 60000;
    cfg->max_redirects = 5;
    cfg->verify = 1;
}

static void
cs__ct_emit(cs_ct_follower *f, cs_event *ev)
{
    ev->log = f;
    f->stats.next = f->next;          /* current for the callback */
    if (f->cfg.on_event != NULL)
        f->cfg.on_event(f->cfg.ctx, ev);
}

/* An event with a type, an error, a status and an index. */
static void
cs__ct_emit4(cs_ct_follower *f, int type, int err, int status,
             uint64_t index)
{
    cs_event ev;

    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = type;
    ev.err = err;
    ev.status = status;
    ev.index = index;
    cs__ct_emit(f, &ev);
}

/* a[0..n) == b[0..n) */
static int
cs__ct_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    size_t i;

    for (i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* A CS_EV_WARNING with text. */
static void
cs__ct_warn(cs_ct_follower *f, const char *text)
{
    cs_event ev;

    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_WARNING;
    ev.text = text;
    ev.len = cs__strlen(text);
    cs__ct_emit(f, &ev);
}

/* Unix time in ms (0 when there is no clock). */
static uint64_t
cs__ct_unix_ms(const cs_ct_follower *f)
{
    int64_t s = 0;

    if (f->cfg.unix_time != NULL) {
        if (f->cfg.unix_time(f->cfg.time_ctx, &s) != 0 || s < 0)
            return 0;
        return (uint64_t)s * 1000;
    }
#if CS_HAS_POSIX
    {
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec >= 0)
            return (uint64_t)ts.tv_sec * 1000
                 + (uint64_t)ts.tv_nsec / 1000000;
    }
#endif
    return 0;
}

/* The connection is done with: close it. */
static void
cs__ct_drop(cs_ct_follower *f)
{
    if (f->conn_open)
        f->tr.close(f->tr.ctx);
    f->conn_open = 0;
}

/* Back to idle until now + the backoff (Retry-After when longer). */
static void
cs__ct_backoff(cs_ct_follower *f, int err)
{
    cs_event ev;
    uint64_t d = cs__backoff(&f->backoff_ms, &f->retry_after,
                             f->cfg.backoff_max_ms, f->cfg.random,
                             f->cfg.random_ctx);

    f->phase = CS__CT_IDLE;
    f->t_next = f->now + d;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_RETRY;
    ev.err = err;
    ev.delay_ms = d;
    cs__ct_emit(f, &ev);
}

/* The request failed: say why, drop the connection, back off. */
static void
cs__ct_fail(cs_ct_follower *f, int err)
{
    cs_event ev;

    cs__ct_drop(f);
    f->stats.failures++;
    f->redirects = 0;                 /* the retry starts at the log */
    if (f->req == CS__CT_HASHTILE) {
        f->vt_busy = 0;               /* the proof starts again */
        if (f->prev_pending)          /* again from a new head (its */
            f->t_poll = f->now;       /* partial tiles may be gone) */
        f->prev_pending = 0;
    }
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_FAILED;
    ev.err = err;
    ev.status = cs_http_status(&f->http);
    ev.text = f->cfg.url;
    ev.len = cs__strlen(f->cfg.url);
#if CS_HAS_TLS
    if (err <= -40 && err >= -59 && f->url.tls)
        ev.detail = cs_tls_last_error(&f->tls);
#endif
    if (err == CS_E_CT_STATUS && f->retry_after > 0)
        ev.detail = f->retry_after;
    cs__ct_emit(f, &ev);
    cs__ct_backoff(f, err);
}

/* A bad entry: say so, count it, go on with the next. */
static void
cs__ct_bad(cs_ct_follower *f, uint64_t index, int err)
{
    if (f->stop)
        return;                       /* stopping: next stays */
    f->stats.bad_entries++;
    if (index >= f->next)
        f->next = index + 1;          /* as for a delivered one */
    cs__ct_emit4(f, CS_EV_CT_ERROR, err, 0, index);
}

/* Copy a string into a message's text field; *trunc gets bit when cut. */
static void
cs__ct_text(cs_text *t, const char *s, unsigned bit, unsigned *trunc)
{
    size_t n = cs__strlen(s);

    if (n > CS_JSON_STR_MAX) {
        n = CS_JSON_STR_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;                      /* at a character boundary */
        *trunc |= bit;
    }
    CS_MEMCPY(t->buf, s, n);
    t->buf[n] = '\0';
    t->len = n;
}

/* The element at p[*pos..end): *at its first byte, *pos moved past it.
 * Returns 0 or a DER error. */
static int
cs__ct_elem(const unsigned char *p, size_t end, size_t *pos, unsigned *tag,
            size_t *at)
{
    size_t len;
    int r;

    *at = *pos;
    if ((r = cs__der_hdr(p, end, pos, tag, &len)) != 0)
        return r;
    *pos += len;
    return 0;
}

/* The OID of the Extension element p[at..end) (NULL if it has none). */
static const unsigned char *
cs__ct_ext_oid(const unsigned char *p, size_t at, size_t end, size_t *n)
{
    size_t pos = at, len;
    unsigned tag;

    if (cs__der_hdr(p, end, &pos, &tag, &len) != 0
        || cs__der_get(p, end, &pos, 0x06, n) != 0)
        return NULL;
    return p + pos;
}

/* The precertificate c (parsed) is the one its leaf's TBS (tbs[0..n))
 * was made from (RFC 6962 3.2): its TBSCertificate with the CT poison
 * extension taken out is tbs, element for element, but for the issuer
 * and the authorityKeyIdentifier, which a precertificate signing
 * certificate makes differ. The leaf hash covers the TBS only, so a log
 * could put any certificate in a static entry's pre_certificate: this
 * binds its names (subject, SANs) and everything else to the proven TBS.
 * 1 if it matches. */
static int
cs__ct_precert_is(const cs_cert *c, const unsigned char *tbs, size_t n)
{
    static const unsigned char aki[3] = {0x55, 0x1d, 0x23};
    const unsigned char *p = c->tbs, *o, *lo;
    size_t pn = c->tbs_len, pp = 0, lp = 0, pa, la, len, on, lon;
    unsigned pt, lt, i = 0, issuer = 2;
    int ext = 0;

    if (cs__der_get(p, pn, &pp, 0x30, &len) != 0 || pp + len != pn
        || cs__der_get(tbs, n, &lp, 0x30, &len) != 0 || lp + len != n)
        return 0;
    if (pp < pn && p[pp] == 0xa0)
        issuer = 3;                   /* after [0] version, serial, alg */
    for (; pp < pn; i++) {
        if (cs__ct_elem(p, pn, &pp, &pt, &pa) != 0)
            return 0;
        if (!ext && pt == 0xa3) {
            /* [3] { SEQUENCE OF Extension }, the last element of each */
            pp = pa;
            if (cs__der_get(p, pn, &pp, 0xa3, &len) != 0 || pp + len != pn
                || cs__der_get(p, pn, &pp, 0x30, &len) != 0
                || pp + len != pn
                || cs__der_get(tbs, n, &lp, 0xa3, &len) != 0 || lp + len != n
                || cs__der_get(tbs, n, &lp, 0x30, &len) != 0
                || lp + len != n)
                return 0;
            ext = 1;
            continue;
        }
        o = ext ? cs__ct_ext_oid(p, pa, pp, &on) : NULL;
        if (o != NULL && on == 10 && cs__ct_eq(o, cs__ct_arc, 9) && o[9] == 3)
            continue;                 /* the poison: not in the leaf */
        if (cs__ct_elem(tbs, n, &lp, &lt, &la) != 0 || lt != pt)
            return 0;
        if (!ext && i == issuer && pt == 0x30)
            continue;                 /* the issuer: see above */
        lo = ext ? cs__ct_ext_oid(tbs, la, lp, &lon) : NULL;
        if (o != NULL && lo != NULL && on == 3 && lon == 3
            && cs__ct_eq(o, aki, 3) && cs__ct_eq(lo, aki, 3))
            continue;                 /* authorityKeyIdentifier: too */
        if (lp - la != pp - pa || !cs__ct_eq(p + pa, tbs + la, pp - pa))
            return 0;
    }
    return lp == n;
}

/* Deliver entry index e: the certificate parsed, the message built, the
 * watchlist asked. scratch[0..cap): free memory for all_domains. */
static void
cs__ct_deliver(cs_ct_follower *f, uint64_t index, const cs_ct_entry *e,
               unsigned char *scratch, size_t cap)
{
    cs_match_hit hits[CS_MATCH_HITS];
    cs_domains_iter it;
    cs_ct_update u;
    cs_cert cert;
    cs_event ev;
    const unsigned char *d = NULL;
    size_t n;
    uint64_t ms;
    int kind = CS_CERT_FULL, r, full = 0;

    if (index != f->next || f->stop)
        return;                       /* delivered, ahead, or stopping */
    CS_MEMSET(&u, 0, sizeof u);
    u.index = index;
    u.timestamp = e->timestamp;
    u.type = e->type;
    u.update_type = e->type == CS_CT_PRECERT ? "PrecertLogEntry"
                                             : "X509LogEntry";
    u.leaf = e;
    u.cert = &cert;
    CS_MEMCPY(u.leaf_hash, e->leaf_hash, 32);
    /* static entries reach here only proven (cs__ct_body) */
    u.verified = !(f->has_key && CS_HAS_TLS) ? CS_CT_VERIFIED_NONE
               : f->cfg.kind == CS_CT_STATIC && f->cfg.verify
               ? CS_CT_VERIFIED_ENTRY : CS_CT_VERIFIED_HEAD;
    u.der = e->cert;
    u.der_len = e->cert_len;
    if (e->type == CS_CT_PRECERT) {
        if (e->precert != NULL) {
            u.der = e->precert;
            u.der_len = e->precert_len;
        } else {
            kind = CS_CERT_TBS;
        }
    }
    if (u.der == NULL) {
        cs__ct_bad(f, index, CS_E_CT_TOO_BIG);
        return;
    }
    r = cs_cert_parse(&cert, u.der, u.der_len, kind);
    /* a static entry's proof covers its leaf, not the pre_certificate
     * beside it: one that is not the leaf's TBS (or does not parse) gives
     * way to the TBS, what was proven */
    if (kind == CS_CERT_FULL && e->type == CS_CT_PRECERT
        && f->cfg.kind == CS_CT_STATIC && f->cfg.verify && e->cert != NULL
        && (r != 0 || !cs__ct_precert_is(&cert, e->cert, e->cert_len))) {
        u.der = e->cert;
        u.der_len = e->cert_len;
        r = cs_cert_parse(&cert, u.der, u.der_len, CS_CERT_TBS);
    }
    if (r != 0) {
        cs__ct_bad(f, index, r);
        return;
    }
    cs_sha1(u.der, u.der_len, u.sha1);
    cs_sha256(u.der, u.der_len, u.sha256);
    cs_msg_reset(&f->msg, f->dom, f->dom_cap);
    f->msg.type = CS_MSG_CERT;
    f->msg.has = CS_F_TYPE | CS_F_DOMAINS | CS_F_CERT_INDEX | CS_F_SEEN
               | CS_F_SOURCE_URL | CS_F_SOURCE_NAME | CS_F_SHA1
               | CS_F_SHA256;
    CS_MEMCPY(f->msg.sha1, u.sha1, sizeof u.sha1);
    CS_MEMCPY(f->msg.sha256, u.sha256, sizeof u.sha256);
    f->msg.cert_index = index;
    f->msg.verified = u.verified;
    ms = cs__ct_unix_ms(f);
    if (ms != 0) {                    /* ms / 1000, integer-only: what the
                                         JSON path makes of "seen" */
        uint64_t bits = cs__eisel_lemire(ms, -3);
        CS_MEMCPY(&f->msg.seen, &bits, sizeof bits);
    } else {
        f->msg.seen = 0;
    }
    cs__ct_text(&f->msg.type_name, "certificate_update", CS_F_TYPE,
                &f->msg.trunc);
    cs__ct_text(&f->msg.source_url, f->cfg.url, CS_F_SOURCE_URL,
                &f->msg.trunc);
    cs__ct_text(&f->msg.source_name, cs_ct_name(f), CS_F_SOURCE_NAME,
                &f->msg.trunc);
    cs_cert_domains_init(&it, &cert, (char *)scratch, cap);
    while ((r = cs_cert_domains_next(&it, &d, &n)) == 1) {
        if (full)                     /* keep a prefix: counted only */
            f->msg.domain_total++;
        else
            full = cs_msg_add_domain(&f->msg, d, n) != 0;
    }
    if (r < 0) {
        cs__ct_bad(f, index, r);
        return;
    }
    f->next = index + 1;
    f->stats.entries++;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_MESSAGE;
    ev.msg = &f->msg;
    ev.entry = &u;
    ev.index = index;
    if (f->cfg.match != NULL) {
        ev.hits = hits;
        if (cs_match_msg(f->cfg.match, &f->msg, hits, CS_MATCH_HITS,
                         &ev.hit_count) == 0) {
            f->stats.filtered++;
            return;
        }
    }
    cs__ct_emit(f, &ev);
}

/* A tree head arrived (signature checked by the caller): take it, or say
 * why not. Never moves the tree back. */
static void
cs__ct_head(cs_ct_follower *f, uint64_t size, uint64_t time,
            const unsigned char root[32])
{
    cs_event ev;

    f->t_poll = f->now + f->cfg.poll_ms;
    if (!f->have_tree && f->cfg.has_prev) {   /* the trusted head */
        if (size < f->cfg.prev_size) {
            cs__ct_emit4(f, CS_EV_CT_ERROR, CS_E_CT_SHRUNK, 1, size);
            return;
        }
        if (size == f->cfg.prev_size
            && !cs__ct_eq(root, f->cfg.prev_root, 32)) {
            cs__ct_emit4(f, CS_EV_CT_ERROR, CS_E_CT_FORK, 1, size);
            return;
        }
    }
    if (f->have_tree && size < f->tree_size) {
        cs__ct_emit4(f, CS_EV_CT_ERROR, CS_E_CT_SHRUNK, 1, size);
        return;
    }
    if (f->have_tree && size == f->tree_size) {
        if (!cs__ct_eq(root, f->root, 32))
            cs__ct_emit4(f, CS_EV_CT_ERROR, CS_E_CT_FORK, 1, size);
        return;
    }
    CS_MEMSET(&ev, 0, sizeof ev);
    if (!f->have_tree) {
        f->next = f->cfg.has_from ? f->cfg.from : size;
        ev.status = 1;                /* following starts here */
    }
    f->have_tree = f->stats.have_tree = 1;
    f->tree_size = f->stats.tree_size = size;
    f->tree_time = f->stats.tree_time = time;
    CS_MEMCPY(f->root, root, 32);
    CS_MEMCPY(f->stats.tree_root, root, 32);
    ev.type = CS_EV_CT_TREE;
    ev.index = size;
    ev.detail = (int64_t)time;
    cs__ct_emit(f, &ev);
}

/* The head a new one must be proven to extend (cfg.verify): the one
 * taken, else the trusted cfg.prev_*; 0: none (or the empty tree). */
static uint64_t
cs__ct_base(const cs_ct_follower *f, const unsigned char **root)
{
    *root = f->have_tree ? f->root : f->cfg.prev_root;
    return f->have_tree ? f->tree_size
         : f->cfg.has_prev ? f->cfg.prev_size : 0;
}

/* Kind CS_CT_ANY before the first head: the response to f->req (get-sth
 * or the checkpoint) is no CT log's answer. After get-sth the checkpoint
 * is tried at once (over the same connection when it is kept); after the
 * checkpoint the probe failed: CS_E_CT_NOT_A_LOG, and get-sth again after
 * the backoff. Returns 1 when it took the response, 0 when f is not
 * probing (the response is the follower's as usual). */
static int
cs__ct_probe(cs_ct_follower *f)
{
    if (!f->any || f->have_tree)
        return 0;
    if (f->req == CS__CT_STH) {
        f->cfg.kind = CS_CT_STATIC;
        if (!cs_http_keep_alive(&f->http))
            cs__ct_drop(f);
        f->phase = CS__CT_IDLE;
        f->t_next = f->now;
    } else {
        f->cfg.kind = CS_CT_RFC6962;
        cs__ct_fail(f, CS_E_CT_NOT_A_LOG);
    }
    return 1;
}

/* Kind CS_CT_ANY before the first head, the checkpoint parsed (r 0) or
 * not (r): without cfg.origin its origin line becomes the log's (see
 * CS_CT_ANY). Returns 1 when it was no checkpoint at all (the probe took
 * it: cs__ct_probe()); one that parses but lacks the key's signature is
 * a log's answer. */
static int
cs__ct_probe_checkpoint(cs_ct_follower *f, const cs_ct_checkpoint *c,
                        int r)
{
    if (!f->any || f->have_tree)
        return 0;
    if (r != 0)
        return r != CS_E_CT_NO_SIGNATURE && r != CS_E_CT_SIG_FORMAT
            && cs__ct_probe(f);
    if (f->cfg.origin == NULL && c->origin_len < sizeof f->origin) {
        CS_MEMCPY(f->origin, c->origin, c->origin_len);
        f->origin_len = c->origin_len;
    }
    return 0;
}

/* get-sth is complete: check it, take it. */
static void
cs__ct_sth_end(cs_ct_follower *f)
{
    const unsigned char *broot;
    int r = cs_jtok_end(&f->u.j);
    uint64_t base = cs__ct_base(f, &broot);

    if (r != CS_JT_DONE || f->body_err != 0
        || f->sth_fields != (CS__CT_F_SIZE | CS__CT_F_TIME | CS__CT_F_ROOT
                             | CS__CT_F_SIG)) {
        if (cs__ct_probe(f))
            return;                   /* CS_CT_ANY: no tree head */
        cs__ct_fail(f, f->body_err != 0 ? f->body_err
                       : r < 0 ? r : CS_E_CT_RESPONSE);
        return;
    }
#if CS_HAS_TLS
    if (f->has_key) {
        r = cs_ct_sth_verify(&f->key, f->sth_time, f->sth_size, f->sth_root,
                             f->sth_sig, f->sth_sig_len);
        if (r != 0) {
            f->t_poll = f->now + f->cfg.poll_ms;
            cs__ct_emit4(f, CS_EV_CT_ERROR, r, 1, f->sth_size);
            return;
        }
    }
#endif
    if (f->cfg.verify && base > 0 && f->sth_size > base
        && !f->cons_unserved) {
        f->cons_pending = 1;          /* taken once proven consistent */
        f->t_poll = f->now + f->cfg.poll_ms;
        return;
    }
    cs__ct_head(f, f->sth_size, f->sth_time, f->sth_root);
}

/* The checkpoint is complete (in ebuf[0..blen)): check it, take it. */
static void
cs__ct_checkpoint_end(cs_ct_follower *f)
{
    cs_ct_checkpoint c;
    int r;

    if (f->body_err != 0) {
        if (!cs__ct_probe(f))         /* CS_CT_ANY: too big for one */
            cs__ct_fail(f, f->body_err);
        return;
    }
    c.tree_size = 0;
    r = cs_ct_checkpoint_parse(&c, (const char *)f->ebuf, f->blen,
                               f->has_key ? &f->key : NULL);
    if (cs__ct_probe_checkpoint(f, &c, r))
        return;
    if (r != 0)
        c.tree_size = 0;
    if (r == 0 && (c.origin_len != f->origin_len
                   || !cs__ct_eq(c.origin, f->origin, f->origin_len)))
        r = CS_E_CT_ORIGIN;
#if CS_HAS_TLS
    if (r == 0 && f->has_key)
        r = cs_ct_checkpoint_verify(&c, &f->key);
#endif
    if (r != 0) {
        f->t_poll = f->now + f->cfg.poll_ms;
        cs__ct_emit4(f, CS_EV_CT_ERROR, r, 1, c.tree_size);
        return;
    }
    if (f->cfg.verify && !f->have_tree && f->cfg.has_prev
        && f->cfg.prev_size > 0 && c.tree_size > f->cfg.prev_size) {
        /* taken once proven to extend the trusted head: the proof of
         * tile prev_size / 256 reads the old edge (cs__ct_start) */
        f->sth_size = c.tree_size;
        f->sth_time = c.has_sig ? c.timestamp : 0;
        CS_MEMCPY(f->sth_root, c.root, 32);
        cs_merkle_tiles_resume(&f->mt, f->cfg.prev_size, f->cfg.prev_root,
                               c.tree_size, c.root);
        (void)cs_merkle_tiles_start(&f->mt, f->cfg.prev_size / 256);
        f->mt_init = f->vt_ok = f->vt_busy = 0;
        f->prev_pending = 1;
        f->t_poll = f->now + f->cfg.poll_ms;
        return;
    }
    cs__ct_head(f, c.tree_size, c.has_sig ? c.timestamp : 0, c.root);
}

/* Static: the proof that the pending head extends cfg.prev_* ended (r: 0
 * or its error). Proven: mt holds the head, its edge verified; take it. */
static void
cs__ct_prev_end(cs_ct_follower *f, int r)
{
    f->prev_pending = 0;
    if (r != 0) {                     /* polled for again (t_poll) */
        cs__ct_emit4(f, CS_EV_CT_ERROR, r, 1, f->sth_size);
        return;
    }
    f->mt_init = 1;
    cs__ct_head(f, f->sth_size, f->sth_time, f->sth_root);
}

/* One get-entries element is complete: deliver it or name its error. */
static void
cs__ct_json_entry(cs_ct_follower *f)
{
    cs_ct_entry e;
    uint64_t index = f->req_start + f->got++;
    int r = f->entry_bad;

    if (index >= f->req_end || index < f->next)
        return;                       /* not asked for, or delivered */
    if (r == 0 && !f->have_leaf)
        r = CS_E_CT_RESPONSE;
    if (r == 0)
        r = cs_ct_leaf_parse(&e, f->ebuf + f->leaf_at, f->leaf_len);
    if (r == 0 && f->have_extra)
        r = cs_ct_extra_parse(&e, f->ebuf + f->extra_at, f->extra_len);
    if (r != 0) {
        cs__ct_bad(f, index, r);
        return;
    }
    cs__ct_deliver(f, index, &e, f->ebuf + f->blen, f->ebuf_cap - f->blen);
}

/* A token of get-sth or get-entries. */
static void
cs__ct_json_token(cs_ct_follower *f, int tok)
{
    int depth = cs_jtok_depth(&f->u.j);
    size_t n;

    if (f->req == CS__CT_CONSISTENCY) {
        /* {"consistency": ["<base64 hash>", ...]} into ebuf */
        if (depth == 1 && tok == CS_JT_KEY) {
            const char *k = cs_jtok_key(&f->u.j, &n, NULL);
            f->jf = n == 11 && cs__ct_eq(k, "consistency", 11)
                  ? CS__CT_J_CONS : CS__CT_J_NONE;
        } else if (depth == 2 && f->jf == CS__CT_J_CONS
                   && (tok == CS_JT_STR || tok == CS_JT_STR_END)) {
            if (!f->cons_in) {
                if (f->cons_n >= 64 || 32 * (f->cons_n + 1) > f->ebuf_cap) {
                    f->body_err = CS_E_CT_RESPONSE;
                    return;
                }
                cs_b64_init(&f->b64, f->ebuf + 32 * f->cons_n, 32);
                f->cons_in = 1;
            }
            if (tok == CS_JT_STR) {
                const unsigned char *p = cs_jtok_piece(&f->u.j, &n);
                (void)cs_b64_feed(&f->b64, (const char *)p, n);
            } else {
                if (cs_b64_end(&f->b64) != 32)
                    f->body_err = CS_E_CT_RESPONSE;
                f->cons_n++;
                f->cons_in = 0;
            }
        }
        return;
    }
    if (f->req == CS__CT_STH) {
        if (depth != 1)
            return;
        if (tok == CS_JT_KEY) {
            const char *k = cs_jtok_key(&f->u.j, &n, NULL);
            f->jf = CS__CT_J_NONE;
            if (n == 9 && cs__ct_eq(k, "tree_size", 9))
                f->jf = CS__CT_J_SIZE;
            else if (n == 9 && cs__ct_eq(k, "timestamp", 9))
                f->jf = CS__CT_J_TIME;
            else if (n == 16 && cs__ct_eq(k, "sha256_root_hash", 16)) {
                f->jf = CS__CT_J_ROOT;
                cs_b64_init(&f->b64, f->sth_root, 32);
            } else if (n == 19
                       && cs__ct_eq(k, "tree_head_signature", 19)) {
                f->jf = CS__CT_J_SIG;
                cs_b64_init(&f->b64, f->sth_sig, sizeof f->sth_sig);
            }
        } else if (f->jf == CS__CT_J_SIZE || f->jf == CS__CT_J_TIME) {
            uint64_t v;
            if (tok != CS_JT_NUM || cs_jtok_u64(&f->u.j, &v) != 0)
                f->body_err = CS_E_CT_RESPONSE;
            else if (f->jf == CS__CT_J_SIZE)
                f->sth_size = v, f->sth_fields |= CS__CT_F_SIZE;
            else
                f->sth_time = v, f->sth_fields |= CS__CT_F_TIME;
            f->jf = CS__CT_J_NONE;
        } else if (f->jf != CS__CT_J_NONE && tok == CS_JT_STR) {
            const unsigned char *p = cs_jtok_piece(&f->u.j, &n);
            (void)cs_b64_feed(&f->b64, (const char *)p, n);
        } else if (f->jf != CS__CT_J_NONE) {
            long len = tok == CS_JT_STR_END ? cs_b64_end(&f->b64)
                                            : (long)CS_E_CT_RESPONSE;
            if (f->jf == CS__CT_J_ROOT && len == 32)
                f->sth_fields |= CS__CT_F_ROOT;
            else if (f->jf == CS__CT_J_SIG && len > 0) {
                f->sth_sig_len = (size_t)len;
                f->sth_fields |= CS__CT_F_SIG;
            } else
                f->body_err = CS_E_CT_RESPONSE;
            f->jf = CS__CT_J_NONE;
        }
        return;
    }
    /* get-entries: {"entries": [{"leaf_input": .., "extra_data": ..}]} */
    if (depth == 2 && tok == CS_JT_OBJ) {
        f->have_leaf = f->have_extra = 0;
        f->entry_bad = 0;
        f->blen = 0;
        f->jf = CS__CT_J_NONE;
    } else if (depth == 2 && tok == CS_JT_OBJ_END) {
        cs__ct_json_entry(f);
    } else if (depth == 3 && tok == CS_JT_KEY) {
        const char *k = cs_jtok_key(&f->u.j, &n, NULL);
        f->jf = CS__CT_J_NONE;
        if (n == 10 && cs__ct_eq(k, "leaf_input", 10))
            f->jf = CS__CT_J_LEAF, f->leaf_at = f->blen;
        else if (n == 10 && cs__ct_eq(k, "extra_data", 10))
            f->jf = CS__CT_J_EXTRA, f->extra_at = f->blen;
        if (f->jf != CS__CT_J_NONE)
            cs_b64_init(&f->b64, f->ebuf + f->blen, f->ebuf_cap - f->blen);
    } else if (depth == 3 && tok == CS_JT_STR && f->jf != CS__CT_J_NONE) {
        const unsigned char *p = cs_jtok_piece(&f->u.j, &n);
        (void)cs_b64_feed(&f->b64, (const char *)p, n);
    } else if (depth == 3 && tok == CS_JT_STR_END
               && f->jf != CS__CT_J_NONE) {
        long len = cs_b64_end(&f->b64);
        if (len < 0) {
            if (f->entry_bad == 0)
                f->entry_bad = len == CS_E_B64_TOO_BIG ? CS_E_CT_TOO_BIG
                                                       : (int)len;
        } else if (f->jf == CS__CT_J_LEAF) {
            f->leaf_len = (size_t)len, f->have_leaf = 1;
            f->blen += (size_t)len;
        } else {
            f->extra_len = (size_t)len, f->have_extra = 1;
            f->blen += (size_t)len;
        }
        f->jf = CS__CT_J_NONE;
    } else if (depth == 3 && tok != CS_JT_KEY && f->jf != CS__CT_J_NONE) {
        if (f->entry_bad == 0)
            f->entry_bad = CS_E_CT_RESPONSE;  /* not a string */
        f->jf = CS__CT_J_NONE;
    }
}

/* The first byte of ebuf after every slice of the tile entry e: free
 * scratch for all_domains (the parser's own count is reset by then). */
static size_t
cs__ct_after(const cs_ct_follower *f, const cs_ct_entry *e)
{
    const unsigned char *p[4];
    size_t n[4], at = 0, k;

    p[0] = e->cert, n[0] = e->cert_len;
    p[1] = e->precert, n[1] = e->precert_len;
    p[2] = e->chain, n[2] = e->chain_len;
    p[3] = e->ext, n[3] = e->ext_len;
    for (k = 0; k < 4; k++)
        if (p[k] != NULL && p[k] >= f->ebuf && p[k] < f->ebuf + f->ebuf_cap
            && (size_t)(p[k] - f->ebuf) + n[k] > at)
            at = (size_t)(p[k] - f->ebuf) + n[k];
    return at;
}

/* Decoded body bytes of a 200 response. */
static void
cs__ct_body(cs_ct_follower *f, const unsigned char *p, size_t len)
{
    size_t used;
    int r;

    if (f->body_err != 0)
        return;
    if (f->req == CS__CT_CHECKPOINT) {
        if (len > f->ebuf_cap - f->blen) {
            f->body_err = CS_E_CT_BODY;
            return;
        }
        CS_MEMCPY(f->ebuf + f->blen, p, len);
        f->blen += len;
        return;
    }
    if (f->req == CS__CT_HASHTILE) {
        if (f->h_level == 0 && f->h_index == f->vt_index
            && len <= sizeof f->l0 - f->blen)   /* the tile to keep */
            CS_MEMCPY(&f->l0[0][0] + f->blen, p, len);
        f->blen += len;
        r = cs_merkle_tiles_feed(&f->mt, p, len);
        if (r != 0)
            f->body_err = r;
        return;
    }
    if (f->req == CS__CT_TILE) {
        uint64_t base = f->req_start - f->req_start % 256;
        for (;;) {                    /* again after each entry */
            r = cs_ct_tile_feed(&f->u.tile, p, len, &used);
            p += used, len -= used;
            if (r == 0)
                return;
            if (r == CS_CT_ENTRY || r == CS_E_CT_ENTRY_TOO_BIG) {
                uint64_t index = base + f->got++;
                const cs_ct_entry *e = cs_ct_tile_entry(&f->u.tile);
                if (index < f->next || index >= f->req_end)
                    continue;
                if (r < 0)
                    cs__ct_bad(f, index, CS_E_CT_TOO_BIG);
                else if (e->has_leaf_index && e->leaf_index != index)
                    cs__ct_bad(f, index, CS_E_CT_INDEX);
                else if (f->cfg.verify   /* cs__ct_verify_plan proved */
                         && !cs__ct_eq(e->leaf_hash, f->l0[index % 256], 32))
                    cs__ct_bad(f, index, CS_E_MERKLE_LEAF);
                else {
                    size_t at = cs__ct_after(f, e);
                    cs__ct_deliver(f, index, e, f->ebuf + at,
                                   f->ebuf_cap - at);
                }
                continue;
            }
            /* the tile is broken here: name the entry, skip the rest */
            f->body_err = r;
            if (base + f->got >= f->next && base + f->got < f->req_end) {
                cs__ct_bad(f, base + f->got, r);
                f->next = f->req_end;
            }
            return;
        }
    }
    while (f->body_err == 0) {        /* JSON: again after each token */
        r = cs_jtok_feed(&f->u.j, p, len, &used);
        p += used, len -= used;
        if (r < 0)
            f->body_err = r;
        if (r <= 0)
            return;
        cs__ct_json_token(f, r);
    }
}

/* Raw body bytes: through gzip when the log sent it so. */
static void
cs__ct_raw_body(cs_ct_follower *f, const unsigned char *p, size_t len)
{
    size_t used, n;
    int r;

    if (!f->gz) {
        cs__ct_body(f, p, len);
        return;
    }
    do {
        r = cs_inflate_feed(&f->z, p, len, &used);
        p += used, len -= used;
        if (r == CS_INFLATE_DATA) {
            const unsigned char *d = cs_inflate_data(&f->z, &n);
            cs__ct_body(f, d, n);
        }
    } while (r > 0 && f->body_err == 0);
    if (r < 0 && f->body_err == 0)
        f->gz_err = r;
}

/* u and v name the same host, port and scheme (one connection serves). */
static int
cs__ct_same_end(const cs_url *u, const cs_url *v)
{
    size_t n = cs__strlen(u->host);

    return u->tls == v->tls && u->port == v->port
        && n == cs__strlen(v->host) && cs__ct_eq(u->host, v->host, n);
}

/* The http(s) URL u as text in out[0..cap) (cut when longer). */
static size_t
cs__ct_url_text(const cs_url *u, char *out, size_t cap)
{
    size_t o = 0;

    (void)cs__puts(out, cap, &o, u->tls ? "https://" : "http://");
    (void)cs__put_authority(out, cap, &o, u);
    (void)cs__puts(out, cap, &o, u->path);
    return o;
}

/* A redirect answered the request: ask its Location instead, at once, or
 * say why not. The log's own URL stays (see cs_ct_step()). */
static void
cs__ct_redirect(cs_ct_follower *f, int status, int keep)
{
    const char *loc = cs_http_location(&f->http);
    int was_tls, err = 0;
    cs_event ev;

    if (f->redirects == 0) {          /* the URL the request went to */
        f->target = f->url;
        if (cs__url_path(&f->target, f->sbuf + 4, f->path_len) != 0)
            err = CS_E_URL;
    }
    was_tls = f->target.tls;
    if (err != 0)
        ;
    else if (f->redirects >= f->cfg.max_redirects)
        err = CS_E_CT_REDIRECTS;
    else if (cs_url_resolve(&f->target, loc, cs__strlen(loc)) != 0)
        err = CS_E_URL;
    else if (f->target.tls && !CS_HAS_TLS)
        err = CS_E_NO_TLS;
    else if (was_tls && !f->target.tls)
        err = CS_E_CT_DOWNGRADE;      /* never from https:// to cleartext */
    if (err != 0) {
        cs__ct_fail(f, err);
        return;
    }
    f->redirects++;
    f->stats.redirects++;
    if (!keep || f->conn_away || !cs__ct_same_end(&f->target, &f->url))
        cs__ct_drop(f);
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_REDIRECT;
    ev.status = status;
    ev.text = (const char *)f->rbuf;  /* free: the response is complete */
    ev.len = cs__ct_url_text(&f->target, (char *)f->rbuf, sizeof f->rbuf);
    cs__ct_emit(f, &ev);
    f->phase = CS__CT_IDLE;
    f->t_next = f->now;
}

/* The response is complete. */
static void
cs__ct_response_end(cs_ct_follower *f)
{
    int status = cs_http_status(&f->http), keep;

    f->stats.requests++;
    keep = cs_http_keep_alive(&f->http);
    if ((status == 301 || status == 302 || status == 303 || status == 307
         || status == 308) && cs_http_location(&f->http)[0] != '\0') {
        cs__ct_redirect(f, status, keep);
        return;
    }
    f->redirects = 0;
    if (status != 200) {
        if (status == 404 && cs__ct_probe(f))
            return;                   /* CS_CT_ANY: not this kind */
        if (f->req == CS__CT_ENTRIES && status == 400) {
            /* start past the log's tree: not yet (logs are balanced) */
            f->hold_until = f->now + f->cfg.poll_ms;
        } else if (f->req == CS__CT_CONSISTENCY && status >= 400
                   && status < 500 && status != 408 && status != 429) {
            /* (408, 429: not now, not "never": retried as any failure) */
            f->cons_unserved = 1;     /* said once; heads taken unproven */
            f->cons_pending = 0;
            cs__ct_warn(f, "CT log: get-sth-consistency is not served: "
                           "tree heads are taken without consistency "
                           "proofs");
            cs__ct_head(f, f->sth_size, f->sth_time, f->sth_root);
        } else {
            int64_t now = (int64_t)(cs__ct_unix_ms(f) / 1000);
            if ((status == 429 || status == 503)
                && (now > 0 || f->http.retry == 1))  /* a date: a clock */
                f->retry_after = cs_http_retry_after(&f->http, now);
            if (!keep)
                cs__ct_drop(f);
            cs__ct_fail(f, CS_E_CT_STATUS);
            return;
        }
    } else {
        int r = 0;
        if (f->gz && f->body_err == 0)
            r = f->gz_err != 0 ? f->gz_err : cs_inflate_finish(&f->z);
        if (r != 0) {
            cs__ct_fail(f, r);
            return;
        }
        if (f->req == CS__CT_STH)
            cs__ct_sth_end(f);
        else if (f->req == CS__CT_HASHTILE) {
            /* a lie stays sticky in mt: cs__ct_verify_plan() names it */
            if (f->body_err == 0)
                (void)cs_merkle_tiles_end(&f->mt);
        } else if (f->req == CS__CT_CONSISTENCY) {
            const unsigned char *broot;
            uint64_t base = cs__ct_base(f, &broot);
            r = f->body_err != 0 ? f->body_err : cs_jtok_end(&f->u.j);
            if (r != CS_JT_DONE) {
                cs__ct_fail(f, r < 0 ? r : CS_E_CT_RESPONSE);
                return;
            }
            f->cons_pending = 0;
            if (cs_merkle_verify_consistency(base, f->sth_size, broot,
                                             f->sth_root, f->ebuf,
                                             f->cons_n, NULL) != 0)
                cs__ct_emit4(f, CS_EV_CT_ERROR, CS_E_MERKLE_INCONSISTENT, 1,
                             f->sth_size);
            else
                cs__ct_head(f, f->sth_size, f->sth_time, f->sth_root);
        } else if (f->req == CS__CT_CHECKPOINT)
            cs__ct_checkpoint_end(f);
        else if (f->req == CS__CT_ENTRIES) {
            r = f->body_err != 0 ? f->body_err : cs_jtok_end(&f->u.j);
            if (r != CS_JT_DONE) {
                cs__ct_fail(f, r < 0 ? r : CS_E_CT_RESPONSE);
                return;
            }
            if (f->got == 0)
                f->hold_until = f->now + f->cfg.poll_ms;
        } else if (f->body_err == 0) {
            long n = cs_ct_tile_end(&f->u.tile);
            if (n < 0 || (uint64_t)n < f->req_end - f->req_start
                                         + f->req_start % 256) {
                cs__ct_fail(f, n < 0 ? (int)n : CS_E_CT_SHORT);
                return;
            }
        }
        if (f->phase != CS__CT_BUSY)
            return;                   /* it failed */
    }
    f->backoff_ms = f->cfg.backoff_min_ms;
    if (!keep)
        cs__ct_drop(f);
    f->phase = CS__CT_IDLE;
    f->t_next = f->now;
}

/* Append the base URL's path and a suffix to the request. */
static int
cs__ct_put_path(cs_ct_follower *f, size_t *o, const char *suffix)
{
    size_t n = cs__strlen(f->url.path);
    const char *q = f->url.path;
    size_t k;
    int r = 0;

    for (k = 0; k < n && q[k] != '?'; k++)
        ;                             /* a query on the base is dropped */
    r |= cs__put(f->sbuf, sizeof f->sbuf, o, q, k);
    if (k == 0 || q[k - 1] != '/')
        r |= cs__puts(f->sbuf, sizeof f->sbuf, o, "/");
    r |= cs__puts(f->sbuf, sizeof f->sbuf, o, suffix);
    return r;
}

/* v in decimal. */
static const char *
cs__ct_u64(uint64_t v, char buf[24])
{
    char *p = buf + 23;

    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    return p;
}

/* The C2SP tlog-tiles path of tile number n: "x001/x234/067". */
static int
cs__ct_tile_path(char *out, size_t cap, size_t *o, uint64_t n)
{
    char groups[8][4];
    int k = 0, r = 0;

    do {
        groups[k][0] = (char)('0' + n / 100 % 10);
        groups[k][1] = (char)('0' + n / 10 % 10);
        groups[k][2] = (char)('0' + n % 10);
        groups[k][3] = '\0';
        k++;
        n /= 1000;
    } while (n > 0);
    while (k-- > 0) {
        if (k > 0)
            r |= cs__puts(out, cap, o, "x");
        r |= cs__puts(out, cap, o, groups[k]);
        if (k > 0)
            r |= cs__puts(out, cap, o, "/");
    }
    return r;
}

/* The range [from, to) is delivered: say so and finish. */
static void
cs__ct_finish(cs_ct_follower *f)
{
    cs__ct_drop(f);
    f->phase = CS__CT_DONE;
    f->result = 2;
    cs__ct_emit4(f, CS_EV_CT_DONE, 0, 0, f->cfg.to);
}

/* The parsers a response to f->req needs, reset. */
static void
cs__ct_prepare(cs_ct_follower *f)
{
    f->jf = CS__CT_J_NONE;
    if (f->req == CS__CT_STH || f->req == CS__CT_ENTRIES
        || f->req == CS__CT_CONSISTENCY) {
        f->sth_fields = 0;
        f->cons_n = 0;
        f->cons_in = 0;
        cs_jtok_init(&f->u.j);
    } else if (f->req == CS__CT_TILE) {
        cs_ct_tile_init(&f->u.tile, f->ebuf, f->ebuf_cap);
    }
}

/* Static logs with cfg.verify: prove the data tile holding f->next before
 * it is fetched ([1k] tile verifier; the level-0 hash tile is kept in
 * l0). Returns 1 when the hash tile h_* is to be asked for, 0 when the
 * data tile may be fetched (vt_width of its entries are proven), -1 when
 * the tiles lie: said (status 1), and nothing of the tile is fetched
 * until the next head. */
static int
cs__ct_verify_plan(cs_ct_follower *f)
{
    uint64_t tile = f->next / 256;
    int r;

    if (f->vt_ok && f->vt_index == tile
        && f->next < tile * 256 + f->vt_width)
        return 0;
    if (!f->vt_busy) {
        /* under the checkpoint held while it covers the whole tile (what
         * it verified serves again), else under the newest head */
        if (!f->mt_init) {
            cs_merkle_tiles_init(&f->mt, f->tree_size, f->root);
            f->mt_init = 1;
        } else if (tile >= f->mt.size / 256   /* its last tile */
                   && (f->mt.size != f->tree_size
                       || !cs__ct_eq(f->mt.root, f->root, 32))) {
            /* unchanged right-edge tiles are not fetched again */
            cs_merkle_tiles_advance(&f->mt, f->tree_size, f->root);
        }
        if (cs_merkle_tiles_start(&f->mt, tile) != 0)
            return -1;                /* not in the tree: cannot happen */
        f->vt_busy = 1;
        f->vt_ok = 0;
        f->vt_index = tile;
    }
    r = cs_merkle_tiles_next(&f->mt, &f->h_level, &f->h_index, &f->h_width);
    if (r == 1)
        return 1;
    f->vt_busy = 0;
    if (r == 0) {
        f->vt_ok = 1;
        f->vt_width = f->mt.size - tile * 256 < 256
                    ? (unsigned)(f->mt.size - tile * 256) : 256;
        return 0;
    }
    cs__ct_emit4(f, CS_EV_CT_ERROR, r, 1, f->mt.size);
    /* again under the next head, from what is verified: a checkpoint
     * not yet proven to extend the last one stays to be proven */
    cs_merkle_tiles_advance(&f->mt, f->tree_size, f->root);
    f->hold_until = f->t_poll;
    return -1;
}

/* Choose the next request and start it (or wait). A redirected request
 * goes again, to where it was sent. */
static void
cs__ct_start(cs_ct_follower *f)
{
    const cs_url *at = &f->url;
    char num[24];
    size_t o = 0;
    int r = 0;

    if (f->redirects > 0) {
        at = &f->target;
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "GET ");
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, at->path);
        f->path_len = o - 4;
        goto send;
    }
    if (f->cfg.has_to && (f->have_tree || f->cfg.has_from)
        && f->next >= f->cfg.to) {
        cs__ct_finish(f);
        return;
    }
    if (f->conn_away)
        cs__ct_drop(f);               /* it went where a redirect said */
    f->req = 0;
    if (f->cons_pending) {            /* a new head waits for its proof */
        f->req = CS__CT_CONSISTENCY;
    } else if (f->prev_pending) {     /* the same, static (cs_ct_config) */
        int v = cs_merkle_tiles_next(&f->mt, &f->h_level, &f->h_index,
                                     &f->h_width);
        if (v != 1) {
            cs__ct_prev_end(f, v);
            f->t_next = f->now;       /* what is next */
            return;
        }
        f->req = CS__CT_HASHTILE;
    } else if (f->now >= f->t_poll) { /* 0 at first: at once */
        f->req = f->cfg.kind == CS_CT_STATIC ? CS__CT_CHECKPOINT
                                              : CS__CT_STH;
    } else if (f->next < f->tree_size && f->now >= f->hold_until) {
        f->req = f->cfg.kind == CS_CT_STATIC ? CS__CT_TILE
                                              : CS__CT_ENTRIES;
    } else {
        f->t_next = f->now < f->hold_until && f->hold_until < f->t_poll
                  ? f->hold_until : f->t_poll;
        return;
    }
    if (f->req == CS__CT_TILE && f->cfg.verify) {
        int v = cs__ct_verify_plan(f);
        if (v < 0) {
            f->t_next = f->now;       /* the poll is next */
            return;
        }
        if (v == 1)
            f->req = CS__CT_HASHTILE;
    }
    r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "GET ");
    f->req_start = f->next;
    if (f->req == CS__CT_STH) {
        r |= cs__ct_put_path(f, &o, "ct/v1/get-sth");
    } else if (f->req == CS__CT_CHECKPOINT) {
        r |= cs__ct_put_path(f, &o, "checkpoint");
    } else if (f->req == CS__CT_CONSISTENCY) {
        r |= cs__ct_put_path(f, &o, "ct/v1/get-sth-consistency?first=");
        const unsigned char *broot;
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                      cs__ct_u64(cs__ct_base(f, &broot), num));
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "&second=");
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                      cs__ct_u64(f->sth_size, num));
    } else if (f->req == CS__CT_HASHTILE) {
        r |= cs__ct_put_path(f, &o, "tile/");
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                      cs__ct_u64((uint64_t)f->h_level, num));
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "/");
        r |= cs__ct_tile_path(f->sbuf, sizeof f->sbuf, &o, f->h_index);
        if (f->h_width < 256) {
            r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, ".p/");
            r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                          cs__ct_u64(f->h_width, num));
        }
    } else if (f->req == CS__CT_ENTRIES) {
        /* (next < tree_size; a batch past 2^64 would wrap) */
        uint64_t end = f->tree_size - f->next > f->cfg.batch
                     ? f->next + f->cfg.batch : f->tree_size;
        if (f->cfg.has_to && end > f->cfg.to)
            end = f->cfg.to;
        f->req_end = end;
        r |= cs__ct_put_path(f, &o, "ct/v1/get-entries?start=");
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, cs__ct_u64(f->next, num));
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "&end=");
        r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, cs__ct_u64(end - 1, num));
    } else {
        /* the whole tile when the tree has it (partial tiles may be
         * gone then), the tree's partial one else; only [next, to) of
         * it is delivered */
        uint64_t tile = f->next / 256, end = f->tree_size;
        if (end - tile * 256 > 256)   /* (not (tile + 1) * 256: 2^64) */
            end = tile * 256 + 256;
        if (f->cfg.verify && end > tile * 256 + f->vt_width)
            end = tile * 256 + f->vt_width;   /* what is proven */
        f->req_end = f->cfg.has_to && end > f->cfg.to ? f->cfg.to : end;
        r |= cs__ct_put_path(f, &o, "tile/data/");
        r |= cs__ct_tile_path(f->sbuf, sizeof f->sbuf, &o, tile);
        if (end - tile * 256 < 256) {
            r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, ".p/");
            r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                          cs__ct_u64(end - tile * 256, num));
        }
    }
    f->path_len = o - 4;
send:
    cs__ct_prepare(f);
    r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, " HTTP/1.1\r\nHost: ");
    r |= cs__put_authority(f->sbuf, sizeof f->sbuf, &o, at);
    r |= cs__puts(f->sbuf, sizeof f->sbuf, &o, "\r\nUser-Agent: ");
    r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                  f->cfg.user_agent != NULL ? f->cfg.user_agent
                  : "certstream.h/" CERTSTREAM_VERSION_STRING);
    r |= cs__puts(f->sbuf, sizeof f->sbuf, &o,
                  "\r\nAccept-Encoding: gzip, identity\r\n\r\n");
    f->got = 0;
    f->blen = 0;
    f->body_err = f->gz_err = 0;
    f->gz = 0;
    f->started = 0;
    f->slen = o;
    f->soff = 0;
    f->phase = CS__CT_BUSY;
    f->t_io = f->now;
    cs_http_init(&f->http, 0);
    if (r != 0) {
        cs__ct_fail(f, CS_E_BUFFER);
        return;
    }
    f->reused = f->conn_open;
    if (!f->conn_open) {
        cs_event ev;
        CS_MEMSET(&ev, 0, sizeof ev);
        ev.type = CS_EV_CONNECTING;
        ev.text = f->cfg.url;
        ev.len = cs__strlen(f->cfg.url);
        if (at != &f->url) {
            ev.text = (const char *)f->rbuf;
            ev.len = cs__ct_url_text(at, (char *)f->rbuf, sizeof f->rbuf);
        }
        cs__ct_emit(f, &ev);
        f->conn_open = 1;
        f->conn_away = !cs__ct_same_end(at, &f->url);
        f->stats.connects++;
#if CS_HAS_TLS
        f->tr = at->tls ? f->tls_tr : f->link;
#endif
        r = f->tr.open(f->tr.ctx, at);
        if (r < 0)
            cs__ct_fail(f, r);
    }
}

/* The link ended or failed during a request. A kept-alive connection
 * that the server closed before answering is reopened at once. */
static void
cs__ct_link_end(cs_ct_follower *f, int err)
{
    if (err == CS_E_CLOSED) {
        int r = cs_http_eof(&f->http);
        if (r == CS_HTTP_DONE) {
            cs__ct_drop(f);
            cs__ct_response_end(f);
            return;
        }
        if (!f->started && f->reused) {
            cs__ct_drop(f);
            f->phase = CS__CT_IDLE;
            f->t_next = f->now;
            return;
        }
        err = f->started ? CS_E_HTTP_TRUNCATED : err;
    }
    cs__ct_fail(f, err);
}

/* Bytes received: through the HTTP parser to the body handlers. */
static void
cs__ct_input(cs_ct_follower *f, const unsigned char *p, size_t len)
{
    size_t used;
    int r;

    f->started = 1;
    f->stats.bytes += len;
    while (f->phase == CS__CT_BUSY) {
        r = cs_http_feed(&f->http, p, len, &used);
        p += used, len -= used;
        if (r < 0) {
            cs__ct_fail(f, r);
            return;
        }
        if (r == 0)
            return;
        if (r == CS_HTTP_HEAD) {
            f->gz = cs_http_encoding(&f->http) == CS_HTTP_GZIP;
            if (f->gz) {
                cs_inflate_init(&f->z, f->win, f->win_cap, CS_INFLATE_GZIP);
                cs_inflate_limit(&f->z, (uint64_t)64 << 20);
            }
        } else if (r == CS_HTTP_BODY) {
            size_t n;
            const unsigned char *b = cs_http_body(&f->http, &n);
            if (cs_http_status(&f->http) == 200)
                cs__ct_raw_body(f, b, n);
        } else if (r == CS_HTTP_DONE) {
            cs__ct_response_end(f);
            return;                   /* what follows is not asked for */
        }
    }
}

/* Write and read what can be now. Returns 1 if something moved. */
static int
cs__ct_io(cs_ct_follower *f)
{
    int moved = 0, reads, r;

    while (f->soff < f->slen) {
        r = f->tr.write(f->tr.ctx, (const unsigned char *)f->sbuf + f->soff,
                        f->slen - f->soff);
        if (r < 0) {
            cs__ct_link_end(f, r);
            return 1;
        }
        if (r == 0)
            return moved;
        f->soff += (size_t)r;
        f->t_io = f->now;
        moved = 1;
    }
    for (reads = 0; reads < CS__READS_PER_STEP && f->phase == CS__CT_BUSY;
         reads++) {
        r = f->tr.read(f->tr.ctx, f->rbuf, sizeof f->rbuf);
        if (r < 0) {
            cs__ct_link_end(f, r);
            return 1;
        }
        if (r == 0)
            break;
        f->t_io = f->now;
        moved = 1;
        cs__ct_input(f, f->rbuf, (size_t)r);
    }
    return moved && f->phase == CS__CT_BUSY;
}

CSDEF int
cs_ct_init(cs_ct_follower *f, const cs_ct_config *cfg, const cs_transport *t)
{
    const char *u;
    size_t n, k, o;
    unsigned char *mem;

    CS_ASSERT(f != NULL && cfg != NULL && t != NULL);
    CS_MEMSET(f, 0, sizeof *f);
    f->cfg = *cfg;
    f->tr = f->link = *t;
    f->wake_fd = -1;
    f->retry_after = -1;
    if (cfg->url == NULL)
        return CS_E_URL;
    n = cs__strlen(cfg->url);
    if (cs_url_parse(&f->url, cfg->url, n) != 0
        || f->url.scheme < CS_URL_HTTP)
        return CS_E_URL;
    if (f->url.tls && !CS_HAS_TLS)
        return CS_E_NO_TLS;
    if (cfg->kind == CS_CT_ANY) {     /* probed: get-sth first */
        f->any = 1;
        f->cfg.kind = CS_CT_RFC6962;
    } else if (cfg->kind != CS_CT_RFC6962 && cfg->kind != CS_CT_STATIC)
        return CS_E_ARG;
    if (f->cfg.poll_ms == 0)
        f->cfg.poll_ms = cfg->kind == CS_CT_STATIC ? 2000 : 5000;
    if (f->cfg.batch == 0 || f->cfg.timeout_ms == 0
        || f->cfg.backoff_min_ms == 0
        || f->cfg.backoff_max_ms < f->cfg.backoff_min_ms
        || cfg->mem == NULL || cfg->mem_cap < CS_CT_MEM_MIN
        || t->open == NULL || t->read == NULL || t->write == NULL
        || t->wait == NULL || t->close == NULL)
        return CS_E_ARG;
    if (f->cfg.random == NULL) {
#if CS_HAS_POSIX
        f->cfg.random = cs_os_random;
#else
        return CS_E_ARG;
#endif
    }
    if (cfg->key != NULL) {
        if (cs_ct_key_parse(&f->key, cfg->key, cfg->key_len) != 0)
            return CS_E_CT_KEY;
        f->has_key = CS_HAS_TLS;
    }
    if (cfg->origin != NULL) {
        u = cfg->origin;
        k = cs__strlen(u);
    } else {                          /* the URL without scheme and '/' */
        for (u = cfg->url; *u != '\0' && *u != ':'; u++)
            ;
        u += *u == ':' ? 3 : 0;
        k = n - (size_t)(u - cfg->url);
        if (k > 0 && u[k - 1] == '/')
            k--;
    }
    if (k >= sizeof f->origin)
        return CS_E_ARG;
    CS_MEMCPY(f->origin, u, k);
    f->origin_len = k;
    /* memory: the window, the domains, the entry buffer */
    mem = (unsigned char *)cfg->mem;
    f->win = mem;
    f->win_cap = CS_INFLATE_WINDOW;
    o = cfg->mem_cap - CS_INFLATE_WINDOW;
    f->dom_cap = o / 5 < CS_CT_DOMAINS_MEM ? o / 5 : CS_CT_DOMAINS_MEM;
    f->dom = mem + CS_INFLATE_WINDOW;
    f->ebuf = f->dom + f->dom_cap;
    f->ebuf_cap = o - f->dom_cap;
    f->backoff_ms = f->cfg.backoff_min_ms;
    f->phase = CS__CT_IDLE;
    if (f->cfg.has_from)
        f->next = f->cfg.from;        /* an empty range ends at once */
    if (f->cfg.max_redirects < 0)
        return CS_E_ARG;
#if CS_HAS_TLS
    {
        cs_tls_config tc = cfg->tls;
        int r;

        if (tc.unix_time == NULL) {       /* the follower's own clock */
            tc.unix_time = cfg->unix_time;
            tc.time_ctx = cfg->time_ctx;
        }
        r = cs__tls_apply(&f->tls, &f->link, &f->tls_tr, &tc,
                          f->cfg.random, f->cfg.random_ctx, &f->anchors,
                          f->builtin, &f->trust);
        if (r != 0)
            return r;
        if (f->url.tls)
            f->tr = f->tls_tr;
    }
#endif
    return 0;
}

CSDEF int
cs_ct_step(cs_ct_follower *f, uint64_t now_ms, cs_wait *w)
{
    int more = 0, rounds;

    CS_ASSERT(f != NULL && w != NULL);
    f->now = now_ms;
    if (!f->started_clock) {
        f->started_clock = 1;
        f->t_next = now_ms;
        if (!f->has_key)
            cs__ct_warn(f, "CT log: tree heads are not verified (no key"
#if !CS_HAS_TLS
                           ", or no TLS in this build"
#endif
                           ")");
#if CS_HAS_TLS
        if (f->url.tls && f->cfg.tls.mode == CS_TLS_INSECURE)
            cs__ct_warn(f, "CT log: the TLS certificate is not checked");
#endif
    }
    for (rounds = 0; rounds < 16 && f->phase != CS__CT_DONE; rounds++) {
        if (f->stop) {
            cs__ct_drop(f);
            f->phase = CS__CT_DONE;
            break;
        }
        if (f->phase == CS__CT_IDLE) {
            if (f->now < f->t_next)
                break;
            cs__ct_start(f);
            if (f->phase == CS__CT_IDLE && f->now < f->t_next)
                break;
            continue;
        }
        more = cs__ct_io(f);
        if (f->phase == CS__CT_BUSY && f->now - f->t_io >= f->cfg.timeout_ms)
            cs__ct_fail(f, CS_E_CT_TIMEOUT);
        if (!more)
            break;
    }
    f->stats.next = f->next;
    w->fd = -1;
    w->want = 0;
    if (f->phase == CS__CT_DONE) {
        w->deadline_ms = now_ms;
        return f->result == 2 ? 2 : 1;
    }
    if (f->phase == CS__CT_BUSY) {
        w->deadline_ms = more ? f->now : f->t_io + f->cfg.timeout_ms;
        w->want = f->tr.wait(f->tr.ctx, CS_WANT_READ
                             | (f->soff < f->slen ? CS_WANT_WRITE : 0),
                             &w->fd);
    } else {
        w->deadline_ms = f->t_next > f->now ? f->t_next : f->now;
    }
    return 0;
}

CSDEF void
cs_ct_stop(cs_ct_follower *f)
{
    f->stop = 1;
    if (f->wake != NULL && f->wake_fd >= 0)
        f->wake(f->wake_fd);
}

CSDEF const cs_ct_stats *
cs_ct_stats_get(const cs_ct_follower *f)
{
    return &f->stats;
}

CSDEF uint64_t
cs_ct_behind(const cs_ct_follower *f)
{
    return f->have_tree && f->tree_size > f->next ? f->tree_size - f->next
                                                  : 0;
}

CSDEF const char *
cs_ct_url(const cs_ct_follower *f)
{
    return f->cfg.url;
}

CSDEF const char *
cs_ct_name(const cs_ct_follower *f)
{
    return f->cfg.name != NULL ? f->cfg.name : f->cfg.url;
}

CSDEF size_t
cs_ct_follower_size(void)
{
    return sizeof(cs_ct_follower);
}

CSDEF void
cs_ct_close(cs_ct_follower *f)
{
    f->tr.close(f->tr.ctx);
}

#endif /* CS_HAS_CT */

/* ==== [3c] backfill: fetching what a stream missed ===== off: _NO_CT ==== */
#if CS_HAS_CT

CSDEF void
cs_backfill_config_init(cs_backfill_config *cfg)
{
    CS_MEMSET(cfg, 0, sizeof *cfg);
    cfg->direct = 1;
    cfg->verify = 1;
    cfg->max_entries = 1000;
    cfg->max_age_ms = 300000;
    cfg->mem_cap = CS_CT_MEM;
}

/* The certificates remembered (cs__bf_seen): a table of 2^k >= 4n/3
 * slots and a ring of n keys. Why not buckets of a few keys each: one
 * overfull bucket forgets a key early, so with the same memory their
 * window is a fraction of their size (8 ways at 1/4 full: 1 key in 1000
 * lost); the ring forgets exactly the oldest, and lookups stay O(1)
 * since the table is at most 3/4 full. The keys sit in the table
 * itself, so that a lookup, a deletion and an insertion each read one
 * run of slots and nothing else. Lays it out in mem[0..cap) (any
 * alignment). Returns the ring size n (0: cap too small). */
static size_t
cs__bf_seen_init(cs__bf_seen *s, void *mem, size_t cap)
{
    unsigned char *p = (unsigned char *)mem;
    size_t skip = (size_t)((8 - (uintptr_t)p % 8) % 8), t = 4, n;

    CS_MEMSET(s, 0, sizeof *s);
    if (cap < skip + 48)
        return 0;
    p += skip;
    cap -= skip;
    while (t < ((size_t)1 << 30) && t <= cap / 24)
        t *= 2;                       /* the most slots with 12 t <= cap */
    n = (cap - 8 * t) / 8;
    if (n > t / 4 * 3)
        n = t / 4 * 3;
    s->slot = (uint64_t *)(void *)p;
    s->ring = (uint64_t *)(void *)(p + 8 * t);
    s->n = n;
    s->mask = t - 1;
    CS_MEMSET(s->slot, 0, 8 * t);
    return n;
}

/* A certificate's key: 8 bytes of its SHA-1, bit 0 clear, never 0 (an
 * empty slot). Returns 0 for the SHA-1 of nothing (no certificate). */
static int
cs__bf_key(const unsigned char sha1[20], uint64_t *k)
{
    *k = cs__load_be64(sha1) & ~(uint64_t)1;
    if (*k == 0)
        *k = 2;
    return *k != 0xda39a3ee5e6b4b0cu;
}

/* The table slot where k's probe run starts. */
static size_t
cs__bf_home(const cs__bf_seen *s, uint64_t k)
{
    return (size_t)(k >> 1 ^ k >> 33) & s->mask;
}

/* The remembered key (origin in bit 0) equal to k but for bit 0, or
 * NULL. */
static uint64_t *
cs__bf_seen_find(const cs__bf_seen *s, uint64_t k)
{
    size_t h = cs__bf_home(s, k);

    while (s->slot[h] != 0) {
        if ((s->slot[h] ^ k) <= 1)
            return &s->slot[h];
        h = (h + 1) & s->mask;
    }
    return NULL;
}

/* Empty slot h and close the hole behind it (linear probing deletion,
 * Knuth 6.4 Algorithm R): each later key of the run whose home is not
 * cyclically in (h, j] moves up into the hole. */
static void
cs__bf_seen_unslot(cs__bf_seen *s, size_t h)
{
    size_t j = h, home;

    for (;;) {
        j = (j + 1) & s->mask;
        if (s->slot[j] == 0)
            break;
        home = cs__bf_home(s, s->slot[j]);
        if (((j - home) & s->mask) >= ((j - h) & s->mask)) {
            s->slot[h] = s->slot[j];
            h = j;
        }
    }
    s->slot[h] = 0;
}

/* Remember k (not remembered yet; origin in bit 0), forgetting the
 * oldest when full. */
static void
cs__bf_seen_add(cs__bf_seen *s, uint64_t k)
{
    size_t h;

    if (s->used == s->n) {            /* forget ring[at]: find its slot */
        h = cs__bf_home(s, s->ring[s->at]);
        while ((s->slot[h] ^ s->ring[s->at]) > 1)
            h = (h + 1) & s->mask;
        cs__bf_seen_unslot(s, h);
    } else {
        s->used++;
    }
    s->ring[s->at] = k;
    h = cs__bf_home(s, k);
    while (s->slot[h] != 0)
        h = (h + 1) & s->mask;
    s->slot[h] = k;
    s->at = s->at + 1 == s->n ? 0 : s->at + 1;
}

CSDEF int
cs_backfill_init(cs_backfill *b, const cs_backfill_config *cfg)
{
    size_t i;

    CS_ASSERT(b != NULL && cfg != NULL);
    CS_MEMSET(b, 0, sizeof *b);
    if (cfg->slots == 0 || cfg->slots > CS_BF_SLOTS
        || cfg->mem_cap < CS_CT_MEM_MIN)
        return CS_E_ARG;
    for (i = 0; i < cfg->slots; i++)
        if (cfg->slot[i] == NULL || cfg->mem[i] == NULL)
            return CS_E_ARG;
    b->stats.window = cfg->seen != NULL
        ? cs__bf_seen_init(&b->seen, cfg->seen, cfg->seen_cap)
        : cs__bf_seen_init(&b->seen, b->seen_mem, sizeof b->seen_mem);
    if (b->stats.window == 0)
        return CS_E_ARG;
    b->cfg = *cfg;
    return 0;
}

/* A CS_EV_BACKFILL: [first, first + count) of url is done (err 0) or
 * given up (err: why). */
static void
cs__bf_report(cs_backfill *b, const char *url, size_t len, uint64_t first,
              uint64_t count, int err)
{
    cs_event ev;

    if (err != 0) {
        b->stats.given_up += count;
        b->stats.gaps_given_up++;
    }
    if (b->cfg.on_event == NULL)
        return;
    CS_MEMSET(&ev, 0, sizeof ev);
    ev.type = CS_EV_BACKFILL;
    ev.err = err;
    ev.text = url;
    ev.len = len;
    ev.index = first;
    ev.detail = count > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)count;
    b->cfg.on_event(b->cfg.ctx, &ev);
}

/* "http://" or "https://", any case. */
static int
cs__bf_http(const char *s, size_t n)
{
    return (n > 7 && cs__ieq(s, 7, "http://"))
        || (n > 8 && cs__ieq(s, 8, "https://"));
}

/* The remembered probe of the normalised URL u[0..n), or NULL. */
static cs__bf_probed *
cs__bf_probed_find(cs_backfill *b, const char *u, size_t n)
{
    size_t i;

    for (i = 0; i < CS_BF_PROBED; i++)
        if (b->probed[i].url_len == n && n > 0
            && cs__eq(b->probed[i].url, u, n))
            return &b->probed[i];
    return NULL;
}

/* Remember what probing url (as the job spells it) found: kind, or 0 for
 * neither; a static log's origin o[0..on). One that does not fit is not
 * remembered (the next gap probes again). */
static void
cs__bf_probed_add(cs_backfill *b, const char *url, int kind, const char *o,
                  size_t on)
{
    char norm[CS_GAP_URL_MAX];
    size_t n = cs_gap_url(norm, sizeof norm, url, cs__strlen(url));
    cs__bf_probed *p;

    if (n == 0 || n > sizeof norm || on >= CS_BF_URL_MAX)
        return;
    p = cs__bf_probed_find(b, norm, n);
    if (p == NULL) {                  /* the oldest answer goes */
        p = &b->probed[b->probed_at];
        b->probed_at = (b->probed_at + 1) % CS_BF_PROBED;
    }
    CS_MEMCPY(p->url, norm, n);
    p->url_len = n;
    p->kind = kind;
    CS_MEMCPY(p->origin, o, on);
    p->origin[on] = '\0';
}

/* A job of a URL not in the list (kind CS_CT_ANY) about to start on slot
 * i: what an earlier probe found (the static origin into b->origin[i]),
 * or a probe. Returns 0, or CS_E_CT_NOT_A_LOG (found to be neither). */
static int
cs__bf_resolve(cs_backfill *b, size_t i, cs__bf_job *j)
{
    char norm[CS_GAP_URL_MAX];
    size_t n = cs_gap_url(norm, sizeof norm, j->url, cs__strlen(j->url));
    const cs__bf_probed *p = n <= sizeof norm
                           ? cs__bf_probed_find(b, norm, n) : NULL;

    j->probe = p == NULL;
    if (p == NULL)
        return 0;                     /* the follower probes */
    if (p->kind == 0)
        return CS_E_CT_NOT_A_LOG;
    j->kind = p->kind;
    CS_MEMCPY(b->origin[i], p->origin, sizeof p->origin);
    return 0;
}

/* Where to fetch gap g from: fills the job's log fields. Returns 0,
 * CS_E_BF_NO_LOG, or CS_E_CT_NOT_A_LOG (a URL probed before). */
static int
cs__bf_find(cs_backfill *b, const cs_gap_event *g, cs__bf_job *j)
{
    char norm[CS_GAP_URL_MAX];
    size_t i, n, keep;
    const cs__bf_probed *p;

    j->probe = j->err = 0;
    for (i = 0; i < b->cfg.log_count; i++) {
        const cs_ct_log *l = &b->cfg.logs[i];
        size_t ul;
        int hit;
        if (l->url == NULL)
            continue;
        ul = cs__strlen(l->url);
        n = cs_gap_url(norm, sizeof norm, l->url, ul);
        keep = n < sizeof norm ? n : sizeof norm;
        hit = keep == g->url_len && cs__eq(norm, g->url, keep);
        if (!hit && l->kind == CS_CT_STATIC && l->origin != NULL) {
            /* a server may name a static log by its submission prefix
               (the origin, normalised the same way) */
            n = cs_gap_url(norm, sizeof norm, l->origin,
                           cs__strlen(l->origin));
            keep = n < sizeof norm ? n : sizeof norm;
            hit = keep == g->url_len && cs__eq(norm, g->url, keep);
        }
        if (!hit || ul >= sizeof j->url)
            continue;
        CS_MEMCPY(j->url, l->url, ul + 1);
        j->kind = l->kind;
        j->key = l->key;
        j->key_len = l->key_len;
        j->name = l->description;
        j->origin = l->kind == CS_CT_STATIC ? l->origin : NULL;
        return 0;
    }
    if (!b->cfg.direct || g->source_len >= CS_GAP_URL_MAX
        || !cs__bf_http(g->source, g->source_len))
        return CS_E_BF_NO_LOG;        /* cut, or not a log's URL */
    p = cs__bf_probed_find(b, g->url, g->url_len);
    if (p != NULL && p->kind == 0)
        return CS_E_CT_NOT_A_LOG;
    CS_MEMCPY(j->url, g->source, g->source_len);
    j->url[g->source_len] = '\0';
    j->kind = CS_CT_ANY;              /* cs__bf_resolve() at its start */
    j->key = NULL;
    j->key_len = 0;
    j->name = NULL;
    j->origin = NULL;
    return 0;
}

CSDEF void
cs_backfill_gap(cs_backfill *b, const cs_gap_event *g, uint64_t now_ms)
{
    cs__bf_job j;
    int r;

    CS_ASSERT(b != NULL && g != NULL);
    b->stats.gaps++;
    r = cs__bf_find(b, g, &j);
    if (r != 0) {
        b->stats.no_log++;
        cs__bf_report(b, g->url, g->url_len, g->first, g->count, r);
        return;
    }
    j.first = g->first;
    j.count = g->count < b->cfg.max_entries ? g->count
                                            : b->cfg.max_entries;
    j.t = now_ms;
    if (j.count < g->count)           /* the cap: the rest is given up */
        cs__bf_report(b, g->url, g->url_len, g->first + j.count,
                      g->count - j.count, CS_E_BF_GAVE_UP);
    if (j.count == 0)
        return;
    if (b->qlen == CS_BF_QUEUE) {
        cs__bf_report(b, g->url, g->url_len, j.first, j.count,
                      CS_E_BF_GAVE_UP);
        return;
    }
    b->queue[(b->qhead + b->qlen) % CS_BF_QUEUE] = j;
    b->qlen++;
}

/* A probing follower's event (kind CS_CT_ANY): its first head says the
 * kind, CS_E_CT_NOT_A_LOG that there is none; either is remembered, and
 * the latter ends the gap (cs_backfill_step()). */
static void
cs__bf_probe_event(cs_backfill *b, const cs_event *ev)
{
    const cs_ct_follower *f = ev->log;
    size_t i;

    for (i = 0; i < b->cfg.slots; i++)
        if (b->cfg.slot[i] == f && b->busy[i] && b->run[i].probe)
            break;
    if (i == b->cfg.slots)
        return;
    if (ev->type == CS_EV_CT_TREE && ev->status == 1) {
        /* the follower's own record of what answered (private to [3b],
         * read here only) */
        cs__bf_probed_add(b, b->run[i].url, f->cfg.kind, f->origin,
                          f->cfg.kind == CS_CT_STATIC ? f->origin_len : 0);
        b->run[i].probe = 0;
    } else if (ev->type == CS_EV_FAILED && ev->err == CS_E_CT_NOT_A_LOG) {
        cs__bf_probed_add(b, b->run[i].url, 0, "", 0);
        b->run[i].probe = 0;
        b->run[i].err = CS_E_CT_NOT_A_LOG;
    }
}

/* The followers' events: entries go to the caller flagged, once per
 * certificate; the rest is the backfill's business. */
static void
cs__bf_on_event(void *ctx, const cs_event *ev)
{
    cs_backfill *b = (cs_backfill *)ctx;
    cs_event e;
    uint64_t k;

    if (ev->type == CS_EV_CT_TREE || ev->type == CS_EV_FAILED)
        cs__bf_probe_event(b, ev);
    if (ev->type == CS_EV_CT_ERROR && ev->status == 0)
        b->stats.bad++;
    if (ev->type == CS_EV_FAILED && ev->err != CS_E_CT_NOT_A_LOG)
        b->stats.failures++;
    if (ev->type != CS_EV_MESSAGE || ev->err != 0 || ev->entry == NULL)
        return;
    if (cs__bf_key(ev->entry->sha1, &k)) {
        if (cs__bf_seen_find(&b->seen, k) != NULL) {
            b->stats.duplicates++;    /* the server's or a backfill's */
            return;
        }
        cs__bf_seen_add(&b->seen, k | 1);
    }
    b->stats.delivered++;
    if (b->cfg.on_event == NULL)
        return;
    e = *ev;
    e.backfilled = 1;
    b->cfg.on_event(b->cfg.ctx, &e);
}

/* Start queued gaps on slot i until one runs (or the queue is empty). */
static void
cs__bf_start(cs_backfill *b, size_t i, uint64_t now)
{
    while (!b->busy[i] && b->qlen > 0) {
        cs__bf_job *j = &b->run[i];
        cs_ct_config fc;
        int r;

        *j = b->queue[b->qhead];
        b->qhead = (b->qhead + 1) % CS_BF_QUEUE;
        b->qlen--;
        if (now - j->t >= b->cfg.max_age_ms) {
            cs__bf_report(b, j->url, cs__strlen(j->url), j->first,
                          j->count, CS_E_BF_GAVE_UP);
            continue;
        }
        b->origin[i][0] = '\0';
        if (j->kind == CS_CT_ANY && (r = cs__bf_resolve(b, i, j)) != 0) {
            b->stats.no_log++;        /* probed before: neither */
            cs__bf_report(b, j->url, cs__strlen(j->url), j->first,
                          j->count, r);
            continue;
        }
        cs_ct_config_init(&fc);
        fc.url = j->url;
        fc.kind = j->kind;
        fc.origin = j->origin != NULL ? j->origin
                  : b->origin[i][0] != '\0' ? b->origin[i] : NULL;
        fc.name = j->name;
        fc.key = j->key;
        fc.key_len = j->key_len;
        fc.on_event = cs__bf_on_event;
        fc.ctx = b;
        fc.match = b->cfg.match;
        fc.verify = b->cfg.verify;
        fc.mem = b->cfg.mem[i];
        fc.mem_cap = b->cfg.mem_cap;
        fc.from = j->first, fc.has_from = 1;
        fc.to = j->first + j->count, fc.has_to = 1;
#if CS_HAS_TLS
        fc.tls = b->cfg.tls;
#endif
        r = cs_ct_init(b->cfg.slot[i], &fc, &b->cfg.transport[i]);
        if (r != 0) {
            cs__bf_report(b, j->url, cs__strlen(j->url), j->first,
                          j->count, r);
            continue;
        }
        b->busy[i] = 1;
    }
}

/* Slot i's gap ended: done (err 0) or the rest from next on given up. */
static void
cs__bf_end(cs_backfill *b, size_t i, int err)
{
    cs__bf_job *j = &b->run[i];
    uint64_t next = cs_ct_stats_get(b->cfg.slot[i])->next, end;

    end = j->first + j->count;
    if (next < j->first)
        next = j->first;
    cs_ct_close(b->cfg.slot[i]);
    b->busy[i] = 0;
    if (err == 0) {
        b->stats.done++;
        cs__bf_report(b, j->url, cs__strlen(j->url), j->first, j->count,
                      0);
    } else {
        cs__bf_report(b, j->url, cs__strlen(j->url), next,
                      end > next ? end - next : 0, err);
    }
}

CSDEF size_t
cs_backfill_step(cs_backfill *b, uint64_t now_ms, cs_wait *w, size_t cap)
{
    size_t i, n = 0;
    int pass, r;

    CS_ASSERT(b != NULL && (w != NULL || cap == 0));
    b->now = now_ms;
    for (i = 0; i < b->cfg.slots; i++) {
        for (pass = 0; pass < 4; pass++) {
            cs_wait wi;
            cs__bf_start(b, i, now_ms);
            if (!b->busy[i])
                break;
            if (now_ms - b->run[i].t >= b->cfg.max_age_ms) {
                cs__bf_end(b, i, CS_E_BF_GAVE_UP);
                continue;
            }
            r = cs_ct_step(b->cfg.slot[i], now_ms, &wi);
            if (b->run[i].err != 0) { /* a probe found no log */
                b->stats.no_log++;
                cs__bf_end(b, i, b->run[i].err);
                continue;
            }
            if (r == 2 || r == 1) {
                cs__bf_end(b, i, r == 2 ? 0 : CS_E_BF_GAVE_UP);
                continue;
            }
            if (wi.deadline_ms > b->run[i].t + b->cfg.max_age_ms)
                wi.deadline_ms = b->run[i].t + b->cfg.max_age_ms;
            if (n < cap)
                w[n++] = wi;
            break;
        }
    }
    return n;
}

static void
cs__bf_gap_hook(void *b, const cs_gap_event *g, uint64_t now)
{
    cs_backfill_gap((cs_backfill *)b, g, now);
}

static size_t
cs__bf_step_hook(void *b, uint64_t now, struct cs_wait *w, size_t cap)
{
    return cs_backfill_step((cs_backfill *)b, now, w, cap);
}

/* A server's certificate_update about to be delivered: remembered when
 * new; 1 (not delivered) when a backfill delivered its certificate. */
static int
cs__bf_msg_hook(void *bf, const cs_msg *m)
{
    cs_backfill *b = (cs_backfill *)bf;
    uint64_t k, *e;

    if (!cs__bf_key(m->sha1, &k))
        return 0;
    e = cs__bf_seen_find(&b->seen, k);
    if (e == NULL) {
        cs__bf_seen_add(&b->seen, k);
        return 0;
    }
    if ((*e & 1) == 0)
        return 0;                     /* the server's own repeat */
    b->stats.server_duplicates++;
    return 1;
}

CSDEF void
cs_backfill_attach(cs_backfill *b, cs_config *cfg)
{
    cfg->backfill = b;
    cfg->backfill_gap = cs__bf_gap_hook;
    cfg->backfill_step = cs__bf_step_hook;
    cfg->backfill_msg = cs__bf_msg_hook;
}

CSDEF size_t
cs_backfill_pending(const cs_backfill *b)
{
    size_t i, n = b->qlen;

    for (i = 0; i < b->cfg.slots; i++)
        n += (size_t)b->busy[i];
    return n;
}

CSDEF const cs_backfill_stats *
cs_backfill_stats_get(const cs_backfill *b)
{
    return &b->stats;
}

CSDEF void
cs_backfill_close(cs_backfill *b)
{
    size_t i;

    for (i = 0; i < b->cfg.slots; i++)
        if (b->busy[i]) {
            cs_ct_close(b->cfg.slot[i]);
            b->busy[i] = 0;
        }
}

#endif /* CS_HAS_CT */

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
#if CS_POSIX_READAHEAD > 0
    p->ra_off = p->ra_len = 0;
#endif
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
    ssize_t n = 0;
    int r;

#if CS_POSIX_READAHEAD > 0
    if (p->ra_off == p->ra_len && len < CS_POSIX_READAHEAD) {
        r = cs__posix_ready(p);       /* small reads go through ra */
        if (r <= 0)
            return r;
        n = recv(p->fd, p->ra, CS_POSIX_READAHEAD, 0);
        if (n > 0)
            p->ra_off = 0, p->ra_len = (size_t)n;
    }
    if (p->ra_off < p->ra_len) {      /* what the last recv() brought */
        size_t k = p->ra_len - p->ra_off;
        if (k > len)
            k = len;
        CS_MEMCPY(buf, p->ra + p->ra_off, k);
        p->ra_off += k;
        return (int)k;
    }
    if (len >= CS_POSIX_READAHEAD)
#endif
    {
        r = cs__posix_ready(p);
        if (r <= 0)
            return r;
        n = recv(p->fd, buf, len, 0);
    }
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
#if CS_POSIX_READAHEAD > 0
    if ((want & CS_WANT_READ) && p->ra_off < p->ra_len)
        return want | CS_WANT_WRITE;  /* readable now: any wake-up will do */
#endif
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
    return cs_run_idle(c, NULL, NULL);
}

/* Backfill followers one loop waits on ([3c]). */
#define CS__RUN_BF 8

CSDEF int
cs_run_idle(cs_client *c, void (*idle)(void *ctx), void *ctx)
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
        struct pollfd pf[2 + CS__RUN_BF];
        nfds_t n = 0;
        uint64_t now = cs_now_ms();
        cs_wait w, bw[CS__RUN_BF + 1];
        size_t nb = 0, k;
        int ms, fin = cs_client_step(c, now, &bw[0]) != 0;

        if (c->cfg.backfill_step != NULL && !c->stop)   /* [3c] */
            nb = c->cfg.backfill_step(c->cfg.backfill, now, bw + 1,
                                      CS__RUN_BF);
        if (fin && nb == 0)
            break;                    /* the client and its backfill */
        w = bw[0];
        if (fin)
            w.fd = -1, w.deadline_ms = now + 600000;
        for (k = 0; k <= nb; k++) {
            if (bw[k].deadline_ms < w.deadline_ms)
                w.deadline_ms = bw[k].deadline_ms;
            if (bw[k].fd < 0 || bw[k].want == 0 || (k == 0 && fin))
                continue;
            pf[n].fd = bw[k].fd;
            pf[n].events = (short)(((bw[k].want & CS_WANT_READ) ? POLLIN
                                                                : 0)
                                   | ((bw[k].want & CS_WANT_WRITE)
                                      ? POLLOUT : 0));
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
        if (ms > 0 && idle != NULL)
            idle(ctx);
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

#if CS_HAS_CT
CSDEF int
cs_ct_run(cs_ct_follower *const *f, size_t n, void (*idle)(void *ctx),
          void *ctx)
{
    struct pollfd pf[CS_CT_RUN_MAX + 1];
    int pipefd[2] = { -1, -1 }, i;
    size_t k;

    if (n == 0 || n > CS_CT_RUN_MAX)
        return CS_E_ARG;
    if (pipe(pipefd) == 0) {
        for (i = 0; i < 2; i++) {
            int fl = fcntl(pipefd[i], F_GETFL, 0);
            (void)fcntl(pipefd[i], F_SETFL, fl | O_NONBLOCK);
            (void)fcntl(pipefd[i], F_SETFD, FD_CLOEXEC);
        }
        for (k = 0; k < n; k++) {
            f[k]->wake = cs__posix_wake;
            f[k]->wake_fd = pipefd[1];
        }
    }
    for (;;) {
        uint64_t now = cs_now_ms(), deadline = now + 600000;
        nfds_t np = 0;
        size_t live = 0;
        int ms;

        for (k = 0; k < n; k++) {
            cs_wait w;
            if (cs_ct_step(f[k], now, &w) != 0)
                continue;
            live++;
            if (w.deadline_ms < deadline)
                deadline = w.deadline_ms;
            if (w.fd >= 0 && w.want != 0) {
                pf[np].fd = w.fd;
                pf[np].events = (short)(((w.want & CS_WANT_READ) ? POLLIN
                                                                 : 0)
                                        | ((w.want & CS_WANT_WRITE)
                                           ? POLLOUT : 0));
                pf[np++].revents = 0;
            }
        }
        if (live == 0)
            break;
        if (pipefd[0] >= 0) {
            pf[np].fd = pipefd[0];
            pf[np].events = POLLIN;
            pf[np++].revents = 0;
        }
        ms = deadline <= now ? 0 : (int)(deadline - now);
        if (ms > 0 && idle != NULL)
            idle(ctx);
        if (poll(pf, np, ms) > 0 && pipefd[0] >= 0) {
            unsigned char drain[64];
            while (read(pipefd[0], drain, sizeof drain) > 0)
                ;
        }
    }
    for (k = 0; k < n; k++) {
        f[k]->wake_fd = -1;
        cs_ct_close(f[k]);
    }
    for (i = 0; i < 2; i++)
        if (pipefd[i] >= 0)
            close(pipefd[i]);
    return 0;
}
#endif

#endif /* CS_HAS_POSIX */

/* ==== [8] the CT log list built in ===================== off: _NO_CT ==== */
#if CS_HAS_CT

/* One row of the snapshot: offsets into one string pool and one key
 * pool, so the table holds no pointers (read-only, position-independent,
 * and half the size on 64-bit targets). */
typedef struct cs__ct_snap_row {
    unsigned char kind, state;
    uint16_t op, desc, url, key, key_len;
    uint32_t mmd;
    int64_t start, end;
    uint16_t origin;           /* in cs__ct_snap_origin; 0xffff: none */
} cs__ct_snap_row;

/* BEGIN generated by tools/gen_loglist.py: Google's CT log list v3,
 * version 85.92 of 2026-05-29T13:42:48Z, signature checked.
 * 52 logs (usable, qualified or readonly; placeholders left out).
 * Do not edit by hand. */
#define CS__CT_SNAP_VERSION "85.92"
#define CS__CT_SNAP_DATE "2026-05-29T13:42:48Z"
#define CS__CT_SNAP_TIME 1780062168LL
static const char cs__ct_snap_str[] =
    "Google\0"
    "Google 'Argon2026h1' log\0"
    "https://ct.googleapis.com/logs/us1/argon2026h1/\0"
    "Google 'Argon2026h2' log\0"
    "https://ct.googleapis.com/logs/us1/argon2026h2/\0"
    "Google 'Argon2027h1'\0"
    "https://ct.googleapis.com/logs/us1/argon2027h1/\0"
    "Google 'Xenon2026h1' log\0"
    "https://ct.googleapis.com/logs/eu1/xenon2026h1/\0"
    "Google 'Xenon2026h2' log\0"
    "https://ct.googleapis.com/logs/eu1/xenon2026h2/\0"
    "Google 'Xenon2027h1'\0"
    "https://ct.googleapis.com/logs/eu1/xenon2027h1/\0"
    "Cloudflare\0"
    "Cloudflare 'Nimbus2026'\0"
    "https://ct.cloudflare.com/logs/nimbus2026/\0"
    "Cloudflare 'Nimbus2027'\0"
    "https://ct.cloudflare.com/logs/nimbus2027/\0"
    "DigiCert\0"
    "DigiCert 'Wyvern2026h1'\0"
    "https://wyvern.ct.digicert.com/2026h1/\0"
    "DigiCert 'Wyvern2026h2'\0"
    "https://wyvern.ct.digicert.com/2026h2/\0"
    "DigiCert 'Wyvern2027h1'\0"
    "https://wyvern.ct.digicert.com/2027h1/\0"
    "DigiCert 'Wyvern2027h2'\0"
    "https://wyvern.ct.digicert.com/2027h2/\0"
    "DigiCert 'Sphinx2026h1'\0"
    "https://sphinx.ct.digicert.com/2026h1/\0"
    "DigiCert 'Sphinx2026h2'\0"
    "https://sphinx.ct.digicert.com/2026h2/\0"
    "DigiCert 'sphinx2027h1'\0"
    "https://sphinx.ct.digicert.com/2027h1/\0"
    "DigiCert 'sphinx2027h2'\0"
    "https://sphinx.ct.digicert.com/2027h2/\0"
    "Sectigo\0"
    "Sectigo 'Mammoth2026h1'\0"
    "https://mammoth2026h1.ct.sectigo.com/\0"
    "Sectigo 'Mammoth2026h2'\0"
    "https://mammoth2026h2.ct.sectigo.com/\0"
    "Sectigo 'Sabre2026h1'\0"
    "https://sabre2026h1.ct.sectigo.com/\0"
    "Sectigo 'Sabre2026h2'\0"
    "https://sabre2026h2.ct.sectigo.com/\0"
    "Sectigo 'Elephant2026h1'\0"
    "https://elephant2026h1.ct.sectigo.com/\0"
    "Sectigo 'Elephant2026h2'\0"
    "https://elephant2026h2.ct.sectigo.com/\0"
    "Sectigo 'Elephant2027h1'\0"
    "https://elephant2027h1.ct.sectigo.com/\0"
    "Sectigo 'Elephant2027h2'\0"
    "https://elephant2027h2.ct.sectigo.com/\0"
    "Sectigo 'Tiger2026h1'\0"
    "https://tiger2026h1.ct.sectigo.com/\0"
    "Sectigo 'Tiger2026h2'\0"
    "https://tiger2026h2.ct.sectigo.com/\0"
    "Sectigo 'Tiger2027h1'\0"
    "https://tiger2027h1.ct.sectigo.com/\0"
    "Sectigo 'Tiger2027h2'\0"
    "https://tiger2027h2.ct.sectigo.com/\0"
    "Let's Encrypt\0"
    "Let's Encrypt 'Sycamore2026h1'\0"
    "https://mon.sycamore.ct.letsencrypt.org/2026h1/\0"
    "Let's Encrypt 'Sycamore2026h2'\0"
    "https://mon.sycamore.ct.letsencrypt.org/2026h2/\0"
    "Let's Encrypt 'Sycamore2027h1'\0"
    "https://mon.sycamore.ct.letsencrypt.org/2027h1/\0"
    "Let's Encrypt 'Sycamore2027h2'\0"
    "https://mon.sycamore.ct.letsencrypt.org/2027h2/\0"
    "Let's Encrypt 'Willow2026h1'\0"
    "https://mon.willow.ct.letsencrypt.org/2026h1/\0"
    "Let's Encrypt 'Willow2026h2'\0"
    "https://mon.willow.ct.letsencrypt.org/2026h2/\0"
    "Let's Encrypt 'Willow2027h1'\0"
    "https://mon.willow.ct.letsencrypt.org/2027h1/\0"
    "Let's Encrypt 'Willow2027h2'\0"
    "https://mon.willow.ct.letsencrypt.org/2027h2/\0"
    "TrustAsia\0"
    "TrustAsia 'log2026a'\0"
    "https://ct2026-a.trustasia.com/log2026a/\0"
    "TrustAsia 'log2026b'\0"
    "https://ct2026-b.trustasia.com/log2026b/\0"
    "TrustAsia 'HETU2027'\0"
    "https://hetu2027.trustasia.com/hetu2027/\0"
    "TrustAsia Luoshu2027\0"
    "https://luoshu2027.trustasia.com/luoshu2027/\0"
    "Geomys\0"
    "Geomys 'Tuscolo2026h1'\0"
    "https://tuscolo2026h1.skylight.geomys.org/\0"
    "Geomys 'Tuscolo2026h2'\0"
    "https://tuscolo2026h2.skylight.geomys.org/\0"
    "Geomys 'Tuscolo2027h1'\0"
    "https://tuscolo2027h1.skylight.geomys.org/\0"
    "Geomys 'Tuscolo2027h2'\0"
    "https://tuscolo2027h2.skylight.geomys.org/\0"
    "IPng Networks\0"
    "IPng Networks 'Halloumi2026h1'\0"
    "https://halloumi2026h1.mon.ct.ipng.ch/\0"
    "IPng Networks 'Halloumi2026h2a'\0"
    "https://halloumi2026h2a.mon.ct.ipng.ch/\0"
    "IPng Networks 'Halloumi2027h1'\0"
    "https://halloumi2027h1.mon.ct.ipng.ch/\0"
    "IPng Networks 'Halloumi2027h2'\0"
    "https://halloumi2027h2.mon.ct.ipng.ch/\0"
    "IPng Networks 'Gouda2026h1'\0"
    "https://gouda2026h1.mon.ct.ipng.ch/\0"
    "IPng Networks 'Gouda2026h2'\0"
    "https://gouda2026h2.mon.ct.ipng.ch/\0"
    "IPng Networks 'Gouda2027h1'\0"
    "https://gouda2027h1.mon.ct.ipng.ch/\0"
    "IPng Networks 'Gouda2027h2'\0"
    "https://gouda2027h2.mon.ct.ipng.ch/\0";
static const char cs__ct_snap_origin[] =
    "log.sycamore.ct.letsencrypt.org/2026h1\0"
    "log.sycamore.ct.letsencrypt.org/2026h2\0"
    "log.sycamore.ct.letsencrypt.org/2027h1\0"
    "log.sycamore.ct.letsencrypt.org/2027h2\0"
    "log.willow.ct.letsencrypt.org/2026h1\0"
    "log.willow.ct.letsencrypt.org/2026h2\0"
    "log.willow.ct.letsencrypt.org/2027h1\0"
    "log.willow.ct.letsencrypt.org/2027h2\0"
    "luoshu2027.trustasia.com/luoshu2027\0"
    "tuscolo2026h1.sunlight.geomys.org\0"
    "tuscolo2026h2.sunlight.geomys.org\0"
    "tuscolo2027h1.sunlight.geomys.org\0"
    "tuscolo2027h2.sunlight.geomys.org\0"
    "halloumi2026h1.log.ct.ipng.ch\0"
    "halloumi2026h2a.log.ct.ipng.ch\0"
    "halloumi2027h1.log.ct.ipng.ch\0"
    "halloumi2027h2.log.ct.ipng.ch\0"
    "gouda2026h1.log.ct.ipng.ch\0"
    "gouda2026h2.log.ct.ipng.ch\0"
    "gouda2027h1.log.ct.ipng.ch\0"
    "gouda2027h2.log.ct.ipng.ch\0";
static const unsigned char cs__ct_snap_keys[] = {
    48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,
    7,252,30,232,99,142,255,28,49,138,252,184,30,25,43,96,80,0,62,142,158,218,
    119,55,227,165,168,218,141,148,248,107,232,61,100,143,39,63,117,179,252,
    107,18,240,55,6,79,100,88,117,20,93,86,82,230,106,43,20,76,236,129,209,
    234,62,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,
    66,0,4,42,58,103,139,254,186,12,134,43,74,81,138,233,23,254,123,161,118,
    115,253,188,101,75,195,39,191,77,243,95,160,202,41,128,17,32,50,120,214,
    126,249,52,96,140,117,160,245,53,80,156,161,211,73,77,19,213,59,106,14,
    234,69,157,36,19,34,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,
    206,61,3,1,7,3,66,0,4,40,116,102,208,127,243,81,161,64,232,135,115,229,
    193,175,24,237,237,8,244,50,124,99,32,38,101,65,56,252,138,0,254,166,24,
    205,72,136,213,226,224,34,232,152,229,50,98,61,24,55,190,41,249,225,149,2,
    145,76,176,206,33,254,60,194,176,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,
    42,134,72,206,61,3,1,7,3,66,0,4,58,31,200,187,206,213,144,71,52,202,202,1,
    4,39,33,28,226,41,61,146,187,145,69,199,90,62,165,212,242,18,230,232,230,
    67,186,243,123,194,56,175,252,35,138,5,86,235,3,10,48,204,99,108,217,60,
    190,245,123,148,186,148,211,191,136,76,48,89,48,19,6,7,42,134,72,206,61,2,
    1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,229,119,120,149,113,40,179,149,201,
    165,204,122,76,232,50,3,150,123,252,46,29,185,164,219,67,160,189,105,114,
    249,69,186,154,195,233,150,213,112,231,13,126,201,149,21,39,138,114,48,
    101,134,67,83,220,17,68,24,73,152,37,104,167,60,5,191,48,89,48,19,6,7,42,
    134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,255,165,156,3,133,
    81,74,88,200,125,55,88,227,207,169,21,18,203,180,186,230,77,191,60,112,96,
    221,151,193,175,220,77,139,118,225,184,142,2,119,0,174,98,52,193,70,134,
    150,209,68,184,185,7,122,207,148,22,151,87,44,46,71,146,5,14,48,89,48,19,
    6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,216,92,97,79,
    172,106,210,32,128,78,138,66,246,4,173,75,212,177,28,121,142,41,50,222,
    105,83,89,235,173,120,243,192,42,242,208,17,93,5,126,235,232,193,211,223,
    55,191,145,100,70,110,14,39,19,234,187,111,70,39,88,134,239,64,33,163,48,
    89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,98,
    55,127,140,77,4,160,8,77,5,183,220,54,26,211,111,177,116,199,93,10,100,
    175,43,217,32,227,199,81,157,140,158,249,132,154,199,199,99,130,67,224,87,
    70,53,226,249,204,232,68,67,117,187,72,253,113,105,124,119,163,168,60,195,
    232,129,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,
    66,0,4,236,188,52,57,226,154,141,183,153,122,145,241,5,114,82,218,147,137,
    93,58,7,139,153,237,128,165,22,218,115,33,32,235,134,150,135,197,198,217,
    23,186,110,185,76,19,88,213,209,131,248,122,223,30,7,188,21,205,192,74,
    205,42,49,113,7,85,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,122,115,219,74,242,222,79,236,225,20,27,190,166,169,60,
    33,184,69,18,205,122,136,38,145,32,86,245,73,50,195,117,108,203,233,124,
    19,117,53,156,108,236,241,49,60,193,222,155,140,19,146,183,173,61,15,161,
    156,143,72,206,116,39,24,35,153,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,
    42,134,72,206,61,3,1,7,3,66,0,4,106,203,113,98,61,102,158,209,174,202,254,
    248,147,135,254,201,162,49,249,145,51,149,34,126,137,84,216,90,92,60,74,
    148,138,39,132,223,197,133,174,6,25,196,78,88,105,200,111,249,177,226,103,
    210,99,146,157,88,23,177,157,73,69,249,72,238,48,89,48,19,6,7,42,134,72,
    206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,184,232,60,133,200,26,97,
    63,204,74,28,105,106,13,135,138,7,180,206,194,243,207,203,206,45,149,233,
    233,246,130,119,51,62,50,127,231,143,37,61,68,224,46,192,60,110,187,207,
    63,26,188,103,227,169,38,122,23,78,41,80,197,123,22,221,74,48,89,48,19,6,
    7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,171,132,190,
    248,60,135,162,66,37,154,102,156,174,43,82,231,90,249,33,27,25,3,165,7,
    226,70,11,31,138,94,124,108,174,255,25,119,134,232,123,252,238,107,54,79,
    242,188,195,158,5,2,154,8,1,181,73,35,53,196,211,80,43,81,233,244,48,89,
    48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,170,
    224,244,38,68,80,79,253,162,158,230,128,224,112,181,177,206,148,165,248,
    151,129,68,85,66,100,28,34,121,167,100,89,211,137,147,33,102,251,9,129,96,
    31,98,85,52,56,140,164,56,46,172,149,12,235,237,79,100,188,69,66,247,6,
    122,205,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,
    66,0,4,190,42,200,171,85,207,194,12,6,236,25,219,50,29,179,161,70,196,183,
    228,252,207,197,192,182,15,101,163,200,230,107,230,154,77,9,124,137,80,
    178,165,65,87,180,186,109,227,244,135,106,133,51,110,247,35,13,127,250,7,
    82,27,47,115,168,33,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,
    206,61,3,1,7,3,66,0,4,80,39,182,220,207,60,246,96,44,81,87,147,76,23,13,
    176,9,143,223,190,25,89,6,232,45,212,124,69,209,176,51,117,89,232,255,236,
    15,8,107,47,188,10,227,58,215,62,29,199,192,176,195,47,16,227,189,16,94,
    138,245,18,110,150,82,192,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,
    72,206,61,3,1,7,3,66,0,4,158,203,12,138,81,204,138,226,11,206,133,230,175,
    77,49,219,27,106,76,253,176,121,107,153,151,192,93,251,110,69,80,29,98,
    170,198,159,155,107,5,61,162,171,43,93,136,155,80,40,226,158,88,165,165,
    250,249,227,250,21,37,227,20,19,50,196,48,89,48,19,6,7,42,134,72,206,61,2,
    1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,236,131,97,242,215,180,187,228,228,
    59,235,200,99,117,152,207,97,144,99,20,61,95,34,223,116,186,80,167,88,155,
    105,125,230,99,137,109,217,215,81,132,63,248,2,216,200,255,194,151,113,
    229,126,39,245,114,177,143,36,39,87,10,13,116,192,182,48,89,48,19,6,7,42,
    134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,132,38,188,54,189,
    216,141,60,135,158,224,16,175,205,148,217,215,185,81,128,52,126,247,88,92,
    115,234,235,9,147,184,16,123,144,156,125,199,205,150,67,237,83,110,149,33,
    70,103,81,240,222,182,201,158,170,226,128,109,206,37,129,52,215,106,96,48,
    89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,206,
    53,202,236,57,7,130,218,119,39,134,228,242,126,197,220,56,242,155,169,171,
    140,167,192,237,131,30,62,106,27,192,240,149,86,186,50,51,76,117,124,9,7,
    233,225,62,101,53,99,240,73,190,114,209,170,157,175,125,8,196,180,141,89,
    61,115,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,
    66,0,4,83,73,106,156,241,232,94,229,61,21,207,93,38,253,71,65,144,175,178,
    194,95,191,18,236,138,188,21,67,247,228,23,37,42,122,238,34,159,3,202,138,
    71,147,224,49,178,201,101,135,224,212,127,12,34,90,217,176,46,152,122,215,
    37,208,28,105,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,
    1,7,3,66,0,4,59,251,120,83,9,40,162,238,252,206,64,156,134,31,109,124,2,
    155,33,66,102,108,234,20,1,191,44,204,63,18,182,121,199,20,160,21,99,153,
    42,212,184,236,241,128,251,9,252,221,15,188,92,86,57,144,98,150,237,53,72,
    113,68,196,109,152,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,225,251,183,232,156,160,83,6,154,84,239,157,117,98,125,
    236,82,89,148,14,82,140,242,230,79,228,71,194,13,41,106,249,8,173,180,245,
    111,146,205,66,187,26,19,13,2,160,106,218,127,176,100,204,166,95,236,240,
    188,129,128,18,115,13,176,160,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,
    134,72,206,61,3,1,7,3,66,0,4,9,51,225,164,153,209,22,186,17,70,147,255,
    212,55,64,158,207,143,174,121,148,203,11,106,33,95,132,120,190,9,131,204,
    202,162,234,22,238,75,128,145,138,62,145,151,168,30,220,138,236,32,97,126,
    82,37,50,78,211,217,10,231,227,15,237,242,48,89,48,19,6,7,42,134,72,206,
    61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,239,119,131,39,43,51,13,188,
    236,89,200,8,210,118,237,83,79,178,215,88,16,90,51,99,75,244,82,59,147,
    248,132,228,133,19,234,79,172,48,173,124,211,199,123,167,106,239,245,208,
    99,3,133,183,209,94,111,196,240,65,111,166,169,115,121,198,48,89,48,19,6,
    7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,124,145,84,15,
    241,81,146,137,239,100,128,61,101,61,73,223,43,192,224,74,82,167,120,167,
    157,178,21,164,196,195,71,90,2,123,155,224,185,170,97,121,14,240,98,37,
    154,8,68,181,16,189,65,251,96,68,11,227,249,109,71,240,23,142,37,156,48,
    89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,152,
    196,40,126,155,3,140,37,88,204,94,35,93,209,86,51,248,168,96,18,72,61,203,
    16,66,179,64,28,78,175,226,83,172,0,58,8,251,248,205,214,90,97,243,30,10,
    220,216,39,92,53,240,155,34,92,23,4,88,129,83,129,50,22,152,132,48,89,48,
    19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,111,64,32,
    145,233,161,176,249,152,123,88,40,9,44,185,157,199,246,148,111,111,180,
    174,159,249,44,206,12,162,76,96,72,15,57,63,179,247,119,20,16,163,53,17,
    164,238,163,79,107,163,55,221,170,24,222,138,18,37,219,156,189,3,114,97,
    201,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,
    0,4,124,65,30,208,150,100,156,15,117,253,206,158,54,93,90,123,24,30,43,59,
    134,65,67,47,68,37,207,94,15,75,219,110,206,228,142,15,139,239,128,109,
    202,106,234,172,101,85,66,143,97,167,192,37,233,64,156,199,198,206,253,
    229,28,39,60,128,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,193,29,69,182,40,140,110,155,241,71,235,8,122,38,121,37,
    32,136,12,135,83,0,248,123,58,186,93,114,23,43,9,204,141,84,59,205,82,173,
    249,242,154,137,199,106,157,202,179,136,248,72,198,197,158,212,136,247,13,
    221,178,247,67,223,69,168,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,
    72,206,61,3,1,7,3,66,0,4,90,177,157,99,38,88,7,187,94,9,46,10,254,130,136,
    177,181,116,201,80,82,130,57,78,192,237,182,56,224,168,3,166,54,231,100,
    33,23,48,188,90,14,232,85,117,74,169,249,22,105,38,140,254,127,183,165,
    240,129,127,128,64,146,151,113,242,48,89,48,19,6,7,42,134,72,206,61,2,1,6,
    8,42,134,72,206,61,3,1,7,3,66,0,4,43,237,179,203,101,22,68,194,50,11,104,
    212,227,175,171,143,197,44,200,200,203,177,2,43,213,143,250,10,86,221,165,
    97,173,133,70,252,203,115,26,127,140,223,1,148,214,91,224,7,247,0,22,60,
    180,75,230,249,173,207,182,100,135,103,246,156,48,89,48,19,6,7,42,134,72,
    206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,182,145,114,186,92,32,203,
    95,174,251,6,16,223,185,91,87,225,236,60,83,88,162,46,44,203,167,89,63,
    174,182,55,246,127,186,199,77,139,143,144,221,18,196,75,84,88,216,243,100,
    239,50,255,237,83,210,159,114,68,68,195,238,254,206,30,224,48,89,48,19,6,
    7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,167,204,7,241,
    30,179,124,207,148,134,196,42,230,233,254,148,247,77,76,57,51,114,9,22,46,
    45,67,195,42,148,233,61,52,154,211,249,252,43,134,142,250,112,226,98,51,
    243,210,58,41,94,89,190,20,71,183,150,83,23,170,158,219,138,106,136,48,89,
    48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,206,
    195,10,182,136,206,208,21,65,226,222,125,149,92,128,135,27,106,57,181,64,
    251,2,29,228,26,73,24,15,41,102,188,57,25,56,243,186,26,111,46,239,225,
    121,1,162,210,17,194,122,43,37,144,55,183,224,223,246,15,68,176,17,64,68,
    211,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,
    0,4,97,179,3,131,74,144,16,70,35,177,59,109,116,57,104,185,50,161,131,119,
    209,136,194,88,52,79,132,166,191,246,109,124,158,65,212,14,28,164,13,42,
    254,108,108,130,177,142,209,63,229,90,168,245,136,208,110,118,142,120,126,
    22,155,131,225,117,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,167,78,122,201,166,7,249,255,116,236,152,203,73,225,0,
    36,179,89,46,131,253,192,112,53,51,76,99,202,116,131,192,60,91,83,64,124,
    49,31,53,164,95,15,228,238,79,137,23,232,91,46,197,172,0,5,201,118,55,69,
    151,3,21,255,96,89,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,15,18,140,169,230,227,236,98,238,223,88,200,80,230,38,
    112,118,16,183,4,57,179,167,248,76,115,59,195,56,90,18,0,76,224,218,14,22,
    138,69,50,10,49,170,34,199,157,125,5,83,199,158,148,234,155,87,70,191,79,
    164,126,251,223,250,133,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,
    72,206,61,3,1,7,3,66,0,4,215,136,198,240,63,108,186,162,21,88,251,83,52,
    226,247,222,229,202,103,137,148,158,115,140,172,140,14,89,230,84,236,107,
    104,13,16,150,33,119,242,255,223,210,11,201,83,1,187,79,216,211,143,227,8,
    200,185,240,36,233,254,184,177,142,3,90,48,89,48,19,6,7,42,134,72,206,61,
    2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,186,100,152,207,46,157,81,9,112,
    77,201,15,204,163,10,2,147,17,138,122,177,28,128,101,45,249,171,191,29,82,
    116,193,245,69,48,2,139,92,27,213,93,124,178,207,24,142,86,130,236,247,33,
    216,228,26,240,231,209,122,251,155,225,143,65,13,48,89,48,19,6,7,42,134,
    72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,126,92,115,50,13,128,
    142,56,59,135,95,153,34,244,61,45,94,178,22,247,99,234,228,98,245,134,239,
    181,25,210,10,4,182,73,169,164,31,158,150,112,244,90,5,52,88,1,19,195,34,
    190,73,192,186,160,36,5,64,252,219,195,197,210,87,59,48,89,48,19,6,7,42,
    134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,104,14,143,210,46,
    201,78,199,125,93,252,197,215,254,250,106,244,86,3,117,215,35,131,82,182,
    193,78,253,161,109,6,158,146,99,186,37,12,67,34,61,33,82,196,108,197,66,
    50,128,214,191,111,128,111,232,21,12,46,174,85,140,203,209,80,55,48,89,48,
    19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,57,140,48,
    26,134,141,165,159,210,65,109,21,52,98,2,63,188,6,69,11,18,120,74,48,77,
    25,120,12,244,157,62,52,164,59,255,168,186,241,71,239,194,60,177,4,209,
    220,85,143,100,52,156,0,182,220,148,26,167,168,189,41,181,143,27,120,48,
    89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,32,
    12,246,128,224,251,192,138,109,106,34,211,158,100,120,147,176,16,194,158,
    100,22,106,166,24,118,63,240,153,140,39,22,146,31,32,34,166,129,64,253,
    132,129,9,53,251,102,140,49,34,68,138,165,150,6,150,162,237,116,181,92,45,
    96,210,231,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,
    7,3,66,0,4,205,215,39,27,4,99,155,102,104,3,175,9,21,146,159,160,206,28,
    56,243,198,217,250,244,137,30,246,167,117,218,159,57,206,151,14,123,28,
    159,81,149,132,77,183,190,96,32,194,10,128,29,107,209,220,88,228,154,35,
    171,89,188,186,134,216,142,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,
    134,72,206,61,3,1,7,3,66,0,4,136,104,120,204,203,29,186,68,224,173,217,61,
    136,242,48,207,211,159,83,212,208,86,46,12,198,231,233,154,121,107,206,
    253,226,188,151,49,86,26,210,79,133,208,73,228,40,23,146,229,21,82,20,232,
    242,248,35,58,216,151,93,129,81,105,253,173,48,89,48,19,6,7,42,134,72,206,
    61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,195,148,148,151,108,159,119,
    148,197,74,165,6,191,176,62,35,159,147,164,183,190,204,71,28,154,213,149,
    65,169,16,66,211,135,96,170,135,241,54,242,113,169,69,199,156,90,168,78,
    79,83,131,68,195,9,192,39,209,86,121,63,250,65,170,47,103,48,89,48,19,6,7,
    42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,174,98,155,22,67,
    198,237,7,208,80,4,97,108,136,164,242,245,91,34,69,225,43,230,12,7,164,
    239,45,153,50,134,124,239,239,7,157,159,233,123,84,40,106,162,246,71,40,
    228,23,153,145,29,224,31,183,150,58,47,34,148,51,216,121,178,28,48,89,48,
    19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,0,4,71,172,47,
    169,92,33,127,152,172,184,43,112,73,243,99,76,234,234,193,152,52,189,155,
    136,48,254,241,147,199,207,152,151,218,21,144,173,123,90,109,66,42,141,
    133,19,2,182,162,32,38,240,220,39,40,228,25,82,60,139,142,47,196,191,59,
    236,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,61,3,1,7,3,66,
    0,4,141,172,156,206,104,84,48,215,237,91,46,149,142,246,23,113,53,4,166,
    242,252,44,128,10,113,135,49,175,28,121,199,20,6,100,69,111,134,118,94,10,
    117,213,150,195,22,134,173,97,244,158,121,121,151,208,88,207,221,168,138,
    250,26,106,13,245,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,72,206,
    61,3,1,7,3,66,0,4,58,29,117,7,102,145,79,208,98,78,170,62,234,75,208,237,
    196,134,127,205,125,2,43,126,140,103,58,2,225,229,25,69,241,88,37,245,96,
    36,61,56,83,103,175,163,20,41,43,114,195,139,21,138,126,69,10,251,91,145,
    237,102,114,217,119,129,48,89,48,19,6,7,42,134,72,206,61,2,1,6,8,42,134,
    72,206,61,3,1,7,3,66,0,4,62,236,79,31,109,44,74,165,51,28,105,101,101,199,
    156,120,91,242,161,39,223,192,21,160,95,130,202,119,204,36,220,13,218,201,
    155,176,194,29,169,14,225,14,178,41,140,196,181,197,135,66,20,99,62,247,
    107,210,59,147,25,20,168,207,141,243,
};
static const cs__ct_snap_row cs__ct_snap[] = {
    /* Google 'Argon2026h1' log */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 7, 32, 0, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Google 'Argon2026h2' log */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 80, 105, 91, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Google 'Argon2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 153, 174, 182, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* Google 'Xenon2026h1' log */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 222, 247, 273, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Google 'Xenon2026h2' log */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 295, 320, 364, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Google 'Xenon2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 0, 368, 389, 455, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* Cloudflare 'Nimbus2026' */
    { CS_CT_RFC6962, CS_CT_USABLE, 437, 448, 472, 546, 91, 86400,
      1767225600LL, 1798761600LL, 0xffff },
    /* Cloudflare 'Nimbus2027' */
    { CS_CT_RFC6962, CS_CT_USABLE, 437, 515, 539, 637, 91, 86400,
      1798761600LL, 1830297600LL, 0xffff },
    /* DigiCert 'Wyvern2026h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 591, 615, 728, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* DigiCert 'Wyvern2026h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 654, 678, 819, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* DigiCert 'Wyvern2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 717, 741, 910, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* DigiCert 'Wyvern2027h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 780, 804, 1001, 91, 86400,
      1814400000LL, 1830297600LL, 0xffff },
    /* DigiCert 'Sphinx2026h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 843, 867, 1092, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* DigiCert 'Sphinx2026h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 906, 930, 1183, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* DigiCert 'sphinx2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 969, 993, 1274, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* DigiCert 'sphinx2027h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 582, 1032, 1056, 1365, 91, 86400,
      1814400000LL, 1830297600LL, 0xffff },
    /* Sectigo 'Mammoth2026h1' */
    { CS_CT_RFC6962, CS_CT_READONLY, 1095, 1103, 1127, 1456, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Sectigo 'Mammoth2026h2' */
    { CS_CT_RFC6962, CS_CT_READONLY, 1095, 1165, 1189, 1547, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Sectigo 'Sabre2026h1' */
    { CS_CT_RFC6962, CS_CT_READONLY, 1095, 1227, 1249, 1638, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Sectigo 'Sabre2026h2' */
    { CS_CT_RFC6962, CS_CT_READONLY, 1095, 1285, 1307, 1729, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Sectigo 'Elephant2026h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1343, 1368, 1820, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Sectigo 'Elephant2026h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1407, 1432, 1911, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Sectigo 'Elephant2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1471, 1496, 2002, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* Sectigo 'Elephant2027h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1535, 1560, 2093, 91, 86400,
      1814400000LL, 1830297600LL, 0xffff },
    /* Sectigo 'Tiger2026h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1599, 1621, 2184, 91, 86400,
      1767225600LL, 1782864000LL, 0xffff },
    /* Sectigo 'Tiger2026h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1657, 1679, 2275, 91, 86400,
      1782864000LL, 1798761600LL, 0xffff },
    /* Sectigo 'Tiger2027h1' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1715, 1737, 2366, 91, 86400,
      1798761600LL, 1814400000LL, 0xffff },
    /* Sectigo 'Tiger2027h2' */
    { CS_CT_RFC6962, CS_CT_USABLE, 1095, 1773, 1795, 2457, 91, 86400,
      1814400000LL, 1830297600LL, 0xffff },
    /* Let's Encrypt 'Sycamore2026h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 1845, 1876, 2548, 91, 60,
      1766016000LL, 1781740800LL, 0 },
    /* Let's Encrypt 'Sycamore2026h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 1924, 1955, 2639, 91, 60,
      1781740800LL, 1797465600LL, 39 },
    /* Let's Encrypt 'Sycamore2027h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2003, 2034, 2730, 91, 60,
      1797465600LL, 1813276800LL, 78 },
    /* Let's Encrypt 'Sycamore2027h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2082, 2113, 2821, 91, 60,
      1813276800LL, 1828915200LL, 117 },
    /* Let's Encrypt 'Willow2026h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2161, 2190, 2912, 91, 60,
      1765929600LL, 1781654400LL, 156 },
    /* Let's Encrypt 'Willow2026h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2236, 2265, 3003, 91, 60,
      1781654400LL, 1797379200LL, 193 },
    /* Let's Encrypt 'Willow2027h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2311, 2340, 3094, 91, 60,
      1797379200LL, 1813190400LL, 230 },
    /* Let's Encrypt 'Willow2027h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 1831, 2386, 2415, 3185, 91, 60,
      1813190400LL, 1828828800LL, 267 },
    /* TrustAsia 'log2026a' */
    { CS_CT_RFC6962, CS_CT_USABLE, 2461, 2471, 2492, 3276, 91, 86400,
      1766534400LL, 1799366400LL, 0xffff },
    /* TrustAsia 'log2026b' */
    { CS_CT_RFC6962, CS_CT_USABLE, 2461, 2533, 2554, 3367, 91, 86400,
      1766534400LL, 1799366400LL, 0xffff },
    /* TrustAsia 'HETU2027' */
    { CS_CT_RFC6962, CS_CT_USABLE, 2461, 2595, 2616, 3458, 91, 86400,
      1798156800LL, 1830902400LL, 0xffff },
    /* TrustAsia Luoshu2027 */
    { CS_CT_STATIC, CS_CT_USABLE, 2461, 2657, 2678, 3549, 91, 60,
      1798070400LL, 1830902400LL, 304 },
    /* Geomys 'Tuscolo2026h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2723, 2730, 2753, 3640, 91, 60,
      1767225600LL, 1782864000LL, 340 },
    /* Geomys 'Tuscolo2026h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 2723, 2796, 2819, 3731, 91, 60,
      1782864000LL, 1798761600LL, 374 },
    /* Geomys 'Tuscolo2027h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2723, 2862, 2885, 3822, 91, 60,
      1798761600LL, 1814400000LL, 408 },
    /* Geomys 'Tuscolo2027h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 2723, 2928, 2951, 3913, 91, 60,
      1814400000LL, 1830297600LL, 442 },
    /* IPng Networks 'Halloumi2026h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3008, 3039, 4004, 91, 60,
      1767225600LL, 1782864000LL, 476 },
    /* IPng Networks 'Halloumi2026h2a' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3078, 3110, 4095, 91, 60,
      1782864000LL, 1798761600LL, 506 },
    /* IPng Networks 'Halloumi2027h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3150, 3181, 4186, 91, 60,
      1798761600LL, 1814400000LL, 537 },
    /* IPng Networks 'Halloumi2027h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3220, 3251, 4277, 91, 60,
      1814400000LL, 1830297600LL, 567 },
    /* IPng Networks 'Gouda2026h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3290, 3318, 4368, 91, 60,
      1767225600LL, 1782864000LL, 597 },
    /* IPng Networks 'Gouda2026h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3354, 3382, 4459, 91, 60,
      1782864000LL, 1798761600LL, 624 },
    /* IPng Networks 'Gouda2027h1' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3418, 3446, 4550, 91, 60,
      1798761600LL, 1814400000LL, 651 },
    /* IPng Networks 'Gouda2027h2' */
    { CS_CT_STATIC, CS_CT_USABLE, 2994, 3482, 3510, 4641, 91, 60,
      1814400000LL, 1830297600LL, 678 },
};
/* Google's log list signing key (log_list_pubkey.pem), DER SubjectPublicKeyInfo. */
static const unsigned char cs__ct_list_key[] = {
    48,130,2,34,48,13,6,9,42,134,72,134,247,13,1,1,1,5,0,3,130,2,15,0,48,130,
    2,10,2,130,2,1,0,178,237,1,28,105,208,251,229,182,9,55,114,103,44,111,28,
    116,64,44,230,79,150,123,191,84,197,96,163,105,190,37,159,12,53,176,14,31,
    103,32,93,191,38,188,232,252,126,91,23,254,163,204,184,162,26,106,227,190,
    63,4,78,50,56,170,125,74,92,22,111,52,42,94,226,247,182,80,200,16,216,42,
    109,204,144,70,24,164,99,126,178,64,17,216,231,155,95,209,182,13,240,234,
    21,143,62,141,74,78,57,107,65,54,189,203,174,101,92,195,31,133,112,87,76,
    140,96,229,173,158,73,70,106,9,253,39,134,42,35,145,145,182,238,245,230,
    53,89,221,46,86,28,255,196,142,91,65,189,14,128,130,59,132,72,254,139,242,
    15,108,154,142,30,0,124,197,14,115,88,2,73,208,57,134,248,83,58,163,184,
    36,227,77,239,233,109,210,242,164,88,137,31,56,115,157,10,166,145,176,123,
    134,42,72,201,5,108,176,229,120,100,22,46,134,131,74,145,22,180,68,162,
    177,190,9,136,182,152,224,127,138,147,65,50,2,19,210,111,238,61,37,245,40,
    205,137,126,149,254,226,20,221,234,70,175,210,33,117,211,135,172,244,75,
    180,26,240,70,3,132,161,130,174,146,52,223,255,170,166,188,50,250,108,186,
    126,149,135,139,166,148,34,78,33,162,85,2,153,107,197,197,144,223,139,26,
    49,43,68,101,169,177,67,151,98,87,48,26,174,194,84,41,155,203,185,194,187,
    34,115,89,44,34,255,115,243,31,115,135,131,201,168,218,66,106,29,28,137,
    233,136,221,129,145,66,164,158,254,100,81,92,24,146,159,214,16,5,67,220,
    105,234,130,97,169,254,178,113,128,12,92,7,185,112,157,247,18,0,116,80,
    104,151,15,81,244,116,222,116,113,148,125,85,207,36,56,133,225,91,172,125,
    126,129,69,31,234,105,167,65,249,186,132,2,177,127,79,59,131,82,190,133,
    188,228,120,163,201,84,83,24,11,185,159,251,28,239,155,30,118,143,20,166,
    7,29,41,190,251,61,101,84,56,97,98,228,153,241,172,119,79,64,183,21,154,
    91,236,115,35,102,218,68,162,180,149,228,73,74,36,66,112,174,26,193,8,195,
    131,240,189,53,18,132,143,172,105,82,215,13,182,139,219,134,28,201,255,
    184,100,10,163,111,46,236,11,2,3,1,0,1,
};
/* END generated by tools/gen_loglist.py */

CSDEF size_t
cs_ct_snapshot_count(void)
{
    return sizeof cs__ct_snap / sizeof cs__ct_snap[0];
}

CSDEF int
cs_ct_snapshot_get(size_t i, cs_ct_log *log)
{
    const cs__ct_snap_row *r;

    CS_ASSERT(log != NULL);
    if (i >= cs_ct_snapshot_count())
        return CS_E_ARG;
    r = &cs__ct_snap[i];
    log->kind = r->kind;
    log->state = r->state;
    log->operator_name = cs__ct_snap_str + r->op;
    log->description = cs__ct_snap_str + r->desc;
    log->url = cs__ct_snap_str + r->url;
    log->key = cs__ct_snap_keys + r->key;
    log->key_len = r->key_len;
    log->mmd = r->mmd;
    log->start = r->start;
    log->end = r->end;
    log->origin = r->origin != 0xffffu ? cs__ct_snap_origin + r->origin
                                       : NULL;
    return 0;
}

CSDEF const char *
cs_ct_snapshot_version(void)
{
    return CS__CT_SNAP_VERSION;
}

CSDEF const char *
cs_ct_snapshot_date(void)
{
    return CS__CT_SNAP_DATE;
}

CSDEF int
cs_ct_log_live(const cs_ct_log *log, int64_t now)
{
    CS_ASSERT(log != NULL);
    if (log->state != CS_CT_USABLE && log->state != CS_CT_QUALIFIED)
        return 0;
    /* The interval bounds the certificates' notAfter, not the time of
     * logging: a shard takes entries until its end, from long before
     * its start (certificates are valid for months). */
    return log->end == 0 || log->end > now;
}

/* ---- the log list parser ---- */

/* The keys the parser looks at, as small ids (0: any other). */
enum {
    CS__LL_OPERATORS = 1, CS__LL_NAME, CS__LL_LOGS, CS__LL_TILED,
    CS__LL_DESC, CS__LL_URL, CS__LL_MON, CS__LL_KEY, CS__LL_MMD,
    CS__LL_STATE, CS__LL_INTERVAL, CS__LL_START, CS__LL_END, CS__LL_SUB
};

static int
cs__ll_streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        a++, b++;
    return *a == *b;
}

static int
cs__ll_key_id(const char *k)
{
    static const char *const names[] = {
        "operators", "name", "logs", "tiled_logs", "description", "url",
        "monitoring_url", "key", "mmd", "state", "temporal_interval",
        "start_inclusive", "end_exclusive", "submission_url"
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs__ll_streq(k, names[i]))
            return (int)i + 1;
    return 0;
}

/* A state's name as CS_CT_* (0: unknown). */
static int
cs__ll_state_id(const char *k)
{
    static const char *const names[] = {
        "pending", "qualified", "usable", "readonly", "retired", "rejected"
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs__ll_streq(k, names[i]))
            return (int)i + CS_CT_PENDING;
    return 0;
}

/* RFC 3339 "2026-01-01T00:00:00Z" (a fraction, 't', ' ', 'z' or a
 * numeric offset allowed) in s[0..n) as Unix seconds; -1 if it is not. */
static int64_t
cs__ll_time(const char *s, size_t n)
{
    int y, mo, d, h, mi, se;
    int64_t t;
    size_t i = 19;

    if (n < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':'
        || s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return -1;
    y = cs__dnum(s, 4), mo = cs__dnum(s + 5, 2);
    d = cs__dnum(s + 8, 2), h = cs__dnum(s + 11, 2);
    mi = cs__dnum(s + 14, 2), se = cs__dnum(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23
        || mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    t = cs__days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400
        + h * 3600 + mi * 60 + se;
    if (i < n && s[i] == '.')
        while (++i < n && s[i] >= '0' && s[i] <= '9')
            ;
    if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh = cs__dnum(s + i + 1, 2), om = cs__dnum(s + i + 4, 2);
        if (oh < 0 || om < 0)
            return -1;
        t -= (s[i] == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    } else if (!(i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))) {
        return -1;
    }
    return t;
}

/* 1 when s holds "example.com" (the placeholders' host). */
static int
cs__ll_placeholder(const char *s)
{
    static const char pat[] = "example.com";
    size_t i, k;

    for (i = 0; s[i] != '\0'; i++) {
        for (k = 0; pat[k] != '\0' && s[i + k] == pat[k]; k++)
            ;
        if (pat[k] == '\0')
            return 1;
    }
    return 0;
}

CSDEF void
cs_loglist_init(cs_loglist *l)
{
    CS_ASSERT(l != NULL);
    CS_MEMSET(l, 0, sizeof *l);
    cs_jtok_init(&l->t);
}

/* Where a string value at depth goes: its buffer and capacity, or NULL
 * when the parser does not keep it. */
static char *
cs__ll_dest(cs_loglist *l, int depth, size_t **len, size_t *cap)
{
    *cap = sizeof l->str - 1;
    *len = &l->slen;
    if (depth == 3 && l->k3 == CS__LL_NAME) {
        *len = &l->op_len, *cap = CS_LOGLIST_STR_MAX;
        return l->op;
    }
    if (depth == 5 && l->kind) {
        switch (l->k5) {
        case CS__LL_DESC:
            *len = &l->desc_len, *cap = CS_LOGLIST_STR_MAX;
            return l->desc;
        case CS__LL_URL:
            *len = &l->url_len, *cap = CS_URL_MAX;
            return l->url;
        case CS__LL_MON:
            *len = &l->mon_len, *cap = CS_URL_MAX;
            return l->mon;
        case CS__LL_SUB:
            *len = &l->sub_len, *cap = CS_URL_MAX;
            return l->sub;
        case CS__LL_KEY:
            return l->str;
        default:
            return NULL;
        }
    }
    if (depth == 6 && l->kind && l->k5 == CS__LL_INTERVAL
        && (l->k6 == CS__LL_START || l->k6 == CS__LL_END))
        return l->str;
    return NULL;
}

/* A string value ended: finish the field it was. */
static void
cs__ll_string_end(cs_loglist *l, int depth)
{
    if (depth == 3 && l->k3 == CS__LL_NAME) {
        l->op[l->op_len] = '\0';
    } else if (depth == 5) {
        if (l->k5 == CS__LL_DESC)
            l->desc[l->desc_len] = '\0', l->has_desc = 1;
        else if (l->k5 == CS__LL_URL)
            l->url[l->url_len] = '\0', l->has_url = 1;
        else if (l->k5 == CS__LL_MON)
            l->mon[l->mon_len] = '\0', l->has_mon = 1;
        else if (l->k5 == CS__LL_SUB)
            l->sub[l->sub_len] = '\0', l->has_sub = 1;
        else if (l->k5 == CS__LL_KEY) {
            long k = cs_b64_decode(l->str, l->slen, l->key, sizeof l->key);
            l->bad_key = k <= 0;
            l->log.key = k > 0 ? l->key : NULL;
            l->log.key_len = k > 0 ? (size_t)k : 0;
        }
    } else if (depth == 6) {
        int64_t t = cs__ll_time(l->str, l->slen);
        if (l->k6 == CS__LL_START)
            l->log.start = t;
        else
            l->log.end = t;
    }
    l->slen = 0;
}

/* A static log's checkpoint origin from its submission URL s[0..n): the
 * URL without "scheme://" and trailing '/'s, cut in place; NULL when
 * nothing is left. */
static const char *
cs__ll_origin(char *s, size_t n)
{
    size_t i, at = 0;

    for (i = 0; i + 2 < n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            at = i + 3;
            break;
        }
    while (n > at && s[n - 1] == '/')
        n--;
    s[n] = '\0';
    return n > at ? s + at : NULL;
}

/* A log object ended: 1 when it is one to yield (l->log then complete). */
static int
cs__ll_log_end(cs_loglist *l)
{
    char *u = l->kind == CS_CT_STATIC ? l->mon : l->url;
    size_t n = l->kind == CS_CT_STATIC ? l->mon_len : l->url_len;
    int st = l->log.state;

    if (!(l->kind == CS_CT_STATIC ? l->has_mon : l->has_url)
        || l->log.start < 0 || l->log.end < 0)
        return 0;                       /* no URL, or a bad date */
    if (st != CS_CT_USABLE && st != CS_CT_QUALIFIED && st != CS_CT_READONLY)
        return 0;
    if (cs__ll_placeholder(u))
        return 0;
    if (n == 0 || u[n - 1] != '/')
        u[n++] = '/', u[n] = '\0';      /* the buffer has room for it */
    l->log.kind = l->kind;
    l->log.url = u;
    l->log.origin = l->kind == CS_CT_STATIC && l->has_sub
                  ? cs__ll_origin(l->sub, l->sub_len) : NULL;
    l->log.operator_name = l->op;
    l->log.description = l->has_desc ? l->desc : u;
    return 1;
}

/* One token of the list; returns CS_LOGLIST_LOG, 0 or an error. */
static int
cs__ll_token(cs_loglist *l, int r)
{
    int depth = cs_jtok_depth(&l->t);

    if (r == CS_JT_KEY) {
        const char *k = cs_jtok_key(&l->t, NULL, NULL);
        int id = cs__ll_key_id(k);
        if (depth == 1)
            l->k1 = id;
        else if (depth == 3)
            l->k3 = id;
        else if (depth == 5)
            l->k5 = id;
        else if (depth == 6)
            l->k6 = id;
        if (depth == 6 && l->in_ops && l->kind && l->k5 == CS__LL_STATE) {
            int st = cs__ll_state_id(k);
            if (st != 0)
                l->log.state = st;
        }
        return 0;
    }
    l->in_ops = l->k1 == CS__LL_OPERATORS;
    if (!l->in_ops)
        return 0;
    switch (r) {
    case CS_JT_ARR:                     /* a log array opens */
        if (depth == 3)
            l->kind = l->k3 == CS__LL_LOGS ? CS_CT_RFC6962
                    : l->k3 == CS__LL_TILED ? CS_CT_STATIC : 0;
        return 0;
    case CS_JT_ARR_END:
        if (depth == 3)
            l->kind = 0;
        return 0;
    case CS_JT_STR: {                   /* a piece of a kept value */
        size_t n, cap, *len, k;
        const unsigned char *p = cs_jtok_piece(&l->t, &n);
        char *d = cs__ll_dest(l, depth, &len, &cap);
        /* Failures wait for the string's end (a JSON error later in it
         * comes first), and a NUL anywhere in it outranks its length:
         * the same error however the input is split. */
        if (d == NULL)
            return 0;
        for (k = 0; k < n; k++)         /* they become C strings */
            if (p[k] == 0)
                l->str_err = CS_E_LOGLIST_NUL;
        if (l->str_err == 0 && n > cap - *len)
            l->str_err = CS_E_LOGLIST_LONG;
        if (l->str_err != 0)
            return 0;
        CS_MEMCPY(d + *len, p, n);
        *len += n;
        return 0;
    }
    case CS_JT_STR_END:
        if (l->str_err != 0)
            return l->str_err;
        cs__ll_string_end(l, depth);
        return 0;
    case CS_JT_NUM:
        if (depth == 5 && l->kind && l->k5 == CS__LL_MMD) {
            uint64_t v;
            if (cs_jtok_u64(&l->t, &v) == 0 && v <= 0xffffffffu)
                l->log.mmd = (uint32_t)v;
        }
        return 0;
    case CS_JT_OBJ:                     /* a log opens: start afresh */
        if (depth == 4 && l->kind) {
            CS_MEMSET(&l->log, 0, sizeof l->log);
            l->has_url = l->has_mon = l->has_desc = l->bad_key = 0;
            l->url_len = l->mon_len = l->desc_len = 0;
            l->has_sub = 0, l->sub_len = 0;
            l->k5 = 0;
        }
        if (depth == 2)                 /* an operator opens */
            l->op_len = 0, l->op[0] = '\0';
        return 0;
    case CS_JT_OBJ_END:
        if (depth == 4 && l->kind && cs__ll_log_end(l)) {
            l->count++;
            return CS_LOGLIST_LOG;
        }
        return 0;
    default:
        return 0;
    }
}

CSDEF int
cs_loglist_feed(cs_loglist *l, const unsigned char *data, size_t len,
                size_t *used)
{
    size_t off = 0, u;
    int r;

    CS_ASSERT(l != NULL && used != NULL && (data != NULL || len == 0));
    *used = 0;
    if (l->err != 0)
        return l->err;
    while (off < len) {
        r = cs_jtok_feed(&l->t, data + off, len - off, &u);
        off += u;
        if (r > 0)
            r = cs__ll_token(l, r);
        if (r < 0) {
            l->err = r;
            *used = off;
            return r;
        }
        if (r == CS_LOGLIST_LOG) {
            *used = off;
            return r;
        }
    }
    *used = off;
    return 0;
}

CSDEF const cs_ct_log *
cs_loglist_log(const cs_loglist *l)
{
    CS_ASSERT(l != NULL);
    return &l->log;
}

CSDEF long
cs_loglist_end(cs_loglist *l)
{
    int r;

    CS_ASSERT(l != NULL);
    while (l->err == 0) {
        r = cs_jtok_end(&l->t);
        if (r == CS_JT_DONE)
            return (long)l->count;
        if (r < 0)
            l->err = r;
        else if (r > 0 && (r = cs__ll_token(l, r)) < 0)
            l->err = r;
    }
    return l->err;
}

CSDEF uint64_t
cs_loglist_offset(const cs_loglist *l)
{
    CS_ASSERT(l != NULL);
    return cs_jtok_offset(&l->t);
}

CSDEF const unsigned char *
cs_loglist_google_key(size_t *len)
{
    CS_ASSERT(len != NULL);
    *len = sizeof cs__ct_list_key;
    return cs__ct_list_key;
}

#if CS_HAS_TLS
CSDEF int
cs_loglist_verify(const unsigned char hash[32], const unsigned char *sig,
                  size_t sig_len)
{
    cs_ct_key key;

    CS_ASSERT(hash != NULL && (sig != NULL || sig_len == 0));
    if (cs_ct_key_parse(&key, cs__ct_list_key, sizeof cs__ct_list_key) != 0
        || cs__ct_verify_hash(&key, hash, sig, sig_len) != 0)
        return CS_E_LOGLIST_SIG;
    return 0;
}
#endif

#if CS_HAS_POSIX && CS_HAS_TLS
/* ---- fetching a log list ---- */

/* Wait until the link can move bytes as want says, the deadline, or at
 * most 100 ms (then the caller tries again): a stop from another thread
 * is seen within that; a signal's handler interrupts poll() at once. */
static int
cs__llf_wait(cs_loglist_fetcher *g, int want)
{
    struct pollfd pf;
    uint64_t now = cs_now_ms();
    int fd = -1, w;

    if (g->stop)
        return CS_E_LOGLIST_STOPPED;
    if (now >= g->deadline)
        return CS_E_LOGLIST_TIMEOUT;
    w = g->tr.wait(g->tr.ctx, want, &fd);
    if (fd < 0)
        return CS_E_IO;
    pf.fd = fd;
    pf.events = (short)(((w & CS_WANT_READ) ? POLLIN : 0)
                        | ((w & CS_WANT_WRITE) ? POLLOUT : 0));
    pf.revents = 0;
    if (poll(&pf, 1, (int)(g->deadline - now > 100 ? 100
                                                   : g->deadline - now)) < 0
        && errno != EINTR)
        return CS_E_IO;
    return 0;
}

/* Decoded body bytes: the signature file's, or the list's (hashed and
 * parsed). */
static int
cs__llf_sink(cs_loglist_fetcher *g, const unsigned char *p, size_t n)
{
    size_t used;
    int r;

    if (g->is_sig) {
        if (n > sizeof g->sig - g->sig_len)
            return CS_E_LOGLIST_SIG_SIZE;
        CS_MEMCPY(g->sig + g->sig_len, p, n);
        g->sig_len += n;
        return 0;
    }
    cs_sha256_update(&g->sha, p, n);
    for (;;) {
        r = cs_loglist_feed(&g->list, p, n, &used);
        p += used, n -= used;
        if (r != CS_LOGLIST_LOG)
            return r;
        if (g->on_log != NULL)
            g->on_log(g->ctx, cs_loglist_log(&g->list));
    }
}

/* A body slice, through gzip when the response is gzipped. */
static int
cs__llf_body(cs_loglist_fetcher *g, const unsigned char *p, size_t n)
{
    size_t used, k;
    int r;

    if (!g->gz)
        return cs__llf_sink(g, p, n);
    do {
        r = cs_inflate_feed(&g->z, p, n, &used);
        p += used, n -= used;
        if (r == CS_INFLATE_DATA) {
            const unsigned char *d = cs_inflate_data(&g->z, &k);
            int e = cs__llf_sink(g, d, k);
            if (e < 0)
                return e;
        }
    } while (r > 0);
    return r;
}

/* Bytes from the link through the HTTP parser. Returns 0 (need more),
 * 1 (the response is complete), 2 (a redirect: its head is read) or an
 * error. */
static int
cs__llf_http(cs_loglist_fetcher *g, const unsigned char *p, size_t n)
{
    size_t used, k;
    int r;

    for (;;) {
        r = cs_http_feed(&g->http, p, n, &used);
        p += used, n -= used;
        if (r < 0)
            return r;
        if (r == CS_HTTP_HEAD) {
            g->status = cs_http_status(&g->http);
            if ((g->status == 301 || g->status == 302 || g->status == 303
                 || g->status == 307 || g->status == 308)
                && cs_http_location(&g->http)[0] != '\0')
                return 2;               /* moved: the caller follows */
            if (g->status != 200)
                return CS_E_LOGLIST_STATUS;
            g->gz = cs_http_encoding(&g->http) == CS_HTTP_GZIP;
            if (g->gz) {
                cs_inflate_init(&g->z, g->win, sizeof g->win,
                                CS_INFLATE_GZIP);
                cs_inflate_limit(&g->z, CS_LOGLIST_MAX_BYTES);
            }
        } else if (r == CS_HTTP_BODY) {
            const unsigned char *b = cs_http_body(&g->http, &k);
            if ((r = cs__llf_body(g, b, k)) < 0)
                return r;
        } else if (r == CS_HTTP_DONE) {
            return 1;
        } else if (r == 0) {
            return 0;
        }
    }
}

/* One GET of g->url, its body to cs__llf_body(). Returns 0, 2 (a
 * redirect: cs_http_location() names where) or an error. */
static int
cs__llf_get(cs_loglist_fetcher *g, const cs_tls_config *tls,
            const char *ua)
{
    const char *trust = NULL;
    size_t o = 0, off = 0;
    int r = 0, rr;

    if (g->stop)                        /* before the name lookup */
        return CS_E_LOGLIST_STOPPED;
    cs_posix_transport(&g->posix, &g->tcp);
    g->tr = g->tcp;
    if (g->url.tls && (r = cs__tls_apply(&g->tls, &g->tcp, &g->tr, tls,
                                         cs_os_random, NULL, &g->anchors,
                                         g->builtin, &trust)) < 0)
        return r;
    r |= cs__puts(g->req, sizeof g->req, &o, "GET ");
    r |= cs__puts(g->req, sizeof g->req, &o, g->url.path);
    r |= cs__puts(g->req, sizeof g->req, &o, " HTTP/1.1\r\nHost: ");
    r |= cs__put_authority(g->req, sizeof g->req, &o, &g->url);
    r |= cs__puts(g->req, sizeof g->req, &o, "\r\nUser-Agent: ");
    r |= cs__puts(g->req, sizeof g->req, &o,
                  ua != NULL ? ua : "certstream.h/" CERTSTREAM_VERSION_STRING);
    r |= cs__puts(g->req, sizeof g->req, &o, "\r\nAccept-Encoding: gzip\r\n"
                  "Connection: close\r\n\r\n");
    if (r != 0)
        return CS_E_URL;
    cs_http_init(&g->http, 0);
    g->gz = 0;
    if ((r = g->tr.open(g->tr.ctx, &g->url)) < 0)
        goto out;
    while (off < o) {                   /* the request */
        r = g->tr.write(g->tr.ctx, (const unsigned char *)g->req + off,
                        o - off);
        if (r > 0)
            off += (size_t)r;
        else if (r < 0 || (r = cs__llf_wait(g, CS_WANT_WRITE)) < 0)
            goto out;
    }
    for (;;) {                          /* the response */
        rr = g->tr.read(g->tr.ctx, g->buf, sizeof g->buf);
        if (rr > 0)
            r = cs__llf_http(g, g->buf, (size_t)rr);
        else if (rr == 0)
            r = cs__llf_wait(g, CS_WANT_READ);
        else if (rr == CS_E_CLOSED)
            r = cs_http_eof(&g->http) == CS_HTTP_DONE ? 1 : CS_E_CLOSED;
        else
            r = rr;
        if (r != 0)
            break;
    }
    if (r == 1)
        r = g->gz ? cs_inflate_finish(&g->z) : 0;
out:
    if (r < 0 && g->url.tls)
        g->br_err = cs_tls_last_error(&g->tls);
    g->tr.close(g->tr.ctx);
    return r < 0 ? r : r == 2 ? 2 : 0;
}

/* GET url, following up to 4 redirects (3xx with a Location). */
static int
cs__llf_follow(cs_loglist_fetcher *g, const char *url,
               const cs_tls_config *tls, const char *ua)
{
    const char *loc;
    int r, hops;

    if (cs_url_parse(&g->url, url, cs__strlen(url)) != 0
        || g->url.scheme < CS_URL_HTTP)
        return CS_E_URL;
    for (hops = 0;; hops++) {
        r = cs__llf_get(g, tls, ua);
        if (r != 2)
            return r;
        loc = cs_http_location(&g->http);
        if (hops == 4)
            return CS_E_LOGLIST_STATUS;
        if (cs_url_resolve(&g->url, loc, cs__strlen(loc)) != 0)
            return CS_E_URL;
    }
}

static int
cs__llf_fetch(cs_loglist_fetcher *g, const char *url, const char *sig_url,
              const cs_tls_config *tls, const char *user_agent,
              uint32_t timeout_ms,
              void (*on_log)(void *ctx, const cs_ct_log *log), void *ctx)
{
    unsigned char hash[32];
    long n;
    int r;

    g->deadline = cs_now_ms() + timeout_ms;
    g->status = g->br_err = 0;
    g->sig_len = 0;
    g->on_log = on_log;
    g->ctx = ctx;
    if (sig_url != NULL) {
        g->is_sig = 1;
        if ((r = cs__llf_follow(g, sig_url, tls, user_agent)) < 0)
            return r;
    }
    g->is_sig = 0;
    cs_sha256_init(&g->sha);
    cs_loglist_init(&g->list);
    if ((r = cs__llf_follow(g, url, tls, user_agent)) < 0)
        return r;
    n = cs_loglist_end(&g->list);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return CS_E_LOGLIST_EMPTY;
    if (sig_url != NULL) {
        cs_sha256_final(&g->sha, hash);
        if ((r = cs_loglist_verify(hash, g->sig, g->sig_len)) != 0)
            return r;
    }
    return n > 0x7fffffffL ? 0x7fffffff : (int)n;
}

CSDEF int
cs_loglist_fetch(cs_loglist_fetcher *g, const char *url, const char *sig_url,
                 const cs_tls_config *tls, const char *user_agent,
                 uint32_t timeout_ms,
                 void (*on_log)(void *ctx, const cs_ct_log *log), void *ctx)
{
    int r;

    CS_ASSERT(g != NULL && url != NULL && tls != NULL);
    r = cs__llf_fetch(g, url, sig_url, tls, user_agent, timeout_ms, on_log,
                      ctx);
    g->stop = 0;
    return r;
}

CSDEF void
cs_loglist_fetch_stop(cs_loglist_fetcher *g)
{
    CS_ASSERT(g != NULL);
    g->stop = 1;
}

CSDEF int
cs_loglist_fetch_status(const cs_loglist_fetcher *g)
{
    CS_ASSERT(g != NULL);
    return g->status;
}

CSDEF int
cs_loglist_fetch_tls_error(const cs_loglist_fetcher *g)
{
    CS_ASSERT(g != NULL);
    return g->br_err;
}
#endif /* CS_HAS_POSIX && CS_HAS_TLS */

#endif /* CS_HAS_CT */

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
