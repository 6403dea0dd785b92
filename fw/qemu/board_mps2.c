/* fw/qemu/board_mps2.c - the same board functions for QEMU's mps2-an386
 * (an emulated Cortex-M4), so that the firmware build can run: fw/qemu.sh
 * links it in place of fw/board.c with the very same objects (the example
 * with certstream.h, BearSSL for the M4, startup, syscalls).
 *
 *   link     the CMSDK UART0 (0x40004000), which QEMU connects to a TCP
 *            socket (-serial): the serial-to-TCP bridge of fw/board.c made
 *            real; polled, with QEMU's flow control
 *   console  semihosting (the host's stdout)
 *   clocks   semihosting: SYS_CLOCK for milliseconds, SYS_TIME for the
 *            host's Unix time (certificate dates check for real)
 *   RNG      TEST ONLY: xorshift seeded from the host clock; QEMU has no TRNG
 *   stack    painted at reset; the high-water mark is printed when the
 *            example opens its second connection, and QEMU exits there */
#include "board.h"

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define UART_DATA  REG(0x40004000u)
#define UART_STATE REG(0x40004004u)
#define UART_CTRL  REG(0x40004008u)
#define UART_BAUD  REG(0x40004010u)
#define TX_FULL 1u
#define RX_FULL 2u
#define PAINT 0xC5u

extern char _estack, _Min_Stack;
static uint32_t rng_state;
static int opens, tty = -1;

static int
semi(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile ("bkpt #0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void
board_init(void)
{
    volatile unsigned char *p = (volatile unsigned char *)(&_estack
                                  - (uintptr_t)&_Min_Stack);
    unsigned char *sp;
    uint32_t t;

    __asm__ volatile ("mov %0, sp" : "=r"(sp));
    while (p < sp - 64)                        /* paint the stack */
        *p++ = PAINT;
    UART_BAUD = 16;
    UART_CTRL = 3u;                            /* TX and RX on */
    t = (uint32_t)semi(0x11, 0) ^ ((uint32_t)semi(0x10, 0) << 16);
    rng_state = t != 0 ? t : 0x9E3779B9u;
}

void
SysTick_Handler(void)
{
}

void
USART1_IRQHandler(void)
{
}

static size_t
stack_high_water(void)
{
    const unsigned char *lo = (const unsigned char *)(&_estack
                                - (uintptr_t)&_Min_Stack), *p = lo;

    while (p < (const unsigned char *)&_estack && *p == PAINT)
        p++;
    return (size_t)((const unsigned char *)&_estack - p);
}

void
board_console_write(const char *p, size_t n)
{
    uint32_t args[3];

    if (tty < 0) {
        uint32_t o[3];
        o[0] = (uint32_t)(uintptr_t)":tt";
        o[1] = 4;                              /* "w" */
        o[2] = 3;
        tty = semi(0x01, o);                   /* SYS_OPEN */
    }
    args[0] = (uint32_t)tty;
    args[1] = (uint32_t)(uintptr_t)p;
    args[2] = (uint32_t)n;
    (void)semi(0x05, args);                    /* SYS_WRITE */
}

static void
say(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    board_console_write(s, n);
}

static void
say_num(size_t v)
{
    char b[24];
    size_t i = sizeof b;
    b[--i] = '\0';
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    say(b + i);
}

uint64_t
board_millis(void)
{
    return (uint64_t)(uint32_t)semi(0x10, 0) * 10u;   /* SYS_CLOCK: cs */
}

int64_t
board_unix_time(void)
{
    return (int64_t)(uint32_t)semi(0x11, 0);  /* SYS_TIME */
}

void
board_idle(uint64_t until_ms)
{
    while (!(UART_STATE & RX_FULL) && board_millis() < until_ms)
        ;
}

int
board_link_open(const char *host, unsigned port)
{
    (void)host;
    (void)port;
    if (++opens == 2) {                        /* the first attempt ended */
        say("qemu: stack high-water mark ");
        say_num(stack_high_water());
        say(" bytes\n");
        (void)semi(0x18, (const void *)0x20026u);  /* exit, success */
    }
    return 0;
}

int
board_link_read(unsigned char *buf, size_t len)
{
    size_t n = 0;

    while (n < len && (UART_STATE & RX_FULL))
        buf[n++] = (unsigned char)UART_DATA;
    return (int)n;
}

int
board_link_write(const unsigned char *buf, size_t len)
{
    size_t n;

    for (n = 0; n < len; n++) {
        while (UART_STATE & TX_FULL)
            ;
        UART_DATA = buf[n];
    }
    return (int)n;
}

void
board_link_close(void)
{
#ifdef QEMU_EXIT_ON_CLOSE
    /* direct mode: the example closes its link once, when it is done */
    say("qemu: stack high-water mark ");
    say_num(stack_high_water());
    say(" bytes\n");
    (void)semi(0x18, (const void *)0x20026u);  /* exit, success */
#endif
}

int
board_rng(void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;

    while (len-- > 0) {                        /* TEST ONLY: not random */
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 17;
        rng_state ^= rng_state << 5;
        *p++ = (unsigned char)(rng_state >> 24);
    }
    return 0;
}
