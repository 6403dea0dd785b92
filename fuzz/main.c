/* main.c - replay inputs through a fuzz harness without libFuzzer.
 *
 *   cc -std=c99 ... -o replay_json fuzz/main.c fuzz/fuzz_json.c
 *   ./replay_json FILE|DIR...
 *
 * Calls LLVMFuzzerTestOneInput() once per file, in argument order;
 * directories are read one level deep, in name order, skipping dot files
 * and README*. After each input it prints "ok PATH" and flushes, so a
 * caller can tell which input crashed (tests/test_regress.sh restarts after
 * it). A harness reports a failure by abort(), so a failure never returns.
 * Exits 0 after the last input, 2 when a file cannot be read.
 * (After stb's tests/fuzz_main.c and cJSON's fuzzing/fuzz_main.c.)
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL) {
        perror(path);
        return 2;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            unsigned char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = (unsigned char *)realloc(buf, cap);
            if (nb == NULL) {
                fclose(f);
                free(buf);
                fprintf(stderr, "%s: out of memory\n", path);
                return 2;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        perror(path);
        fclose(f);
        free(buf);
        return 2;
    }
    fclose(f);
    /* an exact-size copy, so ASan catches a read one past the end */
    {
        unsigned char *exact = (unsigned char *)malloc(len ? len : 1);
        if (exact == NULL)
            abort();
        if (len > 0)
            memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    printf("ok %s\n", path);
    fflush(stdout);
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (d == NULL) {
        perror(dir);
        return 2;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
            continue;
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 64;
            nn = (char **)realloc(names, cap * sizeof *names);
            if (nn == NULL)
                abort();
            names = nn;
        }
        names[n] = (char *)malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] == NULL)
            abort();
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)
                && run_file(names[i]) != 0)
            rc = 2;
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    int i, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 2;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i]) != 0)
                rc = 2;
        } else if (run_file(argv[i]) != 0) {
            rc = 2;
        }
    }
    return rc;
}
