/* SPDX-License-Identifier: MIT */
/* The bipolar PID, promise by promise from pid.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/pid.h"


#define DT_S 0.1

/* Cooling gains differ from heating ones in every term, so a mix-up shows. */
static const struct pid_params base = {
	.heat = { .kp = 0.2, .ki = 0.01, .kd = 0.5 },
	.cool = { .kp = 0.4, .ki = 0.02, .kd = 1.5 },
	.max_duty = 0.8,
	.deadband = 0.0,
	.d_filter_s = 1.0,
};

static struct pid_params only_p(double kp_heat, double kp_cool)
{
	struct pid_params p = base;

	p.heat = (struct pid_gains){ .kp = kp_heat };
	p.cool = (struct pid_gains){ .kp = kp_cool };
	return p;
}

static void test_reset_clears_everything(void **state)
{
	struct pid_state s, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	memset(&s, 0xa5, sizeof(s));
	pid_reset(&s);
	assert_memory_equal(&s, &zero, sizeof(s));

	/* And after real use. */
	for (int i = 0; i < 50; i++)
		pid_step(&base, &s, 31.0, 30.0 + 0.001 * i, DT_S, false);
	assert_true(s.primed && s.integral != 0.0 && s.d_filtered != 0.0);
	pid_reset(&s);
	assert_memory_equal(&s, &zero, sizeof(s));
	assert_false(s.primed);
}

static void test_first_step_terms(void **state)
{
	struct pid_state s;
	double out;

	(void)state;
	pid_reset(&s);
	out = pid_step(&base, &s, 31.0, 30.0, DT_S, false);
	assert_near(s.p_term, 0.2 * 1.0, 1e-12);
	assert_near(s.i_term, 0.01 * 1.0 * DT_S, 1e-12);
	assert_near(s.d_term, 0.0, 0.0);
	assert_near(out, 0.2 + 0.001, 1e-12);
	assert_near(s.output, out, 0.0);
	assert_true(s.primed);
}

static void test_proportional_sign(void **state)
{
	static const struct {
		double setpoint_c, meas_c, want;
	} table[] = {
		{ 40.0, 39.0, 0.2 },    /* below setpoint: heat, heating kp */
		{ 40.0, 38.5, 0.3 },
		{ 15.0, 16.0, -0.4 },   /* above setpoint: cool, cooling kp */
		{ 15.0, 16.5, -0.6 },
		{ 20.0, 20.0, 0.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct pid_params p = only_p(0.2, 0.4);
		struct pid_state s;

		pid_reset(&s);
		assert_near(pid_step(&p, &s, table[i].setpoint_c, table[i].meas_c, DT_S, false),
			    table[i].want, 1e-12);
	}
}

static void test_gain_set_by_error_sign(void **state)
{
	struct pid_state s;

	(void)state;
	/* Integral gain: one step from reset, P and I only. */
	pid_reset(&s);
	pid_step(&base, &s, 30.0, 29.0, DT_S, false);
	assert_near(s.p_term, base.heat.kp, 1e-12);
	assert_near(s.i_term, base.heat.ki * DT_S, 1e-12);

	pid_reset(&s);
	pid_step(&base, &s, 30.0, 31.0, DT_S, false);
	assert_near(s.p_term, -base.cool.kp, 1e-12);
	assert_near(s.i_term, -base.cool.ki * DT_S, 1e-12);

	/* Derivative gain: the same measurement history, the error on either side. */
	for (int side = 0; side < 2; side++) {
		double sp_c = side == 0 ? 50.0 : 0.0;
		double kd = side == 0 ? base.heat.kd : base.cool.kd;

		pid_reset(&s);
		pid_step(&base, &s, sp_c, 25.0, DT_S, false);
		pid_step(&base, &s, sp_c, 25.1, DT_S, false);
		assert_near(s.d_term, -kd * s.d_filtered, 1e-12);
		assert_true(s.d_filtered > 0.0);
	}
}

static void test_clamp_both_polarities(void **state)
{
	static const struct {
		double max_duty, setpoint_c, meas_c, want;
	} table[] = {
		{ 0.8, 43.0, 10.0, 0.8 },
		{ 0.8, 10.0, 43.0, -0.8 },
		{ 0.3, 43.0, 10.0, 0.3 },
		{ 0.3, 10.0, 43.0, -0.3 },
		{ 1.0, 1000.0, 0.0, 1.0 },
		/* A max_duty beyond the hard limit is held to it. */
		{ 1.5, 1000.0, 0.0, 1.0 },
		{ 1.5, 0.0, 1000.0, -1.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct pid_params p = base;
		struct pid_state s;

		p.max_duty = table[i].max_duty;
		pid_reset(&s);
		for (int k = 0; k < 20; k++) {
			double out = pid_step(&p, &s, table[i].setpoint_c, table[i].meas_c, DT_S, false);

			assert_near(out, table[i].want, 0.0);
		}
	}
}

/*
 * Saturate one way for 10 minutes with a P term too small to saturate on
 * its own, so only the integral can take the output to the clamp. Then
 * reverse the error: a wound-up integral would keep the output at the
 * clamp for minutes.
 */
static void windup(double sign)
{
	struct pid_params p = base;
	struct pid_state s;
	double sp_c = 30.0, out = 0.0;
	int steps_to_leave = -1;

	p.heat = (struct pid_gains){ .kp = 0.01, .ki = 0.01 };
	p.cool = (struct pid_gains){ .kp = 0.01, .ki = 0.01 };
	pid_reset(&s);
	for (int i = 0; i < 6000; i++) {
		out = pid_step(&p, &s, sp_c, sp_c - sign * 20.0, DT_S, false);
		/* Never beyond what it takes to reach the clamp, plus one step's growth. */
		assert_true(fabs(s.integral) <= p.max_duty - 0.01 * 20.0 + 0.01 * 20.0 * DT_S + 1e-12);
		assert_true(sign * s.integral >= 0.0);
	}
	assert_near(out, sign * p.max_duty, 0.0);

	/* The error reverses. */
	for (int i = 0; i < 600; i++) {
		out = pid_step(&p, &s, sp_c, sp_c + sign * 5.0, DT_S, false);
		if (sign * out < p.max_duty && steps_to_leave < 0)
			steps_to_leave = i;
	}
	/* Leaves the clamp within a second, and pushes the other way within a minute. */
	assert_true(steps_to_leave >= 0 && steps_to_leave <= 10);
	assert_true(sign * out < 0.0);
}

static void test_antiwindup_heating(void **state)
{
	(void)state;
	windup(1.0);
}

static void test_antiwindup_cooling(void **state)
{
	(void)state;
	windup(-1.0);
}

static void test_antiwindup_p_saturated(void **state)
{
	struct pid_state s;

	(void)state;
	/* P alone saturates: the integral must not grow at all. */
	pid_reset(&s);
	for (int i = 0; i < 1000; i++)
		pid_step(&base, &s, 40.0, 20.0, DT_S, false);
	assert_near(s.integral, 0.0, 0.0);
	pid_reset(&s);
	for (int i = 0; i < 1000; i++)
		pid_step(&base, &s, 15.0, 35.0, DT_S, false);
	assert_near(s.integral, 0.0, 0.0);
}

static void test_integral_unwinds_while_saturated(void **state)
{
	struct pid_params p = base;
	struct pid_state s;
	double meas_c = 31.0, prev_integral;

	(void)state;
	/*
	 * Above the setpoint but falling fast: the derivative holds the output
	 * at the heating clamp while the error asks for cooling. The clamp is
	 * not in the direction the error pushes, so the integral must move.
	 */
	p.heat = p.cool = (struct pid_gains){ .ki = 0.05, .kd = 10.0 };
	pid_reset(&s);
	pid_step(&p, &s, 30.0, meas_c, DT_S, false);
	prev_integral = s.integral;
	for (int i = 0; i < 5; i++) {
		meas_c -= 0.1;  /* 1 C/s down, still above 30 */
		assert_near(pid_step(&p, &s, 30.0, meas_c, DT_S, false), p.max_duty, 0.0);
		assert_true(s.integral < prev_integral);
		prev_integral = s.integral;
	}
}

static void test_held_off(void **state)
{
	struct pid_state held, free_run;
	double frozen;

	(void)state;
	pid_reset(&held);
	pid_reset(&free_run);
	for (int i = 0; i < 100; i++) {
		pid_step(&base, &held, 35.0, 34.0, DT_S, false);
		pid_step(&base, &free_run, 35.0, 34.0, DT_S, false);
	}
	frozen = held.integral;
	assert_true(frozen > 0.0);

	/* A long hold with a moving measurement. */
	for (int i = 1; i <= 300; i++) {
		double meas_c = 34.0 - 0.001 * i;

		assert_near(pid_step(&base, &held, 35.0, meas_c, DT_S, true), 0.0, 0.0);
		assert_near(held.output, 0.0, 0.0);
		assert_near(held.integral, frozen, 0.0);
		pid_step(&base, &free_run, 35.0, meas_c, DT_S, false);
	}
	assert_near(held.prev_meas_c, 33.7, 1e-12);

	/* On release: the same P and D as a loop never held, so no kick. */
	double out = pid_step(&base, &held, 35.0, 33.699, DT_S, false);

	pid_step(&base, &free_run, 35.0, 33.699, DT_S, false);
	assert_near(held.d_term, free_run.d_term, 1e-12);
	assert_near(held.p_term, free_run.p_term, 1e-12);
	/* Had it not tracked, the 0.3 C moved during the hold would show as -3 C/s. */
	assert_true(fabs(held.d_term) < 0.01);
	assert_true(out > 0.0 && out < base.max_duty);
	/* Only now does the integral move again. */
	assert_true(held.integral > frozen);
	assert_true(held.integral < free_run.integral);
}

static void test_held_off_from_reset(void **state)
{
	struct pid_state s;

	(void)state;
	pid_reset(&s);
	assert_near(pid_step(&base, &s, 40.0, 20.0, DT_S, true), 0.0, 0.0);
	assert_near(s.integral, 0.0, 0.0);
	assert_true(s.primed);
}

static void test_reversing_step_while_held(void **state)
{
	struct pid_state s;

	(void)state;
	/* A phase change during an inhibit still clears the other polarity's integral. */
	pid_reset(&s);
	for (int i = 0; i < 200; i++)
		pid_step(&base, &s, 40.0, 39.9, DT_S, false);
	assert_true(s.integral > 0.0);
	assert_near(pid_step(&base, &s, 15.0, 39.9, DT_S, true), 0.0, 0.0);
	assert_near(s.integral, 0.0, 0.0);
}

static void test_deadband_table(void **state)
{
	static const struct {
		double error_c, want;
	} table[] = {
		/* kp 0.1 (heat) and 0.1 (cool), deadband 0.05 */
		{ 0.0, 0.0 },
		{ 0.49, 0.0 },
		{ -0.49, 0.0 },
		{ 0.5, 0.05 },          /* at the deadband: passes */
		{ -0.5, -0.05 },
		{ 0.51, 0.051 },
		{ -0.51, -0.051 },
		{ 3.0, 0.3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct pid_params p = only_p(0.1, 0.1);
		struct pid_state s;

		p.deadband = 0.05;
		pid_reset(&s);
		assert_near(pid_step(&p, &s, 30.0, 30.0 - table[i].error_c, DT_S, false),
			    table[i].want, 1e-12);
	}
}

static void test_deadband_no_chatter(void **state)
{
	struct pid_params p = base;
	struct pid_state s;
	int nonzero = 0;

	(void)state;
	/* Noise of +-0.05 C around the setpoint: P and D alone stay inside a 0.1 deadband. */
	p.heat = (struct pid_gains){ .kp = 0.4, .kd = 0.1 };
	p.cool = (struct pid_gains){ .kp = 0.4, .kd = 0.1 };
	p.deadband = 0.1;
	pid_reset(&s);
	for (int i = 0; i < 1000; i++) {
		double noise_c = (i % 2 ? 0.05 : -0.05) * ((i % 7) / 6.0);
		double out = pid_step(&p, &s, 30.0, 30.0 + noise_c, DT_S, false);

		assert_true(out == 0.0 || fabs(out) >= p.deadband);
		nonzero += out != 0.0;
	}
	assert_int_equal(nonzero, 0);
}

static void test_setpoint_step_no_kick(void **state)
{
	struct pid_params p = base;
	struct pid_state s;
	double before = 0.0, after, p_before;

	(void)state;
	p.heat = (struct pid_gains){ .kp = 0.05, .kd = 5.0 };
	pid_reset(&s);
	for (int i = 0; i < 50; i++)
		before = pid_step(&p, &s, 31.0, 30.0, DT_S, false);
	p_before = s.p_term;
	assert_near(s.d_term, 0.0, 0.0);

	after = pid_step(&p, &s, 35.0, 30.0, DT_S, false);
	assert_near(s.d_term, 0.0, 0.0);
	assert_near(after - before, s.p_term - p_before, 1e-12);
	assert_near(after - before, 0.05 * 4.0, 1e-12);

	/* The measurement stepping, by contrast, does move the derivative. */
	pid_step(&p, &s, 35.0, 31.0, DT_S, false);
	assert_true(s.d_term < 0.0);
}

static void test_setpoint_step_no_kick_with_integral(void **state)
{
	struct pid_state s;
	double before = 0.0, after, i_before, p_before, d_before;

	(void)state;
	/* Measurement moving slowly, so the derivative is non-zero and must just carry on. */
	pid_reset(&s);
	for (int i = 0; i < 50; i++)
		before = pid_step(&base, &s, 32.0, 30.0 + 0.001 * i, DT_S, false);
	i_before = s.i_term;
	p_before = s.p_term;
	d_before = s.d_term;

	after = pid_step(&base, &s, 33.0, 30.0 + 0.001 * 50, DT_S, false);
	/* D follows its filter as if nothing happened; the output moves by P and I only. */
	double d_expected = d_before + (-base.heat.kd) *
			    (DT_S / (base.d_filter_s + DT_S)) * (0.01 - d_before / -base.heat.kd);

	assert_near(s.d_term, d_expected, 1e-9);
	assert_near(after - before, (s.p_term - p_before) + (s.i_term - i_before) + (s.d_term - d_before), 1e-12);
	assert_near(s.p_term - p_before, base.heat.kp * (1.0 - 0.001), 1e-12);
}

/* Build an integral at a setpoint, near it, then step; return the integral before the step. */
static double settle_then_step(struct pid_state *s, double sp_c, double meas_c, double new_sp_c,
			       double new_meas_c)
{
	double integral;

	pid_reset(s);
	for (int i = 0; i < 200; i++)
		pid_step(&base, s, sp_c, meas_c, DT_S, false);
	integral = s->integral;
	pid_step(&base, s, new_sp_c, new_meas_c, DT_S, false);
	return integral;
}

static void test_polarity_reversing_step_clears(void **state)
{
	struct pid_state s;
	double before;

	(void)state;
	/* Warm to cool, pad just below the warm setpoint. */
	before = settle_then_step(&s, 40.0, 39.9, 15.0, 39.9);
	assert_true(before > 0.0);
	/* P saturates the other way, so the fresh integral does not grow: exactly 0. */
	assert_near(s.integral, 0.0, 0.0);
	assert_near(s.output, -base.max_duty, 0.0);

	/* Warm to cool, pad just above the warm setpoint (error already negative). */
	pid_reset(&s);
	for (int i = 0; i < 200; i++)
		pid_step(&base, &s, 40.0, 39.9, DT_S, false);
	before = s.integral;
	pid_step(&base, &s, 40.0, 40.05, DT_S, false);
	assert_true(s.integral > 0.0 && s.integral < before);
	pid_step(&base, &s, 15.0, 40.05, DT_S, false);
	assert_near(s.integral, 0.0, 0.0);

	/* Cool to warm. */
	before = settle_then_step(&s, 15.0, 15.1, 40.0, 15.1);
	assert_true(before < 0.0);
	assert_near(s.integral, 0.0, 0.0);
	assert_near(s.output, base.max_duty, 0.0);

	/* A small reversing step (not saturated): the integral restarts from this step's growth alone. */
	before = settle_then_step(&s, 30.0, 29.9, 29.0, 29.9);
	assert_true(before > 0.0);
	assert_near(s.integral, base.cool.ki * (29.0 - 29.9) * DT_S, 1e-12);
}

static void test_same_polarity_step_keeps(void **state)
{
	struct pid_state s;
	double before;

	(void)state;
	/* Warm to warmer: kept, and grows by this step's error. */
	before = settle_then_step(&s, 38.0, 37.9, 40.0, 37.9);
	assert_true(before > 0.0);
	assert_near(s.integral, before + base.heat.ki * 2.1 * DT_S, 1e-12);

	/* Cool to colder. */
	before = settle_then_step(&s, 15.0, 15.1, 14.0, 15.1);
	assert_true(before < 0.0);
	assert_near(s.integral, before + base.cool.ki * -1.1 * DT_S, 1e-12);

	/* No step at all. */
	before = settle_then_step(&s, 38.0, 37.9, 38.0, 37.9);
	assert_near(s.integral, before + base.heat.ki * 0.1 * DT_S, 1e-12);
}

static void test_derivative_filter(void **state)
{
	static const double taus_s[] = { 0.0, 0.5, 1.0, 3.0 };
	const double slope_c_per_s = 0.5;

	(void)state;
	for (size_t t = 0; t < sizeof(taus_s) / sizeof(taus_s[0]); t++) {
		struct pid_params p = base;
		struct pid_state s;
		double alpha = DT_S / (taus_s[t] + DT_S);

		p.heat = (struct pid_gains){ .kd = 1.0 };
		p.d_filter_s = taus_s[t];
		pid_reset(&s);
		/* The setpoint stays well above, so the heating kd is the one in use. */
		pid_step(&p, &s, 80.0, 20.0, DT_S, false);
		assert_near(s.d_term, 0.0, 0.0);
		for (int n = 1; n <= 600; n++) {
			pid_step(&p, &s, 80.0, 20.0 + slope_c_per_s * n * DT_S, DT_S, false);
			/* A first-order lag from 0: slope (1 - (1 - alpha)^n). */
			assert_near(s.d_term, -slope_c_per_s * (1.0 - pow(1.0 - alpha, n)), 1e-9);
		}
		/* 60 s of ramp is >= 20 time constants: converged to -kd * slope. */
		assert_near(s.d_term, -slope_c_per_s, 1e-6);
		assert_near(s.output, -slope_c_per_s, 1e-6);
	}
}

static void test_first_step_after_reset_no_derivative(void **state)
{
	struct pid_state s;

	(void)state;
	pid_reset(&s);
	for (int i = 0; i < 100; i++)
		pid_step(&base, &s, 35.0, 20.0 + 0.1 * i, DT_S, false);
	assert_true(s.d_term != 0.0);
	pid_reset(&s);
	/* A measurement far from the one before the reset: still no derivative. */
	pid_step(&base, &s, 35.0, 5.0, DT_S, false);
	assert_near(s.d_term, 0.0, 0.0);
	assert_near(s.d_filtered, 0.0, 0.0);
}

static void test_non_finite_inputs(void **state)
{
	struct pid_state s, kept;

	(void)state;
	pid_reset(&s);
	for (int i = 0; i < 50; i++)
		pid_step(&base, &s, 35.0, 34.0, DT_S, false);
	kept = s;
	assert_near(pid_step(&base, &s, 35.0, NAN, DT_S, false), 0.0, 0.0);
	assert_near(pid_step(&base, &s, NAN, 34.0, DT_S, false), 0.0, 0.0);
	assert_near(pid_step(&base, &s, 35.0, INFINITY, DT_S, false), 0.0, 0.0);
	assert_near(pid_step(&base, &s, 35.0, 34.0, 0.0, false), 0.0, 0.0);
	assert_near(pid_step(&base, &s, 35.0, 34.0, -1.0, false), 0.0, 0.0);
	assert_near(s.integral, kept.integral, 0.0);
	assert_near(s.d_filtered, kept.d_filtered, 0.0);
	assert_near(s.prev_meas_c, kept.prev_meas_c, 0.0);
	assert_true(isfinite(s.integral));
}

/*
 * dT/dt = (ambient - T) / tau + k * duty: the simplest pad. Steady state
 * needs duty = (setpoint - ambient) / (tau k), so a P-only loop would sit
 * short of the setpoint; the integral has to close the gap.
 */
static void closed_loop(double setpoint_c, double start_c)
{
	const double ambient_c = 25.0, tau_s = 60.0, k_c_per_s = 0.5;
	struct pid_params p = base;
	struct pid_state s;
	double temp_c = start_c, worst_c = 0.0, out = 0.0;

	p.deadband = 0.02;
	pid_reset(&s);
	for (int i = 0; i < 30000; i++) {          /* 3000 s */
		out = pid_step(&p, &s, setpoint_c, temp_c, DT_S, false);
		temp_c += DT_S * ((ambient_c - temp_c) / tau_s + k_c_per_s * out);
		if (i >= 29000)
			worst_c = fmax(worst_c, fabs(temp_c - setpoint_c));
	}
	assert_near(worst_c, 0.0, 0.01);
	assert_near(out, (setpoint_c - ambient_c) / (tau_s * k_c_per_s), 0.005);
}

static void test_closed_loop_warm(void **state)
{
	(void)state;
	closed_loop(35.0, 25.0);
	closed_loop(40.0, 15.0);
}

static void test_closed_loop_cool(void **state)
{
	(void)state;
	closed_loop(15.0, 25.0);
	closed_loop(18.0, 40.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_clears_everything),
		cmocka_unit_test(test_first_step_terms),
		cmocka_unit_test(test_proportional_sign),
		cmocka_unit_test(test_gain_set_by_error_sign),
		cmocka_unit_test(test_clamp_both_polarities),
		cmocka_unit_test(test_antiwindup_heating),
		cmocka_unit_test(test_antiwindup_cooling),
		cmocka_unit_test(test_antiwindup_p_saturated),
		cmocka_unit_test(test_integral_unwinds_while_saturated),
		cmocka_unit_test(test_held_off),
		cmocka_unit_test(test_held_off_from_reset),
		cmocka_unit_test(test_reversing_step_while_held),
		cmocka_unit_test(test_deadband_table),
		cmocka_unit_test(test_deadband_no_chatter),
		cmocka_unit_test(test_setpoint_step_no_kick),
		cmocka_unit_test(test_setpoint_step_no_kick_with_integral),
		cmocka_unit_test(test_polarity_reversing_step_clears),
		cmocka_unit_test(test_same_polarity_step_keeps),
		cmocka_unit_test(test_derivative_filter),
		cmocka_unit_test(test_first_step_after_reset_no_derivative),
		cmocka_unit_test(test_non_finite_inputs),
		cmocka_unit_test(test_closed_loop_warm),
		cmocka_unit_test(test_closed_loop_cool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
