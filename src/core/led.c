/* SPDX-License-Identifier: MIT */
/* The status light's pattern. See led.h. */
#include <math.h>
#include "led.h"

const char *led_pattern_name(enum led_pattern p)
{
	switch (p) {
	case LED_OFF:
		return "off";
	case LED_STEADY:
		return "steady";
	case LED_SLOW_BLINK:
		return "slow-blink";
	case LED_FAST_BLINK:
		return "fast-blink";
	}
	return "off";
}

enum led_pattern led_pattern_for(enum session_state state, bool fault_latched, bool lockout)
{
	if (lockout)
		return LED_FAST_BLINK;
	if (fault_latched || state == SESSION_FAULT)
		return LED_SLOW_BLINK;
	if (state == SESSION_RUNNING)
		return LED_STEADY;
	return LED_OFF;
}

/* On in the first half of each period. */
static bool blink(double period_s, double now_s)
{
	/* Where in its period now_s is, 0 .. 1; a hair of slack so a tick a rounding error
	   early for an edge (0.1 * 6 is 0.6000000000000001) counts as on time. */
	double cycles = now_s / period_s + 1e-9;
	double frac = cycles - floor(cycles);

	return frac < 0.5;
}

bool led_lit(enum led_pattern p, double now_s)
{
	switch (p) {
	case LED_OFF:
		return false;
	case LED_STEADY:
		return true;
	case LED_SLOW_BLINK:
		return blink(LED_SLOW_PERIOD_S, now_s);
	case LED_FAST_BLINK:
		return blink(LED_FAST_PERIOD_S, now_s);
	}
	return false;
}
