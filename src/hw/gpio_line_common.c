/* SPDX-License-Identifier: MIT */
/*
 * What a GPIO line is whatever libgpiod is underneath (gpio_lines.h): its
 * record, how it is named in messages, an output opened in one step, and
 * whether two specs are one line, and how a spec names a
 * chip and offset. Linked with either adapter
 * (gpio_lines_v1.c, gpio_lines_v2.c) and with the tests' fake lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
