/* SPDX-License-Identifier: MIT */
/*
 * The controller of one Peltier zone: it moves the pad to a new setpoint
 * as fast as the Peltier can and then holds it there, acting on the pad's
 * true temperature as the observer estimates it (pad_observer.h), not on
 * the lagging reading.
 *
 * Output in [-max_duty, +max_duty]: positive heats the pad, negative cools
 * it. Pure: the caller passes the time step; nothing here reads a clock.
 *
 *  - Observe: every tick, with the reading (or none) and the duty that
 *    drove the pad since the last tick, whether a session runs or not, so
 *    a session starts from a converged estimate.
 *  - Approach: a new setpoint more than PID_APPROACH_BAND_C from the
 *    estimate is approached at full duty, in one polarity only, until the
 *    control law below asks for less than full (the predicted stopping
 *    point: the pad has no inertia of its own worth the name, so power can
 *    stay full almost to the setpoint).
 *  - Hold: duty = feed-forward + feedback. The feed-forward is the steady
 *    duty the pad needs at the setpoint, from the observer's drift and
 *    Peltier gain, both learned online (body, room and heatsink included
 *    in the drift); the feedback corrects what is left:
 *      kp e + ki integral(e) - kd (filtered estimated rate),
 *    e = setpoint - (estimate + estimated rate * PID_LOOKAHEAD_S), gains
 *    from the set the error asks for (heat_* for e >= 0, cool_*).
 *  - Polarity: outside a setpoint change the output keeps the polarity the
 *    hold needs (the sign of the feed-forward, with hysteresis
 *    PID_POLARITY_SWITCH_DUTY, once the whole law asks for it too; or the
 *    sign the law has asked for over PID_POLARITY_DEMAND_S, or over
 *    PID_POLARITY_CROSS_S when the pad drifts away from the setpoint on
 *    the side the polarity held cannot correct); it drops to 0 rather than
 *    reverse, unless the pad is more than PID_REVERSE_BAND_C past the
 *    setpoint.
 *  - A frozen reading (its raw value unchanged for PID_FROZEN_S: a stuck
 *    ADC or wire, or a very quiet one at a steady temperature) is not
 *    used, and what the observer learned of the drift and the gains from
 *    the frozen ticks is undone: the observer carries on from its model,
 *    so the pad is held where the model says the setpoint is, and a stuck
 *    sensor cannot make the controller drive blind toward a reading that
 *    never comes. (The supervisor's pad-sensor-unresponsive check, or
 *    sensor-stale, then ends the session.)
 *  - A push the reading does not see: while driving at half duty or more
 *    with the reading within PID_UNSEEN_NEAR_C of the setpoint (where the
 *    supervisor's runaway checks, armed by a reading far from it, are
 *    blind), the reading trails what the model expects in that direction
 *    by PID_UNSEEN_C although the heatsink shows the Peltier pumping (it
 *    moved PID_UNSEEN_SINK_C the other way since the push began): the
 *    heat goes somewhere the sensor is not (a sensor off the pad reads the
 *    room). After PID_UNSEEN_HEAT_S of that while heating
 *    (PID_UNSEEN_COOL_S cooling: cooling blind is bounded by what the
 *    Peltier can do) that polarity stays off until the next setpoint
 *    change. A dead Peltier (the heatsink still) or a reversed one (the
 *    heatsink the wrong way, the reading too) is pushed on, for the
 *    supervisor's runaway checks to see.
 *  - Integral (ki > 0 only): only while holding, not held off, not pushing
 *    into the clamp, and within integral_band_c; cleared at every setpoint
 *    change.
 *  - The supervisor's band: given the limits in force and how far the
 *    supervisor's prediction looks ahead (struct pid_bounds, from
 *    safety_limits_for), the duty is capped so that what the supervisor
 *    will predict at the next tick (the reading the observer expects plus
 *    its rate times the look-ahead and the unmodelled lag, and what the
 *    new duty's PWM period may add) stays PID_BOUND_MARGIN_C inside them:
 *    near a limit the pad is approached no faster than the prediction
 *    allows, and a clean session does not trip the supervisor. The cap
 *    only lowers the duty toward 0; it never reverses the polarity.
 *  - What the bridge delivered: the bridge's PWM (bridge.h) puts each
 *    period's on-time at the period's start, ends it early when the duty
 *    drops, and does not start it again within the period, so a duty that
 *    moves within a period delivers other than its average: the approach
 *    handing over to the hold, or the supervisor's band moving the duty
 *    every tick, left the model up to 0.45 C ahead of the pad. The
 *    observer is told the duty commanded while the period's pulse is on;
 *    once it is over, what the bridge actually conducted in that period
 *    and it has not been told yet, spread over the rest of the period, or
 *    at once when the drive stops or reverses (a steady duty so tells it
 *    exactly that duty; the pulses themselves would make the estimate a
 *    sawtooth for the hold to chase). The PWM period is
 *    pid_bounds.actuation_delay_s, the dead time before a reversal drives
 *    pid_bounds.dead_time_s; without bounds the duty is taken as delivered
 *    evenly.
 *  - One pulse per PWM period in the hold: the bridge starts a new PWM
 *    period whenever it starts driving, so an output flickering between 0
 *    and a small duty would give a pulse every other tick, many times the
 *    duty asked for (at 10 Hz and a 1 s period, up to 5x). Once the hold's
 *    output drops to 0, that polarity stays off until the period it was
 *    driving in has ended.
 *  - A deadband: outputs smaller than `deadband` in magnitude are 0.
 *  - Held off (a safety inhibit, a failed read): 0, and the integral and
 *    mode do not move.
 */
#ifndef CONTRASTD_PID_H
#define CONTRASTD_PID_H

#include <stdbool.h>
#include "pad_observer.h"

/* Compiled-in tuning of the approach and the hold (not config keys). */
#define PID_APPROACH_BAND_C       0.3   /* a setpoint change bigger than this is approached at full duty */
#define PID_LOOKAHEAD_S           0.15  /* act on where the pad will be this much later */
#define PID_POLARITY_SWITCH_DUTY  0.05  /* the hold's polarity follows the feed-forward past this */
#define PID_REVERSE_BAND_C        1.0   /* past the setpoint by this, the other polarity may drive */
#define PID_POLARITY_DEMAND_S     10.0  /* the law asks for the other polarity this long: it gets it */
#define PID_FROZEN_S              0.5   /* a reading whose raw value has not moved this long is not used */
#define PID_UNSEEN_NEAR_C         2.0   /* the reading within this of the setpoint, ... */
#define PID_UNSEEN_C              0.15  /* pushing, the reading trails the model by this (1 s mean) ... */
#define PID_UNSEEN_SINK_C         1.0   /* ... while the heatsink shows the Peltier pumping by this ... */
#define PID_UNSEEN_HEAT_S         10.0  /* ... this long while heating: no more heating this phase */
#define PID_UNSEEN_COOL_S         70.0  /* ... this long while cooling: no more cooling this phase */
#define PID_BOUND_MARGIN_C        1.0   /* the supervisor's prediction is kept this far inside its limits */
/*
 * The hold's polarity may cross faster than PID_POLARITY_DEMAND_S when the
 * polarity it has cannot bring the pad back: the estimate is this far past
 * the setpoint on the side only the other polarity corrects, and the pad's
 * own drift there (the observer's, Peltier off) carries it further away
 * (the steady duty it needs has changed sign: a warm hold over a hot
 * heatsink in a hot room). Held for PID_POLARITY_CROSS_S of that, so noise
 * does not make it chatter.
 */
#define PID_POLARITY_CROSS_C      0.1
#define PID_POLARITY_CROSS_S      1.0

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

enum pid_mode {
	PID_MODE_NONE,          /* no setpoint yet */
	PID_MODE_APPROACH,      /* full duty toward a new setpoint */
	PID_MODE_HOLD,
};

struct pid_state {
	struct pad_observer obs;
	enum pid_mode mode;
	double setpoint_c;      /* of the last step; NaN before any */
	int approach_dir;       /* +1 heating toward the setpoint, -1 cooling */
	int hold_polarity;      /* +1 heat, -1 cool: the polarity the hold may drive */
	double other_demand_s;  /* how long the law has asked for the other polarity */
	double cross_s;         /* how long the pad has drifted away on the side the polarity cannot correct */
	/* The bridge's PWM as pid_observe follows it (bridge.h), from the duty applied: */
	double pwm_period_s;    /* the period (pid_bounds.actuation_delay_s of the last step; 0: none known) */
	int pwm_dir;            /* the polarity driving (0: off) */
	double pwm_age_s;       /* how far into its current period (< 0: waiting for the dead time) */
	bool pwm_pulse_over;    /* this period's pulse has ended */
	double pwm_conducted_s; /* how long the bridge has conducted in this period */
	double pwm_told_s;      /* how much of that the observer has been told (duty * s) */
	double pwm_dead_time_s; /* the dead time (pid_bounds.dead_time_s of the last step) */
	int pwm_last_dir;       /* the polarity that drove last, ... */
	double pwm_idle_s;      /* ... and how long ago it stopped */
	int quiet_dir;          /* the polarity that stopped driving, ... */
	double quiet_s;         /* ... and how long until the PWM period it stopped in ends */
	double delivered_duty;  /* what the observer was told drove the pad over the last tick (see above) */
	bool frozen;            /* the reading is frozen: the observer runs on the model */
	double learned_at_change[3];    /* d, bh, bc when the raw value last moved */
	double innovation_avg_c;        /* the observer's innovation, low-passed over 1 s */
	double unseen_s;                /* how long a push has gone unseen by the reading */
	double unseen_sink_c;           /* the heatsink reading when that began */
	int unseen_dir;                 /* +1/-1: that polarity may not drive until the next setpoint */
	double integral;        /* in duty */
	double d_filtered;      /* filtered estimated rate, C per second */
	double applied_duty;    /* what drove the pad over the last tick (pid_observe) */
	double reading_c;       /* this tick's pad reading (pid_observe; NaN: none) */
	/* The last step's terms, for the trace (duty units), and the estimate it used. */
	double est_c, ff_term, p_term, i_term, d_term, output;
};

/*
 * What the supervisor holds the pad reading to (safety.h: struct
 * safety_limits): its limits in force, the look-ahead of its prediction
 * (reading + confirmed slope * predict_ahead_s), the sensor's time
 * constant as configured (sensor_lag_s), and the lag a real sensor may
 * have beyond that (safety_limits.lag_s): after the power drops, such a
 * reading goes on rising about its rate times that long, so the
 * controller looks that much further ahead than the supervisor. The
 * supervisor's slope is up to slope_age_s old (safety_limits.slope_age_s):
 * when the reading slows after the power drops, the supervisor still
 * predicts with the rate of that long ago, so the controller looks that
 * much further ahead too.
 */
struct pid_bounds {
	double max_pad_c;
	double min_pad_c;
	double predict_ahead_s;
	double slope_age_s;
	double sensor_lag_s;
	double unmodelled_lag_s;
	double actuation_delay_s;       /* a new duty may wait this long to act (the PWM period) */
	double dead_time_s;             /* the bridge's dead time: a reversal drives this much later */
};

/* Clear all state, the observer's learned gains included. */
void pid_reset(struct pid_state *s);

/*
 * A session starts: forget the setpoint, mode, integral and filter; keep
 * the observer (it has been watching the pad all along).
 */
void pid_session_start(struct pid_state *s);

/* What the shell read for the pad this tick, as the observer takes it. */
struct pid_reading {
	double pad_c;           /* the pad reading (NaN: none this tick) */
	double frozen_s;        /* how long its raw value(s) have not changed */
	double sink_c;          /* the heatsink reading (NaN: none) */
};

/*
 * Every tick: the readings, the signed duty that drove the pad since the
 * previous tick (0 when nothing did), the time since then (> 0) and the pad
 * sensor's time constant.
 */
void pid_observe(struct pid_state *s, const struct pid_reading *r, double applied_duty, double dt_s,
		 double sensor_lag_s);

/*
 * One controller step toward setpoint_c, after pid_observe, with the
 * supervisor's bounds (NULL: none; a test of the bare law). When held_off
 * is true the caller will not apply the output: 0 is returned and nothing
 * but the trace terms changes. Returns the duty in [-max_duty, +max_duty],
 * 0 inside the deadband, 0 before the first reading.
 */
double pid_step(const struct pid_params *p, const struct pid_bounds *b, struct pid_state *s, double setpoint_c,
		double dt_s, bool held_off);

#endif
