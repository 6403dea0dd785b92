/* Link check, part B: declarations only, linked against part A; plus a
 * private CERTSTREAM_STATIC copy with a different limit in this same file
 * would clash only if STATIC leaked. */
#include <stdio.h>
#include <string.h>
#include "../certstream.h"

int
main(void)
{
    static unsigned char names[256];
    static cs_json j;
    const char *msg = "{\"message_type\":\"heartbeat\",\"timestamp\":1.5}";

    cs_json_init(&j, names, sizeof names);
    if (cs_json_parse(&j, msg, strlen(msg)) != 0
            || cs_json_msg(&j)->type != CS_MSG_HEARTBEAT
            || cs_json_msg(&j)->timestamp != 1.5) {
        puts("two_tu: FAILED");
        return 1;
    }
    puts("two_tu: OK");
    return 0;
}
