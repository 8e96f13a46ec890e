/* SPDX-License-Identifier: MIT */
/*
 * Reading the daemon's JSON back in a test the way contrastctl reads it:
 * json-c, through contrastctl's own reply reader (src/ctl/reply.h), so a
 * test checks the contract between the two programs, not substrings.
 */
#ifndef CONTRASTD_TEST_JSON_READ_H
#define CONTRASTD_TEST_JSON_READ_H

#include "ctl/reply.h"

/* The document last read; json_read() frees it when it reads the next. */
static struct json_object *json_doc;

/* Parse text[0..len) strictly, or fail the test naming why. The result lives until the next call. */
static inline struct json_object *json_read(const char *text, size_t len)
{
	char why[160];

	json_object_put(json_doc);
	json_doc = reply_parse(text, len, why, sizeof(why));
	if (!json_doc)
		fail_msg("not JSON (%s): %.*s", why[0] ? why : "null", (int)len, text);
	return json_doc;
}

#endif
