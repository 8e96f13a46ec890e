/* SPDX-License-Identifier: MIT */
/*
 * Lockout: the same fault kind in the same zone lockout_after times in a
 * rolling 24 hours locks the device. A locked device starts no session,
 * and acknowledging no longer clears its fault; only `contrastd
 * --clear-lockout`, run by root on the device, does (docs/safety.md).
 *
 * The history is kept by the shell in state_dir (src/daemon/state.c);
 * times are calendar seconds, passed in. A history that cannot be read
 * counts as locked.
 *
 * Pure: no I/O, no clock, no allocation.
 */
#ifndef CONTRASTD_LOCKOUT_H
#define CONTRASTD_LOCKOUT_H

#include <stdbool.h>
#include "limits.h"
#include "safety.h"

#define LOCKOUT_HISTORY_MAX 32

/* One fault, as the lockout counts it. */
struct lockout_event {
	double t_s;                     /* calendar s it tripped */
	enum fault_kind kind;
	char zone[NAME_LEN];            /* "" when the fault is not one zone's */
};

struct lockout {
	bool unreadable;                /* the file could not be read: counts as locked */
	int n;
	struct lockout_event ev[LOCKOUT_HISTORY_MAX];   /* the faults of the last 24 h, oldest first */
	bool locked;
	struct lockout_event cause;     /* the fault that locked it (locked) */
	int count;                      /* ... and how many times it came in 24 h */
	bool full;                      /* locked because more faults came in 24 h than the history holds */
	double cleared_s;               /* the last --clear-lockout, calendar s; 0: never */
	char cleared_by[64];            /* ... by whom ("root (uid 0) via sudo from alice") */
};

/* Nothing recorded, not locked. */
void lockout_init(struct lockout *lo);

/*
 * A fault of kind in zone ("" for none) tripped at now_s. Forgets faults
 * older than 24 h, records this one, and locks when it is the
 * lockout_after'th of its kind and zone in 24 h (lockout_after is taken
 * within 1 .. HARD_MAX_LOCKOUT_AFTER). Returns true when this locked it.
 */
bool lockout_record(struct lockout *lo, int lockout_after, enum fault_kind kind, const char *zone,
		    double now_s);

/* Locked (or unreadable, which counts as locked). */
bool lockout_locked(const struct lockout *lo);

/* How many faults of kind in zone the history holds from the 24 h before now_s. */
int lockout_count(const struct lockout *lo, enum fault_kind kind, const char *zone, double now_s);

/* --clear-lockout: unlocked, the history forgotten, who and when kept. */
void lockout_clear(struct lockout *lo, double now_s, const char *who);

#endif
