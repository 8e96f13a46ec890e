/* SPDX-License-Identifier: MIT */
/*
 * Virtual time for the simulated plant: the loop's clock (hw_clock_ops)
 * when the daemon runs simulated. Tick n is at n control periods, plus
 * every injected loop stall so far; each tick first moves the plant (and
 * its injections) up to its time. Against the wall it runs at `speed`
 * simulated seconds per second (a timer every tick_s / speed), or flat out
 * (speed 0, or once fast_after_s wall seconds have passed).
 */
#ifndef CONTRASTD_SIM_CLOCK_H
#define CONTRASTD_SIM_CLOCK_H

#include <stdbool.h>
#include "hw/hw.h"
#include "hw_sim.h"

struct sim_clock {
	struct hw_sim *sim;
	double tick_s;                  /* control period (simulated s) */
	double speed;                   /* simulated s per wall s; 0: flat out */
	double fast_after_s;            /* wall s at `speed`, then flat out; < 0: never */
	double origin_wall_s;           /* monotonic time the loop started */
	double origin_calendar_s;       /* CLOCK_REALTIME at init: virtual 0 on the calendar */
	bool fast;                      /* flat out from now on */
	double now_s;                   /* simulated time of the last tick */
	long ticks;
};

/*
 * A virtual clock over sim with the given control period and pace. c and
 * sim live as long as the returned clock.
 */
struct hw_clock sim_clock_init(struct sim_clock *c, struct hw_sim *sim, double tick_s,
			       double speed, double fast_after_s);

#endif
