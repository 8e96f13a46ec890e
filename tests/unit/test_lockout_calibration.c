/* SPDX-License-Identifier: MIT */
/*
 * The lockout's counting (core/lockout.h) and the calibration maths
 * (core/calibration.h), at their thresholds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/calibration.h"
#include "core/lockout.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_lockout_counts_kind_and_zone(void **state)
{
	struct lockout lo;

	(void)state;
	lockout_init(&lo);
	assert_false(lockout_record(&lo, 2, FAULT_OVER_TEMPERATURE, "left", 100.0));
	assert_false(lockout_locked(&lo));
	/* Another zone, another kind, a fault with no zone: each counts on its own. */
	assert_false(lockout_record(&lo, 2, FAULT_OVER_TEMPERATURE, "right", 200.0));
	assert_false(lockout_record(&lo, 2, FAULT_RUNAWAY, "left", 300.0));
	assert_false(lockout_record(&lo, 2, FAULT_LOOP_OVERRUN, "", 400.0));
	assert_int_equal(lockout_count(&lo, FAULT_OVER_TEMPERATURE, "left", 500.0), 1);
	/* The second of its kind in its zone within 24 h locks. */
	assert_true(lockout_record(&lo, 2, FAULT_OVER_TEMPERATURE, "left", 500.0));
	assert_true(lockout_locked(&lo));
	assert_int_equal(lo.cause.kind, FAULT_OVER_TEMPERATURE);
	assert_string_equal(lo.cause.zone, "left");
	assert_int_equal(lo.count, 2);
	/* Once locked, more faults keep it locked and do not report a new lock. */
	assert_false(lockout_record(&lo, 2, FAULT_OVER_TEMPERATURE, "left", 600.0));
	assert_true(lockout_locked(&lo));
	/* Only a clear unlocks; it forgets the history and keeps who and when. */
	lockout_clear(&lo, 700.0, "root (uid 0)");
	assert_false(lockout_locked(&lo));
	assert_int_equal(lo.n, 0);
	NEAR(lo.cleared_s, 700.0);
	assert_string_equal(lo.cleared_by, "root (uid 0)");
}

static void test_lockout_window_and_limits(void **state)
{
	struct lockout lo;

	(void)state;
	lockout_init(&lo);
	assert_false(lockout_record(&lo, 2, FAULT_SENSOR_OPEN, "left", 0.0));
	/* 24 h later the first no longer counts. */
	assert_false(lockout_record(&lo, 2, FAULT_SENSOR_OPEN, "left", DOSE_DAY_S));
	assert_false(lockout_locked(&lo));
	assert_true(lockout_record(&lo, 2, FAULT_SENSOR_OPEN, "left", DOSE_DAY_S + 1.0));
	/* lockout_after = 3: the third locks; beyond the ceiling it is held to it; below 1, to 1. */
	lockout_init(&lo);
	assert_false(lockout_record(&lo, 3, FAULT_DOSE, "left", 1.0));
	assert_false(lockout_record(&lo, 3, FAULT_DOSE, "left", 2.0));
	assert_true(lockout_record(&lo, 3, FAULT_DOSE, "left", 3.0));
	lockout_init(&lo);
	assert_false(lockout_record(&lo, 50, FAULT_DOSE, "left", 1.0));
	assert_false(lockout_record(&lo, 50, FAULT_DOSE, "left", 2.0));
	assert_true(lockout_record(&lo, 50, FAULT_DOSE, "left", 3.0));
	lockout_init(&lo);
	assert_true(lockout_record(&lo, 0, FAULT_DOSE, "left", 1.0));
	/* Unreadable counts as locked. */
	lockout_init(&lo);
	lo.unreadable = true;
	assert_true(lockout_locked(&lo));
	/* More faults in a day than the history holds: locked. */
	lockout_init(&lo);
	for (int i = 0; i < LOCKOUT_HISTORY_MAX; i++) {
		char zone[NAME_LEN];

		snprintf(zone, sizeof(zone), "z%d", i);
		assert_false(lockout_record(&lo, 2, FAULT_RUNAWAY, zone, i));
	}
	assert_true(lockout_record(&lo, 2, FAULT_RUNAWAY, "another", 100.0));
	assert_true(lo.full);
}

static void test_calibration_fit(void **state)
{
	struct cal_point a = { 24.0, 25.0 }, b = { 39.5, 40.0 };
	struct cal_fit fit;

	(void)state;
	assert_int_equal(cal_fit_points(&a, &b, &fit), 0);
	NEAR(fit.gain, 15.0 / 15.5);
	NEAR(fit.offset, 25.0 - fit.gain * 24.0);
	assert_true(cal_fit_acceptable(&fit));
	/* Points less than 10 C apart (by the reference) make no fit. */
	struct cal_point c = { 33.0, 34.99 };

	assert_int_equal(cal_fit_points(&a, &c, &fit), -1);
	c.reference_c = 35.0;           /* exactly 10 apart: enough */
	c.reading_c = 34.0;
	assert_int_equal(cal_fit_points(&a, &c, &fit), 0);
	/* A pure offset of 3 C is allowed, a hair more is not. */
	struct cal_point o1 = { 22.0, 25.0 }, o2 = { 37.0, 40.0 };

	assert_int_equal(cal_fit_points(&o1, &o2, &fit), 0);
	NEAR(fit.gain, 1.0);
	assert_true(cal_fit_acceptable(&fit));
	o2.reading_c = 36.99;
	o1.reading_c = 21.99;
	assert_int_equal(cal_fit_points(&o1, &o2, &fit), 0);
	assert_false(cal_fit_acceptable(&fit));
	/* Gain at the edges of 0.9 .. 1.1, with the correction inside 3 C over 10 .. 43 C. */
	struct cal_point g1 = { 25.0, 25.0 }, g2 = { 35.0, 36.0 };   /* gain 1.1, 0 at 25 C */

	assert_int_equal(cal_fit_points(&g1, &g2, &fit), 0);
	NEAR(fit.gain, 1.1);
	NEAR(fit.worst_correction_c, 1.8);    /* at 43 C */
	assert_true(cal_fit_acceptable(&fit));
	g2.reference_c = 36.01;
	assert_int_equal(cal_fit_points(&g1, &g2, &fit), 0);
	assert_false(cal_fit_acceptable(&fit));
	/* A Beta 3435 part read as 3950 is far outside: the case is refused. */
	struct cal_point w1 = { 22.76, 25.0 }, w2 = { 38.40, 41.4 };

	assert_int_equal(cal_fit_points(&w1, &w2, &fit), 0);
	assert_false(cal_fit_acceptable(&fit));
}

static void test_calibration_points(void **state)
{
	struct cal_sensor s;
	struct cal_fit fit;
	struct cal_point p1 = { 24.8, 25.0 }, near = { 30.0, 30.0 }, p2 = { 40.3, 40.0 };

	(void)state;
	memset(&s, 0, sizeof(s));
	NEAR(cal_apply(&s, 30.0), 30.0);        /* not calibrated: the identity */
	assert_int_equal(cal_add_point(&s, &p1, &fit), CAL_FIRST_POINT);
	assert_true(s.pending);
	assert_int_equal(cal_add_point(&s, &near, &fit), CAL_TOO_CLOSE);
	NEAR(s.point.reference_c, 30.0);        /* it replaced the first */
	assert_int_equal(cal_add_point(&s, &p1, &fit), CAL_TOO_CLOSE);
	assert_int_equal(cal_add_point(&s, &p2, &fit), CAL_DONE);
	assert_true(s.calibrated);
	assert_false(s.pending);
	NEAR(cal_apply(&s, 24.8), 25.0);
	NEAR(cal_apply(&s, 40.3), 40.0);
	/* A refused pair changes nothing and drops the waiting point. */
	struct cal_sensor before = s;
	struct cal_point bad1 = { 20.0, 25.0 }, bad2 = { 30.0, 40.0 };

	assert_int_equal(cal_add_point(&s, &bad1, &fit), CAL_FIRST_POINT);
	assert_int_equal(cal_add_point(&s, &bad2, &fit), CAL_REFUSED);
	assert_false(s.pending);
	NEAR(s.gain, before.gain);
	NEAR(s.offset, before.offset);
	/* A sensor that does not move with the reference is refused, not "too close". */
	struct cal_point dead1 = { 30.0, 20.0 }, dead2 = { 30.0, 40.0 };

	memset(&s, 0, sizeof(s));
	cal_add_point(&s, &dead1, &fit);
	assert_int_equal(cal_add_point(&s, &dead2, &fit), CAL_REFUSED);
	assert_string_equal(CAL_NOT_THIS_THERMISTOR, "this is not the thermistor the config describes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockout_counts_kind_and_zone),
		cmocka_unit_test(test_lockout_window_and_limits),
		cmocka_unit_test(test_calibration_fit),
		cmocka_unit_test(test_calibration_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
