/* SPDX-License-Identifier: MIT */
/* The `status` and `programs` JSON. See status_json.h and docs/control.md. */
#include <math.h>
#include <time.h>
#include "core/led.h"
#include "lib/json_out.h"
#include "status_json.h"

double status_session_left_s(const struct controller *c, double now_s)
{
	const struct program *p = &c->program;

	if (c->state != SESSION_RUNNING || c->run.done)
		return 0.0;
	double left_s = program_run_phase_left_s(p, &c->run, now_s);
	int n = program_phase_count(p);

	for (int i = c->run.phase + 1; i < n; i++)
		left_s += program_phase_length_s(p, i);
	return left_s;
}

/* A reading's temperature, or null when there is none to trust. */
static void reading_value(struct json_out *j, const struct controller *c, const struct reading *r)
{
	if (c->primed && r->status == READING_OK)
		json_out_number(j, r->temp_c, 2);
	else
		json_out_null(j);
}

static void reading_status(struct json_out *j, const struct controller *c, const struct reading *r)
{
	json_out_string(j, c->primed ? reading_status_name(r->status) : "none");
}

static void fault_json(struct json_out *j, const struct controller *c, double now_s)
{
	const struct config *cfg = c->cfg;
	const struct fault *f = safety_latched_fault(&c->safety);
	const char *names[MAX_ZONES];
	char desc[256];

	for (int z = 0; z < MAX_ZONES; z++)
		names[z] = z < cfg->n_zones ? cfg->zones[z].name : "?";
	safety_describe(f, names, desc, sizeof(desc));

	json_out_begin_object(j);
	json_out_key(j, "kind");
	json_out_string(j, fault_kind_name(f->kind));
	json_out_key(j, "zone");
	json_out_string(j, f->zone >= 0 && f->zone < cfg->n_zones ? cfg->zones[f->zone].name : NULL);
	json_out_key(j, "at_s");
	json_out_number(j, f->at_s, 1);
	json_out_key(j, "sensor");
	json_out_string(j, f->sensor[0] ? f->sensor : NULL);
	json_out_key(j, "detail");
	json_out_string(j, f->detail[0] ? f->detail : NULL);
	json_out_key(j, "value");
	json_out_number(j, f->value, 2);
	json_out_key(j, "limit");
	json_out_number(j, f->limit, 2);
	json_out_key(j, "description");
	json_out_string(j, desc);
	json_out_key(j, "ack_possible");
	json_out_bool(j, safety_cause_cleared(&c->safety, now_s));
	json_out_key(j, "clear_s");
	json_out_number(j, c->safety.params.clear_s, 1);
	json_out_end_object(j);
}

static void zone_json(struct json_out *j, const struct controller *c, int z, const struct status_extra *x)
{
	const struct config_zone *zc = &c->cfg->zones[z];
	const struct zone_run *zr = &c->zone[z];
	bool has_pad2 = zc->pad_sensor2[0] != '\0';

	json_out_begin_object(j);
	json_out_key(j, "name");
	json_out_string(j, zc->name);
	json_out_key(j, "setpoint_c");
	json_out_number(j, c->state == SESSION_RUNNING || controller_autotune_active(c) ? zr->setpoint_c : NAN, 2);
	json_out_key(j, "pad_c");
	reading_value(j, c, &zr->pad);
	json_out_key(j, "pad_status");
	reading_status(j, c, &zr->pad);
	json_out_key(j, "pad2_c");
	if (has_pad2)
		reading_value(j, c, &zr->pad2);
	else
		json_out_null(j);
	json_out_key(j, "pad2_status");
	if (has_pad2)
		reading_status(j, c, &zr->pad2);
	else
		json_out_null(j);
	json_out_key(j, "heatsink_c");
	reading_value(j, c, &zr->heatsink);
	json_out_key(j, "heatsink_status");
	reading_status(j, c, &zr->heatsink);
	json_out_key(j, "duty");
	/* c->out: what is applied now (a stop or an output error zeroes it between ticks). */
	json_out_number(j, c->out.duty[z], 3);
	json_out_key(j, "fan");
	if (zc->fan[0])
		json_out_bool(j, c->out.fan[z]);
	else
		json_out_null(j);
	if (x && x->zone)
		x->zone(x->arg, z, j);
	json_out_end_object(j);
}

const char *reload_result_name(enum reload_result r)
{
	switch (r) {
	case RELOAD_APPLIED:
		return "applied";
	case RELOAD_PENDING:
		return "pending";
	case RELOAD_FAILED:
		return "failed";
	case RELOAD_NONE:
		break;
	}
	return NULL;
}

static void reload_json(struct json_out *j, const struct reload_outcome *r)
{
	char at[32];
	struct tm tm;

	if (r == NULL || r->result == RELOAD_NONE) {
		json_out_null(j);
		return;
	}
	gmtime_r(&r->at, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_out_begin_object(j);
	json_out_key(j, "result");
	json_out_string(j, reload_result_name(r->result));
	json_out_key(j, "at");
	json_out_string(j, at);
	json_out_key(j, "message");
	json_out_string(j, r->message[0] ? r->message : NULL);
	json_out_end_object(j);
}

int status_json_build(const struct controller *c, double now_s, char *buf, size_t len)
{
	return status_json_build_extra(c, now_s, NULL, NULL, buf, len);
}

int status_json_build_with_reload(const struct controller *c, double now_s,
				  const struct reload_outcome *reload, char *buf, size_t len)
{
	return status_json_build_extra(c, now_s, reload, NULL, buf, len);
}

/* One polarity's autotune result (docs/control.md), or null before it is measured. */
static void autotune_result_json(struct json_out *j, const struct autotune_result *r)
{
	if (!r->valid) {
		json_out_null(j);
		return;
	}
	json_out_begin_object(j);
	json_out_key(j, "midpoint_c");
	json_out_number(j, r->mid_c, 2);
	json_out_key(j, "relay_high_duty");
	json_out_number(j, r->u_hi, 3);
	json_out_key(j, "relay_low_duty");
	json_out_number(j, r->u_lo, 3);
	json_out_key(j, "cycles");
	json_out_int(j, r->cycles);
	json_out_key(j, "amplitude_c");
	json_out_number(j, r->amplitude_c, 3);
	json_out_key(j, "period_s");
	json_out_number(j, r->period_s, 2);
	json_out_key(j, "relay_gain");
	json_out_number(j, r->relay_gain, 3);
	json_out_key(j, "relay_plant_gain_c_per_s");
	json_out_number(j, r->relay_plant_gain_c_per_s, 3);
	json_out_key(j, "plant_gain_c_per_s");
	json_out_number(j, r->plant_gain_c_per_s, 3);
	json_out_key(j, "dead_time_s");
	json_out_number(j, r->dead_time_s, 3);
	json_out_key(j, "ku");
	json_out_number(j, r->ku, 3);
	json_out_key(j, "tu_s");
	json_out_number(j, r->tu_s, 2);
	json_out_key(j, "kp");
	json_out_number(j, r->kp, 2);
	json_out_key(j, "ki");
	json_out_number(j, r->ki, 2);
	json_out_key(j, "kd");
	json_out_number(j, r->kd, 2);
	json_out_end_object(j);
}

/* The autotune run under way or the last one since the daemon started; null before any. */
static void autotune_json(struct json_out *j, const struct controller *c, double now_s)
{
	const struct autotune *a = &c->tune;
	bool active = controller_autotune_active(c);

	if (c->tune_zone < 0) {
		json_out_null(j);
		return;
	}
	json_out_begin_object(j);
	json_out_key(j, "zone");
	json_out_string(j, c->cfg->zones[c->tune_zone].name);
	json_out_key(j, "state");
	json_out_string(j, autotune_stage_name(a->stage));
	json_out_key(j, "polarity");
	json_out_string(j, active ? (a->polarity > 0 ? "heat" : "cool") : NULL);
	json_out_key(j, "midpoint_c");
	json_out_number(j, active ? (a->polarity > 0 ? a->p.heat_mid_c : a->p.cool_mid_c) : NAN, 2);
	json_out_key(j, "cycles_measured");
	if (active && a->stage == AUTOTUNE_RELAY)
		json_out_int(j, a->n_measured);
	else
		json_out_null(j);
	json_out_key(j, "cycles");
	json_out_int(j, a->p.cycles);
	json_out_key(j, "elapsed_s");
	json_out_number(j, active ? now_s - a->started_s : NAN, 1);
	json_out_key(j, "why");
	json_out_string(j, a->stage == AUTOTUNE_FAILED ? a->why : NULL);
	json_out_key(j, "heat");
	autotune_result_json(j, &a->heat);
	json_out_key(j, "cool");
	autotune_result_json(j, &a->cool);
	json_out_end_object(j);
}

int status_json_build_extra(const struct controller *c, double now_s, const struct reload_outcome *reload,
			    const struct status_extra *x, char *buf, size_t len)
{
	const struct config *cfg = c->cfg;
	const struct program *p = &c->program;
	bool running = c->state == SESSION_RUNNING && !c->run.done;
	bool had_session = c->program_index >= 0;
	struct json_out j;

	json_out_init(&j, buf, len);
	json_out_begin_object(&j);
	json_out_key(&j, "state");
	json_out_string(&j, session_state_name(c->state));
	json_out_key(&j, "program");
	json_out_string(&j, had_session ? p->name : NULL);
	json_out_key(&j, "session_s");
	json_out_number(&j, had_session ? controller_session_s(c, now_s) : NAN, 1);

	json_out_key(&j, "phase");
	json_out_string(&j, running ? phase_kind_name(program_phase_kind(p, c->run.phase)) : NULL);
	json_out_key(&j, "phase_index");
	if (running)
		json_out_int(&j, c->run.phase);
	else
		json_out_null(&j);
	json_out_key(&j, "phases");
	if (running)
		json_out_int(&j, program_phase_count(p));
	else
		json_out_null(&j);
	json_out_key(&j, "cycle");
	if (running)
		json_out_int(&j, program_phase_cycle(p, c->run.phase));
	else
		json_out_null(&j);
	json_out_key(&j, "cycles");
	if (running)
		json_out_int(&j, p->cycles);
	else
		json_out_null(&j);
	json_out_key(&j, "setpoint_c");
	json_out_number(&j, running ? program_phase_setpoint_c(p, c->run.phase) : NAN, 2);
	json_out_key(&j, "phase_clock");
	json_out_string(&j, running ? phase_clock_name(p->clock) : NULL);
	json_out_key(&j, "phase_settled");
	if (running)
		json_out_bool(&j, c->run.settled);
	else
		json_out_null(&j);
	json_out_key(&j, "phase_left_s");
	json_out_number(&j, running ? program_run_phase_left_s(p, &c->run, now_s) : NAN, 1);
	json_out_key(&j, "session_left_s");
	json_out_number(&j, running ? status_session_left_s(c, now_s) : NAN, 1);
	json_out_key(&j, "planned_s");
	json_out_number(&j, running ? program_planned_s(p) : NAN, 1);
	json_out_key(&j, "nominal_s");
	json_out_number(&j, running ? program_nominal_s(p) : NAN, 1);
	json_out_key(&j, "power");
	json_out_bool(&j, c->out.power);

	json_out_key(&j, "fault");
	if (safety_latched(&c->safety))
		fault_json(&j, c, now_s);
	else
		json_out_null(&j);
	if (x && x->top)
		x->top(x->arg, &j);

	json_out_key(&j, "zones");
	json_out_begin_array(&j);
	for (int z = 0; z < cfg->n_zones; z++)
		zone_json(&j, c, z, x);
	json_out_end_array(&j);
	json_out_key(&j, "reload");
	reload_json(&j, reload);
	/* What the status light shows ([button] led), null without one. */
	json_out_key(&j, "led");
	json_out_string(&j, cfg->button.present && cfg->button.led[0]
		? led_pattern_name(led_pattern_for(controller_autotune_active(c) ? SESSION_RUNNING : c->state,
						   safety_latched(&c->safety), x && x->lockout)) : NULL);
	json_out_key(&j, "autotune");
	autotune_json(&j, c, now_s);
	json_out_end_object(&j);
	return json_out_overflow(&j) ? -1 : (int)j.len;
}

static void timeline_json(struct json_out *j, const struct program *p)
{
	json_out_begin_array(j);
	for (int i = 0; i < program_phase_count(p); i++) {
		json_out_begin_object(j);
		json_out_key(j, "phase");
		json_out_int(j, i + 1);
		json_out_key(j, "kind");
		json_out_string(j, phase_kind_name(program_phase_kind(p, i)));
		json_out_key(j, "cycle");
		json_out_int(j, program_phase_cycle(p, i));
		json_out_key(j, "setpoint_c");
		json_out_number(j, program_phase_setpoint_c(p, i), 2);
		json_out_key(j, "length_s");
		json_out_number(j, program_phase_length_s(p, i), 1);
		json_out_key(j, "nominal_end_s");
		json_out_number(j, program_phase_end_nominal_s(p, i), 1);
		json_out_key(j, "worst_end_s");
		json_out_number(j, program_phase_end_worst_s(p, i), 1);
		json_out_end_object(j);
	}
	json_out_end_array(j);
}

/* The programs first .. last of the config, each with its timeline when with_timeline. */
static int programs_json(const struct config *cfg, int first, int last, bool with_timeline, char *buf,
			 size_t len)
{
	struct json_out j;

	json_out_init(&j, buf, len);
	json_out_begin_array(&j);
	for (int i = first; i <= last && i < cfg->n_programs; i++) {
		const struct program *p = &cfg->programs[i];

		json_out_begin_object(&j);
		json_out_key(&j, "name");
		json_out_string(&j, p->name);
		json_out_key(&j, "default");
		json_out_bool(&j, i == 0);
		json_out_key(&j, "warm_c");
		json_out_number(&j, p->warm_c, 2);
		json_out_key(&j, "cool_c");
		json_out_number(&j, p->cool_c, 2);
		json_out_key(&j, "warm_s");
		json_out_number(&j, p->warm_s, 1);
		json_out_key(&j, "cool_s");
		json_out_number(&j, p->cool_s, 1);
		json_out_key(&j, "cycles");
		json_out_int(&j, p->cycles);
		json_out_key(&j, "first");
		json_out_string(&j, phase_kind_name(p->first));
		json_out_key(&j, "last");
		json_out_string(&j, phase_kind_name(p->last));
		json_out_key(&j, "phase_clock");
		json_out_string(&j, phase_clock_name(p->clock));
		json_out_key(&j, "band_c");
		json_out_number(&j, p->band_c, 2);
		json_out_key(&j, "settle_max_s");
		json_out_number(&j, p->settle_max_s, 1);
		json_out_key(&j, "phases");
		json_out_int(&j, program_phase_count(p));
		json_out_key(&j, "planned_s");
		json_out_number(&j, program_planned_s(p), 1);
		json_out_key(&j, "nominal_s");
		json_out_number(&j, program_nominal_s(p), 1);
		if (with_timeline) {
			json_out_key(&j, "timeline");
			timeline_json(&j, p);
		}
		json_out_end_object(&j);
	}
	json_out_end_array(&j);
	return json_out_overflow(&j) ? -1 : (int)j.len;
}

int programs_json_build(const struct config *cfg, char *buf, size_t len)
{
	return programs_json(cfg, 0, cfg->n_programs - 1, false, buf, len);
}

int program_json_build_one(const struct config *cfg, int index, char *buf, size_t len)
{
	if (index < 0 || index >= cfg->n_programs)
		return -1;
	return programs_json(cfg, index, index, true, buf, len);
}
