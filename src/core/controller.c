/* SPDX-License-Identifier: MIT */
/* The session state machine and the per-tick control step. See controller.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "controller.h"

const char *session_state_name(enum session_state s)
{
	switch (s) {
	case SESSION_IDLE: return "idle";
	case SESSION_RUNNING: return "running";
	case SESSION_COMPLETED: return "completed";
	case SESSION_STOPPED: return "stopped";
	case SESSION_FAULT: return "fault";
	}
	return "unknown";
}

static void zone_names(const struct controller *c, const char *names[MAX_ZONES])
{
	for (int z = 0; z < MAX_ZONES; z++)
		names[z] = z < c->cfg->n_zones ? c->cfg->zones[z].name : "?";
}

static void outputs_off(struct tick_outputs *out)
{
	memset(out, 0, sizeof(*out));
}

/* This tick's readings: every configured sensor of every zone plausible. */
static bool all_readings_ok(const struct controller *c)
{
	for (int z = 0; z < c->cfg->n_zones; z++) {
		const struct zone_run *zr = &c->zone[z];

		if (zr->pad.status != READING_OK || zr->heatsink.status != READING_OK)
			return false;
		if (c->cfg->zones[z].pad_sensor2[0] && zr->pad2.status != READING_OK)
			return false;
	}
	return true;
}

void controller_init(struct controller *c, const struct config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->state = SESSION_IDLE;
	c->program_index = -1;
	for (int z = 0; z < MAX_ZONES; z++) {
		c->zone[z].pad_c = NAN;
		c->zone[z].setpoint_c = NAN;
		c->zone[z].last_driven_s = -INFINITY;
		pid_reset(&c->zone[z].pid);
		c->zone[z].pad_uncal_c = NAN;
		c->zone[z].pad2_uncal_c = NAN;
		c->zone[z].dose_heat_c = NAN;
		c->zone[z].dose_cold_c = NAN;
	}
	c->tune_zone = -1;
	safety_init(&c->safety, &cfg->safety, cfg->n_zones);
	safety_set_control_period(&c->safety, 1.0 / cfg->daemon.control_hz);
}

int controller_reconfigure(struct controller *c, const struct config *cfg)
{
	if (c->state == SESSION_RUNNING && cfg->n_zones != c->cfg->n_zones)
		return -1;
	c->cfg = cfg;
	/* Keep the latch and the tracking; take the new thresholds. */
	c->safety.params = cfg->safety;
	safety_set_control_period(&c->safety, 1.0 / cfg->daemon.control_hz);
	return 0;
}

double controller_session_s(const struct controller *c, double now_s)
{
	if (c->program_index < 0)
		return 0.0;
	if (c->state == SESSION_RUNNING)
		return now_s - c->session_start_s;
	return c->session_end_s - c->session_start_s;
}

static void end_session(struct controller *c, enum session_state how, double now_s)
{
	c->state = how;
	c->session_end_s = now_s;
	for (int z = 0; z < c->cfg->n_zones; z++)
		c->zone[z].setpoint_c = NAN;
}

void controller_allow_dose(struct controller *c, const struct dose_amount allowance[MAX_ZONES])
{
	memcpy(c->next_allowance, allowance, sizeof(c->next_allowance));
	c->next_allowance_set = true;
}

void controller_set_calibration(struct controller *c, int zone, int which, const struct cal_sensor *cal)
{
	if (zone < 0 || zone >= MAX_ZONES || which < 0 || which > 1)
		return;
	if (cal)
		c->cal[zone][which] = *cal;
	else
		memset(&c->cal[zone][which], 0, sizeof(c->cal[zone][which]));
}

void controller_restore_fault(struct controller *c, const struct fault *f)
{
	if (safety_latched(&c->safety))
		return;
	safety_trip(&c->safety, f);
	c->state = SESSION_FAULT;
}

/* The allowance of the session about to start: the shell's, else the session budgets. */
static void take_allowance(struct controller *c, struct dose_amount allowed[MAX_ZONES])
{
	const struct dose_params *p = &c->cfg->dose;

	for (int z = 0; z < MAX_ZONES; z++) {
		allowed[z].heat_min = fmin(p->heat_dose_min, HARD_MAX_HEAT_DOSE_DAY_MIN);
		allowed[z].cold_min = fmin(p->cold_min, HARD_MAX_COLD_MIN);
		if (c->next_allowance_set) {
			allowed[z].heat_min = fmin(allowed[z].heat_min, c->next_allowance[z].heat_min);
			allowed[z].cold_min = fmin(allowed[z].cold_min, c->next_allowance[z].cold_min);
		}
	}
}

int controller_start(struct controller *c, const char *program, double now_s,
		     char *why, size_t why_len)
{
	const char *names[MAX_ZONES];
	struct dose_amount allowed[MAX_ZONES], planned;

	if (c->state == SESSION_RUNNING) {
		snprintf(why, why_len, "a session is running already");
		return -1;
	}
	if (controller_autotune_active(c)) {
		snprintf(why, why_len, "autotune is running (stop ends it)");
		return -1;
	}
	if (!c->primed) {
		snprintf(why, why_len, "no sensor readings yet");
		return -1;
	}
	int index = config_find_program(c->cfg, program);

	if (index < 0) {
		snprintf(why, why_len, "no program named '%s'", program);
		return -1;
	}
	zone_names(c, names);
	if (safety_start_check(&c->safety, &c->last_safety_input, names, why, why_len) < 0)
		return -1;
	const struct program *pr = &c->cfg->programs[index];

	if (safety_program_check(&c->safety, pr->name, pr->warm_c, pr->cool_c, why, why_len) < 0)
		return -1;

	take_allowance(c, allowed);
	planned = dose_planned(&c->cfg->programs[index], c->cfg->dose.cold_c);
	for (int z = 0; z < c->cfg->n_zones; z++) {
		if (planned.heat_min > allowed[z].heat_min + 1e-9) {
			snprintf(why, why_len, "%s pad: this program needs %.2f CEM43 min of heat dose, more "
				 "than the %.2f allowed", names[z], planned.heat_min, allowed[z].heat_min);
			return -1;
		}
		if (planned.cold_min > allowed[z].cold_min + 1e-9) {
			snprintf(why, why_len, "%s pad: this program needs %.1f min at or below %.1f C, more "
				 "than the %.1f allowed", names[z], planned.cold_min, c->cfg->dose.cold_c,
				 allowed[z].cold_min);
			return -1;
		}
	}
	c->next_allowance_set = false;

	c->program_index = index;
	c->program = c->cfg->programs[index];
	program_run_start(&c->run, now_s);
	c->session_start_s = now_s;
	c->session_end_s = now_s;
	c->state = SESSION_RUNNING;
	c->phase_event_pending = true;
	for (int z = 0; z < c->cfg->n_zones; z++) {
		struct zone_run *zr = &c->zone[z];

		pid_session_start(&zr->pid);
		memset(&zr->stats, 0, sizeof(zr->stats));
		zr->stats.max_pad_c = -INFINITY;
		zr->stats.min_pad_c = INFINITY;
		zr->stats.max_heatsink_c = -INFINITY;
		zr->dose_used.heat_min = zr->dose_used.cold_min = 0.0;
		zr->dose_allowed = allowed[z];
		zr->dose_heat_c = zr->dose_cold_c = NAN;
		zr->setpoint_c = program_phase_setpoint_c(&c->program, 0);
	}
	safety_session_started(&c->safety, now_s);
	return 0;
}

bool controller_autotune_active(const struct controller *c)
{
	return c->tune_zone >= 0 && autotune_active(&c->tune);
}

int controller_autotune_start(struct controller *c, int zone, double now_s, char *why, size_t why_len)
{
	const char *names[MAX_ZONES];

	if (c->state == SESSION_RUNNING) {
		snprintf(why, why_len, "a session is running: autotune only while idle");
		return -1;
	}
	if (controller_autotune_active(c)) {
		snprintf(why, why_len, "autotune is running already");
		return -1;
	}
	if (safety_latched(&c->safety)) {
		snprintf(why, why_len, "a safety fault is latched: acknowledge it first");
		return -1;
	}
	if (zone < 0 || zone >= c->cfg->n_zones) {
		snprintf(why, why_len, "no such zone");
		return -1;
	}
	if (!c->primed) {
		snprintf(why, why_len, "no sensor readings yet");
		return -1;
	}
	zone_names(c, names);
	if (safety_start_check(&c->safety, &c->last_safety_input, names, why, why_len) < 0)
		return -1;
	int index = config_find_program(c->cfg, NULL);

	if (index < 0) {
		snprintf(why, why_len, "no default program to take the midpoints from");
		return -1;
	}
	const struct program *pr = &c->cfg->programs[index];

	if (safety_program_check(&c->safety, pr->name, pr->warm_c, pr->cool_c, why, why_len) < 0)
		return -1;
	struct autotune_params p;

	autotune_default_params(&p, pr->warm_c, pr->cool_c, fmin(c->cfg->zones[zone].pid.max_duty, HARD_MAX_DUTY),
				c->cfg->daemon.pwm_period_s);
	autotune_start(&c->tune, &p, now_s);
	c->tune_zone = zone;
	for (int z = 0; z < c->cfg->n_zones; z++)
		c->zone[z].setpoint_c = NAN;
	pid_session_start(&c->zone[zone].pid);
	safety_session_started(&c->safety, now_s);
	return 0;
}

int controller_autotune_cancel(struct controller *c, const char *why)
{
	if (!controller_autotune_active(c))
		return -1;
	autotune_cancel(&c->tune, why);
	c->zone[c->tune_zone].setpoint_c = NAN;
	outputs_off(&c->out);
	return 0;
}

int controller_stop(struct controller *c, double now_s)
{
	if (c->state != SESSION_RUNNING)
		return -1;
	end_session(c, SESSION_STOPPED, now_s);
	outputs_off(&c->out);
	return 0;
}

int controller_ack(struct controller *c, double now_s, char *why, size_t why_len)
{
	if (!safety_latched(&c->safety)) {
		snprintf(why, why_len, "no fault to acknowledge");
		return -1;
	}
	if (safety_acknowledge(&c->safety, now_s) < 0) {
		const char *names[MAX_ZONES];
		char desc[256];

		zone_names(c, names);
		safety_describe(safety_latched_fault(&c->safety), names, desc, sizeof(desc));
		snprintf(why, why_len, "the cause has not cleared yet (%s): readings must be plausible "
			 "and inside the limits for %.0f s", desc,
			 safety_clear_s(&c->safety.params));
		return -1;
	}
	c->state = SESSION_IDLE;
	return 0;
}

void controller_output_error(struct controller *c, double now_s, int zone)
{
	struct fault f = {
		.kind = FAULT_OUTPUT_ERROR,
		.zone = zone,
		.value = 0.0,
		.limit = 0.0,
		.at_s = controller_session_s(c, now_s),
	};

	snprintf(f.sensor, sizeof(f.sensor), "output");
	controller_autotune_cancel(c, "an output failed");
	if (!safety_latched(&c->safety))
		safety_trip(&c->safety, &f);
	if (c->state == SESSION_RUNNING)
		end_session(c, SESSION_FAULT, now_s);
	else
		c->state = SESSION_FAULT;
	outputs_off(&c->out);
}

/* Where a sample becomes a reading: the pad sensor's calibration (calibration.h). */
static void calibrate(struct reading *r, const struct cal_sensor *cal, double *uncal_c)
{
	if (r->status != READING_OK) {
		*uncal_c = NAN;
		return;
	}
	*uncal_c = r->temp_c;
	r->temp_c = cal_apply(cal, r->temp_c);
}

/*
 * Add dt_s of dose to every zone, from its pad readings taken
 * conservatively (the hotter pad sensor plus SAFETY_SENSOR_ERROR_C for heat,
 * the colder minus it for cold; a tick without a reading counts as the
 * last one that had one). Returns the first zone past its allowance, with
 * the fault filled, or -1.
 */
static int add_dose(struct controller *c, double dt_s, double session_s, struct fault *f)
{
	const struct config *cfg = c->cfg;

	for (int z = 0; z < cfg->n_zones; z++) {
		struct zone_run *zr = &c->zone[z];
		bool has_pad2 = cfg->zones[z].pad_sensor2[0] != '\0';
		double hot = -INFINITY, cold = INFINITY;

		if (zr->pad.status == READING_OK) {
			hot = zr->pad.temp_c;
			cold = zr->pad.temp_c;
		}
		if (has_pad2 && zr->pad2.status == READING_OK) {
			hot = fmax(hot, zr->pad2.temp_c);
			cold = fmin(cold, zr->pad2.temp_c);
		}
		if (isfinite(hot)) {
			zr->dose_heat_c = hot + SAFETY_SENSOR_ERROR_C;
			zr->dose_cold_c = cold - SAFETY_SENSOR_ERROR_C;
		}
		zr->dose_used.heat_min += dose_cem43_min(zr->dose_heat_c, dt_s);
		zr->dose_used.cold_min += dose_cold_min(zr->dose_cold_c, cfg->dose.cold_c, dt_s);
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_run *zr = &c->zone[z];
		bool heat = zr->dose_used.heat_min > zr->dose_allowed.heat_min + 1e-9;

		if (!heat && !(zr->dose_used.cold_min > zr->dose_allowed.cold_min + 1e-9))
			continue;
		memset(f, 0, sizeof(*f));
		f->kind = FAULT_DOSE;
		f->zone = z;
		snprintf(f->sensor, sizeof(f->sensor), "pad");
		snprintf(f->detail, sizeof(f->detail), "%s", heat ? "heat" : "cold");
		f->value = heat ? zr->dose_used.heat_min : zr->dose_used.cold_min;
		f->limit = heat ? zr->dose_allowed.heat_min : zr->dose_allowed.cold_min;
		f->at_s = session_s;
		return z;
	}
	return -1;
}

/* The pad temperature the PID works on: the mean of the pad sensors that read fine. */
static double pad_temperature(const struct zone_run *zr, bool has_pad2)
{
	if (zr->pad.status != READING_OK)
		return NAN;
	if (!has_pad2)
		return zr->pad.temp_c;
	if (zr->pad2.status != READING_OK)
		return NAN;
	return 0.5 * (zr->pad.temp_c + zr->pad2.temp_c);
}

static bool all_zones_in_band(const struct controller *c)
{
	for (int z = 0; z < c->cfg->n_zones; z++) {
		const struct zone_run *zr = &c->zone[z];

		if (isnan(zr->pad_c) || fabs(zr->pad_c - zr->setpoint_c) > c->program.band_c)
			return false;
	}
	return true;
}

static void update_stats(struct controller *c)
{
	for (int z = 0; z < c->cfg->n_zones; z++) {
		struct zone_run *zr = &c->zone[z];
		struct zone_stats *st = &zr->stats;

		st->ticks_running++;
		if (!isnan(zr->pad_c)) {
			if (zr->pad_c > st->max_pad_c)
				st->max_pad_c = zr->pad_c;
			if (zr->pad_c < st->min_pad_c)
				st->min_pad_c = zr->pad_c;
			if (fabs(zr->pad_c - zr->setpoint_c) <= c->program.band_c)
				st->ticks_in_band++;
		}
		if (zr->heatsink.status == READING_OK && zr->heatsink.temp_c > st->max_heatsink_c)
			st->max_heatsink_c = zr->heatsink.temp_c;
	}
}

void controller_tick(struct controller *c, double now_s, const struct tick_inputs *in,
		     struct tick_outputs *out, struct tick_events *ev)
{
	const struct config *cfg = c->cfg;
	double dt_s = c->primed ? now_s - c->prev_tick_s : 1.0 / cfg->daemon.control_hz;
	struct safety_input si;
	struct safety_verdict verdict;

	memset(ev, 0, sizeof(*ev));
	if (dt_s <= 0.0)
		dt_s = 1e-3;

	/* 1. Interpret every sample. */
	for (int z = 0; z < cfg->n_zones; z++) {
		struct zone_run *zr = &c->zone[z];
		bool has_pad2 = cfg->zones[z].pad_sensor2[0] != '\0';

		int64_t prev_raw = zr->pad.raw, prev_raw2 = zr->pad2.raw;
		bool had_pad = zr->pad.status == READING_OK;

		sensor_interpret(&cfg->thermistor, &in->pad[z], &zr->pad);
		calibrate(&zr->pad, &c->cal[z][0], &zr->pad_uncal_c);
		if (has_pad2) {
			sensor_interpret(&cfg->thermistor, &in->pad2[z], &zr->pad2);
			calibrate(&zr->pad2, &c->cal[z][1], &zr->pad2_uncal_c);
		} else {
			memset(&zr->pad2, 0, sizeof(zr->pad2));
			zr->pad2_uncal_c = NAN;
		}
		sensor_interpret(&cfg->thermistor, &in->heatsink[z], &zr->heatsink);
		zr->pad_c = pad_temperature(zr, has_pad2);
		/* Raw values that do not move at all: a stuck ADC or wire (or a very quiet one). */
		if (!isnan(zr->pad_c) && had_pad && zr->pad.raw == prev_raw && (!has_pad2 || zr->pad2.raw == prev_raw2))
			zr->pad_frozen_s += dt_s;
		else
			zr->pad_frozen_s = 0.0;

		/* The observer watches always, with what drove the pad since the last tick. */
		struct pid_reading pr = {
			.pad_c = zr->pad_c,
			.frozen_s = zr->pad_frozen_s,
			.sink_c = zr->heatsink.status == READING_OK ? zr->heatsink.temp_c : NAN,
		};

		pid_observe(&zr->pid, &pr, c->primed ? c->out.duty[z] : 0.0, dt_s, cfg->safety.sensor_lag_s);
	}

	/* 2. The program clock and the setpoints. */
	if (c->state == SESSION_RUNNING) {
		if (c->phase_event_pending) {
			ev->phase_changed = true;
			c->phase_event_pending = false;
		}
		if (program_run_advance(&c->program, &c->run, now_s, all_zones_in_band(c))) {
			if (c->run.done) {
				end_session(c, SESSION_COMPLETED, now_s);
				ev->session_ended = true;
			} else {
				ev->phase_changed = true;
			}
		}
		if (c->state == SESSION_RUNNING)
			for (int z = 0; z < cfg->n_zones; z++)
				c->zone[z].setpoint_c = program_phase_setpoint_c(&c->program, c->run.phase);
	}

	/* 2b. Autotune: its command for its zone (the midpoint is the supervisor's setpoint). */
	struct autotune_command tune_cmd = { .use_controller = false };
	bool tuning = controller_autotune_active(c);

	if (tuning) {
		autotune_step(&c->tune, now_s, &c->zone[c->tune_zone].pid.obs, &tune_cmd);
		if (!autotune_active(&c->tune)) {
			tuning = false;
			ev->autotune_ended = true;
			c->zone[c->tune_zone].setpoint_c = NAN;
		} else {
			c->zone[c->tune_zone].setpoint_c = tune_cmd.setpoint_c;
		}
	}

	/* 3. The supervisor, on what drove the pads since the last tick. */
	memset(&si, 0, sizeof(si));
	si.n_zones = cfg->n_zones;
	si.running = c->state == SESSION_RUNNING || tuning;
	si.session_elapsed_s = c->state == SESSION_RUNNING ? now_s - c->session_start_s :
			       tuning ? now_s - c->tune.started_s : 0.0;
	si.session_planned_s = tuning ? AUTOTUNE_MAX_S : program_planned_s(&c->program);
	si.loop_gap_s = in->loop_gap_s;
	si.output_error_zone = -1;
	for (int z = 0; z < cfg->n_zones; z++) {
		struct safety_zone_input *sz = &si.zone[z];
		struct zone_run *zr = &c->zone[z];

		sz->pad = zr->pad;
		sz->pad2 = zr->pad2;
		sz->has_pad2 = cfg->zones[z].pad_sensor2[0] != '\0';
		sz->heatsink = zr->heatsink;
		sz->setpoint_c = zr->setpoint_c;
		sz->duty = c->out.duty[z];
		sz->max_duty = cfg->zones[z].pid.max_duty;
	}
	safety_check(&c->safety, now_s, &si, &verdict);
	c->last_safety_input = si;
	if (verdict.trip) {
		ev->fault_tripped = true;
		if (c->state == SESSION_RUNNING) {
			end_session(c, SESSION_FAULT, now_s);
			ev->session_ended = true;
		} else {
			c->state = SESSION_FAULT;
		}
		if (tuning) {
			controller_autotune_cancel(c, "a safety fault tripped");
			tuning = false;
			ev->autotune_ended = true;
		}
	}

	/* The dose of the time since the last tick; a budget used up trips now, before any output. */
	if (c->state == SESSION_RUNNING) {
		struct fault f;

		if (add_dose(c, c->primed ? now_s - c->prev_tick_s : 0.0, si.session_elapsed_s, &f) >= 0) {
			safety_trip(&c->safety, &f);
			ev->fault_tripped = true;
			end_session(c, SESSION_FAULT, now_s);
			ev->session_ended = true;
		}
	}

	/* 4 and 5. The PID and the outputs: nothing drives unless running and not tripped. */
	outputs_off(out);
	bool running = c->state == SESSION_RUNNING;
	struct safety_limits lim;

	safety_limits(&c->safety, &lim);
	struct pid_bounds bounds = {
		.max_pad_c = lim.max_pad_c,
		.min_pad_c = lim.min_pad_c,
		.predict_ahead_s = lim.predict_ahead_s,
		.slope_age_s = lim.slope_age_s,
		.sensor_lag_s = cfg->safety.sensor_lag_s,
		.unmodelled_lag_s = lim.lag_s,
		.actuation_delay_s = cfg->daemon.pwm_period_s,
		.dead_time_s = cfg->daemon.dead_time_ms / 1000.0,
	};

	for (int z = 0; z < cfg->n_zones; z++) {
		struct zone_run *zr = &c->zone[z];
		const struct config_zone *zc = &cfg->zones[z];
		double duty = 0.0;

		/* No pad temperature: no PID step at all (it would learn a made-up value). */
		if (running && !isnan(zr->pad_c)) {
			duty = pid_step(&zc->pid, &bounds, &zr->pid, zr->setpoint_c, dt_s, verdict.zone_inhibit[z]);
			if (verdict.zone_inhibit[z])
				duty = 0.0;
		} else if (tuning && z == c->tune_zone && !isnan(zr->pad_c)) {
			/* Autotune: the controller in the approach, the relay's duty after. */
			duty = tune_cmd.use_controller ?
			       pid_step(&zc->pid, &bounds, &zr->pid, zr->setpoint_c, dt_s, verdict.zone_inhibit[z]) :
			       tune_cmd.duty;
			if (verdict.zone_inhibit[z])
				duty = 0.0;
		}
		out->duty[z] = duty;
		if (duty != 0.0)
			zr->last_driven_s = now_s;
		/* The fan runs while the Peltier works and for the run-on after; never after a trip. */
		out->fan[z] = c->state != SESSION_FAULT &&
			      (duty != 0.0 || now_s - zr->last_driven_s < zc->fan_runon_s);
	}
	out->power = running || tuning;
	out->readings_ok = all_readings_ok(c);
	if (running)
		update_stats(c);

	c->out = *out;
	c->prev_tick_s = now_s;
	c->primed = true;
}
