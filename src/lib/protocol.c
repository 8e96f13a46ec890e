/* SPDX-License-Identifier: MIT */
/* The control protocol's table and its checks. See protocol.h and docs/control.md. */
#include <stdio.h>
#include <string.h>
#include "protocol.h"

/* Words quoted in an error are cut to this many characters. */
#define QUOTE_MAX 40

const struct protocol_command protocol_commands[CONTROL_N_COMMANDS] = {
	[CONTROL_STATUS] = {
		.name = "status",
		.reply_key = "status",
		.help = "state, program, phase, time left, per-zone temperatures",
	},
	[CONTROL_START] = {
		.name = "start",
		.arg = PROTOCOL_ARG_NAME,
		.arg_meta = "PROGRAM",
		.arg_noun = "program",
		.arg_absent = "the default program",
		.reply_key = "status",
		.changes_state = true,
		.help = "start a session (the default program without a name)",
	},
	[CONTROL_STOP] = {
		.name = "stop",
		.reply_key = "status",
		.changes_state = true,
		.nothing_to_do = "no session is running",
		.help = "stop the running session",
	},
	[CONTROL_ACK] = {
		.name = "ack",
		.reply_key = "status",
		.changes_state = true,
		.nothing_to_do = "no fault to acknowledge",
		.help = "acknowledge a safety fault whose cause has cleared",
	},
	[CONTROL_PROGRAMS] = {
		.name = "programs",
		.arg = PROTOCOL_ARG_NAME,
		.arg_meta = "NAME",
		.arg_noun = "program",
		.arg_absent = "every program, without their timelines",
		.reply_key = "programs",
		.help = "the programs in the configuration; with a name, its timeline",
	},
	[CONTROL_LOG] = {
		.name = "log",
		.arg = PROTOCOL_ARG_COUNT,
		.arg_meta = "N",
		.count_min = 1,
		.count_max = 100,
		.count_default = 10,
		.reply_key = "sessions",
		.help = "the last N sessions, oldest first",
	},
	[CONTROL_CALIBRATE] = {
		.name = "calibrate",
		.arg = PROTOCOL_ARG_NAME_REAL,
		.arg_meta = "ZONE REFERENCE_C",
		.arg_noun = "zone",
		.real_min = 0.0,
		.real_max = 60.0,
		.reply_key = "calibration",
		.changes_state = true,
		.help = "record the zone's pad sensor reading against a reference thermometer's "
			"REFERENCE_C (docs/calibration.md)",
	},
	[CONTROL_AUTOTUNE] = {
		.name = "autotune",
		.arg = PROTOCOL_ARG_NAME_REQUIRED,
		.arg_meta = "ZONE",
		.arg_noun = "zone",
		.reply_key = "status",
		.changes_state = true,
		.help = "find the zone's heat and cool gains with a relay experiment around the default "
			"program's setpoints (docs/configuration.md)",
	},
};

const struct protocol_command *protocol_command(enum control_command c)
{
	if ((unsigned)c < CONTROL_N_COMMANDS)
		return &protocol_commands[c];
	return NULL;
}

const char *control_command_name(enum control_command c)
{
	const struct protocol_command *pc = protocol_command(c);

	return pc ? pc->name : "unknown";
}

/* ---- the name rule ---- */

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

enum name_verdict name_check(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return NAME_EMPTY;
	if (len >= NAME_LEN)
		return NAME_TOO_LONG;
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return NAME_BAD_CHAR;
	return NAME_OK;
}

/* ---- text ---- */

/* word for an error message: at most QUOTE_MAX characters, unprintable bytes as '?'. */
static void quote_word(const char *word, char *buf, size_t len)
{
	size_t n = 0, i;

	for (i = 0; word[i] && i < QUOTE_MAX && n + 1 < len; i++) {
		unsigned char ch = (unsigned char)word[i];

		buf[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[n] = '\0';
	if (word[i])
		snprintf(buf + n, len - n, "...");
}

void protocol_synopsis(enum control_command c, char *buf, size_t len)
{
	const struct protocol_command *pc = protocol_command(c);

	if (!pc)
		snprintf(buf, len, "?");
	else if (pc->arg == PROTOCOL_ARG_NONE)
		snprintf(buf, len, "%s", pc->name);
	else if (pc->arg == PROTOCOL_ARG_NAME_REAL || pc->arg == PROTOCOL_ARG_NAME_REQUIRED)
		snprintf(buf, len, "%s %s", pc->name, pc->arg_meta);    /* required */
	else
		snprintf(buf, len, "%s [%s]", pc->name, pc->arg_meta);
}

void protocol_usage(enum control_command c, char *buf, size_t len)
{
	const struct protocol_command *pc = protocol_command(c);
	char syn[64];

	protocol_synopsis(c, syn, sizeof(syn));
	if (pc && pc->arg == PROTOCOL_ARG_COUNT)
		snprintf(buf, len, "%s, %s from %d to %d", syn, pc->arg_meta, pc->count_min, pc->count_max);
	else if (pc && pc->arg == PROTOCOL_ARG_NAME_REAL)
		snprintf(buf, len, "%s, %s from %g to %g", syn, strrchr(pc->arg_meta, ' ') + 1, pc->real_min,
			 pc->real_max);
	else
		snprintf(buf, len, "%s", syn);
}

void protocol_command_list(char *buf, size_t len)
{
	size_t pos;

	pos = (size_t)snprintf(buf, len, "commands:");
	for (int c = 0; c < CONTROL_N_COMMANDS && pos < len; c++) {
		char syn[64];

		protocol_synopsis((enum control_command)c, syn, sizeof(syn));
		pos += (size_t)snprintf(buf + pos, len - pos, "%s %s", c ? "," : "", syn);
	}
}

/* ---- checking a command ---- */

int protocol_find(const char *word, enum control_command *c, char *why, size_t why_len)
{
	char list[256], quoted[QUOTE_MAX + 4];

	for (int i = 0; i < CONTROL_N_COMMANDS; i++) {
		if (strcmp(word, protocol_commands[i].name) == 0) {
			*c = (enum control_command)i;
			return 0;
		}
	}
	quote_word(word, quoted, sizeof(quoted));
	protocol_command_list(list, sizeof(list));
	snprintf(why, why_len, "unknown command '%s' (%s)", quoted, list);
	return -1;
}

/*
 * A whole number by the protocol: optional '-', then ASCII digits only (no
 * blanks, no '+', nothing after). Saturates far beyond any range.
 * Returns false when word is not one.
 */
static bool parse_whole(const char *word, long *v)
{
	const char *s = word + (word[0] == '-');
	long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (n < 1000000000L)
			n = n * 10 + (*s - '0');
	}
	*v = word[0] == '-' ? -n : n;
	return true;
}

/*
 * A decimal number by the protocol: optional '-', digits, optionally '.'
 * and digits (no exponent, no blanks, nothing after). Returns false when
 * word is not one.
 */
static bool parse_decimal(const char *word, double *v)
{
	const char *s = word + (word[0] == '-');
	double n = 0.0, scale = 1.0;
	int digits = 0;
	bool point = false;

	for (; *s; s++) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9' || digits > 12)
			return false;
		digits++;
		if (point)
			scale /= 10.0;
		n = n * 10.0 + (*s - '0');
	}
	if (digits == 0)
		return false;
	*v = (word[0] == '-' ? -n : n) * scale;
	return true;
}

int protocol_parse_args(enum control_command c, int n, const char *const words[],
			struct protocol_args *a, char *why, size_t why_len)
{
	const struct protocol_command *pc = protocol_command(c);
	char usage[96], quoted[QUOTE_MAX + 4];
	long v;

	memset(a, 0, sizeof(*a));
	if (!pc) {
		snprintf(why, why_len, "unknown command");
		return -1;
	}
	a->count = pc->count_default;
	if (pc->arg == PROTOCOL_ARG_NONE) {
		if (n > 0) {
			snprintf(why, why_len, "%s takes no argument", pc->name);
			return -1;
		}
		return 0;
	}
	protocol_usage(c, usage, sizeof(usage));
	if (pc->arg == PROTOCOL_ARG_NAME_REAL) {
		char quoted2[QUOTE_MAX + 4];

		if (n != 2) {
			snprintf(why, why_len, "%s takes two arguments (usage: %s)", pc->name, usage);
			return -1;
		}
		quote_word(words[0], quoted, sizeof(quoted));
		quote_word(words[1], quoted2, sizeof(quoted2));
		if (name_check(words[0]) != NAME_OK) {
			snprintf(why, why_len, "%s: '%s' is not a %s name (%s, at most %d characters)",
				 pc->name, quoted, pc->arg_noun, NAME_RULE, NAME_LEN - 1);
			return -1;
		}
		if (!parse_decimal(words[1], &a->real)) {
			snprintf(why, why_len, "%s: '%s' is not a number (usage: %s)", pc->name, quoted2, usage);
			return -1;
		}
		if (a->real < pc->real_min || a->real > pc->real_max) {
			snprintf(why, why_len, "%s: '%s' is out of range (usage: %s)", pc->name, quoted2, usage);
			return -1;
		}
		snprintf(a->name, sizeof(a->name), "%s", words[0]);
		a->given = true;
		return 0;
	}
	if (pc->arg == PROTOCOL_ARG_NAME_REQUIRED && n != 1) {
		snprintf(why, why_len, "%s takes one argument (usage: %s)", pc->name, usage);
		return -1;
	}
	if (n > 1) {
		snprintf(why, why_len, "%s takes at most one argument (usage: %s)", pc->name, usage);
		return -1;
	}
	if (n == 0)
		return 0;
	quote_word(words[0], quoted, sizeof(quoted));
	switch (pc->arg) {
	case PROTOCOL_ARG_NAME:
	case PROTOCOL_ARG_NAME_REQUIRED:
		if (name_check(words[0]) != NAME_OK) {
			snprintf(why, why_len, "%s: '%s' is not a %s name (%s, at most %d characters)",
				 pc->name, quoted, pc->arg_noun, NAME_RULE, NAME_LEN - 1);
			return -1;
		}
		snprintf(a->name, sizeof(a->name), "%s", words[0]);
		break;
	case PROTOCOL_ARG_COUNT:
		if (!parse_whole(words[0], &v)) {
			snprintf(why, why_len, "%s: '%s' is not a whole number (usage: %s)", pc->name, quoted,
				 usage);
			return -1;
		}
		if (v < pc->count_min || v > pc->count_max) {
			snprintf(why, why_len, "%s: '%s' is out of range (usage: %s)", pc->name, quoted, usage);
			return -1;
		}
		a->count = (int)v;
		break;
	case PROTOCOL_ARG_NONE:
	case PROTOCOL_ARG_NAME_REAL:
		break;
	}
	a->given = true;
	return 0;
}

int protocol_format_request(enum control_command c, const struct protocol_args *a, char *buf,
			    size_t len)
{
	const struct protocol_command *pc = protocol_command(c);
	int n;

	if (!pc)
		return -1;
	if (!a->given || pc->arg == PROTOCOL_ARG_NONE)
		n = snprintf(buf, len, "%s", pc->name);
	else if (pc->arg == PROTOCOL_ARG_NAME || pc->arg == PROTOCOL_ARG_NAME_REQUIRED)
		n = snprintf(buf, len, "%s %s", pc->name, a->name);
	else if (pc->arg == PROTOCOL_ARG_NAME_REAL)
		n = snprintf(buf, len, "%s %s %.3f", pc->name, a->name, a->real);
	else
		n = snprintf(buf, len, "%s %d", pc->name, a->count);
	if (n < 0 || (size_t)n >= len || n > CONTROL_LINE_MAX)
		return -1;
	return n;
}
