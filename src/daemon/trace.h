/* SPDX-License-Identifier: MIT */
/*
 * --trace FILE: one CSV row per control tick and zone, for tests,
 * benchmarks and a person with a plotting tool. Columns (docs/simulation.md):
 *   t_s,zone,state,phase,setpoint_c,pad_c,pad2_c,true_pad_c,heatsink_c,
 *   true_heatsink_c,duty,heat,cool,enable,fan,power
 * and with [safety] power_mode = charge-pump two more:
 *   power_edges,relay
 * the power line's changes of level since the hardware opened, and the
 * supply relay (1 closed; empty on real hardware, which cannot know).
 * Empty fields where a value does not exist (no pad2, a failed read, no
 * plant on real hardware).
 */
#ifndef CONTRASTD_TRACE_H
#define CONTRASTD_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include "core/controller.h"

/* pump: power_mode = charge-pump (the two more columns). */
void trace_header(FILE *f, bool pump);

/* The charge pump's columns of a row (hw_ops power_line). */
struct trace_pump {
	long edges;
	int relay;                      /* 1 closed, 0 open, -1 not known */
};

/* true_pad_c/true_sink_c may be NULL (real hardware); pump NULL: no charge pump columns. */
void trace_rows(FILE *f, const struct controller *c, double now_s,
		const struct tick_outputs *applied, const double *true_pad_c, const double *true_sink_c,
		const struct trace_pump *pump);

/*
 * Flush and close the trace. Returns 0, or -1 when any write of it failed
 * (a full disk, a closed pipe): logged with path and strerror.
 */
int trace_close(FILE *f, const char *path);

#endif
