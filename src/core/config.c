/* SPDX-License-Identifier: MIT */
/*
 * The configuration's defaults, and finding a program by name. Pure: no
 * I/O. Parsing is in the shell (src/daemon/config_parse.c); every key,
 * default and range is in docs/configuration.md.
 */
#include <string.h>
#include "config.h"

/*
 * PID gains, in duty per C, duty per C per second and duty
 * per (C per second). The one place they are written down: a zone that
 * sets no gains gets these. Tuned on the reference plant (docs/simulation.md):
 * the pad holds within 0.2 C of setpoints from 14 to 40 C, with no overshoot
 * past 0.3 C on the way in.
 */
static const struct pid_gains default_heat_gains = { .kp = 0.3, .ki = 0.02, .kd = 1.0 };
static const struct pid_gains default_cool_gains = { .kp = 0.8, .ki = 0.04, .kd = 1.5 };

/* A latched fault's cause counts as gone after this long clear. Not a key. */
#define SAFETY_CLEAR_S 5.0

static void program_defaults(struct program *p)
{
	memset(p, 0, sizeof(*p));
	p->warm_c = 38.0;
	p->cool_c = 18.0;
	p->warm_s = 180.0;
	p->cool_s = 60.0;
	p->cycles = 4;
	p->first = PHASE_WARM;
	p->last = PHASE_COOL;
	p->clock = PHASE_CLOCK_SETTLED;
	p->band_c = 0.5;
	p->settle_max_s = 300.0;
}

static void zone_defaults(struct config_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->active_low = false;
	z->fan_runon_s = 60.0;
	z->pid.heat = default_heat_gains;
	z->pid.cool = default_cool_gains;
	z->pid.max_duty = 1.0;
	z->pid.deadband = 0.02;
	z->pid.d_filter_s = 1.0;
	z->pid.integral_band_c = 1.5;
}

static void safety_defaults(struct safety_params *s)
{
	memset(s, 0, sizeof(*s));
	s->max_pad_c = 42.0;
	s->min_pad_c = 12.0;
	s->max_heatsink_c = 60.0;
	s->start_max_heatsink_c = 40.0;
	s->sensor_lag_s = 2.0;
	s->read_fail_count = 3;
	s->stale_s = 20.0;
	s->stale_min_duty = 0.05;
	s->disagree_c = 2.0;
	s->disagree_s = 3.0;
	s->max_rate_c_per_s = 2.0;
	s->heat_gain_c = 1.0;
	s->heat_gain_time_s = 8.0;
	s->cool_gain_c = 1.0;
	s->cool_gain_time_s = 60.0;
	s->hysteresis_c = 1.0;
	s->max_error_c_s = 120.0;
	s->away_c = 1.5;
	s->overrun_s = 1.0;
	s->session_margin_s = 300.0;
	s->clear_s = SAFETY_CLEAR_S;
}

/*
 * Every slot of programs[] and zones[] is filled with defaults too, not
 * only the counted ones: the parser starts each new [program NAME] and
 * [zone NAME] from the slot as it is, so a named program starts from the
 * defaults and never from [program]'s values.
 */
void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));

	c->daemon.control_hz = 10.0;
	c->daemon.pwm_period_s = 1.0;
	c->daemon.dead_time_ms = 200.0;
	strcpy(c->daemon.iio_context, "local:");
	strcpy(c->daemon.state_dir, "/var/lib/contrastd");
	strcpy(c->daemon.socket, "/run/contrastd/control.sock");
	c->daemon.keep_sessions = 100;

	c->button.present = false;
	c->button.active_low = true;
	c->button.debounce_ms = 30;
	c->button.long_press_s = 2.0;

	c->thermistor.beta = 3950.0;
	c->thermistor.r25_ohm = 10000.0;
	c->thermistor.series_ohm = 10000.0;
	c->thermistor.supply_mv = 3300.0;
	c->thermistor.ntc_to = NTC_TO_GROUND;
	c->thermistor.has_sh = false;

	for (int i = 0; i < MAX_PROGRAMS; i++)
		program_defaults(&c->programs[i]);
	strcpy(c->programs[0].name, "default");
	c->n_programs = 1;

	for (int i = 0; i < MAX_ZONES; i++)
		zone_defaults(&c->zones[i]);
	c->n_zones = 0;

	safety_defaults(&c->safety);
	c->power_active_low = false;
}

int config_find_program(const struct config *c, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return c->n_programs > 0 ? 0 : -1;
	for (int i = 0; i < c->n_programs; i++)
		if (strcmp(c->programs[i].name, name) == 0)
			return i;
	return -1;
}
