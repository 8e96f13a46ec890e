/* SPDX-License-Identifier: MIT */
/*
 * The configuration, as data. Parsing (inih, file I/O, FILE:LINE errors)
 * lives in the shell: src/daemon/config_parse.h. The core only reads this.
 *
 * Every key's default, range, unit and meaning: one row each in the schema,
 * src/core/config_schema.c (docs/configuration.md lists them). The comments
 * here say only what the table cannot: how the fields hang together.
 */
#ifndef CONTRASTD_CONFIG_H
#define CONTRASTD_CONFIG_H

#include <stdbool.h>
#include "limits.h"
#include "pid.h"
#include "config_schema.h"
#include "dose.h"
#include "program.h"
#include "safety.h"
#include "thermistor.h"

/* [daemon] */
struct config_daemon {
	double control_hz;
	double pwm_period_s;
	double dead_time_ms;
	char iio_context[PATH_LEN];     /* "local:" or "ip:HOST" */
	char state_dir[PATH_LEN];
	char socket[PATH_LEN];
	int keep_sessions;
	bool realtime;                  /* SCHED_FIFO and mlockall (lib/realtime.h) */
};

/* [button] start_press: which press starts a session from idle. */
enum start_press {
	START_PRESS_SHORT,
	START_PRESS_LONG,
};

/* [safety] power_mode: how the power line holds the Peltier supply relay (core/charge_pump.h). */
enum power_mode {
	POWER_MODE_LEVEL,               /* active while a session runs and nothing has tripped */
	POWER_MODE_CHARGE_PUMP,         /* a square wave at charge_pump_hz while the loop is healthy */
};

/* [button] */
struct config_button {
	bool present;                   /* a [button] section was given (not a key) */
	char line[LINE_SPEC_LEN];
	bool active_low;
	int debounce_ms;
	double long_press_s;
	char led[LINE_SPEC_LEN];        /* the status light, "" if absent (core/led.h) */
	bool led_active_low;
	enum start_press start_press;
};

/*
 * [simulate]: the world the simulated plant lives in, which may disagree
 * with the config (docs/simulation.md). Used with --simulate only, checked
 * always. thermistor_beta and thermistor_r25_ohm 0: what [thermistor] says.
 */
struct config_simulate {
	double thermistor_beta;
	double thermistor_r25_ohm;
	double pad_offset_c;
	double ambient_c;
	double core_c;
	double perfusion_w_per_k;
	double supply_v;
	double fan_w_per_k;
	double glitch_c;
};

/* [zone NAME] */
struct config_zone {
	char name[NAME_LEN];
	char heat[LINE_SPEC_LEN];       /* H-bridge polarity lines */
	char cool[LINE_SPEC_LEN];
	char enable[LINE_SPEC_LEN];     /* "" if absent */
	char fan[LINE_SPEC_LEN];        /* "" if absent */
	bool active_low;                /* all of this zone's lines */
	char pad_sensor[SENSOR_SPEC_LEN];       /* DEVICE/CHANNEL */
	char pad_sensor2[SENSOR_SPEC_LEN];      /* "" if absent */
	char heatsink_sensor[SENSOR_SPEC_LEN];
	double fan_runon_s;
	struct pid_params pid;
};

struct config {
	char path[PATH_LEN];            /* the file it came from, for messages */
	struct config_daemon daemon;
	struct config_button button;
	struct thermistor_params thermistor;    /* [thermistor] */
	struct program programs[MAX_PROGRAMS];  /* [program] is programs[0], named "default" */
	int n_programs;
	struct config_zone zones[MAX_ZONES];
	int n_zones;
	/* [safety]: the schema's offsets for it are into struct config itself. */
	struct safety_params safety;
	char power_line[LINE_SPEC_LEN]; /* [safety] power: cuts the Peltier supply, "" if absent */
	bool power_active_low;
	enum power_mode power_mode;     /* [safety] power_mode */
	double charge_pump_hz;          /* [safety] charge_pump_hz */
	struct dose_params dose;        /* [safety] dose budgets */
	int lockout_after;              /* [safety] lockout_after */
	struct config_simulate simulate;        /* [simulate] */
};

/*
 * Fill every default from the schema: no zones, one program "default".
 * Every slot of programs[] and zones[] gets the defaults, not only the
 * counted ones, so a [program NAME] or [zone NAME] starts from them.
 */
void config_defaults(struct config *c);

/*
 * The struct the keys of section s are offsets into (struct config_key's
 * offset): instance i of [zone NAME] (0 .. MAX_ZONES - 1) or of [program]
 * (0 .. MAX_PROGRAMS - 1, 0 being [program]); the section itself for the
 * others, i = 0. NULL for an instance past the last.
 */
void *config_section_base(struct config *c, enum config_section s, int i);

/* Index of the program with that name, or -1. NULL or "" names the default program. */
int config_find_program(const struct config *c, const char *name);

#endif
