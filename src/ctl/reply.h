/* SPDX-License-Identifier: MIT */
/*
 * Reading contrastd's replies (docs/control.md) with json-c: one strict
 * parse of a reply line, and typed look-ups that give a fallback instead
 * of failing, so a field that is missing, null or of another type prints
 * as "--" or "?" and never as a made-up number.
 *
 * JSON null and a missing member are both "no value" here (json-c gives
 * NULL for both); reply_has() tells them apart.
 */
#ifndef CONTRASTCTL_REPLY_H
#define CONTRASTCTL_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/*
 * Parse text[0..len) as exactly one JSON value (strict RFC 8259: no
 * trailing commas, no comments, nothing but blanks after it). Returns the
 * value (the caller json_object_put()s it), or NULL with why ("at byte
 * 12: unexpected character"). A JSON null parses to NULL with why "".
 */
struct json_object *reply_parse(const char *text, size_t len, char *why, size_t why_len);

/* Whether obj is an object with a member named key (null counts). */
bool reply_has(const struct json_object *obj, const char *key);

/* obj's member key, or NULL when obj is no object, key is missing or null. */
struct json_object *reply_get(const struct json_object *obj, const char *key);

/* The member's string, or fallback when it is missing, null or not a string. */
const char *reply_str(const struct json_object *obj, const char *key, const char *fallback);

/* The member's number, or NAN when it is missing, null or not a number. */
double reply_num(const struct json_object *obj, const char *key);

/* The member's boolean, or fallback when it is missing, null or not a boolean. */
bool reply_bool(const struct json_object *obj, const char *key, bool fallback);

/* Elements of an array (0 for anything else, NULL included); the i-th, or NULL. */
size_t reply_count(const struct json_object *array);
struct json_object *reply_at(const struct json_object *array, size_t i);

#endif
