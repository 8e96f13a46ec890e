/* SPDX-License-Identifier: MIT */
/*
 * The daemon: the imperative shell around the controller. It owns the
 * config, the controller, the hardware (real or simulated), the event
 * loop, signals and the trace, and runs one control tick at a time:
 *
 *   read every sensor -> controller_tick -> apply outputs (on a failed
 *   write: output fault, everything off) -> trace, progress, summary
 *
 * The daemon does not know whether the device is real or simulated: main
 * hands it the hardware table and the clock (src/hw/hw.h), CLOCK_MONOTONIC
 * on hardware, virtual time on the simulated plant, and the clock says
 * when each tick is and how the loop is paced.
 */
#ifndef CONTRASTD_DAEMON_H
#define CONTRASTD_DAEMON_H

#include <stdbool.h>
#include <stdio.h>
#include "cli.h"
#include "control.h"
#include "status_json.h"
#include "guard.h"
#include "core/config.h"
#include "core/controller.h"
#include "hw/hw.h"
#include "lib/loop.h"
#include "records.h"

/*
 * What main chose for this run. The daemon sees only the hardware table,
 * the clock and two policies of the run, never what is behind them.
 */
struct daemon_setup {
	struct hw hw;                   /* real or simulated; the daemon closes it (daemon_close) */
	struct hw_clock clock;          /* paces the ticks */
	/*
	 * A batch run (--simulate --start: the demo, the process tests): exit
	 * when the session ends or is refused, with no control socket and no
	 * records. Every other run has both.
	 */
	bool batch;
	/* A progress line this often (controller s) while a session runs and the clock is not flat out; 0: at phase changes only. */
	double progress_every_s;
};

struct daemon {
	struct options opt;
	struct config cfg;              /* the config in force */
	struct config cfg_pending;      /* a reloaded config waiting for the session to end */
	bool reload_pending;
	struct reload_outcome reload;   /* of the last SIGHUP, for status */
	bool led_failed;                /* the status light's last write failed (logged once) */
	struct controller ctl;
	struct hw hw;
	struct hw_clock clock;
	bool batch;                     /* see struct daemon_setup */
	double progress_every_s;
	FILE *trace;
	FILE *progress;                 /* stdout: progress lines and the summary */
	struct loop loop;
	int signal_fd;
	int timer_fd;
	double now_s;                   /* controller time of the last tick */
	long ticks;
	bool start_pending;             /* --start: start after the first tick */
	bool quit;
	int exit_code;
	bool fast;                      /* flat out: the clock said so; ticks run from the loop's busy callback */
	double next_status_s;           /* the next periodic progress line (progress_every_s) */
	struct control_server control;  /* the control socket (docs/control.md) */
	bool control_on;                /* open: not in a batch run */
	struct records records;         /* session CSVs and sessions.jsonl under state_dir */
	struct guard guard;             /* the dose ledger, the latch, the lockout, the calibration (guard.h) */
	struct syncer syncer;           /* the records' and the ledger's fsyncs while a session runs */
	bool records_on;                /* not in a batch run */
	const char *end_how;            /* who ended the session being ended ("SIGTERM", "uid 1000 pid 42") */
	bool ready_sent;                /* READY=1 went out after the first tick */
	double watchdog_period_s;       /* send WATCHDOG=1 this often (monotonic); 0: no watchdog */
	double next_watchdog_s;         /* monotonic time the next WATCHDOG=1 is due */
	double next_notify_s;           /* monotonic time the next STATUS= is due */
};

/*
 * Set up with a validated config and what main chose (setup). From here
 * on the daemon owns setup->hw: daemon_close closes it, also after a
 * failed daemon_init. Returns 0, or -1 with a message.
 */
int daemon_init(struct daemon *d, const struct options *opt, const struct config *cfg,
		const struct daemon_setup *setup, char *err, size_t err_len);

/* One control tick at controller time now_s, gap_s after the previous one. */
void daemon_tick(struct daemon *d, double now_s, double gap_s);

/* The clock's next tick (next_tick), then daemon_tick at its time. */
void daemon_step(struct daemon *d);

/*
 * The bedside button was pressed (debounced by the hardware adapter).
 * Short: start the default program when no session runs, stop the one
 * that runs. Long: acknowledge a latched fault once its cause has cleared
 * (and, like a short press, stop a running session). Logged either way.
 */
void daemon_button(struct daemon *d, enum button_event event);

/*
 * The signals the loop handles (through a signalfd): SIGINT and SIGTERM
 * stop, SIGHUP reloads, SIGUSR1 logs the status line, SIGUSR2 and SIGALRM
 * are logged and ignored. main() blocks them before anything else, so one
 * that comes early waits for the loop instead of killing the daemon.
 */
void daemon_block_signals(void);

/* Unblock them again (the one-shot modes: --check-config, --probe). */
void daemon_unblock_signals(void);

/* Run the event loop until the daemon quits. Returns the exit code. */
int daemon_run(struct daemon *d);

/* Every output off, files closed. Safe to call twice. */
void daemon_close(struct daemon *d);

#endif
