/* SPDX-License-Identifier: MIT */
/*
 * Is a buffer exactly one JSON value (RFC 8259), whole, with nothing but
 * blanks after it? For readers of files the daemon wrote that a power cut
 * or a full disk may have torn (sessions.jsonl): a line cut short can
 * still end in '}', and only parsing it tells.
 *
 * Strict: no trailing commas, no comments, strings of valid escapes and
 * no raw control characters, numbers as the grammar says, nesting at most
 * JSON_VALID_MAX_DEPTH deep. No allocation, no recursion, no state.
 */
#ifndef CONTRASTD_JSON_VALID_H
#define CONTRASTD_JSON_VALID_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_VALID_MAX_DEPTH 64

bool json_valid(const char *s, size_t len);

#endif
