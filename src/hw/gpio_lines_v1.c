/* SPDX-License-Identifier: MIT */
/* GPIO lines through libgpiod 1.x (the v1 uAPI). See gpio_lines.h. */
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "gpio_line_impl.h"
#include "gpio_lines.h"

struct gpio_line_lib {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

const char *gpio_lines_library(void)
{
	static char name[48];

	if (!name[0])
		snprintf(name, sizeof(name), "libgpiod %s", gpiod_version_string());
	return name;
}

/* The chips this machine has, "gpiochip0, gpiochip1", for messages. */
static void list_chips(char *buf, size_t len)
{
	struct dirent **names;
	int n = scandir("/dev", &names, NULL, alphasort);
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strncmp(names[i]->d_name, "gpiochip", 8) == 0 && used + 1 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	if (buf[0] == '\0')
		snprintf(buf, len, "none: there is no /dev/gpiochip*");
}

/* The chip and line are open: keep them, and what messages need. */
static int fill_found(struct gpio_line *l, struct gpiod_chip *chip, struct gpiod_line *line,
		      char *err, size_t err_len)
{
	const char *name = gpiod_chip_name(chip);
	const char *label = gpiod_chip_label(chip);

	l->lib = malloc(sizeof(*l->lib));
	if (!l->lib) {
		snprintf(err, err_len, "%s: %s: out of memory", l->role, l->spec);
		gpiod_chip_close(chip);
		return -1;
	}
	l->lib->chip = chip;
	l->lib->line = line;
	snprintf(l->chip_name, sizeof(l->chip_name), "%s", name ? name : "?");
	snprintf(l->chip_label, sizeof(l->chip_label), "%s", label ? label : "");
	l->offset = gpiod_line_offset(line);
	return 0;
}

int gpio_line_find(struct gpio_line *l, const char *role, const char *spec, char *err, size_t err_len)
{
	char chip_spec[LINE_SPEC_LEN], chips[256];
	unsigned long offset;

	gpio_line_init(l);
	snprintf(l->role, sizeof(l->role), "%s", role);
	snprintf(l->spec, sizeof(l->spec), "%s", spec);

	if (gpio_spec_chip_offset(spec, chip_spec, sizeof(chip_spec), &offset)) {
		errno = 0;
		struct gpiod_chip *chip = gpiod_chip_open_lookup(chip_spec);

		if (!chip) {
			int e = errno ? errno : ENOENT;

			list_chips(chips, sizeof(chips));
			if (e == ENOENT || e == ENODEV)
				snprintf(err, err_len, "%s: %s: no GPIO chip '%s' (chips: %s)", role, spec,
					 chip_spec, chips);
			else
				snprintf(err, err_len, "%s: %s: cannot open GPIO chip '%s': %s (errno %d)", role,
					 spec, chip_spec, strerror(e), e);
			return -1;
		}
		unsigned int n = gpiod_chip_num_lines(chip);
		const char *chip_name = gpiod_chip_name(chip);

		if (offset >= n) {
			snprintf(err, err_len, "%s: %s: %s has %u lines (offsets 0..%u), no offset %lu", role, spec,
				 chip_name ? chip_name : chip_spec, n, n ? n - 1 : 0, offset);
			gpiod_chip_close(chip);
			return -1;
		}
		errno = 0;
		struct gpiod_line *line = gpiod_chip_get_line(chip, (unsigned int)offset);

		if (!line) {
			int e = errno ? errno : EIO;

			snprintf(err, err_len, "%s: %s: cannot get line %lu of %s: %s (errno %d)", role, spec,
				 offset, chip_name ? chip_name : chip_spec, strerror(e), e);
			gpiod_chip_close(chip);
			return -1;
		}
		l->by_offset = true;
		return fill_found(l, chip, line, err, err_len);
	}

	errno = 0;
	struct gpiod_line *line = gpiod_line_find(spec);

	if (!line) {
		int e = errno ? errno : ENOENT;

		list_chips(chips, sizeof(chips));
		if (e == ENOENT)
			snprintf(err, err_len, "%s: %s: no GPIO line by that name on any chip (chips: %s)", role,
				 spec, chips);
		else
			snprintf(err, err_len, "%s: %s: searching the GPIO chips for a line by that name: %s "
				 "(errno %d; chips: %s)", role, spec, strerror(e), e, chips);
		return -1;
	}
	/* gpiod_line_find opened the line's chip: it is ours to close. */
	return fill_found(l, gpiod_line_get_chip(line), line, err, err_len);
}

/* A request failed with errno e: the message, with who holds a busy line as its info says now. */
static void request_error(struct gpio_line *l, const char *as, int e, char *err, size_t err_len)
{
	bool used = e == EBUSY && gpiod_line_update(l->lib->line) == 0 && gpiod_line_is_used(l->lib->line);

	gpio_line_request_error(l, as, e, used, used ? gpiod_line_consumer(l->lib->line) : NULL, err, err_len);
}

int gpio_line_request_output(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	/* default_val is logical: 0 is inactive whatever the polarity. */
	if (gpiod_line_request_output_flags(l->lib->line, GPIO_CONSUMER, flags, 0) < 0) {
		request_error(l, "an output", errno, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, true, active_low);
	return 0;
}

int gpio_line_request_events(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP
		: GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	int rc = gpiod_line_request_both_edges_events_flags(l->lib->line, GPIO_CONSUMER, flags);

	if (rc < 0 && errno == EINVAL) {
		/* Kernels before 5.5 know no bias flags. */
		gpio_line_no_bias_notice(l, active_low);
		flags &= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
		rc = gpiod_line_request_both_edges_events_flags(l->lib->line, GPIO_CONSUMER, flags);
	}
	if (rc < 0) {
		request_error(l, "an input for both edges", errno, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, false, active_low);
	return 0;
}

int gpio_line_request_input(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP
		: GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	int rc = gpiod_line_request_input_flags(l->lib->line, GPIO_CONSUMER, flags);

	if (rc < 0 && errno == EINVAL)
		rc = gpiod_line_request_input_flags(l->lib->line, GPIO_CONSUMER,
						    flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
	if (rc < 0) {
		request_error(l, "an input", errno, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, false, active_low);
	return 0;
}

int gpio_line_raw_set(struct gpio_line *l, bool active)
{
	return gpiod_line_set_value(l->lib->line, active ? 1 : 0);
}

int gpio_line_raw_get(struct gpio_line *l)
{
	return gpiod_line_get_value(l->lib->line);
}

int gpio_line_event_fd(struct gpio_line *l)
{
	if (!l->requested || l->output)
		return -1;
	return gpiod_line_event_get_fd(l->lib->line);
}

int gpio_line_read_edges(struct gpio_line *l, struct gpio_edge *edges, int max)
{
	struct gpiod_line_event ev[16];
	int fd = gpio_line_edge_fd(l);

	if (fd < 0)
		return -1;
	if (max > 16)
		max = 16;
	int n = gpiod_line_event_read_fd_multiple(fd, ev, (unsigned int)max);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (int i = 0; i < n; i++) {
		/* Logical: with ACTIVE_LOW a falling level is a rising edge. */
		edges[i].active = ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		edges[i].ts = ev[i].ts;
	}
	return n;
}

int gpio_line_info(struct gpio_line *l, struct gpio_line_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!l->lib) {
		errno = EBADF;
		return -1;
	}
	if (gpiod_line_update(l->lib->line) < 0)
		return -1;
	const char *name = gpiod_line_name(l->lib->line);
	const char *who = gpiod_line_consumer(l->lib->line);

	snprintf(info->name, sizeof(info->name), "%s", name ? name : "");
	snprintf(info->consumer, sizeof(info->consumer), "%s", who ? who : "");
	info->used = gpiod_line_is_used(l->lib->line);
	info->is_output = gpiod_line_direction(l->lib->line) == GPIOD_LINE_DIRECTION_OUTPUT;
	info->active_low = gpiod_line_active_state(l->lib->line) == GPIOD_LINE_ACTIVE_STATE_LOW;
	return 0;
}

void gpio_line_close(struct gpio_line *l)
{
	if (l->requested) {
		gpio_line_inactive_for_release(l);
		gpiod_line_release(l->lib->line);
	}
	if (l->lib) {
		gpiod_chip_close(l->lib->chip);
		free(l->lib);
	}
	gpio_line_mark_closed(l);
}

