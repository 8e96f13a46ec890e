/* SPDX-License-Identifier: MIT */
/*
 * The controller: the session state machine, the zones, the program clock
 * and the safety supervisor, stepped once per control tick. Everything the
 * device decides is decided here; the shell reads sensors before a tick
 * and applies the outputs after it.
 *
 * Order inside a tick (the order is the safety argument):
 *   1. interpret every sample (sensor.h)
 *   2. advance the program clock, pick each zone's setpoint
 *   3. the safety supervisor checks readings, the duty that drove each pad
 *      and the shell's reports; a trip ends the session as fault
 *   4. PID per zone, unless the session is not running or the zone is
 *      inhibited
 *   5. outputs: all zero (and the power line off) unless running and not
 *      tripped; fans on while a Peltier works and for the run-on after
 *
 * Pure: no I/O, no clock reads, no allocation.
 */
#ifndef CONTRASTD_CONTROLLER_H
#define CONTRASTD_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include "autotune.h"
#include "calibration.h"
#include "config.h"
#include "dose.h"
#include "pid.h"
#include "program.h"
#include "safety.h"
#include "sensor.h"

enum session_state {
	SESSION_IDLE,
	SESSION_RUNNING,
	SESSION_COMPLETED,
	SESSION_STOPPED,
	SESSION_FAULT,
};

const char *session_state_name(enum session_state s); /* "idle", "running", ... */

/* What the shell read this tick, and what it has to report. */
struct tick_inputs {
	struct sensor_sample pad[MAX_ZONES];
	struct sensor_sample pad2[MAX_ZONES];   /* ignored for zones without pad_sensor2 */
	struct sensor_sample heatsink[MAX_ZONES];
	double loop_gap_s;              /* since the previous tick, by the shell's clock */
};

/* What the shell must apply after the tick. */
struct tick_outputs {
	double duty[MAX_ZONES];         /* signed: + heats the pad, - cools it, 0 off */
	bool fan[MAX_ZONES];
	bool power;                     /* the Peltier supply (the [safety] power line) */
	/*
	 * Every configured sensor of every zone gave a plausible reading this
	 * tick: with power, what keeps the charge pump's wave running
	 * (charge_pump.h). Not an output; the level power line ignores it.
	 */
	bool readings_ok;
};

/* What happened in the tick, for the shell to log and print. */
struct tick_events {
	bool phase_changed;             /* a new phase began (also at session start) */
	bool session_ended;             /* completed, stopped or fault, this tick */
	bool fault_tripped;             /* the supervisor tripped this tick */
	bool autotune_ended;            /* an autotune run ended this tick (done or failed) */
};

struct zone_stats {
	double max_pad_c, min_pad_c;    /* extremes of the pad reading while running */
	double max_heatsink_c;
	long ticks_running;
	long ticks_in_band;             /* within band_c of the setpoint */
};

struct zone_run {
	struct pid_state pid;
	struct reading pad, pad2, heatsink;     /* this tick's interpreted readings (pads calibrated) */
	double pad_uncal_c, pad2_uncal_c;       /* the pad readings before calibration (NaN: none) */
	double pad_c;                   /* the pad temperature the PID used (NaN when none) */
	double pad_frozen_s;            /* how long the pad sensors' raw values have not changed */
	double setpoint_c;              /* NaN when not running */
	double last_driven_s;           /* when the Peltier last had a non-zero duty */
	struct zone_stats stats;
	/* Dose (dose.h), of the running or last session. */
	struct dose_amount dose_used;   /* given so far, from the readings taken conservatively */
	struct dose_amount dose_allowed;        /* what this session may give */
	double dose_heat_c, dose_cold_c;        /* the last conservative temperatures (NaN: none yet) */
};

struct controller {
	const struct config *cfg;
	enum session_state state;
	int program_index;              /* of the running or last session, -1 before any */
	struct program program;         /* a copy: a config reload never changes a running session */
	struct program_run run;
	double session_start_s;
	double session_end_s;
	double prev_tick_s;
	bool primed;                    /* prev_tick_s valid */
	bool phase_event_pending;       /* report the first phase on the next tick */
	struct zone_run zone[MAX_ZONES];
	struct safety safety;
	struct safety_input last_safety_input;  /* for start checks and status */
	struct tick_outputs out;        /* the outputs of the last tick */
	/*
	 * What the next session may give each zone, set by the shell from the
	 * ledger before each start (controller_allow_dose); without it, the
	 * session budgets. Used up by a start.
	 */
	bool next_allowance_set;
	struct dose_amount next_allowance[MAX_ZONES];
	struct cal_sensor cal[MAX_ZONES][2];    /* per zone: pad, pad2 (calibration.h) */
	/* Autotune (autotune.h): the run under way or the last one, of zone tune_zone (-1: none yet). */
	struct autotune tune;
	int tune_zone;
};

/* cfg must outlive the controller (or be replaced with controller_reconfigure while idle). */
void controller_init(struct controller *c, const struct config *cfg);

/*
 * Use a new config for the next session. Allowed in any state; a running
 * session keeps its program copy, but zone and safety settings are read
 * from the config, so the shell reloads only when not running.
 * Returns -1 if the zone count changed while running.
 */
int controller_reconfigure(struct controller *c, const struct config *cfg);

/*
 * Start the program with that name (NULL: the default) at now_s. Refuses
 * (returns -1 with a reason) when a session runs, a fault is latched, the
 * program does not exist, the last tick's readings fail the safety
 * supervisor's start check (every pad 2 C inside the limits in force), the
 * program's setpoints are not SETPOINT_MARGIN_C inside those limits, or the
 * program's planned dose (dose_planned) is more than the allowance. Call
 * after at least one tick.
 *
 * While the session runs, every tick adds each zone's dose; one that goes
 * past its allowance trips `dose`: the session ends as fault with every
 * output off in that tick.
 */
int controller_start(struct controller *c, const char *program, double now_s,
		     char *why, size_t why_len);

/*
 * What the next session may give each zone (the shell's dose_start_check
 * over the ledger). Used by the next controller_start only; a start
 * without it allows the session budgets.
 */
void controller_allow_dose(struct controller *c, const struct dose_amount allowance[MAX_ZONES]);

/*
 * The calibration of a zone's pad sensor (which: 0 pad, 1 pad2), applied
 * from the next tick on. NULL: none (the identity).
 */
void controller_set_calibration(struct controller *c, int zone, int which, const struct cal_sensor *cal);

/*
 * A fault latched before this process (restored from state_dir): latched
 * now, state fault. Does nothing when a fault is latched already.
 */
void controller_restore_fault(struct controller *c, const struct fault *f);

/* Stop a running session (button, socket, signal). Returns -1 if none runs. */
int controller_stop(struct controller *c, double now_s);

/*
 * Acknowledge a latched fault: returns to idle when the cause has cleared.
 * Returns -1 with a reason otherwise.
 */
int controller_ack(struct controller *c, double now_s, char *why, size_t why_len);

/*
 * Autotune zone (index) at now_s: the relay experiment of autotune.h, the
 * heat midpoint the default program's warm setpoint, the cool midpoint its
 * cool setpoint (both checked as a session's are, SETPOINT_MARGIN_C inside
 * the limits in force). Refuses (returns -1 with a reason) when a session
 * or another autotune runs, a fault is latched, there are no readings yet,
 * or the readings fail the start check. While it runs, the supervisor
 * checks every zone as in a session (a trip ends it as failed and
 * latches), the zone is driven by autotune_step (the controller in its
 * approach), every other output is off, and controller_start refuses.
 */
int controller_autotune_start(struct controller *c, int zone, double now_s, char *why, size_t why_len);

/* An autotune run is under way. */
bool controller_autotune_active(const struct controller *c);

/* End the run under way as failed (why: who ended it); outputs off. Returns -1 if none runs. */
int controller_autotune_cancel(struct controller *c, const char *why);

/* One control tick. */
void controller_tick(struct controller *c, double now_s, const struct tick_inputs *in,
		     struct tick_outputs *out, struct tick_events *ev);

/*
 * The shell failed to write an output line after a tick (zone index, or -1
 * for the power line). Trips output-error at once and zeroes c->out; the
 * shell then drives every line inactive.
 */
void controller_output_error(struct controller *c, double now_s, int zone);

/* The session clock: seconds since the session started (0 when none ever). */
double controller_session_s(const struct controller *c, double now_s);

#endif
