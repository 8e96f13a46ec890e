/* SPDX-License-Identifier: MIT */
/*
 * src/hw/gpio_lines.h over an in-memory chip, for the harnesses in
 * tests/hw that run the real hw_real.c, its timers and its loop against
 * fake kernel trees (there is no GPIO chip where they run). Whatever the
 * libgpiod version: this replaces the adapter, not libgpiod.
 *
 * One chip, "gpiochip0" labelled fake_gpio_chip_label, with lines named
 * GPIO0..GPIO53. Every write is recorded with CLOCK_MONOTONIC at the
 * moment it reaches the "line" (fake_gpio_writes). The button's events
 * come through a pipe: fake_gpio_edge() (from any thread) writes one
 * struct gpio_edge into it and sets the level gpio_line_get reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hw/gpio_line_impl.h"
#include "hw/gpio_lines.h"
#include "lib/loop.h"
#include "fake_gpio_lines.h"

#define N_LINES 54

/* Any non-NULL pointer will do: the adapter's objects are opaque, and only "found" is asked of them. */
static char chip_token;

struct fake_line {
	bool requested;
	bool output;
	int value;
};

static struct fake_line lines[N_LINES];
static struct fake_gpio_write writes[FAKE_GPIO_MAX_WRITES];
static int n_writes;
static int edge_pipe[2] = { -1, -1 };
static atomic_int button_level;         /* logical, written by the injecting thread */
const char *fake_gpio_chip_label = "pinctrl-bcm2711";

const struct fake_gpio_write *fake_gpio_writes(int *n)
{
	*n = n_writes;
	return writes;
}

void fake_gpio_edge(bool active)
{
	struct gpio_edge e = { .active = active };

	clock_gettime(CLOCK_MONOTONIC, &e.ts);
	atomic_store(&button_level, active ? 1 : 0);
	if (write(edge_pipe[1], &e, sizeof(e)) != sizeof(e))
		abort();        /* a test harness: a full pipe is a bug in it */
}

const char *gpio_lines_library(void)
{
	return "fake GPIO lines (tests/hw)";
}

int gpio_line_find(struct gpio_line *l, const char *role, const char *spec, char *err, size_t err_len)
{
	unsigned int offset;
	char tail;
	bool by_name;

	gpio_line_init(l);
	snprintf(l->role, sizeof(l->role), "%s", role);
	snprintf(l->spec, sizeof(l->spec), "%s", spec);
	by_name = sscanf(spec, "GPIO%u%c", &offset, &tail) == 1;
	if ((!by_name && sscanf(spec, "gpiochip0:%u%c", &offset, &tail) != 1) || offset >= N_LINES) {
		snprintf(err, err_len, "%s: %s: no such line on the fake chip", role, spec);
		return -1;
	}
	l->lib = (struct gpio_line_lib *)&chip_token;
	snprintf(l->chip_name, sizeof(l->chip_name), "gpiochip0");
	snprintf(l->chip_label, sizeof(l->chip_label), "%s", fake_gpio_chip_label);
	l->by_offset = !by_name;
	l->offset = offset;
	return 0;
}

static int request(struct gpio_line *l, bool output, bool active_low, char *err, size_t err_len)
{
	struct fake_line *f = &lines[l->offset];

	if (f->requested) {
		snprintf(err, err_len, "%s: %s: busy", l->role, l->spec);
		errno = EBUSY;
		return -1;
	}
	f->requested = true;
	f->output = output;
	f->value = 0;
	gpio_line_mark_requested(l, output, active_low);
	return 0;
}

int gpio_line_request_output(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	return request(l, true, active_low, err, err_len);
}

int gpio_line_request_events(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	if (edge_pipe[0] < 0 && pipe2(edge_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, err_len, "%s: pipe: %s", l->role, strerror(errno));
		return -1;
	}
	return request(l, false, active_low, err, err_len);
}

int gpio_line_request_input(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	return request(l, false, active_low, err, err_len);
}

int gpio_line_raw_set(struct gpio_line *l, bool active)
{
	lines[l->offset].value = active;
	if (n_writes < FAKE_GPIO_MAX_WRITES)
		writes[n_writes++] = (struct fake_gpio_write){ l->offset, active, monotonic_s() };
	return 0;
}

int gpio_line_raw_get(struct gpio_line *l)
{
	return l->output ? lines[l->offset].value : atomic_load(&button_level);
}

int gpio_line_event_fd(struct gpio_line *l)
{
	return l->requested && !l->output ? edge_pipe[0] : -1;
}

int gpio_line_read_edges(struct gpio_line *l, struct gpio_edge *edges, int max)
{
	(void)l;
	ssize_t r = read(edge_pipe[0], edges, sizeof(*edges) * (size_t)max);

	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	return (int)(r / (ssize_t)sizeof(*edges));
}

int gpio_line_info(struct gpio_line *l, struct gpio_line_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "GPIO%u", l->offset);
	info->used = lines[l->offset].requested;
	snprintf(info->consumer, sizeof(info->consumer), "%s", info->used ? GPIO_CONSUMER : "");
	info->is_output = lines[l->offset].output;
	return 0;
}

void gpio_line_close(struct gpio_line *l)
{
	if (l->requested) {
		if (l->output)
			gpio_line_set(l, false);
		lines[l->offset].requested = false;
	}
	gpio_line_mark_closed(l);
}

