/* SPDX-License-Identifier: MIT */
/*
 * The control socket server, in-process: a real loop, a server on a
 * socket in a temporary directory, a fake handler, and real client
 * sockets. The loop is turned by loop_run with a busy callback that
 * quits when the test's condition holds or a deadline passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "daemon/control.h"
#include "lib/log.h"
#include "lib/loop.h"

/* Large: the server holds every client's buffers. */
static struct control_server server;
static struct loop loop;
static char dir[64];
static char path[96];

/* What the fake handler saw. */
static struct control_request last_req;
static int n_calls;

static void fake_handler(void *arg, const struct control_request *req, struct control_reply *reply)
{
	(void)arg;
	last_req = *req;
	n_calls++;
	switch (req->command) {
	case CONTROL_STATUS:
		snprintf(control_reply_value(reply), reply->value_cap, "{\"state\":\"idle\"}");
		break;
	case CONTROL_START:
		if (strcmp(req->arg.name, "nope") == 0)
			control_reply_error(reply, "no program named '%s'", req->arg.name);
		else
			snprintf(control_reply_value(reply), reply->value_cap,
				 "{\"state\":\"running\",\"program\":\"%s\"}",
				 req->arg.name[0] ? req->arg.name : "default");
		break;
	case CONTROL_STOP:
		control_reply_error(reply, "no session is running");
		break;
	case CONTROL_ACK:
		break;          /* {"ok":true} */
	case CONTROL_PROGRAMS: {
		/* A big reply (60 000 bytes of string) to fill a slow reader's buffers. */
		char *v = control_reply_value(reply);

		v[0] = '"';
		memset(v + 1, 'x', 60000);
		v[60001] = '"';
		v[60002] = '\0';
		break;
	}
	case CONTROL_LOG:
		snprintf(control_reply_value(reply), reply->value_cap, "{\"n\":%d}", req->arg.count);
		break;
	case CONTROL_CALIBRATE:
		snprintf(control_reply_value(reply), reply->value_cap, "{\"zone\":\"%s\",\"reference_c\":%.2f}",
			 req->arg.name, req->arg.real);
		break;
	case CONTROL_AUTOTUNE:
		snprintf(control_reply_value(reply), reply->value_cap, "{\"autotune\":{\"zone\":\"%s\"}}",
			 req->arg.name);
		break;
	case CONTROL_N_COMMANDS:
		fail_msg("the server passed on a command that is not one");
	}
}

/* ---- turning the loop ---- */

typedef bool (*cond_fn)(void *arg);

struct pump {
	cond_fn cond;
	void *arg;
	double deadline;
};

static void on_busy(void *arg)
{
	struct pump *p = arg;

	if ((p->cond && p->cond(p->arg)) || monotonic_s() >= p->deadline)
		loop_quit(&loop, 0);
}

/* Run loop turns until cond holds (or for `seconds` when cond is NULL). Returns cond's last value. */
static bool pump_until(cond_fn cond, void *arg, double seconds)
{
	struct pump p = { .cond = cond, .arg = arg, .deadline = monotonic_s() + seconds };

	loop.quit = false;
	loop_set_busy(&loop, on_busy, &p);
	loop_run(&loop);
	loop_set_busy(&loop, NULL, NULL);
	loop.quit = false;
	return cond ? cond(arg) : true;
}

static bool readable(void *arg)
{
	struct pollfd pfd = { .fd = *(int *)arg, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

static bool server_has_clients(void *arg)
{
	return control_n_clients(&server) == *(int *)arg;
}

/* ---- clients ---- */

static int client_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void client_send(int fd, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Read one reply line (without newline) into buf, turning the loop
 * meanwhile. Returns its length, 0 at EOF, -1 on timeout.
 */
static int client_line(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len - 1) {
		if (!pump_until(readable, &fd, 3.0))
			return -1;
		/* Peek, take up to the newline, leave the rest for the next call. */
		ssize_t n = recv(fd, buf + got, len - 1 - got, MSG_PEEK);

		if (n <= 0)
			return got ? (int)got : 0;
		char *nl = memchr(buf + got, '\n', (size_t)n);
		size_t take = nl ? (size_t)(nl - (buf + got)) + 1 : (size_t)n;

		assert_int_equal(recv(fd, buf + got, take, 0), (ssize_t)take);
		got += take;
		if (nl) {
			buf[got - 1] = '\0';
			return (int)got - 1;
		}
	}
	buf[got] = '\0';
	return (int)got;
}

/* The server closed the connection: EOF (or a reset) after turning the loop. */
static bool client_sees_eof(int fd)
{
	char ch;

	if (!pump_until(readable, &fd, 3.0))
		return false;
	ssize_t n = recv(fd, &ch, 1, MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void ask(int fd, const char *cmd, char *reply, size_t len)
{
	client_send(fd, cmd);
	assert_true(client_line(fd, reply, len) > 0);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	char err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/contrastd-ctl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	assert_int_equal(loop_init(&loop), 0);
	n_calls = 0;
	memset(&last_req, 0, sizeof(last_req));
	if (control_open(&server, &loop, path, 0.4, fake_handler, NULL, err, sizeof(err)) < 0)
		fail_msg("control_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	control_close(&server);
	loop_finalise(&loop);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* ---- tests ---- */

/* `log` without N: the protocol table's default (asserted below). */
#define LOG_DEFAULT 10

static void test_parse_table(void **state)
{
	static const struct {
		const char *line;
		int rc;
		enum control_command cmd;
		const char *program;
		int log_n;
		const char *why;        /* part of the error message */
	} t[] = {
		{ "status", 0, CONTROL_STATUS, "", LOG_DEFAULT, NULL },
		{ "  status\t", 0, CONTROL_STATUS, "", LOG_DEFAULT, NULL },
		{ "start", 0, CONTROL_START, "", LOG_DEFAULT, NULL },
		{ "start evening-2", 0, CONTROL_START, "evening-2", LOG_DEFAULT, NULL },
		{ "stop", 0, CONTROL_STOP, "", LOG_DEFAULT, NULL },
		{ "ack", 0, CONTROL_ACK, "", LOG_DEFAULT, NULL },
		{ "programs", 0, CONTROL_PROGRAMS, "", LOG_DEFAULT, NULL },
		{ "log", 0, CONTROL_LOG, "", LOG_DEFAULT, NULL },
		{ "log 1", 0, CONTROL_LOG, "", 1, NULL },
		{ "log 100", 0, CONTROL_LOG, "", 100, NULL },
		{ "log 0", -1, 0, NULL, 0, "from 1 to 100" },
		{ "log 101", -1, 0, NULL, 0, "from 1 to 100" },
		{ "log -3", -1, 0, NULL, 0, "from 1 to 100" },
		{ "log 5x", -1, 0, NULL, 0, "from 1 to 100" },
		{ "log 1 2", -1, 0, NULL, 0, "at most one argument" },
		{ "start a b", -1, 0, NULL, 0, "at most one argument" },
		{ "start a;b", -1, 0, NULL, 0, "letters, digits" },
		{ "start abcdefghijklmnopqrstuvwxyz0123456789", -1, 0, NULL, 0, "at most 31" },
		{ "status now", -1, 0, NULL, 0, "takes no argument" },
		{ "stop 1", -1, 0, NULL, 0, "takes no argument" },
		{ "STATUS", -1, 0, NULL, 0, "unknown command 'STATUS'" },
		{ "reboot", -1, 0, NULL, 0, "unknown command 'reboot'" },
		{ "", -1, 0, NULL, 0, "empty line" },
		{ "   ", -1, 0, NULL, 0, "empty line" },
		{ "stat\x01us", -1, 0, NULL, 0, "byte 0x01 at column 5" },
		{ "\xff\xfe", -1, 0, NULL, 0, "byte 0xff" },
	};

	(void)state;
	assert_int_equal(protocol_commands[CONTROL_LOG].count_default, LOG_DEFAULT);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct control_request req;
		char why[CONTROL_ERROR_MAX] = "";

		memset(&req, 0, sizeof(req));
		int rc = control_parse(t[i].line, &req, why, sizeof(why));

		if (rc != t[i].rc)
			fail_msg("'%s': rc %d, expected %d (%s)", t[i].line, rc, t[i].rc, why);
		if (rc == 0) {
			assert_int_equal(req.command, t[i].cmd);
			assert_string_equal(req.arg.name, t[i].program);
			if (req.command == CONTROL_LOG)
				assert_int_equal(req.arg.count, t[i].log_n);
		} else if (!strstr(why, t[i].why)) {
			fail_msg("'%s': error '%s' lacks '%s'", t[i].line, why, t[i].why);
		}
	}
}

static void test_socket_mode_and_close(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	control_close(&server);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	control_close(&server);         /* twice is fine */
}

static void test_mode_whatever_the_umask(void **state)
{
	char err[256];
	struct stat st;

	(void)state;
	control_close(&server);
	mode_t old = umask(0077);
	int rc = control_open(&server, &loop, path, 0.4, fake_handler, NULL, err, sizeof(err));

	umask(old);
	assert_int_equal(rc, 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
}

static void test_stale_socket_removed_live_one_kept(void **state)
{
	struct control_server *second = calloc(1, sizeof(*second));
	char err[256];
	char stale[96];

	(void)state;
	assert_non_null(second);
	/* Live: the fixture's server listens on path. */
	assert_int_equal(control_open(second, &loop, path, 0, fake_handler, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another process listens"));
	assert_non_null(strstr(err, path));
	control_close(second);
	/* The first one's file is still there and works. */
	int fd = client_connect();
	char reply[256];

	ask(fd, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	close(fd);

	/* Stale: a socket file nobody listens on any more. */
	snprintf(stale, sizeof(stale), "%s/stale.sock", dir);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", stale);
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(s);
	if (control_open(second, &loop, stale, 0, fake_handler, NULL, err, sizeof(err)) < 0)
		fail_msg("stale socket not replaced: %s", err);
	control_close(second);
	assert_int_equal(access(stale, F_OK), -1);

	/* Not a socket: left alone, and an error. */
	int f = open(stale, O_CREAT | O_WRONLY, 0600);

	assert_true(f >= 0);
	close(f);
	assert_int_equal(control_open(second, &loop, stale, 0, fake_handler, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a socket"));
	assert_int_equal(access(stale, F_OK), 0);
	control_close(second);
	unlink(stale);

	/* A path that cannot be a socket address. */
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(control_open(second, &loop, longpath, 0, fake_handler, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 107 characters"));
	control_close(second);

	/* Directories that do not exist: made, mode 0755, whatever the umask. */
	char deep[160], sub[128];
	struct stat st;
	mode_t old_mask = umask(0077);

	snprintf(sub, sizeof(sub), "%s/a", dir);
	snprintf(deep, sizeof(deep), "%s/a/b/x.sock", dir);
	if (control_open(second, &loop, deep, 0, fake_handler, NULL, err, sizeof(err)) < 0)
		fail_msg("the socket's missing directories were not made: %s", err);
	umask(old_mask);
	control_close(second);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	rmdir(sub);

	/* A directory that cannot be: under a file. The path and the cause. */
	snprintf(stale, sizeof(stale), "%s/file", dir);
	f = open(stale, O_CREAT | O_WRONLY, 0600);
	assert_true(f >= 0);
	close(f);
	snprintf(deep, sizeof(deep), "%s/file/sub/x.sock", dir);
	assert_int_equal(control_open(second, &loop, deep, 0, fake_handler, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, deep));
	assert_non_null(strstr(err, "Not a directory"));
	control_close(second);
	unlink(stale);
	free(second);
}

static void test_commands_and_replies(void **state)
{
	int fd = client_connect();
	static char reply[70000];

	(void)state;
	server.idle_s = 60.0;   /* this test takes its time; idling has a test of its own */
	ask(fd, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	assert_int_equal(last_req.command, CONTROL_STATUS);
	assert_true(last_req.peer.known);
	assert_int_equal(last_req.peer.uid, getuid());
	assert_int_equal(last_req.peer.pid, getpid());

	ask(fd, "start\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"running\",\"program\":\"default\"}}");
	assert_string_equal(last_req.arg.name, "");

	ask(fd, "start evening\r\n", reply, sizeof(reply));
	assert_string_equal(last_req.arg.name, "evening");
	assert_string_equal(last_req.text, "start evening");

	ask(fd, "start nope\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"no program named 'nope'\"}");

	ask(fd, "stop\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"no session is running\"}");

	ask(fd, "ack\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true}");

	ask(fd, "log 7\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"sessions\":{\"n\":7}}");
	assert_int_equal(last_req.arg.count, 7);

	ask(fd, "programs\n", reply, sizeof(reply));
	assert_int_equal(strlen(reply), strlen("{\"ok\":true,\"programs\":\"\"}") + 60000);

	/* Bad input: an error reply, and the connection stays usable. */
	int calls = n_calls;

	ask(fd, "frobnicate\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "{\"ok\":false,\"error\":\"unknown command 'frobnicate'"));
	ask(fd, "\x01\x02garbage\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "\"ok\":false"));
	assert_non_null(strstr(reply, "byte 0x01"));
	ask(fd, "\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "empty line"));
	assert_int_equal(send(fd, "stat\0us\n", 8, MSG_NOSIGNAL), 8);    /* a NUL inside */
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_non_null(strstr(reply, "byte 0x00 at column 5"));
	ask(fd, "start \"quoted\"\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "letters, digits"));
	assert_int_equal(n_calls, calls);       /* the handler never saw them */
	ask(fd, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");

	/* Several commands in one write: the replies in order. */
	client_send(fd, "ack\nlog 2\nstatus\n");
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true}");
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true,\"sessions\":{\"n\":2}}");
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");

	/* A line split across writes. */
	client_send(fd, "sta");
	pump_until(NULL, NULL, 0.05);
	client_send(fd, "tus\n");
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	close(fd);
}

static void test_last_line_without_newline(void **state)
{
	int fd = client_connect();
	char reply[256];

	(void)state;
	client_send(fd, "status");
	shutdown(fd, SHUT_WR);
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	assert_true(client_sees_eof(fd));
	close(fd);
	int zero = 0;

	assert_true(pump_until(server_has_clients, &zero, 2.0));
}

static void test_overlong_line_closes(void **state)
{
	int fd = client_connect();
	char reply[256], big[CONTROL_LINE_MAX + 100];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	client_send(fd, big);
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"line too long (more than 512 bytes): closing\"}");
	assert_true(client_sees_eof(fd));
	close(fd);

	/* Exactly CONTROL_LINE_MAX bytes is still a line (an unknown command, here). */
	fd = client_connect();
	memset(big, 'a', CONTROL_LINE_MAX);
	big[CONTROL_LINE_MAX] = '\n';
	big[CONTROL_LINE_MAX + 1] = '\0';
	client_send(fd, big);
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_non_null(strstr(reply, "unknown command"));
	ask(fd, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	close(fd);
}

static void test_idle_client_closed(void **state)
{
	int fd = client_connect();
	int one = 1, zero = 0;
	char reply[256];

	(void)state;
	assert_true(pump_until(server_has_clients, &one, 2.0));
	double t0 = monotonic_s();

	/* The fixture's idle timeout is 0.4 s. */
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	double waited = monotonic_s() - t0;

	assert_string_equal(reply, "{\"ok\":false,\"error\":\"idle for 0.4 s: closing\"}");
	assert_true(waited >= 0.3 && waited < 2.0);
	assert_true(client_sees_eof(fd));
	assert_true(pump_until(server_has_clients, &zero, 2.0));
	assert_true(server.n_dropped >= 1);
	close(fd);

	/* A half-sent line is no activity: a slow trickle is dropped all the same. */
	fd = client_connect();
	client_send(fd, "st");
	pump_until(NULL, NULL, 0.25);
	client_send(fd, "a");
	assert_true(client_line(fd, reply, sizeof(reply)) > 0);
	assert_non_null(strstr(reply, "idle"));
	close(fd);
}

/* Make fd a client that asks for big replies and reads none: it stays owed one. */
static void stop_reading(int fd)
{
	int bufsize = 4096;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	for (int i = 0; i < 8; i++) {
		if (send(fd, "programs\n", 9, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			break;
		pump_until(NULL, NULL, 0.005);
	}
}

static void test_full_house_evicts_the_longest_idle(void **state)
{
	int fds[CONTROL_MAX_CLIENTS];
	int max = CONTROL_MAX_CLIENTS;
	char reply[256];

	(void)state;
	/* No idle timeout getting in the way here. */
	server.idle_s = 60.0;
	server.idle_total_s = 600.0;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client_connect();
		assert_true(pump_until(NULL, NULL, 0.01) || true);
	}
	assert_true(pump_until(server_has_clients, &max, 2.0));
	/* fds[0] was idle the longest ... until it asks something; then fds[1] is. */
	ask(fds[0], "status\n", reply, sizeof(reply));

	int extra = client_connect();

	ask(extra, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	assert_true(client_line(fds[1], reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"closed to make room for a new connection (at most 16 at once)\"}");
	assert_true(client_sees_eof(fds[1]));
	close(fds[1]);
	fds[1] = extra;
	assert_int_equal(server.n_refused, 0);

	/* Everyone else connected is still served. */
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		ask(fds[i], "status\n", reply, sizeof(reply));
		assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	}
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_too_many_busy_clients(void **state)
{
	int fds[CONTROL_MAX_CLIENTS];
	int max = CONTROL_MAX_CLIENTS;
	char reply[256];

	(void)state;
	server.idle_s = 60.0;
	server.idle_total_s = 600.0;
	/* Every slot owed a reply it does not read: none is idle, none can go. */
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client_connect();
		stop_reading(fds[i]);
	}
	assert_true(pump_until(server_has_clients, &max, 2.0));

	int extra = client_connect();

	assert_true(client_line(extra, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"too many clients (at most 16 at once): try again\"}");
	assert_true(client_sees_eof(extra));
	close(extra);
	assert_int_equal(server.n_refused, 1);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_idle_in_all_capped(void **state)
{
	int fd = client_connect();
	char reply[256];
	double t0 = monotonic_s();

	(void)state;
	/* Timeout 0.4 s, 2 s idle in all: a client asking every 0.3 s is closed after about 2 s. */
	server.idle_total_s = 2.0;
	for (;;) {
		/* Closed while it waits: the last line says why. */
		if (pump_until(readable, &fd, 0.3)) {
			assert_true(client_line(fd, reply, sizeof(reply)) > 0);
			break;
		}
		ask(fd, "status\n", reply, sizeof(reply));
		/* The cap may be reached in the same loop turn that reads the command. */
		if (strstr(reply, "in all"))
			break;
		assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
		assert_true(monotonic_s() - t0 < 5.0);
	}
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"idle for 2 s in all: closing\"}");
	assert_true(monotonic_s() - t0 >= 1.9);
	close(fd);
}

static bool dropped(void *arg)
{
	return server.n_dropped >= *(long *)arg;
}

static void test_slow_reader_dropped_loop_goes_on(void **state)
{
	int slow = client_connect();
	char reply[256];

	(void)state;
	long before = server.n_dropped, want = before + 1;

	/* Replies of 60 kB each, never read: dropped once it has read nothing for idle_s (0.4 s). */
	stop_reading(slow);
	double t0 = monotonic_s();

	assert_true(pump_until(dropped, &want, 3.0));
	/* Meanwhile, and after, the others are served at once. */
	int other = client_connect();

	ask(other, "status\n", reply, sizeof(reply));
	assert_string_equal(reply, "{\"ok\":true,\"status\":{\"state\":\"idle\"}}");
	assert_true(monotonic_s() - t0 < 3.0);
	close(slow);
	close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test_setup_teardown(test_socket_mode_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_whatever_the_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket_removed_live_one_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_and_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_line_without_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_client_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_house_evicts_the_longest_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_busy_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_in_all_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_dropped_loop_goes_on, setup, teardown),
	};

	/* The server logs every refusal and drop: keep the test output to errors. */
	log_set_max_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
