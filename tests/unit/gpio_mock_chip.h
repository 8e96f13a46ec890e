/* SPDX-License-Identifier: MIT */
/*
 * A mock GPIO chip, in the terms of the kernel rather than of one
 * libgpiod: 54 lines named GPIO0..GPIO53 on "gpiochip0" (label
 * "pinctrl-bcm2711"), each with who holds it, how it was requested and
 * the value it drives. test_gpio_mock_v1.c and test_gpio_mock_v2.c turn
 * their libgpiod's calls (-Wl,--wrap=) into operations on it, so the
 * same tests (gpio_mock_hw_real.h) check both adapters on what reaches
 * the lines: initial values, consumer label, active-low, bias, the
 * interlock and the dead time at every single write.
 *
 * Include after <cmocka.h> and test_assert.h, once, in the test's .c.
 */
#ifndef CONTRASTD_GPIO_MOCK_CHIP_H
#define CONTRASTD_GPIO_MOCK_CHIP_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/loop.h"

#define N_LINES 54
#define MOCK_CHIP_NAME "gpiochip0"
#define MOCK_CHIP_LABEL "pinctrl-bcm2711"

enum mock_bias { MOCK_BIAS_AS_IS, MOCK_PULL_UP, MOCK_PULL_DOWN, MOCK_BIAS_OFF };

struct mock_line {
	unsigned int offset;
	char name[16];
	bool requested;
	bool output;
	bool events;
	bool active_low;
	enum mock_bias bias;
	char consumer[32];
	char other[32];                 /* held by another process, with this label */
	int value;                      /* logical value last driven, -1 unknown */
	int set_errno;                  /* writes fail with this */
	int set_attempts;
	int level;                      /* what a read of the input returns (the button) */
};

static struct mock_line lines[N_LINES];
static int chip_opens, chip_closes;
static const char *mock_chip_label = MOCK_CHIP_LABEL;   /* a test may make it another driver's */
static bool mock_bias_unsupported;     /* requests with a bias fail with EINVAL, as before Linux 5.5 */

/* Every request, write and release, in order. */
enum op { OP_REQUEST, OP_SET, OP_RELEASE };
struct record {
	enum op op;
	unsigned int offset;
	int value;
	double t_s;
};
static struct record rec[8192];
static int n_rec;

/* The button's edges, queued for the adapter to read; its fd is a pipe's. */
struct mock_edge {
	bool rising;                    /* logical, as the kernel reports with active-low */
	struct timespec ts;
};
static int button_pipe[2] = { -1, -1 };
static struct mock_edge queue[64];
static int q_head, q_tail;

static double base_s, fake_now_s;

static double fake_clock(void)
{
	return fake_now_s;
}

/* Test time: seconds after a base a little past the real monotonic clock. */
static double T(double x)
{
	return base_s + x;
}

/* The reference wiring of the config in gpio_mock_hw_real.h. */
enum {
	L_HEAT = 17, L_COOL = 27, L_EN = 22, L_FAN = 5,        /* left: with enable */
	R_HEAT = 23, R_COOL = 24, R_FAN = 6,                    /* right: no enable, active-low */
	POWER = 16, BUTTON = 26,
};

/* The interlock and the dead time, checked at every write as it happens. */
struct zone_watch {
	unsigned int heat, cool;
	int enable;                     /* -1 none */
	double heat_off_s, cool_off_s;
};
static struct zone_watch watch[2] = {
	{ L_HEAT, L_COOL, L_EN, -1e9, -1e9 },
	{ R_HEAT, R_COOL, -1, -1e9, -1e9 },
};
static double dead_time_s = 0.2;
static int interlock_checks;

static void check_interlock(unsigned int offset, int old_value, int new_value)
{
	for (int z = 0; z < 2; z++) {
		struct zone_watch *w = &watch[z];
		bool heat = lines[w->heat].value == 1, cool = lines[w->cool].value == 1;

		assert_false(heat && cool);
		if (w->enable >= 0 && lines[w->enable].value == 1)
			assert_true(heat != cool);
		if (offset == w->heat && old_value == 1 && new_value == 0)
			w->heat_off_s = fake_now_s;
		if (offset == w->cool && old_value == 1 && new_value == 0)
			w->cool_off_s = fake_now_s;
		if (offset == w->heat && old_value != 1 && new_value == 1)
			assert_true(fake_now_s - w->cool_off_s >= dead_time_s - 1e-9);
		if (offset == w->cool && old_value != 1 && new_value == 1)
			assert_true(fake_now_s - w->heat_off_s >= dead_time_s - 1e-9);
	}
	interlock_checks++;
}

static void record(enum op op, unsigned int offset, int value)
{
	if (n_rec < (int)(sizeof(rec) / sizeof(rec[0])))
		rec[n_rec++] = (struct record){ op, offset, value, fake_now_s };
}

static void mock_reset(void)
{
	memset(lines, 0, sizeof(lines));
	for (unsigned int i = 0; i < N_LINES; i++) {
		lines[i].offset = i;
		snprintf(lines[i].name, sizeof(lines[i].name), "GPIO%u", i);
		lines[i].value = -1;    /* unknown until driven */
	}
	chip_opens = chip_closes = 0;
	mock_chip_label = MOCK_CHIP_LABEL;
	mock_bias_unsupported = false;
	n_rec = 0;
	q_head = q_tail = 0;
	interlock_checks = 0;
	for (int z = 0; z < 2; z++)
		watch[z].heat_off_s = watch[z].cool_off_s = -1e9;
	if (button_pipe[0] < 0)
		assert_int_equal(pipe(button_pipe), 0);
	base_s = ceil(monotonic_s()) + 100.0;
	fake_now_s = base_s;
}

/* --- The chip's operations, for the wrappers ------------------------------ */

static struct mock_line *mock_find(const char *name)
{
	for (int i = 0; i < N_LINES; i++)
		if (strcmp(lines[i].name, name) == 0)
			return &lines[i];
	return NULL;
}

/* A request: -1 with errno when held, or when a bias cannot be set. */
static int mock_request(struct mock_line *line, const char *consumer, bool active_low, enum mock_bias bias)
{
	if (line->requested || line->other[0]) {
		errno = EBUSY;
		return -1;
	}
	if (mock_bias_unsupported && bias != MOCK_BIAS_AS_IS) {
		errno = EINVAL;
		return -1;
	}
	line->requested = true;
	line->active_low = active_low;
	line->bias = bias;
	snprintf(line->consumer, sizeof(line->consumer), "%s", consumer);
	return 0;
}

static int mock_request_output(struct mock_line *line, const char *consumer, bool active_low, int value)
{
	if (mock_request(line, consumer, active_low, MOCK_BIAS_AS_IS) < 0)
		return -1;
	int old = line->value;

	line->output = true;
	line->value = value;
	record(OP_REQUEST, line->offset, value);
	check_interlock(line->offset, old, value);
	return 0;
}

static int mock_request_input(struct mock_line *line, const char *consumer, bool active_low,
			      enum mock_bias bias, bool events)
{
	if (mock_request(line, consumer, active_low, bias) < 0)
		return -1;
	line->output = false;
	line->events = events;
	return 0;
}

static int mock_set(struct mock_line *line, int value)
{
	assert_true(line->requested && line->output);
	line->set_attempts++;
	if (line->set_errno) {
		errno = line->set_errno;
		return -1;
	}
	int old = line->value;

	line->value = value;
	record(OP_SET, line->offset, value);
	check_interlock(line->offset, old, value);
	return 0;
}

static int mock_get(const struct mock_line *line)
{
	assert_true(line->requested);
	return line->output ? line->value : line->level;
}

static void mock_release(struct mock_line *line)
{
	assert_true(line->requested);
	line->requested = false;
	line->events = false;
	record(OP_RELEASE, line->offset, line->value);
}

static const char *mock_consumer(const struct mock_line *line)
{
	if (line->other[0])
		return line->other;
	return line->requested ? line->consumer : NULL;
}

static bool mock_used(const struct mock_line *line)
{
	return line->requested || line->other[0];
}

/* Take up to num queued edges; -1 with EAGAIN when none. */
static int mock_take_edges(struct mock_edge *out, unsigned int num)
{
	unsigned int n = 0;

	while (n < num && q_head < q_tail)
		out[n++] = queue[q_head++];
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (int)n;
}

/* The button's line goes to `pressed` at test time x (logical, as the kernel reports with active-low). */
static void button_edge_at(bool pressed, double x)
{
	double t = T(x);
	struct mock_edge *e = &queue[q_tail++];

	e->rising = pressed;
	e->ts.tv_sec = (time_t)floor(t);
	e->ts.tv_nsec = (long)((t - floor(t)) * 1e9 + 0.5);
	lines[BUTTON].level = pressed;
}

#endif
