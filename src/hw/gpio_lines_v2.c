/* SPDX-License-Identifier: MIT */
/*
 * GPIO lines through libgpiod 2.x (the v2 uAPI). See gpio_lines.h.
 *
 * libgpiod 2 has no line objects and no search by name: a line is a chip
 * and an offset until it is requested, and a request is built from
 * settings and configs. What libgpiod 1 did for us (gpiod_line_find,
 * gpiod_chip_open_lookup) is done here the same way, so both adapters
 * find the same line for the same spec.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "gpio_line_impl.h"
#include "gpio_lines.h"

/* Edges read per call: the kernel queues 16 per line and drops the rest. */
#define EDGE_BUFFER_EVENTS 16

struct gpio_line_lib {
	struct gpiod_chip *chip;
	struct gpiod_line_request *request;     /* NULL until requested */
	struct gpiod_edge_event_buffer *edges;  /* an event request's */
};

const char *gpio_lines_library(void)
{
	static char name[48];

	if (!name[0])
		snprintf(name, sizeof(name), "libgpiod %s", gpiod_api_version());
	return name;
}

static int is_chip_entry(const struct dirent *d)
{
	return strncmp(d->d_name, "gpiochip", 8) == 0;
}

/* The chips in /dev in the order of their names, as libgpiod 1 searched them. */
static int scan_chips(struct dirent ***names)
{
	return scandir("/dev", names, is_chip_entry, alphasort);
}

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (n >= 0)
		free(names);
}

/* The chips this machine has, "gpiochip0, gpiochip1", for messages. */
static void list_chips(char *buf, size_t len)
{
	struct dirent **names;
	int n = scan_chips(&names);
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		if (used + 1 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 names[i]->d_name);
	free_names(names, n);
	if (buf[0] == '\0')
		snprintf(buf, len, "none: there is no /dev/gpiochip*");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The open chip whose label is `label`, or NULL with errno (ENOENT: none has it). */
static struct gpiod_chip *open_chip_by_label(const char *label)
{
	struct dirent **names;
	int n = scan_chips(&names);
	struct gpiod_chip *found = NULL;
	char path[300];

	for (int i = 0; i < n && !found; i++) {
		snprintf(path, sizeof(path), "/dev/%s", names[i]->d_name);
		struct gpiod_chip *chip = gpiod_chip_open(path);

		if (!chip)
			continue;
		struct gpiod_chip_info *info = gpiod_chip_get_info(chip);

		if (info && strcmp(gpiod_chip_info_get_label(info), label) == 0)
			found = chip;
		else
			gpiod_chip_close(chip);
		if (info)
			gpiod_chip_info_free(info);
	}
	free_names(names, n);
	if (!found)
		errno = ENOENT;
	return found;
}

/* As libgpiod 1's gpiod_chip_open_lookup: a path, a name ("gpiochip0"), a number ("0") or a label. */
static struct gpiod_chip *open_chip_lookup(const char *descr)
{
	char path[300];

	if (descr[0] == '/')
		return gpiod_chip_open(descr);
	if (all_digits(descr)) {
		snprintf(path, sizeof(path), "/dev/gpiochip%s", descr);
		return gpiod_chip_open(path);
	}
	if (strncmp(descr, "gpiochip", 8) == 0 && !strchr(descr, '/')) {
		snprintf(path, sizeof(path), "/dev/%s", descr);
		struct gpiod_chip *chip = gpiod_chip_open(path);

		if (chip || errno != ENOENT)
			return chip;
	}
	return open_chip_by_label(descr);
}

/* The chip is open and the offset checked: keep them, and what messages need. */
static int fill_found(struct gpio_line *l, struct gpiod_chip *chip, struct gpiod_chip_info *info,
		      unsigned int offset, char *err, size_t err_len)
{
	l->lib = calloc(1, sizeof(*l->lib));
	if (!l->lib) {
		snprintf(err, err_len, "%s: %s: out of memory", l->role, l->spec);
		gpiod_chip_info_free(info);
		gpiod_chip_close(chip);
		return -1;
	}
	l->lib->chip = chip;
	snprintf(l->chip_name, sizeof(l->chip_name), "%s", gpiod_chip_info_get_name(info));
	snprintf(l->chip_label, sizeof(l->chip_label), "%s", gpiod_chip_info_get_label(info));
	l->offset = offset;
	gpiod_chip_info_free(info);
	return 0;
}

static int find_by_chip_offset(struct gpio_line *l, const char *chip_spec, unsigned long offset,
			       char *err, size_t err_len)
{
	const char *role = l->role, *spec = l->spec;
	char chips[256];

	errno = 0;
	struct gpiod_chip *chip = open_chip_lookup(chip_spec);

	if (!chip) {
		int e = errno ? errno : ENOENT;

		list_chips(chips, sizeof(chips));
		if (e == ENOENT || e == ENODEV)
			snprintf(err, err_len, "%s: %s: no GPIO chip '%s' (chips: %s)", role, spec, chip_spec,
				 chips);
		else
			snprintf(err, err_len, "%s: %s: cannot open GPIO chip '%s': %s (errno %d)", role, spec,
				 chip_spec, strerror(e), e);
		return -1;
	}
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);

	if (!info) {
		int e = errno ? errno : EIO;

		snprintf(err, err_len, "%s: %s: reading GPIO chip '%s': %s (errno %d)", role, spec, chip_spec,
			 strerror(e), e);
		gpiod_chip_close(chip);
		return -1;
	}
	size_t n = gpiod_chip_info_get_num_lines(info);

	if (offset >= n) {
		snprintf(err, err_len, "%s: %s: %s has %zu lines (offsets 0..%zu), no offset %lu", role, spec,
			 gpiod_chip_info_get_name(info), n, n ? n - 1 : 0, offset);
		gpiod_chip_info_free(info);
		gpiod_chip_close(chip);
		return -1;
	}
	return fill_found(l, chip, info, (unsigned int)offset, err, err_len);
}

static int find_by_name(struct gpio_line *l, char *err, size_t err_len)
{
	const char *role = l->role, *spec = l->spec;
	struct dirent **names;
	char path[300], chips[256];
	int n = scan_chips(&names), e = n < 0 ? errno : ENOENT;

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/%s", names[i]->d_name);
		struct gpiod_chip *chip = gpiod_chip_open(path);

		if (!chip) {
			/* A chip we may not open hides its names: say so rather than "no such line". */
			if (errno != ENOENT && errno != ENODEV)
				e = errno;
			continue;
		}
		errno = 0;
		int offset = gpiod_chip_get_line_offset_from_name(chip, spec);

		if (offset >= 0) {
			struct gpiod_chip_info *info = gpiod_chip_get_info(chip);

			free_names(names, n);
			if (!info) {
				e = errno ? errno : EIO;
				snprintf(err, err_len, "%s: %s: reading GPIO chip %s: %s (errno %d)", role, spec,
					 path, strerror(e), e);
				gpiod_chip_close(chip);
				return -1;
			}
			return fill_found(l, chip, info, (unsigned int)offset, err, err_len);
		}
		if (errno && errno != ENOENT)
			e = errno;
		gpiod_chip_close(chip);
	}
	free_names(names, n);
	list_chips(chips, sizeof(chips));
	if (e == ENOENT)
		snprintf(err, err_len, "%s: %s: no GPIO line by that name on any chip (chips: %s)", role, spec,
			 chips);
	else
		snprintf(err, err_len, "%s: %s: searching the GPIO chips for a line by that name: %s "
			 "(errno %d; chips: %s)", role, spec, strerror(e), e, chips);
	return -1;
}

int gpio_line_find(struct gpio_line *l, const char *role, const char *spec, char *err, size_t err_len)
{
	char chip_spec[LINE_SPEC_LEN];
	unsigned long offset;

	gpio_line_init(l);
	snprintf(l->role, sizeof(l->role), "%s", role);
	snprintf(l->spec, sizeof(l->spec), "%s", spec);
	if (gpio_spec_chip_offset(spec, chip_spec, sizeof(chip_spec), &offset)) {
		l->by_offset = true;
		return find_by_chip_offset(l, chip_spec, offset, err, err_len);
	}
	return find_by_name(l, err, err_len);
}

/* A request failed with errno e: the message, with who holds a busy line as its info says now. */
static void request_error(struct gpio_line *l, const char *as, int e, char *err, size_t err_len)
{
	struct gpiod_line_info *info = e == EBUSY ? gpiod_chip_get_line_info(l->lib->chip, l->offset) : NULL;
	bool used = info && gpiod_line_info_is_used(info);

	gpio_line_request_error(l, as, e, used, used ? gpiod_line_info_get_consumer(info) : NULL, err, err_len);
	if (info)
		gpiod_line_info_free(info);
}

struct request_how {
	enum gpiod_line_direction direction;
	bool active_low;
	enum gpiod_line_bias bias;      /* GPIOD_LINE_BIAS_AS_IS: leave it */
	bool edges;                     /* both edges, stamped CLOCK_MONOTONIC */
};

/* One line, one request. Returns it, or NULL with errno. */
static struct gpiod_line_request *request_lines(struct gpio_line *l, const struct request_how *how)
{
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	struct gpiod_line_config *line_cfg = gpiod_line_config_new();
	struct gpiod_request_config *req_cfg = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;
	unsigned int offset = l->offset;
	int e = ENOMEM;

	if (!settings || !line_cfg || !req_cfg)
		goto out;
	if (gpiod_line_settings_set_direction(settings, how->direction) < 0 ||
	    (how->direction == GPIOD_LINE_DIRECTION_OUTPUT &&
	     /* Logical: inactive whatever the polarity, from the first instant. */
	     gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE) < 0) ||
	    gpiod_line_settings_set_bias(settings, how->bias) < 0 ||
	    (how->edges && (gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0 ||
			    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) < 0))) {
		e = errno ? errno : EINVAL;
		goto out;
	}
	gpiod_line_settings_set_active_low(settings, how->active_low);
	gpiod_request_config_set_consumer(req_cfg, GPIO_CONSUMER);
	if (gpiod_line_config_add_line_settings(line_cfg, &offset, 1, settings) < 0) {
		e = errno ? errno : EINVAL;
		goto out;
	}
	errno = 0;
	req = gpiod_chip_request_lines(l->lib->chip, req_cfg, line_cfg);
	e = errno ? errno : EIO;
out:
	gpiod_request_config_free(req_cfg);
	gpiod_line_config_free(line_cfg);
	gpiod_line_settings_free(settings);
	if (!req)
		errno = e;
	return req;
}

int gpio_line_request_output(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	struct request_how how = { GPIOD_LINE_DIRECTION_OUTPUT, active_low, GPIOD_LINE_BIAS_AS_IS, false };

	l->lib->request = request_lines(l, &how);
	if (!l->lib->request) {
		request_error(l, "an output", errno, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, true, active_low);
	return 0;
}

/* Active-low buttons get the pull-up, active-high ones the pull-down. */
static enum gpiod_line_bias button_bias(bool active_low)
{
	return active_low ? GPIOD_LINE_BIAS_PULL_UP : GPIOD_LINE_BIAS_PULL_DOWN;
}

int gpio_line_request_events(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	struct request_how how = { GPIOD_LINE_DIRECTION_INPUT, active_low, button_bias(active_low), true };

	l->lib->edges = gpiod_edge_event_buffer_new(EDGE_BUFFER_EVENTS);
	if (!l->lib->edges) {
		request_error(l, "an input for both edges", ENOMEM, err, err_len);
		return -1;
	}
	l->lib->request = request_lines(l, &how);
	if (!l->lib->request && errno == EINVAL) {
		/* A chip that cannot set a bias. */
		gpio_line_no_bias_notice(l, active_low);
		how.bias = GPIOD_LINE_BIAS_AS_IS;
		l->lib->request = request_lines(l, &how);
	}
	if (!l->lib->request) {
		int e = errno;

		gpiod_edge_event_buffer_free(l->lib->edges);
		l->lib->edges = NULL;
		request_error(l, "an input for both edges", e, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, false, active_low);
	return 0;
}

int gpio_line_request_input(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	struct request_how how = { GPIOD_LINE_DIRECTION_INPUT, active_low, button_bias(active_low), false };

	l->lib->request = request_lines(l, &how);
	if (!l->lib->request && errno == EINVAL) {
		how.bias = GPIOD_LINE_BIAS_AS_IS;
		l->lib->request = request_lines(l, &how);
	}
	if (!l->lib->request) {
		request_error(l, "an input", errno, err, err_len);
		return -1;
	}
	gpio_line_mark_requested(l, false, active_low);
	return 0;
}

int gpio_line_raw_set(struct gpio_line *l, bool active)
{
	return gpiod_line_request_set_value(l->lib->request, l->offset,
					    active ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int gpio_line_raw_get(struct gpio_line *l)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(l->lib->request, l->offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return -1;
	return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

int gpio_line_event_fd(struct gpio_line *l)
{
	if (!l->requested || l->output || !l->lib->edges)
		return -1;
	return gpiod_line_request_get_fd(l->lib->request);
}

int gpio_line_read_edges(struct gpio_line *l, struct gpio_edge *edges, int max)
{
	int fd = gpio_line_edge_fd(l);

	if (fd < 0)
		return -1;
	if (max > EDGE_BUFFER_EVENTS)
		max = EDGE_BUFFER_EVENTS;
	if (max <= 0)
		return 0;
	int n = gpiod_line_request_read_edge_events(l->lib->request, l->lib->edges, (size_t)max);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct gpiod_edge_event *ev = gpiod_edge_event_buffer_get_event(l->lib->edges, (unsigned long)i);
		uint64_t ns = gpiod_edge_event_get_timestamp_ns(ev);

		/* Logical: with active-low a falling level is a rising edge. */
		edges[i].active = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
		edges[i].ts.tv_sec = (time_t)(ns / 1000000000u);
		edges[i].ts.tv_nsec = (long)(ns % 1000000000u);
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
	struct gpiod_line_info *li = gpiod_chip_get_line_info(l->lib->chip, l->offset);

	if (!li)
		return -1;
	const char *name = gpiod_line_info_get_name(li);
	const char *who = gpiod_line_info_get_consumer(li);

	snprintf(info->name, sizeof(info->name), "%s", name ? name : "");
	snprintf(info->consumer, sizeof(info->consumer), "%s", who ? who : "");
	info->used = gpiod_line_info_is_used(li);
	info->is_output = gpiod_line_info_get_direction(li) == GPIOD_LINE_DIRECTION_OUTPUT;
	info->active_low = gpiod_line_info_is_active_low(li);
	gpiod_line_info_free(li);
	return 0;
}

void gpio_line_close(struct gpio_line *l)
{
	if (l->lib) {
		if (l->lib->request) {
			gpio_line_inactive_for_release(l);
			gpiod_line_request_release(l->lib->request);
		}
		if (l->lib->edges)
			gpiod_edge_event_buffer_free(l->lib->edges);
		gpiod_chip_close(l->lib->chip);
		free(l->lib);
	}
	gpio_line_mark_closed(l);
}

