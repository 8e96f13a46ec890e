/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lib/json_out.h"

void json_out_init(struct json_out *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->overflow = cap == 0;
	j->comma = false;
	if (cap)
		buf[0] = '\0';
}

static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->overflow)
		return;
	if (j->len + n + 1 > j->cap) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_str(struct json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Before a key or a value: the comma the previous member needs. */
static void sep(struct json_out *j)
{
	if (j->comma)
		put(j, ",", 1);
}

static void put_escaped(struct json_out *j, const char *s)
{
	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			put(j, esc, 2);
		} else if (ch == '\n') {
			put(j, "\\n", 2);
		} else if (ch == '\t') {
			put(j, "\\t", 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			put(j, esc, 6);
		} else {
			put(j, (const char *)&ch, 1);
		}
	}
	put(j, "\"", 1);
}

void json_out_begin_object(struct json_out *j)
{
	sep(j);
	put(j, "{", 1);
	j->comma = false;
}

void json_out_end_object(struct json_out *j)
{
	put(j, "}", 1);
	j->comma = true;
}

void json_out_begin_array(struct json_out *j)
{
	sep(j);
	put(j, "[", 1);
	j->comma = false;
}

void json_out_end_array(struct json_out *j)
{
	put(j, "]", 1);
	j->comma = true;
}

void json_out_key(struct json_out *j, const char *key)
{
	sep(j);
	put_escaped(j, key);
	put(j, ":", 1);
	j->comma = false;
}

void json_out_string(struct json_out *j, const char *s)
{
	sep(j);
	if (s)
		put_escaped(j, s);
	else
		put_str(j, "null");
	j->comma = true;
}

void json_out_number(struct json_out *j, double v, int decimals)
{
	char num[64];

	sep(j);
	if (!isfinite(v)) {
		put_str(j, "null");
	} else {
		/* -0.00 reads oddly in a status; print 0. */
		if (fabs(v) < 0.5 * pow(10.0, -decimals))
			v = 0.0;
		snprintf(num, sizeof(num), "%.*f", decimals, v);
		put_str(j, num);
	}
	j->comma = true;
}

void json_out_int(struct json_out *j, long v)
{
	char num[32];

	sep(j);
	snprintf(num, sizeof(num), "%ld", v);
	put_str(j, num);
	j->comma = true;
}

void json_out_bool(struct json_out *j, bool v)
{
	sep(j);
	put_str(j, v ? "true" : "false");
	j->comma = true;
}

void json_out_null(struct json_out *j)
{
	sep(j);
	put_str(j, "null");
	j->comma = true;
}

void json_out_raw_value(struct json_out *j, const char *json, size_t len)
{
	sep(j);
	put(j, json, len);
	j->comma = true;
}
