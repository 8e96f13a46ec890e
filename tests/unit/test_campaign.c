/* SPDX-License-Identifier: MIT */
/*
 * Randomized campaigns on the simulated plant, judged on the plant's
 * true temperature (at every integration step), never on the readings.
 *
 * test_campaign: CAMPAIGN_SESSIONS (default 1000) sessions of the example
 * config in the reference world, with random programs within the limits,
 * random sensor-noise seeds, a second pad sensor in some, and in most of
 * them one random injected fault at a random time; the sessions without a
 * fault get a glitch about once a minute. On every tick: heat and cool
 * never both active, no output while no session runs, the true pad never
 * past a hard limit. Per session: an injected fault detected as its kind
 * within its bound (fault_expect.h); no trip at all without a fault. The
 * faults no software check can hold (a pad sensor off the pad at a
 * plausible value with no second sensor, a loop stalled with a pulse on:
 * fault_expect.h) are counted and shown, not held to the hard limits; a
 * frozen pad sensor is held (pad-sensor-unresponsive).
 *
 * test_envelope_campaign: ENVELOPE_SESSIONS (default 320, 128 under the
 * sanitizers) sessions across
 * the envelope of docs/safety.md (its corners and points inside: sensor
 * error +-0.5 C as an offset or a Beta 1 % off, perfusion 0.3-3 W/K, room
 * 10-35 C, supply 10.8-13.2 V) with the loosest configs the supervisor
 * accepts (safety_params_check: the widest limits, sensor_lag_s at 0 and
 * 3 s, control_hz at 1 and 100, pwm_period_s at 2 s, dead time 0 to 2 s,
 * the runaway and rate checks as loose as the parser lets them be), and
 * programs the world can reach. Half of them get a Peltier stuck on, in
 * either polarity, at a random moment: the true pad stays inside
 * [10, 43] C. The other half get a glitch about once a minute: not one
 * trips.
 *
 * test_envelope_sensor_campaign: the same envelope sessions, each with a
 * pad sensor frozen (sensor-stuck), a pad sensor off the pad
 * (sensor-detached) or a loop stall instead, at the same moments. A
 * frozen sensor is held to [10, 43] C (pad-sensor-unresponsive); the other
 * two are still outside software's reach (docs/safety.md): their figures
 * are printed, per kind.
 *
 * Each prints its counts; on a violation, the seed and session index that
 * replay it: CAMPAIGN_SEED=S CAMPAIGN_ONLY=I build/tests/test_campaign
 * (CAMPAIGN_ONLY picks the session in every campaign; CAMPAIGN_TRACE=SECONDS
 * prints the injected zone's setpoint, duty, readings and true
 * temperatures that often, on stderr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "fault_expect.h"
#include "sim_harness.h"

static struct config cfg;

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * ((rng_next(s) >> 11) * (1.0 / 9007199254740992.0));
}

struct tick_watch {
	double inject_at_s;             /* NAN: no fault */
	double detected_at_s;
	double sink_at_detection_c;
	double max_true_pad_c, min_true_pad_c;
	int both_polarities;
	int outputs_while_idle;
	int outputs_at_trip;
	int zone;
	double driving_after_s;         /* time the zone drove after the injection, until detection */
};

static int watch(const struct daemon *d, void *arg)
{
	struct tick_watch *w = arg;
	const struct tick_outputs *a = &harness_sim.applied;

	for (int z = 0; z < d->cfg.n_zones; z++) {
		/* The plant's extremes at every integration step, not only at the ticks. */
		w->max_true_pad_c = fmax(w->max_true_pad_c, harness_sim.plant.zone[z].pad_max_c);
		w->min_true_pad_c = fmin(w->min_true_pad_c, harness_sim.plant.zone[z].pad_min_c);
		if (a->duty[z] > 0.0 && a->duty[z] < 0.0)
			w->both_polarities++;
		if (d->ctl.state != SESSION_RUNNING && a->duty[z] != 0.0)
			w->outputs_while_idle++;
	}
	if (d->ctl.state != SESSION_RUNNING && a->power)
		w->outputs_while_idle++;
	if (getenv("CAMPAIGN_TRACE")) {
		/* The injected zone, or CAMPAIGN_TRACE_ZONE's (a clean session's glitches go to any zone). */
		int tz = getenv("CAMPAIGN_TRACE_ZONE") ? atoi(getenv("CAMPAIGN_TRACE_ZONE")) : w->zone;

		if (tz < 0 || tz >= d->cfg.n_zones)
			tz = w->zone;
		const struct safety_zone_input *zi = &d->ctl.last_safety_input.zone[tz];
		static double next_s;

		if (d->now_s < 0.05)
			next_s = 0.0;
		if (d->now_s >= next_s) {
			next_s = d->now_s + atof(getenv("CAMPAIGN_TRACE"));
			fprintf(stderr, "t %7.2f sp %6.2f duty %+5.2f pad %6.2f trend %+5.2f%s pad2 %6.2f true %6.2f sink %6.2f "
				"true %6.2f%s\n", d->now_s, zi->setpoint_c, zi->duty, zi->pad.temp_c,
				d->ctl.safety.zone[tz].pad.trend_c_per_s, d->ctl.safety.zone[tz].pad.last_suspect ? "S" : " ",
				zi->has_pad2 ? zi->pad2.temp_c : NAN,
				harness_sim.plant.zone[tz].pad_c,
				zi->heatsink.temp_c, harness_sim.plant.zone[tz].sink_c,
				safety_latched(&d->ctl.safety) ? " L" : "");
		}
	}
	if (!isnan(w->inject_at_s) && d->now_s > w->inject_at_s && isnan(w->detected_at_s) &&
	    fabs(a->duty[w->zone]) >= d->cfg.safety.stale_min_duty)
		w->driving_after_s += 1.0 / d->cfg.daemon.control_hz;
	if (isnan(w->detected_at_s) && safety_latched(&d->ctl.safety)) {
		w->detected_at_s = d->now_s;
		for (int z = 0; z < d->cfg.n_zones; z++) {
			w->sink_at_detection_c = fmax(w->sink_at_detection_c, harness_sim.plant.zone[z].sink_c);
			if (a->duty[z] != 0.0 || a->fan[z])
				w->outputs_at_trip++;
		}
		if (a->power)
			w->outputs_at_trip++;
	}
	return 0;
}

struct counts {
	int sessions, with_fault, detected, late_ok, completed, stopped_early, violations;
	int refused_for_dose;
	int glitches;
	int beyond_blind;               /* sessions past a hard limit with a fault no software holds */
	double worst_blind_c;
	char worst_blind_what[256];
	int per_kind[INJECT_KIND_COUNT];
	double kind_max_c[INJECT_KIND_COUNT], kind_min_c[INJECT_KIND_COUNT];
};

/*
 * About one glitch a minute over span_s, at random moments, in random
 * zones: written into inj (at most max), returns how many. Each is one
 * glitched sample, as issue 9 defines a glitch: two in the same zone are
 * at least GLITCH_APART_S apart (three readings at the slowest
 * control_hz, 1 Hz: the slope is confirmed by three). Two within three
 * readings are two faults: in consecutive readings the supervisor takes
 * the second as a real change (never two suspects in a row), and two
 * small ones can move two of the three slopes (docs/safety.md).
 */
#define GLITCH_APART_S 3.0

static int random_glitches(uint64_t *rs, double span_s, int n_zones, struct sim_injection *inj, int max)
{
	double last_s[MAX_ZONES];
	int n = 0;

	for (int z = 0; z < MAX_ZONES; z++)
		last_s[z] = -INFINITY;
	for (double t_s = 60.0 * -log(1.0 - rng_uniform(rs, 0.0, 0.999)); t_s < span_s && n < max;
	     t_s += 60.0 * -log(1.0 - rng_uniform(rs, 0.0, 0.999))) {
		int z = (int)(rng_next(rs) % (uint64_t)n_zones);

		if (t_s - last_s[z] < GLITCH_APART_S)
			continue;
		last_s[z] = t_s;
		inj[n].kind = SIM_FAULT_SENSOR_GLITCH;
		inj[n].zone = z;
		inj[n].at_s = t_s;
		inj[n].done = false;
		n++;
	}
	return n;
}

/* A glitch between 0.5 and 2 C either way, 2 C exactly in half the sessions. */
static double random_glitch_c(uint64_t *rs)
{
	double size_c = rng_next(rs) % 2 ? 2.0 : rng_uniform(rs, 0.5, 2.0);

	return rng_next(rs) % 2 ? size_c : -size_c;
}

/* One random session; returns the number of violations (each printed). */
static int one_session(uint64_t campaign_seed, int index, struct counts *n)
{
	uint64_t rs = campaign_seed * 1000003ULL + (uint64_t)index;
	struct program *p;
	char spec[96];
	const char *inject[1] = { spec };
	int violations = 0;
	const struct fault_expect *e = NULL;
	struct tick_watch w = {
		.inject_at_s = NAN, .detected_at_s = NAN, .sink_at_detection_c = -INFINITY,
		.max_true_pad_c = -INFINITY, .min_true_pad_c = INFINITY,
	};

	harness_load_example(&cfg);
	p = &cfg.programs[0];
	/* A program within the limits: setpoints at least 2 C inside them. */
	p->cool_c = rng_uniform(&rs, cfg.safety.min_pad_c + SETPOINT_MARGIN_C, 30.0);
	p->warm_c = rng_uniform(&rs, fmax(p->cool_c + 2.0, 33.0), cfg.safety.max_pad_c - SETPOINT_MARGIN_C);
	p->warm_s = rng_uniform(&rs, 20.0, 240.0);
	p->cool_s = rng_uniform(&rs, 20.0, 180.0);
	p->cycles = 1 + (int)(rng_next(&rs) % 3);
	p->first = rng_next(&rs) % 2 ? PHASE_WARM : PHASE_COOL;
	p->last = rng_next(&rs) % 2 ? PHASE_WARM : PHASE_COOL;
	p->clock = rng_next(&rs) % 2 ? PHASE_CLOCK_WALL : PHASE_CLOCK_SETTLED;
	bool pad2 = rng_next(&rs) % 2;

	if (pad2)
		for (int z = 0; z < cfg.n_zones; z++)
			snprintf(cfg.zones[z].pad_sensor2, sizeof(cfg.zones[z].pad_sensor2), "ads1015_%d/voltage0", z);
	uint64_t noise_seed = rng_next(&rs);
	double span_s = program_phase_count(p) * 0.5 * (p->warm_s + p->cool_s) +
			(p->clock == PHASE_CLOCK_SETTLED ? 60.0 * program_phase_count(p) : 0.0);
	static struct sim_injection glitches[SIM_MAX_INJECTIONS];
	struct sim_world world;
	struct harness_world hw = { .world = &world, .inj = glitches };

	sim_world_defaults(&world, &cfg.thermistor);
	/* Most sessions get one fault, at a time inside the session's likely span. */
	if (rng_next(&rs) % 10 < 8) {
		do
			e = &fault_expectations[rng_next(&rs) % N_FAULT_EXPECTATIONS];
		while (e->needs_pad2 && !pad2);
		int zone = (int)(rng_next(&rs) % (uint64_t)cfg.n_zones);

		/* To the tenth of a second, as the spec string carries it. */
		w.inject_at_s = round(rng_uniform(&rs, 1.0, span_s) * 10.0) / 10.0;
		w.zone = zone;
		snprintf(spec, sizeof(spec), "%s:%s@%.1f", inject_kind_name(e->inject), cfg.zones[zone].name,
			 w.inject_at_s);
	} else {
		/* The others a glitch about once a minute, through the whole session. */
		world.glitch_c = random_glitch_c(&rs);
		hw.n_inj = random_glitches(&rs, 2.0 * span_s + 600.0, cfg.n_zones, glitches, SIM_MAX_INJECTIONS);
		n->glitches += hw.n_inj;
	}
	/*
	 * The loosest dose budgets the parser accepts. A program that plans
	 * more than they allow must be refused at start, and only that one.
	 */
	cfg.dose.heat_dose_min = cfg.dose.heat_dose_day_min = HARD_MAX_HEAT_DOSE_DAY_MIN;
	cfg.dose.cold_min = HARD_MAX_COLD_MIN;
	cfg.dose.cold_day_min = HARD_MAX_COLD_DAY_MIN;
	struct dose_amount planned = dose_planned(p, cfg.dose.cold_c);
	bool over_budget = planned.heat_min > HARD_MAX_HEAT_DOSE_DAY_MIN || planned.cold_min > HARD_MAX_COLD_MIN;
	const struct daemon *d = harness_run_in(&cfg, NULL, noise_seed, inject, e ? 1 : 0, &hw, 4 * 3600.0, watch, &w);
	const struct fault *f = safety_latched_fault(&d->ctl.safety);
	char what[256];

	char glitched[48] = "";

	if (!e)
		snprintf(glitched, sizeof(glitched), "no fault, %d glitches of %+.2f C", hw.n_inj, world.glitch_c);
	snprintf(what, sizeof(what), "session %d (CAMPAIGN_SEED=%llu CAMPAIGN_ONLY=%d): %s, warm %.1f C %.0f s, "
		 "cool %.1f C %.0f s, %d cycles, %s first, %s last, %s clock%s", index, (unsigned long long)campaign_seed, index,
		 e ? spec : glitched, p->warm_c, p->warm_s, p->cool_c, p->cool_s, p->cycles,
		 phase_kind_name(p->first), phase_kind_name(p->last), phase_clock_name(p->clock), pad2 ? ", pad2" : "");
#define VIOLATION(...)                                                  \
	do {                                                            \
		violations++;                                           \
		print_error("VIOLATION %s: ", what);                    \
		print_error(__VA_ARGS__);                               \
		print_error("\n");                                      \
	} while (0)

	n->sessions++;
	if (over_budget) {
		if (d->ctl.program_index >= 0)
			VIOLATION("started although it plans %.2f CEM43 min and %.1f cold min, beyond the budgets",
				  planned.heat_min, planned.cold_min);
		else
			n->refused_for_dose++;
		return violations;
	}
	/* What no software check can hold (fault_expect.h, docs/safety.md): counted and shown, not judged. */
	bool blind = e && ((e->one_sensor_blind && !pad2) || e->pulse_may_stay_on);

	if (w.both_polarities)
		VIOLATION("heat and cool active together on %d ticks", w.both_polarities);
	if (w.outputs_while_idle)
		VIOLATION("outputs on while no session ran, %d times", w.outputs_while_idle);
	if (blind && (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C)) {
		n->beyond_blind++;
		if (w.max_true_pad_c > n->worst_blind_c) {
			n->worst_blind_c = w.max_true_pad_c;
			snprintf(n->worst_blind_what, sizeof(n->worst_blind_what), "%s", what);
		}
	} else if (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C) {
		VIOLATION("true pad %.2f..%.2f C, beyond the hard limits", w.min_true_pad_c, w.max_true_pad_c);
	}
	if (!isnan(w.detected_at_s) && w.outputs_at_trip)
		VIOLATION("outputs still on in the tick of the trip");
	if (!e) {
		if (d->ctl.state != SESSION_COMPLETED || safety_latched(&d->ctl.safety))
		{
			char desc[256];
			const char *names[MAX_ZONES] = { "left", "right" };

			safety_describe(f, names, desc, sizeof(desc));
			VIOLATION("no fault injected, but the session ended %s: %s", session_state_name(d->ctl.state),
				  desc);
		}
		else
			n->completed++;
		return violations;
	}
	n->with_fault++;
	n->per_kind[e->inject]++;
	n->kind_max_c[e->inject] = fmax(n->kind_max_c[e->inject], w.max_true_pad_c);
	n->kind_min_c[e->inject] = fmin(n->kind_min_c[e->inject], w.min_true_pad_c);
	bool ended_before_injection = d->ctl.session_end_s - d->ctl.session_start_s < w.inject_at_s;

	if (isnan(w.detected_at_s)) {
		/*
		 * Not detected: acceptable only where the session ended before
		 * the fault could show (injected after the end, or the end came
		 * within the bound), where a failed fan never heated the sink,
		 * or where the sensor fault shows nothing (one_sensor_blind).
		 */
		double end_s = d->ctl.session_end_s;

		if (ended_before_injection || e->heatsink_hazard_only || e->bound_in_driving_time ||
		    e->one_sensor_blind || end_s < w.inject_at_s + e->bound_s) {
			n->stopped_early++;
			return violations;
		}
		VIOLATION("not detected; the session %s at %.1f s", session_state_name(d->ctl.state), end_s);
		return violations;
	}
	double latency_s = w.detected_at_s - w.inject_at_s;

	if (latency_s < -1e-6)
		VIOLATION("tripped as %s %.1f s before the injection", fault_kind_name(f->kind), -latency_s);
	else if (!fault_kind_expected(e, f->kind))
		VIOLATION("detected as %s after %.2f s", fault_kind_name(f->kind), latency_s);
	else if (!e->one_sensor_blind &&
		 (e->heatsink_hazard_only ? w.sink_at_detection_c > cfg.safety.max_heatsink_c + 5.0
					  : (e->bound_in_driving_time ? w.driving_after_s : latency_s) > e->bound_s + 1e-6))
		VIOLATION("detected as %s after %.2f s, beyond its bound of %.2f s", fault_kind_name(f->kind),
			  latency_s, e->bound_s);
	else
		n->detected++;
	return violations;
}

static void test_campaign(void **state)
{
	const char *env_n = getenv("CAMPAIGN_SESSIONS"), *env_seed = getenv("CAMPAIGN_SEED");
	const char *env_only = getenv("CAMPAIGN_ONLY");
	int sessions = env_n ? atoi(env_n) : 1000;
	uint64_t seed = env_seed ? strtoull(env_seed, NULL, 0) : 20261125;
	static struct counts n;

	(void)state;
	memset(&n, 0, sizeof(n));
	n.worst_blind_c = -INFINITY;
	for (int k = 0; k < INJECT_KIND_COUNT; k++) {
		n.kind_max_c[k] = -INFINITY;
		n.kind_min_c[k] = INFINITY;
	}
	for (int i = 0; i < sessions; i++) {
		if (env_only && atoi(env_only) != i)
			continue;
		n.violations += one_session(seed, i, &n);
	}
	print_message("campaign seed %llu: %d sessions, %d without a fault (%d completed, %d glitches, "
		      "%d false trips), %d with one: %d detected in bound, %d ended before it could show; "
		      "%d refused for their planned dose; %d violations\n",
		      (unsigned long long)seed, n.sessions, n.sessions - n.with_fault - n.refused_for_dose,
		      n.completed, n.glitches, n.sessions - n.with_fault - n.refused_for_dose - n.completed,
		      n.with_fault, n.detected, n.stopped_early, n.refused_for_dose, n.violations);
	for (int k = 0; k < INJECT_KIND_COUNT; k++)
		if (n.per_kind[k])
			print_message("  %-21s %3d, true pad %.2f..%.2f C\n", inject_kind_name(k), n.per_kind[k],
				      n.kind_min_c[k], n.kind_max_c[k]);
		else
			print_message("  %-21s %3d\n", inject_kind_name(k), n.per_kind[k]);
	if (n.beyond_blind)
		print_message("  past a hard limit with a fault no software check holds (docs/safety.md): %d sessions, "
			      "worst %.2f C (%s)\n", n.beyond_blind, n.worst_blind_c, n.worst_blind_what);
	assert_int_equal(n.violations, 0);
	if (!env_only)
		assert_true(n.sessions >= 1000 || env_n);
}

/* ---- the envelope campaign ---- */

/*
 * Every corner five times over (and the points inside between them). The
 * sanitizer build runs the first 128: every corner twice; what it looks
 * for, memory errors, the first sessions show as well as the last.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ENVELOPE_DEFAULT_SESSIONS 128
#else
#define ENVELOPE_DEFAULT_SESSIONS 320
#endif

/* Where a world's plant can take the pad, and what that costs the heatsink. */
struct reach {
	double floor_c;         /* full cooling, long */
	double ceiling_c;       /* full heating, long */
	double sink_cooling_c;  /* the heatsink at full cooling, long */
};

static void world_reach(const struct sim_world *w, const struct thermistor_params *ntc, struct reach *r)
{
	static struct sim_plant plant;
	double d[MAX_ZONES] = { -1.0 };
	bool fan[MAX_ZONES] = { true };

	sim_plant_init(&plant, 1, ntc, 1);
	sim_plant_set_world(&plant, ntc, w);
	for (int i = 0; i < 1200; i++)
		sim_plant_step(&plant, d, fan, true, 1.0);
	r->floor_c = plant.zone[0].pad_c;
	r->sink_cooling_c = plant.zone[0].sink_c;
	d[0] = 1.0;
	sim_plant_set_world(&plant, ntc, w);
	for (int i = 0; i < 1200; i++)
		sim_plant_step(&plant, d, fan, true, 1.0);
	r->ceiling_c = plant.zone[0].pad_c;
}

/*
 * A world of the envelope: session i takes the corners in turn (64 of
 * them: perfusion, room, supply at their ends, and the sensor reading
 * 0.5 C high or low, or a part whose Beta is 1 % off either way); every
 * fifth session a point inside it instead.
 */
static void envelope_world(int index, uint64_t *rs, const struct thermistor_params *ntc, struct sim_world *w,
			   char *desc, size_t len)
{
	sim_world_defaults(w, ntc);
	if (index % 5 == 4) {
		w->perfusion_w_per_k = rng_uniform(rs, 0.3, 3.0);
		w->ambient_c = rng_uniform(rs, 10.0, 35.0);
		w->supply_v = rng_uniform(rs, 10.8, 13.2);
		if (rng_next(rs) % 2)
			w->pad_offset_c = rng_uniform(rs, -0.5, 0.5);
		else
			w->thermistor_beta = ntc->beta * rng_uniform(rs, 0.99, 1.01);
	} else {
		int corner = (index - index / 5) % 64;

		w->perfusion_w_per_k = corner & 1 ? 3.0 : 0.3;
		w->ambient_c = corner & 2 ? 35.0 : 10.0;
		w->supply_v = corner & 4 ? 13.2 : 10.8;
		switch (corner >> 3) {
		case 0: w->pad_offset_c = 0.5; break;
		case 1: w->pad_offset_c = -0.5; break;
		case 2: w->thermistor_beta = ntc->beta * 1.01; break;
		default: w->thermistor_beta = ntc->beta * 0.99; break;
		}
	}
	snprintf(desc, len, "perfusion %.2f W/K, room %.1f C, supply %.2f V, offset %+.2f C, beta %.0f",
		 w->perfusion_w_per_k, w->ambient_c, w->supply_v, w->pad_offset_c, w->thermistor_beta);
}

/*
 * The loosest config the supervisor accepts at these rates: the widest
 * limits safety_params_check lets through, every other check as loose as
 * the parser's ranges allow.
 */
static void loosest_config(struct config *c, double control_hz, double lag_s, double pwm_s, double dead_ms)
{
	struct safety_params *sp = &c->safety;
	struct safety_limits lim;

	c->daemon.control_hz = control_hz;
	c->daemon.pwm_period_s = pwm_s;
	c->daemon.dead_time_ms = dead_ms;
	sp->sensor_lag_s = lag_s;
	sp->max_pad_c = HARD_MAX_PAD_C;
	sp->min_pad_c = HARD_MIN_PAD_C;
	safety_limits_for(sp, 1.0 / control_hz, &lim);
	sp->max_pad_c = floor(lim.max_pad_c * 100.0) / 100.0;
	sp->min_pad_c = ceil(lim.min_pad_c * 100.0) / 100.0;
	sp->max_heatsink_c = HARD_MAX_HEATSINK_C;
	sp->start_max_heatsink_c = HARD_MAX_HEATSINK_C;
	sp->read_fail_count = 50;
	sp->stale_s = 600.0;
	sp->disagree_c = 10.0;
	sp->disagree_s = 60.0;
	sp->max_rate_c_per_s = 20.0;
	sp->heat_gain_c = 10.0;
	sp->heat_gain_time_s = 600.0;
	sp->cool_gain_c = 10.0;
	sp->cool_gain_time_s = 600.0;
	sp->hysteresis_c = 5.0;
	sp->max_error_c_s = 10000.0;
	sp->away_c = 10.0;
	sp->overrun_s = 10.0;
	sp->session_margin_s = 3600.0;
}

struct envelope_counts {
	int sessions, clean, false_trips, stuck, stuck_tripped, glitches, refused, violations;
	double worst_max_c, worst_min_c;
	char worst_max_what[256], worst_min_what[256];
	double kind_max_c[3], kind_min_c[3];    /* with sensor faults: per kind (index % 3) */
	int outside_claim;                      /* past a hard limit with a fault software does not hold */
};

static int envelope_session(uint64_t campaign_seed, int index, bool sensor_faults, struct envelope_counts *n)
{
	uint64_t rs = campaign_seed * 7919ULL + (uint64_t)index;
	static const double rates_hz[] = { 1.0, 1.0, 10.0, 10.0, 10.0, 100.0 };
	static const double lags_s[] = { 0.0, SAFETY_MAX_SENSOR_LAG_S, 2.0 };
	static const double pwms_s[] = { SAFETY_MAX_PWM_PERIOD_S, SAFETY_MAX_PWM_PERIOD_S, 1.0, 0.1 };
	static const double deads_ms[] = { 0.0, 200.0, 2000.0 };
	static struct sim_injection inj[SIM_MAX_INJECTIONS];
	struct sim_world world;
	struct reach reach;
	char world_desc[160], what[512], spec[96];
	const char *inject[1] = { spec };
	int violations = 0;
	struct tick_watch w = {
		.inject_at_s = NAN, .detected_at_s = NAN, .sink_at_detection_c = -INFINITY,
		.max_true_pad_c = -INFINITY, .min_true_pad_c = INFINITY,
	};

	harness_load_example(&cfg);
	double hz = rates_hz[rng_next(&rs) % 6];
	double lag_s = lags_s[rng_next(&rs) % 3];
	double pwm_s = pwms_s[rng_next(&rs) % 4];
	double dead_ms = deads_ms[rng_next(&rs) % 3];

	loosest_config(&cfg, hz, lag_s, pwm_s, dead_ms);
	/* The config is one the supervisor accepts: what the claim covers. */
	const char *key;
	char why[400];

	if (safety_params_check(&cfg.safety, 1.0 / hz, pwm_s, &key, why, sizeof(why)) < 0)
		fail_msg("the loosest config is refused: %s", why);
	envelope_world(index, &rs, &cfg.thermistor, &world, world_desc, sizeof(world_desc));
	world_reach(&world, &cfg.thermistor, &reach);

	/* A program the world can do: setpoints inside the limits and inside the plant's reach. */
	struct program *p = &cfg.programs[0];
	double warm_hi = fmin(cfg.safety.max_pad_c - SETPOINT_MARGIN_C, reach.ceiling_c - 2.0);
	double cool_lo = fmax(cfg.safety.min_pad_c + SETPOINT_MARGIN_C, reach.floor_c + 2.0);

	p->warm_c = rng_next(&rs) % 2 ? warm_hi : rng_uniform(&rs, fmin(33.0, warm_hi), warm_hi);
	p->cool_c = rng_next(&rs) % 2 ? cool_lo : rng_uniform(&rs, cool_lo, fmax(cool_lo, 30.0));
	if (p->cool_c > p->warm_c - 2.0)
		p->cool_c = p->warm_c - 2.0;
	p->warm_s = rng_uniform(&rs, 30.0, 120.0);
	p->cool_s = rng_uniform(&rs, 30.0, 120.0);
	p->cycles = 1 + (int)(rng_next(&rs) % 2);
	if (hz > 50.0)
		p->cycles = 1;  /* ten times the ticks: one cycle is enough to hold and to change phase */
	p->first = rng_next(&rs) % 2 ? PHASE_WARM : PHASE_COOL;
	p->last = rng_next(&rs) % 2 ? PHASE_WARM : PHASE_COOL;
	p->clock = rng_next(&rs) % 2 ? PHASE_CLOCK_WALL : PHASE_CLOCK_SETTLED;
	bool pad2 = rng_next(&rs) % 2;

	if (pad2)
		for (int z = 0; z < cfg.n_zones; z++)
			snprintf(cfg.zones[z].pad_sensor2, sizeof(cfg.zones[z].pad_sensor2), "ads1015_%d/voltage0", z);
	uint64_t noise_seed = rng_next(&rs);
	double span_s = program_phase_count(p) * 0.5 * (p->warm_s + p->cool_s);
	bool stuck = rng_next(&rs) % 2 || sensor_faults;
	struct harness_world hw = { .world = &world, .inj = inj };

	spec[0] = '\0';
	if (stuck) {
		bool heat = rng_next(&rs) % 2;
		int zone = (int)(rng_next(&rs) % (uint64_t)cfg.n_zones);

		if (rng_next(&rs) % 2) {
			/* Anywhere in the session: the start, a hold, a change of phase. */
			w.inject_at_s = rng_uniform(&rs, 0.5, span_s + 30.0);
		} else {
			/*
			 * Where it hurts most: in the second half of the first
			 * phase that holds the pad nearest the limit it heads for
			 * (the wall clock, so that the phase is where it is
			 * planned).
			 */
			enum phase_kind kind = heat ? PHASE_WARM : PHASE_COOL;
			int phase = program_phase_kind(p, 0) == kind || program_phase_count(p) < 2 ? 0 : 1;
			double start_s = 0.0;

			p->clock = PHASE_CLOCK_WALL;
			for (int k = 0; k < phase; k++)
				start_s += program_phase_length_s(p, k);
			double len_s = program_phase_length_s(p, phase);

			w.inject_at_s = start_s + rng_uniform(&rs, 0.5 * len_s, len_s);
		}
		w.inject_at_s = round(w.inject_at_s * 10.0) / 10.0;
		w.zone = zone;
		const char *kind = heat ? "peltier-stuck-on" : "peltier-stuck-on-cool";

		if (sensor_faults) {
			/* The pad sensor's faults instead, and a stall, at the same moments (kind by the index). */
			static const char *const kinds[] = { "sensor-stuck", "sensor-detached", "loop-stall" };

			kind = kinds[index % 3];
		}
		snprintf(spec, sizeof(spec), "%s:%s@%.1f", kind, cfg.zones[zone].name, w.inject_at_s);
	} else {
		world.glitch_c = random_glitch_c(&rs);
		hw.n_inj = random_glitches(&rs, 2.0 * span_s + 900.0, cfg.n_zones, inj, SIM_MAX_INJECTIONS);
		n->glitches += hw.n_inj;
	}
	const struct daemon *d = harness_run_in(&cfg, NULL, noise_seed, inject, stuck ? 1 : 0, &hw, 3 * 3600.0,
						watch, &w);
	const struct fault *f = safety_latched_fault(&d->ctl.safety);

	snprintf(what, sizeof(what), "envelope session %d (CAMPAIGN_SEED=%llu CAMPAIGN_ONLY=%d): %s; %.0f Hz, "
		 "sensor_lag_s %.1f, pwm %.1f s, dead %.0f ms, limits %.2f..%.2f C; warm %.2f C %.0f s, cool %.2f C "
		 "%.0f s, %d cycles, %s first, %s clock%s; %s", index, (unsigned long long)campaign_seed, index,
		 world_desc, hz, lag_s, pwm_s, dead_ms, cfg.safety.min_pad_c, cfg.safety.max_pad_c, p->warm_c,
		 p->warm_s, p->cool_c, p->cool_s, p->cycles, phase_kind_name(p->first), phase_clock_name(p->clock),
		 pad2 ? ", pad2" : "", stuck ? spec : "glitches");
#define ENVELOPE_VIOLATION(...)                                         \
	do {                                                            \
		violations++;                                           \
		print_error("VIOLATION %s: ", what);                    \
		print_error(__VA_ARGS__);                               \
		print_error("\n");                                      \
	} while (0)

	n->sessions++;
	if (d->ctl.program_index < 0) {
		/*
		 * Refused to start, which is what it should do where the pad
		 * rests less than 2 C inside the limits this config can hold
		 * (a 35 C room and a warm body, with a slow loop): with a plain
		 * reason, and nothing driven.
		 */
		const char *names[MAX_ZONES] = { "left", "right" };

		struct dose_amount planned = dose_planned(p, cfg.dose.cold_c);
		bool over_budget = planned.heat_min > cfg.dose.heat_dose_min || planned.cold_min > cfg.dose.cold_min;

		n->refused++;
		if (!over_budget &&
		    safety_start_check(&d->ctl.safety, &d->ctl.last_safety_input, names, why, sizeof(why)) == 0 &&
		    safety_program_check(&d->ctl.safety, p->name, p->warm_c, p->cool_c, why, sizeof(why)) == 0)
			ENVELOPE_VIOLATION("the session did not start, for no reason the supervisor gives");
	}
	if (sensor_faults && d->ctl.program_index >= 0) {
		n->kind_max_c[index % 3] = fmax(n->kind_max_c[index % 3], w.max_true_pad_c);
		n->kind_min_c[index % 3] = fmin(n->kind_min_c[index % 3], w.min_true_pad_c);
	}
	if (w.max_true_pad_c > n->worst_max_c) {
		n->worst_max_c = w.max_true_pad_c;
		snprintf(n->worst_max_what, sizeof(n->worst_max_what), "session %d: %s", index, stuck ? spec : "no fault");
	}
	if (w.min_true_pad_c < n->worst_min_c) {
		n->worst_min_c = w.min_true_pad_c;
		snprintf(n->worst_min_what, sizeof(n->worst_min_what), "session %d: %s", index, stuck ? spec : "no fault");
	}
	/*
	 * With pad sensor faults, a sensor off the pad and a stalled loop are
	 * still outside software's reach (docs/safety.md, with these
	 * figures): counted and shown. A frozen sensor is held.
	 */
	bool outside = sensor_faults && index % 3 != 0;

	if (outside && (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C))
		n->outside_claim++;
	else if (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C)
		ENVELOPE_VIOLATION("the true pad went %.2f..%.2f C, beyond the hard limits", w.min_true_pad_c,
				   w.max_true_pad_c);
	if (w.both_polarities)
		ENVELOPE_VIOLATION("heat and cool active together on %d ticks", w.both_polarities);
	if (w.outputs_while_idle)
		ENVELOPE_VIOLATION("outputs on while no session ran, %d times", w.outputs_while_idle);
	if (!isnan(w.detected_at_s) && w.outputs_at_trip)
		ENVELOPE_VIOLATION("outputs still on in the tick of the trip");
	if (d->ctl.program_index < 0) {
		/* Counted as refused above. */
	} else if (stuck) {
		n->stuck++;
		if (safety_latched(&d->ctl.safety))
			n->stuck_tripped++;
	} else {
		n->clean++;
		if (d->ctl.state != SESSION_COMPLETED || safety_latched(&d->ctl.safety)) {
			char desc[256];
			const char *names[MAX_ZONES] = { "left", "right" };

			safety_describe(f, names, desc, sizeof(desc));
			n->false_trips++;
			ENVELOPE_VIOLATION("no fault, but the session ended %s: %s", session_state_name(d->ctl.state), desc);
		}
	}
#undef ENVELOPE_VIOLATION
	return violations;
}

static void run_envelope_campaign(bool sensor_faults)
{
	const char *env_n = getenv("ENVELOPE_SESSIONS"), *env_seed = getenv("CAMPAIGN_SEED");
	const char *env_only = getenv("CAMPAIGN_ONLY");
	int sessions = env_n ? atoi(env_n) : ENVELOPE_DEFAULT_SESSIONS;
	uint64_t seed = env_seed ? strtoull(env_seed, NULL, 0) : 20261125;
	static struct envelope_counts n;

	memset(&n, 0, sizeof(n));
	n.worst_max_c = -INFINITY;
	n.worst_min_c = INFINITY;
	for (int k = 0; k < 3; k++) {
		n.kind_max_c[k] = -INFINITY;
		n.kind_min_c[k] = INFINITY;
	}
	for (int i = 0; i < sessions; i++) {
		if (env_only && atoi(env_only) != i)
			continue;
		n.violations += envelope_session(seed, i, sensor_faults, &n);
	}
	if (sensor_faults)
		print_message("envelope campaign with pad sensor faults, seed %llu: %d sessions; %d with a pad sensor "
			      "stuck or off the pad or a loop stall (%d tripped), %d refused to start; %d violations\n",
			      (unsigned long long)seed, n.sessions, n.stuck, n.stuck_tripped, n.refused, n.violations);
	else
		print_message("envelope campaign seed %llu: %d sessions; %d with a Peltier stuck on (%d tripped), "
			      "%d without a fault (%d glitches, %d false trips), %d refused to start; %d violations\n",
			      (unsigned long long)seed, n.sessions, n.stuck, n.stuck_tripped, n.clean, n.glitches,
			      n.false_trips, n.refused, n.violations);
	print_message("  worst true pad: %.2f C (%s), %.2f C (%s)\n", n.worst_max_c, n.worst_max_what,
		      n.worst_min_c, n.worst_min_what);
	if (sensor_faults)
		print_message("  true pad per kind: sensor-stuck %.2f..%.2f C, sensor-detached %.2f..%.2f C, "
			      "loop-stall %.2f..%.2f C; %d sessions past a hard limit with a sensor off the pad or a "
			      "stall (outside the claim, docs/safety.md)\n", n.kind_min_c[0], n.kind_max_c[0],
			      n.kind_min_c[1], n.kind_max_c[1], n.kind_min_c[2], n.kind_max_c[2], n.outside_claim);
	assert_int_equal(n.violations, 0);
	if (!env_only)
		assert_true(n.sessions >= ENVELOPE_DEFAULT_SESSIONS || env_n);
}

static void test_envelope_campaign(void **state)
{
	(void)state;
	run_envelope_campaign(false);
}

/*
 * The same sessions (the same worlds, configs, programs and moments), each
 * with a pad sensor stuck, a pad sensor off the pad, or a loop stall
 * instead of a stuck-on Peltier: the true pad stays inside [10, 43] C.
 */
static void test_envelope_sensor_campaign(void **state)
{
	(void)state;
	run_envelope_campaign(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_campaign),
		cmocka_unit_test(test_envelope_campaign),
		cmocka_unit_test(test_envelope_sensor_campaign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
