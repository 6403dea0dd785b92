/* fw/board.h - the board support the firmware example needs (see
 * examples/custom_transport.c, built with -DFIRMWARE_BOARD), for an
 * STM32F412ZG (Cortex-M4F). fw/README.md says what is real and what is a
 * stub. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Called by the reset handler before main(): clocks (96 MHz from the
 * PLL, 48 MHz for the TRNG), SysTick at 1 kHz, the link UART, the TRNG. */
void board_init(void);

/* The link: a byte pipe to the server (here: USART1 to a serial-to-TCP
 * bridge). read returns bytes read, 0 when nothing is there now, -2 at
 * end of stream, -1 on error; write returns bytes written or -1. */
int board_link_open(const char *host, unsigned port);
int board_link_read(unsigned char *buf, size_t len);
int board_link_write(const unsigned char *buf, size_t len);
void board_link_close(void);

/* len bytes from the TRNG; 0, or -1 when it reports a fault. */
int board_rng(void *buf, size_t len);

/* Milliseconds since reset (SysTick). */
uint64_t board_millis(void);
/* Unix time from the RTC calendar; 0 when the RTC was never set. */
int64_t board_unix_time(void);
/* Sleep (WFI) until until_ms, or until a byte arrives on the link. */
void board_idle(uint64_t until_ms);

/* Exception and interrupt handlers (the vector table is in startup.c). */
void SysTick_Handler(void);
void USART1_IRQHandler(void);

/* Console output for printf (newlib's _write): ITM stimulus port 0 (SWO),
 * dropped when no debugger enabled it. */
void board_console_write(const char *p, size_t n);

#endif
