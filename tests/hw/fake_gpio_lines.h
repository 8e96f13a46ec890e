/* SPDX-License-Identifier: MIT */
/* The in-memory GPIO chip of tests/hw/fake_gpio_lines.c: what the harness sees of it. */
#ifndef CONTRASTD_FAKE_GPIO_LINES_H
#define CONTRASTD_FAKE_GPIO_LINES_H

#include <stdbool.h>

#define FAKE_GPIO_MAX_WRITES 65536

/* One write that reached a line. */
struct fake_gpio_write {
	unsigned int offset;            /* GPIOn */
	bool active;                    /* the logical value written */
	double t_s;                     /* CLOCK_MONOTONIC when it was written */
};

/* The chip's label (default "pinctrl-bcm2711"); set before lines are found. */
extern const char *fake_gpio_chip_label;

/* Every write so far, in order; *n of them. Read from the loop's thread only. */
const struct fake_gpio_write *fake_gpio_writes(int *n);

/* The button's line goes active (pressed) or inactive now: an edge in its event fd. Any thread. */
void fake_gpio_edge(bool active);

#endif
