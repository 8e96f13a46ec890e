/* SPDX-License-Identifier: MIT */
/*
 * Reading the configuration file (INI, parsed with inih) into a struct
 * config, with every value checked against its range and the hard limits,
 * and the cross checks run once the whole file is read.
 *
 * Every key, its type, default and range: the schema, src/core/config_schema.h
 * (listed in docs/configuration.md).
 *
 * Errors are one line, "NAME:LINE: what is wrong", e.g.
 *   contrastd.conf:14: warm_c = 52 is above the hard limit of 43
 * where NAME is the name or path the caller gave. The few errors that
 * belong to no line ("no [zone NAME] section", a file that cannot be
 * opened) are "NAME: what is wrong". The first error in the file wins.
 *
 * Nothing here allocates: the parser uses the stack and *out only, and
 * nothing outlives the call but *out. Nothing here exits.
 */
#ifndef CONTRASTD_CONFIG_PARSE_H
#define CONTRASTD_CONFIG_PARSE_H

#include "../core/config.h"

/* The largest configuration file read, bytes: a bigger one is refused unread. */
#define CONFIG_FILE_MAX (1024 * 1024)

struct config_error {
	char msg[512];          /* "FILE:LINE: what is wrong" */
};

/*
 * Parse a configuration held in memory. name_for_messages prefixes every
 * message and goes into out->path. Returns 0, or -1 with err->msg set; on
 * error *out is unspecified (keep the old config).
 */
int config_parse_string(const char *text, const char *name_for_messages,
			struct config *out, struct config_error *err);

/*
 * Read and parse the file at path (as given, also in the messages).
 * A file that cannot be opened or read is an error naming the path and
 * strerror; so is one that is not a regular file (a FIFO, a device: never
 * waited on) or is larger than CONFIG_FILE_MAX, and the reader stops at
 * the first line over its limit ("FILE:LINE: line too long"). Returns 0,
 * or -1 with err->msg set; on error *out is unspecified.
 */
int config_load(const char *path, struct config *out, struct config_error *err);

/* Called with each error of a lenient parse, one "FILE:LINE: what" message. */
typedef void (*config_report_fn)(void *arg, const char *msg);

/*
 * For --safe-off: parse as much of the file as can be read, reporting
 * every error through report and going on past it. A key whose value is
 * wrong keeps its default; the keys under a refused [section] header are
 * left out; the whole-file checks are not run. What matters is in *out
 * afterwards: the zones with their lines (heat, cool, enable, fan,
 * active_low), [safety] power and [button] line, and [daemon] socket.
 * Returns the number of errors reported (0: the file is valid as far as
 * its keys go).
 */
int config_load_lenient(const char *path, struct config *out, config_report_fn report, void *arg);


/*
 * A number as the messages (and the docs) write a bound or a default:
 * 1000000 rather than 1e+06, 0.05 rather than 0.050000. Returns buf.
 */
const char *config_fmt_number(char *buf, size_t len, double v);

/*
 * What a person is told when no program of c is named name: "no program
 * named 'evning' (did you mean 'evening'? programs: default, short,
 * evening)". Into buf; returns buf.
 */
const char *config_unknown_program(const struct config *c, const char *name, char *buf, size_t len);

/* The longest path a socket key takes: what fits a Unix socket address (107 on Linux). */
size_t config_socket_path_max(void);

#endif
