/* SPDX-License-Identifier: MIT */
/* The guards that outlive the process. See guard.h and docs/safety.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "guard.h"
#include "lib/log.h"

static void zone_names(const struct config *cfg, const char *names[MAX_ZONES])
{
	for (int z = 0; z < MAX_ZONES; z++)
		names[z] = z < cfg->n_zones ? cfg->zones[z].name : "?";
}

/* "03:10" in local time, "Tue 03:10" when not on the day of now_cal_s; "--:--" for no time. */
static void clock_text(double cal_s, double now_cal_s, char *buf, size_t len)
{
	struct tm tm, now_tm;
	time_t t = (time_t)ceil(cal_s), now = (time_t)now_cal_s;
	bool same_day = isfinite(now_cal_s) && localtime_r(&now, &now_tm) && localtime_r(&t, &tm) &&
			tm.tm_yday == now_tm.tm_yday && tm.tm_year == now_tm.tm_year;

	if (!isfinite(cal_s) || !localtime_r(&t, &tm) ||
	    strftime(buf, len, same_day ? "%H:%M" : "%a %H:%M", &tm) == 0)
		snprintf(buf, len, "--:--");
}

/* "2026-11-30T03:10:00Z", or NULL for no time. */
static const char *iso_text(double cal_s, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)ceil(cal_s);

	if (!isfinite(cal_s) || !gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return buf;
}

/* The lockout file's identity now (0 when it is not there), to see a change. */
static long long lockout_stamp(const struct guard *g)
{
	char path[PATH_LEN + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", g->dir, STATE_LOCKOUT);
	if (lstat(path, &st) < 0)
		return 0;
	return (long long)st.st_ino * 1000003LL + (long long)st.st_mtim.tv_sec * 1000000000LL +
	       st.st_mtim.tv_nsec + (long long)st.st_size;
}

static void load_lockout(struct guard *g)
{
	g->lockout_stamp = lockout_stamp(g);
	g->lockout_why[0] = '\0';
	if (state_load_lockout(g->dir, &g->lockout, g->lockout_why, sizeof(g->lockout_why)) < 0)
		log_err("%s: it counts as locked out; `contrastd --clear-lockout` (root) writes it anew",
			g->lockout_why);
}

/* The calibration of every configured pad sensor into the controller (none when not applicable). */
static void apply_calibration(struct guard *g, struct controller *c)
{
	for (int z = 0; z < g->cfg->n_zones; z++) {
		for (int which = 0; which < 2; which++) {
			struct state_cal_entry *e = state_cal_find(&g->cal, g->cfg->zones[z].name, which);
			bool use = e && e->cal.calibrated && !g->cal.unreadable && !g->cal_other_thermistor;

			controller_set_calibration(c, z, which, use ? &e->cal : NULL);
		}
	}
}

static void load_calibration(struct guard *g, struct controller *c)
{
	char id[sizeof(g->cal.thermistor)];

	g->cal_why[0] = '\0';
	g->cal_other_thermistor = false;
	if (state_load_calibration(g->dir, &g->cal, g->cal_why, sizeof(g->cal_why)) < 0) {
		log_err("%s: no session starts until the pad sensors are calibrated again "
			"(contrastctl calibrate, docs/calibration.md) or the file is removed", g->cal_why);
	} else if (g->cal.n > 0) {
		state_thermistor_id(&g->cfg->thermistor, id, sizeof(id));
		if (strcmp(id, g->cal.thermistor) != 0) {
			g->cal_other_thermistor = true;
			snprintf(g->cal_why, sizeof(g->cal_why),
				 "%s/%s was made with other [thermistor] settings (%.60s); it is not applied: "
				 "calibrate again", g->dir, STATE_CALIBRATION, g->cal.thermistor);
			log_warning("%s", g->cal_why);
		}
	}
	apply_calibration(g, c);
}

void guard_init(struct guard *g, const struct config *cfg, struct controller *c)
{
	const char *names[MAX_ZONES];
	char desc[256];
	struct fault f;
	bool present;

	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->entry = -1;
	g->last_tick_s = NAN;
	g->lockout_checked_mono_s = NAN;
	snprintf(g->dir, sizeof(g->dir), "%s", cfg->daemon.state_dir);
	zone_names(cfg, names);

	if (state_load_ledger(g->dir, &g->ledger, g->ledger_why, sizeof(g->ledger_why)) < 0)
		log_err("%s: the dose ledger counts as used up; no session starts until it is repaired or "
			"removed by hand", g->ledger_why);

	int rc = state_load_latch(g->dir, names, cfg->n_zones, &f, &present, desc, sizeof(desc));

	if (present) {
		controller_restore_fault(c, &f);
		if (rc < 0) {
			log_err("%s: it counts as latched: acknowledge once the readings are fine", desc);
		} else {
			safety_describe(&f, names, desc, sizeof(desc));
			log_warning("a fault latched before this start is latched again: %s", desc);
		}
	}
	load_lockout(g);
	if (g->lockout.locked)
		log_err("the device is locked out (%s %s %d times in 24 h): only `contrastd --clear-lockout`, "
			"run by root on the device, clears it", fault_kind_name(g->lockout.cause.kind),
			g->lockout.cause.zone[0] ? g->lockout.cause.zone : "-", g->lockout.count);
	load_calibration(g, c);
}

void guard_reconfigure(struct guard *g, const struct config *cfg)
{
	if (strcmp(cfg->daemon.state_dir, g->dir) != 0)
		log_warning("the dose ledger, the latch, the lockout and the calibration stay in %s until a "
			    "restart (the new configuration says %s)", g->dir, cfg->daemon.state_dir);
	g->cfg = cfg;
}

bool guard_locked(struct guard *g)
{
	if (lockout_stamp(g) != g->lockout_stamp)
		load_lockout(g);
	return lockout_locked(&g->lockout);
}

/* "locked out: ..." for a refusal and the status. */
static void lockout_text(const struct guard *g, char *buf, size_t len)
{
	const struct lockout *lo = &g->lockout;
	char when[24];

	if (lo->unreadable) {
		snprintf(buf, len, "locked out: %s (it counts as locked out); only `contrastd --clear-lockout`, "
			 "run by root on the device, clears it", g->lockout_why);
		return;
	}
	clock_text(lo->cause.t_s, NAN, when, sizeof(when));
	if (lo->full)
		snprintf(buf, len, "locked out since %s: more faults in 24 hours than the history holds; only "
			 "`contrastd --clear-lockout`, run by root on the device, clears it", when);
	else
		snprintf(buf, len, "locked out since %s: %s%s%s %d times in 24 hours; acknowledging does not "
			 "clear it: only `contrastd --clear-lockout`, run by root on the device, does (have the "
			 "device checked first)", when, fault_kind_name(lo->cause.kind),
			 lo->cause.zone[0] ? " in zone " : "", lo->cause.zone, lo->count);
}

/* The refusal of a start by the dose budgets, in words. */
static void dose_refusal_text(const struct guard *g, const struct dose_verdict *v, double cal_s, char *why,
			      size_t len)
{
	const char *zone = v->zone >= 0 && v->zone < g->cfg->n_zones ? g->cfg->zones[v->zone].name : "";
	char until[24];

	clock_text(v->until_s, cal_s, until, sizeof(until));
	switch (v->refusal) {
	case DOSE_OK:
		snprintf(why, len, "no refusal");
		break;
	case DOSE_UNREADABLE:
		snprintf(why, len, "the dose ledger cannot be read (%s): it counts as used up; no session "
			 "starts until it is repaired or removed by hand", g->ledger_why);
		break;
	case DOSE_FULL:
		snprintf(why, len, "the dose ledger is full (%.0f sessions in 24 hours)", v->of);
		break;
	case DOSE_SESSIONS:
		snprintf(why, len, "%.0f of %.0f sessions a day started in the last 24 hours; the next one "
			 "may start at %s", v->of, v->of, until);
		break;
	case DOSE_HEAT_SESSION:
		snprintf(why, len, "%s pad: this program needs %.1f min heat dose (CEM43), more than the %.1f "
			 "a session may give (heat_dose_min)", zone, v->needs, v->of);
		break;
	case DOSE_HEAT_DAY:
		snprintf(why, len, "%s pad: %.1f of %.1f min heat dose left until %s; this program needs %.1f",
			 zone, v->left, v->of, until, v->needs);
		break;
	case DOSE_COLD_SESSION:
		snprintf(why, len, "%s pad: this program needs %.1f min at or below %.1f C, more than the %.1f "
			 "a session may give (cold_min)", zone, v->needs, g->cfg->dose.cold_c, v->of);
		break;
	case DOSE_COLD_DAY:
		snprintf(why, len, "%s pad: %.1f of %.1f min at or below %.1f C left until %s; this program "
			 "needs %.1f", zone, v->left, v->of, g->cfg->dose.cold_c, until, v->needs);
		break;
	}
}

int guard_start(struct guard *g, struct controller *c, const char *program, double now_s, double cal_s,
		char *why, size_t why_len)
{
	const struct config *cfg = g->cfg;
	const char *names[MAX_ZONES];
	struct dose_amount allowance[MAX_ZONES], planned;
	struct dose_verdict v;
	char err[512];

	zone_names(cfg, names);
	if (guard_locked(g)) {
		lockout_text(g, why, why_len);
		return -1;
	}
	if (g->cal.unreadable) {
		snprintf(why, why_len, "%s: calibrate the pad sensors again (contrastctl calibrate) or remove "
			 "the file", g->cal_why);
		return -1;
	}
	int index = config_find_program(cfg, program);

	if (index < 0 || c->state == SESSION_RUNNING)        /* the controller says why */
		return controller_start(c, program, now_s, why, why_len);

	if (!g->ledger.unreadable)
		dose_ledger_prune(&g->ledger, cal_s);
	planned = dose_planned(&cfg->programs[index], cfg->dose.cold_c);
	if (dose_start_check(&g->ledger, &cfg->dose, names, cfg->n_zones, planned, cal_s, allowance, &v) < 0) {
		dose_refusal_text(g, &v, cal_s, why, why_len);
		return -1;
	}

	/* Into the ledger first: no session runs that the ledger does not hold. */
	double latest_end_s = cal_s + fmin(program_planned_s(&cfg->programs[index]) + cfg->safety.session_margin_s,
					   HARD_MAX_SESSION_S);
	int entry = dose_ledger_open(&g->ledger, cal_s, latest_end_s, names, cfg->n_zones, planned);

	if (entry < 0) {
		snprintf(why, why_len, "the dose ledger is full");
		return -1;
	}
	syncer_drain(g->syncer);        /* no older ledger from the thread lands after this one */
	if (state_save_ledger(g->dir, &g->ledger, err, sizeof(err)) < 0) {
		g->ledger.n--;
		snprintf(why, why_len, "%s: no session starts while the dose ledger cannot be written", err);
		return -1;
	}
	controller_allow_dose(c, allowance);
	if (controller_start(c, program, now_s, why, why_len) < 0) {
		g->ledger.n--;
		if (state_save_ledger(g->dir, &g->ledger, err, sizeof(err)) < 0)
			log_err("%s: the refused session still counts in the ledger", err);
		return -1;
	}
	g->entry = entry;
	g->entry_written_mono_s = -INFINITY;
	g->entry_unsaved = false;
	return 0;
}

static void zone_used(const struct controller *c, int n, struct dose_amount used[MAX_ZONES])
{
	for (int z = 0; z < MAX_ZONES; z++)
		used[z] = z < n ? c->zone[z].dose_used : (struct dose_amount){ 0.0, 0.0 };
}

/* Each pad sensor's uncorrected readings, for calibration points; a failed read or a gap starts again. */
static void follow_readings(struct guard *g, const struct controller *c, double dt_s)
{
	for (int z = 0; z < g->cfg->n_zones; z++) {
		const double v[2] = { c->zone[z].pad_uncal_c, c->zone[z].pad2_uncal_c };

		for (int w = 0; w < 2; w++) {
			if (isnan(v[w]) || !(dt_s > 0.0) || dt_s > 2.0 / g->cfg->daemon.control_hz) {
				g->cal_count[z][w] = 0;
				if (isnan(v[w]))
					continue;
			}
			g->cal_head[z][w] = (g->cal_head[z][w] + 1) % GUARD_CAL_RING;
			g->cal_ring[z][w][g->cal_head[z][w]] = v[w];
			if (g->cal_count[z][w] < GUARD_CAL_RING)
				g->cal_count[z][w]++;
		}
	}
}

/*
 * The mean of sensor w of zone z over the last GUARD_CAL_AVERAGE_S, and
 * how far it moved in that time. Returns false when there are not that
 * many readings in a row yet.
 */
static bool recent_mean(const struct guard *g, int z, int w, double *mean_c, double *spread_c)
{
	int n = (int)ceil(GUARD_CAL_AVERAGE_S * g->cfg->daemon.control_hz - 1e-9);
	double sum = 0.0, lo = INFINITY, hi = -INFINITY;

	if (n > GUARD_CAL_RING)
		n = GUARD_CAL_RING;
	if (n < 1 || g->cal_count[z][w] < n)
		return false;
	for (int i = 0; i < n; i++) {
		double v = g->cal_ring[z][w][(g->cal_head[z][w] - i + GUARD_CAL_RING) % GUARD_CAL_RING];

		sum += v;
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	*mean_c = sum / n;
	*spread_c = hi - lo;
	return true;
}

void guard_tick(struct guard *g, const struct controller *c, double now_s, double cal_s, double mono_s)
{
	char err[512];

	(void)cal_s;
	/* A lockout cleared by --clear-lockout shows (the status light) within a second. */
	if (!(mono_s - g->lockout_checked_mono_s < 1.0)) {
		g->lockout_checked_mono_s = mono_s;
		guard_locked(g);
	}
	follow_readings(g, c, isnan(g->last_tick_s) ? 0.0 : now_s - g->last_tick_s);
	g->last_tick_s = now_s;
	if (c->state != SESSION_RUNNING || g->entry < 0)
		return;
	struct dose_amount used[MAX_ZONES];

	zone_used(c, g->cfg->n_zones, used);
	if (dose_ledger_raise(&g->ledger, g->entry, used))
		g->entry_unsaved = true;
	/* Handed to the syncer thread: the loop does not wait for the storage while a session runs. */
	if (g->entry_unsaved && mono_s - g->entry_written_mono_s >= GUARD_LEDGER_EVERY_S) {
		bool saved;

		if (syncer_save_ledger(g->syncer, g->dir, &g->ledger, &saved, err, sizeof(err))) {
			g->entry_written_mono_s = mono_s;
			g->entry_unsaved = false;
			if (!saved)
				log_err("%s", err);
		}
	}
}

void guard_session_ended(struct guard *g, const struct controller *c, double cal_s)
{
	struct dose_amount used[MAX_ZONES];
	char err[512];

	if (g->entry < 0)
		return;
	zone_used(c, g->cfg->n_zones, used);
	dose_ledger_close(&g->ledger, g->entry, cal_s, used);
	g->entry = -1;
	g->entry_unsaved = false;
	syncer_drain(g->syncer);        /* the thread's older copy lands first, this one last */
	if (state_save_ledger(g->dir, &g->ledger, err, sizeof(err)) < 0)
		log_err("%s: the session counts as planned until its entry can be closed", err);
	for (int z = 0; z < g->cfg->n_zones; z++)
		log_info("zone %s: this session gave %.2f CEM43 min heat dose, %.1f min at or below %.1f C",
			 g->cfg->zones[z].name, used[z].heat_min, used[z].cold_min, g->cfg->dose.cold_c);
}

void guard_tripped(struct guard *g, const struct controller *c, double cal_s)
{
	const struct fault *f = safety_latched_fault(&c->safety);
	const char *names[MAX_ZONES];
	char err[512];

	zone_names(g->cfg, names);
	if (state_save_latch(g->dir, f, names, g->cfg->n_zones, cal_s, err, sizeof(err)) < 0)
		log_err("%s: the fault is latched now but a restart would forget it", err);
	if (f->kind == FAULT_LATCH_UNREADABLE)
		return;
	guard_locked(g);        /* the file as it is now */
	if (g->lockout.unreadable)
		return;         /* locked already; its file stays as it is for --clear-lockout */
	const char *zone = f->zone >= 0 && f->zone < g->cfg->n_zones ? names[f->zone] : "";

	if (lockout_record(&g->lockout, g->cfg->lockout_after, f->kind, zone, cal_s)) {
		char text[800];

		lockout_text(g, text, sizeof(text));
		log_err("%s", text);
	}
	if (state_save_lockout(g->dir, &g->lockout, err, sizeof(err)) < 0)
		log_err("%s: the fault is not counted for the lockout after a restart", err);
	g->lockout_stamp = lockout_stamp(g);
}

int guard_ack(struct guard *g, struct controller *c, double now_s, char *why, size_t why_len)
{
	char err[512];

	if (safety_latched(&c->safety) && guard_locked(g)) {
		lockout_text(g, why, why_len);
		return -1;
	}
	if (controller_ack(c, now_s, why, why_len) < 0)
		return -1;
	if (state_clear_latch(g->dir, err, sizeof(err)) < 0)
		log_err("%s: the acknowledged fault will be latched again after a restart", err);
	return 0;
}

/* ---- calibration ---- */

static const char *const sensor_names[2] = { "pad", "pad2" };

int guard_calibrate(struct guard *g, struct controller *c, const char *zone, double reference_c,
		    char *msg, size_t msg_len)
{
	const struct config *cfg = g->cfg;
	static struct state_calibration next;
	int z, n_sensors;
	size_t pos = 0;
	char err[512];
	bool refused = false, done = false;

	for (z = 0; z < cfg->n_zones; z++)
		if (strcmp(cfg->zones[z].name, zone) == 0)
			break;
	if (z == cfg->n_zones) {
		snprintf(msg, msg_len, "no zone named '%s'", zone);
		return -1;
	}
	if (c->state == SESSION_RUNNING) {
		snprintf(msg, msg_len, "a session is running: calibrate with the device idle and the pad in "
			 "the bath with the reference (docs/calibration.md)");
		return -1;
	}
	n_sensors = cfg->zones[z].pad_sensor2[0] ? 2 : 1;
	double mean_c[2], spread_c;

	for (int w = 0; w < n_sensors; w++) {
		if (!recent_mean(g, z, w, &mean_c[w], &spread_c)) {
			snprintf(msg, msg_len, "%s %s sensor has no reading of its own yet (it must read for %.0f s "
				 "without a failure): try again in a few seconds", zone, sensor_names[w],
				 GUARD_CAL_AVERAGE_S);
			return -1;
		}
		if (spread_c > GUARD_CAL_STEADY_C) {
			snprintf(msg, msg_len, "%s %s sensor is still moving (%.2f C in the last %.0f s): wait until "
				 "the pad has settled in the bath, then try again", zone, sensor_names[w], spread_c,
				 GUARD_CAL_AVERAGE_S);
			return -1;
		}
	}

	/* A fresh start when the file could not be read or was for another [thermistor]. */
	if (g->cal.unreadable || g->cal_other_thermistor)
		memset(&next, 0, sizeof(next));
	else
		next = g->cal;
	state_thermistor_id(&cfg->thermistor, next.thermistor, sizeof(next.thermistor));

	struct cal_fit fit[2];
	enum cal_outcome out[2];

	for (int w = 0; w < n_sensors; w++) {
		struct state_cal_entry *e = state_cal_slot(&next, zone, w);
		struct cal_point pt = { .reading_c = mean_c[w], .reference_c = reference_c };

		if (!e) {
			snprintf(msg, msg_len, "the calibration has no room for another sensor");
			return -1;
		}
		out[w] = cal_add_point(&e->cal, &pt, &fit[w]);
		refused |= out[w] == CAL_REFUSED;
		done |= out[w] == CAL_DONE;
	}
	if (refused) {
		/* All or nothing per zone: no sensor of it changes, every waiting point goes. */
		for (int w = 0; w < n_sensors; w++) {
			struct state_cal_entry *e = state_cal_slot(&next, zone, w);
			const struct state_cal_entry *old = state_cal_find(&g->cal, zone, w);

			if (old && !g->cal.unreadable && !g->cal_other_thermistor)
				e->cal = old->cal;
			else
				memset(&e->cal, 0, sizeof(e->cal));
			e->cal.pending = false;
		}
	}
	if (state_save_calibration(g->dir, &next, err, sizeof(err)) < 0) {
		snprintf(msg, msg_len, "%s: nothing recorded", err);
		return -1;
	}
	g->cal = next;
	g->cal_why[0] = '\0';
	g->cal_other_thermistor = false;
	apply_calibration(g, c);

	for (int w = 0; w < n_sensors && pos < msg_len; w++) {
		const struct state_cal_entry *e = state_cal_find(&g->cal, zone, w);
		const char *sep = w ? "; " : "";
		double r = mean_c[w];

		switch (out[w]) {
		case CAL_FIRST_POINT:
			pos += (size_t)snprintf(msg + pos, msg_len - pos, "%s%s %s: point 1 recorded (sensor "
						"%.2f C, reference %.2f C); now a second point at least %.0f C away",
						sep, zone, sensor_names[w], r, reference_c, CAL_MIN_SPAN_C);
			break;
		case CAL_TOO_CLOSE:
			pos += (size_t)snprintf(msg + pos, msg_len - pos, "%s%s %s: this point replaces the first "
						"(sensor %.2f C, reference %.2f C): the two must be at least %.0f C "
						"apart", sep, zone, sensor_names[w], r, reference_c, CAL_MIN_SPAN_C);
			break;
		case CAL_DONE:
			pos += (size_t)snprintf(msg + pos, msg_len - pos, "%s%s %s calibrated: gain %.4f, offset "
						"%+.2f C (largest correction %+.2f C), in force now", sep, zone,
						sensor_names[w], e->cal.gain, e->cal.offset,
						fit[w].worst_correction_c);
			break;
		case CAL_REFUSED:
			pos += (size_t)snprintf(msg + pos, msg_len - pos, "%s%s %s: %s (gain %.3f, correction up "
						"to %+.2f C; at most %.1f-%.1f and %.0f C)", sep, zone,
						sensor_names[w], CAL_NOT_THIS_THERMISTOR, fit[w].gain,
						fit[w].worst_correction_c, CAL_GAIN_MIN, CAL_GAIN_MAX,
						CAL_MAX_CORRECTION_C);
			break;
		}
	}
	if (refused) {
		log_err("calibrate %s at %.2f C refused: %s", zone, reference_c, msg);
		snprintf(msg + strlen(msg), msg_len - strlen(msg), "; the calibration is unchanged and the "
			 "points are dropped");
		return -1;
	}
	log_notice("calibrate %s at %.2f C: %s", zone, reference_c, msg);
	(void)done;
	return 0;
}

/* ---- status ---- */

void guard_status_json(struct guard *g, const struct controller *c, double cal_s, struct json_out *j)
{
	const struct config *cfg = g->cfg;
	struct dose_left left;
	char iso[32], text[800];

	(void)c;
	json_out_key(j, "lockout");
	if (guard_locked(g)) {
		lockout_text(g, text, sizeof(text));
		json_out_begin_object(j);
		json_out_key(j, "kind");
		json_out_string(j, g->lockout.unreadable ? NULL : fault_kind_name(g->lockout.cause.kind));
		json_out_key(j, "zone");
		json_out_string(j, g->lockout.unreadable || !g->lockout.cause.zone[0] ? NULL : g->lockout.cause.zone);
		json_out_key(j, "count");
		if (g->lockout.unreadable)
			json_out_null(j);
		else
			json_out_int(j, g->lockout.count);
		json_out_key(j, "since");
		json_out_string(j, g->lockout.unreadable ? NULL : iso_text(g->lockout.cause.t_s, iso, sizeof(iso)));
		json_out_key(j, "description");
		json_out_string(j, text);
		json_out_end_object(j);
	} else {
		json_out_null(j);
	}
	dose_left_for(&g->ledger, &cfg->dose, cfg->n_zones > 0 ? cfg->zones[0].name : "", cal_s, &left);
	json_out_key(j, "sessions_left");
	json_out_int(j, left.sessions);
	json_out_key(j, "sessions_per_day");
	json_out_int(j, cfg->dose.sessions_per_day);
	json_out_key(j, "sessions_back_at");
	json_out_string(j, iso_text(left.sessions_until_s, iso, sizeof(iso)));
	json_out_key(j, "dose_problem");
	if (g->ledger.unreadable) {
		snprintf(text, sizeof(text), "%s: counts as used up", g->ledger_why);
		json_out_string(j, text);
	} else {
		json_out_null(j);
	}
	json_out_key(j, "calibration_problem");
	json_out_string(j, g->cal_why[0] ? g->cal_why : NULL);
}

void guard_zone_json(struct guard *g, const struct controller *c, int z, double cal_s, struct json_out *j)
{
	const struct config *cfg = g->cfg;
	const struct zone_run *zr = &c->zone[z];
	struct dose_left left;
	const struct state_cal_entry *e = state_cal_find(&g->cal, cfg->zones[z].name, 0);
	char iso[32];
	bool had = c->program_index >= 0;

	dose_left_for(&g->ledger, &cfg->dose, cfg->zones[z].name, cal_s, &left);
	json_out_key(j, "heat_dose_left_min");
	json_out_number(j, left.heat_min, 2);
	json_out_key(j, "heat_dose_day_min");
	json_out_number(j, fmin(cfg->dose.heat_dose_day_min, HARD_MAX_HEAT_DOSE_DAY_MIN), 2);
	json_out_key(j, "heat_dose_back_at");
	json_out_string(j, iso_text(left.heat_until_s, iso, sizeof(iso)));
	json_out_key(j, "cold_left_min");
	json_out_number(j, left.cold_min, 1);
	json_out_key(j, "cold_day_min");
	json_out_number(j, fmin(cfg->dose.cold_day_min, HARD_MAX_COLD_DAY_MIN), 1);
	json_out_key(j, "cold_back_at");
	json_out_string(j, iso_text(left.cold_until_s, iso, sizeof(iso)));
	json_out_key(j, "session_heat_dose_min");
	json_out_number(j, had ? zr->dose_used.heat_min : NAN, 3);
	json_out_key(j, "session_cold_min");
	json_out_number(j, had ? zr->dose_used.cold_min : NAN, 2);
	json_out_key(j, "calibration");
	if (g->cal.unreadable)
		json_out_string(j, "unreadable");
	else if (e && g->cal_other_thermistor)
		json_out_string(j, "not applied");
	else if (e && e->cal.calibrated)
		json_out_string(j, e->cal.pending ? "calibrated, a new point waiting" : "calibrated");
	else if (e && e->cal.pending)
		json_out_string(j, "one point");
	else
		json_out_string(j, "none");
	json_out_key(j, "calibration_gain");
	json_out_number(j, e && e->cal.calibrated && !g->cal_other_thermistor ? e->cal.gain : NAN, 4);
	json_out_key(j, "calibration_offset_c");
	json_out_number(j, e && e->cal.calibrated && !g->cal_other_thermistor ? e->cal.offset : NAN, 3);
}

int guard_clear_lockout(const char *dir, const char *who, double cal_s, char *why, size_t why_len)
{
	struct lockout lo;
	char err[512];

	if (state_load_lockout(dir, &lo, err, sizeof(err)) < 0)
		log_warning("%s: writing it anew", err);
	lockout_clear(&lo, cal_s, who);
	return state_save_lockout(dir, &lo, why, why_len);
}
