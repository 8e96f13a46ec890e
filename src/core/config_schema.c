/* SPDX-License-Identifier: MIT */
/*
 * The configuration schema: one row per key (config_schema.h says what a
 * row holds and who reads it). This table is the one place where a key's
 * default, range, unit and description are written down; the docs' key
 * tables are generated from it (`make docs`).
 */
#include <string.h>
#include "config.h"
#include "config_schema.h"

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct config_section_info config_sections[CONFIG_SECTION_COUNT] = {
	[CONFIG_DAEMON] = { "daemon", CONFIG_UNNAMED },
	[CONFIG_BUTTON] = { "button", CONFIG_UNNAMED },
	[CONFIG_THERMISTOR] = { "thermistor", CONFIG_UNNAMED },
	[CONFIG_ZONE] = { "zone", CONFIG_NAME_REQUIRED },
	[CONFIG_SAFETY] = { "safety", CONFIG_UNNAMED },
	[CONFIG_PROGRAM] = { "program", CONFIG_NAME_OPTIONAL },
	[CONFIG_SIMULATE] = { "simulate", CONFIG_UNNAMED },
};

/* Where a row's field is: the section and the struct config_section_base() gives for it. */
#define FIELD(st, f)    .offset = offsetof(st, f), .size = sizeof(((st *)0)->f)
#define DAEMON(f)       .section = CONFIG_DAEMON, FIELD(struct config_daemon, f)
#define BUTTON(f)       .section = CONFIG_BUTTON, FIELD(struct config_button, f)
#define THERMISTOR(f)   .section = CONFIG_THERMISTOR, FIELD(struct thermistor_params, f)
#define ZONE(f)         .section = CONFIG_ZONE, FIELD(struct config_zone, f)
#define SAFETY(f)       .section = CONFIG_SAFETY, FIELD(struct config, f)
#define PROGRAM(f)      .section = CONFIG_PROGRAM, FIELD(struct program, f)
#define SIMULATE(f)     .section = CONFIG_SIMULATE, FIELD(struct config_simulate, f)

#define REAL            .type = CONFIG_REAL
#define INT             .type = CONFIG_INT
#define BOOL            .type = CONFIG_BOOL
#define ENUM(c)         .type = CONFIG_ENUM, .choices = (c)
#define LINE            .type = CONFIG_LINE
#define SENSOR          .type = CONFIG_SENSOR
#define GAIN(heat, cool) .type = CONFIG_GAIN, .sets = { heat, cool }, .flags = CONFIG_NO_DEFAULT

#define RANGE(lo, hi)   .min = (lo), .max = (hi)
/* A bound that is a compiled-in hard limit: its value, and its name for the docs and the tests. */
#define HARD_MIN(lo)    .min = (lo), .min_hard = #lo
#define HARD_MAX(hi)    .max = (hi), .max_hard = #hi

/* An enum field is stored through an int. */
_Static_assert(sizeof(enum phase_kind) == sizeof(int), "enum phase_kind is not int-sized");
_Static_assert(sizeof(enum phase_clock) == sizeof(int), "enum phase_clock is not int-sized");
_Static_assert(sizeof(enum ntc_wiring) == sizeof(int), "enum ntc_wiring is not int-sized");
_Static_assert(sizeof(enum start_press) == sizeof(int), "enum start_press is not int-sized");
_Static_assert(sizeof(enum power_mode) == sizeof(int), "enum power_mode is not int-sized");

static const struct config_choice phase_kinds[] = {
	{ "warm", PHASE_WARM }, { "cool", PHASE_COOL }, { NULL, 0 },
};
static const struct config_choice phase_clocks[] = {
	{ "wall", PHASE_CLOCK_WALL }, { "settled", PHASE_CLOCK_SETTLED }, { NULL, 0 },
};
static const struct config_choice start_presses[] = {
	{ "short", START_PRESS_SHORT }, { "long", START_PRESS_LONG }, { NULL, 0 },
};
static const struct config_choice power_modes[] = {
	{ "level", POWER_MODE_LEVEL }, { "charge-pump", POWER_MODE_CHARGE_PUMP }, { NULL, 0 },
};
static const struct config_choice ntc_wirings[] = {
	{ "ground", NTC_TO_GROUND }, { "supply", NTC_TO_SUPPLY }, { NULL, 0 },
};

/* Gain ranges, shared by kp, heat_kp and cool_kp, and so on. */
#define KP_MAX 10.0
#define KI_MAX 1.0
#define KD_MAX 100.0

const struct config_key config_keys[] = {
	/* [daemon] */
	{ .name = "control_hz", DAEMON(control_hz), REAL, RANGE(1, 100), .def = 10, .unit = "Hz",
	  .text = "control loop rate: sensors read, supervisor and PID run, outputs applied, this many times a second" },
	/* Longer periods swing the pad by degrees around its setpoint: outside the safety claim (safety.h). */
	{ .name = "pwm_period_s", DAEMON(pwm_period_s), REAL, RANGE(0.1, SAFETY_MAX_PWM_PERIOD_S), .def = 1, .unit = "s",
	  .text = "time-proportioning period: a duty of 0.3 is on for 30 % of each period; at most what the "
		  "safety claim covers (docs/safety.md)" },
	{ .name = "dead_time_ms", DAEMON(dead_time_ms), REAL, RANGE(0, 2000), .def = 200, .unit = "ms",
	  .text = "all H-bridge lines off for this long when a zone changes between heating and cooling" },
	{ .name = "iio_context", DAEMON(iio_context), .type = CONFIG_IIO, .def_str = "local:", .unit = "",
	  .text = "where the IIO sensors are: local: (this machine) or ip:HOST (an iiod on HOST)" },
	{ .name = "state_dir", DAEMON(state_dir), .type = CONFIG_ABSPATH, .def_str = CONFIG_DEFAULT_STATE_DIR, .unit = "",
	  .text = "session records: a CSV per session in state_dir/sessions/, a line per session in "
		  "state_dir/sessions.jsonl" },
	{ .name = "socket", DAEMON(socket), .type = CONFIG_SOCKET, .def_str = CONFIG_DEFAULT_SOCKET, .unit = "",
	  .text = "the control socket contrastctl talks to" },
	{ .name = "keep_sessions", DAEMON(keep_sessions), INT, RANGE(1, 100000), .def = 100, .unit = "",
	  .text = "how many session CSVs are kept in state_dir: the oldest go when a session starts "
		  "(sessions.jsonl is never pruned)" },
	{ .name = "realtime", DAEMON(realtime), BOOL, .def = 0, .unit = "",
	  .text = "run the control loop as a real-time task (SCHED_FIFO, memory locked), so other work "
		  "cannot make its ticks and PWM edges late; a restart applies it" },

	/* [button] */
	{ .name = "line", BUTTON(line), LINE, .flags = CONFIG_REQUIRED, .unit = "",
	  .text = "the button's GPIO line" },
	{ .name = "active_low", BUTTON(active_low), BOOL, .def = 1, .unit = "",
	  .text = "pressed pulls the line low (a pull-up and a button to ground)" },
	{ .name = "debounce_ms", BUTTON(debounce_ms), INT, RANGE(1, 1000), .def = 30, .unit = "ms",
	  .text = "a change counts once the line has been stable this long" },
	{ .name = "long_press_s", BUTTON(long_press_s), REAL, RANGE(0.5, 10), .def = 2, .unit = "s",
	  .text = "a press held this long is a long press: it acknowledges a fault" },
	{ .name = "led", BUTTON(led), LINE, .flags = CONFIG_NO_DEFAULT, .unit = "",
	  .text = "a status light by the button: off idle, steady in a session, slow blink while a fault "
		  "is latched, fast blink in lockout" },
	{ .name = "led_active_low", BUTTON(led_active_low), BOOL, .def = 0, .unit = "",
	  .text = "the light is on when its line is low (wired from the supply to the GPIO)" },
	{ .name = "start_press", BUTTON(start_press), ENUM(start_presses), .def_str = "short", .unit = "",
	  .text = "which press starts a session from idle: short or long (long: for someone who moves in "
		  "their sleep)" },

	/* [thermistor] */
	{ .name = "beta", THERMISTOR(beta), REAL, RANGE(1000, 10000), .def = 3950, .unit = "K",
	  .text = "the NTC's Beta constant" },
	{ .name = "r25_ohm", THERMISTOR(r25_ohm), REAL, RANGE(100, 1e6), .def = 10000, .unit = "ohm",
	  .text = "the NTC's resistance at 25 C" },
	{ .name = "series_ohm", THERMISTOR(series_ohm), REAL, RANGE(100, 1e6), .def = 10000, .unit = "ohm",
	  .text = "the fixed divider resistor" },
	{ .name = "supply_mv", THERMISTOR(supply_mv), REAL, RANGE(1000, 5500), .def = 3300, .unit = "mV",
	  .text = "the divider's supply" },
	{ .name = "ntc_to", THERMISTOR(ntc_to), ENUM(ntc_wirings), .def_str = "ground", .unit = "",
	  .text = "which rail the NTC sits on" },
	{ .name = "sh_a", THERMISTOR(sh_a), REAL, .flags = CONFIG_UNBOUNDED | CONFIG_NO_DEFAULT, .unit = "",
	  .text = "Steinhart-Hart a in 1/T = a + b ln R + c (ln R)^3; give all three of sh_a, sh_b, sh_c or none" },
	{ .name = "sh_b", THERMISTOR(sh_b), REAL, .flags = CONFIG_UNBOUNDED | CONFIG_NO_DEFAULT, .unit = "",
	  .text = "Steinhart-Hart b" },
	{ .name = "sh_c", THERMISTOR(sh_c), REAL, .flags = CONFIG_UNBOUNDED | CONFIG_NO_DEFAULT, .unit = "",
	  .text = "Steinhart-Hart c" },

	/* [zone NAME] */
	{ .name = "heat", ZONE(heat), LINE, .flags = CONFIG_REQUIRED, .unit = "",
	  .text = "H-bridge polarity line: on, the pad heats" },
	{ .name = "cool", ZONE(cool), LINE, .flags = CONFIG_REQUIRED, .unit = "",
	  .text = "H-bridge polarity line: on, the pad cools" },
	{ .name = "enable", ZONE(enable), LINE, .flags = CONFIG_NO_DEFAULT, .unit = "",
	  .text = "the H-bridge's enable line" },
	{ .name = "fan", ZONE(fan), LINE, .flags = CONFIG_NO_DEFAULT, .unit = "",
	  .text = "the heatsink fan" },
	{ .name = "active_low", ZONE(active_low), BOOL, .def = 0, .unit = "",
	  .text = "every line of this zone is active-low" },
	{ .name = "pad_sensor", ZONE(pad_sensor), SENSOR, .flags = CONFIG_REQUIRED, .unit = "",
	  .text = "the pad's thermistor; no other key may use it" },
	{ .name = "pad_sensor2", ZONE(pad_sensor2), SENSOR, .flags = CONFIG_NO_DEFAULT, .unit = "",
	  .text = "a second thermistor on the same pad: the supervisor trips when the two disagree (disagree_c)" },
	{ .name = "heatsink_sensor", ZONE(heatsink_sensor), SENSOR, .flags = CONFIG_REQUIRED, .unit = "",
	  .text = "the heatsink's thermistor; one may serve several zones" },
	{ .name = "kp", .section = CONFIG_ZONE, GAIN("heat_kp", "cool_kp"), RANGE(0, KP_MAX), .unit = "duty/C",
	  .text = "proportional gain of both sets: sets heat_kp and cool_kp, except one written in the section" },
	{ .name = "ki", .section = CONFIG_ZONE, GAIN("heat_ki", "cool_ki"), RANGE(0, KI_MAX), .unit = "duty/(C*s)",
	  .text = "integral gain of both sets: sets heat_ki and cool_ki, except one written in the section" },
	{ .name = "kd", .section = CONFIG_ZONE, GAIN("heat_kd", "cool_kd"), RANGE(0, KD_MAX), .unit = "duty*s/C",
	  .text = "derivative gain of both sets: sets heat_kd and cool_kd, except one written in the section" },
	/*
	 * The default gains, tuned on the reference plant (docs/simulation.md):
	 * they are the hold's feedback on the estimated pad temperature (the
	 * learned feed-forward does what an integral would), and with them every
	 * transition settles within 1.05 of the full-power bound, overshoots
	 * 0.1 C at most and holds within 0.1 C RMS (docs/performance.md). A
	 * real pad may want others.
	 */
	{ .name = "heat_kp", ZONE(pid.heat.kp), REAL, RANGE(0, KP_MAX), .def = 2.0, .unit = "duty/C",
	  .text = "the hold's proportional gain while the pad needs heat, on the estimated pad temperature" },
	{ .name = "heat_ki", ZONE(pid.heat.ki), REAL, RANGE(0, KI_MAX), .def = 0.0, .unit = "duty/(C*s)",
	  .text = "integral gain while the pad needs heat" },
	{ .name = "heat_kd", ZONE(pid.heat.kd), REAL, RANGE(0, KD_MAX), .def = 0.0, .unit = "duty*s/C",
	  .text = "derivative gain while the pad needs heat" },
	{ .name = "cool_kp", ZONE(pid.cool.kp), REAL, RANGE(0, KP_MAX), .def = 4.0, .unit = "duty/C",
	  .text = "the hold's proportional gain while the pad needs cooling, on the estimated pad temperature" },
	{ .name = "cool_ki", ZONE(pid.cool.ki), REAL, RANGE(0, KI_MAX), .def = 0.0, .unit = "duty/(C*s)",
	  .text = "integral gain while the pad needs cooling" },
	{ .name = "cool_kd", ZONE(pid.cool.kd), REAL, RANGE(0, KD_MAX), .def = 0.0, .unit = "duty*s/C",
	  .text = "derivative gain while the pad needs cooling" },
	{ .name = "max_duty", ZONE(pid.max_duty), REAL, .min = 0.05, HARD_MAX(HARD_MAX_DUTY), .def = 1.0, .unit = "",
	  .text = "output clamp in either polarity, a fraction of the PWM period" },
	{ .name = "deadband", ZONE(pid.deadband), REAL, RANGE(0, 0.2), .def = 0.02, .unit = "",
	  .text = "a duty smaller than this is 0, so the bridge does not chatter; below max_duty" },
	{ .name = "d_filter_s", ZONE(pid.d_filter_s), REAL, RANGE(0, 30), .def = 1.0, .unit = "s",
	  .text = "time constant of the derivative's low-pass filter (the derivative acts on the estimated rate)" },
	{ .name = "integral_band_c", ZONE(pid.integral_band_c), REAL, RANGE(0, 20), .def = 1.5, .unit = "C",
	  .text = "the integral grows only while the estimated pad is within this of the setpoint "
		  "(0: always), so the way from warm to cool does not wind it up" },
	{ .name = "fan_runon_s", ZONE(fan_runon_s), REAL, RANGE(0, 3600), .def = 60, .unit = "s",
	  .text = "the fan runs on this long after the Peltier stops" },

	/* [safety]: the supervisor's thresholds (src/core/safety.h, docs/safety.md) and the supply relay */
	{ .name = "max_pad_c", SAFETY(safety.max_pad_c), REAL, HARD_MIN(HARD_MIN_PAD_C), HARD_MAX(HARD_MAX_PAD_C),
	  .def = 42, .unit = "C",
	  .text = "over-temperature: a pad above this, or predicted above it, trips; above min_pad_c, and inside "
		  "the limit in force for sensor_lag_s and control_hz (docs/safety.md)" },
	{ .name = "min_pad_c", SAFETY(safety.min_pad_c), REAL, HARD_MIN(HARD_MIN_PAD_C), HARD_MAX(HARD_MAX_PAD_C),
	  .def = 12, .unit = "C",
	  .text = "under-temperature: a pad below this, or predicted below it, trips; below max_pad_c, and inside "
		  "the limit in force for sensor_lag_s and control_hz (docs/safety.md)" },
	{ .name = "max_heatsink_c", SAFETY(safety.max_heatsink_c), REAL, .min = 30, HARD_MAX(HARD_MAX_HEATSINK_C),
	  .def = 60, .unit = "C",
	  .text = "heatsink-over-temperature: a heatsink above this trips" },
	{ .name = "start_max_heatsink_c", SAFETY(safety.start_max_heatsink_c), REAL, .min = 20,
	  HARD_MAX(HARD_MAX_HEATSINK_C), .def = 40, .unit = "C",
	  .text = "a session does not start with a heatsink above this; at most max_heatsink_c" },
	/* A longer lag makes the prediction trip normal sessions: outside the safety claim (safety.h). */
	{ .name = "sensor_lag_s", SAFETY(safety.sensor_lag_s), REAL, RANGE(0, SAFETY_MAX_SENSOR_LAG_S), .def = 2,
	  .unit = "s",
	  .text = "the pad sensor's time constant, used to predict the pad from the reading; at most what the "
		  "safety claim covers, and below the reference sensor's 2 s it costs margin (docs/safety.md)" },
	{ .name = "read_fail_count", SAFETY(safety.read_fail_count), INT, RANGE(1, 50), .def = 3, .unit = "",
	  .text = "sensor-read: this many failed reads in a row trip" },
	{ .name = "stale_s", SAFETY(safety.stale_s), REAL, RANGE(2, 600), .def = 20, .unit = "s",
	  .text = "sensor-stale: a raw value frozen this long while driving trips" },
	{ .name = "stale_min_duty", SAFETY(safety.stale_min_duty), REAL, RANGE(0, 1), .def = 0.05, .unit = "",
	  .text = "sensor-stale: driving means a duty of at least this" },
	{ .name = "disagree_c", SAFETY(safety.disagree_c), REAL, RANGE(0.2, 10), .def = 2, .unit = "C",
	  .text = "sensor-disagree: pad_sensor and pad_sensor2 further apart than this for disagree_s trip" },
	{ .name = "disagree_s", SAFETY(safety.disagree_s), REAL, RANGE(0.5, 60), .def = 3, .unit = "s",
	  .text = "sensor-disagree: how long they may disagree" },
	{ .name = "max_rate_c_per_s", SAFETY(safety.max_rate_c_per_s), REAL, RANGE(0.5, 20), .def = 2, .unit = "C/s",
	  .text = "rate-of-change: a pad changing faster than this trips" },
	{ .name = "heat_gain_c", SAFETY(safety.heat_gain_c), REAL, RANGE(0.1, 10), .def = 1.0, .unit = "C",
	  .text = "runaway: while heating at full duty the pad must gain at least this in heat_gain_time_s" },
	{ .name = "heat_gain_time_s", SAFETY(safety.heat_gain_time_s), REAL, RANGE(1, 600), .def = 8, .unit = "s",
	  .text = "runaway: the time allowed for heat_gain_c" },
	{ .name = "cool_gain_c", SAFETY(safety.cool_gain_c), REAL, RANGE(0.1, 10), .def = 1.0, .unit = "C",
	  .text = "runaway: while cooling at full duty the pad must fall at least this in cool_gain_time_s" },
	{ .name = "cool_gain_time_s", SAFETY(safety.cool_gain_time_s), REAL, RANGE(1, 600), .def = 60, .unit = "s",
	  .text = "runaway: the time allowed for cool_gain_c" },
	{ .name = "hysteresis_c", SAFETY(safety.hysteresis_c), REAL, RANGE(0.1, 5), .def = 1.0, .unit = "C",
	  .text = "runaway: the band around the setpoint that counts as reached" },
	{ .name = "max_error_c_s", SAFETY(safety.max_error_c_s), REAL, RANGE(1, 10000), .def = 120, .unit = "C*s",
	  .text = "runaway: the error accumulated outside that band, once reached, that trips" },
	{ .name = "away_c", SAFETY(safety.away_c), REAL, RANGE(0.2, 10), .def = 1.5, .unit = "C",
	  .text = "runaway: the pad moved this far away from the setpoint while the output pushed toward it" },
	{ .name = "overrun_s", SAFETY(safety.overrun_s), REAL, RANGE(0.1, 10), .def = 1.0, .unit = "s",
	  .text = "loop-overrun: a gap between ticks longer than this trips; at least 2 control periods" },
	{ .name = "session_margin_s", SAFETY(safety.session_margin_s), REAL, RANGE(0, 3600), .def = 300, .unit = "s",
	  .text = "session-time: a session running longer than its planned length plus this trips" },
	{ .name = "heat_dose_min", SAFETY(dose.heat_dose_min), REAL, .min = 0.1,
	  HARD_MAX(HARD_MAX_HEAT_DOSE_DAY_MIN), .def = 3, .unit = "min",
	  .text = "heat dose budget per session, CEM43 minutes (R = 0.5 at or above 43 C, 0.25 below), "
		  "from the pad reading plus its error margin; at most heat_dose_day_min" },
	{ .name = "heat_dose_day_min", SAFETY(dose.heat_dose_day_min), REAL, .min = 0.1,
	  HARD_MAX(HARD_MAX_HEAT_DOSE_DAY_MIN), .def = 6, .unit = "min",
	  .text = "heat dose budget per zone per rolling 24 hours, CEM43 minutes" },
	{ .name = "cold_c", SAFETY(dose.cold_c), REAL, RANGE(10, 25), .def = 15, .unit = "C",
	  .text = "the cold budgets count the minutes the pad (its reading minus its error margin) is at "
		  "or below this" },
	{ .name = "cold_min", SAFETY(dose.cold_min), REAL, .min = 1, HARD_MAX(HARD_MAX_COLD_MIN), .def = 20,
	  .unit = "min", .text = "cold budget per session: minutes at or below cold_c; at most cold_day_min" },
	{ .name = "cold_day_min", SAFETY(dose.cold_day_min), REAL, .min = 1, HARD_MAX(HARD_MAX_COLD_DAY_MIN),
	  .def = 40, .unit = "min", .text = "cold budget per zone per rolling 24 hours" },
	{ .name = "sessions_per_day", SAFETY(dose.sessions_per_day), INT, .min = 1,
	  HARD_MAX(HARD_MAX_SESSIONS_PER_DAY), .def = 3, .unit = "",
	  .text = "sessions that may start in a rolling 24 hours" },
	{ .name = "lockout_after", SAFETY(lockout_after), INT, .min = 1, HARD_MAX(HARD_MAX_LOCKOUT_AFTER),
	  .def = 2, .unit = "",
	  .text = "the same fault kind in the same zone this many times in 24 hours locks the device "
		  "until contrastd --clear-lockout" },
	{ .name = "power", SAFETY(power_line), LINE, .flags = CONFIG_NO_DEFAULT, .unit = "",
	  .text = "the relay that cuts the Peltier supply: on only while a session runs and nothing has tripped" },
	{ .name = "power_active_low", SAFETY(power_active_low), BOOL, .def = 0, .unit = "",
	  .text = "the power line is active-low" },
	{ .name = "power_mode", SAFETY(power_mode), ENUM(power_modes), .def_str = "level", .unit = "",
	  .text = "level: the power line is active while the supply may be on; charge-pump: it is a square "
		  "wave at charge_pump_hz while a session runs and the loop is healthy, for a relay circuit "
		  "that holds only while the wave runs, so a crash, a hang or a line left driving opens it "
		  "(docs/wiring.md); needs power" },
	/*
	 * 10..200 Hz: the edges come from the loop's timer, so a period must
	 * be long against its latency (well under a millisecond, a few with
	 * realtime = no on a busy Pi) and short against the relay's hold-up
	 * (CHARGE_PUMP_HOLD_PERIODS periods: 0.5 s at 10 Hz, the longest a hang
	 * may heat on; 25 ms at 200 Hz, still above a busy Pi's latency).
	 */
	{ .name = "charge_pump_hz", SAFETY(charge_pump_hz), REAL, RANGE(10, 200), .def = 50, .unit = "Hz",
	  .text = "power_mode = charge-pump: the wave's frequency; the relay circuit's hold-up is designed "
		  "for it (5 periods: docs/wiring.md)" },

	/* [program] and [program NAME] */
	{ .name = "warm_c", PROGRAM(warm_c), REAL, HARD_MIN(HARD_MIN_PAD_C), HARD_MAX(HARD_MAX_PAD_C),
	  .def = 38, .unit = "C",
	  .text = "the warm phases' setpoint; at most max_pad_c - 2" },
	{ .name = "cool_c", PROGRAM(cool_c), REAL, HARD_MIN(HARD_MIN_PAD_C), HARD_MAX(HARD_MAX_PAD_C),
	  .def = 18, .unit = "C",
	  .text = "the cool phases' setpoint; at least min_pad_c + 2, below warm_c" },
	{ .name = "warm_s", PROGRAM(warm_s), REAL, RANGE(10, 3600), .def = 180, .unit = "s",
	  .text = "length of a warm phase" },
	{ .name = "cool_s", PROGRAM(cool_s), REAL, RANGE(10, 3600), .def = 60, .unit = "s",
	  .text = "length of a cool phase" },
	{ .name = "cycles", PROGRAM(cycles), INT, RANGE(1, 100), .def = 4, .unit = "",
	  .text = "number of (first, other) pairs" },
	{ .name = "first", PROGRAM(first), ENUM(phase_kinds), .def_str = "warm", .unit = "",
	  .text = "the phase each cycle starts with" },
	{ .name = "last", PROGRAM(last), ENUM(phase_kinds), .def_str = "cool", .unit = "",
	  .text = "the phase the program ends with" },
	{ .name = "phase_clock", PROGRAM(clock), ENUM(phase_clocks), .def_str = "settled", .unit = "",
	  .text = "when a phase's length starts counting: at its start (wall), or once every pad is "
		  "within band_c (settled)" },
	{ .name = "band_c", PROGRAM(band_c), REAL, RANGE(0.1, 5), .def = 0.5, .unit = "C",
	  .text = "\"at the setpoint\" means within this" },
	{ .name = "settle_max_s", PROGRAM(settle_max_s), REAL, RANGE(10, 1800), .def = 300, .unit = "s",
	  .text = "settled clock: the longest wait for the band" },

	/* [simulate]: the world of the simulated plant (--simulate only; docs/simulation.md) */
	{ .name = "thermistor_beta", SIMULATE(thermistor_beta), REAL, RANGE(1000, 10000),
	  .flags = CONFIG_NO_DEFAULT, .unit = "K",
	  .text = "the Beta of the NTC actually fitted to every sensor (absent: [thermistor] beta)" },
	{ .name = "thermistor_r25_ohm", SIMULATE(thermistor_r25_ohm), REAL, RANGE(100, 1e6),
	  .flags = CONFIG_NO_DEFAULT, .unit = "ohm",
	  .text = "its resistance at 25 C (absent: [thermistor] r25_ohm)" },
	{ .name = "pad_offset_c", SIMULATE(pad_offset_c), REAL, RANGE(-5, 5), .def = 0, .unit = "C",
	  .text = "the pad sensors read this much high (negative: low)" },
	{ .name = "ambient_c", SIMULATE(ambient_c), REAL, RANGE(0, 40), .def = 22, .unit = "C",
	  .text = "the bedroom air" },
	{ .name = "core_c", SIMULATE(core_c), REAL, RANGE(30, 42), .def = 37, .unit = "C",
	  .text = "the body core under the pad" },
	{ .name = "perfusion_w_per_k", SIMULATE(perfusion_w_per_k), REAL, RANGE(0.05, 10), .def = 1.0,
	  .unit = "W/K", .text = "the body's coupling to the pad (blood flow under it)" },
	{ .name = "supply_v", SIMULATE(supply_v), REAL, RANGE(0, 16), .def = 12, .unit = "V",
	  .text = "the Peltier supply" },
	{ .name = "fan_w_per_k", SIMULATE(fan_w_per_k), REAL, RANGE(0, 50), .def = 4, .unit = "W/K",
	  .text = "the heatsink to the air while its fan runs" },
	{ .name = "glitch_c", SIMULATE(glitch_c), REAL, RANGE(-10, 10), .def = 2, .unit = "C",
	  .text = "--inject sensor-glitch: the one sample reads this much high (negative: low)" },
};

const int config_n_keys = ARRAY_LEN(config_keys);

_Static_assert(ARRAY_LEN(config_keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

const struct config_key *config_schema_find(enum config_section s, const char *name)
{
	for (int i = 0; i < config_n_keys; i++)
		if (config_keys[i].section == s && strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

int config_schema_section(const char *word)
{
	for (int s = 0; s < CONFIG_SECTION_COUNT; s++)
		if (strcmp(config_sections[s].word, word) == 0)
			return s;
	return -1;
}

bool config_schema_choice(const struct config_key *k, const char *name, int *value)
{
	for (const struct config_choice *c = k->choices; c != NULL && c->name != NULL; c++) {
		if (strcmp(c->name, name) == 0) {
			*value = c->value;
			return true;
		}
	}
	return false;
}

const char *config_schema_choice_name(const struct config_key *k, int value)
{
	for (const struct config_choice *c = k->choices; c != NULL && c->name != NULL; c++)
		if (c->value == value)
			return c->name;
	return NULL;
}
