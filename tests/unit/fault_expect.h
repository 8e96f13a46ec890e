/* SPDX-License-Identifier: MIT */
/*
 * What each injected fault must be detected as, and how fast: the table of
 * docs/safety.md, shared by the fault-injection tests and the campaign.
 * Bounds are from the moment of injection, with the default thresholds of
 * the example config at 10 Hz.
 */
#ifndef CONTRASTD_TEST_FAULT_EXPECT_H
#define CONTRASTD_TEST_FAULT_EXPECT_H

#include "core/safety.h"
#include "sim/hw_sim.h"

struct fault_expect {
	int inject;                     /* enum sim_fault or INJECT_* */
	enum fault_kind kinds[4];       /* any of these (FAULT_NONE ends the list) */
	double bound_s;                 /* detected within this of the injection */
	bool needs_pad2;
	/*
	 * Detected only once it matters: the fault need not be detected while
	 * the true heatsink stays at or below max_heatsink_c (a failed fan in
	 * a warm phase cools nothing), but must be before it passes
	 * max_heatsink_c + 5 C.
	 */
	bool heatsink_hazard_only;
	/* The bound counts only ticks on which the zone's output drove (|duty| >= stale_min_duty). */
	bool bound_in_driving_time;
	/*
	 * Outside software's reach with one pad sensor (docs/safety.md): a
	 * sensor that comes off and rests at a plausible value near the
	 * setpoint shows nothing wrong while the PID drives the pad wherever
	 * it goes. Held (true pad inside the hard limits, the kind when it
	 * trips) only with pad_sensor2; the bound is not. (A sensor that
	 * freezes is held: pad-sensor-unresponsive.)
	 */
	bool one_sensor_blind;
	/*
	 * Outside software's reach too: the loop stalled with a PWM pulse on
	 * (the hardware's PWM timer is part of the loop), so the pulse lasts
	 * the stall. The stall is caught when it ends (the bound), the true
	 * pad is not held.
	 */
	bool pulse_may_stay_on;
};

static const struct fault_expect fault_expectations[] = {
	{ SIM_FAULT_SENSOR_OPEN, { FAULT_SENSOR_OPEN }, 0.55, false, false, false, false, false },
	{ SIM_FAULT_SENSOR_SHORT, { FAULT_SENSOR_SHORT }, 0.55, false, false, false, false, false },
	/*
	 * Stale counts only time the output drives (|duty| >= stale_min_duty):
	 * the bound is stale_s + 1 s of that driving time. With a second pad
	 * sensor, disagreement can come sooner; pad-sensor-unresponsive (frozen)
	 * comes first wherever the drive could have moved the pad 1 C.
	 */
	{ SIM_FAULT_SENSOR_STUCK,
	  { FAULT_PAD_SENSOR_UNRESPONSIVE, FAULT_SENSOR_STALE, FAULT_RUNAWAY, FAULT_SENSOR_DISAGREE }, 21.0, false, false,
	  true, false, false },
	{ SIM_FAULT_SENSOR_DETACHED, { FAULT_RATE_OF_CHANGE, FAULT_RUNAWAY, FAULT_SENSOR_DISAGREE }, 75.0, false, false,
	  false, true, false },
	{ SIM_FAULT_SENSOR_DRIFT, { FAULT_SENSOR_DISAGREE }, 30.0, true, false, false, false, false },
	/* Harmless meanwhile (nothing reaches the pad); slow where the setpoint is near rest. */
	{ SIM_FAULT_PELTIER_DEAD, { FAULT_RUNAWAY }, 600.0, false, false, false, false, false },
	{ SIM_FAULT_PELTIER_REVERSED, { FAULT_RUNAWAY, FAULT_OVER_TEMPERATURE }, 75.0, false, false, false, false, false },
	/* Over-temperature; or sooner, runaway, when the output was pushing the other way. */
	{ SIM_FAULT_PELTIER_STUCK_ON, { FAULT_OVER_TEMPERATURE, FAULT_RUNAWAY }, 30.0, false, false, false, false, false },
	{ SIM_FAULT_FAN_FAIL, { FAULT_HEATSINK_OVER_TEMPERATURE }, 0.0, false, true, false, false, false },
	/*
	 * Stuck on cooling: runaway (wrong-way) when the output was heating;
	 * in a cool phase runaway or under-temperature once the pad is held
	 * away from its setpoint or gets down to min_pad_c: slow near the
	 * plant's floor (11.2 C in the reference world, harmless meanwhile).
	 */
	{ SIM_FAULT_PELTIER_STUCK_ON_COOL, { FAULT_UNDER_TEMPERATURE, FAULT_RUNAWAY }, 300.0, false, false, false,
	  false, false },
	{ INJECT_IIO_ERROR, { FAULT_SENSOR_READ }, 0.55, false, false, false, false, false },
	{ INJECT_GPIO_ERROR, { FAULT_OUTPUT_ERROR }, 0.25, false, false, false, false, false },
	/*
	 * A stall that ends with the pad over a limit (a pulse stayed on) is
	 * seen in the same tick as over-temperature, which comes first.
	 */
	{ INJECT_LOOP_STALL, { FAULT_LOOP_OVERRUN, FAULT_OVER_TEMPERATURE }, SIM_LOOP_STALL_S + 0.25, false, false, false,
	  false, true },
};

#define N_FAULT_EXPECTATIONS ((int)(sizeof(fault_expectations) / sizeof(fault_expectations[0])))

static inline bool fault_kind_expected(const struct fault_expect *e, enum fault_kind k)
{
	for (int i = 0; i < 4 && e->kinds[i] != FAULT_NONE; i++)
		if (e->kinds[i] == k)
			return true;
	return false;
}

#endif
