/* SPDX-License-Identifier: MIT */
/*
 * contrastd: contrast temperature therapy daemon. main() reads straight
 * down: options, config, hardware, the loop; and it is the only place that
 * decides to exit. It is also the one place that knows whether the device
 * is real or simulated: it hands the daemon a hardware table and a clock.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-journal.h>
#include "cli.h"
#include "config_parse.h"
#include "daemon.h"
#include "guard.h"
#include "hw/hw_real.h"
#include "hw/output_lines.h"
#include "hw/wall_clock.h"
#include "instance.h"
#include "lib/log.h"
#include "safe_off.h"
#include "sim/hw_sim.h"
#include "sim/sim_clock.h"

#define EXIT_USAGE    1
#define EXIT_HARDWARE 2

/* Simulated at a watchable speed: a progress line this often (simulated s) for the person watching. */
#define SIM_PROGRESS_EVERY_S 30.0

#ifndef CONTRASTD_VERSION
#define CONTRASTD_VERSION "0.1"
#endif

/* Static: the daemon, the config and the plant are large and live as long as the process. */
static struct daemon daemon_state;
static struct config config_state;
static struct wall_clock wall_clock_state;
static struct hw_sim sim_state;
static struct sim_clock sim_clock_state;
/* Held until the process ends: one daemon per state_dir. */
static struct instance_lock instance = { .fd = -1 };

/*
 * stdout is the progress, the summary and the one-shot modes' output: a
 * write that failed (a full disk, a closed pipe) is an error, not exit 0.
 */
static int check_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "contrastd: writing to stdout: %s\n", errno ? strerror(errno) : "a write failed");
	return rc == 0 ? EXIT_USAGE : rc;
}

/* Before the hardware is touched: the lines it is about to claim, for --safe-off. */
static void record_claimed_lines(const struct config *cfg)
{
	struct output_lines lines;
	char path[PATH_LEN + 32], err[512];

	output_lines_from_config(cfg, &lines);
	output_lines_record_path(cfg->daemon.socket, path, sizeof(path));
	if (output_lines_write(path, &lines, err, sizeof(err)) < 0)
		log_warning("the record of the lines claimed (for --safe-off): %s", err);
}

/* The real device: libiio sensors, libgpiod lines, CLOCK_MONOTONIC. */
static int setup_real(struct daemon_setup *setup, char *err, size_t err_len)
{
	record_claimed_lines(&config_state);
	if (hw_real_open(&config_state, &setup->hw, err, err_len) < 0)
		return -1;
	setup->clock = wall_clock_init(&wall_clock_state, 1.0 / config_state.daemon.control_hz);
	setup->batch = false;
	setup->progress_every_s = 0.0;
	return 0;
}

/* The simulated plant with the --inject faults, in virtual time at --speed. */
static int setup_simulated(const struct options *opt, struct daemon_setup *setup, char *err, size_t err_len)
{
	hw_sim_init(&sim_state, &config_state, opt->seed);
	for (int i = 0; i < opt->n_inject; i++)
		if (hw_sim_inject(&sim_state, opt->inject[i], &config_state, err, err_len) < 0)
			return -1;
	setup->hw = hw_sim_hw(&sim_state);
	setup->clock = sim_clock_init(&sim_clock_state, &sim_state, 1.0 / config_state.daemon.control_hz,
				      opt->speed, opt->fast_after_s);
	/* --simulate --start is a batch run: the session, its summary, the exit code. */
	setup->batch = opt->start;
	setup->progress_every_s = SIM_PROGRESS_EVERY_S;
	return 0;
}
/* stdout's buffer: stdio would allocate one at the first progress line, after READY=1. */
static char stdout_buf[BUFSIZ];

static int run(int argc, char **argv);
/*
 * contrastd --clear-lockout: root only, on the device (not through the
 * socket: a lockout is for a person standing at the device). The journal
 * and stderr say who and when; the lockout file keeps them too.
 */
static int clear_lockout(void)
{
	char who[64], when[32], err[512];
	const char *sudo_user = getenv("SUDO_USER");
	const char *login = getlogin();
	struct passwd *pw = getpwuid(getuid());
	time_t now = time(NULL);
	struct tm tm;

	if (sudo_user && sudo_user[0])
		snprintf(who, sizeof(who), "%s (uid %ld) via sudo", sudo_user, (long)getuid());
	else
		snprintf(who, sizeof(who), "%s (uid %ld)%s%s", pw ? pw->pw_name : "?", (long)getuid(),
			 login ? " login " : "", login ? login : "");
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (guard_clear_lockout(config_state.daemon.state_dir, who, (double)now, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: --clear-lockout: %s\n", err);
		return EXIT_HARDWARE;
	}
	log_notice("lockout cleared by %s at %s (%s/%s)", who, when, config_state.daemon.state_dir, STATE_LOCKOUT);
	sd_journal_print(LOG_NOTICE, "contrastd: lockout cleared by %s at %s", who, when);
	printf("lockout cleared by %s at %s; acknowledge the latched fault once its cause has cleared\n", who,
	       when);
	return 0;
}

int main(int argc, char **argv)
{
	/*
	 * The very first thing: a signal that comes while the hardware is being
	 * opened is then handled by the loop (signalfd), not a default death.
	 */
	daemon_block_signals();
	/* A peer that goes away (iiod, a control client) must cost a write error, not the daemon. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, stdout_buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, sizeof(stdout_buf));
	return check_stdout(run(argc, argv));
}

static int run(int argc, char **argv)
{
	struct options opt;
	struct config_error cerr;
	char err[512];

	if (cli_parse(argc, argv, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		return EXIT_USAGE;
	}
	if (opt.help) {
		cli_usage(stdout);
		return 0;
	}
	if (opt.version) {
		printf("contrastd %s\n", CONTRASTD_VERSION);
		return 0;
	}
	/* The docs' key tables, from the schema (make docs). */
	if (opt.list_keys) {
		if (config_doc_write(stdout, opt.list_keys_format) < 0) {
			fprintf(stderr, "contrastd: --list-keys: cannot write the tables\n");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (opt.verbose)
		log_set_max_level(LOG_LEVEL_DEBUG);
	/* Before anything is read: a lockout is cleared by root, on the device. */
	if (opt.clear_lockout && geteuid() != 0) {
		fprintf(stderr, "contrastd: --clear-lockout: only root may clear a lockout (run it on the "
			"device as root, e.g. with sudo)\n");
		return EXIT_USAGE;
	}

	/* What systemd runs after the service stops, however it stopped: whatever the config's errors. */
	if (opt.safe_off)
		return safe_off_run(opt.config_path);
	/* The one-shot modes may be interrupted like any command. */
	if (opt.check_config || opt.probe)
		daemon_unblock_signals();

	if (config_load(opt.config_path, &config_state, &cerr) < 0) {
		fprintf(stderr, "contrastd: %s\n", cerr.msg);
		return EXIT_USAGE;
	}
	/* An unknown program is a mistake on the command line: said once, before anything runs. */
	if (opt.start && opt.start_program && config_find_program(&config_state, opt.start_program) < 0) {
		fprintf(stderr, "contrastd: --start %s: %s\n", opt.start_program,
			config_unknown_program(&config_state, opt.start_program, err, sizeof(err)));
		return EXIT_USAGE;
	}
	if (opt.check_config) {
		printf("%s: valid (%d zones, %d programs)\n", opt.config_path,
		       config_state.n_zones, config_state.n_programs);
		return 0;
	}
	if (opt.clear_lockout)
		return clear_lockout();
	/* What a person runs after wiring the device: 0 all well, 2 otherwise. */
	if (opt.probe)
		return hw_real_probe(&config_state, stdout);

	struct daemon_setup setup;

	/*
	 * The simulated plant touches nothing outside this process: set up
	 * first, so a mistake on the command line (an --inject the plant does
	 * not know) is said before state_dir is touched.
	 */
	if (opt.simulate && setup_simulated(&opt, &setup, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		return EXIT_USAGE;
	}
	/*
	 * One daemon per state_dir (and so per device): before any line is
	 * claimed. A batch run (--simulate --start) keeps no records and no
	 * socket, but it keeps the dose ledger, the latch and the lockout in
	 * state_dir as the daemon does: one writer there at a time, it too.
	 */
	if (instance_lock(&instance, config_state.daemon.state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		return EXIT_USAGE;
	}
	if (!opt.simulate && setup_real(&setup, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		return EXIT_HARDWARE;
	}
	/* What fails here is an option (--trace), not the hardware; daemon_close closes the hardware. */
	if (daemon_init(&daemon_state, &opt, &config_state, &setup, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		daemon_close(&daemon_state);
		return EXIT_USAGE;
	}
	int rc = daemon_run(&daemon_state);

	daemon_close(&daemon_state);
	return rc;
}
