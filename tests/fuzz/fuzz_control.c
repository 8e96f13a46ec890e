/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the control protocol. Each input is
 *  1. parsed line by line with control_parse (and so protocol_find and
 *     protocol_parse_args, lib/protocol.c), and
 *  2. sent whole, as a client would, to a real control server
 *     (src/daemon/control.c) on a socket in /tmp, whose handler answers
 *     some commands with a 60 kB value: the server's line splitting,
 *     pipelining, overlong lines and the end of the stream.
 * It checks that every reply line the server sends is one JSON object
 * starting {"ok":, and that the server answers and closes in bounded time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "daemon/control.h"
#include "lib/log.h"
#include "lib/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192

static struct control_server server;
static struct loop loop;
static char sock_path[64];
static bool ready;

static void handler(void *arg, const struct control_request *req, struct control_reply *reply)
{
	(void)arg;
	if (req->command == CONTROL_PROGRAMS) {
		char *v = control_reply_value(reply);

		v[0] = '"';
		memset(v + 1, 'x', 60000);
		v[60001] = '"';
		v[60002] = '\0';
	} else if (req->command == CONTROL_STOP) {
		control_reply_error(reply, "no session is running");
	} else {
		snprintf(control_reply_value(reply), reply->value_cap, "{\"state\":\"idle\"}");
	}
}

static void cleanup(void)
{
	control_close(&server);
	unlink(sock_path);
}

static void setup(void)
{
	char err[256];

	log_set_max_level(LOG_LEVEL_ERR);
	snprintf(sock_path, sizeof(sock_path), "/tmp/contrastd-fuzz-%ld.sock", (long)getpid());
	unlink(sock_path);
	if (loop_init(&loop) < 0 || control_open(&server, &loop, sock_path, 5.0, handler, NULL, err,
						sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	atexit(cleanup);
	ready = true;
}

struct exchange {
	int fd;
	size_t sent, size;
	const uint8_t *data;
	char got[256];                  /* the start of the current reply line */
	size_t got_len;
	bool at_line_start;
	bool eof;
	double deadline;
};

static void check_reply_start(struct exchange *x)
{
	if (x->got_len >= 7 && memcmp(x->got, "{\"ok\":", 6) != 0) {
		fprintf(stderr, "a reply line that is not {\"ok\":...: %.40s\n", x->got);
		abort();
	}
}

static void on_busy(void *arg)
{
	struct exchange *x = arg;
	char buf[65536];
	ssize_t n;

	if (x->sent < x->size) {
		n = send(x->fd, x->data + x->sent, x->size - x->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0)
			x->sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			x->sent = x->size;      /* closed by the server (an overlong line) */
		if (x->sent == x->size)
			shutdown(x->fd, SHUT_WR);
	}
	while ((n = recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				check_reply_start(x);
				x->got_len = 0;
			} else if (x->got_len < sizeof(x->got)) {
				x->got[x->got_len++] = buf[i];
			}
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		x->eof = true;
		loop_quit(&loop, 0);
	}
	if (monotonic_s() > x->deadline) {
		fprintf(stderr, "the server did not answer and close within 10 s\n");
		abort();
	}
}

static void quit_after_one_turn(void *arg)
{
	(void)arg;
	loop_quit(&loop, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_request req;
	char line[MAX_INPUT + 1], why[CONTROL_ERROR_MAX];
	size_t start = 0;

	if (size > MAX_INPUT)
		return 0;
	if (!ready)
		setup();
	/* 1. Each line through the parser. */
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		memcpy(line, data + start, i - start);
		line[i - start] = '\0';
		memset(&req, 0, sizeof(req));
		if (control_parse(line, &req, why, sizeof(why)) == 0 && req.command >= CONTROL_N_COMMANDS)
			abort();
		start = i + 1;
	}

	/* 2. The whole input to the server, as one client. */
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct exchange x = { .data = data, .size = size, .deadline = monotonic_s() + 10.0 };

	x.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	if (x.fd < 0 || connect(x.fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		abort();
	if (size == 0)
		shutdown(x.fd, SHUT_WR);
	loop.quit = false;
	loop_set_busy(&loop, on_busy, &x);
	loop_run(&loop);
	loop_set_busy(&loop, NULL, NULL);
	close(x.fd);
	/* Let the server see the close before the next input. */
	for (int i = 0; i < 100 && control_n_clients(&server) > 0; i++) {
		loop.quit = false;
		loop_set_busy(&loop, quit_after_one_turn, NULL);
		loop_run(&loop);
	}
	loop_set_busy(&loop, NULL, NULL);
	return 0;
}
