/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "lib/log.h"

static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_max_level(enum log_level level)
{
	max_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole when stderr is shared. */
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "contrastd: %s\n", line);
	else
		fprintf(stderr, "<%d>%s\n", (int)level, line);
}
