/* SPDX-License-Identifier: MIT */
/*
 * The docs' key tables from the schema. See config_doc.h.
 *
 * The schema's text is plain ASCII; what each format needs is added here:
 * units get their signs (C is degrees Celsius, ohm is the ohm sign, * a
 * middle dot), markdown escapes |, roff escapes \, - and ^ and starts no
 * line with a dot.
 */
#include <ctype.h>
#include <string.h>
#include "config_doc.h"
#include "config_parse.h"
#include "core/config_schema.h"
#include "core/safety.h"

bool config_doc_format_from_name(const char *name, enum config_doc_format *format)
{
	if (strcmp(name, "markdown") == 0)
		*format = CONFIG_DOC_MARKDOWN;
	else if (strcmp(name, "man") == 0)
		*format = CONFIG_DOC_MAN;
	else
		return false;
	return true;
}

/* Plain schema text, escaped for the format. */
static void put_text(FILE *out, enum config_doc_format f, const char *s)
{
	if (f == CONFIG_DOC_MAN && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", out);
	for (; *s; s++) {
		if (f == CONFIG_DOC_MARKDOWN && *s == '|')
			fputs("\\|", out);
		else if (f == CONFIG_DOC_MAN && *s == '\\')
			fputs("\\e", out);
		else if (f == CONFIG_DOC_MAN && *s == '-')
			fputs("\\-", out);
		else if (f == CONFIG_DOC_MAN && *s == '^')
			fputs("\\(ha", out);
		else
			fputc(*s, out);
	}
}

/* A unit: "C/s" is degrees Celsius per second, "ohm" the ohm sign, "C*s" degree-seconds. */
static void put_unit(FILE *out, enum config_doc_format f, const char *u)
{
	bool md = f == CONFIG_DOC_MARKDOWN;

	for (; *u; u++) {
		if (*u == 'C')
			fputs(md ? "°C" : "\\(deC", out);
		else if (strncmp(u, "ohm", 3) == 0) {
			fputs(md ? "Ω" : "\\(*W", out);
			u += 2;
		} else if (*u == '*')
			fputs(md ? "·" : "\\(pc", out);
		else
			fputc(*u, out);
	}
}

/* A literal value (a default, a choice): `x` in markdown, bold in roff. */
static void put_literal(FILE *out, enum config_doc_format f, const char *s)
{
	if (f == CONFIG_DOC_MARKDOWN) {
		fprintf(out, "`%s`", s);
	} else {
		fputs("\\fB\\%", out);      /* \% : never hyphenated */
		put_text(out, f, s);
		fputs("\\fR", out);
	}
}

/* "`warm` or `cool`", "`a`, `b` or `c`". */
static void put_choices(FILE *out, enum config_doc_format f, const struct config_key *k)
{
	for (int i = 0; k->choices[i].name != NULL; i++) {
		if (i > 0)
			fputs(k->choices[i + 1].name == NULL ? " or " : ", ", out);
		put_literal(out, f, k->choices[i].name);
	}
}

static bool is_number(const struct config_key *k)
{
	return k->type == CONFIG_REAL || k->type == CONFIG_INT || k->type == CONFIG_GAIN;
}

/* The value types of docs/configuration.md; NULL for those written as their choices. */
static const char *type_word(const struct config_key *k)
{
	switch (k->type) {
	case CONFIG_REAL:
	case CONFIG_GAIN:
		return "number";
	case CONFIG_INT:
		return "whole number";
	case CONFIG_BOOL:
		return "boolean";
	case CONFIG_LINE:
		return "line spec";
	case CONFIG_SENSOR:
		return "sensor spec";
	case CONFIG_ABSPATH:
	case CONFIG_SOCKET:
		return "path";
	case CONFIG_ENUM:
	case CONFIG_IIO:
		break;
	}
	return NULL;
}

/* What the value is written as: a type, or the choices. */
static void put_type(FILE *out, enum config_doc_format f, const struct config_key *k)
{
	if (type_word(k) != NULL) {
		fputs(type_word(k), out);
	} else if (k->type == CONFIG_ENUM) {
		put_choices(out, f, k);
	} else {
		put_literal(out, f, "local:");
		fputs(" or ", out);
		put_literal(out, f, "ip:HOST");
	}
}

/* The default: a value, "none", or "required". */
static void put_default(FILE *out, enum config_doc_format f, const struct config_key *k)
{
	char num[32];

	if (k->flags & CONFIG_REQUIRED) {
		fputs(f == CONFIG_DOC_MARKDOWN ? "*required*" : "\\fIrequired\\fR", out);
		return;
	}
	if (k->flags & CONFIG_NO_DEFAULT) {
		fputs("none", out);
		return;
	}
	switch (k->type) {
	case CONFIG_REAL:
	case CONFIG_INT:
	case CONFIG_GAIN:
		fputs(config_fmt_number(num, sizeof(num), k->def), out);
		break;
	case CONFIG_BOOL:
		fputs(k->def != 0.0 ? "yes" : "no", out);
		break;
	default:
		put_literal(out, f, k->def_str);
		break;
	}
}

/*
 * The range: "1 .. 100", "10 .. 43 (both hard limits)", "any", the length
 * of a string; in roff with the unit after the numbers ("1 .. 100 Hz").
 * Returns false when there is nothing to say (a boolean, a choice).
 */
static bool put_range(FILE *out, enum config_doc_format f, const struct config_key *k)
{
	char lo[32], hi[32];

	if (is_number(k)) {
		if (k->flags & CONFIG_UNBOUNDED) {
			fputs(f == CONFIG_DOC_MAN ? "any value" : "any", out);
			return true;
		}
		config_fmt_number(lo, sizeof(lo), k->min);
		config_fmt_number(hi, sizeof(hi), k->max);
		/* roff: "1 .. 100 Hz" kept on one line (unbreakable spaces). */
		fprintf(out, f == CONFIG_DOC_MAN ? "%s\\ ..\\ %s" : "%s .. %s", lo, hi);
		if (f == CONFIG_DOC_MAN && k->unit[0] != '\0') {
			fputs("\\ ", out);
			put_unit(out, f, k->unit);
		}
		if (k->min_hard && k->max_hard)
			fputs(" (both hard limits)", out);
		else if (k->min_hard)
			fprintf(out, " (%s a hard limit)", lo);
		else if (k->max_hard)
			fprintf(out, " (%s a hard limit)", hi);
		return true;
	}
	switch (k->type) {
	case CONFIG_SOCKET:
		fprintf(out, "absolute, at most %zu characters (a Unix socket address)", config_socket_path_max());
		return true;
	case CONFIG_ABSPATH:
		fprintf(out, "absolute, at most %zu characters", k->size - 1);
		return true;
	case CONFIG_LINE:
	case CONFIG_SENSOR:
		fprintf(out, "at most %zu characters", k->size - 1);
		return true;
	case CONFIG_IIO:
		fputs("HOST not empty and without blanks", out);
		return true;
	default:
		return false;
	}
}

static void markdown_row(FILE *out, const struct config_key *k)
{
	const enum config_doc_format f = CONFIG_DOC_MARKDOWN;

	fprintf(out, "| `%s` | ", k->name);
	put_type(out, f, k);
	fputs(" | ", out);
	put_default(out, f, k);
	fputs(" | ", out);
	put_range(out, f, k);
	fputs(" | ", out);
	put_unit(out, f, k->unit);
	fputs(" | ", out);
	put_text(out, f, k->text);
	fputs(" |\n", out);
}

/*
 * .TP
 * .B control_hz
 * Control loop rate: ... a second.
 * Number, 1 .. 100 Hz, default 10.
 */
/* A text that starts with a fault kind ("over-temperature: ..."): its spelling is an interface. */
static bool starts_with_fault_kind(const char *text)
{
	char word[40];
	size_t n = strcspn(text, ":");

	if (text[n] != ':' || n >= sizeof(word))
		return false;
	memcpy(word, text, n);
	word[n] = '\0';
	return fault_kind_from_name(word) != FAULT_NONE;
}

static void man_entry(FILE *out, const struct config_key *k)
{
	const enum config_doc_format f = CONFIG_DOC_MAN;
	const char *type = type_word(k);
	char first[2] = { k->text[0], '\0' };

	fputs(".TP\n.B ", out);
	put_text(out, f, k->name);
	fputc('\n', out);
	/* A sentence, with a capital, unless it starts with the name of a fault. */
	if (!starts_with_fault_kind(k->text))
		first[0] = (char)toupper((unsigned char)first[0]);
	put_text(out, f, first);
	put_text(out, f, k->text + 1);
	fputs(".\n", out);

	/* The facts: type, range, default. */
	if (type != NULL) {
		fputc(toupper((unsigned char)type[0]), out);
		fputs(type + 1, out);
	} else {
		put_type(out, f, k);
	}
	fputs(", ", out);
	if (put_range(out, f, k))
		fputs(", ", out);
	if (k->type == CONFIG_GAIN)
		fputs("no default of its own", out);
	else if (k->flags & CONFIG_REQUIRED)
		put_default(out, f, k);
	else if ((k->flags & CONFIG_NO_DEFAULT) && !is_number(k))
		fputs("optional", out);
	else if (k->flags & CONFIG_NO_DEFAULT)
		fputs("no default", out);
	else {
		fputs("default ", out);
		put_default(out, f, k);
	}
	fputs(".\n", out);
}

int config_doc_write(FILE *out, enum config_doc_format format)
{
	for (int s = 0; s < CONFIG_SECTION_COUNT; s++) {
		const char *word = config_sections[s].word;

		if (format == CONFIG_DOC_MARKDOWN) {
			fprintf(out, "<!-- BEGIN GENERATED KEYS %s -->\n", word);
			fputs("| key | type | default | range | unit | meaning |\n", out);
			fputs("|---|---|---|---|---|---|\n", out);
		} else {
			fprintf(out, ".\\\" BEGIN GENERATED KEYS %s\n", word);
		}
		for (int k = 0; k < config_n_keys; k++) {
			if (config_keys[k].section != (enum config_section)s)
				continue;
			if (format == CONFIG_DOC_MARKDOWN)
				markdown_row(out, &config_keys[k]);
			else
				man_entry(out, &config_keys[k]);
		}
		if (format == CONFIG_DOC_MARKDOWN)
			fprintf(out, "<!-- END GENERATED KEYS %s -->\n", word);
		else
			fprintf(out, ".\\\" END GENERATED KEYS %s\n", word);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
