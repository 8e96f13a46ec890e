/* SPDX-License-Identifier: MIT */
/*
 * The control protocol in one place, shared by contrastd and contrastctl:
 *  - the commands, one row each of protocol_commands[]: the name, the
 *    argument (none, an optional name, an optional count and its range),
 *    the key its reply's value comes under, whether it changes anything,
 *    and a one-line help;
 *  - the name rule for program and zone names (name_check);
 *  - the limits of a command line and of a reply, and the default socket.
 *
 * The daemon's request parser (daemon/control.c) and contrastctl's usage,
 * argument checks and dispatch walk the table; the command table of
 * docs/control.md is generated from it (contrastctl --list-commands).
 * Both programs check a command and its argument with protocol_find() and
 * protocol_parse_args(), so a bad one is refused in the same words by
 * either, whether typed on contrastctl's command line or sent to the
 * socket.
 *
 * Adding a command: a CONTROL_ value here, its row in protocol.c, a
 * handler in daemon.c and a printer in contrastctl.c (each chosen in a
 * switch over the enum, so the build fails while one is missing), then
 * `make docs`.
 *
 * Plain data and pure functions: no I/O, no allocation, no state.
 */
#ifndef CONTRASTD_PROTOCOL_H
#define CONTRASTD_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config_schema.h"
#include "core/limits.h"

/*
 * Where the daemon listens unless [daemon] socket says otherwise: that
 * key's default in the config schema (core cannot include lib, so the fact
 * lives there and the protocol names it).
 */
#define CONTROL_SOCKET_DEFAULT  CONFIG_DEFAULT_SOCKET

#define CONTROL_LINE_MAX        512     /* bytes in a command line, without its newline */
#define CONTROL_VALUE_MAX       65536   /* a reply's value (the JSON under its key), with its NUL */
#define CONTROL_REPLY_MAX       (CONTROL_VALUE_MAX + 1024)      /* one reply line, newline included */
#define CONTROL_ERROR_MAX       400     /* an error message, with its NUL */
#define CONTROL_MAX_CLIENTS     16      /* connections at once; one more is told so and closed */
#define CONTROL_IDLE_S          10.0    /* a client idle this long is closed, seconds */
#define CONTROL_IDLE_TOTAL_S    300.0   /* ... or idle this long in all over its connection */

/* The commands, in the order of the table. */
enum control_command {
	CONTROL_STATUS,
	CONTROL_START,
	CONTROL_STOP,
	CONTROL_ACK,
	CONTROL_PROGRAMS,
	CONTROL_LOG,
	CONTROL_CALIBRATE,
	CONTROL_AUTOTUNE,
	CONTROL_N_COMMANDS
};

enum protocol_arg {
	PROTOCOL_ARG_NONE,      /* the command takes no argument */
	PROTOCOL_ARG_NAME,      /* at most one: a name by name_check() */
	PROTOCOL_ARG_COUNT,     /* at most one: a whole number, count_min .. count_max */
	PROTOCOL_ARG_NAME_REAL, /* exactly two: a name by name_check(), then a decimal number,
				   real_min .. real_max ("left 25.0") */
	PROTOCOL_ARG_NAME_REQUIRED,     /* exactly one: a name by name_check() ("left") */
};

/* One command: one row of the protocol table. */
struct protocol_command {
	const char *name;       /* on the wire and on contrastctl's command line */
	enum protocol_arg arg;
	const char *arg_meta;   /* the argument in a synopsis: "PROGRAM", "N" */
	const char *arg_noun;   /* NAME: what it names, for errors: "program" */
	const char *arg_absent; /* what leaving the argument out means, for the docs */
	int count_min;          /* COUNT: the range, and the value when it is left out */
	int count_max;
	int count_default;
	double real_min;        /* NAME_REAL: the number's range */
	double real_max;
	const char *reply_key;  /* the reply: {"ok":true,"KEY":VALUE}; the daemon's handler
				   writes VALUE, the server puts it under this key */
	bool changes_state;     /* logged at notice level; the read-only ones at debug */
	const char *nothing_to_do;      /* the daemon's refusal when there is nothing to do
					   (stop when idle): contrastctl says so and exits 0,
					   as systemctl stop does on a stopped unit; NULL: none */
	const char *help;       /* one line for a person, no full stop */
};

extern const struct protocol_command protocol_commands[CONTROL_N_COMMANDS];

/* The row of c, or NULL when c is not a command. */
const struct protocol_command *protocol_command(enum control_command c);

/* "status", "start", ...; "unknown" when c is not a command. */
const char *control_command_name(enum control_command c);

/* A command's argument, checked. */
struct protocol_args {
	bool given;             /* false: the argument was left out */
	char name[NAME_LEN];    /* NAME: the name; "" when left out */
	int count;              /* COUNT: the number; count_default when left out */
	double real;            /* NAME_REAL: the number */
};

/*
 * The command named word (exact, case-sensitive). Returns 0, or -1 with
 * "unknown command 'WORD' (commands: ...)" in why.
 */
int protocol_find(const char *word, enum control_command *c, char *why, size_t why_len);

/*
 * Check the n words after the command's name against its row and fill a.
 * Returns 0, or -1 with the reason in why, for example
 *   "status takes no argument"
 *   "start takes at most one argument (usage: start [PROGRAM])"
 *   "start: 'a;b' is not a program name (letters, digits, - and _, at most 31 characters)"
 *   "log: 'x' is not a whole number (usage: log [N], N from 1 to 100)"
 *   "log: '0' is out of range (usage: log [N], N from 1 to 100)"
 *   "calibrate takes two arguments (usage: calibrate ZONE REFERENCE_C, REFERENCE_C from 0 to 60)"
 *   "autotune takes one argument (usage: autotune ZONE)"
 * A word is quoted in the reason shortened to 40 characters, with bytes
 * that are not printable ASCII shown as '?'.
 */
int protocol_parse_args(enum control_command c, int n, const char *const words[],
			struct protocol_args *a, char *why, size_t why_len);

/*
 * The command line that asks for c with a (no newline): "log 5". Returns
 * its length, or -1 when it does not fit in len.
 */
int protocol_format_request(enum control_command c, const struct protocol_args *a, char *buf,
			    size_t len);

/* "start [PROGRAM]". */
void protocol_synopsis(enum control_command c, char *buf, size_t len);

/* The synopsis with the argument's range: "log [N], N from 1 to 100". */
void protocol_usage(enum control_command c, char *buf, size_t len);

/* "commands: status, start [PROGRAM], stop, ack, programs, log [N]". */
void protocol_command_list(char *buf, size_t len);

/*
 * The name rule for program and zone names: 1 to NAME_LEN - 1 characters,
 * each an ASCII letter, a digit, '-' or '_' (whatever the locale).
 */
#define NAME_RULE "letters, digits, - and _"

enum name_verdict {
	NAME_OK,
	NAME_EMPTY,
	NAME_TOO_LONG,          /* NAME_LEN or more characters */
	NAME_BAD_CHAR,          /* a character outside the rule */
};

enum name_verdict name_check(const char *name);

#endif
