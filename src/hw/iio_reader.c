/* SPDX-License-Identifier: MIT */
/* The sensor reader thread. See iio_reader.h. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "lib/loop.h"
#include "iio_reader.h"

/* The middle buffer holds a pass the loop has not taken. */
#define PASS_FRESH 4u
#define PASS_INDEX 3u

static void signal_fd(int fd)
{
	uint64_t one = 1;
	/* Cannot fail: the counter would need 2^64 - 2 signals nobody read. */
	ssize_t written = write(fd, &one, sizeof(one));

	(void)written;
}

/*
 * One step below the loop: a real-time loop ([daemon] realtime = yes
 * makes only the loop's thread SCHED_FIFO, after this thread began) gets
 * a real-time reader one priority below it, so other work on a busy
 * machine cannot starve the reads while the loop still preempts them; a
 * normal loop, a normal reader. Checked before every pass (two system
 * calls, every control period).
 */
static void follow_loop_priority(const struct iio_reader *r)
{
	struct sched_param want, now;
	int want_policy, now_policy;

	if (pthread_getschedparam(r->loop_thread, &want_policy, &want) != 0)
		return;
	if (want_policy == SCHED_FIFO || want_policy == SCHED_RR) {
		if (want.sched_priority > sched_get_priority_min(want_policy))
			want.sched_priority--;
	} else {
		want_policy = SCHED_OTHER;
		want.sched_priority = 0;
	}
	if (pthread_getschedparam(pthread_self(), &now_policy, &now) == 0 && now_policy == want_policy &&
	    now.sched_priority == want.sched_priority)
		return;
	pthread_setschedparam(pthread_self(), want_policy, &want);
}

static void *reader_main(void *arg)
{
	struct iio_reader *r = arg;

	for (;;) {
		uint64_t count;

		/* Blocks until asked; several asks since the last pass are one count. */
		if (read(r->ask_fd, &count, sizeof(count)) < 0 && errno == EINTR)
			continue;
		if (atomic_load(&r->quit))
			break;
		uint64_t seq = atomic_load(&r->asked);
		struct iio_pass *p = &r->pass[r->back];

		follow_loop_priority(r);
		p->seq = seq;
		p->started_s = monotonic_s();
		p->n = r->set->n;
		iio_sensors_sample_all(r->set, p->result);
		p->finished_s = monotonic_s();
		/* Publish: the filled buffer becomes the middle, the old middle our next back. */
		r->back = atomic_exchange(&r->middle, r->back | PASS_FRESH) & PASS_INDEX;
		atomic_store(&r->done, seq);
		signal_fd(r->done_fd);
	}
	return NULL;
}

int iio_reader_start(struct iio_reader *r, const struct iio_sensors *set, char *err, size_t err_len)
{
	sigset_t all, old;
	int e;

	memset(r, 0, sizeof(*r));
	r->set = set;
	r->loop_thread = pthread_self();
	atomic_init(&r->asked, 0);
	atomic_init(&r->done, 0);
	atomic_init(&r->quit, false);
	atomic_init(&r->middle, 1);
	r->front = 0;
	r->back = 2;
	r->ask_fd = eventfd(0, EFD_CLOEXEC);
	r->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->ask_fd < 0 || r->done_fd < 0) {
		snprintf(err, err_len, "sensor reader: eventfd: %s", strerror(errno));
		goto fail;
	}
	/* The thread inherits this mask: every signal goes to the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		snprintf(err, err_len, "sensor reader: cannot start its thread: %s", strerror(e));
		goto fail;
	}
	r->running = true;
	return 0;

fail:
	if (r->ask_fd >= 0)
		close(r->ask_fd);
	if (r->done_fd >= 0)
		close(r->done_fd);
	r->ask_fd = r->done_fd = -1;
	return -1;
}

uint64_t iio_reader_ask(struct iio_reader *r)
{
	uint64_t seq = atomic_load(&r->asked) + 1;     /* only the loop asks */

	atomic_store(&r->asked, seq);
	signal_fd(r->ask_fd);
	return seq;
}

bool iio_reader_take(struct iio_reader *r, struct iio_pass *out)
{
	if (!(atomic_load(&r->middle) & PASS_FRESH))
		return false;
	r->front = atomic_exchange(&r->middle, r->front) & PASS_INDEX;
	*out = r->pass[r->front];
	return true;
}

int iio_reader_fd(const struct iio_reader *r)
{
	return r->done_fd;
}

void iio_reader_clear_fd(struct iio_reader *r)
{
	uint64_t count;
	/* Non-blocking: EAGAIN when it was cleared already, which is as good. */
	ssize_t got = read(r->done_fd, &count, sizeof(count));

	(void)got;
}

bool iio_reader_wait_idle(struct iio_reader *r, double timeout_s)
{
	double until_s = monotonic_s() + timeout_s;
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };

	while (atomic_load(&r->done) != atomic_load(&r->asked)) {
		if (!r->running || monotonic_s() >= until_s)
			return false;
		nanosleep(&ms, NULL);
	}
	return true;
}

void iio_reader_stop(struct iio_reader *r)
{
	if (!r->running)
		return;
	atomic_store(&r->quit, true);
	signal_fd(r->ask_fd);
	pthread_join(r->thread, NULL);
	r->running = false;
	close(r->ask_fd);
	close(r->done_fd);
	r->ask_fd = r->done_fd = -1;
}
