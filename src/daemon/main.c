/* SPDX-License-Identifier: MIT */
/*
 * contrastd: contrast temperature therapy daemon. main() reads straight
 * down: options, config, hardware, the loop; and it is the only place that
 * decides to exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "config_parse.h"
#include "daemon.h"
#include "log.h"

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
	if (!opt.simulate) {
		fprintf(stderr, "contrastd: real hardware is not available in this build; use --simulate\n");
		return EXIT_HARDWARE;
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
