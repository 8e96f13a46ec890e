/* SPDX-License-Identifier: MIT */
/*
 * Every fault the simulator can inject, in each phase (mid-warm, mid-cool,
 * at the warm->cool and at the cool->warm change), in either zone:
 * detected as its kind within its bound (fault_expect.h, docs/safety.md),
 * every output and the power relay off in the very tick of the trip, the
 * true pad never past a hard limit, the process's exit code 3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "fault_expect.h"
#include "sim_harness.h"

static struct config cfg;

struct watch {
	double inject_at_s;
	double detected_at_s;           /* NAN until latched */
	bool outputs_off_at_trip;
	double max_true_pad_c, min_true_pad_c;
	double max_true_sink_c;
	double sink_at_detection_c;
	int both_polarities;
	int zone;
	double driving_after_s;         /* time the zone drove after the injection, until detection */
};

static int watch_tick(const struct daemon *d, void *arg)
{
	struct watch *w = arg;

	for (int z = 0; z < d->cfg.n_zones; z++) {
		w->max_true_pad_c = fmax(w->max_true_pad_c, harness_sim.plant.zone[z].pad_c);
		w->min_true_pad_c = fmin(w->min_true_pad_c, harness_sim.plant.zone[z].pad_c);
		w->max_true_sink_c = fmax(w->max_true_sink_c, harness_sim.plant.zone[z].sink_c);
	}
	if (d->now_s > w->inject_at_s && isnan(w->detected_at_s) &&
	    fabs(harness_sim.applied.duty[w->zone]) >= d->cfg.safety.stale_min_duty)
		w->driving_after_s += 1.0 / d->cfg.daemon.control_hz;
	if (isnan(w->detected_at_s) && safety_latched(&d->ctl.safety)) {
		w->detected_at_s = d->now_s;
		w->outputs_off_at_trip = !harness_sim.applied.power;
		for (int z = 0; z < d->cfg.n_zones; z++) {
			if (harness_sim.applied.duty[z] != 0.0 || harness_sim.applied.fan[z])
				w->outputs_off_at_trip = false;
			w->sink_at_detection_c = fmax(w->sink_at_detection_c, harness_sim.plant.zone[z].sink_c);
		}
	}
	return 0;
}

/* Phase start times of a clean run with this config and seed. */
static double phase_start[16];

static int record_phases(const struct daemon *d, void *arg)
{
	(void)arg;
	if (d->ctl.state == SESSION_RUNNING && d->ctl.run.phase < 16 && phase_start[d->ctl.run.phase] == 0.0)
		phase_start[d->ctl.run.phase] = d->now_s;
	return 0;
}

static void setup_config(bool pad2)
{
	harness_load_example(&cfg);
	cfg.programs[0].cycles = 2;
	if (pad2)
		for (int z = 0; z < cfg.n_zones; z++)
			snprintf(cfg.zones[z].pad_sensor2, sizeof(cfg.zones[z].pad_sensor2), "ads1015_%d/voltage0", z);
}

static void run_case(const struct fault_expect *e, const char *where, double at_s, int zone, uint64_t seed)
{
	char spec[96];
	const char *inject[1] = { spec };
	struct watch w = {
		.inject_at_s = at_s, .detected_at_s = NAN,
		.max_true_pad_c = -INFINITY, .min_true_pad_c = INFINITY, .max_true_sink_c = -INFINITY,
		.sink_at_detection_c = -INFINITY, .zone = zone,
	};

	snprintf(spec, sizeof(spec), "%s:%s@%.1f", inject_kind_name(e->inject), cfg.zones[zone].name, at_s);
	const struct daemon *d = harness_run(&cfg, NULL, seed, inject, 1, 4 * 3600.0, watch_tick, &w);
	const struct fault *f = safety_latched_fault(&d->ctl.safety);
	char what[160];

	snprintf(what, sizeof(what), "%s %s (seed %llu)", spec, where, (unsigned long long)seed);
	if (isnan(w.detected_at_s))
		fail_msg("%s: not detected; session %s", what, session_state_name(d->ctl.state));
	if (!fault_kind_expected(e, f->kind))
		fail_msg("%s: detected as %s", what, fault_kind_name(f->kind));
	double latency_s = w.detected_at_s - at_s;

	if (e->heatsink_hazard_only) {
		if (w.sink_at_detection_c > cfg.safety.max_heatsink_c + 5.0)
			fail_msg("%s: heatsink at %.1f C when detected", what, w.sink_at_detection_c);
	} else if ((e->bound_in_driving_time ? w.driving_after_s : latency_s) > e->bound_s + 1e-6) {
		fail_msg("%s: detected after %.2f s, bound %.2f s", what, latency_s, e->bound_s);
	}
	if (latency_s < -1e-6)
		fail_msg("%s: tripped %.2f s before the injection", what, -latency_s);
	if (!w.outputs_off_at_trip)
		fail_msg("%s: outputs not all off in the tick of the trip", what);
	if (w.max_true_pad_c > HARD_MAX_PAD_C || w.min_true_pad_c < HARD_MIN_PAD_C)
		fail_msg("%s: the true pad reached %.2f..%.2f C", what, w.min_true_pad_c, w.max_true_pad_c);
	if (w.max_true_sink_c > HARD_MAX_HEATSINK_C)
		fail_msg("%s: the true heatsink reached %.2f C", what, w.max_true_sink_c);
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	assert_int_equal(d->exit_code, 3);
	/* Zone-specific faults name the zone they were injected into. */
	if (f->zone >= 0 && e->inject != INJECT_GPIO_ERROR)
		assert_int_equal(f->zone, zone);
	print_message("  %-40s %-12s -> %-26s after %6.2f s\n", spec, where, fault_kind_name(f->kind), latency_s);
}

static void test_every_fault_in_every_phase(void **state)
{
	(void)state;
	for (int i = 0; i < N_FAULT_EXPECTATIONS; i++) {
		const struct fault_expect *e = &fault_expectations[i];

		for (int zone = 0; zone < 2; zone++) {
			uint64_t seed = 1000 + 10 * i + zone;

			setup_config(e->needs_pad2);
			memset(phase_start, 0, sizeof(phase_start));
			harness_run(&cfg, NULL, seed, NULL, 0, 4 * 3600.0, record_phases, NULL);
			/* W C W C: phase 1 starts the first cool, phase 2 the second warm. */
			const struct {
				const char *where;
				double at_s;
			} when[] = {
				{ "mid-warm", phase_start[1] - 60.0 },
				{ "mid-cool", phase_start[2] - 30.0 },
				{ "warm->cool", phase_start[1] },
				{ "cool->warm", phase_start[2] },
			};
			for (size_t k = 0; k < sizeof(when) / sizeof(when[0]); k++)
				run_case(e, when[k].where, when[k].at_s, zone, seed);
		}
	}
}

/* Without an injected fault, the same sessions never trip. */
static void test_no_fault_no_trip(void **state)
{
	(void)state;
	for (int pad2 = 0; pad2 < 2; pad2++) {
		for (uint64_t seed = 1; seed <= 10; seed++) {
			setup_config(pad2);
			const struct daemon *d = harness_run(&cfg, NULL, seed, NULL, 0, 4 * 3600.0, NULL, NULL);

			assert_int_equal(d->ctl.state, SESSION_COMPLETED);
			assert_false(safety_latched(&d->ctl.safety));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fault_in_every_phase),
		cmocka_unit_test(test_no_fault_no_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
