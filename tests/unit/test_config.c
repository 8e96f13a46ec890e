/* SPDX-License-Identifier: MIT */
/*
 * The configuration file: the shipped example parses, a minimal file gets
 * every default, and a table of bad files each fails with the exact
 * "test.conf:LINE: ..." message. Run from the repository root.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/config.h"
#include "core/config_schema.h"
#include "daemon/config_parse.h"

#define SHIPPED "config/contrastd.conf"

/* Lines 1..5 of most cases: one complete zone. */
#define ZONE_A \
	"[zone a]\n" \
	"heat = GPIO17\n" \
	"cool = GPIO27\n" \
	"pad_sensor = ads1015/voltage0\n" \
	"heatsink_sensor = ads1015/voltage1\n"

/* A complete zone of 5 lines with its own lines and sensors. */
#define ZN(n) \
	"[zone z" #n "]\n" \
	"heat = h" #n "\n" \
	"cool = c" #n "\n" \
	"pad_sensor = adc/voltage" #n "\n" \
	"heatsink_sensor = adc/temp" #n "\n"

#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10

static struct config cfg, ref;  /* static: a struct config is large */
static struct config_error err;

static int parse(const char *text)
{
	memset(&err, 0, sizeof(err));
	return config_parse_string(text, "test.conf", &cfg, &err);
}

static void assert_parses(const char *text)
{
	int rc = parse(text);

	if (rc != 0)
		fail_msg("expected to parse, got: %s", err.msg);
}

/* The default of a number or boolean key, from the schema: never a copy of it here. */
static double default_of(enum config_section s, const char *key)
{
	const struct config_key *k = config_schema_find(s, key);

	if (k == NULL)
		fail_msg("no key %s in the schema", key);
	return k->def;
}

/* The stored value of an enum key's default. */
static int default_choice(enum config_section s, const char *key)
{
	const struct config_key *k = config_schema_find(s, key);
	int value = -1;

	assert_non_null(k);
	assert_true(config_schema_choice(k, k->def_str, &value));
	return value;
}

/* The default of a string key. */
static const char *default_str(enum config_section s, const char *key)
{
	const struct config_key *k = config_schema_find(s, key);

	assert_non_null(k);
	return k->def_str;
}

/* The PID parameters are those config_defaults gives every zone. */
static void assert_pid_defaults(const struct pid_params *pid)
{
	config_defaults(&ref);
	assert_memory_equal(pid, &ref.zones[0].pid, sizeof(*pid));
}

/* --- Good configs --------------------------------------------------------- */

static void test_shipped_config_parses(void **state)
{
	(void)state;
	memset(&err, 0, sizeof(err));
	if (config_load(SHIPPED, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.path, SHIPPED);

	assert_int_equal(cfg.n_zones, 2);
	assert_string_equal(cfg.zones[0].name, "left");
	assert_string_equal(cfg.zones[0].heat, "GPIO17");
	assert_string_equal(cfg.zones[0].cool, "GPIO27");
	assert_string_equal(cfg.zones[0].enable, "GPIO22");
	assert_string_equal(cfg.zones[0].fan, "GPIO5");
	assert_string_equal(cfg.zones[0].pad_sensor, "ads1015/voltage0");
	assert_string_equal(cfg.zones[0].heatsink_sensor, "ads1015/voltage1");
	assert_string_equal(cfg.zones[0].pad_sensor2, "");
	assert_string_equal(cfg.zones[1].name, "right");
	assert_string_equal(cfg.zones[1].heat, "GPIO23");
	assert_string_equal(cfg.zones[1].cool, "GPIO24");
	assert_string_equal(cfg.zones[1].enable, "GPIO25");
	assert_string_equal(cfg.zones[1].fan, "GPIO6");
	assert_string_equal(cfg.zones[1].pad_sensor, "ads1015/voltage2");
	assert_string_equal(cfg.zones[1].heatsink_sensor, "ads1015/voltage3");
	assert_false(cfg.zones[1].active_low);

	assert_string_equal(cfg.power_line, "GPIO16");
	assert_false(cfg.power_active_low);
	assert_true(cfg.button.present);
	assert_string_equal(cfg.button.line, "GPIO26");
	assert_true(cfg.button.active_low);

	assert_true(cfg.thermistor.beta == 3950.0);
	assert_true(cfg.thermistor.r25_ohm == 10000.0);
	assert_true(cfg.thermistor.series_ohm == 10000.0);
	assert_true(cfg.thermistor.supply_mv == 3300.0);
	assert_int_equal(cfg.thermistor.ntc_to, NTC_TO_GROUND);
	assert_false(cfg.thermistor.has_sh);

	assert_int_equal(cfg.n_programs, 2);
	const struct program *d = &cfg.programs[0];
	assert_string_equal(d->name, "default");
	assert_true(d->warm_c == 39.0 && d->cool_c == 20.0);
	assert_true(d->warm_s == 240.0 && d->cool_s == 120.0);
	assert_int_equal(d->cycles, 5);
	assert_int_equal(d->first, PHASE_WARM);
	assert_int_equal(d->last, PHASE_COOL);
	assert_int_equal(d->clock, PHASE_CLOCK_SETTLED);

	int s = config_find_program(&cfg, "short");
	assert_int_equal(s, 1);
	const struct program *sh = &cfg.programs[s];
	assert_true(sh->warm_c == 38.0 && sh->cool_c == 22.0);
	assert_true(sh->warm_s == 60.0 && sh->cool_s == 30.0);
	assert_int_equal(sh->cycles, 2);
	assert_int_equal(sh->clock, PHASE_CLOCK_SETTLED);

	/* Commented out in the file: the defaults. */
	config_defaults(&ref);
	assert_true(sh->band_c == default_of(CONFIG_PROGRAM, "band_c"));
	assert_true(cfg.safety.max_pad_c == default_of(CONFIG_SAFETY, "max_pad_c"));
	assert_true(cfg.safety.clear_s == ref.safety.clear_s);
}

/*
 * A file with one zone and nothing else: every key takes the schema's
 * default (each key, each type: test_config_schema.c checks the whole
 * table the same way), and what no key sets is as config_defaults() leaves it.
 */
static void test_minimal_config_gets_defaults(void **state)
{
	(void)state;
	config_defaults(&ref);
	assert_parses(ZONE_A);
	assert_string_equal(cfg.path, "test.conf");

	assert_true(cfg.daemon.control_hz == default_of(CONFIG_DAEMON, "control_hz"));
	assert_true(cfg.daemon.pwm_period_s == default_of(CONFIG_DAEMON, "pwm_period_s"));
	assert_true(cfg.daemon.dead_time_ms == default_of(CONFIG_DAEMON, "dead_time_ms"));
	assert_string_equal(cfg.daemon.iio_context, default_str(CONFIG_DAEMON, "iio_context"));
	assert_string_equal(cfg.daemon.state_dir, default_str(CONFIG_DAEMON, "state_dir"));
	assert_string_equal(cfg.daemon.socket, default_str(CONFIG_DAEMON, "socket"));
	assert_int_equal(cfg.daemon.keep_sessions, default_of(CONFIG_DAEMON, "keep_sessions"));

	assert_false(cfg.button.present);
	assert_int_equal(cfg.button.active_low, default_of(CONFIG_BUTTON, "active_low"));
	assert_int_equal(cfg.button.debounce_ms, default_of(CONFIG_BUTTON, "debounce_ms"));
	assert_true(cfg.button.long_press_s == default_of(CONFIG_BUTTON, "long_press_s"));

	assert_int_equal(cfg.n_programs, 1);
	const struct program *p = &cfg.programs[0];
	assert_string_equal(p->name, "default");
	assert_true(p->warm_c == default_of(CONFIG_PROGRAM, "warm_c"));
	assert_true(p->cool_c == default_of(CONFIG_PROGRAM, "cool_c"));
	assert_true(p->warm_s == default_of(CONFIG_PROGRAM, "warm_s"));
	assert_true(p->cool_s == default_of(CONFIG_PROGRAM, "cool_s"));
	assert_int_equal(p->cycles, default_of(CONFIG_PROGRAM, "cycles"));
	assert_int_equal(p->first, default_choice(CONFIG_PROGRAM, "first"));
	assert_int_equal(p->last, default_choice(CONFIG_PROGRAM, "last"));
	assert_int_equal(p->clock, default_choice(CONFIG_PROGRAM, "phase_clock"));
	assert_true(p->band_c == default_of(CONFIG_PROGRAM, "band_c"));
	assert_true(p->settle_max_s == default_of(CONFIG_PROGRAM, "settle_max_s"));

	assert_true(cfg.thermistor.beta == default_of(CONFIG_THERMISTOR, "beta"));
	assert_int_equal(cfg.thermistor.ntc_to, default_choice(CONFIG_THERMISTOR, "ntc_to"));
	assert_false(cfg.thermistor.has_sh);

	assert_int_equal(cfg.n_zones, 1);
	const struct config_zone *z = &cfg.zones[0];
	assert_string_equal(z->name, "a");
	assert_string_equal(z->enable, "");
	assert_string_equal(z->fan, "");
	assert_int_equal(z->active_low, default_of(CONFIG_ZONE, "active_low"));
	/* The gains are tuned in the schema; here only: a zone without gains gets them. */
	assert_pid_defaults(&z->pid);
	assert_true(z->pid.heat.kp > 0 && z->pid.cool.kp > 0);
	assert_true(z->pid.max_duty == default_of(CONFIG_ZONE, "max_duty"));
	assert_true(z->pid.deadband == default_of(CONFIG_ZONE, "deadband"));
	assert_true(z->pid.d_filter_s == default_of(CONFIG_ZONE, "d_filter_s"));
	assert_true(z->pid.integral_band_c == default_of(CONFIG_ZONE, "integral_band_c"));
	assert_true(z->fan_runon_s == default_of(CONFIG_ZONE, "fan_runon_s"));

	/* [safety]: the thresholds are config_defaults()'s, field for field. */
	assert_memory_equal(&cfg.safety, &ref.safety, sizeof(cfg.safety));
	assert_true(cfg.safety.max_pad_c == default_of(CONFIG_SAFETY, "max_pad_c"));
	assert_int_equal(cfg.safety.read_fail_count, default_of(CONFIG_SAFETY, "read_fail_count"));
	assert_string_equal(cfg.power_line, "");
	assert_int_equal(cfg.power_active_low, default_of(CONFIG_SAFETY, "power_active_low"));
}

static void test_every_key_is_read(void **state)
{
	(void)state;
	assert_parses(
		"[safety]\n"
		"max_pad_c = 41\nmin_pad_c = 13\nmax_heatsink_c = 55\nstart_max_heatsink_c = 35\n"
		"sensor_lag_s = 3\nread_fail_count = 4\nstale_s = 30\nstale_min_duty = 0.1\n"
		"disagree_c = 2.5\ndisagree_s = 4\nmax_rate_c_per_s = 3\nheat_gain_c = 1.5\n"
		"heat_gain_time_s = 9\ncool_gain_c = 0.5\ncool_gain_time_s = 90\nhysteresis_c = 0.8\n"
		"max_error_c_s = 200\naway_c = 2\noverrun_s = 0.5\nsession_margin_s = 120\n"
		"power = gpiochip0:16\npower_active_low = yes\n"
		"[daemon]\n"
		"control_hz = 20\npwm_period_s = 2\ndead_time_ms = 100\niio_context = ip:192.168.1.7\n"
		"state_dir = /tmp/c\nsocket = /tmp/c/s.sock\nkeep_sessions = 7\n"
		"[button]\nline = GPIO26\nactive_low = off\ndebounce_ms = 50\nlong_press_s = 3\n"
		"[thermistor]\nbeta = 3435\nr25_ohm = 1e4\nseries_ohm = 4700\nsupply_mv = 5000\n"
		"ntc_to = supply\nsh_a = 1.0e-3\nsh_b = 2.4e-4\nsh_c = 2.0e-7\n"
		"[zone left]\nheat = GPIO17\ncool = GPIO27\nenable = GPIO22\nfan = GPIO5\n"
		"active_low = true\npad_sensor = ads1015/voltage0\npad_sensor2 = hwmon0/temp1\n"
		"heatsink_sensor = ads1015/voltage1\nkp = 0.3\nki = 0.03\nkd = 0.7\n"
		"cool_kp = 0.9\nmax_duty = 0.8\ndeadband = 0.05\nd_filter_s = 2\nfan_runon_s = 30\n"
		"[program]\nwarm_c = 38.5\ncool_c = 16\nwarm_s = 200\ncool_s = 70\ncycles = 3\n"
		"first = cool\nlast = cool\nphase_clock = wall\nband_c = 1\nsettle_max_s = 100\n");

	const struct safety_params *s = &cfg.safety;
	assert_true(s->max_pad_c == 41 && s->min_pad_c == 13);
	assert_true(s->max_heatsink_c == 55 && s->start_max_heatsink_c == 35);
	assert_true(s->sensor_lag_s == 3);
	assert_int_equal(s->read_fail_count, 4);
	assert_true(s->stale_s == 30 && s->stale_min_duty == 0.1);
	assert_true(s->disagree_c == 2.5 && s->disagree_s == 4);
	assert_true(s->max_rate_c_per_s == 3);
	assert_true(s->heat_gain_c == 1.5 && s->heat_gain_time_s == 9);
	assert_true(s->cool_gain_c == 0.5 && s->cool_gain_time_s == 90);
	assert_true(s->hysteresis_c == 0.8 && s->max_error_c_s == 200);
	assert_true(s->away_c == 2 && s->overrun_s == 0.5 && s->session_margin_s == 120);
	config_defaults(&ref);
	assert_true(s->clear_s == ref.safety.clear_s);         /* not a key */
	assert_string_equal(cfg.power_line, "gpiochip0:16");
	assert_true(cfg.power_active_low);

	assert_true(cfg.daemon.control_hz == 20 && cfg.daemon.pwm_period_s == 2);
	assert_true(cfg.daemon.dead_time_ms == 100);
	assert_string_equal(cfg.daemon.iio_context, "ip:192.168.1.7");
	assert_string_equal(cfg.daemon.state_dir, "/tmp/c");
	assert_string_equal(cfg.daemon.socket, "/tmp/c/s.sock");
	assert_int_equal(cfg.daemon.keep_sessions, 7);

	assert_true(cfg.button.present);
	assert_false(cfg.button.active_low);
	assert_int_equal(cfg.button.debounce_ms, 50);
	assert_true(cfg.button.long_press_s == 3);

	assert_true(cfg.thermistor.beta == 3435 && cfg.thermistor.r25_ohm == 10000);
	assert_true(cfg.thermistor.series_ohm == 4700 && cfg.thermistor.supply_mv == 5000);
	assert_int_equal(cfg.thermistor.ntc_to, NTC_TO_SUPPLY);
	assert_true(cfg.thermistor.has_sh);
	assert_true(cfg.thermistor.sh_a == 1.0e-3 && cfg.thermistor.sh_b == 2.4e-4 &&
		    cfg.thermistor.sh_c == 2.0e-7);

	const struct config_zone *z = &cfg.zones[0];
	assert_string_equal(z->enable, "GPIO22");
	assert_string_equal(z->fan, "GPIO5");
	assert_true(z->active_low);
	assert_string_equal(z->pad_sensor2, "hwmon0/temp1");
	assert_true(z->pid.heat.kp == 0.3 && z->pid.heat.ki == 0.03 && z->pid.heat.kd == 0.7);
	assert_true(z->pid.cool.kp == 0.9 && z->pid.cool.ki == 0.03 && z->pid.cool.kd == 0.7);
	assert_true(z->pid.max_duty == 0.8 && z->pid.deadband == 0.05 && z->pid.d_filter_s == 2);
	assert_true(z->fan_runon_s == 30);

	const struct program *p = &cfg.programs[0];
	assert_true(p->warm_c == 38.5 && p->cool_c == 16 && p->warm_s == 200 && p->cool_s == 70);
	assert_int_equal(p->cycles, 3);
	assert_int_equal(p->first, PHASE_COOL);
	assert_int_equal(p->last, PHASE_COOL);
	assert_int_equal(p->clock, PHASE_CLOCK_WALL);
	assert_true(p->band_c == 1 && p->settle_max_s == 100);
}

static void test_named_program_starts_from_defaults(void **state)
{
	(void)state;
	assert_parses(ZONE_A
		"[program]\nwarm_c = 39\ncool_c = 20\ncycles = 3\nphase_clock = wall\n"
		"[program x]\ncool_c = 21\n");
	assert_int_equal(cfg.n_programs, 2);
	assert_int_equal(config_find_program(&cfg, "x"), 1);
	assert_true(cfg.programs[1].warm_c == default_of(CONFIG_PROGRAM, "warm_c"));
	assert_true(cfg.programs[1].cool_c == 21.0);
	assert_int_equal(cfg.programs[1].cycles, default_of(CONFIG_PROGRAM, "cycles"));
	assert_int_equal(cfg.programs[1].clock, default_choice(CONFIG_PROGRAM, "phase_clock"));
	assert_true(cfg.programs[0].warm_c == 39.0);
	/* [program]'s values above differ from the defaults, or this would prove nothing. */
	assert_true(cfg.programs[0].warm_c != cfg.programs[1].warm_c);
	assert_true(cfg.programs[0].cycles != cfg.programs[1].cycles);
	assert_true(cfg.programs[0].clock != cfg.programs[1].clock);
}

static void test_find_program(void **state)
{
	(void)state;
	assert_parses(ZONE_A "[program b]\n[program c-1]\n");
	assert_int_equal(config_find_program(&cfg, NULL), 0);
	assert_int_equal(config_find_program(&cfg, ""), 0);
	assert_int_equal(config_find_program(&cfg, "default"), 0);
	assert_int_equal(config_find_program(&cfg, "b"), 1);
	assert_int_equal(config_find_program(&cfg, "c-1"), 2);
	assert_int_equal(config_find_program(&cfg, "C-1"), -1);
	assert_int_equal(config_find_program(&cfg, "nope"), -1);

	config_defaults(&cfg);
	assert_int_equal(cfg.n_programs, 1);
	assert_int_equal(cfg.n_zones, 0);
	assert_int_equal(config_find_program(&cfg, NULL), 0);
}

/* heat_kp / cool_kp beat kp whatever the order. */
static void test_gain_precedence(void **state)
{
	(void)state;
	assert_parses(ZONE_A "heat_kp = 1\nkp = 2\nki = 0.5\ncool_ki = 0.25\nkd = 3\n");
	assert_true(cfg.zones[0].pid.heat.kp == 1.0 && cfg.zones[0].pid.cool.kp == 2.0);
	assert_true(cfg.zones[0].pid.heat.ki == 0.5 && cfg.zones[0].pid.cool.ki == 0.25);
	assert_true(cfg.zones[0].pid.heat.kd == 3.0 && cfg.zones[0].pid.cool.kd == 3.0);
	/* Only the zone that set them. */
	assert_parses(ZONE_A "kp = 2\n" ZN(2));
	assert_true(cfg.zones[0].pid.heat.kp == 2.0);
	assert_pid_defaults(&cfg.zones[1].pid);
}

static void test_booleans(void **state)
{
	static const struct {
		const char *text;
		bool value;
	} cases[] = {
		{ "yes", true }, { "no", false }, { "true", true }, { "false", false },
		{ "on", true }, { "off", false }, { "1", true }, { "0", false },
		{ "Yes", true }, { "OFF", false },
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), ZONE_A "active_low = %s\n", cases[i].text);
		assert_parses(text);
		assert_int_equal(cfg.zones[0].active_low, cases[i].value);
	}
}

/* CRLF, a byte order mark, indentation, comments of both kinds, blank lines, "key: value". */
static void test_syntax_variants(void **state)
{
	(void)state;
	assert_parses("\xEF\xBB\xBF; comment\r\n"
		      "# comment\r\n"
		      "\r\n"
		      "  [zone a]   ; trailing comment\r\n"
		      "\theat = GPIO17 ; inline comment\r\n"
		      "    cool=GPIO27\r\n"
		      "pad_sensor: ads1015/voltage0\r\n"
		      "heatsink_sensor = ads1015/voltage1\r\n"
		      "[program   x]\n"
		      "  cycles = 2");
	assert_string_equal(cfg.zones[0].heat, "GPIO17");
	assert_string_equal(cfg.zones[0].cool, "GPIO27");
	assert_string_equal(cfg.zones[0].pad_sensor, "ads1015/voltage0");
	assert_string_equal(cfg.zones[0].heatsink_sensor, "ads1015/voltage1");
	assert_int_equal(config_find_program(&cfg, "x"), 1);
	assert_int_equal(cfg.programs[1].cycles, 2);
}

/* Lines as long as the buffers allow, and limits met exactly. */
static void test_edges_that_pass(void **state)
{
	(void)state;
	/* 63-character line spec, 31-character names. */
	assert_parses("[zone " "a234567890123456789012345678901" "]\n"
		      "heat = " X50 "xxxxxxxxxxxxx\n"
		      "cool = GPIO27\npad_sensor = ads1015/voltage0\nheatsink_sensor = ads1015/voltage1\n"
		      "[program b234567890123456789012345678901]\n");
	assert_int_equal(strlen(cfg.zones[0].heat), 63);
	/* warm_c exactly max_pad_c - 2, cool_c exactly min_pad_c + 2, exactly 7200 s. */
	assert_parses(ZONE_A "[program]\nwarm_c = 40\ncool_c = 14\nwarm_s = 3600\ncool_s = 3600\n"
		      "cycles = 1\nphase_clock = wall\n");
	assert_true(program_planned_s(&cfg.programs[0]) == 7200.0);
	/* overrun_s exactly 2 control periods; a heatsink sensor shared by two zones. */
	assert_parses(ZONE_A "[daemon]\ncontrol_hz = 20\n[safety]\noverrun_s = 0.1\n"
		      "[zone b]\nheat = GPIO5\ncool = GPIO6\npad_sensor = ads1015/voltage2\n"
		      "heatsink_sensor = ads1015/voltage1\n");
	/* Eight zones. */
	assert_parses(ZN(1) ZN(2) ZN(3) ZN(4) ZN(5) ZN(6) ZN(7) ZN(8));
	assert_int_equal(cfg.n_zones, 8);
	/* Sixteen programs, [program] included. */
	assert_parses(ZONE_A "[program p1]\n[program p2]\n[program p3]\n[program p4]\n[program p5]\n"
		      "[program p6]\n[program p7]\n[program p8]\n[program p9]\n[program p10]\n"
		      "[program p11]\n[program p12]\n[program p13]\n[program p14]\n[program p15]\n");
	assert_int_equal(cfg.n_programs, 16);
}

/* --- Bad configs ---------------------------------------------------------- */

struct bad_case {
	const char *name;
	const char *text;
	const char *expect;     /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	/* Structure */
	{ "no zones", "[daemon]\ncontrol_hz = 10\n", "test.conf: no [zone NAME] section" },
	{ "empty file", "", "test.conf: no [zone NAME] section" },
	{ "unknown section", ZONE_A "[foo]\n", "test.conf:6: unknown section [foo]" },
	{ "section with two names", ZONE_A "[zone b c]\n", "test.conf:6: unknown section [zone b c]" },
	{ "unnamed section with a name", ZONE_A "[daemon x]\n",
	  "test.conf:6: unknown section [daemon x]: [daemon] takes no name" },
	{ "zone without a name", ZONE_A "[zone]\n", "test.conf:6: [zone] needs a name: [zone NAME]" },
	{ "header without ]", ZONE_A "[daemon\n", "test.conf:6: a section header needs a closing ]" },
	{ "text after header", ZONE_A "[daemon] x\n",
	  "test.conf:6: unexpected text after the section header: x" },
	{ "key before any section", "control_hz = 10\n" ZONE_A,
	  "test.conf:1: control_hz is outside any section" },
	{ "unknown key", ZONE_A "[daemon]\nfoo = 1\n", "test.conf:7: unknown key foo in [daemon]" },
	{ "unknown key in zone", ZONE_A "pwm = 1\n", "test.conf:6: unknown key pwm in [zone a]" },
	{ "key of another section", ZONE_A "[program]\nmax_pad_c = 40\n",
	  "test.conf:7: unknown key max_pad_c in [program]: max_pad_c is a key of [safety]" },
	{ "keys are case-sensitive", ZONE_A "[program]\nWarm_c = 40\n",
	  "test.conf:7: unknown key Warm_c in [program]: keys are lower case: did you mean warm_c?" },
	{ "duplicate key", ZONE_A "[daemon]\ncontrol_hz = 10\ncontrol_hz = 20\n",
	  "test.conf:8: duplicate key control_hz in [daemon] (first at line 7)" },
	{ "duplicate key in zone", ZONE_A "heat = GPIO5\n",
	  "test.conf:6: duplicate key heat in [zone a] (first at line 2)" },
	{ "not key = value", ZONE_A "[daemon]\njunk\n", "test.conf:7: expected key = value or [section]" },
	{ "no value", ZONE_A "[daemon]\ncontrol_hz =\n", "test.conf:7: control_hz has no value" },
	{ "no key", ZONE_A "[daemon]\n= 10\n", "test.conf:7: a value without a key" },
	{ "hash comment after value", ZONE_A "[daemon]\ncontrol_hz = 10 # fast\n",
	  "test.conf:7: control_hz = 10 # fast: # starts a comment only at the start of a line" },
	{ "line too long", ZONE_A "[daemon]\nstate_dir = /" X50 X50 X50 X50 X50 "\n",
	  "test.conf:7: line too long (more than 197 characters)" },
	{ "duplicate section", ZONE_A "[daemon]\n[safety]\n[daemon]\n",
	  "test.conf:8: [daemon] appears twice (first at line 6)" },
	{ "duplicate [program]", ZONE_A "[program]\n[program]\n",
	  "test.conf:7: [program] appears twice (first at line 6)" },
	{ "duplicate zone", ZONE_A "[zone a]\n", "test.conf:6: [zone a] appears twice (first at line 1)" },
	{ "duplicate program", ZONE_A "[program x]\ncycles = 2\n[program x]\n",
	  "test.conf:8: [program x] appears twice (first at line 6)" },
	{ "program named default", ZONE_A "[program default]\n",
	  "test.conf:6: [program default]: the name default is reserved for [program]" },
	{ "bad zone name", ZONE_A "[zone le.ft]\n",
	  "test.conf:6: zone name le.ft may have only letters, digits, - and _" },
	{ "bad program name", ZONE_A "[program a/b]\n",
	  "test.conf:6: program name a/b may have only letters, digits, - and _" },
	{ "zone name too long", ZONE_A "[zone a2345678901234567890123456789012]\n",
	  "test.conf:6: zone name a2345678901234567890123456789012 is longer than 31 characters" },
	{ "program name too long", ZONE_A "[program a2345678901234567890123456789012]\n",
	  "test.conf:6: program name a2345678901234567890123456789012 is longer than 31 characters" },
	{ "too many zones", ZN(1) ZN(2) ZN(3) ZN(4) ZN(5) ZN(6) ZN(7) ZN(8) ZN(9),
	  "test.conf:41: [zone z9]: too many zones (at most 8)" },
	{ "too many programs",
	  ZONE_A "[program p1]\n[program p2]\n[program p3]\n[program p4]\n[program p5]\n"
	  "[program p6]\n[program p7]\n[program p8]\n[program p9]\n[program p10]\n"
	  "[program p11]\n[program p12]\n[program p13]\n[program p14]\n[program p15]\n[program p16]\n",
	  "test.conf:21: [program p16]: too many programs (at most 16, [program] included)" },

	/* Numbers */
	{ "not a number", ZONE_A "[daemon]\ncontrol_hz = fast\n", "test.conf:7: control_hz = fast is not a number" },
	{ "hex is not a number", ZONE_A "[daemon]\ncontrol_hz = 0x10\n",
	  "test.conf:7: control_hz = 0x10 is not a number" },
	{ "nan is not a number", ZONE_A "[program]\nwarm_c = nan\n", "test.conf:7: warm_c = nan is not a number" },
	{ "inf is not a number", ZONE_A "[program]\nwarm_s = inf\n", "test.conf:7: warm_s = inf is not a number" },
	{ "number with unit", ZONE_A "[program]\nwarm_s = 180s\n",
	  "test.conf:7: warm_s = 180s: give it in seconds, without a unit: warm_s = 180" },
	{ "minutes", ZONE_A "[program]\nwarm_s = 3m\n",
	  "test.conf:7: warm_s = 3m: give it in seconds, without a unit: warm_s = 180" },
	{ "minutes in words", ZONE_A "[program]\ncool_s = 1.5 min\n",
	  "test.conf:7: cool_s = 1.5 min: give it in seconds, without a unit: cool_s = 90" },
	{ "degrees", ZONE_A "[program]\nwarm_c = 39C\n",
	  "test.conf:7: warm_c = 39C: give it in \xc2\xb0""C, without a unit: warm_c = 39" },
	{ "degree sign", ZONE_A "[program]\nwarm_c = 39 \xc2\xb0""C\n",
	  "test.conf:7: warm_c = 39 \xc2\xb0""C: give it in \xc2\xb0""C, without a unit: warm_c = 39" },
	{ "seconds as milliseconds", ZONE_A "[daemon]\ndead_time_ms = 0.2s\n",
	  "test.conf:7: dead_time_ms = 0.2s: give it in milliseconds, without a unit: dead_time_ms = 200" },
	{ "a unit nobody knows", ZONE_A "[program]\nwarm_s = 3 fortnights\n",
	  "test.conf:7: warm_s = 3 fortnights is not a number: give it in seconds, without a unit, like warm_s = 180" },
	{ "no unit on a count", ZONE_A "[program]\ncycles = 4x\n", "test.conf:7: cycles = 4x is not a number" },
	{ "a misspelt key", ZONE_A "[program]\nwram_s = 180\n",
	  "test.conf:7: unknown key wram_s in [program]: did you mean warm_s?" },
	{ "a key in capitals", ZONE_A "[program]\nCycles = 4\n",
	  "test.conf:7: unknown key Cycles in [program]: keys are lower case: did you mean cycles?" },
	{ "a misspelt section", ZONE_A "[programme]\n",
	  "test.conf:6: unknown section [programme]: did you mean [program]?" },
	{ "a misspelt named section", ZONE_A "[progam evening]\n",
	  "test.conf:6: unknown section [progam evening]: did you mean [program evening]?" },
	{ "a section in capitals", ZONE_A "[Safety]\n",
	  "test.conf:6: unknown section [Safety]: section names are lower case: did you mean [safety]?" },
	{ "overflow", ZONE_A "[program]\nwarm_s = 1e999\n", "test.conf:7: warm_s = 1e999 is not a number" },
	{ "not a whole number", ZONE_A "[daemon]\nkeep_sessions = 2.5\n",
	  "test.conf:7: keep_sessions = 2.5 is not a whole number" },
	{ "a whole number in an exponent", ZONE_A "[daemon]\nkeep_sessions = 1e1\n",
	  "test.conf:7: keep_sessions = 1e1 is not a whole number" },
	{ "a whole number with a point", ZONE_A "[daemon]\nkeep_sessions = 10.0\n",
	  "test.conf:7: keep_sessions = 10.0 is not a whole number" },
	{ "range high", ZONE_A "[daemon]\ncontrol_hz = 200\n",
	  "test.conf:7: control_hz = 200 must be between 1 and 100" },
	{ "range low", ZONE_A "[daemon]\npwm_period_s = 0.05\n",
	  "test.conf:7: pwm_period_s = 0.05 must be between 0.1 and 2" },
	{ "pwm_period_s beyond the safety claim", ZONE_A "[daemon]\npwm_period_s = 2.5\n",
	  "test.conf:7: pwm_period_s = 2.5 must be between 0.1 and 2" },
	{ "dead time", ZONE_A "[daemon]\ndead_time_ms = -1\n",
	  "test.conf:7: dead_time_ms = -1 must be between 0 and 2000" },
	{ "keep_sessions", ZONE_A "[daemon]\nkeep_sessions = 0\n",
	  "test.conf:7: keep_sessions = 0 must be between 1 and 100000" },
	{ "debounce", ZONE_A "[button]\nline = GPIO26\ndebounce_ms = 0\n",
	  "test.conf:8: debounce_ms = 0 must be between 1 and 1000" },
	{ "long press", ZONE_A "[button]\nline = GPIO26\nlong_press_s = 20\n",
	  "test.conf:8: long_press_s = 20 must be between 0.5 and 10" },
	{ "cycles", ZONE_A "[program]\ncycles = 0\n", "test.conf:7: cycles = 0 must be between 1 and 100" },
	{ "warm_s", ZONE_A "[program]\nwarm_s = 5\n", "test.conf:7: warm_s = 5 must be between 10 and 3600" },
	{ "cool_s", ZONE_A "[program]\ncool_s = 4000\n", "test.conf:7: cool_s = 4000 must be between 10 and 3600" },
	{ "band_c", ZONE_A "[program]\nband_c = 0\n", "test.conf:7: band_c = 0 must be between 0.1 and 5" },
	{ "settle_max_s", ZONE_A "[program]\nsettle_max_s = 2000\n",
	  "test.conf:7: settle_max_s = 2000 must be between 10 and 1800" },
	{ "warm_c above hard limit", ZONE_A "[program]\nwarm_c = 52\n",
	  "test.conf:7: warm_c = 52 is above the hard limit of 43" },
	{ "cool_c below hard limit", ZONE_A "[program]\ncool_c = 5\n",
	  "test.conf:7: cool_c = 5 is below the hard limit of 10" },
	{ "max_pad_c above hard limit", ZONE_A "[safety]\nmax_pad_c = 43.5\n",
	  "test.conf:7: max_pad_c = 43.5 is above the hard limit of 43" },
	{ "min_pad_c below hard limit", ZONE_A "[safety]\nmin_pad_c = 9.5\n",
	  "test.conf:7: min_pad_c = 9.5 is below the hard limit of 10" },
	{ "max_heatsink_c above hard limit", ZONE_A "[safety]\nmax_heatsink_c = 80\n",
	  "test.conf:7: max_heatsink_c = 80 is above the hard limit of 75" },
	{ "max_heatsink_c low", ZONE_A "[safety]\nmax_heatsink_c = 25\n",
	  "test.conf:7: max_heatsink_c = 25 must be between 30 and 75" },
	{ "start_max_heatsink_c above hard limit", ZONE_A "[safety]\nstart_max_heatsink_c = 76\n",
	  "test.conf:7: start_max_heatsink_c = 76 is above the hard limit of 75" },
	{ "start_max_heatsink_c low", ZONE_A "[safety]\nstart_max_heatsink_c = 10\n",
	  "test.conf:7: start_max_heatsink_c = 10 must be between 20 and 75" },
	{ "max_duty above hard limit", ZONE_A "max_duty = 1.5\n",
	  "test.conf:6: max_duty = 1.5 is above the hard limit of 1" },
	{ "max_duty low", ZONE_A "max_duty = 0.01\n", "test.conf:6: max_duty = 0.01 must be between 0.05 and 1" },
	{ "deadband", ZONE_A "deadband = 0.3\n", "test.conf:6: deadband = 0.3 must be between 0 and 0.2" },
	{ "d_filter_s", ZONE_A "d_filter_s = 31\n", "test.conf:6: d_filter_s = 31 must be between 0 and 30" },
	{ "fan_runon_s", ZONE_A "fan_runon_s = -5\n", "test.conf:6: fan_runon_s = -5 must be between 0 and 3600" },
	{ "kp", ZONE_A "kp = 20\n", "test.conf:6: kp = 20 must be between 0 and 10" },
	{ "negative gain", ZONE_A "heat_ki = -0.1\n", "test.conf:6: heat_ki = -0.1 must be between 0 and 1" },
	{ "kd", ZONE_A "cool_kd = 101\n", "test.conf:6: cool_kd = 101 must be between 0 and 100" },
	{ "ki", ZONE_A "ki = 2\n", "test.conf:6: ki = 2 must be between 0 and 1" },
	{ "beta", ZONE_A "[thermistor]\nbeta = 500\n", "test.conf:7: beta = 500 must be between 1000 and 10000" },
	{ "r25_ohm", ZONE_A "[thermistor]\nr25_ohm = 2e6\n",
	  "test.conf:7: r25_ohm = 2e6 must be between 100 and 1000000" },
	{ "series_ohm", ZONE_A "[thermistor]\nseries_ohm = 10\n",
	  "test.conf:7: series_ohm = 10 must be between 100 and 1000000" },
	{ "supply_mv", ZONE_A "[thermistor]\nsupply_mv = 12000\n",
	  "test.conf:7: supply_mv = 12000 must be between 1000 and 5500" },
	{ "sensor_lag_s", ZONE_A "[safety]\nsensor_lag_s = 11\n",
	  "test.conf:7: sensor_lag_s = 11 must be between 0 and 3" },
	{ "sensor_lag_s beyond the safety claim", ZONE_A "[safety]\nsensor_lag_s = 3.5\n",
	  "test.conf:7: sensor_lag_s = 3.5 must be between 0 and 3" },
	{ "read_fail_count", ZONE_A "[safety]\nread_fail_count = 51\n",
	  "test.conf:7: read_fail_count = 51 must be between 1 and 50" },
	{ "stale_s", ZONE_A "[safety]\nstale_s = 1\n", "test.conf:7: stale_s = 1 must be between 2 and 600" },
	{ "stale_min_duty", ZONE_A "[safety]\nstale_min_duty = 1.5\n",
	  "test.conf:7: stale_min_duty = 1.5 must be between 0 and 1" },
	{ "disagree_c", ZONE_A "[safety]\ndisagree_c = 0.1\n",
	  "test.conf:7: disagree_c = 0.1 must be between 0.2 and 10" },
	{ "disagree_s", ZONE_A "[safety]\ndisagree_s = 61\n",
	  "test.conf:7: disagree_s = 61 must be between 0.5 and 60" },
	{ "max_rate_c_per_s", ZONE_A "[safety]\nmax_rate_c_per_s = 0.1\n",
	  "test.conf:7: max_rate_c_per_s = 0.1 must be between 0.5 and 20" },
	{ "heat_gain_c", ZONE_A "[safety]\nheat_gain_c = 11\n",
	  "test.conf:7: heat_gain_c = 11 must be between 0.1 and 10" },
	{ "heat_gain_time_s", ZONE_A "[safety]\nheat_gain_time_s = 0.5\n",
	  "test.conf:7: heat_gain_time_s = 0.5 must be between 1 and 600" },
	{ "cool_gain_c", ZONE_A "[safety]\ncool_gain_c = 0\n",
	  "test.conf:7: cool_gain_c = 0 must be between 0.1 and 10" },
	{ "cool_gain_time_s", ZONE_A "[safety]\ncool_gain_time_s = 601\n",
	  "test.conf:7: cool_gain_time_s = 601 must be between 1 and 600" },
	{ "hysteresis_c", ZONE_A "[safety]\nhysteresis_c = 6\n",
	  "test.conf:7: hysteresis_c = 6 must be between 0.1 and 5" },
	{ "max_error_c_s", ZONE_A "[safety]\nmax_error_c_s = 0\n",
	  "test.conf:7: max_error_c_s = 0 must be between 1 and 10000" },
	{ "away_c", ZONE_A "[safety]\naway_c = 0.1\n", "test.conf:7: away_c = 0.1 must be between 0.2 and 10" },
	{ "overrun_s", ZONE_A "[safety]\noverrun_s = 11\n", "test.conf:7: overrun_s = 11 must be between 0.1 and 10" },
	{ "session_margin_s", ZONE_A "[safety]\nsession_margin_s = 4000\n",
	  "test.conf:7: session_margin_s = 4000 must be between 0 and 3600" },
	/* The dose budgets and the lockout: their ceilings are hard limits; a session's budget fits the day's. */
	{ "heat_dose_day_min above 9", ZONE_A "[safety]\nheat_dose_day_min = 9.5\n",
	  "test.conf:7: heat_dose_day_min = 9.5 is above the hard limit of 9" },
	{ "heat_dose_min above the day's", ZONE_A "[safety]\nheat_dose_day_min = 4\nheat_dose_min = 5\n",
	  "test.conf:8: heat_dose_min = 5 is above heat_dose_day_min (4)" },
	{ "cold_min above 30", ZONE_A "[safety]\ncold_min = 31\n", "test.conf:7: cold_min = 31 is above the hard limit of 30" },
	{ "cold_min above the day's", ZONE_A "[safety]\ncold_min = 30\ncold_day_min = 20\n",
	  "test.conf:7: cold_min = 30 is above cold_day_min (20)" },
	{ "cold_day_min above 60", ZONE_A "[safety]\ncold_day_min = 61\n",
	  "test.conf:7: cold_day_min = 61 is above the hard limit of 60" },
	{ "sessions_per_day above 6", ZONE_A "[safety]\nsessions_per_day = 7\n",
	  "test.conf:7: sessions_per_day = 7 is above the hard limit of 6" },
	{ "lockout_after above 3", ZONE_A "[safety]\nlockout_after = 4\n",
	  "test.conf:7: lockout_after = 4 is above the hard limit of 3" },
	{ "start_press", ZONE_A "[button]\nline = GPIO26\nstart_press = double\n", "test.conf:8: start_press = double" },
	/* [simulate] is checked always, with FILE:LINE. */
	{ "simulate supply_v", ZONE_A "[simulate]\nsupply_v = 30\n", "test.conf:7: supply_v = 30 must be between 0 and 16" },
	{ "simulate thermistor_beta", ZONE_A "[simulate]\nthermistor_beta = 500\n",
	  "test.conf:7: thermistor_beta = 500 must be between 1000 and 10000" },
	{ "simulate unknown key", ZONE_A "[simulate]\nbeta = 3435\n", "test.conf:7: " },

	/* Booleans, choices, strings */
	{ "bad boolean", ZONE_A "[button]\nline = GPIO26\nactive_low = maybe\n",
	  "test.conf:8: active_low = maybe is not yes or no" },
	{ "bad power_active_low", ZONE_A "[safety]\npower_active_low = 2\n",
	  "test.conf:7: power_active_low = 2 is not yes or no" },
	{ "bad first", ZONE_A "[program]\nfirst = hot\n", "test.conf:7: first = hot must be warm or cool" },
	{ "bad last", ZONE_A "[program]\nlast = Cool\n", "test.conf:7: last = Cool must be warm or cool" },
	{ "bad phase_clock", ZONE_A "[program]\nphase_clock = fast\n",
	  "test.conf:7: phase_clock = fast must be wall or settled" },
	{ "bad ntc_to", ZONE_A "[thermistor]\nntc_to = vcc\n", "test.conf:7: ntc_to = vcc must be ground or supply" },
	{ "bad iio_context", ZONE_A "[daemon]\niio_context = usb:\n",
	  "test.conf:7: iio_context = usb: must be local: or ip:HOST" },
	{ "iio_context without host", ZONE_A "[daemon]\niio_context = ip:\n",
	  "test.conf:7: iio_context = ip: must be local: or ip:HOST" },
	{ "relative state_dir", ZONE_A "[daemon]\nstate_dir = var/lib/contrastd\n",
	  "test.conf:7: state_dir = var/lib/contrastd is not an absolute path" },
	{ "relative socket", ZONE_A "[daemon]\nsocket = control.sock\n",
	  "test.conf:7: socket = control.sock is not an absolute path" },
	{ "socket path too long", ZONE_A "[daemon]\nsocket = /" X50 X50 X10 "\n",
	  "test.conf:7: socket is longer than 107 characters, the limit of a Unix socket path" },
	{ "line spec too long", ZONE_A "[safety]\npower = " X50 X10 "xxxx\n",
	  "test.conf:7: power is longer than 63 characters" },
	{ "sensor spec too long", ZONE_A "pad_sensor2 = " X50 "/voltage000000\n",
	  "test.conf:6: pad_sensor2 is longer than 63 characters" },

	/* Line specs */
	{ "line with a blank", ZONE_A "[safety]\npower = GPIO 16\n",
	  "test.conf:7: power = GPIO 16 is not a line: give a line name like GPIO17 or CHIP:OFFSET" },
	{ "line with a dot", ZONE_A "fan = GPIO.5\n", "test.conf:6: fan = GPIO.5 is not a line" },
	{ "line offset too big", ZONE_A "[safety]\npower = gpiochip0:1024\n",
	  "test.conf:7: power = gpiochip0:1024 is not a line: the offset must be between 0 and 1023" },
	{ "line offset not a number", ZONE_A "[safety]\npower = gpiochip0:x\n",
	  "test.conf:7: power = gpiochip0:x is not a line: the offset in CHIP:OFFSET must be a number" },
	{ "line without chip", ZONE_A "[safety]\npower = :5\n",
	  "test.conf:7: power = :5 is not a line: CHIP:OFFSET needs a chip" },
	{ "line without offset", ZONE_A "[safety]\npower = gpiochip0:\n",
	  "test.conf:7: power = gpiochip0: is not a line: CHIP:OFFSET needs an offset" },
	{ "line with two colons", ZONE_A "[safety]\npower = a:1:2\n",
	  "test.conf:7: power = a:1:2 is not a line: the offset in CHIP:OFFSET must be a number" },

	/* Sensor specs */
	{ "sensor without channel", ZONE_A "pad_sensor2 = ads1015\n",
	  "test.conf:6: pad_sensor2 = ads1015 is not a sensor: give DEVICE/CHANNEL like ads1015/voltage0" },
	{ "sensor with two slashes", ZONE_A "pad_sensor2 = iio/ads1015/voltage0\n",
	  "test.conf:6: pad_sensor2 = iio/ads1015/voltage0 is not a sensor: give DEVICE/CHANNEL" },
	{ "sensor without device", ZONE_A "pad_sensor2 = /voltage0\n",
	  "test.conf:6: pad_sensor2 = /voltage0 is not a sensor: give DEVICE/CHANNEL" },
	{ "sensor device characters", ZONE_A "pad_sensor2 = ads 1015/voltage0\n",
	  "test.conf:6: pad_sensor2 = ads 1015/voltage0 is not a sensor: the device name may have only" },
	{ "sensor channel capital", ZONE_A "pad_sensor2 = ads1015/Voltage0\n",
	  "test.conf:6: pad_sensor2 = ads1015/Voltage0 is not a sensor: the channel must look like" },
	{ "sensor channel trailing", ZONE_A "pad_sensor2 = ads1015/voltage0x\n",
	  "test.conf:6: pad_sensor2 = ads1015/voltage0x is not a sensor: the channel must look like" },
	{ "sensor channel digits first", ZONE_A "pad_sensor2 = ads1015/0\n",
	  "test.conf:6: pad_sensor2 = ads1015/0 is not a sensor: the channel must look like" },
	{ "sensor channel empty suffix", ZONE_A "pad_sensor2 = ads1015/voltage0_\n",
	  "test.conf:6: pad_sensor2 = ads1015/voltage0_ is not a sensor: the channel must look like" },

	/* Required keys */
	{ "zone missing keys", ZONE_A "[zone b]\nheat = GPIO5\n",
	  "test.conf:6: [zone b] is missing cool, pad_sensor, heatsink_sensor (required)" },
	{ "empty zone", ZONE_A "[zone b]\n",
	  "test.conf:6: [zone b] is missing heat, cool, pad_sensor, heatsink_sensor (required)" },
	{ "zone missing heatsink", "[zone a]\nheat = GPIO17\ncool = GPIO27\npad_sensor = ads1015/voltage0\n",
	  "test.conf:1: [zone a] is missing heatsink_sensor (required)" },
	{ "button without line", ZONE_A "[button]\nactive_low = no\n",
	  "test.conf:6: [button] is missing line (required)" },
	{ "empty button", ZONE_A "[button]\n", "test.conf:6: [button] is missing line (required)" },
	{ "sh_a alone", ZONE_A "[thermistor]\nsh_a = 1e-3\n",
	  "test.conf:7: sh_a given without sh_b, sh_c: give all three Steinhart-Hart coefficients or none" },
	{ "sh_c missing", ZONE_A "[thermistor]\nbeta = 3950\nsh_b = 2e-4\nsh_a = 1e-3\n",
	  "test.conf:8: sh_a, sh_b given without sh_c" },

	/* Lines and sensors used twice */
	{ "line used twice", ZONE_A "[zone b]\nheat = GPIO17\ncool = GPIO6\n"
	  "pad_sensor = ads1015/voltage2\nheatsink_sensor = ads1015/voltage3\n",
	  "test.conf:7: heat = GPIO17 is already used by heat in [zone a] at line 2" },
	{ "heat and cool the same", "[zone a]\nheat = GPIO17\ncool = GPIO17\n"
	  "pad_sensor = ads1015/voltage0\nheatsink_sensor = ads1015/voltage1\n",
	  "test.conf:3: cool = GPIO17 is already used by heat in [zone a] at line 2" },
	{ "fan on a zone line", ZONE_A "fan = GPIO27\n",
	  "test.conf:6: fan = GPIO27 is already used by cool in [zone a] at line 3" },
	{ "power on a zone line", "[safety]\npower = GPIO17\n" ZONE_A,
	  "test.conf:4: heat = GPIO17 is already used by power in [safety] at line 2" },
	{ "status light on the button's line", ZONE_A "[button]\nline = GPIO26\nled = GPIO26\n",
	  "test.conf:8: led = GPIO26 is already used by line in [button] at line 7" },
	{ "status light on a zone line", ZONE_A "[button]\nline = GPIO26\nled = GPIO17\n",
	  "test.conf:8: led = GPIO17 is already used by heat in [zone a] at line 2" },
	{ "status light not a line", ZONE_A "[button]\nline = GPIO26\nled = pin 7\n",
	  "test.conf:8: led = pin 7 is not a line: give a line name like GPIO17 or CHIP:OFFSET like gpiochip0:17" },
	{ "status light misspelt", ZONE_A "[button]\nline = GPIO26\nlde = GPIO4\n",
	  "test.conf:8: unknown key lde in [button]: did you mean led?" },
	{ "button on a zone line", ZONE_A "[button]\nline = GPIO27\n",
	  "test.conf:7: line = GPIO27 is already used by cool in [zone a] at line 3" },
	{ "button on the power line", ZONE_A "[button]\nline = GPIO16\n[safety]\npower = GPIO16\n",
	  "test.conf:9: power = GPIO16 is already used by line in [button] at line 7" },
	{ "same line by chip number and name", ZONE_A "enable = 0:017\n[safety]\npower = gpiochip0:17\n",
	  "test.conf:8: power = gpiochip0:17 is already used by enable in [zone a] at line 6" },
	{ "pad sensor used twice", ZONE_A "[zone b]\nheat = GPIO5\ncool = GPIO6\n"
	  "pad_sensor = ads1015/voltage0\nheatsink_sensor = ads1015/voltage3\n",
	  "test.conf:9: pad_sensor = ads1015/voltage0 is already used by pad_sensor in [zone a] at line 4 "
	  "(a pad sensor cannot be shared)" },
	{ "pad sensor as heatsink sensor", ZONE_A "[zone b]\nheat = GPIO5\ncool = GPIO6\n"
	  "pad_sensor = ads1015/voltage2\nheatsink_sensor = ads1015/voltage0\n",
	  "test.conf:10: heatsink_sensor = ads1015/voltage0 is already used by pad_sensor in [zone a] at line 4" },
	{ "pad_sensor2 same as pad_sensor", ZONE_A "pad_sensor2 = ads1015/voltage0\n",
	  "test.conf:6: pad_sensor2 = ads1015/voltage0 is already used by pad_sensor in [zone a] at line 4" },

	/* Cross checks */
	{ "warm_c not above cool_c", ZONE_A "[program]\nwarm_c = 20\ncool_c = 20\n",
	  "test.conf:7: warm_c = 20 must be above cool_c (20) in [program]" },
	{ "warm_c too close to max_pad_c", ZONE_A "[safety]\nmax_pad_c = 40\n[program x]\nwarm_c = 38.5\n",
	  "test.conf:9: warm_c = 38.5 is less than 2.0 C below max_pad_c (40.0) in [program x]" },
	{ "margin checked whatever the order", ZONE_A "[program]\nwarm_c = 41.5\n[safety]\nmax_pad_c = 42\n",
	  "test.conf:7: warm_c = 41.5 is less than 2.0 C below max_pad_c (42.0) in [program]" },
	{ "default warm_c, no [program]", ZONE_A "[safety]\nmax_pad_c = 39\n",
	  "test.conf:7: warm_c = 38 is less than 2.0 C below max_pad_c (39.0) in [program]" },
	{ "default warm_c in a named program",
	  ZONE_A "[safety]\nmax_pad_c = 39.5\n[program]\nwarm_c = 37\n[program x]\ncycles = 2\n",
	  "test.conf:10: warm_c = 38 is less than 2.0 C below max_pad_c (39.5) in [program x]" },
	{ "cool_c too close to min_pad_c", ZONE_A "[safety]\nmin_pad_c = 15\n[program]\ncool_c = 16\n",
	  "test.conf:9: cool_c = 16 is less than 2.0 C above min_pad_c (15.0) in [program]" },
	{ "max_pad_c not above min_pad_c",
	  ZONE_A "[safety]\nmax_pad_c = 20\nmin_pad_c = 25\n[program]\nwarm_c = 18\ncool_c = 17\n",
	  "test.conf:7: max_pad_c = 20 must be above min_pad_c (25)" },
	{ "start heatsink above max heatsink", ZONE_A "[safety]\nstart_max_heatsink_c = 65\n",
	  "test.conf:7: start_max_heatsink_c = 65 is above max_heatsink_c (60)" },
	{ "max heatsink below default start", ZONE_A "[safety]\nmax_heatsink_c = 35\n",
	  "test.conf:7: max_heatsink_c = 35 is below start_max_heatsink_c (40)" },
	{ "overrun_s below 2 periods", ZONE_A "[safety]\noverrun_s = 0.15\n",
	  "test.conf:7: overrun_s = 0.15 is less than 2 control periods (0.2 s at control_hz = 10)" },
	{ "control_hz too slow for default overrun_s", ZONE_A "[daemon]\ncontrol_hz = 1.5\n",
	  "test.conf:7: control_hz = 1.5 makes 2 control periods (1.33333 s) longer than overrun_s (1)" },
	{ "deadband not below max_duty", ZONE_A "max_duty = 0.1\ndeadband = 0.15\n",
	  "test.conf:7: deadband = 0.15 must be below max_duty (0.1)" },
	{ "program too long (wall)",
	  ZONE_A "[program long]\nwarm_s = 2400\ncool_s = 2700\ncycles = 1\nlast = warm\nphase_clock = wall\n",
	  "test.conf:6: [program long]: the program runs 7500 s (3 phases of 7500 s in all), above the hard limit of 7200 s" },
	{ "program too long (settled)", ZONE_A "[program]\ncycles = 9\n",
	  "test.conf:6: [program]: the program may run 7560 s (18 phases of 2160 s in all, and up to "
	  "18 x 300 s (settle_max_s) waiting for the pads to settle), above the hard limit of 7200 s" },
	{ "the first error in the file wins",
	  ZONE_A "[program]\nwarm_c = 20\ncool_c = 25\n[zone b]\nheat = GPIO5\n",
	  "test.conf:7: warm_c = 20 must be above cool_c (25) in [program]" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	int rc = parse(c->text);

	if (rc == 0)
		fail_msg("[%s] parsed, expected: %s", c->name, c->expect);
	if (strstr(err.msg, c->expect) == NULL)
		fail_msg("[%s]\n  expected: %s\n  got:      %s", c->name, c->expect, err.msg);
}

/* --- Files ------------------------------------------------------------------ */

static void test_load_missing_file(void **state)
{
	(void)state;
	assert_int_equal(config_load("/nonexistent/contrastd.conf", &cfg, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/contrastd.conf: cannot open: No such file or directory");
}

static void test_load_directory(void **state)
{
	(void)state;
	assert_int_equal(config_load("config", &cfg, &err), -1);
	assert_string_equal(err.msg, "config: not a regular file (a directory)");
}

struct reports {
	int n;
	char first[512], last[512];
};

static void collect_report(void *arg, const char *msg)
{
	struct reports *r = arg;

	if (r->n++ == 0)
		snprintf(r->first, sizeof(r->first), "%s", msg);
	snprintf(r->last, sizeof(r->last), "%s", msg);
}

/* --safe-off's lenient parse: every error reported, the parse goes on, the lines are in. */
static void test_load_lenient(void **state)
{
	char path[] = "/tmp/contrastd-lenient-XXXXXX";
	struct reports r = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	static const char text[] =
		"[program]\nwarm_c = 52\n"                    /* 2: above the hard limit */
		"[daemon]\nbogus = 1\n"                       /* 4: unknown key */
		"[zone left]\nheat = GPIO17\ncool = GPIO27\nenable = GPIO 22\nfan = GPIO5\n"  /* 8: not a line */
		"[zone bad name]\nheat = GPIO99\n"            /* 10: refused header; its key left out */
		"[safety]\npower = GPIO16\npower_active_low = yes\nmax_pad_c = 99\n"  /* 14 */
		"what is this\n"                               /* 15: not key = value */
		"[zone right]\nheat = GPIO23\ncool = GPIO24\nactive_low = yes\n";

	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	int n = config_load_lenient(path, &cfg, collect_report, &r);

	unlink(path);
	assert_int_equal(n, r.n);
	assert_int_equal(n, 6);
	assert_non_null(strstr(r.first, ":2: warm_c = 52 is above the hard limit of 43"));
	assert_int_equal(cfg.n_zones, 2);
	assert_string_equal(cfg.zones[0].name, "left");
	assert_string_equal(cfg.zones[0].heat, "GPIO17");
	assert_string_equal(cfg.zones[0].cool, "GPIO27");
	assert_string_equal(cfg.zones[0].enable, "");       /* refused, not guessed */
	assert_string_equal(cfg.zones[0].fan, "GPIO5");
	assert_string_equal(cfg.zones[1].name, "right");
	assert_string_equal(cfg.zones[1].heat, "GPIO23");
	assert_true(cfg.zones[1].active_low);
	assert_string_equal(cfg.power_line, "GPIO16");
	assert_true(cfg.power_active_low);

	/* A file that cannot be read: one report, no zones. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(config_load_lenient("/nonexistent/x.conf", &cfg, collect_report, &r), 1);
	assert_int_equal(cfg.n_zones, 0);
	assert_non_null(strstr(r.first, "cannot open"));
}

/* The file path is the name in messages; a NUL byte is an error, not the end. */
static void test_load_messages_and_nul(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	static const char text[] = ZONE_A "[daemon]\ncontrol_hz = 200\n";
	static const char with_nul[] = ZONE_A "[daemon]\ncontrol_hz = 1\0\n";
	char expect[128];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(expect, sizeof(expect), "%s:7: control_hz = 200 must be between 1 and 100", path);
	assert_string_equal(err.msg, expect);

	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(with_nul, 1, sizeof(with_nul) - 1, f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(expect, sizeof(expect), "%s:7: the line holds a NUL byte", path);
	assert_string_equal(err.msg, expect);

	/* A file larger than the reader's buffer. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(ZONE_A, f);
	for (int i = 0; i < 400; i++)
		fputs("; a comment line to make the file longer than one read\n", f);
	fputs("[program]\ncycles = 3\n", f);
	fclose(f);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.programs[0].cycles, 3);
	assert_string_equal(cfg.path, path);
	unlink(path);
}

/*
 * Damaged copies of the shipped file (bytes changed, dropped, lines cut):
 * each parses or fails with a "test.conf:" message, and never crashes
 * (run under the sanitizers by make check).
 */
static void test_damaged_files(void **state)
{
	static char orig[16384], text[16384];
	static const char junk[] = "[]=;#:/ \t\n\r\0xX9.-_e";
	unsigned long seed = 12345;
	size_t len;
	FILE *f;

	(void)state;
	f = fopen(SHIPPED, "r");
	assert_non_null(f);
	len = fread(orig, 1, sizeof(orig) - 1, f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(orig) - 1);

	for (int iter = 0; iter < 3000; iter++) {
		size_t n = len;

		memcpy(text, orig, len);
		for (int edits = 1 + iter % 4; edits > 0; edits--) {
			size_t at;

			if (n == 0)
				break;
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			at = (seed >> 33) % n;
			switch ((seed >> 20) % 3) {
			case 0:         /* change a byte */
				text[at] = junk[(seed >> 8) % (sizeof(junk) - 1)];
				break;
			case 1:         /* drop a byte */
				memmove(text + at, text + at + 1, n - at - 1);
				n--;
				break;
			default:        /* cut the file */
				n = at + 1;
				break;
			}
		}
		text[n] = '\0';
		if (parse(text) != 0 && strncmp(err.msg, "test.conf", 9) != 0)
			fail_msg("iteration %d: message without the file name: %s", iter, err.msg);
	}
}

int main(void)
{
	static const struct CMUnitTest good[] = {
		cmocka_unit_test(test_shipped_config_parses),
		cmocka_unit_test(test_minimal_config_gets_defaults),
		cmocka_unit_test(test_every_key_is_read),
		cmocka_unit_test(test_named_program_starts_from_defaults),
		cmocka_unit_test(test_find_program),
		cmocka_unit_test(test_gain_precedence),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_edges_that_pass),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_directory),
		cmocka_unit_test(test_load_lenient),
		cmocka_unit_test(test_load_messages_and_nul),
		cmocka_unit_test(test_damaged_files),
	};
	struct CMUnitTest bad[sizeof(bad_cases) / sizeof(bad_cases[0])];
	int failed = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		bad[i] = (struct CMUnitTest){
			.name = bad_cases[i].name,
			.test_func = test_bad,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	failed += cmocka_run_group_tests_name("config: good", good, NULL, NULL);
	failed += cmocka_run_group_tests_name("config: bad", bad, NULL, NULL);
	return failed ? 1 : 0;
}
