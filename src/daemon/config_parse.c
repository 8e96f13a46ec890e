/* SPDX-License-Identifier: MIT */
/*
 * The configuration file, read with inih. See config_parse.h. Every key,
 * its type, range and default is a row of the schema (src/core/config_schema.c):
 * this file walks that table and holds no key of its own, except the few
 * the whole-file checks name.
 *
 * How the work is split:
 *  - Our line reader (read_line) hands inih one physical line at a time,
 *    so it always knows the line number inih is on: Debian's libinih is
 *    built without INI_HANDLER_LINENO, and its handler is never told the
 *    line. The reader also strips leading blanks (so an indented key is
 *    a key, never an inih continuation line), rejects over-long lines
 *    instead of letting inih split them, and reads [section] headers
 *    itself: inih calls nothing for a section without keys, and an
 *    empty [zone x] or an unknown [foo] must still be an error.
 *  - inih splits "key = value", drops comments and calls handle_key.
 *  - handle_key looks the key up in the schema, parses and range-checks
 *    the value as its row says, and stores it into *out.
 *  - finish() runs the checks that need the whole file: required keys,
 *    the Steinhart-Hart triple, the safety and program cross checks,
 *    lines and sensors used twice.
 *
 * The first error in the file wins: the reader stops at the first one,
 * and among the whole-file checks the one with the lowest line is kept.
 * Nothing is allocated: everything lives in struct parse on the stack.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <ini.h>
#include "config_parse.h"
#include "lib/protocol.h"
#include "lib/strbuf.h"
#include "lib/suggest.h"

/* Where one section instance and each of its keys were written; 0: not written. */
struct seen {
	int header_line;
	int key_line[CONFIG_MAX_KEYS];  /* by index in config_keys[] */
};

/* A section title for messages: "[zone left]", "[program]". */
#define TITLE_LEN (NAME_LEN + 16)

struct parse {
	const char *name;               /* for messages */
	struct config *cfg;
	struct config_error *err;
	bool failed;
	int err_rank;                   /* line of the error kept; INT_MAX for a file-wide one */

	/* Lenient (--safe-off): every error goes to report and the parse goes on. */
	config_report_fn report;
	void *report_arg;
	int n_reported;
	bool skip_section;              /* the last [section] header was refused: ignore its keys */

	/* The input: a string, or a file read through buf. */
	const char *str;
	int fd;
	char buf[1024];
	size_t pos, len;
	bool eof;
	int read_errno;
	size_t bytes;                   /* read so far: CONFIG_FILE_MAX at most */
	bool too_big;
	int lineno;                     /* of the line inih is working on */

	/* The section keys go to. */
	int cur;                        /* enum config_section; -1 before the first [section] */
	void *cur_base;
	struct seen *cur_seen;
	char cur_title[TITLE_LEN];

	struct seen daemon, button, thermistor, safety, simulate;
	struct seen program[MAX_PROGRAMS];
	struct seen zone[MAX_ZONES];
};

/* Where the keys of instance i of section s were written. */
static struct seen *seen_of(struct parse *p, enum config_section s, int i)
{
	switch (s) {
	case CONFIG_DAEMON:
		return &p->daemon;
	case CONFIG_BUTTON:
		return &p->button;
	case CONFIG_THERMISTOR:
		return &p->thermistor;
	case CONFIG_SAFETY:
		return &p->safety;
	case CONFIG_PROGRAM:
		return &p->program[i];
	case CONFIG_ZONE:
		return &p->zone[i];
	case CONFIG_SIMULATE:
		return &p->simulate;
	case CONFIG_SECTION_COUNT:
		break;
	}
	return NULL;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct parse *p, int line, const char *fmt, ...)
{
	int rank = line > 0 ? line : INT_MAX;
	char what[400], msg[sizeof(p->err->msg)];
	va_list ap;

	/* The first error in the file wins; a file-wide one only when there is no other. */
	if (!p->report && p->failed && rank >= p->err_rank)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(msg, sizeof(msg), "%s:%d: %s", p->name, line, what);
	else
		snprintf(msg, sizeof(msg), "%s: %s", p->name, what);
	/* The message echoes the file: its control characters must not reach a terminal raw. */
	strbuf_escape_controls(msg, p->err->msg, sizeof(p->err->msg));
	if (p->report) {
		p->n_reported++;
		p->report(p->report_arg, p->err->msg);
		return;
	}
	p->failed = true;
	p->err_rank = rank;
}

const char *config_fmt_number(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
	return buf;
}

/* --- Reading lines ------------------------------------------------------ */

static int src_getc(struct parse *p)
{
	ssize_t n;

	if (p->bytes >= CONFIG_FILE_MAX) {
		p->too_big = true;
		return -1;
	}
	p->bytes++;
	if (p->str != NULL)
		return *p->str == '\0' ? -1 : (unsigned char)*p->str++;
	if (p->pos == p->len) {
		if (p->eof)
			return -1;
		do
			n = read(p->fd, p->buf, sizeof(p->buf));
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			if (n < 0)
				p->read_errno = errno;
			p->eof = true;
			return -1;
		}
		p->pos = 0;
		p->len = (size_t)n;
	}
	return (unsigned char)p->buf[p->pos++];
}

static bool is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* A zone or program name: letters, digits, - and _, at most NAME_LEN - 1. */
static bool check_name(struct parse *p, const char *what, const char *name)
{
	switch (name_check(name)) {
	case NAME_OK:
		return true;
	case NAME_TOO_LONG:
		fail(p, p->lineno, "%s name %s is longer than %d characters", what, name, NAME_LEN - 1);
		return false;
	case NAME_EMPTY:
	case NAME_BAD_CHAR:
		break;
	}
	fail(p, p->lineno, "%s name %s may have only " NAME_RULE, what, name);
	return false;
}

/*
 * What to tell a person about an unknown section word: "" or
 * ": did you mean [program]?" (section words are lower case, and a
 * difference of case only is said as such).
 */
static void section_hint(const char *word, const char *name, char *buf, size_t len)
{
	struct suggest s;

	buf[0] = '\0';
	suggest_init(&s, word);
	for (int i = 0; i < CONFIG_SECTION_COUNT; i++)
		suggest_offer(&s, config_sections[i].word);
	if (s.best == NULL)
		return;
	snprintf(buf, len, ": %sdid you mean [%s%s%s]?",
		 suggest_case_only(word, s.best) ? "section names are lower case: " : "", s.best,
		 name[0] ? " " : "", name);
}

/*
 * A "[...]" line: check it, and make it the section that the following
 * keys go to. line has no leading blanks and starts with '['.
 */
static bool begin_section(struct parse *p, const char *line)
{
	struct config *c = p->cfg;
	const char *close = strchr(line, ']');
	char inner[200], word[200], name[200];
	const struct config_section_info *def;
	const char *s;
	size_t n;
	int sec, i = 0;

	if (close == NULL) {
		fail(p, p->lineno, "a section header needs a closing ]");
		return false;
	}
	for (s = close + 1; *s == ' ' || *s == '\t'; s++)
		;
	if (*s != '\0' && *s != ';' && *s != '#') {
		fail(p, p->lineno, "unexpected text after the section header: %s", s);
		return false;
	}
	n = (size_t)(close - line - 1);
	if (n >= sizeof(inner)) {
		fail(p, p->lineno, "the section header is too long");
		return false;
	}
	memcpy(inner, line + 1, n);
	inner[n] = '\0';

	/* "word" or "word NAME", blanks around either ignored. */
	word[0] = name[0] = '\0';
	s = inner;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	memcpy(word, s, n);
	word[n] = '\0';
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	memcpy(name, s, n);
	name[n] = '\0';
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0') {
		fail(p, p->lineno, "unknown section [%s]", inner);
		return false;
	}

	sec = config_schema_section(word);
	if (sec < 0) {
		char hint[128];

		section_hint(word, name, hint, sizeof(hint));
		fail(p, p->lineno, "unknown section [%s]%s", inner, hint);
		return false;
	}
	def = &config_sections[sec];
	if (def->naming == CONFIG_UNNAMED && name[0] != '\0') {
		fail(p, p->lineno, "unknown section [%s %s]: [%s] takes no name", word, name, word);
		return false;
	}
	if (def->naming == CONFIG_NAME_REQUIRED && name[0] == '\0') {
		fail(p, p->lineno, "[%s] needs a name: [%s NAME]", word, word);
		return false;
	}
	if (name[0] != '\0' && !check_name(p, word, name))
		return false;

	/* Which instance: [program NAME] and [zone NAME] take the next free slot. */
	if (sec == CONFIG_PROGRAM && name[0] != '\0') {
		if (strcmp(name, "default") == 0) {
			fail(p, p->lineno, "[program default]: the name default is reserved for [program]");
			return false;
		}
		i = config_find_program(c, name);
		if (i < 0) {
			if (c->n_programs == MAX_PROGRAMS) {
				fail(p, p->lineno, "[program %s]: too many programs (at most %d, [program] included)",
				     name, MAX_PROGRAMS);
				return false;
			}
			i = c->n_programs++;
			/* The slot holds the defaults (config_defaults), not [program]'s values. */
			strcpy(c->programs[i].name, name);
		}
	} else if (sec == CONFIG_ZONE) {
		for (i = 0; i < c->n_zones; i++)
			if (strcmp(c->zones[i].name, name) == 0)
				break;
		if (i == c->n_zones) {
			if (c->n_zones == MAX_ZONES) {
				fail(p, p->lineno, "[zone %s]: too many zones (at most %d)", name, MAX_ZONES);
				return false;
			}
			c->n_zones++;
			strcpy(c->zones[i].name, name);
		}
	}

	struct seen *seen = seen_of(p, sec, i);

	if (name[0] != '\0')
		snprintf(p->cur_title, sizeof(p->cur_title), "[%s %.*s]", def->word, NAME_LEN - 1, name);
	else
		snprintf(p->cur_title, sizeof(p->cur_title), "[%s]", def->word);
	if (seen->header_line != 0) {
		fail(p, p->lineno, "%s appears twice (first at line %d)", p->cur_title, seen->header_line);
		if (!p->report)
			return false;
	} else {
		seen->header_line = p->lineno;
	}
	p->cur = sec;
	p->cur_base = config_section_base(c, sec, i);
	p->cur_seen = seen;
	return true;
}

/*
 * inih's reader: one physical line per call, so p->lineno is the line
 * inih is on while it calls handle_key. Returns NULL at the end, on a
 * read error, and after the first error (no point reading on).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	/* inih wants room for '\r', '\n' and the NUL beyond the longest line. */
	size_t cap = num > 3 ? (size_t)num - 3 : 0;
	size_t n = 0, skip;
	bool too_long = false, nul = false;
	int ch;

	if (p->failed)
		return NULL;
	ch = src_getc(p);
	if (ch < 0) {
		if (p->read_errno != 0)
			fail(p, 0, "cannot read: %s", strerror(p->read_errno));
		else if (p->too_big)
			fail(p, 0, "larger than %d bytes: not a configuration file", CONFIG_FILE_MAX);
		return NULL;
	}
	p->lineno++;
	for (; ch >= 0 && ch != '\n'; ch = src_getc(p)) {
		if (ch == '\0') {
			nul = true;
		} else if (n < cap || (n == cap && ch == '\r' && !too_long)) {
			str[n++] = (char)ch;    /* a CR just past cap may be the CRLF's */
		} else {
			too_long = true;
			/* Strict: stop here, the rest of the line and the file are not read. */
			if (!p->report)
				break;
		}
	}
	if (n > 0 && str[n - 1] == '\r')
		n--;
	if (n > cap)
		too_long = true;
	str[n] = '\0';

	if (p->read_errno != 0) {
		fail(p, p->lineno, "cannot read: %s", strerror(p->read_errno));
		return NULL;
	}
	if (p->too_big) {
		fail(p, 0, "larger than %d bytes: not a configuration file", CONFIG_FILE_MAX);
		return NULL;
	}
	if (nul || too_long) {
		if (nul)
			fail(p, p->lineno, "the line holds a NUL byte");
		else
			fail(p, p->lineno, "line too long (more than %zu characters)", cap);
		if (!p->report)
			return NULL;
		str[0] = '\0';         /* lenient: the line is left out */
		return str;
	}

	/* A UTF-8 byte order mark, then leading blanks: inih never sees them. */
	skip = 0;
	if (p->lineno == 1 && (unsigned char)str[0] == 0xEF && (unsigned char)str[1] == 0xBB &&
	    (unsigned char)str[2] == 0xBF)
		skip = 3;
	while (str[skip] != '\0' && isspace((unsigned char)str[skip]))
		skip++;
	memmove(str, str + skip, n - skip + 1);

	if (str[0] == '[') {
		p->skip_section = false;
		if (!begin_section(p, str)) {
			if (!p->report)
				return NULL;
			/* Lenient: the keys up to the next good header belong nowhere. */
			p->cur = -1;
			p->skip_section = true;
			str[0] = '\0';
		}
	}
	return str;
}

/* --- Values -------------------------------------------------------------- */

/* A plain decimal number: [+-]digits[.digits][e[+-]digits]. No hex, inf or nan. */
static bool parse_number(const char *s, double *out)
{
	const char *q = s;
	bool digits = false;
	char *end;
	double v;

	if (*q == '+' || *q == '-')
		q++;
	for (; isdigit((unsigned char)*q); q++)
		digits = true;
	if (*q == '.')
		for (q++; isdigit((unsigned char)*q); q++)
			digits = true;
	if (!digits)
		return false;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!isdigit((unsigned char)*q))
			return false;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q != '\0')
		return false;
	v = strtod(s, &end);
	if (end != q || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* A whole number written as one: [+-]digits. 1e1 and 10.0 are numbers, not whole ones. */
static bool plain_integer(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * A GPIO line: a line name ([A-Za-z0-9_-]+, e.g. GPIO22), or CHIP:OFFSET
 * with CHIP a chip name or number and OFFSET 0..1023. With norm, also
 * writes a form in which the same line compares equal ("0:017" and
 * "gpiochip0:17" are both "gpiochip0:17"). Returns NULL or why not.
 */
static const char *check_line_spec(const char *s, char *norm, size_t norm_len)
{
	const char *colon = strchr(s, ':');
	const char *q;
	bool numeric_chip = true;
	long offset = 0;

	if (colon == NULL) {
		if (*s == '\0')
			return "is empty";
		for (q = s; *q; q++)
			if (!is_name_char((unsigned char)*q))
				return "is not a line: give a line name like GPIO17 or CHIP:OFFSET like gpiochip0:17";
		if (norm)
			snprintf(norm, norm_len, "%s", s);
		return NULL;
	}
	if (colon == s)
		return "is not a line: CHIP:OFFSET needs a chip, like gpiochip0:17";
	for (q = s; q < colon; q++) {
		if (!is_name_char((unsigned char)*q))
			return "is not a line: give a line name like GPIO17 or CHIP:OFFSET like gpiochip0:17";
		if (!isdigit((unsigned char)*q))
			numeric_chip = false;
	}
	if (colon[1] == '\0')
		return "is not a line: CHIP:OFFSET needs an offset, like gpiochip0:17";
	for (q = colon + 1; *q; q++) {
		if (!isdigit((unsigned char)*q))
			return "is not a line: the offset in CHIP:OFFSET must be a number";
		if (offset <= 1023)
			offset = offset * 10 + (*q - '0');
	}
	if (offset > 1023)
		return "is not a line: the offset must be between 0 and 1023";
	if (norm) {
		int chip_len = (int)(colon - s);

		if (numeric_chip) {
			long chip = 0;

			for (q = s; q < colon && chip < 100000; q++)
				chip = chip * 10 + (*q - '0');
			snprintf(norm, norm_len, "gpiochip%ld:%ld", chip, offset);
		} else {
			snprintf(norm, norm_len, "%.*s:%ld", chip_len, s, offset);
		}
	}
	return NULL;
}

/* DEVICE/CHANNEL: DEVICE [A-Za-z0-9_:.-]+, CHANNEL [a-z]+[0-9]*(_[a-z0-9]+)? */
static const char *check_sensor_spec(const char *s)
{
	static const char *const usage =
		"is not a sensor: give DEVICE/CHANNEL like ads1015/voltage0";
	const char *slash = strchr(s, '/');
	const char *q;

	if (slash == NULL || slash == s || strchr(slash + 1, '/') != NULL)
		return usage;
	for (q = s; q < slash; q++)
		if (!isalnum((unsigned char)*q) && !strchr("_:.-", *q))
			return "is not a sensor: the device name may have only letters, digits and _ : . -";
	q = slash + 1;
	if (!islower((unsigned char)*q))
		return "is not a sensor: the channel must look like voltage0, temp or temp1";
	while (islower((unsigned char)*q))
		q++;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '_') {
		q++;
		if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q))
			return "is not a sensor: the channel must look like voltage0, temp or temp1";
		while (islower((unsigned char)*q) || isdigit((unsigned char)*q))
			q++;
	}
	if (*q != '\0')
		return "is not a sensor: the channel must look like voltage0, temp or temp1";
	return NULL;
}

/* The index in config_keys[] (and in struct seen) of key name in section s, or -1. */
static int find_key(enum config_section s, const char *name)
{
	const struct config_key *k = config_schema_find(s, name);

	return k == NULL ? -1 : (int)(k - config_keys);
}

const char *config_unknown_program(const struct config *c, const char *name, char *buf, size_t len)
{
	const char *names[MAX_PROGRAMS];

	for (int i = 0; i < c->n_programs && i < MAX_PROGRAMS; i++)
		names[i] = c->programs[i].name;
	suggest_unknown_name(buf, len, "program", "programs", name, names, c->n_programs);
	return buf;
}

size_t config_socket_path_max(void)
{
	return sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
}

static bool check_range(struct parse *p, const struct config_key *k, const char *text, double v)
{
	char lo[32], hi[32];

	if (k->flags & CONFIG_UNBOUNDED)
		return true;
	config_fmt_number(lo, sizeof(lo), k->min);
	config_fmt_number(hi, sizeof(hi), k->max);
	if (v < k->min && k->min_hard != NULL)
		fail(p, p->lineno, "%s = %s is below the hard limit of %s", k->name, text, lo);
	else if (v > k->max && k->max_hard != NULL)
		fail(p, p->lineno, "%s = %s is above the hard limit of %s", k->name, text, hi);
	else if (v < k->min || v > k->max)
		fail(p, p->lineno, "%s = %s must be between %s and %s", k->name, text, lo, hi);
	else
		return true;
	return false;
}

static bool store_string(struct parse *p, const struct config_key *k, const char *value, char *field)
{
	if (strlen(value) >= k->size) {
		fail(p, p->lineno, "%s is longer than %zu characters", k->name, k->size - 1);
		return false;
	}
	strcpy(field, value);
	return true;
}

/* "a or b", "a, b or c": the choices of an enum key, for a message. */
static void list_choices(const struct config_key *k, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; k->choices[i].name != NULL && used < len; i++) {
		const char *sep = i == 0 ? "" : k->choices[i + 1].name == NULL ? " or " : ", ";
		int n = snprintf(buf + used, len - used, "%s%s", sep, k->choices[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* A unit a person may write after a number, and what it is in the key's own unit. */
struct unit_word {
	const char *key_unit;   /* the schema row's unit */
	const char *word;       /* as written after the number, lower case */
	double factor;          /* value in the key's unit = number * factor */
};

static const struct unit_word unit_words[] = {
	{ "s", "s", 1 }, { "s", "sec", 1 }, { "s", "secs", 1 }, { "s", "second", 1 },
	{ "s", "seconds", 1 }, { "s", "m", 60 }, { "s", "min", 60 }, { "s", "mins", 60 },
	{ "s", "minute", 60 }, { "s", "minutes", 60 }, { "s", "h", 3600 }, { "s", "hour", 3600 },
	{ "s", "hours", 3600 }, { "s", "ms", 0.001 },
	{ "ms", "ms", 1 }, { "ms", "s", 1000 },
	{ "C", "c", 1 }, { "C", "\xc2\xb0""c", 1 }, { "C", "\xc2\xb0", 1 }, { "C", "deg", 1 },
	{ "C", "degc", 1 },
	{ "Hz", "hz", 1 }, { "mV", "mv", 1 }, { "mV", "v", 1000 }, { "ohm", "ohm", 1 },
	{ "ohm", "ohms", 1 }, { "ohm", "k", 1000 }, { "ohm", "kohm", 1000 },
};

/* A unit as a message names it: "seconds", "degrees C" (with the degree sign). */
static const char *unit_in_words(const char *unit)
{
	static const struct { const char *unit, *words; } names[] = {
		{ "s", "seconds" }, { "ms", "milliseconds" }, { "C", "\xc2\xb0""C" }, { "Hz", "Hz" },
		{ "mV", "millivolts" }, { "ohm", "ohms" }, { "K", "kelvin" }, { "C/s", "\xc2\xb0""C per second" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].unit, unit) == 0)
			return names[i].words;
	return unit;
}

/*
 * A value that is not a number. When it is a number with a unit after it
 * ("3m", "39C", "39 C" with a degree sign), say the key's unit and the value to
 * write: "warm_s = 3m: give it in seconds, without a unit: warm_s = 180".
 */
static void not_a_number(struct parse *p, const struct config_key *k, const char *value)
{
	char number[64], unit[32], example[32];
	size_t n = strspn(value, "+-0123456789.eE");
	const char *rest = value + n;
	double v;

	/* "1e" of "1em": the exponent needs digits, so give the letters back to the unit. */
	while (n > 0 && (value[n - 1] == 'e' || value[n - 1] == 'E'))
		n--, rest--;
	if (n == 0 || n >= sizeof(number) || k->unit == NULL || k->unit[0] == '\0') {
		fail(p, p->lineno, "%s = %s is not a number", k->name, value);
		return;
	}
	memcpy(number, value, n);
	number[n] = '\0';
	while (*rest == ' ' || *rest == '\t')
		rest++;
	size_t ul = strlen(rest);

	/* Only a word can be a unit: "0x10" is no number with unit x10. */
	bool word = ul > 0;

	for (const char *q = rest; *q; q++)
		if (!isalpha((unsigned char)*q) && (unsigned char)*q < 0x80)
			word = word && *q == ' ';
	if (!parse_number(number, &v) || !word || ul >= sizeof(unit)) {
		fail(p, p->lineno, "%s = %s is not a number", k->name, value);
		return;
	}
	for (size_t i = 0; i <= ul; i++)
		unit[i] = (char)tolower((unsigned char)rest[i]);
	for (size_t i = 0; i < sizeof(unit_words) / sizeof(unit_words[0]); i++) {
		if (strcmp(unit_words[i].key_unit, k->unit) == 0 && strcmp(unit_words[i].word, unit) == 0) {
			config_fmt_number(example, sizeof(example), v * unit_words[i].factor);
			fail(p, p->lineno, "%s = %s: give it in %s, without a unit: %s = %s", k->name, value,
			     unit_in_words(k->unit), k->name, example);
			return;
		}
	}
	fail(p, p->lineno, "%s = %s is not a number: give it in %s, without a unit, like %s = %s",
	     k->name, value, unit_in_words(k->unit), k->name,
	     config_fmt_number(example, sizeof(example), k->def));
}

/* Parse value for key k (index ki in config_keys[]) of the current section and store it. */
static bool set_value(struct parse *p, int ki, const char *value)
{
	const struct config_key *k = &config_keys[ki];
	char *field = (char *)p->cur_base + k->offset;
	char choices[128];
	const char *why;
	double v;
	int choice;

	switch (k->type) {
	case CONFIG_REAL:
	case CONFIG_INT:
	case CONFIG_GAIN:
		if (!parse_number(value, &v)) {
			not_a_number(p, k, value);
			return false;
		}
		if (k->type == CONFIG_INT && (v != floor(v) || !plain_integer(value))) {
			fail(p, p->lineno, "%s = %s is not a whole number", k->name, value);
			return false;
		}
		if (!check_range(p, k, value, v))
			return false;
		if (k->type == CONFIG_REAL) {
			*(double *)(void *)field = v;
		} else if (k->type == CONFIG_INT) {
			*(int *)(void *)field = (int)v;
		} else {
			/* kp sets heat_kp and cool_kp; either one written wins, whatever the order. */
			for (int i = 0; i < 2; i++) {
				int t = find_key(p->cur, k->sets[i]);

				if (t >= 0 && p->cur_seen->key_line[t] == 0)
					*(double *)(void *)((char *)p->cur_base + config_keys[t].offset) = v;
			}
		}
		return true;

	case CONFIG_BOOL:
		if (!parse_bool(value, (bool *)(void *)field)) {
			fail(p, p->lineno, "%s = %s is not yes or no (yes/no, true/false, on/off, 1/0)",
			     k->name, value);
			return false;
		}
		return true;

	case CONFIG_ENUM:
		if (config_schema_choice(k, value, &choice)) {
			*(int *)(void *)field = choice;
			return true;
		}
		list_choices(k, choices, sizeof(choices));
		fail(p, p->lineno, "%s = %s must be %s", k->name, value, choices);
		return false;

	case CONFIG_LINE:
		if (strlen(value) >= k->size)
			break;
		why = check_line_spec(value, NULL, 0);
		if (why) {
			fail(p, p->lineno, "%s = %s %s", k->name, value, why);
			return false;
		}
		break;

	case CONFIG_SENSOR:
		if (strlen(value) >= k->size)
			break;
		why = check_sensor_spec(value);
		if (why) {
			fail(p, p->lineno, "%s = %s %s", k->name, value, why);
			return false;
		}
		break;

	case CONFIG_ABSPATH:
	case CONFIG_SOCKET:
		if (value[0] != '/') {
			fail(p, p->lineno, "%s = %s is not an absolute path", k->name, value);
			return false;
		}
		if (k->type == CONFIG_SOCKET && strlen(value) > config_socket_path_max()) {
			fail(p, p->lineno, "%s is longer than %zu characters, the limit of a Unix socket path",
			     k->name, config_socket_path_max());
			return false;
		}
		break;

	case CONFIG_IIO:
		if (strcmp(value, "local:") != 0) {
			bool ok = strncmp(value, "ip:", 3) == 0 && value[3] != '\0';

			for (const char *q = value; ok && *q; q++)
				if (!isgraph((unsigned char)*q))
					ok = false;
			if (!ok) {
				fail(p, p->lineno, "%s = %s must be local: or ip:HOST", k->name, value);
				return false;
			}
		}
		break;
	}
	return store_string(p, k, value, field);
}

/*
 * An unknown key in the current section, with what the person probably
 * meant: the same key in another case (keys are matched case-sensitively),
 * a key of another section, or the closest key of this one.
 */
static void unknown_key(struct parse *p, const char *key)
{
	struct suggest s;
	const char *title = p->cur_title;

	suggest_init(&s, key);
	for (int i = 0; i < config_n_keys; i++)
		if (config_keys[i].section == (enum config_section)p->cur)
			suggest_offer(&s, config_keys[i].name);
	if (s.best && suggest_case_only(key, s.best)) {
		fail(p, p->lineno, "unknown key %s in %s: keys are lower case: did you mean %s?", key,
		     title, s.best);
		return;
	}
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->section != (enum config_section)p->cur && strcmp(k->name, key) == 0) {
			const struct config_section_info *si = &config_sections[k->section];

			fail(p, p->lineno, "unknown key %s in %s: %s is a key of [%s%s]", key, title, key,
			     si->word, si->naming == CONFIG_NAME_REQUIRED ? " NAME" : "");
			return;
		}
	}
	if (s.best)
		fail(p, p->lineno, "unknown key %s in %s: did you mean %s?", key, title, s.best);
	else
		fail(p, p->lineno, "unknown key %s in %s", key, title);
}

static int handle_key_checked(struct parse *p, const char *key, const char *value);

/* inih's handler: one "key = value" of the current section. Returns 0 on error. */
static int handle_key(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;

	(void)section;  /* the reader keeps the section; inih truncates long names */
	if (p->failed)
		return 0;
	if (p->report) {
		/* Lenient: every error is reported by fail(); inih must not count one. */
		if (!p->skip_section)
			handle_key_checked(p, key, value);
		return 1;
	}
	return handle_key_checked(p, key, value);
}

static int handle_key_checked(struct parse *p, const char *key, const char *value)
{
	int ki;

	if (p->cur < 0) {
		fail(p, p->lineno, "%s is outside any section: put it under [daemon], [zone NAME], ...", key);
		return 0;
	}
	ki = find_key(p->cur, key);
	if (ki < 0) {
		if (key[0] == '\0')
			fail(p, p->lineno, "a value without a key");
		else
			unknown_key(p, key);
		return 0;
	}
	if (p->cur_seen->key_line[ki] != 0) {
		fail(p, p->lineno, "duplicate key %s in %s (first at line %d)", key, p->cur_title,
		     p->cur_seen->key_line[ki]);
		return 0;
	}
	if (value[0] == '\0') {
		fail(p, p->lineno, "%s has no value", key);
		return 0;
	}
	if (strstr(value, " #") || strstr(value, "\t#")) {
		fail(p, p->lineno, "%s = %s: # starts a comment only at the start of a line; after a value use ;",
		     key, value);
		return 0;
	}
	if (!set_value(p, ki, value))
		return 0;
	p->cur_seen->key_line[ki] = p->lineno;
	return 1;
}

/* --- Whole-file checks --------------------------------------------------- */

/* Line of key in a section instance, 0 when it was not written. */
static int line_of(const struct seen *s, enum config_section sec, const char *key)
{
	int k = find_key(sec, key);

	return k < 0 ? 0 : s->key_line[k];
}

/* The first non-zero line of those given: the key's, then its section's, then a fallback's. */
static int first_line(int a, int b, int c)
{
	return a ? a : b ? b : c;
}

static void check_required(struct parse *p, const struct seen *s, enum config_section sec,
			   const char *title)
{
	char missing[200] = "";
	size_t used = 0;

	if (s->header_line == 0)
		return;
	for (int k = 0; k < config_n_keys; k++) {
		const struct config_key *key = &config_keys[k];

		if (key->section == sec && (key->flags & CONFIG_REQUIRED) && s->key_line[k] == 0) {
			int n = snprintf(missing + used, sizeof(missing) - used, "%s%s",
					 used ? ", " : "", key->name);

			if (n > 0 && (size_t)n < sizeof(missing) - used)
				used += (size_t)n;
		}
	}
	if (used)
		fail(p, s->header_line, "%s is missing %s (required)", title, missing);
}

static void check_thermistor(struct parse *p)
{
	static const char *const names[] = { "sh_a", "sh_b", "sh_c" };
	struct thermistor_params *t = &p->cfg->thermistor;
	char given[32] = "", missing[32] = "";
	int first = 0, n_given = 0;

	for (int i = 0; i < 3; i++) {
		int line = line_of(&p->thermistor, CONFIG_THERMISTOR, names[i]);
		char *list = line ? given : missing;

		if (line) {
			n_given++;
			if (first == 0 || line < first)
				first = line;
		}
		if (list[0] != '\0')
			strcat(list, ", ");
		strcat(list, names[i]);
	}
	if (n_given == 3)
		t->has_sh = true;
	else if (n_given > 0)
		fail(p, first, "%s given without %s: give all three Steinhart-Hart coefficients or none",
		     given, missing);
}

/*
 * The safety claim (docs/safety.md, "The envelope, and the claim") covers
 * the config as written: safety_params_check says which key it must
 * change. The plain ranges it also checks (sensor_lag_s, pwm_period_s) are
 * the schema's rows; what is left is max_pad_c and min_pad_c inside the
 * limits in force, which sensor_lag_s and control_hz set. Named at the
 * key's line; a key left at its default, at the line that made the
 * default too wide.
 */
static void check_envelope(struct parse *p)
{
	const struct config *c = p->cfg;
	const char *key = NULL;
	char why[400];

	if (safety_params_check(&c->safety, 1.0 / c->daemon.control_hz, c->daemon.pwm_period_s, &key, why,
				sizeof(why)) == 0)
		return;
	enum config_section sec = strcmp(key, "pwm_period_s") == 0 ? CONFIG_DAEMON : CONFIG_SAFETY;
	int line = line_of(seen_of(p, sec, 0), sec, key);

	if (line)
		fail(p, line, "%s", why);
	else
		fail(p, first_line(line_of(&p->safety, CONFIG_SAFETY, "sensor_lag_s"),
				   line_of(&p->daemon, CONFIG_DAEMON, "control_hz"), p->safety.header_line),
		     "%s; %s is not set and its default is too wide here: set it in [safety]", why, key);
}

static void check_safety(struct parse *p)
{
	const struct config *c = p->cfg;
	const struct safety_params *s = &c->safety;
	const struct seen *ss = &p->safety;
	int hdr = ss->header_line;
	int max_line = line_of(ss, CONFIG_SAFETY, "max_pad_c");
	int min_line = line_of(ss, CONFIG_SAFETY, "min_pad_c");
	double two_periods_s = 2.0 / c->daemon.control_hz;

	if (s->max_pad_c <= s->min_pad_c) {
		if (max_line)
			fail(p, max_line, "max_pad_c = %g must be above min_pad_c (%g)", s->max_pad_c, s->min_pad_c);
		else
			fail(p, first_line(min_line, hdr, 0), "min_pad_c = %g must be below max_pad_c (%g)",
			     s->min_pad_c, s->max_pad_c);
	}

	if (s->start_max_heatsink_c > s->max_heatsink_c) {
		int line = line_of(ss, CONFIG_SAFETY, "start_max_heatsink_c");

		if (line)
			fail(p, line, "start_max_heatsink_c = %g is above max_heatsink_c (%g)",
			     s->start_max_heatsink_c, s->max_heatsink_c);
		else
			fail(p, first_line(line_of(ss, CONFIG_SAFETY, "max_heatsink_c"), hdr, 0),
			     "max_heatsink_c = %g is below start_max_heatsink_c (%g)",
			     s->max_heatsink_c, s->start_max_heatsink_c);
	}

	/* A session's budget is part of the day's. */
	if (c->dose.heat_dose_min > c->dose.heat_dose_day_min)
		fail(p, first_line(line_of(ss, CONFIG_SAFETY, "heat_dose_min"),
				   line_of(ss, CONFIG_SAFETY, "heat_dose_day_min"), hdr),
		     "heat_dose_min = %g is above heat_dose_day_min (%g)", c->dose.heat_dose_min,
		     c->dose.heat_dose_day_min);
	if (c->dose.cold_min > c->dose.cold_day_min)
		fail(p, first_line(line_of(ss, CONFIG_SAFETY, "cold_min"), line_of(ss, CONFIG_SAFETY, "cold_day_min"),
				   hdr),
		     "cold_min = %g is above cold_day_min (%g)", c->dose.cold_min, c->dose.cold_day_min);

	/* A tick may come a period late without tripping loop-overrun. */
	if (s->overrun_s < two_periods_s - 1e-9) {
		int line = line_of(ss, CONFIG_SAFETY, "overrun_s");

		if (line)
			fail(p, line, "overrun_s = %g is less than 2 control periods (%g s at control_hz = %g)",
			     s->overrun_s, two_periods_s, c->daemon.control_hz);
		else
			fail(p, first_line(line_of(&p->daemon, CONFIG_DAEMON, "control_hz"), hdr, 0),
			     "control_hz = %g makes 2 control periods (%g s) longer than overrun_s (%g)",
			     c->daemon.control_hz, two_periods_s, s->overrun_s);
	}

	/* A charge pump needs a line to pump. */
	if (c->power_mode == POWER_MODE_CHARGE_PUMP && !c->power_line[0])
		fail(p, first_line(line_of(ss, CONFIG_SAFETY, "power_mode"), hdr, 0),
		     "power_mode = charge-pump needs the power line (power = GPIOn): the wave has no line to run on");
	/* Last: at the same line, the plainer complaint above is the one a person sees first. */
	check_envelope(p);
}

static void check_programs(struct parse *p)
{
	const struct config *c = p->cfg;
	const struct safety_params *s = &c->safety;
	int max_line = first_line(line_of(&p->safety, CONFIG_SAFETY, "max_pad_c"), p->safety.header_line, 0);
	int min_line = first_line(line_of(&p->safety, CONFIG_SAFETY, "min_pad_c"), p->safety.header_line, 0);

	for (int i = 0; i < c->n_programs; i++) {
		const struct program *pr = &c->programs[i];
		const struct seen *ps = &p->program[i];
		int hdr = ps->header_line;
		int warm_line = line_of(ps, CONFIG_PROGRAM, "warm_c");
		int cool_line = line_of(ps, CONFIG_PROGRAM, "cool_c");
		char title[TITLE_LEN];
		double planned_s;

		if (i == 0)
			snprintf(title, sizeof(title), "[program]");
		else
			snprintf(title, sizeof(title), "[program %s]", pr->name);

		if (pr->warm_c <= pr->cool_c)
			fail(p, first_line(warm_line, cool_line, hdr), "warm_c = %g must be above cool_c (%g) in %s",
			     pr->warm_c, pr->cool_c, title);
		if (pr->warm_c > s->max_pad_c - SETPOINT_MARGIN_C + 1e-9)
			fail(p, first_line(warm_line, hdr, max_line),
			     "warm_c = %g is less than %.1f C below max_pad_c (%.1f) in %s",
			     pr->warm_c, SETPOINT_MARGIN_C, s->max_pad_c, title);
		if (pr->cool_c < s->min_pad_c + SETPOINT_MARGIN_C - 1e-9)
			fail(p, first_line(cool_line, hdr, min_line),
			     "cool_c = %g is less than %.1f C above min_pad_c (%.1f) in %s",
			     pr->cool_c, SETPOINT_MARGIN_C, s->min_pad_c, title);

		planned_s = program_planned_s(pr);
		if (planned_s > HARD_MAX_SESSION_S) {
			double nominal_s = program_nominal_s(pr);
			int n = program_phase_count(pr);

			if (pr->clock == PHASE_CLOCK_SETTLED)
				fail(p, hdr, "%s: the program may run %.0f s (%d phases of %.0f s in all, and up to "
				     "%d x %.0f s (settle_max_s) waiting for the pads to settle), above the hard "
				     "limit of %.0f s", title, planned_s, n, nominal_s, n, pr->settle_max_s,
				     HARD_MAX_SESSION_S);
			else
				fail(p, hdr, "%s: the program runs %.0f s (%d phases of %.0f s in all), above the "
				     "hard limit of %.0f s", title, planned_s, n, nominal_s, HARD_MAX_SESSION_S);
		}
	}
}

static void check_zones(struct parse *p)
{
	const struct config *c = p->cfg;

	for (int i = 0; i < c->n_zones; i++) {
		const struct config_zone *z = &c->zones[i];
		const struct seen *zs = &p->zone[i];
		char title[TITLE_LEN];

		snprintf(title, sizeof(title), "[zone %s]", z->name);
		check_required(p, zs, CONFIG_ZONE, title);
		if (z->pid.deadband >= z->pid.max_duty) {
			int line = line_of(zs, CONFIG_ZONE, "deadband");

			if (line)
				fail(p, line, "deadband = %g must be below max_duty (%g)", z->pid.deadband,
				     z->pid.max_duty);
			else
				fail(p, first_line(line_of(zs, CONFIG_ZONE, "max_duty"), zs->header_line, 0),
				     "max_duty = %g must be above deadband (%g)", z->pid.max_duty, z->pid.deadband);
		}
	}
	if (c->n_zones == 0)
		fail(p, 0, "no [zone NAME] section");
}

/* One use of a line or a sensor, for the checks that nothing is used twice. */
struct use {
	char spec[LINE_SPEC_LEN + SENSOR_SPEC_LEN];     /* normalised line spec, or sensor spec */
	const char *written;    /* as written */
	const char *key;
	char owner[TITLE_LEN];
	int line;
	bool is_pad;            /* sensors: a pad sensor may not be shared */
};

static void add_use(struct use *u, int *n, const char *written, const char *key, const char *owner,
		    int line, bool is_line_spec, bool is_pad)
{
	struct use *e;

	if (written[0] == '\0' || line == 0)
		return;
	e = &u[(*n)++];
	if (is_line_spec)
		check_line_spec(written, e->spec, sizeof(e->spec));
	else
		snprintf(e->spec, sizeof(e->spec), "%s", written);
	e->written = written;
	e->key = key;
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
	e->line = line;
	e->is_pad = is_pad;
}

static void check_uses(struct parse *p, const struct use *u, int n, bool sensors)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			const struct use *a = &u[i], *b = &u[j];

			/* b is the later use; report it, naming a. */
			if (a->line >= b->line || strcmp(a->spec, b->spec) != 0)
				continue;
			if (sensors && !a->is_pad && !b->is_pad)
				continue;       /* one heatsink sensor may serve several zones */
			fail(p, b->line, "%s = %s is already used by %s in %s at line %d%s", b->key, b->written,
			     a->key, a->owner, a->line, sensors ? " (a pad sensor cannot be shared)" : "");
		}
	}
}

static void check_lines_and_sensors(struct parse *p)
{
	static const char *const line_keys[] = { "heat", "cool", "enable", "fan" };
	static const char *const sensor_keys[] = { "pad_sensor", "pad_sensor2", "heatsink_sensor" };
	const struct config *c = p->cfg;
	struct use lines[MAX_ZONES * 4 + 3];
	struct use sensors[MAX_ZONES * 3];
	int n_lines = 0, n_sensors = 0;

	for (int i = 0; i < c->n_zones; i++) {
		const struct config_zone *z = &c->zones[i];
		const char *const line_vals[] = { z->heat, z->cool, z->enable, z->fan };
		const char *const sensor_vals[] = { z->pad_sensor, z->pad_sensor2, z->heatsink_sensor };
		char title[TITLE_LEN];

		snprintf(title, sizeof(title), "[zone %s]", z->name);
		for (int k = 0; k < 4; k++)
			add_use(lines, &n_lines, line_vals[k], line_keys[k], title,
				line_of(&p->zone[i], CONFIG_ZONE, line_keys[k]), true, false);
		for (int k = 0; k < 3; k++)
			add_use(sensors, &n_sensors, sensor_vals[k], sensor_keys[k], title,
				line_of(&p->zone[i], CONFIG_ZONE, sensor_keys[k]), false, k < 2);
	}
	add_use(lines, &n_lines, c->power_line, "power", "[safety]",
		line_of(&p->safety, CONFIG_SAFETY, "power"), true, false);
	add_use(lines, &n_lines, c->button.line, "line", "[button]",
		line_of(&p->button, CONFIG_BUTTON, "line"), true, false);
	add_use(lines, &n_lines, c->button.led, "led", "[button]",
		line_of(&p->button, CONFIG_BUTTON, "led"), true, false);
	check_uses(p, lines, n_lines, false);
	check_uses(p, sensors, n_sensors, true);
}

static void finish(struct parse *p)
{
	struct config *c = p->cfg;

	c->button.present = p->button.header_line != 0;
	check_required(p, &p->button, CONFIG_BUTTON, "[button]");
	check_thermistor(p);
	check_safety(p);
	check_programs(p);
	check_zones(p);
	check_lines_and_sensors(p);
}

/* --- Entry points ---------------------------------------------------------- */

static int run(struct parse *p)
{
	int rc;

	config_defaults(p->cfg);
	if (strlen(p->name) >= sizeof(p->cfg->path)) {
		fail(p, 0, "the file name is longer than %zu characters", sizeof(p->cfg->path) - 1);
		return -1;
	}
	strcpy(p->cfg->path, p->name);

	rc = ini_parse_stream(read_line, p, handle_key, p);
	/* inih's own complaint (a line that is neither [section] nor key = value), if first. */
	if (rc > 0)
		fail(p, rc, "expected key = value or [section]");
	else if (rc < 0)
		fail(p, 0, "the INI parser failed (%d)", rc);
	if (p->report) {
		/* Lenient: the lines are in; the whole-file checks are not its business. */
		p->cfg->button.present = p->button.header_line != 0;
		return p->n_reported;
	}
	if (!p->failed)
		finish(p);
	return p->failed ? -1 : 0;
}

static void parse_init(struct parse *p, const char *name, struct config *out, struct config_error *err)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->cfg = out;
	p->err = err;
	p->fd = -1;
	p->cur = -1;
	err->msg[0] = '\0';
}

int config_parse_string(const char *text, const char *name_for_messages,
			struct config *out, struct config_error *err)
{
	struct parse p;

	parse_init(&p, name_for_messages ? name_for_messages : "(config)", out, err);
	p.str = text ? text : "";
	return run(&p);
}

/*
 * Open a configuration file: a regular file of at most CONFIG_FILE_MAX
 * bytes. O_NONBLOCK so that a FIFO or a device cannot block the open;
 * the reads of a regular file never block either way.
 */
static int open_config(struct parse *p, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		fail(p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		fail(p, 0, "cannot open: fstat: %s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		fail(p, 0, "not a regular file (%s)", S_ISDIR(st.st_mode) ? "a directory" :
			   S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ? "a character device" :
			   S_ISBLK(st.st_mode) ? "a block device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	} else if (st.st_size > CONFIG_FILE_MAX) {
		fail(p, 0, "%lld bytes, larger than %d bytes: not a configuration file",
		     (long long)st.st_size, CONFIG_FILE_MAX);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

int config_load(const char *path, struct config *out, struct config_error *err)
{
	struct parse p;
	int fd, rc;

	parse_init(&p, path, out, err);
	fd = open_config(&p, path);
	if (fd < 0)
		return -1;
	p.fd = fd;
	rc = run(&p);
	close(fd);
	return rc;
}

int config_load_lenient(const char *path, struct config *out, config_report_fn report, void *arg)
{
	struct config_error err;
	struct parse p;
	int fd, rc;

	parse_init(&p, path, out, &err);
	p.report = report;
	p.report_arg = arg;
	config_defaults(out);
	fd = open_config(&p, path);
	if (fd < 0)
		return p.n_reported;
	p.fd = fd;
	rc = run(&p);
	close(fd);
	return rc;
}
