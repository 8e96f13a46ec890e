/* SPDX-License-Identifier: MIT */
/*
 * Closed loop on the simulated plant, in virtual time: the example program
 * completes; every zone reaches every warm and cool setpoint within 0.5 C
 * and holds it (the true pad from when it first comes within 0.1 C; the
 * reading, which lags the pad by the sensor's time constant, from five
 * of those later); the pad never leaves [min_pad_c, max_pad_c]; the wall and
 * settled phase clocks behave as docs/configuration.md says; outputs are
 * off whenever no session runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "sim_harness.h"

static struct config cfg;

#define MAX_PHASES 64
/*
 * The controller drives the true pad to the setpoint at full power; the
 * reading, a first-order lag behind it, is 1.6 C short when the pad gets
 * there and within 1 % of the step five time constants later.
 */
#define READ_CATCH_UP_LAGS 5.0

/* Per zone and phase: what the run did. */
struct phase_log {
	double start_s, end_s;
	double setpoint_c;
	double reached_s;               /* first tick the true pad's 1 s mean was within 0.1 C (NAN: never) */
	double all_in_band_s;           /* first tick every zone's reading was within band */
	double max_dev_after_true_c;    /* |true - setpoint| after reached */
	double max_dev_after_read_c;    /* |1 s mean of the reading - setpoint| from READ_CATCH_UP_LAGS after reached */
};

struct run_log {
	int n_phases;
	struct phase_log phase[MAX_ZONES][MAX_PHASES];
	double window[MAX_ZONES][10];
	double true_window[MAX_ZONES][10];      /* the true pad's last second: the bridge pulses it */
	int window_n[MAX_ZONES];
	int last_phase;
	double max_true_c, min_true_c;
	double max_read_c, min_read_c;
	int outputs_while_not_running;
	int heat_and_cool;
};

static int observe(const struct daemon *d, void *arg)
{
	struct run_log *log = arg;
	const struct controller *c = &d->ctl;
	const struct tick_outputs *applied = &harness_sim.applied;

	for (int z = 0; z < d->cfg.n_zones; z++) {
		double true_c = harness_sim.plant.zone[z].pad_c;

		if (true_c > log->max_true_c)
			log->max_true_c = true_c;
		if (true_c < log->min_true_c)
			log->min_true_c = true_c;
		if (c->zone[z].pad.status == READING_OK) {
			double r = c->zone[z].pad.temp_c;

			log->max_read_c = fmax(log->max_read_c, r);
			log->min_read_c = fmin(log->min_read_c, r);
		}
		/* The lines as the trace derives them: heat and cool from the duty's sign. */
		if (applied->duty[z] > 0.0 && applied->duty[z] < 0.0)
			log->heat_and_cool++;
	}
	if (c->state != SESSION_RUNNING) {
		for (int z = 0; z < d->cfg.n_zones; z++)
			if (applied->duty[z] != 0.0)
				log->outputs_while_not_running++;
		if (applied->power)
			log->outputs_while_not_running++;
		return 0;
	}

	int ph = c->run.phase;

	if (ph >= MAX_PHASES)
		return 0;
	if (ph != log->last_phase) {
		for (int z = 0; z < d->cfg.n_zones; z++) {
			if (log->last_phase >= 0)
				log->phase[z][log->last_phase].end_s = d->now_s;
			log->phase[z][ph] = (struct phase_log){
				.start_s = d->now_s,
				.setpoint_c = c->zone[z].setpoint_c,
				.reached_s = NAN,
				.all_in_band_s = NAN,
			};
			log->window_n[z] = 0;
		}
		log->last_phase = ph;
		log->n_phases = ph + 1;
	}
	bool all_in_band = true;

	for (int z = 0; z < d->cfg.n_zones; z++) {
		struct phase_log *p = &log->phase[z][ph];
		double true_c = harness_sim.plant.zone[z].pad_c;
		double read_c = c->zone[z].pad_c;

		log->window[z][log->window_n[z] % 10] = read_c;
		log->true_window[z][log->window_n[z] % 10] = true_c;
		log->window_n[z]++;
		if (fabs(read_c - p->setpoint_c) > c->program.band_c)
			all_in_band = false;
		if (log->window_n[z] < 10)
			continue;
		double mean = 0, true_mean = 0;

		for (int i = 0; i < 10; i++) {
			mean += log->window[z][i] / 10;
			true_mean += log->true_window[z][i] / 10;
		}
		if (isnan(p->reached_s) && fabs(true_mean - p->setpoint_c) <= 0.1)
			p->reached_s = d->now_s;
		if (isnan(p->reached_s))
			continue;
		p->max_dev_after_true_c = fmax(p->max_dev_after_true_c, fabs(true_c - p->setpoint_c));
		if (d->now_s >= p->reached_s + READ_CATCH_UP_LAGS * d->cfg.safety.sensor_lag_s)
			p->max_dev_after_read_c = fmax(p->max_dev_after_read_c, fabs(mean - p->setpoint_c));
	}
	for (int z = 0; z < d->cfg.n_zones; z++)
		if (all_in_band && isnan(log->phase[z][ph].all_in_band_s))
			log->phase[z][ph].all_in_band_s = d->now_s;
	return 0;
}

static struct run_log run_log;

static const struct daemon *run_program(const char *program, uint64_t seed)
{
	memset(&run_log, 0, sizeof(run_log));
	run_log.last_phase = -1;
	run_log.max_true_c = run_log.max_read_c = -INFINITY;
	run_log.min_true_c = run_log.min_read_c = INFINITY;
	const struct daemon *d = harness_run(&cfg, program, seed, NULL, 0, 3 * 3600.0, observe, &run_log);

	for (int z = 0; z < d->cfg.n_zones && run_log.last_phase >= 0; z++)
		if (run_log.phase[z][run_log.last_phase].end_s == 0)
			run_log.phase[z][run_log.last_phase].end_s = d->now_s;
	return d;
}

static void check_tracking(const struct daemon *d)
{
	const struct program *p = &d->ctl.program;

	assert_int_equal(run_log.n_phases, program_phase_count(p));
	for (int z = 0; z < d->cfg.n_zones; z++) {
		for (int ph = 0; ph < run_log.n_phases; ph++) {
			const struct phase_log *pl = &run_log.phase[z][ph];

			/* Reached, and held within 0.5 C from then on, true and read. */
			if (isnan(pl->reached_s))
				fail_msg("zone %d phase %d (%.1f C) never reached", z, ph, pl->setpoint_c);
			if (pl->max_dev_after_true_c > 0.5 || pl->max_dev_after_read_c > 0.5)
				fail_msg("zone %d phase %d (%.1f C): off by %.2f C (true), %.2f C (read) after reaching it",
					 z, ph, pl->setpoint_c, pl->max_dev_after_true_c, pl->max_dev_after_read_c);
		}
	}
	assert_true(run_log.max_true_c <= d->cfg.safety.max_pad_c);
	assert_true(run_log.min_true_c >= d->cfg.safety.min_pad_c);
	assert_true(run_log.max_read_c <= d->cfg.safety.max_pad_c);
	assert_true(run_log.min_read_c >= d->cfg.safety.min_pad_c);
	assert_int_equal(run_log.outputs_while_not_running, 0);
	assert_int_equal(run_log.heat_and_cool, 0);
}

static void test_example_program_completes(void **state)
{
	(void)state;
	harness_load_example(&cfg);
	const struct daemon *d = run_program(NULL, 1);

	assert_int_equal(d->ctl.state, SESSION_COMPLETED);
	assert_int_equal(d->exit_code, 0);
	assert_false(safety_latched(&d->ctl.safety));
	check_tracking(d);
	/* Outputs off at the end, power relay open. */
	for (int z = 0; z < d->cfg.n_zones; z++)
		assert_true(harness_sim.applied.duty[z] == 0.0);
	assert_false(harness_sim.applied.power);
}

/* The extremes of what the default limits allow, both orders, both ends. */
static void test_setpoint_extremes(void **state)
{
	static const struct {
		double warm_c, cool_c;
		enum phase_kind first, last;
	} table[] = {
		{ 40.0, 14.0, PHASE_WARM, PHASE_COOL },
		{ 40.0, 14.0, PHASE_COOL, PHASE_COOL },
		{ 34.0, 30.0, PHASE_WARM, PHASE_WARM },
		{ 37.0, 25.0, PHASE_COOL, PHASE_WARM },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		harness_load_example(&cfg);
		struct program *p = &cfg.programs[0];

		p->warm_c = table[i].warm_c;
		p->cool_c = table[i].cool_c;
		p->first = table[i].first;
		p->last = table[i].last;
		p->cycles = 2;
		p->warm_s = 120;
		p->cool_s = 120;
		/* Three cool phases at 14 C plan more cold than a session's default budget: control is the subject here. */
		cfg.dose.cold_min = HARD_MAX_COLD_MIN;
		cfg.dose.cold_day_min = HARD_MAX_COLD_DAY_MIN;
		const struct daemon *d = run_program(NULL, 100 + i);

		assert_int_equal(d->ctl.state, SESSION_COMPLETED);
		check_tracking(d);
	}
}

/* Wall clock: each phase lasts exactly its length from its start, reached or not. */
static void test_wall_clock(void **state)
{
	(void)state;
	harness_load_example(&cfg);
	struct program *p = &cfg.programs[0];

	p->clock = PHASE_CLOCK_WALL;
	p->cycles = 2;
	p->warm_s = 60;
	p->cool_s = 50;         /* shorter than the plant needs to get there */
	const struct daemon *d = run_program(NULL, 7);

	assert_int_equal(d->ctl.state, SESSION_COMPLETED);
	for (int ph = 0; ph < run_log.n_phases; ph++) {
		const struct phase_log *pl = &run_log.phase[0][ph];
		double expect_s = program_phase_length_s(p, ph);

		assert_true(fabs((pl->end_s - pl->start_s) - expect_s) < 0.15);
	}
	/* A cool phase of 50 s is over before the pad gets from 39 to 20 C. */
	assert_true(isnan(run_log.phase[0][1].reached_s));
	assert_true(fabs(d->ctl.session_end_s - d->ctl.session_start_s - 220.0) < 0.5);
}

/* Settled clock: a phase's length counts from when every zone is in band. */
static void test_settled_clock(void **state)
{
	(void)state;
	harness_load_example(&cfg);
	struct program *p = &cfg.programs[0];

	p->clock = PHASE_CLOCK_SETTLED;
	p->cycles = 2;
	p->warm_s = 60;
	p->cool_s = 50;
	const struct daemon *d = run_program(NULL, 7);

	assert_int_equal(d->ctl.state, SESSION_COMPLETED);
	for (int ph = 0; ph < run_log.n_phases; ph++) {
		const struct phase_log *pl = &run_log.phase[0][ph];
		double expect_s = program_phase_length_s(p, ph);

		assert_false(isnan(pl->all_in_band_s));
		/* The phase ends its length after the band was first reached by all zones. */
		assert_true(fabs((pl->end_s - pl->all_in_band_s) - expect_s) < 0.15);
		/* The cool-down took time, and that time did not eat the phase. */
		if (program_phase_kind(p, ph) == PHASE_COOL)
			assert_true(pl->all_in_band_s - pl->start_s > 30.0);
	}
	/* So it lasts longer than the wall-clock program by the settling times. */
	assert_true(d->ctl.session_end_s - d->ctl.session_start_s > 220.0 + 60.0);
}

/* A button-style stop mid-session: outputs off at once, result stopped. */
static int stop_at_100(const struct daemon *d, void *arg)
{
	(void)arg;
	if (d->now_s >= 100.0 && d->ctl.state == SESSION_RUNNING) {
		struct daemon *dd = (struct daemon *)d;

		assert_int_equal(controller_stop(&dd->ctl, d->now_s), 0);
		assert_true(dd->ctl.out.duty[0] == 0.0 && !dd->ctl.out.power);
		return 1;
	}
	return 0;
}

static void test_stop(void **state)
{
	(void)state;
	harness_load_example(&cfg);
	const struct daemon *d = harness_run(&cfg, NULL, 3, NULL, 0, 3600, stop_at_100, NULL);

	assert_int_equal(d->ctl.state, SESSION_STOPPED);
	struct daemon *dd = (struct daemon *)d;

	daemon_step(dd);
	assert_true(harness_sim.applied.duty[0] == 0.0 && harness_sim.applied.duty[1] == 0.0);
	assert_false(harness_sim.applied.power);
	char json[2048];

	report_summary_json(&d->ctl, json, sizeof(json));
	assert_non_null(strstr(json, "\"result\":\"stopped\""));
	assert_non_null(strstr(json, "\"fault\":null"));
}

static void test_same_seed_same_run(void **state)
{
	static char a[4096], b[4096];

	(void)state;
	harness_load_example(&cfg);
	cfg.programs[0].cycles = 1;
	report_summary_json(&run_program(NULL, 5)->ctl, a, sizeof(a));
	report_summary_json(&run_program(NULL, 5)->ctl, b, sizeof(b));
	assert_string_equal(a, b);
	report_summary_json(&run_program(NULL, 6)->ctl, b, sizeof(b));
	assert_string_not_equal(a, b);
}

/*
 * A hot room (35 C): after a cool phase the heatsink is hot, and holding
 * 39 C needs a little cooling first, then, as the heatsink cools, a little
 * heat. The hold's polarity must cross without the pad drifting off: on
 * the true pad, from when it first reaches each setpoint, within 0.3 C
 * (the benchmark's settle band) to the end of the phase. Seeds 3 and 4
 * drifted 0.31-0.35 C off while the hold waited 10 s for sustained demand.
 */
static void test_hot_room_polarity_crossing(void **state)
{
	static struct sim_world world;
	struct harness_world hw = { .world = &world };

	(void)state;
	harness_load_example(&cfg);
	for (uint64_t seed = 3; seed <= 4; seed++) {
		sim_world_defaults(&world, &cfg.thermistor);
		world.ambient_c = 35.0;
		memset(&run_log, 0, sizeof(run_log));
		run_log.last_phase = -1;
		run_log.max_true_c = run_log.max_read_c = -INFINITY;
		run_log.min_true_c = run_log.min_read_c = INFINITY;
		const struct daemon *d = harness_run_in(&cfg, NULL, seed, NULL, 0, &hw, 3 * 3600.0, observe, &run_log);

		assert_int_equal(d->ctl.state, SESSION_COMPLETED);
		for (int z = 0; z < d->cfg.n_zones; z++)
			for (int ph = 0; ph < run_log.n_phases; ph++) {
				const struct phase_log *pl = &run_log.phase[z][ph];

				if (isnan(pl->reached_s))
					fail_msg("seed %d zone %d phase %d (%.1f C) never reached", (int)seed, z, ph,
						 pl->setpoint_c);
				if (pl->max_dev_after_true_c > 0.3)
					fail_msg("seed %d zone %d phase %d (%.1f C): the true pad %.2f C off after reaching it",
						 (int)seed, z, ph, pl->setpoint_c, pl->max_dev_after_true_c);
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_program_completes),
		cmocka_unit_test(test_setpoint_extremes),
		cmocka_unit_test(test_wall_clock),
		cmocka_unit_test(test_settled_clock),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_same_seed_same_run),
		cmocka_unit_test(test_hot_room_polarity_crossing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
