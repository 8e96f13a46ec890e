/* SPDX-License-Identifier: MIT */
/*
 * Between gpio_line_common.c and a line implementation: the libgpiod
 * adapters (gpio_lines_v1.c, gpio_lines_v2.c) and the tests' fake lines.
 * gpio_lines.h's promises that do not depend on libgpiod (a set or get on
 * a line not requested so is EBADF; the last value written is kept, -1
 * after a failed write; what a refused request says) are kept once, in
 * gpio_line_common.c. An implementation only moves values and requests
 * lines. Nothing outside src/hw and the fakes includes this.
 */
#ifndef CONTRASTD_GPIO_LINE_IMPL_H
#define CONTRASTD_GPIO_LINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include "gpio_lines.h"

/* --- Each implementation gives these ----------------------------------------- */

/* Write a line requested as an output (logical value). 0, or -1 with errno. */
int gpio_line_raw_set(struct gpio_line *l, bool active);

/* Read a requested line's logical value: 0 or 1, or -1 with errno. */
int gpio_line_raw_get(struct gpio_line *l);

/* --- gpio_line_common.c gives these back ------------------------------------- */

/* A request succeeded: the record says how (an output starts inactive). */
void gpio_line_mark_requested(struct gpio_line *l, bool output, bool active_low);

/*
 * The message for a refused request, "as" being what it was requested as
 * ("an output"). used/holder: what the line's info said when e is EBUSY
 * (holder NULL or "" when the holder gave no label).
 */
void gpio_line_request_error(const struct gpio_line *l, const char *as, int e, bool used, const char *holder,
			     char *err, size_t err_len);

/*
 * Before a requested line is released: an output not known to be inactive
 * (a failed write, or never written) is written inactive; a failure is
 * logged, and the release goes on.
 */
void gpio_line_inactive_for_release(struct gpio_line *l);

/* After the release and the library's objects are freed: the record of a closed line. */
void gpio_line_mark_closed(struct gpio_line *l);

/*
 * The line's event fd (gpio_line_event_fd), made non-blocking so a
 * spurious wake-up never blocks the loop. -1 with EBADF when the line is
 * not requested for edges.
 */
int gpio_line_edge_fd(struct gpio_line *l);

/* The kernel refused the bias for an input: say so once; the board's resistor must do it. */
void gpio_line_no_bias_notice(const struct gpio_line *l, bool active_low);

#endif
