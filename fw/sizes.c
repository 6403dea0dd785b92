/* fw/sizes.c - not linked: compiled for the target so that the report can
 * read each struct's size off a symbol's size (nm -S), and what the
 * implementation alone needs from libc and libgcc (nm -u). */
#define CERTSTREAM_NO_POSIX
#define CERTSTREAM_NO_CT        /* as the websocket build (and faster) */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

unsigned char fw_sizeof_cs_client[sizeof(cs_client)];
unsigned char fw_sizeof_cs_tls[sizeof(cs_tls)];
unsigned char fw_sizeof_br_ssl_client_context[sizeof(br_ssl_client_context)];
unsigned char fw_sizeof_br_x509_minimal_context[sizeof(br_x509_minimal_context)];
unsigned char fw_sizeof_cs_json[sizeof(cs_json)];
unsigned char fw_sizeof_cs_hs[sizeof(cs_hs)];
unsigned char fw_sizeof_cs_ws[sizeof(cs_ws)];
unsigned char fw_sizeof_cs_url[sizeof(cs_url)];
unsigned char fw_sizeof_cs_config[sizeof(cs_config)];
