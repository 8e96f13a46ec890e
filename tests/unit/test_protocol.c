/* SPDX-License-Identifier: MIT */
/*
 * The protocol module: the command table is whole and consistent, the
 * name rule holds at its boundaries, the argument checks at their limits
 * in their exact words, and the daemon's request parser (control_parse)
 * and contrastctl's checks (protocol_find, protocol_parse_args on its
 * argv) refuse the same bad arguments in the same words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/config.h"
#include "daemon/control.h"
#include "lib/protocol.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the table ---- */

static void test_every_command_is_whole(void **state)
{
	(void)state;
	for (int c = 0; c < CONTROL_N_COMMANDS; c++) {
		const struct protocol_command *pc = protocol_command((enum control_command)c);
		char syn[64];

		assert_ptr_equal(pc, &protocol_commands[c]);
		if (!pc->name || !pc->name[0])
			fail_msg("command %d has no name", c);
		for (const char *s = pc->name; *s; s++)
			if (!(*s >= 'a' && *s <= 'z') && *s != '-')
				fail_msg("%s: a command name is lower-case letters and -", pc->name);
		assert_string_equal(control_command_name((enum control_command)c), pc->name);
		if (!pc->help || !pc->help[0])
			fail_msg("%s has no help line", pc->name);
		if (strchr(pc->help, '\n') || strchr(pc->help, '|') || pc->help[strlen(pc->help) - 1] == '.')
			fail_msg("%s: the help is one line, no '|' (a markdown cell), no full stop: %s",
				 pc->name, pc->help);
		if (pc->reply_key && name_check(pc->reply_key) != NAME_OK)
			fail_msg("%s: reply key '%s' is not a plain key", pc->name, pc->reply_key);
		switch (pc->arg) {
		case PROTOCOL_ARG_NONE:
			assert_null(pc->arg_meta);
			break;
		case PROTOCOL_ARG_NAME:
			assert_non_null(pc->arg_meta);
			assert_non_null(pc->arg_noun);
			assert_non_null(pc->arg_absent);
			break;
		case PROTOCOL_ARG_COUNT:
			assert_non_null(pc->arg_meta);
			if (!(pc->count_min <= pc->count_default && pc->count_default <= pc->count_max))
				fail_msg("%s: the default %d is outside %d .. %d", pc->name, pc->count_default,
					 pc->count_min, pc->count_max);
			break;
		case PROTOCOL_ARG_NAME_REAL:
			assert_non_null(pc->arg_meta);
			assert_non_null(pc->arg_noun);
			if (!strchr(pc->arg_meta, ' ') || !(pc->real_min < pc->real_max))
				fail_msg("%s: two words of meta and a range are needed", pc->name);
			break;
		case PROTOCOL_ARG_NAME_REQUIRED:
			assert_non_null(pc->arg_meta);
			assert_non_null(pc->arg_noun);
			if (strchr(pc->arg_meta, ' '))
				fail_msg("%s: one word of meta", pc->name);
			break;
		}
		/* contrastctl's usage has 26 columns for it. */
		protocol_synopsis((enum control_command)c, syn, sizeof(syn));
		if (strlen(syn) > 26)
			fail_msg("%s: the synopsis '%s' is wider than the usage's column", pc->name, syn);
	}
	assert_null(protocol_command(CONTROL_N_COMMANDS));
	assert_null(protocol_command((enum control_command)-1));
	assert_string_equal(control_command_name(CONTROL_N_COMMANDS), "unknown");
}

static void test_names_unique(void **state)
{
	(void)state;
	for (int a = 0; a < CONTROL_N_COMMANDS; a++)
		for (int b = a + 1; b < CONTROL_N_COMMANDS; b++)
			if (strcmp(protocol_commands[a].name, protocol_commands[b].name) == 0)
				fail_msg("two commands are named %s", protocol_commands[a].name);
}

/* The rows as the docs and the daemon's replies have always spelled them. */
static void test_rows_as_documented(void **state)
{
	char buf[256];

	(void)state;
	protocol_command_list(buf, sizeof(buf));
	assert_string_equal(buf, "commands: status, start [PROGRAM], stop, ack, programs [NAME], log [N], "
			    "calibrate ZONE REFERENCE_C, autotune ZONE");
	protocol_usage(CONTROL_LOG, buf, sizeof(buf));
	assert_string_equal(buf, "log [N], N from 1 to 100");
	protocol_usage(CONTROL_START, buf, sizeof(buf));
	assert_string_equal(buf, "start [PROGRAM]");
	assert_string_equal(protocol_commands[CONTROL_STATUS].reply_key, "status");
	assert_string_equal(protocol_commands[CONTROL_START].reply_key, "status");
	assert_string_equal(protocol_commands[CONTROL_PROGRAMS].reply_key, "programs");
	assert_string_equal(protocol_commands[CONTROL_LOG].reply_key, "sessions");
	/* Logged at notice: the ones that change something. */
	assert_true(protocol_commands[CONTROL_START].changes_state);
	assert_true(protocol_commands[CONTROL_STOP].changes_state);
	assert_true(protocol_commands[CONTROL_ACK].changes_state);
	assert_false(protocol_commands[CONTROL_STATUS].changes_state);
	assert_false(protocol_commands[CONTROL_PROGRAMS].changes_state);
	assert_false(protocol_commands[CONTROL_LOG].changes_state);
}

/* The socket contrastctl tries without a config is the one the daemon's defaults listen on. */
static void test_default_socket_is_one(void **state)
{
	static struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.daemon.socket, CONTROL_SOCKET_DEFAULT);
	assert_true(sizeof(CONTROL_SOCKET_DEFAULT) < PATH_LEN);
}

/* ---- the name rule ---- */

static void test_name_rule_boundaries(void **state)
{
	char name[NAME_LEN + 8];
	int accepted = 0;

	(void)state;
	assert_int_equal(name_check(""), NAME_EMPTY);
	assert_int_equal(name_check("a"), NAME_OK);
	/* NAME_LEN - 1 characters: the longest; one more is too long, whatever the characters. */
	memset(name, 'x', NAME_LEN - 1);
	name[NAME_LEN - 1] = '\0';
	assert_int_equal(name_check(name), NAME_OK);
	name[NAME_LEN - 1] = 'x';
	name[NAME_LEN] = '\0';
	assert_int_equal(name_check(name), NAME_TOO_LONG);
	name[0] = ' ';
	assert_int_equal(name_check(name), NAME_TOO_LONG);

	/* Every byte on its own: ASCII letters, digits, - and _, and nothing else. */
	for (int b = 1; b < 256; b++) {
		char one[2] = { (char)b, '\0' };
		bool want = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
			    b == '-' || b == '_';
		enum name_verdict v = name_check(one);

		if (v != (want ? NAME_OK : NAME_BAD_CHAR))
			fail_msg("byte 0x%02x: verdict %d", b, v);
		accepted += v == NAME_OK;
	}
	assert_int_equal(accepted, 26 + 26 + 10 + 2);
	/* The neighbours of each range, inside a name. */
	static const char *const bad[] = { "a/", "a:", "a@", "a[", "a`", "a{", "a.", "a b", "a\tb", "a\nb",
					   "a;b", "\xc3\xa9t\xc3\xa9", "a\x7f" };

	for (size_t i = 0; i < N_ELEMS(bad); i++)
		assert_int_equal(name_check(bad[i]), NAME_BAD_CHAR);
	static const char *const good[] = { "0", "9", "A", "Z", "a", "z", "-", "_", "evening-2", "LEFT_calf" };

	for (size_t i = 0; i < N_ELEMS(good); i++)
		assert_int_equal(name_check(good[i]), NAME_OK);
}

/* ---- the argument checks ---- */

struct arg_case {
	enum control_command cmd;
	int n;
	const char *words[3];
	int rc;
	bool given;
	const char *name;       /* NAME: the name taken */
	int count;              /* COUNT: the number taken */
	const char *why;        /* the whole reason, when refused */
};

static const struct arg_case arg_cases[] = {
	{ CONTROL_STATUS, 0, { NULL }, 0, false, "", 0, NULL },
	{ CONTROL_STATUS, 1, { "now" }, -1, false, NULL, 0, "status takes no argument" },
	{ CONTROL_STOP, 2, { "1", "2" }, -1, false, NULL, 0, "stop takes no argument" },
	{ CONTROL_START, 0, { NULL }, 0, false, "", 0, NULL },
	{ CONTROL_START, 1, { "evening-2" }, 0, true, "evening-2", 0, NULL },
	{ CONTROL_START, 1, { "abcdefghijklmnopqrstuvwxyz01234" }, 0, true, "abcdefghijklmnopqrstuvwxyz01234", 0,
	  NULL },
	{ CONTROL_START, 1, { "abcdefghijklmnopqrstuvwxyz012345" }, -1, false, NULL, 0,
	  "start: 'abcdefghijklmnopqrstuvwxyz012345' is not a program name (letters, digits, - and _, at most "
	  "31 characters)" },
	{ CONTROL_START, 1, { "" }, -1, false, NULL, 0,
	  "start: '' is not a program name (letters, digits, - and _, at most 31 characters)" },
	{ CONTROL_START, 1, { "a;b" }, -1, false, NULL, 0,
	  "start: 'a;b' is not a program name (letters, digits, - and _, at most 31 characters)" },
	{ CONTROL_START, 1, { "x\nstop" }, -1, false, NULL, 0,
	  "start: 'x?stop' is not a program name (letters, digits, - and _, at most 31 characters)" },
	{ CONTROL_START, 1, { "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij" }, -1, false, NULL, 0,
	  "start: 'abcdefghijklmnopqrstuvwxyz0123456789abcd...' is not a program name (letters, digits, - "
	  "and _, at most 31 characters)" },
	{ CONTROL_START, 2, { "a", "b" }, -1, false, NULL, 0,
	  "start takes at most one argument (usage: start [PROGRAM])" },
	{ CONTROL_LOG, 0, { NULL }, 0, false, "", 10, NULL },
	{ CONTROL_LOG, 1, { "1" }, 0, true, "", 1, NULL },
	{ CONTROL_LOG, 1, { "100" }, 0, true, "", 100, NULL },
	{ CONTROL_LOG, 1, { "007" }, 0, true, "", 7, NULL },
	{ CONTROL_LOG, 1, { "0" }, -1, false, NULL, 0, "log: '0' is out of range (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "101" }, -1, false, NULL, 0,
	  "log: '101' is out of range (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "-1" }, -1, false, NULL, 0, "log: '-1' is out of range (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "99999999999999999999999" }, -1, false, NULL, 0,
	  "log: '99999999999999999999999' is out of range (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "x" }, -1, false, NULL, 0,
	  "log: 'x' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "" }, -1, false, NULL, 0,
	  "log: '' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "-" }, -1, false, NULL, 0,
	  "log: '-' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "+5" }, -1, false, NULL, 0,
	  "log: '+5' is not a whole number (usage: log [N], N from 1 to 100)" },
	/* strtol would take these; a newline would smuggle a second command onto the socket. */
	{ CONTROL_LOG, 1, { " 5" }, -1, false, NULL, 0,
	  "log: ' 5' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "\n5" }, -1, false, NULL, 0,
	  "log: '?5' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "5x" }, -1, false, NULL, 0,
	  "log: '5x' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 1, { "1e2" }, -1, false, NULL, 0,
	  "log: '1e2' is not a whole number (usage: log [N], N from 1 to 100)" },
	{ CONTROL_LOG, 2, { "1", "2" }, -1, false, NULL, 0,
	  "log takes at most one argument (usage: log [N], N from 1 to 100)" },
};

static void test_args_at_their_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(arg_cases); i++) {
		const struct arg_case *t = &arg_cases[i];
		struct protocol_args a;
		char why[CONTROL_ERROR_MAX] = "";
		int rc = protocol_parse_args(t->cmd, t->n, t->words, &a, why, sizeof(why));

		if (rc != t->rc)
			fail_msg("case %zu (%s %s): rc %d, wanted %d (%s)", i, control_command_name(t->cmd),
				 t->n ? t->words[0] : "", rc, t->rc, why);
		if (rc < 0) {
			assert_string_equal(why, t->why);
			continue;
		}
		assert_int_equal(a.given, t->given);
		if (t->cmd == CONTROL_START)
			assert_string_equal(a.name, t->name);
		if (t->cmd == CONTROL_LOG)
			assert_int_equal(a.count, t->count);
	}
}

static void test_unknown_command(void **state)
{
	enum control_command c = CONTROL_STATUS;
	char why[CONTROL_ERROR_MAX];

	(void)state;
	assert_int_equal(protocol_find("log", &c, why, sizeof(why)), 0);
	assert_int_equal(c, CONTROL_LOG);
	assert_int_equal(protocol_find("Status", &c, why, sizeof(why)), -1);
	assert_string_equal(why, "unknown command 'Status' (commands: status, start [PROGRAM], stop, ack, "
			    "programs [NAME], log [N], calibrate ZONE REFERENCE_C, autotune ZONE)");
	assert_int_equal(protocol_find("", &c, why, sizeof(why)), -1);
	assert_int_equal(protocol_find("stat", &c, why, sizeof(why)), -1);
	assert_int_equal(protocol_find("statuss", &c, why, sizeof(why)), -1);
	/* A small buffer cuts the reason; it is still a string. */
	assert_int_equal(protocol_find("reboot", &c, why, 12), -1);
	assert_string_equal(why, "unknown com");
}

/* A request as contrastctl formats it parses back, in the daemon, to the same command and argument. */
static void test_format_then_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(arg_cases); i++) {
		const struct arg_case *t = &arg_cases[i];
		struct protocol_args a;
		struct control_request req;
		char why[CONTROL_ERROR_MAX], line[CONTROL_LINE_MAX + 1];

		if (t->rc < 0)
			continue;
		assert_int_equal(protocol_parse_args(t->cmd, t->n, t->words, &a, why, sizeof(why)), 0);
		int n = protocol_format_request(t->cmd, &a, line, sizeof(line));

		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(line));
		memset(&req, 0, sizeof(req));
		if (control_parse(line, &req, why, sizeof(why)) < 0)
			fail_msg("'%s': %s", line, why);
		assert_int_equal(req.command, t->cmd);
		assert_int_equal(req.arg.given, a.given);
		assert_string_equal(req.arg.name, a.name);
		assert_int_equal(req.arg.count, a.count);
	}
	/* Left out, the argument is left out on the wire too (the daemon logs the line). */
	struct protocol_args none = { .given = false, .count = 10 };
	char line[16];

	assert_int_equal(protocol_format_request(CONTROL_LOG, &none, line, sizeof(line)), 3);
	assert_string_equal(line, "log");
	assert_int_equal(protocol_format_request(CONTROL_LOG, &none, line, 3), -1);
	assert_int_equal(protocol_format_request(CONTROL_N_COMMANDS, &none, line, sizeof(line)), -1);
}

/*
 * Same words: every bad command line, as contrastctl gets it (argv) and as
 * the daemon gets it (the words joined by a blank), is refused with the
 * same reason by both.
 */
static void test_same_words_daemon_and_contrastctl(void **state)
{
	static const struct {
		int argc;
		const char *argv[3];
	} bad[] = {
		{ 1, { "reboot" } },
		{ 1, { "STATUS" } },
		{ 2, { "status", "now" } },
		{ 3, { "stop", "1", "2" } },
		{ 2, { "ack", "x" } },
		{ 3, { "programs", "a", "b" } },
		{ 2, { "programs", "a;b" } },
		{ 3, { "start", "a", "b" } },
		{ 2, { "start", "a;b" } },
		{ 2, { "start", "abcdefghijklmnopqrstuvwxyz012345" } },
		{ 2, { "start", "\"quoted\"" } },
		{ 2, { "log", "0" } },
		{ 2, { "log", "101" } },
		{ 2, { "log", "-3" } },
		{ 2, { "log", "5x" } },
		{ 2, { "log", "x" } },
		{ 3, { "log", "1", "2" } },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		char line[CONTROL_LINE_MAX + 1] = "", ctl_why[CONTROL_ERROR_MAX] = "",
		     daemon_why[CONTROL_ERROR_MAX] = "";
		struct control_request req;
		struct protocol_args a;
		enum control_command c;
		int ctl_rc;

		/* contrastctl: the command, then its arguments. */
		ctl_rc = protocol_find(bad[i].argv[0], &c, ctl_why, sizeof(ctl_why));
		if (ctl_rc == 0)
			ctl_rc = protocol_parse_args(c, bad[i].argc - 1, bad[i].argv + 1, &a, ctl_why,
						     sizeof(ctl_why));
		/* The daemon: the line. */
		for (int k = 0; k < bad[i].argc; k++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", k ? " " : "",
				 bad[i].argv[k]);
		memset(&req, 0, sizeof(req));
		int daemon_rc = control_parse(line, &req, daemon_why, sizeof(daemon_why));

		if (ctl_rc != -1 || daemon_rc != -1)
			fail_msg("'%s': contrastctl %d, daemon %d: both must refuse", line, ctl_rc, daemon_rc);
		if (strcmp(ctl_why, daemon_why) != 0)
			fail_msg("'%s': contrastctl says '%s', the daemon '%s'", line, ctl_why, daemon_why);
	}
}

/* calibrate ZONE REFERENCE_C: both required, a name and a decimal number in range, in the same words for both programs. */
static void test_calibrate_args(void **state)
{
	struct protocol_args a;
	char why[CONTROL_ERROR_MAX], line[64];
	const char *ok[] = { "left", "25.5" }, *neg[] = { "left", "-1" }, *hot[] = { "left", "60.01" };
	const char *bad_name[] = { "le ft", "25" }, *bad_num[] = { "left", "2e1" }, *dots[] = { "left", "2.5.1" };
	const char *three[] = { "left", "25", "x" };

	(void)state;
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, ok, &a, why, sizeof(why)), 0);
	assert_true(a.given);
	assert_string_equal(a.name, "left");
	assert_true(fabs(a.real - 25.5) < 1e-12);
	assert_int_equal(protocol_format_request(CONTROL_CALIBRATE, &a, line, sizeof(line)), 21);
	assert_string_equal(line, "calibrate left 25.500");

	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 1, ok, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "calibrate takes two arguments (usage: calibrate ZONE REFERENCE_C, "
			    "REFERENCE_C from 0 to 60)");
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 3, three, &a, why, sizeof(why)), -1);
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, neg, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "calibrate: '-1' is out of range (usage: calibrate ZONE REFERENCE_C, "
			    "REFERENCE_C from 0 to 60)");
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, hot, &a, why, sizeof(why)), -1);
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, bad_name, &a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "is not a zone name"));
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, bad_num, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "calibrate: '2e1' is not a number (usage: calibrate ZONE REFERENCE_C, "
			    "REFERENCE_C from 0 to 60)");
	assert_int_equal(protocol_parse_args(CONTROL_CALIBRATE, 2, dots, &a, why, sizeof(why)), -1);
}

/* autotune ZONE: exactly one name, in the same words for both programs. */
static void test_autotune_args(void **state)
{
	struct protocol_args a;
	char why[CONTROL_ERROR_MAX], line[64];
	const char *ok[] = { "left", "x" }, *bad[] = { "le;ft" };

	(void)state;
	assert_int_equal(protocol_parse_args(CONTROL_AUTOTUNE, 1, ok, &a, why, sizeof(why)), 0);
	assert_true(a.given);
	assert_string_equal(a.name, "left");
	assert_int_equal(protocol_format_request(CONTROL_AUTOTUNE, &a, line, sizeof(line)), 13);
	assert_string_equal(line, "autotune left");
	assert_int_equal(protocol_parse_args(CONTROL_AUTOTUNE, 0, ok, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune takes one argument (usage: autotune ZONE)");
	assert_int_equal(protocol_parse_args(CONTROL_AUTOTUNE, 2, ok, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune takes one argument (usage: autotune ZONE)");
	assert_int_equal(protocol_parse_args(CONTROL_AUTOTUNE, 1, bad, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune: 'le;ft' is not a zone name (letters, digits, - and _, at most 31 "
			    "characters)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_is_whole),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_calibrate_args),
		cmocka_unit_test(test_autotune_args),
		cmocka_unit_test(test_rows_as_documented),
		cmocka_unit_test(test_default_socket_is_one),
		cmocka_unit_test(test_name_rule_boundaries),
		cmocka_unit_test(test_args_at_their_limits),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_format_then_parse),
		cmocka_unit_test(test_same_words_daemon_and_contrastctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
