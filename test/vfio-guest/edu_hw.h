/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Register map of QEMU's educational PCI device "edu" (1234:11e8), as
 * emulated by QEMU's hw/misc/edu.c. Test-only: used by the edu driver of
 * the vfio-guest test, never shipped.
 *
 * BAR0 is 1 MiB of MMIO. Registers below 0x80 take 32-bit accesses only;
 * the DMA registers (0x80 and up) take 32- or 64-bit accesses.
 */
#ifndef EDU_HW_H
#define EDU_HW_H

#include <stdint.h>

/** PCI identity. */
#define EDU_VENDOR_ID            0x1234
#define EDU_DEVICE_ID            0x11e8
#define EDU_REVISION             0x10

/** Size of BAR0. */
#define EDU_BAR0_SIZE            (1u << 20)

/** Identification: 0xRRrr00edu (major RR, minor rr). */
#define EDU_REG_ID               0x00
#define EDU_ID_VALUE             0x010000edu
/** Liveness check: reads back the bitwise inverse of the last write. */
#define EDU_REG_LIVENESS         0x04
/** Factorial: write n to start, read n! once COMPUTING is clear. */
#define EDU_REG_FACT             0x08
/** Status: COMPUTING (read-only) and IRQFACT (raise FACT_IRQ when done). */
#define EDU_REG_STATUS           0x20
#define EDU_STATUS_COMPUTING     0x01u
#define EDU_STATUS_IRQFACT       0x80u
/** Interrupt status (pending causes). */
#define EDU_REG_IRQ_STATUS       0x24
/** Interrupt raise: ORs the written value into IRQ_STATUS and signals. */
#define EDU_REG_IRQ_RAISE        0x60
/** Interrupt acknowledge: clears the written bits of IRQ_STATUS. */
#define EDU_REG_IRQ_ACK          0x64
/** Interrupt causes raised by the device itself. */
#define EDU_IRQ_FACT             0x00000001u
#define EDU_IRQ_DMA              0x00000100u

/** DMA engine: source, destination, count, command (64-bit registers). */
#define EDU_REG_DMA_SRC          0x80
#define EDU_REG_DMA_DST          0x88
#define EDU_REG_DMA_CNT          0x90
#define EDU_REG_DMA_CMD          0x98
#define EDU_DMA_CMD_RUN          0x1u  /**< start; reads 1 while running */
#define EDU_DMA_CMD_TO_RAM       0x2u  /**< direction device -> RAM (else RAM -> device) */
#define EDU_DMA_CMD_IRQ          0x4u  /**< raise EDU_IRQ_DMA on completion */

/** The device's internal DMA buffer, addressed in SRC/DST. */
#define EDU_DMA_BUF_ADDR         0x40000u
#define EDU_DMA_BUF_SIZE         4096u
/**
 * Largest end (offset + count) of a transfer in the device buffer that the
 * driver accepts. The buffer holds 4096 bytes, but QEMU 7.2's range check
 * is off by one: a transfer that reaches the buffer's last byte calls
 * hw_error() and aborts the whole QEMU process (fixed in later QEMU).
 */
#define EDU_DMA_LEN_MAX          (EDU_DMA_BUF_SIZE - 1)
/** The DMA engine runs from a timer, about 100 ms of virtual time after start. */
#define EDU_DMA_LATENCY_MS       100

/** Offsets as laid out in BAR0, checked against each other. */
struct edu_regs {
	uint32_t id;                   /* 0x00 */
	uint32_t liveness;             /* 0x04 */
	uint32_t fact;                 /* 0x08 */
	uint32_t rsvd0[5];             /* 0x0c */
	uint32_t status;               /* 0x20 */
	uint32_t irq_status;           /* 0x24 */
	uint32_t rsvd1[14];            /* 0x28 */
	uint32_t irq_raise;            /* 0x60 */
	uint32_t irq_ack;              /* 0x64 */
	uint32_t rsvd2[6];             /* 0x68 */
	uint64_t dma_src;              /* 0x80 */
	uint64_t dma_dst;              /* 0x88 */
	uint64_t dma_cnt;              /* 0x90 */
	uint64_t dma_cmd;              /* 0x98 */
};

_Static_assert(__builtin_offsetof(struct edu_regs, fact) == EDU_REG_FACT, "edu FACT");
_Static_assert(__builtin_offsetof(struct edu_regs, status) == EDU_REG_STATUS, "edu STATUS");
_Static_assert(__builtin_offsetof(struct edu_regs, irq_status) == EDU_REG_IRQ_STATUS,
	       "edu IRQ_STATUS");
_Static_assert(__builtin_offsetof(struct edu_regs, irq_raise) == EDU_REG_IRQ_RAISE,
	       "edu IRQ_RAISE");
_Static_assert(__builtin_offsetof(struct edu_regs, irq_ack) == EDU_REG_IRQ_ACK, "edu IRQ_ACK");
_Static_assert(__builtin_offsetof(struct edu_regs, dma_src) == EDU_REG_DMA_SRC, "edu DMA_SRC");
_Static_assert(__builtin_offsetof(struct edu_regs, dma_cmd) == EDU_REG_DMA_CMD, "edu DMA_CMD");
_Static_assert(sizeof(struct edu_regs) == 0xa0, "edu register block size");

#endif /* EDU_HW_H */
