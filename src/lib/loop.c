/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "lib/loop.h"

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return l->epoll_fd < 0 ? -1 : 0;
}

void loop_finalise(struct loop *l)
{
	if (l->epoll_fd >= 0)
		close(l->epoll_fd);
	l->epoll_fd = -1;
	l->n_fds = 0;
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_handler handler, void *arg)
{
	if (l->n_fds >= LOOP_MAX_FDS) {
		errno = ENOSPC;
		return -1;
	}
	struct loop_fd *slot = &l->fds[l->n_fds];
	struct epoll_event ev = { .events = events, .data.fd = fd };

	slot->fd = fd;
	slot->handler = handler;
	slot->arg = arg;
	if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	l->n_fds++;
	return 0;
}

int loop_remove_fd(struct loop *l, int fd)
{
	for (int i = 0; i < l->n_fds; i++) {
		if (l->fds[i].fd != fd)
			continue;
		epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		l->fds[i] = l->fds[--l->n_fds];
		return 0;
	}
	errno = ENOENT;
	return -1;
}

void loop_set_busy(struct loop *l, loop_busy_handler busy, void *arg)
{
	l->busy = busy;
	l->busy_arg = arg;
}

void loop_quit(struct loop *l, int exit_code)
{
	l->quit = true;
	l->exit_code = exit_code;
}

static struct loop_fd *find(struct loop *l, int fd)
{
	for (int i = 0; i < l->n_fds; i++)
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int loop_run(struct loop *l)
{
	struct epoll_event events[16];

	while (!l->quit) {
		int n = epoll_wait(l->epoll_fd, events, 16, l->busy ? 0 : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !l->quit; i++) {
			/* A handler may have removed this fd in this very turn. */
			struct loop_fd *h = find(l, events[i].data.fd);

			if (h)
				h->handler(h->fd, events[i].events, h->arg);
		}
		if (!l->quit && l->busy)
			l->busy(l->busy_arg);
	}
	return l->exit_code;
}

int timer_create_fd(void)
{
	return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

static struct timespec to_timespec(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)floor(s);
	ts.tv_nsec = (long)((s - floor(s)) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int timer_arm(int fd, double first_s, double interval_s)
{
	struct itimerspec its = {
		.it_value = to_timespec(first_s),
		.it_interval = to_timespec(interval_s),
	};

	/* A zero it_value disarms: make "now" a nanosecond instead. */
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(fd, 0, &its, NULL);
}

uint64_t timer_read(int fd)
{
	uint64_t expirations = 0;

	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return 0;
	return expirations;
}

double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
