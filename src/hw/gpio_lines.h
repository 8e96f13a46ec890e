/* SPDX-License-Identifier: MIT */
/*
 * GPIO lines through libgpiod. One adapter per libgpiod API, chosen at
 * build time from pkg-config's libgpiod version (the Makefile):
 * gpio_lines_v1.c for libgpiod 1.x (Debian 12, Raspberry Pi OS
 * bookworm; the kernel's v1 character-device uAPI), gpio_lines_v2.c for
 * 2.x (Debian 13, Raspberry Pi OS trixie; the v2 uAPI). Both keep every
 * promise below; nothing outside them knows which one is built.
 *
 * A line is given as a name, searched on every chip
 * (gpiod_line_find: "GPIO22" as Raspberry Pi OS names them), or as
 * CHIP:OFFSET with CHIP a chip's name, label or number ("gpiochip0:22",
 * "0:22").
 *
 *  - Outputs are requested with consumer "contrastd" and their inactive
 *    value as the initial one, so nothing glitches on; ACTIVE_LOW where
 *    configured, after which every value here is logical (true = active).
 *  - The button is requested for both edges; active-low buttons get the
 *    SoC's pull-up, active-high ones its pull-down (where the kernel
 *    cannot set a bias, the request is repeated without one: the board's
 *    own resistor must then do it).
 *  - Errors are one line naming the role, the line as configured, the
 *    chip and offset, the operation and errno; a busy line names who
 *    holds it.
 *
 * Every gpiod_* call of contrastd is in the adapters (tests wrap them:
 * tests/unit/test_gpio_mock_v1.c, test_gpio_mock_v2.c).
 */
#ifndef CONTRASTD_GPIO_LINES_H
#define CONTRASTD_GPIO_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "core/limits.h"

#define GPIO_CONSUMER "contrastd"

/* The library's objects for one line: the adapter's own (chip, line or request). */
struct gpio_line_lib;

struct gpio_line {
	char role[48];                  /* "left heat", "power", "button": for messages */
	char spec[LINE_SPEC_LEN];       /* as configured */
	struct gpio_line_lib *lib;      /* NULL: not found (or closed) */
	char chip_name[32];             /* "gpiochip0" */
	char chip_label[32];            /* the driver's label: "pinctrl-bcm2711", "gpio-sim.0-node0" */
	bool by_offset;                 /* the spec was CHIP:OFFSET, not a line name */
	unsigned int offset;
	bool active_low;
	bool requested;
	bool output;                    /* requested as an output */
	int value;                      /* last logical value written, -1 unknown */
};

/* What a line's kernel info says, without requesting it. */
struct gpio_line_info {
	char name[32];                  /* the line's own name, "" if unnamed */
	bool used;                      /* requested by someone (kernel or user space) */
	char consumer[32];              /* who, "" when the kernel gives no label */
	bool is_output;
	bool active_low;                /* as the holder requested it */
};

/* "libgpiod 1.6.3": the library this build runs with (its own version string). */
const char *gpio_lines_library(void);

/* A closed line (safe to gpio_line_close). */
void gpio_line_init(struct gpio_line *l);

/* Has gpio_line_find found it (and it is not closed)? */
static inline bool gpio_line_found(const struct gpio_line *l)
{
	return l->lib != NULL;
}

/*
 * Find the line (opens its chip; requests nothing). A name is searched on
 * every chip in /dev in the order of their names; the first that has it
 * wins. Returns
 * 0, or -1 with a message: "left heat: GPIO17: no GPIO line by that name on any chip
 * (chips: gpiochip0, gpiochip1)".
 */
int gpio_line_find(struct gpio_line *l, const char *role, const char *spec, char *err, size_t err_len);

/* Request a found line as an output at its inactive value. Returns 0 or -1 with a message. */
int gpio_line_request_output(struct gpio_line *l, bool active_low, char *err, size_t err_len);

/* Request a found line for both edges (the button). Returns 0 or -1 with a message. */
int gpio_line_request_events(struct gpio_line *l, bool active_low, char *err, size_t err_len);

/* Request a found line as an input (--probe reads the button). Returns 0 or -1 with a message. */
int gpio_line_request_input(struct gpio_line *l, bool active_low, char *err, size_t err_len);

/* find + request_output; on failure nothing stays open. */
int gpio_output_open(struct gpio_line *l, const char *role, const char *spec, bool active_low,
		     char *err, size_t err_len);

/* Write the logical value. Returns 0, or -1 with errno (the value is then unknown). */
int gpio_line_set(struct gpio_line *l, bool active);

/* Read the logical value: 0, 1, or -1 with errno. */
int gpio_line_get(struct gpio_line *l);

/* The requested button's event fd, or -1. */
int gpio_line_event_fd(struct gpio_line *l);

/* One edge of the button. */
struct gpio_edge {
	bool active;                    /* the line became active (logical rising edge) */
	struct timespec ts;             /* the kernel's timestamp (CLOCK_MONOTONIC since Linux 5.7) */
};

/*
 * Read up to max edges from the event fd without blocking (the fd is made
 * non-blocking). Returns how many, 0 when none are queued, -1 with errno.
 */
int gpio_line_read_edges(struct gpio_line *l, struct gpio_edge *edges, int max);

/* The kernel's view of a found line, refreshed. Returns 0 or -1 with errno. */
int gpio_line_info(struct gpio_line *l, struct gpio_line_info *info);

/* "GPIO17 (gpiochip0:17)", for messages. */
void gpio_line_where(const struct gpio_line *l, char *buf, size_t len);

/*
 * Release and close. An output still requested is written inactive first
 * unless it is known to be (the state after release is the hardware's;
 * see docs/wiring.md). Safe on a closed line.
 */
void gpio_line_close(struct gpio_line *l);

/* Do two found lines name the same chip and offset? */
bool gpio_line_same(const struct gpio_line *a, const struct gpio_line *b);

/* For the adapters: split a "CHIP:OFFSET" spec; false when it is a line name. */
bool gpio_spec_chip_offset(const char *spec, char *chip, size_t chip_len, unsigned long *offset);

#endif
