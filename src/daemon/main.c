/* SPDX-License-Identifier: MIT */
/*
 * contrastd: contrast temperature therapy daemon. main() reads straight
 * down: options, config, hardware, the loop; and it is the only place that
 * decides to exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "config_parse.h"
#include "daemon.h"
#include "hw/hw_real.h"
#include "lib/log.h"

#define EXIT_USAGE    1
#define EXIT_HARDWARE 2

#ifndef CONTRASTD_VERSION
#define CONTRASTD_VERSION "0.1"
#endif

/* Static: the daemon is large (the plant, the config) and lives as long as the process. */
static struct daemon daemon_state;
static struct config config_state;

int main(int argc, char **argv)
{
	struct options opt;
	struct config_error cerr;
	char err[512];

	/* A peer that goes away (iiod, a control client) must cost a write error, not the daemon. */
	signal(SIGPIPE, SIG_IGN);
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

	if (config_load(opt.config_path, &config_state, &cerr) < 0) {
		fprintf(stderr, "contrastd: %s\n", cerr.msg);
		return EXIT_USAGE;
	}
	if (opt.check_config) {
		printf("%s: valid (%d zones, %d programs)\n", opt.config_path,
		       config_state.n_zones, config_state.n_programs);
		return 0;
	}
	/* What systemd runs after the service stops, however it stopped. */
	if (opt.safe_off)
		return hw_real_safe_off(&config_state) < 0 ? EXIT_HARDWARE : 0;
	/* What a person runs after wiring the device: 0 all well, 2 otherwise. */
	if (opt.probe)
		return hw_real_probe(&config_state, stdout);
	if (!opt.simulate) {
		struct hw hw;

		if (hw_real_open(&config_state, &hw, err, sizeof(err)) < 0) {
			fprintf(stderr, "contrastd: %s\n", err);
			return EXIT_HARDWARE;
		}
		if (daemon_init(&daemon_state, &opt, &config_state, &hw, err, sizeof(err)) < 0) {
			/* As simulated: what fails here is an option (--trace), not the hardware. */
			bool daemon_owns_hw = daemon_state.hw.ops != NULL;

			fprintf(stderr, "contrastd: %s\n", err);
			daemon_close(&daemon_state);
			if (!daemon_owns_hw)
				hw.ops->close(hw.ctx);
			return EXIT_USAGE;
		}
		int rc = daemon_run(&daemon_state);

		daemon_close(&daemon_state);
		return rc;
	}

	if (daemon_init(&daemon_state, &opt, &config_state, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "contrastd: %s\n", err);
		daemon_close(&daemon_state);
		return EXIT_USAGE;
	}
	int rc = daemon_run(&daemon_state);

	daemon_close(&daemon_state);
	return rc;
}
