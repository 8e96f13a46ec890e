/* SPDX-License-Identifier: MIT */
/* The H-bridge state machine, promise by promise from bridge.h, for both wirings. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/bridge.h"


#define EPS 1e-9

static const struct bridge_params with_enable = {
	.period_s = 1.0, .dead_time_s = 0.2, .min_pulse_s = 0.001, .has_enable = true,
};
static const struct bridge_params without_enable = {
	.period_s = 1.0, .dead_time_s = 0.2, .min_pulse_s = 0.001, .has_enable = false,
};

#define assert_lines(o, h, c, e) do { \
		assert_int_equal((o).heat, (h)); \
		assert_int_equal((o).cool, (c)); \
		assert_int_equal((o).enable, (e)); \
	} while (0)

/* Is the Peltier powered by these lines? */
static bool powered(const struct bridge_params *p, const struct bridge_out *o)
{
	return p->has_enable ? o->enable && (o->heat || o->cool) : o->heat || o->cool;
}

static void test_init_all_inactive(void **state)
{
	struct bridge b;

	(void)state;
	bridge_init(&b, &with_enable, 5.0);
	assert_lines(b.out, false, false, false);
	assert_true(isinf(b.out.next_edge_s));
	assert_near(bridge_duty(&b), 0.0, 0.0);
}

static void test_first_drive_waits_dead_time_after_init(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 10.0);
	bridge_update(&b, 0.5, 10.05, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 10.2, EPS);
	bridge_poll(&b, 10.2, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 10.7, EPS);
}

/* With enable: the polarity line steady, enable on for duty x period at the start of each period. */
static void test_pwm_edges_with_enable(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.25, 1.0, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 1.25, EPS);
	for (int k = 0; k < 5; k++) {
		double t0 = 1.0 + k;

		bridge_poll(&b, t0 + 0.25, &o);
		assert_lines(o, true, false, false);    /* heat steady, enable off */
		assert_near(o.next_edge_s, t0 + 1.0, EPS);
		bridge_poll(&b, t0 + 1.0, &o);
		assert_lines(o, true, false, true);
		assert_near(o.next_edge_s, t0 + 1.25, EPS);
	}
}

/* Without enable: the active polarity line itself pulses. */
static void test_pwm_edges_without_enable(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, -0.4, 1.0, &o);
	assert_lines(o, false, true, false);
	assert_near(o.next_edge_s, 1.4, EPS);
	for (int k = 0; k < 5; k++) {
		double t0 = 1.0 + k;

		bridge_poll(&b, t0 + 0.4, &o);
		assert_lines(o, false, false, false);
		assert_near(o.next_edge_s, t0 + 1.0, EPS);
		bridge_poll(&b, t0 + 1.0, &o);
		assert_lines(o, false, true, false);
		assert_near(o.next_edge_s, t0 + 1.4, EPS);
	}
}

/* Polls between edges change nothing and keep the same next edge. */
static void test_polls_between_edges_change_nothing(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.6, 1.0, &o);
	for (double t = 1.0; t < 1.6; t += 0.05) {
		bridge_poll(&b, t, &o);
		assert_lines(o, true, false, true);
		assert_near(o.next_edge_s, 1.6, EPS);
	}
	for (double t = 1.6; t < 1.999; t += 0.05) {
		bridge_poll(&b, t, &o);
		assert_lines(o, true, false, false);
		assert_near(o.next_edge_s, 2.0, EPS);
	}
}

static void test_duty_zero_is_off_at_once(void **state)
{
	const struct bridge_params *wirings[] = { &with_enable, &without_enable };

	(void)state;
	for (int w = 0; w < 2; w++) {
		struct bridge b;
		struct bridge_out o;

		bridge_init(&b, wirings[w], 0.0);
		bridge_update(&b, 0.8, 1.0, &o);
		assert_true(powered(wirings[w], &o));
		bridge_update(&b, 0.0, 1.3, &o);
		assert_lines(o, false, false, false);
		assert_true(isinf(o.next_edge_s));
		/* And stays off: no timer wakes it. */
		bridge_poll(&b, 10.0, &o);
		assert_lines(o, false, false, false);
	}
}

/* A polarity change drops everything, waits dead_time, then switches. */
static void test_polarity_change_with_enable(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.5, 1.0, &o);
	assert_lines(o, true, false, true);
	bridge_update(&b, -0.5, 1.1, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.3, EPS);
	/* Polled early: still waiting, same edge. */
	bridge_poll(&b, 1.2999, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.3, EPS);
	bridge_poll(&b, 1.3, &o);
	assert_lines(o, false, true, true);
	/* A new period starts with the new polarity. */
	assert_near(o.next_edge_s, 1.8, EPS);
	bridge_poll(&b, 1.8, &o);
	assert_lines(o, false, true, false);
	assert_near(o.next_edge_s, 2.3, EPS);
}

/*
 * A timer armed for the end of the dead time may report a time a few ulps
 * short of it: at a clock base of 9000 s, (base + 10.1) + 0.2 > base + 10.3.
 * The switch still happens at that wake-up, not one tick later; and a
 * wake-up a real fraction of the dead time early still waits.
 */
static void test_dead_time_end_survives_rounding(void **state)
{
	const double base_s = 9000.0;
	struct bridge b;
	struct bridge_out o;

	(void)state;
	assert_true((base_s + 10.1) + 0.2 > base_s + 10.3);
	bridge_init(&b, &with_enable, base_s);
	bridge_update(&b, 0.5, base_s + 10.0, &o);
	assert_lines(o, true, false, true);
	bridge_update(&b, -0.5, base_s + 10.1, &o);
	assert_lines(o, false, false, false);
	bridge_poll(&b, base_s + 10.2999, &o);
	assert_lines(o, false, false, false);
	bridge_poll(&b, base_s + 10.3, &o);
	assert_lines(o, false, true, true);
}

/* Changing during the enable's off-part still drops the polarity line and waits. */
static void test_polarity_change_during_off_part_with_enable(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.2, 1.0, &o);
	bridge_poll(&b, 1.2, &o);
	assert_lines(o, true, false, false);
	bridge_update(&b, -0.3, 1.7, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.9, EPS);
	bridge_poll(&b, 1.9, &o);
	assert_lines(o, false, true, true);
}

/* Without enable the dead time counts from when the polarity line went inactive. */
static void test_polarity_change_without_enable(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	/* During the pulse: dropped now, switch after the dead time. */
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, 0.3, 1.0, &o);
	bridge_update(&b, -0.3, 1.1, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.3, EPS);
	bridge_poll(&b, 1.3, &o);
	assert_lines(o, false, true, false);

	/* The pulse ended at 1.3; a change at 1.45 waits until 1.5. */
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, 0.3, 1.0, &o);
	bridge_poll(&b, 1.3, &o);
	assert_lines(o, false, false, false);
	bridge_update(&b, -0.3, 1.45, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.5, EPS);
	bridge_poll(&b, 1.5, &o);
	assert_lines(o, false, true, false);

	/* A change long after the pulse ended switches at once. */
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, 0.3, 1.0, &o);
	bridge_poll(&b, 1.3, &o);
	bridge_update(&b, -0.3, 1.5, &o);
	assert_lines(o, false, true, false);
	assert_near(o.next_edge_s, 1.8, EPS);
}

/* heat -> 0 -> cool in quick succession is still a polarity change. */
static void test_off_then_other_polarity_waits(void **state)
{
	const struct bridge_params *wirings[] = { &with_enable, &without_enable };

	(void)state;
	for (int w = 0; w < 2; w++) {
		struct bridge b;
		struct bridge_out o;

		bridge_init(&b, wirings[w], 0.0);
		bridge_update(&b, 1.0, 1.0, &o);
		bridge_update(&b, 0.0, 1.5, &o);
		assert_lines(o, false, false, false);
		bridge_update(&b, -1.0, 1.55, &o);
		assert_lines(o, false, false, false);
		assert_near(o.next_edge_s, 1.7, EPS);
		bridge_poll(&b, 1.7, &o);
		assert_true(o.cool && !o.heat);
		assert_true(powered(wirings[w], &o));
	}
}

/* Same polarity after off: no dead time needed, a fresh period starts. */
static void test_same_polarity_resumes_at_once(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.5, 1.0, &o);
	bridge_update(&b, 0.0, 1.2, &o);
	bridge_update(&b, 0.5, 1.21, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 1.71, EPS);
}

/* Back to the old polarity during the dead time: no wait, that line was never released for the other. */
static void test_back_to_old_polarity_during_dead_time(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.5, 1.0, &o);
	bridge_update(&b, -0.5, 1.1, &o);
	assert_lines(o, false, false, false);
	bridge_update(&b, 0.5, 1.15, &o);
	/* cool was never active: heat may go on, cool's last release was at init. */
	assert_lines(o, true, false, true);
}

static void test_dead_time_zero_switches_in_one_update(void **state)
{
	struct bridge_params p = with_enable;
	struct bridge b;
	struct bridge_out o;

	(void)state;
	p.dead_time_s = 0.0;
	bridge_init(&b, &p, 0.0);
	bridge_update(&b, 0.5, 0.0, &o);
	assert_lines(o, true, false, true);
	bridge_update(&b, -0.5, 0.1, &o);
	assert_lines(o, false, true, true);
}

/* On-times below min_pulse_s are skipped; off-times below it too. */
static void test_tiny_pulses_skipped(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	/* 0.5 ms on-time: with enable the polarity is selected, but no power. */
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.0005, 1.0, &o);
	assert_lines(o, true, false, false);
	assert_true(isinf(o.next_edge_s));
	bridge_poll(&b, 5.0, &o);
	assert_lines(o, true, false, false);
	/* Without enable nothing is active at all. */
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, -0.0005, 1.0, &o);
	assert_lines(o, false, false, false);
	assert_true(isinf(o.next_edge_s));
	/* 0.5 ms off-time: on through the period, no edges. */
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.9995, 1.0, &o);
	assert_lines(o, true, false, true);
	assert_true(isinf(o.next_edge_s));
	for (double t = 1.0; t < 4.0; t += 0.25) {
		bridge_poll(&b, t, &o);
		assert_lines(o, true, false, true);
	}
	/* Exactly min_pulse_s is produced. */
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.001, 1.0, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 1.001, EPS);
	/* Full duty: on, no edges. */
	bridge_init(&b, &without_enable, 0.0);
	bridge_update(&b, 1.0, 1.0, &o);
	assert_lines(o, true, false, false);
	assert_true(isinf(o.next_edge_s));
}

/* A late timer at a period start: the pulse runs to its planned end, unless what is left is tiny. */
static void test_late_timer(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.3, 1.0, &o);
	bridge_poll(&b, 1.3, &o);
	bridge_poll(&b, 2.01, &o);              /* 10 ms late */
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 2.3, EPS);   /* the period stays anchored */
	bridge_poll(&b, 2.3, &o);
	bridge_poll(&b, 3.2995, &o);            /* so late only 0.5 ms of on-time is left */
	assert_lines(o, true, false, false);
	assert_near(o.next_edge_s, 4.0, EPS);
	/* Several periods missed: it lands in the right one. */
	bridge_poll(&b, 7.1, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 7.3, EPS);
}

/* Duty changes within a period: shorter ends the pulse now, longer extends a pulse still on. */
static void test_duty_change_within_period(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.6, 1.0, &o);
	bridge_update(&b, 0.3, 1.4, &o);        /* on-time 0.3 is over: off now */
	assert_lines(o, true, false, false);
	assert_near(o.next_edge_s, 2.0, EPS);
	bridge_update(&b, 0.8, 1.5, &o);        /* the pulse is over for this period */
	assert_lines(o, true, false, false);
	assert_near(o.next_edge_s, 2.0, EPS);
	bridge_poll(&b, 2.0, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 2.8, EPS);
	bridge_update(&b, 0.9, 2.5, &o);        /* extends the pulse still on */
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 2.9, EPS);
	bridge_update(&b, 0.5, 2.6, &o);        /* shorter: off at once */
	assert_lines(o, true, false, false);
	/* A cut that would leave less than min_pulse_s of off-time keeps it on to the period end. */
	bridge_update(&b, 0.95, 3.0, &o);
	bridge_update(&b, 0.5, 3.9995, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 4.0, EPS);
	bridge_poll(&b, 4.0, &o);
	assert_lines(o, true, false, true);
	assert_near(o.next_edge_s, 4.5, EPS);
}

static void test_non_finite_and_out_of_range_duty(void **state)
{
	struct bridge b;
	struct bridge_out o;

	(void)state;
	bridge_init(&b, &with_enable, 0.0);
	bridge_update(&b, 0.5, 1.0, &o);
	bridge_update(&b, NAN, 1.1, &o);
	assert_lines(o, false, false, false);
	assert_near(bridge_duty(&b), 0.0, 0.0);
	bridge_update(&b, 7.0, 1.2, &o);
	assert_near(bridge_duty(&b), 1.0, 0.0);
	assert_lines(o, true, false, true);
	assert_true(isinf(o.next_edge_s));
	bridge_update(&b, -INFINITY, 1.3, &o);
	assert_near(bridge_duty(&b), -1.0, 0.0);
	assert_lines(o, false, false, false);
	/* Time never runs backwards inside the machine. */
	bridge_update(&b, -1.0, 0.5, &o);
	assert_lines(o, false, false, false);
	assert_near(o.next_edge_s, 1.5, EPS);
}

/* Over many periods the on-time is duty x period. */
static void test_average_on_time(void **state)
{
	const double duties[] = { 0.05, 0.25, 0.5, 0.77, 0.99 };
	const struct bridge_params *wirings[] = { &with_enable, &without_enable };

	(void)state;
	for (int w = 0; w < 2; w++) {
		for (size_t i = 0; i < sizeof(duties) / sizeof(duties[0]); i++) {
			struct bridge b;
			struct bridge_out o;
			double t = 1.0, on_s = 0.0, end_s = 101.0;

			bridge_init(&b, wirings[w], 0.0);
			bridge_update(&b, -duties[i], t, &o);
			while (t < end_s) {
				double next = fmin(o.next_edge_s, end_s);

				if (powered(wirings[w], &o))
					on_s += next - t;
				t = next;
				bridge_poll(&b, t, &o);
			}
			assert_near(on_s / 100.0, duties[i], 1e-6);
		}
	}
}

/* --- A randomized sequence of duties and times, checked at every output. --- */

static uint64_t rng_state;

static double rnd(void)
{
	/* xorshift64*: deterministic across platforms. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double random_duty(void)
{
	double r = rnd(), sign = rnd() < 0.5 ? -1.0 : 1.0;

	if (r < 0.2)
		return 0.0;
	if (r < 0.3)
		return sign * 0.0004 * rnd();           /* below the minimum pulse */
	if (r < 0.4)
		return sign * (1.0 - 0.0004 * rnd());   /* off-time below the minimum */
	if (r < 0.45)
		return sign;
	return sign * rnd();
}

static double random_gap(void)
{
	double r = rnd();

	if (r < 0.15)
		return 1e-4 * rnd();    /* commands in quick succession */
	if (r < 0.3)
		return 0.1;             /* the control tick */
	return 1.5 * rnd();
}

struct observer {
	const struct bridge_params *p;
	struct bridge_out prev;
	double heat_off_s, cool_off_s;  /* when each line was last seen to go inactive */
	long outputs;
};

static void observe(struct observer *ob, const struct bridge_out *o, double t)
{
	/* The interlock. */
	assert_false(o->heat && o->cool);
	if (ob->p->has_enable)
		assert_true(!o->enable || (o->heat != o->cool));
	else
		assert_false(o->enable);
	/* Dead time: a polarity line goes active only after the other has been inactive that long. */
	if (ob->prev.heat && !o->heat)
		ob->heat_off_s = t;
	if (ob->prev.cool && !o->cool)
		ob->cool_off_s = t;
	if (!ob->prev.heat && o->heat)
		assert_true(t - ob->cool_off_s >= ob->p->dead_time_s - 1e-12);
	if (!ob->prev.cool && o->cool)
		assert_true(t - ob->heat_off_s >= ob->p->dead_time_s - 1e-12);
	/* The machine never asks to be called in the past. */
	assert_true(o->next_edge_s > t);
	ob->prev = *o;
	ob->outputs++;
}

static void run_random(const struct bridge_params *p, uint64_t seed, int steps)
{
	struct bridge b;
	struct bridge_out o;
	struct observer ob = { .p = p, .heat_off_s = 0.0, .cool_off_s = 0.0 };
	double t = 0.0;

	rng_state = seed;
	bridge_init(&b, p, t);
	for (int i = 0; i < steps; i++) {
		double cmd_s = t + random_gap();
		int polls = 0;

		/* The shell's timer: every edge before the next command. */
		while (b.out.next_edge_s <= cmd_s) {
			double edge_s = b.out.next_edge_s;

			bridge_poll(&b, edge_s, &o);
			observe(&ob, &o, edge_s);
			assert_true(++polls < 10000);
		}
		double duty = random_duty();

		bridge_update(&b, duty, cmd_s, &o);
		observe(&ob, &o, cmd_s);
		if (duty == 0.0)
			assert_lines(o, false, false, false);
		/* The polarity that is driven is the commanded one. */
		if (o.heat)
			assert_true(duty > 0.0);
		if (o.cool)
			assert_true(duty < 0.0);
		t = cmd_s;
	}
	assert_true(ob.outputs >= steps);
}

static void test_random_sequences_keep_interlock(void **state)
{
	const double dead_times[] = { 0.0, 0.05, 0.2, 1.0 };
	const double periods[] = { 0.1, 1.0, 2.5 };

	(void)state;
	for (int w = 0; w < 2; w++) {
		for (size_t d = 0; d < 4; d++) {
			for (size_t k = 0; k < 3; k++) {
				struct bridge_params p = w ? without_enable : with_enable;

				p.dead_time_s = dead_times[d];
				p.period_s = periods[k];
				for (uint64_t seed = 1; seed <= 4; seed++)
					run_random(&p, seed * 0x9E3779B97F4A7C15ULL + d * 7 + k, 3000);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_inactive),
		cmocka_unit_test(test_first_drive_waits_dead_time_after_init),
		cmocka_unit_test(test_pwm_edges_with_enable),
		cmocka_unit_test(test_pwm_edges_without_enable),
		cmocka_unit_test(test_polls_between_edges_change_nothing),
		cmocka_unit_test(test_duty_zero_is_off_at_once),
		cmocka_unit_test(test_polarity_change_with_enable),
		cmocka_unit_test(test_dead_time_end_survives_rounding),
		cmocka_unit_test(test_polarity_change_during_off_part_with_enable),
		cmocka_unit_test(test_polarity_change_without_enable),
		cmocka_unit_test(test_off_then_other_polarity_waits),
		cmocka_unit_test(test_same_polarity_resumes_at_once),
		cmocka_unit_test(test_back_to_old_polarity_during_dead_time),
		cmocka_unit_test(test_dead_time_zero_switches_in_one_update),
		cmocka_unit_test(test_tiny_pulses_skipped),
		cmocka_unit_test(test_late_timer),
		cmocka_unit_test(test_duty_change_within_period),
		cmocka_unit_test(test_non_finite_and_out_of_range_duty),
		cmocka_unit_test(test_average_on_time),
		cmocka_unit_test(test_random_sequences_keep_interlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
