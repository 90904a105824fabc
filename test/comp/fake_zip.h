/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A fake compression driver for the wd_comp tests: a model-bus provider
 * ("model:type=fakezip,...") and a driver with class ops "comp" whose
 * queues complete struct wd_comp_msg requests in software with zlib
 * (its own framing, independent of lib/wd_comp). Used to test the
 * hardware engine before, and besides, the real driver and model.
 *
 * Device arguments:
 *   max_len=N        largest message (default 8 MiB)
 *   depth=N          queue depth (default 64; capacity depth-1)
 *   queues=N         queues of the function (default 16)
 *   stateful=0|1     stream support (default 1)
 *   deflate_decomp=no|caps|runtime
 *                    raw deflate decompression: absent from caps (default),
 *                    in caps and done, or in caps but refused per message
 *                    with WD_COMP_MSG_ERR_NOTSUP
 *   window_min=N     smallest compression window (default 12)
 *   decomp_status=N  every decompression message fails WD_COMP_MSG_ERR_DEVICE
 *                    with this raw status (a VF's undocumented status)
 *   node=N           NUMA node of the function (default 0)
 */
#ifndef FAKE_ZIP_H
#define FAKE_ZIP_H

#include <stdbool.h>
#include <stdint.h>

/** When true, queues keep every message in flight (recv returns none). */
extern volatile bool fake_zip_hold;
/** Messages completed by fake queues since start. */
extern uint64_t fake_zip_msgs;

#endif /* FAKE_ZIP_H */
