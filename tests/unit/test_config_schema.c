/* SPDX-License-Identifier: MIT */
/*
 * The configuration schema (src/core/config_schema.c) itself: every row is
 * well formed, its default lies in its range and is a value the parser
 * takes, every hard bound is the limits.h value it names, config_defaults()
 * fills exactly what the table says, and the example config's keys, set or
 * commented out, are the table's. Run from the repository root.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/config.h"
#include "core/config_schema.h"
#include "sim/sim_plant.h"
#include "core/limits.h"
#include "daemon/config_parse.h"

#define EXAMPLE "config/contrastd.conf"

/* Lines 1..5: one complete zone, so that a file is valid without the key under test. */
#define ZONE_A \
	"[zone a]\n" \
	"heat = GPIO17\n" \
	"cool = GPIO27\n" \
	"pad_sensor = ads1015/voltage0\n" \
	"heatsink_sensor = ads1015/voltage1\n"

static struct config cfg, ref;          /* static: a struct config is large */
static struct config_error err;

static bool is_number(const struct config_key *k)
{
	return k->type == CONFIG_REAL || k->type == CONFIG_INT || k->type == CONFIG_GAIN;
}

static bool is_string(const struct config_key *k)
{
	return k->type == CONFIG_LINE || k->type == CONFIG_SENSOR || k->type == CONFIG_ABSPATH ||
	       k->type == CONFIG_SOCKET || k->type == CONFIG_IIO;
}

/* The key has a value of its own when not written. */
static bool has_default(const struct config_key *k)
{
	return !(k->flags & (CONFIG_REQUIRED | CONFIG_NO_DEFAULT)) && k->type != CONFIG_GAIN;
}

/* --- The rows ------------------------------------------------------------------ */

static void test_rows_are_well_formed(void **state)
{
	(void)state;
	assert_true(config_n_keys > 60 && config_n_keys <= CONFIG_MAX_KEYS);
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->section < 0 || k->section >= CONFIG_SECTION_COUNT)
			fail_msg("row %d: no section", i);
		if (k->name == NULL || k->name[0] == '\0' || strspn(k->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
								   strlen(k->name))
			fail_msg("row %d: the name is not [a-z0-9_]+", i);
		if (k->text == NULL || k->text[0] == '\0' || strchr(k->text, '\n') || strchr(k->text, '|'))
			fail_msg("%s: the description must be one line, without |", k->name);
		if (k->text[strlen(k->text) - 1] == '.')
			fail_msg("%s: the description ends with a dot (the docs add one where they need it)", k->name);
		if (k->unit == NULL)
			fail_msg("%s: unit is NULL (\"\" for none)", k->name);
		if ((k->flags & CONFIG_REQUIRED) && (k->flags & CONFIG_NO_DEFAULT))
			fail_msg("%s: required and without default at once", k->name);

		/* The field's size fits the type: an INT row on a double field would be caught here. */
		switch (k->type) {
		case CONFIG_REAL:
			assert_int_equal(k->size, sizeof(double));
			break;
		case CONFIG_INT:
		case CONFIG_ENUM:
			assert_int_equal(k->size, sizeof(int));
			break;
		case CONFIG_BOOL:
			assert_int_equal(k->size, sizeof(bool));
			break;
		case CONFIG_GAIN:
			assert_int_equal(k->size, 0);
			break;
		default:
			assert_true(is_string(k));
			assert_true(k->size > 1);
			break;
		}
		if (k->type == CONFIG_ENUM) {
			assert_non_null(k->choices);
			assert_non_null(k->choices[0].name);
			assert_non_null(k->choices[1].name);
		} else {
			assert_null(k->choices);
		}
		if ((k->min_hard || k->max_hard) && !is_number(k))
			fail_msg("%s: a hard limit on a value that is not a number", k->name);
		if ((k->flags & CONFIG_UNBOUNDED) && (!is_number(k) || k->min_hard || k->max_hard))
			fail_msg("%s: unbounded, but not a number or with a hard limit", k->name);
	}
}

static void test_no_two_keys_share_a_name_in_a_section(void **state)
{
	(void)state;
	for (int i = 0; i < config_n_keys; i++) {
		for (int j = i + 1; j < config_n_keys; j++)
			if (config_keys[i].section == config_keys[j].section &&
			    strcmp(config_keys[i].name, config_keys[j].name) == 0)
				fail_msg("[%s] %s twice: rows %d and %d", config_sections[config_keys[i].section].word,
					 config_keys[i].name, i, j);
		assert_ptr_equal(config_schema_find(config_keys[i].section, config_keys[i].name), &config_keys[i]);
	}
	/* And every section has keys, and is found by its word. */
	for (int s = 0; s < CONFIG_SECTION_COUNT; s++) {
		int n = 0;

		for (int i = 0; i < config_n_keys; i++)
			n += config_keys[i].section == (enum config_section)s;
		assert_true(n > 0);
		assert_int_equal(config_schema_section(config_sections[s].word), s);
	}
	assert_int_equal(config_schema_section("nope"), -1);
	assert_null(config_schema_find(CONFIG_PROGRAM, "max_pad_c"));
	assert_null(config_schema_find(CONFIG_DAEMON, "Control_hz"));
}

static void test_every_default_lies_in_its_range(void **state)
{
	(void)state;
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];
		int value;

		if (is_number(k) && !(k->flags & CONFIG_UNBOUNDED) && !(k->min < k->max))
			fail_msg("%s: empty range %g .. %g", k->name, k->min, k->max);
		if (!has_default(k))
			continue;
		switch (k->type) {
		case CONFIG_REAL:
		case CONFIG_INT:
			if (!(k->flags & CONFIG_UNBOUNDED) && (k->def < k->min || k->def > k->max))
				fail_msg("%s: default %g outside %g .. %g", k->name, k->def, k->min, k->max);
			if (k->type == CONFIG_INT && k->def != floor(k->def))
				fail_msg("%s: default %g is not whole", k->name, k->def);
			break;
		case CONFIG_BOOL:
			assert_true(k->def == 0.0 || k->def == 1.0);
			break;
		case CONFIG_ENUM:
			if (k->def_str == NULL || !config_schema_choice(k, k->def_str, &value))
				fail_msg("%s: the default is not one of its choices", k->name);
			break;
		default:
			if (k->def_str == NULL || strlen(k->def_str) >= k->size)
				fail_msg("%s: no default string, or one longer than the field", k->name);
			break;
		}
	}
}

/* The gain shorthands set two REAL keys of their own section with the same range and unit. */
static void test_gain_shorthands(void **state)
{
	int n = 0;

	(void)state;
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type != CONFIG_GAIN) {
			assert_null(k->sets[0]);
			continue;
		}
		n++;
		for (int j = 0; j < 2; j++) {
			const struct config_key *t = config_schema_find(k->section, k->sets[j]);

			if (t == NULL)
				fail_msg("%s sets %s, which is not a key of its section", k->name, k->sets[j]);
			assert_int_equal(t->type, CONFIG_REAL);
			assert_true(t->min == k->min && t->max == k->max);
			assert_string_equal(t->unit, k->unit);
		}
	}
	assert_int_equal(n, 3);         /* kp, ki, kd */
}

/* --- Hard limits --------------------------------------------------------------- */

static const struct {
	const char *name;
	double value;
} hard_limits[] = {
	{ "HARD_MAX_PAD_C", HARD_MAX_PAD_C },
	{ "HARD_MIN_PAD_C", HARD_MIN_PAD_C },
	{ "HARD_MAX_HEATSINK_C", HARD_MAX_HEATSINK_C },
	{ "HARD_MAX_DUTY", HARD_MAX_DUTY },
	{ "HARD_MAX_HEAT_DOSE_DAY_MIN", HARD_MAX_HEAT_DOSE_DAY_MIN },
	{ "HARD_MAX_COLD_MIN", HARD_MAX_COLD_MIN },
	{ "HARD_MAX_COLD_DAY_MIN", HARD_MAX_COLD_DAY_MIN },
	{ "HARD_MAX_SESSIONS_PER_DAY", HARD_MAX_SESSIONS_PER_DAY },
	{ "HARD_MAX_LOCKOUT_AFTER", HARD_MAX_LOCKOUT_AFTER },
};

static double hard_limit(const char *name)
{
	for (size_t i = 0; i < sizeof(hard_limits) / sizeof(hard_limits[0]); i++)
		if (strcmp(hard_limits[i].name, name) == 0)
			return hard_limits[i].value;
	fail_msg("%s is not a limits.h hard limit", name);
	return NAN;
}

static void test_every_hard_bound_is_its_limits_h_value(void **state)
{
	(void)state;
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->min_hard && k->min != hard_limit(k->min_hard))
			fail_msg("%s: min %g, but %s is %g", k->name, k->min, k->min_hard, hard_limit(k->min_hard));
		if (k->max_hard && k->max != hard_limit(k->max_hard))
			fail_msg("%s: max %g, but %s is %g", k->name, k->max, k->max_hard, hard_limit(k->max_hard));
	}
}

/* The keys that touch the skin or the Peltier are bounded by the compiled-in limits, both ways where they must be. */
static void test_safety_keys_are_hard_bounded(void **state)
{
	static const struct {
		enum config_section s;
		const char *key, *min_hard, *max_hard;
	} want[] = {
		{ CONFIG_SAFETY, "max_pad_c", "HARD_MIN_PAD_C", "HARD_MAX_PAD_C" },
		{ CONFIG_SAFETY, "min_pad_c", "HARD_MIN_PAD_C", "HARD_MAX_PAD_C" },
		{ CONFIG_PROGRAM, "warm_c", "HARD_MIN_PAD_C", "HARD_MAX_PAD_C" },
		{ CONFIG_PROGRAM, "cool_c", "HARD_MIN_PAD_C", "HARD_MAX_PAD_C" },
		{ CONFIG_SAFETY, "max_heatsink_c", NULL, "HARD_MAX_HEATSINK_C" },
		{ CONFIG_SAFETY, "start_max_heatsink_c", NULL, "HARD_MAX_HEATSINK_C" },
		{ CONFIG_ZONE, "max_duty", NULL, "HARD_MAX_DUTY" },
		/* The dose budgets (docs/safety.md, "Dose budgets") and the lockout. */
		{ CONFIG_SAFETY, "heat_dose_min", NULL, "HARD_MAX_HEAT_DOSE_DAY_MIN" },
		{ CONFIG_SAFETY, "heat_dose_day_min", NULL, "HARD_MAX_HEAT_DOSE_DAY_MIN" },
		{ CONFIG_SAFETY, "cold_min", NULL, "HARD_MAX_COLD_MIN" },
		{ CONFIG_SAFETY, "cold_day_min", NULL, "HARD_MAX_COLD_DAY_MIN" },
		{ CONFIG_SAFETY, "sessions_per_day", NULL, "HARD_MAX_SESSIONS_PER_DAY" },
		{ CONFIG_SAFETY, "lockout_after", NULL, "HARD_MAX_LOCKOUT_AFTER" },
	};
	int n_hard = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct config_key *k = config_schema_find(want[i].s, want[i].key);

		assert_non_null(k);
		if (want[i].min_hard && (k->min_hard == NULL || strcmp(k->min_hard, want[i].min_hard) != 0))
			fail_msg("%s: min is not the hard limit %s", k->name, want[i].min_hard);
		if (k->max_hard == NULL || strcmp(k->max_hard, want[i].max_hard) != 0)
			fail_msg("%s: max is not the hard limit %s", k->name, want[i].max_hard);
	}
	/* No other key claims a hard limit: the list above is the whole story (docs/safety.md). */
	for (int i = 0; i < config_n_keys; i++)
		n_hard += config_keys[i].min_hard != NULL || config_keys[i].max_hard != NULL;
	assert_int_equal(n_hard, (int)(sizeof(want) / sizeof(want[0])));
}

/* --- Defaults ------------------------------------------------------------------ */

/* k's field in base holds k's default. */
static void assert_holds_default(const struct config_key *k, const char *base, const char *where)
{
	const void *field = base + k->offset;
	int value = 0;

	switch (k->type) {
	case CONFIG_REAL:
		if (*(const double *)field != (has_default(k) ? k->def : 0.0))
			fail_msg("%s %s = %g, the table says %g", where, k->name, *(const double *)field, k->def);
		break;
	case CONFIG_INT:
		if (*(const int *)field != (has_default(k) ? (int)k->def : 0))
			fail_msg("%s %s = %d, the table says %g", where, k->name, *(const int *)field, k->def);
		break;
	case CONFIG_BOOL:
		if (*(const bool *)field != (has_default(k) && k->def != 0.0))
			fail_msg("%s %s is wrong", where, k->name);
		break;
	case CONFIG_ENUM:
		assert_true(config_schema_choice(k, k->def_str, &value));
		if (*(const int *)field != value)
			fail_msg("%s %s = %d, the table says %s", where, k->name, *(const int *)field, k->def_str);
		break;
	case CONFIG_GAIN:
		break;
	default:
		if (strcmp(field, has_default(k) ? k->def_str : "") != 0)
			fail_msg("%s %s = \"%s\", the table says \"%s\"", where, k->name, (const char *)field,
				 has_default(k) ? k->def_str : "");
		break;
	}
}

/* Every key of every instance: all the zone and program slots, not only the counted ones. */
static void test_config_defaults_is_the_table(void **state)
{
	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));        /* nothing left over from before */
	config_defaults(&cfg);
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];
		char *base;

		for (int n = 0; (base = config_section_base(&cfg, k->section, n)) != NULL; n++) {
			char where[48];

			snprintf(where, sizeof(where), "[%s] #%d", config_sections[k->section].word, n);
			assert_holds_default(k, base, where);
		}
	}
	/* The instances: one of each section, every slot of zones[] and programs[]. */
	assert_ptr_equal(config_section_base(&cfg, CONFIG_ZONE, MAX_ZONES - 1), &cfg.zones[MAX_ZONES - 1]);
	assert_null(config_section_base(&cfg, CONFIG_ZONE, MAX_ZONES));
	assert_ptr_equal(config_section_base(&cfg, CONFIG_PROGRAM, MAX_PROGRAMS - 1), &cfg.programs[MAX_PROGRAMS - 1]);
	assert_null(config_section_base(&cfg, CONFIG_PROGRAM, MAX_PROGRAMS));
	assert_ptr_equal(config_section_base(&cfg, CONFIG_SAFETY, 0), &cfg);
	assert_null(config_section_base(&cfg, CONFIG_SAFETY, 1));
	/* What no key sets. */
	assert_string_equal(cfg.programs[0].name, "default");
	assert_int_equal(cfg.n_programs, 1);
	assert_int_equal(cfg.n_zones, 0);
	assert_false(cfg.button.present);
	assert_false(cfg.thermistor.has_sh);
	assert_true(cfg.safety.clear_s > 0.0);
}

/* A file for key k of its section, with text after the section header (and what the section needs). */
static void key_file(char *buf, size_t len, const struct config_key *k, const char *line)
{
	switch (k->section) {
	case CONFIG_ZONE:
		snprintf(buf, len, ZONE_A "%s\n", line);
		break;
	case CONFIG_BUTTON:
		snprintf(buf, len, ZONE_A "[button]\n%s%s\n", strcmp(k->name, "line") ? "line = GPIO26\n" : "", line);
		break;
	default:
		snprintf(buf, len, ZONE_A "[%s]\n%s\n", config_sections[k->section].word, line);
		break;
	}
}

/* The default, as it would be written in the file. */
static void default_text(char *buf, size_t len, const struct config_key *k)
{
	if (k->type == CONFIG_BOOL)
		snprintf(buf, len, "%s", k->def != 0.0 ? "yes" : "no");
	else if (is_number(k))
		snprintf(buf, len, "%.17g", k->def);
	else
		snprintf(buf, len, "%s", k->def_str);
}

/* Written out, each default is a value the parser takes and stores as the default. */
static void test_every_default_parses(void **state)
{
	char text[512], line[200], value[128];

	(void)state;
	config_defaults(&ref);
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (!has_default(k))
			continue;
		default_text(value, sizeof(value), k);
		snprintf(line, sizeof(line), "%s = %s", k->name, value);
		key_file(text, sizeof(text), k, line);
		if (config_parse_string(text, "test.conf", &cfg, &err) != 0)
			fail_msg("%s: %s", line, err.msg);
		assert_holds_default(k, config_section_base(&cfg, k->section, 0), "written out, then parsed:");
	}
}

/* A file with no key of a section gets every default of that section's first instance. */
static void test_minimal_file_gets_the_defaults(void **state)
{
	(void)state;
	if (config_parse_string(ZONE_A, "test.conf", &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (has_default(k))
			assert_holds_default(k, config_section_base(&cfg, k->section, 0), "minimal file:");
	}
}

/* --- The example config ---------------------------------------------------------- */

/*
 * The shipped example: it parses, every key set in it is a key of its
 * section, and so is every commented-out "; key = value" line, whose value,
 * the example says, is the default: written in, it parses to the default.
 */
static void test_example_keys(void **state)
{
	char line[512], text[1024], key[64], value[200], kv[300];
	int sec = -1, lineno = 0, n_set = 0, n_commented = 0;
	FILE *f;

	(void)state;
	if (config_load(EXAMPLE, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	f = fopen(EXAMPLE, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *s = line;
		const struct config_key *k;
		bool commented = false;
		char word[32];
		size_t n;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(s, "[%31[a-z]", word) == 1) {
			sec = config_schema_section(word);
			if (sec < 0)
				fail_msg("%s:%d: section [%s] is not in the schema", EXAMPLE, lineno, word);
			continue;
		}
		if (*s == ';' || *s == '#') {
			commented = true;
			s++;
			while (*s == ' ')
				s++;
		}
		/* "key = value", the value up to a " ;" comment. */
		if (sscanf(s, "%63[a-z0-9_] = %199[^\n]", key, value) != 2)
			continue;
		if (strstr(value, " ;") != NULL)
			*strstr(value, " ;") = '\0';
		n = strlen(value);
		while (n > 0 && value[n - 1] == ' ')
			value[--n] = '\0';
		if (sec < 0)
			fail_msg("%s:%d: %s before any section", EXAMPLE, lineno, key);
		k = config_schema_find((enum config_section)sec, key);
		if (k == NULL)
			fail_msg("%s:%d: %s is not a key of [%s]", EXAMPLE, lineno, key, config_sections[sec].word);
		if (!commented) {
			n_set++;
			continue;
		}
		n_commented++;
		if (!has_default(k))
			continue;       /* a placeholder (pad_sensor2 = DEVICE/CHANNEL), or one of three (sh_a) */
		snprintf(kv, sizeof(kv), "%s = %s", key, value);
		key_file(text, sizeof(text), k, kv);
		if (config_parse_string(text, "test.conf", &cfg, &err) != 0)
			fail_msg("%s:%d: %s: %s", EXAMPLE, lineno, kv, err.msg);
		snprintf(kv, sizeof(kv), "%s:%d: shown as the default, but", EXAMPLE, lineno);
		assert_holds_default(k, config_section_base(&cfg, k->section, 0), kv);
	}
	fclose(f);
	/* A reader that found nothing would pass on nothing. */
	assert_true(n_set >= 30);
	assert_true(n_commented >= 30);
}

/*
 * [simulate]'s defaults are the reference plant's numbers (sim_plant.h):
 * the core cannot include the simulator, so the two are held equal here.
 */
static void test_simulate_defaults_are_the_reference_plant(void **state)
{
	static const struct {
		const char *key;
		double value;
	} want[] = {
		{ "ambient_c", SIM_AIR_C },
		{ "core_c", SIM_BODY_C },
		{ "perfusion_w_per_k", SIM_PAD_BODY_W_PER_K },
		{ "supply_v", SIM_SUPPLY_V },
		{ "fan_w_per_k", SIM_SINK_FAN_W_PER_K },
		{ "pad_offset_c", 0.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct config_key *k = config_schema_find(CONFIG_SIMULATE, want[i].key);

		assert_non_null(k);
		if (k->def != want[i].value)
			fail_msg("[simulate] %s defaults to %g, the reference plant has %g", k->name, k->def,
				 want[i].value);
		if (!(k->min <= want[i].value && want[i].value <= k->max))
			fail_msg("[simulate] %s: the reference plant's %g is outside its range", k->name, want[i].value);
	}
	/* The fitted thermistor defaults to [thermistor]'s: no default of its own. */
	assert_true(config_schema_find(CONFIG_SIMULATE, "thermistor_beta")->flags & CONFIG_NO_DEFAULT);
	assert_true(config_schema_find(CONFIG_SIMULATE, "thermistor_r25_ohm")->flags & CONFIG_NO_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_well_formed),
		cmocka_unit_test(test_no_two_keys_share_a_name_in_a_section),
		cmocka_unit_test(test_every_default_lies_in_its_range),
		cmocka_unit_test(test_gain_shorthands),
		cmocka_unit_test(test_every_hard_bound_is_its_limits_h_value),
		cmocka_unit_test(test_safety_keys_are_hard_bounded),
		cmocka_unit_test(test_simulate_defaults_are_the_reference_plant),
		cmocka_unit_test(test_config_defaults_is_the_table),
		cmocka_unit_test(test_every_default_parses),
		cmocka_unit_test(test_minimal_file_gets_the_defaults),
		cmocka_unit_test(test_example_keys),
	};

	return cmocka_run_group_tests_name("config schema", tests, NULL, NULL);
}
