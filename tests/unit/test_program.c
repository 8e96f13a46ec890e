/* SPDX-License-Identifier: MIT */
/* The therapy program's sequence and its phase clocks (wall and settled). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "core/program.h"

static struct program make(enum phase_kind first, enum phase_kind last, int cycles, enum phase_clock clock)
{
	struct program p = {
		.name = "t", .warm_c = 39, .cool_c = 20, .warm_s = 100, .cool_s = 50,
		.cycles = cycles, .first = first, .last = last, .clock = clock,
		.band_c = 0.5, .settle_max_s = 300,
	};
	return p;
}

static void test_sequences(void **state)
{
	static const struct {
		enum phase_kind first, last;
		int cycles;
		const char *expect;     /* W and C */
	} table[] = {
		{ PHASE_WARM, PHASE_COOL, 3, "WCWCWC" },
		{ PHASE_WARM, PHASE_WARM, 3, "WCWCWCW" },
		{ PHASE_COOL, PHASE_WARM, 2, "CWCW" },
		{ PHASE_COOL, PHASE_COOL, 1, "CWC" },
		{ PHASE_WARM, PHASE_COOL, 1, "WC" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct program p = make(table[i].first, table[i].last, table[i].cycles, PHASE_CLOCK_WALL);
		int n = program_phase_count(&p);

		assert_int_equal(n, (int)strlen(table[i].expect));
		for (int ph = 0; ph < n; ph++) {
			enum phase_kind k = table[i].expect[ph] == 'W' ? PHASE_WARM : PHASE_COOL;

			assert_int_equal(program_phase_kind(&p, ph), k);
			assert_true(program_phase_setpoint_c(&p, ph) == (k == PHASE_WARM ? 39.0 : 20.0));
			assert_true(program_phase_length_s(&p, ph) == (k == PHASE_WARM ? 100.0 : 50.0));
			int cycle = program_phase_cycle(&p, ph);

			assert_true(cycle >= 1 && cycle <= p.cycles);
		}
		/* The last phase is always `last`. */
		assert_int_equal(program_phase_kind(&p, n - 1), table[i].last);
	}
}

static void test_planned(void **state)
{
	(void)state;
	struct program p = make(PHASE_WARM, PHASE_COOL, 3, PHASE_CLOCK_WALL);

	assert_true(program_planned_s(&p) == 450.0);
	p.clock = PHASE_CLOCK_SETTLED;
	assert_true(program_planned_s(&p) == 450.0 + 6 * 300.0);
	p.last = PHASE_WARM;
	p.clock = PHASE_CLOCK_WALL;
	assert_true(program_planned_s(&p) == 550.0);
}

/* Walk the program in 0.1 s ticks; return the time the run finished. */
static double run_wall(const struct program *p, double *phase_starts, int max)
{
	struct program_run r;
	int changes = 0;

	program_run_start(&r, 0.0);
	for (long t = 0; t < 100000; t++) {
		double now = t * 0.1;

		if (program_run_advance(p, &r, now, false)) {
			if (r.done)
				return now;
			if (changes < max)
				phase_starts[changes++] = now;
		}
	}
	return -1;
}

static void test_wall_clock(void **state)
{
	(void)state;
	struct program p = make(PHASE_WARM, PHASE_COOL, 2, PHASE_CLOCK_WALL);
	double starts[8];
	double end = run_wall(&p, starts, 8);

	/* W100 C50 W100 C50: changes at 100, 150, 250, end at 300, whatever the band says. */
	assert_true(fabs(starts[0] - 100.0) < 1e-6);
	assert_true(fabs(starts[1] - 150.0) < 1e-6);
	assert_true(fabs(starts[2] - 250.0) < 1e-6);
	assert_true(fabs(end - 300.0) < 1e-6);
}

static void test_settled_clock_waits_for_band(void **state)
{
	(void)state;
	struct program p = make(PHASE_WARM, PHASE_COOL, 1, PHASE_CLOCK_SETTLED);
	struct program_run r;

	program_run_start(&r, 0.0);
	/* Not in band for 40 s: nothing counts. */
	for (int t = 0; t < 400; t++)
		assert_false(program_run_advance(&p, &r, t * 0.1, false));
	assert_true(program_run_phase_left_s(&p, &r, 40.0) == 100.0);
	/* In band at 40 s: the 100 s count from there, even if the band is lost again. */
	assert_false(program_run_advance(&p, &r, 40.0, true));
	assert_true(r.settled);
	assert_true(fabs(program_run_phase_left_s(&p, &r, 90.0) - 50.0) < 1e-9);
	assert_false(program_run_advance(&p, &r, 139.9, false));
	assert_true(program_run_advance(&p, &r, 140.0, false));
	assert_int_equal(r.phase, 1);
	assert_false(r.settled);
	assert_true(r.phase_start_s == 140.0);
}

static void test_settled_clock_gives_up_waiting(void **state)
{
	(void)state;
	struct program p = make(PHASE_WARM, PHASE_COOL, 1, PHASE_CLOCK_SETTLED);
	struct program_run r;

	program_run_start(&r, 10.0);
	assert_false(program_run_advance(&p, &r, 309.9, false));
	assert_false(r.settled);
	assert_false(program_run_advance(&p, &r, 310.0, false));
	assert_true(r.settled);
	/* The phase counts from the timeout: it ends 100 s later. */
	assert_false(program_run_advance(&p, &r, 409.9, false));
	assert_true(program_run_advance(&p, &r, 410.0, false));
}

static void test_done_stays_done(void **state)
{
	(void)state;
	struct program p = make(PHASE_COOL, PHASE_WARM, 1, PHASE_CLOCK_WALL);
	struct program_run r;

	program_run_start(&r, 0.0);
	assert_false(program_run_advance(&p, &r, 49.9, false));
	assert_true(program_run_advance(&p, &r, 50.0, false));
	assert_false(r.done);
	assert_true(program_run_advance(&p, &r, 150.0, true));
	assert_true(r.done);
	assert_false(program_run_advance(&p, &r, 500.0, true));
	assert_true(program_run_phase_left_s(&p, &r, 500.0) == 0.0);
	assert_string_equal(phase_kind_name(PHASE_WARM), "warm");
	assert_string_equal(phase_clock_name(PHASE_CLOCK_SETTLED), "settled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_planned),
		cmocka_unit_test(test_wall_clock),
		cmocka_unit_test(test_settled_clock_waits_for_band),
		cmocka_unit_test(test_settled_clock_gives_up_waiting),
		cmocka_unit_test(test_done_stays_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
