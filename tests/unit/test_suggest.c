/* SPDX-License-Identifier: MIT */
/* "Did you mean": the edit distance, what counts as close, and the unknown-name message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/suggest.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("warm_s", "warm_s"), 0);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("wram_s", "warm_s"), 1);     /* a swap */
	assert_int_equal(suggest_distance("evning", "evening"), 1);    /* an insertion */
	assert_int_equal(suggest_distance("programme", "program"), 2);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("Cycles", "cycles"), 1);     /* case counts */
	/* Symmetric. */
	assert_int_equal(suggest_distance("sitting", "kitten"), 3);
}

static void test_case_only(void **state)
{
	(void)state;
	assert_true(suggest_case_only("Cycles", "cycles"));
	assert_true(suggest_case_only("WARM_C", "warm_c"));
	assert_false(suggest_case_only("cycles", "cycles"));
	assert_false(suggest_case_only("Cycle", "cycles"));
	assert_false(suggest_case_only("", "a"));
}

static void test_closest(void **state)
{
	static const char *const keys[] = { "warm_c", "cool_c", "warm_s", "cool_s", "cycles", "first",
					    "last", "phase_clock", "band_c", "settle_max_s" };
	int n = (int)(sizeof(keys) / sizeof(keys[0]));

	(void)state;
	assert_string_equal(suggest_closest("wram_s", keys, n), "warm_s");
	assert_string_equal(suggest_closest("Cycles", keys, n), "cycles");
	assert_string_equal(suggest_closest("cycle", keys, n), "cycles");
	assert_string_equal(suggest_closest("phase-clock", keys, n), "phase_clock");
	/* Nothing near: no guess. */
	assert_null(suggest_closest("zz", keys, n));
	assert_null(suggest_closest("temperature", keys, n));
	/* The word itself is no suggestion. */
	assert_null(suggest_closest("warm_c", (const char *const[]){ "warm_c" }, 1));
	assert_null(suggest_closest("x", keys, 0));
}

static void test_unknown_name(void **state)
{
	static const char *const programs[] = { "default", "short", "evening" };
	char buf[256];

	(void)state;
	suggest_unknown_name(buf, sizeof(buf), "program", "programs", "evning", programs, 3);
	assert_string_equal(buf, "no program named 'evning' (did you mean 'evening'? programs: default, "
			    "short, evening)");
	suggest_unknown_name(buf, sizeof(buf), "program", "programs", "nosuch", programs, 3);
	assert_string_equal(buf, "no program named 'nosuch' (programs: default, short, evening)");
	/* A short buffer is cut, never overrun. */
	suggest_unknown_name(buf, 16, "program", "programs", "nosuch", programs, 3);
	assert_int_equal(strlen(buf), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_case_only),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_unknown_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
