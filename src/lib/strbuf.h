/* SPDX-License-Identifier: MIT */
/* Appending formatted text to a fixed buffer, never past its end. */
#ifndef CONTRASTD_STRBUF_H
#define CONTRASTD_STRBUF_H

#include <stddef.h>

/*
 * Append to buf (len > 0, NUL-terminated at *pos) what printf would write;
 * *pos advances and never passes len - 1, so a long text is cut, not
 * overrun.
 */
void strbuf_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Copy in to out (out_len bytes with the NUL), every byte below 0x20 and
 * 0x7f written as \xNN, so that a message echoing a file or a peer cannot
 * drive a terminal (an escape sequence) or forge a line of the log (a
 * newline). Cut short to fit.
 */
void strbuf_escape_controls(const char *in, char *out, size_t out_len);

#endif
