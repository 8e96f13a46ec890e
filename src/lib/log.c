/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/strbuf.h"

static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_max_level(enum log_level level)
{
	max_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* What a message echoes (a config value, a peer's bytes) stays one line, with no escapes. */
	strbuf_escape_controls(raw, line, sizeof(line));
	/* One write per line keeps lines whole when stderr is shared. */
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "contrastd: %s\n", line);
	else
		fprintf(stderr, "<%d>%s\n", (int)level, line);
}
