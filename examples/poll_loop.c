/* poll_loop: the client inside your own poll() loop, with the step API.
 *
 *   build/examples/poll_loop ws://127.0.0.1:4000/domains-only
 *
 * Your loop also watches stdin here: press Enter to stop the client
 * cleanly (a close handshake), as any other event source of yours could. */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"

#include <poll.h>
#include <stdio.h>
#include <unistd.h>

static unsigned char names[64 * 1024];
static cs_client client;
static cs_posix tcp;

static void
on_event(void *ctx, const cs_event *ev)
{
    size_t i, n;

    (void)ctx;
    if (ev->type == CS_EV_CONNECTED)
        fprintf(stderr, "connected; press Enter to stop\n");
    if (ev->type == CS_EV_RETRY)
        fprintf(stderr, "%s; retrying in %llu ms\n", cs_strerror(ev->err),
                (unsigned long long)ev->delay_ms);
    if (ev->type != CS_EV_MESSAGE || ev->err != 0)
        return;
    for (i = 0; i < ev->msg->domain_count; i++)
        printf("%s\n", cs_msg_domain(ev->msg, i, &n));
}

int
main(int argc, char **argv)
{
    cs_config cfg;
    cs_transport tr;
    int r;

    cs_config_init(&cfg);
    cfg.url = argc > 1 ? argv[1] : "ws://127.0.0.1:4000/domains-only";
    cfg.on_event = on_event;
    cfg.dom = names;
    cfg.dom_cap = sizeof names;
    cs_posix_transport(&tcp, &tr);
    r = cs_client_init(&client, &cfg, &tr);
    if (r != 0) {
        fprintf(stderr, "%s: %s\n", cfg.url, cs_strerror(r));
        return 2;
    }
    for (;;) {
        struct pollfd pf[2];
        uint64_t now = cs_now_ms();
        cs_wait w;
        nfds_t n = 0;

        if (cs_client_step(&client, now, &w) != 0)
            break;                      /* finished */
        pf[n].fd = 0;                   /* your own sources go here */
        pf[n++].events = POLLIN;
        if (w.fd >= 0) {
            pf[n].fd = w.fd;
            pf[n++].events = (short)((w.want & CS_WANT_READ ? POLLIN : 0)
                                     | (w.want & CS_WANT_WRITE ? POLLOUT
                                                               : 0));
        }
        pf[0].revents = 0;
        if (poll(pf, n, w.deadline_ms <= now ? 0
                        : w.deadline_ms - now > 60000 ? 60000
                        : (int)(w.deadline_ms - now)) > 0
            && (pf[0].revents & (POLLIN | POLLHUP))) {
            char line[64];
            if (read(0, line, sizeof line) >= 0)
                cs_client_stop(&client);
        }
    }
    cs_client_close(&client);
    r = cs_client_result(&client);
    fprintf(stderr, "finished: %s\n", r ? cs_strerror(r) : "stopped");
    return r == 0 ? 0 : 1;
}
