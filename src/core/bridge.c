/* SPDX-License-Identifier: MIT */
/* The H-bridge and its PWM as a pure state machine. See bridge.h. */
#include <float.h>
#include <math.h>
#include "bridge.h"

void bridge_init(struct bridge *b, const struct bridge_params *p, double now_s)
{
	b->p = *p;
	if (!(b->p.period_s > 0.0))
		b->p.period_s = 1.0;
	if (!(b->p.dead_time_s >= 0.0))
		b->p.dead_time_s = 0.0;
	if (!(b->p.min_pulse_s >= 0.0))
		b->p.min_pulse_s = 0.0;
	b->duty = 0.0;
	b->polarity = 0;
	b->pulse_on = false;
	b->period_start_s = now_s;
	/* Unknown before: count both as just released, so the first drive waits. */
	b->heat_off_s = now_s;
	b->cool_off_s = now_s;
	b->last_s = now_s;
	b->out = (struct bridge_out){ .next_edge_s = INFINITY };
}

double bridge_duty(const struct bridge *b)
{
	return b->duty;
}

/* The on-time per period for the commanded duty, after the min-pulse rules (s). */
static double on_time_s(const struct bridge *b)
{
	double on_s = fabs(b->duty) * b->p.period_s;

	if (on_s < b->p.min_pulse_s)
		return 0.0;             /* too short to be worth a pulse */
	if (b->p.period_s - on_s < b->p.min_pulse_s)
		return b->p.period_s;   /* the off-time would be a glitch: stay on */
	return on_s;
}

/* Make the lines so, noting when a polarity line goes inactive. */
static void set_lines(struct bridge *b, bool heat, bool cool, bool enable, double now_s)
{
	if (b->out.heat && !heat)
		b->heat_off_s = now_s;
	if (b->out.cool && !cool)
		b->cool_off_s = now_s;
	b->out.heat = heat;
	b->out.cool = cool;
	b->out.enable = enable;
}

/*
 * Slack in the dead-time comparison: a few ulps of the time, and at least
 * 0.1 ns. A timer armed for off + dead_time reports a time that, after
 * rounding in doubles (10.1 + 0.2 exceeds 10.3 at a clock base of 9000 s),
 * may fall a few ulps short of it; without slack the switch would wait a
 * whole tick. The dead time itself is never shortened by more than that.
 */
static double dead_time_slack_s(double t_s)
{
	return fmax(1e-10, 8.0 * DBL_EPSILON * fabs(t_s));
}

/* When the polarity `want` may be switched on: the other line has been off for the dead time. */
static double ready_s(const struct bridge *b, int want)
{
	return (want > 0 ? b->cool_off_s : b->heat_off_s) + b->p.dead_time_s;
}

static bool dead_time_over(const struct bridge *b, int want, double now_s)
{
	double at_s = ready_s(b, want);

	return now_s + dead_time_slack_s(at_s) >= at_s;
}

static void start_driving(struct bridge *b, int want, double now_s)
{
	b->polarity = want;
	b->period_start_s = now_s;
	b->pulse_on = on_time_s(b) > 0.0;
}

/* Run the PWM of the selected polarity up to now_s. */
static void advance_pwm(struct bridge *b, double now_s)
{
	const double period_s = b->p.period_s;
	double on_s = on_time_s(b);

	if (now_s >= b->period_start_s + period_s) {
		/* One or more period boundaries passed: move to the period now_s is in. */
		b->period_start_s += floor((now_s - b->period_start_s) / period_s) * period_s;
		while (b->period_start_s > now_s)
			b->period_start_s -= period_s;          /* floor() rounded up */
		while (now_s >= b->period_start_s + period_s)
			b->period_start_s += period_s;          /* ... or down */
		/* A pulse starts only if what is left of it is worth it (a late timer). */
		b->pulse_on = on_s >= period_s ||
			(on_s > 0.0 && b->period_start_s + on_s - now_s >= b->p.min_pulse_s);
	}
	if (b->pulse_on && on_s < period_s) {
		bool on_over = now_s >= b->period_start_s + on_s;
		bool off_worth_it = b->period_start_s + period_s - now_s >= b->p.min_pulse_s;

		if (on_over && off_worth_it)
			b->pulse_on = false;
	}
}

static double next_edge_s(const struct bridge *b, int want, double now_s)
{
	if (b->polarity == 0)
		return want != 0 ? ready_s(b, want) : INFINITY;

	double on_s = on_time_s(b);
	double period_end_s = b->period_start_s + b->p.period_s;

	if (b->pulse_on) {
		if (on_s >= b->p.period_s)
			return INFINITY;        /* on through every period: no edge */
		double on_end_s = b->period_start_s + on_s;

		return on_end_s > now_s ? on_end_s : period_end_s;
	}
	return on_s > 0.0 ? period_end_s : INFINITY;
}

void bridge_update(struct bridge *b, double duty, double now_s, struct bridge_out *out)
{
	if (isnan(duty))
		duty = 0.0;
	duty = fmax(-1.0, fmin(1.0, duty));
	if (isnan(now_s) || now_s < b->last_s)
		now_s = b->last_s;
	b->last_s = now_s;
	b->duty = duty;

	int want = duty > 0.0 ? 1 : duty < 0.0 ? -1 : 0;

	if (want == 0) {
		/* Off needs no dead time: everything inactive now. */
		b->polarity = 0;
		b->pulse_on = false;
	} else {
		if (b->polarity == -want) {
			/* A polarity change: drop the power and both polarity lines first. */
			b->polarity = 0;
			b->pulse_on = false;
			set_lines(b, false, false, false, now_s);
		}
		if (b->polarity == 0) {
			/* Polarity 0 means every line is inactive: wait out the dead time. */
			if (dead_time_over(b, want, now_s))
				start_driving(b, want, now_s);
		} else {
			advance_pwm(b, now_s);
		}
	}

	bool pol_heat = b->polarity > 0, pol_cool = b->polarity < 0;

	if (b->p.has_enable)
		set_lines(b, pol_heat, pol_cool, b->polarity != 0 && b->pulse_on, now_s);
	else
		set_lines(b, pol_heat && b->pulse_on, pol_cool && b->pulse_on, false, now_s);
	b->out.next_edge_s = next_edge_s(b, want, now_s);
	if (out)
		*out = b->out;
}

void bridge_poll(struct bridge *b, double now_s, struct bridge_out *out)
{
	bridge_update(b, b->duty, now_s, out);
}
