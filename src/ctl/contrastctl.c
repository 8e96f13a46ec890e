/* SPDX-License-Identifier: MIT */
/*
 * contrastctl: talk to contrastd over its control socket.
 *
 *   contrastctl [-c FILE | --socket PATH] [--json] COMMAND
 *   COMMAND: status | start [PROGRAM] | stop | ack | programs | log [N]
 *
 * The socket is the [daemon] socket key of the daemon's config file
 * (default /etc/contrastd/contrastd.conf), read with inih: only that key,
 * so this program links none of the daemon's code. One command goes out,
 * one JSON line comes back (docs/control.md); it is printed for a person,
 * or unchanged with --json.
 *
 * Exit status: 0 done; 1 usage or config file error; 2 contrastd could
 * not be reached (not running, no permission, no answer within 5 s, an
 * unreadable reply); 3 contrastd refused (its reason on stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "json.h"

#define EXIT_OK          0
#define EXIT_USAGE       1
#define EXIT_UNREACHABLE 2
#define EXIT_REFUSED     3

#define DEFAULT_CONFIG   "/etc/contrastd/contrastd.conf"
#define DEFAULT_SOCKET   "/run/contrastd/control.sock"
#define TIMEOUT_S        5
#define REPLY_MAX        (128 * 1024)
#define NAME_MAX_LEN     31             /* the daemon's NAME_LEN - 1 */
#define LOG_MAX          100            /* the daemon's CONTROL_LOG_MAX */

#ifndef CONTRASTD_VERSION
#define CONTRASTD_VERSION "0.1"
#endif

static char reply_buf[REPLY_MAX];
static struct json_doc doc;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: contrastctl [-c FILE | --socket PATH] [--json] COMMAND\n"
		"\n"
		"commands:\n"
		"  status           state, program, phase, time left, per-zone temperatures\n"
		"  start [PROGRAM]  start a session (the default program without a name)\n"
		"  stop             stop the running session\n"
		"  ack              acknowledge a safety fault whose cause has cleared\n"
		"  programs         the programs in the configuration\n"
		"  log [N]          the last N sessions (default 10, at most %d)\n"
		"\n"
		"options:\n"
		"  -c, --config FILE  read the socket path from FILE (default %s)\n"
		"  -s, --socket PATH  use this socket, read no config file\n"
		"  -j, --json         print the daemon's JSON reply as it is\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n"
		"\n"
		"exit status: 0 done, 1 usage or config error, 2 contrastd not reachable,\n"
		"3 contrastd refused (the reason is printed)\n",
		LOG_MAX, DEFAULT_CONFIG);
}

/* ---- the socket path from the config file ---- */

struct ini_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 64];
	bool found;
};

static int on_ini_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_socket *is = user;

	if (strcmp(section, "daemon") == 0 && strcmp(name, "socket") == 0) {
		snprintf(is->path, sizeof(is->path), "%s", value);
		is->found = true;
	}
	return 1;       /* other keys are the daemon's business */
}

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
			snprintf(path, len, "%s", DEFAULT_SOCKET);
			return 0;
		}
		fprintf(stderr, "contrastctl: %s: %s\n", config, strerror(errno));
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
	snprintf(path, len, "%s", is.found ? is.path : DEFAULT_SOCKET);
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
			fprintf(stderr, "contrastctl: %s: permission denied (members of group contrastd "
				"may use it)\n", path);
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
	if (!isfinite(s) || s < 0) {
		snprintf(buf, len, "--");
		return;
	}
	long t = lround(s);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* A temperature, or why there is none ("open", "short", "failed", "--"). */
static void format_temp(const struct json_node *value, const struct json_node *status, char *buf,
			size_t len)
{
	char st[32];

	if (!json_is_null(value)) {
		snprintf(buf, len, "%.1f C", json_number(value, NAN));
		return;
	}
	json_string(status, "--", st, sizeof(st));
	snprintf(buf, len, "%s", strcmp(st, "ok") == 0 || strcmp(st, "none") == 0 ? "--" : st);
}

static const char *str(const struct json_node *obj, const char *key, const char *fallback, char *buf,
		       size_t len)
{
	return json_string(json_get(&doc, obj, key), fallback, buf, len);
}

static double num(const struct json_node *obj, const char *key)
{
	return json_number(json_get(&doc, obj, key), NAN);
}

static void print_zones(const struct json_node *st)
{
	const struct json_node *zones = json_get(&doc, st, "zones");

	printf("%-12s %9s %9s %9s %9s %6s %4s\n", "zone", "setpoint", "pad", "pad2", "heatsink", "duty",
	       "fan");
	for (const struct json_node *z = json_first(&doc, zones); z; z = json_next(&doc, z)) {
		char name[64], sp[32], pad[32], pad2[32], sink[32], duty[16];
		const char *fan;
		double d = num(z, "duty");
		const struct json_node *fan_n = json_get(&doc, z, "fan");

		str(z, "name", "?", name, sizeof(name));
		if (json_is_null(json_get(&doc, z, "setpoint_c")))
			snprintf(sp, sizeof(sp), "--");
		else
			snprintf(sp, sizeof(sp), "%.1f C", num(z, "setpoint_c"));
		format_temp(json_get(&doc, z, "pad_c"), json_get(&doc, z, "pad_status"), pad, sizeof(pad));
		if (json_is_null(json_get(&doc, z, "pad2_status")))
			snprintf(pad2, sizeof(pad2), "--");
		else
			format_temp(json_get(&doc, z, "pad2_c"), json_get(&doc, z, "pad2_status"), pad2,
				    sizeof(pad2));
		format_temp(json_get(&doc, z, "heatsink_c"), json_get(&doc, z, "heatsink_status"), sink,
			    sizeof(sink));
		if (!isfinite(d) || fabs(d) < 0.005)
			snprintf(duty, sizeof(duty), "0%%");
		else
			snprintf(duty, sizeof(duty), "%+.0f%%", d * 100.0);
		fan = json_is_null(fan_n) ? "--" : json_bool(fan_n, false) ? "on" : "off";
		printf("%-12s %9s %9s %9s %9s %6s %4s\n", name, sp, pad, pad2, sink, duty, fan);
	}
}

static void print_fault(const struct json_node *f)
{
	char desc[512];

	printf("fault:     %s\n", str(f, "description", "(no description)", desc, sizeof(desc)));
	if (json_bool(json_get(&doc, f, "ack_possible"), false))
		printf("ack:       the cause has cleared: acknowledge with `contrastctl ack` "
		       "(or a long press on the button)\n");
	else
		printf("ack:       not yet: every reading must be plausible and inside the limits "
		       "for %.0f s first\n", isfinite(num(f, "clear_s")) ? num(f, "clear_s") : 5.0);
}

static void print_status(const struct json_node *st)
{
	char state[32], program[64], phase[16], t1[32], t2[32], t3[32];

	str(st, "state", "?", state, sizeof(state));
	str(st, "program", "", program, sizeof(program));

	if (strcmp(state, "running") == 0) {
		double sp = num(st, "setpoint_c");
		bool settled_clock = strcmp(str(st, "phase_clock", "", t1, sizeof(t1)), "settled") == 0;
		bool settled = json_bool(json_get(&doc, st, "phase_settled"), true);

		printf("state:     running, program %s\n", program);
		str(st, "phase", "?", phase, sizeof(phase));
		format_duration(num(st, "phase_left_s"), t1, sizeof(t1));
		printf("phase:     %s, cycle %.0f of %.0f (phase %.0f of %.0f), to %.1f C, %s left%s\n",
		       phase, num(st, "cycle"), num(st, "cycles"), num(st, "phase_index") + 1,
		       num(st, "phases"), sp, t1,
		       settled_clock && !settled ? " once the pads reach the setpoint" : "");
		format_duration(num(st, "session_s"), t1, sizeof(t1));
		format_duration(num(st, "session_left_s"), t2, sizeof(t2));
		format_duration(num(st, "planned_s"), t3, sizeof(t3));
		printf("session:   %s so far, %s%s left (at most %s in all)\n", t1,
		       settled_clock ? "at least " : "", t2, t3);
	} else if (program[0]) {
		format_duration(num(st, "session_s"), t1, sizeof(t1));
		printf("state:     %s (last session: program %s, %s)\n", state, program, t1);
	} else {
		printf("state:     %s\n", state);
	}
	const struct json_node *fault = json_get(&doc, st, "fault");

	if (!json_is_null(fault))
		print_fault(fault);
	print_zones(st);
}

static void print_programs(const struct json_node *list)
{
	printf("%-20s %-14s %-14s %6s  %-10s %-8s %s\n", "program", "warm", "cool", "cycles", "order",
	       "clock", "length");
	for (const struct json_node *p = json_first(&doc, list); p; p = json_next(&doc, p)) {
		char name[64], first[16], last[16], clock[16], ws[16], cs[16], warm[32], cool[32], len[64],
			planned[16], order[40];

		str(p, "name", "?", name, sizeof(name));
		if (json_bool(json_get(&doc, p, "default"), false))
			strncat(name, " *", sizeof(name) - strlen(name) - 1);
		format_duration(num(p, "warm_s"), ws, sizeof(ws));
		format_duration(num(p, "cool_s"), cs, sizeof(cs));
		snprintf(warm, sizeof(warm), "%.1f C %s", num(p, "warm_c"), ws);
		snprintf(cool, sizeof(cool), "%.1f C %s", num(p, "cool_c"), cs);
		str(p, "first", "?", first, sizeof(first));
		str(p, "last", "?", last, sizeof(last));
		snprintf(order, sizeof(order), "%s..%s", first, last);
		str(p, "phase_clock", "?", clock, sizeof(clock));
		format_duration(num(p, "planned_s"), planned, sizeof(planned));
		snprintf(len, sizeof(len), "%.0f phases, at most %s", num(p, "phases"), planned);
		printf("%-20s %-14s %-14s %6.0f  %-10s %-8s %s\n", name, warm, cool, num(p, "cycles"),
		       order, clock, len);
	}
	printf("(* the default program: `contrastctl start` and the button start it)\n");
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

static void print_log(const struct json_node *list)
{
	if (json_count(&doc, list) == 0) {
		printf("no sessions recorded yet\n");
		return;
	}
	printf("%-16s  %-16s %-10s %8s %6s  %s\n", "started", "program", "result", "length", "cycles",
	       "zones: max/min pad, time in band; fault");
	for (const struct json_node *s = json_first(&doc, list); s; s = json_next(&doc, s)) {
		char started[64], when[32], program[64], result[32], dur[32], line[1024];
		size_t pos = 0;

		local_time(str(s, "started", "?", started, sizeof(started)), when, sizeof(when));
		str(s, "program", "?", program, sizeof(program));
		str(s, "result", "?", result, sizeof(result));
		format_duration(num(s, "duration_s"), dur, sizeof(dur));
		line[0] = '\0';
		for (const struct json_node *z = json_first(&doc, json_get(&doc, s, "zones")); z;
		     z = json_next(&doc, z)) {
			char name[64];

			str(z, "name", "?", name, sizeof(name));
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s%s %.1f/%.1f C %.0f%%",
						pos ? ", " : "", name, num(z, "max_pad_c"), num(z, "min_pad_c"),
						num(z, "time_in_band_pct"));
			if (pos >= sizeof(line))
				pos = sizeof(line) - 1;
		}
		const struct json_node *f = json_get(&doc, s, "fault");

		if (!json_is_null(f) && pos < sizeof(line)) {
			char kind[48], zone[64];

			str(f, "kind", "?", kind, sizeof(kind));
			str(f, "zone", "", zone, sizeof(zone));
			snprintf(line + pos, sizeof(line) - pos, "; fault %s%s%s at %.0f s", kind,
				 zone[0] ? " in " : "", zone, num(f, "at_s"));
		}
		printf("%-16s  %-16s %-10s %8s %6.0f  %s\n", when, program, result, dur,
		       num(s, "cycles_done"), line);
	}
}

/* ---- main ---- */

static bool valid_program_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_'))
			return false;
	}
	return true;
}

static bool valid_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return !errno && *s && !*end && v >= 1 && v <= LOG_MAX;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG, *socket_opt = NULL;
	bool config_given = false, json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:jhV", longopts, NULL)) != -1) {
		switch (opt) {
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
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (config_given && socket_opt) {
		fprintf(stderr, "contrastctl: -c and --socket exclude each other\n");
		return EXIT_USAGE;
	}
	int nargs = argc - optind;
	char **args = argv + optind;

	if (nargs < 1) {
		fprintf(stderr, "contrastctl: a command is needed\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = args[0];
	char line[128];

	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "ack") == 0 ||
	    strcmp(cmd, "programs") == 0) {
		if (nargs != 1) {
			fprintf(stderr, "contrastctl: %s takes no argument\n", cmd);
			return EXIT_USAGE;
		}
		snprintf(line, sizeof(line), "%s\n", cmd);
	} else if (strcmp(cmd, "start") == 0) {
		if (nargs > 2) {
			fprintf(stderr, "contrastctl: usage: start [PROGRAM]\n");
			return EXIT_USAGE;
		}
		/* Checked here too: a blank or newline in the name would make a second command. */
		if (nargs == 2 && !valid_program_name(args[1])) {
			fprintf(stderr, "contrastctl: '%s' is not a program name (letters, digits, - and _, "
				"at most %d)\n", args[1], NAME_MAX_LEN);
			return EXIT_USAGE;
		}
		snprintf(line, sizeof(line), "start%s%s\n", nargs == 2 ? " " : "", nargs == 2 ? args[1] : "");
	} else if (strcmp(cmd, "log") == 0) {
		if (nargs > 2 || (nargs == 2 && !valid_count(args[1]))) {
			fprintf(stderr, "contrastctl: usage: log [N], N from 1 to %d\n", LOG_MAX);
			return EXIT_USAGE;
		}
		snprintf(line, sizeof(line), "log%s%s\n", nargs == 2 ? " " : "", nargs == 2 ? args[1] : "");
	} else {
		fprintf(stderr, "contrastctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}

	char path[256];

	if (find_socket(config, config_given, socket_opt, path, sizeof(path)) < 0)
		return EXIT_USAGE;
	long len = exchange(path, line);

	if (len < 0)
		return EXIT_UNREACHABLE;
	if (json_parse(&doc, reply_buf, (size_t)len) < 0 || json_root(&doc)->type != JSON_OBJECT ||
	    json_get(&doc, json_root(&doc), "ok") == NULL) {
		fprintf(stderr, "contrastctl: contrastd sent a reply that is not its protocol (%s): %.200s\n",
			doc.error[0] ? doc.error : "no \"ok\"", reply_buf);
		return EXIT_UNREACHABLE;
	}
	const struct json_node *root = json_root(&doc);
	bool ok = json_bool(json_get(&doc, root, "ok"), false);

	if (json)
		printf("%s\n", reply_buf);
	if (!ok) {
		char why[1024];

		fprintf(stderr, "contrastctl: contrastd refused: %s\n",
			str(root, "error", "(no reason given)", why, sizeof(why)));
		return EXIT_REFUSED;
	}
	if (json)
		return EXIT_OK;

	const struct json_node *st = json_get(&doc, root, "status");

	if (strcmp(cmd, "status") == 0) {
		if (json_is_null(st)) {
			fprintf(stderr, "contrastctl: the reply holds no status\n");
			return EXIT_UNREACHABLE;
		}
		print_status(st);
	} else if (strcmp(cmd, "programs") == 0) {
		print_programs(json_get(&doc, root, "programs"));
	} else if (strcmp(cmd, "log") == 0) {
		print_log(json_get(&doc, root, "sessions"));
	} else if (strcmp(cmd, "start") == 0) {
		char program[64];

		printf("started: program %s\n", str(st, "program", nargs == 2 ? args[1] : "default",
						      program, sizeof(program)));
	} else if (strcmp(cmd, "stop") == 0) {
		printf("stopped\n");
	} else if (strcmp(cmd, "ack") == 0) {
		char state[32];

		printf("fault acknowledged; contrastd is %s\n", str(st, "state", "idle", state, sizeof(state)));
	}
	return EXIT_OK;
}
