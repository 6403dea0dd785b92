/* bench/e2e_rusage.c - run one client for bench/e2e.sh and report its own
 * resource use, like /usr/bin/time but with a small footprint.
 *
 *   e2e_rusage OUT -- PROGRAM [ARGS...]
 *
 * forks, execs PROGRAM, wait4()s for it and writes one line to OUT:
 *   RUSAGE status wall_s user_s sys_s maxrss_kb nvcsw nivcsw self_hwm_kb
 * status is the exit status (128+N for a signal N, 127 when exec failed).
 *
 * Why not Python's os.wait4 on a child it spawned: Linux charges the
 * memory of the process image that calls execve() to the child's
 * ru_maxrss (exec_mmap() folds the old mm's high-water mark into
 * signal->maxrss), so a child of a 20 MB Python reports at least 20 MB.
 * Built static (musl when there is musl-gcc), this launcher is a few
 * hundred KB; self_hwm_kb is its own VmHWM before the fork, the floor under
 * which a client's peak cannot be seen. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long
self_hwm(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
    struct rusage ru;
    double t0, t1;
    long hwm;
    int status, rc;
    pid_t pid;
    FILE *out;

    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: e2e_rusage OUT -- PROGRAM [ARGS...]\n");
        return 2;
    }
    out = fopen(argv[1], "w");
    if (out == NULL) {
        perror(argv[1]);
        return 2;
    }
    hwm = self_hwm();
    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execv(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("wait4");
        return 2;
    }
    t1 = now();
    rc = WIFEXITED(status) ? WEXITSTATUS(status)
       : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    fprintf(out, "RUSAGE %d %.6f %.6f %.6f %ld %ld %ld %ld\n", rc, t1 - t0,
            tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss, ru.ru_nvcsw,
            ru.ru_nivcsw, hwm);
    return fclose(out) == 0 ? 0 : 2;
}
