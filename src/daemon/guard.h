/* SPDX-License-Identifier: MIT */
/*
 * The guards that outlive the process: the dose ledger, the latched
 * fault, the lockout and the pad sensors' calibration (state.h keeps them
 * in state_dir). The daemon calls these at a few points of its loop; the
 * decisions are the core's (dose.h, lockout.h, calibration.h, safety.h),
 * what is here is when they are loaded, written and told to a person.
 *
 *  - init: everything loaded; a latched fault comes back latched (an
 *    unreadable latch as latch-unreadable), the calibration is applied.
 *  - start: refused while locked out, while the calibration cannot be
 *    read, when the ledger cannot be read or the program's planned dose
 *    does not fit what is left ("left pad: 1.2 of 9.0 min heat dose left
 *    until 03:10; this program needs 2.0"); else the controller starts
 *    with the allowance and the session goes into the ledger (written
 *    before the start is reported; a ledger that cannot be written stops
 *    the session at once).
 *  - every tick: the ledger's open entry follows a dose beyond the plan.
 *  - session end: its entry closed with the dose given.
 *  - trip (outputs already off): the latch written, the fault counted for
 *    the lockout.
 *  - ack: refused while locked out; the latch file goes when it succeeds.
 *
 * Times: now_s is controller time, cal_s the calendar (hw_clock's
 * calendar_s). Failures are logged; none stops the loop.
 */
#ifndef CONTRASTD_GUARD_H
#define CONTRASTD_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"
#include "core/controller.h"
#include "lib/json_out.h"
#include "state.h"
#include "syncer.h"

/* A calibration point is the mean of the sensor over the last this long ... */
#define GUARD_CAL_AVERAGE_S     3.0
/* ... which must not have moved more than this (the pad has settled in the bath). */
#define GUARD_CAL_STEADY_C      0.3
/* Readings kept per pad sensor for it: 3 s at the fastest control_hz (100). */
#define GUARD_CAL_RING          300
/* While a session gives more than planned, its ledger entry is rewritten at most this often (real s). */
#define GUARD_LEDGER_EVERY_S    10.0

struct guard {
	const struct config *cfg;
	char dir[PATH_LEN];             /* state_dir, as at start (a reload does not move the state) */
	struct dose_ledger ledger;
	char ledger_why[512];           /* why it cannot be read, "" when it can */
	int entry;                      /* the running session's ledger entry, -1 */
	double entry_written_mono_s;
	bool entry_unsaved;             /* the entry rose since it was last handed to be saved */
	struct syncer *syncer;          /* saves while a session runs (syncer.h); NULL: on the spot */
	struct lockout lockout;
	char lockout_why[512];
	long long lockout_stamp;        /* the file's inode and mtime, to see --clear-lockout */
	double lockout_checked_mono_s;  /* when guard_tick last looked at the file */
	struct state_calibration cal;
	char cal_why[512];              /* unreadable, or made for another [thermistor] */
	bool cal_other_thermistor;      /* the file is for other [thermistor] settings: not applied */
	/* Each pad sensor's uncorrected readings of the last ticks without a gap, newest at cal_head. */
	double cal_ring[MAX_ZONES][2][GUARD_CAL_RING];
	int cal_head[MAX_ZONES][2];
	int cal_count[MAX_ZONES][2];
	double last_tick_s;             /* controller time of the last guard_tick (NaN before) */
};

/* Load everything from cfg's state_dir and give the controller what it must know. */
void guard_init(struct guard *g, const struct config *cfg, struct controller *c);

/* A reloaded config (state_dir stays where it was until a restart). */
void guard_reconfigure(struct guard *g, const struct config *cfg);

/*
 * Start program (NULL: the default) at now_s. Returns 0, or -1 with the
 * reason in why. Call only where the outputs can be driven off at once
 * (the daemon's tick or a command between ticks).
 */
int guard_start(struct guard *g, struct controller *c, const char *program, double now_s, double cal_s,
		char *why, size_t why_len);

/* After every controller_tick. */
void guard_tick(struct guard *g, const struct controller *c, double now_s, double cal_s, double mono_s);

/* The session ended (completed, stopped, fault). */
void guard_session_ended(struct guard *g, const struct controller *c, double cal_s);

/* A fault tripped this tick and every output is off: latch and lockout to state_dir. */
void guard_tripped(struct guard *g, const struct controller *c, double cal_s);

/* A person acknowledges. Returns 0, or -1 with the reason. */
int guard_ack(struct guard *g, struct controller *c, double now_s, char *why, size_t why_len);

/*
 * `calibrate ZONE REFERENCE_C`: record a point for each pad sensor of the
 * zone. Returns 0 with what came of it in msg (one line), or -1 with why.
 */
int guard_calibrate(struct guard *g, struct controller *c, const char *zone, double reference_c,
		    char *msg, size_t msg_len);

/* Locked out now (the file is read again when --clear-lockout has changed it). */
bool guard_locked(struct guard *g);

/* The status JSON's keys of the guards (top level), and of zone z. */
void guard_status_json(struct guard *g, const struct controller *c, double cal_s, struct json_out *j);
void guard_zone_json(struct guard *g, const struct controller *c, int z, double cal_s, struct json_out *j);

/*
 * contrastd --clear-lockout: unlock, forget the fault history, keep who
 * and when. Returns 0, or -1 with why. Run by main as root, not by the
 * daemon.
 */
int guard_clear_lockout(const char *dir, const char *who, double cal_s, char *why, size_t why_len);

#endif
