/* SPDX-License-Identifier: MIT */
/* Sample to reading: every status, both wirings, and every edge. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/limits.h"
#include "core/sensor.h"


#define SUPPLY_MV 3300.0
#define M SENSOR_RAIL_MARGIN_MV

static const struct thermistor_params to_ground = {
	.beta = 3950.0, .r25_ohm = 10000.0, .series_ohm = 10000.0,
	.supply_mv = SUPPLY_MV, .ntc_to = NTC_TO_GROUND,
};

static const struct thermistor_params to_supply = {
	.beta = 3950.0, .r25_ohm = 10000.0, .series_ohm = 10000.0,
	.supply_mv = SUPPLY_MV, .ntc_to = NTC_TO_SUPPLY,
};

static struct reading interpret(const struct thermistor_params *p, bool ok,
				enum sample_unit unit, double value)
{
	struct sensor_sample s = { .ok = ok, .unit = unit, .raw = 1234, .value = value };
	struct reading r;

	/* Garbage first: every field must be written. */
	memset(&r, 0x5a, sizeof(r));
	sensor_interpret(p, &s, &r);
	return r;
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(reading_status_name(READING_OK), "ok");
	assert_string_equal(reading_status_name(READING_FAILED), "failed");
	assert_string_equal(reading_status_name(READING_OPEN), "open");
	assert_string_equal(reading_status_name(READING_SHORT), "short");
	assert_string_equal(reading_status_name((enum reading_status)42), "unknown");
}

/* One table for both wirings: mv, and what each wiring must make of it. */
static const struct {
	double mv;
	enum reading_status ground, supply;
	bool have_ohm;          /* ohm set: not at a rail, a finite resistance */
} mv_table[] = {
	/* At or past the low rail. */
	{ -1000.0, READING_SHORT, READING_OPEN, false },
	{ -0.1, READING_SHORT, READING_OPEN, false },
	{ 0.0, READING_SHORT, READING_OPEN, false },
	{ M - 0.001, READING_SHORT, READING_OPEN, false },
	{ M, READING_SHORT, READING_OPEN, false },
	/* Just outside the margin: a resistance, but far outside the plausible range. */
	{ M + 0.001, READING_SHORT, READING_OPEN, true },
	{ 100.0, READING_SHORT, READING_OPEN, true },
	/* The middle: 25 C for either wiring with equal resistors. */
	{ SUPPLY_MV / 2.0, READING_OK, READING_OK, true },
	{ 3200.0, READING_OPEN, READING_SHORT, true },
	/* Near the high rail. */
	{ SUPPLY_MV - M - 0.001, READING_OPEN, READING_SHORT, true },
	{ SUPPLY_MV - M, READING_OPEN, READING_SHORT, false },
	{ SUPPLY_MV - M + 0.001, READING_OPEN, READING_SHORT, false },
	{ SUPPLY_MV, READING_OPEN, READING_SHORT, false },
	{ SUPPLY_MV + 50.0, READING_OPEN, READING_SHORT, false },
};

static void mv_table_for(const struct thermistor_params *p)
{
	for (size_t i = 0; i < sizeof(mv_table) / sizeof(mv_table[0]); i++) {
		double mv = mv_table[i].mv;
		enum reading_status want = p->ntc_to == NTC_TO_GROUND ? mv_table[i].ground : mv_table[i].supply;
		struct reading r = interpret(p, true, SAMPLE_MV, mv);
		double ohm;

		if (r.status != want)
			print_error("row %zu, %.3f mV: %s, want %s\n", i, mv,
				    reading_status_name(r.status), reading_status_name(want));
		assert_int_equal(r.status, want);
		assert_near(r.value, mv, 0.0);
		assert_int_equal(r.raw, 1234);
		if (mv_table[i].have_ohm) {
			assert_int_equal(thermistor_mv_to_ohm(p, mv, &ohm), 0);
			assert_near(r.ohm, ohm, 0.0);
		} else {
			assert_true(isnan(r.ohm));
		}
		if (want == READING_OK)
			assert_near(r.temp_c, 25.0, 1e-9);
		else
			assert_true(isnan(r.temp_c));
	}
}

static void test_mv_table_ground(void **state)
{
	(void)state;
	mv_table_for(&to_ground);
}

static void test_mv_table_supply(void **state)
{
	(void)state;
	mv_table_for(&to_supply);
}

/*
 * The rail margin on its own: with a series resistor chosen so that the
 * voltage just outside the margin is a plausible temperature, the status
 * flips from the rail's verdict to OK across it.
 */
static void test_rail_margin_edges(void **state)
{
	static const struct {
		enum ntc_wiring to;
		double series_ohm;
		bool high_rail;
		enum reading_status at_rail;
	} table[] = {
		/* NTC to ground, near 0: the NTC is (nearly) a short. 1M series: 1.5k at the edge. */
		{ NTC_TO_GROUND, 1e6, false, READING_SHORT },
		/* NTC to ground, near the supply: open. 100 ohm series: 66k at the edge. */
		{ NTC_TO_GROUND, 100.0, true, READING_OPEN },
		/* NTC to the supply, near 0: open. */
		{ NTC_TO_SUPPLY, 100.0, false, READING_OPEN },
		/* NTC to the supply, near the supply: a short. */
		{ NTC_TO_SUPPLY, 1e6, true, READING_SHORT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct thermistor_params p = to_ground;
		double edge_mv = table[i].high_rail ? SUPPLY_MV - M : M;
		double inside_mv = table[i].high_rail ? edge_mv + 1e-6 : edge_mv - 1e-6;
		double outside_mv = table[i].high_rail ? edge_mv - 0.01 : edge_mv + 0.01;
		struct reading r;

		p.ntc_to = table[i].to;
		p.series_ohm = table[i].series_ohm;

		r = interpret(&p, true, SAMPLE_MV, inside_mv);
		assert_int_equal(r.status, table[i].at_rail);
		r = interpret(&p, true, SAMPLE_MV, edge_mv);
		assert_int_equal(r.status, table[i].at_rail);
		assert_true(isnan(r.ohm));
		r = interpret(&p, true, SAMPLE_MV, outside_mv);
		assert_int_equal(r.status, READING_OK);
		assert_true(r.temp_c > NTC_PLAUSIBLE_MIN_C && r.temp_c < NTC_PLAUSIBLE_MAX_C);
		assert_true(isfinite(r.ohm));
	}
}

/* The resistance edges: R(-20 C) and R(90 C), a millionth either side. */
static void plausibility_edges(const struct thermistor_params *p)
{
	double r_min_c = thermistor_c_to_ohm(p, NTC_PLAUSIBLE_MIN_C);  /* the highest R */
	double r_max_c = thermistor_c_to_ohm(p, NTC_PLAUSIBLE_MAX_C);  /* the lowest R */
	static const struct {
		bool cold_end;
		double factor;
		enum reading_status want;
	} table[] = {
		{ true, 1.0 + 1e-6, READING_OPEN },
		{ true, 1.0 - 1e-6, READING_OK },
		{ false, 1.0 + 1e-6, READING_OK },
		{ false, 1.0 - 1e-6, READING_SHORT },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double ohm = (table[i].cold_end ? r_min_c : r_max_c) * table[i].factor;
		double mv = thermistor_ohm_to_mv(p, ohm);
		struct reading r = interpret(p, true, SAMPLE_MV, mv);

		assert_int_equal(r.status, table[i].want);
		assert_near(r.ohm, ohm, ohm * 1e-12);
		if (table[i].want == READING_OK)
			assert_near(r.temp_c, table[i].cold_end ? NTC_PLAUSIBLE_MIN_C : NTC_PLAUSIBLE_MAX_C, 0.001);
	}
}

static void test_plausibility_ground(void **state)
{
	(void)state;
	plausibility_edges(&to_ground);
}

static void test_plausibility_supply(void **state)
{
	(void)state;
	plausibility_edges(&to_supply);
}

static void test_plausibility_steinhart_hart(void **state)
{
	struct thermistor_params p = to_ground;

	(void)state;
	p.has_sh = true;
	p.sh_a = 1.009249522e-3;
	p.sh_b = 2.378405444e-4;
	p.sh_c = 2.019202697e-7;
	plausibility_edges(&p);
	p.ntc_to = NTC_TO_SUPPLY;
	plausibility_edges(&p);
}

static void test_mv_ok_temperatures(void **state)
{
	(void)state;
	/* Across what a pad sees, the reading is the thermistor's temperature. */
	for (int w = 0; w < 2; w++) {
		const struct thermistor_params *p = w ? &to_supply : &to_ground;

		for (double c = NTC_PLAUSIBLE_MIN_C + 0.5; c < NTC_PLAUSIBLE_MAX_C; c += 0.5) {
			struct reading r = interpret(p, true, SAMPLE_MV,
						     thermistor_ohm_to_mv(p, thermistor_c_to_ohm(p, c)));

			assert_int_equal(r.status, READING_OK);
			assert_near(r.temp_c, c, 1e-6);
		}
	}
}

static void test_failed(void **state)
{
	static const struct {
		bool ok;
		enum sample_unit unit;
		double value;
	} table[] = {
		{ false, SAMPLE_MV, 1650.0 },   /* a good value, but the read failed */
		{ false, SAMPLE_C, 36.0 },
		{ true, SAMPLE_MV, NAN },
		{ true, SAMPLE_MV, INFINITY },
		{ true, SAMPLE_MV, -INFINITY },
		{ true, SAMPLE_C, NAN },
		{ true, SAMPLE_C, INFINITY },
		{ true, SAMPLE_C, -INFINITY },
		{ true, (enum sample_unit)7, 36.0 },
	};

	(void)state;
	for (int w = 0; w < 2; w++) {
		const struct thermistor_params *p = w ? &to_supply : &to_ground;

		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
			struct reading r = interpret(p, table[i].ok, table[i].unit, table[i].value);

			assert_int_equal(r.status, READING_FAILED);
			assert_true(isnan(r.temp_c));
			assert_true(isnan(r.ohm));
			assert_int_equal(r.raw, 1234);
			if (isnan(table[i].value))
				assert_true(isnan(r.value));
			else
				assert_near(r.value, table[i].value, 0.0);
		}
	}
}

static void test_temp_channel(void **state)
{
	static const struct {
		double c;
		enum reading_status want;
	} table[] = {
		{ 36.5, READING_OK },
		{ 0.0, READING_OK },
		{ NTC_PLAUSIBLE_MAX_C, READING_OK },
		{ NTC_PLAUSIBLE_MAX_C + 0.001, READING_OPEN },
		{ 400.0, READING_OPEN },
		{ NTC_PLAUSIBLE_MIN_C, READING_OK },
		{ NTC_PLAUSIBLE_MIN_C - 0.001, READING_SHORT },
		{ -273.15, READING_SHORT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		/* The wiring plays no part for a temperature channel. */
		struct reading rg = interpret(&to_ground, true, SAMPLE_C, table[i].c);
		struct reading rs = interpret(&to_supply, true, SAMPLE_C, table[i].c);

		assert_int_equal(rg.status, table[i].want);
		assert_int_equal(rs.status, table[i].want);
		assert_near(rg.value, table[i].c, 0.0);
		assert_int_equal(rg.raw, 1234);
		assert_true(isnan(rg.ohm));
		if (table[i].want == READING_OK)
			assert_near(rg.temp_c, table[i].c, 0.0);
		else
			assert_true(isnan(rg.temp_c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_mv_table_ground),
		cmocka_unit_test(test_mv_table_supply),
		cmocka_unit_test(test_rail_margin_edges),
		cmocka_unit_test(test_plausibility_ground),
		cmocka_unit_test(test_plausibility_supply),
		cmocka_unit_test(test_plausibility_steinhart_hart),
		cmocka_unit_test(test_mv_ok_temperatures),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_temp_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
