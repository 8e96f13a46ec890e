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
