/* SPDX-License-Identifier: MIT */
/*
 * The event loop: one thread, epoll over file descriptors (timerfds,
 * signalfd, the button's line-event fd, sockets). Nothing else waits.
 *
 * A handler runs to completion; none may block. An optional busy
 * callback runs after every turn with a zero wait: the simulator uses it
 * to run virtual time as fast as the machine can while still answering
 * signals and sockets.
 */
#ifndef CONTRASTD_LOOP_H
#define CONTRASTD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_MAX_FDS 64

typedef void (*loop_fd_handler)(int fd, uint32_t events, void *arg);
typedef void (*loop_busy_handler)(void *arg);

struct loop_fd {
	int fd;
	loop_fd_handler handler;
	void *arg;
};

struct loop {
	int epoll_fd;
	struct loop_fd fds[LOOP_MAX_FDS];
	int n_fds;
	loop_busy_handler busy;
	void *busy_arg;
	bool quit;
	int exit_code;
};

int loop_init(struct loop *l);
void loop_finalise(struct loop *l);

/* Watch fd for events (EPOLLIN ...). Returns 0 or -1 with errno. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_handler handler, void *arg);
int loop_remove_fd(struct loop *l, int fd);

/* Set (or clear, with NULL) the busy callback. */
void loop_set_busy(struct loop *l, loop_busy_handler busy, void *arg);

/* Make loop_run return exit_code after the current turn. */
void loop_quit(struct loop *l, int exit_code);

/* Run until loop_quit. Returns its exit code, or -1 when epoll fails. */
int loop_run(struct loop *l);

/* A CLOCK_MONOTONIC timerfd: periodic (interval_s > 0) or one-shot (interval_s = 0). */
int timer_create_fd(void);
int timer_arm(int fd, double first_s, double interval_s);
/* Read the expiration count (0 when it was a spurious wake-up). */
uint64_t timer_read(int fd);

/* CLOCK_MONOTONIC in seconds. */
double monotonic_s(void);

#endif
