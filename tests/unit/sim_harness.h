/* SPDX-License-Identifier: MIT */
/*
 * A session on the simulated plant, in process and in virtual time, for
 * the closed-loop, fault-injection and campaign tests: the real daemon
 * shell (daemon_step), the real controller and supervisor, the plant
 * (harness_sim: the truth to judge safety on) and its virtual clock, set
 * up as main() sets up --simulate.
 */
#ifndef CONTRASTD_TEST_SIM_HARNESS_H
#define CONTRASTD_TEST_SIM_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/config_parse.h"
#include "daemon/daemon.h"
#include "daemon/report.h"
#include "lib/log.h"
#include "sim/hw_sim.h"
#include "sim/sim_clock.h"

/* Called after every tick; return non-zero to stop the run early. */
typedef int (*harness_hook)(const struct daemon *d, void *arg);

static struct daemon harness_daemon;
static struct hw_sim harness_sim;
static struct sim_clock harness_clock;
static FILE *harness_devnull;
static struct config harness_cfg;
static char harness_state_dir[64];

static void harness_wipe_state(void)
{
	static const char *const names[] = { STATE_LEDGER, STATE_LATCH, STATE_LOCKOUT, STATE_CALIBRATION };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", harness_state_dir, names[i]);
		unlink(path);
	}
}

static void harness_remove_state(void)
{
	char cmd[96];

	/* Records too, when a test ran the daemon with them (not a batch run). */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", harness_state_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", harness_state_dir);
}

/*
 * A state_dir of this process's own, emptied before each run: every run
 * starts with no dose used, no fault latched, no lockout (a batch run
 * keeps them in state_dir as the daemon does). Removed at exit.
 */
static inline const char *harness_private_state(void)
{
	if (!harness_state_dir[0]) {
		snprintf(harness_state_dir, sizeof(harness_state_dir), "/tmp/contrastd-harness-XXXXXX");
		if (!mkdtemp(harness_state_dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(harness_remove_state);
	}
	harness_wipe_state();
	return harness_state_dir;
}

/*
 * daemon_init on the simulated device, as main() sets up --simulate: the
 * plant with opt's seed and injections, its clock at opt's speed, a batch
 * run with --start. No progress lines (nobody watches). Returns
 * daemon_init's result, or -1 with a message in err.
 */
static inline int harness_init(struct daemon *d, const struct options *opt, const struct config *cfg,
			       char *err, size_t err_len)
{
	struct daemon_setup setup = { .batch = opt->start, .progress_every_s = 0.0 };

	if (cfg != &harness_cfg)
		harness_cfg = *cfg;
	snprintf(harness_cfg.daemon.state_dir, sizeof(harness_cfg.daemon.state_dir), "%s", harness_private_state());
	cfg = &harness_cfg;
	hw_sim_init(&harness_sim, cfg, opt->seed);
	for (int i = 0; i < opt->n_inject; i++)
		if (hw_sim_inject(&harness_sim, opt->inject[i], cfg, err, err_len) < 0)
			return -1;
	setup.hw = hw_sim_hw(&harness_sim);
	setup.clock = sim_clock_init(&harness_clock, &harness_sim, 1.0 / cfg->daemon.control_hz,
				      opt->speed, opt->fast_after_s);
	return daemon_init(d, opt, cfg, &setup, err, err_len);
}

static inline void harness_load_example(struct config *cfg)
{
	struct config_error err;

	if (config_load("config/contrastd.conf", cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
}

/* The world a run's plant lives in, and injections given as structs (many glitches). */
struct harness_world {
	const struct sim_world *world;  /* NULL: the reference plant */
	const struct sim_injection *inj;
	int n_inj;
};

/*
 * Run one session of `program` (NULL: default) with the given seed and
 * injections ("KIND[:ZONE]@S") in world w (NULL: the reference) until the
 * session ends (or max_s of simulated time). Returns the daemon (static)
 * for inspection.
 */
static inline struct daemon *harness_run_in(const struct config *cfg, const char *program, uint64_t seed,
					    const char *const *inject, int n_inject, const struct harness_world *w,
					    double max_s, harness_hook hook, void *arg)
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
	opt.start = true;
	opt.start_program = program;
	for (int i = 0; i < n_inject; i++)
		opt.inject[opt.n_inject++] = inject[i];
	log_set_max_level((enum log_level)0);
	if (harness_init(d, &opt, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "daemon_init: %s\n", err);
		abort();
	}
	if (w && w->world && hw_sim_set_world(&harness_sim, w->world) < 0)
		abort();
	for (int i = 0; w && i < w->n_inj; i++)
		if (hw_sim_add_injection(&harness_sim, &w->inj[i]) < 0)
			abort();
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	d->progress = harness_devnull;
	d->fast = true;
	while (!d->quit && d->now_s < max_s) {
		daemon_step(d);
		if (hook && hook(d, arg))
			break;
	}
	return d;
}

/* The same in the reference world. */
static inline struct daemon *harness_run(const struct config *cfg, const char *program, uint64_t seed,
					 const char *const *inject, int n_inject, double max_s,
					 harness_hook hook, void *arg)
{
	return harness_run_in(cfg, program, seed, inject, n_inject, NULL, max_s, hook, arg);
}

#endif
