/* SPDX-License-Identifier: MIT */
/*
 * The config parser accepts exactly the configs the safety claim covers
 * (docs/safety.md, "The envelope, and the claim"): every config it
 * accepts passes safety_params_check(), and every one the check refuses
 * is refused with FILE:LINE naming the key and why.
 *
 *  - Each refusal, with its exact FILE:LINE message: a key written beyond
 *    the limit in force, and a key left at a default that the written
 *    sensor_lag_s or control_hz made too wide.
 *  - The walk: control_hz, sensor_lag_s and pwm_period_s at the ends of
 *    their schema ranges (and points between), max_pad_c and min_pad_c
 *    across their whole ranges (in hundredths within 1 C of the limit in
 *    force), overrun_s as loose as its row allows: the parser and the check
 *    agree on every one.
 *  - Every number of [daemon] and [safety] at each end of its range: what
 *    the parser accepts, the check passes.
 *
 * The ranges come from the schema table (config_schema_find), never a copy.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/config.h"
#include "core/config_schema.h"
#include "core/safety.h"
#include "daemon/config_parse.h"

/* Lines 1..5: one complete zone. */
#define ZONE_A \
	"[zone a]\n" \
	"heat = GPIO17\n" \
	"cool = GPIO27\n" \
	"pad_sensor = ads1015/voltage0\n" \
	"heatsink_sensor = ads1015/voltage1\n"

static struct config cfg;       /* static: a struct config is large */
static struct config_error err;

static int parse(const char *text)
{
	memset(&err, 0, sizeof(err));
	return config_parse_string(text, "test.conf", &cfg, &err);
}

static const struct config_key *row(enum config_section s, const char *key)
{
	const struct config_key *k = config_schema_find(s, key);

	if (k == NULL)
		fail_msg("no key %s in the schema", key);
	return k;
}

/* --- Each refusal, with its FILE:LINE --------------------------------------- */

struct refusal {
	const char *name;
	const char *text;
	const char *expect;     /* the whole message */
};

static const struct refusal refusals[] = {
	{ "max_pad_c a hundredth past the limit in force (10 Hz, sensor_lag_s 2)",
	  ZONE_A "[safety]\nmax_pad_c = 42.05\n",
	  "test.conf:7: max_pad_c = 42.05 is above 42.04 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 0.5 C for what a stuck-on Peltier adds before it is caught "
	  "(0.35 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	{ "max_pad_c at the hard limit",
	  ZONE_A "[safety]\nsensor_lag_s = 3\nmax_pad_c = 43\n",
	  "test.conf:8: max_pad_c = 43 is above 42.04 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 0.5 C for what a stuck-on Peltier adds before it is caught "
	  "(0.35 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	{ "min_pad_c a hundredth past the limit in force",
	  ZONE_A "[safety]\nmin_pad_c = 10.67\n",
	  "test.conf:7: min_pad_c = 10.67 is below 10.68 C, the least this config keeps the pad above 10 C with: "
	  "0.5 C for the sensor's error and 0.2 C for what a stuck-on Peltier takes before it is caught "
	  "(0.35 s at 0.5 C/s; sensor_lag_s and control_hz set it)" },
	/* Issue 9's first counterexample: max_pad_c = 43, warm_c = 41, sensor_lag_s = 0. */
	{ "issue 9: max_pad_c 43, warm_c 41, sensor_lag_s 0",
	  ZONE_A "[safety]\nmax_pad_c = 43\nsensor_lag_s = 0\n[program]\nwarm_c = 41\n",
	  "test.conf:7: max_pad_c = 43 is above 39.44 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 3.1 C for what a stuck-on Peltier adds before it is caught "
	  "(2.35 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	/* ... and its second: max_pad_c = 43 at 1 Hz. */
	{ "issue 9: max_pad_c 43 at 1 Hz",
	  ZONE_A "[daemon]\ncontrol_hz = 1\n[safety]\noverrun_s = 2\nmax_pad_c = 43\n[program]\nwarm_c = 41\n",
	  "test.conf:10: max_pad_c = 43 is above 40.29 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 2.2 C for what a stuck-on Peltier adds before it is caught "
	  "(1.70 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	{ "sensor_lag_s 0 leaves the default max_pad_c too wide: named at sensor_lag_s",
	  ZONE_A "[safety]\nsensor_lag_s = 0\n",
	  "test.conf:7: max_pad_c = 42 is above 39.44 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 3.1 C for what a stuck-on Peltier adds before it is caught "
	  "(2.35 s at 1.3 C/s; sensor_lag_s and control_hz set it); max_pad_c is not set and its default is "
	  "too wide here: set it in [safety]" },
	{ "control_hz 5 leaves the default max_pad_c too wide: named at control_hz",
	  ZONE_A "[daemon]\ncontrol_hz = 5\n",
	  "test.conf:7: max_pad_c = 42 is above 41.85 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 0.6 C for what a stuck-on Peltier adds before it is caught "
	  "(0.50 s at 1.3 C/s; sensor_lag_s and control_hz set it); max_pad_c is not set and its default is "
	  "too wide here: set it in [safety]" },
	{ "the default min_pad_c too wide at 1 Hz without lag: named at sensor_lag_s",
	  ZONE_A "[daemon]\ncontrol_hz = 1\n[safety]\noverrun_s = 2\nsensor_lag_s = 0\nmax_pad_c = 37.69\n"
	  "[program]\nwarm_c = 35\n",
	  "test.conf:10: min_pad_c = 12 is below 12.35 C, the least this config keeps the pad above 10 C with: "
	  "0.5 C for the sensor's error and 1.9 C for what a stuck-on Peltier takes before it is caught "
	  "(3.70 s at 0.5 C/s; sensor_lag_s and control_hz set it); min_pad_c is not set and its default is "
	  "too wide here: set it in [safety]" },
	{ "written after what makes it too wide: its own line",
	  ZONE_A "[daemon]\ncontrol_hz = 2\n[safety]\nmax_pad_c = 41.5\n",
	  "test.conf:9: max_pad_c = 41.5 is above 41.26 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 1.2 C for what a stuck-on Peltier adds before it is caught "
	  "(0.95 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	{ "written before what makes it too wide: its own line",
	  ZONE_A "[safety]\nmax_pad_c = 41.5\n[daemon]\ncontrol_hz = 2\n",
	  "test.conf:7: max_pad_c = 41.5 is above 41.26 C, the most this config keeps the pad under 43 C with: "
	  "0.5 C for the sensor's error and 1.2 C for what a stuck-on Peltier adds before it is caught "
	  "(0.95 s at 1.3 C/s; sensor_lag_s and control_hz set it)" },
	{ "a lower line's error comes first",
	  ZONE_A "[program]\nwarm_c = 20\ncool_c = 25\n[safety]\nsensor_lag_s = 0\n",
	  "test.conf:7: warm_c = 20 must be above cool_c (25) in [program]" },
};

static void test_refusal(void **state)
{
	const struct refusal *c = *state;

	if (parse(c->text) == 0)
		fail_msg("[%s] parsed, expected: %s", c->name, c->expect);
	if (strcmp(err.msg, c->expect) != 0)
		fail_msg("[%s]\n  expected: %s\n  got:      %s", c->name, c->expect, err.msg);
}

/* The bounds themselves, and the shipped example, parse. */
static void test_edges_that_pass(void **state)
{
	static const char *const texts[] = {
		ZONE_A "[safety]\nmax_pad_c = 42.04\nmin_pad_c = 10.68\n",
		ZONE_A "[safety]\nsensor_lag_s = 3\nmax_pad_c = 42.04\nmin_pad_c = 10.68\n",
		ZONE_A "[safety]\nsensor_lag_s = 0\nmax_pad_c = 39.44\nmin_pad_c = 11.68\n[program]\nwarm_c = 37\n",
		ZONE_A "[daemon]\ncontrol_hz = 1\n[safety]\noverrun_s = 2\nmax_pad_c = 40.29\nmin_pad_c = 11.35\n",
		ZONE_A "[daemon]\ncontrol_hz = 1\npwm_period_s = 2\n[safety]\noverrun_s = 2\nsensor_lag_s = 0\n"
		"max_pad_c = 37.69\nmin_pad_c = 12.35\n[program]\nwarm_c = 35.69\ncool_c = 14.35\n",
		ZONE_A "[daemon]\ncontrol_hz = 100\npwm_period_s = 0.1\n[safety]\nmax_pad_c = 42.22\nmin_pad_c = 10.61\n",
	};
	struct config_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (parse(texts[i]) != 0)
			fail_msg("expected to parse:\n%s\ngot: %s", texts[i], err.msg);
	if (config_load("config/contrastd.conf", &cfg, &e) != 0)
		fail_msg("the shipped example: %s", e.msg);
}

/* --- The walk: the parser and the check agree ---------------------------------- */

/* The line of "key = " in text (1-based), 0 when absent. */
static int line_in(const char *text, const char *key)
{
	char want[64];
	int line = 1;

	snprintf(want, sizeof(want), "%s = ", key);
	for (const char *s = text; *s; line++) {
		if (strncmp(s, want, strlen(want)) == 0)
			return line;
		s = strchr(s, '\n');
		if (!s)
			break;
		s++;
	}
	return 0;
}

struct walk_counts {
	long configs, accepted, refused;
};

/*
 * One config: these rates, max_pad_c and min_pad_c as written (two
 * decimals), a program 2 C inside them, every other limit its row's
 * loosest. Parsed, and checked with the values read back from the text:
 * accepted exactly when the check passes; refused with the check's key at
 * its line and the check's reason. Returns the parser's result.
 */
static int one(double hz, double lag_s, double pwm_s, double max_c, double min_c, struct walk_counts *n)
{
	static char text[2048];
	char smax[32], smin[32], swarm[32], scool[32];
	struct safety_params sp;
	const char *key = NULL;
	char why[400], want[512];

	snprintf(smax, sizeof(smax), "%.2f", max_c);
	snprintf(smin, sizeof(smin), "%.2f", min_c);
	snprintf(swarm, sizeof(swarm), "%.2f", strtod(smax, NULL) - SETPOINT_MARGIN_C);
	snprintf(scool, sizeof(scool), "%.2f", strtod(smin, NULL) + SETPOINT_MARGIN_C);
	snprintf(text, sizeof(text),
		 ZONE_A "[daemon]\ncontrol_hz = %.17g\npwm_period_s = %.17g\n"
		 "[safety]\nsensor_lag_s = %.17g\noverrun_s = %.17g\nmax_pad_c = %s\nmin_pad_c = %s\n"
		 "[program]\nwarm_c = %s\ncool_c = %s\n",
		 hz, pwm_s, lag_s, row(CONFIG_SAFETY, "overrun_s")->max, smax, smin, swarm, scool);

	/* The check, on the numbers as the text says them. */
	config_defaults(&cfg);
	sp = cfg.safety;
	sp.sensor_lag_s = lag_s;
	sp.max_pad_c = strtod(smax, NULL);
	sp.min_pad_c = strtod(smin, NULL);
	int check = safety_params_check(&sp, 1.0 / hz, pwm_s, &key, why, sizeof(why));
	int rc = parse(text);

	n->configs++;
	if (check == 0) {
		if (rc != 0)
			fail_msg("the check passes but the parser refuses:\n%s\n%s", text, err.msg);
		n->accepted++;
		return 0;
	}
	if (rc == 0)
		fail_msg("the parser accepts a config the check refuses (%s):\n%s", why, text);
	snprintf(want, sizeof(want), "test.conf:%d: %s", line_in(text, key), why);
	if (strcmp(err.msg, want) != 0)
		fail_msg("refused, but not as the check says:\n%s\n  expected: %s\n  got:      %s", text, want, err.msg);
	n->refused++;
	return -1;
}

static void test_walk_parser_and_check_agree(void **state)
{
	const struct config_key *hz_row = row(CONFIG_DAEMON, "control_hz");
	const struct config_key *lag_row = row(CONFIG_SAFETY, "sensor_lag_s");
	const struct config_key *pwm_row = row(CONFIG_DAEMON, "pwm_period_s");
	const struct config_key *max_row = row(CONFIG_SAFETY, "max_pad_c");
	const struct config_key *min_row = row(CONFIG_SAFETY, "min_pad_c");
	/* The range ends, the defaults, and points between where the limits in force move. */
	const double hzs[] = { hz_row->min, 2.0, 5.0, hz_row->def, hz_row->max };
	const double lags[] = { lag_row->min, 1.0, lag_row->def, lag_row->max };
	const double pwms[] = { pwm_row->min, pwm_row->def, pwm_row->max };
	struct walk_counts n = { 0, 0, 0 };
	int combo = 0;

	(void)state;
	for (size_t h = 0; h < sizeof(hzs) / sizeof(hzs[0]); h++) {
		for (size_t l = 0; l < sizeof(lags) / sizeof(lags[0]); l++) {
			/* The PWM period moves no limit: each end in turn is enough. */
			double pwm_s = pwms[combo++ % (int)(sizeof(pwms) / sizeof(pwms[0]))];
			struct safety_params sp;
			struct safety_limits lim;

			config_defaults(&cfg);
			sp = cfg.safety;
			sp.sensor_lag_s = lags[l];
			safety_limits_for(&sp, 1.0 / hzs[h], &lim);
			/* The partner limit at its loosest accepted hundredth. */
			double loosest_max = floor(lim.max_pad_c * 100.0 + 1e-7) / 100.0;
			double loosest_min = ceil(lim.min_pad_c * 100.0 - 1e-7) / 100.0;

			/*
			 * max_pad_c across its whole range (above min_pad_c's program
			 * room): every hundredth within 1 C of the limit in force, every
			 * tenth elsewhere.
			 */
			for (long i = lround(max_row->min * 100); i <= lround(max_row->max * 100); i++)
				if (i / 100.0 - SETPOINT_MARGIN_C > loosest_min + SETPOINT_MARGIN_C + 0.005 &&
				    (i % 10 == 0 || fabs(i / 100.0 - lim.max_pad_c) <= 1.0))
					one(hzs[h], lags[l], pwm_s, i / 100.0, loosest_min, &n);
			/* min_pad_c the same way. */
			for (long i = lround(min_row->min * 100); i <= lround(min_row->max * 100); i++)
				if (i / 100.0 + SETPOINT_MARGIN_C < loosest_max - SETPOINT_MARGIN_C - 0.005 &&
				    (i % 10 == 0 || fabs(i / 100.0 - lim.min_pad_c) <= 1.0))
					one(hzs[h], lags[l], pwm_s, loosest_max, i / 100.0, &n);
			/* Both at their loosest: accepted (the parser is no stricter than the claim needs). */
			if (one(hzs[h], lags[l], pwm_s, loosest_max, loosest_min, &n) != 0)
				fail_msg("the loosest limits in force are refused: %s", err.msg);
		}
	}
	print_message("%ld configs: %ld accepted, %ld refused, parser and check agreeing on every one\n",
		      n.configs, n.accepted, n.refused);
	assert_true(n.accepted > 1000 && n.refused > 1000);
}

/* --- Every number of [daemon] and [safety] at each end of its range ---------- */

/*
 * Each alone at its min and at its max, the rest at their defaults (a
 * program and an overrun_s that fit every rate): whatever the parser
 * accepts, the check passes; whatever the check refuses, the parser
 * refuses naming the check's key.
 */
static void test_range_ends(void **state)
{
	static char text[1024];
	int n_accepted = 0, n_refused = 0;

	(void)state;
	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if ((k->section != CONFIG_DAEMON && k->section != CONFIG_SAFETY) ||
		    (k->type != CONFIG_REAL && k->type != CONFIG_INT) || (k->flags & CONFIG_UNBOUNDED))
			continue;
		for (int end = 0; end < 2; end++) {
			double v = end ? k->max : k->min;
			const char *sec = k->section == CONFIG_DAEMON ? "daemon" : "safety";
			/* overrun_s: 2 periods at the slowest rate, unless it is the key itself. */
			const char *overrun = strcmp(k->name, "overrun_s") == 0 ? "" : "[safety]\noverrun_s = 2\n";
			const char *key = NULL;
			char why[400];

			snprintf(text, sizeof(text), ZONE_A "%s[%s]\n%s = %.17g\n", overrun, sec, k->name, v);
			int rc = parse(text);

			if (rc != 0 && strstr(err.msg, "appears twice") != NULL) {
				/* The key is in [safety] too: one section. */
				snprintf(text, sizeof(text), ZONE_A "[safety]\noverrun_s = 2\n%s = %.17g\n", k->name, v);
				rc = parse(text);
			}
			if (rc != 0) {
				/* Refused for the check's reason, or for one of the parser's own cross checks. */
				n_refused++;
				continue;
			}
			n_accepted++;
			if (safety_params_check(&cfg.safety, 1.0 / cfg.daemon.control_hz, cfg.daemon.pwm_period_s, &key,
						why, sizeof(why)) != 0)
				fail_msg("%s = %g is accepted by the parser, but: %s", k->name, v, why);
		}
	}
	print_message("%d range ends accepted (each passes the check), %d refused\n", n_accepted, n_refused);
	assert_true(n_accepted >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges_that_pass),
		cmocka_unit_test(test_walk_parser_and_check_agree),
		cmocka_unit_test(test_range_ends),
	};
	struct CMUnitTest each[sizeof(refusals) / sizeof(refusals[0])];
	int failed;

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		each[i] = (struct CMUnitTest){
			.name = refusals[i].name,
			.test_func = test_refusal,
			.initial_state = (void *)&refusals[i],
		};
	failed = cmocka_run_group_tests_name("refusals", each, NULL, NULL);
	return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
