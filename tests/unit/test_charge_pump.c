/* SPDX-License-Identifier: MIT */
/*
 * The charge pump's decision in virtual time (core/charge_pump.h): the
 * wave while ticks come healthy, its phase kept across ticks, a rising
 * edge first; stopped (inactive, no rising edge) when the supply is off,
 * when the ticks stop coming (the tick deadline), when the readings have
 * failed for read_fail_count periods, and at once by charge_pump_stop;
 * the edges it announces are exactly where its level changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/charge_pump.h"
#include "core/config.h"
#include "test_assert.h"

#define HZ 50.0
#define TICK_S 0.1
#define HALF_S (0.5 / HZ)

static struct charge_pump pump;

static void setup_pump(double hz, double control_hz, int read_fail_count)
{
	static struct config cfg;
	struct charge_pump_params p;

	config_defaults(&cfg);
	cfg.charge_pump_hz = hz;
	cfg.daemon.control_hz = control_hz;
	cfg.safety.read_fail_count = read_fail_count;
	charge_pump_params_from(&cfg, &p);
	assert_near(p.hz, hz, 0);
	assert_near(p.tick_deadline_s, CHARGE_PUMP_TICK_DEADLINE_PERIODS / control_hz, 1e-12);
	assert_near(p.fresh_s, read_fail_count / control_hz, 1e-12);
	charge_pump_init(&pump, &p);
}

/* Walk the edges from from_s to to_s: each announced edge changes the level, nothing between them does. */
static int walk_edges(double from_s, double to_s, double *first_rise_s, double *last_edge_s, bool *last_level)
{
	double t_s = from_s;
	bool level = charge_pump_level(&pump, t_s);
	int edges = 0;

	*first_rise_s = NAN;
	*last_edge_s = NAN;
	for (;;) {
		double e_s = charge_pump_next_edge_s(&pump, t_s);

		assert_true(e_s > t_s);
		if (!(e_s <= to_s))
			break;
		/* Just before the edge: as before; at it: the other level. */
		assert_int_equal(charge_pump_level(&pump, e_s - 1e-7), level);
		assert_int_equal(charge_pump_level(&pump, e_s), !level);
		level = !level;
		if (level && isnan(*first_rise_s))
			*first_rise_s = e_s;
		*last_edge_s = e_s;
		t_s = e_s;
		edges++;
	}
	*last_level = level;
	return edges;
}

static void test_stopped_at_start(void **state)
{
	(void)state;
	setup_pump(HZ, 10, 3);
	for (double t = 0; t < 2; t += 0.001) {
		assert_false(charge_pump_level(&pump, t));
		assert_false(charge_pump_running(&pump, t));
	}
	assert_true(isinf(charge_pump_next_edge_s(&pump, 0.0)));
	/* Idle ticks (no supply) leave it stopped, whatever the readings. */
	charge_pump_tick(&pump, 0.0, false, true);
	assert_false(charge_pump_level(&pump, 0.0));
	assert_true(isinf(charge_pump_next_edge_s(&pump, 0.0)));
	assert_near(charge_pump_hold_s(&pump.p), CHARGE_PUMP_HOLD_PERIODS / HZ, 1e-12);
}

/* Healthy ticks every 0.1 s for 10 s: a square wave at 50 Hz, unbroken across the ticks. */
static void test_wave_while_healthy(void **state)
{
	(void)state;
	setup_pump(HZ, 10, 3);
	double first_s = 5.0;
	int rises = 0, edges = 0;
	double prev_rise_s = NAN;
	bool level = false;

	for (int k = 0; k < 100; k++) {
		double now_s = first_s + k * TICK_S;
		double t_s = now_s;

		charge_pump_tick(&pump, now_s, true, true);
		if (k == 0)     /* the wave starts with a rising edge at the tick */
			assert_true(charge_pump_level(&pump, now_s));
		/* Every edge until the next tick (one at the tick itself included) on the grid of half periods. */
		for (double e_s = now_s; e_s < now_s + TICK_S - 1e-9; e_s = charge_pump_next_edge_s(&pump, t_s)) {
			bool now_level = charge_pump_level(&pump, e_s);

			t_s = e_s;
			if (now_level == level)
				continue;
			level = now_level;
			double n = (e_s - first_s) / HALF_S;

			assert_near(n, round(n), 1e-6);
			assert_int_equal(level, ((long)round(n)) % 2 == 0);
			if (level) {
				if (!isnan(prev_rise_s))
					assert_near(e_s - prev_rise_s, 1.0 / HZ, 1e-9);
				prev_rise_s = e_s;
				rises++;
			}
			edges++;
		}
	}
	/* 10 s at 50 Hz: 500 periods, each a rise and a fall. */
	assert_int_equal(rises, 500);
	assert_int_equal(edges, 1000);
}

/* The supply off at a tick, or charge_pump_stop: inactive at once, no edge after. */
static void test_stops_with_the_supply(void **state)
{
	(void)state;
	for (int how = 0; how < 2; how++) {
		setup_pump(HZ, 10, 3);
		charge_pump_tick(&pump, 0.0, true, true);
		charge_pump_tick(&pump, 0.1, true, true);
		/* Mid-pulse: 0.105 is in the first half of the period from 0.1. */
		assert_true(charge_pump_level(&pump, 0.105));
		if (how == 0)
			charge_pump_tick(&pump, 0.105, false, true);
		else
			charge_pump_stop(&pump);
		for (double t = 0.105; t < 1.0; t += 0.0005)
			assert_false(charge_pump_level(&pump, t));
		assert_true(isinf(charge_pump_next_edge_s(&pump, 0.105)));
		/* It starts again with a rising edge at the next healthy tick with the supply on. */
		charge_pump_tick(&pump, 0.2, true, true);
		assert_true(charge_pump_level(&pump, 0.2));
		assert_near(charge_pump_next_edge_s(&pump, 0.2), 0.2 + HALF_S, 1e-12);
	}
}

/* No tick after 1.0: the wave runs to 1.0 + 2 control periods, then stops inactive. */
static void test_stops_without_ticks(void **state)
{
	(void)state;
	static const double hzs[] = { 10.0, 33.0, 50.0, 200.0 };

	for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		double first_rise_s, last_edge_s;
		bool last_level;

		setup_pump(hzs[i], 10, 3);
		for (int k = 0; k <= 10; k++)
			charge_pump_tick(&pump, k * TICK_S, true, true);
		double deadline_s = 1.0 + CHARGE_PUMP_TICK_DEADLINE_PERIODS * TICK_S;
		int edges = walk_edges(1.0, 100.0, &first_rise_s, &last_edge_s, &last_level);

		assert_false(last_level);
		assert_true(last_edge_s <= deadline_s + 1e-9);
		/* Only the fall at the deadline may come off the grid. */
		assert_true(last_edge_s > deadline_s - 0.5 / hzs[i] - 1e-9);
		assert_true(edges >= (int)floor(0.2 * 2 * hzs[i]) - 1);
		assert_false(charge_pump_running(&pump, deadline_s));
		assert_false(charge_pump_level(&pump, deadline_s + 1e-6));
		/* A late tick restarts it, with a rising edge. */
		charge_pump_tick(&pump, 1.5, true, true);
		assert_true(charge_pump_level(&pump, 1.5));
	}
}

/* Failed readings: the wave runs read_fail_count periods past the last good one, as the supervisor waits. */
static void test_stops_on_stale_readings(void **state)
{
	(void)state;
	for (int n = 1; n <= 5; n++) {
		setup_pump(HZ, 10, n);
		charge_pump_tick(&pump, 0.0, true, true);
		for (int k = 1; k < n; k++) {
			charge_pump_tick(&pump, k * TICK_S, true, false);
			assert_true(charge_pump_running(&pump, k * TICK_S));
			/* The wave never runs past the last good reading + n periods, nor past the tick deadline. */
			double until_s = fmin(n * TICK_S, k * TICK_S + CHARGE_PUMP_TICK_DEADLINE_PERIODS * TICK_S);

			assert_true(charge_pump_running(&pump, until_s - 1e-6));
			assert_false(charge_pump_running(&pump, until_s + 1e-6));
		}
		/* The n-th failed reading in a row: stopped at that tick, as the supervisor trips. */
		charge_pump_tick(&pump, n * TICK_S, true, false);
		assert_false(charge_pump_running(&pump, n * TICK_S));
		assert_false(charge_pump_level(&pump, n * TICK_S));
		assert_true(isinf(charge_pump_next_edge_s(&pump, n * TICK_S)));
		/* A good reading brings it back. */
		charge_pump_tick(&pump, (n + 1) * TICK_S, true, true);
		assert_true(charge_pump_level(&pump, (n + 1) * TICK_S));
	}
	/* Readings that never were good: never runs. */
	setup_pump(HZ, 10, 3);
	charge_pump_tick(&pump, 0.0, true, false);
	assert_false(charge_pump_level(&pump, 0.0));
	assert_true(isinf(charge_pump_next_edge_s(&pump, 0.0)));
}

/* The phase is kept when a tick comes within the deadline, reset when the wave had stopped. */
static void test_phase_kept_across_late_ticks(void **state)
{
	(void)state;
	setup_pump(HZ, 10, 3);
	charge_pump_tick(&pump, 0.0, true, true);
	/* 0.15 s late but within 2 periods: same grid. */
	charge_pump_tick(&pump, 0.15, true, true);
	assert_near(charge_pump_next_edge_s(&pump, 0.15), 0.16, 1e-9);
	assert_false(charge_pump_level(&pump, 0.15));   /* 0.15 is the second half of the period from 0.14 */
	/* The deadline of that tick is 0.35; a tick at 0.5 finds it stopped: a new wave from 0.5. */
	charge_pump_tick(&pump, 0.5, true, true);
	assert_true(charge_pump_level(&pump, 0.5));
	assert_near(charge_pump_next_edge_s(&pump, 0.5), 0.5 + HALF_S, 1e-12);
}

/* Times that are edges up to rounding: the level there is the new one, the next edge strictly later. */
static void test_edges_robust_to_rounding(void **state)
{
	(void)state;
	setup_pump(HZ, 10, 3);
	charge_pump_tick(&pump, 0.3, true, true);
	double t_s = 0.3;

	for (int i = 0; i < 9; i++) {
		double e_s = charge_pump_next_edge_s(&pump, t_s);
		double e2_s = charge_pump_next_edge_s(&pump, nextafter(e_s, 0.0));

		assert_true(e_s > t_s);
		/* A hair before the edge counts as at it: the same edge is never announced twice in a row. */
		assert_true(e2_s >= e_s);
		t_s = e_s;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped_at_start),
		cmocka_unit_test(test_wave_while_healthy),
		cmocka_unit_test(test_stops_with_the_supply),
		cmocka_unit_test(test_stops_without_ticks),
		cmocka_unit_test(test_stops_on_stale_readings),
		cmocka_unit_test(test_phase_kept_across_late_ticks),
		cmocka_unit_test(test_edges_robust_to_rounding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
