/* SPDX-License-Identifier: MIT */
/* The envelope corners of the control benchmark. See bench_world.h. */
#include <stddef.h>
#include "bench_world.h"

static const struct bench_corner corners[] = {
	{ "reference", "the reference plant (docs/simulation.md)" },
};

int bench_corner_count(void)
{
	return (int)(sizeof(corners) / sizeof(corners[0]));
}

const struct bench_corner *bench_corner_get(int i)
{
	return i >= 0 && i < bench_corner_count() ? &corners[i] : NULL;
}

void bench_world_apply(struct hw_sim *sim, const struct bench_corner *corner)
{
	(void)sim;
	(void)corner;
}
