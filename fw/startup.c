/* fw/startup.c - reset handler and vector table for the STM32F412ZG
 * (Cortex-M4): copy .data, clear .bss, board_init(), main(). The table
 * lists the 16 core exceptions and the device interrupts up to USART1
 * (IRQ 37), the last one this program enables; a product lists all 97. */
#include <stdint.h>
#include "board.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(int argc, char **argv);
void Reset_Handler(void);
void Default_Handler(void);

void
Default_Handler(void)
{
    for (;;)
        __asm__ volatile ("bkpt #0");          /* stop here under a debugger */
}

void
Reset_Handler(void)
{
    static char *argv[] = { 0 };
    uint32_t *s = &_sidata, *d = &_sdata;

    while (d < &_edata)
        *d++ = *s++;
    for (d = &_sbss; d < &_ebss; d++)
        *d = 0;
    board_init();
    (void)main(0, argv);   /* argc 0: the example's default URL */
    for (;;)               /* firmware does not return: sleep */
        __asm__ volatile ("wfi");
}

#define D Default_Handler
typedef void (*vector)(void);
__attribute__((section(".isr_vector"), used))
static const struct {
    uint32_t *sp;
    vector v[15 + 38];
} vectors = {
    &_estack,
    {
        Reset_Handler, D /* NMI */, D /* HardFault */, D /* MemManage */,
        D /* BusFault */, D /* UsageFault */, 0, 0, 0, 0,
        D /* SVCall */, D /* DebugMon */, 0, D /* PendSV */, SysTick_Handler,
        /* IRQ 0..37 */
        D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D,
        D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D,
        USART1_IRQHandler
    }
};
