#define CERTSTREAM_STATIC
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include <stdio.h>
#include <string.h>

int static_a(void);

int
main(void)
{
    static unsigned char names[64];
    static cs_json j;
    const char *msg = "{\"message_type\":\"certificate_update\"}";

    cs_json_init(&j, names, sizeof names);
    if (cs_json_parse(&j, msg, strlen(msg)) != 0
            || cs_json_msg(&j)->type != CS_MSG_CERT || static_a() != 0) {
        puts("static: FAILED");
        return 1;
    }
    puts("static: OK");
    return 0;
}
