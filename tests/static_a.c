/* CERTSTREAM_STATIC: two files each with a private implementation and
 * different limits link into one program. */
#define CERTSTREAM_STATIC
#define CS_JSON_STR_MAX 8
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include <string.h>

int static_a(void);
int
static_a(void)
{
    static unsigned char names[64];
    static cs_json j;
    const char *msg = "{\"message_type\":\"certificate_update\"}";

    cs_json_init(&j, names, sizeof names);
    if (cs_json_parse(&j, msg, strlen(msg)) != 0)
        return 1;
    /* cut to 8 bytes here */
    return cs_json_msg(&j)->type_name.len == 8
        && (cs_json_msg(&j)->trunc & CS_F_TYPE) ? 0 : 1;
}
