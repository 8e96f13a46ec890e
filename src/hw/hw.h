/* SPDX-License-Identifier: MIT */
/*
 * The hardware, as the control loop sees it: a small table of operations
 * with two implementations, the real one (libiio sensors, libgpiod lines,
 * src/hw/hw_real.c) and the simulated one (src/sim/hw_sim.c). The same
 * core and the same loop run on both.
 */
#ifndef CONTRASTD_HW_H
#define CONTRASTD_HW_H

#include <stdbool.h>
#include "../core/controller.h"

struct hw_ops {
	const char *name;

	/*
	 * Read every configured sensor into in->pad/pad2/heatsink. Never fails
	 * as a whole: a failed read is a sample with ok = false (and a log
	 * line), never an old value.
	 */
	void (*read)(void *ctx, double now_s, struct tick_inputs *in);

	/*
	 * Apply the outputs of a tick. Returns 0, or -1 when a line write
	 * failed, with *failed_zone the zone (or -1 for the power line). The
	 * caller then reports it to the controller and calls all_off.
	 */
	int (*apply)(void *ctx, double now_s, const struct tick_outputs *out, int *failed_zone);

	/*
	 * Drive every output line inactive, power line included. Tries every
	 * line even after a failure; returns -1 if any write failed.
	 */
	int (*all_off)(void *ctx);

	/* Release everything (lines are left inactive). */
	void (*close)(void *ctx);
};

struct hw {
	const struct hw_ops *ops;
	void *ctx;
};

#endif
