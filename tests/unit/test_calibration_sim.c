/* SPDX-License-Identifier: MIT */
/*
 * Calibration on the simulated plant: the pads carry a thermistor other
 * than the one the config describes (Beta 3700 fitted, 3950 configured:
 * the pad reads about 1 C low at 40 C), said as a person says it, in the
 * config: the example's [thermistor] beta = 3950 and [simulate]
 * thermistor_beta = 3700, parsed, and the plant set up from it as
 * --simulate sets it up. Uncalibrated, the true pad sits
 * off its setpoint by more than 0.5 C; after `calibrate` at two points
 * (the pad held at 25 and at 40 C, the simulator's true temperature as
 * the reference thermometer) the true pad holds within 0.3 C of every
 * setpoint. Judged on the true temperature, never on what the daemon
 * reads. Also: a part far from the config is refused and changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "sim_harness.h"

#define FITTED_BETA     3700.0  /* the part on the pads */
#define CONFIG_BETA     3950.0  /* what [thermistor] says */
#define WINDOW_S        10.0    /* "holds": every 10 s mean of the true pad */
#define SETTLE_S        20.0    /* judged from this long after a phase's length starts counting */

static struct config cfg;
static struct daemon *d = &harness_daemon;

/* The example config with a [simulate] section saying which part is fitted, parsed. */
static void load_with_fitted_beta(double fitted_beta)
{
	static char file[CONFIG_FILE_MAX + 1], text[CONFIG_FILE_MAX + 64];
	struct config_error err;
	FILE *f = fopen("config/contrastd.conf", "r");
	const char *sim;
	size_t n;

	assert_non_null(f);
	n = fread(file, 1, CONFIG_FILE_MAX, f);
	fclose(f);
	file[n] = '\0';
	/* The key under the example's [simulate] header. */
	sim = strstr(file, "\n[simulate]\n");
	assert_non_null(sim);
	sim += strlen("\n[simulate]\n");
	snprintf(text, sizeof(text), "%.*sthermistor_beta = %g\n%s", (int)(sim - file), file, fitted_beta, sim);
	if (config_parse_string(text, "contrastd.conf+[simulate]", &cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

/* The daemon idle on a plant whose thermistor has Beta fitted_beta, the config saying CONFIG_BETA. */
static void init_idle(double fitted_beta)
{
	struct options opt;
	char err[256];

	load_with_fitted_beta(fitted_beta);
	assert_true(cfg.thermistor.beta == CONFIG_BETA);
	assert_true(cfg.simulate.thermistor_beta == fitted_beta);
	memset(&opt, 0, sizeof(opt));
	opt.simulate = true;
	opt.seed = 11;
	opt.fast_after_s = -1.0;
	log_set_max_level((enum log_level)0);
	assert_int_equal(harness_init(d, &opt, &cfg, err, sizeof(err)), 0);
	/* The plant carries the fitted part; the daemon reads it as [thermistor] says. */
	assert_true(harness_sim.plant.ntc.beta == fitted_beta);
	assert_true(d->cfg.thermistor.beta == CONFIG_BETA);
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	d->progress = harness_devnull;
	d->fast = true;
}

/* Hold every pad's true temperature at pad_c for seconds (a stirred water bath). */
static void hold(double pad_c, double seconds)
{
	for (double t = 0; t < seconds - 1e-9; t += 1.0 / cfg.daemon.control_hz) {
		for (int z = 0; z < d->cfg.n_zones; z++)
			sim_plant_set(&harness_sim.plant, z, pad_c, harness_sim.plant.zone[z].sink_c);
		daemon_step(d);
	}
}

static int calibrate_all(double reference_c, char *msg, size_t len)
{
	for (int z = 0; z < d->cfg.n_zones; z++)
		if (guard_calibrate(&d->guard, &d->ctl, d->cfg.zones[z].name, reference_c, msg, len) < 0)
			return -1;
	return 0;
}

/*
 * Run the program to its end; the largest distance of a 10 s mean of the
 * true pad from the setpoint, over the settled part of every phase, in
 * any zone.
 */
static double run_and_judge(const char *program)
{
	char why[512];
	double worst = 0.0, sum[MAX_ZONES] = { 0 }, window_start = NAN;
	int n = 0, phase = -1;

	assert_int_equal(guard_start(&d->guard, &d->ctl, program, d->now_s, 1e9, why, sizeof(why)), 0);
	while (d->ctl.state == SESSION_RUNNING && d->now_s < 7200.0) {
		daemon_step(d);
		const struct program_run *r = &d->ctl.run;
		bool judged = d->ctl.state == SESSION_RUNNING && r->settled &&
			      d->now_s - r->count_from_s >= SETTLE_S;

		if (!judged || r->phase != phase) {
			phase = r->phase;
			n = 0;
			window_start = NAN;
			memset(sum, 0, sizeof(sum));
			continue;
		}
		if (isnan(window_start))
			window_start = d->now_s;
		for (int z = 0; z < d->cfg.n_zones; z++)
			sum[z] += harness_sim.plant.zone[z].pad_c;
		n++;
		if (d->now_s - window_start >= WINDOW_S - 1e-9) {
			for (int z = 0; z < d->cfg.n_zones; z++)
				worst = fmax(worst, fabs(sum[z] / n - d->ctl.zone[z].setpoint_c));
			n = 0;
			window_start = NAN;
			memset(sum, 0, sizeof(sum));
		}
	}
	assert_int_equal(d->ctl.state, SESSION_COMPLETED);
	return worst;
}

static void test_uncalibrated_is_off(void **state)
{
	(void)state;
	init_idle(FITTED_BETA);
	hold(33.0, 2.0);
	double worst = run_and_judge("short");

	print_message("uncalibrated: the true pad up to %.2f C from the setpoint\n", worst);
	assert_true(worst > 0.5);       /* the test below can fail */
	daemon_close(d);
}

static void test_calibrated_holds_within_0_3(void **state)
{
	char msg[1024];

	(void)state;
	init_idle(FITTED_BETA);
	hold(25.0, 5.0);
	assert_int_equal(calibrate_all(25.0, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "point 1 recorded"));
	hold(40.0, 5.0);
	if (calibrate_all(40.0, msg, sizeof(msg)) < 0)
		fail_msg("%s", msg);
	assert_non_null(strstr(msg, "calibrated: gain"));
	for (int z = 0; z < d->cfg.n_zones; z++)
		assert_true(d->ctl.cal[z][0].calibrated);
	hold(33.0, 2.0);
	double worst = run_and_judge("short");

	print_message("calibrated: the true pad within %.2f C of the setpoint\n", worst);
	assert_true(worst <= 0.3);
	daemon_close(d);
}

/* The part, Beta 3435 configured as 3950: refused, and nothing applied. */
static void test_far_part_refused(void **state)
{
	char msg[1024];

	(void)state;
	init_idle(3435.0);
	hold(20.0, 5.0);
	assert_int_equal(calibrate_all(20.0, msg, sizeof(msg)), 0);
	hold(42.0, 5.0);
	assert_int_equal(calibrate_all(42.0, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "this is not the thermistor the config describes"));
	assert_false(d->ctl.cal[0][0].calibrated);
	daemon_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncalibrated_is_off),
		cmocka_unit_test(test_calibrated_holds_within_0_3),
		cmocka_unit_test(test_far_part_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
