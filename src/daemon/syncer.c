// SPDX-License-Identifier: MIT
/* Durable writes off the loop: see syncer.h. */
#include "syncer.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool started(const struct syncer *s)
{
	return s && s->running;
}

static bool queued(const struct syncer *s)
{
	return s->csv_fd >= 0 || s->ledger_queued;
}

static void *syncer_main(void *arg)
{
	struct syncer *s = arg;
	sigset_t all;
	struct sched_param normal = { .sched_priority = 0 };

	/* Signals are the loop's (signalfd); storage I/O never runs ahead of the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->quit && !queued(s))
			pthread_cond_wait(&s->wake, &s->lock);
		if (!queued(s))
			break;  /* quit, and nothing left to do */
		int fd = s->csv_fd;
		bool ledger = s->ledger_queued;

		s->csv_fd = -1;
		s->ledger_queued = false;
		if (ledger) {
			s->work_ledger = s->ledger;
			memcpy(s->work_dir, s->ledger_dir, sizeof(s->work_dir));
		}
		s->busy = true;
		pthread_mutex_unlock(&s->lock);

		int csv_errno = 0;
		char why[SYNCER_WHY_MAX] = "";
		bool ledger_failed = false;

		if (fd >= 0) {
			if (fdatasync(fd) < 0)
				csv_errno = errno;
			close(fd);
		}
		if (ledger)
			ledger_failed = state_save_ledger_in(s->work_dir, &s->work_ledger, s->work_buf,
							     sizeof(s->work_buf), why, sizeof(why)) < 0;

		pthread_mutex_lock(&s->lock);
		if (csv_errno)
			s->csv_errno = csv_errno;
		if (ledger_failed) {
			s->ledger_failed = true;
			memcpy(s->ledger_why, why, sizeof(s->ledger_why));
		}
		s->busy = false;
		if (!queued(s))
			pthread_cond_broadcast(&s->idle);
	}
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int syncer_start(struct syncer *s, char *err, size_t err_len)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->csv_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->idle, NULL);
	rc = pthread_create(&s->thread, NULL, syncer_main, s);
	if (rc != 0) {
		snprintf(err, err_len, "cannot start the thread that syncs the records to disk: %s", strerror(rc));
		return -1;
	}
	s->running = true;
	return 0;
}

void syncer_stop(struct syncer *s)
{
	if (!started(s))
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
}

bool syncer_datasync(struct syncer *s, int fd, int *failed_errno)
{
	if (failed_errno)
		*failed_errno = 0;
	if (!started(s)) {
		if (fdatasync(fd) < 0 && failed_errno)
			*failed_errno = errno;
		return true;
	}
	if (pthread_mutex_trylock(&s->lock) != 0)
		return false;
	/* One queued already covers every write made before it is taken. */
	if (s->csv_fd < 0) {
		s->csv_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (s->csv_fd < 0 && failed_errno)
			*failed_errno = errno;
		else
			pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	return true;
}

bool syncer_save_ledger(struct syncer *s, const char *dir, const struct dose_ledger *l, bool *saved,
			char *why, size_t why_len)
{
	if (!started(s)) {
		*saved = state_save_ledger(dir, l, why, why_len) == 0;
		return true;
	}
	if (pthread_mutex_trylock(&s->lock) != 0)
		return false;
	/* A newer ledger replaces one not yet taken. */
	s->ledger = *l;
	snprintf(s->ledger_dir, sizeof(s->ledger_dir), "%s", dir);
	s->ledger_queued = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	*saved = true;
	return true;
}

void syncer_drain(struct syncer *s)
{
	if (!started(s))
		return;
	pthread_mutex_lock(&s->lock);
	while (queued(s) || s->busy)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

bool syncer_take_result(struct syncer *s, int *csv_errno, bool *ledger_failed, char *why, size_t why_len)
{
	*csv_errno = 0;
	*ledger_failed = false;
	if (!started(s))
		return true;
	if (pthread_mutex_trylock(&s->lock) != 0)
		return false;
	*csv_errno = s->csv_errno;
	*ledger_failed = s->ledger_failed;
	if (s->ledger_failed)
		snprintf(why, why_len, "%s", s->ledger_why);
	s->csv_errno = 0;
	s->ledger_failed = false;
	pthread_mutex_unlock(&s->lock);
	return true;
}
