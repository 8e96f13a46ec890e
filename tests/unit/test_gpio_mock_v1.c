/* SPDX-License-Identifier: MIT */
/*
 * The libgpiod 1.x adapter (src/hw/gpio_lines_v1.c) and the real hardware
 * adapter over it, against the mock chip (gpio_mock_chip.h): every
 * libgpiod 1 call contrastd makes is wrapped (-Wl,--wrap=, see
 * test_gpio_mock_v1.ldflags) and turned into an operation on the chip.
 * The tests are the ones test_gpio_mock_v2.c runs on libgpiod 2
 * (gpio_mock_hw_real.h).
 */
#include <errno.h>
#include <gpiod.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"
#include "gpio_mock_chip.h"

/* libgpiod's types are opaque to users: here they are ours. */
struct gpiod_chip {
	int unused;
};

struct gpiod_line {
	struct mock_line *m;
};

static struct gpiod_chip chip0;
static struct gpiod_line handles[N_LINES];

static struct gpiod_line *handle(struct mock_line *m)
{
	struct gpiod_line *h = &handles[m->offset];

	h->m = m;
	return h;
}

/* libgpiod 1's request flags in the chip's terms. */
static enum mock_bias bias_of(int flags)
{
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
		return MOCK_PULL_UP;
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
		return MOCK_PULL_DOWN;
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
		return MOCK_BIAS_OFF;
	return MOCK_BIAS_AS_IS;
}

static bool active_low_of(int flags)
{
	return (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0;
}

struct gpiod_chip *__wrap_gpiod_chip_open_lookup(const char *descr);
void __wrap_gpiod_chip_close(struct gpiod_chip *chip);
const char *__wrap_gpiod_chip_name(struct gpiod_chip *chip);
const char *__wrap_gpiod_chip_label(struct gpiod_chip *chip);
unsigned int __wrap_gpiod_chip_num_lines(struct gpiod_chip *chip);
struct gpiod_line *__wrap_gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset);
struct gpiod_line *__wrap_gpiod_line_find(const char *name);
struct gpiod_chip *__wrap_gpiod_line_get_chip(struct gpiod_line *line);
unsigned int __wrap_gpiod_line_offset(struct gpiod_line *line);
const char *__wrap_gpiod_line_name(struct gpiod_line *line);
const char *__wrap_gpiod_line_consumer(struct gpiod_line *line);
bool __wrap_gpiod_line_is_used(struct gpiod_line *line);
int __wrap_gpiod_line_update(struct gpiod_line *line);
int __wrap_gpiod_line_direction(struct gpiod_line *line);
int __wrap_gpiod_line_active_state(struct gpiod_line *line);
int __wrap_gpiod_line_request_output_flags(struct gpiod_line *line, const char *consumer, int flags,
					   int default_val);
int __wrap_gpiod_line_request_input_flags(struct gpiod_line *line, const char *consumer, int flags);
int __wrap_gpiod_line_request_both_edges_events_flags(struct gpiod_line *line, const char *consumer,
						      int flags);
int __wrap_gpiod_line_set_value(struct gpiod_line *line, int value);
int __wrap_gpiod_line_get_value(struct gpiod_line *line);
void __wrap_gpiod_line_release(struct gpiod_line *line);
int __wrap_gpiod_line_event_get_fd(struct gpiod_line *line);
int __wrap_gpiod_line_event_read_fd_multiple(int fd, struct gpiod_line_event *events, unsigned int num);

struct gpiod_chip *__wrap_gpiod_chip_open_lookup(const char *descr)
{
	if (strcmp(descr, MOCK_CHIP_NAME) == 0 || strcmp(descr, "0") == 0 ||
	    strcmp(descr, "/dev/" MOCK_CHIP_NAME) == 0 || strcmp(descr, mock_chip_label) == 0) {
		chip_opens++;
		return &chip0;
	}
	errno = ENOENT;
	return NULL;
}

void __wrap_gpiod_chip_close(struct gpiod_chip *chip)
{
	assert_ptr_equal(chip, &chip0);
	chip_closes++;
}

const char *__wrap_gpiod_chip_name(struct gpiod_chip *chip)
{
	(void)chip;
	return MOCK_CHIP_NAME;
}

const char *__wrap_gpiod_chip_label(struct gpiod_chip *chip)
{
	(void)chip;
	return mock_chip_label;
}

unsigned int __wrap_gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	(void)chip;
	return N_LINES;
}

struct gpiod_line *__wrap_gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	(void)chip;
	if (offset >= N_LINES) {
		errno = EINVAL;
		return NULL;
	}
	return handle(&lines[offset]);
}

struct gpiod_line *__wrap_gpiod_line_find(const char *name)
{
	struct mock_line *m = mock_find(name);

	if (!m) {
		errno = ENOENT;
		return NULL;
	}
	chip_opens++;   /* gpiod_line_find opens the line's chip */
	return handle(m);
}

struct gpiod_chip *__wrap_gpiod_line_get_chip(struct gpiod_line *line)
{
	(void)line;
	return &chip0;
}

unsigned int __wrap_gpiod_line_offset(struct gpiod_line *line)
{
	return line->m->offset;
}

const char *__wrap_gpiod_line_name(struct gpiod_line *line)
{
	return line->m->name;
}

const char *__wrap_gpiod_line_consumer(struct gpiod_line *line)
{
	return mock_consumer(line->m);
}

bool __wrap_gpiod_line_is_used(struct gpiod_line *line)
{
	return mock_used(line->m);
}

int __wrap_gpiod_line_update(struct gpiod_line *line)
{
	(void)line;
	return 0;
}

int __wrap_gpiod_line_direction(struct gpiod_line *line)
{
	return line->m->output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT;
}

int __wrap_gpiod_line_active_state(struct gpiod_line *line)
{
	return line->m->active_low ? GPIOD_LINE_ACTIVE_STATE_LOW : GPIOD_LINE_ACTIVE_STATE_HIGH;
}

int __wrap_gpiod_line_request_output_flags(struct gpiod_line *line, const char *consumer, int flags,
					   int default_val)
{
	assert_int_equal(bias_of(flags), MOCK_BIAS_AS_IS);
	return mock_request_output(line->m, consumer, active_low_of(flags), default_val);
}

int __wrap_gpiod_line_request_input_flags(struct gpiod_line *line, const char *consumer, int flags)
{
	return mock_request_input(line->m, consumer, active_low_of(flags), bias_of(flags), false);
}

int __wrap_gpiod_line_request_both_edges_events_flags(struct gpiod_line *line, const char *consumer,
						      int flags)
{
	return mock_request_input(line->m, consumer, active_low_of(flags), bias_of(flags), true);
}

int __wrap_gpiod_line_set_value(struct gpiod_line *line, int value)
{
	return mock_set(line->m, value);
}

int __wrap_gpiod_line_get_value(struct gpiod_line *line)
{
	return mock_get(line->m);
}

void __wrap_gpiod_line_release(struct gpiod_line *line)
{
	mock_release(line->m);
}

int __wrap_gpiod_line_event_get_fd(struct gpiod_line *line)
{
	if (!line->m->requested || !line->m->events) {
		errno = EPERM;
		return -1;
	}
	return button_pipe[0];
}

int __wrap_gpiod_line_event_read_fd_multiple(int fd, struct gpiod_line_event *events, unsigned int num)
{
	struct mock_edge e[64];

	assert_int_equal(fd, button_pipe[0]);
	int n = mock_take_edges(e, num < 64 ? num : 64);

	for (int i = 0; i < n; i++) {
		events[i].event_type = e[i].rising ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
		events[i].ts = e[i].ts;
	}
	return n;
}

#include "gpio_mock_hw_real.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		GPIO_MOCK_HW_REAL_TESTS
	};

	return cmocka_run_group_tests_name("libgpiod 1", tests, NULL, NULL);
}
