/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader for contrastctl: parses one reply line into a fixed
 * array of nodes (no allocation) and looks values up by key. Enough for
 * the daemon's replies (docs/control.md); not a general library:
 *  - at most JSON_MAX_NODES values and JSON_MAX_DEPTH levels of nesting;
 *  - object keys are compared as written (the daemon's keys have no
 *    escapes);
 *  - \uXXXX escapes in strings become UTF-8 (surrogate pairs joined).
 */
#ifndef CONTRASTCTL_JSON_H
#define CONTRASTCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_NODES  8192
#define JSON_MAX_DEPTH  32

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_node {
	enum json_type type;
	const char *key;        /* member of an object: the key as written (no quotes), else NULL */
	size_t key_len;
	const char *text;       /* the value's text; a string's without its quotes, still escaped */
	size_t len;
	double number;          /* JSON_NUMBER */
	bool boolean;           /* JSON_BOOL */
	int first_child;        /* array or object: index of the first member, -1 when empty */
	int next;               /* index of the next member of the same parent, -1 at the end */
};

struct json_doc {
	int n;                  /* nodes used; node[0] is the root */
	struct json_node node[JSON_MAX_NODES];
	char error[128];        /* why json_parse failed */
};

/* Parse text[0..len). Returns 0, or -1 with d->error set ("at byte 12: expected ':'"). */
int json_parse(struct json_doc *d, const char *text, size_t len);

/* The root value, or NULL before a successful parse. */
const struct json_node *json_root(const struct json_doc *d);

/* obj's member named key, or NULL (also when obj is NULL or not an object). */
const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj, const char *key);

/* An array's or object's first member and the one after n; NULL at the end. */
const struct json_node *json_first(const struct json_doc *d, const struct json_node *n);
const struct json_node *json_next(const struct json_doc *d, const struct json_node *n);

/* Members of an array or object (0 for anything else or NULL). */
int json_count(const struct json_doc *d, const struct json_node *n);

/* True for NULL (absent) and for null. */
bool json_is_null(const struct json_node *n);

/* The number, or fallback when n is absent, null or not a number. */
double json_number(const struct json_node *n, double fallback);

/* The boolean, or fallback. */
bool json_bool(const struct json_node *n, bool fallback);

/*
 * The string unescaped into buf (always NUL-terminated), or fallback
 * when n is absent, null or not a string. Returns buf.
 */
const char *json_string(const struct json_node *n, const char *fallback, char *buf, size_t len);

#endif
