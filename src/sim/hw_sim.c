/* SPDX-License-Identifier: MIT */
/* The simulated hardware. See hw_sim.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw_sim.h"
#include "lib/log.h"

static const char *const adapter_fault_names[] = {
	[INJECT_IIO_ERROR - SIM_FAULT_COUNT] = "iio-error",
	[INJECT_GPIO_ERROR - SIM_FAULT_COUNT] = "gpio-error",
	[INJECT_LOOP_STALL - SIM_FAULT_COUNT] = "loop-stall",
};

const char *inject_kind_name(int kind)
{
	if (kind >= 0 && kind < SIM_FAULT_COUNT)
		return sim_fault_name(kind);
	if (kind >= SIM_FAULT_COUNT && kind < INJECT_KIND_COUNT)
		return adapter_fault_names[kind - SIM_FAULT_COUNT];
	return "unknown";
}

static int inject_kind_from_name(const char *name)
{
	for (int k = 0; k < INJECT_KIND_COUNT; k++)
		if (strcmp(name, inject_kind_name(k)) == 0)
			return k;
	return -1;
}

int sim_injection_parse(const char *spec, const struct config *cfg,
			struct sim_injection *out, char *err, size_t err_len)
{
	char kind[48], zone[NAME_LEN] = "";
	const char *at = strchr(spec, '@');
	const char *colon = strchr(spec, ':');

	if (!at) {
		snprintf(err, err_len, "--inject %s: expected KIND[:ZONE]@SECONDS", spec);
		return -1;
	}
	if (colon && colon > at)
		colon = NULL;
	size_t kind_len = (size_t)((colon ? colon : at) - spec);

	if (kind_len == 0 || kind_len >= sizeof(kind)) {
		snprintf(err, err_len, "--inject %s: expected KIND[:ZONE]@SECONDS", spec);
		return -1;
	}
	memcpy(kind, spec, kind_len);
	kind[kind_len] = '\0';
	if (colon) {
		size_t zone_len = (size_t)(at - colon - 1);

		if (zone_len == 0 || zone_len >= sizeof(zone)) {
			snprintf(err, err_len, "--inject %s: bad zone name", spec);
			return -1;
		}
		memcpy(zone, colon + 1, zone_len);
		zone[zone_len] = '\0';
	}

	out->kind = inject_kind_from_name(kind);
	if (out->kind < 0) {
		char known[512];
		size_t used = 0;

		known[0] = '\0';
		for (int k = 0; k < INJECT_KIND_COUNT && used < sizeof(known); k++)
			used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", k ? ", " : "",
						 inject_kind_name(k));
		snprintf(err, err_len, "--inject %s: unknown kind '%s' (known: %s)", spec, kind, known);
		return -1;
	}
	out->zone = 0;
	if (zone[0]) {
		out->zone = -1;
		for (int z = 0; z < cfg->n_zones; z++)
			if (strcmp(cfg->zones[z].name, zone) == 0)
				out->zone = z;
		if (out->zone < 0) {
			snprintf(err, err_len, "--inject %s: no zone named '%s'", spec, zone);
			return -1;
		}
	}
	char *end;
	double at_s = strtod(at + 1, &end);

	if (end == at + 1 || *end != '\0' || !isfinite(at_s) || at_s < 0.0) {
		snprintf(err, err_len, "--inject %s: '%s' is not a time in seconds >= 0", spec, at + 1);
		return -1;
	}
	out->at_s = at_s;
	out->done = false;
	return 0;
}

void hw_sim_world_from_config(const struct config *cfg, struct sim_world *w)
{
	const struct config_simulate *sim = &cfg->simulate;

	sim_world_defaults(w, &cfg->thermistor);
	/* No default in the schema: absent is 0, the configured part. */
	if (sim->thermistor_beta > 0.0)
		w->thermistor_beta = sim->thermistor_beta;
	if (sim->thermistor_r25_ohm > 0.0)
		w->thermistor_r25_ohm = sim->thermistor_r25_ohm;
	w->pad_offset_c = sim->pad_offset_c;
	w->ambient_c = sim->ambient_c;
	w->core_c = sim->core_c;
	w->perfusion_w_per_k = sim->perfusion_w_per_k;
	w->supply_v = sim->supply_v;
	w->fan_w_per_k = sim->fan_w_per_k;
	w->glitch_c = sim->glitch_c;
}

void hw_sim_init(struct hw_sim *s, const struct config *cfg, uint64_t seed)
{
	struct sim_world world;

	memset(s, 0, sizeof(*s));
	s->n_zones = cfg->n_zones;
	s->ntc = cfg->thermistor;
	s->simulate = cfg->simulate;
	sim_plant_init(&s->plant, cfg->n_zones, &cfg->thermistor, seed);
	hw_sim_world_from_config(cfg, &world);
	sim_plant_set_world(&s->plant, &s->ntc, &world);
	for (int z = 0; z < cfg->n_zones; z++) {
		/* As hw_real sets up its bridges. */
		struct bridge_params bp = {
			.period_s = cfg->daemon.pwm_period_s,
			.dead_time_s = cfg->daemon.dead_time_ms / 1000.0,
			.min_pulse_s = BRIDGE_MIN_PULSE_S,
			.has_enable = cfg->zones[z].enable[0] != '\0',
		};

		s->has_enable[z] = bp.has_enable;
		bridge_init(&s->bridge[z], &bp, s->plant.t_s);
	}
	struct charge_pump_params pump;

	charge_pump_params_from(cfg, &pump);
	charge_pump_init(&s->pump, &pump);
	s->pump_mode = cfg->power_mode == POWER_MODE_CHARGE_PUMP;
	s->relay_hold_s = charge_pump_hold_s(&pump);
	s->last_rise_s = -INFINITY;
}

bool hw_sim_relay_closed(const struct hw_sim *s)
{
	if (!s->pump_mode)
		return s->applied.power;
	return s->plant.t_s < s->last_rise_s + s->relay_hold_s;
}

/* The power line to level at the plant's time: an edge if it changes. */
static void set_power_line(struct hw_sim *s, bool active)
{
	if (active == s->power_line)
		return;
	s->power_line = active;
	if (active)
		s->last_rise_s = s->plant.t_s;
	s->power_log[s->n_power_edges % HW_SIM_POWER_LOG] = (struct hw_sim_power_edge){ s->plant.t_s, active };
	s->n_power_edges++;
}

long hw_sim_power_kept(const struct hw_sim *s)
{
	return s->n_power_edges < HW_SIM_POWER_LOG ? s->n_power_edges : HW_SIM_POWER_LOG;
}

const struct hw_sim_power_edge *hw_sim_power_edge(const struct hw_sim *s, long i)
{
	long first = s->n_power_edges - hw_sim_power_kept(s);

	return &s->power_log[(first + i) % HW_SIM_POWER_LOG];
}

int hw_sim_set_world(struct hw_sim *s, const struct sim_world *w)
{
	if (s->plant.t_s > 0.0)
		return -1;
	sim_plant_set_world(&s->plant, &s->ntc, w);
	return 0;
}

int hw_sim_drive(const struct hw_sim *s, int zone)
{
	const struct bridge_out *o = &s->bridge[zone].out;

	if (s->has_enable[zone] && !o->enable)
		return 0;
	return o->heat ? +1 : o->cool ? -1 : 0;
}

int hw_sim_add_injection(struct hw_sim *s, const struct sim_injection *inj)
{
	if (s->n_inj >= SIM_MAX_INJECTIONS)
		return -1;
	s->inj[s->n_inj++] = *inj;
	return 0;
}

int hw_sim_inject(struct hw_sim *s, const char *spec, const struct config *cfg, char *err, size_t err_len)
{
	struct sim_injection inj;

	if (sim_injection_parse(spec, cfg, &inj, err, err_len) < 0)
		return -1;
	if (hw_sim_add_injection(s, &inj) < 0) {
		snprintf(err, err_len, "--inject %s: at most %d injections", spec, SIM_MAX_INJECTIONS);
		return -1;
	}
	return 0;
}

static void fire(struct hw_sim *s, struct sim_injection *inj)
{
	inj->done = true;
	if (inj->kind < SIM_FAULT_COUNT)
		sim_plant_inject(&s->plant, inj->zone, (enum sim_fault)inj->kind);
	else if (inj->kind == INJECT_IIO_ERROR)
		s->read_fails[inj->zone] = true;
	else if (inj->kind == INJECT_GPIO_ERROR)
		s->write_fails = true;
	else if (inj->kind == INJECT_LOOP_STALL)
		s->stall_s += SIM_LOOP_STALL_S;
}

/* The earliest injection still to come at or before to_s, or NULL. */
static struct sim_injection *next_due(struct hw_sim *s, double to_s)
{
	struct sim_injection *best = NULL;

	for (int i = 0; i < s->n_inj; i++) {
		struct sim_injection *inj = &s->inj[i];

		if (!inj->done && inj->at_s <= to_s && (!best || inj->at_s < best->at_s))
			best = inj;
	}
	return best;
}

/*
 * The earliest PWM edge of any bridge or of the charge pump, none while
 * the lines are frozen; or the relay opening, which no stall holds up.
 * INFINITY when none.
 */
static double next_edge_s(const struct hw_sim *s)
{
	double edge_s = INFINITY;

	for (int z = 0; z < s->n_zones; z++)
		edge_s = fmin(edge_s, s->bridge[z].out.next_edge_s);
	if (s->pump_mode)
		edge_s = fmin(edge_s, charge_pump_next_edge_s(&s->pump, s->plant.t_s));
	edge_s = fmax(edge_s, s->lines_frozen_until_s);
	if (s->pump_mode && hw_sim_relay_closed(s))
		edge_s = fmin(edge_s, s->last_rise_s + s->relay_hold_s);
	return edge_s;
}

/* Switch every bridge whose edge has come (the timer of hw_real's loop). */
static void service_edges(struct hw_sim *s)
{
	double now_s = s->plant.t_s;

	if (now_s < s->lines_frozen_until_s)
		return;
	for (int z = 0; z < s->n_zones; z++)
		if (s->bridge[z].out.next_edge_s <= now_s)
			bridge_poll(&s->bridge[z], now_s, NULL);
	if (s->pump_mode)
		set_power_line(s, charge_pump_level(&s->pump, now_s));
}

/* Run the plant to to_s with the bridges as they are now. */
static void run_plant(struct hw_sim *s, double to_s)
{
	double drive[MAX_ZONES] = { 0 };

	if (!(to_s > s->plant.t_s))
		return;
	for (int z = 0; z < s->n_zones; z++)
		drive[z] = hw_sim_drive(s, z);
	sim_plant_step(&s->plant, drive, s->applied.fan, hw_sim_relay_closed(s), to_s - s->plant.t_s);
}

void hw_sim_advance(struct hw_sim *s, double to_s)
{
	for (;;) {
		struct sim_injection *inj = next_due(s, to_s);
		double until_s = fmin(to_s, next_edge_s(s));

		if (inj && inj->at_s <= until_s)
			until_s = fmax(inj->at_s, s->plant.t_s);
		run_plant(s, until_s);
		service_edges(s);
		if (inj && inj->at_s <= s->plant.t_s) {
			fire(s, inj);
			continue;
		}
		if (s->plant.t_s >= to_s)
			break;
	}
}

double hw_sim_take_stall(struct hw_sim *s)
{
	double stall_s = s->stall_s;

	s->stall_s = 0.0;
	if (stall_s > 0.0)
		s->lines_frozen_until_s = s->plant.t_s + stall_s;
	return stall_s;
}

static void sim_read(void *ctx, double now_s, struct tick_inputs *in)
{
	struct hw_sim *s = ctx;

	(void)now_s;
	for (int z = 0; z < s->n_zones; z++) {
		sim_plant_sample(&s->plant, z, &in->pad[z], &in->pad2[z], &in->heatsink[z]);
		if (s->read_fails[z]) {
			in->pad[z].ok = false;
			in->pad2[z].ok = false;
			in->heatsink[z].ok = false;
		}
	}
}

static int sim_apply(void *ctx, double now_s, const struct tick_outputs *out, int *failed_zone)
{
	struct hw_sim *s = ctx;

	(void)now_s;
	if (s->write_fails) {
		/*
		 * A failed write leaves that line as it was; the shell then
		 * drives everything off, which the sim honours (a real bridge
		 * whose line cannot be written is what the power relay is for).
		 */
		*failed_zone = 0;
		return -1;
	}
	s->applied = *out;
	/* On the plant's clock: the loop advanced the plant to this tick before reading it. */
	for (int z = 0; z < s->n_zones; z++)
		bridge_update(&s->bridge[z], out->power ? out->duty[z] : 0.0, s->plant.t_s, NULL);
	if (s->pump_mode) {
		charge_pump_tick(&s->pump, s->plant.t_s, out->power, out->readings_ok);
		set_power_line(s, charge_pump_level(&s->pump, s->plant.t_s));
	}
	return 0;
}

static int sim_all_off(void *ctx)
{
	struct hw_sim *s = ctx;

	memset(&s->applied, 0, sizeof(s->applied));
	for (int z = 0; z < s->n_zones; z++)
		bridge_update(&s->bridge[z], 0.0, s->plant.t_s, NULL);
	charge_pump_stop(&s->pump);
	set_power_line(s, false);
	return 0;
}

static int sim_set_led(void *ctx, double now_s, bool on)
{
	struct hw_sim *s = ctx;

	if (on == s->led_on)
		return 0;
	s->led_on = on;
	s->led_log[s->n_led_changes % HW_SIM_LED_LOG] = (struct hw_sim_led_change){ now_s, on };
	s->n_led_changes++;
	return 0;
}

int hw_sim_led_kept(const struct hw_sim *s)
{
	return s->n_led_changes < HW_SIM_LED_LOG ? s->n_led_changes : HW_SIM_LED_LOG;
}

const struct hw_sim_led_change *hw_sim_led_change(const struct hw_sim *s, int i)
{
	int first = s->n_led_changes - hw_sim_led_kept(s);

	return &s->led_log[(first + i) % HW_SIM_LED_LOG];
}

static void sim_close(void *ctx)
{
	struct hw_sim *s = ctx;

	sim_all_off(ctx);
	s->led_on = false;
	if (s->pump_mode)
		log_info("simulated power line: %ld edges, left %s", s->n_power_edges,
			 s->power_line ? "active" : "inactive");
}

static void sim_truth(void *ctx, double pad_c[MAX_ZONES], double sink_c[MAX_ZONES])
{
	const struct hw_sim *s = ctx;

	for (int z = 0; z < s->n_zones; z++) {
		pad_c[z] = s->plant.zone[z].pad_c;
		sink_c[z] = s->plant.zone[z].sink_c;
	}
}

/*
 * A reload may change anything of the config but the world: the plant
 * has run in it. Each [simulate] row of the schema, as written (absent
 * keys as their defaults), against the section the plant was made from.
 */
static int sim_reload_check(void *ctx, const struct config *next, char *what, size_t what_len)
{
	const struct hw_sim *s = ctx;

	for (int i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];
		const char *now = (const char *)&s->simulate + k->offset;
		const char *then = (const char *)&next->simulate + k->offset;
		bool same;

		if (k->section != CONFIG_SIMULATE)
			continue;
		if (k->type == CONFIG_REAL)
			same = *(const double *)(const void *)now == *(const double *)(const void *)then;
		else
			same = memcmp(now, then, k->size) == 0;
		if (!same) {
			snprintf(what, what_len, "[simulate] %s (the simulated world is fixed once the plant runs)",
				 k->name);
			return -1;
		}
	}
	return 0;
}

static void sim_power_line(void *ctx, long *edges, int *relay)
{
	const struct hw_sim *s = ctx;

	*edges = s->n_power_edges;
	*relay = hw_sim_relay_closed(s);
}

static const struct hw_ops hw_sim_ops = {
	.name = "simulated",
	.power_line = sim_power_line,
	.read = sim_read,
	.apply = sim_apply,
	.all_off = sim_all_off,
	.close = sim_close,
	.truth = sim_truth,
	.set_led = sim_set_led,
	.reload_check = sim_reload_check,
};

struct hw hw_sim_hw(struct hw_sim *s)
{
	return (struct hw){ .ops = &hw_sim_ops, .ctx = s };
}
