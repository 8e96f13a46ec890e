/* SPDX-License-Identifier: MIT */
/*
 * The therapy program: alternating warm and cool phases, and the clock
 * that walks through them. Pure; time is passed in.
 *
 * Sequence: `cycles` cycles of (first, other); when `last` equals `first`
 * one closing phase of `first` follows. So warm/cool/3 cycles/last cool is
 * W C W C W C (6 phases); first warm, last warm, 3 cycles is W C W C W C W.
 *
 * Phase clock:
 *  wall     a phase lasts its length from the moment it starts.
 *  settled  a phase's length counts from the moment every zone has first
 *           come within band_c of the setpoint; if that has not happened
 *           after settle_max_s, the phase counts from then anyway (the
 *           safety supervisor's runaway check deals with a pad that cannot
 *           get there; this only keeps the session from running forever).
 */
#ifndef CONTRASTD_PROGRAM_H
#define CONTRASTD_PROGRAM_H

#include <stdbool.h>
#include "limits.h"

enum phase_kind {
	PHASE_WARM,
	PHASE_COOL,
};

enum phase_clock {
	PHASE_CLOCK_WALL,
	PHASE_CLOCK_SETTLED,
};

struct program {
	char name[NAME_LEN];
	double warm_c;          /* warm setpoint */
	double cool_c;          /* cool setpoint */
	double warm_s;          /* length of a warm phase */
	double cool_s;          /* length of a cool phase */
	int cycles;             /* number of (first, other) pairs, >= 1 */
	enum phase_kind first;
	enum phase_kind last;
	enum phase_clock clock;
	double band_c;          /* "at the setpoint" means within this */
	double settle_max_s;    /* settled clock: longest wait for the band */
};

const char *phase_kind_name(enum phase_kind k);       /* "warm" / "cool" */
const char *phase_clock_name(enum phase_clock c);     /* "wall" / "settled" */

int program_phase_count(const struct program *p);
enum phase_kind program_phase_kind(const struct program *p, int phase);
double program_phase_setpoint_c(const struct program *p, int phase);
double program_phase_length_s(const struct program *p, int phase);
/* 1-based cycle number the phase belongs to (the closing phase counts as the last cycle). */
int program_phase_cycle(const struct program *p, int phase);
/* Longest the program can take: phases plus, for the settled clock, settle_max_s each. */
double program_planned_s(const struct program *p);
/* What it takes when the pads settle at once: the phases' lengths added up. */
double program_nominal_s(const struct program *p);
/*
 * Where phase `phase` ends, in seconds from the session's start: nominal
 * (the pads settle at once) and worst case (every settled wait runs to
 * settle_max_s). phase = count - 1 gives the program's two lengths.
 */
double program_phase_end_nominal_s(const struct program *p, int phase);
double program_phase_end_worst_s(const struct program *p, int phase);

/* Where a running program is. */
struct program_run {
	int phase;              /* index into the sequence; == phase count when done */
	double phase_start_s;   /* when the current phase began */
	bool settled;           /* settled clock: the band has been reached (or timed out) */
	double count_from_s;    /* the phase's length counts from here */
	bool done;
};

void program_run_start(struct program_run *r, double now_s);

/*
 * Advance to now_s. all_in_band says whether every zone is within band_c
 * of the current setpoint this tick. Returns true when the phase changed
 * (or the program just finished: then r->done is set).
 */
bool program_run_advance(const struct program *p, struct program_run *r,
			 double now_s, bool all_in_band);

/* Seconds left in the current phase (the full length while not yet settled). */
double program_run_phase_left_s(const struct program *p, const struct program_run *r, double now_s);

#endif
