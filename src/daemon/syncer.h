/* SPDX-License-Identifier: MIT */
/*
 * Durable writes off the loop. fdatasync(2) and fsync(2) wait for the
 * storage: milliseconds on this machine, hundreds of milliseconds or
 * more on a Raspberry Pi's SD card that is busy wear-levelling. The loop
 * drives PWM edges and must not wait there. So one thread does what a
 * running session would otherwise wait for, and nothing else:
 *
 *  - the session CSV's periodic fdatasync (records.c): the loop writes the
 *    row with write(2) (the page cache: no wait) and asks; the thread
 *    syncs a dup(2) of the file, so the loop may close its own at once;
 *  - the dose ledger's saves while a session runs (guard.c), from a copy
 *    the loop hands over (state_save_ledger_in: temp file, fsync, rename,
 *    fsync of the directory, the thread's own buffer).
 *
 * What stays on the loop, waiting: the saves that must be on disk before
 * something happens (the ledger's entry before a session's outputs go on;
 * the latch after a fault has turned them off; a session's last rows and
 * its summary when it has ended). Before those the loop calls
 * syncer_drain(), so an older ledger from the thread never lands after a
 * newer one from the loop.
 *
 * The loop never waits for the thread while a session runs: its asks
 * take the lock with trylock and, when the thread holds it, return false
 * and are asked again at the next tick (the thread holds it only to
 * take a job or to leave a result, never across I/O). A job asked while
 * the same kind is still queued replaces it (the newer ledger) or is
 * already covered (one fdatasync covers every write before it).
 *
 * Errors come back to the loop (syncer_take_result), which logs them:
 * the thread writes no log. It blocks every signal, runs at normal
 * priority (storage I/O, never ahead of the loop) and allocates nothing
 * after syncer_start. With s == NULL or not started, the asks do the
 * work on the spot (the unit tests and the one-shot tools).
 */
#ifndef CONTRASTD_SYNCER_H
#define CONTRASTD_SYNCER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"
#include "core/dose.h"
#include "state.h"

#define SYNCER_WHY_MAX  512

struct syncer {
	pthread_t thread;
	bool running;                   /* the thread exists */
	pthread_mutex_t lock;
	pthread_cond_t wake;            /* a job, or quit */
	pthread_cond_t idle;            /* nothing queued, nothing in hand */
	/* Under lock: */
	bool quit;
	bool busy;                      /* the thread is doing a job */
	int csv_fd;                     /* a dup to fdatasync, -1 none queued */
	bool ledger_queued;
	char ledger_dir[PATH_LEN];
	struct dose_ledger ledger;      /* the copy queued */
	int csv_errno;                  /* the last fdatasync that failed, 0 none */
	bool ledger_failed;
	char ledger_why[SYNCER_WHY_MAX];
	/* The thread's own (outside the lock): */
	struct dose_ledger work_ledger;
	char work_dir[PATH_LEN];
	char work_buf[STATE_FILE_MAX];
};

/* Start the thread (before READY=1: it allocates its stack). 0, or -1 with a message. */
int syncer_start(struct syncer *s, char *err, size_t err_len);

/* Finish what is queued, then end the thread. Safe on one never started. */
void syncer_stop(struct syncer *s);

/*
 * Ask for fd's data to reach the storage. True when asked (or done, with
 * no thread: then *failed_errno, when not NULL, says how it went, 0 well);
 * false when the thread held the lock: ask again later.
 */
bool syncer_datasync(struct syncer *s, int fd, int *failed_errno);

/*
 * Ask for the ledger to be saved in dir (a copy is taken). True when
 * asked; false when the thread held the lock. With no thread: saved now,
 * and a failure's reason in why (true is still returned; *saved says).
 */
bool syncer_save_ledger(struct syncer *s, const char *dir, const struct dose_ledger *l, bool *saved,
			char *why, size_t why_len);

/* Wait until nothing is queued or in hand (the loop, before a save that must come after). */
void syncer_drain(struct syncer *s);

/*
 * What failed since the last call, for the loop to log: *csv_errno (0:
 * nothing) and whether a ledger save failed, with its reason in why.
 * Returns false (and nothing) when the thread held the lock.
 */
bool syncer_take_result(struct syncer *s, int *csv_errno, bool *ledger_failed, char *why, size_t why_len);

#endif
