// The implementation must compile as C++11 and work there.
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include <cstdio>
#include <cstring>

int main()
{
    static unsigned char names[4096];
    static cs_json j;
    const char msg[] = "{\"message_type\":\"dns_entries\",\"data\":[\"a.com\"]}";
    size_t n = 0;
    cs_json_init(&j, names, sizeof names);
    if (cs_json_parse(&j, msg, std::strlen(msg)) != 0)
        return 1;
    const cs_msg *m = cs_json_msg(&j);
    if (m->type != CS_MSG_DNS || m->domain_count != 1
            || std::strcmp(cs_msg_domain(m, 0, &n), "a.com") != 0 || n != 5)
        return 1;
    std::puts("cxx: OK");
    return 0;
}
