/* SPDX-License-Identifier: MIT */
/*
 * Assertions the tests share beside cmocka's: cmocka 1.1's
 * assert_float_equal works in float, too coarse for temperatures and
 * times; and a substring check that prints both strings.
 * Include after <cmocka.h>.
 */
#ifndef CONTRASTD_TEST_ASSERT_H
#define CONTRASTD_TEST_ASSERT_H

#include <math.h>
#include <string.h>

#define assert_near(a, b, eps) near_at((a), (b), (eps), #a, __FILE__, __LINE__)
#define assert_rel(a, b, rel) near_at((a), (b), fabs(b) * (rel), #a, __FILE__, __LINE__)

static inline void near_at(double got, double want, double eps, const char *what,
			   const char *file, int line)
{
	/* got == want first: inf - inf is NaN. */
	if (!(got == want || fabs(got - want) <= eps)) {
		print_error("%s = %.12g, want %.12g +- %.3g\n", what, got, want, eps);
		_fail(file, line);
	}
}

#define assert_contains(haystack, needle) do { \
		if (!strstr((haystack), (needle))) { \
			print_error("'%s' does not contain '%s'\n", (haystack), (needle)); \
			fail(); \
		} \
	} while (0)

#endif
