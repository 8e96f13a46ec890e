/* SPDX-License-Identifier: MIT */
/* lazy_zero (src/lib/lazy_zero.h): zero as memset is, without the pages becoming resident. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/lazy_zero.h"

#define BIG (1 << 20)

static unsigned char big[BIG + 3];     /* static, like the daemon's state */

static size_t resident_pages(const void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t first = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t last = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
	static unsigned char vec[BIG / 4096 + 2];
	size_t n = (last - first) / (size_t)page, count = 0;

	assert_true(n <= sizeof(vec));
	assert_int_equal(mincore((void *)first, last - first, vec), 0);
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

static void test_zero_like_memset(void **state)
{
	(void)state;
	/* An odd start and length: the partial pages at both ends too. */
	unsigned char *p = big + 1;
	size_t len = BIG + 1;

	memset(big, 0xa5, sizeof(big));
	assert_true(resident_pages(p, len) > 0);
	lazy_zero(p, len);
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			fail_msg("byte %zu is %#x", i, p[i]);
	/* Outside the range: untouched. */
	assert_int_equal(big[0], 0xa5);
	assert_int_equal(big[sizeof(big) - 1], 0xa5);
}

static void test_pages_not_resident(void **state)
{
	(void)state;
	memset(big, 0x5a, sizeof(big));
	lazy_zero(big, sizeof(big));
	/* Reading is free: zero pages are shared, not the process's own. */
	assert_int_equal(resident_pages(big, sizeof(big)), 0);
	/* Writing makes just that page resident. */
	big[BIG / 2] = 1;
	assert_int_equal(resident_pages(big, sizeof(big)), 1);
}

static void test_small_is_memset(void **state)
{
	unsigned char small[100];

	(void)state;
	memset(small, 0xff, sizeof(small));
	lazy_zero(small + 10, 50);
	for (int i = 0; i < 100; i++)
		assert_int_equal(small[i], i >= 10 && i < 60 ? 0 : 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_like_memset),
		cmocka_unit_test(test_pages_not_resident),
		cmocka_unit_test(test_small_is_memset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
