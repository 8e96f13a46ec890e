/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the config parser (src/daemon/config_parse.c), strict
 * from a string (config_parse_string) and from a file (config_load, the
 * fd reader), and lenient (config_load_lenient, what --safe-off runs).
 *
 * Besides the sanitizers, it checks what the parser promises: an error is
 * one "NAME:..." line with no control character in it; a config it
 * accepts is inside the compiled-in hard limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core/limits.h"
#include "daemon/config_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;
static char text[CONFIG_FILE_MAX + 1];
static int n_reported;

static void check_message(const char *msg, const char *name)
{
	if (strncmp(msg, name, strlen(name)) != 0 || msg[strlen(name)] != ':') {
		fprintf(stderr, "message without its file name: %s\n", msg);
		abort();
	}
	for (const char *p = msg; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "raw control character 0x%02x in: %s\n", (unsigned char)*p, msg);
			abort();
		}
	}
}

static void check_config(const struct config *c)
{
	if (c->n_zones < 1 || c->n_zones > MAX_ZONES || c->n_programs < 1 || c->n_programs > MAX_PROGRAMS)
		abort();
	if (c->safety.max_pad_c > HARD_MAX_PAD_C || c->safety.min_pad_c < HARD_MIN_PAD_C)
		abort();
	for (int i = 0; i < c->n_programs; i++)
		if (c->programs[i].warm_c > c->safety.max_pad_c || c->programs[i].cool_c < c->safety.min_pad_c)
			abort();
}

static void on_report(void *arg, const char *msg)
{
	check_message(msg, arg);
	n_reported++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_error err;
	char path[64];

	if (size > CONFIG_FILE_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_parse_string(text, "fuzz.conf", &cfg, &err) == 0)
		check_config(&cfg);
	else
		check_message(err.msg, "fuzz.conf");

	/* The same bytes as a file (NULs and all): the fd reader, strict and lenient. */
	int fd = memfd_create("fuzz.conf", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (config_load(path, &cfg, &err) == 0)
			check_config(&cfg);
		else
			check_message(err.msg, path);
		n_reported = 0;
		int n = config_load_lenient(path, &cfg, on_report, path);

		if (n != n_reported || cfg.n_zones < 0 || cfg.n_zones > MAX_ZONES)
			abort();
	}
	close(fd);
	return 0;
}
