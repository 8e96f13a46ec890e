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
#include "../core/button.h"
#include "../core/controller.h"

struct loop;

/* What the hardware reports to the daemon between ticks. */
struct hw_events {
	/*
	 * The bedside button: event is BUTTON_SHORT_PRESS or BUTTON_LONG_PRESS,
	 * now_s when it was recognised, in the hardware's clock
	 * (CLOCK_MONOTONIC seconds). NULL: presses are ignored.
	 */
	void (*button)(void *arg, enum button_event event, double now_s);
	void *arg;
};

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

	/*
	 * Optional (NULL when the hardware needs no events, as the simulated
	 * one): put the hardware's own file descriptors into the loop (the
	 * real one's PWM-edge timerfd and the button's line-event fd) and
	 * report through ev, which is copied. Call once, after loop_init and
	 * before loop_run; close() takes the fds out again. Returns 0, or -1
	 * after logging why.
	 */
	int (*attach)(void *ctx, struct loop *loop, const struct hw_events *ev);
};

struct hw {
	const struct hw_ops *ops;
	void *ctx;
};

#endif
