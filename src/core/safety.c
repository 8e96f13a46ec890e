/* SPDX-License-Identifier: MIT */
/*
 * The safety supervisor. See safety.h for the interface and docs/safety.md
 * for the hazards each check answers and the numbers behind it.
 *
 * Pure: the time comes in as now_s, nothing is allocated, nothing is read
 * or written outside the structs passed in.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "safety.h"

/*
 * Timers compare with this slack, so that "longer than 3 s" reached by 30
 * ticks of 0.1 s (whose sum rounds either way) is "at", not "over". One
 * microsecond: far below any tick, far above the rounding of a night's sums.
 */
#define TIME_EPS_S              1e-6
/* |duty| >= max_duty - this is "saturated" (safety.h). */
#define SAT_EPS                 1e-9
/* The slope is the difference to the reading at least this long ago. */
#define SLOPE_WINDOW_S          1.0
/*
 * Readings closer together than this are not recorded (the newest reading
 * still is what the slope is taken to): the ring of SAFETY_SLOPE_RING then
 * always spans more than the window, however fast the ticks come.
 */
#define SLOPE_MIN_SPACING_S     0.009
/*
 * No recorded reading for longer than this: the history restarts. Longer
 * than one period at 1 Hz plus one missed tick, so a single failed read at
 * the slowest rate does not blind the prediction for a second.
 */
#define SLOPE_MAX_GAP_S         2.5
/*
 * The prediction looks ahead by the sensor's lag, plus half the slope's
 * window (the 1 s slope is the rate half a second ago: while the pad
 * speeds up, as at the start of a stuck-on ramp, it is slower than the
 * rate now), plus the time to the next check (this tick's, at most this).
 */
#define PREDICT_NEXT_CHECK_MAX_S 1.0
/* Wrong-way: "pushing" means at least this fraction of the zone's clamp. */
#define PUSH_FRACTION           0.5
/*
 * Wrong-way: after a push starts the reading keeps moving the old way for
 * up to about two sensor lags (the lag, not the pad). For that long the
 * best value follows the reading instead of holding the closest one.
 */
#define PUSH_SETTLE_LAGS        2.0

/* Which check wins when several trip in one tick (lowest first; then the lowest zone). */
enum prio {
	PRIO_TEMPERATURE,       /* over/under-temperature, reading then prediction */
	PRIO_HEATSINK,
	PRIO_SENSOR,            /* open, short, failed read */
	PRIO_RATE,
	PRIO_DISAGREE,
	PRIO_STALE,
	PRIO_UNRESPONSIVE,
	PRIO_RUNAWAY,
	PRIO_OUTPUT,
	PRIO_LOOP,
	PRIO_SESSION,
	PRIO_NONE = INT_MAX,
};

/* The fault this tick would trip with, if any. */
struct candidate {
	int prio;
	struct fault fault;
};

static const char *const kind_names[FAULT_KIND_COUNT] = {
	[FAULT_NONE] = "none",
	[FAULT_OVER_TEMPERATURE] = "over-temperature",
	[FAULT_UNDER_TEMPERATURE] = "under-temperature",
	[FAULT_SENSOR_OPEN] = "sensor-open",
	[FAULT_SENSOR_SHORT] = "sensor-short",
	[FAULT_SENSOR_READ] = "sensor-read",
	[FAULT_SENSOR_STALE] = "sensor-stale",
	[FAULT_SENSOR_DISAGREE] = "sensor-disagree",
	[FAULT_RATE_OF_CHANGE] = "rate-of-change",
	[FAULT_RUNAWAY] = "runaway",
	[FAULT_HEATSINK_OVER_TEMPERATURE] = "heatsink-over-temperature",
	[FAULT_OUTPUT_ERROR] = "output-error",
	[FAULT_LOOP_OVERRUN] = "loop-overrun",
	[FAULT_SESSION_TIME] = "session-time",
	[FAULT_DOSE] = "dose",
	[FAULT_LATCH_UNREADABLE] = "latch-unreadable",
	[FAULT_PAD_SENSOR_UNRESPONSIVE] = "pad-sensor-unresponsive",
};

const char *fault_kind_name(enum fault_kind k)
{
	if ((int)k < 0 || k >= FAULT_KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

enum fault_kind fault_kind_from_name(const char *name)
{
	if (!name)
		return FAULT_NONE;
	for (int k = 0; k < FAULT_KIND_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (enum fault_kind)k;
	return FAULT_NONE;
}

/* ---- effective limits: the config, never beyond the compiled-in hard limits or their margins ---- */

/* The default control period, until the controller says (10 Hz, the config's default). */
#define DEFAULT_CONTROL_PERIOD_S 0.1

static double sensor_lag_s(const struct safety_params *p);

/* How far the over/under-temperature prediction looks ahead when the last tick was tick_s ago. */
static double predict_ahead_s(const struct safety_params *p, double tick_s)
{
	return sensor_lag_s(p) + SLOPE_WINDOW_S / 2.0 + fmin(tick_s, PREDICT_NEXT_CHECK_MAX_S);
}

void safety_limits_for(const struct safety_params *p, double control_period_s, struct safety_limits *out)
{
	/* A period that is not a number or not positive: the slowest the config allows, 1 s. */
	double period_s = control_period_s > 0.0 ? fmin(control_period_s, 1.0) : 1.0;
	double uncovered_s;

	out->sensor_c = SAFETY_SENSOR_ERROR_C;
	out->lag_s = fmax(0.0, SAFETY_REF_SENSOR_LAG_S - sensor_lag_s(p));
	out->detect_s = SAFETY_ONSET_S + SAFETY_CONFIRM_PERIODS * period_s;
	uncovered_s = out->lag_s + out->detect_s;
	out->margin_hi_c = out->sensor_c + SAFETY_MAX_HEAT_RATE_C_PER_S * uncovered_s;
	out->margin_lo_c = out->sensor_c + SAFETY_MAX_COOL_RATE_C_PER_S * uncovered_s;
	/* fmin/fmax: a NaN config gives the bound. */
	out->max_pad_c = fmin(p->max_pad_c, HARD_MAX_PAD_C - out->margin_hi_c);
	out->min_pad_c = fmax(p->min_pad_c, HARD_MIN_PAD_C + out->margin_lo_c);
	out->predict_ahead_s = predict_ahead_s(p, period_s);
	out->slope_age_s = SLOPE_WINDOW_S / 2.0 + fmin(period_s, PREDICT_NEXT_CHECK_MAX_S);
}

void safety_limits(const struct safety *sf, struct safety_limits *out)
{
	safety_limits_for(&sf->params, sf->control_period_s, out);
}

int safety_params_check(const struct safety_params *p, double control_period_s, double pwm_period_s,
			const char **key, char *why, size_t why_len)
{
	struct safety_limits lim;
	const char *k = NULL;

	safety_limits_for(p, control_period_s, &lim);
	/* The bounds as a person would write them: the nearest hundredth that is accepted. */
	double most_c = floor(lim.max_pad_c * 100.0 + 1e-7) / 100.0;
	double least_c = ceil(lim.min_pad_c * 100.0 - 1e-7) / 100.0;

	if (why && why_len > 0)
		why[0] = '\0';
	if (p->sensor_lag_s > SAFETY_MAX_SENSOR_LAG_S) {
		k = "sensor_lag_s";
		if (why)
			snprintf(why, why_len, "sensor_lag_s = %g is above %.0f s: the prediction would run so far "
				 "ahead of the pad that a session warming up to a setpoint 2 C inside its limit trips; "
				 "a pad sensor that slow is not one the supervisor can protect with (fit it closer to "
				 "the pad)", p->sensor_lag_s, SAFETY_MAX_SENSOR_LAG_S);
	} else if (pwm_period_s > SAFETY_MAX_PWM_PERIOD_S) {
		k = "pwm_period_s";
		if (why)
			snprintf(why, why_len, "pwm_period_s = %g is above %.0f s: each pulse lifts the pad by about "
				 "a degree a second, so the pad swings around its setpoint by more than the limits "
				 "allow for", pwm_period_s, SAFETY_MAX_PWM_PERIOD_S);
	} else if (p->max_pad_c > lim.max_pad_c + 1e-9) {
		k = "max_pad_c";
		if (why)
			snprintf(why, why_len, "max_pad_c = %g is above %g C, the most this config keeps the pad "
				 "under %.0f C with: %.1f C for the sensor's error and %.1f C for what a stuck-on "
				 "Peltier adds before it is caught (%.2f s at %.1f C/s; sensor_lag_s and control_hz set it)",
				 p->max_pad_c, most_c, HARD_MAX_PAD_C, lim.sensor_c, lim.margin_hi_c - lim.sensor_c,
				 lim.lag_s + lim.detect_s, SAFETY_MAX_HEAT_RATE_C_PER_S);
	} else if (p->min_pad_c < lim.min_pad_c - 1e-9) {
		k = "min_pad_c";
		if (why)
			snprintf(why, why_len, "min_pad_c = %g is below %g C, the least this config keeps the pad "
				 "above %.0f C with: %.1f C for the sensor's error and %.1f C for what a stuck-on "
				 "Peltier takes before it is caught (%.2f s at %.1f C/s; sensor_lag_s and control_hz set it)",
				 p->min_pad_c, least_c, HARD_MIN_PAD_C, lim.sensor_c, lim.margin_lo_c - lim.sensor_c,
				 lim.lag_s + lim.detect_s, SAFETY_MAX_COOL_RATE_C_PER_S);
	}
	if (key)
		*key = k;
	return k ? -1 : 0;
}

static double max_heatsink_c(const struct safety_params *p)
{
	return fmin(p->max_heatsink_c, HARD_MAX_HEATSINK_C);
}

static double start_max_heatsink_c(const struct safety_params *p)
{
	return fmin(p->start_max_heatsink_c, max_heatsink_c(p));
}

double safety_clear_s(const struct safety_params *p)
{
	return p->clear_s > 0.0 ? p->clear_s : SAFETY_CLEAR_S;
}

static int read_fail_count(const struct safety_params *p)
{
	return p->read_fail_count >= 1 ? p->read_fail_count : 1;
}

static double sensor_lag_s(const struct safety_params *p)
{
	return fmax(p->sensor_lag_s, 0.0);
}

/* The zone's duty clamp; anything outside (0, HARD_MAX_DUTY] is taken as the hard maximum. */
static double zone_max_duty(const struct safety_zone_input *zi)
{
	if (!(zi->max_duty > 0.0) || zi->max_duty > HARD_MAX_DUTY)
		return HARD_MAX_DUTY;
	return zi->max_duty;
}

/* A reading marked OK whose temperature is not a number is a failed read. */
static enum reading_status status_of(const struct reading *r)
{
	if (r->status == READING_OK && !isfinite(r->temp_c))
		return READING_FAILED;
	return r->status;
}

static bool reading_ok(const struct reading *r)
{
	return status_of(r) == READING_OK;
}

/* Any of the zone's sensors (pad, pad2 when present, heatsink) not OK. */
static bool zone_read_bad(const struct safety_zone_input *zi)
{
	return !reading_ok(&zi->pad) || (zi->has_pad2 && !reading_ok(&zi->pad2)) ||
	       !reading_ok(&zi->heatsink);
}

/* ---- the 1-second slope of a pad reading ---- */

static void hist_restart(struct safety_slope *h)
{
	h->count = 0;
	h->head = 0;
}

/*
 * The slope of reading c at t_s against the newest recorded reading at
 * least SLOPE_WINDOW_S older, and then record c. Returns false (no slope)
 * until the history holds a second of readings; a gap or time running
 * backwards restarts it.
 */
static bool hist_slope_and_record(struct safety_slope *h, double t_s, double c, double *slope)
{
	bool have = false;

	if (h->count > 0) {
		double newest = h->t_s[h->head];

		if (t_s < newest || t_s - newest > SLOPE_MAX_GAP_S)
			hist_restart(h);
	}
	for (int i = 0; i < h->count; i++) {
		int k = (h->head - i + SAFETY_SLOPE_RING) % SAFETY_SLOPE_RING;
		double span = t_s - h->t_s[k];

		if (span >= SLOPE_WINDOW_S - TIME_EPS_S) {
			*slope = (c - h->c[k]) / span;
			have = true;
			break;
		}
	}
	if (h->count > 0 && t_s - h->t_s[h->head] < SLOPE_MIN_SPACING_S)
		return have;
	h->head = h->count > 0 ? (h->head + 1) % SAFETY_SLOPE_RING : 0;
	h->t_s[h->head] = t_s;
	h->c[h->head] = c;
	if (h->count < SAFETY_SLOPE_RING)
		h->count++;
	return have;
}

/*
 * The newest recorded reading, recorded at t_s, becomes c: its slope
 * against the newest reading at least SLOPE_WINDOW_S older is in *slope.
 * Returns false (nothing changed) when the newest is not the one at t_s,
 * or there is no such older reading.
 */
static bool hist_revise_newest(struct safety_slope *h, double t_s, double c, double *slope)
{
	if (h->count == 0 || h->t_s[h->head] != t_s)
		return false;
	h->c[h->head] = c;
	for (int i = 1; i < h->count; i++) {
		int k = (h->head - i + SAFETY_SLOPE_RING) % SAFETY_SLOPE_RING;
		double span = t_s - h->t_s[k];

		if (span >= SLOPE_WINDOW_S - TIME_EPS_S) {
			*slope = (c - h->c[k]) / span;
			return true;
		}
	}
	return false;
}

/* ---- tracking reset, latch ---- */

static void runaway_reset(struct safety_zone_state *zs)
{
	zs->rw_armed = false;
	zs->reached = false;
	zs->have_prev_e = false;
	zs->error_c_s = 0.0;
	zs->goal_armed = false;
	zs->push_active = false;
}

static void reset_tracking(struct safety *sf)
{
	for (int z = 0; z < MAX_ZONES; z++) {
		struct safety_zone_state *zs = &sf->zone[z];

		memset(zs, 0, sizeof(*zs));
		hist_restart(&zs->pad.hist);
		hist_restart(&zs->pad2.hist);
		runaway_reset(zs);
	}
}

static void latch(struct safety *sf, const struct fault *f)
{
	sf->latched = true;
	sf->fault = *f;
	sf->fault.sensor[sizeof(sf->fault.sensor) - 1] = '\0';
	sf->fault.detail[sizeof(sf->fault.detail) - 1] = '\0';
	sf->clear = false;
}

void safety_init(struct safety *sf, const struct safety_params *params, int n_zones)
{
	memset(sf, 0, sizeof(*sf));
	sf->params = *params;
	sf->control_period_s = DEFAULT_CONTROL_PERIOD_S;
	sf->n_zones = n_zones < 0 ? 0 : n_zones > MAX_ZONES ? MAX_ZONES : n_zones;
	sf->fault.kind = FAULT_NONE;
	sf->fault.zone = -1;
	reset_tracking(sf);
}

void safety_set_control_period(struct safety *sf, double control_period_s)
{
	sf->control_period_s = control_period_s;
}

void safety_session_started(struct safety *sf, double now_s)
{
	(void)now_s;
	reset_tracking(sf);
}

void safety_trip(struct safety *sf, const struct fault *f)
{
	if (!sf->latched)
		latch(sf, f);
}

bool safety_latched(const struct safety *sf)
{
	return sf->latched;
}

const struct fault *safety_latched_fault(const struct safety *sf)
{
	return &sf->fault;
}

/* ---- one tick ---- */

/* Everything a zone's checks need for this tick. */
struct tick {
	struct safety *sf;
	const struct safety_params *p;
	const struct safety_input *in;
	double now_s;
	double dt_s;            /* since the previous tick, >= 0 */
	struct safety_limits lim;
	struct candidate cand;
};

static void propose(struct tick *t, int prio, enum fault_kind kind, int zone, const char *sensor,
		    double value, double limit, const char *detail)
{
	struct fault *f = &t->cand.fault;

	if (prio >= t->cand.prio)
		return;         /* an earlier check, or the same one in a lower zone, came first */
	t->cand.prio = prio;
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->zone = zone;
	snprintf(f->sensor, sizeof(f->sensor), "%s", sensor);
	snprintf(f->detail, sizeof(f->detail), "%s", detail ? detail : "");
	f->value = value;
	f->limit = limit;
	f->at_s = t->in->session_elapsed_s;
}

/*
 * The slope, confirmed: the median of the 1 s slopes at the last three
 * readings. A single glitch moves at most two of them, one up and one down
 * (it is the newest sample of one slope and the oldest of a later one), so
 * the median stays with the clean one; a real change moves them all. 0
 * until there are three.
 */
static double confirmed_slope(const struct safety_pad_state *ps)
{
	if (ps->n_slopes < 3)
		return 0.0;
	double a = ps->slopes[0], b = ps->slopes[1], c = ps->slopes[2];

	return fmax(fmin(a, b), fmin(fmax(a, b), c));
}

/*
 * Where a pad that read ref_c at ref_s can read at now_s: anywhere from
 * staying put to going on as the confirmed slope says, give or take the
 * noise and what the fastest onset can add in allow_s.
 */
static void plausible_band(const struct safety_pad_state *ps, double now_s, double ref_c, double ref_s,
			   double allow_s, double *lo_c, double *hi_c)
{
	double went_c = ref_c + fmax(now_s - ref_s, 0.0) * ps->trend_c_per_s;
	double allow_c = SAFETY_JUMP_C + SAFETY_JUMP_RATE_C_PER_S * fmax(allow_s, 0.0);

	*lo_c = fmin(ref_c, went_c) - allow_c;
	*hi_c = fmax(ref_c, went_c) + allow_c;
}

/* Where the last trusted reading and the confirmed slope lead by now_s. */
static double expected_reading(const struct safety_pad_state *ps, double now_s)
{
	return ps->trusted_c + (now_s - ps->trusted_t_s) * ps->trend_c_per_s;
}

static bool near_reading(const struct safety_pad_state *ps, double now_s, double c, double ref_c, double ref_s,
			 double allow_s)
{
	double lo_c, hi_c;

	plausible_band(ps, now_s, ref_c, ref_s, allow_s, &lo_c, &hi_c);
	return c >= lo_c && c <= hi_c;
}

/*
 * What one OK reading of a pad sensor means for the checks (safety.h,
 * SAFETY_JUMP_C). It is a suspect when it is not near where the last
 * trusted value leads, nor near either of the two readings before it: a
 * glitch can do that, the pad cannot. A real jump (a connector) is a
 * suspect once; the next reading agrees with it. A reading back where the
 * pad was before a glitch is near the one before the glitch, as near as one
 * tick allows (no more: a slow loop's two ticks would let a glitch pass).
 * After two glitches in a row (a suspect, then the glitched reading taken
 * as is), a reading back where the pad was before them is near the trusted
 * one before the suspect: it is taken as is too, so the slope's history
 * holds one glitched reading, never two, and their median stays clean.
 * Never two suspects in a row: the reading after a suspect is taken as it
 * is, so whatever this judges wrong, the checks are blind for one reading
 * at most. More than a slow tick since the previous reading (failed reads
 * between), nothing is judged either.
 */
#define JUMP_MAX_GAP_S 1.5

struct judged {
	bool suspect;
	double history_c;       /* what the slope's history records: a suspect's expected value */
	double high_c, low_c;   /* the reading for over- and under-temperature: a suspect's band */
	double value_c;         /* for the runaway checks: a suspect keeps the last trusted value */
};

static void judge_reading(const struct safety_pad_state *ps, double now_s, double c, struct judged *j)
{
	*j = (struct judged){ .history_c = c, .high_c = c, .low_c = c, .value_c = c };
	if (!ps->have_last || ps->last_suspect || now_s < ps->trusted_t_s ||
	    now_s - ps->last_t_s > JUMP_MAX_GAP_S)
		return;
	double tick_s = now_s - ps->last_t_s, since_s = now_s - ps->trusted_t_s;

	if (near_reading(ps, now_s, c, ps->trusted_c, ps->trusted_t_s, since_s) ||
	    near_reading(ps, now_s, c, ps->last_c, ps->last_t_s, tick_s) ||
	    (ps->have_before_last && near_reading(ps, now_s, c, ps->before_last_c, ps->before_last_t_s, tick_s)) ||
	    (ps->after_suspect && near_reading(ps, now_s, c, ps->pre_suspect_c, ps->pre_suspect_t_s,
					       now_s - ps->pre_suspect_t_s)))
		return;
	/*
	 * A suspect. High, it counts for over-temperature as the most the pad
	 * could read by now (and low, for under-temperature, as the least);
	 * on the other side, as what the pad was expected to read.
	 */
	double band_lo_c, band_hi_c, expected_c = expected_reading(ps, now_s);

	plausible_band(ps, now_s, ps->trusted_c, ps->trusted_t_s, since_s, &band_lo_c, &band_hi_c);
	j->suspect = true;
	j->history_c = expected_c;
	j->value_c = ps->trusted_c;
	j->high_c = c > band_hi_c ? band_hi_c : expected_c;
	j->low_c = c < band_lo_c ? band_lo_c : expected_c;
	/*
	 * Further out than SAFETY_GLITCH_C beyond the band, it is no glitch
	 * the supervisor forgives: for the limits it is the reading itself, so
	 * a reading that jumps over a limit trips at once. (A connector that
	 * jumps that far is a fault of its own; waiting a reading for it would
	 * only add a control period to the trip.)
	 */
	if (c > band_hi_c + SAFETY_GLITCH_C)
		j->high_c = c;
	if (c < band_lo_c - SAFETY_GLITCH_C)
		j->low_c = c;
}

static void check_frozen(struct tick *t, int z, const char *name, const struct reading *r,
			 struct safety_pad_state *ps, double duty);

/* One pad sensor (pad or pad2): limits with the prediction, rate of change, frozen and stale raw. */
static void check_pad(struct tick *t, int z, const char *name, const struct reading *r,
		      struct safety_pad_state *ps, double duty)
{
	const struct safety_params *p = t->p;
	double hi = t->lim.max_pad_c, lo = t->lim.min_pad_c;
	double ahead_s = predict_ahead_s(p, t->dt_s);
	double c = r->temp_c, slope = 0.0;
	bool have_slope;
	struct judged j;

	/* A failed or implausible read is not recorded; it never stands in for a value. */
	if (!reading_ok(r))
		return;
	/* Where the trusted reading and the trend lead by now, before this reading moves them. */
	bool have_expected = ps->have_last && t->now_s - ps->trusted_t_s <= JUMP_MAX_GAP_S;
	double expected_c = expected_reading(ps, t->now_s);

	/* A suspect never reaches the slope: its expected value does. */
	judge_reading(ps, t->now_s, c, &j);
	/*
	 * The reading after a suspect, back near the trusted one before it
	 * and not near the suspect: the suspect was a glitch. In the slope's
	 * history it becomes what lies between its neighbours, in place of
	 * the value the trend expected (a trend easing off toward a setpoint
	 * would keep its old steepness through it, and a slow loop predict
	 * from that).
	 */
	double revised_slope;

	if (ps->last_suspect && !j.suspect &&
	    near_reading(ps, t->now_s, c, ps->trusted_c, ps->trusted_t_s, t->now_s - ps->trusted_t_s) &&
	    !near_reading(ps, t->now_s, c, ps->last_c, ps->last_t_s, t->now_s - ps->last_t_s) &&
	    t->now_s > ps->trusted_t_s) {
		double w = (ps->last_t_s - ps->trusted_t_s) / (t->now_s - ps->trusted_t_s);

		if (hist_revise_newest(&ps->hist, ps->last_t_s, ps->trusted_c + w * (c - ps->trusted_c),
				       &revised_slope) && ps->n_slopes > 0)
			ps->slopes[0] = revised_slope;
	}
	have_slope = hist_slope_and_record(&ps->hist, t->now_s, j.history_c, &slope);
	if (!have_slope) {
		ps->n_slopes = 0;       /* the history restarted: confirm afresh */
	} else {
		ps->slopes[2] = ps->slopes[1];
		ps->slopes[1] = ps->slopes[0];
		ps->slopes[0] = slope;
		if (ps->n_slopes < 3)
			ps->n_slopes++;
	}
	double confirmed = confirmed_slope(ps);

	ps->trend_c_per_s = confirmed;
	ps->have_before_last = ps->have_last;
	ps->before_last_c = ps->last_c;
	ps->before_last_t_s = ps->last_t_s;
	ps->after_suspect = ps->last_suspect && !j.suspect;
	if (j.suspect) {
		ps->pre_suspect_c = ps->trusted_c;
		ps->pre_suspect_t_s = ps->trusted_t_s;
	}
	ps->have_last = true;
	ps->last_c = c;
	ps->last_t_s = t->now_s;
	ps->last_suspect = j.suspect;
	if (!j.suspect) {
		ps->trusted_c = c;
		ps->trusted_t_s = t->now_s;
	}
	ps->value_c = j.value_c;

	/*
	 * The sensor lags the pad by sensor_lag_s (first order), so the pad is
	 * about reading + lag * slope. Only the direction that matters is
	 * used: a falling reading never delays over-temperature, and noise on
	 * a flat reading cannot predict both ways. A reading over a limit
	 * trips at once; a suspect counts as the most the pad could read for
	 * the limit, and the prediction runs from the last trusted reading, as
	 * the runaway checks do (the band's edge already reaches as far as the
	 * pad could have gone; the lag on top of it would count the same rise
	 * twice, and even the expected value runs ahead of a ramp that is
	 * easing off toward its setpoint). Any other reading is the base of
	 * the prediction up to SAFETY_JUMP_C past where the trusted reading
	 * and the trend led: a glitch inside the band (1.15 C wide at 1 Hz)
	 * would otherwise move the prediction by all of it. A real ramp that
	 * outruns the trend is the next tick's trusted reading.
	 */
	double base_high_c = j.value_c, base_low_c = j.value_c;

	if (!j.suspect && have_expected) {
		base_high_c = fmin(c, expected_c + SAFETY_JUMP_C);
		base_low_c = fmax(c, expected_c - SAFETY_JUMP_C);
	}
	double predicted_high = base_high_c + ahead_s * confirmed;
	double predicted_low = base_low_c + ahead_s * confirmed;

	if (j.high_c > hi)
		propose(t, PRIO_TEMPERATURE, FAULT_OVER_TEMPERATURE, z, name, j.high_c, hi, NULL);
	else if (confirmed > 0.0 && predicted_high > hi)
		propose(t, PRIO_TEMPERATURE, FAULT_OVER_TEMPERATURE, z, name, predicted_high, hi, "predicted");
	if (j.low_c < lo)
		propose(t, PRIO_TEMPERATURE, FAULT_UNDER_TEMPERATURE, z, name, j.low_c, lo, NULL);
	else if (confirmed < 0.0 && predicted_low < lo)
		propose(t, PRIO_TEMPERATURE, FAULT_UNDER_TEMPERATURE, z, name, predicted_low, lo, "predicted");

	if (fabs(confirmed) > p->max_rate_c_per_s)
		propose(t, PRIO_RATE, FAULT_RATE_OF_CHANGE, z, name, confirmed, p->max_rate_c_per_s, NULL);

	check_frozen(t, z, name, r, ps, duty);

	/* A healthy sensor's noise changes the raw value nearly every sample. */
	if (!ps->have_raw || r->raw != ps->raw) {
		ps->have_raw = true;
		ps->raw = r->raw;
		ps->frozen_s = 0.0;
	} else if (fabs(duty) >= p->stale_min_duty) {
		ps->frozen_s += t->dt_s;
		if (ps->frozen_s > p->stale_s + TIME_EPS_S)
			propose(t, PRIO_STALE, FAULT_SENSOR_STALE, z, name, ps->frozen_s, p->stale_s, NULL);
	}
}

/*
 * pad-sensor-unresponsive, "frozen" (safety.h, docs/safety.md): the raw
 * value unchanged, sample after sample, while the drive could have moved
 * the pad by SAFETY_FROZEN_C. Whatever stale_s allows: a frozen reading
 * lets the controller drive the pad wherever it goes, and a duty of a few
 * per cent is enough to take a poorly perfused pad past 43 C in minutes.
 * A sample taken with no drive at all counts nothing: the pad then only
 * rests. Only for a thermistor divider read as a voltage (the reading has
 * a resistance): the ADC's noise then spans many counts. A temperature
 * channel may be quantized coarser than its noise and read the same value
 * at a steady pad for seconds; for it, stale_s is the check.
 */
static void check_frozen(struct tick *t, int z, const char *name, const struct reading *r,
			 struct safety_pad_state *ps, double duty)
{
	if (!isfinite(r->ohm)) {
		ps->frozen_repeats = 0;
		ps->frozen_moved_c = 0.0;
		return;
	}
	if (ps->have_raw && r->raw == ps->raw) {
		ps->frozen_repeats++;
		if (duty != 0.0)
			ps->frozen_moved_c += (SAFETY_MAX_HEAT_RATE_C_PER_S * fabs(duty) + SAFETY_FROZEN_DRIFT_C_PER_S) *
					      t->dt_s;
		if (ps->frozen_repeats >= SAFETY_FROZEN_REPEATS && ps->frozen_moved_c > SAFETY_FROZEN_C + TIME_EPS_S)
			propose(t, PRIO_UNRESPONSIVE, FAULT_PAD_SENSOR_UNRESPONSIVE, z, name, ps->frozen_moved_c,
				SAFETY_FROZEN_C, "frozen");
	} else {
		ps->frozen_repeats = 0;
		ps->frozen_moved_c = 0.0;
	}
}

/* Consecutive ticks with a bad read of any of the zone's sensors. */
static void check_reads(struct tick *t, int z, const struct safety_zone_input *zi,
			struct safety_zone_state *zs)
{
	const struct reading *rs[3] = { &zi->pad, &zi->pad2, &zi->heatsink };
	static const char *const names[3] = { "pad", "pad2", "heatsink" };
	int n = read_fail_count(t->p);
	int open_short = -1, failed = -1;

	if (!zone_read_bad(zi)) {
		zs->bad_ticks = 0;
		return;
	}
	zs->bad_ticks++;
	if (zs->bad_ticks < n)
		return;
	/* The kind is this tick's: open or short (a wiring fault) before a failed read. */
	for (int i = 0; i < 3; i++) {
		if (i == 1 && !zi->has_pad2)
			continue;
		enum reading_status st = status_of(rs[i]);

		if ((st == READING_OPEN || st == READING_SHORT) && open_short < 0)
			open_short = i;
		else if (st == READING_FAILED && failed < 0)
			failed = i;
	}
	if (open_short >= 0) {
		const struct reading *r = rs[open_short];

		propose(t, PRIO_SENSOR, r->status == READING_OPEN ? FAULT_SENSOR_OPEN : FAULT_SENSOR_SHORT,
			z, names[open_short], r->value, n, NULL);
	} else if (failed >= 0) {
		propose(t, PRIO_SENSOR, FAULT_SENSOR_READ, z, names[failed], zs->bad_ticks, n, NULL);
	}
}

static void check_disagree(struct tick *t, int z, const struct safety_zone_input *zi,
			   struct safety_zone_state *zs)
{
	const struct safety_params *p = t->p;

	/*
	 * A tick without both readings neither starts nor ends a disagreement:
	 * a sensor that alternates failed reads and wrong values must not
	 * escape both this check and the read counter.
	 */
	if (!zi->has_pad2 || !reading_ok(&zi->pad) || !reading_ok(&zi->pad2))
		return;
	double d = fabs(zi->pad.temp_c - zi->pad2.temp_c);

	if (!(d > p->disagree_c)) {
		zs->disagreeing = false;
		return;
	}
	if (!zs->disagreeing) {
		zs->disagreeing = true;
		zs->disagree_since_s = t->now_s;
	}
	if (t->now_s - zs->disagree_since_s > p->disagree_s + TIME_EPS_S)
		propose(t, PRIO_DISAGREE, FAULT_SENSOR_DISAGREE, z, "pad2", d, p->disagree_c, NULL);
}

/*
 * Runaway, on the pad temperature the controller works on (the mean of
 * pad and pad2 when both exist). Three checks; see docs/safety.md.
 */
static void check_runaway(struct tick *t, int z, const struct safety_zone_input *zi,
			  struct safety_zone_state *zs)
{
	const struct safety_params *p = t->p;
	double sp = zi->setpoint_c, h = fmax(p->hysteresis_c, 0.0);
	double maxd = zone_max_duty(zi), duty = zi->duty, pad;
	int dir = 0;

	if (!reading_ok(&zi->pad) || (zi->has_pad2 && !reading_ok(&zi->pad2)))
		return;         /* no pad temperature this tick: hold everything */
	/* The trusted values (check_pad ran first this tick): a glitch moves nothing here. */
	pad = zi->has_pad2 ? 0.5 * (zs->pad.value_c + zs->pad2.value_c) : zs->pad.value_c;
	if (!isfinite(sp)) {
		runaway_reset(zs);
		return;
	}

	/* A new phase: the setpoint moved by more than the band. */
	if (!zs->rw_armed || fabs(sp - zs->rw_setpoint_c) > h) {
		runaway_reset(zs);
		zs->rw_armed = true;
		zs->rw_setpoint_c = sp;
	}

	double e = sp - pad;

	if (e > h && duty > 0.0)
		dir = +1;       /* heating toward the setpoint */
	else if (e < -h && duty < 0.0)
		dir = -1;       /* cooling toward the setpoint */
	bool saturated = dir != 0 && fabs(duty) >= maxd - SAT_EPS;
	bool pushing = dir != 0 && fabs(duty) >= PUSH_FRACTION * maxd - SAT_EPS;

	/*
	 * 1. Accumulated error once the setpoint was reached (a crossing in
	 * one tick counts). A one-sided CUSUM of |e| - h, floored at 0: it
	 * grows outside the band and drains inside it at up to h C*s per
	 * second, so a loop that oscillates with a mean |e| above h still
	 * trips, and one that wanders out now and then does not.
	 */
	if (fabs(e) <= h || (zs->have_prev_e && (e > 0.0) != (zs->prev_e_c > 0.0)))
		zs->reached = true;
	zs->prev_e_c = e;
	zs->have_prev_e = true;
	if (zs->reached) {
		zs->error_c_s = fmax(0.0, zs->error_c_s + (fabs(e) - h) * t->dt_s);
		if (zs->error_c_s > p->max_error_c_s + TIME_EPS_S)
			propose(t, PRIO_RUNAWAY, FAULT_RUNAWAY, z, "pad", pad, e > 0.0 ? sp - h : sp + h,
				"error-outside-band");
	}

	/*
	 * 2. Saturated toward the setpoint: gain `gain` within `time`, again
	 * and again. Armed by saturation; once armed it stays armed while the
	 * output still pushes hard the same way, so a PID output hovering at
	 * the clamp (noise in the D term) cannot restart the clock for ever.
	 */
	if (saturated || (zs->goal_armed && pushing && zs->goal_dir == dir)) {
		double gain = dir > 0 ? p->heat_gain_c : p->cool_gain_c;
		double time = dir > 0 ? p->heat_gain_time_s : p->cool_gain_time_s;
		bool past = dir > 0 ? pad >= zs->goal_c : pad <= zs->goal_c;

		if (!zs->goal_armed || zs->goal_dir != dir || past) {
			zs->goal_armed = true;
			zs->goal_dir = dir;
			zs->goal_c = pad + dir * gain;
			zs->goal_deadline_s = t->now_s + time;
		} else if (t->now_s > zs->goal_deadline_s + TIME_EPS_S) {
			propose(t, PRIO_RUNAWAY, FAULT_RUNAWAY, z, "pad", pad, zs->goal_c,
				dir > 0 ? "no-heat-gain" : "no-cool-gain");
		}
	} else {
		zs->goal_armed = false;
	}

	/*
	 * 3. Wrong way: while pushing toward the setpoint, the pad must not
	 * move more than away_c beyond the closest it has been. Catches a
	 * reversed bridge and a stuck-on Peltier within seconds.
	 */
	if (pushing) {
		double settle_s = PUSH_SETTLE_LAGS * sensor_lag_s(p);

		if (!zs->push_active || zs->push_dir != dir) {
			zs->push_active = true;
			zs->push_dir = dir;
			zs->push_start_s = t->now_s;
			zs->best_c = pad;
		} else if (t->now_s - zs->push_start_s < settle_s - TIME_EPS_S) {
			zs->best_c = pad;       /* the reading still lags the reversal */
		} else {
			double limit = zs->best_c - dir * p->away_c;

			if (dir * (pad - zs->best_c) > 0.0)
				zs->best_c = pad;
			else if (dir > 0 ? pad < limit : pad > limit)
				propose(t, PRIO_RUNAWAY, FAULT_RUNAWAY, z, "pad", pad, limit, "wrong-way");
		}
	} else {
		zs->push_active = false;
	}
}

static void check_zone(struct tick *t, int z)
{
	const struct safety_zone_input *zi = &t->in->zone[z];
	struct safety_zone_state *zs = &t->sf->zone[z];

	check_pad(t, z, "pad", &zi->pad, &zs->pad, zi->duty);
	if (zi->has_pad2)
		check_pad(t, z, "pad2", &zi->pad2, &zs->pad2, zi->duty);
	if (reading_ok(&zi->heatsink) && zi->heatsink.temp_c > max_heatsink_c(t->p))
		propose(t, PRIO_HEATSINK, FAULT_HEATSINK_OVER_TEMPERATURE, z, "heatsink",
			zi->heatsink.temp_c, max_heatsink_c(t->p), NULL);
	check_reads(t, z, zi, zs);
	check_disagree(t, z, zi, zs);
	check_runaway(t, z, zi, zs);
}

static void check_global(struct tick *t)
{
	const struct safety_input *in = t->in;
	const struct safety_params *p = t->p;
	double session_limit_s = fmin(in->session_planned_s + p->session_margin_s, HARD_MAX_SESSION_S);

	if (in->output_error)
		propose(t, PRIO_OUTPUT, FAULT_OUTPUT_ERROR, in->output_error_zone, "output", 0.0, 0.0, NULL);
	if (in->loop_gap_s > p->overrun_s + TIME_EPS_S)
		propose(t, PRIO_LOOP, FAULT_LOOP_OVERRUN, -1, "loop", in->loop_gap_s, p->overrun_s, NULL);
	if (in->session_elapsed_s > session_limit_s + TIME_EPS_S)
		propose(t, PRIO_SESSION, FAULT_SESSION_TIME, -1, "session", in->session_elapsed_s,
			session_limit_s, NULL);
}

/*
 * The cause of a latched fault is gone when every reading is OK and inside
 * the limits. That covers output-error, loop-overrun and session-time too:
 * their cause ended with the session, and the shell requests its outputs
 * again after an acknowledgement (a line that still fails trips again).
 */
static bool cause_gone(const struct safety *sf, const struct safety_input *in, int n)
{
	const struct safety_params *p = &sf->params;
	struct safety_limits lim;

	safety_limits(sf, &lim);
	for (int z = 0; z < n; z++) {
		const struct safety_zone_input *zi = &in->zone[z];

		if (zone_read_bad(zi))
			return false;
		if (zi->pad.temp_c > lim.max_pad_c || zi->pad.temp_c < lim.min_pad_c)
			return false;
		if (zi->has_pad2 && (zi->pad2.temp_c > lim.max_pad_c || zi->pad2.temp_c < lim.min_pad_c))
			return false;
		if (zi->heatsink.temp_c > max_heatsink_c(p))
			return false;
	}
	return true;
}

void safety_check(struct safety *sf, double now_s,
		  const struct safety_input *in, struct safety_verdict *out)
{
	int n = in->n_zones < 0 ? 0 : in->n_zones > MAX_ZONES ? MAX_ZONES : in->n_zones;
	struct tick t = {
		.sf = sf,
		.p = &sf->params,
		.in = in,
		.now_s = now_s,
		.dt_s = sf->have_tick && now_s > sf->prev_tick_s ? now_s - sf->prev_tick_s : 0.0,
		.cand = { .prio = PRIO_NONE },
	};

	safety_limits(sf, &t.lim);
	memset(out, 0, sizeof(*out));
	sf->n_zones = n;

	/* A bad read keeps the zone off this tick, running or not, latched or not. */
	for (int z = 0; z < n; z++)
		out->zone_inhibit[z] = zone_read_bad(&in->zone[z]);

	if (in->running && !sf->was_running)
		reset_tracking(sf);     /* a session the caller did not announce: start clean */

	if (in->running && !sf->latched) {
		for (int z = 0; z < n; z++)
			check_zone(&t, z);
		check_global(&t);
		if (t.cand.prio != PRIO_NONE) {
			latch(sf, &t.cand.fault);
			out->trip = true;
			out->fault = sf->fault;
		}
	}

	if (sf->latched) {
		if (!cause_gone(sf, in, n)) {
			sf->clear = false;
		} else if (!sf->clear) {
			sf->clear = true;
			sf->clear_since_s = now_s;
		}
		sf->clear_seen_s = now_s;
		for (int z = 0; z < MAX_ZONES; z++)
			out->zone_inhibit[z] = true;
	}

	sf->was_running = in->running;
	sf->prev_tick_s = now_s;
	sf->have_tick = true;
}

bool safety_cause_cleared(const struct safety *sf, double now_s)
{
	if (!sf->latched)
		return true;
	if (!sf->clear)
		return false;
	/* Only time the ticks have seen counts: no ticks, no evidence. */
	double until_s = fmin(now_s, sf->clear_seen_s);

	return until_s - sf->clear_since_s >= safety_clear_s(&sf->params) - TIME_EPS_S;
}

int safety_acknowledge(struct safety *sf, double now_s)
{
	if (!sf->latched)
		return 0;
	if (!safety_cause_cleared(sf, now_s))
		return -1;
	sf->latched = false;
	sf->clear = false;
	memset(&sf->fault, 0, sizeof(sf->fault));
	sf->fault.kind = FAULT_NONE;
	sf->fault.zone = -1;
	return 0;
}

/* ---- text ---- */

/* Room for zone_name's number of any int: "zone -2147483648". */
#define ZONE_NUM_LEN sizeof("zone -2147483648")

/* The zone's name, or its number ("zone 2" when prefixed) when it has none; buf holds ZONE_NUM_LEN. */
static const char *zone_name(const char *const names[], int z, bool prefixed, char *buf, size_t len)
{
	if (names && z >= 0 && z < MAX_ZONES && names[z] && names[z][0])
		return names[z];
	snprintf(buf, len, "%s%d", prefixed ? "zone " : "", z);
	return buf;
}

static const char *status_words(enum reading_status st)
{
	switch (st) {
	case READING_OPEN: return "open";
	case READING_SHORT: return "shorted";
	case READING_FAILED: return "read failed";
	case READING_OK: return "ok";
	}
	return "in an unknown state";
}

static int refuse(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "left pad sensor open (3299.9 mV)", "left heatsink sensor read failed". */
static int refuse_reading(char *why, size_t len, const char *zone, const char *sensor,
			  const struct reading *r)
{
	enum reading_status st = status_of(r);

	if (st == READING_OPEN || st == READING_SHORT)
		return refuse(why, len, "%s %s sensor %s (%.1f mV)", zone, sensor, status_words(st), r->value);
	return refuse(why, len, "%s %s sensor %s", zone, sensor, status_words(st));
}

int safety_start_check(const struct safety *sf, const struct safety_input *in,
		       const char *const zone_names[], char *why, size_t why_len)
{
	const struct safety_params *p = &sf->params;
	struct safety_limits lim;
	double sink_hi = start_max_heatsink_c(p);
	char desc[200], num[ZONE_NUM_LEN];

	safety_limits(sf, &lim);

	if (sf->latched) {
		safety_describe(&sf->fault, zone_names, desc, sizeof(desc));
		return refuse(why, why_len, "fault latched: %s; acknowledge it first", desc);
	}
	if (in->n_zones <= 0 || in->n_zones > MAX_ZONES)
		return refuse(why, why_len, "no zones configured");
	for (int z = 0; z < in->n_zones; z++) {
		const struct safety_zone_input *zi = &in->zone[z];
		const char *zn = zone_name(zone_names, z, true, num, sizeof(num));
		const struct reading *pads[2] = { &zi->pad, &zi->pad2 };
		static const char *const pad_names[2] = { "pad", "pad2" };

		for (int i = 0; i < (zi->has_pad2 ? 2 : 1); i++) {
			const struct reading *r = pads[i];

			if (!reading_ok(r))
				return refuse_reading(why, why_len, zn, pad_names[i], r);
			if (r->temp_c > lim.max_pad_c)
				return refuse(why, why_len, "%s %s %.1f C is above the %.1f C limit", zn, pad_names[i],
					      r->temp_c, lim.max_pad_c);
			if (r->temp_c < lim.min_pad_c)
				return refuse(why, why_len, "%s %s %.1f C is below the %.1f C limit", zn, pad_names[i],
					      r->temp_c, lim.min_pad_c);
			/* Room to spare: a pad near a limit would trip at the first overshoot. */
			if (r->temp_c > lim.max_pad_c - SAFETY_START_ROOM_C)
				return refuse(why, why_len, "%s %s %.1f C is less than %.1f C below the %.1f C "
					      "limit: let it cool", zn, pad_names[i], r->temp_c, SAFETY_START_ROOM_C,
					      lim.max_pad_c);
			if (r->temp_c < lim.min_pad_c + SAFETY_START_ROOM_C)
				return refuse(why, why_len, "%s %s %.1f C is less than %.1f C above the %.1f C "
					      "limit: let it warm", zn, pad_names[i], r->temp_c, SAFETY_START_ROOM_C,
					      lim.min_pad_c);
		}
		if (!reading_ok(&zi->heatsink))
			return refuse_reading(why, why_len, zn, "heatsink", &zi->heatsink);
		if (zi->heatsink.temp_c > sink_hi)
			return refuse(why, why_len, "%s heatsink %.1f C is above %.1f C: let it cool", zn,
				      zi->heatsink.temp_c, sink_hi);
	}
	if (why && why_len > 0)
		why[0] = '\0';
	return 0;
}

int safety_program_check(const struct safety *sf, const char *program, double warm_c, double cool_c,
			 char *why, size_t why_len)
{
	struct safety_limits lim;

	safety_limits(sf, &lim);
	if (!(warm_c <= lim.max_pad_c - SETPOINT_MARGIN_C + 1e-9))
		return refuse(why, why_len, "program %s: warm_c %.1f C is less than %.1f C below the %.1f C "
			      "limit in force (max_pad_c %g, less the margins for this config)", program, warm_c,
			      SETPOINT_MARGIN_C, lim.max_pad_c, sf->params.max_pad_c);
	if (!(cool_c >= lim.min_pad_c + SETPOINT_MARGIN_C - 1e-9))
		return refuse(why, why_len, "program %s: cool_c %.1f C is less than %.1f C above the %.1f C "
			      "limit in force (min_pad_c %g, plus the margins for this config)", program, cool_c,
			      SETPOINT_MARGIN_C, lim.min_pad_c, sf->params.min_pad_c);
	if (why && why_len > 0)
		why[0] = '\0';
	return 0;
}

/* The part after "KIND in zone NAME: ", without " at T s". */
static void describe_body(const struct fault *f, char *b, size_t len)
{
	const char *s = f->sensor;
	const char *d = f->detail;

	switch (f->kind) {
	case FAULT_NONE:
		snprintf(b, len, "no fault");
		break;
	case FAULT_OVER_TEMPERATURE:
	case FAULT_UNDER_TEMPERATURE:
		snprintf(b, len, "%s %.1f C%s %s limit %.1f C", s, f->value,
			 strcmp(d, "predicted") == 0 ? " (predicted)" : "",
			 f->kind == FAULT_OVER_TEMPERATURE ? "above" : "below", f->limit);
		break;
	case FAULT_SENSOR_OPEN:
	case FAULT_SENSOR_SHORT:
		snprintf(b, len, "%s sensor %s (%.1f mV), %.0f ticks in a row", s,
			 f->kind == FAULT_SENSOR_OPEN ? "open" : "shorted", f->value, f->limit);
		break;
	case FAULT_SENSOR_READ:
		snprintf(b, len, "%s read failed %.0f ticks in a row (limit %.0f)", s, f->value, f->limit);
		break;
	case FAULT_SENSOR_STALE:
		snprintf(b, len, "%s raw value unchanged for %.1f s of driving, limit %.1f s", s,
			 f->value, f->limit);
		break;
	case FAULT_SENSOR_DISAGREE:
		snprintf(b, len, "pad and pad2 differ by %.1f C, above limit %.1f C for too long",
			 f->value, f->limit);
		break;
	case FAULT_RATE_OF_CHANGE:
		snprintf(b, len, "%s changing at %.2f C/s, beyond limit %.2f C/s", s, f->value, f->limit);
		break;
	case FAULT_RUNAWAY:
		if (strcmp(d, "no-heat-gain") == 0)
			snprintf(b, len, "%s %.1f C did not rise to %.1f C in time while heating at full power",
				 s, f->value, f->limit);
		else if (strcmp(d, "no-cool-gain") == 0)
			snprintf(b, len, "%s %.1f C did not fall to %.1f C in time while cooling at full power",
				 s, f->value, f->limit);
		else if (strcmp(d, "wrong-way") == 0)
			snprintf(b, len, "%s %.1f C moved away from the setpoint past %.1f C while driven toward it",
				 s, f->value, f->limit);
		else if (strcmp(d, "error-outside-band") == 0)
			snprintf(b, len, "%s %.1f C stayed beyond %.1f C too long after reaching the setpoint",
				 s, f->value, f->limit);
		else
			snprintf(b, len, "%s %.1f C, limit %.1f C", s, f->value, f->limit);
		break;
	case FAULT_HEATSINK_OVER_TEMPERATURE:
		snprintf(b, len, "%s %.1f C above limit %.1f C", s, f->value, f->limit);
		break;
	case FAULT_OUTPUT_ERROR:
		snprintf(b, len, "%s", f->zone >= 0 ? "writing the output failed" : "writing the power line failed");
		break;
	case FAULT_LOOP_OVERRUN:
		snprintf(b, len, "loop gap %.1f s above limit %.1f s", f->value, f->limit);
		break;
	case FAULT_SESSION_TIME:
		snprintf(b, len, "session ran %.1f s, above limit %.1f s", f->value, f->limit);
		break;
	case FAULT_DOSE:
		if (strcmp(d, "cold") == 0)
			snprintf(b, len, "%.2f min at or below the cold threshold, above the %.2f min allowed",
				 f->value, f->limit);
		else
			snprintf(b, len, "heat dose %.2f CEM43 min, above the %.2f min allowed", f->value,
				 f->limit);
		break;
	case FAULT_LATCH_UNREADABLE:
		snprintf(b, len, "the latched fault kept in state_dir could not be read at start");
		break;
	case FAULT_PAD_SENSOR_UNRESPONSIVE:
		snprintf(b, len, "%s reading frozen while the drive could have moved the pad %.1f C, limit %.1f C",
			 s, f->value, f->limit);
		break;
	default:
		snprintf(b, len, "%s value %g, limit %g", s, f->value, f->limit);
		break;
	}
}

void safety_describe(const struct fault *f, const char *const zone_names[], char *buf, size_t len)
{
	char body[160], num[ZONE_NUM_LEN];

	if (!buf || len == 0)
		return;
	describe_body(f, body, sizeof(body));
	if (f->zone >= 0)
		snprintf(buf, len, "%s in zone %s: %s at %.1f s", fault_kind_name(f->kind),
			 zone_name(zone_names, f->zone, false, num, sizeof(num)), body, f->at_s);
	else
		snprintf(buf, len, "%s: %s at %.1f s", fault_kind_name(f->kind), body, f->at_s);
}
