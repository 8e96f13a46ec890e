/* SPDX-License-Identifier: MIT */
/* CLOCK_MONOTONIC as the loop's clock. See wall_clock.h. */
#include <string.h>
#include <time.h>
#include "lib/loop.h"
#include "wall_clock.h"

static void wall_start(void *ctx)
{
	struct wall_clock *c = ctx;

	c->origin_s = monotonic_s();
}

static double wall_period_s(void *ctx)
{
	const struct wall_clock *c = ctx;

	return c->tick_s;
}

static uint64_t wall_ticks_due(void *ctx, uint64_t expirations)
{
	(void)ctx;
	return expirations > 0 ? 1 : 0;
}

static double wall_next_tick(void *ctx, double *gap_s)
{
	struct wall_clock *c = ctx;
	double now_s = monotonic_s() - c->origin_s;

	*gap_s = c->ticks ? now_s - c->last_s : c->tick_s;
	c->last_s = now_s;
	c->ticks++;
	return now_s;
}

static double wall_calendar_s(void *ctx, double now_s)
{
	struct timespec ts;

	(void)ctx;
	(void)now_s;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const struct hw_clock_ops wall_clock_ops = {
	.start = wall_start,
	.period_s = wall_period_s,
	.ticks_due = wall_ticks_due,
	.next_tick = wall_next_tick,
	.calendar_s = wall_calendar_s,
};

struct hw_clock wall_clock_init(struct wall_clock *c, double tick_s)
{
	memset(c, 0, sizeof(*c));
	c->tick_s = tick_s;
	return (struct hw_clock){ .ops = &wall_clock_ops, .ctx = c };
}
