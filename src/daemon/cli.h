/* SPDX-License-Identifier: MIT */
/*
 * The command line, parsed into one struct; main() reads straight down
 * from there. Parsing never exits: it returns an error message.
 *
 *   contrastd [-c FILE] [--check-config] [--safe-off] [--probe] [--clear-lockout]
 *             [--simulate [--speed X] [--fast-after S] [--seed N] [--trace FILE]
 *                         [--inject KIND[:ZONE]@SECONDS]...]
 *             [--start [PROGRAM]] [-v] [-h] [-V]
 *   contrastd --list-keys markdown|man
 */
#ifndef CONTRASTD_CLI_H
#define CONTRASTD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "config_doc.h"

#define CLI_DEFAULT_CONFIG "/etc/contrastd/contrastd.conf"
#define CLI_MAX_INJECT 16

struct options {
	const char *config_path;
	bool check_config;
	bool safe_off;
	bool probe;
	bool clear_lockout;             /* root only: clear a lockout in state_dir and exit */
	bool simulate;
	double speed;                   /* simulated seconds per wall second; 0 = flat out */
	double fast_after_s;            /* wall seconds at `speed`, then flat out; <0 = never */
	uint64_t seed;
	const char *trace_path;
	const char *inject[CLI_MAX_INJECT];
	int n_inject;
	bool start;
	const char *start_program;      /* NULL: the default program */
	bool verbose;
	bool help;
	bool version;
	bool list_keys;                 /* print the key tables of the docs and exit */
	enum config_doc_format list_keys_format;
};

/* Returns 0, or -1 with a message (no "contrastd:" prefix) in err. */
int cli_parse(int argc, char *const argv[], struct options *o, char *err, size_t err_len);

void cli_usage(FILE *out);

#endif
