/* SPDX-License-Identifier: MIT */
/*
 * contrastctl: talk to contrastd over its control socket.
 *
 *   contrastctl [-c FILE | --socket PATH] [--json] COMMAND [--follow]
 *   contrastctl [-c FILE] plot [N | FILE.csv] [-o FILE]
 *   contrastctl --list-commands markdown|man|words
 *
 * The commands, their arguments and the checks of them are the protocol
 * table's (lib/protocol.h), the same the daemon parses by; what is here
 * is how each reply is printed for a person (one printer per command).
 *
 * The socket is the [daemon] socket key of the daemon's config file
 * (default /etc/contrastd/contrastd.conf), read with inih: only that key,
 * so this program links none of the daemon's code. One command goes out,
 * one JSON line comes back (docs/control.md), read with json-c; it is
 * printed for a person, or unchanged with --json.
 *
 * Exit status: 0 done (also nothing to do: stop when idle, ack with no
 * fault latched); 1 usage or config file error; 2 contrastd could
 * not be reached (not running, no permission, no answer within 5 s, an
 * unreadable reply); 3 contrastd refused (its reason on stderr).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <ini.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "commands_doc.h"
#include "plot.h"
#include "lib/duration.h"
#include "lib/protocol.h"
#include "reply.h"

#define EXIT_OK          0
#define EXIT_USAGE       1
#define EXIT_UNREACHABLE 2
#define EXIT_REFUSED     3

#define DEFAULT_CONFIG   "/etc/contrastd/contrastd.conf"
#define TIMEOUT_S        5
/* autotune waits this long of wall time for the result (a real pad: a few minutes). */
#define AUTOTUNE_WAIT_S  1800

#ifndef CONTRASTD_VERSION
#define CONTRASTD_VERSION "0.1"
#endif

/* One reply line and its NUL: the longest the daemon sends. */
static char reply_buf[CONTROL_REPLY_MAX + 1];

static void usage(FILE *out)
{
	fprintf(out, "usage: contrastctl [-c FILE | --socket PATH] [--json] COMMAND [--follow]\n"
		     "       contrastctl [-c FILE] plot [N | FILE.csv] [-o FILE]\n\ncommands:\n");
	for (int c = 0; c < CONTROL_N_COMMANDS; c++) {
		const struct protocol_command *pc = &protocol_commands[c];
		char syn[64];

		protocol_synopsis((enum control_command)c, syn, sizeof(syn));
		fprintf(out, "  %-26s %s", syn, pc->help);
		if (pc->arg == PROTOCOL_ARG_COUNT)
			fprintf(out, " (%s from %d to %d, default %d)", pc->arg_meta, pc->count_min,
				pc->count_max, pc->count_default);
		fprintf(out, "\n");
	}
	fprintf(out, "  %-16s %s\n", "plot [N]",
		"draw session N (1, the default: the last) of state_dir's records as an SVG;");
	fprintf(out, "  %-16s %s\n", "", "or plot FILE.csv; no daemon needed");
	fprintf(out,
		"\n"
		"options:\n"
		"  -c, --config FILE  read the socket path from FILE (default %s)\n"
		"  -s, --socket PATH  use this socket, read no config file\n"
		"  -j, --json         print the daemon's JSON reply as it is\n"
		"  -f, --follow       status: again every second until Ctrl-C\n"
		"                     (a redraw on a terminal, a line a second into a pipe)\n"
		"  -o, --output FILE  plot: write the SVG to FILE (- for stdout; default\n"
		"                     ./contrastd-STAMP.svg)\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n"
		"  --list-commands markdown|man|words\n"
		"                     the commands as the docs list them (make docs)\n"
		"\n"
		"exit status: 0 done (also \"nothing to do\": stop when idle, ack with no fault),\n"
		"1 usage or config error, 2 contrastd not reachable, 3 contrastd refused\n"
		"(the reason is printed)\n",
		DEFAULT_CONFIG);
}

/* ---- the socket path from the config file ---- */

struct ini_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 64];
	bool found;
	char state_dir[4096];   /* [daemon] state_dir, "" when not given */
};

static int on_ini_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_socket *is = user;

	if (strcmp(section, "daemon") == 0 && strcmp(name, "socket") == 0) {
		snprintf(is->path, sizeof(is->path), "%s", value);
		is->found = true;
	}
	if (strcmp(section, "daemon") == 0 && strcmp(name, "state_dir") == 0)
		snprintf(is->state_dir, sizeof(is->state_dir), "%s", value);
	return 1;       /* other keys are the daemon's business */
}

/* [daemon] state_dir of the config read by find_socket (the records: log's paths, plot). */
static char state_dir[4096] = CONFIG_DEFAULT_STATE_DIR;
static bool state_dir_known;

/*
 * The socket path: --socket, else the config's [daemon] socket, else the
 * default. A config named with -c must be readable; the default config
 * may be missing (then the default socket). Returns 0 or -1 (printed).
 */
static int find_socket(const char *config, bool config_given, const char *socket_opt,
		       char *path, size_t len)
{
	struct ini_socket is = { .found = false };

	if (socket_opt) {
		snprintf(path, len, "%s", socket_opt);
		return 0;
	}
	FILE *f = fopen(config, "r");

	if (!f) {
		if (!config_given && errno == ENOENT) {
			snprintf(path, len, "%s", CONTROL_SOCKET_DEFAULT);
			state_dir_known = true;         /* the default, as the daemon's */
			return 0;
		}
		fprintf(stderr, "contrastctl: %s: %s\n", config, strerror(errno));
		return -1;
	}
	struct stat st;

	/* fopen() opens a directory too, and inih would read it as an empty file. */
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "contrastctl: %s: %s, not a config file\n", config,
			S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		fclose(f);
		return -1;
	}
	int rc = ini_parse_file(f, on_ini_key, &is);

	fclose(f);
	if (rc > 0 && !is.found) {
		fprintf(stderr, "contrastctl: %s:%d: cannot parse the file (contrastd --check-config "
			"says more)\n", config, rc);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "contrastctl: %s: cannot read the file\n", config);
		return -1;
	}
	snprintf(path, len, "%s", is.found ? is.path : CONTROL_SOCKET_DEFAULT);
	if (is.state_dir[0])
		snprintf(state_dir, sizeof(state_dir), "%s", is.state_dir);
	state_dir_known = true;
	return 0;
}

/* ---- talking to the daemon ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Wait until fd is ready for events or the deadline passes. Returns 0, or -1 (timeout or error). */
static int wait_for(int fd, short events, double deadline)
{
	for (;;) {
		double left = deadline - now_s();

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = { .fd = fd, .events = events };
		int n = poll(&pfd, 1, (int)ceil(left * 1000.0));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n > 0)
			return 0;
	}
}

/*
 * Who may use the socket at path, from its owner, group and mode (a
 * socket made by root outside the service belongs to root, not to group
 * contrastd).
 */
static void permission_denied(const char *path)
{
	struct stat st;
	char dir[256];
	const char *slash = strrchr(path, '/');

	/* The directory may be what stops us (/run/contrastd is 0750). */
	snprintf(dir, sizeof(dir), "%.*s", slash && slash != path ? (int)(slash - path) : 1, path);
	if (stat(path, &st) < 0 && stat(dir, &st) < 0) {
		fprintf(stderr, "contrastctl: %s: permission denied\n", path);
		return;
	}
	struct group *gr = getgrgid(st.st_gid);
	struct passwd *pw = getpwuid(st.st_uid);
	char group[64], owner[64];

	if (gr)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%ld", (long)st.st_gid);
	if (pw)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%ld", (long)st.st_uid);
	if (st.st_mode & S_IRWXG)
		fprintf(stderr, "contrastctl: %s: permission denied (it belongs to user %s, group %s: run "
			"as %s or as a member of group %s)\n", path, owner, group, owner, group);
	else
		fprintf(stderr, "contrastctl: %s: permission denied (it belongs to user %s and only "
			"%s may use it)\n", path, owner, owner);
}

/*
 * Send line (with its newline) and read one reply line into reply_buf.
 * Returns the reply's length (newline dropped), or -1 after printing why.
 */
static long exchange(const char *path, const char *line)
{
	struct sockaddr_un addr;
	double deadline = now_s() + TIMEOUT_S;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "contrastctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fprintf(stderr, "contrastctl: socket: %s\n", strerror(errno));
		return -1;
	}
	/* connect() on a Unix socket waits while the daemon's backlog is full: bound it. */
	struct timeval tv = { .tv_sec = TIMEOUT_S, .tv_usec = 0 };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		if (e == ENOENT)
			fprintf(stderr, "contrastctl: contrastd is not running (no socket at %s)\n", path);
		else if (e == ECONNREFUSED)
			fprintf(stderr, "contrastctl: contrastd is not running (nothing listens on %s)\n",
				path);
		else if (e == EACCES || e == EPERM)
			permission_denied(path);
		else if (e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS)
			fprintf(stderr, "contrastctl: contrastd did not accept the connection within %d s "
				"(%s)\n", TIMEOUT_S, path);
		else
			fprintf(stderr, "contrastctl: cannot connect to contrastd at %s: %s\n", path,
				strerror(e));
		close(fd);
		return -1;
	}

	size_t len = strlen(line), off = 0;

	while (off < len) {
		if (wait_for(fd, POLLOUT, deadline) < 0)
			goto io_error;
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			goto io_error;
		off += (size_t)n;
	}

	size_t got = 0;

	for (;;) {
		char *nl = memchr(reply_buf, '\n', got);

		if (nl) {
			*nl = '\0';
			close(fd);
			return nl - reply_buf;
		}
		if (got == sizeof(reply_buf) - 1) {
			fprintf(stderr, "contrastctl: the reply from contrastd is longer than %zu bytes\n",
				sizeof(reply_buf) - 1);
			close(fd);
			return -1;
		}
		if (wait_for(fd, POLLIN, deadline) < 0)
			goto io_error;
		ssize_t n = recv(fd, reply_buf + got, sizeof(reply_buf) - 1 - got, MSG_DONTWAIT);

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			goto io_error;
		if (n == 0) {
			fprintf(stderr, "contrastctl: contrastd closed the connection without a reply\n");
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
io_error:
	if (errno == ETIMEDOUT)
		fprintf(stderr, "contrastctl: contrastd did not answer within %d s (%s)\n", TIMEOUT_S, path);
	else
		fprintf(stderr, "contrastctl: talking to contrastd at %s: %s\n", path, strerror(errno));
	close(fd);
	return -1;
}

/* ---- printing for a person ---- */

static void format_duration(double s, char *buf, size_t len)
{
	duration_format(s, buf, len);
}

/* "2026-11-25T23:15:00Z" in local time, "2026-11-26 00:15"; as given when it does not parse. */
static void local_time(const char *iso, char *buf, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (!end || *end) {
		snprintf(buf, len, "%s", iso);
		return;
	}
	time_t t = timegm(&tm);
	struct tm local;

	localtime_r(&t, &local);
	strftime(buf, len, "%Y-%m-%d %H:%M", &local);
}

/* A temperature, or why there is none ("open", "short", "failed", "--"): null or not a number. */
static void format_temp(const struct json_object *zone, const char *value_key, const char *status_key,
			char *buf, size_t len)
{
	double v = reply_num(zone, value_key);
	const char *st;

	if (!isnan(v)) {
		snprintf(buf, len, "%.1f C", v);
		return;
	}
	st = reply_str(zone, status_key, "--");
	snprintf(buf, len, "%s", strcmp(st, "ok") == 0 || strcmp(st, "none") == 0 ? "--" : st);
}

static void print_zones(const struct json_object *st)
{
	const struct json_object *zones = reply_get(st, "zones");

	printf("%-12s %9s %9s %9s %9s %6s %4s\n", "zone", "setpoint", "pad", "pad2", "heatsink", "duty",
	       "fan");
	for (size_t i = 0; i < reply_count(zones); i++) {
		const struct json_object *z = reply_at(zones, i);
		char sp[32], pad[32], pad2[32], sink[32], duty[16];
		const char *fan;
		double d = reply_num(z, "duty");

		if (!reply_get(z, "setpoint_c"))
			snprintf(sp, sizeof(sp), "--");
		else
			snprintf(sp, sizeof(sp), "%.1f C", reply_num(z, "setpoint_c"));
		format_temp(z, "pad_c", "pad_status", pad, sizeof(pad));
		if (!reply_get(z, "pad2_status"))
			snprintf(pad2, sizeof(pad2), "--");
		else
			format_temp(z, "pad2_c", "pad2_status", pad2, sizeof(pad2));
		format_temp(z, "heatsink_c", "heatsink_status", sink, sizeof(sink));
		if (!isfinite(d) || fabs(d) < 0.005)
			snprintf(duty, sizeof(duty), "0%%");
		else
			snprintf(duty, sizeof(duty), "%+.0f%%", d * 100.0);
		fan = !reply_get(z, "fan") ? "--" : reply_bool(z, "fan", false) ? "on" : "off";
		printf("%-12s %9s %9s %9s %9s %6s %4s\n", reply_str(z, "name", "?"), sp, pad, pad2, sink,
		       duty, fan);
	}
}

static void print_fault(const struct json_object *f)
{
	printf("fault:     %s\n", reply_str(f, "description", "(no description)"));
	if (reply_bool(f, "ack_possible", false))
		printf("ack:       the cause has cleared: acknowledge with `contrastctl ack` "
		       "(or a long press on the button)\n");
	else if (isfinite(reply_num(f, "clear_s")))
		printf("ack:       not yet: every reading must be plausible and inside the limits "
		       "for %.0f s first\n", reply_num(f, "clear_s"));
	else
		printf("ack:       not yet: every reading must be plausible and inside the limits first\n");
}

/* The last reload's outcome (null: none since the daemon started). */
static void print_reload(const struct json_object *r)
{
	char when[32];
	const char *result = reply_str(r, "result", NULL);

	if (!r || !result)
		return;
	local_time(reply_str(r, "at", "?"), when, sizeof(when));
	if (strcmp(result, "applied") == 0)
		printf("reload:    applied at %s: the new configuration is in force\n", when);
	else if (strcmp(result, "pending") == 0)
		printf("reload:    valid (%s); the new configuration applies when this session ends\n", when);
	else
		printf("reload:    FAILED at %s: %s; the configuration in force is unchanged\n", when,
		       reply_str(r, "message", "(no reason given)"));
}


/* What is left today, the lockout, the calibration (fields absent from an older daemon: nothing printed). */
static void print_guards(const struct json_object *st)
{
	const struct json_object *lo = reply_get(st, "lockout");
	const struct json_object *zones = reply_get(st, "zones");
	char when[32];

	if (lo)
		printf("LOCKOUT:   %s\n", reply_str(lo, "description", "locked out"));
	if (reply_has(st, "sessions_left")) {
		printf("today:     %.0f of %.0f sessions left", reply_num(st, "sessions_left"),
		       reply_num(st, "sessions_per_day"));
		if (reply_num(st, "sessions_left") < 1 && reply_get(st, "sessions_back_at")) {
			local_time(reply_str(st, "sessions_back_at", "?"), when, sizeof(when));
			printf(" (the next from %s)", when);
		}
		printf("\n");
	}
	if (reply_get(st, "dose_problem"))
		printf("dose:      %s\n", reply_str(st, "dose_problem", "?"));
	if (reply_get(st, "calibration_problem"))
		printf("calibration: %s\n", reply_str(st, "calibration_problem", "?"));
	for (size_t i = 0; i < reply_count(zones); i++) {
		const struct json_object *z = reply_at(zones, i);

		if (!reply_has(z, "heat_dose_left_min"))
			continue;
		printf("%-12s left today: heat dose %.2f of %.2f CEM43 min, cold %.1f of %.1f min; "
		       "calibration %s\n", reply_str(z, "name", "?"), reply_num(z, "heat_dose_left_min"),
		       reply_num(z, "heat_dose_day_min"), reply_num(z, "cold_left_min"), reply_num(z, "cold_day_min"),
		       reply_str(z, "calibration", "?"));
	}
}

static void print_status(const struct json_object *st)
{
	const char *state = reply_str(st, "state", "?");
	const char *program = reply_str(st, "program", "");
	char t1[32], t2[32], t3[32];

	if (strcmp(state, "running") == 0) {
		bool settled_clock = strcmp(reply_str(st, "phase_clock", ""), "settled") == 0;
		bool settled = reply_bool(st, "phase_settled", true);

		printf("state:     running, program %s\n", program);
		format_duration(reply_num(st, "phase_left_s"), t1, sizeof(t1));
		printf("phase:     %s, cycle %.0f of %.0f (phase %.0f of %.0f), to %.1f C, %s left%s\n",
		       reply_str(st, "phase", "?"), reply_num(st, "cycle"), reply_num(st, "cycles"),
		       reply_num(st, "phase_index") + 1, reply_num(st, "phases"), reply_num(st, "setpoint_c"),
		       t1, settled_clock && !settled ? " once the pads reach the setpoint" : "");
		char length[128];
		double nominal_s = reply_num(st, "nominal_s");

		format_duration(reply_num(st, "session_s"), t1, sizeof(t1));
		format_duration(reply_num(st, "session_left_s"), t2, sizeof(t2));
		/* An older daemon sends no nominal_s: then only the worst case is known. */
		if (isnan(nominal_s))
			snprintf(length, sizeof(length), "at most %s",
				 duration_format(reply_num(st, "planned_s"), t3, sizeof(t3)));
		else
			duration_program_length(nominal_s, reply_num(st, "planned_s"), length, sizeof(length));
		printf("session:   %s so far, %s%s left; in all %s\n", t1, settled_clock ? "at least " : "",
		       t2, length);
	} else if (program[0]) {
		format_duration(reply_num(st, "session_s"), t1, sizeof(t1));
		printf("state:     %s (last session: program %s, %s)\n", state, program, t1);
	} else {
		printf("state:     %s\n", state);
	}
	if (reply_get(st, "fault"))
		print_fault(reply_get(st, "fault"));
	const struct json_object *tune = reply_get(st, "autotune");

	if (tune && reply_get(tune, "polarity"))
		printf("autotune:  zone %s, %s %s around %.1f C\n", reply_str(tune, "zone", "?"),
		       reply_str(tune, "polarity", "?"), reply_str(tune, "state", "?"), reply_num(tune, "midpoint_c"));
	print_reload(reply_get(st, "reload"));
	if (reply_str(st, "led", NULL))
		printf("light:     %s\n", reply_str(st, "led", "?"));
	print_zones(st);
	print_guards(st);
}

/* "about 20:00 (at most 1:10:00 if the pads are slow to settle)" from a program's JSON. */
static void program_length(const struct json_object *p, char *buf, size_t len)
{
	double nominal_s = reply_num(p, "nominal_s");
	char t[32];

	if (isnan(nominal_s))
		snprintf(buf, len, "at most %s", duration_format(reply_num(p, "planned_s"), t, sizeof(t)));
	else
		duration_program_length(nominal_s, reply_num(p, "planned_s"), buf, len);
}

/* One program's timeline, phase by phase (programs NAME). */
static void print_timeline(const struct json_object *p)
{
	const struct json_object *tl = reply_get(p, "timeline");
	bool settled = strcmp(reply_str(p, "phase_clock", ""), "settled") == 0;
	char length[128], t1[32], t2[32], t3[32];

	program_length(p, length, sizeof(length));
	printf("program %s%s: %.0f cycles, %s first, %s last, %s\n", reply_str(p, "name", "?"),
	       reply_bool(p, "default", false) ? " (the default)" : "", reply_num(p, "cycles"),
	       reply_str(p, "first", "?"), reply_str(p, "last", "?"), length);
	if (settled)
		printf("phase clock: settled: a phase's length counts once both pads are within %.1f C of "
		       "the setpoint, after a wait of at most %s\n", reply_num(p, "band_c"),
		       duration_format(reply_num(p, "settle_max_s"), t1, sizeof(t1)));
	else
		printf("phase clock: wall: a phase's length counts from its start\n");
	printf("\n%5s  %-5s %5s  %8s  %8s  %-8s  %8s  %10s\n", "phase", "kind", "cycle", "setpoint", "length",
	       "clock", "total", "worst end");
	for (size_t i = 0; i < reply_count(tl); i++) {
		const struct json_object *ph = reply_at(tl, i);
		char sp[16];

		snprintf(sp, sizeof(sp), "%.1f C", reply_num(ph, "setpoint_c"));
		printf("%5.0f  %-5s %5.0f  %8s  %8s  %-8s  %8s  %10s\n", reply_num(ph, "phase"),
		       reply_str(ph, "kind", "?"), reply_num(ph, "cycle"), sp,
		       duration_format(reply_num(ph, "length_s"), t1, sizeof(t1)), settled ? "settled" : "wall",
		       duration_format(reply_num(ph, "nominal_end_s"), t2, sizeof(t2)),
		       duration_format(reply_num(ph, "worst_end_s"), t3, sizeof(t3)));
	}
	printf("\nends: %s after the start%s\n", duration_format(reply_num(p, "nominal_s"), t1, sizeof(t1)),
	       settled ? " if the pads settle at once" : "");
	if (settled)
		printf("      %s at the latest (every phase waiting the whole settle_max_s)\n",
		       duration_format(reply_num(p, "planned_s"), t2, sizeof(t2)));
}

static void print_programs(const struct json_object *list)
{
	printf("%-20s %-14s %-14s %6s  %-10s %-8s %s\n", "program", "warm", "cool", "cycles", "order",
	       "clock", "length");
	for (size_t i = 0; i < reply_count(list); i++) {
		const struct json_object *p = reply_at(list, i);
		char name[64], ws[16], cs[16], warm[32], cool[32], len[160], planned[128], order[40];

		snprintf(name, sizeof(name), "%s%s", reply_str(p, "name", "?"),
			 reply_bool(p, "default", false) ? " *" : "");
		format_duration(reply_num(p, "warm_s"), ws, sizeof(ws));
		format_duration(reply_num(p, "cool_s"), cs, sizeof(cs));
		snprintf(warm, sizeof(warm), "%.1f C %s", reply_num(p, "warm_c"), ws);
		snprintf(cool, sizeof(cool), "%.1f C %s", reply_num(p, "cool_c"), cs);
		snprintf(order, sizeof(order), "%.16s..%.16s", reply_str(p, "first", "?"),
			 reply_str(p, "last", "?"));
		program_length(p, planned, sizeof(planned));
		snprintf(len, sizeof(len), "%.0f phases, %s", reply_num(p, "phases"), planned);
		printf("%-20s %-14s %-14s %6.0f  %-10s %-8s %s\n", name, warm, cool, reply_num(p, "cycles"),
		       order, reply_str(p, "phase_clock", "?"), len);
	}
	printf("(* the default program: `contrastctl start` and the button start it)\n");
}

/* A number with decimals, or - when it is null (not a number). */
static const char *num_or_dash(char *buf, size_t len, double v, int decimals)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

static void print_log(const struct json_object *list)
{
	if (reply_count(list) == 0) {
		printf("no sessions recorded yet\n");
		return;
	}
	printf("%-16s  %-16s %-10s %8s %6s  %s\n", "started", "program", "result", "length", "cycles",
	       "zones: max/min pad, time in band; fault");
	for (size_t i = 0; i < reply_count(list); i++) {
		const struct json_object *s = reply_at(list, i), *zones = reply_get(s, "zones");
		const struct json_object *f = reply_get(s, "fault");
		char when[32], dur[32], line[1024];
		size_t pos = 0;

		local_time(reply_str(s, "started", "?"), when, sizeof(when));
		format_duration(reply_num(s, "duration_s"), dur, sizeof(dur));
		line[0] = '\0';
		for (size_t k = 0; k < reply_count(zones); k++) {
			const struct json_object *z = reply_at(zones, k);
			char hi[16], lo[16], band[16];

			/* A session stopped before its first sample has null here: shown as -. */
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s%s %s/%s C %s%%",
						pos ? ", " : "", reply_str(z, "name", "?"),
						num_or_dash(hi, sizeof(hi), reply_num(z, "max_pad_c"), 1),
						num_or_dash(lo, sizeof(lo), reply_num(z, "min_pad_c"), 1),
						num_or_dash(band, sizeof(band), reply_num(z, "time_in_band_pct"), 0));
			if (pos >= sizeof(line))
				pos = sizeof(line) - 1;
		}
		if (f && pos < sizeof(line)) {
			const char *zone = reply_str(f, "zone", "");

			char at[16];

			snprintf(line + pos, sizeof(line) - pos, "; fault %s%s%s at %s s",
				 reply_str(f, "kind", "?"), zone[0] ? " in " : "", zone,
				 num_or_dash(at, sizeof(at), reply_num(f, "at_s"), 0));
		}
		char cycles[16];

		printf("%-16s  %-16s %-10s %8s %6s  %s\n", when, reply_str(s, "program", "?"),
		       reply_str(s, "result", "?"), dur,
		       num_or_dash(cycles, sizeof(cycles), reply_num(s, "cycles_done"), 0), line);
		/* Where its record is: for a spreadsheet, or `contrastctl plot FILE`. */
		const char *csv = reply_str(s, "csv", NULL);

		if (csv && csv[0] != '/' && state_dir_known)
			printf("%18s%s/%s\n", "csv: ", state_dir, csv);
		else
			printf("%18s%s\n", "csv: ", csv ? csv : "(none: recording failed)");
	}
}

/* ---- one printer per command ---- */

/*
 * Print a command's successful reply for a person. root is the whole
 * reply, arg what was asked. Returns the exit status.
 */
typedef int (*reply_printer)(const struct json_object *root, const struct protocol_args *arg);

static int print_status_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)arg;
	if (!reply_get(root, "status")) {
		fprintf(stderr, "contrastctl: the reply holds no status\n");
		return EXIT_UNREACHABLE;
	}
	print_status(reply_get(root, "status"));
	return EXIT_OK;
}

static int print_start_reply(const struct json_object *root, const struct protocol_args *arg)
{
	printf("started: program %s\n", reply_str(reply_get(root, "status"), "program",
						  arg->given ? arg->name : "default"));
	return EXIT_OK;
}

static int print_stop_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)root;
	(void)arg;
	printf("stopped\n");
	return EXIT_OK;
}

static int print_ack_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)arg;
	printf("fault acknowledged; contrastd is %s\n", reply_str(reply_get(root, "status"), "state", "idle"));
	return EXIT_OK;
}

static int print_programs_reply(const struct json_object *root, const struct protocol_args *arg)
{
	const struct json_object *list = reply_get(root, "programs");

	if (arg->given && reply_count(list) == 1 && reply_get(reply_at(list, 0), "timeline"))
		print_timeline(reply_at(list, 0));
	else
		print_programs(list);
	return EXIT_OK;
}

static int print_log_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)arg;
	print_log(reply_get(root, "sessions"));
	return EXIT_OK;
}

static int print_calibrate_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)arg;
	printf("%s\n", reply_str(reply_get(root, "calibration"), "message", "recorded"));
	return EXIT_OK;
}

static int print_autotune_reply(const struct json_object *root, const struct protocol_args *arg)
{
	(void)root;
	fprintf(stderr, "autotune %s: started (contrastctl stop or the button ends it)\n", arg->name);
	return EXIT_OK;
}

/* The printer of each command; -Wswitch with -Werror fails the build when one is missing. */
static reply_printer printer_of(enum control_command c)
{
	switch (c) {
	case CONTROL_STATUS:
		return print_status_reply;
	case CONTROL_START:
		return print_start_reply;
	case CONTROL_STOP:
		return print_stop_reply;
	case CONTROL_ACK:
		return print_ack_reply;
	case CONTROL_PROGRAMS:
		return print_programs_reply;
	case CONTROL_LOG:
		return print_log_reply;
	case CONTROL_CALIBRATE:
		return print_calibrate_reply;
	case CONTROL_AUTOTUNE:
		return print_autotune_reply;
	case CONTROL_N_COMMANDS:
		break;
	}
	return NULL;
}

/*
 * After `programs`: the programs shown are those in force; say so when a
 * reloaded configuration waits for the running session to end.
 */
static void note_pending_reload(const char *path)
{
	long len = exchange(path, "status\n");
	char why[160];
	struct json_object *root;

	if (len < 0)
		return;
	root = reply_parse(reply_buf, (size_t)len, why, sizeof(why));
	const struct json_object *reload = reply_get(reply_get(root, "status"), "reload");

	if (strcmp(reply_str(reload, "result", ""), "pending") == 0)
		printf("(a reloaded configuration is pending: its programs replace these when the "
		       "running session ends)\n");
	json_object_put(root);
}

/* ---- plot ---- */

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_session_csv(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && strcmp(e->d_name + n - 4, ".csv") == 0 && e->d_name[0] != '.';
}

/*
 * plot [N | FILE.csv] [-o FILE]: session N from the end of state_dir's
 * records (1, the default: the last), or the CSV named, as an SVG. Without
 * -o the SVG goes to ./contrastd-STAMP.svg; -o - is stdout.
 */
static int plot_command(int nargs, char **args, const char *config, bool config_given, const char *output)
{
	char csv_path[4500], out_path[4500], err[256], sock[256];
	const char *name;
	long n = 1;

	if (nargs > 1) {
		fprintf(stderr, "contrastctl: plot takes at most one argument (usage: plot [N | FILE.csv] "
			"[-o FILE])\n");
		return EXIT_USAGE;
	}
	if (nargs == 1 && (strchr(args[0], '/') || strstr(args[0], ".csv"))) {
		snprintf(csv_path, sizeof(csv_path), "%s", args[0]);
	} else {
		if (nargs == 1) {
			char *end;

			n = strtol(args[0], &end, 10);
			if (end == args[0] || *end || n < 1 || n > 100000) {
				fprintf(stderr, "contrastctl: plot: '%.40s' is not a session number (usage: plot "
					"[N | FILE.csv] [-o FILE], N from 1, the last, back)\n", args[0]);
				return EXIT_USAGE;
			}
		}
		if (find_socket(config, config_given, NULL, sock, sizeof(sock)) < 0)
			return EXIT_USAGE;
		char dir[4200];
		struct dirent **list;

		snprintf(dir, sizeof(dir), "%s/sessions", state_dir);
		int count = scandir(dir, &list, is_session_csv, by_name);

		if (count < 0) {
			fprintf(stderr, "contrastctl: %s: %s\n", dir, strerror(errno));
			return EXIT_USAGE;
		}
		if (count < n) {
			if (count == 0)
				fprintf(stderr, "contrastctl: no session recorded in %s yet\n", dir);
			else
				fprintf(stderr, "contrastctl: plot %ld: %s holds %d session%s\n", n, dir, count,
					count == 1 ? "" : "s");
			for (int i = 0; i < count; i++)
				free(list[i]);
			free(list);
			return EXIT_USAGE;
		}
		snprintf(csv_path, sizeof(csv_path), "%s/%s", dir, list[count - n]->d_name);
		for (int i = 0; i < count; i++)
			free(list[i]);
		free(list);
	}
	name = strrchr(csv_path, '/') ? strrchr(csv_path, '/') + 1 : csv_path;

	FILE *in = fopen(csv_path, "r");

	if (!in) {
		fprintf(stderr, "contrastctl: %s: %s\n", csv_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (output && strcmp(output, "-") == 0) {
		snprintf(out_path, sizeof(out_path), "-");
	} else if (output) {
		snprintf(out_path, sizeof(out_path), "%s", output);
	} else {
		snprintf(out_path, sizeof(out_path), "contrastd-%.*s.svg",
			 (int)(strlen(name) > 4 ? strlen(name) - 4 : strlen(name)), name);
	}
	FILE *out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "w");

	if (!out) {
		fprintf(stderr, "contrastctl: %s: %s\n", out_path, strerror(errno));
		fclose(in);
		return EXIT_USAGE;
	}
	struct plot_info info;
	int rc = plot_session_svg(in, name, out, &info, err, sizeof(err));

	fclose(in);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		fprintf(stderr, "contrastctl: plot %s: %s\n", csv_path, err);
		if (out != stdout)
			unlink(out_path);
		return EXIT_USAGE;
	}
	if (out != stdout) {
		char len[32];

		duration_format(info.length_s, len, sizeof(len));
		printf("%s: session %s (program %s, %s, %s) drawn from %s\n", out_path, name,
		       info.program[0] ? info.program : "?", info.result[0] ? info.result : "no end recorded",
		       len, csv_path);
	}
	return EXIT_OK;
}

/* ---- status --follow ---- */

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* One line of the live view, for a pipe: time, state, phase, time left, each pad. */
static void print_follow_line(const struct json_object *st)
{
	const char *state = reply_str(st, "state", "?");
	const struct json_object *zones = reply_get(st, "zones");
	char clock[16], left[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	printf("%s  %s", clock, state);
	if (strcmp(state, "running") == 0) {
		format_duration(reply_num(st, "phase_left_s"), left, sizeof(left));
		printf(" %s  %s %.0f/%.0f  phase %s left%s", reply_str(st, "program", "?"), reply_str(st, "phase", "?"),
		       reply_num(st, "cycle"), reply_num(st, "cycles"), left,
		       reply_bool(st, "phase_settled", true) ? "" : " once settled");
	} else if (reply_get(st, "fault")) {
		printf(": %s", reply_str(reply_get(st, "fault"), "description", "?"));
	}
	for (size_t i = 0; i < reply_count(zones); i++) {
		const struct json_object *z = reply_at(zones, i);
		char pad[32];
		double d = reply_num(z, "duty");

		format_temp(z, "pad_c", "pad_status", pad, sizeof(pad));
		printf("  |  %s: pad %s", reply_str(z, "name", "?"), pad);
		if (reply_get(z, "setpoint_c"))
			printf(", setpoint %.1f C", reply_num(z, "setpoint_c"));
		if (isfinite(d))
			printf(", duty %+.0f%%", fabs(d) < 0.005 ? 0.0 : d * 100.0);
	}
	printf("\n");
}

/*
 * status --follow: ask once a second until interrupted (Ctrl-C, SIGTERM).
 * On a terminal the screen is redrawn with the full status; into a pipe
 * a line a second (or with --json, the reply line a second). Returns the
 * exit status: 0 when interrupted, 2 when contrastd went away or sent
 * something that is not its protocol.
 */
static int follow_status(const char *path, bool json)
{
	struct sigaction sa;
	bool tty = !json && isatty(STDOUT_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!interrupted) {
		double next_s = now_s() + 1.0;
		long len = exchange(path, "status\n");
		char why[160];

		if (len < 0)
			return interrupted ? EXIT_OK : EXIT_UNREACHABLE;
		struct json_object *root = reply_parse(reply_buf, (size_t)len, why, sizeof(why));
		const struct json_object *st = reply_get(root, "status");

		if (!reply_bool(root, "ok", false) || !st) {
			fprintf(stderr, "contrastctl: contrastd sent a reply that is not a status: %.200s\n",
				reply_buf);
			json_object_put(root);
			return EXIT_UNREACHABLE;
		}
		if (json) {
			printf("%s\n", reply_buf);
		} else if (tty) {
			char clock[16];
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
			/* Home and clear, then the whole status: a redraw, not a scroll. */
			printf("\033[H\033[2J%s  contrastd at %s, every second (Ctrl-C to stop)\n\n", clock, path);
			print_status(st);
		} else {
			print_follow_line(st);
		}
		fflush(stdout);
		json_object_put(root);
		/* Sleep to the next second; a signal ends the wait and the loop. */
		while (!interrupted) {
			double left_s = next_s - now_s();

			if (left_s <= 0)
				break;
			struct timespec ts = { .tv_sec = (time_t)left_s,
					       .tv_nsec = (long)((left_s - (double)(time_t)left_s) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	return EXIT_OK;
}

/* ---- autotune: wait for the result ---- */

/* The lines to paste into the config: the relay's figures as comments, then the gains. */
static void print_autotune_result(const struct json_object *tune)
{
	const char *zone = reply_str(tune, "zone", "?");
	static const char *const pol[2] = { "heat", "cool" };

	printf("; contrastctl autotune %s: heat_kp = min(Ku_heat/2, Ku_cool), cool_kp = min(Ku_cool/2, Ku_heat) "
	       "(Ziegler-Nichols, P); ki = kd = 0 (the feed-forward is learned online)\n", zone);

	for (int i = 0; i < 2; i++) {
		const struct json_object *r = reply_get(tune, pol[i]);

		printf("; %s around %.1f C: relay %.2f/%.2f duty, %.0f cycles of amplitude %.3f C, period %.1f s; "
		       "Peltier gain %.3f C/s per duty (relay's ramps %.3f), dead time %.2f s: Ku %.2f, Tu %.2f s\n",
		       pol[i], reply_num(r, "midpoint_c"), reply_num(r, "relay_high_duty"),
		       reply_num(r, "relay_low_duty"), reply_num(r, "cycles"), reply_num(r, "amplitude_c"),
		       reply_num(r, "period_s"), reply_num(r, "plant_gain_c_per_s"),
		       reply_num(r, "relay_plant_gain_c_per_s"), reply_num(r, "dead_time_s"), reply_num(r, "ku"),
		       reply_num(r, "tu_s"));
	}
	printf("[zone %s]\n", zone);
	for (int i = 0; i < 2; i++) {
		const struct json_object *r = reply_get(tune, pol[i]);

		printf("%s_kp = %.2f\n", pol[i], reply_num(r, "kp"));
		printf("%s_ki = %.2f\n", pol[i], reply_num(r, "ki"));
		printf("%s_kd = %.2f\n", pol[i], reply_num(r, "kd"));
	}
}

/*
 * After `autotune ZONE` was accepted: ask for the status until the run is
 * done or failed (progress on stderr), then print the lines to paste (or,
 * with --json, the last status reply). Ctrl-C stops the waiting only.
 */
static int wait_autotune(const char *path, const char *zone, bool json)
{
	struct sigaction sa;
	double deadline = now_s() + AUTOTUNE_WAIT_S;
	char last[96] = "";

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!interrupted) {
		long len = exchange(path, "status\n");
		char why[160], now[96];

		if (len < 0)
			return EXIT_UNREACHABLE;
		struct json_object *root = reply_parse(reply_buf, (size_t)len, why, sizeof(why));
		const struct json_object *tune = reply_get(reply_get(root, "status"), "autotune");
		const char *state = reply_str(tune, "state", "");

		if (!reply_bool(root, "ok", false) || !tune || strcmp(reply_str(tune, "zone", ""), zone) != 0) {
			fprintf(stderr, "contrastctl: contrastd's status holds no autotune of %s: %.200s\n", zone,
				reply_buf);
			json_object_put(root);
			return EXIT_UNREACHABLE;
		}
		if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0) {
			int rc = EXIT_OK;

			if (json)
				printf("%s\n", reply_buf);
			if (strcmp(state, "failed") == 0) {
				fprintf(stderr, "contrastctl: autotune %s failed: %s\n", zone,
					reply_str(tune, "why", "(no reason given)"));
				rc = EXIT_REFUSED;
			} else if (!json) {
				print_autotune_result(tune);
			}
			json_object_put(root);
			return rc;
		}
		if (reply_get(tune, "cycles_measured"))
			snprintf(now, sizeof(now), "%s: relay around %.1f C, %.0f of %.0f cycles measured",
				 reply_str(tune, "polarity", "?"), reply_num(tune, "midpoint_c"),
				 reply_num(tune, "cycles_measured"), reply_num(tune, "cycles"));
		else
			snprintf(now, sizeof(now), "%s: to %.1f C", reply_str(tune, "polarity", "?"),
				 reply_num(tune, "midpoint_c"));
		if (strcmp(now, last) != 0) {
			fprintf(stderr, "autotune %s: %s\n", zone, now);
			snprintf(last, sizeof(last), "%s", now);
		}
		json_object_put(root);
		if (now_s() > deadline) {
			fprintf(stderr, "contrastctl: autotune %s: no result after %d s; it goes on "
				"(contrastctl stop ends it)\n", zone, AUTOTUNE_WAIT_S);
			return EXIT_UNREACHABLE;
		}
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 200000000L };

		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "contrastctl: no longer waiting; autotune %s goes on (contrastctl stop ends it)\n", zone);
	return EXIT_OK;
}

/* ---- main ---- */

/*
 * The command and its argument from the command line, checked by the
 * protocol table, as a line for the socket. Returns 0, or -1 (printed).
 */
static int command_line(int nargs, char **args, enum control_command *cmd, struct protocol_args *arg,
			char *line, size_t len)
{
	char why[CONTROL_ERROR_MAX];

	if (nargs < 1) {
		fprintf(stderr, "contrastctl: a command is needed\n");
		usage(stderr);
		return -1;
	}
	if (protocol_find(args[0], cmd, why, sizeof(why)) < 0) {
		fprintf(stderr, "contrastctl: %s\n", why);
		usage(stderr);
		return -1;
	}
	/* The same check, in the same words, as the daemon's: a blank or a newline never gets through. */
	if (protocol_parse_args(*cmd, nargs - 1, (const char *const *)args + 1, arg, why, sizeof(why)) < 0) {
		fprintf(stderr, "contrastctl: %s\n", why);
		return -1;
	}
	int n = protocol_format_request(*cmd, arg, line, len - 1);

	if (n < 0) {
		fprintf(stderr, "contrastctl: the command does not fit in a line\n");
		return -1;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_LIST_COMMANDS = 256 };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-commands", required_argument, NULL, OPT_LIST_COMMANDS },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG, *socket_opt = NULL;
	const char *output = NULL;
	bool config_given = false, json = false, follow = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:jfo:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			follow = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			config = optarg;
			config_given = true;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("contrastctl %s\n", CONTRASTD_VERSION);
			return EXIT_OK;
		case OPT_LIST_COMMANDS:
			if (commands_doc(stdout, optarg) < 0) {
				fprintf(stderr, "contrastctl: --list-commands %s: the formats are markdown "
					"and man\n", optarg);
				return EXIT_USAGE;
			}
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (config_given && socket_opt) {
		fprintf(stderr, "contrastctl: -c and --socket exclude each other\n");
		return EXIT_USAGE;
	}
	/* plot reads the records itself: no daemon needed. */
	if (optind < argc && strcmp(argv[optind], "plot") == 0) {
		if (follow || json || socket_opt) {
			fprintf(stderr, "contrastctl: plot takes -c FILE and -o FILE only\n");
			return EXIT_USAGE;
		}
		return plot_command(argc - optind - 1, argv + optind + 1, config, config_given, output);
	}
	if (output) {
		fprintf(stderr, "contrastctl: -o FILE goes with plot only\n");
		return EXIT_USAGE;
	}
	enum control_command cmd;
	struct protocol_args arg;
	char line[CONTROL_LINE_MAX + 2];

	if (command_line(argc - optind, argv + optind, &cmd, &arg, line, sizeof(line)) < 0)
		return EXIT_USAGE;
	if (follow && cmd != CONTROL_STATUS) {
		fprintf(stderr, "contrastctl: --follow goes with status only\n");
		return EXIT_USAGE;
	}

	char path[256];

	if (find_socket(config, config_given, socket_opt, path, sizeof(path)) < 0)
		return EXIT_USAGE;
	if (follow)
		return follow_status(path, json);
	long len = exchange(path, line);

	if (len < 0)
		return EXIT_UNREACHABLE;

	char why[160];
	struct json_object *root = reply_parse(reply_buf, (size_t)len, why, sizeof(why));

	if (!json_object_is_type(root, json_type_object) || !reply_has(root, "ok")) {
		fprintf(stderr, "contrastctl: contrastd sent a reply that is not its protocol (%s): %.200s\n",
			why[0] ? why : json_object_is_type(root, json_type_object) ? "no \"ok\"" : "not an object",
			reply_buf);
		json_object_put(root);
		return EXIT_UNREACHABLE;
	}
	int rc;

	if (json)
		printf("%s\n", reply_buf);
	const char *nothing = protocol_command(cmd)->nothing_to_do;

	if (!reply_bool(root, "ok", false) && nothing && strcmp(reply_str(root, "error", ""), nothing) == 0) {
		/* Like systemctl stop on a stopped unit: the wish is already true. */
		if (!json)
			printf("nothing to do: %s\n", nothing);
		rc = EXIT_OK;
	} else if (!reply_bool(root, "ok", false)) {
		fprintf(stderr, "contrastctl: contrastd refused: %s\n", reply_str(root, "error", "(no reason given)"));
		rc = EXIT_REFUSED;
	} else if (json) {
		rc = EXIT_OK;
	} else if (!printer_of(cmd)) {
		fprintf(stderr, "contrastctl: no printer for %s\n", control_command_name(cmd));
		rc = EXIT_UNREACHABLE;
	} else {
		rc = printer_of(cmd)(root, &arg);
	}
	json_object_put(root);
	if (cmd == CONTROL_PROGRAMS && rc == EXIT_OK && !json)
		note_pending_reload(path);
	if (cmd == CONTROL_AUTOTUNE && rc == EXIT_OK)
		rc = wait_autotune(path, arg.name, json);
	return rc;
}
