/* SPDX-License-Identifier: MIT */
/*
 * Dose budgets: how much heat and cold a pad gives the skin under it, per
 * session and per rolling 24 hours, and how many sessions a day.
 *
 *  - Heat: CEM43, cumulative equivalent minutes at 43 C (Sapareto and
 *    Dewey 1984): a minute at T counts R^(43 - T) minutes, R = 0.5 at or
 *    above 43 C and 0.25 below. The daily ceiling of 9 CEM43 minutes is
 *    van Rhoon et al. 2013's for local tissue.
 *  - Cold: minutes at or below cold_c, against non-freezing cold injury.
 *
 * Every dose is counted from the pad reading taken conservatively: the
 * reading plus SAFETY_SENSOR_ERROR_C (safety.h: the envelope's sensor
 * error) for heat, minus it for cold.
 *
 * The ledger is the list of sessions of the last 24 hours with the dose
 * each gave each zone; the shell keeps it in state_dir (src/daemon/state.c).
 * A session's dose counts for 24 hours from its end; a session that is
 * still open (running, or cut off by a crash) counts at least its planned
 * dose, from the latest it can end. Times are calendar seconds (the wall
 * clock, or the simulated one), passed in.
 *
 * Pure: no I/O, no clock, no allocation.
 */
#ifndef CONTRASTD_DOSE_H
#define CONTRASTD_DOSE_H

#include <stdbool.h>
#include <stddef.h>
#include "limits.h"
#include "program.h"

/* [safety] keys; their defaults, ranges and ceilings are the schema's rows. */
struct dose_params {
	double heat_dose_min;           /* CEM43 minutes per session */
	double heat_dose_day_min;       /* CEM43 minutes per rolling 24 h */
	double cold_c;                  /* the cold threshold */
	double cold_min;                /* minutes at or below cold_c per session */
	double cold_day_min;            /* ... per rolling 24 h */
	int sessions_per_day;           /* sessions started per rolling 24 h */
};

/* A dose to one zone's skin. */
struct dose_amount {
	double heat_min;                /* CEM43 minutes */
	double cold_min;                /* minutes at or below cold_c */
};

/* CEM43 minutes that dt_s at temp_c give (0 for a temperature that is not a number). */
double dose_cem43_min(double temp_c, double dt_s);

/* Minutes at or below cold_c in dt_s at temp_c. */
double dose_cold_min(double temp_c, double cold_c, double dt_s);

/*
 * The most a session of program p can give a zone: every phase at its
 * setpoint plus (heat) or minus (cold) band_c and SAFETY_SENSOR_ERROR_C, for
 * its worst-case length (the settled clock's wait for the band included).
 * Every zone runs the same program, so it is the same for every zone.
 */
struct dose_amount dose_planned(const struct program *p, double cold_c);

#define DOSE_LEDGER_MAX 32

/* One session in the ledger. */
struct dose_entry {
	double t_s;                     /* calendar s its dose counts from (see above) */
	bool open;                      /* still running, or never closed (a crash) */
	int n_zones;
	char zone[MAX_ZONES][NAME_LEN];
	struct dose_amount dose[MAX_ZONES];
};

struct dose_ledger {
	bool unreadable;                /* the file could not be read: everything counts as used up */
	int n;
	struct dose_entry e[DOSE_LEDGER_MAX];
};

/* What is left for one zone at now_s. */
struct dose_left {
	double heat_min, cold_min;      /* left of the day budgets, >= 0 */
	double heat_used_min, cold_used_min;    /* counted in the last 24 h */
	double heat_until_s;            /* calendar s when some of it comes back; NAN: none used */
	double cold_until_s;
	int sessions;                   /* sessions left today, >= 0 */
	double sessions_until_s;        /* when one more becomes possible; NAN: none used */
};

/* Does entry e still count at now_s? (in the last 24 hours, or in the future) */
bool dose_entry_counts(const struct dose_entry *e, double now_s);

/* Drop the entries that no longer count. */
void dose_ledger_prune(struct dose_ledger *l, double now_s);

/* What is left for the zone named zone (an unreadable ledger: nothing). */
void dose_left_for(const struct dose_ledger *l, const struct dose_params *p, const char *zone,
		   double now_s, struct dose_left *out);

enum dose_refusal {
	DOSE_OK,
	DOSE_UNREADABLE,                /* the ledger cannot be read */
	DOSE_FULL,                      /* no room in the ledger (more sessions than can be) */
	DOSE_SESSIONS,                  /* sessions_per_day used up */
	DOSE_HEAT_SESSION,              /* the program needs more than heat_dose_min */
	DOSE_HEAT_DAY,                  /* ... than what is left of heat_dose_day_min */
	DOSE_COLD_SESSION,
	DOSE_COLD_DAY,
};

/* Why a start is refused, for the shell to word (it formats the time). */
struct dose_verdict {
	enum dose_refusal refusal;
	int zone;                       /* the zone, -1 when not one zone's */
	double left, of, needs;         /* minutes (or sessions) left, the budget, the program's need */
	double until_s;                 /* calendar s when more is left; NAN: not before the budget changes */
};

/*
 * May a session whose planned dose per zone is planned start at now_s?
 * Returns 0 and the allowance per zone (what the session may give each,
 * the least of the session budget and what is left today), or -1 with
 * the reason in v. The zones are names[0 .. n_zones - 1].
 */
int dose_start_check(const struct dose_ledger *l, const struct dose_params *p,
		     const char *const names[], int n_zones, struct dose_amount planned, double now_s,
		     struct dose_amount allowance[MAX_ZONES], struct dose_verdict *v);

/*
 * A session starts at now_s and may run until latest_end_s: the entries
 * that no longer count go, and an open entry holding its planned dose for
 * every zone comes in. Returns its index, or -1 when the ledger is full
 * (dose_start_check refuses that first).
 */
int dose_ledger_open(struct dose_ledger *l, double now_s, double latest_end_s, const char *const names[],
		     int n_zones, struct dose_amount planned);

/*
 * The open entry i now holds at least used (per zone). Returns true when
 * that raised it (the shell then writes the ledger).
 */
bool dose_ledger_raise(struct dose_ledger *l, int i, const struct dose_amount used[]);

/* The session of entry i ended at now_s having given used: closed, counting from now. */
void dose_ledger_close(struct dose_ledger *l, int i, double now_s, const struct dose_amount used[]);

#endif
