/* SPDX-License-Identifier: MIT */
/*
 * The configuration, as data. Parsing (inih, file I/O, FILE:LINE errors)
 * lives in the shell: src/daemon/config_parse.h. The core only reads this.
 *
 * Every key, its default and its range: docs/configuration.md.
 */
#ifndef CONTRASTD_CONFIG_H
#define CONTRASTD_CONFIG_H

#include <stdbool.h>
#include "limits.h"
#include "pid.h"
#include "program.h"
#include "safety.h"
#include "thermistor.h"

struct config_daemon {
	double control_hz;              /* control loop rate, default 10 */
	double pwm_period_s;            /* time-proportioning period, default 1 */
	double dead_time_ms;            /* H-bridge polarity change dead time, default 200 */
	char iio_context[PATH_LEN];     /* "local:" or "ip:HOST", default "local:" */
	char state_dir[PATH_LEN];       /* default /var/lib/contrastd */
	char socket[PATH_LEN];          /* default /run/contrastd/control.sock */
	int keep_sessions;              /* session records kept, default 100 */
};

struct config_button {
	bool present;                   /* a [button] line was given */
	char line[LINE_SPEC_LEN];
	bool active_low;                /* default true (pull-up, button to ground) */
	int debounce_ms;                /* default 30 */
	double long_press_s;            /* default 2 */
};

struct config_zone {
	char name[NAME_LEN];
	char heat[LINE_SPEC_LEN];       /* H-bridge polarity line: pad heats */
	char cool[LINE_SPEC_LEN];       /* H-bridge polarity line: pad cools */
	char enable[LINE_SPEC_LEN];     /* optional PWM enable line, "" if absent */
	char fan[LINE_SPEC_LEN];        /* optional heatsink fan line, "" if absent */
	bool active_low;                /* all of this zone's lines are active-low, default false */
	char pad_sensor[SENSOR_SPEC_LEN];       /* DEVICE/CHANNEL */
	char pad_sensor2[SENSOR_SPEC_LEN];      /* optional, "" if absent */
	char heatsink_sensor[SENSOR_SPEC_LEN];
	double fan_runon_s;             /* fan stays on this long after the Peltier stops, default 60 */
	struct pid_params pid;
};

struct config {
	char path[PATH_LEN];            /* the file it came from, for messages */
	struct config_daemon daemon;
	struct config_button button;
	struct thermistor_params thermistor;
	struct program programs[MAX_PROGRAMS];  /* [program] is programs[0], named "default" */
	int n_programs;
	struct config_zone zones[MAX_ZONES];
	int n_zones;
	struct safety_params safety;
	char power_line[LINE_SPEC_LEN]; /* [safety] power: cuts the Peltier supply, "" if absent */
	bool power_active_low;
};

/* Fill every default (no zones, one program "default" with default values). */
void config_defaults(struct config *c);

/* Index of the program with that name, or -1. NULL or "" names the default program. */
int config_find_program(const struct config *c, const char *name);

#endif
