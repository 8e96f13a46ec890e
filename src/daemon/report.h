/* SPDX-License-Identifier: MIT */
/*
 * What a session tells the person watching (progress lines on stdout) and
 * what it leaves for scripts (one JSON line on stdout at the end).
 */
#ifndef CONTRASTD_REPORT_H
#define CONTRASTD_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "core/controller.h"

/* "  4:00  cool 1/5  target 20.0 C  pads: left 24.3 C, right 24.1 C" */
void report_progress(FILE *out, const struct controller *c, double now_s);

/*
 * One line for the log and STATUS=: "warm 2/5, target 39.0 C; pads left
 * 39.8 C, right 39.6 C", "idle; pads left 31.0 C, right 30.9 C", "FAULT: ...".
 */
void report_status(const struct controller *c, double now_s, char *buf, size_t len);

/*
 * The end-of-session JSON, one line with a newline:
 * {"result":...,"program":...,"duration_s":N,"cycles_done":N,"zones":[...],"fault":null|{...}}
 */
void report_summary_json(const struct controller *c, char *buf, size_t len);

/*
 * The end of a session for a person, one line without a newline:
 * "completed 5 cycles of program default in 38:42; left pad within 0.5 C
 * of the setpoint 78 % of the time (19.6 to 39.4 C); right pad ...", and
 * for a fault "ended by a safety fault after 12:03 (...); ...; fault: ...".
 * (Degrees with the degree sign.)
 */
void report_summary_text(const struct controller *c, char *buf, size_t len);

#endif
