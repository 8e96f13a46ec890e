/* SPDX-License-Identifier: MIT */
/*
 * The control socket: a Unix stream socket that takes one command per
 * line and answers each with one JSON line. The protocol is in
 * docs/control.md.
 *
 * What it promises:
 *  - It never blocks the control loop. Every fd (the listening socket, a
 *    timerfd for idle clients, each client) is non-blocking and registered
 *    with the loop (loop.h); a handler does a bounded amount of work: one
 *    read of at most CONTROL_LINE_MAX + 1 bytes per client per turn, at
 *    most CONTROL_COMMANDS_PER_TURN commands, and as much writing as the
 *    socket takes.
 *  - Replies are produced as the client drains them: a command runs only
 *    once every reply before it is sent, and no more input is read while
 *    a complete line waits. A client that reads gets every reply to any
 *    number of pipelined commands; one that stops reading holds at most
 *    one reply, and is dropped when it has read none of it for idle_s.
 *  - Nothing is allocated: every buffer is a fixed part of struct
 *    control_server.
 *  - Bad input gets an error reply, {"ok":false,"error":"..."}: garbage,
 *    an unknown command, a wrong argument. A line longer than
 *    CONTROL_LINE_MAX gets an error reply and the connection is closed.
 *  - Idle clients: a client is idle while it is owed nothing and nothing
 *    of its waits to run; its idle time counts from when it connected or
 *    last had a reply pending. Idle for idle_s, or for idle_s *
 *    (CONTROL_IDLE_TOTAL_S / CONTROL_IDLE_S) in all over the connection's
 *    life, it is sent an error line and closed. At most
 *    CONTROL_MAX_CLIENTS at once: when all are taken, the one idle the
 *    longest is closed to admit a new one ("closed to make room ..."), so
 *    contrastctl always gets through; only when none is idle is the new
 *    one sent "too many clients" and closed.
 *  - The server does not know the controller. It parses a line into a
 *    struct control_request, calls the handler the daemon gave it, and
 *    writes the handler's struct control_reply back as one JSON line.
 *  - Every command is logged with the peer's credentials (SO_PEERCRED):
 *    "uid 1000 pid 4242: start default". Commands that change something
 *    (changes_state in the protocol table: start, stop, ack) at notice
 *    level, with the reason when refused; the read-only ones (status,
 *    programs, log) at debug level, so a `watch contrastctl status` does
 *    not fill the journal.
 *  - Which commands there are, their arguments and the words a bad one is
 *    refused with are the protocol table's (lib/protocol.h).
 *
 * The socket file is created with mode 0660 (umask around bind(), then
 * chmod(): fchmod() on a socket fd does not reach the file). Its group is
 * the daemon's group (User=/Group= contrastd in the service; the
 * RuntimeDirectory /run/contrastd is contrastd:contrastd 0750), so members
 * of group contrastd may control the device. A socket file left behind by
 * a daemon that died is removed at start, but only when nothing listens on
 * it (a connect() is tried first); any other file at the path is an error.
 */
#ifndef CONTRASTD_CONTROL_H
#define CONTRASTD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/limits.h"
#include "lib/loop.h"
#include "lib/protocol.h"

/* The limits clients see are the protocol's (lib/protocol.h); these are the server's own. */
#define CONTROL_OUT_MAX         CONTROL_REPLY_MAX       /* a client's unsent reply */
#define CONTROL_COMMANDS_PER_TURN 16    /* pipelined commands run per client per loop turn */

/* Who is on the other end (SO_PEERCRED at accept time). */
struct control_peer {
	bool known;             /* false when SO_PEERCRED failed */
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

struct control_request {
	enum control_command command;
	struct protocol_args arg;       /* its argument, checked against the protocol table */
	struct control_peer peer;
	char text[CONTROL_LINE_MAX + 1];        /* the command as received, for the log */
};

/*
 * The answer the handler fills in. It starts as {"ok":true}. The handler
 * either calls control_reply_error(), or leaves it ok and optionally writes
 * one JSON value with control_reply_value(), which goes under the command's
 * reply key (the protocol table):
 *   {"ok":true}  {"ok":true,"status":{...}}  {"ok":false,"error":"..."}
 */
struct control_reply {
	bool ok;
	char error[CONTROL_ERROR_MAX];
	const char *value_key;  /* the command's reply key: the server sets it */
	char key[32];           /* "" when the reply carries no value */
	char *value;            /* the server's buffer, CONTROL_VALUE_MAX bytes */
	size_t value_cap;
};

/* Make the reply an error with this message (printf format). */
void control_reply_error(struct control_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Give the reply a value under the command's reply key: returns the buffer
 * (value_cap bytes) the handler writes one JSON value into, NUL-terminated.
 * An empty buffer sends null.
 */
char *control_reply_value(struct control_reply *r);

/* Called once per command, inside the loop turn that read it. Must not block. */
typedef void (*control_handler)(void *arg, const struct control_request *req,
				struct control_reply *reply);

struct control_server;

struct control_client {
	struct control_server *server;
	int fd;                 /* -1: the slot is free */
	struct control_peer peer;
	uint32_t events;        /* what the loop watches for it now */
	bool closing;           /* send what is buffered, then close; run nothing more */
	bool eof;               /* the client has finished sending: answer what came, then close */
	double idle_since_s;    /* monotonic: connect, or when its last reply was sent whole */
	double idle_total_s;    /* idle periods before the current one, seconds */
	double last_progress_s; /* monotonic: a reply queued, or some of it sent */
	size_t in_len;
	char in[CONTROL_LINE_MAX + 1];  /* one line and its newline fit */
	size_t out_off, out_len;        /* unsent bytes are out[out_off .. out_len) */
	char out[CONTROL_OUT_MAX];
};

struct control_server {
	struct loop *loop;
	int listen_fd;          /* -1 when closed */
	int timer_fd;
	char path[PATH_LEN];
	bool created;           /* we made the socket file: remove it at close */
	dev_t dev;              /* ... and it is this one */
	ino_t ino;
	double idle_s;
	double idle_total_s;    /* the cap on a client's idling in all */
	control_handler handler;
	void *handler_arg;
	struct control_client client[CONTROL_MAX_CLIENTS];
	char value[CONTROL_VALUE_MAX];          /* the reply value the handler writes */
	char line[CONTROL_OUT_MAX];             /* a reply line being formatted */
	double refused_log_s;   /* when "too many clients" was last logged (rate limit) */
	long n_refused;         /* connections refused for too many clients */
	long n_dropped;         /* clients dropped: overlong line, overflow, idle, errors */
};

/*
 * Create the socket at path and register it with the loop. idle_s <= 0
 * takes CONTROL_IDLE_S. Returns 0, or -1 with a message naming the path
 * and the cause in err (nothing is left registered or open then).
 */
int control_open(struct control_server *s, struct loop *loop, const char *path, double idle_s,
		 control_handler handler, void *handler_arg, char *err, size_t err_len);

/*
 * Close every client and the listening socket, unregister them, and
 * remove the socket file if this server created it. Safe to call twice,
 * and on a server that never opened (after memset 0 or a failed open).
 */
void control_close(struct control_server *s);

/* Connected clients now. */
int control_n_clients(const struct control_server *s);

/*
 * Parse one command line (no newline) into req (peer and text untouched).
 * Returns 0, or -1 with the error message for the reply in why.
 * Exposed for the unit test.
 */
int control_parse(const char *line, struct control_request *req, char *why, size_t why_len);

#endif
