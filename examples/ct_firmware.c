/* ct_firmware: the firmware shape in direct mode: examples/custom_transport.c
 * with CS_EXAMPLE_DIRECT, following one CT log over the board's own link
 * (CERTSTREAM_NO_POSIX, TLS on, no server). fw/build.sh builds it for the
 * Cortex-M4 beside the websocket one.
 *
 *   build/examples/ct_firmware [MONITORING_URL [ORIGIN [KEY_B64 [FROM]]]] */
#define CS_EXAMPLE_DIRECT 1
/* gzip's CRC-32 from a 1 KB table instead of 16 KB: flash matters more
 * here than decoding speed (a data tile a second at most) */
#define CS_CRC32_SMALL 1
#include "custom_transport.c"
