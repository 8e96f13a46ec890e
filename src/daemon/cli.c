/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_usage(FILE *out)
{
	fputs("usage: contrastd [-c FILE] [--check-config] [--safe-off] [--probe] [--clear-lockout]\n"
	      "                 [--simulate [--speed X] [--fast-after S] [--seed N] [--trace FILE]\n"
	      "                             [--inject KIND[:ZONE]@SECONDS]...]\n"
	      "                 [--start [PROGRAM]] [-v] [-h] [-V]\n"
	      "       contrastd --list-keys markdown|man\n"
	      "\n"
	      "  -c, --config FILE   configuration (default " CLI_DEFAULT_CONFIG ")\n"
	      "  --check-config      validate the configuration and exit (no hardware touched)\n"
	      "  --safe-off          drive every configured output line inactive and exit\n"
	      "  --probe             open every sensor and line without energising anything, report\n"
	      "  --clear-lockout     (root) clear a lockout after repeated faults, logged with who and when\n"
	      "  --simulate          run on the simulated plant instead of IIO and GPIO\n"
	      "  --speed X           simulated seconds per wall second (default 1; 0: flat out)\n"
	      "  --fast-after S      after S wall seconds at --speed, run flat out\n"
	      "  --seed N            sensor-noise seed (default 1): same seed, same run\n"
	      "  --trace FILE        one CSV row per control tick and zone\n"
	      "  --inject K[:Z]@S    break the simulated device at simulated second S\n"
	      "  --start [PROGRAM]   start a session at once (the default program if none named)\n"
	      "  -v, --verbose       debug messages\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       the version\n"
	      "  --list-keys FORMAT  every config key with its type, default, range and unit,\n"
	      "                      as the tables of the docs: markdown or man\n"
	      "\n"
	      "exit: 0 completed or config valid, 1 config or usage error (or the trace or stdout\n"
	      "      could not be written, another daemon holds state_dir or the socket), 2 hardware\n"
	      "      error, 3 a session ended by a safety fault (or refused to start)\n"
	      "      --safe-off: 0 every line inactive, 2 a line could not be driven or none is known\n", out);
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (end == s || *end != '\0' || errno || !isfinite(*out)) ? -1 : 0;
}

int cli_parse(int argc, char *const argv[], struct options *o, char *err, size_t err_len)
{
	memset(o, 0, sizeof(*o));
	o->config_path = CLI_DEFAULT_CONFIG;
	o->speed = 1.0;
	o->fast_after_s = -1.0;
	o->seed = 1;
	bool sim_only_given = false;
	const char *sim_only_flag = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED_VALUE()                                                            \
	do {                                                                    \
		if (!next) {                                                    \
			snprintf(err, err_len, "%s needs a value", a);          \
			return -1;                                              \
		}                                                               \
		i++;                                                            \
	} while (0)

		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			NEED_VALUE();
			o->config_path = next;
		} else if (!strcmp(a, "--check-config")) {
			o->check_config = true;
		} else if (!strcmp(a, "--safe-off")) {
			o->safe_off = true;
		} else if (!strcmp(a, "--probe")) {
			o->probe = true;
		} else if (!strcmp(a, "--clear-lockout")) {
			o->clear_lockout = true;
		} else if (!strcmp(a, "--simulate")) {
			o->simulate = true;
		} else if (!strcmp(a, "--speed")) {
			NEED_VALUE();
			if (parse_double(next, &o->speed) < 0 || o->speed < 0.0 || o->speed > 1e6) {
				snprintf(err, err_len, "--speed %s: expected a number from 0 to 1000000", next);
				return -1;
			}
			sim_only_given = true;
			sim_only_flag = a;
		} else if (!strcmp(a, "--fast-after")) {
			NEED_VALUE();
			if (parse_double(next, &o->fast_after_s) < 0 || o->fast_after_s < 0.0) {
				snprintf(err, err_len, "--fast-after %s: expected seconds >= 0", next);
				return -1;
			}
			sim_only_given = true;
			sim_only_flag = a;
		} else if (!strcmp(a, "--seed")) {
			NEED_VALUE();
			char *end;

			errno = 0;
			unsigned long long v = strtoull(next, &end, 0);

			if (end == next || *end != '\0' || errno || next[0] == '-') {
				snprintf(err, err_len, "--seed %s: expected a non-negative integer", next);
				return -1;
			}
			o->seed = v;
			sim_only_given = true;
			sim_only_flag = a;
		} else if (!strcmp(a, "--trace")) {
			NEED_VALUE();
			o->trace_path = next;
			sim_only_given = true;
			sim_only_flag = a;
		} else if (!strcmp(a, "--inject")) {
			NEED_VALUE();
			if (o->n_inject >= CLI_MAX_INJECT) {
				snprintf(err, err_len, "--inject: at most %d", CLI_MAX_INJECT);
				return -1;
			}
			o->inject[o->n_inject++] = next;
			sim_only_given = true;
			sim_only_flag = a;
		} else if (!strcmp(a, "--start")) {
			o->start = true;
			/* The program name is optional: take the next word unless it is a flag. */
			if (next && next[0] != '-') {
				o->start_program = next;
				i++;
			}
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			o->version = true;
		} else if (!strcmp(a, "--list-keys")) {
			NEED_VALUE();
			if (!config_doc_format_from_name(next, &o->list_keys_format)) {
				snprintf(err, err_len, "--list-keys %s: expected markdown or man", next);
				return -1;
			}
			o->list_keys = true;
		} else {
			snprintf(err, err_len, "unknown argument '%s' (see --help)", a);
			return -1;
		}
#undef NEED_VALUE
	}

	if (sim_only_given && !o->simulate) {
		snprintf(err, err_len, "%s only goes with --simulate", sim_only_flag);
		return -1;
	}
	int modes = o->check_config + o->safe_off + o->probe + o->clear_lockout;

	if (modes > 1) {
		snprintf(err, err_len, "--check-config, --safe-off, --probe and --clear-lockout exclude each other");
		return -1;
	}
	if (modes && (o->start || o->simulate)) {
		snprintf(err, err_len, "%s does not go with --start or --simulate",
			 o->check_config ? "--check-config" : o->safe_off ? "--safe-off" :
			 o->probe ? "--probe" : "--clear-lockout");
		return -1;
	}
	return 0;
}
