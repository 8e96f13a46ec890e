/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include "lib/strbuf.h"

void strbuf_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;

	if (*pos >= len - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);

	va_end(ap);
	if (n < 0)
		return;
	*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

void strbuf_escape_controls(const char *in, char *out, size_t out_len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (out_len == 0)
		return;
	for (; *in && o + 1 < out_len; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch != 0x7f) {
			out[o++] = (char)ch;
			continue;
		}
		if (o + 4 >= out_len)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
}
