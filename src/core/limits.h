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
