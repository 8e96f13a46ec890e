/* SPDX-License-Identifier: MIT */
/*
 * One zone's H-bridge and its time-proportioning PWM, as a pure state
 * machine: the commanded signed duty and the time go in; the logical
 * states the heat, cool and enable lines must have now, and the time of
 * the next edge, come out. The shell writes the lines and arms a timer
 * for the next edge. No I/O, no clock reads, no allocation.
 *
 * Promises, at every output:
 *  - heat and cool are never both active;
 *  - between one polarity line going inactive and the other going
 *    active, both are inactive for at least dead_time_s (a change of
 *    polarity first drops the power, then waits, then switches);
 *  - with an enable line, enable is active only while exactly one
 *    polarity line is;
 *  - duty 0 makes every line inactive at once (turning off needs no
 *    dead time);
 *  - an on- or off-time shorter than min_pulse_s is not produced: a
 *    tiny duty gives no pulse, a duty near 1 stays on through the
 *    period.
 *
 * PWM: each period of period_s starts with the on-time |duty| * period_s.
 * With an enable line the polarity line is steady and enable pulses;
 * without one (a BTS7960-style bridge with its enables tied high) the
 * active polarity line itself pulses. A period starts when the bridge
 * starts driving a polarity and periods follow back to back while the
 * polarity stays. A new duty takes effect at once within the period: a
 * shorter one ends the pulse early, a longer one extends a pulse still
 * on; a pulse already over for this period is not started again.
 *
 * The shell must write the lines so that deactivations come before
 * activations (enable off, then polarity lines off, then polarity on,
 * then enable on): the machine's states are then safe at every write,
 * not only after the last one.
 */
#ifndef CONTRASTD_BRIDGE_H
#define CONTRASTD_BRIDGE_H

#include <stdbool.h>

/* On- and off-times below this are skipped (s); the default for min_pulse_s. */
#define BRIDGE_MIN_PULSE_S 0.001

struct bridge_params {
	double period_s;        /* PWM period, s, > 0 */
	double dead_time_s;     /* both polarity lines inactive between heat and cool, s, >= 0 */
	double min_pulse_s;     /* shortest on- or off-time produced, s, >= 0 */
	bool has_enable;        /* an enable line carries the PWM; else the polarity line does */
};

/* What the lines must be (logical: true = active) and when to come back. */
struct bridge_out {
	bool heat;
	bool cool;
	bool enable;            /* always false without an enable line */
	double next_edge_s;     /* call bridge_update/bridge_poll again at this time; INFINITY: not needed */
};

/* The machine. Fields are private; read the state through struct bridge_out. */
struct bridge {
	struct bridge_params p;
	double duty;            /* commanded, in [-1, 1] */
	int polarity;           /* selected on the lines: +1 heat, -1 cool, 0 none */
	bool pulse_on;          /* in the on-part of the current period */
	double period_start_s;  /* start of the current PWM period */
	double heat_off_s;      /* when the heat line last went inactive */
	double cool_off_s;      /* when the cool line last went inactive */
	double last_s;          /* the latest time seen: time never runs backwards here */
	struct bridge_out out;  /* the output of the last update */
};

/*
 * Start with every line inactive at now_s. Both polarity lines count as
 * having gone inactive at now_s (what they were before is unknown), so the
 * first drive comes dead_time_s after it at the earliest.
 */
void bridge_init(struct bridge *b, const struct bridge_params *p, double now_s);

/*
 * Command a signed duty (+ heats, - cools; clamped to [-1, 1], NaN is 0)
 * at now_s and get the lines' states now and the next edge time.
 */
void bridge_update(struct bridge *b, double duty, double now_s, struct bridge_out *out);

/* The same with the duty last commanded: for the timer at an edge. */
void bridge_poll(struct bridge *b, double now_s, struct bridge_out *out);

/* The duty last commanded (after clamping). */
double bridge_duty(const struct bridge *b);

#endif
