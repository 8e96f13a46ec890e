/* SPDX-License-Identifier: MIT */
/*
 * What a GPIO line is whatever libgpiod is underneath (gpio_lines.h): its
 * record, how it is named in messages, an output opened in one step,
 * whether two specs are one line, how a spec names a chip and offset, and
 * the checks and bookkeeping around each set, get and request
 * (gpio_line_impl.h). Linked with either adapter (gpio_lines_v1.c,
 * gpio_lines_v2.c) and with the tests' fake lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "gpio_line_impl.h"
#include "gpio_lines.h"

void gpio_line_init(struct gpio_line *l)
{
	memset(l, 0, sizeof(*l));
	l->value = -1;
}

void gpio_line_where(const struct gpio_line *l, char *buf, size_t len)
{
	if (l->lib)
		snprintf(buf, len, "%s (%s:%u)", l->spec, l->chip_name, l->offset);
	else
		snprintf(buf, len, "%s", l->spec);
}

int gpio_output_open(struct gpio_line *l, const char *role, const char *spec, bool active_low,
		     char *err, size_t err_len)
{
	if (gpio_line_find(l, role, spec, err, err_len) < 0)
		return -1;
	if (gpio_line_request_output(l, active_low, err, err_len) < 0) {
		gpio_line_close(l);
		return -1;
	}
	return 0;
}

bool gpio_line_same(const struct gpio_line *a, const struct gpio_line *b)
{
	return a->lib && b->lib && a->offset == b->offset && strcmp(a->chip_name, b->chip_name) == 0;
}

/* Split "CHIP:OFFSET"; false when spec is a line name. */
bool gpio_spec_chip_offset(const char *spec, char *chip, size_t chip_len, unsigned long *offset)
{
	const char *colon = strrchr(spec, ':');
	char *end;

	if (!colon || colon == spec || colon[1] == '\0')
		return false;
	errno = 0;
	*offset = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || errno)
		return false;
	snprintf(chip, chip_len, "%.*s", (int)(colon - spec), spec);
	return true;
}

int gpio_line_set(struct gpio_line *l, bool active)
{
	if (!l->requested || !l->output) {
		errno = EBADF;
		return -1;
	}
	if (gpio_line_raw_set(l, active) < 0) {
		l->value = -1;          /* unknown: the next write goes out whatever it is */
		return -1;
	}
	l->value = active ? 1 : 0;
	return 0;
}

int gpio_line_get(struct gpio_line *l)
{
	if (!l->requested) {
		errno = EBADF;
		return -1;
	}
	return gpio_line_raw_get(l);
}

void gpio_line_mark_requested(struct gpio_line *l, bool output, bool active_low)
{
	l->requested = true;
	l->output = output;
	l->active_low = active_low;
	l->value = output ? 0 : -1;
}

void gpio_line_request_error(const struct gpio_line *l, const char *as, int e, bool used, const char *holder,
			     char *err, size_t err_len)
{
	char where[128];

	gpio_line_where(l, where, sizeof(where));
	if (e == EBUSY && used && holder && holder[0])
		snprintf(err, err_len, "%s: %s: cannot request it as %s: %s (errno %d): held by \"%s\"", l->role,
			 where, as, strerror(e), e, holder);
	else if (e == EBUSY && used)
		snprintf(err, err_len, "%s: %s: cannot request it as %s: %s (errno %d): used by the kernel or a "
			 "process that gave no label", l->role, where, as, strerror(e), e);
	else
		snprintf(err, err_len, "%s: %s: cannot request it as %s: %s (errno %d)", l->role, where, as,
			 strerror(e), e);
}

void gpio_line_no_bias_notice(const struct gpio_line *l, bool active_low)
{
	char where[128];

	gpio_line_where(l, where, sizeof(where));
	log_notice("%s: %s: the kernel cannot set a pull-%s: the board's resistor must hold the line", l->role,
		   where, active_low ? "up" : "down");
}

void gpio_line_inactive_for_release(struct gpio_line *l)
{
	char where[128];

	if (!l->requested || !l->output || l->value == 0 || gpio_line_raw_set(l, false) == 0)
		return;
	gpio_line_where(l, where, sizeof(where));
	log_err("%s: %s: writing it inactive before release: %s", l->role, where, strerror(errno));
}

void gpio_line_mark_closed(struct gpio_line *l)
{
	l->lib = NULL;
	l->requested = false;
	l->output = false;
	l->value = -1;
}

int gpio_line_edge_fd(struct gpio_line *l)
{
	int fd = gpio_line_event_fd(l);

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return fd;
}
