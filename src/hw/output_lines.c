/* SPDX-License-Identifier: MIT */
/* Output line lists and the record of the lines claimed. See output_lines.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/safefile.h"
#include "output_lines.h"

#define RECORD_MAX_BYTES 8192

static void add(struct output_lines *l, const char *role, const char *spec, bool active_low)
{
	struct output_line *o;

	if (spec[0] == '\0' || l->n >= OUTPUT_LINES_MAX)
		return;
	o = &l->line[l->n++];
	snprintf(o->role, sizeof(o->role), "%.*s", (int)sizeof(o->role) - 1, role);
	snprintf(o->spec, sizeof(o->spec), "%.*s", (int)sizeof(o->spec) - 1, spec);
	o->active_low = active_low;
}

void output_lines_from_config(const struct config *cfg, struct output_lines *out)
{
	static const char *const keys[] = { "enable", "heat", "cool", "fan" };

	out->n = 0;
	add(out, "power", cfg->power_line, cfg->power_active_low);
	for (int z = 0; z < cfg->n_zones && z < MAX_ZONES; z++) {
		const struct config_zone *cz = &cfg->zones[z];
		const char *specs[] = { cz->enable, cz->heat, cz->cool, cz->fan };

		for (int k = 0; k < 4; k++) {
			char role[48];

			snprintf(role, sizeof(role), "%.*s %s", NAME_LEN - 1, cz->name, keys[k]);
			add(out, role, specs[k], cz->active_low);
		}
	}
	/* The status light last, as hw_real opens it. */
	if (cfg->button.present)
		add(out, "status light", cfg->button.led, cfg->button.led_active_low);
}

void output_lines_merge(struct output_lines *into, const struct output_lines *more)
{
	for (int i = 0; i < more->n; i++) {
		bool known = false;

		for (int j = 0; j < into->n && !known; j++)
			known = strcmp(into->line[j].spec, more->line[i].spec) == 0;
		if (!known)
			add(into, more->line[i].role, more->line[i].spec, more->line[i].active_low);
	}
}

void output_lines_record_path(const char *socket_path, char *buf, size_t len)
{
	const char *slash = strrchr(socket_path, '/');

	if (slash == NULL)
		snprintf(buf, len, "%s", OUTPUT_LINES_RECORD);
	else if (slash == socket_path)
		snprintf(buf, len, "/%s", OUTPUT_LINES_RECORD);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - socket_path), socket_path, OUTPUT_LINES_RECORD);
}

/* The directory of path (into dir) and its last component. */
static const char *split_path(const char *path, char *dir, size_t dir_len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(dir, dir_len, ".");
		return path;
	}
	if (slash == path)
		snprintf(dir, dir_len, "/");
	else
		snprintf(dir, dir_len, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

int output_lines_write(const char *path, const struct output_lines *l, char *err, size_t err_len)
{
	char dir[4096], text[RECORD_MAX_BYTES], tmp[64];
	const char *name = split_path(path, dir, sizeof(dir));
	size_t used = 0;
	int dfd, fd;

	for (int i = 0; i < l->n; i++) {
		int n = snprintf(text + used, sizeof(text) - used, "%s\t%s\t%d\n", l->line[i].role,
				 l->line[i].spec, l->line[i].active_low ? 1 : 0);

		if (n < 0 || (size_t)n >= sizeof(text) - used) {
			snprintf(err, err_len, "%s: the record does not fit in %d bytes", path, RECORD_MAX_BYTES);
			return -1;
		}
		used += (size_t)n;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (safefile_check_dir(dfd, dir, err, err_len) < 0) {
		close(dfd);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".%s.%ld", OUTPUT_LINES_RECORD, (long)getpid());
	unlinkat(dfd, tmp, 0);
	fd = safefile_openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, 0640);
	if (fd < 0) {
		snprintf(err, err_len, "%s/%s: %s", dir, tmp, safefile_strerror(errno));
		close(dfd);
		return -1;
	}
	if (write(fd, text, used) != (ssize_t)used || fsync(fd) < 0) {
		snprintf(err, err_len, "%s/%s: write: %s", dir, tmp, strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return -1;
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) < 0) {
		snprintf(err, err_len, "%s: rename: %s", path, strerror(errno));
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

int output_lines_read(const char *path, struct output_lines *out, char *err, size_t err_len)
{
	char text[RECORD_MAX_BYTES + 1], dir[4096];
	const char *name = split_path(path, dir, sizeof(dir));
	ssize_t len;
	int dfd, fd;

	out->n = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = safefile_openat(dfd, name, O_RDONLY, 0);
	close(dfd);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "%s: %s", path, safefile_strerror(errno));
		return -1;
	}
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len < 0) {
		snprintf(err, err_len, "%s: read: %s", path, strerror(errno));
		return -1;
	}
	text[len] = '\0';
	for (char *line = text, *next; *line; line = next) {
		char *nl = strchr(line, '\n');
		char *tab1, *tab2;

		if (nl == NULL)
			break;          /* a torn last line: not written whole */
		*nl = '\0';
		next = nl + 1;
		tab1 = strchr(line, '\t');
		tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab2 || (strcmp(tab2 + 1, "0") != 0 && strcmp(tab2 + 1, "1") != 0))
			continue;
		*tab1 = *tab2 = '\0';
		if (strlen(tab1 + 1) >= LINE_SPEC_LEN)
			continue;
		add(out, line, tab1 + 1, tab2[1] == '1');
	}
	return out->n;
}
