/* SPDX-License-Identifier: MIT */
/* One whole JSON value, checked. See json_valid.h. */
#include <string.h>
#include "lib/json_valid.h"

struct scan {
	const char *s;
	size_t len, pos;
};

static void skip_blanks(struct scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos] != '\0')
		sc->pos++;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* At the opening quote. */
static bool scan_string(struct scan *sc)
{
	sc->pos++;
	while (sc->pos < sc->len) {
		unsigned char c = (unsigned char)sc->s[sc->pos++];

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (sc->pos >= sc->len)
			return false;
		c = (unsigned char)sc->s[sc->pos++];
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (sc->pos >= sc->len || !is_hex(sc->s[sc->pos++]))
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
			return false;
		}
	}
	return false;
}

static bool scan_digits(struct scan *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && is_digit(sc->s[sc->pos]))
		sc->pos++;
	return sc->pos > start;
}

static bool scan_number(struct scan *sc)
{
	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (sc->pos < sc->len && sc->s[sc->pos] == '0')
		sc->pos++;
	else if (!scan_digits(sc))
		return false;
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (!scan_digits(sc))
			return false;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (!scan_digits(sc))
			return false;
	}
	return true;
}

static bool scan_word(struct scan *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return false;
	sc->pos += n;
	return true;
}

/* A scalar at sc->pos (not an object or array). */
static bool scan_scalar(struct scan *sc)
{
	switch (sc->s[sc->pos]) {
	case '"':
		return scan_string(sc);
	case 't':
		return scan_word(sc, "true");
	case 'f':
		return scan_word(sc, "false");
	case 'n':
		return scan_word(sc, "null");
	default:
		return scan_number(sc);
	}
}

bool json_valid(const char *s, size_t len)
{
	struct scan sc = { .s = s, .len = len, .pos = 0 };
	char stack[JSON_VALID_MAX_DEPTH];       /* '{' or '[' of each open container */
	int depth = 0;

	for (;;) {
		/* A value is expected here. */
		skip_blanks(&sc);
		if (sc.pos >= sc.len)
			return false;
		char c = sc.s[sc.pos];

		if (c == '{' || c == '[') {
			if (depth == JSON_VALID_MAX_DEPTH)
				return false;
			stack[depth++] = c;
			sc.pos++;
			skip_blanks(&sc);
			if (sc.pos < sc.len && sc.s[sc.pos] == (c == '{' ? '}' : ']')) {
				sc.pos++;
				depth--;
				goto after_value;
			}
			if (c == '[')
				continue;
			goto object_key;
		}
		if (!scan_scalar(&sc))
			return false;
after_value:
		/* A value ended: what may follow depends on where it is. */
		skip_blanks(&sc);
		if (depth == 0)
			return sc.pos == sc.len;
		if (sc.pos >= sc.len)
			return false;
		c = sc.s[sc.pos++];
		if (c == (stack[depth - 1] == '{' ? '}' : ']')) {
			depth--;
			goto after_value;
		}
		if (c != ',')
			return false;
		if (stack[depth - 1] == '[')
			continue;
object_key:
		skip_blanks(&sc);
		if (sc.pos >= sc.len || sc.s[sc.pos] != '"' || !scan_string(&sc))
			return false;
		skip_blanks(&sc);
		if (sc.pos >= sc.len || sc.s[sc.pos++] != ':')
			return false;
	}
}
