/* SPDX-License-Identifier: MIT */
/*
 * The daemon: the imperative shell around the controller. It owns the
 * config, the controller, the hardware (real or simulated), the event
 * loop, signals and the trace, and runs one control tick at a time:
 *
 *   read every sensor -> controller_tick -> apply outputs (on a failed
 *   write: output fault, everything off) -> trace, progress, summary
 *
 * Time: on hardware the tick clock is CLOCK_MONOTONIC; on the simulated
 * plant it is virtual (tick count times period, plus injected stalls),
 * whatever --speed says about how fast it runs against the wall.
 */
#ifndef CONTRASTD_DAEMON_H
#define CONTRASTD_DAEMON_H

#include <stdbool.h>
#include <stdio.h>
#include "cli.h"
#include "control.h"
#include "core/config.h"
#include "core/controller.h"
#include "hw/hw.h"
#include "lib/loop.h"
#include "records.h"
#include "sim/hw_sim.h"

struct daemon {
	struct options opt;
	struct config cfg;              /* the config in force */
	struct config cfg_pending;      /* a reloaded config waiting for the session to end */
	bool reload_pending;
	struct controller ctl;
	struct hw hw;
	bool simulated;
	struct hw_sim sim;              /* the plant, when simulated */
	FILE *trace;
	FILE *progress;                 /* stdout: progress lines and the summary */
	struct loop loop;
	int signal_fd;
	int timer_fd;
	double tick_s;                  /* control period */
	double clock_origin_s;          /* monotonic time the loop started: tick 0 on hardware, --fast-after's origin */
	double now_s;                   /* controller time of the last tick */
	long ticks;
	bool start_pending;             /* --start: start after the first tick */
	bool quit;
	int exit_code;
	bool fast;                      /* simulated, flat out */
	double next_status_s;           /* simulated: periodic progress while a person watches */
	struct control_server control;  /* the control socket (docs/control.md) */
	bool control_on;                /* open: not with --simulate --start */
	struct records records;         /* session CSVs and sessions.jsonl under state_dir */
	bool records_on;                /* not with --simulate --start */
	const char *end_how;            /* who ended the session being ended ("SIGTERM", "uid 1000 pid 42") */
	bool ready_sent;                /* READY=1 went out after the first tick */
	double watchdog_period_s;       /* send WATCHDOG=1 this often (monotonic); 0: no watchdog */
	double next_watchdog_s;         /* monotonic time the next WATCHDOG=1 is due */
	double next_notify_s;           /* monotonic time the next STATUS= is due */
};

/*
 * Set up with a validated config. hw is the real hardware; ignored (may
 * be NULL) when opt->simulate. Returns 0, or -1 with a message.
 */
int daemon_init(struct daemon *d, const struct options *opt, const struct config *cfg,
		const struct hw *hw, char *err, size_t err_len);

/* One control tick at controller time now_s, gap_s after the previous one. */
void daemon_tick(struct daemon *d, double now_s, double gap_s);

/* Simulated: advance virtual time by one control period (and any stall) and tick. */
void daemon_sim_step(struct daemon *d);

/*
 * The bedside button was pressed (debounced by the hardware adapter).
 * Short: start the default program when no session runs, stop the one
 * that runs. Long: acknowledge a latched fault once its cause has cleared
 * (and, like a short press, stop a running session). Logged either way.
 */
void daemon_button(struct daemon *d, enum button_event event);

/* Run the event loop until the daemon quits. Returns the exit code. */
int daemon_run(struct daemon *d);

/* Every output off, files closed. Safe to call twice. */
void daemon_close(struct daemon *d);

#endif
