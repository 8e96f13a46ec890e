/* SPDX-License-Identifier: MIT */
/* One zone's controller: approach at full duty, hold with feed-forward. See pid.h. */
#include <math.h>
#include <string.h>
#include "limits.h"
#include "pid.h"

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int sign_of(double v)
{
	return v > 0.0 ? 1 : v < 0.0 ? -1 : 0;
}

static void clear_terms(struct pid_state *s)
{
	s->est_c = s->ff_term = s->p_term = s->i_term = s->d_term = s->output = 0.0;
}

void pid_reset(struct pid_state *s)
{
	memset(s, 0, sizeof(*s));
	pad_observer_reset(&s->obs);
	s->reading_c = NAN;
	pid_session_start(s);
}

void pid_session_start(struct pid_state *s)
{
	s->mode = PID_MODE_NONE;
	s->setpoint_c = NAN;
	s->approach_dir = 0;
	s->hold_polarity = 0;
	s->other_demand_s = 0.0;
	s->cross_s = 0.0;
	s->quiet_dir = 0;
	s->quiet_s = 0.0;
	s->unseen_s = 0.0;
	s->unseen_dir = 0;
	s->integral = 0.0;
	s->d_filtered = 0.0;
	clear_terms(s);
}

/* ---- observing ---------------------------------------------------------------- */

/*
 * Frozen: the raw value stood still for PID_FROZEN_S. What the observer
 * learned from the frozen ticks goes: back to the drift and gains of the
 * last tick the raw moved.
 */
static void watch_frozen(struct pid_state *s, double frozen_s)
{
	if (!(frozen_s > 0.0)) {
		s->frozen = false;
		s->learned_at_change[0] = s->obs.x[OBS_D];
		s->learned_at_change[1] = s->obs.x[OBS_BH];
		s->learned_at_change[2] = s->obs.x[OBS_BC];
	} else if (!s->frozen && frozen_s >= PID_FROZEN_S - 1e-9) {
		s->frozen = true;
		s->obs.x[OBS_D] = s->learned_at_change[0];
		s->obs.x[OBS_BH] = s->learned_at_change[1];
		s->obs.x[OBS_BC] = s->learned_at_change[2];
	}
}

/*
 * What the observer is told drove the pad over the last tick (dt_s) while
 * duty was commanded through the bridge (see pid.h), following the
 * bridge's PWM as bridge.h promises it: each period's on-time
 * |duty| * period at the period's start, ended early by a lower duty, not
 * started again within the period; a new period whenever it starts driving
 * a polarity. Without a known period, the duty itself.
 */
static double pwm_delivered(struct pid_state *s, double duty, double dt_s)
{
	const double period_s = s->pwm_period_s;
	int dir = sign_of(duty);

	double flushed = 0.0;   /* signed duty * s */

	s->quiet_s = fmax(0.0, s->quiet_s - dt_s);
	if (dir != s->pwm_dir && s->pwm_dir != 0) {
		/* It stopped (or reversed) at the tick's start: the rest of its period is quiet. */
		s->quiet_dir = s->pwm_dir;
		s->quiet_s = period_s > 0.0 ? fmax(0.0, period_s - s->pwm_age_s - dt_s) : 0.0;
		/* What it conducted and the observer was not told yet, it is told now. */
		flushed = s->pwm_dir * fmax(0.0, s->pwm_conducted_s - s->pwm_told_s);
	}
	if (s->pwm_dir != 0) {
		s->pwm_last_dir = s->pwm_dir;
		s->pwm_idle_s = 0.0;
	}
	if (dir != s->pwm_dir) {
		/* A reversal drives once the other line has been off for the dead time. */
		double wait_s = s->pwm_last_dir == -dir ? fmax(0.0, s->pwm_dead_time_s - s->pwm_idle_s) : 0.0;

		s->pwm_dir = dir;
		s->pwm_age_s = -wait_s;
		s->pwm_pulse_over = false;
		s->pwm_conducted_s = s->pwm_told_s = 0.0;
	}
	if (!(dt_s > 0.0))
		return 0.0;
	if (dir == 0) {
		s->pwm_idle_s += dt_s;
		return flushed / dt_s;
	}
	if (!(period_s > 0.0))
		return duty;

	double on_s = fabs(duty) * period_s, told_s = 0.0, left_s = dt_s;

	while (left_s > 1e-12) {
		double age_s = s->pwm_age_s;
		double seg_s = fmin(left_s, period_s - age_s);
		double tell_s;

		if (age_s < 0.0) {
			/* Not driving yet (the dead time). */
			seg_s = fmin(left_s, -age_s);
			s->pwm_age_s = age_s + seg_s < 1e-12 && age_s + seg_s > -1e-12 ? 0.0 : age_s + seg_s;
			left_s -= seg_s;
			continue;
		}
		if (!s->pwm_pulse_over) {
			s->pwm_conducted_s += clamp(on_s - age_s, 0.0, seg_s);
			if (on_s < age_s + seg_s - 1e-12)
				s->pwm_pulse_over = true;
		}
		if (!s->pwm_pulse_over)
			tell_s = fabs(duty) * seg_s;
		else    /* What it conducted and the observer has not been told, over the rest of the period. */
			tell_s = fmax(0.0, s->pwm_conducted_s - s->pwm_told_s) * seg_s / (period_s - age_s);
		s->pwm_told_s += tell_s;
		told_s += tell_s;
		s->pwm_age_s += seg_s;
		left_s -= seg_s;
		if (s->pwm_age_s >= period_s - 1e-12) {
			s->pwm_age_s = 0.0;
			s->pwm_pulse_over = false;
			s->pwm_conducted_s = s->pwm_told_s = 0.0;
		}
	}
	return (flushed + dir * told_s) / dt_s;
}

void pid_observe(struct pid_state *s, const struct pid_reading *r, double applied_duty, double dt_s,
		 double sensor_lag_s)
{
	double reading_c = isfinite(r->pad_c) ? r->pad_c : NAN;

	s->reading_c = reading_c;
	s->applied_duty = isfinite(applied_duty) ? applied_duty : 0.0;
	if (!s->obs.primed) {
		if (isfinite(reading_c))
			pad_observer_start(&s->obs, reading_c, false);
		return;
	}
	watch_frozen(s, r->frozen_s);
	s->delivered_duty = pwm_delivered(s, s->applied_duty, isfinite(dt_s) ? dt_s : 0.0);
	pad_observer_step(&s->obs, s->delivered_duty, dt_s, sensor_lag_s, s->frozen ? NAN : reading_c,
			  isfinite(r->sink_c) ? r->sink_c : NAN);
	if (!s->frozen && isfinite(reading_c) && dt_s > 0.0 && isfinite(dt_s)) {
		double a = dt_s / (1.0 + dt_s);         /* a 1 s low-pass */

		s->innovation_avg_c += a * (s->obs.innovation_c - s->innovation_avg_c);
	}
}

/* ---- deciding ------------------------------------------------------------------- */

/* The steady duty that holds the pad at setpoint_c: the drift there, cancelled by the Peltier. */
static double feed_forward(const struct pad_observer *o, double setpoint_c)
{
	double w = pad_observer_drift_c_per_s(o, setpoint_c);

	/* w < 0: the pad cools on its own, so it takes heat (and the heating gain). */
	return w < 0.0 ? -w / pad_observer_gain(o, +1) : -w / pad_observer_gain(o, -1);
}

/* A new setpoint: approach it at full duty, or hold it at once when it is near. */
static void new_setpoint(struct pid_state *s, double setpoint_c, double est_c, double ff)
{
	double gap_c = setpoint_c - est_c;

	s->setpoint_c = setpoint_c;
	s->integral = 0.0;
	s->other_demand_s = 0.0;
	s->cross_s = 0.0;
	s->unseen_s = 0.0;
	s->unseen_dir = 0;
	if (fabs(gap_c) > PID_APPROACH_BAND_C) {
		s->mode = PID_MODE_APPROACH;
		s->approach_dir = sign_of(gap_c);
	} else {
		s->mode = PID_MODE_HOLD;
		s->approach_dir = 0;
		if (fabs(ff) >= PID_POLARITY_SWITCH_DUTY || s->hold_polarity == 0)
			s->hold_polarity = ff >= 0.0 ? 1 : -1;
	}
}

/*
 * Holding: follow the feed-forward's sign (with hysteresis), or the law's
 * when it has asked for the other polarity long enough.
 */
static void update_hold_polarity(const struct pid_params *p, struct pid_state *s, double ff, double want,
				 double est_c, double dt_s)
{
	/* Past the setpoint on the side the polarity held cannot correct, by this much. */
	double past_c = (est_c - s->setpoint_c) * s->hold_polarity;
	/* And drifting further that way on its own. */
	double away = pad_observer_drift_c_per_s(&s->obs, est_c) * s->hold_polarity;

	if (sign_of(want) == -s->hold_polarity && fabs(want) > fmax(p->deadband, PID_POLARITY_SWITCH_DUTY))
		s->other_demand_s += dt_s;
	else
		s->other_demand_s = 0.0;
	if (sign_of(want) == -s->hold_polarity && past_c > PID_POLARITY_CROSS_C && away > 0.0)
		s->cross_s += dt_s;
	else
		s->cross_s = 0.0;
	/* The feed-forward's sign, once the law as a whole asks for it too (not while the pad is still short). */
	if (sign_of(ff) != s->hold_polarity && fabs(ff) >= PID_POLARITY_SWITCH_DUTY && sign_of(want) == sign_of(ff)) {
		s->hold_polarity = sign_of(ff);
		s->other_demand_s = 0.0;
	} else if (s->other_demand_s >= PID_POLARITY_DEMAND_S || s->cross_s >= PID_POLARITY_CROSS_S - 1e-9) {
		s->hold_polarity = sign_of(want);
		s->other_demand_s = 0.0;
		s->cross_s = 0.0;
	}
}

/*
 * One pulse per PWM period in the hold (see pid.h): a polarity that stopped
 * driving stays off until the period it stopped in has ended.
 */
static double one_pulse_per_period(const struct pid_state *s, double out)
{
	int dir = sign_of(out);

	if (s->mode == PID_MODE_HOLD && dir != 0 && s->pwm_dir == 0 && dir == s->quiet_dir && s->quiet_s > 1e-9)
		return 0.0;
	return out;
}

/*
 * Pushing at half duty or more with the reading near the setpoint, and the
 * reading does not follow the model that way although the heatsink shows
 * the Peltier pumping. See pid.h.
 */
static void watch_unseen(const struct pid_params *p, struct pid_state *s, double setpoint_c, double dt_s)
{
	int dir = s->applied_duty > 0.0 ? 1 : -1;
	bool pushing = fabs(s->applied_duty) >= 0.5 * fmin(p->max_duty, HARD_MAX_DUTY);
	bool near = fabs(s->reading_c - setpoint_c) <= PID_UNSEEN_NEAR_C;
	double sink_c = s->obs.sink_c;

	if (!pushing || !near || !(s->innovation_avg_c * dir < -PID_UNSEEN_C) || !isfinite(sink_c)) {
		s->unseen_s = 0.0;
		return;
	}
	if (s->unseen_s == 0.0)
		s->unseen_sink_c = sink_c;
	s->unseen_s += dt_s;
	/* Heating the pad cools the heatsink; cooling it heats it. */
	bool pumping = (s->unseen_sink_c - sink_c) * dir >= PID_UNSEEN_SINK_C;

	if (pumping && s->unseen_s >= (dir > 0 ? PID_UNSEEN_HEAT_S : PID_UNSEEN_COOL_S))
		s->unseen_dir = dir;
}

/*
 * What the supervisor will predict at the next tick, dt_s from now, if
 * duty drives the pad until then: the reading the observer expects then
 * plus the reading's rate then times the look-ahead, the age of the
 * supervisor's slope and twice the unmodelled lag.
 */
static double supervisor_prediction_c(const struct pad_observer *o, const struct pid_bounds *b, double reading_c,
				      double duty, double dt_s)
{
	double t_c = pad_observer_temp_c(o), s_c = o->x[OBS_S];
	/* The reading ahead of what the observer expects of it (that way): the supervisor sees the reading. */
	double ahead_of_model_c = isfinite(reading_c) ? reading_c - s_c : 0.0;

	ahead_of_model_c = duty >= 0.0 ? fmax(ahead_of_model_c, 0.0) : fmin(ahead_of_model_c, 0.0);
	double rate = pad_observer_rate_c_per_s(o, duty);
	double t_next_c = t_c + dt_s * rate;
	double lag_s = fmax(b->sensor_lag_s, 0.0);
	/*
	 * The duty decided now drives through the bridge's PWM: its on-time
	 * comes at the start of the period, so within the next period the pad
	 * may get the whole period's share of it (duty * period at full power)
	 * before the average catches up: that much further, and through a
	 * lagging sensor the prediction moves ahead / lag as much. The duty
	 * applied until now does not drive on: a lower one ends the pulse at
	 * once (bridge.h). (Counting it too, as this once did, made the cap
	 * swing between high and low on alternate ticks near a limit, and the
	 * bridge took the low ones: the approach to 40 C crept at 2x its bound.)
	 */
	double late_c = fmax(b->actuation_delay_s, 0.0) * (duty >= 0.0 ? fmax(rate, 0.0) : fmin(rate, 0.0));
	/*
	 * An unmodelled lag counts twice: the reading trails the pad by the
	 * rate times it (and goes on rising that much after the power drops),
	 * and the rate the observer sees, the reading's, trails the pad's
	 * while the pad speeds up.
	 */
	double ahead_s = fmax(b->predict_ahead_s, 0.0) + fmax(b->slope_age_s, 0.0) +
			 2.0 * fmax(b->unmodelled_lag_s, 0.0);

	if (lag_s < 1e-3)
		return t_next_c + late_c + ahead_of_model_c + ahead_s * rate;
	double s_next_c = s_c + (1.0 - exp(-dt_s / lag_s)) * (t_c - s_c) + dt_s * dt_s / (2.0 * lag_s) * rate;

	return s_next_c + ahead_of_model_c + ahead_s * (t_next_c + late_c - s_next_c) / lag_s;
}

/*
 * The most duty of polarity dir (0 < |duty| <= max_duty) whose prediction
 * stays PID_BOUND_MARGIN_C inside the bound that way; 0 when even none
 * does (the pad coasts). The prediction grows with the duty: bisection.
 */
static double bounded_duty(const struct pad_observer *o, const struct pid_bounds *b, double reading_c,
			   int dir, double max_duty, double dt_s)
{
	double bound_c = dir > 0 ? b->max_pad_c - PID_BOUND_MARGIN_C : b->min_pad_c + PID_BOUND_MARGIN_C;
	double ok = 0.0, bad = max_duty;

	if ((supervisor_prediction_c(o, b, reading_c, dir * max_duty, dt_s) - bound_c) * dir <= 0.0)
		return max_duty;
	if ((supervisor_prediction_c(o, b, reading_c, 0.0, dt_s) - bound_c) * dir > 0.0)
		return 0.0;
	for (int i = 0; i < 20; i++) {
		double mid = 0.5 * (ok + bad);

		if ((supervisor_prediction_c(o, b, reading_c, dir * mid, dt_s) - bound_c) * dir <= 0.0)
			ok = mid;
		else
			bad = mid;
	}
	return ok;
}

double pid_step(const struct pid_params *p, const struct pid_bounds *b, struct pid_state *s, double setpoint_c,
		double dt_s, bool held_off)
{
	double max_duty = fmin(p->max_duty, HARD_MAX_DUTY);
	double lo = -max_duty, hi = max_duty;

	clear_terms(s);
	/* Nothing to act on yet, or nonsense in: 0, and the state is kept. */
	if (!s->obs.primed || !isfinite(setpoint_c) || !(dt_s > 0.0) || !isfinite(dt_s))
		return 0.0;

	double est_c = pad_observer_temp_c(&s->obs);
	double rate = pad_observer_rate_c_per_s(&s->obs, s->applied_duty);
	double ff = feed_forward(&s->obs, setpoint_c);

	if (setpoint_c != s->setpoint_c)
		new_setpoint(s, setpoint_c, est_c, ff);

	/* Act on where the pad will be, not where it was. */
	double error_c = setpoint_c - (est_c + rate * PID_LOOKAHEAD_S);
	const struct pid_gains *g = error_c >= 0.0 ? &p->heat : &p->cool;
	double alpha = p->d_filter_s > 0.0 ? dt_s / (p->d_filter_s + dt_s) : 1.0;

	/* The derivative term acts on the estimated rate (smooth already), low-passed. */
	s->d_filtered += alpha * (rate - s->d_filtered);
	s->est_c = est_c;
	s->ff_term = ff;
	s->p_term = g->kp * error_c;
	s->d_term = -g->kd * s->d_filtered;
	s->i_term = s->integral;
	s->pwm_period_s = b && isfinite(b->actuation_delay_s) && b->actuation_delay_s > 0.0 ? b->actuation_delay_s : 0.0;
	s->pwm_dead_time_s = b && isfinite(b->dead_time_s) && b->dead_time_s > 0.0 ? b->dead_time_s : 0.0;
	if (held_off)
		return 0.0;

	double want = ff + s->p_term + s->integral + s->d_term;

	/* Which polarity may drive. */
	if (s->mode == PID_MODE_APPROACH) {
		if (s->approach_dir > 0)
			lo = 0.0;
		else
			hi = 0.0;
	} else {
		update_hold_polarity(p, s, ff, want, est_c, dt_s);
		bool far_past = s->hold_polarity > 0 ? error_c < -PID_REVERSE_BAND_C : error_c > PID_REVERSE_BAND_C;

		if (s->hold_polarity > 0 && !far_past)
			lo = 0.0;
		if (s->hold_polarity < 0 && !far_past)
			hi = 0.0;
	}
	watch_unseen(p, s, setpoint_c, dt_s);
	if (s->unseen_dir > 0)
		hi = fmin(hi, 0.0);
	if (s->unseen_dir < 0)
		lo = fmax(lo, 0.0);

	double out = clamp(want, lo, hi);

	if (s->mode == PID_MODE_APPROACH) {
		/* The stopping point: the law asks for less than full, or the pad is there. */
		if (fabs(out) < max_duty - 1e-9 || error_c * s->approach_dir <= 0.0) {
			s->mode = PID_MODE_HOLD;
			s->hold_polarity = fabs(ff) >= PID_POLARITY_SWITCH_DUTY && sign_of(want) == sign_of(ff) ?
					   sign_of(ff) : s->approach_dir;
		}
	} else if (g->ki > 0.0) {
		/* Conditional integration: not into the clamp, not far out. */
		bool pushing_sat = (error_c > 0.0 && want >= hi) || (error_c < 0.0 && want <= lo);
		bool far = p->integral_band_c > 0.0 && fabs(error_c) > p->integral_band_c;

		if (!pushing_sat && !far)
			s->integral = clamp(s->integral + g->ki * error_c * dt_s, -max_duty, max_duty);
	}
	/* The supervisor's band: no faster toward a limit than its prediction allows. */
	if (b && out > 0.0 && isfinite(b->max_pad_c))
		out = fmin(out, bounded_duty(&s->obs, b, s->frozen ? NAN : s->reading_c, +1, max_duty, dt_s));
	if (b && out < 0.0 && isfinite(b->min_pad_c))
		out = fmax(out, -bounded_duty(&s->obs, b, s->frozen ? NAN : s->reading_c, -1, max_duty, dt_s));
	if (fabs(out) < p->deadband)
		out = 0.0;
	out = one_pulse_per_period(s, out);
	s->output = out;
	return out;
}
