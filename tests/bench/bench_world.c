/* SPDX-License-Identifier: MIT */
/* The envelope corners of the control benchmark. See bench_world.h. */
#include <stddef.h>
#include <string.h>
#include "bench_world.h"

#ifdef BENCH_HAVE_SIM_WORLD
/* What each corner changes from the reference world. */
enum knob { K_NONE, K_PERFUSION, K_CORE, K_AMBIENT, K_SUPPLY, K_OFFSET, K_BETA_FRAC };

struct corner_def {
	struct bench_corner c;
	enum knob knob;
	double value;
};

/* The envelope of docs/safety.md: perfusion 0.3-3 W/K, room 10-35 C, supply 10.8-13.2 V, sensor 0.5 C. */
static const struct corner_def corners[] = {
	{ { "reference", "the reference plant (docs/simulation.md)" }, K_NONE, 0.0 },
	{ { "perfusion-0.3", "body: little blood flow under the pad (0.3 W/K, cold legs, asleep)" }, K_PERFUSION, 0.3 },
	{ { "perfusion-3", "body: much blood flow under the pad (3 W/K)" }, K_PERFUSION, 3.0 },
	{ { "core-36", "body: core under the pad at 36 C" }, K_CORE, 36.0 },
	{ { "room-10", "room at 10 C" }, K_AMBIENT, 10.0 },
	{ { "room-35", "room at 35 C" }, K_AMBIENT, 35.0 },
	{ { "supply-10.8", "Peltier supply 10.8 V (-10 %)" }, K_SUPPLY, 10.8 },
	{ { "supply-13.2", "Peltier supply 13.2 V (+10 %)" }, K_SUPPLY, 13.2 },
	{ { "sensor+0.5", "pad sensor reads 0.5 C high" }, K_OFFSET, 0.5 },
	{ { "sensor-0.5", "pad sensor reads 0.5 C low" }, K_OFFSET, -0.5 },
	{ { "beta+1%", "the NTC fitted has a Beta 1 % above the config's" }, K_BETA_FRAC, 0.01 },
};
#define N_CORNERS ((int)(sizeof(corners) / sizeof(corners[0])))

int bench_corner_count(void)
{
	return N_CORNERS;
}

const struct bench_corner *bench_corner_get(int i)
{
	return i >= 0 && i < N_CORNERS ? &corners[i].c : NULL;
}

int bench_world_apply(struct hw_sim *sim, const struct config *cfg, const struct bench_corner *corner)
{
	const struct corner_def *d = (const struct corner_def *)(const void *)corner;
	struct sim_world w;

	if (d->knob == K_NONE)
		return 0;
	sim_world_defaults(&w, &cfg->thermistor);
	switch (d->knob) {
	case K_PERFUSION: w.perfusion_w_per_k = d->value; break;
	case K_CORE: w.core_c = d->value; break;
	case K_AMBIENT: w.ambient_c = d->value; break;
	case K_SUPPLY: w.supply_v = d->value; break;
	case K_OFFSET: w.pad_offset_c = d->value; break;
	case K_BETA_FRAC: w.thermistor_beta *= 1.0 + d->value; break;
	case K_NONE: break;
	}
	return hw_sim_set_world(sim, &w);
}
#else
static const struct bench_corner corners[] = {
	{ "reference", "the reference plant (docs/simulation.md)" },
};

int bench_corner_count(void)
{
	return 1;
}

const struct bench_corner *bench_corner_get(int i)
{
	return i == 0 ? &corners[0] : NULL;
}

int bench_world_apply(struct hw_sim *sim, const struct config *cfg, const struct bench_corner *corner)
{
	(void)sim;
	(void)cfg;
	(void)corner;
	return 0;
}
#endif
