/* fw/syscalls.c - the few system calls newlib-nano needs here: printf
 * writes through _write (to the board console), stdio asks _fstat and
 * _isatty how to buffer, and malloc (the stdout buffer) grows with _sbrk
 * between the end of .bss and the stack. There are no files. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "board.h"

int _write(int fd, const void *buf, size_t n);
int _read(int fd, void *buf, size_t n);
int _close(int fd);
off_t _lseek(int fd, off_t off, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
void *_sbrk(ptrdiff_t incr);
void _exit(int status);
int _kill(int pid, int sig);
int _getpid(void);

extern char end, _estack, _Min_Stack;  /* from the linker script */

int
_write(int fd, const void *buf, size_t n)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    board_console_write((const char *)buf, n);
    return (int)n;
}

int
_read(int fd, void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    (void)n;
    return 0;                          /* no input: end of file */
}

int
_close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

off_t
_lseek(int fd, off_t off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int
_fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;             /* a terminal: line buffered */
    return 0;
}

int
_isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

void *
_sbrk(ptrdiff_t incr)
{
    static char *brk = &end;
    char *limit = &_estack - (uintptr_t)&_Min_Stack, *old = brk;

    if (incr > limit - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk += incr;
    return old;
}

void
_exit(int status)
{
    (void)status;
    for (;;)
        __asm__ volatile ("bkpt #0");
}

int
_kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int
_getpid(void)
{
    return 1;
}
