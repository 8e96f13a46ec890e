/* SPDX-License-Identifier: MIT */
/*
 * The simulated plant against the reference numbers of docs/simulation.md
 * (which the issue gives and a separate integration checked): rest near
 * 31.7 C with the fan running (32.8 C with it off too), 33 -> 40 C in about 9 s at full heat, 40 -> 18 C in about 95 s at
 * full cooling with the heatsink near 45 C, a floor near 11 C, and a
 * heatsink past 90 C without its fan. And the faults it can be given.
 *
 * Then the world that disagrees with the config (struct sim_world): each
 * field moves the true plant as the model's physics says; the thermistor
 * fitted and the pad offset move the samples; a glitch is one sample. And
 * the plant as hw_sim drives it: through the H-bridge machine, on and off
 * at pwm_period_s with the dead time, averaging to the duty.
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
#include "sim/hw_sim.h"
#include "sim/sim_plant.h"
#include "test_assert.h"

static const struct thermistor_params ntc = {
	.beta = 3950, .r25_ohm = 10000, .series_ohm = 10000, .supply_mv = 3300, .ntc_to = NTC_TO_GROUND,
};

static struct sim_plant plant;

static void drive(double duty, bool fan, bool power, double seconds)
{
	double d[MAX_ZONES] = { duty };
	bool f[MAX_ZONES] = { fan };

	for (double t = 0; t < seconds - 1e-9; t += 0.1)
		sim_plant_step(&plant, d, f, power, 0.1);
}

/* Seconds until the true pad crosses target_c (rising or falling), at most limit_s. */
static double time_to(double duty, double target_c, double limit_s)
{
	double d[MAX_ZONES] = { duty };
	bool f[MAX_ZONES] = { true };
	bool rising = target_c > plant.zone[0].pad_c;

	for (double t = 0; t < limit_s; t += 0.01) {
		if (rising ? plant.zone[0].pad_c >= target_c : plant.zone[0].pad_c <= target_c)
			return t;
		sim_plant_step(&plant, d, f, true, 0.01);
	}
	return INFINITY;
}

static void test_rest(void **state)
{
	(void)state;
	/* The "31.7 C with everything off" holds with the fan running ... */
	sim_plant_init(&plant, 1, &ntc, 1);
	plant.zone[0].pad_c = 25.0;
	drive(0.0, true, false, 3000);
	assert_true(fabs(plant.zone[0].pad_c - 31.7) < 0.1);
	assert_true(fabs(plant.zone[0].sink_c - 23.2) < 0.2);
	/* ... with the fan off as well the heatsink keeps more heat: 32.8 C. */
	sim_plant_init(&plant, 1, &ntc, 1);
	plant.zone[0].pad_c = 25.0;
	drive(0.0, false, false, 5000);
	assert_true(fabs(plant.zone[0].pad_c - 32.84) < 0.05);
	assert_true(fabs(plant.zone[0].sink_c - 26.52) < 0.1);
	/* And that is where the plant starts, as an idle device would be. */
	sim_plant_init(&plant, 1, &ntc, 1);
	assert_true(fabs(plant.zone[0].pad_c - 32.84) < 0.01);
	assert_true(fabs(plant.zone[0].sink_c - 26.52) < 0.01);
}

static void test_full_heat_33_to_40(void **state)
{
	(void)state;
	sim_plant_init(&plant, 1, &ntc, 1);
	sim_plant_set(&plant, 0, 33.0, 23.2);
	double t = time_to(1.0, 40.0, 60);

	assert_true(t > 8.0 && t < 10.5);
}

static void test_full_cool_40_to_18(void **state)
{
	(void)state;
	sim_plant_init(&plant, 1, &ntc, 1);
	sim_plant_set(&plant, 0, 40.0, 23.2);
	double t = time_to(-1.0, 18.0, 300);

	assert_true(t > 85.0 && t < 105.0);
	drive(-1.0, true, true, 1500);
	/* The floor and the heatsink it settles at. */
	assert_true(plant.zone[0].pad_c > 10.5 && plant.zone[0].pad_c < 11.8);
	assert_true(fabs(plant.zone[0].sink_c - 45.0) < 1.5);
}

static void test_no_fan_heatsink_passes_90(void **state)
{
	(void)state;
	sim_plant_init(&plant, 1, &ntc, 1);
	drive(-1.0, false, true, 3000);
	assert_true(plant.zone[0].sink_c > 90.0);
}

static void test_power_off_means_no_current(void **state)
{
	(void)state;
	sim_plant_init(&plant, 1, &ntc, 1);
	drive(1.0, true, false, 60);
	assert_true(plant.zone[0].pad_c > 31.6 && plant.zone[0].pad_c < 32.9);
}

static void test_sensor_lag_noise_and_quantisation(void **state)
{
	struct sensor_sample pad, pad2, sink;
	double sum = 0, sumsq = 0;
	int n = 2000;

	(void)state;
	sim_plant_init(&plant, 1, &ntc, 42);
	for (int i = 0; i < n; i++) {
		sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
		assert_true(pad.ok);
		assert_int_equal(pad.unit, SAMPLE_MV);
		/* The value is exactly the raw count times the ADS1115 LSB. */
		assert_true(fabs(pad.value - pad.raw * SIM_ADC_LSB_MV) < 1e-9);
		double ohm = ntc.series_ohm * pad.value / (ntc.supply_mv - pad.value);
		double c = 1.0 / (1.0 / 298.15 + log(ohm / ntc.r25_ohm) / ntc.beta) - 273.15;

		sum += c;
		sumsq += c * c;
	}
	double mean = sum / n, sd = sqrt(sumsq / n - mean * mean);

	assert_true(fabs(mean - 32.841) < 0.01);
	assert_true(sd > 0.04 && sd < 0.06);

	/* A step of the pad: the sensor follows with a 2 s time constant. */
	sim_plant_set(&plant, 0, 30.0, 23.2);
	plant.zone[0].pad_c = 40.0;
	double d[MAX_ZONES] = { 0 };
	bool f[MAX_ZONES] = { false };

	sim_plant_step(&plant, d, f, false, 2.0);
	double lagged = plant.zone[0].pad_sensor.lagged_c;
	/* 63 % of the way after one time constant (the pad itself moves a little). */
	assert_true(lagged > 30.0 + 0.60 * (plant.zone[0].pad_c - 30.0));
	assert_true(lagged < 30.0 + 0.66 * 10.0);
}

static void test_same_seed_same_run(void **state)
{
	struct sensor_sample a[3], b[3];
	static struct sim_plant p1, p2;
	double d[MAX_ZONES] = { 0.3 };
	bool f[MAX_ZONES] = { true };

	(void)state;
	sim_plant_init(&p1, 1, &ntc, 7);
	sim_plant_init(&p2, 1, &ntc, 7);
	for (int i = 0; i < 500; i++) {
		sim_plant_step(&p1, d, f, true, 0.1);
		sim_plant_step(&p2, d, f, true, 0.1);
		sim_plant_sample(&p1, 0, &a[0], &a[1], &a[2]);
		sim_plant_sample(&p2, 0, &b[0], &b[1], &b[2]);
		for (int k = 0; k < 3; k++) {
			assert_int_equal(a[k].raw, b[k].raw);
			assert_true(a[k].value == b[k].value);
			assert_int_equal(a[k].ok, b[k].ok);
		}
	}
	sim_plant_init(&p2, 1, &ntc, 8);
	sim_plant_sample(&p2, 0, &b[0], &b[1], &b[2]);
	sim_plant_init(&p1, 1, &ntc, 7);
	sim_plant_sample(&p1, 0, &a[0], &a[1], &a[2]);
	assert_true(a[0].raw != b[0].raw || a[1].raw != b[1].raw || a[2].raw != b[2].raw);
}

static void test_faults(void **state)
{
	struct sensor_sample pad, pad2, sink;

	(void)state;
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_SENSOR_OPEN);
	sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
	assert_true(pad.value > 3295.0);        /* NTC to ground: open reads the supply */
	assert_true(pad2.value < 2000.0);       /* only the first pad sensor breaks */

	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_SENSOR_SHORT);
	sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
	assert_true(pad.value < 1.0);

	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
	sim_plant_inject(&plant, 0, SIM_FAULT_SENSOR_STUCK);
	int64_t first = pad.raw;

	sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
	first = pad.raw;
	drive(1.0, true, true, 10);
	sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
	assert_int_equal(pad.raw, first);

	/* Dead: full duty does nothing. */
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_PELTIER_DEAD);
	drive(1.0, true, true, 30);
	assert_true(plant.zone[0].pad_c > 31.6 && plant.zone[0].pad_c < 32.9);

	/* Reversed: asking for heat cools. */
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_PELTIER_REVERSED);
	drive(1.0, true, true, 30);
	assert_true(plant.zone[0].pad_c < 28.0);

	/* Stuck on: heats with the lines off, until the power goes. */
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_PELTIER_STUCK_ON);
	drive(0.0, true, true, 5);
	assert_true(plant.zone[0].pad_c > 35.0);
	double hot = plant.zone[0].pad_c;

	drive(0.0, true, false, 5);
	assert_true(plant.zone[0].pad_c < hot);

	/* Detached: the reading goes to the air. */
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_SENSOR_DETACHED);
	drive(0.0, false, true, 20);
	assert_true(fabs(plant.zone[0].pad_sensor.lagged_c - SIM_AIR_C) < 0.1);
	assert_true(fabs(plant.zone[0].pad2_sensor.lagged_c - plant.zone[0].pad_c) < 0.1);

	assert_int_equal(sim_fault_from_name("fan-fail"), SIM_FAULT_FAN_FAIL);
	assert_int_equal(sim_fault_from_name("nonsense"), -1);
	assert_string_equal(sim_fault_name(SIM_FAULT_PELTIER_STUCK_ON), "peltier-stuck-on");
}

/* ---- the world ---- */

/* The pad's true rate now, in the plant's world, with duty held (one 1 ms step). */
static double pad_rate_c_per_s(double duty, bool fan)
{
	double d[MAX_ZONES] = { duty };
	bool f[MAX_ZONES] = { fan };
	double before = plant.zone[0].pad_c;

	sim_plant_step(&plant, d, f, true, 0.001);
	return (plant.zone[0].pad_c - before) / 0.001;
}

static void init_world(const struct sim_world *w)
{
	sim_plant_init(&plant, 1, &ntc, 5);
	sim_plant_set_world(&plant, &ntc, w);
}

static void test_world_defaults_are_the_reference(void **state)
{
	struct sim_world w;
	double pad_c, sink_c;

	(void)state;
	sim_world_defaults(&w, &ntc);
	assert_true(w.thermistor_beta == ntc.beta && w.thermistor_r25_ohm == ntc.r25_ohm);
	assert_true(w.pad_offset_c == 0.0 && w.ambient_c == 22.0 && w.core_c == 37.0);
	assert_true(w.perfusion_w_per_k == 1.0 && w.supply_v == 12.0 && w.fan_w_per_k == 4.0);
	assert_true(w.glitch_c == 2.0);
	/* The rest state solved from the balances is the one docs/simulation.md gives. */
	sim_world_rest(&w, &pad_c, &sink_c);
	assert_near(pad_c, 32.8415, 1e-3);
	assert_near(sink_c, 26.5205, 1e-3);
}

/*
 * With no current the pad's rate is the sum of its couplings, over its
 * heat capacity: the body through perfusion, the air, and the element's
 * conduction K to the heatsink.
 */
static void test_world_couplings(void **state)
{
	const double k = 0.5721, c = 150.0;
	struct sim_world w;

	(void)state;
	sim_world_defaults(&w, &ntc);
	w.ambient_c = 10.0;
	w.core_c = 36.0;
	w.perfusion_w_per_k = 0.3;
	for (int i = 0; i < 2; i++) {
		init_world(&w);
		sim_plant_set(&plant, 0, 40.0, 25.0);
		double want = (w.perfusion_w_per_k * (w.core_c - 40.0) + 0.05 * (w.ambient_c - 40.0) +
			       k * (25.0 - 40.0)) / c;

		assert_near(pad_rate_c_per_s(0.0, true), want, 1e-3);
		w.ambient_c = 35.0;
		w.perfusion_w_per_k = 3.0;
	}
	/* The rest state follows the world, and the integrated plant settles there. */
	init_world(&w);
	double pad_c, sink_c;

	sim_world_rest(&w, &pad_c, &sink_c);
	assert_near(plant.zone[0].pad_c, pad_c, 1e-9);
	plant.zone[0].pad_c = 25.0;
	drive(0.0, false, false, 4000);
	assert_near(plant.zone[0].pad_c, pad_c, 0.02);
	assert_near(plant.zone[0].sink_c, sink_c, 0.05);
	/* Warmer core, warmer rest: by perfusion / (perfusion + air + K - K^2/(0.8 + K)) a degree. */
	double pad2_c;

	w.core_c += 1.0;
	sim_world_rest(&w, &pad2_c, &sink_c);
	assert_near(pad2_c - pad_c, 3.0 / (3.0 + 0.05 + k - k * k / (0.8 + k)), 1e-3);
}

/* The supply sets the current, I = (V - S dT) / R, so the heating; the fan's coupling the heatsink. */
static void test_world_supply_and_fan(void **state)
{
	const double s = 15.4 / 323.0, r = (15.4 / 6.4) * (323.0 - 68.0) / 323.0, k = 0.5721;
	struct sim_world w;
	double rate[3];
	static const double supply_v[3] = { 10.8, 12.0, 13.2 };

	(void)state;
	sim_world_defaults(&w, &ntc);
	for (int i = 0; i < 3; i++) {
		w.supply_v = supply_v[i];
		init_world(&w);
		sim_plant_set(&plant, 0, 33.0, 23.0);
		rate[i] = pad_rate_c_per_s(1.0, true);
		/* Hot side (the pad): Qh = S Th I + R I^2 / 2 - K dT, plus the body and the air. */
		double dt_k = 10.0, i_a = (supply_v[i] - s * dt_k) / r;
		double qh = s * (33.0 + 273.15) * i_a + r * i_a * i_a / 2.0 - k * dt_k;
		double want = (qh + 1.0 * (37.0 - 33.0) + 0.05 * (22.0 - 33.0)) / 150.0;

		assert_near(rate[i], want, 2e-3);
	}
	assert_true(rate[0] < rate[1] && rate[1] < rate[2]);

	/* Full cooling for long: a stronger fan holds the heatsink cooler, and the pad with it. */
	double sink_c[2], pad_c[2];

	for (int i = 0; i < 2; i++) {
		sim_world_defaults(&w, &ntc);
		w.fan_w_per_k = i == 0 ? 4.0 : 8.0;
		init_world(&w);
		drive(-1.0, true, true, 1500);
		sink_c[i] = plant.zone[0].sink_c;
		pad_c[i] = plant.zone[0].pad_c;
	}
	assert_near(sink_c[0], 45.0, 1.5);
	assert_true(sink_c[1] < sink_c[0] - 8.0);
	assert_true(pad_c[1] < pad_c[0]);
}

/* The temperature the configured thermistor maths makes of a sample (no noise, no quantisation check). */
static double as_configured_c(const struct sensor_sample *smp)
{
	double ohm;

	assert_int_equal(thermistor_mv_to_ohm(&ntc, smp->value, &ohm), 0);
	return thermistor_ohm_to_c(&ntc, ohm);
}

/* The mean of n pad samples as the config reads them, the pad held at pad_c. */
static double mean_reading_c(double pad_c, int n, double *pad2_mean_c)
{
	struct sensor_sample pad, pad2, sink;
	double sum = 0, sum2 = 0;

	sim_plant_set(&plant, 0, pad_c, 25.0);
	for (int i = 0; i < n; i++) {
		sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
		sum += as_configured_c(&pad);
		sum2 += as_configured_c(&pad2);
	}
	if (pad2_mean_c)
		*pad2_mean_c = sum2 / n;
	return sum / n;
}

static void test_world_sensors(void **state)
{
	struct sim_world w;
	double pad2_c;

	(void)state;
	/* The reference: the reading is the truth within the noise. */
	sim_world_defaults(&w, &ntc);
	init_world(&w);
	assert_near(mean_reading_c(41.0, 2000, NULL), 41.0, 0.01);

	/* Both pad sensors read pad_offset_c high; the heatsink sensor does not. */
	w.pad_offset_c = -0.5;
	init_world(&w);
	assert_near(mean_reading_c(41.0, 2000, &pad2_c), 40.5, 0.01);
	assert_near(pad2_c, 40.5, 0.01);

	/*
	 * A Beta 3435 part read as the configured 3950: from the Beta equation,
	 * 1/T_read = 1/T25 + (3435/3950)(1/T - 1/T25). At 41.4 C that is 39.16 C.
	 */
	sim_world_defaults(&w, &ntc);
	w.thermistor_beta = 3435.0;
	init_world(&w);
	double t_k = 41.4 + 273.15, t25_k = 298.15;
	double want_c = 1.0 / (1.0 / t25_k + (3435.0 / 3950.0) * (1.0 / t_k - 1.0 / t25_k)) - 273.15;

	assert_near(want_c, 39.16, 0.01);
	assert_near(mean_reading_c(41.4, 2000, NULL), want_c, 0.01);
	/* At 25 C the parts agree: R25 is the same. */
	assert_near(mean_reading_c(25.0, 2000, NULL), 25.0, 0.01);
	/* The R25 of the fitted part: 10 % more resistance reads colder. */
	sim_world_defaults(&w, &ntc);
	w.thermistor_r25_ohm = 11000.0;
	init_world(&w);
	want_c = 1.0 / (1.0 / t25_k + log(1.1) / 3950.0) - 273.15;
	assert_near(mean_reading_c(25.0, 2000, NULL), want_c, 0.01);
}

/* A sensor-glitch is one sample of the first pad sensor, off by glitch_c; then it reads true again. */
static void test_glitch_is_one_sample(void **state)
{
	struct sim_world w;
	struct sensor_sample pad, pad2, sink;
	double sink_before_c;

	(void)state;
	for (int sign = -1; sign <= 1; sign += 2) {
		sim_world_defaults(&w, &ntc);
		w.glitch_c = 2.0 * sign;
		init_world(&w);
		sim_plant_set(&plant, 0, 38.0, 25.0);
		sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
		sink_before_c = as_configured_c(&sink);
		sim_plant_inject(&plant, 0, SIM_FAULT_SENSOR_GLITCH);
		sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
		assert_near(as_configured_c(&pad), 38.0 + w.glitch_c, 0.25);
		assert_near(as_configured_c(&pad2), 38.0, 0.25);
		assert_near(as_configured_c(&sink), sink_before_c, 0.25);
		for (int i = 0; i < 20; i++) {
			sim_plant_sample(&plant, 0, &pad, &pad2, &sink);
			assert_near(as_configured_c(&pad), 38.0, 0.25);
		}
		/* Not a lasting fault. */
		assert_false(plant.zone[0].fault[SIM_FAULT_SENSOR_GLITCH]);
	}
	assert_int_equal(sim_fault_from_name("sensor-glitch"), SIM_FAULT_SENSOR_GLITCH);
}

/* Stuck on in the cooling polarity: cools with the lines off, until the power goes. */
static void test_stuck_on_cool(void **state)
{
	(void)state;
	sim_plant_init(&plant, 1, &ntc, 3);
	sim_plant_inject(&plant, 0, SIM_FAULT_PELTIER_STUCK_ON_COOL);
	drive(0.0, true, true, 20);
	assert_true(plant.zone[0].pad_c < 29.0);
	double cold = plant.zone[0].pad_c;

	drive(0.0, true, false, 5);
	assert_true(plant.zone[0].pad_c > cold);
	assert_string_equal(sim_fault_name(SIM_FAULT_PELTIER_STUCK_ON_COOL), "peltier-stuck-on-cool");
}

/* ---- the plant as hw_sim drives it: the H-bridge, edge by edge ---- */

static struct config bridge_cfg;
static struct hw_sim sim;

static void sim_with_bridge(double pwm_period_s, double dead_time_ms, bool enable_line)
{
	config_defaults(&bridge_cfg);
	bridge_cfg.n_zones = 1;
	snprintf(bridge_cfg.zones[0].name, sizeof(bridge_cfg.zones[0].name), "left");
	snprintf(bridge_cfg.zones[0].enable, sizeof(bridge_cfg.zones[0].enable), "%s", enable_line ? "GPIO22" : "");
	bridge_cfg.daemon.pwm_period_s = pwm_period_s;
	bridge_cfg.daemon.dead_time_ms = dead_time_ms;
	hw_sim_init(&sim, &bridge_cfg, 11);
}

static void apply(double duty, double at_s)
{
	struct tick_outputs out = { .duty = { duty }, .fan = { true }, .power = true };
	struct hw hw = hw_sim_hw(&sim);
	int failed = -1;

	hw_sim_advance(&sim, at_s);
	assert_int_equal(hw.ops->apply(hw.ctx, at_s, &out, &failed), 0);
}

/* Seconds the bridge conducted in each polarity from now to to_s, in 1 ms steps. */
static void conducted(double to_s, double *heat_s, double *cool_s)
{
	*heat_s = *cool_s = 0.0;
	while (sim.plant.t_s < to_s - 1e-9) {
		int drive_now = hw_sim_drive(&sim, 0);

		hw_sim_advance(&sim, sim.plant.t_s + 0.001);
		*heat_s += drive_now > 0 ? 0.001 : 0.0;
		*cool_s += drive_now < 0 ? 0.001 : 0.0;
	}
}

static void test_bridge_pulses_average_the_duty(void **state)
{
	double heat_s, cool_s;

	(void)state;
	for (int enable = 0; enable < 2; enable++) {
		static const double duties[] = { 0.05, 0.3, 0.75, -0.4 };

		for (size_t i = 0; i < sizeof(duties) / sizeof(duties[0]); i++) {
			sim_with_bridge(2.0, 200.0, enable);
			apply(duties[i], 0.0);
			/* The first drive waits the dead time (the lines' state before start is unknown). */
			conducted(0.2, &heat_s, &cool_s);
			assert_true(heat_s == 0.0 && cool_s == 0.0);
			conducted(20.2, &heat_s, &cool_s);
			/* Ten whole periods at the duty: on/off, never in between. */
			assert_near(duties[i] > 0 ? heat_s : cool_s, 20.0 * fabs(duties[i]), 0.011);
			assert_true(duties[i] > 0 ? cool_s == 0.0 : heat_s == 0.0);
		}
	}
}

/* What the pad sees of a pulsed bridge, it sees of the average duty, but for the ripple. */
static void test_bridge_average_matches_the_plant_at_duty(void **state)
{
	double d[MAX_ZONES] = { 0.3 };
	bool f[MAX_ZONES] = { true };

	(void)state;
	sim_with_bridge(1.0, 0.0, true);
	sim_plant_init(&plant, 1, &bridge_cfg.thermistor, 11);
	apply(0.3, 0.0);
	for (int i = 1; i <= 600; i++) {
		hw_sim_advance(&sim, i * 0.1);
		sim_plant_step(&plant, d, f, true, 0.1);
	}
	/* A minute at 30 %: the pad warmed, the pulsed and the averaged plant within the ripple. */
	assert_true(plant.zone[0].pad_c > 38.0);
	assert_near(sim.plant.zone[0].pad_c, plant.zone[0].pad_c, 0.3);
	assert_near(sim.plant.zone[0].sink_c, plant.zone[0].sink_c, 0.3);
	/* The ripple itself: over one period the true pad rises in the pulse, falls after it. */
	double lo = INFINITY, hi = -INFINITY;

	for (int i = 1; i <= 100; i++) {
		hw_sim_advance(&sim, 60.0 + i * 0.01);
		lo = fmin(lo, sim.plant.zone[0].pad_c);
		hi = fmax(hi, sim.plant.zone[0].pad_c);
	}
	assert_true(hi - lo > 0.1);
}

/* A polarity change: dead time with nothing conducting, then the other way. */
static void test_bridge_dead_time_reaches_the_plant(void **state)
{
	double heat_s, cool_s;

	(void)state;
	sim_with_bridge(1.0, 500.0, false);
	apply(1.0, 0.0);
	conducted(5.0, &heat_s, &cool_s);
	assert_near(heat_s, 4.5, 0.0011);
	apply(-1.0, 5.0);
	conducted(5.5, &heat_s, &cool_s);
	assert_true(heat_s == 0.0 && cool_s == 0.0);
	conducted(7.5, &heat_s, &cool_s);
	assert_near(cool_s, 2.0, 0.0011);
	/* The power relay off: nothing conducts, whatever the duty. */
	struct tick_outputs off = { .duty = { -1.0 }, .power = false };
	struct hw hw = hw_sim_hw(&sim);
	int failed;

	assert_int_equal(hw.ops->apply(hw.ctx, 7.5, &off, &failed), 0);
	assert_int_equal(hw_sim_drive(&sim, 0), 0);
}

/* A loop stall: no PWM edge is serviced, the lines stay as they were until the loop runs again. */
static void test_stall_freezes_the_lines(void **state)
{
	struct sim_injection stall = { .kind = INJECT_LOOP_STALL, .zone = 0, .at_s = 10.05 };
	double heat_s, cool_s;

	(void)state;
	sim_with_bridge(1.0, 0.0, true);
	assert_int_equal(hw_sim_add_injection(&sim, &stall), 0);
	apply(0.2, 0.0);
	hw_sim_advance(&sim, 10.1);
	/* In the pulse of the period that started at 10 s. */
	assert_int_equal(hw_sim_drive(&sim, 0), 1);
	assert_near(hw_sim_take_stall(&sim), SIM_LOOP_STALL_S, 1e-12);
	conducted(10.1 + SIM_LOOP_STALL_S, &heat_s, &cool_s);
	assert_near(heat_s, SIM_LOOP_STALL_S, 0.0011);
	/* The loop is back: the bridge catches up with its periods. */
	conducted(20.1 + SIM_LOOP_STALL_S, &heat_s, &cool_s);
	assert_near(heat_s, 2.0, 0.11);
}

/* The world reaches the plant through hw_sim, before it runs and never after. */
static void test_hw_sim_world(void **state)
{
	struct sim_world w;
	double pad_c, sink_c;

	(void)state;
	sim_with_bridge(1.0, 200.0, true);
	sim_world_defaults(&w, &bridge_cfg.thermistor);
	w.ambient_c = 35.0;
	assert_int_equal(hw_sim_set_world(&sim, &w), 0);
	sim_world_rest(&w, &pad_c, &sink_c);
	assert_near(sim.plant.zone[0].pad_c, pad_c, 1e-9);
	hw_sim_advance(&sim, 1.0);
	assert_int_equal(hw_sim_set_world(&sim, &w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_full_heat_33_to_40),
		cmocka_unit_test(test_full_cool_40_to_18),
		cmocka_unit_test(test_no_fan_heatsink_passes_90),
		cmocka_unit_test(test_power_off_means_no_current),
		cmocka_unit_test(test_sensor_lag_noise_and_quantisation),
		cmocka_unit_test(test_same_seed_same_run),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_world_defaults_are_the_reference),
		cmocka_unit_test(test_world_couplings),
		cmocka_unit_test(test_world_supply_and_fan),
		cmocka_unit_test(test_world_sensors),
		cmocka_unit_test(test_glitch_is_one_sample),
		cmocka_unit_test(test_stuck_on_cool),
		cmocka_unit_test(test_bridge_pulses_average_the_duty),
		cmocka_unit_test(test_bridge_average_matches_the_plant_at_duty),
		cmocka_unit_test(test_bridge_dead_time_reaches_the_plant),
		cmocka_unit_test(test_stall_freezes_the_lines),
		cmocka_unit_test(test_hw_sim_world),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
