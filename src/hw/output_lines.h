/* SPDX-License-Identifier: MIT */
/*
 * The output lines of a device as a list: what --safe-off drives
 * inactive, and what the daemon records at start as the lines it claims.
 *
 * The record is a text file in the daemon's runtime directory (the
 * control socket's directory: /run/contrastd/contrastd.lines by default),
 * one line per output, tab-separated:
 *   ROLE<TAB>SPEC<TAB>ACTIVE_LOW
 *   power	GPIO5	0
 *   left heat	GPIO17	0
 * written whole (a temporary file renamed over it) before the daemon
 * requests any line, so that --safe-off can drive the lines the daemon
 * last claimed even when the config no longer says which they are.
 *
 * No allocation; the record's reader takes at most OUTPUT_LINES_MAX lines
 * and skips (and counts) any it cannot read.
 */
#ifndef CONTRASTD_OUTPUT_LINES_H
#define CONTRASTD_OUTPUT_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"

#define OUTPUT_LINES_MAX        (MAX_ZONES * 4 + 2)     /* 4 per zone, the power line, the status light */
#define OUTPUT_LINES_RECORD     "contrastd.lines"

struct output_line {
	char role[48];                  /* "power", "left heat" */
	char spec[LINE_SPEC_LEN];       /* as configured */
	bool active_low;
};

struct output_lines {
	int n;
	struct output_line line[OUTPUT_LINES_MAX];
};

/*
 * The config's output lines: the power line, then each zone's enable,
 * heat, cool, fan, then the status light ([button] led).
 */
void output_lines_from_config(const struct config *cfg, struct output_lines *out);

/* Add the lines of more whose spec is not in *into yet. */
void output_lines_merge(struct output_lines *into, const struct output_lines *more);

/* The record's path for a control socket path: its directory + "/" OUTPUT_LINES_RECORD. */
void output_lines_record_path(const char *socket_path, char *buf, size_t len);

/* Write the record at path. Returns 0, or -1 with a message. */
int output_lines_write(const char *path, const struct output_lines *l, char *err, size_t err_len);

/*
 * Read the record at path into *out. Returns the number of lines read
 * (0 when there is no record), or -1 with a message.
 */
int output_lines_read(const char *path, struct output_lines *out, char *err, size_t err_len);

#endif
