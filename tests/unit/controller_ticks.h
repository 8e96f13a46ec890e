/* SPDX-License-Identifier: MIT */
/* Driving a controller by hand with temperature-channel samples, for the shell's unit tests. */
#ifndef CONTRASTD_TEST_CONTROLLER_TICKS_H
#define CONTRASTD_TEST_CONTROLLER_TICKS_H

#include <math.h>
#include <string.h>
#include "core/controller.h"

/* A temperature channel's sample (millidegrees as raw, like IIO's temp channels). */
static inline struct sensor_sample temp_sample(double c)
{
	struct sensor_sample s = { .ok = true, .unit = SAMPLE_C, .raw = (int64_t)llround(c * 1000.0),
				   .value = c };
	return s;
}

/* One tick of c with every pad at pad_c (pad2 0.2 above), every heatsink at 25 C. */
static inline void tick_controller(struct controller *c, double now_s, double pad_c)
{
	struct tick_inputs in;
	struct tick_outputs out;
	struct tick_events ev;

	memset(&in, 0, sizeof(in));
	for (int z = 0; z < c->cfg->n_zones; z++) {
		in.pad[z] = temp_sample(pad_c);
		in.pad2[z] = temp_sample(pad_c + 0.2);
		in.heatsink[z] = temp_sample(25.0);
	}
	in.loop_gap_s = 0.1;
	controller_tick(c, now_s, &in, &out, &ev);
}

#endif
