/* SPDX-License-Identifier: MIT */
/*
 * What the device must remember across restarts, crashes and power cuts,
 * in state_dir (docs/safety.md, "What survives a restart"):
 *
 *   state_dir/dose-ledger    the sessions of the last 24 h and the dose each
 *                            gave each zone (core/dose.h)
 *   state_dir/latch          the latched fault, while one is latched
 *   state_dir/lockout        the faults of the last 24 h and the lockout
 *                            (core/lockout.h)
 *   state_dir/calibration    each pad sensor's calibration (core/calibration.h)
 *
 * Each is a short text file: a first line naming it and its version, one
 * line per record, and a last line "end CRC" with the CRC-32 of all that
 * comes before it. A file is replaced whole: written to a temporary file
 * in state_dir, fsync'd, renamed over the old one, and the directory
 * fsync'd, so a power cut leaves the old file or the new one, never a mix.
 * Files are opened with O_NOFOLLOW and must be regular files.
 *
 * A file that is missing is the empty state (no dose used, no fault, no
 * lockout, no calibration). One that is there but cannot be read (an I/O
 * error, a symlink, a bad CRC, a line that does not parse) is never taken
 * as empty: the ledger counts as used up, the latch as latched, the
 * lockout as locked, the calibration as unknown; and the message says so.
 *
 * The functions return 0, or -1 with a message naming the path and the
 * reason. Nothing here allocates.
 */
#ifndef CONTRASTD_STATE_H
#define CONTRASTD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/calibration.h"
#include "core/dose.h"
#include "core/lockout.h"
#include "core/safety.h"
#include "core/thermistor.h"

#define STATE_LEDGER            "dose-ledger"
#define STATE_LATCH             "latch"
#define STATE_LOCKOUT           "lockout"
#define STATE_CALIBRATION       "calibration"

/* Every pad sensor's calibration, by zone name (which: 0 pad, 1 pad2). */
#define STATE_CAL_MAX (2 * MAX_ZONES)
#define STATE_FILE_MAX          16384   /* the largest state file (a full ledger is about 8 KiB) */

struct state_cal_entry {
	char zone[NAME_LEN];
	int which;
	struct cal_sensor cal;
};

struct state_calibration {
	bool unreadable;                /* the file is there and cannot be read */
	char thermistor[160];           /* the [thermistor] it was made with (state_thermistor_id) */
	int n;
	struct state_cal_entry e[STATE_CAL_MAX];
};

/* The [thermistor] settings as one word, to tell whether a calibration was made with them. */
void state_thermistor_id(const struct thermistor_params *t, char *buf, size_t len);

/* The entry of zone's sensor which, or NULL; state_cal_slot makes one when missing (NULL: full). */
struct state_cal_entry *state_cal_find(struct state_calibration *c, const char *zone, int which);
struct state_cal_entry *state_cal_slot(struct state_calibration *c, const char *zone, int which);

/*
 * Load: 0 (the file read, or missing: empty), or -1 with why (l->unreadable
 * and the like are set: the caller treats it as used up, latched, locked).
 */
int state_load_ledger(const char *dir, struct dose_ledger *l, char *why, size_t why_len);
int state_save_ledger(const char *dir, const struct dose_ledger *l, char *why, size_t why_len);
/* The same in a buffer of the caller's (STATE_FILE_MAX bytes): for another thread (syncer.h). */
int state_save_ledger_in(const char *dir, const struct dose_ledger *l, char *buf, size_t cap, char *why,
			 size_t why_len);

/*
 * The latched fault. names are the configured zones (a fault in a zone
 * that is no longer configured comes back with zone -1). *present is
 * false when there is no latch file. An unreadable file: -1, *present
 * true, f a latch-unreadable fault.
 */
int state_load_latch(const char *dir, const char *const names[], int n_zones, struct fault *f, bool *present,
		     char *why, size_t why_len);
int state_save_latch(const char *dir, const struct fault *f, const char *const names[], int n_zones,
		     double wall_s, char *why, size_t why_len);
/* Acknowledged: the latch file goes (and the directory is synced). Missing already is fine. */
int state_clear_latch(const char *dir, char *why, size_t why_len);

int state_load_lockout(const char *dir, struct lockout *lo, char *why, size_t why_len);
int state_save_lockout(const char *dir, const struct lockout *lo, char *why, size_t why_len);

int state_load_calibration(const char *dir, struct state_calibration *c, char *why, size_t why_len);
int state_save_calibration(const char *dir, const struct state_calibration *c, char *why, size_t why_len);

#endif
