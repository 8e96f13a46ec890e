/* SPDX-License-Identifier: MIT */
/* Reading contrastd's replies with json-c. See reply.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "reply.h"

/*
 * What json-c lets through even in strict mode, checked before it reads:
 * a raw control byte in a string, and outside strings anything that is
 * not JSON's (single quotes, comments, NaN, Infinity). Returns the offset
 * of the first bad byte, or len.
 */
static size_t first_non_json_byte(const char *text, size_t len)
{
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (in_string) {
			if (ch < 0x20)
				return i;
			if (escaped)
				escaped = false;
			else if (ch == '\\')
				escaped = true;
			else if (ch == '"')
				in_string = false;
			continue;
		}
		if (ch == '"')
			in_string = true;
		else if (!strchr(" \t\r\n{}[],:-+.0123456789eEtruefalsn", ch) || ch == '\0')
			return i;
	}
	return len;
}

struct json_object *reply_parse(const char *text, size_t len, char *why, size_t why_len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *v;
	enum json_tokener_error e;
	size_t end;

	why[0] = '\0';
	end = first_non_json_byte(text, len);
	if (end < len) {
		json_tokener_free(tok);
		snprintf(why, why_len, "at byte %zu: 0x%02x is not JSON here", end, (unsigned char)text[end]);
		return NULL;
	}
	if (!tok) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	if (len > (size_t)INT32_MAX) {
		json_tokener_free(tok);
		snprintf(why, why_len, "longer than json-c reads");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	v = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* The text is all there: a NUL tells json-c so, which ends a number or a literal. */
		v = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		if (e != json_tokener_continue)
			end = len;
	}
	json_tokener_free(tok);
	if (e == json_tokener_continue) {
		/* The end came in the middle of a value: not an answer that was cut, a broken one. */
		json_object_put(v);
		snprintf(why, why_len, "at byte %zu: the text ends before the value does", len);
		return NULL;
	}
	if (e != json_tokener_success) {
		json_object_put(v);
		snprintf(why, why_len, "at byte %zu: %s", end, json_tokener_error_desc(e));
		return NULL;
	}
	for (size_t i = end; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') {
			json_object_put(v);
			snprintf(why, why_len, "at byte %zu: text after the value", i);
			return NULL;
		}
	}
	return v;
}

bool reply_has(const struct json_object *obj, const char *key)
{
	return json_object_is_type(obj, json_type_object) &&
	       json_object_object_get_ex(obj, key, NULL);
}

struct json_object *reply_get(const struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

const char *reply_str(const struct json_object *obj, const char *key, const char *fallback)
{
	struct json_object *v = reply_get(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : fallback;
}

double reply_num(const struct json_object *obj, const char *key)
{
	struct json_object *v = reply_get(obj, key);

	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	return NAN;
}

bool reply_bool(const struct json_object *obj, const char *key, bool fallback)
{
	struct json_object *v = reply_get(obj, key);

	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : fallback;
}

size_t reply_count(const struct json_object *array)
{
	return json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
}

struct json_object *reply_at(const struct json_object *array, size_t i)
{
	if (i >= reply_count(array))
		return NULL;
	return json_object_array_get_idx(array, i);
}
