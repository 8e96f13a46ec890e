/* SPDX-License-Identifier: MIT */
/*
 * Autotune (core/autotune.h): the relay's maths against an integrator with
 * dead time whose figures are known in closed form; the state machine
 * against a first-order-plus-dead-time pad; and the whole experiment on
 * the simulated reference plant, in virtual time, through the real
 * controller and supervisor: the gains it finds are the shipped ones
 * within 10 %, and a stop or a trip ends it with the outputs off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/autotune.h"
#include "sim_harness.h"

/* ---- the maths ------------------------------------------------------------------ */

/*
 * An integrator of gain b with dead time theta: the loop oscillates at the
 * crossover where the delay costs 90 degrees, w = pi / (2 theta), with the
 * gain Ku = w / b; kp = Ku / 2 leaves 45 degrees.
 */
static void test_derive_integrator(void **state)
{
	struct autotune_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	autotune_derive(&r, 0.8, 0.5);
	assert_true(r.valid);
	assert_float_equal(r.ku, M_PI / (2.0 * 0.8 * 0.5), 1e-12);
	assert_float_equal(r.tu_s, 2.0, 1e-12);
}

/* The rule: Ku / 2 where a set acts both ways, Ku of the other polarity where it only takes away. */
static void test_gains_rule(void **state)
{
	struct autotune_result heat, cool;

	(void)state;
	memset(&heat, 0, sizeof(heat));
	memset(&cool, 0, sizeof(cool));
	/* The reference plant's gains (pad_observer.h) with half a 1 s PWM period. */
	autotune_derive(&heat, PAD_OBSERVER_HEAT_GAIN_C_PER_S, 0.5);
	autotune_derive(&cool, PAD_OBSERVER_COOL_GAIN_C_PER_S, 0.5);
	autotune_gains(&heat, &cool);
	assert_float_equal(heat.kp, heat.ku / 2.0, 1e-12);
	/* 45 degrees of phase margin: at the crossover kp b the delay costs 45 degrees. */
	assert_float_equal(heat.kp * PAD_OBSERVER_HEAT_GAIN_C_PER_S * 0.5, M_PI / 4.0, 1e-12);
	assert_float_equal(heat.kp, 1.96, 0.01);
	/* cool_kp: Ku_cool / 2 = 4.49 is more than the warm setpoint's Ku_heat = 3.93. */
	assert_float_equal(cool.kp, heat.ku, 1e-12);
	assert_float_equal(cool.kp, 3.93, 0.01);
	assert_float_equal(heat.ki, 0.0, 0.0);
	assert_float_equal(heat.kd, 0.0, 0.0);
	assert_float_equal(cool.ki, 0.0, 0.0);
	assert_float_equal(cool.kd, 0.0, 0.0);
	/* Equal gains: Ku / 2 both. */
	autotune_derive(&heat, 0.5, 0.5);
	autotune_derive(&cool, 0.5, 0.5);
	autotune_gains(&heat, &cool);
	assert_float_equal(heat.kp, heat.ku / 2.0, 1e-12);
	assert_float_equal(cool.kp, cool.ku / 2.0, 1e-12);
}

/* No gain or no dead time: nothing to tune from. */
static void test_derive_refuses_nonsense(void **state)
{
	struct autotune_result r;

	(void)state;
	autotune_derive(&r, 0.0, 0.5);
	assert_false(r.valid);
	assert_true(isnan(r.kp));
	autotune_derive(&r, 0.8, 0.0);
	assert_false(r.valid);
	autotune_derive(&r, NAN, 0.5);
	assert_false(r.valid);
	autotune_derive(&r, 0.8, INFINITY);
	assert_false(r.valid);
}

/* ---- the state machine on a first-order-plus-dead-time pad ---------------------- */

#define FOPDT_DT_S      0.1
#define FOPDT_DELAY_N   4       /* ticks of dead time */

struct fopdt {
	double temp_c;
	double b_heat, b_cool;          /* C/s per duty */
	double lambda;                  /* per s, toward ambient_c */
	double ambient_c;
	double queue[FOPDT_DELAY_N];    /* duties on their way */
};

static void fopdt_step(struct fopdt *m, double duty)
{
	double u = m->queue[0];

	memmove(m->queue, m->queue + 1, sizeof(m->queue) - sizeof(m->queue[0]));
	m->queue[FOPDT_DELAY_N - 1] = duty;
	m->temp_c += FOPDT_DT_S * ((u > 0.0 ? m->b_heat : m->b_cool) * u + m->lambda * (m->ambient_c - m->temp_c));
}

/*
 * Run the machine on the model with a real observer watching the model's
 * temperature (a sensor without lag, with 0.02 C of noise), told the duty
 * as commanded; the model's drift toward its ambient is not the
 * observer's model of it (the observer's drift term takes it up). Where
 * the approach asks for the controller, a proportional one stands in.
 * Returns the virtual seconds taken.
 */
static double run_fopdt(struct autotune *a, struct fopdt *m)
{
	struct autotune_params p;
	struct pad_observer o;
	double t = 0.0, duty = 0.0;
	uint32_t rng = 12345;

	autotune_default_params(&p, 39.0, 20.0, 1.0, 1.0);
	autotune_start(a, &p, 0.0);
	pad_observer_start(&o, m->temp_c, false);
	while (autotune_active(a) && t < AUTOTUNE_MAX_S) {
		struct autotune_command cmd;

		fopdt_step(m, duty);
		rng = rng * 1664525u + 1013904223u;
		double noise_c = 0.02 * ((double)(rng >> 8) / (double)(1u << 24) * 2.0 - 1.0) * 1.7;

		pad_observer_step(&o, duty, FOPDT_DT_S, 1e-3, m->temp_c + noise_c, NAN);
		t += FOPDT_DT_S;
		autotune_step(a, t, &o, &cmd);
		duty = cmd.use_controller ? fmax(-1.0, fmin(1.0, 2.0 * (cmd.setpoint_c - pad_observer_temp_c(&o)))) :
		       cmd.duty;
	}
	return t;
}

/* Gains a quarter off the reference: the observer finds them through the relay, the rule follows. */
static void test_fopdt_finds_the_gains(void **state)
{
	struct fopdt m = { .temp_c = 33.0, .b_heat = 0.6, .b_cool = 0.45, .lambda = 0.011, .ambient_c = 30.0 };
	struct autotune a;

	(void)state;
	double took_s = run_fopdt(&a, &m);

	printf("fopdt: heat b %.3f (ramps %.3f) kp %.2f, cool b %.3f (ramps %.3f) kp %.2f, %.0f s\n",
	       a.heat.plant_gain_c_per_s, a.heat.relay_plant_gain_c_per_s, a.heat.kp, a.cool.plant_gain_c_per_s,
	       a.cool.relay_plant_gain_c_per_s, a.cool.kp, took_s);
	assert_int_equal(a.stage, AUTOTUNE_DONE);
	assert_true(took_s < 600.0);
	assert_true(a.heat.valid && a.cool.valid);
	assert_int_equal(a.heat.cycles, AUTOTUNE_CYCLES);
	assert_int_equal(a.cool.cycles, AUTOTUNE_CYCLES);
	assert_float_equal(a.heat.plant_gain_c_per_s, 0.6, 0.06);
	assert_float_equal(a.cool.plant_gain_c_per_s, 0.45, 0.045);
	/* Half the 1 s PWM period; the rule. */
	assert_float_equal(a.heat.dead_time_s, 0.5, 1e-12);
	assert_float_equal(a.heat.ku, M_PI / (2.0 * a.heat.plant_gain_c_per_s * 0.5), 1e-9);
	assert_float_equal(a.heat.kp, fmin(a.heat.ku / 2.0, a.cool.ku), 1e-12);
	assert_float_equal(a.cool.kp, fmin(a.cool.ku / 2.0, a.heat.ku), 1e-12);
	/* The relay's own figures: an amplitude past the band, a period, each half a whole PWM period in heat. */
	assert_true(a.heat.amplitude_c > AUTOTUNE_HYSTERESIS_C && a.heat.amplitude_c < 3.0 * AUTOTUNE_HYSTERESIS_C);
	assert_true(a.cool.amplitude_c > AUTOTUNE_HYSTERESIS_C && a.cool.amplitude_c < 3.0 * AUTOTUNE_HYSTERESIS_C);
	assert_true(a.heat.period_s > 1.0 && a.cool.period_s > 1.0);
	assert_float_equal(a.heat.relay_gain, 4.0 * (a.heat.u_hi - a.heat.u_lo) / 2.0 / (M_PI * a.heat.amplitude_c),
			   1e-9);
	/* The heat relay sits in the heat polarity, the cool one in the cool polarity. */
	assert_true(a.heat.u_lo >= 0.0 && a.heat.u_hi > a.heat.u_lo);
	assert_true(a.cool.u_hi <= 0.0 && a.cool.u_hi > a.cool.u_lo);
}

/* A pad that does not move: the relay never oscillates, the run fails (it does not hang). */
static void test_fopdt_dead_peltier_times_out(void **state)
{
	struct fopdt m = { .temp_c = 39.0, .b_heat = 0.0, .b_cool = 0.0, .lambda = 0.0, .ambient_c = 39.0 };
	struct autotune a;

	(void)state;
	m.temp_c = 39.0;
	run_fopdt(&a, &m);
	assert_int_equal(a.stage, AUTOTUNE_FAILED);
	assert_non_null(strstr(a.why, "did not"));
}

static void test_cancel(void **state)
{
	struct autotune_params p;
	struct autotune a;

	(void)state;
	autotune_default_params(&p, 39.0, 20.0, 1.0, 1.0);
	assert_float_equal(p.actuation_s, 0.5, 1e-12);
	autotune_start(&a, &p, 0.0);
	assert_true(autotune_active(&a));
	autotune_cancel(&a, "stopped");
	assert_false(autotune_active(&a));
	assert_int_equal(a.stage, AUTOTUNE_FAILED);
	assert_string_equal(a.why, "stopped");
}

/* ---- the simulated reference plant -------------------------------------------------- */

static struct config cfg;

struct tune_watch {
	int heat_and_cool;              /* ticks both polarities driven */
	int driven_other_zone;          /* ticks a zone other than the tuned one was driven */
	int driven_after_end;           /* ticks anything was driven once the run ended */
	bool ended;
	double max_true_c, min_true_c;
};

static int watch_tune(const struct daemon *d, void *arg)
{
	struct tune_watch *w = arg;
	const struct tick_outputs *applied = &harness_sim.applied;

	for (int z = 0; z < d->cfg.n_zones; z++) {
		double true_c = harness_sim.plant.zone[z].pad_c;

		w->max_true_c = fmax(w->max_true_c, true_c);
		w->min_true_c = fmin(w->min_true_c, true_c);
		if (z != d->ctl.tune_zone && applied->duty[z] != 0.0)
			w->driven_other_zone++;
		if (w->ended && applied->duty[z] != 0.0)
			w->driven_after_end++;
	}
	if (!controller_autotune_active(&d->ctl))
		w->ended = true;
	return 0;
}

/* The daemon on the sim, idle (no --start), ticked once so there are readings. */
static struct daemon *idle_daemon(uint64_t seed)
{
	struct options opt;
	char err[256];
	struct daemon *d = &harness_daemon;

	memset(&opt, 0, sizeof(opt));
	opt.config_path = "config/contrastd.conf";
	opt.simulate = true;
	opt.speed = 0.0;
	opt.fast_after_s = -1.0;
	opt.seed = seed;
	log_set_max_level((enum log_level)0);
	if (harness_init(d, &opt, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "daemon_init: %s\n", err);
		abort();
	}
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	d->progress = harness_devnull;
	d->fast = true;
	for (int i = 0; i < 20; i++)
		daemon_step(d);
	return d;
}

static void run_until_end(struct daemon *d, struct tune_watch *w, double max_s)
{
	double until_s = d->now_s + max_s;

	w->max_true_c = -INFINITY;
	w->min_true_c = INFINITY;
	while (d->now_s < until_s) {
		daemon_step(d);
		watch_tune(d, w);
		if (w->ended && d->now_s > until_s - max_s + 1.0 && w->driven_after_end == 0 && d->ticks % 50 == 0)
			break;
	}
}

static void test_sim_finds_the_shipped_gains(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct daemon *d = idle_daemon(seed);
		struct tune_watch w = { 0 };
		char why[256];
		const struct config_zone *zc = &cfg.zones[0];

		assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), 0);
		run_until_end(d, &w, AUTOTUNE_MAX_S);
		const struct autotune *a = &d->ctl.tune;

		printf("seed %llu: %s %s\n", (unsigned long long)seed, autotune_stage_name(a->stage), a->why);
		for (int pol = 0; pol < 2; pol++) {
			const struct autotune_result *r = pol ? &a->cool : &a->heat;

			printf("  %s: u %.3f/%.3f a %.3f C period %.2f s relay gain %.2f b %.3f theta %.3f "
			       "(ramps %.3f) Ku %.2f Tu %.2f kp %.3f (cycles %d)\n", pol ? "cool" : "heat", r->u_hi, r->u_lo,
			       r->amplitude_c, r->period_s, r->relay_gain, r->plant_gain_c_per_s, r->dead_time_s,
			       r->relay_plant_gain_c_per_s,
			       r->ku, r->tu_s, r->kp, r->cycles);
		}
		printf("  took %.0f s virtual; true pad %.2f..%.2f\n", a->stage == AUTOTUNE_DONE ? d->now_s : 0.0,
		       w.min_true_c, w.max_true_c);
		assert_int_equal(a->stage, AUTOTUNE_DONE);
		assert_float_equal(a->heat.kp, zc->pid.heat.kp, 0.1 * zc->pid.heat.kp);
		assert_float_equal(a->cool.kp, zc->pid.cool.kp, 0.1 * zc->pid.cool.kp);
		assert_float_equal(a->heat.ki, zc->pid.heat.ki, 1e-12);
		assert_float_equal(a->cool.kd, zc->pid.cool.kd, 1e-12);
		assert_int_equal(w.driven_other_zone, 0);
		assert_int_equal(w.driven_after_end, 0);
		assert_int_equal(harness_sim.applied.power, 0);
		assert_false(safety_latched(&d->ctl.safety));
		/* Never near the limits: the experiment stays around its midpoints. */
		assert_true(w.max_true_c < cfg.safety.max_pad_c - 1.0);
		assert_true(w.min_true_c > cfg.safety.min_pad_c + 1.0);
	}
}

/* No session while autotune runs, no autotune while a session runs; both in so many words. */
static void test_sim_refusals(void **state)
{
	struct daemon *d = idle_daemon(1);
	char why[512];

	(void)state;
	assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), 0);
	assert_true(controller_autotune_active(&d->ctl));
	assert_int_equal(controller_start(&d->ctl, NULL, d->now_s, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune is running (stop ends it)");
	/* The daemon's start path (the guard: lockout, dose ledger) says the same. */
	assert_int_equal(guard_start(&d->guard, &d->ctl, NULL, d->now_s, 0.0, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune is running (stop ends it)");
	assert_int_equal(controller_autotune_start(&d->ctl, 1, d->now_s, why, sizeof(why)), -1);
	assert_string_equal(why, "autotune is running already");
	assert_int_equal(controller_autotune_cancel(&d->ctl, "test"), 0);
	assert_int_equal(controller_autotune_cancel(&d->ctl, "test"), -1);

	assert_int_equal(controller_start(&d->ctl, NULL, d->now_s, why, sizeof(why)), 0);
	daemon_step(d);
	assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), -1);
	assert_string_equal(why, "a session is running: autotune only while idle");
	assert_int_equal(controller_autotune_start(&d->ctl, 7, d->now_s, why, sizeof(why)), -1);
}

/* A press of the button ends the run at once, outputs off; it does not start a session. */
static void test_sim_button_cancels(void **state)
{
	struct daemon *d = idle_daemon(2);
	char why[512];

	(void)state;
	assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), 0);
	/* Into the relay: the pad is being driven. */
	while (d->ctl.tune.stage != AUTOTUNE_RELAY && d->now_s < 200.0)
		daemon_step(d);
	for (int i = 0; i < 30; i++)
		daemon_step(d);
	assert_int_equal(d->ctl.tune.stage, AUTOTUNE_RELAY);
	assert_true(harness_sim.applied.power);
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_false(controller_autotune_active(&d->ctl));
	assert_int_equal(d->ctl.tune.stage, AUTOTUNE_FAILED);
	assert_string_equal(d->ctl.tune.why, "stopped (button)");
	/* Off now, not at the next tick: the bridge conducts nothing. */
	assert_false(harness_sim.applied.power);
	for (int z = 0; z < cfg.n_zones; z++) {
		assert_float_equal(harness_sim.applied.duty[z], 0.0, 0.0);
		assert_int_equal(hw_sim_drive(&harness_sim, z), 0);
	}
	for (int i = 0; i < 50; i++) {
		daemon_step(d);
		assert_false(harness_sim.applied.power);
		for (int z = 0; z < cfg.n_zones; z++)
			assert_float_equal(harness_sim.applied.duty[z], 0.0, 0.0);
	}
	assert_int_equal(d->ctl.state, SESSION_IDLE);
	assert_false(safety_latched(&d->ctl.safety));
}

/* A sensor that opens in the relay: the supervisor trips, the fault latches, the run fails, outputs off. */
static void test_sim_fault_trips_and_latches(void **state)
{
	struct daemon *d = idle_daemon(3);
	char why[512], err[256], spec[64];

	(void)state;
	assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), 0);
	while (d->ctl.tune.stage != AUTOTUNE_RELAY && d->now_s < 200.0)
		daemon_step(d);
	assert_int_equal(d->ctl.tune.stage, AUTOTUNE_RELAY);
	snprintf(spec, sizeof(spec), "sensor-open:left@%.1f", harness_sim.plant.t_s + 5.0);
	assert_int_equal(hw_sim_inject(&harness_sim, spec, &cfg, err, sizeof(err)), 0);
	double until_s = d->now_s + 30.0;

	while (controller_autotune_active(&d->ctl) && d->now_s < until_s)
		daemon_step(d);
	assert_int_equal(d->ctl.tune.stage, AUTOTUNE_FAILED);
	assert_string_equal(d->ctl.tune.why, "a safety fault tripped");
	assert_true(safety_latched(&d->ctl.safety));
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	for (int i = 0; i < 50; i++) {
		daemon_step(d);
		assert_false(harness_sim.applied.power);
		for (int z = 0; z < cfg.n_zones; z++) {
			assert_float_equal(harness_sim.applied.duty[z], 0.0, 0.0);
			assert_int_equal(hw_sim_drive(&harness_sim, z), 0);
		}
	}
	/* Latched: no new run until acknowledged. */
	assert_int_equal(controller_autotune_start(&d->ctl, 0, d->now_s, why, sizeof(why)), -1);
	assert_string_equal(why, "a safety fault is latched: acknowledge it first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive_integrator),
		cmocka_unit_test(test_derive_refuses_nonsense),
		cmocka_unit_test(test_gains_rule),
		cmocka_unit_test(test_fopdt_finds_the_gains),
		cmocka_unit_test(test_fopdt_dead_peltier_times_out),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_sim_finds_the_shipped_gains),
		cmocka_unit_test(test_sim_refusals),
		cmocka_unit_test(test_sim_button_cancels),
		cmocka_unit_test(test_sim_fault_trips_and_latches),
	};

	harness_load_example(&cfg);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
