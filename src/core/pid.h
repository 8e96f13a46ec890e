/* SPDX-License-Identifier: MIT */
/*
 * Bipolar PID controller for one Peltier zone.
 *
 * Output in [-max_duty, +max_duty]: positive heats the pad, negative cools
 * it. Pure: the caller passes the time step; nothing here reads a clock.
 *
 *  - Separate gains for heating and cooling (a Peltier heats far more
 *    easily than it cools); the set is chosen by the sign of the error.
 *  - Derivative on the measurement, not the error, through a first-order
 *    low-pass filter: a setpoint step gives no derivative kick.
 *  - The integral is kept in output units (duty), so switching gain sets
 *    does not make the output jump.
 *  - Anti-windup: the integral does not grow while the output is saturated
 *    in the direction the error pushes, nor while the caller holds the
 *    output off (a safety inhibit, a failed read), nor while the error is
 *    larger than integral_band_c: on the way from warm to cool the P and D
 *    terms do the work, and an integral gathered there would overshoot.
 *  - A setpoint step that reverses the needed polarity (warm -> cool)
 *    clears the integral: no stale integral from the other polarity.
 *  - A deadband: outputs smaller than `deadband` in magnitude are 0, so
 *    the H-bridge does not chatter between polarities around zero.
 */
#ifndef CONTRASTD_PID_H
#define CONTRASTD_PID_H

#include <stdbool.h>

struct pid_gains {
	double kp;      /* duty per degree C */
	double ki;      /* duty per degree C per second */
	double kd;      /* duty per (degree C per second) */
};

struct pid_params {
	struct pid_gains heat;  /* used while the error asks for heat */
	struct pid_gains cool;  /* used while the error asks for cooling */
	double max_duty;        /* output clamp, 0 < max_duty <= 1 */
	double deadband;        /* |output| below this becomes 0 (duty) */
	double d_filter_s;      /* time constant of the derivative low-pass */
	double integral_band_c; /* integrate only while |error| <= this (<= 0: always) */
};

struct pid_state {
	double integral;        /* integral term, in duty */
	double prev_meas_c;     /* measurement at the previous step */
	double d_filtered;      /* filtered d(measurement)/dt, C per second */
	double prev_setpoint_c; /* to notice setpoint steps */
	bool primed;            /* prev_meas_c/prev_setpoint_c are valid */
	/* The last step's terms, for the trace (duty units). */
	double p_term, i_term, d_term, output;
};

/* Clear all state. The only place that clears it. */
void pid_reset(struct pid_state *s);

/*
 * One controller step. dt_s > 0. When held_off is true the caller will not
 * apply the output (safety inhibit, failed read): the state tracks the
 * measurement but the integral is frozen, and 0 is returned.
 * Returns the duty in [-max_duty, +max_duty], 0 inside the deadband.
 */
double pid_step(const struct pid_params *p, struct pid_state *s,
		double setpoint_c, double meas_c, double dt_s, bool held_off);

#endif
