/* SPDX-License-Identifier: MIT */
/* Virtual time for the simulated plant. See sim_clock.h. */
#include <string.h>
#include <time.h>
#include "lib/log.h"
#include "lib/loop.h"
#include "sim_clock.h"

static void sim_start(void *ctx)
{
	struct sim_clock *c = ctx;

	c->origin_wall_s = monotonic_s();
}

static double sim_period_s(void *ctx)
{
	struct sim_clock *c = ctx;

	if (!c->fast && (c->speed == 0.0 ||
			 (c->fast_after_s >= 0.0 && monotonic_s() - c->origin_wall_s >= c->fast_after_s)))
		c->fast = true;
	return c->fast ? 0.0 : c->tick_s / c->speed;
}

static uint64_t sim_ticks_due(void *ctx, uint64_t expirations)
{
	(void)ctx;
	return expirations;
}

static double sim_next_tick(void *ctx, double *gap_s)
{
	struct sim_clock *c = ctx;
	double prev_s = c->ticks ? c->now_s : -c->tick_s;
	double now_s = c->ticks ? c->now_s + c->tick_s : 0.0;

	hw_sim_advance(c->sim, now_s);
	/* An injected stall: the loop sleeps, the plant does not. */
	double stall_s = hw_sim_take_stall(c->sim);

	if (stall_s > 0.0) {
		/*
		 * At a watchable speed the stall is real too: the loop blocks, so
		 * the watchdog (sd_notify) and the socket see what systemd and a
		 * client would see of a stuck daemon.
		 */
		if (!c->fast && c->speed > 0.0) {
			double wall_s = stall_s / c->speed;
			struct timespec ts = { .tv_sec = (time_t)wall_s,
					       .tv_nsec = (long)((wall_s - (time_t)wall_s) * 1e9) };

			log_warning("injected loop stall: blocking for %.1f s", wall_s);
			nanosleep(&ts, NULL);
		}
		now_s += stall_s;
		hw_sim_advance(c->sim, now_s);
	}
	c->now_s = now_s;
	c->ticks++;
	*gap_s = now_s - prev_s;
	return now_s;
}

static double sim_calendar_s(void *ctx, double now_s)
{
	const struct sim_clock *c = ctx;

	return c->origin_calendar_s + now_s;
}

static const struct hw_clock_ops sim_clock_ops = {
	.start = sim_start,
	.period_s = sim_period_s,
	.ticks_due = sim_ticks_due,
	.next_tick = sim_next_tick,
	.calendar_s = sim_calendar_s,
};

struct hw_clock sim_clock_init(struct sim_clock *c, struct hw_sim *sim, double tick_s,
			       double speed, double fast_after_s)
{
	memset(c, 0, sizeof(*c));
	c->sim = sim;
	c->tick_s = tick_s;
	c->speed = speed;
	c->fast_after_s = fast_after_s;
	/* Virtual time 0 is the wall clock now: the anchor of its calendar. */
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	c->origin_calendar_s = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
	return (struct hw_clock){ .ops = &sim_clock_ops, .ctx = c };
}
