/* SPDX-License-Identifier: MIT */
/*
 * The charge pump on the simulated device ([safety] power_mode =
 * charge-pump), read back from the power line's edges that hw_sim keeps:
 *  - while a session runs, a square wave at charge_pump_hz (every rising
 *    edge one period after the last, in virtual time) and the relay closed;
 *  - after the session ends (completed, stopped by the button, a fault of
 *    each kind the supervisor trips on), no edge after the tick that
 *    ended it, the line left inactive, the relay open one hold-up later;
 *  - idle, no wave at all;
 *  - the point of it: a loop stalled with a PWM pulse on (`loop-stall`),
 *    which in level mode heats the true pad past the hard limit at some
 *    corners of the envelope (docs/safety.md), stays inside it in
 *    charge-pump mode at every corner, the relay opening one hold-up
 *    after the stall began; and the stall is still caught when it ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "sim_harness.h"
#include "test_assert.h"

static struct config cfg;

static void pump_config(double hz)
{
	harness_load_example(&cfg);
	cfg.power_mode = POWER_MODE_CHARGE_PUMP;
	cfg.charge_pump_hz = hz;
	cfg.programs[0].cycles = 1;
	cfg.programs[0].warm_s = 120;
	cfg.programs[0].cool_s = 120;
	cfg.programs[0].clock = PHASE_CLOCK_WALL;
}

/* What a run looked like, tick by tick. */
struct pump_watch {
	double hz;
	double start_s, end_s;          /* the session's first and last tick (NAN: none) */
	long ticks_running, ticks_relay_open;   /* ticks of the session with the relay open */
	double stop_at_s;               /* press the button here (NAN: never) */
	bool pressed;
	/* The edges read so far, checked as they come (hw_sim keeps only the last HW_SIM_POWER_LOG). */
	long edges_seen;
	int rises;
	double first_edge_s, prev_rise_s;
	bool prev_level;
};

/*
 * The edges since the last tick: alternating, rising edges exactly a
 * period apart (virtual time: 1e-6 s is rounding).
 */
static void read_edges(struct pump_watch *w)
{
	long first = harness_sim.n_power_edges - hw_sim_power_kept(&harness_sim);

	assert_true(w->edges_seen >= first);
	for (; w->edges_seen < harness_sim.n_power_edges; w->edges_seen++) {
		const struct hw_sim_power_edge *e = hw_sim_power_edge(&harness_sim, w->edges_seen - first);

		if (isnan(w->first_edge_s))
			w->first_edge_s = e->at_s;
		else if (e->active == w->prev_level)
			fail_msg("two %s edges in a row at %.6f s", e->active ? "rising" : "falling", e->at_s);
		w->prev_level = e->active;
		if (!e->active)
			continue;
		if (!isnan(w->prev_rise_s) && fabs(e->at_s - w->prev_rise_s - 1.0 / w->hz) > 1e-6)
			fail_msg("rising edges at %.6f and %.6f s: %.6f s apart, want %.6f", w->prev_rise_s, e->at_s,
				 e->at_s - w->prev_rise_s, 1.0 / w->hz);
		w->prev_rise_s = e->at_s;
		w->rises++;
	}
}

static int watch_tick(const struct daemon *d, void *arg)
{
	struct pump_watch *w = arg;

	read_edges(w);
	if (d->ctl.state == SESSION_RUNNING) {
		/* The first running tick is the one that started it: the wave begins at the next. */
		if (isnan(w->start_s))
			w->start_s = d->now_s;
		else if (!hw_sim_relay_closed(&harness_sim))
			w->ticks_relay_open++;
		w->ticks_running++;
		if (!w->pressed && d->now_s >= w->stop_at_s) {
			w->pressed = true;
			daemon_button((struct daemon *)d, BUTTON_SHORT_PRESS);
		}
	} else if (!isnan(w->start_s) && isnan(w->end_s)) {
		w->end_s = d->now_s;
	}
	return 0;
}

/* The last kept edge: at or before t_s, and the line inactive since. */
static void check_stopped_by(double t_s, const char *what)
{
	long n = hw_sim_power_kept(&harness_sim);

	assert_true(n > 0);
	const struct hw_sim_power_edge *last = hw_sim_power_edge(&harness_sim, n - 1);

	if (last->active)
		fail_msg("%s: the power line was left active (last edge at %.4f s)", what, last->at_s);
	if (last->at_s > t_s + 1e-9)
		fail_msg("%s: an edge at %.4f s, after the session ended at %.4f s", what, last->at_s, t_s);
	assert_false(harness_sim.power_line);
	/* The circuit: the relay opens one hold-up after the last rising edge. */
	hw_sim_advance(&harness_sim, t_s + harness_sim.relay_hold_s + 1e-6);
	assert_false(hw_sim_relay_closed(&harness_sim));
}

static void run_and_check(double hz, const char *inject, double stop_at_s, const char *what,
			  enum session_state want)
{
	const char *inj[1] = { inject };
	struct pump_watch w = { .hz = hz, .start_s = NAN, .end_s = NAN, .stop_at_s = stop_at_s,
				.first_edge_s = NAN, .prev_rise_s = NAN };
	const struct daemon *d = harness_run(&cfg, NULL, 7, inj, inject ? 1 : 0, 3600.0, watch_tick, &w);

	if (isnan(w.end_s))     /* the batch run quit in the tick that ended the session */
		w.end_s = d->now_s;
	assert_int_equal(d->ctl.state, want);
	assert_true(w.ticks_running > 100);
	read_edges(&w);
	/* The wave ran the whole session, and held the relay at every tick of it. */
	int rises = w.rises;
	/* From the tick after the one that started the session to the one that ended it. */
	double expected = (w.end_s - w.start_s - 1.0 / cfg.daemon.control_hz) * hz;

	if (fabs(rises - expected) > 1.5)
		fail_msg("%s: %d rising edges in %.1f s at %g Hz, want %.0f", what, rises, w.end_s - w.start_s, hz,
			 expected);
	assert_int_equal(w.ticks_relay_open, 0);
	check_stopped_by(w.end_s, what);
	/* No edge before the session either: idle, the line stays inactive. */
	assert_true(w.first_edge_s >= w.start_s - 1e-9);
	print_message("  %-28s %g Hz: %d periods in %.1f s, stopped by %.2f s, %s\n", what, hz, rises,
		      w.end_s - w.start_s, w.end_s, session_state_name(d->ctl.state));
}

static void test_wave_during_a_session(void **state)
{
	static const double hzs[] = { 10, 50, 200 };

	(void)state;
	for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		pump_config(hzs[i]);
		run_and_check(hzs[i], NULL, NAN, "completed", SESSION_COMPLETED);
	}
}

static void test_stops_on_stop(void **state)
{
	(void)state;
	pump_config(50);
	run_and_check(50, NULL, 100.03, "button stop", SESSION_STOPPED);
}

static void test_stops_on_fault(void **state)
{
	static const char *const faults[] = {
		"iio-error:left@90.04", "sensor-open:right@150", "peltier-dead:left@30", "gpio-error@100.05",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		pump_config(50);
		run_and_check(50, faults[i], NAN, faults[i], SESSION_FAULT);
	}
}

/* In level mode nothing of this runs: no edge at all, the relay follows the power. */
static void test_level_mode_has_no_wave(void **state)
{
	(void)state;
	pump_config(50);
	cfg.power_mode = POWER_MODE_LEVEL;
	const struct daemon *d = harness_run(&cfg, NULL, 7, NULL, 0, 3600.0, NULL, NULL);

	assert_int_equal(d->ctl.state, SESSION_COMPLETED);
	assert_int_equal(harness_sim.n_power_edges, 0);
	assert_false(hw_sim_relay_closed(&harness_sim));
}

/* ---- a stalled loop with a pulse on ---- */

struct stall_watch {
	double max_true_pad_c;
	double caught_s;                /* the trip (NAN: none) */
	double relay_open_s;            /* the first tick the relay was seen open after the stall began */
};

static int watch_stall(const struct daemon *d, void *arg)
{
	struct stall_watch *w = arg;

	for (int z = 0; z < d->cfg.n_zones; z++)
		w->max_true_pad_c = fmax(w->max_true_pad_c, harness_sim.plant.zone[z].pad_max_c);
	if (isnan(w->caught_s) && safety_latched(&d->ctl.safety))
		w->caught_s = d->now_s;
	/* Caught, everything off: the rest of the run adds nothing. */
	return !isnan(w->caught_s);
}

/* The corners of test_fault_injection's envelope. */
static void envelope_corner(int corner, struct sim_world *w)
{
	sim_world_defaults(w, &cfg.thermistor);
	w->perfusion_w_per_k = corner & 1 ? 3.0 : 0.3;
	w->ambient_c = corner & 2 ? 35.0 : 10.0;
	w->supply_v = corner & 4 ? 13.2 : 10.8;
	w->pad_offset_c = corner & 8 ? 0.5 : -0.5;
}

/*
 * The hottest true pad over loop stalls of n_stalls x SIM_LOOP_STALL_S
 * at 10 moments of a PWM period in the warm hold, at every corner, and
 * how many went past the hard limit.
 */
static double stall_across_the_envelope(enum power_mode mode, int n_stalls, int *beyond)
{
	double worst_c = -INFINITY;

	*beyond = 0;
	for (int corner = 0; corner < 16; corner++)
		for (int k = 0; k < 10; k++) {
			struct sim_world world;
			struct harness_world hw = { .world = &world };
			char spec[64];
			const char *inj[4] = { spec, spec, spec, spec };
			struct stall_watch w = { .max_true_pad_c = -INFINITY, .caught_s = NAN };
			/* Through a PWM period of the warm hold: whether a pulse is on when the loop stops. */
			double at_s = 60.0 + 0.1 * k;

			pump_config(50);
			cfg.power_mode = mode;
			envelope_corner(corner, &world);
			snprintf(spec, sizeof(spec), "loop-stall:%s@%.2f", cfg.zones[corner % 2].name, at_s);
			harness_run_in(&cfg, NULL, 500 + (uint64_t)corner, inj, n_stalls, &hw, 3600.0, watch_stall, &w);
			/* Caught when it ends, either way. */
			if (!(w.caught_s - at_s <= n_stalls * SIM_LOOP_STALL_S + 0.25))
				fail_msg("%s at corner %d: stall caught after %.2f s", spec, corner, w.caught_s - at_s);
			if (w.max_true_pad_c > HARD_MAX_PAD_C)
				(*beyond)++;
			worst_c = fmax(worst_c, w.max_true_pad_c);
		}
	return worst_c;
}

/*
 * The stall of the simulator's loop-stall (5 s) and a hang three times as
 * long (three at once): in level mode a pulse that was on when the loop
 * stopped lasts the stall; in charge-pump mode the relay opens one
 * hold-up (0.1 s at 50 Hz) after the last edge.
 */
static void test_stall_with_a_pulse_on(void **state)
{
	(void)state;
	for (int n = 1; n <= 3; n += 2) {
		int beyond_level, beyond_pump;
		double level_c = stall_across_the_envelope(POWER_MODE_LEVEL, n, &beyond_level);
		double pump_c = stall_across_the_envelope(POWER_MODE_CHARGE_PUMP, n, &beyond_pump);

		print_message("  loop stalled %2.0f s mid-warm, 16 corners x 10 moments: level mode %.2f C at the hottest "
			      "(%d past %.0f C), charge-pump mode %.2f C (%d past)\n", n * SIM_LOOP_STALL_S, level_c,
			      beyond_level, HARD_MAX_PAD_C, pump_c, beyond_pump);
		/* The control: in level mode a pulse on lasts the stall, past the limit (so the test can fail). */
		assert_true(beyond_level > 0);
		assert_int_equal(beyond_pump, 0);
		assert_true(pump_c <= HARD_MAX_PAD_C);
	}
}

/* During a stall the line is frozen, and the relay opens one hold-up after the last rising edge. */
static void test_relay_opens_during_a_stall(void **state)
{
	(void)state;
	pump_config(50);
	const char *inj[1] = { "loop-stall@90.0" };
	const struct daemon *d = harness_run(&cfg, NULL, 7, inj, 1, 3600.0, NULL, NULL);

	assert_int_equal(d->ctl.state, SESSION_FAULT);
	/* The last rising edge: the last before the stall began (the first tick at or after 90 s). */
	double last_rise_s = NAN;

	for (long i = 0; i < hw_sim_power_kept(&harness_sim); i++) {
		const struct hw_sim_power_edge *e = hw_sim_power_edge(&harness_sim, i);

		if (e->active)
			last_rise_s = e->at_s;
	}
	double stall_from_s = harness_sim.lines_frozen_until_s - SIM_LOOP_STALL_S;

	assert_true(stall_from_s >= 90.0 - 1e-6 && stall_from_s < 90.0 + 0.1 + 1e-6);
	assert_true(last_rise_s <= stall_from_s + 1e-6);
	assert_true(last_rise_s > stall_from_s - 1.0 / 50);
	assert_near(harness_sim.last_rise_s, last_rise_s, 0);
	/* No plant time with the relay closed after the hold-up: the heater had no supply for the rest of the stall. */
	check_stopped_by(d->now_s, "loop-stall");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wave_during_a_session),
		cmocka_unit_test(test_stops_on_stop),
		cmocka_unit_test(test_stops_on_fault),
		cmocka_unit_test(test_level_mode_has_no_wave),
		cmocka_unit_test(test_relay_opens_during_a_stall),
		cmocka_unit_test(test_stall_with_a_pulse_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
