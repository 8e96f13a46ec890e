/* SPDX-License-Identifier: MIT */
/*
 * The corners of the simulated world's envelope the control benchmark runs
 * at (docs/simulation.md, "The world"): the reference plant first, then the
 * body, the room, the supply and the sensor not as the config assumes.
 *
 * The corners need the plant's struct sim_world; the Makefile defines
 * BENCH_HAVE_SIM_WORLD when src/sim/sim_plant.h has it. Without it there is
 * the reference plant only.
 */
#ifndef CONTRASTD_BENCH_WORLD_H
#define CONTRASTD_BENCH_WORLD_H

#include "core/config.h"
#include "sim/hw_sim.h"

struct bench_corner {
	const char *name;               /* "reference", "room-10C", ... */
	const char *what;               /* one line for the table */
};

int bench_corner_count(void);
const struct bench_corner *bench_corner_get(int i);

/* Put the simulation (just initialised from cfg) at the corner. Returns 0, or -1. */
int bench_world_apply(struct hw_sim *sim, const struct config *cfg, const struct bench_corner *corner);

#endif
