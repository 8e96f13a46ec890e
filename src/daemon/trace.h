/* SPDX-License-Identifier: MIT */
/*
 * --trace FILE: one CSV row per control tick and zone, for tests,
 * benchmarks and a person with a plotting tool. Columns (docs/simulation.md):
 *   t_s,zone,state,phase,setpoint_c,pad_c,pad2_c,true_pad_c,heatsink_c,
 *   true_heatsink_c,duty,heat,cool,enable,fan,power
 * Empty fields where a value does not exist (no pad2, a failed read, no
 * plant on real hardware).
 */
#ifndef CONTRASTD_TRACE_H
#define CONTRASTD_TRACE_H

#include <stdio.h>
#include "core/controller.h"

void trace_header(FILE *f);

/* true_pad_c/true_sink_c may be NULL (real hardware). */
void trace_rows(FILE *f, const struct controller *c, double now_s,
		const struct tick_outputs *applied, const double *true_pad_c, const double *true_sink_c);

/*
 * Flush and close the trace. Returns 0, or -1 when any write of it failed
 * (a full disk, a closed pipe): logged with path and strerror.
 */
int trace_close(FILE *f, const char *path);

#endif
