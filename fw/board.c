/* fw/board.c - board support for the firmware build of certstream.h:
 * an STM32F412ZG (Cortex-M4F, 1 MiB flash, 256 KiB SRAM), bare metal,
 * no vendor HAL: registers are written directly (addresses from the
 * STM32F412 reference manual, RM0402).
 *
 * What is real and what is a stub (fw/README.md says more):
 *   clocks   real: HSI 16 MHz -> PLL: 96 MHz SYSCLK, 48 MHz for the TRNG
 *   millis   real: SysTick at 1 kHz
 *   RNG      real: the STM32 TRNG, with its seed/clock error checks
 *   time     real: the RTC calendar (BCD) -> Unix seconds; 0 if the RTC
 *            was never set (then certificate dates cannot be checked)
 *   idle     real: WFI until the deadline or a received byte
 *   link     STUB: USART1 (PA9/PA10, 921600 8N1, interrupt-driven receive
 *            ring) as a transparent byte pipe to a serial-to-TCP bridge on
 *            the other end. Opening sends nothing: the bridge is assumed
 *            to be connected to host:port already; the end of the stream
 *            cannot be seen. A real product puts its modem, Wi-Fi module
 *            or TCP/IP stack (lwIP) behind these four functions.
 *   console  printf goes to ITM port 0 (SWO) when a debugger enabled it.
 * Nothing here has run on hardware: it compiles, links and is plausible. */
#include "board.h"

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* RCC, flash interface, GPIOA */
#define RCC          0x40023800u
#define RCC_CR       REG(RCC + 0x00)
#define RCC_PLLCFGR  REG(RCC + 0x04)
#define RCC_CFGR     REG(RCC + 0x08)
#define RCC_AHB1ENR  REG(RCC + 0x30)
#define RCC_AHB2ENR  REG(RCC + 0x34)
#define RCC_APB1ENR  REG(RCC + 0x40)
#define RCC_APB2ENR  REG(RCC + 0x44)
#define FLASH_ACR    REG(0x40023C00u)
#define GPIOA        0x40020000u
#define GPIOA_MODER  REG(GPIOA + 0x00)
#define GPIOA_AFRH   REG(GPIOA + 0x24)

/* USART1 (APB2, 96 MHz), IRQ 37 */
#define USART1       0x40011000u
#define USART_SR     REG(USART1 + 0x00)
#define USART_DR     REG(USART1 + 0x04)
#define USART_BRR    REG(USART1 + 0x08)
#define USART_CR1    REG(USART1 + 0x0C)
#define SR_FE   (1u << 1)
#define SR_NF   (1u << 2)
#define SR_ORE  (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TXE  (1u << 7)
#define USART1_IRQn 37u
#define NVIC_ISER(n) REG(0xE000E100u + 4u * (n))

/* TRNG (AHB2) */
#define RNG          0x50060800u
#define RNG_CR       REG(RNG + 0x00)
#define RNG_SR       REG(RNG + 0x04)
#define RNG_DR       REG(RNG + 0x08)

/* RTC (backup domain; its clock is enabled once when the RTC is set) */
#define RTC          0x40002800u
#define RTC_TR       REG(RTC + 0x00)
#define RTC_DR       REG(RTC + 0x04)
#define RTC_ISR      REG(RTC + 0x0C)

/* SysTick, ITM */
#define SYST_CSR     REG(0xE000E010u)
#define SYST_RVR     REG(0xE000E014u)
#define SYST_CVR     REG(0xE000E018u)
#define ITM_PORT0    REG(0xE0000000u)
#define ITM_TER      REG(0xE0000E00u)
#define ITM_TCR      REG(0xE0000E80u)

#define SYSCLK_HZ 96000000u
#define LINK_BAUD 921600u

static volatile uint64_t ticks;        /* ms since reset */

/* Received link bytes: filled by the interrupt, drained by link_read. */
#define RX_SIZE 2048u                  /* a power of two */
static volatile unsigned char rx_buf[RX_SIZE];
static volatile uint32_t rx_head, rx_tail;
static volatile int rx_error;          /* overrun, framing, ring full */
static int link_up;

static void
irq_off(void)
{
    __asm__ volatile ("cpsid i" ::: "memory");
}

static void
irq_on(void)
{
    __asm__ volatile ("cpsie i" ::: "memory");
}

static void
clocks_init(void)
{
    /* PLL from HSI (16 MHz): /M=16 -> 1 MHz, *N=192 -> 192 MHz,
     * /P=2 -> 96 MHz SYSCLK, /Q=4 -> 48 MHz for the TRNG. */
    RCC_PLLCFGR = 16u | (192u << 6) | (0u << 16) | (4u << 24);
    RCC_CR |= 1u << 24;                        /* PLLON */
    while (!(RCC_CR & (1u << 25)))             /* PLLRDY */
        ;
    FLASH_ACR = 3u | (1u << 8) | (1u << 9) | (1u << 10); /* 3 WS, caches */
    RCC_CFGR = (RCC_CFGR & ~0xFCF3u) | (4u << 10) | 2u; /* APB1 /2, PLL */
    while ((RCC_CFGR & 0xCu) != 0x8u)
        ;
}

void
board_init(void)
{
    clocks_init();
    RCC_AHB1ENR |= 1u << 0;                    /* GPIOA */
    RCC_AHB2ENR |= 1u << 6;                    /* RNG */
    RCC_APB2ENR |= 1u << 4;                    /* USART1 */
    (void)RCC_APB2ENR;                         /* let the clock settle */

    /* PA9 (TX) and PA10 (RX): alternate function 7. */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);
    USART_BRR = (SYSCLK_HZ + LINK_BAUD / 2) / LINK_BAUD;
    USART_CR1 = (1u << 13) | (1u << 5) | (1u << 3) | (1u << 2);
    NVIC_ISER(USART1_IRQn / 32) = 1u << (USART1_IRQn % 32);

    RNG_CR = 1u << 2;                          /* RNGEN */

    SYST_RVR = SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;                             /* core clock, IRQ, on */
}

void
SysTick_Handler(void)
{
    ticks++;
}

void
USART1_IRQHandler(void)
{
    uint32_t sr = USART_SR;

    if (sr & (SR_ORE | SR_FE | SR_NF))
        rx_error = 1;                          /* a byte was lost */
    if (sr & (SR_RXNE | SR_ORE)) {
        unsigned char c = (unsigned char)USART_DR; /* clears RXNE, ORE */
        uint32_t h = rx_head;
        if (h - rx_tail < RX_SIZE) {
            rx_buf[h & (RX_SIZE - 1)] = c;
            rx_head = h + 1;
        } else {
            rx_error = 1;                      /* the ring is full */
        }
    }
}

uint64_t
board_millis(void)
{
    uint64_t t;

    irq_off();                                 /* a 64-bit read: 2 words */
    t = ticks;
    irq_on();
    return t;
}

void
board_idle(uint64_t until_ms)
{
    while (rx_head == rx_tail && board_millis() < until_ms)
        __asm__ volatile ("wfi");              /* SysTick or a byte */
}

int
board_link_open(const char *host, unsigned port)
{
    /* STUB: a modem would dial host:port here (AT+CIPSTART...), a TCP/IP
     * stack would connect. The bridge is connected already. */
    (void)host;
    (void)port;
    irq_off();
    rx_tail = rx_head;                         /* drop stale bytes */
    rx_error = 0;
    irq_on();
    link_up = 1;
    return 0;
}

int
board_link_read(unsigned char *buf, size_t len)
{
    size_t n = 0;

    if (!link_up || rx_error)
        return -1;                             /* TLS cannot resync */
    while (n < len && rx_tail != rx_head) {
        buf[n++] = rx_buf[rx_tail & (RX_SIZE - 1)];
        rx_tail++;
    }
    return (int)n;                             /* 0: nothing now */
}

int
board_link_write(const unsigned char *buf, size_t len)
{
    size_t n;

    if (!link_up)
        return -1;
    for (n = 0; n < len; n++) {                /* blocking: ~11 us/byte */
        while (!(USART_SR & SR_TXE))
            ;
        USART_DR = buf[n];
    }
    return (int)n;
}

void
board_link_close(void)
{
    /* STUB: a modem would hang up, a TCP/IP stack would close. */
    link_up = 0;
}

int
board_rng(void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;

    while (len > 0) {
        uint32_t sr, w, spins = 0;
        size_t k;

        while (!((sr = RNG_SR) & 1u)) {        /* DRDY */
            if ((sr & 0x66u) || ++spins > 100000u)
                return -1;                     /* seed/clock error, dead */
        }
        if (sr & 0x66u)                        /* SEIS/CEIS/SECS/CECS */
            return -1;
        w = RNG_DR;
        for (k = 0; k < 4 && len > 0; k++, len--) {
            *p++ = (unsigned char)w;
            w >>= 8;
        }
    }
    return 0;
}

static unsigned
bcd(uint32_t v)
{
    return (unsigned)((v >> 4) * 10u + (v & 0xFu));
}

/* Days since 1970-01-01 of a date in 2000..2099 (the RTC's range): 32-bit
 * arithmetic only, so no 64-bit division from libgcc. */
static int32_t
days_since_1970(unsigned y, unsigned m, unsigned d)
{
    static const uint16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212,
                                         243, 273, 304, 334 };
    unsigned n = y - 2000u;            /* every 4th year is leap here */

    return 10957 + (int32_t)(n * 365u + (n + 3u) / 4u + before[m - 1u]
                             + (m > 2u && n % 4u == 0u) + d - 1u);
}

int64_t
board_unix_time(void)
{
    uint32_t tr, dr;
    unsigned m;

    if (!(RCC_APB1ENR & (1u << 28)))
        RCC_APB1ENR |= 1u << 28;               /* PWR: the backup domain */
    if (!(RTC_ISR & (1u << 4)))                /* INITS: calendar never set */
        return 0;
    tr = RTC_TR;                               /* locks DR until read */
    dr = RTC_DR;
    m = bcd(dr >> 8 & 0x1Fu);
    if (m < 1 || m > 12)
        return 0;
    return (int64_t)days_since_1970(2000u + bcd(dr >> 16 & 0xFFu), m,
                                    bcd(dr & 0x3Fu)) * 86400
         + (int64_t)(bcd(tr >> 16 & 0x3Fu) * 3600u
                     + bcd(tr >> 8 & 0x7Fu) * 60u + bcd(tr & 0x7Fu));
}

void
board_console_write(const char *p, size_t n)
{
    if (!(ITM_TCR & 1u) || !(ITM_TER & 1u))
        return;                                /* no debugger listening */
    while (n-- > 0) {
        while (ITM_PORT0 == 0)                 /* the FIFO is full */
            ;
        *(volatile unsigned char *)(uintptr_t)0xE0000000u =
            (unsigned char)*p++;
    }
}
