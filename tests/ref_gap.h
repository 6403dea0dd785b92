/* ref_gap.h - a slow reference for the gap tracker ([1l]): the same rules
 * on plain arrays (a byte per index, whole URLs compared, no ring, no
 * hash), for tests/test_gap.c and fuzz/fuzz_gap.c. Indices of a log must
 * stay within REF_SPAN of its first one. */
#ifndef CS_REF_GAP_H
#define CS_REF_GAP_H
#include <stdint.h>
#include <ctype.h>
#include <string.h>

#define REF_LOGS 8
#define REF_SPAN 70000
#define REF_EVENTS 4096

typedef struct ref_ev {
    char url[CS_GAP_URL_MAX];
    size_t url_len;
    uint64_t first, count;
    unsigned flags;
} ref_ev;

typedef struct ref_log {
    int in_use;
    char url[512];
    size_t len;
    uint64_t origin, base, top, m[8], t[8], t_last;
    int nm;
    unsigned char seen[REF_SPAN];
} ref_log;

typedef struct ref_gap {
    size_t slots;
    uint32_t window, window_ms;
    uint64_t t_poll;
    ref_log log[REF_LOGS];
    ref_ev ev[REF_EVENTS];
    size_t nev;
    cs_gap_counts c;
} ref_gap;

static void
ref_norm(const char *u, size_t n, char *out, size_t *on)
{
    size_t i = 0, k, o = 0;
    int host = 1;

    while (n > 0 && u[n - 1] == '/')
        n--;
    for (k = 0; k < n; k++) {
        if (u[k] == ':' && k > 0 && n - k >= 3 && u[k + 1] == '/'
            && u[k + 2] == '/') {
            i = k + 3;
            break;
        }
        if (!(isalnum((unsigned char)u[k]) || u[k] == '+' || u[k] == '-'
              || u[k] == '.'))
            break;
    }
    for (; i < n && o < 511; i++) {
        char ch = u[i];
        if (ch == '/')
            host = 0;
        out[o++] = host && ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    *on = o;
}

static int
ref_seen(ref_log *l, uint64_t i)
{
    return l->seen[i - l->origin];
}

static void
ref_declare(ref_gap *r, ref_log *l, uint64_t first, uint64_t count,
            unsigned flags)
{
    ref_ev *e;

    if (count <= CS_GAP_DELIBERATE_MAX)
        flags |= CS_GAP_MAYBE_DELIBERATE, r->c.deliberate++;
    r->c.gaps++;
    r->c.missing += count;
    if (r->nev == REF_EVENTS)
        return;
    e = &r->ev[r->nev++];
    e->url_len = l->len < CS_GAP_URL_MAX ? l->len : CS_GAP_URL_MAX;
    memcpy(e->url, l->url, e->url_len);
    e->first = first, e->count = count, e->flags = flags;
}

/* Settle below limit, runs whole; [top, hi) missing. */
static void
ref_settle(ref_gap *r, ref_log *l, uint64_t limit, uint64_t hi,
           unsigned flags)
{
    uint64_t p = l->base, q;

    while (p < limit) {
        if (p < l->top && ref_seen(l, p)) {
            p++;
            continue;
        }
        q = p;
        while (q < l->top && !ref_seen(l, q))
            q++;
        if (q == l->top && hi > q)
            q = hi;
        if (q == p)
            break;
        ref_declare(r, l, p, q - p, flags);
        p = q;
    }
    l->base = p;
    if (l->top < p)
        l->top = p;
    while (l->base < l->top && ref_seen(l, l->base))
        l->base++;
}

/* Checkpoints: settle below the newest one window_ms old; forget the
 * leading ones at or below base; a new one when there are holes,
 * ceil(ms / 4) after the last and something new since (at most 5). */
static void
ref_clock(ref_gap *r, ref_log *l, uint64_t now)
{
    uint64_t every = ((uint64_t)r->window_ms + 3) / 4, best = 0;
    int i, o = 0, found = 0, lead = 1;

    if (r->window_ms == 0)
        return;
    for (i = 0; i < l->nm; i++)
        if (now - l->t[i] >= r->window_ms)
            best = l->m[i], found = 1;
    if (found && best > l->base)
        ref_settle(r, l, best, l->top, CS_GAP_TIMED);
    for (i = 0; i < l->nm; i++) {
        if (lead && l->m[i] <= l->base)
            continue;
        lead = 0;
        l->m[o] = l->m[i], l->t[o] = l->t[i], o++;
    }
    l->nm = o;
    if (l->top > l->base && l->nm < 5
        && (l->nm == 0 || (now - l->t[l->nm - 1] >= every
                           && l->top > l->m[l->nm - 1])))
        l->m[l->nm] = l->top, l->t[l->nm] = now, l->nm++;
}

static int
ref_add(ref_gap *r, const char *url, size_t n, uint64_t index, uint64_t now)
{
    char key[512];
    size_t kn, i;
    ref_log *l = NULL, *fr = NULL, *idle = NULL;

    ref_norm(url, n, key, &kn);
    r->c.arrivals++;
    if (index == UINT64_MAX) {      /* never tracked (top would wrap) */
        r->c.old++;
        return CS_GAP_OLD;
    }
    for (i = 0; i < r->slots && l == NULL; i++) {
        ref_log *x = &r->log[i];
        if (!x->in_use) {
            if (fr == NULL)
                fr = x;
        } else if (x->len == kn && memcmp(x->url, key, kn) == 0) {
            l = x;
        } else if (idle == NULL || x->t_last < idle->t_last) {
            idle = x;
        }
    }
    if (l == NULL) {
        if (fr == NULL) {
            if (idle == NULL || now - idle->t_last < CS_GAP_IDLE_MS) {
                r->c.untracked++;
                return CS_GAP_UNTRACKED;
            }
            ref_settle(r, idle, idle->top, idle->top, CS_GAP_EVICTED);
            r->c.evicted++;
            r->c.logs--;
            fr = idle;
        }
        l = fr;
        memset(l, 0, sizeof *l);
        l->in_use = 1;
        memcpy(l->url, key, kn);
        l->len = kn;
        l->origin = l->base = l->top = index;
        r->c.logs++;
    }
    l->t_last = now;
    ref_clock(r, l, now);
    if (index < l->base) {
        if (index < l->origin || l->top - index > r->window)
            return (int)(r->c.old++, CS_GAP_OLD);
        if (ref_seen(l, index))
            return (int)(r->c.duplicates++, CS_GAP_DUPLICATE);
        l->seen[index - l->origin] = 1;
        return (int)(r->c.late++, CS_GAP_LATE);
    }
    if (index - l->base >= r->window)
        ref_settle(r, l, index - r->window + 1, index, 0);
    if (index < l->top && ref_seen(l, index))
        return (int)(r->c.duplicates++, CS_GAP_DUPLICATE);
    if (index < l->top)
        r->c.reordered++;
    else
        l->top = index + 1;
    l->seen[index - l->origin] = 1;
    while (l->base < l->top && ref_seen(l, l->base))
        l->base++;
    return CS_GAP_NEW;
}

static void
ref_poll(ref_gap *r, uint64_t now)
{
    size_t i;

    if (r->window_ms == 0 || now < r->t_poll)
        return;
    for (i = 0; i < r->slots; i++)
        if (r->log[i].in_use)
            ref_clock(r, &r->log[i], now);
    r->t_poll = now + (r->window_ms / 8 > 0 ? r->window_ms / 8 : 1);
}

static void
ref_flush(ref_gap *r)
{
    size_t i;

    for (i = 0; i < r->slots; i++)
        if (r->log[i].in_use)
            ref_settle(r, &r->log[i], r->log[i].top, r->log[i].top,
                       CS_GAP_FLUSHED);
}

static void
ref_init(ref_gap *r, size_t slots, uint32_t window, uint32_t window_ms)
{
    memset(r, 0, sizeof *r);
    r->slots = slots < REF_LOGS ? slots : REF_LOGS;
    r->window = window;
    r->window_ms = window_ms;
}
#endif
