/* SPDX-License-Identifier: MIT */
/* A small JSON reader. See json.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

struct parser {
	struct json_doc *d;
	const char *s;
	size_t len;
	size_t pos;
};

static int parse_error(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int parse_error(struct parser *p, const char *fmt, ...)
{
	char what[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->d->error, sizeof(p->d->error), "at byte %zu: %s", p->pos + 1, what);
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int new_node(struct parser *p, enum json_type type)
{
	if (p->d->n >= JSON_MAX_NODES)
		return parse_error(p, "more than %d values", JSON_MAX_NODES);
	int i = p->d->n++;
	struct json_node *n = &p->d->node[i];

	memset(n, 0, sizeof(*n));
	n->type = type;
	n->first_child = -1;
	n->next = -1;
	return i;
}

/* A string starting at the opening quote: sets start and len to its escaped body. */
static int scan_string(struct parser *p, const char **start, size_t *len)
{
	size_t begin = ++p->pos;

	while (p->pos < p->len) {
		unsigned char ch = (unsigned char)p->s[p->pos];

		if (ch == '"') {
			*start = p->s + begin;
			*len = p->pos - begin;
			p->pos++;
			return 0;
		}
		if (ch < 0x20)
			return parse_error(p, "control character in a string");
		if (ch == '\\') {
			if (p->pos + 1 >= p->len)
				break;
			char e = p->s[p->pos + 1];

			if (e == 'u') {
				for (int i = 2; i < 6; i++) {
					if (p->pos + (size_t)i >= p->len ||
					    !strchr("0123456789abcdefABCDEF", p->s[p->pos + (size_t)i]) ||
					    p->s[p->pos + (size_t)i] == '\0')
						return parse_error(p, "bad \\u escape");
				}
				p->pos += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0')
				return parse_error(p, "bad escape \\%c", e);
			p->pos += 2;
			continue;
		}
		p->pos++;
	}
	return parse_error(p, "unterminated string");
}

static int parse_value(struct parser *p, int depth);

static int parse_container(struct parser *p, int self, int depth, bool object)
{
	char close = object ? '}' : ']';
	int prev = -1;

	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t key_len = 0;

		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return parse_error(p, "expected a key");
			if (scan_string(p, &key, &key_len) < 0)
				return -1;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return parse_error(p, "expected ':'");
			p->pos++;
			skip_ws(p);
		}
		int child = parse_value(p, depth + 1);

		if (child < 0)
			return -1;
		p->d->node[child].key = key;
		p->d->node[child].key_len = key_len;
		if (prev < 0)
			p->d->node[self].first_child = child;
		else
			p->d->node[prev].next = child;
		prev = child;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return parse_error(p, "expected ',' or '%c'", close);
	}
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos >= n && memcmp(p->s + p->pos, word, n) == 0) {
		p->pos += n;
		return true;
	}
	return false;
}

/* Returns the new node's index, or -1. */
static int parse_value(struct parser *p, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return parse_error(p, "nested deeper than %d", JSON_MAX_DEPTH);
	skip_ws(p);
	if (p->pos >= p->len)
		return parse_error(p, "expected a value");

	char ch = p->s[p->pos];
	size_t begin = p->pos;
	int i;

	if (ch == '{' || ch == '[') {
		i = new_node(p, ch == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (i < 0 || parse_container(p, i, depth, ch == '{') < 0)
			return -1;
	} else if (ch == '"') {
		i = new_node(p, JSON_STRING);
		if (i < 0 || scan_string(p, &p->d->node[i].text, &p->d->node[i].len) < 0)
			return -1;
		return i;
	} else if (literal(p, "true") || literal(p, "false")) {
		i = new_node(p, JSON_BOOL);
		if (i < 0)
			return -1;
		p->d->node[i].boolean = ch == 't';
	} else if (literal(p, "null")) {
		i = new_node(p, JSON_NULL);
		if (i < 0)
			return -1;
	} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
		char num[64];
		size_t n = 0;

		while (p->pos < p->len && n < sizeof(num) - 1 && strchr("+-.eE0123456789", p->s[p->pos]) &&
		       p->s[p->pos] != '\0')
			num[n++] = p->s[p->pos++];
		num[n] = '\0';
		char *end;

		errno = 0;
		double v = strtod(num, &end);

		if (*end || errno == ERANGE) {
			p->pos = begin;
			return parse_error(p, "bad number");
		}
		i = new_node(p, JSON_NUMBER);
		if (i < 0)
			return -1;
		p->d->node[i].number = v;
	} else {
		return parse_error(p, "unexpected '%c'", ch);
	}
	p->d->node[i].text = p->s + begin;
	p->d->node[i].len = p->pos - begin;
	return i;
}

int json_parse(struct json_doc *d, const char *text, size_t len)
{
	struct parser p = { .d = d, .s = text, .len = len, .pos = 0 };

	d->n = 0;
	d->error[0] = '\0';
	if (parse_value(&p, 0) < 0) {
		d->n = 0;
		return -1;
	}
	skip_ws(&p);
	if (p.pos != len) {
		parse_error(&p, "text after the value");
		d->n = 0;
		return -1;
	}
	return 0;
}

const struct json_node *json_root(const struct json_doc *d)
{
	return d->n > 0 ? &d->node[0] : NULL;
}

const struct json_node *json_first(const struct json_doc *d, const struct json_node *n)
{
	if (!n || (n->type != JSON_ARRAY && n->type != JSON_OBJECT) || n->first_child < 0)
		return NULL;
	return &d->node[n->first_child];
}

const struct json_node *json_next(const struct json_doc *d, const struct json_node *n)
{
	if (!n || n->next < 0)
		return NULL;
	return &d->node[n->next];
}

const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj, const char *key)
{
	size_t klen = strlen(key);

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json_node *m = json_first(d, obj); m; m = json_next(d, m))
		if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
			return m;
	return NULL;
}

int json_count(const struct json_doc *d, const struct json_node *n)
{
	int count = 0;

	for (const struct json_node *m = json_first(d, n); m; m = json_next(d, m))
		count++;
	return count;
}

bool json_is_null(const struct json_node *n)
{
	return !n || n->type == JSON_NULL;
}

double json_number(const struct json_node *n, double fallback)
{
	return n && n->type == JSON_NUMBER ? n->number : fallback;
}

bool json_bool(const struct json_node *n, bool fallback)
{
	return n && n->type == JSON_BOOL ? n->boolean : fallback;
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
					c - 'A' + 10);
	}
	return v;
}

/* Put one code point as UTF-8; false when it does not fit. */
static bool put_utf8(char *buf, size_t len, size_t *o, unsigned cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*o + n >= len)
		return false;
	memcpy(buf + *o, tmp, n);
	*o += n;
	return true;
}

const char *json_string(const struct json_node *n, const char *fallback, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return fallback;
	if (!n || n->type != JSON_STRING) {
		snprintf(buf, len, "%s", fallback ? fallback : "");
		return buf;
	}
	for (size_t i = 0; i < n->len; i++) {
		char ch = n->text[i];

		if (ch != '\\') {
			if (o + 1 >= len)
				break;
			buf[o++] = ch;
			continue;
		}
		char e = n->text[++i];
		unsigned cp;

		switch (e) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = hex4(n->text + i + 1);
			i += 4;
			/* A high surrogate followed by a low one is one code point. */
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n->len && n->text[i + 1] == '\\' &&
			    n->text[i + 2] == 'u') {
				unsigned lo = hex4(n->text + i + 3);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			break;
		default: cp = (unsigned char)e; break;
		}
		if (!put_utf8(buf, len, &o, cp))
			break;
	}
	buf[o] = '\0';
	return buf;
}
