/* SPDX-License-Identifier: MIT */
/*
 * Autotune: a relay (Astrom-Hagglund) experiment on one zone, in each
 * polarity, that finds the zone's hold gains (heat_kp .. cool_kd).
 *
 * The experiment, heat first, then cool:
 *  1. Approach: the ordinary controller (pid.h) takes the pad to the
 *     polarity's midpoint (autotune_step says so: use_controller) and
 *     holds it there AUTOTUNE_SETTLE_S.
 *  2. Relay: the duty switches between bias + relay_duty and
 *     bias - relay_duty (clamped into the polarity: heat never goes below
 *     0, cool never above 0; bias is the duty the observer says holds the
 *     pad at the midpoint) whenever the signal leaves the band
 *     midpoint +- hysteresis_c. The signal is the controller's own: the
 *     observer's estimate of the true pad temperature (pad_observer.h).
 *     The first AUTOTUNE_DISCARD_CYCLES cycles are let go (the approach's
 *     transient); the next `cycles` are measured: the peak-to-peak A, the
 *     time the relay was high (t_hi) and low (t_lo) in each.
 *  3. From the measured cycles (means):
 *       d     = (u_hi - u_lo) / 2, a = A / 2, period = t_hi + t_lo
 *       b     = A (1/t_hi + 1/t_lo) / (u_hi - u_lo)     the Peltier's gain on
 *               the pad's rate, C/s per duty: the pad is an integrator (its
 *               own pull toward the body is a hundredth of the Peltier's),
 *               so each half-cycle is a ramp; the sum of the two slopes
 *               cancels the drift, whatever the bias
 *       theta_r = (A - 2 hysteresis_c) / (A/t_hi + A/t_lo)   how far each
 *               ramp ran past the band: the dead time the relay saw. The
 *               observer carries a new duty into its estimate at once, so
 *               this is about the sampling only (half a tick); the delay
 *               it cannot see is the actuation's: a time-proportioned duty
 *               acts on average half a PWM period late (actuation_s). The
 *               loop's dead time theta = max(theta_r, actuation_s).
 *       Ku    = pi / (2 b theta), Tu = 4 theta          the ultimate gain and
 *               period of an integrator with that dead time (what a relay
 *               without hysteresis or sampling, on a plant with that
 *               delay, would show as 4 d / (pi a0))
 *     and the tuning rule, Ziegler-Nichols' for a proportional controller:
 *       kp = Ku / 2   (a gain margin of 2; for this plant a phase margin of
 *                      45 degrees at the crossover kp b = pi / (4 theta))
 *       ki = kd = 0   the feed-forward supplies the steady duty (learned
 *                     online by the observer), so there is no offset for
 *                     an integral to remove; the derivative's job is done
 *                     by acting on the estimate PID_LOOKAHEAD_S ahead.
 *     The relay's own figures (amplitude a, period t_hi + t_lo, the
 *     describing-function gain 4 d / (pi a)) are reported as measured.
 *  4. Done: the result of both polarities; or failed, with the reason.
 *
 * A stage that takes longer than AUTOTUNE_STAGE_TIMEOUT_S fails the run.
 * Nothing here drives anything: the caller applies the command, under the
 * safety supervisor, and ends the run on a trip, a stop or the button
 * (autotune_cancel).
 *
 * Pure: time is an argument; no I/O, no allocation.
 */
#ifndef CONTRASTD_AUTOTUNE_H
#define CONTRASTD_AUTOTUNE_H

#include <stdbool.h>
#include "pad_observer.h"

#define AUTOTUNE_RELAY_DUTY         0.2     /* d: half the relay's swing */
#define AUTOTUNE_HYSTERESIS_C       0.1     /* the relay's band around the midpoint */
#define AUTOTUNE_CYCLES             6       /* cycles measured per polarity */
#define AUTOTUNE_DISCARD_CYCLES     1       /* cycles let go before measuring */
#define AUTOTUNE_SETTLE_S           5.0     /* held at the midpoint before the relay starts */
#define AUTOTUNE_STAGE_TIMEOUT_S    300.0   /* an approach or a relay longer than this fails */
/* The longest a whole run can take: the supervisor's session-time limit while it runs. */
#define AUTOTUNE_MAX_S              (4.0 * AUTOTUNE_STAGE_TIMEOUT_S)

enum autotune_stage {
	AUTOTUNE_NONE,          /* never run */
	AUTOTUNE_APPROACH,      /* the controller takes the pad to the midpoint */
	AUTOTUNE_RELAY,
	AUTOTUNE_DONE,
	AUTOTUNE_FAILED,        /* timed out, cancelled or tripped: why says which */
};

const char *autotune_stage_name(enum autotune_stage s);    /* "approach", "relay", ... */

struct autotune_params {
	double heat_mid_c;      /* the heat experiment's midpoint */
	double cool_mid_c;      /* the cool experiment's midpoint */
	double max_duty;        /* the zone's max_duty */
	double relay_duty;      /* d (> 0) */
	double hysteresis_c;    /* >= 0 */
	int cycles;             /* >= 1 */
	double actuation_s;     /* the delay the estimate does not see: half the PWM period */
};

/* The defaults above, with the midpoints, the zone's max_duty and the PWM period. */
void autotune_default_params(struct autotune_params *p, double heat_mid_c, double cool_mid_c, double max_duty,
			     double pwm_period_s);

/* What one polarity's relay measured, and the gains from it. */
struct autotune_result {
	bool valid;
	int cycles;             /* measured */
	double mid_c;
	double u_hi, u_lo;      /* the relay's two duties */
	double amplitude_c;     /* a: half the peak-to-peak of the estimate */
	double period_s;        /* t_hi + t_lo */
	double relay_gain;      /* 4 d / (pi a): the relay's describing-function gain */
	double plant_gain_c_per_s;      /* b */
	double relay_dead_time_s;       /* theta_r */
	double dead_time_s;     /* theta */
	double ku;              /* ultimate gain, duty per C */
	double tu_s;            /* ultimate period */
	double kp, ki, kd;
};

struct autotune {
	struct autotune_params p;
	enum autotune_stage stage;
	int polarity;           /* +1 heat (first), -1 cool */
	double started_s;       /* of the run */
	double stage_s;         /* when the stage began */
	double settled_since_s; /* approach: in the band since (NaN: not) */
	/* The relay. */
	bool high;              /* the relay's output is u_hi */
	bool switched;          /* it has switched at least once */
	int cycle;              /* full cycles seen (a cycle ends at a switch to high) */
	double switch_s;        /* the last switch */
	double cycle_min_c, cycle_max_c;        /* of the estimate in this cycle */
	double t_hi_s, t_lo_s;  /* this cycle's durations */
	double sum_pp_c, sum_hi_s, sum_lo_s, sum_inv_hi, sum_inv_lo;
	int n_measured;
	double bias, u_hi, u_lo;        /* fixed when the relay starts */
	struct autotune_result heat, cool;
	char why[96];           /* FAILED: the reason */
};

/* What the caller does this tick. */
struct autotune_command {
	bool use_controller;    /* run the ordinary controller toward setpoint_c */
	double setpoint_c;      /* the midpoint (the supervisor's setpoint too) */
	double duty;            /* otherwise: drive this duty (signed) */
};

/* Start a run at now_s (the first stage: the heat approach). */
void autotune_start(struct autotune *a, const struct autotune_params *p, double now_s);

/* A run is under way (approach or relay). */
bool autotune_active(const struct autotune *a);

/*
 * One tick at now_s, with the zone's observer (its estimate is the
 * signal, its drift and gain give the bias). Fills cmd; when the run ends
 * this tick (done or failed), cmd is duty 0 and the caller drives nothing.
 */
void autotune_step(struct autotune *a, double now_s, const struct pad_observer *obs, struct autotune_command *cmd);

/* End a run under way as failed with that reason (a stop, the button, a trip). */
void autotune_cancel(struct autotune *a, const char *why);

/*
 * Derive one polarity's result from a relay's figures (the maths of step
 * 3 above, for the tests too): the actuation delay, peak-to-peak pp_c, the mean of the high
 * and low times and of their inverses.
 */
void autotune_derive(struct autotune_result *r, double u_hi, double u_lo, double hysteresis_c, double actuation_s,
		     double pp_c, double t_hi_s, double t_lo_s, double inv_hi, double inv_lo);

#endif
