/* SPDX-License-Identifier: MIT */
/* The relay experiment that finds a zone's hold gains. See autotune.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "autotune.h"

/* The approach counts as there within this of the midpoint (or the relay's band, if wider). */
#define SETTLE_BAND_C   0.2
/* Times within this of a PWM period's end count as at it (s; ticks are not exact). */
#define PERIOD_EPS      1e-3

const char *autotune_stage_name(enum autotune_stage s)
{
	switch (s) {
	case AUTOTUNE_NONE: return "none";
	case AUTOTUNE_APPROACH: return "approach";
	case AUTOTUNE_RELAY: return "relay";
	case AUTOTUNE_DONE: return "done";
	case AUTOTUNE_FAILED: return "failed";
	}
	return "unknown";
}

void autotune_default_params(struct autotune_params *p, double heat_mid_c, double cool_mid_c, double max_duty,
			     double pwm_period_s)
{
	memset(p, 0, sizeof(*p));
	p->heat_mid_c = heat_mid_c;
	p->cool_mid_c = cool_mid_c;
	p->max_duty = max_duty;
	p->relay_duty = AUTOTUNE_RELAY_DUTY;
	p->hysteresis_c = AUTOTUNE_HYSTERESIS_C;
	p->cycles = AUTOTUNE_CYCLES;
	p->pwm_period_s = pwm_period_s > 0.0 ? pwm_period_s : 0.0;
	p->actuation_s = p->pwm_period_s / 2.0;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double mid_of(const struct autotune *a)
{
	return a->polarity > 0 ? a->p.heat_mid_c : a->p.cool_mid_c;
}

static struct autotune_result *result_of(struct autotune *a)
{
	return a->polarity > 0 ? &a->heat : &a->cool;
}

static void begin_approach(struct autotune *a, int polarity, double now_s)
{
	a->stage = AUTOTUNE_APPROACH;
	a->polarity = polarity;
	a->stage_s = now_s;
	a->settled_since_s = NAN;
}

void autotune_start(struct autotune *a, const struct autotune_params *p, double now_s)
{
	memset(a, 0, sizeof(*a));
	a->p = *p;
	a->started_s = now_s;
	begin_approach(a, +1, now_s);
}

bool autotune_active(const struct autotune *a)
{
	return a->stage == AUTOTUNE_APPROACH || a->stage == AUTOTUNE_RELAY;
}

void autotune_cancel(struct autotune *a, const char *why)
{
	if (!autotune_active(a))
		return;
	a->stage = AUTOTUNE_FAILED;
	snprintf(a->why, sizeof(a->why), "%s", why);
}

static void fail(struct autotune *a, const char *why)
{
	a->stage = AUTOTUNE_FAILED;
	snprintf(a->why, sizeof(a->why), "%s %s", a->polarity > 0 ? "heat:" : "cool:", why);
}

void autotune_derive(struct autotune_result *r, double plant_gain_c_per_s, double dead_time_s)
{
	r->plant_gain_c_per_s = plant_gain_c_per_s;
	r->dead_time_s = dead_time_s;
	r->valid = plant_gain_c_per_s > 0.0 && dead_time_s > 0.0 && isfinite(plant_gain_c_per_s) &&
		   isfinite(dead_time_s);
	if (!r->valid) {
		r->ku = r->tu_s = r->kp = r->ki = r->kd = NAN;
		return;
	}
	r->ku = M_PI / (2.0 * plant_gain_c_per_s * dead_time_s);
	r->tu_s = 4.0 * dead_time_s;
	r->kp = r->ki = r->kd = NAN;
}

void autotune_gains(struct autotune_result *heat, struct autotune_result *cool)
{
	heat->kp = fmin(heat->ku / 2.0, cool->ku);
	cool->kp = fmin(cool->ku / 2.0, heat->ku);
	heat->ki = heat->kd = cool->ki = cool->kd = 0.0;
}

/* The relay starts: its duties around the observer's bias at the midpoint. */
static void begin_relay(struct autotune *a, double now_s, const struct pad_observer *obs, double est_c)
{
	double mid_c = mid_of(a);
	double w = pad_observer_drift_c_per_s(obs, mid_c);
	double max = a->p.max_duty;

	double gain = pad_observer_gain(obs, w < 0.0 ? +1 : -1);

	if (!isfinite(w) || !(gain > 0.0)) {
		fail(a, "the observer has no drift or Peltier gain to take the relay's bias from");
		return;
	}
	a->bias = -w / gain;
	if (a->polarity > 0) {
		a->u_hi = clamp(a->bias + a->p.relay_duty, 0.0, max);
		a->u_lo = clamp(a->bias - a->p.relay_duty, 0.0, max);
	} else {
		a->u_hi = clamp(a->bias + a->p.relay_duty, -max, 0.0);
		a->u_lo = clamp(a->bias - a->p.relay_duty, -max, 0.0);
	}
	if (a->u_hi - a->u_lo < 0.25 * a->p.relay_duty) {
		fail(a, a->polarity > 0 ? "the pad warms by itself at the midpoint: no heat relay there" :
		     "the pad cools by itself at the midpoint: no cool relay there");
		return;
	}
	a->stage = AUTOTUNE_RELAY;
	a->stage_s = now_s;
	a->high = est_c < mid_c;
	a->low_due_s = NAN;
	a->switched = false;
	a->cycle = 0;
	a->switch_s = now_s;
	a->cycle_min_c = a->cycle_max_c = est_c;
	a->t_hi_s = a->t_lo_s = 0.0;
	a->low_due_s = NAN;
	a->sum_pp_c = a->sum_hi_s = a->sum_lo_s = a->sum_inv_hi = a->sum_inv_lo = 0.0;
	a->n_measured = 0;
}

static void finish_polarity(struct autotune *a, double now_s, const struct pad_observer *obs)
{
	struct autotune_result *r = result_of(a);
	double n = a->n_measured, swing = a->u_hi - a->u_lo;

	memset(r, 0, sizeof(*r));
	r->cycles = a->n_measured;
	r->mid_c = mid_of(a);
	r->u_hi = a->u_hi;
	r->u_lo = a->u_lo;
	r->amplitude_c = a->sum_pp_c / n / 2.0;
	r->period_s = (a->sum_hi_s + a->sum_lo_s) / n;
	r->relay_gain = r->amplitude_c > 0.0 ? 4.0 * (swing / 2.0) / (M_PI * r->amplitude_c) : NAN;
	r->relay_plant_gain_c_per_s = 2.0 * r->amplitude_c * (a->sum_inv_hi + a->sum_inv_lo) / n / swing;
	autotune_derive(r, pad_observer_gain(obs, a->polarity), fmax(a->p.actuation_s, AUTOTUNE_MIN_DEAD_TIME_S));
	double agree = r->relay_plant_gain_c_per_s / r->plant_gain_c_per_s;

	if (!r->valid) {
		fail(a, "the observer has no Peltier gain");
		return;
	}
	double ref = a->polarity > 0 ? PAD_OBSERVER_HEAT_GAIN_C_PER_S : PAD_OBSERVER_COOL_GAIN_C_PER_S;

	if (r->plant_gain_c_per_s <= PAD_OBSERVER_GAIN_MIN * ref * (1.0 + 1e-6) ||
	    r->plant_gain_c_per_s >= PAD_OBSERVER_GAIN_MAX * ref * (1.0 - 1e-6)) {
		r->valid = false;
		fail(a, "the Peltier's gain is at the end of what the observer can learn (pad_observer.h)");
		return;
	}
	if (!(agree <= AUTOTUNE_RELAY_AGREE && agree >= 1.0 / AUTOTUNE_RELAY_AGREE)) {
		char why[112];

		snprintf(why, sizeof(why), "the relay's ramps (%.3f C/s/duty) and the observer (%.3f) disagree",
			 r->relay_plant_gain_c_per_s, r->plant_gain_c_per_s);
		r->valid = false;
		fail(a, why);
		return;
	}
	if (a->polarity > 0) {
		begin_approach(a, -1, now_s);
	} else {
		autotune_gains(&a->heat, &a->cool);
		a->stage = AUTOTUNE_DONE;
	}
}

/* The relay switches to high: a cycle ends (measured, once the first are let go). */
static void cycle_ends(struct autotune *a, double now_s, const struct pad_observer *obs)
{
	if (a->switched && a->t_hi_s > 0.0 && a->t_lo_s > 0.0) {
		if (a->cycle >= AUTOTUNE_DISCARD_CYCLES) {
			a->sum_pp_c += a->cycle_max_c - a->cycle_min_c;
			a->sum_hi_s += a->t_hi_s;
			a->sum_lo_s += a->t_lo_s;
			a->sum_inv_hi += 1.0 / a->t_hi_s;
			a->sum_inv_lo += 1.0 / a->t_lo_s;
			a->n_measured++;
		}
		a->cycle++;
	}
	a->t_hi_s = a->t_lo_s = 0.0;
	if (a->n_measured >= a->p.cycles)
		finish_polarity(a, now_s, obs);
}

static void relay_step(struct autotune *a, double now_s, double est_c, const struct pad_observer *obs)
{
	double mid_c = mid_of(a), h = fmax(a->p.hysteresis_c, 0.0);

	a->cycle_min_c = fmin(a->cycle_min_c, est_c);
	a->cycle_max_c = fmax(a->cycle_max_c, est_c);
	if (a->high && isnan(a->low_due_s) && est_c > mid_c + h) {
		/* Past the band: low now, or at the end of the PWM period where the low drops the polarity. */
		double period_s = a->p.pwm_period_s, high_s = now_s - a->switch_s;

		a->low_due_s = now_s;
		if (a->u_lo == 0.0 && period_s > 0.0)
			a->low_due_s = a->switch_s + ceil(high_s / period_s - PERIOD_EPS) * period_s;
	}
	if (a->high && !isnan(a->low_due_s) && now_s >= a->low_due_s - PERIOD_EPS) {
		a->low_due_s = NAN;
		a->t_hi_s = now_s - a->switch_s;
		a->high = false;
		a->switch_s = now_s;
	} else if (!a->high && est_c < mid_c - h) {
		a->t_lo_s = now_s - a->switch_s;
		a->high = true;
		a->switch_s = now_s;
		cycle_ends(a, now_s, obs);
		/* The next cycle's extremes start here, at the switch. */
		a->cycle_min_c = a->cycle_max_c = est_c;
		a->switched = true;
	}
}

void autotune_step(struct autotune *a, double now_s, const struct pad_observer *obs, struct autotune_command *cmd)
{
	double est_c = pad_observer_temp_c(obs);

	memset(cmd, 0, sizeof(*cmd));
	if (!autotune_active(a))
		return;
	cmd->setpoint_c = mid_of(a);
	if (!isfinite(est_c)) {
		/* No estimate (no reading yet): nothing drives; the stage's clock runs on. */
		if (now_s - a->stage_s > AUTOTUNE_STAGE_TIMEOUT_S)
			fail(a, "no pad temperature");
		return;
	}
	if (now_s - a->stage_s > AUTOTUNE_STAGE_TIMEOUT_S) {
		fail(a, a->stage == AUTOTUNE_APPROACH ? "the pad did not reach the midpoint in time" :
		     "the relay did not oscillate in time");
		return;
	}
	if (a->stage == AUTOTUNE_APPROACH) {
		double band_c = fmax(SETTLE_BAND_C, a->p.hysteresis_c);

		if (fabs(est_c - mid_of(a)) > band_c)
			a->settled_since_s = NAN;
		else if (isnan(a->settled_since_s))
			a->settled_since_s = now_s;
		if (!isnan(a->settled_since_s) && now_s - a->settled_since_s >= AUTOTUNE_SETTLE_S)
			begin_relay(a, now_s, obs, est_c);
	} else {
		relay_step(a, now_s, est_c, obs);
	}
	if (!autotune_active(a))
		return;
	cmd->setpoint_c = mid_of(a);
	if (a->stage == AUTOTUNE_APPROACH)
		cmd->use_controller = true;
	else
		cmd->duty = a->high ? a->u_hi : a->u_lo;
}
