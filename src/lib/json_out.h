/* SPDX-License-Identifier: MIT */
/*
 * Writing JSON into a fixed buffer: no allocation, never overruns, and
 * says when the text did not fit (the result is then cut short and is not
 * valid JSON: the caller reports an error instead of sending it).
 *
 * Commas are placed for the caller: a key or a value after a finished
 * value gets one, the first member of an object or array does not.
 *
 *   struct json_out j;
 *   json_out_init(&j, buf, sizeof(buf));
 *   json_out_begin_object(&j);
 *   json_out_key(&j, "pad_c"); json_out_number(&j, 37.25, 2);
 *   json_out_end_object(&j);
 *   if (json_out_overflow(&j)) ...
 */
#ifndef CONTRASTD_JSON_OUT_H
#define CONTRASTD_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct json_out {
	char *buf;
	size_t cap;             /* bytes in buf, NUL included */
	size_t len;             /* bytes written, without the NUL */
	bool overflow;          /* something did not fit */
	bool comma;             /* the next key or value needs a comma first */
};

/* cap >= 1; buf is always NUL-terminated afterwards. */
void json_out_init(struct json_out *j, char *buf, size_t cap);

void json_out_begin_object(struct json_out *j);
void json_out_end_object(struct json_out *j);
void json_out_begin_array(struct json_out *j);
void json_out_end_array(struct json_out *j);

/* "key": (the key is escaped like a string). */
void json_out_key(struct json_out *j, const char *key);

/* Values. */
void json_out_string(struct json_out *j, const char *s);       /* NULL writes null */
void json_out_number(struct json_out *j, double v, int decimals); /* NaN/inf write null */
void json_out_int(struct json_out *j, long v);
void json_out_bool(struct json_out *j, bool v);
void json_out_null(struct json_out *j);
/* A value that is JSON text already (e.g. a line read back from sessions.jsonl). */
void json_out_raw_value(struct json_out *j, const char *json, size_t len);

static inline bool json_out_overflow(const struct json_out *j)
{
	return j->overflow;
}

#endif
