/* SPDX-License-Identifier: MIT */
/*
 * Dose budgets (core/dose.h): CEM43 and cold minutes at their thresholds,
 * the planned dose of a program, the ledger's rolling 24 hours, the start
 * check's every refusal, and the controller's dose trip: a session that
 * uses a budget up ends as fault `dose` with every output off in that tick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/config.h"
#include "core/controller.h"
#include "core/dose.h"
#include "core/thermistor.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static const struct dose_params params = {
	.heat_dose_min = 3.0, .heat_dose_day_min = 6.0, .cold_c = 15.0,
	.cold_min = 20.0, .cold_day_min = 40.0, .sessions_per_day = 3,
};
static const char *const names[2] = { "left", "right" };

static void test_cem43(void **state)
{
	(void)state;
	NEAR(dose_cem43_min(43.0, 60.0), 1.0);          /* a minute at 43 C is one CEM43 minute */
	NEAR(dose_cem43_min(44.0, 60.0), 2.0);          /* R = 0.5 at or above 43 C */
	NEAR(dose_cem43_min(45.0, 30.0), 2.0);
	NEAR(dose_cem43_min(42.0, 60.0), 0.25);         /* R = 0.25 below */
	NEAR(dose_cem43_min(41.0, 60.0), 0.0625);
	NEAR(dose_cem43_min(39.0, 3600.0), 60.0 * pow(0.25, 4));
	NEAR(dose_cem43_min(NAN, 60.0), 0.0);
	NEAR(dose_cem43_min(43.0, 0.0), 0.0);
	NEAR(dose_cem43_min(43.0, -1.0), 0.0);
	/* The case: 358 minutes at 41 C is 22 CEM43 minutes. */
	assert_true(fabs(dose_cem43_min(41.0, 358 * 60.0) - 22.4) < 0.1);
}

static void test_cold_minutes(void **state)
{
	(void)state;
	NEAR(dose_cold_min(15.0, 15.0, 60.0), 1.0);     /* at the threshold counts */
	NEAR(dose_cold_min(15.01, 15.0, 60.0), 0.0);
	NEAR(dose_cold_min(11.0, 15.0, 90.0), 1.5);
	NEAR(dose_cold_min(NAN, 15.0, 60.0), 0.0);
}

static struct program example_program(void)
{
	struct program p = {
		.warm_c = 39, .cool_c = 20, .warm_s = 240, .cool_s = 120, .cycles = 5,
		.first = PHASE_WARM, .last = PHASE_COOL, .clock = PHASE_CLOCK_WALL, .band_c = 0.5,
		.settle_max_s = 300,
	};

	return p;
}

static void test_planned(void **state)
{
	struct program p = example_program();
	struct dose_amount d;

	(void)state;
	/* Wall clock: 5 warm phases of 4 min at 39 + 0.5 band + 0.5 error = 40 C. */
	d = dose_planned(&p, 15.0);
	NEAR(d.heat_min, 5 * 4.0 * pow(0.25, 3) + 5 * 2.0 * pow(0.25, 22));
	NEAR(d.cold_min, 0.0);
	/* Settled: each phase may wait settle_max_s on top. */
	p.clock = PHASE_CLOCK_SETTLED;
	d = dose_planned(&p, 15.0);
	NEAR(d.heat_min, 5 * 9.0 * pow(0.25, 3) + 5 * 7.0 * pow(0.25, 22));
	/* A cool phase whose setpoint less the margins is at or below cold_c counts whole. */
	p.clock = PHASE_CLOCK_WALL;
	p.cool_c = 16.0;
	d = dose_planned(&p, 15.0);
	NEAR(d.cold_min, 5 * 2.0);
	p.cool_c = 16.01;
	d = dose_planned(&p, 15.0);
	NEAR(d.cold_min, 0.0);
	/* The 2-hour session at 41 C: far beyond a session's budget. */
	struct program hot = { .warm_c = 41, .cool_c = 30, .warm_s = 3600, .cool_s = 10, .cycles = 2,
			       .first = PHASE_WARM, .last = PHASE_COOL, .clock = PHASE_CLOCK_WALL,
			       .band_c = 0.5, .settle_max_s = 10 };

	assert_true(dose_planned(&hot, 15.0).heat_min > 9.0);
}

static struct dose_ledger ledger;

static void add_session(double end_s, double heat, double cold)
{
	struct dose_amount planned = { heat, cold }, used[2] = { { heat, cold }, { heat / 2, cold / 2 } };
	int i = dose_ledger_open(&ledger, end_s - 100, end_s, names, 2, planned);

	assert_true(i >= 0);
	dose_ledger_close(&ledger, i, end_s, used);
}

static void test_rolling_day(void **state)
{
	struct dose_left left;

	(void)state;
	memset(&ledger, 0, sizeof(ledger));
	add_session(1000.0, 2.0, 10.0);
	add_session(5000.0, 1.5, 0.0);
	dose_left_for(&ledger, &params, "left", 6000.0, &left);
	NEAR(left.heat_used_min, 3.5);
	NEAR(left.heat_min, 2.5);
	NEAR(left.cold_min, 30.0);
	assert_int_equal(left.sessions, 1);
	NEAR(left.heat_until_s, 1000.0 + DOSE_DAY_S);
	NEAR(left.sessions_until_s, 1000.0 + DOSE_DAY_S);
	/* The other zone had half. */
	dose_left_for(&ledger, &params, "right", 6000.0, &left);
	NEAR(left.heat_used_min, 1.75);
	/* A zone the ledger does not know used nothing; the sessions count all the same. */
	dose_left_for(&ledger, &params, "middle", 6000.0, &left);
	NEAR(left.heat_min, 6.0);
	assert_int_equal(left.sessions, 1);
	/* 24 h after the first session's end it no longer counts. */
	dose_left_for(&ledger, &params, "left", 1000.0 + DOSE_DAY_S, &left);
	NEAR(left.heat_used_min, 1.5);
	assert_int_equal(left.sessions, 2);
	dose_left_for(&ledger, &params, "left", 1000.0 + DOSE_DAY_S - 0.001, &left);
	NEAR(left.heat_used_min, 3.5);
	/* A session in the future (a simulated one run ahead) counts. */
	dose_left_for(&ledger, &params, "left", 0.0, &left);
	NEAR(left.heat_used_min, 3.5);
	dose_ledger_prune(&ledger, 1000.0 + DOSE_DAY_S);
	assert_int_equal(ledger.n, 1);
	/* Unreadable: nothing left, and no time when it comes back. */
	ledger.unreadable = true;
	dose_left_for(&ledger, &params, "left", 6000.0, &left);
	NEAR(left.heat_min, 0.0);
	NEAR(left.cold_min, 0.0);
	assert_int_equal(left.sessions, 0);
	assert_true(isnan(left.heat_until_s));
}

static void test_start_check(void **state)
{
	struct dose_amount allow[MAX_ZONES], need = { 1.0, 5.0 };
	struct dose_verdict v;

	(void)state;
	memset(&ledger, 0, sizeof(ledger));
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 0.0, allow, &v), 0);
	NEAR(allow[0].heat_min, 3.0);   /* the session budget */
	NEAR(allow[0].cold_min, 20.0);

	add_session(100.0, 4.2, 25.0);  /* left used 4.2 of 6 */
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 200.0, allow, &v), 0);
	NEAR(allow[0].heat_min, 1.8);   /* what is left today is less than the session budget */
	NEAR(allow[1].heat_min, 3.0);   /* right used 2.1 of 6: the session budget */

	need.heat_min = 2.0;
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 200.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_HEAT_DAY);
	assert_int_equal(v.zone, 0);
	NEAR(v.left, 1.8);
	NEAR(v.of, 6.0);
	NEAR(v.needs, 2.0);
	NEAR(v.until_s, 100.0 + DOSE_DAY_S);

	need.heat_min = 3.5;            /* more than any session may give */
	memset(&ledger, 0, sizeof(ledger));
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 200.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_HEAT_SESSION);

	need = (struct dose_amount){ 0.0, 21.0 };
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 200.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_COLD_SESSION);
	add_session(100.0, 0.0, 25.0);
	need.cold_min = 16.0;
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 200.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_COLD_DAY);
	NEAR(v.left, 15.0);

	/* Sessions a day, counted whatever their dose. */
	memset(&ledger, 0, sizeof(ledger));
	need = (struct dose_amount){ 0.0, 0.0 };
	for (int i = 0; i < 3; i++)
		add_session(100.0 * (i + 1), 0.0, 0.0);
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 400.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_SESSIONS);
	NEAR(v.until_s, 100.0 + DOSE_DAY_S);
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 100.0 + DOSE_DAY_S, allow, &v), 0);

	ledger.unreadable = true;
	assert_int_equal(dose_start_check(&ledger, &params, names, 2, need, 400.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_UNREADABLE);

	/* A config beyond the ceilings is held to them. */
	struct dose_params wide = params;

	wide.heat_dose_min = wide.heat_dose_day_min = 50.0;
	wide.sessions_per_day = 100;
	memset(&ledger, 0, sizeof(ledger));
	need.heat_min = 9.5;
	assert_int_equal(dose_start_check(&ledger, &wide, names, 2, need, 0.0, allow, &v), -1);
	assert_int_equal(v.refusal, DOSE_HEAT_SESSION);
	NEAR(v.of, HARD_MAX_HEAT_DOSE_DAY_MIN);
}

/* An open entry holds its plan until it closes; a dose beyond the plan raises it. */
static void test_open_entry(void **state)
{
	struct dose_amount planned = { 1.0, 2.0 };
	struct dose_amount used[2] = { { 0.5, 1.0 }, { 0.5, 1.0 } };
	struct dose_left left;

	(void)state;
	memset(&ledger, 0, sizeof(ledger));
	int i = dose_ledger_open(&ledger, 0.0, 2700.0, names, 2, planned);

	assert_int_equal(i, 0);
	assert_true(ledger.e[0].open);
	assert_false(dose_ledger_raise(&ledger, i, used));
	dose_left_for(&ledger, &params, "left", 10.0, &left);
	NEAR(left.heat_used_min, 1.0);  /* the plan, while open (a crash leaves it so) */
	used[0].heat_min = 1.2;
	assert_true(dose_ledger_raise(&ledger, i, used));
	NEAR(ledger.e[0].dose[0].heat_min, 1.2);
	dose_ledger_close(&ledger, i, 900.0, used);
	assert_false(ledger.e[0].open);
	NEAR(ledger.e[0].t_s, 900.0);
	NEAR(ledger.e[0].dose[1].cold_min, 1.0);
	/* Full: refused, never overwritten. */
	memset(&ledger, 0, sizeof(ledger));
	for (int k = 0; k < DOSE_LEDGER_MAX; k++)
		assert_true(dose_ledger_open(&ledger, 0.0, 10.0, names, 2, planned) >= 0);
	assert_int_equal(dose_ledger_open(&ledger, 0.0, 10.0, names, 2, planned), -1);
	/* ... until the old ones no longer count. */
	assert_true(dose_ledger_open(&ledger, 10.0 + DOSE_DAY_S, 20.0 + DOSE_DAY_S, names, 2, planned) >= 0);
	assert_int_equal(ledger.n, 1);
}

/* ---- the controller: the dose of a running session, and its trip ---- */

static struct config cfg;
static struct controller ctl;

static void one_zone_config(void)
{
	config_defaults(&cfg);
	cfg.n_zones = 1;
	snprintf(cfg.zones[0].name, sizeof(cfg.zones[0].name), "left");
	cfg.programs[0].clock = PHASE_CLOCK_WALL;
	cfg.programs[0].warm_c = 40.0;
	cfg.programs[0].cool_c = 20.0;
	cfg.programs[0].warm_s = 3600.0;
	cfg.programs[0].cool_s = 60.0;
	cfg.programs[0].cycles = 1;
	cfg.safety.session_margin_s = 300.0;
	/* The pad is held off its setpoint on purpose: only the dose may end these sessions. */
	cfg.safety.max_error_c_s = 10000.0;
	cfg.safety.heat_gain_time_s = 600.0;
	cfg.safety.cool_gain_time_s = 600.0;
	cfg.safety.away_c = 10.0;
	cfg.dose = params;
}

/* A voltage sample that reads temp_c on the config's thermistor. */
static struct sensor_sample sample_c(double temp_c, int64_t raw)
{
	struct sensor_sample s = { .ok = true, .unit = SAMPLE_MV, .raw = raw };

	s.value = thermistor_ohm_to_mv(&cfg.thermistor, thermistor_c_to_ohm(&cfg.thermistor, temp_c));
	return s;
}

static void tick(double now_s, double pad_c, struct tick_outputs *out, struct tick_events *ev)
{
	struct tick_inputs in;

	memset(&in, 0, sizeof(in));
	in.pad[0] = sample_c(pad_c, (int64_t)(now_s * 10));
	in.heatsink[0] = sample_c(30.0, (int64_t)(now_s * 10) + 1);
	in.loop_gap_s = 0.1;
	controller_tick(&ctl, now_s, &in, out, ev);
}

static void test_controller_counts_and_trips(void **state)
{
	struct tick_outputs out;
	struct tick_events ev;
	char why[256];
	struct dose_amount allow[MAX_ZONES] = { { 0.05, 20.0 } };
	double t = 0.0;

	(void)state;
	one_zone_config();
	cfg.programs[0].warm_c = 37.0;
	controller_init(&ctl, &cfg);
	tick(t, 33.0, &out, &ev);
	/* An hour at 37 + 1 C plans 0.059 CEM43 min: more than the allowance the shell gives. */
	controller_allow_dose(&ctl, allow);
	assert_int_equal(controller_start(&ctl, NULL, t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "left pad: this program needs"));
	/* Ten minutes (0.0098): fits. */
	cfg.programs[0].warm_s = 600.0;
	controller_allow_dose(&ctl, allow);
	assert_int_equal(controller_start(&ctl, NULL, t, why, sizeof(why)), 0);
	NEAR(ctl.zone[0].dose_allowed.heat_min, 0.05);
	/* A pad held at 39.5 C (2.5 C over its setpoint) reads 40.0 C for the dose: 1/64 CEM43 min a minute. */
	for (int i = 1; i <= 600; i++) {
		t = i * 0.1;
		tick(t, 39.5, &out, &ev);
	}
	assert_true(fabs(ctl.zone[0].dose_used.heat_min - 1.0 / 64.0) < 1e-6);
	assert_int_equal(ctl.state, SESSION_RUNNING);
	/* Past 0.05 (at 192 s): the trip, in the tick it happens, with every output off. */
	bool tripped = false;

	for (int i = 601; i <= 2500 && !tripped; i++) {
		t = i * 0.1;
		tick(t, 39.5, &out, &ev);
		tripped = ev.fault_tripped;
	}
	assert_true(tripped);
	assert_true(ev.session_ended);
	assert_int_equal(ctl.state, SESSION_FAULT);
	assert_true(fabs(t - 192.1) < 0.11);
	assert_true(out.duty[0] == 0.0 && !out.power && !out.fan[0]);
	const struct fault *f = safety_latched_fault(&ctl.safety);

	assert_int_equal(f->kind, FAULT_DOSE);
	assert_int_equal(f->zone, 0);
	assert_string_equal(f->detail, "heat");
	assert_true(f->value > 0.05 && f->value < 0.0501);
	NEAR(f->limit, 0.05);
	char desc[200];
	const char *zn[1] = { "left" };

	safety_describe(f, zn, desc, sizeof(desc));
	assert_non_null(strstr(desc, "dose in zone left: heat dose 0.05 CEM43 min, above the 0.05 min allowed"));
}

static void test_controller_cold_and_default_allowance(void **state)
{
	struct tick_outputs out;
	struct tick_events ev;
	char why[256];
	double t = 0.0;

	(void)state;
	one_zone_config();
	cfg.programs[0].warm_s = 60.0;
	cfg.programs[0].cool_s = 600.0;
	cfg.programs[0].cool_c = 18.0;
	cfg.programs[0].first = PHASE_COOL;
	cfg.dose.cold_min = 1.0;        /* no allowance from the shell: the session budgets */
	cfg.safety.min_pad_c = 10.0;
	controller_init(&ctl, &cfg);
	tick(t, 33.0, &out, &ev);
	assert_int_equal(controller_start(&ctl, NULL, t, why, sizeof(why)), 0);
	NEAR(ctl.zone[0].dose_allowed.cold_min, 1.0);
	/* 15.4 C reads 14.9 for the cold budget: at or below 15, a minute allowed. */
	for (int i = 1; i <= 700 && ctl.state == SESSION_RUNNING; i++) {
		t = i * 0.1;
		tick(t, 15.4, &out, &ev);
	}
	assert_int_equal(ctl.state, SESSION_FAULT);
	assert_true(fabs(t - 60.1) < 0.11);
	assert_string_equal(safety_latched_fault(&ctl.safety)->detail, "cold");
}

/* A pad that reads nothing while the session runs keeps counting at its last reading. */
static void test_failed_read_keeps_counting(void **state)
{
	struct tick_outputs out;
	struct tick_events ev;
	struct tick_inputs in;
	char why[256];

	(void)state;
	one_zone_config();
	cfg.programs[0].warm_s = 600.0;
	cfg.safety.read_fail_count = 50;
	controller_init(&ctl, &cfg);
	tick(0.0, 33.0, &out, &ev);
	assert_int_equal(controller_start(&ctl, NULL, 0.0, why, sizeof(why)), 0);
	tick(0.1, 33.0, &out, &ev);
	double before = ctl.zone[0].dose_used.heat_min;

	memset(&in, 0, sizeof(in));
	in.heatsink[0] = sample_c(30.0, 5);
	in.loop_gap_s = 0.1;
	controller_tick(&ctl, 0.2, &in, &out, &ev);     /* pad read failed */
	assert_int_equal(ctl.state, SESSION_RUNNING);
	assert_true(ctl.zone[0].dose_used.heat_min - before > 0.1 / 60.0 * pow(0.25, 9.5) * 0.999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cem43),
		cmocka_unit_test(test_cold_minutes),
		cmocka_unit_test(test_planned),
		cmocka_unit_test(test_rolling_day),
		cmocka_unit_test(test_start_check),
		cmocka_unit_test(test_open_entry),
		cmocka_unit_test(test_controller_counts_and_trips),
		cmocka_unit_test(test_controller_cold_and_default_allowance),
		cmocka_unit_test(test_failed_read_keeps_counting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
