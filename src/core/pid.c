/* SPDX-License-Identifier: MIT */
/* Bipolar PID for one Peltier zone. See pid.h for what it promises. */
#include <math.h>
#include <string.h>
#include "limits.h"
#include "pid.h"

void pid_reset(struct pid_state *s)
{
	memset(s, 0, sizeof(*s));
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * A setpoint step that reverses the needed polarity clears the integral.
 * Whether the pad needs heat or cooling at the new setpoint depends on the
 * ambient, which we do not know; the integral is the best record of which
 * polarity held the old setpoint. So: a step down while the integral heats,
 * or a step up while it cools, clears it. Clearing therefore only ever moves
 * the output the way the setpoint moved, and a same-direction step (warm to
 * warmer, cool to colder) keeps the integral it will need again.
 */
static void setpoint_step(struct pid_state *s, double setpoint_c)
{
	double step_c = setpoint_c - s->prev_setpoint_c;

	if ((step_c < 0.0 && s->integral > 0.0) || (step_c > 0.0 && s->integral < 0.0))
		s->integral = 0.0;
	s->prev_setpoint_c = setpoint_c;
}

/* First-order low-pass on d(measurement)/dt; the state keeps running while held off. */
static void update_derivative(const struct pid_params *p, struct pid_state *s,
			      double meas_c, double dt_s)
{
	double raw_c_per_s = (meas_c - s->prev_meas_c) / dt_s;
	double alpha = p->d_filter_s > 0.0 ? dt_s / (p->d_filter_s + dt_s) : 1.0;

	s->d_filtered += alpha * (raw_c_per_s - s->d_filtered);
	s->prev_meas_c = meas_c;
}

double pid_step(const struct pid_params *p, struct pid_state *s,
		double setpoint_c, double meas_c, double dt_s, bool held_off)
{
	double max_duty = fmin(p->max_duty, HARD_MAX_DUTY);
	const struct pid_gains *g;
	double error_c, out;

	/* A NaN would stay in the integral and the filter for good: refuse it, keep the state. */
	if (!isfinite(setpoint_c) || !isfinite(meas_c) || !(dt_s > 0.0) || !isfinite(dt_s)) {
		s->p_term = s->i_term = s->d_term = s->output = 0.0;
		return 0.0;
	}

	if (!s->primed) {
		/* No history: no derivative this step, and nothing counts as a setpoint step. */
		s->prev_meas_c = meas_c;
		s->prev_setpoint_c = setpoint_c;
		s->d_filtered = 0.0;
		s->primed = true;
	} else {
		/* Also while held off: a phase can change during an inhibit. */
		if (setpoint_c != s->prev_setpoint_c)
			setpoint_step(s, setpoint_c);
		update_derivative(p, s, meas_c, dt_s);
	}

	error_c = setpoint_c - meas_c;
	g = error_c >= 0.0 ? &p->heat : &p->cool;

	/* On the measurement, so a setpoint step has no derivative kick. */
	s->p_term = g->kp * error_c;
	s->d_term = -g->kd * s->d_filtered;

	/*
	 * Anti-windup by conditional integration: no growth while held off (the
	 * output is not applied, so the error says nothing about the gains), nor
	 * while the output already sits at the clamp in the direction the error
	 * pushes. The integral is also bounded by the clamp itself: more than
	 * max_duty of integral can never be needed.
	 */
	if (!held_off) {
		double pre = s->p_term + s->integral + s->d_term;
		bool pushing_sat = (error_c > 0.0 && pre >= max_duty) ||
				   (error_c < 0.0 && pre <= -max_duty);

		bool far = p->integral_band_c > 0.0 && fabs(error_c) > p->integral_band_c;

		if (!pushing_sat && !far)
			s->integral = clamp(s->integral + g->ki * error_c * dt_s,
					    -max_duty, max_duty);
	}
	s->i_term = s->integral;

	out = clamp(s->p_term + s->i_term + s->d_term, -max_duty, max_duty);
	/* The H-bridge must not flip polarity around zero on noise. */
	if (fabs(out) < p->deadband)
		out = 0.0;
	if (held_off)
		out = 0.0;
	s->output = out;
	return out;
}
