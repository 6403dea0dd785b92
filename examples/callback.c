/* callback: certstream-python's README example in C.
 *
 *   build/examples/callback wss://certstream.example.org/
 *
 * Prints "[date time] first_domain (SAN: other, domains)" per certificate,
 * as the Python example does with listen_for_events(print_callback, url). */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <stdio.h>
#include <time.h>

static unsigned char names[CS_JSON_DOMAIN_BUF];
static unsigned char anchors[128 * 1024];  /* the system's CA bundle */
static cs_client client;
static cs_posix tcp;

static void
print_callback(void *ctx, const cs_event *ev)
{
    const cs_msg *m = ev->msg;
    char when[32];
    time_t now = time(NULL);
    size_t i, n;

    (void)ctx;
    if (ev->type != CS_EV_MESSAGE || ev->err != 0 || m->type != CS_MSG_CERT)
        return;                                 /* heartbeats and others */
    strftime(when, sizeof when, "%m/%d/%y %H:%M:%S", localtime(&now));
    printf("[%s] %s (SAN: ", when,
           m->domain_count > 0 ? cs_msg_domain(m, 0, &n) : "NULL");
    for (i = 1; i < m->domain_count; i++)
        printf("%s%s", i > 1 ? ", " : "", cs_msg_domain(m, i, &n));
    printf(")\n");
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    cs_config cfg;

    cs_config_init(&cfg);
    cfg.url = argc > 1 ? argv[1] : "wss://certstream.calidog.io/";
    cfg.on_event = print_callback;
    cfg.dom = names;
    cfg.dom_cap = sizeof names;
    cfg.tls.anchor_mem = anchors;
    cfg.tls.anchor_mem_cap = sizeof anchors;
    return cs_listen(&client, &tcp, &cfg) == 0 ? 0 : 1;
}
