/* SPDX-License-Identifier: MIT */
/* --safe-off. See safe_off.h. */
#include "config_parse.h"
#include "hw/hw_real.h"
#include "hw/output_lines.h"
#include "lib/log.h"
#include "safe_off.h"

/* Static: the config is large, and this runs once. */
static struct config lenient_config;

static void report_config_error(void *arg, const char *msg)
{
	(void)arg;
	log_warning("safe-off: %s (the output lines are driven off regardless)", msg);
}

/* Add the lines recorded next to socket_path, if any. */
static void add_record(struct output_lines *lines, const char *socket_path)
{
	struct output_lines recorded;
	char path[PATH_LEN + 32], err[512];
	int n;

	output_lines_record_path(socket_path, path, sizeof(path));
	n = output_lines_read(path, &recorded, err, sizeof(err));
	if (n < 0) {
		log_warning("safe-off: the record of the lines last claimed: %s", err);
		return;
	}
	if (n > 0)
		log_info("safe-off: %s names %d line%s", path, n, n == 1 ? "" : "s");
	output_lines_merge(lines, &recorded);
}

int safe_off_run(const char *config_path)
{
	struct output_lines lines;
	int errors = config_load_lenient(config_path, &lenient_config, report_config_error, NULL);

	output_lines_from_config(&lenient_config, &lines);
	if (errors > 0)
		log_warning("safe-off: %s has %d error%s; driving off the %d line%s it names and those "
			    "the daemon last claimed", config_path, errors, errors == 1 ? "" : "s", lines.n,
			    lines.n == 1 ? "" : "s");
	/* Next to the socket the config names (the default one when the key is missing or wrong). */
	add_record(&lines, lenient_config.daemon.socket);
	if (lines.n == 0) {
		log_err("safe-off: no output line known: %s names none and no record of the lines "
			"claimed was found", config_path);
		return SAFE_OFF_FAILED;
	}
	return hw_real_safe_off_lines(&lines) < 0 ? SAFE_OFF_FAILED : SAFE_OFF_OK;
}
