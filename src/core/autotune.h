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
 *     Where the low duty is 0 (heat at a warm midpoint, where the pad
 *     needs little), the bridge drops its polarity in every low half and
 *     starts a fresh PWM period, on-time first, at every switch to high:
 *     a high half cut mid-period would have had more than its duty. So
 *     there the relay stays high to a whole number of PWM periods, and
 *     the pad gets exactly the duty the observer is told.
 *     The first AUTOTUNE_DISCARD_CYCLES cycles are let go (the approach's
 *     transient); the next `cycles` are measured: the peak-to-peak A, the
 *     time the relay was high (t_hi) and low (t_lo) in each.
 *  3. From the measured cycles (means) and the observer:
 *       a     = A / 2, period = t_hi + t_lo, d = (u_hi - u_lo) / 2: the
 *               relay's own figures, and its describing-function gain
 *               4 d / (pi a), reported as measured
 *       b     the Peltier's gain on the pad's rate in this polarity, C/s
 *               per duty: what the observer (pad_observer.h) has learned
 *               from the relay's steps. The pad is an integrator (its own
 *               pull toward the body is a hundredth of the Peltier's), so b
 *               is all the loop's gain there is to find. The relay's ramps
 *               give it too, b_r = A (1/t_hi + 1/t_lo) / (u_hi - u_lo), but
 *               biased: the pad moves in PWM steps, on-time first, and the
 *               estimate leads the true pad in the high halves by a step's
 *               worth (+15-20 % on the reference plant); b_r is reported,
 *               and a b_r more than 1.5 times off b (either way) fails the
 *               run: the reading does not follow the Peltier as a pad does.
 *               So does a b at the end of the observer's range (half to
 *               twice the reference gain): the true one may be beyond it
 *       theta the loop's dead time: the observer takes the sensor's lag
 *               out of the loop (the estimate carries a new duty at once),
 *               so what is left is the actuation's: a time-proportioned
 *               duty acts on average half a PWM period late (actuation_s,
 *               at least AUTOTUNE_MIN_DEAD_TIME_S)
 *       Ku    = pi / (2 b theta), Tu = 4 theta          the ultimate gain and
 *               period of an integrator with that dead time (the gain at
 *               which the loop oscillates, and its period)
 *     and the tuning rule, once both polarities are measured. What the
 *     gain sets mean (pid.h): heat_* act while the error asks for heat
 *     (the pad below the setpoint), cool_* while it asks for cooling, at
 *     every setpoint. So each set works on both plants: at the warm
 *     setpoint on the heating gain, at the cool one on the cooling gain.
 *     Ziegler-Nichols' rule for a proportional controller, kp = Ku / 2 (a
 *     gain margin of 2; for this plant 45 degrees of phase margin at the
 *     crossover kp b = pi / (4 theta)), where the set acts both ways; and
 *     kp = Ku where it can only take away what the hold needs: at the warm
 *     setpoint cooling is only less heat, down to none (the hold never
 *     reverses), a half-wave action whose describing-function gain is at
 *     most half its slope; likewise heat at the cool setpoint. So
 *       heat_kp = min(Ku_heat / 2, Ku_cool)
 *       cool_kp = min(Ku_cool / 2, Ku_heat)
 *       ki = kd = 0   the feed-forward supplies the steady duty (learned
 *                     online by the observer), so there is no offset for
 *                     an integral to remove; the derivative's job is done
 *                     by acting on the estimate PID_LOOKAHEAD_S ahead.
 *     (On the reference plant the cooling gain is 2.5 times smaller than
 *     the heating one, and cool_kp is bound by the warm setpoint: 3.8,
 *     where Ku_cool / 2 alone would give 4.9 and overshoot the warm holds.)
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
#define AUTOTUNE_HYSTERESIS_C       0.3     /* the relay's band around the midpoint */
#define AUTOTUNE_CYCLES             8       /* cycles measured per polarity */
#define AUTOTUNE_DISCARD_CYCLES     1       /* cycles let go before measuring */
#define AUTOTUNE_SETTLE_S           5.0     /* held at the midpoint before the relay starts */
#define AUTOTUNE_STAGE_TIMEOUT_S    300.0   /* an approach or a relay longer than this fails */
#define AUTOTUNE_MIN_DEAD_TIME_S    0.1     /* theta, whatever the PWM period */
#define AUTOTUNE_RELAY_AGREE        1.5     /* b_r within this factor of b */
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
	double pwm_period_s;    /* the bridge's PWM period (0: none): see the heat relay in step 2 */
	double actuation_s;     /* the delay the estimate does not see: half the PWM period */
};

/* The defaults above, with the midpoints, the zone's max_duty and the PWM period (actuation_s half of it). */
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
	double relay_plant_gain_c_per_s;        /* b_r */
	double plant_gain_c_per_s;      /* b */
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
	double low_due_s;       /* high, past the band: switch to low at this time (NaN: not yet) */
	double sum_pp_c, sum_hi_s, sum_lo_s, sum_inv_hi, sum_inv_lo;
	int n_measured;
	double bias, u_hi, u_lo;        /* fixed when the relay starts */
	struct autotune_result heat, cool;
	char why[160];          /* FAILED: the reason */
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
 * One polarity's loop figures from b and theta (step 3 above): Ku, Tu,
 * valid. Not valid (Ku, Tu and the gains NaN) unless both are > 0.
 */
void autotune_derive(struct autotune_result *r, double plant_gain_c_per_s, double dead_time_s);

/* The gains of both sets (heat->kp is heat_kp ...) from both polarities' Ku (step 3). */
void autotune_gains(struct autotune_result *heat, struct autotune_result *cool);

#endif
