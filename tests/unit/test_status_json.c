/* SPDX-License-Identifier: MIT */
/*
 * The `status` and `programs` JSON: a config made by hand, a controller
 * stepped with made-up readings, and the output read back with the very
 * JSON reader contrastctl uses, json-c through src/ctl/reply.c (so the
 * test checks the contract between the two, not just substrings).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "controller_ticks.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/config.h"
#include "core/controller.h"
#include "daemon/status_json.h"
#include "json_read.h"

static struct config cfg;
static struct controller ctl;
static char buf[65536];

static void make_config(void)
{
	config_defaults(&cfg);
	cfg.n_zones = 2;
	snprintf(cfg.zones[0].name, NAME_LEN, "left");
	snprintf(cfg.zones[0].pad_sensor, SENSOR_SPEC_LEN, "ads1115/voltage0");
	snprintf(cfg.zones[0].pad_sensor2, SENSOR_SPEC_LEN, "ads1115/voltage1");
	snprintf(cfg.zones[0].heatsink_sensor, SENSOR_SPEC_LEN, "ads1115/voltage2");
	snprintf(cfg.zones[0].fan, LINE_SPEC_LEN, "GPIO5");
	snprintf(cfg.zones[1].name, NAME_LEN, "right");
	snprintf(cfg.zones[1].pad_sensor, SENSOR_SPEC_LEN, "ads1115b/voltage0");
	snprintf(cfg.zones[1].heatsink_sensor, SENSOR_SPEC_LEN, "ads1115b/voltage2");
	/*
	 * programs[0] is "default" with the defaults; one more, on the wall
	 * clock: its setpoints are the defaults (config_defaults() fills every
	 * slot), its sequence and lengths its own.
	 */
	struct program *p = &cfg.programs[1];

	snprintf(p->name, NAME_LEN, "short");
	p->warm_s = 100.0;
	p->cool_s = 50.0;
	p->cycles = 1;
	p->first = PHASE_WARM;
	p->last = PHASE_COOL;
	p->clock = PHASE_CLOCK_WALL;
	cfg.n_programs = 2;
}

static void tick(double now_s, double pad_c)
{
	tick_controller(&ctl, now_s, pad_c);
}

static const struct json_object *parse_status(double now_s)
{
	int n = status_json_build(&ctl, now_s, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_null(strchr(buf, '\n'));
	const struct json_object *root = json_read(buf, (size_t)n);

	assert_true(json_object_is_type(root, json_type_object));
	return root;
}

static const char *s_of(const struct json_object *obj, const char *key)
{
	if (!reply_has(obj, key))
		fail_msg("no key %s in %s", key, buf);
	return reply_str(obj, key, "(null)");
}

static double n_of(const struct json_object *obj, const char *key)
{
	if (!reply_has(obj, key))
		fail_msg("no key %s in %s", key, buf);
	return reply_num(obj, key);
}

static void assert_null_key(const struct json_object *obj, const char *key)
{
	if (!reply_has(obj, key))
		fail_msg("no key %s in %s", key, buf);
	if (reply_get(obj, key) != NULL)
		fail_msg("%s is not null in %s", key, buf);
}

static const struct json_object *zone(const struct json_object *st, int i)
{
	const struct json_object *z = reply_at(reply_get(st, "zones"), (size_t)i);

	assert_non_null(z);
	return z;
}

static int setup(void **state)
{
	(void)state;
	make_config();
	controller_init(&ctl, &cfg);
	return 0;
}

static void test_before_any_tick(void **state)
{
	(void)state;
	const struct json_object *st = parse_status(0.0);

	assert_string_equal(s_of(st, "state"), "idle");
	assert_null_key(st, "program");
	assert_null_key(st, "session_s");
	assert_null_key(st, "phase");
	assert_null_key(st, "cycle");
	assert_null_key(st, "phase_left_s");
	assert_null_key(st, "session_left_s");
	assert_null_key(st, "fault");
	assert_false(reply_bool(st, "power", true));
	assert_int_equal(reply_count(reply_get(st, "zones")), 2);
	/* No readings yet: null, with status "none", never 0.0. */
	assert_null_key(zone(st, 0), "pad_c");
	assert_string_equal(s_of(zone(st, 0), "pad_status"), "none");
	assert_null_key(zone(st, 0), "heatsink_c");
}

static void test_idle_with_readings(void **state)
{
	(void)state;
	tick(0.0, 33.0);
	const struct json_object *st = parse_status(0.0);
	const struct json_object *left = zone(st, 0), *right = zone(st, 1);

	assert_string_equal(s_of(st, "state"), "idle");
	assert_string_equal(s_of(left, "name"), "left");
	assert_true(fabs(n_of(left, "pad_c") - 33.0) < 1e-9);
	assert_string_equal(s_of(left, "pad_status"), "ok");
	assert_true(fabs(n_of(left, "pad2_c") - 33.2) < 1e-9);
	assert_string_equal(s_of(left, "pad2_status"), "ok");
	assert_true(fabs(n_of(left, "heatsink_c") - 25.0) < 1e-9);
	assert_null_key(left, "setpoint_c");
	assert_true(n_of(left, "duty") == 0.0);
	assert_true(json_object_is_type(reply_get(left, "fan"), json_type_boolean));
	assert_false(reply_bool(left, "fan", true));

	assert_string_equal(s_of(right, "name"), "right");
	assert_null_key(right, "pad2_c");       /* no second sensor configured */
	assert_null_key(right, "pad2_status");
	assert_null_key(right, "fan");          /* no fan line */
	/* The text itself: two decimals for temperatures, three for duty. */
	assert_non_null(strstr(buf, "\"pad_c\":33.00,"));
	assert_non_null(strstr(buf, "\"duty\":0.000,"));
}

static void test_running_phase_and_times(void **state)
{
	char why[256];

	(void)state;
	tick(0.0, 33.0);
	if (controller_start(&ctl, "short", 0.1, why, sizeof(why)) < 0)
		fail_msg("start refused: %s", why);
	/* Two seconds of heating, the pad rising 0.5 C/s (well inside every check). */
	for (int i = 1; i <= 19; i++)
		tick(0.1 + 0.1 * i, 33.0 + 0.05 * i);
	double now = 2.0;
	const struct json_object *st = parse_status(now);

	assert_string_equal(s_of(st, "state"), "running");
	assert_string_equal(s_of(st, "program"), "short");
	assert_string_equal(s_of(st, "phase"), "warm");
	assert_true(n_of(st, "phase_index") == 0);
	assert_true(n_of(st, "phases") == 2);
	assert_true(n_of(st, "cycle") == 1);
	assert_true(n_of(st, "cycles") == 1);
	assert_true(n_of(st, "setpoint_c") == cfg.programs[1].warm_c);
	assert_string_equal(s_of(st, "phase_clock"), "wall");
	assert_true(reply_bool(st, "phase_settled", false));
	/* Wall clock: the phase counts from its start at 0.1 s. */
	assert_true(fabs(n_of(st, "session_s") - 1.9) < 0.051);
	assert_true(fabs(n_of(st, "phase_left_s") - 98.1) < 0.051);
	assert_true(fabs(n_of(st, "session_left_s") - 148.1) < 0.051);
	assert_true(n_of(st, "planned_s") == 150.0);
	assert_true(fabs(status_session_left_s(&ctl, now) - 148.1) < 1e-6);
	assert_true(reply_bool(st, "power", false));
	assert_null_key(st, "fault");

	const struct json_object *left = zone(st, 0);

	assert_true(n_of(left, "setpoint_c") == cfg.programs[1].warm_c);
	assert_true(n_of(left, "duty") > 0.0);          /* heating */
	assert_true(reply_bool(left, "fan", false));
}

static void test_settled_clock_not_yet_counting(void **state)
{
	char why[256];

	(void)state;
	tick(0.0, 33.0);
	if (controller_start(&ctl, NULL, 0.1, why, sizeof(why)) < 0)
		fail_msg("start refused: %s", why);
	tick(0.2, 33.05);
	const struct json_object *st = parse_status(0.2);

	assert_string_equal(s_of(st, "program"), "default");
	assert_string_equal(s_of(st, "phase_clock"), "settled");
	assert_false(reply_bool(st, "phase_settled", true));
	/* Not settled: the whole phase is still ahead, plus every later one. */
	const struct program *p = &cfg.programs[0];
	double rest = 0.0;

	for (int i = 0; i < program_phase_count(p); i++)
		rest += program_phase_length_s(p, i);
	assert_true(n_of(st, "phase_left_s") == p->warm_s);
	assert_true(fabs(n_of(st, "session_left_s") - rest) < 0.051);
}

static void test_fault_and_ack_possible(void **state)
{
	char why[256], desc[256];
	const char *names[MAX_ZONES] = { "left", "right" };

	(void)state;
	tick(0.0, 33.0);
	if (controller_start(&ctl, "short", 0.1, why, sizeof(why)) < 0)
		fail_msg("start refused: %s", why);
	tick(0.2, 33.05);
	controller_output_error(&ctl, 0.25, 0);
	safety_describe(safety_latched_fault(&ctl.safety), names, desc, sizeof(desc));

	const struct json_object *st = parse_status(0.25);
	const struct json_object *f = reply_get(st, "fault");

	assert_string_equal(s_of(st, "state"), "fault");
	assert_string_equal(s_of(st, "program"), "short");
	assert_null_key(st, "phase");           /* no session runs */
	assert_false(reply_bool(st, "power", true));
	assert_non_null(f);
	assert_true(json_object_is_type(f, json_type_object));
	assert_string_equal(s_of(f, "kind"), "output-error");
	assert_string_equal(s_of(f, "zone"), "left");
	assert_string_equal(s_of(f, "sensor"), "output");
	assert_true(fabs(n_of(f, "at_s") - 0.15) < 0.051);
	assert_string_equal(s_of(f, "description"), desc);
	assert_false(reply_bool(f, "ack_possible", true));
	assert_true(n_of(f, "clear_s") == cfg.safety.clear_s);
	assert_null_key(zone(st, 0), "setpoint_c");
	assert_true(n_of(zone(st, 0), "duty") == 0.0);

	/* Good readings for longer than clear_s: now an ack would be taken. */
	double t = 0.3;

	for (; t < 0.3 + cfg.safety.clear_s + 1.0; t += 0.1)
		tick(t, 33.0);
	st = parse_status(t - 0.1);
	f = reply_get(st, "fault");
	assert_true(reply_bool(f, "ack_possible", false));
	assert_int_equal(controller_ack(&ctl, t - 0.1, why, sizeof(why)), 0);
	st = parse_status(t - 0.1);
	assert_string_equal(s_of(st, "state"), "idle");
	assert_null_key(st, "fault");
	/* The last session is still named, with its length. */
	assert_string_equal(s_of(st, "program"), "short");
	assert_true(fabs(n_of(st, "session_s") - 0.15) < 0.051);
}

static void test_failed_reading_is_null_with_reason(void **state)
{
	struct tick_inputs in;
	struct tick_outputs out;
	struct tick_events ev;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.pad[0] = (struct sensor_sample){ .ok = false };
	in.pad2[0] = temp_sample(33.0);
	in.heatsink[0] = temp_sample(25.0);
	in.pad[1] = temp_sample(33.0);
	in.heatsink[1] = temp_sample(25.0);
	in.loop_gap_s = 0.1;
	controller_tick(&ctl, 0.0, &in, &out, &ev);

	const struct json_object *st = parse_status(0.0);

	assert_null_key(zone(st, 0), "pad_c");
	assert_string_equal(s_of(zone(st, 0), "pad_status"), "failed");
	assert_true(n_of(zone(st, 0), "pad2_c") == 33.0);
}

static void test_too_small_buffer(void **state)
{
	char small[64];

	(void)state;
	tick(0.0, 33.0);
	assert_int_equal(status_json_build(&ctl, 0.0, small, sizeof(small)), -1);
	assert_int_equal(programs_json_build(&cfg, small, sizeof(small)), -1);
}

static void test_eight_zones_fit_a_reply(void **state)
{
	char why[256];

	(void)state;
	cfg.n_zones = MAX_ZONES;
	for (int z = 2; z < MAX_ZONES; z++) {
		cfg.zones[z] = cfg.zones[0];
		snprintf(cfg.zones[z].name, NAME_LEN, "zone-%c-with-a-long-name-xxxx", (char)('0' + z));
	}
	controller_init(&ctl, &cfg);
	tick(0.0, 33.0);
	assert_int_equal(controller_start(&ctl, NULL, 0.1, why, sizeof(why)), 0);
	tick(0.2, 33.05);
	controller_output_error(&ctl, 0.25, 7);
	int n = status_json_build(&ctl, 0.25, buf, sizeof(buf));

	/* Far below the socket's 64 KiB value limit. */
	assert_true(n > 0 && n < 8192);
	assert_string_equal(s_of(reply_get(json_read(buf, (size_t)n), "fault"), "zone"),
			    "zone-7-with-a-long-name-xxxx");
}

static void test_programs(void **state)
{
	(void)state;
	int n = programs_json_build(&cfg, buf, sizeof(buf));

	assert_true(n > 0);
	const struct json_object *list = json_read(buf, (size_t)n);

	assert_true(json_object_is_type(list, json_type_array));
	assert_int_equal(reply_count(list), 2);

	const struct json_object *d = reply_at(list, 0), *s = reply_at(list, 1);
	const struct program *p0 = &cfg.programs[0];

	assert_string_equal(s_of(d, "name"), "default");
	assert_true(reply_bool(d, "default", false));
	assert_true(n_of(d, "warm_c") == p0->warm_c);
	assert_true(n_of(d, "cool_c") == p0->cool_c);
	assert_true(n_of(d, "warm_s") == p0->warm_s);
	assert_true(n_of(d, "cool_s") == p0->cool_s);
	assert_true(n_of(d, "cycles") == p0->cycles);
	assert_string_equal(s_of(d, "first"), phase_kind_name(p0->first));
	assert_string_equal(s_of(d, "last"), phase_kind_name(p0->last));
	assert_string_equal(s_of(d, "phase_clock"), "settled");
	assert_true(n_of(d, "band_c") == p0->band_c);
	assert_true(n_of(d, "settle_max_s") == p0->settle_max_s);
	assert_true(n_of(d, "phases") == program_phase_count(p0));
	assert_true(fabs(n_of(d, "planned_s") - program_planned_s(p0)) < 0.051);

	assert_string_equal(s_of(s, "name"), "short");
	assert_false(reply_bool(s, "default", true));
	assert_string_equal(s_of(s, "phase_clock"), "wall");
	assert_true(n_of(s, "planned_s") == 150.0);
	assert_true(n_of(s, "phases") == 2);
}

/* contrastctl's reader is json-c in strict mode, with what that still lets through refused too. */
static void test_reader_rejects_broken_json(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "nul", "\"open", "{\"a\":1} x",
		"{\"a\":\"\x01\"}", "[\"\\q\"]", "[\"\\u12G4\"]",
		"{'a':1}", "[NaN]", "[-Infinity]", "{\"a\":1}/*c*/", "[01]", "{\"a\":\"x\ty\"}",
	};
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *v = reply_parse(bad[i], strlen(bad[i]), why, sizeof(why));

		if (v) {
			json_object_put(v);
			fail_msg("accepted broken JSON: %s", bad[i]);
		}
		assert_true(why[0] != '\0');
	}
	const struct json_object *list = json_read("[\"a\\u00e9\\n\"]", 13);

	assert_string_equal(json_object_get_string(reply_at(list, 0)), "a\xc3\xa9\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_before_any_tick, setup),
		cmocka_unit_test_setup(test_idle_with_readings, setup),
		cmocka_unit_test_setup(test_running_phase_and_times, setup),
		cmocka_unit_test_setup(test_settled_clock_not_yet_counting, setup),
		cmocka_unit_test_setup(test_fault_and_ack_possible, setup),
		cmocka_unit_test_setup(test_failed_reading_is_null_with_reason, setup),
		cmocka_unit_test_setup(test_too_small_buffer, setup),
		cmocka_unit_test_setup(test_eight_zones_fit_a_reply, setup),
		cmocka_unit_test_setup(test_programs, setup),
		cmocka_unit_test(test_reader_rejects_broken_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
