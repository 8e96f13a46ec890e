/* SPDX-License-Identifier: MIT */
/*
 * NTC maths against the equations written out again here, so a mistake in
 * thermistor.c cannot hide behind the same mistake in the test.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/thermistor.h"


static const struct thermistor_params beta_ground = {
	.beta = 3950.0, .r25_ohm = 10000.0, .series_ohm = 10000.0,
	.supply_mv = 3300.0, .ntc_to = NTC_TO_GROUND,
};

static const struct thermistor_params beta_supply = {
	.beta = 3435.0, .r25_ohm = 10000.0, .series_ohm = 4700.0,
	.supply_mv = 5000.0, .ntc_to = NTC_TO_SUPPLY,
};

/* A widely published fit for a 10k NTC; r25/beta are set to nonsense to prove they are unused. */
static const struct thermistor_params sh_ground = {
	.beta = 1.0, .r25_ohm = 1.0, .series_ohm = 10000.0,
	.supply_mv = 3300.0, .ntc_to = NTC_TO_GROUND,
	.has_sh = true,
	.sh_a = 1.009249522e-3, .sh_b = 2.378405444e-4, .sh_c = 2.019202697e-7,
};

/* The raw equations, independently. */
static double beta_ohm_to_c(double beta, double r25, double ohm)
{
	return 1.0 / (1.0 / 298.15 + log(ohm / r25) / beta) - 273.15;
}

static double sh_ohm_to_c(const struct thermistor_params *p, double ohm)
{
	double l = log(ohm);

	return 1.0 / (p->sh_a + p->sh_b * l + p->sh_c * l * l * l) - 273.15;
}

static void test_divider_ground_equation(void **state)
{
	(void)state;
	/* Equal resistors: half the supply. */
	assert_near(thermistor_ohm_to_mv(&beta_ground, 10000.0), 1650.0, 1e-9);
	/* mv = supply * ntc / (series + ntc) */
	assert_near(thermistor_ohm_to_mv(&beta_ground, 30000.0), 3300.0 * 30000.0 / 40000.0, 1e-9);
	/* A warmer NTC has less resistance: the node falls toward ground. */
	assert_true(thermistor_ohm_to_mv(&beta_ground, 5000.0) < thermistor_ohm_to_mv(&beta_ground, 6000.0));
	assert_near(thermistor_ohm_to_mv(&beta_ground, 0.0), 0.0, 0.0);
	assert_near(thermistor_ohm_to_mv(&beta_ground, INFINITY), 3300.0, 0.0);
}

static void test_divider_supply_equation(void **state)
{
	(void)state;
	/* mv = supply * series / (series + ntc) */
	assert_near(thermistor_ohm_to_mv(&beta_supply, 4700.0), 2500.0, 1e-9);
	assert_near(thermistor_ohm_to_mv(&beta_supply, 10000.0), 5000.0 * 4700.0 / 14700.0, 1e-9);
	/* A warmer NTC has less resistance: the node rises toward the supply. */
	assert_true(thermistor_ohm_to_mv(&beta_supply, 5000.0) > thermistor_ohm_to_mv(&beta_supply, 6000.0));
	assert_near(thermistor_ohm_to_mv(&beta_supply, 0.0), 5000.0, 0.0);
	assert_near(thermistor_ohm_to_mv(&beta_supply, INFINITY), 0.0, 0.0);
}

static void roundtrip_mv(const struct thermistor_params *p)
{
	/* From 1 mV to 1 mV below the supply, both ways round. */
	for (double mv = 1.0; mv < p->supply_mv; mv += 7.0) {
		double ohm = -1.0;

		assert_int_equal(thermistor_mv_to_ohm(p, mv, &ohm), 0);
		assert_true(ohm > 0.0);
		assert_near(thermistor_ohm_to_mv(p, ohm), mv, 1e-9);
	}
	for (double ohm = 10.0; ohm < 1e7; ohm *= 1.37) {
		double back = -1.0;

		assert_int_equal(thermistor_mv_to_ohm(p, thermistor_ohm_to_mv(p, ohm), &back), 0);
		assert_rel(back, ohm, 1e-9);
	}
}

static void test_roundtrip_mv_ground(void **state)
{
	(void)state;
	roundtrip_mv(&beta_ground);
}

static void test_roundtrip_mv_supply(void **state)
{
	(void)state;
	roundtrip_mv(&beta_supply);
}

static void rails(const struct thermistor_params *p)
{
	const double bad_mv[] = {
		0.0, -0.0, -1.0, -1e9, p->supply_mv, p->supply_mv + 1e-9,
		p->supply_mv + 100.0, NAN, INFINITY, -INFINITY,
	};
	double ohm;

	for (size_t i = 0; i < sizeof(bad_mv) / sizeof(bad_mv[0]); i++) {
		ohm = 12345.0;  /* must be left untouched */

		assert_int_equal(thermistor_mv_to_ohm(p, bad_mv[i], &ohm), -1);
		assert_near(ohm, 12345.0, 0.0);
	}
	/* Just inside either rail still gives a resistance. */
	assert_int_equal(thermistor_mv_to_ohm(p, 1e-6, &ohm), 0);
	assert_true(ohm > 0.0 && isfinite(ohm));
	assert_int_equal(thermistor_mv_to_ohm(p, p->supply_mv - 1e-6, &ohm), 0);
	assert_true(ohm > 0.0 && isfinite(ohm));
}

static void test_rails_ground(void **state)
{
	(void)state;
	rails(&beta_ground);
}

static void test_rails_supply(void **state)
{
	(void)state;
	rails(&beta_supply);
}

static void test_beta_r25_is_25c(void **state)
{
	(void)state;
	assert_near(thermistor_ohm_to_c(&beta_ground, 10000.0), 25.0, 1e-9);
	assert_near(thermistor_c_to_ohm(&beta_ground, 25.0), 10000.0, 1e-7);
	assert_near(thermistor_ohm_to_c(&beta_supply, 10000.0), 25.0, 1e-9);
}

static void test_beta_known_points(void **state)
{
	(void)state;
	/* Worked by hand: R = R25 exp(B (1/T - 1/T25)). */
	static const struct {
		double c, ohm;
	} table[] = {
		{ 0.0, 33620.6 },   /* 10k exp(3950 (1/273.15 - 1/298.15)) */
		{ 37.0, 5989.4 },
		{ 50.0, 3588.1 },
		{ 100.0, 697.52 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_rel(thermistor_c_to_ohm(&beta_ground, table[i].c), table[i].ohm, 1e-4);
}

static void beta_table(const struct thermistor_params *p)
{
	for (int c = 0; c <= 60; c++) {
		double tk = c + 273.15;
		double ohm = thermistor_c_to_ohm(p, c);
		/* The resistance the equation gives, computed here. */
		double r = p->r25_ohm * exp(p->beta * (1.0 / tk - 1.0 / 298.15));

		/* Round trip. */
		assert_near(thermistor_ohm_to_c(p, ohm), c, 0.001);
		/* c_to_ohm against the equation solved for R. */
		assert_rel(ohm, r, 1e-9);
		/* ohm_to_c against the equation, on the test's own resistance. */
		assert_near(thermistor_ohm_to_c(p, r), beta_ohm_to_c(p->beta, p->r25_ohm, r), 0.05);
		assert_near(thermistor_ohm_to_c(p, r), c, 0.05);
	}
	/* Monotonic: an NTC. */
	for (int c = -20; c < 90; c++)
		assert_true(thermistor_c_to_ohm(p, c + 1) < thermistor_c_to_ohm(p, c));
}

static void test_beta_table_ground(void **state)
{
	(void)state;
	beta_table(&beta_ground);
}

static void test_beta_table_supply(void **state)
{
	(void)state;
	beta_table(&beta_supply);
}

static void test_sh_equation(void **state)
{
	(void)state;
	/* ohm_to_c is the equation, not Beta (r25 = 1, beta = 1 would be absurd). */
	for (double ohm = 300.0; ohm < 400000.0; ohm *= 1.11)
		assert_near(thermistor_ohm_to_c(&sh_ground, ohm), sh_ohm_to_c(&sh_ground, ohm), 1e-9);
	/* This fit is a 10k part; the points come from bisection on the equation, done offline. */
	assert_rel(thermistor_c_to_ohm(&sh_ground, 0.0), 27949.620932, 1e-6);
	assert_rel(thermistor_c_to_ohm(&sh_ground, 25.0), 9876.644451, 1e-6);
	assert_rel(thermistor_c_to_ohm(&sh_ground, 37.0), 6280.146074, 1e-6);
	assert_rel(thermistor_c_to_ohm(&sh_ground, 60.0), 2836.727625, 1e-6);
}

static void test_sh_roundtrip_c(void **state)
{
	(void)state;
	for (int c = 0; c <= 60; c++) {
		double ohm = thermistor_c_to_ohm(&sh_ground, c);

		assert_near(thermistor_ohm_to_c(&sh_ground, ohm), c, 0.001);
		/* The inverse must satisfy the forward equation, tightly. */
		assert_near(sh_ohm_to_c(&sh_ground, ohm), c, 1e-9);
	}
}

static void test_sh_inverse_relative(void **state)
{
	(void)state;
	/* Over the whole plausible range and beyond: 1e-6 relative demanded, much better met. */
	for (double c = -40.0; c <= 150.0; c += 0.25) {
		double ohm = thermistor_c_to_ohm(&sh_ground, c);

		assert_rel(thermistor_c_to_ohm(&sh_ground, thermistor_ohm_to_c(&sh_ground, ohm)), ohm, 1e-9);
	}
	for (double ohm = 50.0; ohm < 2e6; ohm *= 1.05)
		assert_rel(thermistor_c_to_ohm(&sh_ground, thermistor_ohm_to_c(&sh_ground, ohm)), ohm, 1e-9);
}

static void test_sh_without_cubic(void **state)
{
	(void)state;
	/* c = 0 reduces Steinhart-Hart to Beta form; the inverse must not divide by it. */
	struct thermistor_params p = sh_ground;

	p.sh_c = 0.0;
	for (int c = 0; c <= 60; c += 5)
		assert_near(thermistor_ohm_to_c(&p, thermistor_c_to_ohm(&p, c)), c, 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_divider_ground_equation),
		cmocka_unit_test(test_divider_supply_equation),
		cmocka_unit_test(test_roundtrip_mv_ground),
		cmocka_unit_test(test_roundtrip_mv_supply),
		cmocka_unit_test(test_rails_ground),
		cmocka_unit_test(test_rails_supply),
		cmocka_unit_test(test_beta_r25_is_25c),
		cmocka_unit_test(test_beta_known_points),
		cmocka_unit_test(test_beta_table_ground),
		cmocka_unit_test(test_beta_table_supply),
		cmocka_unit_test(test_sh_equation),
		cmocka_unit_test(test_sh_roundtrip_c),
		cmocka_unit_test(test_sh_inverse_relative),
		cmocka_unit_test(test_sh_without_cubic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
