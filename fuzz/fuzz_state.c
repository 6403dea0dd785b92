/* fuzz_state.c - libFuzzer target for the command's --state file loader
 * (examples/certstream.c: state_load(), state_parse_log()), with no change
 * to the command: it is #included here with its main() renamed.
 *
 * Input: the whole state file. It is written to a temporary file and
 * loaded as `--state FILE` would load it. Checks; a failure aborts:
 *   1. state_load() returns 0 or 2 (a defined refusal), never crashes or
 *      reads outside the file's bytes (ASan).
 *   2. Accepted, the rows are sane (kind, URL a NUL-terminated string of
 *      visible bytes, at most 256 rows), and state_write() writes the
 *      same bytes back (the loader takes exactly what the writer writes).
 * Build: -I<repo root>. */
#define main certstream_main
int main(int argc, char **argv); /* -Wmissing-prototypes */
#include "../examples/certstream.c"
#undef main
#define FZ_NAME "fuzz_state"
#include "fuzz.h"

/* /dev/shm when there is one: state_write() fsyncs the file and its
 * directory, slow on a disk. */
static const char *
fz_dir(void)
{
    struct stat sb;
    return stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm"
                                                            : "/tmp";
}

static char fz_path[64], fz_tmp[80], fz_back[STATE_MAX * STATE_LINE + 64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    size_t i, n;
    int r;

    if (fz_path[0] == 0) {
        snprintf(fz_path, sizeof fz_path, "%s/fuzz_state.%ld", fz_dir(),
                 (long)getpid());
        snprintf(fz_tmp, sizeof fz_tmp, "%s.tmp", fz_path);
    }
    f = fopen(fz_path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fz_fail("cannot write %s", fz_path);
    memset(&sv, 0, sizeof sv);
    sv.file = fz_path;
    r = state_load();
    if (r != 0 && r != 2)
        fz_fail("state_load: %d", r);
    if (r == 0) {
        if (sv.n > STATE_MAX)
            fz_fail("%zu rows", sv.n);
        for (i = 0; i < sv.n; i++) {
            const srow *w = &sv.rows[i];
            n = strnlen(w->url, sizeof w->url);
            if (n == 0 || n > CS_URL_MAX || !w->known
                || (w->kind != CS_CT_RFC6962 && w->kind != CS_CT_STATIC
                    && w->kind != STATE_SRV))
                fz_fail("row %zu", i);
        }
        memcpy(sv.tmp, fz_tmp, strlen(fz_tmp) + 1);
        memcpy(sv.dir, fz_dir(), strlen(fz_dir()) + 1);
        if (state_write() != 0)
            fz_fail("state_write failed");
        f = fopen(fz_path, "rb");
        if (f == NULL)
            fz_fail("cannot read %s back", fz_path);
        n = fread(fz_back, 1, sizeof fz_back, f);
        fclose(f);
        if (n != size || memcmp(fz_back, data, size) != 0)
            fz_fail("written back: %zu bytes, loaded %zu, differ", n, size);
    }
    unlink(fz_path);
    return 0;
}
