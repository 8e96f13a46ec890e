/* SPDX-License-Identifier: MIT */
/*
 * The hardware, as the control loop sees it: a small table of operations
 * with two implementations, the real one (libiio sensors, libgpiod lines,
 * src/hw/hw_real.c) and the simulated one (src/sim/hw_sim.c), and the
 * clock that paces the loop, CLOCK_MONOTONIC on hardware
 * (src/hw/wall_clock.c), virtual time on the simulated plant
 * (src/sim/sim_clock.c). The same core and the same loop run on both, and
 * the loop never knows which it has.
 */
#ifndef CONTRASTD_HW_H
#define CONTRASTD_HW_H

#include <stdbool.h>
#include <stdint.h>
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

	/*
	 * Optional (NULL on real hardware, which has no truth to tell): the
	 * true pad and heatsink temperatures of every configured zone, as
	 * they are now, for --trace. Safety is judged on these, never on what
	 * the daemon read.
	 */
	void (*truth)(void *ctx, double pad_c[MAX_ZONES], double sink_c[MAX_ZONES]);

	/*
	 * The status light ([button] led): on or off as of now_s. Optional
	 * (NULL: no light to drive). Returns 0, or -1 when the write failed:
	 * not a safety matter (the light drives nothing), the caller logs it.
	 * close() leaves the light off.
	 */
	int (*set_led)(void *ctx, double now_s, bool on);

	/*
	 * Optional (NULL: the hardware takes whatever config the daemon
	 * takes): may a reloaded config, next, apply without a restart? The
	 * daemon checks its own fixed settings first (lines, sensors, rates).
	 * Returns 0, or -1 with what only a restart can apply in what
	 * ("[simulate] ambient_c ...").
	 */
	int (*reload_check)(void *ctx, const struct config *next, char *what, size_t what_len);

	/*
	 * Optional: the [safety] power line as it is now, for --trace with
	 * power_mode = charge-pump: *edges, how many times it has changed
	 * level since the hardware opened; *relay, whether the supply relay
	 * is closed, or -1 where that cannot be known (real hardware).
	 */
	void (*power_line)(void *ctx, long *edges, int *relay);
};

struct hw {
	const struct hw_ops *ops;
	void *ctx;
};

/*
 * The clock that paces the control loop. The loop asks it how to pace the
 * ticks (a timer period, or flat out), how many ticks a timer expiration
 * is worth, and the time of each tick; whatever is behind the clock (the
 * wall, or a simulated plant in virtual time) stays behind it.
 */
struct hw_clock_ops {
	/* The loop starts now: the origin of the clock's wall time. Call once, before the first tick. */
	void (*start)(void *ctx);

	/*
	 * Wall seconds between expirations of the loop's tick timer, or 0:
	 * run flat out (ticks back to back between the loop's other work, no
	 * timer). Asked when the loop starts and after every expiration; once
	 * it has said 0 it says 0 for good.
	 */
	double (*period_s)(void *ctx);

	/*
	 * The tick timer expired this many times since it was last read (0 on
	 * a spurious wake-up): how many ticks to run now. The wall runs one
	 * for any number (a late tick is one tick with a longer gap); virtual
	 * time runs one per expiration (a slow machine only runs late).
	 */
	uint64_t (*ticks_due)(void *ctx, uint64_t expirations);

	/*
	 * The tick about to run: returns its controller time (seconds since
	 * the loop started) and sets *gap_s, the time since the previous tick
	 * (the control period before the first). Virtual time moves the plant
	 * up to that time first; an injected loop stall happens here (the gap
	 * grows by it and, at a watchable speed, the call blocks for it).
	 */
	double (*next_tick)(void *ctx, double *gap_s);

	/*
	 * The calendar time (seconds since 1970, UTC) of controller time now_s,
	 * for what is counted per rolling 24 hours (the dose ledger, the
	 * lockout) and kept across restarts: CLOCK_REALTIME on hardware; on the
	 * simulated plant the virtual clock anchored at the wall clock when the
	 * process started, so back-to-back simulated runs see each other.
	 */
	double (*calendar_s)(void *ctx, double now_s);
};

struct hw_clock {
	const struct hw_clock_ops *ops;
	void *ctx;
};

#endif
