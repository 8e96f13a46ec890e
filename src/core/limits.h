/* SPDX-License-Identifier: MIT */
/*
 * Compiled-in hard limits. No configuration can widen them: the config
 * parser rejects any value beyond them with FILE:LINE, and the safety
 * supervisor checks against min(config, hard limit) at run time.
 *
 * Where they come from is in docs/safety.md.
 */
#ifndef CONTRASTD_LIMITS_H
#define CONTRASTD_LIMITS_H

/* IEC 60601-1 3rd ed.: applied parts in skin contact for >= 10 min. */
#define HARD_MAX_PAD_C          43.0
/* Below this, cold injury to skin becomes possible over long exposure. */
#define HARD_MIN_PAD_C          10.0
/* Above this the Peltier's solder and the pad's foam are at risk. */
#define HARD_MAX_HEATSINK_C     75.0
/* No session, whatever its program, runs longer than this. */
#define HARD_MAX_SESSION_S      7200.0
/* Duty is a fraction of the PWM period. */
#define HARD_MAX_DUTY           1.0

/*
 * Every program setpoint must lie at least this far inside
 * [min_pad_c, max_pad_c]: the controller overshoots a little and the
 * sensor lags the pad, so a setpoint on the limit would trip at night.
 */
#define SETPOINT_MARGIN_C       2.0

/*
 * Dose budgets (docs/safety.md, "Dose budgets"). CEM43: Sapareto and
 * Dewey 1984; 9 CEM43 minutes a day for local tissue: van Rhoon et al.
 * 2013. The cold ones against non-freezing cold injury.
 */
#define HARD_MAX_HEAT_DOSE_DAY_MIN      9.0     /* CEM43 minutes per 24 h; bounds the session's too */
#define HARD_MAX_COLD_MIN               30.0    /* minutes at or below cold_c per session */
#define HARD_MAX_COLD_DAY_MIN           60.0    /* ... per 24 h */
#define HARD_MAX_SESSIONS_PER_DAY       6
#define DOSE_DAY_S                      86400.0 /* the rolling window */
/* The same fault kind in the same zone this many times in 24 h locks the device, at most. */
#define HARD_MAX_LOCKOUT_AFTER          3

/*
 * Calibration (docs/calibration.md): a pad sensor's correction may not
 * exceed this anywhere from HARD_MIN_PAD_C to HARD_MAX_PAD_C, its gain
 * must lie in [CAL_GAIN_MIN, CAL_GAIN_MAX], and two points at least
 * CAL_MIN_SPAN_C apart make one. Beyond that the sensor is not the
 * thermistor the config describes, and no correction makes it one.
 */
#define CAL_MAX_CORRECTION_C    3.0
#define CAL_GAIN_MIN            0.9
#define CAL_GAIN_MAX            1.1
#define CAL_MIN_SPAN_C          10.0

/* The NTC cannot read outside this on a person; beyond it the wire is open or shorted. */
#define NTC_PLAUSIBLE_MIN_C     (-20.0)
#define NTC_PLAUSIBLE_MAX_C     90.0

/* Sizes: everything is allocated statically or once at start. */
#define MAX_ZONES               8
#define MAX_PROGRAMS            16
#define NAME_LEN                32      /* zone and program names, with NUL */
#define LINE_SPEC_LEN           64      /* "GPIO22" or "gpiochip0:22" */
#define SENSOR_SPEC_LEN         64      /* "ads1015/voltage0" */
#define PATH_LEN                256

#endif
