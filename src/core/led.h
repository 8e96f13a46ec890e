/* SPDX-License-Identifier: MIT */
/*
 * The status light by the bed ([button] led): what it shows, decided
 * here, as a pure function of the session state and time; the shell only
 * writes the line (hw_ops set_led).
 *
 *   off         idle, or a session over (completed, stopped)
 *   steady      a session runs
 *   slow blink  a safety fault is latched: 1 s on, 1 s off
 *   fast blink  lockout (too many faults: no session until a person
 *               clears it): 0.2 s on, 0.2 s off
 *
 * A latched fault wins over a running session, and lockout over both,
 * so the light never says "all is well" while something is wrong. How
 * bright it is, is the wiring's business (docs/wiring.md: a resistor).
 *
 * Pure: no I/O, no allocation; time is passed in.
 */
#ifndef CONTRASTD_LED_H
#define CONTRASTD_LED_H

#include <stdbool.h>
#include "controller.h"

enum led_pattern {
	LED_OFF,
	LED_STEADY,
	LED_SLOW_BLINK,
	LED_FAST_BLINK,
};

#define LED_SLOW_PERIOD_S       2.0     /* slow blink: half on, half off */
#define LED_FAST_PERIOD_S       0.4     /* fast blink: half on, half off */

/* "off", "steady", "slow-blink", "fast-blink". */
const char *led_pattern_name(enum led_pattern p);

/*
 * What the light shows. fault_latched: the supervisor holds a fault;
 * lockout: starting is locked out until a person clears it (false where
 * there is no such state).
 */
enum led_pattern led_pattern_for(enum session_state state, bool fault_latched, bool lockout);

/* Whether the light is on at now_s (any clock; blinks start on at whole periods). */
bool led_lit(enum led_pattern p, double now_s);

#endif
