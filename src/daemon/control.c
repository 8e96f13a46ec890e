/* SPDX-License-Identifier: MIT */
/* The control socket server. See control.h and docs/control.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "control.h"
#include "lib/json_out.h"
#include "lib/lazy_zero.h"
#include "lib/log.h"

#define LISTEN_BACKLOG          16
#define ACCEPTS_PER_TURN        32      /* the rest wait for the next turn: others get a go */
#define REFUSED_LOG_EVERY_S     10.0

void control_reply_error(struct control_reply *r, const char *fmt, ...)
{
	va_list ap;

	r->ok = false;
	r->key[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

char *control_reply_value(struct control_reply *r)
{
	snprintf(r->key, sizeof(r->key), "%s", r->value_key ? r->value_key : "");
	r->value[0] = '\0';
	return r->value;
}

/* ---- parsing ---- */

/* Split at blanks: up to max words, each NUL-terminated in place. Returns the count, or max + 1. */
static int split_words(char *s, char *words[], int max)
{
	int n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == max)
			return max + 1;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

/* The message for a line that is not a command: what went wrong, and the commands. */
static void not_a_command(char *why, size_t why_len, const char *what)
{
	char list[256];

	protocol_command_list(list, sizeof(list));
	snprintf(why, why_len, "%s (%s)", what, list);
}

int control_parse(const char *line, struct control_request *req, char *why, size_t why_len)
{
	char buf[CONTROL_LINE_MAX + 1];
	/* The name, up to two arguments, and one more to tell "too many". */
	char *w[4] = { NULL, NULL, NULL, NULL };
	size_t len = strlen(line);

	if (len > CONTROL_LINE_MAX) {
		snprintf(why, why_len, "line too long (more than %d bytes)", CONTROL_LINE_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
			char what[64];

			snprintf(what, sizeof(what), "not a command: byte 0x%02x at column %zu", ch, i + 1);
			not_a_command(why, why_len, what);
			return -1;
		}
	}
	memcpy(buf, line, len + 1);
	int n = split_words(buf, w, 3);

	if (n == 0) {
		not_a_command(why, why_len, "empty line");
		return -1;
	}
	if (protocol_find(w[0], &req->command, why, why_len) < 0)
		return -1;
	return protocol_parse_args(req->command, n - 1, (const char *const *)&w[1], &req->arg, why,
				   why_len);
}

/* ---- clients ---- */

static void peer_text(const struct control_peer *p, char *buf, size_t len)
{
	if (p->known)
		snprintf(buf, len, "uid %ld pid %ld", (long)p->uid, (long)p->pid);
	else
		snprintf(buf, len, "uid ? pid ?");
}

static void client_reset(struct control_client *c)
{
	c->fd = -1;
	c->closing = false;
	c->eof = false;
	c->in_len = 0;
	c->out_off = c->out_len = 0;
	c->events = 0;
	c->idle_total_s = 0.0;
}

static void client_drop(struct control_client *c)
{
	struct control_server *s = c->server;

	if (c->fd < 0)
		return;
	loop_remove_fd(s->loop, c->fd);
	close(c->fd);
	client_reset(c);
}

/* A dropped client that was still owed an answer (idle, a reader that stopped, errors): counted. */
static void client_drop_bad(struct control_client *c)
{
	c->server->n_dropped++;
	client_drop(c);
}

static bool out_pending(const struct control_client *c)
{
	return c->out_off < c->out_len;
}

/* A complete line waits in the input buffer (not yet run). */
static bool line_waiting(const struct control_client *c)
{
	return memchr(c->in, '\n', c->in_len) != NULL;
}

/*
 * Idle: nothing owed to it and nothing of its waiting to run. Its idle
 * time counts from when it connected or last had a reply pending.
 */
static bool client_idle(const struct control_client *c)
{
	return c->fd >= 0 && !c->closing && !out_pending(c) && !line_waiting(c);
}

/* An idle period ends (a command came): it counts towards the cap on idling. */
static void end_idle(struct control_client *c, double now)
{
	if (!out_pending(c))
		c->idle_total_s += now - c->idle_since_s;
}

/*
 * Write what is buffered, as far as the socket takes it. Returns 0, or -1
 * when the client is gone (the caller drops it).
 */
static int client_flush(struct control_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			/* EPIPE, ECONNRESET: the client went away; nothing to log for that. */
			if (errno != EPIPE && errno != ECONNRESET) {
				char who[64];

				peer_text(&c->peer, who, sizeof(who));
				log_warning("control socket: %s: send: %s", who, strerror(errno));
			}
			return -1;
		}
		c->out_off += (size_t)n;
		c->last_progress_s = monotonic_s();
	}
	/* Everything owed is sent: from now on it idles. */
	if (c->out_len > 0)
		c->idle_since_s = monotonic_s();
	c->out_off = c->out_len = 0;
	return 0;
}

/*
 * Queue one reply line. Commands run only when the buffer is empty, so a
 * reply (at most CONTROL_REPLY_MAX) always fits; -1 is for a broken
 * invariant, and the client is dropped.
 */
static int client_queue(struct control_client *c, const char *line, size_t len)
{
	if (out_pending(c) && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	} else if (!out_pending(c)) {
		c->out_off = c->out_len = 0;
	}
	if (c->out_len + len > sizeof(c->out)) {
		char who[64];

		peer_text(&c->peer, who, sizeof(who));
		log_warning("control socket: %s: a reply does not fit (%zu bytes waiting): dropping it", who,
			    c->out_len - c->out_off);
		return -1;
	}
	if (!out_pending(c))
		c->last_progress_s = monotonic_s();
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	return 0;
}

/* Format {"ok":false,"error":"..."} with a newline into buf. Returns its length. */
static size_t format_error(char *buf, size_t cap, const char *msg)
{
	struct json_out j;

	json_out_init(&j, buf, cap - 1);
	json_out_begin_object(&j);
	json_out_key(&j, "ok");
	json_out_bool(&j, false);
	json_out_key(&j, "error");
	json_out_string(&j, msg);
	json_out_end_object(&j);
	if (json_out_overflow(&j)) {
		/* Only with an absurd cap; an error line must still go out. */
		snprintf(buf, cap - 1, "{\"ok\":false,\"error\":\"error message too long\"}");
		j.len = strlen(buf);
	}
	buf[j.len] = '\n';
	buf[j.len + 1] = '\0';
	return j.len + 1;
}

static int client_queue_error(struct control_client *c, const char *msg)
{
	char line[CONTROL_ERROR_MAX * 2 + 64];
	size_t len = format_error(line, sizeof(line), msg);

	return client_queue(c, line, len);
}

/* Format the handler's reply into s->line. Returns its length (newline included). */
static size_t format_reply(struct control_server *s, const struct control_reply *r)
{
	struct json_out j;

	if (!r->ok)
		return format_error(s->line, sizeof(s->line), r->error[0] ? r->error : "refused");
	if (r->key[0] && memchr(r->value, '\n', strnlen(r->value, r->value_cap)))
		return format_error(s->line, sizeof(s->line), "internal error: the reply holds a newline");

	json_out_init(&j, s->line, sizeof(s->line) - 1);
	json_out_begin_object(&j);
	json_out_key(&j, "ok");
	json_out_bool(&j, true);
	if (r->key[0]) {
		size_t vlen = strnlen(r->value, r->value_cap);

		json_out_key(&j, r->key);
		if (vlen == 0 || vlen == r->value_cap)
			json_out_null(&j);
		else
			json_out_raw_value(&j, r->value, vlen);
	}
	json_out_end_object(&j);
	if (json_out_overflow(&j))
		return format_error(s->line, sizeof(s->line), "the reply is too large");
	s->line[j.len] = '\n';
	s->line[j.len + 1] = '\0';
	return j.len + 1;
}

/* One complete line (len bytes, NUL put after them). Returns 0, or -1 when the client must be dropped. */
static int client_command(struct control_client *c, char *line, size_t len)
{
	struct control_server *s = c->server;
	struct control_request req;
	struct control_reply reply;
	char who[64], why[CONTROL_ERROR_MAX];
	const char *nul = memchr(line, '\0', len);

	/* Tolerate CRLF and trailing blanks from hand-typed sessions (socat, nc). */
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	peer_text(&c->peer, who, sizeof(who));

	memset(&req, 0, sizeof(req));
	/* A NUL would end the C string early and hide the rest: it is garbage like any control byte. */
	if (nul) {
		char what[64];

		snprintf(what, sizeof(what), "not a command: byte 0x00 at column %zu", (size_t)(nul - line) + 1);
		not_a_command(why, sizeof(why), what);
		log_info("control socket: %s: bad command: %s", who, why);
		return client_queue_error(c, why);
	}
	if (control_parse(line, &req, why, sizeof(why)) < 0) {
		log_info("control socket: %s: bad command: %s", who, why);
		return client_queue_error(c, why);
	}
	req.peer = c->peer;
	snprintf(req.text, sizeof(req.text), "%s", line);

	memset(&reply, 0, sizeof(reply));
	reply.ok = true;
	reply.value = s->value;
	reply.value_cap = sizeof(s->value);
	reply.value_key = protocol_command(req.command)->reply_key;
	s->value[0] = '\0';

	if (protocol_command(req.command)->changes_state)
		log_notice("%s: %s", who, line);
	else
		log_debug("%s: %s", who, line);
	s->handler(s->handler_arg, &req, &reply);
	if (!reply.ok)
		log_notice("%s: %s refused: %s", who, line, reply.error[0] ? reply.error : "refused");

	size_t out_len = format_reply(s, &reply);

	return client_queue(c, s->line, out_len);
}

/*
 * Run the complete lines in the input buffer, one at a time, each only
 * once the replies before it are sent: a client that reads gets every
 * reply to any number of pipelined commands, and its buffer never holds
 * more than one. At most CONTROL_COMMANDS_PER_TURN per call (the others
 * get their turn). Returns -1 to drop the client.
 */
static int client_lines(struct control_client *c)
{
	int done = 0;

	while (!c->closing && done < CONTROL_COMMANDS_PER_TURN) {
		char *nl;

		if (client_flush(c) < 0)
			return -1;
		if (out_pending(c))
			break;
		nl = memchr(c->in, '\n', c->in_len);
		if (nl == NULL)
			break;
		size_t len = (size_t)(nl - c->in);

		end_idle(c, monotonic_s());
		*nl = '\0';
		if (client_command(c, c->in, len) < 0)
			return -1;
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		done++;
	}
	if (client_flush(c) < 0)
		return -1;
	if (!c->closing && c->in_len == sizeof(c->in) && !line_waiting(c)) {
		char who[64], msg[96];

		peer_text(&c->peer, who, sizeof(who));
		log_warning("control socket: %s: line longer than %d bytes: closing", who, CONTROL_LINE_MAX);
		snprintf(msg, sizeof(msg), "line too long (more than %d bytes): closing", CONTROL_LINE_MAX);
		c->in_len = 0;
		c->closing = true;
		c->server->n_dropped++;
		if (client_queue_error(c, msg) < 0 || client_flush(c) < 0)
			return -1;
	}
	return 0;
}

static void on_client(int fd, uint32_t events, void *arg);

/*
 * Make the loop watch what the client needs now: input while it may send
 * more and nothing of its waits to run; output while a reply waits, or
 * while a line waits to run (a socket with room is writable at once: the
 * next turn runs it). A client with nothing left to do is closed.
 * Returns -1 when the client had to be dropped.
 */
static int client_rearm(struct control_client *c)
{
	struct control_server *s = c->server;
	bool more = !c->closing && line_waiting(c);
	bool reading = !c->closing && !c->eof && !line_waiting(c) && c->in_len < sizeof(c->in);
	uint32_t want = (reading ? EPOLLIN : 0) | (out_pending(c) || more ? EPOLLOUT : 0);

	if (want == 0) {
		client_drop(c);
		return -1;
	}
	if (want == c->events)
		return 0;
	/* loop.h has no "modify": remove and add again, in the same turn. */
	loop_remove_fd(s->loop, c->fd);
	if (loop_add_fd(s->loop, c->fd, want, on_client, c) < 0) {
		log_err("control socket: epoll for a client: %s: dropping it", strerror(errno));
		c->events = 0;
		client_drop_bad(c);
		return -1;
	}
	c->events = want;
	return 0;
}

static void on_client(int fd, uint32_t events, void *arg)
{
	struct control_client *c = arg;

	(void)fd;
	if (events & EPOLLERR) {
		client_drop(c);
		return;
	}
	if (!c->closing && !c->eof && !line_waiting(c) && (events & (EPOLLIN | EPOLLHUP))) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			if (errno != ECONNRESET) {
				char who[64];

				peer_text(&c->peer, who, sizeof(who));
				log_warning("control socket: %s: recv: %s", who, strerror(errno));
			}
			client_drop(c);
			return;
		}
		if (n == 0) {
			/*
			 * The client has finished sending (EOF, or shutdown(SHUT_WR)).
			 * A last line without its newline still counts: `printf status | socat`.
			 */
			if (c->in_len > 0 && c->in_len < sizeof(c->in) && !line_waiting(c))
				c->in[c->in_len++] = '\n';
			c->eof = true;
		} else if (n > 0) {
			c->in_len += (size_t)n;
		}
	}
	if (client_lines(c) < 0) {
		client_drop_bad(c);
		return;
	}
	/* Finished sending and everything answered: done. */
	if (c->eof && !line_waiting(c) && !out_pending(c))
		c->closing = true;
	client_rearm(c);
}

/* Best effort, never waits: a line to a connection we are about to close. */
static void send_and_close(int fd, const char *msg)
{
	char line[CONTROL_ERROR_MAX + 64];
	size_t len = format_error(line, sizeof(line), msg);

	if (send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Nothing to do: the connection is closed next either way. */
	}
	close(fd);
}

/* Close a client now with a last error line (idle, evicted), unregistering it first. */
static void client_close_with(struct control_client *c, const char *msg)
{
	struct control_server *s = c->server;
	int cfd = c->fd;

	loop_remove_fd(s->loop, cfd);
	client_reset(c);
	s->n_dropped++;
	send_and_close(cfd, msg);
}

static struct control_client *free_slot(struct control_server *s)
{
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (s->client[i].fd < 0)
			return &s->client[i];
	return NULL;
}

/*
 * All slots are taken: close the client idle the longest to make room,
 * so that a new one (contrastctl stop) always gets through. Returns the
 * freed slot, or NULL when every client is busy (a reply or a command
 * pending).
 */
static struct control_client *evict_idle(struct control_server *s)
{
	struct control_client *oldest = NULL;
	double now = monotonic_s();
	char who[64], msg[96];

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &s->client[i];

		if (client_idle(c) && (!oldest || c->idle_since_s < oldest->idle_since_s))
			oldest = c;
	}
	if (!oldest)
		return NULL;
	peer_text(&oldest->peer, who, sizeof(who));
	log_info("control socket: %s: idle for %.1f s: closed to make room for a new connection", who,
		 now - oldest->idle_since_s);
	snprintf(msg, sizeof(msg), "closed to make room for a new connection (at most %d at once)",
		 CONTROL_MAX_CLIENTS);
	client_close_with(oldest, msg);
	return oldest;
}

static void refuse(struct control_server *s, int fd, const char *why_log, const char *why_client)
{
	double now = monotonic_s();

	s->n_refused++;
	if (now - s->refused_log_s >= REFUSED_LOG_EVERY_S || s->refused_log_s == 0.0) {
		log_warning("control socket: refusing a connection: %s (%ld refused so far)", why_log,
			    s->n_refused);
		s->refused_log_s = now;
	}
	send_and_close(fd, why_client);
}

static void on_listen(int fd, uint32_t events, void *arg)
{
	struct control_server *s = arg;

	(void)events;
	for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			/* EMFILE, ENFILE, ENOBUFS: the listening socket stays; try again next turn. */
			log_err("control socket: accept: %s", strerror(errno));
			return;
		}
		struct control_client *c = free_slot(s);

		if (!c)
			c = evict_idle(s);
		if (!c) {
			char msg[96];

			snprintf(msg, sizeof(msg), "too many clients (at most %d at once): try again",
				 CONTROL_MAX_CLIENTS);
			refuse(s, cfd, "too many clients, none of them idle", msg);
			continue;
		}
		struct ucred cred;
		socklen_t clen = sizeof(cred);

		memset(&c->peer, 0, sizeof(c->peer));
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && clen == sizeof(cred)) {
			c->peer.known = true;
			c->peer.pid = cred.pid;
			c->peer.uid = cred.uid;
			c->peer.gid = cred.gid;
		} else {
			log_warning("control socket: SO_PEERCRED: %s", strerror(errno));
		}
		if (loop_add_fd(s->loop, cfd, EPOLLIN, on_client, c) < 0) {
			char msg[64];

			snprintf(msg, sizeof(msg), "loop: %s", strerror(errno));
			refuse(s, cfd, msg, "the daemon cannot take a connection now: try again");
			continue;
		}
		client_reset(c);
		c->fd = cfd;
		c->events = EPOLLIN;
		c->idle_since_s = c->last_progress_s = monotonic_s();
		{
			char who[64];

			peer_text(&c->peer, who, sizeof(who));
			log_debug("control socket: %s connected", who);
		}
	}
}

static void on_timer(int fd, uint32_t events, void *arg)
{
	struct control_server *s = arg;
	double now = monotonic_s();

	(void)events;
	timer_read(fd);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &s->client[i];
		char who[64], msg[96];

		if (c->fd < 0)
			continue;
		peer_text(&c->peer, who, sizeof(who));
		if (out_pending(c)) {
			/* Owed a reply and not reading it. */
			if (now - c->last_progress_s < s->idle_s)
				continue;
			log_warning("control socket: %s: has not read its replies for %g s: dropping it", who,
				    s->idle_s);
			client_drop_bad(c);
			continue;
		}
		if (!client_idle(c))
			continue;
		double idle = now - c->idle_since_s;

		if (idle >= s->idle_s) {
			log_info("control socket: %s: idle for %g s: closing", who, s->idle_s);
			snprintf(msg, sizeof(msg), "idle for %g s: closing", s->idle_s);
		} else if (c->idle_total_s + idle >= s->idle_total_s) {
			log_info("control socket: %s: idle for %g s in all: closing", who, s->idle_total_s);
			snprintf(msg, sizeof(msg), "idle for %g s in all: closing", s->idle_total_s);
		} else {
			continue;
		}
		client_close_with(c, msg);
	}
}

/* ---- the listening socket ---- */

/*
 * What is at path now? Returns 0 when the path is free (nothing there, or
 * a stale socket that was removed), -1 with a message otherwise.
 */
static int clear_stale(const char *path, const struct sockaddr_un *addr, char *err, size_t err_len)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, err_len, "control socket %s: the path exists and is not a socket; "
			 "not touching it", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, err_len, "control socket %s: socket: %s", path, strerror(errno));
		return -1;
	}
	int rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	int e = errno;

	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS) {
		/* EAGAIN: someone listens and their backlog is full: still someone. */
		snprintf(err, err_len, "control socket %s: another process listens on it "
			 "(is contrastd running already?)", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, err_len, "control socket %s: cannot tell whether it is in use: %s", path,
			 strerror(e));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, err_len, "control socket %s: removing the stale socket: %s", path,
			 strerror(errno));
		return -1;
	}
	log_info("control socket: removed a stale socket at %s", path);
	return 0;
}

/*
 * The socket's directory and those above it, mode 0755, where missing
 * (outside systemd nothing makes /run/contrastd). Returns 0, or -1 with
 * the directory and the cause in err.
 */
static int make_socket_dir(const char *path, char *err, size_t err_len)
{
	char dir[PATH_LEN];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == NULL || slash == path)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) == 0)
		return 0;
	for (char *q = dir + 1;; q++) {
		bool last = *q == '\0';

		if (*q != '/' && !last)
			continue;
		*q = '\0';
		if (mkdir(dir, 0755) == 0) {
			/* mkdir applied the umask: each one made is 0755 whatever it was. */
			if (chmod(dir, 0755) < 0) {
				snprintf(err, err_len, "control socket %s: chmod 0755 %s: %s", path, dir,
					 strerror(errno));
				return -1;
			}
		} else if (errno != EEXIST) {
			snprintf(err, err_len, "control socket %s: creating the directory %s: %s", path, dir,
				 strerror(errno));
			return -1;
		}
		if (last)
			break;
		*q = '/';
	}
	log_notice("control socket: created the directory %s (mode 0755)", dir);
	return 0;
}

int control_open(struct control_server *s, struct loop *loop, const char *path, double idle_s,
		 control_handler handler, void *handler_arg, char *err, size_t err_len)
{
	struct sockaddr_un addr;
	struct stat st;
	size_t plen = strlen(path);

	/* Not memset: the clients' buffers (1.2 MB) are written a page at a time as they are used. */
	lazy_zero(s, sizeof(*s));
	s->listen_fd = -1;
	s->timer_fd = -1;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		client_reset(&s->client[i]);
		s->client[i].server = s;
	}
	s->loop = loop;
	s->idle_s = idle_s > 0.0 ? idle_s : CONTROL_IDLE_S;
	/* The cap on idling in all scales with the timeout (tests use short ones). */
	s->idle_total_s = s->idle_s * (CONTROL_IDLE_TOTAL_S / CONTROL_IDLE_S);
	s->handler = handler;
	s->handler_arg = handler_arg;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (plen == 0 || plen >= sizeof(addr.sun_path) || plen >= sizeof(s->path)) {
		snprintf(err, err_len, "control socket %s: the path must have 1 to %zu characters", path,
			 sizeof(addr.sun_path) - 1);
		return -1;
	}
	memcpy(addr.sun_path, path, plen + 1);
	memcpy(s->path, path, plen + 1);

	if (make_socket_dir(path, err, err_len) < 0 || clear_stale(path, &addr, err, err_len) < 0)
		return -1;

	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0) {
		snprintf(err, err_len, "control socket %s: socket: %s", path, strerror(errno));
		return -1;
	}
	/* bind() creates the file with the umask applied: make it 0660 from the start. */
	mode_t old_mask = umask(0117);
	int rc = bind(s->listen_fd, (const struct sockaddr *)&addr, sizeof(addr));
	int e = errno;

	umask(old_mask);
	if (rc < 0) {
		snprintf(err, err_len, "control socket %s: bind: %s", path, strerror(e));
		goto fail;
	}
	s->created = true;
	if (lstat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	/* Whatever the umask was (UMask=0077 in the service), the group may connect. */
	if (chmod(path, 0660) < 0) {
		snprintf(err, err_len, "control socket %s: chmod 0660: %s", path, strerror(errno));
		goto fail;
	}
	if (listen(s->listen_fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, err_len, "control socket %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	if (loop_add_fd(loop, s->listen_fd, EPOLLIN, on_listen, s) < 0) {
		snprintf(err, err_len, "control socket %s: epoll: %s", path, strerror(errno));
		goto fail;
	}
	s->timer_fd = timer_create_fd();
	if (s->timer_fd < 0) {
		snprintf(err, err_len, "control socket %s: timerfd: %s", path, strerror(errno));
		goto fail;
	}
	/* Check for idle clients four times per timeout, at most once a second. */
	double check_s = s->idle_s / 4.0;

	if (check_s > 1.0)
		check_s = 1.0;
	if (check_s < 0.01)
		check_s = 0.01;
	if (timer_arm(s->timer_fd, check_s, check_s) < 0 ||
	    loop_add_fd(loop, s->timer_fd, EPOLLIN, on_timer, s) < 0) {
		snprintf(err, err_len, "control socket %s: idle timer: %s", path, strerror(errno));
		goto fail;
	}
	log_info("control socket: listening on %s", path);
	return 0;
fail:
	control_close(s);
	return -1;
}

void control_close(struct control_server *s)
{
	struct stat st;

	if (!s->loop)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (s->client[i].server == s && s->client[i].fd >= 0)
			client_drop(&s->client[i]);
	if (s->timer_fd >= 0) {
		loop_remove_fd(s->loop, s->timer_fd);
		close(s->timer_fd);
		s->timer_fd = -1;
	}
	if (s->listen_fd >= 0) {
		loop_remove_fd(s->loop, s->listen_fd);
		close(s->listen_fd);
		s->listen_fd = -1;
	}
	/* Remove the file only if it is still ours (not one a newer daemon made). */
	if (s->created && lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino) {
		if (unlink(s->path) < 0)
			log_warning("control socket: removing %s: %s", s->path, strerror(errno));
	}
	s->created = false;
}

int control_n_clients(const struct control_server *s)
{
	int n = 0;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (s->client[i].server == s && s->client[i].fd >= 0)
			n++;
	return n;
}
