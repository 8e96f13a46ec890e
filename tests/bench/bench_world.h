/* SPDX-License-Identifier: MIT */
/*
 * The corners of the simulated world's envelope the control benchmark runs
 * at: the reference plant first, then (when the plant has a world to vary)
 * the body, the room, the supply and the sensor not as the config assumes.
 */
#ifndef CONTRASTD_BENCH_WORLD_H
#define CONTRASTD_BENCH_WORLD_H

#include "sim/hw_sim.h"

struct bench_corner {
	const char *name;               /* "reference", "cold-room", ... */
	const char *what;               /* one line for the table */
};

int bench_corner_count(void);
const struct bench_corner *bench_corner_get(int i);

/* Put the simulation (just initialised) at the corner. */
void bench_world_apply(struct hw_sim *sim, const struct bench_corner *corner);

#endif
