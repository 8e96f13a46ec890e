/* SPDX-License-Identifier: MIT */
/*
 * What the pad is doing, from what its sensor says: a Kalman filter over a
 * small model of one zone, so the controller can act on the pad's true
 * temperature rather than on a reading that lags it by seconds.
 *
 * The model (states, all estimated):
 *   T    the pad's true temperature, C
 *   S    the sensor's temperature: it follows T with a first-order lag of
 *        the configured sensor_lag_s ([safety] sensor_lag_s), and the
 *        reading is S plus noise
 *   d    what the model below misses of the pad's drift, C/s (a different
 *        body temperature, a draught, a pad pressed harder): a slow random
 *        walk
 *   bh   what full heat adds to the rate, C/s per unit duty
 *   bc   what full cooling takes from it, C/s per unit duty (positive)
 * and the pad's rate is
 *   dT/dt = w + bh u  (u > 0, heating)  or  w + bc u  (u < 0, cooling)
 *   w     = d + PAD_OBSERVER_BODY_RATE (PAD_OBSERVER_BODY_C - T)
 *             + PAD_OBSERVER_SINK_RATE (Ts - T)
 * w is the drift with the Peltier off: the body and the room pull the pad
 * toward PAD_OBSERVER_BODY_C, and the Peltier conducts heat between the pad
 * and the heatsink (Ts, its reading, an input). The two rates are the
 * reference pad's conductances over its heat capacity; d takes up the rest.
 *
 * The duty u is what actually drove the pad (the controller's own output,
 * 0 while held off), so the filter also learns the two Peltier gains
 * online: whenever the duty changes, the rate changes by the gain times
 * the step, which tells bh (or bc) apart from d. The gains start at the
 * reference plant's values (below) and stay between a fifth and five times
 * them.
 *
 * The sensor model is exact for a rate that is constant over a step, and
 * the filter runs the full covariance (5 x 5) every step, so a step of any
 * length (a late tick, a missed reading) is handled as what it was.
 *
 * Pure: no I/O, no allocation; time steps are passed in.
 */
#ifndef CONTRASTD_PAD_OBSERVER_H
#define CONTRASTD_PAD_OBSERVER_H

#include <stdbool.h>

/* The reference plant's gains (docs/simulation.md): where learning starts. */
#define PAD_OBSERVER_HEAT_GAIN_C_PER_S  0.80
#define PAD_OBSERVER_COOL_GAIN_C_PER_S  0.35

/* The reference pad's drift (docs/simulation.md): 1.05 W/K to body and air, 0.57 W/K through the Peltier, 150 J/K. */
#define PAD_OBSERVER_BODY_RATE          0.0070  /* per s */
#define PAD_OBSERVER_BODY_C             36.3    /* what body and room pull the pad toward */
#define PAD_OBSERVER_SINK_RATE          0.0038  /* per s */

/*
 * What a pad can physically do: the unmodelled drift and the gains stay in
 * these bounds, so a reading that does not follow the Peltier at all (a
 * sensor off the pad, a dead Peltier) cannot be explained away.
 */
#define PAD_OBSERVER_D_MAX              0.15    /* C/s */
#define PAD_OBSERVER_GAIN_MIN           0.5     /* times the reference gain */
#define PAD_OBSERVER_GAIN_MAX           2.0

/* Tuning, compiled in (the noise of an NTC on an ADS1115, and how fast the model may drift). */
#define PAD_OBSERVER_READING_NOISE_C    0.05    /* standard deviation of one reading */
#define PAD_OBSERVER_TEMP_NOISE_C       0.003   /* per sqrt(s): what the model misses in T */
#define PAD_OBSERVER_DRIFT_NOISE        0.004   /* C/s per sqrt(s): how fast d may change */
#define PAD_OBSERVER_GAIN_NOISE         0.002   /* C/s per sqrt(s): how fast bh, bc may change */

enum { OBS_T, OBS_S, OBS_D, OBS_BH, OBS_BC, OBS_N };

struct pad_observer {
	bool primed;                    /* x and P hold an estimate */
	double x[OBS_N];                /* T, S, d, bh, bc */
	double p[OBS_N][OBS_N];         /* covariance */
	double sink_c;                  /* the last heatsink reading (NaN: none yet: taken as T) */
	double innovation_c;            /* the last reading minus what the filter expected */
};

/* Forget everything (the next reading starts it afresh). Learned gains too. */
void pad_observer_reset(struct pad_observer *o);

/*
 * Start from a reading: T = S = reading, d = 0, the gains at their
 * reference values unless keep_gains and they were learned.
 */
void pad_observer_start(struct pad_observer *o, double reading_c, bool keep_gains);

/*
 * Advance dt_s (> 0) with the pad driven at duty (signed, as applied) for
 * the whole step, then take the reading at the end of it (NaN: none this
 * step, the estimate is only carried forward). lag_s is the sensor's time
 * constant (> 0); sink_c the heatsink reading (NaN: keep the last).
 */
void pad_observer_step(struct pad_observer *o, double duty, double dt_s, double lag_s, double reading_c,
		       double sink_c);

/* The estimates. */
double pad_observer_temp_c(const struct pad_observer *o);               /* T */
/* w, the drift with the Peltier off, were the pad at temp_c (NaN: where it is). */
double pad_observer_drift_c_per_s(const struct pad_observer *o, double temp_c);
double pad_observer_gain(const struct pad_observer *o, int polarity);   /* bh (+1) or bc (-1) */
/* The rate the pad has now at duty: w + gain * duty. */
double pad_observer_rate_c_per_s(const struct pad_observer *o, double duty);

#endif
