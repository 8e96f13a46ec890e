/* SPDX-License-Identifier: MIT */
/* The charge pump's wave as a function of time. See charge_pump.h. */
#include <math.h>
#include <string.h>
#include "charge_pump.h"

/*
 * Half periods counted from the origin, robust at an edge: a time that
 * is an edge up to rounding counts as past it, so the level there is the
 * new one and the next edge is the one after (never the same time again).
 */
#define EDGE_SLACK 1e-9

void charge_pump_params_from(const struct config *cfg, struct charge_pump_params *out)
{
	double period_s = 1.0 / cfg->daemon.control_hz;

	out->hz = cfg->charge_pump_hz;
	out->tick_deadline_s = CHARGE_PUMP_TICK_DEADLINE_PERIODS * period_s;
	out->fresh_s = cfg->safety.read_fail_count * period_s;
}

void charge_pump_init(struct charge_pump *cp, const struct charge_pump_params *p)
{
	memset(cp, 0, sizeof(*cp));
	cp->p = *p;
}

void charge_pump_stop(struct charge_pump *cp)
{
	cp->running = false;
}

bool charge_pump_running(const struct charge_pump *cp, double t_s)
{
	return cp->running && t_s < cp->until_s;
}

void charge_pump_tick(struct charge_pump *cp, double now_s, bool power, bool readings_ok)
{
	if (readings_ok) {
		cp->fresh = true;
		cp->fresh_at_s = now_s;
	}
	if (!power || !cp->fresh) {
		charge_pump_stop(cp);
		return;
	}
	double until_s = fmin(now_s + cp->p.tick_deadline_s, cp->fresh_at_s + cp->p.fresh_s);

	if (!(until_s > now_s)) {
		charge_pump_stop(cp);
		return;
	}
	/* A wave that runs keeps its phase; one that starts (again) starts with a rising edge now. */
	if (!charge_pump_running(cp, now_s))
		cp->origin_s = now_s;
	cp->running = true;
	cp->until_s = until_s;
}

static double half_period_s(const struct charge_pump *cp)
{
	return 0.5 / cp->p.hz;
}

/* The half period t_s is in, counted from the origin (0: the first, active). */
static double half_index(const struct charge_pump *cp, double t_s)
{
	return floor((t_s - cp->origin_s) / half_period_s(cp) + EDGE_SLACK);
}

bool charge_pump_level(const struct charge_pump *cp, double t_s)
{
	if (!charge_pump_running(cp, t_s) || t_s < cp->origin_s)
		return false;
	return fmod(half_index(cp, t_s), 2.0) == 0.0;
}

double charge_pump_next_edge_s(const struct charge_pump *cp, double t_s)
{
	if (!charge_pump_running(cp, t_s))
		return INFINITY;
	if (t_s < cp->origin_s)
		return cp->origin_s;
	double edge_s = cp->origin_s + (half_index(cp, t_s) + 1.0) * half_period_s(cp);

	if (edge_s < cp->until_s)
		return edge_s;
	/* The deadline: the line falls there if it is active; nothing rises after it. */
	return charge_pump_level(cp, t_s) ? cp->until_s : INFINITY;
}

double charge_pump_hold_s(const struct charge_pump_params *p)
{
	return CHARGE_PUMP_HOLD_PERIODS / p->hz;
}
