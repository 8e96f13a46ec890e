/* SPDX-License-Identifier: MIT */
/* lib/json_valid: one whole JSON value, strictly (a torn sessions.jsonl line is not one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/json_valid.h"

static bool valid(const char *s)
{
	return json_valid(s, strlen(s));
}

static void test_whole_values(void **state)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0", "1.5e-3", "-12.25E+2", "\"\"", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\"",
		"true", "false", "null", " { \"a\" : [ 1 , 2 , { } ] } \n",
		"{\"started\":\"2026-11-25T23:15:00Z\",\"csv\":null,\"zones\":[{\"name\":\"left\",\"max_pad_c\":38.41}],"
		"\"fault\":null}",
		"[[[[[[[[[[]]]]]]]]]]", "\"\xc3\xa9\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!valid(good[i]))
			fail_msg("refused: %s", good[i]);
}

static void test_torn_and_bad(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\":1", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "{\"a\":}",
		/* Torn lines that still end in }: the case. */
		"{\"started\":\"2026-11-25T23:15:00Z\",\"result\":\"compl}",
		"{\"zones\":[{\"name\":\"left\"},}", "{\"a\":{\"b\":1}", "{\"a\":\"x}\"}}",
		"01", "1.", ".5", "1e", "-", "+1", "0x10", "NaN", "Infinity", "tru", "nul", "truex",
		"\"a", "\"\\x\"", "\"\\u12g4\"", "\"tab\there\"", "{} {}", "{}x", "[] ,",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid(bad[i]))
			fail_msg("accepted: %s", bad[i]);
	/* A NUL inside is not a blank. */
	assert_false(json_valid("{}\0", 3));
	assert_false(json_valid("{\"a\0\":1}", 8));
}

static void test_depth_bounded(void **state)
{
	char deep[2 * JSON_VALID_MAX_DEPTH + 3];
	int n = JSON_VALID_MAX_DEPTH;

	(void)state;
	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	assert_true(json_valid(deep, 2 * (size_t)n));
	memset(deep, '[', (size_t)n + 1);
	memset(deep + n + 1, ']', (size_t)n + 1);
	assert_false(json_valid(deep, 2 * (size_t)n + 2));
}

/* Every prefix of a real summary line is torn, and refused. */
static void test_every_prefix_refused(void **state)
{
	const char *line = "{\"started\":\"2026-11-25T23:15:00Z\",\"csv\":\"sessions/20261125T231500Z.csv\","
			   "\"result\":\"fault\",\"program\":\"default\",\"duration_s\":812.5,\"cycles_done\":1,"
			   "\"zones\":[{\"name\":\"left\",\"max_pad_c\":43.2,\"min_pad_c\":21.0,"
			   "\"time_in_band_pct\":71.5,\"max_heatsink_c\":40.1}],"
			   "\"fault\":{\"kind\":\"over-temperature\",\"zone\":\"left\",\"at_s\":812.4}}";
	size_t len = strlen(line);

	(void)state;
	assert_true(json_valid(line, len));
	for (size_t i = 0; i < len; i++)
		if (json_valid(line, i))
			fail_msg("a prefix of %zu bytes accepted", i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_values),
		cmocka_unit_test(test_torn_and_bad),
		cmocka_unit_test(test_depth_bounded),
		cmocka_unit_test(test_every_prefix_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
