/* SPDX-License-Identifier: MIT */
/*
 * The charge pump: a power cut-off that needs the daemon alive
 * ([safety] power_mode = charge-pump; docs/wiring.md has the circuit,
 * docs/safety.md what it covers).
 *
 * In charge-pump mode the [safety] power line is not a level but a
 * square wave at charge_pump_hz, and the Peltier supply relay is held by
 * a retriggerable monostable that each rising edge (the line going
 * active) retriggers. The wave runs only while the daemon's loop runs
 * and is healthy; a crash, a hang, a SIGSTOP, a kernel panic or a line
 * left at either level stops the edges, and the relay opens one hold-up
 * time (CHARGE_PUMP_HOLD_PERIODS periods) after the last one, without
 * any software.
 *
 * This module decides, as a pure function of time, whether the wave runs
 * and what level the line has at time t; the hardware adapters (hw_real:
 * a timerfd in the loop, the same one that times the PWM edges; hw_sim:
 * the plant's edge schedule) write the line and ask for the next edge.
 *
 * Healthy, precisely: after each control tick at now_s the shell calls
 * charge_pump_tick with
 *   - power: the tick's outputs have the supply on (a session runs and
 *     the supervisor has tripped nothing: struct tick_outputs power);
 *   - readings_ok: every configured sensor of every zone gave a
 *     plausible reading in this tick (struct tick_outputs readings_ok).
 * The wave then runs from now_s until the earliest of
 *   - the tick deadline: now_s + CHARGE_PUMP_TICK_DEADLINE_PERIODS control
 *     periods (the next tick is due one period on: a tick later than
 *     that stops the wave until it comes);
 *   - the freshness deadline: the last tick whose readings were all
 *     plausible + read_fail_count control periods (the supervisor's own
 *     allowance for failed reads, so the two agree);
 * and not at all when power is false. charge_pump_stop ends it at once
 * (every output off: a fault, a stop, every exit path). A wave that
 * starts (again) starts with a rising edge at that tick; one that runs
 * on keeps its phase.
 *
 * The level: active for the first half of each period from the wave's
 * start, inactive for the second half, inactive whenever the wave does
 * not run. So stopping never makes a rising edge, and the line is left
 * inactive.
 *
 * Pure: no I/O, no clock reads, no allocation; time is an argument
 * (seconds, any clock, the same one for every call).
 */
#ifndef CONTRASTD_CHARGE_PUMP_H
#define CONTRASTD_CHARGE_PUMP_H

#include <stdbool.h>
#include "config.h"

/* The next tick is due one control period after the last: the wave waits for it this long. */
#define CHARGE_PUMP_TICK_DEADLINE_PERIODS 2.0
/*
 * The hold-up of the circuit of docs/wiring.md, in periods of the wave:
 * the relay opens this long after the last rising edge. The simulated
 * relay (src/sim/hw_sim.c) holds this long too.
 */
#define CHARGE_PUMP_HOLD_PERIODS 5.0

struct charge_pump_params {
	double hz;                      /* [safety] charge_pump_hz */
	double tick_deadline_s;         /* CHARGE_PUMP_TICK_DEADLINE_PERIODS control periods */
	double fresh_s;                 /* read_fail_count control periods */
};

struct charge_pump {
	struct charge_pump_params p;
	bool running;                   /* a wave has started and not been stopped */
	double origin_s;                /* its first rising edge (when running) */
	double until_s;                 /* it runs before this (when running) */
	bool fresh;                     /* fresh_at_s is valid */
	double fresh_at_s;              /* the last tick whose readings were all plausible */
};

/* The parameters of cfg's [safety] and [daemon] (meaningful with power_mode = charge-pump). */
void charge_pump_params_from(const struct config *cfg, struct charge_pump_params *out);

/* Stopped: the line inactive. */
void charge_pump_init(struct charge_pump *cp, const struct charge_pump_params *p);

/* After a control tick at now_s: see "Healthy" above. */
void charge_pump_tick(struct charge_pump *cp, double now_s, bool power, bool readings_ok);

/* Stop the wave now (the line inactive from now on, until a tick starts it again). */
void charge_pump_stop(struct charge_pump *cp);

/* Does the wave run at t_s (t_s at or after the last tick)? */
bool charge_pump_running(const struct charge_pump *cp, double t_s);

/* The line's level at t_s: true active. */
bool charge_pump_level(const struct charge_pump *cp, double t_s);

/*
 * The first time after t_s at which the level changes, or INFINITY when
 * it stays as it is until the next tick. The last one before a deadline
 * is the fall to inactive at the deadline, if the line is active then.
 */
double charge_pump_next_edge_s(const struct charge_pump *cp, double t_s);

/* The relay of docs/wiring.md holds this long after a rising edge. */
double charge_pump_hold_s(const struct charge_pump_params *p);

#endif
