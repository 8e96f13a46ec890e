/* SPDX-License-Identifier: MIT */
/* The pad observer (pad_observer.h): what it estimates, learns and refuses to believe. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/pad_observer.h"

#define DT_S  0.1
#define LAG_S 2.0

/* A pad the way the observer models it, with its own numbers, integrated finely. */
struct pad {
	double t_c, s_c, sink_c, bh, bc, d;
};

static double pad_rate(const struct pad *p, double duty)
{
	return p->d + PAD_OBSERVER_BODY_RATE * (PAD_OBSERVER_BODY_C - p->t_c) +
	       PAD_OBSERVER_SINK_RATE * (p->sink_c - p->t_c) + (duty > 0.0 ? p->bh : p->bc) * duty;
}

static void pad_step(struct pad *p, double duty)
{
	for (int i = 0; i < 20; i++) {
		double h = DT_S / 20.0;

		p->t_c += pad_rate(p, duty) * h;
		p->s_c += (p->t_c - p->s_c) * h / LAG_S;
	}
}

static void test_start(void **state)
{
	struct pad_observer o;

	(void)state;
	pad_observer_reset(&o);
	assert_false(o.primed);
	assert_true(isnan(pad_observer_temp_c(&o)));
	pad_observer_start(&o, 31.5, false);
	assert_true(o.primed);
	assert_near(pad_observer_temp_c(&o), 31.5, 0.0);
	assert_near(o.x[OBS_S], 31.5, 0.0);
	assert_near(pad_observer_gain(&o, +1), PAD_OBSERVER_HEAT_GAIN_C_PER_S, 0.0);
	assert_near(pad_observer_gain(&o, -1), PAD_OBSERVER_COOL_GAIN_C_PER_S, 0.0);
	/* Learned gains survive a restart when asked to. */
	o.x[OBS_BH] = 0.6;
	pad_observer_start(&o, 30.0, true);
	assert_near(pad_observer_gain(&o, +1), 0.6, 0.0);
	pad_observer_start(&o, 30.0, false);
	assert_near(pad_observer_gain(&o, +1), PAD_OBSERVER_HEAT_GAIN_C_PER_S, 0.0);
}

/* At full heat the reading trails the pad by rate x lag; the estimate does not. */
static void test_sees_through_the_lag(void **state)
{
	struct pad p = { .t_c = 33.0, .s_c = 33.0, .sink_c = 26.0, .bh = 0.8, .bc = 0.35, .d = 0.0 };
	struct pad_observer o;

	(void)state;
	/* The pad at rest for the model: its drift is zero at 33 C with the sink at 26 C. */
	p.d = -pad_rate(&p, 0.0);
	pad_observer_reset(&o);
	pad_observer_start(&o, p.s_c, false);
	for (int i = 0; i < 300; i++) {
		pad_step(&p, 0.0);
		pad_observer_step(&o, 0.0, DT_S, LAG_S, p.s_c, p.sink_c);
	}
	for (int i = 0; i < 60; i++) {
		pad_step(&p, 1.0);
		pad_observer_step(&o, 1.0, DT_S, LAG_S, p.s_c, p.sink_c);
	}
	assert_true(p.t_c - p.s_c > 1.0);
	assert_near(pad_observer_temp_c(&o), p.t_c, 0.15);
	assert_near(pad_observer_rate_c_per_s(&o, 1.0), pad_rate(&p, 1.0), 0.05);
}

/* Steps of duty tell the gains apart from the drift: both are learned. */
static void test_learns_gains(void **state)
{
	struct pad p = { .t_c = 30.0, .s_c = 30.0, .sink_c = 26.0, .bh = 0.6, .bc = 0.45, .d = 0.02 };
	struct pad_observer o;
	static const double duties[] = { 1.0, 0.2, 0.6, 0.0, -1.0, -0.4, -0.7, 0.0 };

	(void)state;
	pad_observer_reset(&o);
	pad_observer_start(&o, p.s_c, false);
	for (int round = 0; round < 4; round++)
		for (size_t k = 0; k < sizeof(duties) / sizeof(duties[0]); k++)
			for (int i = 0; i < 80; i++) {
				pad_step(&p, duties[k]);
				pad_observer_step(&o, duties[k], DT_S, LAG_S, p.s_c, p.sink_c);
			}
	assert_near(pad_observer_gain(&o, +1), 0.6, 0.05);
	assert_near(pad_observer_gain(&o, -1), 0.45, 0.05);
	assert_near(o.x[OBS_D], 0.02, 0.02);
	assert_near(pad_observer_drift_c_per_s(&o, NAN), pad_rate(&p, 0.0), 0.02);
}

/* A reading that ignores the Peltier cannot be explained away: the learned values stay physical. */
static void test_bounds(void **state)
{
	struct pad_observer o;

	(void)state;
	pad_observer_reset(&o);
	pad_observer_start(&o, 22.0, false);
	for (int i = 0; i < 1000; i++) {
		pad_observer_step(&o, 1.0, DT_S, LAG_S, 22.0, 30.0);
		assert_true(fabs(o.x[OBS_D]) <= PAD_OBSERVER_D_MAX + 1e-12);
		assert_true(o.x[OBS_BH] >= PAD_OBSERVER_GAIN_MIN * PAD_OBSERVER_HEAT_GAIN_C_PER_S - 1e-12);
		assert_true(o.x[OBS_BH] <= PAD_OBSERVER_GAIN_MAX * PAD_OBSERVER_HEAT_GAIN_C_PER_S + 1e-12);
	}
	/* What it could not explain shows in the innovation. */
	assert_true(o.innovation_c < -0.05);
}

/* No reading: the model carries the estimate, and its uncertainty grows. */
static void test_missing_readings(void **state)
{
	struct pad p = { .t_c = 33.0, .s_c = 33.0, .sink_c = 26.0, .bh = 0.8, .bc = 0.35, .d = 0.0 };
	struct pad_observer o;

	(void)state;
	p.d = -pad_rate(&p, 0.0);
	pad_observer_reset(&o);
	pad_observer_start(&o, p.s_c, false);
	for (int i = 0; i < 200; i++) {
		pad_step(&p, 0.0);
		pad_observer_step(&o, 0.0, DT_S, LAG_S, p.s_c, p.sink_c);
	}
	double var_before = o.p[OBS_T][OBS_T];

	for (int i = 0; i < 30; i++) {
		pad_step(&p, 0.5);
		pad_observer_step(&o, 0.5, DT_S, LAG_S, NAN, NAN);
	}
	assert_true(o.p[OBS_T][OBS_T] > var_before);
	assert_near(pad_observer_temp_c(&o), p.t_c, 0.1);
	/* Nonsense steps change nothing. */
	struct pad_observer before = o;

	pad_observer_step(&o, 0.5, 0.0, LAG_S, p.s_c, p.sink_c);
	pad_observer_step(&o, 0.5, -1.0, LAG_S, p.s_c, p.sink_c);
	pad_observer_step(&o, NAN, DT_S, LAG_S, p.s_c, p.sink_c);
	pad_observer_step(&o, 0.5, INFINITY, LAG_S, p.s_c, p.sink_c);
	assert_memory_equal(&o, &before, sizeof(o));
	/* An unprimed observer ignores steps. */
	pad_observer_reset(&o);
	pad_observer_step(&o, 1.0, DT_S, LAG_S, 30.0, 25.0);
	assert_false(o.primed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_sees_through_the_lag),
		cmocka_unit_test(test_learns_gains),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_missing_readings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
