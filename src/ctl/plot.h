/* SPDX-License-Identifier: MIT */
/*
 * The morning after: one session's CSV record (docs/control.md, "Session
 * records") drawn as an SVG a browser shows as it is, on a desk or on a
 * phone: each pad's temperature (solid) and setpoint (dashed) over time,
 * the warm and cool phases shaded, the fault marked where it happened,
 * axes in minutes and degrees Celsius, a legend, and a title that says
 * when, which program and how it ended.
 *
 * No daemon is needed: contrastctl plot reads state_dir/sessions/ itself.
 * This module reads the CSV from a stream and writes the SVG to another;
 * it allocates (it runs in contrastctl, once, not in the control loop).
 */
#ifndef CONTRASTCTL_PLOT_H
#define CONTRASTCTL_PLOT_H

#include <stddef.h>
#include <stdio.h>

/* What a plot shows about its session, for the caller's one-line report. */
struct plot_info {
	int rows;               /* per-second and event rows read */
	int zones;
	double length_s;        /* the last row's t_s */
	char program[64];       /* from the "start PROGRAM" event, "" when none */
	char result[64];        /* "completed", "stopped", "fault", "" (no end row) */
	double fault_at_s;      /* NaN when there is no fault */
};

/*
 * Read a session CSV from in and write its SVG to out. name is the CSV's
 * file name ("20261125T231500Z.csv": the start time comes from it) and
 * appears in the title. Returns 0, or -1 with why in err (a file that is
 * not a session record: no t_s column, no zone, no row).
 */
int plot_session_svg(FILE *in, const char *name, FILE *out, struct plot_info *info, char *err,
		     size_t err_len);

#endif
