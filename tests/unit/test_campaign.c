/* SPDX-License-Identifier: MIT */
/*
 * The randomized campaign: CAMPAIGN_SESSIONS (default 1000) simulated
 * sessions with random programs within the limits, random sensor-noise
 * seeds, a second pad sensor in some, and in most of them one random
 * injected fault at a random time. On every tick: heat and cool never
 * both active, no output while no session runs, the true pad never past a
 * hard limit. Per session: an injected fault detected as its kind within
 * its bound (fault_expect.h); no trip at all without a fault.
 *
 * Prints its counts; on a violation, the campaign seed and session index
 * that replay it: CAMPAIGN_SEED=S CAMPAIGN_ONLY=I build/tests/test_campaign
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
		w->max_true_pad_c = fmax(w->max_true_pad_c, harness_sim.plant.zone[z].pad_c);
		w->min_true_pad_c = fmin(w->min_true_pad_c, harness_sim.plant.zone[z].pad_c);
		if (a->duty[z] > 0.0 && a->duty[z] < 0.0)
			w->both_polarities++;
		if (d->ctl.state != SESSION_RUNNING && a->duty[z] != 0.0)
			w->outputs_while_idle++;
	}
	if (d->ctl.state != SESSION_RUNNING && a->power)
		w->outputs_while_idle++;
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
	int per_kind[INJECT_KIND_COUNT];
};

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
	/* Most sessions get one fault, at a time inside the session's likely span. */
	if (rng_next(&rs) % 10 < 8) {
		do
			e = &fault_expectations[rng_next(&rs) % N_FAULT_EXPECTATIONS];
		while (e->needs_pad2 && !pad2);
		double span_s = program_phase_count(p) * 0.5 * (p->warm_s + p->cool_s) +
				(p->clock == PHASE_CLOCK_SETTLED ? 60.0 * program_phase_count(p) : 0.0);
		int zone = (int)(rng_next(&rs) % (uint64_t)cfg.n_zones);

		/* To the tenth of a second, as the spec string carries it. */
		w.inject_at_s = round(rng_uniform(&rs, 1.0, span_s) * 10.0) / 10.0;
		w.zone = zone;
		snprintf(spec, sizeof(spec), "%s:%s@%.1f", inject_kind_name(e->inject), cfg.zones[zone].name,
			 w.inject_at_s);
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
	const struct daemon *d = harness_run(&cfg, NULL, noise_seed, inject, e ? 1 : 0, 4 * 3600.0, watch, &w);
	const struct fault *f = safety_latched_fault(&d->ctl.safety);
	char what[256];

	snprintf(what, sizeof(what), "session %d (CAMPAIGN_SEED=%llu CAMPAIGN_ONLY=%d): %s, warm %.1f C %.0f s, "
		 "cool %.1f C %.0f s, %d cycles, %s first, %s last, %s clock%s", index, (unsigned long long)campaign_seed, index,
		 e ? spec : "no fault", p->warm_c, p->warm_s, p->cool_c, p->cool_s, p->cycles,
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
	if (w.both_polarities)
		VIOLATION("heat and cool active together on %d ticks", w.both_polarities);
	if (w.outputs_while_idle)
		VIOLATION("outputs on while no session ran, %d times", w.outputs_while_idle);
	if (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C)
		VIOLATION("true pad %.2f..%.2f C, beyond the hard limits", w.min_true_pad_c, w.max_true_pad_c);
	if (!isnan(w.detected_at_s) && w.outputs_at_trip)
		VIOLATION("outputs still on in the tick of the trip");
	if (!e) {
		if (d->ctl.state != SESSION_COMPLETED || safety_latched(&d->ctl.safety))
			VIOLATION("no fault injected, but the session ended %s%s%s", session_state_name(d->ctl.state),
				  f ? " with " : "", f ? fault_kind_name(f->kind) : "");
		else
			n->completed++;
		return violations;
	}
	n->with_fault++;
	n->per_kind[e->inject]++;
	bool ended_before_injection = d->ctl.session_end_s - d->ctl.session_start_s < w.inject_at_s;

	if (isnan(w.detected_at_s)) {
		/*
		 * Not detected: acceptable only where the session ended before
		 * the fault could show (injected after the end, or the end came
		 * within the bound), or where a failed fan never heated the sink.
		 */
		double end_s = d->ctl.session_end_s;

		if (ended_before_injection || e->heatsink_hazard_only || e->bound_in_driving_time ||
		    end_s < w.inject_at_s + e->bound_s) {
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
	else if (e->heatsink_hazard_only ? w.sink_at_detection_c > cfg.safety.max_heatsink_c + 5.0
					 : (e->bound_in_driving_time ? w.driving_after_s : latency_s) > e->bound_s + 1e-6)
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
	struct counts n = { 0 };

	(void)state;
	for (int i = 0; i < sessions; i++) {
		if (env_only && atoi(env_only) != i)
			continue;
		n.violations += one_session(seed, i, &n);
	}
	print_message("campaign seed %llu: %d sessions, %d without a fault (%d completed), %d with one: "
		      "%d detected in bound, %d ended before it could show; %d refused for their planned dose; "
		      "%d violations\n",
		      (unsigned long long)seed, n.sessions, n.sessions - n.with_fault, n.completed, n.with_fault,
		      n.detected, n.stopped_early, n.refused_for_dose, n.violations);
	for (int k = 0; k < INJECT_KIND_COUNT; k++)
		print_message("  %-18s %d\n", inject_kind_name(k), n.per_kind[k]);
	assert_int_equal(n.violations, 0);
	if (!env_only)
		assert_true(n.sessions >= 1000 || env_n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_campaign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
