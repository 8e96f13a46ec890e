/* SPDX-License-Identifier: MIT */
/*
 * The safety supervisor. Runs on every tick before any output is applied;
 * its verdict cannot be overridden by the PID or anything else.
 *
 * Pure: readings, the duty that was driving each pad, and the time are
 * passed in; a verdict comes out. No I/O, no allocation.
 *
 * A trip latches. It clears only when its cause is gone (every reading
 * plausible and inside the limits for clear_s) and a person acknowledges
 * it; acknowledging returns the device to idle and never resumes a session.
 */
#ifndef CONTRASTD_SAFETY_H
#define CONTRASTD_SAFETY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "limits.h"
#include "sensor.h"

/* The kinds are an interface: their names appear in logs, JSON and the socket. */
enum fault_kind {
	FAULT_NONE = 0,
	FAULT_OVER_TEMPERATURE,         /* "over-temperature" */
	FAULT_UNDER_TEMPERATURE,        /* "under-temperature" */
	FAULT_SENSOR_OPEN,              /* "sensor-open" */
	FAULT_SENSOR_SHORT,             /* "sensor-short" */
	FAULT_SENSOR_READ,              /* "sensor-read" */
	FAULT_SENSOR_STALE,             /* "sensor-stale" */
	FAULT_SENSOR_DISAGREE,          /* "sensor-disagree" */
	FAULT_RATE_OF_CHANGE,           /* "rate-of-change" */
	FAULT_RUNAWAY,                  /* "runaway" */
	FAULT_HEATSINK_OVER_TEMPERATURE,/* "heatsink-over-temperature" */
	FAULT_OUTPUT_ERROR,             /* "output-error" */
	FAULT_LOOP_OVERRUN,             /* "loop-overrun" */
	FAULT_SESSION_TIME,             /* "session-time" */
	FAULT_DOSE,                     /* "dose": a session used up a dose budget (dose.h; the controller) */
	FAULT_LATCH_UNREADABLE,         /* "latch-unreadable": the latch kept in state_dir could not be read at start */
	FAULT_PAD_SENSOR_UNRESPONSIVE,  /* "pad-sensor-unresponsive": the reading does not follow the drive */
	FAULT_KIND_COUNT
};

const char *fault_kind_name(enum fault_kind k);
/* Returns FAULT_NONE for an unknown name. */
enum fault_kind fault_kind_from_name(const char *name);

/*
 * The world the supervisor's claim covers (docs/safety.md, "The envelope")
 * and what the margins are computed from. Compiled in: they describe the
 * reference build and its sensors, not a preference.
 */
/*
 * A pad sensor reads within this of the pad (an offset, or a Beta within
 * 1 %): the margins allow for it, and the dose budgets (dose.h) count the
 * pad this much hotter for heat and this much colder for cold.
 */
#define SAFETY_SENSOR_ERROR_C           0.5
/* The reference pad sensor's time constant: a shorter sensor_lag_s is not trusted, it costs margin. */
#define SAFETY_REF_SENSOR_LAG_S         2.0
/*
 * The longest sensor_lag_s: predicting with more lag than the sensor has
 * runs ahead of the pad while it warms up to a setpoint and trips a normal
 * session (measured on the simulated plant: 3 s over a 2 s sensor never
 * does, 3.5 s at 1 Hz does); and the prediction multiplies the slope's
 * noise by it.
 */
#define SAFETY_MAX_SENSOR_LAG_S         3.0
/*
 * The longest pwm_period_s: the plant sees the bridge on and off, about a
 * degree per second of pulse; a period longer than the sensor's lag makes
 * the pad swing by degrees around its setpoint and trips normal sessions
 * near the limits (measured: 2 s never does, 5 s does).
 */
#define SAFETY_MAX_PWM_PERIOD_S         2.0
/* The fastest the pad heats near 43 C, and cools near 10 C, anywhere in the envelope. */
#define SAFETY_MAX_HEAT_RATE_C_PER_S    1.3
#define SAFETY_MAX_COOL_RATE_C_PER_S    0.5
/*
 * What detection leaves uncovered besides the lag, as time at the fastest
 * rate: the 1 s slope lags the start of a ramp (SAFETY_ONSET_S), and a
 * slope is confirmed only by the readings after the one that first shows
 * the ramp, so about one and a half control periods go by
 * (SAFETY_CONFIRM_PERIODS). docs/safety.md derives both.
 */
#define SAFETY_ONSET_S                  0.2
#define SAFETY_CONFIRM_PERIODS          1.5
/* A session starts only with every pad reading at least this far inside the limits in force. */
#define SAFETY_START_ROOM_C             2.0
/*
 * A reading that is neither near where the last trusted one and the
 * confirmed slope lead, nor near either of the two readings before it, is
 * a suspect: the pad cannot get there in the time. "Near" is within
 * SAFETY_JUMP_C (the noise, seven times over) plus SAFETY_JUMP_RATE_C_PER_S
 * for every second since (at the onset of the fastest ramp a reading
 * leaves the straight line by less than half of 1.3 C/s). A suspect a
 * glitch could have made acts only once the next reading agrees with it;
 * one further out acts at once (SAFETY_GLITCH_C). As the base of the
 * prediction a reading counts for no more than SAFETY_JUMP_C past where
 * the trusted reading and the slope led (docs/safety.md, "Glitches").
 */
#define SAFETY_JUMP_C                   0.5
#define SAFETY_JUMP_RATE_C_PER_S        0.65    /* half of SAFETY_MAX_HEAT_RATE_C_PER_S */
/*
 * The largest glitch forgiven (issue 9: one sample off by up to 2 C). A
 * suspect further than this beyond the band counts for the limits as the
 * reading it is: a reading that jumps over a limit trips at once.
 */
#define SAFETY_GLITCH_C                 2.0

/*
 * pad-sensor-unresponsive "frozen" (docs/safety.md): a pad sensor's raw
 * value unchanged while driven, for as long as the drive could have moved
 * the pad by SAFETY_FROZEN_C (SAFETY_MAX_HEAT_RATE_C_PER_S per unit of
 * duty plus SAFETY_FROZEN_DRIFT_C_PER_S), and at least
 * SAFETY_FROZEN_REPEATS samples beyond the first. Compiled in, whatever
 * stale_s says: the ADS1115 as fitted changes its count nearly every
 * sample (the noise is ~15 counts), so five equal samples in a row while
 * the pad is driven are a frozen converter, not a steady pad. Only for a
 * divider read as a voltage (the reading has a resistance): a temperature
 * channel may be quantized coarser than its noise.
 */
#define SAFETY_FROZEN_C                 1.0
#define SAFETY_FROZEN_DRIFT_C_PER_S     0.1
#define SAFETY_FROZEN_REPEATS           4

/*
 * Thresholds. The config fills them: each one's default, range, unit and
 * meaning is its [safety] row in the schema (src/core/config_schema.c, listed
 * in docs/configuration.md). Here only what the check does with it.
 */
struct safety_params {
	double max_pad_c;               /* over-temperature */
	double min_pad_c;               /* under-temperature */
	double max_heatsink_c;          /* heatsink-over-temperature */
	double start_max_heatsink_c;    /* a session will not start above this */
	double sensor_lag_s;            /* the pad sensor's time constant, to predict the pad from the reading */
	int read_fail_count;            /* sensor-read after this many consecutive failed ticks */
	double stale_s;                 /* sensor-stale: raw frozen this long while driving */
	double stale_min_duty;          /* ...where driving means |duty| >= this */
	double disagree_c;              /* sensor-disagree threshold */
	double disagree_s;              /* ...for longer than this */
	double max_rate_c_per_s;        /* rate-of-change */
	double heat_gain_c;             /* runaway: while heating saturated, gain at least this ... */
	double heat_gain_time_s;        /* ... within this */
	double cool_gain_c;             /* runaway: while cooling saturated, fall at least this ... */
	double cool_gain_time_s;        /* ... within this */
	double hysteresis_c;            /* runaway: band around the setpoint that counts as reached */
	double away_c;                  /* runaway: pad moved this far away from the setpoint while the output pushed toward it */
	double max_error_c_s;           /* runaway: accumulated error outside the band, once reached */
	double overrun_s;               /* loop-overrun: a gap between ticks longer than this */
	double session_margin_s;        /* session-time: planned length plus this */
	double clear_s;                 /* a cause counts as gone after this long clear; not a key */
};

/* clear_s as config_defaults() sets it; <= 0 (unset) means this too (safety_clear_s). */
#define SAFETY_CLEAR_S  5.0

/* How long a latched fault's cause must stay gone before it may be acknowledged, s. */
double safety_clear_s(const struct safety_params *p);

/*
 * The pad limits in force and the margins behind them: the config's
 * max_pad_c and min_pad_c, moved inside where the hard limits need it.
 * For a Peltier stuck on at any moment the true pad stays inside
 * [HARD_MIN_PAD_C, HARD_MAX_PAD_C] anywhere in the envelope when
 *   max_pad_c <= HARD_MAX_PAD_C - margin_hi_c and
 *   min_pad_c >= HARD_MIN_PAD_C + margin_lo_c
 * with margin = sensor_c + rate * (lag_s + detect_s).
 */
struct safety_limits {
	double max_pad_c;               /* over-temperature trips above this */
	double min_pad_c;               /* under-temperature trips below this */
	double sensor_c;                /* SAFETY_SENSOR_ERROR_C */
	double lag_s;                   /* the lag the prediction does not undo: max(0, 2 s - sensor_lag_s) */
	double detect_s;                /* SAFETY_ONSET_S + SAFETY_CONFIRM_PERIODS control periods */
	double margin_hi_c;             /* sensor_c + SAFETY_MAX_HEAT_RATE_C_PER_S * (lag_s + detect_s) */
	double margin_lo_c;             /* sensor_c + SAFETY_MAX_COOL_RATE_C_PER_S * (lag_s + detect_s) */
	double predict_ahead_s;         /* the prediction is reading + confirmed slope * this, at this period */
	double slope_age_s;             /* the confirmed slope (median of the last three 1 s slopes) is up to this old */
};

/* The limits in force for these thresholds at this control period (s). */
void safety_limits_for(const struct safety_params *p, double control_period_s, struct safety_limits *out);

/*
 * Is the config one whose limits are what it says, and that the claim
 * covers? control_period_s is 1 / control_hz. Returns 0, or -1 with the
 * key at fault in *key ("sensor_lag_s", "pwm_period_s", "max_pad_c",
 * "min_pad_c") and a one-line reason in why, for the config parser's
 * FILE:LINE message. A config refused here would still run safely (the
 * supervisor holds the limits in force), but not as written, and with
 * sessions that trip for nothing.
 */
int safety_params_check(const struct safety_params *p, double control_period_s, double pwm_period_s,
			const char **key, char *why, size_t why_len);

/* What happened, for the log, the JSON and the socket. */
struct fault {
	enum fault_kind kind;
	int zone;                       /* index of the zone, -1 when not zone-specific */
	char sensor[16];                /* "pad", "pad2", "heatsink", "output", "loop", "session", "state" */
	double value;                   /* the offending value (C, C/s, s, mV ...) */
	double limit;                   /* the limit it crossed */
	double at_s;                    /* session time of the trip (s since the session started) */
	char detail[24];                /* which variant of the check, "" when there is one only:
					 * over/under-temperature "predicted" (value is the predicted pad);
					 * runaway "no-heat-gain", "no-cool-gain", "wrong-way",
					 * "error-outside-band" (value is always the pad reading, C);
					 * dose "heat" (value CEM43 min) or "cold" (min at or below cold_c) */
};

/* Per-zone input for one tick. */
struct safety_zone_input {
	struct reading pad;
	struct reading pad2;
	bool has_pad2;
	struct reading heatsink;
	double setpoint_c;              /* the zone's current setpoint (ignored when not running) */
	double duty;                    /* signed duty driving the pad since the last tick (+ heats) */
	double max_duty;                /* the zone's clamp: |duty| >= max_duty - 1e-9 is "saturated" */
};

struct safety_input {
	int n_zones;
	struct safety_zone_input zone[MAX_ZONES];
	bool running;                   /* a session is running: the checks that trip are armed */
	double session_elapsed_s;       /* since the session started */
	double session_planned_s;       /* program_planned_s() of the running program */
	bool output_error;              /* the shell failed to write an output line this tick */
	int output_error_zone;          /* which zone's line, -1 for the power line */
	double loop_gap_s;              /* time since the previous tick, as the shell measured it */
};

struct safety_verdict {
	bool trip;                      /* a new fault tripped this tick: all outputs off now */
	struct fault fault;             /* valid when trip */
	bool zone_inhibit[MAX_ZONES];   /* this zone's output must be 0 this tick (e.g. a failed read) */
};

/* Readings kept per pad sensor for its 1-second slope: enough for 1 s at up to ~110 Hz. */
#define SAFETY_SLOPE_RING 128

/* One pad sensor's recent readings (a ring, newest at head). Private. */
struct safety_slope {
	double t_s[SAFETY_SLOPE_RING];  /* when, s */
	double c[SAFETY_SLOPE_RING];    /* the reading, C */
	int head;                       /* index of the newest entry */
	int count;                      /* entries held, 0 = history restarted */
};

/* Tracking for one pad sensor (pad or pad2). Private. */
struct safety_pad_state {
	struct safety_slope hist;       /* for rate-of-change and the prediction */
	bool have_raw;
	int64_t raw;                    /* last raw value seen */
	double frozen_s;                /* time driven (|duty| >= stale_min_duty) since raw last changed, s */
	/* Glitches: a reading is trusted when it is where the pad can be, or a second one agrees. */
	bool have_last;
	double last_c;                  /* the previous OK reading, as read */
	double last_t_s;                /* ... and when */
	bool last_suspect;              /* ... and whether it was a suspect */
	bool have_before_last;
	double before_last_c;           /* the OK reading before that ... */
	double before_last_t_s;         /* ... and when */
	double trusted_c;               /* the last reading that was no suspect ... */
	double trusted_t_s;             /* ... and when */
	bool after_suspect;             /* the previous reading was taken as is after a suspect ... */
	double pre_suspect_c;           /* ... and this was the trusted reading before that suspect ... */
	double pre_suspect_t_s;         /* ... and when */
	double slopes[3];               /* the 1 s slopes at the last three OK readings, newest first */
	int n_slopes;                   /* how many of them there are */
	double trend_c_per_s;           /* the confirmed slope (their median, 0 when none) */
	double value_c;                 /* this tick's trusted value, for the runaway checks */
	/* pad-sensor-unresponsive "frozen" */
	int frozen_repeats;             /* samples with the raw value unchanged since it last changed */
	double frozen_moved_c;          /* how far the drive could have moved the pad meanwhile */
};

/* Per-zone tracking state. Opaque to callers; here so it can be embedded. */
struct safety_zone_state {
	struct safety_pad_state pad, pad2;
	int bad_ticks;                  /* consecutive ticks with a pad/pad2/heatsink read not OK */
	bool disagreeing;               /* |pad - pad2| > disagree_c ... */
	double disagree_since_s;        /* ... since then */
	/* runaway */
	bool rw_armed;                  /* rw_setpoint_c is valid */
	double rw_setpoint_c;           /* setpoint the tracker was armed for */
	bool reached;                   /* has been within hysteresis of the setpoint */
	bool have_prev_e;
	double prev_e_c;                /* setpoint - pad at the previous tick, to see a crossing */
	double error_c_s;               /* accumulated error outside the band since reached, C*s */
	bool goal_armed;                /* saturated toward the setpoint: */
	int goal_dir;                   /* +1 heating, -1 cooling */
	double goal_c;                  /* ... the pad must get past this ... */
	double goal_deadline_s;         /* ... by this */
	bool push_active;               /* driving toward the setpoint with >= half the clamp: */
	int push_dir;                   /* +1 heating, -1 cooling */
	double push_start_s;
	double best_c;                  /* closest to the setpoint seen during the push */
};

struct safety {
	struct safety_params params;
	double control_period_s;        /* for the margins: safety_set_control_period, default 0.1 s */
	int n_zones;
	struct safety_zone_state zone[MAX_ZONES];
	bool have_tick;
	double prev_tick_s;             /* time of the previous safety_check */
	bool was_running;               /* in->running at the previous tick */
	bool latched;
	struct fault fault;             /* the latched fault (kind FAULT_NONE when none) */
	bool clear;                     /* latched, and the cause has been gone ... */
	double clear_since_s;           /* ... continuously since this tick */
	double clear_seen_s;            /* the last tick at which the cause was evaluated */
};

/* The control period is 0.1 s until safety_set_control_period says otherwise. */
void safety_init(struct safety *sf, const struct safety_params *params, int n_zones);

/* The loop's period (1 / control_hz), for the margins. */
void safety_set_control_period(struct safety *sf, double control_period_s);

/* The limits in force now (safety_limits_for of the supervisor's params and period). */
void safety_limits(const struct safety *sf, struct safety_limits *out);

/*
 * A session starts now: forget tracking state from before (runaway, stale,
 * rate history, read-fail and disagree counters). Never unlatches. The
 * first running tick after a tick that was not running resets it too.
 */
void safety_session_started(struct safety *sf, double now_s);

/*
 * One tick. Run before any output is applied. When in->running is false
 * no check trips and nothing is tracked, but the cause-cleared timer of a
 * latched fault advances. When a fault is latched already, no new one trips
 * (the first cause is kept) and every zone is inhibited. Several causes in
 * one tick: the first in the order of docs/safety.md wins.
 */
void safety_check(struct safety *sf, double now_s,
		  const struct safety_input *in, struct safety_verdict *out);

/* Latch a fault the shell found (e.g. during start-up); used by the controller. */
void safety_trip(struct safety *sf, const struct fault *f);

bool safety_latched(const struct safety *sf);
/* The latched fault; never NULL (kind FAULT_NONE when nothing is latched). */
const struct fault *safety_latched_fault(const struct safety *sf);

/*
 * True when a latched fault's cause has been gone for clear_s (<= 0 counts
 * as 5 s) as of now_s, counting only time seen by safety_check ticks: a
 * stalled loop cannot clear a fault. True when nothing is latched.
 */
bool safety_cause_cleared(const struct safety *sf, double now_s);

/*
 * A person acknowledged. Returns 0 and unlatches when the cause has
 * cleared (or nothing is latched); -1 (and stays latched) otherwise.
 * A refused acknowledgement is not remembered: the person acknowledges
 * again once the cause has cleared.
 */
int safety_acknowledge(struct safety *sf, double now_s);

/*
 * May a session start with these readings? Only with room to spare: every
 * pad sensor reads at least SAFETY_START_ROOM_C inside the limits in force.
 * Returns 0 when yes; otherwise -1 with a one-line reason in why ("left
 * pad sensor open (3299.9 mV)", "left pad 40.6 C is less than 2.0 C below
 * the 42.0 C limit: let it cool", "right heatsink 52.3 C is above 40.0 C",
 * "fault latched: ...").
 */
int safety_start_check(const struct safety *sf, const struct safety_input *in,
		       const char *const zone_names[], char *why, size_t why_len);

/*
 * May a program with these setpoints run? Each must lie SETPOINT_MARGIN_C
 * inside the limits in force (the config parser checks the same against
 * max_pad_c and min_pad_c; the limits in force can be tighter). Returns 0,
 * or -1 with a reason naming the program.
 */
int safety_program_check(const struct safety *sf, const char *program, double warm_c, double cool_c,
			 char *why, size_t why_len);

/* One line describing a fault, for the log: "over-temperature in zone left: pad 42.3 C above 42.0 C at 615.2 s". */
void safety_describe(const struct fault *f, const char *const zone_names[], char *buf, size_t len);

#endif
