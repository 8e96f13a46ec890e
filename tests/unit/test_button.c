/* SPDX-License-Identifier: MIT */
/* The button state machine: debounce, short and long presses, and their boundaries. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/button.h"


#define EPS 1e-9

static const struct button_params params = { .debounce_s = 0.030, .long_press_s = 2.0 };

static struct button fresh(void)
{
	struct button b;

	button_init(&b, &params, false, 0.0);
	return b;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(button_event_name(BUTTON_NONE), "none");
	assert_string_equal(button_event_name(BUTTON_SHORT_PRESS), "short press");
	assert_string_equal(button_event_name(BUTTON_LONG_PRESS), "long press");
}

static void test_clean_short_press(void **state)
{
	struct button b = fresh();

	(void)state;
	assert_true(isinf(button_next_deadline(&b)));
	assert_int_equal(button_edge(&b, true, 1.0), BUTTON_NONE);
	assert_near(button_next_deadline(&b), 1.03, EPS);
	assert_int_equal(button_poll(&b, 1.0299), BUTTON_NONE);
	assert_false(button_pressed(&b));
	assert_int_equal(button_poll(&b, 1.03), BUTTON_NONE);
	assert_true(button_pressed(&b));
	assert_near(button_next_deadline(&b), 3.0, EPS);        /* the long-press moment */
	assert_int_equal(button_edge(&b, false, 1.5), BUTTON_NONE);
	assert_near(button_next_deadline(&b), 1.53, EPS);
	assert_int_equal(button_poll(&b, 1.5299), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 1.53), BUTTON_SHORT_PRESS);
	assert_false(button_pressed(&b));
	assert_int_equal(button_poll(&b, 1.6), BUTTON_NONE);
	assert_true(isinf(button_next_deadline(&b)));
}

/* A long press fires once when held long_press_s, not on release. */
static void test_long_press_at_the_moment(void **state)
{
	struct button b = fresh();

	(void)state;
	button_edge(&b, true, 1.0);
	assert_int_equal(button_poll(&b, 1.03), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 2.9999), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 3.0), BUTTON_LONG_PRESS);
	assert_int_equal(button_poll(&b, 3.0), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 10.0), BUTTON_NONE);   /* once only */
	assert_true(isinf(button_next_deadline(&b)));
	assert_int_equal(button_edge(&b, false, 12.0), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 12.1), BUTTON_NONE);   /* the release gives nothing */
	/* The next press is a new one. */
	button_edge(&b, true, 13.0);
	button_edge(&b, false, 13.2);
	assert_int_equal(button_poll(&b, 13.3), BUTTON_SHORT_PRESS);
}

/* Held just under long_press_s: short. Exactly long_press_s: long. */
static void test_press_length_boundaries(void **state)
{
	struct button b = fresh();

	(void)state;
	button_edge(&b, true, 1.0);
	button_poll(&b, 1.05);
	button_edge(&b, false, 2.999);
	assert_int_equal(button_poll(&b, 3.029), BUTTON_SHORT_PRESS);

	b = fresh();
	button_edge(&b, true, 1.0);
	button_poll(&b, 1.05);
	/* Nobody polled at 3.0: the release edge at 3.0 shows it was held long enough. */
	assert_int_equal(button_edge(&b, false, 3.0), BUTTON_LONG_PRESS);
	assert_int_equal(button_poll(&b, 3.1), BUTTON_NONE);

	/* Neither polled: the release confirmation decides. */
	b = fresh();
	button_edge(&b, true, 1.0);
	button_edge(&b, false, 4.0);
	assert_int_equal(button_poll(&b, 4.1), BUTTON_NONE);
	b = fresh();
	button_edge(&b, true, 1.0);
	assert_int_equal(button_edge(&b, false, 4.0), BUTTON_LONG_PRESS);
}

/* A change counts once the line has held it for exactly debounce_s, not a microsecond less. */
static void test_debounce_boundary(void **state)
{
	struct button b = fresh();

	(void)state;
	button_edge(&b, true, 1.0);
	button_edge(&b, false, 1.0299);         /* 29.9 ms: a glitch */
	assert_int_equal(button_poll(&b, 5.0), BUTTON_NONE);
	assert_false(button_pressed(&b));

	b = fresh();
	button_edge(&b, true, 1.0);
	button_edge(&b, false, 1.03);           /* exactly 30 ms pressed: a press */
	assert_true(button_pressed(&b));
	assert_int_equal(button_poll(&b, 1.0599), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 1.06), BUTTON_SHORT_PRESS);
}

/* A bouncing contact gives one press and one release, dated by the edges that stuck. */
static void test_bounce_trains(void **state)
{
	static const double press_train[] = { 1.000, 1.002, 1.004, 1.009, 1.011, 1.020 };
	static const double release_train[] = { 1.600, 1.601, 1.605, 1.612, 1.613 };
	struct button b = fresh();
	int events = 0;

	(void)state;
	/* A train that ends released is no press at all. */
	for (size_t i = 0; i < 6; i++)
		events += button_edge(&b, i % 2 == 0, press_train[i]) != BUTTON_NONE;
	assert_int_equal(button_poll(&b, 2.0), BUTTON_NONE);
	assert_false(button_pressed(&b));
	assert_true(isinf(button_next_deadline(&b)));

	/* A train that ends pressed (at 1.011) is one press from that edge. */
	b = fresh();
	assert_int_equal(button_edge(&b, true, 0.5), BUTTON_NONE);
	assert_int_equal(button_edge(&b, true, 0.51), BUTTON_NONE);    /* a duplicate edge: ignored */
	assert_near(button_next_deadline(&b), 0.53, EPS);
	b = fresh();
	for (size_t i = 0; i < 5; i++)
		events += button_edge(&b, i % 2 == 0, press_train[i]) != BUTTON_NONE;
	assert_near(button_next_deadline(&b), 1.041, EPS);     /* 1.011 + 30 ms */
	assert_int_equal(button_poll(&b, 1.041), BUTTON_NONE);
	assert_true(button_pressed(&b));
	assert_near(button_next_deadline(&b), 3.011, EPS);     /* long press counts from 1.011 */
	/* Release train, starting with a release edge and ending released. */
	for (size_t i = 0; i < 5; i++)
		events += button_edge(&b, i % 2 == 1, release_train[i]) != BUTTON_NONE;
	assert_int_equal(events, 0);
	assert_near(button_next_deadline(&b), 1.643, EPS);
	assert_int_equal(button_poll(&b, 1.6429), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 1.643), BUTTON_SHORT_PRESS);
	assert_int_equal(button_poll(&b, 2.0), BUTTON_NONE);
}

/* A bounce in the middle of a long hold does not end the press. */
static void test_glitch_during_hold(void **state)
{
	struct button b = fresh();

	(void)state;
	button_edge(&b, true, 1.0);
	button_poll(&b, 1.03);
	button_edge(&b, false, 2.5);
	button_edge(&b, true, 2.51);
	assert_int_equal(button_poll(&b, 2.99), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 3.0), BUTTON_LONG_PRESS);

	/* A glitch across the long-press moment: decided when it ends. */
	b = fresh();
	button_edge(&b, true, 1.0);
	button_poll(&b, 1.03);
	button_edge(&b, false, 2.99);
	assert_int_equal(button_poll(&b, 3.0), BUTTON_NONE);    /* released or a glitch? not known yet */
	assert_int_equal(button_edge(&b, true, 3.01), BUTTON_NONE);
	assert_near(button_next_deadline(&b), 3.0, EPS);        /* overdue: poll at once */
	assert_int_equal(button_poll(&b, 3.01), BUTTON_LONG_PRESS);
}

/* The button held (or stuck) at start-up gives nothing until it has been released. */
static void test_pressed_at_start(void **state)
{
	struct button b;

	(void)state;
	button_init(&b, &params, true, 0.0);
	assert_true(button_pressed(&b));
	assert_true(isinf(button_next_deadline(&b)));
	assert_int_equal(button_poll(&b, 10.0), BUTTON_NONE);
	button_edge(&b, false, 11.0);
	assert_int_equal(button_poll(&b, 11.1), BUTTON_NONE);
	button_edge(&b, true, 12.0);
	button_edge(&b, false, 12.3);
	assert_int_equal(button_poll(&b, 12.4), BUTTON_SHORT_PRESS);
}

/* A whole press and release read in one batch (a busy loop), polled afterwards. */
static void test_batched_edges(void **state)
{
	struct button b = fresh();

	(void)state;
	assert_int_equal(button_edge(&b, true, 1.0), BUTTON_NONE);
	assert_int_equal(button_edge(&b, false, 1.2), BUTTON_NONE);
	assert_int_equal(button_edge(&b, true, 1.5), BUTTON_SHORT_PRESS);      /* the first release was stable */
	assert_int_equal(button_edge(&b, false, 1.7), BUTTON_NONE);
	assert_int_equal(button_poll(&b, 2.0), BUTTON_SHORT_PRESS);
}

static void test_time_never_runs_backwards(void **state)
{
	struct button b = fresh();

	(void)state;
	button_edge(&b, true, 5.0);
	button_edge(&b, false, 4.0);            /* dated before: taken as 5.0, a glitch */
	assert_int_equal(button_poll(&b, 6.0), BUTTON_NONE);
	assert_false(button_pressed(&b));
	assert_int_equal(button_poll(&b, NAN), BUTTON_NONE);
}

/* Random presses of known length, each with bounce trains at both ends. */
static uint64_t rng_state = 12345;

static double rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static enum button_event drive_until(struct button *b, double t_end, int *count)
{
	enum button_event last = BUTTON_NONE, ev;

	while (button_next_deadline(b) <= t_end) {
		ev = button_poll(b, button_next_deadline(b));
		if (ev != BUTTON_NONE) {
			last = ev;
			(*count)++;
		}
	}
	return last;
}

static void test_random_bouncy_presses(void **state)
{
	struct button b = fresh();
	double t = 1.0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		double held_s = 0.1 + 3.8 * rnd();
		int count = 0;
		enum button_event got = BUTTON_NONE, ev;

		/* The release bounce (up to 14 ms) counts as held: keep clear of the boundary. */
		if (fabs(held_s - params.long_press_s) < 0.02)
			continue;               /* the exact boundary has its own test */
		/* Press bounce: edges 1..8 ms apart, ending pressed at t. */
		int n = 2 * (int)(rnd() * 4);
		double bt = t - 0.001 * (n + 1);

		for (int k = 0; k < n; k++, bt += 0.001)
			if ((ev = button_edge(&b, k % 2 == 0, bt)) != BUTTON_NONE)
				got = ev, count++;
		if ((ev = button_edge(&b, true, t)) != BUTTON_NONE)
			got = ev, count++;
		if ((ev = drive_until(&b, t + held_s, &count)) != BUTTON_NONE)
			got = ev;
		/* Release at t + held_s, with its own bounce. */
		double rt = t + held_s;

		if ((ev = button_edge(&b, false, rt)) != BUTTON_NONE)
			got = ev, count++;
		for (int k = 0; k < n; k++)
			if ((ev = button_edge(&b, k % 2 == 1, rt + 0.002 * (k + 1))) != BUTTON_NONE)
				got = ev, count++;
		if (n > 0 && (ev = button_edge(&b, false, rt + 0.002 * (n + 1))) != BUTTON_NONE)
			got = ev, count++;
		if ((ev = drive_until(&b, rt + 1.0, &count)) != BUTTON_NONE)
			got = ev;
		assert_int_equal(count, 1);
		assert_int_equal(got, held_s < params.long_press_s ? BUTTON_SHORT_PRESS : BUTTON_LONG_PRESS);
		t = rt + 1.0 + rnd();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_clean_short_press),
		cmocka_unit_test(test_long_press_at_the_moment),
		cmocka_unit_test(test_press_length_boundaries),
		cmocka_unit_test(test_debounce_boundary),
		cmocka_unit_test(test_bounce_trains),
		cmocka_unit_test(test_glitch_during_hold),
		cmocka_unit_test(test_pressed_at_start),
		cmocka_unit_test(test_batched_edges),
		cmocka_unit_test(test_time_never_runs_backwards),
		cmocka_unit_test(test_random_bouncy_presses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
