/* SPDX-License-Identifier: MIT */
/* The protocol table as documentation. See commands_doc.h. */
#include <string.h>
#include "commands_doc.h"
#include "lib/protocol.h"

/* What the argument is, and what leaving it out means, for the markdown table. */
static void argument_text(const struct protocol_command *pc, char *buf, size_t len)
{
	switch (pc->arg) {
	case PROTOCOL_ARG_NONE:
		snprintf(buf, len, "none");
		return;
	case PROTOCOL_ARG_NAME:
		snprintf(buf, len, "optional: a %s name (letters, digits, `-` and `_`, at most %d "
			 "characters); without it, %s", pc->arg_noun, NAME_LEN - 1, pc->arg_absent);
		return;
	case PROTOCOL_ARG_COUNT:
		snprintf(buf, len, "optional: %s, a whole number from %d to %d; without it, %d",
			 pc->arg_meta, pc->count_min, pc->count_max, pc->count_default);
		return;
	case PROTOCOL_ARG_NAME_REAL:
		snprintf(buf, len, "required: %s, a %s name, and a number from %g to %g", pc->arg_meta,
			 pc->arg_noun, pc->real_min, pc->real_max);
		return;
	case PROTOCOL_ARG_NAME_REQUIRED:
		snprintf(buf, len, "required: %s, a %s name (letters, digits, `-` and `_`, at most %d characters)",
			 pc->arg_meta, pc->arg_noun, NAME_LEN - 1);
		return;
	}
	snprintf(buf, len, "?");
}

static void markdown(FILE *out)
{
	fprintf(out, "| command | argument | reply | logged at | what it does |\n");
	fprintf(out, "|---|---|---|---|---|\n");
	for (int c = 0; c < CONTROL_N_COMMANDS; c++) {
		const struct protocol_command *pc = &protocol_commands[c];
		char syn[64], arg[256], reply[64];

		protocol_synopsis((enum control_command)c, syn, sizeof(syn));
		argument_text(pc, arg, sizeof(arg));
		if (pc->reply_key)
			snprintf(reply, sizeof(reply), "`{\"ok\":true,\"%s\":...}`", pc->reply_key);
		else
			snprintf(reply, sizeof(reply), "`{\"ok\":true}`");
		fprintf(out, "| `%s` | %s | %s | %s | %s |\n", syn, arg, reply,
			pc->changes_state ? "notice" : "debug", pc->help);
	}
}

/* A command with required arguments: ".BR "calibrate " \fIZONE\ REFERENCE_C\fR," (one italic word). */
static void man_required(FILE *out, const struct protocol_command *pc, const char *end)
{
	fprintf(out, ".BR \"%s \" \\fI", pc->name);
	for (const char *m = pc->arg_meta; *m; m++)
		fputs(*m == ' ' ? "\\ " : (char[2]){ *m, 0 }, out);
	fprintf(out, "\\fR%s\n", end);
}

/* The synopsis's COMMAND list: ".BR status ," ... ".BR \"log \" [\fIN\fR]." */
static void man(FILE *out)
{
	for (int c = 0; c < CONTROL_N_COMMANDS; c++) {
		const struct protocol_command *pc = &protocol_commands[c];
		const char *end = c + 1 < CONTROL_N_COMMANDS ? "," : ".";

		if (pc->arg == PROTOCOL_ARG_NONE)
			fprintf(out, ".BR %s %s\n", pc->name, end);
		else if (pc->arg == PROTOCOL_ARG_NAME_REAL || pc->arg == PROTOCOL_ARG_NAME_REQUIRED)
			man_required(out, pc, end);
		else
			fprintf(out, ".BR \"%s \" [\\fI%s\\fR]%s\n", pc->name, pc->arg_meta, end);
	}
}

/* One word a line, for shell completion: each command of the table, then plot (contrastctl's own). */
static void words(FILE *out)
{
	for (int c = 0; c < CONTROL_N_COMMANDS; c++)
		fprintf(out, "%s\n", protocol_commands[c].name);
	fprintf(out, "plot\n");
}

int commands_doc(FILE *out, const char *format)
{
	if (strcmp(format, "markdown") == 0)
		markdown(out);
	else if (strcmp(format, "man") == 0)
		man(out);
	else if (strcmp(format, "words") == 0)
		words(out);
	else
		return -1;
	return 0;
}
