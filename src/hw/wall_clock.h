/* SPDX-License-Identifier: MIT */
/*
 * The clock of the real device: CLOCK_MONOTONIC. One tick per control
 * period of wall time; a tick's controller time is the monotonic time
 * since the loop started, so a late tick is a longer gap, never a tick
 * that did not happen.
 */
#ifndef CONTRASTD_WALL_CLOCK_H
#define CONTRASTD_WALL_CLOCK_H

#include "hw.h"

struct wall_clock {
	double tick_s;                  /* control period */
	double origin_s;                /* monotonic time the loop started */
	double last_s;                  /* controller time of the last tick */
	long ticks;
};

/* A clock that ticks every tick_s of CLOCK_MONOTONIC; c lives as long as the returned clock. */
struct hw_clock wall_clock_init(struct wall_clock *c, double tick_s);

#endif
